//! A quiz for one visitor: the questions their "I am a..." answer picked, the question on
//! screen, what they have set up on it (ticks, an order, a slider) and the answers graded so
//! far. Grading and scoring live in kepu-core (`quiz`); drawing in `ui::quiz_screen`.

use crate::ui::QuizCommand;
use kepu_core::manifest::{Estimate, QuestionType};
use kepu_core::quiz::{Answer, QuizSession};
use kepu_core::wire::EventKind;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct QuizProgress {
    /// The questions this visitor gets (their audience's pool), the order shown, the answers.
    pub session: QuizSession,
    /// The question on screen.
    pub current: usize,
    /// What the visitor has set up on the current question but not yet submitted.
    pub draft: Draft,
    /// When the current question appeared, for the time-to-answer in the logs.
    pub question_shown_at: Duration,
    /// When the quiz started, for an optional time limit.
    pub started_at: Duration,
    pub finished: bool,
}

/// Controls a visitor sets before "check my answer".
#[derive(Debug, Clone, PartialEq)]
pub enum Draft {
    /// The question is answered with one tap.
    None,
    /// Multiple choice: the ticked choices, in the order ticked.
    Ticks(Vec<String>),
    /// Ordering: the items as the visitor has arranged them.
    Order(Vec<String>),
    /// Estimate: the slider's value (starts mid-range, never at the answer).
    Estimate(f64),
}

/// A slider value moved onto the estimate's range and step.
pub fn snap(estimate: &Estimate, value: f64) -> f64 {
    kepu_core::slider::SliderRange::from(estimate).snap(value)
}

impl QuizProgress {
    pub fn new(session: QuizSession, now: Duration) -> Self {
        let mut progress = Self {
            session,
            current: 0,
            draft: Draft::None,
            question_shown_at: now,
            started_at: now,
            finished: false,
        };
        progress.draft = progress.fresh_draft();
        progress
    }

    pub fn is_answered(&self) -> bool {
        self.session.is_answered(self.current)
    }

    /// Still answering: not on the results.
    fn answering(&self) -> bool {
        !self.finished
    }

    /// The starting state of the current question's controls.
    fn fresh_draft(&self) -> Draft {
        let Some(question) = self.session.question(self.current) else {
            return Draft::None;
        };
        match question.question_type {
            QuestionType::Multiple => Draft::Ticks(Vec::new()),
            QuestionType::Ordering => Draft::Order(
                self.session
                    .presented_order(self.current)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
            ),
            QuestionType::Estimate => Draft::Estimate(
                question
                    .estimate
                    .as_ref()
                    .map_or(0.0, |e| snap(e, (e.min + e.max) / 2.0)),
            ),
            QuestionType::Single | QuestionType::ImageChoice | QuestionType::TrueFalse => {
                Draft::None
            }
        }
    }

    pub fn apply(
        &mut self,
        exhibit_id: &str,
        command: &QuizCommand,
        now: Duration,
    ) -> Vec<EventKind> {
        match command {
            QuizCommand::Answer(choice) => self.answer(exhibit_id, choice, now),
            QuizCommand::ToggleChoice(choice) => {
                self.toggle_choice(choice);
                Vec::new()
            }
            QuizCommand::MoveItem { from, to } => {
                self.move_item(*from, *to);
                Vec::new()
            }
            QuizCommand::SetEstimate(value) => {
                self.set_estimate(*value);
                Vec::new()
            }
            QuizCommand::SubmitAnswer => self.submit_draft(exhibit_id, now),
            QuizCommand::NextQuestion => self.next_question(exhibit_id, now),
            QuizCommand::TryAgain => {
                self.try_again(now);
                Vec::new()
            }
        }
    }

    /// A one-tap answer: a choice of a single or image-choice question, or `"true"`/`"false"`.
    pub fn answer(&mut self, exhibit_id: &str, choice_id: &str, now: Duration) -> Vec<EventKind> {
        if !self.answering() {
            return Vec::new();
        }
        let Some(question) = self.session.question(self.current) else {
            return Vec::new();
        };
        let answer = match question.question_type {
            QuestionType::Single | QuestionType::ImageChoice => {
                Answer::Choices(vec![choice_id.to_owned()])
            }
            QuestionType::TrueFalse => Answer::TrueFalse(choice_id == "true"),
            // These are answered with "check my answer".
            QuestionType::Multiple | QuestionType::Ordering | QuestionType::Estimate => {
                return Vec::new();
            }
        };
        self.submit(exhibit_id, answer, now)
    }

    /// Ticks or unticks a choice of a multiple-choice question.
    pub fn toggle_choice(&mut self, choice_id: &str) {
        if self.answering()
            && !self.is_answered()
            && let Draft::Ticks(ticks) = &mut self.draft
        {
            if let Some(at) = ticks.iter().position(|t| t == choice_id) {
                ticks.remove(at);
            } else {
                ticks.push(choice_id.to_owned());
            }
        }
    }

    /// Moves an ordering question's item from one place to another.
    pub fn move_item(&mut self, from: usize, to: usize) {
        if self.answering()
            && !self.is_answered()
            && let Draft::Order(order) = &mut self.draft
            && from < order.len()
        {
            let item = order.remove(from);
            order.insert(to.min(order.len()), item);
        }
    }

    /// Sets an estimate question's slider (snapped to its range and step).
    pub fn set_estimate(&mut self, value: f64) {
        if self.answering()
            && !self.is_answered()
            && let Some(estimate) = self
                .session
                .question(self.current)
                .and_then(|q| q.estimate.clone())
            && let Draft::Estimate(current) = &mut self.draft
            && value.is_finite()
        {
            *current = snap(&estimate, value);
        }
    }

    /// "Check my answer" for the questions with a draft.
    pub fn submit_draft(&mut self, exhibit_id: &str, now: Duration) -> Vec<EventKind> {
        if !self.answering() {
            return Vec::new();
        }
        let answer = match &self.draft {
            Draft::Ticks(ticks) if !ticks.is_empty() => Answer::Choices(ticks.clone()),
            Draft::Order(order) => Answer::Order(order.clone()),
            Draft::Estimate(value) => Answer::Estimate(*value),
            Draft::None | Draft::Ticks(_) => return Vec::new(),
        };
        self.submit(exhibit_id, answer, now)
    }

    /// Grades an answer to the current question; a second answer is ignored.
    fn submit(&mut self, exhibit_id: &str, answer: Answer, now: Duration) -> Vec<EventKind> {
        let time_taken = now.saturating_sub(self.question_shown_at);
        let (choice_ids, value) = match &answer {
            Answer::Choices(ids) | Answer::Order(ids) => (ids.clone(), None),
            Answer::TrueFalse(value) => (vec![value.to_string()], None),
            Answer::Estimate(value) => (Vec::new(), Some(*value)),
        };
        let current = self.current;
        let Some(correct) = self
            .session
            .answer(current, answer, time_taken)
            .map(|grade| grade.correct)
        else {
            return Vec::new();
        };
        let question_id = self
            .session
            .question(current)
            .map(|q| q.id.clone())
            .unwrap_or_default();
        vec![EventKind::QuizAnswer {
            exhibit_id: exhibit_id.to_owned(),
            question_id,
            choice_ids,
            correct,
            value,
            answer_ms: millis(time_taken),
        }]
    }

    /// After an answer: the next question, or the results after the last one.
    pub fn next_question(&mut self, exhibit_id: &str, now: Duration) -> Vec<EventKind> {
        if !self.answering() || !self.is_answered() {
            return Vec::new();
        }
        if self.current + 1 < self.session.len() {
            self.current += 1;
            self.question_shown_at = now;
            self.draft = self.fresh_draft();
            Vec::new()
        } else {
            self.finish(exhibit_id)
        }
    }

    /// Whether the time limit has run out on an unfinished quiz.
    pub fn time_is_up(&self, now: Duration) -> bool {
        self.answering()
            && self.session.time_left(now.saturating_sub(self.started_at)) == Some(Duration::ZERO)
    }

    /// Ends a quiz whose time limit ran out (unanswered questions score nothing).
    pub fn check_time(&mut self, exhibit_id: &str, now: Duration) -> Vec<EventKind> {
        if self.answering()
            && self
                .session
                .expire_if_over(now.saturating_sub(self.started_at))
        {
            return self.finish(exhibit_id);
        }
        Vec::new()
    }

    /// "Try again" on the results: the same questions, reshuffled, from the start.
    pub fn try_again(&mut self, now: Duration) {
        if self.finished {
            let mut session = self.session.clone();
            session.try_again(rand::random());
            *self = Self::new(session, now);
        }
    }

    fn finish(&mut self, exhibit_id: &str) -> Vec<EventKind> {
        self.finished = true;
        vec![EventKind::QuizComplete {
            exhibit_id: exhibit_id.to_owned(),
            score: self.session.points(),
            max_score: self.session.max_points(),
        }]
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
