//! `infokoll review`: the reviewer web app over an audit directory
//! ([`crate::review`]), and `infokoll review user add|list` for its
//! accounts.

use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Subcommand;

use super::{load_rules, runtime, Failure};
use crate::review::{serve, Accounts, ReviewConfig, ReviewError, ReviewState, DEFAULT_SAMPLE};
use crate::score::Model;

/// Arguments of `infokoll review`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReviewArgs {
    /// Granskningskatalogen (med infokoll.sqlite); dess senaste körning granskas.
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// Adress att lyssna på (standard: bara den egna datorn).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// En tidigare granskningskatalog: fynd som ändrats sedan dess flaggas.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Andel av de säkra bedömningarna som dras slumpvis till stickprovet (0–1).
    #[arg(long, default_value_t = DEFAULT_SAMPLE)]
    pub sample: f64,
    /// Sätt Secure på sessionskakan (när appen nås över TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Modellfil i stället för den inbyggda rules/model.toml.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Regelkatalog i stället för de inbyggda reglerna.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Kontohantering i stället för att starta appen.
    #[command(subcommand)]
    pub action: Option<ReviewAction>,
}

/// `review` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ReviewAction {
    /// Granskarkonton.
    User {
        /// Vad som ska göras.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Skriv de granskade fyndens sidor (sanerade) och labels.csv som en märkt sidsamling.
    Export(super::review_export::ExportArgs),
}

/// `review user` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum UserAction {
    /// Lägg till en granskare; lösenordet läses från standard in (första raden).
    Add {
        /// Inloggningsnamn (bokstäver, siffror, '.', '_', '-').
        name: String,
        /// Läs lösenordet från standard in.
        #[arg(long)]
        password_stdin: bool,
        /// Granskningskatalogen (kontona sparas i reviewers.sqlite där).
        #[arg(long)]
        run: Option<PathBuf>,
    },
    /// Lista granskarna.
    List {
        /// Granskningskatalogen.
        #[arg(long)]
        run: Option<PathBuf>,
    },
}

/// Runs `infokoll review`.
pub(crate) fn run(args: &ReviewArgs) -> Result<u8, Failure> {
    match &args.action {
        Some(ReviewAction::User { action }) => user(action, args.run.as_deref()),
        Some(ReviewAction::Export(export)) => {
            super::review_export::run(export, args.run.as_deref())
        }
        None => serve_app(args),
    }
}

/// The audit directory from the subcommand's or the parent's `--run`.
fn run_dir<'a>(own: Option<&'a Path>, parent: Option<&'a Path>) -> Result<&'a Path, Failure> {
    let dir = own
        .or(parent)
        .ok_or_else(|| Failure::bad_input(anyhow!("ange granskningskatalogen med --run DIR")))?;
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(Failure::bad_input(anyhow!(
            "granskningskatalogen {} finns inte",
            dir.display()
        )))
    }
}

/// Errors caused by the user's input exit 2, others 1.
fn failure(e: ReviewError) -> Failure {
    match e {
        ReviewError::InvalidName(_)
        | ReviewError::ReviewerExists(_)
        | ReviewError::WeakPassword { .. }
        | ReviewError::NoDatabase(_)
        | ReviewError::NoRun(_)
        | ReviewError::Score(_) => Failure::bad_input(e),
        other => other.into(),
    }
}

fn user(action: &UserAction, parent: Option<&Path>) -> Result<u8, Failure> {
    match action {
        UserAction::Add {
            name,
            password_stdin,
            run,
        } => {
            let dir = run_dir(run.as_deref(), parent)?;
            if !password_stdin {
                return Err(Failure::bad_input(anyhow!(
                    "lösenordet läses bara från standard in: lägg till --password-stdin"
                )));
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = line.trim_end_matches(['\n', '\r']);
            let accounts = Accounts::open(dir).map_err(failure)?;
            accounts.add(name, password).map_err(failure)?;
            println!(
                "Granskaren {name} är tillagd i {}.",
                dir.join(crate::review::ACCOUNTS_FILE).display()
            );
            Ok(0)
        }
        UserAction::List { run } => {
            let dir = run_dir(run.as_deref(), parent)?;
            let accounts = Accounts::open(dir).map_err(failure)?;
            let list = accounts.list().map_err(failure)?;
            if list.is_empty() {
                println!("Inga granskare ännu.");
            }
            for r in list {
                println!("{}", r.name);
            }
            Ok(0)
        }
    }
}

fn serve_app(args: &ReviewArgs) -> Result<u8, Failure> {
    let dir = run_dir(args.run.as_deref(), None)?;
    if !(0.0..=1.0).contains(&args.sample) {
        return Err(Failure::bad_input(anyhow!(
            "--sample måste vara mellan 0 och 1 (t.ex. 0.05 för 5 %)"
        )));
    }
    let rules = load_rules(args.rules.as_ref())?;
    let model = Model::load(args.model.as_deref(), &rules).map_err(Failure::bad_input)?;
    let config = ReviewConfig {
        dir: dir.to_path_buf(),
        previous: args.previous.clone(),
        sample: args.sample,
        secure_cookies: args.secure_cookies,
    };
    let state = ReviewState::open(config, rules, model).map_err(failure)?;
    let counts: Vec<String> = state
        .reason_counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{n} {}", r.label_sv()))
        .collect();
    println!(
        "{} flaggade fynd{}",
        state.queue().len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        }
    );
    let reviewers = Accounts::open(dir)
        .and_then(|a| a.list())
        .map_err(failure)?;
    if reviewers.is_empty() {
        println!(
            "Inga granskare ännu: lägg till med `infokoll review user add NAMN --password-stdin --run {}`.",
            dir.display()
        );
    }
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "Varning: appen lyssnar på {}, inte bara på den egna datorn. Använd TLS framför den och --secure-cookies.",
            args.addr
        );
    }
    runtime()?
        .block_on(serve(state, args.addr, |addr| {
            println!("Granskningsappen körs på http://{addr}/ (avsluta med Ctrl-C)");
        }))
        .map_err(failure)?;
    Ok(0)
}
