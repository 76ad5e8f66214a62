//! `/dashboard/funnel`: how many visitor sessions get how far, per venue — a session, an
//! exhibit opened, a quiz started, a quiz completed — beside the previous period, with each
//! step's share of the step before. The kiosks' hours on show (from their heartbeats) stand
//! before the first step: the attract screen's reach, which is about machines, not visitors.
//!
//! Every step counts distinct sessions (session traits), so each step is a subset of the one
//! before; a step's share of the previous step is hidden when either side, or their
//! difference, rests on 1..k−1 sessions.

use super::input::{AtomSum, Count};
use super::suppress::{Comparison, Published, Shown, Suppression};
use super::{Label, ReportError, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The steps, in order, by their keys in the input.
pub const STEPS: [&str; 4] = [
    "sessions",
    "opened_exhibit",
    "quiz_started",
    "quiz_completed",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelPeriod {
    /// Sessions per venue and step: group `[venue, step]`, a step one of [`STEPS`].
    pub steps: Vec<AtomSum>,
    /// Hours the venue's kiosks were on show (kiosk-hours with a heartbeat): machine data.
    pub open_hours: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelInput {
    /// The venues: (key as in `steps`, name), in order.
    pub venues: Vec<(String, String)>,
    pub current: FunnelPeriod,
    pub previous: FunnelPeriod,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FunnelReport {
    /// All venues together first, then each venue.
    pub venues: Vec<VenueFunnel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VenueFunnel {
    pub venue: Label,
    /// Kiosk-hours on show in the period (not adjusted: machine data).
    pub open_hours: f64,
    pub steps: Vec<FunnelStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FunnelStep {
    /// One of [`STEPS`].
    pub step: String,
    pub sessions: Comparison<u64>,
    /// This step's sessions ÷ the previous step's (empty for the first).
    pub of_previous: Comparison<f64>,
}

/// The key of "all venues".
pub const ALL: &str = "*";

pub fn funnel(
    privacy: &Suppression,
    input: &FunnelInput,
) -> Result<Published<FunnelReport>, ReportError> {
    let sums = |period: &FunnelPeriod| -> Result<BTreeMap<(String, String), Count>, ReportError> {
        let mut sums: BTreeMap<(String, String), Count> = BTreeMap::new();
        for atom in &period.steps {
            let [venue, step] = group_of::<2>("funnel", &atom.group)?;
            if !STEPS.contains(&step) {
                return Err(ReportError::UnknownKey {
                    what: "funnel",
                    key: step.to_owned(),
                    among: "funnel steps",
                });
            }
            for key in [venue, ALL] {
                let sum = sums.entry((key.to_owned(), step.to_owned())).or_default();
                *sum = *sum + atom.count();
            }
        }
        Ok(sums)
    };
    let (now, before) = (sums(&input.current)?, sums(&input.previous)?);
    let mut venues = vec![(ALL.to_owned(), String::new())];
    venues.extend(input.venues.iter().cloned());
    let hours = |period: &FunnelPeriod, venue: &str| -> f64 {
        if venue == ALL {
            period.open_hours.values().sum()
        } else {
            period.open_hours.get(venue).copied().unwrap_or(0.0)
        }
    };
    let report = FunnelReport {
        venues: venues
            .into_iter()
            .map(|(key, name)| {
                let count = |sums: &BTreeMap<(String, String), Count>, step: &str| {
                    sums.get(&(key.clone(), step.to_owned()))
                        .copied()
                        .unwrap_or_default()
                };
                let steps = STEPS
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let share = |sums: &BTreeMap<(String, String), Count>| {
                            if i == 0 {
                                Shown::empty()
                            } else {
                                privacy.share(count(sums, step), count(sums, STEPS[i - 1]))
                            }
                        };
                        FunnelStep {
                            step: (*step).to_owned(),
                            sessions: privacy.compare(
                                privacy.count(count(&now, step)),
                                privacy.count(count(&before, step)),
                            ),
                            of_previous: privacy.compare(share(&now), share(&before)),
                        }
                    })
                    .collect();
                VenueFunnel {
                    venue: Label::new(&key, (key != ALL).then_some(name)),
                    open_hours: hours(&input.current, &key),
                    steps,
                }
            })
            .collect(),
    };
    Ok(privacy.publish(report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::reports::{MinSessions, Reading};

    fn input() -> FunnelInput {
        let steps = |rows: &[(&str, &str, u64)]| {
            rows.iter()
                .map(|(venue, step, n)| AtomSum::new(&[venue, step], *n, *n))
                .collect()
        };
        FunnelInput {
            venues: vec![("1".into(), "North".into()), ("2".into(), "South".into())],
            current: FunnelPeriod {
                steps: steps(&[
                    ("1", "sessions", 100),
                    ("1", "opened_exhibit", 80),
                    ("1", "quiz_started", 40),
                    ("1", "quiz_completed", 30),
                    ("2", "sessions", 50),
                    ("2", "opened_exhibit", 48),
                    ("2", "quiz_started", 10),
                    ("2", "quiz_completed", 9),
                ]),
                open_hours: BTreeMap::from([("1".into(), 70.0), ("2".into(), 30.0)]),
            },
            previous: FunnelPeriod::default(),
        }
    }

    #[test]
    fn each_step_is_a_share_of_the_one_before_and_all_venues_come_first() {
        let privacy = Suppression::new(MinSessions::default());
        let report = funnel(&privacy, &input()).unwrap().into_inner();
        let all = &report.venues[0];
        assert_eq!(all.venue.key, ALL);
        assert_eq!(all.open_hours, 100.0);
        // All: 150 → 128 → 50 → 39.
        let values: Vec<Option<u64>> = all
            .steps
            .iter()
            .map(|s| s.sessions.current.value())
            .collect();
        assert_eq!(values, [Some(150), Some(128), Some(50), Some(39)]);
        assert_eq!(all.steps[0].of_previous.current.read(), Reading::Empty);
        assert_eq!(
            all.steps[2].of_previous.current.read(),
            Reading::Value(50.0 / 128.0)
        );
        let north = &report.venues[1];
        assert_eq!(north.venue.text, "North");
        assert_eq!(
            north.steps[1].of_previous.current.read(),
            Reading::Value(0.8)
        );
    }

    #[test]
    fn a_share_that_would_give_away_a_small_rest_is_hidden() {
        // South: 48 of 50 opened an exhibit: the rest, 2, is below k.
        let privacy = Suppression::new(MinSessions::default());
        let report = funnel(&privacy, &input()).unwrap().into_inner();
        let south = &report.venues[2];
        assert!(south.steps[1].of_previous.current.is_suppressed());
        assert!(
            south.steps[3].of_previous.current.is_suppressed(),
            "9 of 10: a rest of 1"
        );
        assert_eq!(south.steps[1].sessions.current.value(), Some(48));
    }

    #[test]
    fn an_unknown_step_is_refused() {
        let mut bad = input();
        bad.current
            .steps
            .push(AtomSum::new(&["1", "bought_a_ticket"], 5, 5));
        let privacy = Suppression::new(MinSessions::default());
        assert!(matches!(
            funnel(&privacy, &bad),
            Err(ReportError::UnknownKey { .. })
        ));
    }
}
