#![allow(clippy::unwrap_used)]
use kepu_core::wire::{AccessibilityModes, EngagementEvent, EventKind, SCHEMA_VERSION, SessionEndReason};
use kepu_core::manifest::Audience;
use kepu_store::testing::TestDb;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile() {
    let db = TestDb::fresh(kepu_store::Engine::Sqlite).await.unwrap();
    let store = &db.store;
    store.add_venue("v", 0).await.unwrap();
    let kiosks = 50;
    for k in 0..kiosks { store.add_kiosk("v", &format!("k{k}"), &format!("h{k}"), 0).await.unwrap(); }
    let per_kiosk = 4000u64;
    let start = 1_780_000_000_000i64;
    let mut all = Vec::new();
    for k in 0..kiosks {
        let boot = Uuid::new_v4();
        let mut session = Uuid::new_v4();
        let mut n = 0u64;
        for seq in 1..=per_kiosk {
            let step = (seq - 1) % 12;
            let at = start + (seq as i64) * 5_400; // 6 h over 4000 events
            let exhibit_id = format!("exhibit-{}", (n as usize * 7 + k) % 20);
            let event = match step {
                0 => { session = Uuid::new_v4(); EventKind::SessionStart { language: "zh".into(), modes: AccessibilityModes::default() } }
                1 => EventKind::AudienceChoice { audience: [Some(Audience::Child), Some(Audience::Senior), None][n as usize % 3] },
                2 => EventKind::ExhibitOpen { exhibit_id },
                3 | 4 => EventKind::StoryPageView { exhibit_id, page: step as u32 - 2 },
                5..=7 => EventKind::QuizAnswer { exhibit_id, question_id: format!("q{}", step - 4), choice_ids: vec![["a","b","c"][((n + step) % 3) as usize].into()], correct: (n + step) % 3 != 0, value: None, answer_ms: 2_000 + (n % 50) * 100 },
                8 => EventKind::QuizComplete { exhibit_id, score: (n % 4) as u32, max_score: 3 },
                9 => EventKind::HotspotOpen { exhibit_id, hotspot_id: format!("h{}", n % 4) },
                10 => EventKind::ExhibitClose { exhibit_id, dwell_ms: 20_000 + (n % 60) * 1_000 },
                _ => { n += 1; EventKind::SessionEnd { reason: SessionEndReason::StartOver, duration_ms: 60_000 } }
            };
            all.push((seq, EngagementEvent { id: Uuid::now_v7(), kiosk_id: format!("k{k}"), boot_id: boot, seq, session_id: Some(session), occurred_at_ms: at, app_version: "0.1.0".into(), schema_version: SCHEMA_VERSION, event }));
        }
    }
    // Interleave kiosks in batches of 500 as they would arrive.
    all.sort_by_key(|(seq, e)| ((seq - 1) / 500, e.kiosk_id.clone(), *seq));
    let events: Vec<EngagementEvent> = all.into_iter().map(|(_, e)| e).collect();
    for chunk in events.chunks(500) { store.insert_trusted_events(chunk, start).await.unwrap(); }
    let t = std::time::Instant::now();
    loop {
        let pass = store.roll_up(20_000).await.unwrap();
        eprintln!("pass {} events, total {:?}", pass.events, t.elapsed());
        if pass.events < 20_000 { break; }
    }
}
