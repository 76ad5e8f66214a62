//! Engagement events: every visitor action becomes an event in the durable outbox, written off
//! the render thread; the uploader thread delivers them to the district server.

use crate::KioskSet;
use bevy::prelude::*;
use kepu_core::outbox::{EventStamp, OutboxError, OutboxWriter};
use kepu_core::uploader::{Uploader, UploaderConfig};
use kepu_core::wire::{EventDraft, EventKind};
use std::path::Path;
use uuid::Uuid;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<Track>()
        .add_systems(Update, record_events.in_set(KioskSet::Record));
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
}

/// The district server and this kiosk's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    pub url: String,
    pub token: String,
}

impl Engagement {
    /// Opens the outbox; events are kept and sent once an uploader is attached.
    pub fn open(outbox_path: &Path, kiosk_id: &str) -> Result<Self, OutboxError> {
        let stamp = EventStamp::for_this_boot(kiosk_id, env!("CARGO_PKG_VERSION"));
        Ok(Self {
            writer: Some(OutboxWriter::spawn(outbox_path, stamp)?),
            uploader: None,
            lost: 0,
            server: None,
        })
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
