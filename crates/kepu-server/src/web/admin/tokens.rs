//! `/dashboard/admin/tokens`: read-only API tokens, listed, made (shown once) and revoked
//! (`kepu-server api-token …`).

use super::{
    Section, admin_page, ago, done, failed, form_error, notice_of, secret_page, status_of,
};
use crate::AppState;
use crate::auth::api_token::{hash_api_token, new_api_token};
use crate::domain::TokenLabel;
use crate::web::layout::{self, FormState, Input, field};
use crate::web::text;
use crate::web::{Shell, Text, form_pairs, form_value};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kepu_store::web_sessions::ApiTokenRecord;
use maud::{Markup, html};

const NOTICES: &[(&str, Text)] = &[("token-revoked", Text::DoneTokenRevoked)];

pub async fn list(shell: Shell, State(state): State<AppState>) -> Response {
    render(&shell, &state, &FormState::default(), &FormState::default()).await
}

async fn render(shell: &Shell, state: &AppState, add: &FormState, row: &FormState) -> Response {
    let tokens = match state.store.list_api_tokens().await {
        Ok(tokens) => tokens,
        Err(err) => return failed(shell, err),
    };
    let main = html! {
        @if let Some(notice) = notice_of(shell, NOTICES) { (notice) }
        (layout::error_summary(shell.lang, add))
        (layout::error_summary(shell.lang, row))
        p { (shell.t(Text::TokensIntro)) }
        @if tokens.is_empty() {
            p { (shell.t(Text::NoTokens)) }
        } @else {
            (table(shell, &tokens))
        }
        h2 #add { (shell.t(Text::AddToken)) }
        form.card method="post" action=(Section::Tokens.href()) {
            (shell.csrf_field())
            (field(add, "add", "label", shell.t(Text::TokenLabel), Input::Text,
                   Some(shell.t(Text::TokenLabelRule))))
            button type="submit" { (shell.t(Text::AddToken)) }
        }
    };
    admin_page(shell, status_of(&[add, row]), Section::Tokens, main)
}

fn table(shell: &Shell, tokens: &[ApiTokenRecord]) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead {
                    tr {
                        th scope="col" { (shell.t(Text::TokenLabel)) }
                        th scope="col" { (shell.t(Text::CreatedBy)) }
                        th scope="col" { (shell.t(Text::Created)) }
                        th scope="col" { (shell.t(Text::LastUsed)) }
                        th scope="col" { (shell.t(Text::State)) }
                        th scope="col" { (shell.t(Text::Actions)) }
                    }
                }
                tbody {
                    @for token in tokens {
                        tr {
                            th scope="row" { (token.label) }
                            td { (token.created_by) }
                            td { (ago(shell, Some(token.created_at_ms))) }
                            td { (ago(shell, token.last_used_at_ms)) }
                            @if token.revoked_at_ms.is_some() {
                                td.state-revoked { (shell.t(Text::StateRevoked)) }
                                td {}
                            } @else {
                                td { (shell.t(Text::StateActive)) }
                                td {
                                    form.inline-form method="post" action="/dashboard/admin/tokens/revoke" {
                                        (shell.csrf_field())
                                        input type="hidden" name="label" value=(token.label);
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

pub async fn add(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let mut form = FormState::from_pairs(&pairs);
    let Ok(label) = TokenLabel::parse(form_value(&pairs, "label")) else {
        form.fail("label", shell.t(Text::TokenLabelRule));
        return render(&shell, &state, &form, &FormState::default()).await;
    };
    let token = new_api_token();
    let added = state
        .store
        .add_api_token(
            label.as_str(),
            &hash_api_token(&token),
            &shell.user.name,
            kepu_core::now_unix_ms(),
        )
        .await;
    match added {
        Ok(()) => {
            tracing::info!(label = %label, admin = %shell.user.name, "API token made");
            secret_page(
                &shell,
                Section::Tokens,
                &text::token_made(shell.lang, label.as_str()),
                &token,
                Text::ApiTokenHowTo,
                Text::BackToTokens,
            )
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingToken) {
            Some(message) => {
                form.fail("label", message);
                render(&shell, &state, &form, &FormState::default()).await
            }
            None => failed(&shell, err),
        },
    }
}

pub async fn revoke(shell: Shell, State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let label = form_value(&pairs, "label").to_owned();
    match state
        .store
        .revoke_api_token(&label, kepu_core::now_unix_ms())
        .await
    {
        Ok(()) => {
            tracing::info!(label = %label, admin = %shell.user.name, "API token revoked");
            done(Section::Tokens, "token-revoked")
        }
        Err(err) => match form_error(shell.lang, &err, Text::ThingToken) {
            Some(message) => {
                let mut form = FormState::default();
                form.fail("label", message);
                render(&shell, &state, &FormState::default(), &form).await
            }
            None => failed(&shell, err),
        },
    }
}
