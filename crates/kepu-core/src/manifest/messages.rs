//! Every sentence a curator reads about a manifest that cannot be read as written: the words
//! live here, apart from how the mistakes are found (`lenient`, `syntax`), each in English
//! ([`Mistake::english`]) and Chinese ([`Mistake::chinese`]); and the languages themselves
//! ([`MessageLanguage`], [`Said`]), which the meaning checks and kiosk.toml's use too.

use std::fmt::{self, Write as _};

/// The language a curator reads the validator's messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageLanguage {
    #[default]
    English,
    /// Simplified Chinese.
    Chinese,
}

impl MessageLanguage {
    /// The language a tag names: `zh`, `en`, or a locale such as `zh-CN` or `zh_CN.UTF-8`, in
    /// any case; `None` for any other.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let language = tag
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "zh" => Some(Self::Chinese),
            "en" => Some(Self::English),
            _ => None,
        }
    }

    /// The system's language: Chinese when the locale (`LC_ALL`, else `LC_MESSAGES`, else
    /// `LANG`) is a Chinese one, English otherwise.
    pub fn from_locale() -> Self {
        let variable = |name| std::env::var(name).ok();
        Self::from_locale_values(
            variable("LC_ALL").as_deref(),
            variable("LC_MESSAGES").as_deref(),
            variable("LANG").as_deref(),
        )
    }

    /// [`Self::from_locale`] of these values of `LC_ALL`, `LC_MESSAGES` and `LANG`: the first
    /// that is set and not empty decides, as it does for every program's messages.
    pub fn from_locale_values(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Self {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("zh") {
            Self::Chinese
        } else {
            Self::English
        }
    }
}

/// One sentence in each language a curator may read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Said {
    pub en: String,
    pub zh: String,
}

impl Said {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn in_language(&self, language: MessageLanguage) -> &str {
        match language {
            MessageLanguage::English => &self.en,
            MessageLanguage::Chinese => &self.zh,
        }
    }
}

/// English, like every `Display` of the validator's.
impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Said`] from an English and a Chinese format string, which name the same variables;
/// the phrases listed after `;` are [`Said`]s too, each put in in its own language:
/// `said!("the image of {name}", "{name}的图片"; name)`.
macro_rules! said {
    ($en:literal, $zh:literal $(; $($phrase:ident),+)? $(,)?) => {
        $crate::manifest::Said {
            en: {
                $($(#[allow(unused_variables)] let $phrase = &$phrase.en;)+)?
                format!($en)
            },
            zh: {
                $($(#[allow(unused_variables)] let $phrase = &$phrase.zh;)+)?
                format!($zh)
            },
        }
    };
}
pub(crate) use said;

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
    fn written(&self) -> Said {
        match self {
            Self::Text(text) => {
                let written = format!("\"{text}\"");
                Said::new(written.clone(), written)
            }
            Self::Number(number) => Said::new(number.clone(), number.clone()),
            Self::Boolean(value) => Said::new(value.to_string(), value.to_string()),
            Self::Table => Said::new("a table", "一个表"),
            Self::List => Said::new("a list", "一个列表"),
            Self::Date => Said::new("a date", "一个日期"),
            Self::Other(what) => Said::new(what.clone(), what.clone()),
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
    fn subject(&self) -> Said {
        let name = &self.name;
        if self.in_list {
            said!("each value in `{name}`", "`{name}` 里的每个值")
        } else {
            said!("`{name}`", "`{name}`")
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
    /// The mistake in a curator's words, in each language.
    pub(super) fn said(&self) -> Said {
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
                    Want::WholeNumber if found.en.starts_with('-') => said!(
                        "{subject} must be a whole number of 0 or more, not {found}",
                        "{subject} 要写 0 或更大的整数，不能是 {found}";
                        subject, found
                    ),
                    Want::WholeNumber => said!(
                        "{subject} must be a whole number up to 4294967295, not {found}",
                        "{subject} 要写不超过 4294967295 的整数，不能是 {found}";
                        subject, found
                    ),
                    _ => said!(
                        "{subject} cannot be {found}",
                        "{subject} 不能是 {found}";
                        subject, found
                    ),
                }
            }
            Self::WrongLength {
                field,
                length,
                want,
            } => {
                let (name, example) = (&field.name, example_numbers(*want));
                if field.in_list {
                    said!(
                        "each value in `{name}` must have {want} numbers, like {example}; this one has {length}",
                        "`{name}` 里的每个值要正好 {want} 个数字，例如 {example}；这个有 {length} 个"
                    )
                } else {
                    said!(
                        "`{name}` must have {want} numbers, like {example}; it has {length}",
                        "`{name}` 要正好 {want} 个数字，例如 {example}；现在有 {length} 个"
                    )
                }
            }
            Self::UnknownField {
                name,
                suggestion,
                known,
            } => match suggestion {
                Some(suggestion) => said!(
                    "`{name}` is not a field here; did you mean `{suggestion}`?",
                    "`{name}` 不是这里的字段；是不是想写 `{suggestion}`？"
                ),
                None if known.is_empty() => {
                    said!("`{name}` is not a field here", "`{name}` 不是这里的字段")
                }
                None => {
                    let known = list(known);
                    said!(
                        "`{name}` is not a field here; the fields here are {known}",
                        "`{name}` 不是这里的字段；这里的字段有：{known}"
                    )
                }
            },
            Self::UnknownName {
                field,
                name,
                suggestion,
                allowed,
            } => {
                let (noun, allowed) = (noun(&field.name), list(allowed));
                let mut message = said!(
                    "unknown {noun} `{name}`: use one of {allowed}",
                    "没有这种{noun}：`{name}`；可选：{allowed}";
                    noun
                );
                if let Some(suggestion) = suggestion {
                    let _ = write!(message.en, " (did you mean `{suggestion}`?)");
                    let _ = write!(message.zh, "（是不是想写 `{suggestion}`？）");
                }
                message
            }
            Self::OldAndNewName { old, new } => said!(
                "`{old}` is the old name of `{new}`, and `{new}` is given too: keep only `{new}`",
                "`{old}` 是 `{new}` 的旧名字，这里也写了 `{new}`：只保留 `{new}`"
            ),
            Self::MissingFields { names } => {
                let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
                match quoted.as_slice() {
                    [name] => said!("required field {name} is missing", "缺少必填字段 {name}"),
                    [first @ .., last] => {
                        let (first_en, first_zh) = (first.join(", "), first.join("、"));
                        said!(
                            "required fields {first_en} and {last} are missing",
                            "缺少必填字段 {first_zh} 和 {last}"
                        )
                    }
                    [] => Said::new("a required field is missing", "缺少必填字段"),
                }
            }
            Self::Unreadable { field, detail } => match field {
                Some(field) => {
                    let subject = field.subject();
                    said!(
                        "{subject} is not written the way this field needs ({detail}); docs/manifest.md shows how",
                        "{subject} 的写法不对（{detail}）；写法见 docs/manifest.md";
                        subject
                    )
                }
                None => said!(
                    "this cannot be read ({detail}); docs/manifest.md shows how",
                    "这里读不懂（{detail}）；写法见 docs/manifest.md"
                ),
            },
            Self::Syntax(syntax) => syntax_said(syntax),
        }
    }
}

fn wrong_type(field: &Field, want: &Want, found: &Found, unquoted: Option<&str>) -> Said {
    let subject = field.subject();
    let quoted = matches!(found, Found::Text(_));
    match want {
        Want::Number | Want::WholeNumber => {
            let what = if *want == Want::Number {
                Said::new("a number", "数字")
            } else {
                Said::new("a whole number", "整数")
            };
            match (unquoted, found) {
                (Some(value), _) => said!(
                    "{subject} must be {what}, like `{value}` — remove the quotes",
                    "{subject} 要写{what}，例如 `{value}`：去掉引号";
                    subject, what
                ),
                (None, Found::Number(number)) => said!(
                    "{subject} must be {what}, without decimals: `{number}` has some",
                    "{subject} 要写{what}，不能有小数：`{number}` 有小数";
                    subject, what
                ),
                _ => {
                    let example = if *want == Want::Number { "0.5" } else { "60" };
                    said!(
                        "{subject} must be {what}, like `{example}`",
                        "{subject} 要写{what}，例如 `{example}`";
                        subject, what
                    )
                }
            }
        }
        Want::Boolean if quoted => said!(
            "{subject} must be `true` or `false`, without quotes",
            "{subject} 只能写 `true` 或 `false`，不要加引号";
            subject
        ),
        Want::Boolean => said!(
            "{subject} must be `true` or `false`",
            "{subject} 只能写 `true` 或 `false`";
            subject
        ),
        Want::Text => {
            let example = match found {
                Found::Number(number) => number.clone(),
                Found::Boolean(value) => value.to_string(),
                _ => "…".to_owned(),
            };
            said!(
                "{subject} must be text in quotes, like `\"{example}\"`",
                "{subject} 要写成带引号的文字，例如 `\"{example}\"`";
                subject
            )
        }
        Want::LocalizedText => said!(
            "{subject} must give its text in each language, like `{{ zh = \"…\", en = \"…\" }}`",
            "{subject} 要分别写出每种语言的文字，例如 `{{ zh = \"…\", en = \"…\" }}`";
            subject
        ),
        Want::Table => said!(
            "{subject} must be a table, like `{{ … }}` or a `[…]` section",
            "{subject} 要写成表，例如 `{{ … }}` 或一个 `[…]` 小节";
            subject
        ),
        Want::List => {
            let name = &field.name;
            match found {
                Found::Table => said!(
                    "{subject} must be a list: write each entry under its own `[[{name}]]`",
                    "{subject} 要写成列表：每一项单独写在一个 `[[{name}]]` 下面";
                    subject
                ),
                Found::Text(text) => said!(
                    "{subject} must be a list in square brackets, like `[\"{text}\"]`",
                    "{subject} 要写成方括号里的列表，例如 `[\"{text}\"]`";
                    subject
                ),
                _ => said!(
                    "{subject} must be a list in square brackets, like `[…]`",
                    "{subject} 要写成方括号里的列表，例如 `[…]`";
                    subject
                ),
            }
        }
        Want::Numbers(count) => {
            let example = example_numbers(*count);
            said!(
                "{subject} must be a list of {count} numbers, like {example}",
                "{subject} 要写成 {count} 个数字的列表，例如 {example}";
                subject
            )
        }
        Want::OneOf([]) => said!(
            "{subject} must be a name in quotes",
            "{subject} 要写带引号的名称";
            subject
        ),
        Want::OneOf(allowed) => {
            let allowed = list(allowed);
            said!(
                "{subject} must be a name in quotes, one of {allowed}",
                "{subject} 要写带引号的名称，可选：{allowed}";
                subject
            )
        }
        Want::Narration => said!(
            "{subject} must be a sound file in quotes, like `\"page1.ogg\"`, or one per language, like `{{ zh = \"page1-zh.ogg\", en = \"page1-en.ogg\" }}`",
            "{subject} 要写带引号的声音文件名，例如 `\"page1.ogg\"`，或每种语言一个，例如 `{{ zh = \"page1-zh.ogg\", en = \"page1-en.ogg\" }}`";
            subject
        ),
        Want::Other(expected) => {
            let found = found.written();
            said!(
                "{subject} must be {expected}, not {found}; docs/manifest.md shows how",
                "{subject} 的写法不对（要 {expected}，写的是 {found}）；写法见 docs/manifest.md";
                subject, found
            )
        }
    }
}

fn syntax_said(syntax: &Syntax) -> Said {
    match syntax {
        Syntax::Unclosed { column, quote } => said!(
            "the text that starts at column {column} has no closing quote: end it with `{quote}` on the same line",
            "从第 {column} 列开始的文字缺少结尾的引号：请在同一行用 `{quote}` 结束它"
        ),
        Syntax::UnclosedBracket {
            column,
            open: '{',
            close,
        } => said!(
            "the `{{` at column {column} has no closing `{close}` on its line: a `{{ … }}` must end on the line it starts",
            "第 {column} 列的 `{{` 在这一行没有对应的 `{close}`：`{{ … }}` 必须在同一行写完"
        ),
        Syntax::UnclosedBracket {
            column,
            open,
            close,
        } => said!(
            "the list that starts with `{open}` at column {column} has no closing `{close}`",
            "从第 {column} 列的 `{open}` 开始的列表缺少结尾的 `{close}`"
        ),
        Syntax::Header { written, fixed } => said!(
            "the section header `{written}` is not closed: write `{fixed}`",
            "小节标题 `{written}` 没有写完：应写成 `{fixed}`"
        ),
        Syntax::Colon => Said::new(
            "write `=` between a key and its value, not `:`",
            "字段名和值之间要写 `=`，不是 `:`",
        ),
        Syntax::TrailingComma => Said::new(
            "remove this comma: the last value in `{ … }` has no comma after it",
            "删掉这个逗号：`{ … }` 里最后一个值后面不加逗号",
        ),
        Syntax::FullWidth { found, ascii: ' ' } => said!(
            "`{found}` is a full-width space: type an ordinary space",
            "`{found}` 是全角空格：请换成普通的半角空格"
        ),
        Syntax::FullWidth { found, ascii } => said!(
            "`{found}` is a full-width character: type `{ascii}`",
            "`{found}` 是全角字符：请换成半角的 `{ascii}`（切换到英文输入法再打）"
        ),
        Syntax::DuplicateKey { key } => said!(
            "`{key}` is given twice in the same table: keep one",
            "`{key}` 在同一个表里写了两次：只保留一个"
        ),
        Syntax::NoValue { key } => said!(
            "`{key}` has nothing after `=`: give it a value, like `\"text\"`, `1` or `true`",
            "`{key}` 的 `=` 后面什么也没写：请写上值，例如 `\"文字\"`、`1` 或 `true`"
        ),
        Syntax::Unquoted { word } => said!(
            "text must be in quotes: write `\"{word}\"`",
            "文字要放在引号里：写成 `\"{word}\"`"
        ),
        Syntax::Other { detail } if detail.is_empty() => Said::new(
            "the TOML is not valid here (a key without a value, or an unclosed quote or bracket?)",
            "这里的 TOML 写法不对（是不是少了值，或者引号、括号没有配对？）",
        ),
        Syntax::Other { detail } => said!(
            "the TOML is not valid here: {detail}",
            "这里的 TOML 写法不对：{detail}"
        ),
    }
}

/// What a field's names are called in "unknown … `x`".
fn noun(field: &str) -> Said {
    match field {
        "audiences" | "pools" => Said::new("audience", "观众类型"),
        "kind" => Said::new("exhibit kind", "展品类型"),
        "type" => Said::new("question type", "题型"),
        "theme" => Said::new("theme", "主题"),
        "mode" => Said::new("hotspots mode", "热点玩法（mode）"),
        "missing_language" => {
            Said::new("choice for `missing_language`", "`missing_language` 的选项")
        }
        other => said!("value of `{other}`", " `{other}` 的值"),
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
    /// of `source` it is on, with a caret under the column; in English.
    pub fn render(&self, source: &str) -> String {
        self.render_in(source, MessageLanguage::English)
    }

    /// [`Self::render`] in `language` (`错误`/`警告` for error/warning in Chinese).
    pub fn render_in(&self, source: &str, language: MessageLanguage) -> String {
        let mut out = self.header_in(language);
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
