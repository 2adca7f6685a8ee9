//! Heavy page work off the async workers, with limits that keep it linear.
//!
//! Parsing a page (and running the rules on it) is CPU work; done on a
//! tokio worker it stalls every request of every host that worker serves.
//! [`parse_off_thread`] runs the parse on the blocking pool, at most one
//! parse per core at a time (a semaphore), and [`run_heavy`] moves other
//! CPU work (detection) off the worker's task queue. Every page is held to
//! the limits below; a page over one is cut and the cut reported as a
//! [`Limit`], shown as `avkortad` like an oversized body.

use std::sync::LazyLock;

use tokio::sync::Semaphore;
use url::Url;

use super::guard::Cut;
use super::{html::parse_html_guarded, Document};

/// Most links kept per page (document order): several times a large
/// municipal A–Z index, and detection stays cheap.
pub const MAX_LINKS: usize = 5_000;
/// Most text blocks kept per page.
pub const MAX_BLOCKS: usize = 20_000;
/// Most bytes of block text kept per page (about 500 printed pages).
pub const MAX_TEXT: usize = 1_000_000;
/// Most frames kept per page.
pub const MAX_FRAMES: usize = 100;
/// Most forms kept per page.
pub const MAX_FORMS: usize = 200;

/// A limit a page went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Nesting deeper than [`super::guard::MAX_DEPTH`].
    Depth,
    /// More tags than [`super::guard::MAX_TAGS`].
    Tags,
    /// Parsing took longer than [`super::budget::PARSE_BUDGET`].
    Time,
    /// More links than [`MAX_LINKS`].
    Links,
    /// More blocks than [`MAX_BLOCKS`].
    Blocks,
    /// More text than [`MAX_TEXT`].
    Text,
    /// More frames or forms than [`MAX_FRAMES`] / [`MAX_FORMS`].
    Embeds,
    /// The parser failed on the page (nothing of it is kept).
    Failed,
}

impl Limit {
    /// A short Swedish description ("för djup nästling" …).
    pub fn describe_sv(self) -> &'static str {
        match self {
            Self::Depth => "för djup nästling",
            Self::Tags => "för många element",
            Self::Time => "för lång tolkningstid",
            Self::Links => "för många länkar",
            Self::Blocks => "för många textblock",
            Self::Text => "för mycket text",
            Self::Embeds => "för många ramar eller formulär",
            Self::Failed => "sidan kunde inte tolkas",
        }
    }

    /// "avkortad: …" for a page record, listing every limit passed.
    pub fn describe_all_sv(limits: &[Limit]) -> String {
        let what: Vec<&str> = limits.iter().map(|l| l.describe_sv()).collect();
        format!("avkortad: {}", what.join(", "))
    }
}

/// Parses a page within every limit; returns the document and the limits
/// it went over (empty for an ordinary page). Linear in the body size.
pub fn parse_limited(url: &Url, body: &[u8], content_type: Option<&str>) -> (Document, Vec<Limit>) {
    let (mut doc, cut) = parse_html_guarded(url, body, content_type);
    let mut limits = Vec::new();
    match cut {
        Some(Cut::Depth) => limits.push(Limit::Depth),
        Some(Cut::Tags) => limits.push(Limit::Tags),
        Some(Cut::Time) => limits.push(Limit::Time),
        None => {}
    }
    limits.extend(cap_document(&mut doc));
    (doc, limits)
}

/// Removes user names and passwords from every URL of a document: they
/// must never reach the frontier, the database or a report.
fn strip_credentials(doc: &mut Document) {
    fn strip(url: &mut Url) {
        if !url.username().is_empty() || url.password().is_some() {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
    }
    strip(&mut doc.url);
    doc.links.iter_mut().for_each(|l| strip(&mut l.href));
    doc.frames.iter_mut().for_each(|f| strip(&mut f.src));
    doc.forms
        .iter_mut()
        .filter_map(|f| f.action.as_mut())
        .for_each(strip);
}

/// Holds a parsed document to the per-page limits (and strips credentials
/// from its URLs).
pub fn cap_document(doc: &mut Document) -> Vec<Limit> {
    strip_credentials(doc);
    let mut limits = Vec::new();
    if doc.links.len() > MAX_LINKS {
        doc.links.truncate(MAX_LINKS);
        doc.links.shrink_to_fit();
        limits.push(Limit::Links);
    }
    if doc.blocks.len() > MAX_BLOCKS {
        doc.blocks.truncate(MAX_BLOCKS);
        limits.push(Limit::Blocks);
    }
    let mut total = 0usize;
    let keep = doc.blocks.iter().position(|b| {
        total += b.text.len();
        total > MAX_TEXT
    });
    if let Some(n) = keep {
        doc.blocks.truncate(n);
        limits.push(Limit::Text);
    }
    if doc.frames.len() > MAX_FRAMES || doc.forms.len() > MAX_FORMS {
        doc.frames.truncate(MAX_FRAMES);
        doc.forms.truncate(MAX_FORMS);
        limits.push(Limit::Embeds);
    }
    limits
}

/// Parses at most this many pages at once: one per core, and at least
/// four, so that two heavy pages (each held to the parse budget) cannot
/// make a healthy site's small page wait behind them.
static PARSERS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    Semaphore::new(cores.max(4))
});

/// [`parse_limited`] on tokio's blocking pool, one page per core at a
/// time, so no async worker ever parses. A parser panic costs the page
/// (an empty document, [`Limit::Failed`]), never the run.
pub async fn parse_off_thread(
    url: Url,
    body: Vec<u8>,
    content_type: Option<String>,
) -> (Document, Vec<Limit>) {
    let permit = PARSERS.acquire().await.ok();
    let task_url = url.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        parse_limited(&task_url, &body, content_type.as_deref())
    })
    .await;
    drop(permit);
    match parsed {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(%url, error = %e, "the page could not be parsed");
            (super::parse_html(&url, b"", None), vec![Limit::Failed])
        }
    }
}

/// Runs CPU-heavy work without stalling the async worker it is called
/// on: on a multi-thread runtime the worker hands its other tasks to
/// another thread meanwhile (`block_in_place`); elsewhere it just runs.
pub fn run_heavy<T>(work: impl FnOnce() -> T) -> T {
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::fmt::Write as _;
    use std::time::Instant;

    use super::*;

    fn url() -> Url {
        Url::parse("https://www.kommun.se/").unwrap()
    }

    #[test]
    fn hostile_pages_are_cut_and_say_so() {
        let deep = format!(
            "<h1>Hemtjänst</h1><p>Avgiften är 300 kr.</p>{}djupt",
            "<div>".repeat(100_000)
        );
        let (doc, limits) = parse_limited(&url(), deep.as_bytes(), None);
        assert_eq!(limits, [Limit::Depth]);
        assert!(doc.main_text().contains("Avgiften är 300 kr."));

        let links = (0..100_000).fold(String::new(), |mut s, i| {
            let _ = write!(s, "<a href=\"/sida/{i}\">sida {i}</a> ");
            s
        });
        let (doc, limits) = parse_limited(&url(), links.as_bytes(), None);
        assert!(limits.contains(&Limit::Links), "{limits:?}");
        assert_eq!(doc.links.len(), MAX_LINKS);
        assert_eq!(doc.links[0].href.path(), "/sida/0");

        let text = format!("<p>{}</p>", "hemtjänst ".repeat(300_000));
        let (doc, limits) = parse_limited(&url(), text.as_bytes(), None);
        assert_eq!(limits, [Limit::Text]);
        assert!(doc.blocks.iter().map(|b| b.text.len()).sum::<usize>() <= MAX_TEXT);
        assert_eq!(
            Limit::describe_all_sv(&[Limit::Depth, Limit::Links]),
            "avkortad: för djup nästling, för många länkar"
        );
    }

    #[test]
    fn ordinary_pages_pass_untouched() {
        let html = "<title>Äldreomsorg</title><h1>Hemtjänst</h1><p>Text</p><a href=/a>a</a>";
        let (doc, limits) = parse_limited(&url(), html.as_bytes(), None);
        assert!(limits.is_empty());
        assert_eq!(doc.title, "Äldreomsorg");
        assert_eq!(doc.links.len(), 1);
    }

    /// The worst-case figure of the note: `cargo test --release --lib
    /// extract::offload -- --ignored --nocapture` prints the CPU time of
    /// each hostile 5 MiB page.
    #[test]
    #[ignore = "a measurement, run by hand in release mode"]
    fn worst_case_parse_time() {
        let size = 5 * 1024 * 1024;
        let fill = |unit: &str| unit.repeat(size / unit.len());
        let pages = [
            ("nested div", fill("<div>")),
            ("nested div+span", fill("<div><span></b>")),
            ("nested b", fill("<b>")),
            ("nested table", fill("<table><tr><td>")),
            ("links", fill("<a href=/x>x</a>")),
            ("unclosed p+div", fill("<p>x<div>")),
            ("misnested b+div", fill("<b><div></b>")),
            ("misnested a+p", fill("<a><p></a>")),
            ("list items", fill("<li>x")),
            ("text", fill("hemtjänst avgift ")),
            ("flat div", fill("<div>a</div>")),
        ];
        // Without the guard (the "before" figure): html5ever alone on
        // nested divs, to show the growth with depth.
        for depth in [5_000, 10_000, 20_000] {
            let page = "<div>".repeat(depth);
            let t = Instant::now();
            let html = scraper::Html::parse_document(&page);
            println!(
                "unguarded {depth:>6} nested divs: {:>6.0} ms ({} nodes)",
                t.elapsed().as_secs_f64() * 1000.0,
                html.tree.nodes().count()
            );
        }
        for (name, page) in pages {
            let t = Instant::now();
            let (doc, limits) = parse_limited(&url(), page.as_bytes(), None);
            println!(
                "{name:>16}: {:>6.0} ms, {} blocks, {} links, {limits:?}",
                t.elapsed().as_secs_f64() * 1000.0,
                doc.blocks.len(),
                doc.links.len()
            );
        }
    }
}
