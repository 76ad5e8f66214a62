//! Reading a report's input from the store: a [`Scope`] (period and filters) becomes the atom
//! queries each report needs, for the period and for the previous one of the same length.
//! What the queries return goes to the pure report functions of [`crate::reports`] unchanged;
//! nothing here computes a figure.

use crate::error::AppError;
use crate::reports::exhibits::{ExhibitsInput, ExhibitsPeriod};
use crate::reports::input::{AtomSum, Count, DurationHistogram};
use crate::reports::overview::{OverviewInput, OverviewPeriod};
use crate::reports::{MinSessions, Names};
use crate::scope::{Period, Scope};
use chrono::{FixedOffset, Offset};
use kepu_core::i18n::LocalizedText;
use kepu_core::manifest::ExhibitManifest;
use kepu_store::Store;
use kepu_store::reports::{AtomTable, Dim, Group, Only, ReportFilter};
use kepu_store::rollup::fold::BUCKETS;
use std::collections::{BTreeMap, HashMap};

/// How reports are made on this server (`server.toml`: `min_sessions`, `utc_offset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSettings {
    /// k: no count resting on fewer sessions is shown (docs/dashboard.md).
    pub min_sessions: MinSessions,
    /// The district's time zone: days and hours of the week are counted in it.
    pub zone: FixedOffset,
}

/// China Standard Time, the district's.
pub const DEFAULT_UTC_OFFSET_S: i32 = 8 * 3600;

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            min_sessions: MinSessions::default(),
            zone: FixedOffset::east_opt(DEFAULT_UTC_OFFSET_S).unwrap_or(chrono::Utc.fix()),
        }
    }
}

impl ReportSettings {
    pub fn offset_ms(&self) -> i64 {
        i64::from(self.zone.local_minus_utc()) * 1000
    }

    pub fn k(&self) -> u32 {
        u32::try_from(self.min_sessions.get()).unwrap_or(u32::MAX)
    }
}

/// One report's view of the store: the filters resolved (venue name → id) once.
pub struct Reader<'a> {
    store: &'a Store,
    settings: ReportSettings,
    scope: &'a Scope,
    venue_id: Option<i64>,
}

impl<'a> Reader<'a> {
    pub async fn new(
        store: &'a Store,
        settings: ReportSettings,
        scope: &'a Scope,
    ) -> Result<Reader<'a>, AppError> {
        let venue_id = match &scope.venue {
            None => None,
            Some(name) => Some(
                store
                    .venue_ids()
                    .await?
                    .into_iter()
                    .find(|(_, venue)| venue == name)
                    .map(|(id, _)| id)
                    .ok_or_else(|| {
                        AppError::NotFound(format!("there is no venue named \"{name}\""))
                    })?,
            ),
        };
        Ok(Reader {
            store,
            settings,
            scope,
            venue_id,
        })
    }

    fn filter(&self, period: &Period, with_exhibit: bool) -> ReportFilter {
        let (from_ms, to_ms) = period.range_ms(self.settings.zone);
        ReportFilter {
            from_ms,
            to_ms,
            venue_id: self.venue_id,
            kiosk_id: self.scope.kiosk.clone(),
            exhibit_id: if with_exhibit {
                self.scope.exhibit.clone()
            } else {
                None
            },
            audience: self
                .scope
                .audience
                .as_deref()
                .map(audience_key)
                .map(str::to_owned),
            language: self.scope.language.clone(),
        }
    }

    async fn sums(
        &self,
        table: AtomTable,
        period: &Period,
        groups: &[Group],
        only: &[Only],
    ) -> Result<Vec<AtomSum>, AppError> {
        let filter = self.filter(period, table.has(Dim::Exhibit));
        let rows = self
            .store
            .atom_sums(table, &filter, groups, only, self.settings.k())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| AtomSum {
                group: row.group,
                adjusted: row.adjusted,
                sessions: row.sessions,
            })
            .collect())
    }

    fn day(&self) -> Group {
        Group::Day {
            utc_offset_ms: self.settings.offset_ms(),
        }
    }

    /// Whether the scope filters by exhibit: session-level figures then count the sessions
    /// that opened it.
    fn by_exhibit(&self) -> bool {
        self.scope.exhibit.is_some()
    }

    /// Sessions grouped by `groups`: of all sessions, or (with an exhibit filter) of those
    /// that opened the exhibit.
    async fn sessions(&self, period: &Period, groups: &[Group]) -> Result<Vec<AtomSum>, AppError> {
        if self.by_exhibit() {
            self.sums(
                AtomTable::Exhibits,
                period,
                groups,
                &[Only::is(Dim::Measure, "opened")],
            )
            .await
        } else {
            self.sums(AtomTable::Sessions, period, groups, &[]).await
        }
    }

    pub async fn overview(&self) -> Result<OverviewInput, AppError> {
        Ok(OverviewInput {
            current: self.overview_period(&self.scope.period).await?,
            previous: self.overview_period(&self.scope.period.previous()).await?,
        })
    }

    async fn overview_period(&self, period: &Period) -> Result<OverviewPeriod, AppError> {
        let hour_of_week = Group::HourOfWeek {
            utc_offset_ms: self.settings.offset_ms(),
        };
        let traits = self
            .sums(
                AtomTable::SessionTraits,
                period,
                &[Group::By(Dim::Trait)],
                &[],
            )
            .await?;
        let trait_rows = |prefix: &str| -> Vec<AtomSum> {
            traits
                .iter()
                .filter_map(|row| {
                    let name = row.group.first()?;
                    let key = name.strip_prefix(prefix)?;
                    Some(AtomSum {
                        group: vec![key.to_owned()],
                        adjusted: row.adjusted,
                        sessions: row.sessions,
                    })
                })
                .collect()
        };
        let one_touch = traits
            .iter()
            .find(|row| row.group.first().map(String::as_str) == Some("one_touch"))
            .map_or(Count::ZERO, |row| Count::new(row.adjusted, row.sessions));
        let lengths = self
            .sums(
                AtomTable::Sessions,
                period,
                &[Group::By(Dim::LengthBucket)],
                &[],
            )
            .await?;
        let mut session_length = DurationHistogram::empty(&[]);
        for row in &lengths {
            if let Some(bucket) = row.group.first().and_then(|b| b.parse::<usize>().ok())
                && bucket < BUCKETS
            {
                session_length.buckets[bucket] = Count::new(row.adjusted, row.sessions);
            }
        }
        let accessibility = ["large_text", "high_contrast", "seated"]
            .into_iter()
            .flat_map(|mode| {
                trait_rows(mode).into_iter().map(move |mut row| {
                    row.group = vec![mode.to_owned()];
                    row
                })
            })
            .collect();
        Ok(OverviewPeriod {
            days: period.each_day().map(|d| d.to_string()).collect(),
            sessions_per_day: self.sessions(period, &[self.day()]).await?,
            hour_of_week: self.sessions(period, &[hour_of_week]).await?,
            session_length,
            one_touch,
            exhibits_per_session: trait_rows("opened:"),
            languages: self.sessions(period, &[Group::By(Dim::Language)]).await?,
            accessibility,
            audiences: self.sessions(period, &[Group::By(Dim::Audience)]).await?,
        })
    }

    pub async fn exhibits(&self, catalog: &Catalog) -> Result<ExhibitsInput, AppError> {
        Ok(ExhibitsInput {
            exhibits: catalog.ids(),
            intended_ms: catalog.intended_ms(),
            without_completion: catalog
                .exhibits
                .iter()
                .filter(|m| m.kind == kepu_core::manifest::ExhibitKind::Simulation)
                .map(|m| m.id.clone())
                .collect(),
            current: self.exhibits_period(&self.scope.period).await?,
            previous: self.exhibits_period(&self.scope.period.previous()).await?,
        })
    }

    async fn exhibits_period(&self, period: &Period) -> Result<ExhibitsPeriod, AppError> {
        let measures = self
            .sums(
                AtomTable::Exhibits,
                period,
                &[Group::By(Dim::Exhibit), Group::By(Dim::Measure)],
                &[],
            )
            .await?;
        let of = |measure: &str| -> Vec<AtomSum> {
            measures
                .iter()
                .filter(|row| row.group.get(1).map(String::as_str) == Some(measure))
                .map(|row| AtomSum {
                    group: vec![row.group[0].clone()],
                    adjusted: row.adjusted,
                    sessions: row.sessions,
                })
                .collect()
        };
        let mut dwell: BTreeMap<String, DurationHistogram> = BTreeMap::new();
        for row in &measures {
            let (Some(exhibit), Some(measure)) = (row.group.first(), row.group.get(1)) else {
                continue;
            };
            if let Some(bucket) = measure
                .strip_prefix("dwell:")
                .and_then(|b| b.parse::<usize>().ok())
                && bucket < BUCKETS
            {
                dwell
                    .entry(exhibit.clone())
                    .or_insert_with(|| DurationHistogram::empty(std::slice::from_ref(exhibit)))
                    .buckets[bucket] = Count::new(row.adjusted, row.sessions);
            }
        }
        let all_sessions = self.sums(AtomTable::Sessions, period, &[], &[]).await?;
        let sessions = all_sessions
            .first()
            .map_or(Count::ZERO, |row| Count::new(row.adjusted, row.sessions));
        let open_hours = self
            .store
            .kiosk_open_hours(&self.filter(period, false))
            .await?
            .into_iter()
            .map(|row| (row.kiosk, row.hours as f64))
            .collect();
        Ok(ExhibitsPeriod {
            sessions,
            opens: of("opened"),
            completions: of("completed"),
            entries: of("entry"),
            exits: of("exit"),
            dwell: dwell.into_values().collect(),
            kiosk_sessions: self
                .sums(AtomTable::Sessions, period, &[Group::By(Dim::Kiosk)], &[])
                .await?,
            kiosk_diligent: self
                .sums(
                    AtomTable::SessionTraits,
                    period,
                    &[Group::By(Dim::Kiosk)],
                    &[Only::is(Dim::Trait, "diligent")],
                )
                .await?,
            open_hours,
        })
    }
}

impl Reader<'_> {
    /// Answers and correct answers per month, audience, theme and question (exhibit and
    /// question id together: question ids are only unique within their quiz).
    pub async fn literacy(&self) -> Result<crate::reports::literacy::LiteracyInput, AppError> {
        let period = &self.scope.period;
        let groups = [
            Group::Month {
                utc_offset_ms: self.settings.offset_ms(),
            },
            Group::By(Dim::Audience),
            Group::By(Dim::Theme),
            Group::By(Dim::Exhibit),
            Group::By(Dim::Question),
            Group::By(Dim::Outcome),
        ];
        let rows = self
            .sums(
                AtomTable::Answers,
                period,
                &groups,
                &[Only::any(Dim::Outcome, &["answered", "correct"])],
            )
            .await?;
        let (mut answered, mut correct) = (Vec::new(), Vec::new());
        for row in rows {
            let [month, audience, theme, exhibit, question, outcome] = match row.group.as_slice() {
                [a, b, c, d, e, f] => [a, b, c, d, e, f],
                _ => continue,
            };
            let sum = AtomSum {
                group: vec![
                    month.clone(),
                    audience.clone(),
                    theme.clone(),
                    format!("{exhibit}/{question}"),
                ],
                adjusted: row.adjusted,
                sessions: row.sessions,
            };
            match outcome.as_str() {
                "answered" => answered.push(sum),
                "correct" => correct.push(sum),
                _ => {}
            }
        }
        Ok(crate::reports::literacy::LiteracyInput {
            themes: kepu_core::manifest::LiteracyTheme::ALL
                .iter()
                .map(|t| t.name().to_owned())
                .collect(),
            audiences: REPORTED_AUDIENCES.iter().map(|a| (*a).to_owned()).collect(),
            months: period
                .months()
                .into_iter()
                .map(|(year, month)| format!("{year:04}-{month:02}"))
                .collect(),
            answered,
            correct,
        })
    }
}

impl Reader<'_> {
    /// One quiz's item analysis input: per audience and question the answers, correct
    /// answers, choices picked, answer times and estimate values, and the item statistics
    /// (sums over sessions) for discrimination.
    pub async fn quiz(
        &self,
        manifest: &ExhibitManifest,
    ) -> Result<crate::reports::quiz::QuizInput, AppError> {
        use crate::reports::quiz::{ChoiceFacts, QuestionFacts};
        use kepu_core::manifest::QuestionType;
        let questions = manifest
            .questions
            .iter()
            .map(|q| QuestionFacts {
                question_id: q.id.clone(),
                choices: match q.question_type {
                    QuestionType::Single | QuestionType::Multiple | QuestionType::ImageChoice => q
                        .choices
                        .iter()
                        .map(|c| ChoiceFacts {
                            choice_id: c.id.clone(),
                            correct: c.correct,
                        })
                        .collect(),
                    QuestionType::TrueFalse => [true, false]
                        .into_iter()
                        .map(|said| ChoiceFacts {
                            choice_id: said.to_string(),
                            correct: q.answer == Some(said),
                        })
                        .collect(),
                    // An ordering's answer names every item: its picks say nothing.
                    QuestionType::Ordering | QuestionType::Estimate => Vec::new(),
                },
                multiple: matches!(
                    q.question_type,
                    QuestionType::Multiple | QuestionType::Ordering
                ),
                estimate: q.question_type == QuestionType::Estimate,
                true_value: q.estimate.as_ref().map(|e| e.answer),
            })
            .collect();
        Ok(crate::reports::quiz::QuizInput {
            exhibit_id: manifest.id.clone(),
            questions,
            audiences: REPORTED_AUDIENCES.iter().map(|a| (*a).to_owned()).collect(),
            current: self.quiz_period(manifest, &self.scope.period).await?,
            previous: self
                .quiz_period(manifest, &self.scope.period.previous())
                .await?,
        })
    }

    async fn quiz_period(
        &self,
        manifest: &ExhibitManifest,
        period: &Period,
    ) -> Result<crate::reports::quiz::QuizPeriod, AppError> {
        use crate::reports::input::{ItemStats, ItemSums, ValueHistogram};
        let mut filter = self.filter(period, true);
        filter.exhibit_id = Some(manifest.id.clone());
        let rows = self
            .store
            .atom_sums(
                AtomTable::Answers,
                &filter,
                &[
                    Group::By(Dim::Audience),
                    Group::By(Dim::Question),
                    Group::By(Dim::Outcome),
                ],
                &[],
                self.settings.k(),
            )
            .await?;
        let mut period_rows = crate::reports::quiz::QuizPeriod::default();
        let mut times: BTreeMap<(String, String), DurationHistogram> = BTreeMap::new();
        let mut values: BTreeMap<(String, String), ValueHistogram> = BTreeMap::new();
        for row in rows {
            let [audience, question, outcome] = match row.group.as_slice() {
                [a, b, c] => [a.clone(), b.clone(), c.clone()],
                _ => continue,
            };
            let count = Count::new(row.adjusted, row.sessions);
            let sum = |group: Vec<String>| AtomSum {
                group,
                adjusted: row.adjusted,
                sessions: row.sessions,
            };
            if outcome == "answered" {
                period_rows.answered.push(sum(vec![audience, question]));
            } else if outcome == "correct" {
                period_rows.correct.push(sum(vec![audience, question]));
            } else if let Some(choice) = outcome.strip_prefix("choice:") {
                period_rows
                    .choices
                    .push(sum(vec![audience, question, choice.to_owned()]));
            } else if let Some(bucket) = outcome
                .strip_prefix("time:")
                .and_then(|b| b.parse::<usize>().ok())
                .filter(|b| *b < BUCKETS)
            {
                let key = (audience.clone(), question.clone());
                times
                    .entry(key)
                    .or_insert_with(|| DurationHistogram::empty(&[audience, question]))
                    .buckets[bucket] = count;
            } else if let Some(bin) = outcome
                .strip_prefix("value:")
                .and_then(|b| b.parse::<usize>().ok())
                .filter(|b| *b < 10)
                && let Some(estimate) = manifest
                    .questions
                    .iter()
                    .find(|q| q.id == question)
                    .and_then(|q| q.estimate.as_ref())
            {
                let key = (audience.clone(), question.clone());
                let histogram = values.entry(key).or_insert_with(|| ValueHistogram {
                    group: vec![audience, question],
                    edges: (0..=10)
                        .map(|i| estimate.min + (estimate.max - estimate.min) * f64::from(i) / 10.0)
                        .collect(),
                    bins: vec![Count::ZERO; 10],
                });
                histogram.bins[bin] = count;
            }
        }
        period_rows.answer_time = times.into_values().collect();
        period_rows.estimates = values.into_values().collect();
        // The item statistics of every audience at once (the filter carries the scope's
        // audience, if it has one), for discrimination.
        period_rows.item_stats = self
            .store
            .quiz_item_stats(&filter, &manifest.id)
            .await?
            .into_iter()
            .map(|row| ItemStats {
                audience: row.audience,
                question: row.question_id,
                sums: ItemSums {
                    answered: row.answered,
                    correct: row.correct,
                    rest: row.rest,
                    rest_squares: row.rest_squares,
                    correct_rest: row.correct_rest,
                },
            })
            .collect();
        Ok(period_rows)
    }
}

/// The quiz report of one exhibit in `scope`.
pub async fn quiz_report(
    state: &crate::AppState,
    scope: &Scope,
    exhibit_id: &str,
    language: &str,
) -> Result<crate::reports::Published<crate::reports::quiz::QuizReport>, AppError> {
    let catalog = Catalog::load(&state.store).await?;
    let manifest = catalog
        .get(exhibit_id)
        .filter(|m| m.kind == kepu_core::manifest::ExhibitKind::Quiz)
        .ok_or_else(|| {
            AppError::NotFound(format!("there is no published quiz \"{exhibit_id}\""))
        })?;
    let input = Reader::new(&state.store, state.reports, scope)
        .await?
        .quiz(manifest)
        .await?;
    let names = CatalogNames {
        catalog: &catalog,
        language,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::quiz::quiz(&privacy, &input, &names)?)
}

impl Reader<'_> {
    async fn funnel_period(
        &self,
        period: &Period,
        venue_of_kiosk: &HashMap<String, String>,
    ) -> Result<crate::reports::funnel::FunnelPeriod, AppError> {
        let mut steps: Vec<AtomSum> = self
            .sums(AtomTable::Sessions, period, &[Group::By(Dim::Venue)], &[])
            .await?
            .into_iter()
            .map(|row| AtomSum {
                group: vec![row.group[0].clone(), "sessions".to_owned()],
                ..row
            })
            .collect();
        let traits = self
            .sums(
                AtomTable::SessionTraits,
                period,
                &[Group::By(Dim::Venue), Group::By(Dim::Trait)],
                &[Only::any(
                    Dim::Trait,
                    &[
                        "opened:1",
                        "opened:2",
                        "opened:3",
                        "opened:4",
                        "opened:5+",
                        "quiz_started",
                        "quiz_completed",
                    ],
                )],
            )
            .await?;
        for row in traits {
            let step = match row.group.get(1).map(String::as_str) {
                // The opened:N traits partition the sessions: those of N ≥ 1 opened one.
                Some(opened) if opened.starts_with("opened:") => "opened_exhibit",
                Some(other) => other,
                None => continue,
            };
            steps.push(AtomSum {
                group: vec![row.group[0].clone(), step.to_owned()],
                adjusted: row.adjusted,
                sessions: row.sessions,
            });
        }
        let mut open_hours: BTreeMap<String, f64> = BTreeMap::new();
        for row in self
            .store
            .kiosk_open_hours(&self.filter(period, false))
            .await?
        {
            if let Some(venue) = venue_of_kiosk.get(&row.kiosk) {
                *open_hours.entry(venue.clone()).or_default() += row.hours as f64;
            }
        }
        Ok(crate::reports::funnel::FunnelPeriod { steps, open_hours })
    }
}

/// The funnel report of `scope`, per venue.
pub async fn funnel_report(
    state: &crate::AppState,
    scope: &Scope,
) -> Result<crate::reports::Published<crate::reports::funnel::FunnelReport>, AppError> {
    let venues = state.store.venue_ids().await?;
    let id_of: HashMap<String, String> = venues
        .iter()
        .map(|(id, name)| (name.clone(), id.to_string()))
        .collect();
    let venue_of_kiosk: HashMap<String, String> = state
        .store
        .list_kiosks()
        .await?
        .into_iter()
        .filter_map(|k| Some((k.name, id_of.get(&k.venue?)?.clone())))
        .collect();
    let reader = Reader::new(&state.store, state.reports, scope).await?;
    let input = crate::reports::funnel::FunnelInput {
        venues: venues
            .iter()
            .filter(|(id, _)| reader.venue_id.is_none_or(|only| only == *id))
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        current: reader.funnel_period(&scope.period, &venue_of_kiosk).await?,
        previous: reader
            .funnel_period(&scope.period.previous(), &venue_of_kiosk)
            .await?,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::funnel::funnel(&privacy, &input)?)
}

/// The sort report of one exhibit in `scope`.
pub async fn sort_report(
    state: &crate::AppState,
    scope: &Scope,
    exhibit_id: &str,
    language: &str,
) -> Result<crate::reports::Published<crate::reports::sort::SortReport>, AppError> {
    let catalog = Catalog::load(&state.store).await?;
    let manifest = catalog
        .get(exhibit_id)
        .filter(|m| m.kind == kepu_core::manifest::ExhibitKind::Sort)
        .ok_or_else(|| {
            AppError::NotFound(format!("there is no published sort game \"{exhibit_id}\""))
        })?;
    let reader = Reader::new(&state.store, state.reports, scope).await?;
    let placements = reader
        .sums(
            AtomTable::Placements,
            &scope.period,
            &[Group::By(Dim::Item), Group::By(Dim::Bin)],
            &[Only::is(Dim::Exhibit, exhibit_id)],
        )
        .await?;
    let input = crate::reports::sort::SortInput {
        exhibit_id: exhibit_id.to_owned(),
        bins: manifest.bins.iter().map(|b| b.id.clone()).collect(),
        items: manifest
            .items
            .iter()
            .map(|i| (i.id.clone(), i.bin.clone()))
            .collect(),
        placements,
    };
    let names = CatalogNames {
        catalog: &catalog,
        language,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::sort::sort(&privacy, &input, &names)?)
}

/// The audiences reports put side by side (the rest count in "all" only).
pub const REPORTED_AUDIENCES: [&str; 8] = [
    "child",
    "youth",
    "adult",
    "senior",
    "family",
    "rural",
    "worker",
    "civil-servant",
];

/// The literacy report of `scope`, named in `language`.
pub async fn literacy_report(
    state: &crate::AppState,
    scope: &Scope,
    language: &str,
) -> Result<crate::reports::Published<crate::reports::literacy::LiteracyReport>, AppError> {
    let catalog = Catalog::load(&state.store).await?;
    let input = Reader::new(&state.store, state.reports, scope)
        .await?
        .literacy()
        .await?;
    let names = CatalogNames {
        catalog: &catalog,
        language,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::literacy::literacy(
        &privacy, &input, &names,
    )?)
}

/// The stored "I am a..." key of a filter value: `unknown` is the empty key (no answer).
fn audience_key(filter: &str) -> &str {
    if filter == "unknown" { "" } else { filter }
}

/// The published exhibits, for names and measures (titles, questions, intended lengths).
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub exhibits: Vec<ExhibitManifest>,
}

impl Catalog {
    pub async fn load(store: &Store) -> Result<Catalog, AppError> {
        let mut exhibits: Vec<ExhibitManifest> = store
            .published_manifests()
            .await?
            .into_iter()
            .filter_map(|json| match serde_json::from_str(&json) {
                Ok(manifest) => Some(manifest),
                Err(err) => {
                    tracing::warn!(error = %err, "a published manifest cannot be read back");
                    None
                }
            })
            .collect();
        exhibits.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { exhibits })
    }

    pub fn ids(&self) -> Vec<String> {
        self.exhibits.iter().map(|m| m.id.clone()).collect()
    }

    pub fn intended_ms(&self) -> BTreeMap<String, u64> {
        self.exhibits
            .iter()
            .filter_map(|m| Some((m.id.clone(), u64::from(m.intended_secs?) * 1000)))
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&ExhibitManifest> {
        self.exhibits.iter().find(|m| m.id == id)
    }

    pub fn by_id(&self) -> HashMap<String, ExhibitManifest> {
        self.exhibits
            .iter()
            .map(|m| (m.id.clone(), m.clone()))
            .collect()
    }
}

/// Names in the staff member's language, from the published manifests and the dashboard's
/// own phrases.
pub struct CatalogNames<'a> {
    pub catalog: &'a Catalog,
    /// `zh` or `en`.
    pub language: &'a str,
}

impl CatalogNames<'_> {
    fn text(&self, text: &LocalizedText) -> Option<String> {
        let shown = text.get(self.language, &["zh".to_owned(), "en".to_owned()]);
        (!shown.is_empty()).then(|| shown.to_owned())
    }

    fn zh(&self) -> bool {
        self.language == "zh"
    }
}

impl Names for CatalogNames<'_> {
    fn exhibit(&self, exhibit: &str) -> Option<String> {
        self.text(&self.catalog.get(exhibit)?.title)
    }

    fn question(&self, exhibit: &str, question: &str) -> Option<String> {
        let manifest = self.catalog.get(exhibit)?;
        let question = manifest.questions.iter().find(|q| q.id == question)?;
        self.text(&question.prompt)
    }

    fn choice(&self, exhibit: &str, question: &str, choice: &str) -> Option<String> {
        let manifest = self.catalog.get(exhibit)?;
        let question = manifest.questions.iter().find(|q| q.id == question)?;
        if let Some(c) = question.choices.iter().find(|c| c.id == choice) {
            return self.text(&c.label);
        }
        match choice {
            "true" => Some(if self.zh() { "对" } else { "True" }.to_owned()),
            "false" => Some(if self.zh() { "错" } else { "False" }.to_owned()),
            _ => None,
        }
    }

    fn sort_item(&self, exhibit: &str, item: &str) -> Option<String> {
        let manifest = self.catalog.get(exhibit)?;
        self.text(&manifest.items.iter().find(|i| i.id == item)?.label)
    }

    fn bin(&self, exhibit: &str, bin: &str) -> Option<String> {
        let manifest = self.catalog.get(exhibit)?;
        self.text(&manifest.bins.iter().find(|b| b.id == bin)?.label)
    }

    fn theme(&self, theme: &str) -> Option<String> {
        let theme = kepu_core::manifest::LiteracyTheme::from_name(theme)?;
        Some(theme.label(self.language).to_owned())
    }

    fn audience(&self, audience: &str) -> Option<String> {
        let (zh, en) = match audience {
            "child" => ("儿童", "Child"),
            "youth" => ("青少年", "Youth"),
            "adult" => ("成人", "Adult"),
            "senior" => ("老年人", "Senior"),
            "family" => ("家庭", "Family"),
            "rural" => ("农村居民", "Rural resident"),
            "worker" => ("产业工人", "Worker"),
            "civil-servant" => ("公务员", "Civil servant"),
            "skipped" => ("跳过", "Skipped"),
            "" => ("未回答", "No answer"),
            _ => return None,
        };
        Some(if self.zh() { zh } else { en }.to_owned())
    }

    fn language(&self, language: &str) -> Option<String> {
        let (zh, en) = match language {
            "zh" => ("中文", "Chinese"),
            "en" => ("英文", "English"),
            "" => ("未知", "Unknown"),
            _ => return None,
        };
        Some(if self.zh() { zh } else { en }.to_owned())
    }

    fn accessibility_mode(&self, mode: &str) -> Option<String> {
        let (zh, en) = match mode {
            "large_text" => ("大字", "Large text"),
            "high_contrast" => ("高对比度", "High contrast"),
            "seated" => ("坐姿操作", "Seated"),
            _ => return None,
        };
        Some(if self.zh() { zh } else { en }.to_owned())
    }
}

/// The scope of a request: its query parsed against today in the district's time zone.
pub fn scope_of(
    params: &crate::scope::ScopeParams,
    settings: &ReportSettings,
) -> Result<Scope, AppError> {
    let today = crate::scope::today(settings.zone, kepu_core::now_unix_ms());
    params
        .parse(today)
        .map_err(|err| AppError::BadRequest(err.to_string()))
}

/// The overview report of `scope`, named in `language`.
pub async fn overview_report(
    state: &crate::AppState,
    scope: &Scope,
    language: &str,
) -> Result<crate::reports::Published<crate::reports::overview::OverviewReport>, AppError> {
    let catalog = Catalog::load(&state.store).await?;
    let input = Reader::new(&state.store, state.reports, scope)
        .await?
        .overview()
        .await?;
    let names = CatalogNames {
        catalog: &catalog,
        language,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::overview::overview(
        &privacy, &input, &names,
    )?)
}

/// The exhibits report of `scope`, named in `language`.
pub async fn exhibits_report(
    state: &crate::AppState,
    scope: &Scope,
    language: &str,
) -> Result<crate::reports::Published<crate::reports::exhibits::ExhibitsReport>, AppError> {
    let catalog = Catalog::load(&state.store).await?;
    let input = Reader::new(&state.store, state.reports, scope)
        .await?
        .exhibits(&catalog)
        .await?;
    let names = CatalogNames {
        catalog: &catalog,
        language,
    };
    let privacy = crate::reports::Suppression::new(state.reports.min_sessions);
    Ok(crate::reports::exhibits::exhibits(
        &privacy, &input, &names,
    )?)
}

/// A kiosk without a heartbeat for this long is offline (its heartbeat comes every few
/// minutes).
pub const OFFLINE_AFTER_MS: i64 = 15 * 60 * 1000;

/// Kiosk health: about machines, not visitors, so shown as it is (no suppression).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct KioskHealthReport {
    /// Offline kiosks first, then by venue and name.
    pub kiosks: Vec<KioskHealthLine>,
    pub offline: usize,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct KioskHealthLine {
    pub kiosk: String,
    pub venue: Option<String>,
    /// No heartbeat for 15 minutes (or never one), and not revoked.
    pub offline: bool,
    pub revoked: bool,
    /// Its clock was found wrong (events counted at their arrival).
    pub clock_wrong: bool,
    pub last_seen_at_ms: Option<i64>,
    pub last_heartbeat_at_ms: Option<i64>,
    pub version: Option<String>,
    pub outbox_backlog: Option<u64>,
    pub held_in_memory: Option<u64>,
    pub dropped_events: Option<u64>,
    pub refused_events: Option<u64>,
    pub exhibits_loaded: Option<u32>,
    pub exhibits_failed: Option<u32>,
    pub storage_error: Option<String>,
    pub unknown_exhibit_ids: Vec<String>,
}

pub async fn kiosk_health_report(
    state: &crate::AppState,
    now_ms: i64,
) -> Result<KioskHealthReport, AppError> {
    let mut kiosks: Vec<KioskHealthLine> = state
        .store
        .kiosk_health()
        .await?
        .into_iter()
        .map(|row| {
            let health = row.health();
            let revoked = row.revoked();
            KioskHealthLine {
                offline: !revoked
                    && row
                        .last_heartbeat_at_ms
                        .is_none_or(|at| now_ms.saturating_sub(at) > OFFLINE_AFTER_MS),
                revoked,
                clock_wrong: row.clock_untrusted(),
                last_seen_at_ms: row.last_seen_at_ms,
                last_heartbeat_at_ms: row.last_heartbeat_at_ms,
                version: row.app_version.clone(),
                outbox_backlog: health.as_ref().map(|h| h.outbox_backlog),
                held_in_memory: health.as_ref().map(|h| h.held_in_memory),
                dropped_events: health.as_ref().map(|h| h.dropped_events),
                refused_events: health.as_ref().map(|h| h.refused_events),
                exhibits_loaded: health.as_ref().map(|h| h.exhibits_loaded),
                exhibits_failed: health.as_ref().map(|h| h.exhibits_failed),
                storage_error: health
                    .as_ref()
                    .and_then(|h| h.storage_error)
                    .and_then(|code| serde_json::to_value(code).ok())
                    .and_then(|v| v.as_str().map(str::to_owned)),
                unknown_exhibit_ids: row.unknown_exhibit_ids.clone(),
                kiosk: row.kiosk,
                venue: row.venue,
            }
        })
        .collect();
    kiosks.sort_by(|a, b| (!a.offline, &a.venue, &a.kiosk).cmp(&(!b.offline, &b.venue, &b.kiosk)));
    let offline = kiosks.iter().filter(|k| k.offline).count();
    Ok(KioskHealthReport { kiosks, offline })
}
