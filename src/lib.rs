//! kepu-kiosk: the touchscreen exhibit kiosk. `main.rs` parses the command line; this crate
//! composes one plugin per feature:
//!
//! - [`content`]: the exhibits and `kiosk.toml` settings;
//! - [`session`]: visitor sessions, idle timeout, applying the visitor's commands;
//! - [`play`]: the hotspots, simulation and sort players' state and commands;
//! - [`engagement`]: events into the durable outbox, uploader to the server;
//! - [`narration`]: story pages read out, on the audio thread;
//! - [`reload`]: hot reload of the exhibits folder, never under a visitor's feet;
//! - [`staff`]: the PIN-protected staff panel behind a hidden corner gesture;
//! - [`ui`]: the egui screens, theme, images, and the window or headless host;
//! - [`automation`]: screenshot-and-exit runs for render tests and figures;
//! - [`autopilot`]: synthetic visitors for soak, end-to-end and demo runs.

pub mod automation;
pub mod autopilot;
pub mod content;
pub mod engagement;
pub mod narration;
pub mod play;
pub mod reload;
pub mod session;
pub mod staff;
pub mod ui;
pub mod visit;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use content::{Content, KioskSettings};
use engagement::Engagement;
use visit::Screen;

/// The order of the kiosk's `Update` systems within a frame.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum KioskSet {
    /// The headless UI host draws and turns touches into commands.
    Ui,
    /// Raw input keeps the session alive.
    Input,
    /// Visitor commands change the visit and screen.
    Commands,
    /// Timeouts end sessions.
    Session,
    /// Engagement events go to the outbox.
    Record,
}

/// Everything the kiosk is, apart from the window/renderer and the UI host.
pub fn kiosk_plugins(
    app: &mut App,
    settings: KioskSettings,
    content: Content,
    engagement: Engagement,
) {
    app.configure_sets(
        Update,
        (
            KioskSet::Ui,
            KioskSet::Input,
            KioskSet::Commands,
            KioskSet::Session,
            KioskSet::Record,
        )
            .chain(),
    )
    .init_state::<Screen>()
    .insert_resource(settings)
    .insert_resource(content)
    .insert_resource(engagement)
    .add_plugins((
        ui::plugin,
        content::plugin,
        session::plugin,
        engagement::plugin,
        narration::plugin,
        reload::plugin,
        staff::plugin,
        play::plugin,
    ));
}

/// A kiosk without window or renderer, driven by `TouchInput` messages and manual time: what the
/// headless tests run (MinimalPlugins + StatesPlugin + InputPlugin + the kiosk's plugins).
pub fn headless_app(settings: KioskSettings, content: Content, engagement: Engagement) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin, bevy::input::InputPlugin));
    kiosk_plugins(&mut app, settings, content, engagement);
    app.add_plugins(ui::host::headless_plugin);
    app
}
