//! `/healthz`: the process is up. `/readyz`: it can reach its database. Both open (for load
//! balancers and monitoring on the internal network); neither shows engagement.

use super::ApiRouter;
use crate::AppState;
use crate::error::AppError;
use crate::openapi::Operation;
use axum::extract::State;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .get(
            "/healthz",
            alive,
            Operation::new("healthz", "Whether the server process is up")
                .ok_text("text/plain", "`ok`"),
        )
        .get(
            "/readyz",
            ready,
            Operation::new("readyz", "Whether the server can reach its database")
                .ok_text("text/plain", "`ready`")
                .error(503, "The database is not reachable."),
        )
}

async fn alive() -> &'static str {
    "ok"
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.ping().await.map_err(AppError::Unavailable)?;
    Ok("ready")
}
