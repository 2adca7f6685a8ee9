//! Which URLs belong to a municipality's site.
//!
//! A site is its registrable domain (www and apex alike) and all its
//! subdomains, such as e-service hosts (`e-tjanster.solvik.se`). If the
//! start page redirects to another domain, that domain joins the scope.
//! Everything else is off-site and only fetched one hop, as a candidate
//! for an item (see [`crate::rules::RuleSet::wants_follow`]).

use std::collections::HashSet;

use url::Url;

use crate::registry::registrable;

/// File endings that are never HTML pages worth fetching.
const SKIPPED_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "mp3", "mp4", "m4a",
    "mov", "avi", "wmv", "webm", "zip", "gz", "tar", "rar", "7z", "exe", "msi", "dmg", "css", "js",
    "json", "woff", "woff2", "ttf", "eot", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
    "odt", "ods", "rtf", "ics", "vcf", "xml", "rss", "txt", "csv",
];

/// The domains of one site.
#[derive(Debug, Clone, Default)]
pub struct SiteScope {
    domains: HashSet<String>,
}

impl SiteScope {
    /// The scope of a start URL.
    pub fn of(start: &Url) -> Self {
        let mut s = Self::default();
        s.add(start);
        s
    }

    /// Adds the registrable domain of `url` (after a cross-domain redirect of the start page).
    pub fn add(&mut self, url: &Url) {
        if let Some(d) = url.host_str().and_then(domain_of) {
            self.domains.insert(d);
        }
    }

    /// True when `url` is on the site (its domain or a subdomain).
    pub fn contains(&self, url: &Url) -> bool {
        url.host_str()
            .and_then(domain_of)
            .is_some_and(|d| self.domains.contains(&d))
    }
}

/// The final URL's registrable domain when a start page at `start` led to
/// another registrable domain (a municipality's homepage that moved or
/// was taken over); `None` when it stayed.
pub fn other_domain(start: &Url, final_url: &Url) -> Option<String> {
    let of = |u: &Url| u.host_str().and_then(domain_of);
    let (from, to) = (of(start)?, of(final_url)?);
    (from != to).then(|| strip_credentials(final_url.clone()).to_string())
}

/// The candidate, off-site when its fetch ended outside the site.
pub fn off_site_after_redirect(
    mut cand: super::frontier::Candidate,
    scope: &SiteScope,
    final_url: &Url,
) -> super::frontier::Candidate {
    if !scope.contains(final_url) {
        cand.off_site = true;
    }
    cand
}

/// The URL without user name and password (they are never stored,
/// logged, printed or sent).
pub fn strip_credentials(mut url: Url) -> Url {
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    url
}

/// The registrable domain of a host; an IP address or a bare name is its own domain.
fn domain_of(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') || !host.contains('.') {
        return Some(host);
    }
    registrable(&host).or(Some(host))
}

/// Normalises a URL for de-duplication: no fragment, no tracking parameters,
/// an empty path as `/`. Returns `None` for URLs the crawler never fetches
/// (other schemes, files that are not pages).
pub fn normalise(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut u = strip_credentials(url.clone());
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !(k.starts_with("utm_")
                    || k == "fbclid"
                    || k == "gclid"
                    || k == "sv.target"
                    || k == "sv.url")
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            let q: Vec<String> = kept
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.clone()
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect();
            u.set_query(Some(&q.join("&")));
        }
    }
    let path = u.path().to_ascii_lowercase();
    if let Some(ext) = path
        .rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .map(|(_, e)| e)
    {
        if SKIPPED_EXTENSIONS.contains(&ext) {
            return None;
        }
    }
    Some(u)
}

/// True for URLs that look like crawler traps (calendars, endless paths).
pub fn looks_like_trap(url: &Url) -> bool {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    if segments.len() > 12 || url.as_str().len() > 400 {
        return true;
    }
    let mut seen = HashSet::new();
    let repeats = segments
        .iter()
        .filter(|s| !s.is_empty() && !seen.insert(**s))
        .count();
    repeats >= 2 || url.query_pairs().count() > 4
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn site_covers_subdomains_but_not_vendors() {
        let s = SiteScope::of(&u("http://www.solvik.se/"));
        assert!(s.contains(&u("http://solvik.se/a")));
        assert!(s.contains(&u("http://e-tjanster.solvik.se/oversikt/overview/1")));
        assert!(!s.contains(&u("http://www.avgiftskalkylen.se/")));
        assert!(!s.contains(&u("http://solvik.se.evil.example/")));
        let ip = SiteScope::of(&u("http://127.0.0.1:8080/"));
        assert!(ip.contains(&u("http://127.0.0.1:8080/x")));
    }

    #[test]
    fn normalises_and_skips() {
        assert_eq!(
            normalise(&u("http://a.se/x?utm_source=n&id=3#top"))
                .unwrap()
                .as_str(),
            "http://a.se/x?id=3"
        );
        assert_eq!(
            normalise(&u("http://a.se")).unwrap().as_str(),
            "http://a.se/"
        );
        assert!(normalise(&u("mailto:a@b.se")).is_none());
        assert!(normalise(&u("http://a.se/bild.JPG")).is_none());
        assert!(normalise(&u("http://a.se/avgifter.pdf")).is_none());
    }

    #[test]
    fn traps() {
        assert!(looks_like_trap(&u(
            "http://a.se/kalender/2026/kalender/2027/kalender/2028"
        )));
        assert!(!looks_like_trap(&u(
            "http://a.se/omsorg/aldre/hemtjanst/avgifter"
        )));
    }
}
