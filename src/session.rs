//! Visitor sessions: the first touch starts one, "start over" or the idle timeout ends it.
//! This module owns every change of screen: nobody sets [`Screen`] by hand; it follows the
//! visit and the staff panel ([`screen_for`]), and a session starts and ends only through
//! [`start_session`] and [`end_session`].

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::engagement::Track;
use crate::ui::SessionCommand;
use crate::ui::theme::Theme;
use crate::ui::{ActiveTheme, UiCommand};
use crate::visit::{IdlePhase, Screen, Visit};
use bevy::input::keyboard::KeyboardInput;
use bevy::input::mouse::MouseButtonInput;
use bevy::input::touch::TouchInput;
use bevy::prelude::*;
use kepu_core::wire::{EventKind, SessionEndReason};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Visit>().add_systems(
        Update,
        (
            track_activity.in_set(KioskSet::Input),
            apply_session_commands.in_set(KioskSet::Commands),
            (end_idle_session, follow_access_modes)
                .chain()
                .in_set(KioskSet::Session),
            follow_the_visit.in_set(KioskSet::Screen),
        ),
    );
}

/// The screen for a visit: the staff panel over everything, the attract loop between
/// visitors, else the exhibit the visitor opened or the home screen.
pub fn screen_for(visit: &Visit, staff_panel_up: bool) -> Screen {
    if staff_panel_up {
        Screen::Staff
    } else if visit.session.is_none() {
        Screen::Attract
    } else if visit.open.is_some() {
        Screen::Exhibit
    } else {
        Screen::Home
    }
}

/// The one system that sets [`Screen`].
fn follow_the_visit(
    visit: Res<Visit>,
    staff: Res<crate::staff::Staff>,
    screen: Res<State<Screen>>,
    mut next_screen: ResMut<NextState<Screen>>,
) {
    let wanted = screen_for(&visit, staff.phase != crate::staff::StaffPhase::Closed);
    if *screen.get() != wanted {
        next_screen.set(wanted);
    }
}

/// A fresh anonymous session in the kiosk's default language and modes, recorded.
pub fn start_session(
    visit: &mut Visit,
    now: std::time::Duration,
    settings: &KioskSettings,
    track: &mut MessageWriter<Track>,
) {
    let events = visit.start(now, settings.default_language(), settings.access_defaults);
    track.write_batch(Track::all(visit.session_id(), events));
}

/// Ends the visitor's session, if there is one, recording why: the attract loop follows.
pub fn end_session(
    visit: &mut Visit,
    now: std::time::Duration,
    reason: SessionEndReason,
    track: &mut MessageWriter<Track>,
) {
    if visit.session.is_none() {
        return;
    }
    // The events belong to the session that ends: its id, read before it is forgotten.
    let session = visit.session_id();
    track.write_batch(Track::all(session, visit.end(now, reason)));
}

/// Any touch, click or key keeps the session alive.
fn track_activity(
    time: Res<Time<Real>>,
    mut visit: ResMut<Visit>,
    mut touches: MessageReader<TouchInput>,
    mut clicks: MessageReader<MouseButtonInput>,
    mut keys: MessageReader<KeyboardInput>,
) {
    let active = touches.read().count() + clicks.read().count() + keys.read().count() > 0;
    if active && visit.session.is_some() {
        visit.touch(time.elapsed());
    }
}

/// The visit's commands, every one of them: starting and ending, language, modes, "I am a...",
/// the topic filter, opening and leaving exhibits. What happens inside an exhibit is the
/// players' (`play`).
pub(crate) fn apply_session_commands(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut ui_commands: MessageReader<UiCommand>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    for command in ui_commands.read() {
        let UiCommand::Session(command) = command else {
            continue;
        };
        if visit.session.is_none() {
            // Between visitors only the first touch counts: a tap racing the session's end
            // (or the staff panel's opening) must not record what belongs to no visitor.
            if *command == SessionCommand::StartSession {
                start_session(&mut visit, now, &settings, &mut track);
            }
            continue;
        }
        let events = match command {
            SessionCommand::StartSession => Vec::new(),
            SessionCommand::StartOver => {
                end_session(&mut visit, now, SessionEndReason::StartOver, &mut track);
                Vec::new()
            }
            SessionCommand::SetLanguage(language) if settings.languages.contains(language) => {
                visit.set_language(language)
            }
            SessionCommand::SetLanguage(_) => Vec::new(),
            SessionCommand::ToggleLargeText
            | SessionCommand::ToggleHighContrast
            | SessionCommand::ToggleSeated => {
                let modes = &mut visit.modes;
                match command {
                    SessionCommand::ToggleLargeText => modes.large_text = !modes.large_text,
                    SessionCommand::ToggleHighContrast => {
                        modes.high_contrast = !modes.high_contrast;
                    }
                    _ => modes.seated = !modes.seated,
                }
                vec![EventKind::AccessibilityChange {
                    large_text: modes.large_text,
                    high_contrast: modes.high_contrast,
                    seated: modes.seated,
                }]
            }
            SessionCommand::ChooseAudience(audience) => {
                visit.audience = *audience;
                vec![EventKind::AudienceChoice {
                    audience: *audience,
                }]
            }
            SessionCommand::FilterTopic(topic) => {
                visit.topic = topic.clone();
                Vec::new()
            }
            SessionCommand::OpenExhibit(id) => visit.open_exhibit(&content.catalog, id, now),
            SessionCommand::GoHome => visit.close_exhibit(now),
            // The touch that answered "Still there?" already kept the session alive
            // (`track_activity`); the card goes with the countdown.
            SessionCommand::StillHere => Vec::new(),
        };
        track.write_batch(Track::all(visit.session_id(), events));
    }
}

/// The theme follows the visitor's modes, and the kiosk's defaults between visitors.
fn follow_access_modes(
    settings: Res<KioskSettings>,
    visit: Res<Visit>,
    mut theme: ResMut<ActiveTheme>,
) {
    let modes = visit.modes_or(settings.access_defaults);
    let wanted = Theme::for_screen(modes, settings.min_target_px);
    if theme.0 != wanted {
        theme.0 = wanted;
    }
}

/// After the idle timeout and the "Still there?" countdown the session ends and the attract
/// screen returns.
fn end_idle_session(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    mut visit: ResMut<Visit>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    let phase = visit.idle_phase(now, settings.idle_timeout, settings.idle_countdown);
    if phase == IdlePhase::Gone {
        end_session(&mut visit, now, SessionEndReason::IdleTimeout, &mut track);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepu_core::wire::AccessibilityModes;
    use std::time::Duration;

    #[test]
    fn the_screen_follows_the_visit_and_the_staff_panel() {
        let mut visit = Visit::default();
        assert_eq!(screen_for(&visit, false), Screen::Attract);
        let _ = visit.start(Duration::ZERO, "zh", AccessibilityModes::default());
        assert_eq!(screen_for(&visit, false), Screen::Home);
        assert_eq!(screen_for(&visit, true), Screen::Staff);
        let _ = visit.end(Duration::from_secs(1), SessionEndReason::StartOver);
        assert_eq!(screen_for(&visit, false), Screen::Attract);
    }
}
