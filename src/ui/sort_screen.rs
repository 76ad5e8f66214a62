//! The sort game: the item on top of the pile, dragged (or a bin tapped) into one of the bins
//! along the bottom, with right/wrong feedback and its reason at once, and a summary at the end.

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::{KioskView, UiCommand, UiOutput, register};
use crate::play::sort::SortProgress;
use crate::ui::SortCommand;
use bevy_egui::egui;
use kepu_core::manifest::{Bin, Exhibit};

/// The card's id: the bins are drawn before it and light up while it is dragged over them.
fn card_id() -> egui::Id {
    egui::Id::new("sort-card")
}

/// How much a bin grows while a dragged card is over it: the drop zone lifts toward the finger.
const DROP_LIFT: f32 = 12.0;

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
    // Where a dragged card is, for the drop zone under it (the drag began last frame or before).
    let dragging_at = ui
        .ctx()
        .is_being_dragged(card_id())
        .then(|| ui.ctx().pointer_interact_pos())
        .flatten();
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
            // Pictures of bins need the room to be recognised; colour blocks stay as low.
            let pictured = bins.iter().any(|b| b.image.is_some());
            let height = if pictured {
                (theme.min_target * 3.4).max(theme.body_size * 6.5)
            } else {
                (theme.min_target * 2.6).max(theme.body_size * 4.0)
            };
            ui.add_space(DROP_LIFT);
            ui.horizontal(|ui| {
                let total = bins.len() as f32 * (width + gap) - gap;
                ui.add_space(((ui.available_width() - total) / 2.0).max(0.0));
                for bin in bins {
                    let (rect, response) =
                        ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::click());
                    let over = dragging_at.is_some_and(|p| rect.expand(DROP_LIFT).contains(p));
                    let drawn = if over { rect.expand(DROP_LIFT) } else { rect };
                    draw_bin(ui, view, exhibit, bin, drawn, over);
                    if let Some(item) = current {
                        let command = UiCommand::Sort(SortCommand::PlaceItem {
                            item: item.id.clone(),
                            bin: bin.id.clone(),
                        });
                        if response.clicked() {
                            out.commands.push(command.clone());
                        }
                        // The lifted bin is the drop zone as drawn, so a drop on its edge counts.
                        out.targets.push(super::TouchTarget {
                            command,
                            rect: drawn,
                            clipped: false,
                        });
                    }
                    bin_rects.push((bin.id.clone(), drawn));
                }
            });
        });
    ui.vertical_centered(|ui| {
        ui.label(theme.body(view.phrase(Phrase::SortHint)));
        ui.label(theme.small(fill(
            view.phrase(Phrase::ItemsLeft),
            game.round.pile().count(),
            "",
        )));
        within_reach(ui, view);
        let Some(item) = current else {
            return;
        };
        let card = egui::vec2(420.0, 300.0) * (theme.body_size / 28.0).min(1.3);
        let card = card * (ui.available_height() / card.y).clamp(0.5, 1.0);
        // The last placement's feedback stands beside the card, so the card keeps its size.
        let feedback_width = game.last.as_ref().map(|_| {
            (ui.available_width() - card.x - theme.spacing * 4.0)
                .min(theme.reading_width() * 0.75)
                .max(card.x)
        });
        let total = card.x + feedback_width.map_or(0.0, |w| w + theme.spacing * 2.0);
        ui.horizontal_top(|ui| {
            ui.add_space(((ui.available_width() - total) / 2.0).max(0.0));
            let (rect, _) = ui.allocate_exact_size(card, egui::Sense::hover());
            let response = ui.interact(rect, card_id(), egui::Sense::drag());
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
            // The label wraps inside the card; the picture takes what room is left above it.
            let margin = 12.0;
            let label = centred_galley(
                &painter,
                view.text(&item.label),
                egui::FontId::proportional(theme.body_size),
                theme.text,
                drawn_at.width() - margin * 2.0,
            );
            let label_top = drawn_at.max.y - margin - label.size().y;
            painter.galley(
                egui::pos2(drawn_at.center().x, label_top),
                label,
                theme.text,
            );
            let picture = item
                .image
                .as_ref()
                .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
            let image_rect = egui::Rect::from_min_max(
                drawn_at.min + egui::vec2(margin, margin),
                egui::pos2(drawn_at.max.x - margin, label_top - margin / 2.0),
            );
            if let Some(texture) = picture
                && image_rect.height() > 0.0
            {
                let size = super::screens::fit(texture.size_vec2(), image_rect.size());
                painter.image(
                    texture.id(),
                    egui::Rect::from_center_size(image_rect.center(), size),
                    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    egui::Color32::WHITE,
                );
            }
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
            if let (Some(last), Some(width)) = (&game.last, feedback_width) {
                ui.add_space(theme.spacing);
                feedback_card(ui, view, game, last, width);
            }
        });
    });
}

/// Text wrapped at `width`, each line centred on the x it is painted at.
fn centred_galley(
    painter: &egui::Painter,
    text: &str,
    font: egui::FontId,
    colour: egui::Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::simple(text.to_owned(), font, colour, width.max(1.0));
    job.halign = egui::Align::Center;
    painter.layout_job(job)
}

/// What the last placement taught, right or wrong: a mark and a word (never the colour alone),
/// the item and the bin it went into, and the manifest's reason.
fn feedback_card(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    game: &SortProgress,
    last: &crate::play::sort::LastPlacement,
    width: f32,
) {
    let theme = view.theme;
    let correct = last.placement.correct;
    let (verdict, colour) = if correct {
        (Phrase::RightBin, theme.correct)
    } else {
        (Phrase::WrongBin, theme.wrong)
    };
    let item = game
        .round
        .item(&last.item_id)
        .map_or(last.item_id.as_str(), |i| view.text(&i.label));
    let bin = game
        .round
        .bins()
        .iter()
        .find(|b| b.id == last.bin_id)
        .map_or(last.bin_id.as_str(), |b| view.text(&b.label));
    egui::Frame::new()
        .fill(theme.surface)
        .stroke(egui::Stroke::new(4.0, colour))
        .corner_radius(theme.corner_radius)
        .inner_margin(egui::Margin::same((theme.spacing / 2.0) as i8))
        .show(ui, |ui| {
            ui.set_width(width);
            ui.horizontal(|ui| {
                let size = theme.heading_size;
                let (mark, _) =
                    ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
                ui.painter()
                    .circle_filled(mark.center(), size / 2.0, colour);
                verdict_mark(
                    ui.painter(),
                    mark.center(),
                    size * 0.55,
                    correct,
                    theme.on_accent,
                );
                ui.vertical(|ui| {
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(view.phrase(verdict))
                                .font(theme.heading_font())
                                .size(theme.heading_size * 0.7)
                                .color(colour),
                        )
                        .wrap(),
                    );
                    ui.add(egui::Label::new(theme.body(format!("{item} → {bin}")).strong()).wrap());
                    ui.add(
                        egui::Label::new(theme.body(view.text(&last.placement.feedback))).wrap(),
                    );
                });
            });
        });
}

/// A tick (right) or a cross (wrong) of about `size` across, centred on `centre`: the shape
/// says it, so it reads without telling green from red.
pub(super) fn verdict_mark(
    painter: &egui::Painter,
    centre: egui::Pos2,
    size: f32,
    correct: bool,
    colour: egui::Color32,
) {
    let stroke = egui::Stroke::new((size * 0.16).max(2.0), colour);
    let at = |x: f32, y: f32| centre + egui::vec2(x, y) * size;
    if correct {
        painter.line(vec![at(-0.4, 0.0), at(-0.12, 0.3), at(0.42, -0.32)], stroke);
    } else {
        painter.line_segment([at(-0.32, -0.32), at(0.32, 0.32)], stroke);
        painter.line_segment([at(0.32, -0.32), at(-0.32, 0.32)], stroke);
    }
}

/// A bin: its picture on a card edged in its colour (or, without a picture, a block of its
/// colour), its label wrapped on a band readable on it; lifted and outlined boldly while a
/// dragged card is over it.
fn draw_bin(
    ui: &egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    bin: &Bin,
    rect: egui::Rect,
    drop_zone: bool,
) {
    let theme = view.theme;
    let colour = bin
        .color
        .as_deref()
        .and_then(parse_hex_colour)
        .unwrap_or(theme.accent);
    let painter = ui.painter();
    let picture = bin
        .image
        .as_ref()
        .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
    let fill = match (&picture, drop_zone) {
        (None, _) => colour,
        (Some(_), true) => colour
            .gamma_multiply(0.25)
            .blend(theme.surface.gamma_multiply(0.75)),
        (Some(_), false) => theme.surface,
    };
    painter.rect_filled(rect, theme.corner_radius, fill);
    painter.rect_stroke(
        rect,
        theme.corner_radius,
        egui::Stroke::new(
            if drop_zone { 8.0 } else { 4.0 },
            if drop_zone { theme.text } else { colour },
        ),
        egui::StrokeKind::Inside,
    );
    // The label sits on a band of the theme's surface, so it reads at the theme's contrast
    // whatever colour the curator gave the bin; it wraps rather than runs off the bin.
    let inset = 10.0;
    let label = centred_galley(
        painter,
        view.text(&bin.label),
        egui::FontId::proportional(theme.body_size),
        theme.text,
        rect.width() - inset * 4.0,
    );
    let band = egui::Rect::from_min_max(
        egui::pos2(
            rect.min.x + inset,
            rect.max.y - inset - label.size().y - inset,
        ),
        egui::pos2(rect.max.x - inset, rect.max.y - inset),
    );
    painter.rect_filled(band, theme.corner_radius / 2, theme.surface);
    painter.galley(
        egui::pos2(band.center().x, band.min.y + inset / 2.0),
        label,
        theme.text,
    );
    if let Some(texture) = picture {
        let room = egui::Rect::from_min_max(
            rect.min + egui::vec2(inset, inset),
            egui::pos2(rect.max.x - inset, band.min.y - inset / 2.0),
        );
        let size = super::screens::fit(texture.size_vec2(), room.size());
        painter.image(
            texture.id(),
            egui::Rect::from_center_size(room.center(), size),
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            egui::Color32::WHITE,
        );
    }
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
    fn a_long_label_wraps_inside_the_card_and_a_short_one_stays_on_one_line() {
        let ctx = egui::Context::default();
        let theme = crate::ui::theme::Theme::default();
        theme.install(&ctx);
        let width = 396.0;
        ctx.run_ui(egui::RawInput::default(), |ui| {
            let layout = |text: &str| {
                centred_galley(
                    ui.painter(),
                    text,
                    egui::FontId::proportional(theme.body_size),
                    theme.text,
                    width,
                )
            };
            let long = layout("Leftover rice, vegetable soup and small bones from dinner");
            assert!(long.rows.len() >= 2, "{} rows", long.rows.len());
            assert!(long.size().x <= width, "{} wide", long.size().x);
            assert_eq!(layout("Banana peel").rows.len(), 1);
        })
        // No renderer takes the font atlas here (as in the headless host).
        .drop_without_applying_deltas();
    }

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
