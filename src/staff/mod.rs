//! The staff panel: opened by holding a finger on the screen's top-left corner for five seconds
//! and typing the staff PIN (kiosk.toml keeps only its hash). Five wrong PINs lock it for five
//! minutes. It shows what the kiosk loaded and left out, the state of the outbox and uploader,
//! and today's local numbers; it can reload the exhibits, test the server and quit the kiosk.
//! Visitors never see any of it: opening it ends any visitor session.

use crate::KioskSet;
use crate::content::KioskSettings;
use crate::engagement::{Engagement, ServerAddress, Track};
use crate::reload::ReloadNow;
use crate::ui::StaffCommand;
use crate::ui::UiCommand;
use crate::visit::Visit;
use crate::wake::Answers;
use crate::wake::WindowWaker;
use bevy::input::touch::TouchInput;
use bevy::prelude::*;
use kepu_core::wire::SessionEndReason;
use std::time::Duration;

mod gesture;
mod pin_gate;
mod today;
mod view;

pub use gesture::{CORNER_SIZE, CornerHold, HOLD_TO_OPEN};
pub use pin_gate::{LOCKOUT, MAX_WRONG_PINS, PinGate, PinOutcome};
pub use today::TodayNumbers;
use today::count_today;
use view::refresh_staff_view;
pub use view::{StaffView, StorageView};

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

/// An open panel nobody touches closes after this long.
pub const PANEL_IDLE_CLOSE: Duration = Duration::from_secs(120);
const MAX_PIN_DIGITS: usize = 12;

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
    server_check: Option<Answers<ServerCheck>>,
    pin_check: Option<Answers<bool>>,
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
                staff.pin_check = Some(Answers::job("pin-check", waker.0.clone(), move || {
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
                staff.server_check =
                    Some(Answers::job("server-check", waker.0.clone(), move || {
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
    if let Some(result) = staff
        .server_check
        .as_ref()
        .and_then(|job| job.answer_or(lost))
    {
        staff.view.server = result;
        staff.server_check = None;
    }
    // A check that was lost counts as a wrong PIN: it never opens the panel.
    if let Some(right) = staff
        .pin_check
        .as_ref()
        .and_then(|job| job.answer_or(|| false))
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
