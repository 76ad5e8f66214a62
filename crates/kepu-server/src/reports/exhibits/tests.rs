#![allow(clippy::unwrap_used)]

use super::*;
use crate::reports::NoNames;
use crate::reports::suppress::Reading;

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

fn sample() -> ExhibitsInput {
    let mut dwell = DurationHistogram::empty(&["pendulum".to_owned()]);
    // 40 sessions of 30 s to 1 min, 20 of 1 to 2 min.
    dwell.buckets[6] = Count::new(40, 40);
    dwell.buckets[7] = Count::new(20, 20);
    ExhibitsInput {
        exhibits: vec!["pendulum".to_owned(), "quiz".to_owned()],
        intended_ms: BTreeMap::from([("pendulum".to_owned(), 60_000)]),
        without_completion: Default::default(),
        current: ExhibitsPeriod {
            sessions: Count::new(100, 100),
            opens: vec![
                atom(&["pendulum"], 60, 60),
                atom(&["quiz"], 30, 30),
                atom(&["ghost"], 5, 2),
            ],
            completions: vec![atom(&["pendulum"], 45, 45), atom(&["quiz"], 27, 27)],
            entries: vec![
                atom(&["pendulum"], 50, 50),
                atom(&["quiz"], 30, 30),
                atom(&["ghost"], 5, 2),
            ],
            exits: vec![
                atom(&["pendulum"], 40, 40),
                atom(&["quiz"], 40, 40),
                atom(&["ghost"], 0, 2),
            ],
            dwell: vec![dwell],
            kiosk_sessions: vec![atom(&["k1"], 70, 70), atom(&["k2"], 30, 30)],
            kiosk_diligent: vec![atom(&["k1"], 20, 20), atom(&["k2"], 3, 3)],
            open_hours: BTreeMap::from([("k1".to_owned(), 10.0)]),
        },
        previous: ExhibitsPeriod {
            sessions: Count::new(80, 80),
            opens: vec![atom(&["pendulum"], 40, 40)],
            ..ExhibitsPeriod::default()
        },
    }
}

#[test]
fn exhibits_by_hand() {
    let p = Suppression::default();
    let report = exhibits(&p, &sample(), &NoNames).unwrap().into_inner();
    let ids: Vec<&str> = report
        .exhibits
        .iter()
        .map(|e| e.exhibit.key.as_str())
        .collect();
    // The published ones in order, then what only the data names.
    assert_eq!(ids, ["pendulum", "quiz", "ghost"]);
    let (pendulum, quiz, ghost) = (
        &report.exhibits[0],
        &report.exhibits[1],
        &report.exhibits[2],
    );

    // Attraction: 60 of 100 = 0.6, before 40 of 80 = 0.5: +0.1, +20 %.
    assert!(close(val(pendulum.attraction.current), 0.6));
    assert!(close(val(pendulum.attraction.previous), 0.5));
    assert!(close(val(pendulum.attraction.difference), 0.1));
    assert!(close(val(pendulum.attraction.relative), 0.2));
    assert!(ghost.opens.current.is_suppressed() && ghost.attraction.current.is_suppressed());

    // Dwell: 40 in [30 s, 1 min), 20 in [1, 2 min). Median rank 30: 30 + 30/40·30 = 52.5 s;
    // p90 rank 54: 60 + 14/20·60 = 102 s. Holding power 52.5 / 60 = 0.875.
    assert!(close(val(pendulum.dwell_median_ms.current), 52_500.0));
    assert!(close(val(pendulum.dwell_p90_ms.current), 102_000.0));
    assert!(close(val(pendulum.holding_power.current), 0.875));
    // No dwell before, no intended length for the quiz: empty.
    assert_eq!(pendulum.dwell_median_ms.previous.read(), Reading::Empty);
    assert_eq!(quiz.holding_power.current.read(), Reading::Empty);

    // Survival: all 60 still there up to 30 s, 20/60 at 1 min, none at 2 min.
    let survival: Vec<Option<f64>> = pendulum.survival.iter().map(|s| s.share.value()).collect();
    for point in &survival[..6] {
        assert!(close(point.unwrap(), 1.0));
    }
    assert!(close(survival[6].unwrap(), 20.0 / 60.0));
    assert!(close(survival[7].unwrap(), 0.0));
    assert_eq!(ghost.survival[0].share.read(), Reading::Empty);

    // Completion: 45 of 60 = 0.75; the quiz's 27 of 30 leaves 3 who did not: hidden.
    assert!(close(val(pendulum.completion.current), 0.75));
    assert!(quiz.completion.current.is_suppressed());

    // Entries 50, 30, 5 (on 2 sessions): the ghost's goes with the smallest other (30), so of
    // the total 85 only pendulum's 50/85 shows.
    assert!(close(val(pendulum.entry_share.current), 50.0 / 85.0));
    assert!(quiz.entry_share.current.is_suppressed());
    assert!(ghost.entry_share.current.is_suppressed());
    assert_eq!(report.entries.total.unwrap().value(), Some(85));
    // Exits 40, 40, and the ghost's 2 sessions adjusted to 0: nothing to recompute, so 40/80
    // each shows.
    assert!(close(val(pendulum.exit_share.current), 0.5));
    assert!(close(val(quiz.exit_share.current), 0.5));
    assert!(ghost.exit_share.current.is_suppressed());

    // Kiosks: k1 70 sessions in 10 open hours = 7 an hour, diligent 20/70; k2's 3 diligent
    // are too few, and without open hours there is no rate.
    let (k1, k2) = (&report.kiosks[0], &report.kiosks[1]);
    assert_eq!(val(k1.sessions.current), 70);
    assert!(close(val(k1.sessions_per_open_hour.current), 7.0));
    assert!(close(val(k1.diligent_share.current), 20.0 / 70.0));
    assert_eq!(k1.open_hours, 10.0);
    assert!(k2.diligent_share.current.is_suppressed());
    assert_eq!(k2.sessions_per_open_hour.current.read(), Reading::Empty);

    assert_eq!(val(report.sessions.difference), 20);
}

#[test]
fn exhibit_rows_of_another_shape_are_refused() {
    let p = Suppression::default();
    let mut input = sample();
    input.current.opens.push(atom(&[], 5, 5));
    assert!(matches!(
        exhibits(&p, &input, &NoNames).unwrap_err(),
        ReportError::GroupShape {
            what: "opens",
            expected: 1,
            found: 0,
            ..
        }
    ));
    let mut input = sample();
    input.current.dwell.push(DurationHistogram::default());
    assert!(matches!(
        exhibits(&p, &input, &NoNames).unwrap_err(),
        ReportError::GroupShape { what: "dwell", .. }
    ));
}

#[test]
fn an_exhibit_without_an_end_has_no_completion_rather_than_zero() {
    let mut input = sample();
    input.without_completion.insert("pendulum".to_owned());
    let privacy = Suppression::new(crate::reports::MinSessions::default());
    let report = exhibits(&privacy, &input, &NoNames).unwrap().into_inner();
    let pendulum = report
        .exhibits
        .iter()
        .find(|r| r.exhibit.key == "pendulum")
        .unwrap();
    assert_eq!(pendulum.completion.current.read(), Reading::Empty);
    let quiz = report
        .exhibits
        .iter()
        .find(|r| r.exhibit.key == "quiz")
        .unwrap();
    // The quiz's completion is a figure (here hidden: 27 of 30 leaves a rest of 3 < k).
    assert_eq!(quiz.completion.current.read(), Reading::Suppressed);
}
