//! Request handling: host resolution, routes, files, and the listener whose
//! connections a `close` route can drop.
//!
//! Dropping a connection: every accepted socket is wrapped in a
//! [`KillableIo`] sharing a flag with the request (via axum's connect
//! info). A `close` route sets the flag and returns a dummy response; when
//! hyper tries to write it, the wrapper fails the write, hyper abandons the
//! connection, and the socket (zero linger) is closed with a TCP reset —
//! the client sees no byte of an answer.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::config::Route;
use super::generate::{big_html, gzip_bomb};
use super::log::{RequestLog, STATUS_NO_ANSWER};
use super::sites::{content_type_for, normalize_host, percent_decode, resolve_with, Sites};
use super::FixtureError;

/// Everything the handler needs, immutable after start except the log and
/// the route hit counters.
#[derive(Debug)]
pub(crate) struct ServerState {
    sites: HashMap<String, PreparedSite>,
    pub(crate) log: Arc<RequestLog>,
}

#[derive(Debug)]
struct PreparedSite {
    files: HashMap<String, Bytes>,
    charset: Option<String>,
    routes: Vec<PreparedRoute>,
}

#[derive(Debug)]
struct PreparedRoute {
    route: Route,
    headers: Vec<(HeaderName, HeaderValue)>,
    hits: AtomicU32,
    /// `body` or the pre-generated gzip bomb.
    body: Option<Bytes>,
}

impl ServerState {
    /// Validates all site configs and pre-generates gzip bombs.
    pub(crate) fn prepare(sites: Sites) -> Result<ServerState, FixtureError> {
        let mut prepared = HashMap::new();
        for (host, site) in sites.into_inner() {
            site.config
                .validate()
                .map_err(|message| FixtureError::Config {
                    file: format!("{host}/{}", super::sites::CONFIG_FILE).into(),
                    message,
                })?;
            let routes = site
                .config
                .routes
                .into_iter()
                .map(|route| PreparedRoute {
                    headers: route.extra_headers(),
                    hits: AtomicU32::new(0),
                    body: match (&route.body, route.gzip_bomb_mb) {
                        (Some(b), _) => Some(Bytes::from(b.clone())),
                        (None, Some(mb)) => Some(gzip_bomb(mb)),
                        (None, None) => None,
                    },
                    route,
                })
                .collect();
            let files = site
                .files
                .into_iter()
                .map(|(k, v)| (k, Bytes::from(v)))
                .collect();
            prepared.insert(
                host,
                PreparedSite {
                    files,
                    charset: site.config.charset,
                    routes,
                },
            );
        }
        Ok(ServerState {
            sites: prepared,
            log: Arc::new(RequestLog::new()),
        })
    }
}

/// The single fallback handler of the router.
pub(crate) async fn handle(State(state): State<Arc<ServerState>>, req: Request) -> Response {
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    let method = req.method().clone();
    let uri = req.uri().clone();
    let proxied = uri.authority().is_some();
    let host = match uri.authority() {
        Some(a) => normalize_host(a.host()),
        None => req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(normalize_host)
            .unwrap_or_default(),
    };
    let target = if method == Method::CONNECT {
        uri.authority().map(ToString::to_string).unwrap_or_default()
    } else {
        uri.path_and_query()
            .map_or_else(|| "/".to_owned(), ToString::to_string)
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let id = state.log.arrive(
        method.to_string(),
        host.clone(),
        target.clone(),
        user_agent,
        proxied,
    );
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let (response, status) = answer(
        &state,
        &method,
        &host,
        &uri,
        conn.as_ref(),
        if_none_match.as_deref(),
    )
    .await;
    state.log.set_status(id, status);
    response
}

async fn answer(
    state: &ServerState,
    method: &Method,
    host: &str,
    uri: &Uri,
    conn: Option<&ConnHandle>,
    if_none_match: Option<&str>,
) -> (Response, u16) {
    if method == Method::CONNECT {
        return text(501, "fixture-server: CONNECT (https via proxy) stöds inte");
    }
    if host.is_empty() {
        return text(400, "fixture-server: Host saknas");
    }
    let Some(site) = state.sites.get(host) else {
        return text(502, &format!("fixture-server: okänd värd {host}"));
    };
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut modifier = None;
    for pr in &site.routes {
        if !pr.route.matches(target) {
            continue;
        }
        if let Some(times) = pr.route.times {
            if pr.hits.fetch_add(1, Ordering::SeqCst) >= times {
                continue;
            }
        }
        if let Some(ms) = pr.route.delay_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if pr.route.close {
            if let Some(conn) = conn {
                conn.kill();
            }
            return (respond(500, Vec::new(), Bytes::new()), STATUS_NO_ANSWER);
        }
        if pr.route.answers() {
            return route_answer(site, pr, uri.path());
        }
        modifier = Some(pr);
        break;
    }
    let (mut response, status) = file_answer(site, method, uri, if_none_match);
    if let Some(pr) = modifier {
        for (k, v) in &pr.headers {
            response.headers_mut().insert(k.clone(), v.clone());
        }
    }
    (response, status)
}

fn route_answer(site: &PreparedSite, pr: &PreparedRoute, path: &str) -> (Response, u16) {
    let route = &pr.route;
    let status = route.effective_status();
    let mut headers = Vec::new();
    let body = if let Some(mb) = route.size_mb {
        headers.push((
            header::CONTENT_TYPE,
            header_value("text/html; charset=utf-8"),
        ));
        big_html(mb)
    } else if route.gzip_bomb_mb.is_some() {
        headers.push((
            header::CONTENT_TYPE,
            header_value("text/html; charset=utf-8"),
        ));
        headers.push((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
        pr.body.clone().unwrap_or_default()
    } else if let Some(body) = &pr.body {
        let ct = content_type_for(&percent_decode(path), site.charset.as_deref());
        headers.push((header::CONTENT_TYPE, header_value(&ct)));
        body.clone()
    } else {
        Bytes::new()
    };
    headers.extend(pr.headers.iter().cloned());
    (respond(status, headers, body), status)
}

/// A strong validator of a file's bytes (stable across runs of one build).
fn etag_of(bytes: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("\"{:016x}-{}\"", h.finish(), bytes.len())
}

/// Serves a file, with an `ETag`; `If-None-Match` with that tag gets `304 Not Modified`.
fn file_answer(
    site: &PreparedSite,
    method: &Method,
    uri: &Uri,
    if_none_match: Option<&str>,
) -> (Response, u16) {
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(405, "fixture-server: metoden stöds inte");
        r.0.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let found = resolve_with(uri.path(), uri.query(), |k| site.files.contains_key(k));
    let Some(found) = found else {
        let body = "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\">\
                    <title>404 Sidan finns inte</title></head>\
                    <body><h1>Sidan finns inte</h1></body></html>\n";
        let headers = vec![(
            header::CONTENT_TYPE,
            header_value("text/html; charset=utf-8"),
        )];
        return (
            respond(404, headers, Bytes::from_static(body.as_bytes())),
            404,
        );
    };
    let bytes = site.files.get(&found.key).cloned().unwrap_or_default();
    let ct = content_type_for(&found.base, site.charset.as_deref());
    let etag = etag_of(&bytes);
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return (
            respond(304, vec![(header::ETAG, header_value(&etag))], Bytes::new()),
            304,
        );
    }
    (
        respond(
            200,
            vec![
                (header::CONTENT_TYPE, header_value(&ct)),
                (header::ETAG, header_value(&etag)),
            ],
            bytes,
        ),
        200,
    )
}

fn text(status: u16, body: &str) -> (Response, u16) {
    let headers = vec![(
        header::CONTENT_TYPE,
        header_value("text/plain; charset=utf-8"),
    )];
    (
        respond(status, headers, Bytes::from(body.to_owned())),
        status,
    )
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

fn respond(status: u16, headers: Vec<(HeaderName, HeaderValue)>, body: Bytes) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(
        header::SERVER,
        HeaderValue::from_static("infokoll-fixture-server"),
    );
    for (k, v) in headers {
        h.insert(k, v);
    }
    r
}

/// A TCP listener whose connections can be dropped by the handler.
pub(crate) struct KillListener(pub(crate) TcpListener);

impl Listener for KillListener {
    type Io = KillableIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    // Best effort; small answers should not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    let io = KillableIo {
                        inner: stream,
                        kill: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, addr);
                }
                // E.g. too many open files: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails all I/O once its kill flag is set.
pub(crate) struct KillableIo {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableIo {
    fn check(&self) -> io::Result<()> {
        if self.kill.load(Ordering::SeqCst) {
            // Reset instead of an orderly FIN when the socket is dropped.
            let _ = self.inner.set_zero_linger();
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "fixture-server: close-route",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Per-connection handle given to the handler as connect info.
#[derive(Clone, Debug)]
pub(crate) struct ConnHandle(Arc<AtomicBool>);

impl ConnHandle {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, KillListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        ConnHandle(stream.io().kill.clone())
    }
}
