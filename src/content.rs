//! The exhibits this kiosk shows, and the settings from `kiosk.toml` the screens need.

use crate::ui::images::{ImageCache, ImageUse};
use crate::visit::{Player, Visit};
use bevy::prelude::*;
use kepu_core::config::KioskConfig;
use kepu_core::manifest::{Catalog, ExhibitKind, ExhibitManifest, QuestionType, load_catalog};
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, request_thumbnails).add_systems(
        Update,
        request_open_exhibit_images.run_if(resource_changed::<Visit>),
    );
}

/// The exhibits loaded at start (invalid ones are left out and listed in `catalog.rejected`).
#[derive(Resource, Debug, Clone)]
pub struct Content {
    pub catalog: Catalog,
}

impl Content {
    /// Loads every exhibit folder, logging each problem; never fails as a whole.
    pub fn load(config: &KioskConfig) -> Self {
        let mut catalog = load_catalog(&config.exhibits_dir, &config.validation_rules());
        config.arrange(&mut catalog);
        catalog.exhibits.retain(|exhibit| {
            let playable = is_playable(&exhibit.manifest);
            if !playable {
                info!(
                    "exhibit \"{}\" is valid but this kiosk version has no player for it yet",
                    exhibit.id()
                );
            }
            playable
        });
        for problem in catalog.all_problems() {
            warn!("{problem}");
        }
        info!(
            "{} exhibits loaded from {}, {} left out",
            catalog.exhibits.len(),
            config.exhibits_dir.display(),
            catalog.rejected.len()
        );
        Self { catalog }
    }
}

/// Whether this kiosk version can play an exhibit: story and quiz with choice questions so far
/// (hotspots, simulation, sort and the other question types come with their players).
pub fn is_playable(manifest: &ExhibitManifest) -> bool {
    match manifest.kind {
        ExhibitKind::Story => true,
        ExhibitKind::Quiz => manifest.questions.iter().all(|q| {
            matches!(
                q.question_type,
                QuestionType::Single | QuestionType::ImageChoice
            )
        }),
        ExhibitKind::Hotspots | ExhibitKind::Simulation | ExhibitKind::Sort => false,
    }
}

/// What the screens and sessions need from `kiosk.toml`.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct KioskSettings {
    pub kiosk_id: String,
    /// First = default at the start of every session.
    pub languages: Vec<String>,
    pub idle_timeout: Duration,
}

impl KioskSettings {
    pub fn from_config(config: &KioskConfig) -> Self {
        Self {
            kiosk_id: config.kiosk_id.clone(),
            languages: config.languages.clone(),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
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

/// Decodes a story's pages when it opens, not at start: memory for what is on screen only.
fn request_open_exhibit_images(
    visit: Res<Visit>,
    content: Res<Content>,
    mut images: ResMut<ImageCache>,
) {
    let Some(open) = &visit.open else {
        return;
    };
    if !matches!(open.player, Player::Story { .. }) {
        return;
    }
    if let Some(exhibit) = content.catalog.exhibits.get(open.index) {
        for page in &exhibit.manifest.pages {
            if let Some(image) = &page.image {
                images.request(&exhibit.asset_path(image), ImageUse::FullScreen);
            }
        }
    }
}
