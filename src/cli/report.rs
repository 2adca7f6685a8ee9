//! `infokoll report`: scores an audit run and writes the reports (HTML per
//! municipality, the national HTML report, archived copies, CSV, XLSX,
//! JSON) into a directory; prints the path of the national report.

use std::path::PathBuf;
use std::time::Instant;

use super::Failure;
use crate::report::write_reports;

/// Arguments of `infokoll report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Granskningskatalogen (med infokoll.sqlite); dess senaste körning rapporteras.
    #[arg(long)]
    pub run: PathBuf,
    /// Katalog som rapporterna skrivs till (skapas vid behov).
    #[arg(long)]
    pub out: PathBuf,
    /// En tidigare granskningskatalog att jämföra med.
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Modell, externa indikatorer och regler.
    #[command(flatten)]
    pub model: super::score::ModelArgs,
}

/// Runs `infokoll report`.
pub(crate) fn run(args: &ReportArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let scores = super::score::compute(
        &args.run,
        args.compare.as_deref(),
        args.model.model.as_deref(),
        args.model.external.as_deref(),
        args.model.rules.as_ref(),
    )?;
    let scored = start.elapsed();
    let output = write_reports(&scores, &args.out)?;
    eprintln!(
        "{} kommunrapporter, {} arkiverade kopior och exporterna skrivna till {} \
         (poäng {:.2} s, rapporter {:.2} s)",
        output.municipality_pages,
        output.archive_copies,
        args.out.display(),
        scored.as_secs_f64(),
        start.elapsed().saturating_sub(scored).as_secs_f64(),
    );
    if !output.archive_failures.is_empty() {
        eprintln!(
            "varning: {} arkiverade sidor kunde inte läsas (t.ex. {}: {})",
            output.archive_failures.len(),
            output.archive_failures[0].0,
            output.archive_failures[0].1
        );
    }
    println!("{}", output.index.display());
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::process::ExitCode;

    #[test]
    fn report_writes_everything_and_bad_input_exits_2() {
        let audit = tempfile::tempdir().unwrap();
        crate::report::tests::build_store(audit.path(), 0);
        let out = tempfile::tempdir().unwrap();
        let out_dir = out.path().join("rapport");
        let run = audit.path().to_str().unwrap();
        let code = crate::cli::run([
            "infokoll",
            "report",
            "--run",
            run,
            "--out",
            out_dir.to_str().unwrap(),
            "--compare",
            run,
        ]);
        assert_eq!(code, ExitCode::SUCCESS);
        for f in [
            "index.html",
            "results.json",
            "resultat.xlsx",
            "kommuner/0188-norrtalje.html",
        ] {
            assert!(out_dir.join(f).exists(), "{f}");
        }
        let missing = out.path().join("finns-inte");
        let code = crate::cli::run([
            "infokoll",
            "report",
            "--run",
            missing.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(code, ExitCode::from(2));
    }
}
