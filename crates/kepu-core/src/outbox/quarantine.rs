//! Rows set aside: unreadable here, or refused by the server. Kept for inspection, never sent
//! again, so that one bad row never blocks the queue.

use super::store::{AtPath, to_i64, to_u64};
use super::{Outbox, OutboxError, QuarantinedEvent};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

impl Outbox {
    /// Moves an unreadable event out of the queue into the `quarantine` table, where it is kept
    /// for inspection but never sent, so that one bad row cannot stop every later one. Returns
    /// whether the row existed.
    pub fn quarantine(&mut self, seq: i64, reason: &str) -> Result<bool, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let moved = set_aside(&tx, seq, reason, None, crate::now_unix_ms()).at(&path)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", params![seq])
            .at(&path)?;
        tx.commit().at(&path)?;
        Ok(moved == 1)
    }

    /// Moves the event whose id is `id` into the quarantine as refused by the server (`code`:
    /// the server's reason code, `detail`: its words): kept for inspection, never sent again,
    /// counted in [`OutboxStats::refused_events`](super::OutboxStats::refused_events). Only an
    /// event among `seqs`, the batch the server refused, is moved: a refusal naming any other
    /// event changes nothing. Returns the event's sequence number, `None` when no event of
    /// `seqs` has that id.
    pub fn quarantine_refused(
        &mut self,
        id: Uuid,
        seqs: &[u64],
        code: &str,
        detail: &str,
    ) -> Result<Option<u64>, OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let seq = tx
            .query_row(
                "SELECT seq FROM outbox WHERE id = ?1",
                params![id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .at(&path)?
            .map(to_u64)
            .filter(|seq| seqs.contains(seq));
        let Some(seq) = seq else {
            return Ok(None);
        };
        set_aside(
            &tx,
            to_i64(seq),
            &refusal_reason(code, detail),
            Some(code),
            crate::now_unix_ms(),
        )
        .at(&path)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", params![to_i64(seq)])
            .at(&path)?;
        tx.commit().at(&path)?;
        Ok(Some(seq))
    }

    /// Moves the roll-up row `id`, if it is among `ids` (the batch the server refused), into
    /// the `rollup_quarantine` table as refused by the server: kept, never sent again, its
    /// events counted in [`OutboxStats::refused_events`](super::OutboxStats::refused_events).
    /// Returns how many events the row counts, `None` when no row of `ids` has that id.
    pub fn quarantine_refused_rollup(
        &mut self,
        id: Uuid,
        ids: &[Uuid],
        code: &str,
        detail: &str,
    ) -> Result<Option<u64>, OutboxError> {
        if !ids.contains(&id) {
            return Ok(None);
        }
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let count = tx
            .query_row(
                "SELECT count FROM rollup WHERE rollup_id = ?1",
                params![id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .at(&path)?;
        let Some(count) = count else {
            return Ok(None);
        };
        tx.execute(
            "INSERT OR REPLACE INTO rollup_quarantine (rollup_id, kiosk_id, hour_start_ms,
                 event_type, exhibit_id, count, correct, refused_as, reason, at_ms)
             SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count, correct,
                    ?2, ?3, ?4
             FROM rollup WHERE rollup_id = ?1",
            params![
                id.to_string(),
                code,
                refusal_reason(code, detail),
                crate::now_unix_ms()
            ],
        )
        .at(&path)?;
        tx.execute(
            "DELETE FROM rollup WHERE rollup_id = ?1",
            params![id.to_string()],
        )
        .at(&path)?;
        tx.commit().at(&path)?;
        Ok(Some(to_u64(count)))
    }

    /// The events set aside in the quarantine, unreadable or refused, in sequence order.
    pub fn quarantined(&self) -> Result<Vec<QuarantinedEvent>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body, reason, refused_as, at_ms FROM quarantine ORDER BY seq")
            .at(&self.path)?;
        stmt.query_map([], |row| {
            Ok(QuarantinedEvent {
                seq: to_u64(row.get(0)?),
                body: row.get(1)?,
                reason: row.get(2)?,
                refused_as: row.get(3)?,
                at_ms: row.get(4)?,
            })
        })
        .at(&self.path)?
        .collect::<Result<_, _>>()
        .at(&self.path)
    }
}

/// Copies the event `seq` into the `quarantine` table with `reason` (`refused_as`: the
/// server's reason code, `None` for a row unreadable here); the caller deletes it from the
/// queue in the same transaction. Returns how many rows were copied: 0 when there is no such
/// event.
pub(super) fn set_aside(
    conn: &Connection,
    seq: i64,
    reason: &str,
    refused_as: Option<&str>,
    at_ms: i64,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT OR REPLACE INTO quarantine (seq, body, reason, at_ms, refused_as)
         SELECT seq, body, ?2, ?3, ?4 FROM outbox WHERE seq = ?1",
        params![seq, reason, at_ms, refused_as],
    )
}

/// The `reason` of a row the server refused.
fn refusal_reason(code: &str, detail: &str) -> String {
    format!("refused by the server ({code}): {detail}")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{draft, stamp};
    use super::*;
    use crate::wire::EngagementEvent;

    #[test]
    fn a_corrupt_row_is_reported_not_skipped_and_can_be_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        let mut outbox = Outbox::open(&path).unwrap();
        outbox.append(&stamp(), &[draft(1), draft(2)]).unwrap();
        outbox
            .conn
            .execute("UPDATE outbox SET body = '{not json' WHERE seq = 1", [])
            .unwrap();
        assert!(matches!(
            outbox.peek(10),
            Err(OutboxError::Corrupt { seq: 1, .. })
        ));
        assert!(matches!(
            outbox.claim(10),
            Err(OutboxError::Corrupt { seq: 1, .. })
        ));
        assert!(outbox.quarantine(1, "test").unwrap());
        assert_eq!(outbox.claim(10).unwrap()[0].seq, 2);
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.backlog, stats.quarantined), (1, 1));
    }

    #[test]
    fn a_refused_event_is_set_aside_only_from_its_batch_and_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        let drafts = [draft(1), draft(2), draft(3)];
        outbox.append(&stamp(), &drafts).unwrap();
        let batch = outbox.claim_stored_after(0, 2).unwrap();
        let seqs: Vec<u64> = batch.iter().map(|e| e.seq).collect();
        // Not of the batch (seq 3 was not sent), unknown: nothing moves.
        for id in [drafts[2].id, Uuid::new_v4()] {
            assert_eq!(
                outbox
                    .quarantine_refused(id, &seqs, "bad_identifier", "no")
                    .unwrap(),
                None
            );
        }
        assert_eq!(
            outbox
                .quarantine_refused(drafts[1].id, &seqs, "bad_identifier", "event.exhibit_id")
                .unwrap(),
            Some(2)
        );
        // An unreadable row too, for the counts.
        outbox
            .conn
            .execute("UPDATE outbox SET body = '{' WHERE seq = 3", [])
            .unwrap();
        assert!(outbox.quarantine(3, "EOF").unwrap());
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.backlog, stats.quarantined, stats.refused_events),
            (1, 1, 1)
        );
        let rows = outbox.quarantined().unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.seq, r.refused_as.as_deref()))
                .collect::<Vec<_>>(),
            vec![(2, Some("bad_identifier")), (3, None)]
        );
        assert_eq!(
            rows[0].reason,
            "refused by the server (bad_identifier): event.exhibit_id"
        );
        assert_eq!(
            serde_json::from_str::<EngagementEvent>(&rows[0].body)
                .unwrap()
                .id,
            drafts[1].id,
            "kept as it was stored"
        );
        assert_eq!(outbox.peek(10).unwrap()[0].seq, 1);
    }

    #[test]
    fn a_refused_rollup_is_set_aside_with_its_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("o.sqlite3")).unwrap();
        outbox
            .append(&stamp(), &[draft(1), draft(2), draft(3)])
            .unwrap();
        assert_eq!(outbox.roll_up_oldest(10).unwrap(), 3);
        let rows = outbox.claim_rollups(10).unwrap();
        assert_eq!(rows.len(), 1);
        let id = rows[0].rollup_id;
        assert_eq!(
            outbox
                .quarantine_refused_rollup(id, &[], "bad_rollup", "x")
                .unwrap(),
            None,
            "not of the batch"
        );
        assert_eq!(
            outbox
                .quarantine_refused_rollup(id, &[id], "bad_rollup", "x")
                .unwrap(),
            Some(3)
        );
        assert!(outbox.claim_rollups(10).unwrap().is_empty(), "never again");
        let stats = outbox.stats().unwrap();
        assert_eq!(
            (stats.rollup_rows, stats.rollup_events, stats.refused_events),
            (0, 0, 3)
        );
    }

    #[test]
    fn an_outbox_from_before_refusals_gains_the_column_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE quarantine (
                     seq INTEGER PRIMARY KEY, body TEXT NOT NULL, reason TEXT NOT NULL,
                     at_ms INTEGER NOT NULL);
                 INSERT INTO quarantine VALUES (7, '{', 'EOF', 0);",
            )
            .unwrap();
        }
        // Two connections at once, as the writer and the uploader open it.
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Outbox::open(&path).map(|_| ()))
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap();
        }
        let mut outbox = Outbox::open(&path).unwrap();
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.quarantined, stats.refused_events), (1, 0));
        let event = draft(1);
        let seqs = outbox
            .append(&stamp(), std::slice::from_ref(&event))
            .unwrap();
        assert_eq!(
            outbox
                .quarantine_refused(event.id, &seqs, "bad_identifier", "x")
                .unwrap(),
            seqs.first().copied()
        );
        let stats = outbox.stats().unwrap();
        assert_eq!((stats.quarantined, stats.refused_events), (1, 1));
    }
}
