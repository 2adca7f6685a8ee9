//! [`write_to_dir`]: the farm as fixture-site directories, with
//! `_server.toml` and `truth.toml` in the formats of
//! [`crate::fixture_server`], for inspection (and loadable again with
//! [`crate::fixture_server::Sites::from_dir`]).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::fixture_server::{Route, SiteConfig, CONFIG_FILE, TRUTH_FILE};

use super::{Farm, FarmTruth, VENDOR_FRAME_HOST, VENDOR_LINK_HOST};

/// Errors while writing a farm to disk.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file or directory could not be written.
    #[error("kunde inte skriva {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A TOML file could not be serialised.
    #[error("kunde inte skapa {path}: {message}")]
    Toml {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes every host of `farm` to `dir/<host>/…` (files by their fixture
/// keys, e.g. `index.php@id=12`), each site's `_server.toml` when it has
/// one, and a `truth.toml` for every municipality, vendor and e-service host.
pub fn write_to_dir(farm: &Farm, dir: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let municipal: BTreeSet<String> = farm
        .truths
        .values()
        .filter_map(|t| t.start.host_str().map(str::to_owned))
        .collect();
    for host in farm.sites.hosts() {
        let Some(site) = farm.sites.get(host) else {
            continue;
        };
        let root = dir.join(host);
        let mut keys: Vec<&String> = site.files.keys().collect();
        keys.sort();
        for key in keys {
            let path = root.join(key);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            let bytes = site.files.get(key).map_or(&[][..], Vec::as_slice);
            std::fs::write(&path, bytes).map_err(io_err(&path))?;
        }
        std::fs::create_dir_all(&root).map_err(io_err(&root))?;
        if site.config != SiteConfig::default() {
            let path = root.join(CONFIG_FILE);
            let text = config_toml(&site.config).map_err(|message| WriteError::Toml {
                path: path.clone(),
                message,
            })?;
            std::fs::write(&path, text).map_err(io_err(&path))?;
        }
        let truth = if municipal.contains(host) {
            farm.truths
                .values()
                .find(|t| t.start.host_str() == Some(host))
                .map(truth_toml)
        } else if host == VENDOR_LINK_HOST || host == VENDOR_FRAME_HOST {
            Some(helper_toml(host, "vendor"))
        } else {
            Some(helper_toml(host, "eservice"))
        };
        if let Some(text) = truth {
            let path = root.join(TRUTH_FILE);
            let text = text.map_err(|message| WriteError::Toml {
                path: path.clone(),
                message,
            })?;
            std::fs::write(&path, text).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// `_server.toml` text of a config.
pub(crate) fn config_toml(config: &SiteConfig) -> Result<String, String> {
    let mut table = Table::new();
    if let Some(cs) = &config.charset {
        table.insert("charset".to_owned(), Value::String(cs.clone()));
    }
    let routes: Vec<Value> = config
        .routes
        .iter()
        .map(|r| Value::Table(route_table(r)))
        .collect();
    if !routes.is_empty() {
        table.insert("route".to_owned(), Value::Array(routes));
    }
    toml::to_string(&table).map_err(|e| e.to_string())
}

fn route_table(r: &Route) -> Table {
    let mut t = Table::new();
    t.insert("path".to_owned(), Value::String(r.path.clone()));
    let strings = [
        ("body", &r.body),
        ("content_type", &r.content_type),
        ("redirect", &r.redirect),
        ("retry_after", &r.retry_after),
    ];
    for (k, v) in strings {
        if let Some(v) = v {
            t.insert(k.to_owned(), Value::String(v.clone()));
        }
    }
    let ints = [
        ("status", r.status.map(i64::from)),
        ("delay_ms", r.delay_ms.and_then(|d| i64::try_from(d).ok())),
        ("times", r.times.map(i64::from)),
        ("gzip_bomb_mb", r.gzip_bomb_mb.map(i64::from)),
        ("size_mb", r.size_mb.map(i64::from)),
    ];
    for (k, v) in ints {
        if let Some(v) = v {
            t.insert(k.to_owned(), Value::Integer(v));
        }
    }
    if r.close {
        t.insert("close".to_owned(), Value::Boolean(true));
    }
    if !r.headers.is_empty() {
        let h: Table = r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        t.insert("headers".to_owned(), Value::Table(h));
    }
    t
}

fn truth_toml(t: &FarmTruth) -> Result<String, String> {
    let mut table = Table::new();
    table.insert("name".to_owned(), Value::String(t.name.clone()));
    table.insert("start".to_owned(), Value::String(t.start.to_string()));
    table.insert("style".to_owned(), Value::String(t.style.clone()));
    table.insert("status".to_owned(), Value::String(t.status.clone()));
    let items: Table = t
        .items
        .iter()
        .map(|(k, v)| (k.clone(), Value::Boolean(*v)))
        .collect();
    table.insert("items".to_owned(), Value::Table(items));
    let evidence: Table = t
        .evidence
        .iter()
        .map(|(k, u)| {
            let mut p = u.path().to_owned();
            if let Some(q) = u.query() {
                p.push('?');
                p.push_str(q);
            }
            (k.clone(), Value::String(p))
        })
        .collect();
    table.insert("evidence".to_owned(), Value::Table(evidence));
    let body = toml::to_string(&table).map_err(|e| e.to_string())?;
    let fault = t.fault.map_or("none", super::Fault::code);
    Ok(format!(
        "# Generated by infokoll's farm. fault: {fault}; pages on the host: {}\n{body}",
        t.pages
    ))
}

fn helper_toml(host: &str, role: &str) -> Result<String, String> {
    let mut table = Table::new();
    let name = if role == "vendor" {
        format!("{host} (leverantör av avgiftsberäkning)")
    } else {
        format!("{host} (e-tjänster)")
    };
    table.insert("name".to_owned(), Value::String(name));
    table.insert("role".to_owned(), Value::String(role.to_owned()));
    toml::to_string(&table).map_err(|e| e.to_string())
}
