//! `/dashboard/funnel`: session → exhibit opened → quiz started → quiz completed, per venue,
//! with the kiosks' hours on show before it.

use super::common::{
    FilterChoices, PageQuery, compared, count_text, csv_response, filter_form, privacy_note, say,
    share_text,
};
use crate::AppState;
use crate::charts;
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::funnel::{ALL, FunnelReport, VenueFunnel};
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/funnel";

fn step_name(lang: Lang, step: &str) -> &'static str {
    match step {
        "sessions" => say(lang, "开始参观的会话", "Sessions started"),
        "opened_exhibit" => say(lang, "打开了展项", "Opened an exhibit"),
        "quiz_started" => say(lang, "开始答题", "Started a quiz"),
        "quiz_completed" => say(lang, "完成测验", "Completed a quiz"),
        _ => "?",
    }
}

fn venue_name(lang: Lang, venue: &VenueFunnel) -> String {
    if venue.venue.key == ALL {
        say(lang, "全部场馆", "All venues").to_owned()
    } else {
        venue.venue.text.clone()
    }
}

pub async fn page(
    shell: Shell,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = shell.lang;
    let scope = match report_data::scope_of(&query.scope, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let report = match report_data::funnel_report(&state, &scope).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    if query.csv_table().is_some() {
        return csv_response("funnel", "venues", &scope, csv(lang, report.get()));
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let csv_href = format!(
        "{PATH}?{}&lang={}&format=csv&table=venues",
        scope.query_string(),
        lang.code()
    );
    let main = html! {
        (filter_form(&shell, PATH, &scope, &choices))
        div #report {
            p { a.download href=(csv_href) download { (say(lang, "下载 CSV", "Download CSV")) } }
            (view(lang, report.get()))
            (privacy_note(lang, k))
        }
    };
    shell.page(Nav::Funnel, say(lang, "参与漏斗", "Funnel"), main)
}

fn view(lang: Lang, report: &FunnelReport) -> Markup {
    html! {
        p.note { (say(lang,
            "每一步是上一步的子集（不同的会话）。待机画面的吸引范围以展台开放的小时数表示（来自心跳）。",
            "Each step is a subset of the one before (distinct sessions). The attract screen's reach is shown as the hours the kiosks were on show (from their heartbeats).")) }
        @for venue in &report.venues {
            section {
                h2 { (venue_name(lang, venue)) }
                p { (say(lang, "展台开放小时：", "Kiosk-hours on show: ")) (format!("{:.0}", venue.open_hours)) }
                @let first = venue.steps.first().and_then(|s| s.sessions.current.value()).unwrap_or(0) as f64;
                @let bars: Vec<(String, Option<f64>)> = venue.steps.iter().map(|s| {
                    (step_name(lang, &s.step).to_owned(), s.sessions.current.value().filter(|_| first > 0.0).map(|v| v as f64 / first))
                }).collect();
                (charts::share_bars(&venue_name(lang, venue), &bars))
                table {
                    thead { tr {
                        th scope="col" { (say(lang, "步骤", "Step")) }
                        th scope="col" { (say(lang, "会话", "Sessions")) }
                        th scope="col" { (say(lang, "占上一步", "Of the step before")) }
                    } }
                    tbody {
                        @for step in &venue.steps {
                            tr {
                                th scope="row" { (step_name(lang, &step.step)) }
                                td.number { (compared(lang, &step.sessions, count_text)) }
                                td.number { (compared(lang, &step.of_previous, share_text)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn csv(lang: Lang, report: &FunnelReport) -> Csv {
    let mut csv = Csv::new();
    csv.row([
        say(lang, "场馆", "venue"),
        say(lang, "展台开放小时", "kiosk-hours on show"),
        say(lang, "步骤", "step"),
        say(lang, "会话", "sessions"),
        say(lang, "占上一步", "of the step before"),
        say(lang, "上期会话", "previous sessions"),
    ]);
    for venue in &report.venues {
        for step in &venue.steps {
            csv.row([
                venue_name(lang, venue),
                format!("{:.0}", venue.open_hours),
                step_name(lang, &step.step).to_owned(),
                count_text(&step.sessions.current),
                share_text(&step.of_previous.current),
                count_text(&step.sessions.previous),
            ]);
        }
    }
    csv
}
