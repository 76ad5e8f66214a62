//! Drawing of each screen. Pure functions of the view; commands go into `out`.

use super::strings::{Phrase, fill, topic_label};
use super::theme::{SEATED_REACH_TOP, Theme, language_name};
use super::{KioskView, UiCommand, UiOutput, command_button, register};
use crate::ui::SessionCommand;
use crate::visit::{Player, Screen, home_cards};
use bevy_egui::egui;
use kepu_core::manifest::{Audience, Exhibit, ExhibitManifest};

/// The colour behind everything on the current screen. The window's clear colour is set to it
/// (`ui::host`) instead of egui painting a full-screen rectangle: clearing is almost free, while
/// under a software renderer shading two million pixels costs a good part of each frame.
pub fn backdrop(view: &KioskView<'_>) -> egui::Color32 {
    match view.screen {
        Screen::Attract => view.theme.attract_background,
        Screen::Home | Screen::Exhibit | Screen::Staff => view.theme.background,
    }
}

pub fn draw(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    if let Some(preview) = view.preview.filter(|p| p.broken)
        && view.screen != Screen::Staff
    {
        super::preview_screen::draw(root, view, preview);
        return;
    }
    if let Some(seconds_left) = view.still_there {
        still_there(root, view, seconds_left, out);
    }
    match view.screen {
        Screen::Attract => attract(root, view, out),
        Screen::Staff => super::staff_screen::draw(root, view, out),
        Screen::Home | Screen::Exhibit => {
            // Bottom panels first: in seated mode the navigation sits just above the
            // accessibility bar, both within reach.
            access_bar(root, view, out);
            nav_bar(root, view, out);
            if view.screen == Screen::Home {
                body(root, view, |ui| home(ui, view, out));
            } else {
                body(root, view, |ui| exhibit(ui, view, out));
            }
        }
    }
}

/// In seated mode, moves the next controls down to the reachable part of the screen.
pub(super) fn within_reach(ui: &mut egui::Ui, view: &KioskView<'_>) {
    if view.modes.seated {
        let reach_top = ui.ctx().viewport_rect().height() * SEATED_REACH_TOP;
        let gap = reach_top - ui.cursor().min.y;
        if gap > 0.0 {
            ui.add_space(gap);
        }
    }
}

/// A button that shows whether its mode is on: filled and marked when on.
fn toggle_button(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    label: Phrase,
    on: bool,
    command: UiCommand,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let (mark, colour, fill_colour) = if on {
        ("●", theme.on_accent, Some(theme.accent))
    } else {
        ("○", theme.text, None)
    };
    let text = egui::RichText::new(format!("{mark} {}", view.phrase(label)))
        .size(theme.body_size)
        .color(colour);
    command_button(
        ui,
        view,
        text,
        egui::vec2(0.0, theme.min_target),
        fill_colour,
        command,
        out,
    );
}

/// Large text, high contrast and seated mode, on every visitor screen.
fn access_bar(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    egui::Panel::bottom("access-bar")
        .frame(
            egui::Frame::new()
                .fill(theme.surface)
                .inner_margin(egui::Margin::symmetric(theme.spacing as i8, 10)),
        )
        .show(root, |ui| {
            ui.horizontal(|ui| {
                toggle_button(
                    ui,
                    view,
                    Phrase::LargeText,
                    view.modes.large_text,
                    UiCommand::Session(SessionCommand::ToggleLargeText),
                    out,
                );
                toggle_button(
                    ui,
                    view,
                    Phrase::HighContrast,
                    view.modes.high_contrast,
                    UiCommand::Session(SessionCommand::ToggleHighContrast),
                    out,
                );
                toggle_button(
                    ui,
                    view,
                    Phrase::Seated,
                    view.modes.seated,
                    UiCommand::Session(SessionCommand::ToggleSeated),
                    out,
                );
            });
        });
}

fn body(root: &mut egui::Ui, view: &KioskView<'_>, add: impl FnOnce(&mut egui::Ui)) {
    egui::CentralPanel::default()
        .frame(egui::Frame::new().inner_margin(view.theme.spacing * 1.5))
        .show(root, add);
}

/// How long one attract picture fades into the next.
pub const ATTRACT_FADE_SECS: f64 = 0.8;

/// The attract loop's pictures: the exhibits kiosk.toml names, else all, with a thumbnail
/// ready to draw.
fn attract_slides<'a>(view: &KioskView<'a>) -> Vec<(&'a Exhibit, &'a egui::TextureHandle)> {
    view.catalog
        .exhibits
        .iter()
        .filter(|e| {
            view.attract_exhibits
                .is_none_or(|ids| ids.iter().any(|id| id == e.id()))
        })
        .filter_map(|e| thumbnail_texture(view, e).map(|t| (e, t)))
        .collect()
}

/// Which slide is showing at `now_secs`, the one before it, and how far the fade between them
/// is (1 = done). A pure function of the clock, so the loop needs no state of its own.
pub fn slide_at(now_secs: f64, slide_secs: f64, slides: usize) -> (usize, usize, f32) {
    if slides == 0 {
        return (0, 0, 1.0);
    }
    let slide_secs = slide_secs.max(ATTRACT_FADE_SECS * 2.0);
    let step = (now_secs / slide_secs).floor() as usize;
    let into = now_secs - step as f64 * slide_secs;
    let fade = (into / ATTRACT_FADE_SECS).clamp(0.0, 1.0) as f32;
    (step % slides, (step + slides - 1) % slides, fade)
}

/// Idle screen: the whole screen is one target, so any touch anywhere starts a session.
/// Exhibits' pictures cross-fade one after another; between fades nothing moves, so the kiosk
/// only redraws during the fade.
fn attract(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    let rect = root.max_rect();
    let response = root.interact(rect, egui::Id::new("attract"), egui::Sense::click());
    register(
        &response,
        UiCommand::Session(SessionCommand::StartSession),
        out,
    );

    let mut ui = root.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink(theme.spacing * 2.0))
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    ui.add_space(rect.height() * 0.04);
    ui.label(
        egui::RichText::new("潮朝阳 朝科普")
            .font(theme.title_font())
            .color(theme.attract_text),
    );
    ui.add_space(theme.spacing / 2.0);
    let slides = attract_slides(view);
    if !slides.is_empty() {
        let (current, previous, fade) =
            slide_at(view.now_secs, f64::from(view.slide_secs), slides.len());
        let height = rect.height() * 0.4;
        let size = egui::vec2(height * 16.0 / 9.0, height);
        let (slot, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        // The new picture fades in over the old one, which stays opaque underneath.
        for (index, alpha) in [(previous, 1.0), (current, fade)] {
            if alpha > 0.0 {
                let (_, texture) = slides[index];
                egui::Image::new(egui::load::SizedTexture::new(texture.id(), size))
                    .corner_radius(theme.corner_radius)
                    .tint(egui::Color32::WHITE.gamma_multiply(alpha))
                    .paint_at(&ui, slot);
            }
        }
        let (exhibit, _) = slides[current];
        ui.add_space(theme.spacing / 2.0);
        ui.label(
            egui::RichText::new(view.text(&exhibit.manifest.title))
                .font(theme.heading_font())
                .color(theme.attract_text.gamma_multiply(0.85)),
        );
    }
    ui.add_space(theme.spacing);
    for language in view.languages {
        ui.label(
            egui::RichText::new(super::strings::phrase(Phrase::TouchToStart, language))
                .font(theme.heading_font())
                .color(theme.attract_text),
        );
    }
}

/// "Still there?" over everything: a touch anywhere answers it, and because it covers the
/// screen, that touch cannot also press a button underneath.
fn still_there(root: &mut egui::Ui, view: &KioskView<'_>, seconds_left: u32, out: &mut UiOutput) {
    let theme = view.theme;
    let screen = root.ctx().viewport_rect();
    egui::Area::new(egui::Id::new("still-there"))
        .order(egui::Order::Foreground)
        .fixed_pos(screen.min)
        .show(root.ctx(), |ui| {
            let (rect, response) = ui.allocate_exact_size(screen.size(), egui::Sense::click());
            register(
                &response,
                UiCommand::Session(SessionCommand::StillHere),
                out,
            );
            ui.painter()
                .rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
            // As large as its text: in large text the question and its line would not fit.
            let text_scale = (theme.body_size / Theme::default().body_size).clamp(1.0, 1.5);
            let card =
                egui::Rect::from_center_size(rect.center(), egui::vec2(900.0, 320.0) * text_scale);
            ui.painter()
                .rect_filled(card, theme.corner_radius, theme.surface);
            let mut card_ui = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(card.shrink(theme.spacing * 1.5))
                    .layout(egui::Layout::top_down(egui::Align::Center)),
            );
            card_ui.label(
                egui::RichText::new(view.phrase(Phrase::StillThere))
                    .font(theme.title_font())
                    .color(theme.text),
            );
            card_ui.add(
                egui::Label::new(theme.body(fill(
                    view.phrase(Phrase::TouchToContinue),
                    seconds_left,
                    "",
                )))
                .wrap(),
            );
        });
}

/// Home, the exhibit's title, the language switch and "start over": at the top, or at the
/// bottom in seated mode.
fn nav_bar(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    let panel = if view.modes.seated {
        egui::Panel::bottom("nav-bar")
    } else {
        egui::Panel::top("nav-bar")
    };
    panel
        .frame(
            egui::Frame::new()
                .fill(theme.surface)
                .inner_margin(egui::Margin::symmetric(theme.spacing as i8, 12)),
        )
        .show(root, |ui| {
            ui.horizontal(|ui| {
                let button = egui::vec2(160.0, theme.min_target);
                if view.screen != Screen::Home {
                    command_button(
                        ui,
                        view,
                        theme.body(format!("◀ {}", view.phrase(Phrase::Home))),
                        button,
                        None,
                        UiCommand::Session(SessionCommand::GoHome),
                        out,
                    );
                }
                let title = match (&view.screen, open_exhibit(view)) {
                    (Screen::Exhibit, Some(exhibit)) => view.text(&exhibit.manifest.title),
                    _ => "潮朝阳 朝科普",
                };
                ui.label(theme.heading(title));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    command_button(
                        ui,
                        view,
                        theme.body(view.phrase(Phrase::StartOver)),
                        button,
                        None,
                        UiCommand::Session(SessionCommand::StartOver),
                        out,
                    );
                    for language in view.languages.iter().rev() {
                        if language != view.language {
                            command_button(
                                ui,
                                view,
                                theme.body(language_name(language)),
                                button,
                                None,
                                UiCommand::Session(SessionCommand::SetLanguage(language.clone())),
                                out,
                            );
                        }
                    }
                });
            });
        });
}

pub(super) fn open_exhibit<'a>(view: &KioskView<'a>) -> Option<&'a Exhibit> {
    let open = view.visit.open.as_ref()?;
    view.catalog.exhibits.get(open.index)
}

fn thumbnail_texture<'a>(
    view: &KioskView<'a>,
    exhibit: &Exhibit,
) -> Option<&'a egui::TextureHandle> {
    let thumbnail = exhibit.manifest.thumbnail.as_deref()?;
    view.images.texture(&exhibit.asset_path(thumbnail))
}

fn home(ui: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    if view.catalog.exhibits.is_empty() {
        ui.centered_and_justified(|ui| {
            ui.label(theme.heading(view.phrase(Phrase::NoExhibits)));
        });
        return;
    }
    within_reach(ui, view);
    // Larger with large text, smaller when the space left (seated mode) would cut a card.
    let card = egui::vec2(420.0, 380.0) * (theme.body_size / Theme::default().body_size).min(1.25);
    let card = card * (ui.available_height() / card.y).clamp(0.6, 1.0);
    let columns = ((ui.available_width() + theme.spacing) / (card.x + theme.spacing))
        .floor()
        .max(1.0) as usize;
    // The filters scroll with the cards (drag with a finger; the bar stays out of the way):
    // with many exhibits and topics, or large text, they would otherwise leave the cards no
    // room at all.
    egui::ScrollArea::vertical()
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            filters(ui, view, out);
            let shown = home_cards(view.catalog, view.visit);
            if shown.is_empty() {
                ui.add_space(theme.spacing);
                ui.label(theme.heading(view.phrase(Phrase::NothingMatches)));
                return;
            }
            for row in shown.chunks(columns) {
                ui.horizontal(|ui| {
                    for exhibit in row {
                        exhibit_card(ui, view, exhibit, card, out);
                    }
                });
            }
        });
}

/// "I am a...": the answers in the words visitors use about themselves, each the manifest
/// audience it stands for (`visit::audience_family` says which exhibits it brings up). The
/// generic "adult" is no answer: an adult who is none of these skips.
pub const I_AM_A: [(Option<Audience>, Phrase); 8] = [
    (Some(Audience::Child), Phrase::Child),
    (Some(Audience::Youth), Phrase::Student),
    (Some(Audience::Family), Phrase::WithChildren),
    (Some(Audience::Worker), Phrase::AtWork),
    (Some(Audience::Rural), Phrase::OutdoorsOrFarm),
    (Some(Audience::CivilServant), Phrase::PublicService),
    (Some(Audience::Senior), Phrase::Retired),
    (None, Phrase::Anyone),
];

/// Who the visitor said they are, and the topic chips (only topics some exhibit has).
fn filters(ui: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    ui.horizontal_wrapped(|ui| {
        ui.label(theme.body(view.phrase(Phrase::IAm)));
        for (audience, phrase) in I_AM_A {
            toggle_button(
                ui,
                view,
                phrase,
                view.visit.audience == audience && view.visit.session.is_some(),
                UiCommand::Session(SessionCommand::ChooseAudience(audience)),
                out,
            );
        }
    });
    let mut topics: Vec<&str> = view
        .catalog
        .exhibits
        .iter()
        .flat_map(|e| e.manifest.topics.iter().map(String::as_str))
        .collect();
    topics.sort_unstable();
    topics.dedup();
    if topics.len() < 2 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(theme.body(view.phrase(Phrase::Topic)));
        let all = std::iter::once(None).chain(topics.into_iter().map(Some));
        for topic in all {
            let on = view.visit.topic.as_deref() == topic;
            let label = topic.map_or_else(
                || view.phrase(Phrase::AllTopics).to_owned(),
                |t| topic_label(t, view.language),
            );
            let text = if on {
                theme.on_accent(label)
            } else {
                theme.body(label)
            };
            command_button(
                ui,
                view,
                text,
                egui::vec2(0.0, theme.min_target),
                on.then_some(theme.accent),
                UiCommand::Session(SessionCommand::FilterTopic(topic.map(str::to_owned))),
                out,
            );
        }
    });
}

fn exhibit_card(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    size: egui::Vec2,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    register(
        &response,
        UiCommand::Session(SessionCommand::OpenExhibit(exhibit.id().to_owned())),
        out,
    );
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, theme.corner_radius, theme.surface);
    let image_rect = egui::Rect::from_min_size(rect.min, egui::vec2(size.x, size.x * 9.0 / 16.0));
    match thumbnail_texture(view, exhibit) {
        Some(texture) => {
            egui::Image::new(egui::load::SizedTexture::new(
                texture.id(),
                image_rect.size(),
            ))
            .corner_radius(theme.corner_radius)
            .paint_at(ui, image_rect);
        }
        None => {
            painter.rect_filled(
                image_rect,
                theme.corner_radius,
                theme.muted_text.gamma_multiply(0.2),
            );
        }
    }
    let manifest: &ExhibitManifest = &exhibit.manifest;
    let text_rect = egui::Rect::from_min_max(
        egui::pos2(rect.min.x + 16.0, image_rect.max.y + 10.0),
        rect.max - egui::vec2(16.0, 8.0),
    );
    let mut text_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(text_rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    text_ui.spacing_mut().item_spacing.y = 4.0;
    text_ui.label(
        egui::RichText::new(view.text(&manifest.title))
            .font(theme.bold_font(theme.body_size * 1.15))
            .color(theme.text),
    );
    // Two lines at most, the rest elided: at 5 mm a summary written for the card can need a
    // third, which would run out of it.
    let mut summary = egui::text::LayoutJob::simple(
        view.text(&manifest.summary).to_owned(),
        egui::FontId::proportional(theme.small_size),
        theme.muted_text,
        text_rect.width(),
    );
    summary.wrap.max_rows = 2;
    summary.wrap.overflow_character = Some('…');
    text_ui.add(egui::Label::new(summary));
}

fn exhibit(ui: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let (Some(open), Some(exhibit)) = (view.visit.open.as_ref(), open_exhibit(view)) else {
        return;
    };
    match &open.player {
        Player::Story(progress) => super::story_screen::draw(ui, view, exhibit, progress.page, out),
        Player::Quiz(progress) => super::quiz_screen::quiz(ui, view, exhibit, progress, out),
        Player::Sort(game) => super::sort_screen::sort(ui, view, exhibit, game, out),
        Player::Simulation(sim) => super::sim_screen::simulation(ui, view, exhibit, sim, out),
        Player::Hotspots(spots) => {
            super::hotspots_screen::hotspots(ui, view, exhibit, spots, out);
        }
    }
}

/// The largest size with `size`'s aspect ratio that fits in `max`.
pub(super) fn fit(size: egui::Vec2, max: egui::Vec2) -> egui::Vec2 {
    let scale = (max.x / size.x).min(max.y / size.y).min(2.0);
    size * scale
}
