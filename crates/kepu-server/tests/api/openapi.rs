//! The OpenAPI document at `/api/v1/openapi.json`: an OpenAPI 3.1 document of exactly the
//! routes there are; real answers (every status of every route that a test can provoke) match
//! it; the kiosk's real requests validate against it; and its schemas refuse what
//! `kepu_core::wire::check` refuses wherever a schema can say so (the rest is listed, and
//! checked here, as the known gaps).

use crate::helpers::*;
use crate::on_both_engines;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use kepu_core::manifest::{Audience, is_identifier};
use kepu_core::wire::check::{self, check_event, check_rollup, is_version};
use kepu_core::wire::schema::{VERSION_PATTERN, identifier_pattern};
use kepu_core::wire::{
    AccessibilityModes, EngagementEvent, EventKind, EventRollup, INGEST_PATH, IngestRequest,
    KioskHealth, MAX_BATCH, OutboxReplaced, ROLLUP_PATH, RollupRequest, SUMMARY_PATH,
    SessionEndReason, StorageErrorCode,
};
use kepu_server::openapi::OPENAPI_PATH;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Every route of the API, as (method, path): the one list a new route joins. Its handler is
/// registered with its `Operation` (`routes::ApiRouter`), so the document has it too.
const ROUTES: &[(&str, &str)] = &[
    ("post", INGEST_PATH),
    ("post", ROLLUP_PATH),
    ("get", SUMMARY_PATH),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", OPENAPI_PATH),
    ("get", kepu_server::routes::reports::OVERVIEW_PATH),
    ("get", kepu_server::routes::reports::EXHIBITS_PATH),
    ("get", kepu_server::routes::reports::LITERACY_PATH),
    ("get", kepu_server::routes::reports::QUIZ_PATH),
    ("get", kepu_server::routes::reports::SORT_PATH),
    ("get", kepu_server::routes::reports::FUNNEL_PATH),
    ("get", kepu_server::routes::reports::KIOSKS_PATH),
    ("get", kepu_server::routes::export::XAPI_PATH),
];

on_both_engines!(
    real_answers_match_the_document,
    every_route_is_served_as_documented
);

/// The document, and validators made from its schemas.
struct Document(Value);

impl Document {
    async fn fetch(app: &TestApp) -> Self {
        let reply = app.get_as(OPENAPI_PATH, None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["content-type"], "application/json");
        Self(reply.json())
    }

    fn operation(&self, method: &str, path: &str) -> &Value {
        let operation = &self.0["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        operation
    }

    /// A validator for `schema`, which may `$ref` the document's components.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let mut root = schema.clone();
        if let Some(object) = root.as_object_mut() {
            object.insert("components".into(), self.0["components"].clone());
        }
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|err| panic!("{err}: {schema}"))
    }

    fn component(&self, name: &str) -> jsonschema::Validator {
        self.validator(&json!({"$ref": format!("#/components/schemas/{name}")}))
    }

    /// Panics unless the reply's status, content type, required headers and body are as the
    /// document says for `method path`.
    fn check(&self, method: &str, path: &str, reply: &Reply) {
        let what = format!("{method} {path} answered {}", reply.status);
        let answer = &self.operation(method, path)["responses"][reply.status.as_str()];
        assert!(answer.is_object(), "{what}, which is not documented");
        for (name, header) in answer["headers"].as_object().into_iter().flatten() {
            if header["required"] == true {
                assert!(
                    reply.headers.contains_key(name.as_str()),
                    "{what} without {name}"
                );
            }
        }
        let content_type = reply.headers["content-type"].to_str().unwrap();
        let media_type = content_type.split(';').next().unwrap().trim();
        let content = answer["content"].as_object().unwrap();
        let (_, described) = content
            .iter()
            .find(|(documented, _)| documented.split(';').next().unwrap().trim() == media_type)
            .unwrap_or_else(|| panic!("{what} with {content_type}, not documented"));
        if media_type == "application/json" {
            let body: Value = reply.json();
            let validator = self.validator(&described["schema"]);
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{what}: {errors:?} in {body}");
        } else {
            std::str::from_utf8(&reply.body).unwrap();
        }
    }
}

/// One event of every kind, as a kiosk makes them (the heartbeat without a session).
fn every_kind() -> Vec<EventKind> {
    let kinds = vec![
        EventKind::SessionStart {
            language: "zh-hant".into(),
            modes: AccessibilityModes {
                large_text: true,
                ..AccessibilityModes::default()
            },
        },
        EventKind::AudienceChoice {
            audience: Some(Audience::CivilServant),
        },
        EventKind::AudienceChoice { audience: None },
        EventKind::SessionEnd {
            reason: SessionEndReason::StartOver,
            duration_ms: 60_000,
        },
        EventKind::ExhibitOpen {
            exhibit_id: "pendulum".into(),
        },
        EventKind::ExhibitClose {
            exhibit_id: "pendulum".into(),
            dwell_ms: 5_000,
        },
        EventKind::StoryPageView {
            exhibit_id: "story-2024".into(),
            page: 3,
        },
        EventKind::QuizAnswer {
            exhibit_id: "quiz".into(),
            question_id: "q1".into(),
            choice_ids: vec!["a".into(), "true".into()],
            correct: false,
            value: Some(3.5),
            answer_ms: 2_000,
        },
        EventKind::QuizComplete {
            exhibit_id: "quiz".into(),
            score: 2,
            max_score: 3,
        },
        EventKind::LanguageChange {
            language: "en".into(),
        },
        EventKind::AccessibilityChange {
            large_text: false,
            high_contrast: true,
            seated: false,
        },
        EventKind::HotspotOpen {
            exhibit_id: "map".into(),
            hotspot_id: "river_mouth".into(),
        },
        EventKind::SortPlacement {
            exhibit_id: "sort".into(),
            item_id: "glass".into(),
            bin_id: "recycle".into(),
            correct: true,
        },
        EventKind::KioskHeartbeat(KioskHealth {
            uptime_s: 600,
            exhibits_loaded: 8,
            exhibits_failed: 1,
            outbox_backlog: 12,
            last_upload_ms: Some(NOW),
            storage_error: Some(StorageErrorCode::DiskFull),
            outbox_replaced: Some(OutboxReplaced {
                at_ms: NOW,
                salvaged_events: 10,
                lost_events: None,
            }),
            ..KioskHealth::default()
        }),
        EventKind::SimulationSummary {
            exhibit_id: "pendulum".into(),
            parameter_changes: [("length".to_owned(), 3), ("gravity".to_owned(), 0)].into(),
            played_ms: 20_000,
            runs: 2,
        },
    ];
    let types: BTreeSet<&str> = kinds.iter().map(EventKind::type_name).collect();
    assert_eq!(
        types,
        EventKind::TYPE_NAMES.iter().copied().collect(),
        "one sample of every kind"
    );
    kinds
}

fn every_event() -> Vec<EngagementEvent> {
    let session = Some(Uuid::new_v4());
    every_kind()
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let heartbeat = matches!(kind, EventKind::KioskHeartbeat(_));
            event(i as u64 + 1, if heartbeat { None } else { session }, kind)
        })
        .collect()
}

/// Posts a batch to the ingest route, checks the answer against the document, gives its status.
async fn ingest(
    app: &TestApp,
    doc: &Document,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> StatusCode {
    let reply = app.post_raw(INGEST_PATH, token, headers, body).await;
    doc.check("post", INGEST_PATH, &reply);
    reply.status
}

fn json_body(events: &[EngagementEvent]) -> Vec<u8> {
    serde_json::to_vec(&IngestRequest {
        events: events.to_vec(),
    })
    .unwrap()
}

async fn real_answers_match_the_document(app: TestApp) {
    let doc = Document::fetch(&app).await;
    let events = every_event();
    let token = Some(app.token.as_str());
    let gzipped = gzip(&json_body(&events));
    let headers = [("content-encoding", "gzip")];
    assert_eq!(
        ingest(&app, &doc, token, &headers, gzipped).await,
        StatusCode::OK
    );
    assert_eq!(
        ingest(&app, &doc, token, &[], json_body(&events)).await,
        StatusCode::OK,
        "again: every one a duplicate"
    );
    let mut bad = events[4].clone();
    bad.event = EventKind::ExhibitOpen {
        exhibit_id: "Room 12".into(),
    };
    assert_eq!(
        ingest(&app, &doc, token, &[], json_body(&[bad])).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut other = events[4].clone();
    other.kiosk_id = "kiosk-b".into();
    assert_eq!(
        ingest(&app, &doc, token, &[], json_body(&[other])).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ingest(&app, &doc, None, &[], json_body(&events)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ingest(&app, &doc, token, &[], b"{\"events\": [".to_vec()).await,
        StatusCode::BAD_REQUEST
    );
    let headers = [("content-encoding", "br")];
    assert_eq!(
        ingest(&app, &doc, token, &headers, b"{}".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let too_many = vec![events[4].clone(); MAX_BATCH + 1];
    assert_eq!(
        ingest(&app, &doc, token, &[], json_body(&too_many)).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let rollups = |rollups: Vec<EventRollup>| {
        let app = &app;
        let doc = &doc;
        async move {
            let reply = app.post_rollups(rollups).await;
            doc.check("post", ROLLUP_PATH, &reply);
            reply.status
        }
    };
    assert_eq!(
        rollups(vec![rollup("quiz_answer", Some("quiz"), 5, 3)]).await,
        StatusCode::OK
    );
    assert_eq!(
        rollups(vec![rollup("quiz_answer", Some("quiz"), 3, 5)]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    for (staff, status) in [
        (Some(VIEWER), StatusCode::OK),
        (None, StatusCode::UNAUTHORIZED),
        (Some((VIEWER.0, "wrong")), StatusCode::UNAUTHORIZED),
    ] {
        let reply = app.get_as(SUMMARY_PATH, staff).await;
        assert_eq!(reply.status, status);
        doc.check("get", SUMMARY_PATH, &reply);
    }
    let reply = app.get_as(SUMMARY_PATH, None).await;
    assert!(
        reply.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic "),
        "staff are asked for Basic credentials"
    );
    for path in ["/healthz", "/readyz", "/metrics", OPENAPI_PATH] {
        let reply = app.get_as(path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        doc.check("get", path, &reply);
    }
}

async fn every_route_is_served_as_documented(app: TestApp) {
    let doc = Document::fetch(&app).await;
    assert_eq!(doc.0["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc.0["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented, routes, "the document lists exactly ROUTES");
    let mut ids = BTreeSet::new();
    for (method, path) in ROUTES {
        let operation = doc.operation(method, path);
        assert!(ids.insert(operation["operationId"].as_str().unwrap().to_owned()));
        // Without credentials: a guarded route refuses (401), an open one answers; neither is
        // unknown (404) or the wrong method (405).
        let request = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path.replace("{exhibit}", "waste-sorting"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let reply = app.send(request).await;
        let guarded = !operation["security"].as_array().unwrap().is_empty();
        if guarded {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        } else {
            assert!(
                reply.status.is_success(),
                "{method} {path}: {}",
                reply.status
            );
        }
        doc.check(method, path, &reply);
        // Every answer's body is JSON with a schema, text, or JSON lines (the xAPI export).
        for (status, answer) in operation["responses"].as_object().unwrap() {
            status.parse::<u16>().unwrap();
            assert!(
                answer["description"].is_string(),
                "{method} {path} {status}"
            );
            for (media_type, content) in answer["content"].as_object().unwrap() {
                assert!(content["schema"].is_object(), "{method} {path} {status}");
                assert!(
                    media_type == "application/json"
                        || media_type == "application/x-ndjson"
                        || media_type.starts_with("text/"),
                    "{media_type}"
                );
            }
        }
    }
    let schemes = doc.0["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["kioskToken"]["scheme"], "bearer");
    assert_eq!(schemes["staffBasic"]["scheme"], "basic");
    // Every component is a valid JSON Schema 2020-12 (building a validator checks it).
    for name in doc.0["components"]["schemas"].as_object().unwrap().keys() {
        doc.component(name);
    }
}

/// API routes are added only through `ApiRouter`, which takes each one's documentation: no
/// other module of the server calls axum's `route`, `route_service`, `nest` or `fallback`
/// (outside its unit tests), but for the dashboard's HTML side in `src/web/`.
#[test]
fn no_route_bypasses_the_documentation() {
    fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 10);
    for file in files {
        // The dashboard's HTML pages (src/web/) are not the JSON API and not in its
        // document; their routes are composed in web/mod.rs and its page modules.
        if file.ends_with("routes/mod.rs") || file.starts_with(src.join("web")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests (each file's last module) may build routers of their own.
        let text = text.split("#[cfg(test)]").next().unwrap();
        for call in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            ".fallback(",
        ] {
            assert!(
                !text.contains(call),
                "{} calls {call}: add routes with routes::ApiRouter::get/post and an Operation",
                file.display()
            );
        }
    }
}

/// The request schemas accept the kiosk's real bodies, and refuse what the server refuses
/// wherever a schema can say so: each case is refused by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schemas_refuse_what_the_server_refuses() {
    let app = spawn_app(kepu_store::Engine::Sqlite).await;
    let doc = Document::fetch(&app).await;
    let events_schema = doc.component("IngestRequest");
    let rollups_schema = doc.component("RollupRequest");
    let now = kepu_core::now_unix_ms();

    let events = every_event();
    let batch = serde_json::to_value(IngestRequest {
        events: events.clone(),
    })
    .unwrap();
    let errors: Vec<String> = events_schema
        .iter_errors(&batch)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(events_schema.is_valid(&json!({"events": []})));
    let good_rollups = vec![
        rollup("quiz_answer", Some("quiz"), 5, 3),
        rollup("session_start", None, 1, 0),
    ];
    assert!(
        rollups_schema.is_valid(
            &serde_json::to_value(RollupRequest {
                rollups: good_rollups
            })
            .unwrap()
        )
    );

    // Does the server take this event (as JSON), and does the schema?
    let server_takes = |event: &Value| {
        serde_json::from_value::<EngagementEvent>(event.clone())
            .is_ok_and(|e| check_event(&e, now).is_ok())
    };
    let schema_takes = |event: &Value| events_schema.is_valid(&json!({ "events": [event] }));
    let by_type = |name: &str| {
        let event = events.iter().find(|e| e.event.type_name() == name).unwrap();
        serde_json::to_value(event).unwrap()
    };
    let long_id = "a".repeat(65);
    let many_ids: Vec<String> = (0..65).map(|i| format!("c{i}")).collect();
    let many_parameters: serde_json::Map<String, Value> =
        (0..65).map(|i| (format!("p{i}"), json!(1))).collect();
    type Spoil = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, &str, Spoil)> = vec![
        (
            "exhibit_open",
            "an id with a space and capitals",
            Box::new(|e| e["event"]["exhibit_id"] = json!("Room 12")),
        ),
        (
            "exhibit_open",
            "an id with 7 digits in a row",
            Box::new(|e| e["event"]["exhibit_id"] = json!("room-1234567")),
        ),
        (
            "exhibit_open",
            "an id of 65 characters",
            Box::new(move |e| e["event"]["exhibit_id"] = json!(long_id)),
        ),
        (
            "exhibit_open",
            "an empty id",
            Box::new(|e| e["event"]["exhibit_id"] = json!("")),
        ),
        (
            "session_start",
            "an unknown language",
            Box::new(|e| e["event"]["language"] = json!("xx")),
        ),
        (
            "session_start",
            "a language in capitals",
            Box::new(|e| e["event"]["language"] = json!("EN")),
        ),
        (
            "exhibit_open",
            "a version without patch",
            Box::new(|e| e["app_version"] = json!("1.0")),
        ),
        (
            "exhibit_open",
            "a version with an empty tag",
            Box::new(|e| e["app_version"] = json!("1.0.0-")),
        ),
        (
            "exhibit_open",
            "a version with a '*'",
            Box::new(|e| e["app_version"] = json!("1.0.0+b*")),
        ),
        (
            "exhibit_open",
            "a version of 33 characters",
            Box::new(|e| e["app_version"] = json!(format!("1.0.0-{}", "a".repeat(27)))),
        ),
        ("exhibit_open", "seq 0", Box::new(|e| e["seq"] = json!(0))),
        (
            "exhibit_open",
            "seq past 2^53",
            Box::new(|e| e["seq"] = json!(check::MAX_SEQ + 1)),
        ),
        (
            "exhibit_open",
            "the nil id",
            Box::new(|e| e["id"] = json!(Uuid::nil())),
        ),
        (
            "exhibit_open",
            "the nil boot id",
            Box::new(|e| e["boot_id"] = json!(Uuid::nil())),
        ),
        (
            "exhibit_open",
            "the nil session",
            Box::new(|e| e["session_id"] = json!(Uuid::nil())),
        ),
        (
            "exhibit_open",
            "another schema version",
            Box::new(|e| e["schema_version"] = json!(2)),
        ),
        (
            "exhibit_open",
            "no session",
            Box::new(|e| e["session_id"] = Value::Null),
        ),
        (
            "exhibit_open",
            "no session at all",
            Box::new(|e| {
                e.as_object_mut().unwrap().remove("session_id");
            }),
        ),
        (
            "kiosk_heartbeat",
            "a heartbeat in a session",
            Box::new(|e| e["session_id"] = json!(Uuid::new_v4())),
        ),
        (
            "exhibit_open",
            "an unknown field",
            Box::new(|e| e["visitor_name"] = json!("Alice")),
        ),
        (
            "exhibit_open",
            "an unknown field in the event",
            Box::new(|e| e["event"]["free_text"] = json!("hello")),
        ),
        (
            "kiosk_heartbeat",
            "an unknown field in a heartbeat",
            Box::new(|e| e["event"]["visitor"] = json!("x")),
        ),
        (
            "exhibit_open",
            "an unknown type",
            Box::new(|e| e["event"]["type"] = json!("visitor_name")),
        ),
        (
            "exhibit_close",
            "a dwell over 24 hours",
            Box::new(|e| e["event"]["dwell_ms"] = json!(check::MAX_DURATION_MS + 1)),
        ),
        (
            "story_page_view",
            "page 0",
            Box::new(|e| e["event"]["page"] = json!(0)),
        ),
        (
            "story_page_view",
            "a page past the last",
            Box::new(|e| e["event"]["page"] = json!(check::MAX_PAGE + 1)),
        ),
        (
            "quiz_answer",
            "65 choices",
            Box::new(move |e| e["event"]["choice_ids"] = json!(many_ids)),
        ),
        (
            "quiz_answer",
            "a choice that is no id",
            Box::new(|e| e["event"]["choice_ids"][0] = json!("A b")),
        ),
        (
            "quiz_answer",
            "an answer after 24 hours",
            Box::new(|e| e["event"]["answer_ms"] = json!(check::MAX_DURATION_MS + 1)),
        ),
        (
            "quiz_complete",
            "a max score past the bound",
            Box::new(|e| {
                e["event"]["max_score"] = json!(check::MAX_SCORE + 1);
                e["event"]["score"] = json!(0);
            }),
        ),
        (
            "simulation_summary",
            "a parameter that is no id",
            Box::new(|e| e["event"]["parameter_changes"]["Bad Key"] = json!(1)),
        ),
        (
            "simulation_summary",
            "too many changes",
            Box::new(|e| {
                e["event"]["parameter_changes"]["length"] = json!(check::MAX_PARAMETER_CHANGES + 1)
            }),
        ),
        (
            "simulation_summary",
            "65 parameters",
            Box::new(move |e| {
                e["event"]["parameter_changes"] = Value::Object(many_parameters.clone())
            }),
        ),
        (
            "simulation_summary",
            "too many runs",
            Box::new(|e| e["event"]["runs"] = json!(check::MAX_RUNS + 1)),
        ),
        (
            "kiosk_heartbeat",
            "ten years and a day up",
            Box::new(|e| e["event"]["uptime_s"] = json!(check::MAX_UPTIME_S + 1)),
        ),
        (
            "kiosk_heartbeat",
            "too many exhibits",
            Box::new(|e| e["event"]["exhibits_loaded"] = json!(check::MAX_EXHIBITS + 1)),
        ),
        (
            "kiosk_heartbeat",
            "a backlog past the bound",
            Box::new(|e| e["event"]["outbox_backlog"] = json!(check::MAX_HEALTH_COUNT + 1)),
        ),
        (
            "kiosk_heartbeat",
            "lost events past the bound",
            Box::new(|e| {
                e["event"]["outbox_replaced"]["lost_events"] = json!(check::MAX_HEALTH_COUNT + 1)
            }),
        ),
        (
            "kiosk_heartbeat",
            "a storage error in words",
            Box::new(|e| e["event"]["storage_error"] = json!("disk I/O error at /home/alice")),
        ),
        (
            "audience_choice",
            "an unknown audience",
            Box::new(|e| e["event"]["audience"] = json!("alice")),
        ),
        (
            "exhibit_open",
            "a negative seq",
            Box::new(|e| e["seq"] = json!(-1)),
        ),
        (
            "exhibit_open",
            "a seq that is text",
            Box::new(|e| e["seq"] = json!("1")),
        ),
    ];
    for (kind, why, spoil) in &cases {
        let mut event = by_type(kind);
        assert!(
            server_takes(&event) && schema_takes(&event),
            "{kind} as sent"
        );
        spoil(&mut event);
        assert!(!server_takes(&event), "the server takes {why}: {event}");
        assert!(!schema_takes(&event), "the schema takes {why}: {event}");
    }
    let too_many = json!({ "events": vec![by_type("exhibit_open"); MAX_BATCH + 1] });
    assert!(!events_schema.is_valid(&too_many), "a batch past MAX_BATCH");

    // The same for roll-ups.
    let rollup_takes = |r: &Value| rollups_schema.is_valid(&json!({ "rollups": [r] }));
    let server_takes_rollup = |r: &Value| {
        serde_json::from_value::<EventRollup>(r.clone())
            .is_ok_and(|r| check_rollup(&r, now).is_ok())
    };
    let rollup_cases: Vec<(&str, Spoil)> = vec![
        (
            "an hour not on the hour",
            Box::new(|r| r["hour_start_ms"] = json!(NOW)),
        ),
        (
            "count 0",
            Box::new(|r| {
                r["count"] = json!(0);
                r["correct"] = json!(0);
            }),
        ),
        (
            "a count past the bound",
            Box::new(|r| r["count"] = json!(check::MAX_ROLLUP_COUNT + 1)),
        ),
        (
            "an unknown type",
            Box::new(|r| r["event_type"] = json!("visitor_name")),
        ),
        (
            "an exhibit that is no id",
            Box::new(|r| r["exhibit_id"] = json!("Room 12")),
        ),
        (
            "the nil id",
            Box::new(|r| r["rollup_id"] = json!(Uuid::nil())),
        ),
        ("an unknown field", Box::new(|r| r["visitor"] = json!("x"))),
    ];
    for (why, spoil) in &rollup_cases {
        let mut value = serde_json::to_value(rollup("quiz_answer", Some("quiz"), 5, 3)).unwrap();
        assert!(server_takes_rollup(&value) && rollup_takes(&value));
        spoil(&mut value);
        assert!(
            !server_takes_rollup(&value),
            "the server takes {why}: {value}"
        );
        assert!(!rollup_takes(&value), "the schema takes {why}: {value}");
    }

    // The known gaps (wire::schema's documentation): the schema takes these, the server not.
    let gaps: Vec<(&str, &str, Spoil)> = vec![
        (
            "quiz_complete",
            "a score above max_score",
            Box::new(|e| e["event"]["score"] = json!(4)),
        ),
        (
            "exhibit_close",
            "an integer written 5000.0",
            Box::new(|e| e["event"]["dwell_ms"] = json!(5000.0)),
        ),
    ];
    for (kind, why, spoil) in &gaps {
        let mut event = by_type(kind);
        spoil(&mut event);
        assert!(
            schema_takes(&event),
            "{why} is no longer a gap: update wire::schema's list"
        );
        assert!(!server_takes(&event), "the server takes {why}");
    }
    let mut more_correct = serde_json::to_value(rollup("quiz_answer", Some("quiz"), 3, 5)).unwrap();
    assert!(rollup_takes(&more_correct) && !server_takes_rollup(&more_correct));
    more_correct["correct"] = json!(3);
    assert!(rollup_takes(&more_correct) && server_takes_rollup(&more_correct));
}

/// `VERSION_PATTERN` and the identifier pattern say what `is_version` and `is_identifier` say.
#[test]
fn the_patterns_agree_with_the_rules() {
    let version = jsonschema::options()
        .build(&json!({
            "type": "string",
            "pattern": VERSION_PATTERN,
            "maxLength": check::MAX_APP_VERSION_LEN,
        }))
        .unwrap();
    let long = format!("1.0.0-{}", "a".repeat(26));
    for text in [
        "0.1.0",
        "1.2.3-beta.1",
        "1.2.3+build.5",
        "1.2.3-rc-1+b.2",
        "10.20.30",
        "01.2.3",
        "1.2",
        "1.2.3.4",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-+b",
        "v1.2.3",
        " 1.2.3",
        "1.2.3 ",
        "1.2.3\n",
        "",
        "１.2.3",
        "1.2.3-ü",
        "1.2.3+a+b",
        "1..3",
        &long,
        &format!("{long}a"),
    ] {
        assert_eq!(version.is_valid(&json!(text)), is_version(text), "{text:?}");
    }
    let identifier = jsonschema::options()
        .build(&json!({"type": "string", "pattern": identifier_pattern()}))
        .unwrap();
    for text in [
        "quiz",
        "q1",
        "river_mouth",
        "a-b_c",
        "2024",
        "room-123456",
        "room-1234567",
        "1234567",
        "a1234567b",
        "12345-67890",
        "",
        "Quiz",
        "a b",
        "a.b",
        "日本",
        "a\n",
        &"a".repeat(64),
        &"a".repeat(65),
    ] {
        assert_eq!(
            identifier.is_valid(&json!(text)),
            is_identifier(text),
            "{text:?}"
        );
    }
}
