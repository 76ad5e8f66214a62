//! Waking the sleeping window. The kiosk draws on input and otherwise only when something is
//! due (reactive mode: under a software renderer a frame of 1920x1080 costs a core for a fifth
//! of a second). Each feature writes the moment it next needs the screen into [`Deadlines`]; the
//! window host sets the [`WakeAlarm`] to the soonest; worker threads (reload, narration,
//! images, staff jobs) wake the window with a [`WindowWaker`] when their answer is in.

use bevy::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
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

/// The answering end of a worker thread: each answer is sent and the window woken, so that
/// it shows at once rather than at the next touch.
pub struct Reply<T> {
    sender: Sender<T>,
    waker: WindowWaker,
}

impl<T> Reply<T> {
    /// Sends `answer` and wakes the window; `false` when nobody listens any more (the kiosk
    /// has ended): the worker should stop.
    pub fn send(&self, answer: T) -> bool {
        if self.sender.send(answer).is_err() {
            return false;
        }
        self.waker.wake();
        true
    }
}

/// What a worker thread answers, for a system to read each frame. The receiver sits behind a
/// mutex only to make it `Sync` for a Bevy resource; one system reads it.
pub struct Answers<T>(Mutex<Receiver<T>>);

impl<T: Send + 'static> Answers<T> {
    /// Runs `work` on a thread named `name`; it answers through its [`Reply`].
    pub fn spawn(
        name: &str,
        waker: WindowWaker,
        work: impl FnOnce(Reply<T>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel();
        let reply = Reply { sender, waker };
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || work(reply))?;
        Ok(Self(Mutex::new(receiver)))
    }

    /// Answers from a worker that could not be started: none ever comes.
    pub fn disconnected() -> Self {
        Self(Mutex::new(mpsc::channel().1))
    }

    /// One piece of slow work (a PIN hash, a connection test) whose answer comes back once. A
    /// thread that cannot start is logged, and the job answers as one whose thread died.
    pub fn job(name: &str, waker: WindowWaker, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::spawn(name, waker, move |reply| {
            reply.send(work());
        })
        .unwrap_or_else(|err| {
            error!("cannot start the {name} thread: {err}");
            Self::disconnected()
        })
    }

    /// Every answer waiting, oldest first.
    pub fn drain(&self) -> Vec<T> {
        self.0
            .lock()
            .map(|receiver| receiver.try_iter().collect())
            .unwrap_or_default()
    }

    /// The newest answer waiting (older ones are dropped: only the latest counts).
    pub fn latest(&self) -> Option<T> {
        self.drain().pop()
    }

    /// The next answer, once it is there; `if_lost` when the worker ended without one (it
    /// panicked, or never started), so that nobody waits forever.
    pub fn answer_or(&self, if_lost: impl FnOnce() -> T) -> Option<T> {
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

    fn wait_for<T: Send + 'static>(job: &Answers<T>, if_lost: fn() -> T) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(answer) = job.answer_or(if_lost) {
                return answer;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the job never answered"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_job_answers_and_a_job_whose_thread_dies_answers_with_the_fallback() {
        let job = Answers::job("test-job", WindowWaker::default(), || 7);
        assert_eq!(wait_for(&job, || 0), 7);
        let job = Answers::job("test-job", WindowWaker::default(), || -> u32 {
            panic!("the work failed");
        });
        assert_eq!(wait_for(&job, || 0), 0);
    }

    #[test]
    fn a_worker_answers_many_times_and_the_latest_counts() {
        let (go, started) = mpsc::channel::<()>();
        let answers = Answers::spawn("test-worker", WindowWaker::default(), move |reply| {
            for n in 1..=3 {
                reply.send(n);
            }
            let _ = go.send(());
        })
        .unwrap_or_else(|err| panic!("{err}"));
        started
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(answers.latest(), Some(3));
        assert_eq!(answers.latest(), None, "the older answers went with it");
    }
}
