//! The focused crawl on a large site: a farm site whose home-care pages lie
//! four and five clicks deep, buried in 1,600 news articles and an endless
//! calendar ([`super::large::large_site`]), is judged right on every item
//! with at most 100 pages fetched, and the crawl says it ended because the
//! section was exhausted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use super::large::{large_site, start_of};
use super::tests::walk;
use super::*;
use crate::check::check_site;
use crate::crawl::{CrawlConfig, CrawlEnd};
use crate::fetch::{FetchConfig, Fetcher};
use crate::fixture_server::FixtureServer;
use crate::rules::RuleSet;

const NEWS: usize = 1600;
const DAYS: usize = 150;

/// Item → found, by the real crawler and detector.
async fn crawl(
    farm: &Farm,
    rules: &RuleSet,
    cfg: &CrawlConfig,
) -> (BTreeMap<String, bool>, usize, CrawlEnd) {
    let server = FixtureServer::start(farm.sites.clone()).await.unwrap();
    let fetcher = Fetcher::new(FetchConfig {
        rate: 1000.0,
        proxy: Some(server.proxy_url()),
        ..FetchConfig::default()
    })
    .unwrap();
    let start = start_of(farm).unwrap().clone();
    let check = check_site(&fetcher, rules, &start, cfg).await;
    server.shutdown().await;
    let verdicts = check
        .verdicts
        .into_iter()
        .map(|v| (v.id, v.found))
        .collect();
    (verdicts, check.crawl.pages_fetched, check.crawl.end)
}

/// Depth of the shallowest home-care page (a path naming hemtjänst).
fn home_care_depth(farm: &Farm) -> Option<u32> {
    let start = start_of(farm)?;
    walk(farm, start)
        .into_iter()
        .filter(|(u, _)| u.host_str() == start.host_str() && u.path().contains("hemtjanst"))
        .map(|(_, (d, _))| d)
        .min()
}

fn wrong(verdicts: &BTreeMap<String, bool>, truth: &FarmTruth) -> Vec<String> {
    truth
        .items
        .iter()
        .filter(|(id, want)| verdicts.get(*id).copied().unwrap_or(false) != **want)
        .map(|(id, want)| format!("{id}: truth {want}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_site_is_read_focused_and_judged_right() {
    let rules = RuleSet::builtin().unwrap();
    let registry = crate::registry::Registry::builtin();
    let read_all = CrawlConfig {
        stop_early: false,
        ..CrawlConfig::default()
    };
    // The first municipality whose home care is four clicks deep and whose
    // plain farm site, read in full, is judged right on every item (so the
    // test measures the crawl, not the detector).
    let mut chosen = None;
    for m in registry.all().iter().take(60) {
        let plain = large_site(m, 2026, 0, 0);
        if home_care_depth(&plain).is_none_or(|d| d < 4) {
            continue;
        }
        let truth = plain.truths[m.code.as_str()].clone();
        let (verdicts, _, _) = crawl(&plain, &rules, &read_all).await;
        if wrong(&verdicts, &truth).is_empty() {
            chosen = Some((m.clone(), truth));
            break;
        }
    }
    let (m, truth) = chosen.expect("a deep site judged right when read in full");
    let large = large_site(&m, 2026, NEWS, DAYS);
    assert!(large.truths[m.code.as_str()].pages >= 2000);
    let files = large
        .sites
        .get(start_of(&large).unwrap().host_str().unwrap())
        .unwrap()
        .files
        .len();
    assert!(files >= 2000, "{files} files");
    let (verdicts, fetched, end) = crawl(&large, &rules, &CrawlConfig::default()).await;
    // For comparison: the same site read to the page budget.
    let (all_verdicts, all_fetched, all_end) = crawl(&large, &rules, &read_all).await;
    println!(
        "{} ({files} files): focused {fetched} pages, {} wrong, end {end:?}; \
         read to the budget {all_fetched} pages, {} wrong, end {all_end:?}",
        m.name,
        wrong(&verdicts, &truth).len(),
        wrong(&all_verdicts, &truth).len()
    );
    // Read without the early stop, the news and the calendar take the
    // budget (or everything reachable within the depth and query limits).
    assert!(
        all_fetched >= 200,
        "read to the budget: {all_fetched} pages"
    );
    let wrong = wrong(&verdicts, &truth);
    assert!(wrong.is_empty(), "{}: {wrong:?}", m.name);
    assert!(fetched <= 100, "{}: {fetched} pages fetched", m.name);
    assert_eq!(end, CrawlEnd::OffTopic, "{}: {fetched} pages", m.name);
}
