//! Every quiz question type answered by simulated touches on a headless kiosk: taps, ticks,
//! drag-to-order and the estimate slider; audience pools; time limit; results and "try again".

use crate::harness::{Kiosk, answer_events, config_with, copy_dir, repo_path};
use bevy::math::Vec2;
use kepu_core::manifest::{Audience, QuestionType};
use kepu_core::wire::EventKind;
use kepu_kiosk::play::quiz::{Draft, QuizProgress};
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{QuizCommand, SessionCommand};
use kepu_kiosk::visit::Player;
use std::time::Duration;

const QUIZ: &str = "everyday-science-quiz";

fn progress(kiosk: &Kiosk) -> QuizProgress {
    match kiosk.visit().open.as_ref().map(|o| &o.player) {
        Some(Player::Quiz(progress)) => progress.clone(),
        other => panic!("the quiz should be open: {other:?}"),
    }
}

fn current_type(kiosk: &Kiosk) -> QuestionType {
    let progress = progress(kiosk);
    progress
        .session
        .question(progress.current)
        .unwrap()
        .question_type
}

fn order(kiosk: &Kiosk) -> Vec<String> {
    match progress(kiosk).draft {
        Draft::Order(order) => order,
        other => panic!("an ordering question should be on screen: {other:?}"),
    }
}

fn row(kiosk: &Kiosk, index: usize) -> Vec2 {
    kiosk.target_center(&UiCommand::Quiz(QuizCommand::MoveItem {
        from: index,
        to: index,
    }))
}

/// Drags items until they are in the right order, one drag per misplaced item.
fn drag_into_order(kiosk: &mut Kiosk, solved: &[&str]) {
    for place in 0..solved.len() {
        let current = order(kiosk);
        let from = current.iter().position(|id| id == solved[place]).unwrap();
        if from == place {
            continue;
        }
        let (start, end) = (row(kiosk, from), row(kiosk, place));
        kiosk.drag(start, end, 6);
        let after = order(kiosk);
        assert_eq!(
            after[place], solved[place],
            "dragged {from} to {place}: {after:?}"
        );
    }
}

#[test]
fn every_question_type_answered_by_touch() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(QUIZ.into())));
    assert_eq!(
        progress(&kiosk).session.len(),
        6,
        "no audience: every question"
    );

    // 1. Multiple choice: tick three, untick a wrong one, check.
    assert_eq!(current_type(&kiosk), QuestionType::Multiple);
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Quiz(QuizCommand::SubmitAnswer)),
        "nothing ticked yet: nothing to check"
    );
    for id in [
        "wash-hands",
        "antibiotics",
        "vaccine",
        "ventilate",
        "antibiotics",
    ] {
        kiosk.tap(UiCommand::Quiz(QuizCommand::ToggleChoice(id.into())));
    }
    kiosk.tap(UiCommand::Quiz(QuizCommand::SubmitAnswer));
    let grade = progress(&kiosk).session.answered(0).unwrap().grade.clone();
    assert!(grade.correct, "{grade:?}");
    assert!(
        !kiosk
            .targets()
            .iter()
            .any(|c| matches!(c, UiCommand::Quiz(QuizCommand::ToggleChoice(_)))),
        "answered: the choices no longer react"
    );
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // 2. True or false.
    assert_eq!(current_type(&kiosk), QuestionType::TrueFalse);
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("false".into())));
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // 3. Image choice: the red bin.
    assert_eq!(current_type(&kiosk), QuestionType::ImageChoice);
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("red".into())));
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // 4. Ordering, by dragging rows; one arrow tap first, to check the arrows too.
    assert_eq!(current_type(&kiosk), QuestionType::Ordering);
    let before = order(&kiosk);
    assert_ne!(
        before,
        vec!["mercury", "venus", "earth", "mars"],
        "never starts solved"
    );
    kiosk.tap(UiCommand::Quiz(QuizCommand::MoveItem { from: 1, to: 0 }));
    let after = order(&kiosk);
    assert_eq!(
        (after[0].as_str(), after[1].as_str()),
        (before[1].as_str(), before[0].as_str())
    );
    drag_into_order(&mut kiosk, &["mercury", "venus", "earth", "mars"]);
    kiosk.tap(UiCommand::Quiz(QuizCommand::SubmitAnswer));
    assert!(progress(&kiosk).session.answered(3).unwrap().grade.correct);
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // 5. Estimate: slide to about 150 minutes (0–400, steps of 10), then one step up and down.
    assert_eq!(current_type(&kiosk), QuestionType::Estimate);
    assert_eq!(
        progress(&kiosk).draft,
        Draft::Estimate(200.0),
        "starts mid-range"
    );
    let slider = {
        let frame = kiosk.target_rects();
        frame
            .into_iter()
            .find(|(c, r)| {
                matches!(c, UiCommand::Quiz(QuizCommand::SetEstimate(_))) && r.width() > 150.0
            })
            .unwrap()
            .1
    };
    let y = slider.center().y;
    let x = |value: f32| slider.left() + slider.width() * value / 400.0;
    kiosk.drag(Vec2::new(x(300.0), y), Vec2::new(x(150.0), y), 8);
    assert_eq!(progress(&kiosk).draft, Draft::Estimate(150.0));
    kiosk.tap(UiCommand::Quiz(QuizCommand::SetEstimate(160.0)));
    kiosk.tap(UiCommand::Quiz(QuizCommand::SetEstimate(150.0)));
    kiosk.tap(UiCommand::Quiz(QuizCommand::SubmitAnswer));
    let answered = progress(&kiosk).session.answered(4).unwrap().clone();
    assert!(answered.grade.correct);
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // 6. Single choice, answered wrong.
    assert_eq!(current_type(&kiosk), QuestionType::Single);
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("t38-5".into())));
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));

    // Results: 5 of 6, the missed question offered for another look, "try again" and home.
    let done = progress(&kiosk);
    assert!(done.finished);
    assert_eq!((done.session.points(), done.session.max_points()), (5, 6));
    let missed: Vec<String> = done
        .session
        .missed()
        .iter()
        .map(|m| m.question.id.clone())
        .collect();
    assert_eq!(missed, vec!["body-temperature"]);
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Quiz(QuizCommand::TryAgain))
    );
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::GoHome))
    );

    let events = kiosk.outbox_events();
    assert_eq!(
        answer_events(&events),
        vec![
            ("flu-prevention".to_owned(), true),
            ("antibiotics".to_owned(), true),
            ("bin-hazardous".to_owned(), true),
            ("planets-order".to_owned(), true),
            ("exercise-minutes".to_owned(), true),
            ("body-temperature".to_owned(), false),
        ]
    );
    let details: Vec<(Vec<String>, Option<f64>)> = events
        .iter()
        .filter_map(|e| match &e.event {
            EventKind::QuizAnswer {
                choice_ids, value, ..
            } => Some((choice_ids.clone(), *value)),
            _ => None,
        })
        .collect();
    assert_eq!(details[0].0, vec!["wash-hands", "vaccine", "ventilate"]);
    assert_eq!(details[1].0, vec!["false"]);
    assert_eq!(details[3].0, vec!["mercury", "venus", "earth", "mars"]);
    assert_eq!(details[4], (Vec::new(), Some(150.0)));
    assert!(events.iter().any(|e| matches!(
        e.event,
        EventKind::QuizComplete {
            score: 5,
            max_score: 6,
            ..
        }
    )));
    assert!(
        events.iter().all(|e| match e.event {
            EventKind::QuizAnswer { answer_ms, .. } => answer_ms > 0,
            _ => true,
        }),
        "time to answer is recorded"
    );

    kiosk.tap(UiCommand::Quiz(QuizCommand::TryAgain));
    let again = progress(&kiosk);
    assert!(!again.finished);
    assert_eq!(again.current, 0);
    assert_eq!(again.session.answered_count(), 0);
}

#[test]
fn the_i_am_a_choice_picks_the_question_pool() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Child,
    ))));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(QUIZ.into())));
    let ids: Vec<String> = progress(&kiosk)
        .session
        .questions()
        .iter()
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(
        ids,
        vec![
            "bin-hazardous",
            "planets-order",
            "antibiotics",
            "flu-prevention"
        ]
    );
}

#[test]
fn a_time_limit_ends_the_quiz_and_scores_what_was_answered() {
    let dir = tempfile::tempdir().unwrap();
    let exhibits = dir.path().join("exhibits");
    copy_dir(&repo_path("exhibits"), &exhibits);
    let manifest = exhibits.join(QUIZ).join("exhibit.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("topics = [", "time_limit_secs = 30\ntopics = [");
    std::fs::write(&manifest, text).unwrap();
    let config = config_with(dir.path(), &exhibits, "http://127.0.0.1:9", 600, "");
    let mut kiosk = Kiosk::with_config(config);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(QUIZ.into())));
    kiosk.tap(UiCommand::Quiz(QuizCommand::ToggleChoice("vaccine".into())));
    kiosk.tap(UiCommand::Quiz(QuizCommand::SubmitAnswer));
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));
    assert!(!progress(&kiosk).finished);
    kiosk.wait(Duration::from_secs(31));
    kiosk.frames(2);
    let done = progress(&kiosk);
    assert!(done.finished && done.session.has_expired());
    // One of three right choices ticked: a third of a point, rounded down to 0 points.
    assert_eq!((done.session.points(), done.session.max_points()), (0, 6));
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Quiz(QuizCommand::TryAgain))
    );
    let completes = kiosk
        .outbox_events()
        .iter()
        .filter(|e| matches!(e.event, EventKind::QuizComplete { .. }))
        .count();
    assert_eq!(completes, 1);
}

/// The rectangles of the choice tiles on screen (one-tap answers and ticks).
fn tiles(kiosk: &Kiosk) -> Vec<bevy_egui::egui::Rect> {
    kiosk
        .target_rects()
        .into_iter()
        .filter(|(c, _)| {
            matches!(
                c,
                UiCommand::Quiz(QuizCommand::Answer(_) | QuizCommand::ToggleChoice(_))
            )
        })
        .map(|(_, r)| r)
        .collect()
}

/// How many columns the tiles stand in (distinct left edges).
fn columns(tiles: &[bevy_egui::egui::Rect]) -> usize {
    let mut lefts: Vec<i32> = tiles.iter().map(|r| r.left().round() as i32).collect();
    lefts.sort_unstable();
    lefts.dedup();
    lefts.len()
}

/// Where the button for a quiz command was drawn in the last frame.
fn rect_of(kiosk: &Kiosk, command: QuizCommand) -> bevy_egui::egui::Rect {
    let command = UiCommand::Quiz(command);
    kiosk
        .target_rects()
        .into_iter()
        .find(|(c, _)| *c == command)
        .unwrap_or_else(|| panic!("no {command:?} on screen"))
        .1
}

fn min_target(kiosk: &Kiosk) -> f32 {
    kiosk
        .app
        .world()
        .resource::<kepu_kiosk::ui::ActiveTheme>()
        .0
        .min_target
}

#[test]
fn four_choices_are_big_tiles_two_by_two_that_stop_reacting_once_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(QUIZ.into())));
    // The first question: multiple choice with four choices.
    let tiles_before = tiles(&kiosk);
    assert_eq!(tiles_before.len(), 4);
    assert_eq!(columns(&tiles_before), 2, "2 × 2: {tiles_before:?}");
    let least = min_target(&kiosk);
    for tile in &tiles_before {
        assert!(
            tile.height() >= least * 1.5 && tile.width() >= 700.0,
            "a big tile: {tile:?}"
        );
    }
    // Together they fill the width of the screen.
    let span = tiles_before.iter().map(|r| r.right()).fold(0.0, f32::max)
        - tiles_before
            .iter()
            .map(|r| r.left())
            .fold(f32::MAX, f32::min);
    assert!(span > 1600.0, "{span}");

    kiosk.tap(UiCommand::Quiz(QuizCommand::ToggleChoice("vaccine".into())));
    assert_eq!(
        progress(&kiosk).draft,
        Draft::Ticks(vec!["vaccine".into()]),
        "a tap on a tile ticks it"
    );
    let check = rect_of(&kiosk, QuizCommand::SubmitAnswer);
    assert!(
        check.width() >= 400.0 && check.height() >= least * 1.2,
        "{check:?}"
    );
    kiosk.tap(UiCommand::Quiz(QuizCommand::SubmitAnswer));
    assert!(progress(&kiosk).is_answered());
    assert!(tiles(&kiosk).is_empty(), "answered: no tile reacts");
    let next = rect_of(&kiosk, QuizCommand::NextQuestion);
    assert!(
        next.width() >= 400.0 && next.height() >= least * 1.2,
        "a prominent next button: {next:?}"
    );
    kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));
    // True or false: two tiles side by side.
    let pair = tiles(&kiosk);
    assert_eq!((pair.len(), columns(&pair)), (2, 2), "{pair:?}");
}

/// In large text the emergency quiz's first question (three long choices under a two-line
/// question) does not fit two columns on a 1080-line screen: its tiles stand three in a row,
/// each whole on screen and still a big target.
#[test]
fn in_large_text_every_choice_stays_in_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 600);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage("en".into())));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "emergency-quiz".into(),
    )));
    let whole: Vec<_> = kiosk
        .app
        .world()
        .resource::<kepu_kiosk::ui::LastUiFrame>()
        .targets
        .iter()
        .filter(|t| matches!(t.command, UiCommand::Quiz(QuizCommand::Answer(_))) && !t.clipped)
        .map(|t| t.rect)
        .collect();
    assert_eq!(whole.len(), 3, "every choice whole on screen: {whole:?}");
    assert_eq!(columns(&whole), 3, "{whole:?}");
    let least = min_target(&kiosk);
    assert!(
        whole
            .iter()
            .all(|r| r.height() >= least && r.width() >= 500.0)
    );
}
