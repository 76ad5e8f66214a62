//! Everything about the current visitor, in one resource. Ending a session replaces it with a
//! fresh value, so nothing of one visitor (language, answers, position) can reach the next.

use crate::ui::theme::AccessModes;
use bevy::prelude::*;
use kepu_core::manifest::{Audience, Catalog, ExhibitKind, ExhibitManifest};
use kepu_core::quiz::{AnswerOutcome, QuizAttempt, check_answer};
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
    Story { page: usize },
    Quiz(QuizProgress),
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuizProgress {
    pub attempt: QuizAttempt,
    /// The question on screen.
    pub current: usize,
    /// The visitor's answer to the current question and what it earned, once answered.
    pub answered: Option<(String, AnswerOutcome)>,
    pub finished: bool,
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
            ExhibitKind::Story => Player::Story { page: 0 },
            ExhibitKind::Quiz => Player::Quiz(QuizProgress {
                attempt: QuizAttempt::new(manifest.questions.len()),
                current: 0,
                answered: None,
                finished: false,
            }),
            // Content::load keeps only exhibits with a player.
            ExhibitKind::Hotspots | ExhibitKind::Simulation | ExhibitKind::Sort => {
                return events;
            }
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
        self.open
            .take()
            .map(|open| {
                vec![EventKind::ExhibitClose {
                    dwell_ms: millis(now.saturating_sub(open.opened_at)),
                    exhibit_id: open.exhibit_id,
                }]
            })
            .unwrap_or_default()
    }

    /// Moves a story by `delta` pages, staying within its pages.
    pub fn turn_page(&mut self, catalog: &Catalog, delta: isize) -> Vec<EventKind> {
        let Some(open) = &mut self.open else {
            return Vec::new();
        };
        let Player::Story { page } = &mut open.player else {
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

    /// Answers the current quiz question; a second answer to the same question is ignored.
    pub fn answer(&mut self, catalog: &Catalog, choice_id: &str) -> Vec<EventKind> {
        let Some(open) = &mut self.open else {
            return Vec::new();
        };
        let Player::Quiz(quiz) = &mut open.player else {
            return Vec::new();
        };
        let Some(question) = catalog.exhibits[open.index]
            .manifest
            .questions
            .get(quiz.current)
        else {
            return Vec::new();
        };
        if quiz.answered.is_some() || quiz.attempt.is_answered(quiz.current) {
            return Vec::new();
        }
        let chosen = vec![choice_id.to_owned()];
        let outcome = check_answer(question, &chosen);
        quiz.attempt.record(quiz.current, outcome.correct);
        let event = EventKind::QuizAnswer {
            exhibit_id: open.exhibit_id.clone(),
            question_id: question.id.clone(),
            choice_ids: chosen,
            correct: outcome.correct,
        };
        quiz.answered = Some((choice_id.to_owned(), outcome));
        vec![event]
    }

    /// After an answer: the next question, or the results after the last one.
    pub fn next_question(&mut self) -> Vec<EventKind> {
        let Some(open) = &mut self.open else {
            return Vec::new();
        };
        let Player::Quiz(quiz) = &mut open.player else {
            return Vec::new();
        };
        if quiz.answered.is_none() || quiz.finished {
            return Vec::new();
        }
        quiz.answered = None;
        if quiz.current + 1 < quiz.attempt.max_score() as usize {
            quiz.current += 1;
            Vec::new()
        } else {
            quiz.finished = true;
            vec![EventKind::QuizComplete {
                exhibit_id: open.exhibit_id.clone(),
                score: quiz.attempt.score(),
                max_score: quiz.attempt.max_score(),
            }]
        }
    }
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

/// The manifest audiences an "I am a..." answer covers.
fn audience_family(chosen: Audience) -> &'static [Audience] {
    match chosen {
        Audience::Child => &[Audience::Child, Audience::Youth, Audience::Family],
        Audience::Senior => &[Audience::Senior, Audience::Family],
        Audience::Youth => &[Audience::Youth, Audience::Child],
        Audience::Adult => &[
            Audience::Adult,
            Audience::Family,
            Audience::Worker,
            Audience::CivilServant,
            Audience::Rural,
        ],
        Audience::Family => &[Audience::Family],
        Audience::Rural => &[Audience::Rural],
        Audience::Worker => &[Audience::Worker],
        Audience::CivilServant => &[Audience::CivilServant],
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
