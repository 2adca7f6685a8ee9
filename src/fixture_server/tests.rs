//! End-to-end tests of the fixture server: real sockets on 127.0.0.1,
//! requests through reqwest (direct with a Host header, and as a proxy).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, RETRY_AFTER};
use reqwest::{Client, Proxy, StatusCode};

use super::*;

const UA: &str = "infokoll-test/1.0";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "www.solvik.se/index.html", "start");
    write(r, "www.solvik.se/omsorg/index.html", "omsorg");
    write(r, "www.solvik.se/omsorg/äldre", "äldre");
    write(r, "www.solvik.se/taxa.html", "taxa");
    write(r, "www.solvik.se/index.php@id=12", "id12");
    write(r, "www.solvik.se/robots.txt", "User-agent: *\n");
    write(r, "www.solvik.se/sitemap.xml", "<urlset/>");
    write(r, "www.solvik.se/truth.toml", "secret");
    write(r, "www.solvik.se/_notes.html", "secret");
    write(
        r,
        "www.solvik.se/_server.toml",
        r#"
[[route]]
path = "/flaky"
status = 503
retry_after = "1"
body = "busy"
times = 1
[[route]]
path = "/loop-a"
redirect = "/loop-b"
[[route]]
path = "/slow*"
delay_ms = 400
body = "slow"
[[route]]
path = "/taxa"
delay_ms = 1
headers = { "x-fixture" = "ja" }
[[route]]
path = "/reset"
close = true
times = 1
[[route]]
path = "/bomb"
gzip_bomb_mb = 1
[[route]]
path = "/big"
size_mb = 1
[[route]]
path = "/flaky"
status = 500
"#,
    );
    write(r, "www.latin.se/_server.toml", "charset = \"iso-8859-1\"");
    write(r, "www.latin.se/index.htm", "hej");
    write(r, "www.nocharset.se/_server.toml", "charset = \"\"");
    write(r, "www.nocharset.se/index.html", "hej");
    tmp
}

async fn server() -> (tempfile::TempDir, FixtureServer) {
    let tmp = fixture_dir();
    let sites = Sites::from_dir(tmp.path()).unwrap();
    (tmp, FixtureServer::start(sites).await.unwrap())
}

fn proxy_client(server: &FixtureServer) -> Client {
    Client::builder()
        .proxy(Proxy::http(server.proxy_url().as_str()).unwrap())
        .user_agent(UA)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn direct_client() -> Client {
    Client::builder().no_proxy().user_agent(UA).build().unwrap()
}

async fn get(client: &Client, url: &str) -> (StatusCode, String, String) {
    let resp = client.get(url).send().await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.text().await.unwrap())
}

#[tokio::test]
async fn maps_paths_through_the_proxy() {
    let (_tmp, srv) = server().await;
    let c = proxy_client(&srv);
    let cases = [
        ("http://www.solvik.se/", "start"),
        ("http://WWW.SOLVIK.SE/omsorg/", "omsorg"),
        ("http://www.solvik.se/omsorg", "omsorg"),
        ("http://www.solvik.se/omsorg/äldre", "äldre"),
        ("http://www.solvik.se/omsorg/%C3%A4ldre", "äldre"),
        ("http://www.solvik.se/index.php?id=12", "id12"),
        ("http://www.solvik.se/?utm=x", "start"),
    ];
    for (url, body) in cases {
        let (status, ct, text) = get(&c, url).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(text, body, "{url}");
        assert_eq!(ct, "text/html; charset=utf-8", "{url}");
    }
    for url in [
        "http://www.solvik.se/nope",
        "http://www.solvik.se/truth.toml",
        "http://www.solvik.se/_server.toml",
        "http://www.solvik.se/_notes",
    ] {
        let (status, ct, text) = get(&c, url).await;
        assert_eq!(status, 404, "{url}");
        assert!(ct.starts_with("text/html"), "{url}");
        assert!(text.contains("Sidan finns inte"), "{url}");
    }
    let (status, ct, _) = get(&c, "http://www.solvik.se/robots.txt").await;
    assert_eq!(
        (status.as_u16(), ct.as_str()),
        (200, "text/plain; charset=utf-8")
    );
    let (_, ct, _) = get(&c, "http://www.solvik.se/sitemap.xml").await;
    assert_eq!(ct, "application/xml");
    let (status, _, text) = get(&c, "http://www.okand.se:8080/").await;
    assert_eq!(status, 502);
    assert_eq!(text, "fixture-server: okänd värd www.okand.se");
    assert!(srv.log().iter().all(|r| r.proxied));
}

#[tokio::test]
async fn serves_by_host_header_and_resolve() {
    let (_tmp, srv) = server().await;
    let port = srv.addr().port();
    let c = direct_client();
    let resp = c
        .get(format!("http://127.0.0.1:{port}/omsorg/"))
        .header(HOST, "www.solvik.se")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "omsorg");

    let c = Client::builder()
        .no_proxy()
        .resolve("www.latin.se", srv.addr())
        .resolve("www.nocharset.se", srv.addr())
        .build()
        .unwrap();
    let (_, ct, _) = get(&c, &format!("http://www.latin.se:{port}/index.htm")).await;
    assert_eq!(ct, "text/html; charset=iso-8859-1");
    let (_, ct, _) = get(&c, &format!("http://www.nocharset.se:{port}/")).await;
    assert_eq!(ct, "text/html");
    let log = srv.log();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|r| !r.proxied));
    assert_eq!(log[1].host, "www.latin.se");
}

#[tokio::test]
async fn routes_status_times_redirect_headers() {
    let (_tmp, srv) = server().await;
    let c = proxy_client(&srv);
    let resp = c.get("http://www.solvik.se/flaky").send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()[RETRY_AFTER], "1");
    assert_eq!(resp.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(resp.text().await.unwrap(), "busy");
    // `times = 1` used up: falls through to the next matching route.
    let (status, _, _) = get(&c, "http://www.solvik.se/flaky").await;
    assert_eq!(status, 500);

    let resp = c.get("http://www.solvik.se/loop-a").send().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()[LOCATION], "/loop-b");

    // A modifier route adds headers to the file answer.
    let resp = c.get("http://www.solvik.se/taxa").send().await.unwrap();
    assert_eq!(resp.headers()["x-fixture"], "ja");
    assert_eq!(resp.text().await.unwrap(), "taxa");

    let resp = c.post("http://www.solvik.se/taxa").send().await.unwrap();
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn delay_and_close() {
    let (_tmp, srv) = server().await;
    let c = proxy_client(&srv);
    let started = std::time::Instant::now();
    let (_, _, text) = get(&c, "http://www.solvik.se/slow/x").await;
    assert_eq!(text, "slow");
    assert!(started.elapsed() >= Duration::from_millis(400));

    let err = c
        .get("http://www.solvik.se/slow")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");

    let err = c
        .get("http://www.solvik.se/reset")
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status(), "{err}");
    // Only the first request is dropped; then the path is a plain 404.
    let (status, _, _) = get(&c, "http://www.solvik.se/reset").await;
    assert_eq!(status, 404);
    let log = srv.log();
    let resets: Vec<_> = log.iter().filter(|r| r.target == "/reset").collect();
    assert_eq!(resets[0].status, STATUS_NO_ANSWER);
    assert_eq!(resets[1].status, 404);
}

#[tokio::test]
async fn big_bodies_and_head() {
    let (_tmp, srv) = server().await;
    let c = proxy_client(&srv);
    let resp = c.get("http://www.solvik.se/bomb").send().await.unwrap();
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len(), 1024 * 1024);
    assert!(body.iter().all(|b| *b == b'a'));

    let raw = Client::builder()
        .proxy(Proxy::http(srv.proxy_url().as_str()).unwrap())
        .no_gzip()
        .build()
        .unwrap();
    let resp = raw.get("http://www.solvik.se/bomb").send().await.unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert!(resp.bytes().await.unwrap().len() < 10_000);

    let body = c.get("http://www.solvik.se/big").send().await.unwrap();
    assert_eq!(body.bytes().await.unwrap().len(), 1024 * 1024);

    let resp = c.head("http://www.solvik.se/big").send().await.unwrap();
    assert_eq!(resp.headers()[CONTENT_LENGTH], "1048576");
    assert!(resp.bytes().await.unwrap().is_empty());
    let resp = c
        .head("http://www.solvik.se/taxa.html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()[CONTENT_LENGTH], "4");
    assert!(resp.bytes().await.unwrap().is_empty());
    assert_eq!(srv.log().last().unwrap().method, "HEAD");
}

#[tokio::test]
async fn connect_is_refused_and_logged() {
    let (_tmp, srv) = server().await;
    let c = Client::builder()
        .proxy(Proxy::all(srv.proxy_url().as_str()).unwrap())
        .build()
        .unwrap();
    assert!(c.get("https://www.solvik.se/").send().await.is_err());
    let log = srv.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "CONNECT");
    assert_eq!(log[0].status, 501);
    assert_eq!(log[0].host, "www.solvik.se");
    assert_eq!(log[0].target, "www.solvik.se:443");
}

#[tokio::test]
async fn log_records_order_time_and_user_agent() {
    let (tmp, srv) = server().await;
    let c = proxy_client(&srv);
    for path in ["/", "/omsorg/", "/index.php?id=12"] {
        get(&c, &format!("http://www.solvik.se{path}")).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    get(&c, "http://www.latin.se/").await;
    let log = srv.log();
    let targets: Vec<&str> = log.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, ["/", "/omsorg/", "/index.php?id=12", "/"]);
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(log.iter().all(|r| r.user_agent.as_deref() == Some(UA)));
    assert!(log.iter().all(|r| r.unix_ms > 1_600_000_000_000));
    assert_eq!(log[3].host, "www.latin.se");
    let gaps = RequestLog::min_gap_per_host(&log);
    assert!(gaps["www.solvik.se"] >= Duration::from_millis(30));
    assert!(!gaps.contains_key("www.latin.se"));

    let path = tmp.path().join("log.jsonl");
    srv.write_log_jsonl(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 4);
    srv.clear_log();
    assert!(srv.log().is_empty());
}

#[tokio::test]
async fn generated_sites_and_invalid_config() {
    let mut sites = Sites::new();
    sites.insert_file("farm1.test", "/index.html", "gen");
    let mut config = SiteConfig::default();
    config.routes.push(Route {
        path: "/robots.txt".into(),
        body: Some("User-agent: *\nDisallow: /\n".into()),
        ..Route::default()
    });
    sites.set_config("farm1.test", config);
    let srv = FixtureServer::start(sites).await.unwrap();
    let c = proxy_client(&srv);
    assert_eq!(get(&c, "http://farm1.test/").await.2, "gen");
    let (status, ct, _) = get(&c, "http://farm1.test/robots.txt").await;
    assert_eq!(
        (status.as_u16(), ct.as_str()),
        (200, "text/plain; charset=utf-8")
    );
    let addr = srv.addr();
    srv.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let mut bad = Sites::new();
    bad.set_config(
        "x.test",
        SiteConfig {
            charset: None,
            routes: vec![Route {
                path: "/".into(),
                status: Some(42),
                ..Route::default()
            }],
        },
    );
    let err = FixtureServer::start(bad).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("x.test/_server.toml"), "{err}");
}
