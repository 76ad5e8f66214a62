//! A curator's preview of a broken exhibit: its problems, where the exhibit would be. Each one
//! as `validate` words it, with the line of the file it is on and the mistaken character
//! marked (the UI font is proportional, so a caret under a column would miss; a mark on the
//! character itself cannot).

use super::KioskView;
use crate::preview::{PreviewView, ShownProblem};
use bevy_egui::egui;
use kepu_core::manifest::{MessageLanguage, Severity};

/// Signs drawn beside the words (the UI font has them: `theme`'s coverage test reads these).
const ERROR_SIGN: &str = "×";
const WARNING_SIGN: &str = "⚠";
/// Marks a mistake at the end of a line, where there is no character to mark.
const END_OF_LINE_MARK: &str = "◀";
#[cfg(test)]
pub(super) const SIGNS: [&str; 3] = [ERROR_SIGN, WARNING_SIGN, END_OF_LINE_MARK];

pub(super) fn draw(root: &mut egui::Ui, view: &KioskView<'_>, preview: &PreviewView) {
    let theme = view.theme;
    let chinese = preview.messages == MessageLanguage::Chinese;
    let errors = preview
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let heading = if chinese {
        format!("这个展品还不能显示：有 {errors} 个错误")
    } else if errors == 1 {
        "This exhibit cannot be shown yet: 1 error".to_owned()
    } else {
        format!("This exhibit cannot be shown yet: {errors} errors")
    };
    let advice = if chinese {
        "改好 exhibit.toml 并保存，这个窗口会自动重新载入。"
    } else {
        "Fix them in exhibit.toml and save: this window reloads by itself."
    };
    egui::CentralPanel::default()
        .frame(
            egui::Frame::new()
                .fill(theme.background)
                .inner_margin(theme.spacing * 1.5),
        )
        .show(root, |ui| {
            ui.label(theme.heading(heading).color(theme.wrong));
            ui.label(
                egui::RichText::new(advice)
                    .size(theme.body_size)
                    .color(theme.muted_text),
            );
            ui.add_space(theme.spacing);
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    for problem in &preview.problems {
                        problem_card(ui, view, problem, chinese);
                        ui.add_space(theme.spacing * 0.5);
                    }
                });
        });
}

fn problem_card(ui: &mut egui::Ui, view: &KioskView<'_>, problem: &ShownProblem, chinese: bool) {
    let theme = view.theme;
    let small = theme.body_size * 0.8;
    // A word and a sign as well as a colour: never colour alone.
    let (sign, word, colour) = match (problem.severity, chinese) {
        (Severity::Error, true) => (ERROR_SIGN, "错误", theme.wrong),
        (Severity::Error, false) => (ERROR_SIGN, "error", theme.wrong),
        (Severity::Warning, true) => (WARNING_SIGN, "警告", theme.muted_text),
        (Severity::Warning, false) => (WARNING_SIGN, "warning", theme.muted_text),
    };
    egui::Frame::new()
        .fill(theme.surface)
        .corner_radius(theme.corner_radius)
        .inner_margin(theme.spacing * 0.75)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!("{sign} {word}"))
                        .size(small)
                        .strong()
                        .color(colour),
                );
                ui.label(
                    egui::RichText::new(&problem.place)
                        .size(small)
                        .color(theme.muted_text),
                );
            });
            ui.label(
                egui::RichText::new(&problem.message)
                    .size(theme.body_size)
                    .color(theme.text),
            );
            if let Some((line, column)) = &problem.line {
                ui.label(marked_line(line, *column, small, view));
            }
        });
}

/// The line of the file, the character at `column` (1-based) marked in the error colour.
fn marked_line(
    line: &str,
    column: Option<usize>,
    size: f32,
    view: &KioskView<'_>,
) -> egui::text::LayoutJob {
    let theme = view.theme;
    let plain = egui::TextFormat {
        font_id: egui::FontId::proportional(size),
        color: theme.muted_text,
        ..Default::default()
    };
    let marked = egui::TextFormat {
        font_id: egui::FontId::proportional(size),
        color: theme.on_accent,
        background: theme.wrong,
        underline: egui::Stroke::new(2.0, theme.wrong),
        ..Default::default()
    };
    let mut job = egui::text::LayoutJob::default();
    let Some(column) = column.filter(|c| *c >= 1) else {
        job.append(line, 0.0, plain);
        return job;
    };
    let split = |n: usize| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
    let (start, end) = (split(column - 1), split(column));
    job.append(&line[..start], 0.0, plain.clone());
    if start == end {
        // The mistake is at the end of the line (something missing): mark the place itself.
        job.append(END_OF_LINE_MARK, 0.0, marked);
    } else {
        job.append(&line[start..end], 0.0, marked);
        job.append(&line[end..], 0.0, plain);
    }
    job
}
