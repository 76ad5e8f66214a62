//! The HTTP API, one `router()` per resource; `crate::app` composes them with their guards.

pub mod health;
pub mod ingest;
pub mod metrics;
pub mod stats;

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;

/// `Json<T>` whose refusal is an [`AppError`]: 413 when the body is too large, 400 with
/// serde's reason (the field, the line and column) when it is not the expected JSON.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge(format!(
                    "the request body is larger than {} bytes",
                    crate::MAX_BODY_BYTES
                )))
            }
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}
