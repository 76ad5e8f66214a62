//! The command line: `validate` exit codes and formats, `schema`, `new`, `run`'s option checks.

use crate::harness::{copy_dir, repo_path};
use std::process::{Command, Output};

/// The kiosk's command line in a neutral locale: messages follow the system's language, and
/// these tests read the English ones unless they ask for `--lang zh`.
fn kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn validate_exits_0_for_the_samples_and_2_for_the_broken_corpus() {
    let samples = repo_path("exhibits");
    let clean = kiosk(&["validate", samples.to_str().unwrap()]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    let corpus = repo_path("crates/kepu-core/tests/corpus");
    let broken = kiosk(&["validate", corpus.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
    let text = String::from_utf8_lossy(&broken.stdout);
    // file:line:column: error: message
    assert!(
        text.contains(
            "04-unknown-kind/exhibit.toml:2:8: error: unknown exhibit kind `puzzle`: use one of story, quiz, hotspots, simulation, sort"
        ),
        "{text}"
    );
    // Every case that expects an error is left out; the others are shown.
    let (mut valid, mut left_out, mut warnings) = (0, 0, 0);
    for case in std::fs::read_dir(&corpus).unwrap() {
        let expect = case.unwrap().path().join("expect.toml");
        let Ok(text) = std::fs::read_to_string(&expect) else {
            continue;
        };
        warnings += text.matches("severity = \"warning\"").count();
        if text.contains("severity = \"error\"") {
            left_out += 1;
        } else {
            valid += 1;
        }
    }
    assert!(left_out > 30, "{left_out}");
    assert!(
        text.contains(&format!("{valid} exhibits valid, {left_out} left out")),
        "{text}"
    );

    let json = kiosk(&["validate", corpus.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["exhibits_left_out"], left_out);
    assert_eq!(report["warnings"], warnings);
    let first = &report["problems"][0];
    assert!(first["file"].as_str().unwrap().ends_with("exhibit.toml"));
    assert!(first["line"].is_u64() && first["message"].is_string());
    // Both languages, for tools that show either.
    assert!(first["message_zh"].is_string(), "{first}");
}

#[test]
fn validate_checks_one_exhibit_by_its_folder_or_its_manifest() {
    let broken = repo_path("crates/kepu-core/tests/corpus/04-unknown-kind");
    let one = kiosk(&["validate", broken.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert_eq!(one.status.code(), Some(2), "{text}");
    assert!(text.contains("unknown exhibit kind `puzzle`"), "{text}");
    // The line itself, with a caret under the column (2:8).
    assert!(text.contains("2 | kind = \"puzzle\""), "{text}");
    assert!(text.contains("\n  |        ^"), "{text}");
    assert!(
        text.contains("0 exhibits valid, 1 left out; 1 errors"),
        "{text}"
    );

    let sample = repo_path("exhibits/phone-scams/exhibit.toml");
    let file = kiosk(&["validate", sample.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&file.stdout);
    assert_eq!(file.status.code(), Some(0), "{text}");
    assert!(text.contains("1 exhibits valid, 0 left out"), "{text}");
    // No kiosk.toml: the languages checked are said.
    assert!(
        text.contains("checked for the languages zh, en (no kiosk.toml: the defaults"),
        "{text}"
    );
}

#[test]
fn validate_refuses_a_folder_with_nothing_to_check_and_a_path_that_is_not_there() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir(empty.path().join("pictures")).unwrap();
    let output = kiosk(&["validate", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("holds no exhibits"), "{text}");

    let missing = empty.path().join("no-such-folder");
    let output = kiosk(&["validate", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));

    let readme = empty.path().join("notes.txt");
    std::fs::write(&readme, "not a manifest").unwrap();
    let output = kiosk(&["validate", readme.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not an exhibit.toml"));
}

#[test]
fn validate_into_a_reader_that_stops_early_ends_quietly() {
    // `kepu-kiosk validate … | head -0`: the reader is gone before the first line (the
    // corpus takes a while to check, so the pipe is closed before anything is written; one
    // still in the pipe's buffer would not fail the write).
    let corpus = repo_path("crates/kepu-core/tests/corpus");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["validate", corpus.to_str().unwrap()])
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn strict_turns_warnings_into_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo_path("crates/kepu-core/tests/corpus/15-oversized-image"),
        &dir.path().join("big"),
    );
    let folder = dir.path().to_str().unwrap();
    assert_eq!(kiosk(&["validate", folder]).status.code(), Some(0));
    let strict = kiosk(&["validate", folder, "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stdout).contains("warning: the image of page 1"));
}

#[test]
fn schema_prints_a_json_schema_of_exhibit_toml() {
    let output = kiosk(&["schema"]);
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["title"], "ExhibitManifest");
    assert!(schema["properties"]["hotspots"].is_object());
}

#[test]
fn a_window_size_without_windowed_is_refused_rather_than_ignored() {
    let output = kiosk(&["run", "--window-size", "1920x1080"]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("--windowed"), "{text}");
}

/// Every file under `dir` with its bytes, in path order.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn new_writes_an_exhibit_of_every_kind_that_passes_strict_validation() {
    let dir = tempfile::tempdir().unwrap();
    let exhibits = dir.path().join("exhibits");
    let exhibits_arg = exhibits.to_str().unwrap();
    for kind in ["story", "quiz", "hotspots", "simulation", "sort"] {
        let id = format!("my-{kind}");
        let output = kiosk(&["new", kind, &id, "--dir", exhibits_arg]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let folder = exhibits.join(&id);
        assert!(text.contains(&format!("wrote {}", folder.join("exhibit.toml").display())));
        assert!(text.contains(&format!("wrote {}", folder.join("cover.png").display())));
        assert!(
            text.contains(&format!("kepu-kiosk validate {}", folder.display())),
            "{text}"
        );
        let manifest = std::fs::read_to_string(folder.join("exhibit.toml")).unwrap();
        assert!(
            manifest.contains(&format!("kind = \"{kind}\"")),
            "{manifest}"
        );

        let check = kiosk(&["validate", folder.to_str().unwrap(), "--strict"]);
        let report = String::from_utf8_lossy(&check.stdout);
        assert_eq!(check.status.code(), Some(0), "{kind}: {report}");
        assert!(
            report.contains("1 exhibits valid, 0 left out; 0 errors, 0 warnings"),
            "{report}"
        );
    }
    // All five side by side.
    let all = kiosk(&["validate", exhibits_arg, "--strict"]);
    let report = String::from_utf8_lossy(&all.stdout);
    assert_eq!(all.status.code(), Some(0), "{report}");
    assert!(report.contains("5 exhibits valid, 0 left out"), "{report}");

    // Again with an id that is taken: refused, the curator's work untouched.
    let folder = exhibits.join("my-story");
    std::fs::write(folder.join("exhibit.toml"), "# the curator's work").unwrap();
    let before = snapshot(&folder);
    let again = kiosk(&["new", "quiz", "my-story", "--dir", exhibits_arg]);
    assert_eq!(again.status.code(), Some(2));
    let text = String::from_utf8_lossy(&again.stderr);
    assert!(text.contains("already exists"), "{text}");
    assert_eq!(snapshot(&folder), before);
}

#[test]
fn new_refuses_a_bad_id_and_finds_the_exhibits_folder_in_kiosk_toml() {
    let dir = tempfile::tempdir().unwrap();
    let new = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
            .arg("new")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let bad = new(&["story", "My Story"]);
    assert_eq!(bad.status.code(), Some(2));
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(text.contains("cannot be an exhibit id"), "{text}");
    assert!(text.contains("lowercase letters a-z"), "{text}");
    assert!(!dir.path().join("exhibits").exists(), "nothing written");

    let unknown = new(&["puzzle", "p"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("story"));

    // No kiosk.toml: ./exhibits.
    assert_eq!(new(&["sort", "sort-one"]).status.code(), Some(0));
    assert!(dir.path().join("exhibits/sort-one/exhibit.toml").is_file());
    // With one: its exhibits folder.
    std::fs::write(
        dir.path().join("kiosk.toml"),
        "kiosk_id = \"k\"\nserver_url = \"http://127.0.0.1:1\"\nexhibits_dir = \"content\"\n",
    )
    .unwrap();
    let output = new(&["simulation", "sim-one"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(dir.path().join("content/sim-one/exhibit.toml").is_file());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("kepu-kiosk validate content/sim-one")
    );
}

#[test]
fn validate_speaks_chinese_with_lang_zh_and_from_the_system_locale() {
    let broken = repo_path("crates/kepu-core/tests/corpus/04-unknown-kind");
    let zh = kiosk(&["validate", broken.to_str().unwrap(), "--lang", "zh"]);
    let text = String::from_utf8_lossy(&zh.stdout);
    assert_eq!(zh.status.code(), Some(2), "{text}");
    assert!(text.contains("exhibit.toml:2:8: 错误: "), "{text}");
    assert!(text.contains("puzzle"), "{text}");
    assert!(
        text.contains("0 个展品通过，1 个未通过；1 个错误，0 个警告"),
        "{text}"
    );
    assert!(text.contains("按默认语言 zh, en 检查"), "{text}");
    // The same check in English, and from the locale when --lang is not given.
    let en = kiosk(&["validate", broken.to_str().unwrap(), "--lang", "en"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("2:8: error: unknown exhibit kind"));
    let from_locale = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["validate", broken.to_str().unwrap()])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&from_locale.stdout).contains("1 个错误"));
    // A language it does not have is refused, not ignored.
    let other = kiosk(&["validate", broken.to_str().unwrap(), "--lang", "fr"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("--lang takes zh or en"));
}

#[test]
fn preview_refuses_what_is_not_one_exhibit_before_opening_a_window() {
    let samples = repo_path("exhibits");
    let folder = kiosk(&["preview", samples.to_str().unwrap()]);
    assert_eq!(folder.status.code(), Some(2));
    let text = String::from_utf8_lossy(&folder.stderr);
    assert!(text.contains("is not an exhibit's folder"), "{text}");
    assert!(text.contains("kepu-kiosk validate"), "{text}");

    let missing = kiosk(&["preview", "/no/such/exhibit"]);
    assert_eq!(missing.status.code(), Some(2));

    let one = repo_path("exhibits/phone-scams");
    let french = kiosk(&["preview", one.to_str().unwrap(), "--lang", "fr"]);
    assert_eq!(french.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&french.stderr).contains("--lang takes zh or en"));

    // Screenshots of every save inside the exhibit would each be a change to reload.
    let inside = one.join("shot.png");
    let looping = kiosk(&[
        "preview",
        one.to_str().unwrap(),
        "--screenshot",
        inside.to_str().unwrap(),
        "--every-save",
    ]);
    assert_eq!(looping.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&looping.stderr).contains("outside the exhibit's folder"),
        "{}",
        String::from_utf8_lossy(&looping.stderr)
    );
}
