//! One visitor's quiz: which questions they get, in which order the choices appear, what they
//! answered, how long each answer took, and the score.
//!
//! The engine never reads a clock or a random source itself: the caller passes seeds and
//! elapsed durations, so every behaviour here can be replayed in a test.

use super::AnswerSheet;
use super::grade::{Answer, Grade, grade};
use super::order::presentation_order;
use crate::manifest::{Audience, ExhibitManifest, Question};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// The questions for one session, in pool order: the audience's pool when the manifest has
/// one, else every question (for visitors who did not say who they are, and for audiences
/// without a pool).
///
/// Pool entries that name no question, and repeats, are skipped; a pool that names no question
/// at all falls back to every question, so a manifest error never leaves a visitor with an
/// empty quiz (the validator reports such pools).
pub fn questions_for(manifest: &ExhibitManifest, audience: Option<Audience>) -> Vec<&Question> {
    let pool = audience.and_then(|audience| manifest.pools.get(&audience));
    let mut chosen: Vec<&Question> = Vec::new();
    for id in pool.into_iter().flatten() {
        let question = manifest.questions.iter().find(|q| q.id == *id);
        if let Some(question) = question
            && !chosen.iter().any(|q| q.id == question.id)
        {
            chosen.push(question);
        }
    }
    if chosen.is_empty() {
        manifest.questions.iter().collect()
    } else {
        chosen
    }
}

/// How long is left of an optional time limit: `None` without a limit, zero once it ran out.
pub fn time_left(limit_secs: Option<u32>, elapsed: Duration) -> Option<Duration> {
    limit_secs.map(|secs| Duration::from_secs(u64::from(secs)).saturating_sub(elapsed))
}

/// Whether an optional time limit has run out; never without a limit.
pub fn is_expired(limit_secs: Option<u32>, elapsed: Duration) -> bool {
    time_left(limit_secs, elapsed) == Some(Duration::ZERO)
}

/// One recorded answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsweredQuestion {
    pub answer: Answer,
    pub grade: Grade,
    /// From the question appearing to the answer, as the caller measured it; for the logs.
    pub time_taken: Duration,
}

/// A question the visitor did not fully get right, for the results screen; its explanation is
/// `question.explanation`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MissedQuestion<'a> {
    /// Position in the session's questions.
    pub index: usize,
    pub question: &'a Question,
    /// `None` when the visitor never answered (the time ran out).
    pub answered: Option<&'a AnsweredQuestion>,
}

/// One visitor's attempt at a quiz.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizSession {
    questions: Vec<Question>,
    /// Per question: the ids in the order shown (see [`presentation_order`]).
    presented: Vec<Vec<String>>,
    sheet: AnswerSheet<AnsweredQuestion>,
    seed: u64,
    time_limit_secs: Option<u32>,
    expired: bool,
}

impl QuizSession {
    /// A session over `questions`, in that order, with choices and items shuffled by `seed`.
    /// No time limit until [`Self::with_time_limit`].
    pub fn new(questions: Vec<Question>, seed: u64) -> Self {
        let presented = presentation_orders(&questions, seed);
        let sheet = AnswerSheet::new(questions.len());
        Self {
            questions,
            presented,
            sheet,
            seed,
            time_limit_secs: None,
            expired: false,
        }
    }

    /// A session for a visitor of `audience` (see [`questions_for`]) with the manifest's time
    /// limit.
    pub fn for_visitor(manifest: &ExhibitManifest, audience: Option<Audience>, seed: u64) -> Self {
        let questions = questions_for(manifest, audience)
            .into_iter()
            .cloned()
            .collect();
        Self::new(questions, seed).with_time_limit(manifest.time_limit_secs)
    }

    pub fn with_time_limit(mut self, limit_secs: Option<u32>) -> Self {
        self.time_limit_secs = limit_secs;
        self
    }

    /// The seed of the current order, for logs that replay what the visitor saw.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn question(&self, index: usize) -> Option<&Question> {
        self.questions.get(index)
    }

    /// The choice ids, or an ordering question's item ids, in the order to show them; empty for
    /// true_false and estimate questions.
    pub fn presented_order(&self, index: usize) -> Option<&[String]> {
        self.presented.get(index).map(Vec::as_slice)
    }

    /// Grades and records the visitor's answer to question `index`, which took `time_taken`.
    /// Only the first answer counts: returns `None`, changing nothing, when the question was
    /// already answered, does not exist, or the time limit ran out.
    pub fn answer(&mut self, index: usize, answer: Answer, time_taken: Duration) -> Option<&Grade> {
        if self.expired || self.sheet.is_answered(index) {
            return None;
        }
        let question = self.questions.get(index)?;
        let grade = grade(question, &answer);
        let recorded = self.sheet.record(
            index,
            AnsweredQuestion {
                answer,
                grade,
                time_taken,
            },
        );
        recorded
            .then(|| self.sheet.get(index))
            .flatten()
            .map(|answered| &answered.grade)
    }

    pub fn answered(&self, index: usize) -> Option<&AnsweredQuestion> {
        self.sheet.get(index)
    }

    pub fn is_answered(&self, index: usize) -> bool {
        self.sheet.is_answered(index)
    }

    pub fn answered_count(&self) -> usize {
        self.sheet.answered().count()
    }

    /// Every question answered, or the time ran out.
    pub fn is_complete(&self) -> bool {
        self.expired || self.sheet.is_complete()
    }

    /// The sum of the credit earned, in [0, `max_points`]; unanswered questions earn 0.
    pub fn score(&self) -> f64 {
        self.sheet.answered().map(|a| a.grade.credit).sum()
    }

    /// [`Self::score`] rounded to the nearest whole point (halves up), for the wire's integer
    /// score. Never above [`Self::max_points`], since every credit is at most 1.
    pub fn points(&self) -> u32 {
        // The float-to-int `as` saturates, and the score is in [0, question count].
        self.score().round() as u32
    }

    /// One point per question.
    pub fn max_points(&self) -> u32 {
        u32::try_from(self.questions.len()).unwrap_or(u32::MAX)
    }

    /// The questions not fully right (wrong, partly right, or unanswered), in quiz order.
    pub fn missed(&self) -> Vec<MissedQuestion<'_>> {
        self.questions
            .iter()
            .enumerate()
            .map(|(index, question)| MissedQuestion {
                index,
                question,
                answered: self.sheet.get(index),
            })
            .filter(|missed| missed.answered.is_none_or(|a| !a.grade.correct))
            .collect()
    }

    /// Starts over with the same questions: choices reshuffled by the new `seed` (pass a fresh
    /// one, e.g. `rand::random()`), every answer cleared, the time limit running again.
    pub fn try_again(&mut self, seed: u64) {
        self.presented = presentation_orders(&self.questions, seed);
        self.sheet = AnswerSheet::new(self.questions.len());
        self.seed = seed;
        self.expired = false;
    }

    pub fn time_limit_secs(&self) -> Option<u32> {
        self.time_limit_secs
    }

    /// Time left after `elapsed` since the quiz began; `None` without a time limit.
    pub fn time_left(&self, elapsed: Duration) -> Option<Duration> {
        time_left(self.time_limit_secs, elapsed)
    }

    /// Ends the quiz when its time limit has run out after `elapsed`: unanswered questions
    /// keep 0 points and later answers are ignored. Returns whether the quiz has expired.
    pub fn expire_if_over(&mut self, elapsed: Duration) -> bool {
        if is_expired(self.time_limit_secs, elapsed) {
            self.expired = true;
        }
        self.expired
    }

    pub fn has_expired(&self) -> bool {
        self.expired
    }
}

/// Each question gets its own seed drawn from the session's, so one question's order does not
/// depend on how many random numbers the questions before it needed.
fn presentation_orders(questions: &[Question], seed: u64) -> Vec<Vec<String>> {
    let mut seeds = StdRng::seed_from_u64(seed);
    questions
        .iter()
        .map(|question| presentation_order(question, seeds.random()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::grade::CorrectAnswer;

    fn manifest() -> ExhibitManifest {
        toml::from_str(
            r#"
            id = "science-quiz"
            kind = "quiz"
            title = { en = "Science" }

            [pools]
            child = ["smoke", "order", "smoke", "no-such-question"]
            senior = ["no-such-question"]

            [[questions]]
            id = "number"
            prompt = { en = "Fire number?" }
            explanation = { en = "119 is the fire service." }
            choices = [
                { id = "110", label = { en = "110" } },
                { id = "119", label = { en = "119" }, correct = true },
                { id = "120", label = { en = "120" } },
            ]

            [[questions]]
            id = "order"
            type = "ordering"
            prompt = { en = "After an earthquake?" }
            explanation = { en = "Cover, leave, report." }
            items = [
                { id = "cover", label = { en = "Take cover" } },
                { id = "leave", label = { en = "Leave" } },
                { id = "report", label = { en = "Report" } },
            ]

            [[questions]]
            id = "smoke"
            type = "true_false"
            prompt = { en = "Smoke rises." }
            explanation = { en = "Stay low." }
            answer = true

            [[questions]]
            id = "water"
            type = "estimate"
            prompt = { en = "Litres per day?" }
            explanation = { en = "About 3." }
            estimate = { min = 0, max = 10, answer = 3, tolerance = 1 }
            "#,
        )
        .unwrap()
    }

    fn ids(session: &QuizSession) -> Vec<&str> {
        session.questions().iter().map(|q| q.id.as_str()).collect()
    }

    fn right_answer(session: &QuizSession, index: usize) -> Answer {
        crate::quiz::correct_answer(session.question(index).unwrap())
            .unwrap()
            .to_answer()
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn pools_pick_questions_by_audience() {
        let m = manifest();
        let all = ["number", "order", "smoke", "water"];
        assert_eq!(ids(&QuizSession::for_visitor(&m, None, 0)), all);
        assert_eq!(
            ids(&QuizSession::for_visitor(&m, Some(Audience::Child), 0)),
            ["smoke", "order"],
            "pool order, repeats and unknown ids skipped"
        );
        assert_eq!(
            ids(&QuizSession::for_visitor(&m, Some(Audience::Adult), 0)),
            all,
            "an audience without a pool gets every question"
        );
        assert_eq!(
            ids(&QuizSession::for_visitor(&m, Some(Audience::Senior), 0)),
            all,
            "a pool naming no question falls back to every question"
        );
    }

    #[test]
    fn perfect_run_scores_the_maximum() {
        let mut session = QuizSession::new(manifest().questions, 42);
        for index in 0..session.len() {
            let grade = session.answer(index, right_answer(&session, index), SECOND);
            assert!(grade.unwrap().correct, "question {index}");
        }
        assert!(session.is_complete());
        assert_eq!((session.points(), session.max_points()), (4, 4));
        assert_eq!(session.score(), 4.0);
        assert!(session.missed().is_empty());
    }

    #[test]
    fn first_answer_counts_and_partial_credit_rounds() {
        let mut session = QuizSession::new(manifest().questions, 1);
        let wrong = session.answer(0, Answer::Choices(vec!["110".into()]), SECOND);
        assert!(!wrong.unwrap().correct);
        assert!(
            session
                .answer(0, right_answer(&session, 0), SECOND)
                .is_none(),
            "a second answer is ignored"
        );
        assert!(!session.answered(0).unwrap().grade.correct);
        assert!(
            session
                .answer(99, Answer::TrueFalse(true), SECOND)
                .is_none()
        );

        // Ordering with one item misplaced: (2 − 1) / (3 − 1) = 0.5.
        let half = session.answer(
            1,
            Answer::Order(vec!["leave".into(), "cover".into(), "report".into()]),
            SECOND,
        );
        assert_eq!(half.unwrap().credit, 0.5);
        session.answer(2, Answer::TrueFalse(true), SECOND);
        assert_eq!(session.score(), 1.5);
        assert_eq!(session.points(), 2, "1.5 rounds up");
        assert!(!session.is_complete());
        assert_eq!(session.answered_count(), 3);

        let missed: Vec<(usize, bool)> = session
            .missed()
            .iter()
            .map(|m| (m.index, m.answered.is_some()))
            .collect();
        assert_eq!(missed, [(0, true), (1, true), (3, false)]);
        assert_eq!(
            session.missed()[0].question.explanation.get("en", &[]),
            "119 is the fire service."
        );
    }

    #[test]
    fn time_taken_is_recorded_per_question() {
        let mut session = QuizSession::new(manifest().questions, 1);
        session.answer(2, Answer::TrueFalse(false), Duration::from_millis(4_250));
        assert_eq!(
            session.answered(2).unwrap().time_taken,
            Duration::from_millis(4_250)
        );
        assert_eq!(
            session.answered(2).unwrap().answer,
            Answer::TrueFalse(false)
        );
    }

    #[test]
    fn try_again_reshuffles_and_clears() {
        let questions: Vec<Question> = (0..6)
            .map(|_| {
                let mut q = manifest().questions.remove(0);
                q.choices.extend((0..5).map(|i| crate::manifest::Choice {
                    id: format!("extra-{i}"),
                    label: crate::i18n::LocalizedText::from_pairs(&[("en", "x")]),
                    correct: false,
                    image: None,
                }));
                q
            })
            .collect();
        let mut session = QuizSession::new(questions, 5).with_time_limit(Some(60));
        let first_orders: Vec<Vec<String>> = (0..session.len())
            .map(|i| session.presented_order(i).unwrap().to_vec())
            .collect();
        session.answer(0, right_answer(&session, 0), SECOND);
        assert!(session.expire_if_over(Duration::from_secs(61)));

        session.try_again(6);
        assert_eq!(session.seed(), 6);
        assert_eq!(session.answered_count(), 0);
        assert!(!session.has_expired() && !session.is_complete());
        assert_eq!(session.score(), 0.0);
        let new_orders: Vec<Vec<String>> = (0..session.len())
            .map(|i| session.presented_order(i).unwrap().to_vec())
            .collect();
        assert_ne!(
            first_orders, new_orders,
            "six shuffles of eight choices all equal"
        );
        assert!(
            session
                .answer(0, right_answer(&session, 0), SECOND)
                .is_some()
        );

        session.try_again(5);
        let replayed: Vec<Vec<String>> = (0..session.len())
            .map(|i| session.presented_order(i).unwrap().to_vec())
            .collect();
        assert_eq!(
            first_orders, replayed,
            "the same seed replays the same order"
        );
    }

    #[test]
    fn presented_orders_follow_question_types() {
        let session = QuizSession::new(manifest().questions, 9);
        let mut choices = session.presented_order(0).unwrap().to_vec();
        choices.sort();
        assert_eq!(choices, ["110", "119", "120"]);
        assert_ne!(
            session.presented_order(1).unwrap(),
            ["cover", "leave", "report"],
            "an ordering question never starts solved"
        );
        assert!(session.presented_order(2).unwrap().is_empty());
        assert!(session.presented_order(4).is_none());
    }

    #[test]
    fn time_limit_is_off_by_default_and_expires() {
        assert_eq!(time_left(None, Duration::from_secs(10_000)), None);
        assert!(!is_expired(None, Duration::from_secs(10_000)));
        assert_eq!(
            time_left(Some(90), Duration::from_secs(30)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            time_left(Some(90), Duration::from_secs(100)),
            Some(Duration::ZERO)
        );
        assert!(!is_expired(Some(90), Duration::from_millis(89_999)));
        assert!(is_expired(Some(90), Duration::from_secs(90)));

        let mut untimed = QuizSession::for_visitor(&manifest(), None, 0);
        assert!(!untimed.expire_if_over(Duration::from_secs(100_000)));

        let mut m = manifest();
        m.time_limit_secs = Some(60);
        let mut session = QuizSession::for_visitor(&m, None, 0);
        assert_eq!(session.time_limit_secs(), Some(60));
        assert_eq!(
            session.time_left(Duration::from_secs(45)),
            Some(Duration::from_secs(15))
        );
        session.answer(2, Answer::TrueFalse(true), SECOND);
        assert!(!session.expire_if_over(Duration::from_secs(59)));
        assert!(session.expire_if_over(Duration::from_secs(60)));
        assert!(session.is_complete(), "expired counts as complete");
        assert!(
            session
                .answer(0, right_answer(&session, 0), SECOND)
                .is_none(),
            "answers after the time ran out are ignored"
        );
        assert_eq!((session.points(), session.max_points()), (1, 4));
        assert_eq!(session.missed().len(), 3);
        assert!(matches!(
            crate::quiz::correct_answer(session.missed()[0].question),
            Some(CorrectAnswer::Choices(_))
        ));
    }

    #[test]
    fn empty_session_is_complete_with_zero_points() {
        let session = QuizSession::new(Vec::new(), 0);
        assert!(session.is_empty() && session.is_complete());
        assert_eq!((session.points(), session.max_points()), (0, 0));
    }
}
