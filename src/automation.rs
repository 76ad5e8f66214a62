//! Scripted runs of the real windowed kiosk: open a given screen, wait until it has settled,
//! save a screenshot and exit. Used by the render smoke test and the performance figures.

use crate::content::{Content, KioskSettings};
use crate::engagement::Track;
use crate::ui::images::ImageCache;
use crate::visit::Visit;
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
    /// Press play on the opened simulation, or "Listen" on the opened story.
    pub play: bool,
    /// Open the staff panel past the PIN, for its screenshot.
    pub staff_panel: bool,
    /// Synthetic visitors to play, and the seed.
    pub autopilot: Option<(u32, u64)>,
    /// Record this many frame times once the screen has settled, log p50 and p99, and exit.
    pub measure_frames: Option<u32>,
    /// Save a screenshot here once the screen has settled, then exit.
    pub screenshot: Option<PathBuf>,
    /// Leave the kiosk alone this long once it has settled, count the frames it drew and the
    /// CPU time of the whole process (every thread, the software renderer's included), log
    /// both and exit: the idle figures.
    pub measure_idle: Option<std::time::Duration>,
    /// When the process started, to report the time to the first frame.
    pub process_start: Option<Instant>,
}

/// Frames to wait before the screenshot: fonts and textures reach the GPU a frame or two after
/// they are first used.
const SETTLE_FRAMES: u32 = 30;

pub fn plugin(app: &mut App) {
    app.init_resource::<ScreenshotProgress>()
        .init_resource::<FrameTimes>()
        .init_resource::<IdleWatch>()
        .add_systems(Startup, start_session)
        .add_systems(
            Update,
            (take_screenshot_and_exit, measure_frame_times, measure_idle),
        );
}

/// Frame durations recorded for `--measure-frames`.
#[derive(Resource, Default)]
struct FrameTimes {
    seen: u32,
    times_ms: Vec<f64>,
}

/// The frame time of a settled screen, p50 and p99 of `--measure-frames N` frames, for the
/// figures. The first frames (fonts and textures being uploaded) are skipped.
fn measure_frame_times(
    automation: Res<Automation>,
    time: Res<Time<Real>>,
    mut frames: ResMut<FrameTimes>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(wanted) = automation.measure_frames else {
        return;
    };
    frames.seen += 1;
    if frames.seen <= SETTLE_FRAMES {
        return;
    }
    frames.times_ms.push(time.delta_secs_f64() * 1000.0);
    if frames.times_ms.len() as u32 >= wanted {
        let mut sorted = frames.times_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        info!(
            "frame time over {} frames: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            sorted.len(),
            at(0.5),
            at(0.99),
            at(1.0)
        );
        if let Some(kib) = proportional_memory_kib() {
            info!("proportional memory (PSS) {} MiB", kib / 1024);
        }
        exit.write(AppExit::Success);
    }
}

/// Time a kiosk is given to settle before its idle cost is measured: start-up, thumbnails,
/// and the first heartbeat (10 s after start; later ones come every few minutes) are not idle.
const IDLE_SETTLE: std::time::Duration = std::time::Duration::from_secs(12);

/// Frames drawn so far, shared with the thread that measures idleness.
#[derive(Resource, Default)]
struct IdleWatch {
    frames: std::sync::Arc<std::sync::atomic::AtomicU64>,
    started: bool,
    report: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

/// Counts the frames drawn and the CPU time spent while nobody touches the kiosk. In reactive
/// mode every update is a drawn frame, so the frame count says whether the kiosk really sleeps;
/// the CPU time says what the frames it does draw cost. A thread of its own reads both at the
/// edges of the interval, so that waking the kiosk to report is not itself counted.
fn measure_idle(
    automation: Res<Automation>,
    time: Res<Time<Real>>,
    wake: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
    mut watch: ResMut<IdleWatch>,
    mut exit: MessageWriter<AppExit>,
) {
    use std::sync::atomic::Ordering;
    let Some(span) = automation.measure_idle else {
        return;
    };
    watch.frames.fetch_add(1, Ordering::SeqCst);
    if let Some(report) = watch.report.lock().ok().and_then(|mut r| r.take()) {
        info!("{report}");
        if let Some(kib) = proportional_memory_kib() {
            info!("proportional memory (PSS) {} MiB", kib / 1024);
        }
        exit.write(AppExit::Success);
        return;
    }
    let Some(wake) = wake else {
        return;
    };
    if watch.started {
        return;
    }
    if time.elapsed() < IDLE_SETTLE {
        // Still settling: keep the frames coming until the measurement starts.
        let _ = wake.send_event(bevy::winit::WinitUserEvent::WakeUp);
        return;
    }
    watch.started = true;
    let proxy: bevy::winit::EventLoopProxy<bevy::winit::WinitUserEvent> = (**wake).clone();
    let (frames, report) = (watch.frames.clone(), watch.report.clone());
    std::thread::spawn(move || {
        // Let the frame now being drawn finish before counting.
        std::thread::sleep(std::time::Duration::from_secs(1));
        let (ticks_before, frames_before) = (
            process_cpu_ticks().unwrap_or(0),
            frames.load(Ordering::SeqCst),
        );
        std::thread::sleep(span);
        let ticks = process_cpu_ticks()
            .unwrap_or(0)
            .saturating_sub(ticks_before);
        let drawn = frames.load(Ordering::SeqCst) - frames_before;
        let seconds = span.as_secs_f64();
        if let Ok(mut report) = report.lock() {
            *report = Some(format!(
                "idle: {drawn} frames in {seconds:.1} s ({:.2} per second), CPU {:.2} % of one core",
                drawn as f64 / seconds,
                100.0 * ticks as f64 / CLOCK_TICKS_PER_SECOND / seconds
            ));
        }
        // A sleeping kiosk does not wake by itself: ring it, as a touch would.
        let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
    });
}

/// Linux's USER_HZ, the unit of /proc CPU times: 100 on every architecture Linux supports
/// (reading `sysconf` would need `libc` and unsafe code for a constant).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU time of this whole process, every thread included, in clock ticks.
fn process_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may contain spaces: count fields after its end.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); the first field after the name is field 3.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

/// Longer than egui's fade-in of an area (its `animation_time`, 1/12 s by default).
const OVERLAY_FADE_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Resource, Default)]
struct ScreenshotProgress {
    frames: u32,
    /// With `--still-there-now`: the frame and the moment the idle timeout was cut to zero.
    still_there_from: Option<(u32, std::time::Instant)>,
    requested_at_frame: Option<u32>,
    reported_ready: bool,
}

fn start_session(
    automation: Res<Automation>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    time: Res<Time<Real>>,
    mut visit: ResMut<Visit>,
    mut track: MessageWriter<Track>,
    mut staff: ResMut<crate::staff::Staff>,
) {
    if automation.staff_panel {
        staff.open_for_automation();
        return;
    }
    let Some(language) = &automation.start_session_in else {
        return;
    };
    crate::session::start_session(&mut visit, time.elapsed(), &settings, &mut track);
    let mut events = visit.set_language(language);
    for mode in &automation.modes {
        match mode.as_str() {
            "large-text" => visit.modes.large_text = true,
            "high-contrast" => visit.modes.high_contrast = true,
            "seated" => visit.modes.seated = true,
            other => warn!("unknown mode \"{other}\" (large-text, high-contrast, seated)"),
        }
    }
    if let Some(id) = &automation.open_exhibit {
        events.extend(visit.open_exhibit(&content.catalog, id, time.elapsed()));
        if let Some(open) = &mut visit.open {
            if automation.play {
                match &mut open.player {
                    crate::visit::Player::Simulation(sim) => sim.play(),
                    crate::visit::Player::Story(story) => {
                        story.narration = crate::play::story::Listening::On;
                    }
                    _ => {}
                }
            }
        } else {
            warn!("no exhibit \"{id}\" to open");
        }
    }
    track.write_batch(Track::all(visit.session_id(), events));
}

fn take_screenshot_and_exit(
    automation: Res<Automation>,
    mut settings: ResMut<KioskSettings>,
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
    let settled = progress.frames >= SETTLE_FRAMES && images.is_settled();
    if settled && automation.still_there_now && progress.still_there_from.is_none() {
        // Only now, so a slow start cannot run the countdown out before the screenshot: the
        // visitor "walks away", and the overlay is captured a few frames later.
        settings.idle_timeout = std::time::Duration::ZERO;
        progress.still_there_from = Some((progress.frames, std::time::Instant::now()));
    }
    // A few frames, and time enough for egui's fade-in of the card to finish (it is timed, not
    // counted in frames: on a busy machine five frames came before the card was opaque).
    let overlay_shown = progress
        .still_there_from
        .is_none_or(|(from, at)| progress.frames >= from + 5 && at.elapsed() >= OVERLAY_FADE_WAIT);
    match progress.requested_at_frame {
        None if settled && overlay_shown => {
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
            if let Some(kib) = proportional_memory_kib() {
                info!("proportional memory (PSS) {} MiB", kib / 1024);
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

/// Proportional set size of this process (Linux): resident memory with shared pages divided
/// among the processes sharing them, the fair measure beside a multi-process browser.
pub fn proportional_memory_kib() -> Option<u64> {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resident set size of this process (Linux), for the performance figures.
pub fn resident_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
