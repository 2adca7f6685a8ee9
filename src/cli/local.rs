//! Commands that need no network: `kommuner`, `detect`, `eval`, `rules`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use super::{load_rules, Failure, Format};
use crate::detect::examples::run_examples;
use crate::detect::{detect as detect_page, PageContext, PageFinding};
use crate::registry::Registry;

#[derive(Serialize)]
struct MunicipalityOut<'a> {
    #[serde(flatten)]
    municipality: &'a crate::registry::Municipality,
    size_group: crate::registry::SizeGroup,
}

pub(crate) fn kommuner(format: Format) -> Result<u8, Failure> {
    let registry = Registry::builtin();
    match format {
        Format::Json => {
            let out: Vec<MunicipalityOut<'_>> = registry
                .all()
                .iter()
                .map(|m| MunicipalityOut {
                    municipality: m,
                    size_group: m.size_group(),
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            for m in registry.all() {
                println!(
                    "{}  {:<20} {:<24} {:>8}  {:<22} {}",
                    m.code,
                    m.name,
                    m.county,
                    m.population,
                    m.size_group().label_sv(),
                    m.homepage
                );
            }
            println!(
                "{} kommuner. Källor: se src/registry/SOURCES.md.",
                registry.all().len()
            );
        }
    }
    Ok(0)
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    items: Vec<ItemResult>,
}

#[derive(Serialize)]
struct ItemResult {
    id: String,
    found: bool,
    confidence: f64,
    flagged: bool,
    evidence: Vec<crate::detect::Evidence>,
}

/// The HTML files named, and those directly inside named directories, sorted.
pub(crate) fn html_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("kan inte läsa katalogen {}", p.display()))
                .map_err(Failure::bad_input)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"))
                .collect();
            entries.sort();
            out.extend(entries);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "filen {} finns inte",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// The URL a local file was saved from: an `<!-- url -->` comment at the top, else a file URL.
fn file_url(path: &Path, body: &[u8]) -> Option<url::Url> {
    let head = String::from_utf8_lossy(&body[..body.len().min(600)]);
    let from_comment = head
        .split("<!--")
        .nth(1)
        .and_then(|c| c.split("-->").next())
        .and_then(|c| c.split_whitespace().find_map(|w| url::Url::parse(w).ok()));
    from_comment
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .or_else(|| {
            std::fs::canonicalize(path)
                .ok()
                .and_then(|p| url::Url::from_file_path(p).ok())
        })
}

pub(crate) fn detect(
    paths: &[PathBuf],
    format: Format,
    rules_dir: Option<&PathBuf>,
) -> Result<u8, Failure> {
    let rules = load_rules(rules_dir)?;
    let mut results = Vec::new();
    for path in html_files(paths)? {
        let body = std::fs::read(&path)
            .with_context(|| format!("kan inte läsa {}", path.display()))
            .map_err(Failure::bad_input)?;
        let url = file_url(&path, &body)
            .map_or_else(|| url::Url::parse(crate::rules::EXAMPLE_URL), Ok)?;
        let doc = crate::extract::parse_html(&url, &body, None);
        let findings: Vec<PageFinding> = detect_page(&rules, &doc, &PageContext::default());
        let items = findings
            .into_iter()
            .map(|f| {
                let rule = rules.get(&f.item);
                let threshold = rule.map_or(crate::rules::DEFAULT_THRESHOLD, |r| r.threshold);
                let (lo, hi) = rule.map_or(crate::rules::DEFAULT_GREY_ZONE, |r| r.grey_zone);
                ItemResult {
                    found: f.confidence >= threshold,
                    flagged: f.confidence >= lo && f.confidence < hi,
                    confidence: (f.confidence * 1000.0).round() / 1000.0,
                    id: f.item,
                    evidence: f.evidence,
                }
            })
            .collect();
        results.push(FileResult {
            file: path.display().to_string(),
            items,
        });
    }
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        Format::Text => {
            for r in &results {
                println!("{}", r.file);
                for i in r.items.iter().filter(|i| i.found || i.flagged) {
                    let mark = if i.found { "✓" } else { "?" };
                    let snippet = i
                        .evidence
                        .first()
                        .map(|e| e.snippet.replace('\n', " "))
                        .unwrap_or_default();
                    println!("  {mark} {:<24} {:.2}  ”{}”", i.id, i.confidence, snippet);
                }
            }
        }
    }
    Ok(0)
}

pub(crate) fn eval(
    pages: &[PathBuf],
    labels: &[PathBuf],
    set_dirs: &[PathBuf],
    format: Format,
    rules_dir: Option<&PathBuf>,
) -> Result<u8, Failure> {
    use crate::eval::LabelledSet;
    let rules = load_rules(rules_dir)?;
    let mut sets = LabelledSet::pairs(pages, labels).map_err(Failure::bad_input)?;
    for dir in set_dirs {
        sets.extend(LabelledSet::in_dir(dir).map_err(Failure::bad_input)?);
    }
    if sets.is_empty() {
        return Err(Failure::bad_input(crate::eval::EvalError::Sets(
            "ange --pages och --labels, eller --sets".to_owned(),
        )));
    }
    let report = crate::eval::evaluate_sets(&rules, &sets).map_err(Failure::bad_input)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => print!("{}", report.render_text()),
    }
    Ok(0)
}

pub(crate) fn rules_test(rules_dir: Option<&PathBuf>) -> Result<u8, Failure> {
    let rules = load_rules(rules_dir)?;
    let report = run_examples(&rules);
    for f in &report.failures {
        let want = if f.expected {
            "ska hittas"
        } else {
            "ska inte hittas"
        };
        println!(
            "FEL {}:{}: exemplet {want} men gav säkerhet {:.2}{}",
            f.path,
            f.line,
            f.confidence,
            f.note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    println!(
        "{} regler, {} exempel: {} godkända, {} fel",
        rules.rules.len(),
        report.total,
        report.total - report.failures.len(),
        report.failures.len()
    );
    Ok(if report.failures.is_empty() {
        0
    } else {
        super::EXIT_BAD_INPUT
    })
}

pub(crate) fn rules_lint(rules_dir: Option<&PathBuf>) -> Result<u8, Failure> {
    let rules = load_rules(rules_dir)?;
    let signals: usize = rules.rules.iter().map(|r| r.signals.len()).sum();
    println!(
        "{} regler med {signals} signaler från {}: inga fel",
        rules.rules.len(),
        rules.origin
    );
    Ok(0)
}
