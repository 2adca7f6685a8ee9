//! Archived copies of the evidence pages as static files:
//! `OUT/arkiv/<hash>.html`, one per distinct WARC record.
//!
//! Choice (documented in the page itself): the archived HTML is sanitised
//! ([`super::sanitize`]: no scripts, `on*` attributes or `javascript:`
//! URLs) AND shown inside `<iframe sandbox srcdoc=…>` (no scripts, no same
//! origin, no forms, no pop-ups) under a Content-Security-Policy with no
//! `script-src` and no network (`default-src 'none'`). The copy thus looks
//! like the page (text, structure, inline styles) while nothing of it can
//! run or load. Above it a banner says `Arkiverad kopia hämtad <datum>
//! från <url>`. Non-HTML text is shown as escaped plain text; other types
//! only get the banner.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::html::{escape, href, page, warc_date, CSP_NO_SCRIPT};
use super::sanitize::sanitize_html;
use super::ReportError;
use crate::archive::{read_record, ArchiveRef, ArchivedResponse};
use crate::score::RunScores;
use crate::store::WarcRef;

/// The archived copies written, by WARC reference.
#[derive(Debug, Default, Clone)]
pub struct ArchiveCopies {
    /// File name inside `arkiv/` (e.g. `3f2a….html`) per record, keyed by
    /// (file, offset, length).
    pub files: HashMap<(String, u64, u64), String>,
    /// Records that could not be read, with the reason (Swedish).
    pub failed: Vec<(WarcRef, String)>,
}

impl ArchiveCopies {
    /// The path of a record's copy relative to the output directory.
    pub fn path_of(&self, warc: &WarcRef) -> Option<String> {
        self.files
            .get(&(warc.file.clone(), warc.offset, warc.length))
            .map(|f| format!("arkiv/{f}"))
    }
}

/// The copy's file name: a hash of the record's place in the archive.
pub fn copy_name(warc: &WarcRef) -> String {
    let mut hash = Sha256::new();
    hash.update(warc.file.as_bytes());
    hash.update(b"\0");
    hash.update(warc.offset.to_le_bytes());
    hash.update(warc.length.to_le_bytes());
    let digest = hash.finalize();
    let mut name = String::with_capacity(21);
    for b in &digest[..8] {
        let _ = write!(name, "{b:02x}");
    }
    name.push_str(".html");
    name
}

/// A record and its copy's file name, or why it could not be read.
type CopyResult = (WarcRef, Result<String, String>);

/// Every distinct WARC record that evidence of `scores` points at.
fn referenced(scores: &RunScores) -> Vec<WarcRef> {
    let set: BTreeSet<(String, u64, u64)> = scores
        .municipalities
        .iter()
        .flat_map(|m| m.items.iter().chain(&m.other_subindex_items))
        .flat_map(|i| &i.evidence)
        .filter_map(|e| e.warc.as_ref())
        .map(|w| (w.file.clone(), w.offset, w.length))
        .collect();
    set.into_iter()
        .map(|(file, offset, length)| WarcRef {
            file,
            offset,
            length,
        })
        .collect()
}

/// Reads every record that evidence points at from the run's directory
/// and writes its copy into `out/arkiv/`, on all cores.
pub fn write_copies(scores: &RunScores, out: &Path) -> Result<ArchiveCopies, ReportError> {
    let dir = out.join("arkiv");
    std::fs::create_dir_all(&dir).map_err(|e| ReportError::write(&dir, e))?;
    let refs = referenced(scores);
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunk = refs.len().div_ceil(threads.max(1)).max(1);
    let run_dir = scores.run.dir.as_path();
    let results: Vec<Result<Vec<CopyResult>, ReportError>> = std::thread::scope(|s| {
        let handles: Vec<_> = refs
            .chunks(chunk)
            .map(|part| {
                let dir = &dir;
                s.spawn(move || {
                    part.iter()
                        .map(|w| copy_one(run_dir, dir, w).map(|r| (w.clone(), r)))
                        .collect::<Result<Vec<_>, ReportError>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(ReportError::Panicked)))
            .collect()
    });
    let mut copies = ArchiveCopies::default();
    for part in results {
        for (warc, result) in part? {
            match result {
                Ok(name) => {
                    copies
                        .files
                        .insert((warc.file.clone(), warc.offset, warc.length), name);
                }
                Err(reason) => copies.failed.push((warc, reason)),
            }
        }
    }
    Ok(copies)
}

/// Writes one copy; the inner error is a record that cannot be read (not
/// fatal: the report then says the copy is missing).
fn copy_one(
    run_dir: &Path,
    dir: &Path,
    warc: &WarcRef,
) -> Result<Result<String, String>, ReportError> {
    let r = ArchiveRef {
        file: warc.file.clone(),
        offset: warc.offset,
        length: warc.length,
    };
    let response = match read_record(run_dir, &r) {
        Ok(resp) => resp,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let name = copy_name(warc);
    let path = dir.join(&name);
    std::fs::write(&path, copy_page(&response)).map_err(|e| ReportError::write(&path, e))?;
    Ok(Ok(name))
}

/// The HTML page of one archived copy.
pub fn copy_page(response: &ArchivedResponse) -> String {
    let url = response.target.as_str();
    let content_type = response.header("content-type");
    let kind = content_type.unwrap_or("").to_ascii_lowercase();
    let is_html = kind.is_empty() || kind.contains("html") || kind.contains("xml");
    let mut body = String::with_capacity(response.body.len() * 2 + 2048);
    let date = warc_date(&response.date);
    let _ = writeln!(
        body,
        "<header class=\"banner\" role=\"note\"><h1>Arkiverad kopia hämtad {} från \
         <a href=\"{}\">{}</a></h1>\
         <p class=\"small\">Kopian kommer ur infokolls arkiv (WARC) och visar sidan som den såg ut \
         vid granskningen{}. Skript, formulär, bilder och externa filer är borttagna och kan inte \
         köras; länkar leder till den levande webbplatsen, som kan ha ändrats sedan dess. \
         <a href=\"../index.html\">Till den nationella rapporten</a>.</p></header>",
        escape(&date),
        href(url),
        escape(url),
        if response.truncated {
            " (sidan var större än hämtningsgränsen och är avkortad)"
        } else {
            ""
        },
    );
    let (text, _) = crate::extract::charset::decode(&response.body, content_type);
    if is_html {
        let clean = sanitize_html(&text, Some(&response.target));
        let _ = writeln!(
            body,
            "<iframe title=\"Arkiverad kopia av {}\" sandbox=\"\" referrerpolicy=\"no-referrer\" \
             style=\"width:100%;height:80vh;border:1px solid #8fa3b8\" srcdoc=\"{}\"></iframe>",
            escape(url),
            escape(&clean),
        );
    } else if kind.starts_with("text/") {
        let _ = writeln!(
            body,
            "<pre style=\"white-space:pre-wrap\">{}</pre>",
            escape(&text)
        );
    } else {
        let _ = writeln!(
            body,
            "<p>Den arkiverade filen är av typen {} och visas inte här.</p>",
            escape(content_type.unwrap_or("okänd"))
        );
    }
    page(
        &format!("Arkiverad kopia av {url} ({date})"),
        CSP_NO_SCRIPT,
        &body,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn response(body: &str, content_type: &str) -> ArchivedResponse {
        ArchivedResponse {
            target: url::Url::parse("https://www.kommun.se/a?b=1&c=\"2\"").unwrap(),
            date: "2026-08-15T09:03:11Z".into(),
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    #[test]
    fn a_copy_has_a_banner_and_no_live_script() {
        let page = copy_page(&response(
            "<p>Hemtjänst <script>alert(1)</script><a href=\"javascript:x\">l</a></p>",
            "text/html; charset=utf-8",
        ));
        assert!(page.contains("Arkiverad kopia hämtad 2026-08-15 09:03 UTC från"));
        assert!(page.contains("sandbox=\"\""));
        assert!(!page.contains("<script"));
        assert!(!page.contains("alert"));
        assert!(!page.contains("javascript:"));
        assert!(
            page.contains("c=%222%22") || page.contains("c=&quot;2&quot;"),
            "{page}"
        );
        // The srcdoc is one attribute: no raw quote or tag inside it.
        let srcdoc = page.split("srcdoc=\"").nth(1).unwrap();
        let srcdoc = &srcdoc[..srcdoc.find('"').unwrap()];
        assert!(
            !srcdoc.contains('<') && srcdoc.contains("Hemtjänst"),
            "{srcdoc}"
        );
    }

    #[test]
    fn text_and_other_types() {
        let page = copy_page(&response("a <b> c", "text/plain"));
        assert!(page.contains("<pre style=\"white-space:pre-wrap\">a &lt;b&gt; c</pre>"));
        let page = copy_page(&response("%PDF", "application/pdf"));
        assert!(page.contains("application/pdf") && !page.contains("%PDF"));
    }

    #[test]
    fn names_are_stable_and_distinct() {
        let a = WarcRef {
            file: "a.warc.gz".into(),
            offset: 10,
            length: 20,
        };
        let mut b = a.clone();
        b.offset = 11;
        assert_eq!(copy_name(&a), copy_name(&a.clone()));
        assert_ne!(copy_name(&a), copy_name(&b));
        assert_eq!(copy_name(&a).len(), 21);
    }
}
