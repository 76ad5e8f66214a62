//! Prometheus metrics of this server process, kept in memory (each instance counts its own;
//! Prometheus adds them up). Rendered as text at `GET /metrics`, which is meant for the
//! internal network: it shows counts of requests, never anything about a visitor.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the batch-latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// What a batch carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    Events,
    Rollups,
}

#[derive(Default)]
pub struct Metrics {
    events_received: AtomicU64,
    events_stored: AtomicU64,
    rollups_received: AtomicU64,
    rollups_stored: AtomicU64,
    event_batches: AtomicU64,
    rollup_batches: AtomicU64,
    /// Counts per bucket (not cumulative), then the sum of seconds in microseconds.
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
    rejections: Mutex<BTreeMap<&'static str, u64>>,
    rolled_up: AtomicU64,
}

/// Figures read from the database when `/metrics` is asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreFigures {
    pub kiosks_seen_15m: u64,
    /// Age of the oldest event not yet rolled up (0 when none waits).
    pub rollup_lag_ms: u64,
}

impl Metrics {
    pub fn batch_accepted(&self, kind: BatchKind, received: u64, stored: u64, took: Duration) {
        let (batches, received_total, stored_total) = match kind {
            BatchKind::Events => (
                &self.event_batches,
                &self.events_received,
                &self.events_stored,
            ),
            BatchKind::Rollups => (
                &self.rollup_batches,
                &self.rollups_received,
                &self.rollups_stored,
            ),
        };
        batches.fetch_add(1, Ordering::Relaxed);
        received_total.fetch_add(received, Ordering::Relaxed);
        stored_total.fetch_add(stored, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// Events and kiosk roll-up rows this server's roll-up folded.
    pub fn rolled_up(&self, rows: u64) {
        self.rolled_up.fetch_add(rows, Ordering::Relaxed);
    }

    /// An ingest request refused, by the `error` code of its answer.
    pub fn rejected(&self, reason: &'static str) {
        let mut rejections = self
            .rejections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *rejections.entry(reason).or_default() += 1;
    }

    pub fn render(&self, figures: StoreFigures) -> String {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, samples: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        counter(
            "kepu_events_received_total",
            "Events in accepted batches (new and already stored).",
            &[("", load(&self.events_received))],
        );
        counter(
            "kepu_events_accepted_total",
            "Events newly stored.",
            &[("", load(&self.events_stored))],
        );
        counter(
            "kepu_rollups_accepted_total",
            "Kiosk roll-up rows newly stored.",
            &[("", load(&self.rollups_stored))],
        );
        counter(
            "kepu_rolled_up_total",
            "Events and kiosk roll-up rows folded into the hourly roll-ups by this server.",
            &[("", load(&self.rolled_up))],
        );
        counter(
            "kepu_batches_total",
            "Accepted ingest requests.",
            &[
                ("{kind=\"events\"}", load(&self.event_batches)),
                ("{kind=\"rollups\"}", load(&self.rollup_batches)),
            ],
        );
        let rejections: Vec<(String, u64)> = self
            .rejections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|(reason, n)| (format!("{{reason=\"{reason}\"}}"), *n))
            .collect();
        let samples: Vec<(&str, u64)> = rejections.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        counter(
            "kepu_ingest_rejections_total",
            "Refused ingest requests, by the error code of the answer.",
            &samples,
        );

        let name = "kepu_batch_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to check and store an accepted batch.\n# TYPE {name} histogram"
        );
        let mut cumulative = 0;
        for (index, bound) in LATENCY_BUCKETS.iter().enumerate() {
            cumulative += load(&self.latency_buckets[index]);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += load(&self.latency_buckets[LATENCY_BUCKETS.len()]);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = load(&self.latency_sum_us) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {cumulative}");

        let name = "kepu_kiosks_seen_15m";
        let _ = writeln!(
            out,
            "# HELP {name} Kiosks with an accepted request in the last 15 minutes.\n# TYPE {name} gauge\n{name} {}",
            figures.kiosks_seen_15m
        );
        let name = "kepu_rollup_lag_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Age of the oldest event not yet rolled up (0: none waits).\n# TYPE {name} gauge\n{name} {}",
            figures.rollup_lag_ms as f64 / 1000.0
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_as_prometheus_text() {
        let metrics = Metrics::default();
        metrics.batch_accepted(BatchKind::Events, 500, 480, Duration::from_millis(20));
        metrics.batch_accepted(BatchKind::Events, 10, 10, Duration::from_secs(30));
        metrics.batch_accepted(BatchKind::Rollups, 3, 3, Duration::from_micros(500));
        metrics.rejected("bad_identifier");
        metrics.rejected("bad_identifier");
        metrics.rejected("unauthorized");
        metrics.rolled_up(12);
        let text = metrics.render(StoreFigures {
            kiosks_seen_15m: 7,
            rollup_lag_ms: 2_500,
        });
        for line in [
            "kepu_events_received_total 510",
            "kepu_events_accepted_total 490",
            "kepu_rollups_accepted_total 3",
            "kepu_batches_total{kind=\"events\"} 2",
            "kepu_ingest_rejections_total{reason=\"bad_identifier\"} 2",
            "kepu_ingest_rejections_total{reason=\"unauthorized\"} 1",
            "kepu_batch_duration_seconds_bucket{le=\"0.001\"} 1",
            "kepu_batch_duration_seconds_bucket{le=\"0.025\"} 2",
            "kepu_batch_duration_seconds_bucket{le=\"10\"} 2",
            "kepu_batch_duration_seconds_bucket{le=\"+Inf\"} 3",
            "kepu_batch_duration_seconds_count 3",
            "kepu_kiosks_seen_15m 7",
            "kepu_rolled_up_total 12",
            "kepu_rollup_lag_seconds 2.5",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}
