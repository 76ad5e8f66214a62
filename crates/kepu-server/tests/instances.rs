//! Two real kepu-server processes sharing one PostgreSQL database, as behind a load balancer:
//! kiosks send to both, a batch retried on the other instance is stored once, both servers'
//! roll-ups run at once and count every event once, and both answer the same numbers as the
//! events created.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::outbox::{EventStamp, Outbox, OutboxWriter};
use kepu_core::uploader::{Uploader, UploaderConfig};
use kepu_core::wire::{
    EngagementEvent, EventDraft, EventKind, INGEST_PATH, IngestRequest, IngestResponse,
    SUMMARY_PATH, StatsSummary,
};
use kepu_server::auth;
use kepu_store::Engine;
use kepu_store::staff::Role;
use kepu_store::testing::TestDb;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

const KIOSKS: usize = 4;
const EVENTS_PER_KIOSK: u64 = 1_500;
const STAFF: (&str, &str) = ("ops", "operations password");

struct Instance {
    child: Child,
    url: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_instance(database: &str, config: &Path) -> Instance {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kepu-server"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("KEPU_DATABASE", database)
        .env("KEPU_CONFIG", config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("kepu-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    Instance { child, url }
}

fn draft(kiosk: usize, n: u64) -> EventDraft {
    let session = Uuid::from_u64_pair(kiosk as u64 + 1, n / 10 + 1);
    let event = match n % 10 {
        0 => EventKind::SessionStart {
            language: "zh".into(),
            modes: Default::default(),
        },
        1 => EventKind::ExhibitOpen {
            exhibit_id: format!("exhibit-{}", n % 3),
        },
        _ => EventKind::QuizAnswer {
            exhibit_id: format!("exhibit-{}", n % 3),
            question_id: "q1".into(),
            choice_ids: vec!["a".into()],
            correct: n.is_multiple_of(2),
            value: None,
            answer_ms: 1_000,
        },
    };
    EventDraft {
        id: Uuid::from_u64_pair(0xB0_0000 + kiosk as u64, n + 1),
        session_id: Some(session),
        occurred_at_ms: kepu_core::now_unix_ms() - 60_000,
        event,
    }
}

fn summary(client: &reqwest::blocking::Client, url: &str) -> StatsSummary {
    client
        .get(format!("{url}{SUMMARY_PATH}"))
        .basic_auth(STAFF.0, Some(STAFF.1))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .unwrap()
}

#[test]
fn two_servers_on_one_postgresql_count_every_event_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(TestDb::fresh(Engine::Postgres)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tokens: Vec<String> = (0..KIOSKS).map(|_| auth::new_token()).collect();
    runtime.block_on(async {
        db.store.add_venue("Centre", 0).await.unwrap();
        for (k, token) in tokens.iter().enumerate() {
            db.store
                .add_kiosk("Centre", &format!("kiosk-{k}"), &auth::hash_token(token), 0)
                .await
                .unwrap();
        }
        let hash = auth::password::hash_password(STAFF.1).unwrap();
        db.store
            .add_staff(STAFF.0, Role::Viewer, &hash, 0)
            .await
            .unwrap();
    });
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        "kiosk_requests_per_second = 1000.0\nkiosk_burst = 1000\n",
    )
    .unwrap();
    let servers = [
        start_instance(&db.location, &config),
        start_instance(&db.location, &config),
    ];

    // Kiosks 0 and 1 send to the first server, 2 and 3 to the second, all at once.
    let mut uploaders = Vec::new();
    let mut writers = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        let outbox = dir.path().join(format!("outbox-{k}.sqlite3"));
        let writer = OutboxWriter::spawn(
            &outbox,
            EventStamp::for_this_boot(&format!("kiosk-{k}"), "0.1.0"),
        )
        .unwrap();
        for n in 0..EVENTS_PER_KIOSK {
            writer.record(draft(k, n)).unwrap();
        }
        writer.wait_durable().unwrap();
        let mut upload = UploaderConfig::new(&servers[k / 2].url, token, outbox.clone());
        upload.idle_poll = Duration::from_millis(20);
        upload.batch_size = 100;
        uploaders.push((outbox, Uploader::spawn(upload).unwrap()));
        writers.push(writer);
    }
    for (outbox, _) in &uploaders {
        let outbox = Outbox::open(outbox).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while outbox.stats().unwrap().backlog > 0 {
            assert!(Instant::now() < deadline, "not drained");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    // A batch acknowledged by the first server (the reply lost) is sent again to the second,
    // from two threads at once: stored once.
    let client = reqwest::blocking::Client::new();
    let boot_id = Uuid::new_v4();
    let retried: Vec<EngagementEvent> = (EVENTS_PER_KIOSK..EVENTS_PER_KIOSK + 50)
        .map(|n| {
            let draft = draft(0, n);
            EngagementEvent {
                id: draft.id,
                kiosk_id: "kiosk-0".into(),
                boot_id,
                seq: n + 1,
                session_id: draft.session_id,
                occurred_at_ms: draft.occurred_at_ms,
                app_version: "0.1.0".into(),
                schema_version: kepu_core::wire::SCHEMA_VERSION,
                event: draft.event,
            }
        })
        .collect();
    let body = serde_json::to_vec(&IngestRequest { events: retried }).unwrap();
    let stored: u64 = std::thread::scope(|scope| {
        let sends: Vec<_> = [0, 1, 1, 0]
            .into_iter()
            .map(|s| {
                let (client, body, url, token) = (&client, &body, &servers[s].url, &tokens[0]);
                scope.spawn(move || {
                    let ack: IngestResponse = client
                        .post(format!("{url}{INGEST_PATH}"))
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .unwrap()
                        .error_for_status()
                        .unwrap()
                        .json()
                        .unwrap();
                    assert_eq!(ack.received, 50);
                    ack.stored
                })
            })
            .collect();
        sends.into_iter().map(|s| s.join().unwrap()).sum()
    });
    assert_eq!(stored, 50, "four deliveries over two servers: stored once");

    // Both servers' roll-ups run meanwhile; wait until one of them has counted everything.
    let expected_events = KIOSKS as u64 * EVENTS_PER_KIOSK + 50;
    let deadline = Instant::now() + Duration::from_secs(60);
    while runtime
        .block_on(db.store.oldest_unfolded_ms())
        .unwrap()
        .is_some()
    {
        assert!(Instant::now() < deadline, "roll-up lags");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (a, b) = (
        summary(&client, &servers[0].url),
        summary(&client, &servers[1].url),
    );
    assert_eq!(a, b, "both servers answer the same numbers");
    assert_eq!(a.events, expected_events);
    // Every tenth event starts a session (the retried batch's five included).
    assert_eq!(a.sessions, expected_events / 10);
    let rolled = runtime.block_on(db.store.hourly_totals()).unwrap();
    let recount = runtime.block_on(db.store.recount_from_raw()).unwrap();
    assert_eq!(rolled, recount, "roll-ups computed once");
    let arrivals: usize = (0..KIOSKS)
        .map(|k| {
            runtime
                .block_on(db.store.arrivals(&format!("kiosk-{k}")))
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(arrivals as u64, expected_events);
    drop(uploaders);
    drop(writers);
    let _ = std::io::stdout().flush();
}
