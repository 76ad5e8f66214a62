//! The durable on-disk queue of engagement events (SQLite through rusqlite).
//!
//! **Durability.** The kiosk hands events to an [`OutboxWriter`], whose `record` only puts them on
//! a channel, so the frame loop never waits on disk. The writer's own thread commits whatever is
//! queued, at most [`MAX_GROUP`] events per transaction, in WAL mode with `synchronous=FULL`: a
//! commit has reached the disk when it returns. An event therefore waits for at most the commit in
//! progress and its own; both take milliseconds (docs/performance.md), far inside the one-second
//! bound. [`OutboxWriter::wait_durable`] says which events are on disk.
//!
//! **Delivery.** The uploader [`claim`](Outbox::claim)s batches in sequence order through its own
//! connection and deletes them only after the server's acknowledgement. A claim durably marks the
//! batch as in flight, so the size cap below never rolls up events the server may already have.
//!
//! **Size cap.** When the events take more than [`OutboxOptions::max_bytes`], the oldest ones
//! (not in flight) are rolled up into per-hour counts (hour × kiosk × event type × exhibit,
//! [`EventRollup`]) instead of being dropped, down to 90 % of the cap. Roll-ups are delivered
//! too, so the server's totals still equal what the kiosk recorded.
//!
//! **Damage.** A file SQLite cannot read at start is moved aside (`<name>.corrupt-<unix ms>`, kept
//! for inspection), whatever can still be read from it is carried over, and a new outbox is
//! started; [`WriterStatus::recovered`] reports it. A disk that refuses writes (full, read-only)
//! never stops the writer: events wait in a bounded memory buffer and are written when the disk
//! works again; [`WriterStatus::last_error`] says why and [`WriterStatus::dropped`] counts what
//! even the buffer could not hold.
//!
//! **Set aside.** A row that cannot be read, or an event (roll-up row) the server refused, is
//! moved into the `quarantine` (`rollup_quarantine`) table: kept for inspection, never sent
//! again, so that one bad row never blocks the queue. [`OutboxStats::quarantined`] counts the
//! unreadable ones, [`OutboxStats::refused_events`] the refused ones.

use crate::wire::{EngagementEvent, EventDraft, EventRollup, ROLLUP_PERIOD_MS, SCHEMA_VERSION};
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use thiserror::Error;
use uuid::Uuid;

/// Default size cap of the outbox: 500 MB of events before the oldest are rolled up.
pub const DEFAULT_MAX_BYTES: u64 = 500_000_000;
/// Default bound of events held in memory while the disk refuses writes.
pub const DEFAULT_MAX_IN_MEMORY: usize = 100_000;
/// How many queued events one group commit takes at most: bounds how long one commit takes, and
/// so how long the next event waits for its own.
pub const MAX_GROUP: usize = 1_000;
/// After a roll-up the events take at most this share of the cap, so that the commits that
/// follow do not roll up again a few events at a time.
const ROLLUP_LOW_WATER: f64 = 0.9;
/// Most events one roll-up transaction takes, so the writer is never away from its queue long
/// (tens of milliseconds).
const MAX_ROLLUP_CHUNK: u64 = 5_000;

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
const NEXT_SEQ: &str = "next_seq";
/// Highest sequence number the uploader may have sent without an acknowledgement yet.
const INFLIGHT_THROUGH: &str = "inflight_through";
/// Raw events replaced by roll-ups over the outbox's life.
const ROLLED_UP_TOTAL: &str = "rolled_up_total";

#[derive(Debug, Error)]
pub enum OutboxError {
    #[error("outbox {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("outbox {path}: cannot create its folder: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("outbox {path}: stored event {seq} is unreadable: {source}")]
    Corrupt {
        path: PathBuf,
        seq: i64,
        source: serde_json::Error,
    },
    #[error("outbox {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("outbox {path}: cannot move the damaged file aside: {source}")]
    MoveAside {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{pending} events are held only in memory: {reason}")]
    NotDurable { pending: usize, reason: String },
    #[error("the outbox writer thread has stopped")]
    WriterGone,
    #[error("cannot start the outbox writer thread: {0}")]
    Thread(std::io::Error),
}

impl OutboxError {
    /// Whether the file itself is damaged, as opposed to unreachable (permissions, a missing
    /// disk): only a damaged file is moved aside, since moving would not help the others.
    pub fn is_damage(&self) -> bool {
        match self {
            Self::Damaged { .. } => true,
            Self::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }
}

/// What the outbox adds to every event: which kiosk, which boot, which app version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStamp {
    pub kiosk_id: String,
    pub boot_id: Uuid,
    pub app_version: String,
}

impl EventStamp {
    /// A stamp for this run of the program: a fresh boot id.
    pub fn for_this_boot(kiosk_id: &str, app_version: &str) -> Self {
        Self {
            kiosk_id: kiosk_id.to_owned(),
            boot_id: Uuid::new_v4(),
            app_version: app_version.to_owned(),
        }
    }
}

/// A damaged outbox found at start and replaced; for the staff panel and the next heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecovery {
    /// Where the damaged file now is, kept for inspection.
    pub moved_to: PathBuf,
    /// What was wrong with it.
    pub reason: String,
    pub at_ms: i64,
    /// Events read back from the damaged file and carried over (they are still delivered).
    pub salvaged_events: u64,
    /// Roll-up rows carried over.
    pub salvaged_rollups: u64,
    /// Events the damaged file held that could not be read back; `None` when not even their
    /// number could be read.
    pub lost_events: Option<u64>,
}

/// What an outbox holds, for status displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Raw events waiting for delivery.
    pub backlog: u64,
    /// Roll-up rows waiting for delivery, and the events they count.
    pub rollup_rows: u64,
    pub rollup_events: u64,
    /// Raw events replaced by roll-ups over the outbox's life (delivered or not).
    pub rolled_up_total: u64,
    /// Unreadable rows set aside (kept in the `quarantine` table, never sent).
    pub quarantined: u64,
    /// Events the server refused, set aside (kept, never sent again): raw events in the
    /// `quarantine` table, plus the events counted by roll-up rows in `rollup_quarantine`.
    pub refused_events: u64,
    /// Bytes of the file in use (pages not on the free list), the measure of the size cap.
    pub used_bytes: u64,
}

/// An event set aside in the `quarantine` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedEvent {
    pub seq: u64,
    /// As it was stored (possibly not an event at all, if it was unreadable).
    pub body: String,
    /// Why, in words.
    pub reason: String,
    /// `None`: unreadable here; else the server's reason code for refusing it.
    pub refused_as: Option<String>,
    pub at_ms: i64,
}

/// An event as stored: its sequence number and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub body: String,
}

/// One connection to the outbox file.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
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

    /// Opens the outbox at `path`; a damaged file is moved aside to
    /// `<name>.corrupt-<unix ms>` (with its `-wal`), what can still be read from it is carried
    /// over into a new outbox, and the recovery is returned for reporting. Other errors (a
    /// folder that cannot be created, no permission) are returned as they are.
    pub fn open_or_recover(path: &Path) -> Result<(Self, Option<OutboxRecovery>), OutboxError> {
        let damage = match Self::open(path).and_then(|outbox| outbox.check().map(|()| outbox)) {
            Ok(outbox) => return Ok((outbox, None)),
            Err(err) if err.is_damage() => err,
            Err(err) => return Err(err),
        };
        tracing::error!("{damage}; moving it aside and starting a new outbox");
        let at_ms = crate::now_unix_ms();
        let moved_to = sibling(path, &format!(".corrupt-{at_ms}"));
        std::fs::rename(path, &moved_to).map_err(|source| OutboxError::MoveAside {
            path: path.to_path_buf(),
            source,
        })?;
        // The WAL belongs to the file it was written for: it moves along, under the name SQLite
        // looks for, so whoever inspects the damaged file sees everything it held.
        for suffix in ["-wal", "-shm"] {
            let from = sibling(path, suffix);
            if from.exists() {
                let _ = std::fs::rename(&from, sibling(&moved_to, suffix));
            }
        }
        let salvage = Salvage::read(&moved_to);
        let mut outbox = Self::open(path)?;
        let (salvaged_events, salvaged_rollups) = outbox.restore(&salvage)?;
        let lost_events = salvage
            .rows_in_file
            .map(|n| n.saturating_sub(salvaged_events));
        Ok((
            outbox,
            Some(OutboxRecovery {
                moved_to,
                reason: damage.to_string(),
                at_ms,
                salvaged_events,
                salvaged_rollups,
                lost_events,
            }),
        ))
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
    fn begin_immediate(&mut self) -> Result<Transaction<'_>, OutboxError> {
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
        read_events(&self.conn, &self.path, 0, limit)
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
        self.claim_stored_after(after, limit)?
            .into_iter()
            .map(|row| {
                serde_json::from_str(&row.body).map_err(|source| OutboxError::Corrupt {
                    path: self.path.clone(),
                    seq: to_i64(row.seq),
                    source,
                })
            })
            .collect()
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
    fn any(&self, table: &str) -> Result<bool, OutboxError> {
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

    /// Moves an unreadable event out of the queue into the `quarantine` table, where it is kept
    /// for inspection but never sent, so that one bad row cannot stop every later one. Returns
    /// whether the row existed.
    pub fn quarantine(&mut self, seq: i64, reason: &str) -> Result<bool, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let moved = tx
            .execute(
                "INSERT OR REPLACE INTO quarantine (seq, body, reason, at_ms)
                 SELECT seq, body, ?2, ?3 FROM outbox WHERE seq = ?1",
                params![seq, reason, crate::now_unix_ms()],
            )
            .at(&path)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", params![seq])
            .at(&path)?;
        tx.commit().at(&path)?;
        Ok(moved == 1)
    }

    /// Moves the event whose id is `id` into the quarantine as refused by the server (`code`:
    /// the server's reason code, `detail`: its words): kept for inspection, never sent again,
    /// counted in [`OutboxStats::refused_events`]. Only an event among `seqs`, the batch the
    /// server refused, is moved: a refusal naming any other event changes nothing. Returns the
    /// event's sequence number, `None` when no event of `seqs` has that id.
    pub fn quarantine_refused(
        &mut self,
        id: Uuid,
        seqs: &[u64],
        code: &str,
        detail: &str,
    ) -> Result<Option<u64>, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let seq = tx
            .query_row(
                "SELECT seq FROM outbox WHERE id = ?1",
                params![id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .at(&path)?
            .map(to_u64)
            .filter(|seq| seqs.contains(seq));
        let Some(seq) = seq else {
            return Ok(None);
        };
        tx.execute(
            "INSERT OR REPLACE INTO quarantine (seq, body, reason, at_ms, refused_as)
             SELECT seq, body, ?2, ?3, ?4 FROM outbox WHERE seq = ?1",
            params![
                to_i64(seq),
                refusal_reason(code, detail),
                crate::now_unix_ms(),
                code
            ],
        )
        .at(&path)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", params![to_i64(seq)])
            .at(&path)?;
        tx.commit().at(&path)?;
        Ok(Some(seq))
    }

    /// Moves the roll-up row `id`, if it is among `ids` (the batch the server refused), into
    /// the `rollup_quarantine` table as refused by the server: kept, never sent again, its
    /// events counted in [`OutboxStats::refused_events`]. Returns how many events the row
    /// counts, `None` when no row of `ids` has that id.
    pub fn quarantine_refused_rollup(
        &mut self,
        id: Uuid,
        ids: &[Uuid],
        code: &str,
        detail: &str,
    ) -> Result<Option<u64>, OutboxError> {
        if !ids.contains(&id) {
            return Ok(None);
        }
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let count = tx
            .query_row(
                "SELECT count FROM rollup WHERE rollup_id = ?1",
                params![id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .at(&path)?;
        let Some(count) = count else {
            return Ok(None);
        };
        tx.execute(
            "INSERT OR REPLACE INTO rollup_quarantine (rollup_id, kiosk_id, hour_start_ms,
                 event_type, exhibit_id, count, correct, refused_as, reason, at_ms)
             SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count, correct,
                    ?2, ?3, ?4
             FROM rollup WHERE rollup_id = ?1",
            params![
                id.to_string(),
                code,
                refusal_reason(code, detail),
                crate::now_unix_ms()
            ],
        )
        .at(&path)?;
        tx.execute(
            "DELETE FROM rollup WHERE rollup_id = ?1",
            params![id.to_string()],
        )
        .at(&path)?;
        tx.commit().at(&path)?;
        Ok(Some(to_u64(count)))
    }

    /// The events set aside in the quarantine, unreadable or refused, in sequence order.
    pub fn quarantined(&self) -> Result<Vec<QuarantinedEvent>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body, reason, refused_as, at_ms FROM quarantine ORDER BY seq")
            .at(&self.path)?;
        stmt.query_map([], |row| {
            Ok(QuarantinedEvent {
                seq: to_u64(row.get(0)?),
                body: row.get(1)?,
                reason: row.get(2)?,
                refused_as: row.get(3)?,
                at_ms: row.get(4)?,
            })
        })
        .at(&self.path)?
        .collect::<Result<_, _>>()
        .at(&self.path)
    }

    /// Replaces the oldest `max_events` events that are not in flight by per-hour counts, in
    /// one transaction; returns how many events were rolled up. Counts are added to a roll-up
    /// row of the same hour, kiosk, type and exhibit that the uploader has not taken yet, else a
    /// new row (with a new id) is made.
    pub fn roll_up_oldest(&mut self, max_events: u64) -> Result<u64, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let after = meta_get(&tx, INFLIGHT_THROUGH).at(&path)?.unwrap_or(0);
        let rows: Vec<(i64, String)> = {
            let mut stmt = tx
                .prepare_cached("SELECT seq, body FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .at(&path)?;
            stmt.query_map(params![to_i64(after), to_i64(max_events)], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .at(&path)?
            .collect::<Result<_, _>>()
            .at(&path)?
        };
        let Some(&(last_seq, _)) = rows.last() else {
            return Ok(0);
        };
        let mut groups: BTreeMap<RollupKey, (u64, u64)> = BTreeMap::new();
        let mut unreadable = Vec::new();
        for (seq, body) in &rows {
            // Read as plain JSON rather than as `EngagementEvent`, so that event types added
            // after this code was written are counted too.
            match rollup_key(body) {
                Some((key, correct)) => {
                    let entry = groups.entry(key).or_default();
                    entry.0 += 1;
                    entry.1 += u64::from(correct);
                }
                None => unreadable.push(*seq),
            }
        }
        {
            let mut add = tx
                .prepare_cached(
                    "UPDATE rollup SET count = count + ?1, correct = correct + ?2
                     WHERE claimed = 0 AND kiosk_id = ?3 AND hour_start_ms = ?4
                       AND event_type = ?5 AND exhibit_id IS ?6",
                )
                .at(&path)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO rollup (rollup_id, kiosk_id, hour_start_ms, event_type,
                                         exhibit_id, count, correct)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .at(&path)?;
            for (key, (count, correct)) in &groups {
                let added = add
                    .execute(params![
                        to_i64(*count),
                        to_i64(*correct),
                        key.kiosk_id,
                        key.hour_start_ms,
                        key.event_type,
                        key.exhibit_id
                    ])
                    .at(&path)?;
                if added == 0 {
                    insert
                        .execute(params![
                            Uuid::now_v7().to_string(),
                            key.kiosk_id,
                            key.hour_start_ms,
                            key.event_type,
                            key.exhibit_id,
                            to_i64(*count),
                            to_i64(*correct)
                        ])
                        .at(&path)?;
                }
            }
        }
        let now = crate::now_unix_ms();
        for seq in &unreadable {
            tx.execute(
                "INSERT OR REPLACE INTO quarantine (seq, body, reason, at_ms)
                 SELECT seq, body, 'unreadable when rolled up', ?2 FROM outbox WHERE seq = ?1",
                params![seq, now],
            )
            .at(&path)?;
        }
        tx.execute(
            "DELETE FROM outbox WHERE seq > ?1 AND seq <= ?2",
            params![to_i64(after), last_seq],
        )
        .at(&path)?;
        let rolled = (rows.len() - unreadable.len()) as u64;
        let total = meta_get(&tx, ROLLED_UP_TOTAL).at(&path)?.unwrap_or(0);
        meta_set(&tx, ROLLED_UP_TOTAL, total + rolled).at(&path)?;
        tx.commit().at(&path)?;
        Ok(rolled)
    }

    /// When the file uses more than `max_bytes`, rolls up the oldest events until it uses at
    /// most 90 % of it (or nothing more can be rolled up); returns how many were rolled up.
    pub fn enforce_cap(&mut self, max_bytes: u64) -> Result<u64, OutboxError> {
        if self.used_bytes()? <= max_bytes {
            return Ok(0);
        }
        let mut rolled = 0;
        // Bounded: each step either frees space or reports that it is done.
        for _ in 0..10_000 {
            let (done, finished) = self.cap_step(max_bytes)?;
            rolled += done;
            if finished {
                break;
            }
        }
        Ok(rolled)
    }

    /// One roll-up transaction of at most [`MAX_ROLLUP_CHUNK`] events toward 90 % of
    /// `max_bytes`: returns the events rolled up and whether the target is reached (or nothing
    /// more can be won now). The writer takes one step between two commits, so a large roll-up
    /// never keeps new events from the disk for long.
    fn cap_step(&mut self, max_bytes: u64) -> Result<(u64, bool), OutboxError> {
        let target = (max_bytes as f64 * ROLLUP_LOW_WATER) as u64;
        let used = self.used_bytes()?;
        if used <= target {
            return Ok((0, true));
        }
        // Sequence numbers are nearly contiguous (deletions are mostly from the front), so
        // their span estimates the number of rows without counting them.
        let span = self
            .conn
            .query_row("SELECT MAX(seq) - MIN(seq) + 1 FROM outbox", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .at(&self.path)?
            .map_or(0, to_u64);
        if span == 0 {
            return Ok((0, true));
        }
        let per_event = (used / span).max(1);
        let chunk = ((used - target) / per_event).clamp(64, MAX_ROLLUP_CHUNK);
        let done = self.roll_up_oldest(chunk)?;
        if done > 0 {
            tracing::warn!(
                "outbox {} is over its cap of {max_bytes} bytes: {done} of the oldest events rolled up into hourly counts",
                self.path.display()
            );
        }
        let now = self.used_bytes()?;
        // Nothing rolled up: only events in flight are left. Nothing freed: the space is held by
        // roll-ups and half-empty pages. Either way, nothing more to win now.
        Ok((done, done == 0 || now >= used || now <= target))
    }

    /// Up to `limit` roll-up rows, oldest hour first, marked as taken by the uploader: from now
    /// on they are never added to, so that resending one under its id stays correct.
    pub fn claim_rollups(&mut self, limit: usize) -> Result<Vec<EventRollup>, OutboxError> {
        let path = self.path.clone();
        if !self.any("rollup")? {
            return Ok(Vec::new());
        }
        let tx = self.begin_immediate()?;
        let rows: Vec<(String, EventRollup)> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count,
                            correct
                     FROM rollup ORDER BY claimed DESC, hour_start_ms, rollup_id LIMIT ?1",
                )
                .at(&path)?;
            stmt.query_map(params![to_i64(limit as u64)], |row| {
                let id: String = row.get(0)?;
                Ok((
                    id.clone(),
                    EventRollup {
                        rollup_id: Uuid::parse_str(&id).unwrap_or_default(),
                        kiosk_id: row.get(1)?,
                        hour_start_ms: row.get(2)?,
                        event_type: row.get(3)?,
                        exhibit_id: row.get(4)?,
                        count: to_u64(row.get(5)?),
                        correct: to_u64(row.get(6)?),
                    },
                ))
            })
            .at(&path)?
            .collect::<Result<_, _>>()
            .at(&path)?
        };
        {
            let mut claim = tx
                .prepare_cached("UPDATE rollup SET claimed = 1 WHERE rollup_id = ?1")
                .at(&path)?;
            for (id, _) in &rows {
                claim.execute(params![id]).at(&path)?;
            }
        }
        tx.commit().at(&path)?;
        Ok(rows.into_iter().map(|(_, rollup)| rollup).collect())
    }

    /// Deletes delivered roll-up rows; returns how many were deleted.
    pub fn acknowledge_rollups(&mut self, ids: &[Uuid]) -> Result<usize, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut deleted = 0;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM rollup WHERE rollup_id = ?1")
                .at(&path)?;
            for id in ids {
                deleted += delete.execute(params![id.to_string()]).at(&path)?;
            }
        }
        tx.commit().at(&path)?;
        Ok(deleted)
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

    /// Writes what was read back from a damaged outbox into this (new) one, rows as they were:
    /// same sequence numbers, ids and bodies. Returns (events, roll-up rows) carried over.
    fn restore(&mut self, salvage: &Salvage) -> Result<(u64, u64), OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut events = 0;
        let mut rollups = 0;
        {
            let mut insert = tx
                .prepare("INSERT OR IGNORE INTO outbox (seq, id, body) VALUES (?1, ?2, ?3)")
                .at(&path)?;
            for row in &salvage.events {
                events += insert
                    .execute(params![row.seq, row.id, row.body])
                    .at(&path)? as u64;
            }
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO rollup (rollup_id, kiosk_id, hour_start_ms,
                         event_type, exhibit_id, count, correct, claimed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
                )
                .at(&path)?;
            // Carried over as claimed: whether the old file had sent them is unknown.
            for r in &salvage.rollups {
                rollups += insert
                    .execute(params![
                        r.rollup_id.to_string(),
                        r.kiosk_id,
                        r.hour_start_ms,
                        r.event_type,
                        r.exhibit_id,
                        to_i64(r.count),
                        to_i64(r.correct)
                    ])
                    .at(&path)? as u64;
            }
        }
        let max_seq = salvage.events.iter().map(|r| r.seq).max().unwrap_or(0);
        // When the old counter is unreadable, continue from the clock (ms × 1000): higher than
        // any number this kiosk can have used unless it made a thousand events a millisecond,
        // so no sequence number is reused, and the gap shows the loss on the server.
        let floor = salvage
            .next_seq
            .unwrap_or_else(|| to_u64(crate::now_unix_ms()).saturating_mul(1000));
        let next = floor.max(to_u64(max_seq) + 1);
        meta_set(&tx, NEXT_SEQ, next).at(&path)?;
        if let Some(total) = salvage.rolled_up_total {
            meta_set(&tx, ROLLED_UP_TOTAL, total).at(&path)?;
        }
        // Everything carried over may have been sent by the old file's uploader.
        if max_seq > 0 {
            meta_set(&tx, INFLIGHT_THROUGH, to_u64(max_seq)).at(&path)?;
        }
        tx.commit().at(&path)?;
        Ok((events, rollups))
    }
}

/// What could be read back from a damaged outbox file.
#[derive(Default)]
struct Salvage {
    events: Vec<SalvagedRow>,
    rollups: Vec<EventRollup>,
    next_seq: Option<u64>,
    rolled_up_total: Option<u64>,
    /// How many events the file held, if even that could be read.
    rows_in_file: Option<u64>,
}

struct SalvagedRow {
    seq: i64,
    id: String,
    body: String,
}

impl Salvage {
    /// Reads what it can, never failing: rows from the front until the first unreadable page,
    /// then from the back until the first unreadable page; only rows whose body is a whole event
    /// are kept.
    fn read(path: &Path) -> Self {
        let mut salvage = Self::default();
        let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
            return salvage;
        };
        salvage.next_seq = meta_get(&conn, NEXT_SEQ).ok().flatten();
        salvage.rolled_up_total = meta_get(&conn, ROLLED_UP_TOTAL).ok().flatten();
        salvage.rows_in_file = conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
            .ok()
            .map(to_u64);
        let mut rows: BTreeMap<i64, SalvagedRow> = BTreeMap::new();
        for order in ["ASC", "DESC"] {
            let sql = format!("SELECT seq, id, body FROM outbox ORDER BY seq {order}");
            let Ok(mut stmt) = conn.prepare(&sql) else {
                continue;
            };
            let Ok(mut cursor) = stmt.query([]) else {
                continue;
            };
            while let Ok(Some(row)) = cursor.next() {
                let read = (|| -> rusqlite::Result<SalvagedRow> {
                    Ok(SalvagedRow {
                        seq: row.get(0)?,
                        id: row.get(1)?,
                        body: row.get(2)?,
                    })
                })();
                let Ok(row) = read else { break };
                let whole = serde_json::from_str::<EngagementEvent>(&row.body)
                    .is_ok_and(|e| e.id.to_string() == row.id);
                if whole {
                    rows.insert(row.seq, row);
                }
            }
        }
        salvage.events = rows.into_values().collect();
        if let Ok(mut stmt) = conn.prepare(
            "SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count, correct
             FROM rollup",
        ) && let Ok(mut cursor) = stmt.query([])
        {
            while let Ok(Some(row)) = cursor.next() {
                let read = (|| -> rusqlite::Result<EventRollup> {
                    Ok(EventRollup {
                        rollup_id: Uuid::parse_str(&row.get::<_, String>(0)?)
                            .map_err(|_| rusqlite::Error::InvalidQuery)?,
                        kiosk_id: row.get(1)?,
                        hour_start_ms: row.get(2)?,
                        event_type: row.get(3)?,
                        exhibit_id: row.get(4)?,
                        count: to_u64(row.get(5)?),
                        correct: to_u64(row.get(6)?),
                    })
                })();
                let Ok(rollup) = read else { break };
                salvage.rollups.push(rollup);
            }
        }
        salvage
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RollupKey {
    kiosk_id: String,
    hour_start_ms: i64,
    event_type: String,
    exhibit_id: Option<String>,
}

/// The roll-up group of a stored event body, and whether it was marked correct.
fn rollup_key(body: &str) -> Option<(RollupKey, bool)> {
    let event: serde_json::Value = serde_json::from_str(body).ok()?;
    let kind = event.get("event")?;
    let occurred_at_ms = event.get("occurred_at_ms")?.as_i64()?;
    Some((
        RollupKey {
            kiosk_id: event.get("kiosk_id")?.as_str()?.to_owned(),
            hour_start_ms: occurred_at_ms - occurred_at_ms.rem_euclid(ROLLUP_PERIOD_MS),
            event_type: kind.get("type")?.as_str()?.to_owned(),
            exhibit_id: kind
                .get("exhibit_id")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        },
        kind.get("correct").and_then(|v| v.as_bool()) == Some(true),
    ))
}

fn read_events(
    conn: &Connection,
    path: &Path,
    after: u64,
    limit: usize,
) -> Result<Vec<EngagementEvent>, OutboxError> {
    read_rows(conn, path, after, limit)?
        .into_iter()
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

fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<u64>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.get::<_, i64>(0)
    })
    .optional()
    .map(|v| v.map(to_u64))
}

fn meta_set(conn: &Connection, key: &str, value: u64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, to_i64(value)],
    )
    .map(|_| ())
}

/// The `reason` of a row the server refused.
fn refusal_reason(code: &str, detail: &str) -> String {
    format!("refused by the server ({code}): {detail}")
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
trait AtPath<T> {
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

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Settings of an [`OutboxWriter`]; [`Default`] is what [`OutboxWriter::spawn`] uses.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxOptions {
    /// Size cap: beyond it the oldest events are rolled up into hourly counts.
    pub max_bytes: u64,
    /// Most events held in memory (queued, or waiting for a disk that refuses writes); beyond
    /// it new events are dropped and counted in [`WriterStatus::dropped`].
    pub max_in_memory: usize,
    /// How often to retry while the disk refuses writes.
    pub retry_every: Duration,
    /// How often the backlog figures in [`WriterStatus`] are refreshed (each refresh counts the
    /// outbox's rows).
    pub status_every: Duration,
}

impl Default for OutboxOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_in_memory: DEFAULT_MAX_IN_MEMORY,
            retry_every: Duration::from_secs(1),
            status_every: Duration::from_secs(1),
        }
    }
}

/// Health of the writer, for the staff panel and heartbeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterStatus {
    /// Events this writer has made durable since it started.
    pub written: u64,
    /// Events held in memory because the disk refused the last write.
    pub pending_in_memory: usize,
    /// Why the last write failed, until a write succeeds again.
    pub last_error: Option<String>,
    /// Events dropped because even the memory buffer was full (the disk had refused writes for
    /// a long time).
    pub dropped: u64,
    /// Highest sequence number this writer has made durable (0 before the first).
    pub last_seq: u64,
    /// Raw events waiting for delivery (refreshed every [`OutboxOptions::status_every`]).
    pub backlog: u64,
    /// Events counted in roll-ups waiting for delivery.
    pub rollup_events_pending: u64,
    /// Raw events replaced by roll-ups over the outbox's life because the cap was reached.
    pub rolled_up: u64,
    /// Unreadable rows set aside.
    pub quarantined: u64,
    /// Events the server refused, set aside (over the outbox's life; see
    /// [`OutboxStats::refused_events`]).
    pub refused_events: u64,
    /// Bytes in use, and the cap.
    pub used_bytes: u64,
    pub max_bytes: u64,
    /// Set when the outbox was found damaged at start and replaced: put it in the heartbeat.
    pub recovered: Option<OutboxRecovery>,
}

/// What [`OutboxWriter::wait_durable`] confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durable {
    /// Events this writer has made durable since it started: the first `written` events
    /// recorded (not counting dropped ones and drafts whose id was already stored) are on disk.
    pub written: u64,
    /// The highest sequence number among them.
    pub last_seq: u64,
    /// Events dropped so far because the memory buffer was full.
    pub dropped: u64,
}

enum WriterMessage {
    Event(EventDraft),
    /// Reply once everything sent before this message was written (or failed to be).
    Flush(mpsc::Sender<FlushReply>),
    /// Test hook: run SQL on the writer's connection (e.g. make the disk look full).
    #[cfg(test)]
    Execute(String),
}

struct FlushReply {
    written: u64,
    last_seq: u64,
    pending: usize,
    last_error: Option<String>,
}

/// State shared by the writer handle and its thread.
struct Shared {
    status: Mutex<WriterStatus>,
    /// Events recorded and not yet on disk: queued on the channel or held after a failed write.
    in_memory: AtomicUsize,
    dropped: AtomicU64,
    max_in_memory: usize,
}

/// Hands events to a background thread that makes them durable; never blocks its caller.
pub struct OutboxWriter {
    sender: Option<mpsc::Sender<WriterMessage>>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl OutboxWriter {
    /// Starts the writer thread, with the default [`OutboxOptions`]. The thread opens the
    /// outbox (the structural check of a large file takes a while, and must not hold up the
    /// kiosk's first frame): a damaged file is moved aside and reported in
    /// [`WriterStatus::recovered`]; one that cannot be opened at all (a read-only or missing
    /// disk) is tried again every [`OutboxOptions::retry_every`] while events wait in memory,
    /// as when a disk refuses writes, and the reason shows in [`WriterStatus::last_error`].
    pub fn spawn(path: &Path, stamp: EventStamp) -> Result<Self, OutboxError> {
        Self::spawn_with(path, stamp, OutboxOptions::default())
    }

    pub fn spawn_with(
        path: &Path,
        stamp: EventStamp,
        options: OutboxOptions,
    ) -> Result<Self, OutboxError> {
        let status = WriterStatus {
            max_bytes: options.max_bytes,
            ..WriterStatus::default()
        };
        let shared = Arc::new(Shared {
            status: Mutex::new(status),
            in_memory: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            max_in_memory: options.max_in_memory.max(1),
        });
        let (sender, receiver) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("outbox-writer".into())
            .spawn(move || {
                Writer {
                    outbox: None,
                    path,
                    stamp,
                    options,
                    shared: thread_shared,
                    pending: Vec::new(),
                    written: 0,
                    last_seq: 0,
                    last_error: None,
                    retry_at: None,
                    rolling: false,
                    last_refresh: Instant::now(),
                }
                .run(&receiver);
            })
            .map_err(OutboxError::Thread)?;
        Ok(Self {
            sender: Some(sender),
            thread: Some(thread),
            shared,
        })
    }

    /// Queues an event for writing; returns immediately. When the memory buffer is full (the
    /// disk has refused writes for a long time) the event is dropped and counted in
    /// [`WriterStatus::dropped`], rather than blocking the caller or growing without bound.
    pub fn record(&self, draft: EventDraft) -> Result<(), OutboxError> {
        let sender = self.sender.as_ref().ok_or(OutboxError::WriterGone)?;
        if self.shared.in_memory.fetch_add(1, Ordering::SeqCst) >= self.shared.max_in_memory {
            self.shared.in_memory.fetch_sub(1, Ordering::SeqCst);
            self.shared.dropped.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        sender.send(WriterMessage::Event(draft)).map_err(|_| {
            self.shared.in_memory.fetch_sub(1, Ordering::SeqCst);
            OutboxError::WriterGone
        })
    }

    /// Waits until every event recorded so far has been written (or its write failed).
    pub fn flush(&self) -> Result<(), OutboxError> {
        self.ask_flush().map(|_| ())
    }

    /// Waits until every event recorded so far has been written, and confirms that it is on
    /// disk: the answer to "which events survive a power cut now?". An error when some are held
    /// only in memory because the disk refuses writes.
    pub fn wait_durable(&self) -> Result<Durable, OutboxError> {
        let reply = self.ask_flush()?;
        if reply.pending > 0 {
            return Err(OutboxError::NotDurable {
                pending: reply.pending,
                reason: reply.last_error.unwrap_or_default(),
            });
        }
        Ok(Durable {
            written: reply.written,
            last_seq: reply.last_seq,
            dropped: self.shared.dropped.load(Ordering::SeqCst),
        })
    }

    fn ask_flush(&self) -> Result<FlushReply, OutboxError> {
        let (reply, done) = mpsc::channel();
        self.sender
            .as_ref()
            .ok_or(OutboxError::WriterGone)?
            .send(WriterMessage::Flush(reply))
            .map_err(|_| OutboxError::WriterGone)?;
        done.recv().map_err(|_| OutboxError::WriterGone)
    }

    pub fn status(&self) -> WriterStatus {
        let mut status = self
            .shared
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        status.dropped = self.shared.dropped.load(Ordering::SeqCst);
        status
    }

    #[cfg(test)]
    fn execute(&self, sql: &str) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(WriterMessage::Execute(sql.to_owned()));
        }
    }
}

impl Drop for OutboxWriter {
    fn drop(&mut self) {
        // Closing the channel lets the thread write what is queued and exit.
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn apply_stats(status: &mut WriterStatus, stats: &OutboxStats) {
    status.backlog = stats.backlog;
    status.rollup_events_pending = stats.rollup_events;
    status.rolled_up = stats.rolled_up_total;
    status.quarantined = stats.quarantined;
    status.refused_events = stats.refused_events;
    status.used_bytes = stats.used_bytes;
}

/// The writer thread's state.
struct Writer {
    /// `None` until the file could be opened.
    outbox: Option<Outbox>,
    path: PathBuf,
    stamp: EventStamp,
    options: OutboxOptions,
    shared: Arc<Shared>,
    /// Taken from the channel, not yet on disk.
    pending: Vec<EventDraft>,
    written: u64,
    last_seq: u64,
    last_error: Option<String>,
    /// While writes fail: when to try again.
    retry_at: Option<Instant>,
    /// Over the cap and not yet back to 90 % of it: one roll-up step per round.
    rolling: bool,
    last_refresh: Instant,
}

impl Writer {
    fn run(mut self, receiver: &mpsc::Receiver<WriterMessage>) {
        let mut flushes: Vec<mpsc::Sender<FlushReply>> = Vec::new();
        let mut closed = false;
        self.open();
        self.publish(false);
        loop {
            let failing = self.retry_at.is_some();
            // Wait for work; while the disk refuses writes, wake up to retry.
            if !closed {
                let first = match (self.retry_at, self.rolling) {
                    (Some(at), _) => {
                        receiver.recv_timeout(at.saturating_duration_since(Instant::now()))
                    }
                    // A roll-up is under way: look for events, but do not wait for them.
                    (None, true) => receiver.try_recv().map_err(|err| match err {
                        mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                        mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                    }),
                    (None, false) => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                match first {
                    Ok(message) => self.take(message, &mut flushes),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => closed = true,
                }
            }
            // Take what else is queued: one group while writes work (so that a commit stays
            // short), everything while they fail (memory use is bounded in `record`).
            while !closed && (failing || self.pending.len() < MAX_GROUP) {
                match receiver.try_recv() {
                    Ok(message) => self.take(message, &mut flushes),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => closed = true,
                }
            }
            // While failing, new events only join the queue; the disk is tried again on time
            // (or at shutdown), not at every arrival.
            let due = self
                .retry_at
                .is_none_or(|at| closed || Instant::now() >= at);
            let wrote = !self.pending.is_empty() && due && self.write();
            if wrote || self.rolling {
                self.roll_up_step();
            }
            // A flush is a request for the current state: count the rows now.
            self.publish(closed || !flushes.is_empty());
            for reply in flushes.drain(..) {
                let _ = reply.send(FlushReply {
                    written: self.written,
                    last_seq: self.last_seq,
                    pending: self.pending.len(),
                    last_error: self.last_error.clone(),
                });
            }
            if closed && (self.pending.is_empty() || self.retry_at.is_some()) {
                if !self.pending.is_empty() {
                    tracing::error!(
                        "shutting down with {} engagement events the disk refused: they are lost ({})",
                        self.pending.len(),
                        self.last_error.as_deref().unwrap_or("")
                    );
                }
                return;
            }
        }
    }

    fn take(&mut self, message: WriterMessage, flushes: &mut Vec<mpsc::Sender<FlushReply>>) {
        match message {
            WriterMessage::Event(draft) => self.pending.push(draft),
            WriterMessage::Flush(reply) => flushes.push(reply),
            #[cfg(test)]
            WriterMessage::Execute(sql) => {
                if let Some(outbox) = &self.outbox {
                    let _ = outbox.conn.execute_batch(&sql);
                }
            }
        }
    }

    /// Opens the outbox if it is not open yet (at start, and again at each retry while it
    /// cannot be). Returns whether it is open.
    fn open(&mut self) -> bool {
        if self.outbox.is_some() {
            return true;
        }
        match Outbox::open_or_recover(&self.path) {
            Ok((outbox, recovered)) => {
                if self.retry_at.is_some() {
                    tracing::info!("the engagement outbox {} is open now", self.path.display());
                }
                let stats = outbox.stats().ok();
                let mut status = self
                    .shared
                    .status
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                status.recovered = recovered;
                if let Some(stats) = stats {
                    apply_stats(&mut status, &stats);
                }
                self.outbox = Some(outbox);
                self.last_refresh = Instant::now();
                true
            }
            Err(err) => {
                if self.retry_at.is_none() {
                    tracing::error!(
                        "cannot open the engagement outbox, keeping events in memory: {err}"
                    );
                }
                self.last_error = Some(err.to_string());
                self.retry_at = Some(Instant::now() + self.options.retry_every);
                false
            }
        }
    }

    /// Writes the pending events, a group per transaction; keeps what the disk refused.
    /// Returns whether anything was written.
    fn write(&mut self) -> bool {
        if !self.open() {
            return false;
        }
        let Some(outbox) = self.outbox.as_mut() else {
            return false;
        };
        let mut done = 0;
        let mut error = None;
        for group in self.pending.chunks(MAX_GROUP) {
            match outbox.append(&self.stamp, group) {
                Ok(seqs) => {
                    self.written += seqs.len() as u64;
                    self.last_seq = seqs.iter().copied().fold(self.last_seq, u64::max);
                    done += group.len();
                }
                Err(err) => {
                    error = Some(err);
                    break;
                }
            }
        }
        self.pending.drain(..done);
        self.shared.in_memory.fetch_sub(done, Ordering::SeqCst);
        match error {
            Some(err) => {
                if self.retry_at.is_none() {
                    tracing::error!(
                        "cannot write engagement events, keeping them in memory: {err}"
                    );
                }
                self.last_error = Some(err.to_string());
                self.retry_at = Some(Instant::now() + self.options.retry_every);
                return done > 0;
            }
            None => {
                if self.retry_at.take().is_some() {
                    tracing::info!("engagement events are written to disk again");
                }
                self.last_error = None;
            }
        }
        done > 0
    }

    /// One bounded roll-up step when over the cap, or while a roll-up is under way: between
    /// two commits, so new events never wait for a whole roll-up.
    fn roll_up_step(&mut self) {
        let Some(outbox) = self.outbox.as_mut() else {
            return;
        };
        if !self.rolling && outbox.used_bytes().unwrap_or(0) <= self.options.max_bytes {
            return;
        }
        match outbox.cap_step(self.options.max_bytes) {
            Ok((_, finished)) => self.rolling = !finished,
            Err(err) => {
                // Reported, and tried again after the next commit; writing goes on.
                tracing::error!("cannot roll up old engagement events: {err}");
                self.last_error = Some(err.to_string());
                self.rolling = false;
            }
        }
    }

    fn publish(&mut self, refresh_now: bool) {
        let refresh = refresh_now || self.last_refresh.elapsed() >= self.options.status_every;
        let stats = if refresh {
            self.last_refresh = Instant::now();
            self.outbox.as_ref().and_then(|outbox| outbox.stats().ok())
        } else {
            None
        };
        let mut status = self
            .shared
            .status
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        status.written = self.written;
        status.last_seq = self.last_seq;
        status.pending_in_memory = self.pending.len();
        status.last_error.clone_from(&self.last_error);
        if let Some(stats) = stats {
            apply_stats(&mut status, &stats);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::EventKind;

    fn draft(n: u32) -> EventDraft {
        EventDraft::now(
            Some(Uuid::new_v4()),
            EventKind::StoryPageView {
                exhibit_id: "story".into(),
                page: n,
            },
        )
    }

    fn stamp() -> EventStamp {
        EventStamp::for_this_boot("kiosk-test", "0.0.0")
    }

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
    fn writer_makes_events_durable_off_the_callers_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let writer = OutboxWriter::spawn(&path, stamp()).unwrap();
        for n in 0..250 {
            writer.record(draft(n)).unwrap();
        }
        writer.flush().unwrap();
        assert_eq!(writer.status().written, 250);
        assert_eq!(Outbox::open(&path).unwrap().backlog().unwrap(), 250);
        let durable = writer.wait_durable().unwrap();
        assert_eq!((durable.written, durable.last_seq), (250, 250));
        writer.record(draft(999)).unwrap();
        drop(writer); // drop writes what is queued
        assert_eq!(Outbox::open(&path).unwrap().backlog().unwrap(), 251);
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

    #[test]
    fn a_path_that_cannot_be_created_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "not a folder").unwrap();
        let err = Outbox::open(&file.join("o.sqlite3")).err().unwrap();
        assert!(
            err.to_string().contains("cannot create its folder"),
            "{err}"
        );
        // Not damage: nothing is moved aside. The writer keeps events in memory, says why,
        // and writes them once the outbox can be opened.
        let options = OutboxOptions {
            retry_every: Duration::from_millis(20),
            ..OutboxOptions::default()
        };
        let path = file.join("o.sqlite3");
        let writer = OutboxWriter::spawn_with(&path, stamp(), options).unwrap();
        writer.record(draft(1)).unwrap();
        let err = writer.wait_durable().unwrap_err();
        assert!(
            matches!(err, OutboxError::NotDurable { pending: 1, ref reason } if reason.contains("cannot create its folder")),
            "{err}"
        );
        assert_eq!(writer.status().pending_in_memory, 1);
        std::fs::remove_file(&file).unwrap();
        let durable = loop {
            if let Ok(durable) = writer.wait_durable() {
                break durable;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(durable.written, 1);
        assert_eq!(writer.status().last_error, None);
        drop(writer);
        assert_eq!(Outbox::open(&path).unwrap().backlog().unwrap(), 1);
    }

    #[test]
    fn a_corrupt_row_is_reported_not_skipped_and_can_be_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let mut outbox = Outbox::open(&path).unwrap();
        outbox.append(&stamp(), &[draft(1), draft(2)]).unwrap();
        outbox
            .conn
            .execute("UPDATE outbox SET body = '{not json' WHERE seq = 1", [])
            .unwrap();
        assert!(matches!(
            outbox.peek(10),
            Err(OutboxError::Corrupt { seq: 1, .. })
        ));
        assert!(matches!(
            outbox.claim(10),
            Err(OutboxError::Corrupt { seq: 1, .. })
        ));
        assert!(outbox.quarantine(1, "test").unwrap());
        assert_eq!(outbox.claim(10).unwrap()[0].seq, 2);
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.backlog, stats.quarantined), (1, 1));
    }

    #[test]
    fn a_refused_event_is_set_aside_only_from_its_batch_and_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let drafts = [draft(1), draft(2), draft(3)];
        outbox.append(&stamp(), &drafts).unwrap();
        let batch = outbox.claim_stored_after(0, 2).unwrap();
        let seqs: Vec<u64> = batch.iter().map(|e| e.seq).collect();
        // Not of the batch (seq 3 was not sent), unknown: nothing moves.
        for id in [drafts[2].id, Uuid::new_v4()] {
            assert_eq!(
                outbox
                    .quarantine_refused(id, &seqs, "bad_identifier", "no")
                    .unwrap(),
                None
            );
        }
        assert_eq!(
            outbox
                .quarantine_refused(drafts[1].id, &seqs, "bad_identifier", "event.exhibit_id")
                .unwrap(),
            Some(2)
        );
        // An unreadable row too, for the counts.
        outbox
            .conn
            .execute("UPDATE outbox SET body = '{' WHERE seq = 3", [])
            .unwrap();
        assert!(outbox.quarantine(3, "EOF").unwrap());
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.quarantined, stats.refused_events),
            (1, 1, 1)
        );
        let rows = outbox.quarantined().unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.seq, r.refused_as.as_deref()))
                .collect::<Vec<_>>(),
            vec![(2, Some("bad_identifier")), (3, None)]
        );
        assert_eq!(
            rows[0].reason,
            "refused by the server (bad_identifier): event.exhibit_id"
        );
        assert_eq!(
            serde_json::from_str::<EngagementEvent>(&rows[0].body)
                .unwrap()
                .id,
            drafts[1].id,
            "kept as it was stored"
        );
        assert_eq!(outbox.peek(10).unwrap()[0].seq, 1);
    }

    #[test]
    fn a_refused_rollup_is_set_aside_with_its_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        outbox
            .append(&stamp(), &[draft(1), draft(2), draft(3)])
            .unwrap();
        assert_eq!(outbox.roll_up_oldest(10).unwrap(), 3);
        let rows = outbox.claim_rollups(10).unwrap();
        assert_eq!(rows.len(), 1);
        let id = rows[0].rollup_id;
        assert_eq!(
            outbox
                .quarantine_refused_rollup(id, &[], "bad_rollup", "x")
                .unwrap(),
            None,
            "not of the batch"
        );
        assert_eq!(
            outbox
                .quarantine_refused_rollup(id, &[id], "bad_rollup", "x")
                .unwrap(),
            Some(3)
        );
        assert!(outbox.claim_rollups(10).unwrap().is_empty(), "never again");
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.rollup_rows, stats.rollup_events, stats.refused_events),
            (0, 0, 3)
        );
    }

    #[test]
    fn an_outbox_from_before_refusals_gains_the_column_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE quarantine (
                     seq INTEGER PRIMARY KEY, body TEXT NOT NULL, reason TEXT NOT NULL,
                     at_ms INTEGER NOT NULL);
                 INSERT INTO quarantine VALUES (7, '{', 'EOF', 0);",
            )
            .unwrap();
        }
        // Two connections at once, as the writer and the uploader open it.
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Outbox::open(&path).map(|_| ()))
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap();
        }
        let mut outbox = Outbox::open(&path).unwrap();
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.quarantined, stats.refused_events), (1, 0));
        let event = draft(1);
        let seqs = outbox
            .append(&stamp(), std::slice::from_ref(&event))
            .unwrap();
        assert_eq!(
            outbox
                .quarantine_refused(event.id, &seqs, "bad_identifier", "x")
                .unwrap(),
            seqs.first().copied()
        );
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.quarantined, stats.refused_events), (1, 1));
    }

    #[test]
    fn a_full_or_read_only_disk_keeps_events_in_memory_until_writes_work_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let options = OutboxOptions {
            max_in_memory: 300,
            retry_every: Duration::from_millis(20),
            ..OutboxOptions::default()
        };
        let writer = OutboxWriter::spawn_with(&path, stamp(), options).unwrap();
        writer.record(draft(0)).unwrap();
        writer.wait_durable().unwrap();
        // SQLite's own limits stand in for the disk: first no write at all (read-only), then no
        // page may be added (SQLITE_FULL).
        writer.execute("PRAGMA query_only = 1;");
        for n in 1..=200 {
            writer.record(draft(n)).unwrap();
        }
        let err = writer.wait_durable().unwrap_err();
        assert!(
            matches!(err, OutboxError::NotDurable { pending: 200, .. }),
            "{err}"
        );
        let status = writer.status();
        assert_eq!(status.pending_in_memory, 200);
        assert!(
            status.last_error.as_deref().unwrap().contains("readonly"),
            "{status:?}"
        );
        writer.execute("PRAGMA query_only = 0; PRAGMA max_page_count = 1;");
        // 200 held; 100 more fit, 50 beyond the bound of 300 are dropped and counted.
        for n in 201..=350 {
            writer.record(draft(n)).unwrap();
        }
        // The next retry (every 20 ms here) meets the full disk.
        let status = loop {
            writer.flush().unwrap();
            let status = writer.status();
            if status.last_error.as_deref().unwrap().contains("full") {
                break status;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!((status.pending_in_memory, status.dropped), (300, 50));
        writer.execute("PRAGMA max_page_count = 1073741823;");
        let durable = loop {
            match writer.wait_durable() {
                Ok(durable) => break durable,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        assert_eq!((durable.written, durable.dropped), (301, 50));
        assert_eq!(writer.status().last_error, None);
        drop(writer);
        let outbox = Outbox::open(&path).unwrap();
        let events = outbox.peek(1_000).unwrap();
        assert_eq!(events.len(), 301);
        // Written in the order recorded, pages 0..=300; the 50 dropped were the newest.
        let pages: Vec<u32> = events
            .iter()
            .map(|e| match e.event {
                EventKind::StoryPageView { page, .. } => page,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(pages, (0..=300).collect::<Vec<_>>());
    }

    #[test]
    fn roll_up_counts_per_hour_type_and_exhibit_and_skips_events_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let at = |ms: i64, event: EventKind| EventDraft {
            id: Uuid::now_v7(),
            session_id: None,
            occurred_at_ms: ms,
            event,
        };
        let answer = |correct| EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: "q".into(),
            choice_ids: vec![],
            correct,
            value: None,
            answer_ms: 0,
        };
        let hour = ROLLUP_PERIOD_MS;
        let start = EventKind::SessionStart {
            language: "en".into(),
            modes: Default::default(),
        };
        outbox
            .append(
                &stamp(),
                &[
                    at(10 * hour + 5, start.clone()), // in flight below
                    at(10 * hour + 6, answer(true)),
                    at(10 * hour + 7, answer(false)),
                    at(10 * hour + 8, answer(true)),
                    at(11 * hour, answer(true)),
                    at(11 * hour + 1, start.clone()),
                    at(11 * hour + 2, start),
                ],
            )
            .unwrap();
        assert_eq!(outbox.claim(1).unwrap()[0].seq, 1);
        assert_eq!(outbox.roll_up_oldest(5).unwrap(), 5);
        // Seq 1 is in flight, 2..=6 rolled up, 7 left.
        let left: Vec<u64> = outbox.peek(10).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(left, vec![1, 7]);
        let rollups = outbox.claim_rollups(10).unwrap();
        let mut rows: Vec<_> = rollups
            .iter()
            .map(|r| {
                (
                    r.hour_start_ms / hour,
                    r.event_type.as_str(),
                    r.exhibit_id.as_deref(),
                    r.count,
                    r.correct,
                )
            })
            .collect();
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (10, "quiz_answer", Some("quiz"), 3, 2),
                (11, "quiz_answer", Some("quiz"), 1, 1),
                (11, "session_start", None, 1, 0),
            ]
        );
        // A claimed row is never added to: the next roll-up of the same hour makes a new row.
        assert_eq!(outbox.acknowledge(&[1]).unwrap(), 1);
        assert_eq!(outbox.roll_up_oldest(10).unwrap(), 1);
        let more = outbox.claim_rollups(10).unwrap();
        assert_eq!(
            more.len(),
            4,
            "3 taken before, resent until acknowledged, and 1 new"
        );
        let ids: Vec<Uuid> = rollups.iter().map(|r| r.rollup_id).collect();
        assert_eq!(outbox.acknowledge_rollups(&ids).unwrap(), 3);
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.rollup_rows, stats.rollup_events),
            (0, 1, 1)
        );
        assert_eq!(stats.rolled_up_total, 6);
    }
}
