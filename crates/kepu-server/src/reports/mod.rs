//! The staff reports: pure functions from the store's roll-ups to what the dashboard pages, the
//! JSON API and the CSV downloads show. No HTTP, no database: every function here is a plain
//! function of its input rows, unit-tested on hand-computed values (docs/dashboard.md).
//!
//! - [`input`]: what the store hands over — atom sums ([`AtomSum`]: the privacy-adjusted count
//!   and the true count of sessions it rests on), duration histograms, a quiz's item statistics (sums over sessions).
//! - [`measures`]: the statistics themselves (quantiles from a histogram, survival curve,
//!   holding power, shares, the Wilson interval, point-biserial discrimination, distractors,
//!   period comparison), on plain numbers, knowing nothing of privacy.
//! - [`suppress`]: the privacy step. Every published number is a [`Shown`] (a value, or
//!   suppressed), and only this module can make a visible one; a whole report is a
//!   [`Published`], which only the suppression step's `publish` builds. Primary and secondary
//!   suppression of count tables ([`CountTable`]) lives here.
//! - [`overview`], [`exhibits`], [`quiz`], [`literacy`], [`sort`], [`funnel`]: one report per dashboard page, each a
//!   function `(&Suppression, &Input, &dyn Names) -> Result<Published<Report>, ReportError>`.
//!
//! Text (titles, question wording, names of audiences and languages) comes through the
//! [`Names`] trait, so that this code knows manifests only by their ids.

pub mod exhibits;
pub mod funnel;
pub mod input;
pub mod literacy;
pub mod measures;
pub mod overview;
pub mod quiz;
pub mod sort;
pub mod suppress;

pub use input::{
    AtomSum, Count, DurationHistogram, ItemStats, ItemSums, SessionAnswer, ValueHistogram,
};
pub use suppress::{
    Comparison, CountTable, Figure, MarginSessions, MinSessions, MinSessionsError, Published,
    Reading, SUPPRESSED_MARK, ShareInterval, Shown, ShownTable, Suppression, SurvivalPoint,
};

use schemars::JsonSchema;
use serde::Serialize;

/// Something in a report that is not a number: an id and the text shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Label {
    /// The id as the events carry it (exhibit id, question id, audience, language code, ...).
    pub key: String,
    /// The text shown for it ([`Names`]), or the id itself when there is none.
    pub text: String,
}

impl Label {
    /// The label of `key`: `text` when a name is known, else the key itself.
    pub fn new(key: &str, text: Option<String>) -> Self {
        Self {
            key: key.to_owned(),
            text: text.unwrap_or_else(|| key.to_owned()),
        }
    }
}

/// Text for the ids reports show, in the language of the page being made. Every method has a
/// default of `None` (the id is shown), so an implementation names only what it knows.
pub trait Names {
    fn exhibit(&self, _exhibit: &str) -> Option<String> {
        None
    }
    fn question(&self, _exhibit: &str, _question: &str) -> Option<String> {
        None
    }
    fn choice(&self, _exhibit: &str, _question: &str, _choice: &str) -> Option<String> {
        None
    }
    /// A sort game's item.
    fn sort_item(&self, _exhibit: &str, _item: &str) -> Option<String> {
        None
    }
    /// A sort game's bin.
    fn bin(&self, _exhibit: &str, _bin: &str) -> Option<String> {
        None
    }
    /// A literacy theme.
    fn theme(&self, _theme: &str) -> Option<String> {
        None
    }
    /// An "I am a..." answer (`skipped`, or `""` for sessions that gave none).
    fn audience(&self, _audience: &str) -> Option<String> {
        None
    }
    fn language(&self, _language: &str) -> Option<String> {
        None
    }
    fn kiosk(&self, _kiosk: &str) -> Option<String> {
        None
    }
    /// An accessibility mode (`large_text`, `high_contrast`, `seated`).
    fn accessibility_mode(&self, _mode: &str) -> Option<String> {
        None
    }
}

/// Names nothing: every label is its id.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl Names for NoNames {}

/// Input a report cannot be made from. These are mistakes of the caller (a query that returned
/// rows of another shape), reported instead of guessed around.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{what}: a group of {found} values where {expected} were expected ({group:?})")]
    GroupShape {
        what: &'static str,
        expected: usize,
        found: usize,
        group: Vec<String>,
    },
    #[error("{what}: {value:?} is not {expected}")]
    BadKey {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{what}: {key:?} is not among the report's {among}")]
    UnknownKey {
        what: &'static str,
        key: String,
        among: &'static str,
    },
    #[error("table {what}: {found} rows where the table has {expected}")]
    TableRows {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("table {what}: row {row} has {found} cells where the table has {expected} columns")]
    RaggedTable {
        what: &'static str,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("{what}: {detail}")]
    BadHistogram { what: &'static str, detail: String },
}

/// The reports `Suppression::publish` may wrap. Sealed: only the report types of this module
/// implement it, and their numbers are all [`Shown`] values.
pub trait Report: sealed::Sealed + Serialize {}

mod sealed {
    pub trait Sealed {}
}

macro_rules! reports {
    ($($report:ty),* $(,)?) => {
        $(
            impl sealed::Sealed for $report {}
            impl Report for $report {}
        )*
    };
}

reports!(
    overview::OverviewReport,
    exhibits::ExhibitsReport,
    quiz::QuizReport,
    literacy::LiteracyReport,
    sort::SortReport,
    funnel::FunnelReport,
);

/// `group` with exactly `N` values, or [`ReportError::GroupShape`].
fn group_of<'a, const N: usize>(
    what: &'static str,
    group: &'a [String],
) -> Result<[&'a str; N], ReportError> {
    if group.len() != N {
        return Err(ReportError::GroupShape {
            what,
            expected: N,
            found: group.len(),
            group: group.to_vec(),
        });
    }
    Ok(std::array::from_fn(|i| group[i].as_str()))
}

/// Sums the atoms of each one-value group (`[key]`), by key.
fn by_key(
    what: &'static str,
    atoms: &[AtomSum],
) -> Result<std::collections::BTreeMap<String, Count>, ReportError> {
    let mut sums = std::collections::BTreeMap::<String, Count>::new();
    for atom in atoms {
        let [key] = group_of::<1>(what, &atom.group)?;
        let sum = sums.entry(key.to_owned()).or_default();
        *sum = *sum + atom.count();
    }
    Ok(sums)
}
