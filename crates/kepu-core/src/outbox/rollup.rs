//! The size cap: the oldest events (not in flight) rolled up into per-hour counts, and the
//! roll-up rows' own claim and acknowledgement.

use super::quarantine::set_aside;
use super::store::{AtPath, INFLIGHT_THROUGH, ROLLED_UP_TOTAL, meta_get, meta_set, to_i64, to_u64};
use super::{Outbox, OutboxError};
use crate::wire::{EventRollup, ROLLUP_PERIOD_MS};
use rusqlite::params;
use std::collections::BTreeMap;
use uuid::Uuid;

/// After a roll-up the events take at most this share of the cap, so that the commits that
/// follow do not roll up again a few events at a time.
const ROLLUP_LOW_WATER: f64 = 0.9;
/// Most events one roll-up transaction takes, so the writer is never away from its queue long
/// (tens of milliseconds).
const MAX_ROLLUP_CHUNK: u64 = 5_000;

impl Outbox {
    /// Replaces the oldest `max_events` events that are not in flight by per-hour counts, in
    /// one transaction; returns how many events were rolled up. Counts are added to a roll-up
    /// row of the same hour, kiosk, type and exhibit that the uploader has not taken yet, else a
    /// new row (with a new id) is made.
    pub fn roll_up_oldest(&mut self, max_events: u64) -> Result<u64, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let after = meta_get(&tx, INFLIGHT_THROUGH).at(&path)?.unwrap_or(0);
        let rows: Vec<(i64, String)> = {
            let mut stmt = tx
                .prepare_cached("SELECT seq, body FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .at(&path)?;
            stmt.query_map(params![to_i64(after), to_i64(max_events)], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .at(&path)?
            .collect::<Result<_, _>>()
            .at(&path)?
        };
        let Some(&(last_seq, _)) = rows.last() else {
            return Ok(0);
        };
        let mut groups: BTreeMap<RollupKey, (u64, u64)> = BTreeMap::new();
        let mut unreadable = Vec::new();
        for (seq, body) in &rows {
            // Read as plain JSON rather than as `EngagementEvent`, so that event types added
            // after this code was written are counted too.
            match rollup_key(body) {
                Some((key, correct)) => {
                    let entry = groups.entry(key).or_default();
                    entry.0 += 1;
                    entry.1 += u64::from(correct);
                }
                None => unreadable.push(*seq),
            }
        }
        {
            let mut add = tx
                .prepare_cached(
                    "UPDATE rollup SET count = count + ?1, correct = correct + ?2
                     WHERE claimed = 0 AND kiosk_id = ?3 AND hour_start_ms = ?4
                       AND event_type = ?5 AND exhibit_id IS ?6",
                )
                .at(&path)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO rollup (rollup_id, kiosk_id, hour_start_ms, event_type,
                                         exhibit_id, count, correct)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .at(&path)?;
            for (key, (count, correct)) in &groups {
                let added = add
                    .execute(params![
                        to_i64(*count),
                        to_i64(*correct),
                        key.kiosk_id,
                        key.hour_start_ms,
                        key.event_type,
                        key.exhibit_id
                    ])
                    .at(&path)?;
                if added == 0 {
                    insert
                        .execute(params![
                            Uuid::now_v7().to_string(),
                            key.kiosk_id,
                            key.hour_start_ms,
                            key.event_type,
                            key.exhibit_id,
                            to_i64(*count),
                            to_i64(*correct)
                        ])
                        .at(&path)?;
                }
            }
        }
        let now = crate::now_unix_ms();
        for seq in &unreadable {
            set_aside(&tx, *seq, "unreadable when rolled up", None, now).at(&path)?;
        }
        tx.execute(
            "DELETE FROM outbox WHERE seq > ?1 AND seq <= ?2",
            params![to_i64(after), last_seq],
        )
        .at(&path)?;
        let rolled = (rows.len() - unreadable.len()) as u64;
        let total = meta_get(&tx, ROLLED_UP_TOTAL).at(&path)?.unwrap_or(0);
        meta_set(&tx, ROLLED_UP_TOTAL, total + rolled).at(&path)?;
        tx.commit().at(&path)?;
        Ok(rolled)
    }

    /// When the file uses more than `max_bytes`, rolls up the oldest events until it uses at
    /// most 90 % of it (or nothing more can be rolled up); returns how many were rolled up.
    pub fn enforce_cap(&mut self, max_bytes: u64) -> Result<u64, OutboxError> {
        if self.used_bytes()? <= max_bytes {
            return Ok(0);
        }
        let mut rolled = 0;
        // Bounded: each step either frees space or reports that it is done.
        for _ in 0..10_000 {
            let (done, finished) = self.cap_step(max_bytes)?;
            rolled += done;
            if finished {
                break;
            }
        }
        Ok(rolled)
    }

    /// One roll-up transaction of at most [`MAX_ROLLUP_CHUNK`] events toward 90 % of
    /// `max_bytes`: returns the events rolled up and whether the target is reached (or nothing
    /// more can be won now). The writer takes one step between two commits, so a large roll-up
    /// never keeps new events from the disk for long.
    pub(super) fn cap_step(&mut self, max_bytes: u64) -> Result<(u64, bool), OutboxError> {
        let target = (max_bytes as f64 * ROLLUP_LOW_WATER) as u64;
        let used = self.used_bytes()?;
        if used <= target {
            return Ok((0, true));
        }
        // Sequence numbers are nearly contiguous (deletions are mostly from the front), so
        // their span estimates the number of rows without counting them.
        let span = self
            .conn
            .query_row("SELECT MAX(seq) - MIN(seq) + 1 FROM outbox", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .at(&self.path)?
            .map_or(0, to_u64);
        if span == 0 {
            return Ok((0, true));
        }
        let per_event = (used / span).max(1);
        let chunk = ((used - target) / per_event).clamp(64, MAX_ROLLUP_CHUNK);
        let done = self.roll_up_oldest(chunk)?;
        if done > 0 {
            tracing::warn!(
                "outbox {} is over its cap of {max_bytes} bytes: {done} of the oldest events rolled up into hourly counts",
                self.path.display()
            );
        }
        let now = self.used_bytes()?;
        // Nothing rolled up: only events in flight are left. Nothing freed: the space is held by
        // roll-ups and half-empty pages. Either way, nothing more to win now.
        Ok((done, done == 0 || now >= used || now <= target))
    }

    /// Up to `limit` roll-up rows, oldest hour first, marked as taken by the uploader: from now
    /// on they are never added to, so that resending one under its id stays correct.
    pub fn claim_rollups(&mut self, limit: usize) -> Result<Vec<EventRollup>, OutboxError> {
        let path = self.path.clone();
        if !self.any("rollup")? {
            return Ok(Vec::new());
        }
        let tx = self.begin_immediate()?;
        let rows: Vec<(String, EventRollup)> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count,
                            correct
                     FROM rollup ORDER BY claimed DESC, hour_start_ms, rollup_id LIMIT ?1",
                )
                .at(&path)?;
            stmt.query_map(params![to_i64(limit as u64)], |row| {
                // The row is claimed by its id as stored; only rows this outbox made (ids from
                // `Uuid::now_v7`, or carried over after parsing) are in the table.
                let id: String = row.get(0)?;
                let rollup = rollup_from_row(row, Uuid::parse_str(&id).unwrap_or_default())?;
                Ok((id, rollup))
            })
            .at(&path)?
            .collect::<Result<_, _>>()
            .at(&path)?
        };
        {
            let mut claim = tx
                .prepare_cached("UPDATE rollup SET claimed = 1 WHERE rollup_id = ?1")
                .at(&path)?;
            for (id, _) in &rows {
                claim.execute(params![id]).at(&path)?;
            }
        }
        tx.commit().at(&path)?;
        Ok(rows.into_iter().map(|(_, rollup)| rollup).collect())
    }

    /// Deletes delivered roll-up rows; returns how many were deleted.
    pub fn acknowledge_rollups(&mut self, ids: &[Uuid]) -> Result<usize, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut deleted = 0;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM rollup WHERE rollup_id = ?1")
                .at(&path)?;
            for id in ids {
                deleted += delete.execute(params![id.to_string()]).at(&path)?;
            }
        }
        tx.commit().at(&path)?;
        Ok(deleted)
    }
}

/// The roll-up row a query selected as `rollup_id, kiosk_id, hour_start_ms, event_type,
/// exhibit_id, count, correct`, in this order, under the id `rollup_id` (column 0 as the caller
/// read it): the one place a row becomes an [`EventRollup`].
pub(super) fn rollup_from_row(
    row: &rusqlite::Row<'_>,
    rollup_id: Uuid,
) -> rusqlite::Result<EventRollup> {
    Ok(EventRollup {
        rollup_id,
        kiosk_id: row.get(1)?,
        hour_start_ms: row.get(2)?,
        event_type: row.get(3)?,
        exhibit_id: row.get(4)?,
        count: to_u64(row.get(5)?),
        correct: to_u64(row.get(6)?),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RollupKey {
    kiosk_id: String,
    hour_start_ms: i64,
    event_type: String,
    exhibit_id: Option<String>,
}

/// The roll-up group of a stored event body, and whether it was marked correct.
fn rollup_key(body: &str) -> Option<(RollupKey, bool)> {
    let event: serde_json::Value = serde_json::from_str(body).ok()?;
    let kind = event.get("event")?;
    let occurred_at_ms = event.get("occurred_at_ms")?.as_i64()?;
    Some((
        RollupKey {
            kiosk_id: event.get("kiosk_id")?.as_str()?.to_owned(),
            hour_start_ms: occurred_at_ms - occurred_at_ms.rem_euclid(ROLLUP_PERIOD_MS),
            event_type: kind.get("type")?.as_str()?.to_owned(),
            exhibit_id: kind
                .get("exhibit_id")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        },
        kind.get("correct").and_then(|v| v.as_bool()) == Some(true),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::stamp;
    use super::*;
    use crate::wire::{EventDraft, EventKind};

    #[test]
    fn roll_up_counts_per_hour_type_and_exhibit_and_skips_events_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let at = |ms: i64, event: EventKind| EventDraft {
            id: Uuid::now_v7(),
            session_id: None,
            occurred_at_ms: ms,
            event,
        };
        let answer = |correct| EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: "q".into(),
            choice_ids: vec![],
            correct,
            value: None,
            answer_ms: 0,
        };
        let hour = ROLLUP_PERIOD_MS;
        let start = EventKind::SessionStart {
            language: "en".into(),
            modes: Default::default(),
        };
        outbox
            .append(
                &stamp(),
                &[
                    at(10 * hour + 5, start.clone()), // in flight below
                    at(10 * hour + 6, answer(true)),
                    at(10 * hour + 7, answer(false)),
                    at(10 * hour + 8, answer(true)),
                    at(11 * hour, answer(true)),
                    at(11 * hour + 1, start.clone()),
                    at(11 * hour + 2, start),
                ],
            )
            .unwrap();
        assert_eq!(outbox.claim(1).unwrap()[0].seq, 1);
        assert_eq!(outbox.roll_up_oldest(5).unwrap(), 5);
        // Seq 1 is in flight, 2..=6 rolled up, 7 left.
        let left: Vec<u64> = outbox.peek(10).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(left, vec![1, 7]);
        let rollups = outbox.claim_rollups(10).unwrap();
        let mut rows: Vec<_> = rollups
            .iter()
            .map(|r| {
                (
                    r.hour_start_ms / hour,
                    r.event_type.as_str(),
                    r.exhibit_id.as_deref(),
                    r.count,
                    r.correct,
                )
            })
            .collect();
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (10, "quiz_answer", Some("quiz"), 3, 2),
                (11, "quiz_answer", Some("quiz"), 1, 1),
                (11, "session_start", None, 1, 0),
            ]
        );
        // A claimed row is never added to: the next roll-up of the same hour makes a new row.
        assert_eq!(outbox.acknowledge(&[1]).unwrap(), 1);
        assert_eq!(outbox.roll_up_oldest(10).unwrap(), 1);
        let more = outbox.claim_rollups(10).unwrap();
        assert_eq!(
            more.len(),
            4,
            "3 taken before, resent until acknowledged, and 1 new"
        );
        let ids: Vec<Uuid> = rollups.iter().map(|r| r.rollup_id).collect();
        assert_eq!(outbox.acknowledge_rollups(&ids).unwrap(), 3);
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.rollup_rows, stats.rollup_events),
            (0, 1, 1)
        );
        assert_eq!(stats.rolled_up_total, 6);
    }
}
