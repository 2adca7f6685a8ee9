//! Test helpers: the fixture server on loopback and the built binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use infokoll::fixture_server::truth::{dir_truths, Truth};
use infokoll::fixture_server::{FixtureServer, RequestRecord, Sites};

/// The fixture sites of the source tree.
pub(crate) fn sites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sites")
}

/// The fixture server on 127.0.0.1, with the runtime that drives it.
pub(crate) struct Server {
    server: Option<FixtureServer>,
    rt: tokio::runtime::Runtime,
}

impl Server {
    /// Serves `fixtures/sites` on a free loopback port.
    pub(crate) fn start() -> Self {
        Self::start_with(Sites::from_dir(&sites_dir()).unwrap())
    }

    /// Serves the given sites on a free loopback port.
    pub(crate) fn start_with(sites: Sites) -> Self {
        Self::start_on(sites, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves the given sites on `addr`.
    pub(crate) fn start_on(sites: Sites, addr: std::net::SocketAddr) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(FixtureServer::start_on(sites, addr)).unwrap();
        Self {
            server: Some(server),
            rt,
        }
    }

    fn inner(&self) -> &FixtureServer {
        self.server.as_ref().unwrap()
    }

    /// The proxy URL to pass as `--proxy`.
    pub(crate) fn proxy(&self) -> String {
        self.inner().proxy_url().to_string()
    }

    /// Forgets the requests logged so far.
    pub(crate) fn clear_log(&self) {
        self.inner().clear_log();
    }

    /// Every request the server saw so far.
    pub(crate) fn log(&self) -> Vec<RequestRecord> {
        self.inner().log()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

/// Runs the built `infokoll` binary.
pub(crate) fn infokoll(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .unwrap()
}

/// `infokoll check URL --format json` through the fixture server; returns exit code and JSON.
pub(crate) fn check_json(server: &Server, url: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let proxy = server.proxy();
    let mut args = vec!["check", url, "--format", "json", "--proxy", &proxy];
    args.extend_from_slice(extra);
    let out = infokoll(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON from check {url}: {e}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// The municipality fixture sites with their truth, by host.
pub(crate) fn municipality_truths() -> Vec<(String, Truth)> {
    dir_truths(&sites_dir())
        .into_iter()
        .map(|(h, t)| (h, t.unwrap()))
        .filter(|(_, t)| t.is_municipality())
        .collect()
}

/// Asserts that no two requests to one host in `log` arrived closer than
/// `interval` (2 ms of timer slack allowed); returns how many pairs were checked.
pub(crate) fn assert_spacing(log: &[RequestRecord], interval: std::time::Duration) -> usize {
    let mut by_host: std::collections::HashMap<&str, Vec<std::time::Duration>> =
        std::collections::HashMap::new();
    for r in log {
        by_host.entry(r.host.as_str()).or_default().push(r.at);
    }
    let mut pairs = 0;
    for (host, mut times) in by_host {
        times.sort();
        for w in times.windows(2) {
            pairs += 1;
            let gap = w[1].saturating_sub(w[0]);
            assert!(
                gap + std::time::Duration::from_millis(2) >= interval,
                "{host}: two requests {gap:?} apart (interval {interval:?})"
            );
        }
    }
    pairs
}

/// Asserts that every request in `log` (robots.txt itself aside) was allowed by
/// its host's robots.txt, as given by `robots_txt(host)` (`None`: no robots.txt).
pub(crate) fn assert_robots_obeyed(
    log: &[RequestRecord],
    robots_txt: impl Fn(&str) -> Option<Vec<u8>>,
) {
    use infokoll::fetch::robots::RobotsRules;
    let mut robots: std::collections::HashMap<String, RobotsRules> =
        std::collections::HashMap::new();
    for r in log.iter().filter(|r| r.target != "/robots.txt") {
        let rules = robots.entry(r.host.clone()).or_insert_with(|| {
            let robots_url = url::Url::parse(&format!("http://{}/robots.txt", r.host)).unwrap();
            match robots_txt(&r.host) {
                Some(body) => RobotsRules::from_response(200, &body, &robots_url),
                None => RobotsRules::missing(404),
            }
        });
        let url = url::Url::parse(&format!("http://{}{}", r.host, r.target)).unwrap();
        assert!(rules.allowed(&url), "request to a disallowed URL: {url}");
    }
}

/// Waits (at most a minute) until the audit writing `log` has begun: its
/// Ctrl-C handler is in place and its run is in the store.
pub(crate) fn wait_for_audit_start(log: &std::path::Path) {
    let t0 = std::time::Instant::now();
    while !std::fs::read_to_string(log)
        .unwrap_or_default()
        .contains("audit started")
    {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(60),
            "the audit did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
