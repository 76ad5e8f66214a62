//! A damaged outbox found at start: moved aside, what can still be read carried over into a
//! new one.

use super::rollup::rollup_from_row;
use super::store::{
    AtPath, INFLIGHT_THROUGH, NEXT_SEQ, ROLLED_UP_TOTAL, meta_get, meta_set, to_i64, to_u64,
};
use super::{Outbox, OutboxError, OutboxRecovery};
use crate::wire::{EngagementEvent, EventRollup};
use rusqlite::{Connection, OpenFlags, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uuid::Uuid;

impl Outbox {
    /// Opens the outbox at `path`; a damaged file is moved aside to
    /// `<name>.corrupt-<unix ms>` (with its `-wal`), what can still be read from it is carried
    /// over into a new outbox, and the recovery is returned for reporting. Other errors (a
    /// folder that cannot be created, no permission) are returned as they are.
    pub fn open_or_recover(path: &Path) -> Result<(Self, Option<OutboxRecovery>), OutboxError> {
        let damage = match Self::open(path).and_then(|outbox| outbox.check().map(|()| outbox)) {
            Ok(outbox) => return Ok((outbox, None)),
            Err(err) if err.is_damage() => err,
            Err(err) => return Err(err),
        };
        tracing::error!("{damage}; moving it aside and starting a new outbox");
        let at_ms = crate::now_unix_ms();
        let moved_to = sibling(path, &format!(".corrupt-{at_ms}"));
        std::fs::rename(path, &moved_to).map_err(|source| OutboxError::MoveAside {
            path: path.to_path_buf(),
            source,
        })?;
        // The WAL belongs to the file it was written for: it moves along, under the name SQLite
        // looks for, so whoever inspects the damaged file sees everything it held.
        for suffix in ["-wal", "-shm"] {
            let from = sibling(path, suffix);
            if from.exists() {
                let _ = std::fs::rename(&from, sibling(&moved_to, suffix));
            }
        }
        let salvage = Salvage::read(&moved_to);
        let mut outbox = Self::open(path)?;
        let (salvaged_events, salvaged_rollups) = outbox.restore(&salvage)?;
        let lost_events = salvage
            .rows_in_file
            .map(|n| n.saturating_sub(salvaged_events));
        Ok((
            outbox,
            Some(OutboxRecovery {
                moved_to,
                reason: damage.to_string(),
                at_ms,
                salvaged_events,
                salvaged_rollups,
                lost_events,
            }),
        ))
    }

    /// Writes what was read back from a damaged outbox into this (new) one, rows as they were:
    /// same sequence numbers, ids and bodies. Returns (events, roll-up rows) carried over.
    fn restore(&mut self, salvage: &Salvage) -> Result<(u64, u64), OutboxError> {
        let path = self.path.clone();
        let tx = self.begin_immediate()?;
        let mut events = 0;
        let mut rollups = 0;
        {
            let mut insert = tx
                .prepare("INSERT OR IGNORE INTO outbox (seq, id, body) VALUES (?1, ?2, ?3)")
                .at(&path)?;
            for row in &salvage.events {
                events += insert
                    .execute(params![row.seq, row.id, row.body])
                    .at(&path)? as u64;
            }
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO rollup (rollup_id, kiosk_id, hour_start_ms,
                         event_type, exhibit_id, count, correct, claimed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
                )
                .at(&path)?;
            // Carried over as claimed: whether the old file had sent them is unknown.
            for r in &salvage.rollups {
                rollups += insert
                    .execute(params![
                        r.rollup_id.to_string(),
                        r.kiosk_id,
                        r.hour_start_ms,
                        r.event_type,
                        r.exhibit_id,
                        to_i64(r.count),
                        to_i64(r.correct)
                    ])
                    .at(&path)? as u64;
            }
        }
        let max_seq = salvage.events.iter().map(|r| r.seq).max().unwrap_or(0);
        // When the old counter is unreadable, continue from the clock (ms × 1000): higher than
        // any number this kiosk can have used unless it made a thousand events a millisecond,
        // so no sequence number is reused, and the gap shows the loss on the server.
        let floor = salvage
            .next_seq
            .unwrap_or_else(|| to_u64(crate::now_unix_ms()).saturating_mul(1000));
        let next = floor.max(to_u64(max_seq) + 1);
        meta_set(&tx, NEXT_SEQ, next).at(&path)?;
        if let Some(total) = salvage.rolled_up_total {
            meta_set(&tx, ROLLED_UP_TOTAL, total).at(&path)?;
        }
        // Everything carried over may have been sent by the old file's uploader.
        if max_seq > 0 {
            meta_set(&tx, INFLIGHT_THROUGH, to_u64(max_seq)).at(&path)?;
        }
        tx.commit().at(&path)?;
        Ok((events, rollups))
    }
}

/// What could be read back from a damaged outbox file.
#[derive(Default)]
struct Salvage {
    events: Vec<SalvagedRow>,
    rollups: Vec<EventRollup>,
    next_seq: Option<u64>,
    rolled_up_total: Option<u64>,
    /// How many events the file held, if even that could be read.
    rows_in_file: Option<u64>,
}

struct SalvagedRow {
    seq: i64,
    id: String,
    body: String,
}

impl Salvage {
    /// Reads what it can, never failing: rows from the front until the first unreadable page,
    /// then from the back until the first unreadable page; only rows whose body is a whole event
    /// are kept.
    fn read(path: &Path) -> Self {
        let mut salvage = Self::default();
        let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
            return salvage;
        };
        salvage.next_seq = meta_get(&conn, NEXT_SEQ).ok().flatten();
        salvage.rolled_up_total = meta_get(&conn, ROLLED_UP_TOTAL).ok().flatten();
        salvage.rows_in_file = conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
            .ok()
            .map(to_u64);
        let mut rows: BTreeMap<i64, SalvagedRow> = BTreeMap::new();
        for order in ["ASC", "DESC"] {
            let sql = format!("SELECT seq, id, body FROM outbox ORDER BY seq {order}");
            let Ok(mut stmt) = conn.prepare(&sql) else {
                continue;
            };
            let Ok(mut cursor) = stmt.query([]) else {
                continue;
            };
            while let Ok(Some(row)) = cursor.next() {
                let read = (|| -> rusqlite::Result<SalvagedRow> {
                    Ok(SalvagedRow {
                        seq: row.get(0)?,
                        id: row.get(1)?,
                        body: row.get(2)?,
                    })
                })();
                let Ok(row) = read else { break };
                let whole = serde_json::from_str::<EngagementEvent>(&row.body)
                    .is_ok_and(|e| e.id.to_string() == row.id);
                if whole {
                    rows.insert(row.seq, row);
                }
            }
        }
        salvage.events = rows.into_values().collect();
        if let Ok(mut stmt) = conn.prepare(
            "SELECT rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id, count, correct
             FROM rollup",
        ) && let Ok(mut cursor) = stmt.query([])
        {
            while let Ok(Some(row)) = cursor.next() {
                // A row whose id is not a UUID is as unreadable as a damaged page.
                let read = row
                    .get::<_, String>(0)
                    .ok()
                    .and_then(|id| Uuid::parse_str(&id).ok())
                    .map(|id| rollup_from_row(row, id));
                let Some(Ok(rollup)) = read else { break };
                salvage.rollups.push(rollup);
            }
        }
        salvage
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
