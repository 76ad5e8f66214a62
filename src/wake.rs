//! Waking the sleeping window. The kiosk draws on input and otherwise only when something is
//! due (reactive mode: under a software renderer a frame of 1920x1080 costs a core for a fifth
//! of a second). Each feature writes the moment it next needs the screen into [`Deadlines`]; the
//! window host sets the [`WakeAlarm`] to the soonest; worker threads (reload, narration,
//! images, staff jobs) wake the window with a [`WindowWaker`] when their answer is in.

use bevy::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Deadlines>();
}

/// The longest the window sleeps with nothing due: a safety net (everything that needs the
/// screen wakes it itself: the wake alarm, touches, worker threads).
pub const LONGEST_SLEEP: Duration = Duration::from_secs(600);

/// When each feature next needs a frame, in time since start: the next heartbeat, the staff
/// panel's lockout countdown or job. A feature with nothing due removes its entry.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Deadlines(BTreeMap<&'static str, Duration>);

impl Deadlines {
    /// `owner`'s next moment, or `None` when it needs nothing.
    pub fn set(&mut self, owner: &'static str, at: Option<Duration>) {
        match at {
            Some(at) => {
                self.0.insert(owner, at);
            }
            None => {
                self.0.remove(owner);
            }
        }
    }

    pub fn get(&self, owner: &str) -> Option<Duration> {
        self.0.get(owner).copied()
    }

    /// How long from `now` until the soonest deadline (zero for one already past).
    pub fn soonest_in(&self, now: Duration) -> Option<Duration> {
        self.0.values().min().map(|at| at.saturating_sub(now))
    }
}

/// Writes `owner`'s deadline only when it changed, so a resource written every frame is not
/// marked changed every frame.
pub fn set_deadline(deadlines: &mut ResMut<Deadlines>, owner: &'static str, at: Option<Duration>) {
    if deadlines.get(owner) != at {
        deadlines.set(owner, at);
    }
}

/// An alarm clock for the sleeping window: wakes it at the moment something is due.
///
/// Bevy's own reactive wait cannot do this: it counts from the last time the wait ran out, not
/// from the last frame, and changing it redraws at once, so a deadline recomputed every frame
/// kept the window awake. The window's own wait stays at [`LONGEST_SLEEP`]; this thread rings
/// earlier.
#[derive(Resource)]
pub struct WakeAlarm {
    shared: std::sync::Arc<AlarmShared>,
}

#[derive(Default)]
struct AlarmShared {
    /// When to ring; `None` when nothing is set. `stop` ends the thread.
    state: std::sync::Mutex<(Option<std::time::Instant>, bool)>,
    changed: std::sync::Condvar,
}

impl WakeAlarm {
    pub fn start(waker: WindowWaker) -> Option<Self> {
        let shared = std::sync::Arc::new(AlarmShared::default());
        let thread_shared = std::sync::Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("wake-alarm".into())
            .spawn(move || ring_when_due(&thread_shared, &waker));
        match spawned {
            Ok(_) => Some(Self { shared }),
            Err(err) => {
                error!("cannot start the wake alarm; the screen updates on touch only: {err}");
                None
            }
        }
    }

    /// Rings at `at` instead of whatever was set (a change under 5 ms is not worth a wake-up of
    /// the alarm thread).
    pub fn set(&self, at: std::time::Instant) {
        let Ok(mut state) = self.shared.state.lock() else {
            return;
        };
        let close = state
            .0
            .is_some_and(|set| set.max(at) - set.min(at) < std::time::Duration::from_millis(5));
        if !close {
            state.0 = Some(at);
            self.shared.changed.notify_one();
        }
    }
}

impl Drop for WakeAlarm {
    fn drop(&mut self) {
        if let Ok(mut state) = self.shared.state.lock() {
            state.1 = true;
            self.shared.changed.notify_one();
        }
    }
}

fn ring_when_due(shared: &AlarmShared, waker: &WindowWaker) {
    let Ok(mut state) = shared.state.lock() else {
        return;
    };
    loop {
        if state.1 {
            return;
        }
        state = match state.0 {
            None => match shared.changed.wait(state) {
                Ok(state) => state,
                Err(_) => return,
            },
            Some(at) => {
                let now = std::time::Instant::now();
                if now >= at {
                    state.0 = None;
                    waker.wake();
                    state
                } else {
                    match shared.changed.wait_timeout(state, at - now) {
                        Ok((state, _)) => state,
                        Err(_) => return,
                    }
                }
            }
        };
    }
}

/// Wakes the sleeping window from another thread (a reloaded exhibit folder, the end of a
/// narration) so what changed shows at once rather than at the next touch. Without a window
/// (headless tests) it does nothing: the app updates continuously there.
#[derive(Clone, Default)]
pub struct WindowWaker(Option<bevy::winit::EventLoopProxy<bevy::winit::WinitUserEvent>>);

impl WindowWaker {
    pub fn from_world(proxy: Option<&bevy::winit::EventLoopProxyWrapper>) -> Self {
        Self(proxy.map(|proxy| (**proxy).clone()))
    }

    /// The waker of `app`'s window, for a plugin to hand to the thread it starts.
    pub fn for_app(app: &App) -> Self {
        Self::from_world(
            app.world()
                .get_resource::<bevy::winit::EventLoopProxyWrapper>(),
        )
    }

    pub fn wake(&self) {
        if let Some(proxy) = &self.0 {
            // Fails only when the event loop has ended: then nobody needs waking.
            let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soonest_deadline_counts_from_now_and_a_cleared_one_is_gone() {
        let mut deadlines = Deadlines::default();
        assert_eq!(deadlines.soonest_in(Duration::from_secs(1)), None);
        deadlines.set("heartbeat", Some(Duration::from_secs(70)));
        deadlines.set("staff", Some(Duration::from_secs(30)));
        assert_eq!(
            deadlines.soonest_in(Duration::from_secs(10)),
            Some(Duration::from_secs(20))
        );
        deadlines.set("staff", None);
        assert_eq!(
            deadlines.soonest_in(Duration::from_secs(10)),
            Some(Duration::from_secs(60))
        );
        // Past due: wake at once.
        assert_eq!(
            deadlines.soonest_in(Duration::from_secs(80)),
            Some(Duration::ZERO)
        );
    }
}
