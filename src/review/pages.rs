//! The read-only pages: start page, queue, municipality, decision log, and
//! the helpers the other handlers share (login check, labels).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub(crate) use super::filter::{Done, Filter, Latest, Show};
use super::html::{
    asset, datetime, decimal, encode, escape, href, html_response, message, page, Viewer, CSP_APP,
    CSS, JS,
};
use super::queue::{self, final_found, QueueEntry, Reason};
use super::{ReviewError, ReviewState};
use crate::store::{Decision, DecisionRow};

/// The logged-in reviewer of a request.
pub(crate) fn require(state: &ReviewState, headers: &HeaderMap) -> Option<Viewer> {
    state.viewer(headers).map(|(_, v)| v)
}

/// The answer to a page request without a login: `303 /login`.
pub(crate) fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// A 500 page for an internal error (logged; the page says little).
pub(crate) fn internal(e: &ReviewError) -> Response {
    tracing::error!("granskningsappen: {e}");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internt fel",
        "Något gick fel på servern. Felet finns i loggen.",
    )
}

/// The decision log and the latest decision per finding.
pub(crate) fn load_log(
    state: &ReviewState,
) -> Result<(Vec<(i64, DecisionRow)>, Latest), ReviewError> {
    let log = state.store()?.decisions(state.inner.data.run.id)?;
    let latest = queue::latest(&crate::store::in_force(&log));
    Ok((log, latest))
}

/// The item's Swedish name (its id when unknown).
pub(crate) fn item_name<'a>(state: &'a ReviewState, id: &'a str) -> &'a str {
    state.inner.rules.get(id).map_or(id, |r| r.name.as_str())
}

/// "Finns" / "Saknas" as a coloured span.
pub(crate) fn found_html(found: bool) -> &'static str {
    if found {
        "<span class=\"finns\">Finns</span>"
    } else {
        "<span class=\"saknas\">Saknas</span>"
    }
}

/// The Swedish word for a decision.
pub(crate) fn decision_sv(d: Decision) -> &'static str {
    match d {
        Decision::Confirm => "bekräftad",
        Decision::Reject => "avvisad",
        Decision::Present => "finns (adress angiven)",
    }
}

/// A log row in Swedish: the decision, or "ångrar beslut N (…)" for an undo.
pub(crate) fn logged_sv(d: &DecisionRow) -> String {
    match d.undoes {
        Some(id) => format!("ångrar beslut {id} ({})", decision_sv(d.decision)),
        None => decision_sv(d.decision).to_owned(),
    }
}

/// The reasons as badges.
pub(crate) fn reasons_html(reasons: &[Reason]) -> String {
    reasons.iter().fold(String::new(), |mut out, r| {
        let _ = write!(out, "<span class=\"badge\">{}</span>", r.label_sv());
        out
    })
}

/// The link to a finding (or to the municipality for a failed one), with
/// the filter's query.
pub(crate) fn entry_link(entry: &QueueEntry, filter: &Filter) -> String {
    match &entry.item {
        Some(item) => format!(
            "/fynd/{}/{}{}",
            encode(&entry.code),
            encode(item),
            filter.query()
        ),
        None => format!("/kommun/{}", encode(&entry.code)),
    }
}

/// The share as a percentage with a decimal comma, or "–".
fn share(part: usize, of: usize) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!("{} %", decimal(100.0 * part as f64 / of as f64, 0))
    }
}

/// `GET /`: progress and precision.
pub(crate) async fn start(State(state): State<ReviewState>, headers: HeaderMap) -> Response {
    let Some(viewer) = require(&state, &headers) else {
        return to_login();
    };
    let (log, latest) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let i = &state.inner;
    let done = Done::new(&latest);
    let entries = &i.entries;
    let reviewed = entries.iter().filter(|e| done.contains(e)).count();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Granskning av körning {} ({})</h1>\n<p>{} kommuner · {} bedömningar · \
         <strong>{}</strong> flaggade fynd, varav {} granskade.</p>\n\
         <p><progress value=\"{reviewed}\" max=\"{}\"></progress> {}</p>\n",
        i.data.run.id,
        i.data.run.year,
        i.data.states.len(),
        i.data.verdicts.len(),
        entries.len(),
        reviewed,
        entries.len().max(1),
        share(reviewed, entries.len())
    );
    let no_filter = Filter::from_map(&HashMap::new());
    let next = entries.iter().find(|e| !done.contains(e));
    body.push_str("<p><a href=\"/ko\">Till kön</a>");
    if let Some(e) = next {
        let _ = write!(
            body,
            " · <a rel=\"next\" href=\"{}\">Nästa ogranskade fynd</a>",
            escape(&entry_link(e, &no_filter))
        );
    }
    body.push_str(
        "</p>\n<h2>Flaggade fynd per orsak</h2>\n<table><thead><tr><th>Orsak</th>\
         <th class=\"num\">Fynd</th><th class=\"num\">Granskade</th></tr></thead><tbody>\n",
    );
    for reason in Reason::ALL {
        let with: Vec<&QueueEntry> = entries
            .iter()
            .filter(|e| e.reasons.contains(&reason))
            .collect();
        let n_done = with.iter().filter(|e| done.contains(e)).count();
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/ko?orsak={}&amp;visa=alla\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{n_done}</td></tr>",
            reason.id(),
            reason.label_sv(),
            with.len()
        );
    }
    body.push_str("</tbody></table>\n<h2>Granskare</h2>\n");
    let progress = queue::progress(&log, &latest, entries);
    if progress.is_empty() {
        body.push_str("<p>Inga beslut ännu.</p>\n");
    } else {
        body.push_str(
            "<table><thead><tr><th>Granskare</th><th class=\"num\">Beslut</th>\
             <th class=\"num\">Granskade fynd</th><th class=\"num\">Fynd i kön</th>\
             <th>Senaste beslut</th></tr></thead><tbody>\n",
        );
        for p in &progress {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&p.reviewer),
                p.decisions,
                p.findings,
                p.queue_done,
                datetime(p.last)
            );
        }
        body.push_str("</tbody></table>\n");
    }
    let _ = write!(
        body,
        "<h2>Uppskattad precision per punkt</h2>\n<p class=\"muted\">Från stickprovet: {} % av \
         de säkra bedömningarna dras slumpvis (samma urval varje gång). Andel rätt = granskade \
         där maskinen hade rätt; precision = av de granskade som maskinen bedömde som funna, \
         andelen som fanns.</p>\n<table><thead><tr><th>Punkt</th><th class=\"num\">I stickprovet</th>\
         <th class=\"num\">Granskade</th><th class=\"num\">Andel rätt</th>\
         <th class=\"num\">Precision (funna)</th></tr></thead><tbody>\n",
        decimal(100.0 * i.config.sample.clamp(0.0, 1.0), 1)
    );
    for p in queue::precision(entries, &i.data.verdicts, &latest, &i.rules) {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/ko?punkt={}&amp;orsak=stickprov&amp;visa=alla\">{}</a></td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} ({} av {})</td></tr>",
            encode(&p.item),
            escape(item_name(&state, &p.item)),
            p.sampled,
            p.reviewed,
            share(p.correct, p.reviewed),
            share(p.found_correct, p.found_reviewed),
            p.found_correct,
            p.found_reviewed
        );
    }
    body.push_str("</tbody></table>\n");
    body.push_str(&super::estimate::start_page_section(&state, &latest));
    html_response(StatusCode::OK, page("Start", Some(&viewer), &body), CSP_APP)
}

/// `GET /ko`: the filtered queue.
pub(crate) async fn queue(
    State(state): State<ReviewState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(viewer) = require(&state, &headers) else {
        return to_login();
    };
    let (log, latest) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let i = &state.inner;
    let filter = Filter::from_map(&query);
    let done = Done::new(&latest);
    let shown: Vec<&QueueEntry> = i
        .entries
        .iter()
        .filter(|e| filter.matches(&state, e, &done))
        .collect();
    let mut body = super::receipt::receipt_html(&state, &viewer, &log, &query, &filter);
    let _ = write!(
        body,
        "<h1>Kön</h1>\n<p>{} av {} flaggade fynd visas. Ordnade efter hur mycket poängen \
         ändras om bedömningen är fel. <kbd>j</kbd>/<kbd>k</kbd> väljer rad, <kbd>Enter</kbd> \
         öppnar.</p>\n",
        shown.len(),
        i.entries.len()
    );
    body.push_str(&filter_form(&state, &filter));
    body.push_str(
        "<table><thead><tr><th class=\"num\">#</th><th>Kommun</th><th>Län</th><th>Punkt</th>\
         <th>Maskinen</th><th class=\"num\">Säkerhet</th><th>Orsaker</th>\
         <th class=\"num\">Effekt (poäng)</th><th>Beslut</th></tr></thead><tbody>\n",
    );
    for (n, entry) in shown.iter().enumerate() {
        let muni = i.data.state(&entry.code);
        let name = muni.map_or(entry.code.as_str(), |s| s.municipality.name.as_str());
        let county = muni.map_or("", |s| s.municipality.county.as_str());
        let link = escape(&entry_link(entry, &filter));
        let (item, verdict, confidence, decided) = match &entry.item {
            Some(item) => {
                let key = (entry.code.clone(), item.clone());
                let v = i.data.verdicts.get(&key);
                let decided = latest.get(&key).map_or_else(String::new, |(_, d)| {
                    format!("{} av {}", decision_sv(d.decision), escape(&d.reviewer))
                });
                (
                    escape(item_name(&state, item)),
                    v.map_or("–", |v| found_html(v.found)),
                    v.map_or_else(|| "–".into(), |v| decimal(v.confidence, 2)),
                    decided,
                )
            }
            None => (
                "<em>hela kommunen</em>".to_owned(),
                "–",
                "–".to_owned(),
                String::new(),
            ),
        };
        let class = if done.contains(entry) {
            " class=\"klar\""
        } else {
            ""
        };
        let _ = writeln!(
            body,
            "<tr{class} data-href=\"{link}\"><td class=\"num\">{}</td><td><a href=\"{link}\">{} \
             ({})</a></td><td>{}</td><td>{item}</td><td>{verdict}</td><td class=\"num\">{confidence}</td>\
             <td>{}</td><td class=\"num\">{}</td><td>{decided}</td></tr>",
            n + 1,
            escape(name),
            escape(&entry.code),
            escape(county),
            reasons_html(&entry.reasons),
            decimal(entry.effect, 1)
        );
    }
    body.push_str("</tbody></table>\n");
    html_response(StatusCode::OK, page("Kön", Some(&viewer), &body), CSP_APP)
}

/// The queue's filter form (GET: it changes nothing, so it has no CSRF token).
fn filter_form(state: &ReviewState, filter: &Filter) -> String {
    let i = &state.inner;
    let option = |value: &str, label: &str, selected: bool| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            escape(value),
            if selected { " selected" } else { "" },
            escape(label)
        )
    };
    let mut out = String::from(
        "<form class=\"filter\" method=\"get\" action=\"/ko\"><label>Punkt<select name=\"punkt\">",
    );
    out.push_str(&option("", "alla", filter.item.is_none()));
    for r in &i.rules.rules {
        out.push_str(&option(&r.id, &r.name, filter.item.as_ref() == Some(&r.id)));
    }
    out.push_str("</select></label><label>Län<select name=\"lan\">");
    out.push_str(&option("", "alla", filter.county.is_none()));
    let counties: BTreeSet<&str> = i
        .data
        .states
        .iter()
        .map(|s| s.municipality.county.as_str())
        .collect();
    for c in counties {
        out.push_str(&option(c, c, filter.county.as_deref() == Some(c)));
    }
    out.push_str("</select></label><label>Orsak<select name=\"orsak\">");
    out.push_str(&option("", "alla", filter.reason.is_none()));
    for r in Reason::ALL {
        out.push_str(&option(r.id(), r.label_sv(), filter.reason == Some(r)));
    }
    out.push_str("</select></label><label>Visa<select name=\"visa\">");
    out.push_str(&option("", "ogranskade", filter.show == Show::Open));
    out.push_str(&option("granskade", "granskade", filter.show == Show::Done));
    out.push_str(&option("alla", "alla", filter.show == Show::All));
    out.push_str("</select></label><button type=\"submit\">Filtrera</button></form>\n");
    out
}

/// `GET /kommun/{code}`: every item with machine and reviewer verdicts.
pub(crate) async fn municipality(
    State(state): State<ReviewState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let Some(viewer) = require(&state, &headers) else {
        return to_login();
    };
    let i = &state.inner;
    let Some(muni) = i.data.state(&code) else {
        return not_found_page();
    };
    let (_, latest) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let scores = match state.scores() {
        Ok(s) => s,
        Err(e) => return internal(&e),
    };
    let m = &muni.municipality;
    let mut body = format!(
        "<h1>{} ({})</h1>\n<p>{} · <a href=\"{}\" rel=\"noreferrer noopener\">{}</a> · \
         status: {} · {} hämtade sidor{}</p>
",
        escape(&m.name),
        escape(&m.code),
        escape(&m.county),
        href(&m.homepage),
        escape(&m.homepage),
        escape(&crate::report::html::status_with_reason(
            muni.site_status.as_deref().unwrap_or(muni.status.as_str()),
            muni.site_reason.as_deref()
        )),
        muni.pages_fetched.unwrap_or(0),
        muni.crawl_end
            .as_deref()
            .and_then(crate::crawl::CrawlEnd::from_code)
            .map(|e| format!(" ({})", e.describe_sv()))
            .unwrap_or_default()
    );
    if let Some(s) = scores.municipalities.iter().find(|s| s.code == code) {
        let score = s.score.map_or_else(
            || "data saknas".to_owned(),
            |v| format!("{} av 100", decimal(v, 1)),
        );
        let rank = s.rank.map_or_else(String::new, |r| {
            format!(", plats {r} av {}", s.ranked_total)
        });
        let _ = writeln!(
            body,
            "<p class=\"score\">Poäng med granskarnas beslut: <strong id=\"poang\">{score}</strong>{rank}</p>"
        );
    }
    body.push_str(
        "<table><thead><tr><th>Punkt</th><th>Del</th><th>Maskinen</th><th class=\"num\">Säkerhet</th>\
         <th>Granskare</th><th>Gäller</th><th>Orsaker</th></tr></thead><tbody>\n",
    );
    let reasons: HashMap<&str, &[Reason]> = i
        .entries
        .iter()
        .filter(|e| e.code == code)
        .filter_map(|e| e.item.as_deref().map(|it| (it, e.reasons.as_slice())))
        .collect();
    for rule in &i.rules.rules {
        let key = (code.clone(), rule.id.clone());
        let verdict = i.data.verdicts.get(&key);
        let decision = latest.get(&key).map(|(_, d)| d);
        let reviewer = decision.map_or_else(String::new, |d| {
            format!("{} av {}", decision_sv(d.decision), escape(&d.reviewer))
        });
        let machine = verdict.map(|v| v.found);
        let now = match (machine, decision) {
            (_, Some(d)) => Some(final_found(machine.unwrap_or(false), d.decision)),
            (m, None) => m,
        };
        let link = format!("/fynd/{}/{}", encode(&code), encode(&rule.id));
        let _ = writeln!(
            body,
            "<tr data-href=\"{}\"><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td>{reviewer}</td><td>{}</td><td>{}</td></tr>",
            escape(&link),
            escape(&link),
            escape(&rule.name),
            rule.part.label_sv(),
            machine.map_or("–", found_html),
            verdict.map_or_else(|| "–".into(), |v| decimal(v.confidence, 2)),
            now.map_or("–", found_html),
            reasons_html(reasons.get(rule.id.as_str()).copied().unwrap_or_default())
        );
    }
    body.push_str("</tbody></table>\n");
    html_response(StatusCode::OK, page(&m.name, Some(&viewer), &body), CSP_APP)
}

/// `GET /logg`: every decision, newest first.
pub(crate) async fn log(State(state): State<ReviewState>, headers: HeaderMap) -> Response {
    let Some(viewer) = require(&state, &headers) else {
        return to_login();
    };
    let (log, _) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let mut body = format!(
        "<h1>Beslutsloggen</h1>\n<p>{} beslut. Loggen ändras aldrig: ett ändrat beslut läggs \
         till som en ny rad, och det senaste gäller.</p>\n<table><thead><tr><th>Tid (UTC)</th>\
         <th>Granskare</th><th>Kommun</th><th>Punkt</th><th>Beslut</th><th>Maskinen</th>\
         <th>Adress</th><th>Kommentar</th></tr></thead><tbody>\n",
        log.len()
    );
    for (_, d) in log.iter().rev() {
        let name = state
            .inner
            .data
            .state(&d.code)
            .map_or(d.code.as_str(), |s| s.municipality.name.as_str());
        let url = d.url.as_deref().map_or_else(String::new, |u| {
            format!(
                "<a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
                href(u),
                escape(u)
            )
        });
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/fynd/{}/{}\">{}</a></td><td>{}</td>\
             <td>{}</td><td>{url}</td><td>{}</td></tr>",
            datetime(d.decided_at),
            escape(&d.reviewer),
            escape(name),
            encode(&d.code),
            encode(&d.item),
            escape(item_name(&state, &d.item)),
            logged_sv(d),
            d.machine_found.map_or("–", found_html),
            escape(d.comment.as_deref().unwrap_or(""))
        );
    }
    body.push_str("</tbody></table>\n");
    html_response(StatusCode::OK, page("Logg", Some(&viewer), &body), CSP_APP)
}

/// `GET /stil.css`.
pub(crate) async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

/// `GET /app.js`.
pub(crate) async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

/// A 404 page.
pub(crate) fn not_found_page() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Sidan finns inte",
        "Adressen pekar inte på något i den här granskningen.",
    )
}

/// Fallback for unknown routes.
pub(crate) async fn not_found() -> Response {
    not_found_page()
}
