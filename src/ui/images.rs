//! Exhibit images for the UI: decoded and downscaled on a worker thread (never on the render
//! thread), then handed to egui as textures.

use bevy::prelude::*;
use bevy_egui::egui;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ImageCache::start())
        .add_systems(Update, receive_decoded_images);
}

/// Largest size an image is kept at, per use: no larger than the screen needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageUse {
    Thumbnail,
    FullScreen,
}

impl ImageUse {
    fn max_size(self) -> (u32, u32) {
        match self {
            Self::Thumbnail => (640, 360),
            Self::FullScreen => (1920, 1080),
        }
    }
}

#[derive(Clone)]
pub enum ImageSlot {
    Loading,
    Ready(egui::TextureHandle),
    Failed(String),
}

/// The egui context the UI draws into, shared by whichever host runs the UI.
#[derive(Resource, Clone)]
pub struct UiContext(pub egui::Context);

type Decoded = (PathBuf, Result<egui::ColorImage, String>);

#[derive(Resource)]
pub struct ImageCache {
    slots: HashMap<PathBuf, ImageSlot>,
    requests: Sender<(PathBuf, ImageUse)>,
    // Mutex only to make the receiver `Sync` for a Bevy resource; one system reads it.
    decoded: Mutex<Receiver<Decoded>>,
}

impl ImageCache {
    fn start() -> Self {
        let (requests, request_receiver) = mpsc::channel::<(PathBuf, ImageUse)>();
        let (decoded_sender, decoded) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("image-decoder".into())
            .spawn(move || {
                for (path, image_use) in request_receiver {
                    let result = decode(&path, image_use);
                    if decoded_sender.send((path, result)).is_err() {
                        return;
                    }
                }
            });
        if let Err(err) = spawned {
            error!("cannot start the image decoder thread; images will not show: {err}");
        }
        Self {
            slots: HashMap::new(),
            requests,
            decoded: Mutex::new(decoded),
        }
    }

    /// Asks for an image; it shows up as `Ready` a few frames later.
    pub fn request(&mut self, path: &Path, image_use: ImageUse) {
        if self.slots.contains_key(path) {
            return;
        }
        let slot = match self.requests.send((path.to_path_buf(), image_use)) {
            Ok(()) => ImageSlot::Loading,
            Err(_) => ImageSlot::Failed("the image decoder has stopped".to_owned()),
        };
        self.slots.insert(path.to_path_buf(), slot);
    }

    pub fn get(&self, path: &Path) -> Option<&ImageSlot> {
        self.slots.get(path)
    }

    pub fn texture(&self, path: &Path) -> Option<&egui::TextureHandle> {
        match self.slots.get(path) {
            Some(ImageSlot::Ready(texture)) => Some(texture),
            _ => None,
        }
    }

    /// True when no requested image is still being decoded.
    pub fn is_settled(&self) -> bool {
        !self.slots.values().any(|s| matches!(s, ImageSlot::Loading))
    }
}

fn decode(path: &Path, image_use: ImageUse) -> Result<egui::ColorImage, String> {
    let image = image::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (max_w, max_h) = image_use.max_size();
    let image = if image.width() > max_w || image.height() > max_h {
        image.resize(max_w, max_h, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Ok(egui::ColorImage::from_rgba_unmultiplied(
        size,
        rgba.as_raw(),
    ))
}

fn receive_decoded_images(mut cache: ResMut<ImageCache>, ui: Option<Res<UiContext>>) {
    let Some(ui) = ui else {
        return;
    };
    let decoded: Vec<Decoded> = match cache.decoded.lock() {
        Ok(receiver) => receiver.try_iter().collect(),
        Err(_) => return,
    };
    for (path, result) in decoded {
        let slot = match result {
            Ok(image) => ImageSlot::Ready(ui.0.load_texture(
                path.display().to_string(),
                image,
                egui::TextureOptions::LINEAR,
            )),
            Err(err) => {
                warn!("cannot show image {err}");
                ImageSlot::Failed(err)
            }
        };
        cache.slots.insert(path, slot);
    }
}
