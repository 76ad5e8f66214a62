//! The xAPI export's statements against the xAPI 1.0.3 statement rules (the specification's
//! "Statement Requirements", part two, section 2.4), checked here by a validator written from
//! the specification: every statement made from a few hundred synthetic visits over the
//! sample exhibits must pass it, and the validator itself must refuse broken statements.

#![allow(clippy::unwrap_used)]

use kepu_core::manifest::{ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use kepu_server::export::xapi::{self, XapiContext};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

const STATEMENT_KEYS: [&str; 11] = [
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
];
const INTERACTION_TYPES: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];

/// Every rule broken by `statement`, as readable sentences (empty: valid).
fn violations(statement: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let mut fail = |message: String| errors.push(message);
    let Some(object) = statement.as_object() else {
        return vec!["a statement is a JSON object".into()];
    };
    for key in object.keys() {
        if !STATEMENT_KEYS.contains(&key.as_str()) {
            fail(format!("unknown statement property {key}"));
        }
    }
    for required in ["actor", "verb", "object"] {
        if !object.contains_key(required) {
            fail(format!("{required} is required"));
        }
    }
    if let Some(id) = object.get("id")
        && !is_uuid(id)
    {
        fail(format!("id {id} is not a UUID"));
    }
    if let Some(version) = object.get("version")
        && !version.as_str().is_some_and(|v| v.starts_with("1.0."))
    {
        fail(format!("version {version} is not 1.0.x"));
    }
    if let Some(timestamp) = object.get("timestamp")
        && timestamp
            .as_str()
            .is_none_or(|t| chrono::DateTime::parse_from_rfc3339(t).is_err())
    {
        fail(format!(
            "timestamp {timestamp} is not ISO 8601 with a time zone"
        ));
    }
    // Actor: an Agent with exactly one inverse functional identifier.
    let actor = &statement["actor"];
    if !matches!(actor["objectType"].as_str(), None | Some("Agent")) {
        fail("actor must be an Agent".into());
    }
    let ifis: Vec<&str> = ["mbox", "mbox_sha1sum", "openid", "account"]
        .into_iter()
        .filter(|k| actor.get(k).is_some())
        .collect();
    if ifis.len() != 1 {
        fail(format!("an Agent has exactly one IFI, not {ifis:?}"));
    }
    if let Some(account) = actor.get("account") {
        if !is_iri(&account["homePage"]) {
            fail("account.homePage must be an IRL".into());
        }
        if !account["name"].is_string() {
            fail("account.name must be a string".into());
        }
    }
    // Verb.
    let verb = &statement["verb"];
    if !is_iri(&verb["id"]) {
        fail(format!("verb.id {} is not an IRI", verb["id"]));
    }
    if let Some(display) = verb.get("display") {
        check_language_map(display, "verb.display", &mut fail);
    }
    // Object: an Activity.
    let activity = &statement["object"];
    if !matches!(activity["objectType"].as_str(), None | Some("Activity")) {
        fail("object must be an Activity".into());
    }
    if !is_iri(&activity["id"]) {
        fail(format!("object.id {} is not an IRI", activity["id"]));
    }
    if let Some(definition) = activity.get("definition") {
        for map in ["name", "description"] {
            if let Some(value) = definition.get(map) {
                check_language_map(value, &format!("definition.{map}"), &mut fail);
            }
        }
        if let Some(kind) = definition.get("type")
            && !is_iri(kind)
        {
            fail(format!("definition.type {kind} is not an IRI"));
        }
        let interaction = definition.get("interactionType").and_then(Value::as_str);
        if let Some(interaction) = interaction
            && !INTERACTION_TYPES.contains(&interaction)
        {
            fail(format!(
                "interactionType {interaction} is not one of the spec's"
            ));
        }
        if let Some(choices) = definition.get("choices") {
            if !matches!(interaction, Some("choice" | "sequencing")) {
                fail("choices belong to choice or sequencing interactions only".into());
            }
            let mut ids = HashSet::new();
            for component in choices.as_array().into_iter().flatten() {
                if !component["id"].is_string() || !ids.insert(component["id"].to_string()) {
                    fail("interaction component ids are unique strings".into());
                }
                if let Some(description) = component.get("description") {
                    check_language_map(description, "component.description", &mut fail);
                }
            }
        }
        if let Some(pattern) = definition.get("correctResponsesPattern")
            && !pattern
                .as_array()
                .is_some_and(|p| p.iter().all(Value::is_string))
        {
            fail("correctResponsesPattern is an array of strings".into());
        }
        if (definition.get("choices").is_some()
            || definition.get("correctResponsesPattern").is_some())
            && interaction.is_none()
        {
            fail("interaction properties need an interactionType".into());
        }
    }
    // Result.
    if let Some(result) = statement.get("result") {
        for flag in ["success", "completion"] {
            if let Some(value) = result.get(flag)
                && !value.is_boolean()
            {
                fail(format!("result.{flag} is a boolean"));
            }
        }
        if let Some(response) = result.get("response")
            && !response.is_string()
        {
            fail("result.response is a string".into());
        }
        if let Some(duration) = result.get("duration")
            && !duration.as_str().is_some_and(is_iso_duration)
        {
            fail(format!(
                "result.duration {duration} is not an ISO 8601 duration"
            ));
        }
        if let Some(score) = result.get("score") {
            let number = |k: &str| score.get(k).and_then(Value::as_f64);
            if let Some(scaled) = number("scaled")
                && !(-1.0..=1.0).contains(&scaled)
            {
                fail(format!("score.scaled {scaled} outside -1..1"));
            }
            if let (Some(min), Some(max)) = (number("min"), number("max"))
                && min >= max
            {
                fail("score.min must be below score.max".into());
            }
            if let Some(raw) = number("raw")
                && (number("min").is_some_and(|min| raw < min)
                    || number("max").is_some_and(|max| raw > max))
            {
                fail("score.raw must lie between min and max".into());
            }
        }
    }
    // Context.
    if let Some(context) = statement.get("context") {
        if let Some(registration) = context.get("registration")
            && !is_uuid(registration)
        {
            fail("context.registration is a UUID".into());
        }
        if let Some(extensions) = context.get("extensions") {
            for key in extensions.as_object().into_iter().flat_map(|m| m.keys()) {
                if !is_iri(&json!(key)) {
                    fail(format!("extension key {key} is not an IRI"));
                }
            }
        }
        if let Some(language) = context.get("language")
            && !language.as_str().is_some_and(is_language_tag)
        {
            fail("context.language is an RFC 5646 tag".into());
        }
    }
    errors
}

fn check_language_map(value: &Value, what: &str, fail: &mut impl FnMut(String)) {
    match value.as_object() {
        Some(map) if !map.is_empty() => {
            for (tag, text) in map {
                if !is_language_tag(tag) {
                    fail(format!("{what}: {tag} is not an RFC 5646 language tag"));
                }
                if !text.is_string() {
                    fail(format!("{what}: values are strings"));
                }
            }
        }
        _ => fail(format!("{what} is a language map")),
    }
}

fn is_uuid(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 36 && uuid::Uuid::parse_str(s).is_ok())
}

fn is_iri(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        let Some((scheme, rest)) = s.split_once(':') else {
            return false;
        };
        !scheme.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
            && !s.contains(char::is_whitespace)
    })
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_iso_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("PT") else {
        return false;
    };
    let Some(number) = rest.strip_suffix('S') else {
        return false;
    };
    !number.is_empty() && number.parse::<f64>().is_ok_and(|n| n >= 0.0)
}

#[test]
fn every_statement_of_synthetic_visits_follows_the_xapi_1_0_3_rules() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let manifests: Vec<_> = load_catalog(&dir, &ValidationRules::default())
        .exhibits
        .into_iter()
        .map(|e| e.manifest)
        .collect();
    let exhibits: HashMap<_, _> = manifests
        .iter()
        .map(|m| (m.id.clone(), m.clone()))
        .collect();
    let context = XapiContext {
        base_url: "https://kepu.example.org",
        exhibits: &exhibits,
    };
    let mut visitors = Visitors::new(manifests, 3);
    let mut kiosk = KioskStream::new("kiosk-a", uuid::Uuid::from_u128(9));
    let mut at = 1_780_000_000_000;
    let mut statements = Vec::new();
    let mut verbs = HashSet::new();
    for _ in 0..300 {
        let visit = visitors.visit(&mut kiosk, at);
        at = visit.last().unwrap().occurred_at_ms + 60_000;
        for event in &visit {
            if let Some(statement) = xapi::statement(&context, event, event.occurred_at_ms, "Venue")
            {
                assert_eq!(
                    statement["id"],
                    json!(event.id.to_string()),
                    "statement id = event id"
                );
                let problems = violations(&statement);
                assert!(problems.is_empty(), "{problems:?}\n{statement:#}");
                verbs.insert(statement["verb"]["id"].as_str().unwrap().to_owned());
                statements.push(statement);
            }
        }
    }
    assert!(statements.len() > 1000, "{} statements", statements.len());
    assert_eq!(
        verbs,
        [
            xapi::VERB_EXPERIENCED,
            xapi::VERB_ANSWERED,
            xapi::VERB_COMPLETED
        ]
        .map(str::to_owned)
        .into(),
        "all three verbs occur"
    );
    // Questions are named in the manifests' languages.
    let answered = statements
        .iter()
        .find(|s| {
            s["verb"]["id"] == xapi::VERB_ANSWERED
                && s["object"]["id"].as_str().unwrap().contains("/questions/")
        })
        .unwrap();
    assert!(answered["object"]["definition"]["name"]["zh"].is_string());
    // The actor is the anonymous session and nothing else.
    let actor = answered["actor"].as_object().unwrap();
    assert_eq!(actor.len(), 2);
    assert_eq!(actor["account"].as_object().unwrap().len(), 2);
}

#[test]
fn the_validator_refuses_what_the_rules_forbid() {
    let valid = json!({
        "id": "0190f2a4-8c3e-7d00-8000-000000000001",
        "actor": { "objectType": "Agent", "account": { "homePage": "https://x.org/", "name": "s" } },
        "verb": { "id": "http://adlnet.gov/expapi/verbs/answered", "display": { "en-US": "answered" } },
        "object": { "objectType": "Activity", "id": "https://x.org/a",
                    "definition": { "name": { "zh": "题" }, "interactionType": "choice",
                                    "choices": [{ "id": "a", "description": { "en": "A" } }] } },
        "result": { "success": true, "duration": "PT2.5S", "score": { "raw": 1, "min": 0, "max": 3, "scaled": 0.33 } },
        "timestamp": "2026-05-28T20:26:40.000Z",
        "version": "1.0.3"
    });
    assert!(violations(&valid).is_empty(), "{:?}", violations(&valid));
    let broken = |path: &[&str], value: Value| {
        let mut statement = valid.clone();
        let mut target = &mut statement;
        for key in &path[..path.len() - 1] {
            target = &mut target[*key];
        }
        target[path[path.len() - 1]] = value;
        assert!(
            !violations(&statement).is_empty(),
            "{path:?} should be refused"
        );
    };
    broken(&["id"], json!("not-a-uuid"));
    broken(&["actor", "mbox"], json!("mailto:a@b.org"));
    broken(&["verb", "id"], json!("answered"));
    broken(&["verb", "display"], json!({ "english!": "x" }));
    broken(&["object", "id"], json!("no scheme"));
    broken(&["object", "definition", "interactionType"], json!("essay"));
    broken(&["result", "duration"], json!("2.5 seconds"));
    broken(&["result", "score", "scaled"], json!(1.5));
    broken(&["result", "score", "raw"], json!(4));
    broken(&["timestamp"], json!("yesterday"));
    broken(&["version"], json!("2.0.0"));
    broken(&["surprise"], json!(1));
}
