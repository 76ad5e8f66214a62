//! Staff sign in with name and password. Until the dashboard's login page (its own issue),
//! API clients send them as HTTP Basic credentials (over TLS or the internal network); every
//! route that shows engagement sits behind [`require_staff`].

use super::password::{decoy_hash, verify_password};
use super::{client_address, record_failure, refuse_if_blocked};
use crate::AppState;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use kepu_store::staff::Role;

/// The signed-in staff member (a request extension set by [`require_staff`]).
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub name: String,
    pub role: Role,
}

/// Middleware: the request must carry a staff member's name and password. Unknown names and
/// wrong passwords get the same answer, after the same work.
pub async fn require_staff(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let client = client_address(&request);
    refuse_if_blocked(&state, client)?;
    let Some((name, password)) = basic_credentials(&request) else {
        return Err(AppError::StaffUnauthorized(
            "staff sign-in needed (HTTP Basic: name and password)".to_owned(),
        ));
    };
    // A name no account can have (a NUL byte, which PostgreSQL refuses outright, control
    // characters, spaces) is a failed sign-in like any other, never a database error.
    if crate::domain::StaffName::parse(&name).is_err() {
        record_failure(&state, client);
        return Err(AppError::StaffUnauthorized(
            "wrong staff name or password".to_owned(),
        ));
    }
    let account = state.store.staff_by_name(&name).await?;
    let stored_hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash))
        .await
        .unwrap_or(false);
    match account {
        Some(account) if matches => {
            request.extensions_mut().insert(StaffUser {
                name: account.name,
                role: account.role,
            });
            Ok(next.run(request).await)
        }
        _ => {
            record_failure(&state, client);
            Err(AppError::StaffUnauthorized(
                "wrong staff name or password".to_owned(),
            ))
        }
    }
}

fn basic_credentials(request: &Request) -> Option<(String, String)> {
    let encoded = request
        .headers()
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_owned(), password.to_owned()))
}
