//! Builds the server from its settings: opens the store, binds the port, composes the app.

use crate::limits::{FailureLimiter, FailurePolicy, RateLimiter, RatePolicy};
use crate::metrics::Metrics;
use crate::serve::ServeLimits;
use crate::{AppState, Guards, app};
use anyhow::Context;
use kepu_store::{Location, OpenOptions, Store};
use std::net::SocketAddr;
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
}

/// Defaults of the settings above.
pub const DEFAULT_ROLLUP_EVERY: Duration = Duration::from_secs(1);
pub const DEFAULT_RETAIN_RAW_DAYS: u32 = 400;
/// How often retention (and, on PostgreSQL, making next months' partitions) runs.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// A bound, ready server: `local_addr` is known (port 0 picks one) before it runs.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
    rollup_every: Duration,
    retain_raw_days: u32,
}

pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
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
    };
    Ok(Application {
        listener,
        state: AppState::with_guards(store, guards),
        limits: config.limits.clone(),
        rollup_every: config.rollup_every,
        retain_raw_days: config.retain_raw_days,
    })
}

impl Application {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn store(&self) -> &Store {
        &self.state.store
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
            self.state.metrics.clone(),
            self.rollup_every,
            Duration::from_secs(u64::from(self.retain_raw_days) * 86_400),
            stopped,
        ));
        let result =
            crate::serve::serve(self.listener, app(self.state), self.limits, shutdown).await;
        let _ = stop.send(true);
        let _ = maintenance.await;
        store.close().await;
        result
    }
}

/// The server's background work: the roll-up every `rollup_every` (until it has caught up),
/// and every hour the retention of raw events and next months' partitions. Errors are logged
/// and tried again next time: a database that is down for a while loses nothing.
async fn maintain(
    store: Store,
    metrics: Arc<Metrics>,
    rollup_every: Duration,
    retain: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut next_retention = tokio::time::Instant::now();
    loop {
        match store.roll_up_all().await {
            Ok(pass) => metrics.rolled_up(pass.events + pass.kiosk_rollups),
            Err(err) => tracing::warn!(error = %err, "roll-up failed; trying again"),
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
        }
        tokio::select! {
            _ = tokio::time::sleep(rollup_every) => {}
            _ = stop.changed() => return,
        }
    }
}
