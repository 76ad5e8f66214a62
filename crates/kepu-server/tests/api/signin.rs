//! Signing in to the dashboard: the session cookie and its flags, the same answer for unknown
//! names and wrong passwords, the waits after wrong passwords, login CSRF, idle and absolute
//! timeouts, signing out, and the ends of sessions when a password changes or an account goes.

use crate::browser::Browser;
use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_server::auth::session::{SessionConfig, hash_id};
use std::time::Duration;

on_both_engines!(
    signing_in_sets_a_session_cookie_with_its_flags,
    wrong_passwords_and_unknown_names_get_the_same_answer,
    the_sixth_wrong_password_for_an_account_waits,
    one_address_guessing_many_names_waits_too,
    the_sign_in_form_refuses_requests_without_its_token,
    a_session_ends_after_its_idle_time_and_its_lifetime,
    signing_out_ends_the_session,
    a_new_password_ends_the_accounts_other_sessions,
    removing_an_account_ends_its_sessions,
);

async fn signing_in_sets_a_session_cookie_with_its_flags(app: TestApp) {
    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    assert_eq!(form.status, StatusCode::OK);
    for field in [
        "name=\"name\"",
        "name=\"password\"",
        "type=\"password\"",
        "name=\"csrf\"",
    ] {
        assert!(form.body.contains(field), "{field}");
    }
    let login_cookie = form.set_cookie("kepu_login_csrf").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/login"] {
        assert!(login_cookie.contains(flag), "{login_cookie}");
    }
    assert_eq!(
        Some(form.csrf().as_str()),
        browser.cookie("kepu_login_csrf")
    );
    let signed_in = browser
        .post(
            "/login",
            &[
                ("name", VIEWER.0),
                ("password", VIEWER.1),
                ("csrf", &form.csrf()),
            ],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location(), "/dashboard/overview");
    let cookie = signed_in.set_cookie("kepu_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "ends with the browser: {cookie}"
    );
    // The login token has done its work.
    assert!(browser.cookie("kepu_login_csrf").is_none());
    // A random 32-byte id, stored only as its hash.
    let id = browser.cookie("kepu_session").unwrap().to_owned();
    assert_eq!(id.len(), 43);
    let cutoffs = SessionConfig::default().cutoffs(kepu_core::now_unix_ms());
    let store = &app.db.store;
    let stored = store.web_session(&hash_id(&id), cutoffs).await.unwrap();
    assert_eq!(stored.unwrap().staff_name, VIEWER.0);
    assert_eq!(store.web_session(&id, cutoffs).await.unwrap(), None);
    let page = browser.get("/dashboard/overview").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(VIEWER.0));
    // Someone signed in who opens the sign-in page goes straight on.
    let again = browser.get("/login?next=/dashboard/kiosks").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/dashboard/kiosks");
}

async fn wrong_passwords_and_unknown_names_get_the_same_answer(app: TestApp) {
    let mut browser = Browser::new(&app);
    let wrong = browser.try_sign_in((VIEWER.0, "not my password")).await;
    let unknown = browser
        .try_sign_in(("nobody.here", "not my password"))
        .await;
    let invalid = browser
        .try_sign_in(("no body\u{0}", "not my password"))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        !wrong.headers.contains_key("www-authenticate"),
        "no browser dialog"
    );
    assert!(wrong.body.contains("用户名或密码错误"), "{}", wrong.body);
    // The same page but for the name typed, which is kept in its field.
    let unknown_body = unknown.body.replace("nobody.here", VIEWER.0);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown_body));
    assert_eq!(invalid.status, StatusCode::UNAUTHORIZED);
    assert!(invalid.body.contains("用户名或密码错误"));
    assert!(browser.cookie("kepu_session").is_none());
    assert!(!browser.signed_in().await);
}

async fn the_sixth_wrong_password_for_an_account_waits(app: TestApp) {
    for name in [VIEWER.0, "not.an.account"] {
        // A fresh address each time: only the account's count is at work.
        let mut statuses = Vec::new();
        let mut last = None;
        for i in 0..5 {
            let mut browser = Browser::from_address(&app, &format!("10.1.0.{i}:4000"));
            let page = browser.try_sign_in((name, "guessing wrong")).await;
            statuses.push(page.status.as_u16());
            last = Some(page);
        }
        assert_eq!(statuses, [401; 5], "{name}");
        // The fifth says that the next try waits, whether the account exists or not.
        assert!(last.unwrap().body.contains("请等待 1 秒"), "{name}");
        let mut browser = Browser::from_address(&app, "10.1.0.9:4000");
        let sixth = browser.try_sign_in((name, "guessing wrong")).await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS, "{name}");
        assert_eq!(sixth.header("retry-after"), "1");
        assert!(sixth.body.contains("密码错误次数过多"), "{}", sixth.body);
        // While it waits, even the right password is not tried.
        let right = browser.try_sign_in(VIEWER).await;
        if name == VIEWER.0 {
            assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
        }
    }
    // Other accounts are not affected.
    Browser::new(&app).sign_in(ADMIN).await;
    // Once the wait is over the right password works, and the count starts again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    let page = Browser::new(&app)
        .try_sign_in((VIEWER.0, "guessing wrong"))
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

async fn one_address_guessing_many_names_waits_too(app: TestApp) {
    let mut browser = Browser::from_address(&app, "192.0.2.7:5000");
    for i in 0..5 {
        let page = browser
            .try_sign_in((&format!("guess{i}"), "some password"))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = browser.try_sign_in(("guess5", "some password")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // The same names from another address are tried.
    let mut other = Browser::from_address(&app, "192.0.2.8:5000");
    other.sign_in(ADMIN).await;
}

async fn the_sign_in_form_refuses_requests_without_its_token(app: TestApp) {
    let mut browser = Browser::new(&app);
    let form = browser.get("/login").await;
    let token = form.csrf();
    // No token in the form; another token than the cookie's; no cookie (another site's form).
    let cases: [(&[(&str, &str)], bool); 3] = [
        (&[("name", VIEWER.0), ("password", VIEWER.1)], true),
        (
            &[
                ("name", VIEWER.0),
                ("password", VIEWER.1),
                ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ],
            true,
        ),
        (
            &[("name", VIEWER.0), ("password", VIEWER.1), ("csrf", &token)],
            false,
        ),
    ];
    for (fields, keep_cookie) in cases {
        let mut attempt = Browser::new(&app);
        if keep_cookie {
            attempt.cookies = browser.cookies.clone();
        }
        let page = attempt.post("/login", fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(page.body.contains("表单已失效"), "{}", page.body);
        assert!(attempt.cookie("kepu_session").is_none());
    }
    // With both, it works.
    let page = browser
        .post(
            "/login",
            &[("name", VIEWER.0), ("password", VIEWER.1), ("csrf", &token)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

async fn a_session_ends_after_its_idle_time_and_its_lifetime(app: TestApp) {
    let clock = &app.state.sessions.clock;
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    // Active every 29 minutes: still signed in an hour later.
    for _ in 0..2 {
        clock.advance(Duration::from_secs(29 * 60));
        assert!(browser.signed_in().await);
    }
    // 31 minutes without a request: over.
    clock.advance(Duration::from_secs(31 * 60));
    let page = browser.get("/dashboard/overview").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fdashboard%2Foverview");
    // However active, twelve hours after signing in it is over too.
    browser.sign_in(VIEWER).await;
    let mut minutes = 0;
    while minutes + 29 < 12 * 60 {
        clock.advance(Duration::from_secs(29 * 60));
        minutes += 29;
        assert!(browser.signed_in().await, "after {minutes} min");
    }
    clock.advance(Duration::from_secs(29 * 60));
    assert!(!browser.signed_in().await);
    // Ended sessions are deleted by the background task's purge.
    let purged = kepu_server::auth::session::purge(&app.db.store, &app.state.sessions)
        .await
        .unwrap();
    assert_eq!(purged, 2);
}

async fn signing_out_ends_the_session(app: TestApp) {
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    let old_cookie = browser.cookie("kepu_session").unwrap().to_owned();
    // Without the session's token, signing out is refused (and nothing ends).
    let refused = browser.post("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(browser.signed_in().await);
    let csrf = browser.csrf_of("/dashboard/overview").await;
    let page = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?signed_out=1");
    let cleared = page.set_cookie("kepu_session").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(browser.cookie("kepu_session").is_none());
    let login = browser.get("/login?signed_out=1").await;
    assert!(login.body.contains("您已退出登录"));
    // The old cookie, kept by someone, no longer works.
    let mut copy = Browser::new(&app);
    copy.cookies.insert("kepu_session".into(), old_cookie);
    assert!(!copy.signed_in().await);
}

async fn a_new_password_ends_the_accounts_other_sessions(app: TestApp) {
    let mut phone = Browser::new(&app);
    let mut desk = Browser::new(&app);
    phone.sign_in(VIEWER).await;
    desk.sign_in(VIEWER).await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    // An admin resets the viewer's password on the staff page.
    let csrf = admin.csrf_of("/dashboard/admin/staff").await;
    let new_password = "a brand new password";
    let page = admin
        .post(
            "/dashboard/admin/staff/password",
            &[
                ("csrf", &csrf),
                ("name", VIEWER.0),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(!phone.signed_in().await);
    assert!(!desk.signed_in().await);
    assert_eq!(
        phone.try_sign_in(VIEWER).await.status,
        StatusCode::UNAUTHORIZED
    );
    phone.sign_in((VIEWER.0, new_password)).await;
    // From the command line too: the sessions begun before the change no longer count.
    kepu_server::commands::staff_passwd(
        &app.db.store,
        VIEWER.0,
        "changed at the terminal",
        &mut Vec::new(),
    )
    .await
    .unwrap();
    assert!(!phone.signed_in().await);
    // An admin who resets their own password stays signed in here, and only here.
    let mut other_desk = Browser::new(&app);
    other_desk.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/staff").await;
    let page = admin
        .post(
            "/dashboard/admin/staff/password",
            &[
                ("csrf", &csrf),
                ("name", ADMIN.0),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(admin.signed_in().await);
    assert!(!other_desk.signed_in().await);
}

async fn removing_an_account_ends_its_sessions(app: TestApp) {
    let mut viewer = Browser::new(&app);
    viewer.sign_in(VIEWER).await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/staff").await;
    let page = admin
        .post(
            "/dashboard/admin/staff/remove",
            &[("csrf", &csrf), ("name", VIEWER.0)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(!viewer.signed_in().await);
    // Admins cannot remove themselves here (someone must stay able to manage).
    let page = admin
        .post(
            "/dashboard/admin/staff/remove",
            &[("csrf", &csrf), ("name", ADMIN.0)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(admin.signed_in().await);
}
