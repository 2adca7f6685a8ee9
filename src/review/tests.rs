//! HTTP-level tests of the review app with `oneshot`: login and cookie
//! flags, CSRF, unauthenticated writes, escaping of crawled text in every
//! view, the archived copy's policy and the login rate limit. The fixture
//! run and the request helpers are shared with `tests_queue.rs`.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::html::{CSP_APP, CSP_ARCHIVE};
use super::*;
use crate::archive::{Exchange, WarcWriter};
use crate::store::{EvidenceRow, MunicipalityRow, VerdictRow, WarcRef};

pub(super) const PASSWORD: &str = "ett-langt-losenord";

/// Crawled text with everything that must never reach a page raw.
const EVIL_SNIPPET: &str =
    "Räkna ut avgiften <script>alert(1)</script> <img src=x onerror=alert(1)> här";

fn muni(code: &str, name: &str, county: &str) -> MunicipalityRow {
    MunicipalityRow {
        code: code.into(),
        name: name.into(),
        county: county.into(),
        homepage: format!("https://{code}.example/"),
        population: Some(20_000),
    }
}

fn evidence(url: &str, warc: Option<WarcRef>) -> EvidenceRow {
    EvidenceRow {
        url: url.into(),
        snippet: EVIL_SNIPPET.into(),
        highlights: vec![(0, 6), (10, 18)],
        signal: "rakna<script>".into(),
        kind: "text".into(),
        weight: 0.5,
        context: "Omsorg › <b onmouseover=alert(1)>Avgifter</b>".into(),
        target: Some("javascript:alert(2)".into()),
        depth: 2,
        off_site: false,
        warc,
    }
}

fn verdict(item: &str, found: bool, confidence: f64, flagged: bool) -> VerdictRow {
    VerdictRow {
        item: item.into(),
        found,
        confidence,
        flagged,
        uncertain: None,
        evidence: Vec::new(),
    }
}

/// A run with three municipalities: 0188 ok (grey-zone `rakna_avgift` with
/// evil evidence and an archived page), 1280 partial, 2580 unreachable.
pub(super) fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open_in_dir(dir.path()).unwrap();
    let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
    store
        .add_municipalities(
            run,
            &[
                muni("0188", "Norrtälje", "Stockholms län"),
                muni("1280", "Malmö", "Skåne län"),
                muni("2580", "Luleå", "Norrbottens län"),
            ],
        )
        .unwrap();
    let mut warc = WarcWriter::create(dir.path(), "test").unwrap();
    let target = url::Url::parse("https://0188.example/avgift").unwrap();
    let body = b"<html><body><p>R\xc3\xa4kna ut avgiften</p><script>alert('arkiv')</script>\
                 <img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">x</a></body></html>";
    let headers = vec![(
        "Content-Type".to_owned(),
        "text/html; charset=utf-8".to_owned(),
    )];
    let r = warc
        .write_exchange(&Exchange {
            target: &target,
            date: SystemTime::now(),
            request_headers: &[],
            status: 200,
            response_headers: &headers,
            body,
            truncated: false,
            ip: None,
        })
        .unwrap();
    warc.flush().unwrap();
    let w = WarcRef {
        file: r.file,
        offset: r.offset,
        length: r.length,
    };
    let mut rakna = verdict("rakna_avgift", true, 0.65, true);
    rakna.evidence = vec![
        evidence("https://0188.example/avgift", Some(w)),
        evidence("javascript:alert(1)", None),
    ];
    let verdicts = vec![rakna, verdict("kontakt_telefon", true, 0.95, false)];
    store
        .finish_municipality(run, "0188", "ok", None, 12, &verdicts)
        .unwrap();
    store
        .finish_municipality(
            run,
            "1280",
            "partial",
            Some("tidsgräns"),
            3,
            &[verdict("rakna_avgift", false, 0.1, false)],
        )
        .unwrap();
    store
        .finish_municipality(run, "2580", "unreachable", Some("ingen DNS"), 0, &[])
        .unwrap();
    Accounts::open(dir.path())
        .unwrap()
        .add("anna", PASSWORD)
        .unwrap();
    dir
}

pub(super) fn state_with(
    dir: &tempfile::TempDir,
    f: impl FnOnce(&mut ReviewConfig),
) -> ReviewState {
    let rules = RuleSet::builtin().unwrap();
    let model = Model::builtin(&rules).unwrap();
    let mut config = ReviewConfig::new(dir.path());
    f(&mut config);
    ReviewState::open(config, rules, model).unwrap()
}

pub(super) fn app_for(dir: &tempfile::TempDir) -> (ReviewState, Router) {
    let state = state_with(dir, |_| {});
    (state.clone(), app(state))
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
}

pub(super) async fn send(app: &Router, req: Request<Body>) -> Reply {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub(super) fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

pub(super) fn post_from(
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
    ip: [u8; 4],
) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut b =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
    req
}

pub(super) fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    post_from(path, cookie, form, [127, 0, 0, 1])
}

/// `infokoll_session=<token>` from a `Set-Cookie` header.
pub(super) fn cookie_of(reply: &Reply) -> String {
    let set = reply.header(header::SET_COOKIE);
    set.split(';').next().unwrap().to_owned()
}

pub(super) fn csrf_in(body: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf_token" value="([0-9a-f]{64})""#).unwrap();
    re.captures(body).unwrap()[1].to_owned()
}

/// An anonymous session: its cookie and the login form's CSRF token.
pub(super) async fn login_form(app: &Router) -> (String, String) {
    let r = send(app, get("/login", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    (cookie_of(&r), csrf_in(&r.body))
}

/// Logs in as anna; returns the session cookie and its CSRF token.
pub(super) async fn login(app: &Router) -> (String, String) {
    let (anon, csrf) = login_form(app).await;
    let r = send(
        app,
        post(
            "/login",
            Some(&anon),
            &[
                ("username", "anna"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cookie = cookie_of(&r);
    assert_ne!(cookie, anon, "a new session after login");
    let start = send(app, get("/", Some(&cookie))).await;
    assert_eq!(start.status, StatusCode::OK);
    (cookie, csrf_in(&start.body))
}

pub(super) fn decide_form<'a>(csrf: &'a str, decision: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("kod", "0188"),
        ("punkt_id", "rakna_avgift"),
        ("beslut", decision),
    ]
}

pub(super) fn decisions(dir: &tempfile::TempDir) -> Vec<(i64, crate::store::DecisionRow)> {
    let store = crate::store::Store::open_in_dir(dir.path()).unwrap();
    let run = store.latest_run().unwrap().unwrap().id;
    store.decisions(run).unwrap()
}

pub(super) fn score_of(dir: &tempfile::TempDir, code: &str) -> Option<f64> {
    let rules = RuleSet::builtin().unwrap();
    let model = Model::builtin(&rules).unwrap();
    let scores = crate::score::score_run(dir.path(), &model, &rules, None).unwrap();
    scores
        .municipalities
        .iter()
        .find(|m| m.code == code)
        .unwrap()
        .score
}

#[tokio::test]
async fn login_sets_the_cookie_flags() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let form = send(&app, get("/login", None)).await;
    assert_eq!(form.status, StatusCode::OK);
    for needle in [
        "name=\"username\"",
        "name=\"password\"",
        "type=\"hidden\" name=\"csrf_token\"",
    ] {
        assert!(form.body.contains(needle), "{needle}");
    }
    let set = form.header(header::SET_COOKIE);
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "{set}");

    let (cookie, _) = login(&app).await;
    let start = send(&app, get("/", Some(&cookie))).await;
    assert!(start.body.contains("Inloggad som <strong>anna</strong>"));
    assert_eq!(start.header(header::CONTENT_SECURITY_POLICY), CSP_APP);

    // Behind TLS the cookie is Secure.
    let secure = super::app(state_with(&dir, |c| c.secure_cookies = true));
    let (anon, csrf) = login_form(&secure).await;
    let r = send(
        &secure,
        post(
            "/login",
            Some(&anon),
            &[
                ("username", "anna"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let set = r.header(header::SET_COOKIE);
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"));

    // A wrong password is refused and sets no session.
    let (anon, csrf) = login_form(&app).await;
    let r = send(
        &app,
        post(
            "/login",
            Some(&anon),
            &[
                ("username", "anna"),
                ("password", "fel-losenord-x"),
                ("csrf_token", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Fel användarnamn eller lösenord"));
    assert!(r.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn posts_without_csrf_are_forbidden() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (cookie, csrf) = login(&app).await;
    let mut form = decide_form(&csrf, "reject");
    form.remove(0);
    let r = send(&app, post("/beslut", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let wrong = "0".repeat(64);
    let r = send(
        &app,
        post("/beslut", Some(&cookie), &decide_form(&wrong, "reject")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&app, post("/logout", Some(&cookie), &[])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The login form is protected too.
    let (anon, _) = login_form(&app).await;
    let r = send(
        &app,
        post(
            "/login",
            Some(&anon),
            &[("username", "anna"), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        post(
            "/login",
            None,
            &[
                ("username", "anna"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(decisions(&dir).is_empty());
    // Logging out with the token works and ends the session.
    let r = send(
        &app,
        post("/logout", Some(&cookie), &[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(&app, get("/", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unauthenticated_writes_are_rejected() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let r = send(&app, get("/", None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header(header::LOCATION), "/login");
    for path in ["/ko", "/fynd/0188/rakna_avgift", "/kommun/0188", "/logg"] {
        assert_eq!(
            send(&app, get(path, None)).await.status,
            StatusCode::SEE_OTHER,
            "{path}"
        );
    }
    let fake = "0".repeat(64);
    let r = send(&app, post("/beslut", None, &decide_form(&fake, "reject"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // An anonymous (login form) session with its valid token is not a login.
    let (anon, csrf) = login_form(&app).await;
    let r = send(
        &app,
        post("/beslut", Some(&anon), &decide_form(&csrf, "reject")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(decisions(&dir).is_empty());
}

#[tokio::test]
async fn crawled_text_is_escaped_in_every_view() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (cookie, csrf) = login(&app).await;
    let mut form = decide_form(&csrf, "reject");
    form.push(("kommentar", "<script>alert(9)</script>"));
    send(&app, post("/beslut", Some(&cookie), &form)).await;
    for path in [
        "/",
        "/ko?visa=alla",
        "/fynd/0188/rakna_avgift",
        "/kommun/0188",
        "/logg",
        "/login",
    ] {
        let r = send(&app, get(path, Some(&cookie))).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::SEE_OTHER,
            "{path}"
        );
        let b = &r.body;
        for raw in [
            "<script>alert",
            "<img src=x",
            "<b onmouseover",
            "href=\"javascript:",
            "src=\"javascript:",
        ] {
            assert!(!b.contains(raw), "{path} contains {raw}");
        }
        assert_eq!(
            b.matches("<script").count(),
            b.matches("<script src=\"/app.js\" defer></script>").count(),
            "{path}"
        );
    }
    let page = send(&app, get("/fynd/0188/rakna_avgift", Some(&cookie))).await;
    let b = &page.body;
    assert!(b.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(b.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(b.contains("<mark>Räkna</mark>"));
    assert!(b.contains("<mark>avgiften</mark>"));
    assert!(b.contains("&lt;script&gt;alert(9)&lt;/script&gt;"));
    assert!(b.contains("<iframe class=\"arkiv\" sandbox=\"\""));
}

#[tokio::test]
async fn the_archived_copy_cannot_run_scripts() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (cookie, _) = login(&app).await;
    let page = send(&app, get("/fynd/0188/rakna_avgift", Some(&cookie))).await;
    let link = regex::Regex::new(r#"/arkiv/[^"]+"#).unwrap();
    let link = link.find(&page.body).unwrap().as_str().to_owned();
    let r = send(&app, get(&link, Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::OK, "{link}");
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    assert_eq!(csp, CSP_ARCHIVE);
    assert!(
        csp.starts_with("default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox")
    );
    assert!(!csp.contains("script-src"));
    assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert!(r.body.contains("<iframe sandbox=\"\""));
    assert!(r.body.contains("srcdoc=\""));
    assert!(r
        .body
        .contains("&lt;script&gt;alert(&#39;arkiv&#39;)&lt;/script&gt;"));
    assert!(r.body.contains("Räkna ut avgiften"));
    assert!(!r.body.contains("<script"));
    assert!(!r.body.contains("<img"));
    for bad in [
        "/arkiv/reviewers.sqlite/0/10",
        "/arkiv/..%2Finfokoll.sqlite/0/10",
        "/arkiv/nej.warc.gz/0/10",
    ] {
        assert_eq!(
            send(&app, get(bad, Some(&cookie))).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    assert_eq!(
        send(&app, get(&link, None)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (anon, csrf) = login_form(&app).await;
    let attempt = |user: &'static str, pw: &'static str, ip: [u8; 4]| {
        post_from(
            "/login",
            Some(&anon),
            &[("username", user), ("password", pw), ("csrf_token", &csrf)],
            ip,
        )
    };
    for _ in 0..auth::MAX_FAILURES {
        let r = send(&app, attempt("anna", "fel-losenord-x", [10, 0, 0, 1])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // The right password is refused now, per name and per address.
    let r = send(&app, attempt("anna", PASSWORD, [10, 0, 0, 1])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!r.header(header::RETRY_AFTER).is_empty());
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    let r = send(&app, attempt("anna", PASSWORD, [10, 0, 0, 2])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "per name");
    let r = send(&app, attempt("bertil", "fel-losenord-x", [10, 0, 0, 1])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "per address");
    let r = send(&app, attempt("bertil", "fel-losenord-x", [10, 0, 0, 3])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
