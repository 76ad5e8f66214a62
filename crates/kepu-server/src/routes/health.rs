//! `/healthz`: the process is up. `/readyz`: it can reach its database. Both open (for load
//! balancers and monitoring on the internal network); neither shows engagement.

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.ping().await.map_err(AppError::Unavailable)?;
    Ok("ready")
}
