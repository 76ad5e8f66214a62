//! `/dashboard/sort/{exhibit}`: a sort game's confusion matrix — per item, the sessions that
//! put it in each bin (the right bin marked) — with the most-missed items first.
//!
//! The counts are sessions per (item, bin): a session that tried two wrong bins before the
//! right one is in three cells, so a row does not add up to the sessions that placed the item
//! and the table has no totals. An item's miss share is its wrong-bin cells over all its
//! cells (the share of session–bin placements that were wrong), from the adjusted counts,
//! shown only when neither the wrong nor the right placements rest on 1..k−1 sessions.

use super::input::{AtomSum, Count};
use super::suppress::{CountTable, Published, Shown, ShownTable, Suppression};
use super::{Label, Names, ReportError, group_of};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SortInput {
    pub exhibit_id: String,
    /// The bins, in the manifest's order.
    pub bins: Vec<String>,
    /// Each item and its right bin, in the manifest's order.
    pub items: Vec<(String, String)>,
    /// Sessions that put an item in a bin: group `[item, bin]`.
    pub placements: Vec<AtomSum>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SortReport {
    pub exhibit: Label,
    /// Rows: items, the most missed first (items whose miss share is hidden after them);
    /// columns: bins. No totals (see the module's documentation).
    pub matrix: ShownTable,
    /// Per row of `matrix`: the item's right bin and its miss share.
    pub items: Vec<SortItemRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SortItemRow {
    pub item: Label,
    pub right_bin: Label,
    /// Wrong-bin placements ÷ all placements of the item.
    pub miss_share: Shown<f64>,
}

/// The sort page of one exhibit.
pub fn sort(
    privacy: &Suppression,
    input: &SortInput,
    names: &dyn Names,
) -> Result<Published<SortReport>, ReportError> {
    let mut cells: BTreeMap<(String, String), Count> = BTreeMap::new();
    for atom in &input.placements {
        let [item, bin] = group_of::<2>("placements", &atom.group)?;
        let cell = cells.entry((item.to_owned(), bin.to_owned())).or_default();
        *cell = *cell + atom.count();
    }
    let mut items = input.items.clone();
    let mut bins = input.bins.clone();
    for (item, bin) in cells.keys() {
        if !items.iter().any(|(i, _)| i == item) {
            items.push((item.clone(), String::new()));
        }
        if !bins.contains(bin) {
            bins.push(bin.clone());
        }
    }
    let exhibit = input.exhibit_id.as_str();
    let item_label = |id: &str| Label::new(id, names.sort_item(exhibit, id));
    let bin_label = |id: &str| Label::new(id, names.bin(exhibit, id));
    // The miss share of each item, then the rows ordered by it.
    let mut rows: Vec<(String, String, Shown<f64>)> = items
        .iter()
        .map(|(item, right)| {
            let mut wrong = Count::ZERO;
            let mut all = Count::ZERO;
            for bin in &bins {
                let cell = cells
                    .get(&(item.clone(), bin.clone()))
                    .copied()
                    .unwrap_or_default();
                all = all + cell;
                if bin != right {
                    wrong = wrong + cell;
                }
            }
            (item.clone(), right.clone(), privacy.share(wrong, all))
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |share: &Shown<f64>| share.value().map_or(f64::NEG_INFINITY, |v| v);
        key(&b.2).total_cmp(&key(&a.2))
    });
    let table = CountTable::new(
        "sort",
        rows.iter().map(|(item, _, _)| item_label(item)).collect(),
        bins.iter().map(|bin| bin_label(bin)).collect(),
        rows.iter()
            .map(|(item, _, _)| {
                bins.iter()
                    .map(|bin| {
                        cells
                            .get(&(item.clone(), bin.clone()))
                            .copied()
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect(),
    )?;
    let report = SortReport {
        exhibit: Label::new(exhibit, names.exhibit(exhibit)),
        matrix: privacy.table(&table),
        items: rows
            .into_iter()
            .map(|(item, right, miss_share)| SortItemRow {
                item: item_label(&item),
                right_bin: bin_label(&right),
                miss_share,
            })
            .collect(),
    };
    Ok(privacy.publish(report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::reports::{MinSessions, NoNames, Reading};

    fn input() -> SortInput {
        SortInput {
            exhibit_id: "waste".into(),
            bins: vec!["kitchen".into(), "hazardous".into()],
            items: vec![
                ("peel".into(), "kitchen".into()),
                ("battery".into(), "hazardous".into()),
            ],
            placements: vec![
                // peel: 40 right, 10 wrong → 10/50 = 20 % missed.
                AtomSum::new(&["peel", "kitchen"], 40, 40),
                AtomSum::new(&["peel", "hazardous"], 10, 10),
                // battery: 30 right, 30 wrong → 50 % missed: first.
                AtomSum::new(&["battery", "hazardous"], 30, 30),
                AtomSum::new(&["battery", "kitchen"], 30, 30),
            ],
        }
    }

    #[test]
    fn the_most_missed_items_come_first_with_their_miss_share() {
        let privacy = Suppression::new(MinSessions::default());
        let report = sort(&privacy, &input(), &NoNames).unwrap().into_inner();
        let order: Vec<&str> = report.items.iter().map(|r| r.item.key.as_str()).collect();
        assert_eq!(order, ["battery", "peel"]);
        assert_eq!(report.items[0].miss_share.read(), Reading::Value(0.5));
        assert_eq!(report.items[1].miss_share.read(), Reading::Value(0.2));
        assert_eq!(report.items[1].right_bin.key, "kitchen");
        // Row battery: kitchen 30, hazardous 30.
        assert_eq!(report.matrix.cells[0][0].value(), Some(30));
        assert!(report.matrix.row_totals.is_none());
    }

    #[test]
    fn a_cell_of_few_sessions_and_the_share_it_would_give_away_are_hidden() {
        let mut small = input();
        small.placements[1] = AtomSum::new(&["peel", "hazardous"], 5, 3);
        let privacy = Suppression::new(MinSessions::default());
        let report = sort(&privacy, &small, &NoNames).unwrap().into_inner();
        let peel = report
            .items
            .iter()
            .position(|r| r.item.key == "peel")
            .unwrap();
        assert!(report.items[peel].miss_share.is_suppressed());
        assert!(report.matrix.cells[peel][1].is_suppressed());
        // Hidden shares go after the shown ones.
        assert_eq!(peel, 1);
    }

    #[test]
    fn placements_of_an_unknown_shape_are_refused() {
        let mut bad = input();
        bad.placements.push(AtomSum::new(&["peel"], 1, 1));
        let privacy = Suppression::new(MinSessions::default());
        assert!(matches!(
            sort(&privacy, &bad, &NoNames),
            Err(ReportError::GroupShape { .. })
        ));
    }
}
