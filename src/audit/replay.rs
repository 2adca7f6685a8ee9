//! The audit's page source: the network, with every response archived and
//! recorded, and pages already recorded replayed from the archive.
//!
//! On resume a municipality is crawled again from its start page, but each
//! URL already in the store comes from the WARC archive instead of the
//! network. The crawl is deterministic given the same responses, so it
//! walks the same frontier, ends with the same verdicts, and only fetches
//! what it had not finished. With a previous run's store, a URL it had
//! archived is fetched conditionally (ETag / Last-Modified) and a `304`
//! reuses the old body.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use url::Url;

use crate::archive::{read_record, ArchiveRef, ArchivedResponse, Exchange, WarcWriter};
use crate::crawl::PageSource;
use crate::fetch::robots::RobotsRules;
use crate::fetch::{FetchOutcome, FetchedPage, Fetcher};
use crate::store::{content_hash, unix_ms, FetchRow, RunId, Store, WarcRef};

use super::progress::Progress;

/// Shared, per-run pieces every municipality's source uses.
pub(crate) struct RunContext {
    pub(crate) fetcher: Fetcher,
    pub(crate) store: Mutex<Store>,
    pub(crate) warc: Mutex<WarcWriter>,
    pub(crate) out: PathBuf,
    pub(crate) run: RunId,
    pub(crate) progress: Progress,
    /// A previous run's store and directory, for conditional requests.
    pub(crate) previous: Option<(Mutex<Store>, PathBuf)>,
    /// Responses fetched from the network in this process.
    pub(crate) network: AtomicU64,
    /// Pages replayed from the archive in this process.
    pub(crate) replayed: AtomicU64,
    /// `304 Not Modified` answers that reused a previous run's body.
    pub(crate) not_modified: AtomicU64,
}

/// The page source of one municipality's crawl.
pub(crate) struct AuditSource<'a> {
    pub(crate) cx: &'a RunContext,
    pub(crate) code: String,
    /// Recorded fetches of this municipality, by URL.
    pub(crate) recorded: HashMap<String, FetchRow>,
    pub(crate) next_seq: AtomicU32,
}

impl<'a> AuditSource<'a> {
    /// A source for `code`, with what the store already holds for it.
    pub(crate) fn new(cx: &'a RunContext, code: &str, rows: Vec<FetchRow>) -> Self {
        let next = rows.iter().map(|r| r.seq + 1).max().unwrap_or(0);
        Self {
            cx,
            code: code.to_owned(),
            recorded: rows.into_iter().map(|r| (r.url.clone(), r)).collect(),
            next_seq: AtomicU32::new(next),
        }
    }

    /// Fetches from the network, conditionally when a previous run archived the URL.
    async fn fetch_network(&self, url: &Url) -> FetchedPage {
        let validators = self.cx.previous.as_ref().and_then(|(store, dir)| {
            let v = store.lock().ok()?.latest_validators(url.as_str()).ok()??;
            Some((v, dir.clone()))
        });
        let Some((v, dir)) = validators else {
            return self.cx.fetcher.fetch(url).await;
        };
        let mut page = self
            .cx
            .fetcher
            .fetch_conditional(url, v.etag.as_deref(), v.last_modified.as_deref())
            .await;
        if page.outcome.status() == Some(304) {
            let r = archive_ref(&v.warc);
            if let Ok(old) = read_record(&dir, &r) {
                self.cx.not_modified.fetch_add(1, Ordering::Relaxed);
                page.outcome = response_of(old);
            }
        }
        page
    }

    /// Archives (responses only) and records one network fetch.
    fn record(&self, page: &FetchedPage) {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let mut row = FetchRow {
            seq,
            url: page.requested.to_string(),
            final_url: page.final_url.to_string(),
            redirects: page.redirects.iter().map(ToString::to_string).collect(),
            depth: 0,
            off_site: false,
            status: page.outcome.status(),
            outcome_kind: outcome_kind(&page.outcome).to_owned(),
            outcome_text: None,
            content_type: None,
            content_hash: None,
            body_length: None,
            truncated: false,
            etag: None,
            last_modified: None,
            fetched_at: unix_ms(page.fetched_at),
            warc: None,
        };
        match &page.outcome {
            FetchOutcome::Response {
                status,
                content_type,
                body,
                truncated,
                etag,
                last_modified,
                headers,
            } => {
                let exchange = Exchange {
                    target: &page.final_url,
                    date: page.fetched_at,
                    request_headers: &[],
                    status: *status,
                    response_headers: headers,
                    body,
                    truncated: *truncated,
                    ip: None,
                };
                let archived = self
                    .cx
                    .warc
                    .lock()
                    .ok()
                    .and_then(|mut w| w.write_exchange(&exchange).ok());
                if archived.is_none() {
                    tracing::error!(url = %page.final_url, "could not archive the response; it will be fetched again on resume");
                    return;
                }
                row.warc = archived.map(|a| WarcRef {
                    file: a.file,
                    offset: a.offset,
                    length: a.length,
                });
                row.content_type.clone_from(content_type);
                row.content_hash = Some(content_hash(body));
                row.body_length = Some(body.len() as u64);
                row.truncated = *truncated;
                row.etag.clone_from(etag);
                row.last_modified.clone_from(last_modified);
            }
            other => row.outcome_text = Some(other.describe_sv()),
        }
        let recorded = match self.cx.store.lock() {
            Ok(store) => store
                .record_fetch(self.cx.run, &self.code, &row)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(_) => Err("store lock poisoned".to_owned()),
        };
        if let Err(e) = recorded {
            tracing::error!(url = %row.url, error = %e, "could not record the fetch");
        }
    }
}

/// The page a recorded fetch gave, rebuilt from its row and (for a
/// response) its archived record in `dir`; `None` when the record cannot be
/// read or the row's URLs do not parse.
pub(crate) fn replay_row(dir: &Path, url: &Url, row: &FetchRow) -> Option<FetchedPage> {
    let final_url = Url::parse(&row.final_url).ok()?;
    let redirects = row
        .redirects
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .collect();
    let outcome = match row.outcome_kind.as_str() {
        "response" => {
            let warc = row.warc.as_ref()?;
            response_of(read_record(dir, &archive_ref(warc)).ok()?)
        }
        "disallowed" => FetchOutcome::Disallowed {
            url: final_url.clone(),
        },
        "redirect_loop" => FetchOutcome::RedirectLoop,
        "too_many_redirects" => FetchOutcome::TooManyRedirects,
        "timeout" => FetchOutcome::Timeout,
        "unsupported" => FetchOutcome::Unsupported {
            reason: row.outcome_text.clone().unwrap_or_default(),
        },
        _ => FetchOutcome::Transport {
            reason: row.outcome_text.clone().unwrap_or_default(),
        },
    };
    Some(FetchedPage {
        requested: url.clone(),
        final_url,
        redirects,
        outcome,
        requests: 0,
        fetched_at: std::time::UNIX_EPOCH
            + std::time::Duration::from_millis(row.fetched_at.max(0) as u64),
    })
}

/// The archive's address of a stored WARC reference.
fn archive_ref(w: &WarcRef) -> ArchiveRef {
    ArchiveRef {
        file: w.file.clone(),
        offset: w.offset,
        length: w.length,
    }
}

/// A fetch outcome rebuilt from an archived response, exactly as fetched.
fn response_of(archived: ArchivedResponse) -> FetchOutcome {
    let header = |n: &str| archived.header(n).map(str::to_owned);
    FetchOutcome::Response {
        status: archived.status,
        content_type: header("content-type"),
        etag: header("etag"),
        last_modified: header("last-modified"),
        truncated: archived.truncated,
        headers: archived.headers.clone(),
        body: archived.body,
    }
}

fn outcome_kind(o: &FetchOutcome) -> &'static str {
    match o {
        FetchOutcome::Response { .. } => "response",
        FetchOutcome::Disallowed { .. } => "disallowed",
        FetchOutcome::RedirectLoop => "redirect_loop",
        FetchOutcome::TooManyRedirects => "too_many_redirects",
        FetchOutcome::Timeout => "timeout",
        FetchOutcome::Transport { .. } => "transport",
        FetchOutcome::Unsupported { .. } => "unsupported",
    }
}

impl PageSource for AuditSource<'_> {
    async fn fetch(&self, url: &Url) -> FetchedPage {
        if let Some(page) = self
            .recorded
            .get(url.as_str())
            .and_then(|row| replay_row(&self.cx.out, url, row))
        {
            self.cx.replayed.fetch_add(1, Ordering::Relaxed);
            self.cx.progress.page(false);
            return page;
        }
        let page = self.fetch_network(url).await;
        self.cx.network.fetch_add(1, Ordering::Relaxed);
        let failed = !matches!(
            page.outcome,
            FetchOutcome::Response {
                status: 0..=399,
                ..
            }
        );
        self.cx.progress.page(failed);
        // Archiving and recording block (file and SQLite I/O under locks):
        // let the runtime move its other tasks to another worker meanwhile.
        tokio::task::block_in_place(|| self.record(&page));
        page
    }

    async fn robots(&self, url: &Url) -> Arc<RobotsRules> {
        self.cx.fetcher.robots(url).await
    }
}
