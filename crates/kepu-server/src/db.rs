//! Storage: SQLite (embedded, the default), created and migrated at start.

use kepu_core::wire::{EngagementEvent, EventKind, ExhibitStats, StatsSummary};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::time::Duration;

/// Schema changes, applied in order, each once. Never edit a released one; append a new one.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE kiosks (
         id          TEXT PRIMARY KEY,
         token_hash  TEXT NOT NULL UNIQUE,
         created_at_ms INTEGER NOT NULL
     );
     CREATE TABLE events (
         id             TEXT PRIMARY KEY,
         kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
         boot_id        TEXT NOT NULL,
         seq            INTEGER NOT NULL,
         session_id     TEXT,
         event_type     TEXT NOT NULL,
         exhibit_id     TEXT,
         correct        INTEGER,
         occurred_at_ms INTEGER NOT NULL,
         received_at_ms INTEGER NOT NULL,
         body           TEXT NOT NULL
     );
     CREATE INDEX events_by_type ON events (event_type, exhibit_id);
     CREATE INDEX events_by_kiosk ON events (kiosk_id, seq);",
)];

#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

#[derive(Debug, thiserror::Error)]
pub enum AddKioskError {
    #[error("a kiosk named \"{0}\" already exists")]
    Exists(String),
    #[error("kiosk names may only use letters, digits, '-', '_' and '.' (got \"{0}\")")]
    BadName(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Db {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open_sqlite(path: &Path) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let db = Self { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        for &(version, sql) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            let applied: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if applied.is_none() {
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)")
                    .bind(version)
                    .bind(kepu_core::now_unix_ms())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn add_kiosk(&self, name: &str, token_hash: &str) -> Result<(), AddKioskError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(AddKioskError::BadName(name.to_owned()));
        }
        let result =
            sqlx::query("INSERT INTO kiosks (id, token_hash, created_at_ms) VALUES (?, ?, ?)")
                .bind(name)
                .bind(token_hash)
                .bind(kepu_core::now_unix_ms())
                .execute(&self.pool)
                .await;
        match result {
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                Err(AddKioskError::Exists(name.to_owned()))
            }
            other => other.map(|_| ()).map_err(AddKioskError::Db),
        }
    }

    pub async fn list_kiosks(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM kiosks ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }

    pub async fn kiosk_for_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM kiosks WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// Stores a batch in one transaction; an id already stored is ignored. Returns how many
    /// events were new.
    pub async fn insert_events(&self, events: &[EngagementEvent]) -> Result<u64, sqlx::Error> {
        let received_at_ms = kepu_core::now_unix_ms();
        let mut tx = self.pool.begin().await?;
        let mut stored = 0;
        for event in events {
            let correct = match &event.event {
                EventKind::QuizAnswer { correct, .. } => Some(i64::from(*correct)),
                _ => None,
            };
            // Serialising a value that was just deserialised cannot fail.
            let body = serde_json::to_string(event).unwrap_or_default();
            let result = sqlx::query(
                "INSERT INTO events (id, kiosk_id, boot_id, seq, session_id, event_type, exhibit_id,
                                     correct, occurred_at_ms, received_at_ms, body)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(event.id.to_string())
            .bind(&event.kiosk_id)
            .bind(event.boot_id.to_string())
            .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
            .bind(event.session_id.map(|s| s.to_string()))
            .bind(event.event.type_name())
            .bind(event.event.exhibit_id())
            .bind(correct)
            .bind(event.occurred_at_ms)
            .bind(received_at_ms)
            .bind(body)
            .execute(&mut *tx)
            .await?;
            stored += result.rows_affected();
        }
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn summary(&self) -> Result<StatsSummary, sqlx::Error> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let sessions: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE event_type = 'session_start'")
                .fetch_one(&self.pool)
                .await?;
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT exhibit_id,
                    SUM(event_type = 'exhibit_open') AS opens,
                    SUM(event_type = 'quiz_answer') AS answers,
                    SUM(event_type = 'quiz_answer' AND correct = 1) AS correct
             FROM events
             WHERE exhibit_id IS NOT NULL
             GROUP BY exhibit_id
             ORDER BY exhibit_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let exhibits = rows
            .iter()
            .map(|row| -> Result<ExhibitStats, sqlx::Error> {
                Ok(ExhibitStats {
                    exhibit_id: row.try_get("exhibit_id")?,
                    opens: count(row.try_get("opens")?),
                    quiz_answers: count(row.try_get("answers")?),
                    quiz_correct: count(row.try_get("correct")?),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StatsSummary {
            sessions: count(sessions),
            events: count(events),
            exhibits,
        })
    }
}
