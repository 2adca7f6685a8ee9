//! A loopback HTTP server for synthetic municipal websites, used by the
//! integration tests and by `infokoll demo`.
//!
//! Sites live in `fixtures/sites/<host>/…` (or are embedded with
//! `include_dir!`, or generated with [`Sites::insert_file`]). The server
//! answers both as a plain server (site chosen by the `Host` header) and as
//! an HTTP forward proxy (absolute-form targets such as
//! `GET http://www.solvik.se/omsorg/ HTTP/1.1`, site chosen by the URI's
//! authority). Every request is logged with its arrival time
//! ([`RequestRecord`]) so tests can assert on order and politeness.
//!
//! # Hosts
//!
//! The host comes from the absolute request URI (proxy mode), else from the
//! `Host` header; the port is dropped and the lookup is case-insensitive.
//! An unknown host gets `502` with the body
//! `fixture-server: okänd värd <host>`, as a real proxy would answer.
//! `CONNECT` (https through the proxy) gets `501` and is logged.
//!
//! # URL path → file
//!
//! The path is percent-decoded (and NFC-normalized) before lookup, so
//! `/omsorg/%C3%A4ldre` finds `omsorg/äldre`. Then:
//!
//! | request      | files tried, in order                          |
//! |--------------|------------------------------------------------|
//! | `/`          | `index.html`                                   |
//! | `/a/b/`      | `a/b/index.html`                               |
//! | `/a/b`       | `a/b`, `a/b.html`, `a/b/index.html`            |
//! | `/a/b?q`     | `a/b@q`, `a/b.html@q`, `a/b/index.html@q`, then as without query |
//!
//! So `/index.php?id=12` is served from the file `index.php@id=12`; the
//! query is tried as sent and percent-decoded. A query without its own file
//! falls back to the file without query (as real servers ignore unknown
//! parameters); use a route when a test needs a 404 there.
//!
//! Files whose name starts with `_` (such as `_server.toml`) and files named
//! `truth.toml` are never served (404). A missing file is a 404 with a small
//! HTML body. Methods other than GET and HEAD get 405 unless a route answers
//! them; HEAD answers like GET without a body.
//!
//! # Content-Type
//!
//! By extension of the file (without `@query`): `html`, `htm`, `php`,
//! `asp`, `aspx` and files without extension are `text/html;
//! charset=utf-8`, or `text/html; charset=<charset>` when the site's
//! `_server.toml` sets `charset` (`charset = ""` sends plain `text/html`);
//! `xml` → `application/xml`, `txt` → `text/plain; charset=utf-8`, and the
//! usual types for `pdf`, `json`, `css`, `js`, `svg`, `png`, `jpg`, ….
//!
//! # Routes
//!
//! `_server.toml` may define routes (status, redirect, delay, `Retry-After`,
//! `times`, extra headers, dropped connections, gzip bombs, huge pages); see
//! [`SiteConfig`]. A dropped connection (`close = true`) is a TCP reset
//! before any byte of the answer; see `handler.rs` for how. `size_mb` pages
//! are generated once per size and shared by all requests (no streaming body
//! without an extra crate), `gzip_bomb_mb` bodies are generated at start.

mod config;
mod generate;
mod handler;
mod log;
mod sites;
pub mod truth;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

pub use config::{Route, SiteConfig, MAX_GENERATED_MB};
pub use log::{RequestLog, RequestRecord, STATUS_NO_ANSWER};
pub use sites::{Resolved, Site, Sites, CONFIG_FILE, TRUTH_FILE};

use handler::{ConnHandle, KillListener, ServerState};

/// Errors while loading fixture sites or writing the request log.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A file or directory could not be read or written.
    #[error("in-/utmatningsfel för {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A `_server.toml` is invalid.
    #[error("fel i {file}: {message}")]
    Config {
        /// The file (for generated sites: `<host>/_server.toml`).
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A site directory name is not a usable host name.
    #[error("ogiltigt värdnamn {0:?}")]
    InvalidHost(String),
    /// A file name is not UTF-8.
    #[error("filnamnet är inte UTF-8: {0}")]
    NotUtf8(PathBuf),
}

impl FixtureError {
    fn io(path: &Path, source: io::Error) -> FixtureError {
        FixtureError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How long [`FixtureServer::shutdown`] waits for open requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running fixture server on the current tokio runtime. Dropping it starts
/// a graceful shutdown without waiting for it.
#[derive(Debug)]
pub struct FixtureServer {
    addr: SocketAddr,
    log: Arc<RequestLog>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl FixtureServer {
    /// Serves `sites` on `127.0.0.1` on a free port.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] (wrapping a
    /// [`FixtureError`]) when a site's config is invalid.
    pub async fn start(sites: Sites) -> io::Result<FixtureServer> {
        FixtureServer::start_on(sites, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves `sites` on `addr`.
    pub async fn start_on(sites: Sites, addr: SocketAddr) -> io::Result<FixtureServer> {
        let state = ServerState::prepare(sites)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let log = Arc::clone(&state.log);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, state, async move {
            let _ = stopped.await;
        }));
        Ok(FixtureServer {
            addr,
            log,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>/`, to use as HTTP proxy (or base URL).
    pub fn proxy_url(&self) -> Url {
        #[allow(clippy::expect_used)] // a formatted SocketAddr is always a valid URL
        Url::parse(&format!("http://{}/", self.addr)).expect("socket address URL")
    }

    /// A snapshot of the request log, in arrival order.
    pub fn log(&self) -> Vec<RequestRecord> {
        self.log.snapshot()
    }

    /// The live log (shared with the server).
    pub fn request_log(&self) -> Arc<RequestLog> {
        Arc::clone(&self.log)
    }

    /// Forgets all logged requests.
    pub fn clear_log(&self) {
        self.log.clear();
    }

    /// Writes the current log as JSON lines.
    pub fn write_log_jsonl(&self, path: &Path) -> Result<(), FixtureError> {
        RequestLog::write_jsonl(&self.log.snapshot(), path)
    }

    /// Stops accepting, lets open requests finish (at most two seconds), and
    /// frees the port.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
                let _ = task.await;
            }
        }
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves `sites` on `addr` until Ctrl-C (then shuts down gracefully). For
/// a future `infokoll serve-fixtures` command.
pub async fn serve_forever(sites: Sites, addr: SocketAddr) -> io::Result<()> {
    let state =
        ServerState::prepare(sites).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    run(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

async fn run(
    listener: TcpListener,
    state: ServerState,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = Router::new()
        .fallback(handler::handle)
        .with_state(Arc::new(state));
    axum::serve(
        KillListener(listener),
        app.into_make_service_with_connect_info::<ConnHandle>(),
    )
    .with_graceful_shutdown(stop)
    .await
}

#[cfg(test)]
mod tests;
