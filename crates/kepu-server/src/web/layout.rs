//! The page shell every dashboard page is drawn in, and the small pieces forms share.
//!
//! A page is a function from view data to [`Markup`] (its main area); the handler passes that
//! to [`Shell::page`], which draws the top bar (product name, the pages, the language switch,
//! who is signed in and the sign-out button) around it. [`Shell`] is an extractor: a handler
//! behind the dashboard's guard takes it as an argument and has the signed-in
//! [`StaffUser`], the page's [`Lang`] and the session's CSRF token:
//!
//! ```ignore
//! async fn page(shell: Shell, State(state): State<AppState>) -> Response {
//!     let data = ...;                                  // from the store
//!     shell.page(Nav::Exhibits, shell.t(Text::NavExhibits), view(&shell, &data))
//! }
//! fn view(shell: &Shell, data: &Data) -> Markup { html! { p { (shell.t(Text::…)) } } }
//! ```
//!
//! Pages have no inline script or style (the Content-Security-Policy forbids both): colours
//! and sizes are classes of `assets/dashboard.css`.

use super::assets;
use super::text::{Lang, Text};
use crate::auth::StaffUser;
use crate::auth::session::ActiveSession;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

/// The pages of the top bar. The reports' pages are the reports' to build; until then their
/// links answer 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Exhibits,
    Quizzes,
    Sort,
    Funnel,
    Literacy,
    Kiosks,
    /// Shown to admins only.
    Admin,
    /// A page outside the navigation (e.g. an error): nothing is marked current.
    None,
}

impl Nav {
    const ALL: [Nav; 8] = [
        Nav::Overview,
        Nav::Exhibits,
        Nav::Quizzes,
        Nav::Sort,
        Nav::Funnel,
        Nav::Literacy,
        Nav::Kiosks,
        Nav::Admin,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Nav::Overview | Nav::None => "/dashboard/overview",
            Nav::Exhibits => "/dashboard/exhibits",
            Nav::Quizzes => "/dashboard/quizzes",
            Nav::Sort => "/dashboard/sort",
            Nav::Funnel => "/dashboard/funnel",
            Nav::Literacy => "/dashboard/literacy",
            Nav::Kiosks => "/dashboard/kiosks",
            Nav::Admin => "/dashboard/admin/venues",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Nav::Overview | Nav::None => Text::NavOverview,
            Nav::Exhibits => Text::NavExhibits,
            Nav::Quizzes => Text::NavQuizzes,
            Nav::Sort => Text::NavSort,
            Nav::Funnel => Text::NavFunnel,
            Nav::Literacy => Text::NavLiteracy,
            Nav::Kiosks => Text::NavKiosks,
            Nav::Admin => Text::NavAdmin,
        }
    }
}

/// What every dashboard page knows about its request: who is signed in, in which language,
/// the session's CSRF token (every form must carry it: [`Shell::csrf_field`]) and the address
/// asked for (the language switch links to the same page).
#[derive(Debug, Clone)]
pub struct Shell {
    pub user: StaffUser,
    pub lang: Lang,
    pub csrf: String,
    pub uri: Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for Shell {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let user = parts.extensions.get::<StaffUser>().cloned();
        let session = parts.extensions.get::<ActiveSession>();
        match (user, session) {
            (Some(user), Some(session)) => Ok(Shell {
                user,
                lang,
                csrf: session.csrf.clone(),
                uri: parts.uri.clone(),
            }),
            // Only a handler outside the dashboard's guard gets here: send the browser to
            // sign in rather than fail.
            _ => Err(Redirect::to("/login").into_response()),
        }
    }
}

impl Shell {
    /// A phrase in the page's language.
    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang)
    }

    /// The hidden field every POST form of the dashboard carries.
    pub fn csrf_field(&self) -> Markup {
        csrf_field(&self.csrf)
    }

    /// A whole page (status 200): the shell around `main`, under the heading `title`.
    pub fn page(&self, nav: Nav, title: &str, main: Markup) -> Response {
        self.page_with_status(StatusCode::OK, nav, title, main)
    }

    /// [`page`](Self::page) with another status (a form with errors is 422, a refusal 403).
    pub fn page_with_status(
        &self,
        status: StatusCode,
        nav: Nav,
        title: &str,
        main: Markup,
    ) -> Response {
        let lang = self.lang;
        let body = html! {
            header.topbar {
                a.brand href=(Nav::Overview.href()) { (Text::Product.get(lang)) }
                nav.pages aria-label=(Text::PagesNav.get(lang)) {
                    ul {
                        @for item in Nav::ALL {
                            @if item != Nav::Admin || self.user.is_admin() {
                                li {
                                    a href=(item.href())
                                      aria-current=[(item == nav).then_some("page")] {
                                        (item.label().get(lang))
                                    }
                                }
                            }
                        }
                    }
                }
                div.account {
                    (language_switch(lang, &self.uri))
                    span.who {
                        (Text::SignedInAs.get(lang)) " "
                        strong { (self.user.name) }
                        " (" (role_name(lang, self.user.role)) ")"
                    }
                    form method="post" action="/logout" {
                        (self.csrf_field())
                        button type="submit" { (Text::SignOut.get(lang)) }
                    }
                }
            }
            main #main tabindex="-1" {
                h1 { (title) }
                (main)
            }
        };
        (status, Html(document(lang, title, body).into_string())).into_response()
    }

    /// A store error on a page: logged once, a page in the user's language for them.
    pub fn failure(&self, err: crate::error::AppError) -> Response {
        failure_page(self.lang, &self.uri, err)
    }
}

/// The name of a role in `lang`.
pub fn role_name(lang: Lang, role: kepu_store::staff::Role) -> &'static str {
    match role {
        kepu_store::staff::Role::Viewer => Text::RoleViewer.get(lang),
        kepu_store::staff::Role::Admin => Text::RoleAdmin.get(lang),
    }
}

/// `<!DOCTYPE html>`, the head (stylesheet, htmx, its settings) and `body`.
pub fn document(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.html_tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (Text::Product.get(lang)) }
                link rel="stylesheet" href=(assets::css_href());
                // htmx obeys the Content-Security-Policy: no inline styles of its own, no
                // eval, and error answers (422 forms, 403 refusals) are shown like others.
                meta name="htmx-config" content=(HTMX_CONFIG);
                script src=(assets::htmx_href()) defer {}
            }
            body {
                a.skip-link href="#main" { (Text::SkipToContent.get(lang)) }
                (body)
            }
        }
    }
}

const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"responseHandling":[{"code":"204","swap":false},{"code":"...","swap":true}]}"#;

/// A page without the signed-in top bar: the sign-in page and refusals to someone not signed
/// in. It still has the product name and the language switch.
pub fn bare_page(status: StatusCode, lang: Lang, uri: &Uri, title: &str, main: Markup) -> Response {
    let body = html! {
        header.topbar {
            span.brand { (Text::Product.get(lang)) }
            div.account { (language_switch(lang, uri)) }
        }
        main #main tabindex="-1" {
            h1 { (title) }
            (main)
        }
    };
    (status, Html(document(lang, title, body).into_string())).into_response()
}

/// A refusal or failure page: a title, a sentence, and a way on.
pub fn message_page(
    status: StatusCode,
    lang: Lang,
    uri: &Uri,
    title: Text,
    message: &str,
    link: (&str, Text),
) -> Response {
    bare_page(
        status,
        lang,
        uri,
        title.get(lang),
        html! {
            p.alert role="alert" { (message) }
            p { a href=(link.0) { (link.1.get(lang)) } }
        },
    )
}

/// An error a page could not get past: its status, a sentence in `lang`; internal details go
/// to the log only (once, here).
pub fn failure_page(lang: Lang, uri: &Uri, err: crate::error::AppError) -> Response {
    use crate::error::AppError;
    let status = err.status();
    let message = match &err {
        AppError::TooManyRequests { retry_after, .. } => super::text::wait_before_retry(
            lang,
            crate::limits::RetryAfter(*retry_after).header_secs(),
        ),
        AppError::Internal(source) => {
            tracing::error!(error = %source, "dashboard request failed");
            Text::InternalError.get(lang).to_owned()
        }
        AppError::Unavailable(source) => {
            tracing::error!(error = %source, "database unavailable");
            Text::InternalError.get(lang).to_owned()
        }
        AppError::Report(source) => {
            tracing::error!(error = %source, "a report could not be made");
            Text::InternalError.get(lang).to_owned()
        }
        other => other.to_string(),
    };
    let title = match status {
        StatusCode::TOO_MANY_REQUESTS => Text::TooManyTitle,
        StatusCode::FORBIDDEN => Text::ForbiddenTitle,
        _ => Text::ErrorTitle,
    };
    message_page(
        status,
        lang,
        uri,
        title,
        &message,
        (Nav::Overview.href(), Text::BackToOverview),
    )
}

/// The hidden CSRF field of a form.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// Links to this same page in each language (`?lang=`, the rest of the query kept).
pub fn language_switch(current: Lang, uri: &Uri) -> Markup {
    html! {
        nav.languages aria-label=(Text::LanguageNav.get(current)) {
            ul {
                @for lang in Lang::ALL {
                    li {
                        a href=(with_lang(uri, lang)) lang=(lang.html_tag()) hreflang=(lang.html_tag())
                          aria-current=[(lang == current).then_some("true")] {
                            (lang.own_name())
                        }
                    }
                }
            }
        }
    }
}

/// `uri`'s path and query with `lang=` set to `lang` (filters and other parameters kept).
pub fn with_lang(uri: &Uri, lang: Lang) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if key != "lang" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("lang", lang.code());
    format!("{}?{}", uri.path(), query.finish())
}

/// A form's values as typed and its errors by field, to draw it again with both.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// Which row's form this is about (a venue's rename, a kiosk's rotation), if any.
    pub target: Option<String>,
    pub values: Vec<(String, String)>,
    pub errors: Vec<(&'static str, String)>,
}

impl FormState {
    /// The values of a submitted form (passwords are never drawn again, whatever is kept).
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        Self {
            target: None,
            values: pairs
                .iter()
                .filter(|(k, _)| k != "csrf" && !k.contains("password"))
                .cloned()
                .collect(),
            errors: Vec::new(),
        }
    }

    pub fn value(&self, field: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.as_str())
    }

    pub fn fail(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push((field, message.into()));
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// This form's state if it is the one for `target`, else an empty one.
    pub fn for_target(&self, target: &str) -> FormState {
        if self.target.as_deref() == Some(target) {
            self.clone()
        } else {
            FormState::default()
        }
    }
}

/// What kind of `<input>` a [`field`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    Password,
    Number { min: u64, max: u64 },
}

/// A labelled input with its error (linked by `aria-describedby`, marked `aria-invalid`) and
/// an optional hint; the value typed is kept except for passwords. `id_prefix` keeps ids
/// unique when a page repeats a form per row.
pub fn field(
    form: &FormState,
    id_prefix: &str,
    name: &'static str,
    label: &str,
    input: Input,
    hint: Option<&str>,
) -> Markup {
    let id = format!("{id_prefix}-{name}");
    let error = form.error(name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (error, hint) {
        (Some(_), _) => Some(error_id.as_str()),
        (None, Some(_)) => Some(hint_id.as_str()),
        (None, None) => None,
    };
    let value = match input {
        Input::Password => None,
        _ => Some(form.value(name)),
    };
    html! {
        div.field {
            label for=(id) { (label) }
            @match input {
                Input::Text => {
                    input type="text" id=(id) name=(name) value=[value] required
                      autocomplete="off" aria-invalid=[error.map(|_| "true")]
                      aria-describedby=[described];
                }
                Input::Password => {
                    input type="password" id=(id) name=(name) required minlength="10"
                      autocomplete="new-password" aria-invalid=[error.map(|_| "true")]
                      aria-describedby=[described];
                }
                Input::Number { min, max } => {
                    input type="number" id=(id) name=(name) value=[value] required
                      min=(min) max=(max) step="1" inputmode="numeric"
                      aria-invalid=[error.map(|_| "true")]
                      aria-describedby=[described];
                }
            }
            // An error says what the hint would (and more): one of them, not both.
            @if let (Some(hint), None) = (hint, error) {
                p.hint id=(hint_id) { (hint) }
            }
            @if let Some(error) = error {
                p.field-error id=(error_id) { (error) }
            }
        }
    }
}

/// A notice above a page's content (after a change was made).
pub fn notice(message: &str) -> Markup {
    html! { p.notice role="status" { (message) } }
}

/// Above a form with errors: that there are, and each reason (the same as next to its
/// field, for whoever reads from the top, and for an error no field shows).
pub fn error_summary(lang: Lang, form: &FormState) -> Markup {
    html! {
        @if form.has_errors() {
            div.alert role="alert" {
                p { (Text::FormHasErrors.get(lang)) }
                ul {
                    @for (_, message) in &form.errors { li { (message) } }
                }
            }
        }
    }
}
