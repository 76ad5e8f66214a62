//! kepu-server: the district server. Kiosks post anonymous engagement events; staff read stats.
//!
//! Layers (see ARCHITECTURE.md): `main.rs` parses the command line; `startup` builds the
//! server from a `config`; `routes/` (one `router()` per resource) and `auth/` are the only
//! modules that know HTTP; storage is the `kepu-store` crate; the event rules are kepu-core's.

pub mod auth;
pub mod charts;
pub mod commands;
pub mod config;
pub mod domain;
mod encoding;
pub mod error;
pub mod export;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod report_data;
pub mod reports;
pub mod routes;
pub mod scope;
pub mod serve;
pub mod startup;
mod telemetry;
pub mod web;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use kepu_store::Store;
use limits::{FailureLimiter, RateLimiter, SignInThrottle};
use std::sync::Arc;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub guards: Arc<Guards>,
    pub metrics: Arc<metrics::Metrics>,
    /// Dashboard sign-ins: how long they last, cookie flags, the clock they are judged by.
    pub sessions: Arc<auth::session::SessionConfig>,
    /// k and the district's time zone for every report.
    pub reports: report_data::ReportSettings,
}

/// Limits kept in memory, per server process.
#[derive(Default)]
pub struct Guards {
    /// Requests per kiosk (a token bucket each).
    pub kiosk_requests: RateLimiter<String>,
    /// Failed sign-ins (kiosk token or staff password) per client address.
    pub failed_auth: FailureLimiter,
    /// Wrong staff passwords per account and per address (sign-in form and HTTP Basic).
    pub sign_in: SignInThrottle,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self::with_guards(store, Guards::default())
    }

    pub fn with_guards(store: Store, guards: Guards) -> Self {
        Self {
            store,
            guards: Arc::new(guards),
            metrics: Arc::default(),
            sessions: Arc::default(),
            reports: report_data::ReportSettings::default(),
        }
    }

    /// The same state with these report settings.
    pub fn with_reports(self, reports: report_data::ReportSettings) -> Self {
        Self { reports, ..self }
    }

    /// The same state with these session settings.
    pub fn with_sessions(self, sessions: auth::session::SessionConfig) -> Self {
        Self {
            sessions: Arc::new(sessions),
            ..self
        }
    }
}

/// Largest request body accepted (after decompression): a full batch of events with ample room.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // Layers run outside in: the last one added runs first. Kiosk routes check the token
    // before the body is decoded; staff routes check the sign-in before anything is read.
    let kiosk_routes = routes::ingest::router()
        .route_layer(from_fn(encoding::decode_request_body))
        .route_layer(from_fn_with_state(state.clone(), auth::require_kiosk));
    let staff_routes = routes::stats::router()
        .merge(routes::reports::router())
        .merge(routes::export::router())
        .route_layer(from_fn_with_state(state.clone(), auth::require_staff));
    routes::ApiRouter::new()
        .merge(kiosk_routes)
        .merge(staff_routes)
        .merge(routes::health::router())
        .merge(routes::metrics::router())
        .with_openapi_document()
        .into_router()
        // The dashboard's HTML side (sign-in, pages, admin, assets): not part of the API and
        // its document; it has its own guards (session, CSRF, admin role).
        .merge(web::router(state.clone()))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn(encoding::refuse_declared_oversize))
        .layer(from_fn_with_state(state.clone(), telemetry::trace_request))
        .with_state(state)
}
