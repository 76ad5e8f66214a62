//! Keeps the screen on while the kiosk is on the floor. X blanks the screen after some minutes
//! without input (its screen saver), and DPMS then switches the monitor off: the attract loop
//! would play to a dark screen and visitors would walk past a kiosk that looks broken. A thread
//! tells the X server, well within its timeout, that the screen is in use (`ForceScreenSaver
//! Reset`, as video players do): both the screen saver's and DPMS's idle timers start again.
//! It draws nothing and never wakes the window. `--windowed` (development) leaves the desktop's
//! screen saver alone.

use bevy::prelude::*;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ScreenSaver};

/// The longest wait between two resets: DPMS keeps its own timeouts, which core X cannot read,
/// and none is shorter than a minute in practice.
const LONGEST_WAIT: Duration = Duration::from_secs(30);
const SHORTEST_WAIT: Duration = Duration::from_millis(500);

/// Holds the thread: dropping it (the app ending) stops the thread.
#[derive(Resource)]
struct KeepAwake {
    _stop: mpsc::Sender<()>,
}

pub fn plugin(app: &mut App) {
    let (stop, stopped) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("screen-awake".into())
        .spawn(move || keep_the_screen_on(&stopped));
    match spawned {
        Ok(_) => {
            app.insert_resource(KeepAwake { _stop: stop });
        }
        Err(err) => error!("cannot start the screen-awake thread; the screen may blank: {err}"),
    }
}

fn keep_the_screen_on(stopped: &Receiver<()>) {
    let connection = match x11rb::connect(None) {
        Ok((connection, _screen)) => connection,
        Err(err) => {
            info!("no X display to keep awake ({err}); the screen saver is the system's business");
            return;
        }
    };
    loop {
        let wait = match reset_and_read_timeout(&connection) {
            Ok(timeout) => wait_for(timeout),
            Err(err) => {
                warn!("cannot keep the screen awake any more: {err}");
                return;
            }
        };
        match stopped.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Restarts the idle timers and returns the screen saver's timeout (zero: off).
fn reset_and_read_timeout(connection: &impl Connection) -> Result<Duration, String> {
    connection
        .force_screen_saver(ScreenSaver::RESET)
        .map_err(|err| err.to_string())?;
    let reply = connection
        .get_screen_saver()
        .map_err(|err| err.to_string())?
        .reply()
        .map_err(|err| err.to_string())?;
    Ok(Duration::from_secs(u64::from(reply.timeout)))
}

/// Half the screen saver's timeout, so a reset always comes in time; [`LONGEST_WAIT`] when it
/// is off or long (for DPMS).
pub fn wait_for(screen_saver_timeout: Duration) -> Duration {
    if screen_saver_timeout.is_zero() {
        return LONGEST_WAIT;
    }
    (screen_saver_timeout / 2).clamp(SHORTEST_WAIT, LONGEST_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_come_within_half_the_timeout_and_at_least_every_half_minute() {
        assert_eq!(wait_for(Duration::ZERO), LONGEST_WAIT);
        assert_eq!(wait_for(Duration::from_secs(600)), LONGEST_WAIT);
        assert_eq!(wait_for(Duration::from_secs(20)), Duration::from_secs(10));
        assert_eq!(wait_for(Duration::from_secs(1)), Duration::from_millis(500));
    }
}
