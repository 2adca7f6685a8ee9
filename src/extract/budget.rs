//! A time budget for the HTML parser: the last line of defence.
//!
//! The pre-parse guard ([`super::guard`]) keeps the tree builder's work
//! linear on every page we know how to build; this budget holds even on
//! markup it misjudges. The text is fed to html5ever in chunks, and once
//! [`PARSE_BUDGET`] has passed no more is fed: the parser closes what is
//! open and the page is cut (`avkortad`) like an oversized body.

use std::time::{Duration, Instant};

use html5ever::tendril::TendrilSink;
use html5ever::ParseOpts;
use scraper::{Html, HtmlTreeSink};

/// Longest a page is parsed (wall time, so also an upper bound of CPU).
pub const PARSE_BUDGET: Duration = Duration::from_millis(800);
/// Bytes fed to the parser between two looks at the clock.
const CHUNK: usize = 16 * 1024;

/// Parses `text`; `true` when the budget ran out and the rest was dropped.
pub fn parse_within_budget(text: &str) -> (Html, bool) {
    let mut parser = html5ever::parse_document(
        HtmlTreeSink::new(Html::new_document()),
        ParseOpts::default(),
    );
    let began = Instant::now();
    let mut rest = text;
    let mut over = false;
    while !rest.is_empty() {
        if began.elapsed() > PARSE_BUDGET {
            over = true;
            break;
        }
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (chunk, after) = rest.split_at(end);
        parser.process(chunk.into());
        rest = after;
    }
    (parser.finish(), over)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_parse_equals_the_whole() {
        let page = "<title>Å</title><p>hemtjänst &amp; omsorg</p>".repeat(2_000);
        let (html, over) = parse_within_budget(&page);
        assert!(!over);
        assert_eq!(html.html(), Html::parse_document(&page).html());
    }

    #[test]
    fn the_budget_stops_a_quadratic_page() {
        // Unguarded, 60,000 nested divs take tens of seconds.
        let page = "<div>".repeat(60_000);
        let t = Instant::now();
        let (_, over) = parse_within_budget(&page);
        assert!(over);
        assert!(t.elapsed() < PARSE_BUDGET * 4, "{:?}", t.elapsed());
    }
}
