//! Ingest: what is stored, once; and every class of bad input refused with its status, a
//! reason, and nothing stored.

use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_core::wire::{EventKind, INGEST_PATH, IngestRequest, IngestResponse, ROLLUP_PATH};
use uuid::Uuid;

on_both_engines!(
    a_valid_batch_is_stored_and_the_summary_adds_up,
    the_same_batch_sent_twice_is_stored_once,
    events_claiming_another_kiosk_are_refused,
    malformed_bodies_are_400_with_the_reason,
    oversized_batches_and_bodies_are_413,
    gzip_bodies_are_accepted_and_other_encodings_refused,
    free_text_in_any_field_is_refused_naming_the_event,
    impossible_values_are_refused,
    events_from_a_kiosk_without_a_working_clock_are_kept_at_their_arrival,
    rollups_from_a_kiosk_without_a_working_clock_count_in_the_hour_they_arrive,
    rollups_are_stored_once_and_counted_in_the_summary,
    bad_rollups_are_refused_and_store_nothing,
    heartbeats_and_audience_choices_are_stored_and_are_not_visits,
    the_most_extreme_values_the_rules_allow_keep_every_report_working,
);

async fn a_valid_batch_is_stored_and_the_summary_adds_up(app: TestApp) {
    let reply = app.post_events(two_sessions()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let ack: IngestResponse = reply.json();
    assert_eq!((ack.received, ack.stored, ack.duplicates), (9, 9, 0));
    let summary = app.summary().await;
    assert_eq!((summary.sessions, summary.events), (2, 9));
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "quiz")
        .unwrap();
    assert_eq!(
        (quiz.opens, quiz.quiz_answers, quiz.quiz_correct),
        (1, 3, 2)
    );
    let story = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "story")
        .unwrap();
    assert_eq!((story.opens, story.quiz_answers), (1, 0));
    // The kiosk is seen, with its version.
    let kiosk = &app.db.store.list_kiosks().await.unwrap()[0];
    assert!(kiosk.last_seen_at_ms.is_some());
    assert_eq!(kiosk.app_version.as_deref(), Some("0.1.0"));
    assert_eq!(kiosk.clock_untrusted_at_ms, None);
}

async fn the_same_batch_sent_twice_is_stored_once(app: TestApp) {
    let batch = two_sessions();
    app.post_events(batch.clone()).await;
    let reply = app.post_events(batch.clone()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let ack: IngestResponse = reply.json();
    assert_eq!((ack.stored, ack.duplicates), (0, 9));
    // The same ids spelled in upper case are the same events.
    let mut json = serde_json::to_value(IngestRequest { events: batch }).unwrap();
    for event in json["events"].as_array_mut().unwrap() {
        let id = event["id"].as_str().unwrap().to_uppercase();
        event["id"] = id.into();
    }
    let reply = app
        .post_raw(
            INGEST_PATH,
            Some(&app.token),
            &[],
            json.to_string().into_bytes(),
        )
        .await;
    assert_eq!(reply.json::<IngestResponse>().stored, 0);
    assert_eq!(app.summary().await.events, 9);
}

async fn events_claiming_another_kiosk_are_refused(app: TestApp) {
    let mut events = two_sessions();
    events[3].kiosk_id = "kiosk-b".into();
    let other = events[3].id;
    let reply = app.post_events(events).await;
    // Named, so that the kiosk sets it aside instead of retrying it forever.
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = reply.error();
    assert_eq!(
        (error.error.as_str(), error.rejected_event),
        ("other_kiosk", Some(other))
    );
    assert!(
        !error.detail.contains("kiosk-b"),
        "the claimed name is not echoed"
    );
    assert_eq!(app.stored_rows().await, 0, "the whole batch is refused");
}

async fn malformed_bodies_are_400_with_the_reason(app: TestApp) {
    let reply = app
        .post_raw(INGEST_PATH, Some(&app.token), &[], b"{not json".to_vec())
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().error, "bad_request");
    assert!(!reply.error().detail.is_empty());

    // An unknown field in the envelope: 400. In an event (a newer kiosk's field, or a
    // modified kiosk's): 422 naming that event, so the kiosk can set it aside.
    for (at, field, status) in [
        ("", "visitor_ip", StatusCode::BAD_REQUEST),
        ("/events/1", "visitor_ip", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/events/1/event",
            "free_text",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let events = two_sessions();
        let second = events[1].id;
        let mut json = serde_json::to_value(IngestRequest { events }).unwrap();
        json.pointer_mut(at).unwrap()[field] = "10.0.0.1 and a much longer text after it".into();
        let reply = app
            .post_raw(
                INGEST_PATH,
                Some(&app.token),
                &[],
                json.to_string().into_bytes(),
            )
            .await;
        assert_eq!(reply.status, status, "{at}");
        let error = reply.error();
        assert!(error.detail.contains(field), "{}", error.detail);
        assert!(
            !error.detail.contains("much longer text"),
            "the payload is not echoed"
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(
                (error.error.as_str(), error.rejected_event),
                ("malformed_item", Some(second))
            );
        }
    }
    let request = axum::http::Request::post(INGEST_PATH)
        .header("content-type", "text/plain")
        .header("authorization", format!("Bearer {}", app.token))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    assert_eq!(
        app.send(request).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(app.stored_rows().await, 0);
}

async fn oversized_batches_and_bodies_are_413(app: TestApp) {
    let session = Some(Uuid::new_v4());
    let many: Vec<_> = (1..=501)
        .map(|i| {
            event(
                i,
                session,
                EventKind::LanguageChange {
                    language: "en".into(),
                },
            )
        })
        .collect();
    assert_eq!(
        app.post_events(many).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // 5 MiB of plain JSON: 413 (the kiosk halves its batch on 413 only), not 400.
    let mut body = b"{\"events\": [".to_vec();
    body.resize(5 * 1024 * 1024, b' ');
    body.extend_from_slice(b"]}");
    let reply = app.post_raw(INGEST_PATH, Some(&app.token), &[], body).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A declared 64 MiB body is refused on its header, before a byte is read.
    let reply = app
        .post_raw(
            INGEST_PATH,
            Some(&app.token),
            &[("content-length", "67108864")],
            Vec::new(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error().error, "payload_too_large");
    assert_eq!(app.stored_rows().await, 0);
}

async fn gzip_bodies_are_accepted_and_other_encodings_refused(app: TestApp) {
    let json = serde_json::to_vec(&IngestRequest {
        events: two_sessions(),
    })
    .unwrap();
    let gzipped = [("content-encoding", "gzip")];
    let reply = app
        .post_raw(INGEST_PATH, Some(&app.token), &gzipped, gzip(&json))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json::<IngestResponse>().stored, 9);

    let reply = app
        .post_raw(
            INGEST_PATH,
            Some(&app.token),
            &[("content-encoding", "br")],
            json.clone(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(reply.error().detail.contains("\"br\""));

    let reply = app
        .post_raw(INGEST_PATH, Some(&app.token), &gzipped, json)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().detail.contains("not valid gzip"));

    // 5 MiB of JSON whitespace gzip to a few kilobytes: refused by its decoded size.
    let bomb = gzip(&vec![b' '; 5 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let reply = app
        .post_raw(INGEST_PATH, Some(&app.token), &gzipped, bomb.clone())
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.error().detail.contains("decompressed"));
    // Without a valid token the bomb is not even decoded: 401, not 413.
    let reply = app
        .post_raw(
            INGEST_PATH,
            Some(&kepu_server::auth::new_token()),
            &gzipped,
            bomb,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.summary().await.events, 9);
}

/// A batch with one bad event among good ones: 422 naming the event and the rule, nothing of
/// the batch stored.
async fn assert_refused(app: &TestApp, bad: kepu_core::wire::EngagementEvent, reason: &str) {
    let bad_id = bad.id;
    let mut batch = two_sessions();
    batch.insert(2, bad);
    let reply = app.post_events(batch).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{reason}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let error = reply.error();
    assert_eq!(error.error, reason, "{}", error.detail);
    assert_eq!(error.rejected_event, Some(bad_id));
    assert!(
        error.detail.len() < 400,
        "a bounded message: {}",
        error.detail
    );
    assert_eq!(app.stored_rows().await, 0, "{reason}: nothing stored");
}

async fn free_text_in_any_field_is_refused_naming_the_event(app: TestApp) {
    let session = Some(Uuid::new_v4());
    let hostile = [
        "Zhang Wei",
        "13800138000",
        "visitor@example.com",
        "192.168.1.20",
        "<script>alert(1)</script>",
        "pendulum\u{0}",
        "pendulum\u{202e}",
    ];
    for text in hostile {
        let open = event(
            1,
            session,
            EventKind::ExhibitOpen {
                exhibit_id: text.into(),
            },
        );
        assert_refused(&app, open, "bad_identifier").await;
        let hotspot = event(
            1,
            session,
            EventKind::HotspotOpen {
                exhibit_id: "kitchen".into(),
                hotspot_id: text.into(),
            },
        );
        assert_refused(&app, hotspot, "bad_identifier").await;
        let answer = event(
            1,
            session,
            EventKind::QuizAnswer {
                exhibit_id: "quiz".into(),
                question_id: "q1".into(),
                choice_ids: vec!["a".into(), text.into()],
                correct: false,
                value: None,
                answer_ms: 1,
            },
        );
        assert_refused(&app, answer, "bad_identifier").await;
        let sim = event(
            1,
            session,
            EventKind::SimulationSummary {
                exhibit_id: "pendulum".into(),
                parameter_changes: [(text.to_owned(), 1)].into(),
                played_ms: 1,
                runs: 1,
            },
        );
        assert_refused(&app, sim, "bad_identifier").await;
        let language = event(
            1,
            session,
            EventKind::LanguageChange {
                language: text.into(),
            },
        );
        assert_refused(&app, language, "unknown_language").await;
        let mut version = event(
            1,
            session,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        );
        version.app_version = text.into();
        assert_refused(&app, version, "bad_version").await;
    }
    let huge_id = event(
        1,
        session,
        EventKind::ExhibitOpen {
            exhibit_id: "a".repeat(1024 * 1024),
        },
    );
    assert_refused(&app, huge_id, "bad_identifier").await;
    let many_choices = event(
        1,
        session,
        EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: "q1".into(),
            choice_ids: (0..100_000).map(|i| format!("c{i}")).collect(),
            correct: false,
            value: None,
            answer_ms: 1,
        },
    );
    assert_refused(&app, many_choices, "too_many").await;
}

async fn impossible_values_are_refused(app: TestApp) {
    let session = Some(Uuid::new_v4());
    let open = |seq| {
        event(
            seq,
            session,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        )
    };
    assert_refused(&app, open(u64::MAX), "out_of_range").await;
    assert_refused(&app, open(0), "out_of_range").await;
    let close = event(
        1,
        session,
        EventKind::ExhibitClose {
            exhibit_id: "quiz".into(),
            dwell_ms: u64::MAX,
        },
    );
    assert_refused(&app, close, "out_of_range").await;
    let century = event(
        1,
        session,
        EventKind::SessionEnd {
            reason: kepu_core::wire::SessionEndReason::IdleTimeout,
            duration_ms: 100 * 365 * 86_400_000,
        },
    );
    assert_refused(&app, century, "out_of_range").await;
    let score = event(
        1,
        session,
        EventKind::QuizComplete {
            exhibit_id: "quiz".into(),
            score: 1000,
            max_score: 5,
        },
    );
    assert_refused(&app, score, "out_of_range").await;
    let mut nil = open(1);
    nil.id = Uuid::nil();
    assert_refused(&app, nil, "nil_uuid").await;
    let mut nil_boot = open(1);
    nil_boot.boot_id = Uuid::nil();
    assert_refused(&app, nil_boot, "nil_uuid").await;
    let heartbeat = event(
        1,
        session,
        EventKind::KioskHeartbeat(kepu_core::wire::KioskHealth::default()),
    );
    assert_refused(&app, heartbeat, "session_mismatch").await;
    let mut schema = open(1);
    schema.schema_version = 99;
    assert_refused(&app, schema, "bad_schema_version").await;
}

async fn events_from_a_kiosk_without_a_working_clock_are_kept_at_their_arrival(app: TestApp) {
    let session = Some(Uuid::new_v4());
    let mut events = Vec::new();
    for (seq, at) in [
        (1, 946_684_800_000),
        (2, 253_402_214_400_000),
        (3, i64::MIN),
    ] {
        let mut open = event(
            seq,
            session,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        );
        open.occurred_at_ms = at;
        events.push(open);
    }
    let before = kepu_core::now_unix_ms();
    let reply = app.post_events(events).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json::<IngestResponse>().stored, 3);
    let kiosk = &app.db.store.list_kiosks().await.unwrap()[0];
    assert!(
        kiosk.clock_untrusted_at_ms.is_some_and(|at| at >= before),
        "kiosk health shows the clock"
    );
    assert_eq!(app.summary().await.exhibits[0].opens, 3);
}

async fn rollups_are_stored_once_and_counted_in_the_summary(app: TestApp) {
    app.post_events(two_sessions()).await;
    let rollups = vec![
        rollup("session_start", None, 5, 0),
        rollup("exhibit_open", Some("quiz"), 3, 0),
        rollup("quiz_answer", Some("quiz"), 4, 3),
        rollup("story_page_view", Some("story"), 2, 0),
    ];
    let reply = app.post_rollups(rollups.clone()).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let ack: IngestResponse = reply.json();
    assert_eq!((ack.received, ack.stored, ack.duplicates), (4, 4, 0));
    let ack: IngestResponse = app.post_rollups(rollups).await.json();
    assert_eq!((ack.stored, ack.duplicates), (0, 4));
    let summary = app.summary().await;
    assert_eq!(summary.sessions, 2 + 5);
    assert_eq!(summary.events, 9 + 5 + 3 + 4 + 2);
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "quiz")
        .unwrap();
    assert_eq!(
        (quiz.opens, quiz.quiz_answers, quiz.quiz_correct),
        (4, 7, 5)
    );
    assert_eq!(app.db.store.rolled_up_events(KIOSK).await.unwrap(), 14);
}

async fn bad_rollups_are_refused_and_store_nothing(app: TestApp) {
    let mut other_kiosk = rollup("session_start", None, 1, 0);
    other_kiosk.kiosk_id = "kiosk-b".into();
    let reply = app.post_rollups(vec![other_kiosk]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error().error, "other_kiosk");

    let mut off_the_hour = rollup("session_start", None, 1, 0);
    off_the_hour.hour_start_ms += 1;
    let cases = [
        rollup("session_start", None, 0, 0),
        rollup("quiz_answer", Some("quiz"), 2, 3),
        rollup("quiz_answer", Some("quiz"), u64::MAX, 0),
        off_the_hour,
        rollup("Visitor said hello", None, 1, 0),
        rollup("exhibit_open", Some("quiz; DROP"), 1, 0),
    ];
    for bad in cases {
        let id = bad.rollup_id;
        let reply = app
            .post_rollups(vec![rollup("session_start", None, 1, 0), bad])
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error().rejected_event, Some(id));
    }
    let mut json = serde_json::to_value(kepu_core::wire::RollupRequest {
        rollups: vec![rollup("session_start", None, 1, 0)],
    })
    .unwrap();
    json["rollups"][0]["visitor_name"] = "Alice".into();
    let reply = app
        .post_raw(
            ROLLUP_PATH,
            Some(&app.token),
            &[],
            json.to_string().into_bytes(),
        )
        .await;
    // Named (422, malformed_item), so the kiosk sets that roll-up aside.
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error().error, "malformed_item");
    assert!(reply.error().detail.contains("visitor_name"));
    assert_eq!(app.stored_rows().await, 0, "the whole batch is refused");
}

async fn heartbeats_and_audience_choices_are_stored_and_are_not_visits(app: TestApp) {
    let session = Some(Uuid::new_v4());
    let heartbeat = event(
        1,
        None,
        EventKind::KioskHeartbeat(kepu_core::wire::KioskHealth {
            uptime_s: 300,
            exhibits_loaded: 8,
            ..Default::default()
        }),
    );
    let choice = event(
        2,
        session,
        EventKind::AudienceChoice {
            audience: Some(kepu_core::manifest::Audience::Child),
        },
    );
    let reply = app.post_events(vec![heartbeat, choice]).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json::<IngestResponse>().stored, 2);
    let summary = app.summary().await;
    assert_eq!((summary.events, summary.sessions), (2, 0));
}

/// The largest values every rule allows, stored together: every report still answers.
async fn the_most_extreme_values_the_rules_allow_keep_every_report_working(app: TestApp) {
    use kepu_core::wire::check;
    let session = Some(Uuid::new_v4());
    let id = "z".repeat(kepu_core::manifest::MAX_IDENTIFIER_LEN);
    let mut events = vec![
        event(
            check::MAX_SEQ,
            session,
            EventKind::ExhibitClose {
                exhibit_id: id.clone(),
                dwell_ms: check::MAX_DURATION_MS,
            },
        ),
        event(
            check::MAX_SEQ - 1,
            session,
            EventKind::QuizComplete {
                exhibit_id: id.clone(),
                score: check::MAX_SCORE,
                max_score: check::MAX_SCORE,
            },
        ),
        event(
            check::MAX_SEQ - 2,
            session,
            EventKind::QuizAnswer {
                exhibit_id: id.clone(),
                question_id: id.clone(),
                choice_ids: vec![id.clone(); check::MAX_CHOICE_IDS],
                correct: true,
                value: Some(f64::MAX),
                answer_ms: check::MAX_DURATION_MS,
            },
        ),
    ];
    events[0].occurred_at_ms = kepu_core::now_unix_ms();
    let reply = app.post_events(events).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let rollups: Vec<_> = (0..10)
        .map(|_| {
            rollup(
                "quiz_answer",
                Some(&id),
                check::MAX_ROLLUP_COUNT,
                check::MAX_ROLLUP_COUNT,
            )
        })
        .collect();
    let reply = app.post_rollups(rollups).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let summary = app.summary().await;
    assert_eq!(summary.events, 3 + 10 * check::MAX_ROLLUP_COUNT);
}

async fn rollups_from_a_kiosk_without_a_working_clock_count_in_the_hour_they_arrive(app: TestApp) {
    use kepu_core::wire::ROLLUP_PERIOD_MS;
    let mut in_2000 = rollup("exhibit_open", Some("quiz"), 7, 0);
    in_2000.hour_start_ms = 946_684_800_000;
    let before = kepu_core::now_unix_ms().div_euclid(ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;
    let reply = app.post_rollups(vec![in_2000]).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(app.summary().await.exhibits[0].opens, 7);
    let totals = app.db.store.hourly_totals().await.unwrap();
    let hours: Vec<i64> = totals.keys().map(|(hour, ..)| *hour).collect();
    let after = kepu_core::now_unix_ms().div_euclid(ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;
    assert!(
        hours.iter().all(|&h| h == before || h == after),
        "{hours:?}"
    );
    let kiosk = &app.db.store.list_kiosks().await.unwrap()[0];
    assert!(kiosk.clock_untrusted_at_ms.is_some());
}
