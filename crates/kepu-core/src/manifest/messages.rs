//! Every sentence a curator reads about a manifest that cannot be read as written: the words
//! live here, apart from how the mistakes are found (`lenient`, `syntax`), so another language
//! is one more function beside [`Mistake::english`].

use std::fmt::Write as _;

/// A value as the curator wrote it, as far as a message needs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Found {
    Text(String),
    Number(String),
    Boolean(bool),
    Table,
    List,
    Date,
    Other(String),
}

impl Found {
    /// The value written as TOML, for a message (`"0.5"`, `3`, `true`).
    fn written(&self) -> String {
        match self {
            Self::Text(text) => format!("\"{text}\""),
            Self::Number(number) => number.clone(),
            Self::Boolean(value) => value.to_string(),
            Self::Table => "a table".to_owned(),
            Self::List => "a list".to_owned(),
            Self::Date => "a date".to_owned(),
            Self::Other(what) => what.clone(),
        }
    }
}

/// What a field holds, as far as a message needs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Want {
    Number,
    WholeNumber,
    Boolean,
    Text,
    /// `{ zh = "…", en = "…" }`.
    LocalizedText,
    Table,
    List,
    /// A list of exactly this many numbers (`rect`, `circle`, a polygon's point).
    Numbers(usize),
    /// A name in quotes, one of these.
    OneOf(&'static [&'static str]),
    /// A page's narration: a file, or a file per language.
    Narration,
    /// What serde calls it, when none of the above.
    Other(String),
}

/// Where a mistake is, in words: the field it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Field {
    pub name: String,
    /// The value is one element of a list (`audiences = ["kids"]`).
    pub in_list: bool,
}

impl Field {
    fn subject(&self) -> String {
        if self.in_list {
            format!("each value in `{}`", self.name)
        } else {
            format!("`{}`", self.name)
        }
    }
}

/// One thing wrong with a manifest's text or shape.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Mistake {
    /// A value of the wrong type. `unquoted`: what the value would be without its quotes, when
    /// that is what the field wants (`min = "0.5"`).
    WrongType {
        field: Field,
        want: Want,
        found: Found,
        unquoted: Option<String>,
    },
    /// A number of the right type outside what the field can hold (`intended_secs = -5`).
    OutOfRange {
        field: Field,
        found: Found,
        want: Want,
    },
    /// A list with the wrong number of values (`rect = [1, 2, 3]`).
    WrongLength {
        field: Field,
        length: usize,
        want: usize,
    },
    /// A field this table does not have (`titel`).
    UnknownField {
        name: String,
        suggestion: Option<&'static str>,
        known: Vec<&'static str>,
    },
    /// A name that is not one of a field's names (`audiences = ["elderly"]`), or a table key
    /// that must be one (`[pools]`' audiences).
    UnknownName {
        field: Field,
        name: String,
        suggestion: Option<&'static str>,
        allowed: &'static [&'static str],
    },
    /// A field given under its new name and its old one in one table (`label` and `text`).
    OldAndNewName {
        old: String,
        new: String,
    },
    /// Required fields a table lacks (one message for all of them).
    MissingFields {
        names: Vec<String>,
    },
    /// A value the reader refused for another reason, in its own words.
    Unreadable {
        field: Option<Field>,
        detail: String,
    },
    Syntax(Syntax),
}

/// A mistake in the TOML itself: the file cannot be read past it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Syntax {
    /// A string opened at this column and not closed on its line.
    Unclosed { column: usize, quote: char },
    /// A `{ … }` (or a `[ … ]`) opened at this column and not closed.
    UnclosedBracket {
        column: usize,
        open: char,
        close: char,
    },
    /// A section header without its closing brackets (`[[questions]`).
    Header { written: String, fixed: String },
    /// `key: value`.
    Colon,
    /// `{ a = 1, }`.
    TrailingComma,
    /// A full-width character where TOML needs its ASCII form.
    FullWidth { found: char, ascii: char },
    /// A key given twice in one table.
    DuplicateKey { key: String },
    /// `key =` with nothing after it.
    NoValue { key: String },
    /// `kind = story`: a word without quotes.
    Unquoted { word: String },
    /// Anything else, in the TOML reader's words (possibly none).
    Other { detail: String },
}

/// How many allowed names a message lists before "…".
const MAX_LISTED: usize = 20;

impl Mistake {
    pub(super) fn english(&self) -> String {
        match self {
            Self::WrongType {
                field,
                want,
                found,
                unquoted,
            } => wrong_type(field, want, found, unquoted.as_deref()),
            Self::OutOfRange { field, found, want } => {
                let subject = field.subject();
                let found = found.written();
                match want {
                    Want::WholeNumber if found.starts_with('-') => {
                        format!("{subject} must be a whole number of 0 or more, not {found}")
                    }
                    Want::WholeNumber => {
                        format!("{subject} must be a whole number up to 4294967295, not {found}")
                    }
                    _ => format!("{subject} cannot be {found}"),
                }
            }
            Self::WrongLength {
                field,
                length,
                want,
            } => format!(
                "`{}` must have {want} numbers, like {}; it has {length}",
                field.name,
                example_numbers(*want)
            ),
            Self::UnknownField {
                name,
                suggestion,
                known,
            } => match suggestion {
                Some(suggestion) => {
                    format!("`{name}` is not a field here; did you mean `{suggestion}`?")
                }
                None if known.is_empty() => format!("`{name}` is not a field here"),
                None => format!(
                    "`{name}` is not a field here; the fields here are {}",
                    list(known)
                ),
            },
            Self::UnknownName {
                field,
                name,
                suggestion,
                allowed,
            } => {
                let mut message = format!(
                    "unknown {} `{name}`: use one of {}",
                    noun(&field.name),
                    list(allowed)
                );
                if let Some(suggestion) = suggestion {
                    let _ = write!(message, " (did you mean `{suggestion}`?)");
                }
                message
            }
            Self::OldAndNewName { old, new } => format!(
                "`{old}` is the old name of `{new}`, and `{new}` is given too: keep only `{new}`"
            ),
            Self::MissingFields { names } => match names.as_slice() {
                [name] => format!("required field `{name}` is missing"),
                [first @ .., last] => format!(
                    "required fields {} and `{last}` are missing",
                    first
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                [] => "a required field is missing".to_owned(),
            },
            Self::Unreadable { field, detail } => match field {
                Some(field) => format!(
                    "{} is not written the way this field needs ({detail}); docs/manifest.md shows how",
                    field.subject()
                ),
                None => format!("this cannot be read ({detail}); docs/manifest.md shows how"),
            },
            Self::Syntax(syntax) => syntax_english(syntax),
        }
    }
}

fn wrong_type(field: &Field, want: &Want, found: &Found, unquoted: Option<&str>) -> String {
    let subject = field.subject();
    let quoted = matches!(found, Found::Text(_));
    match want {
        Want::Number | Want::WholeNumber => {
            let what = if *want == Want::Number {
                "a number"
            } else {
                "a whole number"
            };
            match (unquoted, found) {
                (Some(value), _) => {
                    format!("{subject} must be {what}, like `{value}` — remove the quotes")
                }
                (None, Found::Number(number)) => {
                    format!("{subject} must be {what}, without decimals: `{number}` has some")
                }
                _ => {
                    let example = if *want == Want::Number { "0.5" } else { "60" };
                    format!("{subject} must be {what}, like `{example}`")
                }
            }
        }
        Want::Boolean if quoted => format!("{subject} must be `true` or `false`, without quotes"),
        Want::Boolean => format!("{subject} must be `true` or `false`"),
        Want::Text => format!(
            "{subject} must be text in quotes, like `\"{}\"`",
            match found {
                Found::Number(number) => number.clone(),
                Found::Boolean(value) => value.to_string(),
                _ => "…".to_owned(),
            }
        ),
        Want::LocalizedText => format!(
            "{subject} must give its text in each language, like `{{ zh = \"…\", en = \"…\" }}`"
        ),
        Want::Table => format!("{subject} must be a table, like `{{ … }}` or a `[…]` section"),
        Want::List => match found {
            Found::Table => format!(
                "{subject} must be a list: write each entry under its own `[[{}]]`",
                field.name
            ),
            Found::Text(text) => {
                format!("{subject} must be a list in square brackets, like `[\"{text}\"]`")
            }
            _ => format!("{subject} must be a list in square brackets, like `[…]`"),
        },
        Want::Numbers(count) => format!(
            "{subject} must be a list of {count} numbers, like {}",
            example_numbers(*count)
        ),
        Want::OneOf([]) => {
            format!("{subject} must be a name in quotes")
        }
        Want::OneOf(allowed) => format!(
            "{subject} must be a name in quotes, one of {}",
            list(allowed)
        ),
        Want::Narration => format!(
            "{subject} must be a sound file in quotes, like `\"page1.ogg\"`, or one per language, like `{{ zh = \"page1-zh.ogg\", en = \"page1-en.ogg\" }}`"
        ),
        Want::Other(expected) => format!(
            "{subject} must be {expected}, not {}; docs/manifest.md shows how",
            found.written()
        ),
    }
}

fn syntax_english(syntax: &Syntax) -> String {
    match syntax {
        Syntax::Unclosed { column, quote } => format!(
            "the text that starts at column {column} has no closing quote: end it with `{quote}` on the same line"
        ),
        Syntax::UnclosedBracket {
            column,
            open: '{',
            close,
        } => format!(
            "the `{{` at column {column} has no closing `{close}` on its line: a `{{ … }}` must end on the line it starts"
        ),
        Syntax::UnclosedBracket {
            column,
            open,
            close,
        } => format!(
            "the list that starts with `{open}` at column {column} has no closing `{close}`"
        ),
        Syntax::Header { written, fixed } => {
            format!("the section header `{written}` is not closed: write `{fixed}`")
        }
        Syntax::Colon => "write `=` between a key and its value, not `:`".to_owned(),
        Syntax::TrailingComma => {
            "remove this comma: the last value in `{ … }` has no comma after it".to_owned()
        }
        Syntax::FullWidth { found, ascii: ' ' } => {
            format!("`{found}` is a full-width space: type an ordinary space")
        }
        Syntax::FullWidth { found, ascii } => {
            format!("`{found}` is a full-width character: type `{ascii}`")
        }
        Syntax::DuplicateKey { key } => {
            format!("`{key}` is given twice in the same table: keep one")
        }
        Syntax::NoValue { key } => format!(
            "`{key}` has nothing after `=`: give it a value, like `\"text\"`, `1` or `true`"
        ),
        Syntax::Unquoted { word } => {
            format!("text must be in quotes: write `\"{word}\"`")
        }
        Syntax::Other { detail } if detail.is_empty() => {
            "the TOML is not valid here (a key without a value, or an unclosed quote or bracket?)"
                .to_owned()
        }
        Syntax::Other { detail } => format!("the TOML is not valid here: {detail}"),
    }
}

/// What a field's names are called in "unknown … `x`".
fn noun(field: &str) -> String {
    match field {
        "audiences" | "pools" => "audience".to_owned(),
        "kind" => "exhibit kind".to_owned(),
        "type" => "question type".to_owned(),
        "theme" => "theme".to_owned(),
        "missing_language" => "choice for `missing_language`".to_owned(),
        other => format!("value of `{other}`"),
    }
}

fn list(names: &[&str]) -> String {
    let mut text = names
        .iter()
        .take(MAX_LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_LISTED {
        text.push_str(", …");
    }
    text
}

fn example_numbers(count: usize) -> String {
    let numbers: Vec<&str> = ["10", "20", "30", "40"]
        .into_iter()
        .cycle()
        .take(count)
        .collect();
    format!("`[{}]`", numbers.join(", "))
}

impl super::Problem {
    /// The problem as a compiler shows one: `file:line:column: error: message`, then the line
    /// of `source` it is on, with a caret under the column.
    pub fn render(&self, source: &str) -> String {
        let mut out = self.to_string();
        let Some(number) = self.line else {
            return out;
        };
        let Some(text) = source.lines().nth(number.saturating_sub(1)) else {
            return out;
        };
        let text = text.trim_end_matches('\r');
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let gutter = " ".repeat(number.to_string().len());
        let _ = write!(out, "\n{gutter} |\n{number} | {text}");
        if let Some(column) = self.column {
            let before: String = text
                .chars()
                .take(column.saturating_sub(1))
                .flat_map(|c| match c {
                    '\t' => vec!['\t'],
                    c if is_wide(c) => vec![' ', ' '],
                    _ => vec![' '],
                })
                .collect();
            let _ = write!(out, "\n{gutter} | {before}^");
        }
        out
    }
}

/// Whether a terminal shows `c` two columns wide (CJK characters and full-width forms).
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}
