//! Scripted runs of the real windowed kiosk: open a given screen, wait until it has settled,
//! save a screenshot and exit. Used by the render smoke test and the performance figures.

use crate::content::{Content, KioskSettings};
use crate::engagement::Track;
use crate::ui::images::ImageCache;
use crate::visit::{Screen, Visit};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use std::path::PathBuf;
use std::time::Instant;

/// What to do once the kiosk has started.
#[derive(Resource, Debug, Clone, Default)]
pub struct Automation {
    /// Start a visitor session at once (skipping the attract screen), in this language.
    pub start_session_in: Option<String>,
    /// Then open this exhibit.
    pub open_exhibit: Option<String>,
    /// Then ask "Still there?" at once (an idle timeout of zero), to show the overlay.
    pub still_there_now: bool,
    /// Accessibility modes to turn on in that session (`large-text`, `high-contrast`,
    /// `seated`).
    pub modes: Vec<String>,
    /// Press play on the opened simulation.
    pub play: bool,
    /// Open the staff panel past the PIN, for its screenshot.
    pub staff_panel: bool,
    /// Save a screenshot here once the screen has settled, then exit.
    pub screenshot: Option<PathBuf>,
    /// When the process started, to report the time to the first frame.
    pub process_start: Option<Instant>,
}

/// Frames to wait before the screenshot: fonts and textures reach the GPU a frame or two after
/// they are first used.
const SETTLE_FRAMES: u32 = 30;

pub fn plugin(app: &mut App) {
    app.init_resource::<ScreenshotProgress>()
        .add_systems(Startup, start_session)
        .add_systems(Update, take_screenshot_and_exit);
}

#[derive(Resource, Default)]
struct ScreenshotProgress {
    frames: u32,
    requested_at_frame: Option<u32>,
    reported_ready: bool,
}

fn start_session(
    automation: Res<Automation>,
    mut settings: ResMut<KioskSettings>,
    content: Res<Content>,
    time: Res<Time<Real>>,
    mut visit: ResMut<Visit>,
    mut next_screen: ResMut<NextState<Screen>>,
    mut track: MessageWriter<Track>,
    mut staff: ResMut<crate::staff::Staff>,
) {
    if automation.staff_panel {
        staff.open_for_automation();
        next_screen.set(Screen::Staff);
        return;
    }
    let Some(language) = &automation.start_session_in else {
        return;
    };
    let mut events = visit.start(
        time.elapsed(),
        settings.default_language(),
        settings.access_defaults,
    );
    events.extend(visit.set_language(language));
    for mode in &automation.modes {
        match mode.as_str() {
            "large-text" => visit.modes.large_text = true,
            "high-contrast" => visit.modes.high_contrast = true,
            "seated" => visit.modes.seated = true,
            other => warn!("unknown mode \"{other}\" (large-text, high-contrast, seated)"),
        }
    }
    next_screen.set(Screen::Home);
    if let Some(id) = &automation.open_exhibit {
        events.extend(visit.open_exhibit(&content.catalog, id, time.elapsed()));
        if let Some(open) = &mut visit.open {
            next_screen.set(Screen::Exhibit);
            if automation.play
                && let crate::visit::Player::Simulation(sim) = &mut open.player
            {
                sim.play();
            }
        } else {
            warn!("no exhibit \"{id}\" to open");
        }
    }
    track.write_batch(Track::all(visit.session_id(), events));
    if automation.still_there_now {
        settings.idle_timeout = std::time::Duration::ZERO;
    }
}

fn take_screenshot_and_exit(
    automation: Res<Automation>,
    images: Res<ImageCache>,
    mut progress: ResMut<ScreenshotProgress>,
    mut commands: Commands,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(path) = &automation.screenshot else {
        return;
    };
    progress.frames += 1;
    if progress.frames == 1
        && let Some(start) = automation.process_start
    {
        info!(
            "first frame {} ms after process start",
            start.elapsed().as_millis()
        );
    }
    if !progress.reported_ready
        && progress.frames >= 2
        && images.is_settled()
        && let Some(start) = automation.process_start
    {
        // Every requested picture decoded and uploaded: the screen is complete.
        progress.reported_ready = true;
        info!(
            "home ready {} ms after process start",
            start.elapsed().as_millis()
        );
    }
    match progress.requested_at_frame {
        None if progress.frames >= SETTLE_FRAMES && images.is_settled() => {
            info!("saving a screenshot to {}", path.display());
            if let Some(start) = automation.process_start {
                info!(
                    "settled {} ms after process start",
                    start.elapsed().as_millis()
                );
            }
            if let Some(kib) = resident_memory_kib() {
                info!("resident memory {} MiB", kib / 1024);
            }
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path.clone()));
            progress.requested_at_frame = Some(progress.frames);
        }
        Some(at) if path.exists() || progress.frames > at + 300 => {
            exit.write(AppExit::Success);
        }
        _ => {}
    }
}

/// Resident set size of this process (Linux), for the performance figures.
fn resident_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
