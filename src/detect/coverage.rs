//! How sure a missing verdict is: what of the site was read, and the
//! closest the rules came.
//!
//! Every "saknas" carries the site's [`Coverage`] (pages read, how many
//! of them on the home-care topic, whether the crawl reached the home-care
//! section, pages skipped by robots.txt or by the page budget) and its best
//! [`NearMiss`]. [`assess_missing`] flags a missing verdict for review
//! ("osäker – granskas") when the coverage is low or the near miss strong,
//! and says why in Swedish.
//!
//! [`Coverage`] is a plain struct with `Default`, so the crawl can add
//! facts later (e.g. why the crawl ended) without touching the callers.

use serde::Serialize;
use url::Url;

use crate::extract::{BlockKind, Document};
use crate::rules::RuleSet;
use crate::text::fold;

use super::site::SiteVerdict;

/// Fewer pages on the home-care topic than this is low coverage.
pub const MIN_TOPIC_PAGES: usize = 3;
/// With fewer topic pages than this, pages skipped (robots.txt, budget) make the coverage low.
pub const ENOUGH_TOPIC_PAGES: usize = 10;
/// A near miss at or above this share of the item's threshold is strong.
pub const STRONG_NEAR_MISS: f64 = 0.6;

/// Words (folded) that put a page on the home-care topic when they are in its
/// address, title or first heading.
const TOPIC_WORDS: [&str; 9] = [
    "hemtjanst",
    "aldreomsorg",
    "hemvard",
    "aldre",
    "senior",
    "trygghetslarm",
    "bistand",
    "hjalp i hemmet",
    "omsorg",
];
/// Words (folded) that mark the home-care section itself.
const SECTION_WORDS: [&str; 4] = ["hemtjanst", "hemvard", "hjalp i hemmet", "hjalp hemma"];

/// What of a site was read when its verdicts were made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// HTML pages fetched and read.
    pub pages_read: usize,
    /// Of those, pages on the home-care topic (address, title or first heading).
    pub pages_on_topic: usize,
    /// True when a page of the home-care section itself was read.
    pub reached_home_care: bool,
    /// Pages not fetched because robots.txt forbids them.
    pub skipped_robots: usize,
    /// Of those, pages whose address is on the home-care topic.
    pub skipped_robots_on_topic: usize,
    /// Links left unvisited when the page budget ran out.
    pub skipped_budget: usize,
}

impl Coverage {
    /// Counts one page that was read.
    pub fn add_page(&mut self, doc: &Document) {
        self.pages_read += 1;
        let h1 = doc
            .blocks
            .iter()
            .find(|b| matches!(b.kind, BlockKind::Heading(1)))
            .map_or("", |b| b.text.as_str());
        let words = fold(&format!("{} {} {h1}", url_words(&doc.url), doc.title));
        if TOPIC_WORDS.iter().any(|w| words.contains(w)) {
            self.pages_on_topic += 1;
        }
        if SECTION_WORDS.iter().any(|w| words.contains(w)) {
            self.reached_home_care = true;
        }
    }

    /// Counts the pages robots.txt kept the crawl from (`total`), judging the
    /// topic of those whose address is known.
    pub fn add_robots_skipped(&mut self, urls: &[Url], total: usize) {
        self.skipped_robots += total;
        self.skipped_robots_on_topic += urls
            .iter()
            .filter(|u| {
                let words = fold(&url_words(u));
                TOPIC_WORDS.iter().any(|w| words.contains(w))
            })
            .count();
    }

    /// Why this coverage is too low to trust a "saknas", in Swedish (None: enough).
    pub fn weakness_sv(&self) -> Option<String> {
        let mut why = Vec::new();
        if !self.reached_home_care {
            why.push("sidorna om hemtjänst nåddes inte".to_owned());
        }
        if self.pages_on_topic < MIN_TOPIC_PAGES {
            why.push(format!(
                "bara {} av {} lästa sidor handlar om hemtjänst eller äldreomsorg",
                self.pages_on_topic, self.pages_read
            ));
        }
        if self.skipped_robots_on_topic > 0 {
            why.push(format!(
                "{} sidor om hemtjänst eller äldreomsorg stoppades av robots.txt",
                self.skipped_robots_on_topic
            ));
        }
        if self.pages_on_topic < ENOUGH_TOPIC_PAGES && self.skipped_budget > 0 {
            why.push(format!(
                "sidbudgeten tog slut med {} länkar kvar",
                self.skipped_budget
            ));
        }
        (!why.is_empty()).then(|| why.join("; "))
    }
}

/// The words of a URL's path ("/omsorg/hemtjanst-avgift" → "omsorg hemtjanst avgift").
fn url_words(url: &Url) -> String {
    url.path().replace(['/', '-', '_', '.'], " ")
}

/// The closest the rules came to finding a missing item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearMiss {
    /// The page.
    pub url: Url,
    /// The sentence, link, form or frame.
    pub snippet: String,
    /// The signal that fired (too weakly on its own).
    pub signal: String,
    /// The page's confidence for the item.
    pub confidence: f64,
}

/// Gives every missing verdict its coverage and near miss, and flags it for
/// review with a Swedish reason when the coverage is low or the near miss strong.
pub fn assess_missing(rules: &RuleSet, verdicts: &mut [SiteVerdict], coverage: &Coverage) {
    let weakness = coverage.weakness_sv();
    for v in verdicts.iter_mut().filter(|v| !v.found) {
        v.coverage = Some(coverage.clone());
        v.near_miss = v.evidence.first().map(|e| NearMiss {
            url: e.url.clone(),
            snippet: e.snippet.clone(),
            signal: e.signal.clone(),
            confidence: v.confidence,
        });
        let threshold = rules
            .get(&v.id)
            .map_or(crate::rules::DEFAULT_THRESHOLD, |r| r.threshold);
        let mut why = Vec::new();
        if let Some(w) = &weakness {
            why.push(format!("låg täckning: {w}"));
        }
        if let Some(n) = &v.near_miss {
            if n.confidence >= STRONG_NEAR_MISS * threshold {
                why.push(format!(
                    "nära träff: signalen {} på {} (säkerhet {:.2})",
                    n.signal, n.url, n.confidence
                ));
            }
        }
        if !why.is_empty() {
            v.flagged = true;
            v.uncertain = Some(why.join(". "));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::site::{aggregate, PageResult, Targets};
    use crate::detect::{detect_html, Evidence, PageFinding};
    use crate::rules::SignalKind;

    fn doc(url: &str, html: &str) -> Document {
        crate::extract::parse_html(
            &Url::parse(url).unwrap(),
            html.as_bytes(),
            Some("text/html; charset=utf-8"),
        )
    }

    #[test]
    fn topic_and_section_pages_are_counted() {
        let mut c = Coverage::default();
        c.add_page(&doc(
            "https://k.se/",
            "<title>Start</title><h1>Välkommen</h1>",
        ));
        assert_eq!(
            (c.pages_read, c.pages_on_topic, c.reached_home_care),
            (1, 0, false)
        );
        let weak = c.weakness_sv().unwrap();
        assert!(
            weak.contains("nåddes inte") && weak.contains("bara 0 av 1"),
            "{weak}"
        );
        for p in ["a", "b", "c"] {
            c.add_page(&doc(
                &format!("https://k.se/omsorg/hemtjanst/{p}"),
                "<h1>Hemtjänst</h1>",
            ));
        }
        assert_eq!(
            (c.pages_read, c.pages_on_topic, c.reached_home_care),
            (4, 3, true)
        );
        assert_eq!(c.weakness_sv(), None);
        let skipped = [
            Url::parse("https://k.se/intranat/x").unwrap(),
            Url::parse("https://k.se/aldreomsorg/avgifter").unwrap(),
        ];
        c.add_robots_skipped(&skipped[..1], 1);
        assert_eq!(c.weakness_sv(), None, "an off-topic page skipped is no gap");
        c.add_robots_skipped(&skipped[1..], 3);
        assert_eq!((c.skipped_robots, c.skipped_robots_on_topic), (4, 1));
        assert!(c
            .weakness_sv()
            .unwrap()
            .contains("1 sidor om hemtjänst eller äldreomsorg stoppades av robots.txt"));
    }

    #[test]
    fn a_missing_item_is_flagged_for_low_coverage_or_a_strong_near_miss() {
        let rules = RuleSet::builtin().unwrap();
        let url = Url::parse("https://k.se/omsorg/hemtjanst").unwrap();
        let findings = detect_html(&rules, &url, b"<h1>Hemtjanst</h1><p>Inget om saken.</p>");
        let mut near = findings.clone();
        near.push(PageFinding {
            item: "handlaggningstid".to_owned(),
            confidence: 0.4,
            evidence: vec![Evidence {
                url: url.clone(),
                snippet: "Det tar ett tag.".to_owned(),
                highlights: vec![],
                signal: "tid".to_owned(),
                kind: SignalKind::Text,
                weight: 0.4,
                context: String::new(),
                target: None,
                depth: 0,
                off_site: false,
            }],
        });
        let pages = [PageResult {
            url: url.clone(),
            findings: near,
        }];
        let mut verdicts = aggregate(&rules, &pages, &Targets::default());
        let good = Coverage {
            pages_read: 20,
            pages_on_topic: 12,
            reached_home_care: true,
            ..Coverage::default()
        };
        assess_missing(&rules, &mut verdicts, &good);
        let h = verdicts
            .iter()
            .find(|v| v.id == "handlaggningstid")
            .unwrap();
        assert!(!h.found && h.flagged);
        assert!(h
            .uncertain
            .as_deref()
            .unwrap()
            .contains("nära träff: signalen tid"));
        assert_eq!(h.near_miss.as_ref().unwrap().snippet, "Det tar ett tag.");
        let k = verdicts.iter().find(|v| v.id == "korttid").unwrap();
        assert!(!k.found && k.uncertain.is_none() && k.near_miss.is_none());
        assert_eq!(k.coverage.as_ref(), Some(&good));

        let mut verdicts = aggregate(&rules, &pages, &Targets::default());
        assess_missing(&rules, &mut verdicts, &Coverage::default());
        let k = verdicts.iter().find(|v| v.id == "korttid").unwrap();
        assert!(k.flagged);
        assert!(k.uncertain.as_deref().unwrap().starts_with("låg täckning"));
        assert!(verdicts
            .iter()
            .filter(|v| v.found)
            .all(|v| v.coverage.is_none()));
    }
}
