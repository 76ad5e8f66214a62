//! The dashboard's shell and guards: sign-in redirects (with a local `next` only), the admin
//! role, CSRF on every form, security headers, languages, assets; and the admin pages: venues,
//! kiosks (a new token shown once works for ingest), staff, API tokens.

use crate::browser::{Browser, Page};
use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;

on_both_engines!(
    the_dashboard_needs_a_session_and_comes_back_after_sign_in,
    admin_pages_are_for_admins_only,
    forms_without_the_sessions_token_are_refused,
    every_page_has_security_headers_and_the_chosen_language,
    assets_are_served_from_the_binary_and_cached_by_version,
    admins_manage_venues_with_errors_on_the_form,
    an_added_kiosks_token_works_for_ingest_and_rotation_shows_a_new_one_once,
    admins_manage_staff_accounts,
);

async fn the_dashboard_needs_a_session_and_comes_back_after_sign_in(app: TestApp) {
    let mut browser = Browser::new(&app);
    let root = browser.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location(), "/dashboard/overview");
    let page = browser.get("/dashboard/admin/kiosks?lang=en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let login = page.location().to_owned();
    assert_eq!(
        login,
        "/login?next=%2Fdashboard%2Fadmin%2Fkiosks%3Flang%3Den"
    );
    // The sign-in form carries `next` and goes there afterwards.
    let form = browser.get(&login).await;
    assert_eq!(
        form.field_value("next").as_deref(),
        Some("/dashboard/admin/kiosks?lang=en")
    );
    let signed_in = browser
        .post(
            "/login",
            &[
                ("name", ADMIN.0),
                ("password", ADMIN.1),
                ("csrf", &form.csrf()),
                ("next", "/dashboard/admin/kiosks?lang=en"),
            ],
        )
        .await;
    assert_eq!(signed_in.location(), "/dashboard/admin/kiosks?lang=en");
    // Never to another site.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut other = Browser::new(&app);
        let form = other.get("/login").await;
        let page = other
            .post(
                "/login",
                &[
                    ("name", ADMIN.0),
                    ("password", ADMIN.1),
                    ("csrf", &form.csrf()),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location(), "/dashboard/overview", "{next}");
    }
    // htmx requests are told where to go in a header.
    let mut anonymous = Browser::new(&app);
    let request = axum::http::Request::get("/dashboard/overview")
        .header("hx-request", "true")
        .body(axum::body::Body::empty())
        .unwrap();
    let page = anonymous.send(request).await;
    assert_eq!(
        page.header("hx-redirect"),
        "/login?next=%2Fdashboard%2Foverview"
    );
    // A form posted from an ended session is not replayed after signing in.
    let page = anonymous
        .post("/dashboard/admin/venues", &[("name", "X")])
        .await;
    assert_eq!(page.location(), "/login");
}

async fn admin_pages_are_for_admins_only(app: TestApp) {
    let mut viewer = Browser::new(&app);
    viewer.sign_in(VIEWER).await;
    let overview = viewer.get("/dashboard/overview").await;
    assert!(
        !overview.body.contains("/dashboard/admin/"),
        "no Admin link"
    );
    for path in [
        "/dashboard/admin/venues",
        "/dashboard/admin/kiosks",
        "/dashboard/admin/staff",
        "/dashboard/admin/tokens",
    ] {
        let page = viewer.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("仅限管理员"), "{}", page.body);
    }
    let csrf = overview.csrf();
    let page = viewer
        .post(
            "/dashboard/admin/venues",
            &[("csrf", &csrf), ("name", "Viewer's")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.db.store.list_venues().await.unwrap().len(), 1);
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let overview = admin.get("/dashboard/overview").await;
    assert!(overview.body.contains("href=\"/dashboard/admin/venues\""));
    for path in [
        "/dashboard/admin/venues",
        "/dashboard/admin/kiosks",
        "/dashboard/admin/staff",
        "/dashboard/admin/tokens",
    ] {
        assert_eq!(admin.get(path).await.status, StatusCode::OK, "{path}");
    }
}

async fn forms_without_the_sessions_token_are_refused(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/venues").await;
    // Another session's token is as wrong as none.
    let mut other = Browser::new(&app);
    other.sign_in(ADMIN).await;
    let other_csrf = other.csrf_of("/dashboard/admin/venues").await;
    assert_ne!(csrf, other_csrf);
    for fields in [
        vec![("name", "Sneaky Venue")],
        vec![("name", "Sneaky Venue"), ("csrf", "")],
        vec![("name", "Sneaky Venue"), ("csrf", other_csrf.as_str())],
    ] {
        let page = admin.post("/dashboard/admin/venues", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(page.body.contains("表单已失效"));
    }
    assert_eq!(app.db.store.list_venues().await.unwrap().len(), 1);
    let page = admin
        .post(
            "/dashboard/admin/venues",
            &[("name", "Sneaky Venue"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.store.list_venues().await.unwrap().len(), 2);
}

fn assert_security_headers(page: &Page) {
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
}

async fn every_page_has_security_headers_and_the_chosen_language(app: TestApp) {
    let mut browser = Browser::new(&app);
    let login = browser.get("/login").await;
    assert_security_headers(&login);
    assert_eq!(login.header("cache-control"), "no-store");
    assert!(
        login.body.contains("<html lang=\"zh-CN\">"),
        "Chinese by default"
    );
    assert!(!login.body.contains("<script>"), "no inline script");
    // The browser's preference, then the switch, which is remembered.
    browser.accept_language = Some("en-GB,en;q=0.9");
    let login = browser.get("/login").await;
    assert!(login.body.contains("<html lang=\"en\">"));
    assert!(login.body.contains("Staff sign-in"));
    browser.accept_language = None;
    browser.sign_in(VIEWER).await;
    let page = browser.get("/dashboard/overview?lang=en").await;
    assert_security_headers(&page);
    let cookie = page.set_cookie("kepu_lang").unwrap();
    assert!(cookie.starts_with("kepu_lang=en;"), "{cookie}");
    assert!(page.body.contains("<html lang=\"en\">"));
    for text in ["Overview", "Sign out", "Signed in as", "Kiosk health"] {
        assert!(page.body.contains(text), "{text}");
    }
    // The switch links to this page in each language.
    assert!(page.body.contains("href=\"/dashboard/overview?lang=zh\""));
    let page = browser.get("/dashboard/overview").await;
    assert!(page.body.contains("Sign out"), "remembered");
    let page = browser.get("/dashboard/overview?lang=zh").await;
    assert!(page.body.contains("退出登录"));
    // Refusals are pages with the headers too.
    let refused = browser.post("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_security_headers(&refused);
    // The sign-out button is a form with the session's token.
    assert!(page.body.contains("action=\"/logout\""));
    assert_eq!(page.csrf().len(), 43);
}

async fn assets_are_served_from_the_binary_and_cached_by_version(app: TestApp) {
    let mut browser = Browser::new(&app);
    let login = browser.get("/login").await;
    let start = login.body.find("/assets/dashboard.css?v=").unwrap();
    let href = &login.body[start..login.body[start..].find('"').unwrap() + start];
    let css = browser.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(css.body.contains(":focus-visible"));
    assert_security_headers(&css);
    let unversioned = browser.get("/assets/dashboard.css").await;
    assert_eq!(unversioned.header("cache-control"), "no-cache");
    let start = login.body.find("/assets/htmx.min.js?v=").unwrap();
    let href = &login.body[start..login.body[start..].find('"').unwrap() + start];
    let js = browser.get(href).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
    assert!(js.body.starts_with("var htmx="));
}

async fn admins_manage_venues_with_errors_on_the_form(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.accept_language = Some("en");
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/venues").await;
    // A name the rules refuse: the form again, the input kept, the reason in English.
    let page = admin
        .post(
            "/dashboard/admin/venues",
            &[("csrf", &csrf), ("name", "Bad <Venue>")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("A venue name has 1 to 64"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Bad &lt;Venue&gt;\""),
        "kept, escaped"
    );
    assert!(page.body.contains("aria-invalid=\"true\""));
    // A name taken.
    let page = admin
        .post(
            "/dashboard/admin/venues",
            &[("csrf", &csrf), ("name", VENUE)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("already"), "{}", page.body);
    // Added, then renamed; the list says so.
    let page = admin
        .post(
            "/dashboard/admin/venues",
            &[("csrf", &csrf), ("name", "朝阳区科技馆")],
        )
        .await;
    assert_eq!(page.location(), "/dashboard/admin/venues?done=venue-added");
    let list = admin.get(page.location()).await;
    assert!(list.body.contains("The venue was added."));
    assert!(list.body.contains("朝阳区科技馆"));
    let page = admin
        .post(
            "/dashboard/admin/venues/rename",
            &[
                ("csrf", &csrf),
                ("old", "朝阳区科技馆"),
                ("new", "朝阳区科学技术馆"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let names: Vec<String> = app
        .db
        .store
        .list_venues()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert!(names.contains(&"朝阳区科学技术馆".to_owned()), "{names:?}");
    // In Chinese, the same refusal reads in Chinese.
    let page = admin
        .post(
            "/dashboard/admin/venues/rename?lang=zh",
            &[("csrf", &csrf), ("old", "nowhere"), ("new", "Somewhere")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("没有名为“nowhere”的场馆"),
        "{}",
        page.body
    );
}

async fn an_added_kiosks_token_works_for_ingest_and_rotation_shows_a_new_one_once(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/kiosks").await;
    let page = admin
        .post(
            "/dashboard/admin/kiosks",
            &[("csrf", &csrf), ("venue", VENUE), ("name", "hall-2")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("kiosk.toml"), "how to install it");
    let token = page.word_starting("kpk_").unwrap();
    assert_eq!(token.len(), 4 + 64);
    let events: Vec<_> = two_sessions()
        .into_iter()
        .map(|mut e| {
            e.kiosk_id = "hall-2".into();
            e
        })
        .collect();
    assert_eq!(
        app.post_events_as(&token, events.clone()).await.status,
        StatusCode::OK
    );
    // Shown once: the list never shows it again.
    let list = admin.get("/dashboard/admin/kiosks").await;
    assert!(list.body.contains("hall-2"));
    assert!(!list.body.contains(&token));
    assert!(list.word_starting("kpk_").is_none());
    // Rotation: a new token, shown once; the old one works for the grace time.
    let page = admin
        .post(
            "/dashboard/admin/kiosks/rotate",
            &[("csrf", &csrf), ("name", "hall-2"), ("grace_hours", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let new_token = page.word_starting("kpk_").unwrap();
    assert_ne!(new_token, token);
    for t in [&token, &new_token] {
        assert_eq!(
            app.post_events_as(t, events.clone()).await.status,
            StatusCode::OK
        );
    }
    // No grace: the old one is refused at once; a bad grace time is explained.
    let page = admin
        .post(
            "/dashboard/admin/kiosks/rotate",
            &[("csrf", &csrf), ("name", "hall-2"), ("grace_hours", "many")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("0 到 720"));
    let page = admin
        .post(
            "/dashboard/admin/kiosks/rotate",
            &[("csrf", &csrf), ("name", "hall-2"), ("grace_hours", "0")],
        )
        .await;
    let newest = page.word_starting("kpk_").unwrap();
    assert_eq!(
        app.post_events_as(&new_token, events.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Revoked: refused (403), and the list says so.
    let page = admin
        .post(
            "/dashboard/admin/kiosks/revoke",
            &[("csrf", &csrf), ("name", "hall-2")],
        )
        .await;
    assert_eq!(
        page.location(),
        "/dashboard/admin/kiosks?done=kiosk-revoked"
    );
    assert_eq!(
        app.post_events_as(&newest, events).await.status,
        StatusCode::FORBIDDEN
    );
    let list = admin.get(page.location()).await;
    assert!(list.body.contains("已停用"));
    // Bad names and unknown venues are explained on the form.
    let page = admin
        .post(
            "/dashboard/admin/kiosks",
            &[("csrf", &csrf), ("venue", VENUE), ("name", "hall 3")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("终端名称只能使用"));
    let page = admin
        .post(
            "/dashboard/admin/kiosks",
            &[("csrf", &csrf), ("venue", "Nowhere"), ("name", "hall-3")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Nowhere"));
}

async fn admins_manage_staff_accounts(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN).await;
    let csrf = admin.csrf_of("/dashboard/admin/staff").await;
    let page = admin
        .post(
            "/dashboard/admin/staff",
            &[
                ("csrf", &csrf),
                ("name", "zhang.wei"),
                ("role", "viewer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("至少需要 10 个字符"));
    assert!(page.body.contains("value=\"zhang.wei\""), "name kept");
    assert!(
        !page.body.contains("value=\"short\""),
        "password never echoed"
    );
    let page = admin
        .post(
            "/dashboard/admin/staff",
            &[
                ("csrf", &csrf),
                ("name", "zhang.wei"),
                ("role", "viewer"),
                ("password", "a long enough one"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/dashboard/admin/staff?done=staff-added");
    let mut new_member = Browser::new(&app);
    new_member.sign_in(("zhang.wei", "a long enough one")).await;
    assert_eq!(
        new_member.get("/dashboard/admin/staff").await.status,
        StatusCode::FORBIDDEN
    );
    let page = admin
        .post(
            "/dashboard/admin/staff",
            &[
                ("csrf", &csrf),
                ("name", "zhang.wei"),
                ("role", "admin"),
                ("password", "a long enough one"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("已存在"));
    let list = admin.get("/dashboard/admin/staff").await;
    assert!(list.body.contains("zhang.wei") && list.body.contains("查看者"));
}
