//! HTTP-level tests of the review workflow: decisions in the append-only
//! log and their effect on the score, the queue's reasons, order and
//! filters, the way to the next finding, and one real loopback listener.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use axum::http::{header, StatusCode};

use super::tests::{
    app_for, decide_form, decisions, fixture, get, login, post, score_of, send, state_with,
};
use super::*;

#[tokio::test]
async fn decisions_are_appended_and_the_latest_sets_the_score() {
    let dir = fixture();
    let (state, app) = app_for(&dir);
    let (cookie, csrf) = login(&app).await;
    let before = score_of(&dir, "0188").unwrap();
    let page = send(&app, get("/kommun/0188", Some(&cookie))).await;
    let shown_before = page
        .body
        .split("id=\"poang\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();

    let r = send(
        &app,
        post("/beslut", Some(&cookie), &decide_form(&csrf, "reject")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.header(header::LOCATION).starts_with('/'));
    let after_reject = score_of(&dir, "0188").unwrap();
    assert!(after_reject < before, "{after_reject} < {before}");
    let page = send(&app, get("/kommun/0188", Some(&cookie))).await;
    let shown = page
        .body
        .split("id=\"poang\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(
        shown, shown_before,
        "the municipality page shows the new score"
    );
    assert!(page.body.contains("avvisad av anna"));

    let mut form = decide_form(&csrf, "confirm");
    form.push(("kommentar", "stämmer ändå"));
    let r = send(&app, post("/beslut", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let log = decisions(&dir);
    assert_eq!(log.len(), 2, "the log keeps every decision");
    assert_eq!(log[0].1.decision, crate::store::Decision::Reject);
    assert_eq!(log[1].1.decision, crate::store::Decision::Confirm);
    assert_eq!(log[1].1.reviewer, "anna");
    assert_eq!(log[1].1.machine_found, Some(true));
    assert_eq!(log[1].1.comment.as_deref(), Some("stämmer ändå"));
    assert!(
        (score_of(&dir, "0188").unwrap() - before).abs() < 1e-9,
        "latest wins"
    );
    let page = send(&app, get("/kommun/0188", Some(&cookie))).await;
    assert!(page.body.contains("bekräftad av anna"));

    // "present" needs an http(s) address.
    let r = send(
        &app,
        post("/beslut", Some(&cookie), &decide_form(&csrf, "present")),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut form = decide_form(&csrf, "present");
    form.push(("url", "javascript:alert(1)"));
    assert_eq!(
        send(&app, post("/beslut", Some(&cookie), &form))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let mut form = decide_form(&csrf, "present");
    form[1].1 = "1280";
    form.push(("url", "https://1280.example/avgift"));
    assert_eq!(
        send(&app, post("/beslut", Some(&cookie), &form))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(decisions(&dir).len(), 3);
    let log_page = send(&app, get("/logg", Some(&cookie))).await;
    assert_eq!(log_page.body.matches("<td>anna</td>").count(), 3);
    assert_eq!(state.queue().len(), state.inner.entries.len());
}

#[tokio::test]
async fn the_queue_flags_and_filters() {
    let dir = fixture();
    let state = state_with(&dir, |c| c.sample = 1.0);
    let app = app(state.clone());
    let reasons = |code: &str, item: Option<&str>| {
        state
            .queue()
            .iter()
            .find(|e| e.code == code && e.item.as_deref() == item)
            .map(|e| e.reasons.clone())
    };
    assert_eq!(
        reasons("0188", Some("rakna_avgift")).unwrap(),
        vec![Reason::GreyZone]
    );
    assert_eq!(
        reasons("0188", Some("kontakt_telefon")).unwrap(),
        vec![Reason::Sample]
    );
    assert!(reasons("1280", Some("rakna_avgift"))
        .unwrap()
        .contains(&Reason::Incomplete));
    assert_eq!(reasons("2580", None).unwrap(), vec![Reason::Failed]);
    assert!(
        state.queue().last().unwrap().item.is_none(),
        "failed sites last"
    );
    let effects: Vec<f64> = state.queue().iter().map(|e| e.effect).collect();
    assert!(effects.windows(2).all(|w| w[0] >= w[1]), "{effects:?}");

    let (cookie, csrf) = login(&app).await;
    let q = send(&app, get("/ko?orsak=grazon", Some(&cookie))).await;
    assert_eq!(q.body.matches("<tr data-href").count(), 1);
    assert!(q.body.contains("Norrtälje"));
    let q = send(&app, get("/ko?lan=Sk%C3%A5ne%20l%C3%A4n", Some(&cookie))).await;
    assert_eq!(q.body.matches("<tr data-href").count(), 1);
    assert!(q.body.contains("Malmö"));
    let q = send(&app, get("/ko?punkt=kontakt_telefon", Some(&cookie))).await;
    assert_eq!(q.body.matches("<tr data-href").count(), 1);

    // Confirming the sampled verdict gives an estimated precision of 100 %.
    let form: Vec<(&str, &str)> = vec![
        ("csrf_token", &csrf),
        ("kod", "0188"),
        ("punkt_id", "kontakt_telefon"),
        ("beslut", "confirm"),
        ("orsak", "stickprov"),
    ];
    let r = send(&app, post("/beslut", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header(header::LOCATION),
        format!(
            "/fynd/1280/rakna_avgift?orsak=stickprov&kvitto={}",
            decisions(&dir).last().unwrap().0
        )
    );
    let start = send(&app, get("/", Some(&cookie))).await;
    assert!(start.body.contains("100 % (1 av 1)"), "{}", start.body);
    let q = send(&app, get("/ko?visa=granskade", Some(&cookie))).await;
    assert_eq!(q.body.matches("<tr class=\"klar\" data-href").count(), 1);
    let js = send(&app, get("/app.js", None)).await;
    assert!(js
        .header(header::CONTENT_TYPE)
        .starts_with("text/javascript"));
    assert!(js.body.contains("'bekrafta'"));
}

#[tokio::test]
async fn a_decision_leads_to_the_next_finding() {
    let dir = fixture();
    let (state, app) = app_for(&dir);
    let (cookie, csrf) = login(&app).await;
    let first = state.queue().first().unwrap().clone();
    let item = first.item.clone().unwrap();
    let page = send(
        &app,
        get(&format!("/fynd/{}/{item}", first.code), Some(&cookie)),
    )
    .await;
    assert!(page.body.contains("id=\"bekrafta\"") && page.body.contains("id=\"avvisa\""));
    let next = page.body.contains("rel=\"next\"");
    let form = vec![
        ("csrf_token", csrf.as_str()),
        ("kod", first.code.as_str()),
        ("punkt_id", item.as_str()),
        ("beslut", "confirm"),
    ];
    let r = send(&app, post("/beslut", Some(&cookie), &form)).await;
    let location = r.header(header::LOCATION);
    if next {
        assert!(
            location.starts_with("/fynd/") || location.starts_with("/kommun/"),
            "{location}"
        );
    }
    assert_ne!(
        location.split('?').next().unwrap(),
        format!("/fynd/{}/{item}", first.code)
    );
}

#[tokio::test]
async fn serves_on_a_real_loopback_listener() {
    let dir = fixture();
    let state = state_with(&dir, |_| {});
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(serve(
        state,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let addr = rx.await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
    task.abort();
}

#[tokio::test]
async fn changes_since_the_previous_run_are_flagged() {
    let before = fixture();
    {
        // Last year a reviewer found no phone number for 0188.
        let store = crate::store::Store::open_in_dir(before.path()).unwrap();
        let run = store.latest_run().unwrap().unwrap().id;
        let row = crate::store::DecisionRow {
            code: "0188".into(),
            item: "kontakt_telefon".into(),
            reviewer: "bo".into(),
            decided_at: 1,
            decision: crate::store::Decision::Reject,
            url: None,
            comment: None,
            machine_found: Some(true),
            machine_confidence: Some(0.95),
            undoes: None,
        };
        store.record_decision(run, &row).unwrap();
    }
    let now = fixture();
    let previous = before.path().to_path_buf();
    let state = state_with(&now, |c| {
        c.previous = Some(previous);
        c.sample = 0.0;
    });
    let changed: Vec<_> = state
        .queue()
        .iter()
        .filter(|e| e.reasons.contains(&Reason::Changed))
        .map(|e| (e.code.as_str(), e.item.as_deref()))
        .collect();
    assert_eq!(changed, vec![("0188", Some("kontakt_telefon"))]);
    let counts = state.reason_counts();
    assert!(counts.contains(&(Reason::Changed, 1)), "{counts:?}");
    assert!(counts.contains(&(Reason::Sample, 0)), "{counts:?}");
}
