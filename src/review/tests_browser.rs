//! The end-to-end test in a real headless browser: Debian's `chromium`
//! driven through `chromedriver` (package `chromium-driver`) with the plain
//! W3C WebDriver protocol over `reqwest`. It logs in, opens the first
//! flagged finding from the start page, confirms it with the `b` key, then
//! rejects it with `a` and sees the municipality's score change, undoes
//! that from the receipt and sees the score back, records "finns" by
//! pressing `n`, typing the address and Enter (issue 15: Enter must not
//! confirm), and turns the single-key shortcuts off.
//!
//! Ignored by default (it needs the two packages). To run it:
//!
//! ```text
//! apt-get install -y chromium chromium-driver
//! cargo test --lib review::tests_browser -- --ignored
//! ```
//!
//! `CHROMEDRIVER` and `CHROMIUM` override the program paths.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::tests::{fixture, state_with, PASSWORD};
use super::*;

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    client: reqwest::Client,
    base: String,
    session: String,
}

impl Driver {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.client.request(method, &url);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let text = req.send().await.unwrap().text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["value"]["error"].is_null(), "{path}: {v}");
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        let v = self.get(&format!("/element/{el}/text")).await;
        v.as_str().unwrap().to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/value"), json!({ "text": text }))
            .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/click"), json!({})).await;
    }

    async fn key(&self, key: &str) {
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "tangentbord", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]}),
        )
        .await;
    }

    async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_owned()
    }

    /// Waits until the page's URL differs from `from`.
    async fn wait_leaving(&self, from: &str) -> String {
        let start = Instant::now();
        loop {
            let now = self.url().await;
            if now != from {
                return now;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "still on {from}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A free loopback port (bound and released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver (see the module docs)"]
async fn browser_confirms_and_rejects_a_flagged_finding() {
    let dir = fixture();
    let state = state_with(&dir, |c| c.sample = 0.0);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(serve(
        state,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let app = format!("http://{}", rx.await.unwrap());

    let port = free_port();
    let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let mut driver_process = std::process::Command::new(&program)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{program} could not start ({e}): apt-get install chromium-driver")
        });
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while client.get(format!("{base}/status")).send().await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": binary, "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-proxy-server", "--window-size=1366,768",
            // The machine has no network: keep Chromium from calling home.
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic"]}}}});
    let created = client
        .post(format!("{base}/session"))
        .header("content-type", "application/json")
        .body(caps.to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let created: Value = serde_json::from_str(&created).unwrap();
    let session = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {created}"))
        .to_owned();
    let d = Driver {
        client,
        base,
        session,
    };

    // Log in.
    d.goto(&format!("{app}/login")).await;
    d.type_into("input[name=username]", "anna").await;
    d.type_into("input[name=password]", PASSWORD).await;
    let login_url = d.url().await;
    d.click("button[type=submit]").await;
    assert_eq!(d.wait_leaving(&login_url).await, format!("{app}/"));
    assert!(d.text("header").await.contains("anna"));

    // The score before, then the first flagged finding from the start page.
    d.goto(&format!("{app}/kommun/0188")).await;
    let before = d.text("#poang").await;
    d.goto(&format!("{app}/")).await;
    d.click("a[rel=next]").await;
    let finding = d.wait_leaving(&format!("{app}/")).await;
    assert!(finding.ends_with("/fynd/0188/rakna_avgift"), "{finding}");
    assert!(d.text("h1").await.contains("Norrtälje"));

    // Confirm with the keyboard: the decision is kept, the score stays.
    d.key("b").await;
    d.wait_leaving(&finding).await;
    d.goto(&format!("{app}/kommun/0188")).await;
    assert!(d.text("table").await.contains("bekräftad av anna"));
    assert_eq!(d.text("#poang").await, before);

    // Reject it: the score changes; the receipt's undo brings it back.
    d.goto(&finding).await;
    d.key("a").await;
    let with_receipt = d.wait_leaving(&finding).await;
    assert!(
        d.text("#kvitto").await.contains("avvisad"),
        "{with_receipt}"
    );
    d.goto(&format!("{app}/kommun/0188")).await;
    let after = d.text("#poang").await;
    assert_ne!(after, before, "the score changes after a rejection");
    d.goto(&with_receipt).await;
    d.click("#angra").await;
    d.wait_leaving(&with_receipt).await;
    assert!(d.text("#kvitto").await.contains("Ångrat"));
    d.goto(&format!("{app}/kommun/0188")).await;
    assert_eq!(
        d.text("#poang").await,
        before,
        "the undo restores the score"
    );
    assert!(d.text("table").await.contains("bekräftad av anna"));

    // "n", the address, Enter: recorded as present, never as a confirmation.
    d.goto(&finding).await;
    d.key("n").await;
    let active = d.get("/element/active").await;
    let active = active[ELEMENT].as_str().unwrap().to_owned();
    let id = d.get(&format!("/element/{active}/attribute/id")).await;
    assert_eq!(id.as_str(), Some("finns-url"));
    d.post(
        &format!("/element/{active}/value"),
        json!({ "text": "https://0188.example/avgift-kalkyl\u{E007}" }),
    )
    .await;
    d.wait_leaving(&finding).await;
    assert!(d.text("#kvitto").await.contains("finns (adress angiven)"));
    d.goto(&format!("{app}/logg")).await;
    let log = d.text("table").await;
    let newest = log.lines().nth(1).unwrap_or_default().to_owned();
    assert!(newest.contains("finns (adress angiven)"), "{log}");
    assert!(
        newest.contains("https://0188.example/avgift-kalkyl"),
        "{log}"
    );

    // Shortcuts off: "b" does nothing.
    d.goto(&finding).await;
    d.click("#kortkommandon").await;
    d.goto(&finding).await;
    d.key("b").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(d.url().await, finding, "b with the shortcuts off");
    assert!(!d.text("body").await.contains("Sparat"));

    let _ = d
        .client
        .delete(format!("{}/session/{}", d.base, d.session))
        .send()
        .await;
    let _ = driver_process.kill();
    let _ = driver_process.wait();
    server.abort();
}
