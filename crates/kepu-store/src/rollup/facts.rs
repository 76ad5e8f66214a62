//! The SQL of a pass's per-session facts and heartbeats: the facts rows as the merged records
//! hold them, each kiosk's newest heartbeat, the exhibits on show per kiosk-hour, and which
//! kiosk-hours a heartbeat changes. Pure statement builders; the pass runs them in its
//! transaction.

use super::UPSERT_CHUNK;
use super::fold::{AnswerKey, ExhibitKey, FirstAnswer, Fold, PlacementCounts, PlacementKey};
use super::members::SessionRecord;
use crate::db_int;
use crate::sql::Statement;
use std::collections::HashMap;

/// `column` keeps the larger of the stored and the new value.
fn keep_larger(table: &str, column: &str) -> String {
    format!(
        "{column} = CASE WHEN excluded.{column} > {table}.{column} \
         THEN excluded.{column} ELSE {table}.{column} END"
    )
}

/// The facts rows the pass changes, written as the records after the pass hold them (merged
/// with what was stored: see `members::after_pass`): `session_exhibits` (with the distinct
/// items placed right and hotspots opened), `session_answers` (where the pass's answer is
/// the first), `session_placements`, `session_hotspots`.
pub(crate) fn fact_statements(
    fold: &Fold,
    records: &HashMap<String, SessionRecord>,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut exhibits: Vec<(&ExhibitKey, &SessionRecord)> = fold
        .exhibits
        .keys()
        .filter_map(|key| Some((key, records.get(&key.session_id)?)))
        .collect();
    exhibits.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for chunk in exhibits.chunks(UPSERT_CHUNK) {
        let mut upsert = Statement::new(
            "INSERT INTO session_exhibits (session_id, exhibit_id, opens, closes, dwell_ms,
                 max_page, answered, quiz_completed, correct_placements, hotspots_opened) VALUES ",
        );
        upsert.rows(chunk, |row, (key, record)| {
            let facts = record
                .exhibits
                .get(&key.exhibit_id)
                .copied()
                .unwrap_or_default();
            row.bind(&key.session_id)
                .bind(&key.exhibit_id)
                .bind(db_int(facts.opens))
                .bind(db_int(facts.closes))
                .bind(db_int(facts.dwell_ms))
                .bind(db_int(facts.max_page))
                .bind(db_int(facts.answered))
                .bind(db_int(facts.quiz_completed))
                .bind(db_int(record.right_items(&key.exhibit_id)))
                .bind(db_int(record.hotspots_opened(&key.exhibit_id)));
        });
        upsert.push(
            " ON CONFLICT (session_id, exhibit_id) DO UPDATE SET opens = excluded.opens,
                 closes = excluded.closes, dwell_ms = excluded.dwell_ms,
                 max_page = excluded.max_page, answered = excluded.answered,
                 quiz_completed = excluded.quiz_completed,
                 correct_placements = excluded.correct_placements,
                 hotspots_opened = excluded.hotspots_opened",
        );
        statements.push(upsert);
    }

    // Only answers that are now the first (a retake of a stored answer is not written).
    let mut answers: Vec<(&AnswerKey, &FirstAnswer)> = fold
        .answers
        .iter()
        .filter(|(key, answer)| {
            records.get(&key.session_id).is_some_and(|record| {
                record
                    .answers
                    .get(&(key.exhibit_id.clone(), key.question_id.clone()))
                    .is_some_and(|first| first.seq == answer.seq)
            })
        })
        .collect();
    answers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for chunk in answers.chunks(UPSERT_CHUNK) {
        let mut upsert = Statement::new(
            "INSERT INTO session_answers (session_id, exhibit_id, question_id, seq, correct,
                 choices, value, answer_ms) VALUES ",
        );
        upsert.rows(chunk, |row, (key, answer)| {
            row.bind(&key.session_id)
                .bind(&key.exhibit_id)
                .bind(&key.question_id)
                .bind(db_int(answer.seq))
                .bind(i64::from(answer.correct))
                .bind(answer.choices.join(","))
                .bind(answer.value)
                .bind(db_int(answer.answer_ms));
        });
        // The condition restates the rule the records were merged by: never a later answer
        // over an earlier one.
        upsert.push(
            " ON CONFLICT (session_id, exhibit_id, question_id) DO UPDATE SET
                 seq = excluded.seq, correct = excluded.correct, choices = excluded.choices,
                 value = excluded.value, answer_ms = excluded.answer_ms
             WHERE excluded.seq < session_answers.seq",
        );
        statements.push(upsert);
    }

    let mut placements: Vec<(&PlacementKey, PlacementCounts)> = fold
        .placements
        .keys()
        .filter_map(|key| {
            let record = records.get(&key.session_id)?;
            let counts = record.placements.get(&(
                key.exhibit_id.clone(),
                key.item_id.clone(),
                key.bin_id.clone(),
            ))?;
            Some((key, *counts))
        })
        .collect();
    placements.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for chunk in placements.chunks(UPSERT_CHUNK) {
        let mut upsert = Statement::new(
            "INSERT INTO session_placements (session_id, exhibit_id, item_id, bin_id,
                 placements, correct) VALUES ",
        );
        upsert.rows(chunk, |row, (key, counts)| {
            row.bind(&key.session_id)
                .bind(&key.exhibit_id)
                .bind(&key.item_id)
                .bind(&key.bin_id)
                .bind(db_int(counts.placements))
                .bind(db_int(counts.correct));
        });
        upsert.push(
            " ON CONFLICT (session_id, exhibit_id, item_id, bin_id) DO UPDATE SET
                 placements = excluded.placements, correct = excluded.correct",
        );
        statements.push(upsert);
    }

    let mut hotspots: Vec<_> = fold.hotspots.iter().collect();
    hotspots.sort_unstable();
    for chunk in hotspots.chunks(UPSERT_CHUNK) {
        let mut insert = Statement::new(
            "INSERT INTO session_hotspots (session_id, exhibit_id, hotspot_id) VALUES ",
        );
        insert.rows(chunk, |row, key| {
            row.bind(&key.session_id)
                .bind(&key.exhibit_id)
                .bind(&key.hotspot_id);
        });
        insert.push(" ON CONFLICT (session_id, exhibit_id, hotspot_id) DO NOTHING");
        statements.push(insert);
    }
    statements
}

/// Each kiosk's newest heartbeat of the pass, kept if newer than the stored one, and the
/// exhibits on show per kiosk-hour (the larger count kept).
pub(crate) fn heartbeat_statements(fold: &Fold) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut kiosks: Vec<_> = fold.heartbeats.iter().collect();
    kiosks.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (kiosk, beat) in kiosks {
        let json = match serde_json::to_string(&beat.health) {
            Ok(json) => json,
            Err(err) => {
                tracing::error!(kiosk, "a heartbeat cannot be written as JSON: {err}");
                continue;
            }
        };
        let mut update = Statement::new("UPDATE kiosks SET last_health_json = ");
        update
            .bind(json)
            .push(", last_heartbeat_at_ms = ")
            .bind(beat.occurred_at_ms)
            .push(" WHERE id = ")
            .bind(kiosk)
            .push(" AND (last_heartbeat_at_ms IS NULL OR last_heartbeat_at_ms < ")
            .bind(beat.occurred_at_ms)
            .push(")");
        statements.push(update);
    }
    let mut hours: Vec<_> = fold.heartbeat_hours.iter().collect();
    hours.sort_unstable();
    for chunk in hours.chunks(UPSERT_CHUNK) {
        let mut upsert = Statement::new(
            "INSERT INTO kiosk_heartbeat_hours (kiosk_id, hour_start_ms, exhibits_loaded) VALUES ",
        );
        upsert.rows(chunk, |row, ((kiosk, hour), loaded)| {
            row.bind(kiosk).bind(*hour).bind(db_int(**loaded));
        });
        upsert.push(" ON CONFLICT (kiosk_id, hour_start_ms) DO UPDATE SET ");
        upsert.push(&keep_larger("kiosk_heartbeat_hours", "exhibits_loaded"));
        statements.push(upsert);
    }
    statements
}

/// The stored exhibits on show of the pass's heartbeat hours: rows of (kiosk_id,
/// hour_start_ms, exhibits_loaded); empty when the pass has no heartbeat.
pub(crate) fn stored_heartbeat_hours(fold: &Fold) -> Vec<Statement> {
    let mut hours: Vec<_> = fold.heartbeat_hours.keys().collect();
    hours.sort_unstable();
    hours
        .chunks(UPSERT_CHUNK)
        .map(|chunk| {
            let mut select = Statement::new("WITH beats (kiosk_id, hour_start_ms) AS (VALUES ");
            select.rows(chunk, |row, (kiosk, hour)| {
                row.bind(kiosk).bind(*hour);
            });
            select.push(
                ") SELECT h.kiosk_id, h.hour_start_ms, h.exhibits_loaded
                   FROM beats b JOIN kiosk_heartbeat_hours h
                     ON h.kiosk_id = b.kiosk_id AND h.hour_start_ms = b.hour_start_ms",
            );
            select
        })
        .collect()
}

/// The pass's heartbeat hours whose exhibits on show change (none stored yet, or more now).
pub(crate) fn changed_heartbeat_hours(
    fold: &Fold,
    stored: &[(String, i64, i64)],
) -> Vec<(String, i64)> {
    let stored: HashMap<(&str, i64), i64> = stored
        .iter()
        .map(|(kiosk, hour, loaded)| ((kiosk.as_str(), *hour), *loaded))
        .collect();
    let mut changed: Vec<(String, i64)> = fold
        .heartbeat_hours
        .iter()
        .filter(|((kiosk, hour), loaded)| {
            stored
                .get(&(kiosk.as_str(), *hour))
                .is_none_or(|&before| db_int(**loaded) > before)
        })
        .map(|(key, _)| key.clone())
        .collect();
    changed.sort_unstable();
    changed
}

/// For each changed heartbeat hour, the kiosk's next stored heartbeat hour after it: rows of
/// (kiosk_id, hour_start_ms, next hour or NULL).
pub(crate) fn next_heartbeat_hours(changed: &[(String, i64)]) -> Vec<Statement> {
    changed
        .chunks(UPSERT_CHUNK)
        .map(|chunk| {
            let mut select = Statement::new("WITH beats (kiosk_id, hour_start_ms) AS (VALUES ");
            select.rows(chunk, |row, (kiosk, hour)| {
                row.bind(kiosk).bind(*hour);
            });
            select.push(
                ") SELECT b.kiosk_id, b.hour_start_ms,
                          (SELECT MIN(h.hour_start_ms) FROM kiosk_heartbeat_hours h
                           WHERE h.kiosk_id = b.kiosk_id AND h.hour_start_ms > b.hour_start_ms)
                   FROM beats b",
            );
            select
        })
        .collect()
}

/// The hours whose "exhibits on show" a changed heartbeat hour sets: from it up to the
/// kiosk's next heartbeat hour (stored, or of this pass), as (kiosk, from, to) ranges. A
/// session in an hour without a heartbeat is measured against the latest heartbeat before it,
/// so a heartbeat that comes late changes the atoms of the hours after it too.
pub(crate) fn heartbeat_ranges(
    fold: &Fold,
    next_stored: &[(String, i64, Option<i64>)],
) -> Vec<(String, i64, i64)> {
    next_stored
        .iter()
        .map(|(kiosk, hour, next)| {
            let next_in_pass = fold
                .heartbeat_hours
                .keys()
                .filter(|(k, h)| k == kiosk && h > hour)
                .map(|(_, h)| *h)
                .min();
            let to = [*next, next_in_pass]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(i64::MAX);
            (kiosk.clone(), *hour, to)
        })
        .collect()
}

/// The start hours of stored sessions in the ranges: rows of (kiosk_id, start_hour_ms).
pub(crate) fn session_hours_in(ranges: &[(String, i64, i64)]) -> Vec<Statement> {
    ranges
        .chunks(UPSERT_CHUNK)
        .map(|chunk| {
            let mut select = Statement::new("WITH ranges (kiosk_id, from_ms, to_ms) AS (VALUES ");
            select.rows(chunk, |row, (kiosk, from, to)| {
                row.bind(kiosk).bind(*from).bind(*to);
            });
            select.push(
                ") SELECT DISTINCT s.kiosk_id, s.start_hour_ms
                   FROM ranges r JOIN sessions s
                     ON s.kiosk_id = r.kiosk_id AND s.start_hour_ms >= r.from_ms
                    AND s.start_hour_ms < r.to_ms",
            );
            select
        })
        .collect()
}

/// The kiosk-hours whose exhibits on show the pass's heartbeats change (`$fold`), among the
/// stored sessions' hours and `$touched` (the pass's sessions' hours, stored or not), on a
/// connection or transaction of `$engine`: `Result<BTreeSet<(String, i64)>, sqlx::Error>`.
/// Read before the heartbeats are written.
macro_rules! hours_heartbeats_change {
    ($engine:expr, $conn:expr, $fold:expr, $touched:expr) => {
        async {
            use $crate::rollup::facts::{
                changed_heartbeat_hours, heartbeat_ranges, next_heartbeat_hours, session_hours_in,
                stored_heartbeat_hours,
            };
            let fold: &$crate::rollup::fold::Fold = $fold;
            let touched: &::std::collections::BTreeSet<(String, i64)> = $touched;
            let mut hours = ::std::collections::BTreeSet::new();
            if fold.heartbeat_hours.is_empty() {
                return Ok::<_, ::sqlx::Error>(hours);
            }
            let mut stored = Vec::new();
            for select in stored_heartbeat_hours(fold) {
                stored.extend(
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        ::sqlx::Row::try_get::<String, _>(row, 0)?,
                        ::sqlx::Row::try_get::<i64, _>(row, 1)?,
                        ::sqlx::Row::try_get::<i64, _>(row, 2)?
                    ))
                    .await?,
                );
            }
            let mut next = Vec::new();
            for select in next_heartbeat_hours(&changed_heartbeat_hours(fold, &stored)) {
                next.extend(
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        ::sqlx::Row::try_get::<String, _>(row, 0)?,
                        ::sqlx::Row::try_get::<i64, _>(row, 1)?,
                        ::sqlx::Row::try_get::<Option<i64>, _>(row, 2)?
                    ))
                    .await?,
                );
            }
            let ranges = heartbeat_ranges(fold, &next);
            for select in session_hours_in(&ranges) {
                hours.extend(
                    $crate::sql::fetch_map!($engine, $conn, select, |row| (
                        ::sqlx::Row::try_get::<String, _>(row, 0)?,
                        ::sqlx::Row::try_get::<i64, _>(row, 1)?
                    ))
                    .await?,
                );
            }
            hours.extend(
                touched
                    .iter()
                    .filter(|(kiosk, hour)| {
                        ranges
                            .iter()
                            .any(|(k, from, to)| k == kiosk && from <= hour && hour < to)
                    })
                    .cloned(),
            );
            Ok(hours)
        }
    };
}
pub(crate) use hours_heartbeats_change;
