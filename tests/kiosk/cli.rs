//! The command line: `validate` exit codes and formats, `schema`, `run`'s option checks.

use crate::harness::{copy_dir, repo_path};
use std::process::{Command, Output};

fn kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(args)
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
        text.contains("04-unknown-kind/exhibit.toml:2:8: error: unknown variant `puzzle`"),
        "{text}"
    );
    assert!(text.contains("1 exhibits valid, 34 left out"), "{text}");

    let json = kiosk(&["validate", corpus.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["exhibits_left_out"], 34);
    assert_eq!(report["warnings"], 1);
    let first = &report["problems"][0];
    assert!(first["file"].as_str().unwrap().ends_with("exhibit.toml"));
    assert!(first["line"].is_u64() && first["message"].is_string());
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
