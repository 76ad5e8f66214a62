//! The quiz player: every question type as big tiles, the answer's feedback on the tiles
//! themselves with the explanation in a card, progress dots, and a short results screen with
//! the questions worth another look. Grading happens in `kepu_core::quiz`; this only draws the
//! visitor's [`QuizProgress`] and reports taps, drags and slides as commands.
//!
//! Nothing is told by colour alone: a marked tile also carries a ✓ or × badge and the words
//! "Right answer" / "Your answer", and each progress dot has its own shape.

use super::screens::within_reach;
use super::strings::{Phrase, fill};
use super::theme::Theme;
use super::widgets::{again_or_home, format_number, touch_slider};
use super::{KioskView, UiCommand, UiOutput, command_button, register};
use crate::play::quiz::{Draft, QuizProgress};
use crate::ui::QuizCommand;
use bevy_egui::egui;
use kepu_core::manifest::{Exhibit, Question, QuestionType};
use kepu_core::quiz::{Aim, Answer, AnsweredQuestion, Closeness, CorrectAnswer};
use kepu_core::slider::SliderRange;
use std::sync::Arc;
use std::time::Duration;

/// Most choices a question shows as tiles in two columns (the manifest allows no more).
const MAX_TILES: usize = 6;

/// Choice labels are a little larger than body text: they are what the visitor reads and taps.
const LABEL_SCALE: f32 = 1.15;

/// Two columns only while every label still fits in this many lines; beyond it (long labels,
/// large text) one column reads better than a narrow stack of words.
const MAX_LABEL_LINES: usize = 2;

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
        .show_separator_line(false)
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                let action = if answered.is_some() {
                    let last = progress.current + 1 == progress.session.len();
                    let label = if last {
                        Phrase::SeeResults
                    } else {
                        Phrase::NextQuestion
                    };
                    Some((label, QuizCommand::NextQuestion))
                } else if needs_check_button(question, &progress.draft) {
                    Some((Phrase::CheckAnswer, QuizCommand::SubmitAnswer))
                } else {
                    None
                };
                let size = egui::vec2(
                    (theme.body_size * 18.0).min(ui.available_width()),
                    theme.min_target * 1.25,
                );
                match action {
                    Some((label, command)) => {
                        command_button(
                            ui,
                            view,
                            egui::RichText::new(format!("{}  →", view.phrase(label)))
                                .size(theme.body_size * LABEL_SCALE)
                                .color(theme.on_accent),
                            size,
                            Some(theme.accent),
                            UiCommand::Quiz(command),
                            out,
                        );
                    }
                    // The same room without a button, so the tiles above keep their size when
                    // the button appears.
                    None => {
                        ui.allocate_space(size);
                    }
                }
            });
        });
    // The dots stay in view when the page scrolls to show the explanation.
    egui::Panel::top("quiz-progress")
        .show_separator_line(false)
        .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
        .show(ui, |ui| {
            header(ui, view, progress, hint(question.question_type))
        });
    egui::ScrollArea::vertical()
        .id_salt(("quiz-question", progress.current))
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            prompt(ui, view, exhibit, question);
            within_reach(ui, view);
            let tiles_top = ui.cursor().min.y;
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
                let card = explanation_card(ui, view, question, answered);
                // Once, when the answer is in: bring the card into view, but never so far that
                // the tiles' tops leave it (the visitor may scroll afterwards).
                let shown =
                    egui::Id::new(("quiz-card-shown", progress.started_at, progress.current));
                if !ui
                    .ctx()
                    .data(|d| d.get_temp::<bool>(shown).unwrap_or(false))
                {
                    ui.ctx().data_mut(|d| d.insert_temp(shown, true));
                    let view_rect = ui.clip_rect();
                    let down = (card.bottom() - view_rect.bottom())
                        .min(tiles_top - view_rect.top())
                        .max(0.0);
                    ui.scroll_to_rect(
                        view_rect.translate(egui::vec2(0.0, down)),
                        Some(egui::Align::Min),
                    );
                }
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

/// How a question type is answered, for the visitor who has not met it yet.
fn hint(question_type: QuestionType) -> Option<Phrase> {
    match question_type {
        QuestionType::Multiple => Some(Phrase::TickAll),
        QuestionType::Ordering => Some(Phrase::ArrangeHint),
        QuestionType::Estimate => Some(Phrase::SlideHint),
        QuestionType::Single | QuestionType::ImageChoice | QuestionType::TrueFalse => None,
    }
}

/// The progress dots, "Question 2 of 4" beside them (for whoever does not read dots), the time
/// left when the quiz has a limit, and how to answer: one line, so that the tiles get the room.
fn header(ui: &mut egui::Ui, view: &KioskView<'_>, progress: &QuizProgress, hint: Option<Phrase>) {
    let theme = view.theme;
    let muted = |text: String| theme.small(text);
    ui.horizontal(|ui| {
        progress_dots(ui, theme, &dots(progress), theme.body_size * 0.45);
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
        if let Some(hint) = hint {
            ui.label(theme.body(view.phrase(hint)));
        }
    });
}

/// What one progress dot says about its question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dot {
    /// Answered right: a filled dot with a tick.
    Right,
    /// Answered, not right (partly right included): a filled dot with a cross.
    Wrong,
    /// On screen, not answered yet: a large ring with a centre.
    Current,
    /// Still to come (or left unanswered when the time ran out): a small hollow ring.
    ToCome,
}

/// One dot per question of the visitor's quiz, and which of them is on screen.
fn dots(progress: &QuizProgress) -> Vec<(Dot, bool)> {
    (0..progress.session.len())
        .map(|index| {
            let on_screen = !progress.finished && index == progress.current;
            let dot = match progress.session.answered(index) {
                Some(answered) if answered.grade.correct => Dot::Right,
                Some(_) => Dot::Wrong,
                None if on_screen => Dot::Current,
                None => Dot::ToCome,
            };
            (dot, on_screen)
        })
        .collect()
}

fn progress_dots(ui: &mut egui::Ui, theme: &Theme, dots: &[(Dot, bool)], radius: f32) {
    let pitch = radius * 3.0;
    let size = egui::vec2(
        pitch * dots.len() as f32,
        (radius * 3.0).max(theme.body_size),
    );
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter();
    for (index, (dot, on_screen)) in dots.iter().enumerate() {
        let centre = egui::pos2(rect.left() + pitch * (index as f32 + 0.5), rect.center().y);
        match dot {
            Dot::Right => {
                painter.circle_filled(centre, radius, theme.correct);
                paint_tick(painter, centre, radius * 0.6, theme.on_accent);
            }
            Dot::Wrong => {
                painter.circle_filled(centre, radius, theme.wrong);
                paint_cross(painter, centre, radius * 0.5, theme.on_accent);
            }
            Dot::Current => {
                painter.circle_stroke(centre, radius * 1.1, egui::Stroke::new(4.0, theme.accent));
                painter.circle_filled(centre, radius * 0.45, theme.accent);
            }
            Dot::ToCome => {
                painter.circle_stroke(
                    centre,
                    radius * 0.6,
                    egui::Stroke::new(2.5, theme.muted_text),
                );
            }
        }
        // An answered question still on screen keeps the "you are here" ring around its dot.
        if *on_screen && *dot != Dot::Current {
            painter.circle_stroke(centre, radius * 1.4, egui::Stroke::new(3.0, theme.accent));
        }
    }
}

/// A tick drawn with lines (no font glyph needed), `half` from its centre to each side.
fn paint_tick(painter: &egui::Painter, centre: egui::Pos2, half: f32, colour: egui::Color32) {
    let points = vec![
        centre + egui::vec2(-half, 0.0),
        centre + egui::vec2(-half * 0.3, half * 0.7),
        centre + egui::vec2(half, -half * 0.7),
    ];
    painter.line(points, egui::Stroke::new((half * 0.35).max(2.5), colour));
}

fn paint_cross(painter: &egui::Painter, centre: egui::Pos2, half: f32, colour: egui::Color32) {
    let stroke = egui::Stroke::new((half * 0.4).max(2.5), colour);
    painter.line_segment(
        [
            centre + egui::vec2(-half, -half),
            centre + egui::vec2(half, half),
        ],
        stroke,
    );
    painter.line_segment(
        [
            centre + egui::vec2(-half, half),
            centre + egui::vec2(half, -half),
        ],
        stroke,
    );
}

/// The question in large type, its picture (when it has one) beside it.
fn prompt(ui: &mut egui::Ui, view: &KioskView<'_>, exhibit: &Exhibit, question: &Question) {
    let theme = view.theme;
    let text = theme.heading(view.text(&question.prompt));
    let picture = question
        .image
        .as_ref()
        .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
    match picture {
        Some(texture) => {
            ui.horizontal_top(|ui| {
                let size = super::screens::fit(
                    texture.size_vec2(),
                    egui::vec2(ui.available_width() * 0.35, 300.0),
                );
                ui.add(
                    egui::Image::new(egui::load::SizedTexture::new(texture.id(), size))
                        .corner_radius(theme.corner_radius),
                );
                ui.vertical(|ui| ui.add(egui::Label::new(text).wrap()));
            });
        }
        None => {
            ui.add(egui::Label::new(text).wrap());
        }
    }
}

/// How a choice tile looks, before and after the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Not answered, not ticked.
    Open,
    /// Multiple choice: ticked, not checked yet.
    Ticked,
    /// Answered: the visitor chose it and it is right.
    ChosenRight,
    /// Answered: right, and the visitor did not choose it.
    MissedRight,
    /// Answered: the visitor chose it and it is wrong.
    ChosenWrong,
    /// Answered: neither right nor chosen (dimmed).
    Other,
}

/// The mark of the choice `id` (a choice id, or `"true"`/`"false"`).
fn mark(answered: Option<&AnsweredQuestion>, id: &str, ticked: bool) -> Mark {
    let Some(answered) = answered else {
        return if ticked { Mark::Ticked } else { Mark::Open };
    };
    let right = match &answered.grade.correct_answer {
        Some(CorrectAnswer::Choices(ids)) => ids.iter().any(|r| r == id),
        Some(CorrectAnswer::TrueFalse(value)) => value.to_string() == id,
        _ => false,
    };
    let chosen = match &answered.answer {
        Answer::Choices(ids) => ids.iter().any(|c| c == id),
        Answer::TrueFalse(value) => value.to_string() == id,
        Answer::Order(_) | Answer::Estimate(_) => false,
    };
    match (right, chosen) {
        (true, true) => Mark::ChosenRight,
        (true, false) => Mark::MissedRight,
        (false, true) => Mark::ChosenWrong,
        (false, false) => Mark::Other,
    }
}

/// What a mark paints: fill, text colour, border, the sign in the badge and the word.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Look {
    fill: egui::Color32,
    text: egui::Color32,
    border: egui::Stroke,
    sign: Option<Sign>,
    word: Option<Phrase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Tick,
    Cross,
}

fn look(theme: &Theme, mark: Mark) -> Look {
    let plain = Look {
        fill: theme.surface,
        text: theme.text,
        border: egui::Stroke::new(3.0, theme.accent),
        sign: None,
        word: None,
    };
    let marked = |fill, sign, word| Look {
        fill,
        text: theme.on_accent,
        border: egui::Stroke::new(3.0, fill),
        sign: Some(sign),
        word: Some(word),
    };
    match mark {
        Mark::Open => plain,
        Mark::Ticked => Look {
            fill: theme.accent,
            text: theme.on_accent,
            sign: Some(Sign::Tick),
            ..plain
        },
        Mark::ChosenRight => marked(theme.correct, Sign::Tick, Phrase::YourAnswer),
        Mark::MissedRight => marked(theme.correct, Sign::Tick, Phrase::RightAnswer),
        Mark::ChosenWrong => marked(theme.wrong, Sign::Cross, Phrase::YourAnswer),
        Mark::Other => Look {
            text: theme.muted_text,
            border: egui::Stroke::new(1.0, theme.muted_text.gamma_multiply(0.4)),
            ..plain
        },
    }
}

/// What the round badge at a tile's start shows before the sign takes its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Badge {
    /// A, B, C…: single choice.
    Letter(char),
    /// An empty box to tick: multiple choice.
    Box,
    /// 1, 2, 3…: an ordering row's place.
    Place(usize),
}

/// Tiles' columns and size for `labels` in the space left on `ui`.
struct Grid {
    columns: usize,
    tile: egui::Vec2,
    galleys: Vec<Arc<egui::Galley>>,
}

fn label_font(theme: &Theme) -> egui::FontId {
    egui::FontId::proportional(theme.body_size * LABEL_SCALE)
}

/// Room a tile keeps beside its label: the badge on the left, a margin on the right. (The word
/// of a marked tile is a tag on its top edge, so the label never reflows when it appears.)
fn tile_insets(theme: &Theme) -> (f32, f32) {
    (theme.body_size * 2.0 + theme.spacing * 1.5, theme.spacing)
}

/// Two columns where every label fits them in `MAX_LABEL_LINES` lines, else one; tiles as tall
/// as the longest label needs, and taller while there is room, so that they fill the space
/// above the explanation card (which is reserved, so that nothing moves when it appears).
fn grid(ui: &egui::Ui, view: &KioskView<'_>, labels: &[String], font: &egui::FontId) -> Grid {
    let theme = view.theme;
    let (left, right) = tile_insets(theme);
    let width = ui.available_width();
    let layout = |columns: usize| {
        let tile_width = (width - theme.spacing * (columns as f32 - 1.0)) / columns as f32;
        let text_width = (tile_width - left - right).max(theme.body_size * 4.0);
        let galleys: Vec<_> = labels
            .iter()
            .map(|label| {
                ui.painter().layout(
                    label.clone(),
                    font.clone(),
                    egui::Color32::PLACEHOLDER,
                    text_width,
                )
            })
            .collect();
        (tile_width, galleys)
    };
    let height_of = |columns: usize, galleys: &[Arc<egui::Galley>]| {
        let rows = labels.len().div_ceil(columns).max(1) as f32;
        let natural = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max) + theme.spacing * 1.5;
        rows * natural.max(theme.min_target) + theme.spacing * (rows - 1.0)
    };
    let (mut columns, (mut tile_width, mut galleys)) = (2, layout(2));
    if labels.len() < 2 || galleys.iter().any(|g| g.rows.len() > MAX_LABEL_LINES) {
        columns = 1;
        (tile_width, galleys) = layout(1);
    }
    // Large type on a short screen: three in a row, if that is what keeps every choice in view.
    if labels.len() >= 3 && height_of(columns, &galleys) > ui.available_height() {
        let (three_width, three) = layout(3);
        if height_of(3, &three) < height_of(columns, &galleys) {
            (columns, tile_width, galleys) = (3, three_width, three);
        }
    }
    let rows = labels.len().div_ceil(columns).max(1) as f32;
    let natural = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max) + theme.spacing * 1.5;
    let least = natural.max(theme.min_target);
    let card = theme.body_size * 5.0;
    let share = (ui.available_height() - card - theme.spacing * (rows - 1.0)) / rows;
    // One row (true or false) may stand taller than rows that share the room.
    let tallest = theme.min_target * if rows > 1.0 { 2.4 } else { 3.5 };
    let height = share.clamp(least, least.max(tallest));
    Grid {
        columns,
        tile: egui::vec2(tile_width, height),
        galleys,
    }
}

/// Lays `count` tiles out in rows of `columns` (the last row centred) and calls `tile` for each
/// with its index, rectangle and response (to taps while `clickable`).
fn tile_rows(
    ui: &mut egui::Ui,
    clickable: bool,
    count: usize,
    columns: usize,
    size: egui::Vec2,
    mut tile: impl FnMut(&mut egui::Ui, usize, egui::Rect, egui::Response),
) {
    let sense = if clickable {
        egui::Sense::click()
    } else {
        egui::Sense::hover()
    };
    let spacing = ui.spacing().item_spacing.x;
    let full = size.x * columns as f32 + spacing * (columns as f32 - 1.0);
    for first in (0..count).step_by(columns.max(1)) {
        let in_row = columns.min(count - first);
        ui.horizontal(|ui| {
            let row = size.x * in_row as f32 + spacing * (in_row as f32 - 1.0);
            if in_row < columns {
                ui.add_space((full - row) / 2.0);
            }
            for index in first..first + in_row {
                let (rect, response) = ui.allocate_exact_size(size, sense);
                tile(ui, index, rect, response);
            }
        });
    }
}

/// One tile: its fill and border, the badge (letter, box or place, or the sign once marked),
/// the label and, once marked, the word.
fn paint_tile(
    ui: &egui::Ui,
    view: &KioskView<'_>,
    rect: egui::Rect,
    look: &Look,
    badge: Badge,
    galley: Arc<egui::Galley>,
    pressed: bool,
) {
    let theme = view.theme;
    let painter = ui.painter();
    paint_face(painter, theme, rect, look, pressed);
    let radius = theme.body_size;
    let centre = egui::pos2(rect.left() + theme.spacing + radius, rect.center().y);
    paint_badge(painter, theme, centre, radius, look, badge);
    let text_left = rect.left() + radius * 2.0 + theme.spacing * 1.5;
    painter.galley(
        egui::pos2(text_left, rect.center().y - galley.size().y / 2.0),
        galley,
        look.text,
    );
    if let Some(word) = look.word {
        paint_tag(painter, theme, rect, look, view.phrase(word));
    }
}

/// A tile's fill and border; a finger on it tints it at once, before it lifts.
fn paint_face(
    painter: &egui::Painter,
    theme: &Theme,
    rect: egui::Rect,
    look: &Look,
    pressed: bool,
) {
    let fill_colour = if pressed {
        theme.accent.gamma_multiply(0.35)
    } else {
        look.fill
    };
    painter.rect(
        rect,
        theme.corner_radius,
        fill_colour,
        look.border,
        egui::StrokeKind::Inside,
    );
}

/// The word of a marked tile ("Right answer", "Your answer") as a tag on its top edge, near
/// the right end: the tile's colours reversed, so it reads on the tile and on the page.
fn paint_tag(painter: &egui::Painter, theme: &Theme, tile: egui::Rect, look: &Look, word: &str) {
    let galley = painter.layout_no_wrap(
        word.to_owned(),
        egui::FontId::proportional(theme.small_size),
        look.fill,
    );
    let size = galley.size() + egui::vec2(theme.spacing, theme.spacing * 0.3);
    let tag = egui::Rect::from_min_size(
        egui::pos2(
            tile.right() - theme.spacing - size.x,
            tile.top() - size.y * 0.4,
        ),
        size,
    );
    painter.rect(
        tag,
        size.y / 2.0,
        look.text,
        egui::Stroke::new(2.0, look.fill),
        egui::StrokeKind::Inside,
    );
    painter.galley(tag.center() - galley.size() / 2.0, galley, look.fill);
}

fn paint_badge(
    painter: &egui::Painter,
    theme: &Theme,
    centre: egui::Pos2,
    radius: f32,
    look: &Look,
    badge: Badge,
) {
    // A marked or ticked tile has a coloured fill: its badge is a disc of the text colour
    // with the sign in the fill's colour; a plain tile's is an accent ring with its letter.
    match look.sign {
        Some(sign) => {
            painter.circle_filled(centre, radius, look.text);
            match sign {
                Sign::Tick => paint_tick(painter, centre, radius * 0.55, look.fill),
                Sign::Cross => paint_cross(painter, centre, radius * 0.45, look.fill),
            }
        }
        None => {
            let ring = if look.text == theme.muted_text {
                theme.muted_text
            } else {
                theme.accent
            };
            match badge {
                Badge::Box => {
                    let square =
                        egui::Rect::from_center_size(centre, egui::vec2(radius, radius) * 1.5);
                    painter.rect_stroke(
                        square,
                        4,
                        egui::Stroke::new(3.0, ring),
                        egui::StrokeKind::Inside,
                    );
                }
                Badge::Letter(letter) => {
                    painter.circle_stroke(centre, radius, egui::Stroke::new(3.0, ring));
                    painter.text(
                        centre,
                        egui::Align2::CENTER_CENTER,
                        letter,
                        egui::FontId::proportional(theme.body_size),
                        ring,
                    );
                }
                Badge::Place(place) => {
                    painter.circle_filled(centre, radius, ring);
                    painter.text(
                        centre,
                        egui::Align2::CENTER_CENTER,
                        place.to_string(),
                        egui::FontId::proportional(theme.body_size),
                        theme.on_accent,
                    );
                }
            }
        }
    }
}

fn letter(index: usize) -> char {
    char::from(b'A' + u8::try_from(index % 26).unwrap_or(0))
}

/// A choice as a tile: its id (a choice id, or `"true"`/`"false"`), label and badge.
struct TileChoice {
    id: String,
    label: String,
    badge: Badge,
}

/// Single and multiple choice: tiles in one or two columns.
fn choices(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    order: &[String],
    progress: &QuizProgress,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let multiple = question.question_type == QuestionType::Multiple;
    let shown: Vec<TileChoice> = order
        .iter()
        .filter_map(|id| question.choices.iter().find(|c| c.id == *id))
        .take(MAX_TILES)
        .enumerate()
        .map(|(index, choice)| TileChoice {
            id: choice.id.clone(),
            label: view.text(&choice.label).to_owned(),
            badge: if multiple {
                Badge::Box
            } else {
                Badge::Letter(letter(index))
            },
        })
        .collect();
    let ticks: &[String] = match &progress.draft {
        Draft::Ticks(ticks) => ticks,
        _ => &[],
    };
    let command = |id: &str| {
        if multiple {
            QuizCommand::ToggleChoice(id.to_owned())
        } else {
            QuizCommand::Answer(id.to_owned())
        }
    };
    let font = label_font(view.theme);
    choice_tiles(ui, view, &shown, ticks, answered, &command, &font, out);
}

/// True or false: two large tiles side by side.
fn true_false(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    answered: Option<&AnsweredQuestion>,
    out: &mut UiOutput,
) {
    let shown: Vec<TileChoice> = [("true", Phrase::True), ("false", Phrase::False)]
        .iter()
        .enumerate()
        .map(|(index, (id, phrase))| TileChoice {
            id: (*id).to_owned(),
            label: view.phrase(*phrase).to_owned(),
            badge: Badge::Letter(letter(index)),
        })
        .collect();
    let command = |id: &str| QuizCommand::Answer(id.to_owned());
    // Two words: as large as a heading.
    let font = view.theme.heading_font();
    choice_tiles(ui, view, &shown, &[], answered, &command, &font, out);
}

/// The tiles of a question answered by tapping them: each a command (`command` of its id) until
/// the question is answered, then marked.
fn choice_tiles(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    shown: &[TileChoice],
    ticks: &[String],
    answered: Option<&AnsweredQuestion>,
    command: &dyn Fn(&str) -> QuizCommand,
    font: &egui::FontId,
    out: &mut UiOutput,
) {
    let theme = view.theme;
    let labels: Vec<String> = shown.iter().map(|c| c.label.clone()).collect();
    let grid = grid(ui, view, &labels, font);
    tile_rows(
        ui,
        answered.is_none(),
        shown.len(),
        grid.columns,
        grid.tile,
        |ui, index, rect, response| {
            let choice = &shown[index];
            let ticked = ticks.contains(&choice.id);
            let pressed = answered.is_none() && response.is_pointer_button_down_on();
            let look = look(theme, mark(answered, &choice.id, ticked));
            paint_tile(
                ui,
                view,
                rect,
                &look,
                choice.badge,
                grid.galleys[index].clone(),
                pressed,
            );
            if answered.is_none() {
                register(&response, UiCommand::Quiz(command(&choice.id)), out);
            }
        },
    );
}

/// Image choice: picture tiles in one row where they fit (two rows of up to three otherwise),
/// the label and, once answered, the sign and word in a strip under the picture.
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
    let shown: Vec<_> = order
        .iter()
        .filter_map(|id| question.choices.iter().find(|c| c.id == *id))
        .take(MAX_TILES)
        .collect();
    let width = ui.available_width();
    let least_width = theme.body_size * 12.0;
    let columns = (1..=shown.len().min(4))
        .rev()
        .find(|n| (width - theme.spacing * (*n as f32 - 1.0)) / *n as f32 >= least_width)
        .unwrap_or(1)
        .min(if shown.len() > 4 { 3 } else { 4 });
    let tile_width = (width - theme.spacing * (columns as f32 - 1.0)) / columns as f32;
    let strip = theme.body_size * 2.4;
    let rows = shown.len().div_ceil(columns).max(1) as f32;
    let picture_height = ((ui.available_height() - theme.body_size * 5.0) / rows - strip)
        .clamp(theme.min_target * 1.5, tile_width * 0.6);
    let size = egui::vec2(tile_width, picture_height + strip);
    tile_rows(
        ui,
        answered.is_none(),
        shown.len(),
        columns,
        size,
        |ui, index, rect, response| {
            let choice = shown[index];
            let pressed = answered.is_none() && response.is_pointer_button_down_on();
            let look = look(theme, mark(answered, &choice.id, false));
            let painter = ui.painter();
            paint_face(painter, theme, rect, &look, pressed);
            let inset = 10.0;
            let picture_rect = egui::Rect::from_min_max(
                rect.min + egui::vec2(inset, inset),
                egui::pos2(rect.max.x - inset, rect.min.y + picture_height),
            );
            let picture = choice
                .image
                .as_ref()
                .and_then(|image| view.images.texture(&exhibit.asset_path(image)));
            if let Some(texture) = picture {
                let fitted = super::screens::fit(texture.size_vec2(), picture_rect.size());
                egui::Image::new(egui::load::SizedTexture::new(texture.id(), fitted))
                    .corner_radius(theme.corner_radius)
                    .paint_at(
                        ui,
                        egui::Rect::from_center_size(picture_rect.center(), fitted),
                    );
            }
            let strip_centre = egui::pos2(rect.center().x, rect.max.y - strip / 2.0);
            if let Some(word) = look.word {
                paint_tag(painter, theme, rect, &look, view.phrase(word));
            }
            let galley = painter.layout_no_wrap(
                view.text(&choice.label).to_owned(),
                egui::FontId::proportional(theme.body_size),
                look.text,
            );
            let radius = theme.body_size * 0.7;
            let badge_room = if look.sign.is_some() {
                radius * 2.0 + theme.spacing / 2.0
            } else {
                0.0
            };
            let left = strip_centre.x - (galley.size().x + badge_room) / 2.0;
            if look.sign.is_some() {
                paint_badge(
                    painter,
                    theme,
                    egui::pos2(left + radius, strip_centre.y),
                    radius,
                    &look,
                    Badge::Letter(letter(index)),
                );
            }
            painter.galley(
                egui::pos2(left + badge_room, strip_centre.y - galley.size().y / 2.0),
                galley,
                look.text,
            );
            if answered.is_none() {
                register(
                    &response,
                    UiCommand::Quiz(QuizCommand::Answer(choice.id.clone())),
                    out,
                );
            }
        },
    );
}

/// The items as tiles in rows; a row can be dragged to a new place, or moved with its arrows
/// (easier for unsteady hands). Each row is registered as a no-op `MoveItem { from: i, to: i }`
/// target, so tests and the autopilot can find where to start a drag. Once answered, each row
/// is marked right or wrong for its place.
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
            Answer::Order(order) => order,
            _ => &[],
        },
        (Draft::Order(order), None) => order,
        _ => &[],
    };
    let right_order: &[String] = match answered.and_then(|a| a.grade.correct_answer.as_ref()) {
        Some(CorrectAnswer::Order(order)) => order,
        _ => &[],
    };
    // The arrows' room is kept once they are gone, so the rows keep their size when marked.
    let arrows = 2.0 * (theme.min_target + theme.spacing);
    let row_width = ui.available_width().min(1400.0) - arrows;
    let (left, right) = tile_insets(theme);
    let mut rows = Vec::with_capacity(order.len());
    for (index, id) in order.iter().enumerate() {
        let text = question
            .items
            .iter()
            .find(|i| i.id == *id)
            .map_or("?", |item| view.text(&item.label));
        let galley = ui.painter().layout(
            text.to_owned(),
            label_font(theme),
            egui::Color32::PLACEHOLDER,
            row_width - left - right,
        );
        let height = (galley.size().y + theme.spacing).max(theme.min_target * 1.25);
        ui.horizontal(|ui| {
            let sense = if answered.is_none() {
                egui::Sense::click_and_drag()
            } else {
                egui::Sense::hover()
            };
            let (rect, response) = ui.allocate_exact_size(egui::vec2(row_width, height), sense);
            let mark = match answered {
                None => Mark::Open,
                Some(_) if right_order.get(index) == Some(id) => Mark::ChosenRight,
                Some(_) => Mark::ChosenWrong,
            };
            let mut look = look(theme, mark);
            // The word says where the visitor put it; the card lists the right order.
            look.word = None;
            paint_tile(
                ui,
                view,
                rect,
                &look,
                Badge::Place(index + 1),
                galley,
                response.dragged(),
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
                let arrow = egui::vec2(theme.min_target, height.max(theme.min_target));
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
                    // The first row has no "up": its "down" stays in the column of the others.
                    ui.allocate_exact_size(arrow, egui::Sense::hover());
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

/// A tile holding the visitor's number and a wide slider a finger can hit anywhere along,
/// with − and + for exact steps.
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
        (Some(Answer::Estimate(v)), _) | (None, Draft::Estimate(v)) => *v,
        _ => spec.min,
    };
    let unit = spec.unit.as_ref().map_or("", |u| view.text(u));
    let border = match answered {
        None => theme.accent,
        Some(answered) if answered.grade.correct => theme.correct,
        Some(_) => theme.wrong,
    };
    egui::Frame::new()
        .fill(theme.surface)
        .stroke(egui::Stroke::new(3.0, border))
        .corner_radius(theme.corner_radius)
        .inner_margin(egui::Margin::same(theme.spacing as i8))
        .show(ui, |ui| {
            // Room for the slider's widest track and its − and + buttons.
            let step_button = theme.min_target + theme.spacing;
            ui.set_width(ui.available_width().min(1000.0 + 3.0 * step_button));
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new(format!("{} {unit}", format_number(value, 3)))
                        .size(theme.title_size)
                        .color(theme.accent),
                );
                ui.label(theme.small(format!(
                    "({} – {} {unit})",
                    format_number(spec.min, 3),
                    format_number(spec.max, 3)
                )));
            });
            ui.horizontal(|ui| {
                // Answered, the slider loses its − button: the track keeps its place.
                if answered.is_some() {
                    ui.add_space(theme.min_target);
                }
                touch_slider(
                    ui,
                    view,
                    value,
                    SliderRange::from(spec),
                    answered.is_none(),
                    &|v| UiCommand::Quiz(QuizCommand::SetEstimate(v)),
                    out,
                );
            });
        });
}

/// The verdict with its sign, what the right answer was where the tiles cannot show it
/// (estimate, ordering), and the explanation, in a framed card of readable line length.
fn explanation_card(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    question: &Question,
    answered: &AnsweredQuestion,
) -> egui::Rect {
    let theme = view.theme;
    let grade = &answered.grade;
    let (verdict, colour, sign) = if grade.correct {
        (Phrase::Correct, theme.correct, Sign::Tick)
    } else if grade.credit > 0.0 {
        (Phrase::PartlyRight, theme.accent, Sign::Tick)
    } else {
        (Phrase::NotQuite, theme.wrong, Sign::Cross)
    };
    egui::Frame::new()
        .fill(theme.surface)
        .stroke(egui::Stroke::new(4.0, colour))
        .corner_radius(theme.corner_radius)
        .inner_margin(egui::Margin::same(theme.spacing as i8))
        .show(ui, |ui| {
            ui.set_width(ui.available_width().min(theme.reading_width()));
            ui.horizontal(|ui| {
                let radius = theme.body_size * 0.75;
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(radius, radius) * 2.0, egui::Sense::hover());
                let painter = ui.painter();
                painter.circle_filled(rect.center(), radius, colour);
                match sign {
                    Sign::Tick => {
                        paint_tick(painter, rect.center(), radius * 0.55, theme.on_accent)
                    }
                    Sign::Cross => {
                        paint_cross(painter, rect.center(), radius * 0.45, theme.on_accent);
                    }
                }
                ui.label(
                    egui::RichText::new(view.phrase(verdict))
                        .size(theme.body_size * 1.3)
                        .strong()
                        .color(colour),
                );
            });
            if let (Some(feedback), Some(spec)) = (&grade.estimate, &question.estimate) {
                let unit = spec.unit.as_ref().map_or("", |u| view.text(u));
                let given = match &answered.answer {
                    Answer::Estimate(v) => *v,
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
                // One line beside the marked rows, not a second list under them.
                let items: Vec<&str> = order
                    .iter()
                    .filter_map(|id| question.items.iter().find(|i| i.id == *id))
                    .map(|item| view.text(&item.label))
                    .collect();
                ui.add(
                    egui::Label::new(theme.body(format!(
                        "{} {}",
                        view.phrase(Phrase::RightOrder),
                        items.join(" → ")
                    )))
                    .wrap(),
                );
            }
            ui.add(egui::Label::new(theme.body(view.text(&question.explanation))).wrap());
        })
        .response
        .rect
}

/// How the results greet a score: every point, more than half of them, or fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Praise {
    All,
    Most,
    Some,
}

fn praise(points: u32, max_points: u32) -> Praise {
    if max_points > 0 && points >= max_points {
        Praise::All
    } else if points * 2 > max_points {
        Praise::Most
    } else {
        Praise::Some
    }
}

impl Praise {
    fn phrase(self) -> Phrase {
        match self {
            Self::All => Phrase::AllRight,
            Self::Most => Phrase::MostRight,
            Self::Some => Phrase::SomeRight,
        }
    }

    /// Stars over the score: three for all right, two for most, one for having a go.
    fn stars(self) -> usize {
        match self {
            Self::All => 3,
            Self::Most => 2,
            Self::Some => 1,
        }
    }
}

/// A five-pointed star: a pentagon and five triangles, each convex as egui's fill requires.
fn paint_star(
    painter: &egui::Painter,
    centre: egui::Pos2,
    outer: f32,
    filled: bool,
    theme: &Theme,
) {
    let inner = outer * 0.45;
    let point = |i: usize, r: f32| {
        let angle = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
        centre + egui::vec2(angle.cos(), angle.sin()) * r
    };
    let outline: Vec<egui::Pos2> = (0..10)
        .map(|i| point(i, if i % 2 == 0 { outer } else { inner }))
        .collect();
    if filled {
        let pentagon: Vec<egui::Pos2> = (0..5).map(|i| point(2 * i + 1, inner)).collect();
        painter.add(egui::Shape::convex_polygon(
            pentagon,
            theme.accent,
            egui::Stroke::NONE,
        ));
        // Each point's sides run on a little past the inner corners, into the pentagon, so
        // that no seam of background shows between the pieces.
        let past = |tip: egui::Pos2, corner: egui::Pos2| tip + (corner - tip) * 1.2;
        for i in 0..5 {
            let tip = point(2 * i, outer);
            painter.add(egui::Shape::convex_polygon(
                vec![
                    tip,
                    past(tip, point(2 * i + 1, inner)),
                    past(tip, point((2 * i + 9) % 10, inner)),
                ],
                theme.accent,
                egui::Stroke::NONE,
            ));
        }
    }
    painter.add(egui::Shape::closed_line(
        outline,
        egui::Stroke::new(3.0, theme.accent),
    ));
}

/// The results: the score and its stars on the left, the questions worth another look on the
/// right (scrolling on their own when there are many), "try again" and "home" below.
fn results(ui: &mut egui::Ui, view: &KioskView<'_>, progress: &QuizProgress, out: &mut UiOutput) {
    let theme = view.theme;
    egui::Panel::bottom("quiz-results-actions")
        .show_separator_line(false)
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
    let missed = progress.session.missed();
    if !missed.is_empty() {
        egui::Panel::right("quiz-results-review")
            .show_separator_line(false)
            .resizable(false)
            .exact_size(
                (ui.available_width() * 0.5).min(theme.reading_width() + theme.spacing * 3.0),
            )
            .frame(egui::Frame::new().inner_margin(egui::Margin {
                left: theme.spacing as i8,
                ..egui::Margin::ZERO
            }))
            .show(ui, |ui| review(ui, view, &missed));
    }
    egui::ScrollArea::vertical()
        .id_salt("quiz-results")
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            ui.vertical_centered(|ui| score(ui, view, progress));
        });
}

/// Stars, the score large, a line that fits it, and one dot per question.
fn score(ui: &mut egui::Ui, view: &KioskView<'_>, progress: &QuizProgress) {
    let theme = view.theme;
    let (points, max_points) = (progress.session.points(), progress.session.max_points());
    let praise = praise(points, max_points);
    ui.add_space(theme.spacing);
    if progress.session.has_expired() {
        ui.label(theme.heading(view.phrase(Phrase::TimeUp)));
    }
    let outer = theme.title_size * 0.6;
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(outer * 7.0, outer * 2.0), egui::Sense::hover());
    for star in 0..3 {
        let centre = egui::pos2(
            rect.center().x + (star as f32 - 1.0) * outer * 2.4,
            rect.center().y,
        );
        paint_star(ui.painter(), centre, outer, star < praise.stars(), theme);
    }
    ui.label(
        egui::RichText::new(format!("{points} / {max_points}"))
            .font(theme.bold_font(theme.title_size * 1.5))
            .color(theme.accent),
    );
    ui.add(egui::Label::new(theme.heading(view.phrase(praise.phrase()))).wrap());
    ui.label(theme.small(fill(view.phrase(Phrase::YourScore), points, max_points)));
    let answers = dots(progress);
    let radius = theme.body_size * 0.6;
    let width = radius * 3.0 * answers.len() as f32;
    ui.allocate_ui(egui::vec2(width, radius * 3.0), |ui| {
        progress_dots(ui, theme, &answers, radius);
    });
}

/// Each question not fully right, with its explanation, as a card.
fn review(ui: &mut egui::Ui, view: &KioskView<'_>, missed: &[kepu_core::quiz::MissedQuestion<'_>]) {
    let theme = view.theme;
    ui.add_space(theme.spacing);
    ui.label(theme.heading(view.phrase(Phrase::ToReview)));
    egui::ScrollArea::vertical()
        .id_salt("quiz-results-review")
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
        .show(ui, |ui| {
            for missed in missed {
                egui::Frame::new()
                    .fill(theme.surface)
                    .stroke(egui::Stroke::new(2.0, theme.muted_text.gamma_multiply(0.5)))
                    .corner_radius(theme.corner_radius)
                    .inner_margin(egui::Margin::same(theme.spacing as i8))
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.add(
                            egui::Label::new(
                                egui::RichText::new(view.text(&missed.question.prompt))
                                    .font(theme.bold_font(theme.body_size))
                                    .color(theme.text),
                            )
                            .wrap(),
                        );
                        ui.add(
                            egui::Label::new(
                                egui::RichText::new(view.text(&missed.question.explanation))
                                    .size(theme.body_size)
                                    .color(theme.muted_text),
                            )
                            .wrap(),
                        );
                    });
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use kepu_core::manifest::{ValidationRules, load_catalog};
    use kepu_core::quiz::{Grade, QuizSession};

    fn answered(answer: Answer, right: CorrectAnswer, correct: bool) -> AnsweredQuestion {
        AnsweredQuestion {
            answer,
            grade: Grade {
                correct,
                credit: if correct { 1.0 } else { 0.0 },
                correct_answer: Some(right),
                estimate: None,
                malformed: false,
            },
            time_taken: Duration::from_secs(3),
        }
    }

    fn choices(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn a_wrong_answer_marks_the_chosen_tile_and_the_right_one() {
        let wrong = answered(
            Answer::Choices(choices(&["window"])),
            CorrectAnswer::Choices(choices(&["take-cover"])),
            false,
        );
        assert_eq!(mark(Some(&wrong), "window", false), Mark::ChosenWrong);
        assert_eq!(mark(Some(&wrong), "take-cover", false), Mark::MissedRight);
        assert_eq!(mark(Some(&wrong), "run-lift", false), Mark::Other);
        let right = answered(
            Answer::Choices(choices(&["take-cover"])),
            CorrectAnswer::Choices(choices(&["take-cover"])),
            true,
        );
        assert_eq!(mark(Some(&right), "take-cover", false), Mark::ChosenRight);
        assert_eq!(mark(Some(&right), "window", false), Mark::Other);
        // Before an answer only the ticks show.
        assert_eq!(mark(None, "window", false), Mark::Open);
        assert_eq!(mark(None, "window", true), Mark::Ticked);
    }

    #[test]
    fn true_or_false_tiles_are_marked_by_their_value() {
        let wrong = answered(
            Answer::TrueFalse(true),
            CorrectAnswer::TrueFalse(false),
            false,
        );
        assert_eq!(mark(Some(&wrong), "true", false), Mark::ChosenWrong);
        assert_eq!(mark(Some(&wrong), "false", false), Mark::MissedRight);
    }

    #[test]
    fn a_mark_is_never_told_by_colour_alone() {
        for theme in [
            Theme::default(),
            Theme::for_modes(kepu_core::wire::AccessibilityModes {
                high_contrast: true,
                ..Default::default()
            }),
        ] {
            let signs = |m| {
                let l = look(&theme, m);
                (l.sign, l.word)
            };
            assert_eq!(
                signs(Mark::ChosenRight),
                (Some(Sign::Tick), Some(Phrase::YourAnswer))
            );
            assert_eq!(
                signs(Mark::MissedRight),
                (Some(Sign::Tick), Some(Phrase::RightAnswer))
            );
            assert_eq!(
                signs(Mark::ChosenWrong),
                (Some(Sign::Cross), Some(Phrase::YourAnswer))
            );
            assert_eq!(signs(Mark::Open), (None, None));
            assert_eq!(signs(Mark::Other), (None, None));
            assert_eq!(look(&theme, Mark::ChosenRight).fill, theme.correct);
            assert_eq!(look(&theme, Mark::ChosenWrong).fill, theme.wrong);
            assert_eq!(look(&theme, Mark::Open).fill, theme.surface);
        }
    }

    fn emergency_quiz() -> QuizProgress {
        let exhibits = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exhibits");
        let catalog = load_catalog(&exhibits, &ValidationRules::default());
        let exhibit = catalog
            .exhibits
            .iter()
            .find(|e| e.manifest.id == "emergency-quiz")
            .unwrap();
        let session = QuizSession::new(exhibit.manifest.questions.clone(), 7);
        QuizProgress::new(session, Duration::ZERO)
    }

    /// The choice of the current question that is (or is not) right.
    fn choice(progress: &QuizProgress, right: bool) -> String {
        let question = progress.session.question(progress.current).unwrap();
        question
            .choices
            .iter()
            .find(|c| c.correct == right)
            .unwrap()
            .id
            .clone()
    }

    #[test]
    fn progress_dots_show_right_wrong_current_and_to_come() {
        let mut progress = emergency_quiz();
        let now = Duration::from_secs(5);
        let dots_only = |p: &QuizProgress| dots(p).into_iter().map(|(d, _)| d).collect::<Vec<_>>();
        assert_eq!(
            dots_only(&progress),
            [Dot::Current, Dot::ToCome, Dot::ToCome, Dot::ToCome]
        );
        let right = choice(&progress, true);
        progress.apply("q", &QuizCommand::Answer(right), now);
        // Answered and still on screen: its outcome, with the "you are here" flag.
        assert_eq!(dots(&progress)[0], (Dot::Right, true));
        progress.apply("q", &QuizCommand::NextQuestion, now);
        let wrong = choice(&progress, false);
        progress.apply("q", &QuizCommand::Answer(wrong), now);
        progress.apply("q", &QuizCommand::NextQuestion, now);
        assert_eq!(
            dots(&progress),
            [
                (Dot::Right, false),
                (Dot::Wrong, false),
                (Dot::Current, true),
                (Dot::ToCome, false)
            ]
        );
    }

    #[test]
    fn the_results_greet_all_most_and_some() {
        assert_eq!(praise(4, 4), Praise::All);
        assert_eq!(praise(3, 4), Praise::Most);
        assert_eq!(praise(2, 4), Praise::Some);
        assert_eq!(praise(0, 4), Praise::Some);
        assert_eq!(praise(0, 0), Praise::Some);
        assert!(Praise::All.stars() > Praise::Most.stars());
        assert!(Praise::Most.stars() > Praise::Some.stars());
    }
}
