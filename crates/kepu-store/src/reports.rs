//! The staff dashboard's queries (docs/dashboard.md). Every count about visitors is a sum of
//! *adjusted atoms* ([`Store::atom_sums`]): filters select whole atoms (a time range of whole
//! hours, a venue, a kiosk, an exhibit, an audience, a language, and values of the table's own
//! dimensions), and each stored atom is adjusted on its own before it is added — an atom of
//! `n ≥ k` sessions counts `n`, one of `0 < n < k` counts `k` when its cell key mod `k` is
//! below `n`, else 0 — so any two reports, and any difference of them, are sums of adjusted
//! atoms. The true sum comes along only for the suppression step (a cell resting on fewer
//! than `k` sessions is shown as "< k"); it must never be published.
//!
//! Machines are not visitors: kiosk open hours and health are not adjusted. A quiz's item
//! statistics ([`Store::quiz_item_stats`]) are exact sums over sessions by necessity (a
//! correlation over sessions); the caller shows them only as a correlation over enough
//! sessions.
//!
//! The SQL is made from fixed fragments chosen by enums ([`Dim`], [`Group`], [`AtomTable`]);
//! every value from a request is bound.

use crate::report_sums::{self, Plan, SumsState};
use crate::sql::{Statement, bound, for_engine};
use crate::{Store, StoreError, count, with_pool};
use kepu_core::wire::KioskHealth;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Which atoms to read: the selection every report takes. Times are the atoms' hours (a
/// session's start hour): `from_ms` inclusive, `to_ms` exclusive; an atom is in the range when
/// its hour starts in it, so a range of whole hours (days in any whole-hour time zone) selects
/// whole atoms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub from_ms: i64,
    pub to_ms: i64,
    pub venue_id: Option<i64>,
    pub kiosk_id: Option<String>,
    /// Only on tables with an exhibit (an error elsewhere).
    pub exhibit_id: Option<String>,
    pub audience: Option<String>,
    pub language: Option<String>,
}

impl ReportFilter {
    /// Everything in `from_ms..to_ms`.
    pub fn between(from_ms: i64, to_ms: i64) -> Self {
        Self {
            from_ms,
            to_ms,
            ..Self::default()
        }
    }
}

/// The atom tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtomTable {
    /// Sessions by length bucket ([`Dim::LengthBucket`]).
    Sessions,
    /// Sessions by trait ([`Dim::Trait`]): `one_touch` (ended after at most 2 events: touched
    /// once and left), `large_text`, `high_contrast`, `seated` (the mode was on at some moment),
    /// `opened:0`…`opened:4`, `opened:5+` (distinct exhibits opened), `diligent` (opened more
    /// than half of the exhibits on show at its kiosk: the most any heartbeat of its start hour
    /// reported, or else the kiosk's latest heartbeat before; never while none is known; the
    /// kiosk's own count of exhibits on show is the museum measure's "exhibits in the
    /// exhibition", and needs no scan of 30 days of openings), `quiz_started` (answered at
    /// least one question of any quiz), `quiz_completed` (sent `quiz_complete` for at least
    /// one quiz: the event itself, whatever the published content says; it does not imply
    /// `quiz_started`). The funnel's stages, each in distinct sessions: all
    /// ([`AtomTable::Sessions`]), `opened:1`…`opened:5+` (opened an exhibit), `quiz_started`,
    /// `quiz_completed`.
    SessionTraits,
    /// Sessions per exhibit and measure ([`Dim::Measure`]): `opened`, `entry` (the session's
    /// first exhibit), `exit` (its last), `completed` (a quiz: `quiz_complete` sent; a story:
    /// its last page viewed; a sort game: every item put in its right bin; hotspots: every
    /// hotspot opened — against the published manifest), `quiz_started` (a question answered),
    /// `dwell:0`…`dwell:11` (the duration bucket of the session's total time there, once it
    /// closed the exhibit).
    Exhibits,
    /// Sessions per question and outcome ([`Dim::Outcome`]): `answered`, `correct`,
    /// `choice:<id>`, `time:0`…`time:11`, `value:0`…`value:9` (first answers only).
    Answers,
    /// Sessions per sort item and bin.
    Placements,
}

impl AtomTable {
    pub fn table_name(self) -> &'static str {
        match self {
            Self::Sessions => "atom_sessions",
            Self::SessionTraits => "atom_session_traits",
            Self::Exhibits => "atom_exhibits",
            Self::Answers => "atom_answers",
            Self::Placements => "atom_placements",
        }
    }

    /// Whether the table can be filtered and grouped by `dim`.
    pub fn has(self, dim: Dim) -> bool {
        match dim {
            Dim::Venue | Dim::Kiosk | Dim::Audience | Dim::Language => true,
            Dim::LengthBucket => self == Self::Sessions,
            Dim::Trait => self == Self::SessionTraits,
            Dim::Measure => self == Self::Exhibits,
            Dim::Exhibit => matches!(self, Self::Exhibits | Self::Answers | Self::Placements),
            Dim::Question | Dim::Outcome | Dim::Theme => self == Self::Answers,
            Dim::Item | Dim::Bin => self == Self::Placements,
        }
    }
}

/// A dimension of the atoms. Values are text: a venue by its id ([`Store::venue_ids`] names
/// them), a length bucket by its number (0..11, 12: not ended), the others as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Venue,
    Kiosk,
    Audience,
    Language,
    Exhibit,
    Question,
    /// A question's outcome (`choice:<id>` among them).
    Outcome,
    Item,
    Bin,
    LengthBucket,
    Trait,
    Measure,
    /// A question's science-literacy theme (from the published manifest; `""`: none).
    Theme,
}

impl Dim {
    pub fn name(self) -> &'static str {
        match self {
            Self::Venue => "venue",
            Self::Kiosk => "kiosk",
            Self::Audience => "audience",
            Self::Language => "language",
            Self::Exhibit => "exhibit",
            Self::Question => "question",
            Self::Outcome => "outcome",
            Self::Item => "item",
            Self::Bin => "bin",
            Self::LengthBucket => "length bucket",
            Self::Trait => "trait",
            Self::Measure => "measure",
            Self::Theme => "theme",
        }
    }

    /// The dimension as text, from the atom row `a` (and `q`, its question's metadata).
    fn expr(self) -> &'static str {
        match self {
            Self::Venue => "CAST(a.venue_id AS TEXT)",
            Self::Kiosk => "a.kiosk_id",
            Self::Audience => "a.audience",
            Self::Language => "a.language",
            Self::Exhibit => "a.exhibit_id",
            Self::Question => "a.question_id",
            Self::Outcome => "a.outcome",
            Self::Item => "a.item_id",
            Self::Bin => "a.bin_id",
            Self::LengthBucket => "CAST(a.length_bucket AS TEXT)",
            Self::Trait => "a.trait",
            Self::Measure => "a.measure",
            Self::Theme => "COALESCE(q.theme, '')",
        }
    }
}

/// How to split a sum. Time groups take the district's offset from UTC (whole minutes, at
/// most ±26 h); the atoms' hours are UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `YYYY-MM-DD` (local).
    Day {
        utc_offset_ms: i64,
    },
    /// `0`..`167` (local), Monday 00:00-01:00 = 0.
    HourOfWeek {
        utc_offset_ms: i64,
    },
    /// `YYYY-MM` (local): summed from the days (both engines' month arithmetic differ; a sum
    /// of days is the same sum of atoms).
    Month {
        utc_offset_ms: i64,
    },
    By(Dim),
}

/// A selection on a dimension: the atoms whose value is one of `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Only {
    pub dim: Dim,
    pub values: Vec<String>,
}

impl Only {
    pub fn is(dim: Dim, value: &str) -> Self {
        Self {
            dim,
            values: vec![value.to_owned()],
        }
    }

    pub fn any<S: AsRef<str>>(dim: Dim, values: &[S]) -> Self {
        Self {
            dim,
            values: values.iter().map(|v| v.as_ref().to_owned()).collect(),
        }
    }
}

/// One group's sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomSum {
    /// One value per requested [`Group`], in their order.
    pub group: Vec<String>,
    /// The sum of the adjusted atoms: what may be published.
    pub adjusted: u64,
    /// The true number of sessions: for the suppression decision only, never to be shown.
    pub sessions: u64,
}

/// A report the atoms cannot answer; nothing was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{table} has no {dimension}: a report on it cannot be filtered or grouped by it")]
    NoSuchDimension {
        table: &'static str,
        dimension: &'static str,
    },
    #[error("the smallest count shown (k) must be at least 1")]
    ZeroK,
    #[error("a selection on {dimension} lists no values")]
    EmptySelection { dimension: &'static str },
    #[error("a UTC offset must be within ±26 hours")]
    Offset,
    #[error(
        "the first answers asked for are of exhibit \"{asked}\", the filter names \"{filter}\""
    )]
    OtherExhibit { asked: String, filter: String },
}

/// The largest offset from UTC accepted (UTC-12 … UTC+14, with room).
const MAX_OFFSET_MS: i64 = 26 * 3_600_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// A group's value as read: a number (days, hours of the week, months) or text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Int(i64),
    Text(String),
}

/// Appends `floor((a.hour_start_ms + offset) / divisor)`, the atom's local day or hour, in
/// SQL both engines compute alike (their `/` and `%` truncate; this floors).
fn push_local_floor(statement: &mut Statement, offset_ms: i64, divisor: i64) {
    statement
        .push("((a.hour_start_ms + ")
        .bind(offset_ms)
        .push(") - ((((a.hour_start_ms + ")
        .bind(offset_ms)
        .push(&format!(
            ") % {divisor}) + {divisor}) % {divisor})) / {divisor}"
        ));
}

/// Checks a request of [`Store::atom_sums`] against its table; returns the dimensions it
/// filters and groups by.
fn check_request(
    table: AtomTable,
    filter: &ReportFilter,
    groups: &[Group],
    only: &[Only],
    k: u32,
) -> Result<Vec<Dim>, ReportError> {
    let refuse = |dim: Dim| ReportError::NoSuchDimension {
        table: table.table_name(),
        dimension: dim.name(),
    };
    if k == 0 {
        return Err(ReportError::ZeroK);
    }
    if filter.exhibit_id.is_some() && !table.has(Dim::Exhibit) {
        return Err(refuse(Dim::Exhibit));
    }
    let mut dims: Vec<Dim> = only.iter().map(|o| o.dim).collect();
    for group in groups {
        match *group {
            Group::By(dim) => dims.push(dim),
            Group::Day { utc_offset_ms }
            | Group::HourOfWeek { utc_offset_ms }
            | Group::Month { utc_offset_ms } => {
                if utc_offset_ms.abs() > MAX_OFFSET_MS {
                    return Err(ReportError::Offset);
                }
            }
        }
    }
    if let Some(&dim) = dims.iter().find(|&&dim| !table.has(dim)) {
        return Err(refuse(dim));
    }
    if let Some(selection) = only.iter().find(|o| o.values.is_empty()) {
        return Err(ReportError::EmptySelection {
            dimension: selection.dim.name(),
        });
    }
    Ok(dims)
}

/// How a request reads the report sums ([`report_sums`]): the level and rows that answer
/// it, and which days come from where.
#[derive(Debug, Clone)]
pub(crate) struct SumsRead {
    level: i64,
    /// The all-audiences rows (nothing asks for an audience or a language).
    everyone: bool,
    plan: Plan,
}

/// The level of the sums a filter and its dimensions need: a kiosk's, a venue's or the
/// district's rows.
fn level_for(filter: &ReportFilter, dims: &[Dim]) -> i64 {
    if filter.kiosk_id.is_some() || dims.contains(&Dim::Kiosk) {
        report_sums::KIOSK
    } else if filter.venue_id.is_some() || dims.contains(&Dim::Venue) {
        report_sums::VENUE
    } else {
        report_sums::DISTRICT
    }
}

/// The whole local days `from_ms..to_ms` is, by `utc_offset_ms` (`None`: not whole days).
fn whole_days(from_ms: i64, to_ms: i64, utc_offset_ms: i64) -> Option<(i64, i64)> {
    let aligned = |ms: i64| (ms + utc_offset_ms).rem_euclid(DAY_MS) == 0;
    (from_ms <= to_ms && aligned(from_ms) && aligned(to_ms)).then(|| {
        (
            report_sums::local_day(from_ms, utc_offset_ms),
            report_sums::local_day(to_ms, utc_offset_ms),
        )
    })
}

/// The sums read of a request, when its sums are made for its k and offset and it asks for
/// whole local days and nothing finer than a day.
fn sums_read(
    table: AtomTable,
    state: &SumsState,
    filter: &ReportFilter,
    groups: &[Group],
    dims: &[Dim],
    k: u32,
) -> Option<SumsRead> {
    let basis = state.basis.filter(|basis| basis.k == k)?;
    for group in groups {
        match *group {
            Group::HourOfWeek { .. } => return None,
            Group::Day { utc_offset_ms } | Group::Month { utc_offset_ms }
                if utc_offset_ms != basis.utc_offset_ms =>
            {
                return None;
            }
            _ => {}
        }
    }
    let (first_day, end_day) = whole_days(filter.from_ms, filter.to_ms, basis.utc_offset_ms)?;
    let by_day = groups.iter().any(|g| matches!(g, Group::Day { .. }));
    let level = level_for(filter, dims);
    // A kiosk's rows of most tables are only per day and audience (report_sums::SumTable).
    let rollups = level != report_sums::KIOSK || report_sums::sums_of(table).kiosk_rollups;
    Some(SumsRead {
        level,
        everyone: rollups
            && filter.audience.is_none()
            && filter.language.is_none()
            && !dims.contains(&Dim::Audience)
            && !dims.contains(&Dim::Language),
        plan: report_sums::plan(
            first_day,
            end_day,
            basis.utc_offset_ms,
            &state.dirty_days,
            &state.months,
            rollups && !by_day,
        ),
    })
}

/// Appends the filter's and selections' conditions on the row `row`: an atom or a sum row
/// (`a`: the same column names), or a session (`s`: no exhibit, no selections).
fn push_selection(statement: &mut Statement, row: &str, filter: &ReportFilter, only: &[Only]) {
    if let Some(venue) = filter.venue_id {
        statement
            .push(&format!(" AND {row}.venue_id = "))
            .bind(venue);
    }
    for (column, value) in [
        ("kiosk_id", &filter.kiosk_id),
        ("exhibit_id", &filter.exhibit_id),
        ("audience", &filter.audience),
        ("language", &filter.language),
    ] {
        if let Some(value) = value {
            statement
                .push(&format!(" AND {row}.{column} = "))
                .bind(value);
        }
    }
    for selection in only {
        statement.push(&format!(" AND {} IN (", selection.dim.expr()));
        statement.list(&selection.values).push(")");
    }
}

/// The theme's join, when a dimension is the theme: at most one row per atom (the question's
/// key), so the atoms stay one row each.
const THEME_JOIN: &str = " LEFT JOIN report_questions q
                ON q.exhibit_id = a.exhibit_id AND q.question_id = a.question_id";

/// One part of [`atom_sums_statement`]'s inner union: the atoms of the hour ranges `hours`,
/// each adjusted on its own, with their group values.
fn atoms_part(
    table: AtomTable,
    filter: &ReportFilter,
    groups: &[Group],
    only: &[Only],
    themed: bool,
    k: i64,
    hours: &[(i64, i64)],
) -> Statement {
    let mut part = Statement::new("SELECT ");
    for (i, group) in groups.iter().enumerate() {
        match *group {
            Group::Day { utc_offset_ms } | Group::Month { utc_offset_ms } => {
                push_local_floor(&mut part, utc_offset_ms, DAY_MS);
            }
            Group::HourOfWeek { utc_offset_ms } => {
                // 1970-01-01 was a Thursday: hour 0 of the epoch is hour 72 of its week.
                part.push("((((");
                push_local_floor(&mut part, utc_offset_ms, HOUR_MS);
                part.push(") + 72) % 168) + 168) % 168");
            }
            Group::By(dim) => {
                part.push(dim.expr());
            }
        }
        part.push(&format!(" AS g{i}, "));
    }
    report_sums::push_adjusted(&mut part, k);
    part.push(&format!(
        " AS adj, a.sessions AS n FROM {} a",
        table.table_name()
    ));
    if themed {
        part.push(THEME_JOIN);
    }
    part.push(" WHERE 1 = 1");
    push_hour_ranges(&mut part, "a.hour_start_ms", hours);
    push_selection(&mut part, "a", filter, only);
    part
}

/// One part of [`atom_sums_statement`]'s inner union: the sum rows of one span and period
/// condition (`periods`, on `a.period`, already bound into `condition`).
fn sums_part(
    table: AtomTable,
    filter: &ReportFilter,
    groups: &[Group],
    only: &[Only],
    themed: bool,
    read: &SumsRead,
    condition: impl FnOnce(&mut Statement),
) -> Statement {
    let mut part = Statement::new("SELECT ");
    for (i, group) in groups.iter().enumerate() {
        match *group {
            // A day row's period is its day; a month row's the month's first day (months
            // are read only when nothing is split by day).
            Group::Day { .. } | Group::Month { .. } => part.push("a.period"),
            // Never planned on the sums.
            Group::HourOfWeek { .. } => part.push("NULL"),
            Group::By(dim) => part.push(dim.expr()),
        };
        part.push(&format!(" AS g{i}, "));
    }
    part.push(&format!(
        "a.adjusted AS adj, a.sessions AS n FROM {} a",
        report_sums::sums_of(table).name
    ));
    if themed {
        part.push(THEME_JOIN);
    }
    part.push(" WHERE a.level = ").bind(read.level);
    condition(&mut part);
    part.push(if read.everyone {
        " AND a.audience = '*'"
    } else {
        " AND a.audience <> '*'"
    });
    if read.level == report_sums::VENUE {
        part.push(" AND a.kiosk_id = ''");
    }
    push_selection(&mut part, "a", filter, only);
    part
}

/// The plan of a report on machines or exact per-session sums (kiosk open hours, item
/// statistics): these take no k, so the sums serve them whenever they are made for the
/// offset the range's days are whole in.
fn machine_plan(state: &SumsState, filter: &ReportFilter, months: bool) -> Option<Plan> {
    let basis = state.basis?;
    let (first_day, end_day) = whole_days(filter.from_ms, filter.to_ms, basis.utc_offset_ms)?;
    Some(report_sums::plan(
        first_day,
        end_day,
        basis.utc_offset_ms,
        &state.dirty_days,
        &state.months,
        months,
    ))
}

/// The period conditions of a plan's sum rows: one per range of days, one for its months.
fn sum_parts(plan: &Plan) -> Vec<Box<dyn Fn(&mut Statement) + '_>> {
    let mut parts: Vec<Box<dyn Fn(&mut Statement) + '_>> = Vec::new();
    for &(from, to) in &plan.days {
        parts.push(Box::new(move |s: &mut Statement| {
            s.push(" AND a.span = 0 AND a.period >= ")
                .bind(from)
                .push(" AND a.period < ")
                .bind(to);
        }));
    }
    if !plan.months.is_empty() {
        parts.push(Box::new(|s: &mut Statement| {
            s.push(" AND a.span = 1 AND a.period IN (")
                .list(&plan.months)
                .push(")");
        }));
    }
    parts
}

/// Appends ` AND (column in one of the hour ranges)` (none: nothing matches).
fn push_hour_ranges(statement: &mut Statement, column: &str, hours: &[(i64, i64)]) {
    statement.push(" AND (");
    if hours.is_empty() {
        statement.push("1 = 0");
    }
    for (i, &(from, to)) in hours.iter().enumerate() {
        if i > 0 {
            statement.push(" OR ");
        }
        statement
            .push(&format!("({column} >= "))
            .bind(from)
            .push(&format!(" AND {column} < "))
            .bind(to)
            .push(")");
    }
    statement.push(")");
}

/// The SELECT of [`Store::atom_sums`]: its statement, and whether each group is read as a
/// number. Without `sums`, every atom of the range is read; with them, the union of the
/// atoms of the plan's hours and the sum rows of its days and months — the same adjusted
/// atoms, summed.
fn atom_sums_statement(
    table: AtomTable,
    filter: &ReportFilter,
    groups: &[Group],
    only: &[Only],
    k: u32,
    sums: Option<&SumsRead>,
) -> Result<(Statement, Vec<bool>), ReportError> {
    let dims = check_request(table, filter, groups, only, k)?;
    let themed = dims.contains(&Dim::Theme);
    let numeric: Vec<bool> = groups
        .iter()
        .map(|group| !matches!(group, Group::By(_)))
        .collect();
    let k = i64::from(k);
    let mut parts = Vec::new();
    let every_hour = [(filter.from_ms, filter.to_ms)];
    match sums {
        None => parts.push(atoms_part(
            table,
            filter,
            groups,
            only,
            themed,
            k,
            &every_hour,
        )),
        Some(read) => {
            if !read.plan.hours.is_empty() {
                parts.push(atoms_part(
                    table,
                    filter,
                    groups,
                    only,
                    themed,
                    k,
                    &read.plan.hours,
                ));
            }
            for &(from, to) in &read.plan.days {
                parts.push(sums_part(table, filter, groups, only, themed, read, |s| {
                    s.push(" AND a.span = 0 AND a.period >= ")
                        .bind(from)
                        .push(" AND a.period < ")
                        .bind(to);
                }));
            }
            if !read.plan.months.is_empty() {
                parts.push(sums_part(table, filter, groups, only, themed, read, |s| {
                    s.push(" AND a.span = 1 AND a.period IN (")
                        .list(&read.plan.months)
                        .push(")");
                }));
            }
            if parts.is_empty() {
                // An empty range: nothing, asked of the atoms.
                parts.push(atoms_part(
                    table,
                    filter,
                    groups,
                    only,
                    themed,
                    k,
                    &every_hour,
                ));
            }
        }
    }

    let group_columns = (0..groups.len())
        .map(|i| format!("g{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut outer = Statement::new("SELECT ");
    if !groups.is_empty() {
        outer.push(&group_columns).push(", ");
    }
    outer.push(
        "CAST(COALESCE(SUM(adj), 0) AS BIGINT) AS adjusted, \
         CAST(COALESCE(SUM(n), 0) AS BIGINT) AS sessions FROM (",
    );
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            outer.push(" UNION ALL ");
        }
        // Each part's placeholders follow the ones before it.
        let shift = outer.values.len();
        outer.push(&renumber(&part.sql, shift));
        outer.values.extend(part.values);
    }
    outer.push(") x");
    if !groups.is_empty() {
        outer.push(&format!(
            " GROUP BY {group_columns} ORDER BY {group_columns}"
        ));
    }
    Ok((outer, numeric))
}

/// `sql` with every `$n` placeholder moved up by `shift`.
fn renumber(sql: &str, shift: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&(n + shift).to_string()),
                Err(_) => out.push_str(&digits),
            }
        }
    }
    out
}

/// The civil date of a day number (days since 1970-01-01), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Per kiosk, the hours it was open in the range: distinct kiosk-hours with a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskOpenHours {
    pub kiosk: String,
    pub hours: u64,
}

/// One kiosk as the health page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskHealthRow {
    pub kiosk: String,
    pub venue: Option<String>,
    /// The last accepted request (server clock).
    pub last_seen_at_ms: Option<i64>,
    pub app_version: Option<String>,
    pub revoked_at_ms: Option<i64>,
    /// The last time one of its events carried a time the server does not trust.
    pub clock_untrusted_at_ms: Option<i64>,
    /// The newest heartbeat folded (by the time it occurred), as JSON ([`KioskHealth`]).
    pub last_health_json: Option<String>,
    pub last_heartbeat_at_ms: Option<i64>,
    /// Exhibit ids it sent that are not published, sorted.
    pub unknown_exhibit_ids: Vec<String>,
}

impl KioskHealthRow {
    pub fn revoked(&self) -> bool {
        self.revoked_at_ms.is_some()
    }

    pub fn clock_untrusted(&self) -> bool {
        self.clock_untrusted_at_ms.is_some()
    }

    /// The newest heartbeat, read (`None`: none yet, or one this version cannot read).
    pub fn health(&self) -> Option<KioskHealth> {
        serde_json::from_str(self.last_health_json.as_deref()?).ok()
    }
}

/// The sums a question's point-biserial discrimination is computed from, over the sessions of
/// one "I am a..." answer that answered it (first answers only): with `x` the item (1 correct,
/// 0 not) and `y` the session's *rest score* (its correct first answers to the quiz's other
/// questions), `answered` = n, `correct` = Σx (= Σx²), `rest` = Σy, `rest_squares` = Σy²,
/// `correct_rest` = Σxy. Sums over sessions, never a session: the sums of several audiences
/// are the sums of their sessions together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemStatsRow {
    /// The sessions' "I am a..." answer as stored (`""`: none given).
    pub audience: String,
    pub question_id: String,
    pub answered: u64,
    pub correct: u64,
    pub rest: u64,
    pub rest_squares: u64,
    pub correct_rest: u64,
}

/// An [`ItemStatsRow`] from its columns in order.
pub(crate) fn item_stats_row<R: Row>(row: &R) -> Result<ItemStatsRow, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let count = |i: usize| -> Result<u64, sqlx::Error> {
        Ok(u64::try_from(row.try_get::<i64, _>(i)?).unwrap_or(0))
    };
    Ok(ItemStatsRow {
        audience: row.try_get(0)?,
        question_id: row.try_get(1)?,
        answered: count(2)?,
        correct: count(3)?,
        rest: count(4)?,
        rest_squares: count(5)?,
        correct_rest: count(6)?,
    })
}

impl Store {
    /// Sums of adjusted atoms of `table` selected by `filter` and `only` (each an `IN`; all
    /// must hold), split by `groups` (none: one total), sorted by the groups. `k` is the
    /// smallest count shown (`min_sessions`). A filter, selection or group on a dimension the
    /// table does not have is refused ([`ReportError::NoSuchDimension`]), never ignored.
    pub async fn atom_sums(
        &self,
        table: AtomTable,
        filter: &ReportFilter,
        groups: &[Group],
        only: &[Only],
        k: u32,
    ) -> Result<Vec<AtomSum>, StoreError> {
        let dims = check_request(table, filter, groups, only, k)?;
        let state = self.sums_state(filter.from_ms, filter.to_ms).await?;
        let read = sums_read(table, &state, filter, groups, &dims, k);
        let (statement, numeric) =
            atom_sums_statement(table, filter, groups, only, k, read.as_ref())?;
        let Statement { sql, values } = statement;
        let sql = for_engine(sql, self.engine());
        let rows: Vec<(Vec<Key>, i64, i64)> = with_pool!(self, |pool| {
            let rows = bound!(&sql, values).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut keys = Vec::with_capacity(numeric.len());
                for (i, &is_number) in numeric.iter().enumerate() {
                    keys.push(if is_number {
                        Key::Int(row.try_get::<i64, _>(i)?)
                    } else {
                        Key::Text(row.try_get::<String, _>(i)?)
                    });
                }
                out.push((
                    keys,
                    row.try_get::<i64, _>("adjusted")?,
                    row.try_get::<i64, _>("sessions")?,
                ));
            }
            Ok::<_, sqlx::Error>(out)
        })?;
        // Months are summed from days; every key becomes its text.
        let mut sums: BTreeMap<Vec<Key>, (u64, u64)> = BTreeMap::new();
        for (mut keys, adjusted, sessions) in rows {
            for (key, group) in keys.iter_mut().zip(groups) {
                if let (Group::Month { .. }, Key::Int(day)) = (group, &key) {
                    let (year, month, _) = civil_from_days(*day);
                    *key = Key::Int(year * 12 + i64::from(month) - 1);
                }
            }
            let sum = sums.entry(keys).or_default();
            sum.0 = sum.0.saturating_add(count(adjusted));
            sum.1 = sum.1.saturating_add(count(sessions));
        }
        Ok(sums
            .into_iter()
            .map(|(keys, (adjusted, sessions))| AtomSum {
                group: keys
                    .into_iter()
                    .zip(groups)
                    .map(|(key, group)| match (key, group) {
                        (Key::Text(text), _) => text,
                        (Key::Int(day), Group::Day { .. }) => {
                            let (year, month, day) = civil_from_days(day);
                            format!("{year:04}-{month:02}-{day:02}")
                        }
                        (Key::Int(months), Group::Month { .. }) => format!(
                            "{:04}-{:02}",
                            months.div_euclid(12),
                            months.rem_euclid(12) + 1
                        ),
                        (Key::Int(n), _) => n.to_string(),
                    })
                    .collect(),
                adjusted,
                sessions,
            })
            .collect())
    }

    /// Venue ids and names, for [`ReportFilter::venue_id`] and [`Dim::Venue`] groups.
    pub async fn venue_ids(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name FROM venues ORDER BY name")
                .fetch_all(pool)
                .await
        })?)
    }

    /// Per kiosk, its distinct hours with a heartbeat in the range (the kiosks' own roll-ups
    /// of heartbeats included), for "sessions per open hour". Machines, not visitors: not
    /// adjusted. Only the range, venue and kiosk of `filter` apply (a kiosk is open whoever
    /// comes; an exhibit, audience or language does not narrow that down).
    pub async fn kiosk_open_hours(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<KioskOpenHours>, StoreError> {
        let state = self.sums_state(filter.from_ms, filter.to_ms).await?;
        let plan = machine_plan(&state, filter, true);
        let every_hour = [(filter.from_ms, filter.to_ms)];
        let hours = plan.as_ref().map_or(&every_hour[..], |p| &p.hours[..]);
        // Distinct hours within each part: the parts' times never overlap, so their counts add.
        let mut select = Statement::new(
            "SELECT kiosk_id, CAST(SUM(hours) AS BIGINT) AS hours FROM (
                 SELECT a.kiosk_id, COUNT(DISTINCT a.hour_start_ms) AS hours
                 FROM hourly_events a WHERE a.event_type = 'kiosk_heartbeat'",
        );
        push_hour_ranges(&mut select, "a.hour_start_ms", hours);
        let machines = ReportFilter {
            from_ms: filter.from_ms,
            to_ms: filter.to_ms,
            venue_id: filter.venue_id,
            kiosk_id: filter.kiosk_id.clone(),
            ..ReportFilter::default()
        };
        push_selection(&mut select, "a", &machines, &[]);
        select.push(" GROUP BY a.kiosk_id");
        if let Some(plan) = &plan {
            for part in sum_parts(plan) {
                select.push(
                    " UNION ALL SELECT a.kiosk_id, a.hours FROM sum_open_hours a WHERE 1 = 1",
                );
                part(&mut select);
                push_selection(&mut select, "a", &machines, &[]);
            }
        }
        select.push(") x GROUP BY kiosk_id ORDER BY kiosk_id");
        let Statement { sql, values } = select;
        let sql = for_engine(sql, self.engine());
        let rows: Vec<(String, i64)> = with_pool!(self, |pool| {
            let rows = bound!(&sql, values).fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        Ok(rows
            .into_iter()
            .map(|(kiosk, hours)| KioskOpenHours {
                kiosk,
                hours: count(hours),
            })
            .collect())
    }

    /// Every kiosk's health, by name.
    pub async fn kiosk_health(&self) -> Result<Vec<KioskHealthRow>, StoreError> {
        const KIOSKS: &str = "SELECT k.id, v.name AS venue, k.last_seen_at_ms, k.app_version,
                                     k.revoked_at_ms, k.clock_untrusted_at_ms,
                                     k.last_health_json, k.last_heartbeat_at_ms
                              FROM kiosks k LEFT JOIN venues v ON v.id = k.venue_id
                              ORDER BY k.id";
        const UNKNOWN: &str =
            "SELECT kiosk_id, exhibit_id FROM unknown_exhibits ORDER BY kiosk_id, exhibit_id";
        let (mut kiosks, unknown) = with_pool!(self, |pool| {
            let rows = sqlx::query(KIOSKS).fetch_all(pool).await?;
            let mut kiosks = Vec::with_capacity(rows.len());
            for row in &rows {
                kiosks.push(KioskHealthRow {
                    kiosk: row.try_get("id")?,
                    venue: row.try_get("venue")?,
                    last_seen_at_ms: row.try_get("last_seen_at_ms")?,
                    app_version: row.try_get("app_version")?,
                    revoked_at_ms: row.try_get("revoked_at_ms")?,
                    clock_untrusted_at_ms: row.try_get("clock_untrusted_at_ms")?,
                    last_health_json: row.try_get("last_health_json")?,
                    last_heartbeat_at_ms: row.try_get("last_heartbeat_at_ms")?,
                    unknown_exhibit_ids: Vec::new(),
                });
            }
            let unknown: Vec<(String, String)> = sqlx::query_as(UNKNOWN).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((kiosks, unknown))
        })?;
        let mut by_kiosk: HashMap<String, Vec<String>> = HashMap::new();
        for (kiosk, exhibit) in unknown {
            by_kiosk.entry(kiosk).or_default().push(exhibit);
        }
        for row in &mut kiosks {
            row.unknown_exhibit_ids = by_kiosk.remove(&row.kiosk).unwrap_or_default();
        }
        Ok(kiosks)
    }

    /// The item statistics of `exhibit_id`'s questions ([`ItemStatsRow`], per audience and
    /// question) over the sessions `filter` selects (by the session's start hour, venue, kiosk,
    /// audience and language), from the sessions' first answers (or their report sums, where
    /// made): the point-biserial discrimination of each question, which the caller shows only
    /// over enough sessions.
    pub async fn quiz_item_stats(
        &self,
        filter: &ReportFilter,
        exhibit_id: &str,
    ) -> Result<Vec<ItemStatsRow>, StoreError> {
        if let Some(other) = filter.exhibit_id.as_deref().filter(|&e| e != exhibit_id) {
            return Err(ReportError::OtherExhibit {
                asked: exhibit_id.to_owned(),
                filter: other.to_owned(),
            }
            .into());
        }
        let state = self.sums_state(filter.from_ms, filter.to_ms).await?;
        // A kiosk's item statistics are only per day (report_sums::ITEM_STATS).
        let months = level_for(filter, &[]) != report_sums::KIOSK;
        let plan = machine_plan(&state, filter, months);
        let every_hour = [(filter.from_ms, filter.to_ms)];
        let hours = plan.as_ref().map_or(&every_hour[..], |p| &p.hours[..]);

        // The sessions' first answers in the hours read from the facts, each with its
        // session's rest score (its other correct first answers to the quiz).
        let mut select = Statement::new(
            "WITH answered AS (
                 SELECT s.session_id, s.audience, a.question_id, a.correct
                 FROM sessions s JOIN session_answers a ON a.session_id = s.session_id
                 WHERE a.exhibit_id = ",
        );
        select.bind(exhibit_id);
        push_hour_ranges(&mut select, "s.start_hour_ms", hours);
        let session_filter = ReportFilter {
            exhibit_id: None,
            ..filter.clone()
        };
        push_selection(&mut select, "s", &session_filter, &[]);
        select.push(
            "),
             scored AS (
                 SELECT x.audience, x.question_id, x.correct, t.total - x.correct AS rest
                 FROM answered x JOIN (SELECT session_id, SUM(correct) AS total
                                       FROM answered GROUP BY session_id) t
                   ON t.session_id = x.session_id
             )
             SELECT audience, question_id, CAST(SUM(answered) AS BIGINT),
                    CAST(SUM(correct) AS BIGINT), CAST(SUM(rest) AS BIGINT),
                    CAST(SUM(rest_squares) AS BIGINT), CAST(SUM(correct_rest) AS BIGINT)
             FROM (
                 SELECT audience, question_id, COUNT(*) AS answered, SUM(correct) AS correct,
                        SUM(rest) AS rest, SUM(rest * rest) AS rest_squares,
                        SUM(correct * rest) AS correct_rest
                 FROM scored GROUP BY audience, question_id",
        );
        if let Some(plan) = &plan {
            let level = level_for(filter, &[]);
            for part in sum_parts(plan) {
                select.push(
                    " UNION ALL SELECT a.audience, a.question_id, a.answered, a.correct, a.rest,
                             a.rest_squares, a.correct_rest
                      FROM sum_item_stats a WHERE a.level = ",
                );
                select.bind(level);
                part(&mut select);
                select.push(" AND a.exhibit_id = ").bind(exhibit_id);
                if level == report_sums::VENUE {
                    select.push(" AND a.kiosk_id = ''");
                }
                push_selection(&mut select, "a", &session_filter, &[]);
            }
        }
        select.push(") x GROUP BY audience, question_id ORDER BY audience, question_id");
        let Statement { sql, values } = select;
        let sql = for_engine(sql, self.engine());
        let rows = with_pool!(self, |pool| {
            let rows = bound!(&sql, values).fetch_all(pool).await?;
            rows.iter()
                .map(item_stats_row)
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_723 + 59), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    #[test]
    fn placeholders_are_renumbered_past_the_outer_ones() {
        assert_eq!(
            renumber("a = $1 AND b IN ($2, $10)", 3),
            "a = $4 AND b IN ($5, $13)"
        );
    }

    #[test]
    fn dimensions_a_table_lacks_are_refused() {
        let filter = ReportFilter {
            exhibit_id: Some("quiz".into()),
            ..ReportFilter::between(0, 1)
        };
        assert_eq!(
            atom_sums_statement(AtomTable::Sessions, &filter, &[], &[], 5, None).unwrap_err(),
            ReportError::NoSuchDimension {
                table: "atom_sessions",
                dimension: "exhibit"
            }
        );
        let all = ReportFilter::between(0, 1);
        for (table, dim) in [
            (AtomTable::Exhibits, Dim::Trait),
            (AtomTable::SessionTraits, Dim::Measure),
            (AtomTable::Placements, Dim::Theme),
            (AtomTable::Answers, Dim::Bin),
        ] {
            assert!(atom_sums_statement(table, &all, &[Group::By(dim)], &[], 5, None).is_err());
            assert!(atom_sums_statement(table, &all, &[], &[Only::is(dim, "x")], 5, None).is_err());
        }
        assert_eq!(
            atom_sums_statement(AtomTable::Sessions, &all, &[], &[], 0, None).unwrap_err(),
            ReportError::ZeroK
        );
        assert!(matches!(
            atom_sums_statement(
                AtomTable::Exhibits,
                &all,
                &[],
                &[Only::any::<&str>(Dim::Measure, &[])],
                5,
                None
            ),
            Err(ReportError::EmptySelection { .. })
        ));
        assert_eq!(
            atom_sums_statement(
                AtomTable::Sessions,
                &all,
                &[Group::Day {
                    utc_offset_ms: 27 * HOUR_MS
                }],
                &[],
                5,
                None
            )
            .unwrap_err(),
            ReportError::Offset
        );
    }

    #[test]
    fn values_from_a_request_are_bound_never_written_into_the_text() {
        let filter = ReportFilter {
            kiosk_id: Some("k'; DROP TABLE x; --".into()),
            ..ReportFilter::between(0, 1)
        };
        // From the atoms alone, and from atoms, day rows and month rows together.
        let offset = 8 * HOUR_MS;
        let read = SumsRead {
            level: report_sums::KIOSK,
            everyone: true,
            plan: Plan {
                hours: vec![(0, 3 * HOUR_MS)],
                days: vec![(1, 3), (40, 41)],
                months: vec![10, 41],
            },
        };
        for sums in [None, Some(&read)] {
            let (statement, _) = atom_sums_statement(
                AtomTable::Answers,
                &filter,
                &[
                    Group::By(Dim::Theme),
                    Group::Day {
                        utc_offset_ms: offset,
                    },
                ],
                &[Only::is(Dim::Outcome, "correct' OR 1=1")],
                5,
                sums,
            )
            .unwrap();
            assert!(!statement.sql.contains("DROP") && !statement.sql.contains("1=1"));
            let placeholders = statement.sql.matches('$').count();
            assert_eq!(placeholders, statement.values.len());
            for n in 1..=placeholders {
                assert!(
                    statement.sql.contains(&format!("${n}")),
                    "${n} in {}",
                    statement.sql
                );
            }
            if sums.is_some() {
                assert_eq!(statement.sql.matches("UNION ALL").count(), 3);
            }
        }
    }
}
