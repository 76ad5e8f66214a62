//! One error type for every handler: a clear status, a stable machine-readable `error` code and
//! a `detail` in words for the client; internals only in the server's log. No error body ever
//! echoes a token, a password or a payload.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kepu_core::wire::ApiError;
use std::time::Duration;

/// The `error` code of an answer, for the metrics middleware (a response extension).
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not JSON, or not the shape of the body (an unknown field, a wrong type).
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed, but an event or roll-up breaks a rule of the schema; `rejected` names it so
    /// that the kiosk can set it aside and send the others.
    #[error("{detail}")]
    Invalid {
        detail: String,
        reason: &'static str,
        rejected: Option<uuid::Uuid>,
    },
    #[error("{0}")]
    Unauthorized(String),
    /// `Unauthorized` on a staff route: the answer asks for HTTP Basic credentials.
    #[error("{0}")]
    StaffUnauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after: Duration,
    },
    #[error("the database is not reachable")]
    Unavailable(#[source] kepu_store::StoreError),
    #[error("internal error: {0}")]
    Internal(#[from] kepu_store::StoreError),
    /// A report's input was not of the shape its function takes: a bug, never the user's.
    #[error("internal error in a report: {0}")]
    Report(#[from] crate::reports::ReportError),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) | Self::StaffUnauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) | Self::Report(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code in the body's `error` field (and the metrics' rejection reason).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Invalid { reason, .. } => reason,
            Self::Unauthorized(_) | Self::StaffUnauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) | Self::Report(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Self::Internal(err) => {
                tracing::error!(error = %err, "request failed");
                "internal server error; see the server log".to_owned()
            }
            Self::Report(err) => {
                tracing::error!(error = %err, "a report could not be made");
                "internal server error; see the server log".to_owned()
            }
            Self::Unavailable(err) => {
                tracing::error!(error = %err, "database unavailable");
                "the database is not reachable; try again later".to_owned()
            }
            other => other.to_string(),
        };
        let rejected_event = match &self {
            Self::Invalid { rejected, .. } => *rejected,
            _ => None,
        };
        let body = ApiError {
            error: self.code().to_owned(),
            detail,
            rejected_event,
        };
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code()));
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::StaffUnauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Basic realm="Kepu staff", charset="UTF-8""#),
                );
            }
            Self::TooManyRequests { retry_after, .. } => {
                // Whole seconds, rounded up: never earlier than the limiter allows.
                let seconds = retry_after.as_millis().div_ceil(1000).max(1);
                if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}
