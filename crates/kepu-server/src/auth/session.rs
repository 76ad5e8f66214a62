//! Browser sessions of the staff dashboard.
//!
//! A session is a random 32-byte id in the cookie [`SESSION_COOKIE`] (`HttpOnly`, so page
//! scripts cannot read it; `SameSite=Strict`, so no other site's page can make the browser
//! send it; `Secure` when served over TLS). The database keeps only its SHA-256 (a leaked
//! backup signs nobody in), whose account, a CSRF token, and when it began and was last seen
//! (`kepu_store::web_sessions`), so several instances on one PostgreSQL share sessions.
//!
//! A session ends when its user signs out, after [`SessionPolicy::idle`] without a request
//! (30 minutes by default: a dashboard left open on a shared computer), after
//! [`SessionPolicy::lifetime`] in any case (12 hours: a working day), when its account's
//! password changes, and when the account is removed. The background task deletes ended rows
//! ([`purge`]).
//!
//! Forms are protected from cross-site requests by a synchronizer token: each session has a
//! random CSRF token, every form carries it in a hidden field, and `web::csrf` refuses a POST
//! without the session's token. The sign-in form, which has no session yet, uses a
//! double-submit cookie ([`LOGIN_CSRF_COOKIE`]) instead.

use super::StaffUser;
use super::staff::Credential;
use crate::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use kepu_store::staff::StaffRecord;
use kepu_store::web_sessions::{NewWebSession, SessionCutoffs};
use kepu_store::{Store, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kepu_session";
/// The sign-in form's double-submit CSRF cookie (sent to `/login` only).
pub const LOGIN_CSRF_COOKIE: &str = "kepu_login_csrf";

/// Default [`SessionPolicy::idle`].
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// Default [`SessionPolicy::lifetime`].
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// A session's `last_seen_at_ms` is written at most this often, so a page that makes several
/// requests writes once; the idle timeout is therefore exact to within a minute.
const TOUCH_EVERY_MS: i64 = 60_000;

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Without a request for this long, a session ends.
    pub idle: Duration,
    /// However active, a session ends this long after sign-in.
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: DEFAULT_SESSION_IDLE,
            lifetime: DEFAULT_SESSION_LIFETIME,
        }
    }
}

/// The time sessions are judged by: the system clock, plus an offset that only tests move
/// (so that a test of the 30-minute idle timeout does not wait 30 minutes). The server never
/// moves it.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        kepu_core::now_unix_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock forward (tests only).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// The sessions' settings, shared by every request handler.
#[derive(Debug, Default)]
pub struct SessionConfig {
    pub policy: SessionPolicy,
    /// Cookies get `Secure` (the browser sends them over HTTPS only): on when the server
    /// serves TLS itself, or when told so (TLS ended by a proxy in front).
    pub secure_cookies: bool,
    pub clock: Clock,
}

impl SessionConfig {
    /// What a session must have been after to count now.
    pub fn cutoffs(&self, now_ms: i64) -> SessionCutoffs {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        SessionCutoffs {
            seen_after_ms: now_ms.saturating_sub(ms(self.policy.idle)),
            created_after_ms: now_ms.saturating_sub(ms(self.policy.lifetime)),
        }
    }

    /// A `Set-Cookie` value: `HttpOnly; SameSite=Strict`, `Secure` when configured; `max_age`
    /// `Some(0)` deletes the cookie, `None` makes it last until the browser closes.
    pub fn cookie(&self, name: &str, value: &str, path: &str, max_age: Option<u64>) -> HeaderValue {
        let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
        if let Some(seconds) = max_age {
            cookie.push_str(&format!("; Max-Age={seconds}"));
        }
        if self.secure_cookies {
            cookie.push_str("; Secure");
        }
        // Names and values here are ASCII (base64url, fixed names).
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// 32 random bytes, base64url without padding (43 characters): session ids and CSRF tokens.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a session id.
pub fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// Whether two secrets are equal, in time that does not depend on where they differ
/// (their SHA-256 digests are compared: what the timing could reveal is about those).
pub fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// The value of cookie `name` in a request, if sent.
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// The session a request belongs to (a request extension set with its [`StaffUser`]).
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub id_hash: String,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// A new session for `account`, whose password was just verified: the cookie value to set,
/// or `None` if the account changed in between (removed, or its password changed).
pub async fn start(
    state: &AppState,
    account: &StaffRecord,
) -> Result<Option<(String, ActiveSession)>, StoreError> {
    let id = new_secret();
    let active = ActiveSession {
        id_hash: hash_id(&id),
        csrf: new_secret(),
    };
    let made = state
        .store
        .create_web_session(&NewWebSession {
            id_hash: &active.id_hash,
            staff_name: &account.name,
            csrf_token: &active.csrf,
            password_changed_at_ms: account.password_changed_at_ms,
            now_ms: state.sessions.clock.now_ms(),
        })
        .await?;
    Ok(made.then_some((id, active)))
}

/// The signed-in user of a request's session cookie, if it names a session that counts; the
/// session is marked seen.
pub async fn find(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(StaffUser, ActiveSession)>, StoreError> {
    let Some(id) = read_cookie(headers, SESSION_COOKIE).filter(|id| id.len() == 43) else {
        return Ok(None);
    };
    let id_hash = hash_id(id);
    let now = state.sessions.clock.now_ms();
    let Some(session) = state
        .store
        .web_session(&id_hash, state.sessions.cutoffs(now))
        .await?
    else {
        return Ok(None);
    };
    if now.saturating_sub(session.last_seen_at_ms) >= TOUCH_EVERY_MS {
        state
            .store
            .touch_web_session(&id_hash, now, now.saturating_sub(TOUCH_EVERY_MS))
            .await?;
    }
    let user = StaffUser {
        name: session.staff_name,
        role: session.role,
        via: Credential::Session,
    };
    Ok(Some((
        user,
        ActiveSession {
            id_hash,
            csrf: session.csrf_token,
        },
    )))
}

/// Deletes the sessions that no longer count (the background task calls this hourly).
pub async fn purge(store: &Store, config: &SessionConfig) -> Result<u64, StoreError> {
    store
        .purge_web_sessions(config.cutoffs(config.clock.now_ms()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_compared_whole() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
        assert!(!same_secret("", ""), "an empty token never matches");
        assert_ne!(hash_id(&a), a);
    }

    #[test]
    fn cookies_are_read_and_written_with_their_flags() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kepu_session=xyz ; kepu_lang=en"),
        );
        assert_eq!(read_cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(read_cookie(&headers, "kepu_lang"), Some("en"));
        assert_eq!(read_cookie(&headers, "kepu"), None);
        let mut config = SessionConfig::default();
        let plain = config.cookie(SESSION_COOKIE, "v", "/", None);
        assert_eq!(plain, "kepu_session=v; Path=/; HttpOnly; SameSite=Strict");
        config.secure_cookies = true;
        let secure = config.cookie(SESSION_COOKIE, "", "/", Some(0));
        assert_eq!(
            secure,
            "kepu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
    }

    #[test]
    fn the_clock_moves_only_forward_when_told() {
        let clock = Clock::default();
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now_ms() >= before + 3_600_000);
        let config = SessionConfig::default();
        let cut = config.cutoffs(10_000_000_000);
        assert_eq!(cut.seen_after_ms, 10_000_000_000 - 30 * 60_000);
        assert_eq!(cut.created_after_ms, 10_000_000_000 - 12 * 3_600_000);
    }
}
