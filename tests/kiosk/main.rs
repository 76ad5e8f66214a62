//! Kiosk integration tests, one binary (each test binary links all of Bevy):
//! - `cli`: `validate`, `new` and `schema` as a curator runs them;
//! - `flow`: headless kiosk driven by simulated touches and manual time;
//! - `first_run`: `run` without a kiosk.toml (the samples), the type sizes on screen;
//! - `end_to_end`: a real kepu-server process receives a headless session's events;
//! - `reload`: a curator's edits reach a running kiosk, never under a visitor's feet;
//! - `preview`: `kepu-kiosk preview`, headless and in a real window, through broken saves;
//! - `players`: sort (drag to a bin), simulation (drag a slider), hotspots (pinch, tap);
//! - `quiz`: every question type answered by touch, pools, time limit, results;
//! - `visitor`: accessibility modes, "I am a...", filters, several fingers at once;
//! - `staff`: the hidden gesture, PIN lockout and the staff panel;
//! - `soak`: 2,000 autopilot visitors, memory flat, nothing lost;
//! - `render`: the real kiosk in a window under Xvfb + lavapipe, checked by screenshot.

// Integration tests are test code throughout: a panic on unwrap is the clearest failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod cli;
mod end_to_end;
mod first_run;
mod flow;
mod health;
mod narration;
mod players;
mod preview;
mod quiz;
mod reload;
mod render;
mod render_players;
mod render_quiz;
mod soak;
mod staff;
mod visitor;
