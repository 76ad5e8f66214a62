//! The atoms of the staff dashboard (docs/dashboard.md, "Privacy: ... Atoms"): per kiosk-hour,
//! the distinct visitor sessions in each cell of the finest grid the reports filter by, and the
//! sum of their record keys. Kept by the roll-up pass that changes a session, in its
//! transaction, so that no report sees facts and atoms disagree:
//!
//! - a session's atoms are *moved*: before the pass writes its new state and facts, the atoms
//!   it is in are counted from what is stored and taken out (`sessions - 1`, `record_keys -
//!   key`); afterwards they are counted again and put in; atoms left with no session are
//!   deleted. A pass costs what its sessions cost, not what their whole hours do (a busy
//!   kiosk-hour is touched by many passes);
//! - a kiosk-hour is *rebuilt* whole (deleted, and inserted from its sessions, `INSERT …
//!   SELECT … GROUP BY`) when what its atoms mean changed under them: a publish changed a
//!   completion target or an estimate's range (it queues every kiosk-hour in `atoms_dirty`,
//!   drained by [`Store::rebuild_dirty_atoms`], or by a pass that touches one), or a heartbeat
//!   changed the exhibits on show that "diligent" is measured against.
//!
//! Taking out exactly what was put in needs the atoms of a moved session's kiosk-hour to be
//! current: a queued kiosk-hour is always rebuilt instead. One SQL text per table serves all
//! three (the sessions in scope differ).
//!
//! A session is in exactly one row of each atom table per cell it belongs to (the facts' keys
//! make each (session, cell) pair unique), so `COUNT(*)` counts distinct sessions and
//! `SUM(record_key)` adds each session's key once.
//!
//! The record keys' secret is drawn once per database ([`Store::report_secret`]): 32 random
//! bytes as hex, inserted with `ON CONFLICT DO NOTHING` and read back, so that two server
//! processes on one PostgreSQL agree on it.

use super::ROLLUP_LOCK;
use super::fold::{BUCKETS, DURATION_BUCKETS_MS, record_key};
use crate::sql::{Statement, execute_all};
use crate::{Engine, Store, StoreError, with_pool};
use sqlx::Row;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Kiosk-hours per rebuild statement (2 values each).
pub(crate) const KIOSK_HOURS_CHUNK: usize = 500;
/// Sessions per statement that moves sessions' atoms.
pub(crate) const SESSIONS_CHUNK: usize = 1_000;
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

/// The atom tables and their own dimensions, after the five key columns; each table's key is
/// (kiosk_id, hour_start_ms, venue_id, audience, language, its dimensions).
pub(crate) const ATOM_TABLES: [(&str, &str); 5] = [
    ("atom_sessions", "length_bucket"),
    ("atom_session_traits", "trait"),
    ("atom_exhibits", "exhibit_id, measure"),
    ("atom_answers", "exhibit_id, question_id, outcome"),
    ("atom_placements", "exhibit_id, item_id, bin_id"),
];

/// The key columns of every atom, qualified by `alias`.
fn keys(alias: &str) -> String {
    ["hour_start_ms", "kiosk_id", "venue_id", "audience", "language"]
        .map(|column| format!("{alias}.{column}"))
        .join(", ")
}

const KEYS: &str = "hour_start_ms, kiosk_id, venue_id, audience, language";

/// `CASE` giving `expr`'s duration bucket (fold::duration_bucket) as `prefix` + number.
fn bucket_text(expr: &str, prefix: &str) -> String {
    let mut case = String::from("CASE");
    for (bucket, bound) in DURATION_BUCKETS_MS.iter().enumerate() {
        case.push_str(&format!(" WHEN {expr} < {bound} THEN '{prefix}{bucket}'"));
    }
    case.push_str(&format!(" ELSE '{prefix}{}' END", BUCKETS - 1));
    case
}

/// The decile of `x` (a position 0..1 on an estimate's slider, clamped) as `value:0`..`value:9`.
fn decile_text(x: &str) -> String {
    let mut case = String::from("CASE");
    for decile in 0..9 {
        case.push_str(&format!(" WHEN {x} < 0.{} THEN 'value:{decile}'", decile + 1));
    }
    case.push_str(" ELSE 'value:9' END");
    case
}

/// Which sessions' atoms a statement counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Every session of these kiosk-hours.
    KioskHours(&'a [(String, i64)]),
    /// These sessions.
    Sessions(&'a [&'a str]),
}

/// `WITH … ts AS (the sessions in scope)`.
fn sessions_in(scope: Scope<'_>) -> Statement {
    const COLUMNS: &str = "s.session_id, s.start_hour_ms AS hour_start_ms, s.kiosk_id, s.venue_id,
        s.audience, s.language, COALESCE(s.record_key, 0) AS record_key, s.ended, s.duration_ms,
        s.events, s.large_text, s.high_contrast, s.seated, s.first_exhibit, s.last_exhibit";
    match scope {
        Scope::KioskHours(kiosk_hours) => {
            let mut statement =
                Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
            statement.rows(kiosk_hours, |row, (kiosk, hour)| {
                row.bind(kiosk).bind(*hour);
            });
            statement.push(&format!(
                "), ts AS (SELECT {COLUMNS} FROM touched t JOIN sessions s
                           ON s.kiosk_id = t.kiosk_id AND s.start_hour_ms = t.hour_start_ms)"
            ));
            statement
        }
        Scope::Sessions(ids) => {
            let mut statement = Statement::new("WITH chosen (session_id) AS (VALUES ");
            statement.rows(ids, |row, id| {
                row.bind(*id);
            });
            statement.push(&format!(
                "), ts AS (SELECT {COLUMNS} FROM chosen c JOIN sessions s
                           ON s.session_id = c.session_id)"
            ));
            statement
        }
    }
}

/// The CTEs after `ts` that give one table's memberships, ending in one named `members`:
/// one row per (session, atom) — {KEYS}, record_key, the table's dimensions.
fn members(table: &str) -> String {
    let k = KEYS;
    let ts = keys("ts");
    match table {
        "atom_sessions" => {
            let mut lengths = String::from("CASE WHEN ended = 0 THEN 12");
            for (bucket, bound) in DURATION_BUCKETS_MS.iter().enumerate() {
                lengths.push_str(&format!(" WHEN duration_ms < {bound} THEN {bucket}"));
            }
            lengths.push_str(&format!(" ELSE {} END", BUCKETS - 1));
            format!(", members AS (SELECT {k}, record_key, {lengths} AS length_bucket FROM ts)")
        }
        "atom_session_traits" => {
            let opened_n = (0..5)
                .map(|n| format!(" WHEN {n} THEN 'opened:{n}'"))
                .collect::<String>();
            format!(
                ",
                 opened AS (
                     SELECT e.session_id, COUNT(*) AS n
                     FROM ts JOIN session_exhibits e ON e.session_id = ts.session_id
                     WHERE e.opens > 0 GROUP BY e.session_id
                 ),
                 loaded AS (
                     SELECT kh.kiosk_id, kh.hour_start_ms,
                            (SELECT h.exhibits_loaded FROM kiosk_heartbeat_hours h
                             WHERE h.kiosk_id = kh.kiosk_id AND h.hour_start_ms <= kh.hour_start_ms
                             ORDER BY h.hour_start_ms DESC LIMIT 1) AS exhibits
                     FROM (SELECT DISTINCT kiosk_id, hour_start_ms FROM ts) kh
                 ),
                 members AS (
                     SELECT {k}, record_key, 'one_touch' AS trait FROM ts
                     WHERE ended <> 0 AND events <= 2
                     UNION ALL SELECT {k}, record_key, 'large_text' FROM ts WHERE large_text <> 0
                     UNION ALL
                     SELECT {k}, record_key, 'high_contrast' FROM ts WHERE high_contrast <> 0
                     UNION ALL SELECT {k}, record_key, 'seated' FROM ts WHERE seated <> 0
                     UNION ALL
                     SELECT {ts}, ts.record_key, CASE COALESCE(o.n, 0){opened_n} ELSE 'opened:5+' END
                     FROM ts LEFT JOIN opened o ON o.session_id = ts.session_id
                     UNION ALL
                     SELECT {ts}, ts.record_key, 'diligent'
                     FROM ts JOIN opened o ON o.session_id = ts.session_id
                             JOIN loaded l
                               ON l.kiosk_id = ts.kiosk_id AND l.hour_start_ms = ts.hour_start_ms
                     WHERE l.exhibits > 0 AND 2 * o.n > l.exhibits
                 )"
            )
        }
        "atom_exhibits" => {
            let dwell = bucket_text("dwell_ms", "dwell:");
            format!(
                ",
                 te AS (
                     SELECT {ts}, ts.record_key, e.exhibit_id, e.opens, e.closes, e.dwell_ms,
                            e.max_page, e.answered, e.quiz_completed, e.correct_placements,
                            e.hotspots_opened, r.kind, r.completion_target
                     FROM ts JOIN session_exhibits e ON e.session_id = ts.session_id
                             LEFT JOIN report_exhibits r ON r.exhibit_id = e.exhibit_id
                 ),
                 members AS (
                     SELECT {k}, record_key, exhibit_id, 'opened' AS measure FROM te WHERE opens > 0
                     UNION ALL
                     SELECT {k}, record_key, first_exhibit, 'entry' FROM ts WHERE first_exhibit <> ''
                     UNION ALL
                     SELECT {k}, record_key, last_exhibit, 'exit' FROM ts WHERE last_exhibit <> ''
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, 'completed' FROM te
                     WHERE (kind = 'quiz' AND quiz_completed > 0)
                        OR (completion_target > 0
                            AND ((kind = 'story' AND max_page >= completion_target)
                              OR (kind = 'sort' AND correct_placements >= completion_target)
                              OR (kind = 'hotspots' AND hotspots_opened >= completion_target)))
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, 'quiz_started' FROM te WHERE answered > 0
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, {dwell} FROM te WHERE closes > 0
                 )"
            )
        }
        "atom_answers" => {
            let time = bucket_text("answer_ms", "time:");
            let value = decile_text("x");
            let ta = keys("ta");
            format!(
                ",
                 ta AS (
                     SELECT {ts}, ts.record_key, a.session_id, a.exhibit_id, a.question_id, a.seq,
                            a.correct, a.value, a.answer_ms
                     FROM ts JOIN session_answers a ON a.session_id = ts.session_id
                 ),
                 members AS (
                     SELECT {k}, record_key, exhibit_id, question_id, 'answered' AS outcome FROM ta
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, question_id, 'correct' FROM ta
                     WHERE correct <> 0
                     UNION ALL
                     SELECT {ta}, ta.record_key, ta.exhibit_id, ta.question_id,
                            'choice:' || c.choice_id
                     FROM ta JOIN session_choices c
                       ON c.session_id = ta.session_id AND c.exhibit_id = ta.exhibit_id
                      AND c.question_id = ta.question_id AND c.seq = ta.seq
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, question_id, {time} FROM ta
                     UNION ALL
                     SELECT {k}, record_key, exhibit_id, question_id, {value}
                     FROM (SELECT {ta}, ta.record_key, ta.exhibit_id, ta.question_id,
                                  (ta.value - q.estimate_min) / (q.estimate_max - q.estimate_min) AS x
                           FROM ta JOIN report_questions q
                             ON q.exhibit_id = ta.exhibit_id AND q.question_id = ta.question_id
                           WHERE ta.value IS NOT NULL AND q.estimate_min IS NOT NULL
                             AND q.estimate_max > q.estimate_min) v
                 )"
            )
        }
        _ => format!(
            ",
             members AS (
                 SELECT {ts}, ts.record_key, p.exhibit_id, p.item_id, p.bin_id
                 FROM ts JOIN session_placements p ON p.session_id = ts.session_id
             )"
        ),
    }
}

/// One table's atoms of the sessions in `scope`, grouped: inserted as they are (`sign` 1,
/// into rows just deleted) or added to the stored ones (`sign` ±1 with `merge`: a session's
/// old atoms taken out before its facts change, its new ones put in after).
fn count_members(scope: Scope<'_>, table: &str, dims: &str, sign: i64, merge: bool) -> Statement {
    let k = KEYS;
    let mut statement = sessions_in(scope);
    statement.push(&members(table));
    statement.push(&format!(
        "
         INSERT INTO {table} ({k}, {dims}, sessions, record_keys)
         SELECT {k}, {dims}, {sign} * COUNT(*), {sign} * CAST(SUM(record_key) AS BIGINT)
         FROM members WHERE true GROUP BY {k}, {dims}"
    ));
    if merge {
        statement.push(&format!(
            " ON CONFLICT (kiosk_id, hour_start_ms, venue_id, audience, language, {dims})
              DO UPDATE SET sessions = {table}.sessions + excluded.sessions,
                            record_keys = {table}.record_keys + excluded.record_keys"
        ));
    }
    statement
}

/// The atoms of `kiosk_hours` (at most [`KIOSK_HOURS_CHUNK`]), deleted and built again.
pub(crate) fn rebuild(kiosk_hours: &[(String, i64)]) -> Vec<Statement> {
    let mut statements = Vec::new();
    for (table, dims) in ATOM_TABLES {
        let mut delete = Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
        delete.rows(kiosk_hours, |row, (kiosk, hour)| {
            row.bind(kiosk).bind(*hour);
        });
        delete.push(&format!(
            ") DELETE FROM {table}
               WHERE (kiosk_id, hour_start_ms) IN (SELECT kiosk_id, hour_start_ms FROM touched)"
        ));
        statements.push(delete);
        statements.push(count_members(
            Scope::KioskHours(kiosk_hours),
            table,
            dims,
            1,
            false,
        ));
    }
    statements
}

/// `sessions`' atoms taken out of (`sign` -1) or put into (1) the stored atoms; at most
/// [`SESSIONS_CHUNK`] sessions. Their kiosk-hours' atoms must be current (not queued): what
/// is taken out is then exactly what was put in.
pub(crate) fn adjust(sessions: &[&str], sign: i64) -> Vec<Statement> {
    ATOM_TABLES
        .iter()
        .map(|(table, dims)| count_members(Scope::Sessions(sessions), table, dims, sign, true))
        .collect()
}

/// Atoms of no session left (their sessions moved to other atoms) in these kiosk-hours.
pub(crate) fn drop_empty(kiosk_hours: &[(String, i64)]) -> Vec<Statement> {
    ATOM_TABLES
        .iter()
        .map(|(table, _)| {
            let mut delete =
                Statement::new("WITH touched (kiosk_id, hour_start_ms) AS (VALUES ");
            delete.rows(kiosk_hours, |row, (kiosk, hour)| {
                row.bind(kiosk).bind(*hour);
            });
            delete.push(&format!(
                ") DELETE FROM {table} WHERE sessions = 0
                   AND (kiosk_id, hour_start_ms) IN (SELECT kiosk_id, hour_start_ms FROM touched)"
            ));
            delete
        })
        .collect()
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
    /// or by the migration for sessions stored before it), in one transaction; returns how
    /// many it rebuilt (0: none waits, or another server is rolling up on PostgreSQL). The
    /// server's maintenance loop calls it until it returns less than `limit`.
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
            let mut tx = if postgres {
                let mut tx = pool.begin().await?;
                let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(ROLLUP_LOCK)
                    .fetch_one(&mut *tx)
                    .await?;
                if !locked {
                    return Ok(0);
                }
                tx
            } else {
                pool.begin_with("BEGIN IMMEDIATE").await?
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
            for chunk in kiosk_hours.chunks(KIOSK_HOURS_CHUNK) {
                let mut statements = vec![undirty(chunk)];
                statements.extend(rebuild(chunk));
                execute_all!(self.engine(), tx, statements).await?;
            }
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
    fn buckets_in_sql_match_the_folds() {
        let case = bucket_text("d", "dwell:");
        assert!(case.starts_with("CASE WHEN d < 1000 THEN 'dwell:0' WHEN d < 2000 THEN 'dwell:1'"));
        assert!(case.ends_with("WHEN d < 1800000 THEN 'dwell:10' ELSE 'dwell:11' END"));
        let deciles = decile_text("x");
        assert!(
            deciles.starts_with("CASE WHEN x < 0.1 THEN 'value:0' WHEN x < 0.2 THEN 'value:1'")
        );
        assert!(deciles.ends_with("WHEN x < 0.9 THEN 'value:8' ELSE 'value:9' END"));
    }

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

#[cfg(test)]
mod print_sql_tmp {
    #[test]
    fn print_sql_tmp() {
        let ids = ["SID"];
        let mut out = String::new();
        for s in super::adjust(&ids, -1).into_iter().chain(super::drop_empty(&[("KH".to_owned(), 0)])) {
            out.push_str(&s.sql);
            out.push_str(";\n--END\n");
        }
        std::fs::write("/tmp/adjust.sql", out).unwrap();
    }
}
