//! Per-visitor settings (accessibility modes, "I am a...", filters) and touch robustness, on a
//! headless kiosk driven by simulated touches.

use crate::harness::Kiosk;
use bevy::input::touch::TouchPhase;
use bevy::math::Vec2;
use kepu_core::manifest::Audience;
use kepu_core::wire::AccessibilityModes;
use kepu_kiosk::ui::theme::{SEATED_REACH_TOP, Theme};
use kepu_kiosk::ui::{ActiveTheme, UiCommand};
use kepu_kiosk::ui::{QuizCommand, SessionCommand, StoryCommand};
use kepu_kiosk::visit::{Player, Screen, home_cards};
use std::time::Duration;

fn open(id: &str) -> UiCommand {
    UiCommand::Session(SessionCommand::OpenExhibit(id.to_owned()))
}

fn theme(kiosk: &Kiosk) -> Theme {
    kiosk.app.world().resource::<ActiveTheme>().0.clone()
}

#[test]
fn accessibility_modes_switch_the_theme_and_reset_with_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let normal_body = theme(&kiosk).body_size;

    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    assert!(kiosk.visit().modes.large_text);
    assert!(theme(&kiosk).body_size >= normal_body * 1.5);
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleHighContrast));
    assert_eq!(
        theme(&kiosk),
        Theme::for_modes(AccessibilityModes {
            large_text: true,
            high_contrast: true,
            seated: false
        })
    );
    // Every control still fits on the screen with large text.
    for (command, rect) in kiosk.target_rects() {
        assert!(
            rect.max.x <= 1920.5 && rect.max.y <= 1080.5 && rect.min.x >= 0.0,
            "{command:?} at {rect:?} is off the screen"
        );
    }
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    assert!(!kiosk.visit().modes.large_text, "a second tap turns it off");
    assert_eq!(theme(&kiosk).body_size, normal_body);
}

#[test]
fn idle_reset_clears_every_per_session_setting() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 30);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let first = kiosk.visit().session_id().unwrap();
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage("en".into())));
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Senior,
    ))));
    kiosk.tap(UiCommand::Session(SessionCommand::FilterTopic(Some(
        "safety".into(),
    ))));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleHighContrast));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleSeated));
    kiosk.tap(open("phone-scams"));
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    let visit = kiosk.visit().clone();
    assert_eq!(visit.language, "en");
    assert_eq!(visit.audience, Some(Audience::Senior));
    assert_eq!(visit.topic.as_deref(), Some("safety"));
    assert_eq!(
        visit.modes,
        AccessibilityModes {
            large_text: true,
            high_contrast: true,
            seated: true
        }
    );
    assert!(visit.open.is_some());

    // The visitor walks away.
    kiosk.wait(Duration::from_secs(31));
    kiosk.wait(Duration::from_secs(11));
    kiosk.frames(2);
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert_eq!(
        theme(&kiosk),
        Theme::default(),
        "the attract screen is back to normal"
    );

    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let next = kiosk.visit().clone();
    assert_ne!(next.session_id(), Some(first));
    assert_eq!(next.language, "zh");
    assert_eq!(next.audience, None);
    assert_eq!(next.topic, None);
    assert_eq!(next.modes, AccessibilityModes::default());
    assert!(next.open.is_none());
    assert_eq!(kiosk.screen(), Screen::Home);
}

#[test]
fn the_kiosk_defaults_from_kiosk_toml_start_every_session() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::config_with(
        dir.path(),
        &crate::harness::repo_path("exhibits"),
        "http://127.0.0.1:9",
        60,
        "[accessibility]\nlarge_text = true\nhigh_contrast = true\n",
    );
    let mut kiosk = Kiosk::with_config(config);
    let defaults = AccessibilityModes {
        large_text: true,
        high_contrast: true,
        seated: false,
    };
    assert_eq!(theme(&kiosk), Theme::for_modes(defaults), "attract too");
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert_eq!(kiosk.visit().modes, defaults);
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleHighContrast));
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert_eq!(
        kiosk.visit().modes,
        defaults,
        "back to the kiosk's defaults"
    );
}

#[test]
fn seated_mode_keeps_every_control_in_the_lower_part_of_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleSeated));
    let reach_top = 1080.0 * SEATED_REACH_TOP;
    let check = |kiosk: &Kiosk, screen: &str| {
        let targets = kiosk.target_rects();
        assert!(!targets.is_empty());
        for (command, rect) in targets {
            assert!(
                rect.min.y >= reach_top - 0.5,
                "{screen}: {command:?} at y = {} is above the reach line {reach_top}",
                rect.min.y
            );
            assert!(rect.max.y <= 1080.5, "{screen}: {command:?} off the screen");
        }
    };
    check(&kiosk, "home");
    kiosk.tap(open("phone-scams"));
    check(&kiosk, "story");
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    kiosk.tap(open("emergency-quiz"));
    check(&kiosk, "quiz question");
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("take-cover".into())));
    check(&kiosk, "quiz answer");
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    check(&kiosk, "quiz answer, large text");

    // Without seated mode the navigation is at the top again.
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleSeated));
    let home = kiosk.target_center(&UiCommand::Session(SessionCommand::GoHome));
    assert!(home.y < 200.0, "home button at {home:?}");
}

#[test]
fn i_am_a_and_topic_filter_the_cards() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    // The cards the home screen lists, and a check that every card drawn is one of them.
    let cards = |kiosk: &Kiosk| {
        let content = kiosk.app.world().resource::<kepu_kiosk::content::Content>();
        let listed: Vec<String> = home_cards(&content.catalog, kiosk.visit())
            .iter()
            .map(|e| e.id().to_owned())
            .collect();
        let drawn: Vec<String> = kiosk
            .targets()
            .into_iter()
            .filter_map(|c| match c {
                UiCommand::Session(SessionCommand::OpenExhibit(id)) => Some(id),
                _ => None,
            })
            .collect();
        assert!(!drawn.is_empty(), "some cards are on screen");
        assert!(
            drawn.iter().all(|id| listed.contains(id)),
            "{drawn:?} vs {listed:?}"
        );
        let mut listed = listed;
        listed.sort();
        listed
    };
    let everything = cards(&kiosk);
    let samples = kepu_core::manifest::load_catalog(
        &crate::harness::repo_path("exhibits"),
        &kepu_core::manifest::ValidationRules::default(),
    );
    assert_eq!(everything.len(), samples.exhibits.len());
    // Children: exhibits for children, youth or families (and none for seniors only).
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Child,
    ))));
    let for_children = cards(&kiosk);
    assert!(for_children.contains(&"waste-sorting".to_owned()));
    assert!(for_children.contains(&"everyday-science-quiz".to_owned()));
    assert!(
        !for_children.contains(&"phone-scams".to_owned()),
        "{for_children:?}"
    );
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Senior,
    ))));
    assert!(cards(&kiosk).contains(&"phone-scams".to_owned()));
    kiosk.tap(UiCommand::Session(SessionCommand::FilterTopic(Some(
        "safety".into(),
    ))));
    assert_eq!(cards(&kiosk), vec!["home-hazards", "phone-scams"]);
    kiosk.tap(UiCommand::Session(SessionCommand::FilterTopic(None)));
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(None)));
    assert_eq!(cards(&kiosk), everything);
    // Topics present in the exhibits are offered, with names in the visitor's language.
    for topic in ["digital-life", "emergency", "safety", "health", "space"] {
        assert!(
            kiosk
                .targets()
                .contains(&UiCommand::Session(SessionCommand::FilterTopic(Some(
                    topic.into()
                ))))
        );
    }
}

#[test]
fn two_hands_at_once_never_jam_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline_with(dir.path(), &["emergency-quiz", "phone-scams"]);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let quiz = kiosk.target_center(&open("emergency-quiz"));
    let story = kiosk.target_center(&open("phone-scams"));

    // Two fingers land on two cards in the same frame and lift in the opposite order.
    let (a, b) = (kiosk.next_finger(), kiosk.next_finger());
    kiosk.touch(a, TouchPhase::Started, quiz);
    kiosk.touch(b, TouchPhase::Started, story);
    kiosk.frames(1);
    kiosk.touch(b, TouchPhase::Moved, story + Vec2::new(5.0, 5.0));
    kiosk.touch(b, TouchPhase::Ended, story);
    kiosk.frames(1);
    kiosk.touch(a, TouchPhase::Ended, quiz);
    kiosk.frames(4);
    // At most one of them opened (the first finger drives the pointer), never both.
    let opened = kiosk.visit().open.as_ref().map(|o| o.exhibit_id.clone());
    assert!(
        matches!(opened.as_deref(), None | Some("emergency-quiz")),
        "{opened:?}"
    );

    // A finger that never lifts (cancelled by the system) does not block the next visitor tap.
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    let c = kiosk.next_finger();
    kiosk.touch(c, TouchPhase::Started, Vec2::new(1500.0, 900.0));
    kiosk.frames(1);
    kiosk.touch(c, TouchPhase::Canceled, Vec2::new(1500.0, 900.0));
    kiosk.frames(1);
    kiosk.tap(open("phone-scams"));
    assert_eq!(kiosk.screen(), Screen::Exhibit);
    assert!(
        matches!(
            kiosk.visit().open.as_ref().map(|o| &o.player),
            Some(Player::Story(story)) if story.page == 0
        ),
        "{:?}",
        kiosk.visit().open
    );

    // A palm: five fingers at once, all over the screen, then gone. Nothing breaks.
    let fingers: Vec<u64> = (0..5).map(|_| kiosk.next_finger()).collect();
    for (i, finger) in fingers.iter().enumerate() {
        kiosk.touch(
            *finger,
            TouchPhase::Started,
            Vec2::new(300.0 + 40.0 * i as f32, 700.0),
        );
    }
    kiosk.frames(2);
    for finger in &fingers {
        kiosk.touch(*finger, TouchPhase::Ended, Vec2::new(300.0, 700.0));
    }
    kiosk.frames(3);
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    assert!(matches!(
        kiosk.visit().open.as_ref().map(|o| &o.player),
        Some(Player::Story(story)) if story.page == 1
    ));
}

/// Lifts every finger, one frame apart in the given order.
fn lift(kiosk: &mut Kiosk, fingers: &[(u64, Vec2)]) {
    for (finger, at) in fingers {
        kiosk.touch(*finger, TouchPhase::Ended, *at);
        kiosk.frames(1);
    }
}

#[test]
fn a_palm_reported_as_ordinary_touches_presses_nothing_and_two_hands_still_tap() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline_with(dir.path(), &["emergency-quiz", "phone-scams"]);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let story = kiosk.target_center(&open("phone-scams"));
    let quiz = kiosk.target_center(&open("emergency-quiz"));

    // The heel of a hand lands on a card, the rest of the palm a frame later; the driver
    // cancels none of the contacts. Whichever lifts last, nothing opens.
    for first_contact_lifts_last in [true, false] {
        let mut palm: Vec<(u64, Vec2)> = (0..4)
            .map(|i| {
                (
                    kiosk.next_finger(),
                    story + Vec2::new(25.0 * i as f32, 15.0),
                )
            })
            .collect();
        kiosk.touch(palm[0].0, TouchPhase::Started, palm[0].1);
        kiosk.frames(1);
        for (finger, at) in &palm[1..] {
            kiosk.touch(*finger, TouchPhase::Started, *at);
        }
        kiosk.frames(2);
        if first_contact_lifts_last {
            palm.rotate_left(1);
        }
        lift(&mut kiosk, &palm);
        kiosk.frames(2);
        assert_eq!(kiosk.screen(), Screen::Home, "the palm opened an exhibit");
        assert!(kiosk.visit().open.is_none());
    }

    // The very next tap counts.
    kiosk.tap(open("phone-scams"));
    assert_eq!(kiosk.screen(), Screen::Exhibit);
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));

    // Two hands are not a palm: another hand resting on the screen while a finger taps does
    // not swallow the tap.
    let (tapping, resting) = (kiosk.next_finger(), kiosk.next_finger());
    let elsewhere = Vec2::new(1800.0, 1000.0);
    kiosk.touch(tapping, TouchPhase::Started, quiz);
    kiosk.frames(1);
    kiosk.touch(resting, TouchPhase::Started, elsewhere);
    kiosk.frames(1);
    lift(&mut kiosk, &[(tapping, quiz)]);
    kiosk.frames(2);
    assert_eq!(
        kiosk.visit().open.as_ref().map(|o| o.exhibit_id.as_str()),
        Some("emergency-quiz")
    );
    lift(&mut kiosk, &[(resting, elsewhere)]);
}

#[test]
fn i_am_a_offers_every_audience_the_samples_serve_in_visitors_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    let offered: Vec<Option<Audience>> = kiosk
        .targets()
        .into_iter()
        .filter_map(|c| match c {
            UiCommand::Session(SessionCommand::ChooseAudience(audience)) => Some(audience),
            _ => None,
        })
        .collect();
    assert_eq!(
        offered,
        vec![
            Some(Audience::Child),
            Some(Audience::Youth),
            Some(Audience::Family),
            Some(Audience::Worker),
            Some(Audience::Rural),
            Some(Audience::CivilServant),
            Some(Audience::Senior),
            None,
        ]
    );
    // Every audience a sample exhibit is for is someone's answer (an adult who is none of
    // them skips, and sees everything).
    let samples = kepu_core::manifest::load_catalog(
        &crate::harness::repo_path("exhibits"),
        &kepu_core::manifest::ValidationRules::default(),
    );
    for exhibit in &samples.exhibits {
        for audience in &exhibit.manifest.audiences {
            assert!(
                *audience == Audience::Adult || offered.contains(&Some(*audience)),
                "{audience:?} of {} is nobody's answer",
                exhibit.id()
            );
        }
    }
    // Someone at work: exhibits for workers and for adults, none for children only.
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Worker,
    ))));
    let content = kiosk.app.world().resource::<kepu_kiosk::content::Content>();
    let shown = home_cards(&content.catalog, kiosk.visit());
    assert!(!shown.is_empty());
    for exhibit in shown {
        let audiences = &exhibit.manifest.audiences;
        assert!(
            audiences.is_empty()
                || audiences
                    .iter()
                    .any(|a| matches!(a, Audience::Worker | Audience::Adult | Audience::Family)),
            "{} ({audiences:?}) shown to someone at work",
            exhibit.id()
        );
    }
    assert_eq!(kiosk.visit().audience, Some(Audience::Worker));
}
