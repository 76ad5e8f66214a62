//! Every mistake of a manifest the typed parse refused, found in one run.
//!
//! The typed parse (`toml::from_str`) stops at the first value it cannot use. Here the text is
//! read into a tree of values that keeps each one's place in the file, and the manifest is
//! deserialized from that tree with serde's refusals kept as data (not sentences); at each
//! refusal the mistake is recorded and the tree repaired at that place, and the
//! deserialization tried again, until it succeeds:
//!
//! - an unknown field is read as the field it is a typo of (`titel` as `title`, so what it
//!   holds is still checked), or else taken out;
//! - a value of the wrong type is replaced by one of the type the field wants: what the
//!   curator meant where that is clear (`"0.5"` becomes `0.5`, `"yes"` `true`, `"child"` for a
//!   list `["child"]`), else a stand-in (`0`, `false`, `""`, `{}`);
//! - an unknown name is replaced by the one it is a typo of, else (for `kind`) the kind whose
//!   sections the file has, else the first allowed;
//! - a missing field is filled in with a stand-in.
//!
//! The meaning checks (`validate`) then run on the repaired manifest, leaving out what they
//! find at repaired places: false alarms about the stand-ins (and, after a name that was a
//! guess, about the table it is in). A repair never makes a new mistake a curator sees:
//! refusals at repaired places only repair further.
//!
//! A page's `narration` is refused as a whole when it has the wrong shape (its reading says
//! so, once, for the whole value): it gets one message.

use super::messages::{Field, Found, Mistake, Want};
use super::source_map::{SourceMap, line_and_column};
use super::{
    ExhibitManifest, MANIFEST_FILE, OLD_NAMES, Problem, Severity, ValidationRules, syntax, validate,
};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use std::fmt;
use std::ops::Range;
use std::path::Path;

/// Most repairs tried on one file: far more than a curator's file has mistakes.
const MAX_REPAIRS: usize = 200;

/// Most stand-ins tried at one place before giving up on it.
const MAX_ATTEMPTS: usize = 6;

/// The sections that tell which kind an exhibit with an unknown `kind` is meant to be.
const SECTIONS_OF_KINDS: &[(&str, &str)] = &[
    ("pages", "story"),
    ("questions", "quiz"),
    ("pools", "quiz"),
    ("hotspots", "hotspots"),
    ("mode", "hotspots"),
    ("parameters", "simulation"),
    ("model", "simulation"),
    ("bins", "sort"),
    ("items", "sort"),
];

/// Every problem of a manifest whose typed parse failed with `typed_error`.
pub(super) fn problems(
    source: &str,
    folder: &Path,
    rules: &ValidationRules,
    typed_error: &toml::de::Error,
) -> Vec<Problem> {
    let file = folder.join(MANIFEST_FILE);
    let recovered = syntax::recover(source);
    if !recovered.errors.is_empty() {
        return with_syntax_errors(&file, &recovered);
    }
    let document = match toml_edit::ImDocument::parse(source) {
        Ok(document) if recovered.errors.is_empty() => document,
        _ => return with_syntax_errors(&file, &recovered),
    };
    let mut tree = Tree::new(&document, source);
    let parsed = tree.repair_until_parsed();
    let mut problems: Vec<Problem> = tree
        .recorded
        .iter()
        .map(|(offset, mistake, _)| problem(&file, source, *offset, mistake))
        .collect();
    if problems.is_empty() {
        // The lenient reading found nothing the typed parse refused (it should not happen):
        // the typed parse's own words, then.
        let offset = typed_error.span().map_or(0, |span| span.start);
        let mistake = Mistake::Unreadable {
            field: None,
            detail: typed_error.message().trim().to_owned(),
        };
        return vec![problem(&file, source, offset, &mistake)];
    }
    if let Some(manifest) = parsed {
        let renamed = Renamed::new(source, &tree.renames);
        let map = SourceMap::new(&renamed.text);
        for mut found in validate::validate(&manifest, folder, &map, rules) {
            match (found.line, found.column) {
                (Some(line), Some(column)) => {
                    let offset = renamed.original_offset(offset_of(&renamed.text, line, column));
                    let at_a_repair = tree
                        .quiet
                        .iter()
                        .any(|place| place.start == offset || place.contains(&offset));
                    if at_a_repair {
                        continue;
                    }
                    let (line, column) = line_and_column(source, offset);
                    (found.line, found.column) = (Some(line), Some(column));
                }
                // A field the text lacks is located nowhere: one that was filled in.
                _ if tree.filled_in => continue,
                _ => {}
            }
            problems.push(found);
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// The problems of a file with syntax errors: each error, then the type and shape mistakes
/// of what reads once they are taken out, but for a missing field that was on a line taken
/// out. The meaning checks wait until the file reads as written: what they would say of a
/// file with lines taken out (a question without its right answer, a pool naming a question
/// whose id was on such a line) could be about those lines.
fn with_syntax_errors(file: &Path, recovered: &syntax::Recovered) -> Vec<Problem> {
    let mut problems: Vec<Problem> = recovered
        .errors
        .iter()
        .map(|(line, column, syntax)| {
            let mistake = Mistake::Syntax(syntax.clone());
            Problem::new(
                Severity::Error,
                file,
                Some((*line, *column)),
                mistake.said(),
            )
        })
        .collect();
    let text = recovered.text.as_str();
    if let Some(document) = recovered
        .complete
        .then(|| toml_edit::ImDocument::parse(text).ok())
        .flatten()
    {
        let mut tree = Tree::new(&document, text);
        tree.repair_until_parsed();
        for (offset, mut mistake, _) in tree.recorded {
            if let Mistake::MissingFields { names } = &mut mistake {
                names.retain(|name| !recovered.blanked_keys.contains(name));
                if names.is_empty() {
                    continue;
                }
            }
            problems.push(problem(file, text, offset, &mistake));
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

fn problem(file: &Path, source: &str, offset: usize, mistake: &Mistake) -> Problem {
    let at = line_and_column(source, offset);
    Problem::new(Severity::Error, file, Some(at), mistake.said())
}

/// The byte offset of a 1-based line and column (the inverse of [`line_and_column`]).
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &source[start.min(source.len())..];
    let skip = usize::from(start == 0 && rest.starts_with('\u{feff}'));
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1) + skip)
            .map_or(rest.len(), |(i, _)| i)
}

/// The source with the keys a repair renamed (`titel` to `title`) renamed, so that the meaning
/// checks find the fields they look for, and the way back to the source's offsets.
struct Renamed {
    text: String,
    /// Each rename: where its key starts in `text`, its length there, and the change of length.
    shifts: Vec<(usize, usize, isize)>,
}

impl Renamed {
    fn new(source: &str, renames: &[(Range<usize>, String)]) -> Self {
        let mut renames: Vec<&(Range<usize>, String)> = renames.iter().collect();
        renames.sort_by_key(|(span, _)| span.start);
        let mut text = String::with_capacity(source.len());
        let mut shifts = Vec::new();
        let mut copied = 0;
        for (span, key) in renames {
            if span.start < copied || source.get(span.clone()).is_none() {
                continue;
            }
            text.push_str(&source[copied..span.start]);
            let delta = key.len().cast_signed() - span.len().cast_signed();
            shifts.push((text.len(), key.len(), delta));
            text.push_str(key);
            copied = span.end;
        }
        text.push_str(&source[copied..]);
        if toml_edit::ImDocument::parse(text.as_str()).is_err() {
            // It should always parse; if not, the fields are located in the source as written.
            return Self {
                text: source.to_owned(),
                shifts: Vec::new(),
            };
        }
        Self { text, shifts }
    }

    /// The source's offset of an offset of `text` (the start of the key, inside a renamed one).
    fn original_offset(&self, offset: usize) -> usize {
        let mut shift = 0;
        for &(start, length, delta) in &self.shifts {
            if offset < start {
                break;
            }
            if offset < start + length {
                return start.saturating_add_signed(-shift);
            }
            shift += delta;
        }
        offset.saturating_add_signed(-shift)
    }
}

type NodeId = usize;

const ROOT: NodeId = 0;

/// One value of the file, where it is written.
#[derive(Debug)]
struct Node {
    span: Range<usize>,
    /// The field it is the value of (the list's field for a list's values); none for the root.
    field: Option<Field>,
    parent: Option<NodeId>,
    value: Value,
    /// A stand-in put here by a repair: what is refused here is no curator's mistake.
    repaired: bool,
    attempts: usize,
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Date,
    List(Vec<NodeId>),
    Table(Vec<Entry>),
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    key_span: Range<usize>,
    value: NodeId,
}

struct Tree<'s> {
    source: &'s str,
    nodes: Vec<Node>,
    /// Each mistake found: where, what, and at which node (to say more of it later).
    recorded: Vec<(usize, Mistake, Option<NodeId>)>,
    /// The repaired places: the meaning checks' problems there are false alarms.
    quiet: Vec<Range<usize>>,
    /// Whether a missing field was filled in.
    filled_in: bool,
    /// Keys renamed to the field a typo meant: where, and the new name.
    renames: Vec<(Range<usize>, String)>,
}

impl<'s> Tree<'s> {
    fn new(document: &toml_edit::ImDocument<&str>, source: &'s str) -> Self {
        let mut tree = Self {
            source,
            nodes: Vec::new(),
            recorded: Vec::new(),
            quiet: Vec::new(),
            filled_in: false,
            renames: Vec::new(),
        };
        tree.add_table(document.as_table(), 0..source.len(), None, None);
        tree
    }

    fn push(&mut self, span: Range<usize>, field: Option<Field>, parent: Option<NodeId>) -> NodeId {
        self.nodes.push(Node {
            span,
            field,
            parent,
            value: Value::Table(Vec::new()),
            repaired: false,
            attempts: 0,
        });
        self.nodes.len() - 1
    }

    fn add_table(
        &mut self,
        table: &toml_edit::Table,
        span: Range<usize>,
        field: Option<Field>,
        parent: Option<NodeId>,
    ) -> NodeId {
        let id = self.push(table.span().unwrap_or(span), field, parent);
        let mut entries = Vec::new();
        for (key, item) in table.iter() {
            let key_span = table
                .key(key)
                .and_then(toml_edit::Key::span)
                .unwrap_or_else(|| self.nodes[id].span.clone());
            let field = Field {
                name: key.to_owned(),
                in_list: false,
            };
            if let Some(value) = self.add_item(item, key_span.clone(), field, id) {
                entries.push(Entry {
                    key: key.to_owned(),
                    key_span,
                    value,
                });
            }
        }
        self.nodes[id].value = Value::Table(entries);
        id
    }

    fn add_item(
        &mut self,
        item: &toml_edit::Item,
        span: Range<usize>,
        field: Field,
        parent: NodeId,
    ) -> Option<NodeId> {
        match item {
            toml_edit::Item::None => None,
            toml_edit::Item::Value(value) => Some(self.add_value(value, span, field, parent)),
            toml_edit::Item::Table(table) => {
                Some(self.add_table(table, span, Some(field), Some(parent)))
            }
            toml_edit::Item::ArrayOfTables(tables) => {
                let id = self.push(
                    tables.span().unwrap_or(span),
                    Some(field.clone()),
                    Some(parent),
                );
                let element = Field {
                    in_list: true,
                    ..field
                };
                let fallback = self.nodes[id].span.clone();
                let items = tables
                    .iter()
                    .map(|table| {
                        self.add_table(table, fallback.clone(), Some(element.clone()), Some(id))
                    })
                    .collect();
                self.nodes[id].value = Value::List(items);
                Some(id)
            }
        }
    }

    fn add_value(
        &mut self,
        value: &toml_edit::Value,
        span: Range<usize>,
        field: Field,
        parent: NodeId,
    ) -> NodeId {
        use toml_edit::Value as V;
        let id = self.push(
            value.span().unwrap_or(span),
            Some(field.clone()),
            Some(parent),
        );
        let own_span = self.nodes[id].span.clone();
        let converted = match value {
            V::String(text) => Value::Text(text.value().clone()),
            V::Integer(number) => Value::Integer(*number.value()),
            V::Float(number) => Value::Float(*number.value()),
            V::Boolean(value) => Value::Boolean(*value.value()),
            V::Datetime(_) => Value::Date,
            V::Array(values) => {
                let element = Field {
                    in_list: true,
                    ..field
                };
                Value::List(
                    values
                        .iter()
                        .map(|value| self.add_value(value, own_span.clone(), element.clone(), id))
                        .collect(),
                )
            }
            V::InlineTable(table) => {
                let mut entries = Vec::new();
                for (key, value) in table.iter() {
                    let key_span = table
                        .key(key)
                        .and_then(toml_edit::Key::span)
                        .unwrap_or_else(|| own_span.clone());
                    let field = Field {
                        name: key.to_owned(),
                        in_list: false,
                    };
                    let value = self.add_value(value, key_span.clone(), field, id);
                    entries.push(Entry {
                        key: key.to_owned(),
                        key_span,
                        value,
                    });
                }
                Value::Table(entries)
            }
        };
        self.nodes[id].value = converted;
        id
    }

    /// Deserializes, repairing at each refusal; `None` when some refusal cannot be repaired.
    fn repair_until_parsed(&mut self) -> Option<ExhibitManifest> {
        for _ in 0..MAX_REPAIRS {
            let refusal = match ExhibitManifest::deserialize(NodeDe {
                tree: &*self,
                id: ROOT,
            }) {
                Ok(manifest) => return Some(manifest),
                Err(refusal) => refusal,
            };
            if !self.repair(refusal) {
                return None;
            }
        }
        None
    }

    fn field(&self, id: NodeId) -> Field {
        self.nodes[id].field.clone().unwrap_or_else(|| Field {
            name: "exhibit".to_owned(),
            in_list: false,
        })
    }

    fn record(&mut self, offset: usize, mistake: Mistake, node: Option<NodeId>, quiet: bool) {
        if !quiet {
            self.recorded.push((offset, mistake, node));
        }
    }

    /// Records the mistake and repairs the tree at its place; `false` when it cannot.
    fn repair(&mut self, refusal: Error) -> bool {
        match refusal.at {
            None => false,
            Some(At::Key { table, entry }) => self.repair_key(table, entry, refusal.raw),
            Some(At::Value(id)) => {
                if let Raw::Custom(detail) = &refusal.raw
                    && let Some(field) = detail
                        .strip_prefix("duplicate field `")
                        .and_then(|rest| rest.strip_suffix('`'))
                    && self.repair_old_and_new_name(id, field)
                {
                    return true;
                }
                self.nodes[id].attempts += 1;
                if self.nodes[id].attempts > MAX_ATTEMPTS {
                    return false;
                }
                self.repair_value(id, refusal.raw);
                true
            }
        }
    }

    /// A refused key (an unknown field, or an unknown name where keys are names): the entry is
    /// taken out.
    fn repair_key(&mut self, table: NodeId, index: usize, raw: Raw) -> bool {
        let quiet = self.nodes[table].repaired;
        let Value::Table(entries) = &mut self.nodes[table].value else {
            return false;
        };
        if index >= entries.len() {
            return false;
        }
        let present: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
        if let Raw::UnknownField { name, known } = &raw
            // Not a field the table already has: that one is not what was meant.
            && let Some(meant) = suggest(name, known).filter(|field| !present.iter().any(|k| k == field))
        {
            // A typo: the entry is read as the field meant, so what it holds is still checked.
            let entry = &mut entries[index];
            entry.key = meant.to_owned();
            let (key_span, value) = (entry.key_span.clone(), entry.value);
            self.rename(value, meant);
            self.renames.push((key_span.clone(), meant.to_owned()));
            self.quiet.push(key_span.clone());
            let mistake = Mistake::UnknownField {
                name: name.clone(),
                suggestion: Some(meant),
                known: known.clone(),
            };
            self.record(key_span.start, mistake, Some(table), quiet);
            return true;
        }
        let entry = entries.remove(index);
        let value_end = self.nodes[entry.value].span.end;
        self.quiet
            .push(entry.key_span.start..value_end.max(entry.key_span.end));
        let mistake = match raw {
            Raw::UnknownField { name, known } => Mistake::UnknownField {
                suggestion: None,
                name,
                known,
            },
            Raw::UnknownVariant { name, allowed } => Mistake::UnknownName {
                field: Field {
                    in_list: false,
                    ..self.field(table)
                },
                suggestion: suggest(&name, allowed),
                name,
                allowed,
            },
            other => Mistake::Unreadable {
                field: Some(Field {
                    name: entry.key.clone(),
                    in_list: false,
                }),
                detail: other.to_string(),
            },
        };
        self.record(entry.key_span.start, mistake, Some(table), quiet);
        true
    }

    /// A table that gives a field under its new name and its old one (`label` and `text`):
    /// the old one is taken out. `false` when `table` has no such pair.
    fn repair_old_and_new_name(&mut self, table: NodeId, field: &str) -> bool {
        let quiet = self.nodes[table].repaired;
        let Value::Table(entries) = &mut self.nodes[table].value else {
            return false;
        };
        let has_new = entries.iter().any(|entry| entry.key == field);
        let old = entries.iter().position(|entry| {
            OLD_NAMES
                .iter()
                .any(|renamed| renamed.new == field && renamed.old == entry.key)
        });
        let (true, Some(old)) = (has_new, old) else {
            return false;
        };
        let entry = entries.remove(old);
        let value_end = self.nodes[entry.value].span.end;
        self.quiet
            .push(entry.key_span.start..value_end.max(entry.key_span.end));
        let mistake = Mistake::OldAndNewName {
            old: entry.key,
            new: field.to_owned(),
        };
        self.record(entry.key_span.start, mistake, Some(table), quiet);
        true
    }

    /// Names a renamed entry's value (and a list's values) by the field it now is.
    fn rename(&mut self, id: NodeId, name: &str) {
        if let Some(field) = &mut self.nodes[id].field {
            field.name = name.to_owned();
        }
        if let Value::List(items) = self.nodes[id].value.clone() {
            for item in items {
                if let Some(field) = &mut self.nodes[item].field {
                    field.name = name.to_owned();
                }
            }
        }
    }

    fn repair_value(&mut self, id: NodeId, raw: Raw) {
        let quiet = self.nodes[id].repaired;
        let span = self.nodes[id].span.clone();
        let field = self.field(id);
        self.nodes[id].repaired = true;
        self.quiet.push(span.clone());
        let mistake = match raw {
            Raw::InvalidType { found, expected } => {
                let found = self.as_written(id, found);
                let want = want_of(&expected, &field);
                let (stand_in, unquoted) = self.stand_in(id, &want, &found);
                self.nodes[id].value = stand_in;
                Mistake::WrongType {
                    field,
                    want,
                    found,
                    unquoted,
                }
            }
            Raw::InvalidValue { found, expected } => {
                let found = self.as_written(id, found);
                let want = want_of(&expected, &field);
                self.nodes[id].value = match want {
                    Want::Number => Value::Float(0.0),
                    Want::WholeNumber => Value::Integer(0),
                    _ => Value::Text(String::new()),
                };
                Mistake::OutOfRange { field, found, want }
            }
            Raw::InvalidLength { length, expected } => {
                let want: usize = expected
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
                let zeros = (0..want)
                    .map(|_| self.stand_in_node(id, Value::Float(0.0)))
                    .collect();
                self.nodes[id].value = Value::List(zeros);
                Mistake::WrongLength {
                    field,
                    length,
                    want,
                }
            }
            Raw::UnknownVariant { name, allowed } => {
                let suggestion = suggest(&name, allowed);
                let guess = suggestion
                    .or_else(|| self.kind_from_sections(id, allowed))
                    .or_else(|| allowed.first().copied())
                    .unwrap_or_default();
                self.nodes[id].value = Value::Text(guess.to_owned());
                if quiet {
                    // A stand-in for a value that was no name at all: its mistake can now
                    // list the names.
                    for (_, mistake, node) in &mut self.recorded {
                        if *node == Some(id)
                            && let Mistake::WrongType { want, .. } = mistake
                            && *want == Want::OneOf(&[])
                        {
                            *want = Want::OneOf(allowed);
                        }
                    }
                } else if suggestion.is_none()
                    && !field.in_list
                    && let Some(parent) = self.nodes[id].parent
                {
                    // A guess: what is wrong with the table for want of the right name is a
                    // false alarm too.
                    let start = self.nodes[parent].span.start;
                    self.quiet.push(start..start);
                }
                Mistake::UnknownName {
                    field,
                    name,
                    suggestion,
                    allowed,
                }
            }
            Raw::MissingField(name) => {
                let stand_in = self.stand_in_node(id, Value::Text(String::new()));
                self.nodes[stand_in].span = span.start..span.start;
                self.nodes[stand_in].field = Some(Field {
                    name: name.to_owned(),
                    in_list: false,
                });
                if let Value::Table(entries) = &mut self.nodes[id].value {
                    entries.push(Entry {
                        key: name.to_owned(),
                        key_span: span.start..span.start,
                        value: stand_in,
                    });
                }
                // The table itself is not a stand-in: mistakes in its other fields still count.
                self.nodes[id].repaired = quiet;
                self.quiet.pop();
                self.quiet.push(span.start..span.start);
                self.filled_in = true;
                // A typo of this field was already reported ("did you mean …?"): one mistake,
                // one message.
                let typo = self.recorded.iter().any(|(_, mistake, node)| {
                    *node == Some(id)
                        && matches!(mistake, Mistake::UnknownField { suggestion: Some(s), .. } if *s == name)
                });
                if typo {
                    return;
                }
                // Every field this table lacks, in one message.
                let earlier =
                    self.recorded
                        .iter_mut()
                        .find_map(|(_, mistake, node)| match mistake {
                            Mistake::MissingFields { names } if *node == Some(id) => Some(names),
                            _ => None,
                        });
                if let Some(names) = earlier {
                    if !quiet {
                        names.push(name.to_owned());
                    }
                    return;
                }
                Mistake::MissingFields {
                    names: vec![name.to_owned()],
                }
            }
            Raw::UnknownField { name, .. } => {
                self.nodes[id].value = self.fallback_stand_in(id);
                Mistake::Unreadable {
                    field: Some(field),
                    detail: format!("unknown field `{name}`"),
                }
            }
            Raw::Custom(detail) => {
                self.nodes[id].value = self.fallback_stand_in(id);
                Mistake::Unreadable {
                    field: Some(field),
                    detail,
                }
            }
        };
        self.record(span.start, mistake, Some(id), quiet);
    }

    /// Numbers as the curator wrote them (`1.0`, not `1`).
    fn as_written(&self, id: NodeId, found: Found) -> Found {
        match found {
            Found::Number(_) => Found::Number(
                self.source
                    .get(self.nodes[id].span.clone())
                    .unwrap_or_default()
                    .to_owned(),
            ),
            other => other,
        }
    }

    /// A value of the type `want`s, and the value without its quotes where that is one.
    fn stand_in(&mut self, id: NodeId, want: &Want, found: &Found) -> (Value, Option<String>) {
        let text = match found {
            Found::Text(text) => Some(text.trim()),
            _ => None,
        };
        match want {
            Want::Number => match text.and_then(|t| t.parse::<f64>().ok().map(|n| (t, n))) {
                Some((written, number)) => (Value::Float(number), Some(written.to_owned())),
                None => (Value::Float(0.0), None),
            },
            Want::WholeNumber => {
                if let Some((written, number)) =
                    text.and_then(|t| t.parse::<i64>().ok().map(|n| (t, n)))
                {
                    return (Value::Integer(number), Some(written.to_owned()));
                }
                match self.nodes[id].value {
                    // `f64 as i64` saturates: any stand-in does.
                    #[allow(clippy::cast_possible_truncation)]
                    Value::Float(number) => (Value::Integer(number.trunc() as i64), None),
                    _ => (Value::Integer(0), None),
                }
            }
            Want::Boolean => {
                let meant = text.and_then(|t| match t.to_lowercase().as_str() {
                    "true" | "yes" | "y" | "1" | "是" | "对" | "正确" => Some(true),
                    "false" | "no" | "n" | "0" | "否" | "错" | "错误" => Some(false),
                    _ => None,
                });
                (
                    Value::Boolean(meant.unwrap_or(false)),
                    meant.map(|b| b.to_string()),
                )
            }
            Want::Text => match found {
                Found::Number(number) => (Value::Text(number.clone()), None),
                Found::Boolean(value) => (Value::Text(value.to_string()), None),
                _ => (Value::Text(String::new()), None),
            },
            Want::LocalizedText | Want::Table => (Value::Table(Vec::new()), None),
            Want::List => match found {
                // What was meant as the list's one value: it stays, to be checked.
                Found::Text(_) | Found::Table => {
                    let value = self.nodes[id].value.clone();
                    let element = self.stand_in_node(id, value);
                    let node = &mut self.nodes[element];
                    node.repaired = false;
                    if let Some(field) = &mut node.field {
                        field.in_list = true;
                    }
                    (Value::List(vec![element]), None)
                }
                _ => (Value::List(Vec::new()), None),
            },
            Want::Numbers(count) => {
                let zeros = (0..*count)
                    .map(|_| self.stand_in_node(id, Value::Float(0.0)))
                    .collect();
                (Value::List(zeros), None)
            }
            Want::OneOf(_) | Want::Narration => (Value::Text(String::new()), None),
            Want::Other(_) => (self.fallback_stand_in(id), None),
        }
    }

    /// One stand-in after another, for a place whose type is not known.
    fn fallback_stand_in(&self, id: NodeId) -> Value {
        match self.nodes[id].attempts % 5 {
            1 => Value::Text(String::new()),
            2 => Value::Table(Vec::new()),
            3 => Value::List(Vec::new()),
            4 => Value::Integer(0),
            _ => Value::Boolean(false),
        }
    }

    /// A new stand-in node at `id`'s place, inside it.
    fn stand_in_node(&mut self, id: NodeId, value: Value) -> NodeId {
        let span = self.nodes[id].span.clone();
        let field = self.nodes[id].field.clone();
        let new = self.push(span, field, Some(id));
        self.nodes[new].value = value;
        self.nodes[new].repaired = true;
        new
    }

    /// For an unknown `kind`: the kind whose sections the exhibit has.
    fn kind_from_sections(
        &self,
        id: NodeId,
        allowed: &'static [&'static str],
    ) -> Option<&'static str> {
        let node = &self.nodes[id];
        if node.parent != Some(ROOT) || node.field.as_ref().is_none_or(|f| f.name != "kind") {
            return None;
        }
        let Value::Table(entries) = &self.nodes[ROOT].value else {
            return None;
        };
        SECTIONS_OF_KINDS
            .iter()
            .filter(|(section, _)| entries.iter().any(|e| e.key == *section))
            .find_map(|(_, kind)| allowed.iter().copied().find(|a| a == kind))
    }
}

/// What serde's "expected …" stands for.
fn want_of(expected: &str, field: &Field) -> Want {
    if field.name == "narration" && !field.in_list {
        return Want::Narration;
    }
    match expected {
        "f32" | "f64" => Want::Number,
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => Want::WholeNumber,
        "a boolean" => Want::Boolean,
        "a string" | "a borrowed string" | "a character" => Want::Text,
        "a map" if field.name == "pools" => Want::Table,
        "a map" => Want::LocalizedText,
        "a sequence" => Want::List,
        _ if expected.starts_with("struct ") => Want::Table,
        _ if expected.starts_with("enum ") => Want::OneOf(&[]),
        _ => match expected.strip_prefix("an array of length ") {
            Some(count) => count
                .parse()
                .map_or_else(|_| Want::Other(expected.to_owned()), Want::Numbers),
            None => Want::Other(expected.to_owned()),
        },
    }
}

/// The allowed name `written` is most likely a typo of: at most 2 edits away (and fewer than
/// its length), or the only one it begins (`multi` for `multiple`).
fn suggest(written: &str, allowed: &[&'static str]) -> Option<&'static str> {
    let written_lower = written.to_lowercase();
    let length = written_lower.chars().count();
    let closest = allowed
        .iter()
        .map(|name| (edit_distance(&written_lower, name), *name))
        .filter(|(distance, _)| *distance <= 2 && *distance < length)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name);
    closest.or_else(|| {
        let mut beginning = allowed
            .iter()
            .filter(|name| length >= 3 && name.starts_with(written_lower.as_str()));
        match (beginning.next(), beginning.next()) {
            (Some(name), None) => Some(*name),
            _ => None,
        }
    })
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Where a refusal is: a value, or the key of a table's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Value(NodeId),
    Key { table: NodeId, entry: usize },
}

/// A refusal, as serde describes it, kept apart rather than as a sentence.
#[derive(Debug)]
enum Raw {
    InvalidType {
        found: Found,
        expected: String,
    },
    InvalidValue {
        found: Found,
        expected: String,
    },
    InvalidLength {
        length: usize,
        expected: String,
    },
    UnknownVariant {
        name: String,
        allowed: &'static [&'static str],
    },
    UnknownField {
        name: String,
        /// The table's fields, without the old names ([`OLD_NAMES`]) serde lists too.
        known: Vec<&'static str>,
    },
    MissingField(&'static str),
    Custom(String),
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidType { expected, .. } => write!(f, "expected {expected}"),
            Self::InvalidValue { expected, .. } => write!(f, "expected {expected}"),
            Self::InvalidLength { length, expected } => {
                write!(f, "{length} values, expected {expected}")
            }
            Self::UnknownVariant { name, .. } => write!(f, "unknown name `{name}`"),
            Self::UnknownField { name, .. } => write!(f, "unknown field `{name}`"),
            Self::MissingField(name) => write!(f, "missing field `{name}`"),
            Self::Custom(detail) => f.write_str(detail),
        }
    }
}

#[derive(Debug)]
struct Error {
    raw: Raw,
    at: Option<At>,
}

impl Error {
    fn new(raw: Raw) -> Self {
        Self { raw, at: None }
    }

    /// Places the refusal at `at` unless a deeper value already placed it.
    fn at(mut self, at: At) -> Self {
        self.at.get_or_insert(at);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(Raw::Custom(message.to_string()))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::new(Raw::InvalidType {
            found: found(unexpected),
            expected: expected.to_string(),
        })
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::new(Raw::InvalidValue {
            found: found(unexpected),
            expected: expected.to_string(),
        })
    }

    fn invalid_length(length: usize, expected: &dyn de::Expected) -> Self {
        Self::new(Raw::InvalidLength {
            length,
            expected: expected.to_string(),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(Raw::UnknownVariant {
            name: variant.to_owned(),
            allowed: expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let is_old_name = |name: &str| {
            OLD_NAMES
                .iter()
                .any(|renamed| renamed.old == name && expected.contains(&renamed.new))
        };
        Self::new(Raw::UnknownField {
            name: field.to_owned(),
            known: expected
                .iter()
                .copied()
                .filter(|name| !is_old_name(name))
                .collect(),
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(Raw::MissingField(field))
    }
}

fn found(unexpected: Unexpected<'_>) -> Found {
    match unexpected {
        Unexpected::Bool(value) => Found::Boolean(value),
        Unexpected::Unsigned(number) => Found::Number(number.to_string()),
        Unexpected::Signed(number) => Found::Number(number.to_string()),
        Unexpected::Float(number) => Found::Number(number.to_string()),
        Unexpected::Str(text) => Found::Text(text.to_owned()),
        Unexpected::Map => Found::Table,
        Unexpected::Seq => Found::List,
        Unexpected::Other(DATE) => Found::Date,
        other => Found::Other(other.to_string()),
    }
}

const DATE: &str = "a date";

/// Deserializes the value at one node of the tree; every refusal it causes is placed there
/// unless a value inside placed it first.
#[derive(Clone, Copy)]
struct NodeDe<'t> {
    tree: &'t Tree<'t>,
    id: NodeId,
}

impl<'t> NodeDe<'t> {
    fn any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.tree.nodes[self.id].value {
            Value::Text(text) => visitor.visit_borrowed_str(text),
            Value::Integer(number) => visitor.visit_i64(*number),
            Value::Float(number) => visitor.visit_f64(*number),
            Value::Boolean(value) => visitor.visit_bool(*value),
            Value::Date => Err(de::Error::invalid_type(Unexpected::Other(DATE), &visitor)),
            Value::List(items) => {
                let mut seq = Seq {
                    tree: self.tree,
                    items,
                    next: 0,
                };
                let value = visitor.visit_seq(&mut seq)?;
                if seq.next < items.len() {
                    return Err(Error::new(Raw::InvalidLength {
                        length: items.len(),
                        expected: format!("an array of length {}", seq.next),
                    }));
                }
                Ok(value)
            }
            Value::Table(entries) => visitor.visit_map(Map {
                tree: self.tree,
                table: self.id,
                entries,
                next: 0,
            }),
        }
    }

    fn here(&self) -> At {
        At::Value(self.id)
    }
}

impl<'t> de::Deserializer<'t> for NodeDe<'t> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Error> {
        let here = self.here();
        self.any(visitor).map_err(|e| e.at(here))
    }

    fn deserialize_option<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Error> {
        let here = self.here();
        visitor.visit_some(self).map_err(|e| e.at(here))
    }

    fn deserialize_newtype_struct<V: Visitor<'t>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let here = self.here();
        visitor.visit_newtype_struct(self).map_err(|e| e.at(here))
    }

    fn deserialize_enum<V: Visitor<'t>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let here = self.here();
        let result = match &self.tree.nodes[self.id].value {
            Value::Text(text) => {
                visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(text.as_str()))
            }
            Value::Table(_) => Err(de::Error::invalid_type(Unexpected::Map, &visitor)),
            Value::List(_) => Err(de::Error::invalid_type(Unexpected::Seq, &visitor)),
            Value::Integer(number) => Err(de::Error::invalid_type(
                Unexpected::Signed(*number),
                &visitor,
            )),
            Value::Float(number) => Err(de::Error::invalid_type(
                Unexpected::Float(*number),
                &visitor,
            )),
            Value::Boolean(value) => {
                Err(de::Error::invalid_type(Unexpected::Bool(*value), &visitor))
            }
            Value::Date => Err(de::Error::invalid_type(Unexpected::Other(DATE), &visitor)),
        };
        result.map_err(|e| e.at(here))
    }

    fn deserialize_ignored_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'t>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Seq<'t> {
    tree: &'t Tree<'t>,
    items: &'t [NodeId],
    next: usize,
}

impl<'t> de::SeqAccess<'t> for Seq<'t> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'t>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(&id) = self.items.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(NodeDe {
            tree: self.tree,
            id,
        })
        .map(Some)
        .map_err(|e| e.at(At::Value(id)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct Map<'t> {
    tree: &'t Tree<'t>,
    table: NodeId,
    entries: &'t [Entry],
    next: usize,
}

impl<'t> de::MapAccess<'t> for Map<'t> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'t>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.get(self.next) else {
            return Ok(None);
        };
        let key: de::value::BorrowedStrDeserializer<'t, Error> =
            de::value::BorrowedStrDeserializer::new(&entry.key);
        let at = At::Key {
            table: self.table,
            entry: self.next,
        };
        seed.deserialize(key).map(Some).map_err(|e| e.at(at))
    }

    fn next_value_seed<V: DeserializeSeed<'t>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some(entry) = self.entries.get(self.next) else {
            return Err(de::Error::custom("a value without a key"));
        };
        self.next += 1;
        let id = entry.value;
        seed.deserialize(NodeDe {
            tree: self.tree,
            id,
        })
        .map_err(|e| e.at(At::Value(id)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Said;
    use proptest::prelude::*;

    fn check(source: &str) -> Vec<Problem> {
        let root = tempfile::tempdir().unwrap();
        super::super::parse_and_validate(source, root.path(), &ValidationRules::default()).problems
    }

    /// `line:column: message` of each problem, the exhibit's assets in an empty folder.
    fn report(source: &str) -> Vec<String> {
        report_in(source, tempfile::tempdir().unwrap().path())
    }

    /// `line:column: message` of each problem, the exhibit's assets in `folder`.
    fn report_in(source: &str, folder: &Path) -> Vec<String> {
        super::super::parse_and_validate(source, folder, &ValidationRules::default())
            .problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.line.unwrap(), p.column.unwrap(), p.message))
            .collect()
    }

    #[test]
    fn every_syntax_error_is_found_and_what_reads_is_checked_without_false_alarms() {
        let broken = QUIZ
            .replace("kind = \"quiz\"", "kind ＝ \"quiz\"")
            .replace("en = \"Quiz\" }", "en = \"Quiz }")
            .replace("[[questions]]", "[[questions]")
            .replacen("label = { zh = \"乙\"", "label: { zh = \"乙\"", 1)
            .replace("correct = true", "correct = \"yes\"");
        assert_eq!(
            report(&broken),
            [
                "2:6: `＝` is a full-width character: type `=`",
                "3:27: the text that starts at column 27 has no closing quote: end it with `\"` on the same line",
                "5:1: the section header `[[questions]` is not closed: write `[[questions]]`",
                "13:11: `correct` must be `true` or `false`, without quotes",
                "17:6: write `=` between a key and its value, not `:`",
            ]
        );
        // A value over several lines is taken out whole: its other lines are no mistakes.
        let list = STORY.replace(
            "title = { zh = \"故事\", en = \"Story\" }",
            "title = { zh = \"故事\", en = \"Story\" }\naudiences = [ \"child\"，\n  \"adult\",\n  \"senior\",\n]\nintended_secs = \"60\"",
        );
        assert_eq!(
            report(&list),
            [
                "4:22: `，` is a full-width character: type `,`",
                "8:17: `intended_secs` must be a whole number, like `60` — remove the quotes",
            ]
        );
        // A string over several lines that is not closed: what follows is not read as TOML.
        let long = STORY.replace(
            "text = { zh = \"第一页\", en = \"Page one\" }",
            "text = \"\"\"第一页\nkind = 5\n[[x\n",
        );
        let said = report(&long);
        assert_eq!(said.len(), 1, "{said:#?}");
    }

    #[test]
    fn a_narration_of_the_wrong_shape_is_one_message() {
        for (narration, at) in [
            ("narration = 5", "7:13"),
            ("narration = [\"a.ogg\"]", "7:13"),
            ("narration = { zh = 5, en = true }", "7:13"),
            ("narration = { zh = { file = \"a.ogg\" } }", "7:13"),
            ("narration = 2024-01-01", "7:13"),
            ("[pages.narration]\nzh = 1", "7:1"),
        ] {
            let said = report(&format!("{STORY}{narration}\n"));
            assert_eq!(
                said,
                [format!(
                    "{at}: `narration` must be a sound file in quotes, like `\"page1.ogg\"`, or one per language, like `{{ zh = \"page1-zh.ogg\", en = \"page1-en.ogg\" }}`"
                )],
                "{narration}"
            );
        }
    }

    const STORY: &str = r#"id = "story"
kind = "story"
title = { zh = "故事", en = "Story" }

[[pages]]
text = { zh = "第一页", en = "Page one" }
"#;

    #[test]
    fn suggestions_are_close_names_or_the_only_one_a_name_begins() {
        const NAMES: &[&str] = &["single", "multiple", "true_false", "estimate"];
        assert_eq!(suggest("singel", NAMES), Some("single"));
        assert_eq!(suggest("Multiple", NAMES), Some("multiple"));
        assert_eq!(suggest("multi", NAMES), Some("multiple"));
        assert_eq!(suggest("true-false", NAMES), Some("true_false"));
        assert_eq!(suggest("guess", NAMES), None);
        // Two letters are no basis for a guess.
        assert_eq!(suggest("xy", &["id"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("故事", "故障"), 1);
    }

    #[test]
    fn values_of_the_wrong_type_are_named_with_the_type_wanted() {
        let source = STORY
            .replace("id = \"story\"", "id = 5")
            .replace("kind = \"story\"", "kind = 3")
            .replace(
                "title = { zh = \"故事\", en = \"Story\" }",
                "title = \"Story\"",
            )
            .replace("[[pages]]", "[pages]")
            + "narration = 5\n";
        assert_eq!(
            report(&source),
            [
                "1:6: `id` must be text in quotes, like `\"5\"`",
                "2:8: `kind` must be a name in quotes, one of story, quiz, hotspots, simulation, sort",
                "3:9: `title` must give its text in each language, like `{ zh = \"…\", en = \"…\" }`",
                "5:1: `pages` must be a list: write each entry under its own `[[pages]]`",
                "7:13: `narration` must be a sound file in quotes, like `\"page1.ogg\"`, or one per language, like `{ zh = \"page1-zh.ogg\", en = \"page1-en.ogg\" }`",
            ]
        );
    }

    #[test]
    fn lists_dates_and_numbers_are_checked_too() {
        let hotspots = r#"id = "spots"
kind = "hotspots"
title = { zh = "热点", en = "Spots" }
audiences = "child"
intended_secs = 1979-05-27
image = "pic.png"

[[hotspots]]
id = "h1"
title = { zh = "区域", en = "Region" }
text = { zh = "说明", en = "About it" }
rect = [4, 4, 20]
"#;
        let problems = report(hotspots);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert_eq!(
            [&problems[..2], &problems[3..]].concat(),
            [
                "4:13: `audiences` must be a list in square brackets, like `[\"child\"]`",
                "5:17: `intended_secs` must be a whole number, like `60`",
                "12:8: `rect` must have 4 numbers, like `[10, 20, 30, 40]`; it has 3",
            ]
        );
        // A meaning check's (the picture is not there), not one about the stand-ins.
        assert!(problems[2].starts_with("6:9: the hotspot image \"pic.png\" does not exist"));
        let circle = report(&hotspots.replace("rect = [4, 4, 20]", "circle = [1, 2, 3, 4]"));
        assert_eq!(
            circle[3],
            "12:10: `circle` must have 3 numbers, like `[10, 20, 30]`; it has 4"
        );
    }

    /// A valid hotspots exhibit with one rect region, and a folder with its 64×64 picture.
    const HOTSPOTS: &str = r#"id = "spots"
kind = "hotspots"
title = { zh = "热点", en = "Spots" }
image = "pic.png"

[[hotspots]]
id = "h1"
title = { zh = "区域", en = "Region" }
text = { zh = "说明", en = "About it" }
rect = [4, 4, 20, 20]
"#;

    fn folder_with_picture() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        image::RgbImage::new(64, 64)
            .save(root.path().join("pic.png"))
            .unwrap();
        root
    }

    #[test]
    fn a_region_with_more_numbers_than_its_shape_has_is_refused_in_a_valid_file() {
        let hotspots = HOTSPOTS;
        let root = folder_with_picture();
        let said = |text: &str| report_in(text, root.path());
        assert_eq!(said(hotspots), Vec::<String>::new());
        for (shape, message) in [
            (
                "circle = [1, 2, 3, 4]",
                "10:10: `circle` must have 3 numbers, like `[10, 20, 30]`; it has 4",
            ),
            (
                "rect = [1, 2, 3, 4, 5]",
                "10:8: `rect` must have 4 numbers, like `[10, 20, 30, 40]`; it has 5",
            ),
            (
                "rect = [1, 2]",
                "10:8: `rect` must have 4 numbers, like `[10, 20, 30, 40]`; it has 2",
            ),
            (
                "polygon = [[1, 1], [9, 9, 9], [1, 9]]",
                "10:20: each value in `polygon` must have 2 numbers, like `[10, 20]`; this one has 3",
            ),
            (
                "rect = \"4, 4, 20, 20\"",
                "10:8: `rect` must be a list of 4 numbers, like `[10, 20, 30, 40]`",
            ),
        ] {
            assert_eq!(
                said(&hotspots.replace("rect = [4, 4, 20, 20]", shape)),
                [message],
                "{shape}"
            );
        }
    }

    #[test]
    fn a_missing_field_is_reported_once_and_its_typo_once() {
        assert_eq!(
            report(&STORY.replace("text =", "txet =")),
            ["6:1: `txet` is not a field here; did you mean `text`?"]
        );
        assert_eq!(
            report(&STORY.replace("text = { zh = \"第一页\", en = \"Page one\" }\n", "")),
            ["5:1: required field `text` is missing"]
        );
        // A typo'd field is read as the field meant: what it holds is still checked.
        assert_eq!(
            report(&STORY.replace(
                "title = { zh = \"故事\", en = \"Story\" }",
                "titel = { zh = \"故事\" }"
            )),
            [
                "3:1: `titel` is not a field here; did you mean `title`?",
                "3:9: the title has no text in en",
            ]
        );
        // Every field a table lacks, in one message.
        assert_eq!(
            report(&STORY.replace("id = \"story\"\nkind = \"story\"\n", "")),
            ["1:1: required fields `id` and `kind` are missing"]
        );
        // A field that is there already is not what a typo meant.
        assert_eq!(
            report(&STORY.replace("[[pages]]\n", "[[pages]]\ntxet = 1\n")),
            ["6:1: `txet` is not a field here; the fields here are text, image, narration"]
        );
    }

    /// A valid quiz: its first choice's label is on line 12.
    use super::super::tests::QUIZ;

    #[test]
    fn an_old_field_name_is_a_warning_and_with_the_new_one_an_error() {
        // Read as written: the old name is no unknown field, and what it holds is checked.
        let old = QUIZ.replacen(
            "label = { zh = \"甲\", en = \"A\" }",
            "text = { zh = \"甲\" }",
            1,
        );
        let mut problems = check(&old);
        problems.sort_by_key(|p| p.column);
        let said: Vec<(Severity, usize, usize, &str)> = problems
            .iter()
            .map(|p| {
                (
                    p.severity,
                    p.line.unwrap(),
                    p.column.unwrap(),
                    p.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            said,
            [
                (
                    Severity::Warning,
                    12,
                    1,
                    "`text` is the old name of `label`: rename it to `label`"
                ),
                (
                    Severity::Error,
                    12,
                    8,
                    "choice \"a\" of question \"q1\" has no text in en"
                ),
            ]
        );
        let both = QUIZ.replacen(
            "label = { zh = \"甲\", en = \"A\" }",
            "label = { zh = \"甲\", en = \"A\" }\ntext = { zh = \"甲\", en = \"A\" }",
            1,
        );
        assert_eq!(
            report(&both),
            [
                "13:1: `text` is the old name of `label`, and `label` is given too: keep only `label`"
            ]
        );
        // A typo is read as the new name, and the fields listed are the new names.
        assert_eq!(
            report(&QUIZ.replacen("label =", "lable =", 1)),
            ["12:1: `lable` is not a field here; did you mean `label`?"]
        );
        assert_eq!(
            report(&QUIZ.replacen("correct = true", "correct = true\nzzz = 1", 1)),
            ["14:1: `zzz` is not a field here; the fields here are id, label, correct, image"]
        );
    }

    #[test]
    fn a_hotspots_mode_is_explore_or_find_and_only_on_a_hotspots_exhibit() {
        let hotspots = &HOTSPOTS.replace(
            "image = \"pic.png\"",
            "image = \"pic.png\"\nmode = \"find\"",
        );
        let root = folder_with_picture();
        let problems = |text: &str| {
            super::super::parse_and_validate(text, root.path(), &ValidationRules::default())
                .problems
        };
        assert_eq!(problems(hotspots), Vec::<Problem>::new());
        assert_eq!(
            problems(&hotspots.replace("\"find\"", "\"explore\"")),
            Vec::<Problem>::new()
        );
        let typo = problems(&hotspots.replace("\"find\"", "\"fnd\""));
        assert_eq!(
            typo.iter()
                .map(|p| (p.line, p.column, p.message.as_str(), p.message_zh.as_str()))
                .collect::<Vec<_>>(),
            [(
                Some(5),
                Some(8),
                "unknown hotspots mode `fnd`: use one of explore, find (did you mean `find`?)",
                "没有这种热点玩法（mode）：`fnd`；可选：explore, find（是不是想写 `find`？）"
            )]
        );
        // A story's `mode` is a mistake (it does nothing there), said in both languages.
        let story =
            problems(&STORY.replace("kind = \"story\"", "kind = \"story\"\nmode = \"find\""));
        assert_eq!(
            story
                .iter()
                .map(|p| (p.message.as_str(), p.message_zh.as_str()))
                .collect::<Vec<_>>(),
            [(
                "a story exhibit does not use `mode`; it belongs to kind = \"hotspots\"",
                "story 类展品不用 `mode`，它属于 kind = \"hotspots\" 的展品"
            )]
        );
    }

    #[test]
    fn an_unknown_kind_is_taken_as_the_kind_of_the_sections_written() {
        // `kind = "puzzle"` with story pages: no false alarm about pages not belonging.
        assert_eq!(
            report(&STORY.replace("kind = \"story\"", "kind = \"puzzle\"")),
            [
                "2:8: unknown exhibit kind `puzzle`: use one of story, quiz, hotspots, simulation, sort"
            ]
        );
        assert_eq!(
            report(&STORY.replace("kind = \"story\"", "kind = \"stroy\"")),
            [
                "2:8: unknown exhibit kind `stroy`: use one of story, quiz, hotspots, simulation, sort (did you mean `story`?)"
            ]
        );
    }

    #[test]
    fn an_unknown_audience_in_pools_is_found_at_its_key() {
        let quiz = QUIZ.to_owned() + "\n[pools]\nchlid = [\"q1\"]\nadult = [\"q9\"]\n";
        assert_eq!(
            report(&quiz),
            [
                "20:1: unknown audience `chlid`: use one of child, youth, adult, senior, family, rural, worker, civil-servant (did you mean `child`?)",
                "21:10: pool \"adult\" names question \"q9\", which this quiz does not have",
            ]
        );
    }

    #[test]
    fn a_problem_renders_with_its_line_and_a_caret() {
        let source = "id = \"x\"\ntitle = { zh = \"故事\", en = \"Story }\n";
        let problem = Problem::new(
            Severity::Error,
            Path::new("ex/exhibit.toml"),
            Some((2, 27)),
            Said::new(
                "the text that starts at column 27 has no closing quote",
                "从第 27 列开始的文字缺少结尾的引号",
            ),
        );
        assert_eq!(
            problem.render(source),
            "ex/exhibit.toml:2:27: error: the text that starts at column 27 has no closing quote\n  |\n2 | title = { zh = \"故事\", en = \"Story }\n  |                             ^"
        );
        let nowhere = Problem {
            line: None,
            column: None,
            ..problem
        };
        assert_eq!(nowhere.render(source), nowhere.to_string());
    }

    #[test]
    fn offsets_in_the_renamed_text_lead_back_to_the_source() {
        let source = "x = 1\nchoice = 2\ny = 3\n";
        let renamed = Renamed::new(source, &[(6..12, "choices".to_owned())]);
        assert_eq!(renamed.text, "x = 1\nchoices = 2\ny = 3\n");
        for (written, in_source) in [("x", "x"), ("choices", "choice"), ("2", "2"), ("y", "y")] {
            let offset = renamed.text.find(written).unwrap();
            assert_eq!(
                renamed.original_offset(offset),
                source.find(in_source).unwrap()
            );
        }
        // Inside the renamed key: its start.
        assert_eq!(renamed.original_offset(12), 6);
    }

    #[test]
    fn offsets_and_lines_and_columns_are_inverse() {
        let source = "\u{feff}a = 1\r\nb = \"故事\"\nc";
        for (offset, _) in source.char_indices().skip(1) {
            let (line, column) = line_and_column(source, offset);
            assert_eq!(offset_of(source, line, column), offset, "{line}:{column}");
        }
    }

    /// The sample exhibits, as (name, text).
    fn samples() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
        let mut samples: Vec<(String, String)> = std::fs::read_dir(root)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.join(MANIFEST_FILE).is_file())
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (
                    name,
                    std::fs::read_to_string(path.join(MANIFEST_FILE)).unwrap(),
                )
            })
            .collect();
        samples.sort();
        samples
    }

    /// A line `key = value` whole on its line, split at its key and value.
    fn key_value(line: &str) -> Option<(&str, &str)> {
        let (key, value) = line.split_once(" = ")?;
        let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        (is_key && toml::from_str::<toml::Table>(line).is_ok()).then_some((key, value))
    }

    /// One mistake on one line: a value of the wrong type, an unknown field, an unknown name,
    /// a full-width `＝`, a string without its closing quote.
    fn mutate(line: &str, mutation: u8) -> String {
        let Some((key, value)) = key_value(line) else {
            return line.to_owned();
        };
        let wrong_type =
            if value.starts_with('"') || value.starts_with('[') || value.starts_with('{') {
                "12345"
            } else {
                "\"not this\""
            };
        match mutation {
            0 => format!("{key} = {wrong_type}"),
            1 => format!("zz_{key} = {value}"),
            3 => format!("{key} ＝ {value}"),
            4 => match value.strip_suffix('"') {
                Some(open) => format!("{key} = {open}"),
                None => format!("{key} ＝ {value}"),
            },
            _ => match key {
                "kind" | "type" | "theme" => format!("{key} = \"zzzz\""),
                "audiences" => format!("{key} = [\"zzzz\"]"),
                _ => format!("{key} = {wrong_type}"),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// N independent mistakes on N lines of a valid sample, syntax errors among them, are
        /// N problems or more, one on each of those lines, in one run.
        #[test]
        fn every_independent_mistake_is_reported_in_one_run(
            sample in 0usize..8,
            picks in proptest::collection::vec((any::<proptest::sample::Index>(), 0u8..5), 1..=6),
        ) {
            let samples = samples();
            let (name, text) = &samples[sample % samples.len()];
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let candidates: Vec<usize> = (0..lines.len()).filter(|&i| key_value(&lines[i]).is_some()).collect();
            let mut mutated = std::collections::BTreeSet::new();
            for (index, mutation) in picks {
                let at = candidates[index.index(candidates.len())];
                if mutated.insert(at + 1) {
                    lines[at] = mutate(&lines[at], mutation);
                }
            }
            let source = lines.join("\n") + "\n";
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits").join(name);
            let problems = super::super::parse_and_validate(&source, &root, &ValidationRules::default()).problems;
            let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
            prop_assert!(problems.len() >= mutated.len(), "{mutated:?}: {rendered:#?}\n{source}");
            for line in &mutated {
                prop_assert!(
                    problems.iter().any(|p| p.line == Some(*line)),
                    "nothing on line {line}: {rendered:#?}\n{source}"
                );
            }
        }
    }
}
