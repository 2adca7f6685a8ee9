//! Fetching: polite HTTP for one URL at a time.
//!
//! `crawl` decides *what* to fetch; this module decides *when and how*.
//! Every request — robots.txt included — passes through the per-host gate
//! in [`politeness`], and no URL is fetched unless the host's robots.txt
//! ([`robots`]) allows it. Failures are values ([`FetchOutcome`]), never
//! panics, so one broken page never stops a crawl.
//!
//! # Architecture
//! - [`FetchConfig`]: user agent, rate, timeouts, limits, proxy
//! - [`Fetcher`]: reqwest client (rustls) + [`politeness::HostPool`] + [`robots::RobotsCache`]
//! - [`FetchedPage`] / [`FetchOutcome`]: what came back, redirect chain included

mod client;
pub mod politeness;
pub mod robots;

pub use client::{FetchError, Fetcher};

use std::time::Duration;

use serde::Serialize;
use url::Url;

/// Default User-Agent product token, also the token looked up in robots.txt.
pub const ROBOTS_TOKEN: &str = "infokoll";
/// Default contact URL sent in the User-Agent.
pub const DEFAULT_CONTACT: &str = "https://github.com/infokoll/infokoll";
/// Default per-host rate in requests per second.
pub const DEFAULT_RATE: f64 = 1.0;
/// Default timeout of one request (connect + headers + body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Default cap on one response body after decompression.
pub const DEFAULT_MAX_BODY: usize = 5 * 1024 * 1024;
/// Default number of redirects followed.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Longest `Retry-After` wait honoured; a longer one gives up on the URL.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How the fetcher behaves. Build with [`FetchConfig::default`] and adjust.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Full User-Agent header, e.g. `infokoll/0.1 (+https://…)`.
    pub user_agent: String,
    /// Requests per second per host (also bounded by robots.txt Crawl-delay).
    pub rate: f64,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Body size cap (bytes, after decompression); larger bodies are cut and marked.
    pub max_body: usize,
    /// Body size cap of a PDF (`application/pdf`); a PDF whose Content-Length
    /// is over it is not read at all (an empty body marked as cut).
    pub max_pdf_body: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Explicit proxy for all requests; `None` uses the standard proxy variables.
    pub proxy: Option<Url>,
    /// Retries of a 429/503 answer that carries an acceptable Retry-After.
    pub max_retries: u32,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: user_agent(DEFAULT_CONTACT),
            rate: DEFAULT_RATE,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            max_pdf_body: crate::pdf::DEFAULT_MAX_PDF_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            proxy: None,
            max_retries: 2,
        }
    }
}

/// The identifying User-Agent for a contact URL.
pub fn user_agent(contact: &str) -> String {
    format!(
        "{ROBOTS_TOKEN}/{} (+{contact}; hemtjanst information audit)",
        env!("CARGO_PKG_VERSION")
    )
}

/// What one fetch produced. Always returned, whatever happened.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedPage {
    /// The URL asked for.
    pub requested: Url,
    /// The URL of the last hop (equal to `requested` without redirects).
    pub final_url: Url,
    /// Every hop after the first, in order (empty without redirects).
    pub redirects: Vec<Url>,
    /// How it ended.
    pub outcome: FetchOutcome,
    /// Requests actually sent for this fetch (hops and retries; robots.txt not counted).
    pub requests: u32,
    /// When the fetch started.
    #[serde(skip)]
    pub fetched_at: std::time::SystemTime,
}

/// How a fetch ended.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FetchOutcome {
    /// A response with a body (any status, 2xx or not, after redirects).
    Response {
        /// HTTP status code.
        status: u16,
        /// The Content-Type header, if any.
        content_type: Option<String>,
        /// The body, decompressed, at most `max_body` bytes.
        #[serde(skip)]
        body: Vec<u8>,
        /// True when the body was cut at `max_body`.
        truncated: bool,
        /// ETag header, if any.
        etag: Option<String>,
        /// Last-Modified header, if any.
        last_modified: Option<String>,
        /// All response headers of the last hop, as received (names lowercase).
        #[serde(skip)]
        headers: Vec<(String, String)>,
    },
    /// robots.txt forbids this URL (or a redirect target).
    Disallowed {
        /// The URL robots.txt forbade.
        url: Url,
    },
    /// The redirect chain came back to a URL already visited.
    RedirectLoop,
    /// More than `max_redirects` hops.
    TooManyRedirects,
    /// The request timed out.
    Timeout,
    /// DNS, connection refused/reset, TLS or other transport failure.
    Transport {
        /// What went wrong, in English.
        reason: String,
    },
    /// A scheme other than http/https, or a URL without a host.
    Unsupported {
        /// What was wrong with the URL.
        reason: String,
    },
}

impl FetchOutcome {
    /// The HTTP status, when a response came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short Swedish description for reports ("HTTP 404", "tidsgräns överskreds" …).
    pub fn describe_sv(&self) -> String {
        match self {
            Self::Response {
                status,
                truncated: true,
                ..
            } => format!("HTTP {status} (avkortad vid storleksgränsen)"),
            Self::Response { status, .. } => format!("HTTP {status}"),
            Self::Disallowed { url } => format!("förbjuden av robots.txt ({url})"),
            Self::RedirectLoop => "omdirigeringsslinga".to_owned(),
            Self::TooManyRedirects => "för många omdirigeringar".to_owned(),
            Self::Timeout => "tidsgränsen överskreds".to_owned(),
            Self::Transport { reason } => format!("kunde inte ansluta ({reason})"),
            Self::Unsupported { reason } => format!("adressen stöds inte ({reason})"),
        }
    }
}
