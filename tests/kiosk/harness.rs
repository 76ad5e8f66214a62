//! A headless kiosk on the sample exhibits, with helpers to touch it and read its outbox.

use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use kepu_core::config::KioskConfig;
use kepu_core::outbox::Outbox;
use kepu_core::wire::{EngagementEvent, EventKind};
use kepu_kiosk::content::{Content, KioskSettings};
use kepu_kiosk::engagement::Engagement;
use kepu_kiosk::ui::{LastUiFrame, UiCommand};
use kepu_kiosk::visit::{Screen, Visit};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Frames drawn after a tap before the next one, as a visitor looks before touching again.
const SETTLE_FRAMES: usize = 3;

/// How many swipes `reveal` tries each way before giving up.
const MAX_SWIPES: usize = 40;

/// One simulated frame.
pub const FRAME: Duration = Duration::from_millis(100);

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A kiosk.toml for the sample exhibits with its outbox in `dir`.
pub fn sample_config(dir: &Path, server_url: &str, idle_timeout_secs: u64) -> KioskConfig {
    config_for(dir, &repo_path("exhibits"), server_url, idle_timeout_secs)
}

/// A kiosk.toml in `dir` for the exhibits in `exhibits`.
pub fn config_for(
    dir: &Path,
    exhibits: &Path,
    server_url: &str,
    idle_timeout_secs: u64,
) -> KioskConfig {
    config_with(dir, exhibits, server_url, idle_timeout_secs, "")
}

/// A kiosk.toml with `extra` lines (top-level keys first, then tables) appended.
pub fn config_with(
    dir: &Path,
    exhibits: &Path,
    server_url: &str,
    idle_timeout_secs: u64,
    extra: &str,
) -> KioskConfig {
    let source = format!(
        "kiosk_id = \"test-kiosk\"\nserver_url = \"{server_url}\"\nexhibits_dir = \"{}\"\nidle_timeout_secs = {idle_timeout_secs}\n{extra}\n",
        exhibits.display()
    );
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, source).unwrap();
    KioskConfig::load(&path).unwrap()
}

pub struct Kiosk {
    pub app: App,
    pub config: KioskConfig,
    next_touch_id: u64,
}

impl Kiosk {
    pub fn new(config: KioskConfig, engagement: Engagement) -> Self {
        let settings = KioskSettings::from_config(&config);
        let content = Content::load(&config);
        Self::prepared(config, settings, content, engagement, |_| {})
    }

    /// A kiosk of these parts, to which `prepare` adds before the first frame (a preview).
    pub fn prepared(
        config: KioskConfig,
        mut settings: KioskSettings,
        content: Content,
        engagement: Engagement,
        prepare: impl FnOnce(&mut App),
    ) -> Self {
        // Tests wait for hot reloads: look at the folder often.
        settings.reload_poll = Duration::from_millis(50);
        let mut app = kepu_kiosk::headless_app(settings, content, engagement);
        app.insert_resource(TimeUpdateStrategy::ManualDuration(FRAME));
        prepare(&mut app);
        let mut kiosk = Self {
            app,
            config,
            next_touch_id: 1,
        };
        kiosk.frames(3);
        kiosk
    }

    /// A kiosk with an outbox in `dir` and no server, showing only the sample exhibits
    /// `playlist` names (touch tests that need two cards on screen at once).
    pub fn offline_with(dir: &Path, playlist: &[&str]) -> Self {
        let list: Vec<String> = playlist.iter().map(|id| format!("\"{id}\"")).collect();
        let extra = format!("playlist = [{}]", list.join(", "));
        let config = config_with(
            dir,
            &repo_path("exhibits"),
            "http://127.0.0.1:9",
            60,
            &extra,
        );
        Self::with_config(config)
    }

    /// A kiosk with an outbox in `dir` and no server.
    pub fn offline(dir: &Path, idle_timeout_secs: u64) -> Self {
        let config = sample_config(dir, "http://127.0.0.1:9", idle_timeout_secs);
        Self::with_config(config)
    }

    /// A kiosk for `config` with its outbox and no uploader.
    pub fn with_config(config: KioskConfig) -> Self {
        let engagement = Engagement::open(&config).unwrap();
        Self::new(config, engagement)
    }

    /// Every target of the last frame with its rectangle.
    pub fn target_rects(&self) -> Vec<(UiCommand, bevy_egui::egui::Rect)> {
        self.app
            .world()
            .resource::<LastUiFrame>()
            .targets
            .iter()
            .map(|t| (t.command.clone(), t.rect))
            .collect()
    }

    /// A finger rests at `position` for `duration` (in frames of one second), then lifts.
    pub fn hold_at(&mut self, position: Vec2, duration: Duration) {
        let id = self.next_touch_id;
        self.next_touch_id += 1;
        self.touch(id, TouchPhase::Started, position);
        self.app.update();
        self.app
            .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(1)));
        for _ in 0..duration.as_secs() {
            self.app.update();
        }
        self.app
            .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME));
        self.touch(id, TouchPhase::Ended, position);
        self.app.update();
        self.frames(SETTLE_FRAMES);
    }

    /// A finger goes down at `from`, slides to `to` over `steps` frames, and lifts.
    pub fn drag(&mut self, from: Vec2, to: Vec2, steps: usize) {
        let id = self.next_finger();
        self.touch(id, TouchPhase::Started, from);
        self.app.update();
        for step in 1..=steps {
            let at = from.lerp(to, step as f32 / steps as f32);
            self.touch(id, TouchPhase::Moved, at);
            self.app.update();
        }
        self.touch(id, TouchPhase::Ended, to);
        self.app.update();
        self.frames(SETTLE_FRAMES);
    }

    /// A fresh touch id, for tests that move fingers themselves.
    pub fn next_finger(&mut self) -> u64 {
        self.next_touch_id += 1;
        self.next_touch_id
    }

    pub fn frames(&mut self, n: usize) {
        for _ in 0..n {
            self.app.update();
        }
    }

    /// Lets `duration` pass in one frame, as when nobody touches the screen.
    pub fn wait(&mut self, duration: Duration) {
        self.app
            .insert_resource(TimeUpdateStrategy::ManualDuration(duration));
        self.app.update();
        self.app
            .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME));
    }

    pub fn screen(&self) -> Screen {
        *self.app.world().resource::<State<Screen>>().get()
    }

    pub fn visit(&self) -> &Visit {
        self.app.world().resource::<Visit>()
    }

    pub fn targets(&self) -> Vec<UiCommand> {
        self.app
            .world()
            .resource::<LastUiFrame>()
            .targets
            .iter()
            .map(|t| t.command.clone())
            .collect()
    }

    /// Where the button for `command` was drawn in the last frame.
    pub fn target_center(&self, command: &UiCommand) -> Vec2 {
        let frame = self.app.world().resource::<LastUiFrame>();
        let target = frame
            .targets
            .iter()
            .find(|t| t.command == *command)
            .unwrap_or_else(|| panic!("no {command:?} on screen; targets: {:?}", self.targets()));
        let center = target.rect.center();
        Vec2::new(center.x, center.y)
    }

    pub fn touch(&mut self, id: u64, phase: TouchPhase, position: Vec2) {
        self.app.world_mut().write_message(TouchInput {
            phase,
            position,
            window: Entity::PLACEHOLDER,
            force: None,
            id,
        });
    }

    /// A finger goes down on the button for `command` and lifts one frame later; a card
    /// further down the home screen is first brought into view, as a visitor would.
    pub fn tap(&mut self, command: UiCommand) {
        let position = self.reveal(&command);
        self.tap_at(position);
    }

    /// Where `command`'s button is once whole on screen: while it is not drawn (or only
    /// partly) on the home screen, a finger swipes the cards up, then back down.
    pub fn reveal(&mut self, command: &UiCommand) -> Vec2 {
        let whole = |kiosk: &Self| {
            kiosk
                .app
                .world()
                .resource::<LastUiFrame>()
                .targets
                .iter()
                .any(|t| t.command == *command && !t.clipped)
        };
        let size = self.app.world().resource::<LastUiFrame>().screen_size;
        // Within the cards in every mode (seated mode starts them at 40 % of the height, and
        // puts the bars at the bottom).
        let (x, low, high) = (size.x * 0.5, size.y * 0.62, size.y * 0.46);
        for swipe in 0..MAX_SWIPES * 2 {
            if whole(self) || self.screen() != Screen::Home {
                break;
            }
            let (from, to) = if swipe < MAX_SWIPES {
                (low, high)
            } else {
                (high, low)
            };
            self.drag(Vec2::new(x, from), Vec2::new(x, to), 6);
        }
        self.target_center(command)
    }

    pub fn tap_at(&mut self, position: Vec2) {
        let id = self.next_touch_id;
        self.next_touch_id += 1;
        self.touch(id, TouchPhase::Started, position);
        self.app.update();
        self.touch(id, TouchPhase::Ended, position);
        self.app.update();
        // Let the new screen settle (egui panels size themselves from the previous frame), so
        // its targets are where a visitor would see them.
        self.frames(SETTLE_FRAMES);
    }

    /// Waits until the outbox writer has written everything recorded so far.
    pub fn flush(&self) {
        let engagement = self.app.world().resource::<Engagement>();
        engagement.writer.as_ref().unwrap().flush().unwrap();
    }

    /// The events waiting in the outbox, oldest first.
    pub fn outbox_events(&self) -> Vec<EngagementEvent> {
        self.flush();
        Outbox::open(&self.config.outbox_path())
            .unwrap()
            .peek(10_000)
            .unwrap()
    }
}

pub fn type_names(events: &[EngagementEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event.type_name()).collect()
}

pub fn answer_events(events: &[EngagementEvent]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            EventKind::QuizAnswer {
                question_id,
                correct,
                ..
            } => Some((question_id.clone(), *correct)),
            _ => None,
        })
        .collect()
}

/// Copies a folder tree (the sample exhibits, for tests that edit them).
/// Runs frames until `done` holds; fails after a generous deadline (this is not a timing test:
/// the figure is in docs/performance.md).
pub fn run_until(kiosk: &mut Kiosk, what: &str, done: impl Fn(&Kiosk) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !done(kiosk) {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        kiosk.frames(1);
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One kiosk window at a time on the tests' X screen: windows coming and going redraw the
/// ones beneath (the idle test counts frames), and floor kiosks keep X's screen saver off,
/// one setting for the whole X server.
static SCREEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn alone_on_screen() -> std::sync::MutexGuard<'static, ()> {
    SCREEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
