//! Where the UI runs: in the real window through bevy_egui, or headless for tests. Both build
//! the same [`KioskView`] and call the same [`draw_kiosk`]; only the egui context differs.

use super::images::{ImageCache, UiContext};
use super::{ActiveTheme, KioskView, LastUiFrame, UiCommand, UiOutput, draw_kiosk, root_ui};
use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::staff::{Staff, StaffPhase};
use crate::visit::{IdlePhase, Screen, Visit};
use crate::wake::{Deadlines, LONGEST_SLEEP, WakeAlarm, WindowWaker};
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
    narrator: Res<'w, crate::narration::Narrator>,
    models: Res<'w, super::models::ModelUis>,
    preview: Option<Res<'w, crate::preview::Preview>>,
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
            narration: &self.narrator.state,
            models: &self.models,
            preview: self.preview.as_deref().map(|p| &p.view),
        }
    }

    /// Whether the theme changed since the last frame, so egui's visuals must follow.
    pub fn theme_changed(&self) -> bool {
        self.theme.is_changed()
    }
}

/// Contacts landing together from which the touch is taken for a palm (or a forearm, or a
/// child leaning on the glass) rather than hands: two hands may tap at once, three contacts
/// arriving within [`PALM_WINDOW`] may not. Touch drivers report a palm as several ordinary
/// touches more often than they cancel it, and its first contact would otherwise press
/// whatever lies under it.
pub const PALM_CONTACTS: usize = 3;
/// How close together a palm's contacts land. Fingers resting on the glass for longer do not
/// make the next tap a palm.
pub const PALM_WINDOW: std::time::Duration = std::time::Duration::from_millis(300);
/// A contact with no news for this long is forgotten, and cancelled for egui as well (whose
/// pointer would otherwise wait for that finger forever): a driver that loses a touch's end (it
/// happens) must not leave the screen deaf, or turn later gestures into palms.
pub const STALE_CONTACTS: std::time::Duration = std::time::Duration::from_secs(10);

/// Watches every finger on the screen. Once a palm lands, nothing the UI asks for counts until
/// the contact that drives egui's pointer (the only one that can press or drag anything) has
/// lifted and fewer than [`PALM_CONTACTS`] of the palm's contacts remain. egui keeps its own
/// pointer state (press and release still reach it), so nothing jams; only the commands are
/// dropped.
#[derive(Resource, Debug, Default)]
pub struct PalmGuard {
    down: std::collections::HashMap<u64, Contact>,
    /// The contact driving egui's single pointer, chosen as bevy_egui chooses it: the first
    /// to land while no other drives it.
    pointer: Option<u64>,
    palm: Option<Palm>,
    /// The palm lifted in the last frame: its commands were dropped; from the next frame on
    /// the screen takes taps again.
    lifted: bool,
}

#[derive(Debug, Clone, Copy)]
struct Contact {
    landed: std::time::Duration,
    last_heard: std::time::Duration,
    window: Entity,
    position: Vec2,
}

#[derive(Debug, Default)]
struct Palm {
    /// egui's pointer when the palm landed: its release or drag end must not count.
    pointer: Option<u64>,
    members: std::collections::HashSet<u64>,
}

impl PalmGuard {
    /// A palm is on the screen, or lifted in this frame: the UI's commands do not count.
    pub fn holds_commands(&self) -> bool {
        self.palm.is_some()
    }

    /// Starts a frame at `now`: a palm that lifted last frame no longer counts, and contacts
    /// silent for [`STALE_CONTACTS`] are forgotten. Returns the forgotten contacts, as
    /// cancellations for egui.
    pub fn begin_frame(&mut self, now: std::time::Duration) -> Vec<TouchInput> {
        if self.lifted {
            self.palm = None;
            self.lifted = false;
        }
        let stale: Vec<u64> = self
            .down
            .iter()
            .filter(|(_, contact)| now.saturating_sub(contact.last_heard) >= STALE_CONTACTS)
            .map(|(id, _)| *id)
            .collect();
        stale
            .into_iter()
            .filter_map(|id| {
                let contact = self.lift(id)?;
                Some(TouchInput {
                    phase: TouchPhase::Canceled,
                    position: contact.position,
                    window: contact.window,
                    force: None,
                    id,
                })
            })
            .collect()
    }

    /// One touch event at `now`.
    pub fn track(&mut self, now: std::time::Duration, touch: &TouchInput) {
        let id = touch.id;
        match touch.phase {
            TouchPhase::Started => {
                self.down.insert(
                    id,
                    Contact {
                        landed: now,
                        last_heard: now,
                        window: touch.window,
                        position: touch.position,
                    },
                );
                if self.pointer.is_none() {
                    self.pointer = Some(id);
                }
                if let Some(palm) = &mut self.palm {
                    palm.members.insert(id);
                } else {
                    let landed_together: std::collections::HashSet<u64> = self
                        .down
                        .iter()
                        .filter(|(_, c)| now.saturating_sub(c.landed) <= PALM_WINDOW)
                        .map(|(id, _)| *id)
                        .collect();
                    if landed_together.len() >= PALM_CONTACTS {
                        self.palm = Some(Palm {
                            pointer: self.pointer,
                            members: landed_together,
                        });
                    }
                }
            }
            TouchPhase::Moved => {
                if let Some(contact) = self.down.get_mut(&id) {
                    contact.last_heard = now;
                    contact.position = touch.position;
                }
            }
            TouchPhase::Ended | TouchPhase::Canceled => {
                self.lift(id);
            }
        }
    }

    fn lift(&mut self, id: u64) -> Option<Contact> {
        if self.pointer == Some(id) {
            self.pointer = None;
        }
        self.down.remove(&id)
    }

    /// Ends the frame's touches: once the palm's pointer has lifted and too few of its
    /// contacts remain to be a palm, the next frame takes taps again.
    pub fn end_frame(&mut self) {
        if let Some(palm) = &self.palm {
            let pointer_down = palm.pointer.is_some_and(|p| self.down.contains_key(&p));
            let members_down = palm
                .members
                .iter()
                .filter(|m| self.down.contains_key(m))
                .count();
            if !pointer_down && members_down < PALM_CONTACTS {
                self.lifted = true;
            }
        }
    }
}

/// Reads the frame's touches (before bevy_egui does, so that forgotten contacts reach it as
/// cancellations in the same frame).
fn watch_for_palms(
    time: Res<Time<Real>>,
    mut touches: ResMut<Messages<TouchInput>>,
    mut cursor: Local<bevy::ecs::message::MessageCursor<TouchInput>>,
    mut guard: ResMut<PalmGuard>,
) {
    let now = time.elapsed();
    let forgotten = guard.begin_frame(now);
    for touch in cursor.read(&touches) {
        guard.track(now, touch);
    }
    guard.end_frame();
    if !forgotten.is_empty() {
        warn!(
            "{} touch(es) without news for {} s forgotten (the touch driver lost their end)",
            forgotten.len(),
            STALE_CONTACTS.as_secs()
        );
        touches.write_batch(forgotten);
    }
}

/// The UI's commands of this frame, unless a palm is on the screen.
fn write_commands(
    out: UiOutput,
    guard: &PalmGuard,
    ui_commands: &mut MessageWriter<UiCommand>,
    last_frame: &mut LastUiFrame,
) {
    if !guard.holds_commands() {
        ui_commands.write_batch(out.commands);
    }
    last_frame.targets = out.targets;
}

/// Both hosts (window and headless) watch for palms before they draw.
pub(super) fn palm_plugin(app: &mut App) {
    app.init_resource::<PalmGuard>().add_systems(
        PreUpdate,
        watch_for_palms.before(bevy_egui::EguiPreUpdateSet::ProcessInput),
    );
}

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

/// The window redraws only on input (reactive mode) and sleeps otherwise; these are the
/// moments it must wake by itself. Sleeping matters more than anything else for the idle cost:
/// under a software renderer one frame of 1920x1080 costs a core for a fifth of a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WakePlan {
    /// Something moves on screen (a running simulation): draw the next frame at once.
    pub animating: bool,
    /// Otherwise sleep this long, unless touched.
    pub sleep: std::time::Duration,
}

/// Frames a second of the attract loop's cross-fade.
pub const ATTRACT_FADE_FPS: f64 = 12.0;

/// What is due when, from the screen and the clocks: pure, so it is tested without a window.
/// `other_due`: the soonest of every feature's [`Deadlines`] (the staff panel, the next
/// heartbeat).
pub fn wake_plan(
    screen: Screen,
    now: std::time::Duration,
    settings: &KioskSettings,
    visit: &Visit,
    other_due: Option<std::time::Duration>,
) -> WakePlan {
    use std::time::Duration;
    let slide = settings
        .attract_slide
        .as_secs_f64()
        .max(super::screens::ATTRACT_FADE_SECS * 2.0);
    let into_slide = now.as_secs_f64() % slide;
    let attract = screen == Screen::Attract;
    let fade_left = super::screens::ATTRACT_FADE_SECS - into_slide;
    let simulating = matches!(
        visit.open.as_ref().map(|o| &o.player),
        Some(crate::visit::Player::Simulation(sim)) if sim.running
    );
    let mut sleep = LONGEST_SLEEP;
    if attract && fade_left > 0.0 {
        // The cross-fade is drawn at ATTRACT_FADE_FPS, not as fast as the renderer goes:
        // nobody is at the screen, and a fade needs few steps. The last frame lands just
        // after the fade's end, so the new picture stands fully.
        sleep = sleep.min(Duration::from_secs_f64(
            (1.0 / ATTRACT_FADE_FPS).min(fade_left + 0.01),
        ));
    } else if attract {
        // Wake exactly when the next fade starts, not up to a frame late.
        sleep = sleep.min(Duration::from_secs_f64((slide - into_slide).max(0.01)));
    }
    if let Some(idle) = visit.next_idle_change(now, settings.idle_timeout, settings.idle_countdown)
    {
        sleep = sleep.min(idle);
    }
    if let Some(due) = other_due {
        sleep = sleep.min(due);
    }
    WakePlan {
        animating: simulating,
        // Never a zero wait: that would be continuous redrawing by another name.
        sleep: sleep.max(Duration::from_millis(10)),
    }
}

fn keep_animating(
    screen: Res<State<Screen>>,
    visit: Res<Visit>,
    settings: Res<KioskSettings>,
    deadlines: Res<Deadlines>,
    time: Res<Time<Real>>,
    alarm: Option<Res<WakeAlarm>>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    let now = time.elapsed();
    let plan = wake_plan(
        *screen.get(),
        now,
        &settings,
        &visit,
        deadlines.soonest_in(now),
    );
    if plan.animating {
        redraw.write(bevy::window::RequestRedraw);
    } else if let Some(alarm) = alarm {
        alarm.set(std::time::Instant::now() + plan.sleep);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use kepu_core::config::KioskConfig;
    use std::time::Duration;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn settings() -> KioskSettings {
        let config = KioskConfig::parse(
            "kiosk_id = \"k\"\nserver_url = \"http://127.0.0.1:9\"\nidle_timeout_secs = 60\n\
             [attract]\nslide_secs = 8\n",
        )
        .unwrap_or_else(|err| panic!("{err}"));
        KioskSettings::from_config(&config)
    }

    #[test]
    fn an_untouched_home_screen_sleeps_until_still_there_is_due() {
        let settings = settings();
        let mut visit = Visit::default();
        visit.start(S(100), "zh", settings.access_defaults);
        let plan = wake_plan(Screen::Home, S(110), &settings, &visit, None);
        assert!(!plan.animating);
        assert_eq!(plan.sleep, S(50), "wakes when \"Still there?\" must show");
        // During the countdown: when its number changes.
        let plan = wake_plan(
            Screen::Home,
            S(160) + Duration::from_millis(300),
            &settings,
            &visit,
            None,
        );
        assert_eq!(plan.sleep, Duration::from_millis(700));
        // A corner hold under way wakes the window when the pad must open.
        let plan = wake_plan(Screen::Home, S(110), &settings, &visit, Some(S(3)));
        assert_eq!(plan.sleep, S(3));
    }

    fn touch(id: u64, phase: TouchPhase) -> TouchInput {
        TouchInput {
            phase,
            position: Vec2::new(100.0 * id as f32, 500.0),
            window: Entity::PLACEHOLDER,
            force: None,
            id,
        }
    }

    /// One frame of the guard at `now` with these touches: whether it holds the commands, and
    /// the contacts it forgot.
    fn frame(guard: &mut PalmGuard, now: Duration, touches: &[(u64, TouchPhase)]) -> (bool, usize) {
        let forgotten = guard.begin_frame(now);
        for &(id, phase) in touches {
            guard.track(now, &touch(id, phase));
        }
        guard.end_frame();
        (guard.holds_commands(), forgotten.len())
    }

    #[test]
    fn a_palm_holds_commands_until_its_pointer_lifts() {
        use TouchPhase::{Ended, Started};
        let mut guard = PalmGuard::default();
        // Two hands: no palm.
        assert!(!frame(&mut guard, S(1), &[(1, Started), (2, Started)]).0);
        // A third contact landing with them: a palm. Contact 1 drives the pointer.
        assert!(frame(&mut guard, S(1) + MS(100), &[(3, Started)]).0);
        // The others lift first: still held while contact 1 (the pointer) is down...
        assert!(frame(&mut guard, S(2), &[(2, Ended), (3, Ended)]).0);
        // ...and in the frame it lifts (its button would fire then); taps count after.
        assert!(frame(&mut guard, S(3), &[(1, Ended)]).0);
        assert!(!frame(&mut guard, S(3) + MS(20), &[]).0);
    }

    #[test]
    fn fingers_resting_on_the_glass_do_not_make_the_next_tap_a_palm() {
        use TouchPhase::{Ended, Moved, Started};
        let mut guard = PalmGuard::default();
        frame(&mut guard, S(1), &[(1, Started), (2, Started)]);
        // A second later, with both still resting and twitching, a tap elsewhere counts.
        frame(&mut guard, S(2), &[(1, Moved), (2, Moved)]);
        assert!(!frame(&mut guard, S(2) + MS(10), &[(3, Started)]).0);
        assert!(!frame(&mut guard, S(2) + MS(100), &[(3, Ended)]).0);
    }

    #[test]
    fn a_contact_whose_end_is_lost_is_forgotten_and_cancelled() {
        use TouchPhase::{Ended, Moved, Started};
        let mut guard = PalmGuard::default();
        // A palm whose ends the driver never sends: forgotten after STALE_CONTACTS, each as a
        // cancellation for egui, and the screen takes taps again.
        assert!(
            frame(
                &mut guard,
                S(10),
                &[(4, Started), (5, Started), (6, Started)]
            )
            .0
        );
        assert_eq!(
            frame(&mut guard, S(10) + STALE_CONTACTS / 2, &[]),
            (true, 0)
        );
        let forgotten_at = S(10) + STALE_CONTACTS;
        let (_, forgotten) = frame(&mut guard, forgotten_at, &[(7, Started)]);
        assert_eq!(forgotten, 3);
        // The tap that began as the palm was forgotten counts.
        let (held, _) = frame(&mut guard, forgotten_at + MS(100), &[(7, Ended)]);
        assert!(!held, "the screen must take taps again");
        frame(&mut guard, forgotten_at + MS(200), &[(7, Started)]);
        // A finger that keeps moving is never forgotten.
        frame(&mut guard, S(30), &[(7, Ended), (8, Started)]);
        for step in 1..=4 {
            let now = S(30) + STALE_CONTACTS * step / 2;
            assert_eq!(frame(&mut guard, now, &[(8, Moved)]).1, 0);
        }
    }

    #[test]
    fn with_nothing_due_it_sleeps_long_and_the_attract_loop_wakes_for_each_fade() {
        let settings = settings();
        let visit = Visit::default();
        let plan = wake_plan(Screen::Home, S(5), &settings, &visit, None);
        assert_eq!(plan.sleep, LONGEST_SLEEP);
        let attract_at =
            |millis: u64| wake_plan(Screen::Attract, MS(millis), &settings, &visit, None);
        let about = |sleep: Duration, millis: u64| sleep.abs_diff(MS(millis)) < MS(1);
        // Between fades the attract screen is still: asleep until the next one.
        let plan = attract_at(3_000);
        assert!(!plan.animating);
        assert_eq!(plan.sleep, S(5));
        // During a fade it draws at ATTRACT_FADE_FPS, not continuously.
        let plan = attract_at(8_200);
        assert!(!plan.animating);
        assert_eq!(plan.sleep, Duration::from_secs_f64(1.0 / ATTRACT_FADE_FPS));
        // Its last frame comes just after the fade's end, then sleep until the next slide.
        assert!(about(attract_at(8_750).sleep, 60));
        assert!(about(attract_at(8_810).sleep, 7_190));
    }
}
