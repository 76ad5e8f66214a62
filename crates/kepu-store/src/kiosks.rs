//! Kiosks and their credentials. Only a token's SHA-256 is stored (tokens carry 256 random
//! bits: nothing to brute-force, so a fast hash is enough). A rotated kiosk keeps its previous
//! token until a grace moment, so a kiosk can be given its new token without a gap; a revoked
//! kiosk is refused at once.

use crate::{Store, StoreError, must_exist, name_taken, with_pool};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskRecord {
    pub name: String,
    pub venue: Option<String>,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    /// The last accepted request from this kiosk (server clock).
    pub last_seen_at_ms: Option<i64>,
    /// The app version of its last batch.
    pub app_version: Option<String>,
    /// The last time one of its events carried a time the server does not trust (a kiosk
    /// clock before 2024 or in the future): such events are kept at their receive time.
    pub clock_untrusted_at_ms: Option<i64>,
    /// Until when a previous token still works (after `kiosk rotate`).
    pub previous_token_valid_until_ms: Option<i64>,
}

/// What a presented token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// Belongs to this kiosk, which may send.
    Valid {
        kiosk: String,
    },
    /// Belonged to this kiosk, which was revoked.
    Revoked {
        kiosk: String,
    },
    /// A previous token whose grace time has passed.
    Expired {
        kiosk: String,
    },
    Unknown,
}

/// What one accepted batch tells about its kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskSeen<'a> {
    pub kiosk: &'a str,
    pub at_ms: i64,
    pub app_version: Option<&'a str>,
    pub clock_untrusted: bool,
}

impl Store {
    /// Registers a kiosk at an existing venue.
    pub async fn add_kiosk(
        &self,
        venue: &str,
        name: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let venue_id = self.venue_id(venue).await?;
        let result = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO kiosks (id, venue_id, token_hash, created_at_ms) VALUES ($1, $2, $3, $4)",
            )
            .bind(name)
            .bind(venue_id)
            .bind(token_hash)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        name_taken(result, "kiosk", name)?;
        Ok(())
    }

    async fn venue_id(&self, venue: &str) -> Result<i64, StoreError> {
        let id: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM venues WHERE name = $1")
                .bind(venue)
                .fetch_optional(pool)
                .await
        })?;
        id.ok_or_else(|| StoreError::NotFound {
            what: "venue",
            name: venue.to_owned(),
        })
    }

    pub async fn list_kiosks(&self) -> Result<Vec<KioskRecord>, StoreError> {
        const SQL: &str = "SELECT k.id, v.name AS venue, k.created_at_ms, k.revoked_at_ms,
                                  k.last_seen_at_ms, k.app_version, k.clock_untrusted_at_ms,
                                  k.previous_token_valid_until_ms
                           FROM kiosks k LEFT JOIN venues v ON v.id = k.venue_id
                           ORDER BY v.name, k.id";
        with_pool!(self, |pool| {
            let rows = sqlx::query(SQL).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok(KioskRecord {
                        name: row.try_get("id")?,
                        venue: row.try_get("venue")?,
                        created_at_ms: row.try_get("created_at_ms")?,
                        revoked_at_ms: row.try_get("revoked_at_ms")?,
                        last_seen_at_ms: row.try_get("last_seen_at_ms")?,
                        app_version: row.try_get("app_version")?,
                        clock_untrusted_at_ms: row.try_get("clock_untrusted_at_ms")?,
                        previous_token_valid_until_ms: row
                            .try_get("previous_token_valid_until_ms")?,
                    })
                })
                .collect()
        })
    }

    /// Refuses the kiosk's tokens from now on (its stored events stay).
    pub async fn revoke_kiosk(&self, name: &str, now_ms: i64) -> Result<(), StoreError> {
        let changed = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE kiosks SET revoked_at_ms = COALESCE(revoked_at_ms, $1) WHERE id = $2",
            )
            .bind(now_ms)
            .bind(name)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        must_exist(changed, "kiosk", name)
    }

    /// Gives the kiosk a new token; its current one keeps working until `grace_until_ms`.
    /// A revoked kiosk is reinstated with the new token only (its old token stays refused).
    pub async fn rotate_kiosk(
        &self,
        name: &str,
        new_token_hash: &str,
        grace_until_ms: i64,
    ) -> Result<(), StoreError> {
        let changed = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE kiosks
                 SET previous_token_hash = CASE WHEN revoked_at_ms IS NULL THEN token_hash END,
                     previous_token_valid_until_ms = CASE WHEN revoked_at_ms IS NULL THEN $1 END,
                     token_hash = $2,
                     revoked_at_ms = NULL
                 WHERE id = $3",
            )
            .bind(grace_until_ms)
            .bind(new_token_hash)
            .bind(name)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        must_exist(changed, "kiosk", name)
    }

    /// Whom a token (by its hash) belongs to, at `now_ms`.
    pub async fn check_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<TokenCheck, StoreError> {
        const SQL: &str = "SELECT id, token_hash, revoked_at_ms, previous_token_valid_until_ms
                           FROM kiosks WHERE token_hash = $1 OR previous_token_hash = $1";
        let row: Option<(String, String, Option<i64>, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(SQL)
                .bind(token_hash)
                .fetch_optional(pool)
                .await
        })?;
        Ok(match row {
            None => TokenCheck::Unknown,
            Some((kiosk, _, Some(_), _)) => TokenCheck::Revoked { kiosk },
            Some((kiosk, current, None, _)) if current == token_hash => TokenCheck::Valid { kiosk },
            Some((kiosk, _, None, Some(until))) if now_ms < until => TokenCheck::Valid { kiosk },
            Some((kiosk, _, None, _)) => TokenCheck::Expired { kiosk },
        })
    }

    /// Records an accepted batch: last seen, version, and whether its clock was off.
    pub async fn kiosk_seen(&self, seen: &KioskSeen<'_>) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE kiosks
                 SET last_seen_at_ms = $1,
                     app_version = COALESCE($2, app_version),
                     clock_untrusted_at_ms = CASE WHEN $3 = 1 THEN $1 ELSE clock_untrusted_at_ms END
                 WHERE id = $4",
            )
            .bind(seen.at_ms)
            .bind(seen.app_version)
            .bind(i64::from(seen.clock_untrusted))
            .bind(seen.kiosk)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }
}

impl Store {
    /// How many kiosks had a request accepted at or after `since_ms`.
    pub async fn kiosks_seen_since(&self, since_ms: i64) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM kiosks WHERE last_seen_at_ms >= $1",
            )
            .bind(since_ms)
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(n))
    }
}
