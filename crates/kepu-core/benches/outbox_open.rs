//! How long a kiosk's outbox takes to open at start, by size: the structural check
//! (`PRAGMA quick_check`, which reads every page) against the baseline of opening the same file
//! without it. The writer thread does this before its first write, so it is how long after
//! start the first events become durable (the kiosk's frames never wait for it).
//!
//! `cargo bench -p kepu-core --bench outbox_open [MB ...]` (default 50 and 500 MB). Page cache
//! warm (the file was just written), as after a kiosk restart; a cold start after power-on
//! reads the file from disk once more.

// A bench binary: a panic is the clearest report of a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::outbox::{EventStamp, Outbox};
use kepu_core::wire::{EventDraft, EventKind};
use std::time::{Duration, Instant};
use uuid::Uuid;

const RUNS: usize = 3;

fn fill(outbox: &mut Outbox, megabytes: u64) -> u64 {
    let stamp = EventStamp::for_this_boot("bench-kiosk", "bench");
    let mut events = 0u64;
    while outbox.used_bytes().unwrap() < megabytes * 1024 * 1024 {
        let group: Vec<EventDraft> = (0..5_000)
            .map(|n| EventDraft {
                id: Uuid::now_v7(),
                session_id: Some(Uuid::new_v4()),
                occurred_at_ms: 1_700_000_000_000 + (events + n) as i64 * 864,
                event: EventKind::QuizAnswer {
                    exhibit_id: format!("exhibit-{}", n % 20),
                    question_id: format!("q{}", n % 7),
                    choice_ids: vec!["b".into()],
                    correct: n % 3 == 0,
                    value: None,
                    answer_ms: 2_400,
                },
            })
            .collect();
        outbox.append(&stamp, &group).unwrap();
        events += group.len() as u64;
    }
    events
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![50, 500]
    } else {
        sizes
    };
    for megabytes in sizes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        let events = fill(&mut Outbox::open(&path).unwrap(), megabytes);
        let (mut plain, mut checked) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let started = Instant::now();
            let outbox = Outbox::open(&path).unwrap();
            plain.push(started.elapsed());
            drop(outbox);
            let started = Instant::now();
            let (outbox, recovered) = Outbox::open_or_recover(&path).unwrap();
            checked.push(started.elapsed());
            assert!(recovered.is_none());
            drop(outbox);
        }
        let (plain, checked) = (median(plain), median(checked));
        println!(
            "{megabytes:>4} MB outbox ({events} events): open {plain:>10.1?} (baseline), open + quick_check {checked:>10.1?} ({:.0}x), median of {RUNS}",
            checked.as_secs_f64() / plain.as_secs_f64().max(1e-9)
        );
    }
}
