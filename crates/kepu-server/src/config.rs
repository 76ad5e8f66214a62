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
    /// Minutes without a request after which a dashboard sign-in ends (default 30).
    pub session_idle_minutes: Option<u32>,
    /// HTTPS: the certificate chain and its private key, PEM files (both or neither).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Mark the dashboard's cookies `Secure` although this server does not serve TLS itself:
    /// for a reverse proxy in front that does (on by itself with `tls_cert`).
    pub secure_cookies: Option<bool>,
    /// k: the fewest visitor sessions a published count may rest on (default 5; at least 5).
    pub min_sessions: Option<u64>,
    /// The district's offset from UTC, `+08:00` (default) or `-05:30`: report days and hours
    /// of the week are counted in it.
    pub utc_offset: Option<String>,
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

/// The certificate and key to serve HTTPS with: the flags (or variables), else the file's;
/// both or neither.
pub fn tls_files(
    cert_flag: Option<PathBuf>,
    key_flag: Option<PathBuf>,
    file: &FileConfig,
) -> anyhow::Result<Option<(PathBuf, PathBuf)>> {
    let cert = cert_flag.or_else(|| file.tls_cert.clone());
    let key = key_flag.or_else(|| file.tls_key.clone());
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some((cert, key))),
        (None, None) => Ok(None),
        (Some(_), None) => anyhow::bail!(
            "a TLS certificate is set but no key: give --tls-key (or tls_key in server.toml) too"
        ),
        (None, Some(_)) => anyhow::bail!(
            "a TLS key is set but no certificate: give --tls-cert (or tls_cert in server.toml) too"
        ),
    }
}

/// The idle timeout of dashboard sign-ins: the flag, else the file, else 30 minutes; at
/// least one minute.
pub fn session_idle(flag: Option<u32>, file: &FileConfig) -> anyhow::Result<std::time::Duration> {
    let minutes = flag
        .or(file.session_idle_minutes)
        .unwrap_or(DEFAULT_SESSION_IDLE_MINUTES);
    anyhow::ensure!(
        minutes >= 1,
        "session_idle_minutes must be at least 1 (got {minutes})"
    );
    Ok(std::time::Duration::from_secs(u64::from(minutes) * 60))
}

pub const DEFAULT_SESSION_IDLE_MINUTES: u32 = 30;

/// How reports are made: k (never below 5: docs/dashboard.md) and the district's time zone.
pub fn report_settings(file: &FileConfig) -> anyhow::Result<crate::report_data::ReportSettings> {
    let mut settings = crate::report_data::ReportSettings::default();
    if let Some(k) = file.min_sessions {
        settings.min_sessions = crate::reports::MinSessions::new(k).map_err(|_| {
            anyhow::anyhow!(
                "min_sessions = {k} is below 5: counts resting on fewer than 5 visitor \
                 sessions are never shown (it can only be raised)"
            )
        })?;
    }
    if let Some(offset) = &file.utc_offset {
        settings.zone = parse_utc_offset(offset).ok_or_else(|| {
            anyhow::anyhow!(
                "utc_offset = \"{offset}\" is not an offset from UTC: write it as +08:00 or -05:30"
            )
        })?;
    }
    Ok(settings)
}

/// `+HH:MM` or `-HH:MM`, within ±14 hours.
pub fn parse_utc_offset(text: &str) -> Option<chrono::FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 14 || minutes > 59 {
        return None;
    }
    chrono::FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod report_settings_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn k_can_only_be_raised_and_the_offset_must_be_one() {
        let file = |text: &str| -> FileConfig { toml::from_str(text).unwrap() };
        let default = report_settings(&FileConfig::default()).unwrap();
        assert_eq!(default.min_sessions.get(), 5);
        assert_eq!(default.zone.local_minus_utc(), 8 * 3600);
        assert_eq!(
            report_settings(&file("min_sessions = 10"))
                .unwrap()
                .min_sessions
                .get(),
            10
        );
        let low = report_settings(&file("min_sessions = 3"))
            .unwrap_err()
            .to_string();
        assert!(low.contains("below 5"), "{low}");
        let zone = report_settings(&file("utc_offset = \"-05:30\""))
            .unwrap()
            .zone;
        assert_eq!(zone.local_minus_utc(), -(5 * 3600 + 1800));
        for bad in ["8", "+8:00", "+15:00", "+08:60", "UTC"] {
            let err = report_settings(&file(&format!("utc_offset = \"{bad}\""))).unwrap_err();
            assert!(err.to_string().contains("+08:00"), "{bad}: {err}");
        }
    }
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

    #[test]
    fn tls_needs_both_files_and_sessions_a_sane_timeout() {
        let file: FileConfig =
            toml::from_str("tls_cert = \"/etc/kepu/cert.pem\"\nsession_idle_minutes = 15").unwrap();
        assert!(tls_files(None, None, &file).is_err(), "a key is missing");
        let both = tls_files(None, Some("k.pem".into()), &file)
            .unwrap()
            .unwrap();
        assert_eq!(both, ("/etc/kepu/cert.pem".into(), "k.pem".into()));
        assert_eq!(tls_files(None, None, &FileConfig::default()).unwrap(), None);
        assert_eq!(session_idle(None, &file).unwrap().as_secs(), 15 * 60);
        assert_eq!(session_idle(Some(5), &file).unwrap().as_secs(), 5 * 60);
        assert_eq!(
            session_idle(None, &FileConfig::default())
                .unwrap()
                .as_secs(),
            30 * 60
        );
        assert!(session_idle(Some(0), &file).is_err());
    }
}
