//! The state of one visitor inside a hotspots, simulation or sort exhibit: plain data with
//! methods that return the engagement events they cause, like [`crate::visit::Visit`]. The
//! maths and rules live in kepu-core; drawing lives in `ui`.

pub mod hotspots;
pub mod simulation;
pub mod sort;

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
            apply_player_commands.in_set(KioskSet::Commands),
            advance_simulation.in_set(KioskSet::Session),
        ),
    );
}

/// Commands of the hotspots, simulation and sort players.
fn apply_player_commands(
    content: Res<Content>,
    mut visit: ResMut<Visit>,
    mut ui_commands: MessageReader<UiCommand>,
    mut track: MessageWriter<Track>,
) {
    for command in ui_commands.read() {
        let session = visit.session_id();
        let Some((manifest, player)) = visit.player_mut(&content.catalog) else {
            continue;
        };
        let events = match (command, player) {
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
