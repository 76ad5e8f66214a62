//! kepu-kiosk: the touchscreen exhibit kiosk. `main.rs` parses the command line; this crate
//! composes one plugin per feature:
//!
//! - [`content`]: the exhibits and `kiosk.toml` settings;
//! - [`session`]: visitor sessions, idle timeout, applying the visitor's commands;
//! - [`play`]: the hotspots, simulation and sort players' state and commands;
//! - [`engagement`]: events into the durable outbox, uploader to the server;
//! - [`narration`]: story pages read out, on the audio thread;
//! - [`reload`]: hot reload of the exhibits folder, never under a visitor's feet;
//! - [`preview`]: `kepu-kiosk preview`, one exhibit for its curator, its problems on screen;
//! - [`staff`]: the PIN-protected staff panel behind a hidden corner gesture;
//! - [`ui`]: the egui screens, theme, images, and the window or headless host;
//! - [`wake`]: when the sleeping window must draw: every feature's deadline, the wake alarm,
//!   the waker worker threads use;
//! - [`automation`]: screenshot-and-exit runs for render tests and figures;
//! - [`autopilot`]: synthetic visitors for soak, end-to-end and demo runs.

pub mod automation;
pub mod autopilot;
pub mod content;
pub mod engagement;
pub mod narration;
pub mod play;
pub mod preview;
pub mod reload;
pub mod screen_awake;
pub mod session;
pub mod staff;
pub mod ui;
pub mod visit;
pub mod wake;

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
    /// The screen follows the visit and the staff panel (`session::follow_the_visit`).
    Screen,
    /// Engagement events go to the outbox.
    Record,
}

/// The kiosk's window. On the floor (`windowed` false): fullscreen, borderless, cursor hidden,
/// and a close request (Alt+F4 from a window manager, a stray keyboard) is ignored: only the
/// staff panel quits. `--windowed` is for development: a normal window that closes as usual.
pub fn window_plugin(windowed: bool, size: Option<(u32, u32)>) -> bevy::window::WindowPlugin {
    use bevy::window::{CursorOptions, MonitorSelection, Window, WindowMode, WindowPlugin};
    let mut window = Window {
        title: "Kepu Kiosk".into(),
        ..default()
    };
    if windowed {
        window.resolution = size.unwrap_or((1280, 720)).into();
    } else {
        window.mode = WindowMode::BorderlessFullscreen(MonitorSelection::Primary);
        window.decorations = false;
    }
    WindowPlugin {
        primary_window: Some(window),
        primary_cursor_options: Some(CursorOptions {
            visible: windowed,
            ..default()
        }),
        close_when_requested: windowed,
        ..default()
    }
}

/// On the floor: keeps the window over the whole primary monitor. A kiosk's X session often
/// has no window manager, and then nobody honours the fullscreen request: the window stayed at
/// 800x600 in a corner of the screen. The kiosk sizes and places it itself; under a window
/// manager that did its job the sizes already match and nothing happens.
pub fn cover_the_monitor_plugin(app: &mut App) {
    app.add_systems(Update, cover_the_monitor);
}

/// Asks this many times for one screen size, in case the display refuses it: a kiosk that
/// cannot cover the screen still shows what it can rather than asking every frame. A new
/// screen size (another monitor, a mode change) gets its own attempts.
const COVER_ATTEMPTS: u8 = 3;

fn cover_the_monitor(
    monitors: Query<&bevy::window::Monitor, With<bevy::window::PrimaryMonitor>>,
    mut windows: Query<&mut bevy::window::Window, With<bevy::window::PrimaryWindow>>,
    mut asked: Local<Option<((u32, u32), u8)>>,
) {
    let (Ok(monitor), Ok(mut window)) = (monitors.single(), windows.single_mut()) else {
        return;
    };
    let size = (monitor.physical_width, monitor.physical_height);
    let current = (
        window.resolution.physical_width(),
        window.resolution.physical_height(),
    );
    if size.0 == 0 || size.1 == 0 || current == size {
        return;
    }
    // The window reports its real size back (winit's resize events), so a size still different
    // here is a request that did not take.
    let attempts = match *asked {
        Some((asked_for, attempts)) if asked_for == size => attempts,
        _ => 0,
    };
    if attempts >= COVER_ATTEMPTS {
        return;
    }
    *asked = Some((size, attempts + 1));
    info!(
        "the window is {}x{} on a {}x{} screen: covering the screen",
        current.0, current.1, size.0, size.1
    );
    window.resolution.set_physical_resolution(size.0, size.1);
    window.position = bevy::window::WindowPosition::At(monitor.physical_position);
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
            KioskSet::Screen,
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
        wake::plugin,
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

#[cfg(test)]
mod tests {
    use bevy::window::WindowMode;

    /// The kiosk's domain modules (ARCHITECTURE.md, "Layers").
    const DOMAIN: &[&str] = &[
        "visit.rs",
        "session.rs",
        "content.rs",
        "play",
        "engagement.rs",
        "reload.rs",
        "narration.rs",
        "staff",
        "wake.rs",
        "preview.rs",
        "screen_awake.rs",
    ];

    /// What a domain module may take from `ui`: the commands it applies.
    const COMMAND_TYPES: &[&str] = &[
        "UiCommand",
        "SessionCommand",
        "StoryCommand",
        "QuizCommand",
        "SortCommand",
        "HotspotsCommand",
        "SimCommand",
        "StaffCommand",
    ];

    /// Crossings still there, each to go (issue 15): the image cache belongs to the domain
    /// (content asks for pictures, reload forgets them, the preview waits for them), and the
    /// theme should follow the visitor's modes from `ui`, not from `session`.
    const KNOWN_CROSSINGS: &[(&str, &str)] = &[
        ("content.rs", "images"),
        ("content.rs", "theme"),
        ("reload.rs", "images"),
        ("preview.rs", "images"),
        ("session.rs", "theme"),
        ("session.rs", "ActiveTheme"),
    ];

    /// Every `crate::ui::…` path a file names, as the first segment after `ui::` (or each name
    /// of a `crate::ui::{…}` group).
    fn ui_names(source: &str) -> Vec<String> {
        let mut names = Vec::new();
        for (at, _) in source.match_indices("crate::ui::") {
            let rest = &source[at + "crate::ui::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                names.extend(group.split(',').map(|n| n.trim().to_owned()));
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                names.push(rest[..end].to_owned());
            }
        }
        names.retain(|n| !n.is_empty());
        names
    }

    #[test]
    fn the_domain_takes_only_commands_from_the_ui() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for entry in DOMAIN {
            let path = src.join(entry);
            if path.is_dir() {
                for file in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    files.push((entry.to_string(), file.path()));
                }
            } else {
                files.push((entry.to_string(), path));
            }
        }
        assert!(files.len() > DOMAIN.len(), "{files:?}");
        let mut crossings = Vec::new();
        for (module, path) in &files {
            let source = std::fs::read_to_string(path).unwrap_or_default();
            assert!(!source.is_empty(), "cannot read {}", path.display());
            for name in ui_names(&source) {
                let known = KNOWN_CROSSINGS.contains(&(module.as_str(), name.as_str()));
                if !COMMAND_TYPES.contains(&name.as_str()) && !known {
                    crossings.push(format!("{} uses ui::{name}", path.display()));
                }
            }
        }
        assert!(
            crossings.is_empty(),
            "the domain reaches into ui: {crossings:?}"
        );
        // The check itself can fail.
        assert_eq!(
            ui_names("use crate::ui::theme::Theme; use crate::ui::{UiCommand, images};"),
            vec!["theme", "UiCommand", "images"]
        );
    }

    #[test]
    fn on_the_floor_the_window_is_fullscreen_without_cursor_and_cannot_be_closed() {
        let kiosk = super::window_plugin(false, None);
        let window = kiosk.primary_window.unwrap_or_else(|| panic!("no window"));
        assert!(matches!(window.mode, WindowMode::BorderlessFullscreen(_)));
        assert!(!window.decorations);
        assert_eq!(kiosk.primary_cursor_options.map(|c| c.visible), Some(false));
        assert!(!kiosk.close_when_requested, "Alt+F4 must not end the kiosk");
        // Development: a normal window of the asked size, which closes as usual.
        let dev = super::window_plugin(true, Some((1920, 1080)));
        let window = dev.primary_window.unwrap_or_else(|| panic!("no window"));
        assert_eq!(window.mode, WindowMode::Windowed);
        assert_eq!(window.resolution.physical_width(), 1920);
        assert!(dev.close_when_requested);
    }
}
