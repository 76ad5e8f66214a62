//! The quiz player: every question type, the answer's feedback with the explanation, and the
//! results with the questions worth another look. Grading happens in `kepu_core::quiz`; this
//! only draws the visitor's [`QuizProgress`] and reports taps, drags and slides as commands.

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::widgets::{again_or_home, format_number, touch_slider};
use super::{KioskView, UiCommand, UiOutput, command_button, register};
use crate::play::quiz::{Draft, QuizProgress};
use crate::ui::QuizCommand;
use bevy_egui::egui;
use kepu_core::manifest::{Exhibit, Question, QuestionType};
use kepu_core::quiz::{Aim, AnsweredQuestion, Closeness, CorrectAnswer};
use kepu_core::slider::SliderRange;
use std::time::Duration;

pub fn quiz(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    progress: &QuizProgress,
    out: &mut UiOutput,
) {
    if progress.finished {
        results(ui, view, progress, out);
        return;
    }
    let theme = view.theme;
    let Some(question) = progress.session.question(progress.current) else {
        return;
    };
    let answered = progress.session.answered(progress.current);
    // The main button stays at the bottom, visible however long the question or explanation.
    egui::Panel::bottom("quiz-next")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                if answered.is_some() {
                    let last = progress.current + 1 == progress.session.len();
                    let label = if last {
                        Phrase::SeeResults
                    } else {
                        Phrase::NextQuestion
                    };
                    command_button(
                        ui,
                        view,
                        theme.on_accent(view.phrase(label)),
                        egui::vec2(360.0, theme.min_target),
                        Some(theme.accent),
                        UiCommand::Quiz(QuizCommand::NextQuestion),
                        out,
                    );
                } else if needs_check_button(question, &progress.draft) {
                    command_button(
                        ui,
                        view,
                        theme.on_accent(view.phrase(Phrase::CheckAnswer)),
                        egui::vec2(360.0, theme.min_target),
                        Some(theme.accent),
                        UiCommand::Quiz(QuizCommand::SubmitAnswer),
                        out,
                    );
                }
            });
        });
    egui::ScrollArea::vertical()
        .id_salt(("quiz-question", progress.current))
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            header(ui, view, progress);
            ui.add(egui::Label::new(theme.heading(view.text(&question.prompt))).wrap());
            if let Some(image) = &question.image
                && let Some(texture) = view.images.texture(&exhibit.asset_path(image))
            {
                let size = super::screens::fit(texture.size_vec2(), egui::vec2(900.0, 320.0));
                ui.add(
                    egui::Image::new(egui::load::SizedTexture::new(texture.id(), size))
                        .corner_radius(theme.corner_radius),
                );
            }
            ui.add_space(theme.spacing / 2.0);
            within_reach(ui, view);
            let order = progress
                .session
                .presented_order(progress.current)
                .unwrap_or(&[]);
            match question.question_type {
                QuestionType::Single | QuestionType::Multiple => {
                    choices(ui, view, question, order, progress, answered, out);
                }
                QuestionType::ImageChoice => {
                    image_choices(ui, view, exhibit, question, order, answered, out);
                }
                QuestionType::TrueFalse => true_false(ui, view, answered, out),
                QuestionType::Ordering => ordering(ui, view, question, progress, answered, out),
                QuestionType::Estimate => estimate(ui, view, question, progress, answered, out),
            }
            if let Some(answered) = answered {
                feedback(ui, view, question, answered);
            }
        });
}

fn needs_check_button(question: &Question, draft: &Draft) -> bool {
    match (question.question_type, draft) {
        (QuestionType::Multiple, Draft::Ticks(ticks)) => !ticks.is_empty(),
        (QuestionType::Ordering, Draft::Order(_))
        | (QuestionType::Estimate, Draft::Estimate(_)) => true,
        _ => false,
    }
}

fn header(ui: &mut egui::Ui, view: &KioskView<'_>, progress: &QuizProgress) {
    let theme = view.theme;
    let muted = |text: String| {
        egui::RichText::new(text)
            .size(theme.body_size * 0.8)
            .color(theme.muted_text)
    };
    ui.horizontal(|ui| {
        ui.label(muted(fill(
            view.phrase(Phrase::QuestionOf),
            progress.current + 1,
            progress.session.len(),
        )));
        let elapsed = Duration::from_secs_f64(view.now_secs).saturating_sub(progress.started_at);
        if let Some(left) = progress.session.time_left(elapsed) {
            ui.label(muted(fill(
                view.phrase(Phrase::TimeLeft),
                left.as_secs_f32().ceil() as u64,
                "",
            )));
        }
    });
}

/// Fill and text colours of a choice: green if right, red if picked and wrong, once answered.
fn answer_colours(
    view: &KioskView<'_>,
    id: &str,
    answered: Option<&AnsweredQuestion>,
) -> (Option<egui::Color32>, egui::Color32) {
    let theme = view.theme;
    let Some(answered) = answered else {
        return (None, theme.text);
    };
    let right = matches!(
        &answered.grade.correct_answer,
        Some(CorrectAnswer::Choices(ids)) if ids.iter().any(|r| r == id)
    );
    let picked = matches!(
        &answered.answer,
        kepu_core::quiz::Answer::Choices(ids) if ids.iter().any(|p| p == id)
    );
    if right {
        (Some(theme.correct), theme.on_accent)
    } else if picked {
        (Some(theme.wrong), theme.on_accent)
    } else {
        (Some(theme.surface), theme.muted_text)
    }
}

/// A full-width row that is a command until the question is answered, then shows colours.
fn answer_row(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    text: egui::RichText,
    fill_colour: Option<egui::Color32>,
    command: Option<UiCommand>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let size = egui::vec2(ui.available_width().min(1200.0), theme.min_target + 16.0);
    match command {
        Some(command) => {
            command_button(ui, view, text, size, fill_colour, command, out);
        }
        None => {
            ui.add(
                egui::Button::new(text)
                    .min_size(size)
                    .fill(fill_colour.unwrap_or(theme.surface))
                    .corner_radius(theme.corner_radius),
            );
        }
    }
}

fn choices(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    order: &[String],
    progress: &QuizProgress,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let multiple = question.question_type == QuestionType::Multiple;
    if multiple && answered.is_none() {
        ui.label(theme.body(view.phrase(Phrase::TickAll)));
    }
    for id in order {
        let Some(choice) = question.choices.iter().find(|c| c.id == *id) else {
            continue;
        };
        let ticked = matches!(&progress.draft, Draft::Ticks(t) if t.contains(id));
        let (mut fill_colour, mut text_colour) = answer_colours(view, id, answered);
        let label = if multiple {
            format!(
                "{} {}",
                if ticked { "●" } else { "○" },
                view.text(&choice.label)
            )
        } else {
            view.text(&choice.label).to_owned()
        };
        if answered.is_none() && ticked {
            fill_colour = Some(theme.accent);
            text_colour = theme.on_accent;
        }
        let command = answered.is_none().then(|| {
            if multiple {
                UiCommand::Quiz(QuizCommand::ToggleChoice(id.clone()))
            } else {
                UiCommand::Quiz(QuizCommand::Answer(id.clone()))
            }
        });
        let text = egui::RichText::new(label)
            .size(theme.body_size)
            .color(text_colour);
        answer_row(ui, view, text, fill_colour, command, out);
    }
}

fn image_choices(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    exhibit: &Exhibit,
    question: &Question,
    order: &[String],
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let tile = egui::vec2(360.0, 202.0 + theme.body_size * 1.6);
    ui.horizontal_wrapped(|ui| {
        for id in order {
            let Some(choice) = question.choices.iter().find(|c| c.id == *id) else {
                continue;
            };
            let sense = if answered.is_none() {
                egui::Sense::click()
            } else {
                egui::Sense::hover()
            };
            let (rect, response) = ui.allocate_exact_size(tile, sense);
            if answered.is_none() {
                register(
                    &response,
                    UiCommand::Quiz(QuizCommand::Answer(id.clone())),
                    out,
                );
            }
            let (fill_colour, text_colour) = answer_colours(view, id, answered);
            let painter = ui.painter_at(rect);
            painter.rect_filled(
                rect,
                theme.corner_radius,
                fill_colour.unwrap_or(theme.surface),
            );
            let image_rect = egui::Rect::from_min_size(
                rect.min + egui::vec2(8.0, 8.0),
                egui::vec2(tile.x - 16.0, 202.0 - 16.0),
            );
            let picture = choice
                .image
                .as_ref()
                .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
            if let Some(texture) = picture {
                egui::Image::new(egui::load::SizedTexture::new(
                    texture.id(),
                    image_rect.size(),
                ))
                .corner_radius(theme.corner_radius)
                .paint_at(ui, image_rect);
            }
            painter.text(
                egui::pos2(rect.center().x, image_rect.max.y + theme.body_size * 0.8),
                egui::Align2::CENTER_CENTER,
                view.text(&choice.label),
                egui::FontId::proportional(theme.body_size),
                text_colour,
            );
        }
    });
}

fn true_false(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    ui.horizontal(|ui| {
        for (value, phrase) in [(true, Phrase::True), (false, Phrase::False)] {
            let right = matches!(
                answered.and_then(|a| a.grade.correct_answer.as_ref()),
                Some(CorrectAnswer::TrueFalse(v)) if *v == value
            );
            let picked = matches!(
                answered.map(|a| &a.answer),
                Some(kepu_core::quiz::Answer::TrueFalse(v)) if *v == value
            );
            let fill_colour = match (answered.is_some(), right, picked) {
                (false, _, _) => None,
                (true, true, _) => Some(theme.correct),
                (true, false, true) => Some(theme.wrong),
                (true, false, false) => Some(theme.surface),
            };
            let colour = if fill_colour.is_some_and(|f| f != theme.surface) {
                theme.on_accent
            } else {
                theme.text
            };
            let text = egui::RichText::new(view.phrase(phrase))
                .size(theme.heading_size)
                .color(colour);
            let size = egui::vec2(360.0, theme.min_target * 1.6);
            if answered.is_none() {
                command_button(
                    ui,
                    view,
                    text,
                    size,
                    None,
                    UiCommand::Quiz(QuizCommand::Answer(value.to_string())),
                    out,
                );
            } else {
                ui.add(
                    egui::Button::new(text)
                        .min_size(size)
                        .fill(fill_colour.unwrap_or(theme.surface))
                        .corner_radius(theme.corner_radius),
                );
            }
        }
    });
}

/// The items as rows; a row can be dragged to a new place, or moved with its arrows (easier for
/// unsteady hands). Each row is registered as a no-op `MoveItem { from: i, to: i }` target, so
/// tests and the autopilot can find where to start a drag.
fn ordering(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    progress: &QuizProgress,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let order: &[String] = match (&progress.draft, answered) {
        (_, Some(answered)) => match &answered.answer {
            kepu_core::quiz::Answer::Order(order) => order,
            _ => &[],
        },
        (Draft::Order(order), None) => order,
        _ => &[],
    };
    if answered.is_none() {
        ui.label(theme.body(view.phrase(Phrase::ArrangeHint)));
    }
    let row_size = egui::vec2(ui.available_width().min(1100.0), theme.min_target + 8.0);
    let mut rows = Vec::with_capacity(order.len());
    for (index, id) in order.iter().enumerate() {
        let text = question
            .items
            .iter()
            .find(|i| i.id == *id)
            .map_or("?", |item| view.text(&item.label));
        ui.horizontal(|ui| {
            let sense = if answered.is_none() {
                egui::Sense::click_and_drag()
            } else {
                egui::Sense::hover()
            };
            let arrows = if answered.is_none() {
                2.0 * (theme.min_target + theme.spacing)
            } else {
                0.0
            };
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(row_size.x - arrows, row_size.y), sense);
            let fill_colour = if response.dragged() {
                theme.accent.gamma_multiply(0.35)
            } else {
                theme.surface
            };
            ui.painter()
                .rect_filled(rect, theme.corner_radius, fill_colour);
            ui.painter().text(
                rect.left_center() + egui::vec2(theme.spacing, 0.0),
                egui::Align2::LEFT_CENTER,
                format!("{}.  {text}", index + 1),
                egui::FontId::proportional(theme.body_size),
                theme.text,
            );
            if answered.is_none() {
                register(
                    &response,
                    UiCommand::Quiz(QuizCommand::MoveItem {
                        from: index,
                        to: index,
                    }),
                    out,
                );
                let arrow = egui::vec2(theme.min_target, theme.min_target);
                if index > 0 {
                    command_button(
                        ui,
                        view,
                        theme.body("▲"),
                        arrow,
                        None,
                        UiCommand::Quiz(QuizCommand::MoveItem {
                            from: index,
                            to: index - 1,
                        }),
                        out,
                    );
                } else {
                    ui.add_space(arrow.x);
                }
                if index + 1 < order.len() {
                    command_button(
                        ui,
                        view,
                        theme.body("▼"),
                        arrow,
                        None,
                        UiCommand::Quiz(QuizCommand::MoveItem {
                            from: index,
                            to: index + 1,
                        }),
                        out,
                    );
                }
            }
            rows.push((rect, response));
        });
    }
    // A finished drag drops the row where the finger let go.
    for (from, (_, response)) in rows.iter().enumerate() {
        if response.drag_stopped()
            && let Some(pointer) = response.interact_pointer_pos()
        {
            let to = rows
                .iter()
                .position(|(rect, _)| pointer.y < rect.bottom())
                .unwrap_or(rows.len().saturating_sub(1));
            if to != from {
                out.commands
                    .push(UiCommand::Quiz(QuizCommand::MoveItem { from, to }));
            }
        }
    }
}

/// A wide slider a finger can hit anywhere along, with − and + for exact steps.
fn estimate(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    progress: &QuizProgress,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let Some(spec) = &question.estimate else {
        return;
    };
    let value = match (answered.map(|a| &a.answer), &progress.draft) {
        (Some(kepu_core::quiz::Answer::Estimate(v)), _) | (None, Draft::Estimate(v)) => *v,
        _ => spec.min,
    };
    let unit = spec.unit.as_ref().map_or("", |u| view.text(u));
    ui.label(
        egui::RichText::new(format!("{} {unit}", format_number(value, 3)))
            .size(theme.title_size)
            .color(theme.accent),
    );
    if answered.is_none() {
        ui.label(theme.body(view.phrase(Phrase::SlideHint)));
    }
    let range = SliderRange::from(spec);
    touch_slider(
        ui,
        view,
        value,
        range,
        answered.is_none(),
        &|v| UiCommand::Quiz(QuizCommand::SetEstimate(v)),
        out,
    );
    ui.horizontal(|ui| {
        let muted = |v: f64| {
            egui::RichText::new(format!("{} {unit}", format_number(v, 3)))
                .size(theme.body_size * 0.7)
                .color(theme.muted_text)
        };
        ui.label(muted(spec.min));
        ui.add_space(theme.spacing);
        ui.label(muted(spec.max));
    });
}

fn feedback(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    answered: &AnsweredQuestion,
) {
    let theme = view.theme;
    let grade = &answered.grade;
    ui.add_space(theme.spacing / 2.0);
    let (verdict, colour) = if grade.correct {
        (Phrase::Correct, theme.correct)
    } else if grade.credit > 0.0 {
        (Phrase::PartlyRight, theme.accent)
    } else {
        (Phrase::NotQuite, theme.wrong)
    };
    ui.label(
        egui::RichText::new(view.phrase(verdict))
            .size(theme.heading_size)
            .color(colour),
    );
    if let (Some(feedback), Some(spec)) = (&grade.estimate, &question.estimate) {
        let unit = spec.unit.as_ref().map_or("", |u| view.text(u));
        let given = match &answered.answer {
            kepu_core::quiz::Answer::Estimate(v) => *v,
            _ => f64::NAN,
        };
        ui.label(theme.body(fill(
            view.phrase(Phrase::TheAnswerIs),
            format!("{} {unit}", format_number(spec.answer, 3)),
            format!("{} {unit}", format_number(given, 3)),
        )));
        let closeness = match (feedback.closeness, feedback.aim) {
            (Closeness::Exact, _) | (_, Aim::OnTarget) => Phrase::SpotOn,
            (Closeness::WithinTolerance, _) => Phrase::CloseEnough,
            (Closeness::Close, Aim::TooHigh) => Phrase::CloseTooHigh,
            (Closeness::Close, Aim::TooLow) => Phrase::CloseTooLow,
            (Closeness::Far, Aim::TooHigh) => Phrase::FarTooHigh,
            (Closeness::Far, Aim::TooLow) => Phrase::FarTooLow,
        };
        ui.label(theme.body(view.phrase(closeness)));
    }
    if let Some(CorrectAnswer::Order(order)) = &grade.correct_answer
        && !grade.correct
    {
        ui.label(theme.body(view.phrase(Phrase::RightOrder)));
        for (n, id) in order.iter().enumerate() {
            if let Some(item) = question.items.iter().find(|i| i.id == *id) {
                ui.label(theme.body(format!("{}.  {}", n + 1, view.text(&item.label))));
            }
        }
    }
    ui.add(egui::Label::new(theme.body(view.text(&question.explanation))).wrap());
}

fn results(ui: &mut egui::Ui, view: &KioskView<'_>, progress: &QuizProgress, out: &mut UiOutput) {
    let theme = view.theme;
    egui::Panel::bottom("quiz-results-actions")
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show(ui, |ui| {
            again_or_home(
                ui,
                view,
                Phrase::TryAgain,
                UiCommand::Quiz(QuizCommand::TryAgain),
                out,
            );
        });
    egui::ScrollArea::vertical()
        .id_salt("quiz-results")
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                if progress.session.has_expired() {
                    ui.label(theme.heading(view.phrase(Phrase::TimeUp)));
                }
                ui.label(
                    egui::RichText::new(fill(
                        view.phrase(Phrase::YourScore),
                        progress.session.points(),
                        progress.session.max_points(),
                    ))
                    .size(theme.title_size)
                    .color(theme.accent),
                );
            });
            let missed = progress.session.missed();
            if !missed.is_empty() {
                ui.add_space(theme.spacing / 2.0);
                ui.label(theme.heading(view.phrase(Phrase::ToReview)));
                for missed in missed {
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(view.text(&missed.question.prompt))
                                .size(theme.body_size)
                                .strong()
                                .color(theme.text),
                        )
                        .wrap(),
                    );
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(view.text(&missed.question.explanation))
                                .size(theme.body_size * 0.9)
                                .color(theme.muted_text),
                        )
                        .wrap(),
                    );
                }
            }
        });
}
