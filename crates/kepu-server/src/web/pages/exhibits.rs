//! `/dashboard/exhibits` (every exhibit) and `/dashboard/exhibits/{id}` (one exhibit: its
//! survival curve and its figures per kiosk): opens, attraction, dwell, holding power,
//! completion, entry and exit shares; per kiosk diligent sessions and sessions per open hour.

use super::common::{
    FilterChoices, PageQuery, compared, count_text, csv_link, csv_response, duration_text,
    filter_form, privacy_note, ratio_text, say, share_text, shown_table, table_csv,
};
use crate::AppState;
use crate::charts;
use crate::error::AppError;
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::exhibits::{ExhibitRow, ExhibitsReport};
use crate::scope::Scope;
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/exhibits";
pub const TABLES: [&str; 4] = ["exhibits", "kiosks", "entries", "exits"];

pub async fn page(
    shell: Shell,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(shell, state, query, None).await
}

/// One exhibit: the same report filtered by it, with its curve drawn large.
pub async fn exhibit_page(
    shell: Shell,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(mut query): Query<PageQuery>,
) -> Response {
    query.scope.exhibit = Some(id.clone());
    respond(shell, state, query, Some(id)).await
}

async fn respond(shell: Shell, state: AppState, query: PageQuery, one: Option<String>) -> Response {
    let lang = shell.lang;
    let scope = match report_data::scope_of(&query.scope, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let report = match report_data::exhibits_report(&state, &scope, lang.code()).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    if let Some(table) = query.csv_table() {
        return match csv(lang, report.get(), table) {
            Some(csv) => csv_response("exhibits", table, &scope, csv),
            None => shell.failure(AppError::NotFound(format!(
                "no table \"{table}\" on this page (tables: {})",
                TABLES.join(", ")
            ))),
        };
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let title = match &one {
        Some(id) => report
            .get()
            .exhibits
            .iter()
            .find(|row| &row.exhibit.key == id)
            .map_or_else(|| id.clone(), |row| row.exhibit.text.clone()),
        None => say(lang, "展项", "Exhibits").to_owned(),
    };
    let path = match &one {
        Some(id) => format!("{PATH}/{id}"),
        None => PATH.to_owned(),
    };
    let main = html! {
        @if one.is_some() {
            p { a href=(format!("{PATH}?{}&lang={}", scope.query_string_without_exhibit(), lang.code())) { "← " (say(lang, "全部展项", "All exhibits")) } }
        }
        (filter_form(&shell, &path, &scope, &choices))
        div #report { (view(lang, &scope, report.get(), k, one.as_deref())) }
    };
    shell.page(Nav::Exhibits, &title, main)
}

/// How many exhibits' curves one chart draws (the most opened): more lines cannot be told
/// apart.
const MAX_CURVES: usize = 4;

fn view(lang: Lang, scope: &Scope, report: &ExhibitsReport, k: u64, one: Option<&str>) -> Markup {
    let rows: Vec<&ExhibitRow> = report
        .exhibits
        .iter()
        .filter(|row| one.is_none_or(|id| row.exhibit.key == id))
        .collect();
    let mut by_opens = rows.clone();
    by_opens.sort_by_key(|row| std::cmp::Reverse(row.opens.current.value().unwrap_or(0)));
    let curves: Vec<(String, Vec<(f64, Option<f64>)>)> = by_opens
        .iter()
        .take(MAX_CURVES)
        .map(|row| {
            let mut points = vec![(0.0, Some(1.0))];
            points.extend(
                row.survival
                    .iter()
                    .map(|p| (p.at_ms as f64 / 1000.0, p.share.value())),
            );
            (row.exhibit.text.clone(), points)
        })
        .collect();
    let curve_refs: Vec<(&str, &[(f64, Option<f64>)])> = curves
        .iter()
        .map(|(label, points)| (label.as_str(), points.as_slice()))
        .collect();
    html! {
        section {
            h2 { (say(lang, "各展项", "Per exhibit")) " " (csv_link(lang, PATH, scope, "exhibits")) }
            p { (say(lang, "全部会话：", "All sessions: ")) (compared(lang, &report.sessions, count_text)) }
            table.wide {
                thead { tr {
                    th scope="col" { (say(lang, "展项", "Exhibit")) }
                    th scope="col" { (say(lang, "打开的会话", "Sessions opening it")) }
                    th scope="col" { (say(lang, "吸引力", "Attraction")) }
                    th scope="col" { (say(lang, "停留中位数", "Median dwell")) }
                    th scope="col" { (say(lang, "停留 P90", "90th pct dwell")) }
                    th scope="col" { (say(lang, "吸持力", "Holding power")) }
                    th scope="col" { (say(lang, "完成率", "Completion")) }
                    th scope="col" { (say(lang, "首个展项", "Entry share")) }
                    th scope="col" { (say(lang, "最后展项", "Exit share")) }
                } }
                tbody {
                    @for row in &rows {
                        tr {
                            th scope="row" {
                                a href=(format!("{PATH}/{}?{}&lang={}", row.exhibit.key, scope.query_string_without_exhibit(), lang.code())) { (row.exhibit.text) }
                            }
                            td.number { (compared(lang, &row.opens, count_text)) }
                            td.number { (compared(lang, &row.attraction, share_text)) }
                            td.number { (compared(lang, &row.dwell_median_ms, duration_text)) }
                            td.number { (compared(lang, &row.dwell_p90_ms, duration_text)) }
                            td.number { (compared(lang, &row.holding_power, ratio_text)) }
                            td.number { (compared(lang, &row.completion, share_text)) }
                            td.number { (compared(lang, &row.entry_share, share_text)) }
                            td.number { (compared(lang, &row.exit_share, share_text)) }
                        }
                    }
                }
            }
            p.note { (say(lang,
                "吸引力：打开该展项的会话占全部会话之比。吸持力：停留时间中位数 ÷ 策展人设定的时长（intended_secs）。",
                "Attraction: sessions that opened it ÷ all sessions. Holding power: median dwell ÷ the curator's intended length (intended_secs).")) }
        }
        section {
            h2 { (say(lang, "停留曲线（仍在展项前的会话占比）", "Dwell survival (share of sessions still there)")) }
            @if one.is_none() && rows.len() > MAX_CURVES {
                p.note { (say(lang, "打开最多的四个展项；点击展项名称查看其曲线。", "The four most opened exhibits; open an exhibit for its own curve.")) }
            }
            (charts::survival(say(lang, "停留曲线", "Dwell survival"), &curve_refs))
            @if curve_refs.len() > 1 {
                ul.legend {
                    @for (i, (label, _)) in curve_refs.iter().enumerate() {
                        li { span class=(format!("swatch line-{i}")) {} " " (label) }
                    }
                }
            }
        }
        section {
            h2 { (say(lang, "各展台", "Per kiosk")) " " (csv_link(lang, PATH, scope, "kiosks")) }
            table {
                thead { tr {
                    th scope="col" { (say(lang, "展台", "Kiosk")) }
                    th scope="col" { (say(lang, "会话", "Sessions")) }
                    th scope="col" { (say(lang, "认真参观的会话", "Diligent sessions")) }
                    th scope="col" { (say(lang, "每开放小时会话", "Sessions per open hour")) }
                    th scope="col" { (say(lang, "开放小时", "Open hours")) }
                } }
                tbody {
                    @for row in &report.kiosks {
                        tr {
                            th scope="row" { (row.kiosk.text) }
                            td.number { (compared(lang, &row.sessions, count_text)) }
                            td.number { (compared(lang, &row.diligent_share, share_text)) }
                            td.number { (compared(lang, &row.sessions_per_open_hour, ratio_text)) }
                            td.number { (format!("{:.0}", row.open_hours)) }
                        }
                    }
                }
            }
            p.note { (say(lang,
                "认真参观：打开了该展台半数以上展项的会话。每开放小时会话按展台心跳计算的开放时间折算，关机的展台不会显得冷门。",
                "Diligent: sessions that opened more than half of the kiosk's exhibits. Sessions per open hour use the hours the kiosk's heartbeats show it on, so a kiosk that was off does not look unpopular.")) }
        }
        section {
            h2 { (say(lang, "首个与最后展项", "Entry and exit exhibits")) " " (csv_link(lang, PATH, scope, "entries")) " " (csv_link(lang, PATH, scope, "exits")) }
            (shown_table(say(lang, "首个展项（会话）", "First exhibit of sessions"), &report.entries, say(lang, "合计", "Total")))
            (shown_table(say(lang, "最后展项（会话）", "Last exhibit of sessions"), &report.exits, say(lang, "合计", "Total")))
        }
        (privacy_note(lang, k))
    }
}

fn csv(lang: Lang, report: &ExhibitsReport, table: &str) -> Option<Csv> {
    let mut csv = Csv::new();
    match table {
        "exhibits" => {
            csv.row([
                say(lang, "展项编号", "exhibit id"),
                say(lang, "展项", "exhibit"),
                say(lang, "打开的会话", "sessions opening"),
                say(lang, "吸引力", "attraction"),
                say(lang, "停留中位数（秒）", "median dwell (s)"),
                say(lang, "停留P90（秒）", "p90 dwell (s)"),
                say(lang, "吸持力", "holding power"),
                say(lang, "完成率", "completion"),
                say(lang, "首个展项占比", "entry share"),
                say(lang, "最后展项占比", "exit share"),
                say(lang, "上期打开的会话", "previous sessions opening"),
            ]);
            let seconds =
                |s: &crate::reports::Shown<f64>| s.text(|ms| format!("{:.0}", ms / 1000.0));
            for row in &report.exhibits {
                csv.row([
                    row.exhibit.key.clone(),
                    row.exhibit.text.clone(),
                    count_text(&row.opens.current),
                    share_text(&row.attraction.current),
                    seconds(&row.dwell_median_ms.current),
                    seconds(&row.dwell_p90_ms.current),
                    ratio_text(&row.holding_power.current),
                    share_text(&row.completion.current),
                    share_text(&row.entry_share.current),
                    share_text(&row.exit_share.current),
                    count_text(&row.opens.previous),
                ]);
            }
        }
        "kiosks" => {
            csv.row([
                say(lang, "展台", "kiosk"),
                say(lang, "会话", "sessions"),
                say(lang, "认真参观占比", "diligent share"),
                say(lang, "每开放小时会话", "sessions per open hour"),
                say(lang, "开放小时", "open hours"),
            ]);
            for row in &report.kiosks {
                csv.row([
                    row.kiosk.text.clone(),
                    count_text(&row.sessions.current),
                    share_text(&row.diligent_share.current),
                    ratio_text(&row.sessions_per_open_hour.current),
                    format!("{:.0}", row.open_hours),
                ]);
            }
        }
        "entries" => table_csv(
            &mut csv,
            say(lang, "展项", "exhibit"),
            &report.entries,
            say(lang, "合计", "total"),
        ),
        "exits" => table_csv(
            &mut csv,
            say(lang, "展项", "exhibit"),
            &report.exits,
            say(lang, "合计", "total"),
        ),
        _ => return None,
    }
    Some(csv)
}
