//! Read-only API tokens: `Authorization: Bearer kepu_ro_…`, for scripts that read the JSON
//! reports (a district's own statistics system, a spreadsheet refresh). An admin makes one on
//! the dashboard or with `kepu-server api-token add LABEL`; it is shown once and only its
//! SHA-256 is stored. A token signs in as a viewer and only for reading (`GET`): it can never
//! change anything, and a leaked one is revoked by its label.
//!
//! Tokens carry 256 random bits, so a fast hash is enough (as for kiosk tokens).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every read-only API token starts with: tells it apart from a kiosk's `kpk_` token in
/// the same header, and makes a leaked one easy to spot in a file.
pub const API_TOKEN_PREFIX: &str = "kepu_ro_";

/// A new random token: the prefix and 64 hex digits.
pub fn new_api_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{API_TOKEN_PREFIX}{}", hex::encode(bytes))
}

pub fn hash_api_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_prefix_and_hash_apart() {
        let (a, b) = (new_api_token(), new_api_token());
        assert!(a.starts_with(API_TOKEN_PREFIX) && a.len() == API_TOKEN_PREFIX.len() + 64);
        assert_ne!(a, b);
        assert_eq!(hash_api_token(&a), hash_api_token(&format!(" {a}\n")));
        assert_ne!(hash_api_token(&a), hash_api_token(&b));
    }
}
