//! Wrong-PIN counting and the lockout: five wrong PINs in a row lock the pad for five minutes.

use std::time::Duration;

/// Wrong PINs in a row before the lockout.
pub const MAX_WRONG_PINS: u32 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

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

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

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
}
