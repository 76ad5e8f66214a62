//! The kiosk's original single-choice interface, and property tests across the whole engine.

use super::*;
use crate::i18n::LocalizedText;
use crate::manifest::{Choice, Estimate, OrderItem, QuestionType};
use proptest::prelude::*;
use std::time::Duration;

fn question() -> Question {
    toml::from_str(
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
    assert_eq!(
        check_answer(&q, &["a".to_owned()]).correct_choice_ids,
        vec!["b"]
    );
}

#[test]
fn check_answer_on_other_types_is_wrong_without_choices() {
    let mut q = question();
    q.question_type = QuestionType::TrueFalse;
    q.answer = Some(true);
    let outcome = check_answer(&q, &["true".to_owned()]);
    assert!(!outcome.correct);
    assert!(outcome.correct_choice_ids.is_empty());
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
    assert!(attempt.is_answered(1) && !attempt.is_answered(7));
    assert_eq!((attempt.score(), attempt.max_score()), (2, 3));
}

#[test]
fn sample_quiz_exhibit_can_be_answered_perfectly() {
    let text = include_str!("../../../../exhibits/emergency-quiz/exhibit.toml");
    let manifest: crate::manifest::ExhibitManifest = toml::from_str(text).unwrap();
    let mut session = QuizSession::for_visitor(&manifest, None, 2024);
    assert!(!session.is_empty());
    for index in 0..session.len() {
        let right = correct_answer(session.question(index).unwrap()).unwrap();
        session.answer(index, right.to_answer(), Duration::from_secs(3));
    }
    assert!(session.is_complete());
    assert_eq!(session.points(), session.max_points());
}

// ---- Strategies -------------------------------------------------------------------------------

const TYPES: [QuestionType; 6] = [
    QuestionType::Single,
    QuestionType::Multiple,
    QuestionType::TrueFalse,
    QuestionType::ImageChoice,
    QuestionType::Ordering,
    QuestionType::Estimate,
];

fn question_type() -> impl Strategy<Value = QuestionType> {
    prop::sample::select(TYPES.to_vec())
}

/// Any text, including quotes, backslashes, newlines and non-Latin scripts, so the round trip
/// exercises TOML's escaping.
fn text() -> impl Strategy<Value = LocalizedText> {
    prop::collection::btree_map(
        "[a-z]{2}(-[A-Z]{2})?",
        "\\PC{0,12}|[\"\\\\\n\t'科普]{0,4}",
        0..3,
    )
    .prop_map(LocalizedText)
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1e6..1e6f64, (-1000i32..1000).prop_map(f64::from)]
}

fn estimate() -> impl Strategy<Value = Estimate> {
    (
        finite(),
        finite(),
        proptest::option::of(finite()),
        finite(),
        finite(),
        proptest::option::of(text()),
    )
        .prop_map(|(min, max, step, answer, tolerance, unit)| Estimate {
            min,
            max,
            step,
            answer,
            tolerance,
            unit,
        })
}

/// Short ids from a small alphabet, so that answers drawn from the same alphabet often name
/// real choices and items, and sometimes repeat or name none.
fn short_id() -> impl Strategy<Value = String> {
    "[a-e]"
}

/// Any question the manifest format can express, sensible or not.
fn any_question() -> impl Strategy<Value = Question> {
    let choice = (
        short_id(),
        text(),
        any::<bool>(),
        proptest::option::of("\\PC{0,8}"),
    )
        .prop_map(|(id, label, correct, image)| Choice {
            id,
            label,
            correct,
            image,
        });
    let item = (short_id(), text()).prop_map(|(id, label)| OrderItem { id, label });
    (
        ("\\PC{1,10}", question_type(), text(), text()),
        proptest::option::of("[a-z/]{1,10}\\.png"),
        prop::collection::vec(choice, 0..6),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        prop::collection::vec(item, 0..6),
        proptest::option::of(estimate()),
    )
        .prop_map(
            |(
                (id, question_type, prompt, explanation),
                image,
                choices,
                shuffle,
                answer,
                items,
                estimate,
            )| {
                Question {
                    id,
                    question_type,
                    prompt,
                    explanation,
                    theme: None,
                    image,
                    choices,
                    shuffle,
                    answer,
                    items,
                    estimate,
                }
            },
        )
}

/// A question the validator accepts: unique ids, the right number of correct choices, a
/// consistent slider.
fn valid_question() -> impl Strategy<Value = Question> {
    (
        question_type(),
        2..8usize,
        prop::collection::vec(any::<bool>(), 8),
        0..8usize,
        any::<bool>(),
        (-100.0..100.0f64, 0.0..50.0f64, 0.0..1.0f64, 0.0..10.0f64),
    )
        .prop_map(
            |(question_type, count, correct_mask, single, shuffle, slider)| {
                let (min, width, answer_at, tolerance) = slider;
                let single = single % count;
                let correct_at = |i: usize| match question_type {
                    QuestionType::Multiple => correct_mask[i] || i == single,
                    _ => i == single,
                };
                let mut q: Question = toml::from_str(
                    r#"
                id = "q"
                prompt = { en = "?" }
                explanation = { en = "!" }
                "#,
                )
                .unwrap();
                q.question_type = question_type;
                q.shuffle = shuffle;
                match question_type {
                    QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => {
                        q.choices = (0..count)
                            .map(|i| Choice {
                                id: format!("choice-{i}"),
                                label: LocalizedText::from_pairs(&[("en", "x")]),
                                correct: correct_at(i),
                                image: Some(format!("{i}.png")),
                            })
                            .collect();
                    }
                    QuestionType::TrueFalse => q.answer = Some(correct_mask[0]),
                    QuestionType::Ordering => {
                        q.items = (0..count)
                            .map(|i| OrderItem {
                                id: format!("item-{i}"),
                                label: LocalizedText::from_pairs(&[("en", "x")]),
                            })
                            .collect();
                    }
                    QuestionType::Estimate => {
                        q.estimate = Some(Estimate {
                            min,
                            max: min + width,
                            step: None,
                            answer: min + width * answer_at,
                            tolerance,
                            unit: None,
                        });
                    }
                }
                q
            },
        )
}

/// Any answer: every kind, ids from the same small alphabet as [`any_question`] plus the ids
/// [`valid_question`] uses, and numbers that are not finite.
fn any_answer() -> impl Strategy<Value = Answer> {
    let id = prop_oneof![short_id(), "(choice|item)-[0-8]"];
    let ids = prop::collection::vec(id, 0..9);
    prop_oneof![
        ids.clone().prop_map(Answer::Choices),
        any::<bool>().prop_map(Answer::TrueFalse),
        ids.prop_map(Answer::Order),
        prop_oneof![
            finite(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY)
        ]
        .prop_map(Answer::Estimate),
    ]
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

// ---- Properties -------------------------------------------------------------------------------

proptest! {
    #[test]
    fn credit_is_between_zero_and_one_and_full_only_when_correct(
        question in prop_oneof![any_question(), valid_question()],
        answer in any_answer(),
    ) {
        let graded = grade(&question, &answer);
        prop_assert!((0.0..=1.0).contains(&graded.credit), "credit {}", graded.credit);
        prop_assert_eq!(graded.correct, graded.credit == 1.0);
        prop_assert!(!(graded.correct && graded.malformed));
    }

    #[test]
    fn the_right_answer_earns_full_credit(question in valid_question()) {
        let right = correct_answer(&question).unwrap();
        let graded = grade(&question, &right.to_answer());
        prop_assert!(graded.correct && !graded.malformed);
        prop_assert_eq!(graded.correct_answer, Some(right));
    }

    #[test]
    fn session_score_stays_within_bounds(
        questions in prop::collection::vec(prop_oneof![any_question(), valid_question()], 0..6),
        answers in prop::collection::vec((0..8usize, any_answer()), 0..12),
        seed in any::<u64>(),
    ) {
        let mut session = QuizSession::new(questions, seed);
        for (index, answer) in answers {
            session.answer(index, answer, Duration::from_millis(1500));
        }
        let score = session.score();
        prop_assert!(score >= 0.0);
        prop_assert!(score <= f64::from(session.max_points()));
        prop_assert!(session.points() <= session.max_points());
        let full_marks = session.len() - session.missed().len();
        prop_assert!(f64::from(u32::try_from(full_marks).unwrap()) <= score);
    }

    #[test]
    fn shuffling_is_a_permutation_and_repeatable(
        question in prop_oneof![any_question(), valid_question()],
        seed in any::<u64>(),
    ) {
        let order = presentation_order(&question, seed);
        prop_assert_eq!(&order, &presentation_order(&question, seed));
        let manifest_ids: Vec<String> = match question.question_type {
            QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => {
                question.choices.iter().map(|c| c.id.clone()).collect()
            }
            QuestionType::Ordering => question.items.iter().map(|i| i.id.clone()).collect(),
            QuestionType::TrueFalse | QuestionType::Estimate => Vec::new(),
        };
        if !question.shuffle && question.question_type != QuestionType::Ordering {
            prop_assert_eq!(&order, &manifest_ids, "shuffle = false pins the manifest order");
        }
        prop_assert_eq!(sorted(order), sorted(manifest_ids));
    }

    #[test]
    fn ordering_questions_never_start_solved(question in valid_question(), seed in any::<u64>()) {
        if question.question_type == QuestionType::Ordering {
            let start = presentation_order(&question, seed);
            let graded = grade(&question, &Answer::Order(start));
            prop_assert!(!graded.correct && !graded.malformed);
        }
    }

    #[test]
    fn every_question_round_trips_through_toml(
        question in prop_oneof![any_question(), valid_question()],
    ) {
        let written = toml::to_string(&question).unwrap();
        let read: Question = toml::from_str(&written).unwrap();
        prop_assert_eq!(read, question, "{}", written);
    }
}
