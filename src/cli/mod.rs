//! The command line: the only module that wires everything together and
//! owns the terminal, exit codes and `anyhow`.
//!
//! Exit codes: 0 done; 1 unexpected error; 2 bad usage, rule file or
//! input file; 3 the site could not be checked at all (down, robots.txt
//! unavailable, redirect loop).

mod audit;
mod bench;
mod check;
mod demo;
mod farm_demo;
mod local;
mod lookup;
mod redetect;
mod report;
mod review;
mod review_eval;
mod review_export;
mod run_params;
mod score;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::rules::RuleSet;

/// Exit code: bad usage, rule file or input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: the site could not be checked at all.
pub const EXIT_NOT_CHECKED: u8 = 3;

/// infokoll – granskar vad kommunernas webbplatser berättar om hemtjänst för äldre.
#[derive(Debug, Parser)]
#[command(name = "infokoll", version, about, long_about = None)]
#[command(
    after_help = "Slutkoder: 0 klart · 1 oväntat fel · 2 felaktig indata eller regelfil · 3 webbplatsen kunde inte granskas"
)]
pub struct Cli {
    /// Kommando.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Svensk text för terminalen.
    Text,
    /// JSON.
    Json,
}

/// Options shared by commands that fetch.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// Högsta antal förfrågningar per sekund och värd.
    #[arg(long, default_value_t = crate::fetch::DEFAULT_RATE)]
    pub rate: f64,
    /// HTTP-proxy för alla förfrågningar (annars gäller HTTP_PROXY/HTTPS_PROXY/NO_PROXY).
    #[arg(long)]
    pub proxy: Option<url::Url>,
    /// Kontaktadress som skickas i User-Agent.
    #[arg(long, default_value = crate::fetch::DEFAULT_CONTACT)]
    pub contact: String,
    /// Tidsgräns per förfrågan i sekunder.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Högsta antal sidor per webbplats.
    #[arg(long, default_value_t = crate::crawl::DEFAULT_MAX_PAGES)]
    pub max_pages: usize,
    /// Högsta klickdjup från startsidan.
    #[arg(long, default_value_t = crate::crawl::DEFAULT_MAX_DEPTH)]
    pub max_depth: u32,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Granska en webbplats: adress, kommunnamn eller kommunkod.
    Check {
        /// Adress (https://…), kommunnamn (Norrtälje) eller kod (0188).
        target: String,
        /// Utdataformat.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Regelkatalog i stället för de inbyggda reglerna.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// En granskningskatalog: visa vilken plats webbplatsen skulle få där.
        #[arg(long)]
        against: Option<PathBuf>,
        /// Hämtningsinställningar.
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Granska alla kommuner (eller några): artigt, arkiverat, kan återupptas.
    Audit(audit::AuditArgs),
    /// Internt: läser en pdf från stdin och skriver dess text som JSON (körs av granskningen).
    #[command(hide = true, name = "pdf-text")]
    PdfText {
        /// Högsta antal sidor som läses.
        #[arg(long, default_value_t = crate::pdf::DEFAULT_MAX_PDF_PAGES)]
        max_pages: usize,
        /// Gräns för processens adressrymd i MiB (0 = ingen).
        #[arg(long, default_value_t = crate::pdf::DEFAULT_PDF_MEMORY_MB)]
        memory_mb: u64,
        /// Gräns för processortid i sekunder (0 = ingen).
        #[arg(long, default_value_t = 0)]
        cpu_seconds: u64,
    },
    /// Kör granskningen mot de inbyggda testwebbplatserna på 127.0.0.1.
    Demo {
        /// Högsta antal förfrågningar per sekund och värd.
        #[arg(long, default_value_t = 10.0)]
        rate: f64,
        /// Kontrollera de handskrivna testwebbplatserna i stället för hela den syntetiska gården.
        #[arg(long)]
        fixtures: bool,
        /// Katalog för demokörningen.
        #[arg(long, default_value = "infokoll-demo")]
        out: PathBuf,
        /// Frö för den syntetiska gården.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Bara de N första kommunerna.
        #[arg(long)]
        limit: Option<usize>,
        /// Antal kommuner som granskas samtidigt.
        #[arg(long, default_value_t = 290)]
        concurrency: usize,
        /// Regelkatalog i stället för de inbyggda reglerna.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Katalog med testwebbplatser i stället för de inbyggda.
        #[arg(long)]
        sites: Option<PathBuf>,
        /// Utdataformat.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Räkna poäng (delindex Information, uppskattning), placeringar och antal per punkt.
    Score(score::ScoreArgs),
    /// Detektera om en tidigare körnings arkiverade sidor med nuvarande (eller andra) regler, utan nätet.
    Redetect(redetect::RedetectArgs),
    /// Skriv rapporterna: HTML per kommun, nationell rapport, CSV, XLSX och JSON.
    Report(report::ReportArgs),
    /// Granska flaggade fynd i en webbapp (och hantera granskarkonton).
    Review(review::ReviewArgs),
    /// Lista de 290 kommunerna.
    Kommuner {
        /// Utdataformat.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Kör reglerna på lokala HTML-filer, sida för sida.
    Detect {
        /// Filer eller kataloger.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Utdataformat.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Regelkatalog.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Mät reglerna mot märkta sidor (precision, träffsäkerhet, F1).
    Eval {
        /// Katalog med sidorna (kan anges flera gånger, i par med --labels).
        #[arg(long)]
        pages: Vec<PathBuf>,
        /// CSV med kolumnerna file,url,kommun,item,present,note (en per --pages, i samma ordning).
        #[arg(long)]
        labels: Vec<PathBuf>,
        /// Katalog med uppsättningar: själv med labels.csv och pages/, eller en underkatalog per uppsättning.
        #[arg(long)]
        sets: Vec<PathBuf>,
        /// Uppskatta i stället ur granskarnas beslut i en granskningskatalog.
        #[command(flatten)]
        review: review_eval::RunEvalArgs,
        /// Utdataformat.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Regelkatalog.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Kontrollera regelfilerna.
    Rules {
        /// Vad som ska göras.
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Prestandamätningar som skriver ut siffror.
    Bench {
        /// Vad som mäts.
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Servera den syntetiska gården (för benchmark och manuella prov).
    #[command(hide = true)]
    ServeFarm {
        /// Frö.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Minst antal sidor per webbplats.
        #[arg(long, default_value_t = 15)]
        pages_min: usize,
        /// Högst antal sidor per webbplats.
        #[arg(long, default_value_t = 60)]
        pages_max: usize,
        /// Adress att lyssna på.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
    },
    /// Servera testwebbplatserna på en adress (för manuella prov).
    #[command(hide = true)]
    ServeFixtures {
        /// Katalog med webbplatser (standard: de inbyggda).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Adress att lyssna på.
        #[arg(long, default_value = "127.0.0.1:8099")]
        addr: std::net::SocketAddr,
    },
}

/// `bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchWhat {
    /// Extrahering och detektering över en katalog med HTML-sidor, på en kärna.
    Detect {
        /// Katalog med sidor.
        #[arg(long, default_value = "../shared/eval/dev/pages")]
        pages: PathBuf,
        /// Antal varv.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Regelkatalog.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Hela granskningen av den syntetiska gården: väggtid mot artighetsgränsen, CPU per sida, minne.
    Audit {
        /// Förfrågningar per sekund och värd.
        #[arg(long, default_value_t = 2.0)]
        rate: f64,
        /// Minst antal sidor per webbplats.
        #[arg(long, default_value_t = 20)]
        pages_min: usize,
        /// Högst antal sidor per webbplats.
        #[arg(long, default_value_t = 60)]
        pages_max: usize,
        /// Frö.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Antal kommuner samtidigt.
        #[arg(long, default_value_t = 290)]
        concurrency: usize,
        /// Bara de N första kommunerna.
        #[arg(long)]
        limit: Option<usize>,
        /// Läs varje webbplats till sidbudgeten i stället för att sluta när ämnet är uttömt (för jämförelse).
        #[arg(long)]
        read_all: bool,
    },
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Kör varje regels egna exempel.
    Test {
        /// Regelkatalog.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Validera regelfilerna utan att köra dem.
    Lint {
        /// Regelkatalog.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

/// An error with its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    pub(crate) fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: EXIT_BAD_INPUT,
            error: error.into(),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Self {
            code: 1,
            error: e.into(),
        }
    }
}

/// Loads the built-in rules or a rules directory; errors exit with code 2.
pub(crate) fn load_rules(dir: Option<&PathBuf>) -> Result<RuleSet, Failure> {
    let loaded = match dir {
        Some(d) => RuleSet::from_dir(d),
        None => RuleSet::builtin(),
    };
    loaded.map_err(|e| Failure::bad_input(anyhow::anyhow!("regelfilerna har fel:\n{e}")))
}

/// Runs the CLI with `std::env::args`.
///
/// Output to a closed pipe (`infokoll kommuner | head`) ends the program
/// quietly like other Unix tools (SIGPIPE, exit status 141 in the shell)
/// instead of a panic. The review server keeps Rust's default (its sockets
/// report closed peers as errors).
pub fn main() -> ExitCode {
    let serving = std::env::args_os().nth(1).is_some_and(|a| a == "review");
    if !serving {
        sigpipe::reset();
    }
    run(std::env::args_os())
}

/// Runs the CLI with the given arguments (the first is the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // `audit` and the farm `demo` log to their directory's file instead.
    let logs_to_file = match &cli.command {
        Command::Audit(_) => true,
        Command::Demo {
            fixtures,
            rules,
            sites,
            ..
        } => !*fixtures && rules.is_none() && sites.is_none(),
        _ => false,
    };
    if !logs_to_file {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("INFOKOLL_LOG"))
            .with_writer(std::io::stderr)
            .try_init();
    }
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("fel: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

fn dispatch(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Check {
            target,
            format,
            rules,
            against,
            fetch,
        } => check::run(&target, format, rules.as_ref(), against.as_deref(), &fetch),
        Command::Audit(args) => audit::run(&args),
        Command::PdfText {
            max_pages,
            memory_mb,
            cpu_seconds,
        } => Ok(crate::pdf::helper::run(crate::pdf::helper::HelperLimits {
            max_pages,
            memory_mb,
            cpu_seconds,
        })),
        Command::Demo {
            rate,
            fixtures,
            out,
            seed,
            limit,
            concurrency,
            format,
            rules,
            sites,
        } => {
            if fixtures || rules.is_some() || sites.is_some() {
                demo::run(rate, format, rules.as_ref(), sites.as_ref())
            } else {
                farm_demo::run(&farm_demo::FarmDemo {
                    out,
                    rate,
                    seed,
                    limit,
                    format,
                    concurrency,
                })
            }
        }
        Command::Score(args) => score::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Redetect(args) => redetect::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Kommuner { format } => local::kommuner(format),
        Command::Detect {
            paths,
            format,
            rules,
        } => local::detect(&paths, format, rules.as_ref()),
        Command::Eval {
            pages,
            labels,
            sets,
            review,
            format,
            rules,
        } => {
            if review.run.is_some() {
                review_eval::run(&review, format, rules.as_ref())
            } else {
                local::eval(&pages, &labels, &sets, format, rules.as_ref())
            }
        }
        Command::Rules { action } => match action {
            RulesAction::Test { rules } => local::rules_test(rules.as_ref()),
            RulesAction::Lint { rules } => local::rules_lint(rules.as_ref()),
        },
        Command::Bench { what } => match what {
            BenchWhat::Detect {
                pages,
                repeat,
                rules,
            } => bench::detect_throughput(&pages, repeat.max(1), rules.as_ref()),
            BenchWhat::Audit {
                rate,
                pages_min,
                pages_max,
                seed,
                concurrency,
                limit,
                read_all,
            } => bench::audit(&bench::AuditBench {
                rate,
                pages_min,
                pages_max,
                seed,
                concurrency,
                limit,
                read_all,
            }),
        },
        Command::ServeFarm {
            seed,
            pages_min,
            pages_max,
            addr,
        } => demo::serve_farm(seed, pages_min, pages_max, addr),
        Command::ServeFixtures { dir, addr } => demo::serve(dir.as_ref(), addr),
    }
}

/// A tokio runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Every page's detection runs in `block_in_place`, which hands the
        // worker's other tasks to a fresh thread. Uncapped (tokio's default
        // is 512), an audit of 290 sites grew to ~290 threads, each with its
        // own allocator heap: 3 GiB peak RSS in `bench audit`. A small pool
        // keeps the threads (and their heaps) few and reused.
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()?)
}

/// Threads tokio may start for blocking work and `block_in_place`.
const MAX_BLOCKING_THREADS: usize = 16;
