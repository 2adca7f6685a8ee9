//! The handlers that change something: login, logout and decisions. Each
//! POST checks the session and its CSRF token first.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::{self, cookie, tokens_match, SESSION_TTL};
use super::finding::neighbours;
use super::html::{csrf_field, escape, html_response, message, page, Viewer, CSP_APP};
use super::pages::{entry_link, internal, load_log, Done, Filter};
use super::receipt::with_receipt;
use super::{ReviewError, ReviewState};
use crate::store::{now_ms, Decision, DecisionRow};

/// Largest form body read.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Longest comment or URL accepted (characters).
const MAX_TEXT_CHARS: usize = 2000;

/// A form body as field → first value.
fn form_map(body: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// Splits a request into headers, client address and form fields.
pub(crate) async fn read_form(
    req: Request,
) -> Result<(HeaderMap, Option<SocketAddr>, HashMap<String, String>), Response> {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| {
            message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "För stort formulär",
                "Formuläret är för stort.",
            )
        })?;
    Ok((parts.headers, addr, form_map(&bytes)))
}

/// Reads a form posted by a signed-in reviewer: the session token, the
/// reviewer and the fields, once the form's CSRF token matches the session.
/// A request without a session answers 401, a wrong token 403.
pub(crate) async fn signed_in_form(
    state: &ReviewState,
    req: Request,
) -> Result<(String, Viewer, HashMap<String, String>), Response> {
    let (headers, _, form) = read_form(req).await?;
    let Some((token, viewer)) = state.viewer(&headers) else {
        return Err(unauthorized());
    };
    if !tokens_match(
        form.get("csrf_token").map_or("", String::as_str),
        &viewer.csrf,
    ) {
        return Err(forbidden());
    }
    Ok((token, viewer, form))
}

pub(crate) fn forbidden() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Ogiltig begäran",
        "Formuläret saknar en giltig CSRF-token. Ladda om sidan och försök igen.",
    )
}

pub(crate) fn unauthorized() -> Response {
    let mut r = message(
        StatusCode::UNAUTHORIZED,
        "Logga in först",
        "Du måste vara inloggad för att spara beslut. Gå till /login.",
    );
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/login"));
    r
}

/// The login page with an optional error.
fn login_page(csrf: &str, error: Option<&str>) -> String {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e))
    });
    let body = format!(
        "<h1>Logga in</h1>\n{error}<form class=\"login\" method=\"post\" action=\"/login\">{}\
         <label>Användarnamn<input name=\"username\" autocomplete=\"username\" required autofocus></label>\
         <label>Lösenord<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\">Logga in</button></form>\n<p class=\"muted\">Konton skapas med \
         <code>infokoll review user add NAMN --password-stdin --run KATALOG</code>.</p>",
        csrf_field(csrf)
    );
    page("Logga in", None, &body)
}

/// `GET /login`: the form, with an anonymous session for its CSRF token.
pub(crate) async fn login_form(State(state): State<ReviewState>, headers: HeaderMap) -> Response {
    if state.viewer(&headers).is_some() {
        return Redirect::to("/").into_response();
    }
    let Ok(mut sessions) = state.inner.sessions.lock() else {
        return internal(&ReviewError::Poisoned);
    };
    let existing = auth::session_token(&headers).and_then(|t| sessions.get(&t).map(|s| (t, s)));
    let (token, session, fresh) = match existing {
        Some((t, s)) => (t, s, false),
        None => match sessions.create(None) {
            Ok((t, s)) => (t, s, true),
            Err(e) => return internal(&e),
        },
    };
    drop(sessions);
    let mut response = html_response(StatusCode::OK, login_page(&session.csrf, None), CSP_APP);
    if fresh {
        let secure = state.inner.config.secure_cookies;
        response
            .headers_mut()
            .insert(header::SET_COOKIE, cookie(&token, secure, SESSION_TTL));
    }
    response
}

/// `POST /login`: checks the CSRF token, the rate limit and the password.
pub(crate) async fn login(State(state): State<ReviewState>, req: Request) -> Response {
    let (headers, addr, form) = match read_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(token) = auth::session_token(&headers) else {
        return forbidden();
    };
    let session = state
        .inner
        .sessions
        .lock()
        .ok()
        .and_then(|mut s| s.get(&token));
    let Some(session) = session else {
        return forbidden();
    };
    let sent = form.get("csrf_token").map_or("", String::as_str);
    if !tokens_match(sent, &session.csrf) {
        return forbidden();
    }
    let name = form.get("username").map_or("", |s| s.trim()).to_owned();
    let password = form.get("password").cloned().unwrap_or_default();
    // By (name, address) and by address: a stranger elsewhere cannot lock
    // a reviewer out, and one address cannot try many names.
    let ip = addr.map_or_else(|| "okänd".to_owned(), |a| a.ip().to_string());
    let keys = vec![
        format!("namn:{}@{ip}", name.to_lowercase()),
        format!("ip:{ip}"),
    ];
    let now = Instant::now();
    let blocked = state
        .inner
        .limiter
        .lock()
        .ok()
        .and_then(|mut l| l.blocked(&keys, now));
    if let Some(wait) = blocked {
        let mut r = html_response(
            StatusCode::TOO_MANY_REQUESTS,
            login_page(
                &session.csrf,
                Some("För många misslyckade inloggningar. Vänta en minut och försök igen."),
            ),
            CSP_APP,
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let stored = match state.inner.accounts.lock() {
        Ok(a) => a.password_hash(&name),
        Err(_) => Err(ReviewError::Poisoned),
    };
    let stored = match stored {
        Ok(h) => h,
        Err(e) => return internal(&e),
    };
    let known = stored.is_some();
    let hash = stored.unwrap_or_else(|| state.inner.dummy_hash.clone());
    let ok = tokio::task::spawn_blocking(move || super::verify_password(&hash, &password))
        .await
        .unwrap_or(false)
        && known;
    if !ok {
        if let Ok(mut l) = state.inner.limiter.lock() {
            l.record_failure(&keys, now);
        }
        tracing::warn!("misslyckad inloggning för {name:?} från {addr:?}");
        return html_response(
            StatusCode::UNAUTHORIZED,
            login_page(&session.csrf, Some("Fel användarnamn eller lösenord.")),
            CSP_APP,
        );
    }
    let created = state
        .inner
        .sessions
        .lock()
        .map_err(|_| ReviewError::Poisoned)
        .and_then(|mut s| {
            s.remove(&token);
            s.create(Some(name.clone()))
        });
    let (new_token, _) = match created {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    tracing::info!("{name} loggade in");
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&new_token, state.inner.config.secure_cookies, SESSION_TTL),
    );
    r
}

/// `POST /logout`.
pub(crate) async fn logout(State(state): State<ReviewState>, req: Request) -> Response {
    let (token, _, _) = match signed_in_form(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Ok(mut s) = state.inner.sessions.lock() {
        s.remove(&token);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        cookie(
            &token,
            state.inner.config.secure_cookies,
            std::time::Duration::ZERO,
        ),
    );
    r
}

pub(crate) fn bad_request(text: &str) -> Response {
    message(StatusCode::BAD_REQUEST, "Felaktigt beslut", text)
}

/// A reviewer's URL: empty → `None`; otherwise an absolute http(s) URL.
fn parse_url(raw: Option<&String>) -> Result<Option<String>, &'static str> {
    let raw = raw.map_or("", |s| s.trim());
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.chars().count() > MAX_TEXT_CHARS {
        return Err("Adressen är för lång.");
    }
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(u.to_string())),
        _ => Err("Adressen måste börja med http:// eller https://."),
    }
}

/// `POST /beslut`: appends a decision and goes to the next finding.
pub(crate) async fn decide(State(state): State<ReviewState>, req: Request) -> Response {
    let (_, viewer, form) = match signed_in_form(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let i = &state.inner;
    let code = form.get("kod").cloned().unwrap_or_default();
    let item = form.get("punkt_id").cloned().unwrap_or_default();
    if i.data.state(&code).is_none() || i.rules.get(&item).is_none() {
        return bad_request("Okänd kommun eller punkt.");
    }
    let decision = match form.get("beslut").map(String::as_str) {
        Some("confirm") => Decision::Confirm,
        Some("reject") => Decision::Reject,
        Some("present") => Decision::Present,
        _ => return bad_request("Välj bekräfta, avvisa eller finns."),
    };
    let url = match parse_url(form.get("url")) {
        Ok(u) => u,
        Err(e) => return bad_request(e),
    };
    if decision == Decision::Present && url.is_none() {
        return bad_request("Ange adressen där punkten finns.");
    }
    let comment = form
        .get("kommentar")
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_TEXT_CHARS)
    {
        return bad_request("Kommentaren är för lång (högst 2000 tecken).");
    }
    let verdict = i.data.verdicts.get(&(code.clone(), item.clone()));
    let row = DecisionRow {
        code: code.clone(),
        item: item.clone(),
        reviewer: viewer.name.clone(),
        decided_at: now_ms(),
        decision,
        url,
        comment,
        machine_found: verdict.map(|v| v.found),
        machine_confidence: verdict.map(|v| v.confidence),
        undoes: None,
    };
    let recorded = state
        .store()
        .and_then(|s| Ok(s.record_decision(i.data.run.id, &row)?));
    let id = match recorded {
        Ok(id) => id,
        Err(e) => return internal(&e),
    };
    state.invalidate_scores();
    tracing::info!(
        "{} beslutade {} om {code} {item}",
        viewer.name,
        decision.as_str()
    );
    let (_, latest) = match load_log(&state) {
        Ok(x) => x,
        Err(e) => return internal(&e),
    };
    let filter = Filter::from_map(&form);
    let done = Done::new(&latest);
    let target = match neighbours(&state, &code, &item, &filter, &done).1 {
        Some(next) => entry_link(next, &filter),
        None => format!("/ko{}", filter.query()),
    };
    let target = match target.split_once('?') {
        Some((path, query)) => format!("{path}{}", with_receipt(&format!("?{query}"), id)),
        None => format!("{target}{}", with_receipt("", id)),
    };
    Redirect::to(&target).into_response()
}
