//! Engagement events as xAPI 1.0.3 statements, for a learning record store (LRS).
//!
//! The actor is the anonymous visitor session (an `account` whose name is the session's
//! random id and whose home page is this server): the LRS learns no more than the server
//! holds. Statement id = event id, so sending an export twice stores nothing twice (an LRS
//! refuses or ignores a statement id it has). Verbs: `experienced` (an exhibit left, with its
//! dwell; a story page; a hotspot; a simulation run), `answered` (a quiz question or a sort
//! placement, with success and response) and `completed` (a quiz, with its score). Events
//! that are not about content (session start and end, language, accessibility, "I am a...")
//! become no statement of their own; the session's language is carried in `context`.

use kepu_core::i18n::LocalizedText;
use kepu_core::manifest::{ExhibitKind, ExhibitManifest, Question, QuestionType};
use kepu_core::wire::{EngagementEvent, EventKind};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const XAPI_VERSION: &str = "1.0.3";
pub const VERB_EXPERIENCED: &str = "http://adlnet.gov/expapi/verbs/experienced";
pub const VERB_ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const TYPE_INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const TYPE_ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
const TYPE_MODULE: &str = "http://adlnet.gov/expapi/activities/module";
const TYPE_MEDIA: &str = "http://adlnet.gov/expapi/activities/media";

/// What the statements refer to: this server's address (the IRL of actors' home page and of
/// activity ids) and the exhibits' manifests (names, questions).
pub struct XapiContext<'a> {
    /// e.g. `https://kepu.example.org` (no trailing slash).
    pub base_url: &'a str,
    pub exhibits: &'a HashMap<String, ExhibitManifest>,
}

/// The statement for one event; `None` for events that are not about content.
pub fn statement(
    context: &XapiContext,
    event: &EngagementEvent,
    occurred_at_ms: i64,
    venue: &str,
) -> Option<Value> {
    let session = event.session_id?;
    let base = context.base_url.trim_end_matches('/');
    let exhibit_iri = |id: &str| format!("{base}/xapi/activities/exhibits/{id}");
    let manifest = |id: &str| context.exhibits.get(id);
    let (verb, verb_name, object, result) = match &event.event {
        EventKind::ExhibitClose {
            exhibit_id,
            dwell_ms,
        } => (
            VERB_EXPERIENCED,
            "experienced",
            exhibit_activity(&exhibit_iri(exhibit_id), exhibit_id, manifest(exhibit_id)),
            Some(json!({ "duration": iso_duration(*dwell_ms) })),
        ),
        EventKind::StoryPageView { exhibit_id, page } => {
            let text = manifest(exhibit_id)
                .and_then(|m| m.pages.get((*page as usize).checked_sub(1)?))
                .map(|p| short(&p.text));
            (
                VERB_EXPERIENCED,
                "experienced",
                activity(
                    &format!("{}/pages/{page}", exhibit_iri(exhibit_id)),
                    TYPE_MEDIA,
                    text.unwrap_or_else(|| named(&format!("{exhibit_id} p. {page}"))),
                    None,
                ),
                None,
            )
        }
        EventKind::HotspotOpen {
            exhibit_id,
            hotspot_id,
        } => {
            let title = manifest(exhibit_id)
                .and_then(|m| m.hotspots.iter().find(|h| &h.id == hotspot_id))
                .map(|h| language_map(&h.title));
            (
                VERB_EXPERIENCED,
                "experienced",
                activity(
                    &format!("{}/hotspots/{hotspot_id}", exhibit_iri(exhibit_id)),
                    TYPE_MEDIA,
                    title.unwrap_or_else(|| named(hotspot_id)),
                    None,
                ),
                None,
            )
        }
        EventKind::SimulationSummary {
            exhibit_id,
            played_ms,
            ..
        } => (
            VERB_EXPERIENCED,
            "experienced",
            exhibit_activity(&exhibit_iri(exhibit_id), exhibit_id, manifest(exhibit_id)),
            Some(json!({ "duration": iso_duration(*played_ms) })),
        ),
        EventKind::QuizAnswer {
            exhibit_id,
            question_id,
            choice_ids,
            correct,
            value,
            answer_ms,
        } => {
            let question = manifest(exhibit_id)
                .and_then(|m| m.questions.iter().find(|q| &q.id == question_id));
            let response = match value {
                Some(value) => value.to_string(),
                None => choice_ids.join("[,]"),
            };
            (
                VERB_ANSWERED,
                "answered",
                question_activity(
                    &format!("{}/questions/{question_id}", exhibit_iri(exhibit_id)),
                    question_id,
                    question,
                ),
                Some(json!({
                    "success": correct,
                    "response": response,
                    "duration": iso_duration(*answer_ms),
                })),
            )
        }
        EventKind::SortPlacement {
            exhibit_id,
            item_id,
            bin_id,
            correct,
        } => {
            let name = manifest(exhibit_id)
                .and_then(|m| m.items.iter().find(|i| &i.id == item_id))
                .map(|i| language_map(&i.label));
            (
                VERB_ANSWERED,
                "answered",
                activity(
                    &format!("{}/items/{item_id}", exhibit_iri(exhibit_id)),
                    TYPE_INTERACTION,
                    name.unwrap_or_else(|| named(item_id)),
                    Some(("interactionType", json!("matching"))),
                ),
                Some(json!({ "success": correct, "response": bin_id })),
            )
        }
        EventKind::QuizComplete {
            exhibit_id,
            score,
            max_score,
        } => {
            let mut score_json = json!({ "raw": score, "min": 0, "max": max_score });
            if *max_score > 0 {
                score_json["scaled"] = json!(f64::from(*score) / f64::from(*max_score));
            }
            (
                VERB_COMPLETED,
                "completed",
                exhibit_activity(&exhibit_iri(exhibit_id), exhibit_id, manifest(exhibit_id)),
                Some(json!({ "completion": true, "score": score_json })),
            )
        }
        _ => return None,
    };
    let mut statement = json!({
        "id": event.id.to_string(),
        "version": XAPI_VERSION,
        "actor": {
            "objectType": "Agent",
            "account": { "homePage": format!("{base}/"), "name": session.to_string() },
        },
        "verb": { "id": verb, "display": { "en-US": verb_name } },
        "object": object,
        "timestamp": iso_timestamp(occurred_at_ms),
        "context": {
            "registration": session.to_string(),
            "platform": "Kepu Kiosk",
            "extensions": {
                format!("{base}/xapi/extensions/kiosk"): event.kiosk_id,
                format!("{base}/xapi/extensions/venue"): venue,
            },
        },
    });
    if let Some(result) = result {
        statement["result"] = result;
    }
    Some(statement)
}

fn exhibit_activity(iri: &str, id: &str, manifest: Option<&ExhibitManifest>) -> Value {
    let kind_type = match manifest.map(|m| m.kind) {
        Some(ExhibitKind::Quiz) => TYPE_ASSESSMENT,
        _ => TYPE_MODULE,
    };
    let name = manifest.map_or_else(|| named(id), |m| language_map(&m.title));
    activity(iri, kind_type, name, None)
}

fn question_activity(iri: &str, id: &str, question: Option<&Question>) -> Value {
    let Some(question) = question else {
        return activity(
            iri,
            TYPE_INTERACTION,
            named(id),
            Some(("interactionType", json!("other"))),
        );
    };
    let interaction = match question.question_type {
        QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => "choice",
        QuestionType::TrueFalse => "true-false",
        QuestionType::Ordering => "sequencing",
        QuestionType::Estimate => "numeric",
    };
    let mut value = activity(
        iri,
        TYPE_INTERACTION,
        language_map(&question.prompt),
        Some(("interactionType", json!(interaction))),
    );
    let definition = &mut value["definition"];
    match question.question_type {
        QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => {
            definition["choices"] = Value::Array(
                question
                    .choices
                    .iter()
                    .map(|c| json!({ "id": c.id, "description": language_map(&c.label) }))
                    .collect(),
            );
            let right: Vec<&str> = question
                .choices
                .iter()
                .filter(|c| c.correct)
                .map(|c| c.id.as_str())
                .collect();
            definition["correctResponsesPattern"] = json!([right.join("[,]")]);
        }
        QuestionType::TrueFalse => {
            if let Some(answer) = question.answer {
                definition["correctResponsesPattern"] = json!([answer.to_string()]);
            }
        }
        QuestionType::Ordering => {
            definition["choices"] = Value::Array(
                question
                    .items
                    .iter()
                    .map(|i| json!({ "id": i.id, "description": language_map(&i.label) }))
                    .collect(),
            );
            let order: Vec<&str> = question.items.iter().map(|i| i.id.as_str()).collect();
            definition["correctResponsesPattern"] = json!([order.join("[,]")]);
        }
        QuestionType::Estimate => {
            if let Some(estimate) = &question.estimate {
                definition["correctResponsesPattern"] = json!([format!(
                    "{}[:]{}",
                    estimate.answer - estimate.tolerance,
                    estimate.answer + estimate.tolerance
                )]);
            }
        }
    }
    value
}

fn activity(iri: &str, activity_type: &str, name: Value, extra: Option<(&str, Value)>) -> Value {
    let mut definition = Map::new();
    definition.insert("name".into(), name);
    definition.insert("type".into(), json!(activity_type));
    if let Some((key, value)) = extra {
        definition.insert(key.into(), value);
    }
    json!({ "objectType": "Activity", "id": iri, "definition": definition })
}

/// A manifest's text as an xAPI language map (its keys are the manifest's language codes,
/// which are RFC 5646 tags: `zh`, `en`, ...). Empty texts are left out; an all-empty text
/// becomes `und`.
fn language_map(text: &LocalizedText) -> Value {
    let mut map = Map::new();
    for (language, value) in &text.0 {
        if !value.trim().is_empty() {
            map.insert(language.clone(), json!(value));
        }
    }
    if map.is_empty() {
        map.insert("und".into(), json!(""));
    }
    Value::Object(map)
}

/// The first line of a long text (a story page), as a language map.
fn short(text: &LocalizedText) -> Value {
    let mut cut = text.clone();
    for value in cut.0.values_mut() {
        let line: String = value
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(80)
            .collect();
        *value = line;
    }
    language_map(&cut)
}

/// A name for something the manifests do not describe: its id, language undetermined.
fn named(id: &str) -> Value {
    json!({ "und": id })
}

/// Milliseconds as an ISO 8601 duration (`PT12.5S`).
pub fn iso_duration(ms: u64) -> String {
    let seconds = ms / 1000;
    let millis = ms % 1000;
    if millis == 0 {
        format!("PT{seconds}S")
    } else {
        format!("PT{seconds}.{millis:03}S")
    }
}

/// Unix milliseconds as an ISO 8601 timestamp in UTC (`2026-05-28T14:00:00.000Z`).
pub fn iso_timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations_and_timestamps_are_iso_8601() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(12_500), "PT12.500S");
        assert_eq!(iso_duration(61_000), "PT61S");
        assert_eq!(iso_timestamp(1_780_000_000_000), "2026-05-28T20:26:40.000Z");
    }
}
