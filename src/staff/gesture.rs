//! The hidden gesture that asks for the staff panel: one finger resting on the screen's
//! top-left corner for five seconds.

use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use std::time::Duration;

/// How long a finger must rest on the corner.
pub const HOLD_TO_OPEN: Duration = Duration::from_secs(5);
/// The corner's size, in screen points from the top-left.
pub const CORNER_SIZE: f32 = 120.0;

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
}
