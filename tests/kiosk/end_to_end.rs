//! A real kepu-server process on a free loopback port receives every event of headless kiosk
//! sessions exactly once.

use crate::harness::{Kiosk, sample_config};
use bevy::math::Vec2;
use kepu_core::uploader::UploaderConfig;
use kepu_core::wire::{SUMMARY_PATH, StatsSummary};
use kepu_kiosk::engagement::Engagement;
use kepu_kiosk::ui::UiCommand;
use kepu_kiosk::ui::{QuizCommand, SessionCommand, StoryCommand};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The kepu-server binary of this workspace's build (`cargo test --workspace` builds it).
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/kiosk-<hash> → target/<profile>/kepu-server
    let binary = exe.parent().unwrap().parent().unwrap().join("kepu-server");
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "kepu-server", "--bin", "kepu-server"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "cannot build kepu-server");
    }
    binary
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(database: &Path) -> Server {
    let mut child = Command::new(server_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(database)
        .env("KEPU_CONFIG", "/dev/null")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("kepu-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line from kepu-server: {line:?}"))
        .to_owned();
    Server { child, url }
}

/// Runs a management command of the server on `database`, with `stdin` as its input.
fn manage(database: &Path, args: &[&str], stdin: &str) {
    use std::io::Write;
    let mut child = Command::new(server_binary())
        .args(args)
        .arg("--database")
        .arg(database)
        .env("KEPU_CONFIG", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "kepu-server {args:?}");
}

const STAFF: (&str, &str) = ("tester", "a tester's password");

/// A venue, the kiosk with its token in `token_file`, and a staff account to read reports.
fn pair_kiosk(database: &Path, name: &str, token_file: &Path) {
    manage(database, &["venue", "add", "Test Venue"], "");
    let token_file = token_file.to_str().unwrap();
    manage(
        database,
        &[
            "kiosk",
            "add",
            "Test Venue",
            name,
            "--token-file",
            token_file,
        ],
        "",
    );
    manage(
        database,
        &["staff", "add", STAFF.0, "--role", "viewer"],
        &format!("{}\n", STAFF.1),
    );
}

#[test]
fn every_event_of_two_sessions_arrives_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("server.sqlite3");
    let token_file = dir.path().join("kiosk.token");
    pair_kiosk(&database, "test-kiosk", &token_file);
    let server = start_server(&database);

    let config = sample_config(dir.path(), &server.url, 60);
    let token = std::fs::read_to_string(&token_file).unwrap();
    let mut uploader = UploaderConfig::new(&config.server_url, token.trim(), config.outbox_path());
    uploader.idle_poll = Duration::from_millis(50);
    let engagement = Engagement::open(&config).unwrap().with_uploader(uploader);
    let mut kiosk = Kiosk::new(config, engagement);

    // Visitor 1: a story, then the quiz, then "start over".
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "phone-scams".into(),
    )));
    kiosk.tap(UiCommand::Story(StoryCommand::TurnPage(1)));
    kiosk.tap(UiCommand::Session(SessionCommand::GoHome));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "emergency-quiz".into(),
    )));
    for choice in ["take-cover", "low-wet-cloth", "110", "hazardous"] {
        kiosk.tap(UiCommand::Quiz(QuizCommand::Answer(choice.into())));
        kiosk.tap(UiCommand::Quiz(QuizCommand::NextQuestion));
    }
    kiosk.tap(UiCommand::Session(SessionCommand::StartOver));
    // Visitor 2: opens the quiz, answers once, walks away.
    kiosk.tap_at(Vec2::new(960.0, 540.0));
    kiosk.tap(UiCommand::Session(SessionCommand::OpenExhibit(
        "emergency-quiz".into(),
    )));
    kiosk.tap(UiCommand::Quiz(QuizCommand::Answer("window".into())));
    // Idle timeout (60 s) plus the "Still there?" countdown (10 s).
    kiosk.wait(Duration::from_secs(71));
    kiosk.frames(2);

    kiosk.flush();
    let engagement = kiosk.app.world().resource::<Engagement>();
    let written = engagement.writer.as_ref().unwrap().status().written;
    // Visitor 1: start, story open + 2 page views + close, quiz open + 4 answers + complete +
    // close, end (13); visitor 2: start, open, answer, close, end (5); and the kiosk's first
    // heartbeat, 10 s after start (1).
    assert_eq!(written, 19, "events the kiosk created");
    let deadline = Instant::now() + Duration::from_secs(30);
    let uploader = engagement.uploader.as_ref().unwrap();
    while uploader.status().delivered < written || uploader.status().backlog > 0 {
        assert!(
            Instant::now() < deadline,
            "not drained: {:?}",
            uploader.status()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // The summary reads the hourly roll-ups, which the server brings up to date every second.
    let client = reqwest::blocking::Client::new();
    let summary = loop {
        let summary: StatsSummary = client
            .get(format!("{}{SUMMARY_PATH}", server.url))
            .basic_auth(STAFF.0, Some(STAFF.1))
            .send()
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .unwrap();
        if summary.events >= written || Instant::now() > deadline {
            break summary;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(summary.events, written, "every event stored exactly once");
    assert_eq!(summary.sessions, 2);
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "emergency-quiz")
        .unwrap();
    assert_eq!(
        (quiz.opens, quiz.quiz_answers, quiz.quiz_correct),
        (2, 5, 3)
    );
    let story = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "phone-scams")
        .unwrap();
    assert_eq!(story.opens, 1);
}
