//! One visitor's round of the sort game (drag each item into its bin), independent of how it is
//! drawn.
//!
//! A wrong placement sends the item back to the pile, in the same place, so the visitor can try
//! again until it is in the right bin: the round always ends with everything sorted correctly,
//! which is what the visitor should remember. Only the first try at each item counts for the
//! score, so guessing through the bins does not earn points.

use crate::i18n::LocalizedText;
use crate::manifest::{Bin, ExhibitManifest, SortItem};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::BTreeSet;

/// Why a round could not be set up or a placement was refused. None of these changes the round.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    #[error("there is no item \"{0}\" in this round")]
    UnknownItem(String),
    #[error("there is no bin \"{0}\" in this round")]
    UnknownBin(String),
    /// A stale drag of an item that is already in its bin (e.g. a second touch).
    #[error("item \"{0}\" is already in its bin")]
    AlreadyPlaced(String),
    #[error("item \"{item}\" belongs in bin \"{bin}\", which the exhibit does not have")]
    ItemWithoutBin { item: String, bin: String },
    #[error("two items share the id \"{0}\"")]
    DuplicateItem(String),
    #[error("two bins share the id \"{0}\"")]
    DuplicateBin(String),
}

/// What the visitor learns right after dropping an item into a bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub correct: bool,
    /// Whether this was the visitor's first try at the item, the one that counts for the score.
    pub first_try: bool,
    /// The bin the item belongs in, to highlight it after a wrong drop.
    pub right_bin: String,
    /// Why it belongs there (the manifest's `feedback`), shown either way.
    pub feedback: LocalizedText,
    /// Whether this placement sorted the last item.
    pub finished: bool,
}

/// How one item went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub item_id: String,
    pub right_bin: String,
    /// In its bin by now.
    pub placed: bool,
    /// The first try was the right bin (the score counts these).
    pub right_first_try: bool,
    /// Drops into a wrong bin, first try or later.
    pub wrong_attempts: u32,
    /// The wrong bins tried, in order, so the results screen can say "not in recyclables".
    pub wrong_bins: Vec<String>,
}

/// The end-of-round tally, items in the order they were offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortSummary {
    pub items: Vec<ItemResult>,
    /// Items placed right at the first try: the score.
    pub right_first_try: u32,
    /// Items whose first try went into a wrong bin.
    pub wrong_first_try: u32,
    /// Items not tried at all (the visitor left mid-round).
    pub not_tried: u32,
}

impl SortSummary {
    /// The items the visitor got wrong at first, for a "have another look" list.
    pub fn wrong_items(&self) -> impl Iterator<Item = &ItemResult> {
        self.items.iter().filter(|r| r.wrong_attempts > 0)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct ItemState {
    item: SortItem,
    placed: bool,
    /// `None` until the first drop.
    first_try_correct: Option<bool>,
    wrong_bins: Vec<String>,
}

/// One visitor's round: the bins, and the items in the order they are offered.
#[derive(Debug, Clone, PartialEq)]
pub struct SortRound {
    bins: Vec<Bin>,
    items: Vec<ItemState>,
}

impl SortRound {
    /// A round over `items`, in the given order. Validation already refuses manifests with
    /// duplicate ids or an item naming a missing bin; they are checked again here because such
    /// an item could never be sorted and the round would never end.
    pub fn new(bins: &[Bin], items: &[SortItem]) -> Result<Self, SortError> {
        let mut bin_ids = BTreeSet::new();
        for bin in bins {
            if !bin_ids.insert(bin.id.as_str()) {
                return Err(SortError::DuplicateBin(bin.id.clone()));
            }
        }
        let mut item_ids = BTreeSet::new();
        for item in items {
            if !item_ids.insert(item.id.as_str()) {
                return Err(SortError::DuplicateItem(item.id.clone()));
            }
            if !bin_ids.contains(item.bin.as_str()) {
                return Err(SortError::ItemWithoutBin {
                    item: item.id.clone(),
                    bin: item.bin.clone(),
                });
            }
        }
        Ok(Self {
            bins: bins.to_vec(),
            items: items
                .iter()
                .map(|item| ItemState {
                    item: item.clone(),
                    placed: false,
                    first_try_correct: None,
                    wrong_bins: Vec::new(),
                })
                .collect(),
        })
    }

    /// A round over a sort exhibit's `bins` and `items`.
    pub fn from_manifest(manifest: &ExhibitManifest) -> Result<Self, SortError> {
        Self::new(&manifest.bins, &manifest.items)
    }

    /// Reorders the items, reproducibly for a given seed (a test or a replay can fix it; the
    /// kiosk passes a fresh one per visitor so the same answers are not always first).
    pub fn shuffle(&mut self, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        self.items.shuffle(&mut rng);
    }

    pub fn bins(&self) -> &[Bin] {
        &self.bins
    }

    /// Every item of the round, in the order offered, sorted or not.
    pub fn items(&self) -> impl Iterator<Item = &SortItem> {
        self.items.iter().map(|s| &s.item)
    }

    /// Items still to sort, in the order offered.
    pub fn pile(&self) -> impl Iterator<Item = &SortItem> {
        self.items.iter().filter(|s| !s.placed).map(|s| &s.item)
    }

    /// The item to offer next, if the UI shows one at a time.
    pub fn next_item(&self) -> Option<&SortItem> {
        self.pile().next()
    }

    pub fn item(&self, item_id: &str) -> Option<&SortItem> {
        self.items
            .iter()
            .find(|s| s.item.id == item_id)
            .map(|s| &s.item)
    }

    pub fn is_placed(&self, item_id: &str) -> bool {
        self.items.iter().any(|s| s.item.id == item_id && s.placed)
    }

    /// Drops an item into a bin. Right: the item leaves the pile. Wrong: it stays in the pile,
    /// where it was, for another try. Unknown ids or an item already sorted are refused with an
    /// error and change nothing.
    pub fn place(&mut self, item_id: &str, bin_id: &str) -> Result<Placement, SortError> {
        if !self.bins.iter().any(|b| b.id == bin_id) {
            return Err(SortError::UnknownBin(bin_id.to_owned()));
        }
        let state = self
            .items
            .iter_mut()
            .find(|s| s.item.id == item_id)
            .ok_or_else(|| SortError::UnknownItem(item_id.to_owned()))?;
        if state.placed {
            return Err(SortError::AlreadyPlaced(item_id.to_owned()));
        }
        let correct = state.item.bin == bin_id;
        let first_try = state.first_try_correct.is_none();
        if first_try {
            state.first_try_correct = Some(correct);
        }
        if correct {
            state.placed = true;
        } else {
            state.wrong_bins.push(bin_id.to_owned());
        }
        let right_bin = state.item.bin.clone();
        let feedback = state.item.feedback.clone();
        Ok(Placement {
            correct,
            first_try,
            right_bin,
            feedback,
            finished: self.is_finished(),
        })
    }

    /// Every item is in its bin.
    pub fn is_finished(&self) -> bool {
        self.items.iter().all(|s| s.placed)
    }

    /// Items placed right at the first try.
    pub fn score(&self) -> u32 {
        count(
            self.items
                .iter()
                .filter(|s| s.first_try_correct == Some(true)),
        )
    }

    pub fn max_score(&self) -> u32 {
        count(self.items.iter())
    }

    pub fn summary(&self) -> SortSummary {
        let items: Vec<ItemResult> = self
            .items
            .iter()
            .map(|s| ItemResult {
                item_id: s.item.id.clone(),
                right_bin: s.item.bin.clone(),
                placed: s.placed,
                right_first_try: s.first_try_correct == Some(true),
                wrong_attempts: u32::try_from(s.wrong_bins.len()).unwrap_or(u32::MAX),
                wrong_bins: s.wrong_bins.clone(),
            })
            .collect();
        SortSummary {
            right_first_try: self.score(),
            wrong_first_try: count(
                self.items
                    .iter()
                    .filter(|s| s.first_try_correct == Some(false)),
            ),
            not_tried: count(self.items.iter().filter(|s| s.first_try_correct.is_none())),
            items,
        }
    }
}

fn count<T>(iter: impl Iterator<Item = T>) -> u32 {
    u32::try_from(iter.count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> ExhibitManifest {
        toml::from_str(
            r##"
            id = "bins"
            kind = "sort"
            title = { zh = "垃圾分类", en = "Sorting waste" }

            [[bins]]
            id = "kitchen"
            label = { zh = "厨余垃圾", en = "Kitchen waste" }
            color = "#2e7d32"

            [[bins]]
            id = "recyclable"
            label = { zh = "可回收物", en = "Recyclables" }

            [[bins]]
            id = "hazardous"
            label = { zh = "有害垃圾", en = "Hazardous" }

            [[items]]
            id = "peel"
            label = { zh = "果皮", en = "Fruit peel" }
            bin = "kitchen"
            feedback = { zh = "果皮可以堆肥。", en = "Peel can be composted." }

            [[items]]
            id = "bottle"
            label = { zh = "塑料瓶", en = "Plastic bottle" }
            bin = "recyclable"
            feedback = { zh = "塑料瓶可以回收。", en = "Bottles are recycled." }

            [[items]]
            id = "battery"
            label = { zh = "电池", en = "Battery" }
            bin = "hazardous"
            feedback = { zh = "电池含有重金属。", en = "Batteries hold heavy metals." }
            "##,
        )
        .unwrap()
    }

    fn round() -> SortRound {
        SortRound::from_manifest(&manifest()).unwrap()
    }

    fn pile_ids(round: &SortRound) -> Vec<&str> {
        round.pile().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn a_right_placement_takes_the_item_off_the_pile() {
        let mut round = round();
        assert_eq!(pile_ids(&round), ["peel", "bottle", "battery"]);
        let placement = round.place("bottle", "recyclable").unwrap();
        assert!(placement.correct && placement.first_try && !placement.finished);
        assert_eq!(placement.right_bin, "recyclable");
        assert_eq!(placement.feedback.get("en", &[]), "Bottles are recycled.");
        assert_eq!(pile_ids(&round), ["peel", "battery"]);
        assert!(round.is_placed("bottle"));
        assert_eq!(round.next_item().map(|i| i.id.as_str()), Some("peel"));
    }

    #[test]
    fn a_wrong_placement_returns_the_item_and_only_the_first_try_counts() {
        let mut round = round();
        let wrong = round.place("battery", "kitchen").unwrap();
        assert!(!wrong.correct && wrong.first_try);
        assert_eq!(wrong.right_bin, "hazardous");
        assert_eq!(wrong.feedback.get("zh", &[]), "电池含有重金属。");
        assert_eq!(
            pile_ids(&round),
            ["peel", "bottle", "battery"],
            "back where it was"
        );

        let again = round.place("battery", "recyclable").unwrap();
        assert!(!again.correct && !again.first_try);
        let right = round.place("battery", "hazardous").unwrap();
        assert!(right.correct && !right.first_try);
        assert_eq!(round.score(), 0, "a later right try earns nothing");

        round.place("peel", "kitchen").unwrap();
        let last = round.place("bottle", "recyclable").unwrap();
        assert!(last.finished);
        assert!(round.is_finished());
        assert_eq!((round.score(), round.max_score()), (2, 3));
    }

    #[test]
    fn summary_counts_per_item() {
        let mut round = round();
        round.place("battery", "kitchen").unwrap();
        round.place("battery", "recyclable").unwrap();
        round.place("battery", "hazardous").unwrap();
        round.place("peel", "kitchen").unwrap();
        let summary = round.summary();
        assert_eq!(summary.right_first_try, 1);
        assert_eq!(summary.wrong_first_try, 1);
        assert_eq!(summary.not_tried, 1);
        let battery = &summary.items[2];
        assert_eq!(battery.item_id, "battery");
        assert!(battery.placed && !battery.right_first_try);
        assert_eq!(battery.wrong_attempts, 2);
        assert_eq!(battery.wrong_bins, ["kitchen", "recyclable"]);
        let peel = &summary.items[0];
        assert!(peel.placed && peel.right_first_try && peel.wrong_attempts == 0);
        let bottle = &summary.items[1];
        assert!(!bottle.placed && !bottle.right_first_try);
        let wrong: Vec<&str> = summary.wrong_items().map(|r| r.item_id.as_str()).collect();
        assert_eq!(wrong, ["battery"]);
    }

    #[test]
    fn bad_placements_are_errors_that_change_nothing() {
        let mut round = round();
        round.place("peel", "kitchen").unwrap();
        let before = round.clone();
        assert_eq!(
            round.place("sock", "kitchen"),
            Err(SortError::UnknownItem("sock".into()))
        );
        assert_eq!(
            round.place("bottle", "compost"),
            Err(SortError::UnknownBin("compost".into()))
        );
        assert_eq!(
            round.place("peel", "kitchen"),
            Err(SortError::AlreadyPlaced("peel".into()))
        );
        assert_eq!(
            round.place("peel", "hazardous"),
            Err(SortError::AlreadyPlaced("peel".into()))
        );
        assert_eq!(round, before);
    }

    #[test]
    fn broken_item_lists_are_refused() {
        let manifest = manifest();
        let mut items = manifest.items.clone();
        items[1].bin = "compost".into();
        assert_eq!(
            SortRound::new(&manifest.bins, &items),
            Err(SortError::ItemWithoutBin {
                item: "bottle".into(),
                bin: "compost".into()
            })
        );
        let mut items = manifest.items.clone();
        items[2].id = "peel".into();
        assert_eq!(
            SortRound::new(&manifest.bins, &items),
            Err(SortError::DuplicateItem("peel".into()))
        );
        let mut bins = manifest.bins.clone();
        bins[1].id = "kitchen".into();
        assert_eq!(
            SortRound::new(&bins, &manifest.items),
            Err(SortError::DuplicateBin("kitchen".into()))
        );
        // No items: nothing to do, finished at once.
        let empty = SortRound::new(&manifest.bins, &[]).unwrap();
        assert!(empty.is_finished());
        assert_eq!(empty.max_score(), 0);
    }

    #[test]
    fn shuffle_is_a_reproducible_permutation() {
        let manifest = manifest();
        let bin = manifest.bins[0].id.clone();
        let many: Vec<SortItem> = (0..12)
            .map(|n| SortItem {
                id: format!("item-{n}"),
                bin: bin.clone(),
                ..manifest.items[0].clone()
            })
            .collect();
        let ordered = SortRound::new(&manifest.bins, &many).unwrap();
        let order =
            |round: &SortRound| -> Vec<String> { round.items().map(|i| i.id.clone()).collect() };
        let mut first = ordered.clone();
        first.shuffle(42);
        let mut again = ordered.clone();
        again.shuffle(42);
        let mut other = ordered.clone();
        other.shuffle(43);
        assert_eq!(order(&first), order(&again));
        assert_ne!(order(&first), order(&other));
        assert_ne!(order(&first), order(&ordered));
        let mut sorted = order(&first);
        sorted.sort();
        let mut expected = order(&ordered);
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
