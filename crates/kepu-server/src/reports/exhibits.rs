//! `/dashboard/exhibits` and `/dashboard/exhibits/{id}`: per exhibit opens, attraction, dwell
//! (median, p90, survival curve), holding power, completion, entry and exit shares; per kiosk
//! sessions, diligent sessions and sessions per open hour.

use super::input::{AtomSum, Count, DurationHistogram};
use super::measures::{MEDIAN, P90};
use super::suppress::{
    Comparison, CountTable, Published, Shown, ShownTable, Suppression, SurvivalPoint,
};
use super::{Label, Names, ReportError, by_key, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One period's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExhibitsPeriod {
    /// All sessions of the period (the base of attraction).
    pub sessions: Count,
    /// Sessions that opened the exhibit: group `[exhibit]`.
    pub opens: Vec<AtomSum>,
    /// Sessions that completed it (read to the end, finished the quiz, ...): group `[exhibit]`.
    pub completions: Vec<AtomSum>,
    /// Sessions whose first exhibit it was: group `[exhibit]`. These partition the sessions
    /// that opened an exhibit, and are suppressed as one table.
    pub entries: Vec<AtomSum>,
    /// Sessions whose last exhibit it was: group `[exhibit]` (a partition, as `entries`).
    pub exits: Vec<AtomSum>,
    /// Dwell per exhibit (one duration per session: its dwell there): group `[exhibit]`.
    pub dwell: Vec<DurationHistogram>,
    /// Sessions per kiosk: group `[kiosk]` (a partition of the sessions).
    pub kiosk_sessions: Vec<AtomSum>,
    /// Diligent sessions per kiosk: group `[kiosk]`.
    pub kiosk_diligent: Vec<AtomSum>,
    /// Hours each kiosk was open in the period: the kiosks' own data, not adjusted.
    pub open_hours: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExhibitsInput {
    /// The exhibits to list, in order (the published content). Exhibits that only the data
    /// names are listed after them, by id.
    pub exhibits: Vec<String>,
    /// Each exhibit's intended length (the time it takes to see it through), for holding
    /// power.
    pub intended_ms: BTreeMap<String, u64>,
    /// Exhibits with no end to reach (simulations): their completion is empty, not 0 %.
    pub without_completion: BTreeSet<String>,
    pub current: ExhibitsPeriod,
    pub previous: ExhibitsPeriod,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExhibitsReport {
    pub sessions: Comparison<u64>,
    pub exhibits: Vec<ExhibitRow>,
    pub kiosks: Vec<KioskRow>,
    /// The entry counts as suppressed (this period), for the CSV download.
    pub entries: ShownTable,
    /// The exit counts as suppressed (this period), for the CSV download.
    pub exits: ShownTable,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExhibitRow {
    pub exhibit: Label,
    /// Sessions that opened it.
    pub opens: Comparison<u64>,
    /// Opens ÷ all sessions.
    pub attraction: Comparison<f64>,
    pub dwell_median_ms: Comparison<f64>,
    pub dwell_p90_ms: Comparison<f64>,
    /// Share of the sessions that opened it still there at each bucket bound (this period).
    pub survival: Vec<SurvivalPoint>,
    /// Median dwell ÷ intended length.
    pub holding_power: Comparison<f64>,
    /// Completions ÷ opens.
    pub completion: Comparison<f64>,
    /// Its share of the sessions' first exhibits.
    pub entry_share: Comparison<f64>,
    /// Its share of the sessions' last exhibits.
    pub exit_share: Comparison<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct KioskRow {
    pub kiosk: Label,
    pub sessions: Comparison<u64>,
    /// Diligent sessions ÷ the kiosk's sessions.
    pub diligent_share: Comparison<f64>,
    /// The kiosk's shown sessions ÷ its open hours.
    pub sessions_per_open_hour: Comparison<f64>,
    /// Machine data, not about visitors: shown as it is.
    pub open_hours: f64,
    pub previous_open_hours: f64,
}

/// The exhibits page.
pub fn exhibits(
    privacy: &Suppression,
    input: &ExhibitsInput,
    names: &dyn Names,
) -> Result<Published<ExhibitsReport>, ReportError> {
    let (now, before) = (Period::of(&input.current)?, Period::of(&input.previous)?);
    let mut extra = BTreeSet::new();
    for period in [&now, &before] {
        extra.extend(
            period
                .exhibit_keys()
                .filter(|id| !input.exhibits.contains(id))
                .cloned(),
        );
    }
    let ids: Vec<String> = input.exhibits.iter().cloned().chain(extra).collect();
    let label = |id: &str| Label::new(id, names.exhibit(id));
    let partition = |sums: &BTreeMap<String, Count>| {
        let rows = ids
            .iter()
            .map(|id| (label(id), sums.get(id).copied().unwrap_or_default()))
            .collect();
        privacy.table(&CountTable::list(rows, Label::new("sessions", None)).with_column_totals())
    };
    let (entries_now, entries_before) = (partition(&now.entries), partition(&before.entries));
    let (exits_now, exits_before) = (partition(&now.exits), partition(&before.exits));
    let share_in = |table: &ShownTable, i: usize| {
        privacy.share_of(table.cells[i][0], table.total.unwrap_or(Shown::empty()))
    };

    let exhibits = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let intended = input.intended_ms.get(id).copied();
            let figures = |p: &Period| {
                let opens = p.opens.get(id).copied().unwrap_or_default();
                let completions = p.completions.get(id).copied().unwrap_or_default();
                let dwell = p.dwell.get(id);
                let quantile = |q| dwell.map_or(Shown::empty(), |h| privacy.quantile(h, q));
                let median = quantile(MEDIAN);
                Figures {
                    opens: privacy.count(opens),
                    attraction: privacy.share(opens, p.sessions),
                    median,
                    p90: quantile(P90),
                    holding_power: privacy.holding_power(median, intended),
                    completion: if input.without_completion.contains(id) {
                        Shown::empty()
                    } else {
                        privacy.share(completions, opens)
                    },
                }
            };
            let (c, p) = (figures(&now), figures(&before));
            ExhibitRow {
                exhibit: label(id),
                opens: privacy.compare(c.opens, p.opens),
                attraction: privacy.compare(c.attraction, p.attraction),
                dwell_median_ms: privacy.compare(c.median, p.median),
                dwell_p90_ms: privacy.compare(c.p90, p.p90),
                survival: now
                    .dwell
                    .get(id)
                    .map(|h| privacy.survival(h))
                    .unwrap_or_else(|| {
                        privacy.survival(&DurationHistogram::empty(std::slice::from_ref(id)))
                    }),
                holding_power: privacy.compare(c.holding_power, p.holding_power),
                completion: privacy.compare(c.completion, p.completion),
                entry_share: privacy
                    .compare(share_in(&entries_now, i), share_in(&entries_before, i)),
                exit_share: privacy.compare(share_in(&exits_now, i), share_in(&exits_before, i)),
            }
        })
        .collect();

    let kiosks = kiosks(privacy, input, &now, &before, names);
    let report = ExhibitsReport {
        sessions: privacy.compare(
            privacy.count(input.current.sessions),
            privacy.count(input.previous.sessions),
        ),
        exhibits,
        kiosks,
        entries: entries_now,
        exits: exits_now,
    };
    Ok(privacy.publish(report))
}

/// One period's figures of one exhibit, before pairing with the other period's.
struct Figures {
    opens: Shown<u64>,
    attraction: Shown<f64>,
    median: Shown<f64>,
    p90: Shown<f64>,
    holding_power: Shown<f64>,
    completion: Shown<f64>,
}

/// One period's rows, summed by key.
struct Period {
    sessions: Count,
    opens: BTreeMap<String, Count>,
    completions: BTreeMap<String, Count>,
    entries: BTreeMap<String, Count>,
    exits: BTreeMap<String, Count>,
    dwell: BTreeMap<String, DurationHistogram>,
    kiosk_sessions: BTreeMap<String, Count>,
    kiosk_diligent: BTreeMap<String, Count>,
}

impl Period {
    fn of(period: &ExhibitsPeriod) -> Result<Self, ReportError> {
        let mut dwell: BTreeMap<String, DurationHistogram> = BTreeMap::new();
        for histogram in &period.dwell {
            let [id] = group_of::<1>("dwell", &histogram.group)?;
            dwell
                .entry(id.to_owned())
                .or_insert_with(|| DurationHistogram::empty(&histogram.group))
                .merge(histogram);
        }
        Ok(Self {
            sessions: period.sessions,
            opens: by_key("opens", &period.opens)?,
            completions: by_key("completions", &period.completions)?,
            entries: by_key("entries", &period.entries)?,
            exits: by_key("exits", &period.exits)?,
            dwell,
            kiosk_sessions: by_key("kiosk sessions", &period.kiosk_sessions)?,
            kiosk_diligent: by_key("diligent sessions", &period.kiosk_diligent)?,
        })
    }

    fn exhibit_keys(&self) -> impl Iterator<Item = &String> {
        self.opens
            .keys()
            .chain(self.completions.keys())
            .chain(self.entries.keys())
            .chain(self.exits.keys())
            .chain(self.dwell.keys())
    }
}

/// Per kiosk: the sessions as one table (kiosks partition the sessions), diligent share, and
/// sessions per open hour from the shown count.
fn kiosks(
    privacy: &Suppression,
    input: &ExhibitsInput,
    now: &Period,
    before: &Period,
    names: &dyn Names,
) -> Vec<KioskRow> {
    let ids: BTreeSet<&String> = now
        .kiosk_sessions
        .keys()
        .chain(before.kiosk_sessions.keys())
        .chain(now.kiosk_diligent.keys())
        .chain(before.kiosk_diligent.keys())
        .chain(input.current.open_hours.keys())
        .chain(input.previous.open_hours.keys())
        .collect();
    let ids: Vec<&String> = ids.into_iter().collect();
    let label = |id: &str| Label::new(id, names.kiosk(id));
    let table = |p: &Period| {
        let rows = ids
            .iter()
            .map(|id| {
                (
                    label(id),
                    p.kiosk_sessions.get(*id).copied().unwrap_or_default(),
                )
            })
            .collect();
        // The total is all sessions, shown at the top of the page.
        privacy.table(
            &CountTable::list(rows, Label::new("sessions", None))
                .with_column_totals()
                .with_pinned_total(),
        )
    };
    let (sessions_now, sessions_before) = (table(now), table(before));
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let hours_now = input.current.open_hours.get(*id).copied().unwrap_or(0.0);
            let hours_before = input.previous.open_hours.get(*id).copied().unwrap_or(0.0);
            let diligent = |p: &Period| {
                privacy.share(
                    p.kiosk_diligent.get(*id).copied().unwrap_or_default(),
                    p.kiosk_sessions.get(*id).copied().unwrap_or_default(),
                )
            };
            let (c, p) = (sessions_now.cells[i][0], sessions_before.cells[i][0]);
            KioskRow {
                kiosk: label(id),
                sessions: privacy.compare(c, p),
                diligent_share: privacy.compare(diligent(now), diligent(before)),
                sessions_per_open_hour: privacy.compare(
                    privacy.per_hour(c, hours_now),
                    privacy.per_hour(p, hours_before),
                ),
                open_hours: hours_now,
                previous_open_hours: hours_before,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
