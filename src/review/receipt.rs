//! The receipt after a decision and its undo (issue 15).
//!
//! `POST /beslut` sends the reviewer on with `?kvitto=ID`; the next page
//! shows what was saved with an "Ångra" button. `POST /angra` appends an
//! undo row to the append-only log ([`DecisionRow::undoes`]) and shows a
//! receipt for that. Only one's own ordinary, not yet undone decisions can
//! be undone.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::actions::{bad_request, signed_in_form};
use super::filter::Filter;
use super::html::{csrf_field, encode, escape, Viewer};
use super::pages::{decision_sv, internal, item_name, load_log};
use super::ReviewState;
use crate::store::{now_ms, DecisionRow};

/// The query parameter naming the decision a page confirms.
pub(crate) const PARAM: &str = "kvitto";

/// `query` (the filter's `?…` or empty) with `kvitto=id` added.
pub(crate) fn with_receipt(query: &str, id: i64) -> String {
    if query.is_empty() {
        format!("?{PARAM}={id}")
    } else {
        format!("{query}&{PARAM}={id}")
    }
}

/// The receipt box for `?kvitto=ID` when the id is a decision of this
/// reviewer in the log; empty otherwise.
pub(crate) fn receipt_html(
    state: &ReviewState,
    viewer: &Viewer,
    log: &[(i64, DecisionRow)],
    query: &HashMap<String, String>,
    filter: &Filter,
) -> String {
    let Some(id) = query.get(PARAM).and_then(|v| v.parse::<i64>().ok()) else {
        return String::new();
    };
    let Some((_, row)) = log
        .iter()
        .find(|(i, d)| *i == id && d.reviewer == viewer.name)
    else {
        return String::new();
    };
    let name = state
        .inner
        .data
        .state(&row.code)
        .map_or(row.code.as_str(), |s| s.municipality.name.as_str());
    let what = format!(
        "<strong>{}</strong> om {} – {}",
        decision_sv(row.decision),
        escape(item_name(state, &row.item)),
        escape(name)
    );
    let mut out = String::from("<div class=\"kvitto\" role=\"status\" id=\"kvitto\">");
    if row.undoes.is_some() {
        let _ = write!(
            out,
            "Ångrat: beslutet {what} gäller inte längre (en ny rad i loggen). \
             <a href=\"/fynd/{}/{}{}\">Till fyndet</a>",
            encode(&row.code),
            encode(&row.item),
            escape(&filter.query())
        );
    } else if log.iter().any(|(_, d)| d.undoes == Some(id)) {
        let _ = write!(out, "Beslutet {what} är redan ångrat.");
    } else {
        let _ = write!(
            out,
            "Sparat: {what}. <form class=\"angra\" method=\"post\" action=\"/angra\">{}{}\
             <input type=\"hidden\" name=\"id\" value=\"{id}\">\
             <button type=\"submit\" id=\"angra\">Ångra</button></form>",
            csrf_field(&viewer.csrf),
            filter.hidden_fields()
        );
    }
    out.push_str("</div>\n");
    out
}

/// `POST /angra`: appends an undo of one of the reviewer's decisions and
/// goes to its finding with a receipt.
pub(crate) async fn undo(State(state): State<ReviewState>, req: Request) -> Response {
    let (_, viewer, form) = match signed_in_form(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(id) = form.get("id").and_then(|v| v.parse::<i64>().ok()) else {
        return bad_request("Vilket beslut ska ångras?");
    };
    let (log, _) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let Some((_, row)) = log.iter().find(|(i, _)| *i == id) else {
        return bad_request("Beslutet finns inte i loggen.");
    };
    if row.reviewer != viewer.name || row.undoes.is_some() {
        return bad_request("Du kan bara ångra dina egna beslut.");
    }
    if log.iter().any(|(_, d)| d.undoes == Some(id)) {
        return bad_request("Beslutet är redan ångrat.");
    }
    let undo_row = DecisionRow {
        reviewer: viewer.name.clone(),
        decided_at: now_ms(),
        comment: None,
        undoes: Some(id),
        ..row.clone()
    };
    let recorded = state
        .store()
        .and_then(|s| Ok(s.record_decision(state.inner.data.run.id, &undo_row)?));
    let undo_id = match recorded {
        Ok(i) => i,
        Err(e) => return internal(&e),
    };
    state.invalidate_scores();
    tracing::info!(
        "{} ångrade beslut {id} om {} {}",
        viewer.name,
        row.code,
        row.item
    );
    let filter = Filter::from_map(&form);
    let target = format!(
        "/fynd/{}/{}{}",
        encode(&row.code),
        encode(&row.item),
        with_receipt(&filter.query(), undo_id)
    );
    Redirect::to(&target).into_response()
}
