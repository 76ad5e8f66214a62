//! Raw events and the kiosks' own roll-ups (hourly counts a full outbox made of its oldest
//! events). A batch is stored in one transaction, and an id already stored is ignored, so a
//! batch delivered twice — to this server or to another sharing the database — is stored once.

use crate::{Store, StoreError, db_int, with_pool};
use kepu_core::wire::{EngagementEvent, EventKind, EventRollup, ExhibitStats, StatsSummary};
use sqlx::{QueryBuilder, Row};

/// Rows per INSERT statement: a full batch (13 values a row: 6,500 binds, below SQLite's
/// 32,766 and PostgreSQL's 65,535).
const INSERT_CHUNK: usize = kepu_core::wire::MAX_BATCH;

/// One accepted event as it is stored.
#[derive(Debug, Clone, Copy)]
pub struct EventToStore<'a> {
    pub event: &'a EngagementEvent,
    /// The event's own time, or the receive time when the kiosk's clock is not trusted.
    pub occurred_at_ms: i64,
    pub occurred_at_trusted: bool,
    /// The event as JSON, exactly as the kiosk sent it.
    pub body: &'a str,
}

/// Earliest and latest kiosk time a partition key takes (2024-01-01 and 2200-01-01).
pub const PARTITION_MS_RANGE: (i64, i64) = (1_704_067_200_000, 7_258_118_400_000);

/// The partition key of an event: the kiosk's own time of it, clamped, so that every delivery
/// of one event has the same key even when the kiosk's clock is wrong.
pub fn partition_ms(kiosk_occurred_at_ms: i64) -> i64 {
    kiosk_occurred_at_ms.clamp(PARTITION_MS_RANGE.0, PARTITION_MS_RANGE.1)
}

impl Store {
    /// Stores a batch in one transaction; an id already stored is ignored. Returns how many
    /// events were new.
    pub async fn insert_events(
        &self,
        events: &[EventToStore<'_>],
        received_at_ms: i64,
    ) -> Result<u64, StoreError> {
        let stored = with_pool!(self, |pool, Db| {
            let mut tx = pool.begin().await?;
            let mut stored = 0;
            // One statement per chunk rather than one per event: the per-statement cost
            // dominates, and this is what lets a kiosk's backlog drain quickly.
            for chunk in events.chunks(INSERT_CHUNK) {
                let mut insert = QueryBuilder::<Db>::new(
                    "INSERT INTO events (id, kiosk_id, boot_id, seq, session_id, event_type,
                                         exhibit_id, correct, occurred_at_ms, occurred_at_trusted,
                                         received_at_ms, body, partition_ms) ",
                );
                insert.push_values(chunk, |mut row, stored| {
                    let event = stored.event;
                    let correct = match &event.event {
                        EventKind::QuizAnswer { correct, .. }
                        | EventKind::SortPlacement { correct, .. } => Some(i64::from(*correct)),
                        _ => None,
                    };
                    row.push_bind(event.id.to_string())
                        .push_bind(event.kiosk_id.clone())
                        .push_bind(event.boot_id.to_string())
                        .push_bind(db_int(event.seq))
                        .push_bind(event.session_id.map(|s| s.to_string()))
                        .push_bind(event.event.type_name())
                        .push_bind(event.event.exhibit_id().map(str::to_owned))
                        .push_bind(correct)
                        .push_bind(stored.occurred_at_ms)
                        .push_bind(i64::from(stored.occurred_at_trusted))
                        .push_bind(received_at_ms)
                        .push_bind(stored.body.to_owned())
                        .push_bind(partition_ms(event.occurred_at_ms));
                });
                // No conflict target: on PostgreSQL the unique key is (id, partition_ms).
                insert.push(" ON CONFLICT DO NOTHING");
                stored += insert.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(stored)
        })?;
        Ok(stored)
    }

    /// Stores roll-up rows in one transaction; a roll-up id already stored is ignored.
    /// Returns how many rows were new.
    pub async fn insert_rollups(
        &self,
        rollups: &[EventRollup],
        received_at_ms: i64,
    ) -> Result<u64, StoreError> {
        let stored = with_pool!(self, |pool, Db| {
            let mut tx = pool.begin().await?;
            let mut stored = 0;
            for chunk in rollups.chunks(INSERT_CHUNK) {
                let mut insert = QueryBuilder::<Db>::new(
                    "INSERT INTO rollups (rollup_id, kiosk_id, hour_start_ms, event_type,
                                          exhibit_id, count, correct, received_at_ms) ",
                );
                insert.push_values(chunk, |mut row, rollup| {
                    row.push_bind(rollup.rollup_id.to_string())
                        .push_bind(rollup.kiosk_id.clone())
                        .push_bind(rollup.hour_start_ms)
                        .push_bind(rollup.event_type.clone())
                        .push_bind(rollup.exhibit_id.clone())
                        .push_bind(db_int(rollup.count))
                        .push_bind(db_int(rollup.correct))
                        .push_bind(received_at_ms);
                });
                insert.push(" ON CONFLICT (rollup_id) DO NOTHING");
                stored += insert.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(stored)
        })?;
        Ok(stored)
    }

    /// Totals from the hourly roll-ups (which count raw events and the kiosks' own roll-ups
    /// alike, so a kiosk whose outbox had to roll up its oldest events still counts every one
    /// of them). Events not yet folded are not in it: the roll-up runs every second.
    pub async fn summary(&self) -> Result<StatsSummary, StoreError> {
        let sum = |expr: &str| self.saturating_sum(expr);
        let totals = format!(
            "SELECT {}, {} FROM hourly_events",
            sum("CASE WHEN event_type = 'session_start' THEN events ELSE 0 END"),
            sum("events")
        );
        let per_exhibit = format!(
            "SELECT exhibit_id, {} AS opens, {} AS answers, {} AS correct
             FROM hourly_events
             WHERE exhibit_id <> ''
             GROUP BY exhibit_id
             ORDER BY exhibit_id",
            sum("CASE WHEN event_type = 'exhibit_open' THEN events ELSE 0 END"),
            sum("CASE WHEN event_type = 'quiz_answer' THEN events ELSE 0 END"),
            sum("CASE WHEN event_type = 'quiz_answer' THEN correct ELSE 0 END"),
        );
        let count = crate::count;
        let (sessions, events): (i64, i64) =
            with_pool!(self, |pool| sqlx::query_as(&totals).fetch_one(pool).await)?;
        let exhibits = with_pool!(self, |pool| {
            let rows = sqlx::query(&per_exhibit).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok(ExhibitStats {
                        exhibit_id: row.try_get("exhibit_id")?,
                        opens: count(row.try_get("opens")?),
                        quiz_answers: count(row.try_get("answers")?),
                        quiz_correct: count(row.try_get("correct")?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        Ok(StatsSummary {
            sessions: count(sessions),
            events: count(events),
            exhibits,
        })
    }
}
