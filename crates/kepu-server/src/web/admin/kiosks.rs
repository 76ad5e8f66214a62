//! `/dashboard/admin/kiosks`: list, add, revoke, rotate (`kepu-server kiosk …`). A new token
//! is shown once, on the page that answers the form, with how to install it.

use super::{
    Section, admin_page, ago, done, failed, form_error, notice_of, secret_page, status_of,
};
use crate::AppState;
use crate::auth::{hash_token, new_token};
use crate::commands::DEFAULT_ROTATION_GRACE_HOURS;
use crate::domain::KioskName;
use crate::web::layout::{self, FormState, Input, field};
use crate::web::text;
use crate::web::{Shell, Text, form_pairs, form_value};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kepu_store::kiosks::KioskRecord;
use kepu_store::venues::Venue;
use maud::{Markup, html};

/// The longest grace time the form takes (a month); the command line takes any.
const MAX_GRACE_HOURS: u64 = 720;

const NOTICES: &[(&str, Text)] = &[("kiosk-revoked", Text::DoneKioskRevoked)];

pub async fn list(shell: Shell, State(state): State<AppState>) -> Response {
    render(&shell, &state, &FormState::default(), &FormState::default()).await
}

async fn render(shell: &Shell, state: &AppState, add: &FormState, row: &FormState) -> Response {
    let (kiosks, venues) = match (
        state.store.list_kiosks().await,
        state.store.list_venues().await,
    ) {
        (Ok(kiosks), Ok(venues)) => (kiosks, venues),
        (Err(err), _) | (_, Err(err)) => return failed(shell, err),
    };
    let main = html! {
        @if let Some(notice) = notice_of(shell, NOTICES) { (notice) }
        (layout::error_summary(shell.lang, add))
        (layout::error_summary(shell.lang, row))
        @if kiosks.is_empty() {
            p { (shell.t(Text::NoKiosks)) }
        } @else {
            (table(shell, &kiosks, row))
        }
        h2 #add { (shell.t(Text::AddKiosk)) }
        @if venues.is_empty() {
            p { (shell.t(Text::AddVenueFirst)) " " a href=(Section::Venues.href()) { (shell.t(Text::AddVenue)) } }
        } @else {
            (add_form(shell, &venues, add))
        }
    };
    admin_page(shell, status_of(&[add, row]), Section::Kiosks, main)
}

fn state_of(shell: &Shell, kiosk: &KioskRecord) -> (&'static str, &'static str) {
    let now = kepu_core::now_unix_ms();
    match (kiosk.revoked_at_ms, kiosk.clock_untrusted_at_ms) {
        (Some(_), _) => (shell.t(Text::StateRevoked), "state-revoked"),
        (None, Some(at)) if now - at < 24 * 3_600_000 => (shell.t(Text::StateClockWrong), ""),
        _ => (shell.t(Text::StateActive), ""),
    }
}

fn table(shell: &Shell, kiosks: &[KioskRecord], row: &FormState) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead {
                    tr {
                        th scope="col" { (shell.t(Text::Venue)) }
                        th scope="col" { (shell.t(Text::KioskName)) }
                        th scope="col" { (shell.t(Text::State)) }
                        th scope="col" { (shell.t(Text::LastSeen)) }
                        th scope="col" { (shell.t(Text::Version)) }
                        th scope="col" { (shell.t(Text::Actions)) }
                    }
                }
                tbody {
                    @for (i, kiosk) in kiosks.iter().enumerate() {
                        @let (state, class) = state_of(shell, kiosk);
                        @let form = rotate_form(row, &kiosk.name);
                        tr {
                            td { (kiosk.venue.as_deref().unwrap_or("-")) }
                            th scope="row" { code { (kiosk.name) } }
                            td class=(class) { (state) }
                            td { (ago(shell, kiosk.last_seen_at_ms)) }
                            td { (kiosk.app_version.as_deref().unwrap_or("-")) }
                            td {
                                form.inline-form method="post" action="/dashboard/admin/kiosks/rotate" {
                                    (shell.csrf_field())
                                    input type="hidden" name="name" value=(kiosk.name);
                                    (field(&form, &format!("rotate-{i}"), "grace_hours",
                                           shell.t(Text::GraceHours),
                                           Input::Number { min: 0, max: MAX_GRACE_HOURS }, None))
                                    button.secondary type="submit" { (shell.t(Text::Rotate)) }
                                }
                                @if kiosk.revoked_at_ms.is_none() {
                                    form.inline-form method="post" action="/dashboard/admin/kiosks/revoke" {
                                        (shell.csrf_field())
                                        input type="hidden" name="name" value=(kiosk.name);
                                        button.danger type="submit" { (shell.t(Text::Revoke)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A kiosk's rotate form: as sent when it is the one refused, else the default grace time.
fn rotate_form(row: &FormState, kiosk: &str) -> FormState {
    let mut form = row.for_target(kiosk);
    if form.values.is_empty() {
        form.values.push((
            "grace_hours".into(),
            DEFAULT_ROTATION_GRACE_HOURS.to_string(),
        ));
    }
    form
}

fn add_form(shell: &Shell, venues: &[Venue], form: &FormState) -> Markup {
    let chosen = form.value("venue");
    let error = form.error("venue");
    html! {
        form.card method="post" action=(Section::Kiosks.href()) {
            (shell.csrf_field())
            div.field {
                label for="add-venue" { (shell.t(Text::Venue)) }
                select #add-venue name="venue" required
                  aria-invalid=[error.map(|_| "true")]
                  aria-describedby=[error.map(|_| "add-venue-error")] {
                    @for venue in venues {
                        option value=(venue.name) selected[venue.name == chosen] { (venue.name) }
                    }
                }
                @if let Some(error) = error {
                    p.field-error #add-venue-error { (error) }
                }
            }
            (field(form, "add", "name", shell.t(Text::KioskName), Input::Text,
                   Some(shell.t(Text::KioskNameRule))))
            button type="submit" { (shell.t(Text::AddKiosk)) }
        }
    }
}

pub async fn add(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let mut form = FormState::from_pairs(&pairs);
    let venue = form_value(&pairs, "venue").to_owned();
    match KioskName::parse(form_value(&pairs, "name")) {
        Err(_) => form.fail("name", shell.t(Text::KioskNameRule)),
        Ok(name) => {
            let token = new_token();
            let added = state
                .store
                .add_kiosk(
                    &venue,
                    name.as_str(),
                    &hash_token(&token),
                    kepu_core::now_unix_ms(),
                )
                .await;
            match added {
                Ok(()) => {
                    tracing::info!(kiosk = %name, admin = %shell.user.name, "kiosk added");
                    return secret_page(
                        &shell,
                        Section::Kiosks,
                        &text::kiosk_added(shell.lang, name.as_str(), &venue),
                        &token,
                        Text::KioskTokenHowTo,
                        Text::BackToKiosks,
                    );
                }
                Err(err) => {
                    let field = match &err {
                        kepu_store::StoreError::NotFound { .. } => "venue",
                        _ => "name",
                    };
                    match form_error(shell.lang, &err, Text::ThingKiosk) {
                        Some(message) => form.fail(field, message),
                        None => return failed(&shell, err),
                    }
                }
            }
        }
    }
    render(&shell, &state, &form, &FormState::default()).await
}

pub async fn revoke(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let name = form_value(&pairs, "name").to_owned();
    match state
        .store
        .revoke_kiosk(&name, kepu_core::now_unix_ms())
        .await
    {
        Ok(()) => {
            tracing::info!(kiosk = %name, admin = %shell.user.name, "kiosk revoked");
            done(Section::Kiosks, "kiosk-revoked")
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingKiosk) {
            Some(message) => {
                let mut form = FormState::default();
                form.fail("name", message);
                render(&shell, &state, &FormState::default(), &form).await
            }
            None => failed(&shell, err),
        },
    }
}

pub async fn rotate(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let name = form_value(&pairs, "name").to_owned();
    let mut form = FormState::from_pairs(&pairs);
    form.target = Some(name.clone());
    let grace = form_value(&pairs, "grace_hours")
        .parse::<u64>()
        .ok()
        .filter(|h| *h <= MAX_GRACE_HOURS);
    let Some(grace_hours) = grace else {
        form.fail("grace_hours", shell.t(Text::GraceHoursRule));
        return render(&shell, &state, &FormState::default(), &form).await;
    };
    let token = new_token();
    let grace_ms = i64::try_from(grace_hours * 3_600_000).unwrap_or(i64::MAX);
    let rotated = state
        .store
        .rotate_kiosk(
            &name,
            &hash_token(&token),
            kepu_core::now_unix_ms().saturating_add(grace_ms),
        )
        .await;
    match rotated {
        Ok(()) => {
            tracing::info!(kiosk = %name, admin = %shell.user.name, "kiosk token rotated");
            secret_page(
                &shell,
                Section::Kiosks,
                &text::kiosk_rotated(shell.lang, &name, grace_hours),
                &token,
                Text::KioskTokenHowTo,
                Text::BackToKiosks,
            )
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingKiosk) {
            Some(message) => {
                form.fail("grace_hours", message);
                render(&shell, &state, &FormState::default(), &form).await
            }
            None => failed(&shell, err),
        },
    }
}
