//! `truth.toml`: what a careful human auditor finds on a fixture site.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The truth of one fixture site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truth {
    /// The municipality's (fictional) name.
    pub name: String,
    /// Start URL (municipality sites only).
    #[serde(default)]
    pub start: Option<String>,
    /// What the site's style shows.
    #[serde(default)]
    pub style: Option<String>,
    /// `vendor` or `eservice` for helper hosts; absent for municipality sites.
    #[serde(default)]
    pub role: Option<String>,
    /// Expected site status code (`ok`, `unreachable`, `robots_unavailable`, `redirect_loop`).
    #[serde(default = "ok")]
    pub status: String,
    /// Item id → present.
    #[serde(default)]
    pub items: BTreeMap<String, bool>,
    /// Item id → path of the page that shows it.
    #[serde(default)]
    pub evidence: BTreeMap<String, String>,
}

fn ok() -> String {
    "ok".to_owned()
}

impl Truth {
    /// Parses a `truth.toml` text.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// True for a municipality site (not a vendor or e-service host).
    pub fn is_municipality(&self) -> bool {
        self.role.is_none() && self.start.is_some()
    }
}

/// Every `<host>/truth.toml` of an embedded site tree, by host.
pub fn embedded_truths(dir: &include_dir::Dir<'_>) -> Vec<(String, Result<Truth, String>)> {
    let mut out = Vec::new();
    for sub in dir.dirs() {
        let host = sub
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(f) = sub.get_file(sub.path().join(super::TRUTH_FILE)) {
            let parsed = f
                .contents_utf8()
                .ok_or_else(|| "truth.toml är inte UTF-8".to_owned())
                .and_then(|t| Truth::parse(t).map_err(|e| e.to_string()));
            out.push((host, parsed));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every `<host>/truth.toml` below a directory, by host.
pub fn dir_truths(root: &std::path::Path) -> Vec<(String, Result<Truth, String>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path().join(super::TRUTH_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let host = entry.file_name().to_string_lossy().into_owned();
            out.push((
                host,
                Truth::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
