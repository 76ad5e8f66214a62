//! Hot reload on a running headless kiosk: edits of a copy of the sample exhibits.

use crate::harness::{Kiosk, config_for, copy_dir, repo_path, run_until};
use bevy::math::Vec2;
use kepu_kiosk::content::Content;
use kepu_kiosk::engagement::Engagement;
use kepu_kiosk::reload::PendingContent;
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{QuizCommand, SessionCommand};
use kepu_kiosk::visit::Screen;
use std::path::{Path, PathBuf};

fn kiosk_on_a_copy(dir: &Path) -> (Kiosk, PathBuf) {
    let exhibits = dir.join("exhibits");
    copy_dir(&repo_path("exhibits"), &exhibits);
    let config = config_for(dir, &exhibits, "http://127.0.0.1:9", 600);
    let engagement = Engagement::open(&config).unwrap();
    (Kiosk::new(config, engagement), exhibits)
}

fn title(kiosk: &Kiosk, id: &str) -> Option<String> {
    let content = kiosk.app.world().resource::<Content>();
    content
        .catalog
        .exhibit(id)
        .map(|e| e.manifest.title.get("en", &[]).to_owned())
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{from} not in {}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}

#[test]
fn a_saved_change_appears_and_a_broken_edit_keeps_the_last_good_version() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kiosk, exhibits) = kiosk_on_a_copy(dir.path());
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    assert_eq!(
        title(&kiosk, "emergency-quiz").as_deref(),
        Some("Emergency know-how")
    );

    edit(
        &exhibits.join("emergency-quiz/exhibit.toml"),
        "Emergency know-how",
        "Emergency basics",
    );
    run_until(&mut kiosk, "the new title", |k| {
        title(k, "emergency-quiz").as_deref() == Some("Emergency basics")
    });

    // A broken save (an unclosed string) keeps the story on screen, and reports the problem.
    edit(
        &exhibits.join("phone-scams/exhibit.toml"),
        "kind = \"story\"",
        "kind = \"story",
    );
    run_until(&mut kiosk, "the broken edit to be noticed", |k| {
        !k.app
            .world()
            .resource::<Content>()
            .catalog
            .rejected
            .is_empty()
    });
    assert_eq!(
        title(&kiosk, "phone-scams").as_deref(),
        Some("Spotting phone scams")
    );
    assert_eq!(kiosk.screen(), Screen::Home);
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    assert_eq!(
        kiosk.screen(),
        Screen::Exhibit,
        "the last good version still plays"
    );

    // A new exhibit folder appears too.
    copy_dir(
        &exhibits.join("emergency-quiz"),
        &exhibits.join("emergency-copy"),
    );
    edit(
        &exhibits.join("emergency-copy/exhibit.toml"),
        "id = \"emergency-quiz\"",
        "id = \"emergency-copy\"",
    );
    run_until(&mut kiosk, "the new exhibit", |k| {
        title(k, "emergency-copy").is_some()
    });
}

#[test]
fn a_change_to_the_open_exhibit_waits_until_the_visitor_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kiosk, exhibits) = kiosk_on_a_copy(dir.path());
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "emergency-quiz".into(),
    )));
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("take-cover".into())));

    edit(
        &exhibits.join("emergency-quiz/exhibit.toml"),
        "Emergency know-how",
        "Emergency basics",
    );
    run_until(&mut kiosk, "the change to be loaded", |k| {
        k.app.world().resource::<PendingContent>().0.is_some()
    });
    kiosk.frames(5);
    assert_eq!(
        title(&kiosk, "emergency-quiz").as_deref(),
        Some("Emergency know-how")
    );
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Quiz(QuizCommand::NextQuestion)),
        "the visitor is still on their answered question"
    );

    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    assert_eq!(
        title(&kiosk, "emergency-quiz").as_deref(),
        Some("Emergency basics")
    );
    assert!(kiosk.app.world().resource::<PendingContent>().0.is_none());
}
