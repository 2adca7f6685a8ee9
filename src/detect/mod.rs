//! Detection: a [`RuleSet`] applied to one [`Document`] gives [`PageFinding`]s.
//!
//! Every finding carries its [`Evidence`]: the page URL, the sentence,
//! link, form or frame that fired, the signal's id and weight, and the
//! matched words as ranges of the snippet, so a reviewer can check it in
//! seconds. Text signals are matched in one pass per sentence with the
//! rule set's shared `RegexSet`; the conditions of a signal (`near`,
//! `not_near`, topic) are only evaluated for the signals that fired.
//!
//! # Architecture
//! - [`detect`]: one page → findings
//! - [`site`]: page findings of one site → one [`site::SiteVerdict`] per item
//! - [`coverage`]: how sure a missing verdict is (coverage, near miss, review flag)
//! - [`examples`]: runs every rule's own examples

pub mod coverage;
pub mod examples;
mod page;
pub mod site;

use serde::Serialize;
use url::Url;

use crate::extract::Document;
use crate::rules::{RuleSet, SignalKind};

pub use page::detect;

/// Longest snippet kept as evidence (characters).
pub const MAX_SNIPPET: usize = 320;

/// Where a page sits in the crawl, for detection and evidence.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    /// Clicks from the start page (0 for the start page).
    pub depth: u32,
    /// True when the page is outside the municipality's domain (a followed vendor page).
    pub off_site: bool,
    /// Text of the link or frame that led here, and the referring page's title.
    /// Counts for the page's topic (a vendor calculator rarely says "hemtjänst").
    pub referrer_text: Option<String>,
}

/// One piece of evidence for an item on a page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    /// The page the evidence is on.
    pub url: Url,
    /// The sentence, link, form or frame, as on the page (at most [`MAX_SNIPPET`] characters).
    pub snippet: String,
    /// Byte ranges of `snippet` with the matched words.
    pub highlights: Vec<(usize, usize)>,
    /// The id of the signal that fired.
    pub signal: String,
    /// What kind of signal.
    pub kind: SignalKind,
    /// The signal's weight (after topic and target adjustments).
    pub weight: f64,
    /// The headings above the evidence, joined with " › ".
    pub context: String,
    /// The target of a link or frame signal.
    pub target: Option<Url>,
    /// Clicks from the start page.
    pub depth: u32,
    /// True when the page is outside the municipality's domain.
    pub off_site: bool,
}

/// What one rule found on one page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageFinding {
    /// The item id.
    pub item: String,
    /// Combined confidence of the evidence, 0–1.
    pub confidence: f64,
    /// Every signal that fired, strongest first (negative ones last).
    pub evidence: Vec<Evidence>,
}

/// Combines signal weights into a confidence: a noisy-OR of the positive
/// weights, scaled down by each negative one (`× (1 + w)`).
pub fn confidence(weights: impl IntoIterator<Item = f64>) -> f64 {
    let mut miss = 1.0;
    let mut damp = 1.0;
    for w in weights {
        if w > 0.0 {
            miss *= 1.0 - w.min(1.0);
        } else {
            damp *= 1.0 + w.max(-1.0);
        }
    }
    ((1.0 - miss) * damp).clamp(0.0, 1.0)
}

/// Runs the rules on an HTML snippet as if it were the page at `url`
/// (used by examples, `detect` on local files and tests).
pub fn detect_html(rules: &RuleSet, url: &Url, html: &[u8]) -> Vec<PageFinding> {
    let doc: Document = crate::extract::parse_html(url, html, Some("text/html; charset=utf-8"));
    detect(rules, &doc, &PageContext::default())
}

#[cfg(test)]
mod tests {
    use super::confidence;

    #[test]
    fn noisy_or_with_dampers() {
        assert!((confidence([0.5, 0.5]) - 0.75).abs() < 1e-9);
        assert!((confidence([0.8, -0.5]) - 0.4).abs() < 1e-9);
        assert!(confidence([]).abs() < 1e-9);
        assert!(confidence([-0.5]).abs() < 1e-9);
        assert!((confidence([1.0]) - 1.0).abs() < 1e-9);
    }
}
