//! The building blocks every HTML page of the reports shares: the one
//! [`escape`] function that all page text goes through, the page shell
//! (`lang="sv"`, inline CSS, a Content-Security-Policy), Swedish number
//! and date formatting, file-name slugs and status texts.
//!
//! No templating crate: pages are written with `write!` into a `String`,
//! and every value that is not a literal of this crate passes [`escape`].

use std::fmt::Write as _;

/// Escapes text for HTML element content and (double- or single-quoted)
/// attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL as a link target: only `http(s)` URLs and relative paths are
/// kept, anything else (`javascript:`, `data:`) becomes `#`. Escaped.
pub fn href(url: &str) -> String {
    let t = url.trim();
    let lower = t.to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let safe = match scheme_end {
        Some(i) if !lower[..i].contains(['/', '?', '#']) => {
            lower.starts_with("http://") || lower.starts_with("https://")
        }
        _ => true,
    };
    if safe && !t.chars().any(char::is_control) {
        escape(t)
    } else {
        "#".to_owned()
    }
}

/// The Content-Security-Policy of pages without scripts.
pub const CSP_NO_SCRIPT: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The Content-Security-Policy of the national report (its small inline script).
pub const CSP_INLINE_SCRIPT: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The shared style sheet. Colours meet WCAG AA against their backgrounds
/// (body text #1a1a1a on white ≈ 17:1, links #0b4f9c ≈ 8:1, muted
/// #4d4d4d ≈ 8:1, the badge colours ≥ 5.9:1 on their tints).
pub const CSS: &str = "\
:root{color-scheme:light}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff;\
line-height:1.5;margin:0 auto;max-width:62rem;padding:1rem 1.25rem 3rem}\
a{color:#0b4f9c}a:focus,button:focus,select:focus,input:focus{outline:3px solid #1a1a1a;outline-offset:2px}\
h1{font-size:1.8rem;line-height:1.2;margin:.5rem 0 1rem}h2{font-size:1.35rem;margin:2rem 0 .75rem;\
border-bottom:2px solid #d0d7de;padding-bottom:.2rem}h3{font-size:1.1rem;margin:1.25rem 0 .4rem}\
.muted{color:#4d4d4d}.small{font-size:.9rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;padding:.35rem .5rem;\
border-bottom:1px solid #d0d7de;vertical-align:top}thead th{background:#eef2f6}td.num,th.num{text-align:right;\
font-variant-numeric:tabular-nums}\
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.75rem;margin:1rem 0;padding:0}\
.summary div{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem}.summary dt{color:#4d4d4d;font-size:.9rem}\
.summary dd{margin:0;font-size:1.3rem;font-weight:600}\
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.85rem;font-weight:600;margin-left:.4rem}\
.found{background:#e6f4ea;color:#14562a}.missing{background:#fdecea;color:#8a1c16}\
.flag{background:#fff4d6;color:#6b4100}.review{background:#e8eefc;color:#1d3f8f}\
blockquote{margin:.3rem 0 .5rem;padding:.3rem .8rem;border-left:4px solid #8fa3b8;background:#f6f8fa}\
mark{background:#fff0a8;color:#1a1a1a}\
.item{margin-bottom:1.25rem}.evidence{margin:.2rem 0 .6rem;padding-left:1.2rem}\
.bar{display:inline-block;height:.7rem;background:#2f6db5;vertical-align:middle}\
.banner{background:#fff4d6;color:#3d2600;border:2px solid #6b4100;padding:.6rem .8rem;margin-bottom:1rem}\
.banner h1{font-size:1.25rem;overflow-wrap:anywhere}td a,li a{overflow-wrap:anywhere}td.num{white-space:nowrap}\
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}\
.filters label{display:flex;flex-direction:column;font-size:.9rem}\
button.sort{font:inherit;font-weight:600;background:none;border:0;padding:0;color:#0b4f9c;cursor:pointer;text-decoration:underline}\
figure{margin:1rem 0}svg text{font-family:inherit}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
footer{margin-top:3rem;border-top:1px solid #d0d7de;padding-top:.5rem}\
@media print{a{color:#1a1a1a}.filters{display:none}}";

/// Writes a whole page: `title` and `body` are the caller's; `title` is
/// escaped here, `body` must already be escaped HTML.
pub fn page(title: &str, csp: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + CSS.len() + 512);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"generator\" content=\"infokoll {}\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(csp),
        escape(env!("CARGO_PKG_VERSION")),
        escape(title),
    );
    out
}

/// A number with a decimal comma and `decimals` decimals: `72,5`.
pub fn decimal(value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    let s = if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_owned() // no "-0,0"
    } else {
        s
    };
    s.replace('.', ",").replace('-', "−")
}

/// A score as shown on pages: one decimal with a comma, or "data saknas".
pub fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "data saknas".to_owned(), |s| decimal(s, 1))
}

/// A signed change: `+4,2`, `−1,0`, `±0`.
pub fn signed(delta: f64, decimals: usize) -> String {
    let text = decimal(delta.abs(), decimals);
    if text.trim_start_matches(['0', ',']).is_empty() {
        "±0".to_owned()
    } else if delta > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

/// A signed integer change: `+12`, `−3`, `±0`.
pub fn signed_int(delta: i64) -> String {
    match delta {
        0 => "±0".to_owned(),
        d if d > 0 => format!("+{d}"),
        d => format!("−{}", d.unsigned_abs()),
    }
}

/// An integer with a space as thousands separator: `60 971`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// RFC 3339 (UTC, whole seconds) of a Unix time in milliseconds.
fn rfc3339_of_ms(ms: i64) -> String {
    let t =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_seconds(t).to_string()
}

/// `YYYY-MM-DD` (UTC) of a Unix time in milliseconds.
pub fn date_of_ms(ms: i64) -> String {
    rfc3339_of_ms(ms)[..10].to_owned()
}

/// `YYYY-MM-DD hh:mm` (UTC) of a Unix time in milliseconds.
pub fn datetime_of_ms(ms: i64) -> String {
    let s = rfc3339_of_ms(ms);
    format!("{} {}", &s[..10], &s[11..16])
}

/// `YYYY-MM-DD hh:mm UTC` of a WARC date (`YYYY-MM-DDThh:mm:ssZ`); other
/// text is returned as it is.
pub fn warc_date(date: &str) -> String {
    match (date.get(..10), date.get(11..16)) {
        (Some(day), Some(time)) if date.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {time} UTC")
        }
        _ => date.to_owned(),
    }
}

/// File-name slug of a municipality name: `Upplands Väsby` → `upplands-vasby`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ó' | 'ò' | 'ô' | 'ø' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !(out.is_empty() || out.ends_with('-')) {
            out.push(c);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("kommun");
    }
    out
}

/// The relative path of a municipality's report inside the output directory.
pub fn municipality_file(code: &str, name: &str) -> String {
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    format!("kommuner/{code}-{}.html", slug(name))
}

/// "Norrtälje kommun", "Region Gotland".
pub fn display_name(name: &str) -> String {
    if name == "Gotland" {
        "Region Gotland".to_owned()
    } else if name.ends_with(" kommun") || name.starts_with("Region ") {
        name.to_owned()
    } else {
        format!("{name} kommun")
    }
}

/// Swedish description of a site status code.
pub fn status_text(status: &str) -> &'static str {
    match status {
        "ok" => "granskad",
        "partial" => "delvis granskad (granskningen avbröts innan alla sidor lästs)",
        "unreachable" => "webbplatsen kunde inte nås",
        "robots_unavailable" => "webbplatsens robots.txt kunde inte läsas",
        "blocked_by_robots" => "webbplatsens robots.txt förbjuder granskningen",
        "redirect_loop" => "webbplatsen skickar runt besökaren i en omdirigeringsslinga",
        "other_domain" => "startsidan pekar till en annan domän (kontrollera kommunens adress)",
        "pending" => "webbplatsen har inte granskats ännu",
        "in_progress" => "granskningen av webbplatsen avbröts",
        _ => "okänd status",
    }
}

/// The Swedish status with its reason in parentheses, the reason left out
/// when the status text already says it ("omdirigeringsslinga" is not
/// repeated after "… i en omdirigeringsslinga").
pub fn status_with_reason(status: &str, reason: Option<&str>) -> String {
    let text = status_text(status);
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if !text.to_lowercase().contains(&r.to_lowercase()) => format!("{text} ({r})"),
        _ => text.to_owned(),
    }
}

/// Writes a snippet with its highlighted byte ranges as `<mark>`; ranges
/// that do not fall on character boundaries or overlap are ignored.
pub fn snippet_html(snippet: &str, highlights: &[(usize, usize)]) -> String {
    let mut ranges: Vec<(usize, usize)> = highlights
        .iter()
        .copied()
        .filter(|&(a, b)| a < b && snippet.get(a..b).is_some())
        .collect();
    ranges.sort_unstable();
    let mut out = String::new();
    let mut at = 0;
    for (a, b) in ranges {
        if a < at {
            continue;
        }
        out.push_str(&escape(&snippet[at..a]));
        let _ = write!(out, "<mark>{}</mark>", escape(&snippet[a..b]));
        at = b;
    }
    out.push_str(&escape(&snippet[at..]));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_status_and_its_reason_are_said_once() {
        assert_eq!(
            status_with_reason("redirect_loop", Some("omdirigeringsslinga")),
            "webbplatsen skickar runt besökaren i en omdirigeringsslinga"
        );
        assert_eq!(
            status_with_reason("unreachable", Some("anslutningen nekades")),
            "webbplatsen kunde inte nås (anslutningen nekades)"
        );
        assert_eq!(status_with_reason("ok", None), "granskad");
    }

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape(r#"<script>alert(1)</script> "q" & 'a'"#),
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &amp; &#39;a&#39;"
        );
        assert_eq!(href("javascript:alert(1)"), "#");
        assert_eq!(href(" JavaScript:alert(1)"), "#");
        assert_eq!(href("data:text/html,x"), "#");
        assert_eq!(
            href("https://a.se/?a=1&b=\"2\""),
            "https://a.se/?a=1&amp;b=&quot;2&quot;"
        );
        assert_eq!(href("../arkiv/x.html"), "../arkiv/x.html");
    }

    #[test]
    fn swedish_numbers_and_dates() {
        assert_eq!(decimal(72.456, 1), "72,5");
        assert_eq!(decimal(-0.01, 1), "0,0");
        assert_eq!(signed(4.26, 1), "+4,3");
        assert_eq!(signed(-1.0, 1), "−1,0");
        assert_eq!(signed(0.01, 1), "±0");
        assert_eq!(signed_int(-3), "−3");
        assert_eq!(thousands(60_971), "60\u{a0}971");
        assert_eq!(thousands(999), "999");
        assert_eq!(date_of_ms(1_764_547_200_000), "2025-12-01");
        assert_eq!(date_of_ms(0), "1970-01-01");
        assert_eq!(warc_date("2026-08-15T09:03:11Z"), "2026-08-15 09:03 UTC");
        assert_eq!(score_text(None), "data saknas");
    }

    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let channel = |shift: u32| {
            let c = f64::from((v >> shift) & 0xff) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    /// WCAG AA: 4.5:1 for text, for every text colour on its background in CSS.
    #[test]
    fn text_colours_meet_wcag_aa() {
        let pairs = [
            ("#1a1a1a", "#ffffff"), // body
            ("#0b4f9c", "#ffffff"), // links
            ("#0b4f9c", "#eef2f6"), // sort buttons in table heads
            ("#1a1a1a", "#eef2f6"), // table heads
            ("#4d4d4d", "#ffffff"), // muted
            ("#14562a", "#e6f4ea"), // Finns
            ("#8a1c16", "#fdecea"), // Saknas
            ("#6b4100", "#fff4d6"), // osäker
            ("#1d3f8f", "#e8eefc"), // granskad
            ("#3d2600", "#fff4d6"), // banner
            ("#0b4f9c", "#fff4d6"), // banner link
            ("#1a1a1a", "#fff0a8"), // mark
            ("#1a1a1a", "#f6f8fa"), // blockquote
            ("#2f6db5", "#ffffff"), // chart: small
            ("#a34f00", "#ffffff"), // chart: medium
            ("#1b6e3a", "#ffffff"), // chart: large
        ];
        for (fg, bg) in pairs {
            let (a, b) = (luminance(fg), luminance(bg));
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "{fg} on {bg}: {ratio:.2}");
        }
        for colour in [
            "#1a1a1a", "#0b4f9c", "#4d4d4d", "#14562a", "#8a1c16", "#6b4100", "#1d3f8f",
        ] {
            assert!(CSS.contains(colour), "{colour}");
        }
    }

    #[test]
    fn slugs_and_names() {
        assert_eq!(slug("Upplands Väsby"), "upplands-vasby");
        assert_eq!(slug("Malung-Sälen"), "malung-salen");
        assert_eq!(slug("Örnsköldsvik"), "ornskoldsvik");
        assert_eq!(slug("../x"), "x");
        assert_eq!(
            municipality_file("0188", "Norrtälje"),
            "kommuner/0188-norrtalje.html"
        );
        assert_eq!(display_name("Gotland"), "Region Gotland");
        assert_eq!(display_name("Habo"), "Habo kommun");
    }

    #[test]
    fn snippets_mark_highlights_and_escape() {
        let s = "Ring <b>oss</b> på 08-123";
        assert_eq!(
            snippet_html(s, &[(0, 4), (2, 3), (100, 200)]),
            "<mark>Ring</mark> &lt;b&gt;oss&lt;/b&gt; på 08-123"
        );
        // Not a char boundary (inside "å"): ignored.
        let at = s.find('å').unwrap() + 1;
        assert!(!snippet_html(s, &[(at, at + 1)]).contains("<mark>"));
        let page = page("A & B", CSP_NO_SCRIPT, "<h1>x</h1>");
        assert!(page.contains("<html lang=\"sv\">") && page.contains("<title>A &amp; B</title>"));
    }
}
