//! Today's local numbers for the staff panel: sessions, exhibits opened, quiz answers,
//! counted from the events this kiosk recorded since midnight.

use crate::engagement::Track;
use bevy::prelude::*;
use kepu_core::wire::EventKind;
use std::collections::BTreeMap;

/// Today's local numbers, counted from the events this kiosk recorded since midnight (or since
/// it started, if later). They are counts only: nothing about any one visitor.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct TodayNumbers {
    pub day: Option<chrono::NaiveDate>,
    pub sessions: u32,
    /// Sessions started in each hour of the day (local time).
    pub sessions_by_hour: [u32; 24],
    pub exhibit_opens: BTreeMap<String, u32>,
    /// Per quiz: (answers, right answers).
    pub quiz_answers: BTreeMap<String, (u32, u32)>,
}

impl TodayNumbers {
    /// Counts one event that happened at `at` (local time).
    pub fn count(&mut self, event: &EventKind, at: chrono::NaiveDateTime) {
        use chrono::Timelike;
        let day = at.date();
        if self.day != Some(day) {
            *self = Self {
                day: Some(day),
                ..Self::default()
            };
        }
        match event {
            EventKind::SessionStart { .. } => {
                self.sessions += 1;
                self.sessions_by_hour[at.hour() as usize % 24] += 1;
            }
            EventKind::ExhibitOpen { exhibit_id } => {
                *self.exhibit_opens.entry(exhibit_id.clone()).or_default() += 1;
            }
            EventKind::QuizAnswer {
                exhibit_id,
                correct,
                ..
            } => {
                let entry = self.quiz_answers.entry(exhibit_id.clone()).or_default();
                entry.0 += 1;
                entry.1 += u32::from(*correct);
            }
            _ => {}
        }
    }

    /// The most opened exhibits, most first.
    pub fn top_exhibits(&self, n: usize) -> Vec<(&str, u32)> {
        let mut opens: Vec<(&str, u32)> = self
            .exhibit_opens
            .iter()
            .map(|(id, count)| (id.as_str(), *count))
            .collect();
        opens.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        opens.truncate(n);
        opens
    }
}

pub(super) fn count_today(mut tracked: MessageReader<Track>, mut today: ResMut<TodayNumbers>) {
    let now = chrono::Local::now().naive_local();
    for track in tracked.read() {
        today.count(&track.event, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_counts_reset_at_midnight() {
        let at = |day: u32, hour: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, day)
                .and_then(|d| d.and_hms_opt(hour, 5, 0))
                .unwrap()
        };
        let mut today = TodayNumbers::default();
        let start = EventKind::SessionStart {
            language: "zh".into(),
            modes: Default::default(),
        };
        let open = |id: &str| EventKind::ExhibitOpen {
            exhibit_id: id.into(),
        };
        today.count(&start, at(28, 23));
        today.count(&start, at(29, 9));
        today.count(&open("b"), at(29, 9));
        today.count(&open("a"), at(29, 9));
        today.count(&open("b"), at(29, 10));
        today.count(&start, at(29, 10));
        assert_eq!(today.sessions, 2, "yesterday's session is not today's");
        assert_eq!(today.sessions_by_hour[9], 1);
        assert_eq!(today.sessions_by_hour[10], 1);
        assert_eq!(today.top_exhibits(5), vec![("b", 2), ("a", 1)]);
    }
}
