//! When the sleeping window must draw by itself: the attract loop's fades, "Still there?",
//! a running simulation, and the soonest of every feature's [`Deadlines`]. The plan is pure
//! ([`wake_plan`]); [`keep_animating`] sets the wake alarm to it each frame.

use crate::content::KioskSettings;
use crate::visit::{Screen, Visit};
use crate::wake::{Deadlines, LONGEST_SLEEP, WakeAlarm};
use bevy::prelude::*;

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

pub(super) fn keep_animating(
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
