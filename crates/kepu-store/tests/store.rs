//! Every store operation, each on SQLite and on PostgreSQL (a fresh database per test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::wire::{EngagementEvent, EventKind, EventRollup, ROLLUP_PERIOD_MS, SCHEMA_VERSION};
use kepu_store::kiosks::{KioskSeen, TokenCheck};
use kepu_store::staff::Role;
use kepu_store::testing::TestDb;
use kepu_store::{Engine, Location, OpenOptions, Store, StoreError};
use uuid::Uuid;

/// Runs one async test body on both engines: `<name>::sqlite` and `<name>::postgres`.
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
    venues_are_named_once_and_renamed,
    kiosks_belong_to_a_venue_and_their_tokens_can_be_revoked_and_rotated,
    a_batch_is_stored_once_however_often_it_arrives,
    the_most_extreme_allowed_values_never_break_the_summary,
    staff_accounts_have_one_name_and_a_role,
    a_late_event_is_counted_in_its_own_hour,
    raw_events_past_retention_go_once_counted_and_the_reports_keep_them,
    the_roll_up_keeps_up_while_batches_keep_coming,
);

async fn fresh(engine: Engine) -> TestDb {
    TestDb::fresh(engine).await.unwrap()
}

const NOW: i64 = 1_780_000_000_000;

async fn venues_are_named_once_and_renamed(db: TestDb) {
    let store = &db.store;
    store
        .add_venue("chaoyang-science-centre", NOW)
        .await
        .unwrap();
    store.add_venue("jinsong-library", NOW).await.unwrap();
    assert!(matches!(
        store.add_venue("jinsong-library", NOW).await,
        Err(StoreError::Exists { what: "venue", .. })
    ));
    store
        .rename_venue("jinsong-library", "jinsong-community-library")
        .await
        .unwrap();
    assert!(matches!(
        store.rename_venue("nowhere", "x").await,
        Err(StoreError::NotFound { what: "venue", .. })
    ));
    assert!(matches!(
        store
            .rename_venue("jinsong-community-library", "chaoyang-science-centre")
            .await,
        Err(StoreError::Exists { .. })
    ));
    let names: Vec<String> = store
        .list_venues()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(
        names,
        ["chaoyang-science-centre", "jinsong-community-library"]
    );
}

async fn kiosks_belong_to_a_venue_and_their_tokens_can_be_revoked_and_rotated(db: TestDb) {
    let store = &db.store;
    assert!(matches!(
        store.add_kiosk("nowhere", "k1", "hash-1", NOW).await,
        Err(StoreError::NotFound { what: "venue", .. })
    ));
    store.add_venue("centre", NOW).await.unwrap();
    store
        .add_kiosk("centre", "k1", "hash-1", NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.add_kiosk("centre", "k1", "hash-2", NOW).await,
        Err(StoreError::Exists { what: "kiosk", .. })
    ));
    let valid = |kiosk: &str| TokenCheck::Valid {
        kiosk: kiosk.into(),
    };
    assert_eq!(store.check_token("hash-1", NOW).await.unwrap(), valid("k1"));
    assert_eq!(
        store.check_token("hash-x", NOW).await.unwrap(),
        TokenCheck::Unknown
    );

    // Rotation: the old token works until the grace moment, the new one at once.
    store
        .rotate_kiosk("k1", "hash-1b", NOW + 1_000)
        .await
        .unwrap();
    assert_eq!(
        store.check_token("hash-1b", NOW).await.unwrap(),
        valid("k1")
    );
    assert_eq!(
        store.check_token("hash-1", NOW + 999).await.unwrap(),
        valid("k1")
    );
    assert_eq!(
        store.check_token("hash-1", NOW + 1_000).await.unwrap(),
        TokenCheck::Expired { kiosk: "k1".into() }
    );

    // Revocation refuses every token of the kiosk at once.
    store.revoke_kiosk("k1", NOW + 5).await.unwrap();
    for hash in ["hash-1", "hash-1b"] {
        assert_eq!(
            store.check_token(hash, NOW + 6).await.unwrap(),
            TokenCheck::Revoked { kiosk: "k1".into() }
        );
    }
    assert!(matches!(
        store.revoke_kiosk("k9", NOW).await,
        Err(StoreError::NotFound { what: "kiosk", .. })
    ));
    // Rotating a revoked kiosk reinstates it with the new token only.
    store
        .rotate_kiosk("k1", "hash-1c", NOW + 60_000)
        .await
        .unwrap();
    assert_eq!(
        store.check_token("hash-1c", NOW).await.unwrap(),
        valid("k1")
    );
    assert_eq!(
        store.check_token("hash-1b", NOW).await.unwrap(),
        TokenCheck::Unknown
    );

    store
        .kiosk_seen(&KioskSeen {
            kiosk: "k1",
            at_ms: NOW + 10,
            app_version: Some("0.2.0"),
            clock_untrusted: true,
        })
        .await
        .unwrap();
    store
        .kiosk_seen(&KioskSeen {
            kiosk: "k1",
            at_ms: NOW + 20,
            app_version: None,
            clock_untrusted: false,
        })
        .await
        .unwrap();
    let kiosks = store.list_kiosks().await.unwrap();
    assert_eq!(kiosks.len(), 1);
    let k1 = &kiosks[0];
    assert_eq!(k1.venue.as_deref(), Some("centre"));
    assert_eq!(k1.last_seen_at_ms, Some(NOW + 20));
    assert_eq!(k1.app_version.as_deref(), Some("0.2.0"));
    assert_eq!(k1.clock_untrusted_at_ms, Some(NOW + 10));
    assert_eq!(k1.revoked_at_ms, None);
    let venues = store.list_venues().await.unwrap();
    assert_eq!(venues[0].kiosks, 1);
}

fn event(kiosk: &str, seq: u64, kind: EventKind) -> EngagementEvent {
    EngagementEvent {
        id: Uuid::now_v7(),
        kiosk_id: kiosk.into(),
        boot_id: Uuid::new_v4(),
        seq,
        session_id: Some(Uuid::new_v4()),
        occurred_at_ms: NOW,
        app_version: "0.1.0".into(),
        schema_version: SCHEMA_VERSION,
        event: kind,
    }
}

async fn store_events(store: &Store, events: &[EngagementEvent]) -> u64 {
    store_events_received(store, events, NOW).await
}

async fn store_events_received(
    store: &Store,
    events: &[EngagementEvent],
    received_at_ms: i64,
) -> u64 {
    store
        .insert_trusted_events(events, received_at_ms)
        .await
        .unwrap()
}

async fn with_kiosk(db: &TestDb) -> &Store {
    db.store.add_venue("centre", NOW).await.unwrap();
    db.store.add_kiosk("centre", "k1", "h", NOW).await.unwrap();
    &db.store
}

async fn a_batch_is_stored_once_however_often_it_arrives(db: TestDb) {
    let store = with_kiosk(&db).await;
    let open = |seq| {
        event(
            "k1",
            seq,
            EventKind::ExhibitOpen {
                exhibit_id: "pendulum".into(),
            },
        )
    };
    let batch: Vec<_> = (1..=600).map(open).collect();
    assert_eq!(store_events(store, &batch).await, 600);
    assert_eq!(store_events(store, &batch).await, 0);
    assert_eq!(store_events(store, &batch[590..]).await, 0);
    let arrivals = store.arrivals("k1").await.unwrap();
    let seqs: Vec<u64> = arrivals.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, (1..=600).collect::<Vec<_>>(), "in arrival order");
    store.roll_up_all().await.unwrap();
    let summary = store.summary().await.unwrap();
    assert_eq!(summary.events, 600);
    assert_eq!(summary.exhibits[0].opens, 600);

    let rollup = EventRollup {
        rollup_id: Uuid::now_v7(),
        kiosk_id: "k1".into(),
        hour_start_ms: (NOW / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS,
        event_type: "exhibit_open".into(),
        exhibit_id: Some("pendulum".into()),
        count: 40,
        correct: 0,
    };
    let rollups = vec![rollup];
    assert_eq!(store.insert_rollups(&rollups, NOW).await.unwrap(), 1);
    assert_eq!(store.insert_rollups(&rollups, NOW).await.unwrap(), 0);
    assert_eq!(store.rolled_up_events("k1").await.unwrap(), 40);
    let pass = store.roll_up_all().await.unwrap();
    assert_eq!(
        (pass.events, pass.kiosk_rollups),
        (0, 1),
        "each counted once"
    );
    let summary = store.summary().await.unwrap();
    assert_eq!((summary.events, summary.exhibits[0].opens), (640, 640));
}

async fn the_most_extreme_allowed_values_never_break_the_summary(db: TestDb) {
    let store = with_kiosk(&db).await;
    let mut extreme = event(
        "k1",
        1 << 53,
        EventKind::ExhibitClose {
            exhibit_id: "a".repeat(64),
            dwell_ms: 86_400_000,
        },
    );
    extreme.occurred_at_ms = i64::MAX;
    assert_eq!(store_events(store, &[extreme]).await, 1);
    // Far beyond any count the ingest allows, twice: the totals saturate instead of failing.
    let huge = |n| EventRollup {
        rollup_id: Uuid::now_v7(),
        kiosk_id: "k1".into(),
        hour_start_ms: 0,
        event_type: "quiz_answer".into(),
        exhibit_id: Some("quiz".into()),
        count: n,
        correct: n,
    };
    let rollups = vec![huge(1_000_000_000), huge(1_000_000_000)];
    store.insert_rollups(&rollups, NOW).await.unwrap();
    store.roll_up_all().await.unwrap();
    let summary = store.summary().await.unwrap();
    assert_eq!(summary.events, 2_000_000_001);
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "quiz")
        .unwrap();
    assert_eq!(quiz.quiz_correct, 2_000_000_000);

    // Counts no ingest allows, in two hours: every row saturates, and so does every total.
    let mut beyond = vec![huge(u64::MAX), huge(u64::MAX), huge(u64::MAX)];
    beyond[2].hour_start_ms = 3_600_000;
    store.insert_rollups(&beyond, NOW).await.unwrap();
    store.roll_up_all().await.unwrap();
    let summary = store.summary().await.unwrap();
    assert_eq!(summary.events, i64::MAX as u64);
    let quiz = summary
        .exhibits
        .iter()
        .find(|e| e.exhibit_id == "quiz")
        .unwrap();
    assert_eq!(
        (quiz.quiz_answers, quiz.quiz_correct),
        (i64::MAX as u64, i64::MAX as u64)
    );
}

async fn staff_accounts_have_one_name_and_a_role(db: TestDb) {
    let store = &db.store;
    store
        .add_staff("wang.fang", Role::Admin, "$argon2id$a", NOW)
        .await
        .unwrap();
    store
        .add_staff("li.lei", Role::Viewer, "$argon2id$b", NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.add_staff("li.lei", Role::Admin, "x", NOW).await,
        Err(StoreError::Exists { .. })
    ));
    store
        .set_staff_password("li.lei", "$argon2id$c", NOW + 1)
        .await
        .unwrap();
    let li = store.staff_by_name("li.lei").await.unwrap().unwrap();
    assert_eq!(
        (
            li.role,
            li.password_hash.as_str(),
            li.password_changed_at_ms
        ),
        (Role::Viewer, "$argon2id$c", NOW + 1)
    );
    store.remove_staff("wang.fang").await.unwrap();
    assert!(matches!(
        store.remove_staff("wang.fang").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_staff_password("nobody", "x", NOW).await,
        Err(StoreError::NotFound { .. })
    ));
    let names: Vec<_> = store
        .list_staff()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["li.lei"]);
}

/// `tests/fixtures/server-before-sqlx.sqlite3` was made by kepu-server as it was before this
/// store (commit 9890762: its own migration runner, `schema_migrations` versions 1 and 2): one
/// kiosk `old-kiosk`, a batch of events and a roll-up posted through its HTTP API. Opening it
/// now must keep every event, in arrival order, and every roll-up.
#[tokio::test]
async fn a_file_made_before_sqlx_migrations_keeps_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/server-before-sqlx.sqlite3"
        ),
        &path,
    )
    .unwrap();
    let before = read_old_file(&path).await;
    let store = kepu_store::open(&Location::SqliteFile(path.clone()), &OpenOptions::default())
        .await
        .unwrap();
    let arrivals = store.arrivals("old-kiosk").await.unwrap();
    let ids: Vec<String> = arrivals.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids, before.event_ids_in_arrival_order);
    assert!(!ids.is_empty());
    assert_eq!(
        store.rolled_up_events("old-kiosk").await.unwrap(),
        before.rolled_up
    );
    // The old kiosk sits in the "default" venue with its token still valid.
    let kiosks = store.list_kiosks().await.unwrap();
    assert_eq!(kiosks[0].venue.as_deref(), Some("default"));
    assert_eq!(
        store.check_token(&before.token_hash, NOW).await.unwrap(),
        TokenCheck::Valid {
            kiosk: "old-kiosk".into()
        }
    );
    let pass = store.roll_up_all().await.unwrap();
    assert_eq!(pass.events, before.events, "every old event is counted");
    let summary = store.summary().await.unwrap();
    assert_eq!(summary.events, before.events + before.rolled_up);
    store.close().await;
    // Opening again applies nothing twice.
    let store = kepu_store::open(&Location::SqliteFile(path), &OpenOptions::default())
        .await
        .unwrap();
    assert_eq!(store.arrivals("old-kiosk").await.unwrap().len(), ids.len());
}

struct OldFile {
    event_ids_in_arrival_order: Vec<String>,
    events: u64,
    rolled_up: u64,
    token_hash: String,
}

/// Reads the fixture as the old code laid it out (rowid order), before migrating it.
async fn read_old_file(path: &std::path::Path) -> OldFile {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(versions, [1, 2], "the fixture is the old schema");
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM events ORDER BY rowid")
        .fetch_all(&pool)
        .await
        .unwrap();
    let rolled: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(count), 0) FROM rollups")
        .fetch_one(&pool)
        .await
        .unwrap();
    let token_hash: String = sqlx::query_scalar("SELECT token_hash FROM kiosks")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    OldFile {
        events: ids.len() as u64,
        event_ids_in_arrival_order: ids,
        rolled_up: rolled as u64,
        token_hash,
    }
}

async fn a_late_event_is_counted_in_its_own_hour(db: TestDb) {
    let store = with_kiosk(&db).await;
    let hour = |h: i64| (NOW / ROLLUP_PERIOD_MS + h) * ROLLUP_PERIOD_MS;
    let open_at = |at: i64| {
        let mut e = event(
            "k1",
            1,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        );
        e.occurred_at_ms = at;
        e
    };
    store_events(store, &[open_at(hour(0) + 5), open_at(hour(1) + 5)]).await;
    store.roll_up_all().await.unwrap();
    // A kiosk that was offline for a week delivers an event of hour 0 now.
    store_events(store, &[open_at(hour(0) + 10)]).await;
    assert!(
        store.oldest_unfolded_ms().await.unwrap().is_some(),
        "waits to be counted"
    );
    let pass = store.roll_up_all().await.unwrap();
    assert_eq!(pass.events, 1);
    let totals = store.hourly_totals().await.unwrap();
    let opens = |h| {
        totals[&(
            hour(h),
            "k1".to_owned(),
            "quiz".to_owned(),
            "exhibit_open".to_owned(),
        )]
            .0
    };
    assert_eq!((opens(0), opens(1)), (2, 1));
    assert_eq!(store.oldest_unfolded_ms().await.unwrap(), None);
}

async fn raw_events_past_retention_go_once_counted_and_the_reports_keep_them(db: TestDb) {
    let store = with_kiosk(&db).await;
    let day = 86_400_000;
    let old = NOW - 500 * day;
    // Month partitions for the old month too (a server that has run that long made them).
    store.prepare_partitions(old).await.unwrap();
    store.prepare_partitions(NOW).await.unwrap();
    let open_at = |at: i64| {
        let mut e = event(
            "k1",
            1,
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
        );
        e.occurred_at_ms = at;
        e
    };
    let old_events: Vec<_> = (0..30).map(|i| open_at(old + i * 1_000)).collect();
    let new_events: Vec<_> = (0..5).map(|i| open_at(NOW + i * 1_000)).collect();
    // Old by the kiosk's clock but arriving now (a kiosk back after a long time offline): kept
    // as long as a fresh event, so that a resent copy is still a duplicate.
    // (In the next month's partition, which is then kept.)
    let late = open_at(old + 40 * day);
    store_events_received(store, &old_events, old).await;
    store_events(store, &new_events).await;
    store_events(store, std::slice::from_ref(&late)).await;
    let cutoff = NOW - 400 * day;
    // Nothing is deleted before the roll-up has counted it (PostgreSQL drops the empty old
    // month partition made ahead, not the one holding the old events, nor the one holding the
    // late event, which arrived now).
    let pass = store.delete_raw_before(cutoff).await.unwrap();
    assert_eq!(pass.deleted_events, 0);
    if db.store.engine() == Engine::Postgres {
        assert_eq!(pass.dropped_partitions, 1);
    }
    assert_eq!(store.arrivals("k1").await.unwrap().len(), 36);
    store.roll_up_all().await.unwrap();
    let before = store.summary().await.unwrap();
    let pass = store.delete_raw_before(cutoff).await.unwrap();
    match db.store.engine() {
        // The old month went as a whole partition.
        Engine::Postgres => assert_eq!((pass.dropped_partitions, pass.deleted_events), (1, 0)),
        Engine::Sqlite => assert_eq!((pass.dropped_partitions, pass.deleted_events), (0, 30)),
    }
    assert_eq!(
        store.arrivals("k1").await.unwrap().len(),
        6,
        "recent arrivals stay"
    );
    assert_eq!(
        store.summary().await.unwrap(),
        before,
        "reports keep every count"
    );
    assert_eq!(before.exhibits[0].opens, 36);
    // The late event resent: still a duplicate. New events still go in.
    assert_eq!(store_events(store, std::slice::from_ref(&late)).await, 0);
    store_events(store, &[open_at(NOW + 60_000)]).await;
    assert_eq!(store.arrivals("k1").await.unwrap().len(), 7);
    store.roll_up_all().await.unwrap();
    assert_eq!(store.summary().await.unwrap().exhibits[0].opens, 37);
}

/// Under steady ingest the roll-up still gets its turn (SQLite once refused every pass with
/// "database is locked" while batches kept coming: a deferred transaction cannot wait to write).
async fn the_roll_up_keeps_up_while_batches_keep_coming(db: TestDb) {
    let store = with_kiosk(&db).await.clone();
    let inserting = {
        let store = store.clone();
        tokio::spawn(async move {
            for batch in 0..60u64 {
                let events: Vec<_> = (0..200)
                    .map(|n| {
                        event(
                            "k1",
                            batch * 200 + n + 1,
                            EventKind::ExhibitOpen {
                                exhibit_id: "quiz".into(),
                            },
                        )
                    })
                    .collect();
                store_events(&store, &events).await;
            }
        })
    };
    let mut folded_meanwhile = 0;
    while !inserting.is_finished() {
        let pass = store
            .roll_up(500)
            .await
            .expect("a roll-up pass during ingest");
        folded_meanwhile += pass.events;
        tokio::task::yield_now().await;
    }
    inserting.await.unwrap();
    assert!(
        folded_meanwhile > 0,
        "the roll-up got no turn while batches kept coming"
    );
    store.roll_up_all().await.unwrap();
    assert_eq!(store.summary().await.unwrap().events, 12_000);
    assert_eq!(
        store.hourly_totals().await.unwrap(),
        store.recount_from_raw().await.unwrap()
    );
}
