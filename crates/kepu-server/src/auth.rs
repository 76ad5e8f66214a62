//! Kiosk credentials: a random bearer token per kiosk, shown once; only its SHA-256 is stored.
//! Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
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

/// The kiosk a request's bearer token belongs to.
pub struct AuthenticatedKiosk {
    pub kiosk_id: String,
}

impl FromRequestParts<AppState> for AuthenticatedKiosk {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                AppError::Unauthorized("missing kiosk token (Authorization: Bearer …)".to_owned())
            })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "the Authorization header must be `Bearer <token>`".to_owned(),
                )
            })?;
        let kiosk_id = state
            .db
            .kiosk_for_token_hash(&hash_token(token))
            .await?
            .ok_or_else(|| AppError::Unauthorized("unknown kiosk token".to_owned()))?;
        Ok(Self { kiosk_id })
    }
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
