//! The fixture sites in memory, how they are loaded, and how a request path
//! is mapped to a file (see the module docs of [`super`] for the rules).

use std::collections::HashMap;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use super::config::SiteConfig;
use super::FixtureError;

/// Name of the per-site configuration file.
pub const CONFIG_FILE: &str = "_server.toml";
/// Name of the per-site ground-truth file (never served).
pub const TRUTH_FILE: &str = "truth.toml";

/// All fixture sites, keyed by lower-case host name.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    sites: HashMap<String, Site>,
}

/// One fixture site.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Files by relative path (`omsorg/index.html`, `index.php@id=12`).
    pub files: HashMap<String, Vec<u8>>,
    /// Behaviour from `_server.toml`.
    pub config: SiteConfig,
}

/// The result of mapping a request to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The key in [`Site::files`].
    pub key: String,
    /// The key without the `@query` part (decides the content type).
    pub base: String,
}

impl Sites {
    /// No sites.
    pub fn new() -> Sites {
        Sites::default()
    }

    /// Loads every subdirectory of `root` as a site named after the
    /// directory (`root/www.solvik.se/…`). Plain files directly in `root`
    /// are ignored.
    pub fn from_dir(root: &Path) -> Result<Sites, FixtureError> {
        let mut sites = Sites::new();
        let entries = std::fs::read_dir(root).map_err(|e| FixtureError::io(root, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| FixtureError::io(root, e))?;
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let host = file_name_str(&path)?;
            let site = sites.site_entry(&host)?;
            load_dir(site, &path, "")?;
        }
        Ok(sites)
    }

    /// Loads sites from a directory embedded with `include_dir!`, same
    /// layout as [`Sites::from_dir`].
    pub fn from_embedded(dir: &'static include_dir::Dir<'static>) -> Result<Sites, FixtureError> {
        let mut sites = Sites::new();
        for host_dir in dir.dirs() {
            let host = file_name_str(host_dir.path())?;
            let site = sites.site_entry(&host)?;
            load_embedded(site, host_dir, host_dir.path())?;
        }
        Ok(sites)
    }

    /// Adds (or replaces) one file; `path` may start with `/`. Creates the
    /// site when needed. Configuration and truth files are ignored.
    pub fn insert_file(&mut self, host: &str, path: &str, bytes: impl Into<Vec<u8>>) {
        let key = normalize_key(path);
        if is_hidden(&key) {
            return;
        }
        self.sites
            .entry(normalize_host(host))
            .or_default()
            .files
            .insert(key, bytes.into());
    }

    /// Sets the behaviour of a site (created when needed). The config is
    /// validated when the server starts.
    pub fn set_config(&mut self, host: &str, config: SiteConfig) {
        self.sites.entry(normalize_host(host)).or_default().config = config;
    }

    /// Host names, sorted.
    pub fn hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self.sites.keys().map(String::as_str).collect();
        hosts.sort_unstable();
        hosts
    }

    /// The site for a host (case-insensitive, port and trailing dot ignored).
    pub fn get(&self, host: &str) -> Option<&Site> {
        self.sites.get(&normalize_host(host))
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether there are no sites.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Moves all sites of `other` into `self` (files of the same path are
    /// replaced, the config of `other` wins when it is not default).
    pub fn merge(&mut self, other: Sites) {
        for (host, site) in other.sites {
            let mine = self.sites.entry(host).or_default();
            mine.files.extend(site.files);
            if site.config != SiteConfig::default() {
                mine.config = site.config;
            }
        }
    }

    /// Consumes the collection (used by the server).
    pub(crate) fn into_inner(self) -> HashMap<String, Site> {
        self.sites
    }

    fn site_entry(&mut self, host: &str) -> Result<&mut Site, FixtureError> {
        let host = normalize_host(host);
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(FixtureError::InvalidHost(host));
        }
        Ok(self.sites.entry(host).or_default())
    }
}

impl Site {
    /// Maps a request path (undecoded, starting with `/`) and optional raw
    /// query to a served file.
    pub fn resolve(&self, path: &str, query: Option<&str>) -> Option<Resolved> {
        resolve_with(path, query, |k| self.files.contains_key(k))
    }
}

/// The mapping rules, over any set of keys.
pub(crate) fn resolve_with(
    path: &str,
    query: Option<&str>,
    exists: impl Fn(&str) -> bool,
) -> Option<Resolved> {
    let decoded = percent_decode(path);
    let rel = decoded.trim_start_matches('/');
    let candidates: Vec<String> = if rel.is_empty() {
        vec!["index.html".to_owned()]
    } else if rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else {
        vec![
            rel.to_owned(),
            format!("{rel}.html"),
            format!("{rel}/index.html"),
        ]
    };
    let candidates: Vec<String> = candidates.into_iter().filter(|c| !is_hidden(c)).collect();
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        let decoded_q = percent_decode(q);
        for base in &candidates {
            for q in [q, decoded_q.as_str()] {
                let key = format!("{base}@{q}");
                if exists(&key) {
                    return Some(Resolved {
                        key,
                        base: base.clone(),
                    });
                }
            }
        }
    }
    candidates
        .into_iter()
        .find(|c| exists(c))
        .map(|c| Resolved {
            key: c.clone(),
            base: c,
        })
}

/// Content-Type for a file key (by extension of its last component).
pub(crate) fn content_type_for(base: &str, charset: Option<&str>) -> String {
    let name = base.rsplit('/').next().unwrap_or(base);
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    };
    let fixed = match ext.as_str() {
        "" | "html" | "htm" | "php" | "asp" | "aspx" | "jsp" | "shtml" | "cfm" => {
            return match charset {
                None => "text/html; charset=utf-8".to_owned(),
                Some("") => "text/html".to_owned(),
                Some(cs) => format!("text/html; charset={cs}"),
            }
        }
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    };
    fixed.to_owned()
}

/// Decodes `%XX` escapes (invalid escapes are kept) and normalizes to NFC.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).nfc().collect()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Lower case, without port, brackets kept for IPv6, trailing dot removed.
pub(crate) fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let without_port = if host.starts_with('[') {
        host.split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    without_port.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether a key names a file that is never served.
pub(crate) fn is_hidden(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    name.starts_with('_') || name == TRUTH_FILE
}

fn normalize_key(path: &str) -> String {
    path.trim_start_matches('/').nfc().collect()
}

fn file_name_str(path: &Path) -> Result<String, FixtureError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| FixtureError::NotUtf8(path.to_path_buf()))
}

fn load_dir(site: &mut Site, dir: &Path, prefix: &str) -> Result<(), FixtureError> {
    let entries = std::fs::read_dir(dir).map_err(|e| FixtureError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| FixtureError::io(dir, e))?;
        let path = entry.path();
        let name = file_name_str(&path)?;
        let key = format!("{prefix}{name}");
        if path.is_dir() {
            load_dir(site, &path, &format!("{key}/"))?;
        } else if prefix.is_empty() && name == CONFIG_FILE {
            let text = std::fs::read_to_string(&path).map_err(|e| FixtureError::io(&path, e))?;
            site.config =
                SiteConfig::from_toml_str(&text).map_err(|message| FixtureError::Config {
                    file: path.clone(),
                    message,
                })?;
        } else if !is_hidden(&key) {
            let bytes = std::fs::read(&path).map_err(|e| FixtureError::io(&path, e))?;
            site.files.insert(normalize_key(&key), bytes);
        }
    }
    Ok(())
}

fn load_embedded(
    site: &mut Site,
    dir: &'static include_dir::Dir<'static>,
    host_root: &Path,
) -> Result<(), FixtureError> {
    for file in dir.files() {
        let rel = file
            .path()
            .strip_prefix(host_root)
            .map_err(|_| FixtureError::NotUtf8(file.path().to_path_buf()))?;
        let key = rel
            .to_str()
            .ok_or_else(|| FixtureError::NotUtf8(file.path().to_path_buf()))?
            .replace('\\', "/");
        if key == CONFIG_FILE {
            let text = std::str::from_utf8(file.contents()).map_err(|_| FixtureError::Config {
                file: file.path().to_path_buf(),
                message: "inte UTF-8".to_owned(),
            })?;
            site.config =
                SiteConfig::from_toml_str(text).map_err(|message| FixtureError::Config {
                    file: file.path().to_path_buf(),
                    message,
                })?;
        } else if !is_hidden(&key) {
            site.files
                .insert(normalize_key(&key), file.contents().to_vec());
        }
    }
    for sub in dir.dirs() {
        load_embedded(site, sub, host_root)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn site(keys: &[&str]) -> Site {
        let mut s = Site::default();
        for k in keys {
            s.files.insert((*k).to_owned(), k.as_bytes().to_vec());
        }
        s
    }

    fn key(s: &Site, path: &str, query: Option<&str>) -> Option<String> {
        s.resolve(path, query).map(|r| r.key)
    }

    #[test]
    fn mapping_rules() {
        let s = site(&[
            "index.html",
            "a/b/index.html",
            "c",
            "d.html",
            "e/index.html",
            "index.php",
            "index.php@id=12",
            "omsorg/äldre",
            "_server.toml",
            "truth.toml",
            "x/_secret.html",
        ]);
        assert_eq!(key(&s, "/", None).unwrap(), "index.html");
        assert_eq!(key(&s, "/a/b/", None).unwrap(), "a/b/index.html");
        assert_eq!(key(&s, "/a/b", None).unwrap(), "a/b/index.html");
        assert_eq!(key(&s, "/c", None).unwrap(), "c");
        assert_eq!(key(&s, "/d", None).unwrap(), "d.html");
        assert_eq!(key(&s, "/e", None).unwrap(), "e/index.html");
        assert_eq!(
            key(&s, "/index.php", Some("id=12")).unwrap(),
            "index.php@id=12"
        );
        assert_eq!(key(&s, "/index.php", Some("id=13")).unwrap(), "index.php");
        assert_eq!(key(&s, "/omsorg/%C3%A4ldre", None).unwrap(), "omsorg/äldre");
        // NFD input finds the NFC key.
        assert_eq!(
            key(&s, "/omsorg/a%CC%88ldre", None).unwrap(),
            "omsorg/äldre"
        );
        assert_eq!(key(&s, "/_server.toml", None), None);
        assert_eq!(key(&s, "/truth.toml", None), None);
        assert_eq!(key(&s, "/x/_secret.html", None), None);
        assert_eq!(key(&s, "/missing", None), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type_for("a/b", None), "text/html; charset=utf-8");
        assert_eq!(
            content_type_for("x.php", Some("iso-8859-1")),
            "text/html; charset=iso-8859-1"
        );
        assert_eq!(content_type_for("x.htm", Some("")), "text/html");
        assert_eq!(content_type_for("sitemap.xml", None), "application/xml");
        assert_eq!(
            content_type_for("robots.txt", None),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type_for("d/taxa.PDF", None), "application/pdf");
        assert_eq!(content_type_for("v1.2/x", None), "text/html; charset=utf-8");
    }

    #[test]
    fn decode_and_hosts() {
        assert_eq!(percent_decode("/a%20b%zz%4"), "/a b%zz%4");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(normalize_host("WWW.Solvik.SE:8080"), "www.solvik.se");
        assert_eq!(normalize_host("www.solvik.se."), "www.solvik.se");
        assert_eq!(normalize_host("[::1]:80"), "[::1]");
    }

    #[test]
    fn from_dir_loads_sites_and_config() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("www.a.se/omsorg")).unwrap();
        std::fs::write(root.join("www.a.se/index.html"), "hej").unwrap();
        std::fs::write(root.join("www.a.se/omsorg/äldre"), "x").unwrap();
        std::fs::write(root.join("www.a.se/truth.toml"), "x").unwrap();
        std::fs::write(root.join("www.a.se/_server.toml"), "charset = \"\"").unwrap();
        std::fs::create_dir_all(root.join("WWW.B.SE")).unwrap();
        std::fs::write(root.join("README.md"), "ignored").unwrap();
        let sites = Sites::from_dir(root).unwrap();
        assert_eq!(sites.hosts(), vec!["www.a.se", "www.b.se"]);
        let a = sites.get("www.A.se:80").unwrap();
        assert_eq!(a.files.len(), 2);
        assert_eq!(a.config.charset.as_deref(), Some(""));

        std::fs::write(root.join("www.a.se/_server.toml"), "bogus = 1").unwrap();
        let err = Sites::from_dir(root).unwrap_err().to_string();
        assert!(err.contains("_server.toml"), "{err}");
    }

    #[test]
    fn insert_and_merge() {
        let mut s = Sites::new();
        s.insert_file("Farm1.se", "/a/index.html", "x");
        s.insert_file("farm1.se", "_server.toml", "x");
        let mut t = Sites::new();
        t.insert_file("farm1.se", "b.html", "y");
        s.merge(t);
        assert_eq!(s.get("farm1.se").unwrap().files.len(), 2);
    }

    static EMBEDDED: include_dir::Dir<'static> =
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/src/fixture_server/testdata");

    #[test]
    fn from_embedded_loads_sites() {
        let sites = Sites::from_embedded(&EMBEDDED).unwrap();
        let site = sites.get("www.inbaddad.se").unwrap();
        assert_eq!(
            site.resolve("/omsorg/", None).unwrap().key,
            "omsorg/index.html"
        );
        assert_eq!(site.config.charset.as_deref(), Some("windows-1252"));
        assert!(!site.files.contains_key("truth.toml"));
    }
}
