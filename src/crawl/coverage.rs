//! How much of a site could be read, beyond the page counts: PDFs read,
//! PDFs that could not be read (and why), and pages that only a browser
//! running JavaScript would show. Every "saknas" is read against this.

use serde::Serialize;
use url::Url;

use crate::pdf::PdfProblem;

/// What a crawl could and could not read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// PDFs whose text was read.
    pub pdfs_read: usize,
    /// Pages of text read from those PDFs.
    pub pdf_pages: usize,
    /// PDFs that could not be read, with why.
    pub pdfs_unread: Vec<UnreadPdf>,
    /// Pages whose content a script builds, not rendered.
    pub script_pages: Vec<Url>,
}

/// A PDF that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadPdf {
    /// The PDF's URL.
    pub url: Url,
    /// Why.
    pub problem: PdfProblem,
}

impl Coverage {
    /// Swedish lines for the report, empty when there is nothing to say.
    pub fn lines_sv(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.pdfs_read > 0 {
            out.push(format!(
                "{} pdf{} lästa ({} sidor)",
                self.pdfs_read,
                if self.pdfs_read == 1 { "" } else { "er" },
                self.pdf_pages
            ));
        }
        let no_text = self
            .pdfs_unread
            .iter()
            .filter(|p| p.problem == PdfProblem::NoText)
            .count();
        if no_text > 0 {
            out.push(format!("{no_text} pdf utan text kunde inte läsas"));
        }
        for p in self
            .pdfs_unread
            .iter()
            .filter(|p| p.problem != PdfProblem::NoText)
        {
            out.push(format!("pdf kunde inte läsas: {} ({})", p.url, p.problem));
        }
        for url in &self.script_pages {
            out.push(format!("kräver JavaScript – inte renderad: {url}"));
        }
        out
    }
}
