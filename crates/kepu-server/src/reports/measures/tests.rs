#![allow(clippy::unwrap_used)]

use super::*;
use kepu_store::rollup::fold::{DURATION_BUCKETS_MS, duration_bucket};
use proptest::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Twelve bucket counts from `(bucket, count)` pairs.
fn hist(pairs: &[(usize, u64)]) -> [u64; BUCKETS] {
    let mut counts = [0; BUCKETS];
    for &(b, n) in pairs {
        counts[b] = n;
    }
    counts
}

fn value(q: Option<Quantile>) -> f64 {
    match q {
        Some(Quantile::Value(v)) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

#[test]
fn median_and_p90_interpolate_inside_their_bucket() {
    // 4 durations in [2 s, 5 s) (bucket 2), 6 in [5 s, 10 s) (bucket 3): N = 10.
    let counts = hist(&[(2, 4), (3, 6)]);
    // Median: rank 0.5·10 = 5; 4 lie below bucket 3, so 1 of its 6 is needed:
    // 5000 + (5 − 4)/6 · (10000 − 5000) = 5833.33…
    assert!(close(value(median(&counts)), 5000.0 + 5000.0 / 6.0));
    // p90: rank 9: 5000 + (9 − 4)/6 · 5000 = 9166.66…
    assert!(close(value(p90(&counts)), 5000.0 + 5.0 * 5000.0 / 6.0));
    // p = 0: the lower edge of the first non-empty bucket; p = 1: the upper edge of the last.
    assert!(close(value(quantile_from_histogram(&counts, 0.0)), 2000.0));
    assert!(close(
        value(quantile_from_histogram(&counts, 1.0)),
        10_000.0
    ));
}

#[test]
fn a_rank_at_a_bucket_end_stays_in_that_bucket() {
    // 1 in [0, 1 s), 1 in [20 s, 30 s): median rank 1 is the end of the first bucket: 1000.
    let counts = hist(&[(0, 1), (5, 1)]);
    assert!(close(value(median(&counts)), 1000.0));
    // 0.7 · 90 is 62.99999999999999 in floating point; taken as 63, the end of bucket 0:
    // exactly 1000, not 999.9999999999998.
    let counts = hist(&[(0, 63), (5, 27)]);
    assert_eq!(value(quantile_from_histogram(&counts, 0.7)), 1000.0);
}

#[test]
fn a_quantile_in_the_open_ended_bucket_is_over_30_minutes() {
    // 3 sessions of 10 s to 20 s, 7 over 30 min: the median (rank 5) is in the last bucket.
    let counts = hist(&[(4, 3), (11, 7)]);
    assert_eq!(median(&counts), Some(Quantile::Above(1_800_000.0)));
    // p = 0.3 (rank 3) is still the end of bucket 4: 20 s.
    assert!(close(
        value(quantile_from_histogram(&counts, 0.3)),
        20_000.0
    ));
}

#[test]
fn quantiles_of_nothing_or_of_bad_arguments_are_none() {
    assert_eq!(median(&[0; BUCKETS]), None);
    let counts = hist(&[(1, 1)]);
    assert_eq!(quantile_from_histogram(&counts, -0.1), None);
    assert_eq!(quantile_from_histogram(&counts, 1.1), None);
    assert_eq!(quantile_from_histogram(&counts, f64::NAN), None);
    // Edges that do not fit the counts, or do not increase.
    assert_eq!(quantile_from_bins(&[1, 2], &[0.0, 1.0], 0.5), None);
    assert_eq!(quantile_from_bins(&[1, 2], &[0.0, 2.0, 1.0], 0.5), None);
}

#[test]
fn quantiles_of_any_bins() {
    // Bins [0,10) [10,20) [20,30) [30,40] with 1, 2, 3, 4: N = 10.
    // Median rank 5: 3 lie below [20, 30), so 2 of its 3: 20 + 2/3 · 10 = 26.67.
    let edges = [0.0, 10.0, 20.0, 30.0, 40.0];
    let q = quantile_from_bins(&[1, 2, 3, 4], &edges, 0.5);
    assert!(close(value(q), 20.0 + 20.0 / 3.0));
    // First decile, rank 1: the end of the first bin, 10.
    assert!(close(
        value(quantile_from_bins(&[1, 2, 3, 4], &edges, 0.1)),
        10.0
    ));
}

#[test]
fn survival_is_the_share_in_the_buckets_above_each_bound() {
    // 2 under 1 s, 3 in [2 s, 5 s), 5 in [10 s, 20 s): N = 10.
    let curve = survival_curve(&hist(&[(0, 2), (2, 3), (4, 5)])).unwrap();
    // ≥ 1 s: 8/10; ≥ 2 s: 8/10; ≥ 5 s: 5/10; ≥ 10 s: 5/10; ≥ 20 s and later: 0.
    let expected = [0.8, 0.8, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    assert_eq!(curve.len(), DURATION_BUCKETS_MS.len());
    for (got, want) in curve.iter().zip(expected) {
        assert!(close(*got, want), "{curve:?}");
    }
    // 1 over 30 min of 4: still 1/4 at the 30 min bound.
    let curve = survival_curve(&hist(&[(0, 3), (11, 1)])).unwrap();
    assert!(close(curve[10], 0.25));
    assert_eq!(survival_curve(&[0; BUCKETS]), None);
}

#[test]
fn holding_power_is_median_over_intended_length() {
    // 45 s median on a 60 s exhibit: 45/60 = 0.75.
    assert!(close(holding_power(45_000.0, 60_000).unwrap(), 0.75));
    // 90 s on 60 s: 1.5 (stayed longer than needed).
    assert!(close(holding_power(90_000.0, 60_000).unwrap(), 1.5));
    assert_eq!(holding_power(45_000.0, 0), None);
}

#[test]
fn shares_are_capped_at_one() {
    assert!(close(share(3, 4).unwrap(), 0.75));
    // Separately adjusted counts: 5 over 4 is read as all of them.
    assert!(close(share(5, 4).unwrap(), 1.0));
    assert!(close(share(0, 4).unwrap(), 0.0));
    assert_eq!(share(1, 0), None);
}

#[test]
fn wilson_interval_by_hand() {
    // 8 of 10, z = 1.96: p̂ = 0.8, z² = 3.8416, z²/n = 0.38416, 1 + z²/n = 1.38416;
    // centre (0.8 + 0.19208)/1.38416 = 0.716738;
    // half 1.96/1.38416 · √(0.8·0.2/10 + 3.8416/400) = 1.416021 · √0.025604 = 0.226581;
    // so [0.490157, 0.943319].
    let i = wilson_interval(8, 10, 1.96).unwrap();
    assert!((i.low - 0.490_157).abs() < 1e-6, "{i:?}");
    assert!((i.high - 0.943_319).abs() < 1e-6, "{i:?}");
    // 0 of 10: centre = half = 0.19208/1.38416 = 0.138770: [0, 0.277540].
    let i = wilson_interval(0, 10, 1.96).unwrap();
    assert_eq!(i.low, 0.0);
    assert!((i.high - 0.277_540).abs() < 1e-6, "{i:?}");
    // 10 of 10: the mirror image, [0.722460, 1].
    let i = wilson_interval(10, 10, 1.96).unwrap();
    assert!((i.low - 0.722_460).abs() < 1e-6, "{i:?}");
    assert_eq!(i.high, 1.0);
    // 40 of 50 at the exact 95 % z: [0.669629, 0.887562].
    let i = wilson_interval(40, 50, Z_95).unwrap();
    assert!((i.low - 0.669_629).abs() < 1e-6, "{i:?}");
    assert!((i.high - 0.887_562).abs() < 1e-6, "{i:?}");
    assert_eq!(wilson_interval(1, 0, 1.96), None);
    assert_eq!(wilson_interval(11, 10, 1.96), None);
    assert_eq!(wilson_interval(1, 10, f64::NAN), None);
}

fn answer(session: u64, question: &str, correct: bool) -> SessionAnswer {
    SessionAnswer {
        session,
        audience: "adult".to_owned(),
        question: question.to_owned(),
        correct,
    }
}

/// Four sessions, three questions:
///
/// | session | q1 | q2 | q3 | item (q1) | rest (q2 + q3) |
/// |---------|----|----|----|-----------|----------------|
/// | 1       | ✓  | ✓  | ✓  | 1         | 2              |
/// | 2       | ✓  | ✓  | ✗  | 1         | 1              |
/// | 3       | ✗  | ✓  | ✗  | 0         | 1              |
/// | 4       | ✗  | ✗  | ✗  | 0         | 0              |
fn four_sessions() -> Vec<SessionAnswer> {
    let table = [
        (1, [true, true, true]),
        (2, [true, true, false]),
        (3, [false, true, false]),
        (4, [false, false, false]),
    ];
    table
        .iter()
        .flat_map(|&(s, answers)| {
            ["q1", "q2", "q3"]
                .iter()
                .zip(answers)
                .map(move |(q, c)| answer(s, q, c))
        })
        .collect()
}

#[test]
fn point_biserial_by_hand() {
    // x = (1, 1, 0, 0), y = (2, 1, 1, 0); n = 4, Σx = 2, Σy = 4, Σxy = 3, Σx² = 2, Σy² = 6.
    // n·Σxy − Σx·Σy = 12 − 8 = 4; n·Σx² − (Σx)² = 8 − 4 = 4; n·Σy² − (Σy)² = 24 − 16 = 8.
    // r = 4 / √(4 · 8) = 0.707107.
    let answers = four_sessions();
    let r = point_biserial(&answers, "q1", 4).unwrap();
    assert!((r - 0.5f64.sqrt()).abs() < 1e-12, "{r}");
    // Below the minimum count: none.
    assert_eq!(point_biserial(&answers, "q1", 5), None);
}

#[test]
fn point_biserial_counts_first_answers_only() {
    let mut answers = four_sessions();
    // Session 1 answers q1 again, wrongly, and session 4 again, rightly: ignored.
    answers.push(answer(1, "q1", false));
    answers.push(answer(4, "q1", true));
    let r = point_biserial(&answers, "q1", 4).unwrap();
    assert!((r - 0.5f64.sqrt()).abs() < 1e-12, "{r}");
}

#[test]
fn point_biserial_tells_sessions_of_different_audiences_apart() {
    // The same index in two audiences is two sessions.
    let mut answers = four_sessions();
    for a in &mut answers {
        if a.session == 4 {
            a.audience = "child".to_owned();
            a.session = 1;
        }
    }
    let r = point_biserial(&answers, "q1", 4).unwrap();
    assert!((r - 0.5f64.sqrt()).abs() < 1e-12, "{r}");
}

#[test]
fn point_biserial_from_the_store_sums_by_hand() {
    // The sums of `point_biserial_by_hand`, split over two audiences as the store reads them:
    // sessions 1 and 3 (x = 1, 0; y = 2, 1) adults, 2 and 4 (x = 1, 0; y = 1, 0) children.
    let stats = |audience: &str, sums: [u64; 5]| ItemStats {
        audience: audience.to_owned(),
        question: "q1".to_owned(),
        sums: ItemSums {
            answered: sums[0],
            correct: sums[1],
            rest: sums[2],
            rest_squares: sums[3],
            correct_rest: sums[4],
        },
    };
    let rows = [
        stats("adult", [2, 1, 3, 5, 2]),
        stats("child", [2, 1, 1, 1, 1]),
    ];
    let scores = ItemScores::from_stats(&rows);
    assert_eq!(scores.answered("q1"), 4);
    assert_eq!(scores.answered("q2"), 0);
    let r = scores.point_biserial("q1", 4).unwrap();
    assert!((r - 0.5f64.sqrt()).abs() < 1e-12, "{r}");
    assert_eq!(scores.point_biserial("q1", 5), None);
    assert_eq!(
        ItemScores::from_stats(&item_stats(&four_sessions())),
        ItemScores::new(&four_sessions())
    );
}

#[test]
fn point_biserial_without_variance_is_none() {
    // Everyone right on q1: the item does not vary.
    let answers: Vec<SessionAnswer> = (0..40)
        .flat_map(|s| [answer(s, "q1", true), answer(s, "q2", s % 2 == 0)])
        .collect();
    assert_eq!(point_biserial(&answers, "q1", 30), None);
    // Nobody has another item right: the rest score does not vary.
    let answers: Vec<SessionAnswer> = (0..40)
        .flat_map(|s| [answer(s, "q1", s % 2 == 0), answer(s, "q2", false)])
        .collect();
    assert_eq!(point_biserial(&answers, "q1", 30), None);
}

#[test]
fn distractors_under_five_percent_do_not_function() {
    // 100 answers: A (correct) 60, B 30, C 8, D 2 — D at 2 % is the only one under 5 %.
    let flags =
        non_functioning_distractors(&[(60, true), (30, false), (8, false), (2, false)], 100);
    assert_eq!(flags, [false, false, false, true]);
    // Exactly 5 % functions; a correct choice is never a distractor, however rare.
    assert_eq!(
        non_functioning_distractors(&[(5, false), (1, true)], 100),
        [false, false]
    );
    assert_eq!(is_non_functioning(0, 0, false), None);
}

#[test]
fn change_is_difference_and_relative_change() {
    // 120 against 100: +20, +20 %.
    let c = change(120.0, 100.0);
    assert!(close(c.difference, 20.0));
    assert!(close(c.relative.unwrap(), 0.2));
    // 75 against 100: −25, −25 %.
    assert!(close(change(75.0, 100.0).relative.unwrap(), -0.25));
    // From nothing: no relative change.
    assert_eq!(change(5.0, 0.0).relative, None);
}

/// Durations biased to the short end, as dwell is, some beyond 30 min.
fn durations() -> impl Strategy<Value = Vec<u64>> {
    let one = prop_oneof![
        4 => 0u64..60_000,
        2 => 60_000u64..1_800_000,
        1 => 1_800_000u64..7_200_000,
    ];
    proptest::collection::vec(one, 1..200)
}

fn bucketed(durations: &[u64]) -> [u64; BUCKETS] {
    let mut counts = [0; BUCKETS];
    for &d in durations {
        counts[duration_bucket(d)] += 1;
    }
    counts
}

/// Bucket `b`'s edges: `[lo, hi]` (hi infinite for the last).
fn bucket_edges(b: usize) -> (f64, f64) {
    let edges = crate::reports::input::duration_edges_ms();
    (edges[b], edges[b + 1])
}

proptest! {
    /// The interpolated median lies in the bucket of the ⌈N/2⌉-th smallest duration (the true
    /// median for odd N), and so does each decile in the bucket of the ⌈d·N/10⌉-th: the
    /// estimate never leaves the bucket where the data puts it.
    #[test]
    fn quantiles_stay_in_the_bucket_of_their_order_statistic(mut raw in durations()) {
        raw.sort_unstable();
        let counts = bucketed(&raw);
        let n = raw.len() as u64;
        for d in 1..=9u64 {
            let rank = (d * n).div_ceil(10).max(1);
            let truth = raw[(rank - 1) as usize];
            let bucket = duration_bucket(truth);
            let (lo, hi) = bucket_edges(bucket);
            let q = quantile_from_histogram(&counts, d as f64 / 10.0).unwrap();
            match q {
                Quantile::Value(v) => prop_assert!(lo <= v && v <= hi, "decile {d}: {v} not in [{lo}, {hi}]"),
                Quantile::Above(v) => {
                    prop_assert!(hi.is_infinite(), "decile {d}: over {v} but the bucket ends at {hi}");
                    prop_assert_eq!(v, lo);
                }
            }
        }
        let rank = n.div_ceil(2);
        let (lo, hi) = bucket_edges(duration_bucket(raw[(rank - 1) as usize]));
        match median(&counts).unwrap() {
            Quantile::Value(v) => prop_assert!(lo <= v && v <= hi),
            Quantile::Above(_) => prop_assert!(hi.is_infinite()),
        }
    }

    /// A larger p never gives a smaller quantile ("over 30 min" above every number).
    #[test]
    fn quantiles_are_monotone_in_p(
        counts in proptest::array::uniform12(0u64..20),
        p1 in 0.0f64..=1.0,
        p2 in 0.0f64..=1.0,
    ) {
        let (p1, p2) = if p1 <= p2 { (p1, p2) } else { (p2, p1) };
        let (a, b) = (quantile_from_histogram(&counts, p1), quantile_from_histogram(&counts, p2));
        match (a, b) {
            (None, None) => prop_assert!(counts.iter().all(|&c| c == 0)),
            (Some(Quantile::Value(x)), Some(Quantile::Value(y))) => prop_assert!(x <= y, "{x} > {y}"),
            (Some(Quantile::Value(_)), Some(Quantile::Above(_))) => {}
            (Some(Quantile::Above(x)), Some(Quantile::Above(y))) => prop_assert_eq!(x, y),
            (a, b) => prop_assert!(false, "{a:?} at {p1} then {b:?} at {p2}"),
        }
    }

    /// The survival curve is the exact share at or above each bound of the raw durations.
    #[test]
    fn survival_matches_the_raw_durations(raw in durations()) {
        let curve = survival_curve(&bucketed(&raw)).unwrap();
        for (i, &bound) in DURATION_BUCKETS_MS.iter().enumerate() {
            let still = raw.iter().filter(|&&d| d >= bound).count() as f64 / raw.len() as f64;
            prop_assert!(close(curve[i], still), "at {bound}: {} vs {still}", curve[i]);
        }
    }

    /// The Wilson interval lies in [0, 1] and contains p̂.
    #[test]
    fn wilson_contains_the_estimate(n in 1u64..100_000, s in 0u64..100_000, z in 0.0f64..4.0) {
        let s = s % (n + 1);
        let i = wilson_interval(s, n, z).unwrap();
        let p = s as f64 / n as f64;
        prop_assert!(0.0 <= i.low && i.high <= 1.0, "{i:?}");
        prop_assert!(i.low <= p + 1e-12 && p <= i.high + 1e-12, "{p} not in {i:?}");
    }

    /// The point-biserial lies in [-1, 1] and is the Pearson r of the 0/1 item against the
    /// rest score, computed the plain two-pass way; it is absent exactly when there are too
    /// few sessions or either side has no variance.
    #[test]
    fn point_biserial_is_pearson_of_item_and_rest(
        sessions in proptest::collection::vec(proptest::collection::vec(any::<Option<bool>>(), 4), 0..60),
        min in 2u64..40,
    ) {
        let questions = ["q0", "q1", "q2", "q3"];
        let answers: Vec<SessionAnswer> = sessions
            .iter()
            .enumerate()
            .flat_map(|(s, row)| {
                row.iter().zip(questions).filter_map(move |(a, q)| a.map(|c| answer(s as u64, q, c)))
            })
            .collect();
        // Naively: for the sessions that answered q0, x = q0 right, y = others right.
        let pairs: Vec<(f64, f64)> = sessions
            .iter()
            .filter_map(|row| {
                let x = row[0]?;
                let y = row[1..].iter().filter(|a| **a == Some(true)).count();
                Some((f64::from(u8::from(x)), y as f64))
            })
            .collect();
        let n = pairs.len() as f64;
        let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
        let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let syy: f64 = pairs.iter().map(|p| (p.1 - my).powi(2)).sum();
        let got = point_biserial(&answers, "q0", min);
        if (pairs.len() as u64) < min || sxx == 0.0 || syy == 0.0 {
            prop_assert_eq!(got, None);
        } else {
            let naive = sxy / (sxx * syy).sqrt();
            let r = got.unwrap();
            prop_assert!((-1.0..=1.0).contains(&r));
            prop_assert!((r - naive).abs() < 1e-9, "{r} vs {naive}");
        }
    }

    /// The scores read from the store's sums are the scores of the sessions they sum: with
    /// sessions of several audiences, answers repeated (the first counts), and the sums
    /// computed here the plain way, session by session, `answered` and `point_biserial` agree
    /// exactly, pooled and per audience.
    #[test]
    fn scores_from_sums_are_the_scores_of_the_sessions(
        sessions in proptest::collection::vec(
            (0usize..3, proptest::collection::vec(any::<Option<bool>>(), 4), any::<[bool; 4]>()),
            0..80,
        ),
        min in 2u64..40,
    ) {
        let audiences = ["adult", "child", ""];
        let questions = ["q0", "q1", "q2", "q3"];
        let mut answers = Vec::new();
        for (s, (audience, row, again)) in sessions.iter().enumerate() {
            for (i, (first, q)) in row.iter().zip(questions).enumerate() {
                if let Some(correct) = *first {
                    let mut a = answer(s as u64, q, correct);
                    a.audience = audiences[*audience].to_owned();
                    answers.push(a.clone());
                    // A later attempt, right or wrong: ignored.
                    if again[i] {
                        answers.push(SessionAnswer { correct: !correct, ..a });
                    }
                }
            }
        }
        // The sums, session by session: x the item, y the other first answers right.
        let mut sums: BTreeMap<(&str, &str), [u64; 5]> = BTreeMap::new();
        for (audience, row, _) in &sessions {
            for (i, q) in questions.iter().enumerate() {
                let Some(x) = row[i] else { continue };
                let x = u64::from(x);
                let y = row
                    .iter()
                    .enumerate()
                    .filter(|&(j, a)| j != i && *a == Some(true))
                    .count() as u64;
                let cell = sums.entry((audiences[*audience], q)).or_default();
                cell[0] += 1;
                cell[1] += x;
                cell[2] += y;
                cell[3] += y * y;
                cell[4] += x * y;
            }
        }
        let rows: Vec<ItemStats> = sums
            .iter()
            .map(|(&(audience, question), s)| ItemStats {
                audience: audience.to_owned(),
                question: question.to_owned(),
                sums: ItemSums {
                    answered: s[0],
                    correct: s[1],
                    rest: s[2],
                    rest_squares: s[3],
                    correct_rest: s[4],
                },
            })
            .collect();
        prop_assert_eq!(&item_stats(&answers), &rows);
        let columns: Vec<Option<&str>> =
            std::iter::once(None).chain(audiences.iter().copied().map(Some)).collect();
        for column in columns {
            let of = |audience: &str| column.is_none_or(|want| audience == want);
            let by_session =
                ItemScores::new(answers.iter().filter(|a| of(&a.audience)));
            let by_sums = ItemScores::from_stats(rows.iter().filter(|r| of(&r.audience)));
            for q in questions {
                prop_assert_eq!(by_session.answered(q), by_sums.answered(q));
                prop_assert_eq!(
                    by_session.point_biserial(q, min),
                    by_sums.point_biserial(q, min),
                    "{:?} {}", column, q
                );
            }
        }
    }
}
