//! What a report is about: the period (whole days in the district's time zone) and the
//! filters, parsed from a page's query string. Every report page, JSON report and CSV export
//! takes the same [`ScopeParams`], so a page's address is its view.

use chrono::{Datelike, Days, FixedOffset, NaiveDate, TimeZone};
use serde::Deserialize;

/// The default period: the last 30 days, today included.
pub const DEFAULT_DAYS: u64 = 30;
/// The longest period a report covers (three years: year-on-year comparisons).
pub const MAX_DAYS: u64 = 3 * 366;

/// The query string as sent (all optional; empty values count as absent, as a form sends
/// them).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ScopeParams {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
    /// A venue's name.
    pub venue: Option<String>,
    /// A kiosk's name.
    pub kiosk: Option<String>,
    /// An exhibit's id.
    pub exhibit: Option<String>,
    /// "I am a..." answer: an audience (`child`, `senior`, ...), `skipped`, or `unknown`.
    pub audience: Option<String>,
    /// The visitors' language (`zh`, `en`, ...).
    pub language: Option<String>,
}

/// Whole days, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    pub fn days(&self) -> u64 {
        u64::try_from((self.last - self.first).num_days() + 1).unwrap_or(1)
    }

    /// The period of the same length just before this one (what every figure is compared
    /// with).
    pub fn previous(&self) -> Period {
        let last = self.first - Days::new(1);
        Period {
            first: last - Days::new(self.days() - 1),
            last,
        }
    }

    /// Start (inclusive) and end (exclusive) in Unix milliseconds, days counted in `zone`.
    pub fn range_ms(&self, zone: FixedOffset) -> (i64, i64) {
        let start = |day: NaiveDate| {
            zone.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
                .single()
                .map_or(0, |t| t.timestamp_millis())
        };
        (start(self.first), start(self.last + Days::new(1)))
    }

    /// Every day of the period, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(|day| *day <= self.last)
    }

    /// The months the period touches, as (year, month).
    pub fn months(&self) -> Vec<(i32, u32)> {
        let mut months: Vec<(i32, u32)> = self.each_day().map(|d| (d.year(), d.month())).collect();
        months.dedup();
        months
    }
}

/// A parsed scope: the period and the filters, each still a name the store looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub period: Period,
    pub venue: Option<String>,
    pub kiosk: Option<String>,
    pub exhibit: Option<String>,
    pub audience: Option<String>,
    pub language: Option<String>,
}

/// Why a query string is not a scope; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("\"{0}\" is not a date: write it as YYYY-MM-DD")]
    BadDate(String),
    #[error("the period ends ({last}) before it starts ({first})")]
    Reversed { first: NaiveDate, last: NaiveDate },
    #[error("the period is {0} days long; a report covers at most {MAX_DAYS}")]
    TooLong(u64),
    #[error("\"{0}\" is not an \"I am a...\" answer")]
    BadAudience(String),
    #[error("\"{0}\" is not a language code")]
    BadLanguage(String),
    #[error("\"{0}\" is not an exhibit id")]
    BadExhibit(String),
}

/// The "I am a..." values a report can filter by: the audiences, `skipped`, and `unknown`
/// (the session ended before the question, or the kiosk does not ask it).
pub const AUDIENCE_FILTERS: [&str; 10] = [
    "child",
    "youth",
    "adult",
    "senior",
    "family",
    "rural",
    "worker",
    "civil-servant",
    "skipped",
    "unknown",
];

impl ScopeParams {
    /// Parses the query; `today` is the current day in the district's time zone.
    pub fn parse(&self, today: NaiveDate) -> Result<Scope, ScopeError> {
        let date = |text: &Option<String>| -> Result<Option<NaiveDate>, ScopeError> {
            match present(text) {
                None => Ok(None),
                Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| ScopeError::BadDate(cut(text))),
            }
        };
        let last = date(&self.to)?.unwrap_or(today);
        let first = date(&self.from)?.unwrap_or(last - Days::new(DEFAULT_DAYS - 1));
        if last < first {
            return Err(ScopeError::Reversed { first, last });
        }
        let period = Period { first, last };
        if period.days() > MAX_DAYS {
            return Err(ScopeError::TooLong(period.days()));
        }
        let audience = present(&self.audience).map(str::to_owned);
        if let Some(audience) = &audience
            && !AUDIENCE_FILTERS.contains(&audience.as_str())
        {
            return Err(ScopeError::BadAudience(cut(audience)));
        }
        let language = present(&self.language).map(str::to_owned);
        if let Some(language) = &language
            && !kepu_core::i18n::KNOWN_LANGUAGES.contains(&language.as_str())
        {
            return Err(ScopeError::BadLanguage(cut(language)));
        }
        let exhibit = present(&self.exhibit).map(str::to_owned);
        if let Some(exhibit) = &exhibit
            && !kepu_core::manifest::is_identifier(exhibit)
        {
            return Err(ScopeError::BadExhibit(cut(exhibit)));
        }
        Ok(Scope {
            period,
            venue: present(&self.venue).map(str::to_owned),
            kiosk: present(&self.kiosk).map(str::to_owned),
            exhibit,
            audience,
            language,
        })
    }
}

impl Scope {
    /// The same filters over the previous period of the same length.
    pub fn previous(&self) -> Scope {
        Scope {
            period: self.period.previous(),
            ..self.clone()
        }
    }

    /// [`query_string`](Self::query_string) without the exhibit (links from one exhibit to
    /// another, or back to all).
    pub fn query_string_without_exhibit(&self) -> String {
        Scope {
            exhibit: None,
            ..self.clone()
        }
        .query_string()
    }

    /// The query string that selects this scope (for links, CSV downloads and the
    /// previous-period view), in a fixed order.
    pub fn query_string(&self) -> String {
        let mut pairs = vec![
            ("from", self.period.first.to_string()),
            ("to", self.period.last.to_string()),
        ];
        for (key, value) in [
            ("venue", &self.venue),
            ("kiosk", &self.kiosk),
            ("exhibit", &self.exhibit),
            ("audience", &self.audience),
            ("language", &self.language),
        ] {
            if let Some(value) = value {
                pairs.push((key, value.clone()));
            }
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The day it is now in `zone`.
pub fn today(zone: FixedOffset, now_ms: i64) -> NaiveDate {
    zone.timestamp_millis_opt(now_ms)
        .single()
        .map_or(NaiveDate::MIN, |t| t.date_naive())
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A value quoted back to the user, cut short (never a whole pasted payload).
fn cut(text: &str) -> String {
    let mut cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_period_is_the_last_30_days_and_compares_with_the_30_before() {
        let scope = ScopeParams::default().parse(day("2026-12-01")).unwrap();
        assert_eq!(scope.period.first, day("2026-11-02"));
        assert_eq!(scope.period.last, day("2026-12-01"));
        assert_eq!(scope.period.days(), 30);
        let previous = scope.previous().period;
        assert_eq!(
            (previous.first, previous.last),
            (day("2026-10-03"), day("2026-11-01"))
        );
    }

    #[test]
    fn days_are_counted_in_the_district_time_zone() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let period = Period {
            first: day("2026-03-01"),
            last: day("2026-03-01"),
        };
        let (start, end) = period.range_ms(beijing);
        // 2026-03-01 00:00 in Beijing is 2026-02-28 16:00 UTC.
        assert_eq!(start, 1_772_294_400_000);
        assert_eq!(end - start, 86_400_000);
        assert_eq!(today(beijing, start), day("2026-03-01"));
        assert_eq!(today(beijing, start - 1), day("2026-02-28"));
    }

    #[test]
    fn bad_queries_are_refused_with_the_reason() {
        let today = day("2026-12-01");
        let parse = |from: &str, to: &str| {
            ScopeParams {
                from: Some(from.into()),
                to: Some(to.into()),
                ..ScopeParams::default()
            }
            .parse(today)
        };
        assert_eq!(
            parse("2026-13-01", ""),
            Err(ScopeError::BadDate("2026-13-01".into()))
        );
        assert!(matches!(
            parse("2026-12-01", "2026-11-01"),
            Err(ScopeError::Reversed { .. })
        ));
        assert_eq!(
            parse("2020-01-01", "2026-01-01"),
            Err(ScopeError::TooLong(2193))
        );
        assert_eq!(parse("", "").unwrap().period.days(), 30);
        let with = |audience: &str, language: &str, exhibit: &str| ScopeParams {
            audience: Some(audience.into()),
            language: Some(language.into()),
            exhibit: Some(exhibit.into()),
            ..ScopeParams::default()
        };
        assert!(with("senior", "zh", "phone-scams").parse(today).is_ok());
        assert_eq!(
            with("robot", "zh", "").parse(today),
            Err(ScopeError::BadAudience("robot".into()))
        );
        assert_eq!(
            with("", "klingon", "").parse(today),
            Err(ScopeError::BadLanguage("klingon".into()))
        );
        assert!(matches!(
            with("", "", "a b").parse(today),
            Err(ScopeError::BadExhibit(_))
        ));
    }

    #[test]
    fn a_scope_round_trips_through_its_query_string() {
        let scope = ScopeParams {
            from: Some("2026-01-01".into()),
            to: Some("2026-01-31".into()),
            venue: Some("朝阳 Science & Tech".into()),
            audience: Some("senior".into()),
            ..ScopeParams::default()
        }
        .parse(day("2026-12-01"))
        .unwrap();
        assert_eq!(
            scope.query_string(),
            "from=2026-01-01&to=2026-01-31&venue=%E6%9C%9D%E9%98%B3%20Science%20%26%20Tech&audience=senior"
        );
    }
}
