//! The management commands, as functions on the store and as the real binary (password from
//! standard input, token to a file), on both engines.

use crate::helpers::*;
use crate::on_both_engines;
use kepu_server::commands::{self, TokenOutput};
use kepu_store::kiosks::TokenCheck;
use kepu_store::staff::Role;
use std::io::Write;
use std::process::{Command, Stdio};

on_both_engines!(
    venues_are_added_listed_and_renamed,
    kiosks_are_added_listed_revoked_and_rotated,
    staff_accounts_are_added_listed_changed_and_removed,
    the_binary_manages_a_district_from_the_command_line,
    published_content_is_listed_and_unknown_exhibits_are_flagged,
);

async fn venues_are_added_listed_and_renamed(app: TestApp) {
    let store = &app.db.store;
    let mut out = Vec::new();
    commands::venue_add(store, "  Jinsong Library ", &mut out)
        .await
        .unwrap();
    commands::venue_add(store, "朝阳区科技馆", &mut out)
        .await
        .unwrap();
    let err = commands::venue_add(store, "Jinsong Library", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = commands::venue_add(store, "bad\u{202e}name", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a venue name"), "{err}");
    commands::venue_rename(
        store,
        "Jinsong Library",
        "Jinsong Community Library",
        &mut out,
    )
    .await
    .unwrap();
    let err = commands::venue_rename(store, "Nowhere", "X", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no venue \"Nowhere\""), "{err}");
    let mut listing = Vec::new();
    commands::venue_list(store, &mut listing).await.unwrap();
    let listing = String::from_utf8(listing).unwrap();
    assert_eq!(
        listing.lines().collect::<Vec<_>>(),
        [
            format!("{VENUE}\t1 kiosk(s)"),
            "Jinsong Community Library\t0 kiosk(s)".to_owned(),
            "朝阳区科技馆\t0 kiosk(s)".to_owned(),
        ]
    );
}

async fn kiosks_are_added_listed_revoked_and_rotated(app: TestApp) {
    let store = &app.db.store;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("hall-2.token");
    let mut out = Vec::new();
    commands::kiosk_add(
        store,
        VENUE,
        "hall-2",
        TokenOutput::File(&token_file),
        &mut out,
    )
    .await
    .unwrap();
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner can read the token");
    }
    let check = |token: &str| {
        let hash = kepu_server::auth::hash_token(token);
        async move {
            store
                .check_token(&hash, kepu_core::now_unix_ms())
                .await
                .unwrap()
        }
    };
    assert_eq!(
        check(&token).await,
        TokenCheck::Valid {
            kiosk: "hall-2".into()
        }
    );
    let err = commands::kiosk_add(
        store,
        "Nowhere",
        "k9",
        TokenOutput::File(&token_file),
        &mut out,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no venue"), "{err}");
    let err = commands::kiosk_add(store, VENUE, "bad name", TokenOutput::Print, &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("letters, digits"), "{err}");

    let rotated = dir.path().join("hall-2.new");
    commands::kiosk_rotate(store, "hall-2", 2, TokenOutput::File(&rotated), &mut out)
        .await
        .unwrap();
    let new_token = std::fs::read_to_string(&rotated).unwrap().trim().to_owned();
    assert_ne!(new_token, token);
    assert_eq!(
        check(&token).await,
        TokenCheck::Valid {
            kiosk: "hall-2".into()
        }
    );
    assert_eq!(
        check(&new_token).await,
        TokenCheck::Valid {
            kiosk: "hall-2".into()
        }
    );
    commands::kiosk_revoke(store, "hall-2", &mut out)
        .await
        .unwrap();
    assert_eq!(
        check(&new_token).await,
        TokenCheck::Revoked {
            kiosk: "hall-2".into()
        }
    );
    let err = commands::kiosk_revoke(store, "nope", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no kiosk \"nope\""), "{err}");

    let mut listing = Vec::new();
    commands::kiosk_list(store, &mut listing).await.unwrap();
    let listing = String::from_utf8(listing).unwrap();
    let lines: Vec<_> = listing.lines().collect();
    assert_eq!(lines[0], "venue\tkiosk\tstate\tlast seen\tversion");
    assert!(
        lines.contains(&format!("{VENUE}\thall-2\trevoked\tnever\t-").as_str()),
        "{listing}"
    );
    assert!(
        lines.contains(&format!("{VENUE}\t{KIOSK}\tactive\tnever\t-").as_str()),
        "{listing}"
    );
}

async fn staff_accounts_are_added_listed_changed_and_removed(app: TestApp) {
    let store = &app.db.store;
    let mut out = Vec::new();
    commands::staff_add(
        store,
        "zhao.min",
        Role::Viewer,
        "a long enough password",
        &mut out,
    )
    .await
    .unwrap();
    let err = commands::staff_add(store, "short.pw", Role::Viewer, "short", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least 10"), "{err}");
    let err = commands::staff_add(
        store,
        "zhao.min",
        Role::Admin,
        "another long password",
        &mut out,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    commands::staff_passwd(store, "zhao.min", "a changed long password", &mut out)
        .await
        .unwrap();
    let account = store.staff_by_name("zhao.min").await.unwrap().unwrap();
    assert!(kepu_server::auth::password::verify_password(
        "a changed long password",
        &account.password_hash
    ));
    assert!(account.password_hash.starts_with("$argon2id$"));
    commands::staff_remove(store, ADMIN.0, &mut out)
        .await
        .unwrap();
    let mut listing = Vec::new();
    commands::staff_list(store, &mut listing).await.unwrap();
    assert_eq!(
        String::from_utf8(listing).unwrap(),
        format!("{}\tviewer\nzhao.min\tviewer\n", VIEWER.0)
    );
}

fn kepu_server(database: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kepu-server"))
        .args(args)
        .env("KEPU_DATABASE", database)
        .env("KEPU_CONFIG", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn the_binary_manages_a_district_from_the_command_line(app: TestApp) {
    let database = app.db.location.clone();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("k.token");
    let token_path = token_file.to_str().unwrap().to_owned();
    let database_for_thread = database.clone();
    // Blocking child processes off the async threads.
    let outputs = tokio::task::spawn_blocking(move || {
        let db = database_for_thread.as_str();
        vec![
            kepu_server(db, &["venue", "add", "Jinsong Library"], None),
            kepu_server(
                db,
                &[
                    "kiosk",
                    "add",
                    "Jinsong Library",
                    "lib-1",
                    "--token-file",
                    &token_path,
                ],
                None,
            ),
            kepu_server(db, &["kiosk", "add", "Jinsong Library", "lib-2"], None),
            kepu_server(
                db,
                &["staff", "add", "ops", "--role", "admin"],
                Some("a staff password\n"),
            ),
            kepu_server(db, &["staff", "add", "ops2", "--role", "viewer"], Some("")),
            kepu_server(db, &["kiosk", "list"], None),
            kepu_server(db, &["staff", "list"], None),
            kepu_server(db, &["kiosk", "revoke", "lib-9"], None),
        ]
    })
    .await
    .unwrap();
    let ok = |i: usize| {
        assert!(outputs[i].0, "command {i} failed: {}", outputs[i].2);
        &outputs[i]
    };
    ok(0);
    ok(1);
    let printed = ok(2).1.trim().to_owned();
    assert!(
        printed.starts_with("kpk_") && printed.len() == 68,
        "the token, alone: {printed}"
    );
    assert!(ok(2).2.contains("not shown again"));
    ok(3);
    assert!(!outputs[4].0, "an empty password is refused");
    assert!(outputs[4].2.contains("no password"), "{}", outputs[4].2);
    assert!(
        ok(5).1.contains("Jinsong Library\tlib-1\tactive\tnever\t-"),
        "{}",
        outputs[5].1
    );
    assert_eq!(
        ok(6).1,
        format!("{}\tviewer\nops\tadmin\n{}\tadmin\n", VIEWER.0, ADMIN.0)
    );
    assert!(!outputs[7].0);
    assert!(
        outputs[7].2.contains("no kiosk \"lib-9\""),
        "{}",
        outputs[7].2
    );
    let token = std::fs::read_to_string(&token_file).unwrap();
    let store = &app.db.store;
    assert_eq!(
        store
            .check_token(
                &kepu_server::auth::hash_token(&token),
                kepu_core::now_unix_ms()
            )
            .await
            .unwrap(),
        TokenCheck::Valid {
            kiosk: "lib-1".into()
        }
    );
    let ops = store.staff_by_name("ops").await.unwrap().unwrap();
    assert!(kepu_server::auth::password::verify_password(
        "a staff password",
        &ops.password_hash
    ));
}

async fn published_content_is_listed_and_unknown_exhibits_are_flagged(app: TestApp) {
    use kepu_core::wire::EventKind;
    let store = &app.db.store;
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let sample_count = std::fs::read_dir(&samples)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("exhibit.toml").exists())
        .count();
    // Before anything is published, no exhibit is "unknown".
    let session = Some(uuid::Uuid::new_v4());
    let open = |seq, exhibit: &str| {
        event(
            seq,
            session,
            EventKind::ExhibitOpen {
                exhibit_id: exhibit.into(),
            },
        )
    };
    app.post_events(vec![open(1, "phone-scams")]).await;
    store.roll_up_all().await.unwrap();
    assert!(store.unknown_exhibits().await.unwrap().is_empty());

    let mut out = Vec::new();
    let published = commands::content_publish(store, &samples, &mut out)
        .await
        .unwrap();
    assert_eq!(published.left_out, 0, "{}", String::from_utf8_lossy(&out));
    let exhibits = store.list_exhibits().await.unwrap();
    assert_eq!(exhibits.len(), sample_count);
    assert!(
        exhibits
            .iter()
            .any(|e| e.id == "phone-scams" && e.kind == "story")
    );

    app.post_events(vec![
        open(2, "phone-scams"),
        open(3, "not-published"),
        open(4, "not-published"),
    ])
    .await;
    store.roll_up_all().await.unwrap();
    let unknown = store.unknown_exhibits().await.unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (
            unknown[0].kiosk.as_str(),
            unknown[0].exhibit_id.as_str(),
            unknown[0].events
        ),
        (KIOSK, "not-published", 2)
    );
    let mut listing = Vec::new();
    commands::kiosk_list(store, &mut listing).await.unwrap();
    let listing = String::from_utf8(listing).unwrap();
    assert!(
        listing.contains(&format!("{KIOSK}\tnot-published\t2 event(s)")),
        "{listing}"
    );

    // A folder with one good exhibit and one broken: the good one is published, the broken
    // one listed, every other exhibit retired (kept).
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("phone-scams");
    std::fs::create_dir(&copy).unwrap();
    for file in std::fs::read_dir(samples.join("phone-scams")).unwrap() {
        let file = file.unwrap().path();
        if file.is_file() {
            std::fs::copy(&file, copy.join(file.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join("broken")).unwrap();
    std::fs::write(
        dir.path().join("broken/exhibit.toml"),
        "id = \"broken\"\nkind = \"simulations\"\n",
    )
    .unwrap();
    let mut out = Vec::new();
    let published = commands::content_publish(store, dir.path(), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(published.left_out, 1);
    assert!(out.contains("left out") && out.contains("broken"), "{out}");
    assert!(
        out.contains(&format!(
            "{} no longer in the folder marked retired",
            sample_count - 1
        )),
        "{out}"
    );
    let exhibits = store.list_exhibits().await.unwrap();
    assert_eq!(exhibits.len(), sample_count, "retired exhibits are kept");
    assert_eq!(
        exhibits
            .iter()
            .filter(|e| e.retired_at_ms.is_none())
            .count(),
        1
    );
    let empty = tempfile::tempdir().unwrap();
    let err = commands::content_publish(store, empty.path(), &mut Vec::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no valid exhibit"), "{err}");
}
