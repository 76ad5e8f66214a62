//! Request bodies compressed with gzip (`Content-Encoding: gzip`, as kiosks send them) are
//! decoded before any handler sees them. The size limit holds for the decoded body too, so a
//! small body that inflates to gigabytes is refused like a large one.

use crate::MAX_BODY_BYTES;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::Read;

/// Middleware: decodes a gzip request body; refuses encodings other than gzip and identity
/// with 415, which tells a kiosk to send its bodies uncompressed.
pub async fn decode_request_body(request: Request, next: Next) -> Response {
    let encoding = match request.headers().get(CONTENT_ENCODING) {
        None => return next.run(request).await,
        Some(value) => value
            .to_str()
            .unwrap_or("(not text)")
            .trim()
            .to_ascii_lowercase(),
    };
    match encoding.as_str() {
        "" | "identity" => next.run(request).await,
        "gzip" | "x-gzip" => match gunzip(request).await {
            Ok(request) => next.run(request).await,
            Err(err) => err.into_response(),
        },
        other => AppError::UnsupportedMediaType(crate::routes::cut_quotes(&format!(
            "Content-Encoding \"{other}\" is not supported; send gzip or no encoding"
        )))
        .into_response(),
    }
}

async fn gunzip(request: Request) -> Result<Request, AppError> {
    let (mut parts, body) = request.into_parts();
    let compressed = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            AppError::PayloadTooLarge(format!(
                "the request body is incomplete or larger than {MAX_BODY_BYTES} bytes"
            ))
        })?;
    let mut decoded = Vec::with_capacity(compressed.len() * 8);
    // One byte past the limit tells "exactly at the limit" from "beyond it".
    flate2::read::MultiGzDecoder::new(&compressed[..])
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|err| {
            AppError::BadRequest(format!("the request body is not valid gzip: {err}"))
        })?;
    if decoded.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "the decompressed request body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    parts.headers.remove(CONTENT_ENCODING);
    parts.headers.insert(CONTENT_LENGTH, decoded.len().into());
    Ok(Request::from_parts(parts, Body::from(decoded)))
}

/// Middleware: a body whose declared `Content-Length` is beyond the limit is refused at once
/// (413), before a byte of it is read.
pub async fn refuse_declared_oversize(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES as u64 => AppError::PayloadTooLarge(format!(
            "the request body ({length} bytes) is larger than {MAX_BODY_BYTES} bytes"
        ))
        .into_response(),
        _ => next.run(request).await,
    }
}
