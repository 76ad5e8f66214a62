//! Everything about the current visitor, in one resource. Ending a session replaces it with a
//! fresh value, so nothing of one visitor (language, answers, position) can reach the next.

use crate::play::hotspots::HotspotsProgress;
use crate::play::quiz::QuizProgress;
use crate::play::simulation::SimProgress;
use crate::play::sort::SortProgress;
use crate::play::story::StoryProgress;
use bevy::prelude::*;
use kepu_core::manifest::{Audience, Catalog, ExhibitKind, ExhibitManifest};
use kepu_core::quiz::QuizSession;
use kepu_core::wire::AccessibilityModes;
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

/// One visitor's state inside the open exhibit: one player per exhibit kind, each in its own
/// `play/` module (state and the commands that change it) with its drawing in `ui/`.
#[derive(Debug, Clone, PartialEq)]
pub enum Player {
    Story(StoryProgress),
    Quiz(QuizProgress),
    Hotspots(HotspotsProgress),
    Simulation(Box<SimProgress>),
    Sort(SortProgress),
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
    pub modes: AccessibilityModes,
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
        default_modes: AccessibilityModes,
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
    pub fn modes_or(&self, defaults: AccessibilityModes) -> AccessibilityModes {
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
            ExhibitKind::Story => Player::Story(StoryProgress::default()),
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
