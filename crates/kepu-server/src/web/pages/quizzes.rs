//! `/dashboard/quizzes` (the published quizzes), `/dashboard/quizzes/{exhibit}` (item analysis
//! of every question, audiences side by side) and `/dashboard/quizzes/{exhibit}/{question}`
//! (one question: its choices in full; for an estimate question, the values given per bin
//! drawn against the true value). `?format=csv&table=items` downloads the item analysis,
//! `table=estimates` the estimate questions' values per bin.

use super::common::{
    ExhibitList, FilterChoices, PageQuery, compared, count_text, csv_response, duration_text,
    exhibit_list, filter_form, privacy_note, say, share_text,
};
use crate::AppState;
use crate::charts;
use crate::error::AppError;
use crate::export::csv::Csv;
use crate::report_data::{self, Catalog};
use crate::reports::quiz::{QuestionReport, QuizReport, ValueDistribution};
use crate::reports::{Reading, Shown};
use crate::scope::Scope;
use crate::web::{Lang, Nav, Shell};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};

pub const PATH: &str = "/dashboard/quizzes";

pub async fn list(
    shell: Shell,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let list = ExhibitList {
        kind: kepu_core::manifest::ExhibitKind::Quiz,
        path: PATH,
        nav: Nav::Quizzes,
        title: ("测验：题目分析", "Quizzes: item analysis"),
        note: Some((
            "每道题：作答会话数、难度（答对率）、区分度（该题与其余各题得分的点二列相关，30 个会话以上才显示）、各选项占比（标出正确选项和选择率低于 5% 的无效干扰项）、作答用时中位数；按观众并列。",
            "Per question: sessions that answered, difficulty (share correct), discrimination (point-biserial correlation with the score on the quiz's other questions, shown from 30 sessions), each choice's share (the right ones marked, distractors chosen by under 5 % flagged), median answer time; audiences side by side.",
        )),
        size: |m| m.questions.len(),
        unit: (" 道题", " questions"),
    };
    exhibit_list(shell, state, query, list).await
}

pub async fn quiz_page(
    shell: Shell,
    State(state): State<AppState>,
    Path(exhibit): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(shell, state, query, exhibit, None).await
}

pub async fn question_page(
    shell: Shell,
    State(state): State<AppState>,
    Path((exhibit, question)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(shell, state, query, exhibit, Some(question)).await
}

async fn respond(
    shell: Shell,
    state: AppState,
    mut query: PageQuery,
    exhibit: String,
    question: Option<String>,
) -> Response {
    let lang = shell.lang;
    query.scope.exhibit = Some(exhibit.clone());
    let scope = match report_data::scope_of(&query.scope, &state.reports) {
        Ok(scope) => scope,
        Err(err) => return shell.failure(err),
    };
    let report = match report_data::quiz_report(&state, &scope, &exhibit, lang.code()).await {
        Ok(report) => report,
        Err(err) => return shell.failure(err),
    };
    let questions: Vec<&QuestionReport> = report
        .get()
        .questions
        .iter()
        .filter(|q| question.as_deref().is_none_or(|id| q.question.key == id))
        .collect();
    if question.is_some() && questions.is_empty() {
        return shell.failure(AppError::NotFound(format!(
            "the quiz has no question \"{}\"",
            question.unwrap_or_default()
        )));
    }
    if let Some(table) = query.csv_table() {
        return if table == ESTIMATES_TABLE {
            csv_response(
                "quiz-estimates",
                &exhibit,
                &scope,
                estimates_csv(lang, report.get(), &questions),
            )
        } else {
            csv_response(
                "quiz",
                &exhibit,
                &scope,
                csv(lang, report.get(), &questions),
            )
        };
    }
    let catalog = Catalog::load(&state.store).await.unwrap_or_default();
    let choices = FilterChoices::load(&state, &catalog, lang).await;
    let k = report.min_sessions().get();
    let path = match &question {
        Some(q) => format!("{PATH}/{exhibit}/{q}"),
        None => format!("{PATH}/{exhibit}"),
    };
    let title = match questions.as_slice() {
        [one] if question.is_some() => one.question.text.clone(),
        _ => report.get().exhibit.text.clone(),
    };
    let main = html! {
        p {
            a href=(format!("{PATH}?lang={}", lang.code())) { "← " (say(lang, "全部测验", "All quizzes")) }
            @if question.is_some() {
                " · " a href=(format!("{PATH}/{exhibit}?{}&lang={}", scope.query_string_without_exhibit(), lang.code())) { (report.get().exhibit.text) }
            }
        }
        (filter_form(&shell, &path, &scope, &choices))
        div #report { (view(lang, &scope, report.get(), &questions, &exhibit, question.is_some(), k)) }
    };
    shell.page(Nav::Quizzes, &title, main)
}

/// The CSV table of the estimate questions' values per bin (every other name: the items).
const ESTIMATES_TABLE: &str = "estimates";

fn discrimination_text(shown: &Shown<f64>) -> String {
    shown.text(|r| format!("{r:.2}"))
}

/// A bin of an estimate's range, "from–to".
fn bin_text(distribution: &ValueDistribution, bin: usize) -> (String, String) {
    let edge = |i: usize| {
        distribution
            .edges
            .get(i)
            .map(|e| charts::decimal(*e))
            .unwrap_or_default()
    };
    (edge(bin), edge(bin + 1))
}

fn true_value_text(question: &QuestionReport) -> String {
    question.true_value.map(charts::decimal).unwrap_or_default()
}

/// One estimate question's values per bin: the chart of all audiences against the true
/// value, and the table of every column (the chart's numbers, for reading and screen
/// readers).
fn distribution_view(
    lang: Lang,
    scope: &Scope,
    report: &QuizReport,
    question: &QuestionReport,
    exhibit: &str,
) -> Markup {
    let columns: Vec<Option<&ValueDistribution>> = question
        .items
        .iter()
        .map(|i| i.estimate_distribution.as_ref())
        .collect();
    let title = say(lang, "给出的估计值", "Values given");
    let csv_href = format!(
        "{PATH}/{exhibit}/{}?{}&lang={}&format=csv&table={ESTIMATES_TABLE}",
        question.question.key,
        scope.query_string_without_exhibit(),
        lang.code()
    );
    html! {
        section.estimate {
            h3 { (title) " " a.download href=(csv_href) download { (say(lang, "下载 CSV", "Download CSV")) } }
            @match columns.first().copied().flatten() {
                None => p.note { (say(lang, "这段时间没有人作答。", "Nobody answered in this period.")) }
                Some(all) => {
                    @if let Some(truth) = question.true_value {
                        @let bins: Vec<Option<f64>> = all.bins.iter().map(|b| b.value().map(|v| v as f64)).collect();
                        (charts::distribution(
                            &format!(
                                "{title}{}{}{}",
                                say(lang, "（", " ("),
                                report.audiences.first().map_or("", |a| a.text.as_str()),
                                say(lang, "）", ")")
                            ),
                            &all.edges,
                            &bins,
                            truth,
                            &format!("{} {}", say(lang, "正确值", "true value"), charts::decimal(truth)),
                        ))
                        p.note { (say(lang, "图中为全部观众的作答；红线为正确值。", "The chart shows every audience's answers; the red line marks the true value.")) }
                    }
                    div.table-wrap {
                        table.wide {
                            caption { (title) " · " (say(lang, "正确值", "True value")) " " (true_value_text(question)) }
                            thead { tr {
                                th scope="col" { (say(lang, "区间", "Bin")) }
                                @for audience in &report.audiences { th scope="col" { (audience.text) } }
                            } }
                            tbody {
                                @for b in 0..all.bins.len() {
                                    @let (from, to) = bin_text(all, b);
                                    tr {
                                        th scope="row" { (from) "–" (to) }
                                        @for column in &columns {
                                            td.number { (column.and_then(|d| d.bins.get(b)).map(count_text).unwrap_or_default()) }
                                        }
                                    }
                                }
                            }
                            tfoot { tr {
                                th scope="row" { (say(lang, "合计", "Total")) }
                                @for column in &columns {
                                    td.number { (column.map(|d| count_text(&d.total)).unwrap_or_default()) }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}

fn view(
    lang: Lang,
    scope: &Scope,
    report: &QuizReport,
    questions: &[&QuestionReport],
    exhibit: &str,
    one_question: bool,
    k: u64,
) -> Markup {
    let csv_href = format!(
        "{PATH}/{exhibit}?{}&lang={}&format=csv&table=items",
        scope.query_string_without_exhibit(),
        lang.code()
    );
    html! {
        p { a.download href=(csv_href) download { (say(lang, "下载 CSV", "Download CSV")) } }
        @for question in questions {
            section.question {
                h2 {
                    a href=(format!("{PATH}/{exhibit}/{}?{}&lang={}", question.question.key, scope.query_string_without_exhibit(), lang.code())) {
                        (question.question.text)
                    }
                }
                div.table-wrap {
                    table.wide {
                        thead { tr {
                            th scope="col" {}
                            @for audience in &report.audiences { th scope="col" { (audience.text) } }
                        } }
                        tbody {
                            tr { th scope="row" { (say(lang, "作答会话", "Answered")) }
                                @for item in &question.items { td.number { (compared(lang, &item.answered, count_text)) } } }
                            tr { th scope="row" { (say(lang, "难度（答对率）", "Difficulty (share correct)")) }
                                @for item in &question.items { td.number { (compared(lang, &item.difficulty, share_text)) } } }
                            tr { th scope="row" { (say(lang, "区分度", "Discrimination")) }
                                @for item in &question.items { td.number { (discrimination_text(&item.discrimination)) } } }
                            tr { th scope="row" { (say(lang, "用时中位数", "Median answer time")) }
                                @for item in &question.items { td.number { (duration_text(&item.median_answer_ms)) } } }
                            @if let Some(first) = question.items.first() {
                                @for (c, choice) in first.choices.iter().enumerate() {
                                    tr {
                                        th scope="row" {
                                            @if choice.correct { span.correct title=(say(lang, "正确选项", "Right answer")) { "✔ " } }
                                            (choice.choice.text)
                                        }
                                        @for item in &question.items {
                                            @let row = &item.choices[c];
                                            td.number {
                                                (share_text(&row.share))
                                                @if matches!(row.non_functioning.read(), Reading::Value(true)) {
                                                    " " span.flag title=(say(lang, "无效干扰项：选择率低于 5%", "Non-functioning distractor: chosen by under 5 %")) { "⚑" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            @if question.estimate {
                                tr { th scope="row" { (say(lang, "估计值中位数", "Median estimate")) }
                                    @for item in &question.items { td.number { (item.estimate_deciles.get(4).map(|d| d.text(|v| format!("{v:.1}"))).unwrap_or_default()) } } }
                                tr { th scope="row" { (say(lang, "正确值", "True value")) }
                                    @for _ in &question.items { td.number { (true_value_text(question)) } } }
                            }
                        }
                    }
                }
                @if one_question && question.estimate {
                    (distribution_view(lang, scope, report, question, exhibit))
                }
            }
        }
        p.note { "✔ " (say(lang, "正确选项；", "right answer; ")) "⚑ " (say(lang, "无效干扰项（选择率低于 5%）。区分度低于 0.2 的题目值得修改。", "non-functioning distractor (chosen by under 5 %). A discrimination under 0.2 marks a question worth rewriting.")) }
        (privacy_note(lang, k))
    }
}

fn csv(lang: Lang, report: &QuizReport, questions: &[&QuestionReport]) -> Csv {
    let mut csv = Csv::new();
    csv.row([
        say(lang, "题目编号", "question id"),
        say(lang, "题目", "question"),
        say(lang, "观众", "audience"),
        say(lang, "作答会话", "answered"),
        say(lang, "答对率", "share correct"),
        say(lang, "区分度", "discrimination"),
        say(lang, "用时中位数（秒）", "median answer time (s)"),
    ]);
    for question in questions {
        for (audience, item) in report.audiences.iter().zip(&question.items) {
            csv.row([
                question.question.key.clone(),
                question.question.text.clone(),
                audience.text.clone(),
                count_text(&item.answered.current),
                share_text(&item.difficulty.current),
                discrimination_text(&item.discrimination),
                item.median_answer_ms
                    .text(|ms| format!("{:.0}", ms / 1000.0)),
            ]);
        }
    }
    csv
}

/// The estimate questions' values per bin, one row per question, column and bin.
fn estimates_csv(lang: Lang, report: &QuizReport, questions: &[&QuestionReport]) -> Csv {
    let mut csv = Csv::new();
    csv.row([
        say(lang, "题目编号", "question id"),
        say(lang, "题目", "question"),
        say(lang, "正确值", "true value"),
        say(lang, "观众", "audience"),
        say(lang, "区间下限", "from"),
        say(lang, "区间上限", "to"),
        say(lang, "会话", "sessions"),
    ]);
    for question in questions.iter().filter(|q| q.estimate) {
        for (audience, item) in report.audiences.iter().zip(&question.items) {
            let Some(distribution) = &item.estimate_distribution else {
                continue;
            };
            for (b, bin) in distribution.bins.iter().enumerate() {
                let (from, to) = bin_text(distribution, b);
                csv.row([
                    question.question.key.clone(),
                    question.question.text.clone(),
                    true_value_text(question),
                    audience.text.clone(),
                    from,
                    to,
                    count_text(bin),
                ]);
            }
        }
    }
    csv
}
