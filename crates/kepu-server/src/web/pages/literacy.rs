//! `/dashboard/literacy`: the district plan's monitoring indicator — the share of correct
//! answers per literacy theme and audience, with 95 % intervals, and its monthly trend.

use super::common::{
    FilterChoices, PageQuery, count_text, csv_link, csv_response, filter_form, privacy_note, say,
    share_text,
};
use crate::AppState;
use crate::charts;
use crate::error::AppError;
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::ShareInterval;
use crate::reports::literacy::{LiteracyCell, LiteracyReport};
use crate::scope::Scope;
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/literacy";
pub const TABLES: [&str; 2] = ["themes", "trend"];

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
    let report = match report_data::literacy_report(&state, &scope, lang.code()).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    if let Some(table) = query.csv_table() {
        return match csv(lang, report.get(), table) {
            Some(csv) => csv_response("literacy", table, &scope, csv),
            None => shell.failure(AppError::NotFound(format!(
                "no table \"{table}\" on this page (tables: {})",
                TABLES.join(", ")
            ))),
        };
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let main = html! {
        p.note { (say(lang,
            "区科学素质监测指标：各主题测验题的答对率（答对的回答 ÷ 全部回答）及其 95% 置信区间（Wilson 法）。题目的主题来自展项清单中的 theme。",
            "The district's science-literacy indicator: the share of correct answers to each theme's quiz questions, with its 95 % confidence interval (Wilson). A question's theme is its `theme` in the exhibit manifest.")) }
        (filter_form(&shell, PATH, &scope, &choices))
        div #report { (view(lang, &scope, report.get(), k)) }
    };
    shell.page(
        Nav::Literacy,
        say(lang, "科学素质", "Science literacy"),
        main,
    )
}

fn interval_text(interval: &ShareInterval) -> String {
    let share = share_text(&interval.share);
    match (interval.low.value(), interval.high.value()) {
        (Some(low), Some(high)) => format!("{share} ({:.0}–{:.0} %)", low * 100.0, high * 100.0),
        _ => share,
    }
}

fn cell(lang: Lang, cell: &LiteracyCell) -> Markup {
    html! {
        span.figure { (interval_text(&cell.correct)) }
        span.previous { (say(lang, "回答 ", "answers ")) (count_text(&cell.answers)) }
    }
}

/// A row's or column's name; `*` is "all".
fn label(lang: Lang, label: &crate::reports::Label) -> String {
    if label.key == crate::reports::literacy::ALL {
        say(lang, "全部", "All").to_owned()
    } else {
        label.text.clone()
    }
}

fn view(lang: Lang, scope: &Scope, report: &LiteracyReport, k: u64) -> Markup {
    let all_column = 0;
    let bars: Vec<(String, Option<(f64, f64, f64)>)> = report
        .themes
        .iter()
        .map(|row| {
            let c = &row.cells[all_column].correct;
            let value = match (c.share.value(), c.low.value(), c.high.value()) {
                (Some(p), Some(low), Some(high)) => Some((p, low, high)),
                _ => None,
            };
            (label(lang, &row.theme), value)
        })
        .collect();
    html! {
        section {
            h2 { (say(lang, "各主题答对率（全部观众）", "Share correct per theme (all audiences)")) }
            (charts::intervals(say(lang, "各主题答对率及 95% 置信区间", "Share correct per theme with 95 % intervals"), &bars))
        }
        section {
            h2 { (say(lang, "主题 × 观众", "Themes × audiences")) " " (csv_link(lang, PATH, scope, "themes")) }
            div.table-wrap {
                table.wide {
                    thead { tr {
                        th scope="col" { (say(lang, "主题", "Theme")) }
                        @for audience in &report.audiences { th scope="col" { (label(lang, audience)) } }
                    } }
                    tbody {
                        @for row in &report.themes {
                            tr {
                                th scope="row" { (label(lang, &row.theme)) }
                                @for c in &row.cells { td.number { (cell(lang, c)) } }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (say(lang, "逐月趋势（全部观众）", "Monthly trend (all audiences)")) " " (csv_link(lang, PATH, scope, "trend")) }
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (say(lang, "主题", "Theme")) }
                        @for month in &report.months { th scope="col" { (month.text) } }
                    } }
                    tbody {
                        @for row in &report.trend {
                            tr {
                                th scope="row" { (label(lang, &row.theme)) }
                                @for c in &row.cells { td.number { (cell(lang, c)) } }
                            }
                        }
                    }
                }
            }
        }
        (privacy_note(lang, k))
    }
}

fn csv(lang: Lang, report: &LiteracyReport, table: &str) -> Option<Csv> {
    let mut csv = Csv::new();
    let (columns, rows): (Vec<String>, _) = match table {
        "themes" => (
            report.audiences.iter().map(|a| label(lang, a)).collect(),
            &report.themes,
        ),
        "trend" => (
            report.months.iter().map(|m| m.text.clone()).collect(),
            &report.trend,
        ),
        _ => return None,
    };
    let mut header = vec![say(lang, "主题", "theme").to_owned()];
    for column in &columns {
        for what in [
            say(lang, "回答", "answers"),
            say(lang, "答对率", "share correct"),
            say(lang, "下限", "low"),
            say(lang, "上限", "high"),
        ] {
            header.push(format!("{column} {what}"));
        }
    }
    csv.row(header);
    for row in rows {
        let mut line = vec![label(lang, &row.theme)];
        for c in &row.cells {
            line.push(count_text(&c.answers));
            line.push(share_text(&c.correct.share));
            line.push(share_text(&c.correct.low));
            line.push(share_text(&c.correct.high));
        }
        csv.row(line);
    }
    Some(csv)
}
