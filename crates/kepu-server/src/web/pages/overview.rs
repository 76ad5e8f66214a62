//! `/dashboard/overview`: sessions per day beside the previous period, the hour-of-week
//! heatmap, session length, one-touch share, exhibits opened per session, languages,
//! accessibility modes and "I am a..." answers. `?format=csv&table=…` downloads a table.

use super::common::{
    FilterChoices, PageQuery, compared, count_text, csv_link, csv_response, duration_text,
    filter_form, privacy_note, say, share_text, shown_table, table_csv,
};
use crate::AppState;
use crate::charts::{self, Series};
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::overview::{Distribution, OverviewReport};
use crate::scope::Scope;
use crate::web::{Lang, Nav, Shell, Text};
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/overview";
/// The tables a CSV download can name.
pub const TABLES: [&str; 6] = [
    "days",
    "hours",
    "exhibits_per_session",
    "languages",
    "accessibility",
    "audiences",
];

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
    let report = match report_data::overview_report(&state, &scope, lang.code()).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    if let Some(table) = query.csv_table() {
        return match csv(lang, report.get(), table) {
            Some(csv) => csv_response("overview", table, &scope, csv),
            None => shell.failure(crate::error::AppError::NotFound(format!(
                "no table \"{table}\" on this page (tables: {})",
                TABLES.join(", ")
            ))),
        };
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let main = html! {
        (filter_form(&shell, PATH, &scope, &choices))
        div #report { (view(lang, &scope, report.get(), k)) }
        p.note.no-print {
            a href=(format!("/dashboard/report?lang={}", lang.code())) {
                (say(lang, "本月的可打印月报", "This month's printable report"))
            }
        }
        @if shell.user.is_admin() {
            p.note {
                a href=(format!("/api/v1/export/xapi?from={}&to={}", scope.period.first, scope.period.last)) download {
                    (say(lang, "导出本时段的 xAPI 语句（供学习记录存储 LRS 导入）", "Export this period's xAPI statements (for a learning record store)"))
                }
                " " (say(lang, "（仅管理员；每行一条语句）", "(admins only; one statement per line)"))
            }
        }
    };
    shell.page(Nav::Overview, shell.t(Text::OverviewTitle), main)
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
];

fn view(lang: Lang, scope: &Scope, report: &OverviewReport, k: u64) -> Markup {
    let labels: Vec<String> = report
        .sessions_per_day
        .iter()
        .map(|d| d.day[5..].to_owned())
        .collect();
    let current: Vec<Option<f64>> = report
        .sessions_per_day
        .iter()
        .map(|d| d.sessions.current.value().map(|v| v as f64))
        .collect();
    let previous: Vec<Option<f64>> = report
        .sessions_per_day
        .iter()
        .map(|d| d.sessions.previous.value().map(|v| v as f64))
        .collect();
    let days: [String; 7] = WEEKDAYS.map(|(zh, en)| say(lang, zh, en).to_owned());
    let mut heat = [[None; 24]; 7];
    for (d, row) in report.hour_of_week.cells.iter().enumerate().take(7) {
        for (h, cell) in row.iter().enumerate().take(24) {
            heat[d][h] = cell.value().map(|v| v as f64);
        }
    }
    let by_exhibit = scope.exhibit.is_some();
    html! {
        section.figures aria-label=(say(lang, "要点", "Key figures")) {
            div.key { h2 { (say(lang, "会话", "Sessions")) } p { (compared(lang, &report.sessions, count_text)) } }
            div.key { h2 { (say(lang, "会话时长中位数", "Median session length")) }
                p { (compared(lang, &report.session_length_median_ms, duration_text)) } }
            div.key { h2 { (say(lang, "会话时长 P90", "90th percentile length")) }
                p { (compared(lang, &report.session_length_p90_ms, duration_text)) } }
            div.key { h2 { (say(lang, "只点一下就离开", "One-touch sessions")) }
                p { (compared(lang, &report.one_touch_share, share_text)) } }
        }
        @if by_exhibit {
            p.note { (say(lang,
                "已按展项筛选：会话数、热力图、语言和观众为打开该展项的会话；时长、只点一下、展项数和无障碍模式为全部会话。",
                "Filtered by exhibit: sessions, the heatmap, languages and audiences count the sessions that opened it; length, one-touch, exhibits per session and accessibility modes are of all sessions.")) }
        }
        section {
            h2 { (say(lang, "每日会话", "Sessions per day")) " " (csv_link(lang, super::overview::PATH, scope, "days")) }
            (charts::bars(say(lang, "每日会话（本期与上期）", "Sessions per day (this and the previous period)"), &labels,
                &Series { label: say(lang, "本期", "This period"), values: &current },
                Some(&Series { label: say(lang, "上期", "Previous period"), values: &previous })))
            details {
                summary { (say(lang, "表格", "Table")) }
                table {
                    thead { tr { th scope="col" { (say(lang, "日期", "Day")) } th scope="col" { (say(lang, "会话", "Sessions")) } } }
                    tbody {
                        @for day in &report.sessions_per_day {
                            tr { th scope="row" { (day.day) } td.number { (compared(lang, &day.sessions, count_text)) } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (say(lang, "一周各时段的会话", "Sessions by hour of the week")) " " (csv_link(lang, PATH, scope, "hours")) }
            (charts::heatmap(say(lang, "一周各时段的会话", "Sessions by hour of the week"), &days, &heat))
            details {
                summary { (say(lang, "表格", "Table")) }
                (shown_table(say(lang, "一周各时段的会话（行：周一至周日；列：0–23 时）", "Sessions by hour of the week (rows: Monday to Sunday; columns: 0–23 h)"),
                    &report.hour_of_week, say(lang, "合计", "Total")))
            }
        }
        (distribution(lang, scope, say(lang, "每个会话打开的展项数", "Exhibits opened per session"), "exhibits_per_session", &report.exhibits_per_session))
        (distribution(lang, scope, say(lang, "语言", "Languages"), "languages", &report.languages))
        (distribution(lang, scope, say(lang, "无障碍模式（占全部会话）", "Accessibility modes (share of all sessions)"), "accessibility", &report.accessibility_modes))
        (distribution(lang, scope, say(lang, "“我是……”的回答", "\"I am a...\" answers"), "audiences", &report.audiences))
        (privacy_note(lang, k))
    }
}

fn distribution(
    lang: Lang,
    scope: &Scope,
    title: &str,
    table: &str,
    rows: &Distribution,
) -> Markup {
    let bars: Vec<(String, Option<f64>)> = rows
        .rows
        .iter()
        .map(|r| (r.label.text.clone(), r.share.current.value()))
        .collect();
    html! {
        section {
            h2 { (title) " " (csv_link(lang, PATH, scope, table)) }
            (charts::share_bars(title, &bars))
            table {
                thead { tr {
                    th scope="col" {}
                    th scope="col" { (say(lang, "会话", "Sessions")) }
                    th scope="col" { (say(lang, "占比", "Share")) }
                } }
                tbody {
                    @for row in &rows.rows {
                        tr {
                            th scope="row" { (row.label.text) }
                            td.number { (compared(lang, &row.sessions, count_text)) }
                            td.number { (compared(lang, &row.share, share_text)) }
                        }
                    }
                }
            }
        }
    }
}

/// One table of the report as CSV, or `None` for a name the page has no table of.
fn csv(lang: Lang, report: &OverviewReport, table: &str) -> Option<Csv> {
    let mut csv = Csv::new();
    match table {
        "days" => {
            csv.row([
                say(lang, "日期", "day"),
                say(lang, "会话", "sessions"),
                say(lang, "上期日期", "previous day"),
                say(lang, "上期会话", "previous sessions"),
            ]);
            for day in &report.sessions_per_day {
                csv.row([
                    day.day.clone(),
                    count_text(&day.sessions.current),
                    day.previous_day.clone().unwrap_or_default(),
                    count_text(&day.sessions.previous),
                ]);
            }
        }
        "hours" => table_csv(
            &mut csv,
            say(lang, "星期 \\ 小时", "weekday \\ hour"),
            &report.hour_of_week,
            say(lang, "合计", "total"),
        ),
        "exhibits_per_session" | "languages" | "accessibility" | "audiences" => {
            let rows = match table {
                "exhibits_per_session" => &report.exhibits_per_session,
                "languages" => &report.languages,
                "accessibility" => &report.accessibility_modes,
                _ => &report.audiences,
            };
            csv.row([
                say(lang, "类别", "category"),
                say(lang, "会话", "sessions"),
                say(lang, "占比", "share"),
                say(lang, "上期会话", "previous sessions"),
                say(lang, "上期占比", "previous share"),
            ]);
            for row in &rows.rows {
                csv.row([
                    row.label.text.clone(),
                    count_text(&row.sessions.current),
                    share_text(&row.share.current),
                    count_text(&row.sessions.previous),
                    share_text(&row.share.previous),
                ]);
            }
        }
        _ => return None,
    }
    Some(csv)
}
