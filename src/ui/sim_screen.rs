//! The simulation player: the model drawn on a canvas, its parameters as touch sliders (plus
//! planet buttons for gravity), play/pause/reset, and readouts that explain what is seen.

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::widgets::{SliderRange, format_number, touch_slider};
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::play::simulation::SimProgress;
use bevy_egui::egui;
use kepu_core::manifest::{Exhibit, model};
use kepu_core::sim::{OrbitOutcome, Planet, SimModel};

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
    if canvas.dragged()
        && let Some(finger) = canvas.interact_pointer_pos()
    {
        out.commands
            .extend(drag_on_canvas(exhibit, sim, rect, finger));
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, theme.corner_radius, theme.surface);
    match &sim.sim {
        SimModel::Pendulum(pendulum) => {
            let max_length = parameter_max(exhibit, "length").unwrap_or(pendulum.length_m());
            draw_pendulum(&painter, view, rect, pendulum, max_length);
        }
        SimModel::Projectile(projectile) => draw_projectile(&painter, view, rect, projectile),
        SimModel::Orbit(orbit) => draw_orbit(&painter, view, rect, orbit),
    }
}

/// The parameters a finger at `finger` on the canvas sets, by model.
fn drag_on_canvas(
    exhibit: &Exhibit,
    sim: &SimProgress,
    rect: egui::Rect,
    finger: egui::Pos2,
) -> Vec<UiCommand> {
    let set = |id: &str, value: f64| UiCommand::SetParameter(id.to_owned(), value);
    let range = |id: &str| {
        exhibit
            .manifest
            .parameters
            .iter()
            .find(|p| p.id == id)
            .map(|p| (p.min, p.max))
    };
    match &sim.sim {
        SimModel::Pendulum(_) => {
            // The rod follows the finger: its angle from straight down is the release angle.
            let from_pivot = finger - pendulum_pivot(rect);
            let degrees = f64::from(from_pivot.x.abs().atan2(from_pivot.y).to_degrees());
            vec![set("angle", degrees)]
        }
        SimModel::Projectile(projectile) => {
            // Aim from the launch point: the direction is the angle, the distance the speed
            // (half the canvas's width is the fastest launch the sliders allow).
            let (launch, _) = projectile_frame(rect, projectile);
            let aim = finger - launch;
            let degrees = f64::from((-aim.y).atan2(aim.x).to_degrees());
            let mut commands = vec![set("angle", degrees)];
            if let Some((min, max)) = range("speed") {
                let pull = f64::from(aim.length() / (rect.width() * 0.5)).clamp(0.0, 1.0);
                commands.push(set("speed", min + pull * (max - min)));
            }
            commands
        }
        SimModel::Orbit(_) => {
            // Left edge slowest, right edge fastest.
            let across = f64::from((finger.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
            range("speed").map_or_else(Vec::new, |(min, max)| {
                vec![set("speed", min + across * (max - min))]
            })
        }
    }
}

/// Where the pendulum hangs from, on a canvas of `rect`.
fn pendulum_pivot(rect: egui::Rect) -> egui::Pos2 {
    egui::pos2(rect.center().x, rect.top() + rect.height() * 0.12)
}

/// The projectile's launch point on screen, and metres to points.
fn projectile_frame(
    rect: egui::Rect,
    projectile: &kepu_core::sim::Projectile,
) -> (egui::Pos2, f32) {
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

fn parameter_max(exhibit: &Exhibit, id: &str) -> Option<f64> {
    exhibit
        .manifest
        .parameters
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.max)
}

fn controls(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    sim: &SimProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    readouts(ui, view, sim);
    ui.add_space(theme.spacing / 2.0);
    within_reach(ui, view);
    ui.horizontal(|ui| {
        let (phrase, command) = if sim.running {
            (Phrase::Pause, UiCommand::SimPause)
        } else {
            (Phrase::Play, UiCommand::SimPlay)
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
            UiCommand::SimReset,
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
            SliderRange {
                min: parameter.min,
                max: parameter.max,
                step: parameter.step,
            },
            true,
            &move |v| UiCommand::SetParameter(id.clone(), v),
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
                UiCommand::SetParameter("gravity".into(), planet.gravity()),
                out,
            );
        }
    });
}

fn readouts(ui: &mut egui::Ui, view: &KioskView<'_>, sim: &SimProgress) {
    let theme = view.theme;
    let readout = |ui: &mut egui::Ui, phrase: Phrase, value: String| {
        let text = fill(view.phrase(phrase), value, "");
        ui.add(
            egui::Label::new(
                egui::RichText::new(text)
                    .size(theme.body_size * 0.85)
                    .color(theme.text),
            )
            .wrap(),
        );
    };
    match &sim.sim {
        SimModel::Pendulum(p) => {
            let measured = p
                .measured_period()
                .map_or_else(|| "…".to_owned(), |t| format_number(t, 2));
            readout(ui, Phrase::MeasuredPeriod, measured);
            readout(
                ui,
                Phrase::FormulaPeriod,
                format_number(p.small_angle_period(), 2),
            );
            readout(ui, Phrase::ExactPeriod, format_number(p.exact_period(), 2));
            // Beyond about 15° the difference exceeds 0.4 %, enough to see in the readouts.
            let why = if p.release_angle_deg() > 15.0 {
                Phrase::WhyLonger
            } else {
                Phrase::WhySame
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(view.phrase(why))
                        .size(theme.body_size * 0.8)
                        .color(theme.muted_text),
                )
                .wrap(),
            );
        }
        SimModel::Projectile(p) => {
            let range = p.range().unwrap_or(p.position().0);
            readout(ui, Phrase::Range, format_number(range, 1));
            readout(ui, Phrase::Peak, format_number(p.peak_height(), 1));
            readout(
                ui,
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
        SimModel::Orbit(o) => {
            let km_s = |v: f64| format_number(v / 1000.0, 2);
            readout(ui, Phrase::OrbitSpeed, km_s(o.speed()));
            readout(ui, Phrase::CircularSpeed, km_s(o.circular_speed()));
            readout(ui, Phrase::EscapeSpeed, km_s(o.escape_speed()));
            let outcome = match o.outcome() {
                OrbitOutcome::FallsBack => Phrase::FallsBack,
                OrbitOutcome::Circular => Phrase::CircularOrbit,
                OrbitOutcome::Ellipse => Phrase::EllipticOrbit,
                OrbitOutcome::Escape => Phrase::Escapes,
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(view.phrase(outcome))
                        .size(theme.heading_size * 0.8)
                        .color(theme.accent),
                )
                .wrap(),
            );
        }
    }
}

fn draw_pendulum(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    pendulum: &kepu_core::sim::Pendulum,
    max_length: f64,
) {
    let theme = view.theme;
    let pivot = pendulum_pivot(rect);
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

fn draw_projectile(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    projectile: &kepu_core::sim::Projectile,
) {
    let theme = view.theme;
    let target = projectile.target_distance_m();
    let (launch, scale) = projectile_frame(rect, projectile);
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

fn draw_orbit(
    painter: &egui::Painter,
    view: &KioskView<'_>,
    rect: egui::Rect,
    orbit: &kepu_core::sim::Orbit,
) {
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
