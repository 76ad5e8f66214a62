//! `GET /api/v1/export/xapi?from=…&to=…`: the period's visitor events as xAPI 1.0.3
//! statements, one JSON object per line (NDJSON), for a learning record store. Admins only
//! (it is per-session data, anonymous but not aggregated); streamed in chunks, so a year's
//! export never sits in memory.

use super::ApiRouter;
use crate::AppState;
use crate::auth::StaffUser;
use crate::error::AppError;
use crate::export::xapi::{self, XapiContext};
use crate::openapi::Operation;
use crate::report_data::{self, Catalog};
use crate::scope::ScopeParams;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub const XAPI_PATH: &str = "/api/v1/export/xapi";

/// The period to export (the report filters' `from` and `to`; other filters do not apply).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct ExportQuery {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
}

/// Events per chunk read from the store and written to the client.
const CHUNK: usize = 1000;

pub fn router() -> ApiRouter {
    ApiRouter::new().get(
        XAPI_PATH,
        export_xapi,
        Operation::new("exportXapi", "The period's visitor events as xAPI 1.0.3 statements")
            .describe(
                "NDJSON: one statement per line. Actor: the anonymous session (an `account` \
                 on this server); statement id = event id, so a second export of the same \
                 period stores nothing twice in the LRS. Verbs: experienced, answered, \
                 completed. Admins only (HTTP Basic of an admin account, or an admin's \
                 dashboard session).",
            )
            .staff()
            .query::<ExportQuery>("A date that is not YYYY-MM-DD, or a period that ends before it starts or is longer than three years.")
            .error(403, "Not an admin: the export is per session (anonymous, but not aggregated).")
            .ok_text("application/x-ndjson", "One xAPI statement per line."),
    )
}

async fn export_xapi(
    State(state): State<AppState>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    if !user.is_admin() {
        return Err(AppError::Forbidden(
            "the xAPI export is for admins: it holds every visitor session's events".into(),
        ));
    }
    let params = ScopeParams {
        from: query.from,
        to: query.to,
        ..ScopeParams::default()
    };
    let scope = report_data::scope_of(&params, &state.reports)?;
    let (from_ms, to_ms) = scope.period.range_ms(state.reports.zone);
    let exhibits = Catalog::load(&state.store).await?.by_id();
    // The address clients reach this server at: the statements' actor home page and
    // activity ids.
    let scheme = if state.sessions.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("kepu.invalid")
        .to_owned();
    let base_url = format!("{scheme}://{host}");
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let store = state.store.clone();
    tokio::spawn(async move {
        let context = XapiContext {
            base_url: &base_url,
            exhibits: &exhibits,
        };
        let result = store
            .export_events(from_ms, to_ms, CHUNK, |chunk| {
                let mut lines = String::new();
                for exported in &chunk {
                    if let Some(statement) = xapi::statement(
                        &context,
                        &exported.event,
                        exported.occurred_at_ms,
                        &exported.venue,
                    ) {
                        lines.push_str(&statement.to_string());
                        lines.push('\n');
                    }
                }
                let sender = sender.clone();
                async move { sender.send(Ok(Bytes::from(lines))).await.is_ok() }
            })
            .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "the xAPI export failed part way");
            // The client sees the stream end in an error, not a short file that looks whole.
            let _ = sender
                .send(Err(std::io::Error::other(
                    "the export failed; see the server log",
                )))
                .await;
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    let name = format!(
        "kepu-xapi-{}-{}.ndjson",
        scope.period.first, scope.period.last
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
