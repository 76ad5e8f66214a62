//! Touch widgets shared by several screens.

use super::{KioskView, UiCommand, UiOutput, command_button, register};
use crate::ui::SessionCommand;
use bevy_egui::egui;
use kepu_core::slider::SliderRange;

/// A wide slider a finger can hit anywhere along its length, with − and + buttons for exact
/// steps (easier for unsteady hands). `command` turns a new value into the command to emit.
/// Disabled, it only shows the value. The track is registered as a target with the current
/// value, so tests and the autopilot can find it.
pub fn touch_slider(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    value: f64,
    range: SliderRange,
    enabled: bool,
    command: &dyn Fn(f64) -> UiCommand,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let button = egui::vec2(theme.min_target, theme.min_target);
    ui.horizontal(|ui| {
        if enabled {
            command_button(
                ui,
                view,
                egui::RichText::new("−")
                    .font(theme.bold_font(theme.body_size * 1.4))
                    .color(theme.text),
                button,
                None,
                command(range.snap(value - range.button_step())),
                out,
            );
        }
        // Room for the + button and its spacing, with a margin for rounding.
        let width = (ui.available_width() - button.x - theme.spacing * 1.5).clamp(160.0, 1000.0);
        let sense = if enabled {
            egui::Sense::click_and_drag()
        } else {
            egui::Sense::hover()
        };
        let (rect, response) =
            ui.allocate_exact_size(egui::vec2(width, theme.min_target + 8.0), sense);
        let span = (range.max - range.min).max(f64::EPSILON);
        let share = ((value - range.min) / span).clamp(0.0, 1.0) as f32;
        let track = egui::Rect::from_center_size(rect.center(), egui::vec2(rect.width(), 14.0));
        let painter = ui.painter();
        painter.rect_filled(track, 7, theme.muted_text.gamma_multiply(0.35));
        let filled = egui::Rect::from_min_max(
            track.min,
            egui::pos2(track.min.x + track.width() * share, track.max.y),
        );
        painter.rect_filled(filled, 7, theme.accent);
        let thumb = egui::pos2(track.min.x + track.width() * share, track.center().y);
        painter.circle_filled(thumb, theme.min_target * 0.38, theme.accent);
        painter.circle_stroke(
            thumb,
            theme.min_target * 0.38,
            egui::Stroke::new(3.0, theme.surface),
        );
        if enabled {
            register(&response, command(value), out);
            if (response.dragged() || response.is_pointer_button_down_on())
                && let Some(pointer) = response.interact_pointer_pos()
            {
                let share = f64::from(((pointer.x - track.min.x) / track.width()).clamp(0.0, 1.0));
                let wanted = range.snap(range.min + share * span);
                if wanted != value {
                    out.commands.push(command(wanted));
                }
            }
            command_button(
                ui,
                view,
                egui::RichText::new("+")
                    .font(theme.bold_font(theme.body_size * 1.4))
                    .color(theme.text),
                button,
                None,
                command(range.snap(value + range.button_step())),
                out,
            );
        }
    });
}

/// The pair that ends a quiz or a game: play it again (accent) and back to home, centred.
pub fn again_or_home(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    again: super::strings::Phrase,
    again_command: UiCommand,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    ui.horizontal(|ui| {
        let button = egui::vec2(360.0, theme.min_target);
        ui.add_space(((ui.available_width() - 2.0 * button.x - theme.spacing) / 2.0).max(0.0));
        command_button(
            ui,
            view,
            theme.on_accent(view.phrase(again)),
            button,
            Some(theme.accent),
            again_command,
            out,
        );
        command_button(
            ui,
            view,
            theme.body(view.phrase(super::strings::Phrase::BackHome)),
            button,
            None,
            UiCommand::Session(SessionCommand::GoHome),
            out,
        );
    });
}

/// A number as a visitor reads it: no trailing zeros, at most `decimals` decimals.
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(format_number(150.0, 3), "150");
        assert_eq!(format_number(2.5, 3), "2.5");
        assert_eq!(format_number(2.0071, 2), "2.01");
        assert_eq!(format_number(-0.0001, 2), "0");
        assert_eq!(format_number(100.0, 0), "100");
    }
}
