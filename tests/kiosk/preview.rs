//! `kepu-kiosk preview`: one exhibit for its curator. Headless, the real watcher thread and real
//! files: a broken exhibit's problems instead of the exhibit, the exhibit after the fix, every
//! later save shown at once, nothing recorded. In a real window (Xvfb + lavapipe): the problems
//! and then the fixed exhibit on screen, saved as PNGs after each save.

use crate::harness::{Kiosk, alone_on_screen, config_for, copy_dir, repo_path, run_until};
use kepu_core::manifest::{MessageLanguage, Severity};
use kepu_kiosk::content::{Content, KioskSettings};
use kepu_kiosk::engagement::Engagement;
use kepu_kiosk::preview::{Preview, load_one_exhibit};
use kepu_kiosk::ui::SessionCommand;
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::visit::Screen;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EXHIBIT: &str = "emergency-quiz";

/// A copy of a sample quiz in `dir`, with its kind misspelt and a wrong type further down.
fn broken_copy(dir: &Path) -> PathBuf {
    let folder = dir.join(EXHIBIT);
    copy_dir(&repo_path(&format!("exhibits/{EXHIBIT}")), &folder);
    edit(&folder, "kind = \"quiz\"", "kind = \"quizz\"");
    edit(&folder, "intended_secs = 120", "intended_secs = \"120\"");
    folder
}

fn edit(folder: &Path, from: &str, to: &str) {
    let file = folder.join("exhibit.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from} not in {}", file.display());
    std::fs::write(&file, text.replace(from, to)).unwrap();
}

fn preview(kiosk: &Kiosk) -> &Preview {
    kiosk.app.world().resource::<Preview>()
}

fn open_exhibit_title(kiosk: &Kiosk) -> Option<String> {
    let open = kiosk.visit().open.as_ref()?;
    let content = kiosk.app.world().resource::<Content>();
    let exhibit = content.catalog.exhibits.get(open.index)?;
    Some(exhibit.manifest.title.get("en", &[]).to_owned())
}

#[test]
fn a_preview_shows_the_problems_while_broken_and_each_saved_version_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = broken_copy(dir.path());
    let config = config_for(dir.path(), dir.path(), "http://127.0.0.1:9", 60);
    let content = Content::from_loaded(
        std::sync::Arc::new(config.clone()),
        load_one_exhibit(&folder, &config.validation_rules()),
    );
    let settings = KioskSettings::from_config(&config);
    let previewed = Preview::new(folder.clone(), "en".to_owned(), MessageLanguage::English);
    let mut kiosk = Kiosk::prepared(
        config,
        settings,
        content,
        Engagement::discard_everything(),
        |app| {
            app.insert_resource(previewed)
                .add_plugins(kepu_kiosk::preview::plugin);
        },
    );

    // Broken: both problems, with their places, and no exhibit behind them.
    let view = &preview(&kiosk).view;
    assert!(view.broken);
    let places: Vec<(&str, Severity)> = view
        .problems
        .iter()
        .map(|p| (p.place.as_str(), p.severity))
        .collect();
    assert!(
        places.contains(&("exhibit.toml:4:8", Severity::Error)),
        "{:?}",
        view.problems
    );
    assert_eq!(view.problems.len(), 2, "{:?}", view.problems);
    let kind = &view.problems[0];
    assert!(kind.message.contains("quizz"), "{kind:?}");
    assert_eq!(
        kind.line,
        Some(("kind = \"quizz\"".to_owned(), Some(8))),
        "the line, and the column to mark"
    );
    assert!(kiosk.visit().open.is_none());
    // The problems screen has nothing to tap that would lead a curator astray.
    assert!(
        !kiosk
            .targets()
            .iter()
            .any(|t| matches!(t, UiCommand::Session(SessionCommand::StartSession))),
        "{:?}",
        kiosk.targets()
    );

    // One fix and the other: the exhibit opens by itself, past attract and home.
    edit(&folder, "kind = \"quizz\"", "kind = \"quiz\"");
    edit(&folder, "intended_secs = \"120\"", "intended_secs = 120");
    run_until(&mut kiosk, "the fixed exhibit on screen", |k| {
        k.screen() == Screen::Exhibit && k.visit().open.is_some()
    });
    assert!(!preview(&kiosk).view.broken);
    assert_eq!(
        open_exhibit_title(&kiosk).as_deref(),
        Some("Emergency know-how")
    );
    let version = preview(&kiosk).version;

    // A later save shows at once, though "a visitor" is inside the exhibit (on the floor it
    // would wait for them to leave).
    edit(&folder, "Emergency know-how", "Emergency basics");
    run_until(&mut kiosk, "the new title", |k| {
        open_exhibit_title(k).as_deref() == Some("Emergency basics")
    });
    assert!(preview(&kiosk).version > version);

    // "Back" opens the exhibit again from its start rather than a home screen.
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    assert_eq!(kiosk.screen(), Screen::Exhibit);
    assert!(kiosk.visit().open.is_some());

    // Nothing a curator does in a preview is recorded, nor counted as lost.
    let engagement = kiosk.app.world().resource::<Engagement>();
    assert!(engagement.writer.is_none() && engagement.uploader.is_none());
    assert_eq!(engagement.lost, 0);
}

/// Share of pixels within `tolerance` (sum of channel differences) of `colour`.
fn share(image: &image::RgbImage, colour: [u8; 3], tolerance: u32) -> f64 {
    let near = image
        .pixels()
        .filter(|p| {
            p.0.iter()
                .zip(colour)
                .map(|(a, b)| u32::from(a.abs_diff(b)))
                .sum::<u32>()
                <= tolerance
        })
        .count();
    near as f64 / f64::from(image.width() * image.height())
}

/// The theme's error colour: the problems' heading and marks.
const ERROR_RED: [u8; 3] = [0xB3, 0x26, 0x1E];

fn wait_for_file(path: &Path, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the preview ended ({status}) before {}", path.display());
        }
        assert!(Instant::now() < deadline, "no {}", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    // The PNG is written in one go, but give the writer a moment to close it.
    std::thread::sleep(Duration::from_millis(300));
}

/// Ends the child preview however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn in_a_window_the_problems_show_and_then_the_fixed_exhibit_after_a_save() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the window tests need a display: run them under xvfb-run (scripts/test.sh does)"
    );
    let _alone = alone_on_screen();
    let dir = tempfile::tempdir().unwrap();
    let folder = broken_copy(dir.path());
    let shots = std::env::var_os("KEPU_SCREENSHOT_DIR")
        .map_or_else(|| dir.path().join("shots"), PathBuf::from)
        .join("preview");
    std::fs::create_dir_all(&shots).unwrap();
    for n in 1..=2 {
        let _ = std::fs::remove_file(shots.join(format!("preview-{n}.png")));
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["preview", "--lang", "en", "--window-size", "1280x720"])
        .arg(&folder)
        .arg("--screenshot")
        .arg(shots.join("preview.png"))
        .arg("--every-save")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);

    let broken_png = shots.join("preview-1.png");
    wait_for_file(&broken_png, &mut child.0);
    let broken = image::open(&broken_png).unwrap().to_rgb8();
    assert_eq!((broken.width(), broken.height()), (1280, 720));
    // The heading and the marked characters are in the error colour.
    let red_broken = share(&broken, ERROR_RED, 30);
    assert!(red_broken > 0.002, "red share {red_broken}");

    edit(&folder, "kind = \"quizz\"", "kind = \"quiz\"");
    edit(&folder, "intended_secs = \"120\"", "intended_secs = 120");
    let fixed_png = shots.join("preview-2.png");
    wait_for_file(&fixed_png, &mut child.0);
    let fixed = image::open(&fixed_png).unwrap().to_rgb8();
    let red_fixed = share(&fixed, ERROR_RED, 30);
    assert!(
        red_fixed < red_broken / 4.0,
        "the problems are gone: red share {red_fixed} (was {red_broken})"
    );
    // The quiz's own screen: the kiosk's background and its buttons' accent.
    assert!(share(&fixed, [0xF7, 0xF4, 0xEE], 6) > 0.2);
    assert!(share(&fixed, [0x0B, 0x5C, 0x8C], 30) > 0.002);

    // The terminal says the same as the window, version by version.
    let _ = child.0.kill();
    let _ = child.0.wait();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.0.stdout.take().unwrap(), &mut text).unwrap();
    assert!(
        text.contains("preview: version 1 has 2 errors and 0 warnings"),
        "{text}"
    );
    assert!(text.contains("unknown exhibit kind `quizz`"), "{text}");
    assert!(text.contains("preview: version 2 is on screen"), "{text}");
}

#[test]
fn a_scripted_preview_saves_one_screenshot_in_a_mode_and_exits() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the window tests need a display: run them under xvfb-run (scripts/test.sh does)"
    );
    let _alone = alone_on_screen();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("story.png");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args([
            "preview",
            "--lang",
            "zh",
            "--high-contrast",
            "--window-size",
            "1280x720",
        ])
        .arg(repo_path("exhibits/phone-scams"))
        .arg("--screenshot")
        .arg(&png)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let image = image::open(&png).unwrap().to_rgb8();
    // High contrast: a black page, not the kiosk's cream one.
    assert!(share(&image, [0, 0, 0], 6) > 0.3);
    assert!(share(&image, [0xF7, 0xF4, 0xEE], 6) < 0.01);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("preview: 第 1 版已显示"), "{text}");
}
