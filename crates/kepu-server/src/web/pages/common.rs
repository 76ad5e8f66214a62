//! What every report page shares: the filter form (a plain GET form, so the page's address is
//! its view and it works with JavaScript off; htmx, when present, swaps only the report), the
//! way a published figure and its comparison are written, tables, and their CSV downloads.

use crate::AppState;
use crate::export::csv::Csv;
use crate::report_data::Catalog;
use crate::reports::{Comparison, Figure, SUPPRESSED_MARK, Shown, ShownTable};
use crate::scope::{AUDIENCE_FILTERS, Scope, ScopeParams};
use crate::web::{Lang, Shell};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

/// A page's query: the filters, and for a download which table as what.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    #[serde(flatten)]
    pub scope: ScopeParams,
    /// `csv` for a download of `table`.
    pub format: Option<String>,
    pub table: Option<String>,
}

impl PageQuery {
    pub fn csv_table(&self) -> Option<&str> {
        (self.format.as_deref() == Some("csv")).then(|| self.table.as_deref().unwrap_or(""))
    }
}

/// Text in the page's language: both are required, so no phrase lacks a translation.
pub fn say(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// What the filter form offers: venues, kiosks and exhibits by name.
pub struct FilterChoices {
    pub venues: Vec<String>,
    pub kiosks: Vec<String>,
    pub exhibits: Vec<(String, String)>,
}

impl FilterChoices {
    pub async fn load(state: &AppState, catalog: &Catalog, lang: Lang) -> FilterChoices {
        let venues = state
            .store
            .list_venues()
            .await
            .map(|v| v.into_iter().map(|v| v.name).collect())
            .unwrap_or_default();
        let kiosks = state
            .store
            .list_kiosks()
            .await
            .map(|k| k.into_iter().map(|k| k.name).collect())
            .unwrap_or_default();
        let fallbacks = ["zh".to_owned(), "en".to_owned()];
        let exhibits = catalog
            .exhibits
            .iter()
            .map(|m| {
                (
                    m.id.clone(),
                    m.title.get(lang.code(), &fallbacks).to_owned(),
                )
            })
            .collect();
        FilterChoices {
            venues,
            kiosks,
            exhibits,
        }
    }
}

/// The filter form. `action` is the page's path.
pub fn filter_form(shell: &Shell, action: &str, scope: &Scope, choices: &FilterChoices) -> Markup {
    let lang = shell.lang;
    let names = crate::report_data::CatalogNames {
        catalog: &Catalog::default(),
        language: lang.code(),
    };
    let any = say(lang, "全部", "All");
    let selected = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    html! {
        form.filters method="get" action=(action)
            hx-get=(action) hx-select="#report" hx-target="#report" hx-swap="outerHTML"
            hx-push-url="true" {
            input type="hidden" name="lang" value=(lang.code());
            label { (say(lang, "从", "From")) " "
                input type="date" name="from" value=(scope.period.first.to_string()) required; }
            label { (say(lang, "到", "To")) " "
                input type="date" name="to" value=(scope.period.last.to_string()) required; }
            label { (say(lang, "场馆", "Venue")) " "
                select name="venue" {
                    option value="" { (any) }
                    @for venue in &choices.venues {
                        option value=(venue) selected[selected(&scope.venue, venue)] { (venue) }
                    }
                }
            }
            label { (say(lang, "展台", "Kiosk")) " "
                select name="kiosk" {
                    option value="" { (any) }
                    @for kiosk in &choices.kiosks {
                        option value=(kiosk) selected[selected(&scope.kiosk, kiosk)] { (kiosk) }
                    }
                }
            }
            label { (say(lang, "展项", "Exhibit")) " "
                select name="exhibit" {
                    option value="" { (any) }
                    @for (id, title) in &choices.exhibits {
                        option value=(id) selected[selected(&scope.exhibit, id)] { (title) }
                    }
                }
            }
            label { (say(lang, "观众", "Audience")) " "
                select name="audience" {
                    option value="" { (any) }
                    @for audience in AUDIENCE_FILTERS {
                        @let key = if audience == "unknown" { "" } else { audience };
                        option value=(audience) selected[selected(&scope.audience, audience)] {
                            (crate::reports::Names::audience(&names, key).unwrap_or_else(|| audience.to_owned()))
                        }
                    }
                }
            }
            label { (say(lang, "语言", "Language")) " "
                select name="language" {
                    option value="" { (any) }
                    @for code in ["zh", "en"] {
                        option value=(code) selected[selected(&scope.language, code)] {
                            (crate::reports::Names::language(&names, code).unwrap_or_else(|| code.to_owned()))
                        }
                    }
                }
            }
            button type="submit" { (say(lang, "应用", "Apply")) }
        }
        p.period {
            (say(lang, "对比上一时段：", "Compared with the previous period: "))
            (scope.previous().period.first.to_string()) " – " (scope.previous().period.last.to_string())
        }
    }
}

/// The note every report ends with: what the mark of a hidden figure means.
pub fn privacy_note(lang: Lang, k: u64) -> Markup {
    html! {
        p.privacy-note {
            strong { (SUPPRESSED_MARK) } " "
            @match lang {
                Lang::Zh => { "：少于 " (k) " 个观众会话，或为防止推算而隐藏。所有计数均随机舍入为 " (k) " 的倍数，平均而言不偏（见文档 docs/dashboard.md）。" }
                Lang::En => { ": fewer than " (k) " visitor sessions, or hidden so that such a figure cannot be worked out. Every count is randomly rounded to a multiple of " (k) ", unbiased on average (docs/dashboard.md)." }
            }
        }
    }
}

/// A count as written on a page and in a CSV.
pub fn count_text(shown: &Shown<u64>) -> String {
    shown.text(|v| v.to_string())
}

/// A share (0..=1) as a percentage.
pub fn share_text(shown: &Shown<f64>) -> String {
    shown.text(|v| format!("{:.0} %", v * 100.0))
}

/// A duration in milliseconds, as minutes and seconds.
pub fn duration_text(shown: &Shown<f64>) -> String {
    shown.text(|ms| {
        let seconds = (ms / 1000.0).round() as u64;
        if seconds < 60 {
            format!("{seconds} s")
        } else {
            format!("{} min {:02} s", seconds / 60, seconds % 60)
        }
    })
}

/// A ratio (holding power, sessions per hour) with two decimals.
pub fn ratio_text(shown: &Shown<f64>) -> String {
    shown.text(|v| format!("{v:.2}"))
}

/// A figure with the previous period's beside it: "12 (prev. 10, +20 %)".
pub fn compared<T: Figure>(
    lang: Lang,
    comparison: &Comparison<T>,
    format: impl Fn(&Shown<T>) -> String,
) -> Markup {
    // The change only when it is a number: "x" twice in one cell says nothing more.
    let change = comparison
        .relative
        .value()
        .map(|r| format!("{:+.0} %", r * 100.0))
        .unwrap_or_default();
    let previous = format(&comparison.previous);
    let dash = |text: String| {
        if text.is_empty() {
            "—".to_owned()
        } else {
            text
        }
    };
    html! {
        span.figure { (dash(format(&comparison.current))) }
        " "
        span.previous {
            "(" (say(lang, "上期 ", "prev. ")) (dash(previous))
            @if !change.is_empty() { ", " (change) }
            ")"
        }
    }
}

/// A count table with its totals as an HTML table.
pub fn shown_table(caption: &str, table: &ShownTable, total_label: &str) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr {
                th scope="col" {}
                @for column in &table.columns { th scope="col" { (column.text) } }
                @if table.row_totals.is_some() { th scope="col" { (total_label) } }
            } }
            tbody {
                @for (i, row) in table.rows.iter().enumerate() {
                    tr {
                        th scope="row" { (row.text) }
                        @for cell in &table.cells[i] { td.number { (count_text(cell)) } }
                        @if let Some(totals) = &table.row_totals { td.number { (count_text(&totals[i])) } }
                    }
                }
            }
            @if let Some(totals) = &table.column_totals {
                tfoot { tr {
                    th scope="row" { (total_label) }
                    @for cell in totals { td.number { (count_text(cell)) } }
                    @if table.row_totals.is_some() {
                        td.number { (table.total.as_ref().map(count_text).unwrap_or_default()) }
                    }
                } }
            }
        }
    }
}

/// A count table as CSV rows (header, rows, the totals row).
pub fn table_csv(csv: &mut Csv, corner: &str, table: &ShownTable, total_label: &str) {
    let mut header = vec![corner.to_owned()];
    header.extend(table.columns.iter().map(|c| c.text.clone()));
    if table.row_totals.is_some() {
        header.push(total_label.to_owned());
    }
    csv.row(header);
    for (i, row) in table.rows.iter().enumerate() {
        let mut line = vec![row.text.clone()];
        line.extend(table.cells[i].iter().map(count_text));
        if let Some(totals) = &table.row_totals {
            line.push(count_text(&totals[i]));
        }
        csv.row(line);
    }
    if let Some(totals) = &table.column_totals {
        let mut line = vec![total_label.to_owned()];
        line.extend(totals.iter().map(count_text));
        if table.row_totals.is_some() {
            line.push(table.total.as_ref().map(count_text).unwrap_or_default());
        }
        csv.row(line);
    }
}

/// A CSV download: the filters in the file name, so two downloads never overwrite each
/// other unnoticed.
pub fn csv_response(page: &str, table: &str, scope: &Scope, csv: Csv) -> Response {
    let name = format!(
        "kepu-{page}-{table}-{}-{}.csv",
        scope.period.first, scope.period.last
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv.finish(),
    )
        .into_response()
}

/// The link to a table's CSV download, with the page's filters.
pub fn csv_link(lang: Lang, path: &str, scope: &Scope, table: &str) -> Markup {
    html! {
        a.download href=(format!("{path}?{}&lang={}&format=csv&table={table}", scope.query_string(), lang.code()))
            download {
            (say(lang, "下载 CSV", "Download CSV"))
        }
    }
}

/// What a list of the published exhibits of one kind shows.
pub struct ExhibitList {
    pub kind: kepu_core::manifest::ExhibitKind,
    /// The page's path; each exhibit links to `{path}/{id}`.
    pub path: &'static str,
    pub nav: crate::web::Nav,
    pub title: (&'static str, &'static str),
    /// What the page explains above the list, if anything.
    pub note: Option<(&'static str, &'static str)>,
    /// How many of what each exhibit has (questions, items) and its name.
    pub size: fn(&kepu_core::manifest::ExhibitManifest) -> usize,
    pub unit: (&'static str, &'static str),
}

/// A page listing the published exhibits of one kind (quizzes, sort games), each linking to
/// its report with the page's filters kept.
pub async fn exhibit_list(
    shell: Shell,
    state: AppState,
    query: PageQuery,
    list: ExhibitList,
) -> Response {
    let lang = shell.lang;
    let scope = match crate::report_data::scope_of(&query.scope, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let catalog = match Catalog::load(&state.store).await {
        Ok(catalog) => catalog,
        Err(err) => return shell.failure(err),
    };
    let fallbacks = ["zh".to_owned(), "en".to_owned()];
    let main = html! {
        @if let Some((zh, en)) = list.note { p.note { (say(lang, zh, en)) } }
        ul.quiz-list {
            @for exhibit in catalog.exhibits.iter().filter(|m| m.kind == list.kind) {
                li {
                    a href=(format!("{}/{}?{}&lang={}", list.path, exhibit.id, scope.query_string_without_exhibit(), lang.code())) {
                        (exhibit.title.get(lang.code(), &fallbacks))
                    }
                    " · " ((list.size)(exhibit)) (say(lang, list.unit.0, list.unit.1))
                }
            }
        }
    };
    shell.page(list.nav, say(lang, list.title.0, list.title.1), main)
}
