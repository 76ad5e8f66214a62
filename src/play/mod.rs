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
                .after(crate::session::apply_exhibit_commands),
            (advance_simulation, end_quiz_on_time).in_set(KioskSet::Session),
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
            (UiCommand::TurnPage(delta), Player::Story(story)) => story.turn_page(manifest, *delta),
            (UiCommand::Answer(choice), Player::Quiz(quiz)) => quiz.answer(exhibit, choice, now),
            (UiCommand::ToggleChoice(choice), Player::Quiz(quiz)) => {
                quiz.toggle_choice(choice);
                Vec::new()
            }
            (UiCommand::MoveItem { from, to }, Player::Quiz(quiz)) => {
                quiz.move_item(*from, *to);
                Vec::new()
            }
            (UiCommand::SetEstimate(value), Player::Quiz(quiz)) => {
                quiz.set_estimate(*value);
                Vec::new()
            }
            (UiCommand::SubmitAnswer, Player::Quiz(quiz)) => quiz.submit_draft(exhibit, now),
            (UiCommand::NextQuestion, Player::Quiz(quiz)) => quiz.next_question(exhibit, now),
            (UiCommand::TryAgain, Player::Quiz(quiz)) => {
                quiz.try_again(now);
                Vec::new()
            }
            (UiCommand::PlaceItem { item, bin }, Player::Sort(sort)) => {
                sort.place(&manifest.id, item, bin)
            }
            (UiCommand::SortAgain, Player::Sort(sort)) => {
                sort.restart(manifest, rand::random());
                Vec::new()
            }
            (UiCommand::OpenHotspot(id), Player::Hotspots(spots)) => spots.open(manifest, id),
            (UiCommand::CloseHotspot, Player::Hotspots(spots)) => {
                spots.close_card();
                Vec::new()
            }
            (UiCommand::ZoomImage { factor, focus }, Player::Hotspots(spots)) => {
                spots
                    .view
                    .zoom_by(f64::from(*factor), (f64::from(focus.0), f64::from(focus.1)));
                Vec::new()
            }
            (UiCommand::PanImage(dx, dy), Player::Hotspots(spots)) => {
                spots.view.pan_by((f64::from(*dx), f64::from(*dy)));
                Vec::new()
            }
            (UiCommand::SetParameter(id, value), Player::Simulation(sim)) => {
                sim.set_parameter(manifest, id, *value);
                Vec::new()
            }
            (UiCommand::SimPlay, Player::Simulation(sim)) => {
                sim.play();
                Vec::new()
            }
            (UiCommand::SimPause, Player::Simulation(sim)) => {
                sim.pause();
                Vec::new()
            }
            (UiCommand::SimReset, Player::Simulation(sim)) => {
                sim.reset();
                Vec::new()
            }
            _ => Vec::new(),
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
