//! The pure part of the roll-up: what one raw event (or one kiosk roll-up row) adds to the
//! hourly rows, how it changes its visitor session and that session's facts (what it did at
//! each exhibit, its first answers, placements, hotspots), and what a heartbeat says of its
//! kiosk. No SQL here; unit-tested on its own.

use kepu_core::wire::{EngagementEvent, EventKind, KioskHealth, ROLLUP_PERIOD_MS};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Upper bounds of the duration histogram's buckets (the last bucket has none): 1 s, 2 s, 5 s,
/// 10 s, 20 s, 30 s, 1 min, 2 min, 5 min, 10 min, 30 min. Dwell piles up at the short end, so
/// the buckets are narrow there.
pub const DURATION_BUCKETS_MS: [u64; 11] = [
    1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
];
pub const BUCKETS: usize = DURATION_BUCKETS_MS.len() + 1;

/// Which bucket a duration falls in.
pub fn duration_bucket(ms: u64) -> usize {
    DURATION_BUCKETS_MS
        .iter()
        .position(|&bound| ms < bound)
        .unwrap_or(DURATION_BUCKETS_MS.len())
}

/// The start of the hour `at_ms` is in.
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS
}

/// "I am a..." as the roll-up keys it: the audience's name, `skipped`, or `""` before (or
/// without) an answer.
pub const AUDIENCE_SKIPPED: &str = "skipped";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HourKey {
    pub hour_start_ms: i64,
    pub kiosk_id: String,
    pub exhibit_id: String,
    pub audience: String,
    pub language: String,
    pub event_type: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HourCounts {
    pub events: u64,
    pub correct: u64,
    pub duration_sum_ms: u64,
    pub buckets: [u64; BUCKETS],
}

impl HourCounts {
    fn add(&mut self, events: u64, correct: u64, duration_ms: Option<u64>) {
        self.events = self.events.saturating_add(events);
        self.correct = self.correct.saturating_add(correct);
        if let Some(ms) = duration_ms {
            self.duration_sum_ms = self.duration_sum_ms.saturating_add(ms);
            let bucket = &mut self.buckets[duration_bucket(ms)];
            *bucket = bucket.saturating_add(1);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DetailKey {
    pub hour: HourKey,
    /// The question, item, hotspot, page or parameter.
    pub element: String,
    /// The choice picked (quiz) or the bin (sort); `""` for the others.
    pub choice: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetailCounts {
    pub count: u64,
    pub correct: u64,
}

/// What the roll-up knows of one visitor session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionState {
    pub session_id: String,
    pub kiosk_id: String,
    /// Its first event's time: the session belongs to this hour ([`SessionState::start_hour_ms`]).
    pub started_at_ms: i64,
    pub start_language: String,
    /// The language now (after any language change).
    pub language: String,
    pub audience: String,
    /// Each mode: on at the start or turned on at any moment of the session (a report asks
    /// how many sessions used it, not how many began with it).
    pub large_text: bool,
    pub high_contrast: bool,
    pub seated: bool,
    pub exhibits_opened: u64,
    pub first_exhibit: String,
    pub last_exhibit: String,
    pub ended: bool,
    pub duration_ms: u64,
    pub end_reason: String,
    pub events: u64,
}

impl SessionState {
    /// The hour the session started in: its atoms' hour.
    pub fn start_hour_ms(&self) -> i64 {
        hour_of(self.started_at_ms)
    }
}

/// A session's record key: the first 4 bytes of SHA-256(secret ‖ session id), big-endian, as
/// a non-negative 31-bit number. Keyed by a secret only the database holds, so nobody can
/// compute a cell key from session ids; 31 bits so that the sum over any atom (fewer than
/// 2^32 sessions) fits in a BIGINT. SHA-256 over the concatenation rather than HMAC: the key
/// is fixed-length, the output never leaves the server, and length extension gives nothing.
pub fn record_key(secret: &str, session_id: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(secret.as_bytes())
        .chain_update(session_id.as_bytes())
        .finalize();
    let first = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    i64::from(first & 0x7fff_ffff)
}

/// One session at one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExhibitKey {
    pub session_id: String,
    pub exhibit_id: String,
}

/// What a pass adds to a session's row for an exhibit: the counts are added to the stored
/// ones, `max_page` is the larger of the two (see `members::after_pass`). (Distinct items
/// placed right and hotspots opened come from [`Fold::placements`] and [`Fold::hotspots`].)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExhibitFacts {
    pub opens: u64,
    pub closes: u64,
    /// Sum of the `exhibit_close` dwell times.
    pub dwell_ms: u64,
    /// Highest story page viewed (pages count from 1; 0: none).
    pub max_page: u64,
    /// Quiz answers given (retakes included).
    pub answered: u64,
    /// `quiz_complete` events.
    pub quiz_completed: u64,
}

/// One session's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnswerKey {
    pub session_id: String,
    pub exhibit_id: String,
    pub question_id: String,
}

/// A session's first answer to a question: the one with the lowest `seq` (the kiosk numbers
/// its events in order, and a session lives within one run of the kiosk), so arrival order
/// does not matter. Item analysis (difficulty, discrimination, distractors) reads first
/// attempts: a retake after the explanation was shown measures the explanation, and one
/// answer per session and question keeps each session counted once.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstAnswer {
    pub seq: u64,
    pub correct: bool,
    /// The choice ids picked, in the order given.
    pub choices: Vec<String>,
    /// An estimate question's number.
    pub value: Option<f64>,
    pub answer_ms: u64,
}

/// One session's placements of one sort item into one bin.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlacementKey {
    pub session_id: String,
    pub exhibit_id: String,
    pub item_id: String,
    pub bin_id: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlacementCounts {
    pub placements: u64,
    pub correct: u64,
}

/// A hotspot a session opened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HotspotKey {
    pub session_id: String,
    pub exhibit_id: String,
    pub hotspot_id: String,
}

/// The newest heartbeat of a kiosk in a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub occurred_at_ms: i64,
    pub health: KioskHealth,
}

/// One kiosk roll-up row (an outbox's hourly count), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskRollup {
    pub kiosk_id: String,
    pub hour_start_ms: i64,
    pub event_type: String,
    pub exhibit_id: Option<String>,
    pub count: u64,
    pub correct: u64,
}

/// The sums of one roll-up pass, added to the stored rows at its end.
#[derive(Debug, Default)]
pub struct Fold {
    pub hours: HashMap<HourKey, HourCounts>,
    pub details: HashMap<DetailKey, DetailCounts>,
    /// Sessions touched, in their new state; those already stored must be loaded first.
    pub sessions: HashMap<String, SessionState>,
    /// Per session and exhibit, what this pass adds.
    pub exhibits: HashMap<ExhibitKey, ExhibitFacts>,
    /// Per session and question, the earliest answer of this pass (stored only if earlier
    /// than the one stored).
    pub answers: HashMap<AnswerKey, FirstAnswer>,
    pub placements: HashMap<PlacementKey, PlacementCounts>,
    pub hotspots: HashSet<HotspotKey>,
    /// Per kiosk, its newest heartbeat of this pass (stored only if newer than the stored one).
    pub heartbeats: HashMap<String, Heartbeat>,
    /// Per kiosk and hour, the most exhibits any heartbeat of that hour said were on show.
    pub heartbeat_hours: HashMap<(String, i64), u64>,
}

impl Fold {
    /// Counts one raw event. `occurred_at_ms` is its time as stored (the receive time when the
    /// kiosk's clock was not trusted).
    pub fn event(&mut self, event: &EngagementEvent, occurred_at_ms: i64) {
        let (audience, language) = match event.session_id {
            Some(id) => {
                let id = id.to_string();
                let session = self.session(id.clone(), &event.kiosk_id, occurred_at_ms);
                session.events = session.events.saturating_add(1);
                apply_to_session(session, &event.event);
                let keys = (session.audience.clone(), session.language.clone());
                self.facts(id, event.seq, &event.event);
                keys
            }
            None => (String::new(), String::new()),
        };
        if let EventKind::KioskHeartbeat(health) = &event.event {
            self.heartbeat(&event.kiosk_id, occurred_at_ms, health);
        }
        let hour = HourKey {
            hour_start_ms: hour_of(occurred_at_ms),
            kiosk_id: event.kiosk_id.clone(),
            exhibit_id: event.event.exhibit_id().unwrap_or_default().to_owned(),
            audience,
            language,
            event_type: event.event.type_name().to_owned(),
        };
        let (correct, duration) = match &event.event {
            EventKind::QuizAnswer {
                correct, answer_ms, ..
            } => (u64::from(*correct), Some(*answer_ms)),
            EventKind::SortPlacement { correct, .. } => (u64::from(*correct), None),
            EventKind::ExhibitClose { dwell_ms, .. } => (0, Some(*dwell_ms)),
            EventKind::SessionEnd { duration_ms, .. } => (0, Some(*duration_ms)),
            EventKind::SimulationSummary { played_ms, .. } => (0, Some(*played_ms)),
            _ => (0, None),
        };
        for (element, choice, count, correct) in details(&event.event) {
            let counts = self
                .details
                .entry(DetailKey {
                    hour: hour.clone(),
                    element,
                    choice,
                })
                .or_default();
            counts.count = counts.count.saturating_add(count);
            counts.correct = counts.correct.saturating_add(correct);
        }
        self.hours
            .entry(hour)
            .or_default()
            .add(1, correct, duration);
    }

    /// Counts one kiosk roll-up row: no session, so audience and language are unknown.
    pub fn kiosk_rollup(&mut self, rollup: &KioskRollup) {
        let hour = HourKey {
            hour_start_ms: hour_of(rollup.hour_start_ms),
            kiosk_id: rollup.kiosk_id.clone(),
            exhibit_id: rollup.exhibit_id.clone().unwrap_or_default(),
            audience: String::new(),
            language: String::new(),
            event_type: rollup.event_type.clone(),
        };
        self.hours
            .entry(hour)
            .or_default()
            .add(rollup.count, rollup.correct, None);
    }

    /// What a session's event adds to its facts.
    fn facts(&mut self, session_id: String, seq: u64, kind: &EventKind) {
        let Some(exhibit_id) = kind.exhibit_id() else {
            return;
        };
        let key = ExhibitKey {
            session_id,
            exhibit_id: exhibit_id.to_owned(),
        };
        // Every event at an exhibit makes its row: each exhibit a session touched has one.
        let facts = self.exhibits.entry(key.clone()).or_default();
        match kind {
            EventKind::ExhibitOpen { .. } => facts.opens = facts.opens.saturating_add(1),
            EventKind::ExhibitClose { dwell_ms, .. } => {
                facts.closes = facts.closes.saturating_add(1);
                facts.dwell_ms = facts.dwell_ms.saturating_add(*dwell_ms);
            }
            EventKind::StoryPageView { page, .. } => {
                facts.max_page = facts.max_page.max(u64::from(*page));
            }
            EventKind::QuizComplete { .. } => {
                facts.quiz_completed = facts.quiz_completed.saturating_add(1);
            }
            EventKind::QuizAnswer {
                question_id,
                choice_ids,
                correct,
                value,
                answer_ms,
                ..
            } => {
                facts.answered = facts.answered.saturating_add(1);
                let answer = FirstAnswer {
                    seq,
                    correct: *correct,
                    choices: choice_ids.clone(),
                    value: *value,
                    answer_ms: *answer_ms,
                };
                let slot = self
                    .answers
                    .entry(AnswerKey {
                        session_id: key.session_id,
                        exhibit_id: key.exhibit_id,
                        question_id: question_id.clone(),
                    })
                    .or_insert_with(|| answer.clone());
                if answer.seq < slot.seq {
                    *slot = answer;
                }
            }
            EventKind::SortPlacement {
                item_id,
                bin_id,
                correct,
                ..
            } => {
                let counts = self
                    .placements
                    .entry(PlacementKey {
                        session_id: key.session_id,
                        exhibit_id: key.exhibit_id,
                        item_id: item_id.clone(),
                        bin_id: bin_id.clone(),
                    })
                    .or_default();
                counts.placements = counts.placements.saturating_add(1);
                counts.correct = counts.correct.saturating_add(u64::from(*correct));
            }
            EventKind::HotspotOpen { hotspot_id, .. } => {
                self.hotspots.insert(HotspotKey {
                    session_id: key.session_id,
                    exhibit_id: key.exhibit_id,
                    hotspot_id: hotspot_id.clone(),
                });
            }
            _ => {}
        }
    }

    /// A kiosk heartbeat: the newest (by the time it occurred; the first folded of equal
    /// times) is the kiosk's health, and its hour's exhibits on show are remembered.
    fn heartbeat(&mut self, kiosk_id: &str, occurred_at_ms: i64, health: &KioskHealth) {
        let newest = self
            .heartbeats
            .get(kiosk_id)
            .is_none_or(|seen| occurred_at_ms > seen.occurred_at_ms);
        if newest {
            self.heartbeats.insert(
                kiosk_id.to_owned(),
                Heartbeat {
                    occurred_at_ms,
                    health: health.clone(),
                },
            );
        }
        let loaded = self
            .heartbeat_hours
            .entry((kiosk_id.to_owned(), hour_of(occurred_at_ms)))
            .or_default();
        *loaded = (*loaded).max(u64::from(health.exhibits_loaded));
    }

    /// The kiosk-hours of the sessions this pass touched (their start hours), sorted. (A
    /// heartbeat changes the atoms of the hours whose exhibits on show it sets: the pass finds
    /// those from the stored heartbeat hours.)
    pub fn touched_kiosk_hours(&self) -> BTreeSet<(String, i64)> {
        self.sessions
            .values()
            .map(|session| (session.kiosk_id.clone(), session.start_hour_ms()))
            .collect()
    }

    /// The session, as loaded or as now first seen.
    fn session(&mut self, id: String, kiosk_id: &str, at_ms: i64) -> &mut SessionState {
        self.sessions
            .entry(id)
            .or_insert_with_key(|id| SessionState {
                session_id: id.clone(),
                kiosk_id: kiosk_id.to_owned(),
                started_at_ms: at_ms,
                ..SessionState::default()
            })
    }
}

fn apply_to_session(session: &mut SessionState, kind: &EventKind) {
    match kind {
        EventKind::SessionStart { language, modes } => {
            session.start_language = language.clone();
            session.language = language.clone();
            session.large_text |= modes.large_text;
            session.high_contrast |= modes.high_contrast;
            session.seated |= modes.seated;
        }
        EventKind::AccessibilityChange {
            large_text,
            high_contrast,
            seated,
        } => {
            session.large_text |= *large_text;
            session.high_contrast |= *high_contrast;
            session.seated |= *seated;
        }
        EventKind::AudienceChoice { audience } => {
            session.audience = match audience {
                Some(audience) => audience_name(*audience),
                None => AUDIENCE_SKIPPED.to_owned(),
            };
        }
        EventKind::LanguageChange { language } => session.language = language.clone(),
        EventKind::ExhibitOpen { exhibit_id } => {
            session.exhibits_opened = session.exhibits_opened.saturating_add(1);
            if session.first_exhibit.is_empty() {
                session.first_exhibit = exhibit_id.clone();
            }
            session.last_exhibit = exhibit_id.clone();
        }
        EventKind::SessionEnd {
            reason,
            duration_ms,
        } => {
            session.ended = true;
            session.duration_ms = *duration_ms;
            session.end_reason = serde_json::to_value(reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
        }
        _ => {}
    }
}

/// `Audience` as its manifest spelling (`senior`, `civil_servant`, ...).
pub fn audience_name(audience: kepu_core::manifest::Audience) -> String {
    serde_json::to_value(audience)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The per-element counts one event adds: (element, choice, count, correct).
fn details(kind: &EventKind) -> Vec<(String, String, u64, u64)> {
    match kind {
        EventKind::QuizAnswer {
            question_id,
            choice_ids,
            correct,
            ..
        } => {
            if choice_ids.is_empty() {
                // An estimate: the question itself.
                vec![(question_id.clone(), String::new(), 1, u64::from(*correct))]
            } else {
                choice_ids
                    .iter()
                    .map(|choice| (question_id.clone(), choice.clone(), 1, u64::from(*correct)))
                    .collect()
            }
        }
        EventKind::SortPlacement {
            item_id,
            bin_id,
            correct,
            ..
        } => vec![(item_id.clone(), bin_id.clone(), 1, u64::from(*correct))],
        EventKind::HotspotOpen { hotspot_id, .. } => {
            vec![(hotspot_id.clone(), String::new(), 1, 0)]
        }
        EventKind::StoryPageView { page, .. } => vec![(page.to_string(), String::new(), 1, 0)],
        EventKind::SimulationSummary {
            parameter_changes, ..
        } => parameter_changes
            .iter()
            .map(|(parameter, changes)| (parameter.clone(), String::new(), u64::from(*changes), 0))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use kepu_core::manifest::Audience;
    use kepu_core::wire::{AccessibilityModes, SCHEMA_VERSION, SessionEndReason};
    use uuid::Uuid;

    fn event(session: Option<Uuid>, seq: u64, kind: EventKind) -> EngagementEvent {
        EngagementEvent {
            id: Uuid::now_v7(),
            kiosk_id: "k1".into(),
            boot_id: Uuid::new_v4(),
            seq,
            session_id: session,
            occurred_at_ms: 0,
            app_version: "0.1.0".into(),
            schema_version: SCHEMA_VERSION,
            event: kind,
        }
    }

    #[test]
    fn buckets_split_durations_at_their_bounds() {
        assert_eq!(duration_bucket(0), 0);
        assert_eq!(duration_bucket(999), 0);
        assert_eq!(duration_bucket(1_000), 1);
        assert_eq!(duration_bucket(1_799_999), 10);
        assert_eq!(duration_bucket(1_800_000), 11);
        assert_eq!(duration_bucket(u64::MAX), 11);
        assert_eq!(hour_of(3_600_000 * 5 + 1), 3_600_000 * 5);
        assert_eq!(hour_of(-1), -3_600_000);
    }

    #[test]
    fn a_session_carries_its_language_and_audience_to_its_later_events() {
        let id = Uuid::new_v4();
        let s = Some(id);
        let at = 10 * ROLLUP_PERIOD_MS + 5;
        let mut fold = Fold::default();
        let stream = [
            EventKind::SessionStart {
                language: "zh".into(),
                modes: AccessibilityModes {
                    large_text: true,
                    ..Default::default()
                },
            },
            EventKind::ExhibitOpen {
                exhibit_id: "quiz".into(),
            },
            EventKind::AudienceChoice {
                audience: Some(Audience::Senior),
            },
            EventKind::QuizAnswer {
                exhibit_id: "quiz".into(),
                question_id: "q1".into(),
                choice_ids: vec!["a".into(), "c".into()],
                correct: true,
                value: None,
                answer_ms: 4_000,
            },
            EventKind::LanguageChange {
                language: "en".into(),
            },
            EventKind::ExhibitClose {
                exhibit_id: "quiz".into(),
                dwell_ms: 45_000,
            },
            EventKind::SessionEnd {
                reason: SessionEndReason::IdleTimeout,
                duration_ms: 50_000,
            },
        ];
        for (seq, kind) in stream.into_iter().enumerate() {
            fold.event(&event(s, seq as u64 + 1, kind), at);
        }
        let key = |exhibit: &str, audience: &str, language: &str, event_type: &str| HourKey {
            hour_start_ms: 10 * ROLLUP_PERIOD_MS,
            kiosk_id: "k1".into(),
            exhibit_id: exhibit.into(),
            audience: audience.into(),
            language: language.into(),
            event_type: event_type.into(),
        };
        // Opened before "I am a...": no audience yet.
        assert_eq!(fold.hours[&key("quiz", "", "zh", "exhibit_open")].events, 1);
        let answer = fold.hours[&key("quiz", "senior", "zh", "quiz_answer")];
        assert_eq!(
            (answer.events, answer.correct, answer.duration_sum_ms),
            (1, 1, 4_000)
        );
        assert_eq!(answer.buckets[duration_bucket(4_000)], 1);
        let close = fold.hours[&key("quiz", "senior", "en", "exhibit_close")];
        assert_eq!((close.events, close.duration_sum_ms), (1, 45_000));
        let picks: Vec<_> = fold
            .details
            .iter()
            .map(|(k, c)| (k.element.as_str(), k.choice.as_str(), c.count, c.correct))
            .collect();
        assert_eq!(picks.len(), 2);
        assert!(picks.contains(&("q1", "a", 1, 1)) && picks.contains(&("q1", "c", 1, 1)));
        let session = &fold.sessions[&id.to_string()];
        assert_eq!(
            (
                session.start_language.as_str(),
                session.language.as_str(),
                session.audience.as_str(),
                session.large_text,
                session.exhibits_opened,
                session.first_exhibit.as_str(),
                session.ended,
                session.duration_ms,
                session.end_reason.as_str(),
                session.events,
            ),
            (
                "zh",
                "en",
                "senior",
                true,
                1,
                "quiz",
                true,
                50_000,
                "idle_timeout",
                7
            )
        );
    }

    #[test]
    fn kiosk_rollups_and_heartbeats_have_no_audience_or_language() {
        let mut fold = Fold::default();
        fold.kiosk_rollup(&KioskRollup {
            kiosk_id: "k1".into(),
            hour_start_ms: 7 * ROLLUP_PERIOD_MS,
            event_type: "quiz_answer".into(),
            exhibit_id: Some("quiz".into()),
            count: 40,
            correct: 30,
        });
        fold.event(
            &event(
                None,
                1,
                EventKind::KioskHeartbeat(kepu_core::wire::KioskHealth::default()),
            ),
            7 * ROLLUP_PERIOD_MS + 1,
        );
        let rows: Vec<_> = fold.hours.iter().collect();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|(k, _)| k.audience.is_empty() && k.language.is_empty())
        );
        let quiz = rows
            .iter()
            .find(|(k, _)| k.event_type == "quiz_answer")
            .unwrap();
        assert_eq!((quiz.1.events, quiz.1.correct), (40, 30));
        assert!(fold.sessions.is_empty());
    }

    #[test]
    fn sums_saturate_instead_of_overflowing() {
        let mut counts = HourCounts {
            events: u64::MAX - 1,
            duration_sum_ms: u64::MAX,
            ..HourCounts::default()
        };
        counts.add(5, 5, Some(10));
        assert_eq!(
            (counts.events, counts.correct, counts.duration_sum_ms),
            (u64::MAX, 5, u64::MAX)
        );
    }
}
