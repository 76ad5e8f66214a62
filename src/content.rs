//! The exhibits this kiosk shows, and the settings from `kiosk.toml` the screens need.

use crate::ui::images::{ImageCache, ImageUse};
use crate::visit::Visit;
use bevy::prelude::*;
use kepu_core::config::KioskConfig;
use kepu_core::manifest::{Catalog, load_catalog};
use kepu_core::wire::AccessibilityModes;
use std::sync::Arc;
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            request_thumbnails.run_if(resource_changed::<Content>),
            request_open_exhibit_images
                .run_if(resource_changed::<Visit>.or_else(resource_changed::<Content>)),
        ),
    );
}

/// The exhibits this kiosk shows (`catalog`: arranged by the playlist, playable kinds only),
/// and everything found on disk (`loaded`), which hot reload compares new versions against.
#[derive(Resource, Debug, Clone)]
pub struct Content {
    pub catalog: Catalog,
    pub loaded: Catalog,
    pub config: Arc<KioskConfig>,
}

impl Content {
    /// Loads every exhibit folder, logging each problem; never fails as a whole.
    pub fn load(config: &KioskConfig) -> Self {
        let loaded = load_catalog(&config.exhibits_dir, &config.validation_rules());
        Self::from_loaded(Arc::new(config.clone()), loaded)
    }

    /// What to show, from what was found on disk.
    pub fn from_loaded(config: Arc<KioskConfig>, loaded: Catalog) -> Self {
        let mut catalog = loaded.clone();
        config.arrange(&mut catalog);
        for problem in catalog.all_problems() {
            warn!("{problem}");
        }
        info!(
            "{} exhibits to show from {}, {} left out",
            catalog.exhibits.len(),
            config.exhibits_dir.display(),
            catalog.rejected.len()
        );
        Self {
            catalog,
            loaded,
            config,
        }
    }
}

/// What the screens and sessions need from `kiosk.toml`.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct KioskSettings {
    pub kiosk_id: String,
    /// First = default at the start of every session.
    pub languages: Vec<String>,
    pub idle_timeout: Duration,
    /// How long "Still there?" counts down before the session ends.
    pub idle_countdown: Duration,
    /// Where decoded thumbnails are kept between restarts.
    pub thumbnail_cache: Option<std::path::PathBuf>,
    /// How often the exhibits folder is checked for a curator's changes.
    pub reload_poll: Duration,
    /// The accessibility modes every session starts with.
    pub access_defaults: AccessibilityModes,
    /// The staff PIN's hash; without one the staff panel cannot open.
    pub staff_pin_hash: Option<String>,
    /// Time between heartbeats (`[engagement] heartbeat_minutes`).
    pub heartbeat_every: Duration,
    /// How long each attract slide stays, and whose pictures it shows (all when `None`).
    pub attract_slide: Duration,
    pub attract_exhibits: Option<Vec<String>>,
    /// 15 mm on this kiosk's screen (kiosk.toml `[screen]`), in pixels: no touch target is
    /// smaller, and the text sizes follow from the same density (`Theme::for_screen`: 5 mm
    /// capitals for body text, 12 mm for headings).
    pub min_target_px: f32,
}

impl KioskSettings {
    pub fn from_config(config: &KioskConfig) -> Self {
        Self {
            kiosk_id: config.kiosk_id.clone(),
            languages: config.languages.clone(),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            idle_countdown: Duration::from_secs(config.idle_countdown_secs),
            thumbnail_cache: Some(config.data_dir.join("thumbnails")),
            reload_poll: Duration::from_millis(500),
            access_defaults: AccessibilityModes {
                large_text: config.accessibility.large_text,
                high_contrast: config.accessibility.high_contrast,
                seated: config.accessibility.seated,
            },
            staff_pin_hash: config.staff_pin_hash.clone(),
            heartbeat_every: Duration::from_secs(config.engagement.heartbeat_minutes * 60),
            attract_slide: Duration::from_secs(u64::from(config.attract.slide_secs.max(2))),
            attract_exhibits: config.attract.exhibits.clone(),
            min_target_px: crate::ui::theme::fifteen_mm_in_pixels(
                config.screen.width_px,
                config.screen.height_px,
                config.screen.diagonal_inches,
            ),
        }
    }

    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("zh", String::as_str)
    }
}

fn request_thumbnails(content: Res<Content>, mut images: ResMut<ImageCache>) {
    for exhibit in &content.catalog.exhibits {
        if let Some(thumbnail) = &exhibit.manifest.thumbnail {
            images.request(&exhibit.asset_path(thumbnail), ImageUse::Thumbnail);
        }
    }
}

/// Decodes an exhibit's pictures when it opens, not at start, and releases those of the
/// exhibit the visitor left: memory holds the cards' thumbnails and what is on screen, however
/// many exhibits visitors open in a day.
fn request_open_exhibit_images(
    visit: Res<Visit>,
    content: Res<Content>,
    mut images: ResMut<ImageCache>,
) {
    let open = visit
        .open
        .as_ref()
        .and_then(|open| content.catalog.exhibits.get(open.index));
    let mut wanted: Vec<(std::path::PathBuf, ImageUse)> = Vec::new();
    if let Some(exhibit) = open {
        let manifest = &exhibit.manifest;
        let full_screen = manifest
            .pages
            .iter()
            .filter_map(|p| p.image.as_ref())
            .chain(manifest.questions.iter().filter_map(|q| q.image.as_ref()))
            .chain(manifest.image.as_ref())
            .map(|path| (exhibit.asset_path(path), ImageUse::FullScreen));
        let small = manifest
            .questions
            .iter()
            .flat_map(|q| q.choices.iter().filter_map(|c| c.image.as_ref()))
            .chain(manifest.items.iter().filter_map(|i| i.image.as_ref()))
            .chain(manifest.bins.iter().filter_map(|b| b.image.as_ref()))
            .chain(manifest.hotspots.iter().filter_map(|h| h.image.as_ref()))
            .map(|path| (exhibit.asset_path(path), ImageUse::Thumbnail));
        wanted.extend(full_screen.chain(small));
    }
    let thumbnails: std::collections::HashSet<std::path::PathBuf> = content
        .catalog
        .exhibits
        .iter()
        .filter_map(|e| e.manifest.thumbnail.as_ref().map(|t| e.asset_path(t)))
        .collect();
    images.retain(|path| thumbnails.contains(path) || wanted.iter().any(|(w, _)| w == path));
    for (path, image_use) in &wanted {
        images.request(path, *image_use);
    }
}
