//! The pure part of the atoms: everything a session's atoms depend on ([`SessionRecord`]),
//! how a roll-up pass changes it (merged by the same rules as the facts' rows), which atoms a
//! session is in ([`atoms_of`]: docs/dashboard.md's definitions), and the statements that
//! write atoms — their changes ([`delta_statements`]) or whole kiosk-hours
//! ([`rebuild_statements`]). No SQL is read here; unit-tested on its own.
//!
//! Why in Rust and not `INSERT … SELECT … GROUP BY` over the facts: the same atoms computed in
//! SQL cost a roll-up pass on SQLite 2.5 times its time without atoms (the membership joins,
//! unions and groupings per pass, under the write lock), here they cost what their rows cost
//! to write; and a session whose atoms did not change writes nothing.

use super::fold::{
    BUCKETS, ExhibitFacts, FirstAnswer, Fold, PlacementCounts, SessionState, duration_bucket,
};
use crate::db_int;
use crate::sql::Statement;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The atom tables and their own dimensions (after the five key columns); each table's key is
/// (hour_start_ms, kiosk_id, venue_id, audience, language, its dimensions).
pub(crate) const TABLES: [(&str, &[&str]); 5] = [
    ("atom_sessions", &["length_bucket"]),
    ("atom_session_traits", &["trait"]),
    ("atom_exhibits", &["exhibit_id", "measure"]),
    ("atom_answers", &["exhibit_id", "question_id", "outcome"]),
    ("atom_placements", &["exhibit_id", "item_id", "bin_id"]),
];
const SESSIONS: usize = 0;
const TRAITS: usize = 1;
const EXHIBITS: usize = 2;
const ANSWERS: usize = 3;
const PLACEMENTS: usize = 4;

/// Atom rows per write statement (at most 10 values each).
const ATOM_CHUNK: usize = 1_000;

/// One atom: its table (an index into [`TABLES`]) and key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AtomKey {
    pub table: usize,
    pub hour_start_ms: i64,
    pub kiosk_id: String,
    pub venue_id: i64,
    pub audience: String,
    pub language: String,
    /// The table's own dimensions, as text (a length bucket's number too).
    pub dims: Vec<String>,
}

/// Everything a session's atoms depend on but the published content and the exhibits on
/// show: its state and all its facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SessionRecord {
    pub state: SessionState,
    pub venue_id: i64,
    pub record_key: i64,
    pub exhibits: BTreeMap<String, ExhibitFacts>,
    /// (exhibit, question) → the first answer.
    pub answers: BTreeMap<(String, String), FirstAnswer>,
    /// (exhibit, item, bin) → placements.
    pub placements: BTreeMap<(String, String, String), PlacementCounts>,
    /// (exhibit, hotspot) opened.
    pub hotspots: BTreeSet<(String, String)>,
}

impl SessionRecord {
    /// Distinct items of `exhibit` put in their right bin at least once.
    pub fn right_items(&self, exhibit: &str) -> u64 {
        let items: BTreeSet<&str> = self
            .placements
            .iter()
            .filter(|((e, _, _), counts)| e == exhibit && counts.correct > 0)
            .map(|((_, item, _), _)| item.as_str())
            .collect();
        items.len() as u64
    }

    /// Distinct hotspots of `exhibit` opened.
    pub fn hotspots_opened(&self, exhibit: &str) -> u64 {
        self.hotspots.iter().filter(|(e, _)| e == exhibit).count() as u64
    }

    /// Distinct exhibits opened.
    fn opened(&self) -> u64 {
        self.exhibits
            .values()
            .filter(|facts| facts.opens > 0)
            .count() as u64
    }
}

/// What the atoms need of the published content.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ReportMeta {
    /// exhibit → (kind, completion target).
    pub exhibits: HashMap<String, (String, Option<i64>)>,
    /// (exhibit, question) → an estimate's (min, max).
    pub estimates: HashMap<(String, String), (f64, f64)>,
}

/// The records of the sessions a pass touched as they will be once it is written: the stored
/// record (if any) with what the pass adds, by the rules of the facts' rows: counts added, the
/// larger page, the first answer by `seq`, hotspots united; the session's state as folded.
/// A stored session keeps its venue (the sessions row keeps it too).
pub(crate) fn after_pass(
    fold: &Fold,
    stored: &HashMap<String, SessionRecord>,
    venue_of: impl Fn(&str) -> i64,
    record_key: impl Fn(&str) -> i64,
) -> HashMap<String, SessionRecord> {
    let mut records: HashMap<String, SessionRecord> = fold
        .sessions
        .iter()
        .map(|(id, state)| {
            let mut record = stored.get(id).cloned().unwrap_or_else(|| SessionRecord {
                venue_id: venue_of(&state.kiosk_id),
                ..SessionRecord::default()
            });
            record.state = state.clone();
            record.record_key = record_key(id);
            (id.clone(), record)
        })
        .collect();
    for (key, add) in &fold.exhibits {
        if let Some(record) = records.get_mut(&key.session_id) {
            let facts = record.exhibits.entry(key.exhibit_id.clone()).or_default();
            facts.opens = facts.opens.saturating_add(add.opens);
            facts.closes = facts.closes.saturating_add(add.closes);
            facts.dwell_ms = facts.dwell_ms.saturating_add(add.dwell_ms);
            facts.max_page = facts.max_page.max(add.max_page);
            facts.answered = facts.answered.saturating_add(add.answered);
            facts.quiz_completed = facts.quiz_completed.saturating_add(add.quiz_completed);
        }
    }
    for (key, answer) in &fold.answers {
        if let Some(record) = records.get_mut(&key.session_id) {
            let slot = (key.exhibit_id.clone(), key.question_id.clone());
            if record
                .answers
                .get(&slot)
                .is_none_or(|first| answer.seq < first.seq)
            {
                record.answers.insert(slot, answer.clone());
            }
        }
    }
    for (key, add) in &fold.placements {
        if let Some(record) = records.get_mut(&key.session_id) {
            let counts = record
                .placements
                .entry((
                    key.exhibit_id.clone(),
                    key.item_id.clone(),
                    key.bin_id.clone(),
                ))
                .or_default();
            counts.placements = counts.placements.saturating_add(add.placements);
            counts.correct = counts.correct.saturating_add(add.correct);
        }
    }
    for key in &fold.hotspots {
        if let Some(record) = records.get_mut(&key.session_id) {
            record
                .hotspots
                .insert((key.exhibit_id.clone(), key.hotspot_id.clone()));
        }
    }
    records
}

/// The atoms a session is in. `on_show`: the exhibits on show at its kiosk in its start hour
/// (the most any heartbeat of that hour reported, or else the latest heartbeat's before),
/// `None` while no heartbeat is known.
pub(crate) fn atoms_of(
    record: &SessionRecord,
    meta: &ReportMeta,
    on_show: Option<i64>,
) -> Vec<AtomKey> {
    let state = &record.state;
    let key = |table: usize, dims: Vec<String>| AtomKey {
        table,
        hour_start_ms: state.start_hour_ms(),
        kiosk_id: state.kiosk_id.clone(),
        venue_id: record.venue_id,
        audience: state.audience.clone(),
        language: state.language.clone(),
        dims,
    };
    let mut atoms = Vec::new();

    let length = if state.ended {
        duration_bucket(state.duration_ms)
    } else {
        BUCKETS
    };
    atoms.push(key(SESSIONS, vec![length.to_string()]));

    let opened = record.opened();
    let mut traits: Vec<String> = Vec::new();
    // Touched once and left: the start and the end, nothing between.
    if state.ended && state.events <= 2 {
        traits.push("one_touch".into());
    }
    for (on, name) in [
        (state.large_text, "large_text"),
        (state.high_contrast, "high_contrast"),
        (state.seated, "seated"),
    ] {
        if on {
            traits.push(name.into());
        }
    }
    traits.push(if opened >= 5 {
        "opened:5+".into()
    } else {
        format!("opened:{opened}")
    });
    if on_show.is_some_and(|n| n > 0 && 2 * db_int(opened) > n) {
        traits.push("diligent".into());
    }
    // The funnel's quiz stages: a question of any quiz answered (retakes included: any
    // answer), and `quiz_complete` sent for any quiz. From the facts alone, not the published
    // content, so that no publish changes them.
    if record.exhibits.values().any(|facts| facts.answered > 0) {
        traits.push("quiz_started".into());
    }
    if record
        .exhibits
        .values()
        .any(|facts| facts.quiz_completed > 0)
    {
        traits.push("quiz_completed".into());
    }
    atoms.extend(traits.into_iter().map(|t| key(TRAITS, vec![t])));

    for (exhibit, facts) in &record.exhibits {
        let mut measure = |m: &str| atoms.push(key(EXHIBITS, vec![exhibit.clone(), m.into()]));
        if facts.opens > 0 {
            measure("opened");
        }
        let completed = match meta.exhibits.get(exhibit) {
            Some((kind, _)) if kind == "quiz" => facts.quiz_completed > 0,
            Some((kind, Some(target))) if *target > 0 => {
                let reached = match kind.as_str() {
                    "story" => facts.max_page,
                    "sort" => record.right_items(exhibit),
                    "hotspots" => record.hotspots_opened(exhibit),
                    _ => 0,
                };
                reached > 0 && db_int(reached) >= *target
            }
            _ => false,
        };
        if completed {
            measure("completed");
        }
        if facts.answered > 0 {
            measure("quiz_started");
        }
        if facts.closes > 0 {
            measure(&format!("dwell:{}", duration_bucket(facts.dwell_ms)));
        }
    }
    for (exhibit, measure) in [
        (&state.first_exhibit, "entry"),
        (&state.last_exhibit, "exit"),
    ] {
        if !exhibit.is_empty() {
            atoms.push(key(EXHIBITS, vec![exhibit.clone(), measure.into()]));
        }
    }

    for ((exhibit, question), answer) in &record.answers {
        let mut outcome = |o: String| {
            atoms.push(key(ANSWERS, vec![exhibit.clone(), question.clone(), o]));
        };
        outcome("answered".into());
        if answer.correct {
            outcome("correct".into());
        }
        let choices: BTreeSet<&String> = answer.choices.iter().collect();
        for choice in choices {
            outcome(format!("choice:{choice}"));
        }
        outcome(format!("time:{}", duration_bucket(answer.answer_ms)));
        if let (Some(value), Some((min, max))) = (
            answer.value,
            meta.estimates.get(&(exhibit.clone(), question.clone())),
        ) && max > min
        {
            let x = (value - min) / (max - min);
            let decile = (1..10u8).position(|d| x < f64::from(d) / 10.0).unwrap_or(9);
            outcome(format!("value:{decile}"));
        }
    }

    for ((exhibit, item, bin), counts) in &record.placements {
        if counts.placements > 0 {
            atoms.push(key(
                PLACEMENTS,
                vec![exhibit.clone(), item.clone(), bin.clone()],
            ));
        }
    }
    atoms
}

/// (sessions, sum of record keys) per atom.
pub(crate) type AtomCounts = BTreeMap<AtomKey, (i64, i64)>;

/// The change of the atoms when the sessions `moved` go from `before` (their stored records;
/// absent: new) to `after`. Atoms that do not change are left out.
pub(crate) fn deltas(
    moved: &[&str],
    before: &HashMap<String, SessionRecord>,
    after: &HashMap<String, SessionRecord>,
    meta: &ReportMeta,
    on_show: &HashMap<(String, i64), i64>,
) -> AtomCounts {
    let shown = |record: &SessionRecord| {
        on_show
            .get(&(record.state.kiosk_id.clone(), record.state.start_hour_ms()))
            .copied()
    };
    let mut counts = AtomCounts::new();
    for id in moved {
        for (record, sign) in [(before.get(*id), -1), (after.get(*id), 1)] {
            let Some(record) = record else { continue };
            for atom in atoms_of(record, meta, shown(record)) {
                let sum = counts.entry(atom).or_default();
                sum.0 += sign;
                sum.1 += sign * record.record_key;
            }
        }
    }
    counts.retain(|_, sum| *sum != (0, 0));
    counts
}

/// The atoms of whole sessions (a kiosk-hour's, for a rebuild).
pub(crate) fn count(
    records: &HashMap<String, SessionRecord>,
    meta: &ReportMeta,
    on_show: &HashMap<(String, i64), i64>,
) -> AtomCounts {
    let mut counts = AtomCounts::new();
    for record in records.values() {
        let shown = on_show
            .get(&(record.state.kiosk_id.clone(), record.state.start_hour_ms()))
            .copied();
        for atom in atoms_of(record, meta, shown) {
            let sum = counts.entry(atom).or_default();
            sum.0 += 1;
            sum.1 += record.record_key;
        }
    }
    counts
}

/// Inserts of atoms, per table and chunk; `add`: added to the stored atoms of the same key
/// (which the changes of a pass are), else inserted where none is (a rebuild, after its
/// delete).
fn atom_writes(counts: &AtomCounts, add: bool) -> Vec<Statement> {
    let mut statements = Vec::new();
    for (table, (name, dims)) in TABLES.iter().enumerate() {
        let rows: Vec<(&AtomKey, &(i64, i64))> = counts
            .iter()
            .filter(|(key, _)| key.table == table)
            .collect();
        let columns = format!(
            "hour_start_ms, kiosk_id, venue_id, audience, language, {}",
            dims.join(", ")
        );
        for chunk in rows.chunks(ATOM_CHUNK) {
            let mut insert = Statement::new(&format!(
                "INSERT INTO {name} ({columns}, sessions, record_keys) VALUES "
            ));
            insert.rows(chunk, |row, (key, (sessions, keys))| {
                row.bind(key.hour_start_ms)
                    .bind(&key.kiosk_id)
                    .bind(key.venue_id)
                    .bind(&key.audience)
                    .bind(&key.language);
                for (dim, value) in dims.iter().zip(&key.dims) {
                    if *dim == "length_bucket" {
                        row.bind(value.parse::<i64>().unwrap_or_default());
                    } else {
                        row.bind(value);
                    }
                }
                row.bind(*sessions).bind(*keys);
            });
            if add {
                insert.push(&format!(
                    " ON CONFLICT ({columns}) DO UPDATE SET
                         sessions = {name}.sessions + excluded.sessions,
                         record_keys = {name}.record_keys + excluded.record_keys"
                ));
            }
            statements.push(insert);
        }
    }
    statements
}

/// The writes of a pass's atom changes: added to the stored atoms, then the atoms left with
/// no session deleted (only where a session left one: the kiosk-hours of negative changes).
pub(crate) fn delta_statements(counts: &AtomCounts) -> Vec<Statement> {
    let mut statements = atom_writes(counts, true);
    let emptied: BTreeSet<(&str, i64)> = counts
        .iter()
        .filter(|(_, (sessions, _))| *sessions < 0)
        .map(|(key, _)| (key.kiosk_id.as_str(), key.hour_start_ms))
        .collect();
    let emptied: Vec<(&str, i64)> = emptied.into_iter().collect();
    for chunk in emptied.chunks(ATOM_CHUNK) {
        for (name, _) in TABLES {
            let mut delete = Statement::new("WITH emptied (hour_start_ms, kiosk_id) AS (VALUES ");
            delete.rows(chunk, |row, (kiosk, hour)| {
                row.bind(*hour).bind(*kiosk);
            });
            delete.push(&format!(
                ") DELETE FROM {name} WHERE sessions = 0
                   AND (hour_start_ms, kiosk_id) IN (SELECT hour_start_ms, kiosk_id FROM emptied)"
            ));
            statements.push(delete);
        }
    }
    statements
}

/// A rebuild of whole kiosk-hours: their atoms deleted, and `counts` (all of their sessions'
/// atoms) inserted.
pub(crate) fn rebuild_statements(
    kiosk_hours: &[(String, i64)],
    counts: &AtomCounts,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    for chunk in kiosk_hours.chunks(ATOM_CHUNK) {
        for (name, _) in TABLES {
            let mut delete = Statement::new("WITH touched (hour_start_ms, kiosk_id) AS (VALUES ");
            delete.rows(chunk, |row, (kiosk, hour)| {
                row.bind(*hour).bind(kiosk);
            });
            delete.push(&format!(
                ") DELETE FROM {name}
                   WHERE (hour_start_ms, kiosk_id) IN (SELECT hour_start_ms, kiosk_id FROM touched)"
            ));
            statements.push(delete);
        }
    }
    statements.extend(atom_writes(counts, false));
    statements
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::rollup::fold::{AnswerKey, ExhibitKey, HotspotKey, PlacementKey};

    fn state(id: &str) -> SessionState {
        SessionState {
            session_id: id.into(),
            kiosk_id: "k1".into(),
            started_at_ms: 3_600_000 * 10 + 5,
            language: "zh".into(),
            audience: "senior".into(),
            events: 5,
            ..SessionState::default()
        }
    }

    fn dims_of(atoms: &[AtomKey], table: usize) -> BTreeSet<Vec<String>> {
        atoms
            .iter()
            .filter(|a| a.table == table)
            .map(|a| a.dims.clone())
            .collect()
    }

    fn set(items: &[&[&str]]) -> BTreeSet<Vec<String>> {
        items
            .iter()
            .map(|dims| dims.iter().map(|d| d.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_pass_merges_into_the_stored_record_by_the_rows_rules() {
        let id = "s1";
        let mut stored = SessionRecord {
            state: state(id),
            venue_id: 7,
            record_key: 0,
            ..SessionRecord::default()
        };
        stored.exhibits.insert(
            "story".into(),
            ExhibitFacts {
                opens: 1,
                max_page: 3,
                ..ExhibitFacts::default()
            },
        );
        stored.answers.insert(
            ("quiz".into(), "q1".into()),
            FirstAnswer {
                seq: 10,
                correct: false,
                choices: vec!["b".into()],
                value: None,
                answer_ms: 1,
            },
        );
        let mut fold = Fold::default();
        fold.sessions.insert(id.into(), state(id));
        let key = |exhibit: &str| ExhibitKey {
            session_id: id.into(),
            exhibit_id: exhibit.into(),
        };
        fold.exhibits.insert(
            key("story"),
            ExhibitFacts {
                opens: 1,
                max_page: 2,
                ..ExhibitFacts::default()
            },
        );
        let answer = |question: &str, seq: u64| {
            (
                AnswerKey {
                    session_id: id.into(),
                    exhibit_id: "quiz".into(),
                    question_id: question.into(),
                },
                FirstAnswer {
                    seq,
                    correct: true,
                    choices: vec!["a".into()],
                    value: None,
                    answer_ms: 2,
                },
            )
        };
        for (k, a) in [answer("q1", 20), answer("q2", 21)] {
            fold.answers.insert(k, a);
        }
        fold.hotspots.insert(HotspotKey {
            session_id: id.into(),
            exhibit_id: "map".into(),
            hotspot_id: "h1".into(),
        });
        fold.placements.insert(
            PlacementKey {
                session_id: id.into(),
                exhibit_id: "sort".into(),
                item_id: "i1".into(),
                bin_id: "b1".into(),
            },
            PlacementCounts {
                placements: 2,
                correct: 1,
            },
        );
        let stored: HashMap<String, SessionRecord> = [(id.to_owned(), stored)].into();
        let after = after_pass(&fold, &stored, |_| 99, |_| 42);
        let record = &after[id];
        assert_eq!(
            (record.venue_id, record.record_key),
            (7, 42),
            "the stored venue stays"
        );
        assert_eq!(record.exhibits["story"].opens, 2);
        assert_eq!(record.exhibits["story"].max_page, 3, "the larger page");
        assert_eq!(
            record.answers[&("quiz".into(), "q1".into())].seq,
            10,
            "the first answer"
        );
        assert_eq!(record.answers[&("quiz".into(), "q2".into())].seq, 21);
        assert_eq!(
            (record.right_items("sort"), record.hotspots_opened("map")),
            (1, 1)
        );
    }

    #[test]
    fn a_sessions_atoms_follow_the_dashboards_definitions() {
        let mut record = SessionRecord {
            state: SessionState {
                ended: true,
                duration_ms: 61_000,
                large_text: true,
                first_exhibit: "story".into(),
                last_exhibit: "sort".into(),
                ..state("s1")
            },
            record_key: 3,
            ..SessionRecord::default()
        };
        record.exhibits.insert(
            "story".into(),
            ExhibitFacts {
                opens: 1,
                closes: 1,
                dwell_ms: 45_000,
                max_page: 3,
                ..ExhibitFacts::default()
            },
        );
        record.exhibits.insert(
            "sort".into(),
            ExhibitFacts {
                opens: 1,
                ..ExhibitFacts::default()
            },
        );
        record.exhibits.insert(
            "quiz".into(),
            ExhibitFacts {
                answered: 2,
                ..ExhibitFacts::default()
            },
        );
        record.answers.insert(
            ("quiz".into(), "q2".into()),
            FirstAnswer {
                seq: 1,
                correct: true,
                choices: Vec::new(),
                value: Some(73.0),
                answer_ms: 4_000,
            },
        );
        for (item, correct) in [("i1", 1), ("i2", 0)] {
            record.placements.insert(
                ("sort".into(), item.into(), "b1".into()),
                PlacementCounts {
                    placements: 1,
                    correct,
                },
            );
        }
        let mut meta = ReportMeta::default();
        meta.exhibits
            .insert("story".into(), ("story".into(), Some(3)));
        meta.exhibits
            .insert("sort".into(), ("sort".into(), Some(2)));
        meta.estimates
            .insert(("quiz".into(), "q2".into()), (0.0, 100.0));
        let atoms = atoms_of(&record, &meta, Some(3));
        assert!(
            atoms
                .iter()
                .all(|a| a.hour_start_ms == 36_000_000 && a.audience == "senior")
        );
        assert_eq!(
            dims_of(&atoms, SESSIONS),
            set(&[&[&duration_bucket(61_000).to_string()]])
        );
        assert_eq!(
            dims_of(&atoms, TRAITS),
            set(&[
                &["large_text"],
                &["opened:2"],
                &["diligent"],
                &["quiz_started"]
            ]),
            "2 of 3 on show opened; 5 events: not one touch; answered, not completed"
        );
        let dwell = format!("dwell:{}", duration_bucket(45_000));
        assert_eq!(
            dims_of(&atoms, EXHIBITS),
            set(&[
                &["story", "opened"],
                &["story", "completed"],
                &["story", &dwell],
                &["story", "entry"],
                &["sort", "opened"], // one of two items right: not completed
                &["sort", "exit"],
                &["quiz", "quiz_started"],
            ])
        );
        let time = format!("time:{}", duration_bucket(4_000));
        assert_eq!(
            dims_of(&atoms, ANSWERS),
            set(&[
                &["quiz", "q2", "answered"],
                &["quiz", "q2", "correct"],
                &["quiz", "q2", &time],
                &["quiz", "q2", "value:7"],
            ])
        );
        assert_eq!(dims_of(&atoms, PLACEMENTS).len(), 2);
        assert!(
            !dims_of(&atoms_of(&record, &meta, None), TRAITS).contains(&vec!["diligent".into()]),
            "nothing on show known: not diligent"
        );

        // quiz_complete sent (for an exhibit the published content does not know, even):
        // completed; without an answer anywhere, not started.
        let quiz_traits = |record: &SessionRecord| -> BTreeSet<Vec<String>> {
            dims_of(&atoms_of(record, &ReportMeta::default(), None), TRAITS)
                .into_iter()
                .filter(|dims| dims[0].starts_with("quiz_"))
                .collect()
        };
        record.exhibits.get_mut("quiz").unwrap().quiz_completed = 1;
        assert_eq!(
            quiz_traits(&record),
            set(&[&["quiz_started"], &["quiz_completed"]])
        );
        record.exhibits.get_mut("quiz").unwrap().answered = 0;
        assert_eq!(quiz_traits(&record), set(&[&["quiz_completed"]]));
        record.exhibits.clear();
        assert_eq!(quiz_traits(&record), set(&[]));
    }

    #[test]
    fn a_moved_session_changes_only_the_atoms_it_left_and_entered() {
        let before = SessionRecord {
            state: state("s1"),
            record_key: 5,
            ..SessionRecord::default()
        };
        let after = SessionRecord {
            state: SessionState {
                ended: true,
                duration_ms: 10_000,
                ..state("s1")
            },
            ..before.clone()
        };
        let before: HashMap<String, SessionRecord> = [("s1".to_owned(), before)].into();
        let after: HashMap<String, SessionRecord> = [("s1".to_owned(), after)].into();
        let counts = deltas(
            &["s1"],
            &before,
            &after,
            &ReportMeta::default(),
            &HashMap::new(),
        );
        let changes: Vec<(usize, Vec<String>, (i64, i64))> = counts
            .into_iter()
            .map(|(key, sum)| (key.table, key.dims, sum))
            .collect();
        assert_eq!(
            changes,
            [
                (SESSIONS, vec!["12".to_owned()], (-1, -5)),
                (SESSIONS, vec![duration_bucket(10_000).to_string()], (1, 5)),
            ],
            "the traits (opened:0) did not change"
        );
    }
}
