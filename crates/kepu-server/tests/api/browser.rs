//! A browser for the dashboard's tests: keeps cookies as a browser does (set, replace, delete
//! with `Max-Age=0`), sends forms, reads what pages say. Requests go through `oneshot`, from a
//! client address of the test's choosing.

use crate::helpers::TestApp;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use tower::ServiceExt;

pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    /// The address requests come from (`None`: none, as inside the process).
    pub client: Option<SocketAddr>,
    pub accept_language: Option<&'static str>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Every `Set-Cookie` of the answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.body))
    }

    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        self.field_value("csrf")
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body))
    }

    /// The value of the first input named `name`.
    pub fn field_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }

    /// The first word of the body starting with `prefix` (a token shown on a page).
    pub fn word_starting(&self, prefix: &str) -> Option<String> {
        let start = self.body.find(prefix)?;
        let end = self.body[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(self.body.len(), |n| n + start);
        Some(self.body[start..end].to_owned())
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header"))
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
            client: None,
            accept_language: None,
        }
    }

    pub fn from_address(app: &'a TestApp, address: &str) -> Self {
        Self {
            client: Some(address.parse().unwrap()),
            ..Self::new(app)
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Page {
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request
                .headers_mut()
                .insert("cookie", cookies.join("; ").parse().unwrap());
        }
        if let Some(lang) = self.accept_language {
            request
                .headers_mut()
                .insert("accept-language", lang.parse().unwrap());
        }
        if let Some(client) = self.client {
            request.extensions_mut().insert(ConnectInfo(client));
        }
        let response = kepu_server::app(self.app.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        };
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// POSTs a form (`application/x-www-form-urlencoded`).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Opens the sign-in page and sends the form with `name` and `password`.
    pub async fn try_sign_in(&mut self, (name, password): (&str, &str)) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("name", name), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// Signs in and checks that it worked.
    pub async fn sign_in(&mut self, staff: (&str, &str)) -> Page {
        let page = self.try_sign_in(staff).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert!(self.cookie("kepu_session").is_some());
        page
    }

    /// A dashboard page, and the CSRF token of its forms.
    pub async fn csrf_of(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.csrf()
    }

    /// Whether the browser is signed in now (the overview answers rather than redirects).
    pub async fn signed_in(&mut self) -> bool {
        let page = self.get("/dashboard/overview").await;
        match page.status {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => {
                assert!(page.location().starts_with("/login"), "{}", page.location());
                false
            }
            other => panic!("{other}: {}", page.body),
        }
    }
}
