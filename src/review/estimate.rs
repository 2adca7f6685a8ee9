//! Precision and recall per item, estimated from the reviewers' decisions
//! (`infokoll eval --run DIR` and the review start page).
//!
//! The verdicts of an item fall into four strata: machine found or
//! missing × **queued** (in the review queue for a reason other than the
//! sample: grey zone, changed, incomplete, contradictory) or **confident**
//! (the rest). A stratum's error rate is estimated from its reviewed
//! verdicts: in the confident strata only from the random sample (other
//! reviews of confident verdicts are not random and are left out, counted
//! as `ignored`); in the queued strata from every reviewed verdict, taken
//! as representative of the stratum (exact when the whole stratum is
//! reviewed). Each rate gets a Wilson score interval (95 %), or none when
//! the stratum is wholly reviewed; a stratum with verdicts but no review
//! counts as anything from 0 to 1.
//!
//! Then, with `N` verdicts, `n` reviewed and `k` of those right per stratum:
//! `TP = Σ N₊·k₊/n₊` over the found strata, `FN = Σ N₋·(n₋−k₋)/n₋` over the
//! missing ones, precision `TP / N₊` and recall `TP / (TP + FN)`. The
//! interval combines the strata's bounds in the least favourable
//! direction, so it is conservative. A point estimate is only given when
//! every stratum with verdicts has at least one review.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::queue::{self, final_found, has_data, Key, QueueEntry, QueueInputs, Reason};
use super::{previous_found, ReviewError};
use crate::rules::RuleSet;
use crate::score::Model;
use crate::store::{DecisionRow, MunicipalityState, Store, VerdictRow, FILE_NAME};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_964;

/// The Wilson score interval of `k` successes in `n` trials; `None` for `n = 0`.
pub fn wilson(k: usize, n: usize, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// One stratum of an item's verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stratum {
    /// Verdicts in the stratum.
    pub verdicts: usize,
    /// Of those, reviewed (and used).
    pub reviewed: usize,
    /// Reviewed ones where the machine was right.
    pub right: usize,
}

impl Stratum {
    /// The share the machine got right: (estimate, low, high); `(None, 0, 1)`
    /// when nothing was reviewed.
    fn right_rate(&self) -> (Option<f64>, f64, f64) {
        if self.reviewed == 0 {
            return (None, 0.0, 1.0);
        }
        let p = self.right as f64 / self.reviewed as f64;
        if self.reviewed >= self.verdicts {
            return (Some(p), p, p);
        }
        let (lo, hi) = wilson(self.right, self.reviewed, Z95).unwrap_or((0.0, 1.0));
        (Some(p), lo, hi)
    }
}

/// An estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The point estimate; `None` when a stratum with verdicts has no review.
    pub estimate: Option<f64>,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Precision and recall of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemEstimate {
    /// The item id.
    pub item: String,
    /// Machine found, in the review queue.
    pub found_queued: Stratum,
    /// Machine found, confident (reviewed = in the sample).
    pub found_confident: Stratum,
    /// Machine missing, in the review queue.
    pub missing_queued: Stratum,
    /// Machine missing, confident (reviewed = in the sample).
    pub missing_confident: Stratum,
    /// Reviewed: found and right (true positives among the reviewed).
    pub tp: usize,
    /// Reviewed: found but wrong.
    pub fp: usize,
    /// Reviewed: missing but present.
    pub fn_: usize,
    /// Reviewed: missing and right.
    pub tn: usize,
    /// Decisions on confident verdicts outside the sample (not used).
    pub ignored: usize,
    /// Estimated precision; `None` when the machine found nothing.
    pub precision: Option<Interval>,
    /// Decisions the precision rests on.
    pub precision_decisions: usize,
    /// Estimated recall; `None` when nothing can be present.
    pub recall: Option<Interval>,
    /// Decisions the recall rests on.
    pub recall_decisions: usize,
}

impl ItemEstimate {
    fn new(item: &str) -> Self {
        Self {
            item: item.to_owned(),
            found_queued: Stratum::default(),
            found_confident: Stratum::default(),
            missing_queued: Stratum::default(),
            missing_confident: Stratum::default(),
            tp: 0,
            fp: 0,
            fn_: 0,
            tn: 0,
            ignored: 0,
            precision: None,
            precision_decisions: 0,
            recall: None,
            recall_decisions: 0,
        }
    }

    /// Fills in precision and recall from the strata.
    fn finish(&mut self) {
        let found = [self.found_queued, self.found_confident];
        let missing = [self.missing_queued, self.missing_confident];
        // True positives (from the found strata) and false negatives (from
        // the missing ones), as (estimate, low, high).
        let sum = |strata: &[Stratum], wrong: bool| {
            let mut est = Some(0.0);
            let (mut lo, mut hi) = (0.0, 0.0);
            for s in strata.iter().filter(|s| s.verdicts > 0) {
                let (p, l, h) = s.right_rate();
                let (p, l, h) = if wrong {
                    (p.map(|p| 1.0 - p), 1.0 - h, 1.0 - l)
                } else {
                    (p, l, h)
                };
                let n = s.verdicts as f64;
                est = est.zip(p).map(|(e, p)| e + n * p);
                lo += n * l;
                hi += n * h;
            }
            (est, lo, hi)
        };
        let n_found: usize = found.iter().map(|s| s.verdicts).sum();
        let (tp, tp_lo, tp_hi) = sum(&found, false);
        let (fneg, fn_lo, fn_hi) = sum(&missing, true);
        self.precision_decisions = found.iter().map(|s| s.reviewed).sum();
        self.recall_decisions =
            self.precision_decisions + missing.iter().map(|s| s.reviewed).sum::<usize>();
        if n_found > 0 && self.precision_decisions > 0 {
            let n = n_found as f64;
            self.precision = Some(Interval {
                estimate: tp.map(|t| t / n),
                low: tp_lo / n,
                high: tp_hi / n,
            });
        }
        let ratio = |t: f64, f: f64| (t + f > 0.0).then(|| t / (t + f));
        if self.recall_decisions > 0 {
            let estimate = tp.zip(fneg).and_then(|(t, f)| ratio(t, f));
            let low = ratio(tp_lo, fn_hi);
            let high = ratio(tp_hi, fn_lo);
            if let (Some(low), Some(high)) = (low.or(high), high.or(low)) {
                self.recall = Some(Interval {
                    estimate,
                    low: low.min(high),
                    high,
                });
            }
        }
    }
}

/// The estimates of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunEstimate {
    /// The run's id.
    pub run: i64,
    /// The audit year (the sample depends on it).
    pub year: u16,
    /// The sample share used to tell sampled verdicts.
    pub sample: f64,
    /// Findings with a decision (latest per finding).
    pub decided: usize,
    /// Per item, in rule order.
    pub items: Vec<ItemEstimate>,
}

/// What the estimate is computed from.
pub(crate) struct EstimateInputs<'a> {
    pub(crate) entries: &'a [QueueEntry],
    pub(crate) states: &'a [MunicipalityState],
    pub(crate) verdicts: &'a HashMap<Key, VerdictRow>,
    pub(crate) latest: &'a HashMap<Key, (i64, DecisionRow)>,
    pub(crate) rules: &'a RuleSet,
}

/// Precision and recall per item (rule order) from the queue, the
/// verdicts and the latest decision per finding.
pub(crate) fn estimate(inputs: &EstimateInputs<'_>) -> Vec<ItemEstimate> {
    let queued: HashMap<(&str, &str), bool> = inputs
        .entries
        .iter()
        .filter_map(|e| {
            let item = e.item.as_deref()?;
            let other = e.reasons.iter().any(|r| *r != Reason::Sample);
            Some(((e.code.as_str(), item), other))
        })
        .collect();
    let mut out: Vec<ItemEstimate> = inputs
        .rules
        .rules
        .iter()
        .map(|r| ItemEstimate::new(&r.id))
        .collect();
    for state in inputs.states.iter().filter(|s| has_data(s)) {
        let code = state.municipality.code.as_str();
        for est in &mut out {
            let key = (code.to_owned(), est.item.clone());
            let Some(verdict) = inputs.verdicts.get(&key) else {
                continue;
            };
            let (in_queue, sampled) = match queued.get(&(code, est.item.as_str())) {
                Some(true) => (true, false),
                Some(false) => (false, true),
                None => (false, false),
            };
            let stratum = match (verdict.found, in_queue) {
                (true, true) => &mut est.found_queued,
                (true, false) => &mut est.found_confident,
                (false, true) => &mut est.missing_queued,
                (false, false) => &mut est.missing_confident,
            };
            stratum.verdicts += 1;
            let Some((_, decision)) = inputs.latest.get(&key) else {
                continue;
            };
            if !in_queue && !sampled {
                est.ignored += 1;
                continue;
            }
            let machine = decision.machine_found.unwrap_or(verdict.found);
            let truth = final_found(machine, decision.decision);
            let right = truth == verdict.found;
            stratum.reviewed += 1;
            stratum.right += usize::from(right);
            match (verdict.found, right) {
                (true, true) => est.tp += 1,
                (true, false) => est.fp += 1,
                (false, false) => est.fn_ += 1,
                (false, true) => est.tn += 1,
            }
        }
    }
    for est in &mut out {
        est.finish();
    }
    out
}

/// Estimates precision and recall of the latest run in `dir` from its
/// decisions, with the queue as the review app builds it (`sample` share,
/// `previous` run for changed findings).
pub fn estimate_run(
    dir: &Path,
    previous: Option<&Path>,
    sample: f64,
    rules: &RuleSet,
    model: &Model,
) -> Result<RunEstimate, ReviewError> {
    let db = dir.join(FILE_NAME);
    if !db.is_file() {
        return Err(ReviewError::NoDatabase(dir.to_path_buf()));
    }
    let store = Store::open_readonly(&db)?;
    let run = store
        .latest_run()?
        .ok_or_else(|| ReviewError::NoRun(dir.to_path_buf()))?;
    let states = store.municipality_states(run.id)?;
    let verdicts: HashMap<Key, VerdictRow> = store
        .verdicts(run.id)?
        .into_iter()
        .map(|(code, v)| ((code, v.item.clone()), v))
        .collect();
    let log = store.decisions(run.id)?;
    let previous = previous
        .map(|p| previous_found(p, model, rules))
        .transpose()?;
    let sample = sample.clamp(0.0, 1.0);
    let entries = queue::build(&QueueInputs {
        states: &states,
        verdicts: &verdicts,
        previous: previous.as_ref(),
        rules,
        effects: &queue::item_effects(model),
        sample,
        year: run.year,
    });
    let latest = queue::latest(&log);
    let items = estimate(&EstimateInputs {
        entries: &entries,
        states: &states,
        verdicts: &verdicts,
        latest: &latest,
        rules,
    });
    Ok(RunEstimate {
        run: run.id.0,
        year: run.year,
        sample,
        decided: latest.len(),
        items,
    })
}

/// A percentage with one decimal and a decimal comma.
fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x).replace('.', ",")
}

/// "87,5 % (72,1–95,0)", "– (40,0–100,0)" or "–".
pub fn interval_sv(i: Option<&Interval>) -> String {
    match i {
        None => "–".to_owned(),
        Some(i) => format!(
            "{} ({}–{})",
            i.estimate
                .map_or_else(|| "–".to_owned(), |e| format!("{} %", pct(e))),
            pct(i.low),
            pct(i.high)
        ),
    }
}

/// The explanation shown above the table (Swedish).
pub const EXPLANATION_SV: &str = "Uppskattat ur granskarnas beslut (senaste beslutet per fynd). \
Bedömningarna delas i fyra grupper: funnen/saknas × i kön (gråzon, ändrad, ofullständig, \
motstridig) eller säker. De säkra räknas bara ur det slumpvisa stickprovet. Inom parentes ett \
konservativt 95 %-intervall (Wilson per grupp); en grupp utan granskade beslut räknas som 0–100 %, \
och då ges ingen punktskattning. \"Beslut\" är antalet beslut som skattningen vilar på.";

impl RunEstimate {
    /// A Swedish table for the terminal.
    pub fn render_text(&self, name: impl Fn(&str) -> String) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Precision och träffsäkerhet ur granskningsbesluten, körning {} ({}), stickprov {} %, \
             {} fynd med beslut.\n",
            self.run,
            self.year,
            pct(self.sample),
            self.decided
        );
        let _ = writeln!(
            t,
            "{:<36} {:>28} {:>7} {:>28} {:>7}  {:>4} {:>4} {:>4} {:>4}",
            "Punkt", "Precision", "Beslut", "Träffsäkerhet", "Beslut", "TP", "FP", "FN", "TN"
        );
        for e in &self.items {
            let mut label = name(&e.item);
            if label.chars().count() > 36 {
                label = label.chars().take(35).collect::<String>() + "…";
            }
            let _ = writeln!(
                t,
                "{:<36} {:>28} {:>7} {:>28} {:>7}  {:>4} {:>4} {:>4} {:>4}",
                label,
                interval_sv(e.precision.as_ref()),
                e.precision_decisions,
                interval_sv(e.recall.as_ref()),
                e.recall_decisions,
                e.tp,
                e.fp,
                e.fn_,
                e.tn
            );
        }
        let ignored: usize = self.items.iter().map(|e| e.ignored).sum();
        let _ = writeln!(t, "\n{EXPLANATION_SV}");
        if ignored > 0 {
            let _ = writeln!(
                t,
                "{ignored} beslut om säkra bedömningar utanför stickprovet används inte (de är inte \
                 slumpvis valda)."
            );
        }
        t
    }
}

/// The start page's section: the same table as `infokoll eval --run`.
pub(crate) fn start_page_section(
    state: &super::ReviewState,
    latest: &HashMap<Key, (i64, DecisionRow)>,
) -> String {
    use super::html::{encode, escape};
    let i = &state.inner;
    let items = estimate(&EstimateInputs {
        entries: &i.entries,
        states: &i.data.states,
        verdicts: &i.data.verdicts,
        latest,
        rules: &i.rules,
    });
    let mut body = format!(
        "<h2>Uppskattad precision och träffsäkerhet per punkt</h2>\n<p class=\"muted\">{}</p>\n\
         <table><thead><tr><th>Punkt</th><th class=\"num\">Precision</th>\
         <th class=\"num\">Beslut</th><th class=\"num\">Träffsäkerhet</th>\
         <th class=\"num\">Beslut</th><th class=\"num\">TP</th><th class=\"num\">FP</th>\
         <th class=\"num\">FN</th><th class=\"num\">TN</th></tr></thead><tbody>\n",
        escape(EXPLANATION_SV)
    );
    for e in &items {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/ko?punkt={}&amp;visa=alla\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            encode(&e.item),
            escape(super::pages::item_name(state, &e.item)),
            escape(&interval_sv(e.precision.as_ref())),
            e.precision_decisions,
            escape(&interval_sv(e.recall.as_ref())),
            e.recall_decisions,
            e.tp,
            e.fp,
            e.fn_,
            e.tn
        );
    }
    body.push_str("</tbody></table>\n");
    body
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values() {
        // 8 of 10: the textbook interval is 0.490–0.943.
        let (lo, hi) = wilson(8, 10, Z95).unwrap();
        assert!(
            (lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 5, Z95).unwrap();
        assert!(lo.abs() < 1e-12 && (hi - 0.4345).abs() < 1e-3, "{hi}");
        assert!(wilson(0, 0, Z95).is_none());
    }

    #[test]
    fn strata_combine_into_precision_and_recall() {
        let mut e = ItemEstimate::new("x");
        // 10 found in the queue, all reviewed, 8 right: exact.
        e.found_queued = Stratum {
            verdicts: 10,
            reviewed: 10,
            right: 8,
        };
        // 90 confident found, 9 sampled, all right.
        e.found_confident = Stratum {
            verdicts: 90,
            reviewed: 9,
            right: 9,
        };
        // 100 confident missing, 10 sampled, 1 was present.
        e.missing_confident = Stratum {
            verdicts: 100,
            reviewed: 10,
            right: 9,
        };
        e.finish();
        let p = e.precision.unwrap();
        assert!((p.estimate.unwrap() - 0.98).abs() < 1e-9);
        assert!(p.low < 0.98 && p.high <= 1.0 && p.low > 0.6);
        assert_eq!(e.precision_decisions, 19);
        let r = e.recall.unwrap();
        // TP 98, FN 10 → 0.907.
        assert!((r.estimate.unwrap() - 98.0 / 108.0).abs() < 1e-9);
        assert!(r.low < r.estimate.unwrap() && r.high > r.estimate.unwrap());
        assert_eq!(e.recall_decisions, 29);
        // An unreviewed stratum: no point estimate, wide bounds.
        e.missing_queued = Stratum {
            verdicts: 5,
            reviewed: 0,
            right: 0,
        };
        e.finish();
        let r = e.recall.unwrap();
        assert!(r.estimate.is_none() && r.low < 0.9);
    }
}
