//! Kiosk integration tests, one binary (each test binary links all of Bevy):
//! - `flow`: headless kiosk driven by simulated touches and manual time;
//! - `end_to_end`: a real kepu-server process receives a headless session's events;
//! - `render`: the real kiosk in a window under Xvfb + lavapipe, checked by screenshot.

mod harness;

mod end_to_end;
mod flow;
mod render;
