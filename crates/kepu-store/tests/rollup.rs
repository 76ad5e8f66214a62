//! The roll-up against a recount: random streams of visitor sessions from two kiosks, delivered
//! in random batches — one kiosk late (offline while the other's events are rolled up), batches
//! sent again — with roll-up passes at random moments; afterwards every hourly count equals a
//! count made straight from the raw events and the kiosks' roll-ups, and the audience and
//! language of every count equal an independent replay of each session. The dashboard's atoms
//! (per-session facts, heartbeats, report metadata published at a random moment) equal an
//! independent recount from the raw events, and each kiosk's health is its newest heartbeat
//! however late it came. On both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::manifest::Audience;
use kepu_core::wire::{
    EngagementEvent, EventKind, EventRollup, KioskHealth, ROLLUP_PERIOD_MS, SCHEMA_VERSION,
    SessionEndReason,
};
use kepu_store::testing::{TestDb, to_publish};
use kepu_store::{Engine, Store};
use proptest::prelude::*;
use std::collections::BTreeMap;
use uuid::Uuid;

const BASE: i64 = 1_780_000_000_000;
const KIOSKS: [&str; 2] = ["k1", "k2"];
const LANGUAGES: [&str; 3] = ["zh", "en", "fr"];
const EXHIBITS: [&str; 4] = ["quiz", "sort", "story", "map"];

#[derive(Debug, Clone)]
enum Step {
    Audience(Option<usize>),
    Language(usize),
    Open(usize),
    Answer {
        question: usize,
        choices: Vec<usize>,
        correct: bool,
    },
    Place {
        item: usize,
        bin: usize,
        correct: bool,
    },
    Page(u32),
    Close {
        exhibit: usize,
        dwell_ms: u64,
    },
    Estimate {
        value: f64,
        correct: bool,
    },
    Complete,
    Hotspot(usize),
    Modes(bool, bool, bool),
}

#[derive(Debug, Clone)]
struct Session {
    kiosk: usize,
    hour: i64,
    language: usize,
    steps: Vec<Step>,
    ends: bool,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::option::of(0..4usize).prop_map(Step::Audience),
        (0..3usize).prop_map(Step::Language),
        (0..4usize).prop_map(Step::Open),
        (
            0..3usize,
            prop::collection::vec(0..4usize, 0..3),
            any::<bool>()
        )
            .prop_map(|(question, choices, correct)| Step::Answer {
                question,
                choices,
                correct
            }),
        (0..3usize, 0..4usize, any::<bool>()).prop_map(|(item, bin, correct)| Step::Place {
            item,
            bin,
            correct
        }),
        (1..5u32).prop_map(Step::Page),
        (0..4usize, 0..4_000_000u64)
            .prop_map(|(exhibit, dwell_ms)| Step::Close { exhibit, dwell_ms }),
        (-20.0..120.0f64, any::<bool>())
            .prop_map(|(value, correct)| Step::Estimate { value, correct }),
        Just(Step::Complete),
        (0..3usize).prop_map(Step::Hotspot),
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(a, b, c)| Step::Modes(a, b, c)),
    ]
}

fn session() -> impl Strategy<Value = Session> {
    (
        0..2usize,
        0..4i64,
        0..3usize,
        prop::collection::vec(step(), 0..12),
        any::<bool>(),
    )
        .prop_map(|(kiosk, hour, language, steps, ends)| Session {
            kiosk,
            hour,
            language,
            steps,
            ends,
        })
}

#[derive(Debug, Clone)]
struct Plan {
    sessions: Vec<Session>,
    /// Kiosk roll-ups: (kiosk, hour, exhibit, count, correct).
    kiosk_rollups: Vec<(usize, i64, usize, u64, u64)>,
    batch_size: usize,
    /// Which kiosk is offline until the other has delivered and been rolled up.
    late_kiosk: usize,
    /// After which deliveries a roll-up pass runs, and which batches are sent again.
    roll_after: Vec<bool>,
    resend: Vec<bool>,
    /// Heartbeats: (kiosk, hour, exhibits on show, where in the kiosk's stream).
    heartbeats: Vec<(usize, i64, u32, usize)>,
    /// After which delivery the exhibits are published (their completion targets and
    /// estimate ranges; past the end: after everything was rolled up).
    publish_after: usize,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop::collection::vec(session(), 1..10),
        prop::collection::vec((0..2usize, 0..4i64, 0..3usize, 1..50u64, 0..50u64), 0..4),
        1..7usize,
        0..2usize,
        prop::collection::vec(any::<bool>(), 64),
        prop::collection::vec(any::<bool>(), 64),
        prop::collection::vec((0..2usize, 0..4i64, 0..4u32, 0..200usize), 0..8),
        0..40usize,
    )
        .prop_map(
            |(
                sessions,
                rollups,
                batch_size,
                late_kiosk,
                roll_after,
                resend,
                heartbeats,
                publish_after,
            )| Plan {
                sessions,
                kiosk_rollups: rollups
                    .into_iter()
                    .map(|(k, h, e, n, c)| (k, h, e, n, c.min(n)))
                    .collect(),
                batch_size,
                late_kiosk,
                roll_after,
                resend,
                heartbeats,
                publish_after,
            },
        )
}

fn kind_of(step: &Step) -> EventKind {
    let id = |prefix: &str, n: usize| format!("{prefix}{n}");
    match step {
        Step::Audience(a) => EventKind::AudienceChoice {
            audience: a.map(|i| {
                [
                    Audience::Child,
                    Audience::Senior,
                    Audience::Worker,
                    Audience::Rural,
                ][i]
            }),
        },
        Step::Language(l) => EventKind::LanguageChange {
            language: LANGUAGES[*l].into(),
        },
        Step::Open(e) => EventKind::ExhibitOpen {
            exhibit_id: EXHIBITS[*e].into(),
        },
        Step::Answer {
            question,
            choices,
            correct,
        } => EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: id("q", *question),
            choice_ids: choices.iter().map(|c| id("c", *c)).collect(),
            correct: *correct,
            value: None,
            answer_ms: 2_000,
        },
        Step::Place { item, bin, correct } => EventKind::SortPlacement {
            exhibit_id: "sort".into(),
            item_id: id("item", *item),
            bin_id: id("bin", *bin),
            correct: *correct,
        },
        Step::Page(page) => EventKind::StoryPageView {
            exhibit_id: "story".into(),
            page: *page,
        },
        Step::Close { exhibit, dwell_ms } => EventKind::ExhibitClose {
            exhibit_id: EXHIBITS[*exhibit].into(),
            dwell_ms: *dwell_ms,
        },
        Step::Estimate { value, correct } => EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: "q9".into(),
            choice_ids: Vec::new(),
            correct: *correct,
            value: Some(*value),
            answer_ms: 30_000,
        },
        Step::Complete => EventKind::QuizComplete {
            exhibit_id: "quiz".into(),
            score: 1,
            max_score: 4,
        },
        Step::Hotspot(h) => EventKind::HotspotOpen {
            exhibit_id: "map".into(),
            hotspot_id: id("h", *h),
        },
        Step::Modes(large_text, high_contrast, seated) => EventKind::AccessibilityChange {
            large_text: *large_text,
            high_contrast: *high_contrast,
            seated: *seated,
        },
    }
}

/// What the exhibits' manifests say (their ids as the events use them): a story of 3 pages,
/// a sort game of 3 items, a hotspots image of 2 hotspots, a quiz with an estimate (0..100).
fn manifests() -> Vec<kepu_store::content::PublishedExhibit> {
    let text = |t: &str| serde_json::json!({ "en": t });
    let page = serde_json::json!({ "text": text("p") });
    let item = |i: usize| {
        serde_json::json!({ "id": format!("item{i}"), "name": text("i"),
                            "bin": format!("bin{i}"), "feedback": text("f") })
    };
    let hotspot = |h: usize| {
        serde_json::json!({ "id": format!("h{h}"), "title": text("t"), "text": text("t"),
                            "rect": [0.0, 0.0, 1.0, 1.0] })
    };
    let bins: Vec<_> = (0..4)
        .map(|b| serde_json::json!({ "id": format!("bin{b}"), "label": text("b") }))
        .collect();
    let mut questions: Vec<_> = (0..3)
        .map(|q| {
            serde_json::json!({ "id": format!("q{q}"), "prompt": text("?"),
                                "explanation": text("!"), "choices": [] })
        })
        .collect();
    questions.push(serde_json::json!({
        "id": "q9", "type": "estimate", "prompt": text("?"), "explanation": text("!"),
        "estimate": { "min": 0.0, "max": 100.0, "answer": 50.0, "tolerance": 5.0 }
    }));
    [
        serde_json::json!({ "id": "story", "kind": "story", "title": text("s"),
                            "pages": [page.clone(), page.clone(), page] }),
        serde_json::json!({ "id": "sort", "kind": "sort", "title": text("s"), "bins": bins,
                            "items": [item(0), item(1), item(2)] }),
        serde_json::json!({ "id": "map", "kind": "hotspots", "title": text("m"),
                            "image": "m.png", "hotspots": [hotspot(0), hotspot(1)] }),
        serde_json::json!({ "id": "quiz", "kind": "quiz", "title": text("q"),
                            "questions": questions }),
    ]
    .into_iter()
    .map(to_publish)
    .collect()
}

/// Every kiosk's events in its sequence order.
fn events_of(plan: &Plan) -> [Vec<EngagementEvent>; 2] {
    let mut per_kiosk: [Vec<EngagementEvent>; 2] = [Vec::new(), Vec::new()];
    for session in &plan.sessions {
        let id = Uuid::new_v4();
        let mut kinds = vec![EventKind::SessionStart {
            language: LANGUAGES[session.language].into(),
            modes: Default::default(),
        }];
        kinds.extend(session.steps.iter().map(kind_of));
        if session.ends {
            kinds.push(EventKind::SessionEnd {
                reason: SessionEndReason::StartOver,
                duration_ms: 60_000,
            });
        }
        let list = &mut per_kiosk[session.kiosk];
        for (n, kind) in kinds.into_iter().enumerate() {
            list.push(EngagementEvent {
                id: Uuid::now_v7(),
                kiosk_id: KIOSKS[session.kiosk].into(),
                boot_id: Uuid::from_u64_pair(1, 1),
                seq: list.len() as u64 + 1,
                session_id: Some(id),
                occurred_at_ms: BASE + session.hour * ROLLUP_PERIOD_MS + n as i64 * 1_000,
                app_version: "0.1.0".into(),
                schema_version: SCHEMA_VERSION,
                event: kind,
            });
        }
    }
    // Heartbeats anywhere in the stream (one of a later hour may come before sessions of an
    // earlier one), each at a time of its own.
    for (n, &(kiosk, hour, loaded, at)) in plan.heartbeats.iter().enumerate() {
        let list = &mut per_kiosk[kiosk];
        let position = at % (list.len() + 1);
        list.insert(
            position,
            EngagementEvent {
                id: Uuid::now_v7(),
                kiosk_id: KIOSKS[kiosk].into(),
                boot_id: Uuid::from_u64_pair(1, 1),
                seq: 0,
                session_id: None,
                occurred_at_ms: BASE + hour * ROLLUP_PERIOD_MS + 1_800_000 + n as i64 * 1_000,
                app_version: "0.1.0".into(),
                schema_version: SCHEMA_VERSION,
                event: EventKind::KioskHeartbeat(KioskHealth {
                    exhibits_loaded: loaded,
                    uptime_s: n as u64,
                    ..KioskHealth::default()
                }),
            },
        );
    }
    for list in &mut per_kiosk {
        for (n, event) in list.iter_mut().enumerate() {
            event.seq = n as u64 + 1;
        }
    }
    per_kiosk
}

async fn deliver(store: &Store, batch: &[EngagementEvent]) {
    store.insert_trusted_events(batch, BASE).await.unwrap();
}

/// An independent replay: per (language, audience, type) and per detail, what each event
/// counts, from the session's own history up to that event.
fn model(
    per_kiosk: &[Vec<EngagementEvent>; 2],
) -> (
    BTreeMap<(String, String, String), u64>,
    BTreeMap<(String, String, String), u64>,
) {
    let mut by_visitor = BTreeMap::new();
    let mut details = BTreeMap::new();
    let mut sessions: BTreeMap<Uuid, (String, String)> = BTreeMap::new();
    for event in per_kiosk.iter().flatten() {
        let Some(session) = event.session_id else {
            *by_visitor
                .entry((
                    String::new(),
                    String::new(),
                    event.event.type_name().to_owned(),
                ))
                .or_default() += 1;
            continue;
        };
        let state = sessions.entry(session).or_default();
        match &event.event {
            EventKind::SessionStart { language, .. } | EventKind::LanguageChange { language } => {
                state.0 = language.clone();
            }
            EventKind::AudienceChoice { audience } => {
                state.1 = match audience {
                    None => "skipped".into(),
                    Some(a) => serde_json::to_value(a)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_owned(),
                };
            }
            _ => {}
        }
        *by_visitor
            .entry((
                state.0.clone(),
                state.1.clone(),
                event.event.type_name().to_owned(),
            ))
            .or_default() += 1;
        let mut detail = |element: String, choice: String| {
            *details
                .entry((event.event.type_name().to_owned(), element, choice))
                .or_default() += 1;
        };
        match &event.event {
            EventKind::QuizAnswer {
                question_id,
                choice_ids,
                ..
            } if choice_ids.is_empty() => {
                detail(question_id.clone(), String::new());
            }
            EventKind::QuizAnswer {
                question_id,
                choice_ids,
                ..
            } => {
                for choice in choice_ids {
                    detail(question_id.clone(), choice.clone());
                }
            }
            EventKind::SortPlacement {
                item_id, bin_id, ..
            } => detail(item_id.clone(), bin_id.clone()),
            EventKind::StoryPageView { page, .. } => detail(page.to_string(), String::new()),
            EventKind::HotspotOpen { hotspot_id, .. } => detail(hotspot_id.clone(), String::new()),
            _ => {}
        }
    }
    (by_visitor, details)
}

async fn check(engine: Engine, plan: Plan) {
    let db = TestDb::fresh(engine).await.unwrap();
    let store = &db.store;
    store.add_venue("v", 0).await.unwrap();
    for kiosk in KIOSKS {
        store
            .add_kiosk("v", kiosk, &format!("hash-{kiosk}"), 0)
            .await
            .unwrap();
    }
    let per_kiosk = events_of(&plan);
    let on_time = 1 - plan.late_kiosk;
    let mut deliveries = 0;
    let mut sent: Vec<Vec<EngagementEvent>> = Vec::new();
    for kiosk in [on_time, plan.late_kiosk] {
        if kiosk == plan.late_kiosk {
            // The other kiosk's hours are rolled up before the late one's events arrive.
            store.roll_up_all().await.unwrap();
        }
        for batch in per_kiosk[kiosk].chunks(plan.batch_size) {
            deliver(store, batch).await;
            sent.push(batch.to_vec());
            let i = deliveries % 64;
            if plan.resend[i] {
                let again = &sent[(deliveries * 7) % sent.len()];
                deliver(store, again).await;
            }
            if plan.roll_after[i] {
                store.roll_up(3).await.unwrap();
            }
            if deliveries == plan.publish_after {
                // As the server's maintenance loop would, the queued rebuilds follow.
                store.publish_exhibits(&manifests(), BASE).await.unwrap();
                store.rebuild_all_dirty_atoms().await.unwrap();
            }
            deliveries += 1;
        }
    }
    let rollups: Vec<EventRollup> = plan
        .kiosk_rollups
        .iter()
        .map(|&(kiosk, hour, exhibit, count, correct)| EventRollup {
            rollup_id: Uuid::now_v7(),
            kiosk_id: KIOSKS[kiosk].into(),
            hour_start_ms: BASE / ROLLUP_PERIOD_MS * ROLLUP_PERIOD_MS + hour * ROLLUP_PERIOD_MS,
            event_type: "quiz_answer".into(),
            exhibit_id: Some(EXHIBITS[exhibit].into()),
            count,
            correct,
        })
        .collect();
    store.insert_rollups(&rollups, BASE).await.unwrap();
    store.insert_rollups(&rollups, BASE).await.unwrap();
    store.roll_up_all().await.unwrap();
    assert_eq!(
        store.oldest_unfolded_ms().await.unwrap(),
        None,
        "everything folded"
    );

    let rolled = store.hourly_totals().await.unwrap();
    let recount = store.recount_from_raw().await.unwrap();
    assert_eq!(
        rolled, recount,
        "hourly counts equal a recount of the raw events"
    );

    let (by_visitor, details) = model(&per_kiosk);
    let mut expected_by_visitor = by_visitor;
    for &(_, _, _, count, _) in &plan.kiosk_rollups {
        *expected_by_visitor
            .entry((String::new(), String::new(), "quiz_answer".into()))
            .or_default() += count;
    }
    assert_eq!(
        store.totals_by_visitor().await.unwrap(),
        expected_by_visitor
    );
    assert_eq!(store.detail_totals().await.unwrap(), details);
    let distinct_sessions = plan.sessions.len() as u64;
    assert_eq!(store.session_rows().await.unwrap(), distinct_sessions);

    // The atoms as the roll-up passes left them (nothing queued: every change since the
    // publish, late heartbeats included, was rebuilt by the pass that made it).
    assert_eq!(store.atoms_waiting().await.unwrap(), 0);
    let mut atoms = atoms_equal_a_recount(store).await;
    if deliveries <= plan.publish_after {
        // Published after everything was counted: every kiosk-hour is queued, and rebuilt.
        store.publish_exhibits(&manifests(), BASE).await.unwrap();
        assert_eq!(
            store.atoms_waiting().await.unwrap() > 0,
            !plan.sessions.is_empty()
        );
        store.rebuild_all_dirty_atoms().await.unwrap();
        assert_eq!(store.atoms_waiting().await.unwrap(), 0);
        atoms = atoms_equal_a_recount(store).await;
    }
    let sessions_in_atoms: u64 = atoms
        .iter()
        .filter(|(key, _)| key.0 == "atom_sessions")
        .map(|(_, (n, _))| n)
        .sum();
    assert_eq!(
        sessions_in_atoms, distinct_sessions,
        "each session in one length atom"
    );

    // Each kiosk's health is its newest heartbeat, whatever order they came in.
    let health = store.kiosk_health().await.unwrap();
    for (kiosk, name) in KIOSKS.iter().enumerate() {
        let newest = per_kiosk[kiosk]
            .iter()
            .filter(|e| matches!(e.event, EventKind::KioskHeartbeat(_)))
            .max_by_key(|e| e.occurred_at_ms);
        let row = health.iter().find(|row| row.kiosk == *name).unwrap();
        assert_eq!(
            row.last_heartbeat_at_ms,
            newest.map(|e| e.occurred_at_ms),
            "{name}"
        );
        if let Some(EventKind::KioskHeartbeat(beat)) = newest.map(|e| &e.event) {
            assert_eq!(row.health().as_ref(), Some(beat));
        }
    }
}

async fn atoms_equal_a_recount(store: &Store) -> kepu_store::testing::Atoms {
    let atoms = store.stored_atoms().await.unwrap();
    let recount = store.recount_atoms_from_raw().await.unwrap();
    if atoms != recount {
        let stored: Vec<_> = atoms
            .iter()
            .filter(|(k, v)| recount.get(*k) != Some(v))
            .collect();
        let recounted: Vec<_> = recount
            .iter()
            .filter(|(k, v)| atoms.get(*k) != Some(v))
            .collect();
        panic!("atoms differ from a recount:\nstored {stored:#?}\nrecounted {recounted:#?}");
    }
    atoms
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rollups_equal_a_recount_on_sqlite(plan in plan()) {
        runtime().block_on(check(Engine::Sqlite, plan));
    }

    #[test]
    fn rollups_equal_a_recount_on_postgres(plan in plan()) {
        runtime().block_on(check(Engine::Postgres, plan));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
