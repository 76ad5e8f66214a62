//! `/dashboard/quizzes/{exhibit}`: item analysis of one exhibit's quiz. Per question and per
//! audience side by side (all sessions first): answered, difficulty (share correct),
//! discrimination (corrected item-total point-biserial), the choices' shares with the correct
//! ones marked and non-functioning distractors flagged, median answer time, and for an
//! estimate question the deciles and the distribution of the values it was answered with,
//! beside its true value.

use super::input::{AtomSum, Count, DurationHistogram, ItemStats, ValueHistogram};
use super::measures::{ItemScores, MEDIAN, NON_FUNCTIONING_SHARE};
use super::suppress::{Comparison, CountTable, Published, Reading, Shown, Suppression};
use super::{Label, Names, ReportError, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The key of the column of all sessions (every audience together).
pub const ALL_AUDIENCES: &str = "*";

/// What the manifest says of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionFacts {
    pub question_id: String,
    /// Its choices in the manifest's order (`true` and `false` for a true/false question, as
    /// its answers carry them; none for an estimate).
    pub choices: Vec<ChoiceFacts>,
    /// Several choices may be picked in one answer, so picks do not add up to answers.
    pub multiple: bool,
    /// An estimate question (answered with a number).
    pub estimate: bool,
    /// An estimate question's true value (the manifest's `estimate.answer`).
    pub true_value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceFacts {
    pub choice_id: String,
    pub correct: bool,
}

/// One period's rows. Of the previous period only `answered` and `correct` are read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuizPeriod {
    /// Sessions that answered: group `[audience, question]`.
    pub answered: Vec<AtomSum>,
    /// Sessions that answered correctly: group `[audience, question]`.
    pub correct: Vec<AtomSum>,
    /// Sessions that picked a choice: group `[audience, question, choice]`.
    pub choices: Vec<AtomSum>,
    /// Time from the question appearing to the answer: group `[audience, question]`.
    pub answer_time: Vec<DurationHistogram>,
    /// Values estimate questions were answered with: group `[audience, question]`; one
    /// question's histograms all have the same edges.
    pub estimates: Vec<ValueHistogram>,
    /// The item statistics of this quiz's questions (sums over sessions), for
    /// discrimination: one row per `(audience, question)`.
    pub item_stats: Vec<ItemStats>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuizInput {
    pub exhibit_id: String,
    /// The quiz's questions in order. Questions that only the data names (removed from the
    /// manifest since) are listed after them, with the choices the data has, none marked
    /// correct, and counted as multiple-choice (no assumption that picks add up).
    pub questions: Vec<QuestionFacts>,
    /// The audience columns after "all", in order. Audiences not listed count in "all" only.
    pub audiences: Vec<String>,
    pub current: QuizPeriod,
    pub previous: QuizPeriod,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct QuizReport {
    pub exhibit: Label,
    /// The columns of every question's `items`: all sessions (key `*`), then each audience.
    pub audiences: Vec<Label>,
    pub questions: Vec<QuestionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct QuestionReport {
    pub question: Label,
    pub multiple: bool,
    pub estimate: bool,
    /// An estimate question's true value, from the manifest (not a figure about visitors).
    pub true_value: Option<f64>,
    /// One per column of [`QuizReport::audiences`].
    pub items: Vec<ItemAnalysis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ItemAnalysis {
    pub audience: Label,
    /// Sessions that answered (correct + wrong of the answers table: the larger of the
    /// adjusted answered and correct counts, which are adjusted apart).
    pub answered: Comparison<u64>,
    /// Share correct (classical item difficulty: higher is easier).
    pub difficulty: Comparison<f64>,
    /// Corrected item-total correlation; shown on at least max(30, k) sessions.
    pub discrimination: Shown<f64>,
    pub choices: Vec<ChoiceRow>,
    pub median_answer_ms: Shown<f64>,
    /// The 10th, 20th, ..., 90th percentiles of the values given (estimate questions only).
    pub estimate_deciles: Vec<Shown<f64>>,
    /// The values given, per bin (estimate questions that have values in the period only).
    pub estimate_distribution: Option<ValueDistribution>,
}

/// How many sessions gave a value in each bin of an estimate question's range, in one column.
///
/// The bins of all the columns are one table, `bins × audiences` with the "all" column as
/// row totals and each column's `total` as column totals, suppressed as one: a suppressed bin
/// stays suppressed, and no shown bins and total give a hidden one back.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ValueDistribution {
    /// `bins.len() + 1` increasing edges: bin `i` is `[edges[i], edges[i + 1])`, the last
    /// bin with its upper edge.
    pub edges: Vec<f64>,
    /// Sessions whose (first) answer fell in each bin.
    pub bins: Vec<Shown<u64>>,
    /// Sessions that answered with a value (the bins' sum).
    pub total: Shown<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChoiceRow {
    pub choice: Label,
    pub correct: bool,
    /// Sessions that picked it.
    pub picked: Shown<u64>,
    /// Picks ÷ answers.
    pub share: Shown<f64>,
    /// A wrong choice picked by less than 5 % of answers. Decided from shown figures only:
    /// from the share when it is shown; for a suppressed share of a single-choice question,
    /// `true` when even the most the suppressed picks can add up to (total − shown picks) is
    /// under 5 %, else suppressed.
    pub non_functioning: Shown<bool>,
}

/// The quiz page of one exhibit.
///
/// Each question's counts are two tables with the audiences side by side — answers (correct
/// and wrong) and picks per choice — whose row totals are the "all" column. Audiences not
/// listed are one more column, not shown, so that the "all" column stays their sum and
/// secondary suppression sees every relation the page shows.
pub fn quiz(
    privacy: &Suppression,
    input: &QuizInput,
    names: &dyn Names,
) -> Result<Published<QuizReport>, ReportError> {
    let exhibit = input.exhibit_id.as_str();
    let now = Rows::of(&input.current)?;
    let before = Rows::of(&input.previous)?;
    let mut questions = input.questions.clone();
    for (question, choices) in now.unknown_questions(&questions) {
        questions.push(QuestionFacts {
            question_id: question,
            choices: choices
                .into_iter()
                .map(|choice_id| ChoiceFacts {
                    choice_id,
                    correct: false,
                })
                .collect(),
            multiple: true,
            estimate: false,
            true_value: None,
        });
    }
    let mut columns = vec![Label {
        key: ALL_AUDIENCES.to_owned(),
        text: names
            .audience(ALL_AUDIENCES)
            .unwrap_or_else(|| "all".to_owned()),
    }];
    columns.extend(
        input
            .audiences
            .iter()
            .map(|a| Label::new(a, names.audience(a))),
    );
    // Column 0 is every audience; column j is audience j − 1.
    let audience_of = |j: usize| j.checked_sub(1).map(|i| input.audiences[i].as_str());
    let scores: Vec<ItemScores> = (0..columns.len())
        .map(|j| {
            ItemScores::from_stats(
                input
                    .current
                    .item_stats
                    .iter()
                    .filter(|a| audience_of(j).is_none_or(|want| a.audience == want)),
            )
        })
        .collect();

    let mut reports = Vec::with_capacity(questions.len());
    for facts in &questions {
        let q = facts.question_id.as_str();
        let answers_now = answer_figures(privacy, &now, &input.audiences, q)?;
        let answers_before = answer_figures(privacy, &before, &input.audiences, q)?;
        let choices = choice_rows(privacy, &now, &input.audiences, facts, &answers_now)?;
        let mut distributions = if facts.estimate {
            value_distributions(privacy, &now, &input.audiences, q)?
        } else {
            None
        }
        .map(Vec::into_iter);
        let mut items = Vec::with_capacity(columns.len());
        for (j, column) in columns.iter().enumerate() {
            let audience = audience_of(j);
            let answer_time = now.answer_time(audience, q);
            let estimate_deciles = if facts.estimate {
                match now.estimates(audience, q)? {
                    Some(h) => (1..=9)
                        .map(|d| privacy.quantile_of_bins(&h.bins, &h.edges, f64::from(d) / 10.0))
                        .collect(),
                    None => vec![Shown::empty(); 9],
                }
            } else {
                Vec::new()
            };
            items.push(ItemAnalysis {
                audience: column.clone(),
                answered: privacy.compare(answers_now.answered[j], answers_before.answered[j]),
                difficulty: privacy
                    .compare(answers_now.difficulty[j], answers_before.difficulty[j]),
                discrimination: privacy.discrimination(&scores[j], q),
                choices: facts
                    .choices
                    .iter()
                    .zip(&choices[j])
                    .map(|(c, figures)| ChoiceRow {
                        choice: Label::new(&c.choice_id, names.choice(exhibit, q, &c.choice_id)),
                        correct: c.correct,
                        picked: figures.picked,
                        share: figures.share,
                        non_functioning: figures.non_functioning,
                    })
                    .collect(),
                median_answer_ms: privacy.quantile(&answer_time, MEDIAN),
                estimate_deciles,
                estimate_distribution: distributions.as_mut().and_then(Iterator::next),
            });
        }
        reports.push(QuestionReport {
            question: Label::new(q, names.question(exhibit, q)),
            multiple: facts.multiple,
            estimate: facts.estimate,
            true_value: facts.true_value.filter(|_| facts.estimate),
            items,
        });
    }
    Ok(privacy.publish(QuizReport {
        exhibit: Label::new(exhibit, names.exhibit(exhibit)),
        audiences: columns,
        questions: reports,
    }))
}

/// The table columns of a question: each listed audience, then the others together.
fn table_columns(audiences: &[String]) -> Vec<Label> {
    audiences
        .iter()
        .map(|a| Label::new(a, None))
        .chain(std::iter::once(Label::new(OTHER_AUDIENCES, None)))
        .collect()
}

/// The column of the audiences not listed, in the tables (never shown).
const OTHER_AUDIENCES: &str = "(other)";

/// One question's answers in one period, per shown column (all, then each audience).
struct AnswerFigures {
    answered: Vec<Shown<u64>>,
    difficulty: Vec<Shown<f64>>,
    /// The true counts behind `answered` (for the rule of multiple-choice shares).
    answered_counts: Vec<Count>,
}

/// The table `[correct, wrong] × audiences`, with the "all" column as row totals and the
/// answered sessions as column totals. (A column's total is correct + wrong, of adjusted
/// counts: `max(answered, correct)`, since the two are adjusted apart.)
fn answer_figures(
    privacy: &Suppression,
    rows: &Rows,
    audiences: &[String],
    q: &str,
) -> Result<AnswerFigures, ReportError> {
    let counts: Vec<(Count, Count)> = audiences
        .iter()
        .map(|a| (rows.answered.sum(Some(a), q), rows.correct.sum(Some(a), q)))
        .chain(std::iter::once((
            rows.answered.sum_other(audiences, q),
            rows.correct.sum_other(audiences, q),
        )))
        .collect();
    let wrong = |(answered, correct): &(Count, Count)| {
        Count::new(
            answered.adjusted.saturating_sub(correct.adjusted),
            answered.sessions.saturating_sub(correct.sessions),
        )
    };
    let cells = vec![
        counts.iter().map(|(_, correct)| *correct).collect(),
        counts.iter().map(wrong).collect(),
    ];
    let labels = vec![Label::new("correct", None), Label::new("wrong", None)];
    let table = CountTable::new("answers", labels, table_columns(audiences), cells)?
        .with_row_totals()
        .with_column_totals();
    let shown = privacy.table(&table);
    let none = Shown::empty();
    let margin = |v: &Option<Vec<Shown<u64>>>, i: usize| {
        v.as_ref().and_then(|m| m.get(i).copied()).unwrap_or(none)
    };
    let mut figures = AnswerFigures {
        answered: Vec::new(),
        difficulty: Vec::new(),
        answered_counts: Vec::new(),
    };
    for j in 0..=audiences.len() {
        let (answered, correct, wrong, count) = if j == 0 {
            (
                shown.total.unwrap_or(none),
                margin(&shown.row_totals, 0),
                margin(&shown.row_totals, 1),
                counts.iter().map(|(a, _)| *a).sum(),
            )
        } else {
            (
                margin(&shown.column_totals, j - 1),
                shown.cells[0][j - 1],
                shown.cells[1][j - 1],
                counts[j - 1].0,
            )
        };
        figures.answered.push(answered);
        figures
            .difficulty
            .push(privacy.share_of_parts(correct, wrong, answered));
        figures.answered_counts.push(count);
    }
    Ok(figures)
}

/// The distribution of an estimate question's values per shown column (all, then each
/// audience), from the table `bins × audiences` (the audiences not listed one more column)
/// with the "all" column as row totals and each column's values as column totals: each
/// session gives one value, so the bins partition the sessions of a column. `None` when the
/// period has no values of the question (no edges to draw them on).
fn value_distributions(
    privacy: &Suppression,
    rows: &Rows,
    audiences: &[String],
    q: &str,
) -> Result<Option<Vec<ValueDistribution>>, ReportError> {
    let Some(all) = rows.estimates(None, q)? else {
        return Ok(None);
    };
    let columns: Vec<Vec<Count>> = audiences
        .iter()
        .map(|a| rows.estimates(Some(a), q))
        .chain(std::iter::once(rows.estimates_other(audiences, q)))
        .map(|h| Ok(h?.map_or_else(|| vec![Count::ZERO; all.bins.len()], |h| h.bins)))
        .collect::<Result<_, ReportError>>()?;
    let cells: Vec<Vec<Count>> = (0..all.bins.len())
        .map(|b| columns.iter().map(|c| c[b]).collect())
        .collect();
    let labels = all
        .edges
        .windows(2)
        .map(|w| Label::new(&format!("{}-{}", w[0], w[1]), None))
        .collect();
    let table = CountTable::new("estimates", labels, table_columns(audiences), cells)?
        .with_row_totals()
        .with_column_totals();
    let shown = privacy.table(&table);
    let none = Shown::empty();
    let distribution = |bins: Vec<Shown<u64>>, total: Option<Shown<u64>>| ValueDistribution {
        edges: all.edges.clone(),
        bins,
        total: total.unwrap_or(none),
    };
    let mut out = vec![distribution(
        shown.row_totals.clone().unwrap_or_default(),
        shown.total,
    )];
    for j in 0..audiences.len() {
        out.push(distribution(
            shown.cells.iter().map(|row| row[j]).collect(),
            shown.column_totals.as_ref().and_then(|t| t.get(j).copied()),
        ));
    }
    Ok(Some(out))
}

/// One choice's figures in one shown column.
struct ChoiceFigures {
    picked: Shown<u64>,
    share: Shown<f64>,
    non_functioning: Shown<bool>,
}

/// The table `choices × audiences` of a question, with the "all" column as row totals and,
/// for a single-choice question (whose picks partition the answers), the picks per audience
/// as column totals; then each choice's figures per shown column.
fn choice_rows(
    privacy: &Suppression,
    rows: &Rows,
    audiences: &[String],
    facts: &QuestionFacts,
    answers: &AnswerFigures,
) -> Result<Vec<Vec<ChoiceFigures>>, ReportError> {
    let q = facts.question_id.as_str();
    let cells: Vec<Vec<Count>> = facts
        .choices
        .iter()
        .map(|c| {
            let key = choice_key(q, &c.choice_id);
            audiences
                .iter()
                .map(|a| rows.choices.sum(Some(a), &key))
                .chain(std::iter::once(rows.choices.sum_other(audiences, &key)))
                .collect()
        })
        .collect();
    let labels = facts
        .choices
        .iter()
        .map(|c| Label::new(&c.choice_id, None))
        .collect();
    let mut table = CountTable::new("choices", labels, table_columns(audiences), cells.clone())?
        .with_row_totals();
    if !facts.multiple {
        table = table.with_column_totals();
    }
    let shown = privacy.table(&table);
    let none = Shown::empty();
    let row_total = |c: usize| {
        shown
            .row_totals
            .as_ref()
            .and_then(|t| t.get(c).copied())
            .unwrap_or(none)
    };
    let mut columns = Vec::with_capacity(audiences.len() + 1);
    for j in 0..=audiences.len() {
        let picked: Vec<Shown<u64>> = (0..facts.choices.len())
            .map(|c| {
                if j == 0 {
                    row_total(c)
                } else {
                    shown.cells[c][j - 1]
                }
            })
            .collect();
        let picks_true: Vec<u64> = (0..facts.choices.len())
            .map(|c| {
                if j == 0 {
                    cells[c]
                        .iter()
                        .map(|n| n.sessions)
                        .fold(0, u64::saturating_add)
                } else {
                    cells[c][j - 1].sessions
                }
            })
            .collect();
        // Single choice: shares of the column's picks, and the most the hidden picks of the
        // column can add up to, as a share (what its shown total leaves).
        let total = if facts.multiple {
            answers.answered[j]
        } else if j == 0 {
            shown.total.unwrap_or(none)
        } else {
            shown
                .column_totals
                .as_ref()
                .and_then(|t| t.get(j - 1).copied())
                .unwrap_or(none)
        };
        let bound = (!facts.multiple)
            .then(|| total.value().filter(|&t| t > 0))
            .flatten()
            .map(|t| {
                let visible: u64 = picked.iter().filter_map(Shown::value).sum();
                t.saturating_sub(visible) as f64 / t as f64
            });
        let figures = facts
            .choices
            .iter()
            .enumerate()
            .map(|(c, facts_c)| {
                let share = if facts.multiple {
                    let rest = answers.answered_counts[j]
                        .sessions
                        .saturating_sub(picks_true[c]);
                    privacy.share_of_rest(picked[c], total, rest)
                } else {
                    privacy.share_of(picked[c], total)
                };
                ChoiceFigures {
                    picked: picked[c],
                    share,
                    non_functioning: privacy.flag(|| {
                        if facts_c.correct {
                            return Some(false);
                        }
                        match share.read() {
                            Reading::Value(s) => Some(s < NON_FUNCTIONING_SHARE),
                            Reading::Suppressed => {
                                bound.filter(|&b| b < NON_FUNCTIONING_SHARE).map(|_| true)
                            }
                            _ => None,
                        }
                    }),
                }
            })
            .collect();
        columns.push(figures);
    }
    Ok(columns)
}

/// The key of a choice in [`Keyed`] sums: question and choice.
fn choice_key(question: &str, choice: &str) -> String {
    format!("{question}\u{0}{choice}")
}

/// Sums by audience and key; `None` sums every audience.
#[derive(Debug, Default)]
struct Keyed(BTreeMap<(String, String), Count>);

impl Keyed {
    fn add(&mut self, audience: &str, key: String, count: Count) {
        let sum = self.0.entry((audience.to_owned(), key)).or_default();
        *sum = *sum + count;
    }

    fn sum(&self, audience: Option<&str>, key: &str) -> Count {
        self.0
            .iter()
            .filter(|((a, k), _)| k == key && audience.is_none_or(|want| a == want))
            .map(|(_, c)| *c)
            .sum()
    }

    /// The sum over the audiences not in `listed`.
    fn sum_other(&self, listed: &[String], key: &str) -> Count {
        self.0
            .iter()
            .filter(|((a, k), _)| k == key && !listed.contains(a))
            .map(|(_, c)| *c)
            .sum()
    }
}

/// A period's rows, checked and summed.
struct Rows {
    answered: Keyed,
    correct: Keyed,
    choices: Keyed,
    /// Choice ids per question, in the order first seen.
    choice_ids: BTreeMap<String, Vec<String>>,
    answer_time: Vec<DurationHistogram>,
    estimates: Vec<ValueHistogram>,
}

impl Rows {
    fn of(period: &QuizPeriod) -> Result<Self, ReportError> {
        let mut rows = Rows {
            answered: Keyed::default(),
            correct: Keyed::default(),
            choices: Keyed::default(),
            choice_ids: BTreeMap::new(),
            answer_time: period.answer_time.clone(),
            estimates: period.estimates.clone(),
        };
        for atom in &period.answered {
            let [audience, q] = group_of::<2>("answered", &atom.group)?;
            rows.answered.add(audience, q.to_owned(), atom.count());
        }
        for atom in &period.correct {
            let [audience, q] = group_of::<2>("correct", &atom.group)?;
            rows.correct.add(audience, q.to_owned(), atom.count());
        }
        for atom in &period.choices {
            let [audience, q, choice] = group_of::<3>("choices", &atom.group)?;
            rows.choices
                .add(audience, choice_key(q, choice), atom.count());
            let ids = rows.choice_ids.entry(q.to_owned()).or_default();
            if !ids.iter().any(|c| c == choice) {
                ids.push(choice.to_owned());
            }
        }
        for h in &period.answer_time {
            group_of::<2>("answer time", &h.group)?;
        }
        for h in &period.estimates {
            group_of::<2>("estimates", &h.group)?;
            check_edges(h)?;
        }
        Ok(rows)
    }

    /// Questions the data has and `known` does not, with their choice ids.
    fn unknown_questions(&self, known: &[QuestionFacts]) -> Vec<(String, Vec<String>)> {
        let mut ids: Vec<String> = self
            .answered
            .0
            .keys()
            .map(|(_, q)| q.clone())
            .chain(self.choice_ids.keys().cloned())
            .filter(|q| !known.iter().any(|f| &f.question_id == q))
            .collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .map(|q| {
                let choices = self.choice_ids.get(&q).cloned().unwrap_or_default();
                (q, choices)
            })
            .collect()
    }

    fn answer_time(&self, audience: Option<&str>, question: &str) -> DurationHistogram {
        let mut sum = DurationHistogram::empty(&[]);
        for h in self
            .answer_time
            .iter()
            .filter(|h| matches(&h.group, audience, question))
        {
            sum.merge(h);
        }
        sum
    }

    fn estimates(
        &self,
        audience: Option<&str>,
        question: &str,
    ) -> Result<Option<ValueHistogram>, ReportError> {
        self.estimates_where(question, |a| audience.is_none_or(|want| a == want))
    }

    /// The sum of the histograms of the audiences not in `listed`.
    fn estimates_other(
        &self,
        listed: &[String],
        question: &str,
    ) -> Result<Option<ValueHistogram>, ReportError> {
        self.estimates_where(question, |a| !listed.iter().any(|l| l == a))
    }

    /// The sum of `question`'s histograms of the audiences `audience` accepts.
    fn estimates_where(
        &self,
        question: &str,
        audience: impl Fn(&str) -> bool,
    ) -> Result<Option<ValueHistogram>, ReportError> {
        let mut sum: Option<ValueHistogram> = None;
        for h in self
            .estimates
            .iter()
            .filter(|h| matches(&h.group, None, question) && audience(&h.group[0]))
        {
            match &mut sum {
                None => sum = Some(h.clone()),
                Some(s) if s.edges == h.edges => {
                    for (mine, theirs) in s.bins.iter_mut().zip(&h.bins) {
                        *mine = *mine + *theirs;
                    }
                }
                Some(_) => {
                    return Err(ReportError::BadHistogram {
                        what: "estimates",
                        detail: format!("question {question:?} has histograms of different edges"),
                    });
                }
            }
        }
        Ok(sum)
    }
}

/// Whether an `[audience, question]` group is of `question` (and `audience`, if given).
fn matches(group: &[String], audience: Option<&str>, question: &str) -> bool {
    group.len() == 2 && group[1] == question && audience.is_none_or(|a| group[0] == a)
}

fn check_edges(h: &ValueHistogram) -> Result<(), ReportError> {
    let fits = h.edges.len() == h.bins.len() + 1
        && h.edges.iter().all(|e| e.is_finite())
        && h.edges.windows(2).all(|w| w[0] < w[1]);
    if fits {
        Ok(())
    } else {
        Err(ReportError::BadHistogram {
            what: "estimates",
            detail: format!(
                "{} bins need {} finite, increasing edges (got {:?})",
                h.bins.len(),
                h.bins.len() + 1,
                h.edges
            ),
        })
    }
}

#[cfg(test)]
mod tests;
