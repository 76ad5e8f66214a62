//! Builds the server from its settings: opens the store, binds the port, composes the app.

use crate::auth::session::{SessionConfig, SessionPolicy};
use crate::limits::{FailureLimiter, FailurePolicy, RateLimiter, RatePolicy};
use crate::metrics::Metrics;
use crate::serve::{ServeLimits, TlsAcceptor};
use crate::{AppState, Guards, app};
use anyhow::Context;
use kepu_store::{Location, OpenOptions, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database: Location,
    pub store: OpenOptions,
    pub limits: ServeLimits,
    pub kiosk_rate: RatePolicy,
    pub failed_signins: FailurePolicy,
    /// How often the roll-up looks for new events (it catches up at once when behind).
    pub rollup_every: Duration,
    /// Raw events older than this are deleted once counted (the roll-ups keep their numbers).
    pub retain_raw_days: u32,
    /// HTTPS with this certificate chain and private key (PEM files); plain HTTP when `None`.
    pub tls: Option<TlsFiles>,
    /// How long dashboard sign-ins last.
    pub sessions: SessionPolicy,
    /// Mark cookies `Secure` without serving TLS here (a TLS proxy in front); TLS here turns
    /// it on anyway.
    pub secure_cookies: bool,
    /// k and the district's time zone for reports.
    pub reports: crate::report_data::ReportSettings,
}

/// A certificate chain and its private key, PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub key: PathBuf,
}

impl ServeConfig {
    /// Listening on `listen`, data at `database`, every other setting its default.
    pub fn new(listen: SocketAddr, database: Location) -> Self {
        Self {
            listen,
            database,
            store: OpenOptions::default(),
            limits: ServeLimits::default(),
            kiosk_rate: RatePolicy::default(),
            failed_signins: FailurePolicy::default(),
            rollup_every: DEFAULT_ROLLUP_EVERY,
            retain_raw_days: DEFAULT_RETAIN_RAW_DAYS,
            tls: None,
            sessions: SessionPolicy::default(),
            secure_cookies: false,
            reports: crate::report_data::ReportSettings::default(),
        }
    }
}

/// Defaults of the settings above.
pub const DEFAULT_ROLLUP_EVERY: Duration = Duration::from_secs(1);
pub const DEFAULT_RETAIN_RAW_DAYS: u32 = 400;
/// Kiosk-hours of report atoms rebuilt per transaction (see `maintain`).
const ATOM_REBUILD_CHUNK: usize = 100;
/// Local days of report sums remade per transaction, and the most time a maintenance turn
/// spends on them (see `maintain`).
const SUMS_DAYS: usize = 3;
const SUMS_TURN: Duration = Duration::from_secs(1);
const SUMS_EVERY: Duration = Duration::from_secs(30);
/// How often retention (and, on PostgreSQL, making next months' partitions) runs.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// A bound, ready server: `local_addr` is known (port 0 picks one) before it runs.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
    rollup_every: Duration,
    retain_raw_days: u32,
    tls: Option<TlsAcceptor>,
}

pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
    // The certificate first: a broken one is the operator's to fix before anything opens.
    let tls = match &config.tls {
        Some(files) => Some(crate::serve::tls_acceptor(&files.certificate, &files.key)?),
        None => None,
    };
    let store = kepu_store::open(&config.database, &config.store)
        .await
        .with_context(|| format!("cannot open the database ({})", config.database.describe()))?;
    store
        .prepare_partitions(kepu_core::now_unix_ms())
        .await
        .context("cannot prepare the event partitions")?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let guards = Guards {
        kiosk_requests: RateLimiter::new(config.kiosk_rate),
        failed_auth: FailureLimiter::new(config.failed_signins),
        sign_in: crate::limits::SignInThrottle::default(),
    };
    let sessions = SessionConfig {
        policy: config.sessions,
        secure_cookies: config.secure_cookies || tls.is_some(),
        ..SessionConfig::default()
    };
    Ok(Application {
        listener,
        state: AppState::with_guards(store, guards)
            .with_sessions(sessions)
            .with_reports(config.reports),
        limits: config.limits.clone(),
        rollup_every: config.rollup_every,
        retain_raw_days: config.retain_raw_days,
        tls,
    })
}

impl Application {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Whether it serves HTTPS.
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let maintenance = tokio::spawn(maintain(
            store.clone(),
            self.state.reports,
            self.state.sessions.clone(),
            self.state.metrics.clone(),
            self.rollup_every,
            Duration::from_secs(u64::from(self.retain_raw_days) * 86_400),
            stopped,
        ));
        let result = crate::serve::serve_with_tls(
            self.listener,
            app(self.state),
            self.limits,
            self.tls,
            shutdown,
        )
        .await;
        let _ = stop.send(true);
        let _ = maintenance.await;
        store.close().await;
        result
    }
}

/// The server's background work: the roll-up every `rollup_every` (until it has caught up),
/// and every hour the retention of raw events and next months' partitions and the deletion of
/// ended dashboard sessions. Errors are logged and tried again next time: a database that is
/// down for a while loses nothing.
async fn maintain(
    store: Store,
    reports: crate::report_data::ReportSettings,
    sessions: Arc<SessionConfig>,
    metrics: Arc<Metrics>,
    rollup_every: Duration,
    retain: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut next_retention = tokio::time::Instant::now();
    let mut next_sums = tokio::time::Instant::now();
    loop {
        match store.roll_up_all().await {
            Ok(pass) => metrics.rolled_up(pass.events + pass.kiosk_rollups),
            Err(err) => tracing::warn!(error = %err, "roll-up failed; trying again"),
        }
        // Kiosk-hours whose atoms a publish (new completion targets, estimate ranges) or a
        // migration queued: rebuilt a chunk at a time, so the roll-up is never held up long.
        loop {
            match store.rebuild_dirty_atoms(ATOM_REBUILD_CHUNK).await {
                Ok(rebuilt) if rebuilt == ATOM_REBUILD_CHUNK => continue,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "rebuilding queued report atoms failed; trying again");
                    break;
                }
            }
        }
        // The report sums of the days the roll-up changed (and everything, after the
        // settings changed): a few days per transaction, at most a second a turn while there
        // is a backlog (a first build over a large store never holds the roll-up back long),
        // else every SUMS_EVERY: reports read what is not remade yet from the atoms, so
        // today's hours, changing every second, are remade in one go now and then.
        if tokio::time::Instant::now() >= next_sums {
            let until = tokio::time::Instant::now() + SUMS_TURN;
            next_sums = until + SUMS_EVERY;
            loop {
                let now = kepu_core::now_unix_ms();
                match store
                    .refresh_report_sums(reports.k(), reports.offset_ms(), now, SUMS_DAYS)
                    .await
                {
                    Ok(done) if done.did_something() => {
                        if tokio::time::Instant::now() >= until {
                            // A backlog: on with it next turn.
                            next_sums = tokio::time::Instant::now();
                            break;
                        }
                    }
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "remaking the report sums failed; trying again");
                        break;
                    }
                }
            }
        }
        if tokio::time::Instant::now() >= next_retention {
            next_retention += RETENTION_EVERY;
            let now = kepu_core::now_unix_ms();
            if let Err(err) = store.prepare_partitions(now).await {
                tracing::warn!(error = %err, "cannot prepare next months' partitions");
            }
            let retain_ms = i64::try_from(retain.as_millis()).unwrap_or(i64::MAX);
            match store.delete_raw_before(now.saturating_sub(retain_ms)).await {
                Ok(pass) if pass.deleted_events + pass.dropped_partitions > 0 => tracing::info!(
                    deleted = pass.deleted_events,
                    dropped_partitions = pass.dropped_partitions,
                    "raw events past retention removed"
                ),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "retention failed; trying again"),
            }
            match crate::auth::session::purge(&store, &sessions).await {
                Ok(0) => {}
                Ok(ended) => tracing::debug!(ended, "ended dashboard sessions deleted"),
                Err(err) => tracing::warn!(error = %err, "cannot delete ended sessions"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(rollup_every) => {}
            _ = stop.changed() => return,
        }
    }
}
