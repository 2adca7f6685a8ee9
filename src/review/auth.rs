//! Sessions, CSRF tokens and the login rate limit, all in memory (a
//! restart logs everybody out).
//!
//! - A session is a random 256-bit token in the cookie
//!   `infokoll_session` (`HttpOnly; SameSite=Strict; Path=/`, plus
//!   `Secure` with `--secure-cookies`). The login form gets an anonymous
//!   session so that the login itself is CSRF-protected; a successful
//!   login replaces it with a new token (no session fixation).
//! - Every session has its own synchroniser token; every POST must send it
//!   as `csrf_token`, compared in constant time.
//! - [`LoginLimiter`]: at most [`MAX_FAILURES`] failed logins per
//!   [`WINDOW`] per user name and per client address; more get `429`.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};

use super::ReviewError;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "infokoll_session";

/// How long a logged-in session lives.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// How long an anonymous (login form) session lives.
const ANON_TTL: Duration = Duration::from_secs(3600);

/// Sessions kept at most; beyond this the anonymous ones are dropped.
const MAX_SESSIONS: usize = 10_000;

/// Failed logins allowed per key within [`WINDOW`].
pub(crate) const MAX_FAILURES: usize = 5;

/// The rate limit's window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// One session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The reviewer, `None` before login.
    pub(crate) reviewer: Option<String>,
    /// The synchroniser token.
    pub(crate) csrf: String,
    expires: Instant,
}

/// All sessions by token.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
}

impl Sessions {
    /// Creates a session; returns its token and the session.
    pub(crate) fn create(
        &mut self,
        reviewer: Option<String>,
    ) -> Result<(String, Session), ReviewError> {
        let now = Instant::now();
        if self.map.len() >= MAX_SESSIONS {
            self.map.retain(|_, s| s.expires > now);
            if self.map.len() >= MAX_SESSIONS {
                self.map.retain(|_, s| s.reviewer.is_some());
            }
        }
        let ttl = if reviewer.is_some() {
            SESSION_TTL
        } else {
            ANON_TTL
        };
        let session = Session {
            reviewer,
            csrf: random_token()?,
            expires: now + ttl,
        };
        let token = random_token()?;
        self.map.insert(token.clone(), session.clone());
        Ok((token, session))
    }

    /// The live session of a token (an expired one is removed).
    pub(crate) fn get(&mut self, token: &str) -> Option<Session> {
        let now = Instant::now();
        match self.map.get(token) {
            Some(s) if s.expires > now => Some(s.clone()),
            Some(_) => {
                self.map.remove(token);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub(crate) fn remove(&mut self, token: &str) {
        self.map.remove(token);
    }
}

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
    fn sessions_and_tokens() {
        let mut sessions = Sessions::default();
        let (token, session) = sessions.create(Some("anna".into())).unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(token, session.csrf);
        assert_eq!(
            sessions.get(&token).unwrap().reviewer.as_deref(),
            Some("anna")
        );
        sessions.remove(&token);
        assert!(sessions.get(&token).is_none());
        assert!(tokens_match(&session.csrf, &session.csrf.clone()));
        assert!(!tokens_match(&session.csrf, &token));
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
