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
//! - An event the server refuses never blocks the queue: the server refuses a whole batch for
//!   one bad event (422) and names it (`ApiError::rejected_event`); that event is set aside in
//!   the outbox's quarantine with the server's reason (kept on disk, never sent again, counted
//!   in [`UploadStatus::refused_by_server`]) and the rest of the batch goes again at once. A
//!   roll-up row the server names is set aside in the same way. A 400, or a 422 naming nothing
//!   of the batch (a server from before schema checks), makes the next attempts parse every
//!   event first, so that a damaged row is found here and set aside. 401 and 403 (a revoked
//!   kiosk) are retried with the usual backoff: nothing is ever dropped for them.

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
    Rejected {
        status: u16,
        message: String,
        /// On a 422, the one event or roll-up that made the server refuse the batch, when the
        /// server names it (servers from before schema checks do not).
        refused: Option<Refusal>,
    },
    #[error("the server asked to wait {0:?}")]
    RetryAfter(Duration),
    #[error("the server's acknowledgement does not match the batch: {0}")]
    BadAcknowledgement(String),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("cannot start the uploader thread: {0}")]
    Thread(std::io::Error),
}

/// The item the server named when it refused a batch with 422 (`ApiError::rejected_event`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The event's `id`, or the roll-up's `rollup_id`.
    pub id: uuid::Uuid,
    /// The rule it broke, as the server's code (`bad_identifier`, ...; `ApiError::error`).
    pub reason: String,
    /// The server's words (`ApiError::detail`).
    pub detail: String,
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
    /// Unreadable outbox rows set aside instead of sent (found here, by parsing them).
    pub quarantined: u64,
    /// Events the server refused (a 422 naming one of the batch), set aside in the outbox's
    /// quarantine with the server's reason: kept on disk, never sent again. Not counted in
    /// `quarantined`. Since this uploader started; the outbox's
    /// [`OutboxStats::refused_events`](crate::outbox::OutboxStats::refused_events) counts
    /// every run.
    pub refused_by_server: u64,
    /// Roll-up rows the server refused, set aside in the same way, and the events they count.
    pub rollups_refused: u64,
    pub refused_rollup_events: u64,
    /// Failed attempts since the last success.
    pub consecutive_failures: u32,
    /// Requests sent so far.
    pub requests: u64,
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
    ///
    /// Events are not run through `wire::check::check_event` here before they are sent, to
    /// set aside at once what the server would refuse. The server is the authority on its
    /// rules, and this copy of them is the one the kiosk was built with: a kiosk newer than its
    /// server would set aside events that server still takes (lost for nothing), an older one
    /// passes events its server refuses anyway (and is then told which). The kiosk's own
    /// validation (manifests, kiosk.toml) already keeps it from making such events, so a
    /// refusal is rare and costs one request; checking would cost parsing every event of every
    /// batch, which sending the stored JSON as it is exists to avoid.
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

/// Sends one batch of roll-up rows, if there are any: [`Step::Rollups`] with the
/// acknowledgement and how many events the rows count, or [`Step::RollupRefused`] when the
/// server refused the batch naming one of its rows, which is then set aside.
fn send_rollups(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    outbox: &mut Outbox,
    batch_size: usize,
    gzip: bool,
) -> Result<Option<Step>, UploadError> {
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
    match acknowledgement(config, response, ids.len()) {
        Ok(ack) => {
            outbox.acknowledge_rollups(&ids)?;
            Ok(Some(Step::Rollups(ack, events)))
        }
        Err(UploadError::Rejected {
            status: 422,
            message,
            refused: Some(refusal),
        }) => {
            // The other rows stay claimed, so they are the next ones offered, at once.
            match outbox.quarantine_refused_rollup(
                refusal.id,
                &ids,
                &refusal.reason,
                &refusal.detail,
            )? {
                Some(events) => Ok(Some(Step::RollupRefused { refusal, events })),
                None => Err(UploadError::Rejected {
                    status: 422,
                    message,
                    refused: Some(refusal),
                }),
            }
        }
        Err(err) => Err(err),
    }
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

/// The server's refusal, with its message when it sent one, and on a 422 the item it named.
fn rejection(response: reqwest::blocking::Response) -> UploadError {
    let status = response.status();
    let Ok(body) = response.json::<ApiError>() else {
        return UploadError::Rejected {
            status: status.as_u16(),
            message: status.canonical_reason().unwrap_or("").to_owned(),
            refused: None,
        };
    };
    let message = if body.detail.is_empty() {
        body.error.clone()
    } else {
        body.detail.clone()
    };
    let refused = body
        .rejected_event
        .filter(|_| status == reqwest::StatusCode::UNPROCESSABLE_ENTITY)
        .map(|id| Refusal {
            id,
            reason: body.error,
            detail: body.detail,
        });
    UploadError::Rejected {
        status: status.as_u16(),
        message,
        refused,
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
    /// The server refused the batch because of this event, which was set aside; the rest of
    /// the batch goes again at once.
    Refused {
        seq: u64,
        refusal: Refusal,
    },
    /// The same for a roll-up row, which counts `events` events.
    RollupRefused {
        refusal: Refusal,
        events: u64,
    },
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
                Ok(Some(step)) => {
                    self.rollups_paused_until = None;
                    return Ok(step);
                }
                Ok(None) => {}
                // A server from before roll-ups (404), or one that refuses these rows: they
                // stay in the outbox and are tried again after a pause, reported meanwhile,
                // but they never hold up the events. (413 and 415 are handled like events'.)
                Err(UploadError::Rejected {
                    status, message, ..
                }) if !matches!(status, 413 | 415) => {
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
        let ack = match sent {
            Ok(ack) => ack,
            Err(UploadError::Rejected {
                status: 422,
                message,
                refused: Some(refusal),
            }) => {
                // The next batch starts after this one, whose other events go first.
                self.next = None;
                return match self.outbox.quarantine_refused(
                    refusal.id,
                    &seqs,
                    &refusal.reason,
                    &refusal.detail,
                )? {
                    Some(seq) => Ok(Step::Refused { seq, refusal }),
                    // Not an event of this batch: as a refusal that names none.
                    None => Err(UploadError::Rejected {
                        status: 422,
                        message,
                        refused: Some(refusal),
                    }),
                };
            }
            Err(err) => return Err(err),
        };
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
                    Step::Refused { seq, refusal } => {
                        tracing::warn!(
                            "the server refused event {seq} ({}), set aside: {}",
                            refusal.reason,
                            refusal.detail
                        );
                        status.refused_by_server += 1;
                        (Duration::ZERO, false)
                    }
                    Step::RollupRefused { refusal, events } => {
                        tracing::warn!(
                            "the server refused roll-up {} ({events} events, {}), set aside: {}",
                            refusal.id,
                            refusal.reason,
                            refusal.detail
                        );
                        status.rollups_refused += 1;
                        status.refused_rollup_events += events;
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
            Err(
                err @ UploadError::Rejected {
                    status: 400 | 422, ..
                },
            ) => {
                // Malformed (400; servers from before schema checks said 422 for it too), or
                // refused without naming an event of the batch: perhaps a damaged row, so the
                // next attempts parse each event first.
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
        // Port 9 on loopback: nothing listens there. The uploader's own thread, as on a kiosk.
        let uploader =
            Uploader::spawn(UploaderConfig::new("http://127.0.0.1:9", "token", path)).unwrap();
        let status = wait_for(&uploader, "a failed attempt", |s| {
            s.consecutive_failures > 0
        });
        // `UploadError::Network`, as the status reports it.
        let expected = "cannot reach the server: ";
        assert!(
            status.last_error.as_deref().unwrap().starts_with(expected),
            "{status:?}"
        );
        assert_eq!(status.delivered, 0);
        drop(uploader);
        assert_eq!(outbox.backlog().unwrap(), 1);
    }

    // -----------------------------------------------------------------------------------------
    // Against a scripted server: what each of the server's answers makes the uploader do.

    use crate::outbox::EventStamp;
    use crate::wire::{EventDraft, EventKind};
    use std::io::{BufRead, BufReader, Read};

    /// One request as the scripted server saw it: when, the path, the JSON body (`None`: not
    /// JSON).
    type Seen = (Instant, String, Option<serde_json::Value>);

    /// An HTTP server on loopback that answers every request with what its script returns for
    /// the path and the (gunzipped) JSON body, and keeps a log of the requests. Each answer
    /// closes the connection, so one request is one connection.
    struct ScriptedServer {
        url: String,
        log: Arc<Mutex<Vec<Seen>>>,
    }

    impl ScriptedServer {
        fn start(
            mut script: impl FnMut(&str, Option<&serde_json::Value>) -> (u16, String) + Send + 'static,
        ) -> Self {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let log = Arc::new(Mutex::new(Vec::new()));
            let seen = Arc::clone(&log);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    let Some((path, body)) = read_request(&stream) else {
                        continue;
                    };
                    let (status, reply) = script(&path, body.as_ref());
                    seen.lock().unwrap().push((Instant::now(), path, body));
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                }
            });
            Self { url, log }
        }

        fn requests(&self) -> Vec<Seen> {
            self.log.lock().unwrap().clone()
        }

        /// The ids of the events of each events request.
        fn event_batches(&self) -> Vec<Vec<String>> {
            self.requests()
                .iter()
                .filter(|(_, path, _)| path == INGEST_PATH)
                .map(|(_, _, body)| ids(body.as_ref(), "events", "id"))
                .collect()
        }
    }

    fn read_request(stream: &std::net::TcpStream) -> Option<(String, Option<serde_json::Value>)> {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let path = line.split_whitespace().nth(1)?.to_owned();
        let (mut length, mut gzipped) = (0, false);
        loop {
            line.clear();
            reader.read_line(&mut line).ok()?;
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse().ok()?;
            }
            gzipped |= header == "content-encoding: gzip";
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        if gzipped {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .ok()?;
            body = plain;
        }
        Some((path, serde_json::from_slice(&body).ok()))
    }

    /// `body[list][i][field]` for every item of the list.
    fn ids(body: Option<&serde_json::Value>, list: &str, field: &str) -> Vec<String> {
        body.and_then(|b| b[list].as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item[field].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn ack(n: usize) -> (u16, String) {
        let n = n as u64;
        let ack = IngestResponse {
            received: n,
            stored: n,
            duplicates: 0,
        };
        (200, serde_json::to_string(&ack).unwrap())
    }

    fn error_body(status: u16, error: &str, rejected_event: Option<uuid::Uuid>) -> (u16, String) {
        let body = ApiError {
            error: error.to_owned(),
            detail: format!("the server's words about {error}"),
            rejected_event,
        };
        (status, serde_json::to_string(&body).unwrap())
    }

    /// An outbox holding `n` events (story page views, pages 1..=n); returns their ids.
    fn outbox_with(path: &std::path::Path, n: u32) -> Vec<uuid::Uuid> {
        let drafts: Vec<EventDraft> = (1..=n)
            .map(|page| {
                EventDraft::now(
                    Some(uuid::Uuid::new_v4()),
                    EventKind::StoryPageView {
                        exhibit_id: "story".into(),
                        page,
                    },
                )
            })
            .collect();
        Outbox::open(path)
            .unwrap()
            .append(&EventStamp::for_this_boot("k", "0.1.0"), &drafts)
            .unwrap();
        drafts.iter().map(|d| d.id).collect()
    }

    /// Short waits, except `first_backoff`.
    fn scripted_config(
        url: &str,
        outbox: &std::path::Path,
        first_backoff: Duration,
    ) -> UploaderConfig {
        let mut config = UploaderConfig::new(url, "token", outbox.to_path_buf());
        config.idle_poll = Duration::from_millis(10);
        config.first_backoff = first_backoff;
        config.max_backoff = first_backoff.max(Duration::from_millis(400));
        config.request_timeout = Duration::from_secs(5);
        config
    }

    fn wait_for(
        uploader: &Uploader,
        what: &str,
        done: impl Fn(&UploadStatus) -> bool,
    ) -> UploadStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = uploader.status();
            if done(&status) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {status:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn an_event_the_server_refuses_is_set_aside_and_the_rest_of_its_batch_sent_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let ids = outbox_with(&path, 5);
        let bad = ids[2];
        let server = ScriptedServer::start(move |_, body| {
            let batch = ids_of_events(body);
            if batch.contains(&bad.to_string()) {
                error_body(422, "bad_identifier", Some(bad))
            } else {
                ack(batch.len())
            }
        });
        // A backoff would take at least 22 s: the test would time out.
        let config = scripted_config(&server.url, &path, Duration::from_secs(30));
        let uploader = Uploader::spawn(config).unwrap();
        let status = wait_for(&uploader, "the four others", |s| s.delivered == 4);
        drop(uploader);

        assert_eq!(
            (status.refused_by_server, status.quarantined),
            (1, 0),
            "{status:?}"
        );
        assert_eq!(status.last_error, None);
        assert_eq!(status.consecutive_failures, 0);
        let batches = server.event_batches();
        assert_eq!(batches.len(), 2, "{batches:?}");
        assert_eq!(batches[0].len(), 5);
        let others: Vec<String> = ids_without(&ids, bad);
        assert_eq!(
            batches[1], others,
            "the others, in order, without the refused one"
        );
        let outbox = Outbox::open(&path).unwrap();
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.quarantined, stats.refused_events),
            (0, 0, 1)
        );
        let set_aside = outbox.quarantined().unwrap();
        assert_eq!(set_aside.len(), 1);
        assert_eq!(set_aside[0].seq, 3);
        assert_eq!(set_aside[0].refused_as.as_deref(), Some("bad_identifier"));
        assert!(
            set_aside[0]
                .reason
                .contains("the server's words about bad_identifier"),
            "{:?}",
            set_aside[0]
        );
        assert!(
            set_aside[0].body.contains(&bad.to_string()),
            "kept as it was"
        );
    }

    fn ids_of_events(body: Option<&serde_json::Value>) -> Vec<String> {
        ids(body, "events", "id")
    }

    fn ids_without(ids: &[uuid::Uuid], left_out: uuid::Uuid) -> Vec<String> {
        ids.iter()
            .filter(|id| **id != left_out)
            .map(|id| id.to_string())
            .collect()
    }

    #[test]
    fn a_refusal_naming_no_event_of_the_batch_backs_off_and_sets_nothing_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        outbox_with(&path, 3);
        let mut answers = vec![
            // Names an event that is not in the batch (this kiosk never made it).
            error_body(422, "bad_identifier", Some(uuid::Uuid::new_v4())),
            // A server from before schema checks: 422 for an unknown field, no event named.
            error_body(422, "invalid", None),
        ]
        .into_iter();
        let server = ScriptedServer::start(move |_, body| {
            answers
                .next()
                .unwrap_or_else(|| ack(ids_of_events(body).len()))
        });
        let first = Duration::from_millis(100);
        let uploader = Uploader::spawn(scripted_config(&server.url, &path, first)).unwrap();
        let status = wait_for(&uploader, "delivery", |s| s.delivered == 3);
        drop(uploader);

        assert_eq!(
            (status.refused_by_server, status.quarantined),
            (0, 0),
            "{status:?}"
        );
        let times: Vec<Instant> = server.requests().iter().map(|r| r.0).collect();
        assert_eq!(times.len(), 3);
        // 100 ms then 200 ms, less a quarter at most for the jitter.
        assert!(
            times[1] - times[0] >= first.mul_f64(0.75),
            "{:?}",
            times[1] - times[0]
        );
        assert!(
            times[2] - times[1] >= first.mul_f64(1.5),
            "{:?}",
            times[2] - times[1]
        );
        let stats = Outbox::open(&path).unwrap().stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.quarantined, stats.refused_events),
            (0, 0, 0)
        );
    }

    #[test]
    fn a_malformed_batch_makes_the_uploader_find_and_set_aside_the_damaged_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let ids = outbox_with(&path, 3);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("UPDATE outbox SET body = '{\"id\": 1' WHERE seq = 2", [])
            .unwrap();
        // What this server says to a body that is not JSON: 400.
        let server = ScriptedServer::start(|_, body| match body {
            Some(body) => ack(ids_of_events(Some(body)).len()),
            None => error_body(400, "bad_request", None),
        });
        let config = scripted_config(&server.url, &path, Duration::from_millis(20));
        let uploader = Uploader::spawn(config).unwrap();
        let status = wait_for(&uploader, "delivery", |s| s.delivered == 2);
        drop(uploader);

        assert_eq!(
            (status.quarantined, status.refused_by_server),
            (1, 0),
            "{status:?}"
        );
        let batches = server.event_batches();
        assert_eq!(
            batches.last().unwrap(),
            &ids_without(&[ids[0], ids[2]], uuid::Uuid::nil())
        );
        let stats = Outbox::open(&path).unwrap().stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.quarantined, stats.refused_events),
            (0, 1, 0)
        );
    }

    #[test]
    fn unauthorized_and_revoked_are_retried_with_backoff_and_drop_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        outbox_with(&path, 4);
        let mut answers = vec![
            error_body(401, "unauthorized", None),
            error_body(403, "forbidden", None),
            error_body(403, "forbidden", None),
        ]
        .into_iter();
        let server = ScriptedServer::start(move |_, body| {
            answers
                .next()
                .unwrap_or_else(|| ack(ids_of_events(body).len()))
        });
        let first = Duration::from_millis(40);
        let uploader = Uploader::spawn(scripted_config(&server.url, &path, first)).unwrap();
        let revoked = wait_for(&uploader, "the first 403", |s| s.consecutive_failures >= 2);
        assert!(
            revoked
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("403")),
            "{revoked:?}"
        );
        let status = wait_for(&uploader, "delivery", |s| s.delivered == 4);
        drop(uploader);

        let times: Vec<Instant> = server.requests().iter().map(|r| r.0).collect();
        assert_eq!(
            times.len(),
            4,
            "one request per attempt, all the same batch"
        );
        for (i, pair) in times.windows(2).enumerate() {
            let least = first.saturating_mul(1 << i).mul_f64(0.75);
            assert!(
                pair[1] - pair[0] >= least,
                "wait {i}: {:?}",
                pair[1] - pair[0]
            );
        }
        assert_eq!(
            (status.quarantined, status.refused_by_server),
            (0, 0),
            "{status:?}"
        );
        assert_eq!(Outbox::open(&path).unwrap().stats().unwrap().backlog, 0);
    }

    #[test]
    fn a_roll_up_the_server_refuses_is_set_aside_and_the_others_sent_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let hour = crate::wire::ROLLUP_PERIOD_MS;
        // Three hours of events, rolled up: three rows.
        let drafts: Vec<EventDraft> = (0..9)
            .map(|n| EventDraft {
                id: uuid::Uuid::now_v7(),
                session_id: Some(uuid::Uuid::new_v4()),
                occurred_at_ms: 1_700_000_000_000 / hour * hour + (n / 3) * hour,
                event: EventKind::ExhibitOpen {
                    exhibit_id: "story".into(),
                },
            })
            .collect();
        let mut outbox = Outbox::open(&path).unwrap();
        outbox
            .append(&EventStamp::for_this_boot("k", "0.1.0"), &drafts)
            .unwrap();
        assert_eq!(outbox.roll_up_oldest(100).unwrap(), 9);
        assert_eq!(outbox.stats().unwrap().rollup_rows, 3);
        drop(outbox);
        let refused: Arc<Mutex<Option<String>>> = Arc::default();
        let named = Arc::clone(&refused);
        let server = ScriptedServer::start(move |path, body| {
            if path != ROLLUP_PATH {
                return ack(ids_of_events(body).len());
            }
            let rows = ids(body, "rollups", "rollup_id");
            let mut named = named.lock().unwrap();
            let bad = named.get_or_insert_with(|| rows[1].clone());
            if rows.contains(bad) {
                error_body(422, "bad_rollup", Some(bad.parse().unwrap()))
            } else {
                ack(rows.len())
            }
        });
        let config = scripted_config(&server.url, &path, Duration::from_secs(30));
        let uploader = Uploader::spawn(config).unwrap();
        let status = wait_for(&uploader, "the other roll-ups", |s| {
            s.rollups_delivered == 2
        });
        drop(uploader);

        assert_eq!(
            (
                status.rollups_refused,
                status.refused_rollup_events,
                status.rolled_up_events_delivered
            ),
            (1, 3, 6),
            "{status:?}"
        );
        assert_eq!(status.rollup_error, None);
        let rollup_requests = server
            .requests()
            .iter()
            .filter(|(_, path, _)| path == ROLLUP_PATH)
            .count();
        assert_eq!(
            rollup_requests, 2,
            "refused once, then the other two at once"
        );
        let stats = Outbox::open(&path).unwrap().stats().unwrap();
        assert_eq!((stats.rollup_rows, stats.refused_events), (0, 3));
        let kept: (String, String) = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT rollup_id, refused_as FROM rollup_quarantine",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            kept,
            (
                refused.lock().unwrap().clone().unwrap(),
                "bad_rollup".to_owned()
            )
        );
    }
}
