//! Who may call what: kiosk tokens (missing, wrong, revoked, rotated), staff sign-in for every
//! route that shows engagement, and the open health routes.

use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_core::wire::SUMMARY_PATH;
use kepu_server::auth;

on_both_engines!(
    a_missing_or_unknown_token_is_401_and_stores_nothing,
    a_revoked_kiosk_is_403_at_once,
    a_rotated_kiosk_sends_with_either_token_until_the_grace_time,
    engagement_is_shown_to_signed_in_staff_only,
    health_routes_are_open,
);

async fn a_missing_or_unknown_token_is_401_and_stores_nothing(app: TestApp) {
    let body = serde_json::to_vec(&kepu_core::wire::IngestRequest {
        events: two_sessions(),
    })
    .unwrap();
    let reply = app
        .post_raw(kepu_core::wire::INGEST_PATH, None, &[], body.clone())
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.error().detail.contains("missing kiosk token"));
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    let wrong = auth::new_token();
    let reply = app
        .post_raw(kepu_core::wire::INGEST_PATH, Some(&wrong), &[], body)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error().detail, "unknown kiosk token");
    assert!(
        !String::from_utf8_lossy(&reply.body).contains(&wrong),
        "no echo"
    );
    assert_eq!(app.stored_rows().await, 0);
}

async fn a_revoked_kiosk_is_403_at_once(app: TestApp) {
    assert_eq!(app.post_events(two_sessions()).await.status, StatusCode::OK);
    app.db
        .store
        .revoke_kiosk(KIOSK, kepu_core::now_unix_ms())
        .await
        .unwrap();
    let reply = app.post_events(two_sessions()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.error().detail.contains("revoked"));
    let summary = app.summary().await;
    assert_eq!(summary.events, 9, "its earlier events stay, nothing new");
}

async fn a_rotated_kiosk_sends_with_either_token_until_the_grace_time(app: TestApp) {
    let store = &app.db.store;
    let new_token = auth::new_token();
    let now = kepu_core::now_unix_ms();
    store
        .rotate_kiosk(KIOSK, &auth::hash_token(&new_token), now + 3_600_000)
        .await
        .unwrap();
    assert_eq!(app.post_events(two_sessions()).await.status, StatusCode::OK);
    let reply = app.post_events_as(&new_token, two_sessions()).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Rotated again with no grace: the first token is over.
    store
        .rotate_kiosk(KIOSK, &auth::hash_token(&auth::new_token()), now)
        .await
        .unwrap();
    let reply = app.post_events_as(&new_token, two_sessions()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.error().detail.contains("replaced"));
    assert_eq!(
        app.post_events(two_sessions()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.summary().await.events, 18);
}

async fn engagement_is_shown_to_signed_in_staff_only(app: TestApp) {
    let anonymous = app.get_as(SUMMARY_PATH, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let wrong_password = app
        .get_as(SUMMARY_PATH, Some((VIEWER.0, "not my password")))
        .await;
    let unknown_name = app
        .get_as(SUMMARY_PATH, Some(("nobody", "not my password")))
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_name.status, StatusCode::UNAUTHORIZED);
    // No account enumeration: the same answer for a wrong password and an unknown name.
    assert_eq!(wrong_password.error(), unknown_name.error());
    // A kiosk token is not a staff sign-in.
    let mut request = axum::http::Request::get(SUMMARY_PATH);
    request = request.header("authorization", format!("Bearer {}", app.token));
    let reply = app
        .send(request.body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // A name no account can have (PostgreSQL refuses a NUL byte outright): a failed sign-in,
    // never a server error.
    for name in ["li\0lei", "li lei", "\u{202e}admin"] {
        let reply = app.get_as(SUMMARY_PATH, Some((name, VIEWER.1))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name:?}");
        assert_eq!(reply.error(), wrong_password.error());
    }
    for staff in [VIEWER, ADMIN] {
        assert_eq!(
            app.get_as(SUMMARY_PATH, Some(staff)).await.status,
            StatusCode::OK
        );
    }
}

async fn health_routes_are_open(app: TestApp) {
    let reply = app.get_as("/healthz", None).await;
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (StatusCode::OK, &b"ok"[..])
    );
    let reply = app.get_as("/readyz", None).await;
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (StatusCode::OK, &b"ready"[..])
    );
    app.db.store.close().await;
    let reply = app.get_as("/readyz", None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error().error, "unavailable");
    assert_eq!(app.get_as("/healthz", None).await.status, StatusCode::OK);
}
