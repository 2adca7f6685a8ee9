//! Makes an archived page safe to show: parses it with html5ever
//! (`scraper`) and writes it back without anything that can run.
//!
//! Removed: `script`, `noscript`, `template`, frames, `object`/`embed`/
//! `applet`, `base`, `link`, `meta`, `svg` and `math` elements (with their
//! content), comments, every `on*` attribute, `srcdoc`, `action`,
//! `formaction`, `http-equiv`, and every URL attribute whose value is a
//! `javascript:`, `vbscript:` or `data:` URL. Relative links are made
//! absolute against the page's URL, so they lead to the live site.
//!
//! This is the second line of defence: the copy is also shown in an
//! `<iframe sandbox>` (no scripts, no same origin) under a
//! Content-Security-Policy without `script-src` (see `archive.rs`).

use scraper::{ElementRef, Html, Node};
use url::Url;

use super::html::escape;

/// Elements dropped with everything inside them.
const DROPPED: &[&str] = &[
    "script", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "base", "link", "meta", "svg", "math", "portal",
];

/// Void elements (no end tag).
const VOID: &[&str] = &[
    "area", "br", "col", "hr", "img", "input", "source", "track", "wbr",
];

/// Attributes whose value is a URL.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "poster",
    "background",
    "cite",
    "data",
    "xlink:href",
    "srcset",
    "longdesc",
    "usemap",
    "manifest",
    "ping",
];

/// Attributes dropped whatever their value.
const DROPPED_ATTRS: &[&str] = &["srcdoc", "action", "formaction", "http-equiv", "nonce"];

/// Deepest element nesting written as elements; deeper content is kept as text.
const MAX_DEPTH: usize = 256;

/// The sanitised document: a complete HTML document without anything that
/// can run, as a string.
pub fn sanitize_html(source: &str, base: Option<&Url>) -> String {
    let doc = Html::parse_document(source);
    let mut out = String::with_capacity(source.len());
    // No CSP meta of its own: a srcdoc document inherits the embedding
    // page's policy, and Chromium renders nothing for a sandboxed srcdoc
    // with its own `default-src 'none'`.
    out.push_str("<!DOCTYPE html>\n<meta charset=\"utf-8\">\n");
    write_element(doc.root_element(), base, 0, &mut out);
    out
}

/// True when a URL attribute value would run code or embed a document.
fn dangerous_url(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    ["javascript:", "vbscript:", "data:", "livescript:"]
        .iter()
        .any(|s| squeezed.starts_with(s) || squeezed.contains(&format!(",{s}")))
}

fn write_element(el: ElementRef<'_>, base: Option<&Url>, depth: usize, out: &mut String) {
    let name = el.value().name();
    if DROPPED.contains(&name) {
        return;
    }
    if depth > MAX_DEPTH {
        out.push_str(&escape(&el.text().collect::<String>()));
        return;
    }
    let name = escape(name);
    out.push('<');
    out.push_str(&name);
    for (attr, value) in el.value().attrs() {
        let lower = attr.to_ascii_lowercase();
        let valid = !lower.is_empty()
            && lower
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
        if !valid || lower.starts_with("on") || DROPPED_ATTRS.contains(&lower.as_str()) {
            continue;
        }
        let mut value = value.to_owned();
        if URL_ATTRS.contains(&lower.as_str()) {
            if dangerous_url(&value) {
                continue;
            }
            if lower == "href" {
                if let Some(abs) = base.and_then(|b| b.join(value.trim()).ok()) {
                    value = abs.to_string();
                }
            }
        }
        if lower == "style" {
            let folded = value.to_ascii_lowercase();
            if folded.contains("expression(") || folded.contains("javascript:") {
                continue;
            }
        }
        out.push(' ');
        out.push_str(&lower);
        out.push_str("=\"");
        out.push_str(&escape(&value));
        out.push('"');
    }
    out.push('>');
    if VOID.contains(&name.as_str()) {
        return;
    }
    let raw_text = name == "style";
    for child in el.children() {
        match child.value() {
            Node::Text(text) => {
                if raw_text {
                    // CSS must stay unescaped; it can never close the element.
                    out.push_str(&text.replace('<', "\\3c "));
                } else {
                    out.push_str(&escape(text));
                }
            }
            Node::Element(_) => {
                if let Some(child) = ElementRef::wrap(child) {
                    write_element(child, base, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    out.push_str("</");
    out.push_str(&name);
    out.push('>');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        let base = Url::parse("https://www.kommun.se/omsorg/").unwrap();
        sanitize_html(html, Some(&base))
    }

    #[test]
    fn removes_everything_that_can_run() {
        let out = clean(
            r#"<html><head><script>alert(1)</script><base href="https://evil/">
            <meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head>
            <body onload="alert(2)"><p onclick="x()">Hej <b>du</b></p>
            <a href="javascript:alert(3)">a</a><a href=" JaVa&#x09;script:alert(4)">b</a>
            <img src="data:text/html,x" onerror="alert(5)"><iframe srcdoc="<script>"></iframe>
            <svg><script>alert(6)</script></svg><noscript><img src=x></noscript>
            <form action="https://evil/"><button formaction="javascript:y">k</button></form>
            <!-- <script>alert(7)</script> --><div style="width:expression(alert(8))">d</div>
            <style>a > b { color: red } </style></body></html>"#,
        );
        let lower = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "alert(",
            "onload",
            "onclick",
            "onerror",
            "javascript",
            "<iframe",
            "<svg",
            "srcdoc",
            "<base",
            "refresh",
            "evil",
            "expression",
            "<!--",
            "data:text",
        ] {
            assert!(!lower.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("<p>Hej <b>du</b></p>"), "{out}");
        assert!(out.contains("a > b"), "{out}");
    }

    #[test]
    fn text_is_escaped_and_links_absolute() {
        let out =
            clean(r#"<p title='"x"'>&lt;script&gt; &amp; "q"</p><a href="../hemtjanst/">h</a>"#);
        assert!(out.contains("&lt;script&gt; &amp; &quot;q&quot;"), "{out}");
        assert!(out.contains("title=\"&quot;x&quot;\""), "{out}");
        assert!(
            out.contains("href=\"https://www.kommun.se/hemtjanst/\""),
            "{out}"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}text{}", "<div>".repeat(5000), "</div>".repeat(5000));
        assert!(clean(&html).contains("text"));
    }
}
