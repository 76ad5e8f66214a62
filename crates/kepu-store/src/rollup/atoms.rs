//! The atoms of the staff dashboard (docs/dashboard.md, "Privacy: ... Atoms"): per kiosk-hour,
//! the distinct visitor sessions in each cell of the finest grid the reports filter by, and the
//! sum of their record keys. Kept by the roll-up pass that changes a session, in its
//! transaction, so that no report sees facts and atoms disagree:
//!
//! - a session's atoms are *moved*: the atoms of its stored record and of its record after the
//!   pass ([`members`]) are compared, and only the difference is written (`sessions ± 1`,
//!   `record_keys ± key`), atoms left with no session deleted. A pass costs what its sessions
//!   changed, not what their whole hours hold (a busy kiosk-hour is touched by many passes);
//! - a kiosk-hour is *rebuilt* whole (its atoms deleted, and counted again from all its
//!   sessions and their facts) when what its atoms mean changed under them: a publish changed
//!   a completion target or an estimate's range (it queues every kiosk-hour in `atoms_dirty`,
//!   drained by [`Store::rebuild_dirty_atoms`], or by a pass that touches one), a heartbeat
//!   changed the exhibits on show that "diligent" is measured against, or a migration changed
//!   what a session's atoms are (migrations/*/…_quiz_traits.sql queues the kiosk-hours whose
//!   sessions gain the quiz traits).
//!
//! Taking out exactly what was put in needs the atoms of a moved session's kiosk-hour to be
//! current: a queued kiosk-hour is always rebuilt instead.
//!
//! The record keys' secret is drawn once per database ([`Store::report_secret`]): 32 random
//! bytes as hex, inserted with `ON CONFLICT DO NOTHING` and read back, so that two server
//! processes on one PostgreSQL agree on it.

use super::fold::record_key;
use crate::sql::{Statement, execute_all};
use crate::{Engine, Store, StoreError, with_pool};
use sqlx::Row;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Kiosk-hours per statement (2 values each).
pub(crate) const KIOSK_HOURS_CHUNK: usize = 500;
/// Session ids per `IN (…)` list when records are loaded.
pub(crate) const RECORDS_CHUNK: usize = 2_000;
/// Sessions per record-key backfill statement.
const BACKFILL_CHUNK: usize = 1_000;

/// What a store remembers once read: the record keys' secret, and that no session lacks its
/// record key any more (sessions stored since get theirs from the roll-up itself).
#[derive(Default)]
pub(crate) struct KeyCache {
    secret: OnceLock<String>,
    backfilled: AtomicBool,
}

/// Never prints the secret.
impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("secret", &self.secret.get().map(|_| "…"))
            .field("backfilled", &self.backfilled.load(Ordering::Relaxed))
            .finish()
    }
}

/// The columns of a session that its atoms need (read by [`load_records!`]).
pub(crate) const SESSION_COLUMNS: &str = "session_id, kiosk_id, venue_id, started_at_ms,
    start_language, language, audience, large_text, high_contrast, seated, exhibits_opened,
    first_exhibit, last_exhibit, ended, duration_ms, end_reason, events, record_key";

/// `SELECT {columns} FROM {table} WHERE session_id IN (ids)`.
pub(crate) fn select_by_session(columns: &str, table: &str, ids: &[String]) -> Statement {
    let mut select = Statement::new(&format!(
        "SELECT {columns} FROM {table} WHERE session_id IN ("
    ));
    select.list(ids).push(")");
    select
}

/// The ids of the sessions of kiosk-hours (rows of one text).
pub(crate) fn sessions_of(kiosk_hours: &[(String, i64)]) -> Statement {
    let mut select = Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
    select.rows(kiosk_hours, |row, (kiosk, hour)| {
        row.bind(kiosk).bind(*hour);
    });
    select.push(
        ") SELECT s.session_id FROM touched t JOIN sessions s
           ON s.kiosk_id = t.kiosk_id AND s.start_hour_ms = t.hour_start_ms",
    );
    select
}

/// Per kiosk-hour, the exhibits on show: the most any heartbeat of that hour reported, or
/// else the kiosk's latest heartbeat hour's before it (rows of kiosk, hour, count or NULL).
pub(crate) fn on_show(kiosk_hours: &[(String, i64)]) -> Statement {
    let mut select = Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
    select.rows(kiosk_hours, |row, (kiosk, hour)| {
        row.bind(kiosk).bind(*hour);
    });
    select.push(
        ") SELECT t.kiosk_id, t.hour_start_ms,
                  (SELECT h.exhibits_loaded FROM kiosk_heartbeat_hours h
                   WHERE h.kiosk_id = t.kiosk_id AND h.hour_start_ms <= t.hour_start_ms
                   ORDER BY h.hour_start_ms DESC LIMIT 1)
           FROM touched t",
    );
    select
}

/// Which of `kiosk_hours` are queued for a rebuild (rows of kiosk_id, hour_start_ms).
pub(crate) fn queued(kiosk_hours: &[(String, i64)]) -> Statement {
    let mut select = Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
    select.rows(kiosk_hours, |row, (kiosk, hour)| {
        row.bind(kiosk).bind(*hour);
    });
    select.push(
        ") SELECT d.kiosk_id, d.hour_start_ms FROM touched t JOIN atoms_dirty d
           ON d.kiosk_id = t.kiosk_id AND d.hour_start_ms = t.hour_start_ms",
    );
    select
}

/// Removes kiosk-hours from the queue of rebuilds.
pub(crate) fn undirty(kiosk_hours: &[(String, i64)]) -> Statement {
    let mut delete = Statement::new("WITH done (kiosk_id, hour_start_ms) AS (VALUES ");
    delete.rows(kiosk_hours, |row, (kiosk, hour)| {
        row.bind(kiosk).bind(*hour);
    });
    delete.push(
        ") DELETE FROM atoms_dirty
           WHERE (kiosk_id, hour_start_ms) IN (SELECT kiosk_id, hour_start_ms FROM done)",
    );
    delete
}

/// Loads the stored sessions among `$ids` (`&[String]`) with all their facts, on a
/// connection or transaction of `$engine`: `Result<::std::collections::HashMap<String, $crate::rollup::members::SessionRecord>,
/// sqlx::Error>`.
macro_rules! load_records {
    ($engine:expr, $conn:expr, $ids:expr) => {
        async {
            let ids: &[String] = $ids;
            let mut records: ::std::collections::HashMap<
                String,
                $crate::rollup::members::SessionRecord,
            > = ::std::collections::HashMap::new();
            for chunk in ids.chunks($crate::rollup::atoms::RECORDS_CHUNK) {
                let select = $crate::rollup::atoms::select_by_session(
                    $crate::rollup::atoms::SESSION_COLUMNS,
                    "sessions",
                    chunk,
                );
                for (state, venue_id, key) in
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        $crate::rollup::fold::SessionState {
                            session_id: ::sqlx::Row::try_get(row, "session_id")?,
                            kiosk_id: ::sqlx::Row::try_get(row, "kiosk_id")?,
                            started_at_ms: ::sqlx::Row::try_get(row, "started_at_ms")?,
                            start_language: ::sqlx::Row::try_get(row, "start_language")?,
                            language: ::sqlx::Row::try_get(row, "language")?,
                            audience: ::sqlx::Row::try_get(row, "audience")?,
                            large_text: ::sqlx::Row::try_get::<i64, _>(row, "large_text")? != 0,
                            high_contrast: ::sqlx::Row::try_get::<i64, _>(row, "high_contrast")?
                                != 0,
                            seated: ::sqlx::Row::try_get::<i64, _>(row, "seated")? != 0,
                            exhibits_opened: $crate::count(::sqlx::Row::try_get(
                                row,
                                "exhibits_opened"
                            )?),
                            first_exhibit: ::sqlx::Row::try_get(row, "first_exhibit")?,
                            last_exhibit: ::sqlx::Row::try_get(row, "last_exhibit")?,
                            ended: ::sqlx::Row::try_get::<i64, _>(row, "ended")? != 0,
                            duration_ms: $crate::count(::sqlx::Row::try_get(row, "duration_ms")?),
                            end_reason: ::sqlx::Row::try_get(row, "end_reason")?,
                            events: $crate::count(::sqlx::Row::try_get(row, "events")?),
                        },
                        ::sqlx::Row::try_get::<i64, _>(row, "venue_id")?,
                        row.try_get::<Option<i64>, _>("record_key")?
                    ))
                    .await?
                {
                    records.insert(
                        state.session_id.clone(),
                        $crate::rollup::members::SessionRecord {
                            venue_id,
                            record_key: key.unwrap_or(0),
                            state,
                            ..$crate::rollup::members::SessionRecord::default()
                        },
                    );
                }
                let select = $crate::rollup::atoms::select_by_session(
                    "session_id, exhibit_id, opens, closes, dwell_ms, max_page, answered,
                     quiz_completed",
                    "session_exhibits",
                    chunk,
                );
                for (id, exhibit, facts) in $crate::sql::fetch_map!($engine, $conn, select, |row| (
                    ::sqlx::Row::try_get::<String, _>(row, "session_id")?,
                    ::sqlx::Row::try_get::<String, _>(row, "exhibit_id")?,
                    $crate::rollup::fold::ExhibitFacts {
                        opens: $crate::count(::sqlx::Row::try_get(row, "opens")?),
                        closes: $crate::count(::sqlx::Row::try_get(row, "closes")?),
                        dwell_ms: $crate::count(::sqlx::Row::try_get(row, "dwell_ms")?),
                        max_page: $crate::count(::sqlx::Row::try_get(row, "max_page")?),
                        answered: $crate::count(::sqlx::Row::try_get(row, "answered")?),
                        quiz_completed: $crate::count(::sqlx::Row::try_get(row, "quiz_completed")?),
                    }
                ))
                .await?
                {
                    if let Some(record) = records.get_mut(&id) {
                        record.exhibits.insert(exhibit, facts);
                    }
                }
                let select = $crate::rollup::atoms::select_by_session(
                    "session_id, exhibit_id, question_id, seq, correct, choices, value, answer_ms",
                    "session_answers",
                    chunk,
                );
                for (id, exhibit, question, answer) in
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        ::sqlx::Row::try_get::<String, _>(row, "session_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "exhibit_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "question_id")?,
                        $crate::rollup::fold::FirstAnswer {
                            seq: $crate::count(::sqlx::Row::try_get(row, "seq")?),
                            correct: ::sqlx::Row::try_get::<i64, _>(row, "correct")? != 0,
                            choices: ::sqlx::Row::try_get::<String, _>(row, "choices")?
                                .split(',')
                                .filter(|c| !c.is_empty())
                                .map(str::to_owned)
                                .collect(),
                            value: ::sqlx::Row::try_get(row, "value")?,
                            answer_ms: $crate::count(::sqlx::Row::try_get(row, "answer_ms")?),
                        }
                    ))
                    .await?
                {
                    if let Some(record) = records.get_mut(&id) {
                        record.answers.insert((exhibit, question), answer);
                    }
                }
                let select = $crate::rollup::atoms::select_by_session(
                    "session_id, exhibit_id, item_id, bin_id, placements, correct",
                    "session_placements",
                    chunk,
                );
                for (id, key, counts) in $crate::sql::fetch_map!($engine, $conn, select, |row| (
                    ::sqlx::Row::try_get::<String, _>(row, "session_id")?,
                    (
                        ::sqlx::Row::try_get::<String, _>(row, "exhibit_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "item_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "bin_id")?
                    ),
                    $crate::rollup::fold::PlacementCounts {
                        placements: $crate::count(::sqlx::Row::try_get(row, "placements")?),
                        correct: $crate::count(::sqlx::Row::try_get(row, "correct")?),
                    }
                ))
                .await?
                {
                    if let Some(record) = records.get_mut(&id) {
                        record.placements.insert(key, counts);
                    }
                }
                let select = $crate::rollup::atoms::select_by_session(
                    "session_id, exhibit_id, hotspot_id",
                    "session_hotspots",
                    chunk,
                );
                for (id, exhibit, hotspot) in
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        ::sqlx::Row::try_get::<String, _>(row, "session_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "exhibit_id")?,
                        ::sqlx::Row::try_get::<String, _>(row, "hotspot_id")?
                    ))
                    .await?
                {
                    if let Some(record) = records.get_mut(&id) {
                        record.hotspots.insert((exhibit, hotspot));
                    }
                }
            }
            Ok::<_, ::sqlx::Error>(records)
        }
    };
}
pub(crate) use load_records;

/// Loads what the atoms need of the published content: `Result<ReportMeta, sqlx::Error>`.
macro_rules! load_meta {
    ($engine:expr, $conn:expr) => {
        async {
            let mut meta = $crate::rollup::members::ReportMeta::default();
            let select = $crate::sql::Statement::new(
                "SELECT exhibit_id, kind, completion_target FROM report_exhibits",
            );
            for (exhibit, kind, target) in $crate::sql::fetch_map!($engine, $conn, select, |row| (
                ::sqlx::Row::try_get::<String, _>(row, 0)?,
                ::sqlx::Row::try_get::<String, _>(row, 1)?,
                row.try_get::<Option<i64>, _>(2)?
            ))
            .await?
            {
                meta.exhibits.insert(exhibit, (kind, target));
            }
            let select = $crate::sql::Statement::new(
                "SELECT exhibit_id, question_id, estimate_min, estimate_max FROM report_questions
                 WHERE estimate_min IS NOT NULL AND estimate_max IS NOT NULL",
            );
            for (exhibit, question, min, max) in
                $crate::sql::fetch_map!($engine, $conn, select, |row| (
                    ::sqlx::Row::try_get::<String, _>(row, 0)?,
                    ::sqlx::Row::try_get::<String, _>(row, 1)?,
                    ::sqlx::Row::try_get::<f64, _>(row, 2)?,
                    ::sqlx::Row::try_get::<f64, _>(row, 3)?
                ))
                .await?
            {
                meta.estimates.insert((exhibit, question), (min, max));
            }
            Ok::<_, ::sqlx::Error>(meta)
        }
    };
}
pub(crate) use load_meta;

/// Loads the exhibits on show of kiosk-hours (`&[(String, i64)]`): `Result<::std::collections::HashMap<(String,
/// i64), i64>, sqlx::Error>` (absent: no heartbeat known).
macro_rules! load_on_show {
    ($engine:expr, $conn:expr, $kiosk_hours:expr) => {
        async {
            let kiosk_hours: &[(String, i64)] = $kiosk_hours;
            let mut shown: ::std::collections::HashMap<(String, i64), i64> =
                ::std::collections::HashMap::new();
            for chunk in kiosk_hours.chunks($crate::rollup::atoms::KIOSK_HOURS_CHUNK) {
                for (kiosk, hour, n) in $crate::sql::fetch_map!(
                    $engine,
                    $conn,
                    $crate::rollup::atoms::on_show(chunk),
                    |row| (
                        ::sqlx::Row::try_get::<String, _>(row, 0)?,
                        ::sqlx::Row::try_get::<i64, _>(row, 1)?,
                        row.try_get::<Option<i64>, _>(2)?
                    )
                )
                .await?
                {
                    if let Some(n) = n {
                        shown.insert((kiosk, hour), n);
                    }
                }
            }
            Ok::<_, ::sqlx::Error>(shown)
        }
    };
}
pub(crate) use load_on_show;

/// A transaction serialized with the roll-up, atom rebuilds, report sums and publishing:
/// under the roll-up's advisory lock (PostgreSQL; `None` when another server holds it) or
/// with SQLite's write lock taken first (`BEGIN IMMEDIATE`, waiting for it). Inside
/// `with_pool!`; evaluates to `Option<Transaction>`, `?` on errors.
macro_rules! serialized_transaction {
    ($pool:expr, $postgres:expr) => {
        if $postgres {
            let mut tx = $pool.begin().await?;
            let locked: bool = ::sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind($crate::rollup::ROLLUP_LOCK)
                .fetch_one(&mut *tx)
                .await?;
            locked.then_some(tx)
        } else {
            Some($pool.begin_with("BEGIN IMMEDIATE").await?)
        }
    };
}
pub(crate) use serialized_transaction;

/// Rebuilds the atoms of whole kiosk-hours (`&[(String, i64)]`) from their sessions and
/// facts as stored, and takes them off the queue: `Result<(), sqlx::Error>`.
macro_rules! rebuild_whole {
    ($engine:expr, $conn:expr, $kiosk_hours:expr) => {
        async {
            let kiosk_hours: &[(String, i64)] = $kiosk_hours;
            if !kiosk_hours.is_empty() {
                let meta = $crate::rollup::atoms::load_meta!($engine, $conn).await?;
                for chunk in kiosk_hours.chunks($crate::rollup::atoms::KIOSK_HOURS_CHUNK) {
                    let ids: Vec<String> = $crate::sql::fetch_map!(
                        $engine,
                        $conn,
                        $crate::rollup::atoms::sessions_of(chunk),
                        |row| ::sqlx::Row::try_get::<String, _>(row, 0)?
                    )
                    .await?;
                    let records =
                        $crate::rollup::atoms::load_records!($engine, $conn, &ids).await?;
                    let shown = $crate::rollup::atoms::load_on_show!($engine, $conn, chunk).await?;
                    let counts = $crate::rollup::members::count(&records, &meta, &shown);
                    let mut statements = vec![$crate::rollup::atoms::undirty(chunk)];
                    statements.extend($crate::rollup::members::rebuild_statements(chunk, &counts));
                    let hours: ::std::collections::BTreeSet<i64> =
                        chunk.iter().map(|(_, hour)| *hour).collect();
                    statements.extend($crate::report_sums::queue_hours(&hours));
                    $crate::sql::execute_all!($engine, $conn, statements).await?;
                }
            }
            Ok::<(), ::sqlx::Error>(())
        }
    };
}
pub(crate) use rebuild_whole;

/// 32 random bytes as lowercase hex.
fn draw_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Store {
    /// The record keys' secret, drawn and stored on first need; the same for every process on
    /// the database.
    pub(crate) async fn report_secret(&self) -> Result<String, StoreError> {
        if let Some(secret) = self.keys.secret.get() {
            return Ok(secret.clone());
        }
        let drawn = draw_secret();
        let secret: String = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO report_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&drawn)
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT secret FROM report_secret WHERE id = 1")
                .fetch_one(pool)
                .await
        })?;
        let _ = self.keys.secret.set(secret.clone());
        Ok(secret)
    }

    /// Gives every session stored without a record key (before the migration that added
    /// them) its key, in chunks of their own transactions; a no-op once done (remembered).
    /// Runs before a roll-up pass and an atom rebuild, so that no atom is ever built over a
    /// session without its key (the atom would change value once the key came).
    pub(crate) async fn backfill_record_keys(&self) -> Result<u64, StoreError> {
        if self.keys.backfilled.load(Ordering::Acquire) {
            return Ok(0);
        }
        let secret = self.report_secret().await?;
        let mut total = 0;
        loop {
            let ids: Vec<String> = with_pool!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT session_id FROM sessions WHERE record_key IS NULL LIMIT $1",
                )
                .bind(BACKFILL_CHUNK as i64)
                .fetch_all(pool)
                .await
            })?;
            if ids.is_empty() {
                break;
            }
            let mut update = Statement::new("WITH keyed (session_id, record_key) AS (VALUES ");
            update.rows(&ids, |row, id| {
                row.bind(id).bind(record_key(&secret, id));
            });
            update.push(
                ")
                 UPDATE sessions
                 SET record_key = (SELECT k.record_key FROM keyed k
                                   WHERE k.session_id = sessions.session_id)
                 WHERE record_key IS NULL AND session_id IN (SELECT session_id FROM keyed)",
            );
            let changed = with_pool!(self, |pool| {
                let mut conn = pool.acquire().await?;
                execute_all!(self.engine(), conn, [update]).await
            })?;
            total += changed;
            if changed == 0 || ids.len() < BACKFILL_CHUNK {
                break;
            }
        }
        self.keys.backfilled.store(true, Ordering::Release);
        Ok(total)
    }

    /// Rebuilds the atoms of up to `limit` kiosk-hours queued in `atoms_dirty` (by a publish,
    /// or by a migration for the sessions stored before it: the one that added the atoms, the
    /// one that added the quiz traits), in one transaction; returns how many it rebuilt (0:
    /// none waits, or another server is rolling up on PostgreSQL). The server's maintenance
    /// loop calls it until it returns less than `limit`.
    pub async fn rebuild_dirty_atoms(&self, limit: usize) -> Result<usize, StoreError> {
        // Most calls find nothing queued: a plain read, without the write lock SQLite's
        // kiosk inserts need too.
        let waiting: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT kiosk_id FROM atoms_dirty LIMIT 1")
                .fetch_optional(pool)
                .await
        })?;
        if waiting.is_none() {
            return Ok(0);
        }
        self.backfill_record_keys().await?;
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let postgres = self.engine() == Engine::Postgres;
        let rebuilt = with_pool!(self, |pool| {
            // Serialized with the roll-up and publish: the same lock (PostgreSQL) or the write
            // lock taken first (SQLite), so that a kiosk-hour is never rebuilt twice at once
            // and no publish slips in between a rebuild and its dequeue.
            let Some(mut tx) = serialized_transaction!(pool, postgres) else {
                return Ok(0);
            };
            let rows = sqlx::query(
                "SELECT kiosk_id, hour_start_ms FROM atoms_dirty
                 ORDER BY kiosk_id, hour_start_ms LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            let mut kiosk_hours = Vec::with_capacity(rows.len());
            for row in &rows {
                kiosk_hours.push((
                    row.try_get::<String, _>("kiosk_id")?,
                    row.try_get::<i64, _>("hour_start_ms")?,
                ));
            }
            let engine = self.engine();
            rebuild_whole!(engine, tx, &kiosk_hours).await?;
            tx.commit().await?;
            Ok::<usize, StoreError>(kiosk_hours.len())
        })?;
        Ok(rebuilt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_32_random_bytes_in_hex() {
        let (a, b) = (draw_secret(), draw_secret());
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }
}
