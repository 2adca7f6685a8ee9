//! `infokoll redetect`: a new run from an earlier run's archive with the
//! current (or given) rules — no network ([`crate::audit::redetect`]).

use std::path::PathBuf;

use super::{load_rules, Failure, Format};
use crate::audit::redetect::{redetect, RedetectConfig, RedetectError, RedetectSummary};

/// Arguments of `infokoll redetect`.
#[derive(Debug, Clone, clap::Args)]
pub struct RedetectArgs {
    /// Granskningskatalogen vars arkiv läses (dess senaste körning).
    #[arg(long)]
    pub from: PathBuf,
    /// Ny katalog för den nya körningen.
    #[arg(long)]
    pub out: PathBuf,
    /// Regelkatalog i stället för de inbyggda reglerna.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Antal trådar (0: en per kärna).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Utdataformat.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `infokoll redetect`.
pub(crate) fn run(args: &RedetectArgs) -> Result<u8, Failure> {
    let rules = load_rules(args.rules.as_ref())?;
    let cfg = RedetectConfig {
        from: args.from.clone(),
        out: args.out.clone(),
        rules_label: args
            .rules
            .as_ref()
            .map_or_else(|| "inbyggda".to_owned(), |d| d.display().to_string()),
        workers: args.workers,
    };
    let summary = redetect(&cfg, &rules).map_err(|e| match e {
        RedetectError::NoDatabase(_) | RedetectError::NoRun(_) | RedetectError::OutInUse(_) => {
            Failure::bad_input(e)
        }
        other => Failure::from(other),
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Format::Text => print!("{}", render_text(&summary, &args.from, &args.out)),
    }
    Ok(0)
}

fn render_text(s: &RedetectSummary, from: &std::path::Path, out: &std::path::Path) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Ny körning {} i {} från arkivet i {} (ingen hämtning från nätet).",
        s.run,
        out.display(),
        from.display()
    );
    let _ = writeln!(
        t,
        "{} av {} kommuner klara, {} med sidor som detekterades om: {} sidor, {} arkiverade \
         hämtningar spelades upp, på {:.2} s.",
        s.done, s.total, s.redetected, s.pages, s.replayed, s.elapsed_seconds
    );
    let statuses: Vec<String> = s.statuses.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        t,
        "Webbplatsstatus (som i källkörningen): {}",
        statuses.join(", ")
    );
    if s.not_in_archive > 0 || s.not_revisited > 0 || s.archive_errors > 0 {
        let _ = writeln!(
            t,
            "Obs: genomgången bad om {} adresser som inte finns i arkivet, läste inte om {} \
             arkiverade hämtningar och kunde inte läsa {} arkivposter (reglerna ändrar vilka \
             länkar som följs).",
            s.not_in_archive, s.not_revisited, s.archive_errors
        );
    }
    if !s.status_differs.is_empty() {
        let _ = writeln!(
            t,
            "Obs: för {} kommuner gav genomgången en annan status än källkörningen (källans \
             status behålls): {}",
            s.status_differs.len(),
            s.status_differs.join(", ")
        );
    }
    let _ = writeln!(
        t,
        "Jämför: infokoll score --run {} --compare {}",
        out.display(),
        from.display()
    );
    t
}
