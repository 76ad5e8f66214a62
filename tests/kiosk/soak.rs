//! Soak: the autopilot plays 2,000 visitors on a headless kiosk (its own process, so the
//! memory measured is the kiosk's alone). Nothing is lost, every event reaches the outbox,
//! and resident memory at the end is within 10 % of what it was after the first 100 visitors
//! (each the median of the readings on the attract screen between 50 visitors; see
//! `AutopilotReport`).

use crate::harness::sample_config;
use kepu_core::outbox::Outbox;
use std::process::Command;

/// The number after `label` in the report line, e.g. `123` in "... 123 visitors ...".
fn number_before(report: &str, label: &str) -> u64 {
    let at = report
        .find(label)
        .unwrap_or_else(|| panic!("no \"{label}\" in {report:?}"));
    report[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before \"{label}\" in {report:?}"))
}

#[test]
fn two_thousand_visitors_leave_memory_flat_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = sample_config(dir.path(), "http://127.0.0.1:9", 60);
    let output = Command::new(env!("CARGO_BIN_EXE_kepu-kiosk"))
        .args(["run", "--headless", "--autopilot", "2000", "--seed", "2026"])
        .arg("--config")
        .arg(dir.path().join("kiosk.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "autopilot failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = stdout
        .lines()
        .find(|l| l.starts_with("autopilot:"))
        .unwrap_or_else(|| panic!("no report in {stdout:?}"));
    assert_eq!(number_before(report, "visitors"), 2000, "{report}");
    assert_eq!(number_before(report, "lost"), 0, "{report}");
    let written = number_before(report, "events written");
    // At least a session start and end per visitor.
    assert!(written >= 4000, "{report}");
    let after_100 = number_before(report, "MiB after 100 visitors");
    let at_end = number_before(report, "MiB at the end");
    assert!(
        at_end * 10 <= after_100 * 11,
        "memory grew from {after_100} MiB to {at_end} MiB: {report}"
    );
    // Every event written is in the outbox (no server here to take them).
    let backlog = Outbox::open(&config.outbox_path())
        .unwrap()
        .backlog()
        .unwrap();
    assert_eq!(backlog, written, "{report}");
}
