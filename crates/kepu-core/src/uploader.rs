//! The background uploader: sends outbox batches to the district server and deletes them only
//! after the server acknowledged them. Retries forever with capped, jittered exponential backoff;
//! the server ignores ids it already has, so a batch sent twice is stored once.

use crate::outbox::{Outbox, OutboxError};
use crate::wire::{ApiError, INGEST_PATH, IngestRequest, IngestResponse, MAX_BATCH};
use rand::Rng;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
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
        }
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
    #[error(transparent)]
    Outbox(#[from] OutboxError),
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
    pub delivered: u64,
    pub backlog: u64,
}

/// Sends one batch, if there is one, and deletes it after the acknowledgement.
pub fn upload_once(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    outbox: &mut Outbox,
) -> Result<UploadOutcome, UploadError> {
    let events = outbox.peek(config.batch_size.clamp(1, MAX_BATCH))?;
    if events.is_empty() {
        return Ok(UploadOutcome::Idle);
    }
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let response = client
        .post(format!("{}{}", config.server_url, INGEST_PATH))
        .bearer_auth(&config.token)
        .json(&IngestRequest { events })
        .send()?;
    let status = response.status();
    if status.is_success() {
        let ack: IngestResponse = response.json()?;
        outbox.acknowledge(&seqs)?;
        return Ok(UploadOutcome::Delivered(ack));
    }
    if status.as_u16() == 429 || status.as_u16() == 503 {
        let wait = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(config.first_backoff, Duration::from_secs);
        return Err(UploadError::RetryAfter(wait));
    }
    Err(rejection(response))
}

/// The server's refusal, with its message when it sent one.
fn rejection(response: reqwest::blocking::Response) -> UploadError {
    let status = response.status();
    let message = response
        .json::<ApiError>()
        .map(|e| e.error)
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
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<UploadStatus>>,
}

impl Uploader {
    pub fn spawn(config: UploaderConfig) -> Result<Self, UploadError> {
        let outbox = Outbox::open(&config.outbox_path)?;
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("kepu-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let (stop, stopped) = mpsc::channel();
        let status = Arc::new(Mutex::new(UploadStatus::default()));
        let thread_status = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("uploader".into())
            .spawn(move || upload_loop(&client, &config, outbox, &stopped, &thread_status))
            .map_err(|e| UploadError::Rejected {
                status: 0,
                message: format!("cannot start the uploader thread: {e}"),
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
            status,
        })
    }

    pub fn status(&self) -> UploadStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Uploader {
    fn drop(&mut self) {
        self.stop.take();
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

fn upload_loop(
    client: &reqwest::blocking::Client,
    config: &UploaderConfig,
    mut outbox: Outbox,
    stopped: &mpsc::Receiver<()>,
    status: &Mutex<UploadStatus>,
) {
    let mut failures: u32 = 0;
    loop {
        let result = upload_once(client, config, &mut outbox);
        let wait = {
            let mut status = status.lock().unwrap_or_else(|p| p.into_inner());
            status.backlog = outbox.backlog().unwrap_or(status.backlog);
            match result {
                Ok(UploadOutcome::Delivered(ack)) => {
                    failures = 0;
                    status.delivered += ack.received;
                    status.last_success_ms = Some(crate::now_unix_ms());
                    status.last_error = None;
                    Duration::ZERO
                }
                Ok(UploadOutcome::Idle) => {
                    failures = 0;
                    config.idle_poll
                }
                Err(UploadError::RetryAfter(wait)) => {
                    status.last_error = Some(format!("server busy, retrying in {wait:?}"));
                    wait
                }
                Err(err) => {
                    tracing::warn!("upload failed: {err}");
                    status.last_error = Some(err.to_string());
                    failures = failures.saturating_add(1);
                    backoff(failures - 1, config.first_backoff, config.max_backoff)
                }
            }
        };
        match stopped.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
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
