//! Published content: the exhibits the district's kiosks show, as the server knows them, and
//! the exhibit ids kiosks sent that it does not know.

use crate::{Store, StoreError, count, with_pool};
use sqlx::QueryBuilder;

/// One exhibit as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedExhibit {
    pub id: String,
    pub kind: String,
    /// `LocalizedText` as JSON (`{"zh": ..., "en": ...}`).
    pub title_json: String,
    pub manifest_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitRecord {
    pub id: String,
    pub kind: String,
    pub title_json: String,
    pub published_at_ms: i64,
    pub retired_at_ms: Option<i64>,
}

/// An exhibit id a kiosk sends that is not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownExhibit {
    pub kiosk: String,
    pub exhibit_id: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub events: u64,
}

/// What publishing changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    pub exhibits: u64,
    /// Published before, not in this set: marked retired.
    pub retired: u64,
}

impl Store {
    /// Makes `exhibits` the published set: each is added or updated (and un-retired), every
    /// other published exhibit is marked retired. One transaction.
    pub async fn publish_exhibits(
        &self,
        exhibits: &[PublishedExhibit],
        now_ms: i64,
    ) -> Result<Published, StoreError> {
        let result = with_pool!(self, |pool, Db| {
            let mut tx = pool.begin().await?;
            for exhibit in exhibits {
                sqlx::query(
                    "INSERT INTO exhibits (id, kind, title_json, manifest_json, published_at_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,
                         title_json = excluded.title_json, manifest_json = excluded.manifest_json,
                         published_at_ms = excluded.published_at_ms, retired_at_ms = NULL",
                )
                .bind(&exhibit.id)
                .bind(&exhibit.kind)
                .bind(&exhibit.title_json)
                .bind(&exhibit.manifest_json)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
            let mut retire = QueryBuilder::<Db>::new("UPDATE exhibits SET retired_at_ms = ");
            retire.push_bind(now_ms);
            retire.push(" WHERE retired_at_ms IS NULL");
            if !exhibits.is_empty() {
                retire.push(" AND id NOT IN (");
                let mut list = retire.separated(", ");
                for exhibit in exhibits {
                    list.push_bind(exhibit.id.clone());
                }
                retire.push(")");
            }
            let retired = retire.build().execute(&mut *tx).await?.rows_affected();
            // Ids now published are no longer unknown.
            for exhibit in exhibits {
                sqlx::query("DELETE FROM unknown_exhibits WHERE exhibit_id = $1")
                    .bind(&exhibit.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<Published, StoreError>(Published {
                exhibits: exhibits.len() as u64,
                retired,
            })
        })?;
        Ok(result)
    }

    pub async fn list_exhibits(&self) -> Result<Vec<ExhibitRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, title_json, published_at_ms, retired_at_ms
                 FROM exhibits ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, title_json, published_at_ms, retired_at_ms)| ExhibitRecord {
                    id,
                    kind,
                    title_json,
                    published_at_ms,
                    retired_at_ms,
                },
            )
            .collect())
    }

    /// Every kiosk's unknown exhibit ids, most recently seen first.
    pub async fn unknown_exhibits(&self) -> Result<Vec<UnknownExhibit>, StoreError> {
        let rows: Vec<(String, String, i64, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT kiosk_id, exhibit_id, first_seen_ms, last_seen_ms, events
                 FROM unknown_exhibits ORDER BY last_seen_ms DESC, kiosk_id, exhibit_id",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(kiosk, exhibit_id, first_seen_ms, last_seen_ms, events)| UnknownExhibit {
                    kiosk,
                    exhibit_id,
                    first_seen_ms,
                    last_seen_ms,
                    events: count(events),
                },
            )
            .collect())
    }
}
