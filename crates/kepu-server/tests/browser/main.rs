//! The dashboard in a real browser: Debian's chromium driven through chromedriver
//! (webdriver.rs), against the real server on a loopback port, on synthetic visits delivered
//! through the real ingest. Signs in, opens every page in Chinese and in English, applies a
//! filter, drills down into one exhibit, downloads a CSV and reads it, submits a form without
//! its CSRF token, signs out, and checks that a page without a session goes to sign-in.
//! Every page's screenshot is saved (in $KEPU_SCREENSHOT_DIR when set) to be looked at.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod webdriver;

use kepu_core::manifest::{ValidationRules, load_catalog};
use kepu_core::synthetic::{KioskStream, Visitors};
use kepu_core::wire::{INGEST_PATH, IngestRequest};
use kepu_server::startup::{self, ServeConfig};
use kepu_store::Engine;
use kepu_store::staff::Role;
use kepu_store::testing::TestDb;
use std::path::PathBuf;
use webdriver::{Browser, Driver, downloaded};

const VENUE: &str = "朝阳科技馆";
const KIOSK: &str = "lobby-1";
const ADMIN: (&str, &str) = ("wang.fang", "admin password 1");

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("KEPU_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("kepu-screenshots"))
        .join("dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Today and the 13 days before it, in Beijing time: where the visits go.
fn recent_days() -> (i64, String, String) {
    let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let today = kepu_server::scope::today(zone, kepu_core::now_unix_ms());
    let first = today - chrono::Days::new(13);
    let start = first
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .unwrap()
        .timestamp_millis();
    (start, first.to_string(), today.to_string())
}

struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    _db: TestDb,
}

async fn start_server() -> Server {
    let db = TestDb::fresh(Engine::Sqlite).await.unwrap();
    let store = &db.store;
    let now = kepu_core::now_unix_ms();
    store.add_venue(VENUE, now).await.unwrap();
    let token = kepu_server::auth::new_token();
    store
        .add_kiosk(VENUE, KIOSK, &kepu_server::auth::hash_token(&token), now)
        .await
        .unwrap();
    let hash = kepu_server::auth::password::hash_password(ADMIN.1).unwrap();
    store
        .add_staff(ADMIN.0, Role::Admin, &hash, now)
        .await
        .unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    kepu_server::commands::content_publish(store, &folder, &mut std::io::sink())
        .await
        .unwrap();

    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        kepu_store::Location::parse(&db.location),
    );
    config.rollup_every = std::time::Duration::from_millis(100);
    let server = startup::build(&config).await.unwrap();
    let url = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    // Two weeks of visits, delivered as a kiosk delivers them.
    let manifests: Vec<_> = load_catalog(&folder, &ValidationRules::default())
        .exhibits
        .into_iter()
        .map(|e| e.manifest)
        .collect();
    let mut visitors = Visitors::new(manifests, 21);
    let mut kiosk = KioskStream::new(KIOSK, uuid::Uuid::from_u128(5));
    let (start, _, _) = recent_days();
    let mut events = Vec::new();
    for day in 0..14 {
        let opening = start + day * 86_400_000 + 9 * 3_600_000;
        for hour in 0..8 {
            events.push(visitors.heartbeat(&mut kiosk, opening + hour * 3_600_000, 60));
        }
        for visit in 0..40 {
            let at = opening + visit * 12 * 60_000;
            if at < now - 60_000 {
                events.extend(visitors.visit(&mut kiosk, at));
            }
        }
    }
    let client = reqwest::Client::new();
    for batch in events.chunks(400) {
        let reply = client
            .post(format!("{url}{INGEST_PATH}"))
            .bearer_auth(&token)
            .json(&IngestRequest {
                events: batch.to_vec(),
            })
            .send()
            .await
            .unwrap();
        assert!(
            reply.status().is_success(),
            "{}",
            reply.text().await.unwrap()
        );
    }
    // Count everything now; the server's own roll-up runs too, and a pass that meets it is
    // undone and tried again.
    loop {
        match db.store.roll_up_all().await {
            Ok(_) => break,
            Err(kepu_store::StoreError::Conflict(_)) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(err) => panic!("roll-up: {err}"),
        }
    }
    Server {
        url,
        stop: Some(stop),
        running,
        _db: db,
    }
}

impl Server {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.running.await.unwrap().unwrap();
    }
}

async fn shoot(browser: &Browser, name: &str) {
    browser
        .screenshot(&screenshots().join(format!("{name}.png")))
        .await;
}

async fn heading(browser: &Browser) -> String {
    browser.text(&browser.find("h1").await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_use_the_dashboard_in_a_real_browser() {
    let server = start_server().await;
    let url = &server.url;
    let (_, first, last) = recent_days();
    let driver = Driver::start().await;
    let downloads = tempfile::tempdir().unwrap();
    let browser = driver.session(downloads.path(), "zh-CN").await;

    // Without a session every page goes to sign-in, and comes back after it.
    browser.goto(&format!("{url}/dashboard/exhibits")).await;
    assert!(
        browser
            .current_url()
            .await
            .contains("/login?next=%2Fdashboard%2Fexhibits")
    );
    shoot(&browser, "login-zh").await;
    browser
        .type_into(&browser.find("input[name=name]").await, ADMIN.0)
        .await;
    browser
        .type_into(&browser.find("input[name=password]").await, "a wrong one")
        .await;
    browser
        .click(&browser.find("button[type=submit]").await)
        .await;
    browser
        .wait_for(
            "the refusal",
            "return document.body.innerText.includes('用户名或密码错误')",
        )
        .await;
    shoot(&browser, "login-refused-zh").await;
    let name = browser.find("input[name=name]").await;
    browser.clear(&name).await;
    browser.type_into(&name, ADMIN.0).await;
    browser
        .type_into(&browser.find("input[name=password]").await, ADMIN.1)
        .await;
    browser
        .click(&browser.find("button[type=submit]").await)
        .await;
    browser
        .wait_for(
            "the page asked for",
            "return location.pathname === '/dashboard/exhibits'",
        )
        .await;
    let cookie = browser
        .cookies()
        .await
        .into_iter()
        .find(|c| c["name"] == "kepu_session")
        .unwrap();
    assert_eq!(cookie["httpOnly"], true);
    assert_eq!(cookie["sameSite"], "Strict");

    // Every page, in both languages.
    let period = format!("from={first}&to={last}");
    for lang in ["zh", "en"] {
        for (page, path) in [
            ("overview", "/dashboard/overview"),
            ("exhibits", "/dashboard/exhibits"),
            ("exhibit-phone-scams", "/dashboard/exhibits/phone-scams"),
            ("kiosks", "/dashboard/kiosks"),
            ("literacy", "/dashboard/literacy"),
            ("quizzes", "/dashboard/quizzes"),
            (
                "quiz-everyday-science",
                "/dashboard/quizzes/everyday-science-quiz",
            ),
            ("sort-waste", "/dashboard/sort/waste-sorting"),
            ("funnel", "/dashboard/funnel"),
            ("admin-kiosks", "/dashboard/admin/kiosks"),
        ] {
            browser
                .goto(&format!("{url}{path}?{period}&lang={lang}"))
                .await;
            let title = heading(&browser).await;
            assert!(!title.is_empty(), "{page} {lang} has a heading");
            let html_lang = browser
                .execute(
                    "return document.documentElement.lang",
                    serde_json::json!([]),
                )
                .await;
            assert_eq!(html_lang.as_str().unwrap().get(..2), Some(lang), "{page}");
            shoot(&browser, &format!("{page}-{lang}")).await;
        }
    }
    // The overview shows the visits: sessions counted, charts drawn.
    browser
        .goto(&format!("{url}/dashboard/overview?{period}&lang=en"))
        .await;
    let sessions = browser
        .text(&browser.find(".figures .key .figure").await)
        .await;
    let sessions: u64 = sessions
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("sessions: {sessions:?}"));
    assert!(sessions > 300, "{sessions} sessions shown");
    assert!(browser.find_all("svg.chart").await.len() >= 5);

    // A filter: "I am a..." senior, by the form.
    let audience = browser
        .find("select[name=audience] option[value=senior]")
        .await;
    browser.click(&audience).await;
    browser
        .click(&browser.find("form.filters button[type=submit]").await)
        .await;
    browser
        .wait_for(
            "the filtered page",
            "return location.search.includes('audience=senior')",
        )
        .await;
    let filtered: u64 = browser
        .text(&browser.find(".figures .key .figure").await)
        .await
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(
        filtered < sessions,
        "a filter narrows: {filtered} of {sessions}"
    );
    shoot(&browser, "overview-senior-en").await;

    // Drill down: from the exhibits table into one exhibit.
    browser
        .goto(&format!("{url}/dashboard/exhibits?{period}&lang=en"))
        .await;
    let link = browser
        .find("table.wide tbody th a[href*='/dashboard/exhibits/phone-scams']")
        .await;
    browser.click(&link).await;
    browser
        .wait_for(
            "the exhibit's page",
            "return location.pathname === '/dashboard/exhibits/phone-scams'",
        )
        .await;
    assert_eq!(browser.find_all("table.wide tbody tr").await.len(), 1);
    shoot(&browser, "exhibit-drill-down-en").await;

    // Drill down: from a quiz into one question.
    browser
        .goto(&format!(
            "{url}/dashboard/quizzes/everyday-science-quiz?{period}&lang=en"
        ))
        .await;
    let question = browser
        .find("section.question h2 a[href*='/antibiotics']")
        .await;
    browser.click(&question).await;
    browser
        .wait_for(
            "the question's page",
            "return location.pathname.endsWith('/everyday-science-quiz/antibiotics')",
        )
        .await;
    assert_eq!(browser.find_all("section.question").await.len(), 1);
    shoot(&browser, "question-drill-down-en").await;

    // A CSV download, read back.
    browser
        .goto(&format!("{url}/dashboard/overview?{period}&lang=en"))
        .await;
    let download = browser.find("a.download[href*='table=days']").await;
    browser.click(&download).await;
    let file = downloaded(downloads.path(), ".csv").await;
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with a BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "day,sessions,previous day,previous sessions");
    assert_eq!(lines.len(), 15, "a header and 14 days");
    assert!(lines[1].starts_with(&first));

    // The printable monthly report, printed to PDF by the browser and read back.
    // The month the visits began in: it has days of them whatever today is.
    let month = &first[..7];
    browser
        .goto(&format!("{url}/dashboard/report/{month}?lang=en"))
        .await;
    shoot(&browser, "monthly-report-en").await;
    let pdf_path = screenshots().join("monthly-report-en.pdf");
    let pdf = browser.print_pdf(&pdf_path).await;
    assert!(pdf.starts_with(b"%PDF-"));
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf_path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Monthly report"), "{text}");
    assert!(
        text.contains("Spotting phone scams") && text.contains("Health"),
        "{text}"
    );
    assert!(
        !text.contains("Sign out"),
        "the print stylesheet leaves the navigation out"
    );
    // Its first page as a picture, to be looked at beside the screenshots.
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            pdf_path.to_str().unwrap(),
        ])
        .arg(screenshots().join("monthly-report-en-pdf"))
        .status()
        .unwrap();
    assert!(status.success());

    // A form without its CSRF token is refused, and changes nothing.
    browser
        .goto(&format!("{url}/dashboard/admin/venues?lang=en"))
        .await;
    browser
        .execute(
            "const form = document.querySelector('form[action=\"/dashboard/admin/venues\"]');\
             form.querySelector('input[name=csrf]').remove();\
             form.querySelector('input[name=name]').value = 'Forged Venue';\
             form.submit();",
            serde_json::json!([]),
        )
        .await;
    browser
        .wait_for(
            "the refusal",
            "return document.readyState === 'complete' && !!document.querySelector('h1')",
        )
        .await;
    assert!(
        !browser.source().await.contains("Forged Venue") || browser.source().await.contains("403")
    );
    browser
        .goto(&format!("{url}/dashboard/admin/venues?lang=en"))
        .await;
    assert!(
        !browser.source().await.contains("Forged Venue"),
        "the forged form added nothing"
    );

    // Sign out; the dashboard is closed again.
    browser
        .click(&browser.find("form[action='/logout'] button").await)
        .await;
    browser
        .wait_for("sign-in", "return location.pathname === '/login'")
        .await;
    browser.goto(&format!("{url}/dashboard/overview")).await;
    assert!(browser.current_url().await.contains("/login"));
    shoot(&browser, "signed-out").await;

    browser.quit().await;
    drop(driver);
    server.stop().await;
}
