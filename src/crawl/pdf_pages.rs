//! PDFs in a site crawl: which PDF links are followed, and a fetched PDF
//! response → [`Document`] (or the reason it could not be read).
//!
//! A PDF link is followed when it is a candidate for an item (a rule's
//! follow signal matches it) or sits on a home-care page — the checklist
//! counts PDFs linked from a home-care page. It then takes its place in the
//! frontier like any page: the same page budget, the same per-host gate
//! and robots.txt, one hop off-site only as a candidate.

use url::Url;

use crate::extract::pdf::pdf_document;
use crate::extract::Document;
use crate::pdf::{is_pdf_url, PdfProblem, PdfReader};
use crate::text::fold;

/// Words of a home-care page's title, first heading or URL (folded).
const HOME_CARE: &[&str] = &[
    "hemtjanst",
    "aldreomsorg",
    "hemvard",
    "aldre",
    "omsorg",
    "bistand",
    "senior",
];

/// A PDF link target in crawl form (no fragment), or `None` when `url` is not a PDF link.
pub(super) fn pdf_link(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || !is_pdf_url(url) {
        return None;
    }
    let mut u = url.clone();
    u.set_fragment(None);
    Some(u)
}

/// True when the page (or the section the link sits in) is about home care.
pub(super) fn is_home_care(doc: &Document, link_headings: &[String]) -> bool {
    let h1 = doc
        .blocks
        .iter()
        .find(|b| matches!(b.kind, crate::extract::BlockKind::Heading(1)))
        .map_or("", |b| b.text.as_str());
    let text = fold(&format!(
        "{} {h1} {} {}",
        doc.title,
        doc.url.path().replace(['/', '-', '_', '.'], " "),
        link_headings.join(" ")
    ));
    HOME_CARE.iter().any(|w| text.contains(w))
}

/// Reads a fetched PDF body into a [`Document`].
pub(super) async fn read_pdf(
    reader: &PdfReader,
    url: &Url,
    body: &[u8],
    truncated: bool,
    max_bytes: usize,
) -> Result<(Document, usize), PdfProblem> {
    if truncated || body.len() > max_bytes {
        return Err(PdfProblem::TooLarge(max_bytes / (1024 * 1024)));
    }
    let text = reader.read(body).await?;
    let pages = text.pages.len();
    Ok((pdf_document(url, text.title.as_deref(), &text.pages), pages))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pdf_links_lose_their_fragment_and_others_are_not_pdf_links() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            pdf_link(&u("https://a.se/dok/Taxa.PDF#page=2")),
            Some(u("https://a.se/dok/Taxa.PDF"))
        );
        assert_eq!(pdf_link(&u("https://a.se/dok/taxa.html")), None);
        assert_eq!(pdf_link(&u("ftp://a.se/dok/taxa.pdf")), None);
    }

    #[test]
    fn home_care_pages_are_known_by_title_url_or_section() {
        let doc = |url: &str, html: &str| {
            crate::extract::parse_html(&Url::parse(url).unwrap(), html.as_bytes(), None)
        };
        let care = doc("https://a.se/omsorg/hemtjanst", "<title>Hemtjänst</title>");
        assert!(is_home_care(&care, &[]));
        let news = doc("https://a.se/nyheter/", "<title>Nyheter</title>");
        assert!(!is_home_care(&news, &[]));
        assert!(is_home_care(&news, &["Äldreomsorg".to_owned()]));
    }
}
