//! Visitor-facing text: every string a visitor can read is a map from language code to text.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language code as written in manifests and `kiosk.toml` (`zh`, `en`, ...).
pub type Lang = String;

/// The language codes a kiosk may offer (`kiosk.toml`'s `languages`) and the server accepts in
/// `session_start` and `language_change` events: every ISO 639-1 code, and the script and
/// region variants a district kiosk would use (`zh-hans`/`zh-hant`, `zh-cn`, `zh-tw`, `zh-hk`,
/// Cantonese `yue` (ISO 639-3, with no 639-1 code), traditional Mongolian script `mn-mong`,
/// `en-gb`, `pt-br`, ...). Lowercase, sorted (for [`is_known_language`]'s binary search). A
/// fixed list, so that a language field can never carry free text; add a code here (and
/// deploy the server first) to offer a new one.
pub const KNOWN_LANGUAGES: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "en-gb", "en-us", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj",
    "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu",
    "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg",
    "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg",
    "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mn-mong", "mr", "ms",
    "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om",
    "or", "os", "pa", "pi", "pl", "ps", "pt", "pt-br", "pt-pt", "qu", "rm", "rn", "ro", "ru", "rw",
    "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty",
    "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "yue", "yue-hans",
    "yue-hant", "za", "zh", "zh-cn", "zh-hans", "zh-hant", "zh-hk", "zh-mo", "zh-sg", "zh-tw",
    "zu",
];

/// Whether `code` is one of [`KNOWN_LANGUAGES`] (exactly: lowercase, `-` between parts).
pub fn is_known_language(code: &str) -> bool {
    KNOWN_LANGUAGES.binary_search(&code).is_ok()
}

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
    fn the_known_languages_are_sorted_lowercase_codes_and_include_what_kiosks_use() {
        assert!(
            KNOWN_LANGUAGES.windows(2).all(|w| w[0] < w[1]),
            "sorted and unique, for the binary search"
        );
        for code in KNOWN_LANGUAGES {
            let (base, variant) = code.split_once('-').unwrap_or((code, ""));
            assert!((2..=3).contains(&base.len()), "{code}");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
            assert!(
                variant.is_empty() || (2..=4).contains(&variant.len()),
                "{code}"
            );
        }
        // Every ISO 639-1 code, plus the variants.
        assert_eq!(KNOWN_LANGUAGES.iter().filter(|c| c.len() == 2).count(), 183);
        for code in [
            "zh", "en", "zh-hant", "zh-hans", "yue", "ug", "bo", "mn", "ko", "fr",
        ] {
            assert!(is_known_language(code), "{code}");
        }
        for code in [
            "", "ZH", "zh-Hant", "zh_hant", "xx", "english", "en-", " en", "en\0", "aaa",
        ] {
            assert!(!is_known_language(code), "{code:?}");
        }
    }

    #[test]
    fn reports_missing_and_blank_languages() {
        let text = LocalizedText::from_pairs(&[("zh", "你好"), ("en", "  ")]);
        let required = vec!["zh".to_owned(), "en".to_owned(), "fr".to_owned()];
        assert_eq!(text.missing_languages(&required), vec!["en", "fr"]);
    }
}
