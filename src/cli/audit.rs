//! `infokoll audit`: the national run.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::check::fetch_config;
use super::run_params::{self, RunParams, Stored};
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
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Fortsätt körningen i katalogen med dess sparade inställningar (register, urval, år, takt, proxy, regler).
    #[arg(
        long,
        value_name = "KATALOG",
        conflicts_with_all = [
            "only", "registry", "year", "rate", "proxy", "contact", "timeout",
            "max_pages", "max_depth", "rules", "previous"
        ]
    )]
    pub resume: Option<PathBuf>,
    /// Med --resume: försök igen med kommuner som inte kunde läsas (nere, ofullständiga, robots.txt otillgänglig); det tidigare försöket sparas.
    #[arg(long, requires = "resume")]
    pub retry_failed: bool,
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
                super::lookup::find(registry, c)?.cloned().ok_or_else(|| {
                    Failure::bad_input(anyhow!(
                        "okänd kommun '{c}' i --only.{}",
                        super::lookup::did_you_mean(registry, c)
                    ))
                })
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
        .map(|(k, v)| format!("{}: {v}", crate::report::html::status_text(k)))
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

/// Site statuses that `--retry-failed` tries again.
const RETRIED: [&str; 3] = ["unreachable", "partial", "robots_unavailable"];

/// Done municipalities of the summary whose site could not be read.
fn failed_count(s: &AuditSummary) -> usize {
    RETRIED.iter().filter_map(|k| s.statuses.get(*k)).sum()
}

/// Sets the run's unreadable municipalities back to pending, keeping their
/// earlier attempt in the store.
fn retry_failed(out: &Path) -> Result<(), Failure> {
    let mut store = crate::store::Store::open_in_dir(out)?;
    let Some(run) = store.latest_run()? else {
        return Ok(());
    };
    let codes: Vec<String> = store
        .municipality_states(run.id)?
        .into_iter()
        .filter(|s| {
            s.site_status
                .as_deref()
                .is_some_and(|st| RETRIED.contains(&st))
        })
        .map(|s| s.municipality.code)
        .collect();
    for code in &codes {
        store.retry_municipality(run.id, code)?;
    }
    eprintln!(
        "Försöker igen med {} kommuner som inte kunde läsas; de tidigare försöken finns kvar i databasen.",
        codes.len()
    );
    Ok(())
}

/// The parameters of the command as given (paths absolute).
fn params_of(
    args: &AuditArgs,
    registry: &Registry,
    rules: &crate::rules::RuleSet,
    chosen: &[crate::registry::Municipality],
) -> RunParams {
    RunParams {
        registry: args.registry.as_deref().map(run_params::absolute),
        registry_digest: run_params::registry_digest(registry.all()),
        only: args
            .only
            .as_ref()
            .map(|_| chosen.iter().map(|m| m.code.to_string()).collect()),
        year: args.year,
        rate: args.fetch.rate,
        proxy: args.fetch.proxy.as_ref().map(ToString::to_string),
        contact: args.fetch.contact.clone(),
        timeout: args.fetch.timeout,
        max_pages: args.fetch.max_pages,
        max_depth: args.fetch.max_depth,
        rules: args.rules.as_deref().map(run_params::absolute),
        rules_digest: run_params::rules_digest(rules),
        previous: args.previous.as_deref().map(run_params::absolute),
    }
}

/// The command's arguments with the stored parameters of a run.
fn with_params(args: &AuditArgs, dir: &Path, p: &RunParams) -> Result<AuditArgs, Failure> {
    let proxy = match &p.proxy {
        Some(u) => Some(url::Url::parse(u).map_err(|e| {
            Failure::bad_input(anyhow!(
                "den sparade proxyadressen {u} går inte att läsa: {e}"
            ))
        })?),
        None => None,
    };
    Ok(AuditArgs {
        out: Some(dir.to_path_buf()),
        resume: None,
        retry_failed: args.retry_failed,
        year: p.year,
        only: p.only.clone(),
        registry: p.registry.clone(),
        previous: p.previous.clone(),
        rules: p.rules.clone(),
        fetch: FetchArgs {
            rate: p.rate,
            proxy,
            contact: p.contact.clone(),
            timeout: p.timeout,
            max_pages: p.max_pages,
            max_depth: p.max_depth,
        },
        ..args.clone()
    })
}

pub(crate) fn run(args: &AuditArgs) -> Result<u8, Failure> {
    let (args, resuming) = match &args.resume {
        Some(dir) => match run_params::stored(dir)? {
            Stored::Run(p) => (with_params(args, dir, &p)?, Some(*p)),
            Stored::Legacy => {
                return Err(Failure::bad_input(anyhow!(
                    "körningen i {} sparade inte sina inställningar (äldre version): \
                     fortsätt med samma kommando som startade den, med --out",
                    dir.display()
                )))
            }
            Stored::Nothing => {
                return Err(Failure::bad_input(anyhow!(
                    "{} innehåller ingen körning att fortsätta",
                    dir.display()
                )))
            }
        },
        None => (args.clone(), None),
    };
    let Some(out) = args.out.clone() else {
        return Err(Failure::bad_input(anyhow!(
            "ange --out KATALOG eller --resume KATALOG"
        )));
    };
    let rules = load_rules(args.rules.as_ref())?;
    let registry = match &args.registry {
        Some(p) => Registry::from_file(p).map_err(Failure::bad_input)?,
        None => Registry::builtin(),
    };
    let municipalities = select(&registry, args.only.as_deref())?;
    let params = params_of(&args, &registry, &rules, &municipalities);
    let cfg = AuditConfig {
        out: out.clone(),
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
    match run_params::stored(&out)? {
        Stored::Run(stored) => {
            let diffs = run_params::differences(&stored, &params);
            if !diffs.is_empty() {
                let why = if resuming.is_some() {
                    "filerna som körningen använder har ändrats"
                } else {
                    "körningen där gjordes med andra inställningar"
                };
                return Err(Failure::bad_input(anyhow!(
                    "{} har redan en körning, och {why}:\n  {}\nFortsätt den med `{}`, \
                     eller välj en ny katalog med --out.",
                    out.display(),
                    diffs.join("\n  "),
                    run_params::resume_command(&out)
                )));
            }
        }
        // A run from before parameters were stored: continue it as before.
        Stored::Legacy => {}
        Stored::Nothing => {
            run_params::begin(&out, &params, crate::audit::run_params_json(&cfg))?;
        }
    }
    if args.retry_failed {
        retry_failed(&out)?;
    }
    log_to_file(&out)?;
    let resume = run_params::resume_command(&out);
    let rt = runtime()?;
    let summary = rt.block_on(async {
        let stop = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            eprintln!("\nAvbryter … det som är klart sparas. Fortsätt sedan med: {resume}");
        };
        run_audit(&cfg, &rules, stop).await
    })?;
    match args.format {
        Format::Text => print_summary(&summary, &out),
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
    }
    let failed = failed_count(&summary);
    if failed > 0 && !summary.interrupted && args.format == Format::Text {
        println!(
            "{failed} kommuner kunde inte läsas helt. Försök igen med: {resume} --retry-failed"
        );
    }
    if summary.interrupted {
        println!("Avbrutet. Det som var klart är sparat. Fortsätt med: {resume}");
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(0)
}
