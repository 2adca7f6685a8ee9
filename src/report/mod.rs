//! Reports: of one site check ([`SiteReport`], Swedish terminal text or
//! JSON) and of a scored audit run ([`write_reports`]: HTML per
//! municipality, the national HTML report, archived copies, CSV, XLSX and
//! JSON).
//!
//! [`SiteReport`] is a plain value built from a [`crate::crawl::SiteCrawl`]
//! and the [`crate::detect::site::SiteVerdict`]s; rendering never touches
//! the network. Terminal text is Swedish; JSON keys are English.
//!
//! The run reports are made from [`crate::score::RunScores`]:
//! - [`html`] — `escape()` (every piece of page text goes through it), the
//!   page shell, Swedish number formatting;
//! - [`municipality`], [`national`], [`svg`] — the pages and the chart;
//! - [`archive`], [`sanitize`] — archived copies of the evidence pages,
//!   sanitised and shown in a sandboxed iframe;
//! - [`csv`], [`xlsx`], [`json`] — the exports;
//! - `write.rs` — [`write_reports`], which writes them all.

pub mod archive;
pub mod csv;
pub mod html;
pub mod json;
pub mod municipality;
pub mod national;
pub mod sanitize;
pub mod svg;
mod write;
pub mod xlsx;

#[cfg(test)]
pub(crate) mod tests;

pub use write::{site_info, write_reports, Context, ReportError, ReportOutput, SiteInfo};

use std::fmt::Write as _;

use serde::Serialize;
use url::Url;

use crate::crawl::{SiteCrawl, SiteStatus};
use crate::detect::site::SiteVerdict;
use crate::rules::Part;

/// The municipality a report is about, if known.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMunicipality {
    /// Four-digit code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// The result of checking one site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    /// The start URL.
    pub site: Url,
    /// The municipality, when the site is in the registry.
    pub municipality: Option<ReportMunicipality>,
    /// `ok`, `partial`, `unreachable`, `robots_unavailable`, `blocked_by_robots`, `redirect_loop` or `other_domain`.
    pub status: String,
    /// Swedish description of the status.
    pub status_text: String,
    /// HTML pages fetched and analysed.
    pub pages_fetched: usize,
    /// Fetch attempts (pages, including failed and skipped ones).
    pub pages_attempted: usize,
    /// Why the crawl ended (`complete`, `off_topic`, `budget`, `not_started`).
    pub crawl_end: crate::crawl::CrawlEnd,
    /// Swedish description of why the crawl ended.
    pub crawl_end_text: String,
    /// Wall time of the crawl, in seconds.
    pub elapsed_seconds: f64,
    /// One verdict per checklist item.
    pub items: Vec<SiteVerdict>,
    /// Every fetch attempt of the crawl, in order.
    pub pages: Vec<crate::crawl::PageRecord>,
    /// PDFs read and not, pages that need JavaScript.
    pub coverage: crate::crawl::coverage::Coverage,
}

impl SiteReport {
    /// Builds the report of a crawl and its verdicts.
    pub fn new(
        crawl: &SiteCrawl,
        municipality: Option<ReportMunicipality>,
        items: Vec<SiteVerdict>,
    ) -> Self {
        Self {
            site: crawl.start.clone(),
            municipality,
            status: crawl.status.code().to_owned(),
            status_text: crawl.status.describe_sv(),
            pages_fetched: crawl.pages_fetched,
            pages_attempted: crawl.pages.len(),
            crawl_end: crawl.end,
            crawl_end_text: crawl.end.describe_sv().to_owned(),
            elapsed_seconds: (crawl.elapsed.as_secs_f64() * 100.0).round() / 100.0,
            items: if crawl.status.checked() {
                items
            } else {
                Vec::new()
            },
            pages: crawl.pages.clone(),
            coverage: crawl.coverage.clone(),
        }
    }

    /// True when the site could be checked at all.
    pub fn checked(&self) -> bool {
        self.status == SiteStatus::Ok.code() || self.status == "partial"
    }

    /// Renders the Swedish terminal report.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let who = self.municipality.as_ref().map_or_else(
            || self.site.to_string(),
            |m| format!("{} kommun ({}) – {}", m.name, m.code, self.site),
        );
        let _ = writeln!(out, "Granskning av {who}");
        let _ = writeln!(
            out,
            "Status: {} · {} sidor hämtade och lästa ({} försök) på {:.1} s · {}",
            self.status_text,
            self.pages_fetched,
            self.pages_attempted,
            self.elapsed_seconds,
            self.crawl_end_text
        );
        for line in self.coverage.lines_sv() {
            let _ = writeln!(out, "        {line}");
        }
        if !self.checked() {
            let _ = writeln!(
                out,
                "\nWebbplatsen kunde inte granskas, så inga punkter har bedömts."
            );
            return out;
        }
        let found = self.items.iter().filter(|i| i.found).count();
        let _ = writeln!(out, "Hittade {found} av {} punkter.\n", self.items.len());
        for part in Part::ALL {
            let items: Vec<&SiteVerdict> = self.items.iter().filter(|i| i.part == part).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "== {} ==", part.label_sv());
            for item in items {
                let mark = if item.found {
                    "✓ Finns   "
                } else {
                    "✗ Saknas  "
                };
                let flag = if item.uncertain.is_some() {
                    "  [osäker – granskas]"
                } else if item.flagged {
                    "  [osäker – bör granskas]"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{mark}{} (säkerhet {:.2}){flag}",
                    item.name, item.confidence
                );
                if item.found {
                    for e in item.evidence.iter().take(2) {
                        let _ = writeln!(out, "           {}{}", e.url, pdf_page(&e.context));
                        let _ = writeln!(out, "           ”{}”", one_line(&e.snippet));
                    }
                } else {
                    if let Some(n) = &item.near_miss {
                        let _ = writeln!(
                            out,
                            "           närmast: {} ”{}” (signal {})",
                            n.url,
                            one_line(&n.snippet),
                            n.signal
                        );
                    }
                    if let Some(c) = &item.coverage {
                        let _ = writeln!(out, "           Täckning: {}", coverage_sv(c));
                    }
                    if let Some(why) = &item.uncertain {
                        let _ = writeln!(out, "           Granskas: {}", one_line(why));
                    }
                    let _ = writeln!(out, "           Tips: {}", one_line(&item.tip));
                }
            }
            let _ = writeln!(out);
        }
        out
    }
}

/// One Swedish line about what of the site was read.
pub fn coverage_sv(c: &crate::detect::coverage::Coverage) -> String {
    let mut text = format!(
        "{} sidor lästa, {} om hemtjänst/äldreomsorg, hemtjänstsidorna {}",
        c.pages_read,
        c.pages_on_topic,
        if c.reached_home_care {
            "nåddes"
        } else {
            "nåddes inte"
        }
    );
    if c.skipped_robots > 0 {
        let _ = write!(
            text,
            ", {} stoppade av robots.txt ({} om hemtjänst/äldreomsorg)",
            c.skipped_robots, c.skipped_robots_on_topic
        );
    }
    if c.skipped_budget > 0 {
        let _ = write!(
            text,
            ", {} länkar kvar när sidbudgeten tog slut",
            c.skipped_budget
        );
    }
    text
}

/// " (s. 2)" for evidence from a PDF page, else nothing.
fn pdf_page(context: &str) -> String {
    crate::extract::pdf::page_of_context(context).map_or_else(String::new, |n| format!(" (s. {n})"))
}

fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(200).collect();
        format!("{cut}…")
    } else {
        s
    }
}
