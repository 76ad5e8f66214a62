//! The background uploader: sends outbox batches to the district server and deletes them only
//! after the server acknowledged them.
//!
//! - One thread per outbox, and one uploader per outbox file across processes (an advisory lock
//!   on `<outbox>.uploader-lock`), so a batch is never sent by two senders at once.
//! - Bodies are gzipped JSON (`Content-Encoding: gzip`), batches of up to [`MAX_BATCH`] events in
//!   sequence order, with the kiosk's bearer token.
//! - Retries forever: capped exponential backoff with jitter; `429`/`503` wait as long as
//!   `Retry-After` says (capped); after a connection failure the server's port is probed every
//!   [`UploaderConfig::probe_every`], so delivery resumes within seconds of the network coming
//!   back instead of at the end of a long backoff.
//! - The server ignores ids it already has, so a batch whose acknowledgement was lost is stored
//!   once: at-least-once on the wire, exactly-once in the database.
//! - Roll-ups (hourly counts the outbox made when it reached its size cap) go first, to
//!   [`ROLLUP_PATH`], idempotent by their id in the same way.

use crate::outbox::{Outbox, OutboxError};
use crate::wire::{
    ApiError, EventRollup, INGEST_PATH, IngestRequest, IngestResponse, MAX_BATCH, ROLLUP_PATH,
    RollupRequest,
};
use rand::Rng;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use thiserror::Error;

#[derive(Debug, Clone)]
pub struct UploaderConfig {
    /// Base URL of the server, e.g. `http://127.0.0.1:8480`.
    pub server_url: String,
    pub token: String,
    pub outbox_path: PathBuf,
    pub batch_size: usize,
    /// How often to look for new events when the outbox is empty.
    pub idle_poll: Duration,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    pub connect_timeout: Duration,
    /// Whole request, reply included: a stalled connection is given up after this.
    pub request_timeout: Duration,
    /// Longest `Retry-After` obeyed, so a misconfigured server cannot stop delivery for days.
    pub max_retry_after: Duration,
    /// While backing off after a connection failure, how often to try connecting to the
    /// server's port; a success ends the wait.
    pub probe_every: Duration,
    /// Gzip request bodies. Switched off for the rest of the run when the server answers 415.
    pub gzip: bool,
}

impl UploaderConfig {
    pub fn new(server_url: &str, token: &str, outbox_path: PathBuf) -> Self {
        Self {
            server_url: server_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            outbox_path,
            batch_size: MAX_BATCH,
            idle_poll: Duration::from_millis(500),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(3600),
            probe_every: Duration::from_secs(2),
            gzip: true,
        }
    }

    fn client(&self) -> Result<reqwest::blocking::Client, reqwest::Error> {
        reqwest::blocking::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(concat!("kepu-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
    }
}

#[derive(Debug, Error)]
pub enum UploadError {
    #[error("cannot reach the server: {0}")]
    Network(#[from] reqwest::Error),
    #[error("the server refused the batch ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("the server asked to wait {0:?}")]
    RetryAfter(Duration),
    #[error("the server's acknowledgement does not match the batch: {0}")]
    BadAcknowledgement(String),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("cannot start the uploader thread: {0}")]
    Thread(std::io::Error),
}

/// What one upload attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The outbox was empty.
    Idle,
    /// A batch was acknowledged and deleted.
    Delivered(IngestResponse),
}

/// Health of the uploader, for the staff panel and heartbeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadStatus {
    pub last_success_ms: Option<i64>,
    pub last_error: Option<String>,
    /// Events acknowledged by the server (duplicates included).
    pub delivered: u64,
    /// Raw events waiting in the outbox.
    pub backlog: u64,
    /// Of `delivered`, events the server already had (a resend after a lost reply).
    pub duplicates: u64,
    /// Roll-up rows acknowledged, and the events they count.
    pub rollups_delivered: u64,
    pub rolled_up_events_delivered: u64,
    /// Events counted in roll-ups still waiting for delivery.
    pub rollup_events_pending: u64,
    /// Why the server refused the last roll-ups, until some are accepted (events go on
    /// meanwhile).
    pub rollup_error: Option<String>,
    /// Unreadable outbox rows set aside instead of sent.
    pub quarantined: u64,
    /// Failed attempts since the last success.
    pub consecutive_failures: u32,
    /// Requests sent so far.
    pub requests: u64,
}

/// Sends one batch of events, if there is one, and deletes it after the acknowledgement.
pub fn upload_once(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    outbox: &mut Outbox,
) -> Result<UploadOutcome, UploadError> {
    send_events(client, config, outbox, config.batch_size, config.gzip)
}

fn send_events(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    outbox: &mut Outbox,
    batch_size: usize,
    gzip: bool,
) -> Result<UploadOutcome, UploadError> {
    let events = outbox.claim(batch_size.clamp(1, MAX_BATCH))?;
    if events.is_empty() {
        return Ok(UploadOutcome::Idle);
    }
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let response = post(client, config, INGEST_PATH, &IngestRequest { events }, gzip)?;
    let ack = acknowledgement(config, response, seqs.len())?;
    outbox.acknowledge(&seqs)?;
    Ok(UploadOutcome::Delivered(ack))
}

/// A batch of events claimed and encoded, ready to send.
struct Batch {
    seqs: Vec<u64>,
    body: Vec<u8>,
    gzipped: bool,
}

impl Batch {
    /// The next `limit` events after sequence number `after`. Sent as stored, unless
    /// `validate`: then each is parsed first, so that an unreadable one is found (and set
    /// aside) instead of having the server refuse the whole batch again.
    fn claim(
        outbox: &mut Outbox,
        after: u64,
        limit: usize,
        gzip: bool,
        validate: bool,
    ) -> Result<Self, OutboxError> {
        let limit = limit.clamp(1, MAX_BATCH);
        let (seqs, json) = if validate {
            let events = outbox.claim_after(after, limit)?;
            let seqs = events.iter().map(|e| e.seq).collect();
            // Serialising our own plain data types cannot fail.
            let json = serde_json::to_vec(&IngestRequest { events }).unwrap_or_default();
            (seqs, json)
        } else {
            // The body of an `IngestRequest`, written directly: the stored events are already
            // the JSON the server wants, so parsing and writing them again would be wasted.
            let rows = outbox.claim_stored_after(after, limit)?;
            let mut json =
                Vec::with_capacity(rows.iter().map(|r| r.body.len() + 1).sum::<usize>() + 16);
            json.extend_from_slice(b"{\"events\":[");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    json.push(b',');
                }
                json.extend_from_slice(row.body.as_bytes());
            }
            json.extend_from_slice(b"]}");
            (rows.iter().map(|r| r.seq).collect(), json)
        };
        let (body, gzipped) = match gzip.then(|| gzip_bytes(&json)).flatten() {
            Some(compressed) => (compressed, true),
            None => (json, false),
        };
        Ok(Self {
            seqs,
            body,
            gzipped,
        })
    }
}

/// Sends one batch of roll-up rows, if there are any; returns the acknowledgement and how many
/// events the rows count.
fn send_rollups(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    outbox: &mut Outbox,
    batch_size: usize,
    gzip: bool,
) -> Result<Option<(IngestResponse, u64)>, UploadError> {
    let rollups: Vec<EventRollup> = outbox.claim_rollups(batch_size.clamp(1, MAX_BATCH))?;
    if rollups.is_empty() {
        return Ok(None);
    }
    let ids: Vec<_> = rollups.iter().map(|r| r.rollup_id).collect();
    let events = rollups.iter().map(|r| r.count).sum();
    let response = post(
        client,
        config,
        ROLLUP_PATH,
        &RollupRequest { rollups },
        gzip,
    )?;
    let ack = acknowledgement(config, response, ids.len())?;
    outbox.acknowledge_rollups(&ids)?;
    Ok(Some((ack, events)))
}

fn post(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    path: &str,
    body: &impl Serialize,
    gzip: bool,
) -> Result<reqwest::blocking::Response, reqwest::Error> {
    let (bytes, gzipped) = encode(body, gzip);
    post_bytes(client, config, path, bytes, gzipped)
}

/// The JSON of `body`, gzipped when asked (and possible); says whether it is.
fn encode(body: &impl Serialize, gzip: bool) -> (Vec<u8>, bool) {
    // Serialising our own plain data types cannot fail.
    let json = serde_json::to_vec(body).unwrap_or_default();
    match gzip.then(|| gzip_bytes(&json)).flatten() {
        Some(compressed) => (compressed, true),
        None => (json, false),
    }
}

fn post_bytes(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    path: &str,
    bytes: Vec<u8>,
    gzipped: bool,
) -> Result<reqwest::blocking::Response, reqwest::Error> {
    let mut request = client
        .post(format!("{}{path}", config.server_url))
        .bearer_auth(&config.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if gzipped {
        request = request.header(reqwest::header::CONTENT_ENCODING, "gzip");
    }
    request.body(bytes).send()
}

/// Fast compression: JSON events shrink about tenfold even at the lowest level, and the kiosk's
/// CPU is better spent on its frames.
fn gzip_bytes(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// The server's acknowledgement of a batch of `sent` items; anything else is an error, and the
/// batch stays in the outbox.
fn acknowledgement(
    config: &UploaderConfig,
    response: reqwest::blocking::Response,
    sent: usize,
) -> Result<IngestResponse, UploadError> {
    let status = response.status();
    if status.is_success() {
        let ack: IngestResponse = response.json()?;
        if ack.received != sent as u64 || ack.stored + ack.duplicates != ack.received {
            return Err(UploadError::BadAcknowledgement(format!(
                "sent {sent}, acknowledged {ack:?}"
            )));
        }
        return Ok(ack);
    }
    if (status.as_u16() == 429 || status.as_u16() == 503)
        && let Some(wait) = retry_after(response.headers())
    {
        return Err(UploadError::RetryAfter(wait.min(config.max_retry_after)));
    }
    Err(rejection(response))
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// The server's refusal, with its message when it sent one.
fn rejection(response: reqwest::blocking::Response) -> UploadError {
    let status = response.status();
    let message = response
        .json::<ApiError>()
        .map(|e| {
            if e.detail.is_empty() {
                e.error
            } else {
                e.detail
            }
        })
        .unwrap_or_else(|_| status.canonical_reason().unwrap_or("").to_owned());
    UploadError::Rejected {
        status: status.as_u16(),
        message,
    }
}

/// Checks that the server is reachable and accepts this kiosk's token, by sending an empty
/// batch (nothing is stored). Returns the round-trip time. For the staff panel's "test the
/// server connection".
pub fn check_server(server_url: &str, token: &str) -> Result<Duration, UploadError> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("kepu-kiosk/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let started = std::time::Instant::now();
    let response = client
        .post(format!(
            "{}{}",
            server_url.trim_end_matches('/'),
            INGEST_PATH
        ))
        .bearer_auth(token)
        .json(&IngestRequest { events: Vec::new() })
        .send()?;
    let status = response.status();
    if status.is_success() {
        return Ok(started.elapsed());
    }
    Err(rejection(response))
}

/// The uploader thread; stops (promptly, mid-backoff too) when dropped.
pub struct Uploader {
    /// A message wakes the thread; dropping the sender stops it.
    control: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<UploadStatus>>,
}

impl Uploader {
    pub fn spawn(config: UploaderConfig) -> Result<Self, UploadError> {
        let outbox = Outbox::open(&config.outbox_path)?;
        let client = config.client()?;
        let (control, woken) = mpsc::channel();
        let status = Arc::new(Mutex::new(UploadStatus::default()));
        let thread_status = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("uploader".into())
            .spawn(move || {
                UploadLoop {
                    batch_size: config.batch_size.clamp(1, MAX_BATCH),
                    gzip: config.gzip,
                    client,
                    config,
                    outbox,
                    status: thread_status,
                    failures: 0,
                    last_backlog: None,
                    next: None,
                    delivered: Vec::new(),
                    validate: false,
                    rollups_paused_until: None,
                }
                .run(&woken);
            })
            .map_err(UploadError::Thread)?;
        Ok(Self {
            control: Some(control),
            thread: Some(thread),
            status,
        })
    }

    pub fn status(&self) -> UploadStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Ends the current wait (backoff, idle poll) at once: for "send now", or when the kiosk
    /// learns that the network is back.
    pub fn wake(&self) {
        if let Some(control) = &self.control {
            let _ = control.send(());
        }
    }
}

impl Drop for Uploader {
    fn drop(&mut self) {
        self.control.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Backoff after `failures` consecutive failures: doubling from `first`, capped at `max`, with
/// ±25 % jitter so twenty kiosks coming back after an outage do not all call at once.
pub fn backoff(failures: u32, first: Duration, max: Duration) -> Duration {
    let exponential = first.saturating_mul(1u32 << failures.min(20));
    let capped = exponential.min(max);
    let jitter = rand::rng().random_range(0.75..=1.25);
    capped.mul_f64(jitter).min(max)
}

/// How a wait ended.
enum Waited {
    Elapsed,
    Stop,
}

struct UploadLoop {
    client: reqwest::blocking::Client,
    config: UploaderConfig,
    outbox: Outbox,
    status: Arc<Mutex<UploadStatus>>,
    /// Lowered after a 413, raised again after successes.
    batch_size: usize,
    gzip: bool,
    failures: u32,
    last_backlog: Option<Instant>,
    /// The next batch, claimed and encoded while the server was storing the one before.
    next: Option<Batch>,
    /// Events the server has acknowledged and the outbox has not yet deleted: deleted while
    /// the server works on the next batch.
    delivered: Vec<u64>,
    /// Parse events before sending them: set when the server refused a batch as malformed,
    /// until a batch goes through.
    validate: bool,
    /// After the server refused roll-ups: when to offer them again.
    rollups_paused_until: Option<Instant>,
}

/// What one step did, when it did not fail.
enum Step {
    Idle,
    Events(IngestResponse),
    Rollups(IngestResponse, u64),
    /// An unreadable row was set aside.
    Quarantined,
}

impl UploadLoop {
    fn run(mut self, woken: &mpsc::Receiver<()>) {
        let Ok(_lock) = self.lock(woken) else {
            return;
        };
        loop {
            let result = self.step();
            let (wait, probe) = self.after(result);
            if let Waited::Stop = self.wait(woken, wait, probe) {
                // Not needed for correctness (the server would ignore them), but saves sending
                // them again after a restart.
                let _ = self.forget_delivered();
                return;
            }
        }
    }

    /// Takes the outbox's uploader lock, waiting while another uploader (another process, or a
    /// second `Uploader` here) holds it; `Err(Waited::Stop)` when asked to stop meanwhile. The
    /// lock is released when the returned file is closed, or by the system when the process
    /// dies. Where no lock can be had at all (a read-only folder), goes on without one (`None`)
    /// rather than not at all.
    fn lock(&self, woken: &mpsc::Receiver<()>) -> Result<Option<std::fs::File>, Waited> {
        let mut name = self.config.outbox_path.as_os_str().to_owned();
        name.push(".uploader-lock");
        let file = match std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(name))
        {
            Ok(file) => file,
            Err(err) => {
                tracing::warn!("cannot create the uploader lock file: {err}");
                return Ok(None);
            }
        };
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) => {
                    self.set_error("another uploader is sending this outbox's events".into());
                    if let Waited::Stop = self.wait(woken, self.config.idle_poll, false) {
                        return Err(Waited::Stop);
                    }
                }
                Err(std::fs::TryLockError::Error(err)) => {
                    tracing::warn!("cannot lock the uploader lock file: {err}");
                    return Ok(None);
                }
            }
        }
    }

    /// Sends one batch: roll-ups first (they stand for the oldest events), then events.
    fn step(&mut self) -> Result<Step, UploadError> {
        let rollups_due = self
            .rollups_paused_until
            .is_none_or(|until| Instant::now() >= until);
        if rollups_due {
            match send_rollups(
                &self.client,
                &self.config,
                &mut self.outbox,
                self.batch_size,
                self.gzip,
            ) {
                Ok(Some((ack, events))) => {
                    self.rollups_paused_until = None;
                    return Ok(Step::Rollups(ack, events));
                }
                Ok(None) => {}
                // A server from before roll-ups (404), or one that refuses these rows: they
                // stay in the outbox and are tried again after a pause, reported meanwhile,
                // but they never hold up the events. (413 and 415 are handled like events'.)
                Err(UploadError::Rejected { status, message }) if !matches!(status, 413 | 415) => {
                    let problem = format!("the server refused roll-ups ({status}): {message}");
                    tracing::warn!("{problem}");
                    self.set_rollup_error(Some(problem));
                    self.rollups_paused_until = Some(Instant::now() + self.config.max_backoff);
                }
                Err(err) => return Err(err),
            }
        }
        self.send_events_pipelined()
    }

    /// Sends the next batch of events. While the server stores it, this thread deletes the
    /// batch acknowledged before and claims and encodes the next one, so that kiosk and server
    /// work at the same time. Still one request at a time, in sequence order: the next batch
    /// is sent only after this one was acknowledged, and thrown away (it stays in the outbox)
    /// if this one fails.
    fn send_events_pipelined(&mut self) -> Result<Step, UploadError> {
        let batch = match self.next.take() {
            Some(batch) => batch,
            None => {
                self.forget_delivered()?;
                Batch::claim(
                    &mut self.outbox,
                    0,
                    self.batch_size,
                    self.gzip,
                    self.validate,
                )?
            }
        };
        let Some(&last) = batch.seqs.last() else {
            self.forget_delivered()?;
            return Ok(Step::Idle);
        };
        let previous = std::mem::take(&mut self.delivered);
        let Batch {
            seqs,
            body,
            gzipped,
        } = batch;
        let count = seqs.len();
        let (client, config, outbox) = (&self.client, &self.config, &mut self.outbox);
        let (batch_size, gzip, validate) = (self.batch_size, self.gzip, self.validate);
        let (sent, forgotten, next) = std::thread::scope(|scope| {
            let sender = scope.spawn(move || {
                let response = post_bytes(client, config, INGEST_PATH, body, gzipped)?;
                acknowledgement(config, response, count)
            });
            let forgotten = if previous.is_empty() {
                Ok(0)
            } else {
                outbox.acknowledge(&previous)
            };
            let next = Batch::claim(outbox, last, batch_size, gzip, validate);
            let sent = sender.join().unwrap_or_else(|_| {
                Err(UploadError::BadAcknowledgement(
                    "the sending thread panicked".into(),
                ))
            });
            (sent, forgotten, next)
        });
        if let Err(err) = forgotten {
            // They stay in the outbox and are sent again later; the server ignores them.
            tracing::error!("cannot delete delivered events from the outbox: {err}");
            self.delivered = previous;
        }
        let ack = sent?;
        self.delivered.extend(seqs);
        // An unreadable row in the next batch is met again, and dealt with, when the next
        // step claims it without this shortcut.
        self.next = next.ok();
        Ok(Step::Events(ack))
    }

    /// Deletes what the server has acknowledged.
    fn forget_delivered(&mut self) -> Result<(), OutboxError> {
        if !self.delivered.is_empty() {
            self.outbox.acknowledge(&self.delivered)?;
            self.delivered.clear();
        }
        Ok(())
    }

    /// Records the result; returns how long to wait before the next step and whether to probe
    /// the server's port meanwhile.
    fn after(&mut self, result: Result<Step, UploadError>) -> (Duration, bool) {
        // Disk work first, outside the status lock: the staff panel reads the status from the
        // frame loop, which must never wait on disk.
        let result = match result {
            Err(UploadError::Outbox(OutboxError::Corrupt { seq, source, .. })) => {
                // One unreadable row must not stop every later one: set it aside, kept.
                tracing::error!("outbox event {seq} is unreadable, set aside: {source}");
                self.outbox
                    .quarantine(seq, &source.to_string())
                    .map(|_| Step::Quarantined)
                    .map_err(UploadError::Outbox)
            }
            other => other,
        };
        let idle = matches!(result, Ok(Step::Idle));
        // Counting the backlog reads the whole table: at most four times a second.
        let due = self
            .last_backlog
            .is_none_or(|at| at.elapsed() >= Duration::from_millis(250));
        let stats = if idle || due {
            self.last_backlog = Some(Instant::now());
            self.outbox.stats().ok()
        } else {
            None
        };
        if result.is_err() {
            // Prepared with the old batch size or encoding, or after a batch that failed.
            self.next = None;
        }

        let shared = Arc::clone(&self.status);
        let mut status = shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(stats) = stats {
            status.backlog = stats.backlog;
            status.rollup_events_pending = stats.rollup_events;
        }
        if !matches!(
            result,
            Ok(Step::Idle | Step::Quarantined) | Err(UploadError::Outbox(_))
        ) {
            status.requests += 1;
        }
        match result {
            Ok(step) => {
                self.failures = 0;
                status.consecutive_failures = 0;
                status.last_error = None;
                // Back to full batches once a reduced one got through.
                self.batch_size =
                    (self.batch_size * 2).min(self.config.batch_size.clamp(1, MAX_BATCH));
                match step {
                    Step::Idle => (self.config.idle_poll, false),
                    Step::Events(ack) => {
                        self.validate = false;
                        status.delivered += ack.received;
                        status.duplicates += ack.duplicates;
                        status.last_success_ms = Some(crate::now_unix_ms());
                        (Duration::ZERO, false)
                    }
                    Step::Rollups(ack, events) => {
                        status.rollup_error = None;
                        status.rollups_delivered += ack.received;
                        status.rolled_up_events_delivered += events;
                        status.last_success_ms = Some(crate::now_unix_ms());
                        (Duration::ZERO, false)
                    }
                    Step::Quarantined => {
                        status.quarantined += 1;
                        (Duration::ZERO, false)
                    }
                }
            }
            Err(UploadError::Rejected { status: 413, .. }) if self.batch_size > 1 => {
                self.batch_size /= 2;
                tracing::warn!(
                    "the server refused a batch as too large; sending {} at a time",
                    self.batch_size
                );
                (Duration::ZERO, false)
            }
            Err(UploadError::Rejected { status: 415, .. }) if self.gzip => {
                tracing::warn!("the server does not accept gzip; sending uncompressed");
                self.gzip = false;
                (Duration::ZERO, false)
            }
            Err(err @ UploadError::Rejected { status: 422, .. }) => {
                // Perhaps a damaged row: the next attempts parse each event first.
                self.validate = true;
                self.failed(&mut status, err)
            }
            Err(UploadError::RetryAfter(wait)) => {
                self.failures = self.failures.saturating_add(1);
                status.consecutive_failures = self.failures;
                status.last_error = Some(format!("server busy, retrying in {wait:?}"));
                (wait, false)
            }
            Err(err) => self.failed(&mut status, err),
        }
    }

    fn failed(&mut self, status: &mut UploadStatus, err: UploadError) -> (Duration, bool) {
        if self.failures == 0 {
            tracing::warn!("upload failed: {err}");
        }
        self.failures = self.failures.saturating_add(1);
        status.consecutive_failures = self.failures;
        status.last_error = Some(err.to_string());
        // Probing only helps when the server was unreachable: a server that answers with
        // errors would pass the probe at once and defeat the backoff.
        let probe = matches!(&err, UploadError::Network(e) if e.is_connect());
        (
            backoff(
                self.failures - 1,
                self.config.first_backoff,
                self.config.max_backoff,
            ),
            probe,
        )
    }

    fn set_rollup_error(&self, problem: Option<String>) {
        let mut status = self
            .status
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        status.rollup_error = problem;
    }

    fn set_error(&self, message: String) {
        let mut status = self
            .status
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        status.last_error = Some(message);
    }

    /// Waits `wait`, or less: a wake-up message ends it, and with `probe` so does a successful
    /// connection to the server's port.
    fn wait(&self, woken: &mpsc::Receiver<()>, wait: Duration, probe: bool) -> Waited {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = if probe {
                left.min(self.config.probe_every)
            } else {
                left
            };
            match woken.recv_timeout(slice) {
                Ok(()) => return Waited::Elapsed,
                Err(RecvTimeoutError::Disconnected) => return Waited::Stop,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() >= deadline || (probe && self.server_port_open()) {
                return Waited::Elapsed;
            }
        }
    }

    /// Whether a TCP connection to the server's host and port succeeds (nothing is sent).
    fn server_port_open(&self) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.config.server_url) else {
            return false;
        };
        let Ok(addresses) = url.socket_addrs(|| None) else {
            return false;
        };
        let timeout = self.config.connect_timeout.min(Duration::from_secs(1));
        addresses
            .iter()
            .any(|address| std::net::TcpStream::connect_timeout(address, timeout).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let first = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        for failures in 0..40 {
            let wait = backoff(failures, first, max);
            let base = first.saturating_mul(1u32 << failures.min(20)).min(max);
            assert!(
                wait >= base.mul_f64(0.75) && wait <= max,
                "{failures}: {wait:?}"
            );
        }
        assert!(backoff(30, first, max) <= max);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let soon = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(
            reqwest::header::RETRY_AFTER,
            httpdate::fmt_http_date(soon).parse().unwrap(),
        );
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn gzip_bodies_decode_to_the_json() {
        use std::io::Read;
        let json = br#"{"events":[]}"#.repeat(100);
        let compressed = gzip_bytes(&json).unwrap();
        assert!(compressed.len() < json.len() / 5);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, json);
    }

    #[test]
    fn an_unreachable_server_keeps_the_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let mut outbox = Outbox::open(&path).unwrap();
        let stamp = crate::outbox::EventStamp::for_this_boot("k", "0");
        outbox
            .append(
                &stamp,
                &[crate::wire::EventDraft::now(
                    None,
                    crate::wire::EventKind::LanguageChange {
                        language: "en".into(),
                    },
                )],
            )
            .unwrap();
        // Port 9 on loopback: nothing listens there.
        let config = UploaderConfig::new("http://127.0.0.1:9", "token", path);
        let client = reqwest::blocking::Client::new();
        let err = upload_once(&client, &config, &mut outbox).unwrap_err();
        assert!(matches!(err, UploadError::Network(_)), "{err}");
        assert_eq!(outbox.backlog().unwrap(), 1);
    }
}
