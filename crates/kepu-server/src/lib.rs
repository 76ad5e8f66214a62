//! kepu-server: the district server. Kiosks post anonymous engagement events; staff read stats.
//!
//! `app(state)` builds the whole HTTP API; each resource module has its own `router()`.

pub mod auth;
pub mod db;
mod encoding;
pub mod error;
mod ingest;
mod stats;

use axum::Router;
use db::Db;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

/// Largest request body accepted (after decompression): a full batch of events with ample room.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(ingest::router())
        .merge(stats::router())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(encoding::decode_request_body))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
