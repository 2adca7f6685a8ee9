//! Per-host politeness: one request in flight per host, spaced by a rate.
//!
//! Every HTTP request of the process — robots.txt included — first takes a
//! [`HostPermit`] from the [`HostPool`]. A host's [`HostGate`] combines:
//!
//! - a semaphore of one permit: never two requests in flight to one host;
//! - a `governor` rate limiter (burst 1, period = 1/rate): request *starts*
//!   are at least one period apart;
//! - a minimum interval from robots.txt `Crawl-delay`, which can only make
//!   the spacing longer;
//! - a "not before" instant set from `Retry-After` answers.
//!
//! Hosts are keyed by origin (`scheme://host:port`, see [`host_key`]), so
//! different hosts proceed in parallel.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// The origin key of a URL: `scheme://host:port` (port made explicit).
///
/// Returns `None` for URLs without a host or without a known port.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!(
        "{}://{}:{port}",
        url.scheme(),
        host.to_ascii_lowercase()
    ))
}

/// Shared registry of [`HostGate`]s, one per host key, created on first use.
///
/// Cheap to clone: clones share the same gates.
#[derive(Clone)]
pub struct HostPool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    period: Option<Duration>,
    gates: Mutex<HashMap<String, Arc<HostGate>>>,
}

impl std::fmt::Debug for HostPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPool")
            .field("period", &self.inner.period)
            .finish_non_exhaustive()
    }
}

impl HostPool {
    /// A pool allowing `rate` request starts per second per host.
    ///
    /// A rate that is not a positive finite number, or so small that its
    /// period does not fit in a [`Duration`], disables the rate limiter (the
    /// one-in-flight rule and crawl delays still apply); callers validate
    /// the rate first (see `Fetcher::new`).
    pub fn new(rate: f64) -> Self {
        Self {
            inner: Arc::new(PoolInner {
                period: rate_period(rate),
                gates: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The gate of a host key, created on first use.
    pub fn gate(&self, key: &str) -> Arc<HostGate> {
        let mut gates = self
            .inner
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            gates
                .entry(key.to_owned())
                .or_insert_with(|| Arc::new(HostGate::new(self.inner.period))),
        )
    }

    /// Waits until a request to `key` may start; hold the permit until the
    /// response body has been read.
    pub async fn acquire(&self, key: &str) -> HostPermit {
        self.gate(key).acquire().await
    }

    /// Sets the robots.txt crawl delay of a host: later starts are at least
    /// `delay` apart (on top of the rate).
    pub fn set_crawl_delay(&self, key: &str, delay: Duration) {
        self.gate(key).set_crawl_delay(delay);
    }

    /// No request to `key` starts before `until` (Retry-After). An earlier
    /// instant than one already set is ignored.
    pub fn back_off_until(&self, key: &str, until: Instant) {
        self.gate(key).back_off_until(until);
    }

    /// What every host was asked so far: its requests and the least time
    /// its politeness rules allow for them ([`HostLoad`]), busiest first.
    pub fn loads(&self) -> Vec<HostLoad> {
        let gates = self
            .inner
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut loads: Vec<HostLoad> = gates
            .iter()
            .map(|(key, gate)| {
                let acc = lock(&gate.account);
                HostLoad {
                    host: key.clone(),
                    requests: acc.requests,
                    bound_seconds: acc.bound.as_secs_f64(),
                }
            })
            .collect();
        loads.sort_by(|a, b| b.bound_seconds.total_cmp(&a.bound_seconds));
        loads
    }

    /// Number of hosts seen so far.
    pub fn hosts(&self) -> usize {
        self.inner
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The period between request starts for a rate, if the rate is usable.
fn rate_period(rate: f64) -> Option<Duration> {
    if !(rate.is_finite() && rate > 0.0) {
        return None;
    }
    Duration::try_from_secs_f64(1.0 / rate)
        .ok()
        .filter(|d| !d.is_zero())
}

/// The politeness load of one host: how many requests it was sent and the
/// least wall time the rules allow for them — the sum, over its requests
/// after the first, of the interval then in force (1 / rate, or the
/// robots.txt Crawl-delay when longer), stretched where a Retry-After
/// answer put the next start later still. No crawl can finish before its
/// busiest host's bound.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HostLoad {
    /// The host key (`scheme://host:port`).
    pub host: String,
    /// Requests started.
    pub requests: u64,
    /// The least time these requests take under the host's rules, in seconds.
    pub bound_seconds: f64,
}

/// Running totals behind a [`HostLoad`].
#[derive(Debug, Default)]
struct Account {
    requests: u64,
    bound: Duration,
    /// The earliest start the rules allowed for the last request.
    last_allowed: Option<Instant>,
}

/// Politeness state of one host. Obtained from [`HostPool::gate`].
pub struct HostGate {
    in_flight: Arc<Semaphore>,
    limiter: Option<DefaultDirectRateLimiter>,
    not_before: Mutex<Option<Instant>>,
    min_interval: Mutex<Duration>,
    last_start: Mutex<Option<Instant>>,
    /// The configured interval between requests (1 / rate).
    period: Duration,
    /// When the last request finished (its permit was dropped).
    last_done: Arc<Mutex<Option<Instant>>>,
    /// Requests and their politeness bound, for [`HostPool::loads`].
    account: Mutex<Account>,
}

impl std::fmt::Debug for HostGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostGate")
            .field("rate_limited", &self.limiter.is_some())
            .field("min_interval", &*lock(&self.min_interval))
            .field("not_before", &*lock(&self.not_before))
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HostGate {
    fn new(period: Option<Duration>) -> Self {
        let limiter = period
            .and_then(Quota::with_period)
            .map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN)));
        Self {
            in_flight: Arc::new(Semaphore::new(1)),
            limiter,
            not_before: Mutex::new(None),
            min_interval: Mutex::new(Duration::ZERO),
            last_start: Mutex::new(None),
            period: period.unwrap_or(Duration::ZERO),
            last_done: Arc::new(Mutex::new(None)),
            account: Mutex::new(Account::default()),
        }
    }

    /// Waits for the host's single in-flight slot, then for any Retry-After
    /// backoff, then for the crawl-delay spacing, then for the rate limiter,
    /// and records the start.
    pub async fn acquire(&self) -> HostPermit {
        // The semaphore is never closed; if it were, proceed unguarded
        // rather than hang.
        let permit = Arc::clone(&self.in_flight).acquire_owned().await.ok();
        let not_before = *lock(&self.not_before);
        self.account(not_before);
        if let Some(t) = not_before {
            sleep_until(t).await;
        }
        let spacing = {
            let last = *lock(&self.last_start);
            let min = *lock(&self.min_interval);
            last.map(|l| l + min)
        };
        if let Some(t) = spacing {
            sleep_until(t).await;
        }
        // The interval also runs from the end of the previous request, so
        // the server never sees two requests closer than the interval, however
        // long the previous one took to arrive.
        let after_done = {
            let done = *lock(&self.last_done);
            let gap = self.period.max(*lock(&self.min_interval));
            done.map(|d| d + gap)
        };
        if let Some(t) = after_done {
            sleep_until(t).await;
        }
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        let started = Instant::now();
        *lock(&self.last_start) = Some(started);
        HostPermit {
            _permit: permit,
            started,
            last_done: Arc::clone(&self.last_done),
        }
    }

    /// Adds one request to the host's account: the rules' interval after
    /// the previous allowed start, or the Retry-After instant when later.
    fn account(&self, not_before: Option<Instant>) {
        let gap = self.period.max(*lock(&self.min_interval));
        let mut acc = lock(&self.account);
        acc.requests += 1;
        // The first request may start now; each later one an interval after
        // the previous allowed start; Retry-After can only push it later.
        let (from, earliest) = acc.last_allowed.map_or_else(
            || {
                let now = Instant::now();
                (now, now)
            },
            |prev| (prev, prev + gap),
        );
        let allowed = not_before.map_or(earliest, |nb| nb.max(earliest));
        acc.bound += allowed - from;
        acc.last_allowed = Some(allowed);
    }

    /// Sets the minimum interval between request starts (robots.txt
    /// Crawl-delay). Replaces any earlier value.
    pub fn set_crawl_delay(&self, delay: Duration) {
        *lock(&self.min_interval) = delay;
    }

    /// The current crawl delay (zero when none).
    pub fn crawl_delay(&self) -> Duration {
        *lock(&self.min_interval)
    }

    /// Postpones the next start to at least `until`; never shortens an
    /// existing backoff.
    pub fn back_off_until(&self, until: Instant) {
        let mut nb = lock(&self.not_before);
        if nb.is_none_or(|t| t < until) {
            *nb = Some(until);
        }
    }
}

async fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        tokio::time::sleep(t - now).await;
    }
}

/// Proof that a request to a host may run. Dropping it frees the host for
/// the next request, which waits at least the interval from that moment.
#[derive(Debug)]
pub struct HostPermit {
    _permit: Option<OwnedSemaphorePermit>,
    started: Instant,
    last_done: Arc<Mutex<Option<Instant>>>,
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        *lock(&self.last_done) = Some(Instant::now());
    }
}

impl HostPermit {
    /// When the request was allowed to start.
    pub fn started(&self) -> Instant {
        self.started
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const TOLERANCE: Duration = Duration::from_millis(5);

    fn min_gap(starts: &mut [Instant]) -> Duration {
        starts.sort();
        starts
            .windows(2)
            .map(|w| w[1] - w[0])
            .min()
            .unwrap_or(Duration::MAX)
    }

    #[tokio::test]
    async fn loads_count_intervals_and_backoff() {
        let pool = HostPool::new(20.0); // 50 ms apart
        for _ in 0..3 {
            drop(pool.acquire("http://a:80").await);
        }
        pool.back_off_until("http://a:80", Instant::now() + Duration::from_millis(200));
        drop(pool.acquire("http://a:80").await);
        drop(pool.acquire("http://b:80").await);
        let loads = pool.loads();
        assert_eq!(loads[0].host, "http://a:80");
        assert_eq!(loads[0].requests, 4);
        // Two gaps of 50 ms, then the Retry-After wait of about 200 ms.
        assert!(
            loads[0].bound_seconds >= 0.29 && loads[0].bound_seconds < 0.4,
            "{loads:?}"
        );
        assert_eq!(loads[1].requests, 1);
    }

    #[test]
    fn host_key_makes_port_explicit() {
        let u = Url::parse("https://Example.se/a?b").unwrap();
        assert_eq!(host_key(&u).unwrap(), "https://example.se:443");
        let u = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(host_key(&u).unwrap(), "http://127.0.0.1:8080");
        assert!(host_key(&Url::parse("data:text/plain,x").unwrap()).is_none());
    }

    #[test]
    fn rate_periods() {
        assert_eq!(rate_period(0.5), Some(Duration::from_secs(2)));
        assert_eq!(rate_period(50.0), Some(Duration::from_millis(20)));
        assert_eq!(rate_period(0.0), None);
        assert_eq!(rate_period(-1.0), None);
        assert_eq!(rate_period(f64::NAN), None);
        assert_eq!(rate_period(f64::INFINITY), None);
        assert_eq!(rate_period(1e-300), None);
    }

    #[tokio::test]
    async fn sequential_starts_are_spaced_by_rate() {
        let pool = HostPool::new(20.0);
        let mut starts = Vec::new();
        for _ in 0..5 {
            let p = pool.acquire("http://a:80").await;
            starts.push(p.started());
        }
        assert!(min_gap(&mut starts) + TOLERANCE >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn concurrent_tasks_on_one_host_never_overlap() {
        let pool = HostPool::new(50.0);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_seen = Arc::new(AtomicUsize::new(0));
        let starts = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (pool, in_flight, max_seen, starts) = (
                pool.clone(),
                Arc::clone(&in_flight),
                Arc::clone(&max_seen),
                Arc::clone(&starts),
            );
            tasks.push(tokio::spawn(async move {
                let p = pool.acquire("http://a:80").await;
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, Ordering::SeqCst);
                starts.lock().unwrap().push(p.started());
                tokio::time::sleep(Duration::from_millis(5)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                drop(p);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(max_seen.load(Ordering::SeqCst), 1);
        let mut starts = starts.lock().unwrap().clone();
        assert_eq!(starts.len(), 10);
        assert!(min_gap(&mut starts) + TOLERANCE >= Duration::from_millis(20));
    }

    #[tokio::test]
    async fn different_hosts_run_in_parallel() {
        let pool = HostPool::new(1.0);
        // Use up the first cell of both hosts.
        drop(pool.acquire("http://a:80").await);
        drop(pool.acquire("http://b:80").await);
        let t0 = Instant::now();
        let (a, b) = tokio::join!(pool.acquire("http://a:80"), pool.acquire("http://b:80"));
        let elapsed = t0.elapsed();
        // Both waited ~1 s, but in parallel, not 2 s in sequence.
        assert!(elapsed < Duration::from_millis(1600), "{elapsed:?}");
        let gap = if a.started() > b.started() {
            a.started() - b.started()
        } else {
            b.started() - a.started()
        };
        assert!(gap < Duration::from_millis(300), "{gap:?}");
        assert_eq!(pool.hosts(), 2);
    }

    #[tokio::test]
    async fn held_permit_blocks_same_host_only() {
        let pool = HostPool::new(f64::INFINITY);
        let held = pool.acquire("http://a:80").await;
        let other = tokio::time::timeout(Duration::from_millis(200), pool.acquire("http://b:80"));
        assert!(other.await.is_ok());
        let same = tokio::time::timeout(Duration::from_millis(100), pool.acquire("http://a:80"));
        assert!(same.await.is_err());
        drop(held);
        let same = tokio::time::timeout(Duration::from_millis(200), pool.acquire("http://a:80"));
        assert!(same.await.is_ok());
    }

    #[tokio::test]
    async fn crawl_delay_lengthens_spacing() {
        let pool = HostPool::new(50.0);
        pool.set_crawl_delay("http://a:80", Duration::from_millis(150));
        let mut starts = Vec::new();
        for _ in 0..3 {
            starts.push(pool.acquire("http://a:80").await.started());
        }
        assert!(min_gap(&mut starts) + TOLERANCE >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn backoff_delays_next_start_and_never_shrinks() {
        let pool = HostPool::new(50.0);
        drop(pool.acquire("http://a:80").await);
        let until = Instant::now() + Duration::from_millis(200);
        pool.back_off_until("http://a:80", until);
        pool.back_off_until("http://a:80", Instant::now());
        let p = pool.acquire("http://a:80").await;
        assert!(p.started() + TOLERANCE >= until);
    }
}
