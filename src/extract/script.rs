//! Does a page need JavaScript to show its content? A cheap static look
//! at the raw HTML and the extracted [`Document`]: little visible text
//! together with an empty app container (`<div id="app"></div>` and the
//! like) or a `<noscript>` that asks for JavaScript, while the page loads
//! scripts. Such a page is recorded in coverage as not rendered, so what
//! a script would show there (a fee calculator) is flagged for review
//! rather than reported as missing.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::Document;

/// Visible main text below which a page counts as (nearly) empty.
const MAX_TEXT: usize = 400;

static EMPTY_CONTAINER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<(div|main|section)\s[^>]*(id|class)\s*=\s*["']?(app|root|__next|__nuxt|application|calculator|kalkyl[a-z-]*|react-root|vue-app)["'\s>][^>]*>\s*</(div|main|section)>"#,
    )
    .ok()
});
static NOSCRIPT_JS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)<noscript[^>]*>.{0,600}?(javascript|js)[^<]{0,300}").ok());
static SCRIPT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?i)<script[\s>]").ok());

/// True when the page looks built by a script (see the module docs).
pub fn looks_script_built(html: &[u8], doc: &Document) -> bool {
    let head = &html[..html.len().min(512 * 1024)];
    let has = |re: &LazyLock<Option<Regex>>| re.as_ref().is_some_and(|r| r.is_match(head));
    if !has(&SCRIPT) {
        return false;
    }
    let text: usize = doc
        .blocks
        .iter()
        .filter(|b| !b.chrome)
        .map(|b| b.text.len())
        .sum();
    let empty_app = has(&EMPTY_CONTAINER);
    let noscript = has(&NOSCRIPT_JS);
    (empty_app || noscript) && (text < MAX_TEXT || (empty_app && noscript))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::extract::parse_html;

    fn check(html: &str) -> bool {
        let url = url::Url::parse("https://www.example.se/kalkyl").unwrap();
        let doc = parse_html(&url, html.as_bytes(), Some("text/html; charset=utf-8"));
        looks_script_built(html.as_bytes(), &doc)
    }

    #[test]
    fn an_empty_app_container_with_scripts_is_script_built() {
        assert!(check(
            "<html><body><h1>Avgiftskalkyl</h1><div id=\"app\"></div>\
             <script src=\"/js/app.js\"></script></body></html>"
        ));
        assert!(check(
            "<html><body><main><p>Räkna ut avgiften.</p><div class='kalkylator'></div></main>\
             <noscript>Du behöver aktivera JavaScript för att använda kalkylen.</noscript>\
             <script>start()</script></body></html>"
        ));
    }

    #[test]
    fn ordinary_pages_are_not() {
        // Scripts but content in the HTML.
        let long =
            "<p>Hemtjänst är hjälp i hemmet för dig som behöver stöd i vardagen.</p>".repeat(10);
        assert!(!check(&format!(
            "<html><body>{long}<noscript>Aktivera JavaScript för bästa upplevelse.</noscript>\
             <script src=a.js></script></body></html>"
        )));
        // An empty container but no script at all.
        assert!(!check("<html><body><div id=\"app\"></div></body></html>"));
        // A plain short page.
        assert!(!check(
            "<html><body><p>Kort sida.</p><script>x()</script></body></html>"
        ));
    }
}
