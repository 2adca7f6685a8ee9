//! `infokoll review export`: the reviewed findings' pages and labels as a
//! labelled page set ([`crate::review::export`]).

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::{Failure, Format};
use crate::review::export::{export_reviewed, ExportError};

/// Arguments of `infokoll review export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// Granskningskatalogen (annars `review --run`).
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// Katalog för sidorna (pages/) och labels.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Utdataformat.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `infokoll review export`.
pub(crate) fn run(args: &ExportArgs, parent: Option<&Path>) -> Result<u8, Failure> {
    let dir =
        args.run.as_deref().or(parent).ok_or_else(|| {
            Failure::bad_input(anyhow!("ange granskningskatalogen med --run DIR"))
        })?;
    let summary = export_reviewed(dir, &args.out).map_err(|e| match e {
        ExportError::NoDatabase(_) | ExportError::NoRun(_) => Failure::bad_input(e),
        other => Failure::from(other),
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Format::Text => println!(
            "{} märkningar ({} finns, {} saknas) på {} sidor skrivna till {}; {} av {} beslutade \
             fynd saknar en arkiverad sida och är inte med.\n\
             Mät regler mot dem: infokoll eval --pages {} --labels {}",
            summary.labels,
            summary.present,
            summary.labels - summary.present,
            summary.pages,
            args.out.display(),
            summary.skipped,
            summary.decided,
            args.out.join("pages").display(),
            summary.labels_file.display()
        ),
    }
    Ok(0)
}
