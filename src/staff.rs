//! The staff panel: opened by holding a finger on the screen's top-left corner for five seconds
//! and typing the staff PIN (kiosk.toml keeps only its hash). Five wrong PINs lock it for five
//! minutes. It shows what the kiosk loaded and left out, the state of the outbox and uploader,
//! and today's local numbers; it can reload the exhibits, test the server and quit the kiosk.
//! Visitors never see any of it: opening it ends any visitor session.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::engagement::{Engagement, ServerAddress, Track};
use crate::reload::ReloadNow;
use crate::ui::StaffCommand;
use crate::ui::UiCommand;
use crate::visit::Visit;
use crate::wake::WindowWaker;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use kepu_core::wire::{EventKind, SessionEndReason};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    let waker = StaffWaker(WindowWaker::for_app(app));
    app.insert_resource(waker)
        .init_resource::<Staff>()
        .init_resource::<TodayNumbers>()
        .add_systems(
            Update,
            (
                watch_corner_hold.in_set(KioskSet::Input),
                apply_staff_commands.in_set(KioskSet::Commands),
                (
                    receive_answers,
                    close_idle_panel,
                    refresh_staff_view,
                    write_staff_deadline,
                )
                    .chain()
                    .in_set(KioskSet::Session),
                count_today.in_set(KioskSet::Record),
            ),
        );
}

/// How long a finger must rest on the corner.
pub const HOLD_TO_OPEN: Duration = Duration::from_secs(5);
/// The corner's size, in screen points from the top-left.
pub const CORNER_SIZE: f32 = 120.0;
/// Wrong PINs in a row before the lockout.
pub const MAX_WRONG_PINS: u32 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);
/// An open panel nobody touches closes after this long.
pub const PANEL_IDLE_CLOSE: Duration = Duration::from_secs(120);
const MAX_PIN_DIGITS: usize = 12;

/// The hidden gesture: one finger resting on the corner, not moving out of it, for
/// [`HOLD_TO_OPEN`]. Any other finger on the screen cancels it, so a palm or two hands
/// cannot open it by accident.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CornerHold {
    finger: Option<(u64, Duration)>,
    fingers_down: usize,
    fired: bool,
}

impl CornerHold {
    pub fn touch(&mut self, id: u64, phase: TouchPhase, position: Vec2, now: Duration) {
        let in_corner = position.x <= CORNER_SIZE && position.y <= CORNER_SIZE;
        match phase {
            TouchPhase::Started => {
                self.fingers_down += 1;
                self.finger = (self.fingers_down == 1 && in_corner).then_some((id, now));
            }
            TouchPhase::Moved => {
                if !in_corner && self.finger.is_some_and(|(finger, _)| finger == id) {
                    self.finger = None;
                }
            }
            TouchPhase::Ended | TouchPhase::Canceled => {
                self.fingers_down = self.fingers_down.saturating_sub(1);
                if self.finger.is_some_and(|(finger, _)| finger == id) {
                    self.finger = None;
                    self.fired = false;
                }
            }
        }
    }

    /// How long until a finger resting in the corner now opens the pad: the window must wake
    /// then, as a finger held still sends no events. `None` when no hold is under way.
    pub fn fires_in(&self, now: Duration) -> Option<Duration> {
        match self.finger {
            Some((_, since)) if !self.fired => {
                Some(HOLD_TO_OPEN.saturating_sub(now.saturating_sub(since)))
            }
            _ => None,
        }
    }

    /// True once per hold, when the finger has rested long enough.
    pub fn fires(&mut self, now: Duration) -> bool {
        match self.finger {
            Some((_, since)) if !self.fired && now.saturating_sub(since) >= HOLD_TO_OPEN => {
                self.fired = true;
                true
            }
            _ => false,
        }
    }
}

/// Wrong-PIN counting and the lockout, apart from how a PIN is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinGate {
    wrong_in_a_row: u32,
    locked_until: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Accepted,
    Wrong { tries_left: u32 },
    Locked { remaining: Duration },
}

impl PinGate {
    /// Checks a PIN with `is_right` unless locked (then the PIN is not even looked at).
    pub fn try_pin(&mut self, now: Duration, is_right: impl FnOnce() -> bool) -> PinOutcome {
        if let Some(remaining) = self.lock_remaining(now) {
            return PinOutcome::Locked { remaining };
        }
        self.record(now, is_right())
    }

    /// Counts the answer of a check started while the gate was open.
    pub fn record(&mut self, now: Duration, right: bool) -> PinOutcome {
        if right {
            *self = Self::default();
            return PinOutcome::Accepted;
        }
        self.wrong_in_a_row += 1;
        if self.wrong_in_a_row >= MAX_WRONG_PINS {
            self.wrong_in_a_row = 0;
            self.locked_until = Some(now + LOCKOUT);
            return PinOutcome::Locked { remaining: LOCKOUT };
        }
        PinOutcome::Wrong {
            tries_left: MAX_WRONG_PINS - self.wrong_in_a_row,
        }
    }

    pub fn lock_remaining(&self, now: Duration) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }
}

/// Where the staff panel is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StaffPhase {
    #[default]
    Closed,
    /// Typing the PIN; `notice` says why the last try failed.
    Pin {
        notice: Option<PinNotice>,
    },
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinNotice {
    Wrong {
        tries_left: u32,
    },
    Locked {
        seconds_left: u64,
    },
    /// kiosk.toml has no `staff_pin_hash`, so the panel cannot open.
    NotConfigured,
    /// The PIN is being checked (a deliberately slow hash, on its own thread).
    Checking,
}

/// The answer to "test the server connection".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ServerCheck {
    #[default]
    NotTried,
    Checking,
    Reachable {
        round_trip_ms: u64,
    },
    Failed(String),
    /// No server URL and token: the kiosk keeps its events until it is paired.
    NotPaired,
}

#[derive(Resource, Default)]
pub struct Staff {
    pub phase: StaffPhase,
    pub gate: PinGate,
    /// The digits typed so far (never logged, cleared after every try).
    pin: String,
    hold: CornerHold,
    last_touch: Duration,
    server_check: Option<Job<ServerCheck>>,
    pin_check: Option<Job<bool>>,
    /// What the panel shows, refreshed while it is open.
    pub view: StaffView,
}

impl Staff {
    /// When the window must wake for the staff panel: a corner hold about to open the pad, or
    /// once a second while the pad or panel is up (the lockout countdown, live figures, the
    /// auto-close).
    pub fn wake_in(&self, now: Duration) -> Option<Duration> {
        if self.phase == StaffPhase::Closed {
            self.hold.fires_in(now)
        } else {
            Some(Duration::from_secs(1))
        }
    }

    /// Opens the panel without a PIN: only for scripted screenshot runs (`--staff-panel`,
    /// a hidden development flag), never reachable by touch.
    pub fn open_for_automation(&mut self) {
        self.phase = StaffPhase::Open;
    }
}

/// Everything the panel draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffView {
    pub phase: StaffPhase,
    pub pin_digits: usize,
    pub version: &'static str,
    pub kiosk_id: String,
    /// Exhibits on show: id and kind.
    pub shown: Vec<(String, &'static str)>,
    /// Exhibits left out: folder name and each problem as the validator words it.
    pub left_out: Vec<(String, Vec<String>)>,
    pub outbox_backlog: Option<u64>,
    /// What the outbox went through: events held in memory (the disk refuses writes), dropped
    /// (even memory was full), rolled up (the size cap), refused by the server (set aside), and
    /// a damaged file replaced at start.
    pub storage: StorageView,
    pub last_upload: Option<String>,
    pub upload_error: Option<String>,
    pub outbox_error: Option<String>,
    /// Whether an uploader runs (a server token was found).
    pub paired: bool,
    pub server: ServerCheck,
    pub today: TodayNumbers,
}

/// The outbox's troubles, for the staff panel; all zero and `None` on a healthy kiosk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageView {
    pub held_in_memory: u64,
    pub dropped: u64,
    pub rolled_up: u64,
    /// Events the server refused, set aside on this kiosk (kept in the outbox, never sent).
    pub refused: u64,
    /// When a damaged outbox was replaced (local time), and the events lost with it (`None`:
    /// not even their number could be read).
    pub replaced: Option<(String, Option<u64>)>,
}

/// Today's local numbers, counted from the events this kiosk recorded since midnight (or since
/// it started, if later). They are counts only: nothing about any one visitor.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct TodayNumbers {
    pub day: Option<chrono::NaiveDate>,
    pub sessions: u32,
    /// Sessions started in each hour of the day (local time).
    pub sessions_by_hour: [u32; 24],
    pub exhibit_opens: BTreeMap<String, u32>,
    /// Per quiz: (answers, right answers).
    pub quiz_answers: BTreeMap<String, (u32, u32)>,
}

impl TodayNumbers {
    /// Counts one event that happened at `at` (local time).
    pub fn count(&mut self, event: &EventKind, at: chrono::NaiveDateTime) {
        use chrono::Timelike;
        let day = at.date();
        if self.day != Some(day) {
            *self = Self {
                day: Some(day),
                ..Self::default()
            };
        }
        match event {
            EventKind::SessionStart { .. } => {
                self.sessions += 1;
                self.sessions_by_hour[at.hour() as usize % 24] += 1;
            }
            EventKind::ExhibitOpen { exhibit_id } => {
                *self.exhibit_opens.entry(exhibit_id.clone()).or_default() += 1;
            }
            EventKind::QuizAnswer {
                exhibit_id,
                correct,
                ..
            } => {
                let entry = self.quiz_answers.entry(exhibit_id.clone()).or_default();
                entry.0 += 1;
                entry.1 += u32::from(*correct);
            }
            _ => {}
        }
    }

    /// The most opened exhibits, most first.
    pub fn top_exhibits(&self, n: usize) -> Vec<(&str, u32)> {
        let mut opens: Vec<(&str, u32)> = self
            .exhibit_opens
            .iter()
            .map(|(id, count)| (id.as_str(), *count))
            .collect();
        opens.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        opens.truncate(n);
        opens
    }
}

fn count_today(mut tracked: MessageReader<Track>, mut today: ResMut<TodayNumbers>) {
    let now = chrono::Local::now().naive_local();
    for track in tracked.read() {
        today.count(&track.event, now);
    }
}

/// Touches feed the corner gesture on every screen.
fn watch_corner_hold(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    mut touches: MessageReader<TouchInput>,
    mut staff: ResMut<Staff>,
    mut visit: ResMut<Visit>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    for touch in touches.read() {
        staff.last_touch = now;
        staff.hold.touch(touch.id, touch.phase, touch.position, now);
    }
    if !staff.hold.fires(now) || staff.phase != StaffPhase::Closed {
        return;
    }
    // The visitor's session ends here: the panel is not part of anyone's visit.
    crate::session::end_session(&mut visit, now, SessionEndReason::StartOver, &mut track);
    let notice = settings
        .staff_pin_hash
        .is_none()
        .then_some(PinNotice::NotConfigured);
    staff.pin.clear();
    staff.phase = StaffPhase::Pin { notice };
    info!("staff panel asked for (corner held)");
}

fn apply_staff_commands(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    engagement: Res<Engagement>,
    mut ui_commands: MessageReader<UiCommand>,
    mut staff: ResMut<Staff>,
    mut reload: MessageWriter<ReloadNow>,
    mut exit: MessageWriter<AppExit>,
    waker: Res<StaffWaker>,
) {
    let now = time.elapsed();
    for command in ui_commands.read() {
        let UiCommand::Staff(command) = command else {
            continue;
        };
        let pin_phase = matches!(staff.phase, StaffPhase::Pin { .. });
        let open = staff.phase == StaffPhase::Open;
        // Each command counts only in the phase that shows its button: a tap racing a change
        // of phase does nothing.
        match command {
            StaffCommand::PinDigit(digit) => {
                if pin_phase && staff.pin.len() < MAX_PIN_DIGITS {
                    staff.pin.push(char::from(b'0' + digit % 10));
                }
            }
            StaffCommand::PinBackspace => {
                if pin_phase {
                    staff.pin.pop();
                }
            }
            StaffCommand::PinEnter => {
                if !pin_phase || staff.pin_check.is_some() {
                    continue;
                }
                let Some(hash) = settings.staff_pin_hash.clone() else {
                    staff.phase = StaffPhase::Pin {
                        notice: Some(PinNotice::NotConfigured),
                    };
                    continue;
                };
                let pin = std::mem::take(&mut staff.pin);
                if let Some(remaining) = staff.gate.lock_remaining(now) {
                    staff.phase = pin_outcome_phase(PinOutcome::Locked { remaining });
                    continue;
                }
                // The hash takes a tenth of a second or more by design: off the frame, so the
                // pad never freezes.
                staff.pin_check = Some(Job::start("pin-check", waker.0.clone(), move || {
                    kepu_core::pin::verify_pin(&pin, &hash)
                }));
                staff.phase = StaffPhase::Pin {
                    notice: Some(PinNotice::Checking),
                };
            }
            StaffCommand::StaffReload => {
                if open {
                    reload.write(ReloadNow);
                }
            }
            StaffCommand::StaffTestServer => {
                if !open {
                    continue;
                }
                let server = engagement.server.clone();
                staff.server_check = Some(Job::start("server-check", waker.0.clone(), move || {
                    check_server(server)
                }));
                staff.view.server = ServerCheck::Checking;
            }
            StaffCommand::StaffQuit => {
                if open {
                    info!("quit from the staff panel");
                    exit.write(AppExit::Success);
                }
            }
            StaffCommand::StaffClose => {
                if staff.phase != StaffPhase::Closed {
                    close(&mut staff);
                }
            }
        }
    }
}

fn pin_outcome_phase(outcome: PinOutcome) -> StaffPhase {
    match outcome {
        PinOutcome::Accepted => {
            info!("staff panel opened");
            StaffPhase::Open
        }
        PinOutcome::Wrong { tries_left } => {
            warn!("wrong staff PIN ({tries_left} tries before the lockout)");
            StaffPhase::Pin {
                notice: Some(PinNotice::Wrong { tries_left }),
            }
        }
        PinOutcome::Locked { remaining } => {
            warn!("staff panel locked for {} s", remaining.as_secs());
            StaffPhase::Pin {
                notice: Some(PinNotice::Locked {
                    seconds_left: remaining.as_secs_f32().ceil() as u64,
                }),
            }
        }
    }
}

/// Closes the pad or panel: the attract loop follows (`session::screen_for`).
fn close(staff: &mut Staff) {
    staff.phase = StaffPhase::Closed;
    staff.pin.clear();
    staff.server_check = None;
    staff.pin_check = None;
    staff.view = StaffView::default();
}

/// A panel left open (or a PIN pad left waiting) goes back to the attract screen by itself.
fn close_idle_panel(time: Res<Time<Real>>, mut staff: ResMut<Staff>) {
    if staff.phase != StaffPhase::Closed
        && time.elapsed().saturating_sub(staff.last_touch) >= PANEL_IDLE_CLOSE
    {
        close(&mut staff);
    }
}

/// Slow work for the panel (the connection test, the PIN hash) on a thread of its own, so the
/// panel keeps answering; the thread wakes the window when its answer is ready.
struct Job<T>(Mutex<Receiver<T>>);

impl<T: Send + 'static> Job<T> {
    /// A thread that cannot be started drops the work and with it the sender: the job is
    /// then lost from the start, and answers as one whose thread died.
    fn start(name: &str, waker: WindowWaker, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let (sender, receiver) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = sender.send(work());
                waker.wake();
            });
        if let Err(err) = spawned {
            error!("cannot start the {name} thread: {err}");
        }
        Self(Mutex::new(receiver))
    }

    /// The answer, once it is there; `if_lost` when the thread ended without one (it
    /// panicked, or never started), so the panel never waits forever.
    fn answer(&self, if_lost: impl FnOnce() -> T) -> Option<T> {
        let Ok(receiver) = self.0.lock() else {
            return Some(if_lost());
        };
        match receiver.try_recv() {
            Ok(answer) => Some(answer),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(if_lost()),
        }
    }
}

/// The staff panel's window waker, for the threads of its jobs.
#[derive(Resource, Clone, Default)]
struct StaffWaker(WindowWaker);

fn check_server(server: Option<ServerAddress>) -> ServerCheck {
    let Some(server) = server else {
        return ServerCheck::NotPaired;
    };
    match kepu_core::uploader::check_server(&server.url, &server.token) {
        Ok(round_trip) => ServerCheck::Reachable {
            round_trip_ms: u64::try_from(round_trip.as_millis()).unwrap_or(u64::MAX),
        },
        Err(err) => ServerCheck::Failed(err.to_string()),
    }
}

fn receive_answers(time: Res<Time<Real>>, mut staff: ResMut<Staff>) {
    let lost = || ServerCheck::Failed("the connection test could not run".to_owned());
    if let Some(result) = staff.server_check.as_ref().and_then(|job| job.answer(lost)) {
        staff.view.server = result;
        staff.server_check = None;
    }
    // A check that was lost counts as a wrong PIN: it never opens the panel.
    if let Some(right) = staff
        .pin_check
        .as_ref()
        .and_then(|job| job.answer(|| false))
    {
        staff.pin_check = None;
        let outcome = staff.gate.record(time.elapsed(), right);
        staff.phase = pin_outcome_phase(outcome);
    }
}

/// The panel's next moment for the wake alarm (see [`Staff::wake_in`]).
fn write_staff_deadline(
    time: Res<Time<Real>>,
    staff: Res<Staff>,
    mut deadlines: ResMut<crate::wake::Deadlines>,
) {
    let now = time.elapsed();
    crate::wake::set_deadline(
        &mut deadlines,
        "staff",
        staff.wake_in(now).map(|wait| now + wait),
    );
}

fn refresh_staff_view(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    engagement: Res<Engagement>,
    today: Res<TodayNumbers>,
    mut staff: ResMut<Staff>,
) {
    if staff.phase == StaffPhase::Closed {
        return;
    }
    let now = time.elapsed();
    // The lockout notice counts down while the pad is on screen.
    if let StaffPhase::Pin {
        notice: Some(PinNotice::Locked { .. }),
    } = staff.phase
    {
        staff.phase = StaffPhase::Pin {
            notice: staff
                .gate
                .lock_remaining(now)
                .map(|remaining| PinNotice::Locked {
                    seconds_left: remaining.as_secs_f32().ceil() as u64,
                }),
        };
    }
    let server = staff.view.server.clone();
    let mut view = StaffView {
        phase: staff.phase.clone(),
        pin_digits: staff.pin.len(),
        version: env!("CARGO_PKG_VERSION"),
        kiosk_id: settings.kiosk_id.clone(),
        server,
        ..StaffView::default()
    };
    if staff.phase == StaffPhase::Open {
        // Staff read the kiosk's default language, the problems too.
        let staff_language =
            kepu_core::manifest::MessageLanguage::from_tag(settings.default_language())
                .unwrap_or(kepu_core::manifest::MessageLanguage::Chinese);
        view.shown = content
            .catalog
            .exhibits
            .iter()
            .map(|e| (e.id().to_owned(), e.manifest.kind.name()))
            .collect();
        view.left_out = content
            .catalog
            .rejected
            .iter()
            .map(|rejected| {
                let folder = rejected.folder.file_name().map_or_else(
                    || rejected.folder.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (
                    folder,
                    rejected
                        .problems
                        .iter()
                        .map(|p| p.header_in(staff_language))
                        .collect(),
                )
            })
            .collect();
        // The same figures the heartbeat reports, from the same place.
        let upload = engagement.uploader.as_ref().map(|u| u.status());
        let writer = engagement.writer.as_ref().map(|w| w.status());
        let health = crate::engagement::kiosk_health(
            Duration::ZERO,
            (
                content.catalog.exhibits.len(),
                content.catalog.rejected.len(),
            ),
            writer.clone(),
            upload.clone(),
            engagement.lost,
        );
        view.storage = StorageView {
            held_in_memory: health.held_in_memory,
            dropped: health.dropped_events,
            rolled_up: health.rolled_up_events,
            refused: health.refused_events,
            replaced: health
                .outbox_replaced
                .map(|r| (format_local_time(r.at_ms), r.lost_events)),
        };
        view.outbox_backlog = Some(health.outbox_backlog);
        // The writer's own words (SQLite's error, the file's path): they stay on this screen;
        // the heartbeat sends only their code.
        view.outbox_error = match writer {
            Some(status) => status.last_error,
            None => Some("the outbox writer could not be started".to_owned()),
        };
        view.last_upload = health.last_upload_ms.map(format_local_time);
        view.upload_error = upload.and_then(|u| u.last_error);
        view.paired = engagement.uploader.is_some();
        view.today = today.clone();
    }
    if staff.view != view {
        staff.view = view;
    }
}

fn format_local_time(unix_ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(unix_ms)
        .single()
        .map_or_else(
            || "?".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_five_second_hold_in_the_corner_fires_once() {
        let mut hold = CornerHold::default();
        hold.touch(1, TouchPhase::Started, Vec2::new(30.0, 40.0), S(10));
        assert!(!hold.fires(S(14)));
        assert_eq!(
            hold.fires_in(S(14)),
            Some(S(1)),
            "the window must wake to open the pad"
        );
        assert!(hold.fires(S(15)));
        assert_eq!(hold.fires_in(S(15)), None);
        assert!(!hold.fires(S(16)), "once per hold");
        hold.touch(1, TouchPhase::Ended, Vec2::new(30.0, 40.0), S(16));
        assert!(!hold.fires(S(30)));
    }

    #[test]
    fn leaving_the_corner_lifting_early_or_a_second_finger_cancels_the_hold() {
        let corner = Vec2::new(20.0, 20.0);
        let mut hold = CornerHold::default();
        hold.touch(1, TouchPhase::Started, corner, S(0));
        hold.touch(1, TouchPhase::Moved, Vec2::new(400.0, 20.0), S(1));
        assert!(!hold.fires(S(6)));
        hold.touch(1, TouchPhase::Ended, corner, S(6));

        let mut hold = CornerHold::default();
        hold.touch(1, TouchPhase::Started, corner, S(0));
        hold.touch(1, TouchPhase::Ended, corner, S(2));
        assert!(!hold.fires(S(6)));

        // A palm: another finger already on the screen when the corner is touched.
        let mut hold = CornerHold::default();
        hold.touch(7, TouchPhase::Started, Vec2::new(900.0, 500.0), S(0));
        hold.touch(8, TouchPhase::Started, corner, S(0));
        assert!(!hold.fires(S(6)));

        // Outside the corner never starts a hold.
        let mut hold = CornerHold::default();
        hold.touch(1, TouchPhase::Started, Vec2::new(500.0, 500.0), S(0));
        assert!(!hold.fires(S(6)));
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_then_the_right_pin_works() {
        let mut gate = PinGate::default();
        for tries_left in (1..MAX_WRONG_PINS).rev() {
            assert_eq!(
                gate.try_pin(S(0), || false),
                PinOutcome::Wrong { tries_left }
            );
        }
        assert_eq!(
            gate.try_pin(S(1), || false),
            PinOutcome::Locked { remaining: LOCKOUT }
        );
        // Locked: even the right PIN is refused, and is not checked at all.
        assert_eq!(
            gate.try_pin(S(100), || panic!("a locked gate must not check the PIN")),
            PinOutcome::Locked {
                remaining: LOCKOUT - S(99)
            }
        );
        assert_eq!(gate.try_pin(S(1) + LOCKOUT, || true), PinOutcome::Accepted);
        // After a success the count starts again.
        assert_eq!(
            gate.try_pin(S(400), || false),
            PinOutcome::Wrong {
                tries_left: MAX_WRONG_PINS - 1
            }
        );
    }

    /// Waits for a job's answer (at most 10 s).
    fn wait_for<T: Send + 'static>(job: &Job<T>, if_lost: fn() -> T) -> T {
        let started = std::time::Instant::now();
        loop {
            if let Some(answer) = job.answer(if_lost) {
                return answer;
            }
            assert!(started.elapsed() < S(10), "the job never answered");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_job_answers_and_a_job_whose_thread_dies_answers_with_the_fallback() {
        let job = Job::start("test-job", WindowWaker::default(), || 7);
        assert_eq!(wait_for(&job, || 0), 7);
        let job = Job::start("test-job", WindowWaker::default(), || -> u32 {
            panic!("the work failed (expected in this test)")
        });
        assert_eq!(wait_for(&job, || 0), 0);
    }

    #[test]
    fn today_counts_reset_at_midnight() {
        let at = |day: u32, hour: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, day)
                .and_then(|d| d.and_hms_opt(hour, 5, 0))
                .unwrap()
        };
        let mut today = TodayNumbers::default();
        let start = EventKind::SessionStart {
            language: "zh".into(),
            modes: Default::default(),
        };
        let open = |id: &str| EventKind::ExhibitOpen {
            exhibit_id: id.into(),
        };
        today.count(&start, at(28, 23));
        today.count(&start, at(29, 9));
        today.count(&open("b"), at(29, 9));
        today.count(&open("a"), at(29, 9));
        today.count(&open("b"), at(29, 10));
        today.count(&start, at(29, 10));
        assert_eq!(today.sessions, 2, "yesterday's session is not today's");
        assert_eq!(today.sessions_by_hour[9], 1);
        assert_eq!(today.sessions_by_hour[10], 1);
        assert_eq!(today.top_exhibits(5), vec![("b", 2), ("a", 1)]);
    }
}
