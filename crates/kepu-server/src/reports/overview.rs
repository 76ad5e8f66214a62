//! `/dashboard/overview`: sessions per day beside the previous period, the hour-of-week
//! heatmap, session length, one-touch share, exhibits opened per session, languages,
//! accessibility modes and "I am a..." answers.

use super::input::{AtomSum, Count, DurationHistogram};
use super::measures::{MEDIAN, P90};
use super::suppress::{Comparison, CountTable, Published, Shown, ShownTable, Suppression};
use super::{Label, Names, ReportError, by_key, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// One period's rows (the filter's, or the previous period of the same length).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverviewPeriod {
    /// The period's days (`YYYY-MM-DD` in the district's time zone), in order: days without
    /// sessions are listed with 0.
    pub days: Vec<String>,
    /// Sessions per day: group `[day]`, each day one of `days`.
    pub sessions_per_day: Vec<AtomSum>,
    /// Sessions per hour of the week: group `[hour]`, `"0"` (Monday 00:00-01:00, local time)
    /// to `"167"` (Sunday 23:00-24:00), as the store's `Group::HourOfWeek` gives it.
    pub hour_of_week: Vec<AtomSum>,
    /// Session lengths (`session_end.duration_ms`).
    pub session_length: DurationHistogram,
    /// One-touch sessions (ended without opening anything past the first screen).
    pub one_touch: Count,
    /// Sessions by the number of exhibits they opened: group `[n]`, `n` a whole number
    /// (`"0"`, `"1"`, ...), or one label for the open-ended last class (e.g. `"10+"`), which
    /// is listed last.
    pub exhibits_per_session: Vec<AtomSum>,
    /// Sessions by language (the one they ended with): group `[language]`.
    pub languages: Vec<AtomSum>,
    /// Sessions that used an accessibility mode: group `[mode]`. A session may use several,
    /// so these do not add up to the sessions.
    pub accessibility: Vec<AtomSum>,
    /// Sessions by "I am a..." answer: group `[audience]` (`skipped`; `""` for no answer).
    pub audiences: Vec<AtomSum>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverviewInput {
    pub current: OverviewPeriod,
    pub previous: OverviewPeriod,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OverviewReport {
    /// All sessions of the period (the total of the per-day table).
    pub sessions: Comparison<u64>,
    /// Day `i` of the period beside day `i` of the previous period.
    pub sessions_per_day: Vec<DayRow>,
    /// Rows: weekdays Monday to Sunday (`"1"`..`"7"`); columns: hours `"0"`..`"23"`; with
    /// row and column totals. This period only.
    pub hour_of_week: ShownTable,
    pub session_length_median_ms: Comparison<f64>,
    pub session_length_p90_ms: Comparison<f64>,
    pub one_touch_share: Comparison<f64>,
    pub exhibits_per_session: Distribution,
    pub languages: Distribution,
    /// Shares of all sessions; a session may use several modes.
    pub accessibility_modes: Distribution,
    pub audiences: Distribution,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DayRow {
    pub day: String,
    /// The day of the previous period at the same place (absent past its end).
    pub previous_day: Option<String>,
    pub sessions: Comparison<u64>,
}

/// Sessions by one key, each with its share of `total`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Distribution {
    pub rows: Vec<DistributionRow>,
    pub total: Comparison<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DistributionRow {
    pub label: Label,
    pub sessions: Comparison<u64>,
    pub share: Comparison<f64>,
}

/// The overview page.
pub fn overview(
    privacy: &Suppression,
    input: &OverviewInput,
    names: &dyn Names,
) -> Result<Published<OverviewReport>, ReportError> {
    let (current, previous) = (&input.current, &input.previous);
    let (days, day_total) = per_day(privacy, current)?;
    let (previous_days, previous_total) = per_day(privacy, previous)?;
    let sessions_per_day = current
        .days
        .iter()
        .enumerate()
        .map(|(i, day)| DayRow {
            day: day.clone(),
            previous_day: previous.days.get(i).cloned(),
            sessions: privacy.compare(
                days[i],
                previous_days.get(i).copied().unwrap_or(Shown::empty()),
            ),
        })
        .collect();
    let sessions_current = sum_counts(&current.sessions_per_day);
    let sessions_previous = sum_counts(&previous.sessions_per_day);
    let quantile = |p| {
        privacy.compare(
            privacy.quantile(&current.session_length, p),
            privacy.quantile(&previous.session_length, p),
        )
    };
    let report = OverviewReport {
        sessions: privacy.compare(day_total, previous_total),
        sessions_per_day,
        hour_of_week: hour_of_week(privacy, &current.hour_of_week)?,
        session_length_median_ms: quantile(MEDIAN),
        session_length_p90_ms: quantile(P90),
        one_touch_share: privacy.compare(
            privacy.share(current.one_touch, sessions_current),
            privacy.share(previous.one_touch, sessions_previous),
        ),
        exhibits_per_session: distribution(
            privacy,
            "exhibits per session",
            &current.exhibits_per_session,
            &previous.exhibits_per_session,
            &|key| Label::new(key, None),
            Order::Numeric,
        )?,
        languages: distribution(
            privacy,
            "languages",
            &current.languages,
            &previous.languages,
            &|key| Label::new(key, names.language(key)),
            Order::Key,
        )?,
        accessibility_modes: overlapping(
            privacy,
            "accessibility modes",
            (&current.accessibility, sessions_current),
            (&previous.accessibility, sessions_previous),
            &|key| Label::new(key, names.accessibility_mode(key)),
        )?,
        audiences: distribution(
            privacy,
            "audiences",
            &current.audiences,
            &previous.audiences,
            &|key| Label::new(key, names.audience(key)),
            Order::Key,
        )?,
    };
    Ok(privacy.publish(report))
}

fn sum_counts(atoms: &[AtomSum]) -> Count {
    atoms.iter().map(AtomSum::count).sum()
}

/// The per-day table of a period (days × 1, with its total, pinned like every table of all
/// sessions on the page): each day's shown count and the shown total.
fn per_day(
    privacy: &Suppression,
    period: &OverviewPeriod,
) -> Result<(Vec<Shown<u64>>, Shown<u64>), ReportError> {
    let sums = by_key("sessions per day", &period.sessions_per_day)?;
    if let Some(day) = sums.keys().find(|d| !period.days.contains(d)) {
        return Err(ReportError::UnknownKey {
            what: "sessions per day",
            key: day.clone(),
            among: "days",
        });
    }
    let rows = period
        .days
        .iter()
        .map(|day| {
            (
                Label::new(day, None),
                sums.get(day).copied().unwrap_or_default(),
            )
        })
        .collect();
    let table = privacy.table(
        &CountTable::list(rows, Label::new("sessions", None))
            .with_column_totals()
            .with_pinned_total(),
    );
    let days = table.cells.iter().map(|row| row[0]).collect();
    let total = table.total.unwrap_or(Shown::empty());
    Ok((days, total))
}

/// The 7 × 24 heatmap with weekday and hour totals; its grand total is the period's sessions,
/// shown on the page already: pinned.
fn hour_of_week(privacy: &Suppression, atoms: &[AtomSum]) -> Result<ShownTable, ReportError> {
    const WHAT: &str = "hour of week";
    let mut cells = vec![vec![Count::ZERO; 24]; 7];
    for atom in atoms {
        let [hour] = group_of::<1>(WHAT, &atom.group)?;
        let hour = parse_in(WHAT, hour, 0..=167, "an hour of the week 0..167")?;
        let (day, hour) = (hour / 24, hour % 24);
        cells[day][hour] = cells[day][hour] + atom.count();
    }
    let rows = (1..=7).map(|d| Label::new(&d.to_string(), None)).collect();
    let columns = (0..24).map(|h| Label::new(&h.to_string(), None)).collect();
    let table = CountTable::new(WHAT, rows, columns, cells)?
        .with_row_totals()
        .with_column_totals()
        .with_pinned_total();
    Ok(privacy.table(&table))
}

fn parse_in(
    what: &'static str,
    text: &str,
    range: std::ops::RangeInclusive<usize>,
    expected: &'static str,
) -> Result<usize, ReportError> {
    text.parse::<usize>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| ReportError::BadKey {
            what,
            value: text.to_owned(),
            expected,
        })
}

/// How a distribution's rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// By key.
    Key,
    /// Whole numbers in order, anything else after them by key.
    Numeric,
}

fn ordered(keys: impl Iterator<Item = String>, order: Order) -> Vec<String> {
    let mut keys: Vec<String> = keys.collect();
    keys.sort_by(|a, b| match order {
        Order::Key => a.cmp(b),
        Order::Numeric => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
            (Err(_), Err(_)) => a.cmp(b),
        },
    });
    keys.dedup();
    keys
}

/// A distribution whose rows partition the sessions (each session in one row): per period a
/// one-column table with its total, suppressed as a table, and each row's share of the shown
/// total. The total is the period's sessions, shown on the page already: pinned.
fn distribution(
    privacy: &Suppression,
    what: &'static str,
    current: &[AtomSum],
    previous: &[AtomSum],
    label: &dyn Fn(&str) -> Label,
    order: Order,
) -> Result<Distribution, ReportError> {
    let current = by_key(what, current)?;
    let previous = by_key(what, previous)?;
    let keys = ordered(current.keys().chain(previous.keys()).cloned(), order);
    let shown = |sums: &BTreeMap<String, Count>| {
        let rows = keys
            .iter()
            .map(|k| (label(k), sums.get(k).copied().unwrap_or_default()))
            .collect();
        privacy.table(
            &CountTable::list(rows, Label::new("sessions", None))
                .with_column_totals()
                .with_pinned_total(),
        )
    };
    let (now, before) = (shown(&current), shown(&previous));
    let total_now = now.total.unwrap_or(Shown::empty());
    let total_before = before.total.unwrap_or(Shown::empty());
    let rows = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let (c, p) = (now.cells[i][0], before.cells[i][0]);
            DistributionRow {
                label: label(key),
                sessions: privacy.compare(c, p),
                share: privacy.compare(
                    privacy.share_of(c, total_now),
                    privacy.share_of(p, total_before),
                ),
            }
        })
        .collect();
    Ok(Distribution {
        rows,
        total: privacy.compare(total_now, total_before),
    })
}

/// A distribution whose rows overlap (a session may be in several): each row a count and a
/// share of all sessions, under the rules for counts and shares.
fn overlapping(
    privacy: &Suppression,
    what: &'static str,
    (current, sessions_now): (&[AtomSum], Count),
    (previous, sessions_before): (&[AtomSum], Count),
    label: &dyn Fn(&str) -> Label,
) -> Result<Distribution, ReportError> {
    let current = by_key(what, current)?;
    let previous = by_key(what, previous)?;
    let keys = ordered(current.keys().chain(previous.keys()).cloned(), Order::Key);
    let rows = keys
        .iter()
        .map(|key| {
            let c = current.get(key).copied().unwrap_or_default();
            let p = previous.get(key).copied().unwrap_or_default();
            DistributionRow {
                label: label(key),
                sessions: privacy.compare(privacy.count(c), privacy.count(p)),
                share: privacy.compare(
                    privacy.share(c, sessions_now),
                    privacy.share(p, sessions_before),
                ),
            }
        })
        .collect();
    Ok(Distribution {
        rows,
        total: privacy.compare(privacy.count(sessions_now), privacy.count(sessions_before)),
    })
}

#[cfg(test)]
mod tests;
