//! The durable on-disk queue of engagement events (SQLite through rusqlite).
//!
//! The kiosk hands events to an [`OutboxWriter`], which returns at once; its own thread commits
//! them in groups with `synchronous=FULL` in WAL mode, so the frame loop never waits on disk and
//! an event is on disk within one group commit (milliseconds). The uploader reads batches in
//! sequence order through its own connection and deletes them only after the server's
//! acknowledgement.

use crate::wire::{EngagementEvent, EventDraft, SCHEMA_VERSION};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use thiserror::Error;
use uuid::Uuid;

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
    #[error("the outbox writer thread has stopped")]
    WriterGone,
    #[error("cannot start the outbox writer thread: {0}")]
    Thread(std::io::Error),
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

/// One connection to the outbox file.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path`.
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| OutboxError::CreateDir {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let sqlite = |source| OutboxError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sqlite)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS outbox (
                 seq  INTEGER PRIMARY KEY,
                 id   TEXT NOT NULL UNIQUE,
                 body TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS meta (
                 key   TEXT PRIMARY KEY,
                 value INTEGER NOT NULL
             );",
        )
        .map_err(sqlite)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn sqlite_error(&self, source: rusqlite::Error) -> OutboxError {
        OutboxError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Stamps and stores `drafts` in one transaction; returns their sequence numbers. Sequence
    /// numbers are never reused, even after the events were delivered and deleted.
    pub fn append(
        &mut self,
        stamp: &EventStamp,
        drafts: &[EventDraft],
    ) -> Result<Vec<u64>, OutboxError> {
        let path = self.path.clone();
        let sqlite = |source| OutboxError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sqlite)?;
        let mut next: u64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'next_seq'", [], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .map_err(sqlite)?
            .map_or(1, |v| u64::try_from(v).unwrap_or(1));
        let mut seqs = Vec::with_capacity(drafts.len());
        {
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO outbox (seq, id, body) VALUES (?1, ?2, ?3)")
                .map_err(sqlite)?;
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
                    .map_err(sqlite)?;
                if inserted == 1 {
                    seqs.push(next);
                    next += 1;
                }
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('next_seq', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![to_i64(next)],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        Ok(seqs)
    }

    /// The oldest `limit` events, in sequence order.
    pub fn peek(&self, limit: usize) -> Result<Vec<EngagementEvent>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?1")
            .map_err(|e| self.sqlite_error(e))?;
        let rows = stmt
            .query_map(params![to_i64(limit as u64)], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.sqlite_error(e))?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, body) = row.map_err(|e| self.sqlite_error(e))?;
            let event = serde_json::from_str(&body).map_err(|source| OutboxError::Corrupt {
                path: self.path.clone(),
                seq,
                source,
            })?;
            events.push(event);
        }
        Ok(events)
    }

    /// Deletes delivered events by sequence number; returns how many were deleted.
    pub fn acknowledge(&mut self, seqs: &[u64]) -> Result<usize, OutboxError> {
        let path = self.path.clone();
        let sqlite = |source| OutboxError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sqlite)?;
        let mut deleted = 0;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM outbox WHERE seq = ?1")
                .map_err(sqlite)?;
            for seq in seqs {
                deleted += delete.execute(params![to_i64(*seq)]).map_err(sqlite)?;
            }
        }
        tx.commit().map_err(sqlite)?;
        Ok(deleted)
    }

    /// Events waiting for delivery.
    pub fn backlog(&self) -> Result<u64, OutboxError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.sqlite_error(e))
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

enum WriterMessage {
    Event(EventDraft),
    /// Reply once everything sent before this message was written (or failed to be).
    Flush(mpsc::Sender<()>),
}

/// Health of the writer, for the staff panel and heartbeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterStatus {
    pub written: u64,
    /// Events held in memory because the last write failed.
    pub pending_in_memory: usize,
    pub last_error: Option<String>,
}

/// Events waiting in memory when the disk refuses writes; beyond this the oldest are dropped
/// (and counted in the status) rather than growing without bound.
const MAX_PENDING_IN_MEMORY: usize = 100_000;
/// How many queued events one group commit takes at most.
const MAX_GROUP: usize = 1_000;

/// Hands events to a background thread that makes them durable; never blocks its caller.
pub struct OutboxWriter {
    sender: Option<mpsc::Sender<WriterMessage>>,
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<WriterStatus>>,
}

impl OutboxWriter {
    /// Opens the outbox (so a broken path is reported here, at start) and starts the thread.
    pub fn spawn(path: &Path, stamp: EventStamp) -> Result<Self, OutboxError> {
        let outbox = Outbox::open(path)?;
        let (sender, receiver) = mpsc::channel();
        let status = Arc::new(Mutex::new(WriterStatus::default()));
        let thread_status = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("outbox-writer".into())
            .spawn(move || writer_loop(outbox, stamp, receiver, thread_status))
            .map_err(OutboxError::Thread)?;
        Ok(Self {
            sender: Some(sender),
            thread: Some(thread),
            status,
        })
    }

    /// Queues an event for writing; returns immediately.
    pub fn record(&self, draft: EventDraft) -> Result<(), OutboxError> {
        self.sender
            .as_ref()
            .ok_or(OutboxError::WriterGone)?
            .send(WriterMessage::Event(draft))
            .map_err(|_| OutboxError::WriterGone)
    }

    /// Waits until every event recorded so far has been written (or its write failed).
    pub fn flush(&self) -> Result<(), OutboxError> {
        let (reply, done) = mpsc::channel();
        self.sender
            .as_ref()
            .ok_or(OutboxError::WriterGone)?
            .send(WriterMessage::Flush(reply))
            .map_err(|_| OutboxError::WriterGone)?;
        done.recv().map_err(|_| OutboxError::WriterGone)
    }

    pub fn status(&self) -> WriterStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
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

fn writer_loop(
    mut outbox: Outbox,
    stamp: EventStamp,
    receiver: mpsc::Receiver<WriterMessage>,
    status: Arc<Mutex<WriterStatus>>,
) {
    let mut pending: Vec<EventDraft> = Vec::new();
    let mut flush_replies: Vec<mpsc::Sender<()>> = Vec::new();
    let mut closed = false;
    while !closed || !pending.is_empty() {
        // Wait for work; while writes are failing, wake up every second to retry.
        let first = if pending.is_empty() {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            receiver.recv_timeout(Duration::from_secs(1))
        };
        match first {
            Ok(message) => take(message, &mut pending, &mut flush_replies),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => closed = true,
        }
        while pending.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(message) => take(message, &mut pending, &mut flush_replies),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        if !pending.is_empty() {
            let result = outbox.append(&stamp, &pending);
            let mut status = status.lock().unwrap_or_else(|p| p.into_inner());
            match result {
                Ok(seqs) => {
                    status.written += seqs.len() as u64;
                    status.last_error = None;
                    pending.clear();
                }
                Err(err) => {
                    tracing::error!("cannot write engagement events: {err}");
                    status.last_error = Some(err.to_string());
                    if pending.len() > MAX_PENDING_IN_MEMORY {
                        let excess = pending.len() - MAX_PENDING_IN_MEMORY;
                        pending.drain(..excess);
                    }
                    if closed {
                        // Shutting down with a disk that refuses writes: nothing more to try.
                        pending.clear();
                    }
                }
            }
            status.pending_in_memory = pending.len();
        }
        for reply in flush_replies.drain(..) {
            let _ = reply.send(());
        }
    }
}

fn take(
    message: WriterMessage,
    pending: &mut Vec<EventDraft>,
    flush_replies: &mut Vec<mpsc::Sender<()>>,
) {
    match message {
        WriterMessage::Event(draft) => pending.push(draft),
        WriterMessage::Flush(reply) => flush_replies.push(reply),
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
        writer.record(draft(999)).unwrap();
        drop(writer); // drop writes what is queued
        assert_eq!(Outbox::open(&path).unwrap().backlog().unwrap(), 251);
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
    }

    #[test]
    fn a_corrupt_row_is_reported_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let mut outbox = Outbox::open(&path).unwrap();
        outbox.append(&stamp(), &[draft(1)]).unwrap();
        outbox
            .conn
            .execute("UPDATE outbox SET body = '{not json'", [])
            .unwrap();
        assert!(matches!(
            outbox.peek(10),
            Err(OutboxError::Corrupt { seq: 1, .. })
        ));
    }
}
