//! `infokoll score`: the Information subindex estimate of an audit run, as a
//! Swedish table or as JSON ([`crate::score::RunScores`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{load_rules, Failure, Format};
use crate::score::{compare, score_run, ExternalIndicators, Model, RunScores, ScoreError};

/// The scoring inputs shared by `score` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Modellfil i stället för den inbyggda rules/model.toml.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// CSV med externa indikatorer (kod,indicator_id,value).
    #[arg(long)]
    pub external: Option<PathBuf>,
    /// Regelkatalog i stället för de inbyggda reglerna.
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

/// Arguments of `infokoll score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// Granskningskatalogen (med infokoll.sqlite); dess senaste körning räknas.
    #[arg(long)]
    pub run: PathBuf,
    /// En tidigare granskningskatalog att jämföra med.
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Modell, externa indikatorer och regler.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Utdataformat.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `infokoll score`.
pub(crate) fn run(args: &ScoreArgs) -> Result<u8, Failure> {
    let scores = compute(
        &args.run,
        args.compare.as_deref(),
        args.model.model.as_deref(),
        args.model.external.as_deref(),
        args.model.rules.as_ref(),
    )?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&scores)?),
        Format::Text => print!("{}", render_text(&scores)),
    }
    Ok(0)
}

/// The model file to use: `--model`, else `model.toml` in the `--rules`
/// directory when it has one, else `None` (the built-in model).
pub(crate) fn model_path(model: Option<&Path>, rules: Option<&PathBuf>) -> Option<PathBuf> {
    model
        .map(Path::to_path_buf)
        .or_else(|| rules.map(|d| d.join("model.toml")).filter(|p| p.is_file()))
}

/// Loads rules, model and external indicators, scores `run` and, when given,
/// compares it with `before`. Bad input (model, CSV, missing audit) exits 2.
pub(crate) fn compute(
    run: &Path,
    before: Option<&Path>,
    model: Option<&Path>,
    external: Option<&Path>,
    rules: Option<&PathBuf>,
) -> Result<RunScores, Failure> {
    let started = std::time::Instant::now();
    let rules_dir = rules;
    let rules = load_rules(rules)?;
    let rules_loaded = started.elapsed();
    let model_file = model_path(model, rules_dir);
    let model = Model::load(model_file.as_deref(), &rules).map_err(failure)?;
    let external = external
        .map(|p| ExternalIndicators::from_csv(p, &model))
        .transpose()
        .map_err(failure)?;
    if external.is_none() && model.external_ids().next().is_some() {
        eprintln!(
            "varning: modellen har externa indikatorer men ingen --external-fil; de räknas inte"
        );
    }
    let mut scores = score_run(run, &model, &rules, external.as_ref()).map_err(failure)?;
    if let Some(before) = before {
        let earlier = score_run(before, &model, &rules, external.as_ref()).map_err(failure)?;
        compare(&mut scores, &earlier);
    }
    tracing::debug!(
        rules_ms = rules_loaded.as_millis(),
        score_ms = started.elapsed().saturating_sub(rules_loaded).as_millis(),
        municipalities = scores.municipalities.len(),
        "score"
    );
    Ok(scores)
}

/// Input problems exit 2; a broken store is unexpected (1).
fn failure(e: ScoreError) -> Failure {
    match e {
        ScoreError::Store(_) => Failure::from(e),
        _ => Failure::bad_input(e),
    }
}

/// A number with one decimal and a decimal comma.
fn sv(x: f64) -> String {
    format!("{x:.1}").replace('.', ",").replace('-', "−")
}

/// Signed, with one decimal.
fn sv_signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", sv(x))
    } else {
        sv(x)
    }
}

/// The Swedish table: place, kommun, län, storleksgrupp, poäng, förändring,
/// then the national counts per item.
pub(crate) fn render_text(scores: &RunScores) -> String {
    let mut out = String::new();
    let ranked = scores
        .municipalities
        .iter()
        .filter(|m| m.score.is_some())
        .count();
    let _ = writeln!(
        out,
        "{} – körning {} ({}), {} kommuner, {} med poäng",
        scores.model.name,
        scores.run.id,
        scores.run.year,
        scores.municipalities.len(),
        ranked
    );
    if let Some(c) = &scores.compared_with {
        let _ = writeln!(out, "Jämfört med körning {} ({})", c.id, c.year);
    }
    let name_w = width(
        scores.municipalities.iter().map(|m| m.name.as_str()),
        "Kommun",
    );
    let county_w = width(
        scores.municipalities.iter().map(|m| m.county.as_str()),
        "Län",
    );
    let _ = writeln!(
        out,
        "\n{:>5}  {:<name_w$}  {:<county_w$}  {:<22}  {:>11}  Förändring",
        "Plats", "Kommun", "Län", "Storleksgrupp", "Poäng"
    );
    for m in &scores.municipalities {
        let place = m.rank.map_or_else(|| "–".to_owned(), |r| r.to_string());
        let score = m.score.map_or_else(|| "data saknas".to_owned(), sv);
        let change = match (&m.change, m.score) {
            (_, None) => status_sv(&m.status).to_owned(),
            (Some(c), Some(_)) => describe_change(c),
            (None, Some(_)) if scores.compared_with.is_some() => "ny".to_owned(),
            (None, Some(_)) => String::new(),
        };
        let _ = writeln!(
            out,
            "{place:>5}  {:<name_w$}  {:<county_w$}  {:<22}  {score:>11}  {change}",
            m.name,
            m.county,
            m.size_group.label_sv()
        );
    }
    let _ = writeln!(out, "\nPunkter i hela landet");
    for c in &scores.item_counts {
        let previous = c
            .previous
            .map(|p| format!(" (förra körningen: {p})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} av {} kommuner: {}{previous}",
            c.count, c.of, c.name
        );
    }
    if !scores.model.note.is_empty() {
        let _ = writeln!(out, "\n{}", scores.model.note);
    }
    out
}

/// Why a municipality has no score, in Swedish.
fn status_sv(status: &str) -> &str {
    match status {
        "unreachable" => "webbplatsen svarade inte",
        "robots_unavailable" => "robots.txt kunde inte läsas",
        "blocked_by_robots" => "robots.txt tillåter inte granskning",
        "redirect_loop" => "omdirigeringsslinga",
        "other_domain" => "startsidan pekar till annan domän",
        "pending" => "inte granskad än",
        "in_progress" => "granskningen blev inte klar",
        other => other,
    }
}

/// `+2,5 (↑3)`, `−1,0 (↓2)`, `±0,0`.
fn describe_change(c: &crate::score::Change) -> String {
    let mut s = match c.score_delta {
        Some(d) if d.abs() < 0.05 => "±0,0".to_owned(),
        Some(d) => sv_signed(d),
        None => "förut data saknas".to_owned(),
    };
    match c.rank_delta {
        Some(d) if d > 0 => {
            let _ = write!(s, " (↑{d})");
        }
        Some(d) if d < 0 => {
            let _ = write!(s, " (↓{})", -d);
        }
        _ => {}
    }
    if !c.items_changed.is_empty() {
        let _ = write!(s, ", {} punkter ändrade", c.items_changed.len());
    }
    s
}

fn width<'a>(values: impl Iterator<Item = &'a str>, header: &str) -> usize {
    values
        .map(|v| v.chars().count())
        .chain(std::iter::once(header.chars().count()))
        .max()
        .unwrap_or(0)
        .min(32)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_swedish() {
        assert_eq!(sv(72.45), "72,5");
        assert_eq!(sv_signed(2.0), "+2,0");
        assert_eq!(sv_signed(-1.25), "−1,2");
        assert_eq!(width(["Åmål", "Ab"].into_iter(), "Kommun"), 6);
        assert_eq!(status_sv("redirect_loop"), "omdirigeringsslinga");
    }
}
