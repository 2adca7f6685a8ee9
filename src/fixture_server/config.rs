//! Per-site behaviour of the fixture server, read from `<host>/_server.toml`.
//!
//! ```toml
//! charset = "iso-8859-1"      # optional: charset sent with text/html ("" = none)
//! [[route]]                    # any number; first match wins; checked before files
//! path = "/robots.txt"         # exact path+query, or a prefix when it ends with '*'
//! status = 500                 # default 200 with body, 302 with redirect
//! body = "text"                # optional body
//! content_type = "text/plain"  # optional; default from the path's extension
//! redirect = "/loop-b"         # optional Location
//! delay_ms = 3000              # optional wait before answering
//! retry_after = "1"            # optional Retry-After value
//! times = 1                    # optional: only the first N matching requests
//! headers = { "x-a" = "b" }    # optional extra headers
//! close = true                 # optional: drop the connection without answering
//! gzip_bomb_mb = 50            # optional: gzip body inflating to N MiB of "a"
//! size_mb = 50                 # optional: an N MiB text/html body
//! ```
//!
//! A route that sets none of `status`, `body`, `redirect`, `close`,
//! `gzip_bomb_mb`, `size_mb` is a *modifier*: its delay and headers are
//! applied to the normal file answer.

use std::collections::BTreeMap;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use serde::Deserialize;

/// Largest accepted `size_mb` / `gzip_bomb_mb` value.
pub const MAX_GENERATED_MB: u32 = 1024;

/// Behaviour of one fixture site (`_server.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Charset sent with `text/html`: `None` = `utf-8`, `Some("")` = no
    /// charset parameter at all.
    #[serde(default)]
    pub charset: Option<String>,
    /// Special answers, checked in order before the files (first match wins).
    #[serde(default, rename = "route")]
    pub routes: Vec<Route>,
}

/// One `[[route]]` of a `_server.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Exact path+query (`/a?b=1`), or a prefix when it ends with `*`.
    pub path: String,
    /// Status code; default 302 with `redirect`, else 200.
    #[serde(default)]
    pub status: Option<u16>,
    /// Response body (UTF-8).
    #[serde(default)]
    pub body: Option<String>,
    /// Content-Type; default chosen from the path's extension.
    #[serde(default)]
    pub content_type: Option<String>,
    /// `Location` header value.
    #[serde(default)]
    pub redirect: Option<String>,
    /// Wait this long before answering (or before dropping the connection).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// `Retry-After` header value.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Apply only to the first N matching requests, then fall through.
    #[serde(default)]
    pub times: Option<u32>,
    /// Extra response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Drop the connection (TCP reset) without answering.
    #[serde(default)]
    pub close: bool,
    /// Answer a gzip-encoded body that inflates to N MiB of `a`.
    #[serde(default)]
    pub gzip_bomb_mb: Option<u32>,
    /// Answer an N MiB `text/html` body.
    #[serde(default)]
    pub size_mb: Option<u32>,
}

impl SiteConfig {
    /// Parses and validates `_server.toml` text; `Err` is a human-readable
    /// message (the caller adds the file name).
    pub fn from_toml_str(text: &str) -> Result<SiteConfig, String> {
        let config: SiteConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: status codes, header syntax, conflicting
    /// body options.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(charset) = &self.charset {
            if HeaderValue::from_str(&format!("text/html; charset={charset}")).is_err() {
                return Err(format!("ogiltig charset {charset:?}"));
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            route
                .validate()
                .map_err(|e| format!("route nr {} ({}): {e}", i + 1, route.path))?;
        }
        Ok(())
    }
}

impl Route {
    /// Whether this route matches a request target (path+query, undecoded).
    pub fn matches(&self, target: &str) -> bool {
        match self.path.strip_suffix('*') {
            Some(prefix) => target.starts_with(prefix),
            None => target == self.path,
        }
    }

    /// Whether the route produces its own answer (otherwise it only adds
    /// delay and headers to the file answer).
    pub fn answers(&self) -> bool {
        self.status.is_some()
            || self.body.is_some()
            || self.redirect.is_some()
            || self.close
            || self.gzip_bomb_mb.is_some()
            || self.size_mb.is_some()
    }

    /// The status to send (defaults applied).
    pub fn effective_status(&self) -> u16 {
        self.status
            .unwrap_or(if self.redirect.is_some() { 302 } else { 200 })
    }

    /// Checks status, header syntax and conflicting options.
    pub fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') && self.path != "*" {
            return Err("path måste börja med '/'".to_owned());
        }
        let status = self.effective_status();
        if !(100..=999).contains(&status) || StatusCode::from_u16(status).is_err() {
            return Err(format!("ogiltig status {status}"));
        }
        let bodies = [
            self.body.is_some(),
            self.gzip_bomb_mb.is_some(),
            self.size_mb.is_some(),
        ];
        if bodies.iter().filter(|b| **b).count() > 1 {
            return Err("högst en av body, gzip_bomb_mb och size_mb".to_owned());
        }
        for mb in [self.gzip_bomb_mb, self.size_mb].into_iter().flatten() {
            if mb == 0 || mb > MAX_GENERATED_MB {
                return Err(format!("storlek {mb} MB utanför 1..={MAX_GENERATED_MB}"));
            }
        }
        for (name, value) in self.extra_headers_raw() {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("ogiltigt huvudnamn {name:?}"));
            }
            if HeaderValue::from_str(value).is_err() {
                return Err(format!("ogiltigt värde för {name}: {value:?}"));
            }
        }
        Ok(())
    }

    /// Header name/value pairs set by `content_type`, `redirect`,
    /// `retry_after` and `headers`, in that order.
    pub(crate) fn extra_headers_raw(&self) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        if let Some(ct) = &self.content_type {
            out.push(("content-type", ct.as_str()));
        }
        if let Some(loc) = &self.redirect {
            out.push(("location", loc.as_str()));
        }
        if let Some(ra) = &self.retry_after {
            out.push(("retry-after", ra.as_str()));
        }
        for (k, v) in &self.headers {
            out.push((k.as_str(), v.as_str()));
        }
        out
    }

    /// Parsed extra headers (invalid pairs are skipped; `validate` rejects
    /// them up front).
    pub(crate) fn extra_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        self.extra_headers_raw()
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    HeaderName::from_bytes(k.as_bytes()).ok()?,
                    HeaderValue::from_str(v).ok()?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_example() {
        let c = SiteConfig::from_toml_str(
            r#"
charset = "iso-8859-1"
[[route]]
path = "/robots.txt"
status = 500
body = "text"
content_type = "text/plain"
delay_ms = 10
retry_after = "1"
times = 1
headers = { "x-a" = "b" }
[[route]]
path = "/loop-a"
redirect = "/loop-b"
[[route]]
path = "/gone*"
close = true
[[route]]
path = "/big"
size_mb = 2
"#,
        )
        .unwrap();
        assert_eq!(c.charset.as_deref(), Some("iso-8859-1"));
        assert_eq!(c.routes.len(), 4);
        assert_eq!(c.routes[0].effective_status(), 500);
        assert_eq!(c.routes[1].effective_status(), 302);
        assert!(c.routes[2].matches("/gone/x?y"));
        assert!(!c.routes[1].matches("/loop-a?x"));
        assert_eq!(c.routes[0].extra_headers().len(), 3);
    }

    #[test]
    fn rejects_unknown_fields_and_bad_values() {
        assert!(SiteConfig::from_toml_str("charst = \"x\"").is_err());
        let bad = [
            "[[route]]\npath = \"/a\"\nstatus = 42",
            "[[route]]\npath = \"a\"",
            "[[route]]\npath = \"/a\"\nbody = \"x\"\nsize_mb = 1",
            "[[route]]\npath = \"/a\"\nsize_mb = 0",
            "[[route]]\npath = \"/a\"\nheaders = { \"bad name\" = \"x\" }",
            "[[route]]\npath = \"/a\"\nwhat = 1",
        ];
        for text in bad {
            assert!(SiteConfig::from_toml_str(text).is_err(), "{text}");
        }
    }

    #[test]
    fn modifier_routes_do_not_answer() {
        let r = Route {
            path: "/x".into(),
            delay_ms: Some(5),
            ..Route::default()
        };
        assert!(!r.answers());
        assert_eq!(r.effective_status(), 200);
    }
}
