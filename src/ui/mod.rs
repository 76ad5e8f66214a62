//! The visitor's UI: functions from view data ([`KioskView`]) to commands ([`UiCommand`]).
//!
//! Drawing never changes kiosk state; it only reports what the visitor asked for. Systems apply
//! the commands after the frame. The same drawing code runs in the real window (through
//! bevy_egui, [`host::window_plugin`]) and in headless tests ([`host::headless_plugin`]), where
//! simulated touches go through egui exactly as real ones do.

pub mod host;
mod hotspots_screen;
pub mod images;
pub mod models;
pub mod palm;
mod preview_screen;
mod quiz_screen;
mod screens;
mod sim_screen;
mod sort_screen;
mod staff_screen;
mod story_screen;
pub mod strings;
pub mod theme;
pub mod view_data;
pub mod wake_plan;
pub mod widgets;

use crate::visit::{Screen, Visit};
use bevy::prelude::*;
use bevy_egui::egui;
use images::ImageCache;
use kepu_core::manifest::{Audience, Catalog};
use kepu_core::wire::AccessibilityModes;
use theme::Theme;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<UiCommand>()
        .init_resource::<LastUiFrame>()
        .insert_resource(ActiveTheme(Theme::default()));
    app.add_plugins((images::plugin, models::plugin, palm::palm_plugin));
}

/// What a visitor (or staff) can ask for. Produced by the UI, applied by systems after the
/// frame. One variant per receiver, each with its own command type, so that every handler
/// matches all of its commands and a command nobody handles does not compile.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum UiCommand {
    /// The visit: `session::apply_session_commands`.
    Session(SessionCommand),
    /// The open story: `play::story` and the narration.
    Story(StoryCommand),
    /// The open quiz: `play::quiz`.
    Quiz(QuizCommand),
    /// The open sort game: `play::sort`.
    Sort(SortCommand),
    /// The open hotspots picture: `play::hotspots`.
    Hotspots(HotspotsCommand),
    /// The open simulation: `play::simulation`.
    Simulation(SimCommand),
    /// The staff panel: `staff::apply_staff_commands`.
    Staff(StaffCommand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    StartSession,
    StartOver,
    GoHome,
    SetLanguage(String),
    OpenExhibit(String),
    /// The visitor answered "Still there?" by touching it (the touch itself keeps the session).
    StillHere,
    ToggleLargeText,
    ToggleHighContrast,
    ToggleSeated,
    /// "I am a...": the audience of the visitor's answer, or `None` for "skip / everyone".
    ChooseAudience(Option<Audience>),
    /// The home screen's topic filter; `None` shows every topic.
    FilterTopic(Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StoryCommand {
    TurnPage(isize),
    /// Story narration: listen, pause, continue, or listen again.
    ToggleNarration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QuizCommand {
    /// One-tap answer: a choice id, or `"true"`/`"false"`.
    Answer(String),
    /// Multiple choice: tick or untick.
    ToggleChoice(String),
    /// Ordering: move the item at `from` to `to`.
    MoveItem {
        from: usize,
        to: usize,
    },
    /// Estimate: the slider's new value.
    SetEstimate(f64),
    /// "Check my answer" (multiple choice, ordering, estimate).
    SubmitAnswer,
    NextQuestion,
    /// On the quiz results: the same quiz again, reshuffled.
    TryAgain,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SortCommand {
    /// Put an item into a bin (by drag, or by tapping the bin).
    PlaceItem { item: String, bin: String },
    /// Another round.
    SortAgain,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HotspotsCommand {
    /// Open a region's card.
    OpenHotspot(String),
    CloseHotspot,
    /// Pinch-zoom about a point of the view (fractions).
    ZoomImage {
        factor: f32,
        focus: (f32, f32),
    },
    /// Drag the image (fractions of the view).
    PanImage(f32, f32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SimCommand {
    /// A parameter's new value.
    SetParameter(String, f64),
    SimPlay,
    SimPause,
    /// Back to the start.
    SimReset,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StaffCommand {
    /// A digit of the PIN, "delete", "enter".
    PinDigit(u8),
    PinBackspace,
    PinEnter,
    StaffReload,
    StaffTestServer,
    StaffQuit,
    StaffClose,
}

/// The theme in force: follows the visitor's accessibility modes (the kiosk's defaults on the
/// attract screen).
#[derive(Resource, Debug, Clone)]
pub struct ActiveTheme(pub Theme);

/// One tappable thing on screen: where it is and what tapping it does.
#[derive(Debug, Clone, PartialEq)]
pub struct TouchTarget {
    pub command: UiCommand,
    /// The part a finger can hit.
    pub rect: egui::Rect,
    /// Partly scrolled out of view (the whole target is larger than `rect`).
    pub clipped: bool,
}

/// What one frame of UI produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiOutput {
    pub commands: Vec<UiCommand>,
    /// Every command target drawn this frame; tests tap them, the touch-size check measures them.
    pub targets: Vec<TouchTarget>,
}

/// The targets of the last drawn frame (for tests, autopilot and target-size checks).
#[derive(Resource, Debug, Clone, Default)]
pub struct LastUiFrame {
    pub targets: Vec<TouchTarget>,
    pub screen_size: egui::Vec2,
}

/// Everything the UI needs to draw a frame, borrowed from the world.
pub struct KioskView<'a> {
    pub screen: Screen,
    pub theme: &'a Theme,
    pub language: &'a str,
    pub languages: &'a [String],
    pub catalog: &'a Catalog,
    pub visit: &'a Visit,
    pub images: &'a ImageCache,
    /// Seconds left on the "Still there?" countdown, while it is shown.
    pub still_there: Option<u32>,
    /// The modes in force (the visitor's, or the kiosk's defaults between visitors).
    pub modes: AccessibilityModes,
    /// Seconds since the kiosk started, for the attract loop's animation.
    pub now_secs: f64,
    /// How long each attract slide stays, and whose pictures it shows (all when `None`).
    pub slide_secs: f32,
    pub attract_exhibits: Option<&'a [String]>,
    /// The staff panel's view, when it is open.
    pub staff: Option<&'a crate::staff::StaffView>,
    /// What the story narration is doing.
    pub narration: &'a crate::narration::NarrationState,
    /// How each simulation model is drawn, read out and set by a finger.
    pub models: &'a models::ModelUis,
    /// In a curator's preview: the problems of the version on screen.
    pub preview: Option<&'a crate::preview::PreviewView>,
}

impl KioskView<'_> {
    /// Text of a manifest string in the visitor's language (falling back through the kiosk's).
    pub fn text<'t>(&self, text: &'t kepu_core::i18n::LocalizedText) -> &'t str {
        text.get(self.language, self.languages)
    }

    pub fn phrase(&self, phrase: strings::Phrase) -> &'static str {
        strings::phrase(phrase, self.language)
    }
}

/// A button that emits `command` when tapped, at least the theme's minimum target size.
pub fn command_button(
    ui: &mut egui::Ui,
    view: &KioskView<'_>,
    text: egui::RichText,
    size: egui::Vec2,
    fill: Option<egui::Color32>,
    command: UiCommand,
    out: &mut UiOutput,
) -> egui::Response {
    let min = egui::vec2(
        size.x.max(view.theme.min_target),
        size.y.max(view.theme.min_target),
    );
    let mut button = egui::Button::new(text)
        .min_size(min)
        .corner_radius(view.theme.corner_radius);
    if let Some(fill) = fill {
        button = button.fill(fill);
    }
    let response = ui.add(button);
    register(&response, command, out);
    response
}

/// Makes any response a command target (cards, the attract screen). The target is the part a
/// finger can hit: clipped by scroll areas and panels.
pub fn register(response: &egui::Response, command: UiCommand, out: &mut UiOutput) {
    if response.interact_rect.is_positive() {
        out.targets.push(TouchTarget {
            command: command.clone(),
            rect: response.interact_rect,
            clipped: response.interact_rect != response.rect,
        });
    }
    if response.clicked() {
        out.commands.push(command);
    }
}

/// Draws the whole kiosk for one frame into the root `Ui` covering the screen.
pub fn draw_kiosk(root: &mut egui::Ui, view: &KioskView<'_>, out: &mut UiOutput) {
    screens::draw(root, view, out);
}

/// A root `Ui` covering the whole screen, for hosts that have a context but no root `Ui`.
pub fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        egui::Id::new("kepu-kiosk-root"),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}
