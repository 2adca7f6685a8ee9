//! robots.txt: per-host rules with RFC 9309 semantics, fetched once per process.
//!
//! How an answer for `/robots.txt` turns into rules ([`RobotsRules::from_response`]):
//!
//! | answer                                   | rules                         |
//! |------------------------------------------|-------------------------------|
//! | 2xx                                      | parsed for [`ROBOTS_TOKEN`]   |
//! | 2xx but unparseable                      | allow all                     |
//! | 4xx (401, 403, 404, 429 …)               | allow all ([`RobotsStatus::Missing`]) |
//! | 5xx, timeout, transport error            | disallow all ([`RobotsStatus::Unreachable`]) |
//! | redirect loop or more than 5 redirects   | disallow all                  |
//!
//! Bodies longer than [`ROBOTS_MAX_BYTES`] are cut before parsing. The HTTP
//! side (redirects, the per-host gate) lives in the fetcher; this module holds
//! the rules and the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

use super::{FetchOutcome, ROBOTS_TOKEN};

/// Largest robots.txt body parsed (RFC 9309 asks for at least 500 KiB).
pub const ROBOTS_MAX_BYTES: usize = 500 * 1024;
/// Redirects followed when fetching robots.txt.
pub const ROBOTS_MAX_REDIRECTS: usize = 5;
/// Longest Crawl-delay honoured; longer values are cut to this.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);

/// The robots.txt URL of the origin of `url` (`None` without a host).
pub fn robots_url(url: &Url) -> Option<Url> {
    url.host_str()?;
    let mut r = url.join("/robots.txt").ok()?;
    r.set_query(None);
    r.set_fragment(None);
    // Credentials never go into the robots.txt request; these setters only
    // fail for URLs that cannot have credentials, which are left alone.
    let _ = r.set_username("");
    let _ = r.set_password(None);
    Some(r)
}

/// How the robots.txt of a host was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RobotsStatus {
    /// A 2xx answer; its rules apply (an unparseable file allows all).
    Parsed {
        /// HTTP status of the final answer.
        http_status: u16,
    },
    /// A 4xx answer: no rules, everything allowed.
    Missing {
        /// HTTP status of the final answer.
        http_status: u16,
    },
    /// 5xx, timeout, transport error or redirect trouble: nothing allowed.
    Unreachable {
        /// What went wrong, in English ("HTTP 503", "timeout" …).
        reason: String,
    },
}

impl RobotsStatus {
    /// A short Swedish description for reports.
    pub fn describe_sv(&self) -> String {
        match self {
            Self::Parsed { http_status } => format!("robots.txt läst (HTTP {http_status})"),
            Self::Missing { http_status } => {
                format!("robots.txt saknas (HTTP {http_status}), allt tillåtet")
            }
            Self::Unreachable { reason } => {
                format!("robots.txt kunde inte hämtas ({reason}), inget hämtas")
            }
        }
    }
}

/// The rules of one host's robots.txt for [`ROBOTS_TOKEN`].
pub struct RobotsRules {
    /// How the file was obtained.
    pub status: RobotsStatus,
    /// Crawl-delay for our token (or `*`), capped at [`MAX_CRAWL_DELAY`].
    pub crawl_delay: Option<Duration>,
    /// `Sitemap:` lines, resolved against the robots.txt URL (http/https only).
    pub sitemaps: Vec<Url>,
    robot: Option<Robot>,
    raw: Option<String>,
    failure: Option<FetchOutcome>,
}

impl std::fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotsRules")
            .field("status", &self.status)
            .field("crawl_delay", &self.crawl_delay)
            .field("sitemaps", &self.sitemaps)
            .field("parsed", &self.robot.is_some())
            .finish_non_exhaustive()
    }
}

impl RobotsRules {
    /// Rules from the final answer to a robots.txt request at `robots_url`.
    ///
    /// 2xx parses `body` (cut to [`ROBOTS_MAX_BYTES`]); 4xx allows all;
    /// anything else (5xx, or an unexpected 1xx/3xx) is unreachable.
    pub fn from_response(http_status: u16, body: &[u8], robots_url: &Url) -> Self {
        match http_status {
            200..=299 => Self::parse(http_status, body, robots_url),
            400..=499 => Self::missing(http_status),
            _ => Self::unreachable(format!("HTTP {http_status}")),
        }
    }

    fn parse(http_status: u16, body: &[u8], robots_url: &Url) -> Self {
        let body = &body[..body.len().min(ROBOTS_MAX_BYTES)];
        let raw = Some(String::from_utf8_lossy(body).into_owned());
        let status = RobotsStatus::Parsed { http_status };
        let Ok(robot) = Robot::new(ROBOTS_TOKEN, body) else {
            return Self {
                status,
                crawl_delay: None,
                sitemaps: Vec::new(),
                robot: None,
                raw,
                failure: None,
            };
        };
        let crawl_delay = robot.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| {
            // Whole milliseconds: f32 seconds are not exact (0.3 → 0.300000012).
            let ms = (f64::from(d) * 1000.0)
                .round()
                .min(MAX_CRAWL_DELAY.as_millis() as f64);
            Duration::from_millis(ms as u64)
        });
        let sitemaps = robot
            .sitemaps
            .iter()
            .filter_map(|s| robots_url.join(s.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .collect();
        Self {
            status,
            crawl_delay,
            sitemaps,
            robot: Some(robot),
            raw,
            failure: None,
        }
    }

    /// Rules of a host without robots.txt (4xx): everything allowed.
    pub fn missing(http_status: u16) -> Self {
        Self {
            status: RobotsStatus::Missing { http_status },
            crawl_delay: None,
            sitemaps: Vec::new(),
            robot: None,
            raw: None,
            failure: None,
        }
    }

    /// Rules of a host whose robots.txt could not be read: nothing allowed.
    pub fn unreachable(reason: impl Into<String>) -> Self {
        Self {
            status: RobotsStatus::Unreachable {
                reason: reason.into(),
            },
            crawl_delay: None,
            sitemaps: Vec::new(),
            robot: None,
            raw: None,
            failure: None,
        }
    }

    /// Rules of a host whose robots.txt request failed without an answer
    /// (`Timeout` or `Transport`): nothing allowed. Fetches refused by these
    /// rules report `outcome` itself rather than `Disallowed`, since the host
    /// is down rather than forbidding.
    pub fn from_failure(outcome: FetchOutcome) -> Self {
        let reason = match &outcome {
            FetchOutcome::Timeout => "timeout".to_owned(),
            FetchOutcome::Transport { reason } | FetchOutcome::Unsupported { reason } => {
                reason.clone()
            }
            other => other.describe_sv(),
        };
        Self {
            failure: Some(outcome),
            ..Self::unreachable(reason)
        }
    }

    /// The transport failure that made robots.txt unreachable, if any.
    pub fn failure(&self) -> Option<&FetchOutcome> {
        self.failure.as_ref()
    }

    /// May `url` be fetched? `/robots.txt` itself always may.
    pub fn allowed(&self, url: &Url) -> bool {
        if url.path() == "/robots.txt" {
            return true;
        }
        match (&self.status, &self.robot) {
            (RobotsStatus::Unreachable { .. }, _) => false,
            (_, Some(robot)) => robot.allowed(url.as_str()),
            (_, None) => true,
        }
    }

    /// The robots.txt text as received (lossy UTF-8, cut), for 2xx answers.
    pub fn raw(&self) -> Option<&str> {
        self.raw.as_deref()
    }
}

/// One host's cache entry, filled once.
type Slot = Arc<OnceCell<Arc<RobotsRules>>>;

/// Process-wide cache of [`RobotsRules`] per host key; each host's
/// robots.txt is fetched once, concurrent callers wait for that one fetch.
#[derive(Debug, Clone, Default)]
pub struct RobotsCache {
    inner: Arc<Mutex<HashMap<String, Slot>>>,
}

impl RobotsCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rules of `key`, running `fetch` if (and only if) they are not
    /// cached yet.
    pub async fn get_or_fetch<F, Fut>(&self, key: &str, fetch: F) -> Arc<RobotsRules>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = RobotsRules>,
    {
        let cell = {
            let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(map.entry(key.to_owned()).or_default())
        };
        Arc::clone(
            cell.get_or_init(|| async move { Arc::new(fetch().await) })
                .await,
        )
    }

    /// The cached rules of `key`, without fetching.
    pub fn cached(&self, key: &str) -> Option<Arc<RobotsRules>> {
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).and_then(|c| c.get().cloned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://kommun.se/robots.txt").unwrap()
    }

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn robots_url_of_any_page() {
        let r = robots_url(&u("https://user:pw@kommun.se:8443/a/b?q#f")).unwrap();
        assert_eq!(r.as_str(), "https://kommun.se:8443/robots.txt");
        assert!(robots_url(&u("data:text/plain,x")).is_none());
    }

    #[test]
    fn parsed_rules_for_our_token() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: infokoll\nDisallow: /intern/\nAllow: /intern/oppet\nCrawl-delay: 2\nSitemap: /sitemap.xml\nSitemap: ftp://x/y\n";
        let r = RobotsRules::from_response(200, txt, &base());
        assert_eq!(r.status, RobotsStatus::Parsed { http_status: 200 });
        assert!(r.allowed(&u("https://kommun.se/hemtjanst")));
        assert!(!r.allowed(&u("https://kommun.se/intern/x")));
        assert!(r.allowed(&u("https://kommun.se/intern/oppet")));
        assert!(r.allowed(&u("https://kommun.se/robots.txt")));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        assert_eq!(r.sitemaps, vec![u("https://kommun.se/sitemap.xml")]);
        assert!(r.raw().unwrap().contains("infokoll"));
    }

    #[test]
    fn star_group_applies_without_our_group() {
        let r = RobotsRules::from_response(200, b"User-agent: *\nDisallow: /privat", &base());
        assert!(!r.allowed(&u("https://kommun.se/privat/a")));
        assert!(r.allowed(&u("https://kommun.se/offentligt")));
    }

    #[test]
    fn crawl_delay_is_capped() {
        let r = RobotsRules::from_response(200, b"User-agent: *\nCrawl-delay: 3600", &base());
        assert_eq!(r.crawl_delay, Some(MAX_CRAWL_DELAY));
        let r = RobotsRules::from_response(200, b"User-agent: *\nCrawl-delay: 0.5", &base());
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(500)));
    }

    #[test]
    fn client_errors_allow_all_server_errors_disallow_all() {
        for s in [401, 403, 404, 410, 429] {
            let r = RobotsRules::from_response(s, b"User-agent: *\nDisallow: /", &base());
            assert_eq!(r.status, RobotsStatus::Missing { http_status: s });
            assert!(r.allowed(&u("https://kommun.se/x")));
        }
        for s in [500, 503] {
            let r = RobotsRules::from_response(s, b"", &base());
            assert!(matches!(r.status, RobotsStatus::Unreachable { .. }));
            assert!(!r.allowed(&u("https://kommun.se/x")));
            assert!(r.allowed(&u("https://kommun.se/robots.txt")));
        }
    }

    #[test]
    fn long_body_is_cut_before_parsing() {
        let mut txt = b"User-agent: *\n".to_vec();
        while txt.len() < ROBOTS_MAX_BYTES {
            txt.extend_from_slice(b"Allow: /fyllnad\n");
        }
        txt.extend_from_slice(b"Disallow: /efter-gransen\n");
        let r = RobotsRules::from_response(200, &txt, &base());
        assert!(r.allowed(&u("https://kommun.se/efter-gransen")));
        assert_eq!(r.raw().unwrap().len(), ROBOTS_MAX_BYTES);
    }

    #[test]
    fn garbage_allows_all() {
        let r = RobotsRules::from_response(200, &[0xff, 0xfe, 0x00, 0x80, b'<', b'h'], &base());
        assert!(r.allowed(&u("https://kommun.se/x")));
    }

    #[test]
    fn swedish_descriptions_and_json() {
        let s = RobotsStatus::Unreachable {
            reason: "HTTP 500".into(),
        };
        assert!(s.describe_sv().contains("kunde inte hämtas"));
        assert_eq!(
            serde_json::to_string(&RobotsStatus::Missing { http_status: 404 }).unwrap(),
            r#"{"kind":"missing","http_status":404}"#
        );
    }

    #[tokio::test]
    async fn cache_fetches_once() {
        let cache = RobotsCache::new();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            let r = cache
                .get_or_fetch("https://kommun.se:443", || async {
                    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    RobotsRules::missing(404)
                })
                .await;
            assert!(r.allowed(&u("https://kommun.se/x")));
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(cache.cached("https://kommun.se:443").is_some());
        assert!(cache.cached("https://annan.se:443").is_none());
    }
}
