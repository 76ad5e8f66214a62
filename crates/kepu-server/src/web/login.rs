//! `GET /login`, `POST /login`, `POST /logout`: staff sign in with their name and password and
//! get a session cookie (`auth::session`).
//!
//! - The form is protected against login CSRF (another site signing the browser in to an
//!   account of the attacker's) by a double-submit token: `GET /login` sets a random value in
//!   the cookie `kepu_login_csrf` (sent to `/login` only, `SameSite=Strict`) and in the form's
//!   hidden `csrf` field; `POST /login` needs both, equal. Another site can make a browser post
//!   the form but can neither read nor set the cookie.
//! - Passwords are checked by `auth::staff::check_password`: the same answer, "wrong name or
//!   password", after the same work, for an unknown name and a wrong password; after five
//!   wrong passwords for one name, or from one address, each further try waits (1 s, 2 s,
//!   4 s, … 5 min), and the page says how long, without saying whether the name exists.
//! - `next` (where to go after signing in) is only ever a path of this site, so the sign-in
//!   page cannot be used to send someone elsewhere.

use super::layout::{self, bare_page, csrf_field};
use super::text::{self, Lang, Text};
use super::{form_pairs, form_value, refused_form};
use crate::AppState;
use crate::auth::session::{
    self, ActiveSession, LOGIN_CSRF_COOKIE, SESSION_COOKIE, new_secret, read_cookie, same_secret,
};
use crate::auth::staff::{PasswordRefusal, check_password};
use crate::auth::{Surface, client_address};
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

/// Where a signed-in user lands when nothing else was asked for.
pub const HOME: &str = "/dashboard/overview";

/// The login CSRF cookie lasts a working day; a form older than that is refused with a page
/// that says to open it again.
const LOGIN_CSRF_MAX_AGE_SECS: u64 = 12 * 3600;

/// `next` if it is a path of this site worth returning to: it starts with one `/` (not `//`
/// or `/\`, which browsers read as another host), has no control characters, and is not the
/// sign-in or sign-out address itself.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2048
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    ok.then_some(next)
}

/// `/login`, with `?next=` when `next` is a safe path.
pub fn sign_in_address(next: Option<&str>) -> String {
    match next.and_then(safe_next) {
        Some(next) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            format!("/login?{query}")
        }
        None => "/login".to_owned(),
    }
}

/// What the sign-in page shows besides its form.
enum Message {
    None,
    Info(&'static str),
    Error(String),
}

struct SignInPage<'a> {
    lang: Lang,
    uri: &'a Uri,
    csrf: &'a str,
    next: Option<&'a str>,
    name: &'a str,
    message: Message,
}

fn sign_in_page(status: StatusCode, page: SignInPage<'_>) -> Response {
    let lang = page.lang;
    let main = html! {
        div.signin {
            @match &page.message {
                Message::None => {}
                Message::Info(text) => { (layout::notice(text)) }
                Message::Error(text) => { p.alert role="alert" #signin-error { (text) } }
            }
            form.card method="post" action="/login" {
                (csrf_field(page.csrf))
                @if let Some(next) = page.next {
                    input type="hidden" name="next" value=(next);
                }
                div.field {
                    label for="name" { (Text::FieldName.get(lang)) }
                    input #name type="text" name="name" value=(page.name) required
                      autocomplete="username" autocapitalize="none" spellcheck="false"
                      autofocus[page.name.is_empty()];
                }
                div.field {
                    label for="password" { (Text::FieldPassword.get(lang)) }
                    input #password type="password" name="password" required
                      autocomplete="current-password" autofocus[!page.name.is_empty()];
                }
                button type="submit" { (Text::SignInButton.get(lang)) }
            }
        }
    };
    bare_page(status, lang, page.uri, Text::SignInTitle.get(lang), main)
}

/// The login CSRF token of this browser: the one in its cookie, or a new one.
fn login_token(request_headers: &axum::http::HeaderMap) -> (String, bool) {
    match read_cookie(request_headers, LOGIN_CSRF_COOKIE).filter(|t| t.len() == 43) {
        Some(token) => (token.to_owned(), false),
        None => (new_secret(), true),
    }
}

fn set_cookie(response: &mut Response, value: HeaderValue) {
    response.headers_mut().append(header::SET_COOKIE, value);
}

/// `GET /login`: the form (or, for someone signed in already, straight on).
pub async fn form(State(state): State<AppState>, request: Request) -> Response {
    let lang = super::lang_of(&request);
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| form_pairs(q.as_bytes()))
        .unwrap_or_default();
    let next = safe_next(form_value(&query, "next")).map(str::to_owned);
    let signed_in =
        crate::auth::identify(&state, request.headers(), None, Surface::Dashboard).await;
    if let Ok(Some(_)) = signed_in {
        return Redirect::to(next.as_deref().unwrap_or(HOME)).into_response();
    }
    let (token, fresh) = login_token(request.headers());
    let message = if form_value(&query, "signed_out") == "1" {
        Message::Info(Text::SignedOut.get(lang))
    } else if next.is_some() {
        Message::Info(Text::SignInToContinue.get(lang))
    } else {
        Message::None
    };
    let mut response = sign_in_page(
        StatusCode::OK,
        SignInPage {
            lang,
            uri: request.uri(),
            csrf: &token,
            next: next.as_deref(),
            name: "",
            message,
        },
    );
    if fresh {
        let cookie = state.sessions.cookie(
            LOGIN_CSRF_COOKIE,
            &token,
            "/login",
            Some(LOGIN_CSRF_MAX_AGE_SECS),
        );
        set_cookie(&mut response, cookie);
    }
    response
}

/// `POST /login`: checks the form's token, then the password; a session on success.
pub async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    let lang = super::lang_of(&request);
    let client = client_address(&request);
    let (parts, body) = request.into_parts();
    let uri = parts.uri.clone();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
        return refused_form(lang, &uri);
    };
    let pairs = form_pairs(&body);
    let cookie_token = read_cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !same_secret(form_value(&pairs, "csrf"), cookie_token) {
        return refused_form(lang, &uri);
    }
    let name = form_value(&pairs, "name").to_owned();
    let password = pairs
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let next = safe_next(form_value(&pairs, "next")).map(str::to_owned);
    let page = |status, message| {
        sign_in_page(
            status,
            SignInPage {
                lang,
                uri: &uri,
                csrf: cookie_token,
                next: next.as_deref(),
                name: &name,
                message,
            },
        )
    };
    match check_password(&state, &name, password, client).await {
        Ok(account) => match session::start(&state, &account).await {
            Ok(Some((id, _))) => {
                let mut response = Redirect::to(next.as_deref().unwrap_or(HOME)).into_response();
                let sessions = &state.sessions;
                set_cookie(
                    &mut response,
                    sessions.cookie(SESSION_COOKIE, &id, "/", None),
                );
                set_cookie(
                    &mut response,
                    sessions.cookie(LOGIN_CSRF_COOKIE, "", "/login", Some(0)),
                );
                tracing::info!(staff = %account.name, "signed in to the dashboard");
                response
            }
            // The account changed between the check and now (removed, or a new password):
            // the password just checked no longer counts.
            Ok(None) => page(
                StatusCode::UNAUTHORIZED,
                Message::Error(Text::WrongNameOrPassword.get(lang).to_owned()),
            ),
            Err(err) => layout::failure_page(lang, &uri, AppError::from(err)),
        },
        Err(PasswordRefusal::Wrong { wait }) => {
            let mut message = Text::WrongNameOrPassword.get(lang).to_owned();
            if let Some(wait) = wait {
                message.push(' ');
                message.push_str(&text::wait_before_retry(lang, wait.header_secs()));
            }
            // 401 without `WWW-Authenticate`: a Basic challenge here would make the browser
            // open its own password dialog over the page.
            page(StatusCode::UNAUTHORIZED, Message::Error(message))
        }
        Err(PasswordRefusal::Wait(wait)) => {
            let mut response = page(
                StatusCode::TOO_MANY_REQUESTS,
                Message::Error(text::wait_before_retry(lang, wait.header_secs())),
            );
            if let Ok(value) = HeaderValue::from_str(&wait.header_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(PasswordRefusal::Store(err)) => layout::failure_page(lang, &uri, AppError::from(err)),
    }
}

/// `POST /logout` (behind the session and CSRF guards): ends this session, deletes the
/// cookie, and shows the sign-in page saying so.
pub async fn sign_out(
    State(state): State<AppState>,
    axum::Extension(active): axum::Extension<ActiveSession>,
    request: Request,
) -> Response {
    let lang = super::lang_of(&request);
    if let Err(err) = state.store.end_web_session(&active.id_hash).await {
        return layout::failure_page(lang, request.uri(), AppError::from(err));
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    set_cookie(
        &mut response,
        state.sessions.cookie(SESSION_COOKIE, "", "/", Some(0)),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(
            safe_next("/dashboard/exhibits?from=2026-01-01"),
            Some("/dashboard/exhibits?from=2026-01-01")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/x\\y",
            "dashboard",
            "",
            "/login?next=/login",
            "/logout",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(
            sign_in_address(Some("/dashboard/x?a=1&b=2")),
            "/login?next=%2Fdashboard%2Fx%3Fa%3D1%26b%3D2"
        );
        assert_eq!(sign_in_address(Some("//evil")), "/login");
    }
}
