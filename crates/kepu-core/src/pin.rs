//! The staff PIN, stored in kiosk.toml only as a salted PBKDF2-HMAC-SHA256 hash. A PIN has few
//! digits, so a fast hash could be reversed by trying them all; 200,000 iterations make that
//! slow, and the salt makes every kiosk's hash different.

use rand::RngCore;

const SCHEME: &str = "pbkdf2-sha256";
const ITERATIONS: u32 = 200_000;

/// Hashes a PIN for kiosk.toml: `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
pub fn hash_pin(pin: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let hash = derive(pin, &salt, ITERATIONS);
    format!(
        "{SCHEME}${ITERATIONS}${}${}",
        hex::encode(salt),
        hex::encode(hash)
    )
}

/// True when `pin` matches a hash made by [`hash_pin`]; false for a malformed hash.
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    let Some((iterations, salt, expected)) = parse_hash(stored) else {
        return false;
    };
    let actual = derive(pin, &salt, iterations);
    // Compare without an early exit, so timing does not tell how much matched.
    actual.len() == expected.len()
        && actual
            .iter()
            .zip(&expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Splits a stored hash into iterations, salt and hash.
pub fn parse_hash(stored: &str) -> Option<(u32, Vec<u8>, Vec<u8>)> {
    let mut parts = stored.trim().split('$');
    if parts.next()? != SCHEME {
        return None;
    }
    let iterations: u32 = parts.next()?.parse().ok().filter(|n| *n >= 1_000)?;
    let salt = hex::decode(parts.next()?).ok().filter(|s| s.len() >= 8)?;
    let hash = hex::decode(parts.next()?).ok().filter(|h| h.len() == 32)?;
    parts.next().is_none().then_some((iterations, salt, hash))
}

fn derive(pin: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pin.trim().as_bytes(), salt, iterations, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_pin_verifies_and_others_do_not() {
        let stored = hash_pin("246810");
        assert!(!stored.contains("246810"));
        assert!(verify_pin("246810", &stored));
        assert!(!verify_pin("246811", &stored));
        assert!(!verify_pin("", &stored));
        assert_ne!(
            hash_pin("246810"),
            stored,
            "salted: the same PIN hashes differently"
        );
    }

    #[test]
    fn malformed_hashes_never_verify() {
        for bad in [
            "",
            "1234",
            "pbkdf2-sha256$10$00$00",
            "md5$1$2$3",
            "pbkdf2-sha256$200000$zz$zz",
        ] {
            assert!(parse_hash(bad).is_none(), "{bad}");
            assert!(!verify_pin("1234", bad));
        }
    }
}
