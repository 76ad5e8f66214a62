//! The pendulum on the canvas: the rod and bob swinging under the release-angle arc; the
//! measured period beside 2π√(L/g) and the exact one; the bob dragged to set the release angle.

use super::{ModelUi, explanation, parameter_range, readout, register, set};
use crate::ui::strings::Phrase;
use crate::ui::widgets::format_number;
use crate::ui::{KioskView, UiCommand};
use bevy::prelude::*;
use bevy_egui::egui;
use kepu_core::manifest::Exhibit;
use kepu_core::sim::SimModel;

pub fn plugin(app: &mut App) {
    register(
        app,
        "pendulum",
        ModelUi {
            draw,
            readouts,
            drag,
        },
    );
}

/// Where the pendulum hangs from, on a canvas of `rect`.
fn pivot(rect: egui::Rect) -> egui::Pos2 {
    egui::pos2(rect.center().x, rect.top() + rect.height() * 0.12)
}

fn draw(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    exhibit: &Exhibit,
    model: &SimModel,
) {
    let SimModel::Pendulum(pendulum) = model else {
        return;
    };
    let max_length = parameter_range(exhibit, "length").map_or(pendulum.length_m(), |r| r.1);
    let theme = view.theme;
    let pivot = pivot(rect);
    // The longest rod the sliders allow just fits, so lengths compare by eye.
    let scale = (rect.height() * 0.8) / max_length.max(0.01) as f32;
    let length = pendulum.length_m() as f32 * scale;
    let release = pendulum.release_angle() as f32;
    // The release angle, as a faint arc, so the swing's size is visible.
    let arc: Vec<egui::Pos2> = (0..=32)
        .map(|i| {
            let a = -release + 2.0 * release * i as f32 / 32.0;
            pivot + egui::vec2(a.sin(), a.cos()) * length
        })
        .collect();
    painter.add(egui::Shape::line(
        arc,
        egui::Stroke::new(2.0, theme.muted_text.gamma_multiply(0.5)),
    ));
    let angle = pendulum.angle() as f32;
    let bob = pivot + egui::vec2(angle.sin(), angle.cos()) * length;
    painter.line_segment([pivot, bob], egui::Stroke::new(4.0, theme.text));
    painter.circle_filled(pivot, 8.0, theme.text);
    painter.circle_filled(bob, 28.0, theme.accent);
}

fn readouts(ui: &mut egui::Ui, view: &KioskView<'_>, model: &SimModel) {
    let SimModel::Pendulum(p) = model else {
        return;
    };
    let measured = p
        .measured_period()
        .map_or_else(|| "…".to_owned(), |t| format_number(t, 2));
    readout(ui, view, Phrase::MeasuredPeriod, measured);
    readout(
        ui,
        view,
        Phrase::FormulaPeriod,
        format_number(p.small_angle_period(), 2),
    );
    readout(
        ui,
        view,
        Phrase::ExactPeriod,
        format_number(p.exact_period(), 2),
    );
    // Beyond about 15° the difference exceeds 0.4 %, enough to see in the readouts.
    let why = if p.release_angle_deg() > 15.0 {
        Phrase::WhyLonger
    } else {
        Phrase::WhySame
    };
    explanation(
        ui,
        view,
        why,
        view.theme.body_size * 0.8,
        view.theme.muted_text,
    );
}

/// The rod follows the finger: its angle from straight down is the release angle.
fn drag(_: &Exhibit, _: &SimModel, rect: egui::Rect, finger: egui::Pos2) -> Vec<UiCommand> {
    let from_pivot = finger - pivot(rect);
    let degrees = f64::from(from_pivot.x.abs().atan2(from_pivot.y).to_degrees());
    vec![set("angle", degrees)]
}
