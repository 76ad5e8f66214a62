//! Handler tests: the whole router, a fresh SQLite database per test, requests via `oneshot`.

// Integration tests are test code throughout: a panic on unwrap is the clearest failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kepu_core::wire::{
    ApiError, EngagementEvent, EventKind, EventRollup, INGEST_PATH, IngestRequest, IngestResponse,
    ROLLUP_PATH, ROLLUP_PERIOD_MS, RollupRequest, SCHEMA_VERSION, SUMMARY_PATH, SessionEndReason,
    StatsSummary,
};
use kepu_server::db::Db;
use kepu_server::{AppState, app, auth};
use std::io::Write;
use tower::ServiceExt;
use uuid::Uuid;

struct TestServer {
    state: AppState,
    token: String,
    _dir: tempfile::TempDir,
}

async fn server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("server.sqlite3"))
        .await
        .unwrap();
    let token = auth::new_token();
    db.add_kiosk("kiosk-a", &auth::hash_token(&token))
        .await
        .unwrap();
    TestServer {
        state: AppState { db },
        token,
        _dir: dir,
    }
}

fn event(kiosk: &str, seq: u64, session: Uuid, kind: EventKind) -> EngagementEvent {
    EngagementEvent {
        id: Uuid::now_v7(),
        kiosk_id: kiosk.to_owned(),
        boot_id: Uuid::nil(),
        seq,
        session_id: Some(session),
        occurred_at_ms: 1_700_000_000_000 + i64::try_from(seq).unwrap(),
        app_version: "test".to_owned(),
        schema_version: SCHEMA_VERSION,
        event: kind,
    }
}

/// Two sessions: one opens the quiz and answers 3 questions (2 right), one opens the story.
fn two_sessions() -> Vec<EngagementEvent> {
    let (s1, s2) = (Uuid::new_v4(), Uuid::new_v4());
    let answer = |q: &str, correct| EventKind::QuizAnswer {
        exhibit_id: "quiz".into(),
        question_id: q.into(),
        choice_ids: vec!["a".into()],
        correct,
        value: None,
        answer_ms: 3_000,
    };
    let kinds = [
        (
            s1,
            EventKind::SessionStart {
                language: "zh".into(),
                modes: Default::default(),
            },
        ),
        (
            s1,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        ),
        (s1, answer("q1", true)),
        (s1, answer("q2", false)),
        (s1, answer("q3", true)),
        (
            s1,
            EventKind::ExhibitClose {
                exhibit_id: "quiz".into(),
                dwell_ms: 5000,
            },
        ),
        (
            s1,
            EventKind::SessionEnd {
                reason: SessionEndReason::IdleTimeout,
                duration_ms: 9000,
            },
        ),
        (
            s2,
            EventKind::SessionStart {
                language: "en".into(),
                modes: Default::default(),
            },
        ),
        (
            s2,
            EventKind::ExhibitOpen {
                exhibit_id: "story".into(),
            },
        ),
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (s, k))| event("kiosk-a", i as u64 + 1, s, k))
        .collect()
}

async fn post(state: &AppState, token: Option<&str>, body: String) -> (StatusCode, Vec<u8>) {
    let mut request = Request::post(INGEST_PATH).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

async fn post_events(
    state: &AppState,
    token: Option<&str>,
    events: Vec<EngagementEvent>,
) -> (StatusCode, Vec<u8>) {
    post(
        state,
        token,
        serde_json::to_string(&IngestRequest { events }).unwrap(),
    )
    .await
}

async fn summary(state: &AppState) -> StatsSummary {
    let response = app(state.clone())
        .oneshot(Request::get(SUMMARY_PATH).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<ApiError>(body).unwrap().error
}

#[tokio::test]
async fn valid_token_stores_the_batch_and_the_summary_adds_up() {
    let server = server().await;
    let (status, body) = post_events(&server.state, Some(&server.token), two_sessions()).await;
    assert_eq!(status, StatusCode::OK);
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((ack.received, ack.stored, ack.duplicates), (9, 9, 0));

    let summary = summary(&server.state).await;
    assert_eq!(summary.sessions, 2);
    assert_eq!(summary.events, 9);
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
}

#[tokio::test]
async fn the_same_batch_sent_twice_is_stored_once() {
    let server = server().await;
    let batch = two_sessions();
    post_events(&server.state, Some(&server.token), batch.clone()).await;
    let (status, body) = post_events(&server.state, Some(&server.token), batch).await;
    assert_eq!(status, StatusCode::OK);
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((ack.stored, ack.duplicates), (0, 9));
    assert_eq!(summary(&server.state).await.events, 9);
}

#[tokio::test]
async fn missing_token_is_401_and_stores_nothing() {
    let server = server().await;
    let (status, body) = post_events(&server.state, None, two_sessions()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_message(&body).contains("missing kiosk token"));
    assert_eq!(summary(&server.state).await.events, 0);
}

#[tokio::test]
async fn wrong_token_is_401_and_stores_nothing() {
    let server = server().await;
    let (status, body) = post_events(&server.state, Some(&auth::new_token()), two_sessions()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_message(&body), "unknown kiosk token");
    assert_eq!(summary(&server.state).await.events, 0);
}

#[tokio::test]
async fn events_claiming_another_kiosk_are_refused() {
    let server = server().await;
    let mut events = two_sessions();
    events[3].kiosk_id = "kiosk-b".into();
    let (status, body) = post_events(&server.state, Some(&server.token), events).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("kiosk-b"));
    assert_eq!(
        summary(&server.state).await.events,
        0,
        "the whole batch is refused"
    );
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_json_error() {
    let server = server().await;
    let (status, body) = post(&server.state, Some(&server.token), "{not json".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_message(&body).is_empty());

    let mut json = serde_json::to_value(IngestRequest {
        events: two_sessions(),
    })
    .unwrap();
    json["events"][0]["visitor_ip"] = "10.0.0.1".into();
    let (status, body) = post(&server.state, Some(&server.token), json.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_message(&body).contains("visitor_ip"),
        "{}",
        error_message(&body)
    );
    assert_eq!(summary(&server.state).await.events, 0);
}

#[tokio::test]
async fn oversized_batches_and_unknown_schema_versions_are_refused() {
    let server = server().await;
    let session = Uuid::new_v4();
    let many: Vec<_> = (0..501)
        .map(|i| {
            event(
                "kiosk-a",
                i,
                session,
                EventKind::LanguageChange {
                    language: "en".into(),
                },
            )
        })
        .collect();
    let (status, _) = post_events(&server.state, Some(&server.token), many).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let mut events = two_sessions();
    events[0].schema_version = 99;
    let (status, body) = post_events(&server.state, Some(&server.token), events).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_message(&body).contains("schema version 99"));
}

#[tokio::test]
async fn kiosk_names_are_unique_and_checked() {
    let server = server().await;
    let err = server.state.db.add_kiosk("kiosk-a", "x").await.unwrap_err();
    assert!(err.to_string().contains("already exists"));
    let err = server
        .state
        .db
        .add_kiosk("bad name!", "y")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("letters, digits"));
    assert_eq!(
        server.state.db.list_kiosks().await.unwrap(),
        vec!["kiosk-a"]
    );
}

#[tokio::test]
async fn the_database_survives_reopen_with_migrations_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let token = auth::new_token();
    {
        let db = Db::open_sqlite(&path).await.unwrap();
        db.add_kiosk("kiosk-a", &auth::hash_token(&token))
            .await
            .unwrap();
    }
    let db = Db::open_sqlite(&path).await.unwrap();
    assert_eq!(
        db.kiosk_for_token_hash(&auth::hash_token(&token))
            .await
            .unwrap()
            .as_deref(),
        Some("kiosk-a")
    );
}

/// A request to `path` with extra headers and a raw body.
async fn post_raw(
    state: &AppState,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn gzip_bodies_are_accepted_and_other_encodings_refused() {
    let server = server().await;
    let json = serde_json::to_vec(&IngestRequest {
        events: two_sessions(),
    })
    .unwrap();
    let gzipped = [("content-encoding", "gzip")];
    let (status, body) = post_raw(
        &server.state,
        &server.token,
        INGEST_PATH,
        &gzipped,
        gzip(&json),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((ack.received, ack.stored), (9, 9));

    let (status, body) = post_raw(
        &server.state,
        &server.token,
        INGEST_PATH,
        &[("content-encoding", "br")],
        json.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(error_message(&body).contains("\"br\""));

    let (status, body) = post_raw(&server.state, &server.token, INGEST_PATH, &gzipped, json).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_message(&body).contains("not valid gzip"));

    // 5 MiB of JSON whitespace gzip to a few kilobytes: refused by its decoded size.
    let bomb = gzip(&vec![b' '; 5 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let (status, body) = post_raw(&server.state, &server.token, INGEST_PATH, &gzipped, bomb).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_message(&body).contains("decompressed"));
    assert_eq!(summary(&server.state).await.events, 9);
}

fn rollup(event_type: &str, exhibit: Option<&str>, count: u64, correct: u64) -> EventRollup {
    EventRollup {
        rollup_id: Uuid::now_v7(),
        kiosk_id: "kiosk-a".into(),
        hour_start_ms: 472_222 * ROLLUP_PERIOD_MS,
        event_type: event_type.into(),
        exhibit_id: exhibit.map(str::to_owned),
        count,
        correct,
    }
}

async fn post_rollups(
    state: &AppState,
    token: &str,
    rollups: Vec<EventRollup>,
) -> (StatusCode, Vec<u8>) {
    let body = serde_json::to_vec(&RollupRequest { rollups }).unwrap();
    post_raw(state, token, ROLLUP_PATH, &[], body).await
}

#[tokio::test]
async fn rollups_are_stored_once_and_counted_in_the_summary() {
    let server = server().await;
    post_events(&server.state, Some(&server.token), two_sessions()).await;
    let rollups = vec![
        rollup("session_start", None, 5, 0),
        rollup("exhibit_open", Some("quiz"), 3, 0),
        rollup("quiz_answer", Some("quiz"), 4, 3),
        rollup("story_page_view", Some("story"), 2, 0),
    ];
    let (status, body) = post_rollups(&server.state, &server.token, rollups.clone()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((ack.received, ack.stored, ack.duplicates), (4, 4, 0));
    // Sent again (the reply was lost): the same ids are ignored, nothing counts twice.
    let (_, body) = post_rollups(&server.state, &server.token, rollups).await;
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!((ack.stored, ack.duplicates), (0, 4));

    let summary = summary(&server.state).await;
    assert_eq!(summary.sessions, 2 + 5);
    assert_eq!(summary.events, 9 + 5 + 3 + 4 + 2);
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "quiz")
        .unwrap();
    assert_eq!(
        (quiz.opens, quiz.quiz_answers, quiz.quiz_correct),
        (1 + 3, 3 + 4, 2 + 3)
    );
    assert_eq!(
        server.state.db.rolled_up_events("kiosk-a").await.unwrap(),
        14
    );
}

#[tokio::test]
async fn bad_rollups_are_refused_with_a_clear_error_and_store_nothing() {
    let server = server().await;
    let mut other_kiosk = rollup("session_start", None, 1, 0);
    other_kiosk.kiosk_id = "kiosk-b".into();
    let (status, body) = post_rollups(&server.state, &server.token, vec![other_kiosk]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("kiosk-b"));

    let mut off_the_hour = rollup("session_start", None, 1, 0);
    off_the_hour.hour_start_ms += 1;
    let cases = [
        (
            rollup("session_start", None, 0, 0),
            "count must be at least 1",
        ),
        (rollup("quiz_answer", Some("quiz"), 2, 3), "more than count"),
        (off_the_hour, "start of an hour"),
        (
            rollup("Visitor said hello", None, 1, 0),
            "not an event type",
        ),
        (
            rollup("exhibit_open", Some("quiz; DROP"), 1, 0),
            "not an exhibit id",
        ),
    ];
    for (bad, expected) in cases {
        let batch = vec![rollup("session_start", None, 1, 0), bad];
        let (status, body) = post_rollups(&server.state, &server.token, batch).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
        assert!(
            error_message(&body).contains(expected),
            "{}",
            error_message(&body)
        );
    }
    let mut json = serde_json::to_value(RollupRequest {
        rollups: vec![rollup("session_start", None, 1, 0)],
    })
    .unwrap();
    json["rollups"][0]["visitor_name"] = "Alice".into();
    let (status, body) = post_raw(
        &server.state,
        &server.token,
        ROLLUP_PATH,
        &[],
        json.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_message(&body).contains("visitor_name"));
    assert_eq!(
        summary(&server.state).await.events,
        0,
        "the whole batch is refused"
    );
}

#[tokio::test]
async fn heartbeats_and_audience_choices_are_stored_and_do_not_count_as_visits() {
    let server = server().await;
    let session = Uuid::new_v4();
    let mut heartbeat = event(
        "kiosk-a",
        1,
        session,
        EventKind::KioskHeartbeat(kepu_core::wire::KioskHealth {
            uptime_s: 300,
            exhibits_loaded: 8,
            ..Default::default()
        }),
    );
    heartbeat.session_id = None;
    let choice = event(
        "kiosk-a",
        2,
        session,
        EventKind::AudienceChoice {
            audience: Some(kepu_core::manifest::Audience::Child),
        },
    );
    let (status, body) =
        post_events(&server.state, Some(&server.token), vec![heartbeat, choice]).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let ack: IngestResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(ack.stored, 2);
    let summary = summary(&server.state).await;
    assert_eq!((summary.events, summary.sessions), (2, 0));
}
