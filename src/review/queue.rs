//! What gets flagged for review, in which order, and what the reviews say
//! about the machine's precision.
//!
//! A finding (municipality × item) enters the queue for one or more
//! [`Reason`]s:
//!
//! - **grey zone** — the verdict's `flagged` (confidence inside the rule's
//!   grey zone);
//! - **changed** — with `--previous DIR`: found in the earlier run (after its
//!   reviews) and missing now, or the reverse;
//! - **incomplete** — the crawl ended `partial`: every item not found (the
//!   missing page may be one that was not fetched);
//! - **failed** — the site could not be audited (or the crawl has not
//!   finished): one entry per municipality, without an item, listed last
//!   (a review cannot give it a score; it needs a new crawl);
//! - **contradictory** — the positive evidence on one page alone reaches the
//!   rule's threshold but the verdict says missing (negative signals pulled
//!   it down), or the verdict says found but negative signals damped the
//!   best page's confidence by at least [`DAMPING`];
//! - **sample** — a deterministic random share (`--sample`, default 5 %) of
//!   the confident verdicts (not in the grey zone), drawn from a hash of
//!   year, code and item, so that precision can be estimated from reviews
//!   ([`precision`]). A sampled finding may have other reasons too.
//!
//! The queue is ordered by the effect a changed verdict has on the
//! municipality's score ([`item_effects`]: the item's share of the model's
//! weights, in points); at equal effect, findings flagged for a reason
//! other than the sample come first; then by code and item.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rules::RuleSet;
use crate::score::Model;
use crate::store::{Decision, DecisionRow, MunicipalityState, VerdictRow};

/// A finding's key: (municipality code, item id).
pub(crate) type Key = (String, String);

/// How much negative signals must damp a found verdict to flag it.
pub const DAMPING: f64 = 0.2;

/// Why a finding is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Confidence in the rule's grey zone.
    GreyZone,
    /// Found-state differs from the previous run.
    Changed,
    /// The crawl was partial and the item was not found.
    Incomplete,
    /// The site could not be audited.
    Failed,
    /// The evidence points both ways.
    Contradictory,
    /// In the random sample of confident verdicts.
    Sample,
    /// Missing, with low coverage or a strong near miss ("osäker – granskas").
    Uncertain,
}

impl Reason {
    /// Every reason, in display order.
    pub const ALL: [Reason; 7] = [
        Reason::Uncertain,
        Reason::GreyZone,
        Reason::Changed,
        Reason::Incomplete,
        Reason::Failed,
        Reason::Contradictory,
        Reason::Sample,
    ];

    /// The value in URLs (`?orsak=`).
    pub fn id(self) -> &'static str {
        match self {
            Reason::GreyZone => "grazon",
            Reason::Changed => "andrad",
            Reason::Incomplete => "ofullstandig",
            Reason::Failed => "misslyckad",
            Reason::Contradictory => "motstridig",
            Reason::Sample => "stickprov",
            Reason::Uncertain => "osaker",
        }
    }

    /// The Swedish label.
    pub fn label_sv(self) -> &'static str {
        match self {
            Reason::GreyZone => "osäker (gråzon)",
            Reason::Changed => "ändrad sedan förra körningen",
            Reason::Incomplete => "ofullständig granskning",
            Reason::Failed => "granskningen misslyckades",
            Reason::Contradictory => "motstridiga belägg",
            Reason::Sample => "stickprov",
            Reason::Uncertain => "saknas – osäker (täckning eller nära träff)",
        }
    }

    /// The reason with this URL id.
    pub fn from_id(id: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// One entry of the queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueEntry {
    /// The municipality.
    pub code: String,
    /// The item; `None` for a municipality whose audit failed.
    pub item: Option<String>,
    /// Why it is flagged (sorted, at least one).
    pub reasons: Vec<Reason>,
    /// Points of the municipality's score that change if the verdict flips.
    pub effect: f64,
}

/// What the queue is built from.
pub(crate) struct QueueInputs<'a> {
    pub(crate) states: &'a [MunicipalityState],
    pub(crate) verdicts: &'a HashMap<Key, VerdictRow>,
    pub(crate) previous: Option<&'a HashMap<Key, bool>>,
    pub(crate) rules: &'a RuleSet,
    pub(crate) effects: &'a HashMap<String, f64>,
    pub(crate) sample: f64,
    pub(crate) year: u16,
}

/// True when a site status has verdicts worth reviewing.
pub(crate) fn has_data(state: &MunicipalityState) -> bool {
    matches!(state.site_status.as_deref(), Some("ok" | "partial"))
}

/// Builds the queue, ordered by effect (largest first), code and item.
pub(crate) fn build(inputs: &QueueInputs<'_>) -> Vec<QueueEntry> {
    let mut entries = Vec::new();
    for state in inputs.states {
        let code = &state.municipality.code;
        if !has_data(state) {
            entries.push(QueueEntry {
                code: code.clone(),
                item: None,
                reasons: vec![Reason::Failed],
                effect: 0.0,
            });
            continue;
        }
        let partial = state.site_status.as_deref() == Some("partial");
        for rule in &inputs.rules.rules {
            let key = (code.clone(), rule.id.clone());
            let Some(verdict) = inputs.verdicts.get(&key) else {
                continue;
            };
            let mut reasons = Vec::new();
            if verdict.uncertain.is_some() {
                reasons.push(Reason::Uncertain);
            } else if verdict.flagged {
                reasons.push(Reason::GreyZone);
            }
            if let Some(before) = inputs.previous.and_then(|p| p.get(&key)) {
                if *before != verdict.found {
                    reasons.push(Reason::Changed);
                }
            }
            if partial && !verdict.found {
                reasons.push(Reason::Incomplete);
            }
            if contradictory(verdict, rule.threshold) {
                reasons.push(Reason::Contradictory);
            }
            if !verdict.flagged && in_sample(inputs.year, code, &rule.id, inputs.sample) {
                reasons.push(Reason::Sample);
            }
            if !reasons.is_empty() {
                entries.push(QueueEntry {
                    code: code.clone(),
                    item: Some(rule.id.clone()),
                    reasons,
                    effect: inputs.effects.get(&rule.id).copied().unwrap_or(0.0),
                });
            }
        }
    }
    let order: HashMap<&str, usize> = inputs
        .rules
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let rank = |e: &QueueEntry| {
        e.item
            .as_deref()
            .and_then(|i| order.get(i).copied())
            .unwrap_or(usize::MAX)
    };
    let sample_only = |e: &QueueEntry| e.reasons == [Reason::Sample];
    entries.sort_by(|a, b| {
        b.effect
            .total_cmp(&a.effect)
            .then_with(|| sample_only(a).cmp(&sample_only(b)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| rank(a).cmp(&rank(b)))
    });
    entries
}

/// Points of the score an item is worth: `100 × w_part / Σ w_parts ×
/// w_item / Σ w_items of its part`. Items of other subindexes are worth 0.
pub fn item_effects(model: &Model) -> HashMap<String, f64> {
    let part_total: f64 = model
        .parts
        .iter()
        .filter(|p| p.items.iter().any(|i| i.weight > 0.0))
        .map(|p| p.weight)
        .sum();
    let mut effects = HashMap::new();
    for part in model.parts.iter().chain(&model.other) {
        let item_total: f64 = part.items.iter().map(|i| i.weight).sum();
        for item in &part.items {
            let effect = if part_total > 0.0 && item_total > 0.0 {
                100.0 * part.weight / part_total * item.weight / item_total
            } else {
                0.0
            };
            effects.insert(item.id.clone(), effect);
        }
    }
    effects
}

/// A uniform number in `[0, 1)` from year, code and item.
pub fn sample_value(year: u16, code: &str, item: &str) -> f64 {
    let digest = Sha256::digest(format!("infokoll-stickprov:{year}:{code}:{item}").as_bytes());
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) >> 11) as f64 / (1_u64 << 53) as f64
}

/// True when the finding is in the sample of share `share` (0–1).
pub fn in_sample(year: u16, code: &str, item: &str, share: f64) -> bool {
    share > 0.0 && sample_value(year, code, item) < share
}

/// True when the evidence points both ways (see the module docs).
pub fn contradictory(verdict: &VerdictRow, threshold: f64) -> bool {
    let mut per_page: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for e in &verdict.evidence {
        if e.weight > 0.0 {
            per_page.entry(e.url.as_str()).or_default().push(e.weight);
        }
    }
    let best = per_page
        .into_values()
        .map(crate::detect::confidence)
        .fold(0.0_f64, f64::max);
    if verdict.found {
        best - verdict.confidence >= DAMPING
    } else {
        best >= threshold
    }
}

/// The latest decision per finding: by `decided_at`, then log order (the
/// scorer's rule).
pub(crate) fn latest(log: &[(i64, DecisionRow)]) -> HashMap<Key, (i64, DecisionRow)> {
    let mut out: HashMap<Key, (i64, DecisionRow)> = HashMap::new();
    for (id, row) in log {
        let key = (row.code.clone(), row.item.clone());
        let newer = out
            .get(&key)
            .is_none_or(|(old_id, old)| (row.decided_at, *id) >= (old.decided_at, *old_id));
        if newer {
            out.insert(key, (*id, row.clone()));
        }
    }
    out
}

/// The verdict after a decision: confirm keeps it, reject flips it,
/// present makes it found.
pub fn final_found(machine: bool, decision: Decision) -> bool {
    match decision {
        Decision::Confirm => machine,
        Decision::Reject => !machine,
        Decision::Present => true,
    }
}

/// The machine's precision on one item, estimated from the reviewed part
/// of the random sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Precision {
    /// The item id.
    pub item: String,
    /// Findings of the item in the sample.
    pub sampled: usize,
    /// Of those, reviewed.
    pub reviewed: usize,
    /// Reviewed ones where the machine was right.
    pub correct: usize,
    /// Reviewed ones the machine called found.
    pub found_reviewed: usize,
    /// Of those, right (precision = `found_correct / found_reviewed`).
    pub found_correct: usize,
}

/// Precision per item (rule order) from the sampled queue entries and the
/// latest decisions.
pub(crate) fn precision(
    entries: &[QueueEntry],
    verdicts: &HashMap<Key, VerdictRow>,
    latest: &HashMap<Key, (i64, DecisionRow)>,
    rules: &RuleSet,
) -> Vec<Precision> {
    let mut out: Vec<Precision> = rules
        .rules
        .iter()
        .map(|r| Precision {
            item: r.id.clone(),
            sampled: 0,
            reviewed: 0,
            correct: 0,
            found_reviewed: 0,
            found_correct: 0,
        })
        .collect();
    let index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, p)| (p.item.clone(), i))
        .collect();
    for entry in entries
        .iter()
        .filter(|e| e.reasons.contains(&Reason::Sample))
    {
        let Some(item) = &entry.item else { continue };
        let Some(&i) = index.get(item) else { continue };
        let p = &mut out[i];
        p.sampled += 1;
        let key = (entry.code.clone(), item.clone());
        let Some((_, decision)) = latest.get(&key) else {
            continue;
        };
        let Some(machine) = decision
            .machine_found
            .or_else(|| verdicts.get(&key).map(|v| v.found))
        else {
            continue;
        };
        let right = final_found(machine, decision.decision) == machine;
        p.reviewed += 1;
        p.correct += usize::from(right);
        if machine {
            p.found_reviewed += 1;
            p.found_correct += usize::from(right);
        }
    }
    out
}

/// One reviewer's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The reviewer.
    pub reviewer: String,
    /// Decisions in the log.
    pub decisions: usize,
    /// Distinct findings decided.
    pub findings: usize,
    /// Queue entries whose latest decision is theirs.
    pub queue_done: usize,
    /// The latest decision (Unix ms).
    pub last: i64,
}

/// Progress per reviewer, by name.
pub(crate) fn progress(
    log: &[(i64, DecisionRow)],
    latest: &HashMap<Key, (i64, DecisionRow)>,
    entries: &[QueueEntry],
) -> Vec<Progress> {
    let mut by: BTreeMap<&str, (usize, std::collections::HashSet<Key>, i64)> = BTreeMap::new();
    for (_, row) in log {
        let e = by.entry(row.reviewer.as_str()).or_default();
        e.0 += 1;
        e.1.insert((row.code.clone(), row.item.clone()));
        e.2 = e.2.max(row.decided_at);
    }
    let mut done: HashMap<&str, usize> = HashMap::new();
    for entry in entries {
        let Some(item) = &entry.item else { continue };
        if let Some((_, d)) = latest.get(&(entry.code.clone(), item.clone())) {
            *done.entry(d.reviewer.as_str()).or_default() += 1;
        }
    }
    by.into_iter()
        .map(|(name, (decisions, findings, last))| Progress {
            reviewer: name.to_owned(),
            decisions,
            findings: findings.len(),
            queue_done: done.get(name).copied().unwrap_or(0),
            last,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::EvidenceRow;

    fn ev(url: &str, weight: f64) -> EvidenceRow {
        EvidenceRow {
            url: url.into(),
            snippet: "x".into(),
            highlights: vec![],
            signal: "s".into(),
            kind: "text".into(),
            weight,
            context: String::new(),
            target: None,
            depth: 1,
            off_site: false,
            warc: None,
        }
    }

    #[test]
    fn sample_is_deterministic_and_near_its_share() {
        assert_eq!(
            sample_value(2026, "0188", "rakna_avgift").to_bits(),
            sample_value(2026, "0188", "rakna_avgift").to_bits()
        );
        let hits = (0..10_000)
            .filter(|i| in_sample(2026, &format!("{i:04}"), "rakna_avgift", 0.05))
            .count();
        assert!((400..600).contains(&hits), "{hits}");
        assert!(!in_sample(2026, "0188", "x", 0.0));
        assert!(in_sample(2026, "0188", "x", 1.0));
    }

    #[test]
    fn contradiction_both_ways() {
        let mut v = VerdictRow {
            item: "x".into(),
            found: false,
            confidence: 0.3,
            flagged: false,
            uncertain: None,
            evidence: vec![ev("a", 0.5), ev("a", 0.4), ev("b", 0.2)],
        };
        // Page a alone: 1 − 0.5·0.6 = 0.7 ≥ 0.6 but the verdict says missing.
        assert!(contradictory(&v, 0.6));
        assert!(!contradictory(&v, 0.8));
        v.found = true;
        v.confidence = 0.65;
        assert!(!contradictory(&v, 0.6));
        v.confidence = 0.45;
        assert!(contradictory(&v, 0.4));
    }

    #[test]
    fn latest_and_final() {
        let row = |at, d| DecisionRow {
            code: "0188".into(),
            item: "x".into(),
            reviewer: "anna".into(),
            decided_at: at,
            decision: d,
            url: None,
            comment: None,
            machine_found: Some(true),
            machine_confidence: Some(0.9),
        };
        let log = vec![
            (1, row(10, Decision::Reject)),
            (2, row(10, Decision::Confirm)),
            (3, row(5, Decision::Present)),
        ];
        let l = latest(&log);
        assert_eq!(l[&("0188".into(), "x".into())].0, 2);
        assert!(final_found(true, Decision::Confirm));
        assert!(!final_found(true, Decision::Reject));
        assert!(final_found(false, Decision::Reject));
        assert!(final_found(false, Decision::Present));
        assert_eq!(Reason::from_id("grazon"), Some(Reason::GreyZone));
        assert_eq!(Reason::from_id("nej"), None);
    }
}
