//! The hotspots player: a large picture a visitor can pinch to zoom and drag to pan (never
//! past its edges), with tappable regions that open an info card, and the same regions as a
//! list of buttons for those who prefer not to hunt on the picture.

use super::screens::within_reach;
use super::strings::Phrase;
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::play::hotspots::HotspotsProgress;
use crate::ui::HotspotsCommand;
use bevy_egui::egui;
use kepu_core::hotspots::hotspot_at;
use kepu_core::manifest::{Exhibit, Hotspot};

pub fn hotspots(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    spots: &HotspotsProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let manifest = &exhibit.manifest;
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
                .show(ui, |ui| side(ui, view, exhibit, spots, out));
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

    // Regions as outlines, so visitors see where to tap.
    let to_screen = |x: f64, y: f64| {
        let fx = (x / f64::from(image_w) - left) / (right - left);
        let fy = (y / f64::from(image_h) - top) / (bottom - top);
        egui::pos2(
            frame.left() + frame.width() * fx as f32,
            frame.top() + frame.height() * fy as f32,
        )
    };
    for hotspot in &manifest.hotspots {
        let open = spots.open.as_deref() == Some(hotspot.id.as_str());
        let stroke = egui::Stroke::new(if open { 6.0 } else { 4.0 }, theme.accent);
        outline(&painter, hotspot, &to_screen, stroke);
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

/// The open card, else the hint; then every region as a button.
fn side(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    spots: &HotspotsProgress,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let manifest = &exhibit.manifest;
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
            ui.add(egui::Label::new(theme.body(view.phrase(Phrase::TapARegion))).wrap());
        }
    }
    ui.add_space(theme.spacing / 2.0);
    within_reach(ui, view);
    for hotspot in &manifest.hotspots {
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
