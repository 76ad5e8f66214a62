//! Names as the server accepts them, parsed once at the edge (command line, API) so that the
//! rest of the code never sees an unchecked one.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NameError(String);

/// A kiosk's name: the `kiosk_id` its events carry. Letters, digits, '-', '_' and '.'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskName(String);

/// A venue's name as staff write it, e.g. "朝阳区科技馆" or "Jinsong Library": any letters,
/// digits, spaces and common punctuation, no control or direction-changing characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueName(String);

/// A staff member's login name: letters, digits, '.', '-', '_' and '@'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffName(String);

/// The label of a read-only API token, e.g. "district statistics": letters, digits, spaces,
/// '-', '_' and '.' (it names the token in lists and logs, so nothing that could disguise it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLabel(String);

pub const MAX_NAME_LEN: usize = 64;

impl KioskName {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let valid = !text.is_empty()
            && text.len() <= MAX_NAME_LEN
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(NameError(format!(
                "kiosk names may only use letters, digits, '-', '_' and '.', at most {MAX_NAME_LEN} (got \"{}\")",
                text.escape_debug()
            )))
        }
    }
}

impl VenueName {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let text = text.trim();
        let chars = text.chars().count();
        let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "-_.,'&()（）·、".contains(c);
        if chars == 0 || chars > MAX_NAME_LEN || !text.chars().all(allowed) {
            return Err(NameError(format!(
                "a venue name has 1 to {MAX_NAME_LEN} letters, digits, spaces and - _ . , ' & ( ) · (got \"{}\")",
                text.escape_debug()
            )));
        }
        Ok(Self(text.to_owned()))
    }
}

impl StaffName {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let valid = !text.is_empty()
            && text.len() <= MAX_NAME_LEN
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(NameError(format!(
                "staff names may only use letters, digits, '.', '-', '_' and '@', at most {MAX_NAME_LEN} (got \"{}\")",
                text.escape_debug()
            )))
        }
    }
}

impl TokenLabel {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let text = text.trim();
        let valid = !text.is_empty()
            && text.chars().count() <= MAX_NAME_LEN
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(NameError(format!(
                "a token label has 1 to {MAX_NAME_LEN} letters, digits, spaces, '-', '_' and '.' (got \"{}\")",
                text.escape_debug()
            )))
        }
    }
}

macro_rules! as_str {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
as_str!(KioskName, VenueName, StaffName, TokenLabel);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(KioskName::parse("hall-2.kiosk_1").is_ok());
        for bad in ["", "a b", "kiosk/1", "k\u{202e}", &"k".repeat(65)] {
            assert!(KioskName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            VenueName::parse("  朝阳区科技馆 ").unwrap().as_str(),
            "朝阳区科技馆"
        );
        assert!(VenueName::parse("Jinsong Library (East)").is_ok());
        for bad in [
            "",
            "   ",
            "a\nb",
            "x\u{202e}y",
            "<script>",
            &"馆".repeat(65),
        ] {
            assert!(VenueName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(StaffName::parse("wang.fang@chaoyang").is_ok());
        assert!(StaffName::parse("wang fang").is_err());
        assert_eq!(
            TokenLabel::parse(" district stats-1 ").unwrap().as_str(),
            "district stats-1"
        );
        for bad in ["", "a\tb", "x\u{202e}", "<b>", &"t".repeat(65)] {
            assert!(TokenLabel::parse(bad).is_err(), "{bad:?}");
        }
    }
}
