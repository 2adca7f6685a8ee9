//! `infokoll bench`: benchmarks that print figures (no timed tests).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use super::{load_rules, Failure};
use crate::detect::{detect, PageContext};

/// `bench detect`: extraction + detection over a directory of HTML pages, on one core.
pub(crate) fn detect_throughput(
    pages: &Path,
    repeat: usize,
    rules_dir: Option<&PathBuf>,
) -> Result<u8, Failure> {
    let rules = load_rules(rules_dir)?;
    let mut bodies = Vec::new();
    let entries = super::local::html_files(&[pages.to_path_buf()])?;
    for p in &entries {
        bodies.push(std::fs::read(p).with_context(|| format!("kan inte läsa {}", p.display()))?);
    }
    if bodies.is_empty() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "inga HTML-filer i {}",
            pages.display()
        )));
    }
    let url = url::Url::parse("http://www.exempel.se/omsorg/hemtjanst/")?;
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    // Warm-up pass, then the measured passes (single thread).
    let mut findings = 0usize;
    for b in &bodies {
        let doc = crate::extract::parse_html(&url, b, None);
        findings += detect(&rules, &doc, &PageContext::default()).len();
    }
    let mut extract_secs = 0.0;
    let mut detect_secs = 0.0;
    for _ in 0..repeat {
        for b in &bodies {
            let t0 = Instant::now();
            let doc = crate::extract::parse_html(&url, b, None);
            let t1 = Instant::now();
            let f = detect(&rules, &doc, &PageContext::default());
            detect_secs += t1.elapsed().as_secs_f64();
            extract_secs += (t1 - t0).as_secs_f64();
            std::hint::black_box(f);
        }
    }
    let n = (bodies.len() * repeat) as f64;
    let mb = (bytes * repeat) as f64 / 1_000_000.0;
    let total = extract_secs + detect_secs;
    println!(
        "detect-benchmark: {} sidor × {repeat} varv, {:.2} MB HTML per varv, {} regler",
        bodies.len(),
        bytes as f64 / 1e6,
        rules.rules.len()
    );
    println!(
        "  extrahering + detektering: {:.0} sidor/s, {:.2} MB/s ({:.3} ms/sida)",
        n / total,
        mb / total,
        total * 1000.0 / n
    );
    println!(
        "  varav extrahering:         {:.0} sidor/s, {:.2} MB/s",
        n / extract_secs,
        mb / extract_secs
    );
    println!(
        "  varav detektering:         {:.0} sidor/s, {:.2} MB/s",
        n / detect_secs,
        mb / detect_secs
    );
    println!("  (fynd per varv: {findings}; en tråd)");
    Ok(0)
}

/// Options of `bench audit`.
#[derive(Debug, Clone)]
pub(crate) struct AuditBench {
    pub(crate) rate: f64,
    pub(crate) pages_min: usize,
    pub(crate) pages_max: usize,
    pub(crate) seed: u64,
    pub(crate) concurrency: usize,
    pub(crate) limit: Option<usize>,
    pub(crate) read_all: bool,
}

/// CPU seconds (user + system) of this process, from `/proc/self/stat`.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks; 100 per second on Linux.
    Some((utime + stime) / 100.0)
}

/// Peak resident set size of this process in MiB, from `/proc/self/status`.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `bench audit`: the full audit of the farm, the fixture server in a child process.
pub(crate) fn audit(opts: &AuditBench) -> Result<u8, Failure> {
    use std::io::BufRead as _;
    let rules = load_rules(None)?;
    let registry = crate::registry::Registry::builtin();
    // The farm itself is generated in the server's process, so that neither
    // its memory nor its CPU is counted here; only the start URLs are needed.
    let municipalities: Vec<_> = registry
        .all()
        .iter()
        .filter_map(|m| {
            let mut m = m.clone();
            m.homepage = crate::farm::start_url(&m)?;
            Some(m)
        })
        .take(opts.limit.unwrap_or(usize::MAX))
        .collect();
    // The server runs in its own process so that its CPU and memory are not counted.
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .args([
            "serve-farm",
            "--seed",
            &opts.seed.to_string(),
            "--pages-min",
            &opts.pages_min.to_string(),
            "--pages-max",
            &opts.pages_max.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut first = String::new();
    if let Some(out) = child.stdout.as_mut() {
        std::io::BufReader::new(out).read_line(&mut first)?;
    }
    let addr = first.trim().rsplit(' ').next().unwrap_or("").to_owned();
    let proxy = url::Url::parse(&format!("http://{addr}/"))
        .map_err(|e| anyhow::anyhow!("servern startade inte ({first:?}): {e}"))?;
    let tmp = std::env::temp_dir().join(format!("infokoll-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let cfg = crate::audit::AuditConfig {
        out: tmp.clone(),
        year: 2026,
        municipalities,
        fetch: crate::fetch::FetchConfig {
            rate: opts.rate,
            proxy: Some(proxy),
            timeout: std::time::Duration::from_secs(5),
            ..crate::fetch::FetchConfig::default()
        },
        crawl: crate::crawl::CrawlConfig {
            stop_early: !opts.read_all,
            ..crate::crawl::CrawlConfig::default()
        },
        concurrency: opts.concurrency,
        quiet: true,
        previous: None,
    };
    let cpu0 = cpu_seconds().unwrap_or(0.0);
    let rt = super::runtime()?;
    let t0 = Instant::now();
    let summary = rt.block_on(crate::audit::run_audit(
        &cfg,
        &rules,
        std::future::pending::<()>(),
    ));
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(0.0) - cpu0;
    let _ = child.kill();
    let _ = child.wait();
    let summary = summary.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Read before anything else is built in this process.
    let peak_rss = peak_rss_mib().unwrap_or(0.0);
    // The politeness bound: no host can be done before its requests, each
    // one interval (or Crawl-delay, or Retry-After wait) after the last.
    let busiest = summary.busiest_hosts.first();
    let bound = busiest.map_or(0.0, |h| h.bound_seconds);
    let pages = summary.network_fetches.max(1);
    let store = crate::store::Store::open_readonly(tmp.join(crate::store::FILE_NAME))?;
    let states = store.municipality_states(crate::store::RunId(summary.run))?;
    drop(store);
    let per_site: Vec<u32> = states.iter().filter_map(|s| s.pages_fetched).collect();
    let mut ends: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for s in &states {
        let end = s
            .crawl_end
            .as_deref()
            .and_then(crate::crawl::CrawlEnd::from_code)
            .map_or("okänt", crate::crawl::CrawlEnd::describe_sv);
        *ends.entry(end.to_owned()).or_insert(0) += 1;
    }
    println!("audit-benchmark: {} kommuner, {} sidor hämtade, {} förfrågningar, takt {} /s per värd, {} samtidiga", summary.total, summary.network_fetches, summary.requests, opts.rate, opts.concurrency);
    println!("  väggtid:            {wall:.1} s");
    match busiest {
        Some(h) => println!(
            "  artighetsgräns:     {bound:.1} s (mest belastade värden {}: {} förfrågningar)",
            h.host, h.requests
        ),
        None => println!("  artighetsgräns:     – (inga förfrågningar)"),
    }
    for h in summary.busiest_hosts.iter().skip(1).take(2) {
        println!(
            "                      därefter {}: {:.1} s, {} förfrågningar",
            h.host, h.bound_seconds, h.requests
        );
    }
    println!(
        "  kvot väggtid/gräns: {:.3} (mål ≤ 1.1)",
        wall / bound.max(0.001)
    );
    println!(
        "  CPU-tid:            {cpu:.2} s, {:.3} ms per sida (mål < 2 ms)",
        cpu * 1000.0 / pages as f64
    );
    println!("  högsta RSS:         {peak_rss:.0} MiB (mål ≤ 200 MiB)");
    let n = per_site.len().max(1);
    println!(
        "  sidor per kommun:   medel {:.1}, högst {}",
        per_site.iter().map(|&p| f64::from(p)).sum::<f64>() / n as f64,
        per_site.iter().max().copied().unwrap_or(0)
    );
    for (end, count) in &ends {
        println!("    {end}: {count} kommuner");
    }
    // The truth: the same farm, generated here only now that the figures
    // above are taken.
    let farm = crate::farm::generate(
        &registry,
        opts.seed,
        &crate::farm::FarmOptions {
            pages_min: opts.pages_min,
            pages_max: opts.pages_max,
            faults: false,
            ..crate::farm::FarmOptions::default()
        },
    );
    let (per_item, status_right) = super::farm_demo::agreement(&tmp, &farm)?;
    let (right, total) = per_item
        .values()
        .fold((0, 0), |(a, b), (r, t)| (a + r, b + t));
    println!(
        "  facit:              {right} av {total} bedömningar stämmer; rätt status för {status_right} av {} kommuner",
        summary.total
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(0)
}
