#![allow(clippy::unwrap_used)]

use super::*;
use crate::reports::NoNames;
use crate::reports::input::Count;
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

struct Chinese;

impl Names for Chinese {
    fn audience(&self, audience: &str) -> Option<String> {
        (audience == "adult").then(|| "成人".to_owned())
    }
}

fn days(list: &[&str]) -> Vec<String> {
    list.iter().map(|d| (*d).to_owned()).collect()
}

fn sample() -> OverviewInput {
    let mut session_length = DurationHistogram::default();
    // 10 sessions of 30 s to 1 min.
    session_length.buckets[6] = Count::new(10, 10);
    let mut previous_length = DurationHistogram::default();
    previous_length.buckets[6] = Count::new(5, 4);
    OverviewInput {
        current: OverviewPeriod {
            days: days(&["2026-03-02", "2026-03-03", "2026-03-04"]),
            sessions_per_day: vec![
                atom(&["2026-03-02"], 40, 40),
                atom(&["2026-03-03"], 5, 3),
                atom(&["2026-03-04"], 25, 25),
            ],
            hour_of_week: vec![
                atom(&["0"], 40, 40),
                atom(&["25"], 5, 3),
                atom(&["167"], 25, 25),
            ],
            session_length,
            one_touch: Count::new(10, 10),
            exhibits_per_session: vec![
                atom(&["5+"], 5, 3),
                atom(&["2"], 25, 25),
                atom(&["0"], 10, 10),
                atom(&["1"], 30, 30),
            ],
            languages: vec![atom(&["zh"], 50, 50), atom(&["en"], 20, 18)],
            accessibility: vec![atom(&["large_text"], 5, 3), atom(&["seated"], 10, 10)],
            audiences: vec![
                atom(&[""], 20, 20),
                atom(&["adult"], 30, 30),
                atom(&["child"], 20, 18),
            ],
        },
        previous: OverviewPeriod {
            days: days(&["2026-02-27", "2026-02-28", "2026-03-01"]),
            sessions_per_day: vec![atom(&["2026-02-27"], 30, 30), atom(&["2026-02-28"], 30, 30)],
            session_length: previous_length,
            ..OverviewPeriod::default()
        },
    }
}

#[test]
fn overview_by_hand() {
    let p = Suppression::default();
    let report = overview(&p, &sample(), &Chinese).unwrap().into_inner();

    // 40 + 5 + 25 = 70 against 30 + 30 = 60: +10, +1/6.
    assert_eq!(val(report.sessions.current), 70);
    assert_eq!(val(report.sessions.previous), 60);
    assert_eq!(val(report.sessions.difference), 10);
    assert!(close(val(report.sessions.relative), 10.0 / 60.0));

    // Day 2 rests on 3 sessions; the total would give it back from days 1 and 3, so the
    // smaller of those (25) is hidden too.
    let day = |i: usize| report.sessions_per_day[i].sessions.current.value();
    assert_eq!([day(0), day(1), day(2)], [Some(40), None, None]);
    assert_eq!(
        report.sessions_per_day[0].previous_day.as_deref(),
        Some("2026-02-27")
    );
    assert_eq!(val(report.sessions_per_day[0].sessions.difference), 10);
    assert!(
        report.sessions_per_day[1]
            .sessions
            .difference
            .is_suppressed()
    );
    assert_eq!(
        report.sessions_per_day[2].sessions.previous.value(),
        Some(0)
    );

    // Hour 0 = Monday 00h, 25 = Tuesday 01h, 167 = Sunday 23h.
    let heat = &report.hour_of_week;
    assert_eq!((heat.rows.len(), heat.columns.len()), (7, 24));
    assert_eq!(heat.cells[0][0].value(), Some(40));
    assert!(heat.cells[1][1].is_suppressed());
    assert_eq!(heat.cells[2][5].value(), Some(0));
    assert_eq!(heat.total.unwrap().value(), Some(70));

    // 10 sessions in [30 s, 1 min): median 30 + 0.5·30 = 45 s, p90 30 + 0.9·30 = 57 s. The
    // previous period's 4 sessions are too few.
    assert!(close(
        val(report.session_length_median_ms.current),
        45_000.0
    ));
    assert!(close(val(report.session_length_p90_ms.current), 57_000.0));
    assert!(report.session_length_median_ms.previous.is_suppressed());
    assert!(report.session_length_median_ms.difference.is_suppressed());

    // One-touch: 10 of 70 = 0.142857; previously none of 60.
    assert!(close(val(report.one_touch_share.current), 10.0 / 70.0));
    assert!(close(val(report.one_touch_share.previous), 0.0));

    // Exhibits per session in numeric order, "5+" last. "5+" rests on 3 sessions: hidden,
    // with the smallest other class ("0", 10). Shares of the total 70.
    let classes: Vec<&str> = report
        .exhibits_per_session
        .rows
        .iter()
        .map(|r| r.label.key.as_str())
        .collect();
    assert_eq!(classes, ["0", "1", "2", "5+"]);
    let shares: Vec<Option<f64>> = report
        .exhibits_per_session
        .rows
        .iter()
        .map(|r| r.share.current.value())
        .collect();
    assert_eq!(shares[0], None);
    assert!(close(shares[1].unwrap(), 30.0 / 70.0));
    assert!(close(shares[2].unwrap(), 25.0 / 70.0));
    assert_eq!(shares[3], None);
    // Nothing in the previous period: counts 0, shares empty.
    assert_eq!(
        report.exhibits_per_session.rows[1]
            .sessions
            .previous
            .value(),
        Some(0)
    );
    assert_eq!(
        report.exhibits_per_session.rows[1].share.previous.read(),
        Reading::Empty
    );

    // Languages: en 20/70, zh 50/70.
    let en = &report.languages.rows[0];
    assert_eq!(en.label.key, "en");
    assert!(close(val(en.share.current), 20.0 / 70.0));

    // Accessibility: large text on 3 sessions hidden; seated 10 of all 70 sessions.
    let modes = &report.accessibility_modes.rows;
    assert!(modes[0].sessions.current.is_suppressed() && modes[0].share.current.is_suppressed());
    assert!(close(val(modes[1].share.current), 10.0 / 70.0));
    assert_eq!(val(report.accessibility_modes.total.current), 70);

    // Audiences, named by `Names`: "" (no answer), 成人, child.
    let audiences: Vec<&str> = report
        .audiences
        .rows
        .iter()
        .map(|r| r.label.text.as_str())
        .collect();
    assert_eq!(audiences, ["", "成人", "child"]);
    assert!(close(
        val(report.audiences.rows[1].share.current),
        30.0 / 70.0
    ));
}

#[test]
fn overview_serializes_with_its_k() {
    let p = Suppression::default();
    let json = serde_json::to_value(overview(&p, &sample(), &NoNames).unwrap()).unwrap();
    assert_eq!(json["min_sessions"], 5);
    assert_eq!(json["report"]["sessions"]["current"]["value"], 70);
    assert_eq!(
        json["report"]["sessions_per_day"][1]["sessions"]["current"],
        serde_json::json!({"value": null, "suppressed": true})
    );
}

#[test]
fn malformed_rows_are_refused() {
    let p = Suppression::default();
    let mut input = sample();
    input
        .current
        .sessions_per_day
        .push(atom(&["2026-04-01"], 5, 5));
    assert_eq!(
        overview(&p, &input, &NoNames).unwrap_err(),
        ReportError::UnknownKey {
            what: "sessions per day",
            key: "2026-04-01".to_owned(),
            among: "days"
        }
    );
    let mut input = sample();
    input.current.hour_of_week.push(atom(&["168"], 5, 5));
    assert!(matches!(
        overview(&p, &input, &NoNames).unwrap_err(),
        ReportError::BadKey {
            what: "hour of week",
            ..
        }
    ));
    let mut input = sample();
    input.current.languages.push(atom(&["zh", "extra"], 5, 5));
    assert!(matches!(
        overview(&p, &input, &NoNames).unwrap_err(),
        ReportError::GroupShape {
            what: "languages",
            expected: 1,
            found: 2,
            ..
        }
    ));
}
