//! Everything about the current visitor, in one resource. Ending a session replaces it with a
//! fresh value, so nothing of one visitor (language, answers, position) can reach the next.

use crate::play::hotspots::HotspotsProgress;
use crate::play::simulation::SimProgress;
use crate::play::sort::SortProgress;
use crate::ui::theme::AccessModes;
use bevy::prelude::*;
use kepu_core::manifest::{Audience, Catalog, ExhibitKind, ExhibitManifest, QuestionType};
use kepu_core::quiz::{Answer, QuizSession};
use kepu_core::wire::{EventKind, SessionEndReason};
use std::time::Duration;
use uuid::Uuid;

/// The kiosk's screens.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// Idle: the attract loop invites a touch.
    #[default]
    Attract,
    /// The exhibit cards.
    Home,
    /// One exhibit's player.
    Exhibit,
    /// The staff panel (PIN first); visitors never see it.
    Staff,
}

/// The anonymous visitor session: a random id that lives for this session only.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub started_at: Duration,
    /// When the visitor last touched the screen (kiosk uptime), for the idle timeout.
    pub last_activity: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpenExhibit {
    /// Index into the catalog's exhibits.
    pub index: usize,
    pub exhibit_id: String,
    pub opened_at: Duration,
    pub player: Player,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Player {
    /// `narration`: whether the visitor asked to hear the pages read out.
    Story {
        page: usize,
        narration: Listening,
    },
    Quiz(QuizProgress),
    Hotspots(HotspotsProgress),
    Simulation(Box<SimProgress>),
    Sort(SortProgress),
}

/// What the visitor asked of a story's narration. Once on, it follows them from page to page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listening {
    #[default]
    Off,
    On,
    Paused,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuizProgress {
    /// The questions this visitor gets (their audience's pool), the order shown, the answers.
    pub session: QuizSession,
    /// The question on screen.
    pub current: usize,
    /// What the visitor has set up on the current question but not yet submitted.
    pub draft: Draft,
    /// When the current question appeared, for the time-to-answer in the logs.
    pub question_shown_at: Duration,
    /// When the quiz started, for an optional time limit.
    pub started_at: Duration,
    pub finished: bool,
}

impl QuizProgress {
    fn new(session: QuizSession, now: Duration) -> Self {
        let mut progress = Self {
            session,
            current: 0,
            draft: Draft::None,
            question_shown_at: now,
            started_at: now,
            finished: false,
        };
        progress.draft = progress.fresh_draft();
        progress
    }

    pub fn is_answered(&self) -> bool {
        self.session.is_answered(self.current)
    }

    /// The starting state of the current question's controls.
    fn fresh_draft(&self) -> Draft {
        let Some(question) = self.session.question(self.current) else {
            return Draft::None;
        };
        match question.question_type {
            QuestionType::Multiple => Draft::Ticks(Vec::new()),
            QuestionType::Ordering => Draft::Order(
                self.session
                    .presented_order(self.current)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
            ),
            QuestionType::Estimate => Draft::Estimate(
                question
                    .estimate
                    .as_ref()
                    .map_or(0.0, |e| snap(e, (e.min + e.max) / 2.0)),
            ),
            QuestionType::Single | QuestionType::ImageChoice | QuestionType::TrueFalse => {
                Draft::None
            }
        }
    }
}

/// Controls a visitor sets before "check my answer".
#[derive(Debug, Clone, PartialEq)]
pub enum Draft {
    /// The question is answered with one tap.
    None,
    /// Multiple choice: the ticked choices, in the order ticked.
    Ticks(Vec<String>),
    /// Ordering: the items as the visitor has arranged them.
    Order(Vec<String>),
    /// Estimate: the slider's value (starts mid-range, never at the answer).
    Estimate(f64),
}

/// A slider value moved onto the estimate's range and step.
pub fn snap(estimate: &kepu_core::manifest::Estimate, value: f64) -> f64 {
    crate::ui::widgets::SliderRange {
        min: estimate.min,
        max: estimate.max,
        step: estimate.step,
    }
    .snap(value)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdlePhase {
    Active,
    /// The "Still there?" countdown is on screen.
    StillThere {
        seconds_left: u32,
    },
    /// The countdown ran out: the session ends.
    Gone,
}

/// The current visitor: `None` session on the attract screen.
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Visit {
    pub session: Option<Session>,
    /// The visitor's language; empty means the kiosk's default.
    pub language: String,
    /// Large text, high contrast, seated: start from kiosk.toml's defaults every session.
    pub modes: AccessModes,
    /// The visitor's optional "I am a..." answer: filters the cards and picks question pools.
    pub audience: Option<Audience>,
    /// The home screen's topic filter.
    pub topic: Option<String>,
    pub open: Option<OpenExhibit>,
}

impl Visit {
    pub fn session_id(&self) -> Option<Uuid> {
        self.session.as_ref().map(|s| s.id)
    }

    /// Starts a new anonymous session (a fresh random id) in the kiosk's default language and
    /// accessibility modes; nothing of an earlier visitor survives.
    pub fn start(
        &mut self,
        now: Duration,
        default_language: &str,
        default_modes: AccessModes,
    ) -> Vec<EventKind> {
        *self = Visit {
            session: Some(Session {
                id: Uuid::new_v4(),
                started_at: now,
                last_activity: now,
            }),
            language: default_language.to_owned(),
            modes: default_modes,
            ..Visit::default()
        };
        vec![EventKind::SessionStart {
            language: default_language.to_owned(),
            modes: default_modes,
        }]
    }

    /// Ends the session: closes any open exhibit, and forgets everything about the visitor.
    /// The duration stops at the last touch, so the idle wait is not counted as engagement.
    pub fn end(&mut self, now: Duration, reason: SessionEndReason) -> Vec<EventKind> {
        let mut events = self.close_exhibit(now);
        if let Some(session) = &self.session {
            let until = match reason {
                SessionEndReason::IdleTimeout => session.last_activity,
                SessionEndReason::StartOver => now,
            };
            events.push(EventKind::SessionEnd {
                reason,
                duration_ms: millis(until.saturating_sub(session.started_at)),
            });
        }
        *self = Visit::default();
        events
    }

    /// The modes in force: the visitor's, or `defaults` when nobody is here.
    pub fn modes_or(&self, defaults: AccessModes) -> AccessModes {
        if self.session.is_some() {
            self.modes
        } else {
            defaults
        }
    }

    pub fn touch(&mut self, now: Duration) {
        if let Some(session) = &mut self.session {
            session.last_activity = now;
        }
    }

    /// Where the visitor is on the way to an idle reset: active, being asked "Still there?"
    /// (with the seconds left), or gone.
    pub fn idle_phase(&self, now: Duration, timeout: Duration, countdown: Duration) -> IdlePhase {
        let Some(session) = &self.session else {
            return IdlePhase::Active;
        };
        let away = now.saturating_sub(session.last_activity);
        if away < timeout {
            IdlePhase::Active
        } else if away < timeout + countdown {
            IdlePhase::StillThere {
                seconds_left: (timeout + countdown - away).as_secs_f32().ceil() as u32,
            }
        } else {
            IdlePhase::Gone
        }
    }

    /// How long until what the idle timer shows changes by itself: "Still there?" appearing,
    /// its countdown ticking, the session ending. The window sleeps until then. `None` without
    /// a session.
    pub fn next_idle_change(
        &self,
        now: Duration,
        timeout: Duration,
        countdown: Duration,
    ) -> Option<Duration> {
        let session = self.session.as_ref()?;
        let away = now.saturating_sub(session.last_activity);
        Some(if away < timeout {
            timeout - away
        } else {
            // The countdown shows whole seconds: wake when the number changes.
            let left = (timeout + countdown).saturating_sub(away);
            let into_second = left.as_nanos() % 1_000_000_000;
            Duration::from_nanos(into_second as u64)
        })
    }

    pub fn set_language(&mut self, language: &str) -> Vec<EventKind> {
        if self.language == language {
            return Vec::new();
        }
        self.language = language.to_owned();
        vec![EventKind::LanguageChange {
            language: language.to_owned(),
        }]
    }

    pub fn open_exhibit(&mut self, catalog: &Catalog, id: &str, now: Duration) -> Vec<EventKind> {
        let Some(index) = catalog.exhibits.iter().position(|e| e.id() == id) else {
            return Vec::new();
        };
        let mut events = self.close_exhibit(now);
        let manifest = &catalog.exhibits[index].manifest;
        let player = match manifest.kind {
            ExhibitKind::Story => Player::Story {
                page: 0,
                narration: Listening::Off,
            },
            ExhibitKind::Quiz => Player::Quiz(QuizProgress::new(
                QuizSession::for_visitor(manifest, self.audience, rand::random()),
                now,
            )),
            ExhibitKind::Hotspots => {
                Player::Hotspots(HotspotsProgress::new(&catalog.exhibits[index]))
            }
            // The validator guarantees a model and a sortable round; the guards only keep a
            // broken manifest from opening an empty screen.
            ExhibitKind::Simulation => match SimProgress::new(manifest) {
                Some(sim) => Player::Simulation(Box::new(sim)),
                None => return events,
            },
            ExhibitKind::Sort => match SortProgress::new(manifest, rand::random()) {
                Some(sort) => Player::Sort(sort),
                None => return events,
            },
        };
        events.push(EventKind::ExhibitOpen {
            exhibit_id: id.to_owned(),
        });
        if manifest.kind == ExhibitKind::Story {
            events.push(EventKind::StoryPageView {
                exhibit_id: id.to_owned(),
                page: 1,
            });
        }
        self.open = Some(OpenExhibit {
            index,
            exhibit_id: id.to_owned(),
            opened_at: now,
            player,
        });
        events
    }

    pub fn close_exhibit(&mut self, now: Duration) -> Vec<EventKind> {
        let Some(open) = self.open.take() else {
            return Vec::new();
        };
        let mut events = Vec::new();
        if let Player::Simulation(sim) = &open.player {
            events.push(sim.summary(&open.exhibit_id));
        }
        events.push(EventKind::ExhibitClose {
            dwell_ms: millis(now.saturating_sub(open.opened_at)),
            exhibit_id: open.exhibit_id,
        });
        events
    }

    /// The open exhibit's manifest and its player, for the players' commands.
    pub fn player_mut<'c>(
        &mut self,
        catalog: &'c Catalog,
    ) -> Option<(&'c ExhibitManifest, &mut Player)> {
        let open = self.open.as_mut()?;
        let manifest = &catalog.exhibits.get(open.index)?.manifest;
        Some((manifest, &mut open.player))
    }

    /// Moves a story by `delta` pages, staying within its pages.
    pub fn turn_page(&mut self, catalog: &Catalog, delta: isize) -> Vec<EventKind> {
        let Some(open) = &mut self.open else {
            return Vec::new();
        };
        let Player::Story { page, .. } = &mut open.player else {
            return Vec::new();
        };
        let pages = catalog.exhibits[open.index].manifest.pages.len();
        let target = page
            .saturating_add_signed(delta)
            .min(pages.saturating_sub(1));
        if target == *page {
            return Vec::new();
        }
        *page = target;
        vec![EventKind::StoryPageView {
            exhibit_id: open.exhibit_id.clone(),
            page: u32::try_from(target + 1).unwrap_or(u32::MAX),
        }]
    }

    fn quiz(&mut self) -> Option<(&str, &mut QuizProgress)> {
        let open = self.open.as_mut()?;
        match &mut open.player {
            Player::Quiz(quiz) if !quiz.finished => Some((open.exhibit_id.as_str(), quiz)),
            _ => None,
        }
    }

    /// A one-tap answer: a choice of a single or image-choice question, or `"true"`/`"false"`.
    pub fn answer(&mut self, choice_id: &str, now: Duration) -> Vec<EventKind> {
        let Some((_, quiz)) = self.quiz() else {
            return Vec::new();
        };
        let Some(question) = quiz.session.question(quiz.current) else {
            return Vec::new();
        };
        let answer = match question.question_type {
            QuestionType::Single | QuestionType::ImageChoice => {
                Answer::Choices(vec![choice_id.to_owned()])
            }
            QuestionType::TrueFalse => Answer::TrueFalse(choice_id == "true"),
            // These are answered with "check my answer".
            QuestionType::Multiple | QuestionType::Ordering | QuestionType::Estimate => {
                return Vec::new();
            }
        };
        self.submit(answer, now)
    }

    /// Ticks or unticks a choice of a multiple-choice question.
    pub fn toggle_choice(&mut self, choice_id: &str) {
        if let Some((_, quiz)) = self.quiz()
            && !quiz.is_answered()
            && let Draft::Ticks(ticks) = &mut quiz.draft
        {
            if let Some(at) = ticks.iter().position(|t| t == choice_id) {
                ticks.remove(at);
            } else {
                ticks.push(choice_id.to_owned());
            }
        }
    }

    /// Moves an ordering question's item from one place to another.
    pub fn move_item(&mut self, from: usize, to: usize) {
        if let Some((_, quiz)) = self.quiz()
            && !quiz.is_answered()
            && let Draft::Order(order) = &mut quiz.draft
            && from < order.len()
        {
            let item = order.remove(from);
            order.insert(to.min(order.len()), item);
        }
    }

    /// Sets an estimate question's slider (snapped to its range and step).
    pub fn set_estimate(&mut self, value: f64) {
        if let Some((_, quiz)) = self.quiz()
            && !quiz.is_answered()
            && let Some(estimate) = quiz
                .session
                .question(quiz.current)
                .and_then(|q| q.estimate.clone())
            && let Draft::Estimate(current) = &mut quiz.draft
            && value.is_finite()
        {
            *current = snap(&estimate, value);
        }
    }

    /// "Check my answer" for the questions with a draft.
    pub fn submit_draft(&mut self, now: Duration) -> Vec<EventKind> {
        let Some((_, quiz)) = self.quiz() else {
            return Vec::new();
        };
        let answer = match &quiz.draft {
            Draft::Ticks(ticks) if !ticks.is_empty() => Answer::Choices(ticks.clone()),
            Draft::Order(order) => Answer::Order(order.clone()),
            Draft::Estimate(value) => Answer::Estimate(*value),
            Draft::None | Draft::Ticks(_) => return Vec::new(),
        };
        self.submit(answer, now)
    }

    /// Grades an answer to the current question; a second answer is ignored.
    fn submit(&mut self, answer: Answer, now: Duration) -> Vec<EventKind> {
        let Some((exhibit_id, quiz)) = self.quiz() else {
            return Vec::new();
        };
        let exhibit_id = exhibit_id.to_owned();
        let time_taken = now.saturating_sub(quiz.question_shown_at);
        let (choice_ids, value) = match &answer {
            Answer::Choices(ids) | Answer::Order(ids) => (ids.clone(), None),
            Answer::TrueFalse(value) => (vec![value.to_string()], None),
            Answer::Estimate(value) => (Vec::new(), Some(*value)),
        };
        let current = quiz.current;
        let Some(grade) = quiz.session.answer(current, answer, time_taken) else {
            return Vec::new();
        };
        let correct = grade.correct;
        let question_id = quiz
            .session
            .question(current)
            .map(|q| q.id.clone())
            .unwrap_or_default();
        vec![EventKind::QuizAnswer {
            exhibit_id,
            question_id,
            choice_ids,
            correct,
            value,
            answer_ms: millis(time_taken),
        }]
    }

    /// After an answer: the next question, or the results after the last one.
    pub fn next_question(&mut self, now: Duration) -> Vec<EventKind> {
        let Some((exhibit_id, quiz)) = self.quiz() else {
            return Vec::new();
        };
        if !quiz.is_answered() {
            return Vec::new();
        }
        if quiz.current + 1 < quiz.session.len() {
            quiz.current += 1;
            quiz.question_shown_at = now;
            quiz.draft = quiz.fresh_draft();
            Vec::new()
        } else {
            let exhibit_id = exhibit_id.to_owned();
            finish(exhibit_id, quiz)
        }
    }

    /// Whether an open quiz's time limit has run out.
    pub fn quiz_time_is_up(&self, now: Duration) -> bool {
        match self.open.as_ref().map(|o| &o.player) {
            Some(Player::Quiz(quiz)) if !quiz.finished => {
                quiz.session.time_left(now.saturating_sub(quiz.started_at)) == Some(Duration::ZERO)
            }
            _ => false,
        }
    }

    /// Ends a quiz whose time limit ran out (unanswered questions score nothing).
    pub fn check_quiz_time(&mut self, now: Duration) -> Vec<EventKind> {
        let Some((exhibit_id, quiz)) = self.quiz() else {
            return Vec::new();
        };
        if quiz
            .session
            .expire_if_over(now.saturating_sub(quiz.started_at))
        {
            let exhibit_id = exhibit_id.to_owned();
            return finish(exhibit_id, quiz);
        }
        Vec::new()
    }

    /// "Try again" on the results: the same questions, reshuffled, from the start.
    pub fn try_again(&mut self, now: Duration) {
        if let Some(open) = &mut self.open
            && let Player::Quiz(quiz) = &mut open.player
            && quiz.finished
        {
            let mut session = quiz.session.clone();
            session.try_again(rand::random());
            *quiz = QuizProgress::new(session, now);
        }
    }
}

fn finish(exhibit_id: String, quiz: &mut QuizProgress) -> Vec<EventKind> {
    quiz.finished = true;
    vec![EventKind::QuizComplete {
        exhibit_id,
        score: quiz.session.points(),
        max_score: quiz.session.max_points(),
    }]
}

/// The home screen's cards for this visit: the exhibits that fit the visitor's "I am a..."
/// answer and topic, in playlist order.
pub fn home_cards<'c>(
    catalog: &'c Catalog,
    visit: &Visit,
) -> Vec<&'c kepu_core::manifest::Exhibit> {
    catalog
        .exhibits
        .iter()
        .filter(|e| shows_for(&e.manifest, visit.audience, visit.topic.as_deref()))
        .collect()
}

/// Whether the home screen shows an exhibit to a visitor who said who they are (`audience`) and
/// picked a topic. An exhibit that names no audience is for everyone; "a child" also finds
/// youth and family exhibits, "an adult" those for working life, "a senior" family ones.
pub fn shows_for(
    manifest: &ExhibitManifest,
    audience: Option<Audience>,
    topic: Option<&str>,
) -> bool {
    let audience_fits = match audience {
        None => true,
        Some(_) if manifest.audiences.is_empty() => true,
        Some(chosen) => manifest
            .audiences
            .iter()
            .any(|a| audience_family(chosen).contains(a)),
    };
    let topic_fits = topic.is_none_or(|t| manifest.topics.iter().any(|m| m == t));
    audience_fits && topic_fits
}

/// The manifest audiences an "I am a..." answer covers: its own, and the broader ones that
/// serve it too (exhibits for families suit a child; those for adults suit someone at work).
fn audience_family(chosen: Audience) -> &'static [Audience] {
    match chosen {
        Audience::Child => &[Audience::Child, Audience::Youth, Audience::Family],
        Audience::Senior => &[Audience::Senior, Audience::Family],
        Audience::Youth => &[Audience::Youth, Audience::Child],
        Audience::Family => &[Audience::Family, Audience::Child],
        Audience::Adult => &[
            Audience::Adult,
            Audience::Family,
            Audience::Worker,
            Audience::CivilServant,
            Audience::Rural,
        ],
        Audience::Rural => &[Audience::Rural, Audience::Adult, Audience::Family],
        Audience::Worker => &[Audience::Worker, Audience::Adult, Audience::Family],
        Audience::CivilServant => &[Audience::CivilServant, Audience::Adult, Audience::Family],
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
