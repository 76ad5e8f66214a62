//! Where the UI runs: in the real window through bevy_egui, or headless for tests. Both build
//! the same [`KioskView`] and call the same [`draw_kiosk`]; only the egui context differs.

use super::images::{ImageCache, UiContext};
use super::{ActiveTheme, KioskView, LastUiFrame, UiCommand, UiOutput, draw_kiosk, root_ui};
use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::staff::{Staff, StaffPhase};
use crate::visit::{IdlePhase, Screen, Visit};
use bevy::ecs::system::SystemParam;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

/// Everything a frame of UI reads.
#[derive(SystemParam)]
pub struct ViewData<'w> {
    screen: Res<'w, State<Screen>>,
    theme: Res<'w, ActiveTheme>,
    content: Res<'w, Content>,
    settings: Res<'w, KioskSettings>,
    visit: Res<'w, Visit>,
    images: Res<'w, ImageCache>,
    time: Res<'w, Time<Real>>,
    staff: Res<'w, Staff>,
}

impl ViewData<'_> {
    pub fn view(&self) -> KioskView<'_> {
        let language = if self.visit.language.is_empty() {
            self.settings.default_language()
        } else {
            &self.visit.language
        };
        KioskView {
            screen: *self.screen.get(),
            theme: &self.theme.0,
            language,
            languages: &self.settings.languages,
            catalog: &self.content.catalog,
            visit: &self.visit,
            images: &self.images,
            still_there: match self.visit.idle_phase(
                self.time.elapsed(),
                self.settings.idle_timeout,
                self.settings.idle_countdown,
            ) {
                IdlePhase::StillThere { seconds_left } => Some(seconds_left),
                IdlePhase::Active | IdlePhase::Gone => None,
            },
            modes: self.visit.modes_or(self.settings.access_defaults),
            now_secs: self.time.elapsed_secs_f64(),
            slide_secs: self.settings.attract_slide.as_secs_f32(),
            attract_exhibits: self.settings.attract_exhibits.as_deref(),
            staff: (self.staff.phase != StaffPhase::Closed).then_some(&self.staff.view),
        }
    }

    /// Whether the theme changed since the last frame, so egui's visuals must follow.
    pub fn theme_changed(&self) -> bool {
        self.theme.is_changed()
    }
}

/// The real window: bevy_egui owns the context and its pass; we draw inside it.
pub fn window_plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, draw_in_window)
        .add_systems(Update, keep_animating);
}

/// The window redraws only on input (reactive mode); these are the moments something moves
/// by itself: the attract loop's cross-fade and a running simulation. Between fades the
/// attract screen is still, so an idle kiosk draws about one frame a second.
fn keep_animating(
    screen: Res<State<Screen>>,
    visit: Res<Visit>,
    settings: Res<KioskSettings>,
    time: Res<Time<Real>>,
    winit: Option<ResMut<bevy::winit::WinitSettings>>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    let slide = settings
        .attract_slide
        .as_secs_f64()
        .max(super::screens::ATTRACT_FADE_SECS * 2.0);
    let into_slide = time.elapsed_secs_f64() % slide;
    let attract = *screen.get() == Screen::Attract;
    let fading = attract && into_slide < super::screens::ATTRACT_FADE_SECS + 0.05;
    // Wake exactly when the next fade starts, not up to a second late.
    if let Some(mut winit) = winit
        && let bevy::winit::UpdateMode::Reactive { wait, .. } = winit.focused_mode
    {
        let until_fade = std::time::Duration::from_secs_f64((slide - into_slide).max(0.01));
        let wanted = if attract {
            until_fade.min(std::time::Duration::from_secs(1))
        } else {
            std::time::Duration::from_secs(1)
        };
        if (wanted.as_secs_f64() - wait.as_secs_f64()).abs() > 0.05 {
            let mode = bevy::winit::UpdateMode::reactive(wanted);
            winit.focused_mode = mode;
            winit.unfocused_mode = mode;
        }
    }
    let simulating = matches!(
        visit.open.as_ref().map(|o| &o.player),
        Some(crate::visit::Player::Simulation(sim)) if sim.running
    );
    if fading || simulating {
        redraw.write(bevy::window::RequestRedraw);
    }
}

fn draw_in_window(
    mut contexts: EguiContexts,
    data: ViewData,
    ui_context: Option<Res<UiContext>>,
    mut commands: Commands,
    mut ui_commands: MessageWriter<UiCommand>,
    mut last_frame: ResMut<LastUiFrame>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if ui_context.is_none() {
        data.theme.0.install(&ctx);
        commands.insert_resource(UiContext(ctx.clone()));
    } else if data.theme_changed() {
        data.theme.0.apply_visuals(&ctx);
    }
    let mut root = root_ui(&ctx);
    let mut out = UiOutput::default();
    draw_kiosk(&mut root, &data.view(), &mut out);
    ui_commands.write_batch(out.commands);
    last_frame.targets = out.targets;
    last_frame.screen_size = ctx.viewport_rect().size();
    Ok(())
}

/// The size of the simulated screen in headless runs.
#[derive(Resource, Debug, Clone, Copy)]
pub struct HeadlessScreen(pub egui::Vec2);

/// Headless: our own egui context, fed with the app's `TouchInput` messages the way bevy_egui
/// feeds it in the window (first finger drives the pointer), so tests exercise the real layout.
pub fn headless_plugin(app: &mut App) {
    let ctx = egui::Context::default();
    super::theme::Theme::default().install(&ctx);
    app.insert_resource(UiContext(ctx))
        .insert_resource(HeadlessScreen(egui::vec2(1920.0, 1080.0)))
        .init_resource::<HeadlessPointer>()
        .add_systems(Update, draw_headless.in_set(KioskSet::Ui));
}

/// Which finger drives egui's single pointer; other fingers are ignored, as in bevy_egui.
#[derive(Resource, Default)]
struct HeadlessPointer(Option<u64>);

fn draw_headless(
    ui_context: Res<UiContext>,
    screen: Res<HeadlessScreen>,
    data: ViewData,
    time: Res<Time<Real>>,
    mut touches: MessageReader<TouchInput>,
    mut pointer: ResMut<HeadlessPointer>,
    mut ui_commands: MessageWriter<UiCommand>,
    mut last_frame: ResMut<LastUiFrame>,
) {
    let mut events = Vec::new();
    for touch in touches.read() {
        let pos = egui::pos2(touch.position.x, touch.position.y);
        // Every finger as an egui touch (for pinch), as bevy_egui does in the window.
        events.push(egui::Event::Touch {
            device_id: egui::TouchDeviceId(0),
            id: egui::TouchId(touch.id),
            phase: match touch.phase {
                TouchPhase::Started => egui::TouchPhase::Start,
                TouchPhase::Moved => egui::TouchPhase::Move,
                TouchPhase::Ended => egui::TouchPhase::End,
                TouchPhase::Canceled => egui::TouchPhase::Cancel,
            },
            pos,
            force: None,
        });
        match touch.phase {
            TouchPhase::Started if pointer.0.is_none() => {
                pointer.0 = Some(touch.id);
                events.push(egui::Event::PointerMoved(pos));
                events.push(pointer_button(pos, true));
            }
            TouchPhase::Moved if pointer.0 == Some(touch.id) => {
                events.push(egui::Event::PointerMoved(pos));
            }
            TouchPhase::Ended if pointer.0 == Some(touch.id) => {
                pointer.0 = None;
                events.push(pointer_button(pos, false));
                events.push(egui::Event::PointerGone);
            }
            // A touch the system took back (a palm, a gesture) presses nothing: no release.
            TouchPhase::Canceled if pointer.0 == Some(touch.id) => {
                pointer.0 = None;
                events.push(egui::Event::PointerGone);
            }
            _ => {}
        }
    }
    let raw_input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, screen.0)),
        time: Some(time.elapsed_secs_f64()),
        events,
        ..Default::default()
    };
    if data.theme_changed() {
        data.theme.0.apply_visuals(&ui_context.0);
    }
    let view = data.view();
    let mut out = UiOutput::default();
    // Headless: there is no renderer to take the shapes and texture updates.
    ui_context
        .0
        .run_ui(raw_input, |root| draw_kiosk(root, &view, &mut out))
        .drop_without_applying_deltas();
    ui_commands.write_batch(out.commands);
    last_frame.targets = out.targets;
    last_frame.screen_size = screen.0;
}

fn pointer_button(pos: egui::Pos2, pressed: bool) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    }
}
