//! `POST /api/v1/events`: a kiosk delivers a batch; every event is stored once, whatever the
//! number of deliveries. `POST /api/v1/rollups`: the same for the hourly counts a kiosk made of
//! its oldest events when its outbox reached its size cap.

use crate::AppState;
use crate::auth::AuthenticatedKiosk;
use crate::error::AppError;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use kepu_core::wire::{
    EventRollup, INGEST_PATH, IngestRequest, IngestResponse, MAX_BATCH, ROLLUP_PATH,
    ROLLUP_PERIOD_MS, RollupRequest, SCHEMA_VERSION,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(INGEST_PATH, post(ingest))
        .route(ROLLUP_PATH, post(ingest_rollups))
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

async fn ingest_rollups(
    State(state): State<AppState>,
    kiosk: AuthenticatedKiosk,
    body: Result<Json<RollupRequest>, JsonRejection>,
) -> Result<Json<IngestResponse>, AppError> {
    let Json(batch) = body.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    if batch.rollups.len() > MAX_BATCH {
        return Err(AppError::PayloadTooLarge(format!(
            "a batch may hold at most {MAX_BATCH} roll-ups, this one has {}",
            batch.rollups.len()
        )));
    }
    for rollup in &batch.rollups {
        if rollup.kiosk_id != kiosk.kiosk_id {
            return Err(AppError::Forbidden(format!(
                "roll-up {} claims kiosk \"{}\" but the token belongs to kiosk \"{}\"",
                rollup.rollup_id, rollup.kiosk_id, kiosk.kiosk_id
            )));
        }
        check_rollup(rollup).map_err(|problem| {
            AppError::BadRequest(format!("roll-up {}: {problem}", rollup.rollup_id))
        })?;
    }
    let stored = state.db.insert_rollups(&batch.rollups).await?;
    let received = batch.rollups.len() as u64;
    Ok(Json(IngestResponse {
        received,
        stored,
        duplicates: received - stored,
    }))
}

/// A roll-up holds counts and names only: the type is a type tag and the exhibit an id, never
/// free text.
fn check_rollup(rollup: &EventRollup) -> Result<(), String> {
    if rollup.count == 0 {
        return Err("count must be at least 1".into());
    }
    if rollup.correct > rollup.count {
        return Err(format!(
            "correct ({}) is more than count ({})",
            rollup.correct, rollup.count
        ));
    }
    if rollup.hour_start_ms.rem_euclid(ROLLUP_PERIOD_MS) != 0 {
        return Err("hour_start_ms must be the start of an hour".into());
    }
    let tag = &rollup.event_type;
    if tag.is_empty() || tag.len() > 64 || !tag.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    {
        return Err(format!(
            "event_type \"{tag}\" is not an event type (lowercase letters and '_', at most 64)"
        ));
    }
    if let Some(id) = &rollup.exhibit_id {
        let valid = !id.is_empty()
            && id.len() <= 128
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(format!(
                "exhibit_id \"{id}\" is not an exhibit id (letters, digits, '-', '_', '.', at most 128)"
            ));
        }
    }
    Ok(())
}
