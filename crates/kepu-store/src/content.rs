//! Published content: the exhibits the district's kiosks show, as the server knows them, and
//! the exhibit ids kiosks sent that it does not know; and what the reports need to know of
//! each (`report_exhibits`, `report_questions`: completion targets, question types, estimate
//! ranges), taken from the manifests when they are published.

use crate::rollup::ROLLUP_LOCK;
use crate::sql::{Statement, execute_all};
use crate::{Engine, Store, StoreError, count, with_pool};
use kepu_core::manifest::{ExhibitKind, ExhibitManifest};
use sqlx::{QueryBuilder, Row};
use std::collections::BTreeMap;

/// One exhibit as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedExhibit {
    pub id: String,
    pub kind: String,
    /// `LocalizedText` as JSON (`{"zh": ..., "en": ...}`).
    pub title_json: String,
    pub manifest_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitRecord {
    pub id: String,
    pub kind: String,
    pub title_json: String,
    pub published_at_ms: i64,
    pub retired_at_ms: Option<i64>,
}

/// An exhibit id a kiosk sends that is not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownExhibit {
    pub kiosk: String,
    pub exhibit_id: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub events: u64,
}

/// What the reports know of a published exhibit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportExhibit {
    pub exhibit_id: String,
    pub kind: String,
    /// What a session must reach to have completed it: a story's pages (the last page
    /// viewed), a sort game's items (each in its right bin), a hotspots image's hotspots (each
    /// opened). `None` for a quiz (complete when `quiz_complete` was sent) and a simulation
    /// (open-ended).
    pub completion_target: Option<i64>,
    /// How long the curator means a visit to last.
    pub intended_ms: Option<i64>,
    pub questions: Vec<ReportQuestion>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportQuestion {
    pub question_id: String,
    pub question_type: String,
    /// The science-literacy theme, `""` when none.
    pub theme: String,
    pub estimate_min: Option<f64>,
    pub estimate_max: Option<f64>,
    pub estimate_answer: Option<f64>,
}

impl ReportExhibit {
    pub(crate) fn from_manifest(manifest: &ExhibitManifest) -> Self {
        let len = |n: usize| Some(i64::try_from(n).unwrap_or(i64::MAX));
        let completion_target = match manifest.kind {
            ExhibitKind::Story => len(manifest.pages.len()),
            ExhibitKind::Sort => len(manifest.items.len()),
            ExhibitKind::Hotspots => len(manifest.hotspots.len()),
            ExhibitKind::Quiz | ExhibitKind::Simulation => None,
        };
        let questions = manifest
            .questions
            .iter()
            .map(|question| ReportQuestion {
                question_id: question.id.clone(),
                question_type: serde_json::to_value(question.question_type)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                theme: question
                    .theme
                    .map(|theme| theme.name().to_owned())
                    .unwrap_or_default(),
                estimate_min: question.estimate.as_ref().map(|e| e.min),
                estimate_max: question.estimate.as_ref().map(|e| e.max),
                estimate_answer: question.estimate.as_ref().map(|e| e.answer),
            })
            .collect();
        Self {
            exhibit_id: manifest.id.clone(),
            kind: manifest.kind.name().to_owned(),
            completion_target,
            intended_ms: manifest.intended_secs.map(|secs| i64::from(secs) * 1000),
            questions,
        }
    }
}

/// What of an exhibit's report metadata the atoms depend on: its kind and completion target
/// (the "completed" measure) and its estimates' ranges (the answers' `value:` deciles).
type AtomInputs = (
    String,
    Option<i64>,
    BTreeMap<String, (Option<f64>, Option<f64>)>,
);

fn atom_inputs(exhibit: &ReportExhibit) -> AtomInputs {
    (
        exhibit.kind.clone(),
        exhibit.completion_target,
        exhibit
            .questions
            .iter()
            .map(|q| (q.question_id.clone(), (q.estimate_min, q.estimate_max)))
            .collect(),
    )
}

/// What publishing changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    pub exhibits: u64,
    /// Published before, not in this set: marked retired.
    pub retired: u64,
}

impl Store {
    /// Makes `exhibits` the published set: each is added or updated (and un-retired), every
    /// other published exhibit is marked retired. One transaction. Each manifest's report
    /// metadata is rewritten with it (a retired exhibit's stays, like its statistics); when
    /// that changes what the atoms measure (a completion target, an estimate's range), every
    /// kiosk-hour is queued for a rebuild (`Store::rebuild_dirty_atoms`). A manifest that
    /// cannot be read refuses the whole publish.
    pub async fn publish_exhibits(
        &self,
        exhibits: &[PublishedExhibit],
        now_ms: i64,
    ) -> Result<Published, StoreError> {
        let mut reports = Vec::with_capacity(exhibits.len());
        for exhibit in exhibits {
            let manifest: ExhibitManifest =
                serde_json::from_str(&exhibit.manifest_json).map_err(|err| {
                    StoreError::Manifest {
                        exhibit: exhibit.id.clone(),
                        reason: err.to_string(),
                    }
                })?;
            reports.push(ReportExhibit {
                // The published id is the one events carry.
                exhibit_id: exhibit.id.clone(),
                ..ReportExhibit::from_manifest(&manifest)
            });
        }
        let postgres = self.engine() == Engine::Postgres;
        let result = with_pool!(self, |pool, Db| {
            // Never between a roll-up pass's (or an atom rebuild's) reading of the targets and
            // its commit: a rebuild queued here would otherwise be missed.
            let mut tx = if postgres {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(ROLLUP_LOCK)
                    .execute(&mut *tx)
                    .await?;
                tx
            } else {
                pool.begin_with("BEGIN IMMEDIATE").await?
            };
            let before = {
                let mut before: BTreeMap<String, AtomInputs> = BTreeMap::new();
                for row in
                    sqlx::query("SELECT exhibit_id, kind, completion_target FROM report_exhibits")
                        .fetch_all(&mut *tx)
                        .await?
                {
                    before.insert(
                        row.try_get("exhibit_id")?,
                        (
                            row.try_get("kind")?,
                            row.try_get("completion_target")?,
                            BTreeMap::new(),
                        ),
                    );
                }
                for row in sqlx::query(
                    "SELECT exhibit_id, question_id, estimate_min, estimate_max FROM report_questions",
                )
                .fetch_all(&mut *tx)
                .await?
                {
                    let exhibit: String = row.try_get("exhibit_id")?;
                    if let Some((_, _, questions)) = before.get_mut(&exhibit) {
                        questions.insert(
                            row.try_get("question_id")?,
                            (row.try_get("estimate_min")?, row.try_get("estimate_max")?),
                        );
                    }
                }
                before
            };
            let changed = reports
                .iter()
                .any(|report| before.get(&report.exhibit_id) != Some(&atom_inputs(report)));
            let mut statements = Vec::new();
            for report in &reports {
                let mut upsert = Statement::new(
                    "INSERT INTO report_exhibits (exhibit_id, kind, completion_target, intended_ms)
                     VALUES (",
                );
                upsert
                    .bind(&report.exhibit_id)
                    .push(", ")
                    .bind(&report.kind)
                    .push(", ")
                    .bind(report.completion_target)
                    .push(", ")
                    .bind(report.intended_ms)
                    .push(
                        ") ON CONFLICT (exhibit_id) DO UPDATE SET kind = excluded.kind,
                           completion_target = excluded.completion_target,
                           intended_ms = excluded.intended_ms",
                    );
                statements.push(upsert);
                let mut delete = Statement::new("DELETE FROM report_questions WHERE exhibit_id = ");
                delete.bind(&report.exhibit_id);
                statements.push(delete);
                if !report.questions.is_empty() {
                    let mut insert = Statement::new(
                        "INSERT INTO report_questions (exhibit_id, question_id, question_type,
                             theme, estimate_min, estimate_max, estimate_answer) VALUES ",
                    );
                    insert.rows(&report.questions, |row, q| {
                        row.bind(&report.exhibit_id)
                            .bind(&q.question_id)
                            .bind(&q.question_type)
                            .bind(&q.theme)
                            .bind(q.estimate_min)
                            .bind(q.estimate_max)
                            .bind(q.estimate_answer);
                    });
                    // A manifest with two questions of one id does not validate; should one
                    // come, the first is kept.
                    insert.push(" ON CONFLICT (exhibit_id, question_id) DO NOTHING");
                    statements.push(insert);
                }
            }
            if changed {
                statements.push(Statement::new(
                    "INSERT INTO atoms_dirty (kiosk_id, hour_start_ms)
                     SELECT DISTINCT kiosk_id, start_hour_ms FROM sessions WHERE true
                     ON CONFLICT (kiosk_id, hour_start_ms) DO NOTHING",
                ));
            }
            execute_all!(self.engine(), tx, statements).await?;
            for exhibit in exhibits {
                sqlx::query(
                    "INSERT INTO exhibits (id, kind, title_json, manifest_json, published_at_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,
                         title_json = excluded.title_json, manifest_json = excluded.manifest_json,
                         published_at_ms = excluded.published_at_ms, retired_at_ms = NULL",
                )
                .bind(&exhibit.id)
                .bind(&exhibit.kind)
                .bind(&exhibit.title_json)
                .bind(&exhibit.manifest_json)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
            let mut retire = QueryBuilder::<Db>::new("UPDATE exhibits SET retired_at_ms = ");
            retire.push_bind(now_ms);
            retire.push(" WHERE retired_at_ms IS NULL");
            if !exhibits.is_empty() {
                retire.push(" AND id NOT IN (");
                let mut list = retire.separated(", ");
                for exhibit in exhibits {
                    list.push_bind(exhibit.id.clone());
                }
                retire.push(")");
            }
            let retired = retire.build().execute(&mut *tx).await?.rows_affected();
            // Ids now published are no longer unknown.
            for exhibit in exhibits {
                sqlx::query("DELETE FROM unknown_exhibits WHERE exhibit_id = $1")
                    .bind(&exhibit.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<Published, StoreError>(Published {
                exhibits: exhibits.len() as u64,
                retired,
            })
        })?;
        Ok(result)
    }

    pub async fn list_exhibits(&self) -> Result<Vec<ExhibitRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, title_json, published_at_ms, retired_at_ms
                 FROM exhibits ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, title_json, published_at_ms, retired_at_ms)| ExhibitRecord {
                    id,
                    kind,
                    title_json,
                    published_at_ms,
                    retired_at_ms,
                },
            )
            .collect())
    }

    /// Every kiosk's unknown exhibit ids, most recently seen first.
    pub async fn unknown_exhibits(&self) -> Result<Vec<UnknownExhibit>, StoreError> {
        let rows: Vec<(String, String, i64, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT kiosk_id, exhibit_id, first_seen_ms, last_seen_ms, events
                 FROM unknown_exhibits ORDER BY last_seen_ms DESC, kiosk_id, exhibit_id",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(kiosk, exhibit_id, first_seen_ms, last_seen_ms, events)| UnknownExhibit {
                    kiosk,
                    exhibit_id,
                    first_seen_ms,
                    last_seen_ms,
                    events: count(events),
                },
            )
            .collect())
    }
}
