//! The reports' statistics, on plain numbers. Nothing here knows about privacy: the
//! suppression step ([`super::suppress`]) decides what of it may be shown, and feeds these
//! functions adjusted counts only.

use super::input::{ItemStats, ItemSums, SessionAnswer, duration_edges_ms};
use kepu_store::rollup::fold::BUCKETS;
use std::collections::BTreeMap;

/// The median's `p`.
pub const MEDIAN: f64 = 0.5;
/// The 90th percentile's `p`.
pub const P90: f64 = 0.9;
/// The standard normal quantile of 0.975: `z` of a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;
/// Discrimination is shown only when at least this many sessions answered the question
/// (docs/dashboard.md: a correlation, not a count, and unstable on few sessions).
pub const MIN_DISCRIMINATION_SESSIONS: u64 = 30;
/// A wrong choice picked by less than this share of answers is a non-functioning distractor
/// (Haladyna & Downing's 5 % rule).
pub const NON_FUNCTIONING_SHARE: f64 = 0.05;

/// A quantile read from a histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantile {
    /// Inside a bin with an upper edge: interpolated.
    Value(f64),
    /// Inside the open-ended last bin: only "above its lower edge" is known.
    Above(f64),
}

impl Quantile {
    /// The number, for a value; the bin's lower edge for [`Quantile::Above`].
    pub fn bound(self) -> f64 {
        match self {
            Quantile::Value(v) | Quantile::Above(v) => v,
        }
    }
}

/// The `p`-quantile of a histogram, by linear interpolation inside the bin it falls in.
///
/// Convention: with `N` observations, the quantile's rank is `t = p·N`. It falls in the first
/// bin whose cumulative count reaches `t` (`cum_before < t <= cum_before + n`), and the
/// observations are taken as spread evenly over that bin, `[lo, hi)`:
/// `lo + (t − cum_before) / n · (hi − lo)`. This is the grouped-data quantile of textbook
/// statistics (e.g. the "median of grouped data", `L + (N/2 − F)/f · w`). The bin it lands in
/// is the one holding the `⌈p·N⌉`-th smallest observation (for `p·N > 0`), so the median of an
/// odd number of observations lies in the same bin as the true median. `t = 0` (`p = 0`) gives
/// the lower edge of the first non-empty bin. A rank within `1e-9·N` of a whole number is taken
/// as that number, so that `0.9 · 10` is 9 and not the next bin's 9.000000000000002.
///
/// A quantile in a bin whose upper edge is infinite is [`Quantile::Above`] its lower edge.
///
/// `edges` has one more element than `counts`, strictly increasing (the last may be
/// `f64::INFINITY`). `None` when there are no observations, `p` is outside `[0, 1]`, or the
/// edges do not fit the counts.
pub fn quantile_from_bins(counts: &[u64], edges: &[f64], p: f64) -> Option<Quantile> {
    if edges.len() != counts.len() + 1
        || !(0.0..=1.0).contains(&p)
        || edges
            .windows(2)
            .any(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less))
        || !edges[0].is_finite()
    {
        return None;
    }
    let total: u64 = counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let mut rank = p * n;
    let whole = rank.round();
    if (rank - whole).abs() <= 1e-9 * n {
        rank = whole;
    }
    let mut before = 0.0;
    for (i, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let (lo, hi) = (edges[i], edges[i + 1]);
        let count = count as f64;
        if rank <= before + count {
            if !hi.is_finite() {
                return Some(Quantile::Above(lo));
            }
            let within = ((rank - before) / count).clamp(0.0, 1.0);
            return Some(Quantile::Value(lo + within * (hi - lo)));
        }
        before += count;
    }
    // Unreachable: the last non-empty bin has cumulative count N >= rank.
    None
}

/// The `p`-quantile in milliseconds of a duration histogram over the roll-up's buckets
/// ([`kepu_store::rollup::fold::DURATION_BUCKETS_MS`]), as [`quantile_from_bins`] reads it; a
/// quantile in the open-ended last bucket is `Above(1_800_000.0)`: "over 30 min".
pub fn quantile_from_histogram(counts: &[u64; BUCKETS], p: f64) -> Option<Quantile> {
    quantile_from_bins(counts, &duration_edges_ms(), p)
}

/// The median (in ms) of a duration histogram: [`quantile_from_histogram`] at 0.5.
pub fn median(counts: &[u64; BUCKETS]) -> Option<Quantile> {
    quantile_from_histogram(counts, MEDIAN)
}

/// The 90th percentile (in ms) of a duration histogram: [`quantile_from_histogram`] at 0.9.
pub fn p90(counts: &[u64; BUCKETS]) -> Option<Quantile> {
    quantile_from_histogram(counts, P90)
}

/// The survival curve of a duration histogram: for each bucket bound `b` (1 s ... 30 min), the
/// share of observations lasting at least `b` — those in the buckets above it, `Σ_{j>i} n_j / N`
/// (exact, no interpolation: a bound is a bucket edge). Non-increasing. `None` when empty.
pub fn survival_curve(counts: &[u64; BUCKETS]) -> Option<[f64; BUCKETS - 1]> {
    let total: u64 = counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
    if total == 0 {
        return None;
    }
    let mut left = total;
    Some(std::array::from_fn(|i| {
        left = left.saturating_sub(counts[i]);
        left as f64 / total as f64
    }))
}

/// Holding power (Bitgood's "holding power" of an exhibit): median dwell divided by the time
/// the exhibit needs to be seen through, its intended length. 1.0 means the typical visitor
/// stayed as long as intended. `None` without an intended length.
pub fn holding_power(median_ms: f64, intended_ms: u64) -> Option<f64> {
    (intended_ms > 0).then(|| median_ms / intended_ms as f64)
}

/// `part / whole`, with `part` capped at `whole`: counts adjusted separately (a numerator and
/// its denominator come from different atoms) can put a small numerator above its
/// denominator, and a share is never above 1. `None` when `whole` is 0.
///
/// Attraction (Melton, Bitgood) is `share(sessions that opened the exhibit, sessions)`; entry
/// and exit shares, one-touch share, completion rate and difficulty are shares too.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part.min(whole) as f64 / whole as f64)
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The Wilson score interval of a proportion (Wilson 1927; Agresti & Coull 1998): with
/// `p̂ = s/n`,
///
/// `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
///
/// Unlike the normal ("Wald") interval it stays inside `[0, 1]` and is not empty at `p̂ = 0`
/// or 1 (rounding is clamped to `[0, 1]`). `None` when `n` is 0, `successes > n`, or `z` is not
/// a non-negative number.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || successes > n || !z.is_finite() || z < 0.0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        low: (center - half).clamp(0.0, 1.0),
        high: (center + half).clamp(0.0, 1.0),
    })
}

/// The corrected item-total correlation of `question` (point-biserial discrimination): the
/// Pearson correlation, over the sessions that answered `question`, of the item (1 correct,
/// 0 not) with the session's *rest score* — its number of correct answers to the quiz's other
/// questions. Leaving the item out of the total removes the part of the correlation the item
/// has with itself (the "corrected" item-total correlation of classical test theory).
///
/// `answers` are one quiz's answers; see [`item_stats`] for how sessions are told apart and
/// which answer counts. Computed from integer sums ([`ItemSums`]),
/// `r = (n·Σxy − Σx·Σy) / √((n·Σx² − (Σx)²)(n·Σy² − (Σy)²))`, so a zero variance is
/// detected exactly. `None` when fewer than `min_sessions` sessions answered, or the item or
/// the rest score does not vary (everyone right, or everyone with the same rest score).
pub fn point_biserial(answers: &[SessionAnswer], question: &str, min_sessions: u64) -> Option<f64> {
    ItemScores::new(answers).point_biserial(question, min_sessions)
}

/// The item statistics of one quiz's answers by session, per audience and question (what
/// the store's `quiz_item_stats` reads in SQL), sorted by audience and question. Rows of one
/// session have the same audience and session index (indices need only be unique within an
/// audience). A session's later answers to a question it already answered are ignored: its
/// first attempt counts, and its rest score is its correct first answers to the others.
pub fn item_stats<'a>(answers: impl IntoIterator<Item = &'a SessionAnswer>) -> Vec<ItemStats> {
    let mut sessions: BTreeMap<(&str, u64), BTreeMap<&str, bool>> = BTreeMap::new();
    for answer in answers {
        sessions
            .entry((answer.audience.as_str(), answer.session))
            .or_default()
            .entry(answer.question.as_str())
            .or_insert(answer.correct);
    }
    let mut sums: BTreeMap<(&str, &str), ItemSums> = BTreeMap::new();
    for (&(audience, _), items) in &sessions {
        let total = items.values().filter(|&&correct| correct).count() as u64;
        for (&question, &correct) in items {
            let x = u64::from(correct);
            let y = total - x;
            let cell = sums.entry((audience, question)).or_default();
            *cell = *cell
                + ItemSums {
                    answered: 1,
                    correct: x,
                    rest: y,
                    rest_squares: y * y,
                    correct_rest: x * y,
                };
        }
    }
    sums.into_iter()
        .map(|((audience, question), sums)| ItemStats {
            audience: audience.to_owned(),
            question: question.to_owned(),
            sums,
        })
        .collect()
}

/// One quiz's item statistics ([`ItemSums`]) per audience and question, read for the
/// discrimination of each of its questions over all the sessions they cover: the sums of
/// several audiences are pooled (their sessions taken together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemScores {
    sums: BTreeMap<(String, String), ItemSums>,
}

impl ItemScores {
    /// From one quiz's answers by session ([`item_stats`]).
    pub fn new<'a>(answers: impl IntoIterator<Item = &'a SessionAnswer>) -> Self {
        Self::from_stats(&item_stats(answers))
    }

    /// From the store's item statistics (rows of one (audience, question) repeated are added).
    pub fn from_stats<'a>(rows: impl IntoIterator<Item = &'a ItemStats>) -> Self {
        let mut sums: BTreeMap<(String, String), ItemSums> = BTreeMap::new();
        for row in rows {
            let cell = sums
                .entry((row.audience.clone(), row.question.clone()))
                .or_default();
            *cell = *cell + row.sums;
        }
        Self { sums }
    }

    /// The sums of `question` over every audience, in `i128` (no sum of `u64`s overflows).
    fn pooled(&self, question: &str) -> [i128; 5] {
        self.sums.iter().filter(|((_, q), _)| q == question).fold(
            [0i128; 5],
            |[n, sx, sy, syy, sxy], (_, s)| {
                [
                    n + i128::from(s.answered),
                    sx + i128::from(s.correct),
                    sy + i128::from(s.rest),
                    syy + i128::from(s.rest_squares),
                    sxy + i128::from(s.correct_rest),
                ]
            },
        )
    }

    /// The sessions that answered `question`.
    pub fn answered(&self, question: &str) -> u64 {
        u64::try_from(self.pooled(question)[0]).unwrap_or(u64::MAX)
    }

    /// [`point_biserial`] of `question`.
    pub fn point_biserial(&self, question: &str, min_sessions: u64) -> Option<f64> {
        let [n, sx, sy, syy, sxy] = self.pooled(question);
        if n < i128::from(min_sessions.max(2)) {
            return None;
        }
        // x is 0 or 1: Σx² = Σx.
        pearson_from_sums(n, sx, sx, sy, syy, sxy)
    }
}

/// Pearson's r from exact integer sums: `n`, Σx, Σx², Σy, Σy², Σxy. `None` when either
/// variable is constant.
fn pearson_from_sums(n: i128, sx: i128, sxx: i128, sy: i128, syy: i128, sxy: i128) -> Option<f64> {
    let covariance = n * sxy - sx * sy;
    let var_x = n * sxx - sx * sx;
    let var_y = n * syy - sy * sy;
    if var_x == 0 || var_y == 0 {
        return None;
    }
    let r = covariance as f64 / ((var_x as f64) * (var_y as f64)).sqrt();
    Some(r.clamp(-1.0, 1.0))
}

/// Whether a choice is a non-functioning distractor: a wrong choice picked by less than
/// [`NON_FUNCTIONING_SHARE`] (5 %) of `answers`. `None` when there are no answers.
pub fn is_non_functioning(picked: u64, answers: u64, correct: bool) -> Option<bool> {
    let share = share(picked, answers)?;
    Some(!correct && share < NON_FUNCTIONING_SHARE)
}

/// [`is_non_functioning`] for each `(picked, correct)` choice of a question answered `answers`
/// times (for a single-choice question, the sum of the picks). All `false` without answers.
pub fn non_functioning_distractors(choices: &[(u64, bool)], answers: u64) -> Vec<bool> {
    choices
        .iter()
        .map(|&(picked, correct)| is_non_functioning(picked, answers, correct).unwrap_or(false))
        .collect()
}

/// A figure against the previous period's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// `current − previous`.
    pub difference: f64,
    /// `(current − previous) / previous`; `None` when `previous` is 0.
    pub relative: Option<f64>,
}

/// The change from `previous` to `current`: difference and relative change.
pub fn change(current: f64, previous: f64) -> Change {
    let difference = current - previous;
    Change {
        difference,
        relative: (previous != 0.0).then(|| difference / previous),
    }
}

#[cfg(test)]
mod tests;
