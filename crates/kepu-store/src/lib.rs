//! kepu-store: the district server's storage, and the only crate that imports sqlx.
//!
//! [`open`] takes a file path (SQLite, embedded: the default) or a `postgres://` URL
//! (PostgreSQL 15) and applies the pending migrations of that engine (`migrations/sqlite`,
//! `migrations/postgres`: the same tables and meaning, only the column types differ). Every
//! query is written once: `$1` placeholders (SQLite accepts them), `ON CONFLICT DO NOTHING`,
//! `CAST(.. AS BIGINT)` around sums, integer milliseconds for time, and [`with_pool!`] runs it
//! on whichever pool is open. One module per table group: [`venues`], [`kiosks`], [`staff`],
//! [`events`]; queries only tests need are behind the `testing` feature.
//!
//! - [`rollup`]: hourly roll-ups, per-session facts and the dashboard's atoms (moved with each
//!   session the roll-up changes, rebuilt per kiosk-hour after a publish; record keys from a
//!   secret drawn once).
//! - [`reports`]: the dashboard's queries: adjusted sums of atoms (filters select whole atoms),
//!   kiosk open hours and health, first quiz answers for discrimination.
//! - `sql` (crate-private): statements as text and bound values, for both engines.

pub mod content;
pub mod events;
pub mod export;
pub mod kiosks;
pub mod report_sums;
pub mod reports;
pub mod retention;
pub mod rollup;
mod sql;
pub mod staff;
#[cfg(feature = "testing")]
pub mod testing;
pub mod venues;
pub mod web_sessions;

use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Runs one expression on whichever pool is open. Inside it, `$pool` is a `&SqlitePool` or a
/// `&PgPool` and `$db` names `sqlx::Sqlite` or `sqlx::Postgres`, so the same query text and
/// the same binds serve both engines.
macro_rules! with_pool {
    ($store:expr, |$pool:ident, $db:ident| $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => {
                #[allow(dead_code)]
                type $db = ::sqlx::Sqlite;
                $body
            }
            $crate::Pool::Postgres($pool) => {
                #[allow(dead_code)]
                type $db = ::sqlx::Postgres;
                $body
            }
        }
    };
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Which database engine a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The server's database: cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// The record keys' secret once read, and whether every session has its key.
    keys: std::sync::Arc<rollup::KeyCache>,
}

/// Where the data lives, parsed from `--database`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    SqliteFile(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite:PATH` or any other text is
    /// the path of a SQLite file.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Self::Postgres(text.to_owned())
        } else {
            let path = text
                .strip_prefix("sqlite://")
                .or_else(|| text.strip_prefix("sqlite:"))
                .unwrap_or(text);
            Self::SqliteFile(PathBuf::from(path))
        }
    }

    /// For messages: the file's path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Self::SqliteFile(path) => format!("SQLite file {}", path.display()),
            Self::Postgres(url) => format!("PostgreSQL {}", redact_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; a `password=` query
/// parameter is masked too. The credentials end at the last `@` (a password may hold one).
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority_and_path, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority_and_path = match authority_and_path.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{credentials}@{host}"),
        },
        None => authority_and_path.to_owned(),
    };
    let mut out = format!("{scheme}://{authority_and_path}");
    if let Some(query) = query {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&masked.join("&"));
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} \"{name}\" already exists")]
    Exists { what: &'static str, name: String },
    #[error("there is no {what} \"{name}\"")]
    NotFound { what: &'static str, name: String },
    #[error("cannot open the database ({location}): {source}")]
    Open {
        location: String,
        source: sqlx::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Two writers raced (e.g. two roll-up passes); nothing was written, try again.
    #[error("{0}")]
    Conflict(&'static str),
    /// A report asked for something its table cannot answer (see [`reports::ReportError`]).
    #[error("{0}")]
    Report(#[from] reports::ReportError),
    /// A published exhibit's manifest cannot be read as one (nothing was published).
    #[error("the manifest of exhibit \"{exhibit}\" cannot be read: {reason}")]
    Manifest { exhibit: String, reason: String },
}

/// A statement slower than this is logged (its text, never its values). sqlx's default, 1 s,
/// logged every 500-row insert of a busy minute with its whole multi-kilobyte text.
const SLOW_STATEMENT: Duration = Duration::from_secs(5);

/// Settings a deployment may tune; the defaults suit one server on a small machine.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Connections to PostgreSQL per server process (SQLite keeps a few of its own).
    pub max_connections: u32,
    /// How long a request waits for a free connection before it fails.
    pub acquire_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Opens the database at `location` (a SQLite file is created if missing) and applies its
/// engine's pending migrations. Several servers may open one PostgreSQL database at once:
/// sqlx holds an advisory lock while it migrates.
pub async fn open(location: &Location, options: &OpenOptions) -> Result<Store, StoreError> {
    let opening = |source| StoreError::Open {
        location: location.describe(),
        source,
    };
    let pool = match location {
        Location::SqliteFile(path) => {
            let connect = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory")
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(opening)?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Pool::Sqlite(pool)
        }
        Location::Postgres(url) => {
            let connect = PgConnectOptions::from_str(url)
                .map_err(opening)?
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(opening)?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Pool::Postgres(pool)
        }
    };
    Ok(Store {
        pool,
        keys: Default::default(),
    })
}

impl Store {
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// One round trip to the database: for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// `SUM(expr)` as a BIGINT that saturates at `i64::MAX` instead of failing: the one place
    /// the two dialects differ in a report (PostgreSQL sums BIGINT as NUMERIC; SQLite's SUM
    /// raises an error on overflow, its TOTAL is exact below 2^53 and is clamped here).
    pub(crate) fn saturating_sum(&self, expr: &str) -> String {
        match self.engine() {
            Engine::Postgres => {
                format!("CAST(LEAST(COALESCE(SUM({expr}), 0), 9223372036854775807) AS BIGINT)")
            }
            Engine::Sqlite => {
                format!("CAST(MIN(TOTAL({expr}), 9223372036854775807.0) AS INTEGER)")
            }
        }
    }

    /// Closes every connection (a SQLite file is then complete without its WAL).
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await);
    }
}

/// A count read from the database (never negative by construction) as `u64`.
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A count or time for the database: saturates instead of wrapping (every bound the server
/// enforces is far below `i64::MAX`).
pub(crate) fn db_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The result of a write that names something: a unique-key violation means the name is
/// taken. Returns the rows written.
pub(crate) fn name_taken(
    result: Result<u64, sqlx::Error>,
    what: &'static str,
    name: &str,
) -> Result<u64, StoreError> {
    match result {
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Err(StoreError::Exists {
            what,
            name: name.to_owned(),
        }),
        other => Ok(other?),
    }
}

/// The rows an update or delete of a named thing changed: none means there is no such thing.
pub(crate) fn must_exist(rows: u64, what: &'static str, name: &str) -> Result<(), StoreError> {
    if rows == 0 {
        return Err(StoreError::NotFound {
            what,
            name: name.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_told_apart_and_passwords_never_shown() {
        assert_eq!(
            Location::parse("data/server.sqlite3"),
            Location::SqliteFile("data/server.sqlite3".into())
        );
        assert_eq!(
            Location::parse("sqlite:x.db"),
            Location::SqliteFile("x.db".into())
        );
        let pg = Location::parse("postgres://kepu:hunter2@db.local/kepu");
        assert_eq!(
            pg,
            Location::Postgres("postgres://kepu:hunter2@db.local/kepu".into())
        );
        assert!(!pg.describe().contains("hunter2"));
        assert_eq!(
            redact_password("postgresql://kepu@db/kepu"),
            "postgresql://kepu@db/kepu"
        );
        assert_eq!(
            redact_password("postgres://kepu:p@ss@db/kepu"),
            "postgres://kepu:***@db/kepu"
        );
        assert_eq!(
            redact_password("postgres://db/kepu?user=kepu&password=hunter2"),
            "postgres://db/kepu?user=kepu&password=***"
        );
    }
}
