//! Session cookies, CSRF tokens and the login rate limit (the sessions
//! themselves are kept in the accounts file, see `sessions.rs`).
//!
//! - A session is a random 256-bit token in the cookie
//!   `infokoll_session` (`HttpOnly; SameSite=Strict; Path=/`, plus
//!   `Secure` with `--secure-cookies`). The login form gets an anonymous
//!   session so that the login itself is CSRF-protected; a successful
//!   login replaces it with a new token (no session fixation).
//! - Every session has its own synchroniser token; every POST must send it
//!   as `csrf_token`, compared in constant time.
//! - [`LoginLimiter`]: at most [`MAX_FAILURES`] failed logins per
//!   [`WINDOW`] per (user name, client address) pair and per client
//!   address; more get `429`. Keyed by the pair, not the name alone, so a
//!   stranger elsewhere cannot lock a reviewer out (issue 15).

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};

use super::ReviewError;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "infokoll_session";

/// How long a logged-in session lives.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// Keys kept at most by the limiter before old ones are dropped.
const MAX_SESSIONS: usize = 10_000;

/// Failed logins allowed per key within [`WINDOW`].
pub(crate) const MAX_FAILURES: usize = 5;

/// The rate limit's window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// 32 random bytes as 64 hex digits.
pub(crate) fn random_token() -> Result<String, ReviewError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ReviewError::Random(e.to_string()))?;
    let mut out = String::with_capacity(64);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    Ok(out)
}

/// Compares two tokens in time independent of where they differ.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session token from the request's `Cookie` headers.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value for a session token; `max_age` 0 deletes it.
pub(crate) fn cookie(token: &str, secure: bool, max_age: Duration) -> HeaderValue {
    let mut value = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        max_age.as_secs()
    );
    if secure {
        value.push_str("; Secure");
    }
    // Tokens are hex, so the value is always a valid header.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Failed login attempts per key (user name or client address).
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl LoginLimiter {
    /// `Some(wait)` when one of `keys` has used up its failures in the
    /// window; `wait` is how long until the oldest one expires.
    pub(crate) fn blocked(&mut self, keys: &[String], now: Instant) -> Option<Duration> {
        let mut wait: Option<Duration> = None;
        for key in keys {
            let Some(times) = self.failures.get_mut(key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                times.pop_front();
            }
            if times.len() >= MAX_FAILURES {
                if let Some(oldest) = times.front() {
                    let left = WINDOW.saturating_sub(now.duration_since(*oldest));
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        wait
    }

    /// Records a failed attempt for every key.
    pub(crate) fn record_failure(&mut self, keys: &[String], now: Instant) {
        if self.failures.len() > MAX_SESSIONS {
            self.failures
                .retain(|_, t| t.back().is_some_and(|b| now.duration_since(*b) < WINDOW));
        }
        for key in keys {
            let times = self.failures.entry(key.clone()).or_default();
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &random_token().unwrap()));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn cookie_parsing_and_flags() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE}={token}; y=2")).unwrap(),
        );
        assert_eq!(session_token(&headers), Some(token.clone()));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("infokoll_session=<script>"),
        );
        assert_eq!(session_token(&headers), None);
        let c = cookie(&token, true, SESSION_TTL);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(!cookie(&token, false, SESSION_TTL)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn limiter_blocks_after_five_failures_and_forgets() {
        let mut limiter = LoginLimiter::default();
        let keys = vec!["u:anna".to_owned(), "ip:127.0.0.1".to_owned()];
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            assert!(limiter.blocked(&keys, t0).is_none(), "attempt {i}");
            limiter.record_failure(&keys, t0);
        }
        assert!(limiter.blocked(&keys, t0).is_some());
        assert!(limiter.blocked(&["ip:127.0.0.1".to_owned()], t0).is_some());
        assert!(limiter.blocked(&["u:bo".to_owned()], t0).is_none());
        assert!(limiter.blocked(&keys, t0 + WINDOW).is_none());
    }
}
