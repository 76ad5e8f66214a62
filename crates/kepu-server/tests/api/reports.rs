//! The report pages and their JSON and CSV, on synthetic visits over the sample exhibits
//! delivered through the real ingest; and the privacy attack (docs/dashboard.md): every
//! report called with every venue, day range and exhibit filter, all differences taken —
//! no cell below k may come out.

use crate::browser::Browser;
use crate::helpers::*;
use crate::on_both_engines;
use axum::http::StatusCode;
use kepu_core::manifest::{ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use kepu_core::wire::{EngagementEvent, EventKind};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

on_both_engines!(
    reports_show_the_visits_in_json_pages_and_csv,
    no_difference_of_reports_reveals_a_count_below_k,
    the_running_server_rebuilds_the_atoms_a_publish_queues,
);

/// 2026-05-01 00:00 in Beijing (UTC+8): day 0 of the generated visits.
const DAY0_MS: i64 = 1_777_564_800_000;
const DAY_MS: i64 = 86_400_000;

fn sample_manifests() -> Vec<kepu_core::manifest::ExhibitManifest> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    load_catalog(&dir, &ValidationRules::default())
        .exhibits
        .into_iter()
        .map(|e| e.manifest)
        .collect()
}

/// A kiosk and its token, added to `venue` (created if new).
async fn add_kiosk(app: &TestApp, venue: &str, kiosk: &str) -> String {
    let store = &app.db.store;
    if store
        .list_venues()
        .await
        .unwrap()
        .iter()
        .all(|v| v.name != venue)
    {
        store.add_venue(venue, NOW).await.unwrap();
    }
    let token = kepu_server::auth::new_token();
    store
        .add_kiosk(venue, kiosk, &kepu_server::auth::hash_token(&token), NOW)
        .await
        .unwrap();
    token
}

/// Sends `events` as the kiosk with `token`, in batches.
async fn deliver(app: &TestApp, token: &str, events: Vec<EngagementEvent>) {
    for batch in events.chunks(400) {
        let reply = app.post_events_as(token, batch.to_vec()).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
    }
}

async fn publish_samples(app: &TestApp) {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    kepu_server::commands::content_publish(&app.db.store, &folder, &mut std::io::sink())
        .await
        .unwrap();
}

async fn json(app: &TestApp, path: &str) -> Value {
    let reply = app.get_as(path, Some(VIEWER)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// A published count: `Some(n)`, or `None` when suppressed.
fn shown(value: &Value) -> Option<u64> {
    if value["suppressed"] == Value::Bool(true) {
        None
    } else {
        Some(value["value"].as_u64().unwrap_or(0))
    }
}

async fn reports_show_the_visits_in_json_pages_and_csv(app: TestApp) {
    publish_samples(&app).await;
    let mut visitors = Visitors::new(sample_manifests(), 11);
    // One language, and busy hours: atoms of several sessions, so that the adjustment's noise
    // on the totals stays small enough to check them against the visits.
    visitors.english_share = 0.0;
    let mut kiosk = KioskStream::new(KIOSK, uuid::Uuid::from_u128(1));
    let mut events = Vec::new();
    let mut sessions = 0;
    // 60 visits a day for 4 days, 9:00 to 11:00 Beijing time, and a heartbeat every 10
    // minutes from 9:00 to 17:00.
    for day in 0..4 {
        let opening = DAY0_MS + day * DAY_MS + 9 * 3_600_000;
        for minute in (0..480).step_by(10) {
            events.push(visitors.heartbeat(&mut kiosk, opening + minute * 60_000, 60));
        }
        for visit in 0..60 {
            events.extend(visitors.visit(&mut kiosk, opening + visit * 2 * 60_000));
            sessions += 1;
        }
    }
    events.sort_by_key(|e| e.seq);
    let delivered = events.clone();
    deliver(&app, &app.token, events).await;
    app.db.store.roll_up_all().await.unwrap();

    let period = "from=2026-05-01&to=2026-05-04";
    let overview = json(&app, &format!("/api/v1/reports/overview?{period}&lang=en")).await;
    assert_eq!(overview["min_sessions"], 5);
    let report = &overview["report"];
    let total = shown(&report["sessions"]["current"]).unwrap();
    // Adjusted counts are unbiased but not exact. About 64 atoms (4 days × 2 hours × 8
    // answers to "I am a...") of ~4 sessions each, most below k = 5: each counts 0 or 5, with
    // variance n(5 − n) ≤ 6.25, so the total's standard deviation is about 20; four of them
    // around the 240 visits.
    assert!((160..=320).contains(&total), "{total} of {sessions}");
    let days: Vec<Option<u64>> = report["sessions_per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| shown(&d["sessions"]["current"]))
        .collect();
    assert_eq!(days.len(), 4);
    assert_eq!(
        days.iter().flatten().sum::<u64>(),
        total,
        "the days add up to the total"
    );
    assert_eq!(
        shown(&report["sessions"]["previous"]),
        Some(0),
        "nothing before May"
    );
    let chinese = report["languages"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"]["key"] == "zh")
        .unwrap();
    assert_eq!(chinese["label"]["text"], "Chinese");

    let exhibits = json(&app, &format!("/api/v1/reports/exhibits?{period}&lang=zh")).await;
    let rows = exhibits["report"]["exhibits"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        sample_manifests().len(),
        "every published exhibit listed"
    );
    let quiz = rows
        .iter()
        .find(|r| r["exhibit"]["key"] == "phone-scams")
        .unwrap();
    assert!(
        quiz["exhibit"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{2e80}')
    );
    assert!(shown(&quiz["opens"]["current"]).unwrap() > 0);
    let kiosks = exhibits["report"]["kiosks"].as_array().unwrap();
    assert_eq!(
        kiosks[0]["open_hours"], 32.0,
        "4 days of 8 hours with heartbeats"
    );

    // The literacy indicator: the sample quizzes' themes, with intervals around the share.
    let literacy = json(&app, &format!("/api/v1/reports/literacy?{period}&lang=en")).await;
    let themes = literacy["report"]["themes"].as_array().unwrap();
    let all = &themes[0];
    assert_eq!(all["theme"]["key"], "*");
    let health = themes
        .iter()
        .find(|t| t["theme"]["key"] == "health")
        .unwrap();
    assert_eq!(health["theme"]["text"], "Health");
    let cell = &health["cells"][0];
    let answers = shown(&cell["answers"]).unwrap();
    assert!(answers > 20, "{answers} answers to health questions");
    let (share, low, high) = (
        cell["correct"]["share"]["value"].as_f64().unwrap(),
        cell["correct"]["low"]["value"].as_f64().unwrap(),
        cell["correct"]["high"]["value"].as_f64().unwrap(),
    );
    assert!(
        low < share && share < high && high - low < 0.5,
        "{low} {share} {high}"
    );
    assert_eq!(literacy["report"]["months"].as_array().unwrap().len(), 1);

    // Item analysis of a quiz: every question, audiences side by side, the right choices marked.
    let quiz = json(
        &app,
        &format!("/api/v1/reports/quizzes/everyday-science-quiz?{period}&lang=en"),
    )
    .await;
    let questions = quiz["report"]["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 6);
    let audiences = quiz["report"]["audiences"].as_array().unwrap();
    assert_eq!(audiences[0]["key"], "*");
    let first = &questions[0]["items"][0];
    assert!(shown(&first["answered"]["current"]).unwrap() > 10);
    let difficulty = first["difficulty"]["current"]["value"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&difficulty));
    assert!(
        first["choices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["correct"] == true)
    );
    let missing = app
        .get_as("/api/v1/reports/quizzes/no-such-quiz", Some(VIEWER))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // A sort game's confusion matrix: every item, the most missed first.
    let sort = json(
        &app,
        &format!("/api/v1/reports/sort/waste-sorting?{period}&lang=en"),
    )
    .await;
    let items = sort["report"]["items"].as_array().unwrap();
    let manifest = sample_manifests()
        .into_iter()
        .find(|m| m.id == "waste-sorting")
        .unwrap();
    assert_eq!(items.len(), manifest.items.len());
    let shares: Vec<f64> = items
        .iter()
        .filter_map(|i| i["miss_share"]["value"].as_f64())
        .collect();
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "most missed first: {shares:?}"
    );

    // The funnel: distinct sessions at each step, all venues first; every step no larger than
    // the first (adjusted counts need not fall step by step, but none exceeds the sessions
    // by more than the adjustment's reach).
    let funnel = json(&app, &format!("/api/v1/reports/funnel?{period}&lang=en")).await;
    let all = &funnel["report"]["venues"][0];
    assert_eq!(all["venue"]["key"], "*");
    let steps: Vec<u64> = all["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| shown(&s["sessions"]["current"]).unwrap())
        .collect();
    assert_eq!(steps.len(), 4);
    assert!(steps[1] > 0 && steps[2] > 0 && steps[3] > 0, "{steps:?}");
    assert!(
        steps[3] <= steps[2] + 40 && steps[2] <= steps[1] + 40 && steps[1] <= steps[0] + 40,
        "{steps:?}"
    );
    assert_eq!(all["open_hours"], 32.0);

    // The xAPI export: admins only; one statement per content event, id = event id.
    let refused = app
        .get_as(&format!("/api/v1/export/xapi?{period}"), Some(VIEWER))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let export = app
        .get_as(&format!("/api/v1/export/xapi?{period}"), Some(ADMIN))
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.headers["content-type"], "application/x-ndjson");
    let statements: Vec<Value> = String::from_utf8(export.body)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let content_events = delivered
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                EventKind::ExhibitClose { .. }
                    | EventKind::StoryPageView { .. }
                    | EventKind::HotspotOpen { .. }
                    | EventKind::SimulationSummary { .. }
                    | EventKind::QuizAnswer { .. }
                    | EventKind::SortPlacement { .. }
                    | EventKind::QuizComplete { .. }
            )
        })
        .count();
    assert_eq!(
        statements.len(),
        content_events,
        "one statement per content event"
    );
    let ids: std::collections::HashSet<String> =
        delivered.iter().map(|e| e.id.to_string()).collect();
    assert!(
        statements
            .iter()
            .all(|s| ids.contains(s["id"].as_str().unwrap()))
    );
    assert!(
        statements
            .iter()
            .all(|s| s["version"] == "1.0.3" && s["actor"]["account"]["name"].is_string())
    );

    // Pages, in both languages, and a filter.
    let mut browser = Browser::new(&app);
    browser.sign_in(VIEWER).await;
    for (path, heading) in [
        ("/dashboard/overview", ["概览", "Overview"]),
        ("/dashboard/exhibits", ["展项", "Exhibits"]),
        ("/dashboard/exhibits/phone-scams", ["", ""]),
        ("/dashboard/kiosks", ["展台状态", "Kiosk health"]),
        ("/dashboard/literacy", ["科学素质", "Science literacy"]),
        ("/dashboard/quizzes", ["题目分析", "item analysis"]),
        ("/dashboard/quizzes/everyday-science-quiz", ["", ""]),
        (
            "/dashboard/quizzes/everyday-science-quiz/flu-prevention",
            ["", ""],
        ),
        ("/dashboard/sort", ["分类游戏", "Sort games"]),
        ("/dashboard/funnel", ["参与漏斗", "Funnel"]),
        ("/dashboard/sort/waste-sorting", ["", ""]),
    ] {
        for (lang, heading) in ["zh", "en"].into_iter().zip(heading) {
            let page = browser.get(&format!("{path}?{period}&lang={lang}")).await;
            assert_eq!(page.status, StatusCode::OK, "{path} {lang}: {}", page.body);
            assert!(page.body.contains(heading), "{path} {lang}");
            assert!(
                page.body.contains("<svg")
                    || ["kiosks", "quizzes", "sort"]
                        .iter()
                        .any(|p| path.contains(p)),
                "{path} draws charts"
            );
        }
    }
    let filtered = browser
        .get(&format!(
            "/dashboard/overview?{period}&audience=senior&language=zh&lang=en"
        ))
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains("<option value=\"senior\" selected"));
    let bad = browser.get("/dashboard/overview?from=2026-02-30").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("YYYY-MM-DD"), "{}", bad.body);

    // A CSV download: BOM, a header and one row per day, the same numbers as the JSON.
    let csv = browser
        .get(&format!(
            "/dashboard/overview?{period}&lang=en&format=csv&table=days"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kepu-overview-days-2026-05-01-2026-05-04.csv")
    );
    assert!(csv.body.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "day,sessions,previous day,previous sessions");
    assert_eq!(lines.len(), 5);
    for (line, day) in lines[1..].iter().zip(&days) {
        let cell = line.split(',').nth(1).unwrap();
        assert_eq!(cell, day.map_or("x".to_owned(), |d| d.to_string()));
    }
    let unknown = browser
        .get(&format!(
            "/dashboard/exhibits?{period}&format=csv&table=nope"
        ))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The attack of docs/dashboard.md. Three venues with two kiosks each, ten days of a few
/// visits a day per kiosk (so most venue-days are small); the attacker reads the overview's
/// per-day sessions and totals for every venue and for all venues, over every day range,
/// with and without an exhibit filter, and takes every difference that isolates one
/// venue-day (range against range, a venue against all the others, all sessions against
/// those that opened an exhibit). No estimate of a cell whose true count is 1..k-1 may equal
/// it, and no such cell may be shown.
async fn no_difference_of_reports_reveals_a_count_below_k(app: TestApp) {
    const K: u64 = 5;
    const DAYS: i64 = 10;
    publish_samples(&app).await;
    let manifests = sample_manifests();
    let venues = ["North", "South", "East"];
    let mut visitors = Visitors::new(manifests, 5);
    // True sessions per (venue, day), and of those, the ones that opened `phone-scams`.
    let mut truth: BTreeMap<(usize, i64), u64> = BTreeMap::new();
    let mut truth_scams: BTreeMap<(usize, i64), u64> = BTreeMap::new();
    let mut seed = 17_u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };
    for (v, venue) in venues.iter().enumerate() {
        for k in 0..2 {
            let name = format!("{}-{k}", venue.to_lowercase());
            let token = add_kiosk(&app, venue, &name).await;
            let mut kiosk =
                KioskStream::new(name, uuid::Uuid::from_u128((v * 2 + k) as u128 + 100));
            let mut events = Vec::new();
            for day in 0..DAYS {
                let visits = next() % 5; // 0..4 a day: small cells
                for i in 0..visits {
                    let start = DAY0_MS + day * DAY_MS + (10 + i as i64) * 3_600_000;
                    let visit = visitors.visit(&mut kiosk, start);
                    *truth.entry((v, day)).or_default() += 1;
                    if visit.iter().any(|e| matches!(&e.event, EventKind::ExhibitOpen { exhibit_id } if exhibit_id == "phone-scams")) {
                        *truth_scams.entry((v, day)).or_default() += 1;
                    }
                    events.extend(visit);
                }
            }
            deliver(&app, &token, events).await;
        }
    }
    app.db.store.roll_up_all().await.unwrap();

    let date = |day: i64| {
        chrono::DateTime::from_timestamp_millis(DAY0_MS + day * DAY_MS + 8 * 3_600_000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string()
    };
    // Published totals: (venue or all, exhibit filter, first day, last day) → value.
    let mut totals: HashMap<(Option<usize>, bool, i64, i64), Option<u64>> = HashMap::new();
    let mut shown_cells = 0;
    for venue in [None, Some(0), Some(1), Some(2)] {
        for scams in [false, true] {
            for first in 0..DAYS {
                for last in first..DAYS {
                    let mut path = format!(
                        "/api/v1/reports/overview?from={}&to={}",
                        date(first),
                        date(last)
                    );
                    if let Some(v) = venue {
                        path.push_str(&format!("&venue={}", venues[v]));
                    }
                    if scams {
                        path.push_str("&exhibit=phone-scams");
                    }
                    let report = json(&app, &path).await;
                    let report = &report["report"];
                    totals.insert(
                        (venue, scams, first, last),
                        shown(&report["sessions"]["current"]),
                    );
                    // Every day shown directly: a small true count must never be shown.
                    if let (Some(v), false) = (venue, scams) {
                        for (i, day) in report["sessions_per_day"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .enumerate()
                        {
                            let d = first + i as i64;
                            let true_count = truth.get(&(v, d)).copied().unwrap_or(0);
                            let published = shown(&day["sessions"]["current"]);
                            if (1..K).contains(&true_count) {
                                assert_eq!(
                                    published, None,
                                    "venue {v} day {d}: {true_count} shown"
                                );
                            }
                            shown_cells += 1;
                        }
                    }
                }
            }
        }
    }
    // The attacker's estimates of each venue-day, from published numbers only.
    let mut attacked = 0;
    let mut check = |target: u64, estimate: Option<i64>, how: &str| {
        if let Some(estimate) = estimate
            && (1..K).contains(&target)
        {
            attacked += 1;
            assert_ne!(
                estimate, target as i64,
                "recovered a count of {target} by {how}"
            );
        }
    };
    let get = |venue: Option<usize>, scams: bool, first: i64, last: i64| -> Option<i64> {
        if first > last {
            return Some(0);
        }
        totals[&(venue, scams, first, last)].map(|v| v as i64)
    };
    for v in 0..venues.len() {
        for d in 0..DAYS {
            let target = truth.get(&(v, d)).copied().unwrap_or(0);
            let scams = truth_scams.get(&(v, d)).copied().unwrap_or(0);
            // Overlapping ranges: [a, d] − [a, d−1] and [d, b] − [d+1, b].
            for a in 0..=d {
                let estimate = get(Some(v), false, a, d)
                    .zip(get(Some(v), false, a, d - 1))
                    .map(|(x, y)| x - y);
                check(target, estimate, "range differences");
            }
            for b in d..DAYS {
                let estimate = get(Some(v), false, d, b)
                    .zip(get(Some(v), false, d + 1, b))
                    .map(|(x, y)| x - y);
                check(target, estimate, "range differences");
            }
            // A venue against all venues: all − the other two.
            let others: Option<i64> = (0..venues.len())
                .filter(|u| *u != v)
                .map(|u| get(Some(u), false, d, d))
                .sum();
            let estimate = get(None, false, d, d)
                .zip(others)
                .map(|(all, rest)| all - rest);
            check(target, estimate, "a venue against all venues");
            // An exhibit against the rest: sessions − sessions that opened it.
            let estimate = get(Some(v), false, d, d)
                .zip(get(Some(v), true, d, d))
                .map(|(all, it)| all - it);
            check(target - scams, estimate, "an exhibit against the rest");
            check(scams, get(Some(v), true, d, d), "the exhibit filter");
        }
    }
    assert!(
        shown_cells > 500 && attacked > 100,
        "the attack ran: {shown_cells} cells, {attacked} small targets"
    );
}

/// Visits counted before their exhibits were published have no completion yet; publishing
/// queues their kiosk-hours, and the running server's maintenance rebuilds them by itself.
async fn the_running_server_rebuilds_the_atoms_a_publish_queues(app: TestApp) {
    let mut visitors = Visitors::new(sample_manifests(), 3);
    let mut kiosk = KioskStream::new(KIOSK, uuid::Uuid::from_u128(2));
    let mut events = Vec::new();
    for visit in 0..20 {
        events.extend(visitors.visit(&mut kiosk, DAY0_MS + 10 * 3_600_000 + visit * 600_000));
    }
    deliver(&app, &app.token, events).await;
    app.db.store.roll_up_all().await.unwrap();
    let mut config = kepu_server::startup::ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        kepu_store::Location::parse(&app.db.location),
    );
    config.rollup_every = std::time::Duration::from_millis(50);
    let server = kepu_server::startup::build(&config).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    publish_samples(&app).await;
    assert!(
        app.db.store.atoms_waiting().await.unwrap() > 0,
        "the publish queued rebuilds"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.db.store.atoms_waiting().await.unwrap() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server left atoms queued"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}
