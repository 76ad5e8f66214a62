#![allow(clippy::unwrap_used)]

use super::*;
use crate::reports::{NoNames, SessionAnswer, measures};

fn atom(group: &[&str], adjusted: u64, sessions: u64) -> AtomSum {
    AtomSum::new(group, adjusted, sessions)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn val<T: Copy + std::fmt::Debug>(s: Shown<T>) -> T {
    match s.read() {
        Reading::Value(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn choice(id: &str, correct: bool) -> ChoiceFacts {
    ChoiceFacts {
        choice_id: id.to_owned(),
        correct,
    }
}

fn time(audience: &str, bucket: usize, n: u64) -> DurationHistogram {
    let mut h = DurationHistogram::empty(&[audience.to_owned(), "q1".to_owned()]);
    h.buckets[bucket] = Count::new(n, n);
    h
}

fn estimates(audience: &str, bins: Vec<Count>) -> ValueHistogram {
    ValueHistogram {
        group: vec![audience.to_owned(), "q2".to_owned()],
        edges: (0..=10).map(|i| f64::from(i) * 10.0).collect(),
        bins,
    }
}

/// 36 adult sessions and 10 child ones answering q1 and q2 (for discrimination).
fn answers() -> Vec<SessionAnswer> {
    let mut rows = Vec::new();
    for (audience, n) in [("adult", 36u64), ("child", 10)] {
        for s in 0..n {
            let q1 = s % 4 != 0;
            let q2 = q1 != (s % 9 == 0);
            for (q, correct) in [("q1", q1), ("q2", q2)] {
                rows.push(SessionAnswer {
                    session: s,
                    audience: audience.to_owned(),
                    question: q.to_owned(),
                    correct,
                });
            }
        }
    }
    rows
}

fn sample() -> QuizInput {
    QuizInput {
        exhibit_id: "everyday".to_owned(),
        questions: vec![
            QuestionFacts {
                question_id: "q1".to_owned(),
                choices: vec![
                    choice("a", true),
                    choice("b", false),
                    choice("c", false),
                    choice("d", false),
                ],
                multiple: false,
                estimate: false,
                true_value: None,
            },
            QuestionFacts {
                question_id: "q2".to_owned(),
                choices: Vec::new(),
                multiple: false,
                estimate: true,
                true_value: Some(73.0),
            },
        ],
        audiences: vec!["adult".to_owned(), "child".to_owned()],
        current: QuizPeriod {
            answered: vec![
                atom(&["adult", "q1"], 60, 60),
                atom(&["child", "q1"], 40, 40),
            ],
            correct: vec![
                atom(&["adult", "q1"], 45, 45),
                atom(&["child", "q1"], 20, 20),
            ],
            choices: vec![
                atom(&["adult", "q1", "a"], 45, 45),
                atom(&["adult", "q1", "b"], 12, 12),
                atom(&["adult", "q1", "c"], 0, 3),
                atom(&["child", "q1", "a"], 20, 20),
                atom(&["child", "q1", "b"], 12, 12),
                atom(&["child", "q1", "c"], 5, 3),
                atom(&["child", "q1", "d"], 5, 5),
                atom(&["adult", "q9", "x"], 7, 7),
            ],
            answer_time: vec![time("adult", 3, 60), time("child", 4, 40)],
            estimates: vec![
                estimates("adult", vec![Count::new(10, 10); 10]),
                estimates("child", {
                    let mut bins = vec![Count::ZERO; 10];
                    bins[0] = Count::new(5, 3);
                    bins
                }),
            ],
            item_stats: measures::item_stats(&answers()),
        },
        previous: QuizPeriod {
            answered: vec![atom(&["adult", "q1"], 50, 50)],
            correct: vec![atom(&["adult", "q1"], 25, 25)],
            ..QuizPeriod::default()
        },
    }
}

#[test]
fn item_analysis_by_hand() {
    let p = Suppression::default();
    let report = quiz(&p, &sample(), &NoNames).unwrap().into_inner();
    let columns: Vec<&str> = report.audiences.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(columns, ["*", "adult", "child"]);
    let q1 = &report.questions[0];
    let (all, adult, child) = (&q1.items[0], &q1.items[1], &q1.items[2]);

    // Answered 60 + 40 = 100; difficulty 65/100, adult 45/60 = 0.75 (before 25/50 = 0.5:
    // +0.25), child 20/40 = 0.5.
    assert_eq!(val(all.answered.current), 100);
    assert!(close(val(all.difficulty.current), 0.65));
    assert!(close(val(adult.difficulty.current), 0.75));
    assert!(close(val(adult.difficulty.difference), 0.25));
    assert!(close(val(child.difficulty.current), 0.5));

    // Adult picks: a 45, b 12, c on 3 sessions adjusted to 0, d none: total 57. c is hidden
    // alone (its 0 recomputes to 0, which "< 5" allows); d at 0 % is a non-functioning
    // distractor, and so is c: the most it can be is 57 − 57 = 0.
    let picked = |item: &ItemAnalysis| -> Vec<Option<u64>> {
        item.choices.iter().map(|c| c.picked.value()).collect()
    };
    let flags = |item: &ItemAnalysis| -> Vec<Option<bool>> {
        item.choices
            .iter()
            .map(|c| c.non_functioning.value())
            .collect()
    };
    assert_eq!(picked(adult), [Some(45), Some(12), None, Some(0)]);
    assert!(close(val(adult.choices[0].share), 45.0 / 57.0));
    assert!(adult.choices[0].correct && !adult.choices[1].correct);
    assert_eq!(
        flags(adult),
        [Some(false), Some(false), Some(true), Some(true)]
    );

    // Child picks: a 20, b 12, c 5 (on 3 sessions), d 5: total 42. c takes d with it (the
    // smallest other); together they may be up to 10/42 = 24 %, so their flags are hidden.
    assert_eq!(picked(child), [Some(20), Some(12), None, None]);
    assert_eq!(flags(child), [Some(false), Some(false), None, None]);
    assert!(close(val(child.choices[1].share), 12.0 / 42.0));

    // All (the row totals of the choices × audiences table): c = 0 + 5 on 6 sessions would
    // be enough on its own, but with the child's c hidden it would give it back (row c:
    // 5 − 0 − 0), so it is hidden; so is d (row d, the same way). Together they may be up
    // to (99 − 65 − 24)/99 = 10 %: flags hidden.
    assert_eq!(picked(all), [Some(65), Some(24), None, None]);
    assert_eq!(flags(all), [Some(false), Some(false), None, None]);

    // Answer time: adult 60 in [5 s, 10 s): median 7.5 s; child 40 in [10 s, 20 s): 15 s;
    // all: rank 50 of 100 is in the adult bucket: 5 + 50/60·5 = 9.1667 s.
    assert!(close(val(adult.median_answer_ms), 7_500.0));
    assert!(close(val(child.median_answer_ms), 15_000.0));
    assert!(close(
        val(all.median_answer_ms),
        5_000.0 + 50.0 / 60.0 * 5_000.0
    ));

    // Discrimination: 46 sessions in all, 36 adults: shown (rounded); 10 children: hidden.
    let raw = measures::point_biserial(&answers(), "q1", 30).unwrap();
    assert!(close(
        val(all.discrimination),
        (raw * 100.0).round() / 100.0
    ));
    assert!(adult.discrimination.value().is_some());
    assert!(child.discrimination.is_suppressed());

    // Estimates: adults 10 in each tenth of 0..100: deciles at 10, 20, ..., 90. The
    // children's 3 sessions are too few.
    let q2 = &report.questions[1];
    assert!(q2.estimate);
    let deciles: Vec<f64> = q2.items[1]
        .estimate_deciles
        .iter()
        .map(|d| val(*d))
        .collect();
    for (d, got) in deciles.iter().enumerate() {
        assert!(close(*got, 10.0 * (d as f64 + 1.0)), "{deciles:?}");
    }
    assert!(
        q2.items[2]
            .estimate_deciles
            .iter()
            .all(Shown::is_suppressed)
    );
    assert!(q1.items[0].estimate_deciles.is_empty());

    // q9 is in the data only: listed last, its choice unmarked, counted as multiple choice.
    let q9 = &report.questions[2];
    assert_eq!(q9.question.key, "q9");
    assert!(q9.multiple);
    assert_eq!(q9.items[1].choices[0].picked.value(), Some(7));
    assert!(!q9.items[1].choices[0].correct);
}

#[test]
fn multiple_choice_picks_are_shares_of_the_answers() {
    let p = Suppression::default();
    let mut input = sample();
    input.questions[0].multiple = true;
    let report = quiz(&p, &input, &NoNames).unwrap().into_inner();
    let adult = &report.questions[0].items[1];
    // a 45 of 60 answers; c on 3 sessions hidden on its own (no total to recompute it from),
    // and its flag with it.
    assert!(close(val(adult.choices[0].share), 0.75));
    assert!(adult.choices[2].share.is_suppressed());
    assert!(adult.choices[2].non_functioning.is_suppressed());
    // b: 12 of 60 = 20 %: functioning; d: 0 of 60: not.
    assert_eq!(adult.choices[1].non_functioning.value(), Some(false));
    assert_eq!(adult.choices[3].non_functioning.value(), Some(true));
}

#[test]
fn estimate_histograms_must_have_edges_that_fit() {
    let p = Suppression::default();
    let mut input = sample();
    input.current.estimates[0].edges.pop();
    assert!(matches!(
        quiz(&p, &input, &NoNames).unwrap_err(),
        ReportError::BadHistogram {
            what: "estimates",
            ..
        }
    ));
    let mut input = sample();
    input.current.estimates[1].edges[10] = 50.0;
    assert!(matches!(
        quiz(&p, &input, &NoNames).unwrap_err(),
        ReportError::BadHistogram {
            what: "estimates",
            ..
        }
    ));
    let mut input = sample();
    input.current.answered.push(atom(&["adult"], 1, 1));
    assert!(matches!(
        quiz(&p, &input, &NoNames).unwrap_err(),
        ReportError::GroupShape {
            what: "answered",
            expected: 2,
            found: 1,
            ..
        }
    ));
}

#[test]
fn an_estimate_shows_its_values_per_bin_beside_the_true_value() {
    let p = Suppression::default();
    let report = quiz(&p, &sample(), &NoNames).unwrap().into_inner();
    let (q1, q2) = (&report.questions[0], &report.questions[1]);
    assert_eq!(q2.true_value, Some(73.0), "from the manifest's facts");
    assert_eq!(q1.true_value, None);
    assert!(q1.items.iter().all(|i| i.estimate_distribution.is_none()));

    let text = |d: &ValueDistribution| -> (Vec<String>, String) {
        (
            d.bins.iter().map(|b| b.text(|v| v.to_string())).collect(),
            d.total.text(|v| v.to_string()),
        )
    };
    let columns: Vec<&ValueDistribution> = q2
        .items
        .iter()
        .map(|i| i.estimate_distribution.as_ref().unwrap())
        .collect();
    let edges: Vec<f64> = (0..=10).map(|i| f64::from(i) * 10.0).collect();
    assert!(columns.iter().all(|d| d.edges == edges));
    // Adults: 10 in each bin. Children: 5 (adjusted, on 3 sessions) in the first, hidden, and
    // so is their total (3 sessions). The first bin's "all" (15) would give it back beside
    // the adults' 10, so the adults' first bin is hidden too, and then their total (90 + a
    // would give a back): a rectangle of four hidden cells, none of them recoverable.
    let ten = vec!["10".to_owned(); 9];
    let (all_bins, all_total) = text(columns[0]);
    assert_eq!(all_bins, [vec!["15".to_owned()], ten.clone()].concat());
    assert_eq!(all_total, "105");
    let (adult_bins, adult_total) = text(columns[1]);
    assert_eq!(adult_bins, [vec!["x".to_owned()], ten].concat());
    assert_eq!(adult_total, "x");
    let (child_bins, child_total) = text(columns[2]);
    assert_eq!(
        child_bins,
        [vec!["x".to_owned()], vec!["0".to_owned(); 9]].concat()
    );
    assert_eq!(child_total, "x");

    // In JSON: edges, each bin a published figure (the hidden ones without a value), and
    // the true value beside the items.
    let json = serde_json::to_value(q2).unwrap();
    assert_eq!(json["true_value"], 73.0);
    let adult = &json["items"][1]["estimate_distribution"];
    assert_eq!(adult["edges"].as_array().unwrap().len(), 11);
    assert_eq!(
        adult["bins"][0],
        serde_json::json!({"value": null, "suppressed": true})
    );
    assert_eq!(
        adult["bins"][1],
        serde_json::json!({"value": 10, "suppressed": false})
    );
    assert!(json["items"][0]["estimate_distribution"]["bins"][0]["value"] == 15);
}

#[test]
fn audiences_not_listed_count_in_the_distribution_of_all() {
    let p = Suppression::default();
    let mut input = sample();
    input
        .current
        .estimates
        .push(estimates("senior", vec![Count::new(6, 6); 10]));
    // q3 has no values in the period: no edges, so no distribution to show.
    input.questions.push(QuestionFacts {
        question_id: "q3".to_owned(),
        choices: Vec::new(),
        multiple: false,
        estimate: true,
        true_value: Some(1.0),
    });
    let report = quiz(&p, &input, &NoNames).unwrap().into_inner();
    let q2 = &report.questions[1];
    let all = q2.items[0].estimate_distribution.as_ref().unwrap();
    // 10 adults + 6 others in each bin but the first.
    assert!(all.bins[1..].iter().all(|b| b.value() == Some(16)));
    // Every column whose total is shown has no lone hidden bin (its total would give it
    // back); the children's first bin stays hidden.
    for item in &q2.items {
        let d = item.estimate_distribution.as_ref().unwrap();
        let hidden = d.bins.iter().filter(|b| b.is_suppressed()).count();
        assert!(
            d.total.is_suppressed() || hidden != 1,
            "{}: {hidden} hidden",
            item.audience.key
        );
    }
    assert!(q2.items[2].estimate_distribution.as_ref().unwrap().bins[0].is_suppressed());
    let q3 = report
        .questions
        .iter()
        .find(|q| q.question.key == "q3")
        .unwrap();
    assert_eq!(q3.true_value, Some(1.0));
    assert!(q3.items.iter().all(|i| i.estimate_distribution.is_none()));
    assert!(q3.items.iter().all(|i| {
        i.estimate_deciles
            .iter()
            .all(|d| d.read() == Reading::Empty)
    }));
}
