//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document ([`crate::openapi`]). Open, like
//! `/healthz`: it tells how to call the API, nothing about anyone's data.

use super::ApiRouter;
use crate::openapi::{self, OPENAPI_PATH, Operation};
use axum::body::Bytes;
use axum::http::header;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// The body of the document's own route, for its schema.
struct OpenApiDocument;

impl JsonSchema for OpenApiDocument {
    fn schema_name() -> Cow<'static, str> {
        "OpenApiDocument".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {"openapi": {"const": "3.1.0"}},
        })
    }
}

/// The routes' operations, and their document once it was asked for.
struct Document {
    operations: Vec<Operation>,
    json: OnceLock<Bytes>,
}

impl Document {
    fn json(&self) -> Bytes {
        self.json
            .get_or_init(|| Bytes::from(openapi::document(&self.operations).to_string()))
            .clone()
    }
}

impl ApiRouter {
    /// Adds `GET /api/v1/openapi.json`, which serves the document of every route added so far
    /// and of itself. (Made on the first request, then kept.)
    pub fn with_openapi_document(self) -> Self {
        let operation = Operation::new("openapiDocument", "This OpenAPI 3.1 document")
            .ok::<OpenApiDocument>("The API's OpenAPI 3.1 document (JSON).");
        let mut operations = self.operations().to_vec();
        operations.push(operation.clone().at("get", OPENAPI_PATH));
        let document = Arc::new(Document {
            operations,
            json: OnceLock::new(),
        });
        self.get(
            OPENAPI_PATH,
            move || {
                let document = Arc::clone(&document);
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        document.json(),
                    )
                }
            },
            operation,
        )
    }
}
