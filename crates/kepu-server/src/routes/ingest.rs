//! `POST /api/v1/events`: a kiosk delivers a batch; every event is checked against schema v1
//! (`kepu_core::wire::check`) and stored once, whatever the number of deliveries.
//! `POST /api/v1/rollups`: the same for the hourly counts a kiosk made of its oldest events
//! when its outbox reached its size cap. A batch with one bad item is refused whole (nothing
//! stored), naming the item, so the kiosk can set it aside and send the rest.

use super::{ApiJson, ApiRouter};
use crate::AppState;
use crate::auth::AuthenticatedKiosk;
use crate::error::AppError;
use crate::metrics::BatchKind;
use crate::openapi::Operation;
use axum::extract::State;
use axum::{Extension, Json};
use kepu_core::wire::check::{EventClock, Rejection, check_event, check_rollup};
use kepu_core::wire::{
    INGEST_PATH, IngestRequest, IngestResponse, MAX_BATCH, ROLLUP_PATH, RollupRequest,
};
use kepu_store::events::EventToStore;
use kepu_store::kiosks::KioskSeen;
use kepu_store::rollup::fold::hour_of;

pub fn router() -> ApiRouter {
    const REFUSED: &str = "An item breaks a rule of event schema v1 (`kepu_core::wire::check`), \
        does not parse (`malformed_item`: a field this server does not know), or names another \
        kiosk than the token's (`other_kiosk`): `error` names the rule, `detail` the field, \
        `rejected_event` the item's id, which the kiosk sets aside. Nothing of the batch is \
        stored.";
    ApiRouter::new()
        .post(
            INGEST_PATH,
            ingest,
            Operation::new("ingestEvents", "Deliver a batch of engagement events")
                .kiosk()
                .json_body::<IngestRequest>()
                .ok::<IngestResponse>("Every event is stored, now or by an earlier delivery.")
                .error(422, REFUSED),
        )
        .post(
            ROLLUP_PATH,
            ingest_rollups,
            Operation::new(
                "ingestRollups",
                "Deliver hourly counts that replaced raw events",
            )
            .kiosk()
            .json_body::<RollupRequest>()
            .ok::<IngestResponse>("Every roll-up is stored, now or by an earlier delivery.")
            .error(422, REFUSED),
        )
}

fn invalid(what: &str, id: uuid::Uuid, rejection: Rejection) -> AppError {
    AppError::Invalid {
        detail: format!("{what} {id}: {rejection}"),
        reason: rejection.reason.as_str(),
        rejected: Some(id),
    }
}

/// An item of another kiosk than the token's (its kiosk.toml's `kiosk_id` was changed while
/// older events waited): refused, and named, so the kiosk sets it aside instead of retrying it
/// forever. Its claimed name is not echoed.
fn other_kiosk(what: &str, id: uuid::Uuid, token_kiosk: &str) -> AppError {
    AppError::Invalid {
        detail: format!("{what} {id} names another kiosk than this token's (\"{token_kiosk}\")"),
        reason: "other_kiosk",
        rejected: Some(id),
    }
}

fn too_many(what: &str, n: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "a batch may hold at most {MAX_BATCH} {what}, this one has {n}"
    ))
}

async fn ingest(
    State(state): State<AppState>,
    Extension(kiosk): Extension<AuthenticatedKiosk>,
    ApiJson(batch): ApiJson<IngestRequest>,
) -> Result<Json<IngestResponse>, AppError> {
    if batch.events.len() > MAX_BATCH {
        return Err(too_many("events", batch.events.len()));
    }
    let started = std::time::Instant::now();
    let received_at_ms = kepu_core::now_unix_ms();
    let mut untrusted_clock = false;
    let mut bodies = Vec::with_capacity(batch.events.len());
    let mut clocks = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        if event.kiosk_id != kiosk.kiosk_id {
            return Err(other_kiosk("event", event.id, &kiosk.kiosk_id));
        }
        let clock =
            check_event(event, received_at_ms).map_err(|r| invalid("event", event.id, r))?;
        untrusted_clock |= clock == EventClock::Untrusted;
        clocks.push(clock);
        // Serialising a value that was just deserialised cannot fail.
        bodies.push(serde_json::to_string(event).unwrap_or_default());
    }
    let rows: Vec<EventToStore<'_>> = batch
        .events
        .iter()
        .zip(&bodies)
        .zip(&clocks)
        .map(|((event, body), clock)| EventToStore {
            event,
            // A kiosk whose clock is off (no battery, never synchronised) keeps its events:
            // they count at the time they arrived, and kiosk health shows the clock.
            occurred_at_ms: match clock {
                EventClock::Trusted => event.occurred_at_ms,
                EventClock::Untrusted => received_at_ms,
            },
            occurred_at_trusted: *clock == EventClock::Trusted,
            body,
        })
        .collect();
    let stored = state.store.insert_events(&rows, received_at_ms).await?;
    state
        .store
        .kiosk_seen(&KioskSeen {
            kiosk: &kiosk.kiosk_id,
            at_ms: received_at_ms,
            app_version: batch.events.last().map(|e| e.app_version.as_str()),
            clock_untrusted: untrusted_clock,
        })
        .await?;
    let received = batch.events.len() as u64;
    state
        .metrics
        .batch_accepted(BatchKind::Events, received, stored, started.elapsed());
    tracing::info!(kiosk = %kiosk.kiosk_id, received, stored, "events accepted");
    Ok(Json(IngestResponse {
        received,
        stored,
        duplicates: received.saturating_sub(stored),
    }))
}

async fn ingest_rollups(
    State(state): State<AppState>,
    Extension(kiosk): Extension<AuthenticatedKiosk>,
    ApiJson(mut batch): ApiJson<RollupRequest>,
) -> Result<Json<IngestResponse>, AppError> {
    if batch.rollups.len() > MAX_BATCH {
        return Err(too_many("roll-ups", batch.rollups.len()));
    }
    let started = std::time::Instant::now();
    let received_at_ms = kepu_core::now_unix_ms();
    let mut untrusted_clock = false;
    for rollup in &mut batch.rollups {
        if rollup.kiosk_id != kiosk.kiosk_id {
            return Err(other_kiosk("roll-up", rollup.rollup_id, &kiosk.kiosk_id));
        }
        let clock = check_rollup(rollup, received_at_ms)
            .map_err(|r| invalid("roll-up", rollup.rollup_id, r))?;
        if clock == EventClock::Untrusted {
            // Like events, hourly counts from a kiosk whose clock is off count in the hour they
            // arrived (a kiosk roll-up is never changed once sent, so every delivery agrees).
            untrusted_clock = true;
            rollup.hour_start_ms = hour_of(received_at_ms);
        }
    }
    let stored = state
        .store
        .insert_rollups(&batch.rollups, received_at_ms)
        .await?;
    state
        .store
        .kiosk_seen(&KioskSeen {
            kiosk: &kiosk.kiosk_id,
            at_ms: received_at_ms,
            app_version: None,
            clock_untrusted: untrusted_clock,
        })
        .await?;
    let received = batch.rollups.len() as u64;
    state
        .metrics
        .batch_accepted(BatchKind::Rollups, received, stored, started.elapsed());
    tracing::info!(kiosk = %kiosk.kiosk_id, received, stored, "roll-ups accepted");
    Ok(Json(IngestResponse {
        received,
        stored,
        duplicates: received.saturating_sub(stored),
    }))
}
