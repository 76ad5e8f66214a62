//! The staff dashboard's credentials: browser sessions and read-only API tokens.
//!
//! Both are kept by hash only (the server hashes; this module never sees a session id or a
//! token). Sessions live here, not in a server's memory, so that several instances on one
//! PostgreSQL share them: a browser may reach any instance behind the load balancer.
//!
//! A session counts while its row exists, it was seen recently enough, it is young enough,
//! and its account's password has not changed since it began (the row keeps the account's
//! `password_changed_at_ms` of that moment). Removing an account removes its sessions (the
//! foreign key cascades). The server decides the time limits; [`SessionCutoffs`] carries
//! them in.

use crate::staff::Role;
use crate::{Store, StoreError, must_exist, name_taken, with_pool};

/// A session to record: `id_hash` is the SHA-256 of the id in the browser's cookie.
#[derive(Debug, Clone)]
pub struct NewWebSession<'a> {
    pub id_hash: &'a str,
    pub staff_name: &'a str,
    pub csrf_token: &'a str,
    /// The account's `password_changed_at_ms` as read when its password was verified: if it
    /// changed in between, the session is not made (the password just checked is the old one).
    pub password_changed_at_ms: i64,
    pub now_ms: i64,
}

/// A session that counts, with whom it belongs to (their role as it is now, not as it was at
/// sign-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub staff_name: String,
    pub role: Role,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
}

/// What a session must have been after to count: seen after `seen_after_ms` (the idle
/// timeout) and made after `created_after_ms` (the absolute lifetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCutoffs {
    pub seen_after_ms: i64,
    pub created_after_ms: i64,
}

/// A read-only API token as the admin page lists it (never the token or its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub label: String,
    pub created_by: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// A token's `last_used_at_ms` is written at most this often: a script polling every second
/// would otherwise write a row per request.
const LAST_USED_EVERY_MS: i64 = 60_000;

impl Store {
    /// Records a new session of `staff_name`. `false` when the account is gone or its password
    /// changed after it was verified (nothing is recorded then).
    pub async fn create_web_session(
        &self,
        session: &NewWebSession<'_>,
    ) -> Result<bool, StoreError> {
        let made = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO web_sessions
                     (id_hash, staff_id, csrf_token, password_changed_at_ms, created_at_ms,
                      last_seen_at_ms)
                 SELECT $1, id, $2, password_changed_at_ms, $3, $3
                 FROM staff WHERE name = $4 AND password_changed_at_ms = $5",
            )
            .bind(session.id_hash)
            .bind(session.csrf_token)
            .bind(session.now_ms)
            .bind(session.staff_name)
            .bind(session.password_changed_at_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(made == 1)
    }

    /// The session with this id hash, if it still counts (see the module documentation).
    pub async fn web_session(
        &self,
        id_hash: &str,
        cutoffs: SessionCutoffs,
    ) -> Result<Option<WebSession>, StoreError> {
        let row: Option<(String, String, String, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT st.name, st.role, s.csrf_token, s.created_at_ms, s.last_seen_at_ms
                 FROM web_sessions s JOIN staff st ON st.id = s.staff_id
                 WHERE s.id_hash = $1
                   AND s.last_seen_at_ms > $2
                   AND s.created_at_ms > $3
                   AND s.password_changed_at_ms = st.password_changed_at_ms",
            )
            .bind(id_hash)
            .bind(cutoffs.seen_after_ms)
            .bind(cutoffs.created_after_ms)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.and_then(
            |(staff_name, role, csrf_token, created_at_ms, last_seen_at_ms)| {
                Some(WebSession {
                    staff_name,
                    role: Role::parse(&role)?,
                    csrf_token,
                    created_at_ms,
                    last_seen_at_ms,
                })
            },
        ))
    }

    /// Marks the session seen at `now_ms`, unless it was seen at or after `unless_seen_since_ms`
    /// (so that a page with many requests writes once, not once a request).
    pub async fn touch_web_session(
        &self,
        id_hash: &str,
        now_ms: i64,
        unless_seen_since_ms: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE web_sessions SET last_seen_at_ms = $1
                 WHERE id_hash = $2 AND last_seen_at_ms < $3",
            )
            .bind(now_ms)
            .bind(id_hash)
            .bind(unless_seen_since_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Ends one session (sign-out). Ending one that is gone already is not an error.
    pub async fn end_web_session(&self, id_hash: &str) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Ends every session of `staff_name` but `keep_id_hash` (the one asking, when someone
    /// changes their own password). Returns how many ended.
    pub async fn end_staff_web_sessions(
        &self,
        staff_name: &str,
        keep_id_hash: Option<&str>,
    ) -> Result<u64, StoreError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM web_sessions
                 WHERE staff_id = (SELECT id FROM staff WHERE name = $1)
                   AND id_hash <> COALESCE($2, '')",
            )
            .bind(staff_name)
            .bind(keep_id_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// Deletes the sessions that no longer count: idle or too old by `cutoffs`, or begun before
    /// their account's last password change. Returns how many.
    pub async fn purge_web_sessions(&self, cutoffs: SessionCutoffs) -> Result<u64, StoreError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM web_sessions
                 WHERE last_seen_at_ms <= $1
                    OR created_at_ms <= $2
                    OR password_changed_at_ms <> (SELECT st.password_changed_at_ms FROM staff st
                                                  WHERE st.id = web_sessions.staff_id)",
            )
            .bind(cutoffs.seen_after_ms)
            .bind(cutoffs.created_after_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// Records a new read-only API token. Its label must not be that of another token in use.
    pub async fn add_api_token(
        &self,
        label: &str,
        token_hash: &str,
        created_by: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let result = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO api_tokens (label, token_hash, created_by, created_at_ms)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(label)
            .bind(token_hash)
            .bind(created_by)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        name_taken(result, "API token", label)?;
        Ok(())
    }

    /// Every token, in use ones first, then by label.
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows: Vec<(String, String, i64, Option<i64>, Option<i64>)> =
            with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT label, created_by, created_at_ms, last_used_at_ms, revoked_at_ms
                     FROM api_tokens
                     ORDER BY CASE WHEN revoked_at_ms IS NULL THEN 0 ELSE 1 END, label,
                              created_at_ms DESC",
                )
                .fetch_all(pool)
                .await
            })?;
        Ok(rows
            .into_iter()
            .map(
                |(label, created_by, created_at_ms, last_used_at_ms, revoked_at_ms)| {
                    ApiTokenRecord {
                        label,
                        created_by,
                        created_at_ms,
                        last_used_at_ms,
                        revoked_at_ms,
                    }
                },
            )
            .collect())
    }

    /// Refuses the token in use under `label` from now on.
    pub async fn revoke_api_token(&self, label: &str, now_ms: i64) -> Result<(), StoreError> {
        let changed = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at_ms = $1
                 WHERE label = $2 AND revoked_at_ms IS NULL",
            )
            .bind(now_ms)
            .bind(label)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        must_exist(changed, "API token", label)
    }

    /// The label of the token in use with this hash, noting that it was used at `now_ms`.
    pub async fn use_api_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT label, last_used_at_ms FROM api_tokens
                 WHERE token_hash = $1 AND revoked_at_ms IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        let Some((label, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|at| now_ms - at >= LAST_USED_EVERY_MS) {
            with_pool!(self, |pool| {
                sqlx::query("UPDATE api_tokens SET last_used_at_ms = $1 WHERE token_hash = $2")
                    .bind(now_ms)
                    .bind(token_hash)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        Ok(Some(label))
    }
}
