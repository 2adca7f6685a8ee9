//! `infokoll demo`: the national audit on the synthetic farm of 290 sites.
//!
//! Generates a website for every municipality (deterministic from a seed,
//! with truth for every item), serves the farm on 127.0.0.1 through the
//! fixture server (as an HTTP proxy, so every site keeps its real host
//! name and nothing leaves the machine), runs the full audit against it,
//! and compares every verdict with the truth.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;

use super::audit::{log_to_file, print_summary};
use super::{load_rules, runtime, Failure, Format};
use crate::audit::{run_audit, AuditConfig};
use crate::crawl::CrawlConfig;
use crate::farm::{generate, Farm, FarmOptions};
use crate::fetch::FetchConfig;
use crate::fixture_server::FixtureServer;
use crate::registry::{Municipality, Registry};
use crate::store::{Store, FILE_NAME};

/// Marks a directory as made by `demo`, so a later demo may clear it.
const DEMO_MARKER: &str = ".infokoll-demo";

/// Options of the farm demo.
#[derive(Debug, Clone)]
pub(crate) struct FarmDemo {
    pub(crate) out: PathBuf,
    pub(crate) rate: f64,
    pub(crate) seed: u64,
    pub(crate) limit: Option<usize>,
    pub(crate) format: Format,
    pub(crate) concurrency: usize,
}

/// The registry's municipalities with the farm's (http) start URLs.
pub(crate) fn farm_municipalities(
    registry: &Registry,
    farm: &Farm,
    limit: Option<usize>,
) -> Vec<Municipality> {
    let starts: BTreeMap<&str, &url::Url> =
        farm.starts.iter().map(|(c, u)| (c.as_str(), u)).collect();
    registry
        .all()
        .iter()
        .filter_map(|m| {
            let start = starts.get(m.code.as_str())?;
            let mut m = m.clone();
            m.homepage = (*start).clone();
            Some(m)
        })
        .take(limit.unwrap_or(usize::MAX))
        .collect()
}

/// Clears a previous demo's directory (only one this command made).
fn prepare_out(out: &Path) -> Result<(), Failure> {
    if out.exists() {
        if !out.join(DEMO_MARKER).exists() {
            return Err(Failure::bad_input(anyhow!(
                "{} finns redan och är inte en demokatalog; välj en annan med --out",
                out.display()
            )));
        }
        std::fs::remove_dir_all(out)
            .map_err(|e| anyhow!("kan inte tömma {}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(out).map_err(|e| anyhow!("kan inte skapa {}: {e}", out.display()))?;
    std::fs::write(out.join(DEMO_MARKER), "skapad av infokoll demo\n")?;
    Ok(())
}

/// Item → (verdicts that agree with the truth, verdicts).
pub(crate) type Agreement = BTreeMap<String, (usize, usize)>;

/// Per-item agreement over all audited municipalities whose site could be
/// checked, and the number of municipalities whose site status is right.
pub(crate) fn agreement(out: &Path, farm: &Farm) -> Result<(Agreement, usize), Failure> {
    let store = Store::open_readonly(out.join(FILE_NAME))?;
    let run = store
        .latest_run()?
        .ok_or_else(|| anyhow!("ingen körning i {}", out.display()))?;
    let mut per_item = Agreement::new();
    let mut status_right = 0;
    for s in store.municipality_states(run.id)? {
        if let Some(t) = farm.truths.get(&s.municipality.code) {
            if s.site_status.as_deref() == Some(t.status.as_str()) {
                status_right += 1;
            }
        }
    }
    for (code, v) in store.verdicts(run.id)? {
        let Some(truth) = farm.truths.get(&code) else {
            continue;
        };
        if let Some(&want) = truth.items.get(&v.item) {
            let e = per_item.entry(v.item.clone()).or_insert((0, 0));
            e.1 += 1;
            if want == v.found {
                e.0 += 1;
            }
        }
    }
    Ok((per_item, status_right))
}

pub(crate) fn run(opts: &FarmDemo) -> Result<u8, Failure> {
    let rules = load_rules(None)?;
    let registry = Registry::builtin();
    let farm = generate(
        &registry,
        opts.seed,
        &FarmOptions {
            slow_ms: 3_000,
            ..FarmOptions::default()
        },
    );
    let municipalities = farm_municipalities(&registry, &farm, opts.limit);
    prepare_out(&opts.out)?;
    log_to_file(&opts.out)?;
    let rt = runtime()?;
    let summary = rt.block_on(async {
        let server = FixtureServer::start(farm.sites.clone()).await?;
        if opts.format == Format::Text {
            println!(
                "Demo: {} syntetiska kommunwebbplatser (frö {}) serveras på {} som proxy; högst {} förfrågningar/s per värd.",
                municipalities.len(),
                opts.seed,
                server.addr(),
                opts.rate
            );
        }
        let cfg = AuditConfig {
            out: opts.out.clone(),
            year: 2026,
            municipalities: municipalities.clone(),
            fetch: FetchConfig {
                rate: opts.rate,
                proxy: Some(server.proxy_url()),
                timeout: Duration::from_secs(2),
                ..FetchConfig::default()
            },
            crawl: CrawlConfig::default(),
            concurrency: opts.concurrency,
            quiet: opts.format == Format::Json,
            previous: None,
        };
        let stop = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let summary = run_audit(&cfg, &rules, stop).await;
        server.shutdown().await;
        Ok::<_, Failure>(summary?)
    })?;
    if summary.interrupted {
        // An interrupted demo has no national picture: no comparison, no report.
        println!(
            "Demon avbröts: {} av {} kommuner klara. Ingen jämförelse och ingen rapport skrevs; \
             kör `infokoll demo` igen för en hel demo.",
            summary.done, summary.total
        );
        tracing::warn!(
            done = summary.done,
            total = summary.total,
            "demo interrupted, no report"
        );
        return Ok(super::audit::EXIT_INTERRUPTED);
    }
    let (per_item, status_right) = agreement(&opts.out, &farm)?;
    // Score and report, as a real run ends.
    let t0 = std::time::Instant::now();
    let scores = super::score::compute(&opts.out, None, None, None, None)?;
    let report_dir = opts.out.join("rapport");
    let written = crate::report::write_reports(&scores, &report_dir).map_err(|e| anyhow!("{e}"))?;
    let report_secs = t0.elapsed().as_secs_f64();
    let (right, total) = per_item
        .values()
        .fold((0, 0), |(a, b), (r, t)| (a + r, b + t));
    match opts.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "summary": summary,
                "agreement": per_item.iter().map(|(k, (r, t))| (k.clone(), serde_json::json!({"right": r, "total": t}))).collect::<serde_json::Map<_, _>>(),
                "status_right": status_right,
                "national_report": written.index,
            }))?
        ),
        Format::Text => {
            print_summary(&summary, &opts.out);
            println!("\nJämfört med facit: {right} av {total} bedömningar stämmer; rätt status för {status_right} av {} kommuner.", summary.total);
            for (item, (r, t)) in &per_item {
                if r != t {
                    println!("  {item:<24} {r}/{t}");
                }
            }
            println!(
                "\nPoäng och rapporter ({} kommunrapporter, {} arkiverade kopior) på {report_secs:.1} s.",
                written.municipality_pages, written.archive_copies
            );
            println!("Nationell rapport: {}", written.index.display());
        }
    }
    Ok(0)
}
