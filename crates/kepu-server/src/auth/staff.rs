//! Who the staff member is. One function, [`identify`], decides it for every staff route from
//! one of three credentials:
//!
//! - the dashboard's session cookie (`auth::session`): the browser;
//! - a read-only API token, `Authorization: Bearer kepu_ro_…` (`auth::api_token`): scripts;
//! - HTTP Basic with name and password: API clients as before the dashboard existed.
//!
//! The dashboard's pages accept the session only (their forms are protected by the session's
//! CSRF token, which the other two do not carry). The JSON API accepts all three, but only
//! for reading when the credential is a session (a cross-site request cannot then change
//! anything) or a token (read-only by design). [`require_staff`] is the API's guard.
//!
//! Passwords are checked by [`check_password`], for the sign-in form and HTTP Basic alike:
//! unknown names and wrong passwords get the same answer after the same work (a decoy hash is
//! verified for an unknown name), and both go through the per-account and per-address
//! [`crate::limits::SignInThrottle`].

use super::api_token::{API_TOKEN_PREFIX, hash_api_token};
use super::password::{decoy_hash, verify_password};
use super::session::{self, ActiveSession};
use super::{client_address, record_failure, refuse_if_blocked};
use crate::AppState;
use crate::error::AppError;
use crate::limits::RetryAfter;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use kepu_store::StoreError;
use kepu_store::staff::{Role, StaffRecord};
use std::net::IpAddr;

/// The signed-in staff member (a request extension set by [`require_staff`] and by the
/// dashboard's guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    /// The account's name; for an API token, its label.
    pub name: String,
    pub role: Role,
    pub via: Credential,
}

impl StaffUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// How a staff member signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiToken,
    Password,
}

/// Where a request is going: which credentials count there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/api/v1/…` staff routes: Basic, API token, or (for reading) the session.
    Api,
    /// `/dashboard/…` and `/logout`: the session only.
    Dashboard,
}

/// Who sent a request with these headers from `client` (see [`super::client_address`]):
/// `None` for nobody (no credential, or a session that has ended). `Err` for a credential
/// that is wrong (a wrong password, an unknown token: 401, counted as a failed sign-in) or
/// refused for now (429).
pub async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<IpAddr>,
    surface: Surface,
) -> Result<Option<(StaffUser, Option<ActiveSession>)>, AppError> {
    if surface == Surface::Api
        && let Some(header) = headers.get(AUTHORIZATION)
    {
        refuse_if_blocked(state, client)?;
        let header = header.to_str().unwrap_or_default();
        if let Some(token) = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| t.starts_with(API_TOKEN_PREFIX))
        {
            let now = state.sessions.clock.now_ms();
            return match state
                .store
                .use_api_token(&hash_api_token(token), now)
                .await?
            {
                Some(label) => Ok(Some((
                    StaffUser {
                        name: label,
                        role: Role::Viewer,
                        via: Credential::ApiToken,
                    },
                    None,
                ))),
                None => {
                    record_failure(state, client);
                    Err(AppError::StaffUnauthorized(
                        "unknown or revoked API token".to_owned(),
                    ))
                }
            };
        }
        let Some((name, password)) = basic_credentials(header) else {
            return Err(AppError::StaffUnauthorized(
                "staff sign-in needed: HTTP Basic (name and password) or a read-only API \
                 token (Bearer kepu_ro_…)"
                    .to_owned(),
            ));
        };
        return match check_password(state, &name, password, client).await {
            Ok(account) => Ok(Some((
                StaffUser {
                    name: account.name,
                    role: account.role,
                    via: Credential::Password,
                },
                None,
            ))),
            Err(PasswordRefusal::Wrong { .. }) => {
                record_failure(state, client);
                Err(AppError::StaffUnauthorized(
                    "wrong staff name or password".to_owned(),
                ))
            }
            Err(PasswordRefusal::Wait(wait)) => Err(too_many_sign_ins(wait)),
            Err(PasswordRefusal::Store(err)) => Err(err.into()),
        };
    }
    Ok(session::find(state, headers)
        .await?
        .map(|(user, active)| (user, Some(active))))
}

fn too_many_sign_ins(wait: RetryAfter) -> AppError {
    AppError::TooManyRequests {
        detail: format!(
            "too many wrong passwords for this name or from this address; wait {} s before \
             trying again",
            wait.header_secs()
        ),
        retry_after: wait.0,
    }
}

/// Why [`check_password`] refused.
#[derive(Debug)]
pub enum PasswordRefusal {
    /// Unknown name or wrong password (the caller cannot tell which, on purpose). `wait` is
    /// set when this failure makes the next try wait.
    Wrong {
        wait: Option<RetryAfter>,
    },
    /// Too many wrong passwords lately for this name or from this address: not checked.
    Wait(RetryAfter),
    Store(StoreError),
}

/// The account `name` signs in to with `password` from `client`, through the sign-in
/// throttle. Unknown names (and names no account can have) cost a decoy verification, so
/// they take as long as a wrong password.
pub async fn check_password(
    state: &AppState,
    name: &str,
    password: String,
    client: Option<IpAddr>,
) -> Result<StaffRecord, PasswordRefusal> {
    let throttle = &state.guards.sign_in;
    throttle
        .check(name, client, std::time::Instant::now())
        .map_err(PasswordRefusal::Wait)?;
    // A name no account can have (a NUL byte, which PostgreSQL refuses outright, control
    // characters, spaces) is looked up as nobody, never sent to the database.
    let account = if crate::domain::StaffName::parse(name).is_ok() {
        state
            .store
            .staff_by_name(name)
            .await
            .map_err(PasswordRefusal::Store)?
    } else {
        None
    };
    let stored_hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash))
        .await
        .unwrap_or(false);
    match account {
        Some(account) if matches => {
            throttle.record_success(name);
            Ok(account)
        }
        _ => Err(PasswordRefusal::Wrong {
            wait: throttle.record_failure(name, client, std::time::Instant::now()),
        }),
    }
}

/// Middleware of the JSON API's staff routes: someone must be signed in, with a credential
/// that may do what the request's method does.
pub async fn require_staff(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let client = client_address(&request);
    let Some((user, _)) = identify(&state, request.headers(), client, Surface::Api).await? else {
        return Err(AppError::StaffUnauthorized(
            "staff sign-in needed: HTTP Basic (name and password), a read-only API token \
             (Bearer kepu_ro_…), or the dashboard's session"
                .to_owned(),
        ));
    };
    if !request.method().is_safe() {
        match user.via {
            Credential::Password => {}
            Credential::ApiToken => {
                return Err(AppError::Forbidden(
                    "API tokens are read-only: they may only GET".to_owned(),
                ));
            }
            Credential::Session => {
                // A browser's cookie rides along on cross-site requests to the API, which
                // carry no CSRF token: it may read, never write.
                return Err(AppError::Forbidden(
                    "the dashboard's session may only read the API; sign in with HTTP Basic \
                     to change anything"
                        .to_owned(),
                ));
            }
        }
    }
    request.extensions_mut().insert(user);
    Ok(next.run(request).await)
}

fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_owned(), password.to_owned()))
}
