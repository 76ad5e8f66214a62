//! Raw events are kept for a while after they arrived (`--retain-raw-days`, 400 by default)
//! and then deleted — only once the roll-up has counted them, so every report keeps its
//! numbers. On PostgreSQL
//! raw events live in month partitions (by the kiosk's time of the event): a month past the
//! retention is dropped whole instead of deleted row by row and vacuumed. What is left over
//! (SQLite; PostgreSQL's default partition) is deleted in chunks.

use crate::{Engine, Store, StoreError, with_pool};

/// Rows per DELETE on SQLite, so the write lock is held briefly.
const DELETE_CHUNK: i64 = 10_000;
/// Month partitions kept ready ahead of the current month.
const MONTHS_AHEAD: i64 = 2;
/// The advisory lock key of partition changes on PostgreSQL.
const PARTITION_LOCK: i64 = 0x6B65_7076;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionPass {
    pub deleted_events: u64,
    pub dropped_partitions: u64,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5; // first day of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month) of a time in ms since the epoch, UTC.
fn civil_month(ms: i64) -> (i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// The month `offset` months after the one `ms` is in: (year, month, start ms, end ms).
fn month(ms: i64, offset: i64) -> (i64, i64, i64, i64) {
    let (year, month) = civil_month(ms);
    let index = year * 12 + (month - 1) + offset;
    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let next = index + 1;
    let (ny, nm) = (next.div_euclid(12), next.rem_euclid(12) + 1);
    (
        y,
        m,
        days_from_civil(y, m) * 86_400_000,
        days_from_civil(ny, nm) * 86_400_000,
    )
}

impl Store {
    /// PostgreSQL: makes sure the month partitions of raw events exist from the current month
    /// to [`MONTHS_AHEAD`] ahead (events of months before the first start land in the default
    /// partition). Returns how many it made. SQLite: nothing to do.
    pub async fn prepare_partitions(&self, now_ms: i64) -> Result<u64, StoreError> {
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(0);
        };
        let mut tx = pool.begin().await?;
        // Two servers starting together must not both create one partition.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PARTITION_LOCK)
            .execute(&mut *tx)
            .await?;
        let mut made = 0;
        for offset in 0..=MONTHS_AHEAD {
            let (year, month, start, end) = month(now_ms, offset);
            let name = format!("events_{year:04}_{month:02}");
            let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(&name)
                .fetch_one(&mut *tx)
                .await?;
            if !exists {
                // Rows of this month already in the default partition (a kiosk clock running
                // ahead) would block the new partition: move them in with it.
                let create = format!(
                    "CREATE TABLE {name} (LIKE events INCLUDING DEFAULTS);
                     WITH moved AS (
                         DELETE FROM events_default
                         WHERE partition_ms >= {start} AND partition_ms < {end}
                         RETURNING *)
                     INSERT INTO {name} SELECT * FROM moved;
                     ALTER TABLE events ATTACH PARTITION {name}
                         FOR VALUES FROM ({start}) TO ({end});"
                );
                // A statement of its own per step: raw_sql's many-statement form cannot be
                // awaited in a task that moves between threads (sqlx's Executor bound).
                for statement in create.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    sqlx::query(statement).execute(&mut *tx).await?;
                }
                made += 1;
            }
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Deletes raw events that arrived before `cutoff_ms` and that the roll-up has counted.
    /// By arrival, not by the kiosk's time of the event: a stored event is what makes a
    /// resent copy a duplicate, so an event that arrived late (a kiosk clock reset to 2024, a
    /// kiosk back after a year) must be kept as long as a fresh one.
    pub async fn delete_raw_before(&self, cutoff_ms: i64) -> Result<RetentionPass, StoreError> {
        let mut pass = RetentionPass::default();
        if self.engine() == Engine::Postgres {
            pass.dropped_partitions = self.drop_old_partitions(cutoff_ms).await?;
        }
        loop {
            let deleted = with_pool!(self, |pool| {
                sqlx::query(
                    "DELETE FROM events WHERE arrival IN (
                         SELECT arrival FROM events
                         WHERE (folded <> 0 OR arrival <= (SELECT arrival FROM rollup_watermark))
                           AND received_at_ms < $1
                         LIMIT $2)",
                )
                .bind(cutoff_ms)
                .bind(DELETE_CHUNK)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
            })?;
            pass.deleted_events += deleted;
            if deleted < DELETE_CHUNK as u64 {
                return Ok(pass);
            }
        }
    }

    /// PostgreSQL: drops every month partition (by kiosk time) that ends before the cutoff and
    /// holds no event the roll-up has not counted and none that arrived after the cutoff.
    async fn drop_old_partitions(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(0);
        };
        let partitions: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass AND c.relname <> 'events_default'",
        )
        .fetch_all(pool)
        .await?;
        let mut dropped = 0;
        for (name, bound) in partitions {
            // "FOR VALUES FROM ('1764547200000') TO ('1767225600000')"
            let end = bound
                .rsplit("TO (")
                .next()
                .map(|rest| rest.trim_matches(|c: char| !c.is_ascii_digit() && c != '-'))
                .and_then(|digits| digits.parse::<i64>().ok());
            let Some(end) = end else { continue };
            if end > cutoff_ms || !name.starts_with("events_") {
                continue;
            }
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PARTITION_LOCK)
                .execute(&mut *tx)
                .await?;
            // Exclusive first: a batch still committing into this partition must either be
            // seen by the check or wait until the drop is done (then it lands in a partition
            // made for it, or the default one), never be dropped with it unseen.
            let lock = format!("LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE");
            sqlx::query(&lock).execute(&mut *tx).await?;
            let check = format!(
                "SELECT EXISTS (SELECT 1 FROM {name} WHERE folded = 0 OR received_at_ms >= {cutoff_ms})"
            );
            let waiting: bool = sqlx::query_scalar(&check).fetch_one(&mut *tx).await?;
            if !waiting {
                let drop = format!("DROP TABLE {name}");
                sqlx::query(&drop).execute(&mut *tx).await?;
                dropped += 1;
            }
            tx.commit().await?;
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_computed_in_utc() {
        // 2026-12-01T11:00:00Z
        let now = 1_796_122_800_000;
        assert_eq!(civil_month(now), (2026, 12));
        let (y, m, start, end) = month(now, 0);
        assert_eq!((y, m), (2026, 12));
        assert_eq!(start, 1_796_083_200_000); // 2026-12-01T00:00:00Z
        assert_eq!(end, 1_798_761_600_000); // 2027-01-01T00:00:00Z
        let (y, m, start, _) = month(now, 2);
        assert_eq!((y, m, start), (2027, 2, 1_801_440_000_000));
        assert_eq!(month(now, -12).0, 2025);
        assert_eq!(civil_month(0), (1970, 1));
        assert_eq!(civil_month(951_782_400_000), (2000, 2)); // 2000-02-29
    }
}
