//! Kepu Kiosk core: everything the kiosk and the server share that does not need Bevy.
//!
//! - [`i18n`]: visitor-facing text in several languages;
//! - [`manifest`]: exhibit manifests (`exhibits/<id>/exhibit.toml`) and their validation;
//! - [`config`]: the kiosk's own `kiosk.toml`;
//! - [`hotspots`]: which region a tap lands in, and pinch-zoom bounds;
//! - [`pin`]: the staff PIN, stored only as a slow salted hash;
//! - [`quiz`]: quiz answering and scoring;
//! - [`sim`]: the simulation exhibits' physics (pendulum, projectile, orbit) at a fixed step;
//! - [`slider`]: a slider's range and step, and snapping a finger's value onto them;
//! - [`sort`]: one visitor's round of the sort game and its score;
//! - [`synthetic`]: synthetic visitors' event streams for tests, benchmarks and the demo
//!   (feature `synthetic`);
//! - [`wire`]: the engagement events and API bodies that travel between kiosk and server;
//! - [`outbox`]: the durable on-disk queue of events (feature `outbox`);
//! - [`uploader`]: the background sender of outbox batches (feature `uploader`).

pub mod config;
pub mod hotspots;
pub mod i18n;
pub mod manifest;
pub mod pin;
pub mod quiz;
pub mod sim;
pub mod slider;
pub mod sort;
pub mod wire;

#[cfg(feature = "synthetic")]
pub mod synthetic;

#[cfg(feature = "outbox")]
pub mod outbox;
#[cfg(feature = "uploader")]
pub mod uploader;

/// Milliseconds since the Unix epoch, the one clock every event uses.
pub fn now_unix_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
