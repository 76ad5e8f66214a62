//! The one definition of what travels between kiosk and server: engagement events and the API's
//! request and response bodies. Both sides use these types, so they cannot drift apart.
//!
//! Privacy by construction: nothing here can hold a name, a free-text answer, an address or a
//! device fingerprint of a visitor. `session_id` is random per visitor session and never reused;
//! `kiosk_id` names a device. Unknown fields are rejected, so nothing can be smuggled in, and
//! [`check`] refuses what the types alone cannot: a string field holding anything but a
//! manifest id or a known language code, and numbers no kiosk could produce.

pub mod check;
#[cfg(feature = "openapi")]
pub mod schema;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of the event schema documented in docs/engagement.md.
pub const SCHEMA_VERSION: u32 = 1;

/// Path of the ingest endpoint, relative to the server's base URL.
pub const INGEST_PATH: &str = "/api/v1/events";
/// Path of the summary statistics endpoint.
pub const SUMMARY_PATH: &str = "/api/v1/stats/summary";

/// Largest batch the uploader sends and the server accepts.
pub const MAX_BATCH: usize = 500;

/// One thing that happened at a kiosk, as stored in the outbox and sent to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(transform = schema::session_rule))]
#[serde(deny_unknown_fields)]
pub struct EngagementEvent {
    /// Unique id (UUIDv7, made on the kiosk): the server stores each id once.
    #[cfg_attr(feature = "openapi", schemars(with = "schema::RandomId"))]
    pub id: Uuid,
    /// The kiosk's name: the one its bearer token belongs to (the server answers 403 otherwise).
    pub kiosk_id: String,
    /// Random per start of the kiosk program, so `seq` restarts can be told apart.
    #[cfg_attr(feature = "openapi", schemars(with = "schema::RandomId"))]
    pub boot_id: Uuid,
    /// Per-kiosk sequence number, assigned by the outbox when the event is made durable.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = check::MAX_SEQ)))]
    pub seq: u64,
    /// The anonymous visitor session; `None` for kiosk-level events.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<schema::RandomId>"))]
    pub session_id: Option<Uuid>,
    /// When it happened, in milliseconds since the Unix epoch (kiosk clock).
    pub occurred_at_ms: i64,
    #[cfg_attr(feature = "openapi", schemars(with = "schema::AppVersion"))]
    pub app_version: String,
    #[cfg_attr(feature = "openapi", schemars(extend("const" = SCHEMA_VERSION)))]
    pub schema_version: u32,
    pub event: EventKind,
}

/// Why a visitor session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionEndReason {
    /// Nobody touched the screen for the configured time.
    IdleTimeout,
    /// The visitor pressed "start over".
    StartOver,
}

/// What happened. Ids refer to manifests (exhibits, questions, choices), never to people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    SessionStart {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Language"))]
        language: String,
        /// Accessibility modes on when the session started (the kiosk's defaults).
        #[serde(default)]
        modes: AccessibilityModes,
    },
    /// The visitor answered "I am a..." (`None`: they chose "skip"). Self-declared, optional,
    /// and one of a handful of broad groups.
    AudienceChoice {
        audience: Option<crate::manifest::Audience>,
    },
    SessionEnd {
        reason: SessionEndReason,
        /// Session length without the idle wait that ended it.
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_DURATION_MS)))]
        duration_ms: u64,
    },
    ExhibitOpen {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
    },
    ExhibitClose {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_DURATION_MS)))]
        dwell_ms: u64,
    },
    StoryPageView {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = check::MAX_PAGE)))]
        page: u32,
    },
    QuizAnswer {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        question_id: String,
        /// The choices picked; for an ordering question the items in the order given; for
        /// true/false `"true"` or `"false"`; empty for an estimate.
        #[cfg_attr(
            feature = "openapi",
            schemars(with = "Vec<schema::Identifier>", length(max = check::MAX_CHOICE_IDS))
        )]
        choice_ids: Vec<String>,
        correct: bool,
        /// The number an estimate question was answered with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
        /// From the question appearing to the answer.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_DURATION_MS)))]
        answer_ms: u64,
    },
    QuizComplete {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_SCORE)))]
        score: u32,
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_SCORE)))]
        max_score: u32,
    },
    LanguageChange {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Language"))]
        language: String,
    },
    /// The visitor turned an accessibility mode on or off.
    AccessibilityChange {
        large_text: bool,
        high_contrast: bool,
        seated: bool,
    },
    /// The visitor tapped a region of a hotspots image.
    HotspotOpen {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        hotspot_id: String,
    },
    /// One sort-game placement, right or wrong.
    SortPlacement {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        item_id: String,
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        bin_id: String,
        correct: bool,
    },
    /// The kiosk's health, a few seconds after it starts and then every few minutes. Not
    /// part of any visitor session: `session_id` is always empty.
    KioskHeartbeat(KioskHealth),
    /// One visit to a simulation, summarised when the visitor leaves it (never per frame).
    SimulationSummary {
        #[cfg_attr(feature = "openapi", schemars(with = "schema::Identifier"))]
        exhibit_id: String,
        /// How many times each parameter was changed.
        #[cfg_attr(
            feature = "openapi",
            schemars(schema_with = "schema::parameter_changes")
        )]
        parameter_changes: std::collections::BTreeMap<String, u32>,
        /// How long the simulation ran (play pressed to pause or leaving).
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_DURATION_MS)))]
        played_ms: u64,
        /// How many times the visitor pressed play or reset.
        #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_RUNS)))]
        runs: u32,
    },
}

/// Accessibility modes, each on or off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessibilityModes {
    /// Every text 1.5 times as large.
    pub large_text: bool,
    /// White and yellow on black, every text at least 7:1.
    pub high_contrast: bool,
    /// Every control in the lower part of the screen, within reach from a wheelchair.
    pub seated: bool,
}

/// What a heartbeat says about its kiosk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskHealth {
    /// Since the kiosk program started.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_UPTIME_S)))]
    pub uptime_s: u64,
    /// Exhibits on show, and exhibit folders left out for errors.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_EXHIBITS)))]
    pub exhibits_loaded: u32,
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_EXHIBITS)))]
    pub exhibits_failed: u32,
    /// Raw events waiting in the outbox for delivery.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub outbox_backlog: u64,
    /// When the server last acknowledged an upload from this run of the kiosk (kiosk clock);
    /// `None`: not since it started.
    pub last_upload_ms: Option<i64>,
    /// Events held in memory because the disk refuses writes, and events dropped because even
    /// that buffer was full.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub held_in_memory: u64,
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub dropped_events: u64,
    /// Raw events replaced by hourly counts because the outbox reached its size cap (over the
    /// outbox's life).
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub rolled_up_events: u64,
    /// Events the server refused (a batch refused with 422 naming them), set aside on the
    /// kiosk: kept in its outbox's quarantine, never sent again; over the outbox's life, a
    /// refused roll-up counting as the events it stands for. Absent from the JSON while 0: a
    /// server from before this field refuses unknown fields, and it never names an event, so a
    /// kiosk talking to one never has a count to send.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub refused_events: u64,
    /// Why the outbox cannot be written, as a code from a fixed list (the kiosk's own words,
    /// with SQLite's error and the file's path, stay on the kiosk's staff panel); `None` while
    /// writes work.
    pub storage_error: Option<StorageErrorCode>,
    /// Set in every heartbeat of a run that found its outbox damaged and replaced it.
    pub outbox_replaced: Option<OutboxReplaced>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Why a kiosk's outbox cannot be written, as a heartbeat reports it: a code from a fixed list,
/// never the error's text (which names files and could hold anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StorageErrorCode {
    /// No space left on the disk (or the user's quota is used up).
    DiskFull,
    /// The file or its file system is read-only.
    ReadOnly,
    /// The kiosk's user may not write the file or its folder.
    PermissionDenied,
    /// The file or its folder cannot be opened or created (missing disk, a file where the
    /// folder should be).
    CannotOpen,
    /// The disk reports input/output errors.
    IoError,
    /// The file is damaged.
    Damaged,
    /// Anything else.
    Other,
}

impl StorageErrorCode {
    /// The code for an outbox error message (`OutboxError`'s text: SQLite's and the operating
    /// system's words, with the file's path). The most specific cause wins: "cannot create its
    /// folder: Permission denied" is [`Self::PermissionDenied`].
    pub fn classify(message: &str) -> Self {
        const CAUSES: &[(StorageErrorCode, &[&str])] = &[
            (
                StorageErrorCode::DiskFull,
                &[
                    "database or disk is full",
                    "no space left on device",
                    "disk quota exceeded",
                    "(os error 28)",
                    "(os error 122)",
                ],
            ),
            (
                StorageErrorCode::ReadOnly,
                &[
                    "readonly database",
                    "read-only file system",
                    "(os error 30)",
                ],
            ),
            (
                StorageErrorCode::PermissionDenied,
                &[
                    "permission denied",
                    "operation not permitted",
                    "access is denied",
                    "(os error 13)",
                    "(os error 1)",
                ],
            ),
            (
                StorageErrorCode::Damaged,
                &[
                    "database disk image is malformed",
                    "file is not a database",
                    "is damaged",
                    "is unreadable",
                ],
            ),
            (
                StorageErrorCode::CannotOpen,
                &[
                    "unable to open database file",
                    "cannot create its folder",
                    "no such file or directory",
                    "not a directory",
                    "(os error 2)",
                    "(os error 20)",
                ],
            ),
            (
                StorageErrorCode::IoError,
                &["disk i/o error", "input/output error", "(os error 5)"],
            ),
        ];
        let message = message.to_lowercase();
        CAUSES
            .iter()
            .find(|(_, phrases)| phrases.iter().any(|p| message.contains(p)))
            .map_or(Self::Other, |(code, _)| *code)
    }

    /// The code as sent (`disk_full`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DiskFull => "disk_full",
            Self::ReadOnly => "read_only",
            Self::PermissionDenied => "permission_denied",
            Self::CannotOpen => "cannot_open",
            Self::IoError => "io_error",
            Self::Damaged => "damaged",
            Self::Other => "other",
        }
    }
}

/// A damaged outbox found at start, moved aside and replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutboxReplaced {
    pub at_ms: i64,
    /// Events read back from the damaged file (they are delivered as usual).
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub salvaged_events: u64,
    /// Events it held that could not be read back; `None` when not even their number could.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_HEALTH_COUNT)))]
    pub lost_events: Option<u64>,
}

impl EventKind {
    /// Every `type` tag, as [`Self::type_name`] spells it: what a roll-up's `event_type` may
    /// be. (A test checks the two agree and that every variant is here.)
    pub const TYPE_NAMES: &'static [&'static str] = &[
        "session_start",
        "audience_choice",
        "kiosk_heartbeat",
        "session_end",
        "exhibit_open",
        "exhibit_close",
        "story_page_view",
        "quiz_answer",
        "quiz_complete",
        "language_change",
        "accessibility_change",
        "hotspot_open",
        "sort_placement",
        "simulation_summary",
    ];

    /// The `type` tag, as stored in the server's `event_type` column.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::SessionStart { .. } => "session_start",
            Self::AudienceChoice { .. } => "audience_choice",
            Self::KioskHeartbeat(_) => "kiosk_heartbeat",
            Self::SessionEnd { .. } => "session_end",
            Self::ExhibitOpen { .. } => "exhibit_open",
            Self::ExhibitClose { .. } => "exhibit_close",
            Self::StoryPageView { .. } => "story_page_view",
            Self::QuizAnswer { .. } => "quiz_answer",
            Self::QuizComplete { .. } => "quiz_complete",
            Self::LanguageChange { .. } => "language_change",
            Self::AccessibilityChange { .. } => "accessibility_change",
            Self::HotspotOpen { .. } => "hotspot_open",
            Self::SortPlacement { .. } => "sort_placement",
            Self::SimulationSummary { .. } => "simulation_summary",
        }
    }

    pub fn exhibit_id(&self) -> Option<&str> {
        match self {
            Self::ExhibitOpen { exhibit_id }
            | Self::ExhibitClose { exhibit_id, .. }
            | Self::StoryPageView { exhibit_id, .. }
            | Self::QuizAnswer { exhibit_id, .. }
            | Self::QuizComplete { exhibit_id, .. }
            | Self::HotspotOpen { exhibit_id, .. }
            | Self::SortPlacement { exhibit_id, .. }
            | Self::SimulationSummary { exhibit_id, .. } => Some(exhibit_id.as_str()),
            Self::SessionStart { .. }
            | Self::AudienceChoice { .. }
            | Self::KioskHeartbeat(_)
            | Self::SessionEnd { .. }
            | Self::LanguageChange { .. }
            | Self::AccessibilityChange { .. } => None,
        }
    }
}

/// An event as the kiosk creates it, before the outbox stamps kiosk, boot and sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub id: Uuid,
    pub session_id: Option<Uuid>,
    pub occurred_at_ms: i64,
    pub event: EventKind,
}

impl EventDraft {
    pub fn now(session_id: Option<Uuid>, event: EventKind) -> Self {
        Self {
            id: Uuid::now_v7(),
            session_id,
            occurred_at_ms: crate::now_unix_ms(),
            event,
        }
    }
}

/// Body of `POST /api/v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IngestRequest {
    #[cfg_attr(feature = "openapi", schemars(length(max = MAX_BATCH)))]
    pub events: Vec<EngagementEvent>,
}

/// The server's acknowledgement: every event of the batch is stored (now or before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IngestResponse {
    pub received: u64,
    /// Newly stored.
    pub stored: u64,
    /// Already stored by an earlier delivery, and ignored.
    pub duplicates: u64,
}

/// Body of `GET /api/v1/stats/summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StatsSummary {
    pub sessions: u64,
    /// All events stored, of every type.
    pub events: u64,
    pub exhibits: Vec<ExhibitStats>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ExhibitStats {
    pub exhibit_id: String,
    pub opens: u64,
    pub quiz_answers: u64,
    pub quiz_correct: u64,
}

/// Error body of every API error: a stable code, a message for people, nothing internal; never
/// an echo of a token, a password or a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApiError {
    /// Machine-readable: `bad_request`, `unauthorized`, `forbidden`, `payload_too_large`,
    /// `too_many_requests`, or for a refused event the rule it broke (`bad_identifier`, ...).
    pub error: String,
    /// What was wrong, in words.
    #[serde(default)]
    pub detail: String,
    /// The event or roll-up (by id) that made the server refuse the batch: the kiosk sets it
    /// aside and sends the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_event: Option<Uuid>,
}

/// Path of the roll-up endpoint, relative to the server's base URL.
pub const ROLLUP_PATH: &str = "/api/v1/rollups";

/// Length of the period one roll-up row counts: an hour, in milliseconds.
pub const ROLLUP_PERIOD_MS: i64 = 3_600_000;

/// Counts that stand in for raw events the outbox rolled up when it reached its size cap: how
/// many events of one type, at one exhibit, in one hour, at one kiosk. Counts only, so a roll-up
/// says even less about a visitor than the events it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventRollup {
    /// Made on the kiosk; the server stores each roll-up once, whatever the number of
    /// deliveries. A roll-up is never changed after it was first sent.
    #[cfg_attr(feature = "openapi", schemars(with = "schema::RandomId"))]
    pub rollup_id: Uuid,
    pub kiosk_id: String,
    /// Start of the hour, kiosk clock, ms since the Unix epoch; a multiple of
    /// [`ROLLUP_PERIOD_MS`].
    #[cfg_attr(feature = "openapi", schemars(extend("multipleOf" = ROLLUP_PERIOD_MS)))]
    pub hour_start_ms: i64,
    /// The events' `type` tag, as [`EventKind::type_name`] spells it.
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = EventKind::TYPE_NAMES)))]
    pub event_type: String,
    /// `None` for kiosk-level events (session start and end, language change).
    #[cfg_attr(feature = "openapi", schemars(with = "Option<schema::Identifier>"))]
    pub exhibit_id: Option<String>,
    /// How many events this row stands for; at least 1.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = check::MAX_ROLLUP_COUNT)))]
    pub count: u64,
    /// Of `count`, how many were marked correct (quiz answers); 0 for types without `correct`.
    #[cfg_attr(feature = "openapi", schemars(range(max = check::MAX_ROLLUP_COUNT)))]
    pub correct: u64,
}

/// Body of `POST /api/v1/rollups`; acknowledged with an [`IngestResponse`] that counts rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RollupRequest {
    #[cfg_attr(feature = "openapi", schemars(length(max = MAX_BATCH)))]
    pub rollups: Vec<EventRollup>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EngagementEvent {
        EngagementEvent {
            id: Uuid::now_v7(),
            kiosk_id: "k1".into(),
            boot_id: Uuid::new_v4(),
            seq: 7,
            session_id: Some(Uuid::new_v4()),
            occurred_at_ms: 1_700_000_000_000,
            app_version: "0.1.0".into(),
            schema_version: SCHEMA_VERSION,
            event: EventKind::QuizAnswer {
                exhibit_id: "quiz".into(),
                question_id: "q1".into(),
                choice_ids: vec!["b".into()],
                value: None,
                answer_ms: 4_200,
                correct: true,
            },
        }
    }

    #[test]
    fn round_trips_through_json_with_a_type_tag() {
        let event = sample();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event"]["type"], "quiz_answer");
        assert_eq!(event.event.type_name(), "quiz_answer");
        let back: EngagementEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn unknown_fields_are_rejected_at_both_levels() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["visitor_name"] = "Alice".into();
        assert!(serde_json::from_value::<EngagementEvent>(json).is_err());
        let mut json = serde_json::to_value(sample()).unwrap();
        json["event"]["free_text"] = "hello".into();
        assert!(serde_json::from_value::<EngagementEvent>(json).is_err());
    }

    fn heartbeat_sample() -> EventKind {
        EventKind::KioskHeartbeat(KioskHealth {
            uptime_s: 600,
            exhibits_loaded: 8,
            exhibits_failed: 1,
            outbox_backlog: 12,
            last_upload_ms: Some(1_700_000_000_000),
            held_in_memory: 0,
            dropped_events: 0,
            rolled_up_events: 40,
            refused_events: 3,
            storage_error: Some(StorageErrorCode::DiskFull),
            outbox_replaced: Some(OutboxReplaced {
                at_ms: 1_700_000_000_000,
                salvaged_events: 10,
                lost_events: Some(2),
            }),
        })
    }

    #[test]
    fn heartbeats_audience_and_session_modes_round_trip_and_stay_closed() {
        let heartbeat = heartbeat_sample();
        let start = EventKind::SessionStart {
            language: "zh".into(),
            modes: AccessibilityModes {
                large_text: true,
                high_contrast: false,
                seated: true,
            },
        };
        let audience = EventKind::AudienceChoice {
            audience: Some(crate::manifest::Audience::Senior),
        };
        for kind in [heartbeat, start, audience] {
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["type"], kind.type_name());
            assert_eq!(
                serde_json::from_value::<EventKind>(json.clone()).unwrap(),
                kind
            );
            let mut extra = json;
            extra["visitor"] = "x".into();
            assert!(
                serde_json::from_value::<EventKind>(extra).is_err(),
                "{} takes no unknown field",
                kind.type_name()
            );
        }
        // The storage error is a code; text in its place is refused.
        let json = serde_json::to_value(heartbeat_sample()).unwrap();
        assert_eq!(json["storage_error"], "disk_full");
        let mut text = json;
        text["storage_error"] = "outbox /home/alice/outbox.sqlite3: disk I/O error".into();
        assert!(serde_json::from_value::<EventKind>(text).is_err());
        // A session start from before the modes were recorded still reads (all off).
        let old: EventKind =
            serde_json::from_str(r#"{"type":"session_start","language":"en"}"#).unwrap();
        assert_eq!(
            old,
            EventKind::SessionStart {
                language: "en".into(),
                modes: AccessibilityModes::default()
            }
        );
    }

    #[test]
    fn refused_events_is_sent_only_when_there_are_some_and_older_heartbeats_still_read() {
        let json = serde_json::to_value(heartbeat_sample()).unwrap();
        assert_eq!(json["refused_events"], 3);
        // A heartbeat from a kiosk that has none, or from before the field: the same.
        let none = EventKind::KioskHeartbeat(KioskHealth::default());
        let json = serde_json::to_value(&none).unwrap();
        assert!(json.get("refused_events").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), none);
    }

    #[test]
    fn type_names_lists_every_type_tag_once() {
        let tags: Vec<&str> = check::tests::every_kind()
            .iter()
            .map(|kind| {
                let json = serde_json::to_value(kind).unwrap();
                assert_eq!(json["type"], kind.type_name());
                kind.type_name()
            })
            .collect();
        let mut sorted = tags.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), tags.len(), "one sample per variant");
        let mut names = EventKind::TYPE_NAMES.to_vec();
        names.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn storage_errors_are_classified_from_sqlite_and_system_messages() {
        use StorageErrorCode::*;
        let cases = [
            (
                "outbox /data/outbox.sqlite3: database or disk is full",
                DiskFull,
            ),
            (
                "outbox /d/o: No space left on device (os error 28)",
                DiskFull,
            ),
            (
                "outbox /d/o: attempt to write a readonly database",
                ReadOnly,
            ),
            (
                "outbox /d/o: cannot create its folder: Read-only file system (os error 30)",
                ReadOnly,
            ),
            (
                "outbox /d/o: cannot create its folder: Permission denied (os error 13)",
                PermissionDenied,
            ),
            ("outbox /d/o: unable to open database file", CannotOpen),
            (
                "outbox /d/o: cannot create its folder: Not a directory (os error 20)",
                CannotOpen,
            ),
            (
                "outbox /d/o: cannot create its folder: File exists (os error 17)",
                CannotOpen,
            ),
            ("a rusqlite error we have never seen", Other),
            ("outbox /d/o: disk I/O error", IoError),
            ("outbox /d/o: database disk image is malformed", Damaged),
            ("outbox /d/o: file is not a database", Damaged),
            ("outbox /d/o: stored event 12 is unreadable: EOF", Damaged),
            ("the outbox writer thread has stopped", Other),
            ("", Other),
        ];
        for (message, code) in cases {
            assert_eq!(StorageErrorCode::classify(message), code, "{message}");
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "as_str matches the wire form");
        }
    }
}
