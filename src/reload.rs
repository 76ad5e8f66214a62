//! Hot reload: a curator's saved change in the exhibits folder reaches the running kiosk within
//! about a second, without a restart. A worker thread notices changes by a cheap fingerprint of
//! file sizes and times and loads the folder off the render thread; here the fresh catalog is
//! merged (a broken edit keeps the last good version) and applied, but never under a visitor's
//! feet: while someone is in an exhibit that changed, the update waits until they leave it.
//! In a preview ([`Preview`]) the watcher looks at the one exhibit, and every version is shown
//! at once, broken or not: the curator saved it to see it.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use crate::preview::Preview;
use crate::ui::images::ImageCache;
use crate::visit::Visit;
use crate::wake::{Answers, WindowWaker};
use bevy::prelude::*;
use kepu_core::config::KioskConfig;
use kepu_core::manifest::{Catalog, folder_fingerprint, load_catalog, merge_reload};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PendingContent>()
        .add_message::<ReloadNow>()
        .add_systems(Startup, start_watcher)
        .add_systems(
            Update,
            (reload_now, receive_reloads, apply_pending_content)
                .chain()
                .in_set(KioskSet::Session),
        );
}

/// Fresh catalogs from the watcher thread; dropping it (with the app) stops the thread.
#[derive(Resource)]
struct Watcher {
    catalogs: Answers<Catalog>,
    _stop: Mutex<mpsc::Sender<()>>,
}

/// Reload the exhibits folder now (the staff panel's button), whether or not it changed.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadNow;

/// A new version of the content, waiting for the visitor to leave the exhibit it changes.
#[derive(Resource, Default)]
pub struct PendingContent(pub Option<Content>);

/// Where the content comes from: the kiosk's folder of exhibits, or the one previewed.
#[derive(Debug, Clone)]
enum Source {
    Folder(PathBuf),
    OneExhibit(PathBuf),
}

impl Source {
    fn of(config: &KioskConfig, preview: Option<&Preview>) -> Self {
        match preview {
            Some(preview) => Self::OneExhibit(preview.exhibit_dir.clone()),
            None => Self::Folder(config.exhibits_dir.clone()),
        }
    }

    fn watched(&self) -> &std::path::Path {
        match self {
            Self::Folder(dir) | Self::OneExhibit(dir) => dir,
        }
    }

    fn load(&self, config: &KioskConfig) -> Catalog {
        let rules = config.validation_rules();
        match self {
            Self::Folder(dir) => load_catalog(dir, &rules),
            Self::OneExhibit(dir) => crate::preview::load_one_exhibit(dir, &rules),
        }
    }
}

fn start_watcher(
    mut commands: Commands,
    content: Res<Content>,
    settings: Res<KioskSettings>,
    preview: Option<Res<Preview>>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
) {
    let waker = WindowWaker::from_world(proxy.as_deref());
    let (stop, stopped) = mpsc::channel::<()>();
    let config = content.config.clone();
    let source = Source::of(&config, preview.as_deref());
    let poll = settings.reload_poll;
    // The reply wakes the window: the kiosk may be asleep on an unchanging screen.
    let spawned = Answers::spawn("exhibit-watcher", waker, move |reply| {
        let mut last = folder_fingerprint(source.watched());
        // Wake every `poll`; stop as soon as the kiosk drops its end of `stop`.
        while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(poll) {
            let now = folder_fingerprint(source.watched());
            if now == last {
                continue;
            }
            last = now;
            if !reply.send(source.load(&config)) {
                return;
            }
        }
    });
    match spawned {
        Ok(catalogs) => {
            commands.insert_resource(Watcher {
                catalogs,
                _stop: Mutex::new(stop),
            });
        }
        Err(err) => error!("cannot watch the exhibits folder; changes need a restart: {err}"),
    }
}

/// A staff reload loads on the spot: staff asked for it and wait for the answer. A broken
/// exhibit still keeps its last good version.
fn reload_now(
    mut requests: MessageReader<ReloadNow>,
    content: Res<Content>,
    preview: Option<Res<Preview>>,
    mut pending: ResMut<PendingContent>,
) {
    if requests.read().count() == 0 {
        return;
    }
    let base = pending.0.as_ref().unwrap_or(&content);
    let fresh = Source::of(&base.config, preview.as_deref()).load(&base.config);
    info!("exhibits reloaded from the staff panel");
    pending.0 = Some(take_in(base, fresh, preview.is_some()));
}

/// The content a fresh load makes: on the floor merged with what is shown (a broken edit keeps
/// its last good version); in a preview as it is, so that its problems show.
fn take_in(base: &Content, fresh: Catalog, previewing: bool) -> Content {
    let catalog = if previewing {
        fresh
    } else {
        merge_reload(&base.loaded, fresh)
    };
    Content::from_loaded(base.config.clone(), catalog)
}

fn receive_reloads(
    watcher: Option<Res<Watcher>>,
    content: Res<Content>,
    preview: Option<Res<Preview>>,
    mut pending: ResMut<PendingContent>,
) {
    let Some(watcher) = watcher else {
        return;
    };
    let Some(fresh) = watcher.catalogs.latest() else {
        return;
    };
    // Merge with the newest version we have, pending or shown.
    let base = pending.0.as_ref().unwrap_or(&content);
    info!("exhibits folder changed; reloading");
    pending.0 = Some(take_in(base, fresh, preview.is_some()));
}

/// Applies pending content unless a visitor is inside an exhibit that it changes or removes
/// (in a preview, at once: the preview opens the new version itself).
fn apply_pending_content(
    mut pending: ResMut<PendingContent>,
    mut content: ResMut<Content>,
    mut visit: ResMut<Visit>,
    mut images: ResMut<ImageCache>,
    preview: Option<Res<Preview>>,
) {
    let Some(new) = pending.0.as_ref() else {
        return;
    };
    if let Some(open) = &visit.open
        && preview.is_none()
    {
        let current = content.catalog.exhibits.get(open.index);
        let index = new
            .catalog
            .exhibits
            .iter()
            .position(|e| e.id() == open.exhibit_id);
        match index {
            Some(index) if current == new.catalog.exhibits.get(index) => {
                // Unchanged for this visitor: apply, and follow the exhibit to its new place.
                if let Some(open) = &mut visit.open {
                    open.index = index;
                }
            }
            _ => return,
        }
    }
    if let Some(new) = pending.0.take() {
        info!(
            "exhibit changes applied: {} exhibits shown",
            new.catalog.exhibits.len()
        );
        *content = new;
        // Pictures may have changed under the same file names.
        images.clear();
    }
}
