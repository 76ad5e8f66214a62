//! `GET /metrics`: Prometheus text for the internal network (counts of requests, kiosks seen;
//! nothing about a visitor). Open like `/healthz`: keep it off the public side of a proxy.

use super::ApiRouter;
use crate::AppState;
use crate::error::AppError;
use crate::metrics::StoreFigures;
use crate::openapi::Operation;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

pub fn router() -> ApiRouter {
    ApiRouter::new().get(
        "/metrics",
        metrics,
        Operation::new("metrics", "Prometheus metrics of this server process")
            .ok_text(
                "text/plain",
                "Prometheus text format 0.0.4: requests, batches, rejections, kiosks seen.",
            )
            .error(
                500,
                "The database failed (details in the server's log only).",
            ),
    )
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let now = kepu_core::now_unix_ms();
    let figures = StoreFigures {
        kiosks_seen_15m: state.store.kiosks_seen_since(now - 15 * 60_000).await?,
        rollup_lag_ms: state
            .store
            .oldest_unfolded_ms()
            .await?
            .map_or(0, |oldest| u64::try_from(now - oldest).unwrap_or(0)),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(figures),
    ))
}
