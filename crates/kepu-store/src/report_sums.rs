//! The report sums (migrations `*_report_sums.sql`; docs/dashboard.md, "Speed"): the atoms
//! summed by local day and by ended local month, at three levels (the district, each venue,
//! each kiosk), each also with all audiences and languages together. A year of a busy
//! district is millions of atoms, nearly one per session; its months are thousands of rows.
//!
//! Every row is a sum of atoms each adjusted on its own, exactly as [`Store::atom_sums`]
//! adjusts them, with their true session counts beside: a report read from the sums is the
//! same sum of the same adjusted atoms as one read from the atoms (a test holds the two equal
//! on every report query), so nothing a report publishes changes — only how fast it is read.
//!
//! How they stay true:
//! - The roll-up and the atom rebuilds queue every UTC hour whose atoms (or heartbeats) they
//!   change in `report_sums_dirty`, in their own transaction.
//! - [`Store::refresh_report_sums`] (the server's maintenance, after each roll-up) remakes the
//!   days of queued hours, newest first, and the ended months of those days.
//! - A report reads a queued hour's whole day from the atoms, a clean day from the day rows,
//!   and a whole ended month from the month rows when the month is made and none of its hours
//!   is queued ([`plan`]). So a report is never staler than the atoms, wherever the refresh is.
//! - The rows hold for one k, one rule of adjustment and one offset from UTC
//!   (`report_sums_basis`); a refresh with
//!   other settings empties them and queues every hour again, and a report asked with settings
//!   other than the basis, or for a range that is not whole local days, reads the atoms.

use crate::reports::{AtomTable, ReportError, civil_from_days};
use crate::sql::{Statement, execute_all};
use crate::{Engine, Store, StoreError, with_pool};
use std::collections::BTreeSet;

pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Levels of the sums (the `level` column).
pub(crate) const DISTRICT: i64 = 0;
pub(crate) const VENUE: i64 = 1;
pub(crate) const KIOSK: i64 = 2;
/// Spans (the `span` column).
const DAY: i64 = 0;
const MONTH: i64 = 1;
/// Dirty hours read per refresh (enough to find the days it remakes).
const DIRTY_READ: i64 = 50_000;
/// Ended months remade per refresh: each reads a month of day rows.
const MONTHS_PER_REFRESH: usize = 2;
/// The rule of [`push_adjusted`], recorded with the sums: rows made by an earlier rule (1:
/// only atoms below k adjusted) are remade.
const ADJUSTMENT: i64 = 2;
/// Hours per `VALUES` list when queueing.
const QUEUE_CHUNK: usize = 5_000;

/// A sum table: its name, its dimension columns (after the common key), its value columns,
/// whether it has the all-audiences rows, and whether its kiosk level has them and month
/// rows too.
///
/// A kiosk's day holds a few sessions, so its rows barely shrink when audiences are put
/// together or days into months (at 10 M events: 4.0 M kiosk-day rows of exhibits, 3.3 M of
/// them again with all audiences, 2.2 M kiosk-months): only the sessions' tables have them,
/// for the reports split by kiosk over the whole district. A report on one kiosk reads its
/// day rows, a few thousand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SumTable {
    pub name: &'static str,
    pub dims: &'static [&'static str],
    values: &'static [&'static str],
    totals: bool,
    pub kiosk_rollups: bool,
}

const ADJUSTED: &[&str] = &["adjusted", "sessions"];

/// The sums of an atom table.
pub(crate) fn sums_of(table: AtomTable) -> SumTable {
    let (name, dims): (&'static str, &'static [&'static str]) = match table {
        AtomTable::Sessions => ("sum_sessions", &["length_bucket"]),
        AtomTable::SessionTraits => ("sum_session_traits", &["trait"]),
        AtomTable::Exhibits => ("sum_exhibits", &["exhibit_id", "measure"]),
        AtomTable::Answers => ("sum_answers", &["exhibit_id", "question_id", "outcome"]),
        AtomTable::Placements => ("sum_placements", &["exhibit_id", "item_id", "bin_id"]),
    };
    SumTable {
        name,
        dims,
        values: ADJUSTED,
        totals: true,
        kiosk_rollups: matches!(table, AtomTable::Sessions | AtomTable::SessionTraits),
    }
}

/// The quiz item statistics' sums (read by audience: no all-audiences rows).
pub(crate) const ITEM_STATS: SumTable = SumTable {
    name: "sum_item_stats",
    dims: &["exhibit_id", "question_id"],
    values: &[
        "answered",
        "correct",
        "rest",
        "rest_squares",
        "correct_rest",
    ],
    totals: false,
    kiosk_rollups: false,
};

const ATOM_TABLES: [AtomTable; 5] = [
    AtomTable::Sessions,
    AtomTable::SessionTraits,
    AtomTable::Exhibits,
    AtomTable::Answers,
    AtomTable::Placements,
];

/// What the sums were made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SumsBasis {
    pub k: u32,
    pub utc_offset_ms: i64,
}

/// The local day (days since 1970-01-01) a UTC time falls in.
pub(crate) fn local_day(ms: i64, utc_offset_ms: i64) -> i64 {
    (ms + utc_offset_ms).div_euclid(DAY_MS)
}

/// The UTC time a local day starts.
pub(crate) fn day_start_ms(day: i64, utc_offset_ms: i64) -> i64 {
    day * DAY_MS - utc_offset_ms
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The month a day is in: its first day and the next month's first day.
pub(crate) fn month_of(day: i64) -> (i64, i64) {
    let (year, month, _) = civil_from_days(day);
    let first = days_from_civil(year, month, 1);
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    (first, next)
}

/// Where a report reads a range of whole local days from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// UTC hour ranges (`from..to`) read from the atoms: the days with a queued hour.
    pub hours: Vec<(i64, i64)>,
    /// Day-number ranges read from the day rows.
    pub days: Vec<(i64, i64)>,
    /// First days of the months read from the month rows.
    pub months: Vec<i64>,
}

fn push_range(ranges: &mut Vec<(i64, i64)>, from: i64, to: i64) {
    match ranges.last_mut() {
        Some(last) if last.1 == from => last.1 = to,
        _ => ranges.push((from, to)),
    }
}

/// The plan of the days `first_day..end_day`: a day with a dirty hour from the atoms; a
/// whole month from its month rows when `months` allows (no split by day), it is made
/// (`built`) and none of its days is dirty; every other day from its day rows.
pub(crate) fn plan(
    first_day: i64,
    end_day: i64,
    utc_offset_ms: i64,
    dirty_days: &BTreeSet<i64>,
    built_months: &BTreeSet<i64>,
    months: bool,
) -> Plan {
    let mut plan = Plan::default();
    let mut day = first_day;
    while day < end_day {
        if months {
            let (first, next) = month_of(day);
            if first == day
                && next <= end_day
                && built_months.contains(&first)
                && dirty_days.range(first..next).next().is_none()
            {
                plan.months.push(first);
                day = next;
                continue;
            }
        }
        if dirty_days.contains(&day) {
            push_range(
                &mut plan.hours,
                day_start_ms(day, utc_offset_ms),
                day_start_ms(day + 1, utc_offset_ms),
            );
        } else {
            push_range(&mut plan.days, day, day + 1);
        }
        day += 1;
    }
    plan
}

/// Appends the adjusted value of the atom row `a` (docs/dashboard.md, "Privacy", 2): its
/// `n` sessions rounded to a multiple of k, up when its cell key mod k is below `n mod k`,
/// else down — unbiased random rounding to base k, the same for the same sessions every time.
/// A multiple of k is itself; an atom below k is 0 or k. Every published count is a sum of
/// these, so a multiple of k, and so is any difference of published counts: none can be a
/// count of 1 … k−1.
pub(crate) fn push_adjusted(statement: &mut Statement, k: i64) {
    statement
        .push("(a.sessions - a.sessions % ")
        .bind(k)
        .push(" + CASE WHEN a.record_keys % ")
        .bind(k)
        .push(" < a.sessions % ")
        .bind(k)
        .push(" THEN ")
        .bind(k)
        .push(" ELSE 0 END)");
}

/// The rule of [`push_adjusted`] in Rust (its unit test; the SQL is tested through
/// `tests/reports.rs`).
pub fn adjusted(sessions: u64, record_keys: i64, k: u64) -> u64 {
    let rest = sessions % k;
    let key =
        u64::try_from(record_keys.rem_euclid(i64::try_from(k).unwrap_or(i64::MAX))).unwrap_or(0);
    sessions - rest + if key < rest { k } else { 0 }
}

/// Appends `floor((column + offset) / DAY_MS)`, in SQL both engines compute alike.
pub(crate) fn push_local_day(statement: &mut Statement, column: &str, utc_offset_ms: i64) {
    statement
        .push(&format!("(({column} + "))
        .bind(utc_offset_ms)
        .push(&format!(") - (((({column} + "))
        .bind(utc_offset_ms)
        .push(&format!(
            ") % {DAY_MS}) + {DAY_MS}) % {DAY_MS})) / {DAY_MS}"
        ));
}

/// `INSERT INTO t (level, span, period, venue_id, kiosk_id, audience, language, dims…,
/// values…) `.
fn insert_into(table: SumTable) -> String {
    let mut columns = vec![
        "level", "span", "period", "venue_id", "kiosk_id", "audience", "language",
    ];
    columns.extend(table.dims);
    columns.extend(table.values);
    format!("INSERT INTO {} ({}) ", table.name, columns.join(", "))
}

fn sums_of_values(table: SumTable) -> String {
    table
        .values
        .iter()
        .map(|v| format!("CAST(SUM({v}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kiosk-level day rows of the days `day_from..day_to` of an atom table, from its atoms.
fn kiosk_days_from_atoms(
    table: AtomTable,
    (day_from, day_to): (i64, i64),
    basis: SumsBasis,
) -> Statement {
    let sums = sums_of(table);
    let dims = sums.dims.join(", ");
    let atom_dims = sums
        .dims
        .iter()
        .map(|d| format!("a.{d}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = Statement::new(&insert_into(sums));
    s.push(&format!(
        "SELECT {KIOSK}, {DAY}, d, venue_id, kiosk_id, audience, language, {dims}, \
         CAST(SUM(adj) AS BIGINT), CAST(SUM(n) AS BIGINT) FROM (SELECT "
    ));
    push_local_day(&mut s, "a.hour_start_ms", basis.utc_offset_ms);
    s.push(&format!(
        " AS d, a.venue_id, a.kiosk_id, a.audience, a.language, {atom_dims}, "
    ));
    push_adjusted(&mut s, i64::from(basis.k));
    s.push(&format!(
        " AS adj, a.sessions AS n FROM {} a WHERE a.hour_start_ms >= ",
        table.table_name()
    ));
    s.bind(day_start_ms(day_from, basis.utc_offset_ms))
        .push(" AND a.hour_start_ms < ")
        .bind(day_start_ms(day_to, basis.utc_offset_ms));
    s.push(&format!(
        ") x GROUP BY d, venue_id, kiosk_id, audience, language, {dims}"
    ));
    s
}

/// The kiosk-level day rows of the quiz item statistics, from the sessions' first answers
/// (the rest score: the session's other correct first answers to the same quiz).
fn kiosk_days_of_item_stats((day_from, day_to): (i64, i64), basis: SumsBasis) -> Statement {
    let mut s = Statement::new(&insert_into(ITEM_STATS));
    s.push(
        "WITH answered AS (
             SELECT s.session_id, ",
    );
    push_local_day(&mut s, "s.start_hour_ms", basis.utc_offset_ms);
    s.push(
        " AS d, s.venue_id, s.kiosk_id, s.audience, s.language, a.exhibit_id, a.question_id,
                    a.correct
             FROM sessions s JOIN session_answers a ON a.session_id = s.session_id
             WHERE s.start_hour_ms >= ",
    );
    s.bind(day_start_ms(day_from, basis.utc_offset_ms))
        .push(" AND s.start_hour_ms < ")
        .bind(day_start_ms(day_to, basis.utc_offset_ms));
    s.push(&format!(
        "),
         scored AS (
             SELECT x.d, x.venue_id, x.kiosk_id, x.audience, x.language, x.exhibit_id,
                    x.question_id, x.correct, t.total - x.correct AS rest
             FROM answered x JOIN (SELECT session_id, exhibit_id, SUM(correct) AS total
                                   FROM answered GROUP BY session_id, exhibit_id) t
               ON t.session_id = x.session_id AND t.exhibit_id = x.exhibit_id
         )
         SELECT {KIOSK}, {DAY}, d, venue_id, kiosk_id, audience, language, exhibit_id,
                question_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(correct) AS BIGINT),
                CAST(SUM(rest) AS BIGINT), CAST(SUM(rest * rest) AS BIGINT),
                CAST(SUM(correct * rest) AS BIGINT)
         FROM scored
         GROUP BY d, venue_id, kiosk_id, audience, language, exhibit_id, question_id"
    ));
    s
}

/// The rows of the other levels (and the all-audiences rows) of `span` and the periods
/// `from..to`, each summed from the level below: kiosks → venues → the district.
fn upper_levels(table: SumTable, span: i64, (from, to): (i64, i64)) -> Vec<Statement> {
    let dims = table.dims.join(", ");
    let values = sums_of_values(table);
    let derive =
        |level: i64, venue: &str, kiosk: &str, everyone: bool, from_level: i64, group: &str| {
            let (audience, language, audience_cond) = if everyone {
                ("'*'", "'*'", "audience <> '*'")
            } else {
                ("audience", "language", "audience <> '*'")
            };
            let mut s = Statement::new(&insert_into(table));
            s.push(&format!(
                "SELECT {level}, {span}, period, {venue}, {kiosk}, {audience}, {language}, {dims}, \
             {values} FROM {} WHERE level = {from_level} AND span = {span} AND period >= ",
                table.name
            ));
            s.bind(from).push(" AND period < ").bind(to);
            s.push(&format!(
                " AND {audience_cond} GROUP BY period, {group}{dims}"
            ));
            s
        };
    let mut statements = vec![
        derive(
            VENUE,
            "venue_id",
            "''",
            false,
            KIOSK,
            "venue_id, audience, language, ",
        ),
        derive(DISTRICT, "-1", "''", false, VENUE, "audience, language, "),
    ];
    if table.totals {
        if table.kiosk_rollups {
            statements.push(derive(
                KIOSK,
                "venue_id",
                "kiosk_id",
                true,
                KIOSK,
                "venue_id, kiosk_id, ",
            ));
        }
        statements.extend([
            derive(VENUE, "venue_id", "''", true, VENUE, "venue_id, "),
            derive(DISTRICT, "-1", "''", true, DISTRICT, ""),
        ]);
    }
    statements
}

/// Deletes the rows of every level of `span` and the periods `from..to`.
fn delete_periods(name: &str, span: i64, (from, to): (i64, i64)) -> Statement {
    let mut s = Statement::new(&format!(
        "DELETE FROM {name} WHERE level IN ({DISTRICT}, {VENUE}, {KIOSK}) AND span = {span} \
         AND period >= "
    ));
    s.bind(from).push(" AND period < ").bind(to);
    s
}

/// Every statement that remakes the day rows of the days `range`.
fn remake_days(range: (i64, i64), basis: SumsBasis) -> Vec<Statement> {
    let mut statements = Vec::new();
    for table in ATOM_TABLES {
        let sums = sums_of(table);
        statements.push(delete_periods(sums.name, DAY, range));
        statements.push(kiosk_days_from_atoms(table, range, basis));
        statements.extend(upper_levels(sums, DAY, range));
    }
    statements.push(delete_periods(ITEM_STATS.name, DAY, range));
    statements.push(kiosk_days_of_item_stats(range, basis));
    statements.extend(upper_levels(ITEM_STATS, DAY, range));

    let mut delete = Statement::new("DELETE FROM sum_open_hours WHERE span = 0 AND period >= ");
    delete.bind(range.0).push(" AND period < ").bind(range.1);
    statements.push(delete);
    let mut open = Statement::new(
        "INSERT INTO sum_open_hours (span, period, kiosk_id, venue_id, hours) SELECT 0, d, \
         kiosk_id, venue_id, CAST(COUNT(DISTINCT hour_start_ms) AS BIGINT) FROM (SELECT ",
    );
    push_local_day(&mut open, "hour_start_ms", basis.utc_offset_ms);
    open.push(
        " AS d, kiosk_id, venue_id, hour_start_ms FROM hourly_events
          WHERE event_type = 'kiosk_heartbeat' AND hour_start_ms >= ",
    );
    open.bind(day_start_ms(range.0, basis.utc_offset_ms))
        .push(" AND hour_start_ms < ")
        .bind(day_start_ms(range.1, basis.utc_offset_ms));
    open.push(") x GROUP BY d, kiosk_id, venue_id");
    statements.push(open);

    let mut clean = Statement::new("DELETE FROM report_sums_dirty WHERE hour_start_ms >= ");
    clean
        .bind(day_start_ms(range.0, basis.utc_offset_ms))
        .push(" AND hour_start_ms < ")
        .bind(day_start_ms(range.1, basis.utc_offset_ms));
    statements.push(clean);
    statements
}

/// Every statement that remakes the month rows of the month starting on `first` (ending
/// before `next`) from its day rows, and lists it as made.
fn remake_month((first, next): (i64, i64)) -> Vec<Statement> {
    let mut statements = Vec::new();
    for sums in ATOM_TABLES.map(sums_of).into_iter().chain([ITEM_STATS]) {
        statements.push(delete_periods(sums.name, MONTH, (first, first + 1)));
        let dims = sums.dims.join(", ");
        let levels = if sums.kiosk_rollups {
            format!("{DISTRICT}, {VENUE}, {KIOSK}")
        } else {
            format!("{DISTRICT}, {VENUE}")
        };
        let mut s = Statement::new(&insert_into(sums));
        s.push(&format!("SELECT level, {MONTH}, "));
        s.bind(first);
        s.push(&format!(
            ", venue_id, kiosk_id, audience, language, {dims}, {} FROM {} \
             WHERE level IN ({levels}) AND span = {DAY} AND period >= ",
            sums_of_values(sums),
            sums.name
        ));
        s.bind(first).push(" AND period < ").bind(next);
        s.push(&format!(
            " GROUP BY level, venue_id, kiosk_id, audience, language, {dims}"
        ));
        statements.push(s);
    }
    let mut delete = Statement::new("DELETE FROM sum_open_hours WHERE span = 1 AND period = ");
    delete.bind(first);
    statements.push(delete);
    let mut open = Statement::new(
        "INSERT INTO sum_open_hours (span, period, kiosk_id, venue_id, hours) SELECT 1, ",
    );
    open.bind(first).push(
        ", kiosk_id, venue_id, CAST(SUM(hours) AS BIGINT) FROM sum_open_hours
           WHERE span = 0 AND period >= ",
    );
    open.bind(first).push(" AND period < ").bind(next);
    open.push(" GROUP BY kiosk_id, venue_id");
    statements.push(open);
    let mut made = Statement::new("INSERT INTO report_sums_months (period) VALUES (");
    made.bind(first).push(") ON CONFLICT (period) DO NOTHING");
    statements.push(made);
    statements
}

/// Queues `hours` (UTC hour starts) for their sums to be remade.
pub(crate) fn queue_hours(hours: &BTreeSet<i64>) -> Vec<Statement> {
    let hours: Vec<i64> = hours.iter().copied().collect();
    hours
        .chunks(QUEUE_CHUNK)
        .map(|chunk| {
            let mut s = Statement::new("INSERT INTO report_sums_dirty (hour_start_ms) VALUES ");
            s.rows(chunk, |row, &hour| {
                row.bind(hour);
            });
            s.push(" ON CONFLICT (hour_start_ms) DO NOTHING");
            s
        })
        .collect()
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SumsRefresh {
    /// Local days whose rows were remade.
    pub days: usize,
    /// Ended months whose rows were remade.
    pub months: usize,
    /// The rows were made with other settings: they were emptied and every hour queued.
    pub reset: bool,
    /// Another server holds the roll-up lock (PostgreSQL): nothing was done.
    pub skipped: bool,
}

impl SumsRefresh {
    /// Whether there may be more to do.
    pub fn did_something(&self) -> bool {
        self.days > 0 || self.months > 0 || self.reset
    }
}

/// What a report needs to plan its reads: the basis, the local days in its range with a
/// queued hour, the made months.
#[derive(Debug, Clone, Default)]
pub(crate) struct SumsState {
    pub basis: Option<SumsBasis>,
    pub dirty_days: BTreeSet<i64>,
    pub months: BTreeSet<i64>,
}

impl Store {
    /// The basis of the sums, if any were made.
    pub async fn report_sums_basis(&self) -> Result<Option<SumsBasis>, StoreError> {
        let row: Option<(i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT k, utc_offset_ms FROM report_sums_basis WHERE id = 1 AND adjustment = $1",
            )
            .bind(ADJUSTMENT)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(k, utc_offset_ms)| SumsBasis {
            k: u32::try_from(k).unwrap_or(u32::MAX),
            utc_offset_ms,
        }))
    }

    /// [`SumsState`] for the UTC range `from_ms..to_ms`.
    pub(crate) async fn sums_state(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SumsState, StoreError> {
        let Some(basis) = self.report_sums_basis().await? else {
            return Ok(SumsState::default());
        };
        let (dirty, months): (Vec<i64>, Vec<i64>) = with_pool!(self, |pool| {
            let dirty = sqlx::query_scalar(
                "SELECT hour_start_ms FROM report_sums_dirty
                 WHERE hour_start_ms >= $1 AND hour_start_ms < $2",
            )
            .bind(from_ms)
            .bind(to_ms)
            .fetch_all(pool)
            .await?;
            let months = sqlx::query_scalar("SELECT period FROM report_sums_months")
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((dirty, months))
        })?;
        Ok(SumsState {
            basis: Some(basis),
            dirty_days: dirty
                .into_iter()
                .map(|hour| local_day(hour, basis.utc_offset_ms))
                .collect(),
            months: months.into_iter().collect(),
        })
    }

    /// Remakes the report sums of up to `max_days` local days with queued hours (newest
    /// first) and of up to two ended months (by `now_ms`) whose days changed or that are not
    /// made yet, for `k` and `utc_offset_ms` (the server's `min_sessions` and offset: other
    /// settings than the rows were made with empty them first). Call it after each roll-up
    /// until it does nothing ([`SumsRefresh::did_something`]); most calls find nothing to do
    /// and only read.
    pub async fn refresh_report_sums(
        &self,
        k: u32,
        utc_offset_ms: i64,
        now_ms: i64,
        max_days: usize,
    ) -> Result<SumsRefresh, StoreError> {
        if k == 0 {
            return Err(ReportError::ZeroK.into());
        }
        if utc_offset_ms.abs() > 26 * HOUR_MS {
            return Err(ReportError::Offset.into());
        }
        let basis = SumsBasis { k, utc_offset_ms };
        let today = local_day(now_ms, utc_offset_ms);
        let (this_month, _) = month_of(today);
        let current = self.report_sums_basis().await? == Some(basis);
        // The months to make: ended, with days, not made. Days with data are the district's
        // day rows of sessions (every atom's hour has a session atom).
        let (waiting, unmade): (bool, Vec<i64>) = with_pool!(self, |pool| {
            let waiting: Option<i64> =
                sqlx::query_scalar("SELECT hour_start_ms FROM report_sums_dirty LIMIT 1")
                    .fetch_optional(pool)
                    .await?;
            let days: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT period FROM sum_sessions WHERE level = 0 AND span = 0
                 AND audience = '*' AND period < $1",
            )
            .bind(this_month)
            .fetch_all(pool)
            .await?;
            let made: Vec<i64> = sqlx::query_scalar("SELECT period FROM report_sums_months")
                .fetch_all(pool)
                .await?;
            let made: BTreeSet<i64> = made.into_iter().collect();
            let unmade: BTreeSet<i64> = days
                .into_iter()
                .map(|day| month_of(day).0)
                .filter(|first| !made.contains(first))
                .collect();
            Ok::<_, sqlx::Error>((waiting.is_some(), unmade.into_iter().collect()))
        })?;
        if current && !waiting && unmade.is_empty() {
            return Ok(SumsRefresh::default());
        }

        let engine = self.engine();
        let postgres = engine == Engine::Postgres;
        let max_days = max_days.max(1);
        with_pool!(self, |pool| {
            // Serialized with the roll-up (which queues hours): the same lock (PostgreSQL)
            // or the write lock taken first (SQLite).
            let Some(mut tx) = crate::rollup::serialized_transaction!(pool, postgres) else {
                return Ok(SumsRefresh {
                    skipped: true,
                    ..SumsRefresh::default()
                });
            };
            let mut done = SumsRefresh::default();
            let stored: Option<(i64, i64)> = sqlx::query_as(
                "SELECT k, utc_offset_ms FROM report_sums_basis WHERE id = 1 AND adjustment = $1",
            )
            .bind(ADJUSTMENT)
            .fetch_optional(&mut *tx)
            .await?;
            let mut unmade = unmade;
            if stored != Some((i64::from(k), utc_offset_ms)) {
                let mut reset = Vec::new();
                for sums in ATOM_TABLES.map(sums_of).into_iter().chain([ITEM_STATS]) {
                    reset.push(Statement::new(&format!("DELETE FROM {}", sums.name)));
                }
                for sql in [
                    "DELETE FROM sum_open_hours",
                    "DELETE FROM report_sums_months",
                    // `WHERE 1 = 1`: SQLite would read `ON CONFLICT` after a bare `FROM t`
                    // as a join's `ON`.
                    "INSERT INTO report_sums_dirty (hour_start_ms)
                         SELECT DISTINCT hour_start_ms FROM atom_sessions WHERE 1 = 1
                     ON CONFLICT (hour_start_ms) DO NOTHING",
                    "INSERT INTO report_sums_dirty (hour_start_ms)
                         SELECT DISTINCT hour_start_ms FROM hourly_events
                         WHERE event_type = 'kiosk_heartbeat'
                     ON CONFLICT (hour_start_ms) DO NOTHING",
                    "DELETE FROM report_sums_basis",
                ] {
                    reset.push(Statement::new(sql));
                }
                let mut set = Statement::new(
                    "INSERT INTO report_sums_basis (id, k, utc_offset_ms, adjustment) VALUES (1, ",
                );
                set.bind(i64::from(k))
                    .push(", ")
                    .bind(utc_offset_ms)
                    .push(", ")
                    .bind(ADJUSTMENT)
                    .push(")");
                reset.push(set);
                execute_all!(engine, tx, reset).await?;
                done.reset = true;
                unmade.clear();
            }

            // The days to remake: the newest `max_days` with a queued hour.
            let hours: Vec<i64> = sqlx::query_scalar(
                "SELECT hour_start_ms FROM report_sums_dirty ORDER BY hour_start_ms DESC LIMIT $1",
            )
            .bind(DIRTY_READ)
            .fetch_all(&mut *tx)
            .await?;
            let days: BTreeSet<i64> = hours
                .iter()
                .map(|&hour| local_day(hour, utc_offset_ms))
                .collect::<BTreeSet<i64>>()
                .into_iter()
                .rev()
                .take(max_days)
                .collect();
            let mut ranges: Vec<(i64, i64)> = Vec::new();
            for &day in &days {
                push_range(&mut ranges, day, day + 1);
            }
            for &range in &ranges {
                execute_all!(engine, tx, remake_days(range, basis)).await?;
            }
            done.days = days.len();

            // Ended months: of the days remade, and not made yet.
            let mut months: BTreeSet<(i64, i64)> = days
                .iter()
                .map(|&day| month_of(day))
                .filter(|&(_, next)| next <= today)
                .collect();
            months.extend(unmade.iter().map(|&first| month_of(first)));
            for (first, next) in months {
                if done.months == MONTHS_PER_REFRESH {
                    break;
                }
                let queued: Option<i64> = sqlx::query_scalar(
                    "SELECT hour_start_ms FROM report_sums_dirty
                     WHERE hour_start_ms >= $1 AND hour_start_ms < $2 LIMIT 1",
                )
                .bind(day_start_ms(first, utc_offset_ms))
                .bind(day_start_ms(next, utc_offset_ms))
                .fetch_optional(&mut *tx)
                .await?;
                if queued.is_some() {
                    // Not all its days are remade yet: not read until they are.
                    sqlx::query("DELETE FROM report_sums_months WHERE period = $1")
                        .bind(first)
                        .execute(&mut *tx)
                        .await?;
                    continue;
                }
                execute_all!(engine, tx, remake_month((first, next))).await?;
                done.months += 1;
            }
            tx.commit().await?;
            Ok::<SumsRefresh, StoreError>(done)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_round_to_a_multiple_of_k_and_average_their_count_over_keys() {
        let k = 5;
        for n in 0..40u64 {
            let values: Vec<u64> = (0..k as i64).map(|key| adjusted(n, key, k)).collect();
            for &v in &values {
                assert_eq!(v % k, 0, "{n} → {v}");
                assert!(v == n - n % k || v == n - n % k + k, "{n} → {v}");
            }
            // Over the k residues of a cell key the mean is n exactly: unbiased.
            assert_eq!(values.iter().sum::<u64>(), n * k, "{n}: {values:?}");
            if n.is_multiple_of(k) {
                assert!(values.iter().all(|&v| v == n));
            }
        }
        // Negative keys never occur (31-bit record keys), but would be read mod k.
        assert_eq!(adjusted(3, -1, 5), adjusted(3, 4, 5));
    }

    #[test]
    fn months_run_from_their_first_day_to_the_next_months() {
        // 2026-11-15 is day 20407.
        let day = days_from_civil(2026, 11, 15);
        assert_eq!(civil_from_days(day), (2026, 11, 15));
        let (first, next) = month_of(day);
        assert_eq!(civil_from_days(first), (2026, 11, 1));
        assert_eq!(civil_from_days(next), (2026, 12, 1));
        let (first, next) = month_of(days_from_civil(2026, 12, 31));
        assert_eq!(civil_from_days(first), (2026, 12, 1));
        assert_eq!(civil_from_days(next), (2027, 1, 1));
        assert_eq!(next - first, 31);
        let (first, next) = month_of(days_from_civil(2024, 2, 29));
        assert_eq!(next - first, 29);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn local_days_follow_the_offset() {
        let offset = 8 * HOUR_MS;
        // 2026-11-30 16:00 UTC is 2026-12-01 00:00 in UTC+8.
        let utc = days_from_civil(2026, 11, 30) * DAY_MS + 16 * HOUR_MS;
        assert_eq!(local_day(utc, offset), days_from_civil(2026, 12, 1));
        assert_eq!(local_day(utc - 1, offset), days_from_civil(2026, 11, 30));
        assert_eq!(day_start_ms(local_day(utc, offset), offset), utc);
        assert_eq!(local_day(-1, 0), -1);
    }

    #[test]
    fn a_plan_reads_dirty_days_from_atoms_and_whole_made_months_from_month_rows() {
        let offset = 8 * HOUR_MS;
        let oct1 = days_from_civil(2026, 10, 1);
        let nov1 = days_from_civil(2026, 11, 1);
        let dec1 = days_from_civil(2026, 12, 1);
        let sep20 = days_from_civil(2026, 9, 20);
        let built: BTreeSet<i64> = [oct1, nov1].into();
        let dirty: BTreeSet<i64> = [sep20 + 3, dec1 - 1].into();
        let p = plan(sep20, dec1 + 2, offset, &dirty, &built, true);
        // October whole and clean: its month rows; November has a dirty day: its days.
        assert_eq!(p.months, [oct1]);
        assert_eq!(
            p.days,
            [
                (sep20, sep20 + 3),
                (sep20 + 4, oct1),
                (nov1, dec1 - 1),
                (dec1, dec1 + 2)
            ]
        );
        assert_eq!(
            p.hours,
            [
                (
                    day_start_ms(sep20 + 3, offset),
                    day_start_ms(sep20 + 4, offset)
                ),
                (day_start_ms(dec1 - 1, offset), day_start_ms(dec1, offset)),
            ]
        );
        // Split by day: no month rows.
        let p = plan(sep20, dec1 + 2, offset, &dirty, &built, false);
        assert!(p.months.is_empty());
        assert_eq!(p.days.first(), Some(&(sep20, sep20 + 3)));
        assert_eq!(p.days.last(), Some(&(dec1, dec1 + 2)));
        // A month not made: its days.
        let p = plan(oct1, nov1, offset, &BTreeSet::new(), &BTreeSet::new(), true);
        assert_eq!(p.days, [(oct1, nov1)]);
        assert!(p.months.is_empty() && p.hours.is_empty());
        // An empty range reads nothing.
        assert_eq!(
            plan(oct1, oct1, offset, &dirty, &built, true),
            Plan::default()
        );
    }
}
