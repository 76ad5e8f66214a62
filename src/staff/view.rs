//! What the staff panel shows ([`StaffView`]), refreshed from the kiosk each frame while the
//! pad or panel is up.

use super::{PinNotice, ServerCheck, Staff, StaffPhase, TodayNumbers};
use crate::content::{Content, KioskSettings};
use crate::engagement::Engagement;
use bevy::prelude::*;
use std::time::Duration;

/// Everything the panel draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffView {
    pub phase: StaffPhase,
    pub pin_digits: usize,
    pub version: &'static str,
    pub kiosk_id: String,
    /// Exhibits on show: id and kind.
    pub shown: Vec<(String, &'static str)>,
    /// Exhibits left out: folder name and each problem as the validator words it.
    pub left_out: Vec<(String, Vec<String>)>,
    pub outbox_backlog: Option<u64>,
    /// What the outbox went through: events held in memory (the disk refuses writes), dropped
    /// (even memory was full), rolled up (the size cap), refused by the server (set aside), and
    /// a damaged file replaced at start.
    pub storage: StorageView,
    pub last_upload: Option<String>,
    pub upload_error: Option<String>,
    pub outbox_error: Option<String>,
    /// Whether an uploader runs (a server token was found).
    pub paired: bool,
    pub server: ServerCheck,
    pub today: TodayNumbers,
}

/// The outbox's troubles, for the staff panel; all zero and `None` on a healthy kiosk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageView {
    pub held_in_memory: u64,
    pub dropped: u64,
    pub rolled_up: u64,
    /// Events the server refused, set aside on this kiosk (kept in the outbox, never sent).
    pub refused: u64,
    /// When a damaged outbox was replaced (local time), and the events lost with it (`None`:
    /// not even their number could be read).
    pub replaced: Option<(String, Option<u64>)>,
}

pub(super) fn refresh_staff_view(
    time: Res<Time<Real>>,
    settings: Res<KioskSettings>,
    content: Res<Content>,
    engagement: Res<Engagement>,
    today: Res<TodayNumbers>,
    mut staff: ResMut<Staff>,
) {
    if staff.phase == StaffPhase::Closed {
        return;
    }
    let now = time.elapsed();
    // The lockout notice counts down while the pad is on screen.
    if let StaffPhase::Pin {
        notice: Some(PinNotice::Locked { .. }),
    } = staff.phase
    {
        staff.phase = StaffPhase::Pin {
            notice: staff
                .gate
                .lock_remaining(now)
                .map(|remaining| PinNotice::Locked {
                    seconds_left: remaining.as_secs_f32().ceil() as u64,
                }),
        };
    }
    let server = staff.view.server.clone();
    let mut view = StaffView {
        phase: staff.phase.clone(),
        pin_digits: staff.pin.len(),
        version: env!("CARGO_PKG_VERSION"),
        kiosk_id: settings.kiosk_id.clone(),
        server,
        ..StaffView::default()
    };
    if staff.phase == StaffPhase::Open {
        // Staff read the kiosk's default language, the problems too.
        let staff_language =
            kepu_core::manifest::MessageLanguage::from_tag(settings.default_language())
                .unwrap_or(kepu_core::manifest::MessageLanguage::Chinese);
        view.shown = content
            .catalog
            .exhibits
            .iter()
            .map(|e| (e.id().to_owned(), e.manifest.kind.name()))
            .collect();
        view.left_out = content
            .catalog
            .rejected
            .iter()
            .map(|rejected| {
                let folder = rejected.folder.file_name().map_or_else(
                    || rejected.folder.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (
                    folder,
                    rejected
                        .problems
                        .iter()
                        .map(|p| p.header_in(staff_language))
                        .collect(),
                )
            })
            .collect();
        // The same figures the heartbeat reports, from the same place.
        let upload = engagement.uploader.as_ref().map(|u| u.status());
        let writer = engagement.writer.as_ref().map(|w| w.status());
        let health = crate::engagement::kiosk_health(
            Duration::ZERO,
            (
                content.catalog.exhibits.len(),
                content.catalog.rejected.len(),
            ),
            writer.clone(),
            upload.clone(),
            engagement.lost,
        );
        view.storage = StorageView {
            held_in_memory: health.held_in_memory,
            dropped: health.dropped_events,
            rolled_up: health.rolled_up_events,
            refused: health.refused_events,
            replaced: health
                .outbox_replaced
                .map(|r| (format_local_time(r.at_ms), r.lost_events)),
        };
        view.outbox_backlog = Some(health.outbox_backlog);
        // The writer's own words (SQLite's error, the file's path): they stay on this screen;
        // the heartbeat sends only their code.
        view.outbox_error = match writer {
            Some(status) => status.last_error,
            None => Some("the outbox writer could not be started".to_owned()),
        };
        view.last_upload = health.last_upload_ms.map(format_local_time);
        view.upload_error = upload.and_then(|u| u.last_error);
        view.paired = engagement.uploader.is_some();
        view.today = today.clone();
    }
    if staff.view != view {
        staff.view = view;
    }
}

fn format_local_time(unix_ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(unix_ms)
        .single()
        .map_or_else(
            || "?".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
}
