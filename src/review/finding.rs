//! The finding page: one item of one municipality — what counts, the
//! machine's verdict and why, the evidence with its archived copies, the
//! site's other pages, the decision form and the finding's whole log.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::html::{
    csrf_field, datetime, decimal, encode, escape, href, html_response, page, snippet_html, CSP_APP,
};
use super::pages::{
    decision_sv, entry_link, found_html, internal, item_name, load_log, not_found_page,
    reasons_html, require, to_login, Done, Filter,
};
use super::queue::QueueEntry;
use super::ReviewState;
use crate::store::{EvidenceRow, WarcRef};

/// Most other pages of the site listed.
const MAX_OTHER_PAGES: usize = 150;

/// The app's link to an archived record.
pub(crate) fn archive_link(w: &WarcRef) -> String {
    format!("/arkiv/{}/{}/{}", encode(&w.file), w.offset, w.length)
}

/// The previous and next queue entries around `(code, item)` that pass the
/// filter (the finding itself need not be in the queue or pass it).
pub(crate) fn neighbours<'a>(
    state: &'a ReviewState,
    code: &str,
    item: &str,
    filter: &Filter,
    done: &Done<'_>,
) -> (Option<&'a QueueEntry>, Option<&'a QueueEntry>) {
    let entries = &state.inner.entries;
    let at = entries
        .iter()
        .position(|e| e.code == code && e.item.as_deref() == Some(item));
    let passes = |e: &&QueueEntry| filter.matches(state, e, done);
    match at {
        Some(at) => (
            entries[..at].iter().rev().find(passes),
            entries[at + 1..].iter().find(passes),
        ),
        None => (None, entries.iter().find(passes)),
    }
}

/// `GET /fynd/{code}/{item}`.
pub(crate) async fn show(
    State(state): State<ReviewState>,
    headers: HeaderMap,
    Path((code, item)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(viewer) = require(&state, &headers) else {
        return to_login();
    };
    let i = &state.inner;
    let (Some(muni), Some(rule)) = (i.data.state(&code), i.rules.get(&item)) else {
        return not_found_page();
    };
    let (log, latest) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let fetches = match state.store() {
        Ok(store) => store.fetches(i.data.run.id, &code),
        Err(e) => return internal(&e),
    };
    let fetches = match fetches {
        Ok(f) => f,
        Err(e) => return internal(&e.into()),
    };
    let filter = Filter::from_map(&query);
    let done = Done::new(&latest);
    let key = (code.clone(), item.clone());
    let verdict = i.data.verdicts.get(&key);
    let entry = i
        .entries
        .iter()
        .find(|e| e.code == code && e.item.as_deref() == Some(item.as_str()));
    let (prev, next) = neighbours(&state, &code, &item, &filter, &done);
    let m = &muni.municipality;

    let mut body = String::from("<p class=\"pager\">");
    if let Some(p) = prev {
        let _ = write!(
            body,
            "<a rel=\"prev\" href=\"{}\">← Föregående (k)</a>",
            escape(&entry_link(p, &filter))
        );
    }
    let _ = write!(body, "<a href=\"/ko{}\">Kön</a>", escape(&filter.query()));
    if let Some(n) = next {
        let _ = write!(
            body,
            "<a rel=\"next\" href=\"{}\">Nästa (j) →</a>",
            escape(&entry_link(n, &filter))
        );
    }
    let _ = write!(
        body,
        "</p>\n<h1>{} – {}</h1>\n<p>{} · <a href=\"/kommun/{}\">{} ({}), {}</a>",
        escape(&rule.name),
        escape(&m.name),
        rule.part.label_sv(),
        encode(&m.code),
        escape(&m.name),
        escape(&m.code),
        escape(&m.county)
    );
    if let Some(e) = entry {
        let _ = write!(
            body,
            " · {} · effekt på poängen {} poäng",
            reasons_html(&e.reasons),
            decimal(e.effect, 1)
        );
    }
    body.push_str("</p>\n<div class=\"grid\">\n<div>\n");
    let _ = writeln!(
        body,
        "<section class=\"card\"><h2>Vad som räknas</h2><p>{}</p><p class=\"muted\">Tips till \
         kommunen: {}</p></section>",
        escape(&rule.description),
        escape(&rule.tip)
    );
    body.push_str("<section class=\"card\"><h2>Maskinens bedömning</h2>");
    match verdict {
        Some(v) => {
            let _ = write!(
                body,
                "<p>{} med säkerhet <strong>{}</strong> (räknas som funnen från {}, gråzon {}–{}).</p>",
                found_html(v.found),
                decimal(v.confidence, 2),
                decimal(rule.threshold, 2),
                decimal(rule.grey_zone.0, 2),
                decimal(rule.grey_zone.1, 2)
            );
            if let Some(why) = &v.uncertain {
                let _ = write!(
                    body,
                    "<p><strong>Osäker – granskas:</strong> {}</p>",
                    escape(why)
                );
            }
            body.push_str(&signals_html(&v.evidence));
        }
        None => body.push_str("<p>Ingen bedömning: webbplatsen kunde inte granskas.</p>"),
    }
    body.push_str("</section>\n");
    body.push_str(&decision_form(
        &viewer.csrf,
        &code,
        &item,
        &filter,
        verdict.map(|v| v.found),
    ));
    let history: Vec<_> = log
        .iter()
        .filter(|(_, d)| d.code == code && d.item == item)
        .collect();
    if !history.is_empty() {
        body.push_str(
            "<section><h2>Beslut om fyndet</h2><table><thead><tr><th>Tid (UTC)</th>\
             <th>Granskare</th><th>Beslut</th><th>Adress</th><th>Kommentar</th></tr></thead><tbody>",
        );
        for (_, d) in history.iter().rev() {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                datetime(d.decided_at),
                escape(&d.reviewer),
                decision_sv(d.decision),
                d.url.as_deref().map_or_else(String::new, |u| format!(
                    "<a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
                    href(u),
                    escape(u)
                )),
                escape(d.comment.as_deref().unwrap_or(""))
            );
        }
        body.push_str(
            "</tbody></table><p class=\"muted\">Det senaste beslutet gäller.</p></section>\n",
        );
    }
    body.push_str("</div>\n<div>\n<h2>Belägg</h2>\n");
    let evidence = verdict.map_or(&[][..], |v| v.evidence.as_slice());
    if evidence.is_empty() {
        body.push_str("<p>Inga belägg hittades.</p>\n");
    }
    for e in evidence {
        body.push_str(&evidence_html(e));
    }
    if let Some(w) = evidence.iter().find_map(|e| e.warc.as_ref()) {
        let _ = write!(
            body,
            "<h2>Arkiverad kopia av bästa belägget</h2>\n<iframe class=\"arkiv\" sandbox=\"\" \
             loading=\"lazy\" referrerpolicy=\"no-referrer\" title=\"Arkiverad kopia\" \
             src=\"{}\"></iframe>\n",
            escape(&archive_link(w))
        );
    }
    let seen: HashSet<&str> = evidence.iter().map(|e| e.url.as_str()).collect();
    let others: Vec<_> = fetches
        .iter()
        .filter(|f| f.status == Some(200) && !seen.contains(f.final_url.as_str()))
        .filter(|f| {
            f.content_type
                .as_deref()
                .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        })
        .take(MAX_OTHER_PAGES)
        .collect();
    let _ = write!(
        body,
        "<h2>Andra sidor på webbplatsen</h2>\n<details><summary>{} hämtade sidor utan belägg \
         för punkten</summary><ul>\n",
        others.len()
    );
    for f in others {
        let archived = f.warc.as_ref().map_or_else(String::new, |w| {
            format!(
                " · <a href=\"{}\">arkiverad kopia</a>",
                escape(&archive_link(w))
            )
        });
        let _ = writeln!(
            body,
            "<li><a href=\"{}\" rel=\"noreferrer noopener\">{}</a> <span class=\"muted\">(djup {})\
             </span>{archived}</li>",
            href(&f.final_url),
            escape(&f.final_url),
            f.depth
        );
    }
    body.push_str("</ul></details>\n</div>\n</div>\n");
    let title = format!("{} – {}", item_name(&state, &item), m.name);
    html_response(StatusCode::OK, page(&title, Some(&viewer), &body), CSP_APP)
}

/// The signals that fired, with their weights and how often.
fn signals_html(evidence: &[EvidenceRow]) -> String {
    if evidence.is_empty() {
        return "<p>Inga signaler slog till.</p>".to_owned();
    }
    let mut by: BTreeMap<(&str, &str), (usize, f64)> = BTreeMap::new();
    for e in evidence {
        let s = by.entry((e.signal.as_str(), e.kind.as_str())).or_default();
        s.0 += 1;
        s.1 = s.1.max(e.weight);
    }
    let mut out = String::from("<h3>Signaler som slog till</h3><ul>");
    for ((signal, kind), (n, weight)) in by {
        let _ = write!(
            out,
            "<li><code>{}</code> ({}) vikt {} · {n} gång{}</li>",
            escape(signal),
            escape(kind),
            decimal(weight, 2),
            if n == 1 { "" } else { "er" }
        );
    }
    out.push_str("</ul>");
    out
}

/// One piece of evidence as a card.
fn evidence_html(e: &EvidenceRow) -> String {
    let mut out = format!(
        "<div class=\"card\"><blockquote class=\"snippet\">{}</blockquote><p class=\"muted\">",
        snippet_html(&e.snippet, &e.highlights)
    );
    if !e.context.is_empty() {
        let _ = write!(out, "{} · ", escape(&e.context));
    }
    let _ = write!(
        out,
        "signal <code>{}</code> ({}), vikt {} · djup {}{}</p><p><a href=\"{}\" \
         rel=\"noreferrer noopener\" target=\"_blank\">{}</a>",
        escape(&e.signal),
        escape(&e.kind),
        decimal(e.weight, 2),
        e.depth,
        if e.off_site {
            " · utanför kommunens webbplats"
        } else {
            ""
        },
        href(&e.url),
        escape(&e.url)
    );
    if let Some(w) = &e.warc {
        let _ = write!(
            out,
            " · <a href=\"{}\">arkiverad kopia</a>",
            escape(&archive_link(w))
        );
    }
    if let Some(t) = &e.target {
        let _ = write!(
            out,
            "<br>Länkar till <a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
            href(t),
            escape(t)
        );
    }
    out.push_str("</p></div>\n");
    out
}

/// The decision form: confirm, reject, or present with an address; a comment.
fn decision_form(
    csrf: &str,
    code: &str,
    item: &str,
    filter: &Filter,
    machine: Option<bool>,
) -> String {
    let meaning = match machine {
        Some(true) => "Maskinen säger att punkten finns.",
        Some(false) => "Maskinen säger att punkten saknas.",
        None => "Maskinen har ingen bedömning.",
    };
    format!(
        "<section class=\"card\"><h2>Beslut</h2><p>{meaning} Bekräfta om det stämmer, avvisa om \
         det är fel, eller ange adressen där punkten finns.</p>\
         <form method=\"post\" action=\"/beslut\">{}{}\
         <input type=\"hidden\" name=\"kod\" value=\"{}\"><input type=\"hidden\" name=\"punkt_id\" value=\"{}\">\
         <div class=\"decide\">\
         <button type=\"submit\" id=\"bekrafta\" class=\"ja\" name=\"beslut\" value=\"confirm\">Bekräfta (b)</button>\
         <button type=\"submit\" id=\"avvisa\" class=\"nej\" name=\"beslut\" value=\"reject\">Avvisa (a)</button>\
         <label>Adress där punkten finns (n)<input type=\"url\" id=\"finns-url\" name=\"url\" \
         placeholder=\"https://…\"></label>\
         <button type=\"submit\" name=\"beslut\" value=\"present\">Finns på adressen</button></div>\
         <label>Kommentar<textarea name=\"kommentar\" maxlength=\"2000\"></textarea></label>\
         </form></section>\n",
        csrf_field(csrf),
        filter.hidden_fields(),
        escape(code),
        escape(item)
    )
}
