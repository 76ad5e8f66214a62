//! The server's settings: command-line flags, else environment variables (`KEPU_…`), else the
//! optional file `/etc/kepu/server.toml` (or `--config PATH`), else defaults that suit a venue
//! without IT: SQLite next to the program's working folder, listening on loopback only.

use anyhow::Context;
use kepu_store::Location;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG_FILE: &str = "/etc/kepu/server.toml";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8480";
pub const DEFAULT_DATABASE: &str = "kepu-server.sqlite3";

/// `server.toml`: every key optional.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    /// A SQLite file's path or a `postgres://` URL.
    pub database: Option<String>,
    /// Connections to PostgreSQL per server process.
    pub database_connections: Option<u32>,
    /// Requests a kiosk may make per second, and in one burst.
    pub kiosk_requests_per_second: Option<f64>,
    pub kiosk_burst: Option<u32>,
    /// Simultaneous client connections.
    pub max_connections: Option<usize>,
    /// Days raw events are kept once rolled up.
    pub retain_raw_days: Option<u32>,
    /// Failed sign-ins (kiosk token or staff password) a client address may make in a minute
    /// before it is refused for a while.
    pub failed_signins_per_minute: Option<u32>,
}

impl FileConfig {
    /// Reads `path` when given (it must exist), else the default file when it exists.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid server.toml", path.display()))
    }
}

/// Where the data is: the flag or variable, else the file, else the default.
pub fn database(flag: Option<&str>, file: &FileConfig) -> Location {
    Location::parse(
        flag.or(file.database.as_deref())
            .unwrap_or(DEFAULT_DATABASE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig =
            toml::from_str("database = \"postgres://kepu@db/kepu\"\nlisten = \"0.0.0.0:80\"")
                .unwrap();
        assert_eq!(
            database(None, &file),
            Location::Postgres("postgres://kepu@db/kepu".into())
        );
        assert_eq!(
            database(Some("x.sqlite3"), &file),
            Location::SqliteFile("x.sqlite3".into())
        );
        assert_eq!(
            database(None, &FileConfig::default()),
            Location::SqliteFile(DEFAULT_DATABASE.into())
        );
        assert!(toml::from_str::<FileConfig>("listen_on = \"x\"").is_err());
    }

    #[test]
    fn a_named_file_must_exist_but_the_default_may_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(FileConfig::load(Some(&dir.path().join("missing.toml"))).is_err());
        let path = dir.path().join("server.toml");
        std::fs::write(&path, "kiosk_burst = 5\n").unwrap();
        assert_eq!(FileConfig::load(Some(&path)).unwrap().kiosk_burst, Some(5));
    }
}
