//! Synthetic visitors for tests, benchmarks and the demo's dashboard: plausible engagement
//! event streams over real exhibit manifests, reproducible from a seed. Not used on a kiosk
//! floor (the kiosk's own autopilot drives its real UI); this drives nothing but the wire
//! format, so server-side tests and benchmarks can make millions of events without Bevy.
//!
//! The model is deliberately simple but has the shapes the reports look for: a share of
//! one-touch sessions, dwell that piles up at the short end, visitors who say who they are (or
//! skip), and quiz answers from a one-parameter logistic model (a visitor's ability against a
//! question's difficulty), so item analysis finds harder and easier questions and a positive
//! discrimination.

use crate::manifest::{Audience, ExhibitKind, ExhibitManifest, QuestionType};
use crate::wire::{
    AccessibilityModes, EngagementEvent, EventKind, KioskHealth, SCHEMA_VERSION, SessionEndReason,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// One kiosk's stream: its name, this run's boot id and the next sequence number.
#[derive(Debug, Clone)]
pub struct KioskStream {
    pub kiosk_id: String,
    pub boot_id: Uuid,
    next_seq: u64,
}

impl KioskStream {
    pub fn new(kiosk_id: impl Into<String>, boot_id: Uuid) -> Self {
        Self {
            kiosk_id: kiosk_id.into(),
            boot_id,
            next_seq: 1,
        }
    }

    fn event(
        &mut self,
        id: Uuid,
        session: Option<Uuid>,
        at_ms: i64,
        event: EventKind,
    ) -> EngagementEvent {
        let seq = self.next_seq;
        self.next_seq += 1;
        EngagementEvent {
            id,
            kiosk_id: self.kiosk_id.clone(),
            boot_id: self.boot_id,
            seq,
            session_id: session,
            occurred_at_ms: at_ms,
            app_version: "0.1.0".into(),
            schema_version: SCHEMA_VERSION,
            event,
        }
    }
}

/// Who the synthetic visitors say they are, with how often (the rest skip the question).
const AUDIENCE_WEIGHTS: [(Audience, f64, f64); 6] = [
    // (audience, share, mean ability)
    (Audience::Adult, 0.25, 0.4),
    (Audience::Child, 0.15, -0.6),
    (Audience::Family, 0.12, 0.0),
    (Audience::Youth, 0.10, 0.5),
    (Audience::Senior, 0.13, -0.3),
    (Audience::Worker, 0.05, 0.1),
];

/// Makes visits over a set of exhibits.
pub struct Visitors {
    exhibits: Vec<ExhibitManifest>,
    rng: StdRng,
    /// Share of sessions that end after the first touch.
    pub one_touch_share: f64,
    /// Share of sessions in English (the rest Chinese).
    pub english_share: f64,
}

impl Visitors {
    pub fn new(exhibits: Vec<ExhibitManifest>, seed: u64) -> Self {
        Self {
            exhibits,
            rng: StdRng::seed_from_u64(seed),
            one_touch_share: 0.15,
            english_share: 0.2,
        }
    }

    /// A random id from this generator's seed (so a run is reproducible, ids included).
    fn id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    /// A kiosk heartbeat at `at_ms`.
    pub fn heartbeat(
        &mut self,
        kiosk: &mut KioskStream,
        at_ms: i64,
        uptime_s: u64,
    ) -> EngagementEvent {
        let id = self.id();
        let health = KioskHealth {
            uptime_s,
            exhibits_loaded: u32::try_from(self.exhibits.len()).unwrap_or(u32::MAX),
            ..KioskHealth::default()
        };
        kiosk.event(id, None, at_ms, EventKind::KioskHeartbeat(health))
    }

    /// One visitor session starting at `start_ms`, every event of it in order.
    pub fn visit(&mut self, kiosk: &mut KioskStream, start_ms: i64) -> Vec<EngagementEvent> {
        let session = Some(self.id());
        let mut at = start_ms;
        let mut events = Vec::new();
        let language = if self.rng.random_bool(self.english_share) {
            "en"
        } else {
            "zh"
        };
        let modes = AccessibilityModes {
            large_text: self.rng.random_bool(0.08),
            high_contrast: self.rng.random_bool(0.03),
            seated: self.rng.random_bool(0.02),
        };
        let mut push = |visitors: &mut Self, at: i64, kind: EventKind| {
            let id = visitors.id();
            events.push(kiosk.event(id, session, at, kind));
        };
        push(
            self,
            at,
            EventKind::SessionStart {
                language: language.into(),
                modes,
            },
        );
        if self.rng.random_bool(self.one_touch_share) || self.exhibits.is_empty() {
            at += self.rng.random_range(500..4_000);
            push(self, at, end(SessionEndReason::IdleTimeout, at - start_ms));
            return events;
        }
        let (audience, ability) = self.audience();
        at += self.rng.random_range(2_000..8_000);
        push(self, at, EventKind::AudienceChoice { audience });
        // Exhibits opened: 1 + geometric, so most open one or two.
        let mut opened = 0;
        loop {
            let index = self.rng.random_range(0..self.exhibits.len());
            let exhibit = self.exhibits[index].clone();
            at += self.rng.random_range(1_000..5_000);
            push(
                self,
                at,
                EventKind::ExhibitOpen {
                    exhibit_id: exhibit.id.clone(),
                },
            );
            let opened_at = at;
            for (step_ms, kind) in self.inside(&exhibit, ability) {
                at += step_ms;
                push(self, at, kind);
            }
            // Dwell piles up at the short end: a log-normal-ish tail.
            at += (self.rng.random::<f64>().powi(3) * 120_000.0) as i64 + 1_000;
            push(
                self,
                at,
                EventKind::ExhibitClose {
                    exhibit_id: exhibit.id.clone(),
                    dwell_ms: u64::try_from(at - opened_at).unwrap_or(0),
                },
            );
            opened += 1;
            if opened >= 8 || !self.rng.random_bool(0.45) {
                break;
            }
        }
        let reason = if self.rng.random_bool(0.3) {
            SessionEndReason::StartOver
        } else {
            SessionEndReason::IdleTimeout
        };
        at += 1_000;
        push(self, at, end(reason, at - start_ms));
        events
    }

    /// "I am a...": an audience (or a skip) and the visitor's ability for the quiz model.
    fn audience(&mut self) -> (Option<Audience>, f64) {
        let mut pick = self.rng.random::<f64>();
        for (audience, share, mean) in AUDIENCE_WEIGHTS {
            if pick < share {
                return (Some(audience), mean + self.normal());
            }
            pick -= share;
        }
        (None, self.normal())
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
        let u2 = self.rng.random::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// What a visitor does inside an exhibit: (ms after the previous event, event).
    fn inside(&mut self, exhibit: &ExhibitManifest, ability: f64) -> Vec<(i64, EventKind)> {
        let exhibit_id = || exhibit.id.clone();
        let mut steps = Vec::new();
        match exhibit.kind {
            ExhibitKind::Story => {
                for page in 1..=exhibit.pages.len() {
                    steps.push((
                        self.rng.random_range(3_000..20_000),
                        EventKind::StoryPageView {
                            exhibit_id: exhibit_id(),
                            page: u32::try_from(page).unwrap_or(u32::MAX),
                        },
                    ));
                    if !self.rng.random_bool(0.75) {
                        break;
                    }
                }
            }
            ExhibitKind::Quiz => {
                let mut score = 0;
                let mut answered = 0;
                for question in &exhibit.questions {
                    let difficulty = difficulty_of(&question.id);
                    let p = 1.0 / (1.0 + (difficulty - ability).exp());
                    let correct = self.rng.random_bool(p.clamp(0.02, 0.98));
                    let (choice_ids, value) = self.answer(question, correct);
                    steps.push((
                        self.rng.random_range(3_000..25_000),
                        EventKind::QuizAnswer {
                            exhibit_id: exhibit_id(),
                            question_id: question.id.clone(),
                            choice_ids,
                            correct,
                            value,
                            answer_ms: self.rng.random_range(2_000..30_000),
                        },
                    ));
                    answered += 1;
                    score += u32::from(correct);
                    // Some leave mid-quiz.
                    if !self.rng.random_bool(0.9) {
                        break;
                    }
                }
                if answered == exhibit.questions.len() && answered > 0 {
                    steps.push((
                        2_000,
                        EventKind::QuizComplete {
                            exhibit_id: exhibit_id(),
                            score,
                            max_score: u32::try_from(answered).unwrap_or(u32::MAX),
                        },
                    ));
                }
            }
            ExhibitKind::Hotspots => {
                for hotspot in &exhibit.hotspots {
                    if self.rng.random_bool(0.6) {
                        steps.push((
                            self.rng.random_range(2_000..15_000),
                            EventKind::HotspotOpen {
                                exhibit_id: exhibit_id(),
                                hotspot_id: hotspot.id.clone(),
                            },
                        ));
                    }
                }
            }
            ExhibitKind::Simulation => {
                let parameter_changes = exhibit
                    .parameters
                    .iter()
                    .map(|p| (p.id.clone(), self.rng.random_range(0..6)))
                    .collect();
                steps.push((
                    self.rng.random_range(10_000..90_000),
                    EventKind::SimulationSummary {
                        exhibit_id: exhibit_id(),
                        parameter_changes,
                        played_ms: self.rng.random_range(5_000..80_000),
                        runs: self.rng.random_range(1..6),
                    },
                ));
            }
            ExhibitKind::Sort => {
                for item in &exhibit.items {
                    // A wrong bin first sometimes; the round goes on until the item is right.
                    let difficulty = difficulty_of(&item.id);
                    let p = 1.0 / (1.0 + (difficulty - ability).exp());
                    if !self.rng.random_bool(p.clamp(0.05, 0.95))
                        && let Some(wrong) = exhibit.bins.iter().find(|b| b.id != item.bin)
                    {
                        steps.push((
                            self.rng.random_range(2_000..8_000),
                            EventKind::SortPlacement {
                                exhibit_id: exhibit_id(),
                                item_id: item.id.clone(),
                                bin_id: wrong.id.clone(),
                                correct: false,
                            },
                        ));
                    }
                    steps.push((
                        self.rng.random_range(2_000..8_000),
                        EventKind::SortPlacement {
                            exhibit_id: exhibit_id(),
                            item_id: item.id.clone(),
                            bin_id: item.bin.clone(),
                            correct: true,
                        },
                    ));
                    if !self.rng.random_bool(0.92) {
                        break;
                    }
                }
            }
        }
        steps
    }

    /// The choice ids (or estimate value) of an answer that is `correct` or not.
    fn answer(
        &mut self,
        question: &crate::manifest::Question,
        correct: bool,
    ) -> (Vec<String>, Option<f64>) {
        match question.question_type {
            QuestionType::Single | QuestionType::ImageChoice | QuestionType::Multiple => {
                let right: Vec<String> = question
                    .choices
                    .iter()
                    .filter(|c| c.correct)
                    .map(|c| c.id.clone())
                    .collect();
                let wrong: Vec<String> = question
                    .choices
                    .iter()
                    .filter(|c| !c.correct)
                    .map(|c| c.id.clone())
                    .collect();
                if correct || wrong.is_empty() {
                    (right, None)
                } else {
                    // Wrong answers favour the first distractor, so some distractors are
                    // rarely picked (the dashboard flags those).
                    let pick = if self.rng.random_bool(0.6) {
                        0
                    } else {
                        self.rng.random_range(0..wrong.len())
                    };
                    (vec![wrong[pick].clone()], None)
                }
            }
            QuestionType::TrueFalse => {
                let answer = question.answer.unwrap_or(true);
                let said = if correct { answer } else { !answer };
                (vec![said.to_string()], None)
            }
            QuestionType::Ordering => {
                let mut items: Vec<String> = question.items.iter().map(|i| i.id.clone()).collect();
                if !correct && items.len() > 1 {
                    items.swap(0, 1);
                }
                (items, None)
            }
            QuestionType::Estimate => {
                let Some(estimate) = &question.estimate else {
                    return (Vec::new(), None);
                };
                let value = if correct {
                    estimate.answer + self.rng.random_range(-1.0..=1.0) * estimate.tolerance * 0.9
                } else {
                    let span = (estimate.max - estimate.min).max(f64::EPSILON);
                    let mut value = estimate.min + self.rng.random::<f64>() * span;
                    if (value - estimate.answer).abs() <= estimate.tolerance {
                        value = if estimate.answer - estimate.min > estimate.max - estimate.answer {
                            estimate.min
                        } else {
                            estimate.max
                        };
                    }
                    value
                };
                (Vec::new(), Some(value.clamp(estimate.min, estimate.max)))
            }
        }
    }
}

fn end(reason: SessionEndReason, duration_ms: i64) -> EventKind {
    EventKind::SessionEnd {
        reason,
        duration_ms: u64::try_from(duration_ms).unwrap_or(0),
    }
}

/// A question's (or sort item's) difficulty on the ability scale, from its id: the same
/// question is equally hard in every run, and the set spans easy to hard.
fn difficulty_of(id: &str) -> f64 {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (hash % 1000) as f64 / 1000.0 * 3.0 - 1.5
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::manifest::{ValidationRules, load_catalog};
    use crate::wire::check::check_event;

    fn sample_exhibits() -> Vec<ExhibitManifest> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
        let catalog = load_catalog(&dir, &ValidationRules::default());
        catalog.exhibits.into_iter().map(|e| e.manifest).collect()
    }

    #[test]
    fn visits_are_valid_wire_events_in_order_and_reproducible() {
        let exhibits = sample_exhibits();
        assert!(exhibits.len() >= 5);
        let make = || {
            let mut visitors = Visitors::new(exhibits.clone(), 7);
            let mut kiosk = KioskStream::new("k1", Uuid::nil());
            let mut all = Vec::new();
            let mut at = 1_767_225_600_000; // 2026-01-01
            for _ in 0..200 {
                let visit = visitors.visit(&mut kiosk, at);
                at = visit.last().unwrap().occurred_at_ms + 30_000;
                all.extend(visit);
            }
            all
        };
        let events = make();
        assert_eq!(events, make(), "the same seed makes the same visits");
        for (i, event) in events.iter().enumerate() {
            let mut event = event.clone();
            event.boot_id = Uuid::from_u128(1);
            check_event(&event, 1_767_225_600_000 + 86_400_000 * 30)
                .unwrap_or_else(|err| panic!("event {i} {event:?}: {err}"));
        }
        assert!(events.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
        assert!(
            events
                .windows(2)
                .all(|w| w[0].occurred_at_ms <= w[1].occurred_at_ms)
        );
        let sessions = events
            .iter()
            .filter(|e| matches!(e.event, EventKind::SessionStart { .. }))
            .count();
        let one_touch = events
            .windows(2)
            .filter(|w| {
                matches!(w[0].event, EventKind::SessionStart { .. })
                    && matches!(w[1].event, EventKind::SessionEnd { .. })
            })
            .count();
        assert_eq!(sessions, 200);
        assert!(
            (10..60).contains(&one_touch),
            "one-touch sessions: {one_touch}"
        );
        let answers: Vec<bool> = events
            .iter()
            .filter_map(|e| match &e.event {
                EventKind::QuizAnswer { correct, .. } => Some(*correct),
                _ => None,
            })
            .collect();
        let right = answers.iter().filter(|c| **c).count();
        assert!(right > answers.len() / 5 && right < answers.len() * 9 / 10);
    }
}
