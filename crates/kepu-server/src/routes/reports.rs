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
use crate::reports::funnel::FunnelReport;
use crate::reports::literacy::LiteracyReport;
use crate::reports::overview::OverviewReport;
use crate::reports::quiz::QuizReport;
use crate::reports::sort::SortReport;
use crate::scope::ScopeParams;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

pub const OVERVIEW_PATH: &str = "/api/v1/reports/overview";
pub const EXHIBITS_PATH: &str = "/api/v1/reports/exhibits";
pub const KIOSKS_PATH: &str = "/api/v1/reports/kiosks";
pub const LITERACY_PATH: &str = "/api/v1/reports/literacy";
pub const QUIZ_PATH: &str = "/api/v1/reports/quizzes/{exhibit}";
pub const SORT_PATH: &str = "/api/v1/reports/sort/{exhibit}";
pub const FUNNEL_PATH: &str = "/api/v1/reports/funnel";

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
            LITERACY_PATH,
            literacy,
            Operation::new(
                "reportLiteracy",
                "Share of correct answers per audience and literacy theme, with 95 % intervals",
            )
            .staff()
            .query::<ReportQuery>(BAD_SCOPE)
            .error(404, "There is no venue of that name.")
            .ok::<Published<LiteracyReport>>(
                "The science-literacy indicator: per theme and audience the answers, the share \
                 correct and its Wilson 95 % interval, and the monthly trend per theme.",
            ),
        )
        .get(
            QUIZ_PATH,
            quiz,
            Operation::new(
                "reportQuiz",
                "Item analysis of one quiz, audiences side by side",
            )
            .staff()
            .query::<ReportQuery>(BAD_SCOPE)
            .error(
                404,
                "There is no published quiz of that id, or no venue of that name.",
            )
            .ok::<Published<QuizReport>>(
                "Per question and audience: answered, difficulty, discrimination, choice \
                     shares with non-functioning distractors flagged, median answer time, \
                     an estimate question's deciles and values per bin beside its true value.",
            ),
        )
        .get(
            SORT_PATH,
            sort,
            Operation::new(
                "reportSort",
                "A sort game's confusion matrix, the most missed items first",
            )
            .staff()
            .query::<ReportQuery>(BAD_SCOPE)
            .error(
                404,
                "There is no published sort game of that id, or no venue of that name.",
            )
            .ok::<Published<SortReport>>(
                "Sessions per item and bin, each item's right bin and its miss share.",
            ),
        )
        .get(
            FUNNEL_PATH,
            funnel,
            Operation::new(
                "reportFunnel",
                "Session, exhibit opened, quiz started, quiz completed, per venue",
            )
            .staff()
            .query::<ReportQuery>(BAD_SCOPE)
            .error(404, "There is no venue of that name.")
            .ok::<Published<FunnelReport>>(
                "Distinct sessions at each step per venue (all venues first), each step's \
                     share of the one before, and the kiosks' hours on show.",
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

async fn literacy(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<LiteracyReport>>, AppError> {
    let scope = report_data::scope_of(&query.scope, &state.reports)?;
    Ok(Json(
        report_data::literacy_report(&state, &scope, query.language()).await?,
    ))
}

async fn quiz(
    State(state): State<AppState>,
    Path(exhibit): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<QuizReport>>, AppError> {
    if !kepu_core::manifest::is_identifier(&exhibit) {
        return Err(AppError::NotFound(format!(
            "there is no published quiz \"{}\"",
            exhibit.chars().take(40).collect::<String>()
        )));
    }
    let mut scope_params = query.scope.clone();
    scope_params.exhibit = Some(exhibit.clone());
    let scope = report_data::scope_of(&scope_params, &state.reports)?;
    Ok(Json(
        report_data::quiz_report(&state, &scope, &exhibit, query.language()).await?,
    ))
}

async fn sort(
    State(state): State<AppState>,
    Path(exhibit): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<SortReport>>, AppError> {
    if !kepu_core::manifest::is_identifier(&exhibit) {
        return Err(AppError::NotFound(format!(
            "there is no published sort game \"{}\"",
            exhibit.chars().take(40).collect::<String>()
        )));
    }
    let mut scope_params = query.scope.clone();
    scope_params.exhibit = Some(exhibit.clone());
    let scope = report_data::scope_of(&scope_params, &state.reports)?;
    Ok(Json(
        report_data::sort_report(&state, &scope, &exhibit, query.language()).await?,
    ))
}

async fn funnel(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Published<FunnelReport>>, AppError> {
    let scope = report_data::scope_of(&query.scope, &state.reports)?;
    Ok(Json(report_data::funnel_report(&state, &scope).await?))
}

async fn kiosks(State(state): State<AppState>) -> Result<Json<KioskHealthReport>, AppError> {
    Ok(Json(
        report_data::kiosk_health_report(&state, kepu_core::now_unix_ms()).await?,
    ))
}
