//! The reviewer app (issue 6): a small axum web application over an audit
//! directory where reviewers check what the machine was unsure about, and
//! every decision is kept.
//!
//! Place in the flow: store → score → **review** (layer 4). It reads the
//! run's verdicts from `DIR/infokoll.sqlite`, shows the archived pages from
//! the run's WARC files, and appends decisions to the store's append-only
//! log ([`crate::store::Store::record_decision`]); the scorer uses the
//! latest decision per finding.
//!
//! # Architecture
//!
//! - [`ReviewState`] — everything a request needs, shared (`Arc`): the
//!   run's verdicts (loaded once at start), the queue, one read-write store
//!   connection in a `Mutex` (WAL: an audit may still write), the reviewer
//!   accounts, sessions and the login rate limit. [`app`] builds the
//!   [`Router`]; [`serve`] binds it (loopback unless told otherwise).
//! - `queue.rs` — what gets flagged ([`Reason`]), the order (effect on the
//!   score), the precision estimate from the random sample.
//! - `accounts.rs` — reviewer accounts in `DIR/reviewers.sqlite` (argon2id).
//! - `auth.rs` — sessions, CSRF tokens, login rate limit.
//! - `pages.rs`, `finding.rs`, `actions.rs`, `archive.rs` — the handlers.
//! - `filter.rs` — the queue filter and which entries are reviewed.
//! - `html.rs` — escaping, page shell, style sheet, keyboard script.
//! - [`estimate`] — precision and recall per item from the decisions;
//!   [`export`] — reviewed pages as a labelled page set.
//!
//! # Routes
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | start page: progress per reviewer, precision per item from the sample |
//! | `GET /ko?punkt=&lan=&orsak=&visa=` | the queue, filterable by item, county, reason, reviewed or not |
//! | `GET /fynd/{kod}/{punkt}` | one finding: rule, verdict, signals, evidence, archived copy, decision form |
//! | `GET /kommun/{kod}` | a municipality's items with machine and reviewer verdicts and its score |
//! | `GET /arkiv/{fil}/{offset}/{längd}` | an archived response, sandboxed |
//! | `GET /logg` | the decision log, newest first |
//! | `GET, POST /login`, `POST /logout`, `POST /beslut` | login, logout, a decision |
//!
//! # Security
//!
//! Every page needs a login (GET → `303 /login`, POST → `401`); every POST
//! needs the session's CSRF token (`403` without); failed logins are
//! limited per name and per client address (`429`). Everything from
//! crawled pages is escaped and links to anything but `http(s)` become
//! `#`. Pages forbid inline scripts (`CSP_APP` in `html.rs`); archived copies
//! are served with `sandbox` and no script source (`CSP_ARCHIVE`)
//! inside `<iframe sandbox="">`.

mod accounts;
mod actions;
mod archive;
mod auth;
pub mod estimate;
pub mod export;
mod filter;
mod finding;
mod html;
mod pages;
mod queue;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_browser;
#[cfg(test)]
mod tests_queue;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use crate::rules::RuleSet;
use crate::score::{Model, RunScores, ScoreError};
use crate::store::{MunicipalityState, RunInfo, Store, StoreError, VerdictRow, FILE_NAME};

pub use accounts::{
    hash_password, verify_password, Accounts, Reviewer, ACCOUNTS_FILE, MIN_PASSWORD_CHARS,
};
pub use queue::{
    contradictory, final_found, in_sample, item_effects, sample_value, Precision, Progress,
    QueueEntry, Reason, DAMPING,
};

use auth::{LoginLimiter, Sessions};
use html::Viewer;
use queue::Key;

/// The default share of confident verdicts drawn for review.
pub const DEFAULT_SAMPLE: f64 = 0.05;

/// How the app is set up.
#[derive(Debug, Clone)]
pub struct ReviewConfig {
    /// The audit directory (`infokoll.sqlite`, the WARC files, `reviewers.sqlite`).
    pub dir: PathBuf,
    /// An earlier audit directory: findings that changed since are flagged.
    pub previous: Option<PathBuf>,
    /// Share (0–1) of confident verdicts drawn for review.
    pub sample: f64,
    /// Send the session cookie with `Secure` (behind TLS).
    pub secure_cookies: bool,
}

impl ReviewConfig {
    /// A configuration with the defaults: no previous run, 5 % sample,
    /// cookies without `Secure`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            previous: None,
            sample: DEFAULT_SAMPLE,
            secure_cookies: false,
        }
    }
}

/// Errors of the review app.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The directory has no audit database.
    #[error("{0} innehåller ingen granskning ({FILE_NAME} saknas)")]
    NoDatabase(PathBuf),
    /// The database has no run.
    #[error("{0} innehåller ingen körning")]
    NoRun(PathBuf),
    /// The audit database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Scoring (of this or the previous run) failed.
    #[error(transparent)]
    Score(#[from] ScoreError),
    /// The accounts file failed.
    #[error("kontofilen {path}: {source}")]
    Accounts {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A reviewer name with characters that are not allowed.
    #[error("ogiltigt namn {0:?}: använd 1–64 bokstäver, siffror, '.', '_' eller '-'")]
    InvalidName(String),
    /// The name is taken.
    #[error("granskaren {0} finns redan")]
    ReviewerExists(String),
    /// The password is too short (or absurdly long).
    #[error("lösenordet måste ha minst {min} tecken")]
    WeakPassword {
        /// The minimum length in characters.
        min: usize,
    },
    /// Hashing a password failed.
    #[error("kunde inte hasha lösenordet: {0}")]
    Hash(String),
    /// The system's random source failed.
    #[error("slumpkällan fungerar inte: {0}")]
    Random(String),
    /// The address could not be bound or serving failed.
    #[error("kan inte lyssna på {addr}: {source}")]
    Serve {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A lock was poisoned by a panic in another request.
    #[error("internt fel: ett lås är förgiftat")]
    Poisoned,
}

/// The run's verdicts as loaded at start.
#[derive(Debug)]
pub(crate) struct RunData {
    pub(crate) run: RunInfo,
    pub(crate) states: Vec<MunicipalityState>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) verdicts: HashMap<Key, VerdictRow>,
}

impl RunData {
    /// A municipality of the run.
    pub(crate) fn state(&self, code: &str) -> Option<&MunicipalityState> {
        self.index.get(code).map(|&i| &self.states[i])
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: ReviewConfig,
    pub(crate) rules: RuleSet,
    pub(crate) model: Model,
    pub(crate) data: RunData,
    pub(crate) entries: Vec<QueueEntry>,
    pub(crate) store: Mutex<Store>,
    pub(crate) accounts: Mutex<Accounts>,
    pub(crate) sessions: Mutex<Sessions>,
    pub(crate) limiter: Mutex<LoginLimiter>,
    pub(crate) scores: Mutex<Option<Arc<RunScores>>>,
    pub(crate) dummy_hash: String,
}

/// The app's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct ReviewState {
    pub(crate) inner: Arc<Inner>,
}

impl ReviewState {
    /// Opens the latest run of `config.dir` (read-write, for decisions),
    /// builds the queue and opens the accounts file.
    pub fn open(config: ReviewConfig, rules: RuleSet, model: Model) -> Result<Self, ReviewError> {
        let db = config.dir.join(FILE_NAME);
        if !db.is_file() {
            return Err(ReviewError::NoDatabase(config.dir.clone()));
        }
        let store = Store::open(&db)?;
        let run = store
            .latest_run()?
            .ok_or_else(|| ReviewError::NoRun(config.dir.clone()))?;
        let states = store.municipality_states(run.id)?;
        let index = states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.municipality.code.clone(), i))
            .collect();
        let verdicts: HashMap<Key, VerdictRow> = store
            .verdicts(run.id)?
            .into_iter()
            .map(|(code, v)| ((code, v.item.clone()), v))
            .collect();
        let previous = match &config.previous {
            Some(dir) => Some(previous_found(dir, &model, &rules)?),
            None => None,
        };
        let effects = item_effects(&model);
        let entries = queue::build(&queue::QueueInputs {
            states: &states,
            verdicts: &verdicts,
            previous: previous.as_ref(),
            rules: &rules,
            effects: &effects,
            sample: config.sample.clamp(0.0, 1.0),
            year: run.year,
        });
        let accounts = Accounts::open(&config.dir)?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                rules,
                model,
                data: RunData {
                    run,
                    states,
                    index,
                    verdicts,
                },
                entries,
                store: Mutex::new(store),
                accounts: Mutex::new(accounts),
                sessions: Mutex::new(Sessions::default()),
                limiter: Mutex::new(LoginLimiter::default()),
                scores: Mutex::new(None),
                dummy_hash: accounts::dummy_hash(),
            }),
        })
    }

    /// The queue, in review order.
    pub fn queue(&self) -> &[QueueEntry] {
        &self.inner.entries
    }

    /// How many queue entries have each reason (an entry may have several).
    pub fn reason_counts(&self) -> Vec<(Reason, usize)> {
        Reason::ALL
            .into_iter()
            .map(|r| {
                let n = self
                    .inner
                    .entries
                    .iter()
                    .filter(|e| e.reasons.contains(&r))
                    .count();
                (r, n)
            })
            .collect()
    }

    /// The audit directory.
    pub fn dir(&self) -> &Path {
        &self.inner.config.dir
    }

    /// The store connection.
    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>, ReviewError> {
        self.inner.store.lock().map_err(|_| ReviewError::Poisoned)
    }

    /// The scores of the run with the latest decisions (cached until the
    /// next decision).
    pub(crate) fn scores(&self) -> Result<Arc<RunScores>, ReviewError> {
        let mut cache = self
            .inner
            .scores
            .lock()
            .map_err(|_| ReviewError::Poisoned)?;
        if let Some(s) = cache.as_ref() {
            return Ok(Arc::clone(s));
        }
        let store = self.store()?;
        let i = &self.inner;
        let scores = Arc::new(crate::score::score_store(
            &store,
            &i.config.dir,
            &i.model,
            &i.rules,
            None,
        )?);
        *cache = Some(Arc::clone(&scores));
        Ok(scores)
    }

    /// Forgets the cached scores (after a decision).
    pub(crate) fn invalidate_scores(&self) {
        if let Ok(mut cache) = self.inner.scores.lock() {
            *cache = None;
        }
    }

    /// The logged-in reviewer of a request, with the session token.
    pub(crate) fn viewer(&self, headers: &HeaderMap) -> Option<(String, Viewer)> {
        let token = auth::session_token(headers)?;
        let session = self.inner.sessions.lock().ok()?.get(&token)?;
        let name = session.reviewer?;
        Some((
            token,
            Viewer {
                name,
                csrf: session.csrf,
            },
        ))
    }
}

/// Found-state per finding of the previous run (after its reviews), for
/// the municipalities it could score.
fn previous_found(
    dir: &Path,
    model: &Model,
    rules: &RuleSet,
) -> Result<HashMap<Key, bool>, ReviewError> {
    let scores = crate::score::score_run(dir, model, rules, None)?;
    let mut out = HashMap::new();
    for m in scores.municipalities.iter().filter(|m| m.score.is_some()) {
        for item in m.items.iter().chain(&m.other_subindex_items) {
            out.insert((m.code.clone(), item.id.clone()), item.found);
        }
    }
    Ok(out)
}

/// The app's routes over `state`.
pub fn app(state: ReviewState) -> Router {
    Router::new()
        .route("/", get(pages::start))
        .route("/ko", get(pages::queue))
        .route("/kommun/{code}", get(pages::municipality))
        .route("/logg", get(pages::log))
        .route("/fynd/{code}/{item}", get(finding::show))
        .route("/arkiv/{file}/{offset}/{length}", get(archive::show))
        .route("/login", get(actions::login_form).post(actions::login))
        .route("/logout", post(actions::logout))
        .route("/beslut", post(actions::decide))
        .route("/stil.css", get(pages::css))
        .route("/app.js", get(pages::js))
        .fallback(pages::not_found)
        .with_state(state)
}

/// Serves the app on `addr` until Ctrl-C; `bound` is called with the
/// address actually bound (port 0 picks one).
pub async fn serve(
    state: ReviewState,
    addr: SocketAddr,
    bound: impl FnOnce(SocketAddr),
) -> Result<(), ReviewError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ReviewError::Serve { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| ReviewError::Serve { addr, source })?;
    bound(local);
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|source| ReviewError::Serve {
        addr: local,
        source,
    })
}
