//! What the district server accepts: the rules every engagement event and roll-up must meet
//! beyond parsing, written once here so that the server and the tests apply the same ones.
//!
//! Parsing already refuses unknown fields and wrong types. What parsing cannot see is a string
//! field carrying something other than what the kiosk puts there, or a number no kiosk could
//! produce. So:
//!
//! - every id an event carries (exhibit, question, choice, item, hotspot, bin, simulation
//!   parameter) has the manifest id shape, [`crate::manifest::is_identifier`]: 1 to 64 of
//!   `a-z`, `0-9`, `-`, `_`. No name, phone number, e-mail or IP address (its dots), no space,
//!   markup, control or bidi character fits it. The kiosk only sends ids read from a valid
//!   manifest, the built-in parameter names, and `"true"`/`"false"` for true/false answers;
//! - a language is one of [`crate::i18n::KNOWN_LANGUAGES`] (kiosk.toml refuses any other, so a
//!   kiosk never offers one the server would refuse);
//! - `app_version` is a version number, [`MAX_APP_VERSION_LEN`] characters at most;
//! - ids are not the nil UUID, `schema_version` is [`SCHEMA_VERSION`], and a heartbeat has no
//!   `session_id` while every visitor event has one;
//! - every count, duration and list has an upper bound (the consts below), far above anything a
//!   kiosk does but far below what could smuggle data in bulk.
//!
//! [`check_event`] and [`check_rollup`] return the first rule broken as a [`Rejection`]: the
//! field's JSON path relative to the event or roll-up (`seq`, `event.choice_ids[3]`; the
//! server prefixes the batch position, see [`Rejection::within`]), a [`RejectReason`] from a
//! fixed set (a Prometheus label), and a sentence for a person. The sentence never repeats the
//! offending text: it gives its length and the first character that is not allowed, escaped,
//! so a hostile value cannot reach a log or a terminal (numbers are repeated; they are not
//! text).
//!
//! # The kiosk's clock
//!
//! `occurred_at_ms` (a roll-up's `hour_start_ms`) is the kiosk's clock, and kiosks' clocks go
//! wrong: a dead clock battery starts one in 1970 or 2000 until the network sets it, a bad NTP
//! answer puts one years ahead. Such an event is still a real visitor's event, so a time before
//! [`EARLIEST_TRUSTED_MS`] (2024-01-01, before any kiosk ran this software) or more than
//! [`FUTURE_SLACK_MS`] ahead of the server's own clock is **not refused**: the check passes and
//! says [`EventClock::Untrusted`]. The server then keeps the event at its receive time and
//! flags the kiosk's clock in the kiosk's health. Refusing them would lose every event of a
//! kiosk with a dead battery, and it would retry them forever.
//!
//! Not checked here: `kiosk_id`, which the server compares with the kiosk its bearer token
//! names; and whether an id names an exhibit the district actually has (the server does not
//! know the kiosks' manifests).

use super::{
    EngagementEvent, EventKind, EventRollup, KioskHealth, ROLLUP_PERIOD_MS, SCHEMA_VERSION,
};
use crate::i18n::is_known_language;
use crate::manifest::{MAX_IDENTIFIER_LEN, is_identifier, is_identifier_byte};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// 2024-01-01T00:00:00Z in ms since the Unix epoch: an event before it has an untrusted clock.
pub const EARLIEST_TRUSTED_MS: i64 = 1_704_067_200_000;
/// How far ahead of the server's clock an event may be and still be trusted: 10 minutes.
pub const FUTURE_SLACK_MS: i64 = 10 * 60 * 1_000;
/// Largest `seq`: 2^53, the largest integer every JSON reader (JavaScript's included) holds
/// exactly. The outbox counts from 1; after losing its counter it continues from the clock
/// (ms × 1000, about 1.8 × 10^15 today), still below.
pub const MAX_SEQ: u64 = 1 << 53;
/// Longest `app_version`.
pub const MAX_APP_VERSION_LEN: usize = 32;
/// Longest duration (`duration_ms`, `dwell_ms`, `played_ms`, `answer_ms`): 24 hours. A session
/// ends after at most an hour without a touch (kiosk.toml's bound on `idle_timeout_secs`).
pub const MAX_DURATION_MS: u64 = 24 * 60 * 60 * 1_000;
/// Highest story page number (pages count from 1); a manifest may have at most this many.
pub const MAX_PAGE: u32 = 10_000;
/// Most `choice_ids` in one answer; a question may have at most this many choices or items.
pub const MAX_CHOICE_IDS: usize = 64;
/// Highest `max_score` (a question scores at most 1, so a quiz may have at most this many).
pub const MAX_SCORE: u32 = 10_000;
/// Most keys in `parameter_changes` (a simulation model has a handful of parameters).
pub const MAX_PARAMETERS: usize = 64;
/// Most changes of one parameter in one visit.
pub const MAX_PARAMETER_CHANGES: u32 = 1_000_000;
/// Most play or reset presses in one visit to a simulation.
pub const MAX_RUNS: u32 = 1_000_000;
/// Longest `uptime_s`: ten years.
pub const MAX_UPTIME_S: u64 = 10 * 366 * 24 * 60 * 60;
/// Largest event count in a heartbeat (`outbox_backlog`, `held_in_memory`, `dropped_events`,
/// `rolled_up_events`, `refused_events`, `salvaged_events`, `lost_events`): 10^12.
pub const MAX_HEALTH_COUNT: u64 = 1_000_000_000_000;
/// Most exhibits a heartbeat may report loaded, or failed.
pub const MAX_EXHIBITS: u32 = 100_000;
/// Largest roll-up `count`: 10^9 events of one type at one exhibit in one hour.
pub const MAX_ROLLUP_COUNT: u64 = 1_000_000_000;

/// Whether an accepted event's (or roll-up's) own time can be believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventClock {
    /// Between [`EARLIEST_TRUSTED_MS`] and [`FUTURE_SLACK_MS`] ahead of the server's clock.
    Trusted,
    /// Before 2024 or too far ahead: keep the event at its receive time and flag the kiosk's
    /// clock in its health.
    Untrusted,
}

/// Why an event or roll-up is refused: a small fixed set, usable as a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// An id that is not a manifest id (`a-z`, `0-9`, `-`, `_`, 1 to 64).
    BadIdentifier,
    /// A language outside [`crate::i18n::KNOWN_LANGUAGES`].
    UnknownLanguage,
    /// An `app_version` that is not a version number.
    BadVersion,
    /// A number outside its bounds.
    OutOfRange,
    /// A list or map with too many entries.
    TooMany,
    /// The nil UUID where a random id belongs.
    NilUuid,
    /// A heartbeat with a `session_id`, or a visitor event without one.
    SessionMismatch,
    /// Another `schema_version` than [`SCHEMA_VERSION`].
    BadSchemaVersion,
    /// A roll-up's `event_type` that no event has.
    BadEventType,
    /// A roll-up whose numbers cannot be (more correct than counted, an hour not on the hour).
    BadRollup,
}

impl RejectReason {
    /// Every reason, e.g. to initialise a metric's labels.
    pub const ALL: &'static [RejectReason] = &[
        Self::BadIdentifier,
        Self::UnknownLanguage,
        Self::BadVersion,
        Self::OutOfRange,
        Self::TooMany,
        Self::NilUuid,
        Self::SessionMismatch,
        Self::BadSchemaVersion,
        Self::BadEventType,
        Self::BadRollup,
    ];

    /// The reason as a label (and as serialised): `bad_identifier`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadIdentifier => "bad_identifier",
            Self::UnknownLanguage => "unknown_language",
            Self::BadVersion => "bad_version",
            Self::OutOfRange => "out_of_range",
            Self::TooMany => "too_many",
            Self::NilUuid => "nil_uuid",
            Self::SessionMismatch => "session_mismatch",
            Self::BadSchemaVersion => "bad_schema_version",
            Self::BadEventType => "bad_event_type",
            Self::BadRollup => "bad_rollup",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first rule an event or roll-up breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// JSON path of the field, relative to the event or roll-up: `seq`, `session_id`,
    /// `event.exhibit_id`, `event.choice_ids[3]`, `event.outbox_replaced.lost_events`.
    pub field: String,
    pub reason: RejectReason,
    /// For a person: what is wrong, with the offending text's length and first disallowed
    /// character (escaped) but never the text itself.
    pub detail: String,
}

impl Rejection {
    fn new(field: impl Into<String>, reason: RejectReason, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason,
            detail: detail.into(),
        }
    }

    /// The same rejection with `prefix` before the field's path: `within("events[12]")` makes
    /// `seq` into `events[12].seq`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.detail, self.reason)
    }
}

impl std::error::Error for Rejection {}

type Checked = Result<(), Rejection>;

/// Checks an event against every rule; `now_ms` is the server's clock (ms since the Unix
/// epoch). `Ok` says whether the event's own time can be believed (see the module doc).
pub fn check_event(event: &EngagementEvent, now_ms: i64) -> Result<EventClock, Rejection> {
    if event.schema_version != SCHEMA_VERSION {
        return Err(Rejection::new(
            "schema_version",
            RejectReason::BadSchemaVersion,
            format!(
                "is {}; this server reads schema version {SCHEMA_VERSION}",
                event.schema_version
            ),
        ));
    }
    not_nil("id", event.id)?;
    not_nil("boot_id", event.boot_id)?;
    if !(1..=MAX_SEQ).contains(&event.seq) {
        return Err(Rejection::new(
            "seq",
            RejectReason::OutOfRange,
            format!("is {}; a sequence number is 1 to 2^53", event.seq),
        ));
    }
    app_version(&event.app_version)?;
    let heartbeat = matches!(event.event, EventKind::KioskHeartbeat(_));
    match (event.session_id, heartbeat) {
        (Some(_), true) => {
            return Err(Rejection::new(
                "session_id",
                RejectReason::SessionMismatch,
                "a kiosk heartbeat belongs to no visitor session, so it has no session_id",
            ));
        }
        (None, false) => {
            return Err(Rejection::new(
                "session_id",
                RejectReason::SessionMismatch,
                format!(
                    "is missing; every {} event belongs to a visitor session",
                    event.event.type_name()
                ),
            ));
        }
        (Some(session), false) => not_nil("session_id", session)?,
        (None, true) => {}
    }
    kind(&event.event)?;
    Ok(clock(event.occurred_at_ms, now_ms))
}

/// Checks a roll-up against every rule; `now_ms` is the server's clock. `Ok` says whether its
/// `hour_start_ms` can be believed.
pub fn check_rollup(rollup: &EventRollup, now_ms: i64) -> Result<EventClock, Rejection> {
    not_nil("rollup_id", rollup.rollup_id)?;
    if !EventKind::TYPE_NAMES.contains(&rollup.event_type.as_str()) {
        return Err(Rejection::new(
            "event_type",
            RejectReason::BadEventType,
            format!("{} is not the type of any event", shape(&rollup.event_type)),
        ));
    }
    if let Some(exhibit_id) = &rollup.exhibit_id {
        identifier("exhibit_id", exhibit_id)?;
    }
    if !(1..=MAX_ROLLUP_COUNT).contains(&rollup.count) {
        return Err(Rejection::new(
            "count",
            RejectReason::OutOfRange,
            format!(
                "is {}; a roll-up stands for 1 to {MAX_ROLLUP_COUNT} events",
                rollup.count
            ),
        ));
    }
    if rollup.correct > rollup.count {
        return Err(Rejection::new(
            "correct",
            RejectReason::BadRollup,
            format!(
                "is {}, more than the {} events counted",
                rollup.correct, rollup.count
            ),
        ));
    }
    if rollup.hour_start_ms.rem_euclid(ROLLUP_PERIOD_MS) != 0 {
        return Err(Rejection::new(
            "hour_start_ms",
            RejectReason::BadRollup,
            format!(
                "is {}, not the start of an hour (a multiple of {ROLLUP_PERIOD_MS})",
                rollup.hour_start_ms
            ),
        ));
    }
    Ok(clock(rollup.hour_start_ms, now_ms))
}

fn clock(at_ms: i64, now_ms: i64) -> EventClock {
    if at_ms < EARLIEST_TRUSTED_MS || at_ms > now_ms.saturating_add(FUTURE_SLACK_MS) {
        EventClock::Untrusted
    } else {
        EventClock::Trusted
    }
}

fn kind(kind: &EventKind) -> Checked {
    match kind {
        EventKind::SessionStart { language, .. } | EventKind::LanguageChange { language } => {
            if is_known_language(language) {
                Ok(())
            } else {
                Err(Rejection::new(
                    "event.language",
                    RejectReason::UnknownLanguage,
                    format!(
                        "{} is not a known language code (ISO 639-1, or a variant such as zh-hant)",
                        shape(language)
                    ),
                ))
            }
        }
        EventKind::AudienceChoice { .. } | EventKind::AccessibilityChange { .. } => Ok(()),
        EventKind::SessionEnd { duration_ms, .. } => duration("event.duration_ms", *duration_ms),
        EventKind::ExhibitOpen { exhibit_id } => identifier("event.exhibit_id", exhibit_id),
        EventKind::ExhibitClose {
            exhibit_id,
            dwell_ms,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            duration("event.dwell_ms", *dwell_ms)
        }
        EventKind::StoryPageView { exhibit_id, page } => {
            identifier("event.exhibit_id", exhibit_id)?;
            in_range("event.page", u64::from(*page), 1, u64::from(MAX_PAGE))
        }
        EventKind::QuizAnswer {
            exhibit_id,
            question_id,
            choice_ids,
            correct: _,
            value,
            answer_ms,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            identifier("event.question_id", question_id)?;
            if choice_ids.len() > MAX_CHOICE_IDS {
                return Err(Rejection::new(
                    "event.choice_ids",
                    RejectReason::TooMany,
                    format!(
                        "has {} entries; an answer names at most {MAX_CHOICE_IDS} choices",
                        choice_ids.len()
                    ),
                ));
            }
            for (index, id) in choice_ids.iter().enumerate() {
                if !is_identifier(id) {
                    return Err(bad_identifier(format!("event.choice_ids[{index}]"), id));
                }
            }
            if let Some(value) = value
                && !value.is_finite()
            {
                return Err(Rejection::new(
                    "event.value",
                    RejectReason::OutOfRange,
                    "is not a finite number",
                ));
            }
            duration("event.answer_ms", *answer_ms)
        }
        EventKind::QuizComplete {
            exhibit_id,
            score,
            max_score,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            in_range(
                "event.max_score",
                u64::from(*max_score),
                0,
                u64::from(MAX_SCORE),
            )?;
            if score > max_score {
                return Err(Rejection::new(
                    "event.score",
                    RejectReason::OutOfRange,
                    format!("is {score}, above max_score {max_score}"),
                ));
            }
            Ok(())
        }
        EventKind::HotspotOpen {
            exhibit_id,
            hotspot_id,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            identifier("event.hotspot_id", hotspot_id)
        }
        EventKind::SortPlacement {
            exhibit_id,
            item_id,
            bin_id,
            correct: _,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            identifier("event.item_id", item_id)?;
            identifier("event.bin_id", bin_id)
        }
        EventKind::KioskHeartbeat(health) => heartbeat(health),
        EventKind::SimulationSummary {
            exhibit_id,
            parameter_changes,
            played_ms,
            runs,
        } => {
            identifier("event.exhibit_id", exhibit_id)?;
            if parameter_changes.len() > MAX_PARAMETERS {
                return Err(Rejection::new(
                    "event.parameter_changes",
                    RejectReason::TooMany,
                    format!(
                        "has {} entries; a simulation has at most {MAX_PARAMETERS} parameters",
                        parameter_changes.len()
                    ),
                ));
            }
            for (index, (parameter, changes)) in parameter_changes.iter().enumerate() {
                if !is_identifier(parameter) {
                    // The key itself cannot go in the path: it is what is wrong.
                    let mut rejection = bad_identifier("event.parameter_changes", parameter);
                    rejection.detail =
                        format!("key {} (in sorted order): {}", index + 1, rejection.detail);
                    return Err(rejection);
                }
                in_range(
                    &format!("event.parameter_changes.{parameter}"),
                    u64::from(*changes),
                    0,
                    u64::from(MAX_PARAMETER_CHANGES),
                )?;
            }
            duration("event.played_ms", *played_ms)?;
            in_range("event.runs", u64::from(*runs), 0, u64::from(MAX_RUNS))
        }
    }
}

fn heartbeat(health: &KioskHealth) -> Checked {
    let KioskHealth {
        uptime_s,
        exhibits_loaded,
        exhibits_failed,
        outbox_backlog,
        last_upload_ms: _,
        held_in_memory,
        dropped_events,
        rolled_up_events,
        refused_events,
        storage_error: _,
        outbox_replaced,
    } = health;
    in_range("event.uptime_s", *uptime_s, 0, MAX_UPTIME_S)?;
    for (field, exhibits) in [
        ("event.exhibits_loaded", exhibits_loaded),
        ("event.exhibits_failed", exhibits_failed),
    ] {
        in_range(field, u64::from(*exhibits), 0, u64::from(MAX_EXHIBITS))?;
    }
    for (field, count) in [
        ("event.outbox_backlog", outbox_backlog),
        ("event.held_in_memory", held_in_memory),
        ("event.dropped_events", dropped_events),
        ("event.rolled_up_events", rolled_up_events),
        ("event.refused_events", refused_events),
    ] {
        in_range(field, *count, 0, MAX_HEALTH_COUNT)?;
    }
    if let Some(replaced) = outbox_replaced {
        in_range(
            "event.outbox_replaced.salvaged_events",
            replaced.salvaged_events,
            0,
            MAX_HEALTH_COUNT,
        )?;
        if let Some(lost) = replaced.lost_events {
            in_range(
                "event.outbox_replaced.lost_events",
                lost,
                0,
                MAX_HEALTH_COUNT,
            )?;
        }
    }
    Ok(())
}

fn not_nil(field: &str, id: Uuid) -> Checked {
    if id.is_nil() {
        Err(Rejection::new(
            field,
            RejectReason::NilUuid,
            "is the nil UUID; it must be a random id made on the kiosk",
        ))
    } else {
        Ok(())
    }
}

fn identifier(field: &str, id: &str) -> Checked {
    if is_identifier(id) {
        Ok(())
    } else {
        Err(bad_identifier(field, id))
    }
}

fn bad_identifier(field: impl Into<String>, id: &str) -> Rejection {
    let why = if id.is_empty() {
        "is empty".to_owned()
    } else if id.len() > MAX_IDENTIFIER_LEN {
        format!("is {} bytes long", id.len())
    } else if id.bytes().all(is_identifier_byte) {
        format!(
            "has more than {} digits in a row (it could be a phone number)",
            crate::manifest::MAX_DIGITS_IN_A_ROW
        )
    } else {
        format!(
            "{} has {}",
            shape(id),
            first_disallowed(id, is_identifier_byte)
        )
    };
    Rejection::new(
        field,
        RejectReason::BadIdentifier,
        format!(
            "{why}; an id is 1 to {MAX_IDENTIFIER_LEN} of a-z, 0-9, '-' and '_', as in a manifest"
        ),
    )
}

fn duration(field: &str, ms: u64) -> Checked {
    if ms <= MAX_DURATION_MS {
        Ok(())
    } else {
        Err(Rejection::new(
            field,
            RejectReason::OutOfRange,
            format!("is {ms} ms, more than 24 hours ({MAX_DURATION_MS})"),
        ))
    }
}

fn in_range(field: &str, value: u64, min: u64, max: u64) -> Checked {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Rejection::new(
            field,
            RejectReason::OutOfRange,
            format!("is {value}; it must be {min} to {max}"),
        ))
    }
}

/// `MAJOR.MINOR.PATCH`, digits, then optionally `-prerelease` and `+build` of
/// `[0-9A-Za-z.-]`, at most [`MAX_APP_VERSION_LEN`] characters.
pub fn is_version(version: &str) -> bool {
    let in_tag = |tag: &str| {
        !tag.is_empty()
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    if version.is_empty() || version.len() > MAX_APP_VERSION_LEN {
        return false;
    }
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    let (core, prerelease) = match rest.split_once('-') {
        Some((core, prerelease)) => (core, Some(prerelease)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && prerelease.is_none_or(in_tag)
        && build.is_none_or(in_tag)
}

fn app_version(version: &str) -> Checked {
    if is_version(version) {
        return Ok(());
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+';
    let why = if version.len() > MAX_APP_VERSION_LEN {
        format!("is {} bytes long", version.len())
    } else if version.bytes().all(allowed) {
        format!("{} is not shaped like one", shape(version))
    } else {
        format!(
            "{} has {}",
            shape(version),
            first_disallowed(version, allowed)
        )
    };
    Err(Rejection::new(
        "app_version",
        RejectReason::BadVersion,
        format!(
            "{why}; a version is MAJOR.MINOR.PATCH with an optional -prerelease and +build, at most {MAX_APP_VERSION_LEN} characters"
        ),
    ))
}

/// A string described without repeating it: "a 17-byte value".
fn shape(text: &str) -> String {
    format!("a {}-byte value", text.len())
}

/// The first character `allowed` refuses, escaped, and where it is: "'@' at character 6".
fn first_disallowed(text: &str, allowed: impl Fn(u8) -> bool) -> String {
    text.chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii() && allowed(*c as u8)))
        .map_or_else(
            || "no disallowed character".to_owned(),
            |(at, c)| format!("'{}' at character {}", c.escape_default(), at + 1),
        )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::manifest::{Audience, QuestionType, ValidationRules, load_catalog};
    use crate::wire::{AccessibilityModes, OutboxReplaced, SessionEndReason, StorageErrorCode};
    use std::collections::BTreeMap;

    const NOW: i64 = 1_750_000_000_000;

    /// What people type into forms: none of it may pass as an id.
    const HOSTILE: &[&str] = &[
        "Alice Smith",
        "+86 138 0013 8000",
        "13800138000\n",
        "alice@example.com",
        "192.168.1.20",
        "2001:db8::1",
        "a\0b",
        "<script>alert(1)</script>",
        "exhibit\u{202e}txt.exe",
        "Exhibit",
        "",
        "ｅｘｈｉｂｉｔ",
    ];

    /// One of every kind, with realistic values.
    pub(in crate::wire) fn every_kind() -> Vec<EventKind> {
        vec![
            EventKind::SessionStart {
                language: "zh".into(),
                modes: AccessibilityModes::default(),
            },
            EventKind::AudienceChoice {
                audience: Some(Audience::Senior),
            },
            EventKind::SessionEnd {
                reason: SessionEndReason::IdleTimeout,
                duration_ms: 183_000,
            },
            EventKind::ExhibitOpen {
                exhibit_id: "emergency-quiz".into(),
            },
            EventKind::ExhibitClose {
                exhibit_id: "emergency-quiz".into(),
                dwell_ms: 95_000,
            },
            EventKind::StoryPageView {
                exhibit_id: "phone-scams".into(),
                page: 2,
            },
            EventKind::QuizAnswer {
                exhibit_id: "emergency-quiz".into(),
                question_id: "fire-number".into(),
                choice_ids: vec!["119".into()],
                correct: true,
                value: None,
                answer_ms: 6_400,
            },
            EventKind::QuizComplete {
                exhibit_id: "emergency-quiz".into(),
                score: 3,
                max_score: 4,
            },
            EventKind::LanguageChange {
                language: "en".into(),
            },
            EventKind::AccessibilityChange {
                large_text: true,
                high_contrast: false,
                seated: true,
            },
            EventKind::HotspotOpen {
                exhibit_id: "home-hazards".into(),
                hotspot_id: "gas-stove".into(),
            },
            EventKind::SortPlacement {
                exhibit_id: "waste-sorting".into(),
                item_id: "battery".into(),
                bin_id: "hazardous".into(),
                correct: true,
            },
            EventKind::KioskHeartbeat(KioskHealth {
                uptime_s: 86_400,
                exhibits_loaded: 8,
                exhibits_failed: 0,
                outbox_backlog: 12,
                last_upload_ms: Some(NOW - 30_000),
                held_in_memory: 0,
                dropped_events: 0,
                rolled_up_events: 0,
                refused_events: 1,
                storage_error: Some(StorageErrorCode::DiskFull),
                outbox_replaced: Some(OutboxReplaced {
                    at_ms: NOW - 3_600_000,
                    salvaged_events: 4_000,
                    lost_events: None,
                }),
            }),
            EventKind::SimulationSummary {
                exhibit_id: "pendulum-planets".into(),
                parameter_changes: BTreeMap::from([
                    ("gravity".to_owned(), 3),
                    ("length".to_owned(), 7),
                ]),
                played_ms: 41_000,
                runs: 2,
            },
        ]
    }

    /// The event as the outbox would stamp it: a visitor's session, or none for a heartbeat.
    fn stamped(event: EventKind) -> EngagementEvent {
        let session_id = (!matches!(event, EventKind::KioskHeartbeat(_))).then(Uuid::new_v4);
        EngagementEvent {
            id: Uuid::now_v7(),
            kiosk_id: "chaoyang-science-centre-01".into(),
            boot_id: Uuid::new_v4(),
            seq: 42,
            session_id,
            occurred_at_ms: NOW - 5_000,
            app_version: env!("CARGO_PKG_VERSION").into(),
            schema_version: SCHEMA_VERSION,
            event,
        }
    }

    fn quiz_answer(choice_ids: Vec<String>) -> EventKind {
        EventKind::QuizAnswer {
            exhibit_id: "everyday-science-quiz".into(),
            question_id: "planets-order".into(),
            choice_ids,
            correct: false,
            value: None,
            answer_ms: 12_000,
        }
    }

    fn rollup() -> EventRollup {
        EventRollup {
            rollup_id: Uuid::now_v7(),
            kiosk_id: "chaoyang-science-centre-01".into(),
            hour_start_ms: NOW - NOW.rem_euclid(ROLLUP_PERIOD_MS) - ROLLUP_PERIOD_MS,
            event_type: "quiz_answer".into(),
            exhibit_id: Some("emergency-quiz".into()),
            count: 120,
            correct: 80,
        }
    }

    #[track_caller]
    fn refused(event: &EngagementEvent, field: &str, reason: RejectReason) -> Rejection {
        let rejection = check_event(event, NOW).unwrap_err();
        assert_eq!(
            (rejection.field.as_str(), rejection.reason),
            (field, reason),
            "{rejection}"
        );
        rejection
    }

    #[track_caller]
    fn refused_kind(kind: EventKind, field: &str, reason: RejectReason) -> Rejection {
        refused(&stamped(kind), field, reason)
    }

    #[track_caller]
    fn accepted(kind: EventKind) {
        let event = stamped(kind);
        assert_eq!(
            check_event(&event, NOW),
            Ok(EventClock::Trusted),
            "{event:?}"
        );
    }

    /// The sentence names neither the hostile text nor any long piece of it.
    #[track_caller]
    fn does_not_echo(rejection: &Rejection, value: &str) {
        let shown = rejection.to_string();
        assert!(shown.len() < 300, "{} bytes: {shown}", shown.len());
        if value.chars().count() > 1 {
            assert!(!shown.contains(value), "{shown}");
        }
        assert!(
            shown.chars().all(|c| c.is_ascii() && !c.is_ascii_control()),
            "escaped: {shown:?}"
        );
    }

    #[test]
    fn ids_never_hold_a_phone_number() {
        for id in ["110", "96110", "q123456", "2024-flood", "call-120-now"] {
            assert!(is_identifier(id), "{id}");
        }
        for id in ["13800138000", "tel-01065123456", "a1234567"] {
            assert!(!is_identifier(id), "{id}");
            let problem = bad_identifier("event.exhibit_id", id);
            assert_eq!(problem.reason, RejectReason::BadIdentifier);
            assert!(
                problem.detail.contains("digits in a row"),
                "{}",
                problem.detail
            );
            assert!(
                !problem.detail.contains(id),
                "not echoed: {}",
                problem.detail
            );
        }
    }

    #[test]
    fn realistic_events_of_every_kind_pass() {
        for kind in every_kind() {
            accepted(kind);
        }
    }

    #[test]
    fn every_event_the_sample_exhibits_can_make_passes() {
        let exhibits = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
        let catalog = load_catalog(&exhibits, &ValidationRules::default());
        assert!(catalog.rejected.is_empty() && !catalog.exhibits.is_empty());
        let mut events = Vec::new();
        for exhibit in &catalog.exhibits {
            let m = &exhibit.manifest;
            let exhibit_id = || m.id.clone();
            events.push(EventKind::ExhibitOpen {
                exhibit_id: exhibit_id(),
            });
            events.push(EventKind::ExhibitClose {
                exhibit_id: exhibit_id(),
                dwell_ms: 60_000,
            });
            for page in 1..=m.pages.len() {
                events.push(EventKind::StoryPageView {
                    exhibit_id: exhibit_id(),
                    page: u32::try_from(page).unwrap(),
                });
            }
            for q in &m.questions {
                let mut answers: Vec<Vec<String>> = Vec::new();
                // Every choice alone, all ticked together, the items in order.
                answers.extend(q.choices.iter().map(|c| vec![c.id.clone()]));
                answers.push(q.choices.iter().map(|c| c.id.clone()).collect());
                answers.push(q.items.iter().map(|i| i.id.clone()).collect());
                if q.question_type == QuestionType::TrueFalse {
                    answers.push(vec![true.to_string()]);
                    answers.push(vec![false.to_string()]);
                }
                let value = q.estimate.as_ref().map(|e| e.max);
                for choice_ids in answers {
                    events.push(EventKind::QuizAnswer {
                        exhibit_id: exhibit_id(),
                        question_id: q.id.clone(),
                        choice_ids,
                        correct: false,
                        value,
                        answer_ms: 9_000,
                    });
                }
            }
            if !m.questions.is_empty() {
                let max_score = u32::try_from(m.questions.len()).unwrap();
                events.push(EventKind::QuizComplete {
                    exhibit_id: exhibit_id(),
                    score: max_score,
                    max_score,
                });
            }
            for h in &m.hotspots {
                events.push(EventKind::HotspotOpen {
                    exhibit_id: exhibit_id(),
                    hotspot_id: h.id.clone(),
                });
            }
            for item in &m.items {
                for bin in &m.bins {
                    events.push(EventKind::SortPlacement {
                        exhibit_id: exhibit_id(),
                        item_id: item.id.clone(),
                        bin_id: bin.id.clone(),
                        correct: item.bin == bin.id,
                    });
                }
            }
            if !m.parameters.is_empty() {
                events.push(EventKind::SimulationSummary {
                    exhibit_id: exhibit_id(),
                    parameter_changes: m.parameters.iter().map(|p| (p.id.clone(), 5)).collect(),
                    played_ms: 30_000,
                    runs: 3,
                });
            }
        }
        // Every parameter of every built-in model, whichever a manifest picks.
        for model in crate::manifest::MODELS {
            events.push(EventKind::SimulationSummary {
                exhibit_id: "sim".into(),
                parameter_changes: model
                    .parameters
                    .iter()
                    .map(|p| (p.id.to_owned(), 1))
                    .collect(),
                played_ms: 0,
                runs: 0,
            });
        }
        // Every language a kiosk.toml may list.
        for language in crate::i18n::KNOWN_LANGUAGES {
            events.push(EventKind::SessionStart {
                language: (*language).to_owned(),
                modes: AccessibilityModes::default(),
            });
            events.push(EventKind::LanguageChange {
                language: (*language).to_owned(),
            });
        }
        assert!(events.len() > 300, "{}", events.len());
        for kind in events {
            accepted(kind);
        }
    }

    #[test]
    fn the_envelope_as_the_outbox_stamps_it_passes_at_its_extremes() {
        let mut event = stamped(EventKind::ExhibitOpen {
            exhibit_id: "a".into(),
        });
        for seq in [1, 2, MAX_SEQ] {
            event.seq = seq;
            assert!(check_event(&event, NOW).is_ok(), "seq {seq}");
        }
        // The outbox's fallback numbering after a lost counter: the clock in ms × 1000.
        event.seq = u64::try_from(NOW).unwrap() * 1000;
        assert!(check_event(&event, NOW).is_ok());
        for version in [
            "0.1.0",
            "10.200.3000",
            "1.2.3-rc.1",
            "1.2.3+build.7",
            "1.0.0-alpha-1+20240101.ab-c",
        ] {
            event.app_version = version.into();
            assert!(check_event(&event, NOW).is_ok(), "{version}");
        }
        event.app_version = format!("1.0.0-{}", "a".repeat(MAX_APP_VERSION_LEN - 6));
        assert_eq!(event.app_version.len(), MAX_APP_VERSION_LEN);
        assert!(check_event(&event, NOW).is_ok());
    }

    #[test]
    fn the_largest_allowed_values_pass() {
        let id = "a".repeat(MAX_IDENTIFIER_LEN);
        let choices: Vec<String> = (0..MAX_CHOICE_IDS)
            .map(|i| format!("{:-<64}", format!("c{i}")))
            .collect();
        let day = MAX_DURATION_MS;
        for kind in [
            EventKind::ExhibitClose {
                exhibit_id: id.clone(),
                dwell_ms: day,
            },
            EventKind::SessionEnd {
                reason: SessionEndReason::StartOver,
                duration_ms: day,
            },
            EventKind::StoryPageView {
                exhibit_id: id.clone(),
                page: MAX_PAGE,
            },
            EventKind::QuizAnswer {
                exhibit_id: id.clone(),
                question_id: "0-_z".into(),
                choice_ids: choices,
                correct: true,
                value: Some(f64::MAX),
                answer_ms: day,
            },
            EventKind::QuizAnswer {
                exhibit_id: id.clone(),
                question_id: id.clone(),
                choice_ids: Vec::new(),
                correct: true,
                value: Some(-f64::MAX),
                answer_ms: 0,
            },
            EventKind::QuizComplete {
                exhibit_id: id.clone(),
                score: MAX_SCORE,
                max_score: MAX_SCORE,
            },
            EventKind::QuizComplete {
                exhibit_id: id.clone(),
                score: 0,
                max_score: 0,
            },
            EventKind::SimulationSummary {
                exhibit_id: id.clone(),
                parameter_changes: (0..MAX_PARAMETERS)
                    .map(|i| (format!("p{i}"), MAX_PARAMETER_CHANGES))
                    .collect(),
                played_ms: day,
                runs: MAX_RUNS,
            },
            EventKind::KioskHeartbeat(KioskHealth {
                uptime_s: MAX_UPTIME_S,
                exhibits_loaded: MAX_EXHIBITS,
                exhibits_failed: MAX_EXHIBITS,
                outbox_backlog: MAX_HEALTH_COUNT,
                last_upload_ms: Some(i64::MIN),
                held_in_memory: MAX_HEALTH_COUNT,
                dropped_events: MAX_HEALTH_COUNT,
                rolled_up_events: MAX_HEALTH_COUNT,
                refused_events: MAX_HEALTH_COUNT,
                storage_error: Some(StorageErrorCode::Other),
                outbox_replaced: Some(OutboxReplaced {
                    at_ms: i64::MAX,
                    salvaged_events: MAX_HEALTH_COUNT,
                    lost_events: Some(MAX_HEALTH_COUNT),
                }),
            }),
        ] {
            accepted(kind);
        }
    }

    #[test]
    fn hostile_text_in_any_id_is_refused_without_being_repeated() {
        let long = "a".repeat(1 << 20);
        let ids = HOSTILE.iter().copied().chain([long.as_str()]);
        for value in ids {
            let v = || value.to_owned();
            let cases = [
                (
                    EventKind::ExhibitOpen { exhibit_id: v() },
                    "event.exhibit_id",
                ),
                (
                    EventKind::HotspotOpen {
                        exhibit_id: "home-hazards".into(),
                        hotspot_id: v(),
                    },
                    "event.hotspot_id",
                ),
                (
                    EventKind::SortPlacement {
                        exhibit_id: "waste-sorting".into(),
                        item_id: v(),
                        bin_id: "hazardous".into(),
                        correct: false,
                    },
                    "event.item_id",
                ),
                (
                    EventKind::SortPlacement {
                        exhibit_id: "waste-sorting".into(),
                        item_id: "battery".into(),
                        bin_id: v(),
                        correct: false,
                    },
                    "event.bin_id",
                ),
                (
                    EventKind::QuizAnswer {
                        exhibit_id: "emergency-quiz".into(),
                        question_id: v(),
                        choice_ids: Vec::new(),
                        correct: false,
                        value: None,
                        answer_ms: 0,
                    },
                    "event.question_id",
                ),
                (
                    quiz_answer(vec!["mercury".into(), "venus".into(), "earth".into(), v()]),
                    "event.choice_ids[3]",
                ),
                (
                    EventKind::SimulationSummary {
                        exhibit_id: "pendulum-planets".into(),
                        parameter_changes: BTreeMap::from([(v(), 1)]),
                        played_ms: 0,
                        runs: 0,
                    },
                    "event.parameter_changes",
                ),
            ];
            for (kind, field) in cases {
                let rejection = refused_kind(kind, field, RejectReason::BadIdentifier);
                does_not_echo(&rejection, value);
            }
        }
    }

    #[test]
    fn the_detail_says_what_is_wrong_with_the_text() {
        let detail = |id: &str| {
            refused_kind(
                EventKind::ExhibitOpen {
                    exhibit_id: id.into(),
                },
                "event.exhibit_id",
                RejectReason::BadIdentifier,
            )
            .detail
        };
        let email = detail("alice@example.com");
        assert!(
            email.starts_with("a 17-byte value has '@' at character 6"),
            "{email}"
        );
        assert!(detail("a\u{202e}b").contains(r"'\u{202e}' at character 2"));
        assert!(detail("a\0").contains(r"'\u{0}' at character 2"));
        assert!(detail("").starts_with("is empty"));
        assert!(detail(&"x".repeat(1 << 20)).starts_with("is 1048576 bytes long"));
        let shown = refused_kind(
            EventKind::ExhibitOpen {
                exhibit_id: "<script>".into(),
            },
            "event.exhibit_id",
            RejectReason::BadIdentifier,
        )
        .to_string();
        assert!(
            shown.starts_with("event.exhibit_id: a 8-byte value has '<' at character 1;"),
            "{shown}"
        );
        assert!(shown.ends_with("(bad_identifier)"), "{shown}");
    }

    #[test]
    fn a_key_of_parameter_changes_is_located_by_its_position() {
        let rejection = refused_kind(
            EventKind::SimulationSummary {
                exhibit_id: "pendulum-planets".into(),
                parameter_changes: BTreeMap::from([
                    ("angle".to_owned(), 1),
                    ("length".to_owned(), 2),
                    ("nobody@example.com".to_owned(), 3),
                ]),
                played_ms: 0,
                runs: 0,
            },
            "event.parameter_changes",
            RejectReason::BadIdentifier,
        );
        assert!(
            rejection.detail.starts_with("key 3 (in sorted order): "),
            "{rejection}"
        );
        does_not_echo(&rejection, "nobody@example.com");
    }

    #[test]
    fn too_many_choices_or_parameters_are_refused() {
        let many: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
        refused_kind(quiz_answer(many), "event.choice_ids", RejectReason::TooMany);
        let one_too_many = (0..=MAX_CHOICE_IDS).map(|i| format!("c{i}")).collect();
        refused_kind(
            quiz_answer(one_too_many),
            "event.choice_ids",
            RejectReason::TooMany,
        );
        refused_kind(
            EventKind::SimulationSummary {
                exhibit_id: "pendulum-planets".into(),
                parameter_changes: (0..=MAX_PARAMETERS).map(|i| (format!("p{i}"), 1)).collect(),
                played_ms: 0,
                runs: 0,
            },
            "event.parameter_changes",
            RejectReason::TooMany,
        );
    }

    #[test]
    fn an_unknown_language_is_refused_in_both_events() {
        for value in HOSTILE
            .iter()
            .copied()
            .chain(["xx", "ZH", "zh-Hant", "zh_hant", "english"])
        {
            for kind in [
                EventKind::SessionStart {
                    language: value.into(),
                    modes: AccessibilityModes::default(),
                },
                EventKind::LanguageChange {
                    language: value.into(),
                },
            ] {
                let rejection = refused_kind(kind, "event.language", RejectReason::UnknownLanguage);
                does_not_echo(&rejection, value);
            }
        }
    }

    #[test]
    fn an_app_version_that_is_not_a_version_is_refused() {
        let long = format!("1.0.0-{}", "a".repeat(MAX_APP_VERSION_LEN - 5));
        for value in HOSTILE.iter().copied().chain([
            "1.0",
            "1.0.0.0",
            "v1.0.0",
            "1.0.0-",
            "1.0.0+",
            "1..0",
            "1.0.0+a+b",
            "1.0.0-alice smith",
            "1.0.0+alice@example.com",
            "١.٢.٣",
            long.as_str(),
        ]) {
            let mut event = stamped(EventKind::ExhibitOpen {
                exhibit_id: "phone-scams".into(),
            });
            event.app_version = value.into();
            let rejection = refused(&event, "app_version", RejectReason::BadVersion);
            does_not_echo(&rejection, value);
        }
    }

    #[test]
    fn nil_ids_are_refused() {
        let base = stamped(EventKind::ExhibitOpen {
            exhibit_id: "phone-scams".into(),
        });
        let mut event = base.clone();
        event.id = Uuid::nil();
        refused(&event, "id", RejectReason::NilUuid);
        let mut event = base.clone();
        event.boot_id = Uuid::nil();
        refused(&event, "boot_id", RejectReason::NilUuid);
        let mut event = base;
        event.session_id = Some(Uuid::nil());
        refused(&event, "session_id", RejectReason::NilUuid);
        let mut nil = rollup();
        nil.rollup_id = Uuid::nil();
        assert_eq!(check_rollup(&nil, NOW).unwrap_err().field, "rollup_id");
    }

    #[test]
    fn sessions_belong_to_visitor_events_and_never_to_heartbeats() {
        for kind in every_kind() {
            let mut event = stamped(kind);
            let heartbeat = event.session_id.is_none();
            event.session_id = if heartbeat {
                Some(Uuid::new_v4())
            } else {
                None
            };
            let rejection = refused(&event, "session_id", RejectReason::SessionMismatch);
            if !heartbeat {
                assert!(
                    rejection.detail.contains(event.event.type_name()),
                    "{rejection}"
                );
            }
        }
    }

    #[test]
    fn another_schema_version_is_refused() {
        for version in [0, SCHEMA_VERSION + 1, u32::MAX] {
            let mut event = stamped(EventKind::ExhibitOpen {
                exhibit_id: "phone-scams".into(),
            });
            event.schema_version = version;
            refused(&event, "schema_version", RejectReason::BadSchemaVersion);
        }
    }

    #[test]
    fn sequence_numbers_outside_1_to_2_pow_53_are_refused() {
        for seq in [0, MAX_SEQ + 1, u64::MAX] {
            let mut event = stamped(EventKind::ExhibitOpen {
                exhibit_id: "phone-scams".into(),
            });
            event.seq = seq;
            refused(&event, "seq", RejectReason::OutOfRange);
        }
    }

    #[test]
    fn durations_beyond_a_day_are_refused() {
        for ms in [MAX_DURATION_MS + 1, u64::MAX] {
            refused_kind(
                EventKind::SessionEnd {
                    reason: SessionEndReason::IdleTimeout,
                    duration_ms: ms,
                },
                "event.duration_ms",
                RejectReason::OutOfRange,
            );
            refused_kind(
                EventKind::ExhibitClose {
                    exhibit_id: "phone-scams".into(),
                    dwell_ms: ms,
                },
                "event.dwell_ms",
                RejectReason::OutOfRange,
            );
            refused_kind(
                EventKind::SimulationSummary {
                    exhibit_id: "pendulum-planets".into(),
                    parameter_changes: BTreeMap::new(),
                    played_ms: ms,
                    runs: 1,
                },
                "event.played_ms",
                RejectReason::OutOfRange,
            );
            refused_kind(
                EventKind::QuizAnswer {
                    exhibit_id: "emergency-quiz".into(),
                    question_id: "fire-number".into(),
                    choice_ids: vec!["119".into()],
                    correct: true,
                    value: None,
                    answer_ms: ms,
                },
                "event.answer_ms",
                RejectReason::OutOfRange,
            );
        }
    }

    #[test]
    fn page_numbers_outside_1_to_10000_are_refused() {
        for page in [0, MAX_PAGE + 1, u32::MAX] {
            refused_kind(
                EventKind::StoryPageView {
                    exhibit_id: "phone-scams".into(),
                    page,
                },
                "event.page",
                RejectReason::OutOfRange,
            );
        }
    }

    #[test]
    fn an_estimate_that_is_not_a_number_is_refused() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            refused_kind(
                EventKind::QuizAnswer {
                    exhibit_id: "everyday-science-quiz".into(),
                    question_id: "body-temperature".into(),
                    choice_ids: Vec::new(),
                    correct: false,
                    value: Some(value),
                    answer_ms: 1_000,
                },
                "event.value",
                RejectReason::OutOfRange,
            );
        }
    }

    #[test]
    fn impossible_scores_are_refused() {
        let complete = |score, max_score| EventKind::QuizComplete {
            exhibit_id: "emergency-quiz".into(),
            score,
            max_score,
        };
        let rejection = refused_kind(complete(1000, 5), "event.score", RejectReason::OutOfRange);
        assert!(
            rejection.detail.contains("1000, above max_score 5"),
            "{rejection}"
        );
        refused_kind(
            complete(MAX_SCORE + 1, MAX_SCORE + 1),
            "event.max_score",
            RejectReason::OutOfRange,
        );
        refused_kind(
            complete(0, u32::MAX),
            "event.max_score",
            RejectReason::OutOfRange,
        );
    }

    #[test]
    fn impossible_simulation_counts_are_refused() {
        let summary = |changes, runs| EventKind::SimulationSummary {
            exhibit_id: "projectile-target".into(),
            parameter_changes: BTreeMap::from([("angle".to_owned(), changes)]),
            played_ms: 10_000,
            runs,
        };
        refused_kind(
            summary(MAX_PARAMETER_CHANGES + 1, 1),
            "event.parameter_changes.angle",
            RejectReason::OutOfRange,
        );
        refused_kind(
            summary(1, MAX_RUNS + 1),
            "event.runs",
            RejectReason::OutOfRange,
        );
        refused_kind(summary(1, u32::MAX), "event.runs", RejectReason::OutOfRange);
    }

    #[test]
    fn impossible_heartbeat_numbers_are_refused() {
        let healthy = || KioskHealth {
            uptime_s: 600,
            exhibits_loaded: 8,
            ..KioskHealth::default()
        };
        type Spoil = fn(&mut KioskHealth);
        let cases: [(Spoil, &str); 10] = [
            (|h| h.uptime_s = u64::MAX, "event.uptime_s"),
            (
                |h| h.exhibits_loaded = MAX_EXHIBITS + 1,
                "event.exhibits_loaded",
            ),
            (|h| h.exhibits_failed = u32::MAX, "event.exhibits_failed"),
            (
                |h| h.outbox_backlog = MAX_HEALTH_COUNT + 1,
                "event.outbox_backlog",
            ),
            (|h| h.held_in_memory = u64::MAX, "event.held_in_memory"),
            (|h| h.dropped_events = u64::MAX, "event.dropped_events"),
            (|h| h.rolled_up_events = u64::MAX, "event.rolled_up_events"),
            (
                |h| h.refused_events = MAX_HEALTH_COUNT + 1,
                "event.refused_events",
            ),
            (
                |h| {
                    h.outbox_replaced = Some(OutboxReplaced {
                        at_ms: 0,
                        salvaged_events: u64::MAX,
                        lost_events: None,
                    })
                },
                "event.outbox_replaced.salvaged_events",
            ),
            (
                |h| {
                    h.outbox_replaced = Some(OutboxReplaced {
                        at_ms: 0,
                        salvaged_events: 0,
                        lost_events: Some(u64::MAX),
                    })
                },
                "event.outbox_replaced.lost_events",
            ),
        ];
        for (spoil, field) in cases {
            let mut health = healthy();
            spoil(&mut health);
            refused_kind(
                EventKind::KioskHeartbeat(health),
                field,
                RejectReason::OutOfRange,
            );
        }
    }

    #[test]
    fn a_wrong_clock_is_untrusted_not_refused() {
        let mut event = stamped(EventKind::ExhibitOpen {
            exhibit_id: "phone-scams".into(),
        });
        for (at, clock) in [
            (i64::MIN, EventClock::Untrusted),
            (0, EventClock::Untrusted),
            // 2000-01-01, where a kiosk with a dead clock battery may start.
            (946_684_800_000, EventClock::Untrusted),
            (EARLIEST_TRUSTED_MS - 1, EventClock::Untrusted),
            (EARLIEST_TRUSTED_MS, EventClock::Trusted),
            (NOW, EventClock::Trusted),
            (NOW + FUTURE_SLACK_MS, EventClock::Trusted),
            (NOW + FUTURE_SLACK_MS + 1, EventClock::Untrusted),
            (i64::MAX, EventClock::Untrusted),
        ] {
            event.occurred_at_ms = at;
            assert_eq!(check_event(&event, NOW), Ok(clock), "{at}");
        }
        // A server whose own clock is at the end of time does not overflow.
        assert_eq!(check_event(&event, i64::MAX), Ok(EventClock::Trusted));
        let mut early = rollup();
        early.hour_start_ms = 0;
        assert_eq!(check_rollup(&early, NOW), Ok(EventClock::Untrusted));
        early.hour_start_ms = -ROLLUP_PERIOD_MS;
        assert_eq!(check_rollup(&early, NOW), Ok(EventClock::Untrusted));
    }

    #[test]
    fn realistic_rollups_pass_and_every_event_type_may_be_rolled_up() {
        assert_eq!(check_rollup(&rollup(), NOW), Ok(EventClock::Trusted));
        for event_type in EventKind::TYPE_NAMES {
            let mut row = rollup();
            row.event_type = (*event_type).to_owned();
            row.exhibit_id = None;
            row.correct = 0;
            assert_eq!(
                check_rollup(&row, NOW),
                Ok(EventClock::Trusted),
                "{event_type}"
            );
        }
        let mut most = rollup();
        most.count = MAX_ROLLUP_COUNT;
        most.correct = MAX_ROLLUP_COUNT;
        most.exhibit_id = Some("a".repeat(MAX_IDENTIFIER_LEN));
        assert_eq!(check_rollup(&most, NOW), Ok(EventClock::Trusted));
    }

    #[test]
    fn impossible_rollups_are_refused() {
        #[track_caller]
        fn refused_rollup(row: &EventRollup, field: &str, reason: RejectReason) -> Rejection {
            let rejection = check_rollup(row, NOW).unwrap_err();
            assert_eq!(
                (rejection.field.as_str(), rejection.reason),
                (field, reason),
                "{rejection}"
            );
            rejection
        }
        for value in HOSTILE
            .iter()
            .copied()
            .chain(["quiz_answer; DROP TABLE rollups", "Quiz_Answer"])
        {
            let mut row = rollup();
            row.event_type = value.into();
            let rejection = refused_rollup(&row, "event_type", RejectReason::BadEventType);
            does_not_echo(&rejection, value);
            let mut row = rollup();
            row.exhibit_id = Some(value.into());
            let rejection = refused_rollup(&row, "exhibit_id", RejectReason::BadIdentifier);
            does_not_echo(&rejection, value);
        }
        for count in [0, MAX_ROLLUP_COUNT + 1, u64::MAX] {
            let mut row = rollup();
            row.count = count;
            row.correct = 0;
            refused_rollup(&row, "count", RejectReason::OutOfRange);
        }
        let mut row = rollup();
        row.correct = row.count + 1;
        refused_rollup(&row, "correct", RejectReason::BadRollup);
        for offset in [1, -1, ROLLUP_PERIOD_MS / 2] {
            let mut row = rollup();
            row.hour_start_ms += offset;
            refused_rollup(&row, "hour_start_ms", RejectReason::BadRollup);
        }
    }

    #[test]
    fn reasons_are_labels_and_paths_can_be_prefixed() {
        for reason in RejectReason::ALL {
            let label = reason.as_str();
            assert!(
                label.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{label}"
            );
            assert_eq!(serde_json::to_value(reason).unwrap(), label);
        }
        let mut labels: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), RejectReason::ALL.len());
        let mut event = stamped(EventKind::ExhibitOpen {
            exhibit_id: "phone-scams".into(),
        });
        event.seq = 0;
        let rejection = check_event(&event, NOW).unwrap_err().within("events[12]");
        assert_eq!(rejection.field, "events[12].seq");
    }

    #[test]
    fn every_simulation_parameter_name_is_an_identifier() {
        for model in crate::manifest::MODELS {
            for parameter in model.parameters {
                assert!(is_identifier(parameter.id), "{}", parameter.id);
            }
        }
    }
}
