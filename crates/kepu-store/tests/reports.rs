//! The dashboard's storage: per-session facts and atoms from hand-built streams, their rebuild
//! when a session's later events or a publish change them, the small-cell adjustment, the
//! filters, and kiosk health. Each test on SQLite and on PostgreSQL (a fresh database each).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::manifest::Audience;
use kepu_core::wire::{
    AccessibilityModes, EngagementEvent, EventKind, KioskHealth, ROLLUP_PERIOD_MS, SCHEMA_VERSION,
    SessionEndReason,
};
use kepu_store::reports::{AtomSum, AtomTable, Dim, Group, Only, ReportError, ReportFilter};
use kepu_store::rollup::fold::duration_bucket;
use kepu_store::testing::{TestDb, to_publish};
use kepu_store::{Location, OpenOptions, Store, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::fresh(kepu_store::Engine::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::fresh(kepu_store::Engine::Postgres).await).await
            }
        }
    )*};
}

on_both_engines!(
    facts_and_atoms_follow_a_hand_built_stream,
    a_session_moves_its_atoms_when_its_later_events_arrive,
    publishing_changes_what_completed_means_and_queues_a_rebuild,
    small_atoms_count_zero_or_k_deterministically_and_n_on_average,
    filters_select_exactly_their_atoms,
    reports_a_table_cannot_answer_are_refused,
    kiosk_health_keeps_the_newest_heartbeat_and_open_hours_count_heartbeat_hours,
    a_late_heartbeat_changes_the_diligent_sessions_of_the_hours_after_it,
    sessions_stored_before_record_keys_get_them_before_their_atoms_are_built,
    quiz_traits_count_the_sessions_that_started_and_completed_a_quiz,
    atoms_stored_before_the_quiz_traits_are_rebuilt_with_them,
);

async fn fresh(engine: kepu_store::Engine) -> TestDb {
    TestDb::fresh(engine).await.unwrap()
}

/// An hour boundary (2026-05-28 20:00 UTC), so that hours are easy to name.
const HOUR0: i64 = 1_780_000_000_000 / ROLLUP_PERIOD_MS * ROLLUP_PERIOD_MS;
const H: i64 = ROLLUP_PERIOD_MS;

/// One kiosk's stream of events, numbered in order.
struct Stream {
    kiosk: String,
    boot: Uuid,
    seq: u64,
    events: Vec<EngagementEvent>,
}

impl Stream {
    fn new(kiosk: &str) -> Self {
        Self {
            kiosk: kiosk.into(),
            boot: Uuid::new_v4(),
            seq: 0,
            events: Vec::new(),
        }
    }

    fn push(&mut self, session: Option<Uuid>, at_ms: i64, kind: EventKind) -> &mut Self {
        self.seq += 1;
        self.events.push(EngagementEvent {
            id: Uuid::now_v7(),
            kiosk_id: self.kiosk.clone(),
            boot_id: self.boot,
            seq: self.seq,
            session_id: session,
            occurred_at_ms: at_ms,
            app_version: "0.2.0".into(),
            schema_version: SCHEMA_VERSION,
            event: kind,
        });
        self
    }

    /// Stores what was pushed since the last call and rolls it up.
    async fn deliver(&mut self, store: &Store) {
        let events = std::mem::take(&mut self.events);
        store.insert_trusted_events(&events, HOUR0).await.unwrap();
        store.roll_up_all().await.unwrap();
    }
}

fn start(language: &str) -> EventKind {
    EventKind::SessionStart {
        language: language.into(),
        modes: AccessibilityModes::default(),
    }
}

fn end(duration_ms: u64) -> EventKind {
    EventKind::SessionEnd {
        reason: SessionEndReason::StartOver,
        duration_ms,
    }
}

fn open(exhibit: &str) -> EventKind {
    EventKind::ExhibitOpen {
        exhibit_id: exhibit.into(),
    }
}

fn close(exhibit: &str, dwell_ms: u64) -> EventKind {
    EventKind::ExhibitClose {
        exhibit_id: exhibit.into(),
        dwell_ms,
    }
}

fn answer(question: &str, choices: &[&str], correct: bool, value: Option<f64>) -> EventKind {
    EventKind::QuizAnswer {
        exhibit_id: "quiz".into(),
        question_id: question.into(),
        choice_ids: choices.iter().map(|c| c.to_string()).collect(),
        correct,
        value,
        answer_ms: 4_000,
    }
}

fn complete(exhibit: &str) -> EventKind {
    EventKind::QuizComplete {
        exhibit_id: exhibit.into(),
        score: 1,
        max_score: 2,
    }
}

fn heartbeat(exhibits_loaded: u32, uptime_s: u64) -> EventKind {
    EventKind::KioskHeartbeat(KioskHealth {
        exhibits_loaded,
        uptime_s,
        ..KioskHealth::default()
    })
}

/// A story of 3 pages, a sort game of 2 items, a hotspots image of 2 hotspots, a quiz with a
/// single-choice question and an estimate (0..100).
fn manifests(story_pages: usize) -> Vec<kepu_store::content::PublishedExhibit> {
    let text = |t: &str| serde_json::json!({ "en": t });
    let pages: Vec<_> = (0..story_pages)
        .map(|_| serde_json::json!({ "text": text("p") }))
        .collect();
    [
        serde_json::json!({ "id": "story", "kind": "story", "title": text("s"), "pages": pages }),
        serde_json::json!({
            "id": "sort", "kind": "sort", "title": text("s"),
            "bins": [{ "id": "bin0", "label": text("b") }, { "id": "bin1", "label": text("b") }],
            "items": [
                { "id": "item0", "name": text("i"), "bin": "bin0", "feedback": text("f") },
                { "id": "item1", "name": text("i"), "bin": "bin1", "feedback": text("f") }
            ]
        }),
        serde_json::json!({
            "id": "map", "kind": "hotspots", "title": text("m"), "image": "m.png",
            "hotspots": [
                { "id": "h0", "title": text("t"), "text": text("t"), "rect": [0.0, 0.0, 1.0, 1.0] },
                { "id": "h1", "title": text("t"), "text": text("t"), "rect": [1.0, 1.0, 1.0, 1.0] }
            ]
        }),
        serde_json::json!({
            "id": "quiz", "kind": "quiz", "title": text("q"),
            "questions": [
                { "id": "q1", "prompt": text("?"), "explanation": text("!"),
                  "choices": [{ "id": "a", "text": text("a"), "correct": true },
                              { "id": "b", "text": text("b") }, { "id": "c", "text": text("c") }] },
                { "id": "q2", "type": "estimate", "prompt": text("?"), "explanation": text("!"),
                  "estimate": { "min": 0.0, "max": 100.0, "answer": 50.0, "tolerance": 5.0 } }
            ]
        }),
    ]
    .into_iter()
    .map(to_publish)
    .collect()
}

async fn with_kiosks(db: &TestDb, kiosks: &[(&str, &str)]) -> Store {
    let store = db.store.clone();
    for (venue, kiosk) in kiosks {
        if store.add_venue(venue, 0).await.is_err() {
            // Added already for another kiosk.
        }
        store
            .add_kiosk(venue, kiosk, &format!("hash-{kiosk}"), 0)
            .await
            .unwrap();
    }
    store
}

/// k = 1: every atom counts as itself (n ≥ 1), so sums are the true counts.
async fn exact(
    store: &Store,
    table: AtomTable,
    filter: &ReportFilter,
    groups: &[Group],
    only: &[Only],
) -> BTreeMap<Vec<String>, u64> {
    store
        .atom_sums(table, filter, groups, only, 1)
        .await
        .unwrap()
        .into_iter()
        .map(
            |AtomSum {
                 group,
                 adjusted,
                 sessions,
             }| {
                assert_eq!(adjusted, sessions, "k = 1 adjusts nothing");
                (group, sessions)
            },
        )
        .collect()
}

fn counts(pairs: &[(&[&str], u64)]) -> BTreeMap<Vec<String>, u64> {
    pairs
        .iter()
        .map(|(group, n)| (group.iter().map(|g| g.to_string()).collect(), *n))
        .collect()
}

fn day() -> ReportFilter {
    ReportFilter::between(HOUR0, HOUR0 + 24 * H)
}

async fn facts_and_atoms_follow_a_hand_built_stream(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    store.publish_exhibits(&manifests(3), HOUR0).await.unwrap();
    let (s1, s2, s3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let t = HOUR0 + 10 * 60_000;
    let mut k1 = Stream::new("k1");
    k1.push(None, t, heartbeat(3, 60))
        // s1: a senior reading the whole story, then the quiz: wrong first, right on the retake.
        .push(
            Some(s1),
            t,
            EventKind::SessionStart {
                language: "zh".into(),
                modes: AccessibilityModes {
                    large_text: true,
                    ..AccessibilityModes::default()
                },
            },
        )
        .push(
            Some(s1),
            t + 1,
            EventKind::AudienceChoice {
                audience: Some(Audience::Senior),
            },
        )
        .push(Some(s1), t + 2, open("story"));
    for page in 1..=3 {
        k1.push(
            Some(s1),
            t + 3,
            EventKind::StoryPageView {
                exhibit_id: "story".into(),
                page,
            },
        );
    }
    k1.push(Some(s1), t + 4, close("story", 45_000))
        .push(Some(s1), t + 5, open("quiz"))
        .push(Some(s1), t + 6, answer("q1", &["b"], false, None))
        .push(Some(s1), t + 7, answer("q1", &["a"], true, None))
        .push(Some(s1), t + 8, answer("q2", &[], false, Some(73.0)))
        .push(
            Some(s1),
            t + 9,
            EventKind::QuizComplete {
                exhibit_id: "quiz".into(),
                score: 1,
                max_score: 2,
            },
        )
        .push(Some(s1), t + 10, close("quiz", 30_000))
        .push(Some(s1), t + 11, end(120_000))
        // s2: sorts both items (one after a wrong try), taps one hotspot twice; high contrast
        // turned on midway; never ends.
        .push(Some(s2), t, start("en"))
        .push(Some(s2), t + 1, open("sort"));
    for (item, bin, correct) in [
        ("item0", "bin0", true),
        ("item1", "bin0", false),
        ("item1", "bin1", true),
    ] {
        k1.push(
            Some(s2),
            t + 2,
            EventKind::SortPlacement {
                exhibit_id: "sort".into(),
                item_id: item.into(),
                bin_id: bin.into(),
                correct,
            },
        );
    }
    k1.push(
        Some(s2),
        t + 3,
        EventKind::AccessibilityChange {
            large_text: false,
            high_contrast: true,
            seated: false,
        },
    )
    .push(Some(s2), t + 4, open("map"));
    for _ in 0..2 {
        k1.push(
            Some(s2),
            t + 5,
            EventKind::HotspotOpen {
                exhibit_id: "map".into(),
                hotspot_id: "h0".into(),
            },
        );
    }
    // s3: touched once and left.
    k1.push(Some(s3), t, start("zh"))
        .push(Some(s3), t + 1, end(3_000));
    k1.deliver(&store).await;

    let f = day();
    let sessions = exact(
        &store,
        AtomTable::Sessions,
        &f,
        &[Group::By(Dim::LengthBucket)],
        &[],
    )
    .await;
    let b1 = duration_bucket(120_000).to_string();
    let b3 = duration_bucket(3_000).to_string();
    let mut expected = counts(&[(&["12"], 1)]);
    *expected.entry(vec![b1]).or_default() += 1;
    *expected.entry(vec![b3]).or_default() += 1;
    assert_eq!(sessions, expected, "length buckets; s2 has not ended");

    let traits = exact(
        &store,
        AtomTable::SessionTraits,
        &f,
        &[Group::By(Dim::Trait)],
        &[],
    )
    .await;
    assert_eq!(
        traits,
        counts(&[
            (&["diligent"], 2), // s1 and s2 opened 2 of the 3 exhibits on show
            (&["high_contrast"], 1),
            (&["large_text"], 1),
            (&["one_touch"], 1),
            (&["opened:0"], 1),
            (&["opened:2"], 2),
            (&["quiz_completed"], 1), // s1
            (&["quiz_started"], 1),   // s1
        ])
    );

    let exhibits = exact(
        &store,
        AtomTable::Exhibits,
        &f,
        &[Group::By(Dim::Exhibit), Group::By(Dim::Measure)],
        &[],
    )
    .await;
    let story_dwell = format!("dwell:{}", duration_bucket(45_000));
    let quiz_dwell = format!("dwell:{}", duration_bucket(30_000));
    assert_eq!(
        exhibits,
        counts(&[
            (&["map", "exit"], 1),
            (&["map", "opened"], 1), // one hotspot of two, opened twice: not completed
            (&["quiz", "completed"], 1),
            (&["quiz", "exit"], 1),
            (&["quiz", "opened"], 1),
            (&["quiz", "quiz_started"], 1),
            (&["quiz", quiz_dwell.as_str()], 1),
            (&["sort", "completed"], 1), // both items in their bin, one after a wrong try
            (&["sort", "entry"], 1),
            (&["sort", "opened"], 1),
            (&["story", "completed"], 1),
            (&["story", "entry"], 1),
            (&["story", "opened"], 1),
            (&["story", story_dwell.as_str()], 1),
        ])
    );

    let answers = exact(
        &store,
        AtomTable::Answers,
        &f,
        &[Group::By(Dim::Question), Group::By(Dim::Outcome)],
        &[],
    )
    .await;
    let time = format!("time:{}", duration_bucket(4_000));
    assert_eq!(
        answers,
        counts(&[
            (&["q1", "answered"], 1),
            (&["q1", "choice:b"], 1), // the first answer, not the retake
            (&["q1", time.as_str()], 1),
            (&["q2", "answered"], 1),
            (&["q2", time.as_str()], 1),
            (&["q2", "value:7"], 1), // 73 on 0..100
        ])
    );
    // One session, both first answers wrong: each item's rest score is the other's (0).
    let stats = store.quiz_item_stats(&f, "quiz").await.unwrap();
    let stats: Vec<(String, u64, u64, u64)> = stats
        .into_iter()
        .map(|row| (row.question_id, row.answered, row.correct, row.rest))
        .collect();
    assert_eq!(
        stats,
        [("q1".to_owned(), 1, 0, 0), ("q2".to_owned(), 1, 0, 0)]
    );

    let placements = exact(
        &store,
        AtomTable::Placements,
        &f,
        &[Group::By(Dim::Item), Group::By(Dim::Bin)],
        &[],
    )
    .await;
    assert_eq!(
        placements,
        counts(&[
            (&["item0", "bin0"], 1),
            (&["item1", "bin0"], 1),
            (&["item1", "bin1"], 1)
        ])
    );

    // Language, audience, and one total: each session counted once.
    assert_eq!(
        exact(
            &store,
            AtomTable::Sessions,
            &f,
            &[Group::By(Dim::Language)],
            &[]
        )
        .await,
        counts(&[(&["en"], 1), (&["zh"], 2)])
    );
    assert_eq!(
        exact(
            &store,
            AtomTable::Sessions,
            &f,
            &[Group::By(Dim::Audience)],
            &[]
        )
        .await,
        counts(&[(&[""], 2), (&["senior"], 1)])
    );
    assert_eq!(
        exact(&store, AtomTable::Sessions, &f, &[], &[]).await,
        counts(&[(&[], 3)])
    );
    // Days and hours of the week in the district's time (UTC+8): HOUR0 is Thursday
    // 2026-05-28 20:00 UTC, Friday 04:00 in Beijing.
    let beijing = 8 * H;
    assert_eq!(
        exact(
            &store,
            AtomTable::Sessions,
            &f,
            &[
                Group::Month {
                    utc_offset_ms: beijing
                },
                Group::Day {
                    utc_offset_ms: beijing
                },
                Group::HourOfWeek {
                    utc_offset_ms: beijing
                }
            ],
            &[]
        )
        .await,
        counts(&[(&["2026-05", "2026-05-29", "100"], 3)])
    );
    assert_eq!(
        exact(
            &store,
            AtomTable::Sessions,
            &f,
            &[
                Group::Day { utc_offset_ms: 0 },
                Group::HourOfWeek { utc_offset_ms: 0 }
            ],
            &[]
        )
        .await,
        counts(&[(&["2026-05-28", "92"], 3)])
    );
}

async fn a_session_moves_its_atoms_when_its_later_events_arrive(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    let s = Uuid::new_v4();
    let mut k1 = Stream::new("k1");
    k1.push(Some(s), HOUR0 + 59 * 60_000, start("zh"))
        .push(Some(s), HOUR0 + 59 * 60_000 + 1, open("quiz"))
        .push(
            Some(s),
            HOUR0 + 59 * 60_000 + 2,
            answer("q1", &["b"], false, None),
        );
    k1.deliver(&store).await;
    let f = day();
    let by_audience = [Group::By(Dim::Audience), Group::By(Dim::LengthBucket)];
    assert_eq!(
        exact(&store, AtomTable::Sessions, &f, &by_audience, &[]).await,
        counts(&[(&["", "12"], 1)])
    );
    // "I am a..." and the end come in a later batch, in the next hour: the session stays in
    // the hour it started, moves to its audience, and has a length now.
    k1.push(
        Some(s),
        HOUR0 + H + 1,
        EventKind::AudienceChoice {
            audience: Some(Audience::Child),
        },
    )
    .push(Some(s), HOUR0 + H + 2, answer("q1", &["a"], true, None))
    .push(Some(s), HOUR0 + H + 2, close("quiz", 61_000))
    .push(Some(s), HOUR0 + H + 3, end(62_000));
    k1.deliver(&store).await;
    assert_eq!(
        exact(
            &store,
            AtomTable::Answers,
            &day(),
            &[Group::By(Dim::Audience)],
            &[Only::any(
                Dim::Outcome,
                &["choice:a", "choice:b", "correct"]
            )]
        )
        .await,
        counts(&[(&["child"], 1)]),
        "the retake in a later pass does not replace the first answer (choice b, wrong)"
    );
    let bucket = duration_bucket(62_000).to_string();
    assert_eq!(
        exact(&store, AtomTable::Sessions, &f, &by_audience, &[]).await,
        counts(&[(&["child", bucket.as_str()], 1)])
    );
    assert_eq!(
        exact(
            &store,
            AtomTable::Exhibits,
            &ReportFilter::between(HOUR0, HOUR0 + H),
            &[Group::By(Dim::Audience), Group::By(Dim::Measure)],
            &[]
        )
        .await,
        counts(&[
            (
                &[
                    "child",
                    format!("dwell:{}", duration_bucket(61_000)).as_str()
                ],
                1
            ),
            (&["child", "entry"], 1),
            (&["child", "exit"], 1),
            (&["child", "opened"], 1),
            (&["child", "quiz_started"], 1),
        ]),
        "the exhibit atoms moved with it"
    );
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );
}

async fn publishing_changes_what_completed_means_and_queues_a_rebuild(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    let mut k1 = Stream::new("k1");
    for n in 0..2 {
        let s = Some(Uuid::new_v4());
        k1.push(s, HOUR0 + n, start("zh"))
            .push(s, HOUR0 + n, open("story"));
        // The first session reads 3 pages, the second 4.
        for page in 1..=(3 + n as u32) {
            k1.push(
                s,
                HOUR0 + n,
                EventKind::StoryPageView {
                    exhibit_id: "story".into(),
                    page,
                },
            );
        }
    }
    k1.deliver(&store).await;
    let completed = [Only::is(Dim::Measure, "completed")];
    let f = day();
    assert!(
        exact(&store, AtomTable::Exhibits, &f, &[], &completed).await == counts(&[(&[], 0)]),
        "nothing is complete before anything is published"
    );
    store.publish_exhibits(&manifests(4), HOUR0).await.unwrap();
    assert_eq!(
        store.atoms_waiting().await.unwrap(),
        1,
        "the one kiosk-hour is queued"
    );
    assert_eq!(store.rebuild_dirty_atoms(10).await.unwrap(), 1);
    assert_eq!(store.rebuild_dirty_atoms(10).await.unwrap(), 0);
    assert_eq!(
        exact(&store, AtomTable::Exhibits, &f, &[], &completed).await,
        counts(&[(&[], 1)])
    );
    // Publishing the same content again changes nothing, so queues nothing.
    store
        .publish_exhibits(&manifests(4), HOUR0 + 1)
        .await
        .unwrap();
    assert_eq!(store.atoms_waiting().await.unwrap(), 0);
    // A story cut to 3 pages: both sessions completed it.
    store
        .publish_exhibits(&manifests(3), HOUR0 + 2)
        .await
        .unwrap();
    store.rebuild_all_dirty_atoms().await.unwrap();
    assert_eq!(
        exact(&store, AtomTable::Exhibits, &f, &[], &completed).await,
        counts(&[(&[], 2)])
    );
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );

    // A manifest that is not one refuses the whole publish.
    let mut broken = manifests(3);
    broken[0].manifest_json = r#"{"id": "story"}"#.into();
    assert!(matches!(
        store.publish_exhibits(&broken, HOUR0 + 3).await,
        Err(StoreError::Manifest { exhibit, .. }) if exhibit == "story"
    ));
}

/// Sessions per hour of the generated set: hour h has `1 + h % 6` sessions (1..6), so with
/// k = 5 two of every six atoms are at or above k and four below.
const HOURS: i64 = 800;
fn sessions_in_hour(hour: i64) -> u64 {
    1 + (hour % 8) as u64
}

/// Every atom is rounded to a multiple of k (small ones to 0 or k), the same way every time,
/// and counts its true value on average.
async fn small_atoms_count_zero_or_k_deterministically_and_n_on_average(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    // A fixed secret and fixed session ids: the same record keys, so the same adjusted atoms,
    // on every run and engine.
    store
        .set_report_secret("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        .await
        .unwrap();
    let mut k1 = Stream::new("k1");
    let mut id = 0u128;
    for hour in 0..HOURS {
        for _ in 0..sessions_in_hour(hour) {
            id += 1;
            let s = Some(Uuid::from_u128(id));
            let at = HOUR0 + hour * H + 1;
            k1.push(s, at, start("zh")).push(s, at, end(10_000));
        }
    }
    k1.deliver(&store).await;

    const K: u32 = 5;
    let hour_filter = |hour: i64| ReportFilter::between(HOUR0 + hour * H, HOUR0 + (hour + 1) * H);
    let mut adjusted_by_n: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut total_adjusted = 0;
    for hour in 0..HOURS {
        let n = sessions_in_hour(hour);
        let sums = store
            .atom_sums(AtomTable::Sessions, &hour_filter(hour), &[], &[], K)
            .await
            .unwrap();
        assert_eq!(sums.len(), 1);
        let AtomSum {
            adjusted, sessions, ..
        } = sums[0];
        assert_eq!(sessions, n);
        let k = u64::from(K);
        if n.is_multiple_of(k) {
            assert_eq!(adjusted, n, "a multiple of k counts as itself");
        } else {
            let down = n - n % k;
            assert!(
                adjusted == down || adjusted == down + k,
                "{n} became {adjusted}"
            );
        }
        total_adjusted += adjusted;
        adjusted_by_n.entry(n).or_default().push(adjusted);
    }
    // Asked again, and through another filter covering the same atoms: the same values.
    let again = store
        .atom_sums(AtomTable::Sessions, &hour_filter(7), &[], &[], K)
        .await
        .unwrap();
    assert_eq!(again[0].adjusted, adjusted_by_n[&8][0]);
    let range = ReportFilter::between(HOUR0, HOUR0 + HOURS * H);
    let whole = store
        .atom_sums(AtomTable::Sessions, &range, &[], &[], K)
        .await
        .unwrap();
    assert_eq!(
        whole[0].adjusted, total_adjusted,
        "a range is the sum of its atoms"
    );
    let with_language = store
        .atom_sums(
            AtomTable::Sessions,
            &ReportFilter {
                language: Some("zh".into()),
                ..range
            },
            &[],
            &[],
            K,
        )
        .await
        .unwrap();
    assert_eq!(with_language[0].adjusted, total_adjusted);

    // On average an atom of n counts n: it is rounded up with probability (n mod k)/k (its
    // cell key mod k is uniform: a sum of uniform 31-bit keys). Over m = 100 atoms of one n
    // the mean is within k·sqrt(p(1-p)/m) ≤ 5·0.5/10 = 0.25 of n (one standard deviation); a
    // tolerance of 1.0 is four (a fixed set fails it with probability < 1e-4, and this set is
    // fixed: it passes or fails the same way every run).
    for (n, values) in &adjusted_by_n {
        let k = u64::from(K);
        if n.is_multiple_of(k) {
            continue;
        }
        assert_eq!(values.len(), 100);
        let mean = values.iter().sum::<u64>() as f64 / values.len() as f64;
        assert!(
            (mean - *n as f64).abs() < 1.0,
            "atoms of {n} average {mean}"
        );
        let down = n - n % k;
        assert!(
            values.contains(&down) && values.contains(&(down + k)),
            "both outcomes occur"
        );
    }
    // The total over all 800 atoms: true 3,600; the noise has a standard deviation of
    // 5·sqrt(Σ p(1-p)) = 5·sqrt(100·(2·0.16 + 2·0.24 + 0.24 + 0.16 + 0.24 + 0.16)) = 60;
    // four of them.
    let truth: u64 = (0..HOURS).map(sessions_in_hour).sum();
    assert_eq!(truth, 3_600);
    assert!(
        (total_adjusted as f64 - truth as f64).abs() < 4.0 * 60.0,
        "total {total_adjusted} against {truth}"
    );
}

async fn filters_select_exactly_their_atoms(db: TestDb) {
    let store = with_kiosks(&db, &[("north", "k1"), ("north", "k2"), ("south", "k3")]).await;
    let venues: BTreeMap<String, i64> = store
        .venue_ids()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect();
    // (kiosk, hour, language, audience, exhibit opened)
    let plan: &[(&str, i64, &str, Option<Audience>, &str)] = &[
        ("k1", 0, "zh", Some(Audience::Senior), "quiz"),
        ("k1", 0, "en", None, "story"),
        ("k1", 1, "zh", Some(Audience::Child), "quiz"),
        ("k2", 0, "zh", Some(Audience::Senior), "story"),
        ("k2", 2, "en", Some(Audience::Senior), "quiz"),
        ("k3", 0, "zh", Some(Audience::Child), "quiz"),
        ("k3", 23, "zh", None, "sort"),
        ("k3", 24, "zh", None, "sort"), // the next day: outside day()
    ];
    let mut streams: BTreeMap<&str, Stream> = BTreeMap::new();
    for &(kiosk, hour, language, audience, exhibit) in plan {
        let stream = streams.entry(kiosk).or_insert_with(|| Stream::new(kiosk));
        let s = Some(Uuid::new_v4());
        let at = HOUR0 + hour * H;
        stream.push(s, at, start(language));
        stream.push(s, at, EventKind::AudienceChoice { audience });
        stream.push(s, at, open(exhibit));
    }
    for stream in streams.values_mut() {
        stream.deliver(&store).await;
    }
    let total = |sums: BTreeMap<Vec<String>, u64>| sums.values().sum::<u64>();
    let f = day();
    let sessions = |filter: ReportFilter| {
        let store = store.clone();
        async move { total(exact(&store, AtomTable::Sessions, &filter, &[], &[]).await) }
    };
    assert_eq!(sessions(f.clone()).await, 7);
    assert_eq!(
        sessions(ReportFilter {
            venue_id: Some(venues["north"]),
            ..f.clone()
        })
        .await,
        5
    );
    assert_eq!(
        sessions(ReportFilter {
            venue_id: Some(venues["south"]),
            ..f.clone()
        })
        .await,
        2
    );
    assert_eq!(
        sessions(ReportFilter {
            kiosk_id: Some("k1".into()),
            ..f.clone()
        })
        .await,
        3
    );
    assert_eq!(
        sessions(ReportFilter {
            audience: Some("senior".into()),
            ..f.clone()
        })
        .await,
        3
    );
    assert_eq!(
        sessions(ReportFilter {
            audience: Some("skipped".into()),
            ..f.clone()
        })
        .await,
        2
    );
    assert_eq!(
        sessions(ReportFilter {
            language: Some("en".into()),
            ..f.clone()
        })
        .await,
        2
    );
    assert_eq!(
        sessions(ReportFilter {
            kiosk_id: Some("k1".into()),
            language: Some("zh".into()),
            audience: Some("child".into()),
            ..f.clone()
        })
        .await,
        1
    );
    // Ranges select whole hours: from inclusive, to exclusive.
    assert_eq!(sessions(ReportFilter::between(HOUR0, HOUR0 + H)).await, 4);
    assert_eq!(
        sessions(ReportFilter::between(HOUR0 + 1, HOUR0 + 2 * H)).await,
        1
    );
    assert_eq!(
        sessions(ReportFilter::between(HOUR0 + 23 * H, HOUR0 + 25 * H)).await,
        2
    );
    assert_eq!(sessions(ReportFilter::between(HOUR0, HOUR0)).await, 0);

    // An exhibit filter, and selections on the table's own dimensions.
    let opened = [Only::is(Dim::Measure, "opened")];
    let exhibit = |id: &str| ReportFilter {
        exhibit_id: Some(id.into()),
        ..f.clone()
    };
    assert_eq!(
        total(exact(&store, AtomTable::Exhibits, &exhibit("quiz"), &[], &opened).await),
        4
    );
    assert_eq!(
        exact(
            &store,
            AtomTable::Exhibits,
            &f,
            &[Group::By(Dim::Venue), Group::By(Dim::Exhibit)],
            &[
                Only::any(Dim::Measure, &["opened"]),
                Only::any(Dim::Exhibit, &["story", "sort"])
            ]
        )
        .await,
        counts(&[
            (&[venues["north"].to_string().as_str(), "story"], 2),
            (&[venues["south"].to_string().as_str(), "sort"], 1),
        ])
    );
    assert_eq!(
        exact(
            &store,
            AtomTable::SessionTraits,
            &f,
            &[Group::By(Dim::Kiosk)],
            &[Only::any(Dim::Trait, &["opened:1", "opened:2"])]
        )
        .await,
        counts(&[(&["k1"], 3), (&["k2"], 2), (&["k3"], 2)])
    );
    // Grouped sums add up to the whole.
    let by_kiosk = exact(
        &store,
        AtomTable::Sessions,
        &f,
        &[Group::By(Dim::Kiosk)],
        &[],
    )
    .await;
    assert_eq!(total(by_kiosk), 7);
}

async fn reports_a_table_cannot_answer_are_refused(db: TestDb) {
    let store = &db.store;
    let f = ReportFilter {
        exhibit_id: Some("quiz".into()),
        ..day()
    };
    for table in [AtomTable::Sessions, AtomTable::SessionTraits] {
        assert!(matches!(
            store.atom_sums(table, &f, &[], &[], 5).await,
            Err(StoreError::Report(ReportError::NoSuchDimension {
                dimension: "exhibit",
                ..
            }))
        ));
    }
    assert!(matches!(
        store
            .atom_sums(
                AtomTable::Exhibits,
                &day(),
                &[Group::By(Dim::Trait)],
                &[],
                5
            )
            .await,
        Err(StoreError::Report(ReportError::NoSuchDimension {
            dimension: "trait",
            ..
        }))
    ));
    assert!(matches!(
        store
            .atom_sums(
                AtomTable::Placements,
                &day(),
                &[],
                &[Only::is(Dim::Outcome, "correct")],
                5
            )
            .await,
        Err(StoreError::Report(ReportError::NoSuchDimension { .. }))
    ));
    assert!(matches!(
        store
            .atom_sums(AtomTable::Sessions, &day(), &[], &[], 0)
            .await,
        Err(StoreError::Report(ReportError::ZeroK))
    ));
    assert!(matches!(
        store.quiz_item_stats(&f, "other").await,
        Err(StoreError::Report(ReportError::OtherExhibit { .. }))
    ));
    // The theme joins the questions' metadata: allowed on answers only, and answers without
    // metadata have the theme "".
    assert_eq!(
        store
            .atom_sums(AtomTable::Answers, &f, &[Group::By(Dim::Theme)], &[], 5)
            .await
            .unwrap(),
        []
    );
}

async fn kiosk_health_keeps_the_newest_heartbeat_and_open_hours_count_heartbeat_hours(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1"), ("centre", "k2")]).await;
    store.publish_exhibits(&manifests(3), HOUR0).await.unwrap();
    let mut k1 = Stream::new("k1");
    k1.push(None, HOUR0 + 2 * H + 5, heartbeat(7, 300))
        .push(None, HOUR0 + 2 * H + 10, heartbeat(7, 600))
        .push(
            Some(Uuid::new_v4()),
            HOUR0 + 2 * H + 11,
            open("not-published"),
        );
    k1.deliver(&store).await;
    // An older heartbeat (sent late, e.g. from a kiosk's backlog) arrives afterwards.
    k1.push(None, HOUR0 + 5, heartbeat(4, 30));
    k1.deliver(&store).await;
    let health = store.kiosk_health().await.unwrap();
    assert_eq!(health.len(), 2);
    let k1_row = &health[0];
    assert_eq!(k1_row.kiosk, "k1");
    assert_eq!(k1_row.venue.as_deref(), Some("centre"));
    assert_eq!(k1_row.last_heartbeat_at_ms, Some(HOUR0 + 2 * H + 10));
    assert_eq!(k1_row.health().unwrap().uptime_s, 600);
    assert_eq!(k1_row.unknown_exhibit_ids, ["not-published"]);
    assert!(!k1_row.revoked() && !k1_row.clock_untrusted());
    let k2_row = &health[1];
    assert_eq!((k2_row.last_heartbeat_at_ms, k2_row.health()), (None, None));

    let open = store.kiosk_open_hours(&day()).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].kiosk.as_str(), open[0].hours), ("k1", 2));
    let later = store
        .kiosk_open_hours(&ReportFilter::between(HOUR0 + H, HOUR0 + 24 * H))
        .await
        .unwrap();
    assert_eq!(later[0].hours, 1);
}

async fn a_late_heartbeat_changes_the_diligent_sessions_of_the_hours_after_it(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    let mut k1 = Stream::new("k1");
    for hour in [2, 3] {
        let s = Some(Uuid::new_v4());
        k1.push(s, HOUR0 + hour * H, start("zh"))
            .push(s, HOUR0 + hour * H, open("quiz"));
    }
    k1.deliver(&store).await;
    async fn by_day(store: Store) -> u64 {
        let diligent = [Only::is(Dim::Trait, "diligent")];
        exact(&store, AtomTable::SessionTraits, &day(), &[], &diligent).await[&Vec::new()]
    }
    assert_eq!(
        by_day(store.clone()).await,
        0,
        "no heartbeat: nothing known on show"
    );
    // A heartbeat of hour 1 (1 exhibit on show) comes late: the sessions of hours 2 and 3
    // (no heartbeat of their own) are measured against it.
    k1.push(None, HOUR0 + H + 5, heartbeat(1, 10));
    k1.deliver(&store).await;
    assert_eq!(by_day(store.clone()).await, 2);
    // Then one of hour 3 (4 on show): hour 3's session is measured against that one.
    k1.push(None, HOUR0 + 3 * H + 5, heartbeat(4, 20));
    k1.deliver(&store).await;
    assert_eq!(by_day(store.clone()).await, 1);
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );
}

async fn sessions_stored_before_record_keys_get_them_before_their_atoms_are_built(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    let mut k1 = Stream::new("k1");
    for n in 0..30 {
        let s = Some(Uuid::new_v4());
        let at = HOUR0 + (n % 3) * H;
        k1.push(s, at, start("zh"))
            .push(s, at, open("quiz"))
            .push(s, at, end(5_000));
    }
    k1.deliver(&store).await;
    let atoms = store.stored_atoms().await.unwrap();
    store.forget_record_keys().await.unwrap();
    assert_eq!(store.sessions_without_record_key().await.unwrap(), 30);
    assert_eq!(store.atoms_waiting().await.unwrap(), 3);
    // A server started on the migrated database: it backfills the keys before any atom.
    let reopened = kepu_store::open(&Location::parse(&db.location), &OpenOptions::default())
        .await
        .unwrap();
    assert_eq!(reopened.rebuild_dirty_atoms(2).await.unwrap(), 2);
    assert_eq!(reopened.sessions_without_record_key().await.unwrap(), 0);
    assert_eq!(reopened.rebuild_dirty_atoms(2).await.unwrap(), 1);
    assert_eq!(
        reopened.stored_atoms().await.unwrap(),
        atoms,
        "the same keys again"
    );
    reopened.close().await;
}

/// The funnel's stages per venue, from the traits: (venue id, trait) → sessions, for the
/// traits `opened:1`…`opened:5+` (summed as `opened`), `quiz_started`, `quiz_completed`.
async fn funnel(store: &Store, filter: &ReportFilter) -> BTreeMap<(String, String), u64> {
    let stages = [
        "opened:1",
        "opened:2",
        "opened:3",
        "opened:4",
        "opened:5+",
        "quiz_started",
        "quiz_completed",
    ];
    let mut funnel = BTreeMap::new();
    for (group, n) in exact(
        store,
        AtomTable::SessionTraits,
        filter,
        &[Group::By(Dim::Venue), Group::By(Dim::Trait)],
        &[Only::any(Dim::Trait, &stages)],
    )
    .await
    {
        let stage = if group[1].starts_with("opened:") {
            "opened".to_owned()
        } else {
            group[1].clone()
        };
        *funnel.entry((group[0].clone(), stage)).or_default() += n;
    }
    funnel
}

async fn quiz_traits_count_the_sessions_that_started_and_completed_a_quiz(db: TestDb) {
    let store = with_kiosks(&db, &[("north", "k1"), ("south", "k2")]).await;
    let venues: BTreeMap<String, String> = store
        .venue_ids()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, name)| (name, id.to_string()))
        .collect();
    let (north, south) = (venues["north"].as_str(), venues["south"].as_str());
    let t = HOUR0 + 60_000;
    let ids: Vec<Option<Uuid>> = (0..6).map(|_| Some(Uuid::new_v4())).collect();
    let (answers, completes, no_quiz, opens_only, later, again) =
        (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
    let mut k1 = Stream::new("k1");
    // At north: one answers (twice: a retake) but does not complete, one completes, one
    // opens no quiz at all.
    k1.push(answers, t, start("zh"))
        .push(answers, t + 1, open("quiz"))
        .push(answers, t + 2, answer("q1", &["b"], false, None))
        .push(answers, t + 3, answer("q1", &["a"], true, None))
        .push(answers, t + 4, close("quiz", 20_000))
        .push(answers, t + 5, end(30_000))
        .push(completes, t, start("en"))
        .push(completes, t + 1, open("quiz"))
        .push(completes, t + 2, answer("q1", &["a"], true, None))
        .push(completes, t + 3, answer("q2", &[], true, Some(50.0)))
        .push(completes, t + 4, complete("quiz"))
        .push(no_quiz, t, start("zh"))
        .push(no_quiz, t + 1, open("story"))
        .push(
            no_quiz,
            t + 2,
            EventKind::StoryPageView {
                exhibit_id: "story".into(),
                page: 1,
            },
        );
    // At south: one opens the quiz and answers nothing; one answers now and completes in a
    // later batch (its atoms move by difference); one sends quiz_complete without an answer
    // (each trait is its own event's: completed does not need started).
    let mut k2 = Stream::new("k2");
    k2.push(opens_only, t, start("zh"))
        .push(opens_only, t + 1, open("quiz"))
        .push(later, t, start("zh"))
        .push(later, t + 1, open("quiz"))
        .push(later, t + 2, answer("q1", &["c"], false, None))
        .push(again, t, start("zh"))
        .push(again, t + 1, open("quiz"))
        .push(again, t + 2, complete("quiz"));
    k1.deliver(&store).await;
    k2.deliver(&store).await;

    let f = day();
    let stages = |pairs: &[(&str, &str, u64)]| -> BTreeMap<(String, String), u64> {
        pairs
            .iter()
            .map(|(venue, stage, n)| ((venue.to_string(), stage.to_string()), *n))
            .collect()
    };
    assert_eq!(
        funnel(&store, &f).await,
        stages(&[
            (north, "opened", 3),
            (north, "quiz_started", 2),
            (north, "quiz_completed", 1),
            (south, "opened", 3),
            (south, "quiz_started", 1),
            (south, "quiz_completed", 1),
        ])
    );
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );

    // The south session that answered completes in a later batch, in the next hour: it stays
    // in its start hour and gains quiz_completed.
    k2.push(later, HOUR0 + H + 1, answer("q2", &[], false, Some(10.0)))
        .push(later, HOUR0 + H + 2, complete("quiz"))
        .push(later, HOUR0 + H + 3, end(3_700_000));
    k2.deliver(&store).await;
    let after = stages(&[
        (north, "opened", 3),
        (north, "quiz_started", 2),
        (north, "quiz_completed", 1),
        (south, "opened", 3),
        (south, "quiz_started", 1),
        (south, "quiz_completed", 2),
    ]);
    assert_eq!(funnel(&store, &f).await, after);
    assert_eq!(
        funnel(&store, &ReportFilter::between(HOUR0 + H, HOUR0 + 2 * H)).await,
        BTreeMap::new(),
        "nothing in the hour it completed in"
    );
    // Each session once per trait, whatever its audience and language.
    assert_eq!(
        exact(
            &store,
            AtomTable::SessionTraits,
            &f,
            &[Group::By(Dim::Language)],
            &[Only::is(Dim::Trait, "quiz_started")]
        )
        .await,
        counts(&[(&["en"], 1), (&["zh"], 2)])
    );
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );

    // The traits are the events', not the published content's: a publish changes nothing.
    store.publish_exhibits(&manifests(3), HOUR0).await.unwrap();
    store.rebuild_all_dirty_atoms().await.unwrap();
    assert_eq!(funnel(&store, &f).await, after);
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );
}

async fn atoms_stored_before_the_quiz_traits_are_rebuilt_with_them(db: TestDb) {
    let store = with_kiosks(&db, &[("centre", "k1")]).await;
    let (quiz0, story1, quiz2) = (
        Some(Uuid::new_v4()),
        Some(Uuid::new_v4()),
        Some(Uuid::new_v4()),
    );
    let mut k1 = Stream::new("k1");
    k1.push(quiz0, HOUR0, start("zh"))
        .push(quiz0, HOUR0 + 1, open("quiz"))
        .push(quiz0, HOUR0 + 2, answer("q1", &["a"], true, None))
        .push(quiz0, HOUR0 + 3, complete("quiz"))
        .push(story1, HOUR0 + H, start("zh"))
        .push(story1, HOUR0 + H + 1, open("story"))
        .push(quiz2, HOUR0 + 2 * H, start("zh"))
        .push(quiz2, HOUR0 + 2 * H + 1, open("quiz"))
        .push(quiz2, HOUR0 + 2 * H + 2, answer("q1", &["b"], false, None));
    k1.deliver(&store).await;
    let current = store.stored_atoms().await.unwrap();
    assert_eq!(current, store.recount_atoms_from_raw().await.unwrap());

    // As a database from before the traits finds itself after the migration: the two hours
    // with a quiz answered or completed are queued, the hour without one is not (its atoms
    // are the same with the traits as without).
    store.forget_quiz_traits().await.unwrap();
    assert_eq!(store.atoms_waiting().await.unwrap(), 2);
    let quiz_traits = |store: Store| async move {
        exact(
            &store,
            AtomTable::SessionTraits,
            &day(),
            &[Group::By(Dim::Trait)],
            &[Only::any(Dim::Trait, &["quiz_started", "quiz_completed"])],
        )
        .await
    };
    assert_eq!(quiz_traits(store.clone()).await, BTreeMap::new());

    // Later events of the old sessions: hour 2 is queued, so its pass rebuilds it whole
    // (moving quiz2's atoms by difference would take out a quiz_started atom never put in);
    // hour 1 is not queued, and story1's atoms move by difference.
    k1.push(quiz2, HOUR0 + 2 * H + 3, complete("quiz")).push(
        story1,
        HOUR0 + H + 2,
        close("story", 5_000),
    );
    k1.deliver(&store).await;
    assert_eq!(store.atoms_waiting().await.unwrap(), 1, "hour 0 waits");
    assert_eq!(
        quiz_traits(store.clone()).await,
        counts(&[(&["quiz_completed"], 1), (&["quiz_started"], 1)])
    );
    assert!(
        store
            .stored_atoms()
            .await
            .unwrap()
            .values()
            .all(|(sessions, _)| *sessions > 0),
        "no atom below one session"
    );

    // The server's maintenance drains the queue: every atom as a recount has it.
    assert_eq!(store.rebuild_all_dirty_atoms().await.unwrap(), 1);
    assert_eq!(store.atoms_waiting().await.unwrap(), 0);
    assert_eq!(
        quiz_traits(store.clone()).await,
        counts(&[(&["quiz_completed"], 2), (&["quiz_started"], 2)])
    );
    assert_eq!(
        store.stored_atoms().await.unwrap(),
        store.recount_atoms_from_raw().await.unwrap()
    );
}
