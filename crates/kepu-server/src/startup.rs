//! Builds the server from its settings: opens the store, binds the port, composes the app.

use crate::limits::{RateLimiter, RatePolicy};
use crate::serve::ServeLimits;
use crate::{AppState, Guards, app};
use anyhow::Context;
use kepu_store::{Location, OpenOptions, Store};
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database: Location,
    pub store: OpenOptions,
    pub limits: ServeLimits,
    pub kiosk_rate: RatePolicy,
}

/// A bound, ready server: `local_addr` is known (port 0 picks one) before it runs.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
}

pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
    let store = kepu_store::open(&config.database, &config.store)
        .await
        .with_context(|| format!("cannot open the database ({})", config.database.describe()))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let guards = Guards {
        kiosk_requests: RateLimiter::new(config.kiosk_rate),
        ..Guards::default()
    };
    Ok(Application {
        listener,
        state: AppState::with_guards(store, guards),
        limits: config.limits.clone(),
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
        let result =
            crate::serve::serve(self.listener, app(self.state), self.limits, shutdown).await;
        store.close().await;
        result
    }
}
