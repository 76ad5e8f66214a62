//! Visitor sessions: the first touch starts one, "start over" or the idle timeout ends it.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::engagement::Track;
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
            (apply_session_commands, apply_exhibit_commands)
                .chain()
                .in_set(KioskSet::Commands),
            (end_idle_session, follow_access_modes)
                .chain()
                .in_set(KioskSet::Session),
        ),
    );
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

fn apply_session_commands(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    mut visit: ResMut<Visit>,
    mut ui_commands: MessageReader<UiCommand>,
    mut next_screen: ResMut<NextState<Screen>>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    for command in ui_commands.read() {
        match command {
            UiCommand::StartSession if visit.session.is_none() => {
                let events =
                    visit.start(now, settings.default_language(), settings.access_defaults);
                track.write_batch(Track::all(visit.session_id(), events));
                next_screen.set(Screen::Home);
            }
            UiCommand::StartOver => {
                let session = visit.session_id();
                track.write_batch(Track::all(
                    session,
                    visit.end(now, SessionEndReason::StartOver),
                ));
                next_screen.set(Screen::Attract);
            }
            // Only inside a session: a tap racing the session's end (or the staff panel's
            // opening) must not record a language change that belongs to no visitor.
            UiCommand::SetLanguage(language)
                if visit.session.is_some() && settings.languages.contains(language) =>
            {
                let events = visit.set_language(language);
                track.write_batch(Track::all(visit.session_id(), events));
            }
            UiCommand::ToggleLargeText
            | UiCommand::ToggleHighContrast
            | UiCommand::ToggleSeated
                if visit.session.is_some() =>
            {
                let modes = &mut visit.modes;
                match command {
                    UiCommand::ToggleLargeText => modes.large_text = !modes.large_text,
                    UiCommand::ToggleHighContrast => modes.high_contrast = !modes.high_contrast,
                    _ => modes.seated = !modes.seated,
                }
                let event = EventKind::AccessibilityChange {
                    large_text: modes.large_text,
                    high_contrast: modes.high_contrast,
                    seated: modes.seated,
                };
                track.write(Track {
                    session_id: visit.session_id(),
                    event,
                });
            }
            UiCommand::ChooseAudience(audience) if visit.session.is_some() => {
                visit.audience = *audience;
                track.write(Track {
                    session_id: visit.session_id(),
                    event: EventKind::AudienceChoice {
                        audience: *audience,
                    },
                });
            }
            UiCommand::FilterTopic(topic) if visit.session.is_some() => {
                visit.topic = topic.clone();
            }
            _ => {}
        }
    }
}

fn apply_exhibit_commands(
    time: Res<Time<Real>>,
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut ui_commands: MessageReader<UiCommand>,
    mut next_screen: ResMut<NextState<Screen>>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    let catalog = &content.catalog;
    for command in ui_commands.read() {
        if visit.session.is_none() {
            // Taps that raced a session end (or arrive on the attract screen) do nothing.
            continue;
        }
        let events = match command {
            UiCommand::OpenExhibit(id) => {
                let events = visit.open_exhibit(catalog, id, now);
                if visit.open.is_some() {
                    next_screen.set(Screen::Exhibit);
                }
                events
            }
            UiCommand::GoHome => {
                next_screen.set(Screen::Home);
                visit.close_exhibit(now)
            }
            UiCommand::TurnPage(delta) => visit.turn_page(catalog, *delta),
            UiCommand::Answer(choice) => visit.answer(choice, now),
            UiCommand::ToggleChoice(choice) => {
                visit.toggle_choice(choice);
                Vec::new()
            }
            UiCommand::MoveItem { from, to } => {
                visit.move_item(*from, *to);
                Vec::new()
            }
            UiCommand::SetEstimate(value) => {
                visit.set_estimate(*value);
                Vec::new()
            }
            UiCommand::SubmitAnswer => visit.submit_draft(now),
            UiCommand::NextQuestion => visit.next_question(now),
            UiCommand::TryAgain => {
                visit.try_again(now);
                Vec::new()
            }
            _ => Vec::new(),
        };
        track.write_batch(Track::all(visit.session_id(), events));
    }
    // A quiz with a time limit ends when it runs out, touched or not.
    // (Checked read-only first, so an idle kiosk's `Visit` is not marked changed every frame.)
    if visit.quiz_time_is_up(now) {
        let events = visit.check_quiz_time(now);
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
    mut next_screen: ResMut<NextState<Screen>>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    let phase = visit.idle_phase(now, settings.idle_timeout, settings.idle_countdown);
    if phase == IdlePhase::Gone {
        let session = visit.session_id();
        track.write_batch(Track::all(
            session,
            visit.end(now, SessionEndReason::IdleTimeout),
        ));
        next_screen.set(Screen::Attract);
    }
}
