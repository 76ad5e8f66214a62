//! District server ingest and roll-up, each beside a baseline measured in the same run, on
//! SQLite and on PostgreSQL (figures: docs/performance.md, "District server: ingest and
//! roll-up"):
//!
//! - HTTP ingest: the real `kepu-server` binary (a process of its own, release build) on a
//!   fresh database with 50 kiosks; 50 concurrent simulated kiosks each send their gzip JSON
//!   batches of 500 events in order, one request at a time, over keep-alive connections, and
//!   ten of them send one batch twice (a lost acknowledgement), which must come back as
//!   duplicates. Timed from the first send to the last acknowledgement. The server's own
//!   background roll-up runs meanwhile, as in production. The per-kiosk rate limit is raised
//!   (`kiosk_requests_per_second`, `kiosk_burst` in the server's --config) so that the server,
//!   not the limiter, is measured.
//! - baseline: the very same rows (same columns, same JSON bodies, same batches in the same
//!   order, duplicates included) inserted straight into a second fresh database of the same
//!   engine and schema (made by `kepu_store::open`, so by the same migrations) with multi-row
//!   `INSERT … ON CONFLICT DO NOTHING`, 500 rows per transaction, one connection: rusqlite
//!   with the server's pragmas on SQLite, sqlx on PostgreSQL. No HTTP, JSON or validation.
//! - where the time goes, in-process: gunzip, JSON parsing (axum's extractor), validation and
//!   re-serialisation of the same batches on one thread, and `Store::insert_events` (+
//!   `kiosk_seen`) of the same rows from one task.
//! - roll-up: `Store::roll_up_all()` over N raw events (inserted by the baseline path), and
//!   the lag after a burst: N events sent over HTTP by the 50 kiosks as fast as the server
//!   takes them, then the time from the last acknowledgement until `oldest_unfolded_ms()` is
//!   `None`, the server's own background roll-up doing the work.
//! - memory: the server process's VmRSS sampled every 50 ms during each load, its VmHWM, and
//!   its VmRSS once idle again.
//!
//! `cargo bench -p kepu-server --bench ingest` (release build). Choose engines with arguments
//! (`-- sqlite`, `-- postgres`) or `KEPU_BENCH_ENGINES=sqlite,postgres` (the default: both);
//! PostgreSQL needs `KEPU_TEST_POSTGRES_URL` (a role that may create databases) and is skipped
//! with a message without it. `KEPU_BENCH_RUNS` (3), `KEPU_BENCH_EVENTS_PER_KIOSK` (4,000),
//! `KEPU_BENCH_ROLLUP_EVENTS` (1,000,000; 0 skips the roll-up part) change the sizes;
//! `KEPU_BENCH_PERF=DIR` records system-wide `perf` profiles of the first HTTP run and of
//! `roll_up_all()` of each engine into DIR. Throughputs are medians of the runs.

// A bench binary: a panic is the clearest report of a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use flate2::Compression;
use flate2::write::GzEncoder;
use kepu_core::manifest::Audience;
use kepu_core::wire::check::check_event;
use kepu_core::wire::{
    AccessibilityModes, EngagementEvent, EventKind, INGEST_PATH, IngestRequest, IngestResponse,
    MAX_BATCH, SCHEMA_VERSION, SessionEndReason,
};
use kepu_server::auth;
use kepu_store::events::{EventToStore, partition_ms};
use kepu_store::kiosks::KioskSeen;
use kepu_store::{Engine, Location, OpenOptions, Store};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

const KIOSKS: usize = 50;
const VENUE: &str = "bench-venue";
/// Every `RESEND_EVERY`-th kiosk sends its third batch twice.
const RESEND_EVERY: usize = 5;
/// The raised per-kiosk rate limit (the default, 10 requests/s with a burst of 60, would allow
/// 50 kiosks 250,000 events/s in all, but a limiter must not be what is measured).
const RATE_CONFIG: &str = "kiosk_requests_per_second = 100000.0\nkiosk_burst = 100000\n";
const EVENT_COLUMNS: &str = "id, kiosk_id, boot_id, seq, session_id, event_type, exhibit_id, \
     correct, occurred_at_ms, occurred_at_trusted, received_at_ms, body, partition_ms";

// ---------------------------------------------------------------------------------------------
// Settings

struct Settings {
    engines: Vec<Engine>,
    runs: usize,
    events_per_kiosk: usize,
    rollup_events: usize,
    perf_dir: Option<PathBuf>,
    postgres_admin: Option<String>,
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value
            .replace(['_', ','], "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a whole number")),
        Err(_) => default,
    }
}

fn settings() -> Settings {
    // `cargo bench` passes `--bench`; anything else not starting with `-` names engines.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let list = if args.is_empty() {
        std::env::var("KEPU_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into())
    } else {
        args.join(",")
    };
    let postgres_admin = std::env::var(kepu_store::testing::POSTGRES_URL_VAR).ok();
    let mut engines = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" => engines.push(Engine::Sqlite),
            "postgres" | "postgresql" | "pg" => {
                if postgres_admin.is_some() {
                    engines.push(Engine::Postgres);
                } else {
                    println!(
                        "PostgreSQL skipped: set {} to a URL of a role that may CREATE DATABASE, \
                         e.g. postgres://kepu_test:kepu_test@127.0.0.1:5432/postgres",
                        kepu_store::testing::POSTGRES_URL_VAR
                    );
                }
            }
            other => panic!("unknown engine \"{other}\": use sqlite and/or postgres"),
        }
    }
    let events_per_kiosk = env_usize("KEPU_BENCH_EVENTS_PER_KIOSK", 4_000);
    assert!(
        events_per_kiosk >= 4 * MAX_BATCH,
        "KEPU_BENCH_EVENTS_PER_KIOSK must be at least {}",
        4 * MAX_BATCH
    );
    Settings {
        engines,
        runs: env_usize("KEPU_BENCH_RUNS", 3).max(1),
        events_per_kiosk,
        rollup_events: env_usize("KEPU_BENCH_ROLLUP_EVENTS", 1_000_000),
        perf_dir: std::env::var_os("KEPU_BENCH_PERF").map(PathBuf::from),
        postgres_admin,
    }
}

// ---------------------------------------------------------------------------------------------
// Realistic events: visitor sessions of 12 events at each kiosk

fn kiosk_name(index: usize) -> String {
    format!("bench-kiosk-{index:02}")
}

const AUDIENCES: [Option<Audience>; 9] = [
    Some(Audience::Adult),
    Some(Audience::Child),
    None,
    Some(Audience::Family),
    Some(Audience::Youth),
    Some(Audience::Senior),
    Some(Audience::Rural),
    Some(Audience::Worker),
    Some(Audience::CivilServant),
];

/// One kiosk's event stream: seq from 1, one boot, sessions one after another.
struct KioskGen {
    index: usize,
    kiosk_id: String,
    boot_id: Uuid,
    seq: u64,
    session: Uuid,
    sessions: u64,
    session_started_ms: i64,
    start_ms: i64,
    step_ms: i64,
}

impl KioskGen {
    /// Events `step_ms` apart from `start_ms` (kiosk clock).
    fn new(index: usize, start_ms: i64, step_ms: i64) -> Self {
        Self {
            index,
            kiosk_id: kiosk_name(index),
            boot_id: Uuid::new_v4(),
            seq: 0,
            session: Uuid::new_v4(),
            sessions: 0,
            session_started_ms: start_ms,
            start_ms,
            step_ms,
        }
    }

    fn next_event(&mut self) -> EngagementEvent {
        let step = self.seq % 12;
        self.seq += 1;
        let at = self.start_ms + (self.seq as i64 - 1) * self.step_ms;
        let n = self.sessions;
        let exhibit_id = format!("exhibit-{}", (n as usize * 7 + self.index) % 20);
        let event = match step {
            0 => {
                self.session = Uuid::new_v4();
                self.session_started_ms = at;
                EventKind::SessionStart {
                    language: "zh".into(),
                    modes: AccessibilityModes::default(),
                }
            }
            1 => EventKind::AudienceChoice {
                audience: AUDIENCES[n as usize % AUDIENCES.len()],
            },
            2 => EventKind::ExhibitOpen { exhibit_id },
            3 | 4 => EventKind::StoryPageView {
                exhibit_id,
                page: step as u32 - 2,
            },
            5..=7 => EventKind::QuizAnswer {
                exhibit_id,
                question_id: format!("q{}", step - 4),
                choice_ids: vec![["a", "b", "c"][(n + step) as usize % 3].into()],
                correct: !(n + step).is_multiple_of(3),
                value: None,
                answer_ms: 2_000 + (n % 50) * 100,
            },
            8 => EventKind::QuizComplete {
                exhibit_id,
                score: (n % 4) as u32,
                max_score: 3,
            },
            9 => EventKind::HotspotOpen {
                exhibit_id,
                hotspot_id: format!("h{}", n % 4),
            },
            10 => EventKind::ExhibitClose {
                exhibit_id,
                dwell_ms: 20_000 + (n % 60) * 1_000,
            },
            _ => {
                self.sessions += 1;
                EventKind::SessionEnd {
                    reason: SessionEndReason::StartOver,
                    duration_ms: (at - self.session_started_ms).max(0) as u64,
                }
            }
        };
        EngagementEvent {
            id: Uuid::now_v7(),
            kiosk_id: self.kiosk_id.clone(),
            boot_id: self.boot_id,
            seq: self.seq,
            session_id: Some(self.session),
            occurred_at_ms: at,
            app_version: "0.1.0".into(),
            schema_version: SCHEMA_VERSION,
            event,
        }
    }

    fn next_batch(&mut self, n: usize) -> Vec<EngagementEvent> {
        (0..n).map(|_| self.next_event()).collect()
    }
}

/// One event as the server stores it, with nothing left to compute but the receive time.
struct RawRow {
    id: String,
    kiosk_id: String,
    boot_id: String,
    seq: i64,
    session_id: Option<String>,
    event_type: &'static str,
    exhibit_id: Option<String>,
    correct: Option<i64>,
    occurred_at_ms: i64,
    partition_ms: i64,
    body: String,
}

fn raw_row(event: &EngagementEvent, body: String) -> RawRow {
    let correct = match &event.event {
        EventKind::QuizAnswer { correct, .. } | EventKind::SortPlacement { correct, .. } => {
            Some(i64::from(*correct))
        }
        _ => None,
    };
    RawRow {
        id: event.id.to_string(),
        kiosk_id: event.kiosk_id.clone(),
        boot_id: event.boot_id.to_string(),
        seq: event.seq as i64,
        session_id: event.session_id.map(|s| s.to_string()),
        event_type: event.event.type_name(),
        exhibit_id: event.event.exhibit_id().map(str::to_owned),
        correct,
        occurred_at_ms: event.occurred_at_ms,
        partition_ms: partition_ms(event.occurred_at_ms),
        body,
    }
}

/// The request body as the kiosk's uploader writes it: the stored JSON of each event, joined,
/// gzipped at the uploader's level.
fn gzip_batch(bodies: &[String]) -> Vec<u8> {
    let mut json = b"{\"events\":[".to_vec();
    for (i, body) in bodies.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.extend_from_slice(body.as_bytes());
    }
    json.extend_from_slice(b"]}");
    let mut gzip = GzEncoder::new(Vec::new(), Compression::fast());
    gzip.write_all(&json).unwrap();
    gzip.finish().unwrap()
}

/// What one kiosk sends: its batches, and the order it sends them in (with a resend).
struct KioskLoad {
    name: String,
    token: String,
    batches: Vec<Vec<u8>>,
    order: Vec<usize>,
}

struct Workload {
    kiosks: Vec<Arc<KioskLoad>>,
    /// rows[kiosk][batch]: the same events as rows (kept only when a baseline needs them).
    rows: Vec<Vec<Vec<RawRow>>>,
    unique_events: u64,
    sent_events: u64,
    gzip_bytes: u64,
    json_bytes: u64,
}

impl Workload {
    /// `per_kiosk` events for each of the 50 kiosks, spread evenly over `span_ms` before now.
    fn build(
        tokens: &[String],
        per_kiosk: usize,
        span_ms: i64,
        resend: bool,
        keep_rows: bool,
    ) -> Self {
        let now = kepu_core::now_unix_ms();
        let step_ms = (span_ms / per_kiosk as i64).max(1);
        let start_ms = now - span_ms - 60_000;
        let mut kiosks = Vec::new();
        let mut rows = Vec::new();
        let (mut unique, mut sent, mut gzip_bytes, mut json_bytes) = (0u64, 0u64, 0u64, 0u64);
        for (index, token) in tokens.iter().enumerate() {
            let mut generator = KioskGen::new(index, start_ms, step_ms);
            let mut batches = Vec::new();
            let mut kiosk_rows = Vec::new();
            let mut left = per_kiosk;
            while left > 0 {
                let n = left.min(MAX_BATCH);
                left -= n;
                let events = generator.next_batch(n);
                let bodies: Vec<String> = events
                    .iter()
                    .map(|e| serde_json::to_string(e).unwrap())
                    .collect();
                json_bytes += bodies.iter().map(|b| b.len() as u64 + 1).sum::<u64>() + 12;
                let gz = gzip_batch(&bodies);
                gzip_bytes += gz.len() as u64;
                batches.push(gz);
                if keep_rows {
                    kiosk_rows.push(
                        events
                            .iter()
                            .zip(bodies)
                            .map(|(e, b)| raw_row(e, b))
                            .collect(),
                    );
                }
                unique += n as u64;
            }
            let mut order: Vec<usize> = (0..batches.len()).collect();
            if resend && index % RESEND_EVERY == 0 {
                // The acknowledgement of the third batch was lost: the kiosk sends it again.
                order.insert(3, 2);
            }
            sent += order
                .iter()
                .map(|&b| batch_len(per_kiosk, b) as u64)
                .sum::<u64>();
            kiosks.push(Arc::new(KioskLoad {
                name: kiosk_name(index),
                token: token.clone(),
                batches,
                order,
            }));
            rows.push(kiosk_rows);
        }
        Self {
            kiosks,
            rows,
            unique_events: unique,
            sent_events: sent,
            gzip_bytes,
            json_bytes,
        }
    }

    /// The batches in the order a server receives them from kiosks sending side by side:
    /// each kiosk's first, then each one's second, ... (resends included).
    fn round_robin(&self) -> Vec<(usize, usize)> {
        let longest = self.kiosks.iter().map(|k| k.order.len()).max().unwrap_or(0);
        let mut out = Vec::new();
        for position in 0..longest {
            for (k, kiosk) in self.kiosks.iter().enumerate() {
                if let Some(&b) = kiosk.order.get(position) {
                    out.push((k, b));
                }
            }
        }
        out
    }

    fn row_batches(&self) -> Vec<&[RawRow]> {
        self.round_robin()
            .into_iter()
            .map(|(k, b)| self.rows[k][b].as_slice())
            .collect()
    }
}

fn batch_len(per_kiosk: usize, batch: usize) -> usize {
    (per_kiosk - batch * MAX_BATCH).min(MAX_BATCH)
}

// ---------------------------------------------------------------------------------------------
// Databases

/// A fresh database of `engine` holding the venue and the 50 kiosks; returns the `--database`
/// text, the kiosks' tokens, and what to drop at the end.
struct FreshDb {
    location: String,
    tokens: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

async fn fresh_db(engine: Engine, tokens: Option<&[String]>) -> FreshDb {
    let (location, dir) = match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("server.sqlite3");
            (path.display().to_string(), Some(dir))
        }
        Engine::Postgres => (
            kepu_store::testing::fresh_postgres_database()
                .await
                .unwrap(),
            None,
        ),
    };
    let store = open(&location).await;
    let now = kepu_core::now_unix_ms();
    store.prepare_partitions(now).await.unwrap();
    store.add_venue(VENUE, now).await.unwrap();
    let tokens: Vec<String> = match tokens {
        Some(tokens) => tokens.to_vec(),
        None => (0..KIOSKS).map(|_| auth::new_token()).collect(),
    };
    for (i, token) in tokens.iter().enumerate() {
        store
            .add_kiosk(VENUE, &kiosk_name(i), &auth::hash_token(token), now)
            .await
            .unwrap();
    }
    store.close().await;
    FreshDb {
        location,
        tokens,
        _dir: dir,
    }
}

async fn open(location: &str) -> Store {
    kepu_store::open(&Location::parse(location), &OpenOptions::default())
        .await
        .unwrap()
}

/// Drops a database `fresh_postgres_database` made (they are big after this bench).
async fn drop_postgres(admin_url: &str, url: &str) {
    let name = url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert!(name.starts_with("kepu_test_"), "will not drop {name}");
    let admin = sqlx::PgPool::connect(admin_url).await.unwrap();
    // Not WITH (FORCE): that may not end an autovacuum worker, which DROP ends by itself;
    // a connection of ours that is still closing is waited for.
    let mut tries = 0;
    while let Err(err) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&admin)
        .await
    {
        tries += 1;
        if tries == 20 {
            println!("  note: database {name} left behind: {err}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    admin.close().await;
}

fn insert_sql(rows: usize, engine: Engine) -> String {
    let mut sql = format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..13 {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            match engine {
                Engine::Sqlite => sql.push('?'),
                Engine::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// The baseline on SQLite: rusqlite, the server's pragmas, one prepared multi-row INSERT per
/// 500 rows, one transaction each. Returns (time, rows stored).
fn sqlite_raw_insert(location: &str, batches: &[&[RawRow]]) -> (Duration, u64) {
    let mut conn = rusqlite::Connection::open(location).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = memory; PRAGMA busy_timeout = 10000;",
    )
    .unwrap();
    let full = insert_sql(MAX_BATCH, Engine::Sqlite);
    let started = Instant::now();
    let mut stored = 0;
    for rows in batches {
        let received_at_ms = kepu_core::now_unix_ms();
        let tx = conn.transaction().unwrap();
        {
            let other;
            let sql = if rows.len() == MAX_BATCH {
                &full
            } else {
                other = insert_sql(rows.len(), Engine::Sqlite);
                &other
            };
            let mut insert = tx.prepare_cached(sql).unwrap();
            let mut i = 0;
            let mut bind = |stmt: &mut rusqlite::CachedStatement<'_>, v: &dyn rusqlite::ToSql| {
                i += 1;
                stmt.raw_bind_parameter(i, v).unwrap();
            };
            for row in rows.iter() {
                bind(&mut insert, &row.id);
                bind(&mut insert, &row.kiosk_id);
                bind(&mut insert, &row.boot_id);
                bind(&mut insert, &row.seq);
                bind(&mut insert, &row.session_id);
                bind(&mut insert, &row.event_type);
                bind(&mut insert, &row.exhibit_id);
                bind(&mut insert, &row.correct);
                bind(&mut insert, &row.occurred_at_ms);
                bind(&mut insert, &1_i64);
                bind(&mut insert, &received_at_ms);
                bind(&mut insert, &row.body);
                bind(&mut insert, &row.partition_ms);
            }
            stored += insert.raw_execute().unwrap() as u64;
        }
        tx.commit().unwrap();
    }
    (started.elapsed(), stored)
}

/// The baseline on PostgreSQL: sqlx, one connection, one multi-row INSERT (a prepared
/// statement, cached) per 500 rows, one transaction each.
async fn postgres_raw_insert(url: &str, batches: &[&[RawRow]]) -> (Duration, u64) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let full = insert_sql(MAX_BATCH, Engine::Postgres);
    let started = Instant::now();
    let mut stored = 0;
    for rows in batches {
        let received_at_ms = kepu_core::now_unix_ms();
        let mut tx = conn.begin().await.unwrap();
        let other;
        let sql = if rows.len() == MAX_BATCH {
            &full
        } else {
            other = insert_sql(rows.len(), Engine::Postgres);
            &other
        };
        let mut query = sqlx::query(sql);
        for row in rows.iter() {
            query = query
                .bind(&row.id)
                .bind(&row.kiosk_id)
                .bind(&row.boot_id)
                .bind(row.seq)
                .bind(&row.session_id)
                .bind(row.event_type)
                .bind(&row.exhibit_id)
                .bind(row.correct)
                .bind(row.occurred_at_ms)
                .bind(1_i64)
                .bind(received_at_ms)
                .bind(&row.body)
                .bind(row.partition_ms);
        }
        stored += query.execute(&mut *tx).await.unwrap().rows_affected();
        tx.commit().await.unwrap();
    }
    conn.close().await.unwrap();
    (started.elapsed(), stored)
}

async fn raw_insert(engine: Engine, location: &str, batches: &[&[RawRow]]) -> (Duration, u64) {
    match engine {
        Engine::Sqlite => sqlite_raw_insert(location, batches),
        Engine::Postgres => postgres_raw_insert(location, batches).await,
    }
}

/// Raw events not yet folded (read from a connection of the bench's own).
async fn unfolded_events(engine: Engine, location: &str) -> u64 {
    // "Not counted" as the roll-up defines it (src/rollup/mod.rs): no flag and past the
    // watermark.
    const SQL: &str = "SELECT COUNT(*) FROM events
                       WHERE folded = 0 AND arrival > (SELECT arrival FROM rollup_watermark)";
    match engine {
        Engine::Sqlite => {
            let conn = rusqlite::Connection::open(location).unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            conn.query_row(SQL, [], |row| row.get::<_, i64>(0)).unwrap() as u64
        }
        Engine::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(location).await.unwrap();
            let n: i64 = sqlx::query_scalar(SQL).fetch_one(&mut conn).await.unwrap();
            conn.close().await.unwrap();
            n as u64
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Child,
    url: String,
    pid: u32,
    _stdout: BufReader<ChildStdout>,
    log: PathBuf,
}

fn start_server(dir: &Path, location: &str) -> Server {
    let config = dir.join("server.toml");
    std::fs::write(&config, RATE_CONFIG).unwrap();
    let log = dir.join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kepu-server"))
        .arg("--config")
        .arg(&config)
        .arg("--database")
        .arg(location)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("cannot start the kepu-server binary");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let Some(url) = line.trim().strip_prefix("kepu-server listening on ") else {
        let _ = child.wait();
        panic!(
            "kepu-server did not start (\"{}\"); its log:\n{}",
            line.trim(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    };
    Server {
        pid: child.id(),
        url: url.to_owned(),
        child,
        _stdout: stdout,
        log,
    }
}

impl Server {
    /// SIGTERM (a graceful stop), then waits for it.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn status_kb(&self, field: &str) -> u64 {
        proc_status_kb(self.pid, field).unwrap_or(0)
    }

    fn rollup_failures(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("roll-up failed")
            .count()
    }

    /// Warnings and errors the server logged: (how many, the first one's message).
    fn problems_logged(&self) -> (usize, String) {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let problems: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN"))
            .collect();
        let first = problems.first().map_or(String::new(), |line| {
            // Without the time stamp and colours: from the target on.
            let mut parts = line.split('\u{1b}');
            let mut plain = parts.next().unwrap_or("").to_owned();
            for part in parts {
                plain.push_str(part.split_once('m').map_or(part, |(_, rest)| rest));
            }
            plain
                .split_once("Z ")
                .map_or(plain.clone(), |(_, rest)| rest.to_owned())
        });
        (problems.len(), first)
    }
}

fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds a process has used (user + system).
fn process_cpu_s(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().map(|v| v.parse::<f64>().unwrap_or(0.0)).sum())
        .unwrap_or(0.0);
    ticks / clock_ticks()
}

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// (busy, total) jiffies of the whole machine, from /proc/stat.
fn machine_jiffies() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let numbers: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = numbers.iter().take(8).sum();
    let idle = numbers.get(3).copied().unwrap_or(0) + numbers.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// Samples a process's VmRSS every 50 ms until stopped, keeping the largest seen (KiB).
struct RssSampler {
    stop: Arc<AtomicBool>,
    max: Arc<AtomicU64>,
    handle: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let max = Arc::new(AtomicU64::new(0));
        let (flag, largest) = (stop.clone(), max.clone());
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                largest.fetch_max(
                    proc_status_kb(pid, "VmRSS:").unwrap_or(0),
                    Ordering::Relaxed,
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Self { stop, max, handle }
    }

    fn max_so_far(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap();
        self.max.load(Ordering::Relaxed)
    }
}

/// `perf record` of the whole machine until stopped (when KEPU_BENCH_PERF is set).
struct Perf(Option<Child>);

impl Perf {
    fn start(dir: Option<&Path>, name: &str) -> Self {
        let Some(dir) = dir else { return Self(None) };
        std::fs::create_dir_all(dir).unwrap();
        let child = Command::new("perf")
            .args(["record", "-a", "-F", "999", "-q", "-o"])
            .arg(dir.join(format!("{name}.data")))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(child) => {
                std::thread::sleep(Duration::from_millis(300));
                Self(Some(child))
            }
            Err(err) => {
                println!("perf not started: {err}");
                Self(None)
            }
        }
    }

    fn stop(self) {
        if let Some(mut child) = self.0 {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The 50 kiosks

#[derive(Debug, Default, Clone, Copy)]
struct Acks {
    requests: u64,
    received: u64,
    stored: u64,
    duplicates: u64,
}

/// Every kiosk sends its batches in its order, one request at a time, side by side; returns
/// the time from the first send to the last acknowledgement.
fn send_all(url: &str, kiosks: &[Arc<KioskLoad>]) -> (Duration, Acks) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let endpoint = format!("{url}{INGEST_PATH}");
    runtime.block_on(async {
        let clients: Vec<reqwest::Client> = kiosks
            .iter()
            .map(|_| {
                reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(120))
                    .build()
                    .unwrap()
            })
            .collect();
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (kiosk, client) in kiosks.iter().cloned().zip(clients) {
            let endpoint = endpoint.clone();
            tasks.spawn(async move {
                let mut acks = Acks::default();
                for &b in &kiosk.order {
                    let response = client
                        .post(&endpoint)
                        .bearer_auth(&kiosk.token)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .header(reqwest::header::CONTENT_ENCODING, "gzip")
                        .body(kiosk.batches[b].clone())
                        .send()
                        .await
                        .unwrap();
                    let status = response.status();
                    if !status.is_success() {
                        panic!(
                            "{} batch {b}: {status} {}",
                            kiosk.name,
                            response.text().await.unwrap_or_default()
                        );
                    }
                    let ack: IngestResponse = response.json().await.unwrap();
                    acks.requests += 1;
                    acks.received += ack.received;
                    acks.stored += ack.stored;
                    acks.duplicates += ack.duplicates;
                }
                acks
            });
        }
        let mut total = Acks::default();
        while let Some(done) = tasks.join_next().await {
            let acks = done.unwrap();
            total.requests += acks.requests;
            total.received += acks.received;
            total.stored += acks.stored;
            total.duplicates += acks.duplicates;
        }
        (started.elapsed(), total)
    })
}

/// What one load on a server process showed.
#[derive(Debug, Clone, Copy)]
struct LoadResult {
    elapsed: Duration,
    acks: Acks,
    rss_idle_kb: u64,
    /// Largest VmRSS while the kiosks were sending.
    rss_load_kb: u64,
    /// Largest VmRSS until the roll-up had caught up (VmHWM: over the process's life).
    rss_peak_kb: u64,
    hwm_kb: u64,
    server_cpu_s: f64,
    machine_busy: f64,
    /// From the last acknowledgement until nothing is left to fold.
    catch_up: Duration,
    /// Raw events not yet folded at the last acknowledgement.
    unfolded_at_end: u64,
    rss_after_kb: u64,
    /// Roll-up passes that failed while the kiosks were sending (each tried again a second
    /// later).
    rollup_failures: usize,
}

/// Starts a server on `db`, sends `workload`, waits for the roll-up to catch up, stops it.
fn http_load(
    runtime: &tokio::runtime::Runtime,
    engine: Engine,
    db: &FreshDb,
    workload: &Workload,
    perf: Option<(&Path, String)>,
) -> LoadResult {
    let (perf_dir, perf_name) = match &perf {
        Some((dir, name)) => (Some(*dir), name.as_str()),
        None => (None, ""),
    };
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path(), &db.location);
    std::thread::sleep(Duration::from_millis(300));
    let rss_idle_kb = server.status_kb("VmRSS:");
    let poller = runtime.block_on(open(&db.location));
    let perf = Perf::start(perf_dir, perf_name);
    let sampler = RssSampler::start(server.pid);
    let cpu_before = process_cpu_s(server.pid);
    let machine_before = machine_jiffies();
    let (elapsed, acks) = send_all(&server.url, &workload.kiosks);
    let finished = Instant::now();
    let rss_load_kb = sampler.max_so_far();
    let rollup_failures = server.rollup_failures();
    let machine_after = machine_jiffies();
    let server_cpu_s = process_cpu_s(server.pid) - cpu_before;
    perf.stop();
    let unfolded_at_end = runtime.block_on(unfolded_events(engine, &db.location));
    while runtime
        .block_on(poller.oldest_unfolded_ms())
        .unwrap()
        .is_some()
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let catch_up = finished.elapsed();
    let rss_peak_kb = sampler.finish();
    let hwm_kb = server.status_kb("VmHWM:");
    std::thread::sleep(Duration::from_millis(1_500));
    let rss_after_kb = server.status_kb("VmRSS:");
    let stored = runtime.block_on(poller.stored_rows()).unwrap();
    runtime.block_on(poller.close());
    assert_eq!(
        acks.received, workload.sent_events,
        "every event acknowledged"
    );
    assert_eq!(
        acks.stored, workload.unique_events,
        "every event stored once"
    );
    assert_eq!(
        stored, workload.unique_events,
        "the database holds each event once"
    );
    assert_eq!(
        acks.duplicates,
        workload.sent_events - workload.unique_events,
        "the resent batches came back as duplicates"
    );
    let (problems, first) = server.problems_logged();
    if problems > 0 {
        println!("  note: the server logged {problems} warnings or errors, the first: {first}");
    }
    server.stop();
    LoadResult {
        elapsed,
        acks,
        rss_idle_kb,
        rss_load_kb,
        rss_peak_kb,
        hwm_kb,
        server_cpu_s,
        machine_busy: (machine_after.0 - machine_before.0) as f64
            / (machine_after.1 - machine_before.1).max(1) as f64,
        catch_up,
        unfolded_at_end,
        rss_after_kb,
        rollup_failures,
    }
}

// ---------------------------------------------------------------------------------------------
// Where the time goes, in-process

#[derive(Debug, Default, Clone, Copy)]
struct CpuStages {
    gunzip: Duration,
    parse: Duration,
    validate: Duration,
    serialize: Duration,
    events: u64,
}

/// The server's CPU work on each batch, one stage at a time, on one thread.
fn cpu_stages(workload: &Workload) -> CpuStages {
    let mut stages = CpuStages::default();
    let order = workload.round_robin();
    let started = Instant::now();
    let decoded: Vec<Vec<u8>> = order
        .iter()
        .map(|&(k, b)| {
            let gz = &workload.kiosks[k].batches[b];
            let mut out = Vec::with_capacity(gz.len() * 8);
            flate2::read::MultiGzDecoder::new(&gz[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        })
        .collect();
    stages.gunzip = started.elapsed();
    let started = Instant::now();
    let parsed: Vec<IngestRequest> = decoded
        .iter()
        .map(|json| axum::Json::<IngestRequest>::from_bytes(json).unwrap().0)
        .collect();
    stages.parse = started.elapsed();
    let started = Instant::now();
    let now = kepu_core::now_unix_ms();
    for batch in &parsed {
        for event in &batch.events {
            std::hint::black_box(check_event(event, now).unwrap());
        }
    }
    stages.validate = started.elapsed();
    let started = Instant::now();
    for batch in &parsed {
        for event in &batch.events {
            std::hint::black_box(serde_json::to_string(event).unwrap());
        }
    }
    stages.serialize = started.elapsed();
    stages.events = parsed.iter().map(|b| b.events.len() as u64).sum();
    stages
}

/// `Store::insert_events` then `kiosk_seen` for each batch, in arrival order, from one task:
/// (time in insert_events, time in kiosk_seen).
async fn store_inserts(db: &FreshDb, workload: &Workload) -> (Duration, Duration) {
    let store = open(&db.location).await;
    let order = workload.round_robin();
    let parsed: Vec<(usize, Vec<EngagementEvent>, Vec<String>)> = order
        .iter()
        .map(|&(k, b)| {
            let events: Vec<EngagementEvent> = workload.rows[k][b]
                .iter()
                .map(|r| serde_json::from_str(&r.body).unwrap())
                .collect();
            let bodies = workload.rows[k][b].iter().map(|r| r.body.clone()).collect();
            (k, events, bodies)
        })
        .collect();
    let (mut inserting, mut seen) = (Duration::ZERO, Duration::ZERO);
    for (k, events, bodies) in &parsed {
        let rows: Vec<EventToStore<'_>> = events
            .iter()
            .zip(bodies)
            .map(|(event, body)| EventToStore {
                event,
                occurred_at_ms: event.occurred_at_ms,
                occurred_at_trusted: true,
                body,
            })
            .collect();
        let now = kepu_core::now_unix_ms();
        let started = Instant::now();
        store.insert_events(&rows, now).await.unwrap();
        let between = Instant::now();
        store
            .kiosk_seen(&KioskSeen {
                kiosk: &workload.kiosks[*k].name,
                at_ms: now,
                app_version: Some("0.1.0"),
                clock_untrusted: false,
            })
            .await
            .unwrap();
        inserting += between - started;
        seen += between.elapsed();
    }
    store.close().await;
    (inserting, seen)
}

// ---------------------------------------------------------------------------------------------
// Roll-up

struct RollupResult {
    events: u64,
    fill: Duration,
    fold: Duration,
    burst: LoadResult,
    burst_events: u64,
}

/// N raw events (baseline path) folded by `roll_up_all()`; then N sent over HTTP to a fresh
/// server and the lag until its own roll-up has folded them all.
fn rollup(
    runtime: &tokio::runtime::Runtime,
    engine: Engine,
    n: usize,
    settings: &Settings,
) -> RollupResult {
    let per_kiosk = n.div_ceil(KIOSKS);
    // A backlog: kiosk times spread over the last six hours.
    let span_ms = 6 * 3_600_000;

    // roll_up_all() on N events inserted by the baseline path, built a batch at a time.
    let db = runtime.block_on(fresh_db(engine, None));
    let now = kepu_core::now_unix_ms();
    let step_ms = span_ms / per_kiosk as i64;
    let mut generators: Vec<KioskGen> = (0..KIOSKS)
        .map(|i| KioskGen::new(i, now - span_ms - 60_000, step_ms))
        .collect();
    let mut fill = Duration::ZERO;
    let mut filled = 0u64;
    let mut left = per_kiosk;
    while left > 0 {
        let size = left.min(MAX_BATCH);
        left -= size;
        let batches: Vec<Vec<RawRow>> = generators
            .iter_mut()
            .map(|g| {
                g.next_batch(size)
                    .iter()
                    .map(|e| raw_row(e, serde_json::to_string(e).unwrap()))
                    .collect()
            })
            .collect();
        let refs: Vec<&[RawRow]> = batches.iter().map(Vec::as_slice).collect();
        let (took, stored) = runtime.block_on(raw_insert(engine, &db.location, &refs));
        fill += took;
        filled += stored;
    }
    let store = runtime.block_on(open(&db.location));
    let perf = Perf::start(
        settings.perf_dir.as_deref(),
        &format!("rollup-{}", engine.to_string().to_lowercase()),
    );
    let started = Instant::now();
    let pass = runtime.block_on(store.roll_up_all()).unwrap();
    let fold = started.elapsed();
    perf.stop();
    assert_eq!(pass.events, filled, "roll_up_all folded every event");
    assert_eq!(runtime.block_on(store.oldest_unfolded_ms()).unwrap(), None);
    runtime.block_on(store.close());
    if let (Engine::Postgres, Some(admin)) = (engine, &settings.postgres_admin) {
        runtime.block_on(drop_postgres(admin, &db.location));
    }

    // The burst over HTTP, the server's own roll-up folding behind it.
    let db = runtime.block_on(fresh_db(engine, None));
    let workload = Workload::build(&db.tokens, per_kiosk, span_ms, false, false);
    let burst = http_load(runtime, engine, &db, &workload, None);
    if let (Engine::Postgres, Some(admin)) = (engine, &settings.postgres_admin) {
        runtime.block_on(drop_postgres(admin, &db.location));
    }
    RollupResult {
        events: filled,
        fill,
        fold,
        burst,
        burst_events: workload.unique_events,
    }
}

// ---------------------------------------------------------------------------------------------
// Report

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn rate(events: u64, elapsed: Duration) -> f64 {
    events as f64 / elapsed.as_secs_f64()
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn run_engine(
    runtime: &tokio::runtime::Runtime,
    engine: Engine,
    settings: &Settings,
    stages: &mut Option<CpuStages>,
) {
    let per_kiosk = settings.events_per_kiosk;
    println!();
    println!("== {engine} ==");
    let (mut http, mut raw, mut ratio, mut inproc, mut seen_share) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut loads = Vec::new();
    let mut sizes = (0, 0, 0, 0);
    for run in 0..settings.runs {
        let db = runtime.block_on(fresh_db(engine, None));
        let workload = Workload::build(&db.tokens, per_kiosk, 600_000, true, true);
        sizes = (
            workload.unique_events,
            workload.sent_events,
            workload.gzip_bytes,
            workload.json_bytes,
        );
        if stages.is_none() {
            *stages = Some(cpu_stages(&workload));
        }
        let perf = (run == 0)
            .then_some(settings.perf_dir.as_deref())
            .flatten()
            .map(|d| (d, format!("ingest-{}", engine.to_string().to_lowercase())));
        let load = http_load(runtime, engine, &db, &workload, perf);

        // The baseline: same rows, same order, a database of its own.
        let base_db = runtime.block_on(fresh_db(engine, Some(&db.tokens)));
        let batches = workload.row_batches();
        let (took, stored) = runtime.block_on(raw_insert(engine, &base_db.location, &batches));
        assert_eq!(
            stored, workload.unique_events,
            "the baseline stored each event once"
        );

        // The store layer alone, one task.
        let store_db = runtime.block_on(fresh_db(engine, Some(&db.tokens)));
        let (inserting, seen) = runtime.block_on(store_inserts(&store_db, &workload));

        let http_rate = rate(load.acks.received, load.elapsed);
        let raw_rate = rate(workload.sent_events, took);
        println!(
            "run {}: HTTP {:>6.0} events/s, raw {:>6.0} events/s ({:.2}), Store::insert_events {:>6.0} events/s; RSS {:.0} MiB sending, {:.0} MiB peak; roll-up failed {} times, caught up {:.1} s after the last ack",
            run + 1,
            http_rate,
            raw_rate,
            http_rate / raw_rate,
            rate(workload.sent_events, inserting + seen),
            mib(load.rss_load_kb),
            mib(load.rss_peak_kb.max(load.hwm_kb)),
            load.rollup_failures,
            load.catch_up.as_secs_f64()
        );
        http.push(http_rate);
        raw.push(raw_rate);
        ratio.push(http_rate / raw_rate);
        inproc.push(rate(workload.sent_events, inserting + seen));
        seen_share.push(seen.as_secs_f64() / (inserting + seen).as_secs_f64());
        loads.push(load);
        if let (Engine::Postgres, Some(admin)) = (engine, &settings.postgres_admin) {
            for db in [&db, &base_db, &store_db] {
                runtime.block_on(drop_postgres(admin, &db.location));
            }
        }
    }
    let (unique, sent, gzip_bytes, json_bytes) = sizes;
    let (http, raw, ratio) = (median(http), median(raw), median(ratio));
    let cpu_per_event_us = median(
        loads
            .iter()
            .map(|l| l.server_cpu_s * 1e6 / l.acks.received as f64)
            .collect(),
    );
    let busy = median(loads.iter().map(|l| l.machine_busy).collect());
    let peak = loads
        .iter()
        .map(|l| l.rss_peak_kb.max(l.hwm_kb))
        .max()
        .unwrap_or(0);
    let sending = loads.iter().map(|l| l.rss_load_kb).max().unwrap_or(0);
    let failures = median(loads.iter().map(|l| l.rollup_failures as f64).collect());
    let idle = median(loads.iter().map(|l| mib(l.rss_idle_kb)).collect());
    let after = median(loads.iter().map(|l| mib(l.rss_after_kb)).collect());
    let catch_up = median(loads.iter().map(|l| l.catch_up.as_secs_f64()).collect());
    let unfolded = median(loads.iter().map(|l| l.unfolded_at_end as f64).collect());
    println!();
    println!(
        "{KIOSKS} kiosks x {per_kiosk} events in batches of {MAX_BATCH} ({unique} events, {sent} sent with the resent batches; {:.1} KiB gzip / {:.0} KiB JSON a batch), median of {} runs",
        gzip_bytes as f64 / 1024.0 / (unique as f64 / MAX_BATCH as f64),
        json_bytes as f64 / 1024.0 / (unique as f64 / MAX_BATCH as f64),
        settings.runs
    );
    println!("  raw insert, same rows (plain SQL, 1 connection, 500/tx) {raw:>10.0} events/s");
    println!(
        "  HTTP ingest (kepu-server process, 50 kiosks)           {http:>10.0} events/s  {ratio:.2} of raw"
    );
    if engine == Engine::Sqlite {
        println!(
            "    floor >= 50,000 events/s: {}; floor >= 0.30 of raw: {}",
            verdict(http >= 50_000.0),
            verdict(ratio >= 0.30)
        );
    } else {
        println!("    floor >= 0.30 of raw: {}", verdict(ratio >= 0.30));
    }
    println!(
        "    server CPU {cpu_per_event_us:.1} us/event; machine {:.0} % busy (2 cores: server, database, client, others)",
        busy * 100.0
    );
    println!(
        "    roll-up meanwhile: {failures:.0} failed passes; {unfolded:.0} events unfolded at the last ack, all folded {catch_up:.1} s later"
    );
    println!(
        "    server RSS: {idle:.0} MiB idle, {:.0} MiB most while sending, {:.0} MiB most until folded, {after:.0} MiB after",
        mib(sending),
        mib(peak)
    );
    println!(
        "  Store::insert_events + kiosk_seen, 1 task, in-process  {:>10.0} events/s  (kiosk_seen {:.0} % of it)",
        median(inproc),
        median(seen_share) * 100.0
    );

    if settings.rollup_events > 0 {
        let r = rollup(runtime, engine, settings.rollup_events, settings);
        println!();
        println!("roll-up, {} events (kiosk times over 6 h):", r.events);
        println!(
            "  fill by the raw path                                   {:>10.0} events/s",
            rate(r.events, r.fill)
        );
        println!(
            "  Store::roll_up_all() of all of them                    {:>10.0} events/s  ({:.1} s)",
            rate(r.events, r.fold),
            r.fold.as_secs_f64()
        );
        let b = &r.burst;
        println!(
            "  burst of {} over HTTP (50 kiosks)                  {:>10.0} events/s  ({:.1} s; {:.2} of the raw fill)",
            r.burst_events,
            rate(r.burst_events, b.elapsed),
            b.elapsed.as_secs_f64(),
            rate(r.burst_events, b.elapsed) / rate(r.events, r.fill)
        );
        println!(
            "  lag after the burst: {} events unfolded at the last ack ({} roll-up passes failed while the kiosks were sending); all folded {:.1} s after the last ack ({:.0} events/s folded), {:.1} s after the first send",
            b.unfolded_at_end,
            b.rollup_failures,
            b.catch_up.as_secs_f64(),
            rate(b.unfolded_at_end, b.catch_up),
            (b.elapsed + b.catch_up).as_secs_f64()
        );
        println!(
            "  server RSS: {:.0} MiB idle, {:.0} MiB most while sending, {:.0} MiB most until folded, {:.0} MiB after; server CPU {:.1} us/event while sending",
            mib(b.rss_idle_kb),
            mib(b.rss_load_kb),
            mib(b.rss_peak_kb.max(b.hwm_kb)),
            mib(b.rss_after_kb),
            b.server_cpu_s * 1e6 / r.burst_events as f64
        );
    }
}

fn main() {
    let settings = settings();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "kepu-server ingest bench: {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut stages = None;
    for &engine in &settings.engines {
        run_engine(&runtime, engine, &settings, &mut stages);
    }
    if let Some(s) = stages {
        let us = |d: Duration| d.as_secs_f64() * 1e6 / s.events as f64;
        println!();
        println!("the server's CPU work per event, one thread (same batches):");
        println!("  gunzip            {:>6.2} us", us(s.gunzip));
        println!("  JSON parse (axum) {:>6.2} us", us(s.parse));
        println!("  validation        {:>6.2} us", us(s.validate));
        println!("  re-serialise body {:>6.2} us", us(s.serialize));
    }
}
