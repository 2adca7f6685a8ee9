//! Reviewed findings as a labelled page set (`infokoll review export`):
//! the archived pages behind the reviewed findings, sanitised, and a
//! `labels.csv` in the development sets' format
//! (`file,url,kommun,item,present,note`), so that `infokoll eval --pages
//! DIR/pages --labels DIR/labels.csv` measures any rule set against what
//! the reviewers decided.
//!
//! One label per reviewed finding (the latest decision), on one page:
//! the page the reviewer named, else the verdict's best evidence page. A
//! finding the reviewer called present on no named page while the machine
//! found nothing has no page that shows it and is skipped (counted). A
//! decision that the item is missing labels its evidence page `0`: if the
//! item is nowhere on the site, it is not on that page either.
//!
//! Pages are written through the report's sanitiser
//! ([`crate::report::sanitize::sanitize_html`]): no scripts, frames,
//! objects or form actions, UTF-8.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::queue::{final_found, latest};
use crate::archive::{read_record, ArchiveRef};
use crate::store::{Decision, Store, StoreError, VerdictRow, WarcRef, FILE_NAME};

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The directory has no audit database.
    #[error("{0} innehåller ingen granskning ({FILE_NAME} saknas)")]
    NoDatabase(PathBuf),
    /// The database has no run.
    #[error("{0} innehåller ingen körning")]
    NoRun(PathBuf),
    /// The audit database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be written.
    #[error("kan inte skriva {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The labels file could not be written.
    #[error("kan inte skriva {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// Findings with a decision.
    pub decided: usize,
    /// Labels written.
    pub labels: usize,
    /// Of those, `present = 1`.
    pub present: usize,
    /// Pages written.
    pub pages: usize,
    /// Decided findings without a usable archived page.
    pub skipped: usize,
    /// The labels file.
    pub labels_file: PathBuf,
}

/// One label row, in the development sets' column order.
#[derive(Debug, Serialize)]
struct Label<'a> {
    file: &'a str,
    url: &'a str,
    kommun: &'a str,
    item: &'a str,
    present: u8,
    note: String,
}

/// The page a decision is about: the reviewer's named page (when the run
/// archived it), else the verdict's best evidence page, unless the
/// reviewer says present where the machine found nothing.
fn page_of(
    store: &Store,
    run: crate::store::RunId,
    code: &str,
    named: Option<&str>,
    verdict: &VerdictRow,
    present_unfound: bool,
) -> Result<Option<(String, WarcRef)>, StoreError> {
    if let Some(url) = named.filter(|u| !u.trim().is_empty()) {
        let hit = store
            .fetches(run, code)?
            .into_iter()
            .find(|r| (r.url == url || r.final_url == url) && r.warc.is_some());
        if let Some(row) = hit {
            if let Some(w) = row.warc {
                return Ok(Some((row.final_url, w)));
            }
        }
    }
    if present_unfound {
        return Ok(None);
    }
    Ok(verdict
        .evidence
        .iter()
        .find_map(|e| e.warc.clone().map(|w| (e.url.clone(), w))))
}

/// A file name for a page: `<code>-<n>-<host>.html`.
fn file_name(code: &str, n: usize, url: &str) -> String {
    let host: String = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{code}-{n:03}-{host}.html")
}

fn decision_sv(d: Decision) -> &'static str {
    match d {
        Decision::Confirm => "bekräftad",
        Decision::Reject => "avvisad",
        Decision::Present => "finns",
    }
}

/// Exports the reviewed findings of the latest run in `dir` to `out`
/// (`out/pages/…`, `out/labels.csv`).
pub fn export_reviewed(dir: &Path, out: &Path) -> Result<ExportSummary, ExportError> {
    let db = dir.join(FILE_NAME);
    if !db.is_file() {
        return Err(ExportError::NoDatabase(dir.to_path_buf()));
    }
    let store = Store::open_readonly(&db)?;
    let run = store
        .latest_run()?
        .ok_or_else(|| ExportError::NoRun(dir.to_path_buf()))?;
    let names: HashMap<String, String> = store
        .municipality_states(run.id)?
        .into_iter()
        .map(|s| (s.municipality.code, s.municipality.name))
        .collect();
    let verdicts: HashMap<(String, String), VerdictRow> = store
        .verdicts(run.id)?
        .into_iter()
        .map(|(code, v)| ((code, v.item.clone()), v))
        .collect();
    let decided: BTreeMap<_, _> = latest(&store.decisions(run.id)?).into_iter().collect();
    let pages_dir = out.join("pages");
    std::fs::create_dir_all(&pages_dir).map_err(|source| ExportError::Write {
        path: pages_dir.clone(),
        source,
    })?;
    let labels_file = out.join("labels.csv");
    let mut writer = csv::Writer::from_path(&labels_file).map_err(|source| ExportError::Csv {
        path: labels_file.clone(),
        source,
    })?;
    // (code, page URL) → file name, so a page labelled for several items is written once.
    let mut files: HashMap<(String, String), String> = HashMap::new();
    let mut summary = ExportSummary {
        decided: decided.len(),
        labels: 0,
        present: 0,
        pages: 0,
        skipped: 0,
        labels_file: labels_file.clone(),
    };
    for ((code, item), (_, d)) in &decided {
        let Some(verdict) = verdicts.get(&(code.clone(), item.clone())) else {
            summary.skipped += 1;
            continue;
        };
        let machine = d.machine_found.unwrap_or(verdict.found);
        let truth = final_found(machine, d.decision);
        let page = page_of(
            &store,
            run.id,
            code,
            d.url.as_deref(),
            verdict,
            truth && !machine,
        )?;
        let Some((url, warc)) = page else {
            summary.skipped += 1;
            continue;
        };
        let key = (code.clone(), url.clone());
        let file = if let Some(f) = files.get(&key) {
            f.clone()
        } else {
            let r = ArchiveRef {
                file: warc.file.clone(),
                offset: warc.offset,
                length: warc.length,
            };
            let Ok(response) = read_record(dir, &r) else {
                summary.skipped += 1;
                continue;
            };
            let content_type = response.header("content-type");
            if content_type.is_some_and(|c| !c.to_ascii_lowercase().contains("html")) {
                summary.skipped += 1;
                continue;
            }
            let (text, _) = crate::extract::charset::decode(&response.body, content_type);
            let clean = crate::report::sanitize::sanitize_html(&text, Some(&response.target));
            let name = file_name(code, files.len() + 1, &url);
            let path = pages_dir.join(&name);
            std::fs::write(&path, clean).map_err(|source| ExportError::Write { path, source })?;
            summary.pages += 1;
            files.insert(key, name.clone());
            name
        };
        let mut note = format!(
            "{} av {} ({code}); maskinen: {}",
            decision_sv(d.decision),
            d.reviewer,
            if machine { "funnen" } else { "saknas" }
        );
        if let Some(c) = d.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            note.push_str("; ");
            note.push_str(c.trim());
        }
        writer
            .serialize(Label {
                file: &file,
                url: &url,
                kommun: names.get(code).map_or(code.as_str(), String::as_str),
                item,
                present: u8::from(truth),
                note,
            })
            .map_err(|source| ExportError::Csv {
                path: labels_file.clone(),
                source,
            })?;
        summary.labels += 1;
        summary.present += usize::from(truth);
    }
    writer.flush().map_err(|source| ExportError::Write {
        path: labels_file.clone(),
        source,
    })?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            file_name("0188", 7, "https://www.norrtalje.se/omsorg?x=1"),
            "0188-007-www-norrtalje-se.html"
        );
        assert_eq!(file_name("0188", 1, "inte en adress"), "0188-001-.html");
    }
}
