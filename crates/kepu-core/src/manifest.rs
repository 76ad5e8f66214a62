//! Exhibit manifests: `exhibits/<folder>/exhibit.toml` plus the images it names.
//!
//! Parsing is strict (unknown fields are errors, so a curator's typo never silently does
//! nothing) and validation collects every problem of every exhibit in one pass, each with the
//! file and, where the TOML parser knows it, the line and column.

use crate::i18n::{Lang, LocalizedText};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The file name every exhibit folder must contain.
pub const MANIFEST_FILE: &str = "exhibit.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExhibitKind {
    /// Pages of text and image; the visitor swipes between them.
    Story,
    /// Questions with choices, an explanation after each answer, a score at the end.
    Quiz,
}

/// One `exhibit.toml`, exactly as the curator wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExhibitManifest {
    /// Stable identifier used in engagement statistics; lowercase letters, digits and `-`.
    pub id: String,
    pub kind: ExhibitKind,
    pub title: LocalizedText,
    #[serde(default)]
    pub summary: LocalizedText,
    /// Image shown on the home screen's card, relative to the exhibit folder.
    pub thumbnail: Option<String>,
    /// Who the exhibit is written for (`youth`, `adult`, `senior`, ...).
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    /// The pages of a `story`.
    #[serde(default)]
    pub pages: Vec<StoryPage>,
    /// The questions of a `quiz`.
    #[serde(default)]
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryPage {
    pub text: LocalizedText,
    /// Image file relative to the exhibit folder.
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub prompt: LocalizedText,
    pub choices: Vec<Choice>,
    /// Shown after the visitor answered, right or wrong.
    pub explanation: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub text: LocalizedText,
    #[serde(default)]
    pub correct: bool,
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

    /// Absolute path of an asset named in the manifest.
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

/// One thing wrong with an exhibit, phrased for a curator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line and column, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {severity}: {}", self.message)
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
    /// Problems that belong to no single exhibit (an unreadable folder).
    pub problems: Vec<Problem>,
    /// Warnings about exhibits that are shown all the same.
    pub warnings: Vec<Problem>,
}

impl Catalog {
    pub fn exhibit(&self, id: &str) -> Option<&Exhibit> {
        self.exhibits.iter().find(|e| e.id() == id)
    }

    /// Every problem found, exhibits' and the folder's, in a stable order.
    pub fn all_problems(&self) -> Vec<&Problem> {
        let mut all: Vec<&Problem> = self
            .problems
            .iter()
            .chain(self.rejected.iter().flat_map(|r| r.problems.iter()))
            .chain(self.warnings.iter())
            .collect();
        all.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        all
    }
}

/// What validation needs to know about the kiosk the exhibits are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRules {
    /// Every visitor-facing string must have text in each of these languages.
    pub required_languages: Vec<Lang>,
}

impl Default for ValidationRules {
    fn default() -> Self {
        Self {
            required_languages: vec!["zh".to_owned(), "en".to_owned()],
        }
    }
}

/// Loads every exhibit folder under `dir`. Never fails as a whole: a folder that cannot be read
/// or an exhibit with errors is reported and left out, and the rest still load.
pub fn load_catalog(dir: &Path, rules: &ValidationRules) -> Catalog {
    let mut catalog = Catalog::default();
    let mut folders = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect::<Vec<_>>(),
        Err(err) => {
            catalog.problems.push(Problem {
                severity: Severity::Error,
                file: dir.to_path_buf(),
                line: None,
                column: None,
                message: format!("cannot read the exhibits folder: {err}"),
            });
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
        let (manifest, mut problems) = load_exhibit(&folder, rules);
        if let Some(manifest) = &manifest {
            if let Some(first) = seen_ids.get(&manifest.id) {
                problems.push(Problem {
                    severity: Severity::Error,
                    file: manifest_path.clone(),
                    line: find_line(&manifest_path, "id"),
                    column: None,
                    message: format!(
                        "exhibit id \"{}\" is already used by {}; every exhibit needs its own id",
                        manifest.id,
                        first.display()
                    ),
                });
            } else {
                seen_ids.insert(manifest.id.clone(), manifest_path.clone());
            }
        }
        let has_errors = problems.iter().any(|p| p.severity == Severity::Error);
        match manifest {
            Some(manifest) if !has_errors => {
                catalog.warnings.extend(problems);
                catalog.exhibits.push(Exhibit { manifest, folder });
            }
            _ => catalog.rejected.push(RejectedExhibit { folder, problems }),
        }
    }
    catalog
}

/// Parses and validates one exhibit folder. Returns the manifest when it could be parsed at all,
/// and every problem found (errors and warnings).
pub fn load_exhibit(
    folder: &Path,
    rules: &ValidationRules,
) -> (Option<ExhibitManifest>, Vec<Problem>) {
    let path = folder.join(MANIFEST_FILE);
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(err) => {
            return (
                None,
                vec![Problem {
                    severity: Severity::Error,
                    file: path,
                    line: None,
                    column: None,
                    message: format!("cannot read the manifest: {err}"),
                }],
            );
        }
    };
    match toml::from_str::<ExhibitManifest>(&source) {
        Ok(manifest) => {
            let problems = validate_manifest(&manifest, folder, &source, rules);
            (Some(manifest), problems)
        }
        Err(err) => {
            let (line, column) = err
                .span()
                .map(|span| line_and_column(&source, span.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            (
                None,
                vec![Problem {
                    severity: Severity::Error,
                    file: path,
                    line,
                    column,
                    message: err.message().trim().to_owned(),
                }],
            )
        }
    }
}

/// 1-based line and column of a byte offset.
pub fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn find_line(path: &Path, key: &str) -> Option<usize> {
    let source = std::fs::read_to_string(path).ok()?;
    find_key_line(&source, key, 0)
}

/// The line of the `nth` (0-based) occurrence of `key = ...` in a TOML source: good enough to
/// point a curator at a field that parsed fine but means something wrong.
fn find_key_line(source: &str, key: &str, nth: usize) -> Option<usize> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let trimmed = line.trim_start();
            trimmed
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .nth(nth)
        .map(|(i, _)| i + 1)
}

/// The line of the `nth` (0-based) `[[table]]` header.
fn find_table_line(source: &str, table: &str, nth: usize) -> Option<usize> {
    let header = format!("[[{table}]]");
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim() == header)
        .nth(nth)
        .map(|(i, _)| i + 1)
}

struct Checker<'a> {
    file: PathBuf,
    source: &'a str,
    rules: &'a ValidationRules,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn error(&mut self, line: Option<usize>, message: String) {
        self.push(Severity::Error, line, message);
    }

    fn push(&mut self, severity: Severity, line: Option<usize>, message: String) {
        self.problems.push(Problem {
            severity,
            file: self.file.clone(),
            line,
            column: None,
            message,
        });
    }

    fn text(&mut self, text: &LocalizedText, what: &str, line: Option<usize>) {
        let missing = text.missing_languages(&self.rules.required_languages);
        if !missing.is_empty() {
            self.error(
                line,
                format!("{what} has no text in {}", missing.join(", ")),
            );
        }
    }

    fn asset(&mut self, folder: &Path, relative: &str, what: &str, line: Option<usize>) {
        let path = folder.join(relative);
        if !path.is_file() {
            self.error(
                line,
                format!(
                    "{what} \"{relative}\" does not exist in {}",
                    folder.display()
                ),
            );
        }
    }

    fn identifier(&mut self, id: &str, what: &str, line: Option<usize>) {
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            self.error(
                line,
                format!("{what} \"{id}\" may only use lowercase letters a-z, digits, '-' and '_'"),
            );
        }
    }
}

fn validate_manifest(
    manifest: &ExhibitManifest,
    folder: &Path,
    source: &str,
    rules: &ValidationRules,
) -> Vec<Problem> {
    let mut check = Checker {
        file: folder.join(MANIFEST_FILE),
        source,
        rules,
        problems: Vec::new(),
    };
    let line_of = |key: &str, nth: usize| find_key_line(source, key, nth);

    check.identifier(&manifest.id, "exhibit id", line_of("id", 0));
    check.text(&manifest.title, "the title", line_of("title", 0));
    if !manifest.summary.0.is_empty() {
        check.text(&manifest.summary, "the summary", line_of("summary", 0));
    }
    if let Some(thumbnail) = &manifest.thumbnail {
        check.asset(
            folder,
            thumbnail,
            "thumbnail image",
            line_of("thumbnail", 0),
        );
    }

    match manifest.kind {
        ExhibitKind::Story => {
            if manifest.pages.is_empty() {
                check.error(
                    line_of("kind", 0),
                    "a story needs at least one [[pages]] entry".to_owned(),
                );
            }
            if !manifest.questions.is_empty() {
                check.error(
                    find_table_line(source, "questions", 0),
                    "a story cannot have [[questions]]; use kind = \"quiz\"".to_owned(),
                );
            }
            for (index, page) in manifest.pages.iter().enumerate() {
                let line = find_table_line(check.source, "pages", index);
                check.text(&page.text, &format!("page {}", index + 1), line);
                if let Some(image) = &page.image {
                    check.asset(folder, image, &format!("page {} image", index + 1), line);
                }
            }
        }
        ExhibitKind::Quiz => {
            if manifest.questions.is_empty() {
                check.error(
                    line_of("kind", 0),
                    "a quiz needs at least one [[questions]] entry".to_owned(),
                );
            }
            if !manifest.pages.is_empty() {
                check.error(
                    find_table_line(source, "pages", 0),
                    "a quiz cannot have [[pages]]; use kind = \"story\"".to_owned(),
                );
            }
            validate_questions(&mut check, &manifest.questions);
        }
    }
    check.problems
}

fn validate_questions(check: &mut Checker<'_>, questions: &[Question]) {
    let mut question_ids = HashSet::new();
    let mut choice_table_index = 0;
    for (index, question) in questions.iter().enumerate() {
        let line = find_table_line(check.source, "questions", index);
        let name = format!("question \"{}\"", question.id);
        check.identifier(&question.id, "question id", line);
        if !question_ids.insert(question.id.as_str()) {
            check.error(
                line,
                format!("question id \"{}\" is used twice in this quiz", question.id),
            );
        }
        check.text(&question.prompt, &format!("the prompt of {name}"), line);
        check.text(
            &question.explanation,
            &format!("the explanation of {name}"),
            line,
        );
        if question.choices.len() < 2 {
            check.error(line, format!("{name} needs at least two choices"));
        }
        let mut choice_ids = HashSet::new();
        for choice in &question.choices {
            let choice_line =
                find_table_line(check.source, "questions.choices", choice_table_index);
            choice_table_index += 1;
            check.identifier(&choice.id, "choice id", choice_line);
            if !choice_ids.insert(choice.id.as_str()) {
                check.error(
                    choice_line,
                    format!("choice id \"{}\" is used twice in {name}", choice.id),
                );
            }
            check.text(
                &choice.text,
                &format!("choice \"{}\" of {name}", choice.id),
                choice_line,
            );
        }
        let correct = question.choices.iter().filter(|c| c.correct).count();
        if correct != 1 {
            check.error(
                line,
                format!(
                    "{name} is single choice and needs exactly one choice with correct = true (it has {correct})"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
