//! The HTTP API, one `router()` per resource; `crate::app` composes them with their guards.
//! Every route is added through [`ApiRouter`], with its OpenAPI [`Operation`].

pub mod export;
pub mod health;
pub mod ingest;
pub mod metrics;
pub mod openapi;
pub mod reports;
pub mod stats;

use crate::AppState;
use crate::error::AppError;
use crate::openapi::Operation;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::Route;
use std::convert::Infallible;
use tower::{Layer, Service};

/// A [`Router`] whose every route comes with its documentation: `get`/`post` take the handler
/// and its [`Operation`] together, so the OpenAPI document ([`crate::openapi`]) lists exactly
/// the routes there are. (Only this type calls `Router::route`; a test checks that.)
#[derive(Default)]
pub struct ApiRouter {
    router: Router<AppState>,
    operations: Vec<Operation>,
}

impl ApiRouter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H, operation: Operation) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::get(handler));
        self.operations.push(operation.at("get", path));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H, operation: Operation) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::post(handler));
        self.operations.push(operation.at("post", path));
        self
    }

    /// [`Router::route_layer`]: a layer (a guard) around every route added so far.
    pub fn route_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.router = self.router.route_layer(layer);
        self
    }

    pub fn merge(mut self, other: ApiRouter) -> Self {
        self.router = self.router.merge(other.router);
        self.operations.extend(other.operations);
        self
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// A JSON request body whose refusal is an [`AppError`]: 415 without a JSON content type, 413
/// when too large, 400 with serde's reason (the field, line and column; quoted values cut
/// short, so a payload is never echoed whole) when it is not the expected JSON — and, for a
/// batch ([`JsonBody::ITEMS`]), 422 naming the one item that does not parse, so that a kiosk
/// can set that item aside (an event from a newer kiosk with a field this server does not
/// know must not block the kiosk's queue).
pub struct ApiJson<T>(pub T);

/// A request body type; batches say where their items and the items' ids are.
pub trait JsonBody: serde::de::DeserializeOwned {
    /// (list field, id field of each item), e.g. `("events", "id")`.
    const ITEMS: Option<(&'static str, &'static str)> = None;
}

impl JsonBody for kepu_core::wire::IngestRequest {
    const ITEMS: Option<(&'static str, &'static str)> = Some(("events", "id"));
}

impl JsonBody for kepu_core::wire::RollupRequest {
    const ITEMS: Option<(&'static str, &'static str)> = Some(("rollups", "rollup_id"));
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: JsonBody,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !json {
            return Err(AppError::UnsupportedMediaType(
                "send the body as JSON (Content-Type: application/json)".to_owned(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(format!(
                        "the request body is larger than {} bytes",
                        crate::MAX_BODY_BYTES
                    ))
                } else {
                    AppError::BadRequest(rejection.body_text())
                }
            })?;
        match serde_json::from_slice::<T>(&bytes) {
            Ok(value) => Ok(Self(value)),
            Err(err) => Err(T::ITEMS
                .and_then(|items| unparsable_item::<T>(&bytes, items))
                .unwrap_or_else(|| AppError::BadRequest(cut_quotes(&err.to_string())))),
        }
    }
}

/// The first item of a batch that does not parse on its own, when it has a readable id.
fn unparsable_item<T: JsonBody>(bytes: &[u8], (list, id_field): (&str, &str)) -> Option<AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let items = object.get(list)?.as_array()?;
    items.iter().enumerate().find_map(|(index, item)| {
        // Parse the item as the batch's own type would: a batch of just this item.
        let alone = serde_json::json!({ list: [item] });
        let err = serde_json::from_value::<T>(alone).err()?;
        let id = item.get(id_field)?.as_str()?.parse::<uuid::Uuid>().ok()?;
        Some(AppError::Invalid {
            detail: format!("{list}[{index}] ({id}): {}", cut_quotes(&err.to_string())),
            reason: "malformed_item",
            rejected: Some(id),
        })
    })
}

/// serde's message with every quoted value (`"..."` or `` `...` ``) cut to 24 characters and
/// escaped, and the whole to 300: the client learns which field and why, not its own payload
/// back.
pub(crate) fn cut_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(300));
    let mut quote: Option<char> = None;
    let mut inside = 0;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => {
                inside += 1;
                if inside <= 24 {
                    out.extend(c.escape_debug());
                } else if inside == 25 {
                    out.push('…');
                }
            }
            None => {
                if c == '"' || c == '`' {
                    quote = Some(c);
                    inside = 0;
                }
                out.extend(c.escape_debug());
            }
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(299).collect();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cut_quotes;

    #[test]
    fn quoted_values_are_cut_short() {
        let message = format!(
            "invalid type: string \"{}\", expected u64 at line 1 column 9",
            "1".repeat(100)
        );
        let cut = cut_quotes(&message);
        assert!(cut.contains(&format!("\"{}…\"", "1".repeat(24))), "{cut}");
        assert!(cut.ends_with("expected u64 at line 1 column 9"));
        assert_eq!(
            cut_quotes("unknown field `visitor_ip`, expected `id`"),
            "unknown field `visitor_ip`, expected `id`"
        );
        assert!(!cut_quotes("x \"a\u{202e}b\"").contains('\u{202e}'));
        assert!(cut_quotes(&"y".repeat(1000)).chars().count() <= 300);
    }
}
