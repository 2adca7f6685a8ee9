//! Comparing two scored runs (`infokoll score --compare DIR`), and placing
//! a single score against a run (`infokoll check --against DIR`).

use std::collections::HashMap;

use super::run::better;
use super::{Change, ItemChange, ItemResult, MunicipalityScore, RunScores};

/// Fills `change` of every municipality of `now` that is also in `before`
/// (matched by code), `previous` of every item count (matched by id) and
/// `compared_with`. A municipality new since `before` keeps `change: None`.
pub fn compare(now: &mut RunScores, before: &RunScores) {
    now.compared_with = Some(before.run.clone());
    let earlier: HashMap<&str, &MunicipalityScore> = before
        .municipalities
        .iter()
        .map(|m| (m.code.as_str(), m))
        .collect();
    for m in &mut now.municipalities {
        m.change = earlier.get(m.code.as_str()).map(|b| change(m, b));
    }
    let counts: HashMap<&str, u32> = before
        .item_counts
        .iter()
        .map(|c| (c.id.as_str(), c.count))
        .collect();
    for c in &mut now.item_counts {
        c.previous = counts.get(c.id.as_str()).copied();
    }
}

/// Found or not when the item has a value; `None` = no data.
fn state(item: &ItemResult) -> Option<bool> {
    item.value.map(|_| item.found)
}

fn change(now: &MunicipalityScore, before: &MunicipalityScore) -> Change {
    let earlier: HashMap<&str, &ItemResult> = before
        .items
        .iter()
        .chain(&before.other_subindex_items)
        .map(|i| (i.id.as_str(), i))
        .collect();
    let items_changed = now
        .items
        .iter()
        .chain(&now.other_subindex_items)
        .filter_map(|item| {
            let was = earlier.get(item.id.as_str()).and_then(|b| state(b));
            let is = state(item);
            (was != is).then(|| ItemChange {
                item: item.id.clone(),
                name: item.name.clone(),
                was,
                now: is,
            })
        })
        .collect();
    Change {
        previous_score: before.score,
        previous_rank: before.rank,
        score_delta: now.score.zip(before.score).map(|(a, b)| a - b),
        rank_delta: now
            .rank
            .zip(before.rank)
            .map(|(a, b)| i64::from(b) - i64::from(a)),
        items_changed,
    }
}

/// Where `score` would place if it joined the ranking of `scores`:
/// `(place, of)` with `place` = 1 + the number of ranked municipalities that
/// score better (equal scores share the place) and `of` = ranked + 1.
pub fn place_against(scores: &RunScores, score: f64) -> (u32, u32) {
    place_against_as(scores, score, None)
}

/// Like [`place_against`], but the municipality `code` (the one being
/// checked) is first taken out of the ranking, so its own old result does
/// not compete with the new one.
pub fn place_against_as(scores: &RunScores, score: f64, code: Option<&str>) -> (u32, u32) {
    let others = scores
        .municipalities
        .iter()
        .filter(|m| Some(m.code.as_str()) != code)
        .filter_map(|m| m.score);
    let (mut ahead, mut ranked) = (0, 0);
    for s in others {
        ranked += 1;
        ahead += u32::from(better(s, score));
    }
    (ahead + 1, ranked + 1)
}
