//! Venues: the science centres, libraries and community stations where kiosks stand.

use crate::{Store, StoreError, must_exist, name_taken, with_pool};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    pub name: String,
    pub created_at_ms: i64,
    /// Kiosks registered at this venue (revoked ones included).
    pub kiosks: u64,
}

impl Store {
    pub async fn add_venue(&self, name: &str, now_ms: i64) -> Result<(), StoreError> {
        let result = with_pool!(self, |pool| {
            sqlx::query("INSERT INTO venues (name, created_at_ms) VALUES ($1, $2)")
                .bind(name)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        name_taken(result, "venue", name)?;
        Ok(())
    }

    pub async fn list_venues(&self) -> Result<Vec<Venue>, StoreError> {
        const SQL: &str = "SELECT v.name, v.created_at_ms,
                                  CAST(COUNT(k.id) AS BIGINT) AS kiosks
                           FROM venues v LEFT JOIN kiosks k ON k.venue_id = v.id
                           GROUP BY v.id, v.name, v.created_at_ms
                           ORDER BY v.name";
        with_pool!(self, |pool| {
            let rows = sqlx::query(SQL).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok(Venue {
                        name: row.try_get("name")?,
                        created_at_ms: row.try_get("created_at_ms")?,
                        kiosks: crate::count(row.try_get("kiosks")?),
                    })
                })
                .collect()
        })
    }

    pub async fn rename_venue(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let result = with_pool!(self, |pool| {
            sqlx::query("UPDATE venues SET name = $1 WHERE name = $2")
                .bind(new)
                .bind(old)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        must_exist(name_taken(result, "venue", new)?, "venue", old)
    }
}
