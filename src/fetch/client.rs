//! The polite HTTP client: [`Fetcher`].
//!
//! One [`Fetcher::fetch`] call follows redirects by hand. For every hop it
//! looks up the hop host's robots.txt (fetched once per process, through the
//! same per-host gate as any request), refuses disallowed URLs, waits for the
//! host's [`HostPool`] permit, sends the request and reads the body up to
//! `max_body` decompressed bytes while holding the permit. `429`/`503`
//! answers with an acceptable `Retry-After` back the host off and are
//! retried. Everything that can go wrong ends up in [`FetchOutcome`].

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use reqwest::redirect::Policy;
use url::Url;

use super::address::{internal_host, is_refusal, proxy_hosts, PublicResolver};
use super::politeness::{host_key, HostPool};
use super::robots::{robots_url, RobotsCache, RobotsRules, ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS};
use super::{FetchConfig, FetchOutcome, FetchedPage, MAX_RETRY_AFTER};

/// `Accept` header of page requests.
const ACCEPT_PAGES: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5";
/// `Accept` header of robots.txt requests.
const ACCEPT_ROBOTS: &str = "text/plain,*/*;q=0.5";
/// `Accept-Language` header of every request.
const ACCEPT_LANG: &str = "sv,en;q=0.5";
/// Pause before the one retry of a robots.txt that got no answer.
const ROBOTS_RETRY_PAUSE: Duration = Duration::from_secs(2);
/// Longest transport error reason kept.
const MAX_REASON: usize = 160;

/// Why a [`Fetcher`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The per-host rate is not a usable positive number.
    #[error("ogiltig hastighet {0}: ange ett positivt antal förfrågningar per sekund")]
    InvalidRate(f64),
    /// The User-Agent cannot be sent as an HTTP header.
    #[error("ogiltig User-Agent {0:?}: bara synliga ASCII-tecken är tillåtna")]
    InvalidUserAgent(String),
    /// The proxy URL was refused.
    #[error("ogiltig proxy {url}: {source}")]
    InvalidProxy {
        /// The proxy asked for.
        url: Url,
        /// What reqwest said.
        source: reqwest::Error,
    },
    /// The HTTP client could not be built (e.g. TLS setup).
    #[error("kunde inte skapa HTTP-klienten: {0}")]
    Client(#[source] reqwest::Error),
}

/// Polite HTTP fetcher. Cheap to clone; clones share the client, the
/// per-host gates, the robots.txt cache and the request counter.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    config: FetchConfig,
    client: reqwest::Client,
    pool: HostPool,
    robots: RobotsCache,
    sent: AtomicU64,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.inner.config)
            .field("requests_sent", &self.requests_sent())
            .finish_non_exhaustive()
    }
}

/// Validators of a conditional request.
#[derive(Default)]
struct Conditional<'a> {
    etag: Option<&'a str>,
    last_modified: Option<&'a str>,
}

/// How one hop (with its retries) ended.
enum Hop {
    Redirect(Url),
    Done(FetchOutcome),
}

impl Fetcher {
    /// Builds the client (rustls, gzip/brotli/deflate, no automatic
    /// redirects, the configured timeout, User-Agent and proxy).
    ///
    /// Non-ASCII letters of the User-Agent are sent without diacritics
    /// (`hemtjänst` → `hemtjanst`): header values must be ASCII to pass
    /// every server and firewall.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        let rate_ok = config.rate.is_finite()
            && config.rate > 0.0
            && Duration::try_from_secs_f64(1.0 / config.rate).is_ok();
        if !rate_ok {
            return Err(FetchError::InvalidRate(config.rate));
        }
        let ua = HeaderValue::from_str(&ascii_fold(&config.user_agent))
            .map_err(|_| FetchError::InvalidUserAgent(config.user_agent.clone()))?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .redirect(Policy::none())
            .timeout(config.timeout)
            // One request in flight per host means one connection per host is
            // enough; a few idle ones, briefly, keep memory flat in a
            // 290-site run (and through a proxy, where all share one host).
            .pool_max_idle_per_host(8)
            .pool_idle_timeout(std::time::Duration::from_secs(15))
            .user_agent(ua);
        if !config.allow_private {
            let resolver = PublicResolver::allowing(proxy_hosts(config.proxy.as_ref()));
            builder = builder.dns_resolver(Arc::new(resolver));
        }
        if let Some(url) = &config.proxy {
            let proxy =
                reqwest::Proxy::all(url.as_str()).map_err(|source| FetchError::InvalidProxy {
                    url: url.clone(),
                    source,
                })?;
            builder = builder.proxy(proxy);
        }
        let client = builder.build().map_err(FetchError::Client)?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool: HostPool::new(config.rate),
                config,
                client,
                robots: RobotsCache::new(),
                sent: AtomicU64::new(0),
            }),
        })
    }

    /// The configuration this fetcher was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// All HTTP requests sent so far, robots.txt included.
    pub fn requests_sent(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// Every host's requests and politeness bound so far, busiest first.
    pub fn host_loads(&self) -> Vec<super::politeness::HostLoad> {
        self.inner.pool.loads()
    }

    /// Fetches `url`, following redirects; never fails, see [`FetchOutcome`].
    pub async fn fetch(&self, url: &Url) -> FetchedPage {
        self.fetch_with(url, &Conditional::default()).await
    }

    /// Like [`fetch`](Self::fetch), sending `If-None-Match` / `If-Modified-Since`
    /// with the given validators; an unchanged page answers `304` with an
    /// empty body.
    pub async fn fetch_conditional(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> FetchedPage {
        let cond = Conditional {
            etag,
            last_modified,
        };
        self.fetch_with(url, &cond).await
    }

    /// The robots.txt rules of the host of `url` (fetched on first use).
    pub async fn robots(&self, url: &Url) -> Arc<RobotsRules> {
        match self.check_url(url) {
            Ok(key) => self.robots_for(url, &key).await,
            Err(refused) => Arc::new(RobotsRules::from_failure(refused)),
        }
    }

    /// The host key of a URL that may be fetched, or the outcome that
    /// refuses it (scheme, no host, or an internal host as written).
    fn check_url(&self, url: &Url) -> Result<String, FetchOutcome> {
        let key = check_scheme(url).map_err(|reason| FetchOutcome::Unsupported { reason })?;
        if !self.inner.config.allow_private {
            if let Some(host) = internal_host(url) {
                tracing::warn!(%host, "refused: internal address");
                return Err(FetchOutcome::Internal { host });
            }
        }
        Ok(key)
    }

    async fn fetch_with(&self, url: &Url, cond: &Conditional<'_>) -> FetchedPage {
        let mut current = without_fragment(url.clone());
        let mut page = FetchedPage {
            requested: current.clone(),
            final_url: current.clone(),
            redirects: Vec::new(),
            outcome: FetchOutcome::RedirectLoop,
            requests: 0,
            fetched_at: SystemTime::now(),
        };
        let mut visited = HashSet::from([current.clone()]);
        loop {
            let key = match self.check_url(&current) {
                Ok(key) => key,
                Err(refused) => {
                    page.outcome = refused;
                    return page;
                }
            };
            let rules = self.robots_for(&current, &key).await;
            if !rules.allowed(&current) {
                page.outcome = match rules.failure() {
                    Some(failure) => failure.clone(),
                    None => FetchOutcome::Disallowed { url: current },
                };
                return page;
            }
            match self.hop(&current, &key, cond, &mut page.requests).await {
                Hop::Done(outcome) => {
                    page.outcome = outcome;
                    return page;
                }
                Hop::Redirect(next) => {
                    let next = without_fragment(next);
                    if !visited.insert(next.clone()) {
                        page.outcome = FetchOutcome::RedirectLoop;
                        return page;
                    }
                    if page.redirects.len() >= self.inner.config.max_redirects {
                        page.outcome = FetchOutcome::TooManyRedirects;
                        return page;
                    }
                    page.redirects.push(next.clone());
                    page.final_url = next.clone();
                    current = next;
                }
            }
        }
    }

    /// One hop: request (with Retry-After retries) and body, under the
    /// host's permit.
    async fn hop(&self, url: &Url, key: &str, cond: &Conditional<'_>, requests: &mut u32) -> Hop {
        let config = &self.inner.config;
        let mut retries = 0;
        loop {
            let permit = self.inner.pool.acquire(key).await;
            *requests += 1;
            let resp = match self.send(url, ACCEPT_PAGES, cond).await {
                Ok(resp) => resp,
                Err(e) => return Hop::Done(outcome_of(&e)),
            };
            let status = resp.status().as_u16();
            if status == 429 || status == 503 {
                if let Some(wait) = retry_after(resp.headers(), SystemTime::now()) {
                    // The server asked for a pause: give it one in any case.
                    let pause = wait.min(MAX_RETRY_AFTER);
                    self.inner.pool.back_off_until(key, Instant::now() + pause);
                    if wait <= MAX_RETRY_AFTER && retries < config.max_retries {
                        retries += 1;
                        drop(resp);
                        drop(permit);
                        continue;
                    }
                }
            }
            if let Some(next) = redirect_target(status, resp.headers(), url) {
                return Hop::Redirect(next);
            }
            let header = |name| {
                resp.headers()
                    .get(name)
                    .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
            };
            let content_type = header(CONTENT_TYPE);
            let etag = header(ETAG);
            let last_modified = header(LAST_MODIFIED);
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let (cap, skip) = body_cap(config, content_type.as_deref(), resp.content_length());
            let read = if skip {
                Ok((Vec::new(), true))
            } else {
                read_capped(resp, cap).await
            };
            drop(permit);
            return Hop::Done(match read {
                Ok((body, truncated)) => FetchOutcome::Response {
                    status,
                    content_type,
                    body,
                    truncated,
                    etag,
                    last_modified,
                    headers,
                },
                Err(e) => outcome_of(&e),
            });
        }
    }

    async fn send(
        &self,
        url: &Url,
        accept: &'static str,
        cond: &Conditional<'_>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        self.inner.sent.fetch_add(1, Ordering::Relaxed);
        let mut req = self
            .inner
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .header(ACCEPT_LANGUAGE, ACCEPT_LANG);
        let validators = [
            (IF_NONE_MATCH, cond.etag),
            (IF_MODIFIED_SINCE, cond.last_modified),
        ];
        for (name, value) in validators {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
                req = req.header(name, v);
            }
        }
        req.send().await
    }

    async fn robots_for(&self, url: &Url, key: &str) -> Arc<RobotsRules> {
        self.inner
            .robots
            .get_or_fetch(key, || self.fetch_robots_retrying(url, key))
            .await
    }

    /// A host that does not answer robots.txt at all (timeout, connection
    /// trouble) gets one more try after a pause before it counts as
    /// unreachable for the whole run: one blip must not cost a municipality.
    async fn fetch_robots_retrying(&self, url: &Url, key: &str) -> RobotsRules {
        let first = self.fetch_robots(url, key).await;
        match first.failure() {
            Some(FetchOutcome::Timeout | FetchOutcome::Transport { .. }) => {
                tokio::time::sleep(ROBOTS_RETRY_PAUSE).await;
                self.fetch_robots(url, key).await
            }
            _ => first,
        }
    }

    /// Fetches and interprets the robots.txt of `url`'s origin (`key`).
    async fn fetch_robots(&self, url: &Url, key: &str) -> RobotsRules {
        let Some(mut current) = robots_url(url) else {
            return RobotsRules::unreachable("no host");
        };
        let mut visited = HashSet::from([current.clone()]);
        let mut hops = 0;
        loop {
            let hop_key = match self.check_url(&current) {
                Ok(k) => k,
                Err(refused) => return RobotsRules::from_failure(refused),
            };
            let permit = self.inner.pool.acquire(&hop_key).await;
            let resp = match self
                .send(&current, ACCEPT_ROBOTS, &Conditional::default())
                .await
            {
                Ok(resp) => resp,
                Err(e) => return RobotsRules::from_failure(outcome_of(&e)),
            };
            let status = resp.status().as_u16();
            if let Some(next) = redirect_target(status, resp.headers(), &current) {
                drop(resp);
                drop(permit);
                let next = without_fragment(next);
                hops += 1;
                if !visited.insert(next.clone()) {
                    return RobotsRules::unreachable("redirect loop");
                }
                if hops > ROBOTS_MAX_REDIRECTS {
                    return RobotsRules::unreachable("too many redirects");
                }
                current = next;
                continue;
            }
            let read = read_capped(resp, ROBOTS_MAX_BYTES).await;
            drop(permit);
            let rules = match read {
                Ok((body, _)) => RobotsRules::from_response(status, &body, &current),
                Err(e) => RobotsRules::from_failure(outcome_of(&e)),
            };
            if let Some(delay) = rules.crawl_delay {
                self.inner.pool.set_crawl_delay(key, delay);
            }
            return rules;
        }
    }
}

/// Header values must be ASCII to be safe everywhere: Swedish and other
/// Latin letters lose their diacritics (`hemtjänst` → `hemtjanst`), anything
/// else non-ASCII becomes `?`.
fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            c if c.is_ascii() => c,
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' => 'a',
            'Å' | 'Ä' | 'À' | 'Á' | 'Â' | 'Ã' => 'A',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'Ö' | 'Ø' | 'Ó' | 'Ò' | 'Ô' | 'Õ' => 'O',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'ü' | 'ú' | 'ù' => 'u',
            'Ü' | 'Ú' | 'Ù' => 'U',
            _ => '?',
        })
        .collect()
}

/// The host key of an http(s) URL, or why it cannot be fetched.
fn check_scheme(url: &Url) -> Result<String, String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme {} is not http or https", url.scheme()));
    }
    host_key(url).ok_or_else(|| "no host".to_owned())
}

/// The URL as it is requested: no fragment, and never a user name or
/// password (reqwest would send them as Basic auth).
fn without_fragment(mut url: Url) -> Url {
    url.set_fragment(None);
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    url
}

/// The next hop of a redirect answer (301, 302, 303, 307, 308 with a
/// usable Location).
fn redirect_target(status: u16, headers: &HeaderMap, base: &Url) -> Option<Url> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = headers.get(LOCATION)?;
    let location = String::from_utf8_lossy(location.as_bytes());
    base.join(location.trim()).ok()
}

/// The wait a `Retry-After` header asks for (delta-seconds or HTTP date).
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The body cap of a response, and whether to skip the body: a PDF gets
/// the PDF cap and is not read at all when its Content-Length is over it
/// (a cut PDF cannot be read anyway).
fn body_cap(
    config: &FetchConfig,
    content_type: Option<&str>,
    length: Option<u64>,
) -> (usize, bool) {
    let pdf = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("pdf"));
    if !pdf {
        return (config.max_body, false);
    }
    let cap = config.max_pdf_body.max(config.max_body);
    (cap, length.is_some_and(|l| l > cap as u64))
}

/// Reads at most `cap` decompressed bytes; `true` when more were coming.
async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = cap.saturating_sub(body.len());
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// `Timeout` or `Transport` for a failed request.
fn outcome_of(e: &reqwest::Error) -> FetchOutcome {
    if let Some(refused) = is_refusal(e) {
        return FetchOutcome::Internal {
            host: refused.host.clone(),
        };
    }
    let mut timed_out = e.is_timeout();
    let mut reason = None;
    let mut innermost = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            reason = reason.or(match io.kind() {
                K::ConnectionRefused => Some("anslutningen nekades"),
                K::ConnectionReset => Some("anslutningen återställdes"),
                K::ConnectionAborted => Some("anslutningen avbröts"),
                K::UnexpectedEof => Some("anslutningen stängdes i förtid"),
                _ => None,
            });
            timed_out |= io.kind() == K::TimedOut;
        }
        innermost = err.to_string();
        source = err.source();
    }
    if timed_out {
        return FetchOutcome::Timeout;
    }
    // The library's own (English) words go to the log; users get Swedish.
    tracing::debug!(error = %innermost, "transport error");
    let reason = match reason {
        Some(r) => r.to_owned(),
        None if e.is_connect() => "ingen förbindelse med servern".to_owned(),
        None if e.is_decode() => "svaret kunde inte avkodas".to_owned(),
        None => "nätverksfel".to_owned(),
    };
    FetchOutcome::Transport {
        reason: reason.chars().take(MAX_REASON).collect(),
    }
}

#[cfg(test)]
pub(crate) mod test_server;

#[cfg(test)]
mod tests;
