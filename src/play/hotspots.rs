//! A hotspots image for one visitor: where they zoomed, which card is open, and in a search
//! (`mode = "find"`) which regions they have found and when they last found one.

use crate::content::Content;
use crate::ui::HotspotsCommand;
use crate::visit::{Player, Visit};
use crate::wake::{Deadlines, set_deadline};
use bevy::prelude::*;
use kepu_core::hotspots::ZoomPan;
use kepu_core::manifest::{ExhibitManifest, Hotspot, HotspotsMode};
use kepu_core::wire::EventKind;
use std::time::Duration;

/// How long a search goes without a find before the screen offers a hint: long enough to look
/// the picture over, short enough that a stuck visitor is helped before walking away.
pub const HINT_AFTER: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HotspotsProgress {
    pub view: ZoomPan,
    /// The hotspot whose card is open.
    pub open: Option<String>,
    /// The picture's size in its own pixels, which the regions are written in (the texture on
    /// screen is downscaled).
    pub image_size: Option<(u32, u32)>,
    /// In a search: the regions found, in the order they were found.
    pub found: Vec<String>,
    /// In a search: when the last region was found (time since the kiosk started).
    pub last_find: Option<Duration>,
}

impl HotspotsProgress {
    pub fn apply(
        &mut self,
        manifest: &ExhibitManifest,
        command: &HotspotsCommand,
        now: Duration,
    ) -> Vec<EventKind> {
        match command {
            HotspotsCommand::OpenHotspot(id) => self.open(manifest, id, now),
            HotspotsCommand::CloseHotspot => {
                self.close_card();
                Vec::new()
            }
            HotspotsCommand::ZoomImage { factor, focus } => {
                self.view
                    .zoom_by(f64::from(*factor), (f64::from(focus.0), f64::from(focus.1)));
                Vec::new()
            }
            HotspotsCommand::PanImage(dx, dy) => {
                self.view.pan_by((f64::from(*dx), f64::from(*dy)));
                Vec::new()
            }
        }
    }

    /// Reads the picture's size from its header (a few bytes, not a decode).
    pub fn new(exhibit: &kepu_core::manifest::Exhibit) -> Self {
        let image_size = exhibit.manifest.image.as_ref().and_then(|image| {
            image::ImageReader::open(exhibit.asset_path(image))
                .ok()?
                .with_guessed_format()
                .ok()?
                .into_dimensions()
                .ok()
        });
        Self {
            image_size,
            ..Self::default()
        }
    }

    /// Opens a hotspot's card (a tap on its region or its list entry); in a search, the first
    /// opening of a region is its find. The event is the same either way: a find is the first
    /// `hotspot_open` of a region in a session.
    pub fn open(
        &mut self,
        manifest: &ExhibitManifest,
        hotspot_id: &str,
        now: Duration,
    ) -> Vec<EventKind> {
        if !manifest.hotspots.iter().any(|h| h.id == hotspot_id) {
            return Vec::new();
        }
        if manifest.hotspots_mode() == HotspotsMode::Find
            && !self.found.iter().any(|id| id == hotspot_id)
        {
            self.found.push(hotspot_id.to_owned());
            self.last_find = Some(now);
        }
        self.open = Some(hotspot_id.to_owned());
        vec![EventKind::HotspotOpen {
            exhibit_id: manifest.id.clone(),
            hotspot_id: hotspot_id.to_owned(),
        }]
    }

    pub fn close_card(&mut self) {
        self.open = None;
    }

    /// Whether the visitor may see a region: always in explore mode, once found in a search.
    pub fn is_revealed(&self, manifest: &ExhibitManifest, hotspot_id: &str) -> bool {
        manifest.hotspots_mode() == HotspotsMode::Explore
            || self.found.iter().any(|id| id == hotspot_id)
    }

    /// In a search: whether every region has been found.
    pub fn all_found(&self, manifest: &ExhibitManifest) -> bool {
        manifest.hotspots.iter().all(|h| self.found.contains(&h.id))
    }

    /// When the next hint is due (time since the kiosk started): [`HINT_AFTER`] past the last
    /// find, or past the opening of the exhibit before the first; `None` outside a search and
    /// once everything is found.
    pub fn hint_due(&self, manifest: &ExhibitManifest, opened_at: Duration) -> Option<Duration> {
        (manifest.hotspots_mode() == HotspotsMode::Find && !self.all_found(manifest))
            .then(|| self.last_find.unwrap_or(opened_at) + HINT_AFTER)
    }

    /// The region to hint at `now`, if a hint is due: the first in the manifest not found yet.
    pub fn hint<'m>(
        &self,
        manifest: &'m ExhibitManifest,
        opened_at: Duration,
        now: Duration,
    ) -> Option<&'m Hotspot> {
        let due = self.hint_due(manifest, opened_at)?;
        if now < due {
            return None;
        }
        manifest
            .hotspots
            .iter()
            .find(|h| !self.found.contains(&h.id))
    }
}

/// A search's hint must appear on time on a window that sleeps until touched: its moment is a
/// wake deadline while a search is open (checked read-only, so nothing is marked changed).
pub fn hint_deadline(visit: Res<Visit>, content: Res<Content>, mut deadlines: ResMut<Deadlines>) {
    let due = visit.open.as_ref().and_then(|open| match &open.player {
        Player::Hotspots(spots) => content
            .catalog
            .exhibits
            .get(open.index)
            .and_then(|exhibit| spots.hint_due(&exhibit.manifest, open.opened_at)),
        _ => None,
    });
    set_deadline(&mut deadlines, "hotspot-hint", due);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search() -> ExhibitManifest {
        toml::from_str(
            r#"id = "spots"
kind = "hotspots"
title = { en = "Spots" }
image = "pic.png"
mode = "find"

[[hotspots]]
id = "a"
title = { en = "A" }
text = { en = "About A" }
rect = [0, 0, 10, 10]

[[hotspots]]
id = "b"
title = { en = "B" }
text = { en = "About B" }
circle = [50, 50, 5]
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_search_reveals_what_is_found_and_hints_after_a_pause_without_a_find() {
        let manifest = search();
        let opened = Duration::from_secs(100);
        let mut spots = HotspotsProgress::default();
        assert!(!spots.is_revealed(&manifest, "a"));
        assert_eq!(spots.hint_due(&manifest, opened), Some(opened + HINT_AFTER));
        assert!(
            spots
                .hint(&manifest, opened, opened + HINT_AFTER / 2)
                .is_none()
        );
        assert_eq!(
            spots
                .hint(&manifest, opened, opened + HINT_AFTER)
                .map(|h| h.id.as_str()),
            Some("a")
        );

        let found_at = opened + Duration::from_secs(30);
        let events = spots.open(&manifest, "a", found_at);
        assert_eq!(events.len(), 1, "a find is a hotspot_open");
        assert!(spots.is_revealed(&manifest, "a") && !spots.is_revealed(&manifest, "b"));
        assert_eq!(spots.found, ["a"]);
        // A find starts the pause again, and the hint moves on to what is still hidden.
        assert_eq!(
            spots.hint_due(&manifest, opened),
            Some(found_at + HINT_AFTER)
        );
        assert_eq!(
            spots
                .hint(&manifest, opened, found_at + HINT_AFTER)
                .map(|h| h.id.as_str()),
            Some("b")
        );
        // Opening a found region again is no new find.
        spots.open(&manifest, "a", found_at + Duration::from_secs(5));
        assert_eq!(spots.last_find, Some(found_at));

        spots.open(&manifest, "b", found_at + Duration::from_secs(40));
        assert!(spots.all_found(&manifest));
        assert_eq!(
            spots.hint_due(&manifest, opened),
            None,
            "nothing left to hint"
        );
    }

    #[test]
    fn explore_mode_shows_every_region_and_never_hints() {
        let mut manifest = search();
        manifest.mode = None;
        let spots = HotspotsProgress::default();
        assert!(spots.is_revealed(&manifest, "a") && spots.is_revealed(&manifest, "b"));
        assert_eq!(spots.hint_due(&manifest, Duration::ZERO), None);
        let mut spots = spots;
        spots.open(&manifest, "a", Duration::from_secs(1));
        assert!(spots.found.is_empty(), "explore mode keeps no finds");
    }
}
