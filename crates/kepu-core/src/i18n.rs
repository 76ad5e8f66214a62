//! Visitor-facing text: every string a visitor can read is a map from language code to text.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language code as written in manifests and `kiosk.toml` (`zh`, `en`, ...).
pub type Lang = String;

/// One visitor-facing string in several languages, written in TOML as `{ zh = "…", en = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct LocalizedText(pub BTreeMap<Lang, String>);

impl LocalizedText {
    /// Text in `lang`, else in the first of `fallbacks` that has it, else any text at all, so a
    /// visitor never sees an empty label because a translation is missing.
    pub fn get<'a>(&'a self, lang: &str, fallbacks: &[Lang]) -> &'a str {
        self.0
            .get(lang)
            .or_else(|| fallbacks.iter().find_map(|l| self.0.get(l)))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The languages among `required` that have no text here.
    pub fn missing_languages<'a>(&self, required: &'a [Lang]) -> Vec<&'a str> {
        required
            .iter()
            .filter(|l| self.0.get(l.as_str()).is_none_or(|t| t.trim().is_empty()))
            .map(String::as_str)
            .collect()
    }

    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_in_order_then_to_any_text() {
        let text = LocalizedText::from_pairs(&[("en", "Hello"), ("zh", "你好")]);
        assert_eq!(text.get("zh", &[]), "你好");
        assert_eq!(text.get("fr", &["en".into()]), "Hello");
        let only_zh = LocalizedText::from_pairs(&[("zh", "你好")]);
        assert_eq!(only_zh.get("en", &["fr".into()]), "你好");
        assert_eq!(LocalizedText::default().get("en", &[]), "");
    }

    #[test]
    fn reports_missing_and_blank_languages() {
        let text = LocalizedText::from_pairs(&[("zh", "你好"), ("en", "  ")]);
        let required = vec!["zh".to_owned(), "en".to_owned(), "fr".to_owned()];
        assert_eq!(text.missing_languages(&required), vec!["en", "fr"]);
    }
}
