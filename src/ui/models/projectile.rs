//! The projectile on the canvas: ground, target flag, the trajectory so far at true shape;
//! range, peak and the no-drag range with hit or miss; a pull from the launch point to aim.

use super::{ModelUi, parameter_range, readout, register, set};
use crate::ui::strings::{Phrase, fill};
use crate::ui::widgets::format_number;
use crate::ui::{KioskView, UiCommand};
use bevy::prelude::*;
use bevy_egui::egui;
use kepu_core::manifest::Exhibit;
use kepu_core::sim::{Projectile, SimModel};

pub fn plugin(app: &mut App) {
    register(
        app,
        "projectile",
        ModelUi {
            draw,
            readouts,
            drag,
        },
    );
}

/// The launch point on screen, and metres to points.
fn frame(rect: egui::Rect, projectile: &Projectile) -> (egui::Pos2, f32) {
    let target = projectile.target_distance_m();
    let reach = projectile
        .analytic_range()
        .max(target * 1.15)
        .max(projectile.position().0)
        .max(1.0);
    let height = projectile.analytic_peak_height().max(reach * 0.05);
    let inner = rect.shrink(40.0);
    // One scale for both axes, so the arc has its true shape.
    let scale = (inner.width() / reach as f32).min(inner.height() / height as f32);
    (inner.left_bottom(), scale)
}

fn draw(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    _: &Exhibit,
    model: &SimModel,
) {
    let SimModel::Projectile(projectile) = model else {
        return;
    };
    let theme = view.theme;
    let target = projectile.target_distance_m();
    let (launch, scale) = frame(rect, projectile);
    let ground_y = launch.y;
    let to_screen =
        |(x, y): (f64, f64)| egui::pos2(launch.x + x as f32 * scale, ground_y - y as f32 * scale);
    painter.line_segment(
        [
            egui::pos2(rect.left(), ground_y),
            egui::pos2(rect.right(), ground_y),
        ],
        egui::Stroke::new(3.0, theme.muted_text),
    );
    let flag = to_screen((target, 0.0));
    painter.line_segment(
        [flag, flag - egui::vec2(0.0, 60.0)],
        egui::Stroke::new(3.0, theme.wrong),
    );
    painter.add(egui::Shape::convex_polygon(
        vec![
            flag - egui::vec2(0.0, 60.0),
            flag - egui::vec2(-36.0, 48.0),
            flag - egui::vec2(0.0, 36.0),
        ],
        theme.wrong,
        egui::Stroke::NONE,
    ));
    let path: Vec<egui::Pos2> = projectile
        .trajectory()
        .iter()
        .copied()
        .map(to_screen)
        .collect();
    if path.len() >= 2 {
        painter.add(egui::Shape::line(
            path,
            egui::Stroke::new(3.0, theme.accent),
        ));
    }
    painter.circle_filled(to_screen(projectile.position()), 14.0, theme.accent);
}

fn readouts(ui: &mut egui::Ui, view: &KioskView<'_>, model: &SimModel) {
    let SimModel::Projectile(p) = model else {
        return;
    };
    let theme = view.theme;
    let range = p.range().unwrap_or(p.position().0);
    readout(ui, view, Phrase::Range, format_number(range, 1));
    readout(ui, view, Phrase::Peak, format_number(p.peak_height(), 1));
    readout(
        ui,
        view,
        Phrase::NoDragRange,
        format_number(p.analytic_range(), 1),
    );
    if let Some(miss) = p.miss_distance(p.target_distance_m()) {
        let tolerance = (p.target_distance_m() * 0.03).max(0.5);
        let text = if miss.abs() <= tolerance {
            view.phrase(Phrase::TargetHit).to_owned()
        } else if miss < 0.0 {
            fill(view.phrase(Phrase::TooShort), format_number(-miss, 1), "")
        } else {
            fill(view.phrase(Phrase::TooLong), format_number(miss, 1), "")
        };
        ui.label(egui::RichText::new(text).size(theme.heading_size).color(
            if miss.abs() <= tolerance {
                theme.correct
            } else {
                theme.wrong
            },
        ));
    }
}

/// Aim from the launch point: the direction is the angle, the distance the speed (half the
/// canvas's width is the fastest launch the sliders allow).
fn drag(
    exhibit: &Exhibit,
    model: &SimModel,
    rect: egui::Rect,
    finger: egui::Pos2,
) -> Vec<UiCommand> {
    let SimModel::Projectile(projectile) = model else {
        return Vec::new();
    };
    let (launch, _) = frame(rect, projectile);
    let aim = finger - launch;
    let degrees = f64::from((-aim.y).atan2(aim.x).to_degrees());
    let mut commands = vec![set("angle", degrees)];
    if let Some((min, max)) = parameter_range(exhibit, "speed") {
        let pull = f64::from(aim.length() / (rect.width() * 0.5)).clamp(0.0, 1.0);
        commands.push(set("speed", min + pull * (max - min)));
    }
    commands
}
