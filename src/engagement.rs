//! Engagement events: every visitor action becomes an event in the durable outbox, written off
//! the render thread; the uploader thread delivers them to the district server.

use crate::KioskSet;
use crate::content::{Content, KioskSettings};
use bevy::prelude::*;
use kepu_core::config::KioskConfig;
use kepu_core::outbox::{EventStamp, OutboxError, OutboxOptions, OutboxWriter, WriterStatus};
use kepu_core::uploader::{UploadStatus, Uploader, UploaderConfig};
use kepu_core::wire::{EventDraft, EventKind, KioskHealth, OutboxReplaced, StorageErrorCode};
use std::time::Duration;
use uuid::Uuid;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<Track>()
        .init_resource::<NextHeartbeat>()
        .add_systems(
            Update,
            (send_heartbeat, record_events)
                .chain()
                .in_set(KioskSet::Record),
        );
}

/// The first heartbeat comes this long after start: time for the outbox to be opened (and
/// a damaged one replaced), so that even the first one can report it.
pub const FIRST_HEARTBEAT: Duration = Duration::from_secs(10);

/// When the next heartbeat is due (time since start).
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHeartbeat(pub Duration);

impl Default for NextHeartbeat {
    fn default() -> Self {
        Self(FIRST_HEARTBEAT)
    }
}

/// Something to record, for the session it happened in.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct Track {
    pub session_id: Option<Uuid>,
    pub event: EventKind,
}

impl Track {
    pub fn all(session_id: Option<Uuid>, events: Vec<EventKind>) -> Vec<Track> {
        events
            .into_iter()
            .map(|event| Track { session_id, event })
            .collect()
    }
}

/// The outbox writer and, when the kiosk is paired with a server, the uploader.
#[derive(Resource, Default)]
pub struct Engagement {
    pub writer: Option<OutboxWriter>,
    pub uploader: Option<Uploader>,
    /// Events that could not be handed to the outbox at all (no outbox could be opened).
    pub lost: u64,
    /// Where the uploader sends events, for the staff panel's connection test.
    pub server: Option<ServerAddress>,
    /// Nothing is recorded, on purpose: a curator's preview is not a visit.
    pub discarding: bool,
}

/// The district server and this kiosk's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    pub url: String,
    pub token: String,
}

impl Engagement {
    /// Starts the outbox writer (it opens the file on its own thread, and keeps events in
    /// memory while it cannot); events are sent once an uploader is attached.
    pub fn open(config: &KioskConfig) -> Result<Self, OutboxError> {
        let stamp = EventStamp::for_this_boot(&config.kiosk_id, env!("CARGO_PKG_VERSION"));
        let options = OutboxOptions {
            max_bytes: config.engagement.outbox_max_mb.saturating_mul(1024 * 1024),
            ..OutboxOptions::default()
        };
        Ok(Self {
            writer: Some(OutboxWriter::spawn_with(
                &config.outbox_path(),
                stamp,
                options,
            )?),
            uploader: None,
            lost: 0,
            server: None,
            discarding: false,
        })
    }

    /// Records nothing and says nothing about it (a preview: no outbox, no server, no stats).
    pub fn discard_everything() -> Self {
        Self {
            discarding: true,
            ..Self::default()
        }
    }

    pub fn with_uploader(mut self, config: UploaderConfig) -> Self {
        self.server = Some(ServerAddress {
            url: config.server_url.clone(),
            token: config.token.clone(),
        });
        match Uploader::spawn(config) {
            Ok(uploader) => self.uploader = Some(uploader),
            Err(err) => error!("cannot start the uploader; events stay in the outbox: {err}"),
        }
        self
    }
}

fn record_events(mut tracked: MessageReader<Track>, mut engagement: ResMut<Engagement>) {
    if engagement.discarding {
        tracked.clear();
        return;
    }
    for track in tracked.read() {
        let draft = EventDraft::now(track.session_id, track.event.clone());
        let recorded = engagement
            .writer
            .as_ref()
            .map(|writer| writer.record(draft));
        if !matches!(recorded, Some(Ok(()))) {
            engagement.lost += 1;
            if engagement.lost == 1 {
                error!("the outbox is not available; engagement events are being lost");
            }
        }
    }
}

/// Records a heartbeat when one is due: the kiosk's health, with no session.
fn send_heartbeat(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    engagement: Res<Engagement>,
    mut next: ResMut<NextHeartbeat>,
    mut deadlines: ResMut<crate::wake::Deadlines>,
    mut track: MessageWriter<Track>,
) {
    let now = time.elapsed();
    // An untouched kiosk sleeps; the wake alarm rings for the heartbeat.
    crate::wake::set_deadline(&mut deadlines, "heartbeat", Some(next.0));
    if now < next.0 {
        return;
    }
    next.0 = now + settings.heartbeat_every;
    crate::wake::set_deadline(&mut deadlines, "heartbeat", Some(next.0));
    let health = kiosk_health(
        now,
        (
            content.catalog.exhibits.len(),
            content.catalog.rejected.len(),
        ),
        engagement.writer.as_ref().map(OutboxWriter::status),
        engagement.uploader.as_ref().map(Uploader::status),
        engagement.lost,
    );
    track.write(Track {
        session_id: None,
        event: EventKind::KioskHeartbeat(health),
    });
}

/// What a heartbeat says, from the kiosk's parts. `lost`: events no outbox could take.
pub fn kiosk_health(
    uptime: Duration,
    (exhibits_loaded, exhibits_failed): (usize, usize),
    writer: Option<WriterStatus>,
    upload: Option<UploadStatus>,
    lost: u64,
) -> KioskHealth {
    let writer = writer.unwrap_or_default();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    KioskHealth {
        uptime_s: uptime.as_secs(),
        exhibits_loaded: count(exhibits_loaded),
        exhibits_failed: count(exhibits_failed),
        // The uploader counts the backlog after each delivery; the writer only after writes.
        outbox_backlog: upload.as_ref().map_or(writer.backlog, |u| u.backlog),
        last_upload_ms: upload.as_ref().and_then(|u| u.last_success_ms),
        held_in_memory: writer.pending_in_memory as u64,
        dropped_events: writer.dropped + lost,
        rolled_up_events: writer.rolled_up,
        // The outbox counts what it keeps aside over every run; the uploader's count of this
        // run is fresher (the writer counts the outbox's rows only after it writes).
        refused_events: writer.refused_events.max(
            upload
                .as_ref()
                .map_or(0, |u| u.refused_by_server + u.refused_rollup_events),
        ),
        // Only a code leaves the kiosk: the message names files and could hold anything. The
        // staff panel shows the message itself (`WriterStatus::last_error`).
        storage_error: writer.last_error.as_deref().map(StorageErrorCode::classify),
        outbox_replaced: writer.recovered.map(|r| OutboxReplaced {
            at_ms: r.at_ms,
            salvaged_events: r.salvaged_events,
            lost_events: r.lost_events,
        }),
    }
}
