//! Synthetic visitors for soak, end-to-end and demo runs: `kepu-kiosk run --autopilot N
//! [--seed S]`. Each visitor touches the screen the way people do, chosen with a seeded random
//! generator from what is on screen (the last frame's touch targets): taps, drags of sliders,
//! rows and sort items, answers, language and mode switches, and sometimes walking away
//! mid-exhibit. Touches go in as `TouchInput` messages, through the same path as a finger.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::engagement::Engagement;
use crate::ui::{
    HotspotsCommand, QuizCommand, SessionCommand, SimCommand, SortCommand, StaffCommand,
};
use crate::ui::{LastUiFrame, UiCommand};
use crate::visit::{Screen, Visit};
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub fn plugin(app: &mut App) {
    app.add_systems(Update, drive.before(KioskSet::Ui));
}

/// How many visitors to play, and the generator that decides what they do.
#[derive(Resource)]
pub struct Autopilot {
    pub visitors: u32,
    rng: StdRng,
    /// Visitors whose session has started so far.
    pub started: u32,
    /// Visitors whose session has ended (start over or walked away).
    pub finished: u32,
    /// Touches left for the current visitor before they leave.
    touches_left: u32,
    action: Action,
    /// Frames to wait before the next touch, as people look before they touch.
    pause: u32,
    next_touch_id: u64,
    /// Set when every visitor has come and gone.
    pub done: bool,
    /// Resident memory on the attract screen between visitors: (visitors so far, KiB).
    pub memory_samples: Vec<(u32, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Idle,
    /// A finger is down at this point; it lifts (or moves on to `to`) next frame.
    Down {
        id: u64,
        at: Vec2,
        to: Option<Vec2>,
        frames_left: u32,
    },
    /// The visitor walked away: no touches until the session has ended.
    WalkingAway,
}

impl Autopilot {
    pub fn new(visitors: u32, seed: u64) -> Self {
        Self {
            visitors,
            rng: StdRng::seed_from_u64(seed),
            started: 0,
            finished: 0,
            touches_left: 0,
            action: Action::Idle,
            pause: 0,
            next_touch_id: 1 << 40,
            done: false,
            memory_samples: Vec::new(),
        }
    }

    /// Whether the autopilot is waiting for an idle timeout (a runner may speed time up).
    pub fn walking_away(&self) -> bool {
        self.action == Action::WalkingAway
    }
}

/// What the visitor does with a target: a tap, or a drag for things that are dragged.
fn gesture(
    rng: &mut StdRng,
    command: &UiCommand,
    rect: bevy_egui::egui::Rect,
    targets: &[(UiCommand, bevy_egui::egui::Rect)],
) -> (Vec2, Option<Vec2>) {
    let centre = Vec2::new(rect.center().x, rect.center().y);
    let point_in = |rng: &mut StdRng, r: bevy_egui::egui::Rect| {
        Vec2::new(
            rng.random_range(r.left()..=r.right().max(r.left() + 1.0)),
            rng.random_range(r.top()..=r.bottom().max(r.top() + 1.0)),
        )
    };
    match command {
        // A sort card: dragged to one of the bins.
        UiCommand::Sort(SortCommand::PlaceItem { bin, .. }) if bin.is_empty() => {
            let bins: Vec<_> = targets
                .iter()
                .filter(|(c, _)| matches!(c, UiCommand::Sort(SortCommand::PlaceItem { bin, .. }) if !bin.is_empty()))
                .collect();
            let to = (!bins.is_empty())
                .then(|| bins[rng.random_range(0..bins.len())].1)
                .map(|r| Vec2::new(r.center().x, r.center().y));
            (centre, to)
        }
        // Slider tracks and ordering rows: slid along, or dragged to another row.
        UiCommand::Quiz(QuizCommand::SetEstimate(_))
        | UiCommand::Simulation(SimCommand::SetParameter(..))
            if rect.width() > 150.0 =>
        {
            (point_in(rng, rect), Some(point_in(rng, rect)))
        }
        UiCommand::Quiz(QuizCommand::MoveItem { from, to }) if from == to => {
            let rows: Vec<_> = targets
                .iter()
                .filter(|(c, _)| matches!(c, UiCommand::Quiz(QuizCommand::MoveItem { from, to }) if from == to))
                .collect();
            let other = rows[rng.random_range(0..rows.len())].1;
            (centre, Some(Vec2::new(other.center().x, other.center().y)))
        }
        // The hotspots picture: a tap somewhere on it, or a drag.
        UiCommand::Hotspots(HotspotsCommand::PanImage(..)) => {
            let at = point_in(rng, rect);
            (at, rng.random_bool(0.3).then(|| point_in(rng, rect)))
        }
        _ => (point_in(rng, rect.shrink(4.0)), None),
    }
}

fn drive(
    mut autopilot: ResMut<Autopilot>,
    frame: Res<LastUiFrame>,
    visit: Res<Visit>,
    screen: Res<State<Screen>>,
    window: Query<Entity, With<PrimaryWindow>>,
    mut touches: MessageWriter<TouchInput>,
) {
    let autopilot = &mut *autopilot;
    let window = window.single().unwrap_or(Entity::PLACEHOLDER);
    let mut touch = |id: u64, phase: TouchPhase, position: Vec2| {
        touches.write(TouchInput {
            phase,
            position,
            window,
            force: None,
            id,
        });
    };
    // Finish a gesture in progress.
    if let Action::Down {
        id,
        at,
        to,
        frames_left,
    } = autopilot.action
    {
        let target = to.unwrap_or(at);
        if frames_left > 0 {
            let share = 1.0 / (frames_left as f32 + 1.0);
            let next = at + (target - at) * share;
            touch(id, TouchPhase::Moved, next);
            autopilot.action = Action::Down {
                id,
                at: next,
                to,
                frames_left: frames_left - 1,
            };
        } else {
            touch(id, TouchPhase::Ended, target);
            autopilot.action = Action::Idle;
            autopilot.pause = autopilot.rng.random_range(0..3);
        }
        return;
    }
    let in_session = visit.session.is_some();
    if autopilot.action == Action::WalkingAway {
        if in_session {
            return;
        }
        autopilot.action = Action::Idle;
        autopilot.finished += 1;
    }
    if autopilot.pause > 0 {
        autopilot.pause -= 1;
        return;
    }
    if !in_session {
        if autopilot.started > autopilot.finished {
            // A visitor pressed "start over".
            autopilot.finished += 1;
        }
        if autopilot.finished >= autopilot.visitors {
            autopilot.done = *screen.get() == Screen::Attract;
            return;
        }
        if *screen.get() != Screen::Attract {
            return;
        }
        // Between visitors, on the attract screen: the moment to compare memory at, as every
        // such moment holds the same things (the cards' thumbnails, no exhibit's pictures).
        let last_sampled = autopilot.memory_samples.last().map(|(v, _)| *v);
        if last_sampled != Some(autopilot.finished)
            && let Some(kib) = crate::automation::resident_memory_kib()
        {
            let finished = autopilot.finished;
            autopilot.memory_samples.push((finished, kib));
        }
        // A new visitor touches the attract screen anywhere.
        let size = frame.screen_size;
        let at = Vec2::new(
            autopilot
                .rng
                .random_range(200.0..(size.x - 200.0).max(201.0)),
            autopilot
                .rng
                .random_range(200.0..(size.y - 200.0).max(201.0)),
        );
        autopilot.started += 1;
        autopilot.touches_left = autopilot.rng.random_range(2..16);
        finger_down(autopilot, at, None, &mut touch);
        return;
    }
    if autopilot.touches_left == 0 {
        // Leaving: most walk away (the idle timeout ends the session), some press start over.
        if autopilot.rng.random_bool(0.7) {
            autopilot.action = Action::WalkingAway;
            return;
        }
        let start_over = frame
            .targets
            .iter()
            .find(|t| t.command == UiCommand::Session(SessionCommand::StartOver))
            .map(|t| t.rect);
        match start_over {
            Some(rect) => {
                let at = Vec2::new(rect.center().x, rect.center().y);
                finger_down(autopilot, at, None, &mut touch);
            }
            None => autopilot.action = Action::WalkingAway,
        }
        return;
    }
    // Pick something on screen; never the staff panel's quit (it is not reachable anyway).
    let targets: Vec<(UiCommand, bevy_egui::egui::Rect)> = frame
        .targets
        .iter()
        .filter(|t| {
            t.command != UiCommand::Staff(StaffCommand::StaffQuit)
                && t.command != UiCommand::Session(SessionCommand::StartOver)
        })
        .map(|t| (t.command.clone(), t.rect))
        .collect();
    if targets.is_empty() {
        return;
    }
    let (command, rect) = targets[autopilot.rng.random_range(0..targets.len())].clone();
    let (at, to) = gesture(&mut autopilot.rng, &command, rect, &targets);
    autopilot.touches_left -= 1;
    finger_down(autopilot, at, to, &mut touch);
}

/// A new finger goes down at `at`; it lifts next frame, or slides to `to` over a few frames.
fn finger_down(
    autopilot: &mut Autopilot,
    at: Vec2,
    to: Option<Vec2>,
    touch: &mut impl FnMut(u64, TouchPhase, Vec2),
) {
    autopilot.next_touch_id += 1;
    let id = autopilot.next_touch_id;
    touch(id, TouchPhase::Started, at);
    autopilot.action = Action::Down {
        id,
        at,
        to,
        frames_left: if to.is_some() { 4 } else { 0 },
    };
}

/// In a window: exit once every synthetic visitor has come and gone.
pub fn exit_when_done(autopilot: Res<Autopilot>, mut exit: MessageWriter<AppExit>) {
    if autopilot.done {
        info!("autopilot: {} visitors played; exiting", autopilot.finished);
        exit.write(AppExit::Success);
    }
}

/// What a headless autopilot run did, for soak tests and figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutopilotReport {
    pub visitors: u32,
    pub frames: u64,
    pub events_written: u64,
    pub events_lost: u64,
    /// Resident memory on the attract screen after the first 100 visitors, KiB: the median
    /// of the readings between visitors 100 and 150, because a single reading moves by a few
    /// MiB with egui's font atlas (rebuilt at sizes the last visitors used) and the allocator.
    pub rss_after_100_kib: Option<u64>,
    /// The same over the last 50 visitors.
    pub rss_at_end_kib: Option<u64>,
}

/// The median of the readings taken with between `from` and `to` visitors done.
fn median_between(samples: &[(u32, u64)], from: u32, to: u32) -> Option<u64> {
    let mut window: Vec<u64> = samples
        .iter()
        .filter(|(v, _)| (from..=to).contains(v))
        .map(|(_, kib)| *kib)
        .collect();
    window.sort_unstable();
    window.get(window.len() / 2).copied()
}

/// Plays `visitors` synthetic visitors on a headless kiosk at accelerated time: 100 ms per
/// frame while they touch, 5 s per frame while one has walked away and the idle timeout runs.
pub fn run_headless(
    settings: KioskSettings,
    content: Content,
    engagement: Engagement,
    visitors: u32,
    seed: u64,
) -> AutopilotReport {
    use bevy::time::TimeUpdateStrategy;
    use std::time::Duration;
    let mut app = crate::headless_app(settings, content, engagement);
    app.insert_resource(Autopilot::new(visitors, seed))
        .add_plugins(plugin);
    let mut report = AutopilotReport::default();
    let mut fast = false;
    loop {
        let autopilot = app.world().resource::<Autopilot>();
        if autopilot.done {
            break;
        }
        let walking_away = autopilot.walking_away();
        if walking_away != fast {
            fast = walking_away;
            let frame = if fast { 5_000 } else { 100 };
            app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
                frame,
            )));
        }
        app.update();
        report.frames += 1;
        if std::env::var_os("KEPU_AUTOPILOT_TRACE").is_some() && report.frames % 5000 == 0 {
            let ctx = &app.world().resource::<crate::ui::images::UiContext>().0;
            let atlas = ctx.fonts(|f| f.font_image_size());
            let memory_items = ctx.memory(|m| m.data.len());
            eprintln!(
                "frame {}: visitors {} rss {:?} KiB atlas {atlas:?} egui-memory-items {memory_items}",
                report.frames,
                app.world().resource::<Autopilot>().finished,
                crate::automation::resident_memory_kib()
            );
        }
    }
    let engagement = app.world().resource::<Engagement>();
    if let Some(writer) = &engagement.writer {
        let _ = writer.flush();
        report.events_written = writer.status().written;
    }
    report.events_lost = engagement.lost;
    let autopilot = app.world().resource::<Autopilot>();
    report.visitors = autopilot.finished;
    let first = 100.min(visitors);
    report.rss_after_100_kib = median_between(&autopilot.memory_samples, first, first + 50);
    report.rss_at_end_kib = median_between(
        &autopilot.memory_samples,
        visitors.saturating_sub(50),
        visitors,
    );
    report
}
