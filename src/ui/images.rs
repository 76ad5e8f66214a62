//! Exhibit images for the UI: decoded and downscaled on a worker thread (never on the render
//! thread), then handed to egui as textures.

use crate::wake::Answers;
use bevy::prelude::*;
use bevy_egui::egui;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};

pub(super) fn plugin(app: &mut App) {
    let thumbnail_cache = app
        .world()
        .get_resource::<crate::content::KioskSettings>()
        .and_then(|s| s.thumbnail_cache.clone());
    let waker = crate::wake::WindowWaker::for_app(app);
    app.insert_resource(ImageCache::start(thumbnail_cache, waker))
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
            Self::Thumbnail => (480, 270),
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
    decoded: Answers<Decoded>,
}

impl ImageCache {
    /// Starts the decoder thread; `waker` wakes the sleeping window when a picture is ready.
    fn start(thumbnail_cache: Option<PathBuf>, waker: crate::wake::WindowWaker) -> Self {
        let (requests, request_receiver) = mpsc::channel::<(PathBuf, ImageUse)>();
        let spawned = Answers::spawn("image-decoder", waker, move |decoded| {
            for (path, image_use) in request_receiver {
                let result = decode_cached(&path, image_use, thumbnail_cache.as_deref())
                    .map(|(size, rgba)| egui::ColorImage::from_rgba_unmultiplied(size, &rgba));
                if !decoded.send((path, result)) {
                    return;
                }
            }
        });
        let decoded = spawned.unwrap_or_else(|err| {
            error!("cannot start the image decoder thread; images will not show: {err}");
            Answers::disconnected()
        });
        Self {
            slots: HashMap::new(),
            requests,
            decoded,
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

    /// Forgets every image (after the exhibits changed on disk); they are decoded again when
    /// next asked for. A decode that was already under way still lands, possibly of the old
    /// picture, until the next change clears it.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Releases every image `keep` does not name; its texture memory goes with it. Pictures
    /// of an exhibit the visitor left are decoded again if someone opens it (thumbnails come
    /// back from the disk cache).
    pub fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.slots.retain(|path, _| keep(path));
    }

    /// True when no requested image is still being decoded.
    pub fn is_settled(&self) -> bool {
        !self.slots.values().any(|s| matches!(s, ImageSlot::Loading))
    }
}

/// Decoded pixels: size and RGBA bytes.
type Pixels = ([usize; 2], Vec<u8>);

fn decode(path: &Path, image_use: ImageUse) -> Result<Pixels, String> {
    let image = image::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (max_w, max_h) = image_use.max_size();
    let image = if image.width() > max_w || image.height() > max_h {
        image.resize(max_w, max_h, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    Ok((
        [rgba.width() as usize, rgba.height() as usize],
        rgba.into_raw(),
    ))
}

/// Thumbnails come from the disk cache when the source file is unchanged (same path, size and
/// modification time), so a restart does not decode every picture again. The cache is a
/// convenience: any failure to read or write it falls back to decoding.
pub fn decode_cached(
    path: &Path,
    image_use: ImageUse,
    cache: Option<&Path>,
) -> Result<Pixels, String> {
    let cache_file = match (image_use, cache) {
        (ImageUse::Thumbnail, Some(dir)) => {
            cache_key(path).map(|key| dir.join(format!("{key:016x}.rgba")))
        }
        _ => None,
    };
    if let Some(file) = &cache_file
        && let Some(pixels) = std::fs::read(file)
            .ok()
            .and_then(|bytes| parse_cached(&bytes))
    {
        return Ok(pixels);
    }
    let pixels = decode(path, image_use)?;
    if let Some(file) = &cache_file {
        let mut bytes = Vec::with_capacity(8 + pixels.1.len());
        for side in pixels.0 {
            bytes.extend_from_slice(&u32::try_from(side).unwrap_or(0).to_le_bytes());
        }
        bytes.extend_from_slice(&pixels.1);
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(file, bytes));
        if let Err(err) = written {
            warn!("cannot cache thumbnail {}: {err}", file.display());
        }
    }
    Ok(pixels)
}

fn cache_key(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let metadata = std::fs::metadata(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (path, metadata.len(), metadata.modified().ok()).hash(&mut hasher);
    Some(hasher.finish())
}

/// A cache file: width and height (u32, little endian), then exactly width × height RGBA pixels.
fn parse_cached(bytes: &[u8]) -> Option<Pixels> {
    let width = u32::from_le_bytes(bytes.get(0..4)?.try_into().ok()?) as usize;
    let height = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    let rgba = bytes.get(8..)?;
    (width > 0 && height > 0 && rgba.len() == width * height * 4)
        .then(|| ([width, height], rgba.to_vec()))
}

fn receive_decoded_images(mut cache: ResMut<ImageCache>, ui: Option<Res<UiContext>>) {
    let Some(ui) = ui else {
        return;
    };
    for (path, result) in cache.decoded.drain() {
        // Released while it was being decoded (the visitor left the exhibit): not wanted now.
        if !matches!(cache.slots.get(&path), Some(ImageSlot::Loading)) {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_cached_on_disk_and_a_bad_cache_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let source =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exhibits/phone-scams/page1.jpg");
        let first = decode_cached(&source, ImageUse::Thumbnail, Some(&cache)).unwrap();
        assert_eq!(first.0, [480, 270], "downscaled to what a card needs");
        let files: Vec<_> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().len(),
            8 + 480 * 270 * 4
        );

        // Served from the cache: the same pixels, and a cache file we mark is what comes back.
        let mut marked = std::fs::read(&files[0]).unwrap();
        marked[8] = marked[8].wrapping_add(1);
        std::fs::write(&files[0], &marked).unwrap();
        let second = decode_cached(&source, ImageUse::Thumbnail, Some(&cache)).unwrap();
        assert_eq!(second.1[0], first.1[0].wrapping_add(1));

        // A truncated cache file is ignored and the picture decoded again.
        std::fs::write(&files[0], &marked[..100]).unwrap();
        assert_eq!(
            decode_cached(&source, ImageUse::Thumbnail, Some(&cache)).unwrap(),
            first
        );

        // Full-screen pictures are not cached.
        decode_cached(&source, ImageUse::FullScreen, Some(&cache)).unwrap();
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    }
}
