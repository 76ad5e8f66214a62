//! The outbox from the outside: a model-based property test (random sequences of operations,
//! reopening included, checked against an in-memory model after every step, in the style of
//! Vector's disk-buffer tests) and the recovery of a damaged file at start.

// Integration tests are test code throughout: a panic on unwrap is the clearest failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kepu_core::outbox::{EventStamp, Outbox, OutboxWriter};
use kepu_core::wire::{EventDraft, EventKind, EventRollup, ROLLUP_PERIOD_MS};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use uuid::Uuid;

const BASE_MS: i64 = 1_700_000_000_000 - 1_700_000_000_000 % ROLLUP_PERIOD_MS;

/// (hour, type, exhibit): the roll-up group of an event.
type Key = (i64, &'static str, Option<String>);

fn event_of(kind: u8) -> EventKind {
    match kind % 4 {
        0 => EventKind::SessionStart {
            language: "zh".into(),
            modes: Default::default(),
        },
        1 => EventKind::ExhibitOpen {
            exhibit_id: "a".into(),
        },
        2 => EventKind::ExhibitOpen {
            exhibit_id: "b".into(),
        },
        _ => EventKind::QuizAnswer {
            exhibit_id: "a".into(),
            question_id: "q".into(),
            choice_ids: vec![],
            correct: true,
            value: None,
            answer_ms: 0,
        },
    }
}

fn new_draft(kind: u8, hour: u8) -> EventDraft {
    EventDraft {
        id: Uuid::new_v4(),
        session_id: None,
        occurred_at_ms: BASE_MS + i64::from(hour) * ROLLUP_PERIOD_MS + 1,
        event: event_of(kind),
    }
}

fn key_of(draft: &EventDraft) -> Key {
    (
        (draft.occurred_at_ms - BASE_MS) / ROLLUP_PERIOD_MS,
        draft.event.type_name(),
        draft.event.exhibit_id().map(str::to_owned),
    )
}

#[derive(Debug, Clone)]
enum Op {
    /// New events: (kind, hour) each.
    Append(Vec<(u8, u8)>),
    /// An event already appended (delivered or not) is appended again: ignored.
    AppendAgain(usize),
    Peek(usize),
    Claim(usize),
    /// Acknowledge some of the events held (by index), and a sequence number never issued.
    Acknowledge(Vec<usize>, bool),
    RollUp(u64),
    ClaimRollups(usize),
    /// Acknowledge the roll-ups claimed last.
    AcknowledgeRollups,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec((0u8..4, 0u8..3), 1..12).prop_map(Op::Append),
        1 => any::<usize>().prop_map(Op::AppendAgain),
        2 => (0usize..10).prop_map(Op::Peek),
        2 => (1usize..10).prop_map(Op::Claim),
        3 => (prop::collection::vec(any::<usize>(), 0..6), any::<bool>())
            .prop_map(|(picks, stray)| Op::Acknowledge(picks, stray)),
        2 => (1u64..8).prop_map(Op::RollUp),
        1 => (1usize..6).prop_map(Op::ClaimRollups),
        1 => Just(Op::AcknowledgeRollups),
        1 => Just(Op::Reopen),
    ]
}

/// What the outbox should hold.
#[derive(Default)]
struct Model {
    /// seq → draft, the raw events held.
    events: BTreeMap<u64, EventDraft>,
    /// Every draft ever appended, for `AppendAgain`.
    appended: Vec<EventDraft>,
    next_seq: u64,
    /// Highest sequence number claimed and not yet acknowledged (0: none).
    inflight: u64,
    /// Events rolled up, by group: still in the outbox's roll-ups, and delivered.
    rolled_pending: BTreeMap<Key, u64>,
    rolled_delivered: BTreeMap<Key, u64>,
    rolled_total: u64,
    acknowledged: u64,
    claimed_rollups: Vec<EventRollup>,
}

impl Model {
    fn oldest(&self, limit: usize) -> Vec<u64> {
        self.events.keys().take(limit).copied().collect()
    }
}

fn rollup_key(rollup: &EventRollup) -> Key {
    let name = ["session_start", "exhibit_open", "quiz_answer"]
        .into_iter()
        .find(|n| *n == rollup.event_type)
        .unwrap();
    (
        (rollup.hour_start_ms - BASE_MS) / ROLLUP_PERIOD_MS,
        name,
        rollup.exhibit_id.clone(),
    )
}

fn check(outbox: &Outbox, model: &Model) {
    let held = outbox.peek(usize::MAX >> 1).unwrap();
    let seqs: Vec<u64> = held.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, model.events.keys().copied().collect::<Vec<_>>());
    for event in &held {
        let draft = &model.events[&event.seq];
        assert_eq!((event.id, &event.event), (draft.id, &draft.event));
    }
    let stats = outbox.stats().unwrap();
    assert_eq!(stats.backlog, model.events.len() as u64);
    assert_eq!(
        stats.rollup_events,
        model.rolled_pending.values().sum::<u64>()
    );
    assert_eq!(stats.rolled_up_total, model.rolled_total);
    // Nothing is lost or made up: every event appended is held, acknowledged or rolled up.
    let unique: HashSet<Uuid> = model.appended.iter().map(|d| d.id).collect();
    assert_eq!(
        unique.len() as u64,
        stats.backlog + model.acknowledged + model.rolled_total
    );
}

fn run(ops: Vec<Op>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    let stamp = EventStamp::for_this_boot("kiosk-model", "0");
    let mut outbox = Outbox::open(&path).unwrap();
    let mut model = Model {
        next_seq: 1,
        ..Model::default()
    };
    for op in ops {
        match op {
            Op::Append(specs) => {
                let drafts: Vec<EventDraft> = specs.iter().map(|&(k, h)| new_draft(k, h)).collect();
                let seqs = outbox.append(&stamp, &drafts).unwrap();
                let expected: Vec<u64> =
                    (model.next_seq..model.next_seq + drafts.len() as u64).collect();
                assert_eq!(seqs, expected, "sequence numbers continue, never reused");
                for (seq, draft) in seqs.into_iter().zip(drafts) {
                    model.events.insert(seq, draft.clone());
                    model.appended.push(draft);
                }
                model.next_seq += specs.len() as u64;
            }
            Op::AppendAgain(pick) => {
                if !model.appended.is_empty() {
                    let draft = model.appended[pick % model.appended.len()].clone();
                    // Held: the id is in the queue. Delivered or rolled up: a new seq would be
                    // a second copy; the outbox stores an id once while it holds it. The model
                    // only asks for the first case.
                    if model.events.values().any(|d| d.id == draft.id) {
                        assert!(outbox.append(&stamp, &[draft]).unwrap().is_empty());
                    }
                }
            }
            Op::Peek(limit) => {
                let seqs: Vec<u64> = outbox.peek(limit).unwrap().iter().map(|e| e.seq).collect();
                assert_eq!(seqs, model.oldest(limit));
            }
            Op::Claim(limit) => {
                let seqs: Vec<u64> = outbox.claim(limit).unwrap().iter().map(|e| e.seq).collect();
                assert_eq!(seqs, model.oldest(limit));
                if let Some(&last) = seqs.last() {
                    model.inflight = model.inflight.max(last);
                }
            }
            Op::Acknowledge(picks, stray) => {
                let held: Vec<u64> = model.events.keys().copied().collect();
                let mut seqs: Vec<u64> = if held.is_empty() {
                    Vec::new()
                } else {
                    picks.iter().map(|p| held[p % held.len()]).collect()
                };
                seqs.sort_unstable();
                seqs.dedup();
                let existing = seqs.len();
                if stray {
                    seqs.push(model.next_seq + 1_000);
                }
                assert_eq!(outbox.acknowledge(&seqs).unwrap(), existing);
                for seq in &seqs {
                    model.events.remove(seq);
                }
                model.acknowledged += existing as u64;
                if seqs.iter().max().is_some_and(|&m| m >= model.inflight) {
                    model.inflight = 0;
                }
            }
            Op::RollUp(n) => {
                let taken: Vec<u64> = model
                    .events
                    .keys()
                    .copied()
                    .filter(|&s| s > model.inflight)
                    .take(n as usize)
                    .collect();
                assert_eq!(
                    outbox.roll_up_oldest(n).unwrap(),
                    taken.len() as u64,
                    "only events not in flight are rolled up"
                );
                for seq in taken {
                    let draft = model.events.remove(&seq).unwrap();
                    *model.rolled_pending.entry(key_of(&draft)).or_default() += 1;
                    model.rolled_total += 1;
                }
            }
            Op::ClaimRollups(limit) => {
                model.claimed_rollups = outbox.claim_rollups(limit).unwrap();
                assert!(model.claimed_rollups.len() <= limit);
            }
            Op::AcknowledgeRollups => {
                let claimed = std::mem::take(&mut model.claimed_rollups);
                let ids: Vec<Uuid> = claimed.iter().map(|r| r.rollup_id).collect();
                assert_eq!(outbox.acknowledge_rollups(&ids).unwrap(), claimed.len());
                for rollup in claimed {
                    let key = rollup_key(&rollup);
                    let pending = model.rolled_pending.get_mut(&key).unwrap();
                    *pending -= rollup.count;
                    *model.rolled_delivered.entry(key).or_default() += rollup.count;
                }
            }
            Op::Reopen => {
                drop(outbox);
                outbox = Outbox::open(&path).unwrap();
            }
        }
        check(&outbox, &model);
    }
    // Counts per group are kept exactly: what is still in roll-ups plus what was delivered in
    // roll-ups equals what was rolled up.
    let mut pending: BTreeMap<Key, u64> = BTreeMap::new();
    for rollup in outbox.claim_rollups(usize::MAX >> 1).unwrap() {
        *pending.entry(rollup_key(&rollup)).or_default() += rollup.count;
    }
    model.rolled_pending.retain(|_, n| *n > 0);
    assert_eq!(pending, model.rolled_pending);
}

proptest! {
    // Each step is a durable commit (an fsync): a few dozen cases keep this test in seconds.
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn outbox_behaves_like_its_model(ops in prop::collection::vec(op(), 1..40)) {
        run(ops);
    }
}

fn stamp() -> EventStamp {
    EventStamp::for_this_boot("kiosk-test", "0.0.0")
}

fn fill(path: &Path, events: u64) -> Vec<Uuid> {
    let mut outbox = Outbox::open(path).unwrap();
    let drafts: Vec<EventDraft> = (0..events).map(|n| new_draft(n as u8, 0)).collect();
    for group in drafts.chunks(500) {
        outbox.append(&stamp(), group).unwrap();
    }
    drafts.iter().map(|d| d.id).collect()
}

#[test]
fn a_file_that_is_not_a_database_is_moved_aside_and_the_writer_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    let garbage: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    assert!(Outbox::open(&path).err().unwrap().is_damage());

    let writer = OutboxWriter::spawn(&path, stamp()).unwrap();
    // The writer thread opens (and checks) the file; a flush waits for that.
    writer.flush().unwrap();
    let recovery = writer.status().recovered.expect("the loss is reported");
    assert_eq!(
        std::fs::read(&recovery.moved_to).unwrap(),
        garbage,
        "kept as it was"
    );
    let name = recovery.moved_to.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with("outbox.sqlite3.corrupt-"), "{name}");
    assert!(
        recovery.reason.contains("not a database"),
        "{}",
        recovery.reason
    );
    assert_eq!((recovery.salvaged_events, recovery.lost_events), (0, None));

    writer.record(new_draft(0, 0)).unwrap();
    assert_eq!(writer.wait_durable().unwrap().written, 1);
    drop(writer);
    assert_eq!(Outbox::open(&path).unwrap().backlog().unwrap(), 1);
}

#[test]
fn a_damaged_page_is_found_at_start_and_what_is_readable_is_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    let ids = fill(&path, 2_000);
    // Closing the last connection folds the WAL into the file; then one page in the middle of
    // the file is overwritten, as a failing SD card would.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4_096;
    let middle = (bytes.len() / page / 2) * page;
    for (i, byte) in bytes[middle..middle + page].iter_mut().enumerate() {
        *byte = (i * 7 + 3) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();

    let writer = OutboxWriter::spawn(&path, stamp()).unwrap();
    writer.flush().unwrap();
    let recovery = writer
        .status()
        .recovered
        .expect("the damage is found and reported");
    assert!(recovery.moved_to.exists());
    assert!(
        recovery.salvaged_events >= 1_000 && recovery.salvaged_events <= 2_000,
        "one bad page costs a few events, not all: {recovery:?}"
    );
    if let Some(lost) = recovery.lost_events {
        assert_eq!(recovery.salvaged_events + lost, 2_000, "{recovery:?}");
    }
    writer.record(new_draft(1, 0)).unwrap();
    let durable = writer.wait_durable().unwrap();
    drop(writer);

    // The carried-over events are the same events, under the same sequence numbers, and the
    // new one continues after them.
    let outbox = Outbox::open(&path).unwrap();
    let held = outbox.peek(10_000).unwrap();
    assert_eq!(held.len() as u64, recovery.salvaged_events + 1);
    for event in &held[..held.len() - 1] {
        assert_eq!(event.id, ids[event.seq as usize - 1]);
    }
    assert!(durable.last_seq > 2_000, "{durable:?}");
}
