//! `/dashboard/admin/…`: what `kepu-server venue|kiosk|staff|api-token` do, for admins in a
//! browser. The same store calls as `commands.rs`, the same checks (`domain.rs` names,
//! `auth::password`'s rules); a refused form comes back with the input kept and the reason
//! in the user's language next to the field (422), and a change made answers with a redirect
//! to the list and a notice (so reloading the page does not make it twice). A new kiosk or
//! API token is shown once, on the page that answers the form.

mod kiosks;
mod staff;
mod tokens;
mod venues;

use super::layout::{self, FormState};
use super::text::{self, Lang, Text};
use super::{Nav, Shell};
use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kepu_store::StoreError;
use maud::{Markup, html};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard/admin",
            get(|| async { Redirect::to("/dashboard/admin/venues") }),
        )
        .route(
            "/dashboard/admin/venues",
            get(venues::list).post(venues::add),
        )
        .route("/dashboard/admin/venues/rename", post(venues::rename))
        .route(
            "/dashboard/admin/kiosks",
            get(kiosks::list).post(kiosks::add),
        )
        .route("/dashboard/admin/kiosks/revoke", post(kiosks::revoke))
        .route("/dashboard/admin/kiosks/rotate", post(kiosks::rotate))
        .route("/dashboard/admin/staff", get(staff::list).post(staff::add))
        .route(
            "/dashboard/admin/staff/password",
            post(staff::reset_password),
        )
        .route("/dashboard/admin/staff/remove", post(staff::remove))
        .route(
            "/dashboard/admin/tokens",
            get(tokens::list).post(tokens::add),
        )
        .route("/dashboard/admin/tokens/revoke", post(tokens::revoke))
}

/// The four admin pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Venues,
    Kiosks,
    Staff,
    Tokens,
}

impl Section {
    const ALL: [Section; 4] = [
        Section::Venues,
        Section::Kiosks,
        Section::Staff,
        Section::Tokens,
    ];

    fn href(self) -> &'static str {
        match self {
            Section::Venues => "/dashboard/admin/venues",
            Section::Kiosks => "/dashboard/admin/kiosks",
            Section::Staff => "/dashboard/admin/staff",
            Section::Tokens => "/dashboard/admin/tokens",
        }
    }

    fn title(self) -> Text {
        match self {
            Section::Venues => Text::AdminVenues,
            Section::Kiosks => Text::AdminKiosks,
            Section::Staff => Text::AdminStaff,
            Section::Tokens => Text::AdminTokens,
        }
    }
}

/// An admin page: the section's links above `main`.
fn admin_page(shell: &Shell, status: StatusCode, section: Section, main: Markup) -> Response {
    let body = html! {
        nav.subnav aria-label=(shell.t(Text::AdminNav)) {
            ul {
                @for item in Section::ALL {
                    li {
                        a href=(item.href()) aria-current=[(item == section).then_some("page")] {
                            (shell.t(item.title()))
                        }
                    }
                }
            }
        }
        (main)
    };
    shell.page_with_status(status, Nav::Admin, shell.t(section.title()), body)
}

/// After a change: back to the list, which shows the notice `done` names.
fn done(section: Section, done: &str) -> Response {
    Redirect::to(&format!("{}?done={done}", section.href())).into_response()
}

/// The notice of `?done=` among `notices` (unknown codes show nothing: the address is the
/// user's to type).
fn notice_of(shell: &Shell, notices: &[(&str, Text)]) -> Option<Markup> {
    let query = shell.uri.query().unwrap_or_default();
    let code = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.into_owned())?;
    notices
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, text)| layout::notice(shell.t(*text)))
}

/// A store error a form can explain (a name taken, a name not there): the sentence for the
/// form, in the user's language. Other errors are the failure page's.
fn form_error(lang: Lang, err: &StoreError, thing: Text) -> Option<String> {
    match err {
        StoreError::Exists { name, .. } => Some(text::exists(lang, thing, name)),
        StoreError::NotFound { what, name } => {
            let thing = match *what {
                "venue" => Text::ThingVenue,
                "kiosk" => Text::ThingKiosk,
                "staff member" => Text::ThingStaff,
                "API token" => Text::ThingToken,
                _ => thing,
            };
            Some(text::not_found(lang, thing, name))
        }
        _ => None,
    }
}

/// A page's data could not be read: the failure page.
fn failed(shell: &Shell, err: StoreError) -> Response {
    shell.failure(AppError::from(err))
}

/// A secret shown once (a kiosk's or an API token), with what to do with it.
fn secret_page(
    shell: &Shell,
    section: Section,
    done: &str,
    secret: &str,
    how_to: Text,
    back: Text,
) -> Response {
    let main = html! {
        (layout::notice(done))
        p { strong { (shell.t(Text::TokenShownOnce)) } }
        code.secret #secret { (secret) }
        p { (shell.t(how_to)) }
        p { a.button href=(section.href()) { (shell.t(back)) } }
    };
    admin_page(shell, StatusCode::OK, section, main)
}

/// `now` in the words of the lists ("5 min ago").
fn ago(shell: &Shell, at_ms: Option<i64>) -> String {
    match at_ms {
        Some(at) => text::ago(shell.lang, kepu_core::now_unix_ms(), at),
        None => shell.t(Text::Never).to_owned(),
    }
}

/// The status of a page drawn again after a form: 422 when it has errors.
fn status_of(forms: &[&FormState]) -> StatusCode {
    if forms.iter().any(|f| f.has_errors()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}
