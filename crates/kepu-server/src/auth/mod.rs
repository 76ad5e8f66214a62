//! Who may call what: kiosks by bearer token (ingest); staff by the dashboard's session, a
//! read-only API token or name and password (reports, and for admins the management of
//! venues, kiosks, staff and API tokens). Checked in middleware, before a request body is read
//! or decoded.

pub mod api_token;
pub mod kiosk;
pub mod password;
pub mod session;
pub mod staff;

pub use kiosk::{AuthenticatedKiosk, hash_token, new_token, require_kiosk};
pub use staff::{Credential, StaffUser, Surface, identify, require_staff};

use crate::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, Request};
use std::net::{IpAddr, SocketAddr};

/// The client's address, held in memory by the failed-authentication limiters only (never
/// stored or logged). `None` for requests made inside the process (tests' `oneshot`).
pub fn client_address(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// Refuses a client that failed to authenticate too often lately.
fn refuse_if_blocked(state: &AppState, client: Option<IpAddr>) -> Result<(), AppError> {
    if let Some(client) = client
        && let Err(wait) = state
            .guards
            .failed_auth
            .check(client, std::time::Instant::now())
    {
        return Err(AppError::TooManyRequests {
            detail: "too many failed sign-ins from this address; wait before trying again".into(),
            retry_after: wait.0,
        });
    }
    Ok(())
}

fn record_failure(state: &AppState, client: Option<IpAddr>) {
    if let Some(client) = client {
        state
            .guards
            .failed_auth
            .record_failure(client, std::time::Instant::now());
    }
}
