//! `/dashboard/admin/staff`: list, add, reset a password, remove (`kepu-server staff …`).
//!
//! The store has no change of role: an account is removed and added again with the new role
//! (the page says so). A reset password or a removed account ends that person's sessions
//! everywhere; an admin who resets their own password stays signed in here, with a new
//! session (the old one ended with the others).

use super::{Section, admin_page, ago, done, failed, form_error, notice_of, status_of};
use crate::AppState;
use crate::auth::password::{PasswordError, hash_password};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::domain::StaffName;
use crate::web::layout::{self, FormState, Input, field, role_name};
use crate::web::{Nav, Shell, Text, form_pairs, form_value};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use kepu_store::staff::{Role, StaffRecord};
use maud::{Markup, html};

const NOTICES: &[(&str, Text)] = &[
    ("staff-added", Text::DoneStaffAdded),
    ("password-reset", Text::DonePasswordReset),
    ("staff-removed", Text::DoneStaffRemoved),
];

pub async fn list(shell: Shell, State(state): State<AppState>) -> Response {
    render(&shell, &state, &FormState::default(), &FormState::default()).await
}

async fn render(shell: &Shell, state: &AppState, add: &FormState, row: &FormState) -> Response {
    let staff = match state.store.list_staff().await {
        Ok(staff) => staff,
        Err(err) => return failed(shell, err),
    };
    let main = html! {
        @if let Some(notice) = notice_of(shell, NOTICES) { (notice) }
        (layout::error_summary(shell.lang, add))
        (layout::error_summary(shell.lang, row))
        (table(shell, &staff, row))
        p.hint { (shell.t(Text::RoleChangeNote)) }
        h2 #add { (shell.t(Text::AddStaff)) }
        (add_form(shell, add))
    };
    admin_page(shell, status_of(&[add, row]), Section::Staff, main)
}

fn table(shell: &Shell, staff: &[StaffRecord], row: &FormState) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead {
                    tr {
                        th scope="col" { (shell.t(Text::StaffName)) }
                        th scope="col" { (shell.t(Text::Role)) }
                        th scope="col" { (shell.t(Text::Created)) }
                        th scope="col" { (shell.t(Text::Actions)) }
                    }
                }
                tbody {
                    @for (i, member) in staff.iter().enumerate() {
                        @let form = row.for_target(&member.name);
                        @let me = member.name == shell.user.name;
                        tr {
                            th scope="row" {
                                (member.name)
                                @if me { " " span.muted { (shell.t(Text::You)) } }
                            }
                            td { (role_name(shell.lang, member.role)) }
                            td { (ago(shell, Some(member.created_at_ms))) }
                            td {
                                form.inline-form method="post" action="/dashboard/admin/staff/password" {
                                    (shell.csrf_field())
                                    input type="hidden" name="name" value=(member.name);
                                    (field(&form, &format!("password-{i}"), "password",
                                           shell.t(Text::NewPassword), Input::Password, None))
                                    button.secondary type="submit" { (shell.t(Text::ResetPassword)) }
                                }
                                @if !me {
                                    form.inline-form method="post" action="/dashboard/admin/staff/remove" {
                                        (shell.csrf_field())
                                        input type="hidden" name="name" value=(member.name);
                                        button.danger type="submit" { (shell.t(Text::Remove)) }
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

fn add_form(shell: &Shell, form: &FormState) -> Markup {
    let role = form.value("role");
    let error = form.error("role");
    html! {
        form.card method="post" action=(Section::Staff.href()) {
            (shell.csrf_field())
            (field(form, "add", "name", shell.t(Text::StaffName), Input::Text,
                   Some(shell.t(Text::StaffNameRule))))
            div.field {
                label for="add-role" { (shell.t(Text::Role)) }
                select #add-role name="role" required aria-invalid=[error.map(|_| "true")]
                  aria-describedby=[error.map(|_| "add-role-error")] {
                    @for r in [Role::Viewer, Role::Admin] {
                        option value=(r.as_str()) selected[r.as_str() == role] { (role_name(shell.lang, r)) }
                    }
                }
                @if let Some(error) = error {
                    p.field-error #add-role-error { (error) }
                }
            }
            (field(form, "add", "password", shell.t(Text::InitialPassword), Input::Password,
                   Some(shell.t(Text::PasswordRule))))
            button type="submit" { (shell.t(Text::AddStaff)) }
        }
    }
}

/// argon2id takes tens of milliseconds of CPU: off the async threads.
async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|err| Err(PasswordError::Hash(err.to_string())))
}

fn password_of(pairs: &[(String, String)]) -> String {
    // Not trimmed: spaces are part of a password.
    pairs
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub async fn add(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let mut form = FormState::from_pairs(&pairs);
    let name = StaffName::parse(form_value(&pairs, "name"));
    let role = Role::parse(form_value(&pairs, "role"));
    if name.is_err() {
        form.fail("name", shell.t(Text::StaffNameRule));
    }
    if role.is_none() {
        form.fail("role", shell.t(Text::RoleRule));
    }
    let (Ok(name), Some(role)) = (name, role) else {
        return render(&shell, &state, &form, &FormState::default()).await;
    };
    let hashed = match hash(password_of(&pairs)).await {
        Ok(hashed) => hashed,
        Err(PasswordError::TooShort) => {
            form.fail("password", shell.t(Text::PasswordRule));
            return render(&shell, &state, &form, &FormState::default()).await;
        }
        Err(PasswordError::Hash(err)) => return hash_failed(&shell, &err),
    };
    match state
        .store
        .add_staff(name.as_str(), role, &hashed, kepu_core::now_unix_ms())
        .await
    {
        Ok(()) => {
            tracing::info!(staff = %name, role = role.as_str(), admin = %shell.user.name, "staff member added");
            done(Section::Staff, "staff-added")
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingStaff) {
            Some(message) => {
                form.fail("name", message);
                render(&shell, &state, &form, &FormState::default()).await
            }
            None => failed(&shell, err),
        },
    }
}

fn hash_failed(shell: &Shell, err: &str) -> Response {
    tracing::error!(error = %err, "cannot hash a password");
    layout::message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        shell.lang,
        &shell.uri,
        Text::ErrorTitle,
        shell.t(Text::InternalError),
        (Nav::Overview.href(), Text::BackToOverview),
    )
}

pub async fn reset_password(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let name = form_value(&pairs, "name").to_owned();
    let mut form = FormState::from_pairs(&pairs);
    form.target = Some(name.clone());
    let hashed = match hash(password_of(&pairs)).await {
        Ok(hashed) => hashed,
        Err(PasswordError::TooShort) => {
            form.fail("password", shell.t(Text::PasswordRule));
            return render(&shell, &state, &FormState::default(), &form).await;
        }
        Err(PasswordError::Hash(err)) => return hash_failed(&shell, &err),
    };
    let store = &state.store;
    if let Err(err) = store
        .set_staff_password(&name, &hashed, kepu_core::now_unix_ms())
        .await
    {
        return match form_error(shell.lang, &err, Text::ThingStaff) {
            Some(message) => {
                form.fail("password", message);
                render(&shell, &state, &FormState::default(), &form).await
            }
            None => failed(&shell, err),
        };
    }
    // The new password already makes every earlier session of the account count no more;
    // deleting them now keeps the table tidy.
    if let Err(err) = store.end_staff_web_sessions(&name, None).await {
        return failed(&shell, err);
    }
    tracing::info!(staff = %name, admin = %shell.user.name, "staff password reset");
    let mut response = done(Section::Staff, "password-reset");
    if name == shell.user.name {
        // Their own: this browser stays signed in, with a session of the new password.
        let account = match store.staff_by_name(&name).await {
            Ok(Some(account)) => account,
            Ok(None) => return response,
            Err(err) => return failed(&shell, err),
        };
        match session::start(&state, &account).await {
            Ok(Some((id, _))) => {
                let cookie = state.sessions.cookie(SESSION_COOKIE, &id, "/", None);
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(None) => {}
            Err(err) => return failed(&shell, err),
        }
    }
    response
}

pub async fn remove(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let name = form_value(&pairs, "name").to_owned();
    let mut form = FormState {
        target: Some(name.clone()),
        ..FormState::default()
    };
    if name == shell.user.name {
        form.fail("name", shell.t(Text::CannotRemoveSelf));
        return render(&shell, &state, &FormState::default(), &form).await;
    }
    // Its sessions go with it (the foreign key cascades).
    match state.store.remove_staff(&name).await {
        Ok(()) => {
            tracing::info!(staff = %name, admin = %shell.user.name, "staff member removed");
            done(Section::Staff, "staff-removed")
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingStaff) {
            Some(message) => {
                form.fail("name", message);
                render(&shell, &state, &FormState::default(), &form).await
            }
            None => failed(&shell, err),
        },
    }
}
