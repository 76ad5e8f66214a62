//! The dashboard's HTML side: sign-in, the page shell, the admin pages and the assets, all
//! server-rendered (maud), working with JavaScript off; htmx, served from the binary, may
//! make parts of pages update in place.
//!
//! These are routes like `routes/`'s, but not the JSON API: they are not in the OpenAPI
//! document, answer HTML, and have guards of their own, applied here in this order:
//!
//! 1. [`language`]: the page's [`Lang`] from `?lang=` (then remembered in the cookie
//!    `kepu_lang`), else that cookie, else `Accept-Language`, else Chinese;
//! 2. [`security_headers`] on every answer: a Content-Security-Policy of this site only and no
//!    inline script, no framing, no referrer to other sites, no MIME sniffing, and
//!    `Cache-Control: no-store` for pages (a shared computer's back button shows nothing after
//!    sign-out);
//! 3. for `/dashboard/**` and `/logout`: [`require_session`] (someone signed in, else to
//!    `/login?next=…`), then [`csrf`] (every POST carries the session's token), then for
//!    `/dashboard/admin/**` [`require_admin`].
//!
//! A report page is a function from view data to markup, drawn in [`Shell::page`]; see
//! [`layout`].

pub mod admin;
pub mod assets;
pub mod layout;
pub mod login;
pub mod pages;
pub mod text;

pub use layout::{Nav, Shell};
pub use text::{Lang, Text};

use crate::AppState;
use crate::auth::session::{ActiveSession, same_secret};
use crate::auth::{StaffUser, Surface};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// The cookie the language choice is remembered in.
pub const LANG_COOKIE: &str = "kepu_lang";

/// The largest form body the dashboard reads (its forms are a few fields).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Content-Security-Policy of every dashboard answer: scripts, styles, images and forms of
/// this site only (no inline script or style: charts colour through classes), never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router(state: AppState) -> Router<AppState> {
    let admin = admin::router().route_layer(from_fn(require_admin));
    let signed_in = pages::router()
        .merge(admin)
        .route(
            "/dashboard",
            get(|| async { Redirect::to("/dashboard/overview") }),
        )
        .route("/logout", post(login::sign_out))
        .route_layer(from_fn(csrf))
        .route_layer(from_fn_with_state(state.clone(), require_session));
    Router::new()
        .route("/", get(root))
        .route("/login", get(login::form).post(login::sign_in))
        .route(assets::CSS_PATH, get(assets::css))
        .route(assets::HTMX_PATH, get(assets::htmx))
        .merge(signed_in)
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(state, language))
}

/// `/`: the overview; the guard there sends whoever is not signed in to the sign-in page.
async fn root() -> Redirect {
    Redirect::to("/dashboard/overview")
}

/// Decides the page's language and, when `?lang=` chose one, remembers it in a cookie.
async fn language(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let asked = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "lang")
            .and_then(|(_, value)| Lang::parse(&value))
    });
    let headers = request.headers();
    let lang = asked
        .or_else(|| crate::auth::session::read_cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    if let Some(lang) = asked {
        // Not HttpOnly-sensitive, but no page script needs it either; a year.
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            lang.code(),
            if state.sessions.secure_cookies {
                "; Secure"
            } else {
                ""
            }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The security headers of every dashboard answer (see the module documentation).
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_page && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The page's language (set by [`language`] on every dashboard request).
pub fn lang_of(request: &Request) -> Lang {
    request
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_default()
}

/// Someone must be signed in (a session that counts); a browser that is not goes to the
/// sign-in page, which brings it back here afterwards. htmx requests get the same address in
/// `HX-Redirect` (htmx would otherwise draw the sign-in page inside the page).
async fn require_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = crate::auth::client_address(&request);
    match crate::auth::identify(&state, request.headers(), client, Surface::Dashboard).await {
        Ok(Some((user, Some(session)))) => {
            request.extensions_mut().insert(user);
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Ok(_) => to_sign_in(&request),
        Err(err) => layout::failure_page(lang_of(&request), request.uri(), err),
    }
}

fn to_sign_in(request: &Request) -> Response {
    let target = if request.method() == Method::GET {
        let next = request
            .uri()
            .path_and_query()
            .map_or("/dashboard/overview", |pq| pq.as_str());
        login::sign_in_address(Some(next))
    } else {
        // A form sent from an ended session is not replayed after signing in.
        login::sign_in_address(None)
    };
    let mut response = Redirect::to(&target).into_response();
    if request.headers().contains_key("hx-request")
        && let Ok(value) = HeaderValue::from_str(&target)
    {
        response.headers_mut().insert("hx-redirect", value);
    }
    response
}

/// A POST (or any method that changes something) must carry the session's CSRF token in its
/// form field `csrf` (or the `X-CSRF-Token` header, for htmx requests): a page of another
/// site cannot know it. Refused with a 403 page that says what to do.
async fn csrf(request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let lang = lang_of(&request);
    let Some(expected) = request
        .extensions()
        .get::<ActiveSession>()
        .map(|s| s.csrf.clone())
    else {
        return to_sign_in(&request);
    };
    let header_token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return refused_form(lang, &parts.uri);
    };
    let sent = header_token.or_else(|| {
        form_urlencoded::parse(&bytes)
            .find(|(key, _)| key == "csrf")
            .map(|(_, value)| value.into_owned())
    });
    if !sent.is_some_and(|sent| same_secret(&sent, &expected)) {
        return refused_form(lang, &parts.uri);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The 403 page of a form without the right token.
pub fn refused_form(lang: Lang, uri: &Uri) -> Response {
    let back = if uri.path() == "/login" {
        ("/login", Text::ReloadSignIn)
    } else {
        (Nav::Overview.href(), Text::BackToOverview)
    };
    layout::message_page(
        StatusCode::FORBIDDEN,
        lang,
        uri,
        Text::FormExpiredTitle,
        Text::FormExpired.get(lang),
        back,
    )
}

/// `/dashboard/admin/**`: admins only; a viewer gets a 403 page saying so.
async fn require_admin(request: Request, next: Next) -> Response {
    if request
        .extensions()
        .get::<StaffUser>()
        .is_some_and(StaffUser::is_admin)
    {
        return next.run(request).await;
    }
    let lang = lang_of(&request);
    layout::message_page(
        StatusCode::FORBIDDEN,
        lang,
        request.uri(),
        Text::ForbiddenTitle,
        Text::AdminOnly.get(lang),
        (Nav::Overview.href(), Text::BackToOverview),
    )
}

/// A submitted form's fields in order (repeated names kept).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `name` in a form, trimmed ("" when absent).
pub fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}
