//! When a site crawl ends, and why.
//!
//! A focused crawl should not spend its page budget on news archives and
//! event calendars once the home-care section has been read. [`StopRule`]
//! ends a crawl early — "the section is exhausted" — when all of these hold:
//!
//! - no waiting link is *promising*: its topic score (anchor and URL words
//!   plus bonuses, without the depth cost, see [`super::frontier`]) is below
//!   [`PROMISING`]. Home-care, contact and fee links always score at least
//!   [`super::frontier::ESSENTIAL_TOPIC`], so they are always read first;
//! - at least [`MIN_PAGES`] pages were read;
//! - the last *topic page* — a page reached by a promising link, or one on
//!   which a checklist item was found for the first time — lies at least
//!   [`StopRule::patience`] pages back; the patience grows with the number of
//!   items still missing, so a site where little has been found is read
//!   further than one where nearly everything has.
//!
//! Otherwise a crawl ends when nothing is left to fetch or the page budget
//! is spent. [`CrawlEnd`] records which of these happened.

use serde::Serialize;

/// Least topic score of a link worth reading before stopping.
pub const PROMISING: i32 = 8;
/// Pages always read before an early stop.
pub const MIN_PAGES: usize = 12;
/// Pages past the last topic page before an early stop, when nothing is missing.
pub const BASE_PATIENCE: usize = 8;
/// Extra pages of patience per checklist item still missing.
pub const PATIENCE_PER_MISSING: usize = 1;
/// Most pages of patience.
pub const MAX_PATIENCE: usize = 30;

/// Why a site crawl ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrawlEnd {
    /// Every link found was read (or excluded by scope, depth or robots).
    Complete,
    /// Nothing left in the frontier was likely to hold an item.
    OffTopic,
    /// The page budget was spent with links still waiting.
    Budget,
    /// The site could not be crawled (see the site status).
    NotStarted,
}

impl CrawlEnd {
    /// A stable machine name, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::OffTopic => "off_topic",
            Self::Budget => "budget",
            Self::NotStarted => "not_started",
        }
    }

    /// The end read back from its [`CrawlEnd::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Complete,
            Self::OffTopic,
            Self::Budget,
            Self::NotStarted,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }

    /// A short Swedish description for reports and the reviewer.
    pub fn describe_sv(self) -> &'static str {
        match self {
            Self::Complete => "avslutad: alla länkar lästa",
            Self::OffTopic => "avslutad: inget mer inom ämnet",
            Self::Budget => "sidbudgeten tog slut",
            Self::NotStarted => "ej genomförd",
        }
    }
}

/// What the caller learned from one page, for the stop rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageNews {
    /// Checklist items found on this page that no earlier page had.
    pub new_items: usize,
    /// Checklist items not yet found on any page.
    pub missing: usize,
}

/// The state of the early-stop rule during one crawl.
#[derive(Debug, Clone)]
pub struct StopRule {
    read: usize,
    since_topic: usize,
    missing: usize,
}

impl StopRule {
    /// A fresh rule for a site where `items` checklist items are sought.
    pub fn new(items: usize) -> Self {
        Self {
            read: 0,
            since_topic: 0,
            missing: items,
        }
    }

    /// Records one page read: its link's topic score and what it yielded.
    pub fn page_read(&mut self, topic: i32, news: PageNews) {
        self.read += 1;
        self.missing = news.missing;
        if topic >= PROMISING || news.new_items > 0 {
            self.since_topic = 0;
        } else {
            self.since_topic += 1;
        }
    }

    /// Pages read past the last topic page before an early stop.
    pub fn patience(&self) -> usize {
        (BASE_PATIENCE + PATIENCE_PER_MISSING * self.missing).min(MAX_PATIENCE)
    }

    /// True when the section is exhausted: nothing promising waits
    /// (`best_topic` is the frontier's best topic score), enough pages
    /// were read, and the last topic page is far enough back.
    pub fn exhausted(&self, best_topic: Option<i32>) -> bool {
        best_topic.is_none_or(|t| t < PROMISING)
            && self.read >= MIN_PAGES
            && self.since_topic >= self.patience()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off(missing: usize) -> PageNews {
        PageNews {
            new_items: 0,
            missing,
        }
    }

    #[test]
    fn stops_only_after_patience_without_promising_links() {
        let mut r = StopRule::new(22);
        r.page_read(
            20,
            PageNews {
                new_items: 3,
                missing: 19,
            },
        );
        for _ in 0..MIN_PAGES {
            r.page_read(0, off(19));
        }
        // Patience with 19 missing: 8 + 19 = 27 > MIN_PAGES.
        assert!(!r.exhausted(Some(0)));
        for _ in 0..15 {
            r.page_read(0, off(19));
        }
        assert!(r.exhausted(Some(0)));
        assert!(r.exhausted(None));
        assert!(
            !r.exhausted(Some(PROMISING)),
            "a promising link is always read"
        );
    }

    #[test]
    fn a_new_item_resets_the_count() {
        let mut r = StopRule::new(2);
        for _ in 0..20 {
            r.page_read(0, off(2));
        }
        assert!(r.exhausted(Some(-5)));
        r.page_read(
            -5,
            PageNews {
                new_items: 1,
                missing: 1,
            },
        );
        assert!(!r.exhausted(Some(-5)));
        assert_eq!(r.patience(), BASE_PATIENCE + 1);
    }

    #[test]
    fn codes_round_trip() {
        for e in [
            CrawlEnd::Complete,
            CrawlEnd::OffTopic,
            CrawlEnd::Budget,
            CrawlEnd::NotStarted,
        ] {
            assert_eq!(CrawlEnd::from_code(e.code()), Some(e));
        }
        assert_eq!(
            CrawlEnd::OffTopic.describe_sv(),
            "avslutad: inget mer inom ämnet"
        );
    }
}
