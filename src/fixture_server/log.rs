//! The request log of a fixture server: one record per request, stamped on
//! arrival, so tests can assert on order and politeness.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

use super::FixtureError;

/// Status recorded for requests that got no answer (connection dropped by a
/// `close` route, or the client gave up while the server was waiting).
pub const STATUS_NO_ANSWER: u16 = 0;

/// One request as seen by the fixture server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// Arrival time since the server started (monotonic). Serialized as
    /// `at_ms`, fractional milliseconds.
    #[serde(rename = "at_ms", serialize_with = "duration_ms")]
    pub at: Duration,
    /// Arrival time, milliseconds since the Unix epoch.
    pub unix_ms: u128,
    /// HTTP method (`GET`, `HEAD`, `CONNECT`, …).
    pub method: String,
    /// Lower-case host without port.
    pub host: String,
    /// Path and query as sent (for CONNECT: the authority).
    pub target: String,
    /// The `User-Agent` header, when sent.
    pub user_agent: Option<String>,
    /// Status answered, or [`STATUS_NO_ANSWER`].
    pub status: u16,
    /// Whether the request came in proxy form (absolute URI or CONNECT).
    pub proxied: bool,
}

fn duration_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Thread-safe, append-only (until cleared) request log.
#[derive(Debug)]
pub struct RequestLog {
    start: Instant,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    records: Vec<(u64, RequestRecord)>,
}

impl Default for RequestLog {
    fn default() -> Self {
        RequestLog::new()
    }
}

impl RequestLog {
    /// An empty log whose clock starts now.
    pub fn new() -> RequestLog {
        RequestLog {
            start: Instant::now(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Appends a record stamped now; returns an id for [`RequestLog::set_status`].
    pub(crate) fn arrive(
        &self,
        method: String,
        host: String,
        target: String,
        user_agent: Option<String>,
        proxied: bool,
    ) -> u64 {
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let record = RequestRecord {
            at: self.start.elapsed(),
            unix_ms,
            method,
            host,
            target,
            user_agent,
            status: STATUS_NO_ANSWER,
            proxied,
        };
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.records.push((id, record));
        id
    }

    /// Sets the status of a record (no-op when it was cleared meanwhile).
    pub(crate) fn set_status(&self, id: u64, status: u16) {
        let mut inner = self.lock();
        if let Some((_, r)) = inner.records.iter_mut().rev().find(|(i, _)| *i == id) {
            r.status = status;
        }
    }

    /// A copy of all records in arrival order.
    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().records.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Forgets all records (the clock keeps running).
    pub fn clear(&self) {
        self.lock().records.clear();
    }

    /// Smallest gap between two consecutive request arrivals, per host.
    /// Hosts with fewer than two requests are left out.
    pub fn min_gap_per_host(records: &[RequestRecord]) -> HashMap<String, Duration> {
        let mut by_host: HashMap<&str, Vec<Duration>> = HashMap::new();
        for r in records {
            by_host.entry(r.host.as_str()).or_default().push(r.at);
        }
        let mut out = HashMap::new();
        for (host, mut times) in by_host {
            times.sort_unstable();
            if let Some(min) = times.windows(2).map(|w| w[1].saturating_sub(w[0])).min() {
                out.insert(host.to_owned(), min);
            }
        }
        out
    }

    /// Writes records as JSON lines.
    pub fn write_jsonl(records: &[RequestRecord], path: &Path) -> Result<(), FixtureError> {
        let file = std::fs::File::create(path).map_err(|e| FixtureError::io(path, e))?;
        let mut w = std::io::BufWriter::new(file);
        for r in records {
            let line = serde_json::to_string(r).map_err(|e| {
                FixtureError::io(
                    path,
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                )
            })?;
            writeln!(w, "{line}").map_err(|e| FixtureError::io(path, e))?;
        }
        w.flush().map_err(|e| FixtureError::io(path, e))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rec(host: &str, ms: u64) -> RequestRecord {
        RequestRecord {
            at: Duration::from_millis(ms),
            unix_ms: 0,
            method: "GET".into(),
            host: host.into(),
            target: "/".into(),
            user_agent: None,
            status: 200,
            proxied: false,
        }
    }

    #[test]
    fn min_gap() {
        let recs = [rec("a", 0), rec("b", 5), rec("a", 300), rec("a", 100)];
        let gaps = RequestLog::min_gap_per_host(&recs);
        assert_eq!(gaps["a"], Duration::from_millis(100));
        assert!(!gaps.contains_key("b"));
    }

    #[test]
    fn arrive_status_clear_and_jsonl() {
        let log = RequestLog::new();
        let id = log.arrive(
            "GET".into(),
            "h".into(),
            "/x".into(),
            Some("ua".into()),
            true,
        );
        assert_eq!(log.snapshot()[0].status, STATUS_NO_ANSWER);
        log.set_status(id, 404);
        assert_eq!(log.snapshot()[0].status, 404);
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("log.jsonl");
        RequestLog::write_jsonl(&log.snapshot(), &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["target"], "/x");
        assert!(v["at_ms"].is_f64());
        log.clear();
        log.set_status(id, 500);
        assert!(log.snapshot().is_empty());
    }
}
