//! The quiz engine, independent of how the quiz is drawn: grading every question type
//! ([`grade()`]), the order choices appear in ([`presentation_order`]), which questions a visitor
//! gets ([`questions_for`]), and one visitor's attempt with its score, missed questions, time
//! limit and "try again" ([`QuizSession`]).
//!
//! [`check_answer`] and [`QuizAttempt`] are the small single-choice interface the kiosk used
//! first; they run on the same grading and first-answer-counts rules.

mod grade;
mod order;
mod session;
#[cfg(test)]
mod tests;

pub use grade::{
    Aim, Answer, Closeness, CorrectAnswer, EstimateFeedback, Grade, correct_answer, grade,
};
pub use order::presentation_order;
pub use session::{
    AnsweredQuestion, MissedQuestion, QuizSession, is_expired, questions_for, time_left,
};

use crate::manifest::Question;

/// What the visitor learns right after answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerOutcome {
    pub correct: bool,
    /// The choices that were right, to highlight them whatever the visitor picked.
    pub correct_choice_ids: Vec<String>,
}

/// Checks an answer to a choice question (single, multiple, image_choice): right when exactly
/// the correct choices were picked. Unknown choice ids, and questions of other types, count as
/// wrong rather than failing, so a stale tap never panics. [`grade()`] handles every type and
/// gives partial credit.
pub fn check_answer(question: &Question, chosen: &[String]) -> AnswerOutcome {
    let graded = grade(question, &Answer::Choices(chosen.to_vec()));
    let correct_choice_ids = match graded.correct_answer {
        Some(CorrectAnswer::Choices(ids)) => ids,
        _ => Vec::new(),
    };
    AnswerOutcome {
        correct: graded.correct,
        correct_choice_ids,
    }
}

/// One visitor's way through one quiz, as a right/wrong tally: which questions they answered
/// and whether they got them right. [`QuizSession`] also keeps the answers, partial credit and
/// timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizAttempt {
    results: AnswerSheet<bool>,
}

impl QuizAttempt {
    pub fn new(question_count: usize) -> Self {
        Self {
            results: AnswerSheet::new(question_count),
        }
    }

    /// Records an answer; the first answer to a question counts, later taps do not change it.
    pub fn record(&mut self, question_index: usize, correct: bool) -> bool {
        self.results.record(question_index, correct)
    }

    pub fn is_answered(&self, question_index: usize) -> bool {
        self.results.is_answered(question_index)
    }

    pub fn score(&self) -> u32 {
        let correct = self.results.answered().filter(|correct| **correct).count();
        u32::try_from(correct).unwrap_or(u32::MAX)
    }

    pub fn max_score(&self) -> u32 {
        u32::try_from(self.results.len()).unwrap_or(u32::MAX)
    }

    pub fn is_complete(&self) -> bool {
        self.results.is_complete()
    }
}

/// One slot per question, filled by the first answer only: the rule both [`QuizAttempt`] and
/// [`QuizSession`] follow, kept in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AnswerSheet<T> {
    slots: Vec<Option<T>>,
}

impl<T> AnswerSheet<T> {
    fn new(question_count: usize) -> Self {
        Self {
            slots: std::iter::repeat_with(|| None)
                .take(question_count)
                .collect(),
        }
    }

    /// Fills slot `index` unless it is already filled or does not exist; says whether it did.
    fn record(&mut self, index: usize, value: T) -> bool {
        match self.slots.get_mut(index) {
            Some(slot @ None) => {
                *slot = Some(value);
                true
            }
            _ => false,
        }
    }

    fn get(&self, index: usize) -> Option<&T> {
        self.slots.get(index).and_then(Option::as_ref)
    }

    fn is_answered(&self, index: usize) -> bool {
        self.get(index).is_some()
    }

    fn answered(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn is_complete(&self) -> bool {
        self.slots.iter().all(Option::is_some)
    }
}
