//! The report sums (src/report_sums.rs) answer every report exactly as the atoms do: before
//! any sums are made, after they are, while late events leave some days queued, and after
//! the settings change — on synthetic visits to four kiosks at two venues over 100 days.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::manifest::{ExhibitKind, ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use kepu_core::wire::EngagementEvent;
use kepu_store::report_sums::SumsRefresh;
use kepu_store::reports::{AtomTable, Dim, Group, Only, ReportFilter};
use kepu_store::testing::{TestDb, to_publish};
use kepu_store::{Engine, Store};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    sums_answer_every_report_as_the_atoms_do(TestDb::fresh(Engine::Sqlite).await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    sums_answer_every_report_as_the_atoms_do(TestDb::fresh(Engine::Postgres).await.unwrap()).await
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// The district's offset from UTC (UTC+8).
const OFFSET: i64 = 8 * HOUR;

fn day_number(year: i64, month: u32, day: u32) -> i64 {
    kepu_store::report_sums::days_from_civil(year, month, day)
}

/// The UTC time local midnight of a date starts.
fn local_midnight(year: i64, month: u32, day: u32) -> i64 {
    day_number(year, month, day) * DAY - OFFSET
}

struct Kiosk {
    stream: KioskStream,
    visitors: Visitors,
}

/// `visits` visits to each kiosk on each local day `days`, between 09:00 and 17:00, with a
/// heartbeat every hour the kiosk is on.
fn visits(kiosks: &mut [Kiosk], days: std::ops::Range<i64>, visits: i64) -> Vec<EngagementEvent> {
    let mut events = Vec::new();
    for day in days {
        for (k, kiosk) in kiosks.iter_mut().enumerate() {
            let opens = day * DAY - OFFSET + 9 * HOUR;
            for hour in 0..8 {
                let at = opens + hour * HOUR + 60_000;
                events.push(kiosk.visitors.heartbeat(&mut kiosk.stream, at, 3_600));
            }
            // A different number each day and kiosk, 0 … visits.
            let n = (day + k as i64 * 3).rem_euclid(visits + 1);
            for v in 0..n {
                let start = opens + (v * 97 + k as i64 * 13) % (8 * 60) * 60_000;
                events.extend(kiosk.visitors.visit(&mut kiosk.stream, start));
            }
        }
    }
    events
}

/// Every report query the dashboard makes, over several ranges and filters, at `k`: one
/// line per query with its answer.
async fn reports(store: &Store, k: u32, venue: i64, quiz: &str, sort: &str) -> Vec<String> {
    let day = Group::Day {
        utc_offset_ms: OFFSET,
    };
    let month = Group::Month {
        utc_offset_ms: OFFSET,
    };
    let week = Group::HourOfWeek {
        utc_offset_ms: OFFSET,
    };
    let by = Group::By;
    let ranges = [
        (
            "all",
            local_midnight(2026, 6, 1),
            local_midnight(2026, 10, 1),
        ),
        (
            "30 days",
            local_midnight(2026, 8, 21),
            local_midnight(2026, 9, 20),
        ),
        (
            "one day",
            local_midnight(2026, 9, 1),
            local_midnight(2026, 9, 2),
        ),
        (
            "two months",
            local_midnight(2026, 7, 1),
            local_midnight(2026, 9, 1),
        ),
        (
            "hours",
            local_midnight(2026, 7, 3) + 5 * HOUR,
            local_midnight(2026, 7, 9),
        ),
        (
            "UTC days",
            day_number(2026, 7, 1) * DAY,
            day_number(2026, 8, 15) * DAY,
        ),
    ];
    let mut filters: Vec<(&str, ReportFilter)> = Vec::new();
    for (name, from, to) in ranges {
        let all = ReportFilter::between(from, to);
        filters.push((name, all.clone()));
        filters.push((
            name,
            ReportFilter {
                venue_id: Some(venue),
                ..all.clone()
            },
        ));
        filters.push((
            name,
            ReportFilter {
                kiosk_id: Some("k-1-0".into()),
                ..all.clone()
            },
        ));
        filters.push((
            name,
            ReportFilter {
                audience: Some("adult".into()),
                language: Some("zh".into()),
                ..all.clone()
            },
        ));
        filters.push((
            name,
            ReportFilter {
                language: Some("en".into()),
                venue_id: Some(venue),
                ..all
            },
        ));
    }
    let queries: Vec<(AtomTable, Vec<Group>, Vec<Only>, Option<&str>)> = vec![
        (AtomTable::Sessions, vec![], vec![], None),
        (AtomTable::Sessions, vec![day], vec![], None),
        (
            AtomTable::Sessions,
            vec![month, by(Dim::Audience)],
            vec![],
            None,
        ),
        (AtomTable::Sessions, vec![week], vec![], None),
        (
            AtomTable::Sessions,
            vec![by(Dim::LengthBucket)],
            vec![],
            None,
        ),
        (AtomTable::Sessions, vec![by(Dim::Venue)], vec![], None),
        (AtomTable::Sessions, vec![by(Dim::Kiosk)], vec![], None),
        (AtomTable::Sessions, vec![by(Dim::Language)], vec![], None),
        (AtomTable::SessionTraits, vec![by(Dim::Trait)], vec![], None),
        (
            AtomTable::SessionTraits,
            vec![by(Dim::Kiosk)],
            vec![Only::is(Dim::Trait, "diligent")],
            None,
        ),
        (
            AtomTable::SessionTraits,
            vec![by(Dim::Venue), by(Dim::Trait)],
            vec![Only::any(Dim::Trait, &["opened:1", "quiz_started"])],
            None,
        ),
        (
            AtomTable::Exhibits,
            vec![by(Dim::Exhibit), by(Dim::Measure)],
            vec![],
            None,
        ),
        (
            AtomTable::Exhibits,
            vec![day, by(Dim::Measure)],
            vec![],
            Some(quiz),
        ),
        (
            AtomTable::Answers,
            vec![by(Dim::Audience), by(Dim::Question), by(Dim::Outcome)],
            vec![],
            Some(quiz),
        ),
        (
            AtomTable::Answers,
            vec![month, by(Dim::Audience), by(Dim::Theme), by(Dim::Outcome)],
            vec![Only::any(Dim::Outcome, &["answered", "correct"])],
            None,
        ),
        (
            AtomTable::Placements,
            vec![by(Dim::Item), by(Dim::Bin)],
            vec![],
            Some(sort),
        ),
    ];
    let mut lines = Vec::new();
    for (name, filter) in &filters {
        for (table, groups, only, exhibit) in &queries {
            let filter = ReportFilter {
                exhibit_id: exhibit.map(str::to_owned),
                ..filter.clone()
            };
            let sums = store
                .atom_sums(*table, &filter, groups, only, k)
                .await
                .unwrap();
            lines.push(format!(
                "{name} {filter:?} {table:?} {groups:?} {only:?}: {sums:?}"
            ));
        }
        let hours = store.kiosk_open_hours(filter).await.unwrap();
        lines.push(format!("{name} {filter:?} open hours: {hours:?}"));
        let quiz_filter = ReportFilter {
            exhibit_id: None,
            ..filter.clone()
        };
        let stats = store.quiz_item_stats(&quiz_filter, quiz).await.unwrap();
        lines.push(format!("{name} {filter:?} item stats: {stats:?}"));
    }
    lines
}

fn assert_same(label: &str, expected: &[String], got: &[String]) {
    assert_eq!(expected.len(), got.len());
    for (e, g) in expected.iter().zip(got) {
        assert_eq!(e, g, "{label}");
    }
}

/// Refreshes until there is nothing left to do; returns what was done in all.
async fn refresh_all(store: &Store, k: u32, now: i64) -> SumsRefresh {
    let mut total = SumsRefresh::default();
    loop {
        let done = store.refresh_report_sums(k, OFFSET, now, 9).await.unwrap();
        assert!(!done.skipped);
        total.days += done.days;
        total.months += done.months;
        total.reset |= done.reset;
        if !done.did_something() {
            return total;
        }
    }
}

async fn sums_answer_every_report_as_the_atoms_do(db: TestDb) {
    let store = db.store.clone();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let catalog = load_catalog(&samples, &ValidationRules::default());
    let manifests: Vec<_> = catalog.exhibits.into_iter().map(|e| e.manifest).collect();
    let quiz = manifests
        .iter()
        .find(|m| m.kind == ExhibitKind::Quiz)
        .unwrap()
        .id
        .clone();
    let sort = manifests
        .iter()
        .find(|m| m.kind == ExhibitKind::Sort)
        .unwrap()
        .id
        .clone();
    let published: Vec<_> = manifests
        .iter()
        .map(|m| to_publish(serde_json::to_value(m).unwrap()))
        .collect();
    store.publish_exhibits(&published, 0).await.unwrap();
    let mut kiosks = Vec::new();
    for v in 0..2u32 {
        store.add_venue(&format!("venue {v}"), 0).await.unwrap();
        for k in 0..2u32 {
            let id = format!("k-{v}-{k}");
            store
                .add_kiosk(&format!("venue {v}"), &id, &format!("hash-{id}"), 0)
                .await
                .unwrap();
            kiosks.push(Kiosk {
                stream: KioskStream::new(id, uuid::Uuid::from_u128(u128::from(v * 2 + k + 1))),
                visitors: Visitors::new(manifests.clone(), u64::from(v * 2 + k)),
            });
        }
    }
    let venue = store
        .venue_ids()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, name)| name == "venue 1")
        .unwrap()
        .0;
    let first = day_number(2026, 6, 10);
    let end = day_number(2026, 9, 18);
    let now = (end + 3) * DAY;
    let events = visits(&mut kiosks, first..end, 5);
    store.insert_trusted_events(&events, now).await.unwrap();
    store.roll_up_all().await.unwrap();

    // No sums yet: every report reads the atoms.
    assert_eq!(store.report_sums_basis().await.unwrap(), None);
    let atoms_5 = reports(&store, 5, venue, &quiz, &sort).await;

    // Made: the same answers.
    let done = refresh_all(&store, 5, now).await;
    assert!(done.reset);
    assert_eq!(done.days as i64, end - first, "every day with data");
    assert_eq!(
        done.months, 3,
        "June, July, August: ended; September has not"
    );
    let made = store.report_sums_rows().await.unwrap();
    assert!(made.0 > 0 && made.1 == 3, "{made:?}");
    let sums_5 = reports(&store, 5, venue, &quiz, &sort).await;
    assert_same("made sums, k = 5", &atoms_5, &sums_5);
    assert_eq!(refresh_all(&store, 5, now).await, SumsRefresh::default());

    // Late events for 2026-07-20 and 2026-09-17 (a made month and the current one): those
    // days are queued and read from the atoms, the rest from the sums.
    let late_days = [day_number(2026, 7, 20), day_number(2026, 9, 17)];
    for &late in &late_days {
        let events = visits(&mut kiosks, late..late + 1, 3);
        store.insert_trusted_events(&events, now).await.unwrap();
    }
    store.roll_up_all().await.unwrap();
    let mixed_5 = reports(&store, 5, venue, &quiz, &sort).await;
    assert_ne!(mixed_5, sums_5, "the late visits are counted");
    // At k = 6 (not the basis): every report reads the atoms.
    let atoms_6 = reports(&store, 6, venue, &quiz, &sort).await;

    // Other settings: emptied and made again. At k = 5 (no longer the basis) every report
    // reads the atoms: the same as it read with the sums and the queued days.
    let first_call = store.refresh_report_sums(6, OFFSET, now, 9).await.unwrap();
    assert!(first_call.reset && first_call.days == 9);
    assert_same(
        "queued days from the atoms, the rest from the sums",
        &mixed_5,
        &reports(&store, 5, venue, &quiz, &sort).await,
    );
    // k = 6, partly made: the same as from the atoms.
    assert_same(
        "partly made, k = 6",
        &atoms_6,
        &reports(&store, 6, venue, &quiz, &sort).await,
    );
    let done = refresh_all(&store, 6, now).await;
    assert!(!done.reset && done.months == 3, "{done:?}");
    assert_same(
        "made again, k = 6",
        &atoms_6,
        &reports(&store, 6, venue, &quiz, &sort).await,
    );
}
