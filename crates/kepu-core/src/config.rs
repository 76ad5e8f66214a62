//! The kiosk's own configuration file, `kiosk.toml`.

use crate::at;
use crate::manifest::{
    Catalog, MessageLanguage, MissingLanguage, Problem, Said, Severity, SourceMap, ValidationRules,
    said,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    /// Identifies this device (not a person) in engagement statistics, e.g. `chaoyang-museum-01`.
    pub kiosk_id: String,
    /// Folder of exhibit folders; relative paths are relative to `kiosk.toml`.
    #[serde(default = "default_exhibits_dir")]
    pub exhibits_dir: PathBuf,
    /// Base URL of the district server, e.g. `http://127.0.0.1:8480`.
    pub server_url: String,
    /// File holding this kiosk's bearer token (printed once by `kepu-server kiosk add`).
    #[serde(default = "default_token_file")]
    pub token_file: PathBuf,
    /// Visitor languages; the first is the default at the start of every session.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Seconds without a touch before a visitor session ends and the attract screen returns.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// Seconds the "Still there?" countdown runs after the idle timeout before the session ends;
    /// any touch cancels it and the visitor stays where they were.
    #[serde(default = "default_idle_countdown")]
    pub idle_countdown_secs: u64,
    /// Where the kiosk keeps its engagement outbox.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Which exhibits this kiosk shows, in order (exhibit ids); all, in folder order, if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playlist: Option<Vec<String>>,
    /// Text missing in one of `languages`: `error` leaves the exhibit out, `fallback` shows
    /// another language with a warning.
    #[serde(default)]
    pub missing_language: MissingLanguage,
    #[serde(default)]
    pub screen: ScreenConfig,
    #[serde(default)]
    pub attract: AttractConfig,
    /// Accessibility modes every session starts with.
    #[serde(default)]
    pub accessibility: AccessibilityDefaults,
    #[serde(default)]
    pub engagement: EngagementConfig,
    /// The staff PIN as made by `kepu-kiosk hash-pin` (never the PIN itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_pin_hash: Option<String>,
    /// The file this was read from and its text, to point at lines in it.
    #[serde(skip)]
    pub source: Option<(PathBuf, String)>,
}

/// The kiosk's screen, for touch-target sizes and image-size warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenConfig {
    pub width_px: u32,
    pub height_px: u32,
    /// Diagonal of the visible area, for millimetre-exact touch targets.
    pub diagonal_inches: f32,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        Self {
            width_px: 1920,
            height_px: 1080,
            diagonal_inches: 24.0,
        }
    }
}

/// The engagement outbox and the kiosk's heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngagementConfig {
    /// Size cap of the outbox in megabytes: beyond it the oldest events are rolled up into
    /// hourly counts (never dropped).
    #[serde(default = "default_outbox_max_mb")]
    pub outbox_max_mb: u64,
    /// Minutes between heartbeats (the kiosk's health, sent with the events).
    #[serde(default = "default_heartbeat_minutes")]
    pub heartbeat_minutes: u64,
}

impl Default for EngagementConfig {
    fn default() -> Self {
        Self {
            outbox_max_mb: default_outbox_max_mb(),
            heartbeat_minutes: default_heartbeat_minutes(),
        }
    }
}

fn default_outbox_max_mb() -> u64 {
    500
}
fn default_heartbeat_minutes() -> u64 {
    5
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttractConfig {
    /// Exhibits whose pictures the attract loop shows; all shown exhibits if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhibits: Option<Vec<String>>,
    /// Seconds per picture.
    #[serde(default = "default_slide_secs")]
    pub slide_secs: u32,
}

impl Default for AttractConfig {
    fn default() -> Self {
        Self {
            exhibits: None,
            slide_secs: default_slide_secs(),
        }
    }
}

fn default_slide_secs() -> u32 {
    6
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityDefaults {
    #[serde(default)]
    pub large_text: bool,
    #[serde(default)]
    pub high_contrast: bool,
    #[serde(default)]
    pub seated: bool,
}

fn default_exhibits_dir() -> PathBuf {
    PathBuf::from("exhibits")
}
fn default_token_file() -> PathBuf {
    PathBuf::from("kiosk.token")
}
fn default_languages() -> Vec<String> {
    vec!["zh".to_owned(), "en".to_owned()]
}
fn default_idle_timeout() -> u64 {
    60
}
fn default_idle_countdown() -> u64 {
    10
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("kiosk-data")
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: Said },
}

impl ConfigError {
    /// The error in `language` (`Display` is English).
    pub fn message_in(&self, language: MessageLanguage) -> String {
        self.said().in_language(language).to_owned()
    }

    /// The error in each language.
    pub fn said(&self) -> Said {
        match self {
            Self::Read { path, source } => {
                let path = path.display();
                said!("cannot read {path}: {source}", "无法读取 {path}：{source}")
            }
            Self::Invalid { path, message } => {
                let path = path.display();
                said!("{path}: {message}", "{path}：{message}"; message)
            }
        }
    }
}

impl KioskConfig {
    /// Reads `kiosk.toml` and makes its relative paths relative to the file's own folder, so the
    /// kiosk behaves the same whatever directory systemd starts it in.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::parse(&source).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        config.source = Some((path.to_path_buf(), source));
        let base = path.parent().unwrap_or(Path::new("."));
        for relative in [
            &mut config.exhibits_dir,
            &mut config.token_file,
            &mut config.data_dir,
        ] {
            if relative.is_relative() {
                *relative = base.join(&*relative);
            }
        }
        Ok(config)
    }

    /// Parses and checks the text of a `kiosk.toml`; the error says what to fix, with its line,
    /// in each language.
    pub fn parse(source: &str) -> Result<Self, Said> {
        if let Some((offset, mistake)) = crate::manifest::explain_syntax_error(source) {
            return Err(at_line(source, offset, &mistake));
        }
        let config: Self = toml::from_str(source).map_err(|err| {
            let message = config_message(err.message());
            match err.span() {
                Some(span) => at_line(source, span.start, &message),
                None => message,
            }
        })?;
        if config.kiosk_id.trim().is_empty() {
            return Err(Said::new("kiosk_id must not be empty", "kiosk_id 不能为空"));
        }
        if config.languages.is_empty() {
            return Err(Said::new(
                "languages must list at least one language, e.g. [\"zh\", \"en\"]",
                "languages 至少要列出一种语言，例如 [\"zh\", \"en\"]",
            ));
        }
        for (index, code) in config.languages.iter().enumerate() {
            if !crate::i18n::is_known_language(code) {
                return Err(unknown_language(source, index, code));
            }
        }
        if !(5..=MAX_IDLE_TIMEOUT_SECS).contains(&config.idle_timeout_secs) {
            return Err(said!(
                "idle_timeout_secs must be between 5 seconds and {MAX_IDLE_TIMEOUT_SECS} (an hour)",
                "idle_timeout_secs 要在 5 秒到 {MAX_IDLE_TIMEOUT_SECS} 秒（一小时）之间"
            ));
        }
        if !(3..=MAX_IDLE_COUNTDOWN_SECS).contains(&config.idle_countdown_secs) {
            return Err(said!(
                "idle_countdown_secs must be between 3 seconds, to give a visitor time to react, and {MAX_IDLE_COUNTDOWN_SECS}",
                "idle_countdown_secs 要在 3 秒（给观众反应的时间）到 {MAX_IDLE_COUNTDOWN_SECS} 秒之间"
            ));
        }
        if config.engagement.outbox_max_mb < 10 {
            return Err(Said::new(
                "[engagement] outbox_max_mb must be at least 10 (a day of a busy kiosk's events fits in a few)",
                "[engagement] outbox_max_mb 至少要 10（忙碌的展台一天的记录也只占几 MB）",
            ));
        }
        if config.engagement.heartbeat_minutes == 0 {
            return Err(Said::new(
                "[engagement] heartbeat_minutes must be at least 1",
                "[engagement] heartbeat_minutes 至少要 1",
            ));
        }
        if let Some(hash) = &config.staff_pin_hash
            && crate::pin::parse_hash(hash).is_none()
        {
            return Err(Said::new(
                "staff_pin_hash is not a PIN hash; make one with `kepu-kiosk hash-pin`",
                "staff_pin_hash 不是 PIN 的哈希值：请用 `kepu-kiosk hash-pin` 生成",
            ));
        }
        Ok(config)
    }

    /// The rules exhibits are validated by on this kiosk.
    pub fn validation_rules(&self) -> ValidationRules {
        ValidationRules {
            required_languages: self.languages.clone(),
            missing_language: self.missing_language,
            screen: (self.screen.width_px, self.screen.height_px),
            decode_images: false,
        }
    }

    /// Orders and filters the catalog by `playlist`; an entry naming no loaded exhibit is a
    /// problem located in kiosk.toml (the exhibit may be missing or left out for its errors).
    pub fn arrange(&self, catalog: &mut Catalog) {
        let Some(playlist) = &self.playlist else {
            return;
        };
        let mut ordered = Vec::with_capacity(playlist.len());
        for (index, id) in playlist.iter().enumerate() {
            match catalog.exhibits.iter().position(|e| e.id() == id) {
                Some(position) => ordered.push(catalog.exhibits.swap_remove(position)),
                None if ordered
                    .iter()
                    .any(|e: &crate::manifest::Exhibit| e.id() == id) =>
                {
                    catalog.problems.push(self.problem(
                        &at!["playlist", index],
                        said!("playlist names \"{id}\" twice", "playlist 里“{id}”写了两次"),
                    ));
                }
                None => {
                    let left_out = catalog
                        .rejected
                        .iter()
                        .any(|r| r.folder.file_name().is_some_and(|name| name == id.as_str()));
                    let why = if left_out {
                        Said::new("it has errors and was left out", "它有错误，没有载入")
                    } else {
                        Said::new("there is no exhibit with that id", "没有这个编号的展品")
                    };
                    catalog.problems.push(self.problem(
                        &at!["playlist", index],
                        said!(
                            "playlist entry \"{id}\" cannot be shown: {why}",
                            "playlist 里的“{id}”无法显示：{why}";
                            why
                        ),
                    ));
                }
            }
        }
        catalog.exhibits = ordered;
    }

    fn problem(&self, path: &crate::manifest::FieldPath, message: Said) -> Problem {
        let (file, location) = match &self.source {
            Some((file, source)) => (file.clone(), SourceMap::new(source).locate(path)),
            None => (PathBuf::from("kiosk.toml"), None),
        };
        Problem::new(Severity::Error, &file, location, message)
    }

    /// The bearer token, read fresh so a re-paired kiosk needs no restart of the uploader's owner.
    pub fn read_token(&self) -> Result<String, ConfigError> {
        let token =
            std::fs::read_to_string(&self.token_file).map_err(|source| ConfigError::Read {
                path: self.token_file.clone(),
                source,
            })?;
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(ConfigError::Invalid {
                path: self.token_file.clone(),
                message: Said::new(
                    "the token file is empty; pair the kiosk with `kepu-server kiosk add`",
                    "令牌文件是空的：请用 `kepu-server kiosk add` 给这台展台配对",
                ),
            });
        }
        Ok(token)
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.data_dir.join("outbox.sqlite3")
    }
}

/// Longest idle timeout: a session left alone ends within an hour and a few minutes, so an
/// exhibit's dwell time (which counts the idle wait) stays far below the 24 hours the server
/// accepts ([`crate::wire::check::MAX_DURATION_MS`]).
pub const MAX_IDLE_TIMEOUT_SECS: u64 = 3_600;
/// Longest "Still there?" countdown.
pub const MAX_IDLE_COUNTDOWN_SECS: u64 = 600;

/// `message` with the line and column of byte `offset` of `source` before it.
fn at_line(source: &str, offset: usize, message: &Said) -> Said {
    let (line, column) = crate::manifest::line_and_column(source, offset);
    said!(
        "line {line}, column {column}: {message}",
        "第 {line} 行第 {column} 列：{message}";
        message
    )
}

/// Why `languages[index]` is refused, at its line, with the spelling to use when only the case
/// or separator is wrong (`zh-Hant`, `zh_hant`).
fn unknown_language(source: &str, index: usize, code: &str) -> Said {
    let normalised = code.trim().to_ascii_lowercase().replace('_', "-");
    // Shown escaped: a control character is never written to the terminal.
    let code = code.escape_default().to_string();
    let advice = if crate::i18n::is_known_language(&normalised) {
        said!(
            "; write it as \"{normalised}\"",
            "；请写成 \"{normalised}\""
        )
    } else {
        Said::default()
    };
    let message = said!(
        "languages: \"{code}\" is not a known language code (an ISO 639-1 code such as \"zh\" or \"en\", or a variant such as \"zh-hant\"; the list is kepu_core::i18n::KNOWN_LANGUAGES){advice}",
        "languages：“{code}”不是已知的语言代码（要用 ISO 639-1 代码，例如 \"zh\" 或 \"en\"，或 \"zh-hant\" 这样的变体；完整列表见 kepu_core::i18n::KNOWN_LANGUAGES）{advice}";
        advice
    );
    match SourceMap::new(source).locate(&at!["languages", index]) {
        Some((line, column)) => said!(
            "line {line}, column {column}: {message}",
            "第 {line} 行第 {column} 列：{message}";
            message
        ),
        None => message,
    }
}

/// Serde's message, with advice where a common mistake is likely; in Chinese by its shape
/// (serde's words are English).
fn config_message(message: &str) -> Said {
    let message = message.trim();
    if message.contains("`staff_pin`") {
        return Said::new(
            "the staff PIN must not be stored in clear: replace `staff_pin` by `staff_pin_hash = \"…\"` made with `kepu-kiosk hash-pin`",
            "员工 PIN 不能明文保存：把 `staff_pin` 换成用 `kepu-kiosk hash-pin` 生成的 `staff_pin_hash = \"…\"`",
        );
    }
    let zh = if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, known) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let known = known.trim_start_matches("one of ");
        if known.is_empty() {
            format!("{field} 不是 kiosk.toml 里的字段")
        } else {
            format!("{field} 不是 kiosk.toml 里的字段；可用的字段有：{known}")
        }
    } else if let Some(field) = message.strip_prefix("missing field ") {
        format!("缺少必填字段 {field}")
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (value, allowed) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let allowed = allowed.trim_start_matches("one of ");
        format!("没有 {value} 这个选项；可选：{allowed}")
    } else if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    {
        let (found, wanted) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        format!("值写得不对：要的是 {wanted}，写的是 {found}")
    } else {
        format!("kiosk.toml 的写法不对：{message}")
    };
    Said::new(message, zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_and_paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            "kiosk_id = \"k1\"\nserver_url = \"http://127.0.0.1:1\"\n",
        )
        .unwrap();
        let config = KioskConfig::load(&path).unwrap();
        assert_eq!(config.languages, vec!["zh", "en"]);
        assert_eq!(config.idle_timeout_secs, 60);
        assert_eq!(config.idle_countdown_secs, 10);
        assert_eq!(config.exhibits_dir, dir.path().join("exhibits"));
        assert_eq!(
            config.outbox_path(),
            dir.path().join("kiosk-data/outbox.sqlite3")
        );
    }

    #[test]
    fn typos_and_bad_values_are_reported_with_their_line() {
        let err = KioskConfig::parse("kiosk_id = \"k\"\nserver_url = \"x\"\nidle_timeout = 30\n")
            .unwrap_err();
        assert!(err.en.contains("line 3"), "{err}");
        assert!(err.en.contains("idle_timeout"), "{err}");
        let err = KioskConfig::parse("kiosk_id = \"k\"\nserver_url = \"x\"\nlanguages = []\n")
            .unwrap_err();
        assert!(err.en.contains("at least one language"), "{err}");
    }

    #[test]
    fn a_language_outside_the_known_list_is_refused_at_its_line() {
        let config = |languages: &str| {
            KioskConfig::parse(&format!(
                "kiosk_id = \"k\"\nserver_url = \"x\"\nlanguages = {languages}\n"
            ))
        };
        let err = config(r#"["zh", "klingon"]"#).unwrap_err();
        assert!(err.en.contains("line 3"), "{err}");
        assert!(
            err.en.contains("\"klingon\" is not a known language code"),
            "{err}"
        );
        assert!(err.en.contains("KNOWN_LANGUAGES"), "{err}");
        let err = config(r#"["zh-Hant"]"#).unwrap_err();
        assert!(err.en.contains("write it as \"zh-hant\""), "{err}");
        let err = config(r#"["zh_hant"]"#).unwrap_err();
        assert!(err.en.contains("write it as \"zh-hant\""), "{err}");
        // Control characters are shown escaped, not written to the terminal.
        let err = config(r#"["en\u202e"]"#).unwrap_err();
        assert!(err.en.contains(r"en\u{202e}"), "{err}");
        assert!(!err.en.contains('\u{202e}'), "{err}");
        let ok = config(r#"["zh-hant", "yue", "en"]"#).unwrap();
        assert_eq!(ok.languages, vec!["zh-hant", "yue", "en"]);
    }

    #[test]
    fn every_mistake_in_kiosk_toml_is_said_in_chinese_too() {
        let parse = |text: &str| KioskConfig::parse(text).unwrap_err();
        let syntax = parse("kiosk_id ＝ \"k\"\n");
        assert_eq!(
            syntax.zh,
            "第 1 行第 10 列：`＝` 是全角字符：请换成半角的 `=`（切换到英文输入法再打）"
        );
        assert!(
            syntax
                .en
                .starts_with("line 1, column 10: `＝` is a full-width character")
        );
        let typo = parse("kiosk_id = \"k\"\nserver_url = \"x\"\nidle_timeout = 30\n");
        assert!(
            typo.zh.starts_with(
                "第 3 行第 1 列：`idle_timeout` 不是 kiosk.toml 里的字段；可用的字段有："
            ),
            "{}",
            typo.zh
        );
        let missing = parse("kiosk_id = \"k\"\n");
        assert!(
            missing.zh.contains("缺少必填字段 `server_url`"),
            "{}",
            missing.zh
        );
        let wrong_type =
            parse("kiosk_id = \"k\"\nserver_url = \"x\"\nidle_timeout_secs = \"60\"\n");
        assert!(
            wrong_type.zh.starts_with("第 3 行第 21 列：值写得不对"),
            "{}",
            wrong_type.zh
        );
        let pin = parse("kiosk_id = \"k\"\nserver_url = \"x\"\nstaff_pin = \"1234\"\n");
        assert!(pin.zh.contains("员工 PIN 不能明文保存"), "{}", pin.zh);
        let language = parse("kiosk_id = \"k\"\nserver_url = \"x\"\nlanguages = [\"zh_hant\"]\n");
        assert!(
            language
                .zh
                .starts_with("第 3 行第 14 列：languages：“zh_hant”不是已知的语言代码"),
            "{}",
            language.zh
        );
        assert!(
            language.zh.ends_with("；请写成 \"zh-hant\""),
            "{}",
            language.zh
        );
        let error = ConfigError::Invalid {
            path: PathBuf::from("kiosk.toml"),
            message: parse("kiosk_id = \"\"\nserver_url = \"x\"\n"),
        };
        assert_eq!(error.to_string(), "kiosk.toml: kiosk_id must not be empty");
        assert_eq!(
            error.message_in(MessageLanguage::Chinese),
            "kiosk.toml：kiosk_id 不能为空"
        );
    }

    #[test]
    fn the_idle_timeout_is_bounded() {
        let config = |extra: &str| {
            KioskConfig::parse(&format!("kiosk_id = \"k\"\nserver_url = \"x\"\n{extra}\n"))
        };
        assert!(config("idle_timeout_secs = 3600").is_ok());
        let err = config("idle_timeout_secs = 86400").unwrap_err();
        assert!(
            err.en.contains("idle_timeout_secs must be between 5"),
            "{err}"
        );
        let err = config("idle_timeout_secs = 4").unwrap_err();
        assert!(
            err.en.contains("idle_timeout_secs must be between 5"),
            "{err}"
        );
        let err = config("idle_countdown_secs = 601").unwrap_err();
        assert!(
            err.en.contains("idle_countdown_secs must be between 3"),
            "{err}"
        );
    }

    #[test]
    fn the_example_kiosk_toml_is_valid() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kiosk.example.toml");
        let config = KioskConfig::load(&example).unwrap();
        assert_eq!(config.languages, vec!["zh", "en"]);
        assert_eq!(config.screen.width_px, 1920);
        assert_eq!(config.attract.slide_secs, 6);
        assert_eq!(config.engagement.outbox_max_mb, 500);
        assert_eq!(config.engagement.heartbeat_minutes, 5);
    }

    #[test]
    fn the_outbox_cap_and_heartbeat_are_configurable_within_sense() {
        let config = KioskConfig::parse(
            "kiosk_id = \"k\"\nserver_url = \"x\"\n[engagement]\noutbox_max_mb = 64\nheartbeat_minutes = 1\n",
        )
        .unwrap();
        assert_eq!(config.engagement.outbox_max_mb, 64);
        let err = KioskConfig::parse(
            "kiosk_id = \"k\"\nserver_url = \"x\"\n[engagement]\noutbox_max_mb = 1\n",
        )
        .unwrap_err();
        assert!(
            err.en.contains("outbox_max_mb must be at least 10"),
            "{err}"
        );
        let err = KioskConfig::parse(
            "kiosk_id = \"k\"\nserver_url = \"x\"\n[engagement]\nheartbeat_minute = 1\n",
        )
        .unwrap_err();
        assert!(err.en.contains("heartbeat_minute"), "{err}");
    }

    #[test]
    fn a_clear_text_pin_is_refused_with_advice_and_a_bad_hash_is_refused() {
        let err =
            KioskConfig::parse("kiosk_id = \"k\"\nserver_url = \"x\"\nstaff_pin = \"1234\"\n")
                .unwrap_err();
        assert!(err.en.contains("must not be stored in clear"), "{err}");
        assert!(err.en.contains("kepu-kiosk hash-pin"), "{err}");
        let err =
            KioskConfig::parse("kiosk_id = \"k\"\nserver_url = \"x\"\nstaff_pin_hash = \"1234\"\n")
                .unwrap_err();
        assert!(err.en.contains("not a PIN hash"), "{err}");
        let hash = crate::pin::hash_pin("2468");
        let config = KioskConfig::parse(&format!(
            "kiosk_id = \"k\"\nserver_url = \"x\"\nstaff_pin_hash = \"{hash}\"\n"
        ))
        .unwrap();
        assert!(crate::pin::verify_pin(
            "2468",
            config.staff_pin_hash.as_deref().unwrap()
        ));
    }

    #[test]
    fn playlist_orders_and_filters_and_reports_unknown_entries_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let exhibits = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            format!(
                "kiosk_id = \"k\"\nserver_url = \"x\"\nexhibits_dir = \"{}\"\nplaylist = [\n  \"emergency-quiz\",\n  \"no-such-exhibit\",\n]\n",
                exhibits.display()
            ),
        )
        .unwrap();
        let config = KioskConfig::load(&path).unwrap();
        let mut catalog =
            crate::manifest::load_catalog(&config.exhibits_dir, &config.validation_rules());
        let folders = std::fs::read_dir(&exhibits).unwrap().count();
        assert_eq!(
            catalog.exhibits.len(),
            folders,
            "every sample exhibit loads"
        );
        config.arrange(&mut catalog);
        let shown: Vec<&str> = catalog.exhibits.iter().map(|e| e.id()).collect();
        assert_eq!(shown, vec!["emergency-quiz"]);
        let problem = &catalog.problems[0];
        assert_eq!(problem.file, path);
        assert_eq!(problem.line, Some(6));
        assert!(problem.message.contains("no-such-exhibit"), "{problem}");
    }

    #[test]
    fn missing_or_empty_token_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = KioskConfig::parse("kiosk_id = \"k\"\nserver_url = \"x\"\n").unwrap();
        config.token_file = dir.path().join("none.token");
        assert!(matches!(config.read_token(), Err(ConfigError::Read { .. })));
        std::fs::write(&config.token_file, "  \n").unwrap();
        assert!(
            config
                .read_token()
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        std::fs::write(&config.token_file, "kpk_abc\n").unwrap();
        assert_eq!(config.read_token().unwrap(), "kpk_abc");
    }
}
