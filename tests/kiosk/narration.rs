//! Story narration. Headless: "Listen" follows the visitor from page to page and language to
//! language, pauses and continues, and stops when they leave. In a real window: the kiosk
//! really plays the recording through ALSA's default device (routed to a file here, as no
//! sound card exists on the test machine) and the file holds sound, not silence.

use crate::harness::{Kiosk, repo_path, sample_config};
use bevy::math::Vec2;
use kepu_kiosk::narration::{NarrationState, Narrator};
use kepu_kiosk::play::story::Listening;
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{SessionCommand, StoryCommand};
use kepu_kiosk::visit::Player;
use std::path::PathBuf;
use std::process::Command;

fn narrator(kiosk: &Kiosk) -> (Option<PathBuf>, NarrationState) {
    let narrator = kiosk.app.world().resource::<Narrator>();
    (
        narrator.current().map(std::path::Path::to_path_buf),
        narrator.state.clone(),
    )
}

fn listening(kiosk: &Kiosk) -> Option<Listening> {
    match kiosk.visit().open.as_ref().map(|o| &o.player) {
        Some(Player::Story(story)) => Some(story.narration),
        _ => None,
    }
}

fn recording(name: &str) -> PathBuf {
    repo_path("exhibits").join("phone-scams").join(name)
}

#[test]
fn listen_follows_pages_and_language_pauses_and_stops_when_the_visitor_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::offline(dir.path(), 60);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    assert_eq!(
        narrator(&kiosk),
        (None, NarrationState::Off),
        "nothing unasked"
    );
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Story(StoryCommand::ToggleNarration))
    );

    kiosk.tap(UiCommand::Story(StoryCommand::ToggleNarration));
    assert_eq!(listening(&kiosk), Some(Listening::On));
    // The audio thread answers within moments whether the device opened.
    std::thread::sleep(std::time::Duration::from_millis(500));
    kiosk.frames(2);
    let (current, state) = narrator(&kiosk);
    assert_eq!(
        current,
        Some(recording("page1-zh.ogg")),
        "the visitor's language"
    );
    // Whether this machine has a sound device decides between playing and a quiet "sound is
    // not available"; either way the visitor's wish is kept and nothing breaks.
    let has_sound = state == NarrationState::Playing;
    assert!(
        has_sound || matches!(state, NarrationState::Failed(_)),
        "{state:?}"
    );

    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    assert_eq!(narrator(&kiosk).0, Some(recording("page2-zh.ogg")));
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage("en".into())));
    assert_eq!(narrator(&kiosk).0, Some(recording("page2-en.ogg")));

    if has_sound {
        kiosk.tap(UiCommand::Story(StoryCommand::ToggleNarration));
        assert_eq!(listening(&kiosk), Some(Listening::Paused));
        assert_eq!(narrator(&kiosk).1, NarrationState::Paused);
        kiosk.tap(UiCommand::Story(StoryCommand::ToggleNarration));
        assert_eq!(narrator(&kiosk).1, NarrationState::Playing);
    }

    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    assert_eq!(
        narrator(&kiosk),
        (None, NarrationState::Off),
        "stops on leaving"
    );
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    assert_eq!(
        listening(&kiosk),
        Some(Listening::Off),
        "a new visit starts quiet"
    );
}

#[test]
fn a_page_without_a_recording_in_the_visitors_language_offers_none() {
    let dir = tempfile::tempdir().unwrap();
    let exhibits = dir.path().join("exhibits");
    crate::harness::copy_dir(&repo_path("exhibits"), &exhibits);
    let manifest = exhibits.join("phone-scams").join("exhibit.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(", en = \"page1-en.ogg\"", "");
    std::fs::write(&manifest, text).unwrap();
    let config = crate::harness::config_for(dir.path(), &exhibits, "http://127.0.0.1:9", 60);
    let mut kiosk = Kiosk::with_config(config);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage("en".into())));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    assert!(
        !kiosk
            .targets()
            .contains(&UiCommand::Story(StoryCommand::ToggleNarration)),
        "no English voice on page 1: no button"
    );
    kiosk.tap(UiCommand::Session(SessionCommand::SetLanguage("zh".into())));
    assert!(
        kiosk
            .targets()
            .contains(&UiCommand::Story(StoryCommand::ToggleNarration))
    );
}

#[test]
fn the_real_kiosk_plays_the_recording_through_the_sound_device() {
    let dir = tempfile::tempdir().unwrap();
    sample_config(dir.path(), "http://127.0.0.1:9", 60);
    // ALSA's default device, for this kiosk process only (its HOME), writes what it is given
    // to a file instead of a sound card.
    let sound = dir.path().join("sound.raw");
    std::fs::write(
        dir.path().join(".asoundrc"),
        format!(
            "pcm.!default {{\n type file\n slave.pcm \"null\"\n file \"{}\"\n format \"raw\"\n}}\n",
            sound.display()
        ),
    )
    .unwrap();
    let _alone = crate::harness::alone_on_screen();
    let output = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["run", "--windowed", "--window-size", "1280x720", "--config"])
        .arg(dir.path().join("kiosk.toml"))
        .args(["--start-session", "en", "--open", "phone-scams", "--play"])
        .args(["--measure-idle", "3"])
        .env("HOME", dir.path())
        .current_dir(repo_path(""))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "kiosk failed: {log}");
    assert!(
        !log.contains("cannot play the narration"),
        "the recording did not play: {log}"
    );
    let bytes = std::fs::read(&sound).unwrap_or_default();
    // ALSA's null device takes samples as fast as they come, so the file also holds the
    // silence the mixer plays after the recording: count what is not silent. At least a
    // second of sound (the device runs at 8 kHz or more).
    let loud = bytes
        .chunks(2)
        .filter(|s| s.iter().any(|b| *b > 4 && *b < 252))
        .count();
    assert!(
        loud >= 8_000,
        "only {loud} non-silent samples in {} bytes",
        bytes.len()
    );
}

#[test]
fn a_recording_that_cannot_be_decoded_is_reported_and_the_story_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let exhibits = dir.path().join("exhibits");
    crate::harness::copy_dir(&repo_path("exhibits"), &exhibits);
    // An Ogg page whose first packet begins as Vorbis's passes the validator's format check;
    // the rest is not Vorbis.
    let broken = exhibits.join("phone-scams").join("page1-zh.ogg");
    let mut bytes = b"OggS".to_vec();
    bytes.resize(28, 0);
    bytes.extend_from_slice(b"\x01vorbis");
    bytes.extend(std::iter::repeat_n(0x5Au8, 4_000));
    std::fs::write(&broken, bytes).unwrap();
    let config = crate::harness::config_for(dir.path(), &exhibits, "http://127.0.0.1:9", 60);
    let mut kiosk = Kiosk::with_config(config);
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    kiosk.tap(UiCommand::Story(StoryCommand::ToggleNarration));
    // Decoding comes before any sound device is opened: the same answer on every machine.
    let state = (0..50)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            kiosk.frames(1);
            match narrator(&kiosk).1 {
                NarrationState::Failed(reason) => Some(reason),
                _ => None,
            }
        })
        .expect("the broken recording is reported");
    assert!(state.contains("cannot decode"), "{state}");
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    assert_eq!(
        narrator(&kiosk).0,
        Some(exhibits.join("phone-scams").join("page2-zh.ogg")),
        "the next page still reads"
    );
}
