//! An estimate question's values against its true value: the JSON report's distribution per
//! audience (bins of the manifest's range, suppressed bins without a value), the question
//! page's chart and table in both languages, and the CSV of the bins — on synthetic visits
//! over the sample exhibits through the real ingest.

use crate::browser::Browser;
use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_core::manifest::{ExhibitManifest, ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use serde_json::Value;

on_both_engines!(an_estimate_question_shows_its_values_against_the_true_value);

/// 2026-05-01 00:00 in Beijing (UTC+8).
const DAY0_MS: i64 = 1_777_564_800_000;
const DAY_MS: i64 = 86_400_000;
const QUIZ: &str = "everyday-science-quiz";
/// Its estimate question: minutes of exercise a week, 0 to 400, the answer 150.
const QUESTION: &str = "exercise-minutes";
const PERIOD: &str = "from=2026-05-01&to=2026-05-04";

fn samples_folder() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits")
}

fn sample_manifests() -> Vec<ExhibitManifest> {
    load_catalog(&samples_folder(), &ValidationRules::default())
        .exhibits
        .into_iter()
        .map(|e| e.manifest)
        .collect()
}

/// A published count: `Some(n)`, or `None` when suppressed.
fn shown(value: &Value) -> Option<u64> {
    if value["suppressed"] == Value::Bool(true) {
        assert!(value["value"].is_null(), "a suppressed figure has no value");
        None
    } else {
        Some(value["value"].as_u64().unwrap_or(0))
    }
}

/// The report's values as a page and a CSV write them.
fn text(count: Option<u64>) -> String {
    count.map_or("x".to_owned(), |n| n.to_string())
}

async fn an_estimate_question_shows_its_values_against_the_true_value(app: TestApp) {
    kepu_server::commands::content_publish(&app.db.store, &samples_folder(), &mut std::io::sink())
        .await
        .unwrap();
    let quiz = sample_manifests()
        .into_iter()
        .find(|m| m.id == QUIZ)
        .unwrap();
    let estimate = quiz
        .questions
        .iter()
        .find(|q| q.id == QUESTION)
        .and_then(|q| q.estimate.clone())
        .expect("the sample quiz has its estimate question");
    // Every visitor plays the quiz: enough values for the "all" column to show some bins
    // whatever the record keys (the database draws their secret, so each run adjusts the
    // small atoms differently).
    let mut visitors = Visitors::new(vec![quiz], 11);
    visitors.english_share = 0.0;
    let mut kiosk = KioskStream::new(KIOSK, uuid::Uuid::from_u128(1));
    let mut events = Vec::new();
    // 60 visits a day for 4 days, from 9:00 Beijing time.
    for day in 0..4 {
        let opening = DAY0_MS + day * DAY_MS + 9 * 3_600_000;
        for visit in 0..60 {
            events.extend(visitors.visit(&mut kiosk, opening + visit * 2 * 60_000));
        }
    }
    events.sort_by_key(|e| e.seq);
    for batch in events.chunks(400) {
        let reply = app.post_events_as(&app.token, batch.to_vec()).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    app.db.store.roll_up_all().await.unwrap();

    // JSON: the true value beside the items, and per column ten bins of 0..400.
    let reply = app
        .get_as(
            &format!("/api/v1/reports/quizzes/{QUIZ}?{PERIOD}&lang=en"),
            Some(VIEWER),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let quiz: Value = reply.json();
    let report = &quiz["report"];
    let question = report["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["question"]["key"] == QUESTION)
        .unwrap();
    assert_eq!(question["estimate"], true);
    assert_eq!(question["true_value"].as_f64(), Some(estimate.answer));
    let items = question["items"].as_array().unwrap();
    assert_eq!(items.len(), report["audiences"].as_array().unwrap().len());
    let all = &items[0]["estimate_distribution"];
    let edges: Vec<f64> = all["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_f64().unwrap())
        .collect();
    assert_eq!(edges.len(), 11);
    assert_eq!((edges[0], edges[10]), (estimate.min, estimate.max));
    let bins: Vec<Option<u64>> = all["bins"].as_array().unwrap().iter().map(shown).collect();
    assert_eq!(bins.len(), 10);
    let total = shown(&all["total"]);
    assert!(
        bins.iter().flatten().sum::<u64>() > 50,
        "most bins of about 200 values are shown: {bins:?} of {total:?}"
    );
    if let Some(total) = total {
        assert!(bins.iter().flatten().sum::<u64>() <= total);
    }
    // Non-estimate questions carry neither.
    let other = report["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["estimate"] == false)
        .unwrap();
    assert!(other["true_value"].is_null());
    assert!(other["items"][0]["estimate_distribution"].is_null());

    // The question's page: the chart of all audiences with its true-value line, the table of
    // every column; the quiz page: the true value in the estimate's rows.
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    let page_path = format!("/dashboard/quizzes/{QUIZ}/{QUESTION}?{PERIOD}");
    for (lang, truth, row) in [
        ("en", "true value 150", "True value"),
        ("zh", "正确值 150", "正确值"),
    ] {
        let page = browser.get(&format!("{page_path}&lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let svg_start = page
            .body
            .find("<svg class=\"chart distribution\"")
            .unwrap_or_else(|| panic!("{lang}: no chart"));
        let svg = &page.body[svg_start..];
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<desc>"), "{svg}");
        assert!(svg.contains(&format!(">{truth}</text>")), "{lang}: {svg}");
        assert_eq!(svg.matches("<line class=\"truth\"").count(), 1);
        // A suppressed bin is a placeholder, never a bar.
        let bars = svg.matches("class=\"bar\"").count();
        let placeholders = svg.matches("class=\"suppressed\"").count();
        assert_eq!(
            placeholders,
            bins.iter().filter(|b| b.is_none()).count(),
            "{svg}"
        );
        assert_eq!(
            bars,
            bins.iter().filter(|b| b.is_some_and(|n| n > 0)).count()
        );
        assert!(page.body.contains(&format!("<th scope=\"row\">{row}</th>")));
        assert!(page.body.contains("<th scope=\"row\">120–160</th>"));
        let quiz_page = browser
            .get(&format!("/dashboard/quizzes/{QUIZ}?{PERIOD}&lang={lang}"))
            .await;
        assert_eq!(quiz_page.status, StatusCode::OK);
        assert!(
            quiz_page
                .body
                .contains(&format!("<th scope=\"row\">{row}</th>"))
        );
        assert!(
            !quiz_page.body.contains("chart distribution"),
            "the chart is on the question's page"
        );
    }

    // The CSV of the bins: one row per column and bin, the same figures as the JSON.
    let csv = browser
        .get(&format!("{page_path}&lang=en&format=csv&table=estimates"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!(
                "kepu-quiz-estimates-{QUIZ}-2026-05-01-2026-05-04.csv"
            ))
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "question id,question,true value,audience,from,to,sessions"
    );
    let of_all: Vec<Vec<&str>> = lines[1..10 + 1]
        .iter()
        .map(|l| l.rsplitn(4, ',').collect())
        .collect();
    for (b, cells) in of_all.iter().enumerate() {
        // Reversed: sessions, to, from, and the rest.
        assert_eq!(cells[0], text(bins[b]), "bin {b}");
        assert_eq!(cells[1], edges[b + 1].to_string());
        assert_eq!(cells[2], edges[b].to_string());
    }
    let columns_with_values = items
        .iter()
        .filter(|i| !i["estimate_distribution"].is_null())
        .count();
    assert_eq!(lines.len(), 1 + 10 * columns_with_values);
    assert!(lines[1].starts_with(&format!("{QUESTION},")));
}
