//! `GET /api/v1/stats/summary`: sessions, and per exhibit the opens and quiz answers. Staff only.

use super::ApiRouter;
use crate::AppState;
use crate::error::AppError;
use crate::openapi::Operation;
use axum::Json;
use axum::extract::State;
use kepu_core::wire::{SUMMARY_PATH, StatsSummary};

pub fn router() -> ApiRouter {
    ApiRouter::new().get(
        SUMMARY_PATH,
        summary,
        Operation::new(
            "statsSummary",
            "Sessions, and per exhibit the opens and quiz answers",
        )
        .staff()
        .ok::<StatsSummary>("Counts over every event stored."),
    )
}

async fn summary(State(state): State<AppState>) -> Result<Json<StatsSummary>, AppError> {
    Ok(Json(state.store.summary().await?))
}
