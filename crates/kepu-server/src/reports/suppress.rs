//! The privacy step (docs/dashboard.md, "Privacy"): what of a report may be shown.
//!
//! - Every number a report publishes is a [`Shown`]: a value, a lower bound ("over 30 min"),
//!   suppressed, or empty (nothing to compute it from). Only this module makes a `Shown` that
//!   carries a value, and only from adjusted counts through the rules below, so a report cannot
//!   hold an unsuppressed figure: its types do not let one in.
//! - A whole report is a [`Published`], which only `Suppression::publish` builds (visible to
//!   `reports/` alone), for the sealed [`Report`] types of `reports/`. Handlers get `Published` values from the
//!   report functions and can read and serialize them, nothing else.
//!
//! The rules, with `k` = [`MinSessions`] (at least 5):
//!
//! 1. **Counts** ([`Suppression::count`]): a count whose true sessions are `1..k−1` is
//!    suppressed (primary suppression; shown as [`SUPPRESSED_MARK`], like every suppressed
//!    figure). Zero is shown: nobody is in a cell of no sessions, and an empty cell's
//!    adjusted count is 0 as well.
//! 2. **Shares** ([`Suppression::share`]): suppressed when the denominator rests on fewer than
//!    `k` sessions, and also when the numerator, or its complement within the denominator,
//!    rests on `1..k−1` sessions — otherwise `share × denominator` (or `(1 − share) ×
//!    denominator`) would give back a suppressed count. That is the secondary suppression of
//!    the two-cell table `part | rest | whole`. Empty when the denominator has no sessions.
//! 3. **Quantiles** and **survival curves** ([`Suppression::quantile`],
//!    [`Suppression::survival`]): suppressed when the histogram rests on fewer than `k`
//!    sessions; each survival point is the share "still there" and follows rule 2.
//! 4. **Tables** ([`Suppression::table`]): primary suppression of every cell and total, then
//!    secondary suppression (see [`CountTable`] for the algorithm and what it guarantees).
//!    A page whose figures add up (a row of audiences and their "all", a distribution of the
//!    sessions and the sessions shown above it) builds them as one table, and a total shown in
//!    several tables is pinned in each ([`CountTable::with_pinned_total`]).
//! 5. **Derived figures** (holding power from a median, sessions per open hour from a count,
//!    shares from a table's cells, comparisons with the previous period) are computed from
//!    `Shown` values only, and are suppressed whenever what they are made from is.
//! 6. **Discrimination** ([`Suppression::discrimination`]): a correlation over sessions, not
//!    a count; shown only on at least `max(30, k)` sessions, rounded to two decimals.

use super::input::{Count, DurationHistogram};
use super::measures::{self, ItemScores, Quantile};
use super::{Label, Report, ReportError};
use kepu_store::rollup::fold::DURATION_BUCKETS_MS;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;

/// `k`: the fewest true sessions a published count may rest on. At least
/// [`MinSessions::FLOOR`] (5), the default; configurable upwards only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct MinSessions(u64);

/// A `min_sessions` below [`MinSessions::FLOOR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "min_sessions must be at least {floor} (got {0}): counts resting on fewer sessions would \
     be shown",
    floor = MinSessions::FLOOR
)]
pub struct MinSessionsError(pub u64);

impl MinSessions {
    /// The lowest `k` there is, and the default.
    pub const FLOOR: u64 = 5;
    pub const DEFAULT: MinSessions = MinSessions(Self::FLOOR);

    /// `k`, refused below [`MinSessions::FLOOR`].
    pub fn new(k: u64) -> Result<Self, MinSessionsError> {
        if k < Self::FLOOR {
            Err(MinSessionsError(k))
        } else {
            Ok(Self(k))
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for MinSessions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u64> for MinSessions {
    type Error = MinSessionsError;
    fn try_from(k: u64) -> Result<Self, Self::Error> {
        Self::new(k)
    }
}

impl From<MinSessions> for u64 {
    fn from(k: MinSessions) -> u64 {
        k.0
    }
}

/// What a suppressed figure reads as in CSV and HTML (Statistics Canada's mark for figures
/// "suppressed to meet the confidentiality requirements"). Not "< k": a cell hidden by
/// secondary suppression may be large, and the two kinds must look the same, or the mark
/// would tell which cells are small. Pages explain it once, with `min_sessions`: "x: fewer
/// than k sessions, or hidden so that such a figure cannot be worked out".
pub const SUPPRESSED_MARK: &str = "x";

/// A published number. Readers see it through [`Shown::read`] (or [`Shown::value`]); only the
/// suppression step makes one with a value.
///
/// JSON: `{"value": 12, "suppressed": false}`, `{"value": null, "suppressed": true}`, for an
/// empty figure `{"value": null, "suppressed": false}`, and for a lower bound
/// `{"value": 1800000.0, "suppressed": false, "over": true}`. CSV and HTML render it with
/// [`Shown::text`], so that every output says the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown<T>(Reading<T>);

/// What a [`Shown`] holds, for matching on. Making a `Reading` makes no `Shown`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading<T> {
    Value(T),
    /// Above this bound (a quantile in the open-ended "over 30 min" bucket, and what is made
    /// from it).
    Over(T),
    /// Rests on fewer than `k` sessions, or would let such a count be recomputed.
    Suppressed,
    /// Nothing to compute it from (no sessions, a share of an adjusted 0, a relative change
    /// from 0): not a privacy matter.
    Empty,
}

impl<T: Copy> Shown<T> {
    fn value_of(v: T) -> Self {
        Self(Reading::Value(v))
    }

    fn over(v: T) -> Self {
        Self(Reading::Over(v))
    }

    /// A suppressed figure (carries nothing, so anyone may make one).
    pub fn suppressed() -> Self {
        Self(Reading::Suppressed)
    }

    /// An empty figure: nothing to compute it from.
    pub fn empty() -> Self {
        Self(Reading::Empty)
    }

    pub fn read(&self) -> Reading<T> {
        self.0
    }

    /// The value, when there is one (not for a lower bound).
    pub fn value(&self) -> Option<T> {
        match self.0 {
            Reading::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_suppressed(&self) -> bool {
        matches!(self.0, Reading::Suppressed)
    }

    /// The text a page or a CSV cell shows: the value as `format` writes it, `> bound` for a
    /// lower bound, [`SUPPRESSED_MARK`] when suppressed, and an empty string for an empty
    /// figure.
    pub fn text(&self, format: impl Fn(T) -> String) -> String {
        match self.0 {
            Reading::Value(v) => format(v),
            Reading::Over(v) => format!("> {}", format(v)),
            Reading::Suppressed => SUPPRESSED_MARK.to_owned(),
            Reading::Empty => String::new(),
        }
    }

    /// A figure made from this one: `f` of a value (`None`: empty), of a bound (still a
    /// bound: `f` must be increasing), suppressed if this is.
    fn derive<U: Copy>(self, f: impl Fn(T) -> Option<U>) -> Shown<U> {
        match self.0 {
            Reading::Value(v) => f(v).map_or_else(Shown::empty, Shown::value_of),
            Reading::Over(v) => f(v).map_or_else(Shown::empty, Shown::over),
            Reading::Suppressed => Shown::suppressed(),
            Reading::Empty => Shown::empty(),
        }
    }
}

impl<T: Copy + Serialize> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let over = matches!(self.0, Reading::Over(_));
        let mut s = serializer.serialize_struct("Shown", if over { 3 } else { 2 })?;
        let value = match self.0 {
            Reading::Value(v) | Reading::Over(v) => Some(v),
            Reading::Suppressed | Reading::Empty => None,
        };
        s.serialize_field("value", &value)?;
        s.serialize_field("suppressed", &self.is_suppressed())?;
        if over {
            s.serialize_field("over", &true)?;
        } else {
            s.skip_field("over")?;
        }
        s.end()
    }
}

impl<T: JsonSchema> JsonSchema for Shown<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Shown_{}", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("{}::Shown<{}>", module_path!(), T::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<Option<T>>();
        json_schema!({
            "description": "A published figure: `value` is null when it is suppressed (it rests \
                on fewer than min_sessions sessions, or would let such a count be recomputed) \
                or empty (nothing to compute it from); `over: true` marks a lower bound \
                (\"over 30 min\").",
            "type": "object",
            "properties": {
                "value": value,
                "suppressed": {"type": "boolean"},
                "over": {"type": "boolean", "default": false},
            },
            "required": ["value", "suppressed"],
            "additionalProperties": false,
        })
    }
}

/// A number type a comparison can take the difference of.
pub trait Figure: Copy + PartialEq + Serialize + JsonSchema {
    type Difference: Copy + PartialEq + std::fmt::Debug + Serialize + JsonSchema;
    fn to_f64(self) -> f64;
    fn minus(self, other: Self) -> Self::Difference;
}

impl Figure for u64 {
    type Difference = i64;
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn minus(self, other: Self) -> i64 {
        let d = i128::from(self) - i128::from(other);
        i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
    }
}

impl Figure for f64 {
    type Difference = f64;
    fn to_f64(self) -> f64 {
        self
    }
    fn minus(self, other: Self) -> f64 {
        self - other
    }
}

/// A figure beside the previous period's (docs/dashboard.md: every figure is shown so).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(bound(serialize = "T: Figure"))]
#[schemars(bound = "T: Figure")]
pub struct Comparison<T: Figure> {
    pub current: Shown<T>,
    pub previous: Shown<T>,
    /// `current − previous`: suppressed when either side is, empty when either is empty or a
    /// lower bound.
    pub difference: Shown<T::Difference>,
    /// `(current − previous) / previous`: as `difference`, and empty when `previous` is 0.
    pub relative: Shown<f64>,
}

/// A share with its Wilson 95 % interval ([`measures::wilson_interval`]); the three are
/// suppressed (or empty) together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct ShareInterval {
    pub share: Shown<f64>,
    pub low: Shown<f64>,
    pub high: Shown<f64>,
}

/// One point of a survival curve: the share of sessions still there at `at_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct SurvivalPoint {
    pub at_ms: u64,
    pub share: Shown<f64>,
}

/// A report that went through the suppression step: the only kind of report handlers can
/// return. Built by `Suppression::publish` alone; read with [`Published::get`] or
/// [`Published::into_inner`].
///
/// JSON: `{"min_sessions": 5, "report": {...}}` (`min_sessions` tells readers what "< k" is).
#[derive(Debug, Clone, PartialEq)]
pub struct Published<T> {
    min_sessions: MinSessions,
    report: T,
}

impl<T> Published<T> {
    pub fn get(&self) -> &T {
        &self.report
    }

    pub fn into_inner(self) -> T {
        self.report
    }

    /// The `k` it was suppressed with (for the pages' explanation of [`SUPPRESSED_MARK`]).
    pub fn min_sessions(&self) -> MinSessions {
        self.min_sessions
    }
}

impl<T: Serialize> Serialize for Published<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Published", 2)?;
        s.serialize_field("min_sessions", &self.min_sessions.get())?;
        s.serialize_field("report", &self.report)?;
        s.end()
    }
}

impl<T: JsonSchema> JsonSchema for Published<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Published_{}", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("{}::Published<{}>", module_path!(), T::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let report = generator.subschema_for::<T>();
        json_schema!({
            "type": "object",
            "properties": {
                "min_sessions": {
                    "type": "integer",
                    "minimum": MinSessions::FLOOR,
                    "description": "k: figures resting on fewer sessions are suppressed.",
                },
                "report": report,
            },
            "required": ["min_sessions", "report"],
            "additionalProperties": false,
        })
    }
}

/// The suppression step, with its `k`. Every [`Shown`] with a value comes from one of its
/// methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Suppression {
    k: MinSessions,
}

impl Suppression {
    pub fn new(k: MinSessions) -> Self {
        Self { k }
    }

    pub fn min_sessions(&self) -> MinSessions {
        self.k
    }

    /// Rests on `1..k−1` sessions: the cells primary suppression hides.
    fn small(&self, sessions: u64) -> bool {
        (1..self.k.get()).contains(&sessions)
    }

    /// The base of a rate or quantile: empty without sessions, suppressed below `k`.
    fn base(&self, sessions: u64) -> Option<Shown<f64>> {
        if sessions == 0 {
            Some(Shown::empty())
        } else if sessions < self.k.get() {
            Some(Shown::suppressed())
        } else {
            None
        }
    }

    /// Wraps a report: the only way to make a [`Published`].
    pub(super) fn publish<T: Report>(&self, report: T) -> Published<T> {
        Published {
            min_sessions: self.k,
            report,
        }
    }

    /// A count (rule 1): its adjusted value, or suppressed when it rests on `1..k−1` sessions.
    pub fn count(&self, count: Count) -> Shown<u64> {
        if self.small(count.sessions) {
            Shown::suppressed()
        } else {
            Shown::value_of(count.adjusted)
        }
    }

    /// `part / whole` of adjusted counts (rule 2), where `part`'s sessions are among
    /// `whole`'s (so `whole.sessions − part.sessions` is the rest's true count).
    pub fn share(&self, part: Count, whole: Count) -> Shown<f64> {
        self.share_with_rest(part, whole.sessions.saturating_sub(part.sessions), whole)
    }

    /// [`Suppression::share`] with the rest's true sessions given: for shares whose parts do
    /// not subtract (sums over questions, where the caller takes a lower bound of the distinct
    /// sessions of each side).
    pub fn share_with_rest(&self, part: Count, rest_sessions: u64, whole: Count) -> Shown<f64> {
        if let Some(shown) = self.base(whole.sessions) {
            return shown;
        }
        if self.small(part.sessions) || self.small(rest_sessions) {
            return Shown::suppressed();
        }
        measures::share(part.adjusted, whole.adjusted).map_or_else(Shown::empty, Shown::value_of)
    }

    /// A share and its Wilson 95 % interval over the adjusted counts.
    pub fn share_interval(&self, part: Count, rest_sessions: u64, whole: Count) -> ShareInterval {
        let share = self.share_with_rest(part, rest_sessions, whole);
        let interval = share.derive(|_| {
            measures::wilson_interval(
                part.adjusted.min(whole.adjusted),
                whole.adjusted,
                measures::Z_95,
            )
        });
        ShareInterval {
            share,
            low: interval.derive(|i| Some(i.low)),
            high: interval.derive(|i| Some(i.high)),
        }
    }

    /// The `p`-quantile in ms of a duration histogram (rule 3), `Over(1_800_000)` when it falls
    /// in the open-ended bucket.
    pub fn quantile(&self, histogram: &DurationHistogram, p: f64) -> Shown<f64> {
        let total = histogram.total();
        if let Some(shown) = self.base(total.sessions) {
            return shown;
        }
        match measures::quantile_from_histogram(&histogram.adjusted(), p) {
            Some(Quantile::Value(v)) => Shown::value_of(v),
            Some(Quantile::Above(v)) => Shown::over(v),
            None => Shown::empty(),
        }
    }

    /// A quantile of any histogram given as bins and edges (see
    /// [`measures::quantile_from_bins`]), with the same rule.
    pub fn quantile_of_bins(&self, bins: &[Count], edges: &[f64], p: f64) -> Shown<f64> {
        let total: Count = bins.iter().sum();
        if let Some(shown) = self.base(total.sessions) {
            return shown;
        }
        let counts: Vec<u64> = bins.iter().map(|c| c.adjusted).collect();
        match measures::quantile_from_bins(&counts, edges, p) {
            Some(Quantile::Value(v)) => Shown::value_of(v),
            Some(Quantile::Above(v)) => Shown::over(v),
            None => Shown::empty(),
        }
    }

    /// The survival curve of a duration histogram (rule 3): at each bucket bound, the share of
    /// sessions lasting at least that long ([`measures::survival_curve`]), each point a share
    /// of the histogram's total under rule 2.
    pub fn survival(&self, histogram: &DurationHistogram) -> Vec<SurvivalPoint> {
        let total = histogram.total();
        DURATION_BUCKETS_MS
            .iter()
            .enumerate()
            .map(|(i, &at_ms)| {
                let still: Count = histogram.buckets[i + 1..].iter().sum();
                let gone: Count = histogram.buckets[..=i].iter().sum();
                SurvivalPoint {
                    at_ms,
                    share: self.share_with_rest(still, gone.sessions, total),
                }
            })
            .collect()
    }

    /// Holding power from a shown median dwell ([`measures::holding_power`]); empty without an
    /// intended length.
    pub fn holding_power(&self, median_ms: Shown<f64>, intended_ms: Option<u64>) -> Shown<f64> {
        median_ms.derive(|m| intended_ms.and_then(|i| measures::holding_power(m, i)))
    }

    /// A shown count per `hours` of machine time (sessions per open hour: the hours are the
    /// kiosks' own data, not about visitors, and not adjusted). Empty for no hours.
    pub fn per_hour(&self, count: Shown<u64>, hours: f64) -> Shown<f64> {
        count.derive(|c| (hours.is_finite() && hours > 0.0).then(|| c as f64 / hours))
    }

    /// A shown cell of a table as a share of its shown total: suppressed when either is.
    pub fn share_of(&self, cell: Shown<u64>, total: Shown<u64>) -> Shown<f64> {
        match (cell.read(), total.read()) {
            (Reading::Suppressed, _) | (_, Reading::Suppressed) => Shown::suppressed(),
            (Reading::Value(c), Reading::Value(t)) => {
                measures::share(c, t).map_or_else(Shown::empty, Shown::value_of)
            }
            _ => Shown::empty(),
        }
    }

    /// `part / total` of a two-part split shown in a table (`part + rest = total`, e.g. correct
    /// and wrong answers): suppressed when any of the three is, so that the share never gives
    /// back a hidden part.
    pub fn share_of_parts(
        &self,
        part: Shown<u64>,
        rest: Shown<u64>,
        total: Shown<u64>,
    ) -> Shown<f64> {
        if rest.is_suppressed() {
            return Shown::suppressed();
        }
        self.share_of(part, total)
    }

    /// A shown cell as a share of a shown total whose rest (`total − cell`, not itself in a
    /// table) rests on `rest_sessions`: suppressed, as rule 2, when that is `1..k−1`.
    pub fn share_of_rest(
        &self,
        cell: Shown<u64>,
        total: Shown<u64>,
        rest_sessions: u64,
    ) -> Shown<f64> {
        if self.small(rest_sessions) {
            return Shown::suppressed();
        }
        self.share_of(cell, total)
    }

    /// [`Suppression::share_of_parts`] with its Wilson 95 % interval.
    pub fn share_interval_of_parts(
        &self,
        part: Shown<u64>,
        rest: Shown<u64>,
        total: Shown<u64>,
    ) -> ShareInterval {
        let share = self.share_of_parts(part, rest, total);
        let interval = match (share.read(), part.value(), total.value()) {
            (Reading::Value(_), Some(p), Some(t)) => {
                measures::wilson_interval(p.min(t), t, measures::Z_95)
                    .map_or_else(Shown::empty, Shown::value_of)
            }
            (Reading::Suppressed, _, _) => Shown::suppressed(),
            _ => Shown::empty(),
        };
        ShareInterval {
            share,
            low: interval.derive(|i| Some(i.low)),
            high: interval.derive(|i| Some(i.high)),
        }
    }

    /// The point-biserial discrimination of `question` ([`measures::ItemScores`], rule 6):
    /// suppressed below `max(30, k)` answering sessions, empty when it is not defined,
    /// rounded to two decimals.
    pub fn discrimination(&self, scores: &ItemScores, question: &str) -> Shown<f64> {
        let min = measures::MIN_DISCRIMINATION_SESSIONS.max(self.k.get());
        let n = scores.answered(question);
        if n == 0 {
            return Shown::empty();
        }
        if n < min {
            return Shown::suppressed();
        }
        scores
            .point_biserial(question, min)
            .map_or_else(Shown::empty, |r| {
                Shown::value_of((r * 100.0).round() / 100.0)
            })
    }

    /// A flag derived from shown values (is this distractor non-functioning?): `f` of the
    /// readings, suppressed when `f` cannot tell without a suppressed value.
    pub(super) fn flag(&self, f: impl FnOnce() -> Option<bool>) -> Shown<bool> {
        f().map_or_else(Shown::suppressed, Shown::value_of)
    }

    /// This period's figure against the previous period's (rule 5).
    pub fn compare<T: Figure>(&self, current: Shown<T>, previous: Shown<T>) -> Comparison<T> {
        let (difference, relative) = match (current.read(), previous.read()) {
            (Reading::Suppressed, _) | (_, Reading::Suppressed) => {
                (Shown::suppressed(), Shown::suppressed())
            }
            (Reading::Value(c), Reading::Value(p)) => {
                let change = measures::change(c.to_f64(), p.to_f64());
                (
                    Shown::value_of(c.minus(p)),
                    change.relative.map_or_else(Shown::empty, Shown::value_of),
                )
            }
            _ => (Shown::empty(), Shown::empty()),
        };
        Comparison {
            current,
            previous,
            difference,
            relative,
        }
    }

    /// Primary and secondary suppression of a count table (see [`CountTable`]).
    pub fn table(&self, table: &CountTable) -> ShownTable {
        let grid = Grid::of(table);
        let primary: Vec<bool> = (0..grid.adjusted.len())
            .map(|c| grid.exists[c] && self.small(grid.sessions[c]))
            .collect();
        let suppressed = grid.suppress(primary);
        grid.shown(table, &suppressed)
    }
}

/// A table of counts (rows × columns), with optional row totals (a column at the right) and
/// column totals (a row at the bottom); a table with either has a grand total. Totals are the
/// sums of the cells (of adjusted counts, and of true sessions), so use totals only where the
/// cells partition what the total counts (each session in one cell).
///
/// [`Suppression::table`] suppresses it in two steps:
///
/// 1. **Primary**: every cell and total whose true sessions are `1..k−1`.
/// 2. **Secondary**, repeated until neither part adds a cell:
///    - *Lines.* A line is one relation a reader can use: a row with its row total, a column
///      with its column total, the row totals with the grand total, the column totals with
///      the grand total (only the relations whose total is published). A line with exactly
///      one hidden member of non-zero adjusted value gets a second: another shown member of
///      non-zero value (the brief's rule: "the smallest other non-zero cell"), chosen to leave
///      the fewest other lines with a lone hidden member (so that the hidden cells close into
///      rectangles instead of spreading along a chain), then the smallest adjusted value,
///      cells before totals, then row-major order. Such a member exists unless the line's
///      total is pinned (see [`CountTable::with_pinned_total`]): the total is the sum of the
///      cells, so if the hidden one is a cell the total is non-zero, and if it is the total,
///      another cell is non-zero — and neither is hidden already, or the line would have two.
///      With a pinned total and no other non-zero member, a zero-valued one is hidden instead.
///    - *Audit.* Lines taken one at a time are not enough: combining rows and columns can
///      pin down a hidden cell that every single line leaves open (a cell joining two
///      otherwise separate groups of hidden cells). Taking the hidden members as unknowns of
///      the lines' equations, a member is recoverable exactly when the unit vector of its
///      unknown lies in the row space of the equations. The audit brings the equations to
///      reduced row-echelon form (over the integers modulo the prime 2³¹−1: each member is in
///      at most two lines with coefficient ±1, so every minor is 0 or ±2ʲ, which no odd prime
///      divides, and ranks modulo p are the rational ranks) and, for the first recoverable
///      hidden member of non-zero adjusted value, hides a shown non-zero member of its lines
///      (else of the table, else any shown member; chosen as above).
///
/// **Termination.** Each repetition hides at least one more of finitely many members and none
/// is ever shown again, so there are at most `(rows + 1) · (columns + 1)` repetitions. When
/// every member but pinned ones is hidden, the audit has nothing left to add and stops.
///
/// **Guarantees** (the property tests check each). For every table: (P1) no shown member rests
/// on `1..k−1` sessions; (P4) no hidden member of non-zero adjusted value is determined by the
/// shown members and all the lines' equations together. For a table without a pinned total,
/// also: (P2) no line has exactly one hidden member of non-zero adjusted value, so (P3) for a
/// line whose total is shown, total − shown members is either 0 (its hidden members are all
/// adjusted to 0, which agrees with any true count below `k`) or a sum of two or more
/// non-zero hidden values, larger than each: never one hidden member's value. With a pinned
/// total, P2 and P3 can fail only where the line's other partner is a hidden 0: the reader
/// then knows the sum of two hidden members, not either. Zero-valued hidden members may be
/// recoverable as 0, which every true count below `k` is consistent with (an adjusted 0 is
/// what the cell-key adjustment publishes for most small cells).
///
/// What this does not cover: relations between *different* tables. Those are left to the
/// cell-key adjustment (docs/dashboard.md, point 3): every published number is a sum of
/// adjusted atoms, so no difference of reports reveals a true small count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    rows: Vec<Label>,
    columns: Vec<Label>,
    cells: Vec<Vec<Count>>,
    row_totals: bool,
    column_totals: bool,
    /// True sessions of the totals, when the cells' sums would over-count them.
    margin_sessions: Option<MarginSessions>,
    /// The grand total is shown elsewhere (on the same page, or in another table).
    pinned_total: bool,
}

/// The true sessions of a table's totals, given where a session may be in several cells of a
/// line (answers to several questions of one theme): a sum of the cells' sessions would then
/// be too large, and the "fewer than k" decision too lenient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarginSessions {
    /// One per row.
    pub row_totals: Vec<u64>,
    /// One per column.
    pub column_totals: Vec<u64>,
    pub total: u64,
}

impl CountTable {
    /// A table of `cells[row][column]`, without totals. `what` names it in the error.
    pub fn new(
        what: &'static str,
        rows: Vec<Label>,
        columns: Vec<Label>,
        cells: Vec<Vec<Count>>,
    ) -> Result<Self, ReportError> {
        if cells.len() != rows.len() {
            return Err(ReportError::TableRows {
                what,
                expected: rows.len(),
                found: cells.len(),
            });
        }
        if let Some((row, found)) = cells
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != columns.len())
            .map(|(i, r)| (i, r.len()))
        {
            return Err(ReportError::RaggedTable {
                what,
                row,
                expected: columns.len(),
                found,
            });
        }
        Ok(Self {
            rows,
            columns,
            cells,
            row_totals: false,
            column_totals: false,
            margin_sessions: None,
            pinned_total: false,
        })
    }

    /// A one-column table (a list, e.g. sessions per day or per language; add
    /// [`CountTable::with_column_totals`] for its total).
    pub fn list(rows: Vec<(Label, Count)>, column: Label) -> Self {
        let (labels, cells): (Vec<Label>, Vec<Vec<Count>>) =
            rows.into_iter().map(|(l, c)| (l, vec![c])).unzip();
        Self {
            rows: labels,
            columns: vec![column],
            cells,
            row_totals: false,
            column_totals: false,
            margin_sessions: None,
            pinned_total: false,
        }
    }

    /// Publishes each row's total (a column at the right).
    pub fn with_row_totals(mut self) -> Self {
        self.row_totals = true;
        self
    }

    /// Publishes each column's total (a row at the bottom).
    pub fn with_column_totals(mut self) -> Self {
        self.column_totals = true;
        self
    }

    /// The grand total is shown elsewhere as well (the period's sessions, beside a table of
    /// them by language): it is never hidden to protect a cell here, since hiding it here
    /// would not hide it there. (It is still hidden if it rests on fewer than `k` sessions,
    /// as it is everywhere.)
    pub fn with_pinned_total(mut self) -> Self {
        self.pinned_total = true;
        self
    }

    /// The totals' true sessions, where the cells of a line may share sessions (their
    /// adjusted values stay the sums of the cells'). Pass lower bounds of the distinct
    /// sessions when those are not known exactly: a lower bound can only suppress more.
    pub fn with_margin_sessions(
        mut self,
        what: &'static str,
        margins: MarginSessions,
    ) -> Result<Self, ReportError> {
        if margins.row_totals.len() != self.rows.len() {
            return Err(ReportError::TableRows {
                what,
                expected: self.rows.len(),
                found: margins.row_totals.len(),
            });
        }
        if margins.column_totals.len() != self.columns.len() {
            return Err(ReportError::RaggedTable {
                what,
                row: self.rows.len(),
                expected: self.columns.len(),
                found: margins.column_totals.len(),
            });
        }
        self.margin_sessions = Some(margins);
        Ok(self)
    }
}

/// A suppressed [`CountTable`].
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ShownTable {
    pub rows: Vec<Label>,
    pub columns: Vec<Label>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Shown<u64>>>,
    /// Each row's total, when the table has them.
    pub row_totals: Option<Vec<Shown<u64>>>,
    /// Each column's total, when the table has them.
    pub column_totals: Option<Vec<Shown<u64>>>,
    /// The grand total, when the table has totals.
    pub total: Option<Shown<u64>>,
}

/// A [`CountTable`] as one `(rows + 1) × (columns + 1)` grid: row `rows` holds the column
/// totals, column `columns` the row totals, their corner the grand total. Members that the
/// table does not publish do not exist.
#[derive(Debug, Clone)]
struct Grid {
    rows: usize,
    columns: usize,
    adjusted: Vec<u64>,
    sessions: Vec<u64>,
    exists: Vec<bool>,
    total: Vec<bool>,
    /// Shown elsewhere too: never hidden to protect another member.
    pinned: Vec<bool>,
    /// The relations readers can use: each line's members, its total last.
    lines: Vec<Vec<usize>>,
}

/// The modulus of the audit's arithmetic: the prime 2³¹ − 1.
const PRIME: u64 = 2_147_483_647;

impl Grid {
    fn index(&self, row: usize, column: usize) -> usize {
        row * (self.columns + 1) + column
    }

    fn of(table: &CountTable) -> Self {
        let (rows, columns) = (table.rows.len(), table.columns.len());
        let size = (rows + 1) * (columns + 1);
        let mut grid = Grid {
            rows,
            columns,
            adjusted: vec![0; size],
            sessions: vec![0; size],
            exists: vec![false; size],
            total: vec![false; size],
            pinned: vec![false; size],
            lines: Vec::new(),
        };
        let any_totals = table.row_totals || table.column_totals;
        for (i, row) in table.cells.iter().enumerate() {
            for (j, &cell) in row.iter().enumerate() {
                let at = grid.index(i, j);
                grid.adjusted[at] = cell.adjusted;
                grid.sessions[at] = cell.sessions;
                grid.exists[at] = true;
                for margin in [
                    table.row_totals.then(|| grid.index(i, columns)),
                    table.column_totals.then(|| grid.index(rows, j)),
                    any_totals.then(|| grid.index(rows, columns)),
                ]
                .into_iter()
                .flatten()
                {
                    grid.adjusted[margin] = grid.adjusted[margin].saturating_add(cell.adjusted);
                    grid.sessions[margin] = grid.sessions[margin].saturating_add(cell.sessions);
                }
            }
        }
        let mut lines: Vec<Vec<usize>> = Vec::new();
        if table.row_totals {
            for i in 0..=rows {
                // Row i with its total; for i = rows, the column totals with the grand total
                // (only when column totals are published).
                if i == rows && !table.column_totals {
                    continue;
                }
                lines.push((0..=columns).map(|j| grid.index(i, j)).collect());
            }
            for i in 0..rows {
                let at = grid.index(i, columns);
                grid.exists[at] = true;
                grid.total[at] = true;
            }
        }
        if table.column_totals {
            for j in 0..=columns {
                if j == columns && !table.row_totals {
                    continue;
                }
                lines.push((0..=rows).map(|i| grid.index(i, j)).collect());
            }
            for j in 0..columns {
                let at = grid.index(rows, j);
                grid.exists[at] = true;
                grid.total[at] = true;
            }
        }
        if any_totals {
            let at = grid.index(rows, columns);
            grid.exists[at] = true;
            grid.total[at] = true;
            // With one kind of totals only, the grand total is the sum of those totals.
            if table.row_totals != table.column_totals {
                let line = if table.row_totals {
                    (0..=rows).map(|i| grid.index(i, columns)).collect()
                } else {
                    (0..=columns).map(|j| grid.index(rows, j)).collect()
                };
                lines.push(line);
            }
        }
        if let Some(margins) = &table.margin_sessions {
            for (i, &n) in margins.row_totals.iter().enumerate() {
                let at = grid.index(i, columns);
                grid.sessions[at] = n;
            }
            for (j, &n) in margins.column_totals.iter().enumerate() {
                let at = grid.index(rows, j);
                grid.sessions[at] = n;
            }
            let at = grid.index(rows, columns);
            grid.sessions[at] = margins.total;
        }
        if table.pinned_total && any_totals {
            let grand = grid.index(rows, columns);
            grid.pinned[grand] = true;
            // A total that is the grand total's only part is the same number.
            for line in &lines {
                if let [only, total] = line[..]
                    && total == grand
                {
                    grid.pinned[only] = true;
                }
            }
        }
        grid.lines = lines;
        grid
    }

    /// The partner to hide among `candidates` (shown, not pinned): the one whose hiding leaves
    /// the fewest other lines (not `line`) with a lone hidden non-zero member, then the
    /// smallest adjusted value, cells before totals, then position.
    fn partner(
        &self,
        candidates: impl Iterator<Item = usize>,
        line: Option<usize>,
        suppressed: &[bool],
    ) -> Option<usize> {
        let lone_after = |c: usize| {
            if self.adjusted[c] == 0 {
                return 0;
            }
            self.lines
                .iter()
                .enumerate()
                .filter(|&(i, members)| {
                    Some(i) != line
                        && members.contains(&c)
                        && !members
                            .iter()
                            .any(|&m| suppressed[m] && self.adjusted[m] > 0)
                })
                .count()
        };
        candidates
            .filter(|&c| self.exists[c] && !suppressed[c] && !self.pinned[c])
            .min_by_key(|&c| (lone_after(c), self.adjusted[c], self.total[c], c))
    }

    /// Secondary suppression to its fixed point (see [`CountTable`]).
    fn suppress(&self, mut suppressed: Vec<bool>) -> Vec<bool> {
        loop {
            self.suppress_lines(&mut suppressed);
            let Some(exposed) = self.recoverable(&suppressed).into_iter().next() else {
                return suppressed;
            };
            let nonzero = |c: &usize| self.adjusted[*c] > 0;
            let near: Vec<usize> = self
                .lines
                .iter()
                .filter(|line| line.contains(&exposed))
                .flatten()
                .copied()
                .collect();
            let all = 0..self.adjusted.len();
            let pick = self
                .partner(near.iter().copied().filter(nonzero), None, &suppressed)
                .or_else(|| self.partner(all.clone().filter(nonzero), None, &suppressed))
                .or_else(|| self.partner(all, None, &suppressed));
            match pick {
                Some(c) => suppressed[c] = true,
                // Nothing left to hide but pinned members: stop rather than loop.
                None => return suppressed,
            }
        }
    }

    /// Part (a): a line with one hidden non-zero member gets a second — non-zero when there is
    /// one to take, else (a pinned total leaves none) a zero-valued one — until no line
    /// needs one.
    fn suppress_lines(&self, suppressed: &mut [bool]) {
        loop {
            let mut added = false;
            for (i, line) in self.lines.iter().enumerate() {
                let hidden = |c: &&usize| suppressed[**c];
                let lone = line
                    .iter()
                    .filter(hidden)
                    .filter(|&&c| self.adjusted[c] > 0)
                    .count()
                    == 1;
                if !lone {
                    continue;
                }
                let only_one = line.iter().filter(hidden).count() == 1;
                let pick = self
                    .partner(
                        line.iter().copied().filter(|&c| self.adjusted[c] > 0),
                        Some(i),
                        suppressed,
                    )
                    .or_else(|| {
                        only_one
                            .then(|| {
                                self.partner(
                                    line.iter().copied().filter(|&c| self.adjusted[c] == 0),
                                    Some(i),
                                    suppressed,
                                )
                            })
                            .flatten()
                    });
                if let Some(c) = pick {
                    suppressed[c] = true;
                    added = true;
                }
            }
            if !added {
                return;
            }
        }
    }

    /// Part (b): the suppressed members of non-zero value that the lines' equations determine,
    /// in index order.
    fn recoverable(&self, suppressed: &[bool]) -> Vec<usize> {
        let unknowns: Vec<usize> = (0..self.adjusted.len())
            .filter(|&c| self.exists[c] && suppressed[c])
            .collect();
        if unknowns.is_empty() {
            return Vec::new();
        }
        // One equation per line: Σ members − total = 0, the total being the line's last member;
        // the shown members' values go to the right-hand side, which the rank does not need.
        let mut matrix: Vec<Vec<u64>> = self
            .lines
            .iter()
            .map(|line| {
                unknowns
                    .iter()
                    .map(|u| match line.iter().position(|m| m == u) {
                        None => 0,
                        Some(at) if at + 1 == line.len() => PRIME - 1,
                        Some(_) => 1,
                    })
                    .collect()
            })
            .collect();
        let pivots = reduce(&mut matrix, unknowns.len());
        let mut found: Vec<usize> = pivots
            .into_iter()
            .filter(|&(row, column)| {
                matrix[row]
                    .iter()
                    .enumerate()
                    .all(|(j, &v)| v == 0 || j == column)
            })
            .map(|(_, column)| unknowns[column])
            .filter(|&c| self.adjusted[c] > 0)
            .collect();
        found.sort_unstable();
        found
    }

    fn shown(&self, table: &CountTable, suppressed: &[bool]) -> ShownTable {
        let show = |at: usize| {
            if suppressed[at] {
                Shown::suppressed()
            } else {
                Shown::value_of(self.adjusted[at])
            }
        };
        ShownTable {
            rows: table.rows.clone(),
            columns: table.columns.clone(),
            cells: (0..self.rows)
                .map(|i| (0..self.columns).map(|j| show(self.index(i, j))).collect())
                .collect(),
            row_totals: table.row_totals.then(|| {
                (0..self.rows)
                    .map(|i| show(self.index(i, self.columns)))
                    .collect()
            }),
            column_totals: table.column_totals.then(|| {
                (0..self.columns)
                    .map(|j| show(self.index(self.rows, j)))
                    .collect()
            }),
            total: (table.row_totals || table.column_totals)
                .then(|| show(self.index(self.rows, self.columns))),
        }
    }
}

fn mul_mod(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(PRIME)) as u64
}

fn inverse_mod(a: u64) -> u64 {
    // Fermat: a^(p−2) is a's inverse modulo the prime p.
    let (mut base, mut exponent, mut result) = (a % PRIME, PRIME - 2, 1u64);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul_mod(result, base);
        }
        base = mul_mod(base, base);
        exponent >>= 1;
    }
    result
}

/// Brings `matrix` (entries modulo [`PRIME`]) to reduced row-echelon form in place; returns
/// the `(row, column)` of each pivot.
fn reduce(matrix: &mut [Vec<u64>], columns: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut row = 0;
    for column in 0..columns {
        let Some(found) = (row..matrix.len()).find(|&r| matrix[r][column] != 0) else {
            continue;
        };
        matrix.swap(row, found);
        let inverse = inverse_mod(matrix[row][column]);
        for v in matrix[row].iter_mut() {
            *v = mul_mod(*v, inverse);
        }
        let pivot_row = matrix[row].clone();
        for (r, other) in matrix.iter_mut().enumerate() {
            let factor = other[column];
            if r == row || factor == 0 {
                continue;
            }
            for (v, &p) in other.iter_mut().zip(pivot_row.iter()) {
                *v = (*v + PRIME - mul_mod(factor, p)) % PRIME;
            }
        }
        pivots.push((row, column));
        row += 1;
        if row == matrix.len() {
            break;
        }
    }
    pivots
}

#[cfg(test)]
mod tests;
