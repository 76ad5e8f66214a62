//! `/dashboard/report/{YYYY-MM}`: the printable monthly report — one month's key figures
//! beside the month before, every exhibit, and the science-literacy indicator, laid out for
//! A4 paper (the stylesheet's print rules drop the navigation and the forms). The same
//! published reports as the pages, so the same privacy rules.

use super::common::{
    compared, count_text, duration_text, privacy_note, ratio_text, say, share_text,
};
use crate::AppState;
use crate::error::AppError;
use crate::report_data;
use crate::scope::ScopeParams;
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use maud::html;

pub const PATH: &str = "/dashboard/report";

/// The month's first and last day, from `YYYY-MM`.
fn month(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// `/dashboard/report`: this month's report.
pub async fn this_month(shell: Shell, State(state): State<AppState>) -> Response {
    let today = crate::scope::today(state.reports.zone, kepu_core::now_unix_ms());
    let current = format!("{:04}-{:02}", today.year(), today.month());
    axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!(
        "{PATH}/{current}?lang={}",
        shell.lang.code()
    )))
}

pub async fn page(
    shell: Shell,
    State(state): State<AppState>,
    Path(which): Path<String>,
) -> Response {
    let lang = shell.lang;
    let Some((first, last)) = month(&which) else {
        return shell.failure(AppError::BadRequest(format!(
            "\"{}\" is not a month: write it as YYYY-MM",
            which.chars().take(20).collect::<String>()
        )));
    };
    let params = ScopeParams {
        from: Some(first.to_string()),
        to: Some(last.to_string()),
        ..ScopeParams::default()
    };
    let scope = match report_data::scope_of(&params, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let (overview, exhibits, literacy) = match (
        report_data::overview_report(&state, &scope, lang.code()).await,
        report_data::exhibits_report(&state, &scope, lang.code()).await,
        report_data::literacy_report(&state, &scope, lang.code()).await,
    ) {
        (Ok(o), Ok(e), Ok(l)) => (o, e, l),
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => return shell.failure(err),
    };
    let (o, e, l) = (overview.get(), exhibits.get(), literacy.get());
    let previous_month = first
        .pred_opt()
        .map(|d| format!("{:04}-{:02}", d.year(), d.month()));
    let title = match lang {
        Lang::Zh => format!("{} 年 {} 月科普展项月报", first.year(), first.month()),
        Lang::En => format!("Monthly report, {}", first.format("%B %Y")),
    };
    let main = html! {
        div.monthly {
            p.no-print {
                @if let Some(previous) = &previous_month {
                    a href=(format!("{PATH}/{previous}?lang={}", lang.code())) { "← " (previous) }
                }
                " · " (say(lang, "用浏览器的“打印”另存为 PDF。", "Print it (or save it as PDF) from the browser."))
            }
            p.period { (first.to_string()) " – " (last.to_string()) " · "
                (say(lang, "与上月相比", "compared with the month before")) }
            section.figures {
                div.key { h2 { (say(lang, "会话", "Sessions")) } p { (compared(lang, &o.sessions, count_text)) } }
                div.key { h2 { (say(lang, "会话时长中位数", "Median session length")) } p { (compared(lang, &o.session_length_median_ms, duration_text)) } }
                div.key { h2 { (say(lang, "只点一下就离开", "One-touch sessions")) } p { (compared(lang, &o.one_touch_share, share_text)) } }
            }
            section {
                h2 { (say(lang, "展项", "Exhibits")) }
                table.wide {
                    thead { tr {
                        th scope="col" { (say(lang, "展项", "Exhibit")) }
                        th scope="col" { (say(lang, "打开的会话", "Sessions opening it")) }
                        th scope="col" { (say(lang, "吸引力", "Attraction")) }
                        th scope="col" { (say(lang, "停留中位数", "Median dwell")) }
                        th scope="col" { (say(lang, "吸持力", "Holding power")) }
                        th scope="col" { (say(lang, "完成率", "Completion")) }
                    } }
                    tbody {
                        @for row in &e.exhibits {
                            tr {
                                th scope="row" { (row.exhibit.text) }
                                td.number { (compared(lang, &row.opens, count_text)) }
                                td.number { (compared(lang, &row.attraction, share_text)) }
                                td.number { (compared(lang, &row.dwell_median_ms, duration_text)) }
                                td.number { (compared(lang, &row.holding_power, ratio_text)) }
                                td.number { (compared(lang, &row.completion, share_text)) }
                            }
                        }
                    }
                }
            }
            section {
                h2 { (say(lang, "科学素质：各主题答对率", "Science literacy: share correct per theme")) }
                table {
                    thead { tr {
                        th scope="col" { (say(lang, "主题", "Theme")) }
                        th scope="col" { (say(lang, "回答", "Answers")) }
                        th scope="col" { (say(lang, "答对率（95% 区间）", "Share correct (95 % interval)")) }
                    } }
                    tbody {
                        @for row in &l.themes {
                            @let cell = &row.cells[0];
                            tr {
                                th scope="row" {
                                    @if row.theme.key == crate::reports::literacy::ALL { (say(lang, "全部", "All")) }
                                    @else { (row.theme.text) }
                                }
                                td.number { (count_text(&cell.answers)) }
                                td.number {
                                    (share_text(&cell.correct.share))
                                    @if let (Some(low), Some(high)) = (cell.correct.low.value(), cell.correct.high.value()) {
                                        " (" (format!("{:.0}–{:.0} %", low * 100.0, high * 100.0)) ")"
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (privacy_note(lang, overview.min_sessions().get()))
        }
    };
    shell.page(Nav::None, &title, main)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_month_is_its_first_to_its_last_day() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            month("2026-02"),
            Some((day("2026-02-01"), day("2026-02-28")))
        );
        assert_eq!(
            month("2024-02"),
            Some((day("2024-02-01"), day("2024-02-29")))
        );
        assert_eq!(
            month("2026-12"),
            Some((day("2026-12-01"), day("2026-12-31")))
        );
        assert_eq!(month("2026-13"), None);
        assert_eq!(month("May"), None);
    }
}
