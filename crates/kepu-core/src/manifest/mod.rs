//! Exhibit manifests: `exhibits/<folder>/exhibit.toml` plus the images and audio it names.
//!
//! Parsing is strict and validation collects every problem of every exhibit in one pass, each
//! with the file, line and column and a sentence a curator can act on. Nothing a curator writes
//! can make loading fail as a whole: a broken exhibit is left out and the rest load.

mod lenient;
mod messages;
mod models;
mod source_map;
mod syntax;
mod template;
mod types;
mod validate;

pub(crate) use messages::said;
pub use messages::{MessageLanguage, Said};
pub use models::{MODELS, ModelSpec, ParameterSpec, model};
pub use source_map::{FieldPath, Seg, SourceMap, line_and_column};
pub use template::{TemplateError, new_exhibit};
pub use types::*;

use crate::i18n::Lang;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// The file name every exhibit folder must contain.
pub const MANIFEST_FILE: &str = "exhibit.toml";

/// Longest id a manifest may give an exhibit, question, choice, item, hotspot or bin.
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// Longest `intended_secs` a manifest may give, in seconds: an hour is already far longer
/// than anyone stands at a kiosk, so a larger number is a mistake (minutes, or milliseconds).
pub const MAX_INTENDED_SECS: u32 = 3600;

/// Most digits an id may have in a row: enough for "110", "2024" or "q12345", too few for a
/// phone number (a Chinese mobile number has 11, a landline at least 7), so an event can
/// never carry one in an id.
pub const MAX_DIGITS_IN_A_ROW: usize = 6;

/// Whether `id` has the shape every manifest id must have: 1 to [`MAX_IDENTIFIER_LEN`]
/// characters, each a lowercase letter `a-z`, a digit, `-` or `_`, with at most
/// [`MAX_DIGITS_IN_A_ROW`] digits in a row.
///
/// The same rule bounds every id an engagement event carries ([`crate::wire::check`]): the
/// kiosk only ever sends ids it read from a valid manifest (or the built-in simulation
/// parameter names, and `"true"`/`"false"`), so the server can refuse anything else.
pub fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_IDENTIFIER_LEN
        && id.bytes().all(is_identifier_byte)
        && longest_digit_run(id) <= MAX_DIGITS_IN_A_ROW
}

/// The most digits `id` has in a row.
pub fn longest_digit_run(id: &str) -> usize {
    id.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// One character of an identifier (ASCII, so a byte is a character).
pub fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
}

/// A manifest that passed validation, with the folder its assets live in.
#[derive(Debug, Clone, PartialEq)]
pub struct Exhibit {
    pub manifest: ExhibitManifest,
    pub folder: PathBuf,
}

impl Exhibit {
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// Path of an asset named in the manifest.
    pub fn asset_path(&self, relative: &str) -> PathBuf {
        self.folder.join(relative)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing wrong with an exhibit (or with kiosk.toml), phrased for a curator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line and column, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// In English.
    pub message: String,
    /// In Simplified Chinese.
    pub message_zh: String,
}

/// In English: `file:line:column: error: message`.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_in(MessageLanguage::English))
    }
}

impl Problem {
    /// A problem in `file` as a whole, said in both languages.
    pub fn error_in_both(file: &Path, message: Said) -> Self {
        Self::new(Severity::Error, file, None, message)
    }

    /// A problem at `at` (line and column), said in both languages.
    pub fn new(severity: Severity, file: &Path, at: Option<(usize, usize)>, message: Said) -> Self {
        let (line, column) = at.unzip();
        Self {
            severity,
            file: file.to_path_buf(),
            line,
            column,
            message: message.en,
            message_zh: message.zh,
        }
    }

    /// A problem in `file` as a whole whose words come in one language only (another
    /// program's, such as the system's reason a file cannot be read): the same in both.
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::error_in_both(file, Said::new(message.clone(), message))
    }

    pub fn message_in(&self, language: MessageLanguage) -> &str {
        match language {
            MessageLanguage::English => &self.message,
            MessageLanguage::Chinese => &self.message_zh,
        }
    }

    /// `file:line:column: error: message` in `language`, on one line (the staff panel's list).
    pub fn header_in(&self, language: MessageLanguage) -> String {
        let severity = match (self.severity, language) {
            (Severity::Error, MessageLanguage::English) => "error",
            (Severity::Warning, MessageLanguage::English) => "warning",
            (Severity::Error, MessageLanguage::Chinese) => "错误",
            (Severity::Warning, MessageLanguage::Chinese) => "警告",
        };
        let mut header = self.file.display().to_string();
        if let Some(line) = self.line {
            let _ = write!(header, ":{line}");
            if let Some(column) = self.column {
                let _ = write!(header, ":{column}");
            }
        }
        let _ = write!(header, ": {severity}: {}", self.message_in(language));
        header
    }
}

/// An exhibit folder that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedExhibit {
    pub folder: PathBuf,
    pub problems: Vec<Problem>,
}

/// Everything found in an exhibits folder: the exhibits that can be shown and those left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub exhibits: Vec<Exhibit>,
    pub rejected: Vec<RejectedExhibit>,
    /// Problems that belong to no single exhibit (an unreadable folder, the playlist).
    pub problems: Vec<Problem>,
    /// Warnings about exhibits that are shown all the same.
    pub warnings: Vec<Problem>,
}

impl Catalog {
    pub fn exhibit(&self, id: &str) -> Option<&Exhibit> {
        self.exhibits.iter().find(|e| e.id() == id)
    }

    /// Every problem found, in file and line order.
    pub fn all_problems(&self) -> Vec<&Problem> {
        let mut all: Vec<&Problem> = self
            .problems
            .iter()
            .chain(self.rejected.iter().flat_map(|r| r.problems.iter()))
            .chain(self.warnings.iter())
            .collect();
        all.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        all
    }

    pub fn error_count(&self) -> usize {
        self.all_problems()
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
}

/// Combines a fresh load of the exhibits folder with what the kiosk shows now: an exhibit whose
/// new version has errors keeps its last good version (its problems are still reported), new
/// and fixed exhibits come in, deleted folders go.
pub fn merge_reload(current: &Catalog, mut fresh: Catalog) -> Catalog {
    for rejected in &fresh.rejected {
        if let Some(last_good) = current
            .exhibits
            .iter()
            .find(|e| e.folder == rejected.folder)
            && !fresh.exhibits.iter().any(|e| e.id() == last_good.id())
        {
            fresh.exhibits.push(last_good.clone());
        }
    }
    fresh.exhibits.sort_by(|a, b| a.folder.cmp(&b.folder));
    fresh
}

/// A cheap fingerprint of an exhibits folder (every file's path, size and modification time),
/// to notice a curator's change without reading or parsing anything.
pub fn folder_fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut entries = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in read.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                stack.push(path);
            } else {
                entries.push((path, metadata.len(), metadata.modified().ok()));
            }
        }
    }
    entries.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut hasher);
    hasher.finish()
}

/// What to do about text missing in one of the kiosk's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingLanguage {
    /// The exhibit is left out until every language is there.
    #[default]
    Error,
    /// A warning; visitors see the text in the first language that has it.
    Fallback,
}

/// What validation needs to know about the kiosk the exhibits are for.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationRules {
    /// Every visitor-facing string must have text in each of these languages.
    pub required_languages: Vec<Lang>,
    pub missing_language: MissingLanguage,
    /// The screen in pixels: images much larger than this get a warning.
    pub screen: (u32, u32),
    /// Decode every image fully (the `validate` command); the kiosk reads only image headers at
    /// start, and an image that fails to decode later shows a placeholder.
    pub decode_images: bool,
}

impl Default for ValidationRules {
    fn default() -> Self {
        Self {
            required_languages: vec!["zh".to_owned(), "en".to_owned()],
            missing_language: MissingLanguage::Error,
            screen: (1920, 1080),
            decode_images: false,
        }
    }
}

/// Loads every exhibit folder under `dir`, in folder-name order. Never fails as a whole.
pub fn load_catalog(dir: &Path, rules: &ValidationRules) -> Catalog {
    let mut catalog = Catalog::default();
    let mut folders = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect::<Vec<_>>(),
        Err(err) => {
            catalog.problems.push(Problem::error_in_both(
                dir,
                said!(
                    "cannot read the exhibits folder: {err}",
                    "无法读取展品文件夹：{err}"
                ),
            ));
            return catalog;
        }
    };
    folders.sort();

    let mut seen_ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for folder in folders {
        let manifest_path = folder.join(MANIFEST_FILE);
        if !manifest_path.exists() {
            // A folder without a manifest (e.g. shared images) is not an exhibit.
            continue;
        }
        let loaded = load_exhibit(&folder, rules);
        let mut problems = loaded.problems;
        if let Some(manifest) = &loaded.manifest {
            if let Some(first) = seen_ids.get(&manifest.id) {
                let (id, first) = (&manifest.id, first.display());
                problems.push(Problem::new(
                    Severity::Error,
                    &manifest_path,
                    loaded.id_location,
                    said!(
                        "exhibit id \"{id}\" is already used by {first}; every exhibit needs its own id",
                        "展品编号“{id}”已经被 {first} 用了：每个展品要有自己的编号"
                    ),
                ));
            } else {
                seen_ids.insert(manifest.id.clone(), manifest_path.clone());
            }
        }
        let has_errors = problems.iter().any(|p| p.severity == Severity::Error);
        match loaded.manifest {
            Some(manifest) if !has_errors => {
                catalog.warnings.extend(problems);
                catalog.exhibits.push(Exhibit { manifest, folder });
            }
            _ => catalog.rejected.push(RejectedExhibit { folder, problems }),
        }
    }
    catalog
}

/// What `validate` was pointed at that holds nothing to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckTargetError {
    #[error("{}", self.said().en)]
    Missing(PathBuf),
    #[error("{}", self.said().en)]
    NotAManifest(PathBuf),
    #[error("{}", self.said().en)]
    Empty(PathBuf),
}

impl CheckTargetError {
    /// The error in `language` (`Display` is English).
    pub fn message_in(&self, language: MessageLanguage) -> String {
        self.said().in_language(language).to_owned()
    }

    fn said(&self) -> Said {
        match self {
            Self::Missing(path) => {
                let path = path.display();
                said!(
                    "{path} does not exist: give a folder of exhibits, one exhibit's folder, or its exhibit.toml",
                    "{path} 不存在：请给出展品总文件夹、某一个展品的文件夹，或它的 exhibit.toml"
                )
            }
            Self::NotAManifest(path) => {
                let path = path.display();
                said!(
                    "{path} is not an exhibit.toml: give a folder of exhibits, one exhibit's folder, or its exhibit.toml",
                    "{path} 不是 exhibit.toml：请给出展品总文件夹、某一个展品的文件夹，或它的 exhibit.toml"
                )
            }
            Self::Empty(path) => {
                let path = path.display();
                said!(
                    "{path} holds no exhibits: a folder of exhibits has one folder per exhibit, each with an exhibit.toml",
                    "{path} 里没有展品：展品总文件夹里每个展品占一个文件夹，每个文件夹里有一个 exhibit.toml"
                )
            }
        }
    }
}

/// Loads what a curator points `validate` at: a folder of exhibits (each in its own folder),
/// one exhibit's folder (it holds an `exhibit.toml`), or an `exhibit.toml` itself. A folder
/// with no exhibit in it is an error, not a pass: nothing was checked.
pub fn load_for_checking(
    path: &Path,
    rules: &ValidationRules,
) -> Result<Catalog, CheckTargetError> {
    if path.is_file() {
        if path.file_name().and_then(|n| n.to_str()) != Some(MANIFEST_FILE) {
            return Err(CheckTargetError::NotAManifest(path.to_owned()));
        }
        let folder = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        return Ok(catalog_of_one(&folder, rules));
    }
    if !path.is_dir() {
        return Err(CheckTargetError::Missing(path.to_owned()));
    }
    if path.join(MANIFEST_FILE).is_file() {
        return Ok(catalog_of_one(path, rules));
    }
    let catalog = load_catalog(path, rules);
    if catalog.exhibits.is_empty() && catalog.rejected.is_empty() && catalog.problems.is_empty() {
        return Err(CheckTargetError::Empty(path.to_owned()));
    }
    Ok(catalog)
}

/// A catalog of the one exhibit in `folder`.
fn catalog_of_one(folder: &Path, rules: &ValidationRules) -> Catalog {
    let loaded = load_exhibit(folder, rules);
    let has_errors = loaded
        .problems
        .iter()
        .any(|p| p.severity == Severity::Error);
    let mut catalog = Catalog::default();
    match loaded.manifest {
        Some(manifest) if !has_errors => {
            catalog.warnings.extend(loaded.problems);
            catalog.exhibits.push(Exhibit {
                manifest,
                folder: folder.to_owned(),
            });
        }
        _ => catalog.rejected.push(RejectedExhibit {
            folder: folder.to_owned(),
            problems: loaded.problems,
        }),
    }
    catalog
}

/// The result of loading one exhibit folder.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedExhibit {
    /// The manifest, when it could be parsed at all.
    pub manifest: Option<ExhibitManifest>,
    /// Every problem found, errors and warnings.
    pub problems: Vec<Problem>,
    /// Where `id` is written, for problems found later (duplicate ids).
    pub id_location: Option<(usize, usize)>,
}

/// Parses and validates one exhibit folder.
pub fn load_exhibit(folder: &Path, rules: &ValidationRules) -> LoadedExhibit {
    let path = folder.join(MANIFEST_FILE);
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(err) => {
            return LoadedExhibit {
                manifest: None,
                problems: vec![Problem::error_in_both(
                    &path,
                    said!(
                        "cannot read the manifest: {err}",
                        "无法读取展品说明文件 exhibit.toml：{err}"
                    ),
                )],
                id_location: None,
            };
        }
    };
    parse_and_validate(&source, folder, rules)
}

/// Parses and validates a manifest's text; `folder` is where its assets are looked up.
pub fn parse_and_validate(source: &str, folder: &Path, rules: &ValidationRules) -> LoadedExhibit {
    match toml::from_str::<ExhibitManifest>(source) {
        Ok(manifest) => {
            let map = SourceMap::new(source);
            let problems = validate::validate(&manifest, folder, &map, rules);
            LoadedExhibit {
                manifest: Some(manifest),
                problems,
                id_location: top_level_key_location(source, "id"),
            }
        }
        Err(err) => LoadedExhibit {
            manifest: None,
            problems: lenient::problems(source, folder, rules, &err),
            id_location: None,
        },
    }
}

/// Where the first TOML syntax error of `source` is (a byte offset) and what it is, in a
/// curator's words; `None` when the text is valid TOML. For any file a curator writes
/// (kiosk.toml too).
pub(crate) fn explain_syntax_error(source: &str) -> Option<(usize, Said)> {
    let err = toml_edit::ImDocument::parse(source).err()?;
    let offset = err.span().map_or(0, |span| span.start);
    let (at, syntax) = syntax::diagnose(source, offset, err.message());
    Some((at, messages::Mistake::Syntax(syntax).said()))
}

/// Line and column of a top-level `key = ...` (before the first table header), found by a
/// cheap scan so valid files never need a span-keeping parse.
fn top_level_key_location(source: &str, key: &str) -> Option<(usize, usize)> {
    for (index, line) in source.lines().enumerate() {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some((index + 1, line.len() - trimmed.len() + 1));
        }
    }
    None
}

/// The JSON Schema of `exhibit.toml`, for editors (Taplo / Even Better TOML) to complete and check.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ExhibitManifest);
    serde_json::to_value(schema).unwrap_or_default()
}

#[cfg(test)]
mod tests;
