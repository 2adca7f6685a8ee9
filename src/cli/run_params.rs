//! What an audit run remembers about how it was started (issue 15), so that
//! `audit --resume DIR` continues it exactly and `audit --out DIR` on an
//! existing run with other parameters is refused before any request.
//!
//! The parameters live in the run's `params_json` (in the store) under
//! [`KEY`]. Paths are stored absolute; the registry and the rules are also
//! stored as digests, so a file that changed since is noticed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Failure;
use crate::registry::Municipality;
use crate::rules::RuleSet;
use crate::store::{Store, FILE_NAME};

/// The key of the parameters in `runs.params_json`.
pub(crate) const KEY: &str = "infokoll_audit";

/// The parameters that decide what a run fetches and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunParams {
    /// The registry file (`None`: the built-in one).
    pub(crate) registry: Option<PathBuf>,
    /// SHA-256 over the registry's municipalities.
    pub(crate) registry_digest: String,
    /// `--only` codes (`None`: all of the registry).
    pub(crate) only: Option<Vec<String>>,
    /// The audit year.
    pub(crate) year: u16,
    /// Requests per second and host.
    pub(crate) rate: f64,
    /// The proxy.
    pub(crate) proxy: Option<String>,
    /// The contact address in the User-Agent.
    pub(crate) contact: String,
    /// Timeout per request (s).
    pub(crate) timeout: u64,
    /// Pages per site.
    pub(crate) max_pages: usize,
    /// Click depth.
    pub(crate) max_depth: u32,
    /// The rules directory (`None`: the built-in rules).
    pub(crate) rules: Option<PathBuf>,
    /// SHA-256 over the compiled rules.
    pub(crate) rules_digest: String,
    /// The previous run for conditional requests.
    pub(crate) previous: Option<PathBuf>,
}

/// A digest of the registry's municipalities (code, name, county, homepage,
/// population), the same for the built-in list and a file with its content.
pub(crate) fn registry_digest(all: &[Municipality]) -> String {
    let mut h = Sha256::new();
    for m in all {
        h.update(
            format!(
                "{};{};{};{};{}\n",
                m.code, m.name, m.county, m.homepage, m.population
            )
            .as_bytes(),
        );
    }
    hex(&h.finalize())
}

/// A digest of the compiled rules (ids, signals, patterns, weights,
/// thresholds).
pub(crate) fn rules_digest(rules: &RuleSet) -> String {
    hex(&Sha256::digest(format!("{:?}", rules.rules).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// An absolute form of a path given on the command line.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// What a directory holds.
#[derive(Debug)]
pub(crate) enum Stored {
    /// No store, or a store without a run.
    Nothing,
    /// A run from before parameters were stored.
    Legacy,
    /// A run with its parameters.
    Run(Box<RunParams>),
}

/// The parameters of the latest run in `dir`.
pub(crate) fn stored(dir: &Path) -> Result<Stored, Failure> {
    if !dir.join(FILE_NAME).is_file() {
        return Ok(Stored::Nothing);
    }
    let store = Store::open_in_dir(dir).map_err(Failure::bad_input)?;
    let Some(run) = store.latest_run().map_err(Failure::bad_input)? else {
        return Ok(Stored::Nothing);
    };
    match run.params.get(KEY) {
        None => Ok(Stored::Legacy),
        Some(v) => serde_json::from_value(v.clone())
            .map(|p| Stored::Run(Box::new(p)))
            .map_err(|e| {
                Failure::bad_input(anyhow!(
                    "{}: körningens sparade inställningar går inte att läsa: {e}",
                    dir.join(FILE_NAME).display()
                ))
            }),
    }
}

/// Begins the run in `dir` with `params` recorded (the audit then
/// continues this run).
pub(crate) fn begin(
    dir: &Path,
    params: &RunParams,
    extra: serde_json::Value,
) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::bad_input(anyhow!("kan inte skapa {}: {e}", dir.display())))?;
    let store = Store::open_in_dir(dir)?;
    let mut json = extra;
    if let Some(map) = json.as_object_mut() {
        map.insert(KEY.to_owned(), serde_json::to_value(params)?);
    }
    store.begin_run(params.year, &json)?;
    Ok(())
}

/// The differences between a stored run and the present command, one
/// Swedish line each (`--flagga: sparad → nu`).
pub(crate) fn differences(stored: &RunParams, now: &RunParams) -> Vec<String> {
    fn show<T>(v: Option<&T>, none: &str, f: impl Fn(&T) -> String) -> String {
        v.map_or_else(|| none.to_owned(), f)
    }
    let path = |p: &PathBuf| p.display().to_string();
    let mut out = Vec::new();
    let diff = |out: &mut Vec<String>, flag: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{flag}: {a} i körningen, {b} nu"));
        }
    };
    diff(
        &mut out,
        "--registry",
        show(stored.registry.as_ref(), "det inbyggda registret", path),
        show(now.registry.as_ref(), "det inbyggda registret", path),
    );
    if stored.registry == now.registry && stored.registry_digest != now.registry_digest {
        out.push("--registry: registrets innehåll har ändrats sedan körningen började".into());
    }
    diff(
        &mut out,
        "--only",
        show(stored.only.as_ref(), "alla kommuner", |v| v.join(",")),
        show(now.only.as_ref(), "alla kommuner", |v| v.join(",")),
    );
    diff(
        &mut out,
        "--year",
        stored.year.to_string(),
        now.year.to_string(),
    );
    diff(
        &mut out,
        "--rate",
        stored.rate.to_string(),
        now.rate.to_string(),
    );
    diff(
        &mut out,
        "--proxy",
        show(stored.proxy.as_ref(), "ingen", Clone::clone),
        show(now.proxy.as_ref(), "ingen", Clone::clone),
    );
    diff(
        &mut out,
        "--contact",
        stored.contact.clone(),
        now.contact.clone(),
    );
    diff(
        &mut out,
        "--timeout",
        stored.timeout.to_string(),
        now.timeout.to_string(),
    );
    diff(
        &mut out,
        "--max-pages",
        stored.max_pages.to_string(),
        now.max_pages.to_string(),
    );
    diff(
        &mut out,
        "--max-depth",
        stored.max_depth.to_string(),
        now.max_depth.to_string(),
    );
    diff(
        &mut out,
        "--rules",
        show(stored.rules.as_ref(), "de inbyggda reglerna", path),
        show(now.rules.as_ref(), "de inbyggda reglerna", path),
    );
    if stored.rules == now.rules && stored.rules_digest != now.rules_digest {
        out.push("--rules: reglerna har ändrats sedan körningen började".into());
    }
    diff(
        &mut out,
        "--previous",
        show(stored.previous.as_ref(), "ingen", path),
        show(now.previous.as_ref(), "ingen", path),
    );
    out
}

/// The command that continues the run in `dir`.
pub(crate) fn resume_command(dir: &Path) -> String {
    let shown = dir.display().to_string();
    let safe = shown
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':'));
    if safe {
        format!("infokoll audit --resume {shown}")
    } else {
        format!("infokoll audit --resume '{}'", shown.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn params() -> RunParams {
        RunParams {
            registry: None,
            registry_digest: "a".into(),
            only: Some(vec!["0188".into()]),
            year: 2026,
            rate: 1.0,
            proxy: None,
            contact: "x".into(),
            timeout: 20,
            max_pages: 300,
            max_depth: 8,
            rules: None,
            rules_digest: "r".into(),
            previous: None,
        }
    }

    #[test]
    fn differences_name_each_flag() {
        let a = params();
        assert!(differences(&a, &a).is_empty());
        let mut b = params();
        b.only = None;
        b.rate = 2.0;
        b.registry_digest = "b".into();
        let d = differences(&a, &b);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].starts_with("--registry: registrets innehåll"), "{d:?}");
        assert_eq!(d[1], "--only: 0188 i körningen, alla kommuner nu");
        assert_eq!(d[2], "--rate: 1 i körningen, 2 nu");
        assert_eq!(
            resume_command(Path::new("/tmp/a b")),
            "infokoll audit --resume '/tmp/a b'"
        );
    }
}
