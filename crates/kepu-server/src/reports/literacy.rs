//! `/dashboard/literacy`: share of correct answers per audience × literacy theme, with the
//! Wilson 95 % interval, and its monthly trend per theme.
//!
//! The counts here are *answers* (a session answering three questions of a theme gives three),
//! summed over the questions' atoms. Their true sessions do not add up across questions (one
//! session answers several), so the base of the "fewer than k" rule is a lower bound of the
//! distinct sessions: sessions of different months or audiences are different sessions, so
//! per `(month, audience)` the largest per-question count is taken, and those are added. A
//! lower bound can only suppress more, never less. (The interval treats answers as
//! independent; several answers of one session are not, so it is somewhat too narrow.)
//!
//! The period's figures are one table, themes × audiences with the "all" row and column as
//! its totals, suppressed as a table for answers, correct and wrong answers alike; a share is
//! shown only where all three of its cell are. The monthly trend is a second view of the same
//! answers, each month under the rules for counts and shares; what months add up to against
//! the period's table is a difference of reports, which the cell-key adjustment covers (as
//! for any two date ranges).

use super::input::{AtomSum, Count};
use super::suppress::{
    CountTable, MarginSessions, Published, ShareInterval, Shown, ShownTable, Suppression,
};
use super::{Label, Names, ReportError, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The key of "all audiences" and "all themes".
pub const ALL: &str = "*";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiteracyInput {
    /// The themes, in order; themes only the data names follow, by key.
    pub themes: Vec<String>,
    /// The audience columns after "all", in order; audiences not listed count in "all" only.
    pub audiences: Vec<String>,
    /// The period's months (`YYYY-MM`), in order.
    pub months: Vec<String>,
    /// Sessions that answered a question: group `[month, audience, theme, question]`. Rows
    /// of theme `""` (questions without a theme) are left out.
    pub answered: Vec<AtomSum>,
    /// Sessions that answered it correctly: the same groups.
    pub correct: Vec<AtomSum>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LiteracyReport {
    /// The columns of `themes`: all audiences (key `*`), then each audience.
    pub audiences: Vec<Label>,
    /// All themes (key `*`) first, then each theme, over the whole period.
    pub themes: Vec<ThemeRow>,
    pub months: Vec<Label>,
    /// Per theme (all themes first), all audiences, one cell per month.
    pub trend: Vec<ThemeRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ThemeRow {
    pub theme: Label,
    pub cells: Vec<LiteracyCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LiteracyCell {
    pub answers: Shown<u64>,
    /// Share correct and its Wilson 95 % interval.
    pub correct: ShareInterval,
}

/// One question's atoms in one `(month, audience)`.
#[derive(Debug, Clone, Copy, Default)]
struct Answers {
    answered: Count,
    correct: Count,
}

/// `(month, audience, theme, question)`.
type Key = (String, String, String, String);

/// The literacy page.
pub fn literacy(
    privacy: &Suppression,
    input: &LiteracyInput,
    names: &dyn Names,
) -> Result<Published<LiteracyReport>, ReportError> {
    let mut atoms: BTreeMap<Key, Answers> = BTreeMap::new();
    for (what, rows, correct) in [
        ("answered", &input.answered, false),
        ("correct", &input.correct, true),
    ] {
        for atom in rows {
            let [month, audience, theme, question] = group_of::<4>(what, &atom.group)?;
            if theme.is_empty() {
                // A question without a literacy theme.
                continue;
            }
            if !input.months.iter().any(|m| m == month) {
                return Err(ReportError::UnknownKey {
                    what,
                    key: month.to_owned(),
                    among: "months",
                });
            }
            let key = (
                month.to_owned(),
                audience.to_owned(),
                theme.to_owned(),
                question.to_owned(),
            );
            let entry = atoms.entry(key).or_default();
            let slot = if correct {
                &mut entry.correct
            } else {
                &mut entry.answered
            };
            *slot = *slot + atom.count();
        }
    }

    let mut themes: Vec<String> = input.themes.clone();
    let mut extra: Vec<String> = atoms
        .keys()
        .map(|(_, _, t, _)| t.clone())
        .filter(|t| !input.themes.contains(t))
        .collect();
    extra.sort();
    extra.dedup();
    themes.extend(extra);

    let theme_label = |t: &str| match t {
        ALL => Label {
            key: ALL.to_owned(),
            text: names.theme(ALL).unwrap_or_else(|| "all".to_owned()),
        },
        t => Label::new(t, names.theme(t)),
    };
    let mut audiences = vec![Label {
        key: ALL.to_owned(),
        text: names.audience(ALL).unwrap_or_else(|| "all".to_owned()),
    }];
    audiences.extend(
        input
            .audiences
            .iter()
            .map(|a| Label::new(a, names.audience(a))),
    );
    let row_keys: Vec<&str> = std::iter::once(ALL)
        .chain(themes.iter().map(String::as_str))
        .collect();

    // The period's table: themes × audiences (the unlisted ones as one more column, not
    // shown), its totals the "all" row and column; answers, correct and wrong answers each a
    // table of it, suppressed on its own.
    let listed = &input.audiences;
    let column_of = |audience: &str| {
        listed
            .iter()
            .position(|a| a == audience)
            .unwrap_or(listed.len())
    };
    let sums = |theme: Option<&str>, column: Option<usize>| {
        aggregate(atoms.iter().filter(|((_, a, t, _), _)| {
            theme.is_none_or(|want| t == want) && column.is_none_or(|want| column_of(a) == want)
        }))
    };
    let columns = listed.len() + 1;
    let cells: Vec<Vec<Sums>> = themes
        .iter()
        .map(|t| (0..columns).map(|j| sums(Some(t), Some(j))).collect())
        .collect();
    let row_margins: Vec<Sums> = themes.iter().map(|t| sums(Some(t), None)).collect();
    let column_margins: Vec<Sums> = (0..columns).map(|j| sums(None, Some(j))).collect();
    let grand = sums(None, None);
    let table_labels: Vec<Label> = listed
        .iter()
        .map(|a| Label::new(a, None))
        .chain(std::iter::once(Label::new("(other)", None)))
        .collect();
    let theme_labels: Vec<Label> = themes.iter().map(|t| Label::new(t, None)).collect();
    let table = |what: &'static str, part: fn(&Sums) -> Count| {
        let cells = cells
            .iter()
            .map(|row| row.iter().map(part).collect())
            .collect();
        let margins = MarginSessions {
            row_totals: row_margins.iter().map(|m| part(m).sessions).collect(),
            column_totals: column_margins.iter().map(|m| part(m).sessions).collect(),
            total: part(&grand).sessions,
        };
        CountTable::new(what, theme_labels.clone(), table_labels.clone(), cells)
            .and_then(|t| {
                t.with_row_totals()
                    .with_column_totals()
                    .with_margin_sessions(what, margins)
            })
            .map(|t| privacy.table(&t))
    };
    let answers = table("literacy answers", |s| s.answers)?;
    let correct = table("literacy correct", |s| s.correct)?;
    let wrong = table("literacy wrong", |s| s.wrong)?;
    // Shown row `i` (0: all themes) and column `j` (0: all audiences) of a table.
    let at = |t: &ShownTable, i: usize, j: usize| -> Shown<u64> {
        let none = Shown::empty();
        match (i, j) {
            (0, 0) => t.total.unwrap_or(none),
            (0, j) => t
                .column_totals
                .as_ref()
                .and_then(|m| m.get(j - 1).copied())
                .unwrap_or(none),
            (i, 0) => t
                .row_totals
                .as_ref()
                .and_then(|m| m.get(i - 1).copied())
                .unwrap_or(none),
            (i, j) => t.cells[i - 1][j - 1],
        }
    };
    let themes_rows = row_keys
        .iter()
        .enumerate()
        .map(|(i, &t)| ThemeRow {
            theme: theme_label(t),
            cells: (0..audiences.len())
                .map(|j| LiteracyCell {
                    answers: at(&answers, i, j),
                    correct: privacy.share_interval_of_parts(
                        at(&correct, i, j),
                        at(&wrong, i, j),
                        at(&answers, i, j),
                    ),
                })
                .collect(),
        })
        .collect();

    // The trend: each month a cell of its own, under the rules for counts and shares.
    let trend = row_keys
        .iter()
        .map(|&t| ThemeRow {
            theme: theme_label(t),
            cells: input
                .months
                .iter()
                .map(|m| {
                    let s = aggregate(atoms.iter().filter(|((month, _, theme, _), _)| {
                        month == m && (t == ALL || theme == t)
                    }));
                    LiteracyCell {
                        answers: privacy.count(s.answers),
                        correct: privacy.share_interval(s.correct, s.wrong.sessions, s.answers),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(privacy.publish(LiteracyReport {
        audiences,
        themes: themes_rows,
        months: input.months.iter().map(|m| Label::new(m, None)).collect(),
        trend,
    }))
}

/// Some atoms summed: adjusted sums, and as true counts lower bounds of the distinct sessions
/// (see the module's documentation).
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    answers: Count,
    correct: Count,
    /// Answers that were not correct: `answered − correct` per atom row.
    wrong: Count,
}

fn aggregate<'a>(atoms: impl Iterator<Item = (&'a Key, &'a Answers)>) -> Sums {
    #[derive(Default)]
    struct Bound {
        answered: u64,
        correct: u64,
        wrong: u64,
    }
    let mut adjusted = (0u64, 0u64, 0u64);
    let mut bounds: BTreeMap<(&str, &str), Bound> = BTreeMap::new();
    for ((month, audience, _, _), answers) in atoms {
        let (a, c) = (answers.answered, answers.correct);
        adjusted.0 = adjusted.0.saturating_add(a.adjusted);
        adjusted.1 = adjusted.1.saturating_add(c.adjusted);
        adjusted.2 = adjusted
            .2
            .saturating_add(a.adjusted.saturating_sub(c.adjusted));
        let bound = bounds.entry((month, audience)).or_default();
        bound.answered = bound.answered.max(a.sessions);
        bound.correct = bound.correct.max(c.sessions);
        bound.wrong = bound.wrong.max(a.sessions.saturating_sub(c.sessions));
    }
    let sum = |f: fn(&Bound) -> u64| bounds.values().map(f).fold(0u64, u64::saturating_add);
    Sums {
        answers: Count::new(adjusted.0, sum(|b| b.answered)),
        correct: Count::new(adjusted.1, sum(|b| b.correct)),
        wrong: Count::new(adjusted.2, sum(|b| b.wrong)),
    }
}

#[cfg(test)]
mod tests;
