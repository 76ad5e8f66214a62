//! One log line per request: request id, method, route, kiosk (when authenticated), status and
//! time taken. Never a body, a header, a token, a password or a client address.

use crate::AppState;
use crate::error::ErrorCode;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

pub async fn trace_request(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let ingest = matches!(
        request.uri().path(),
        kepu_core::wire::INGEST_PATH | kepu_core::wire::ROLLUP_PATH
    );
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    // The route's pattern, not the raw path: a path is whatever the client typed.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %request.method(),
        route = %route,
        kiosk = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    if ingest && let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
        state.metrics.rejected(code);
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, elapsed_ms, "request done");
        } else if status >= 400 {
            tracing::warn!(status, elapsed_ms, "request done");
        } else {
            tracing::info!(status, elapsed_ms, "request done");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
