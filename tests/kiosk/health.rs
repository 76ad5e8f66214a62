//! What the kiosk says about itself: heartbeats with its health and no visitor in them, the
//! accessibility modes and "I am a..." choice as events, a kiosk whose disk cannot be written
//! that keeps running, holds its events in memory and says so, and events the server refused,
//! counted.

use crate::harness::{Kiosk, config_with, repo_path};
use bevy::math::Vec2;
use kepu_core::manifest::Audience;
use kepu_core::outbox::{EventStamp, Outbox};
use kepu_core::wire::{AccessibilityModes, EventDraft, EventKind};
use kepu_kiosk::engagement::FIRST_HEARTBEAT;
use kepu_kiosk::staff::Staff;
use kepu_kiosk::ui::SessionCommand;
use kepu_kiosk::ui::UiCommand;
use std::time::Duration;

fn heartbeats(kiosk: &Kiosk) -> Vec<(Option<uuid::Uuid>, kepu_core::wire::KioskHealth)> {
    kiosk
        .outbox_events()
        .into_iter()
        .filter_map(|e| match e.event {
            EventKind::KioskHeartbeat(health) => Some((e.session_id, health)),
            _ => None,
        })
        .collect()
}

/// A kiosk on the sample exhibits with `extra` kiosk.toml lines, its outbox in `dir`.
fn kiosk_with(dir: &std::path::Path, extra: &str) -> Kiosk {
    Kiosk::with_config(config_with(
        dir,
        &repo_path("exhibits"),
        "http://127.0.0.1:9",
        60,
        extra,
    ))
}

#[test]
fn heartbeats_report_the_kiosk_on_schedule_and_no_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk_with(dir.path(), "[engagement]\nheartbeat_minutes = 2\n");
    assert!(
        heartbeats(&kiosk).is_empty(),
        "not before {FIRST_HEARTBEAT:?}"
    );
    kiosk.wait(FIRST_HEARTBEAT);
    kiosk.frames(2);
    let beats = heartbeats(&kiosk);
    assert_eq!(beats.len(), 1);
    let (session, health) = &beats[0];
    assert_eq!(*session, None, "a heartbeat belongs to no visitor");
    let shown = std::fs::read_dir(repo_path("exhibits")).unwrap().count() as u32;
    assert_eq!((health.exhibits_loaded, health.exhibits_failed), (shown, 0));
    assert!(health.uptime_s >= FIRST_HEARTBEAT.as_secs(), "{health:?}");
    assert_eq!(health.last_upload_ms, None, "no server here");
    assert_eq!(health.storage_error, None);
    assert_eq!(health.outbox_replaced, None);
    // A visitor comes and goes; the next heartbeat counts their events in the backlog.
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));
    kiosk.flush();
    kiosk.wait(Duration::from_secs(100));
    kiosk.frames(2);
    assert_eq!(heartbeats(&kiosk).len(), 1, "two minutes apart");
    kiosk.wait(Duration::from_secs(25));
    kiosk.frames(2);
    let beats = heartbeats(&kiosk);
    assert_eq!(beats.len(), 2);
    assert!(
        beats[1].1.outbox_backlog > beats[0].1.outbox_backlog,
        "{:?}",
        beats
    );
}

#[test]
fn session_start_says_which_modes_were_on_and_the_audience_choice_is_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = kiosk_with(dir.path(), "[accessibility]\nseated = true\n");
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(Some(
        Audience::Senior,
    ))));
    kiosk.tap(UiCommand::Session(SessionCommand::ChooseAudience(None)));
    let events = kiosk.outbox_events();
    let session = events[0].session_id;
    assert!(session.is_some());
    assert_eq!(
        events[0].event,
        EventKind::SessionStart {
            language: "zh".into(),
            modes: AccessibilityModes {
                large_text: false,
                high_contrast: false,
                seated: true,
            },
        }
    );
    let choices: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.event {
            EventKind::AudienceChoice { audience } => Some((e.session_id, *audience)),
            _ => None,
        })
        .collect();
    assert_eq!(
        choices,
        vec![(session, Some(Audience::Senior)), (session, None)]
    );
}

#[test]
fn a_disk_that_cannot_be_written_keeps_the_kiosk_running_and_the_panel_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // The data folder is a file: the outbox can never be created there.
    let blocked = dir.path().join("data");
    std::fs::write(&blocked, "not a folder").unwrap();
    let mut kiosk = kiosk_with(
        dir.path(),
        &format!("data_dir = \"{}\"\n", blocked.display()),
    );
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    kiosk
        .app
        .world_mut()
        .resource_mut::<Staff>()
        .open_for_automation();
    kiosk.frames(3);
    let view = kiosk.app.world().resource::<Staff>().view.clone();
    assert!(
        view.storage.held_in_memory >= 4,
        "start, open, close, home are kept in memory: {:?}",
        view.storage
    );
    let error = view.outbox_error.unwrap_or_default();
    assert!(error.contains("cannot create its folder"), "{error}");
}

#[test]
fn events_the_server_refused_are_counted_in_heartbeats_and_on_the_staff_panel() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        &repo_path("exhibits"),
        "http://127.0.0.1:9",
        60,
        "",
    );
    // An earlier run's uploader had an event refused (an exhibit id the server does not take)
    // and set it aside, as it does on a 422 naming the event.
    {
        let mut outbox = Outbox::open(&config.outbox_path()).unwrap();
        let refused = EventDraft::now(
            Some(uuid::Uuid::new_v4()),
            EventKind::ExhibitOpen {
                exhibit_id: "exhibit 7".into(),
            },
        );
        let seqs = outbox
            .append(
                &EventStamp::for_this_boot("test-kiosk", "0.1.0"),
                std::slice::from_ref(&refused),
            )
            .unwrap();
        let set_aside = outbox
            .quarantine_refused(refused.id, &seqs, "bad_identifier", "event.exhibit_id")
            .unwrap();
        assert_eq!(set_aside, seqs.first().copied());
    }
    let mut kiosk = Kiosk::with_config(config);
    // The writer has opened the outbox and counted what it holds.
    kiosk.flush();
    kiosk.wait(FIRST_HEARTBEAT);
    kiosk.frames(2);
    let beats = heartbeats(&kiosk);
    assert_eq!(beats.len(), 1);
    assert_eq!(beats[0].1.refused_events, 1, "{:?}", beats[0].1);
    assert_eq!(beats[0].1.outbox_backlog, 0, "never to be sent again");
    kiosk
        .app
        .world_mut()
        .resource_mut::<Staff>()
        .open_for_automation();
    kiosk.frames(3);
    let view = kiosk.app.world().resource::<Staff>().view.clone();
    assert_eq!(view.storage.refused, 1, "{:?}", view.storage);
}
