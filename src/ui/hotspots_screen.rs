//! The hotspots player: a large picture a visitor can pinch to zoom and drag to pan (never
//! past its edges), with tappable regions that open an info card, and the same regions as a
//! list of buttons for those who prefer not to hunt on the picture.
//!
//! In a search (`mode = "find"`) hunting is the point: a region is drawn and listed only once
//! found, the side says how many are found, and after a pause without a find a circle on the
//! picture marks roughly where one still hidden is (still: a pulse would keep a sleeping
//! window drawing).

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::play::hotspots::HotspotsProgress;
use crate::ui::HotspotsCommand;
use bevy_egui::egui;
use kepu_core::hotspots::hotspot_at;
use kepu_core::manifest::{Exhibit, Hotspot, HotspotsMode};
use std::time::Duration;

pub fn hotspots(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    spots: &HotspotsProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let manifest = &exhibit.manifest;
    let opened_at = view
        .visit
        .open
        .as_ref()
        .map_or(Duration::ZERO, |o| o.opened_at);
    let hint = spots.hint(manifest, opened_at, Duration::from_secs_f64(view.now_secs));
    let side_width = (ui.available_width() * 0.3).clamp(380.0, 620.0);
    egui::Panel::right("hotspot-side")
        .exact_size(side_width)
        .frame(egui::Frame::new().inner_margin(egui::Margin {
            left: theme.spacing as i8,
            ..Default::default()
        }))
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("hotspot-side-scroll")
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
                .show(ui, |ui| side(ui, view, exhibit, spots, hint.is_some(), out));
        });
    let Some(texture) = manifest
        .image
        .as_ref()
        .and_then(|image| view.images.texture(&exhibit.asset_path(image)))
    else {
        ui.centered_and_justified(|ui| ui.label(theme.body(view.phrase(Phrase::Loading))));
        return;
    };
    let (image_w, image_h) = spots.image_size.map_or_else(
        || (texture.size()[0] as f32, texture.size()[1] as f32),
        |(w, h)| (w as f32, h as f32),
    );
    let frame_size = super::screens::fit(egui::vec2(image_w, image_h), ui.available_size());
    let (frame, response) = ui.allocate_exact_size(frame_size, egui::Sense::click_and_drag());
    let (left, top, right, bottom) = spots.view.visible();
    let uv = egui::Rect::from_min_max(
        egui::pos2(left as f32, top as f32),
        egui::pos2(right as f32, bottom as f32),
    );
    let painter = ui.painter_at(frame);
    painter.image(texture.id(), frame, uv, egui::Color32::WHITE);

    // Regions as outlines, so visitors see where to tap; in a search only those found, in
    // the colour of a right answer and with a tick, so a find reads without colour too.
    let to_screen = |x: f64, y: f64| {
        let fx = (x / f64::from(image_w) - left) / (right - left);
        let fy = (y / f64::from(image_h) - top) / (bottom - top);
        egui::pos2(
            frame.left() + frame.width() * fx as f32,
            frame.top() + frame.height() * fy as f32,
        )
    };
    let search = manifest.hotspots_mode() == HotspotsMode::Find;
    for hotspot in &manifest.hotspots {
        if !spots.is_revealed(manifest, &hotspot.id) {
            continue;
        }
        let open = spots.open.as_deref() == Some(hotspot.id.as_str());
        let colour = if search { theme.correct } else { theme.accent };
        // A light halo under the line keeps it visible on dark and busy parts of a picture.
        let width = if open { 6.0 } else { 4.0 };
        outline(
            &painter,
            hotspot,
            &to_screen,
            egui::Stroke::new(width + 4.0, theme.surface),
        );
        outline(
            &painter,
            hotspot,
            &to_screen,
            egui::Stroke::new(width, colour),
        );
        if search {
            let (_, top, right, _) = bounds(hotspot);
            let badge = to_screen(right, top);
            let radius = theme.body_size * 0.7;
            painter.circle(badge, radius, colour, egui::Stroke::new(3.0, theme.surface));
            super::sort_screen::verdict_mark(&painter, badge, radius * 1.2, true, theme.on_accent);
        }
    }
    if let Some(hotspot) = hint {
        // Roughly where, not exactly: the region lies inside the circle, off its centre.
        let (x0, y0, x1, y1) = bounds(hotspot);
        let (min, max) = (to_screen(x0, y0), to_screen(x1, y1));
        let region = egui::Rect::from_two_pos(min, max);
        let reach = region.size().length() / 2.0;
        let radius = (reach * 1.5).max(frame.height() * 0.14);
        let centre = region.center() + egui::vec2(0.25, -0.15) * radius;
        painter.circle_filled(centre, radius, theme.accent.gamma_multiply(0.12));
        painter.circle_stroke(centre, radius, egui::Stroke::new(9.0, theme.surface));
        painter.circle_stroke(centre, radius, egui::Stroke::new(5.0, theme.accent));
    }

    // Taps open a region's card; one finger drags; two fingers pinch (egui's multi-touch).
    out.targets.push(super::TouchTarget {
        command: UiCommand::Hotspots(HotspotsCommand::PanImage(0.0, 0.0)),
        rect: frame,
        clipped: false,
    });
    if response.clicked()
        && let Some(pointer) = response.interact_pointer_pos()
    {
        let fraction = (
            f64::from((pointer.x - frame.left()) / frame.width()),
            f64::from((pointer.y - frame.top()) / frame.height()),
        );
        let (ix, iy) = spots.view.view_to_image(fraction);
        let hit = hotspot_at(
            &manifest.hotspots,
            ix * f64::from(image_w),
            iy * f64::from(image_h),
        );
        out.commands.push(match hit {
            Some(hotspot) => UiCommand::Hotspots(HotspotsCommand::OpenHotspot(hotspot.id.clone())),
            None => UiCommand::Hotspots(HotspotsCommand::CloseHotspot),
        });
    }
    let multi_touch = ui.input(|i| i.multi_touch());
    match multi_touch {
        Some(touch) if response.hovered() || frame.contains(touch.center_pos) => {
            if (touch.zoom_delta - 1.0).abs() > f32::EPSILON {
                let focus = (touch.center_pos - frame.min) / frame.size();
                out.commands
                    .push(UiCommand::Hotspots(HotspotsCommand::ZoomImage {
                        factor: touch.zoom_delta,
                        focus: (focus.x.clamp(0.0, 1.0), focus.y.clamp(0.0, 1.0)),
                    }));
            }
            let pan = touch.translation_delta / frame.size();
            if pan != egui::Vec2::ZERO {
                out.commands
                    .push(UiCommand::Hotspots(HotspotsCommand::PanImage(pan.x, pan.y)));
            }
        }
        _ => {
            let drag = response.drag_delta();
            if response.dragged() && drag != egui::Vec2::ZERO {
                let pan = drag / frame.size();
                out.commands
                    .push(UiCommand::Hotspots(HotspotsCommand::PanImage(pan.x, pan.y)));
            }
        }
    }
}

/// A region's bounding box in image pixels: (left, top, right, bottom).
fn bounds(hotspot: &Hotspot) -> (f64, f64, f64, f64) {
    if let Some([x, y, w, h]) = hotspot.rect {
        (x, y, x + w, y + h)
    } else if let Some([cx, cy, r]) = hotspot.circle {
        (cx - r, cy - r, cx + r, cy + r)
    } else {
        let points = hotspot.polygon.as_deref().unwrap_or_default();
        points.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |(l, t, r, b), [x, y]| (l.min(*x), t.min(*y), r.max(*x), b.max(*y)),
        )
    }
}

fn outline(
    painter: &egui::Painter,
    hotspot: &Hotspot,
    to_screen: &dyn Fn(f64, f64) -> egui::Pos2,
    stroke: egui::Stroke,
) {
    if let Some([x, y, w, h]) = hotspot.rect {
        painter.rect_stroke(
            egui::Rect::from_two_pos(to_screen(x, y), to_screen(x + w, y + h)),
            6,
            stroke,
            egui::StrokeKind::Middle,
        );
    } else if let Some([cx, cy, r]) = hotspot.circle {
        let centre = to_screen(cx, cy);
        let radius = (to_screen(cx + r, cy).x - centre.x).abs();
        painter.circle_stroke(centre, radius, stroke);
    } else if let Some(points) = &hotspot.polygon {
        let points: Vec<egui::Pos2> = points.iter().map(|[x, y]| to_screen(*x, *y)).collect();
        painter.add(egui::Shape::closed_line(points, stroke));
    }
}

/// In a search, how many are found (or that all are) and the hint's words; the open card,
/// else what to do; then every region the visitor may see as a button.
fn side(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    spots: &HotspotsProgress,
    hinting: bool,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let manifest = &exhibit.manifest;
    let search = manifest.hotspots_mode() == HotspotsMode::Find;
    if search {
        search_progress(ui, view, exhibit, spots, hinting);
    }
    let open = spots
        .open
        .as_ref()
        .and_then(|id| manifest.hotspots.iter().find(|h| h.id == *id));
    match open {
        Some(hotspot) => {
            ui.label(theme.heading(view.text(&hotspot.title)));
            if let Some(texture) = hotspot
                .image
                .as_ref()
                .and_then(|image| view.images.texture(&exhibit.asset_path(image)))
            {
                let size = super::screens::fit(
                    texture.size_vec2(),
                    egui::vec2(ui.available_width(), 260.0),
                );
                ui.add(
                    egui::Image::new(egui::load::SizedTexture::new(texture.id(), size))
                        .corner_radius(theme.corner_radius),
                );
            }
            ui.add(egui::Label::new(theme.body(view.text(&hotspot.text))).wrap());
            command_button(
                ui,
                view,
                theme.body(view.phrase(Phrase::Close)),
                egui::vec2(ui.available_width(), theme.min_target),
                None,
                UiCommand::Hotspots(HotspotsCommand::CloseHotspot),
                out,
            );
        }
        None => {
            let what = if search {
                Phrase::FindThem
            } else {
                Phrase::TapARegion
            };
            ui.add(egui::Label::new(theme.body(view.phrase(what))).wrap());
        }
    }
    ui.add_space(theme.spacing / 2.0);
    within_reach(ui, view);
    for hotspot in manifest
        .hotspots
        .iter()
        .filter(|h| spots.is_revealed(manifest, &h.id))
    {
        let on = spots.open.as_deref() == Some(hotspot.id.as_str());
        let text = if on {
            theme.on_accent(view.text(&hotspot.title))
        } else {
            theme.body(view.text(&hotspot.title))
        };
        command_button(
            ui,
            view,
            text,
            egui::vec2(ui.available_width(), theme.min_target),
            on.then_some(theme.accent),
            UiCommand::Hotspots(HotspotsCommand::OpenHotspot(hotspot.id.clone())),
            out,
        );
    }
}

/// "3 of 5 found" with a row of marks, one per region (ticked when found); "all found" as a
/// card once the search is done; the hint's words while the circle is on the picture.
fn search_progress(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    spots: &HotspotsProgress,
    hinting: bool,
) {
    let theme = view.theme;
    let manifest = &exhibit.manifest;
    let total = manifest.hotspots.len();
    let found = spots.found.len();
    if spots.all_found(manifest) {
        egui::Frame::new()
            .fill(theme.correct)
            .corner_radius(theme.corner_radius)
            .inner_margin(egui::Margin::same((theme.spacing / 2.0) as i8))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!("★ {}", view.phrase(Phrase::AllFound)))
                            .font(theme.heading_font())
                            .color(theme.on_accent),
                    )
                    .wrap(),
                );
            });
    } else {
        ui.add(
            egui::Label::new(theme.heading(fill(view.phrase(Phrase::FoundOf), found, total)))
                .wrap(),
        );
    }
    // One mark per region: a ticked disc when found, an empty ring when not.
    let radius = theme.body_size * 0.55;
    let gap = radius * 0.8;
    let per_row = ((ui.available_width() + gap) / (radius * 2.0 + gap))
        .floor()
        .max(1.0) as usize;
    let rows = total.div_ceil(per_row);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), rows as f32 * (radius * 2.0 + gap)),
        egui::Sense::hover(),
    );
    let painter = ui.painter();
    for index in 0..total {
        let (row, column) = (index / per_row, index % per_row);
        let centre = rect.min
            + egui::vec2(
                radius + column as f32 * (radius * 2.0 + gap),
                radius + gap / 2.0 + row as f32 * (radius * 2.0 + gap),
            );
        if index < found {
            painter.circle_filled(centre, radius, theme.correct);
            super::sort_screen::verdict_mark(painter, centre, radius * 1.2, true, theme.on_accent);
        } else {
            painter.circle_stroke(
                centre,
                radius - 1.5,
                egui::Stroke::new(3.0, theme.muted_text),
            );
        }
    }
    if hinting {
        ui.add(
            egui::Label::new(
                egui::RichText::new(view.phrase(Phrase::FindHint))
                    .size(theme.body_size)
                    .color(theme.accent),
            )
            .wrap(),
        );
    }
    ui.add_space(theme.spacing / 2.0);
}
