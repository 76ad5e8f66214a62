//! Raw events read back for an export (the dashboard's xAPI export for a learning record
//! store): every visitor event of a period, in chunks, without holding the period in memory.

use crate::{Store, StoreError, with_pool};
use futures_util::TryStreamExt;
use kepu_core::wire::EngagementEvent;
use sqlx::Row;

/// One stored event with what the export adds to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedEvent {
    pub event: EngagementEvent,
    /// The time it is counted at (its own, or its arrival when the kiosk's clock was wrong).
    pub occurred_at_ms: i64,
    pub venue: String,
}

impl Store {
    /// Every event of a visitor session that happened in `from_ms..to_ms`, handed to
    /// `on_chunk` `chunk` events at a time (in no particular order: a learning record store
    /// orders by timestamp itself). `on_chunk` returns false to stop (the client went away).
    /// Returns how many events were handed over. Events whose body cannot be read back are
    /// skipped and logged (they were validated when stored; never expected).
    ///
    /// The range is on the partition key (the kiosk's time, clamped), which PostgreSQL prunes
    /// by month; SQLite scans the table (an index here would be paid by every insert, and the
    /// export is an occasional admin task).
    pub async fn export_events<F, Fut>(
        &self,
        from_ms: i64,
        to_ms: i64,
        chunk: usize,
        mut on_chunk: F,
    ) -> Result<u64, StoreError>
    where
        F: FnMut(Vec<ExportedEvent>) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let chunk = chunk.max(1);
        let sql = "SELECT e.body, e.occurred_at_ms, v.name AS venue
                   FROM events e JOIN kiosks k ON k.id = e.kiosk_id
                   JOIN venues v ON v.id = k.venue_id
                   WHERE e.partition_ms >= $1 AND e.partition_ms < $2
                     AND e.occurred_at_ms >= $1 AND e.occurred_at_ms < $2
                     AND e.session_id IS NOT NULL";
        let mut handed = 0_u64;
        let mut batch = Vec::with_capacity(chunk);
        with_pool!(self, |pool| {
            let mut rows = sqlx::query(sql).bind(from_ms).bind(to_ms).fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let body: String = row.try_get("body")?;
                let event = match serde_json::from_str::<EngagementEvent>(&body) {
                    Ok(event) => event,
                    Err(err) => {
                        tracing::warn!(error = %err, "a stored event cannot be read back; not exported");
                        continue;
                    }
                };
                batch.push(ExportedEvent {
                    event,
                    occurred_at_ms: row.try_get("occurred_at_ms")?,
                    venue: row.try_get("venue")?,
                });
                if batch.len() == chunk {
                    handed += batch.len() as u64;
                    if !on_chunk(std::mem::replace(&mut batch, Vec::with_capacity(chunk))).await {
                        return Ok(handed);
                    }
                }
            }
        });
        if !batch.is_empty() {
            handed += batch.len() as u64;
            on_chunk(batch).await;
        }
        Ok(handed)
    }
}

impl Store {
    /// The manifests (as JSON) of the exhibits published now (not retired), for the reports'
    /// names and measures and the xAPI export's activity definitions.
    pub async fn published_manifests(&self) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT manifest_json FROM exhibits WHERE retired_at_ms IS NULL ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })?)
    }
}
