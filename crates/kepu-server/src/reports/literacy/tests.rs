#![allow(clippy::unwrap_used)]

use super::*;
use crate::reports::NoNames;
use crate::reports::suppress::Reading;

fn atom(group: &[&str], adjusted: u64, sessions: u64) -> AtomSum {
    AtomSum::new(group, adjusted, sessions)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn val<T: Copy + std::fmt::Debug>(s: Shown<T>) -> T {
    match s.read() {
        Reading::Value(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// | month | audience | theme  | question | answered (true) | correct (true) | wrong (true) |
/// |-------|----------|--------|----------|-----------------|----------------|--------------|
/// | 01    | adult    | health | h1       | 20 (20)         | 15 (15)        | 5 (5)        |
/// | 01    | adult    | health | h2       | 20 (18)         | 10 (10)        | 10 (8)       |
/// | 02    | adult    | health | h1       | 10 (10)         | 9 (9)          | 1 (1)        |
/// | 01    | child    | health | h1       | 30 (30)         | 20 (20)        | 10 (10)      |
/// | 01    | adult    | safety | s1       | 40 (40)         | 30 (30)        | 10 (10)      |
/// | 01    | child    | safety | s1       | 5 (3)           | 5 (2)          | 0 (1)        |
/// | 01    | adult    | energy | e1       | 60 (60)         | 45 (45)        | 15 (15)      |
/// | 01    | child    | energy | e1       | 20 (20)         | 10 (10)        | 10 (10)      |
/// | 01    | adult    | (none) | x1       | 100 (100)       | 100 (100)      |              |
fn sample() -> LiteracyInput {
    let rows = [
        ("2026-01", "adult", "health", "h1", (20, 20), (15, 15)),
        ("2026-01", "adult", "health", "h2", (20, 18), (10, 10)),
        ("2026-02", "adult", "health", "h1", (10, 10), (9, 9)),
        ("2026-01", "child", "health", "h1", (30, 30), (20, 20)),
        ("2026-01", "adult", "safety", "s1", (40, 40), (30, 30)),
        ("2026-01", "child", "safety", "s1", (5, 3), (5, 2)),
        ("2026-01", "adult", "energy", "e1", (60, 60), (45, 45)),
        ("2026-01", "child", "energy", "e1", (20, 20), (10, 10)),
        ("2026-01", "adult", "", "x1", (100, 100), (100, 100)),
    ];
    LiteracyInput {
        themes: strings(&["health", "safety", "energy"]),
        audiences: strings(&["adult", "child"]),
        months: strings(&["2026-01", "2026-02"]),
        answered: rows
            .iter()
            .map(|&(m, a, t, q, (adj, n), _)| atom(&[m, a, t, q], adj, n))
            .collect(),
        correct: rows
            .iter()
            .map(|&(m, a, t, q, _, (adj, n))| atom(&[m, a, t, q], adj, n))
            .collect(),
    }
}

#[test]
fn literacy_by_hand() {
    let p = Suppression::default();
    let report = literacy(&p, &sample(), &NoNames).unwrap().into_inner();
    let rows: Vec<&str> = report.themes.iter().map(|r| r.theme.key.as_str()).collect();
    assert_eq!(rows, ["*", "health", "safety", "energy"]);
    let columns: Vec<&str> = report.audiences.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(columns, ["*", "adult", "child"]);
    let cell = |theme: usize, audience: usize| &report.themes[theme].cells[audience];

    // Answers, themes × audiences (bases: lower bounds of distinct sessions, in brackets):
    //
    //            adult      child    | all
    //   health   50 (30)    30 (30)  | 80 (60)
    //   safety   40 (40)     5 (3)   | 45 (43)
    //   energy   60 (60)    20 (20)  | 80 (80)
    //   all     150 (70)    55 (30)  | 205 (100)
    //
    // safety × child is small. Row safety takes safety × adult (40, before its total 45);
    // column adult then takes health × adult (50, the smallest); column child takes
    // health × child, which closes the rectangle (row health has a hidden cell already),
    // where energy × child (20) would have started a chain. The totals all show.
    let hidden = |t: usize, a: usize| cell(t, a).answers.is_suppressed();
    assert!(hidden(1, 1) && hidden(1, 2) && hidden(2, 1) && hidden(2, 2));
    assert_eq!(val(cell(3, 1).answers), 60);
    assert_eq!(val(cell(3, 2).answers), 20);
    assert_eq!(val(cell(1, 0).answers), 80);
    assert_eq!(val(cell(2, 0).answers), 45);
    assert_eq!(val(cell(0, 1).answers), 150);
    assert_eq!(val(cell(0, 0).answers), 205);
    // Hidden answers hide their share.
    assert!(cell(1, 1).correct.share.is_suppressed());

    // Health, all audiences: 54 correct of 80 = 0.675, Wilson [0.566405, 0.767558].
    let health = &cell(1, 0).correct;
    assert!(close(val(health.share), 0.675));
    assert!(close(val(health.low), 0.566_405));
    assert!(close(val(health.high), 0.767_558));
    // Energy: adults 45/60, children 10/20.
    assert!(close(val(cell(3, 1).correct.share), 0.75));
    assert!(close(val(cell(3, 2).correct.share), 0.5));
    // All: 144 of 205 = 0.702439, Wilson [0.636598, 0.760833].
    let all = &cell(0, 0).correct;
    assert!(close(val(all.share), 144.0 / 205.0));
    assert!(close(val(all.low), 0.636_598));
    assert!(close(val(all.high), 0.760_833));
    // Safety, all audiences: 35 of 45. Its children's 1 wrong answer is adjusted to 0 and
    // hidden alone: the row's 10 wrong less the adults' 10 gives 0, which "< 5" allows.
    assert!(close(val(cell(2, 0).correct.share), 35.0 / 45.0));

    // Trend of health, all audiences: January 45 of 70 (bases 50 answered, 35 correct,
    // 8 + 10 = 18 wrong): 0.642857, Wilson [0.525884, 0.744967]. February: 9 of 10 with 1
    // wrong: the share would give the 1 back — hidden, though the 10 answers show.
    let trend = &report.trend[1];
    assert_eq!(trend.theme.key, "health");
    assert!(close(val(trend.cells[0].correct.share), 45.0 / 70.0));
    assert!(close(val(trend.cells[0].correct.low), 0.525_884));
    assert!(close(val(trend.cells[0].correct.high), 0.744_967));
    assert!(trend.cells[1].correct.share.is_suppressed());
    assert!(trend.cells[1].correct.low.is_suppressed());
    assert_eq!(val(trend.cells[1].answers), 10);
}

#[test]
fn unlisted_audiences_count_in_all_only() {
    let p = Suppression::default();
    let mut input = sample();
    input.audiences = strings(&["adult"]);
    let report = literacy(&p, &input, &NoNames).unwrap().into_inner();
    assert_eq!(report.audiences.len(), 2);
    // The children are in "all" still: 205 answers.
    assert_eq!(val(report.themes[0].cells[0].answers), 205);
}

#[test]
fn literacy_rows_outside_the_period_are_refused() {
    let p = Suppression::default();
    let mut input = sample();
    input
        .correct
        .push(atom(&["2025-12", "adult", "health", "h1"], 5, 5));
    assert_eq!(
        literacy(&p, &input, &NoNames).unwrap_err(),
        ReportError::UnknownKey {
            what: "correct",
            key: "2025-12".to_owned(),
            among: "months"
        }
    );
    let mut input = sample();
    input
        .answered
        .push(atom(&["2026-01", "adult", "health"], 5, 5));
    assert!(matches!(
        literacy(&p, &input, &NoNames).unwrap_err(),
        ReportError::GroupShape {
            expected: 4,
            found: 3,
            ..
        }
    ));
}
