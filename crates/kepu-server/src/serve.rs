//! The accept loop: serves an axum [`Router`] over HTTP/1.1 under limits that a slow or hostile
//! client cannot get round (what `axum::serve` lacks).
//!
//! - **Headers**: a request head must arrive within [`ServeLimits::header_read_timeout`] of
//!   its first byte (of the connection's start, for a connection's first request); otherwise
//!   the connection is closed.
//! - **Body**: the whole body must arrive within [`ServeLimits::body_read_timeout`] of the end
//!   of the head; a handler still reading it then gets an error, and the client `408 Request
//!   Timeout` with `Connection: close`.
//! - **Idle**: a keep-alive connection waiting for its next request is closed after
//!   [`ServeLimits::idle_timeout`]. hyper's own `header_read_timeout` is not used because it
//!   also starts as soon as a connection goes idle, which would end keep-alive after the
//!   header timeout.
//! - **Connections**: at most [`ServeLimits::max_connections`] at once. When a new connection
//!   arrives at the cap, the connection that has waited longest without a request in flight
//!   (idle keep-alive, silent, or still dribbling its head) is closed to make room, so idle
//!   connections cannot lock a good kiosk out. A request in flight is never cut to make room:
//!   when every slot is busy, the newcomer waits up to the header timeout for one, then gets
//!   `503 Service Unavailable` with `Retry-After`, which the kiosks' uploader obeys. One warning
//!   is logged when the cap is reached (and one line when connections fall back below it), not
//!   one per connection.
//! - **Shutdown**: when `shutdown` resolves, no more connections are accepted, idle ones are
//!   closed, requests in flight finish (their connections then close), and after
//!   [`ServeLimits::shutdown_grace`] whatever is left is dropped.
//!
//! - **TLS** ([`serve_with_tls`], `--tls-cert`/`--tls-key`): the handshake runs in the
//!   connection's own task, inside the header timeout (handshake and first request head
//!   together must arrive within it), so a client that opens a connection and never finishes
//!   its handshake holds a slot no longer than one that never sends a head; a handshaking
//!   connection can be closed to make room like an idle one. rustls with the ring provider.
//!
//! Handlers may extract `ConnectInfo<SocketAddr>` (the client's address, for per-client limits
//! such as [`crate::limits::FailureLimiter`]). Addresses are never logged here.

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::{Body as HttpBody, Bytes, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use kepu_core::wire::ApiError;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

pub use tokio_rustls::TlsAcceptor;

/// Default [`ServeLimits::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`ServeLimits::body_read_timeout`]: a full batch is a few hundred KiB gzipped, so
/// even a poor link sends it in a few seconds.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServeLimits::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`ServeLimits::shutdown_grace`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// Most connections by default, however high the open-file limit.
pub const MAX_CONNECTIONS_CEILING: usize = 1024;
/// File descriptors left for everything but client connections (database, logs, listener).
pub const FD_HEADROOM: u64 = 64;

/// How long a connection closed while idle may take to finish writing its last response.
const FLUSH_GRACE: Duration = Duration::from_secs(1);
/// At the cap: how long to wait for an evicted connection's slot before evicting another.
const EVICT_ROUND: Duration = Duration::from_millis(250);
/// `Retry-After` (seconds) of the `503` sent when every slot stays busy.
const BUSY_RETRY_AFTER_SECS: u32 = 5;

/// The limits [`serve`] enforces. Build with struct update syntax:
/// `ServeLimits { idle_timeout: Duration::from_secs(30), ..Default::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeLimits {
    /// Longest time from the first byte of a request head (the connection's start, for its
    /// first request) to the end of the head. Default 10 s.
    pub header_read_timeout: Duration,
    /// Longest time from the end of a request's head to the end of its body, however steadily
    /// bytes arrive. Default 30 s.
    pub body_read_timeout: Duration,
    /// Longest time a keep-alive connection may wait for its next request. Default 60 s.
    pub idle_timeout: Duration,
    /// Most connections open at once (at least 1). Default: [`default_max_connections`].
    pub max_connections: usize,
    /// After shutdown begins, longest wait for requests in flight. Default 20 s.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: default_max_connections(),
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

/// `min(1024, soft RLIMIT_NOFILE − 64)`, at least 1; 1024 where the limit is unlimited or
/// cannot be read. Each connection holds one file descriptor; the headroom keeps the database,
/// the logs and the listener able to open theirs.
pub fn default_max_connections() -> usize {
    max_connections_for(nofile_soft_limit())
}

fn max_connections_for(nofile_soft_limit: Option<u64>) -> usize {
    match nofile_soft_limit {
        None => MAX_CONNECTIONS_CEILING,
        Some(limit) => {
            let usable = limit.saturating_sub(FD_HEADROOM).max(1);
            usize::try_from(usable)
                .map_or(MAX_CONNECTIONS_CEILING, |n| n.min(MAX_CONNECTIONS_CEILING))
        }
    }
}

#[cfg(unix)]
fn nofile_soft_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn nofile_soft_limit() -> Option<u64> {
    None
}

/// Why a certificate or key cannot be served: each case names the file and what is wrong
/// with it, so that whoever set up the server can fix it without reading a stack trace.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    // The reason is in the message itself (not a `source`), so it is said once.
    #[error("cannot read the TLS certificate {}: {reason}", .path.display())]
    ReadCertificate { path: PathBuf, reason: io::Error },
    #[error("cannot read the TLS private key {}: {reason}", .path.display())]
    ReadKey { path: PathBuf, reason: io::Error },
    #[error(
        "{} holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----), the server's \
         certificate first, then any intermediates{}", .path.display(), detail(.problem)
    )]
    NoCertificate {
        path: PathBuf,
        problem: Option<String>,
    },
    #[error(
        "{} holds no private key: expected PEM (-----BEGIN PRIVATE KEY-----, or RSA/EC PRIVATE \
         KEY){}", .path.display(), detail(.problem)
    )]
    NoKey {
        path: PathBuf,
        problem: Option<String>,
    },
    #[error(
        "the private key {} does not belong to the certificate {} (were they made together?)",
        .key.display(), .certificate.display()
    )]
    Mismatch { certificate: PathBuf, key: PathBuf },
    #[error("the TLS certificate {} or its key cannot be used: {reason}", .certificate.display())]
    Unusable {
        certificate: PathBuf,
        reason: String,
    },
}

fn detail(problem: &Option<String>) -> String {
    problem
        .as_ref()
        .map_or_else(String::new, |problem| format!(" ({problem})"))
}

/// The TLS settings of a certificate chain and its private key, both PEM files (what
/// certbot, an internal CA or `openssl req -x509` write). Checked at start: a missing,
/// unreadable or mismatched pair is an error then, never at a client's first handshake.
pub fn tls_acceptor(certificate: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let cert_pem = std::fs::read(certificate).map_err(|reason| TlsError::ReadCertificate {
        path: certificate.to_path_buf(),
        reason,
    })?;
    let key_pem = std::fs::read(key).map_err(|reason| TlsError::ReadKey {
        path: key.to_path_buf(),
        reason,
    })?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| TlsError::NoCertificate {
            path: certificate.to_path_buf(),
            problem: Some(err.to_string()),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: certificate.to_path_buf(),
            problem: None,
        });
    }
    let private_key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|err| TlsError::NoKey {
        path: key.to_path_buf(),
        problem: match err {
            rustls::pki_types::pem::Error::NoItemsFound => None,
            other => Some(other.to_string()),
        },
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| TlsError::Unusable {
            certificate: certificate.to_path_buf(),
            reason: err.to_string(),
        })?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|err| match err {
            rustls::Error::InconsistentKeys(_) => TlsError::Mismatch {
                certificate: certificate.to_path_buf(),
                key: key.to_path_buf(),
            },
            other => TlsError::Unusable {
                certificate: certificate.to_path_buf(),
                reason: other.to_string(),
            },
        })?;
    // HTTP/1.1 only, as the accept loop serves.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves, then shuts down
/// gracefully (see the module documentation). Errors accepting connections are logged and
/// retried, so this returns once shutdown is complete.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with_tls(listener, app, limits, None, shutdown).await
}

/// [`serve`], over TLS when `tls` is given ([`tls_acceptor`]).
pub async fn serve_with_tls(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = Arc::new(ServeLimits {
        max_connections: limits.max_connections.max(1),
        ..limits
    });
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let tracker = Arc::new(Tracker::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut cap = CapEpisode::default();
    let mut shutdown = pin!(shutdown);

    loop {
        let (stream, remote) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(err) = joined
                    && err.is_panic()
                {
                    tracing::error!("a connection task panicked: {err}");
                }
                continue;
            }
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) if is_connection_error(&err) => continue,
                Err(err) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::error!("cannot accept a connection: {err}");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            permit = acquire_slot(&slots, &tracker, &limits, &mut cap) => permit,
        };
        let Some(permit) = permit else {
            refuse_busy(&stream);
            continue;
        };
        // Responses are written whole; waiting to coalesce them only adds latency.
        let _ = stream.set_nodelay(true);
        let registration = tracker.register(Instant::now());
        tasks.spawn(run_connection(
            stream,
            tls.clone(),
            remote,
            app.clone(),
            Arc::clone(&limits),
            stop_rx.clone(),
            registration,
            permit,
        ));
    }

    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            "shutdown grace period over: closing connections whose requests are still running"
        );
        tasks.shutdown().await;
    }
    Ok(())
}

fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// A slot for a new connection: at once when one is free; at the cap, by closing the
/// longest-idle connections; `None` if every slot stays busy for the header timeout.
async fn acquire_slot(
    slots: &Arc<Semaphore>,
    tracker: &Tracker,
    limits: &ServeLimits,
    cap: &mut CapEpisode,
) -> Option<OwnedSemaphorePermit> {
    if let Ok(permit) = Arc::clone(slots).try_acquire_owned() {
        cap.maybe_end(slots.available_permits(), limits.max_connections);
        return Some(permit);
    }
    cap.begin(limits.max_connections);
    let give_up = Instant::now() + limits.header_read_timeout;
    loop {
        if tracker.evict_longest_idle() {
            cap.evicted += 1;
        }
        let round_end = (Instant::now() + EVICT_ROUND).min(give_up);
        match tokio::time::timeout_at(round_end.into(), Arc::clone(slots).acquire_owned()).await {
            Ok(Ok(permit)) => return Some(permit),
            // The semaphore is never closed.
            Ok(Err(_closed)) => return None,
            Err(_elapsed) if Instant::now() >= give_up => {
                cap.refused += 1;
                return None;
            }
            Err(_elapsed) => {}
        }
    }
}

/// Tells a client that found every slot busy to come back later, and closes its connection.
fn refuse_busy(stream: &TcpStream) {
    // Read what it has sent already: closing a socket with unread data resets it, and the
    // client might then lose the answer.
    let mut scratch = [0u8; 4096];
    for _ in 0..16 {
        match stream.try_read(&mut scratch) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    // An `ApiError` like every other refusal: a code, then words.
    let body = r#"{"error":"busy","detail":"the server is busy; try again shortly"}"#;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: {BUSY_RETRY_AFTER_SECS}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// The connection cap's log: one warning when it is reached, one line when connections fall
/// back below 90 % of it.
#[derive(Debug, Default)]
struct CapEpisode {
    active: bool,
    evicted: u64,
    refused: u64,
}

impl CapEpisode {
    fn begin(&mut self, max_connections: usize) {
        if !self.active {
            self.active = true;
            self.evicted = 0;
            self.refused = 0;
            tracing::warn!(
                max_connections,
                "connection limit reached: closing the longest-idle connections to make room"
            );
        }
    }

    fn maybe_end(&mut self, available: usize, max_connections: usize) {
        if self.active && available >= (max_connections / 10).max(1) {
            self.active = false;
            tracing::info!(
                evicted = self.evicted,
                refused = self.refused,
                "connections back below the limit"
            );
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain counters and timestamps, left consistent by every update.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every open connection, for choosing which idle one to close at the cap.
#[derive(Default)]
struct Tracker {
    connections: Mutex<HashMap<u64, Arc<ConnShared>>>,
    next_id: AtomicU64,
}

impl Tracker {
    fn register(self: &Arc<Self>, now: Instant) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(ConnShared {
            state: Mutex::new(ConnState {
                accepted: now,
                in_flight: 0,
                served: 0,
                idle_since: now,
                head_started: None,
                evicted: false,
            }),
            wake: Notify::new(),
        });
        lock(&self.connections).insert(id, Arc::clone(&conn));
        Registration {
            tracker: Arc::clone(self),
            id,
            conn,
        }
    }

    /// Asks the connection idle longest (no request in flight) to close; false if none is.
    fn evict_longest_idle(&self) -> bool {
        // Lock order: the registry, then one connection's state (nothing takes them the
        // other way round).
        let connections = lock(&self.connections);
        let mut victim: Option<(Instant, &Arc<ConnShared>)> = None;
        for conn in connections.values() {
            let state = lock(&conn.state);
            if state.in_flight == 0
                && !state.evicted
                && victim.is_none_or(|(since, _)| state.idle_since < since)
            {
                victim = Some((state.idle_since, conn));
            }
        }
        let Some((_, conn)) = victim else {
            return false;
        };
        lock(&conn.state).evicted = true;
        conn.wake.notify_one();
        true
    }
}

/// A connection's place in the [`Tracker`], given up when its task ends (or is aborted).
struct Registration {
    tracker: Arc<Tracker>,
    id: u64,
    conn: Arc<ConnShared>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.tracker.connections).remove(&self.id);
    }
}

/// What the connection's task, its service and its socket share.
struct ConnShared {
    state: Mutex<ConnState>,
    /// Wakes the connection's task to look at `state` again.
    wake: Notify,
}

#[derive(Debug)]
struct ConnState {
    accepted: Instant,
    /// Requests handed to the app whose responses have not been written yet.
    in_flight: usize,
    /// Requests handed to the app so far.
    served: u64,
    /// When the last response was written (the connection's start, before the first).
    idle_since: Instant,
    /// When the first byte of the next request head arrived, while idle.
    head_started: Option<Instant>,
    /// Asked to close to make room for a new connection.
    evicted: bool,
}

/// What a connection's task should do next.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Go on serving; look again at this time (if any) or when woken.
    Serve(Option<Instant>),
    /// Let the request in flight finish, then close.
    CloseAfterResponse,
    /// Close, letting hyper finish writing a response it may still be sending.
    CloseAfterFlush,
    /// Close now: nothing of this connection's is left to send.
    CloseNow,
}

impl ConnState {
    fn plan(&self, now: Instant, limits: &ServeLimits, shutting_down: bool) -> Plan {
        if self.in_flight > 0 {
            return if self.evicted || shutting_down {
                Plan::CloseAfterResponse
            } else {
                Plan::Serve(None)
            };
        }
        if !self.evicted && !shutting_down {
            let deadline = match self.head_started {
                _ if self.served == 0 => self.accepted + limits.header_read_timeout,
                Some(first_byte) => first_byte + limits.header_read_timeout,
                None => self.idle_since + limits.idle_timeout,
            };
            if now < deadline {
                return Plan::Serve(Some(deadline));
            }
        }
        if self.served == 0 || self.head_started.is_some() {
            Plan::CloseNow
        } else {
            Plan::CloseAfterFlush
        }
    }
}

impl ConnShared {
    /// Bytes arrived on the socket: the start of a request head, if none is in flight.
    fn bytes_read(&self) {
        let mut state = lock(&self.state);
        if state.in_flight == 0 && state.head_started.is_none() {
            state.head_started = Some(Instant::now());
            drop(state);
            // The header deadline may be earlier than the idle one the task sleeps until.
            self.wake.notify_one();
        }
    }

    fn begin_request(self: &Arc<Self>) -> InFlight {
        let mut state = lock(&self.state);
        state.in_flight += 1;
        state.served += 1;
        state.head_started = None;
        InFlight(Arc::clone(self))
    }
}

/// A request in flight on its connection, until its response body is dropped (written or
/// abandoned).
struct InFlight(Arc<ConnShared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            state.idle_since = Instant::now();
            state.head_started = None;
        }
        drop(state);
        self.0.wake.notify_one();
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

async fn run_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    remote: SocketAddr,
    app: Router,
    limits: Arc<ServeLimits>,
    mut stop: watch::Receiver<bool>,
    registration: Registration,
    permit: OwnedSemaphorePermit,
) {
    let conn = Arc::clone(&registration.conn);
    // Dropped in this order when the task ends: leave the tracker, then free the slot.
    let _slot = (registration, permit);
    let Some(acceptor) = tls else {
        return serve_connection(stream, remote, app, limits, stop, conn).await;
    };
    // The handshake shares the first request's header deadline (counted from the accept).
    let deadline = lock(&conn.state).accepted + limits.header_read_timeout;
    let handshake = tokio::select! {
        result = tokio::time::timeout_at(deadline.into(), acceptor.accept(stream)) => result,
        () = closing(&conn, &mut stop) => return,
    };
    match handshake {
        Ok(Ok(stream)) => serve_connection(stream, remote, app, limits, stop, conn).await,
        Ok(Err(err)) => tracing::debug!("TLS handshake failed: {err}"),
        Err(_elapsed) => tracing::debug!("TLS handshake not done within the header timeout"),
    }
}

/// Resolves when the connection is asked to close (to make room, or for shutdown).
async fn closing(conn: &ConnShared, stop: &mut watch::Receiver<bool>) {
    loop {
        if lock(&conn.state).evicted || *stop.borrow() {
            return;
        }
        tokio::select! {
            () = conn.wake.notified() => {}
            changed = stop.changed() => if changed.is_err() { return },
        }
    }
}

async fn serve_connection<S>(
    stream: S,
    remote: SocketAddr,
    app: Router,
    limits: Arc<ServeLimits>,
    mut stop: watch::Receiver<bool>,
    conn: Arc<ConnShared>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(WatchedIo {
        inner: stream,
        conn: Arc::clone(&conn),
    });
    let service = ConnService {
        app,
        conn: Arc::clone(&conn),
        remote,
        body_read_timeout: limits.body_read_timeout,
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.keep_alive(true).header_read_timeout(None);
    let mut connection = pin!(builder.serve_connection(io, service));

    let mut shutting_down = *stop.borrow();
    let mut graceful = false;
    let mut flush_since: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let plan = lock(&conn.state).plan(now, &limits, shutting_down);
        let deadline = match plan {
            Plan::Serve(deadline) => deadline,
            Plan::CloseNow => break,
            Plan::CloseAfterResponse => {
                if !graceful {
                    graceful = true;
                    connection.as_mut().graceful_shutdown();
                }
                None
            }
            Plan::CloseAfterFlush => {
                if !graceful {
                    graceful = true;
                    connection.as_mut().graceful_shutdown();
                }
                let until = *flush_since.get_or_insert(now) + FLUSH_GRACE;
                if now >= until {
                    break;
                }
                Some(until)
            }
        };
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!("connection ended: {err}");
                }
                break;
            }
            () = conn.wake.notified() => {}
            () = sleep_until(deadline) => {}
            // A dropped sender means shutting down too.
            _ = stop.changed(), if !shutting_down => shutting_down = true,
        }
    }
}

/// The socket (or the TLS stream over it), noting when bytes of a new request head start to
/// arrive.
struct WatchedIo<S> {
    inner: S,
    conn: Arc<ConnShared>,
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.conn.bytes_read();
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// hyper's service for one connection: the app, with the client's address, a deadline on the
/// request body, and the connection's in-flight count.
struct ConnService {
    app: Router,
    conn: Arc<ConnShared>,
    remote: SocketAddr,
    body_read_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let in_flight = self.conn.begin_request();
        let timed_out = Arc::new(AtomicBool::new(false));
        let deadline = tokio::time::Instant::now() + self.body_read_timeout;
        let mut request = request.map(|body| DeadlineBody {
            inner: body,
            deadline,
            sleep: None,
            timed_out: Arc::clone(&timed_out),
        });
        request.extensions_mut().insert(ConnectInfo(self.remote));
        let app = self.app.clone();
        let body_read_timeout = self.body_read_timeout;
        Box::pin(async move {
            let response = match app.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            // However the handler reported the failed read, the client hears why.
            let response = if timed_out.load(Ordering::Acquire) {
                body_too_slow(body_read_timeout)
            } else {
                response
            };
            Ok(response.map(|inner| TrackedBody {
                inner,
                _in_flight: in_flight,
            }))
        })
    }
}

fn body_too_slow(timeout: Duration) -> axum::response::Response {
    let message = format!(
        "the request body did not arrive within {} s",
        timeout.as_secs_f64()
    );
    let mut response = (
        StatusCode::REQUEST_TIMEOUT,
        axum::Json(ApiError {
            error: "request_timeout".to_owned(),
            detail: message,
            rejected_event: None,
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Why a request body ended early: it had not all arrived by its deadline.
#[derive(Debug)]
struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimedOut {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body that fails once its deadline has passed (unlike tower-http's
/// `RequestBodyTimeout`, which times each frame alone and so lets a byte a second through).
struct DeadlineBody {
    inner: Incoming,
    deadline: tokio::time::Instant,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    timed_out: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if !this.inner.is_end_stream() {
            if this.timed_out.load(Ordering::Acquire) {
                return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
            }
            let deadline = this.deadline;
            let sleep = this
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            if sleep.as_mut().poll(cx).is_ready() {
                this.timed_out.store(true, Ordering::Release);
                return Poll::Ready(Some(Err(Box::new(BodyTimedOut))));
            }
        }
        Pin::new(&mut this.inner)
            .poll_frame(cx)
            .map(|frame| frame.map(|result| result.map_err(BoxError::from)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that keeps its request counted as in flight until hyper is done with it.
struct TrackedBody {
    inner: axum::body::Body,
    _in_flight: InFlight,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use axum::routing::{get, post};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::{mpsc, oneshot};
    use tokio::task::JoinHandle;
    use tokio::time::timeout;

    const GET_HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n";
    /// Generous bound for anything that should happen "soon"; never a speed requirement.
    const SOON: Duration = Duration::from_secs(5);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Short timeouts, so that the tests that wait for them finish quickly.
    fn short_limits() -> ServeLimits {
        ServeLimits {
            header_read_timeout: ms(500),
            body_read_timeout: ms(500),
            idle_timeout: ms(500),
            max_connections: 64,
            shutdown_grace: SOON,
        }
    }

    /// Timeouts too long to matter within a test.
    fn long_limits() -> ServeLimits {
        ServeLimits {
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 64,
            shutdown_grace: SOON,
        }
    }

    fn test_app() -> Router {
        Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/echo",
                post(|body: Bytes| async move { body.len().to_string() }),
            )
            .route(
                "/whoami",
                get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move {
                    addr.ip().to_string()
                }),
            )
    }

    struct Server {
        addr: SocketAddr,
        stop: Option<oneshot::Sender<()>>,
        task: JoinHandle<io::Result<()>>,
    }

    impl Server {
        async fn start(app: Router, limits: ServeLimits) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(serve(listener, app, limits, async move {
                let _ = stopped.await;
            }));
            Self {
                addr,
                stop: Some(stop),
                task,
            }
        }

        async fn connect(&self) -> TcpStream {
            TcpStream::connect(self.addr).await.unwrap()
        }

        fn begin_shutdown(&mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
        }
    }

    #[derive(Debug)]
    struct Reply {
        status: u16,
        /// Header lines, lowercased.
        head: String,
        body: String,
    }

    /// Reads one response; `None` if the connection closes (or is reset) before one arrives.
    async fn read_reply(stream: &mut TcpStream) -> Option<Reply> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
        Some(Reply { status, head, body })
    }

    async fn request(stream: &mut TcpStream, raw: &[u8]) -> Option<Reply> {
        stream.write_all(raw).await.ok()?;
        timeout(SOON, read_reply(stream)).await.expect("no reply")
    }

    /// Whether the server has closed (or reset) the connection within `wait`; panics if it
    /// sends data instead.
    async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
        let mut byte = [0u8; 1];
        match timeout(wait, stream.read(&mut byte)).await {
            Err(_elapsed) => false,
            Ok(Ok(0) | Err(_)) => true,
            Ok(Ok(_)) => panic!("the server sent data on a connection expected to be idle"),
        }
    }

    const SLOW_HEAD: &[u8] =
        b"GET /healthz HTTP/1.1\r\nhost: test\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";

    /// Sends `bytes` one per `every`, watching for the server closing the connection; returns
    /// how many were sent before it did, or `None` if it never did.
    async fn dribble_until_closed(
        stream: &mut TcpStream,
        bytes: &[u8],
        every: Duration,
    ) -> Option<usize> {
        for (sent, byte) in bytes.iter().enumerate() {
            if stream.write_all(&[*byte]).await.is_err() {
                return Some(sent);
            }
            let mut reply = [0u8; 64];
            match timeout(every, stream.read(&mut reply)).await {
                Err(_elapsed) => {}
                Ok(Ok(0) | Err(_)) => return Some(sent + 1),
                Ok(Ok(n)) => panic!(
                    "a reply to an unfinished head: {:?}",
                    String::from_utf8_lossy(&reply[..n])
                ),
            }
        }
        None
    }

    #[tokio::test]
    async fn slow_headers_are_cut_off_after_the_header_timeout() {
        let server = Server::start(test_app(), short_limits()).await;
        let started = Instant::now();
        let mut stream = server.connect().await;
        // One byte per 200 ms: the head would take 15 s against a 500 ms limit.
        let sent = dribble_until_closed(&mut stream, SLOW_HEAD, ms(200)).await;
        assert!(sent.is_some(), "the whole slow head was accepted");
        // Closed because of the timeout, not at once.
        assert!(started.elapsed() >= ms(450), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn slow_headers_on_a_kept_alive_connection_are_cut_off_too() {
        let limits = ServeLimits {
            header_read_timeout: ms(500),
            idle_timeout: Duration::from_secs(30),
            ..short_limits()
        };
        let server = Server::start(test_app(), limits).await;
        let mut stream = server.connect().await;
        assert_eq!(request(&mut stream, GET_HEALTHZ).await.unwrap().status, 200);
        // Idle longer than the header timeout: still open (the idle timeout applies)...
        tokio::time::sleep(ms(700)).await;
        // ...but the next head must arrive within the header timeout of its first byte.
        let started = Instant::now();
        let sent = dribble_until_closed(&mut stream, SLOW_HEAD, ms(200)).await;
        assert!(sent.is_some(), "the whole slow head was accepted");
        assert!(sent >= Some(2), "closed before the head began: {sent:?}");
        assert!(started.elapsed() >= ms(450), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_after_the_header_timeout() {
        let server = Server::start(test_app(), short_limits()).await;
        let mut stream = server.connect().await;
        assert!(!closed_within(&mut stream, ms(200)).await, "closed at once");
        assert!(closed_within(&mut stream, SOON).await);
    }

    #[tokio::test]
    async fn a_dribbled_body_is_answered_408_after_the_body_timeout() {
        let server = Server::start(test_app(), short_limits()).await;
        let mut stream = server.connect().await;
        stream
            .write_all(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 100\r\n\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        let mut sent = 0;
        let reply = loop {
            assert!(sent < 100, "the whole dribbled body was accepted");
            if stream.write_all(b"x").await.is_err() {
                break None;
            }
            sent += 1;
            // A byte per 100 ms: the body would take 10 s against a 500 ms limit.
            let mut peek = [0u8; 1];
            match timeout(ms(100), stream.peek(&mut peek)).await {
                Err(_elapsed) => {}
                Ok(Ok(0) | Err(_)) => break None,
                Ok(Ok(_)) => break timeout(SOON, read_reply(&mut stream)).await.unwrap(),
            }
        };
        let reply = reply.expect("closed without a reply");
        assert_eq!(reply.status, 408, "{reply:?}");
        assert!(reply.head.contains("connection: close"), "{reply:?}");
        assert!(reply.body.contains("did not arrive"), "{reply:?}");
        assert!(started.elapsed() >= ms(450), "{:?}", started.elapsed());
        assert!(closed_within(&mut stream, SOON).await);
    }

    #[tokio::test]
    async fn a_body_sent_in_time_is_served_and_handlers_see_the_client_address() {
        let server = Server::start(test_app(), short_limits()).await;
        let mut stream = server.connect().await;
        let reply = request(
            &mut stream,
            b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 5\r\n\r\nhello",
        )
        .await
        .unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "5"));
        // Same connection, kept alive.
        let reply = request(&mut stream, b"GET /whoami HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "127.0.0.1"));
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
        let limits = ServeLimits {
            idle_timeout: ms(500),
            header_read_timeout: Duration::from_secs(30),
            ..short_limits()
        };
        let server = Server::start(test_app(), limits).await;
        let mut stream = server.connect().await;
        assert_eq!(request(&mut stream, GET_HEALTHZ).await.unwrap().status, 200);
        let idle_from = Instant::now();
        assert!(!closed_within(&mut stream, ms(200)).await, "closed at once");
        assert!(closed_within(&mut stream, SOON).await);
        assert!(idle_from.elapsed() >= ms(450), "{:?}", idle_from.elapsed());
    }

    #[tokio::test]
    async fn keep_alive_outlives_the_header_timeout() {
        // hyper's own header timer would close this connection 300 ms after the response.
        let limits = ServeLimits {
            header_read_timeout: ms(300),
            idle_timeout: Duration::from_secs(30),
            ..short_limits()
        };
        let server = Server::start(test_app(), limits).await;
        let mut stream = server.connect().await;
        assert_eq!(request(&mut stream, GET_HEALTHZ).await.unwrap().status, 200);
        assert!(!closed_within(&mut stream, ms(1000)).await);
        assert_eq!(request(&mut stream, GET_HEALTHZ).await.unwrap().status, 200);
    }

    #[tokio::test]
    async fn at_the_cap_the_longest_idle_keep_alive_connection_makes_room() {
        let limits = ServeLimits {
            max_connections: 8,
            ..long_limits()
        };
        let server = Server::start(test_app(), limits).await;
        let mut idle = Vec::new();
        for _ in 0..8 {
            let mut stream = server.connect().await;
            assert_eq!(request(&mut stream, GET_HEALTHZ).await.unwrap().status, 200);
            idle.push(stream);
        }
        let mut ninth = server.connect().await;
        ninth.write_all(GET_HEALTHZ).await.unwrap();
        let reply = timeout(Duration::from_secs(2), read_reply(&mut ninth))
            .await
            .expect("the ninth connection was not served")
            .unwrap();
        assert_eq!(reply.status, 200);
        // The one idle longest (the first) was closed; the newest ones are still open.
        assert!(closed_within(&mut idle[0], SOON).await);
        for stream in &mut idle[4..] {
            assert!(!closed_within(stream, ms(50)).await);
        }
    }

    #[tokio::test]
    async fn at_the_cap_silent_connections_make_room() {
        let limits = ServeLimits {
            max_connections: 8,
            ..long_limits()
        };
        let server = Server::start(test_app(), limits).await;
        let mut silent = Vec::new();
        for _ in 0..8 {
            silent.push(server.connect().await);
        }
        // Two good clients after them, one after the other, each keeping its connection:
        // each gets a slot.
        let mut good_ones = Vec::new();
        for _ in 0..2 {
            let mut good = server.connect().await;
            good.write_all(GET_HEALTHZ).await.unwrap();
            let reply = timeout(Duration::from_secs(2), read_reply(&mut good))
                .await
                .expect("a good client was not served")
                .unwrap();
            assert_eq!(reply.status, 200);
            good_ones.push(good);
        }
        assert!(closed_within(&mut silent[0], SOON).await);
        assert!(closed_within(&mut silent[1], SOON).await);
        assert!(!closed_within(&mut silent[7], ms(50)).await);
    }

    /// An app whose `/wait` tells `entered` it has started, then waits for `release`.
    fn waiting_app(entered: mpsc::Sender<()>, release: Arc<Notify>) -> Router {
        test_app().route(
            "/wait",
            get(move || async move {
                let _ = entered.send(()).await;
                release.notified().await;
                "done"
            }),
        )
    }

    #[tokio::test]
    async fn when_every_slot_is_busy_a_new_client_is_told_to_retry() {
        let (entered, mut entered_rx) = mpsc::channel(4);
        let release = Arc::new(Notify::new());
        let limits = ServeLimits {
            max_connections: 1,
            header_read_timeout: ms(500),
            ..long_limits()
        };
        let server = Server::start(waiting_app(entered, Arc::clone(&release)), limits).await;
        let mut busy = server.connect().await;
        busy.write_all(b"GET /wait HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        timeout(SOON, entered_rx.recv()).await.unwrap().unwrap();

        // The only slot is busy with a request in flight, which is never cut: the newcomer
        // waits for the header timeout, then is told when to come back.
        let mut newcomer = server.connect().await;
        newcomer.write_all(GET_HEALTHZ).await.unwrap();
        let reply = timeout(SOON, read_reply(&mut newcomer))
            .await
            .unwrap()
            .expect("no 503");
        assert_eq!(reply.status, 503, "{reply:?}");
        assert!(reply.head.contains("retry-after: 5"), "{reply:?}");

        release.notify_one();
        let reply = timeout(SOON, read_reply(&mut busy)).await.unwrap().unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "done"));
        // Now idle, the first connection gives way to the next client.
        let mut next = server.connect().await;
        assert_eq!(request(&mut next, GET_HEALTHZ).await.unwrap().status, 200);
    }

    #[tokio::test]
    async fn graceful_shutdown_finishes_the_request_in_flight() {
        let (entered, mut entered_rx) = mpsc::channel(4);
        let release = Arc::new(Notify::new());
        let mut server =
            Server::start(waiting_app(entered, Arc::clone(&release)), long_limits()).await;
        let mut idle = server.connect().await;
        assert_eq!(request(&mut idle, GET_HEALTHZ).await.unwrap().status, 200);
        let mut in_flight = server.connect().await;
        in_flight
            .write_all(b"GET /wait HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        timeout(SOON, entered_rx.recv()).await.unwrap().unwrap();

        server.begin_shutdown();
        // The idle connection is closed at once; the request in flight goes on.
        assert!(closed_within(&mut idle, SOON).await);
        assert!(!server.task.is_finished());
        release.notify_one();
        let reply = timeout(SOON, read_reply(&mut in_flight))
            .await
            .unwrap()
            .expect("the request in flight got no reply");
        assert_eq!((reply.status, reply.body.as_str()), (200, "done"));
        assert!(reply.head.contains("connection: close"), "{reply:?}");
        timeout(SOON, server.task).await.unwrap().unwrap().unwrap();
        // Nothing listens any more.
        assert!(TcpStream::connect(server.addr).await.is_err());
    }

    #[tokio::test]
    async fn shutdown_waits_no_longer_than_the_grace_period() {
        let (entered, mut entered_rx) = mpsc::channel(4);
        let never = Arc::new(Notify::new());
        let limits = ServeLimits {
            shutdown_grace: ms(300),
            ..long_limits()
        };
        let mut server = Server::start(waiting_app(entered, never), limits).await;
        let mut stuck = server.connect().await;
        stuck
            .write_all(b"GET /wait HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        timeout(SOON, entered_rx.recv()).await.unwrap().unwrap();
        server.begin_shutdown();
        timeout(SOON, server.task).await.unwrap().unwrap().unwrap();
        assert!(closed_within(&mut stuck, SOON).await);
    }

    #[test]
    fn max_connections_leaves_headroom_below_the_open_file_limit() {
        assert_eq!(max_connections_for(None), 1024);
        assert_eq!(max_connections_for(Some(1024)), 960);
        assert_eq!(max_connections_for(Some(65_536)), 1024);
        assert_eq!(max_connections_for(Some(100)), 36);
        assert_eq!(max_connections_for(Some(10)), 1);
        let default = ServeLimits::default();
        assert!((1..=1024).contains(&default.max_connections));
        assert_eq!(default.header_read_timeout, Duration::from_secs(10));
        assert_eq!(default.body_read_timeout, Duration::from_secs(30));
        assert_eq!(default.idle_timeout, Duration::from_secs(60));
    }

    #[test]
    fn the_plan_follows_the_connection_state() {
        let limits = long_limits();
        let t0 = Instant::now();
        let mut state = ConnState {
            accepted: t0,
            in_flight: 0,
            served: 0,
            idle_since: t0,
            head_started: None,
            evicted: false,
        };
        // A new connection has the header timeout, from its start.
        assert_eq!(
            state.plan(t0, &limits, false),
            Plan::Serve(Some(t0 + limits.header_read_timeout))
        );
        assert_eq!(
            state.plan(t0 + limits.header_read_timeout, &limits, false),
            Plan::CloseNow
        );
        // Idle after a response: the idle timeout; then the header timeout from the first byte.
        state.served = 1;
        let t1 = t0 + ms(10);
        state.idle_since = t1;
        assert_eq!(
            state.plan(t1, &limits, false),
            Plan::Serve(Some(t1 + limits.idle_timeout))
        );
        assert_eq!(
            state.plan(t1 + limits.idle_timeout, &limits, false),
            Plan::CloseAfterFlush
        );
        state.head_started = Some(t1 + ms(5));
        assert_eq!(
            state.plan(t1 + ms(5), &limits, false),
            Plan::Serve(Some(t1 + ms(5) + limits.header_read_timeout))
        );
        assert_eq!(state.plan(t1, &limits, true), Plan::CloseNow);
        // A request in flight is never cut, only closed after its response.
        state.in_flight = 1;
        state.head_started = None;
        assert_eq!(state.plan(t1, &limits, false), Plan::Serve(None));
        state.evicted = true;
        assert_eq!(state.plan(t1, &limits, false), Plan::CloseAfterResponse);
    }
}
