//! The farm: deterministic synthetic websites for all 290 municipalities of
//! the registry, served by [`crate::fixture_server`] for `infokoll demo` and
//! the audit benchmark.
//!
//! [`generate`] builds, for every [`Municipality`], a site on its real
//! homepage host (served over http through the fixture server acting as a
//! proxy): robots.txt, often a sitemap, a start page with navigation and a
//! tree of pages in one of four CMS styles (SiteVision-like
//! `/omsorg-och-stod/aldre/hemtjanst.4.<hex>.html`, WordPress-like
//! `/aldreomsorg/hemtjanst/`, `.php?id=` pages, some in ISO-8859-1, and
//! `.aspx` pages). Home-care pages sit two to five clicks from the start
//! page; filler pages of other municipal areas (school, building, culture,
//! politics, news) make the page counts vary between
//! [`FarmOptions::pages_min`] and [`FarmOptions::pages_max`].
//!
//! # Truth first
//!
//! For each municipality the 22 checklist items are drawn first (with
//! realistic base rates, [`item_base_rate`]), then the text is written
//! *from* that truth with a varied bank of Swedish templates, including
//! look-alikes of absent items (preschool calculators, appeal deadlines,
//! staff flexible hours, kontaktperson enligt LSS …). [`FarmTruth`] is
//! therefore exactly what the pages show, judged as `shared/checklist.md`
//! says.
//!
//! # Helper hosts
//!
//! Some municipalities have an e-service host (`e-tjanster.<domain>`,
//! `etjanst.<domain>`, `eservice.<domain>`) with login-walled services and
//! sometimes a fee calculator; two shared vendor hosts serve per-kommun
//! calculators: [`VENDOR_LINK_HOST`] (`/berakna/<slug>/`, linked) and
//! [`VENDOR_FRAME_HOST`] (`/widget/<slug>/`, embedded in an iframe).
//!
//! # Faults
//!
//! With [`FarmOptions::faults`], about 4 % of the sites (chosen from the
//! seed) get one [`Fault`] each, recorded in [`FarmTruth::status`] and
//! [`FarmTruth::fault`].
//!
//! # Determinism
//!
//! Every municipality has its own PRNG seeded from the farm seed and its
//! code, so the same seed gives byte-identical sites.
//!
//! # Architecture
//! - `rng`: SplitMix64
//! - `ctx`: per-municipality facts (names, phone numbers, providers, fees)
//! - `items`: which checklist items a site has (drawn with the base rates)
//! - `plan`: items → pages (which pages exist, where each item is written)
//! - `layout`: CMS styles, URL paths, the page shell, robots.txt, sitemaps
//! - `texts`: the template banks, one file per checklist part
//! - `hosts`: e-service and vendor pages
//! - `faults`: the fault routes
//! - `write`: [`write_to_dir`]
//! - [`large`]: one farm site buried in a news archive and an endless calendar

mod ctx;
mod faults;
mod hosts;
mod items;
pub mod large;
mod layout;
mod plan;
mod rng;
mod site;
mod texts;
mod write;

use std::collections::BTreeMap;

use url::Url;

use crate::fixture_server::Sites;
use crate::registry::{Municipality, Registry};

pub use write::{write_to_dir, WriteError};

/// The shared vendor host whose calculators municipalities link to.
pub const VENDOR_LINK_HOST: &str = "www.avgiftsrakning.se";
/// The shared vendor host whose calculators municipalities embed in an iframe.
pub const VENDOR_FRAME_HOST: &str = "kalkyl.omsorgsavgift.se";
/// Delay of the slow-page fault when not set: above the fetcher's default timeout.
pub const DEFAULT_SLOW_MS: u64 = crate::fetch::DEFAULT_TIMEOUT.as_millis() as u64 + 5_000;
/// Length of the endless-calendar chain (files `kalender/index.html@datum=…`).
pub const CALENDAR_DAYS: usize = 300;

/// The 22 checklist item ids, in checklist order.
pub const ITEMS: [&str; 22] = [
    "kontakt_telefon",
    "kontakt_epost_formular",
    "klagomal",
    "ansoka_bistand",
    "andra_beslut",
    "handlaggningstid",
    "tjanster_beskrivning",
    "trygghetslarm",
    "digitala_las",
    "nattillsyn_kamera",
    "avgift_info",
    "rakna_avgift",
    "utforare_presentation",
    "valja_utforare",
    "jamfor_utforare",
    "genomforandeplan",
    "personalkontinuitet",
    "kontaktperson",
    "forenklad_bistand",
    "flex_policy",
    "dagverksamhet",
    "korttid",
];

/// The designed share of municipalities that have an item (`None` for an
/// unknown id). `avgift_info` ends up a little higher, since every site
/// with a calculator also states its fees.
pub fn item_base_rate(id: &str) -> Option<f64> {
    let p = match id {
        "kontakt_telefon" => 0.92,
        "kontakt_epost_formular" => 0.88,
        "klagomal" => 0.78,
        "ansoka_bistand" => 0.85,
        "andra_beslut" => 0.55,
        "handlaggningstid" => 0.45,
        "tjanster_beskrivning" => 0.80,
        "trygghetslarm" => 0.77,
        "digitala_las" => 0.50,
        "nattillsyn_kamera" => 0.42,
        "avgift_info" => 0.72,
        "rakna_avgift" => 0.29,
        "utforare_presentation" => 0.48,
        "valja_utforare" => 0.65,
        "jamfor_utforare" => 0.44,
        "genomforandeplan" => 0.60,
        "personalkontinuitet" => 0.40,
        "kontaktperson" => 0.62,
        "forenklad_bistand" => 0.13,
        "flex_policy" => 0.09,
        "dagverksamhet" => 0.70,
        "korttid" => 0.75,
        _ => return None,
    };
    Some(p)
}

/// The start URL the farm gives a municipality: its homepage host over http.
pub fn start_url(m: &Municipality) -> Option<Url> {
    let host = m.homepage.host_str()?.to_ascii_lowercase();
    Url::parse(&format!("http://{host}/")).ok()
}

/// How the farm is generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarmOptions {
    /// Fewest HTML pages on a municipality's own host (fault pages not counted).
    pub pages_min: usize,
    /// Most HTML pages on a municipality's own host (fault pages not counted).
    pub pages_max: usize,
    /// Whether a few sites get faults (see [`Fault`]).
    pub faults: bool,
    /// When set, about one site in ten gets `Crawl-delay: <n>` in robots.txt.
    /// Off by default: it slows the benchmark.
    pub crawl_delay: Option<u32>,
    /// Delay of the [`Fault::SlowPage`] page, in milliseconds.
    pub slow_ms: u64,
}

impl Default for FarmOptions {
    fn default() -> Self {
        FarmOptions {
            pages_min: 15,
            pages_max: 60,
            faults: true,
            crawl_delay: None,
            slow_ms: DEFAULT_SLOW_MS,
        }
    }
}

/// A fault given to one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// robots.txt answers 500 (`robots_unavailable`).
    Robots500,
    /// `/` and `/start/` redirect to each other (`redirect_loop`).
    RedirectLoop,
    /// Every connection is dropped without an answer (`unreachable`).
    ConnectionClose,
    /// One inner filler page answers after [`FarmOptions::slow_ms`] (`ok`).
    SlowPage,
    /// One inner filler page answers 429 with `Retry-After: 1` once (`ok`).
    TooManyRequests,
    /// An events calendar of [`CALENDAR_DAYS`] day pages, each linking the next (`ok`).
    EndlessCalendar,
    /// One linked page of 5 MiB (`ok`).
    HugePage,
    /// One linked page is a gzip bomb inflating to 50 MiB (`ok`).
    GzipBomb,
    /// The home-care landing page has unclosed tags and stray end tags (`ok`).
    MalformedHtml,
    /// One home-care page is Latin-1 while the header says UTF-8 (`ok`).
    WrongCharset,
}

impl Fault {
    /// Every fault, in the order they are handed out.
    pub const ALL: [Fault; 10] = [
        Fault::Robots500,
        Fault::RedirectLoop,
        Fault::ConnectionClose,
        Fault::SlowPage,
        Fault::TooManyRequests,
        Fault::EndlessCalendar,
        Fault::HugePage,
        Fault::GzipBomb,
        Fault::MalformedHtml,
        Fault::WrongCharset,
    ];

    /// A stable name (`robots_500`, `redirect_loop`, …).
    pub fn code(self) -> &'static str {
        match self {
            Fault::Robots500 => "robots_500",
            Fault::RedirectLoop => "redirect_loop",
            Fault::ConnectionClose => "connection_close",
            Fault::SlowPage => "slow_page",
            Fault::TooManyRequests => "too_many_requests",
            Fault::EndlessCalendar => "endless_calendar",
            Fault::HugePage => "huge_page",
            Fault::GzipBomb => "gzip_bomb",
            Fault::MalformedHtml => "malformed_html",
            Fault::WrongCharset => "wrong_charset",
        }
    }

    /// The site status a crawler should report (a `SiteStatus` code).
    pub fn expected_status(self) -> &'static str {
        match self {
            Fault::Robots500 => "robots_unavailable",
            Fault::RedirectLoop => "redirect_loop",
            Fault::ConnectionClose => "unreachable",
            _ => "ok",
        }
    }

    /// True when nothing of the site can be read (all items are false).
    pub fn blocks_site(self) -> bool {
        self.expected_status() != "ok"
    }
}

/// What a careful auditor finds on one generated municipality site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarmTruth {
    /// The municipality's name as on the site, e.g. `Norrtälje kommun`.
    pub name: String,
    /// The http start URL.
    pub start: Url,
    /// Expected site status code (`ok`, `robots_unavailable`, `redirect_loop`, `unreachable`).
    pub status: String,
    /// The fault of the site, if any.
    pub fault: Option<Fault>,
    /// A short English description of the site's style (CMS, depth, traps).
    pub style: String,
    /// Item id → present, for all 22 [`ITEMS`].
    pub items: BTreeMap<String, bool>,
    /// Item id → the page that shows it (only present items; on the
    /// municipality's own host, the page with the link for off-site tools).
    pub evidence: BTreeMap<String, Url>,
    /// Number of HTML pages on the municipality's own host (fault pages not counted).
    pub pages: usize,
}

/// The generated farm.
#[derive(Debug, Clone)]
pub struct Farm {
    /// All hosts: municipality sites, e-service hosts and the vendor hosts.
    pub sites: Sites,
    /// Municipality code → truth.
    pub truths: BTreeMap<String, FarmTruth>,
    /// Municipality code → http start URL, in registry order.
    pub starts: Vec<(String, Url)>,
}

/// Generates the farm for every municipality of `registry`.
pub fn generate(registry: &Registry, seed: u64, opts: &FarmOptions) -> Farm {
    generate_for(registry.all(), seed, opts)
}

/// Generates the farm for a list of municipalities (faults are chosen among them).
pub fn generate_for(municipalities: &[Municipality], seed: u64, opts: &FarmOptions) -> Farm {
    let faults = if opts.faults {
        faults::assign(municipalities, seed)
    } else {
        BTreeMap::new()
    };
    let mut sites = Sites::new();
    let mut truths = BTreeMap::new();
    let mut starts = Vec::new();
    let mut vendors = hosts::Vendors::default();
    for m in municipalities {
        let code = m.code.as_str().to_owned();
        let fault = faults.get(&code).copied();
        let built = site::build(m, seed, opts, fault);
        for (host, path, bytes) in built.files {
            sites.insert_file(&host, &path, bytes);
        }
        for (host, config) in built.configs {
            sites.set_config(&host, config);
        }
        vendors.extend(built.vendor_pages);
        starts.push((code.clone(), built.truth.start.clone()));
        truths.insert(code, built.truth);
    }
    for (host, path, bytes) in vendors.finish() {
        sites.insert_file(&host, &path, bytes);
    }
    Farm {
        sites,
        truths,
        starts,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_large;
#[cfg(test)]
mod tests_rules;
