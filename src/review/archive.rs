//! `GET /arkiv/{file}/{offset}/{length}`: an archived response as it was
//! fetched, read from the run's WARC file with
//! [`crate::archive::read_record`].
//!
//! The page is served with [`CSP_ARCHIVE`] (`default-src 'none'`, no script
//! source, `sandbox`) and `nosniff`; the archived HTML itself sits escaped
//! in the `srcdoc` of an `<iframe sandbox="">`, so it gets an opaque origin,
//! no scripts, no forms, no pop-ups, and inherits the policy (no network
//! except `data:` images). Plain text is shown escaped; other types only
//! get a notice.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::html::{escape, href, html_response, CSP_ARCHIVE};
use super::pages::{require, to_login};
use super::ReviewState;
use crate::archive::{read_record, ArchiveRef, ArchivedResponse};

/// A page under the archive's policy.
fn archive_page(status: StatusCode, banner: &str, content: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Arkiverad kopia – infokoll</title>\n</head>\n\
         <body style=\"margin:0;font-family:system-ui,sans-serif;color:#1a1a1a\">\n\
         <div style=\"padding:.4rem .8rem;background:#fff4cc;border-bottom:1px solid #c9a400;font-size:14px\">\
         {banner}</div>\n{content}\n</body>\n</html>\n"
    );
    html_response(status, html, CSP_ARCHIVE)
}

fn unavailable(status: StatusCode, text: &str) -> Response {
    archive_page(status, &escape(text), "")
}

/// `GET /arkiv/{file}/{offset}/{length}`.
pub(crate) async fn show(
    State(state): State<ReviewState>,
    headers: HeaderMap,
    Path((file, offset, length)): Path<(String, u64, u64)>,
) -> Response {
    if require(&state, &headers).is_none() {
        return to_login();
    }
    let plain = !file.is_empty()
        && !file.contains(['/', '\\'])
        && !file.starts_with('.')
        && std::path::Path::new(&file)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        && file.to_ascii_lowercase().ends_with(".warc.gz");
    if !plain {
        return unavailable(StatusCode::NOT_FOUND, "Ingen sådan arkivfil.");
    }
    let dir = state.dir().to_path_buf();
    let r = ArchiveRef {
        file,
        offset,
        length,
    };
    let read = tokio::task::spawn_blocking(move || read_record(&dir, &r)).await;
    let response = match read {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => {
            tracing::warn!("arkivposten kunde inte läsas: {e}");
            return unavailable(
                StatusCode::NOT_FOUND,
                "Den arkiverade kopian kunde inte läsas.",
            );
        }
        Err(_) => {
            return unavailable(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Den arkiverade kopian kunde inte läsas.",
            )
        }
    };
    render(&response)
}

/// The archived response as a page.
fn render(resp: &ArchivedResponse) -> Response {
    let content_type = resp.header("content-type").map(str::to_ascii_lowercase);
    let (text, _) = crate::extract::charset::decode(&resp.body, resp.header("content-type"));
    let url = resp.target.as_str();
    let banner = format!(
        "Arkiverad kopia hämtad {} från <a href=\"{}\" rel=\"noreferrer noopener\">{}</a> \
         (HTTP {}{}). Skript och formulär är avstängda.",
        escape(&resp.date),
        href(url),
        escape(url),
        resp.status,
        if resp.truncated { ", avkortad" } else { "" }
    );
    let kind = content_type.as_deref().unwrap_or("");
    let looks_html =
        kind.contains("html") || (kind.is_empty() && text.trim_start().starts_with('<'));
    let content = if looks_html {
        format!(
            "<iframe sandbox=\"\" referrerpolicy=\"no-referrer\" title=\"Arkiverad sida\" \
             style=\"border:0;width:100%;height:calc(100vh - 3rem)\" srcdoc=\"{}\"></iframe>",
            escape(&text)
        )
    } else if kind.starts_with("text/") || kind.is_empty() {
        format!(
            "<pre style=\"white-space:pre-wrap;padding:.8rem;margin:0\">{}</pre>",
            escape(&text)
        )
    } else {
        format!(
            "<p style=\"padding:.8rem\">Filen är av typen {} ({} byte) och visas inte här.</p>",
            escape(kind),
            resp.body.len()
        )
    };
    archive_page(StatusCode::OK, &banner, &content)
}
