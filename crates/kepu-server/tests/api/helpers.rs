//! `spawn_app(engine)`: a fresh database with one venue, one kiosk and two staff accounts, and
//! the request helpers every test uses.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use http_body_util::BodyExt;
use kepu_core::wire::{
    ApiError, EngagementEvent, EventKind, EventRollup, INGEST_PATH, IngestRequest, ROLLUP_PATH,
    ROLLUP_PERIOD_MS, RollupRequest, SCHEMA_VERSION, SUMMARY_PATH, SessionEndReason, StatsSummary,
};
use kepu_server::{AppState, app, auth};
use kepu_store::Engine;
use kepu_store::staff::Role;
use kepu_store::testing::TestDb;
use tower::ServiceExt;
use uuid::Uuid;

/// Runs an async test body `fn(TestApp)` on both engines: `<name>::sqlite`, `<name>::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::spawn_app(kepu_store::Engine::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::spawn_app(kepu_store::Engine::Postgres).await).await
            }
        }
    )*};
}

pub const KIOSK: &str = "kiosk-a";
pub const VENUE: &str = "Chaoyang Science Centre";
pub const VIEWER: (&str, &str) = ("li.lei", "viewer password 1");
pub const ADMIN: (&str, &str) = ("wang.fang", "admin password 1");
/// A recent time the server trusts (2026-05-28).
pub const NOW: i64 = 1_780_000_000_000;

pub struct TestApp {
    pub state: AppState,
    pub token: String,
    pub db: TestDb,
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    let db = TestDb::fresh(engine).await.unwrap();
    let token = auth::new_token();
    let store = &db.store;
    store.add_venue(VENUE, NOW).await.unwrap();
    store
        .add_kiosk(VENUE, KIOSK, &auth::hash_token(&token), NOW)
        .await
        .unwrap();
    for ((name, password), role) in [(VIEWER, Role::Viewer), (ADMIN, Role::Admin)] {
        let hash = kepu_server::auth::password::hash_password(password).unwrap();
        store.add_staff(name, role, &hash, NOW).await.unwrap();
    }
    TestApp {
        state: AppState::new(db.store.clone()),
        token,
        db,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn error(&self) -> ApiError {
        self.json()
    }
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    /// POST with the kiosk's token (or `token`), extra headers and a raw body.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut request = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn post_events(&self, events: Vec<EngagementEvent>) -> Reply {
        self.post_events_as(&self.token, events).await
    }

    pub async fn post_events_as(&self, token: &str, events: Vec<EngagementEvent>) -> Reply {
        let body = serde_json::to_vec(&IngestRequest { events }).unwrap();
        self.post_raw(INGEST_PATH, Some(token), &[], body).await
    }

    pub async fn post_rollups(&self, rollups: Vec<EventRollup>) -> Reply {
        let body = serde_json::to_vec(&RollupRequest { rollups }).unwrap();
        self.post_raw(ROLLUP_PATH, Some(&self.token), &[], body)
            .await
    }

    /// GET as a staff member (`None`: anonymous).
    pub async fn get_as(&self, path: &str, staff: Option<(&str, &str)>) -> Reply {
        let mut request = Request::get(path);
        if let Some((name, password)) = staff {
            request = request.header("authorization", basic(name, password));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// The summary as staff see it, once the roll-up has counted everything stored.
    pub async fn summary(&self) -> StatsSummary {
        self.db.store.roll_up_all().await.unwrap();
        let reply = self.get_as(SUMMARY_PATH, Some(VIEWER)).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json()
    }

    /// Rows in the events and roll-ups tables.
    pub async fn stored_rows(&self) -> u64 {
        self.db.store.stored_rows().await.unwrap()
    }
}

pub fn basic(name: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"))
    )
}

pub fn event(seq: u64, session: Option<Uuid>, kind: EventKind) -> EngagementEvent {
    EngagementEvent {
        id: Uuid::now_v7(),
        kiosk_id: KIOSK.to_owned(),
        boot_id: Uuid::from_u64_pair(7, 7),
        seq,
        session_id: session,
        occurred_at_ms: NOW + i64::try_from(seq % 1000).unwrap(),
        app_version: "0.1.0".to_owned(),
        schema_version: SCHEMA_VERSION,
        event: kind,
    }
}

/// Two sessions: one opens the quiz and answers 3 questions (2 right), one opens the story.
pub fn two_sessions() -> Vec<EngagementEvent> {
    let (s1, s2) = (Some(Uuid::new_v4()), Some(Uuid::new_v4()));
    let answer = |q: &str, correct| EventKind::QuizAnswer {
        exhibit_id: "quiz".into(),
        question_id: q.into(),
        choice_ids: vec!["a".into()],
        correct,
        value: None,
        answer_ms: 3_000,
    };
    let start = |language: &str| EventKind::SessionStart {
        language: language.into(),
        modes: Default::default(),
    };
    let open = |exhibit: &str| EventKind::ExhibitOpen {
        exhibit_id: exhibit.into(),
    };
    let kinds = [
        (s1, start("zh")),
        (s1, open("quiz")),
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
        (s2, start("en")),
        (s2, open("story")),
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (s, k))| event(i as u64 + 1, s, k))
        .collect()
}

pub fn rollup(event_type: &str, exhibit: Option<&str>, count: u64, correct: u64) -> EventRollup {
    EventRollup {
        rollup_id: Uuid::now_v7(),
        kiosk_id: KIOSK.into(),
        hour_start_ms: (NOW / ROLLUP_PERIOD_MS - 5) * ROLLUP_PERIOD_MS,
        event_type: event_type.into(),
        exhibit_id: exhibit.map(str::to_owned),
        count,
        correct,
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}
