//! `GET /api/v1/reports/...`: every dashboard page's data as JSON, with the page's filters as
//! query parameters (docs/dashboard.md). Staff only; the same suppressed, published figures
//! the pages show — a handler here can only return a `Published` report.

use super::ApiRouter;
use crate::AppState;
use crate::error::AppError;
use crate::openapi::Operation;
use crate::report_data::{self, KioskHealthReport};
use crate::reports::Published;
use crate::reports::exhibits::ExhibitsReport;
use crate::reports::overview::OverviewReport;
use crate::scope::ScopeParams;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

pub const OVERVIEW_PATH: &str = "/api/v1/reports/overview";
pub const EXHIBITS_PATH: &str = "/api/v1/reports/exhibits";
pub const KIOSKS_PATH: &str = "/api/v1/reports/kiosks";

const BAD_SCOPE: &str = "A filter that does not parse: a date not written YYYY-MM-DD, a period \
    that ends before it starts or is longer than three years, an unknown audience, language \
    or exhibit id (`detail` says which).";

/// The filters, and the language names are given in.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct ReportQuery {
    #[serde(flatten)]
    pub scope: ScopeParams,
    /// Language of titles, questions and labels: `zh` (default) or `en`.
    pub lang: Option<String>,
}

impl ReportQuery {
    fn language(&self) -> &'static str {
        match self.lang.as_deref() {
            Some("en") => "en",
            _ => "zh",
        }
    }
}

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .get(
            OVERVIEW_PATH,
            overview,
            Operation::new(
                "reportOverview",
                "Sessions, their length, languages, modes and audiences",
            )
            .staff()
            .query::<ReportQuery>(BAD_SCOPE)
            .error(404, "There is no venue of that name.")
            .ok::<Published<OverviewReport>>(
                "The overview page's figures for the period and the one before it; counts \
                     resting on fewer than k sessions are null and marked suppressed.",
            ),
        )
        .get(
            EXHIBITS_PATH,
            exhibits,
            Operation::new("reportExhibits", "Per exhibit and per kiosk engagement")
                .staff()
                .query::<ReportQuery>(BAD_SCOPE)
                .error(404, "There is no venue of that name.")
                .ok::<Published<ExhibitsReport>>(
                    "Opens, attraction, dwell, holding power, completion, entry and exit per \
                     exhibit; sessions, diligent sessions and sessions per open hour per kiosk.",
                ),
        )
        .get(
            KIOSKS_PATH,
            kiosks,
            Operation::new("reportKiosks", "Kiosk health, offline kiosks first")
                .staff()
                .ok::<KioskHealthReport>("Every kiosk's last heartbeat and what it reported."),
        )
}

async fn overview(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<OverviewReport>>, AppError> {
    let scope = report_data::scope_of(&query.scope, &state.reports)?;
    Ok(Json(
        report_data::overview_report(&state, &scope, query.language()).await?,
    ))
}

async fn exhibits(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<ExhibitsReport>>, AppError> {
    let scope = report_data::scope_of(&query.scope, &state.reports)?;
    Ok(Json(
        report_data::exhibits_report(&state, &scope, query.language()).await?,
    ))
}

async fn kiosks(State(state): State<AppState>) -> Result<Json<KioskHealthReport>, AppError> {
    Ok(Json(
        report_data::kiosk_health_report(&state, kepu_core::now_unix_ms()).await?,
    ))
}
