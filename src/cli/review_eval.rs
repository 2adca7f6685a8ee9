//! `infokoll eval --run DIR`: precision and recall per item estimated from
//! the reviewers' decisions ([`crate::review::estimate`]).

use std::path::PathBuf;

use anyhow::anyhow;

use super::{load_rules, Failure, Format};
use crate::review::estimate::estimate_run;
use crate::review::{ReviewError, DEFAULT_SAMPLE};
use crate::score::Model;

/// The options of `eval` that estimate from reviews.
#[derive(Debug, Clone, clap::Args)]
pub struct RunEvalArgs {
    /// Granskningskatalogen vars granskningsbeslut ger precision och träffsäkerhet.
    #[arg(long, conflicts_with_all = ["pages", "labels"])]
    pub run: Option<PathBuf>,
    /// Stickprovets andel (0–1), som i `review --sample`.
    #[arg(long, default_value_t = DEFAULT_SAMPLE, requires = "run")]
    pub sample: f64,
    /// Den tidigare granskningskatalogen, som i `review --previous`.
    #[arg(long, requires = "run")]
    pub previous: Option<PathBuf>,
    /// Modellfil i stället för den inbyggda rules/model.toml.
    #[arg(long, requires = "run")]
    pub model: Option<PathBuf>,
}

/// Runs `infokoll eval --run`.
pub(crate) fn run(
    args: &RunEvalArgs,
    format: Format,
    rules: Option<&PathBuf>,
) -> Result<u8, Failure> {
    let dir = args
        .run
        .as_deref()
        .ok_or_else(|| Failure::bad_input(anyhow!("ange --pages och --labels, eller --run DIR")))?;
    let rules = load_rules(rules)?;
    let model = Model::load(args.model.as_deref(), &rules).map_err(Failure::bad_input)?;
    let estimate = estimate_run(dir, args.previous.as_deref(), args.sample, &rules, &model)
        .map_err(|e| match e {
            ReviewError::NoDatabase(_) | ReviewError::NoRun(_) | ReviewError::Score(_) => {
                Failure::bad_input(e)
            }
            other => Failure::from(other),
        })?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&estimate)?),
        Format::Text => print!(
            "{}",
            estimate.render_text(|id| rules
                .get(id)
                .map_or_else(|| id.to_owned(), |r| r.name.clone()))
        ),
    }
    Ok(0)
}
