//! The HTML building blocks of the review app: the one [`escape`] function
//! every piece of text passes, safe link targets, highlighted snippets,
//! the page shell with its security headers, the style sheet and the small
//! keyboard script (served as files so the pages' Content-Security-Policy
//! can forbid inline scripts).

use std::fmt::Write as _;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The Content-Security-Policy of the app's own pages: scripts and styles
/// only from the app itself, frames only from the app (the archived
/// copies), forms only to the app, never framed by others.
pub(crate) const CSP_APP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// The Content-Security-Policy of an archived copy: nothing may run or be
/// loaded, the document is sandboxed (opaque origin), and only the app may
/// frame it.
pub(crate) const CSP_ARCHIVE: &str = "default-src 'none'; img-src data:; \
     style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'";

pub(crate) use crate::report::html::escape;

/// A URL from a crawled page as a link target: only `http(s)` URLs are
/// kept, anything else (`javascript:`, `data:`, relative) becomes `#`.
/// Escaped for an attribute.
pub(crate) fn href(url: &str) -> String {
    let t = url.trim();
    let lower = t.to_ascii_lowercase();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    if web && !t.chars().any(char::is_control) {
        escape(t)
    } else {
        "#".to_owned()
    }
}

/// Percent-encodes one path segment or query value (everything but
/// unreserved characters).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(crate) use crate::report::html::snippet_html;

/// A number with a decimal comma.
pub(crate) fn decimal(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.starts_with('-') && text.trim_matches(['-', '0', '.']).is_empty() {
        text[1..].to_owned()
    } else {
        text
    };
    text.replace('.', ",")
}

pub(crate) use crate::report::html::datetime_of_ms as datetime;

/// Who is looking at a page: the reviewer and the session's CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The reviewer's name.
    pub(crate) name: String,
    /// The session's synchroniser token, put in every form.
    pub(crate) csrf: String,
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">",
        escape(csrf)
    )
}

/// A complete page of the app (`lang="sv"`, the style sheet, the keyboard
/// script, the navigation with the logout form).
pub(crate) fn page(title: &str, viewer: Option<&Viewer>, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – infokoll granskning</title>\n\
         <link rel=\"stylesheet\" href=\"/stil.css\">\n\
         <script src=\"/app.js\" defer></script>\n</head>\n<body>\n<header>\
         <a class=\"brand\" href=\"/\">infokoll granskning</a>",
        escape(title)
    );
    if let Some(v) = viewer {
        let _ = write!(
            out,
            "<nav><a href=\"/\">Start</a> <a href=\"/ko\">Kö</a> <a href=\"/logg\">Logg</a></nav>\
             <form class=\"logout\" method=\"post\" action=\"/logout\">{}\
             <span>Inloggad som <strong>{}</strong></span> \
             <button type=\"submit\">Logga ut</button></form>",
            csrf_field(&v.csrf),
            escape(&v.name)
        );
    }
    let _ = write!(
        out,
        "</header>\n<main>\n{body}\n</main>\n<footer><label class=\"kortkommandon\"><input type=\"checkbox\" \
         id=\"kortkommandon\" checked> Kortkommandon med en tangent</label> \
         <span class=\"muted\">(sparas i webbläsaren; stäng av dem om de stör, t.ex. med \
         taligenkänning)</span><br>Tangenter: <kbd>j</kbd>/<kbd>k</kbd> nästa/föregående · \
         <kbd>b</kbd> bekräfta · <kbd>a</kbd> avvisa · <kbd>n</kbd> finns (ange adress) · \
         <kbd>Enter</kbd> öppna</footer>\n</body>\n</html>\n"
    );
    out
}

/// Adds the headers every app page gets.
pub(crate) fn secure_headers(response: &mut Response, csp: &'static str) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if csp == CSP_APP {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    } else {
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
}

/// An HTML response with a status and the app's headers.
pub(crate) fn html_response(status: StatusCode, html: String, csp: &'static str) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    secure_headers(&mut response, csp);
    response
}

/// A plain message page (errors, "logga in först").
pub(crate) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">Till startsidan</a></p>",
        escape(title),
        escape(text)
    );
    html_response(status, page(title, None, &body), CSP_APP)
}

/// A static asset with its content type and the app's headers.
pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    secure_headers(&mut response, CSP_APP);
    response
}

/// The style sheet: system fonts, readable on a laptop screen, high contrast.
pub(crate) const CSS: &str = "\
:root{color-scheme:light}\
*{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff;line-height:1.45;font-size:15px}\
header{display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap;padding:.5rem 1rem;background:#123a66;color:#fff}\
header a{color:#fff}\
header .brand{font-weight:700;text-decoration:none}\
header nav a{margin-right:1rem}\
header form.logout{margin-left:auto;display:flex;gap:.5rem;align-items:center}\
main{max-width:1280px;margin:0 auto;padding:1rem}\
footer{max-width:1280px;margin:0 auto;padding:.5rem 1rem 2rem;color:#4d4d4d;font-size:.85rem}\
a{color:#0b4f9c}\
h1{font-size:1.5rem;margin:.5rem 0 1rem}\
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}\
table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{border-bottom:1px solid #ccc;padding:.3rem .45rem;text-align:left;vertical-align:top}\
th{background:#f0f3f7}\
tr.vald{outline:3px solid #0b4f9c;background:#eef4fb}\
tr.klar{color:#4d4d4d}\
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
mark{background:#ffe27a;color:#1a1a1a}\
kbd{border:1px solid #999;border-radius:3px;padding:0 .25rem;font-size:.8rem;background:#f6f6f6}\
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;margin:0 .15rem .15rem 0;font-size:.8rem;background:#e8edf3;color:#123a66}\
.finns{color:#0a6b2d;font-weight:600}\
.saknas{color:#9c1c1c;font-weight:600}\
.muted{color:#4d4d4d}\
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.25rem}\
.beslut{position:sticky;top:.5rem;z-index:1;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.15)}\
form.finns{margin-top:.8rem;padding-top:.6rem;border-top:1px solid #ccc}\
.kvitto{border:2px solid #0a6b2d;background:#eef8f1;border-radius:4px;padding:.5rem .8rem;margin:.5rem 0 1rem}\
.kvitto form{display:inline;margin-left:.5rem}\
@media (max-width:1000px){.grid{grid-template-columns:1fr}}\
.card{border:1px solid #ccc;border-radius:4px;padding:.6rem .8rem;margin:0 0 .8rem}\
.snippet{font-size:1rem;margin:.3rem 0}\
.decide{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}\
.decide label{display:flex;flex-direction:column;font-size:.85rem}\
.decide input[type=url]{min-width:20rem}\
textarea{width:100%;min-height:3.5rem;font:inherit}\
button{font:inherit;padding:.3rem .8rem;cursor:pointer}\
button.ja{background:#0a6b2d;color:#fff;border:1px solid #064d20}\
button.nej{background:#9c1c1c;color:#fff;border:1px solid #6e1313}\
iframe.arkiv{width:100%;height:70vh;border:1px solid #999}\
form.filter{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end;margin-bottom:1rem}\
form.filter label{display:flex;flex-direction:column;font-size:.85rem}\
.pager{display:flex;gap:1rem;margin:.5rem 0}\
.error{color:#9c1c1c;font-weight:600}\
.login{max-width:22rem}\
.login label{display:block;margin:.6rem 0}\
.login input{display:block;width:100%;font:inherit;padding:.3rem}\
";

/// The keyboard script: `j`/`k` move through the queue's rows (or to the
/// next/previous finding), `Enter` opens the selected row, `b` confirms,
/// `a` rejects and `n` jumps to the "finns" address field. Keys typed into
/// a field are left alone. The footer's checkbox turns the single-key
/// shortcuts off (WCAG 2.1.4), remembered in `localStorage`.
pub(crate) const JS: &str = r"(function () {
  'use strict';
  var KEY = 'infokoll-kortkommandon';
  var on = true;
  try { on = window.localStorage.getItem(KEY) !== 'av'; } catch (err) { on = true; }
  var toggle = document.getElementById('kortkommandon');
  if (toggle) {
    toggle.checked = on;
    toggle.addEventListener('change', function () {
      on = toggle.checked;
      try { window.localStorage.setItem(KEY, on ? 'pa' : 'av'); } catch (err) { /* not kept */ }
    });
  }
  function typing(e) {
    var t = e.target;
    var n = t && t.tagName;
    return n === 'INPUT' || n === 'TEXTAREA' || n === 'SELECT' || (t && t.isContentEditable);
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  function follow(rel) {
    var el = document.querySelector('a[rel=' + rel + ']');
    if (el) { window.location.href = el.href; return true; }
    return false;
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-href]'));
  var at = -1;
  function select(i) {
    if (!rows.length) { return; }
    if (at >= 0) { rows[at].classList.remove('vald'); }
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add('vald');
    rows[at].scrollIntoView({block: 'nearest'});
  }
  rows.forEach(function (row, i) {
    row.addEventListener('click', function (e) {
      if (e.target.tagName !== 'A') { select(i); window.location.href = row.getAttribute('data-href'); }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (!on || e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
    var done = false;
    if (rows.length) {
      if (e.key === 'j') { select(at + 1); done = true; }
      else if (e.key === 'k') { select(at - 1); done = true; }
      else if (e.key === 'Enter' && at >= 0) { window.location.href = rows[at].getAttribute('data-href'); done = true; }
    } else {
      if (e.key === 'j') { done = follow('next'); }
      else if (e.key === 'k') { done = follow('prev'); }
    }
    if (e.key === 'b') { done = click('bekrafta'); }
    else if (e.key === 'a') { done = click('avvisa'); }
    else if (e.key === 'n') {
      var f = document.getElementById('finns-url');
      if (f) { f.focus(); done = true; }
    }
    if (done) { e.preventDefault(); }
  });
})();
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_neutralises_links() {
        assert_eq!(
            escape(r#"<img src=x onerror="alert(1)"> & 'a'"#),
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;a&#39;"
        );
        assert_eq!(href("javascript:alert(1)"), "#");
        assert_eq!(href(" JaVaScRiPt:alert(1)"), "#");
        assert_eq!(href("data:text/html,x"), "#");
        assert_eq!(href("/relative"), "#");
        assert_eq!(
            href("https://k.se/?a=1&b=\"2\""),
            "https://k.se/?a=1&amp;b=&quot;2&quot;"
        );
        assert_eq!(encode("a b/å"), "a%20b%2F%C3%A5");
    }

    #[test]
    fn snippet_pieces_are_escaped_separately() {
        let s = "Ring <b>oss</b> på 0176";
        let html = snippet_html(s, &[(5, 8), (0, 4), (2, 3), (100, 200), (18, 19)]);
        assert_eq!(
            html,
            "<mark>Ring</mark> <mark>&lt;b&gt;</mark>oss&lt;/b&gt; på 0176"
        );
        // A range inside a multi-byte character is ignored.
        assert_eq!(snippet_html("på", &[(2, 3)]), "på");
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(decimal(0.625, 2), "0,62");
        assert_eq!(decimal(-0.001, 1), "0,0");
        assert_eq!(datetime(0), "1970-01-01 00:00");
        assert_eq!(datetime(1_770_000_000_000), "2026-02-02 02:40");
    }
}
