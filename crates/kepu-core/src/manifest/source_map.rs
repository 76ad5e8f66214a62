//! Where a field sits in a TOML file: semantic problems (a bad reference, a wrong range) are
//! found on the typed manifest, then located in the text through a span-keeping parse.

use super::types::OLD_NAMES;
use std::cell::OnceCell;
use std::fmt;

/// One step of a path into a TOML document: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Self::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

/// A path like `questions[2].choices[0].id`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub fn child(&self, seg: impl Into<Seg>) -> Self {
        let mut path = self.0.clone();
        path.push(seg.into());
        Self(path)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if i == 0 => write!(f, "{key}")?,
                Seg::Key(key) => write!(f, ".{key}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Builds a [`FieldPath`] from keys and indices: `at!["questions", 2, "id"]`.
#[macro_export]
macro_rules! at {
    ($($seg:expr),* $(,)?) => {
        $crate::manifest::FieldPath(vec![$($crate::manifest::Seg::from($seg)),*])
    };
}

/// The text of one TOML file, parsed for spans only when a problem needs locating (valid files,
/// the common case, never pay for it).
pub struct SourceMap<'a> {
    source: &'a str,
    document: OnceCell<Option<toml_edit::ImDocument<&'a str>>>,
}

impl<'a> SourceMap<'a> {
    pub fn new(source: &'a str) -> Self {
        Self {
            source,
            document: OnceCell::new(),
        }
    }

    fn document(&self) -> Option<&toml_edit::ImDocument<&'a str>> {
        self.document
            .get_or_init(|| toml_edit::ImDocument::parse(self.source).ok())
            .as_ref()
    }

    /// 1-based line and column of the field at `path`, or of its nearest ancestor that exists.
    /// A field written under its old name ([`OLD_NAMES`]) is found there.
    pub fn locate(&self, path: &FieldPath) -> Option<(usize, usize)> {
        let mut item = self.document()?.as_item();
        let mut best = None;
        for (depth, seg) in path.0.iter().enumerate() {
            let next = match seg {
                Seg::Key(key) => item.get(key.as_str()).or_else(|| {
                    OLD_NAMES
                        .iter()
                        .filter(|renamed| {
                            renamed.new == key && is_at(renamed.table, &path.0[..depth])
                        })
                        .find_map(|renamed| item.get(renamed.old))
                }),
                Seg::Index(index) => item.get(*index),
            };
            match next {
                Some(next) => {
                    item = next;
                    if let Some(span) = item.span() {
                        best = Some(span.start);
                    }
                }
                None => break,
            }
        }
        best.map(|offset| line_and_column(self.source, offset))
    }

    /// 1-based line and column of the key `path` ends in, when the file has exactly that key
    /// (no ancestor stands in for it).
    pub fn locate_key(&self, path: &FieldPath) -> Option<(usize, usize)> {
        let (Seg::Key(last), parents) = path.0.split_last()? else {
            return None;
        };
        let mut item = self.document()?.as_item();
        for seg in parents {
            item = match seg {
                Seg::Key(key) => item.get(key.as_str())?,
                Seg::Index(index) => item.get(*index)?,
            };
        }
        let (key, _) = item.as_table_like()?.get_key_value(last)?;
        let span = key.span()?;
        Some(line_and_column(self.source, span.start))
    }

    /// Whether the text has `word` anywhere: a cheap test before a search by keys.
    pub fn mentions(&self, word: &str) -> bool {
        self.source.contains(word)
    }
}

/// Whether `path` is at a table of `pattern` (`"*"`: any index).
pub(super) fn is_at(pattern: &[&str], path: &[Seg]) -> bool {
    pattern.len() == path.len()
        && pattern.iter().zip(path).all(|(want, seg)| match seg {
            Seg::Key(key) => want == key,
            Seg::Index(_) => *want == "*",
        })
}

/// 1-based line and column of a byte offset.
pub fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let last = before.rsplit('\n').next().unwrap_or_default();
    // A byte-order mark is no column: editors do not show it.
    let last = if line == 1 {
        last.strip_prefix('\u{feff}').unwrap_or(last)
    } else {
        last
    };
    let column = last.chars().count() + 1;
    (line, column)
}
