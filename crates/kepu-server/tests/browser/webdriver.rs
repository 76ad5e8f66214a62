//! A small W3C WebDriver client over reqwest, driving Debian's `chromium` through
//! `chromedriver` (both installed by scripts/setup.sh). Only the commands the dashboard's tests
//! use: navigate, find, type, click, read text, cookies, screenshots, print to PDF.

use base64::Engine as _;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key W3C WebDriver names element references by.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A running chromedriver; killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Driver {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "the dashboard's browser tests need Debian's chromium and chromium-driver: run \
             scripts/setup.sh (or apt-get install chromium chromium-driver)"
        );
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(reply) = client.get(format!("{url}/status")).send().await
                && reply.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { child, url }
    }

    /// A new headless browser session, downloading into `downloads`.
    pub async fn session(&self, downloads: &Path, lang: &str) -> Browser {
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    // As root chromium needs --no-sandbox; on a closed network nothing may
                    // reach out to Google's services.
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--window-size=1366,900", format!("--lang={lang}"),
                    ],
                    "prefs": {
                        "download.default_directory": downloads.to_string_lossy(),
                        "download.prompt_for_download": false,
                        "intl.accept_languages": lang,
                    },
                },
            }}
        });
        let client = reqwest::Client::new();
        let reply: Value = client
            .post(format!("{}/session", self.url))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver refused a session: {reply}"))
            .to_owned();
        Browser {
            client,
            base: format!("{}/session/{id}", self.url),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session.
pub struct Browser {
    client: reqwest::Client,
    base: String,
}

/// An element found on the page.
#[derive(Clone)]
pub struct Element(String);

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = reply["value"]["error"].as_str() {
            panic!(
                "WebDriver {path}: {error}: {}",
                reply["value"]["message"].as_str().unwrap_or("")
            );
        }
        reply["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn current_url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_owned()
    }

    pub async fn source(&self) -> String {
        self.get("/source").await.as_str().unwrap().to_owned()
    }

    /// The first element matching a CSS selector; panics (with the page's address) when none.
    pub async fn find(&self, css: &str) -> Element {
        match self.try_find(css).await {
            Some(element) => element,
            None => panic!("no {css:?} on {}", self.current_url().await),
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let reply: Value = self
            .client
            .post(format!("{}/element", self.base))
            .json(&json!({ "using": "css selector", "value": css }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["value"][ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let value = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        value
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
            .collect()
    }

    pub async fn text(&self, element: &Element) -> String {
        self.get(&format!("/element/{}/text", element.0))
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn click(&self, element: &Element) {
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await;
    }

    pub async fn clear(&self, element: &Element) {
        self.post(&format!("/element/{}/clear", element.0), json!({}))
            .await;
    }

    pub async fn type_into(&self, element: &Element, text: &str) {
        self.post(
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        )
        .await;
    }

    /// Runs a script in the page and returns its result.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    pub async fn cookies(&self) -> Vec<Value> {
        self.get("/cookie")
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// A PNG of the whole page (the window is made as tall as the page for it), saved under
    /// `path`.
    pub async fn screenshot(&self, path: &Path) {
        let height = self
            .execute("return document.documentElement.scrollHeight", json!([]))
            .await
            .as_u64()
            .unwrap_or(900)
            .clamp(600, 8000);
        self.post(
            "/window/rect",
            json!({ "width": 1366, "height": height + 140 }),
        )
        .await;
        let png = self.get("/screenshot").await;
        self.post("/window/rect", json!({ "width": 1366, "height": 900 }))
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The page printed to PDF (A4, with its print stylesheet), saved under `path`.
    pub async fn print_pdf(&self, path: &Path) -> Vec<u8> {
        let pdf = self
            .post(
                "/print",
                json!({ "page": { "width": 21.0, "height": 29.7 }, "background": true }),
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(pdf.as_str().unwrap())
            .unwrap();
        std::fs::write(path, &bytes).unwrap();
        bytes
    }

    /// Waits until `condition` holds on the page (polling), or panics after 10 s.
    pub async fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.execute(script, json!([])).await.as_bool() == Some(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited 10 s for {what} on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn quit(self) {
        let _ = self.client.delete(&self.base).send().await;
    }
}

/// Waits for a downloaded file whose name ends with `suffix` to be complete in `dir`.
pub async fn downloaded(dir: &Path, suffix: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(suffix) && !name.ends_with(".crdownload") {
                    return entry.path();
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {suffix} download in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
