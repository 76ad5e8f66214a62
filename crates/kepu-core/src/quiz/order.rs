//! The order in which a question's choices, or an ordering question's items, are shown.
//!
//! Shuffling takes a seed rather than a random generator so that the same seed always gives
//! the same order: tests are reproducible, and a logged seed replays what a visitor saw.

use crate::manifest::{Question, QuestionType};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The ids to show, in order: the choices of a choice question, the starting order of an
/// ordering question's items, nothing for true_false and estimate questions.
///
/// Choices are shuffled with `seed` unless the question says `shuffle = false` (to keep "all of
/// the above" last). An ordering question's items are written in the right order, so its
/// starting order is never that order when it has 2 or more distinct items: a shuffle that
/// lands on it is reversed, and `shuffle = false` starts from the reversed list every time.
pub fn presentation_order(question: &Question, seed: u64) -> Vec<String> {
    match question.question_type {
        QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => {
            let mut ids: Vec<String> = question.choices.iter().map(|c| c.id.clone()).collect();
            if question.shuffle {
                ids.shuffle(&mut StdRng::seed_from_u64(seed));
            }
            ids
        }
        QuestionType::Ordering => {
            let solved: Vec<String> = question.items.iter().map(|i| i.id.clone()).collect();
            let mut ids = solved.clone();
            if question.shuffle {
                ids.shuffle(&mut StdRng::seed_from_u64(seed));
            }
            if ids == solved {
                ids.reverse();
            }
            ids
        }
        QuestionType::TrueFalse | QuestionType::Estimate => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(question_type: &str, list: &str, count: usize) -> Question {
        let entries: Vec<String> = (0..count)
            .map(|i| format!(r#"{{ id = "{i}", text = {{ en = "{i}" }} }}"#))
            .collect();
        toml::from_str(&format!(
            r#"
            id = "q"
            type = "{question_type}"
            prompt = {{ en = "?" }}
            explanation = {{ en = "!" }}
            {list} = [{}]
            "#,
            entries.join(", ")
        ))
        .unwrap()
    }

    fn in_manifest_order(count: usize) -> Vec<String> {
        (0..count).map(|i| i.to_string()).collect()
    }

    #[test]
    fn choices_shuffle_by_seed_unless_pinned() {
        let mut q = question("multiple", "choices", 8);
        let orders: Vec<Vec<String>> = (0..20).map(|seed| presentation_order(&q, seed)).collect();
        assert_eq!(
            orders[3],
            presentation_order(&q, 3),
            "same seed, same order"
        );
        assert!(
            orders.iter().any(|order| *order != orders[0]),
            "twenty seeds should not all give one order of eight choices"
        );
        q.shuffle = false;
        for seed in 0..20 {
            assert_eq!(presentation_order(&q, seed), in_manifest_order(8));
        }
    }

    #[test]
    fn ordering_never_starts_solved() {
        for count in 2..6 {
            let mut q = question("ordering", "items", count);
            for seed in 0..200 {
                assert_ne!(presentation_order(&q, seed), in_manifest_order(count));
            }
            q.shuffle = false;
            let mut reversed = in_manifest_order(count);
            reversed.reverse();
            assert_eq!(presentation_order(&q, 7), reversed);
        }
        let one = question("ordering", "items", 1);
        assert_eq!(presentation_order(&one, 0), in_manifest_order(1));
    }

    #[test]
    fn true_false_and_estimate_have_nothing_to_order() {
        let q: Question = toml::from_str(
            r#"
            id = "t"
            type = "true_false"
            prompt = { en = "?" }
            explanation = { en = "!" }
            answer = false
            "#,
        )
        .unwrap();
        assert!(presentation_order(&q, 1).is_empty());
    }
}
