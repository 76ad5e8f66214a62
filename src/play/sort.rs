//! The sort game for one visitor: drag (or tap) the item on top of the pile into a bin.

use crate::ui::SortCommand;
use kepu_core::manifest::ExhibitManifest;
use kepu_core::sort::{Placement, SortRound};
use kepu_core::wire::EventKind;

#[derive(Debug, Clone, PartialEq)]
pub struct SortProgress {
    pub round: SortRound,
    /// The last placement, for the feedback banner.
    pub last: Option<LastPlacement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LastPlacement {
    pub item_id: String,
    pub bin_id: String,
    pub placement: Placement,
}

impl SortProgress {
    pub fn apply(&mut self, manifest: &ExhibitManifest, command: &SortCommand) -> Vec<EventKind> {
        match command {
            SortCommand::PlaceItem { item, bin } => self.place(&manifest.id, item, bin),
            SortCommand::SortAgain => {
                self.restart(manifest, rand::random());
                Vec::new()
            }
        }
    }

    /// A round in a random item order; `None` when the manifest cannot make a round (the
    /// validator rejects such manifests, so this is only a guard).
    pub fn new(manifest: &ExhibitManifest, seed: u64) -> Option<Self> {
        let mut round = SortRound::from_manifest(manifest).ok()?;
        round.shuffle(seed);
        Some(Self { round, last: None })
    }

    /// Puts an item into a bin. A wrong bin leaves the item on the pile to try again.
    pub fn place(&mut self, exhibit_id: &str, item_id: &str, bin_id: &str) -> Vec<EventKind> {
        let Ok(placement) = self.round.place(item_id, bin_id) else {
            return Vec::new();
        };
        let event = EventKind::SortPlacement {
            exhibit_id: exhibit_id.to_owned(),
            item_id: item_id.to_owned(),
            bin_id: bin_id.to_owned(),
            correct: placement.correct,
        };
        self.last = Some(LastPlacement {
            item_id: item_id.to_owned(),
            bin_id: bin_id.to_owned(),
            placement,
        });
        vec![event]
    }

    /// Another round with the items reshuffled.
    pub fn restart(&mut self, manifest: &ExhibitManifest, seed: u64) {
        if let Some(fresh) = Self::new(manifest, seed) {
            *self = fresh;
        }
    }
}
