//! What the store hands the reports: plain rows, no sqlx.
//!
//! Every count is a sum of *atoms* (docs/dashboard.md, "Privacy"): `adjusted` is the sum of the
//! atoms' privacy-adjusted counts — the only number that may be published — and `sessions` the
//! true number of distinct visitor sessions it rests on, used only to decide whether it rests on
//! fewer than `k` sessions, and never published.

use kepu_store::rollup::fold::{BUCKETS, DURATION_BUCKETS_MS};
use std::iter::Sum;
use std::ops::Add;

/// A count as the suppression step needs it: what may be shown, and what it rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// The privacy-adjusted count (a sum of adjusted atoms): the only number published.
    pub adjusted: u64,
    /// The true number of sessions (only for the "fewer than k" decision).
    pub sessions: u64,
}

impl Count {
    pub const ZERO: Count = Count {
        adjusted: 0,
        sessions: 0,
    };

    pub fn new(adjusted: u64, sessions: u64) -> Self {
        Self { adjusted, sessions }
    }
}

/// Sums saturate: a count near `u64::MAX` is not a real case, but it must not wrap.
impl Add for Count {
    type Output = Count;
    fn add(self, other: Count) -> Count {
        Count {
            adjusted: self.adjusted.saturating_add(other.adjusted),
            sessions: self.sessions.saturating_add(other.sessions),
        }
    }
}

impl Sum for Count {
    fn sum<I: Iterator<Item = Count>>(iter: I) -> Count {
        iter.fold(Count::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Count> for Count {
    fn sum<I: Iterator<Item = &'a Count>>(iter: I) -> Count {
        iter.copied().sum()
    }
}

/// One row of an atom query: the group's key values (what each report's input documents, e.g.
/// `[day]` or `[audience, question]`) and the sums of its atoms.
///
/// Rows whose groups partition sessions (a session has one start hour, one language, one
/// "I am a..." answer) add up: the sum of `sessions` over them is the distinct sessions of the
/// union. Where a report sums rows that do not partition sessions (answers to several questions
/// of one theme), it says how it takes the true count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomSum {
    pub group: Vec<String>,
    pub adjusted: u64,
    pub sessions: u64,
}

impl AtomSum {
    pub fn new(group: &[&str], adjusted: u64, sessions: u64) -> Self {
        Self {
            group: group.iter().map(|&g| g.to_owned()).collect(),
            adjusted,
            sessions,
        }
    }

    pub fn count(&self) -> Count {
        Count::new(self.adjusted, self.sessions)
    }
}

/// A histogram of durations over the roll-up's buckets ([`DURATION_BUCKETS_MS`]: upper bounds
/// 1 s, 2 s, 5 s, 10 s, 20 s, 30 s, 1 min, 2 min, 5 min, 10 min, 30 min, then an open-ended
/// bucket). Bucket `i` holds durations `d` with `bound[i-1] <= d < bound[i]` (`bound[-1]` = 0),
/// as `kepu_store::rollup::fold::duration_bucket` files them.
///
/// Each bucket is a [`Count`]: the adjusted sessions with a duration in it and their true
/// number. The store should file one duration per session in a histogram (for dwell: the
/// session's dwell at that exhibit), so that the buckets' true counts add up to the distinct
/// sessions the histogram rests on; the suppression step takes that sum as the base of the
/// histogram's quantiles and survival curve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DurationHistogram {
    pub group: Vec<String>,
    pub buckets: [Count; BUCKETS],
}

impl DurationHistogram {
    pub fn new(group: &[&str], buckets: [Count; BUCKETS]) -> Self {
        Self {
            group: group.iter().map(|&g| g.to_owned()).collect(),
            buckets,
        }
    }

    /// A histogram whose every bucket's adjusted count equals its true count (tests, and data
    /// that is not about visitors).
    pub fn exact(group: &[&str], counts: [u64; BUCKETS]) -> Self {
        Self::new(group, counts.map(|n| Count::new(n, n)))
    }

    /// The whole histogram: adjusted total and the true sessions it rests on.
    pub fn total(&self) -> Count {
        self.buckets.iter().sum()
    }

    /// The adjusted counts alone, for [`crate::reports::measures`].
    pub fn adjusted(&self) -> [u64; BUCKETS] {
        self.buckets.map(|c| c.adjusted)
    }

    /// Adds another histogram bucket by bucket (the group stays this one's).
    pub fn merge(&mut self, other: &DurationHistogram) {
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            *mine = *mine + *theirs;
        }
    }

    /// An empty histogram of `group`.
    pub fn empty(group: &[String]) -> Self {
        Self {
            group: group.to_vec(),
            buckets: [Count::ZERO; BUCKETS],
        }
    }
}

/// The duration buckets' edges in milliseconds: `[0, 1000, 2000, ..., 1_800_000, ∞]`, so that
/// bucket `i` is `[edges[i], edges[i + 1])` and the last one is open-ended.
pub fn duration_edges_ms() -> [f64; BUCKETS + 1] {
    std::array::from_fn(|i| match i {
        0 => 0.0,
        i if i <= DURATION_BUCKETS_MS.len() => DURATION_BUCKETS_MS[i - 1] as f64,
        _ => f64::INFINITY,
    })
}

/// A histogram of numbers over bins of given edges: bin `i` is `[edges[i], edges[i + 1])` (the
/// last bin includes its upper edge). Used for the values estimate questions were answered
/// with: the store bins the slider's range (e.g. ten equal bins from its `min` to its `max`).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueHistogram {
    pub group: Vec<String>,
    /// `bins.len() + 1` finite edges, strictly increasing.
    pub edges: Vec<f64>,
    pub bins: Vec<Count>,
}

impl ValueHistogram {
    pub fn total(&self) -> Count {
        self.bins.iter().sum()
    }
}

/// One answer of one session to one quiz question: per-session data from which the
/// point-biserial's [`ItemStats`] can be computed (`measures::item_stats`; tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAnswer {
    /// Opaque: only tells answers of one session from another's, within one audience (the
    /// store numbers sessions within each query's result, so per-audience results can be
    /// tagged with their audience and put together).
    pub session: u64,
    /// The session's "I am a..." answer (for the per-audience columns).
    pub audience: String,
    pub question: String,
    pub correct: bool,
}

/// The sums a question's point-biserial discrimination is computed from, over some sessions
/// that answered it (first answers only): with `x` the item (1 correct, 0 not) and `y` the
/// session's *rest score* (its correct first answers to the quiz's other questions),
/// `answered` = n, `correct` = Σx (= Σx², as x is 0 or 1), `rest` = Σy, `rest_squares` = Σy²
/// and `correct_rest` = Σxy. Sums over disjoint sessions add up to the sums of their union.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemSums {
    pub answered: u64,
    pub correct: u64,
    pub rest: u64,
    pub rest_squares: u64,
    pub correct_rest: u64,
}

/// Sums saturate, as [`Count`]'s do: never a real case, but they must not wrap.
impl Add for ItemSums {
    type Output = ItemSums;
    fn add(self, other: ItemSums) -> ItemSums {
        ItemSums {
            answered: self.answered.saturating_add(other.answered),
            correct: self.correct.saturating_add(other.correct),
            rest: self.rest.saturating_add(other.rest),
            rest_squares: self.rest_squares.saturating_add(other.rest_squares),
            correct_rest: self.correct_rest.saturating_add(other.correct_rest),
        }
    }
}

/// One quiz question's item statistics over the sessions of one "I am a..." answer
/// (the store's `ItemStatsRow`): exact sums over sessions, for the point-biserial
/// discrimination (a correlation over sessions, not a count; docs/dashboard.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemStats {
    /// The sessions' "I am a..." answer as stored (`""`: none given).
    pub audience: String,
    pub question: String,
    pub sums: ItemSums,
}
