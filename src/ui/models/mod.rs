//! One Bevy plugin per simulation model. Each registers how the kiosk shows its model: drawn on
//! the canvas, explained in readouts, set by a finger on the picture. The player
//! (`sim_screen`) finds them by the manifest's `model` name; the parameters, ranges, units and
//! labels come from the manifest. A new model is its physics in kepu-core plus a plugin here.

pub mod orbit;
pub mod pendulum;
pub mod projectile;

use super::strings::{Phrase, fill};
use super::{KioskView, UiCommand};
use crate::ui::SimCommand;
use bevy::prelude::*;
use bevy_egui::egui;
use kepu_core::manifest::Exhibit;
use kepu_core::sim::SimModel;
use std::collections::BTreeMap;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ModelUis>().add_plugins((
        pendulum::plugin,
        projectile::plugin,
        orbit::plugin,
    ));
}

/// How the kiosk shows one model.
#[derive(Clone, Copy)]
pub struct ModelUi {
    /// Draws the model's state on the canvas.
    pub draw: fn(&egui::Painter, &KioskView<'_>, egui::Rect, &Exhibit, &SimModel),
    /// The figures beside the canvas, and what they mean.
    pub readouts: fn(&mut egui::Ui, &KioskView<'_>, &SimModel),
    /// What a finger at a point of the canvas sets.
    pub drag: fn(&Exhibit, &SimModel, egui::Rect, egui::Pos2) -> Vec<UiCommand>,
}

/// Every model's [`ModelUi`], by model name.
#[derive(Resource, Default)]
pub struct ModelUis(BTreeMap<&'static str, ModelUi>);

impl ModelUis {
    pub fn get(&self, model: &str) -> Option<&ModelUi> {
        self.0.get(model)
    }
}

/// Called by each model's plugin.
fn register(app: &mut App, model: &'static str, ui: ModelUi) {
    app.init_resource::<ModelUis>();
    app.world_mut()
        .resource_mut::<ModelUis>()
        .0
        .insert(model, ui);
}

/// One figure of the readouts: a phrase with its `{a}` filled in.
fn readout(ui: &mut egui::Ui, view: &KioskView<'_>, phrase: Phrase, value: String) {
    let text = fill(view.phrase(phrase), value, "");
    ui.add(
        egui::Label::new(
            egui::RichText::new(text)
                .size(view.theme.body_size * 0.85)
                .color(view.theme.text),
        )
        .wrap(),
    );
}

/// A line that explains what the figures show, quieter than they are.
fn explanation(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    phrase: Phrase,
    size: f32,
    colour: egui::Color32,
) {
    ui.add(
        egui::Label::new(
            egui::RichText::new(view.phrase(phrase))
                .size(size)
                .color(colour),
        )
        .wrap(),
    );
}

/// The command setting parameter `id` to `value`.
fn set(id: &str, value: f64) -> UiCommand {
    UiCommand::Simulation(SimCommand::SetParameter(id.to_owned(), value))
}

/// A parameter's slider range in this exhibit.
fn parameter_range(exhibit: &Exhibit, id: &str) -> Option<(f64, f64)> {
    exhibit
        .manifest
        .parameters
        .iter()
        .find(|p| p.id == id)
        .map(|p| (p.min, p.max))
}
