//! JSON Schemas of the wire types (feature `openapi`; the server's OpenAPI document is made of
//! them). `#[derive(JsonSchema)]` follows serde's attributes, so the schemas accept what serde
//! accepts: `deny_unknown_fields` is `additionalProperties: false`, the internally tagged
//! [`super::EventKind`] is a `oneOf` whose variants each have a `type` const (the heartbeat's
//! fields inlined next to it), `Option` fields may be `null` or absent, `#[serde(default)]`
//! fields are not required.
//!
//! On top of that the types here (named in the fields' `schemars(with = ...)`, each one
//! component of the document) and the `range`s on the fields state the rules of
//! [`super::check`] that a schema can express, from the same consts: the id shape, the known
//! languages, the version shape, the nil UUID, the bounds of every number, list and map, and
//! the batch size. What a schema cannot express (or can only in a way generators choke on) is
//! left to the server, which answers `422` with the rule broken:
//!
//! - `score <= max_score`, a roll-up's `correct <= count` (comparisons between fields);
//! - UUIDs: serde also reads the simple, braced and `urn:uuid:` forms that `format: uuid`
//!   refuses, and the server refuses the nil UUID in each of them, where the schema names only
//!   the canonical spelling; so the schema is narrower than the server there.
//!
//! Every number's `format` is its Rust type (`uint64`, `int64`, `uint32`, `double`), with
//! `minimum`/`maximum` where `check` bounds it.

use crate::i18n::KNOWN_LANGUAGES;
use crate::manifest::{MAX_DIGITS_IN_A_ROW, MAX_IDENTIFIER_LEN};
use crate::wire::check::{MAX_APP_VERSION_LEN, MAX_PARAMETER_CHANGES, MAX_PARAMETERS};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::json;
use std::borrow::Cow;

/// `is_version`'s rule as a regular expression (ECMA-262, as JSON Schema's `pattern` is):
/// `MAJOR.MINOR.PATCH`, then optionally `-prerelease` and `+build` of `[0-9A-Za-z.-]`.
/// (`[0-9]`, not `\d`, which some engines read as any Unicode digit.)
pub const VERSION_PATTERN: &str = r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$";

/// The manifest id shape ([`crate::manifest::is_identifier`]) as a regular expression: 1 to
/// [`MAX_IDENTIFIER_LEN`] of `a-z`, `0-9`, `-`, `_`, and no more than [`MAX_DIGITS_IN_A_ROW`]
/// digits in a row (the lookahead).
pub fn identifier_pattern() -> String {
    format!(
        "^(?!.*[0-9]{{{}}})[a-z0-9_-]{{1,{MAX_IDENTIFIER_LEN}}}$",
        MAX_DIGITS_IN_A_ROW + 1
    )
}

/// A manifest id (`exhibit_id`, `question_id`, a choice, a simulation parameter, ...).
pub struct Identifier;

impl JsonSchema for Identifier {
    fn schema_name() -> Cow<'static, str> {
        "Identifier".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": format!(
                "A manifest id: 1 to {MAX_IDENTIFIER_LEN} of a-z, 0-9, '-' and '_', at most \
                 {MAX_DIGITS_IN_A_ROW} digits in a row."
            ),
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_IDENTIFIER_LEN,
            "pattern": identifier_pattern(),
        })
    }
}

/// A language code of [`KNOWN_LANGUAGES`].
pub struct Language;

impl JsonSchema for Language {
    fn schema_name() -> Cow<'static, str> {
        "Language".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A language code: ISO 639-1, or a variant such as zh-hant.",
            "type": "string",
            "enum": KNOWN_LANGUAGES,
        })
    }
}

/// `app_version`: a version number of at most [`MAX_APP_VERSION_LEN`] characters.
pub struct AppVersion;

impl JsonSchema for AppVersion {
    fn schema_name() -> Cow<'static, str> {
        "AppVersion".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The kiosk program's version: MAJOR.MINOR.PATCH[-pre][+build].",
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_APP_VERSION_LEN,
            "pattern": VERSION_PATTERN,
        })
    }
}

/// A random id made on the kiosk (UUIDv4 or v7): not the nil UUID.
pub struct RandomId;

impl JsonSchema for RandomId {
    fn schema_name() -> Cow<'static, str> {
        "RandomId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A random UUID made on the kiosk; never the nil UUID.",
            "type": "string",
            "format": "uuid",
            "not": {"const": uuid::Uuid::nil().hyphenated().to_string()},
        })
    }
}

/// `parameter_changes`: at most [`MAX_PARAMETERS`] parameters, each named by an id and changed
/// at most [`MAX_PARAMETER_CHANGES`] times.
pub fn parameter_changes(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "maxProperties": MAX_PARAMETERS,
        "propertyNames": generator.subschema_for::<Identifier>(),
        "additionalProperties": {
            "type": "integer",
            "format": "uint32",
            "minimum": 0,
            "maximum": MAX_PARAMETER_CHANGES,
        },
    })
}

/// On [`super::EngagementEvent`]: a heartbeat has no `session_id`, every other event has one
/// (`check`'s `session_mismatch`).
pub fn session_rule(schema: &mut Schema) {
    let heartbeat = json!({
        "required": ["event"],
        "properties": {"event": {
            "required": ["type"],
            "properties": {"type": {"const": "kiosk_heartbeat"}},
        }},
    });
    schema.insert("if".into(), heartbeat);
    schema.insert(
        "then".into(),
        json!({"properties": {"session_id": {"type": "null"}}}),
    );
    schema.insert(
        "else".into(),
        json!({"required": ["session_id"], "properties": {"session_id": {"type": "string"}}}),
    );
}
