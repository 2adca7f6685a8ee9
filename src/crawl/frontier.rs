//! The focused frontier: which URL to fetch next.
//!
//! Links are scored by the words of their anchor text and URL (folded, so
//! `/aldreomsorg/` and "Äldreomsorg" count alike): home-care words pull a
//! link forward, words of other municipal areas push it back, and every
//! click of depth costs a little. The highest score is fetched first; ties
//! go to the link found first. So the home-care pages are reached early
//! and a page budget is spent where the checklist items are.
//!
//! Candidates wait in one queue per host (origin, as the politeness gate
//! keys it): [`Frontier::pop_ready`] hands out the best candidate of a host
//! that has no request of this crawl in flight, so a slow or shared host
//! (a vendor serving many municipalities) never idles the others.
//!
//! Every candidate also carries a *topic* score (its words and bonus, without
//! the depth cost); the frontier keeps the multiset of these so the crawl can
//! ask at any time how promising the best waiting link still is
//! ([`Frontier::best_topic`]), which drives the stop rule in [`super::stop`].
//!
//! Memory is bounded: waiting URLs are kept as strings (not parsed URLs),
//! all queues together hold at most `TRIM_AT` of them (a trim keeps the
//! best-scored [`MAX_QUEUE`]), and the seen set keeps a 64-bit digest per
//! URL rather than the URL.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use url::Url;

use crate::text::fold;

/// Words that pull a link forward, with their weight (folded forms).
const PULL: &[(&str, i32)] = &[
    ("hemtjanst", 12),
    ("aldreomsorg", 10),
    ("hemvard", 9),
    ("aldre", 7),
    ("senior", 5),
    ("omsorg", 5),
    ("bistand", 7),
    ("avgift", 7),
    ("taxa", 5),
    ("kostar", 5),
    ("utforare", 7),
    ("valfrihet", 6),
    ("jamfor", 6),
    ("rakna", 6),
    ("berakn", 6),
    ("kalkyl", 6),
    ("trygghetslarm", 6),
    ("larm", 2),
    ("korttid", 5),
    ("vaxelvard", 5),
    ("dagverksamhet", 5),
    ("anhorig", 3),
    ("ansok", 5),
    ("hjalp", 4),
    ("stod", 2),
    ("vard", 3),
    ("synpunkt", 5),
    ("klagomal", 5),
    ("tyck till", 4),
    ("kontakt", 3),
    ("servicedeklaration", 6),
    ("servicegaranti", 6),
    ("genomforandeplan", 6),
    ("kontinuitet", 5),
    ("kontaktperson", 4),
    ("fragor och svar", 3),
    ("e-tjanst", 3),
    ("etjanst", 3),
    ("lov", 1),
    // Words of checklist items whose pages carry none of the above (a news
    // item on camera night checks, keyless locks, flexible home care …).
    ("nattillsyn", 6),
    ("tillsyn", 6),
    ("kamera", 5),
    ("nyckelfri", 5),
    ("digital", 3),
    ("flexib", 5),
    ("handlagg", 5),
    ("overklag", 4),
];

/// Words that push a link back.
const PUSH: &[(&str, i32)] = &[
    ("forskol", -6),
    ("skola", -5),
    ("grundskol", -6),
    ("gymnasi", -6),
    ("bygglov", -6),
    ("bygga", -4),
    ("detaljplan", -6),
    ("vatten", -4),
    ("avfall", -5),
    ("kultur", -4),
    ("bibliotek", -4),
    ("idrott", -4),
    ("turism", -5),
    ("nyhet", -3),
    ("arkiv", -4),
    ("kalender", -6),
    ("evenemang", -6),
    ("jobb", -3),
    ("lediga", -4),
    ("politik", -2),
    ("protokoll", -5),
    ("namnd", -2),
    ("english", -6),
    ("login", -8),
    ("logga-in", -8),
    ("sok?", -6),
    ("search", -6),
];

/// Words that make a link one the crawl must read before it may stop early:
/// the home-care section, contact and fee pages (folded forms, matched in
/// the anchor text or the URL).
const ESSENTIAL: &[&str] = &["hemtjanst", "aldreomsorg", "kontakt", "avgift", "taxa"];

/// The topic score given to an essential link at the least.
pub const ESSENTIAL_TOPIC: i32 = 10;

/// Most candidates kept waiting. A site crawl fetches a few hundred pages;
/// beyond this many the lowest-scored are dropped (they would never be
/// reached), so a site of millions of links costs a bounded queue.
pub const MAX_QUEUE: usize = 10_000;
/// The queues are trimmed back to [`MAX_QUEUE`] when they reach this length
/// together (trimming in batches keeps pushing cheap).
const TRIM_AT: usize = MAX_QUEUE + MAX_QUEUE / 2;
/// Longest referrer text kept per candidate (anchor text and page title).
const MAX_REFERRER_TEXT: usize = 300;

/// A URL waiting to be fetched.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The URL (normalised).
    pub url: Url,
    /// Clicks from the start page.
    pub depth: u32,
    /// The page that linked here, if any.
    pub referrer: Option<Url>,
    /// Anchor text and referring page title (for detection on off-site pages).
    pub referrer_text: Option<String>,
    /// True for a one-hop off-site candidate.
    pub off_site: bool,
    /// The priority score.
    pub score: i32,
    /// The topic score: words and bonus without the depth cost (at least
    /// [`ESSENTIAL_TOPIC`] for a home-care, contact or fee link).
    pub topic: i32,
}

/// The compact form a candidate waits in: strings, not parsed URLs.
#[derive(Debug)]
struct Queued {
    url: Box<str>,
    referrer: Option<Box<str>>,
    referrer_text: Option<Box<str>>,
    depth: u32,
    off_site: bool,
    score: i32,
    topic: i32,
    seq: u64,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.score == other.score && self.seq == other.seq
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .cmp(&other.score)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The priority queues of one site crawl (one per host), with de-duplication.
pub struct Frontier {
    queues: HashMap<String, BinaryHeap<Queued>>,
    topics: BTreeMap<i32, usize>,
    waiting: usize,
    seen: HashSet<u64>,
    seq: u64,
    dropped: usize,
}

/// A 64-bit digest of a URL (SipHash with the fixed keys of
/// `DefaultHasher::new`: the same on every run of a build, so a resumed
/// crawl walks the same frontier; collisions are negligible at the
/// sizes of a site crawl).
fn digest(url: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    url.hash(&mut h);
    h.finish()
}

/// `text` cut to at most `max` bytes at a character boundary.
fn clip(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The scoring words, built once per process and shared by every crawl
/// (`None` only if the static list failed to build: then no word scoring).
static WORDS: LazyLock<Option<(AhoCorasick, Vec<i32>)>> = LazyLock::new(|| {
    let (patterns, weights): (Vec<&str>, Vec<i32>) = PULL.iter().chain(PUSH).copied().unzip();
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .ok()
        .map(|a| (a, weights))
});

impl Default for Frontier {
    fn default() -> Self {
        Self::new()
    }
}

impl Frontier {
    /// An empty frontier.
    pub fn new() -> Self {
        Self {
            queues: HashMap::new(),
            topics: BTreeMap::new(),
            waiting: 0,
            seen: HashSet::new(),
            seq: 0,
            dropped: 0,
        }
    }

    /// The score of a link: anchor words count double, URL words once,
    /// each word at most once, minus two points per click of depth.
    pub fn score(&self, url: &Url, anchor: &str, depth: u32) -> i32 {
        let anchor = fold(anchor);
        let path = fold(&format!("{}?{}", url.path(), url.query().unwrap_or("")));
        let mut total = 0;
        for (text, factor) in [(&anchor, 2), (&path, 1)] {
            let mut used = HashSet::new();
            let Some((words, weights)) = WORDS.as_ref() else {
                break;
            };
            for m in words.find_iter(text.as_str()) {
                if used.insert(m.pattern()) {
                    total += weights[m.pattern().as_usize()] * factor;
                }
            }
        }
        total - 2 * depth as i32
    }

    /// The topic score of a link: its words ([`Frontier::score`] at depth 0)
    /// plus `bonus`, raised to [`ESSENTIAL_TOPIC`] for an essential link.
    fn topic(&self, url: &Url, anchor: &str, bonus: i32) -> i32 {
        let words = self.score(url, anchor, 0) + bonus;
        let text = format!("{} {}", fold(anchor), fold(url.path()));
        if ESSENTIAL.iter().any(|w| text.contains(w)) {
            words.max(ESSENTIAL_TOPIC)
        } else {
            words
        }
    }

    /// Adds a URL unless it was seen before; returns whether it was added.
    pub fn push(
        &mut self,
        url: Url,
        depth: u32,
        anchor: &str,
        referrer: Option<(Url, String)>,
        off_site: bool,
        bonus: i32,
    ) -> bool {
        if !self.seen.insert(digest(url.as_str())) {
            return false;
        }
        let score = self.score(&url, anchor, depth) + bonus;
        let topic = self.topic(&url, anchor, bonus);
        self.seq += 1;
        let (referrer, referrer_text) = match referrer {
            Some((u, t)) => (
                Some(String::from(u).into_boxed_str()),
                Some(clip(t, MAX_REFERRER_TEXT).into_boxed_str()),
            ),
            None => (None, None),
        };
        let key = queue_key(&url);
        self.enqueue(
            key,
            Queued {
                url: String::from(url).into_boxed_str(),
                referrer,
                referrer_text,
                depth,
                off_site,
                score,
                topic,
                seq: self.seq,
            },
        );
        if self.waiting >= TRIM_AT {
            self.trim();
        }
        true
    }

    /// Puts a compact candidate in its host's queue and counts its topic.
    fn enqueue(&mut self, key: String, q: Queued) {
        *self.topics.entry(q.topic).or_insert(0) += 1;
        self.waiting += 1;
        self.queues.entry(key).or_default().push(q);
    }

    /// Drops the lowest-scored candidates (of all hosts) down to [`MAX_QUEUE`].
    fn trim(&mut self) {
        let mut all: Vec<(String, Queued)> = Vec::with_capacity(self.waiting);
        for (key, heap) in std::mem::take(&mut self.queues) {
            all.extend(heap.into_iter().map(|q| (key.clone(), q)));
        }
        all.sort_by(|a, b| b.1.cmp(&a.1));
        let cut = all.len().saturating_sub(MAX_QUEUE);
        self.dropped += cut;
        all.truncate(MAX_QUEUE);
        self.topics.clear();
        self.waiting = 0;
        for (key, q) in all {
            self.enqueue(key, q);
        }
    }

    /// Candidates dropped by the queue cap so far.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Marks a URL as seen without queueing it (e.g. a redirect target already fetched).
    pub fn mark_seen(&mut self, url: &Url) -> bool {
        self.seen.insert(digest(url.as_str()))
    }

    /// True when the URL was queued or marked seen before.
    pub fn has_seen(&self, url: &Url) -> bool {
        self.seen.contains(&digest(url.as_str()))
    }

    /// The best candidate of any host.
    pub fn pop(&mut self) -> Option<Candidate> {
        self.pop_ready(&HashSet::new())
    }

    /// The best candidate among the hosts not in `busy` (host keys as
    /// [`queue_key`] gives them); `None` when every waiting candidate is on
    /// a busy host or nothing waits.
    pub fn pop_ready(&mut self, busy: &HashSet<String>) -> Option<Candidate> {
        loop {
            let q = self.pop_queued(busy)?;
            // Every queued string was a parsed URL, so this does not fail.
            let Ok(url) = Url::parse(&q.url) else {
                continue;
            };
            return Some(Candidate {
                url,
                depth: q.depth,
                referrer: q.referrer.and_then(|r| Url::parse(&r).ok()),
                referrer_text: q.referrer_text.map(String::from),
                off_site: q.off_site,
                score: q.score,
                topic: q.topic,
            });
        }
    }

    /// The best compact candidate among the hosts not in `busy`.
    fn pop_queued(&mut self, busy: &HashSet<String>) -> Option<Queued> {
        let key = self
            .queues
            .iter()
            .filter(|(k, _)| !busy.contains(*k))
            .filter_map(|(k, q)| q.peek().map(|c| (k, c)))
            .max_by(|a, b| a.1.cmp(b.1))
            .map(|(k, _)| k.clone())?;
        let queue = self.queues.get_mut(&key)?;
        let cand = queue.pop()?;
        if queue.is_empty() {
            self.queues.remove(&key);
        }
        self.waiting -= 1;
        if let Some(n) = self.topics.get_mut(&cand.topic) {
            *n -= 1;
            if *n == 0 {
                self.topics.remove(&cand.topic);
            }
        }
        Some(cand)
    }

    /// The highest topic score among the waiting candidates.
    pub fn best_topic(&self) -> Option<i32> {
        self.topics.keys().next_back().copied()
    }

    /// Candidates waiting.
    pub fn len(&self) -> usize {
        self.waiting
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.waiting == 0
    }
}

/// The queue (and politeness) key of a URL: its origin, as
/// [`crate::fetch::politeness::host_key`] gives it (empty for URLs without one).
pub fn queue_key(url: &Url) -> String {
    crate::fetch::politeness::host_key(url).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn home_care_links_come_first() {
        let mut f = Frontier::new();
        let u = |s: &str| Url::parse(s).unwrap();
        f.push(
            u("http://a.se/kultur/bibliotek"),
            1,
            "Bibliotek",
            None,
            false,
            0,
        );
        f.push(
            u("http://a.se/omsorg/aldre/hemtjanst"),
            1,
            "Hemtjänst",
            None,
            false,
            0,
        );
        f.push(u("http://a.se/bygga-bo"), 1, "Bygga och bo", None, false, 0);
        f.push(
            u("http://a.se/omsorg/aldre/avgifter"),
            2,
            "Avgifter för äldreomsorg",
            None,
            false,
            0,
        );
        assert!(!f.push(u("http://a.se/bygga-bo"), 1, "dubbel", None, false, 0));
        let order: Vec<String> = std::iter::from_fn(|| f.pop())
            .map(|c| c.url.path().to_owned())
            .collect();
        let mut first_two = order[..2].to_vec();
        first_two.sort();
        assert_eq!(
            first_two,
            ["/omsorg/aldre/avgifter", "/omsorg/aldre/hemtjanst"]
        );
        assert_eq!(order.last().unwrap(), "/kultur/bibliotek");
    }

    #[test]
    fn a_full_queue_keeps_the_best() {
        let mut f = Frontier::new();
        let u = |i: usize| Url::parse(&format!("http://a.se/sida/{i}")).unwrap();
        for i in 0..100_000 {
            f.push(u(i), 1, "", None, false, 0);
        }
        f.push(u(100_000), 1, "Hemtjänst", None, false, 0);
        assert!(f.len() < TRIM_AT);
        assert!(f.dropped() > 80_000);
        assert_eq!(f.pop().unwrap().url.path(), "/sida/100000");
        // Ties keep the order they were found in.
        assert_eq!(f.pop().unwrap().url.path(), "/sida/0");
        assert!(f.has_seen(&u(99_999)));
        assert!(!f.push(u(5), 1, "", None, false, 0));
    }

    #[test]
    fn a_busy_host_does_not_block_another() {
        let mut f = Frontier::new();
        let u = |s: &str| Url::parse(s).unwrap();
        f.push(
            u("http://vendor.se/berakna/a"),
            1,
            "Räkna ut avgift",
            None,
            true,
            20,
        );
        f.push(u("http://a.se/kultur"), 1, "Kultur", None, false, 0);
        f.push(u("http://a.se/omsorg"), 1, "Omsorg", None, false, 0);
        let first = f.pop().unwrap();
        assert_eq!(first.url.host_str(), Some("vendor.se"));
        let busy: HashSet<String> = [queue_key(&first.url)].into();
        assert_eq!(f.pop_ready(&busy).unwrap().url.path(), "/omsorg");
        assert_eq!(f.pop_ready(&busy).unwrap().url.path(), "/kultur");
        assert!(f.pop_ready(&busy).is_none());
        assert!(f.is_empty());
        assert_eq!(f.best_topic(), None);
    }

    #[test]
    fn essential_links_stay_on_topic() {
        let mut f = Frontier::new();
        let u = |s: &str| Url::parse(s).unwrap();
        f.push(
            u("http://a.se/kalender/2026"),
            6,
            "Kalender",
            None,
            false,
            0,
        );
        assert!(f.best_topic().unwrap() < 0);
        f.push(u("http://a.se/kontakt"), 6, "", None, false, -1);
        assert_eq!(f.best_topic(), Some(ESSENTIAL_TOPIC));
        assert_eq!(f.pop().unwrap().url.path(), "/kontakt");
        assert!(f.best_topic().unwrap() < 0);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn deeper_costs_and_ties_keep_order() {
        let f = Frontier::new();
        let u = Url::parse("http://a.se/x").unwrap();
        assert!(f.score(&u, "Hemtjänst", 1) > f.score(&u, "Hemtjänst", 4));
    }
}
