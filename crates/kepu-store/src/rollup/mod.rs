//! The roll-up: folds raw events (and the kiosks' own roll-ups) into the hourly tables that
//! every report reads. Each raw event is counted exactly once: a pass reads events not yet
//! counted, adds what they count to the `hourly_*` rows and their sessions, and marks them
//! counted, all in one transaction — so a late event (a kiosk offline for a week) lands in its
//! own hour whenever it arrives, and a pass that fails counts nothing.
//!
//! "Counted" is `events.arrival <= rollup_watermark.arrival OR events.folded <> 0`, one
//! condition for both engines, kept two ways:
//! - SQLite has one writer at a time, so arrival numbers are handed out in commit order: a
//!   watermark (the last arrival counted) is exact, and a pass only moves it — no event row is
//!   rewritten. The pass takes the write lock first (`BEGIN IMMEDIATE`).
//! - PostgreSQL's sequence hands out numbers before commits, which may finish out of order, so
//!   a watermark could skip a batch still committing: each event is marked `folded` instead
//!   (the watermark stays 0). A transaction-scoped advisory lock lets one server of several
//!   roll up at a time (the others skip that turn), and the `folded = 0` condition of the
//!   marking update is checked against what was read, so nothing is counted twice.
//!
//! The same pass keeps each session's facts (`session_*`: what it did at each exhibit, its
//! first answers, placements, hotspots), each kiosk's newest heartbeat, and the dashboard's
//! atoms of the sessions it touched ([`atoms`]: moved, or their kiosk-hours rebuilt), all in
//! its transaction.

mod atoms;
mod facts;
pub mod fold;
mod members;

pub(crate) use atoms::KeyCache;
pub(crate) use atoms::serialized_transaction;

use crate::sql::{execute_all, fetch_map};
use crate::{Engine, Store, StoreError, count, db_int, with_pool};
use fold::{
    BUCKETS, DetailCounts, DetailKey, Fold, HourCounts, HourKey, KioskRollup, SessionState,
    record_key,
};
use kepu_core::wire::EngagementEvent;
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The advisory lock key of the roll-up on PostgreSQL ("kepu" in ASCII). Also held by an atom
/// rebuild and a publish, which must not interleave with a pass.
pub(crate) const ROLLUP_LOCK: i64 = 0x6B65_7075;

/// Statements whose text varies with the number of rows (`IN (...)` lists, multi-row upserts)
/// are not prepared and cached (`persistent(false)`): each distinct text would stay in every
/// connection's statement cache.
///
/// Rows per upsert statement (hourly_events has 22 columns: 22,000 binds).
const UPSERT_CHUNK: usize = 1_000;
/// Ids per `IN (...)` list.
const ID_CHUNK: usize = 5_000;

/// What one pass folded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollupPass {
    pub events: u64,
    pub kiosk_rollups: u64,
    /// Raw events whose stored body could not be read back (never expected: only validated
    /// events are stored); marked so that they are not read again, and logged.
    pub unreadable: u64,
    /// Another server held the roll-up lock: nothing was done.
    pub skipped: bool,
}

/// `a + b`, saturating at `i64::MAX`, in SQL both engines read.
fn saturating_add(table: &str, column: &str) -> String {
    format!(
        "{column} = CASE WHEN {table}.{column} > 9223372036854775807 - excluded.{column} \
         THEN 9223372036854775807 ELSE {table}.{column} + excluded.{column} END"
    )
}

impl Store {
    /// Folds up to `max_events` raw events and `max_events` kiosk roll-up rows. Call it until
    /// it folds less than asked for to catch up.
    pub async fn roll_up(&self, max_events: usize) -> Result<RollupPass, StoreError> {
        let limit = i64::try_from(max_events.max(1)).unwrap_or(i64::MAX);
        let engine = self.engine();
        let postgres = engine == Engine::Postgres;
        self.backfill_record_keys().await?;
        let secret = self.report_secret().await?;
        let pass = with_pool!(self, |pool, Db| {
            // SQLite: the reading and folding happen in a read transaction that does not hold
            // back the kiosks' inserts; the writes then take the write lock (BEGIN IMMEDIATE,
            // waiting for it: a deferred transaction that reads first is refused at once when
            // it comes to write under steady ingest, so the roll-up never got through) and
            // check that no other pass moved the watermark meanwhile. PostgreSQL: one
            // transaction, under the advisory lock.
            let mut tx = pool.begin().await?;
            let watermark: i64 = sqlx::query_scalar("SELECT arrival FROM rollup_watermark")
                .fetch_one(&mut *tx)
                .await?;
            if postgres {
                let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(ROLLUP_LOCK)
                    .fetch_one(&mut *tx)
                    .await?;
                if !locked {
                    return Ok(RollupPass {
                        skipped: true,
                        ..RollupPass::default()
                    });
                }
            }
            let rows = sqlx::query(
                "SELECT e.arrival, e.occurred_at_ms, e.body, k.venue_id
                 FROM events e JOIN kiosks k ON k.id = e.kiosk_id
                 WHERE e.folded = 0 AND e.arrival > $2
                 ORDER BY e.arrival LIMIT $1",
            )
            .bind(limit)
            .bind(watermark)
            .fetch_all(&mut *tx)
            .await?;
            let mut events = Vec::with_capacity(rows.len());
            let mut unreadable = Vec::new();
            let mut venues: HashMap<String, i64> = HashMap::new();
            for row in &rows {
                let arrival: i64 = row.try_get("arrival")?;
                let body: String = row.try_get("body")?;
                match serde_json::from_str::<EngagementEvent>(&body) {
                    Ok(event) => {
                        let venue: Option<i64> = row.try_get("venue_id")?;
                        venues.insert(event.kiosk_id.clone(), venue.unwrap_or(0));
                        events.push((arrival, row.try_get::<i64, _>("occurred_at_ms")?, event));
                    }
                    Err(err) => {
                        tracing::error!(arrival, "a stored event cannot be read back: {err}");
                        unreadable.push(arrival);
                    }
                }
            }

            let mut fold = Fold::default();
            let session_ids: Vec<String> = {
                let mut ids: Vec<String> = events
                    .iter()
                    .filter_map(|(_, _, e)| e.session_id.map(|s| s.to_string()))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            };
            // The stored sessions with all their facts: what their atoms are now.
            let stored = atoms::load_records!(engine, tx, &session_ids).await?;
            for (id, record) in &stored {
                fold.sessions.insert(id.clone(), record.state.clone());
            }
            for (_, occurred_at_ms, event) in &events {
                fold.event(event, *occurred_at_ms);
            }

            let kiosk_rows = sqlx::query(
                "SELECT r.rollup_id, r.kiosk_id, r.hour_start_ms, r.event_type, r.exhibit_id,
                        r.count, r.correct, k.venue_id
                 FROM rollups r JOIN kiosks k ON k.id = r.kiosk_id
                 WHERE r.folded = 0 ORDER BY r.received_at_ms, r.rollup_id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            let mut rollup_ids = Vec::with_capacity(kiosk_rows.len());
            for row in &kiosk_rows {
                let rollup = KioskRollup {
                    kiosk_id: row.try_get("kiosk_id")?,
                    hour_start_ms: row.try_get("hour_start_ms")?,
                    event_type: row.try_get("event_type")?,
                    exhibit_id: row.try_get("exhibit_id")?,
                    count: count(row.try_get("count")?),
                    correct: count(row.try_get("correct")?),
                };
                let venue: Option<i64> = row.try_get("venue_id")?;
                venues.insert(rollup.kiosk_id.clone(), venue.unwrap_or(0));
                fold.kiosk_rollup(&rollup);
                rollup_ids.push(row.try_get::<String, _>("rollup_id")?);
            }
            let venue_of = |kiosk: &str| venues.get(kiosk).copied().unwrap_or(0);

            if !postgres {
                tx.rollback().await?;
                tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let now: i64 = sqlx::query_scalar("SELECT arrival FROM rollup_watermark")
                    .fetch_one(&mut *tx)
                    .await?;
                if now != watermark {
                    return Err(StoreError::Conflict(
                        "another roll-up pass counted these events meanwhile; this pass is undone",
                    ));
                }
            }

            // The atoms (see `atoms`): kiosk-hours queued for a rebuild, or whose exhibits on
            // show this pass's heartbeats change, are rebuilt whole at the end; every other
            // touched session has its atoms moved: the difference between the atoms of its
            // stored record and of its record after the pass is written.
            let touched = fold.touched_kiosk_hours();
            let touched_list: Vec<(String, i64)> = touched.iter().cloned().collect();
            let mut whole: BTreeSet<(String, i64)> = BTreeSet::new();
            for chunk in touched_list.chunks(atoms::KIOSK_HOURS_CHUNK) {
                whole.extend(
                    fetch_map!(engine, tx, atoms::queued(chunk), |row| (
                        row.try_get::<String, _>(0)?,
                        row.try_get::<i64, _>(1)?
                    ))
                    .await?,
                );
            }
            whole.extend(facts::hours_heartbeats_change!(engine, tx, &fold, &touched).await?);
            let moved: Vec<&str> = fold
                .sessions
                .values()
                .filter(|s| !whole.contains(&(s.kiosk_id.clone(), s.start_hour_ms())))
                .map(|s| s.session_id.as_str())
                .collect();
            let moved_hours: Vec<(String, i64)> = touched.difference(&whole).cloned().collect();
            let meta = atoms::load_meta!(engine, tx).await?;
            let shown = atoms::load_on_show!(engine, tx, &moved_hours).await?;
            let after = members::after_pass(&fold, &stored, venue_of, |id| record_key(&secret, id));
            let changes = members::deltas(&moved, &stored, &after, &meta, &shown);

            // Hourly rows.
            let hours: Vec<(&HourKey, &HourCounts)> = fold.hours.iter().collect();
            for chunk in hours.chunks(UPSERT_CHUNK) {
                let mut upsert = QueryBuilder::<Db>::new(
                    "INSERT INTO hourly_events (hour_start_ms, kiosk_id, venue_id, exhibit_id,
                         audience, language, event_type, events, correct, duration_sum_ms,
                         d00, d01, d02, d03, d04, d05, d06, d07, d08, d09, d10, d11) ",
                );
                upsert.push_values(chunk, |mut row, (key, counts)| {
                    row.push_bind(key.hour_start_ms)
                        .push_bind(key.kiosk_id.clone())
                        .push_bind(venue_of(&key.kiosk_id))
                        .push_bind(key.exhibit_id.clone())
                        .push_bind(key.audience.clone())
                        .push_bind(key.language.clone())
                        .push_bind(key.event_type.clone())
                        .push_bind(db_int(counts.events))
                        .push_bind(db_int(counts.correct))
                        .push_bind(db_int(counts.duration_sum_ms));
                    for bucket in counts.buckets {
                        row.push_bind(db_int(bucket));
                    }
                });
                let mut sums = vec![
                    saturating_add("hourly_events", "events"),
                    saturating_add("hourly_events", "correct"),
                    saturating_add("hourly_events", "duration_sum_ms"),
                ];
                sums.extend(
                    (0..BUCKETS).map(|b| saturating_add("hourly_events", &format!("d{b:02}"))),
                );
                upsert.push(
                    " ON CONFLICT (hour_start_ms, kiosk_id, exhibit_id, audience, language, event_type) DO UPDATE SET ",
                );
                upsert.push(sums.join(", "));
                upsert.build().persistent(false).execute(&mut *tx).await?;
            }
            let details: Vec<(&DetailKey, &DetailCounts)> = fold.details.iter().collect();
            for chunk in details.chunks(UPSERT_CHUNK) {
                let mut upsert = QueryBuilder::<Db>::new(
                    "INSERT INTO hourly_details (hour_start_ms, kiosk_id, venue_id, exhibit_id,
                         audience, language, event_type, element, choice, count, correct) ",
                );
                upsert.push_values(chunk, |mut row, (key, counts)| {
                    row.push_bind(key.hour.hour_start_ms)
                        .push_bind(key.hour.kiosk_id.clone())
                        .push_bind(venue_of(&key.hour.kiosk_id))
                        .push_bind(key.hour.exhibit_id.clone())
                        .push_bind(key.hour.audience.clone())
                        .push_bind(key.hour.language.clone())
                        .push_bind(key.hour.event_type.clone())
                        .push_bind(key.element.clone())
                        .push_bind(key.choice.clone())
                        .push_bind(db_int(counts.count))
                        .push_bind(db_int(counts.correct));
                });
                upsert.push(
                    " ON CONFLICT (hour_start_ms, kiosk_id, exhibit_id, audience, language, event_type, element, choice) DO UPDATE SET ",
                );
                upsert.push(format!(
                    "{}, {}",
                    saturating_add("hourly_details", "count"),
                    saturating_add("hourly_details", "correct")
                ));
                upsert.build().persistent(false).execute(&mut *tx).await?;
            }
            let sessions: Vec<&SessionState> = fold.sessions.values().collect();
            for chunk in sessions.chunks(UPSERT_CHUNK) {
                let mut upsert = QueryBuilder::<Db>::new(
                    "INSERT INTO sessions (session_id, kiosk_id, venue_id, started_at_ms,
                         start_language, language, audience, large_text, high_contrast, seated,
                         exhibits_opened, first_exhibit, last_exhibit, ended, duration_ms,
                         end_reason, events, start_hour_ms, record_key) ",
                );
                upsert.push_values(chunk, |mut row, session| {
                    row.push_bind(session.session_id.clone())
                        .push_bind(session.kiosk_id.clone())
                        .push_bind(venue_of(&session.kiosk_id))
                        .push_bind(session.started_at_ms)
                        .push_bind(session.start_language.clone())
                        .push_bind(session.language.clone())
                        .push_bind(session.audience.clone())
                        .push_bind(i64::from(session.large_text))
                        .push_bind(i64::from(session.high_contrast))
                        .push_bind(i64::from(session.seated))
                        .push_bind(db_int(session.exhibits_opened))
                        .push_bind(session.first_exhibit.clone())
                        .push_bind(session.last_exhibit.clone())
                        .push_bind(i64::from(session.ended))
                        .push_bind(db_int(session.duration_ms))
                        .push_bind(session.end_reason.clone())
                        .push_bind(db_int(session.events))
                        .push_bind(session.start_hour_ms())
                        .push_bind(record_key(&secret, &session.session_id));
                });
                // The fold holds each touched session's whole new state.
                upsert.push(
                    " ON CONFLICT (session_id) DO UPDATE SET
                         start_language = excluded.start_language, language = excluded.language,
                         audience = excluded.audience, large_text = excluded.large_text,
                         high_contrast = excluded.high_contrast, seated = excluded.seated,
                         exhibits_opened = excluded.exhibits_opened,
                         first_exhibit = excluded.first_exhibit, last_exhibit = excluded.last_exhibit,
                         ended = excluded.ended, duration_ms = excluded.duration_ms,
                         end_reason = excluded.end_reason, events = excluded.events,
                         record_key = excluded.record_key",
                );
                upsert.build().persistent(false).execute(&mut *tx).await?;
            }

            // The sessions' facts and the kiosks' heartbeats, then the atoms of every
            // kiosk-hour they touch, rebuilt from them.
            execute_all!(engine, tx, facts::fact_statements(&fold, &after)).await?;
            execute_all!(engine, tx, facts::heartbeat_statements(&fold)).await?;
            execute_all!(engine, tx, members::delta_statements(&changes)).await?;
            let whole: Vec<(String, i64)> = whole.into_iter().collect();
            atoms::rebuild_whole!(engine, tx, &whole).await?;
            // Every hour whose atoms or heartbeats changed: its report sums are remade later
            // (and read from the atoms until then).
            let mut changed_hours: BTreeSet<i64> = touched.iter().map(|(_, hour)| *hour).collect();
            changed_hours.extend(fold.hours.keys().map(|key| key.hour_start_ms));
            execute_all!(engine, tx, crate::report_sums::queue_hours(&changed_hours)).await?;

            // Exhibit ids no published exhibit has (once anything is published): kept for
            // kiosk health, counted like any other.
            let published: Vec<String> = sqlx::query_scalar("SELECT id FROM exhibits")
                .fetch_all(&mut *tx)
                .await?;
            if !published.is_empty() {
                let published: HashSet<&str> = published.iter().map(String::as_str).collect();
                let mut unknown: HashMap<(&str, &str), u64> = HashMap::new();
                for (key, counts) in &fold.hours {
                    if !key.exhibit_id.is_empty() && !published.contains(key.exhibit_id.as_str()) {
                        let n = unknown.entry((&key.kiosk_id, &key.exhibit_id)).or_default();
                        *n = n.saturating_add(counts.events);
                    }
                }
                let now_ms = kepu_core::now_unix_ms();
                let unknown: Vec<((&str, &str), u64)> = unknown.into_iter().collect();
                for chunk in unknown.chunks(UPSERT_CHUNK) {
                    let mut upsert = QueryBuilder::<Db>::new(
                        "INSERT INTO unknown_exhibits (kiosk_id, exhibit_id, first_seen_ms,
                             last_seen_ms, events) ",
                    );
                    upsert.push_values(chunk, |mut row, ((kiosk, exhibit), events)| {
                        row.push_bind(kiosk.to_string())
                            .push_bind(exhibit.to_string())
                            .push_bind(now_ms)
                            .push_bind(now_ms)
                            .push_bind(db_int(*events));
                    });
                    upsert.push(
                        " ON CONFLICT (kiosk_id, exhibit_id) DO UPDATE SET
                             last_seen_ms = excluded.last_seen_ms, ",
                    );
                    upsert.push(saturating_add("unknown_exhibits", "events"));
                    upsert.build().persistent(false).execute(&mut *tx).await?;
                }
            }

            // Mark what was counted; any row another pass took in between undoes this one.
            let folded: Vec<i64> = events.iter().map(|(arrival, _, _)| *arrival).collect();
            if !postgres {
                // Every row read (and an unreadable one, logged above) is now behind the
                // watermark; no event row is rewritten.
                if let Some(last) = folded.iter().chain(&unreadable).max() {
                    sqlx::query("UPDATE rollup_watermark SET arrival = $1 WHERE arrival < $1")
                        .bind(*last)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let marks: &[(&[i64], i64)] = if postgres {
                &[(&folded, 1), (&unreadable, 2)]
            } else {
                &[]
            };
            for &(marks, value) in marks {
                for chunk in marks.chunks(ID_CHUNK) {
                    let mut update = QueryBuilder::<Db>::new("UPDATE events SET folded = ");
                    update.push_bind(value);
                    update.push(" WHERE folded = 0 AND arrival IN (");
                    let mut list = update.separated(", ");
                    for arrival in chunk {
                        list.push_bind(*arrival);
                    }
                    update.push(")");
                    let marked = update
                        .build()
                        .persistent(false)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if marked != chunk.len() as u64 {
                        return Err(StoreError::Conflict(
                            "another roll-up pass counted some of these events; this pass is undone",
                        ));
                    }
                }
            }
            for chunk in rollup_ids.chunks(ID_CHUNK) {
                let mut update = QueryBuilder::<Db>::new(
                    "UPDATE rollups SET folded = 1 WHERE folded = 0 AND rollup_id IN (",
                );
                let mut list = update.separated(", ");
                for id in chunk {
                    list.push_bind(id.clone());
                }
                update.push(")");
                let marked = update
                    .build()
                    .persistent(false)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if marked != chunk.len() as u64 {
                    return Err(StoreError::Conflict(
                        "another roll-up pass counted some of these roll-ups; this pass is undone",
                    ));
                }
            }
            tx.commit().await?;
            Ok::<RollupPass, StoreError>(RollupPass {
                events: folded.len() as u64,
                kiosk_rollups: rollup_ids.len() as u64,
                unreadable: unreadable.len() as u64,
                skipped: false,
            })
        })?;
        Ok(pass)
    }

    /// Folds everything there is (until a pass folds less than asked for).
    pub async fn roll_up_all(&self) -> Result<RollupPass, StoreError> {
        const STEP: usize = 20_000;
        let mut total = RollupPass::default();
        loop {
            let pass = self.roll_up(STEP).await?;
            total.events += pass.events;
            total.kiosk_rollups += pass.kiosk_rollups;
            total.unreadable += pass.unreadable;
            total.skipped |= pass.skipped;
            if pass.skipped
                || (pass.events + pass.unreadable < STEP as u64 && pass.kiosk_rollups < STEP as u64)
            {
                return Ok(total);
            }
        }
    }

    /// How far the roll-up is behind: the receive time of the oldest event or kiosk roll-up
    /// not yet folded (`None`: nothing waits).
    pub async fn oldest_unfolded_ms(&self) -> Result<Option<i64>, StoreError> {
        let oldest: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(at) FROM (
                     SELECT MIN(received_at_ms) AS at FROM events
                     WHERE folded = 0 AND arrival > (SELECT arrival FROM rollup_watermark)
                     UNION ALL
                     SELECT MIN(received_at_ms) AS at FROM rollups WHERE folded = 0
                 ) AS waiting",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(oldest)
    }
}

/// Compile-time check: the server runs these in a spawned task, so their futures must be
/// `Send` (sqlx's executor bounds make that easy to lose, e.g. with `raw_sql`).
#[allow(dead_code)]
fn maintenance_futures_are_send(store: Store) {
    fn is_send<T: Send>(_: T) {}
    let a = store.clone();
    is_send(async move { a.roll_up_all().await });
    let b = store.clone();
    is_send(async move { b.prepare_partitions(1).await });
    let c = store.clone();
    is_send(async move { c.delete_raw_before(1).await });
    let d = store.clone();
    is_send(async move { d.rebuild_dirty_atoms(1).await });
    is_send(async move { store.oldest_unfolded_ms().await });
}
