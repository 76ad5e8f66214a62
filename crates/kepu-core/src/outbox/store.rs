//! One connection to the outbox file: opening it, its schema, appending, claiming and
//! acknowledging events, and its figures.

use super::{EventStamp, OutboxError, OutboxStats, StoredEvent};
use crate::wire::{EngagementEvent, EventDraft, SCHEMA_VERSION};
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS outbox (
        seq  INTEGER PRIMARY KEY,
        id   TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS meta (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rollup (
        rollup_id     TEXT PRIMARY KEY,
        kiosk_id      TEXT NOT NULL,
        hour_start_ms INTEGER NOT NULL,
        event_type    TEXT NOT NULL,
        exhibit_id    TEXT,
        count         INTEGER NOT NULL,
        correct       INTEGER NOT NULL,
        -- 1 once the uploader has taken the row: from then on it is never added to, since the
        -- server may already hold it under its id.
        claimed       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS rollup_open
        ON rollup (kiosk_id, hour_start_ms, event_type, exhibit_id) WHERE claimed = 0;
    CREATE TABLE IF NOT EXISTS quarantine (
        seq    INTEGER PRIMARY KEY,
        body   TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_ms  INTEGER NOT NULL,
        -- NULL: unreadable here; else the server refused the event, with this reason code
        -- (`bad_identifier`, ...). Added after the table: see `add_refused_column`.
        refused_as TEXT
    );
    -- Roll-up rows the server refused (it named them): kept, never sent again.
    CREATE TABLE IF NOT EXISTS rollup_quarantine (
        rollup_id     TEXT PRIMARY KEY,
        kiosk_id      TEXT NOT NULL,
        hour_start_ms INTEGER NOT NULL,
        event_type    TEXT NOT NULL,
        exhibit_id    TEXT,
        count         INTEGER NOT NULL,
        correct       INTEGER NOT NULL,
        refused_as    TEXT NOT NULL,
        reason        TEXT NOT NULL,
        at_ms         INTEGER NOT NULL
    );";

// Keys of the `meta` table.
pub(super) const NEXT_SEQ: &str = "next_seq";
/// Highest sequence number the uploader may have sent without an acknowledgement yet.
pub(super) const INFLIGHT_THROUGH: &str = "inflight_through";
/// Raw events replaced by roll-ups over the outbox's life.
pub(super) const ROLLED_UP_TOTAL: &str = "rolled_up_total";

/// One connection to the outbox file.
pub struct Outbox {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path`. A damaged file is an error here; see
    /// [`Outbox::open_or_recover`].
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| OutboxError::CreateDir {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).at(path)?;
        conn.busy_timeout(Duration::from_secs(10)).at(path)?;
        // Another connection (the uploader's, another process's) may be setting the file up at
        // the same moment; switching to WAL then answers "locked" at once rather than waiting
        // (SQLite's busy handler does not cover it). Try again for as long as the busy
        // timeout would have waited.
        let started = Instant::now();
        loop {
            match Self::set_up(&conn) {
                Err(err)
                    if matches!(
                        err.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && started.elapsed() < Duration::from_secs(10) =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                result => break result.at(path)?,
            }
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Pragmas and schema, the same on every open.
    fn set_up(conn: &Connection) -> rusqlite::Result<()> {
        // journal_size_limit: a large roll-up grows the WAL; give the space back afterwards.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA journal_size_limit = 67108864;",
        )?;
        conn.execute_batch(SCHEMA)?;
        add_refused_column(conn)
    }

    /// SQLite's structural check of the whole file (`PRAGMA quick_check`): reads every page
    /// once, so it is run at start only.
    pub fn check(&self) -> Result<(), OutboxError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check(5)").at(&self.path)?;
        let problems = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .at(&self.path)?
            .collect::<Result<Vec<_>, _>>()
            .at(&self.path)?;
        if problems.len() == 1 && problems[0] == "ok" {
            return Ok(());
        }
        Err(OutboxError::Damaged {
            path: self.path.clone(),
            detail: problems.join("; "),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every write transaction takes the write lock at its start: one that read first and
    /// wrote later would fail at once (SQLITE_BUSY, no waiting) if the other connection wrote
    /// in between.
    pub(super) fn begin_immediate(&mut self) -> Result<Transaction<'_>, OutboxError> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(&self.path)
    }

    /// Stamps and stores `drafts` in one transaction; returns their sequence numbers. Sequence
    /// numbers are never reused, even after the events were delivered and deleted. A draft whose
    /// id is already stored is ignored.
    pub fn append(
        &mut self,
        stamp: &EventStamp,
        drafts: &[EventDraft],
    ) -> Result<Vec<u64>, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut next = meta_get(&tx, NEXT_SEQ).at(&path)?.unwrap_or(1).max(1);
        let mut seqs = Vec::with_capacity(drafts.len());
        {
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO outbox (seq, id, body) VALUES (?1, ?2, ?3)")
                .at(&path)?;
            for draft in drafts {
                let event = EngagementEvent {
                    id: draft.id,
                    kiosk_id: stamp.kiosk_id.clone(),
                    boot_id: stamp.boot_id,
                    seq: next,
                    session_id: draft.session_id,
                    occurred_at_ms: draft.occurred_at_ms,
                    app_version: stamp.app_version.clone(),
                    schema_version: SCHEMA_VERSION,
                    event: draft.event.clone(),
                };
                // Serialising our own plain data types cannot fail.
                let body = serde_json::to_string(&event).unwrap_or_default();
                let inserted = insert
                    .execute(params![to_i64(next), draft.id.to_string(), body])
                    .at(&path)?;
                if inserted == 1 {
                    seqs.push(next);
                    next += 1;
                }
            }
        }
        meta_set(&tx, NEXT_SEQ, next).at(&path)?;
        tx.commit().at(&path)?;
        Ok(seqs)
    }

    /// The oldest `limit` events, in sequence order. Only reads; the uploader uses
    /// [`Outbox::claim`].
    pub fn peek(&self, limit: usize) -> Result<Vec<EngagementEvent>, OutboxError> {
        parse_events(read_rows(&self.conn, &self.path, 0, limit)?, &self.path)
    }

    /// The oldest `limit` events, in sequence order, durably marked as in flight: until they are
    /// acknowledged, the size cap never rolls them up (the server may already hold them, and
    /// would count them twice). An unreadable row is an [`OutboxError::Corrupt`] error; see
    /// [`Outbox::quarantine`].
    pub fn claim(&mut self, limit: usize) -> Result<Vec<EngagementEvent>, OutboxError> {
        self.claim_after(0, limit)
    }

    /// Like [`Outbox::claim`], for the events after sequence number `after`: the uploader
    /// prepares the next batch while the server is still storing the one before.
    pub fn claim_after(
        &mut self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<EngagementEvent>, OutboxError> {
        let rows = self.claim_stored_after(after, limit)?;
        parse_events(rows, &self.path)
    }

    /// Like [`Outbox::claim_after`], with the events as stored (their JSON), not parsed: the
    /// uploader sends them as they are, and parses them only to find an unreadable one when the
    /// server refuses a batch.
    pub fn claim_stored_after(
        &mut self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, OutboxError> {
        let path = self.path.clone();
        // Looked at first without the write lock, which the writer needs more often.
        if !self.any("outbox")? {
            return Ok(Vec::new());
        }
        let tx = self.begin_immediate()?;
        let rows = read_rows(&tx, &path, after, limit)?;
        if let Some(last) = rows.last() {
            let marked = meta_get(&tx, INFLIGHT_THROUGH).at(&path)?.unwrap_or(0);
            // Never lowered: a smaller batch after a bigger one that may have reached the
            // server must not let the rest of the bigger one be rolled up.
            meta_set(&tx, INFLIGHT_THROUGH, marked.max(last.seq)).at(&path)?;
        }
        tx.commit().at(&path)?;
        Ok(rows)
    }

    /// Deletes delivered events by sequence number; returns how many were deleted.
    pub fn acknowledge(&mut self, seqs: &[u64]) -> Result<usize, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut deleted = 0;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM outbox WHERE seq = ?1")
                .at(&path)?;
            for seq in seqs {
                deleted += delete.execute(params![to_i64(*seq)]).at(&path)?;
            }
        }
        if let Some(&last) = seqs.iter().max() {
            tx.execute(
                "DELETE FROM meta WHERE key = ?1 AND value <= ?2",
                params![INFLIGHT_THROUGH, to_i64(last)],
            )
            .at(&path)?;
        }
        tx.commit().at(&path)?;
        Ok(deleted)
    }

    /// Whether `table` (one of ours) has a row.
    pub(super) fn any(&self, table: &str) -> Result<bool, OutboxError> {
        self.conn
            .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get::<_, bool>(0)
            })
            .at(&self.path)
    }

    /// Events waiting for delivery.
    pub fn backlog(&self) -> Result<u64, OutboxError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
            .map(to_u64)
            .at(&self.path)
    }

    /// Bytes of the file in use: pages not on the free list. Deleted events free their pages
    /// for reuse without shrinking the file, so this, not the file's size, is what the cap
    /// measures. (The WAL comes on top: up to `journal_size_limit`, 64 MiB, after a checkpoint.)
    pub fn used_bytes(&self) -> Result<u64, OutboxError> {
        let pragma = |name: &str| {
            self.conn
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
                .map(to_u64)
                .at(&self.path)
        };
        let pages = pragma("page_count")?.saturating_sub(pragma("freelist_count")?);
        Ok(pages * pragma("page_size")?)
    }

    pub fn stats(&self) -> Result<OutboxStats, OutboxError> {
        let (rollup_rows, rollup_events) = self
            .conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(count), 0) FROM rollup",
                [],
                |r| Ok((to_u64(r.get(0)?), to_u64(r.get(1)?))),
            )
            .at(&self.path)?;
        let (quarantined, refused) = self
            .conn
            .query_row(
                "SELECT COUNT(*) FILTER (WHERE refused_as IS NULL),
                        COUNT(*) FILTER (WHERE refused_as IS NOT NULL)
                 FROM quarantine",
                [],
                |r| Ok((to_u64(r.get(0)?), to_u64(r.get(1)?))),
            )
            .at(&self.path)?;
        let refused_rolled_up = self
            .conn
            .query_row(
                "SELECT COALESCE(SUM(count), 0) FROM rollup_quarantine",
                [],
                |r| r.get(0),
            )
            .map(to_u64)
            .at(&self.path)?;
        Ok(OutboxStats {
            backlog: self.backlog()?,
            rollup_rows,
            rollup_events,
            rolled_up_total: meta_get(&self.conn, ROLLED_UP_TOTAL)
                .at(&self.path)?
                .unwrap_or(0),
            quarantined,
            refused_events: refused + refused_rolled_up,
            used_bytes: self.used_bytes()?,
        })
    }
}

/// Stored rows as events: the one place a row becomes an event. An unreadable row is an
/// [`OutboxError::Corrupt`] naming its sequence number, which the uploader sets aside.
fn parse_events(rows: Vec<StoredEvent>, path: &Path) -> Result<Vec<EngagementEvent>, OutboxError> {
    rows.into_iter()
        .map(|row| {
            serde_json::from_str(&row.body).map_err(|source| OutboxError::Corrupt {
                path: path.to_path_buf(),
                seq: to_i64(row.seq),
                source,
            })
        })
        .collect()
}

fn read_rows(
    conn: &Connection,
    path: &Path,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>, OutboxError> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, body FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        .at(path)?;
    stmt.query_map(params![to_i64(after), to_i64(limit as u64)], |row| {
        Ok(StoredEvent {
            seq: to_u64(row.get(0)?),
            body: row.get(1)?,
        })
    })
    .at(path)?
    .collect::<Result<_, _>>()
    .at(path)
}

pub(super) fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<u64>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.get::<_, i64>(0)
    })
    .optional()
    .map(|v| v.map(to_u64))
}

pub(super) fn meta_set(conn: &Connection, key: &str, value: u64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, to_i64(value)],
    )
    .map(|_| ())
}

/// An outbox made before the server could refuse single events has a `quarantine` table
/// without `refused_as`: added (SQLite adds a nullable column without rewriting the table, and
/// every row already there is one that was unreadable). Two connections may open such a file at
/// the same moment; the second one's "duplicate column" means the first has done it.
fn add_refused_column(conn: &Connection) -> rusqlite::Result<()> {
    let present: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('quarantine') WHERE name = 'refused_as')",
        [],
        |r| r.get(0),
    )?;
    if present {
        return Ok(());
    }
    match conn.execute("ALTER TABLE quarantine ADD COLUMN refused_as TEXT", []) {
        Err(err) if err.to_string().contains("duplicate column name") => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Names the outbox file in SQLite's errors.
pub(super) trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T, OutboxError>;
}

impl<T> AtPath<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T, OutboxError> {
        self.map_err(|source| OutboxError::Sqlite {
            path: path.to_path_buf(),
            source,
        })
    }
}

pub(super) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(super) fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{draft, stamp};
    use super::*;

    #[test]
    fn append_peek_acknowledge_in_sequence_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let seqs = outbox
            .append(&stamp(), &[draft(1), draft(2), draft(3)])
            .unwrap();
        assert_eq!(seqs, vec![1, 2, 3]);
        let events = outbox.peek(2).unwrap();
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(events[0].kiosk_id, "kiosk-test");
        assert_eq!(outbox.acknowledge(&[1, 2]).unwrap(), 2);
        assert_eq!(outbox.backlog().unwrap(), 1);
        assert_eq!(outbox.peek(10).unwrap()[0].seq, 3);
    }

    #[test]
    fn survives_reopen_and_never_reuses_sequence_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/o.sqlite3");
        {
            let mut outbox = Outbox::open(&path).unwrap();
            outbox.append(&stamp(), &[draft(1), draft(2)]).unwrap();
            outbox.acknowledge(&[1, 2]).unwrap();
            outbox.append(&stamp(), &[draft(3)]).unwrap();
        }
        let mut outbox = Outbox::open(&path).unwrap();
        let events = outbox.peek(10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].seq, 3);
        assert_eq!(outbox.append(&stamp(), &[draft(4)]).unwrap(), vec![4]);
    }

    #[test]
    fn the_same_event_id_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let event = draft(1);
        outbox
            .append(&stamp(), std::slice::from_ref(&event))
            .unwrap();
        assert!(outbox.append(&stamp(), &[event]).unwrap().is_empty());
        assert_eq!(outbox.backlog().unwrap(), 1);
    }

    #[test]
    fn connections_opening_a_new_outbox_at_the_same_moment_all_succeed() {
        // The writer thread and the uploader open the same new file at start.
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("o{round}.sqlite3"));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || Outbox::open(&path).map(|_| ()))
                })
                .collect();
            for opener in openers {
                let opened = opener.join().unwrap();
                assert!(opened.is_ok(), "round {round}: {opened:?}");
            }
        }
    }
}
