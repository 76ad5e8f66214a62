//! Outbox and delivery throughput, each beside a baseline measured in the same run:
//!
//! - durable append: events recorded through `OutboxWriter` until `wait_durable` confirms them
//!   (stamping, JSON, group commits with `synchronous=FULL`);
//! - drain: a full outbox delivered by the `Uploader` to a kepu-server on loopback (claim,
//!   gzip, HTTP, the server's decode and insert, acknowledgement, delete);
//! - baseline: the same rows (already serialised) inserted with plain rusqlite into a table of
//!   the same shape, same pragmas, 1,000 rows per transaction;
//! - latency: one event from `record` to confirmed on disk, with the writer otherwise idle.
//!
//! `cargo bench -p kepu-server --bench delivery` (release build). Throughputs are the median of 3 runs.

// A bench binary: a panic is the clearest report of a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::outbox::{EventStamp, Outbox, OutboxWriter};
use kepu_core::uploader::{Uploader, UploaderConfig};
use kepu_core::wire::{EngagementEvent, EventDraft, EventKind, SCHEMA_VERSION};
use kepu_server::limits::{RateLimiter, RatePolicy};
use kepu_server::serve::ServeLimits;
use kepu_server::{AppState, Guards, app, auth};
use kepu_store::events::EventToStore;
use kepu_store::{Location, OpenOptions, Store};
use std::path::Path;
use std::time::{Duration, Instant};
use uuid::Uuid;

const EVENTS: u64 = 100_000;
const RUNS: usize = 3;

fn drafts() -> Vec<EventDraft> {
    (0..EVENTS)
        .map(|n| EventDraft {
            id: Uuid::now_v7(),
            session_id: Some(Uuid::new_v4()),
            occurred_at_ms: 1_780_000_000_000 + n as i64 * 864,
            event: EventKind::QuizAnswer {
                exhibit_id: format!("exhibit-{}", n % 20),
                question_id: format!("q{}", n % 7),
                choice_ids: vec!["b".into()],
                correct: n % 3 == 0,
                value: None,
                answer_ms: 2_400,
            },
        })
        .collect()
}

/// Plain rusqlite: the rows the outbox would store, inserted without anything around them.
fn baseline(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> f64 {
    let rows: Vec<(i64, String, String)> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let event = EngagementEvent {
                id: d.id,
                kiosk_id: stamp.kiosk_id.clone(),
                boot_id: stamp.boot_id,
                seq: i as u64 + 1,
                session_id: d.session_id,
                occurred_at_ms: d.occurred_at_ms,
                app_version: stamp.app_version.clone(),
                schema_version: SCHEMA_VERSION,
                event: d.event.clone(),
            };
            (
                i as i64 + 1,
                d.id.to_string(),
                serde_json::to_string(&event).unwrap(),
            )
        })
        .collect();
    let mut conn = rusqlite::Connection::open(dir.join("baseline.sqlite3")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);",
    )
    .unwrap();
    let started = Instant::now();
    for group in rows.chunks(1_000) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO outbox (seq, id, body) VALUES (?1, ?2, ?3)")
                .unwrap();
            for (seq, id, body) in group {
                insert.execute(rusqlite::params![seq, id, body]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    rate(started.elapsed())
}

fn append(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> f64 {
    let writer = OutboxWriter::spawn(&dir.join("append.sqlite3"), stamp.clone()).unwrap();
    let started = Instant::now();
    for draft in drafts {
        writer.record(draft.clone()).unwrap();
    }
    let durable = writer.wait_durable().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(durable.written, EVENTS);
    rate(elapsed)
}

fn drain(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> f64 {
    let path = dir.join("drain.sqlite3");
    let mut outbox = Outbox::open(&path).unwrap();
    for group in drafts.chunks(1_000) {
        outbox.append(stamp, group).unwrap();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let token = auth::new_token();
    let (db, listener) = runtime.block_on(async {
        let db = open_store(&dir.join("server.sqlite3")).await;
        db.add_kiosk("bench", &stamp.kiosk_id, &auth::hash_token(&token), 0)
            .await
            .unwrap();
        (
            db,
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
    });
    let url = format!("http://{}", listener.local_addr().unwrap());
    // One kiosk draining as fast as it can: its rate limit is lifted for the measurement.
    let state = AppState::with_guards(
        db.clone(),
        Guards {
            kiosk_requests: RateLimiter::new(RatePolicy {
                per_second: 1e9,
                burst: u32::MAX,
                ..RatePolicy::default()
            }),
            ..Guards::default()
        },
    );
    runtime.spawn(kepu_server::serve::serve(
        listener,
        app(state),
        ServeLimits::default(),
        std::future::pending(),
    ));

    let mut config = UploaderConfig::new(&url, &token, path);
    config.idle_poll = Duration::from_millis(1);
    let started = Instant::now();
    let uploader = Uploader::spawn(config).unwrap();
    while uploader.status().delivered < EVENTS {
        std::thread::sleep(Duration::from_millis(1));
    }
    let elapsed = started.elapsed();
    drop(uploader);
    runtime.block_on(db.roll_up_all()).unwrap();
    assert_eq!(runtime.block_on(db.summary()).unwrap().events, EVENTS);
    rate(elapsed)
}

/// Latency of one event from `record` to confirmed on disk, while the writer is otherwise idle:
/// (median, 99th percentile, worst) of 1,000.
fn durable_latency(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> [Duration; 3] {
    let writer = OutboxWriter::spawn(&dir.join("latency.sqlite3"), stamp.clone()).unwrap();
    let mut samples: Vec<Duration> = drafts[..1_000]
        .iter()
        .map(|draft| {
            let started = Instant::now();
            writer.record(draft.clone()).unwrap();
            writer.wait_durable().unwrap();
            started.elapsed()
        })
        .collect();
    samples.sort();
    [samples[500], samples[990], samples[999]]
}

/// The kiosk's share of a drain, as the uploader does it: claim 500, write the request body
/// from the stored JSON, gzip it, delete the batch; no network.
fn claim_acknowledge(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> f64 {
    use std::io::Write;
    let mut outbox = Outbox::open(&dir.join("claim.sqlite3")).unwrap();
    for group in drafts.chunks(1_000) {
        outbox.append(stamp, group).unwrap();
    }
    let started = Instant::now();
    loop {
        let rows = outbox.claim_stored_after(0, 500).unwrap();
        if rows.is_empty() {
            break;
        }
        let mut json = b"{\"events\":[".to_vec();
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.extend_from_slice(row.body.as_bytes());
        }
        json.extend_from_slice(b"]}");
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(&json).unwrap();
        std::hint::black_box(gzip.finish().unwrap());
        let seqs: Vec<u64> = rows.iter().map(|r| r.seq).collect();
        outbox.acknowledge(&seqs).unwrap();
    }
    rate(started.elapsed())
}

/// The server's share: `Store::insert_events` of 500-event batches, no HTTP.
fn server_inserts(dir: &Path, stamp: &EventStamp, drafts: &[EventDraft]) -> f64 {
    let mut outbox = Outbox::open(&dir.join("source.sqlite3")).unwrap();
    for group in drafts.chunks(1_000) {
        outbox.append(stamp, group).unwrap();
    }
    let events = outbox.peek(drafts.len()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bodies: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    runtime.block_on(async {
        let db = open_store(&dir.join("inserts.sqlite3")).await;
        db.add_kiosk("bench", &stamp.kiosk_id, "x", 0)
            .await
            .unwrap();
        let rows: Vec<EventToStore<'_>> = events
            .iter()
            .zip(&bodies)
            .map(|(event, body)| EventToStore {
                event,
                occurred_at_ms: event.occurred_at_ms,
                occurred_at_trusted: true,
                body,
            })
            .collect();
        let started = Instant::now();
        for batch in rows.chunks(500) {
            db.insert_events(batch, 0).await.unwrap();
        }
        rate(started.elapsed())
    })
}

/// A fresh SQLite store with the bench's venue.
async fn open_store(path: &Path) -> Store {
    let store = kepu_store::open(
        &Location::SqliteFile(path.to_path_buf()),
        &OpenOptions::default(),
    )
    .await
    .unwrap();
    store.add_venue("bench", 0).await.unwrap();
    store
}

fn rate(elapsed: Duration) -> f64 {
    EVENTS as f64 / elapsed.as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let stamp = EventStamp::for_this_boot("bench-kiosk", "0.1.0-bench");
    let (mut base, mut appended, mut drained) = (Vec::new(), Vec::new(), Vec::new());
    let (mut kiosk_side, mut server_side) = (Vec::new(), Vec::new());
    let mut latency = [Duration::ZERO; 3];
    for _ in 0..RUNS {
        let drafts = drafts();
        let dir = tempfile::tempdir().unwrap();
        base.push(baseline(dir.path(), &stamp, &drafts));
        appended.push(append(dir.path(), &stamp, &drafts));
        drained.push(drain(dir.path(), &stamp, &drafts));
        kiosk_side.push(claim_acknowledge(dir.path(), &stamp, &drafts));
        server_side.push(server_inserts(dir.path(), &stamp, &drafts));
        let run = durable_latency(dir.path(), &stamp, &drafts);
        for (worst, this) in latency.iter_mut().zip(run) {
            *worst = (*worst).max(this);
        }
    }
    let (base, appended, drained) = (median(base), median(appended), median(drained));
    println!("{EVENTS} events, median of {RUNS} runs");
    println!("baseline: raw rusqlite insert of the same rows  {base:>10.0} events/s");
    println!(
        "outbox durable append (OutboxWriter)           {appended:>10.0} events/s  ({:.2}x baseline)",
        appended / base
    );
    println!(
        "drain to a loopback kepu-server (Uploader)     {drained:>10.0} events/s  ({:.2}x baseline)",
        drained / base
    );
    println!(
        "  kiosk side alone (claim, gzip, delete)        {:>10.0} events/s",
        median(kiosk_side)
    );
    println!(
        "  server side alone (Store::insert_events)       {:>10.0} events/s",
        median(server_side)
    );
    println!(
        "one event, record -> on disk (idle writer)      median {:?}, p99 {:?}, worst {:?} (worst of {RUNS} runs)",
        latency[0], latency[1], latency[2]
    );
}
