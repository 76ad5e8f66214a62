//! For tests only (feature `testing`): fresh databases on either engine, and queries that
//! check delivery (arrival order, roll-up totals) without going through a report.

use crate::{Engine, Location, OpenOptions, Store, StoreError, with_pool};
use std::collections::BTreeMap;

/// (hour, kiosk, exhibit, event type) → (events, correct).
pub type HourTotals = BTreeMap<(i64, String, String, String), (u64, u64)>;

/// The PostgreSQL server tests create their databases on: a URL with the right to create
/// databases, e.g. `postgres://kepu:kepu@127.0.0.1:5432/postgres` (scripts/test.sh starts one
/// and sets it).
pub const POSTGRES_URL_VAR: &str = "KEPU_TEST_POSTGRES_URL";

/// A database of its own for one test, deleted (SQLite file) or left behind to be dropped with
/// the cluster (PostgreSQL: named `kepu_test_<uuid>`) when the test ends.
pub struct TestDb {
    pub store: Store,
    /// What `--database` would be given to reach it (for starting a server process on it).
    pub location: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, migrated database on `engine`. PostgreSQL needs [`POSTGRES_URL_VAR`]: without
    /// it this panics with instructions, so a missing PostgreSQL fails a run instead of
    /// silently testing one engine.
    pub async fn fresh(engine: Engine) -> Result<Self, StoreError> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().map_err(|err| StoreError::Open {
                    location: "a temporary folder".into(),
                    source: sqlx::Error::Io(err),
                })?;
                let path = dir.path().join("server.sqlite3");
                let location = Location::SqliteFile(path.clone());
                let store = crate::open(&location, &OpenOptions::default()).await?;
                Ok(Self {
                    store,
                    location: path.display().to_string(),
                    _dir: Some(dir),
                })
            }
            Engine::Postgres => {
                let url = fresh_postgres_database().await?;
                let store =
                    crate::open(&Location::Postgres(url.clone()), &OpenOptions::default()).await?;
                Ok(Self {
                    store,
                    location: url,
                    _dir: None,
                })
            }
        }
    }
}

/// Creates an empty database named `kepu_test_<uuid>` and returns its URL.
pub async fn fresh_postgres_database() -> Result<String, StoreError> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        panic!(
            "{POSTGRES_URL_VAR} is not set: the server's tests run on PostgreSQL too. Run \
             scripts/test.sh (it starts PostgreSQL and sets it), or set it to a URL that may \
             create databases, e.g. postgres://kepu:kepu@127.0.0.1:5432/postgres"
        );
    };
    let name = format!("kepu_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .map_err(|source| StoreError::Open {
            location: crate::redact_password(&admin_url),
            source,
        })?;
    // A name made here of hex digits: nothing to quote.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(replace_database(&admin_url, &name))
}

/// The same server and credentials, another database.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// One stored event, as [`Store::arrivals`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub id: String,
    pub boot_id: String,
    pub seq: u64,
}

impl Store {
    /// Stores events as the server does for a kiosk with a working clock, received at
    /// `received_at_ms`; returns how many were new.
    pub async fn insert_trusted_events(
        &self,
        events: &[kepu_core::wire::EngagementEvent],
        received_at_ms: i64,
    ) -> Result<u64, StoreError> {
        let bodies: Vec<String> = events
            .iter()
            .map(|event| serde_json::to_string(event).unwrap_or_default())
            .collect();
        let rows: Vec<crate::events::EventToStore<'_>> = events
            .iter()
            .zip(&bodies)
            .map(|(event, body)| crate::events::EventToStore {
                event,
                occurred_at_ms: event.occurred_at_ms,
                occurred_at_trusted: true,
                body,
            })
            .collect();
        self.insert_events(&rows, received_at_ms).await
    }

    /// A kiosk's stored events in the order they arrived: for checking delivery (order, gaps,
    /// duplicates) after an outage.
    pub async fn arrivals(&self, kiosk_id: &str) -> Result<Vec<Arrival>, StoreError> {
        let rows: Vec<(String, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, boot_id, seq FROM events WHERE kiosk_id = $1 ORDER BY arrival",
            )
            .bind(kiosk_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, boot_id, seq)| Arrival {
                id,
                boot_id,
                seq: crate::count(seq),
            })
            .collect())
    }

    /// How many events a kiosk's stored roll-ups count.
    pub async fn rolled_up_events(&self, kiosk_id: &str) -> Result<u64, StoreError> {
        let total: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM rollups WHERE kiosk_id = $1",
            )
            .bind(kiosk_id)
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(total))
    }

    /// Rows in each table a request could have written to: for "nothing stored" checks.
    pub async fn stored_rows(&self) -> Result<u64, StoreError> {
        let total: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST((SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM rollups) AS BIGINT)",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(total))
    }
}

impl Store {
    /// The hourly roll-ups summed over audience and language.
    pub async fn hourly_totals(&self) -> Result<HourTotals, StoreError> {
        self.totals(
            "SELECT hour_start_ms, kiosk_id, exhibit_id, event_type,
                    CAST(SUM(events) AS BIGINT), CAST(SUM(correct) AS BIGINT)
             FROM hourly_events GROUP BY hour_start_ms, kiosk_id, exhibit_id, event_type",
        )
        .await
    }

    /// The same totals counted straight from the raw events and the kiosks' roll-ups.
    pub async fn recount_from_raw(&self) -> Result<HourTotals, StoreError> {
        let mut totals = self
            .totals(
                "SELECT (occurred_at_ms / 3600000) * 3600000, kiosk_id, COALESCE(exhibit_id, ''),
                        event_type, CAST(COUNT(*) AS BIGINT), CAST(SUM(COALESCE(correct, 0)) AS BIGINT)
                 FROM events
                 GROUP BY (occurred_at_ms / 3600000) * 3600000, kiosk_id, COALESCE(exhibit_id, ''), event_type",
            )
            .await?;
        let kiosk = self
            .totals(
                "SELECT hour_start_ms, kiosk_id, COALESCE(exhibit_id, ''), event_type,
                        CAST(SUM(count) AS BIGINT), CAST(SUM(correct) AS BIGINT)
                 FROM rollups GROUP BY hour_start_ms, kiosk_id, COALESCE(exhibit_id, ''), event_type",
            )
            .await?;
        for (key, (events, correct)) in kiosk {
            let entry = totals.entry(key).or_default();
            entry.0 += events;
            entry.1 += correct;
        }
        Ok(totals)
    }

    async fn totals(&self, sql: &str) -> Result<HourTotals, StoreError> {
        let rows: Vec<(i64, String, String, String, i64, i64)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(hour, kiosk, exhibit, kind, events, correct)| {
                (
                    (hour, kiosk, exhibit, kind),
                    (crate::count(events), crate::count(correct)),
                )
            })
            .collect())
    }

    /// (language, audience, event type) → events, from the hourly roll-ups.
    pub async fn totals_by_visitor(
        &self,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        self.keyed_sums(
            "SELECT language, audience, event_type, CAST(SUM(events) AS BIGINT)
             FROM hourly_events GROUP BY language, audience, event_type",
        )
        .await
    }

    /// (event type, element, choice) → count, from the hourly details.
    pub async fn detail_totals(
        &self,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        self.keyed_sums(
            "SELECT event_type, element, choice, CAST(SUM(count) AS BIGINT)
             FROM hourly_details WHERE event_type <> 'simulation_summary'
             GROUP BY event_type, element, choice",
        )
        .await
    }

    async fn keyed_sums(
        &self,
        sql: &str,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        let rows: Vec<(String, String, String, i64)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(a, b, c, n)| ((a, b, c), crate::count(n)))
            .collect())
    }

    /// Visitor sessions the roll-up has recorded.
    pub async fn session_rows(&self) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sessions")
                .fetch_one(pool)
                .await
        })?;
        Ok(crate::count(n))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(
            super::replace_database("postgres://k:p@127.0.0.1:5432/postgres", "t1"),
            "postgres://k:p@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::replace_database("postgres://k@h?sslmode=disable", "t2"),
            "postgres://k@h/t2?sslmode=disable"
        );
    }
}
