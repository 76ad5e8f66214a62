//! The staff panel on a headless kiosk: the hidden corner gesture, the PIN and its lockout,
//! what the panel shows, and its actions.

use crate::harness::{Kiosk, config_with, copy_dir, repo_path};
use bevy::app::AppExit;
use bevy::input::touch::TouchPhase;
use bevy::math::Vec2;
use kepu_kiosk::staff::{PinNotice, Staff, StaffPhase};
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{QuizCommand, SessionCommand, StaffCommand};
use kepu_kiosk::visit::Screen;
use std::time::Duration;

const PIN: &str = "2468";

fn type_pin(kiosk: &mut Kiosk, pin: &str) {
    for digit in pin.bytes() {
        kiosk.tap(UiCommand::Staff(StaffCommand::PinDigit(digit - b'0')));
    }
    kiosk.tap(UiCommand::Staff(StaffCommand::PinEnter));
    // The hash runs on a thread of its own: wait for its answer.
    let started = std::time::Instant::now();
    while phase(kiosk)
        == (StaffPhase::Pin {
            notice: Some(PinNotice::Checking),
        })
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the PIN check never answered"
        );
        std::thread::sleep(Duration::from_millis(5));
        kiosk.frames(1);
    }
    // One more frame draws what the answer opened.
    kiosk.frames(1);
}

fn phase(kiosk: &Kiosk) -> StaffPhase {
    kiosk.app.world().resource::<Staff>().phase.clone()
}

/// A kiosk on a copy of the sample exhibits plus one broken exhibit, with a staff PIN.
fn kiosk_with_pin(dir: &std::path::Path) -> Kiosk {
    let exhibits = dir.join("exhibits");
    copy_dir(&repo_path("exhibits"), &exhibits);
    let broken = exhibits.join("broken-one");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("exhibit.toml"),
        "id = \"broken-one\"\nkind = \"story\"\ntitel = { zh = \"错\", en = \"typo\" }\n",
    )
    .unwrap();
    let hash = kepu_core::pin::hash_pin(PIN);
    let config = config_with(
        dir,
        &exhibits,
        "http://127.0.0.1:9",
        60,
        &format!("staff_pin_hash = \"{hash}\""),
    );
    Kiosk::with_config(config)
}

#[test]
fn a_five_second_corner_hold_asks_for_the_pin_and_ends_the_visit() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk_with_pin(dir.path());
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert!(kiosk.visit().session.is_some());

    // Four seconds is not enough, and it does not press what is in the corner.
    kiosk.hold_at(Vec2::new(20.0, 20.0), Duration::from_secs(4));
    assert_eq!(kiosk.screen(), Screen::Home);
    kiosk.hold_at(Vec2::new(20.0, 20.0), Duration::from_secs(6));
    assert_eq!(kiosk.screen(), Screen::Staff);
    assert_eq!(phase(&kiosk), StaffPhase::Pin { notice: None });
    assert!(kiosk.visit().session.is_none(), "the visitor session ended");
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Staff(StaffCommand::PinDigit(5)))
    );
    // A visitor command means nothing here.
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Session(SessionCommand::StartOver))
    );

    kiosk.tap(UiCommand::Staff(StaffCommand::StaffClose));
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert_eq!(phase(&kiosk), StaffPhase::Closed);
}

#[test]
fn five_wrong_pins_lock_the_panel_for_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk_with_pin(dir.path());
    kiosk.hold_at(Vec2::new(30.0, 30.0), Duration::from_secs(5));
    assert_eq!(kiosk.screen(), Screen::Staff);
    for tries_left in (1..=4).rev() {
        type_pin(&mut kiosk, "1111");
        assert_eq!(
            phase(&kiosk),
            StaffPhase::Pin {
                notice: Some(PinNotice::Wrong { tries_left })
            }
        );
    }
    type_pin(&mut kiosk, "1111");
    assert!(matches!(
        phase(&kiosk),
        StaffPhase::Pin {
            notice: Some(PinNotice::Locked {
                seconds_left: 299..=300
            })
        }
    ));
    // Locked: the right PIN is refused.
    type_pin(&mut kiosk, PIN);
    assert!(matches!(
        phase(&kiosk),
        StaffPhase::Pin {
            notice: Some(PinNotice::Locked { .. })
        }
    ));
    // The pad closes itself after two minutes; the lock stays.
    kiosk.wait(Duration::from_secs(121));
    kiosk.frames(1);
    assert_eq!(kiosk.screen(), Screen::Attract);
    kiosk.hold_at(Vec2::new(30.0, 30.0), Duration::from_secs(5));
    type_pin(&mut kiosk, PIN);
    assert!(
        matches!(
            phase(&kiosk),
            StaffPhase::Pin {
                notice: Some(PinNotice::Locked { .. })
            }
        ),
        "still locked after 2 minutes"
    );
    // Five minutes after the lock, the right PIN opens the panel.
    kiosk.wait(Duration::from_secs(100));
    kiosk.tap(UiCommand::Staff(StaffCommand::StaffClose));
    kiosk.wait(Duration::from_secs(90));
    kiosk.hold_at(Vec2::new(30.0, 30.0), Duration::from_secs(5));
    type_pin(&mut kiosk, PIN);
    assert_eq!(phase(&kiosk), StaffPhase::Open);
}

#[test]
fn the_panel_lists_left_out_exhibits_counts_today_and_quits() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk_with_pin(dir.path());
    // A visitor first: one session, the quiz opened and one answer.
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "emergency-quiz".into(),
    )));
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("take-cover".into())));
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));

    kiosk.hold_at(Vec2::new(10.0, 10.0), Duration::from_secs(5));
    type_pin(&mut kiosk, PIN);
    assert_eq!(phase(&kiosk), StaffPhase::Open);
    let view = kiosk.app.world().resource::<Staff>().view.clone();
    assert_eq!(view.left_out.len(), 1);
    let (folder, problems) = &view.left_out[0];
    assert_eq!(folder, "broken-one");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("titel") && p.contains(":3:")),
        "the typo with its line: {problems:?}"
    );
    let mut shown: Vec<&str> = view.shown.iter().map(|(id, _)| id.as_str()).collect();
    shown.sort_unstable();
    let samples: Vec<String> = std::fs::read_dir(repo_path("exhibits"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut samples: Vec<&str> = samples.iter().map(String::as_str).collect();
    samples.sort_unstable();
    assert_eq!(shown, samples, "every sample exhibit is on show");
    assert_eq!(view.today.sessions, 1);
    assert_eq!(view.today.top_exhibits(3), vec![("emergency-quiz", 1)]);
    assert_eq!(view.today.quiz_answers["emergency-quiz"], (1, 1));
    // Not paired (no uploader in this test): the connection test says so.
    kiosk.tap(UiCommand::Staff(StaffCommand::StaffTestServer));
    kiosk.frames(2);
    assert_eq!(
        kiosk.app.world().resource::<Staff>().view.server,
        kepu_kiosk::staff::ServerCheck::NotPaired
    );

    // Fix the broken exhibit and reload from the panel.
    std::fs::write(
        dir.path().join("exhibits/broken-one/exhibit.toml"),
        "id = \"broken-one\"\nkind = \"story\"\ntitle = { zh = \"好了\", en = \"Fixed\" }\n\n[[pages]]\ntext = { zh = \"一页\", en = \"A page\" }\n",
    )
    .unwrap();
    kiosk.tap(UiCommand::Staff(StaffCommand::StaffReload));
    kiosk.frames(2);
    let view = kiosk.app.world().resource::<Staff>().view.clone();
    assert!(view.left_out.is_empty(), "{:?}", view.left_out);
    assert_eq!(view.shown.len(), samples.len() + 1);

    assert!(kiosk.app.should_exit().is_none());
    let quit = kiosk.target_center(&UiCommand::Staff(StaffCommand::StaffQuit));
    let finger = kiosk.next_finger();
    kiosk.touch(finger, TouchPhase::Started, quit);
    kiosk.frames(1);
    kiosk.touch(finger, TouchPhase::Ended, quit);
    kiosk.frames(1);
    assert_eq!(kiosk.app.should_exit(), Some(AppExit::Success));
}

#[test]
fn without_a_pin_in_kiosk_toml_the_panel_says_how_to_set_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.hold_at(Vec2::new(10.0, 10.0), Duration::from_secs(5));
    assert_eq!(
        phase(&kiosk),
        StaffPhase::Pin {
            notice: Some(PinNotice::NotConfigured)
        }
    );
    type_pin(&mut kiosk, "0000");
    assert_eq!(
        phase(&kiosk),
        StaffPhase::Pin {
            notice: Some(PinNotice::NotConfigured)
        }
    );
}
