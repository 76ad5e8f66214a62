//! Charts drawn by the server as inline SVG: no script, nothing fetched, readable with
//! JavaScript off and printable. Each chart is a pure function from numbers to markup; a
//! suppressed value (`None`) is drawn as a hatched gap, never as zero. Colours come from the
//! dashboard's stylesheet through class names (`bar`, `bar-previous`, `heat-0`…`heat-5`,
//! `suppressed`), so the one theme decides them and the Content-Security-Policy needs no inline
//! styles. Every chart carries a `<title>` and `<desc>` for screen readers, and the page shows
//! the same numbers in a table beside it.

use crate::reports::SUPPRESSED_MARK;
use maud::{Markup, html};

/// Width and height of the drawing area, in SVG user units (the SVG scales to its box).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const MARGIN_LEFT: f64 = 48.0;
const MARGIN_BOTTOM: f64 = 28.0;
const MARGIN_TOP: f64 = 12.0;

/// One series of a bar chart.
pub struct Series<'a> {
    pub label: &'a str,
    pub values: &'a [Option<f64>],
}

/// Bars per category (e.g. sessions per day), the previous period drawn as a thinner bar
/// behind each: `labels` name the categories (every n-th is written under the axis).
pub fn bars(title: &str, labels: &[String], current: &Series, previous: Option<&Series>) -> Markup {
    let n = labels.len().max(1);
    let max = current
        .values
        .iter()
        .chain(previous.map_or(&[][..], |p| p.values))
        .flatten()
        .fold(0.0_f64, |m, v| m.max(*v));
    let scale = nice_ceiling(max);
    let plot_w = WIDTH - MARGIN_LEFT;
    let plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
    let step = plot_w / n as f64;
    let y = |v: f64| MARGIN_TOP + plot_h * (1.0 - v / scale);
    let label_every = n.div_ceil(10);
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
            aria-labelledby="chart-title" preserveAspectRatio="xMidYMid meet" {
            title { (title) }
            desc { (describe(labels, current)) }
            (axis(scale, plot_h))
            @for (i, label) in labels.iter().enumerate() {
                @let x = MARGIN_LEFT + step * i as f64;
                @if let Some(previous) = previous {
                    @if let Some(Some(v)) = previous.values.get(i) {
                        rect class="bar-previous" x=(fmt(x + step * 0.1)) y=(fmt(y(*v)))
                            width=(fmt(step * 0.8)) height=(fmt(MARGIN_TOP + plot_h - y(*v))) {
                            title { (previous.label) " " (label) ": " (number(*v)) }
                        }
                    }
                }
                @match current.values.get(i).copied().flatten() {
                    Some(v) => {
                        rect class="bar" x=(fmt(x + step * 0.25)) y=(fmt(y(v)))
                            width=(fmt(step * 0.5)) height=(fmt(MARGIN_TOP + plot_h - y(v))) {
                            title { (current.label) " " (label) ": " (number(v)) }
                        }
                    }
                    None => {
                        rect class="suppressed" x=(fmt(x + step * 0.25)) y=(fmt(MARGIN_TOP + plot_h - 6.0))
                            width=(fmt(step * 0.5)) height="6" {
                            title { (label) ": —" }
                        }
                    }
                }
                @if i % label_every == 0 {
                    text class="tick" x=(fmt(x + step / 2.0)) y=(fmt(HEIGHT - 8.0)) text-anchor="middle" { (label) }
                }
            }
        }
    }
}

/// The hour-of-week heatmap: `values[day][hour]`, Monday first; `days` and `hours` label the
/// rows and columns.
pub fn heatmap(title: &str, days: &[String; 7], values: &[[Option<f64>; 24]; 7]) -> Markup {
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(*v));
    let cell_w = (WIDTH - MARGIN_LEFT) / 24.0;
    let cell_h = (HEIGHT - MARGIN_BOTTOM) / 7.0;
    html! {
        svg class="chart heatmap" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" {
            title { (title) }
            desc { (title) ": " (days.join(", ")) " × 0–23 h" }
            @for (d, row) in values.iter().enumerate() {
                text class="tick" x=(fmt(MARGIN_LEFT - 6.0)) y=(fmt(cell_h * d as f64 + cell_h * 0.65)) text-anchor="end" { (days[d]) }
                @for (h, value) in row.iter().enumerate() {
                    @let x = MARGIN_LEFT + cell_w * h as f64;
                    @let y = cell_h * d as f64;
                    @match value {
                        Some(v) => {
                            rect class=(format!("heat-{}", heat_level(*v, max))) x=(fmt(x)) y=(fmt(y))
                                width=(fmt(cell_w - 1.0)) height=(fmt(cell_h - 1.0)) {
                                title { (days[d]) " " (h) ":00 — " (number(*v)) }
                            }
                        }
                        None => {
                            rect class="suppressed" x=(fmt(x)) y=(fmt(y))
                                width=(fmt(cell_w - 1.0)) height=(fmt(cell_h - 1.0)) {
                                title { (days[d]) " " (h) ":00 — " }
                            }
                        }
                    }
                }
            }
            @for h in (0..24).step_by(3) {
                text class="tick" x=(fmt(MARGIN_LEFT + cell_w * h as f64 + cell_w / 2.0)) y=(fmt(HEIGHT - 8.0)) text-anchor="middle" { (h) }
            }
        }
    }
}

/// A survival curve: the share of sessions still there (0..=1) at each time point, drawn as
/// a step line; `points` are (seconds, share), the first at 0 s.
pub fn survival(title: &str, curves: &[(&str, &[(f64, Option<f64>)])]) -> Markup {
    // Time on a square-root axis: the short end, where dwell piles up, gets room.
    let max_t = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(t, _)| *t))
        .fold(1.0_f64, f64::max);
    let plot_w = WIDTH - MARGIN_LEFT;
    let plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
    let x = |t: f64| MARGIN_LEFT + plot_w * (t / max_t).sqrt();
    let y = |share: f64| MARGIN_TOP + plot_h * (1.0 - share);
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" {
            title { (title) }
            desc { (title) }
            (axis(1.0, plot_h))
            @for (i, (label, points)) in curves.iter().enumerate() {
                @let path = step_path(points, x, y);
                @if !path.is_empty() {
                    path class=(format!("line line-{i}")) d=(path) fill="none" { title { (label) } }
                }
            }
            @for t in [10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0] {
                @if t <= max_t {
                    text class="tick" x=(fmt(x(t))) y=(fmt(HEIGHT - 8.0)) text-anchor="middle" { (duration_label(t)) }
                }
            }
        }
    }
}

/// Horizontal bars of shares (0..=1), one per row, e.g. languages or the funnel's steps.
pub fn share_bars(title: &str, rows: &[(String, Option<f64>)]) -> Markup {
    let row_h = 28.0;
    let height = row_h * rows.len().max(1) as f64;
    let label_w = 220.0;
    let bar_w = WIDTH - label_w - 70.0;
    html! {
        svg class="chart shares" viewBox=(format!("0 0 {WIDTH} {}", fmt(height))) role="img" {
            title { (title) }
            desc { (title) }
            @for (i, (label, share)) in rows.iter().enumerate() {
                @let y = row_h * i as f64;
                text class="tick" x=(fmt(label_w - 8.0)) y=(fmt(y + row_h * 0.65)) text-anchor="end" { (label) }
                @match share {
                    Some(s) => {
                        rect class="bar" x=(fmt(label_w)) y=(fmt(y + 4.0)) width=(fmt(bar_w * s.clamp(0.0, 1.0))) height=(fmt(row_h - 8.0)) {}
                        text class="value" x=(fmt(label_w + bar_w * s.clamp(0.0, 1.0) + 6.0)) y=(fmt(y + row_h * 0.65)) { (percent(*s)) }
                    }
                    None => {
                        rect class="suppressed" x=(fmt(label_w)) y=(fmt(y + 4.0)) width="40" height=(fmt(row_h - 8.0)) {}
                        text class="value" x=(fmt(label_w + 46.0)) y=(fmt(y + row_h * 0.65)) { "—" }
                    }
                }
            }
        }
    }
}

/// Proportions with their 95 % intervals, one row each: (label, estimate, low, high).
pub fn intervals(title: &str, rows: &[(String, Option<(f64, f64, f64)>)]) -> Markup {
    let row_h = 26.0;
    let height = row_h * rows.len().max(1) as f64 + 20.0;
    let label_w = 260.0;
    let plot_w = WIDTH - label_w - 20.0;
    let x = |share: f64| label_w + plot_w * share.clamp(0.0, 1.0);
    html! {
        svg class="chart intervals" viewBox=(format!("0 0 {WIDTH} {}", fmt(height))) role="img" {
            title { (title) }
            desc { (title) }
            @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line class="grid" x1=(fmt(x(tick))) x2=(fmt(x(tick))) y1="0" y2=(fmt(height - 18.0)) {}
                text class="tick" x=(fmt(x(tick))) y=(fmt(height - 4.0)) text-anchor="middle" { (percent(tick)) }
            }
            @for (i, (label, estimate)) in rows.iter().enumerate() {
                @let y = row_h * i as f64 + row_h / 2.0;
                text class="tick" x=(fmt(label_w - 8.0)) y=(fmt(y + 5.0)) text-anchor="end" { (label) }
                @if let Some((p, low, high)) = estimate {
                    line class="whisker" x1=(fmt(x(*low))) x2=(fmt(x(*high))) y1=(fmt(y)) y2=(fmt(y)) {}
                    circle class="dot" cx=(fmt(x(*p))) cy=(fmt(y)) r="5" {
                        title { (label) ": " (percent(*p)) " (" (percent(*low)) "–" (percent(*high)) ")" }
                    }
                } @else {
                    text class="value" x=(fmt(label_w + 4.0)) y=(fmt(y + 5.0)) { "—" }
                }
            }
        }
    }
}

/// A histogram of the values an estimate question was answered with, and its true value:
/// one bar per bin between `edges` (`bins.len() + 1` of them, increasing), each edge written
/// under the axis, and a vertical line at `truth` labelled `truth_label` (translated by the
/// caller, e.g. "true value 150"). A suppressed bin (`None`) is a dashed placeholder marked
/// with the suppression mark, never a bar.
pub fn distribution(
    title: &str,
    edges: &[f64],
    bins: &[Option<f64>],
    truth: f64,
    truth_label: &str,
) -> Markup {
    // Room above the plot for the true value's label.
    let top = 30.0;
    let plot_w = WIDTH - MARGIN_LEFT;
    let plot_h = HEIGHT - MARGIN_BOTTOM - top;
    let baseline = top + plot_h;
    let (low, high) = match (edges.first(), edges.last()) {
        (Some(low), Some(high)) if high > low => (*low, *high),
        _ => (0.0, 1.0),
    };
    let x = |v: f64| MARGIN_LEFT + plot_w * ((v - low) / (high - low)).clamp(0.0, 1.0);
    let (scale, divisions) = count_scale(bins.iter().flatten().fold(0.0_f64, |m, v| m.max(*v)));
    let y = |v: f64| top + plot_h * (1.0 - v / scale);
    // Edge labels as wide as they need (about 8 units a character at 14 px), thinned out
    // until they fit between their ticks.
    let widest = edges
        .iter()
        .map(|e| decimal(*e).chars().count())
        .max()
        .unwrap_or(1) as f64
        * 8.0
        + 8.0;
    let tick_gap = plot_w / bins.len().max(1) as f64;
    let label_every = ((widest / tick_gap).ceil() as usize).max(1);
    let truth_x = x(truth);
    // The label reads away from the nearer side, so it stays inside the drawing.
    let anchor = if truth_x > MARGIN_LEFT + plot_w / 2.0 {
        "end"
    } else {
        "start"
    };
    let label_x = if anchor == "end" {
        truth_x - 6.0
    } else {
        truth_x + 6.0
    };
    let bin_text = |i: usize| {
        format!(
            "{}–{}",
            decimal(edges.get(i).copied().unwrap_or(low)),
            decimal(edges.get(i + 1).copied().unwrap_or(high))
        )
    };
    let value_text = |v: Option<f64>| v.map_or_else(|| SUPPRESSED_MARK.to_owned(), number);
    let description = format!(
        "{title}: {}; {truth_label}",
        bins.iter()
            .enumerate()
            .map(|(i, v)| format!("{}: {}", bin_text(i), value_text(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        svg class="chart distribution" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
            preserveAspectRatio="xMidYMid meet" {
            title { (title) }
            desc { (description) }
            (axis_from(scale, divisions, top, plot_h, false))
            @for (i, value) in bins.iter().enumerate() {
                @let left = x(edges.get(i).copied().unwrap_or(low));
                @let right = x(edges.get(i + 1).copied().unwrap_or(high));
                @let width = (right - left - 2.0).max(1.0);
                @match value {
                    Some(v) => {
                        @if *v > 0.0 {
                            rect class="bar" x=(fmt(left + 1.0)) y=(fmt(y(*v)))
                                width=(fmt(width)) height=(fmt(baseline - y(*v))) {
                                title { (bin_text(i)) ": " (number(*v)) }
                            }
                        }
                    }
                    None => {
                        rect class="suppressed" x=(fmt(left + 1.0)) y=(fmt(baseline - 18.0))
                            width=(fmt(width)) height="18" {
                            title { (bin_text(i)) ": " (SUPPRESSED_MARK) }
                        }
                        text class="value" x=(fmt((left + right) / 2.0)) y=(fmt(baseline - 24.0))
                            text-anchor="middle" { (SUPPRESSED_MARK) }
                    }
                }
            }
            line class="baseline" x1=(fmt(MARGIN_LEFT)) x2=(fmt(WIDTH)) y1=(fmt(baseline)) y2=(fmt(baseline)) {}
            @for (i, edge) in edges.iter().enumerate() {
                @if i % label_every == 0 || i + 1 == edges.len() {
                    line class="tick-mark" x1=(fmt(x(*edge))) x2=(fmt(x(*edge))) y1=(fmt(baseline)) y2=(fmt(baseline + 5.0)) {}
                    text class="tick" x=(fmt(x(*edge))) y=(fmt(HEIGHT - 8.0))
                        text-anchor=(if i == 0 { "start" } else if i + 1 == edges.len() { "end" } else { "middle" }) {
                        (decimal(*edge))
                    }
                }
            }
            line class="truth-halo" x1=(fmt(truth_x)) x2=(fmt(truth_x)) y1=(fmt(top - 8.0)) y2=(fmt(baseline)) {}
            line class="truth" x1=(fmt(truth_x)) x2=(fmt(truth_x)) y1=(fmt(top - 8.0)) y2=(fmt(baseline)) {
                title { (truth_label) }
            }
            text class="truth-label" x=(fmt(label_x)) y=(fmt(top - 12.0)) text-anchor=(anchor) { (truth_label) }
        }
    }
}

fn axis(scale: f64, plot_h: f64) -> Markup {
    axis_from(scale, 4, MARGIN_TOP, plot_h, scale <= 1.0)
}

/// Grid lines and labels of a value axis from 0 to `scale` in `divisions` steps, its top at
/// `top`, labelled as percentages or as numbers.
fn axis_from(scale: f64, divisions: u32, top: f64, plot_h: f64, percentages: bool) -> Markup {
    let divisions = divisions.max(1);
    html! {
        @for i in 0..=divisions {
            @let part = f64::from(i) / f64::from(divisions);
            @let v = scale * part;
            @let y = top + plot_h * (1.0 - part);
            line class="grid" x1=(fmt(MARGIN_LEFT)) x2=(fmt(WIDTH)) y1=(fmt(y)) y2=(fmt(y)) {}
            text class="tick" x=(fmt(MARGIN_LEFT - 6.0)) y=(fmt(y + 4.0)) text-anchor="end" {
                @if percentages { (percent(v)) } @else { (number(v)) }
            }
        }
    }
}

/// An SVG path of steps through `points` (a gap where a value is suppressed).
fn step_path(
    points: &[(f64, Option<f64>)],
    x: impl Fn(f64) -> f64,
    y: impl Fn(f64) -> f64,
) -> String {
    let mut path = String::new();
    let mut last: Option<f64> = None;
    for (t, share) in points {
        match (share, last) {
            (Some(s), None) => {
                path.push_str(&format!("M{} {}", fmt(x(*t)), fmt(y(*s))));
                last = Some(*s);
            }
            (Some(s), Some(_)) => {
                path.push_str(&format!(" H{} V{}", fmt(x(*t)), fmt(y(*s))));
                last = Some(*s);
            }
            (None, _) => last = None,
        }
    }
    path
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * power)
}

/// A count axis's top and its number of steps: whole steps of 1, 2 or 5 times a power of
/// ten, at most five of them (so 48 gets 0, 10, ..., 50, and 7 gets 0, 2, ..., 8).
fn count_scale(max: f64) -> (f64, u32) {
    let max = max.max(1.0);
    let mut step = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let divisions = (max / (step * m)).ceil();
            if divisions <= 5.0 {
                return (divisions * step * m, divisions as u32);
            }
        }
        step *= 10.0;
    }
}

/// One of six shades (0 = none) for a heatmap cell.
fn heat_level(value: f64, max: f64) -> u32 {
    if value <= 0.0 || max <= 0.0 {
        0
    } else {
        1 + ((value / max) * 4.999).floor().clamp(0.0, 4.0) as u32
    }
}

fn describe(labels: &[String], series: &Series) -> String {
    let total: f64 = series.values.iter().flatten().sum();
    format!(
        "{}: {} ({} – {})",
        series.label,
        number(total),
        labels.first().map_or("", String::as_str),
        labels.last().map_or("", String::as_str)
    )
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A value as people write it: at most two decimals, no trailing zeros (`150`, `36.6`,
/// `0.05`), for values on a scale of the manifest's (edges, a true value).
pub fn decimal(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

fn duration_label(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{:.0} min", seconds / 60.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(480.0), 500.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
    }

    #[test]
    fn suppressed_values_are_drawn_as_gaps_not_zeroes() {
        let labels = vec!["1".to_owned(), "2".to_owned()];
        let values = [Some(10.0), None];
        let svg = bars(
            "Sessions",
            &labels,
            &Series {
                label: "now",
                values: &values,
            },
            None,
        )
        .into_string();
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
        assert_eq!(svg.matches("class=\"suppressed\"").count(), 1);
        assert!(svg.contains("<title>Sessions</title>"));
        assert!(!svg.contains("style="), "no inline styles (CSP)");
    }

    #[test]
    fn a_survival_curve_steps_down_and_breaks_at_a_gap() {
        let points = [
            (0.0, Some(1.0)),
            (10.0, Some(0.5)),
            (30.0, None),
            (60.0, Some(0.1)),
        ];
        let path = step_path(&points, |t| t, |s| s * 100.0);
        assert_eq!(path, "M0.0 100.0 H10.0 V50.0M60.0 10.0");
    }

    #[test]
    fn a_distribution_marks_the_true_value_and_never_draws_a_suppressed_bin() {
        // Ten bins of 0..100; the fourth suppressed, the last empty.
        let edges: Vec<f64> = (0..=10).map(|i| f64::from(i) * 10.0).collect();
        let mut bins: Vec<Option<f64>> = (1..=10).map(|i| Some(f64::from(i) * 7.0)).collect();
        bins[3] = None;
        bins[9] = Some(0.0);
        let svg = distribution("Values given", &edges, &bins, 73.0, "true value 73").into_string();
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title>Values given</title>"));
        assert!(!svg.contains("style="), "no inline styles (CSP)");
        // The line at 73 of 0..100 on the plot's 48..720: x = 48 + 672 × 0.73 = 538.6.
        let x = fmt(MARGIN_LEFT + (WIDTH - MARGIN_LEFT) * 0.73);
        assert_eq!(x, "538.6");
        assert!(
            svg.contains(&format!("<line class=\"truth\" x1=\"{x}\" x2=\"{x}\"")),
            "{svg}"
        );
        assert!(svg.contains(">true value 73</text>"));
        // Eight bars (the suppressed and the empty bin have none), one placeholder marked "x",
        // and no count of the suppressed bin anywhere: its tooltip says "x".
        assert_eq!(svg.matches("class=\"bar\"").count(), 8);
        assert_eq!(svg.matches("class=\"suppressed\"").count(), 1);
        assert!(svg.contains("<title>30–40: x</title>"));
        assert!(svg.contains(">x</text>"));
        assert!(!svg.contains("30–40: 28"));
        // Every edge is written under the axis, and the description lists every bin.
        for edge in &edges {
            assert!(
                svg.contains(&format!(">{}</text>", decimal(*edge))),
                "{edge}"
            );
        }
        assert!(svg.contains("<desc>Values given: 0–10: 7, 10–20: 14, 20–30: 21, 30–40: x,"));
        assert!(svg.contains("90–100: 0; true value 73</desc>"));
    }

    #[test]
    fn a_true_value_near_the_right_end_is_labelled_leftwards() {
        let edges = [0.0, 0.5, 1.0];
        let svg = distribution("t", &edges, &[None, None], 0.9, "正确值 0.9").into_string();
        assert!(
            svg.contains("text-anchor=\"end\">正确值 0.9</text>"),
            "{svg}"
        );
        // All suppressed: no bars, and the value axis is still of counts, not percentages.
        assert_eq!(svg.matches("class=\"bar\"").count(), 0);
        assert!(!svg.contains('%'));
    }

    #[test]
    fn decimals_are_written_plainly() {
        assert_eq!(decimal(150.0), "150");
        assert_eq!(decimal(36.6), "36.6");
        assert_eq!(decimal(0.1 + 0.2), "0.3");
        assert_eq!(decimal(0.05), "0.05");
        assert_eq!(decimal(-0.001), "0");
        assert_eq!(decimal(-2.5), "-2.5");
    }

    #[test]
    fn count_axes_step_in_whole_round_numbers() {
        assert_eq!(count_scale(0.0), (1.0, 1));
        assert_eq!(count_scale(7.0), (8.0, 4));
        assert_eq!(count_scale(20.0), (20.0, 4));
        assert_eq!(count_scale(48.0), (50.0, 5));
        assert_eq!(count_scale(1234.0), (1500.0, 3));
    }

    #[test]
    fn heat_levels_span_the_range() {
        assert_eq!(heat_level(0.0, 10.0), 0);
        assert_eq!(heat_level(1.0, 10.0), 1);
        assert_eq!(heat_level(10.0, 10.0), 5);
    }
}
