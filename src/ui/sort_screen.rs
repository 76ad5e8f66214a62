//! The sort game: the item on top of the pile, dragged (or a bin tapped) into one of the bins
//! along the bottom, with right/wrong feedback and its reason at once, and a summary at the end.

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::{KioskView, UiCommand, UiOutput, register};
use crate::play::sort::SortProgress;
use crate::ui::SortCommand;
use bevy_egui::egui;
use kepu_core::manifest::{Bin, Exhibit};

pub fn sort(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    game: &SortProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    if game.round.is_finished() {
        summary(ui, view, game, out);
        return;
    }
    let current = game.round.next_item();
    // The bins along the bottom: drop targets, and tap targets for the item on top.
    let mut bin_rects = Vec::new();
    egui::Panel::bottom("sort-bins")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show(ui, |ui| {
            let bins = game.round.bins();
            let gap = theme.spacing;
            let width = ((ui.available_width() - gap * (bins.len() as f32 - 1.0))
                / bins.len().max(1) as f32)
                .min(420.0);
            let height = (theme.min_target * 2.6).max(theme.body_size * 4.0);
            ui.horizontal(|ui| {
                let total = bins.len() as f32 * (width + gap) - gap;
                ui.add_space(((ui.available_width() - total) / 2.0).max(0.0));
                for bin in bins {
                    let (rect, response) =
                        ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::click());
                    draw_bin(ui, view, exhibit, bin, rect);
                    if let Some(item) = current {
                        register(
                            &response,
                            UiCommand::Sort(SortCommand::PlaceItem {
                                item: item.id.clone(),
                                bin: bin.id.clone(),
                            }),
                            out,
                        );
                    }
                    bin_rects.push((bin.id.clone(), rect));
                }
            });
        });
    ui.vertical_centered(|ui| {
        ui.label(theme.body(view.phrase(Phrase::SortHint)));
        ui.label(
            egui::RichText::new(fill(
                view.phrase(Phrase::ItemsLeft),
                game.round.pile().count(),
                "",
            ))
            .size(theme.body_size * 0.8)
            .color(theme.muted_text),
        );
        if let Some(last) = &game.last {
            let (verdict, colour) = if last.placement.correct {
                (Phrase::RightBin, theme.correct)
            } else {
                (Phrase::WrongBin, theme.wrong)
            };
            ui.label(
                egui::RichText::new(view.phrase(verdict))
                    .size(theme.heading_size)
                    .color(colour),
            );
            ui.add(egui::Label::new(theme.body(view.text(&last.placement.feedback))).wrap());
        }
        within_reach(ui, view);
        let Some(item) = current else {
            return;
        };
        let card = egui::vec2(420.0, 300.0) * (theme.body_size / 28.0).min(1.3);
        let card = card * (ui.available_height() / card.y).clamp(0.5, 1.0);
        let (rect, response) = ui.allocate_exact_size(card, egui::Sense::drag());
        // The card follows the finger while dragged; where it is let go decides the bin.
        let drawn_at = match (response.dragged(), response.interact_pointer_pos()) {
            (true, Some(pointer)) => egui::Rect::from_center_size(pointer, rect.size()),
            _ => rect,
        };
        let layer = if response.dragged() {
            egui::LayerId::new(egui::Order::Tooltip, egui::Id::new("sort-drag"))
        } else {
            ui.layer_id()
        };
        let painter = ui.ctx().layer_painter(layer);
        painter.rect_filled(drawn_at, theme.corner_radius, theme.surface);
        painter.rect_stroke(
            drawn_at,
            theme.corner_radius,
            egui::Stroke::new(3.0, theme.accent),
            egui::StrokeKind::Inside,
        );
        let picture = item
            .image
            .as_ref()
            .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
        let image_rect = egui::Rect::from_min_max(
            drawn_at.min + egui::vec2(12.0, 12.0),
            egui::pos2(
                drawn_at.max.x - 12.0,
                drawn_at.max.y - theme.body_size * 1.8,
            ),
        );
        if let Some(texture) = picture {
            let size = super::screens::fit(texture.size_vec2(), image_rect.size());
            painter.image(
                texture.id(),
                egui::Rect::from_center_size(image_rect.center(), size),
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                egui::Color32::WHITE,
            );
        }
        painter.text(
            egui::pos2(drawn_at.center().x, drawn_at.max.y - theme.body_size),
            egui::Align2::CENTER_CENTER,
            view.text(&item.label),
            egui::FontId::proportional(theme.body_size),
            theme.text,
        );
        // Registered as a target that never fires (a drag is not a click; the empty bin names
        // no bin), so tests and the autopilot can find the card to drag.
        register(
            &response,
            UiCommand::Sort(SortCommand::PlaceItem {
                item: item.id.clone(),
                bin: String::new(),
            }),
            out,
        );
        if response.drag_stopped()
            && let Some(pointer) = response.interact_pointer_pos()
            && let Some((bin, _)) = bin_rects.iter().find(|(_, r)| r.contains(pointer))
        {
            out.commands.push(UiCommand::Sort(SortCommand::PlaceItem {
                item: item.id.clone(),
                bin: bin.clone(),
            }));
        }
    });
}

/// A bin: its colour (or picture), its label in a colour readable on it.
fn draw_bin(ui: &egui::Ui, view: &KioskView<'_>, exhibit: &Exhibit, bin: &Bin, rect: egui::Rect) {
    let theme = view.theme;
    let colour = bin
        .color
        .as_deref()
        .and_then(parse_hex_colour)
        .unwrap_or(theme.accent);
    let painter = ui.painter();
    painter.rect_filled(rect, theme.corner_radius, colour);
    if let Some(texture) = bin
        .image
        .as_ref()
        .and_then(|image| view.images.texture(&exhibit.asset_path(image)))
    {
        let size = super::screens::fit(texture.size_vec2(), rect.size() * 0.55);
        painter.image(
            texture.id(),
            egui::Rect::from_center_size(
                rect.center() - egui::vec2(0.0, rect.height() * 0.15),
                size,
            ),
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            egui::Color32::WHITE,
        );
    }
    // The label sits on a band of the theme's surface, so it reads at the theme's contrast
    // whatever colour the curator gave the bin.
    let band = egui::Rect::from_min_max(
        egui::pos2(rect.min.x + 8.0, rect.max.y - theme.body_size * 1.8),
        egui::pos2(rect.max.x - 8.0, rect.max.y - 8.0),
    );
    painter.rect_filled(band, theme.corner_radius / 2, theme.surface);
    painter.text(
        band.center(),
        egui::Align2::CENTER_CENTER,
        view.text(&bin.label),
        egui::FontId::proportional(theme.body_size),
        theme.text,
    );
}

/// `#rrggbb` to a colour; the validator has checked the form.
fn parse_hex_colour(text: &str) -> Option<egui::Color32> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some(egui::Color32::from_rgb(
        channel(0)?,
        channel(2)?,
        channel(4)?,
    ))
}

fn summary(ui: &mut egui::Ui, view: &KioskView<'_>, game: &SortProgress, out: &mut UiOutput) {
    let theme = view.theme;
    let summary = game.round.summary();
    ui.vertical_centered(|ui| {
        ui.label(
            egui::RichText::new(fill(
                view.phrase(Phrase::SortScore),
                summary.right_first_try,
                summary.items.len(),
            ))
            .size(theme.title_size * 0.8)
            .color(theme.accent),
        );
        for result in summary.wrong_items() {
            let (Some(item), Some(bin)) = (
                game.round.item(&result.item_id),
                game.round.bins().iter().find(|b| b.id == result.right_bin),
            ) else {
                continue;
            };
            ui.label(theme.body(format!(
                "{} → {}",
                view.text(&item.label),
                view.text(&bin.label)
            )));
            ui.add(
                egui::Label::new(
                    egui::RichText::new(view.text(&item.feedback))
                        .size(theme.body_size * 0.8)
                        .color(theme.muted_text),
                )
                .wrap(),
            );
        }
        ui.add_space(theme.spacing);
        within_reach(ui, view);
        super::widgets::again_or_home(
            ui,
            view,
            Phrase::PlayAgain,
            UiCommand::Sort(SortCommand::SortAgain),
            out,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_colours_parse_from_hex() {
        assert_eq!(
            parse_hex_colour("#2e7d32"),
            Some(egui::Color32::from_rgb(0x2e, 0x7d, 0x32))
        );
        assert_eq!(parse_hex_colour("2e7d32"), None);
        assert_eq!(parse_hex_colour("#2e7d3"), None);
        assert_eq!(parse_hex_colour("#zz7d32"), None);
    }
}
