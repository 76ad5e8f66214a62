//! A story: one page at a time, its picture and text, turned by swipe or button, with a
//! "Listen" button when the page has a recording in the visitor's language. Draws the
//! visitor's `play::story::StoryProgress`; the narration itself is `crate::narration`'s.

use super::screens::fit;
use super::strings::{Phrase, fill};
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::narration::NarrationState;
use crate::ui::{SessionCommand, StoryCommand};
use bevy_egui::egui;
use kepu_core::manifest::Exhibit;

pub(super) fn draw(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    page: usize,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let pages = &exhibit.manifest.pages;
    let Some(current) = pages.get(page) else {
        return;
    };
    // Navigation first, at the bottom, so the picture and text get what is left.
    let narrated = current
        .narration
        .as_ref()
        .and_then(|n| n.for_language(view.language))
        .is_some();
    egui::Panel::bottom("story-nav")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let button = egui::vec2(260.0, theme.min_target);
                let buttons = if narrated { 4.0 } else { 3.0 };
                let side =
                    (ui.available_width() - buttons * button.x - (buttons - 1.0) * theme.spacing)
                        / 2.0;
                ui.add_space(side.max(0.0));
                if narrated {
                    narration_button(ui, view, button, out);
                }
                if page > 0 {
                    command_button(
                        ui,
                        view,
                        theme.body(format!("◀ {}", view.phrase(Phrase::Previous))),
                        button,
                        None,
                        UiCommand::Story(StoryCommand::TurnPage(-1)),
                        out,
                    );
                } else {
                    ui.add_space(button.x);
                }
                ui.add_sized(
                    button,
                    egui::Label::new(theme.body(fill(
                        view.phrase(Phrase::PageOf),
                        page + 1,
                        pages.len(),
                    ))),
                );
                if page + 1 < pages.len() {
                    command_button(
                        ui,
                        view,
                        theme.on_accent(format!("{} ▶", view.phrase(Phrase::Next))),
                        button,
                        Some(theme.accent),
                        UiCommand::Story(StoryCommand::TurnPage(1)),
                        out,
                    );
                } else {
                    command_button(
                        ui,
                        view,
                        theme.body(view.phrase(Phrase::BackHome)),
                        button,
                        None,
                        UiCommand::Session(SessionCommand::GoHome),
                        out,
                    );
                }
            });
            if narrated && matches!(view.narration, NarrationState::Failed(_)) {
                ui.vertical_centered(|ui| {
                    ui.label(theme.small(view.phrase(Phrase::NoSound)));
                });
            }
        });
    let available = ui.available_size();
    // The page's text in lines of about 50 characters (a full-width line is too long to read
    // at arm's length), laid out first so that the picture gets what the text leaves.
    let reading_width = available.x.min(theme.reading_width());
    let text = egui::WidgetText::from(theme.body(view.text(&current.text))).into_galley(
        ui,
        Some(egui::TextWrapMode::Wrap),
        reading_width,
        egui::FontSelection::Default,
    );
    let text_height = text.size().y + ui.spacing().item_spacing.y;
    // A horizontal swipe anywhere on the page turns it, as on a phone; the buttons stay for
    // those who do not swipe.
    let swipe_id = egui::Id::new("story-swipe");
    let swipe = ui.interact(
        ui.available_rect_before_wrap(),
        swipe_id,
        egui::Sense::drag(),
    );
    // egui knows the whole drag only while it lasts: remember it for the frame it ends.
    if let Some(total) = swipe.total_drag_delta() {
        ui.data_mut(|d| d.insert_temp(swipe_id, total));
    }
    if swipe.drag_stopped()
        && let Some(total) = ui.data_mut(|d| d.remove_temp::<egui::Vec2>(swipe_id))
        && total.x.abs() > SWIPE_MIN_DISTANCE
        && total.x.abs() > total.y.abs() * 2.0
    {
        let delta = if total.x < 0.0 { 1 } else { -1 };
        let lands_on_a_page = page
            .checked_add_signed(delta)
            .is_some_and(|p| p < pages.len());
        if lands_on_a_page {
            out.commands
                .push(UiCommand::Story(StoryCommand::TurnPage(delta)));
        }
    }
    ui.vertical_centered(|ui| {
        if let Some(image) = &current.image {
            let max = egui::vec2(available.x, (available.y - text_height).max(100.0));
            match view.images.texture(&exhibit.asset_path(image)) {
                Some(texture) => {
                    let size = fit(texture.size_vec2(), max);
                    ui.add(
                        egui::Image::new(egui::load::SizedTexture::new(texture.id(), size))
                            .corner_radius(theme.corner_radius),
                    );
                }
                None => {
                    ui.allocate_ui(max, |ui| {
                        ui.centered_and_justified(|ui| {
                            ui.label(theme.body(view.phrase(Phrase::Loading)))
                        });
                    });
                }
            }
        }
        // Left-aligned in its column, the column centred under the picture.
        ui.allocate_ui_with_layout(
            egui::vec2(reading_width, text.size().y),
            egui::Layout::top_down(egui::Align::Min),
            |ui| ui.add(egui::Label::new(text)),
        );
    });
}

/// Listen, pause, continue or listen again, by what the narration is doing.
fn narration_button(ui: &mut egui::Ui, view: &KioskView<'_>, size: egui::Vec2, out: &mut UiOutput) {
    let theme = view.theme;
    let label = match view.narration {
        NarrationState::Playing => format!("❚❚ {}", view.phrase(Phrase::Pause)),
        NarrationState::Paused => format!("▶ {}", view.phrase(Phrase::ContinueListening)),
        NarrationState::Finished => format!("↻ {}", view.phrase(Phrase::ListenAgain)),
        NarrationState::Off | NarrationState::Failed(_) => {
            format!("▶ {}", view.phrase(Phrase::Listen))
        }
    };
    command_button(
        ui,
        view,
        theme.body(label),
        size,
        None,
        UiCommand::Story(StoryCommand::ToggleNarration),
        out,
    );
}

/// How far (points) a finger must travel sideways for a swipe: more than a shaky tap.
const SWIPE_MIN_DISTANCE: f32 = 120.0;
