//! Re-detection: a new run built from an earlier run's archive, with the
//! current (or given) rules, and no network at all.
//!
//! Every done municipality of the source run is crawled again by the same
//! crawler ([`check_site`]) over a [`PageSource`] that only replays the
//! source run's recorded fetches: responses from its WARC files, failures
//! from their rows. A URL the source run never fetched is answered with a
//! transport failure ("not in the archive") and counted. With unchanged
//! rules the crawl walks exactly the source run's frontier, so the verdicts
//! are the source run's; with changed detection rules the pages are the
//! same and only the findings change. (A rule change that changes which
//! links the crawler follows can make it ask for pages the archive lacks;
//! the summary counts them, and every archived page it no longer visited.)
//!
//! The new run keeps the source run's site statuses, reasons, page counts
//! and fetch rows (coverage is unchanged: nothing was read anew), and
//! evidence points at the same archived records: the WARC files are
//! hard-linked (or copied) into the new directory under their own names.
//!
//! robots.txt answers are not archived by the audit; the replayed start
//! host's robots rules allow everything (what they disallowed is replayed
//! from the recorded `disallowed` rows) and name as sitemaps the sitemap
//! fetches recorded right after the first HTML page, in the order that
//! makes the crawler read them again in the same order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use url::Url;

use super::replay::replay_row;
use super::verdict_rows;
use crate::check::check_site;
use crate::crawl::{CrawlConfig, PageSource, DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES};
use crate::fetch::robots::{robots_url, RobotsRules};
use crate::fetch::{FetchOutcome, FetchedPage};
use crate::rules::RuleSet;
use crate::store::{FetchRow, MunicipalityState, MunicipalityStatus, RunId, Store, FILE_NAME};

/// Errors that stop a re-detection.
#[derive(Debug, thiserror::Error)]
pub enum RedetectError {
    /// The source directory has no audit database.
    #[error("{0} innehåller ingen granskning ({FILE_NAME} saknas)")]
    NoDatabase(PathBuf),
    /// The source database has no run.
    #[error("{0} innehåller ingen körning")]
    NoRun(PathBuf),
    /// The output directory already holds a run (or is the source).
    #[error("{0} innehåller redan en granskning; välj en ny katalog")]
    OutInUse(PathBuf),
    /// The output directory could not be created.
    #[error("kan inte skapa katalogen {path}: {source}")]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A WARC file could not be linked or copied into the output directory.
    #[error("kan inte länka eller kopiera arkivfilen {from} till {to}: {source}")]
    Archive {
        /// The source file.
        from: PathBuf,
        /// The target file.
        to: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A database failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A store lock was poisoned by a panicking worker.
    #[error("internt fel: databaslåset är förgiftat")]
    Poisoned,
}

/// What to re-detect.
#[derive(Debug, Clone)]
pub struct RedetectConfig {
    /// The source run's directory (database and WARC files).
    pub from: PathBuf,
    /// The new run's directory (must not hold a run yet).
    pub out: PathBuf,
    /// What the rules are (for the run's parameters): a directory or "built-in".
    pub rules_label: String,
    /// Worker threads (0: one per core).
    pub workers: usize,
}

/// What a re-detection did.
#[derive(Debug, Clone, Serialize)]
pub struct RedetectSummary {
    /// The new run's id.
    pub run: i64,
    /// Municipalities in the source run.
    pub total: usize,
    /// Municipalities carried over as done (the source run's done ones).
    pub done: usize,
    /// Of those, with a checked site (`ok` / `partial`) whose pages were re-detected.
    pub redetected: usize,
    /// HTML pages replayed from the archive and detected.
    pub pages: usize,
    /// Fetches replayed from the archive (pages, failures, sitemaps).
    pub replayed: u64,
    /// URLs the replayed crawls asked for that the source run never fetched.
    pub not_in_archive: u64,
    /// Recorded responses whose archived record could not be read.
    pub archive_errors: u64,
    /// Recorded fetches the replayed crawls did not ask for again.
    pub not_revisited: u64,
    /// Municipalities whose replayed crawl ended with another site status
    /// than the source run's (the source run's status is kept).
    pub status_differs: Vec<String>,
    /// WARC files linked (or copied) into the new directory.
    pub warc_files: usize,
    /// Site status code → count over done municipalities.
    pub statuses: BTreeMap<String, usize>,
    /// Wall time.
    pub elapsed_seconds: f64,
    /// The new database file.
    pub database: PathBuf,
}

/// A page source that only replays a run's recorded fetches.
struct ArchiveSource<'a> {
    dir: &'a Path,
    recorded: HashMap<&'a str, &'a FetchRow>,
    /// Each recorded URL's place in the source run's fetch order.
    place: HashMap<&'a str, usize>,
    /// Responses handed out so far, in the source run's order.
    delivered: std::sync::atomic::AtomicUsize,
    /// Wakes the fetches waiting for their turn.
    turn: tokio::sync::Notify,
    robots: Arc<RobotsRules>,
    asked: Mutex<HashSet<String>>,
    replayed: AtomicU64,
    missing: AtomicU64,
    errors: AtomicU64,
}

impl<'a> ArchiveSource<'a> {
    fn new(dir: &'a Path, start: &Url, rows: &'a [FetchRow]) -> Self {
        let robots_at = robots_url(start).unwrap_or_else(|| start.clone());
        let mut body = String::new();
        for u in sitemap_rows(rows).iter().rev() {
            body.push_str("Sitemap: ");
            body.push_str(u);
            body.push('\n');
        }
        Self {
            dir,
            recorded: rows.iter().map(|r| (r.url.as_str(), r)).collect(),
            place: {
                let mut ordered: Vec<&FetchRow> = rows.iter().collect();
                ordered.sort_by_key(|r| r.seq);
                ordered
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.url.as_str(), i))
                    .collect()
            },
            delivered: 0.into(),
            turn: tokio::sync::Notify::new(),
            robots: Arc::new(RobotsRules::from_response(200, body.as_bytes(), &robots_at)),
            asked: Mutex::new(HashSet::new()),
            replayed: 0.into(),
            missing: 0.into(),
            errors: 0.into(),
        }
    }

    fn failure(url: &Url, reason: &str) -> FetchedPage {
        FetchedPage {
            requested: url.clone(),
            final_url: url.clone(),
            redirects: Vec::new(),
            outcome: FetchOutcome::Transport {
                reason: reason.to_owned(),
            },
            requests: 0,
            fetched_at: std::time::UNIX_EPOCH,
        }
    }

    /// Waits until every response the source run received before this one
    /// has been handed out, so the crawl (which fetches several hosts at
    /// once and reacts to responses in the order they arrive) sees them in
    /// the source run's order and walks the same way. A replay that has
    /// diverged (a changed rule follows other links) waits at most a moment
    /// for a response that will never be asked for.
    async fn wait_for_turn(&self, place: usize) {
        loop {
            let notified = self.turn.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.delivered.load(Ordering::SeqCst) >= place {
                return;
            }
            if tokio::time::timeout(std::time::Duration::from_millis(200), notified)
                .await
                .is_err()
            {
                return;
            }
        }
    }

    fn not_revisited(&self) -> u64 {
        let asked = self.asked.lock().map_or(self.recorded.len(), |a| a.len());
        self.recorded.len().saturating_sub(asked) as u64
    }
}

impl PageSource for ArchiveSource<'_> {
    async fn fetch(&self, url: &Url) -> FetchedPage {
        let Some(row) = self.recorded.get(url.as_str()) else {
            self.missing.fetch_add(1, Ordering::Relaxed);
            return Self::failure(url, "sidan finns inte i arkivet");
        };
        if let Ok(mut asked) = self.asked.lock() {
            asked.insert(row.url.clone());
        }
        let place = self.place.get(url.as_str()).copied().unwrap_or(0);
        self.wait_for_turn(place).await;
        let page = replay_row(self.dir, url, row);
        self.delivered.fetch_max(place + 1, Ordering::SeqCst);
        self.turn.notify_waiters();
        if let Some(page) = page {
            self.replayed.fetch_add(1, Ordering::Relaxed);
            page
        } else {
            self.errors.fetch_add(1, Ordering::Relaxed);
            Self::failure(url, "arkivposten kunde inte läsas")
        }
    }

    async fn robots(&self, _url: &Url) -> Arc<RobotsRules> {
        Arc::clone(&self.robots)
    }
}

/// The sitemap fetches of a recorded crawl, in fetch order: the run of
/// sitemap-like rows right after the first HTML page (the crawler reads
/// sitemaps once, after its first page).
fn sitemap_rows(rows: &[FetchRow]) -> Vec<&str> {
    let is_html = |r: &FetchRow| {
        r.outcome_kind == "response"
            && r.status.is_some_and(|s| s < 400)
            && r.content_type.as_deref().is_none_or(|c| c.contains("html"))
    };
    let Some(first) = rows.iter().position(is_html) else {
        return Vec::new();
    };
    rows[first + 1..]
        .iter()
        .take_while(|r| looks_like_sitemap(&r.url))
        .map(|r| r.url.as_str())
        .collect()
}

fn looks_like_sitemap(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| {
        let path = u.path().to_ascii_lowercase();
        path.contains("sitemap")
            || Path::new(&path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xml") || e.eq_ignore_ascii_case("gz"))
    })
}

/// The crawl limits the source run was begun with.
fn crawl_config(params: &serde_json::Value) -> CrawlConfig {
    let number = |key: &str| params.get(key).and_then(serde_json::Value::as_u64);
    CrawlConfig {
        max_pages: number("max_pages").map_or(DEFAULT_MAX_PAGES, |n| n as usize),
        max_depth: number("max_depth").map_or(DEFAULT_MAX_DEPTH, |n| n as u32),
        use_sitemaps: true,
        // Runs begun before the early stop existed read every site to its
        // budget; replay them the same way.
        stop_early: params
            .get("stop_early")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        ..CrawlConfig::default()
    }
}

/// One municipality's new outcome, before it is written.
struct Outcome {
    verdicts: Vec<crate::store::VerdictRow>,
    pages: usize,
    status_differs: bool,
}

/// Builds the new run in `cfg.out` from the latest run of `cfg.from`.
pub fn redetect(cfg: &RedetectConfig, rules: &RuleSet) -> Result<RedetectSummary, RedetectError> {
    let began = Instant::now();
    let db = cfg.from.join(FILE_NAME);
    if !db.is_file() {
        return Err(RedetectError::NoDatabase(cfg.from.clone()));
    }
    if cfg.out.join(FILE_NAME).exists() {
        return Err(RedetectError::OutInUse(cfg.out.clone()));
    }
    let source = Store::open_readonly(&db)?;
    let run = source
        .latest_run()?
        .ok_or_else(|| RedetectError::NoRun(cfg.from.clone()))?;
    let states = source.municipality_states(run.id)?;
    let mut fetches = Vec::with_capacity(states.len());
    for s in &states {
        fetches.push(source.fetches(run.id, &s.municipality.code)?);
    }
    drop(source);
    std::fs::create_dir_all(&cfg.out).map_err(|source| RedetectError::OutDir {
        path: cfg.out.clone(),
        source,
    })?;
    let warc_files = link_archive(&cfg.from, &cfg.out)?;
    let mut out = Store::open_in_dir(&cfg.out)?;
    let mut params = run.params.clone();
    if let Some(map) = params.as_object_mut() {
        map.insert(
            "redetect_from".into(),
            std::fs::canonicalize(&cfg.from)
                .unwrap_or_else(|_| cfg.from.clone())
                .to_string_lossy()
                .into(),
        );
        map.insert("redetect_run".into(), run.id.0.into());
        map.insert("rules".into(), cfg.rules_label.clone().into());
    }
    let new_run = out.begin_run(run.year, &params)?;
    let rows: Vec<_> = states.iter().map(|s| s.municipality.clone()).collect();
    out.add_municipalities(new_run, &rows)?;
    let crawl = crawl_config(&run.params);
    let job = Job {
        from: &cfg.from,
        rules,
        crawl: &crawl,
        states: &states,
        fetches: &fetches,
        out: Mutex::new(out),
        run: new_run,
        next: AtomicUsize::new(0),
        totals: Totals::default(),
    };
    let workers = match cfg.workers {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    };
    let results: Vec<Result<(), RedetectError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(states.len().max(1)))
            .map(|_| scope.spawn(|| job.work()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(RedetectError::Poisoned)))
            .collect()
    });
    for r in results {
        r?;
    }
    let out = job.out.into_inner().map_err(|_| RedetectError::Poisoned)?;
    let mut statuses = BTreeMap::new();
    let mut done = 0;
    for s in out.municipality_states(new_run)? {
        if s.status == MunicipalityStatus::Done {
            done += 1;
            *statuses
                .entry(s.site_status.unwrap_or_default())
                .or_insert(0) += 1;
        }
    }
    if done == states.len() {
        out.finish_run(new_run)?;
    }
    let t = &job.totals;
    let mut status_differs = t
        .status_differs
        .lock()
        .map(|v| v.clone())
        .unwrap_or_default();
    status_differs.sort();
    Ok(RedetectSummary {
        run: new_run.0,
        total: states.len(),
        done,
        redetected: t.redetected.load(Ordering::Relaxed),
        pages: t.pages.load(Ordering::Relaxed),
        replayed: t.replayed.load(Ordering::Relaxed),
        not_in_archive: t.missing.load(Ordering::Relaxed),
        archive_errors: t.errors.load(Ordering::Relaxed),
        not_revisited: t.not_revisited.load(Ordering::Relaxed),
        status_differs,
        warc_files,
        statuses,
        elapsed_seconds: began.elapsed().as_secs_f64(),
        database: out.path().to_path_buf(),
    })
}

/// Counters over all workers.
#[derive(Default)]
struct Totals {
    redetected: AtomicUsize,
    pages: AtomicUsize,
    replayed: AtomicU64,
    missing: AtomicU64,
    errors: AtomicU64,
    not_revisited: AtomicU64,
    status_differs: Mutex<Vec<String>>,
}

/// The shared work of one re-detection; workers take municipalities in turn.
struct Job<'a> {
    from: &'a Path,
    rules: &'a RuleSet,
    crawl: &'a CrawlConfig,
    states: &'a [MunicipalityState],
    fetches: &'a [Vec<FetchRow>],
    out: Mutex<Store>,
    run: RunId,
    next: AtomicUsize,
    totals: Totals,
}

impl Job<'_> {
    /// One worker: takes the next municipality until none is left.
    fn work(&self) -> Result<(), RedetectError> {
        // IO and timers drive the PDF helper process (archived PDFs are
        // read again); no HTTP client is built here.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| RedetectError::OutDir {
                path: self.from.to_path_buf(),
                source,
            })?;
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let (Some(state), Some(rows)) = (self.states.get(i), self.fetches.get(i)) else {
                return Ok(());
            };
            if state.status != MunicipalityStatus::Done {
                continue;
            }
            let outcome = if matches!(state.site_status.as_deref(), Some("ok" | "partial")) {
                Some(runtime.block_on(self.detect(state, rows)))
            } else {
                None
            };
            self.write(state, rows, outcome.as_ref())?;
        }
    }

    /// Replays one municipality's crawl and detects on its pages.
    async fn detect(&self, state: &MunicipalityState, rows: &[FetchRow]) -> Outcome {
        let code = &state.municipality.code;
        let Ok(start) = Url::parse(&state.municipality.homepage) else {
            return Outcome {
                verdicts: Vec::new(),
                pages: 0,
                status_differs: true,
            };
        };
        let source = ArchiveSource::new(self.from, &start, rows);
        let result = check_site(&source, self.rules, &start, self.crawl).await;
        let t = &self.totals;
        t.redetected.fetch_add(1, Ordering::Relaxed);
        t.pages
            .fetch_add(result.crawl.pages_fetched, Ordering::Relaxed);
        t.replayed
            .fetch_add(source.replayed.load(Ordering::Relaxed), Ordering::Relaxed);
        t.missing
            .fetch_add(source.missing.load(Ordering::Relaxed), Ordering::Relaxed);
        t.errors
            .fetch_add(source.errors.load(Ordering::Relaxed), Ordering::Relaxed);
        t.not_revisited
            .fetch_add(source.not_revisited(), Ordering::Relaxed);
        let status_differs = Some(result.crawl.status.code()) != state.site_status.as_deref();
        if status_differs {
            tracing::warn!(%code, was = ?state.site_status, now = result.crawl.status.code(),
                "the replayed crawl ended with another site status; the source run's is kept");
        }
        Outcome {
            verdicts: verdict_rows(&result.verdicts),
            pages: result.crawl.pages_fetched,
            status_differs,
        }
    }

    /// Writes one municipality: its fetch rows, then its verdicts and the
    /// source run's site status in one transaction.
    fn write(
        &self,
        state: &MunicipalityState,
        rows: &[FetchRow],
        outcome: Option<&Outcome>,
    ) -> Result<(), RedetectError> {
        let code = &state.municipality.code;
        if outcome.is_some_and(|o| o.status_differs) {
            if let Ok(mut v) = self.totals.status_differs.lock() {
                v.push(code.clone());
            }
        }
        tracing::debug!(%code, pages = outcome.map_or(0, |o| o.pages), "redetected");
        let mut out = self.out.lock().map_err(|_| RedetectError::Poisoned)?;
        out.set_in_progress(self.run, code)?;
        out.record_fetches(self.run, code, rows)?;
        if let Some(end) = state.crawl_end.as_deref() {
            out.set_crawl_end(self.run, code, end)?;
        }
        out.finish_municipality(
            self.run,
            code,
            state.site_status.as_deref().unwrap_or("unreachable"),
            state.site_reason.as_deref(),
            state.pages_fetched.unwrap_or(0),
            outcome.map_or(&[][..], |o| o.verdicts.as_slice()),
        )?;
        Ok(())
    }
}

/// Hard-links (or, across file systems, copies) every `.warc.gz` file of
/// `from` into `to`; returns how many.
fn link_archive(from: &Path, to: &Path) -> Result<usize, RedetectError> {
    let entries = std::fs::read_dir(from).map_err(|source| RedetectError::OutDir {
        path: from.to_path_buf(),
        source,
    })?;
    let mut n = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with(".warc.gz") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if dst.exists() {
            n += 1;
            continue;
        }
        std::fs::hard_link(&src, &dst)
            .or_else(|_| std::fs::copy(&src, &dst).map(|_| ()))
            .map_err(|source| RedetectError::Archive {
                from: src.clone(),
                to: dst.clone(),
                source,
            })?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(seq: u32, url: &str, kind: &str, ct: Option<&str>) -> FetchRow {
        FetchRow {
            seq,
            url: url.into(),
            final_url: url.into(),
            redirects: vec![],
            depth: 0,
            off_site: false,
            status: Some(200),
            outcome_kind: kind.into(),
            outcome_text: None,
            content_type: ct.map(str::to_owned),
            content_hash: None,
            body_length: None,
            truncated: false,
            etag: None,
            last_modified: None,
            fetched_at: 0,
            warc: None,
        }
    }

    #[test]
    fn sitemaps_are_the_rows_right_after_the_first_page() {
        let html = Some("text/html");
        let rows = vec![
            row(0, "https://a.se/", "response", html),
            row(
                1,
                "https://a.se/sitemap-b.xml",
                "response",
                Some("text/xml"),
            ),
            row(
                2,
                "https://a.se/sitemap-a.xml",
                "response",
                Some("text/xml"),
            ),
            row(3, "https://a.se/omsorg", "response", html),
            row(4, "https://a.se/feed.xml", "response", Some("text/xml")),
        ];
        assert_eq!(
            sitemap_rows(&rows),
            vec!["https://a.se/sitemap-b.xml", "https://a.se/sitemap-a.xml"]
        );
        assert!(sitemap_rows(&rows[1..2]).is_empty());
    }

    #[test]
    fn crawl_limits_come_from_the_run_parameters() {
        let c = crawl_config(&serde_json::json!({"max_pages": 40, "max_depth": 3}));
        assert_eq!((c.max_pages, c.max_depth), (40, 3));
        let d = crawl_config(&serde_json::json!({}));
        assert_eq!(
            (d.max_pages, d.max_depth),
            (DEFAULT_MAX_PAGES, DEFAULT_MAX_DEPTH)
        );
        assert!(!d.stop_early, "older runs read every site to the budget");
        assert!(crawl_config(&serde_json::json!({"stop_early": true})).stop_early);
    }
}
