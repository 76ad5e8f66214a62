//! Quiz answering and scoring, independent of how the quiz is drawn.

use crate::manifest::Question;

/// What the visitor learns right after answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerOutcome {
    pub correct: bool,
    /// The choices that were right, to highlight them whatever the visitor picked.
    pub correct_choice_ids: Vec<String>,
}

/// Checks an answer to a single-choice question: right when exactly the correct choice was
/// picked. Unknown choice ids count as wrong rather than failing, so a stale tap never panics.
pub fn check_answer(question: &Question, chosen: &[String]) -> AnswerOutcome {
    let correct_choice_ids: Vec<String> = question
        .choices
        .iter()
        .filter(|c| c.correct)
        .map(|c| c.id.clone())
        .collect();
    let mut chosen_sorted: Vec<&String> = chosen.iter().collect();
    chosen_sorted.sort();
    chosen_sorted.dedup();
    let mut expected: Vec<&String> = correct_choice_ids.iter().collect();
    expected.sort();
    AnswerOutcome {
        correct: !expected.is_empty() && chosen_sorted == expected,
        correct_choice_ids,
    }
}

/// One visitor's way through one quiz: which questions they answered and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizAttempt {
    results: Vec<Option<bool>>,
}

impl QuizAttempt {
    pub fn new(question_count: usize) -> Self {
        Self {
            results: vec![None; question_count],
        }
    }

    /// Records an answer; the first answer to a question counts, later taps do not change it.
    pub fn record(&mut self, question_index: usize, correct: bool) -> bool {
        match self.results.get_mut(question_index) {
            Some(slot @ None) => {
                *slot = Some(correct);
                true
            }
            _ => false,
        }
    }

    pub fn is_answered(&self, question_index: usize) -> bool {
        matches!(self.results.get(question_index), Some(Some(_)))
    }

    pub fn score(&self) -> u32 {
        let correct = self.results.iter().filter(|r| **r == Some(true)).count();
        u32::try_from(correct).unwrap_or(u32::MAX)
    }

    pub fn max_score(&self) -> u32 {
        u32::try_from(self.results.len()).unwrap_or(u32::MAX)
    }

    pub fn is_complete(&self) -> bool {
        self.results.iter().all(Option::is_some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question() -> Question {
        toml::from_str(
            r#"
            id = "q"
            prompt = { en = "?" }
            explanation = { en = "because" }
            choices = [
                { id = "a", text = { en = "a" } },
                { id = "b", text = { en = "b" }, correct = true },
                { id = "c", text = { en = "c" } },
            ]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn right_wrong_and_unknown_answers() {
        let q = question();
        let right = check_answer(&q, &["b".to_owned()]);
        assert!(right.correct);
        assert_eq!(right.correct_choice_ids, vec!["b"]);
        assert!(!check_answer(&q, &["a".to_owned()]).correct);
        assert!(!check_answer(&q, &["zzz".to_owned()]).correct);
        assert!(!check_answer(&q, &[]).correct);
        assert!(!check_answer(&q, &["a".to_owned(), "b".to_owned()]).correct);
    }

    #[test]
    fn score_counts_first_answers_only() {
        let mut attempt = QuizAttempt::new(3);
        assert!(attempt.record(0, true));
        assert!(
            !attempt.record(0, false),
            "a second tap must not change the answer"
        );
        assert!(attempt.record(1, false));
        assert!(!attempt.is_complete());
        assert!(attempt.record(2, true));
        assert!(!attempt.record(7, true), "out-of-range index is ignored");
        assert!(attempt.is_complete());
        assert_eq!((attempt.score(), attempt.max_score()), (2, 3));
    }
}
