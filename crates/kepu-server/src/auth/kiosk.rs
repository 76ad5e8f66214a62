//! Kiosk credentials: a random bearer token per kiosk, shown once; only its SHA-256 is stored.
//! Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.

use super::{client_address, record_failure, refuse_if_blocked};
use crate::AppState;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use kepu_store::kiosks::TokenCheck;
use rand::RngCore;
use sha2::{Digest, Sha256};

const TOKEN_PREFIX: &str = "kpk_";

/// A new random token, e.g. `kpk_3f9a…` (64 hex digits after the prefix).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The kiosk a request's bearer token belongs to (a request extension set by
/// [`require_kiosk`]).
#[derive(Debug, Clone)]
pub struct AuthenticatedKiosk {
    pub kiosk_id: String,
}

/// Middleware: the request must carry a valid kiosk token, and that kiosk must be within its
/// rate limit. Runs before the body is read or decoded, so an unauthenticated client cannot
/// make the server inflate anything.
pub async fn require_kiosk(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let client = client_address(&request);
    refuse_if_blocked(&state, client)?;
    let token = match bearer_token(&request) {
        Ok(token) => token,
        Err(err) => {
            record_failure(&state, client);
            return Err(err);
        }
    };
    let now_ms = kepu_core::now_unix_ms();
    let kiosk_id = match state.store.check_token(&hash_token(&token), now_ms).await? {
        TokenCheck::Valid { kiosk } => kiosk,
        TokenCheck::Revoked { kiosk } => {
            tracing::warn!(kiosk = %kiosk, "revoked kiosk refused");
            return Err(AppError::Forbidden(format!(
                "kiosk \"{kiosk}\" was revoked; ask the district's IT for a new token"
            )));
        }
        TokenCheck::Expired { kiosk } => {
            record_failure(&state, client);
            return Err(AppError::Unauthorized(format!(
                "this token of kiosk \"{kiosk}\" was replaced and its grace time is over; install the new token"
            )));
        }
        TokenCheck::Unknown => {
            record_failure(&state, client);
            return Err(AppError::Unauthorized("unknown kiosk token".to_owned()));
        }
    };
    if let Err(wait) = state
        .guards
        .kiosk_requests
        .check(&kiosk_id, std::time::Instant::now())
    {
        return Err(AppError::TooManyRequests {
            detail: format!("kiosk \"{kiosk_id}\" is sending faster than its limit"),
            retry_after: wait.0,
        });
    }
    tracing::Span::current().record("kiosk", kiosk_id.as_str());
    request
        .extensions_mut()
        .insert(AuthenticatedKiosk { kiosk_id });
    Ok(next.run(request).await)
}

fn bearer_token(request: &Request) -> Result<String, AppError> {
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        AppError::Unauthorized("missing kiosk token (Authorization: Bearer …)".to_owned())
    })?;
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be `Bearer <token>`".to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashes_stable() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash_token(&a), hash_token(&format!("{a}\n")));
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
