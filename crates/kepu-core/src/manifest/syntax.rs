//! A TOML syntax error, explained: the TOML reader knows where it stopped, this finds what a
//! curator did there — a quote not closed, a full-width character typed by a Chinese input
//! method, a key given twice, a key without a value, a word without quotes.
//!
//! The TOML reader stops at the first error; [`recover`] finds the others. After each error
//! its line is repaired where the fix is certain (a full-width character, a section header
//! without its closing brackets) or else blanked, with what belongs to it (the rest of a value
//! over several lines, the body of a section whose header is beyond repair), and the text is
//! read again: every broken line gets one message. Nothing a curator sees comes from the
//! blanking: the keys blanked are named, so that "required field missing" is not said of
//! them, and a string over several lines that is not closed ends the search (what follows it
//! cannot be told apart from its text).

use super::messages::Syntax;
use std::collections::BTreeSet;

/// Most syntax errors looked for in one file.
const MAX_SYNTAX_ERRORS: usize = 50;

/// What [`recover`] found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Recovered {
    /// Each syntax error: 1-based line and column (as in the source), and what it is.
    pub errors: Vec<(usize, usize, Syntax)>,
    /// The source with each broken line repaired or blanked: valid TOML when `complete`, with
    /// as many lines as the source, and every line without an error as in the source (so a
    /// line and column in it is one in the source).
    pub text: String,
    /// The keys (and section names) of the blanked lines.
    pub blanked_keys: BTreeSet<String>,
    /// Whether `text` is valid TOML: every error was found.
    pub complete: bool,
}

/// Every syntax error of `source` (none: it is valid TOML), and the source without them.
pub(super) fn recover(source: &str) -> Recovered {
    let mut lines: Vec<String> = source.split('\n').map(str::to_owned).collect();
    let mut recovered = Recovered {
        errors: Vec::new(),
        text: source.to_owned(),
        blanked_keys: BTreeSet::new(),
        complete: false,
    };
    for _ in 0..=MAX_SYNTAX_ERRORS {
        let text = lines.join("\n");
        let err = match toml_edit::ImDocument::parse(text.as_str()) {
            Ok(_) => {
                recovered.text = text;
                recovered.complete = true;
                return recovered;
            }
            Err(err) => err,
        };
        recovered.text.clone_from(&text);
        if recovered.errors.len() == MAX_SYNTAX_ERRORS {
            return recovered;
        }
        let offset = err.span().map_or(0, |span| span.start);
        let (at, syntax) = diagnose(&text, offset, err.message());
        let (line, column) = super::source_map::line_and_column(&text, at);
        let index = line - 1;
        let seen = recovered.errors.iter().any(|(l, ..)| *l == line);
        let unclosed_long_string = text.matches("\"\"\"").count() % 2 == 1
            || text.matches("\'\'\'").count() % 2 == 1
            || lines[index].contains("\"\"\"")
            || lines[index].contains("\'\'\'");
        if !seen {
            recovered.errors.push((line, column, syntax.clone()));
        }
        if unclosed_long_string
            || lines[index]
                .trim_matches(['\u{feff}', ' ', '\t', '\r'])
                .is_empty()
        {
            // Nothing certain to take out: the errors found so far are all there is to say.
            return recovered;
        }
        let in_line = at - text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let repaired = if seen {
            None
        } else {
            repair(&lines[index], in_line, &syntax)
        };
        match repaired {
            Some(line) => lines[index] = line,
            None => blank(&mut lines, index, &mut recovered.blanked_keys),
        }
    }
    recovered
}

/// The line with its error (at byte `at` of the line) fixed, where the fix is certain.
fn repair(line: &str, at: usize, syntax: &Syntax) -> Option<String> {
    match syntax {
        Syntax::FullWidth { found, ascii } => {
            let after = line.get(at..)?.strip_prefix(*found)?;
            Some(format!("{}{ascii}{after}", &line[..at]))
        }
        Syntax::Header { written, fixed } => Some(line.replacen(written.as_str(), fixed, 1)),
        _ => None,
    }
}

/// Blanks the line at `index` and what belongs to it: the lines a value it opens goes on
/// over, or, for a section header, the section's body.
fn blank(lines: &mut [String], index: usize, keys: &mut BTreeSet<String>) {
    let is_header = lines[index].trim_start().starts_with('[');
    let mut depth = 0i64;
    let mut current = index;
    loop {
        let line = std::mem::take(&mut lines[current]);
        if current == 0 && line.starts_with('\u{feff}') {
            lines[current] = "\u{feff}".to_owned();
        }
        if let Some(key) = key_of(&line) {
            keys.insert(key);
        }
        depth += open_lists(&line);
        current += 1;
        let Some(next) = lines.get(current) else {
            return;
        };
        // A list's next line holds values; a key or a section header is past its end, even
        // when the list was never closed.
        let more = if is_header {
            !is_header_line(next)
        } else {
            depth > 0 && !is_header_line(next) && !is_key_line(next)
        };
        if !more {
            return;
        }
    }
}

/// Whether the line is a section header (`[pools]`, `[[questions.choices]]`), not a list
/// that goes on from the line before (`[[880, 180], [1120, 240]],`).
fn is_header_line(line: &str) -> bool {
    let code = line.trim();
    let Some(rest) = code.strip_prefix('[') else {
        return false;
    };
    let name = rest
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or_default();
    name.chars().any(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
}

/// Whether the line gives a key its value (`kind = "quiz"`).
fn is_key_line(line: &str) -> bool {
    line.split_once('=').is_some_and(|(key, _)| {
        let key = key.trim();
        let quoted_whole = !key.starts_with('"') || (key.len() >= 2 && key.ends_with('"'));
        !key.is_empty()
            && quoted_whole
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
    })
}

/// The key a line gives a value to (`kind` of `kind = "quiz"`, also `kind: "quiz"`), or the
/// last name of the section it heads (`choices` of `[[questions.choices]`); none for a line
/// that is neither (the values of a list).
fn key_of(line: &str) -> Option<String> {
    let code = line.trim_start_matches('\u{feff}').trim();
    let name = if code.starts_with('[') {
        code.trim_start_matches('[').split(']').next()?
    } else {
        code.split_once(['=', ':', '＝', '：'])?.0
    };
    let name = name.rsplit('.').next()?.trim().trim_matches(['"', '\'']);
    let is_a_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    is_a_name.then(|| name.to_owned())
}

/// How many more lists the line opens than it closes, outside strings and comments (only a
/// list may go on over lines; a `{ … }` ends on its line).
fn open_lists(line: &str) -> i64 {
    let mut depth = 0;
    let mut quote = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' => break,
                '"' | '\'' => quote = Some(c),
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            },
        }
    }
    depth
}

/// Full-width characters a Chinese input method types, and what TOML needs instead.
const FULL_WIDTH: &[(char, char)] = &[
    ('＝', '='),
    ('，', ','),
    ('：', ':'),
    ('［', '['),
    ('］', ']'),
    ('｛', '{'),
    ('｝', '}'),
    ('“', '"'),
    ('”', '"'),
    ('＂', '"'),
    ('‘', '\''),
    ('’', '\''),
    ('＃', '#'),
    ('．', '.'),
    ('\u{3000}', ' '),
];

/// The ASCII character TOML needs for a full-width one.
fn ascii_for(c: char) -> Option<char> {
    FULL_WIDTH
        .iter()
        .find_map(|&(wide, ascii)| (wide == c).then_some(ascii))
}

/// What went wrong at byte `offset` of `source`, where the TOML reader stopped with `detail`,
/// and the byte offset a curator should look at.
pub(super) fn diagnose(source: &str, offset: usize, detail: &str) -> (usize, Syntax) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    if let Some(key) = detail
        .strip_prefix("duplicate key `")
        .and_then(|rest| rest.split('`').next())
    {
        return (
            offset,
            Syntax::DuplicateKey {
                key: key.to_owned(),
            },
        );
    }
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    // The reader may stop at the end of the line with the mistake, or at the start of the next.
    let mut lines = vec![line_start];
    if line_start > 0 {
        lines.push(source[..line_start - 1].rfind('\n').map_or(0, |i| i + 1));
    }
    for start in lines {
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[start..end].trim_end_matches('\r');
        if let Some((at, syntax)) = scan(line, detail.contains("array")) {
            return (start + at, syntax);
        }
        if let Some((at, syntax)) = key_value_shape(line) {
            return (start + at, syntax);
        }
    }
    (
        offset,
        Syntax::Other {
            detail: detail.trim().replace('\n', "; "),
        },
    )
}

/// What is wrong on one line, read outside strings: a section header not closed, a full-width
/// character, a string not closed, `:` for `=`, a comma before `}`, a `{ … }` (or, when the
/// reader stopped in a list, a `[ … ]`) not closed on its line.
fn scan(line: &str, in_list: bool) -> Option<(usize, Syntax)> {
    let column_of = |at: usize| line[..at].chars().count() + 1;
    if let Some(syntax) = header(line) {
        return Some((0, syntax));
    }
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut last = None;
    let mut seen_equals = false;
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => break,
            '"' | '\'' => {
                if line[at..].starts_with("\"\"\"") || line[at..].starts_with("\'\'\'") {
                    // A multi-line string: judged by the TOML reader alone.
                    return None;
                }
                let mut closed = false;
                while let Some((_, inner)) = chars.next() {
                    if c == '"' && inner == '\\' {
                        chars.next();
                    } else if inner == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    let column = column_of(at);
                    return Some((at, Syntax::Unclosed { column, quote: c }));
                }
            }
            '=' => seen_equals = true,
            ':' if !seen_equals && open.is_empty() => return Some((at, Syntax::Colon)),
            '{' | '[' => open.push((at, c)),
            '}' | ']' => {
                if c == '}'
                    && let Some((comma, ',')) = last
                {
                    return Some((comma, Syntax::TrailingComma));
                }
                open.pop();
            }
            _ => {
                if let Some(ascii) = ascii_for(c) {
                    return Some((at, Syntax::FullWidth { found: c, ascii }));
                }
            }
        }
        if !c.is_whitespace() && c != '"' && c != '\'' {
            last = Some((at, c));
        } else if !c.is_whitespace() {
            last = Some((at, 'x'));
        }
    }
    open.into_iter()
        .find(|&(_, c)| c == '{' || in_list)
        .map(|(at, c)| {
            let column = column_of(at);
            let close = if c == '{' { '}' } else { ']' };
            (
                at,
                Syntax::UnclosedBracket {
                    column,
                    open: c,
                    close,
                },
            )
        })
}

/// A section header (`[[questions]]`) without its closing brackets.
fn header(line: &str) -> Option<Syntax> {
    let code = line.split('#').next().unwrap_or_default().trim_end();
    let (open, close) = if code.starts_with("[[") {
        ("[[", "]]")
    } else if code.starts_with('[') {
        ("[", "]")
    } else {
        return None;
    };
    let name = code[open.len()..].trim_end_matches(']').trim();
    let is_a_key = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"'));
    if code.ends_with(close) || name.is_empty() || !is_a_key {
        return None;
    }
    Some(Syntax::Header {
        written: code.to_owned(),
        fixed: format!("{open}{name}{close}"),
    })
}

/// `key =` with nothing after it, or `key = word` with the word not in quotes.
fn key_value_shape(line: &str) -> Option<(usize, Syntax)> {
    let code = line.split('#').next().unwrap_or_default();
    let (key, value) = code.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let value_at = code.len() - value.trim_start().len();
    let value = value.trim();
    if value.is_empty() {
        return Some((
            code.len(),
            Syntax::NoValue {
                key: key.to_owned(),
            },
        ));
    }
    let starts_like_a_word = value.chars().next().is_some_and(char::is_alphabetic);
    let is_one_word = value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let is_a_toml_word = matches!(value, "true" | "false" | "inf" | "nan");
    if starts_like_a_word && is_one_word && !is_a_toml_word {
        return Some((
            value_at,
            Syntax::Unquoted {
                word: value.to_owned(),
            },
        ));
    }
    None
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_fixes_a_full_width_character_where_it_is_and_keeps_the_line() {
        // The first `，` is inside the text; the one after it is the mistake.
        let source = "t = { zh = \"甲，乙\"， en = \"x\" }\nkind = \"quiz\"\n";
        let recovered = recover(source);
        assert_eq!(
            recovered.errors,
            [(
                1,
                17,
                Syntax::FullWidth {
                    found: '，',
                    ascii: ','
                }
            )]
        );
        assert_eq!(
            recovered.text,
            "t = { zh = \"甲，乙\", en = \"x\" }\nkind = \"quiz\"\n"
        );
        assert!(recovered.complete && recovered.blanked_keys.is_empty());
    }

    #[test]
    fn recovery_blanks_a_line_with_the_rest_of_its_list_and_a_section_past_repair() {
        let source = "a = [ \"x,\n  \"y\",\n]\nb = 1\n[[q]] junk\nid = \"q\"\n[r]\nc = 2\n";
        let recovered = recover(source);
        let lines: Vec<usize> = recovered.errors.iter().map(|(line, ..)| *line).collect();
        assert_eq!(lines, [1, 5]);
        assert_eq!(recovered.text, "\n\n\nb = 1\n\n\n[r]\nc = 2\n");
        assert_eq!(
            recovered
                .blanked_keys
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["a", "id", "q"]
        );
        // A string over several lines not closed: nothing after it is read.
        let recovered = recover("a = \"\"\"x\nb = [\n");
        assert_eq!(recovered.errors.len(), 1);
        assert!(!recovered.complete);
    }

    #[test]
    fn a_string_without_its_closing_quote_is_found_on_its_line() {
        let source = "id = \"x\"\ntitle = { zh = \"故事\", en = \"Story }\n";
        let (at, syntax) = diagnose(source, source.len() - 1, "invalid inline table");
        assert_eq!(&source[at..at + 1], "\"");
        assert_eq!(
            syntax,
            Syntax::Unclosed {
                column: 27,
                quote: '"'
            }
        );
    }

    #[test]
    fn full_width_punctuation_outside_strings_is_named_but_not_inside() {
        let (_, syntax) = diagnose("kind ＝ \"quiz\"", 5, "expected `.`, `=`");
        assert_eq!(
            syntax,
            Syntax::FullWidth {
                found: '＝',
                ascii: '='
            }
        );
        let source = "text = { zh = \"他说：“好”\"， en = \"x\" }";
        let (at, syntax) = diagnose(source, 20, "");
        assert_eq!(
            syntax,
            Syntax::FullWidth {
                found: '，',
                ascii: ','
            }
        );
        assert!(source[at..].starts_with('，'));
    }

    #[test]
    fn a_key_without_value_and_a_word_without_quotes() {
        assert_eq!(
            diagnose("id = \"x\"\nA=", 11, "").1,
            Syntax::NoValue { key: "A".into() }
        );
        let source = "kind = story\n";
        let (at, syntax) = diagnose(source, 7, "invalid string");
        assert_eq!(at, 7);
        assert_eq!(
            syntax,
            Syntax::Unquoted {
                word: "story".into()
            }
        );
        assert_eq!(
            diagnose("answer = true false", 14, "expected newline").1,
            Syntax::Other {
                detail: "expected newline".into()
            }
        );
    }

    #[test]
    fn headers_colons_commas_and_brackets_not_closed() {
        let (at, syntax) = diagnose("id = \"x\"\n[[questions]\nid = \"q\"\n", 21, "");
        assert_eq!(at, 9);
        assert_eq!(
            syntax,
            Syntax::Header {
                written: "[[questions]".into(),
                fixed: "[[questions]]".into()
            }
        );
        assert_eq!(diagnose("kind: \"quiz\"", 4, "").1, Syntax::Colon);
        let (at, syntax) = diagnose("t = { zh = \"a\", }", 16, "invalid inline table");
        assert_eq!((at, syntax), (14, Syntax::TrailingComma));
        assert_eq!(
            diagnose("t = {\n zh = \"a\" }", 5, "invalid inline table").1,
            Syntax::UnclosedBracket {
                column: 5,
                open: '{',
                close: '}'
            }
        );
        // A list may go on over lines: not closing one is a mistake only where the reader says.
        let source = "a = [1,\nkind = \"quiz\"\n";
        assert_eq!(
            diagnose(source, 8, "invalid array\nexpected `]`").1,
            Syntax::UnclosedBracket {
                column: 5,
                open: '[',
                close: ']'
            }
        );
        assert!(matches!(
            diagnose(source, 8, "expected newline").1,
            Syntax::Other { .. }
        ));
    }
}
