//! The API's OpenAPI 3.1 document, served at [`OPENAPI_PATH`].
//!
//! Made from the code, in two halves:
//!
//! - each route declares its [`Operation`] where it is registered: `routes::ApiRouter` takes
//!   the handler and its `Operation` in one call, so a route cannot exist undocumented. An
//!   operation names its access ([`Operation::kiosk`], [`Operation::staff`]), request body and
//!   answers; the answers every route of a kind can give (a refused token, a body too large, a
//!   busy server, ...) come with those calls, so a route only adds its own;
//! - the bodies' schemas are generated from the wire types (`kepu_core::wire`, feature
//!   `openapi`) by `schemars`, whose JSON Schema 2020-12 is OpenAPI 3.1's own dialect. They
//!   follow serde's attributes and state `wire::check`'s bounds from its consts; what they cannot
//!   state is listed in `kepu_core::wire::schema`'s documentation.
//!
//! Schemas describe what serde *reads* (`Contract::Deserialize`), responses included: that is
//! what the kiosk's uploader, which parses the answers with these same types, accepts. (So
//! `ApiError.detail`, `#[serde(default)]`, is not required although the server always sends it.)
//!
//! Why not utoipa: its derive takes only literal numbers for bounds (not `check`'s consts), does
//! not close the variants of an internally tagged enum (`deny_unknown_fields`), and describes
//! the heartbeat variant as `allOf` of `KioskHealth` (closed) and the `type` tag, which no value
//! can satisfy. schemars states all three exactly, and kepu-core already depends on it.

use kepu_core::wire::{ApiError, MAX_BATCH};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where the document is served (open, like `/healthz`).
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The security scheme of kiosks: `Authorization: Bearer kpk_…`.
pub const KIOSK_SCHEME: &str = "kioskToken";
/// The security scheme of staff: HTTP Basic with a staff account's name and password.
pub const STAFF_SCHEME: &str = "staffBasic";
/// Staff routes also take a read-only API token, `Authorization: Bearer kepu_ro_…`.
pub const STAFF_TOKEN_SCHEME: &str = "staffToken";
/// And the dashboard's session cookie (for reading).
pub const STAFF_SESSION_SCHEME: &str = "staffSession";

/// Writes a type's schema (a `$ref` to its component, for named types) into the generator.
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// `T`'s own schema, not a reference to it (query parameters are its properties).
fn inline_schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.root_schema_for::<T>()
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone who reaches the server (health, metrics, this document).
    Open,
    /// A kiosk, with its bearer token.
    Kiosk,
    /// A staff member, with name and password.
    Staff,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    Json(SchemaFn),
    /// A text body of this media type.
    Text(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Header {
    name: &'static str,
    description: &'static str,
    required: bool,
    integer: bool,
}

const RETRY_AFTER: Header = Header {
    name: "Retry-After",
    description: "Whole seconds to wait before the next try (at least 1).",
    required: true,
    integer: true,
};

/// One status an operation can answer with: why (one line per cause), what body, which headers.
#[derive(Debug, Clone)]
struct Answer {
    causes: Vec<Cow<'static, str>>,
    body: Body,
    headers: Vec<Header>,
}

/// One route and method: what it is for, who may call it, what it takes and every answer it
/// can give.
#[derive(Debug, Clone)]
pub struct Operation {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    description: Option<&'static str>,
    access: Access,
    request: Option<SchemaFn>,
    /// Query parameters: the properties of this type's schema, each one `in: query`.
    query: Option<SchemaFn>,
    answers: BTreeMap<u16, Answer>,
}

impl Operation {
    /// An open operation: `id` is its `operationId` (camelCase), `summary` a line for people.
    /// Every operation can answer 503 when every connection slot is busy (see `serve`).
    pub fn new(id: &'static str, summary: &'static str) -> Self {
        Self {
            method: "",
            path: "",
            id,
            summary,
            description: None,
            access: Access::Open,
            request: None,
            query: None,
            answers: BTreeMap::new(),
        }
        .error_with(
            503,
            "The server is busy (every connection slot is taken); try again after `Retry-After`.",
            &[Header {
                required: false,
                ..RETRY_AFTER
            }],
        )
    }

    /// Longer documentation (CommonMark).
    pub fn describe(mut self, text: &'static str) -> Self {
        self.description = Some(text);
        self
    }

    /// Called by kiosks with their bearer token (`routes::ApiRouter`'s kiosk routes sit behind
    /// `auth::require_kiosk`).
    pub fn kiosk(mut self) -> Self {
        self.access = Access::Kiosk;
        self.error_with(
            401,
            "The bearer token is missing, malformed, unknown, or was replaced and its grace time \
             is over.",
            &[WWW_AUTHENTICATE],
        )
        .error(403, "The token's kiosk was revoked.")
        .error_with(
            429,
            "The kiosk sends faster than its rate limit, or this address failed to authenticate \
             too often lately.",
            &[RETRY_AFTER],
        )
        .error(500, INTERNAL)
    }

    /// Called by staff (behind `auth::require_staff`): HTTP Basic, a read-only API token, or
    /// the dashboard's session cookie; the last two only to read.
    pub fn staff(mut self) -> Self {
        self.access = Access::Staff;
        self.error_with(
            401,
            "No staff credentials, a wrong name or password, or an unknown or revoked API \
             token.",
            &[WWW_AUTHENTICATE],
        )
        .error(
            403,
            "A read-only credential (API token, dashboard session) on a request that writes.",
        )
        .error_with(
            429,
            "This address failed to authenticate too often lately.",
            &[RETRY_AFTER],
        )
        .error(500, INTERNAL)
    }

    /// A JSON request body of type `T`, plain or gzip-compressed (`Content-Encoding`), and the
    /// answers every such body can get.
    pub fn json_body<T: JsonSchema>(mut self) -> Self {
        self.request = Some(schema_of::<T>);
        self.error(
            400,
            "The body is not JSON of the documented shape (an unknown field, a wrong type; \
             `detail` says where), or not valid gzip.",
        )
        .error(
            408,
            "The body did not arrive within the body timeout (the connection is closed).",
        )
        .error(
            413,
            format!(
                "The body is larger than {} bytes (its `Content-Length`, or after \
                 decompression), or the batch has more than {MAX_BATCH} items.",
                crate::MAX_BODY_BYTES
            ),
        )
        .error(
            415,
            "A `Content-Encoding` other than gzip or identity: send the body uncompressed.",
        )
    }

    /// Query parameters: each property of `T` (a struct deserialized from the query string)
    /// is one, with its schema and description; a 400 answers values that do not parse.
    pub fn query<T: JsonSchema>(mut self, invalid: &'static str) -> Self {
        self.query = Some(inline_schema_of::<T>);
        self.error(400, invalid)
    }

    /// A 200 answer with a JSON body of type `T`.
    pub fn ok<T: JsonSchema>(mut self, description: &'static str) -> Self {
        self.answers.insert(
            200,
            Answer {
                causes: vec![description.into()],
                body: Body::Json(schema_of::<T>),
                headers: Vec::new(),
            },
        );
        self
    }

    /// A 200 answer with a text body of `media_type`.
    pub fn ok_text(mut self, media_type: &'static str, description: &'static str) -> Self {
        self.answers.insert(
            200,
            Answer {
                causes: vec![description.into()],
                body: Body::Text(media_type),
                headers: Vec::new(),
            },
        );
        self
    }

    /// An error answer (an [`ApiError`] body); a status already documented gets `cause` added.
    pub fn error(self, status: u16, cause: impl Into<Cow<'static, str>>) -> Self {
        self.error_with(status, cause, &[])
    }

    fn error_with(
        mut self,
        status: u16,
        cause: impl Into<Cow<'static, str>>,
        headers: &[Header],
    ) -> Self {
        let answer = self.answers.entry(status).or_insert_with(|| Answer {
            causes: Vec::new(),
            body: Body::Json(schema_of::<ApiError>),
            headers: Vec::new(),
        });
        answer.causes.push(cause.into());
        for header in headers {
            match answer.headers.iter_mut().find(|h| h.name == header.name) {
                // Required only if every cause sends it.
                Some(known) => known.required &= header.required,
                None => answer.headers.push(*header),
            }
        }
        self
    }

    /// Sets the method (`"get"`, `"post"`) and path it is served at (by `routes::ApiRouter`).
    pub(crate) fn at(mut self, method: &'static str, path: &'static str) -> Self {
        self.method = method;
        self.path = path;
        self
    }

    fn to_json(&self, generator: &mut SchemaGenerator) -> Value {
        let mut operation = Map::new();
        operation.insert("operationId".into(), self.id.into());
        operation.insert("summary".into(), self.summary.into());
        if let Some(description) = self.description {
            operation.insert("description".into(), description.into());
        }
        let security = match self.access {
            Access::Open => json!([]),
            Access::Kiosk => json!([{ KIOSK_SCHEME: [] }]),
            Access::Staff => json!([
                { STAFF_SCHEME: [] },
                { STAFF_TOKEN_SCHEME: [] },
                { STAFF_SESSION_SCHEME: [] },
            ]),
        };
        operation.insert("security".into(), security);
        let mut parameters = path_parameters(self.path);
        if let Some(schema) = self.query
            && let Value::Array(query) = query_parameters(schema(generator).to_value())
        {
            parameters.extend(query);
        }
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(schema) = self.request {
            // `Content-Encoding` is told here rather than as a header parameter: it is HTTP's
            // content coding of the body (as `Accept-Encoding` is of the answer), and as a
            // parameter it would have fuzzers send uncompressed bodies labelled gzip.
            operation.insert(
                "requestBody".into(),
                json!({
                    "description": "JSON, plain or gzip-compressed with `Content-Encoding: gzip` \
                        (as kiosks send it); the size limit holds after decompression.",
                    "required": true,
                    "content": {"application/json": {"schema": schema(generator)}},
                }),
            );
        }
        let responses: Map<String, Value> = self
            .answers
            .iter()
            .map(|(status, answer)| (status.to_string(), answer.to_json(generator)))
            .collect();
        operation.insert("responses".into(), responses.into());
        operation.into()
    }
}

/// A parameter for each `{name}` of a path: an id (an exhibit's, a question's), so of the
/// manifest ids' shape.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": "An id as in the exhibit manifests.",
                "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$", "maxLength": 64},
            })
        })
        .collect()
}

/// The query parameters of a struct's schema: one per property (a `null` alternative dropped:
/// an absent parameter is how a query says "none").
fn query_parameters(schema: Value) -> Value {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let parameters: Vec<Value> = schema["properties"]
        .as_object()
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| {
                    let mut property = property.clone();
                    let description = property
                        .as_object_mut()
                        .and_then(|p| p.remove("description"))
                        .unwrap_or(Value::Null);
                    if let Some(types) = property["type"].as_array() {
                        let kept: Vec<Value> =
                            types.iter().filter(|t| *t != "null").cloned().collect();
                        property["type"] = match kept.as_slice() {
                            [one] => one.clone(),
                            _ => Value::Array(kept),
                        };
                    }
                    let mut parameter = json!({
                        "name": name,
                        "in": "query",
                        "required": required.contains(&name.as_str()),
                        "schema": property,
                    });
                    if !description.is_null() {
                        parameter["description"] = description;
                    }
                    parameter
                })
                .collect()
        })
        .unwrap_or_default();
    Value::Array(parameters)
}

const WWW_AUTHENTICATE: Header = Header {
    name: "WWW-Authenticate",
    description: "The scheme to authenticate with.",
    required: true,
    integer: false,
};

const INTERNAL: &str =
    "The database failed (details in the server's log only); the request can be retried.";

impl Answer {
    fn to_json(&self, generator: &mut SchemaGenerator) -> Value {
        let (media_type, schema) = match self.body {
            Body::Json(schema) => ("application/json", schema(generator).to_value()),
            Body::Text(media_type) => (media_type, json!({"type": "string"})),
        };
        let mut answer = json!({
            "description": self.causes.join(" Or: "),
            "content": {media_type: {"schema": schema}},
        });
        if !self.headers.is_empty() {
            let headers: Map<String, Value> = self
                .headers
                .iter()
                .map(|header| {
                    let schema = if header.integer {
                        json!({"type": "integer", "minimum": 1})
                    } else {
                        json!({"type": "string"})
                    };
                    let value = json!({
                        "description": header.description,
                        "required": header.required,
                        "schema": schema,
                    });
                    (header.name.to_owned(), value)
                })
                .collect();
            answer["headers"] = headers.into();
        }
        answer
    }
}

/// The OpenAPI 3.1 document of `operations`.
pub fn document(operations: &[Operation]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| {
            settings.definitions_path = "/components/schemas".into();
            settings.meta_schema = None;
        })
        .into_generator();
    let mut paths = Map::new();
    for operation in operations {
        let item = paths
            .entry(operation.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[operation.method] = operation.to_json(&mut generator);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kepu district server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Kiosks deliver anonymous engagement events (`/api/v1/events`, \
                `/api/v1/rollups`); staff read statistics. Bodies are JSON; kiosks may gzip \
                them. Every error has an `ApiError` body. See docs/api.md for examples.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"},
        },
        "paths": Value::Object(paths),
        "components": {
            "schemas": Value::Object(generator.take_definitions(true)),
            "securitySchemes": {
                KIOSK_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "kpk_ and 64 hex digits",
                    "description": "A kiosk's token, made by `kepu-server kiosk add` (only its \
                        SHA-256 is stored).",
                },
                STAFF_SCHEME: {
                    "type": "http",
                    "scheme": "basic",
                    "description": "A staff account's name and password (`kepu-server staff add`).",
                },
                STAFF_TOKEN_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "kepu_ro_ and 64 hex digits",
                    "description": "A read-only API token (`kepu-server api-token add`, or the \
                        dashboard's admin page; only its SHA-256 is stored): reads only.",
                },
                STAFF_SESSION_SCHEME: {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "kepu_session",
                    "description": "The dashboard's session cookie (set by `POST /login`): reads \
                        only.",
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_merge_causes_and_keep_a_header_required_only_if_every_cause_sends_it() {
        let operation = Operation::new("x", "x")
            .error_with(503, "again", &[RETRY_AFTER])
            .kiosk()
            .error(403, "claims another kiosk")
            .at("post", "/x");
        let json = document(&[operation]);
        let responses = &json["paths"]["/x"]["post"]["responses"];
        let busy = &responses["503"];
        assert!(busy["description"].as_str().unwrap().contains("Or: again"));
        assert_eq!(busy["headers"]["Retry-After"]["required"], false);
        assert_eq!(responses["429"]["headers"]["Retry-After"]["required"], true);
        assert_eq!(
            responses["403"]["description"],
            "The token's kiosk was revoked. Or: claims another kiosk"
        );
        assert_eq!(
            responses["403"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ApiError"
        );
        assert!(json["components"]["schemas"]["ApiError"].is_object());
    }
}
