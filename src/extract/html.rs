//! HTML → [`Document`]: decoding, `<title>`, `<base>`, `lang`, and the
//! single pass of [`super::walker`] that collects blocks, links, forms and
//! frames.
//!
//! Performance: one parse with `scraper`, one cheap scan of the node arena
//! for `<title>`/`<base>`, one iterative walk; a 200 KB page takes a few
//! milliseconds in release builds.

use scraper::Html;
use url::Url;

use super::textbuf::{push_collapsed, trim_end_in_place};
use super::walker::{self, XHTML_NS};
use super::Document;

/// Parses an HTML body into a [`Document`] (decoding it with
/// [`super::charset::decode`] first). Never panics on arbitrary bytes.
pub fn parse_html(url: &Url, body: &[u8], content_type: Option<&str>) -> Document {
    parse_html_guarded(url, body, content_type).0
}

/// Like [`parse_html`], and says where the pre-parse guard
/// ([`super::guard`]) cut the markup to keep the parse linear.
pub fn parse_html_guarded(
    url: &Url,
    body: &[u8],
    content_type: Option<&str>,
) -> (Document, Option<super::guard::Cut>) {
    let (text, encoding) = super::charset::decode(body, content_type);
    let (text, cut) = super::guard::guard(&text);
    let (html, over_budget) = super::budget::parse_within_budget(&text);
    let cut = cut.or(over_budget.then_some(super::guard::Cut::Time));
    (document_of(url, &html, encoding), cut)
}

fn document_of(url: &Url, html: &Html, encoding: &str) -> Document {
    let (title, base) = scan_title_and_base(html, url);
    let lang = html
        .root_element()
        .value()
        .attr("lang")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    let out = walker::run(html, base);
    Document {
        url: url.clone(),
        title,
        lang,
        encoding: encoding.to_owned(),
        blocks: out.blocks,
        links: out.links,
        forms: out.forms,
        frames: out.frames,
    }
}

/// Finds the first HTML `<title>` text and the base URL (`<base href>`
/// resolved against the page URL, else the page URL).
fn scan_title_and_base(html: &Html, url: &Url) -> (String, Url) {
    let mut title: Option<String> = None;
    let mut base: Option<Url> = None;
    for node in html.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if &*el.name.ns != XHTML_NS {
            continue;
        }
        match el.name() {
            "title" if title.is_none() => {
                let mut t = String::new();
                for child in node.children() {
                    if let Some(text) = child.value().as_text() {
                        push_collapsed(&mut t, text);
                    }
                }
                trim_end_in_place(&mut t);
                title = Some(t);
            }
            "base" if base.is_none() => {
                base = el
                    .attr("href")
                    .and_then(|h| url.join(h.trim()).ok())
                    .filter(|b| matches!(b.scheme(), "http" | "https"));
            }
            _ => {}
        }
        if title.is_some() && base.is_some() {
            break;
        }
    }
    (
        title.unwrap_or_default(),
        base.unwrap_or_else(|| url.clone()),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::extract::textbuf::CONTEXT_MAX;
    use crate::extract::{Block, BlockKind};

    fn parse(html: &str) -> Document {
        let url = Url::parse("https://www.example.se/omsorg/hemtjanst/index.html").unwrap();
        parse_html(&url, html.as_bytes(), Some("text/html; charset=utf-8"))
    }

    fn texts(doc: &Document) -> Vec<&str> {
        doc.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    fn block<'a>(doc: &'a Document, text: &str) -> &'a Block {
        doc.blocks.iter().find(|b| b.text == text).unwrap()
    }

    #[test]
    fn title_lang_and_heading_path() {
        let doc = parse(
            "<html lang=\"sv\"><head><title>  Hemtjänst \n – Kommunen </title></head><body>\
             <p>Intro</p><h1>Hemtjänst</h1><p>Om hemtjänst.</p>\
             <h2>Avgifter</h2><p>Maxtaxa.</p><h3>Exempel</h3><p>Ex.</p>\
             <h2>Ansökan</h2><p>Ansök här.</p><h1>Annat</h1><h3>Djup</h3><p>D.</p></body></html>",
        );
        assert_eq!(doc.title, "Hemtjänst – Kommunen");
        assert_eq!(doc.lang.as_deref(), Some("sv"));
        assert_eq!(doc.encoding, "UTF-8");
        assert!(block(&doc, "Intro").heading_path.is_empty());
        let h1 = block(&doc, "Hemtjänst");
        assert_eq!(h1.kind, BlockKind::Heading(1));
        assert!(h1.heading_path.is_empty());
        assert_eq!(block(&doc, "Avgifter").heading_path, ["Hemtjänst"]);
        assert_eq!(
            block(&doc, "Ex.").heading_path,
            ["Hemtjänst", "Avgifter", "Exempel"]
        );
        assert_eq!(
            block(&doc, "Ansök här.").heading_path,
            ["Hemtjänst", "Ansökan"]
        );
        assert_eq!(block(&doc, "D.").heading_path, ["Annat", "Djup"]);
        assert!(!doc.main_text().contains("Kommunen"));
    }

    #[test]
    fn nested_blocks_are_not_duplicated() {
        let doc = parse(
            "<div>Före <span>inline</span><p>Stycke <b>fet</b>.</p>Efter<br>rad<div><p>Djup</p></div></div>\
             <ul><li>Ett<ul><li>Under</li></ul></li></ul><table><tr><td><p>Cell</p></td><th>Rubrik</th></tr></table>",
        );
        assert_eq!(
            texts(&doc),
            [
                "Före inline",
                "Stycke fet.",
                "Efter rad",
                "Djup",
                "Ett",
                "Under",
                "Cell",
                "Rubrik"
            ]
        );
        assert_eq!(block(&doc, "Under").kind, BlockKind::ListItem);
        assert_eq!(block(&doc, "Cell").kind, BlockKind::TableCell);
        assert_eq!(block(&doc, "Djup").kind, BlockKind::Paragraph);
    }

    #[test]
    fn whitespace_and_nbsp_collapse() {
        let doc = parse("<p>  Avgift\u{a0}\u{a0}för \n\t hem&shy;tjänst&nbsp;</p><p> \n </p>");
        assert_eq!(texts(&doc), ["Avgift för hem\u{ad}tjänst"]);
    }

    #[test]
    fn chrome_regions() {
        let doc = parse(
            "<header><h1>Kommunen</h1><p>Logga</p></header><div role=\"navigation\"><a href=\"/a\">Meny</a></div>\
             <nav><ul><li><a href=\"/b\">Omsorg</a></li></ul></nav>\
             <main><article><header><h1>Hemtjänst</h1></header><p>Innehåll</p></article></main>\
             <aside><h2>Relaterat</h2><p>Sido</p></aside><p>Efter</p><footer><p>Adress</p></footer>",
        );
        assert!(block(&doc, "Logga").chrome);
        assert!(block(&doc, "Omsorg").chrome);
        assert!(block(&doc, "Sido").chrome);
        assert!(block(&doc, "Adress").chrome);
        assert!(!block(&doc, "Hemtjänst").chrome);
        assert!(!block(&doc, "Innehåll").chrome);
        assert_eq!(block(&doc, "Innehåll").heading_path, ["Hemtjänst"]);
        assert_eq!(block(&doc, "Sido").heading_path, ["Hemtjänst", "Relaterat"]);
        assert_eq!(block(&doc, "Efter").heading_path, ["Hemtjänst"]);
        assert!(doc.links.iter().all(|l| l.chrome));
        assert_eq!(doc.main_text(), "Hemtjänst\nInnehåll\nEfter");
    }

    #[test]
    fn details_are_kept() {
        let doc = parse(
            "<details><summary>Vad kostar det?</summary><p>Högst 2 576 kr.</p>Mer text</details><p>Utanför</p>",
        );
        assert_eq!(
            texts(&doc),
            ["Vad kostar det?", "Högst 2 576 kr.", "Mer text", "Utanför"]
        );
        assert_eq!(block(&doc, "Vad kostar det?").kind, BlockKind::Details);
        assert_eq!(block(&doc, "Högst 2 576 kr.").kind, BlockKind::Details);
        assert_eq!(block(&doc, "Mer text").kind, BlockKind::Details);
        assert_eq!(block(&doc, "Utanför").kind, BlockKind::Paragraph);
    }

    #[test]
    fn hidden_and_invisible_are_skipped() {
        let doc = parse(
            "<head><style>p{}</style><script>var x = 'hemligt';</script></head><body>\
             <p>Synlig</p><p hidden>Dold</p><div aria-hidden=\"true\">Ikon</div><noscript>Aktivera JS</noscript>\
             <template><p>Mall</p></template><svg><text>Svg</text><a href=\"/svg\">S</a></svg>\
             <div hidden=\"until-found\">Dragspel</div><script>document.write('x')</script></body>",
        );
        assert_eq!(texts(&doc), ["Synlig", "Dragspel"]);
        assert!(doc.links.is_empty());
    }

    #[test]
    fn links_resolved_against_base() {
        let doc = parse(
            "<head><base href=\"https://cdn.example.se/sv/\"></head><body><h1>Kontakt</h1>\
             <p>Ring <a href=\"tel:+46101234567\">010-123 45 67</a> eller \
             <a href=\"MAILTO:omsorg@example.se\" title=\" E-post \">mejla</a>.</p>\
             <p><a href=\"avgifter.html#tabell\" rel=\"noopener NoFollow\"><img alt=\"Pil\"> Avgifter</a>\
             <a href=\"javascript:void(0)\">JS</a><a href=\"#top\">Upp</a><a href=\"\">Tom</a>\
             <a href=\"http://[::1\">Trasig</a><a href=\"ftp://x.se/f\">FTP</a>\
             <a aria-label=\"Till start\" href=\"/\">⌂</a></p>\
             <map><area href=\"karta.html\" alt=\"Karta\"></map></body>",
        );
        let hrefs: Vec<&str> = doc.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "tel:+46101234567",
                "mailto:omsorg@example.se",
                "https://cdn.example.se/sv/avgifter.html#tabell",
                "https://cdn.example.se/",
                "https://cdn.example.se/sv/karta.html",
            ]
        );
        let tel = &doc.links[0];
        assert_eq!(tel.text, "010-123 45 67");
        assert_eq!(tel.context, "Ring 010-123 45 67 eller mejla.");
        assert_eq!(tel.heading_path, ["Kontakt"]);
        assert!(!tel.chrome && !tel.nofollow);
        assert_eq!(doc.links[1].title.as_deref(), Some("E-post"));
        assert_eq!(doc.links[2].text, "Pil Avgifter");
        assert!(doc.links[2].nofollow);
        assert_eq!(doc.links[3].title.as_deref(), Some("Till start"));
        assert_eq!(doc.links[4].text, "Karta");
    }

    #[test]
    fn links_relative_to_page_and_card_context() {
        let doc = parse(
            "<a class=\"card\" href=\"../avgifter/\"><div><h3>Avgifter</h3><p>Så mycket kostar det.</p></div></a>",
        );
        let link = &doc.links[0];
        assert_eq!(
            link.href.as_str(),
            "https://www.example.se/omsorg/avgifter/"
        );
        assert_eq!(link.text, "Avgifter Så mycket kostar det.");
        assert_eq!(link.context, "Avgifter Så mycket kostar det.");
    }

    #[test]
    fn long_block_context_is_windowed() {
        let filler = "ord ".repeat(2000);
        let doc = parse(&format!(
            "<p>{filler}<a href=\"/x\">länken</a> {filler}</p>"
        ));
        let context = &doc.links[0].context;
        assert!(context.len() <= CONTEXT_MAX);
        assert!(context.contains("länken"));
    }

    #[test]
    fn frames_are_collected() {
        let doc = parse(
            "<h2>Film</h2><iframe src=\"//www.youtube.com/embed/x\" title=\"Om hemtjänst\">fallback</iframe>\
             <object data=\"/docs/taxa.pdf\"><a href=\"/docs/taxa.pdf\">Ladda ner</a></object>\
             <embed src=\"karta.swf\"><iframe src=\"about:blank\"></iframe><iframe></iframe>",
        );
        let srcs: Vec<&str> = doc.frames.iter().map(|f| f.src.as_str()).collect();
        assert_eq!(
            srcs,
            [
                "https://www.youtube.com/embed/x",
                "https://www.example.se/docs/taxa.pdf",
                "https://www.example.se/omsorg/hemtjanst/karta.swf",
            ]
        );
        assert_eq!(doc.frames[0].title, "Om hemtjänst");
        assert_eq!(doc.frames[0].heading_path, ["Film"]);
        assert_eq!(doc.links.len(), 1);
        assert!(!doc.main_text().contains("fallback"));
    }

    #[test]
    fn latin1_page_is_decoded() {
        let html = "<html><head><meta charset=\"iso-8859-1\"><title>Hemtjänst</title></head>\
                    <body><h1>Avgift för hemtjänst i Älvsbyn</h1><p>Så här räknas avgiften ut.</p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(html);
        let url = Url::parse("https://www.alvsbyn.se/").unwrap();
        for ct in [None, Some("text/html"), Some("text/html; charset=utf-8")] {
            let doc = parse_html(&url, &bytes, ct);
            assert_eq!(doc.encoding, "windows-1252");
            assert_eq!(doc.title, "Hemtjänst");
            assert_eq!(
                texts(&doc),
                [
                    "Avgift för hemtjänst i Älvsbyn",
                    "Så här räknas avgiften ut."
                ]
            );
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        let url = Url::parse("https://www.example.se/").unwrap();
        let mut seed: u32 = 7;
        let mut bytes = Vec::new();
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            bytes.push(match (seed >> 16) % 8 {
                0 => b'<',
                1 => b'>',
                2 => b'/',
                _ => (seed >> 8) as u8,
            });
        }
        let _ = parse_html(&url, &bytes, None);
        let _ = parse_html(&url, b"", None);
        let _ = parse_html(&url, b"<a href=\"", Some("text/html; charset=\""));
        let deep = format!("{}djupt", "<div><span>".repeat(100));
        let doc = parse_html(&url, deep.as_bytes(), None);
        assert_eq!(texts(&doc), ["djupt"]);
        // Deeper than the guard's limit: cut before the text, parsed quickly.
        let deeper = format!("<p>före</p>{}djupt", "<div><span>".repeat(3_000));
        let (doc, cut) = parse_html_guarded(&url, deeper.as_bytes(), None);
        assert_eq!(cut, Some(super::super::guard::Cut::Depth));
        assert_eq!(texts(&doc), ["före"]);
    }
}
