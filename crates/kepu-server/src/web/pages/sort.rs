//! `/dashboard/sort` (the published sort games) and `/dashboard/sort/{exhibit}`: the
//! confusion matrix item × bin, the right bin marked, the most-missed items first.

use super::common::{
    ExhibitList, FilterChoices, PageQuery, count_text, csv_response, exhibit_list, filter_form,
    privacy_note, say, share_text,
};
use crate::AppState;
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::sort::SortReport;
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/sort";

pub async fn list(
    shell: Shell,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let list = ExhibitList {
        kind: kepu_core::manifest::ExhibitKind::Sort,
        path: PATH,
        nav: Nav::Sort,
        title: ("分类游戏", "Sort games"),
        note: None,
        size: |m| m.items.len(),
        unit: (" 件物品", " items"),
    };
    exhibit_list(shell, state, query, list).await
}

pub async fn game_page(
    shell: Shell,
    State(state): State<AppState>,
    Path(exhibit): Path<String>,
    Query(mut query): Query<PageQuery>,
) -> Response {
    let lang = shell.lang;
    query.scope.exhibit = Some(exhibit.clone());
    let scope = match report_data::scope_of(&query.scope, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let report = match report_data::sort_report(&state, &scope, &exhibit, lang.code()).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    if query.csv_table().is_some() {
        return csv_response("sort", &exhibit, &scope, csv(lang, report.get()));
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let path = format!("{PATH}/{exhibit}");
    let csv_href = format!(
        "{path}?{}&lang={}&format=csv&table=matrix",
        scope.query_string_without_exhibit(),
        lang.code()
    );
    let main = html! {
        p { a href=(format!("{PATH}?lang={}", lang.code())) { "← " (say(lang, "全部分类游戏", "All sort games")) } }
        (filter_form(&shell, &path, &scope, &choices))
        div #report {
            p { a.download href=(csv_href) download { (say(lang, "下载 CSV", "Download CSV")) } }
            (view(lang, report.get()))
            (privacy_note(lang, k))
        }
    };
    shell.page(Nav::Sort, &report.get().exhibit.text.clone(), main)
}

fn view(lang: Lang, report: &SortReport) -> Markup {
    html! {
        p.note { (say(lang,
            "每格：把该物品放进该分类箱的会话数（✔ 为正确的箱）。错放率：放错的次数占全部放置之比；错放最多的排在最前。",
            "Each cell: sessions that put the item in that bin (✔ marks the right bin). Miss share: wrong placements over all placements; the most missed first.")) }
        div.table-wrap {
            table.wide {
                thead { tr {
                    th scope="col" { (say(lang, "物品", "Item")) }
                    th scope="col" { (say(lang, "错放率", "Miss share")) }
                    @for bin in &report.matrix.columns { th scope="col" { (bin.text) } }
                } }
                tbody {
                    @for (i, item) in report.items.iter().enumerate() {
                        tr {
                            th scope="row" { (item.item.text) }
                            td.number { strong { (share_text(&item.miss_share)) } }
                            @for (j, bin) in report.matrix.columns.iter().enumerate() {
                                td.number class=[(bin.key == item.right_bin.key).then_some("right-bin")] {
                                    @if bin.key == item.right_bin.key { "✔ " }
                                    (count_text(&report.matrix.cells[i][j]))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn csv(lang: Lang, report: &SortReport) -> Csv {
    let mut csv = Csv::new();
    let mut header = vec![
        say(lang, "物品", "item").to_owned(),
        say(lang, "正确的箱", "right bin").to_owned(),
        say(lang, "错放率", "miss share").to_owned(),
    ];
    header.extend(report.matrix.columns.iter().map(|c| c.text.clone()));
    csv.row(header);
    for (i, item) in report.items.iter().enumerate() {
        let mut line = vec![
            item.item.text.clone(),
            item.right_bin.text.clone(),
            share_text(&item.miss_share),
        ];
        line.extend(report.matrix.cells[i].iter().map(count_text));
        csv.row(line);
    }
    csv
}
