//! Sitemaps: `<urlset>` and `<sitemapindex>` XML → URLs, plain or gzipped
//! (`sitemap.xml.gz`; a `Content-Encoding: gzip` is undone by the fetcher).

use quick_xml::events::Event;
use quick_xml::Reader;
use url::Url;

/// What one sitemap file lists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sitemap {
    /// Page URLs (`<urlset><url><loc>`).
    pub pages: Vec<Url>,
    /// Nested sitemaps (`<sitemapindex><sitemap><loc>`).
    pub sitemaps: Vec<Url>,
}

/// Most bytes of a sitemap after gunzipping: the fetcher's cap on a plain one.
pub const MAX_SITEMAP_BYTES: usize = crate::fetch::DEFAULT_MAX_BODY;

/// The sitemap text of a body: gunzipped (at most `cap` bytes, a cut
/// stream keeps what was inflated) when it starts with the gzip magic, else as is.
pub fn gunzip_if_needed(body: &[u8], cap: usize) -> std::borrow::Cow<'_, [u8]> {
    use std::io::Read as _;
    if !body.starts_with(&[0x1f, 0x8b]) {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::new();
    let mut reader = flate2::read::MultiGzDecoder::new(body).take(cap as u64);
    // A broken stream keeps what inflated before the break.
    let _ = reader.read_to_end(&mut out);
    std::borrow::Cow::Owned(out)
}

/// Parses sitemap XML leniently: unparseable parts are skipped, and at
/// most `limit` URLs are kept. A plain-text sitemap (one URL a line) works too.
pub fn parse_sitemap(body: &[u8], limit: usize) -> Sitemap {
    let mut out = Sitemap::default();
    let trimmed = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&body[..0], |i| &body[i..]);
    if !trimmed.starts_with(b"<") {
        for line in String::from_utf8_lossy(body).lines() {
            if let Ok(u) = Url::parse(line.trim()) {
                if out.pages.len() < limit {
                    out.pages.push(u);
                }
            }
        }
        return out;
    }
    let mut reader = Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut in_loc = false;
    let mut in_sitemap = false;
    let mut loc = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"loc" => {
                    in_loc = true;
                    loc.clear();
                }
                b"sitemap" => in_sitemap = true,
                _ => {}
            },
            Ok(Event::Text(t)) if in_loc => loc.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::CData(t)) if in_loc => loc.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::GeneralRef(r)) if in_loc => loc.push_str(match &*r as &[u8] {
                b"amp" => "&",
                b"lt" => "<",
                b"gt" => ">",
                b"quot" => "\"",
                b"apos" => "'",
                _ => "",
            }),
            Ok(Event::End(e)) if e.local_name().as_ref() == b"sitemap" => in_sitemap = false,
            Ok(Event::End(e)) if e.local_name().as_ref() == b"loc" => {
                in_loc = false;
                if let Ok(u) = Url::parse(loc.trim()) {
                    if out.pages.len() + out.sitemaps.len() < limit {
                        if in_sitemap {
                            out.sitemaps.push(u);
                        } else {
                            out.pages.push(u);
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urlset_index_and_text() {
        let xml = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc> http://a.se/x?a=1&amp;b=2 </loc></url><url><loc>http://a.se/y</loc></url><url><loc>nope</loc></url></urlset>"#;
        let s = parse_sitemap(xml, 100);
        assert_eq!(s.pages.len(), 2);
        assert_eq!(s.pages[0].as_str(), "http://a.se/x?a=1&b=2");
        let idx = br"<sitemapindex><sitemap><loc>http://a.se/s1.xml</loc></sitemap></sitemapindex>";
        assert_eq!(parse_sitemap(idx, 100).sitemaps.len(), 1);
        assert_eq!(
            parse_sitemap(b"http://a.se/1\nhttp://a.se/2\n", 1)
                .pages
                .len(),
            1
        );
        assert_eq!(
            parse_sitemap(b"<urlset><url><loc>http://a.se/", 10)
                .pages
                .len(),
            0
        );
    }
}
