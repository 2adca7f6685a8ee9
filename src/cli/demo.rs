//! `infokoll demo`: the main job on the bundled fixture sites, on loopback.
//!
//! Starts the fixture server on 127.0.0.1 with the sites compiled into the
//! binary, checks every municipality site through it (as a proxy, so the
//! sites keep their own host names and nothing leaves the machine), and
//! compares each verdict with the site's `truth.toml`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use include_dir::{include_dir, Dir};
use url::Url;

use super::{load_rules, runtime, Failure, Format};
use crate::check::check_site;
use crate::crawl::CrawlConfig;
use crate::fetch::{FetchConfig, Fetcher};
use crate::fixture_server::truth::{dir_truths, embedded_truths, Truth};
use crate::fixture_server::{FixtureServer, Sites};
use crate::report::SiteReport;

/// The fixture sites shipped with the binary (`fixtures/sites/` of the source tree).
pub(crate) static FIXTURE_SITES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/sites");

pub(crate) fn run(
    rate: f64,
    format: Format,
    rules: Option<&PathBuf>,
    sites: Option<&PathBuf>,
) -> Result<u8, Failure> {
    let rules = load_rules(rules)?;
    let (sites, truths) = match sites {
        None => (
            Sites::from_embedded(&FIXTURE_SITES),
            embedded_truths(&FIXTURE_SITES),
        ),
        Some(dir) => (Sites::from_dir(dir), dir_truths(dir)),
    };
    let sites = sites.map_err(|e| Failure::bad_input(anyhow!("{e}")))?;
    let truths: Vec<(String, Truth)> = truths
        .into_iter()
        .filter_map(|(host, t)| t.ok().map(|t| (host, t)))
        .filter(|(_, t)| t.is_municipality())
        .collect();
    let rt = runtime()?;
    rt.block_on(async move {
        let server = FixtureServer::start(sites).await?;
        let fetcher = Fetcher::new(FetchConfig {
            rate,
            proxy: Some(server.proxy_url()),
            timeout: Duration::from_secs(5),
            ..FetchConfig::default()
        })
        .map_err(|e| anyhow!("{e}"))?;
        if format == Format::Text {
            println!(
                "Demo: {} testkommuner serveras på {} (proxy), högst {rate} förfrågningar/s per värd.\n",
                truths.len(),
                server.addr()
            );
        }
        let began = Instant::now();
        let cfg = CrawlConfig::default();
        let jobs = truths.iter().filter_map(|(_, t)| {
            let start = Url::parse(t.start.as_deref()?).ok()?;
            let (fetcher, rules, cfg) = (&fetcher, &rules, &cfg);
            Some(async move {
                let result = check_site(fetcher, rules, &start, cfg).await;
                (t, SiteReport::new(&result.crawl, None, result.verdicts))
            })
        });
        let results = futures_util::future::join_all(jobs).await;
        let mut right = 0;
        let mut total = 0;
        let mut reports = Vec::new();
        for (truth, report) in &results {
            let mut wrong = Vec::new();
            for item in &report.items {
                if let Some(&want) = truth.items.get(&item.id) {
                    total += 1;
                    if want == item.found {
                        right += 1;
                    } else {
                        wrong.push(format!("{}{}", if want { "missad " } else { "falsklarm " }, item.id));
                    }
                }
            }
            if format == Format::Text {
                let found: Vec<&str> = report.items.iter().filter(|i| i.found).map(|i| i.id.as_str()).collect();
                println!(
                    "{:<18} {:<22} {:>3} sidor  status {:<19} hittade: {}",
                    truth.name,
                    report.site.host_str().unwrap_or(""),
                    report.pages_fetched,
                    report.status,
                    if found.is_empty() { "–".to_owned() } else { found.join(", ") }
                );
                if report.status != truth.status {
                    println!("{:<18} väntad status {} men fick {}", "", truth.status, report.status);
                }
                if !wrong.is_empty() {
                    println!("{:<18} avviker från facit: {}", "", wrong.join(", "));
                }
            }
            reports.push(report);
        }
        let requests = server.log().len();
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&reports)?),
            Format::Text => println!(
                "\n{right} av {total} bedömningar stämmer med facit. {requests} förfrågningar på {:.1} s. \
                 Granska en egen webbplats med: infokoll check <adress>",
                began.elapsed().as_secs_f64()
            ),
        }
        server.shutdown().await;
        Ok::<u8, Failure>(0)
    })
}

pub(crate) fn serve(dir: Option<&PathBuf>, addr: std::net::SocketAddr) -> Result<u8, Failure> {
    let sites = match dir {
        Some(d) => Sites::from_dir(d),
        None => Sites::from_embedded(&FIXTURE_SITES),
    }
    .map_err(|e| Failure::bad_input(anyhow!("{e}")))?;
    let rt = runtime()?;
    eprintln!(
        "Serverar {} webbplatser på http://{addr}/ (proxy). Avsluta med Ctrl-C.",
        sites.hosts().len()
    );
    rt.block_on(crate::fixture_server::serve_forever(sites, addr))?;
    Ok(0)
}

pub(crate) fn serve_farm(
    seed: u64,
    pages_min: usize,
    pages_max: usize,
    addr: std::net::SocketAddr,
) -> Result<u8, Failure> {
    let registry = crate::registry::Registry::builtin();
    let opts = crate::farm::FarmOptions {
        pages_min,
        pages_max,
        faults: false,
        ..crate::farm::FarmOptions::default()
    };
    let farm = crate::farm::generate(&registry, seed, &opts);
    let rt = runtime()?;
    rt.block_on(async move {
        let server = FixtureServer::start_on(farm.sites, addr).await?;
        // The first line tells a parent process where to connect.
        println!("lyssnar på {}", server.addr());
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        Ok::<u8, Failure>(0)
    })
}
