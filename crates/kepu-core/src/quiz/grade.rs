//! Grading one answer to one question, for every question type.
//!
//! Grading never fails: an answer of the wrong kind, an unknown id or a question the validator
//! would have rejected all grade as wrong with no credit (and `malformed` set), so a stale tap
//! or a bad manifest can cost a point but never crash the kiosk.

use crate::manifest::{Estimate, Question, QuestionType};
use std::collections::BTreeSet;

/// What the visitor answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// single, multiple, image_choice: the ids of the picked choices (order does not matter).
    Choices(Vec<String>),
    /// true_false: whether the visitor said the statement is true.
    TrueFalse(bool),
    /// ordering: the item ids in the order the visitor left them, first to last.
    Order(Vec<String>),
    /// estimate: where the visitor left the slider.
    Estimate(f64),
}

/// The right answer, for the UI to show next to the explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum CorrectAnswer {
    /// The right choices' ids, in manifest order.
    Choices(Vec<String>),
    TrueFalse(bool),
    /// The item ids in the right order.
    Order(Vec<String>),
    /// The right number and how far from it still counts as right.
    Estimate {
        value: f64,
        tolerance: f64,
    },
}

impl CorrectAnswer {
    /// The answer a visitor gives to get it right: for a "show me" button, and for tests.
    pub fn to_answer(&self) -> Answer {
        match self {
            Self::Choices(ids) => Answer::Choices(ids.clone()),
            Self::TrueFalse(value) => Answer::TrueFalse(*value),
            Self::Order(ids) => Answer::Order(ids.clone()),
            Self::Estimate { value, .. } => Answer::Estimate(*value),
        }
    }
}

/// How near an estimate came, from nearest to farthest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Closeness {
    /// Spot on (up to floating-point noise from the slider's steps).
    Exact,
    /// Within the question's tolerance: counts as right.
    WithinTolerance,
    /// Wrong, but within 3× the tolerance or 10% of the slider's range, whichever is wider.
    Close,
    Far,
}

/// Which way a wrong estimate missed, for "a bit lower" / "much higher" hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aim {
    TooLow,
    /// Within the tolerance; the sign of `difference` still says which side it fell on.
    OnTarget,
    TooHigh,
}

/// Feedback on an estimate beyond right or wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateFeedback {
    pub closeness: Closeness,
    pub aim: Aim,
    /// The visitor's answer minus the right one: positive when too high.
    pub difference: f64,
}

/// What one answer earned.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    /// Fully right. Partial credit alone is not "correct".
    pub correct: bool,
    /// In [0, 1]; 1 exactly when `correct`. See docs/manifest.md for the partial-credit rules.
    pub credit: f64,
    /// What was right, whatever the visitor answered; `None` only for a question that has no
    /// right answer (the validator rejects those).
    pub correct_answer: Option<CorrectAnswer>,
    /// estimate questions answered with a finite number: how close it came.
    pub estimate: Option<EstimateFeedback>,
    /// The answer did not fit the question (another kind of answer, an unknown id, an order
    /// that is not a rearrangement of the items, a number that is not finite) or the question
    /// has no right answer. Graded wrong; worth logging, since the UI should never send one.
    pub malformed: bool,
}

impl Grade {
    fn wrong(correct_answer: Option<CorrectAnswer>, malformed: bool) -> Self {
        Self {
            correct: false,
            credit: 0.0,
            correct_answer,
            estimate: None,
            malformed,
        }
    }

    fn with_credit(correct_answer: CorrectAnswer, correct: bool, credit: f64) -> Self {
        Self {
            correct,
            // Clamped so that no rounding in a rule can push a score past its maximum.
            credit: if correct { 1.0 } else { credit.clamp(0.0, 1.0) },
            correct_answer: Some(correct_answer),
            estimate: None,
            malformed: false,
        }
    }
}

/// A slider value this close to the answer is "exact": stepping a slider by 0.1 from 0 never
/// lands on 0.3 exactly, and the visitor should not be told they were off by 4e-17.
const EXACT_RELATIVE_EPSILON: f64 = 1e-9;
/// A wrong estimate within this many tolerances of the answer is "close".
const CLOSE_TOLERANCES: f64 = 3.0;
/// ...or within this fraction of the slider's range, so a zero-tolerance question can be close.
const CLOSE_RANGE_FRACTION: f64 = 0.1;

/// The right answer to `question`, or `None` when it has none (no correct choice, no items, a
/// true_false question without `answer`, an estimate question without `[questions.estimate]`).
pub fn correct_answer(question: &Question) -> Option<CorrectAnswer> {
    match question.question_type {
        QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => {
            let ids: Vec<String> = question
                .choices
                .iter()
                .filter(|choice| choice.correct)
                .map(|choice| choice.id.clone())
                .collect();
            (!ids.is_empty()).then_some(CorrectAnswer::Choices(ids))
        }
        QuestionType::TrueFalse => question.answer.map(CorrectAnswer::TrueFalse),
        QuestionType::Ordering => {
            let ids: Vec<String> = question.items.iter().map(|item| item.id.clone()).collect();
            (!ids.is_empty()).then_some(CorrectAnswer::Order(ids))
        }
        QuestionType::Estimate => {
            question
                .estimate
                .as_ref()
                .map(|estimate| CorrectAnswer::Estimate {
                    value: estimate.answer,
                    tolerance: estimate.tolerance,
                })
        }
    }
}

/// Grades `answer` to `question`.
pub fn grade(question: &Question, answer: &Answer) -> Grade {
    let Some(expected) = correct_answer(question) else {
        return Grade::wrong(None, true);
    };
    match (question.question_type, answer) {
        (QuestionType::Single | QuestionType::ImageChoice, Answer::Choices(chosen)) => {
            grade_choices(question, chosen, expected, ChoiceRule::AllOrNothing)
        }
        (QuestionType::Multiple, Answer::Choices(chosen)) => {
            grade_choices(question, chosen, expected, ChoiceRule::PartialCredit)
        }
        (QuestionType::TrueFalse, Answer::TrueFalse(said_true)) => {
            let correct = question.answer == Some(*said_true);
            Grade::with_credit(expected, correct, 0.0)
        }
        (QuestionType::Ordering, Answer::Order(order)) => grade_order(question, order, expected),
        (QuestionType::Estimate, Answer::Estimate(value)) => match &question.estimate {
            Some(estimate) if value.is_finite() => grade_estimate(estimate, *value, expected),
            _ => Grade::wrong(Some(expected), true),
        },
        _ => Grade::wrong(Some(expected), true),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChoiceRule {
    AllOrNothing,
    PartialCredit,
}

/// Multiple choice: credit = max(0, (right picks − wrong picks) / number of right choices), so
/// ticking every box earns nothing unless nearly every choice is right. Picking the same
/// choice twice counts once (a double tap is one pick).
fn grade_choices(
    question: &Question,
    chosen: &[String],
    expected: CorrectAnswer,
    rule: ChoiceRule,
) -> Grade {
    let chosen: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    let known = chosen
        .iter()
        .all(|id| question.choices.iter().any(|choice| choice.id == *id));
    if !known {
        return Grade::wrong(Some(expected), true);
    }
    let right: BTreeSet<&str> = question
        .choices
        .iter()
        .filter(|choice| choice.correct)
        .map(|choice| choice.id.as_str())
        .collect();
    let correct = chosen == right;
    let credit = match rule {
        ChoiceRule::AllOrNothing => 0.0,
        ChoiceRule::PartialCredit => {
            let right_picks = chosen.intersection(&right).count();
            let wrong_picks = chosen.len() - right_picks;
            (count_as_f64(right_picks) - count_as_f64(wrong_picks)) / count_as_f64(right.len())
        }
    };
    Grade::with_credit(expected, correct, credit)
}

/// Ordering: right only in exactly the right order. Partial credit = (L − 1) / (n − 1), where
/// L is the longest run of items (not necessarily next to each other) already in the right
/// order relative to each other: moving one item to the wrong place costs one step, and a
/// reversed list earns nothing (any single item is trivially "in order", hence the − 1).
fn grade_order(question: &Question, order: &[String], expected: CorrectAnswer) -> Grade {
    let Some(positions) = right_positions(question, order) else {
        return Grade::wrong(Some(expected), true);
    };
    let item_count = positions.len();
    let correct = positions.iter().enumerate().all(|(at, right)| at == *right);
    let credit = if item_count < 2 {
        if correct { 1.0 } else { 0.0 }
    } else {
        let in_order = longest_increasing_run(&positions);
        count_as_f64(in_order - 1) / count_as_f64(item_count - 1)
    };
    Grade::with_credit(expected, correct, credit)
}

/// Where each id of `order` belongs, or `None` unless `order` names every item exactly once.
fn right_positions(question: &Question, order: &[String]) -> Option<Vec<usize>> {
    if order.len() != question.items.len() {
        return None;
    }
    let mut seen = vec![false; question.items.len()];
    order
        .iter()
        .map(|id| {
            let position = question.items.iter().position(|item| item.id == *id)?;
            let first_time = !std::mem::replace(seen.get_mut(position)?, true);
            first_time.then_some(position)
        })
        .collect()
}

/// Length of the longest strictly increasing subsequence (patience sorting, O(n log n)).
fn longest_increasing_run(values: &[usize]) -> usize {
    // smallest_tail[k]: the smallest last value of an increasing run of length k + 1 so far.
    let mut smallest_tail: Vec<usize> = Vec::with_capacity(values.len());
    for &value in values {
        let at = smallest_tail.partition_point(|tail| *tail < value);
        if at == smallest_tail.len() {
            smallest_tail.push(value);
        } else {
            smallest_tail[at] = value;
        }
    }
    smallest_tail.len()
}

/// Estimate: right when |answer − value| <= tolerance; no partial credit (the closeness
/// feedback tells the visitor how near they came instead).
fn grade_estimate(estimate: &Estimate, value: f64, expected: CorrectAnswer) -> Grade {
    let difference = value - estimate.answer;
    let distance = difference.abs();
    // A negative tolerance is a validation error; treating it as 0 keeps grading sensible.
    let tolerance = estimate.tolerance.max(0.0);
    let exact_within = EXACT_RELATIVE_EPSILON * estimate.answer.abs().max(1.0);
    let close_within = (CLOSE_TOLERANCES * tolerance)
        .max(CLOSE_RANGE_FRACTION * (estimate.max - estimate.min).abs());
    let closeness = if distance <= exact_within {
        Closeness::Exact
    } else if distance <= tolerance {
        Closeness::WithinTolerance
    } else if distance <= close_within {
        Closeness::Close
    } else {
        Closeness::Far
    };
    let correct = closeness <= Closeness::WithinTolerance;
    let aim = if correct {
        Aim::OnTarget
    } else if difference > 0.0 {
        Aim::TooHigh
    } else {
        Aim::TooLow
    };
    Grade {
        estimate: Some(EstimateFeedback {
            closeness,
            aim,
            difference,
        }),
        ..Grade::with_credit(expected, correct, 0.0)
    }
}

/// Counts here are a handful of choices or items, far below where f64 loses precision.
fn count_as_f64(count: usize) -> f64 {
    count as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(toml_text: &str) -> Question {
        toml::from_str(toml_text).unwrap()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| (*id).to_owned()).collect()
    }

    fn single() -> Question {
        question(
            r#"
            id = "q"
            prompt = { en = "?" }
            explanation = { en = "because" }
            choices = [
                { id = "a", label = { en = "a" } },
                { id = "b", label = { en = "b" }, correct = true },
                { id = "c", label = { en = "c" } },
            ]
            "#,
        )
    }

    fn multiple() -> Question {
        question(
            r#"
            id = "m"
            type = "multiple"
            prompt = { en = "Which are mammals?" }
            explanation = { en = "Whales and bats feed their young milk." }
            choices = [
                { id = "whale", label = { en = "whale" }, correct = true },
                { id = "bat", label = { en = "bat" }, correct = true },
                { id = "shark", label = { en = "shark" } },
                { id = "frog", label = { en = "frog" } },
            ]
            "#,
        )
    }

    fn ordering() -> Question {
        question(
            r#"
            id = "o"
            type = "ordering"
            prompt = { en = "Order" }
            explanation = { en = "because" }
            items = [
                { id = "a", text = { en = "a" } },
                { id = "b", text = { en = "b" } },
                { id = "c", text = { en = "c" } },
                { id = "d", text = { en = "d" } },
                { id = "e", text = { en = "e" } },
            ]
            "#,
        )
    }

    fn estimate() -> Question {
        question(
            r#"
            id = "e"
            type = "estimate"
            prompt = { en = "Litres?" }
            explanation = { en = "About 3." }
            estimate = { min = 0, max = 10, step = 0.5, answer = 3, tolerance = 0.5 }
            "#,
        )
    }

    #[test]
    fn single_choice_right_wrong_and_malformed() {
        let q = single();
        let right = grade(&q, &Answer::Choices(ids(&["b"])));
        assert!(right.correct && !right.malformed);
        assert_eq!(right.credit, 1.0);
        assert_eq!(
            right.correct_answer,
            Some(CorrectAnswer::Choices(ids(&["b"])))
        );
        assert_eq!(grade(&q, &Answer::Choices(ids(&["b", "b"]))).credit, 1.0);

        let wrong = grade(&q, &Answer::Choices(ids(&["a"])));
        assert!(!wrong.correct && !wrong.malformed);
        assert_eq!(wrong.credit, 0.0);
        assert_eq!(
            wrong.correct_answer,
            Some(CorrectAnswer::Choices(ids(&["b"]))),
            "the right choice is shown whatever was picked"
        );
        let two = grade(&q, &Answer::Choices(ids(&["a", "b"])));
        assert_eq!((two.correct, two.credit), (false, 0.0), "no partial credit");
        assert!(!grade(&q, &Answer::Choices(Vec::new())).correct);

        for malformed in [
            Answer::Choices(ids(&["zzz"])),
            Answer::Choices(ids(&["b", "zzz"])),
            Answer::TrueFalse(true),
            Answer::Order(ids(&["b"])),
            Answer::Estimate(1.0),
        ] {
            let graded = grade(&q, &malformed);
            assert!(
                !graded.correct && graded.malformed && graded.credit == 0.0,
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn image_choice_grades_like_single() {
        let mut q = single();
        q.question_type = QuestionType::ImageChoice;
        assert!(grade(&q, &Answer::Choices(ids(&["b"]))).correct);
        assert_eq!(grade(&q, &Answer::Choices(ids(&["a", "b"]))).credit, 0.0);
        assert!(grade(&q, &Answer::Choices(ids(&["x"]))).malformed);
    }

    #[test]
    fn multiple_choice_partial_credit() {
        let q = multiple();
        let credit = |picked: &[&str]| {
            let graded = grade(&q, &Answer::Choices(ids(picked)));
            (graded.correct, graded.credit)
        };
        assert_eq!(credit(&["bat", "whale"]), (true, 1.0));
        assert_eq!(credit(&["whale"]), (false, 0.5));
        assert_eq!(credit(&["whale", "bat", "shark"]), (false, 0.5));
        assert_eq!(credit(&["whale", "shark"]), (false, 0.0));
        assert_eq!(
            credit(&["whale", "bat", "shark", "frog"]),
            (false, 0.0),
            "ticking every box earns nothing"
        );
        assert_eq!(credit(&["shark", "frog"]), (false, 0.0), "never below zero");
        assert_eq!(credit(&[]), (false, 0.0));
        assert_eq!(
            credit(&["whale", "whale"]),
            (false, 0.5),
            "a double tap is one pick"
        );
        let unknown = grade(&q, &Answer::Choices(ids(&["whale", "bat", "dog"])));
        assert!(unknown.malformed && unknown.credit == 0.0);
        assert_eq!(
            unknown.correct_answer,
            Some(CorrectAnswer::Choices(ids(&["whale", "bat"])))
        );
    }

    #[test]
    fn true_false_right_wrong_and_malformed() {
        let q = question(
            r#"
            id = "t"
            type = "true_false"
            prompt = { en = "Smoke rises." }
            explanation = { en = "Hot air rises." }
            answer = true
            "#,
        );
        let right = grade(&q, &Answer::TrueFalse(true));
        assert!(right.correct && right.credit == 1.0);
        assert_eq!(right.correct_answer, Some(CorrectAnswer::TrueFalse(true)));
        let wrong = grade(&q, &Answer::TrueFalse(false));
        assert!(!wrong.correct && wrong.credit == 0.0 && !wrong.malformed);
        assert!(grade(&q, &Answer::Choices(ids(&["true"]))).malformed);

        let mut no_answer = q.clone();
        no_answer.answer = None;
        let graded = grade(&no_answer, &Answer::TrueFalse(true));
        assert!(!graded.correct && graded.malformed && graded.correct_answer.is_none());
    }

    #[test]
    fn ordering_exact_partial_and_malformed() {
        let q = ordering();
        let order = |list: &[&str]| {
            let graded = grade(&q, &Answer::Order(ids(list)));
            (graded.correct, graded.credit, graded.malformed)
        };
        assert_eq!(order(&["a", "b", "c", "d", "e"]), (true, 1.0, false));
        assert_eq!(
            order(&["e", "a", "b", "c", "d"]),
            (false, 0.75, false),
            "one item moved costs one step of four"
        );
        assert_eq!(order(&["b", "a", "c", "d", "e"]), (false, 0.75, false));
        assert_eq!(order(&["e", "d", "c", "b", "a"]), (false, 0.0, false));
        assert_eq!(order(&["b", "a", "d", "c", "e"]), (false, 0.5, false));
        // Not a rearrangement of the items: too short, a repeat, an unknown id.
        assert_eq!(order(&["a", "b", "c", "d"]), (false, 0.0, true));
        assert_eq!(order(&["a", "a", "c", "d", "e"]), (false, 0.0, true));
        assert_eq!(order(&["a", "b", "c", "d", "z"]), (false, 0.0, true));
        assert_eq!(order(&["a", "b", "c", "d", "e", "e"]), (false, 0.0, true));
        assert_eq!(
            grade(&q, &Answer::Order(Vec::new())).correct_answer,
            Some(CorrectAnswer::Order(ids(&["a", "b", "c", "d", "e"])))
        );
        assert!(grade(&q, &Answer::Choices(ids(&["a"]))).malformed);
    }

    #[test]
    fn estimate_tolerance_and_closeness() {
        let q = estimate();
        let feedback = |value: f64| {
            let graded = grade(&q, &Answer::Estimate(value));
            let feedback = graded.estimate.unwrap();
            (graded.correct, feedback.closeness, feedback.aim)
        };
        assert_eq!(feedback(3.0), (true, Closeness::Exact, Aim::OnTarget));
        // 0.1 * 30 is 3.0000000000000004: still exact.
        assert_eq!(
            feedback(0.1 * 30.0),
            (true, Closeness::Exact, Aim::OnTarget)
        );
        assert_eq!(
            feedback(3.5),
            (true, Closeness::WithinTolerance, Aim::OnTarget),
            "the tolerance is inclusive"
        );
        assert_eq!(
            feedback(2.6),
            (true, Closeness::WithinTolerance, Aim::OnTarget)
        );
        // Close: within max(3 × 0.5, 10% of 10) = 1.5.
        assert_eq!(feedback(4.5), (false, Closeness::Close, Aim::TooHigh));
        assert_eq!(feedback(1.5), (false, Closeness::Close, Aim::TooLow));
        assert_eq!(feedback(4.6), (false, Closeness::Far, Aim::TooHigh));
        assert_eq!(feedback(0.0), (false, Closeness::Far, Aim::TooLow));

        let graded = grade(&q, &Answer::Estimate(5.0));
        assert_eq!(graded.credit, 0.0, "estimates earn no partial credit");
        assert_eq!(graded.estimate.unwrap().difference, 2.0);
        assert_eq!(
            graded.correct_answer,
            Some(CorrectAnswer::Estimate {
                value: 3.0,
                tolerance: 0.5
            })
        );
    }

    #[test]
    fn estimate_close_uses_range_when_tolerance_is_zero() {
        let mut q = estimate();
        if let Some(e) = q.estimate.as_mut() {
            e.tolerance = 0.0;
        }
        let closeness = |value: f64| {
            grade(&q, &Answer::Estimate(value))
                .estimate
                .unwrap()
                .closeness
        };
        assert_eq!(closeness(3.0), Closeness::Exact);
        assert_eq!(closeness(3.5), Closeness::Close);
        assert_eq!(closeness(4.0), Closeness::Close);
        assert_eq!(closeness(4.5), Closeness::Far);
    }

    #[test]
    fn estimate_malformed_answers() {
        let q = estimate();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let graded = grade(&q, &Answer::Estimate(bad));
            assert!(!graded.correct && graded.malformed && graded.estimate.is_none());
        }
        assert!(grade(&q, &Answer::Choices(ids(&["3"]))).malformed);
        let mut no_slider = q.clone();
        no_slider.estimate = None;
        assert!(grade(&no_slider, &Answer::Estimate(3.0)).malformed);
    }

    #[test]
    fn question_without_a_right_answer_is_never_right() {
        let mut q = single();
        for choice in &mut q.choices {
            choice.correct = false;
        }
        let graded = grade(&q, &Answer::Choices(Vec::new()));
        assert!(!graded.correct && graded.malformed && graded.correct_answer.is_none());

        let mut empty = ordering();
        empty.items.clear();
        assert!(!grade(&empty, &Answer::Order(Vec::new())).correct);
    }

    #[test]
    fn longest_increasing_run_lengths() {
        assert_eq!(longest_increasing_run(&[]), 0);
        assert_eq!(longest_increasing_run(&[0]), 1);
        assert_eq!(longest_increasing_run(&[0, 1, 2, 3]), 4);
        assert_eq!(longest_increasing_run(&[3, 2, 1, 0]), 1);
        assert_eq!(longest_increasing_run(&[2, 0, 3, 1, 4]), 3);
    }
}
