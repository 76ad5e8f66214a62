//! Storage: SQLite (embedded, the default), created and migrated at start.

use kepu_core::wire::{EngagementEvent, EventKind, EventRollup, ExhibitStats, StatsSummary};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::path::Path;
use std::time::Duration;

/// Schema changes, applied in order, each once. Never edit a released one; append a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (
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
    ),
    (
        2,
        // Hourly counts standing in for events a kiosk rolled up when its outbox was full.
        "CREATE TABLE rollups (
             rollup_id      TEXT PRIMARY KEY,
             kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
             hour_start_ms  INTEGER NOT NULL,
             event_type     TEXT NOT NULL,
             exhibit_id     TEXT,
             count          INTEGER NOT NULL,
             correct        INTEGER NOT NULL,
             received_at_ms INTEGER NOT NULL
         );
         CREATE INDEX rollups_by_type ON rollups (event_type, exhibit_id);",
    ),
];

/// Rows per INSERT statement: a full batch (11 values each, far below SQLite's limit of 32,766
/// bound values per statement).
const INSERT_CHUNK: usize = kepu_core::wire::MAX_BATCH;

/// One stored event, as [`Db::arrivals`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub id: String,
    pub boot_id: String,
    pub seq: u64,
}

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
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
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
        // One statement per chunk rather than one per event: the per-statement cost dominates,
        // and this is what lets a kiosk's backlog drain at tens of thousands of events a second.
        for chunk in events.chunks(INSERT_CHUNK) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO events (id, kiosk_id, boot_id, seq, session_id, event_type, exhibit_id,
                                     correct, occurred_at_ms, received_at_ms, body) ",
            );
            insert.push_values(chunk, |mut row, event| {
                let correct = match &event.event {
                    EventKind::QuizAnswer { correct, .. }
                    | EventKind::SortPlacement { correct, .. } => Some(i64::from(*correct)),
                    _ => None,
                };
                // Serialising a value that was just deserialised cannot fail.
                let body = serde_json::to_string(event).unwrap_or_default();
                row.push_bind(event.id.to_string())
                    .push_bind(event.kiosk_id.clone())
                    .push_bind(event.boot_id.to_string())
                    .push_bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
                    .push_bind(event.session_id.map(|s| s.to_string()))
                    .push_bind(event.event.type_name())
                    .push_bind(event.event.exhibit_id().map(str::to_owned))
                    .push_bind(correct)
                    .push_bind(event.occurred_at_ms)
                    .push_bind(received_at_ms)
                    .push_bind(body);
            });
            insert.push(" ON CONFLICT (id) DO NOTHING");
            stored += insert.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Stores roll-up rows in one transaction; a roll-up id already stored is ignored. Returns
    /// how many rows were new.
    pub async fn insert_rollups(&self, rollups: &[EventRollup]) -> Result<u64, sqlx::Error> {
        let received_at_ms = kepu_core::now_unix_ms();
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        let mut stored = 0;
        for chunk in rollups.chunks(INSERT_CHUNK) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO rollups (rollup_id, kiosk_id, hour_start_ms, event_type, exhibit_id,
                                      count, correct, received_at_ms) ",
            );
            insert.push_values(chunk, |mut row, rollup| {
                row.push_bind(rollup.rollup_id.to_string())
                    .push_bind(rollup.kiosk_id.clone())
                    .push_bind(rollup.hour_start_ms)
                    .push_bind(rollup.event_type.clone())
                    .push_bind(rollup.exhibit_id.clone())
                    .push_bind(count(rollup.count))
                    .push_bind(count(rollup.correct))
                    .push_bind(received_at_ms);
            });
            insert.push(" ON CONFLICT (rollup_id) DO NOTHING");
            stored += insert.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// A kiosk's stored events in the order they arrived: for checking delivery (order, gaps,
    /// duplicates) after an outage.
    pub async fn arrivals(&self, kiosk_id: &str) -> Result<Vec<Arrival>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT id, boot_id, seq FROM events WHERE kiosk_id = ? ORDER BY rowid")
                .bind(kiosk_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Arrival {
                    id: row.try_get("id")?,
                    boot_id: row.try_get("boot_id")?,
                    seq: u64::try_from(row.try_get::<i64, _>("seq")?).unwrap_or(0),
                })
            })
            .collect()
    }

    /// How many events a kiosk's stored roll-ups count.
    pub async fn rolled_up_events(&self, kiosk_id: &str) -> Result<u64, sqlx::Error> {
        let total: i64 =
            sqlx::query_scalar("SELECT COALESCE(SUM(count), 0) FROM rollups WHERE kiosk_id = ?")
                .bind(kiosk_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Totals over raw events and roll-ups together, so that a kiosk whose outbox had to roll
    /// up its oldest events still counts every one of them.
    pub async fn summary(&self) -> Result<StatsSummary, sqlx::Error> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let (sessions, events): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM events WHERE event_type = 'session_start')
                  + (SELECT COALESCE(SUM(count), 0) FROM rollups WHERE event_type = 'session_start'),
                    (SELECT COUNT(*) FROM events)
                  + (SELECT COALESCE(SUM(count), 0) FROM rollups)",
        )
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT exhibit_id, SUM(opens) AS opens, SUM(answers) AS answers,
                    SUM(correct) AS correct
             FROM (
                 SELECT exhibit_id,
                        event_type = 'exhibit_open' AS opens,
                        event_type = 'quiz_answer' AS answers,
                        (event_type = 'quiz_answer' AND correct = 1) AS correct
                 FROM events
                 WHERE exhibit_id IS NOT NULL
                 UNION ALL
                 SELECT exhibit_id,
                        CASE WHEN event_type = 'exhibit_open' THEN count ELSE 0 END,
                        CASE WHEN event_type = 'quiz_answer' THEN count ELSE 0 END,
                        CASE WHEN event_type = 'quiz_answer' THEN correct ELSE 0 END
                 FROM rollups
                 WHERE exhibit_id IS NOT NULL
             )
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
