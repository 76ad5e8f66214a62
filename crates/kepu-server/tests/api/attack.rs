//! The differencing attack of docs/dashboard.md ("Privacy") as an attacker runs it on one
//! measure: its published totals per venue (or all venues) and day range, every difference
//! of them that isolates one venue-day, each estimate held against the true count of that
//! venue-day. The caller reads the totals through the real JSON reports and keeps the truth
//! from the events it generated.

use std::collections::BTreeMap;

/// A venue (an index into the test's venues), or all venues together (`None`).
pub type Venue = Option<usize>;

/// A measure's true count per (venue, day).
pub type Truth = BTreeMap<(usize, i64), u64>;

/// A measure's published totals: (venue, first day, last day) → the value shown, `None` where
/// it is suppressed (or, for a measure the attacker derives from two, where either is).
pub type Totals = BTreeMap<(Venue, i64, i64), Option<i64>>;

/// The grid the test generated: `venues` venues, days `0..days`, and k.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    pub venues: usize,
    pub days: i64,
    pub k: u64,
}

/// What an attack on one measure did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attacked {
    /// Venue-days of a true count in 1..k−1 that at least one estimate was made of.
    pub targets: usize,
    /// Estimates made of such venue-days.
    pub estimates: usize,
}

/// Every day range `first..=last` of `0..days`.
pub fn all_ranges(days: i64) -> Vec<(i64, i64)> {
    (0..days)
        .flat_map(|first| (first..days).map(move |last| (first, last)))
        .collect()
}

/// `a − b` wherever both are published: a measure the attacker derives (e.g. all sessions
/// less those that opened an exhibit).
pub fn difference(a: &Totals, b: &Totals) -> Totals {
    a.iter()
        .filter_map(|(key, x)| {
            let y = b.get(key)?;
            Some((*key, x.zip(*y).map(|(x, y)| x - y)))
        })
        .collect()
}

/// `a − b` per venue-day: the truth of a derived measure.
pub fn truth_difference(a: &Truth, b: &Truth) -> Truth {
    a.iter()
        .map(|(key, x)| (*key, x - b.get(key).copied().unwrap_or(0)))
        .collect()
}

impl Grid {
    fn small(&self, count: u64) -> bool {
        (1..self.k).contains(&count)
    }

    /// The true count of a venue (or all) over `first..=last`.
    pub fn true_total(&self, truth: &Truth, venue: Venue, first: i64, last: i64) -> u64 {
        let venues: Vec<usize> = venue.map_or_else(|| (0..self.venues).collect(), |v| vec![v]);
        (first..=last)
            .flat_map(|d| venues.iter().map(move |v| (*v, d)))
            .map(|key| truth.get(&key).copied().unwrap_or(0))
            .sum()
    }

    /// No published total whose true count is 1..k−1 is shown. Returns how many of those
    /// small totals there were (all of them hidden).
    pub fn shows_no_small_total(&self, kind: &str, totals: &Totals, truth: &Truth) -> usize {
        let mut small = 0;
        for (&(venue, first, last), shown) in totals {
            let true_count = self.true_total(truth, venue, first, last);
            if self.small(true_count) {
                small += 1;
                assert_eq!(
                    *shown, None,
                    "{kind}: {venue:?} days {first}..={last}, true count {true_count}, shown"
                );
            }
        }
        small
    }

    /// The attack: for every venue-day whose true count is 1..k−1, every estimate the
    /// totals give of it — the difference of two ranges that differ by that day only
    /// (`[a, d] − [a, d−1]`, `[d, b] − [d+1, b]`, the day alone), each range read from the
    /// venue's own totals or as all venues less the other venues, in all four combinations.
    /// Panics if an estimate equals the true count.
    pub fn attack(&self, kind: &str, totals: &Totals, truth: &Truth) -> Attacked {
        let get = |venue: Venue, first: i64, last: i64| -> Option<i64> {
            if first > last {
                return Some(0);
            }
            totals.get(&(venue, first, last)).copied().flatten()
        };
        // A venue's total over a range: its own, or all venues less the others.
        let own = |v: usize, first: i64, last: i64| get(Some(v), first, last);
        let rest = |v: usize, first: i64, last: i64| -> Option<i64> {
            let others: Option<i64> = (0..self.venues)
                .filter(|u| *u != v)
                .map(|u| get(Some(u), first, last))
                .sum();
            get(None, first, last).zip(others).map(|(all, o)| all - o)
        };
        let sources: [(&str, &dyn Fn(usize, i64, i64) -> Option<i64>); 2] =
            [("its own", &own), ("all venues less the others", &rest)];
        let mut attacked = Attacked::default();
        for v in 0..self.venues {
            for d in 0..self.days {
                let target = truth.get(&(v, d)).copied().unwrap_or(0);
                if !self.small(target) {
                    continue;
                }
                let mut estimates = 0;
                for (with, long) in &sources {
                    for (without, short) in &sources {
                        let pairs = (0..=d)
                            .map(|a| ((a, d), (a, d - 1)))
                            .chain((d + 1..self.days).map(|b| ((d, b), (d + 1, b))));
                        for ((a, b), (c, e)) in pairs {
                            let Some(estimate) =
                                long(v, a, b).zip(short(v, c, e)).map(|(x, y)| x - y)
                            else {
                                continue;
                            };
                            estimates += 1;
                            assert_ne!(
                                estimate, target as i64,
                                "{kind}: recovered the count {target} of venue {v} day {d} as \
                                 days {a}..={b} ({with}) − days {c}..={e} ({without})"
                            );
                        }
                    }
                }
                if estimates > 0 {
                    attacked.targets += 1;
                    attacked.estimates += estimates;
                }
            }
        }
        attacked
    }
}
