//! `kepu-kiosk run` on a machine with no kiosk.toml: the sample exhibits in a window, said on
//! the terminal; a kiosk.toml that is named but missing is an error, said once. And the type
//! sizes of issue 16, on screen: headings in the bold face, running text in ~50-character
//! lines, every screen at 1920x1080 in large text.

use crate::harness::{Kiosk, alone_on_screen, repo_path};
use kepu_kiosk::ui::theme::Theme;
use kepu_kiosk::ui::{SessionCommand, UiCommand};
use std::process::{Command, Output};

/// The kiosk binary in `dir` as working folder, its caches under `dir`, no KEPU_KIOSK_CONFIG.
fn kiosk_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEPU_KIOSK_CONFIG")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .unwrap()
}

#[test]
fn without_a_kiosk_toml_run_shows_the_sample_exhibits_in_a_window_and_says_so() {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "this test opens a window: run it under xvfb-run (scripts/test.sh does)"
    );
    let _alone = alone_on_screen();
    // A folder with neither kiosk.toml nor exhibits: the samples come from the source tree.
    let dir = tempfile::tempdir().unwrap();
    let screenshot = dir.path().join("first-run.png");
    let output = kiosk_in(
        dir.path(),
        &[
            "run",
            "--start-session",
            "en",
            "--screenshot",
            screenshot.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("no kiosk.toml here"), "{stderr}");
    assert!(stderr.contains("sample exhibits"), "{stderr}");
    assert!(
        stderr.contains(&repo_path("exhibits").display().to_string()),
        "names the exhibits it shows: {stderr}"
    );
    assert!(
        stderr.contains(&repo_path("kiosk.example.toml").display().to_string()),
        "points at the example: {stderr}"
    );
    // Its data (the outbox) went to the user's cache folder, not into the working folder.
    let data_dir = dir.path().join("cache/kepu-kiosk/sample");
    assert!(stderr.contains(&data_dir.display().to_string()), "{stderr}");
    assert!(
        std::fs::read_dir(&data_dir).unwrap().next().is_some(),
        "the outbox is in {}",
        data_dir.display()
    );
    assert!(!dir.path().join("kiosk-data").exists());
    // A window of the development size (fullscreen would be the screen's 1920x1080), and the
    // home screen with the samples' cards on it, not an empty one.
    let image = image::open(&screenshot).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (1280, 720));
    let background = [0xF7, 0xF4, 0xEE];
    let white = image.pixels().filter(|p| p.0 == [0xFF, 0xFF, 0xFF]).count() as f32;
    let home = image.pixels().filter(|p| p.0 == background).count() as f32;
    let pixels = (image.width() * image.height()) as f32;
    assert!(home / pixels > 0.2, "the home screen: {}", home / pixels);
    assert!(white / pixels > 0.1, "exhibit cards: {}", white / pixels);
}

#[test]
fn a_kiosk_toml_that_is_named_but_missing_is_an_error_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere/kiosk.toml");
    let by_option = kiosk_in(dir.path(), &["run", "--config", missing.to_str().unwrap()]);
    let by_environment = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .arg("run")
        .current_dir(dir.path())
        .env("KEPU_KIOSK_CONFIG", &missing)
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    for output in [by_option, by_environment] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("cannot read {}", missing.display())),
            "{stderr}"
        );
        assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            !stderr.contains("sample"),
            "no fallback to the samples: {stderr}"
        );
    }
    // Nothing was started: no data folder anywhere.
    assert!(!dir.path().join("cache").exists());
}

#[test]
fn a_kiosk_toml_in_the_working_folder_is_the_one_run_uses() {
    let dir = tempfile::tempdir().unwrap();
    // A broken one: run reads it (and refuses it) rather than falling back to the samples.
    std::fs::write(dir.path().join("kiosk.toml"), "kiosk_id = \n").unwrap();
    let output = kiosk_in(dir.path(), &["run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("kiosk.toml"), "{stderr}");
    assert!(!stderr.contains("sample"), "{stderr}");
}

/// The headless kiosk's screens in large text on the reference screen: nothing a visitor taps
/// is off the 1920x1080 screen, with headings at their 12 mm (90 points in large text).
#[test]
fn every_screen_keeps_its_controls_on_screen_with_the_larger_type() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(bevy::math::Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::ToggleLargeText));
    let theme = kiosk
        .app
        .world()
        .resource::<kepu_kiosk::ui::ActiveTheme>()
        .0
        .clone();
    assert_eq!(theme.heading_size, Theme::default().heading_size * 1.5);
    for exhibit in [
        None,
        Some("phone-scams"),
        Some("everyday-science-quiz"),
        Some("pendulum-planets"),
        Some("waste-sorting"),
        Some("home-hazards"),
    ] {
        if let Some(id) = exhibit {
            kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
                id.to_owned(),
            )));
        }
        let targets = kiosk.target_rects();
        assert!(!targets.is_empty(), "{exhibit:?}");
        for (command, rect) in targets {
            assert!(
                rect.max.x <= 1920.5 && rect.max.y <= 1080.5 && rect.min.x >= -0.5,
                "{exhibit:?}: {command:?} at {rect:?} is off the screen"
            );
        }
        if exhibit.is_some() {
            kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
        }
    }
}
