//! The report pages of the dashboard, one module each: a function from view data to the
//! page's main area (`maud::Markup`), and a handler that gets the data and draws it in the
//! shell (`Shell::page`). Their routes are added in [`router`], which the dashboard's guards
//! (session, CSRF) wrap.

pub mod common;
pub mod exhibits;
pub mod funnel;
pub mod kiosks;
pub mod literacy;
pub mod monthly;
pub mod overview;
pub mod quizzes;
pub mod sort;

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(overview::PATH, get(overview::page))
        .route(exhibits::PATH, get(exhibits::page))
        .route("/dashboard/exhibits/{id}", get(exhibits::exhibit_page))
        .route("/dashboard/kiosks", get(kiosks::page))
        .route(literacy::PATH, get(literacy::page))
        .route(funnel::PATH, get(funnel::page))
        .route(monthly::PATH, get(monthly::this_month))
        .route("/dashboard/report/{month}", get(monthly::page))
        .route(quizzes::PATH, get(quizzes::list))
        .route(sort::PATH, get(sort::list))
        .route("/dashboard/sort/{exhibit}", get(sort::game_page))
        .route("/dashboard/quizzes/{exhibit}", get(quizzes::quiz_page))
        .route(
            "/dashboard/quizzes/{exhibit}/{question}",
            get(quizzes::question_page),
        )
}
