//! `GET /metrics`: Prometheus text for the internal network (counts of requests, kiosks seen;
//! nothing about a visitor). Open like `/healthz`: keep it off the public side of a proxy.

use crate::AppState;
use crate::error::AppError;
use crate::metrics::StoreFigures;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let now = kepu_core::now_unix_ms();
    let figures = StoreFigures {
        kiosks_seen_15m: state.store.kiosks_seen_since(now - 15 * 60_000).await?,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(figures),
    ))
}
