//! Palm rejection: a hand resting on the glass presses nothing. Both hosts (window and
//! headless) watch every finger before they draw and drop the frame's commands while a palm is
//! on the screen.

use super::{LastUiFrame, UiCommand, UiOutput};
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;

/// Contacts landing together from which the touch is taken for a palm (or a forearm, or a
/// child leaning on the glass) rather than hands: two hands may tap at once, three contacts
/// arriving within [`PALM_WINDOW`] may not. Touch drivers report a palm as several ordinary
/// touches more often than they cancel it, and its first contact would otherwise press
/// whatever lies under it.
pub const PALM_CONTACTS: usize = 3;
/// How close together a palm's contacts land. Fingers resting on the glass for longer do not
/// make the next tap a palm.
pub const PALM_WINDOW: std::time::Duration = std::time::Duration::from_millis(300);
/// A contact with no news for this long is forgotten, and cancelled for egui as well (whose
/// pointer would otherwise wait for that finger forever): a driver that loses a touch's end (it
/// happens) must not leave the screen deaf, or turn later gestures into palms.
pub const STALE_CONTACTS: std::time::Duration = std::time::Duration::from_secs(10);

/// Watches every finger on the screen. Once a palm lands, nothing the UI asks for counts until
/// the contact that drives egui's pointer (the only one that can press or drag anything) has
/// lifted and fewer than [`PALM_CONTACTS`] of the palm's contacts remain. egui keeps its own
/// pointer state (press and release still reach it), so nothing jams; only the commands are
/// dropped.
#[derive(Resource, Debug, Default)]
pub struct PalmGuard {
    down: std::collections::HashMap<u64, Contact>,
    /// The contact driving egui's single pointer, chosen as bevy_egui chooses it: the first
    /// to land while no other drives it.
    pointer: Option<u64>,
    palm: Option<Palm>,
    /// The palm lifted in the last frame: its commands were dropped; from the next frame on
    /// the screen takes taps again.
    lifted: bool,
}

#[derive(Debug, Clone, Copy)]
struct Contact {
    landed: std::time::Duration,
    last_heard: std::time::Duration,
    window: Entity,
    position: Vec2,
}

#[derive(Debug, Default)]
struct Palm {
    /// egui's pointer when the palm landed: its release or drag end must not count.
    pointer: Option<u64>,
    members: std::collections::HashSet<u64>,
}

impl PalmGuard {
    /// A palm is on the screen, or lifted in this frame: the UI's commands do not count.
    pub fn holds_commands(&self) -> bool {
        self.palm.is_some()
    }

    /// Starts a frame at `now`: a palm that lifted last frame no longer counts, and contacts
    /// silent for [`STALE_CONTACTS`] are forgotten. Returns the forgotten contacts, as
    /// cancellations for egui.
    pub fn begin_frame(&mut self, now: std::time::Duration) -> Vec<TouchInput> {
        if self.lifted {
            self.palm = None;
            self.lifted = false;
        }
        let stale: Vec<u64> = self
            .down
            .iter()
            .filter(|(_, contact)| now.saturating_sub(contact.last_heard) >= STALE_CONTACTS)
            .map(|(id, _)| *id)
            .collect();
        stale
            .into_iter()
            .filter_map(|id| {
                let contact = self.lift(id)?;
                Some(TouchInput {
                    phase: TouchPhase::Canceled,
                    position: contact.position,
                    window: contact.window,
                    force: None,
                    id,
                })
            })
            .collect()
    }

    /// One touch event at `now`.
    pub fn track(&mut self, now: std::time::Duration, touch: &TouchInput) {
        let id = touch.id;
        match touch.phase {
            TouchPhase::Started => {
                self.down.insert(
                    id,
                    Contact {
                        landed: now,
                        last_heard: now,
                        window: touch.window,
                        position: touch.position,
                    },
                );
                if self.pointer.is_none() {
                    self.pointer = Some(id);
                }
                if let Some(palm) = &mut self.palm {
                    palm.members.insert(id);
                } else {
                    let landed_together: std::collections::HashSet<u64> = self
                        .down
                        .iter()
                        .filter(|(_, c)| now.saturating_sub(c.landed) <= PALM_WINDOW)
                        .map(|(id, _)| *id)
                        .collect();
                    if landed_together.len() >= PALM_CONTACTS {
                        self.palm = Some(Palm {
                            pointer: self.pointer,
                            members: landed_together,
                        });
                    }
                }
            }
            TouchPhase::Moved => {
                if let Some(contact) = self.down.get_mut(&id) {
                    contact.last_heard = now;
                    contact.position = touch.position;
                }
            }
            TouchPhase::Ended | TouchPhase::Canceled => {
                self.lift(id);
            }
        }
    }

    fn lift(&mut self, id: u64) -> Option<Contact> {
        if self.pointer == Some(id) {
            self.pointer = None;
        }
        self.down.remove(&id)
    }

    /// Ends the frame's touches: once the palm's pointer has lifted and too few of its
    /// contacts remain to be a palm, the next frame takes taps again.
    pub fn end_frame(&mut self) {
        if let Some(palm) = &self.palm {
            let pointer_down = palm.pointer.is_some_and(|p| self.down.contains_key(&p));
            let members_down = palm
                .members
                .iter()
                .filter(|m| self.down.contains_key(m))
                .count();
            if !pointer_down && members_down < PALM_CONTACTS {
                self.lifted = true;
            }
        }
    }
}

/// Reads the frame's touches (before bevy_egui does, so that forgotten contacts reach it as
/// cancellations in the same frame).
fn watch_for_palms(
    time: Res<Time<Real>>,
    mut touches: ResMut<Messages<TouchInput>>,
    mut cursor: Local<bevy::ecs::message::MessageCursor<TouchInput>>,
    mut guard: ResMut<PalmGuard>,
) {
    let now = time.elapsed();
    let forgotten = guard.begin_frame(now);
    for touch in cursor.read(&touches) {
        guard.track(now, touch);
    }
    guard.end_frame();
    if !forgotten.is_empty() {
        warn!(
            "{} touch(es) without news for {} s forgotten (the touch driver lost their end)",
            forgotten.len(),
            STALE_CONTACTS.as_secs()
        );
        touches.write_batch(forgotten);
    }
}

/// The UI's commands of this frame, unless a palm is on the screen.
pub(super) fn write_commands(
    out: UiOutput,
    guard: &PalmGuard,
    ui_commands: &mut MessageWriter<UiCommand>,
    last_frame: &mut LastUiFrame,
) {
    if !guard.holds_commands() {
        ui_commands.write_batch(out.commands);
    }
    last_frame.targets = out.targets;
}

/// Both hosts (window and headless) watch for palms before they draw.
pub(super) fn palm_plugin(app: &mut App) {
    app.init_resource::<PalmGuard>().add_systems(
        PreUpdate,
        watch_for_palms.before(bevy_egui::EguiPreUpdateSet::ProcessInput),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn touch(id: u64, phase: TouchPhase) -> TouchInput {
        TouchInput {
            phase,
            position: Vec2::new(100.0 * id as f32, 500.0),
            window: Entity::PLACEHOLDER,
            force: None,
            id,
        }
    }

    /// One frame of the guard at `now` with these touches: whether it holds the commands, and
    /// the contacts it forgot.
    fn frame(guard: &mut PalmGuard, now: Duration, touches: &[(u64, TouchPhase)]) -> (bool, usize) {
        let forgotten = guard.begin_frame(now);
        for &(id, phase) in touches {
            guard.track(now, &touch(id, phase));
        }
        guard.end_frame();
        (guard.holds_commands(), forgotten.len())
    }

    #[test]
    fn a_palm_holds_commands_until_its_pointer_lifts() {
        use TouchPhase::{Ended, Started};
        let mut guard = PalmGuard::default();
        // Two hands: no palm.
        assert!(!frame(&mut guard, S(1), &[(1, Started), (2, Started)]).0);
        // A third contact landing with them: a palm. Contact 1 drives the pointer.
        assert!(frame(&mut guard, S(1) + MS(100), &[(3, Started)]).0);
        // The others lift first: still held while contact 1 (the pointer) is down...
        assert!(frame(&mut guard, S(2), &[(2, Ended), (3, Ended)]).0);
        // ...and in the frame it lifts (its button would fire then); taps count after.
        assert!(frame(&mut guard, S(3), &[(1, Ended)]).0);
        assert!(!frame(&mut guard, S(3) + MS(20), &[]).0);
    }

    #[test]
    fn fingers_resting_on_the_glass_do_not_make_the_next_tap_a_palm() {
        use TouchPhase::{Ended, Moved, Started};
        let mut guard = PalmGuard::default();
        frame(&mut guard, S(1), &[(1, Started), (2, Started)]);
        // A second later, with both still resting and twitching, a tap elsewhere counts.
        frame(&mut guard, S(2), &[(1, Moved), (2, Moved)]);
        assert!(!frame(&mut guard, S(2) + MS(10), &[(3, Started)]).0);
        assert!(!frame(&mut guard, S(2) + MS(100), &[(3, Ended)]).0);
    }

    #[test]
    fn a_contact_whose_end_is_lost_is_forgotten_and_cancelled() {
        use TouchPhase::{Ended, Moved, Started};
        let mut guard = PalmGuard::default();
        // A palm whose ends the driver never sends: forgotten after STALE_CONTACTS, each as a
        // cancellation for egui, and the screen takes taps again.
        assert!(
            frame(
                &mut guard,
                S(10),
                &[(4, Started), (5, Started), (6, Started)]
            )
            .0
        );
        assert_eq!(
            frame(&mut guard, S(10) + STALE_CONTACTS / 2, &[]),
            (true, 0)
        );
        let forgotten_at = S(10) + STALE_CONTACTS;
        let (_, forgotten) = frame(&mut guard, forgotten_at, &[(7, Started)]);
        assert_eq!(forgotten, 3);
        // The tap that began as the palm was forgotten counts.
        let (held, _) = frame(&mut guard, forgotten_at + MS(100), &[(7, Ended)]);
        assert!(!held, "the screen must take taps again");
        frame(&mut guard, forgotten_at + MS(200), &[(7, Started)]);
        // A finger that keeps moving is never forgotten.
        frame(&mut guard, S(30), &[(7, Ended), (8, Started)]);
        for step in 1..=4 {
            let now = S(30) + STALE_CONTACTS * step / 2;
            assert_eq!(frame(&mut guard, now, &[(8, Moved)]).1, 0);
        }
    }
}
