//! Where a field sits in a TOML file: semantic problems (a bad reference, a wrong range) are
//! found on the typed manifest, then located in the text through a span-keeping parse.

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

    /// 1-based line and column of the field at `path`, or of its nearest ancestor that exists.
    pub fn locate(&self, path: &FieldPath) -> Option<(usize, usize)> {
        let document = self
            .document
            .get_or_init(|| toml_edit::ImDocument::parse(self.source).ok())
            .as_ref()?;
        let mut item = document.as_item();
        let mut best = None;
        for seg in &path.0 {
            let next = match seg {
                Seg::Key(key) => item.get(key.as_str()),
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
