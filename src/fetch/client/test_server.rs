//! A scripted HTTP server on 127.0.0.1 for the fetcher's tests.
//!
//! Every request is logged (path with query, arrival time, headers); the
//! answer comes from a closure of the path and how often it was asked for.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response};
use axum::Router;
use tokio::task::JoinHandle;
use url::Url;

/// One request the server saw.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// Path and query.
    pub(crate) path: String,
    /// When the request arrived.
    pub(crate) at: Instant,
    /// Its headers.
    pub(crate) headers: HeaderMap,
}

/// What to answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
    /// Sleep this long before answering.
    pub(crate) delay: Duration,
}

impl Reply {
    /// A reply with a status and body.
    pub(crate) fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// `200` with an HTML body.
    pub(crate) fn html(body: &str) -> Self {
        Self::new(200, body).header("content-type", "text/html; charset=utf-8")
    }

    /// A redirect to `location`.
    pub(crate) fn redirect(status: u16, location: &str) -> Self {
        Self::new(status, "").header("location", location)
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Answers only after `delay`.
    pub(crate) fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Script = dyn Fn(&str, usize, &HeaderMap) -> Reply + Send + Sync;

#[derive(Clone)]
struct AppState {
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Hit>>>,
}

/// A running server; stopped when dropped.
pub(crate) struct Server {
    /// `http://127.0.0.1:PORT/`.
    pub(crate) base: Url,
    log: Arc<Mutex<Vec<Hit>>>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts a server answering with `script(path, nth_time_asked, headers)`
    /// (`nth_time_asked` starts at 1).
    pub(crate) async fn start<F>(script: F) -> Self
    where
        F: Fn(&str, usize, &HeaderMap) -> Reply + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            script: Arc::new(script),
            log: Arc::clone(&log),
        };
        let app = Router::new().fallback(handle).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: Url::parse(&format!("http://{addr}/")).unwrap(),
            log,
            task,
        }
    }

    /// The absolute URL of `path`.
    pub(crate) fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap()
    }

    /// Everything asked so far.
    pub(crate) fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().clone()
    }

    /// The paths asked so far, in order.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(state): State<AppState>, req: Request) -> Response<Body> {
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let nth = {
        let mut log = state.log.lock().unwrap();
        log.push(Hit {
            path: path.clone(),
            at: Instant::now(),
            headers: req.headers().clone(),
        });
        log.iter().filter(|h| h.path == path).count()
    };
    let reply = (state.script)(&path, nth, req.headers());
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut resp = Response::builder().status(reply.status);
    for (name, value) in reply.headers {
        resp = resp.header(name, value);
    }
    resp.body(Body::from(reply.body)).unwrap()
}
