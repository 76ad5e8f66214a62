//! The staff dashboard's report pages and JSON reports on a store the size of a district's
//! year, on SQLite and on PostgreSQL (figures: docs/performance.md, "Staff dashboard: report
//! pages"; issue 13: p50 and p95 of every page and JSON report with 10 million events of 500
//! kiosks and 40 exhibits; floors p95 ≤ 200 ms for the default 30-day view, ≤ 1 s for a whole
//! year).
//!
//! - The store: a fresh database per engine; venues of 20 kiosks each; 40 exhibits published
//!   (the 8 sample manifests of `exhibits/`, copied into a temporary folder under new ids,
//!   validated and published by `commands::content_publish`); each kiosk shows 8 of them.
//!   Events over the last `KEPU_BENCH_DAYS` days (365; the last one is yesterday in the
//!   district's time zone): a heartbeat every open kiosk-hour (9:00–17:00), and visitor
//!   sessions from `kepu_core::synthetic::Visitors` spread over the open hours (more at
//!   weekends and at busier venues), as many as make `KEPU_BENCH_EVENTS` events in all.
//!   Inserted with `Store::insert_events` (batches of 500, a day of all kiosks at a time, the
//!   events made on a thread of their own meanwhile), then `Store::roll_up` passes of 20,000
//!   until caught up (`roll_up_all`'s loop, with progress). PostgreSQL is then vacuumed and
//!   analysed (what autovacuum would have done by the time staff look), SQLite left as the
//!   server leaves it.
//! - The server: `kepu_server::startup::build` with `ServeConfig::new` on that database
//!   (port 0, every default), in this process on a runtime of its own (2 worker threads, as
//!   the binary on this machine); a viewer signs in through `GET /login` and `POST /login`
//!   (the CSRF double-submit) and keeps the `kepu_session` cookie for every request, pages
//!   and JSON alike.
//! - The measurement: one client, one keep-alive connection, requests one after another:
//!   `KEPU_BENCH_WARMUPS` (3) untimed then `KEPU_BENCH_REQUESTS` (30) timed per address and
//!   view (fewer, at least 10, once `KEPU_BENCH_BUDGET_S` (60) seconds of timed requests are
//!   spent), p50 and p95 (nearest rank). Views: the last 30 days of the data, the whole
//!   period, and the 30 days filtered by one venue; from/to always given.
//! - Baselines in the same run: `/healthz` (the HTTP round trip alone), `/readyz` (one
//!   database round trip), and a plain `SELECT COUNT(*)` of every atom in the view's range
//!   (the five atom tables), timed the same way on a connection of the bench's own.
//! - Where the time goes, in-process: per report and view, the store reads
//!   (`report_data::Reader`) and the whole report (reads + suppression + names), median of
//!   3; and each query behind the pages on its own.
//!
//! `cargo bench -p kepu-server --bench reports [-- sqlite|postgres]` (release build; both
//! engines by default, or `KEPU_BENCH_ENGINES`); PostgreSQL needs `KEPU_TEST_POSTGRES_URL` (a
//! role that may create databases) and is skipped with a message without it. Sizes:
//! `KEPU_BENCH_EVENTS` (10,000,000), `KEPU_BENCH_KIOSKS` (500), `KEPU_BENCH_VENUES` (25),
//! `KEPU_BENCH_EXHIBITS` (40), `KEPU_BENCH_DAYS` (365). `KEPU_BENCH_KEEP=1` keeps the loaded
//! database (its location is printed); `KEPU_BENCH_DB=LOCATION` measures such a kept database
//! again without loading (one engine: the one LOCATION is).

// A bench binary: a panic is the clearest report of a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, Days, NaiveDate, Weekday};
use kepu_core::manifest::{ExhibitKind, ExhibitManifest, ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use kepu_core::wire::{EngagementEvent, MAX_BATCH};
use kepu_server::report_data::{self, Catalog, Reader, ReportSettings};
use kepu_server::scope::{Period, ScopeParams};
use kepu_server::startup::{ServeConfig, build};
use kepu_store::events::EventToStore;
use kepu_store::kiosks::KioskSeen;
use kepu_store::reports::{AtomTable, Dim, Group, Only, ReportFilter};
use kepu_store::staff::Role;
use kepu_store::{Engine, Location, OpenOptions, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

const VIEWER: &str = "bench-viewer";
const PASSWORD: &str = "bench-password-1234";
/// Exhibits each kiosk shows.
const PLAYLIST: usize = 8;
/// Open hours, local time: a heartbeat in each, visits between them.
const OPENS_AT_H: i64 = 9;
const CLOSES_AT_H: i64 = 17;
const HOUR_MS: i64 = 3_600_000;
const ROLLUP_STEP: usize = 20_000;
/// Floors of issue 13 (p95).
const FLOOR_30_DAYS: Duration = Duration::from_millis(200);
const FLOOR_YEAR: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------------------------
// Settings

struct Settings {
    engines: Vec<Engine>,
    events: usize,
    kiosks: usize,
    venues: usize,
    exhibits: usize,
    days: u64,
    warmups: usize,
    requests: usize,
    budget: Duration,
    keep: bool,
    reuse: Option<String>,
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
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let postgres_admin = std::env::var(kepu_store::testing::POSTGRES_URL_VAR).ok();
    let reuse = std::env::var("KEPU_BENCH_DB")
        .ok()
        .filter(|s| !s.is_empty());
    let mut engines = Vec::new();
    if let Some(location) = &reuse {
        engines.push(match Location::parse(location) {
            Location::Postgres(_) => Engine::Postgres,
            _ => Engine::Sqlite,
        });
    } else {
        let list = if args.is_empty() {
            std::env::var("KEPU_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into())
        } else {
            args.join(",")
        };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "sqlite" => engines.push(Engine::Sqlite),
                "postgres" | "postgresql" | "pg" => {
                    if postgres_admin.is_some() {
                        engines.push(Engine::Postgres);
                    } else {
                        println!(
                            "PostgreSQL skipped: set {} to a URL of a role that may CREATE \
                             DATABASE, e.g. postgres://kepu_test:kepu_test@127.0.0.1:5432/postgres",
                            kepu_store::testing::POSTGRES_URL_VAR
                        );
                    }
                }
                other => panic!("unknown engine \"{other}\": use sqlite and/or postgres"),
            }
        }
    }
    Settings {
        engines,
        events: env_usize("KEPU_BENCH_EVENTS", 10_000_000),
        kiosks: env_usize("KEPU_BENCH_KIOSKS", 500).max(1),
        venues: env_usize("KEPU_BENCH_VENUES", 25).max(1),
        exhibits: env_usize("KEPU_BENCH_EXHIBITS", 40).max(1),
        days: env_usize("KEPU_BENCH_DAYS", 365).max(31) as u64,
        warmups: env_usize("KEPU_BENCH_WARMUPS", 3),
        requests: env_usize("KEPU_BENCH_REQUESTS", 30).max(1),
        budget: Duration::from_secs(env_usize("KEPU_BENCH_BUDGET_S", 60) as u64),
        keep: std::env::var("KEPU_BENCH_KEEP").is_ok_and(|v| v == "1"),
        reuse,
        postgres_admin,
    }
}

fn venue_name(venue: usize) -> String {
    format!("venue-{venue:02}")
}

fn kiosk_name(kiosk: usize) -> String {
    format!("kiosk-{kiosk:03}")
}

// ---------------------------------------------------------------------------------------------
// The exhibits: the samples copied under new ids, validated and published

/// Copies the sample exhibits into `dir` until there are `count` of them: the first copy of
/// each keeps its id, later ones are `<id>-2`, `<id>-3`, … with the copy's number after the
/// title. Returns the folder to publish.
fn make_exhibits(dir: &Path, count: usize) -> std::path::PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let mut names: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .join("exhibit.toml")
                .is_file()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    let out = dir.join("exhibits");
    for i in 0..count {
        let name = &names[i % names.len()];
        let copy = i / names.len() + 1;
        let source = samples.join(name);
        let id = if copy == 1 {
            name.clone()
        } else {
            format!("{name}-{copy}")
        };
        let target = out.join(&id);
        std::fs::create_dir_all(&target).unwrap();
        for file in std::fs::read_dir(&source).unwrap() {
            let file = file.unwrap();
            if file.file_type().unwrap().is_file() {
                std::fs::copy(file.path(), target.join(file.file_name())).unwrap();
            }
        }
        if copy > 1 {
            let path = target.join("exhibit.toml");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut done_id = false;
            let mut done_title = false;
            let lines: Vec<String> = text
                .lines()
                .map(|line| {
                    if !done_id && line.starts_with("id = ") {
                        done_id = true;
                        format!("id = \"{id}\"")
                    } else if !done_title && line.starts_with("title = {") {
                        done_title = true;
                        line.replace("\", ", &format!(" {copy}\", "))
                            .replace("\" }", &format!(" {copy}\" }}"))
                    } else {
                        line.to_owned()
                    }
                })
                .collect();
            assert!(done_id, "{name}: no id line");
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The events

/// The data's days: `days` days ending yesterday in the district's time zone.
fn data_period(days: u64, settings: &ReportSettings) -> Period {
    let today = kepu_server::scope::today(settings.zone, kepu_core::now_unix_ms());
    let last = today - Days::new(1);
    Period {
        first: last - Days::new(days - 1),
        last,
    }
}

fn day_start_ms(day: NaiveDate, settings: &ReportSettings) -> i64 {
    Period {
        first: day,
        last: day,
    }
    .range_ms(settings.zone)
    .0
}

/// How many visitors a venue and a weekday get, relative to each other.
fn venue_weight(venue: usize, venues: usize) -> f64 {
    0.5 + venue as f64 / venues.max(2).saturating_sub(1) as f64
}

fn day_weight(day: NaiveDate) -> f64 {
    match day.weekday() {
        Weekday::Sat | Weekday::Sun => 1.6,
        Weekday::Mon => 0.6,
        _ => 0.9,
    }
}

struct Kiosk {
    venue: usize,
    stream: KioskStream,
    visitors: Visitors,
    rng: StdRng,
}

/// Makes the events day by day (all kiosks), serialised as the server stores them.
struct Generator {
    kiosks: Vec<Kiosk>,
    settings: ReportSettings,
    /// Expected visits per unit of weight (venue × day).
    visits_per_weight: f64,
    venues: usize,
}

impl Generator {
    fn new(
        manifests: &[ExhibitManifest],
        s: &Settings,
        period: Period,
        settings: ReportSettings,
    ) -> (Self, f64) {
        let kiosks: Vec<Kiosk> = (0..s.kiosks)
            .map(|k| {
                let mut rng = StdRng::seed_from_u64(1_000 + k as u64);
                let mut order: Vec<usize> = (0..manifests.len()).collect();
                order.shuffle(&mut rng);
                let playlist = order
                    .iter()
                    .take(PLAYLIST.min(manifests.len()))
                    .map(|&i| manifests[i].clone())
                    .collect();
                let per_venue = s.kiosks.div_ceil(s.venues);
                Kiosk {
                    venue: k / per_venue,
                    stream: KioskStream::new(
                        kiosk_name(k),
                        uuid::Uuid::from_u128(0xb007_0000 + k as u128),
                    ),
                    visitors: Visitors::new(playlist, 7_000 + k as u64),
                    rng,
                }
            })
            .collect();
        // Events a visit makes on average, over all the exhibits.
        let mut sample = Visitors::new(manifests.to_vec(), 1);
        let mut stream = KioskStream::new("sample", uuid::Uuid::nil());
        let n = 20_000;
        let per_visit = (0..n)
            .map(|i| sample.visit(&mut stream, i * 600_000).len())
            .sum::<usize>() as f64
            / n as f64;
        let heartbeats = s.kiosks as u64 * s.days * (CLOSES_AT_H - OPENS_AT_H) as u64;
        assert!(
            (s.events as u64) > heartbeats + heartbeats / 2,
            "{} events are too few for {} kiosks over {} days ({heartbeats} heartbeats alone): \
             raise KEPU_BENCH_EVENTS or lower KEPU_BENCH_KIOSKS / KEPU_BENCH_DAYS",
            s.events,
            s.kiosks,
            s.days
        );
        let visits = (s.events as u64 - heartbeats) as f64 / per_visit;
        let total_weight: f64 = period
            .each_day()
            .map(|day| {
                kiosks
                    .iter()
                    .map(|k| venue_weight(k.venue, s.venues) * day_weight(day))
                    .sum::<f64>()
            })
            .sum();
        (
            Self {
                kiosks,
                settings,
                visits_per_weight: visits / total_weight,
                venues: s.venues,
            },
            per_visit,
        )
    }

    /// One day of every kiosk: events and their JSON, in order per kiosk.
    fn day(&mut self, day: NaiveDate) -> Vec<(EngagementEvent, String)> {
        let start = day_start_ms(day, &self.settings);
        let mut out = Vec::new();
        for kiosk in &mut self.kiosks {
            let expected =
                self.visits_per_weight * venue_weight(kiosk.venue, self.venues) * day_weight(day);
            let mut visits = expected.floor() as usize;
            if kiosk.rng.random::<f64>() < expected.fract() {
                visits += 1;
            }
            let open_ms = (CLOSES_AT_H - OPENS_AT_H) * HOUR_MS;
            let mut starts: Vec<i64> = (0..visits)
                .map(|_| start + OPENS_AT_H * HOUR_MS + kiosk.rng.random_range(0..open_ms))
                .collect();
            starts.sort_unstable();
            let mut events = Vec::new();
            let mut free_at = 0;
            let mut next_visit = starts.into_iter().peekable();
            for hour in OPENS_AT_H..CLOSES_AT_H {
                let hour_ms = start + hour * HOUR_MS;
                let at = hour_ms + kiosk.rng.random_range(0..300_000);
                let uptime = u64::try_from((hour - OPENS_AT_H) * 3600 + 600).unwrap_or(0);
                events.push(kiosk.visitors.heartbeat(&mut kiosk.stream, at, uptime));
                while let Some(&begin) = next_visit.peek() {
                    if begin >= hour_ms + HOUR_MS {
                        break;
                    }
                    next_visit.next();
                    // One visitor at a time at a kiosk.
                    let begin = begin.max(free_at + 5_000);
                    let visit = kiosk.visitors.visit(&mut kiosk.stream, begin);
                    free_at = visit.last().map_or(begin, |e| e.occurred_at_ms);
                    events.extend(visit);
                }
            }
            out.extend(events.into_iter().map(|e| {
                let body = serde_json::to_string(&e).unwrap();
                (e, body)
            }));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

struct Loaded {
    location: String,
    _dir: Option<tempfile::TempDir>,
    events: u64,
    sessions_est: u64,
    load: Duration,
    inserting: Duration,
    rollup: Duration,
    vacuum: Option<Duration>,
    per_visit: f64,
}

async fn open(location: &str) -> Store {
    kepu_store::open(&Location::parse(location), &OpenOptions::default())
        .await
        .unwrap()
}

fn load(runtime: &tokio::runtime::Runtime, engine: Engine, s: &Settings) -> Loaded {
    let report_settings = ReportSettings::default();
    let (location, dir) = match engine {
        Engine::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("kepu-reports-bench-")
                .tempdir_in("/var/tmp")
                .unwrap();
            (
                dir.path().join("server.sqlite3").display().to_string(),
                Some(dir),
            )
        }
        Engine::Postgres => (
            runtime
                .block_on(kepu_store::testing::fresh_postgres_database())
                .unwrap(),
            None,
        ),
    };
    let store = runtime.block_on(open(&location));
    let now = kepu_core::now_unix_ms();
    runtime.block_on(async {
        store.prepare_partitions(now).await.unwrap();
        for v in 0..s.venues {
            store.add_venue(&venue_name(v), now).await.unwrap();
        }
        let per_venue = s.kiosks.div_ceil(s.venues);
        for k in 0..s.kiosks {
            let token = kepu_server::auth::new_token();
            store
                .add_kiosk(
                    &venue_name(k / per_venue),
                    &kiosk_name(k),
                    &kepu_server::auth::hash_token(&token),
                    now,
                )
                .await
                .unwrap();
        }
        kepu_server::commands::staff_add(
            &store,
            VIEWER,
            Role::Viewer,
            PASSWORD,
            &mut std::io::sink(),
        )
        .await
        .unwrap();
    });
    let folder = tempfile::tempdir().unwrap();
    let exhibits = make_exhibits(folder.path(), s.exhibits);
    let published = runtime
        .block_on(kepu_server::commands::content_publish(
            &store,
            &exhibits,
            &mut std::io::sink(),
        ))
        .unwrap();
    assert_eq!(published.left_out, 0, "every copied exhibit is valid");
    let catalog = load_catalog(&exhibits, &ValidationRules::default());
    assert_eq!(catalog.exhibits.len(), s.exhibits, "{:?}", catalog.rejected);
    let manifests: Vec<ExhibitManifest> =
        catalog.exhibits.into_iter().map(|e| e.manifest).collect();

    let period = data_period(s.days, &report_settings);
    let (mut generator, per_visit) = Generator::new(&manifests, s, period, report_settings);
    println!(
        "  loading {} events: {} kiosks at {} venues, {} exhibits ({} a kiosk), {} days from {} to {}; {:.1} events a visit",
        s.events,
        s.kiosks,
        s.venues,
        s.exhibits,
        PLAYLIST.min(s.exhibits),
        s.days,
        period.first,
        period.last,
        per_visit
    );
    let days: Vec<NaiveDate> = period.each_day().collect();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<(EngagementEvent, String)>>(2);
    let maker = std::thread::spawn(move || {
        for day in days {
            if sender.send(generator.day(day)).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let mut inserting = Duration::ZERO;
    let mut events = 0u64;
    let mut day_index = 0u64;
    let step = (s.days / 10).max(1);
    while let Ok(day) = receiver.recv() {
        runtime.block_on(async {
            for chunk in day.chunks(MAX_BATCH) {
                let rows: Vec<EventToStore<'_>> = chunk
                    .iter()
                    .map(|(event, body)| EventToStore {
                        event,
                        occurred_at_ms: event.occurred_at_ms,
                        occurred_at_trusted: true,
                        body,
                    })
                    .collect();
                let began = Instant::now();
                events += store
                    .insert_events(&rows, kepu_core::now_unix_ms())
                    .await
                    .unwrap();
                inserting += began.elapsed();
            }
        });
        day_index += 1;
        if day_index.is_multiple_of(step) {
            println!(
                "    day {day_index}/{}: {events} events stored, {:.0} s",
                s.days,
                started.elapsed().as_secs_f64()
            );
        }
    }
    maker.join().unwrap();
    runtime.block_on(async {
        for k in 0..s.kiosks {
            store
                .kiosk_seen(&KioskSeen {
                    kiosk: &kiosk_name(k),
                    at_ms: kepu_core::now_unix_ms(),
                    app_version: Some("0.1.0"),
                    clock_untrusted: false,
                })
                .await
                .unwrap();
        }
    });
    let load = started.elapsed();
    println!(
        "  loaded {events} events in {:.1} s ({:.0} events/s; {:.0} events/s inside insert_events)",
        load.as_secs_f64(),
        events as f64 / load.as_secs_f64(),
        events as f64 / inserting.as_secs_f64()
    );

    // The roll-up: roll_up_all's loop, with progress.
    let started = Instant::now();
    let mut folded = 0u64;
    let mut next_report = 1_000_000;
    loop {
        let pass = runtime.block_on(store.roll_up(ROLLUP_STEP)).unwrap();
        folded += pass.events;
        assert!(!pass.skipped, "nothing else rolls up");
        assert_eq!(pass.unreadable, 0);
        if folded >= next_report {
            next_report += 1_000_000;
            println!(
                "    rolled up {folded} events, {:.0} s, {:.0} events/s",
                started.elapsed().as_secs_f64(),
                folded as f64 / started.elapsed().as_secs_f64()
            );
        }
        if pass.events + pass.unreadable < ROLLUP_STEP as u64
            && pass.kiosk_rollups < ROLLUP_STEP as u64
        {
            break;
        }
    }
    let rollup = started.elapsed();
    assert_eq!(folded, events, "every event folded");
    assert_eq!(runtime.block_on(store.oldest_unfolded_ms()).unwrap(), None);
    println!(
        "  rolled up {folded} events in {:.1} s ({:.0} events/s)",
        rollup.as_secs_f64(),
        folded as f64 / rollup.as_secs_f64()
    );
    runtime.block_on(store.close());
    let vacuum = (engine == Engine::Postgres).then(|| {
        let started = Instant::now();
        runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&location).await.unwrap();
            sqlx::query("VACUUM (ANALYZE)")
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        });
        let took = started.elapsed();
        println!("  VACUUM (ANALYZE) {:.1} s", took.as_secs_f64());
        took
    });
    Loaded {
        location,
        _dir: dir,
        events,
        sessions_est: ((events as f64
            - (s.kiosks as u64 * s.days * (CLOSES_AT_H - OPENS_AT_H) as u64) as f64)
            / per_visit) as u64,
        load,
        inserting,
        rollup,
        vacuum,
        per_visit,
    }
}

// ---------------------------------------------------------------------------------------------
// Plain SQL on a connection of the bench's own

enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::PgConnection),
}

const ATOM_TABLES: [&str; 5] = [
    "atom_sessions",
    "atom_session_traits",
    "atom_exhibits",
    "atom_answers",
    "atom_placements",
];

impl Raw {
    async fn connect(location: &str) -> Raw {
        match Location::parse(location) {
            Location::Postgres(url) => {
                use sqlx::Connection;
                Raw::Postgres(sqlx::PgConnection::connect(&url).await.unwrap())
            }
            _ => {
                let conn = rusqlite::Connection::open(location).unwrap();
                conn.busy_timeout(Duration::from_secs(30)).unwrap();
                Raw::Sqlite(conn)
            }
        }
    }

    /// One integer from `sql` with `$1`, `$2` bound to `a`, `b` (SQLite: `?1`, `?2`).
    async fn scalar(&mut self, sql: &str, a: i64, b: i64) -> i64 {
        match self {
            Raw::Sqlite(conn) => {
                let sql = sql.replace('$', "?");
                conn.query_row(&sql, [a, b], |row| row.get::<_, i64>(0))
                    .unwrap()
            }
            Raw::Postgres(conn) => sqlx::query_scalar::<_, i64>(sql)
                .bind(a)
                .bind(b)
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
        }
    }

    async fn close(self) {
        if let Raw::Postgres(conn) = self {
            use sqlx::Connection;
            conn.close().await.unwrap();
        }
    }
}

fn count_sql(table: &str) -> String {
    format!("SELECT COUNT(*) FROM {table} WHERE hour_start_ms >= $1 AND hour_start_ms < $2")
}

fn all_atoms_sql() -> String {
    let parts: Vec<String> = ATOM_TABLES
        .iter()
        .map(|t| {
            format!("(SELECT COUNT(*) FROM {t} WHERE hour_start_ms >= $1 AND hour_start_ms < $2)")
        })
        .collect();
    format!("SELECT {}", parts.join(" + "))
}

fn database_size(location: &str, runtime: &tokio::runtime::Runtime) -> u64 {
    match Location::parse(location) {
        Location::Postgres(url) => runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            size as u64
        }),
        _ => ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{location}{suffix}")).ok())
            .map(|m| m.len())
            .sum(),
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics

#[derive(Debug, Clone)]
struct Timing {
    times: Vec<Duration>,
    bytes: usize,
}

impl Timing {
    fn quantile(&self, p: f64) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        let rank = ((p * t.len() as f64).ceil() as usize).clamp(1, t.len());
        t[rank - 1]
    }

    fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    fn p95(&self) -> Duration {
        self.quantile(0.95)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `warmups` untimed runs of `f`, then timed ones: `requests`, or fewer (at least 10) once
/// `budget` is spent.
async fn timed<F, Fut>(s: &Settings, mut f: F) -> Timing
where
    F: FnMut() -> Fut,
    Fut: Future<Output = usize>,
{
    for _ in 0..s.warmups {
        f().await;
    }
    let mut times = Vec::new();
    let mut bytes = 0;
    let started = Instant::now();
    while times.len() < s.requests && (times.len() < 10 || started.elapsed() < s.budget) {
        let began = Instant::now();
        bytes = f().await;
        times.push(began.elapsed());
    }
    Timing { times, bytes }
}

/// Median of `n` runs (in-process timings).
async fn median_of<F, Fut, T>(n: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut times = Vec::new();
    for _ in 0..n {
        let began = Instant::now();
        std::hint::black_box(f().await);
        times.push(began.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

// ---------------------------------------------------------------------------------------------
// The client

struct Client {
    http: reqwest::Client,
    base: String,
    session: String,
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name && !value.is_empty()).then(|| value.to_owned())
        })
}

impl Client {
    /// Signs the viewer in as a browser does: the form, its CSRF token and cookie, the post.
    async fn sign_in(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(300))
            .build()
            .unwrap();
        let form = http.get(format!("{base}/login")).send().await.unwrap();
        assert_eq!(form.status(), 200);
        let csrf_cookie = cookie_value(&form, "kepu_login_csrf").expect("the login CSRF cookie");
        let page = form.text().await.unwrap();
        let marker = "name=\"csrf\" value=\"";
        let at = page.find(marker).expect("the form's csrf field") + marker.len();
        let token = &page[at..at + page[at..].find('"').unwrap()];
        assert_eq!(token, csrf_cookie, "the double-submit token");
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("name", VIEWER)
            .append_pair("password", PASSWORD)
            .append_pair("csrf", token)
            .append_pair("next", "/dashboard/overview")
            .finish();
        let signed = http
            .post(format!("{base}/login"))
            .header(
                reqwest::header::COOKIE,
                format!("kepu_login_csrf={csrf_cookie}"),
            )
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            signed.status().is_redirection(),
            "sign-in: {}",
            signed.status()
        );
        let session = cookie_value(&signed, "kepu_session").expect("a session cookie");
        Client {
            http,
            base: base.to_owned(),
            session,
        }
    }

    /// GET `path`; the body's length. Anything but 200 is a broken set-up.
    async fn get(&self, path: &str) -> usize {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(
                reqwest::header::COOKIE,
                format!("kepu_session={}", self.session),
            )
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.bytes().await.unwrap();
        assert_eq!(
            status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
        body.len()
    }
}

// ---------------------------------------------------------------------------------------------
// Views and addresses

#[derive(Debug, Clone)]
struct View {
    name: String,
    period: Period,
    venue: Option<String>,
    kiosk: Option<String>,
    floor: Duration,
}

impl View {
    fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.period.first, self.period.last);
        if let Some(v) = &self.venue {
            q.push_str(&format!("&venue={v}"));
        }
        if let Some(k) = &self.kiosk {
            q.push_str(&format!("&kiosk={k}"));
        }
        q
    }

    fn params(&self) -> ScopeParams {
        ScopeParams {
            from: Some(self.period.first.to_string()),
            to: Some(self.period.last.to_string()),
            venue: self.venue.clone(),
            kiosk: self.kiosk.clone(),
            ..ScopeParams::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// The view's period and filters.
    Scope,
    /// Nothing (kiosk health).
    Nothing,
    /// A month in its path (the printable monthly report): measured with the 30-day views.
    Month,
}

struct Address {
    label: String,
    path: String,
    takes: Takes,
}

fn addresses(quiz: &str, question: &str, exhibit: &str, sort: &str, month: &str) -> Vec<Address> {
    let a = |label: &str, path: String, takes: Takes| Address {
        label: label.to_owned(),
        path,
        takes,
    };
    use Takes::*;
    vec![
        a("JSON overview", "/api/v1/reports/overview".into(), Scope),
        a("JSON exhibits", "/api/v1/reports/exhibits".into(), Scope),
        a("JSON literacy", "/api/v1/reports/literacy".into(), Scope),
        a(
            "JSON quiz",
            format!("/api/v1/reports/quizzes/{quiz}"),
            Scope,
        ),
        a(
            "JSON sort game",
            format!("/api/v1/reports/sort/{sort}"),
            Scope,
        ),
        a("JSON funnel", "/api/v1/reports/funnel".into(), Scope),
        a("JSON kiosks", "/api/v1/reports/kiosks".into(), Nothing),
        a("page overview", "/dashboard/overview".into(), Scope),
        a("page exhibits", "/dashboard/exhibits".into(), Scope),
        a(
            "page one exhibit",
            format!("/dashboard/exhibits/{exhibit}"),
            Scope,
        ),
        a("page literacy", "/dashboard/literacy".into(), Scope),
        a("page funnel", "/dashboard/funnel".into(), Scope),
        a("page quizzes (list)", "/dashboard/quizzes".into(), Scope),
        a("page one quiz", format!("/dashboard/quizzes/{quiz}"), Scope),
        a(
            "page one question",
            format!("/dashboard/quizzes/{quiz}/{question}"),
            Scope,
        ),
        a("page sort games (list)", "/dashboard/sort".into(), Scope),
        a(
            "page one sort game",
            format!("/dashboard/sort/{sort}"),
            Scope,
        ),
        a("page kiosks", "/dashboard/kiosks".into(), Nothing),
        a(
            &format!("page monthly report {month}"),
            format!("/dashboard/report/{month}"),
            Month,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// In-process: what each report reads, and each query on its own

/// The queries the reports make for one period (report_data.rs), each once.
fn queries(
    quiz: &str,
    sort: &str,
) -> Vec<(&'static str, String, AtomTable, Vec<Group>, Vec<Only>, bool)> {
    let offset = i64::from(ReportSettings::default().zone.local_minus_utc()) * 1000;
    let day = Group::Day {
        utc_offset_ms: offset,
    };
    let how = Group::HourOfWeek {
        utc_offset_ms: offset,
    };
    let month = Group::Month {
        utc_offset_ms: offset,
    };
    use AtomTable::*;
    vec![
        (
            "overview",
            "traits by trait".into(),
            SessionTraits,
            vec![Group::By(Dim::Trait)],
            vec![],
            false,
        ),
        (
            "overview",
            "sessions by length".into(),
            Sessions,
            vec![Group::By(Dim::LengthBucket)],
            vec![],
            false,
        ),
        (
            "overview",
            "sessions by day".into(),
            Sessions,
            vec![day],
            vec![],
            false,
        ),
        (
            "overview",
            "sessions by hour of week".into(),
            Sessions,
            vec![how],
            vec![],
            false,
        ),
        (
            "overview",
            "sessions by language".into(),
            Sessions,
            vec![Group::By(Dim::Language)],
            vec![],
            false,
        ),
        (
            "overview",
            "sessions by audience".into(),
            Sessions,
            vec![Group::By(Dim::Audience)],
            vec![],
            false,
        ),
        (
            "exhibits",
            "exhibits by exhibit, measure".into(),
            Exhibits,
            vec![Group::By(Dim::Exhibit), Group::By(Dim::Measure)],
            vec![],
            false,
        ),
        (
            "exhibits",
            "sessions total".into(),
            Sessions,
            vec![],
            vec![],
            false,
        ),
        (
            "exhibits",
            "sessions by kiosk".into(),
            Sessions,
            vec![Group::By(Dim::Kiosk)],
            vec![],
            false,
        ),
        (
            "exhibits",
            "diligent by kiosk".into(),
            SessionTraits,
            vec![Group::By(Dim::Kiosk)],
            vec![Only::is(Dim::Trait, "diligent")],
            false,
        ),
        (
            "literacy",
            "answers by month, audience, theme, exhibit, question, outcome".into(),
            Answers,
            vec![
                month,
                Group::By(Dim::Audience),
                Group::By(Dim::Theme),
                Group::By(Dim::Exhibit),
                Group::By(Dim::Question),
                Group::By(Dim::Outcome),
            ],
            vec![Only::any(Dim::Outcome, &["answered", "correct"])],
            false,
        ),
        (
            "funnel",
            "sessions by venue".into(),
            Sessions,
            vec![Group::By(Dim::Venue)],
            vec![],
            false,
        ),
        (
            "funnel",
            "traits by venue, trait (7 traits)".into(),
            SessionTraits,
            vec![Group::By(Dim::Venue), Group::By(Dim::Trait)],
            vec![Only::any(
                Dim::Trait,
                &[
                    "opened:1",
                    "opened:2",
                    "opened:3",
                    "opened:4",
                    "opened:5+",
                    "quiz_started",
                    "quiz_completed",
                ],
            )],
            false,
        ),
        (
            "sort game",
            format!("placements of {sort} by item, bin"),
            Placements,
            vec![Group::By(Dim::Item), Group::By(Dim::Bin)],
            vec![Only::is(Dim::Exhibit, sort)],
            false,
        ),
        (
            "quiz",
            format!("answers of {quiz} by audience, question, outcome"),
            Answers,
            vec![
                Group::By(Dim::Audience),
                Group::By(Dim::Question),
                Group::By(Dim::Outcome),
            ],
            vec![],
            true,
        ),
    ]
}

struct InProcess {
    /// (report, view) → (reads, whole report).
    reports: Vec<(String, String, Option<Duration>, Duration)>,
    /// (view, page, query) → time.
    queries: Vec<(String, &'static str, String, Duration)>,
}

async fn in_process(
    location: &str,
    views: &[View],
    quiz: &str,
    exhibit: &str,
    sort: &str,
) -> InProcess {
    let store = open(location).await;
    let settings = ReportSettings::default();
    let state = kepu_server::AppState::new(store.clone()).with_reports(settings);
    let catalog = Catalog::load(&store).await.unwrap();
    let manifest = catalog.get(quiz).unwrap().clone();
    let venue_ids = store.venue_ids().await.unwrap();
    let k = u32::try_from(settings.min_sessions.get()).unwrap();
    let mut out = InProcess {
        reports: Vec::new(),
        queries: Vec::new(),
    };
    for view in views {
        let scope = report_data::scope_of(&view.params(), &settings).unwrap();
        let mut with_exhibit = view.params();
        with_exhibit.exhibit = Some(exhibit.to_owned());
        let exhibit_scope = report_data::scope_of(&with_exhibit, &settings).unwrap();
        let mut with_quiz = view.params();
        with_quiz.exhibit = Some(quiz.to_owned());
        let quiz_scope = report_data::scope_of(&with_quiz, &settings).unwrap();
        let reader = Reader::new(&store, settings, &scope).await.unwrap();
        let exhibit_reader = Reader::new(&store, settings, &exhibit_scope).await.unwrap();
        let quiz_reader = Reader::new(&store, settings, &quiz_scope).await.unwrap();
        let (reader, exhibit_reader, quiz_reader) = (&reader, &exhibit_reader, &quiz_reader);
        let (state, catalog, manifest) = (&state, &catalog, &manifest);
        let (scope, exhibit_scope, quiz_scope) = (&scope, &exhibit_scope, &quiz_scope);
        let n = 3;
        let lines = [
            (
                "overview",
                median_of(n, || async move { reader.overview().await.unwrap() }).await,
                median_of(n, || async move {
                    report_data::overview_report(state, scope, "zh")
                        .await
                        .unwrap()
                })
                .await,
            ),
            (
                "exhibits",
                median_of(n, || async move { reader.exhibits(catalog).await.unwrap() }).await,
                median_of(n, || async move {
                    report_data::exhibits_report(state, scope, "zh")
                        .await
                        .unwrap()
                })
                .await,
            ),
            (
                "one exhibit",
                median_of(n, || async move {
                    exhibit_reader.exhibits(catalog).await.unwrap()
                })
                .await,
                median_of(n, || async move {
                    report_data::exhibits_report(state, exhibit_scope, "zh")
                        .await
                        .unwrap()
                })
                .await,
            ),
            (
                "literacy",
                median_of(n, || async move { reader.literacy().await.unwrap() }).await,
                median_of(n, || async move {
                    report_data::literacy_report(state, scope, "zh")
                        .await
                        .unwrap()
                })
                .await,
            ),
            (
                "quiz",
                median_of(
                    n,
                    || async move { quiz_reader.quiz(manifest).await.unwrap() },
                )
                .await,
                median_of(n, || async move {
                    report_data::quiz_report(state, quiz_scope, quiz, "zh")
                        .await
                        .unwrap()
                })
                .await,
            ),
        ];
        for (report, reads, whole) in lines {
            out.reports
                .push((report.to_owned(), view.name.clone(), Some(reads), whole));
        }
        // Reports whose reads are not public on their own: the whole report only.
        let funnel = median_of(n, || async move {
            report_data::funnel_report(state, scope).await.unwrap()
        })
        .await;
        out.reports
            .push(("funnel".to_owned(), view.name.clone(), None, funnel));
        let sort_game = median_of(n, || async move {
            report_data::sort_report(state, scope, sort, "zh")
                .await
                .unwrap()
        })
        .await;
        out.reports
            .push(("sort game".to_owned(), view.name.clone(), None, sort_game));

        // Each query of the current period on its own.
        let (from_ms, to_ms) = view.period.range_ms(settings.zone);
        let venue_id = view
            .venue
            .as_ref()
            .map(|name| venue_ids.iter().find(|(_, v)| v == name).unwrap().0);
        let filter = ReportFilter {
            from_ms,
            to_ms,
            venue_id,
            kiosk_id: view.kiosk.clone(),
            ..ReportFilter::default()
        };
        let store = &store;
        for (page, name, table, groups, only, by_quiz) in queries(quiz, sort) {
            let mut f = filter.clone();
            if by_quiz {
                f.exhibit_id = Some(quiz.to_owned());
            }
            let (f, groups, only) = (&f, &groups, &only);
            let took = median_of(n, || async move {
                store.atom_sums(table, f, groups, only, k).await.unwrap()
            })
            .await;
            out.queries.push((view.name.clone(), page, name, took));
        }
        let filter = &filter;
        let took = median_of(n, || async move {
            store.kiosk_open_hours(filter).await.unwrap()
        })
        .await;
        out.queries.push((
            view.name.clone(),
            "exhibits",
            "kiosk open hours".into(),
            took,
        ));
        let took = median_of(n, || async move {
            let mut f = filter.clone();
            f.exhibit_id = Some(quiz.to_owned());
            store.quiz_item_stats(&f, quiz).await.unwrap().len()
        })
        .await;
        out.queries.push((
            view.name.clone(),
            "quiz",
            "item statistics (one query)".into(),
            took,
        ));
        let took = median_of(n, || async move { Catalog::load(store).await.unwrap() }).await;
        out.queries.push((
            view.name.clone(),
            "every report",
            "published manifests (Catalog::load)".into(),
            took,
        ));
    }
    store.close().await;
    out
}

// ---------------------------------------------------------------------------------------------
// One engine

struct Row {
    view: String,
    label: String,
    timing: Timing,
    floor: Option<Duration>,
}

fn run_engine(runtime: &tokio::runtime::Runtime, engine: Engine, s: &Settings) {
    println!();
    println!("== {engine} ==");
    let loaded = match &s.reuse {
        Some(location) => {
            println!(
                "  measuring the kept database {}",
                kepu_store::redact_password(location)
            );
            None
        }
        None => Some(load(runtime, engine, s)),
    };
    let location = match (&loaded, &s.reuse) {
        (Some(l), _) => l.location.clone(),
        (None, Some(location)) => location.clone(),
        (None, None) => unreachable!(),
    };
    let settings = ReportSettings::default();

    // The report sums: the server's maintenance makes them after each roll-up; here the
    // first build over the whole store (a kept database made before the sums queues all its
    // hours when it is opened), before the server starts.
    let (sums_took, sums_days, sums_months, sums_rows) = runtime.block_on(async {
        let store = open(&location).await;
        let started = Instant::now();
        let (mut days, mut months) = (0, 0);
        loop {
            let done = store
                .refresh_report_sums(
                    settings.k(),
                    settings.offset_ms(),
                    kepu_core::now_unix_ms(),
                    7,
                )
                .await
                .unwrap();
            days += done.days;
            months += done.months;
            if !done.did_something() {
                break;
            }
        }
        let rows = store.report_sums_rows().await.unwrap();
        store.close().await;
        if engine == Engine::Postgres {
            // What autovacuum does to new tables soon after: statistics for the planner.
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&location).await.unwrap();
            sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        (started.elapsed(), days, months, rows.0)
    });
    println!(
        "  report sums made in {:.1} s: {sums_days} days, {sums_months} months, {sums_rows} rows",
        sums_took.as_secs_f64()
    );

    // The data's period, from the atoms themselves (a kept database was loaded on another
    // day).
    let (first_hour, last_hour) = runtime.block_on(async {
        let mut raw = Raw::connect(&location).await;
        let first = raw
            .scalar(
                "SELECT COALESCE(MIN(hour_start_ms), 0) FROM atom_sessions WHERE hour_start_ms >= $1 AND hour_start_ms < $2",
                i64::MIN,
                i64::MAX,
            )
            .await;
        let last = raw
            .scalar(
                "SELECT COALESCE(MAX(hour_start_ms), 0) FROM atom_sessions WHERE hour_start_ms >= $1 AND hour_start_ms < $2",
                i64::MIN,
                i64::MAX,
            )
            .await;
        raw.close().await;
        (first, last)
    });
    let local_day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&settings.zone)
            .date_naive()
    };
    let whole = Period {
        first: local_day(first_hour),
        last: local_day(last_hour),
    };
    let last30 = Period {
        first: whole.last - Days::new(29),
        last: whole.last,
    };
    let views = vec![
        View {
            name: "30 days".into(),
            period: last30,
            venue: None,
            kiosk: None,
            floor: FLOOR_30_DAYS,
        },
        View {
            name: format!("{} days", whole.days()),
            period: whole,
            venue: None,
            kiosk: None,
            floor: FLOOR_YEAR,
        },
        View {
            name: "30 days, one venue".into(),
            period: last30,
            venue: Some(venue_name(0)),
            kiosk: None,
            floor: FLOOR_30_DAYS,
        },
        View {
            name: format!("{} days, one kiosk", whole.days()),
            period: whole,
            venue: None,
            kiosk: Some(kiosk_name(0)),
            floor: FLOOR_YEAR,
        },
    ];

    // What is in the store.
    let size = database_size(&location, runtime);
    let stats = runtime.block_on(async {
        let mut raw = Raw::connect(&location).await;
        let mut lines = Vec::new();
        for view in views
            .iter()
            .filter(|v| v.venue.is_none() && v.kiosk.is_none())
        {
            let (from, to) = view.period.range_ms(settings.zone);
            let mut counts = Vec::new();
            for table in ATOM_TABLES {
                counts.push(raw.scalar(&count_sql(table), from, to).await);
            }
            lines.push((view.name.clone(), counts));
        }
        let sessions = raw
            .scalar(
                "SELECT COUNT(*) FROM sessions WHERE start_hour_ms >= $1 AND start_hour_ms < $2",
                i64::MIN,
                i64::MAX,
            )
            .await;
        raw.close().await;
        (lines, sessions)
    });
    println!(
        "  store: {} sessions, {:.2} GB on disk",
        stats.1,
        size as f64 / 1e9
    );
    for (view, counts) in &stats.0 {
        println!(
            "  atoms in {view:<22} sessions {:>9}  traits {:>9}  exhibits {:>9}  answers {:>9}  placements {:>9}",
            counts[0], counts[1], counts[2], counts[3], counts[4]
        );
    }

    // The retention pass the server runs at start and every hour: a scan of the raw events.
    let retention = runtime.block_on(async {
        let store = open(&location).await;
        let started = Instant::now();
        let cutoff = kepu_core::now_unix_ms() - 400 * 86_400_000;
        let pass = store.delete_raw_before(cutoff).await.unwrap();
        let took = started.elapsed();
        store.close().await;
        assert_eq!(pass.deleted_events, 0);
        took
    });
    println!(
        "  the retention pass (Store::delete_raw_before, at the server's start and hourly, deletes nothing here): {:.1} s",
        retention.as_secs_f64()
    );

    // The server, on a runtime of its own.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ServeConfig::new("127.0.0.1:0".parse().unwrap(), Location::parse(&location));
    let app = server_runtime.block_on(build(&config)).unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        server_runtime
            .block_on(app.run(async {
                let _ = stopped.await;
            }))
            .unwrap();
    });
    // Its own retention pass runs at start: let it finish before measuring.
    let settle = retention.mul_f64(1.5) + Duration::from_secs(2);
    println!(
        "  server at {base}; waiting {:.0} s for its start-up retention pass",
        settle.as_secs_f64()
    );
    std::thread::sleep(settle);

    let catalog = runtime.block_on(async {
        let store = open(&location).await;
        let catalog = Catalog::load(&store).await.unwrap();
        store.close().await;
        catalog
    });
    let quiz = catalog
        .exhibits
        .iter()
        .find(|m| m.kind == ExhibitKind::Quiz)
        .unwrap();
    let question = quiz.questions[0].id.clone();
    let exhibit = catalog.exhibits[0].id.clone();
    let quiz_id = quiz.id.clone();
    let sort_id = catalog
        .exhibits
        .iter()
        .find(|m| m.kind == ExhibitKind::Sort)
        .unwrap()
        .id
        .clone();
    // The monthly report of the last whole month of the data.
    let month = {
        let next = whole.last + Days::new(1);
        let day = if next.day() == 1 {
            whole.last
        } else {
            whole.last - Days::new(u64::from(whole.last.day()))
        };
        format!("{:04}-{:02}", day.year(), day.month())
    };

    let mut rows: Vec<Row> = Vec::new();
    println!("  measuring; load average {}", load_average());
    runtime.block_on(async {
        let client = Client::sign_in(&base).await;
        // Baselines.
        let health = timed(s, || client.get("/healthz")).await;
        rows.push(Row {
            view: "-".into(),
            label: "baseline: GET /healthz".into(),
            timing: health,
            floor: None,
        });
        let ready = timed(s, || client.get("/readyz")).await;
        rows.push(Row {
            view: "-".into(),
            label: "baseline: GET /readyz (one DB round trip)".into(),
            timing: ready,
            floor: None,
        });
        let mut raw = Raw::connect(&location).await;
        let sql = all_atoms_sql();
        for view in &views {
            let (from, to) = view.period.range_ms(settings.zone);
            // Without the venue: a plain count of the range.
            if view.venue.is_some() {
                continue;
            }
            let mut times = Vec::new();
            for _ in 0..s.warmups {
                raw.scalar(&sql, from, to).await;
            }
            let started = Instant::now();
            let mut total = 0;
            while times.len() < s.requests && (times.len() < 10 || started.elapsed() < s.budget) {
                let began = Instant::now();
                total = raw.scalar(&sql, from, to).await;
                times.push(began.elapsed());
            }
            rows.push(Row {
                view: view.name.clone(),
                label: format!("baseline: SELECT COUNT(*) of the {total} atoms in range"),
                timing: Timing { times, bytes: 0 },
                floor: None,
            });
        }
        raw.close().await;

        let list = addresses(&quiz_id, &question, &exhibit, &sort_id, &month);
        for address in list.iter().filter(|a| a.takes != Takes::Scope) {
            let path = format!("{}?lang=zh", address.path);
            let timing = timed(s, || client.get(&path)).await;
            println!(
                "    {:<20} {:<22} p50 {:>8.1} ms  p95 {:>8.1} ms  (n {})",
                "-",
                address.label,
                ms(timing.p50()),
                ms(timing.p95()),
                timing.times.len()
            );
            rows.push(Row {
                view: if address.takes == Takes::Month {
                    "one month".into()
                } else {
                    "-".into()
                },
                label: address.label.clone(),
                timing,
                floor: Some(FLOOR_30_DAYS),
            });
        }
        for view in &views {
            for address in list.iter().filter(|a| a.takes == Takes::Scope) {
                let path = format!("{}?{}&lang=zh", address.path, view.query());
                let timing = timed(s, || client.get(&path)).await;
                println!(
                    "    {:<20} {:<22} p50 {:>8.1} ms  p95 {:>8.1} ms  (n {})",
                    view.name,
                    address.label,
                    ms(timing.p50()),
                    ms(timing.p95()),
                    timing.times.len()
                );
                rows.push(Row {
                    view: view.name.clone(),
                    label: address.label.clone(),
                    timing,
                    floor: Some(view.floor),
                });
            }
        }
    });
    let _ = stop.send(());
    server.join().unwrap();
    println!("  measured; load average {}", load_average());

    let inproc = runtime.block_on(in_process(&location, &views, &quiz_id, &exhibit, &sort_id));

    // The table.
    println!();
    if let Some(l) = &loaded {
        println!(
            "{engine}: {} events ({} kiosks, {} venues, {} exhibits, {} days; about {} sessions at {:.1} events a visit)",
            l.events, s.kiosks, s.venues, s.exhibits, s.days, l.sessions_est, l.per_visit
        );
        println!(
            "  load {:.1} s ({:.0} events/s; insert_events alone {:.0} events/s), roll-up {:.1} s ({:.0} events/s){}",
            l.load.as_secs_f64(),
            l.events as f64 / l.load.as_secs_f64(),
            l.events as f64 / l.inserting.as_secs_f64(),
            l.rollup.as_secs_f64(),
            l.events as f64 / l.rollup.as_secs_f64(),
            l.vacuum
                .map(|v| format!(", VACUUM (ANALYZE) {:.1} s", v.as_secs_f64()))
                .unwrap_or_default()
        );
    }
    println!(
        "  {:.2} GB on disk; retention pass {:.1} s",
        size as f64 / 1e9,
        retention.as_secs_f64()
    );
    println!();
    println!("| {engine} | view | n | p50 ms | p95 ms | max ms | KiB | floor (p95) |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut missed = 0;
    let mut met = 0;
    for row in &rows {
        let t = &row.timing;
        let verdict = match row.floor {
            Some(floor) if t.p95() <= floor => {
                met += 1;
                format!("≤ {} ms: met", floor.as_millis())
            }
            Some(floor) => {
                missed += 1;
                format!("≤ {} ms: **MISSED**", floor.as_millis())
            }
            None => String::new(),
        };
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {} |",
            row.label,
            row.view,
            t.times.len(),
            ms(t.p50()),
            ms(t.p95()),
            ms(t.quantile(1.0)),
            t.bytes as f64 / 1024.0,
            verdict
        );
    }
    println!();
    println!("{engine}: {met} addresses × views met their floor, {missed} missed");
    println!();
    println!(
        "in-process, median of 3: store reads (Reader) / whole report (reads, suppression, names)"
    );
    for (report, view, reads, whole) in &inproc.reports {
        println!(
            "  {report:<12} {view:<20} reads {:>10}   report {:>8.1} ms",
            reads.map_or("-".to_owned(), |r| format!("{:.1} ms", ms(r))),
            ms(*whole)
        );
    }
    println!();
    println!(
        "in-process, each query of the current period alone (median of 3; the reports make each again for the previous period):"
    );
    let mut by_view: BTreeMap<String, Vec<(&'static str, String, Duration)>> = BTreeMap::new();
    for (view, page, name, took) in &inproc.queries {
        by_view
            .entry(view.clone())
            .or_default()
            .push((page, name.clone(), *took));
    }
    for (view, mut list) in by_view {
        list.sort_by_key(|entry| std::cmp::Reverse(entry.2));
        println!("  {view}:");
        for (page, name, took) in list {
            println!("    {:>8.1} ms  {page:<12} {name}", ms(took));
        }
    }

    if let Some(loaded) = loaded {
        if s.keep {
            println!(
                "  kept: KEPU_BENCH_DB={} (SQLite: the folder is not deleted)",
                loaded.location
            );
            if let Some(dir) = loaded._dir {
                let _ = dir.keep();
            }
        } else if engine == Engine::Postgres
            && let Some(admin) = &s.postgres_admin
        {
            runtime.block_on(drop_postgres(admin, &loaded.location));
        }
    }
}

/// Drops a database `fresh_postgres_database` made.
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

/// The machine's load average over 1, 5 and 15 minutes.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
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
        "kepu-server reports bench: {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for &engine in &settings.engines {
        run_engine(&runtime, engine, &settings);
    }
}
