//! Who may call the JSON API's staff routes: a read-only API token (reads, never writes), the
//! dashboard's session (reads only), HTTP Basic as before; tokens made, listed and revoked on
//! the admin page and with `kepu-server api-token`.

use crate::browser::Browser;
use crate::helpers::*;
use crate::on_both_engines;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use kepu_core::wire::SUMMARY_PATH;
use kepu_server::commands::{self, TokenOutput};

on_both_engines!(
    an_api_token_reads_the_summary_and_is_refused_on_posts,
    staff_writes_to_the_api_need_a_password,
    the_dashboards_session_may_read_the_api_but_not_write,
    api_tokens_from_the_command_line,
);

async fn with_bearer(app: &TestApp, method: &str, path: &str, token: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    app.send(request).await
}

async fn an_api_token_reads_the_summary_and_is_refused_on_posts(app: TestApp) {
    assert_eq!(app.post_events(two_sessions()).await.status, StatusCode::OK);
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/tokens").await;
    let page = admin
        .post(
            "/dashboard/admin/tokens",
            &[("csrf", &csrf), ("label", "district stats")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Authorization: Bearer"));
    let token = page.word_starting("kepu_ro_").unwrap();
    assert_eq!(token.len(), "kepu_ro_".len() + 64);
    app.db.store.roll_up_all().await.unwrap();
    let reply = with_bearer(&app, "GET", SUMMARY_PATH, &token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json::<kepu_core::wire::StatsSummary>().events, 9);
    // Read-only: any write is refused, whatever route it tries.
    let reply = with_bearer(&app, "POST", SUMMARY_PATH, &token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.error().detail,
        "API tokens are read-only: they may only GET"
    );
    let reply = with_bearer(&app, "POST", kepu_core::wire::INGEST_PATH, &token).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "not a kiosk token");
    // It is not a dashboard sign-in either.
    let request = Request::get("/dashboard/overview")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::SEE_OTHER);
    // Listed with who made it and its use; the token itself is never shown again.
    let list = admin.get("/dashboard/admin/tokens").await;
    assert!(list.body.contains("district stats") && list.body.contains(ADMIN.0));
    assert!(!list.body.contains(&token));
    assert!(!list.body.contains("从未"), "its use is noted");
    // The same label cannot be in use twice.
    let page = admin
        .post(
            "/dashboard/admin/tokens",
            &[("csrf", &csrf), ("label", "district stats")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Revoked: refused at once.
    let page = admin
        .post(
            "/dashboard/admin/tokens/revoke",
            &[("csrf", &csrf), ("label", "district stats")],
        )
        .await;
    assert_eq!(
        page.location(),
        "/dashboard/admin/tokens?done=token-revoked"
    );
    let reply = with_bearer(&app, "GET", SUMMARY_PATH, &token).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error().detail, "unknown or revoked API token");
    // A guessed token is a failed sign-in like any other.
    let guess = format!("kepu_ro_{}", "0".repeat(64));
    let reply = with_bearer(&app, "GET", SUMMARY_PATH, &guess).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // HTTP Basic still works, and may write (no write route exists for staff yet).
    assert_eq!(
        app.get_as(SUMMARY_PATH, Some(VIEWER)).await.status,
        StatusCode::OK
    );
}

/// No staff route writes yet; this one, behind the API's staff guard, stands for those that
/// will: an API token and the dashboard's cookie may not, HTTP Basic may.
async fn staff_writes_to_the_api_need_a_password(app: TestApp) {
    use tower::ServiceExt;
    let router = axum::Router::new()
        .route(
            "/api/v1/test-write",
            axum::routing::post(|| async { "written" }),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            app.state.clone(),
            kepu_server::auth::require_staff,
        ))
        .with_state(app.state.clone());
    let token = kepu_server::auth::api_token::new_api_token();
    app.db
        .store
        .add_api_token(
            "writer",
            &kepu_server::auth::api_token::hash_api_token(&token),
            ADMIN.0,
            NOW,
        )
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN).await;
    let cookie = format!("kepu_session={}", browser.cookie("kepu_session").unwrap());
    let send = |header: (&'static str, String)| {
        let router = router.clone();
        async move {
            let request = Request::post("/api/v1/test-write")
                .header(header.0, header.1)
                .body(Body::empty())
                .unwrap();
            router.oneshot(request).await.unwrap().status()
        }
    };
    assert_eq!(
        send(("authorization", format!("Bearer {token}"))).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(send(("cookie", cookie)).await, StatusCode::FORBIDDEN);
    assert_eq!(
        send(("authorization", basic(ADMIN.0, ADMIN.1))).await,
        StatusCode::OK
    );
}

async fn the_dashboards_session_may_read_the_api_but_not_write(app: TestApp) {
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    let page = browser.get(SUMMARY_PATH).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = browser.post(SUMMARY_PATH, &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("may only read the API"), "{}", page.body);
    // An ended session is nobody.
    let csrf = browser.csrf_of("/dashboard/overview").await;
    browser.post("/logout", &[("csrf", &csrf)]).await;
    let mut copy = Browser::new(&app);
    copy.cookies.insert("kepu_session".into(), "x".repeat(43));
    assert_eq!(
        copy.get(SUMMARY_PATH).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn api_tokens_from_the_command_line(app: TestApp) {
    let store = &app.db.store;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stats.token");
    let mut out = Vec::new();
    commands::api_token_add(store, "nightly export", TokenOutput::File(&file), &mut out)
        .await
        .unwrap();
    let token = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert!(token.starts_with("kepu_ro_"));
    assert_eq!(
        with_bearer(&app, "GET", SUMMARY_PATH, &token).await.status,
        StatusCode::OK
    );
    assert!(
        commands::api_token_add(store, "bad\tlabel", TokenOutput::File(&file), &mut out)
            .await
            .is_err()
    );
    let mut listed = Vec::new();
    commands::api_token_list(store, &mut listed).await.unwrap();
    let listed = String::from_utf8(listed).unwrap();
    assert!(
        listed.contains("nightly export\t(command line)"),
        "{listed}"
    );
    assert!(!listed.contains(&token));
    commands::api_token_revoke(store, "nightly export", &mut out)
        .await
        .unwrap();
    assert_eq!(
        with_bearer(&app, "GET", SUMMARY_PATH, &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let err = commands::api_token_revoke(store, "nightly export", &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no API token"), "{err}");
}
