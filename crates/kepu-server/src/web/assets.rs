//! The dashboard's stylesheet and htmx, compiled into the binary: nothing is fetched from the
//! internet at run time, and the server needs no asset folder next to it.
//!
//! Pages link each asset with a hash of its content in the address (`?v=…`, [`css_href`]),
//! and an answer to that exact address may be kept for a year (`immutable`): a new version of
//! the server has new hashes, so browsers never mix an old stylesheet with new pages.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const CSS_PATH: &str = "/assets/dashboard.css";
pub const HTMX_PATH: &str = "/assets/htmx.min.js";

const CSS: &str = include_str!("../../assets/dashboard.css");
/// htmx 2.0.11 from the npm registry, unmodified (licence: assets/htmx.LICENSE, 0BSD).
const HTMX: &str = include_str!("../../assets/htmx.min.js");

fn version(content: &str) -> String {
    hex::encode(&Sha256::digest(content.as_bytes())[..6])
}

fn css_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| version(CSS))
}

fn htmx_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| version(HTMX))
}

/// The stylesheet's address, with its content hash.
pub fn css_href() -> String {
    format!("{CSS_PATH}?v={}", css_version())
}

/// htmx's address, with its content hash.
pub fn htmx_href() -> String {
    format!("{HTMX_PATH}?v={}", htmx_version())
}

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn css(axum::extract::Query(query): axum::extract::Query<Version>) -> Response {
    asset(CSS, "text/css; charset=utf-8", css_version(), query.v)
}

pub async fn htmx(axum::extract::Query(query): axum::extract::Query<Version>) -> Response {
    asset(
        HTMX,
        "text/javascript; charset=utf-8",
        htmx_version(),
        query.v,
    )
}

fn asset(
    body: &'static str,
    content_type: &'static str,
    current: &str,
    asked: Option<String>,
) -> Response {
    // Only the address of this very content may be cached for good; any other (no version,
    // an old one) is revalidated, so it never pins a stale copy.
    let cache = if asked.as_deref() == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
        headers.insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The custom properties `--name: #rrggbb;` of the stylesheet's `:root`.
    fn palette() -> HashMap<String, (f64, f64, f64)> {
        let root = CSS
            .split(":root {")
            .nth(1)
            .unwrap()
            .split('}')
            .next()
            .unwrap();
        root.lines()
            .filter_map(|line| {
                let (name, value) = line.trim().strip_prefix("--")?.split_once(':')?;
                let hex = value.trim().trim_end_matches(';').strip_prefix('#')?;
                assert_eq!(hex.len(), 6, "--{name}: write colours as #rrggbb");
                let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
                Some((name.to_owned(), (channel(0), channel(2), channel(4))))
            })
            .collect()
    }

    /// WCAG 2.x relative luminance of an sRGB colour.
    fn luminance((r, g, b): (f64, f64, f64)) -> f64 {
        let linear = |c: f64| {
            let c = c / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// WCAG 2.x contrast ratio, 1 to 21.
    fn contrast(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn the_formula_gives_wcag_s_own_figures() {
        let black = (0.0, 0.0, 0.0);
        let white = (255.0, 255.0, 255.0);
        assert!((contrast(black, white) - 21.0).abs() < 1e-9);
        // #777 on white is the well-known 4.48:1, just under AA.
        let grey = (119.0, 119.0, 119.0);
        assert!((contrast(grey, white) - 4.48).abs() < 0.01);
    }

    #[test]
    fn every_colour_pair_meets_wcag_aa() {
        let colours = palette();
        let get = |name: &str| *colours.get(name).unwrap_or_else(|| panic!("no --{name}"));
        // Text (and its background): 4.5:1 (WCAG 1.4.3).
        let text_pairs = [
            ("text", "bg"),
            ("text", "surface"),
            ("muted", "bg"),
            ("muted", "surface"),
            ("link", "bg"),
            ("link", "surface"),
            ("link-visited", "bg"),
            ("on-accent", "accent"),
            ("accent", "bg"),
            ("on-danger", "danger"),
            ("topbar-text", "topbar-bg"),
            ("topbar-current", "topbar-bg"),
            ("topbar-bg", "bg"),
            ("error", "error-bg"),
            ("error", "bg"),
            ("error", "surface"),
            ("notice", "notice-bg"),
            ("text", "code-bg"),
            ("chart-truth", "bg"),
        ];
        // Graphics and component edges: 3:1 against what is next to them (WCAG 1.4.11,
        // 2.4.11): field borders, chart marks, the focus ring on the page and on the top bar.
        let graphic_pairs = [
            ("border", "bg"),
            ("border", "surface"),
            ("chart-current", "bg"),
            ("chart-previous", "bg"),
            ("chart-suppressed", "bg"),
            // The true-value line: on the page; over a bar it has a --bg edge (.truth-halo).
            ("chart-truth", "bg"),
            ("heat-5", "bg"),
            ("focus", "topbar-bg"),
            ("focus-edge", "bg"),
            ("focus", "focus-edge"),
        ];
        let mut failures = Vec::new();
        for (pairs, minimum) in [(&text_pairs[..], 4.5), (&graphic_pairs[..], 3.0)] {
            for (fg, bg) in pairs {
                let ratio = contrast(get(fg), get(bg));
                if ratio < minimum {
                    failures.push(format!("--{fg} on --{bg}: {ratio:.2} < {minimum}"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn the_stylesheet_keeps_its_promises() {
        // Body text of at least 18 px: 112.5 % of the browser's 16 px default, 1rem body.
        assert!(CSS.contains("html { font-size: 112.5%; }"));
        assert!(CSS.contains(":focus-visible"));
        assert!(CSS.contains("@media print"));
        // Nothing fetched from elsewhere.
        assert!(!CSS.contains("http://") && !CSS.contains("https://") && !CSS.contains("@import"));
        assert!(HTMX.starts_with("var htmx=function()"));
        assert_ne!(css_href(), htmx_href());
        assert!(css_href().starts_with("/assets/dashboard.css?v="));
    }
}
