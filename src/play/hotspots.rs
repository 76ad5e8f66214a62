//! A hotspots image for one visitor: where they zoomed and which card is open.

use crate::ui::HotspotsCommand;
use kepu_core::hotspots::ZoomPan;
use kepu_core::manifest::ExhibitManifest;
use kepu_core::wire::EventKind;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HotspotsProgress {
    pub view: ZoomPan,
    /// The hotspot whose card is open.
    pub open: Option<String>,
    /// The picture's size in its own pixels, which the regions are written in (the texture on
    /// screen is downscaled).
    pub image_size: Option<(u32, u32)>,
}

impl HotspotsProgress {
    pub fn apply(
        &mut self,
        manifest: &ExhibitManifest,
        command: &HotspotsCommand,
    ) -> Vec<EventKind> {
        match command {
            HotspotsCommand::OpenHotspot(id) => self.open(manifest, id),
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

    /// Opens a hotspot's card (a tap on its region or its list entry).
    pub fn open(&mut self, manifest: &ExhibitManifest, hotspot_id: &str) -> Vec<EventKind> {
        if !manifest.hotspots.iter().any(|h| h.id == hotspot_id) {
            return Vec::new();
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
}
