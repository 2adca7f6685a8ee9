//! Site-level verdicts: the page findings of one site → one verdict per item.
//!
//! A link or frame that points at a page robots.txt forbids, or that could
//! not be fetched, is no evidence (a reader cannot get there); a link the
//! crawler followed whose target showed nothing of the item counts half.
//! The site's confidence for an item is the best page's.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use url::Url;

use crate::rules::{Part, RuleSet};

use super::page::sort_evidence;
use super::{confidence, Evidence, PageFinding};

/// Most evidence entries kept per item.
pub const MAX_EVIDENCE: usize = 10;

/// What is known about the link targets of a site when verdicts are made.
#[derive(Debug, Default, Clone)]
pub struct Targets {
    /// URLs a reader cannot reach: disallowed by robots.txt, or failed to fetch.
    pub unreachable: HashSet<Url>,
    /// URLs fetched as pages, with the items found on each.
    pub fetched: HashMap<Url, HashSet<String>>,
}

/// The findings of one page, as collected during a crawl.
#[derive(Debug, Clone, Serialize)]
pub struct PageResult {
    /// The page.
    pub url: Url,
    /// What the rules found on it.
    pub findings: Vec<PageFinding>,
}

/// One item's verdict for a whole site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteVerdict {
    /// The item id.
    pub id: String,
    /// Swedish name.
    pub name: String,
    /// Checklist part.
    pub part: Part,
    /// Whether the item counts as present.
    pub found: bool,
    /// Confidence of the verdict, 0–1 (of the best page).
    pub confidence: f64,
    /// True when the confidence is in the rule's grey zone: a reviewer should look.
    pub flagged: bool,
    /// Supporting evidence, best first (at most [`MAX_EVIDENCE`]).
    pub evidence: Vec<Evidence>,
    /// The tip shown when the item is missing.
    pub tip: String,
    /// For a missing item: what of the site was read (set by [`super::coverage::assess_missing`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<super::coverage::Coverage>,
    /// For a missing item: the closest candidate (page, sentence, signal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<super::coverage::NearMiss>,
    /// For a missing item flagged "osäker – granskas": why, in Swedish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<String>,
}

/// Aggregates page results into one verdict per rule, in rule order.
pub fn aggregate(rules: &RuleSet, pages: &[PageResult], targets: &Targets) -> Vec<SiteVerdict> {
    rules
        .rules
        .iter()
        .map(|rule| {
            let mut best = 0.0_f64;
            let mut evidence: Vec<Evidence> = Vec::new();
            for page in pages {
                let Some(f) = page.findings.iter().find(|f| f.item == rule.id) else {
                    continue;
                };
                let adjusted: Vec<Evidence> = f
                    .evidence
                    .iter()
                    .filter_map(|e| adjust(e, &rule.id, targets))
                    .collect();
                let c = confidence(adjusted.iter().map(|e| e.weight));
                best = best.max(c);
                if c > 0.0 {
                    evidence.extend(adjusted.into_iter().filter(|e| e.weight > 0.0));
                }
            }
            sort_evidence(&mut evidence);
            evidence.truncate(MAX_EVIDENCE);
            let (lo, hi) = rule.grey_zone;
            SiteVerdict {
                id: rule.id.clone(),
                name: rule.name.clone(),
                part: rule.part,
                found: best >= rule.threshold,
                confidence: (best * 1000.0).round() / 1000.0,
                flagged: best >= lo && best < hi,
                evidence,
                tip: rule.tip.clone(),
                coverage: None,
                near_miss: None,
                uncertain: None,
            }
        })
        .collect()
}

fn adjust(e: &Evidence, item: &str, targets: &Targets) -> Option<Evidence> {
    let Some(target) = &e.target else {
        return Some(e.clone());
    };
    let mut key = target.clone();
    key.set_fragment(None);
    if targets.unreachable.contains(&key) {
        return None;
    }
    let mut e = e.clone();
    if let Some(items) = targets.fetched.get(&key) {
        if !items.contains(item) && e.weight > 0.0 {
            e.weight *= 0.5;
        }
    }
    Some(e)
}
