//! Where the UI runs: in the real window through bevy_egui, or headless for tests. Both build
//! the same [`KioskView`] (`view_data`) and call the same [`draw_kiosk`]; only the egui context
//! differs.

use super::images::UiContext;
use super::palm::{PalmGuard, write_commands};
use super::view_data::ViewData;
use super::wake_plan::keep_animating;
use super::{LastUiFrame, UiCommand, UiOutput, draw_kiosk, root_ui};
use crate::KioskSet;
use crate::wake::{WakeAlarm, WindowWaker};
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

/// The real window: bevy_egui owns the context and its pass; we draw inside it.
pub fn window_plugin(app: &mut App) {
    let waker = WindowWaker::for_app(app);
    if let Some(alarm) = WakeAlarm::start(waker) {
        app.insert_resource(alarm);
    }
    app.add_systems(EguiPrimaryContextPass, draw_in_window)
        // After every feature wrote its deadline this frame (they do in `Update`).
        .add_systems(PostUpdate, keep_animating)
        .add_systems(
            PreUpdate,
            drop_unchanged_modifiers
                .after(bevy_egui::EguiPreUpdateSet::ProcessInput)
                .before(bevy_egui::EguiPreUpdateSet::BeginPass),
        );
}

/// bevy_egui 0.42 tells egui the keyboard modifiers on every frame, and egui takes any input
/// event as a reason to draw the next frame at once: the window never slept (about five frames
/// a second under lavapipe, nearly two cores). The event is kept only when the modifiers
/// really changed.
fn drop_unchanged_modifiers(
    mut inputs: Query<&mut bevy_egui::EguiInput>,
    mut last: Local<Option<egui::Modifiers>>,
) {
    for mut input in &mut inputs {
        if !input
            .events
            .iter()
            .any(|event| matches!(event, egui::Event::ModifiersChanged(_)))
        {
            continue;
        }
        input.events.retain(|event| match event {
            egui::Event::ModifiersChanged(modifiers) => {
                let changed = *last != Some(*modifiers);
                *last = Some(*modifiers);
                changed
            }
            _ => true,
        });
    }
}

fn draw_in_window(
    mut contexts: EguiContexts,
    data: ViewData,
    ui_context: Option<Res<UiContext>>,
    mut commands: Commands,
    mut ui_commands: MessageWriter<UiCommand>,
    mut last_frame: ResMut<LastUiFrame>,
    palm_guard: Res<PalmGuard>,
    mut clear_colour: ResMut<ClearColor>,
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
    let view = data.view();
    let [r, g, b, _] = super::screens::backdrop(&view).to_array();
    let backdrop = Color::srgb_u8(r, g, b);
    if clear_colour.0 != backdrop {
        clear_colour.0 = backdrop;
    }
    draw_kiosk(&mut root, &view, &mut out);
    write_commands(out, &palm_guard, &mut ui_commands, &mut last_frame);
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
    palm_guard: Res<PalmGuard>,
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
    write_commands(out, &palm_guard, &mut ui_commands, &mut last_frame);
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
