//! For tests only (feature `testing`): fresh databases on either engine, and queries that
//! check delivery (arrival order, roll-up totals) without going through a report.

use crate::{Engine, Location, OpenOptions, Store, StoreError, with_pool};
use std::collections::BTreeMap;

/// (hour, kiosk, exhibit, event type) → (events, correct).
pub type HourTotals = BTreeMap<(i64, String, String, String), (u64, u64)>;

/// The PostgreSQL server tests create their databases on: a URL with the right to create
/// databases, e.g. `postgres://kepu:kepu@127.0.0.1:5432/postgres` (scripts/test.sh starts one
/// and sets it).
pub const POSTGRES_URL_VAR: &str = "KEPU_TEST_POSTGRES_URL";

/// A database of its own for one test, deleted (SQLite file) or left behind to be dropped with
/// the cluster (PostgreSQL: named `kepu_test_<uuid>`) when the test ends.
pub struct TestDb {
    pub store: Store,
    /// What `--database` would be given to reach it (for starting a server process on it).
    pub location: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, migrated database on `engine`. PostgreSQL needs [`POSTGRES_URL_VAR`]: without
    /// it this panics with instructions, so a missing PostgreSQL fails a run instead of
    /// silently testing one engine.
    pub async fn fresh(engine: Engine) -> Result<Self, StoreError> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().map_err(|err| StoreError::Open {
                    location: "a temporary folder".into(),
                    source: sqlx::Error::Io(err),
                })?;
                let path = dir.path().join("server.sqlite3");
                let location = Location::SqliteFile(path.clone());
                let store = crate::open(&location, &OpenOptions::default()).await?;
                Ok(Self {
                    store,
                    location: path.display().to_string(),
                    _dir: Some(dir),
                })
            }
            Engine::Postgres => {
                let url = fresh_postgres_database().await?;
                let store =
                    crate::open(&Location::Postgres(url.clone()), &OpenOptions::default()).await?;
                Ok(Self {
                    store,
                    location: url,
                    _dir: None,
                })
            }
        }
    }
}

/// Creates an empty database named `kepu_test_<uuid>` and returns its URL.
pub async fn fresh_postgres_database() -> Result<String, StoreError> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        panic!(
            "{POSTGRES_URL_VAR} is not set: the server's tests run on PostgreSQL too. Run \
             scripts/test.sh (it starts PostgreSQL and sets it), or set it to a URL that may \
             create databases, e.g. postgres://kepu:kepu@127.0.0.1:5432/postgres"
        );
    };
    let name = format!("kepu_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .map_err(|source| StoreError::Open {
            location: crate::redact_password(&admin_url),
            source,
        })?;
    // A name made here of hex digits: nothing to quote.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(replace_database(&admin_url, &name))
}

/// The same server and credentials, another database.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// One stored event, as [`Store::arrivals`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub id: String,
    pub boot_id: String,
    pub seq: u64,
}

impl Store {
    /// Stores events as the server does for a kiosk with a working clock, received at
    /// `received_at_ms`; returns how many were new.
    pub async fn insert_trusted_events(
        &self,
        events: &[kepu_core::wire::EngagementEvent],
        received_at_ms: i64,
    ) -> Result<u64, StoreError> {
        let bodies: Vec<String> = events
            .iter()
            .map(|event| serde_json::to_string(event).unwrap_or_default())
            .collect();
        let rows: Vec<crate::events::EventToStore<'_>> = events
            .iter()
            .zip(&bodies)
            .map(|(event, body)| crate::events::EventToStore {
                event,
                occurred_at_ms: event.occurred_at_ms,
                occurred_at_trusted: true,
                body,
            })
            .collect();
        self.insert_events(&rows, received_at_ms).await
    }

    /// A kiosk's stored events in the order they arrived: for checking delivery (order, gaps,
    /// duplicates) after an outage.
    pub async fn arrivals(&self, kiosk_id: &str) -> Result<Vec<Arrival>, StoreError> {
        let rows: Vec<(String, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, boot_id, seq FROM events WHERE kiosk_id = $1 ORDER BY arrival",
            )
            .bind(kiosk_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, boot_id, seq)| Arrival {
                id,
                boot_id,
                seq: crate::count(seq),
            })
            .collect())
    }

    /// How many events a kiosk's stored roll-ups count.
    pub async fn rolled_up_events(&self, kiosk_id: &str) -> Result<u64, StoreError> {
        let total: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM rollups WHERE kiosk_id = $1",
            )
            .bind(kiosk_id)
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(total))
    }

    /// Rows in each table a request could have written to: for "nothing stored" checks.
    pub async fn stored_rows(&self) -> Result<u64, StoreError> {
        let total: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST((SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM rollups) AS BIGINT)",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(total))
    }
}

impl Store {
    /// The hourly roll-ups summed over audience and language.
    pub async fn hourly_totals(&self) -> Result<HourTotals, StoreError> {
        self.totals(
            "SELECT hour_start_ms, kiosk_id, exhibit_id, event_type,
                    CAST(SUM(events) AS BIGINT), CAST(SUM(correct) AS BIGINT)
             FROM hourly_events GROUP BY hour_start_ms, kiosk_id, exhibit_id, event_type",
        )
        .await
    }

    /// The same totals counted straight from the raw events and the kiosks' roll-ups.
    pub async fn recount_from_raw(&self) -> Result<HourTotals, StoreError> {
        let mut totals = self
            .totals(
                "SELECT (occurred_at_ms / 3600000) * 3600000, kiosk_id, COALESCE(exhibit_id, ''),
                        event_type, CAST(COUNT(*) AS BIGINT), CAST(SUM(COALESCE(correct, 0)) AS BIGINT)
                 FROM events
                 GROUP BY (occurred_at_ms / 3600000) * 3600000, kiosk_id, COALESCE(exhibit_id, ''), event_type",
            )
            .await?;
        let kiosk = self
            .totals(
                "SELECT hour_start_ms, kiosk_id, COALESCE(exhibit_id, ''), event_type,
                        CAST(SUM(count) AS BIGINT), CAST(SUM(correct) AS BIGINT)
                 FROM rollups GROUP BY hour_start_ms, kiosk_id, COALESCE(exhibit_id, ''), event_type",
            )
            .await?;
        for (key, (events, correct)) in kiosk {
            let entry = totals.entry(key).or_default();
            entry.0 += events;
            entry.1 += correct;
        }
        Ok(totals)
    }

    async fn totals(&self, sql: &str) -> Result<HourTotals, StoreError> {
        let rows: Vec<(i64, String, String, String, i64, i64)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(hour, kiosk, exhibit, kind, events, correct)| {
                (
                    (hour, kiosk, exhibit, kind),
                    (crate::count(events), crate::count(correct)),
                )
            })
            .collect())
    }

    /// (language, audience, event type) → events, from the hourly roll-ups.
    pub async fn totals_by_visitor(
        &self,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        self.keyed_sums(
            "SELECT language, audience, event_type, CAST(SUM(events) AS BIGINT)
             FROM hourly_events GROUP BY language, audience, event_type",
        )
        .await
    }

    /// (event type, element, choice) → count, from the hourly details.
    pub async fn detail_totals(
        &self,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        self.keyed_sums(
            "SELECT event_type, element, choice, CAST(SUM(count) AS BIGINT)
             FROM hourly_details WHERE event_type <> 'simulation_summary'
             GROUP BY event_type, element, choice",
        )
        .await
    }

    async fn keyed_sums(
        &self,
        sql: &str,
    ) -> Result<BTreeMap<(String, String, String), u64>, StoreError> {
        let rows: Vec<(String, String, String, i64)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(a, b, c, n)| ((a, b, c), crate::count(n)))
            .collect())
    }

    /// Visitor sessions the roll-up has recorded.
    pub async fn session_rows(&self) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sessions")
                .fetch_one(pool)
                .await
        })?;
        Ok(crate::count(n))
    }
}

/// An exhibit to publish from its manifest as JSON (`id`, `kind` and `title` taken from it).
pub fn to_publish(manifest: serde_json::Value) -> crate::content::PublishedExhibit {
    let text = |key: &str| manifest[key].as_str().unwrap_or_default().to_owned();
    crate::content::PublishedExhibit {
        id: text("id"),
        kind: text("kind"),
        title_json: manifest["title"].to_string(),
        manifest_json: manifest.to_string(),
    }
}

/// One atom: (table, hour, kiosk, venue, audience, language, the table's own dimensions as
/// text).
pub type AtomKey = (String, i64, String, i64, String, String, Vec<String>);
/// Every atom → (sessions, sum of record keys).
pub type Atoms = BTreeMap<AtomKey, (u64, i64)>;

/// Each atom table and its own dimensions (as text).
const ATOM_DIMS: [(&str, &[&str]); 5] = [
    ("atom_sessions", &["CAST(length_bucket AS TEXT)"]),
    ("atom_session_traits", &["trait"]),
    ("atom_exhibits", &["exhibit_id", "measure"]),
    ("atom_answers", &["exhibit_id", "question_id", "outcome"]),
    ("atom_placements", &["exhibit_id", "item_id", "bin_id"]),
];

impl Store {
    /// The report sums made: (rows in all the sum tables, months listed as made).
    pub async fn report_sums_rows(&self) -> Result<(u64, u64), StoreError> {
        let mut rows = 0i64;
        for table in [
            "sum_sessions",
            "sum_session_traits",
            "sum_exhibits",
            "sum_answers",
            "sum_placements",
            "sum_item_stats",
            "sum_open_hours",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = with_pool!(self, |pool| {
                sqlx::query_scalar(&sql).fetch_one(pool).await
            })?;
            rows += n;
        }
        let months: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM report_sums_months")
                .fetch_one(pool)
                .await
        })?;
        Ok((crate::count(rows), crate::count(months)))
    }

    /// Every stored atom.
    pub async fn stored_atoms(&self) -> Result<Atoms, StoreError> {
        use sqlx::Row;
        let mut atoms = Atoms::new();
        for (table, dims) in ATOM_DIMS {
            let sql = format!(
                "SELECT hour_start_ms, kiosk_id, venue_id, audience, language, {}, sessions,
                        record_keys FROM {table}",
                dims.join(", ")
            );
            let rows: Vec<(AtomKey, (u64, i64))> = with_pool!(self, |pool| {
                let rows = sqlx::query(&sql).fetch_all(pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut own = Vec::with_capacity(dims.len());
                    for i in 0..dims.len() {
                        own.push(row.try_get::<String, _>(5 + i)?);
                    }
                    out.push((
                        (
                            table.to_owned(),
                            row.try_get(0)?,
                            row.try_get(1)?,
                            row.try_get(2)?,
                            row.try_get(3)?,
                            row.try_get(4)?,
                            own,
                        ),
                        (
                            crate::count(row.try_get(5 + dims.len())?),
                            row.try_get(6 + dims.len())?,
                        ),
                    ));
                }
                Ok::<_, sqlx::Error>(out)
            })?;
            atoms.extend(rows);
        }
        Ok(atoms)
    }

    /// Stores the record keys' secret before anything drew one, so that a test gets the same
    /// record keys (and so the same adjusted atoms) every run. Fails if one is stored already.
    pub async fn set_report_secret(&self, secret: &str) -> Result<(), StoreError> {
        let stored = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO report_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(secret)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        if stored == 0 {
            return Err(StoreError::Conflict("a report secret is stored already"));
        }
        Ok(())
    }

    /// Leaves the sessions as the migration that added record keys found those stored before
    /// it: no record key, no atoms, every kiosk-hour queued for a rebuild. (A store opened
    /// afresh on the database then backfills the keys before it builds an atom.)
    pub async fn forget_record_keys(&self) -> Result<(), StoreError> {
        let mut statements = vec!["UPDATE sessions SET record_key = NULL".to_owned()];
        statements.extend(ATOM_DIMS.map(|(table, _)| format!("DELETE FROM {table}")));
        statements.push(
            "INSERT INTO atoms_dirty (kiosk_id, hour_start_ms)
             SELECT DISTINCT kiosk_id, start_hour_ms FROM sessions WHERE true
             ON CONFLICT (kiosk_id, hour_start_ms) DO NOTHING"
                .to_owned(),
        );
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for sql in &statements {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Leaves the atoms as a server before the quiz traits stored them (no `quiz_started` or
    /// `quiz_completed` atom), then runs the migration that added the traits, as shipped for
    /// this engine: it queues the kiosk-hours whose atoms gain them.
    pub async fn forget_quiz_traits(&self) -> Result<(), StoreError> {
        let migration = match self.engine() {
            Engine::Sqlite => include_str!("../migrations/sqlite/0008_quiz_traits.sql"),
            Engine::Postgres => include_str!("../migrations/postgres/0007_quiz_traits.sql"),
        };
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM atom_session_traits WHERE trait IN ('quiz_started', 'quiz_completed')",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::raw_sql(migration).execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Sessions without a record key.
    pub async fn sessions_without_record_key(&self) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE record_key IS NULL",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok(crate::count(n))
    }

    /// Kiosk-hours waiting in `atoms_dirty`.
    pub async fn atoms_waiting(&self) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM atoms_dirty")
                .fetch_one(pool)
                .await
        })?;
        Ok(crate::count(n))
    }

    /// Rebuilds every queued kiosk-hour.
    pub async fn rebuild_all_dirty_atoms(&self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let rebuilt = self.rebuild_dirty_atoms(100).await?;
            total += rebuilt;
            if rebuilt < 100 {
                return Ok(total);
            }
        }
    }

    /// The atoms counted straight from the raw events (an independent replay of each
    /// session, in its kiosk's `seq` order), the kiosks' venues and the report metadata.
    pub async fn recount_atoms_from_raw(&self) -> Result<Atoms, StoreError> {
        let events: Vec<(i64, String)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT occurred_at_ms, body FROM events")
                .fetch_all(pool)
                .await
        })?;
        let venues: Vec<(String, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT id, venue_id FROM kiosks")
                .fetch_all(pool)
                .await
        })?;
        let targets: Vec<(String, String, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT exhibit_id, kind, completion_target FROM report_exhibits")
                .fetch_all(pool)
                .await
        })?;
        let ranges: Vec<(String, String, Option<f64>, Option<f64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT exhibit_id, question_id, estimate_min, estimate_max FROM report_questions",
            )
            .fetch_all(pool)
            .await
        })?;
        let secret = self.report_secret().await?;
        let events: Vec<(i64, kepu_core::wire::EngagementEvent)> = events
            .into_iter()
            .filter_map(|(at, body)| Some((at, serde_json::from_str(&body).ok()?)))
            .collect();
        Ok(replay::atoms(
            &events,
            &venues
                .into_iter()
                .map(|(kiosk, venue)| (kiosk, venue.unwrap_or(0)))
                .collect(),
            &targets
                .into_iter()
                .map(|(exhibit, kind, target)| (exhibit, (kind, target)))
                .collect(),
            &ranges
                .into_iter()
                .map(|(exhibit, question, min, max)| ((exhibit, question), (min, max)))
                .collect(),
            &secret,
        ))
    }
}

/// The independent replay behind [`Store::recount_atoms_from_raw`]: written from
/// docs/dashboard.md's definitions, sharing nothing with the roll-up but the bucket bounds
/// and the record-key function.
mod replay {
    use super::{AtomKey, Atoms};
    use crate::rollup::fold::{duration_bucket, hour_of, record_key};
    use kepu_core::wire::{EngagementEvent, EventKind};
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    #[derive(Default)]
    struct AtExhibit {
        opens: u64,
        closes: u64,
        dwell_ms: u64,
        max_page: u32,
        answered: u64,
        completed: u64,
        right_items: BTreeSet<String>,
        hotspots: BTreeSet<String>,
    }

    struct Answer {
        correct: bool,
        choices: BTreeSet<String>,
        value: Option<f64>,
        answer_ms: u64,
    }

    pub(super) fn atoms(
        events: &[(i64, EngagementEvent)],
        venues: &HashMap<String, i64>,
        targets: &HashMap<String, (String, Option<i64>)>,
        ranges: &HashMap<(String, String), (Option<f64>, Option<f64>)>,
        secret: &str,
    ) -> Atoms {
        // The exhibits on show per kiosk and hour (the most any heartbeat said).
        let mut loaded: BTreeMap<(String, i64), u64> = BTreeMap::new();
        let mut sessions: BTreeMap<String, Vec<(u64, i64, &EngagementEvent)>> = BTreeMap::new();
        for (at, event) in events {
            match (&event.session_id, &event.event) {
                (Some(id), _) => sessions
                    .entry(id.to_string())
                    .or_default()
                    .push((event.seq, *at, event)),
                (None, EventKind::KioskHeartbeat(health)) => {
                    let n = loaded
                        .entry((event.kiosk_id.clone(), hour_of(*at)))
                        .or_default();
                    *n = (*n).max(u64::from(health.exhibits_loaded));
                }
                (None, _) => {}
            }
        }
        let mut atoms = Atoms::new();
        for (id, mut list) in sessions {
            list.sort_by_key(|(seq, _, _)| *seq);
            let first = list[0];
            let kiosk = first.2.kiosk_id.clone();
            let hour = hour_of(first.1);
            let (mut audience, mut language) = (String::new(), String::new());
            let (mut large, mut contrast, mut seated) = (false, false, false);
            let (mut ended, mut duration) = (false, 0);
            let (mut entry, mut exit) = (String::new(), String::new());
            let mut at: BTreeMap<String, AtExhibit> = BTreeMap::new();
            let mut answers: BTreeMap<(String, String), Answer> = BTreeMap::new();
            let mut placed: BTreeSet<(String, String, String)> = BTreeSet::new();
            // Any quiz question answered; any quiz_complete sent.
            let (mut quiz_started, mut quiz_completed) = (false, false);
            for (_, _, event) in &list {
                let kind = &event.event;
                if let Some(exhibit) = kind.exhibit_id() {
                    at.entry(exhibit.to_owned()).or_default();
                }
                match kind {
                    EventKind::SessionStart { language: l, modes } => {
                        language = l.clone();
                        large |= modes.large_text;
                        contrast |= modes.high_contrast;
                        seated |= modes.seated;
                    }
                    EventKind::LanguageChange { language: l } => language = l.clone(),
                    EventKind::AudienceChoice { audience: a } => {
                        audience = match a {
                            None => "skipped".to_owned(),
                            Some(a) => serde_json::to_value(a)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default(),
                        }
                    }
                    EventKind::AccessibilityChange {
                        large_text,
                        high_contrast,
                        seated: s,
                    } => {
                        large |= large_text;
                        contrast |= high_contrast;
                        seated |= s;
                    }
                    EventKind::SessionEnd { duration_ms, .. } => {
                        ended = true;
                        duration = *duration_ms;
                    }
                    EventKind::ExhibitOpen { exhibit_id } => {
                        if entry.is_empty() {
                            entry = exhibit_id.clone();
                        }
                        exit = exhibit_id.clone();
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.opens += 1;
                        }
                    }
                    EventKind::ExhibitClose {
                        exhibit_id,
                        dwell_ms,
                    } => {
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.closes += 1;
                            x.dwell_ms += dwell_ms;
                        }
                    }
                    EventKind::StoryPageView { exhibit_id, page } => {
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.max_page = x.max_page.max(*page);
                        }
                    }
                    EventKind::QuizAnswer {
                        exhibit_id,
                        question_id,
                        choice_ids,
                        correct,
                        value,
                        answer_ms,
                    } => {
                        quiz_started = true;
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.answered += 1;
                        }
                        // In seq order: the first one stays.
                        answers
                            .entry((exhibit_id.clone(), question_id.clone()))
                            .or_insert_with(|| Answer {
                                correct: *correct,
                                choices: choice_ids.iter().cloned().collect(),
                                value: *value,
                                answer_ms: *answer_ms,
                            });
                    }
                    EventKind::QuizComplete { exhibit_id, .. } => {
                        quiz_completed = true;
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.completed += 1;
                        }
                    }
                    EventKind::SortPlacement {
                        exhibit_id,
                        item_id,
                        bin_id,
                        correct,
                    } => {
                        placed.insert((exhibit_id.clone(), item_id.clone(), bin_id.clone()));
                        if let (true, Some(x)) = (*correct, at.get_mut(exhibit_id)) {
                            x.right_items.insert(item_id.clone());
                        }
                    }
                    EventKind::HotspotOpen {
                        exhibit_id,
                        hotspot_id,
                    } => {
                        if let Some(x) = at.get_mut(exhibit_id) {
                            x.hotspots.insert(hotspot_id.clone());
                        }
                    }
                    _ => {}
                }
            }
            let venue = venues.get(&kiosk).copied().unwrap_or(0);
            let key = record_key(secret, &id);
            let mut add = |table: &str, own: Vec<String>| {
                let atom: AtomKey = (
                    table.to_owned(),
                    hour,
                    kiosk.clone(),
                    venue,
                    audience.clone(),
                    language.clone(),
                    own,
                );
                let sum = atoms.entry(atom).or_default();
                sum.0 += 1;
                sum.1 += key;
            };
            let length = if ended { duration_bucket(duration) } else { 12 };
            add("atom_sessions", vec![length.to_string()]);
            let opened = at.values().filter(|x| x.opens > 0).count() as u64;
            let on_show = loaded
                .range((kiosk.clone(), i64::MIN)..=(kiosk.clone(), hour))
                .next_back()
                .map(|(_, n)| *n);
            let mut traits = Vec::new();
            if ended && list.len() <= 2 {
                traits.push("one_touch".to_owned());
            }
            for (on, name) in [
                (large, "large_text"),
                (contrast, "high_contrast"),
                (seated, "seated"),
            ] {
                if on {
                    traits.push(name.to_owned());
                }
            }
            traits.push(if opened >= 5 {
                "opened:5+".to_owned()
            } else {
                format!("opened:{opened}")
            });
            if on_show.is_some_and(|n| n > 0 && 2 * opened > n) {
                traits.push("diligent".to_owned());
            }
            if quiz_started {
                traits.push("quiz_started".to_owned());
            }
            if quiz_completed {
                traits.push("quiz_completed".to_owned());
            }
            for t in traits {
                add("atom_session_traits", vec![t]);
            }
            for (exhibit, x) in &at {
                let mut measures = Vec::new();
                if x.opens > 0 {
                    measures.push("opened".to_owned());
                }
                let complete = match targets.get(exhibit) {
                    Some((kind, _)) if kind == "quiz" => x.completed > 0,
                    Some((kind, Some(target))) if *target > 0 => {
                        let reached = match kind.as_str() {
                            "story" => u64::from(x.max_page),
                            "sort" => x.right_items.len() as u64,
                            "hotspots" => x.hotspots.len() as u64,
                            _ => 0,
                        };
                        kind != "simulation" && reached >= *target as u64
                    }
                    _ => false,
                };
                if complete {
                    measures.push("completed".to_owned());
                }
                if x.answered > 0 {
                    measures.push("quiz_started".to_owned());
                }
                if x.closes > 0 {
                    measures.push(format!("dwell:{}", duration_bucket(x.dwell_ms)));
                }
                for m in measures {
                    add("atom_exhibits", vec![exhibit.clone(), m]);
                }
            }
            if !entry.is_empty() {
                add("atom_exhibits", vec![entry.clone(), "entry".into()]);
            }
            if !exit.is_empty() {
                add("atom_exhibits", vec![exit.clone(), "exit".into()]);
            }
            for ((exhibit, question), answer) in &answers {
                let mut outcomes = vec!["answered".to_owned()];
                if answer.correct {
                    outcomes.push("correct".into());
                }
                outcomes.extend(answer.choices.iter().map(|c| format!("choice:{c}")));
                outcomes.push(format!("time:{}", duration_bucket(answer.answer_ms)));
                if let (Some(v), Some((Some(min), Some(max)))) = (
                    answer.value,
                    ranges.get(&(exhibit.clone(), question.clone())),
                ) && max > min
                {
                    let x = (v - min) / (max - min);
                    let decile = (1..10).position(|k| x < f64::from(k) / 10.0).unwrap_or(9);
                    outcomes.push(format!("value:{decile}"));
                }
                for o in outcomes {
                    add("atom_answers", vec![exhibit.clone(), question.clone(), o]);
                }
            }
            for (exhibit, item, bin) in &placed {
                add(
                    "atom_placements",
                    vec![exhibit.clone(), item.clone(), bin.clone()],
                );
            }
        }
        atoms
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(
            super::replace_database("postgres://k:p@127.0.0.1:5432/postgres", "t1"),
            "postgres://k:p@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::replace_database("postgres://k@h?sslmode=disable", "t2"),
            "postgres://k@h/t2?sslmode=disable"
        );
    }
}
