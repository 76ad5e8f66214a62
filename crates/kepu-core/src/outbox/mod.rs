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
//! [`EventRollup`](crate::wire::EventRollup)) instead of being dropped, down to 90 % of the
//! cap. Roll-ups are delivered too, so the server's totals still equal what the kiosk recorded.
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
//!
//! **Files.** `store.rs`: [`Outbox`], one connection (schema, append, claim, acknowledge,
//! figures); `quarantine.rs`: rows set aside; `rollup.rs`: the size cap and its hourly counts;
//! `recovery.rs`: a damaged file at start; `writer.rs`: [`OutboxWriter`] and its thread.

mod quarantine;
mod recovery;
mod rollup;
mod store;
mod writer;

pub use store::Outbox;
pub use writer::{Durable, OutboxOptions, OutboxWriter, WriterStatus};

use rusqlite::ErrorCode;
use std::path::PathBuf;
use thiserror::Error;
use uuid::Uuid;

/// Default size cap of the outbox: 500 MB of events before the oldest are rolled up.
pub const DEFAULT_MAX_BYTES: u64 = 500_000_000;
/// Default bound of events held in memory while the disk refuses writes.
pub const DEFAULT_MAX_IN_MEMORY: usize = 100_000;
/// How many queued events one group commit takes at most: bounds how long one commit takes, and
/// so how long the next event waits for its own.
pub const MAX_GROUP: usize = 1_000;

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

/// What the unit tests of every file of the outbox store: story page views, one kiosk.
#[cfg(test)]
mod test_support {
    use super::EventStamp;
    use crate::wire::{EventDraft, EventKind};
    use uuid::Uuid;

    pub(super) fn draft(n: u32) -> EventDraft {
        EventDraft::now(
            Some(Uuid::new_v4()),
            EventKind::StoryPageView {
                exhibit_id: "story".into(),
                page: n,
            },
        )
    }

    pub(super) fn stamp() -> EventStamp {
        EventStamp::for_this_boot("kiosk-test", "0.0.0")
    }
}
