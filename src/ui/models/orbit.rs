//! The orbit on the canvas: the planet, the satellite and its trail, scaled to fit the whole
//! orbit (or room to leave); its speed beside the circular and escape speeds, and what the
//! orbit is; a sideways drag sets the launch speed.

use super::{ModelUi, explanation, parameter_range, readout, register, set};
use crate::ui::strings::Phrase;
use crate::ui::widgets::format_number;
use crate::ui::{KioskView, UiCommand};
use bevy::prelude::*;
use bevy_egui::egui;
use kepu_core::manifest::Exhibit;
use kepu_core::sim::{OrbitOutcome, SimModel};

pub fn plugin(app: &mut App) {
    register(
        app,
        "orbit",
        ModelUi {
            draw,
            readouts,
            drag,
        },
    );
}

fn draw(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    _: &Exhibit,
    model: &SimModel,
) {
    let SimModel::Orbit(orbit) = model else {
        return;
    };
    let theme = view.theme;
    let planet_radius = orbit.body().radius_m;
    // Fit the whole bound orbit; an escape gets four launch radii of room.
    let extent = match orbit.outcome() {
        OrbitOutcome::Escape => orbit.launch_altitude_m() + planet_radius,
        _ => orbit
            .apoapsis_radius_m()
            .unwrap_or(orbit.radius_m())
            .max(orbit.radius_m()),
    } * if orbit.outcome() == OrbitOutcome::Escape {
        4.0
    } else {
        1.15
    };
    let scale = rect.width().min(rect.height()) * 0.5 / extent as f32;
    let centre = rect.center();
    let to_screen = |(x, y): (f64, f64)| centre + egui::vec2(x as f32, -(y as f32)) * scale;
    painter.circle_filled(
        centre,
        planet_radius as f32 * scale,
        egui::Color32::from_rgb(0x2F, 0x6F, 0xB5),
    );
    let trail: Vec<egui::Pos2> = orbit.trail().map(to_screen).collect();
    if trail.len() >= 2 {
        painter.add(egui::Shape::line(
            trail,
            egui::Stroke::new(3.0, theme.accent.gamma_multiply(0.7)),
        ));
    }
    painter.circle_filled(to_screen(orbit.position()), 10.0, theme.wrong);
}

fn readouts(ui: &mut egui::Ui, view: &KioskView<'_>, model: &SimModel) {
    let SimModel::Orbit(o) = model else {
        return;
    };
    let km_s = |v: f64| format_number(v / 1000.0, 2);
    readout(ui, view, Phrase::OrbitSpeed, km_s(o.speed()));
    readout(ui, view, Phrase::CircularSpeed, km_s(o.circular_speed()));
    readout(ui, view, Phrase::EscapeSpeed, km_s(o.escape_speed()));
    let outcome = match o.outcome() {
        OrbitOutcome::FallsBack => Phrase::FallsBack,
        OrbitOutcome::Circular => Phrase::CircularOrbit,
        OrbitOutcome::Ellipse => Phrase::EllipticOrbit,
        OrbitOutcome::Escape => Phrase::Escapes,
    };
    explanation(
        ui,
        view,
        outcome,
        view.theme.heading_size * 0.8,
        view.theme.accent,
    );
}

/// Left edge slowest, right edge fastest.
fn drag(exhibit: &Exhibit, _: &SimModel, rect: egui::Rect, finger: egui::Pos2) -> Vec<UiCommand> {
    let across = f64::from((finger.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
    parameter_range(exhibit, "speed").map_or_else(Vec::new, |(min, max)| {
        vec![set("speed", min + across * (max - min))]
    })
}
