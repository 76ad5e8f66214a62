//! The visitor's path through a headless kiosk, driven by simulated touches.

use crate::harness::{Kiosk, answer_events, type_names};
use bevy::input::touch::TouchPhase;
use bevy::math::Vec2;
use kepu_core::wire::{EventKind, SessionEndReason};
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{QuizCommand, SessionCommand, StoryCommand};
use kepu_kiosk::visit::{Player, Screen};
use std::time::Duration;

fn open(command: &str) -> UiCommand {
    UiCommand::Session(SessionCommand::OpenExhibit(command.to_owned()))
}

#[test]
fn attract_home_quiz_then_idle_reset_leaves_the_expected_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert!(kiosk.visit().session.is_none());

    // A touch anywhere on the attract screen starts a session.
    kiosk.tap_at(Vec2::new(200.0, 900.0));
    assert_eq!(kiosk.screen(), Screen::Home);
    let session = kiosk.visit().session_id().unwrap();

    kiosk.tap(open("emergency-quiz"));
    assert_eq!(kiosk.screen(), Screen::Exhibit);
    // Answer: right, wrong, right, right (choice ids from exhibits/emergency-quiz).
    for choice in ["take-cover", "stand-run", "119", "hazardous"] {
        kiosk.tap(UiCommand::Quiz(QuizCommand::Answer(choice.to_owned())));
        assert!(
            !kiosk
                .targets()
                .iter()
                .any(|c| matches!(c, UiCommand::Quiz(QuizCommand::Answer(_)))),
            "after an answer the choices no longer react"
        );
        kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));
    }
    let Some(Player::Quiz(progress)) = kiosk.visit().open.as_ref().map(|o| o.player.clone()) else {
        panic!("the quiz should still be open");
    };
    assert!(progress.finished);
    assert_eq!(
        (progress.session.points(), progress.session.max_points()),
        (3, 4)
    );

    // Nobody touches the screen: after the idle timeout "Still there?" counts down, and when
    // it runs out the session ends and the attract screen returns.
    kiosk.wait(Duration::from_secs(59));
    assert_eq!(kiosk.screen(), Screen::Exhibit, "not idle yet");
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StillHere))
    );
    kiosk.wait(Duration::from_secs(2));
    kiosk.frames(1);
    assert_eq!(kiosk.screen(), Screen::Exhibit, "asking, not yet reset");
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StillHere))
    );
    kiosk.wait(Duration::from_secs(10));
    kiosk.frames(1);
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert!(kiosk.visit().session.is_none());

    let all = kiosk.outbox_events();
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>(), "no gaps");
    let (events, kiosk_events): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|e| e.session_id.is_some());
    assert_eq!(
        type_names(&kiosk_events),
        vec!["kiosk_heartbeat"],
        "the first heartbeat, 10 s after start, belongs to no visitor"
    );
    assert_eq!(
        type_names(&events),
        vec![
            "session_start",
            "exhibit_open",
            "quiz_answer",
            "quiz_answer",
            "quiz_answer",
            "quiz_answer",
            "quiz_complete",
            "exhibit_close",
            "session_end",
        ]
    );
    assert!(events.iter().all(|e| e.session_id == Some(session)));
    assert_eq!(
        answer_events(&events),
        vec![
            ("earthquake-indoors".to_owned(), true),
            ("fire-smoke".to_owned(), false),
            ("fire-number".to_owned(), true),
            ("battery-bin".to_owned(), true),
        ]
    );
    match &events[8].event {
        EventKind::SessionEnd {
            reason,
            duration_ms,
        } => {
            assert_eq!(*reason, SessionEndReason::IdleTimeout);
            // Ended at the last touch, not after the 61 idle seconds.
            assert!(*duration_ms < 10_000, "{duration_ms}");
        }
        other => panic!("expected session_end, got {other:?}"),
    }
    match &events[7].event {
        EventKind::ExhibitClose { exhibit_id, .. } => assert_eq!(exhibit_id, "emergency-quiz"),
        other => panic!("expected exhibit_close, got {other:?}"),
    }
}

#[test]
fn story_pages_turn_and_stay_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(open("phone-scams"));
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Story(StoryCommand::TurnPage(-1))),
        "no previous on page 1"
    );
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Story(StoryCommand::TurnPage(1))),
        "no next on the last page"
    );
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(-1)));
    let page = |kiosk: &Kiosk| match kiosk.visit().open.as_ref().map(|o| &o.player) {
        Some(Player::Story(story)) => story.page,
        other => panic!("story should be open: {other:?}"),
    };
    assert_eq!(page(&kiosk), 1);
    // Swipes: right to left turns forward, left to right back; a short or mostly vertical
    // slide does nothing, and nothing turns past the last page.
    kiosk.drag(Vec2::new(1400.0, 500.0), Vec2::new(700.0, 520.0), 6);
    assert_eq!(page(&kiosk), 2);
    kiosk.drag(Vec2::new(1400.0, 500.0), Vec2::new(700.0, 520.0), 6);
    assert_eq!(page(&kiosk), 2, "already on the last page");
    kiosk.drag(Vec2::new(700.0, 500.0), Vec2::new(760.0, 500.0), 6);
    kiosk.drag(Vec2::new(900.0, 300.0), Vec2::new(960.0, 700.0), 6);
    assert_eq!(page(&kiosk), 2, "a short or vertical slide is not a swipe");
    kiosk.drag(Vec2::new(700.0, 500.0), Vec2::new(1400.0, 480.0), 6);
    assert_eq!(page(&kiosk), 1);
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    assert_eq!(kiosk.screen(), Screen::Home);
    let pages: Vec<u32> = kiosk
        .outbox_events()
        .iter()
        .filter_map(|e| match e.event {
            EventKind::StoryPageView { page, .. } => Some(page),
            _ => None,
        })
        .collect();
    assert_eq!(pages, vec![1, 2, 3, 2, 3, 2]);
}

#[test]
fn language_switch_changes_language_and_keeps_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert_eq!(kiosk.visit().language, "zh");
    kiosk.tap(open("phone-scams"));
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage(
        "en".to_owned(),
    )));
    assert_eq!(kiosk.visit().language, "en");
    assert_eq!(kiosk.screen(), Screen::Exhibit);
    assert!(matches!(
        kiosk.visit().open.as_ref().map(|o| &o.player),
        Some(Player::Story(story)) if story.page == 1
    ));
    // The switch now offers Chinese, not English.
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::SetLanguage(
                "zh".to_owned()
            )))
    );
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::SetLanguage(
                "en".to_owned()
            )))
    );
}

#[test]
fn start_over_ends_the_session_and_the_next_visitor_starts_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let first = kiosk.visit().session_id().unwrap();
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage(
        "en".to_owned(),
    )));
    kiosk.tap(open("emergency-quiz"));
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert_eq!(kiosk.visit(), &kepu_kiosk::visit::Visit::default());

    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let second = kiosk.visit().session_id().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        kiosk.visit().language,
        "zh",
        "the language resets for the next visitor"
    );
    assert!(kiosk.visit().open.is_none());
    let ends: Vec<_> = kiosk
        .outbox_events()
        .into_iter()
        .filter_map(|e| match e.event {
            EventKind::SessionEnd { reason, .. } => Some((e.session_id, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(ends, vec![(Some(first), SessionEndReason::StartOver)]);
}

#[test]
fn touches_keep_the_session_alive() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 30);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    for _ in 0..4 {
        kiosk.wait(Duration::from_secs(20));
        // A touch on empty space is still activity.
        kiosk.touch(99, TouchPhase::Started, Vec2::new(5.0, 1070.0));
        kiosk.frames(1);
        kiosk.touch(99, TouchPhase::Ended, Vec2::new(5.0, 1070.0));
        kiosk.frames(1);
    }
    assert_eq!(
        kiosk.screen(),
        Screen::Home,
        "80 s of use with touches every 20 s"
    );
    kiosk.wait(Duration::from_secs(31));
    kiosk.wait(Duration::from_secs(10));
    kiosk.frames(1);
    assert_eq!(kiosk.screen(), Screen::Attract);
}

#[test]
fn every_target_is_big_enough_to_touch() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    // 15 mm on the configured screen (the sample kiosk.toml's 24-inch 1080p: 54 px), and the
    // theme's 64-point floor.
    let screen = &kiosk.config.screen;
    let fifteen_mm = kepu_kiosk::ui::theme::fifteen_mm_in_pixels(
        screen.width_px,
        screen.height_px,
        screen.diagonal_inches,
    );
    let least = fifteen_mm.max(64.0);
    let check = |kiosk: &Kiosk| {
        let frame = kiosk.app.world().resource::<kepu_kiosk::ui::LastUiFrame>();
        assert!(!frame.targets.is_empty());
        for target in frame.targets.iter().filter(|t| !t.clipped) {
            let size = target.rect.size();
            assert!(
                size.x >= least && size.y >= least,
                "{:?} is only {size:?}",
                target.command
            );
        }
    };
    check(&kiosk);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    check(&kiosk);
    kiosk.tap(open("phone-scams"));
    check(&kiosk);
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    kiosk.tap(open("emergency-quiz"));
    check(&kiosk);
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer(
        "take-cover".to_owned(),
    )));
    check(&kiosk);
}

#[test]
fn a_denser_screen_gets_larger_targets_in_pixels() {
    let dir = tempfile::tempdir().unwrap();
    // A 15.6-inch 1080p screen: 15 mm is 83 pixels, more than the 64-point default.
    let config = crate::harness::config_with(
        dir.path(),
        &crate::harness::repo_path("exhibits"),
        "http://127.0.0.1:9",
        60,
        "[screen]\nwidth_px = 1920\nheight_px = 1080\ndiagonal_inches = 15.6",
    );
    let mut kiosk = Kiosk::with_config(config);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(open("everyday-science-quiz"));
    let frame = kiosk.app.world().resource::<kepu_kiosk::ui::LastUiFrame>();
    let smallest = frame
        .targets
        .iter()
        .filter(|t| !t.clipped)
        .map(|t| t.rect.width().min(t.rect.height()))
        .fold(f32::INFINITY, f32::min);
    assert!(smallest >= 83.0, "smallest target {smallest} px");
}

#[test]
fn an_empty_exhibits_folder_gives_a_friendly_home_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("no-exhibits-yet");
    std::fs::create_dir_all(&empty).unwrap();
    let config = crate::harness::config_for(dir.path(), &empty, "http://127.0.0.1:9", 60);
    let engagement = kepu_kiosk::engagement::Engagement::open(&config).unwrap();
    let mut kiosk = Kiosk::new(config, engagement);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert_eq!(kiosk.screen(), Screen::Home);
    // Only the top bar's buttons: no cards, and the kiosk keeps running.
    assert!(
        kiosk.targets().iter().all(|c| matches!(
            c,
            UiCommand::Session(SessionCommand::SetLanguage(_))
                | UiCommand::Session(SessionCommand::StartOver)
                | UiCommand::Session(SessionCommand::ToggleLargeText)
                | UiCommand::Session(SessionCommand::ToggleHighContrast)
                | UiCommand::Session(SessionCommand::ToggleSeated)
        )),
        "{:?}",
        kiosk.targets()
    );
    kiosk.frames(10);
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));
    assert_eq!(kiosk.screen(), Screen::Attract);
}

#[test]
fn still_there_is_dismissed_by_a_touch_that_presses_nothing_underneath() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(open("emergency-quiz"));
    let choice = kiosk.target_center(&UiCommand::Quiz(QuizCommand::Answer("take-cover".into())));

    kiosk.wait(Duration::from_secs(65));
    kiosk.frames(1);
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StillHere))
    );
    // The visitor touches the overlay right where a choice button lies underneath.
    kiosk.tap_at(choice);
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StillHere)),
        "dismissed"
    );
    assert_eq!(
        kiosk.screen(),
        Screen::Exhibit,
        "the visitor stays where they were"
    );
    let answered = match kiosk.visit().open.as_ref().map(|o| &o.player) {
        Some(Player::Quiz(progress)) => progress.is_answered(),
        other => panic!("quiz should be open: {other:?}"),
    };
    assert!(
        !answered,
        "the dismissing touch did not answer the question"
    );

    // The countdown starts again only after another full idle timeout.
    kiosk.wait(Duration::from_secs(59));
    kiosk.frames(1);
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StillHere))
    );
    assert!(
        !type_names(&kiosk.outbox_events()).contains(&"session_end"),
        "no session ended"
    );
}
