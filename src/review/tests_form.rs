//! The decision form as a browser submits it (issue 15): Enter in the
//! address field submits that field's own form, whose default button is
//! "Finns på adressen"; every decision gets a receipt with an undo that is
//! one more row in the append-only log.

#![allow(clippy::unwrap_used)]

use axum::http::{header, StatusCode};
use scraper::{Html, Selector};

use super::tests::{app_for, decide_form, decisions, fixture, get, login, post, score_of, send};
use crate::store::{in_force, Decision};

const FINDING: &str = "/fynd/0188/rakna_avgift";

/// The fields a browser sends when Enter is pressed in `field` of the page:
/// the field's form's successful controls plus its default button (the
/// first submit button in tree order), per the HTML "implicit submission".
fn implicit_submission(page: &str, field: &str, value: &str) -> (String, Vec<(String, String)>) {
    let doc = Html::parse_document(page);
    let forms = Selector::parse("form").unwrap();
    let target = Selector::parse(&format!("input[name={field}]")).unwrap();
    let controls = Selector::parse("input, textarea, button").unwrap();
    let form = doc
        .select(&forms)
        .find(|f| f.select(&target).next().is_some())
        .unwrap();
    let mut fields = Vec::new();
    let mut default_button = None;
    for c in form.select(&controls) {
        let v = c.value();
        let name = v.attr("name").unwrap_or("");
        let kind = v.attr("type").unwrap_or(if v.name() == "button" {
            "submit"
        } else {
            "text"
        });
        if kind == "submit" {
            if default_button.is_none() {
                default_button = Some((name.to_owned(), v.attr("value").unwrap_or("").to_owned()));
            }
            continue;
        }
        if name.is_empty() {
            continue;
        }
        let sent = if name == field {
            value.to_owned()
        } else {
            v.attr("value").unwrap_or("").to_owned()
        };
        fields.push((name.to_owned(), sent));
    }
    let (name, val) = default_button.unwrap();
    if !name.is_empty() {
        fields.push((name, val));
    }
    (form.value().attr("action").unwrap().to_owned(), fields)
}

#[tokio::test]
async fn enter_in_the_address_field_records_present() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (cookie, _) = login(&app).await;
    let page = send(&app, get(FINDING, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    let (action, fields) =
        implicit_submission(&page.body, "url", "https://0188.example/avgift-kalkyl");
    assert_eq!(action, "/beslut");
    // The address's form has no "Bekräfta" or "Avvisa" to fall back on.
    assert!(
        !fields.iter().any(|(k, v)| k == "beslut" && v != "present"),
        "{fields:?}"
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = send(&app, post(&action, Some(&cookie), &pairs)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let log = decisions(&dir);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].1.decision, Decision::Present);
    assert_eq!(
        log[0].1.url.as_deref(),
        Some("https://0188.example/avgift-kalkyl")
    );
    // The decision panel is its own section that stays in view.
    assert!(page.body.contains("class=\"card beslut\""));
}

#[tokio::test]
async fn a_decision_has_a_receipt_and_an_undo() {
    let dir = fixture();
    let (_, app) = app_for(&dir);
    let (cookie, csrf) = login(&app).await;
    let before = score_of(&dir, "0188");
    let r = send(
        &app,
        post("/beslut", Some(&cookie), &decide_form(&csrf, "reject")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let next = r.header(header::LOCATION).to_owned();
    let log = decisions(&dir);
    let id = log[0].0;
    assert!(next.contains(&format!("kvitto={id}")), "{next}");
    assert_ne!(score_of(&dir, "0188"), before);

    let page = send(&app, get(&next, Some(&cookie))).await;
    assert!(
        page.body.contains("Sparat: <strong>avvisad</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("action=\"/angra\""));
    let id_text = id.to_string();
    let undo = [("csrf_token", csrf.as_str()), ("id", id_text.as_str())];
    let r = send(&app, post("/angra", Some(&cookie), &undo)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let back = r.header(header::LOCATION).to_owned();
    assert!(back.starts_with(FINDING), "{back}");

    let log = decisions(&dir);
    assert_eq!(log.len(), 2, "the undo is a new row");
    assert_eq!(log[1].1.undoes, Some(id));
    assert!(in_force(&log).is_empty());
    assert_eq!(score_of(&dir, "0188"), before, "the score is back");
    let page = send(&app, get(&back, Some(&cookie))).await;
    assert!(page.body.contains("Ångrat"), "{}", page.body);
    let queue = send(&app, get("/ko", Some(&cookie))).await;
    assert!(queue.body.contains("rakna_avgift"), "unreviewed again");

    // Twice, an unknown id, or without the token: refused, nothing written.
    let r = send(&app, post("/angra", Some(&cookie), &undo)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &app,
        post(
            "/angra",
            Some(&cookie),
            &[("csrf_token", &csrf), ("id", "999")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &app,
        post("/angra", Some(&cookie), &[("id", id_text.as_str())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(decisions(&dir).len(), 2);
}
