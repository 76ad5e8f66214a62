//! The state of one visitor inside an exhibit, one module per kind (story, quiz, hotspots,
//! simulation, sort): plain data with methods that return the engagement events they cause,
//! like [`crate::visit::Visit`]. The maths and rules live in kepu-core; drawing lives in `ui`
//! (`ui/<kind>_screen.rs`). A new kind is a module here, a `Player` variant, its arm in
//! [`apply_player_commands`], and its screen (ARCHITECTURE.md, "Adding an exhibit kind").

pub mod hotspots;
pub mod quiz;
pub mod simulation;
pub mod sort;
pub mod story;

use crate::KioskSet;
use crate::content::Content;
use crate::engagement::Track;
use crate::ui::UiCommand;
use crate::visit::{Player, Visit};
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            apply_player_commands
                .in_set(KioskSet::Commands)
                .after(crate::session::apply_session_commands),
            (
                advance_simulation,
                end_quiz_on_time,
                hotspots::hint_deadline,
            )
                .in_set(KioskSet::Session),
        ),
    );
}

/// Commands inside the open exhibit, each to its player.
fn apply_player_commands(
    time: Res<Time<Real>>,
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut ui_commands: MessageReader<UiCommand>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    for command in ui_commands.read() {
        let session = visit.session_id();
        if session.is_none() {
            // Taps that raced a session end do nothing.
            continue;
        }
        let Some((manifest, player)) = visit.player_mut(&content.catalog) else {
            continue;
        };
        let exhibit = manifest.id.as_str();
        let events = match (command, player) {
            (UiCommand::Story(command), Player::Story(story)) => story.apply(manifest, command),
            (UiCommand::Quiz(command), Player::Quiz(quiz)) => quiz.apply(exhibit, command, now),
            (UiCommand::Sort(command), Player::Sort(sort)) => sort.apply(manifest, command),
            (UiCommand::Hotspots(command), Player::Hotspots(spots)) => {
                spots.apply(manifest, command, now)
            }
            (UiCommand::Simulation(command), Player::Simulation(sim)) => {
                sim.apply(manifest, command)
            }
            // The session's and the staff panel's commands have handlers of their own; a
            // player's command while another kind is open (a tap racing a change) does nothing.
            (
                UiCommand::Session(_)
                | UiCommand::Staff(_)
                | UiCommand::Story(_)
                | UiCommand::Quiz(_)
                | UiCommand::Sort(_)
                | UiCommand::Hotspots(_)
                | UiCommand::Simulation(_),
                _,
            ) => Vec::new(),
        };
        track.write_batch(Track::all(session, events));
    }
}

/// A quiz with a time limit ends when it runs out, touched or not (checked read-only first,
/// so an idle kiosk's `Visit` is not marked changed every frame).
fn end_quiz_on_time(
    time: Res<Time<Real>>,
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    let due = matches!(
        visit.open.as_ref().map(|o| &o.player),
        Some(Player::Quiz(quiz)) if quiz.time_is_up(now)
    );
    if !due {
        return;
    }
    let session = visit.session_id();
    if let Some((manifest, Player::Quiz(quiz))) = visit.player_mut(&content.catalog) {
        let events = quiz.check_time(&manifest.id, now);
        track.write_batch(Track::all(session, events));
    }
}

/// A running simulation moves on by the frame's real time (checked read-only first, so a
/// paused one does not mark the visit changed every frame).
fn advance_simulation(time: Res<Time<Real>>, mut visit: ResMut<Visit>) {
    let running = matches!(
        visit.open.as_ref().map(|o| &o.player),
        Some(Player::Simulation(sim)) if sim.running
    );
    if running
        && let Some(open) = &mut visit.open
        && let Player::Simulation(sim) = &mut open.player
    {
        sim.advance(time.delta());
    }
}
