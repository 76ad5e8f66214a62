//! The simulation player: the model drawn on a canvas, its parameters as touch sliders (plus
//! planet buttons for gravity), play/pause/reset, and readouts that explain what is seen. What
//! is drawn, read out and set by a finger on the canvas comes from the model's own plugin
//! (`ui::models`).

use super::screens::within_reach;
use super::strings::Phrase;
use super::widgets::{format_number, touch_slider};
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::play::simulation::SimProgress;
use crate::ui::SimCommand;
use bevy_egui::egui;
use kepu_core::manifest::{Exhibit, model};
use kepu_core::sim::Planet;
use kepu_core::slider::SliderRange;

pub fn simulation(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    sim: &SimProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let controls_width = (ui.available_width() * 0.4).clamp(420.0, 760.0);
    egui::Panel::right("sim-controls")
        .exact_size(controls_width)
        .frame(egui::Frame::new().inner_margin(egui::Margin {
            left: theme.spacing as i8,
            ..Default::default()
        }))
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("sim-controls-scroll")
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
                .show(ui, |ui| controls(ui, view, exhibit, sim, out));
        });
    // The canvas answers a finger too: drag the bob to set the release angle, pull back from
    // the launch point to aim, drag sideways to set the satellite's speed.
    let (rect, canvas) = ui.allocate_exact_size(ui.available_size(), egui::Sense::drag());
    let model_ui = view.models.get(&sim.model_name);
    if canvas.dragged()
        && let Some(finger) = canvas.interact_pointer_pos()
        && let Some(model_ui) = model_ui
    {
        out.commands
            .extend((model_ui.drag)(exhibit, &sim.sim, rect, finger));
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, theme.corner_radius, theme.surface);
    if let Some(model_ui) = model_ui {
        (model_ui.draw)(&painter, view, rect, exhibit, &sim.sim);
    }
}

fn controls(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    sim: &SimProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    if let Some(model_ui) = view.models.get(&sim.model_name) {
        (model_ui.readouts)(ui, view, &sim.sim);
    }
    ui.add_space(theme.spacing / 2.0);
    within_reach(ui, view);
    ui.horizontal(|ui| {
        let (phrase, command) = if sim.running {
            (Phrase::Pause, UiCommand::Simulation(SimCommand::SimPause))
        } else {
            (Phrase::Play, UiCommand::Simulation(SimCommand::SimPlay))
        };
        let button = egui::vec2(180.0, theme.min_target);
        command_button(
            ui,
            view,
            theme.on_accent(view.phrase(phrase)),
            button,
            Some(theme.accent),
            command,
            out,
        );
        command_button(
            ui,
            view,
            theme.body(view.phrase(Phrase::Reset)),
            button,
            None,
            UiCommand::Simulation(SimCommand::SimReset),
            out,
        );
    });
    let spec = model(&sim.model_name);
    for parameter in &exhibit.manifest.parameters {
        let value = sim
            .values
            .get(&parameter.id)
            .copied()
            .unwrap_or(parameter.default);
        let unit = spec
            .and_then(|m| m.parameter(&parameter.id))
            .map_or("", |p| p.unit);
        ui.label(theme.body(format!(
            "{}: {} {unit}",
            view.text(&parameter.label),
            format_number(value, 2)
        )));
        if parameter.id == "gravity" {
            planet_buttons(ui, view, value, out);
        }
        let id = parameter.id.clone();
        touch_slider(
            ui,
            view,
            value,
            SliderRange::from(parameter),
            true,
            &move |v| UiCommand::Simulation(SimCommand::SetParameter(id.clone(), v)),
            out,
        );
    }
}

/// Gravity of Earth, the Moon, Mars and Jupiter at one tap.
fn planet_buttons(ui: &mut egui::Ui, view: &KioskView<'_>, gravity: f64, out: &mut UiOutput) {
    let theme = view.theme;
    ui.horizontal_wrapped(|ui| {
        for planet in Planet::ALL {
            let phrase = match planet {
                Planet::Earth => Phrase::Earth,
                Planet::Moon => Phrase::Moon,
                Planet::Mars => Phrase::Mars,
                Planet::Jupiter => Phrase::Jupiter,
            };
            let on = (planet.gravity() - gravity).abs() < 0.005;
            let text = if on {
                theme.on_accent(view.phrase(phrase))
            } else {
                theme.body(view.phrase(phrase))
            };
            command_button(
                ui,
                view,
                text,
                egui::vec2(0.0, theme.min_target),
                on.then_some(theme.accent),
                UiCommand::Simulation(SimCommand::SetParameter("gravity".into(), planet.gravity())),
                out,
            );
        }
    });
}
