//! Writes every report of a scored run into an output directory:
//!
//! ```text
//! OUT/index.html                   national report
//! OUT/kommuner/<kod>-<slug>.html   one per municipality
//! OUT/arkiv/<hash>.html            archived copies of the evidence pages
//! OUT/resultat.csv                 Swedish Excel CSV (BOM, ';', decimal comma)
//! OUT/resultat-plain.csv           plain CSV
//! OUT/resultat.xlsx                workbook
//! OUT/results.json                 machine-readable results
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::archive::{write_copies, ArchiveCopies};
use super::html::municipality_file;
use crate::score::RunScores;
use crate::store::{Store, FILE_NAME};

/// What a page needs besides the scores.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The scored run.
    pub scores: &'a RunScores,
    /// The archived copies written.
    pub copies: &'a ArchiveCopies,
    /// Site facts from the audit's store, by municipality code.
    pub sites: &'a HashMap<String, SiteInfo>,
}

/// Facts about an audited site that the scores do not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteInfo {
    /// The start URL of the audit.
    pub homepage: String,
    /// HTML pages fetched and read.
    pub pages_fetched: Option<u32>,
    /// Why the crawl ended (a `crawl::CrawlEnd` code), when recorded.
    pub crawl_end: Option<String>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    /// `OUT/index.html`.
    pub index: PathBuf,
    /// Municipality pages written.
    pub municipality_pages: usize,
    /// Archived copies written.
    pub archive_copies: usize,
    /// Evidence records whose archived copy could not be read, with the reason.
    pub archive_failures: Vec<(String, String)>,
}

/// Errors of writing the reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory could not be written.
    #[error("kan inte skriva {path}: {source}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("kan inte skriva CSV: {0}")]
    Csv(::csv::Error),
    /// The XLSX writer failed.
    #[error("kan inte skriva XLSX: {0}")]
    Xlsx(String),
    /// JSON serialisation failed.
    #[error("kan inte skriva JSON: {0}")]
    Json(String),
    /// A worker thread panicked.
    #[error("en tråd som skrev arkivkopior avbröts oväntat")]
    Panicked,
}

impl ReportError {
    /// A write error for `path`.
    pub fn write(path: &Path, source: std::io::Error) -> Self {
        Self::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Homepage and page count per municipality, read from the audit's store;
/// empty when the store cannot be read (the pages then leave them out).
pub fn site_info(scores: &RunScores) -> HashMap<String, SiteInfo> {
    let path = scores.run.dir.join(FILE_NAME);
    let states = Store::open_readonly(&path).and_then(|s| s.municipality_states(scores.run.id));
    match states {
        Ok(states) => states
            .into_iter()
            .map(|s| {
                (
                    s.municipality.code.clone(),
                    SiteInfo {
                        homepage: s.municipality.homepage,
                        pages_fetched: s.pages_fetched,
                        crawl_end: s.crawl_end,
                    },
                )
            })
            .collect(),
        Err(e) => {
            tracing::warn!("kan inte läsa webbplatserna ur {}: {e}", path.display());
            HashMap::new()
        }
    }
}

/// Writes all reports of `scores` into `out` (created if missing).
pub fn write_reports(scores: &RunScores, out: &Path) -> Result<ReportOutput, ReportError> {
    let pages_dir = out.join("kommuner");
    std::fs::create_dir_all(&pages_dir).map_err(|e| ReportError::write(&pages_dir, e))?;
    let copies = write_copies(scores, out)?;
    let sites = site_info(scores);
    let ctx = Context {
        scores,
        copies: &copies,
        sites: &sites,
    };
    for m in &scores.municipalities {
        let path = out.join(municipality_file(&m.code, &m.name));
        std::fs::write(&path, super::municipality::render(&ctx, m))
            .map_err(|e| ReportError::write(&path, e))?;
    }
    let index = out.join("index.html");
    std::fs::write(&index, super::national::render(&ctx))
        .map_err(|e| ReportError::write(&index, e))?;
    super::csv::write_csvs(scores, out)?;
    super::xlsx::write_xlsx(scores, out)?;
    super::json::write_json(scores, &copies, out)?;
    Ok(ReportOutput {
        index,
        municipality_pages: scores.municipalities.len(),
        archive_copies: copies.files.len(),
        archive_failures: copies
            .failed
            .iter()
            .map(|(w, reason)| (format!("{}@{}", w.file, w.offset), reason.clone()))
            .collect(),
    })
}
