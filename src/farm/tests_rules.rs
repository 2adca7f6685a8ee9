//! The real rules on the farm: `RuleSet::builtin()` + detection over the
//! pages a reader reaches agree with the truth for the four rule items.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};

use super::tests::{content_type, farm, resolve, walk};
use super::*;
use crate::detect::site::{aggregate, PageResult, Targets};
use crate::detect::{detect, PageContext};
use crate::extract::parse_html;
use crate::rules::RuleSet;

const RULE_ITEMS: [&str; 4] = [
    "rakna_avgift",
    "jamfor_utforare",
    "flex_policy",
    "handlaggningstid",
];

/// (site, item, truth, found) for every rule item of one site.
fn judge(f: &Farm, rules: &RuleSet, t: &FarmTruth) -> Vec<(String, &'static str, bool, bool)> {
    let reached = walk(f, &t.start);
    let own = crate::registry::registrable(t.start.host_str().unwrap());
    let mut pages = Vec::new();
    let mut targets = Targets::default();
    for (url, (depth, referrer)) in &reached {
        let Some((site, key)) = resolve(f, url) else {
            targets.unreachable.insert(url.clone());
            continue;
        };
        let Some(ct) = content_type(site, &key) else {
            continue;
        };
        let doc = parse_html(url, &site.files[&key], Some(&ct));
        let off_site = crate::registry::registrable(url.host_str().unwrap()) != own;
        let ctx = PageContext {
            depth: *depth,
            off_site,
            referrer_text: referrer.clone(),
        };
        let findings = detect(rules, &doc, &ctx);
        let found: HashSet<String> = findings
            .iter()
            .filter(|fi| {
                rules
                    .get(&fi.item)
                    .is_some_and(|r| fi.confidence >= r.threshold)
            })
            .map(|fi| fi.item.clone())
            .collect();
        targets.fetched.insert(url.clone(), found);
        pages.push(PageResult {
            url: url.clone(),
            findings,
        });
    }
    let verdicts: HashMap<String, bool> = aggregate(rules, &pages, &targets)
        .into_iter()
        .map(|v| (v.id, v.found))
        .collect();
    RULE_ITEMS
        .iter()
        .map(|&id| {
            (
                t.name.clone(),
                id,
                t.items[id],
                verdicts.get(id).copied().unwrap_or(false),
            )
        })
        .collect()
}

fn agreement(truths: &[&FarmTruth]) -> (usize, Vec<String>) {
    let f = farm();
    let rules = RuleSet::builtin().unwrap();
    let mut total = 0;
    let mut wrong = Vec::new();
    for t in truths {
        for (site, item, truth, found) in judge(f, &rules, t) {
            total += 1;
            if truth != found {
                wrong.push(format!(
                    "{site}: {item} truth={truth} rules={found} ({})",
                    t.style
                ));
            }
        }
    }
    (total, wrong)
}

#[test]
fn the_rules_agree_with_the_truth_on_twenty_sites() {
    let f = farm();
    let ok: Vec<&FarmTruth> = f.truths.values().filter(|t| t.status == "ok").collect();
    // Twelve sites in code order, then two positives of every rule item.
    let mut chosen: Vec<&FarmTruth> = ok.iter().take(12).copied().collect();
    for id in RULE_ITEMS {
        for t in ok.iter().filter(|t| t.items[id]).take(2) {
            if !chosen.iter().any(|c| c.name == t.name) {
                chosen.push(t);
            }
        }
    }
    let (total, wrong) = agreement(&chosen);
    for w in &wrong {
        println!("disagreement: {w}");
    }
    let share = 1.0 - wrong.len() as f64 / total as f64;
    assert!(
        share >= 0.95,
        "{share:.3} of {total} (site, item) pairs agree"
    );
}

/// All 290 sites (slow in debug builds: run with `--release --ignored`).
#[test]
#[ignore = "slow; run in release to audit the templates"]
fn the_rules_agree_with_the_truth_on_all_sites() {
    let f = farm();
    let ok: Vec<&FarmTruth> = f.truths.values().filter(|t| t.status == "ok").collect();
    let (total, wrong) = agreement(&ok);
    for w in &wrong {
        println!("disagreement: {w}");
    }
    let share = 1.0 - wrong.len() as f64 / total as f64;
    println!("agreement {share:.4} over {total} pairs");
    assert!(share >= 0.95, "{share:.3}");
}
