//! One site end to end: crawl → detect on every page → site verdicts.
//!
//! Used by `infokoll check`, the demo and the tests, with no database:
//! the results are values.

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::crawl::{crawl_site, CrawlConfig, PageNews, PageSource, SiteCrawl};
use crate::detect::coverage::{assess_missing, Coverage};
use crate::detect::site::{aggregate, PageResult, SiteVerdict, Targets};
use crate::detect::{detect, PageContext};
use crate::rules::RuleSet;

/// Everything a site check produced.
#[derive(Debug, Clone)]
pub struct SiteCheck {
    /// The crawl (status, page records).
    pub crawl: SiteCrawl,
    /// Findings per page.
    pub pages: Vec<PageResult>,
    /// One verdict per rule; a missing one carries the coverage and its near miss.
    pub verdicts: Vec<SiteVerdict>,
    /// What of the site was read.
    pub coverage: Coverage,
}

/// Crawls `start` and detects every item on the pages fetched.
pub async fn check_site<S: PageSource>(
    fetcher: &S,
    rules: &RuleSet,
    start: &Url,
    cfg: &CrawlConfig,
) -> SiteCheck {
    let mut pages: Vec<PageResult> = Vec::new();
    let mut fetched: HashMap<Url, HashSet<String>> = HashMap::new();
    let mut coverage = Coverage::default();
    let mut found: HashSet<String> = HashSet::new();
    let crawl = crawl_site(fetcher, rules, start, cfg, |page| {
        if !page.off_site {
            coverage.add_page(&page.document);
        }
        let ctx = PageContext {
            depth: page.depth,
            off_site: page.off_site,
            referrer_text: page.referrer_text.clone(),
        };
        let mut findings =
            crate::extract::offload::run_heavy(|| detect(rules, &page.document, &ctx));
        // A page finding below the grey zone can never make its item found or
        // flagged (site aggregation only lowers weights), so it keeps just its
        // best piece of evidence: in a 290-site run all pages' findings are
        // held at once, and this keeps that memory small.
        for f in &mut findings {
            if rules
                .get(&f.item)
                .is_some_and(|r| f.confidence < r.grey_zone.0)
            {
                f.evidence.truncate(1);
            }
        }
        let items: HashSet<String> = findings
            .iter()
            .filter(|f| {
                rules
                    .get(&f.item)
                    .is_some_and(|r| f.confidence >= r.threshold)
            })
            .map(|f| f.item.clone())
            .collect();
        let before = found.len();
        found.extend(items.iter().cloned());
        let news = PageNews {
            new_items: found.len() - before,
            missing: rules.rules.len().saturating_sub(found.len()),
        };
        // A page a script builds was not seen as a reader sees it: a link to
        // it keeps its weight (flagged for review rather than missing).
        if !page.script_built {
            fetched.insert(page.url.clone(), items.clone());
            fetched.insert(page.final_url.clone(), items);
        }
        pages.push(PageResult {
            url: page.final_url.clone(),
            findings,
        });
        news
    })
    .await;
    let targets = Targets {
        unreachable: crawl.unreachable.clone(),
        fetched,
    };
    let mut verdicts = aggregate(rules, &pages, &targets);
    coverage.add_robots_skipped(&crawl.skipped_robots, crawl.skipped_robots_count);
    coverage.skipped_budget = crawl.skipped_budget;
    assess_missing(rules, &mut verdicts, &coverage);
    SiteCheck {
        crawl,
        pages,
        verdicts,
        coverage,
    }
}
