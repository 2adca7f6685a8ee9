//! Crawling one municipality's site, focused on the home-care pages.
//!
//! `crawl` decides *what* to fetch, [`crate::fetch`] *when and how*. The
//! crawl starts at the start page and the sitemaps robots.txt names, keeps
//! a priority [`frontier::Frontier`] that goes for the home-care pages
//! first, stays within the site's [`scope::SiteScope`], follows a link or
//! frame one hop off-site only when a rule says it is a candidate for an
//! item (a vendor's calculator), and stops when the section is exhausted
//! ([`stop`]), at a page budget, or at a depth limit. Each fetched HTML
//! page is handed to the caller as a [`CrawledPage`] with its [`Document`],
//! so detection can run (and the document be dropped) page by page; the
//! caller answers with [`PageNews`] (items found so far), which the stop
//! rule uses.
//!
//! Fetches run concurrently per host: at most one request of a crawl is in
//! flight to each host (the politeness gate of [`crate::fetch`] still
//! spaces every host's requests across the whole process), so a crawl
//! waiting its turn at a shared vendor host keeps the municipality's own
//! host busy meanwhile.
//!
//! # Architecture
//! - [`crawl_site`]: the loop; [`SiteCrawl`] and [`SiteStatus`]: what came of it
//! - [`frontier`], [`scope`], [`sitemap`], [`stop`]
//! - [`coverage`]: PDFs read or not, pages that need JavaScript; `pdf_pages`: PDF links and bodies

pub mod coverage;
pub mod frontier;
mod pdf_pages;
pub mod scope;
pub mod sitemap;
pub mod stop;

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use url::Url;

use crate::extract::offload::{parse_off_thread, Limit};
use crate::extract::script::looks_script_built;
use crate::extract::Document;
use crate::fetch::robots::{RobotsRules, RobotsStatus};
use crate::fetch::{FetchOutcome, FetchedPage, Fetcher};
use crate::pdf::{is_pdf, PdfReader};
use crate::rules::RuleSet;
use crate::text::fold;
use coverage::{Coverage, UnreadPdf};
use frontier::{queue_key, Frontier};
use scope::{looks_like_trap, normalise, SiteScope};
use stop::StopRule;
pub use stop::{CrawlEnd, PageNews};

/// Most robots-skipped URLs a crawl keeps (the count goes on).
pub const MAX_SKIPPED_KEPT: usize = 200;

/// Default page budget of one site.
pub const DEFAULT_MAX_PAGES: usize = 300;
/// Default depth limit (clicks from the start page).
pub const DEFAULT_MAX_DEPTH: u32 = 8;
/// Most URLs taken from sitemaps.
pub const MAX_SITEMAP_URLS: usize = 5000;
/// Most sitemap files read (index files included).
pub const MAX_SITEMAP_FILES: usize = 5;
/// Most new links one page adds to the frontier (frames first, then links
/// in document order): one page of 100,000 links cannot flood the queue.
const MAX_LINKS_TAKEN: usize = 1_000;
/// Most distinct query strings fetched for one path (calendar and search traps).
const MAX_QUERIES_PER_PATH: usize = 60;

/// What the crawler needs from a fetcher. [`Fetcher`] goes to the network;
/// the audit wraps it to replay pages archived before a crash.
pub trait PageSource: Sync {
    /// Fetches one URL (politely); never fails, problems are in the outcome.
    fn fetch(&self, url: &Url) -> impl Future<Output = FetchedPage> + Send;
    /// The robots.txt rules of the URL's host.
    fn robots(&self, url: &Url) -> impl Future<Output = Arc<RobotsRules>> + Send;
}

impl PageSource for Fetcher {
    fn fetch(&self, url: &Url) -> impl Future<Output = FetchedPage> + Send {
        Fetcher::fetch(self, url)
    }

    fn robots(&self, url: &Url) -> impl Future<Output = Arc<RobotsRules>> + Send {
        Fetcher::robots(self, url)
    }
}

/// Limits of one site crawl.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Most pages fetched (robots.txt and sitemaps not counted).
    pub max_pages: usize,
    /// Deepest click depth followed.
    pub max_depth: u32,
    /// Whether sitemaps are read.
    pub use_sitemaps: bool,
    /// Whether the crawl may end before the budget when the section is
    /// exhausted ([`stop`]).
    pub stop_early: bool,
    /// How PDFs are read (helper program, limits).
    pub pdf: PdfReader,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            max_pages: DEFAULT_MAX_PAGES,
            max_depth: DEFAULT_MAX_DEPTH,
            use_sitemaps: true,
            stop_early: true,
            pdf: PdfReader::default(),
        }
    }
}

/// How the crawl of a site went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteStatus {
    /// The site was crawled.
    Ok,
    /// The site was crawled, but many pages failed.
    Partial {
        /// Why (Swedish).
        reason: String,
    },
    /// The start page could not be fetched.
    Unreachable {
        /// Why (Swedish).
        reason: String,
    },
    /// robots.txt could not be fetched (5xx, timeout): per RFC 9309 nothing may be fetched.
    RobotsUnavailable {
        /// Why (Swedish).
        reason: String,
    },
    /// robots.txt forbids the start page.
    BlockedByRobots {
        /// Why (Swedish).
        reason: String,
    },
    /// The start page redirects in a loop (or too many times).
    RedirectLoop {
        /// Why (Swedish).
        reason: String,
    },
    /// The start page redirects to another registrable domain: recorded,
    /// not crawled, for a reviewer to confirm the municipality's address.
    OtherDomain {
        /// Where the start page led (the final URL).
        target: String,
    },
}

impl SiteStatus {
    /// True when the site could be checked (fully or partly).
    pub fn checked(&self) -> bool {
        matches!(self, Self::Ok | Self::Partial { .. })
    }

    /// A short Swedish description.
    pub fn describe_sv(&self) -> String {
        match self {
            Self::Ok => "granskad".to_owned(),
            Self::Partial { reason } => format!("delvis granskad: {reason}"),
            Self::Unreachable { reason } => format!("kunde inte nås: {reason}"),
            Self::RobotsUnavailable { reason } => format!("robots.txt otillgänglig: {reason}"),
            Self::BlockedByRobots { reason } => format!("stoppad av robots.txt: {reason}"),
            Self::RedirectLoop { reason } => format!("omdirigeringsfel: {reason}"),
            Self::OtherDomain { target } => format!("startsidan pekar till annan domän: {target}"),
        }
    }

    /// Why the site is not `ok` (Swedish), without the status itself.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Ok => None,
            Self::Partial { reason }
            | Self::Unreachable { reason }
            | Self::RobotsUnavailable { reason }
            | Self::BlockedByRobots { reason }
            | Self::RedirectLoop { reason } => Some(reason),
            Self::OtherDomain { target } => Some(target),
        }
    }

    /// A stable machine name (`ok`, `partial`, `unreachable`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Partial { .. } => "partial",
            Self::Unreachable { .. } => "unreachable",
            Self::RobotsUnavailable { .. } => "robots_unavailable",
            Self::BlockedByRobots { .. } => "blocked_by_robots",
            Self::RedirectLoop { .. } => "redirect_loop",
            Self::OtherDomain { .. } => "other_domain",
        }
    }
}

/// One fetched page, handed to the caller during the crawl.
#[derive(Debug)]
pub struct CrawledPage {
    /// The URL asked for.
    pub url: Url,
    /// The URL after redirects.
    pub final_url: Url,
    /// Clicks from the start page.
    pub depth: u32,
    /// True for a one-hop off-site page.
    pub off_site: bool,
    /// Anchor text that led here and the referring page's title.
    pub referrer_text: Option<String>,
    /// The parsed page.
    pub document: Document,
    /// True when the page needs JavaScript to show its content and was not rendered.
    pub script_built: bool,
}

/// A record of one fetch attempt.
#[derive(Debug, Clone, Serialize)]
pub struct PageRecord {
    /// The URL asked for.
    pub url: Url,
    /// The URL after redirects.
    pub final_url: Url,
    /// Redirect hops.
    pub redirects: Vec<Url>,
    /// Clicks from the start page.
    pub depth: u32,
    /// HTTP status, if a response came.
    pub status: Option<u16>,
    /// Swedish description of the outcome.
    pub outcome: String,
    /// True when the page was parsed as HTML.
    pub html: bool,
    /// True for a one-hop off-site page.
    pub off_site: bool,
}

/// What a site crawl produced.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCrawl {
    /// The start URL.
    pub start: Url,
    /// How it went.
    pub status: SiteStatus,
    /// robots.txt of the start host.
    pub robots: Option<RobotsStatus>,
    /// Every fetch attempt, in order.
    pub pages: Vec<PageRecord>,
    /// URLs a reader cannot reach: robots-disallowed or failed.
    #[serde(skip)]
    pub unreachable: HashSet<Url>,
    /// HTML pages fetched.
    pub pages_fetched: usize,
    /// Pages not fetched because robots.txt forbids them (at most
    /// [`MAX_SKIPPED_KEPT`] kept; the count goes on in `skipped_robots_count`).
    pub skipped_robots: Vec<Url>,
    /// How many pages robots.txt kept the crawl from.
    pub skipped_robots_count: usize,
    /// Links left in the frontier when the page budget ran out (0 when it did not).
    pub skipped_budget: usize,
    /// Why the crawl ended.
    pub end: CrawlEnd,
    /// PDFs read or not, pages not rendered.
    pub coverage: Coverage,
    /// Wall time of the crawl.
    pub elapsed: Duration,
}

/// Crawls one site. Never fails: problems become the [`SiteStatus`] and page records.
///
/// `on_page` is called for every HTML page read, in the order they arrive,
/// and answers what the page yielded for the stop rule.
pub async fn crawl_site<S, F>(
    fetcher: &S,
    rules: &RuleSet,
    start: &Url,
    cfg: &CrawlConfig,
    mut on_page: F,
) -> SiteCrawl
where
    S: PageSource,
    F: FnMut(&CrawledPage) -> PageNews,
{
    let began = Instant::now();
    let mut crawl = SiteCrawl {
        start: scope::strip_credentials(start.clone()),
        status: SiteStatus::Ok,
        robots: None,
        pages: Vec::new(),
        unreachable: HashSet::new(),
        pages_fetched: 0,
        skipped_robots: Vec::new(),
        skipped_robots_count: 0,
        skipped_budget: 0,
        end: CrawlEnd::NotStarted,
        coverage: Coverage::default(),
        elapsed: Duration::ZERO,
    };
    let Some(start) = normalise(start) else {
        crawl.status = SiteStatus::Unreachable {
            reason: format!("adressen {start} kan inte granskas"),
        };
        return crawl;
    };
    let robots = fetcher.robots(&start).await;
    crawl.robots = Some(robots.status.clone());
    if let RobotsStatus::Unreachable { .. } = robots.status {
        // A host that does not answer at all is down; one that answers
        // robots.txt with 5xx forbids crawling (RFC 9309).
        crawl.status = match robots.failure() {
            Some(
                f @ (FetchOutcome::Transport { .. }
                | FetchOutcome::Timeout
                | FetchOutcome::Internal { .. }),
            ) => SiteStatus::Unreachable {
                reason: f.describe_sv(),
            },
            _ => SiteStatus::RobotsUnavailable {
                reason: robots.status.describe_sv(),
            },
        };
        crawl.elapsed = began.elapsed();
        return crawl;
    }
    let mut walk = Walk {
        scope: SiteScope::of(&start),
        frontier: Frontier::new(),
        per_path: std::collections::HashMap::new(),
        stop: StopRule::new(rules.rules.len()),
        failures: 0,
    };
    walk.frontier.push(start.clone(), 0, "", None, false, 1000);
    let mut started = false;
    let mut sitemaps_read = false;
    // One fetch in flight per host; the start page alone first, as it
    // decides the scope.
    let mut busy: HashSet<String> = HashSet::new();
    let mut in_flight = FuturesUnordered::new();
    loop {
        let ended = if crawl.pages.len() + in_flight.len() >= cfg.max_pages {
            Some(if walk.frontier.is_empty() {
                CrawlEnd::Complete
            } else {
                crawl.skipped_budget = walk.frontier.len();
                CrawlEnd::Budget
            })
        } else if cfg.stop_early && walk.stop.exhausted(walk.frontier.best_topic()) {
            Some(CrawlEnd::OffTopic)
        } else {
            None
        };
        if ended.is_none() && (started || in_flight.is_empty()) {
            while crawl.pages.len() + in_flight.len() < cfg.max_pages {
                let Some(cand) = walk.frontier.pop_ready(&busy) else {
                    break;
                };
                let key = queue_key(&cand.url);
                busy.insert(key.clone());
                in_flight.push(async move {
                    let page = fetcher.fetch(&cand.url).await;
                    (key, cand, page)
                });
                if !started {
                    break;
                }
            }
        }
        let Some((key, cand, page)) = in_flight.next().await else {
            crawl.end = ended.unwrap_or(CrawlEnd::Complete);
            break;
        };
        busy.remove(&key);
        if matches!(page.outcome, FetchOutcome::Disallowed { .. }) {
            crawl.skipped_robots_count += 1;
            if crawl.skipped_robots.len() < MAX_SKIPPED_KEPT {
                crawl.skipped_robots.push(cand.url.clone());
            }
        }
        let first = !started;
        started = true;
        if first {
            let moved = scope::other_domain(&start, &page.final_url)
                .map(|target| SiteStatus::OtherDomain { target });
            if let Some(problem) = start_problem(&page.outcome).or(moved) {
                crawl.status = problem;
                let status = response_status(&page.outcome);
                crawl.pages.push(record(&page, &cand, status, false));
                crawl.end = CrawlEnd::NotStarted;
                break;
            }
            walk.scope.add(&page.final_url);
        }
        let Some(crawled) = walk.take_page(&mut crawl, &page, &cand).await else {
            if let Some(document) = read_pdf_response(cfg, &page, &mut crawl).await {
                let news = on_page(&CrawledPage {
                    url: cand.url.clone(),
                    final_url: page.final_url.clone(),
                    depth: cand.depth,
                    off_site: crawl.pages.last().map_or(cand.off_site, |p| p.off_site),
                    referrer_text: cand.referrer_text.clone(),
                    document,
                    script_built: false,
                });
                walk.stop.page_read(cand.topic, news);
            }
            continue;
        };
        let news = on_page(&crawled);
        walk.stop.page_read(cand.topic, news);
        if !crawled.off_site && cand.depth < cfg.max_depth {
            enqueue_links(rules, &crawled, &mut walk);
        }
        if !sitemaps_read && cfg.use_sitemaps {
            sitemaps_read = true;
            read_sitemaps(fetcher, &robots.sitemaps, &start, &mut walk).await;
        }
    }
    let attempted = crawl.pages.len();
    let failures = walk.failures;
    if crawl.status == SiteStatus::Ok && failures >= 5 && failures * 4 >= attempted {
        crawl.status = SiteStatus::Partial {
            reason: format!("{failures} av {attempted} sidor kunde inte hämtas"),
        };
    }
    crawl.elapsed = began.elapsed();
    crawl
}

/// The state of one crawl's walk over the site.
struct Walk {
    scope: SiteScope,
    frontier: Frontier,
    per_path: std::collections::HashMap<String, usize>,
    stop: StopRule,
    failures: usize,
}

impl Walk {
    /// Records a fetch; returns the parsed page when it is HTML.
    async fn take_page(
        &mut self,
        crawl: &mut SiteCrawl,
        page: &FetchedPage,
        cand: &frontier::Candidate,
    ) -> Option<CrawledPage> {
        let status = response_status(&page.outcome);
        let html_body = match &page.outcome {
            FetchOutcome::Response {
                status,
                content_type,
                body,
                ..
            } => {
                let is_html = content_type
                    .as_deref()
                    .map_or_else(|| sniff_html(body), |c| c.contains("html"));
                (*status < 400 && is_html).then_some((body, content_type.as_deref()))
            }
            _ => None,
        };
        self.frontier.mark_seen(&page.final_url);
        crawl
            .pages
            .push(record(page, cand, status, html_body.is_some()));
        // A same-site link that redirects off the site is an off-site page.
        let cand = &scope::off_site_after_redirect(cand.clone(), &self.scope, &page.final_url);
        if let Some(last) = crawl.pages.last_mut() {
            last.off_site = cand.off_site;
        }
        let Some((body, content_type)) = html_body else {
            if !matches!(
                page.outcome,
                FetchOutcome::Response {
                    status: 200..=399,
                    ..
                }
            ) {
                crawl.unreachable.insert(cand.url.clone());
            }
            // Server trouble makes a crawl partial; a 404 or a robots.txt ban does not.
            if matches!(
                page.outcome,
                FetchOutcome::Response { status: 500.., .. }
                    | FetchOutcome::Timeout
                    | FetchOutcome::Transport { .. }
                    | FetchOutcome::RedirectLoop
                    | FetchOutcome::TooManyRedirects
            ) {
                self.failures += 1;
            }
            return None;
        };
        let (document, limits) = parse_off_thread(
            page.final_url.clone(),
            body.clone(),
            content_type.map(str::to_owned),
        )
        .await;
        mark_cut(&mut crawl.pages, &limits);
        crawl.pages_fetched += 1;
        let script_built = looks_script_built(body, &document);
        if script_built {
            crawl.coverage.script_pages.push(page.final_url.clone());
        }
        Some(CrawledPage {
            url: cand.url.clone(),
            final_url: page.final_url.clone(),
            depth: cand.depth,
            off_site: cand.off_site,
            referrer_text: cand.referrer_text.clone(),
            document,
            script_built,
        })
    }
}

fn response_status(outcome: &FetchOutcome) -> Option<u16> {
    match outcome {
        FetchOutcome::Response { status, .. } => Some(*status),
        _ => None,
    }
}

/// Marks the last page record `avkortad` when its page went over a limit.
fn mark_cut(pages: &mut [PageRecord], limits: &[Limit]) {
    if let (Some(last), false) = (pages.last_mut(), limits.is_empty()) {
        last.outcome = format!("{} ({})", last.outcome, Limit::describe_all_sv(limits));
    }
}

fn record(
    page: &crate::fetch::FetchedPage,
    cand: &frontier::Candidate,
    status: Option<u16>,
    html: bool,
) -> PageRecord {
    PageRecord {
        url: cand.url.clone(),
        final_url: page.final_url.clone(),
        redirects: page.redirects.clone(),
        depth: cand.depth,
        status,
        outcome: page.outcome.describe_sv(),
        html,
        off_site: cand.off_site,
    }
}

/// Why a site cannot be checked, judged from its start page.
fn start_problem(outcome: &FetchOutcome) -> Option<SiteStatus> {
    match outcome {
        FetchOutcome::Response { status, .. } if *status >= 400 => Some(SiteStatus::Unreachable {
            reason: format!("startsidan svarade HTTP {status}"),
        }),
        FetchOutcome::Response { .. } => None,
        FetchOutcome::Disallowed { url } => Some(SiteStatus::BlockedByRobots {
            reason: format!("robots.txt förbjuder {url}"),
        }),
        FetchOutcome::RedirectLoop | FetchOutcome::TooManyRedirects => {
            Some(SiteStatus::RedirectLoop {
                reason: outcome.describe_sv(),
            })
        }
        other => Some(SiteStatus::Unreachable {
            reason: other.describe_sv(),
        }),
    }
}

fn sniff_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype html") || head.contains("<body")
}

fn enqueue_links(rules: &RuleSet, page: &CrawledPage, walk: &mut Walk) {
    let Walk {
        scope,
        frontier,
        per_path,
        ..
    } = walk;
    let doc = &page.document;
    let depth = page.depth + 1;
    let title = doc.title.clone();
    let mut taken = 0usize;
    let mut push = |url: &Url, anchor: &str, bonus: i32, headings: &[String]| {
        let pdf = pdf_pages::pdf_link(url);
        let Some(url) = normalise(url).or_else(|| pdf.clone()) else {
            return;
        };
        if looks_like_trap(&url) {
            return;
        }
        let on_site = scope.contains(&url);
        let candidate = rules.wants_follow(&url, &fold(anchor));
        if !on_site && !candidate {
            return;
        }
        if pdf.is_some() && !candidate && !pdf_pages::is_home_care(doc, headings) {
            return;
        }
        if frontier.has_seen(&url) {
            return;
        }
        if url.query().is_some() {
            let key = format!("{}{}", url.host_str().unwrap_or(""), url.path());
            let n = per_path.entry(key).or_insert(0);
            if *n >= MAX_QUERIES_PER_PATH {
                return;
            }
            *n += 1;
        }
        let referrer = Some((page.final_url.clone(), format!("{anchor} {title}")));
        let bonus = if candidate { bonus + 20 } else { bonus };
        if taken < MAX_LINKS_TAKEN && frontier.push(url, depth, anchor, referrer, !on_site, bonus) {
            taken += 1;
        }
    };
    for frame in &doc.frames {
        push(&frame.src, &frame.title, 30, &frame.heading_path);
    }
    for link in doc.links.iter().filter(|l| !l.nofollow) {
        let anchor = match &link.title {
            Some(t) => format!("{} {t}", link.text),
            None => link.text.clone(),
        };
        push(&link.href, &anchor, 0, &link.heading_path);
    }
}

async fn read_sitemaps<S: PageSource>(fetcher: &S, listed: &[Url], start: &Url, walk: &mut Walk) {
    let Walk {
        scope, frontier, ..
    } = walk;
    let mut queue: Vec<Url> = listed.to_vec();
    if queue.is_empty() {
        if let Ok(u) = start.join("/sitemap.xml") {
            queue.push(u);
        }
    }
    let mut files = 0;
    let mut taken = 0;
    let mut seen = HashSet::new();
    while let Some(url) = queue.pop() {
        if files >= MAX_SITEMAP_FILES || !seen.insert(url.clone()) || !scope.contains(&url) {
            continue;
        }
        files += 1;
        let page = fetcher.fetch(&url).await;
        let FetchOutcome::Response {
            status: 200..=299,
            body,
            ..
        } = &page.outcome
        else {
            continue;
        };
        let body = sitemap::gunzip_if_needed(body, sitemap::MAX_SITEMAP_BYTES);
        let map = sitemap::parse_sitemap(&body, MAX_SITEMAP_URLS);
        queue.extend(map.sitemaps);
        for u in map.pages {
            if taken >= MAX_SITEMAP_URLS {
                break;
            }
            if let Some(u) = normalise(&u).filter(|u| scope.contains(u) && !looks_like_trap(u)) {
                // Sitemap pages count as one click from the start page.
                if frontier.push(u, 1, "", None, false, -1) {
                    taken += 1;
                }
            }
        }
    }
}

/// Reads a fetched PDF (by Content-Type or magic bytes) into a document,
/// recording in coverage what came of it. `None` when the response is no
/// PDF or could not be read (the page record then says why).
async fn read_pdf_response(
    cfg: &CrawlConfig,
    page: &FetchedPage,
    crawl: &mut SiteCrawl,
) -> Option<Document> {
    let FetchOutcome::Response {
        status: 200..=299,
        content_type,
        body,
        truncated,
        ..
    } = &page.outcome
    else {
        return None;
    };
    if !is_pdf(content_type.as_deref(), body) {
        return None;
    }
    let max = crate::pdf::DEFAULT_MAX_PDF_BYTES;
    let read = pdf_pages::read_pdf(&cfg.pdf, &page.final_url, body, *truncated, max).await;
    if let Some(last) = crawl.pages.last_mut() {
        last.outcome = match &read {
            Ok((_, pages)) => format!("pdf, {pages} sidor lästa"),
            Err(problem) => problem.to_string(),
        };
    }
    match read {
        Ok((document, pages)) => {
            crawl.coverage.pdfs_read += 1;
            crawl.coverage.pdf_pages += pages;
            Some(document)
        }
        Err(problem) => {
            tracing::info!(url = %page.final_url, %problem, "pdf not read");
            crawl.coverage.pdfs_unread.push(UnreadPdf {
                url: page.final_url.clone(),
                problem,
            });
            None
        }
    }
}
