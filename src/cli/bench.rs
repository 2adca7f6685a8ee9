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
    let mut entries: Vec<PathBuf> = std::fs::read_dir(pages)
        .with_context(|| format!("kan inte läsa {}", pages.display()))
        .map_err(Failure::bad_input)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"))
        .collect();
    entries.sort();
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
