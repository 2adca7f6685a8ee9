//! `infokoll check`: one site, end to end.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;
use url::Url;

use super::{load_rules, runtime, Failure, FetchArgs, Format, EXIT_NOT_CHECKED};
use crate::check::check_site;
use crate::crawl::CrawlConfig;
use crate::fetch::{user_agent, FetchConfig, Fetcher};
use crate::registry::Registry;
use crate::report::{ReportMunicipality, SiteReport};

/// Resolves a target: a URL, a municipality name or a code.
pub(crate) fn resolve_target(
    target: &str,
    registry: &Registry,
) -> Result<(Url, Option<ReportMunicipality>), Failure> {
    let as_municipality = |m: &crate::registry::Municipality| ReportMunicipality {
        code: m.code.to_string(),
        name: m.name.clone(),
    };
    if let Some(m) = super::lookup::find(registry, target)? {
        return Ok((m.homepage.clone(), Some(as_municipality(m))));
    }
    let with_scheme = if target.contains("://") {
        target.to_owned()
    } else {
        format!("https://{target}")
    };
    match Url::parse(&with_scheme) {
        Ok(url) if url.host_str().is_some_and(|h| h.contains('.') || h == "localhost") => {
            let m = url.host_str().and_then(|h| registry.by_host(h)).map(as_municipality);
            Ok((url, m))
        }
        _ => Err(Failure::bad_input(anyhow!(
            "'{target}' är varken en adress, ett kommunnamn eller en kommunkod (se `infokoll kommuner`).{}",
            super::lookup::did_you_mean(registry, target)
        ))),
    }
}

/// The fetch configuration of the shared options.
pub(crate) fn fetch_config(args: &FetchArgs) -> Result<FetchConfig, Failure> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(Failure::bad_input(anyhow!(
            "--rate måste vara större än 0, är {}",
            args.rate
        )));
    }
    Ok(FetchConfig {
        user_agent: user_agent(&args.contact),
        rate: args.rate,
        timeout: Duration::from_secs(args.timeout.max(1)),
        proxy: args.proxy.clone(),
        ..FetchConfig::default()
    })
}

/// The site's estimated Information score and, with an audit run, its place there.
#[derive(Debug, serde::Serialize)]
struct Standing {
    score: Option<f64>,
    place: Option<u32>,
    of: Option<u32>,
    against: Option<String>,
}

fn standing(
    report: &SiteReport,
    rules: &crate::rules::RuleSet,
    against: Option<&Path>,
) -> Result<Standing, Failure> {
    let model = crate::score::Model::builtin(rules).map_err(Failure::bad_input)?;
    let (score, _) = model.score(|item| {
        report
            .items
            .iter()
            .find(|v| v.id == item.id)
            .map(|v| if v.found { 1.0 } else { 0.0 })
    });
    let mut out = Standing {
        score: score.map(|s| (s * 10.0).round() / 10.0),
        place: None,
        of: None,
        against: against.map(|p| p.display().to_string()),
    };
    if let (Some(dir), Some(score)) = (against, score) {
        let scores =
            crate::score::score_run(dir, &model, rules, None).map_err(Failure::bad_input)?;
        let code = report.municipality.as_ref().map(|m| m.code.as_str());
        let (place, of) = crate::score::place_against_as(&scores, score, code);
        out.place = Some(place);
        out.of = Some(of);
    }
    Ok(out)
}

pub(crate) fn run(
    target: &str,
    format: Format,
    rules: Option<&PathBuf>,
    against: Option<&Path>,
    args: &FetchArgs,
) -> Result<u8, Failure> {
    let rules = load_rules(rules)?;
    let registry = Registry::builtin();
    let (url, municipality) = resolve_target(target, &registry)?;
    let config = fetch_config(args)?;
    let crawl_cfg = CrawlConfig {
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        ..CrawlConfig::default()
    };
    let rt = runtime()?;
    let report = rt.block_on(async {
        let fetcher = Fetcher::new(config).map_err(|e| Failure::bad_input(anyhow!("{e}")))?;
        let result = check_site(&fetcher, &rules, &url, &crawl_cfg).await;
        Ok::<_, Failure>(SiteReport::new(
            &result.crawl,
            municipality,
            result.verdicts,
        ))
    })?;
    let standing = if report.checked() {
        Some(standing(&report, &rules, against)?)
    } else {
        None
    };
    match format {
        Format::Text => {
            print!("{}", report.render_text());
            if let Some(score) = standing.as_ref().and_then(|s| s.score) {
                let mut line =
                    format!("Uppskattad poäng för delindex Information: {score:.1} av 100")
                        .replace('.', ",");
                if let Some(s) = &standing {
                    if let (Some(p), Some(of), Some(dir)) = (s.place, s.of, &s.against) {
                        let _ = write!(line, " – skulle ge plats {p} av {of} i granskningen {dir}");
                    }
                }
                println!("{line}");
            }
        }
        Format::Json => {
            let mut value = serde_json::to_value(&report)?;
            if let (Some(s), Some(obj)) = (&standing, value.as_object_mut()) {
                obj.insert("standing".to_owned(), serde_json::to_value(s)?);
            }
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
    }
    Ok(if report.checked() {
        0
    } else {
        EXIT_NOT_CHECKED
    })
}
