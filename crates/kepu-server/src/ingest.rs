//! `POST /api/v1/events`: a kiosk delivers a batch; every event is stored once, whatever the
//! number of deliveries.

use crate::AppState;
use crate::auth::AuthenticatedKiosk;
use crate::error::AppError;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use kepu_core::wire::{INGEST_PATH, IngestRequest, IngestResponse, MAX_BATCH, SCHEMA_VERSION};

pub fn router() -> Router<AppState> {
    Router::new().route(INGEST_PATH, post(ingest))
}

async fn ingest(
    State(state): State<AppState>,
    kiosk: AuthenticatedKiosk,
    body: Result<Json<IngestRequest>, JsonRejection>,
) -> Result<Json<IngestResponse>, AppError> {
    let Json(batch) = body.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    if batch.events.len() > MAX_BATCH {
        return Err(AppError::PayloadTooLarge(format!(
            "a batch may hold at most {MAX_BATCH} events, this one has {}",
            batch.events.len()
        )));
    }
    if let Some(event) = batch.events.iter().find(|e| e.kiosk_id != kiosk.kiosk_id) {
        return Err(AppError::Forbidden(format!(
            "event {} claims kiosk \"{}\" but the token belongs to kiosk \"{}\"",
            event.id, event.kiosk_id, kiosk.kiosk_id
        )));
    }
    if let Some(event) = batch
        .events
        .iter()
        .find(|e| e.schema_version != SCHEMA_VERSION)
    {
        return Err(AppError::BadRequest(format!(
            "event {} has schema version {}; this server understands version {SCHEMA_VERSION}",
            event.id, event.schema_version
        )));
    }
    let stored = state.db.insert_events(&batch.events).await?;
    let received = batch.events.len() as u64;
    Ok(Json(IngestResponse {
        received,
        stored,
        duplicates: received - stored,
    }))
}
