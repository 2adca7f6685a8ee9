//! `infokoll audit`: the national run.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::check::fetch_config;
use super::{load_rules, runtime, Failure, FetchArgs, Format};
use crate::audit::{run_audit, AuditConfig, AuditSummary};
use crate::crawl::CrawlConfig;
use crate::registry::Registry;

/// Exit code of an audit stopped with Ctrl-C (it can be resumed).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The options of `audit`, as parsed.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditArgs {
    /// Katalog för resultatet (databas, WARC-arkiv, logg).
    #[arg(long)]
    pub out: PathBuf,
    /// Granskningsår.
    #[arg(long, default_value_t = default_year())]
    pub year: u16,
    /// Bara dessa kommunkoder, kommaseparerade (0188,1280).
    #[arg(long, value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// Kommunregister (CSV med samma kolumner som det inbyggda).
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// Antal kommuner som granskas samtidigt.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Inga förloppsstaplar.
    #[arg(long)]
    pub quiet: bool,
    /// Format på sammanfattningen.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// En tidigare körnings katalog: oförändrade sidor hämtas villkorligt (304).
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Regelkatalog i stället för de inbyggda reglerna.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Hämtningsinställningar.
    #[command(flatten)]
    pub fetch: FetchArgs,
}

fn default_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since 1970 → year; exact enough for a default.
    (1970 + secs / 31_556_952) as u16
}

/// Chooses the municipalities of a run.
pub(crate) fn select(
    registry: &Registry,
    only: Option<&[String]>,
) -> Result<Vec<crate::registry::Municipality>, Failure> {
    match only {
        None => Ok(registry.all().to_vec()),
        Some(codes) => codes
            .iter()
            .map(|c| {
                registry
                    .find(c)
                    .cloned()
                    .ok_or_else(|| Failure::bad_input(anyhow!("okänd kommun '{c}' i --only")))
            })
            .collect(),
    }
}

/// Sends tracing output to `DIR/infokoll.log`.
pub(crate) fn log_to_file(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::bad_input(anyhow!("kan inte skapa {}: {e}", dir.display())))?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("infokoll.log"))
        .map_err(|e| Failure::bad_input(anyhow!("kan inte öppna loggfilen: {e}")))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INFOKOLL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

/// Prints the Swedish summary of a run.
pub(crate) fn print_summary(s: &AuditSummary, out: &Path) {
    let statuses: Vec<String> = s
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!(
        "{} av {} kommuner klara ({} i den här körningen) på {:.1} s.",
        s.done, s.total, s.done_now, s.elapsed_seconds
    );
    println!("Status: {}", statuses.join(", "));
    println!(
        "{} sidor hämtade, {} återspelade från arkivet, {} oförändrade (304), {} förfrågningar.",
        s.network_fetches, s.replayed, s.not_modified, s.requests
    );
    println!(
        "Resultat: {} (WARC-arkiv och logg i {})",
        s.database.display(),
        out.display()
    );
}

pub(crate) fn run(args: &AuditArgs) -> Result<u8, Failure> {
    let rules = load_rules(args.rules.as_ref())?;
    let registry = match &args.registry {
        Some(p) => Registry::from_file(p).map_err(Failure::bad_input)?,
        None => Registry::builtin(),
    };
    let municipalities = select(&registry, args.only.as_deref())?;
    log_to_file(&args.out)?;
    let cfg = AuditConfig {
        out: args.out.clone(),
        year: args.year,
        municipalities,
        fetch: fetch_config(&args.fetch)?,
        crawl: CrawlConfig {
            max_pages: args.fetch.max_pages,
            max_depth: args.fetch.max_depth,
            ..CrawlConfig::default()
        },
        concurrency: args.concurrency,
        quiet: args.quiet,
        previous: args.previous.clone(),
    };
    let rt = runtime()?;
    let summary = rt.block_on(async {
        let stop = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        run_audit(&cfg, &rules, stop).await
    })?;
    match args.format {
        Format::Text => print_summary(&summary, &args.out),
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
    }
    if summary.interrupted {
        println!(
            "Avbrutet. Det som var klart är sparat. Fortsätt med samma kommando: infokoll audit --out {}",
            args.out.display()
        );
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(0)
}
