//! [`OutboxWriter`]: the kiosk's handle, which never blocks, and the thread that makes events
//! durable (group commits, a bounded memory buffer while the disk refuses writes, one roll-up
//! step between two commits).

use super::{
    DEFAULT_MAX_BYTES, DEFAULT_MAX_IN_MEMORY, EventStamp, MAX_GROUP, Outbox, OutboxError,
    OutboxRecovery, OutboxStats,
};
use crate::wire::EventDraft;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
    use super::super::test_support::{draft, stamp};
    use super::*;
    use crate::wire::EventKind;

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
}
