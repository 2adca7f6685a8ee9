//! The national audit: every municipality, polite, archived, resumable.
//!
//! [`run_audit`] crawls the chosen municipalities with the same focused
//! crawler and politeness as `check` — many hosts at once (bounded by
//! `concurrency`), but one shared [`Fetcher`] so the per-host rate and
//! in-flight limits hold across the whole run, also when two
//! municipalities share an e-service or vendor host. Every response goes
//! to WARC ([`crate::archive`]) and its row to SQLite ([`crate::store`])
//! as it arrives; a municipality's verdicts are written in one
//! transaction when it is done. Kill the process at any moment and run
//! the same command again: done municipalities are skipped, the others
//! are crawled again with their recorded pages replayed from the archive
//! ([`replay`]), so nothing finished is fetched twice.
//!
//! # Architecture
//! - [`AuditConfig`] → [`run_audit`] → [`AuditSummary`]
//! - [`replay`]: the page source (network + archive + store)
//! - [`redetect`]: a new run from an old run's archive, with other rules, no network
//! - [`progress`]: bars or log lines

pub mod progress;
pub mod redetect;
mod replay;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use url::Url;

use crate::archive::WarcWriter;
use crate::check::check_site;
use crate::crawl::CrawlConfig;
use crate::detect::site::SiteVerdict;
use crate::fetch::{FetchConfig, Fetcher};
use crate::registry::Municipality;
use crate::rules::RuleSet;
use crate::store::{EvidenceRow, MunicipalityRow, MunicipalityStatus, Store, VerdictRow};
use progress::Progress;
use replay::{AuditSource, RunContext};

/// Errors that stop an audit (site problems never do: they are statuses).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The output directory could not be created.
    #[error("kan inte skapa katalogen {path}: {source}")]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The archive could not be opened.
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// Writing the archive or the database failed (disk full, read-only …):
    /// the run stopped; what was finished before is kept.
    #[error("{0}. Körningen avbröts; det som var klart är sparat.")]
    Write(String),
    /// The previous run given for conditional requests is unusable.
    #[error("föregående körning {path}: {message}")]
    Previous {
        /// Its directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// What to audit and how.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// Output directory (database, WARC files, log).
    pub out: PathBuf,
    /// The audit year.
    pub year: u16,
    /// The municipalities (homepage = start URL).
    pub municipalities: Vec<Municipality>,
    /// Fetcher settings (rate, proxy, user agent …).
    pub fetch: FetchConfig,
    /// Crawl limits per site.
    pub crawl: CrawlConfig,
    /// Municipalities crawled at the same time.
    pub concurrency: usize,
    /// No progress output.
    pub quiet: bool,
    /// A previous run's directory whose archive is reused with conditional requests.
    pub previous: Option<PathBuf>,
}

/// What an audit run did.
#[derive(Debug, Clone, Serialize)]
pub struct AuditSummary {
    /// The run's id in the database.
    pub run: i64,
    /// Municipalities in the run.
    pub total: usize,
    /// Municipalities done (in this and earlier processes).
    pub done: usize,
    /// Municipalities finished by this process.
    pub done_now: usize,
    /// Site status code → count, over all done municipalities.
    pub statuses: std::collections::BTreeMap<String, usize>,
    /// Responses fetched from the network by this process.
    pub network_fetches: u64,
    /// Pages replayed from the archive by this process.
    pub replayed: u64,
    /// `304 Not Modified` answers that reused a previous run's archive.
    pub not_modified: u64,
    /// HTTP requests sent by this process (robots.txt and retries included).
    pub requests: u64,
    /// Wall time of this process's part.
    pub elapsed_seconds: f64,
    /// The hosts with the largest politeness bound in this process, busiest first (at most five).
    pub busiest_hosts: Vec<crate::fetch::politeness::HostLoad>,
    /// True when the run was interrupted (Ctrl-C) before it was complete.
    pub interrupted: bool,
    /// The database file.
    pub database: PathBuf,
}

fn municipality_row(m: &Municipality) -> MunicipalityRow {
    MunicipalityRow {
        code: m.code.to_string(),
        name: m.name.clone(),
        county: m.county.clone(),
        homepage: m.homepage.to_string(),
        population: Some(m.population),
    }
}

/// Converts site verdicts to store rows.
pub fn verdict_rows(verdicts: &[SiteVerdict]) -> Vec<VerdictRow> {
    verdicts
        .iter()
        .map(|v| VerdictRow {
            item: v.id.clone(),
            found: v.found,
            confidence: v.confidence,
            flagged: v.flagged,
            uncertain: v.uncertain.clone(),
            evidence: v
                .evidence
                .iter()
                .map(|e| EvidenceRow {
                    url: e.url.to_string(),
                    snippet: e.snippet.clone(),
                    highlights: e.highlights.clone(),
                    signal: e.signal.clone(),
                    kind: serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    weight: e.weight,
                    context: e.context.clone(),
                    target: e.target.as_ref().map(ToString::to_string),
                    depth: e.depth,
                    off_site: e.off_site,
                    warc: None,
                })
                .collect(),
        })
        .collect()
}

/// Opens (or resumes) the run in `cfg.out` and audits every municipality not yet done.
///
/// `stop` resolves when the user asks to stop (Ctrl-C); the run then ends
/// gracefully and can be resumed.
pub async fn run_audit(
    cfg: &AuditConfig,
    rules: &RuleSet,
    stop: impl std::future::Future<Output = ()>,
) -> Result<AuditSummary, AuditError> {
    let began = Instant::now();
    std::fs::create_dir_all(&cfg.out).map_err(|source| AuditError::OutDir {
        path: cfg.out.clone(),
        source,
    })?;
    let mut store = Store::open_in_dir(&cfg.out)?;
    let run = match store.latest_run()? {
        Some(r) if r.year == cfg.year => r.id,
        _ => store.begin_run(cfg.year, &run_params_json(cfg))?,
    };
    let rows: Vec<MunicipalityRow> = cfg.municipalities.iter().map(municipality_row).collect();
    store.add_municipalities(run, &rows)?;
    let states = store.municipality_states(run)?;
    let done: std::collections::HashSet<String> = states
        .iter()
        .filter(|s| s.status == MunicipalityStatus::Done)
        .map(|s| s.municipality.code.clone())
        .collect();
    let todo: Vec<&Municipality> = cfg
        .municipalities
        .iter()
        .filter(|m| !done.contains(m.code.as_str()))
        .collect();
    let previous = match &cfg.previous {
        None => None,
        Some(dir) => {
            let s = Store::open_readonly(dir.join(crate::store::FILE_NAME)).map_err(|e| {
                AuditError::Previous {
                    path: dir.clone(),
                    message: e.to_string(),
                }
            })?;
            Some((Mutex::new(s), dir.clone()))
        }
    };
    let warc = WarcWriter::create(&cfg.out, &format!("infokoll-{}", cfg.year))?;
    let cx = Arc::new(RunContext {
        fetcher: Fetcher::new(cfg.fetch.clone())?,
        store: Mutex::new(store),
        warc: Mutex::new(warc),
        out: cfg.out.clone(),
        run,
        progress: Progress::new(rows.len() as u64, done.len() as u64, cfg.quiet),
        previous,
        network: 0.into(),
        replayed: 0.into(),
        not_modified: 0.into(),
        failure: std::sync::OnceLock::new(),
        failed: tokio::sync::Notify::new(),
    });
    tracing::info!(
        run = run.0,
        total = rows.len(),
        done = done.len(),
        "audit started"
    );
    // Each municipality is its own task: CPU work of one site (detection
    // in `block_in_place`, archive writes) then never holds the others'
    // crawls, which a shared task would.
    let rules = Arc::new(rules.clone());
    let crawl = Arc::new(cfg.crawl.clone());
    let running = Mutex::new(Vec::new());
    let work = stream::iter(todo.into_iter().cloned())
        .map(|m| {
            let (cx, rules, crawl) = (Arc::clone(&cx), Arc::clone(&rules), Arc::clone(&crawl));
            let task = tokio::spawn(async move { audit_one(&cx, &rules, &crawl, &m).await });
            if let Ok(mut r) = running.lock() {
                r.push(task.abort_handle());
            }
            async move { task.await.unwrap_or(false) }
        })
        .buffer_unordered(cfg.concurrency.max(1))
        .fold(0usize, |n, ok| async move { n + usize::from(ok) });
    let (done_now, interrupted) = tokio::select! {
        n = work => (n, false),
        () = stop => (0, true),
        () = cx.failed.notified() => (0, true),
    };
    let cx = stop_tasks(cx, running.into_inner().unwrap_or_default()).await;
    cx.progress.finish();
    let synced = match cx.warc.lock() {
        Ok(mut w) => w.sync().and_then(|()| w.discard_if_empty()),
        Err(_) => Ok(()),
    };
    if let Err(e) = synced {
        cx.fail(format!(
            "kunde inte skriva arkivet i {}: {e}",
            cfg.out.display()
        ));
    }
    if let Some(message) = cx.failure.get() {
        return Err(AuditError::Write(message.clone()));
    }
    let store = cx.store.into_inner().map_err(|_| AuditError::OutDir {
        path: cfg.out.clone(),
        source: std::io::Error::other("store lock poisoned"),
    })?;
    let states = store.municipality_states(run)?;
    let mut statuses = std::collections::BTreeMap::new();
    let mut all_done = 0;
    for s in &states {
        if s.status == MunicipalityStatus::Done {
            all_done += 1;
            *statuses
                .entry(s.site_status.clone().unwrap_or_default())
                .or_insert(0) += 1;
        }
    }
    if all_done == states.len() && !interrupted {
        store.finish_run(run)?;
    }
    Ok(AuditSummary {
        run: run.0,
        total: states.len(),
        done: all_done,
        done_now,
        statuses,
        network_fetches: cx.network.load(Ordering::Relaxed),
        replayed: cx.replayed.load(Ordering::Relaxed),
        not_modified: cx.not_modified.load(Ordering::Relaxed),
        requests: cx.fetcher.requests_sent(),
        elapsed_seconds: began.elapsed().as_secs_f64(),
        busiest_hosts: cx.fetcher.host_loads().into_iter().take(5).collect(),
        interrupted,
        database: store.path().to_path_buf(),
    })
}

/// Aborts the municipalities still running and waits (briefly) until
/// they have let go of the run context.
async fn stop_tasks(mut cx: Arc<RunContext>, running: Vec<tokio::task::AbortHandle>) -> RunContext {
    for task in &running {
        task.abort();
    }
    loop {
        match Arc::try_unwrap(cx) {
            Ok(inner) => return inner,
            Err(shared) => {
                cx = shared;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// Audits one municipality; returns whether it was finished.
async fn audit_one(
    cx: &RunContext,
    rules: &RuleSet,
    crawl: &CrawlConfig,
    m: &Municipality,
) -> bool {
    let code = m.code.to_string();
    let recorded = {
        let Ok(store) = cx.store.lock() else {
            return false;
        };
        if let Err(e) = store.set_in_progress(cx.run, &code) {
            cx.fail(format!("kunde inte skriva databasen: {e}"));
            return false;
        }
        store.fetches(cx.run, &code).unwrap_or_default()
    };
    let source = AuditSource::new(cx, &code, recorded);
    let start: Url = m.homepage.clone();
    let t0 = Instant::now();
    let result = check_site(&source, rules, &start, crawl).await;
    let rows = verdict_rows(&result.verdicts);
    let status = result.crawl.status.clone();
    // The status is stored as its code; the reason alone, so that a page
    // showing both says each once.
    let reason = status.reason().map(str::to_owned);
    let finished = tokio::task::block_in_place(|| match cx.store.lock() {
        Ok(mut store) => Some(
            store
                .set_crawl_end(cx.run, &code, result.crawl.end.code())
                .and_then(|()| {
                    store.finish_municipality(
                        cx.run,
                        &code,
                        status.code(),
                        reason.as_deref(),
                        result.crawl.pages_fetched as u32,
                        if status.checked() { &rows } else { &[] },
                    )
                }),
        ),
        Err(_) => None,
    });
    let Some(finished) = finished else {
        return false;
    };
    if let Err(e) = finished {
        cx.fail(format!("kunde inte spara resultaten för {code}: {e}"));
        return false;
    }
    tracing::info!(%code, name = %m.name, status = status.code(), pages = result.crawl.pages_fetched, end = result.crawl.end.code(),
        secs = t0.elapsed().as_secs_f64(), "municipality done");
    cx.progress.municipality_done(&m.name, status.code());
    true
}

/// Default crawl timeout of one page in an audit.
pub const AUDIT_TIMEOUT: Duration = Duration::from_secs(20);

/// What a run records of its crawl in `runs.params_json` (rate, limits,
/// the stop rule, User-Agent, size): what `redetect` replays it with.
pub fn run_params_json(cfg: &AuditConfig) -> serde_json::Value {
    serde_json::json!({
        "rate": cfg.fetch.rate,
        "max_pages": cfg.crawl.max_pages,
        "max_depth": cfg.crawl.max_depth,
        "stop_early": cfg.crawl.stop_early,
        "user_agent": cfg.fetch.user_agent,
        "municipalities": cfg.municipalities.len(),
    })
}
