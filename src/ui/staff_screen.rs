//! The staff panel's screens: the PIN pad, then the panel itself. Staff read the kiosk's
//! default language; the layout favours facts over looks.

use super::strings::{Phrase, fill};
use super::theme::Theme;
use super::{KioskView, UiCommand, UiOutput, command_button};
use crate::staff::{PinNotice, ServerCheck, StaffPhase, StaffView, TodayNumbers};
use crate::ui::StaffCommand;
use bevy_egui::egui;

pub fn draw(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let Some(staff) = view.staff else {
        return;
    };
    let theme = view.theme;
    if staff.phase == StaffPhase::Open {
        // A panel of the root, first: the central part (a list as long as the exhibits are
        // many) then ends above it and can never cover its buttons.
        egui::Panel::bottom("staff-actions")
            .frame(egui::Frame::new().inner_margin(egui::Margin {
                left: (theme.spacing * 1.5) as i8,
                right: (theme.spacing * 1.5) as i8,
                top: 8,
                bottom: (theme.spacing * 1.5) as i8,
            }))
            .show(root, |ui| actions(ui, view, out));
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::new().inner_margin(theme.spacing * 1.5))
        .show(root, |ui| match &staff.phase {
            StaffPhase::Pin { notice } => pin_pad(ui, view, staff.pin_digits, *notice, out),
            StaffPhase::Open => panel(ui, view, staff),
            StaffPhase::Closed => {}
        });
}

fn pin_pad(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    digits: usize,
    notice: Option<PinNotice>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let key = egui::vec2(140.0, 96.0);
    ui.vertical_centered(|ui| {
        ui.label(theme.heading(view.phrase(Phrase::StaffPin)));
        ui.label(
            egui::RichText::new(if digits == 0 {
                " ".to_owned()
            } else {
                "● ".repeat(digits)
            })
            .size(theme.heading_size)
            .color(theme.text),
        );
        let notice_text = match notice {
            Some(PinNotice::Wrong { tries_left }) => {
                Some(fill(view.phrase(Phrase::PinWrong), tries_left, ""))
            }
            Some(PinNotice::Locked { seconds_left }) => {
                Some(fill(view.phrase(Phrase::PinLocked), seconds_left, ""))
            }
            Some(PinNotice::NotConfigured) => {
                Some(view.phrase(Phrase::PinNotConfigured).to_owned())
            }
            Some(PinNotice::Checking) => Some(view.phrase(Phrase::PinChecking).to_owned()),
            None => None,
        };
        if let Some(text) = notice_text {
            let colour = if notice == Some(PinNotice::Checking) {
                theme.muted_text
            } else {
                theme.wrong
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(text)
                        .size(theme.body_size)
                        .color(colour),
                )
                .wrap(),
            );
        }
        let width = 3.0 * key.x + 2.0 * theme.spacing;
        ui.allocate_ui_with_layout(
            egui::vec2(width, 4.0 * (key.y + theme.spacing)),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                for row in [[1u8, 2, 3], [4, 5, 6], [7, 8, 9]] {
                    ui.horizontal(|ui| {
                        for digit in row {
                            command_button(
                                ui,
                                view,
                                theme.heading(digit.to_string()),
                                key,
                                None,
                                UiCommand::Staff(StaffCommand::PinDigit(digit)),
                                out,
                            );
                        }
                    });
                }
                ui.horizontal(|ui| {
                    command_button(
                        ui,
                        view,
                        theme.body(view.phrase(Phrase::Delete)),
                        key,
                        None,
                        UiCommand::Staff(StaffCommand::PinBackspace),
                        out,
                    );
                    command_button(
                        ui,
                        view,
                        theme.heading("0"),
                        key,
                        None,
                        UiCommand::Staff(StaffCommand::PinDigit(0)),
                        out,
                    );
                    command_button(
                        ui,
                        view,
                        theme.on_accent(view.phrase(Phrase::Enter)),
                        key,
                        Some(theme.accent),
                        UiCommand::Staff(StaffCommand::PinEnter),
                        out,
                    );
                });
            },
        );
        ui.add_space(theme.spacing);
        command_button(
            ui,
            view,
            theme.body(view.phrase(Phrase::Close)),
            egui::vec2(width, theme.min_target),
            None,
            UiCommand::Staff(StaffCommand::StaffClose),
            out,
        );
    });
}

fn panel(ui: &mut egui::Ui, view: &KioskView<'_>, staff: &StaffView) {
    let theme = view.theme;
    let small = |text: String| theme.small(text).color(theme.text);
    ui.horizontal(|ui| {
        ui.label(theme.heading(view.phrase(Phrase::StaffPanel)));
        ui.label(small(fill(
            view.phrase(Phrase::Version),
            staff.version,
            &staff.kiosk_id,
        )));
    });
    ui.columns(2, |columns| {
        egui::ScrollArea::vertical()
            .id_salt("staff-exhibits")
            .show(&mut columns[0], |ui| exhibits(ui, view, staff, &small));
        uploads_and_today(&mut columns[1], view, staff, &small);
    });
}

/// Reload, test the server, close; quit at the far end, apart from the others.
fn actions(ui: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    let theme = view.theme;
    ui.horizontal(|ui| {
        let button = egui::vec2(0.0, theme.min_target);
        for (phrase, command) in [
            (
                Phrase::ReloadExhibits,
                UiCommand::Staff(StaffCommand::StaffReload),
            ),
            (
                Phrase::TestServer,
                UiCommand::Staff(StaffCommand::StaffTestServer),
            ),
            (Phrase::Close, UiCommand::Staff(StaffCommand::StaffClose)),
        ] {
            command_button(
                ui,
                view,
                theme.body(view.phrase(phrase)),
                button,
                None,
                command,
                out,
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            command_button(
                ui,
                view,
                theme.on_accent(view.phrase(Phrase::QuitKiosk)),
                button,
                Some(theme.wrong),
                UiCommand::Staff(StaffCommand::StaffQuit),
                out,
            );
        });
    });
}

fn exhibits(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    staff: &StaffView,
    small: &dyn Fn(String) -> egui::RichText,
) {
    let theme = view.theme;
    ui.spacing_mut().item_spacing.y = 6.0;
    ui.label(theme.body(fill(
        view.phrase(Phrase::ExhibitsLeftOut),
        staff.left_out.len(),
        "",
    )));
    for (folder, problems) in &staff.left_out {
        ui.label(
            egui::RichText::new(folder)
                .size(theme.small_size)
                .strong()
                .color(theme.wrong),
        );
        for problem in problems {
            ui.add(egui::Label::new(small(problem.clone())).wrap());
        }
    }
    ui.add_space(theme.spacing / 2.0);
    ui.label(theme.body(fill(
        view.phrase(Phrase::ExhibitsShown),
        staff.shown.len(),
        "",
    )));
    for (id, kind) in &staff.shown {
        ui.label(small(format!("{id}  ({kind})")));
    }
}

fn uploads_and_today(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    staff: &StaffView,
    small: &dyn Fn(String) -> egui::RichText,
) {
    let theme = view.theme;
    ui.spacing_mut().item_spacing.y = 6.0;
    ui.label(theme.body(view.phrase(Phrase::Uploads)));
    if let Some(backlog) = staff.outbox_backlog {
        ui.label(small(fill(view.phrase(Phrase::Backlog), backlog, "")));
    }
    if staff.paired {
        let last = staff
            .last_upload
            .clone()
            .unwrap_or_else(|| view.phrase(Phrase::Never).to_owned());
        ui.label(small(fill(view.phrase(Phrase::LastUpload), last, "")));
    } else {
        ui.label(small(view.phrase(Phrase::NotPaired).to_owned()));
    }
    let storage = &staff.storage;
    let mut problems: Vec<String> = [
        (storage.held_in_memory, Phrase::HeldInMemory),
        (storage.dropped, Phrase::DroppedEvents),
        (storage.rolled_up, Phrase::RolledUpEvents),
        (storage.refused, Phrase::RefusedEvents),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, phrase)| fill(view.phrase(phrase), count, ""))
    .collect();
    if let Some((when, lost)) = &storage.replaced {
        let lost = lost.map_or_else(|| "?".to_owned(), |n| n.to_string());
        problems.push(fill(view.phrase(Phrase::OutboxReplaced), when, lost));
    }
    for error in problems
        .iter()
        .chain(&staff.upload_error)
        .chain(&staff.outbox_error)
    {
        ui.add(
            egui::Label::new(
                egui::RichText::new(error)
                    .size(theme.small_size)
                    .color(theme.wrong),
            )
            .wrap(),
        );
    }
    let server = match &staff.server {
        ServerCheck::NotTried => view.phrase(Phrase::ServerUnknown).to_owned(),
        ServerCheck::Checking => view.phrase(Phrase::ServerChecking).to_owned(),
        ServerCheck::Reachable { round_trip_ms } => {
            fill(view.phrase(Phrase::ServerReachable), round_trip_ms, "")
        }
        ServerCheck::Failed(error) => fill(view.phrase(Phrase::ServerFailed), error, ""),
        ServerCheck::NotPaired => view.phrase(Phrase::NotPaired).to_owned(),
    };
    ui.add(egui::Label::new(small(server)).wrap());
    ui.add_space(theme.spacing / 2.0);
    today(ui, view, &staff.today, small);
}

/// Today's numbers as three small charts: visitors by hour, the most opened exhibits, and the
/// share of right quiz answers per quiz.
fn today(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    today: &TodayNumbers,
    small: &dyn Fn(String) -> egui::RichText,
) {
    let theme = view.theme;
    ui.label(theme.body(fill(view.phrase(Phrase::SessionsToday), today.sessions, "")));
    ui.label(small(view.phrase(Phrase::SessionsByHour).to_owned()));
    hour_chart(ui, theme, &today.sessions_by_hour);
    ui.label(small(view.phrase(Phrase::TopExhibits).to_owned()));
    let top = today.top_exhibits(5);
    let most = top.first().map_or(1, |(_, n)| (*n).max(1));
    for (id, opens) in top {
        bar_row(ui, theme, id, opens as f32 / most as f32, opens.to_string());
    }
    ui.label(small(view.phrase(Phrase::QuizCorrectness).to_owned()));
    for (id, (answers, right)) in &today.quiz_answers {
        let share = *right as f32 / (*answers).max(1) as f32;
        bar_row(
            ui,
            theme,
            id,
            share,
            format!("{:.0} % ({right}/{answers})", share * 100.0),
        );
    }
}

fn hour_chart(ui: &mut egui::Ui, theme: &Theme, by_hour: &[u32; 24]) {
    // The hours under the bars are text like any other: at the smallest text size.
    let hours_band = theme.small_size * 1.2;
    let size = egui::vec2(ui.available_width().min(720.0), 70.0 + hours_band);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4, theme.surface);
    let most = by_hour.iter().copied().max().unwrap_or(0).max(1) as f32;
    let slot = rect.width() / 24.0;
    for (hour, count) in by_hour.iter().enumerate() {
        let height = (rect.height() - hours_band - 2.0) * (*count as f32 / most);
        let x = rect.min.x + slot * hour as f32;
        let bar = egui::Rect::from_min_max(
            egui::pos2(x + 2.0, rect.max.y - hours_band - height),
            egui::pos2(x + slot - 2.0, rect.max.y - hours_band),
        );
        painter.rect_filled(bar, 2, theme.accent);
        if hour % 3 == 0 {
            painter.text(
                egui::pos2(x + slot / 2.0, rect.max.y - hours_band / 2.0),
                egui::Align2::CENTER_CENTER,
                hour.to_string(),
                egui::FontId::proportional(theme.small_size),
                theme.muted_text,
            );
        }
    }
}

fn bar_row(ui: &mut egui::Ui, theme: &Theme, label: &str, share: f32, value: String) {
    ui.horizontal(|ui| {
        let row = theme.small_size * 1.3;
        ui.add_sized(
            egui::vec2(260.0, row),
            egui::Label::new(theme.small(label).color(theme.text)).truncate(),
        );
        let (rect, _) = ui.allocate_exact_size(egui::vec2(240.0, row), egui::Sense::hover());
        ui.painter().rect_filled(rect, 3, theme.surface);
        let filled = egui::Rect::from_min_size(
            rect.min,
            egui::vec2(rect.width() * share.clamp(0.0, 1.0), rect.height()),
        );
        ui.painter().rect_filled(filled, 3, theme.accent);
        ui.label(theme.small(value).color(theme.text));
    });
}
