//! `GET /api/v1/stats/summary`: sessions, and per exhibit the opens and quiz answers. Staff only.

use crate::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kepu_core::wire::{SUMMARY_PATH, StatsSummary};

pub fn router() -> Router<AppState> {
    Router::new().route(SUMMARY_PATH, get(summary))
}

async fn summary(State(state): State<AppState>) -> Result<Json<StatsSummary>, AppError> {
    Ok(Json(state.store.summary().await?))
}
