//! Tests of [`Fetcher`] against scripted servers on 127.0.0.1.

#![allow(clippy::unwrap_used)]

use super::test_server::{Reply, Server};
use super::*;
use crate::fetch::robots::RobotsStatus;

/// Slack for times measured at the server (arrival vs. start on the client).
const SLACK: Duration = Duration::from_millis(20);

fn cfg() -> FetchConfig {
    FetchConfig {
        rate: 50.0,
        timeout: Duration::from_secs(5),
        allow_private: true,
        ..FetchConfig::default()
    }
}

fn fetcher(config: FetchConfig) -> Fetcher {
    Fetcher::new(config).unwrap()
}

fn gaps(srv: &Server) -> Vec<Duration> {
    let hits = srv.hits();
    hits.windows(2).map(|w| w[1].at - w[0].at).collect()
}

fn body_of(page: &FetchedPage) -> &[u8] {
    match &page.outcome {
        FetchOutcome::Response { body, .. } => body,
        other => panic!("no response: {other:?}"),
    }
}

fn open_site(path: &str, _: usize, _: &HeaderMap) -> Reply {
    match path {
        "/robots.txt" => Reply::new(404, "nej"),
        _ => Reply::html("<p>hej</p>"),
    }
}

#[tokio::test]
async fn robots_disallow_is_respected_for_our_token() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(
            200,
            "User-agent: *\nDisallow: /\n\nUser-agent: infokoll\nDisallow: /intern\n",
        ),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let page = f.fetch(&srv.url("/intern/x")).await;
    assert!(
        matches!(&page.outcome, FetchOutcome::Disallowed { url } if url.path() == "/intern/x"),
        "{page:?}"
    );
    assert_eq!(page.requests, 0);
    let page = f.fetch(&srv.url("/ok")).await;
    assert_eq!(page.outcome.status(), Some(200));
    assert_eq!(page.requests, 1);
    assert_eq!(srv.paths(), ["/robots.txt", "/ok"]);
    assert_eq!(f.requests_sent(), 2);
}

#[tokio::test]
async fn robots_4xx_allows_all() {
    for status in [401, 403, 404] {
        let srv = Server::start(move |p, _, _| match p {
            "/robots.txt" => Reply::new(status, "User-agent: *\nDisallow: /"),
            _ => Reply::html("<p>ok</p>"),
        })
        .await;
        let f = fetcher(cfg());
        assert_eq!(f.fetch(&srv.url("/a")).await.outcome.status(), Some(200));
        let rules = f.robots(&srv.url("/")).await;
        assert_eq!(
            rules.status,
            RobotsStatus::Missing {
                http_status: status
            }
        );
    }
}

#[tokio::test]
async fn robots_5xx_disallows_all() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(500, "fel"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let page = f.fetch(&srv.url("/a")).await;
    assert!(matches!(page.outcome, FetchOutcome::Disallowed { .. }));
    assert_eq!(srv.paths(), ["/robots.txt"]);
    let rules = f.robots(&srv.url("/b")).await;
    assert!(matches!(rules.status, RobotsStatus::Unreachable { .. }));
}

#[tokio::test]
async fn robots_redirects_are_followed_and_loops_are_unreachable() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::redirect(301, "/flyttad.txt"),
        "/flyttad.txt" => Reply::new(200, "User-agent: *\nDisallow: /x\nSitemap: /karta.xml"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let rules = f.robots(&srv.url("/")).await;
    assert_eq!(rules.status, RobotsStatus::Parsed { http_status: 200 });
    assert!(!rules.allowed(&srv.url("/x")));
    assert_eq!(rules.sitemaps, vec![srv.url("/karta.xml")]);

    let looping = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::redirect(302, "/a.txt"),
        "/a.txt" => Reply::redirect(302, "/robots.txt"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let rules = f.robots(&looping.url("/")).await;
    assert_eq!(
        rules.status,
        RobotsStatus::Unreachable {
            reason: "redirect loop".into()
        }
    );
}

#[tokio::test]
async fn requests_are_spaced_by_rate_and_crawl_delay() {
    let srv = Server::start(open_site).await;
    let f = fetcher(FetchConfig {
        rate: 10.0,
        ..cfg()
    });
    for p in ["/a", "/b", "/c"] {
        f.fetch(&srv.url(p)).await;
    }
    assert_eq!(srv.paths().len(), 4);
    assert!(gaps(&srv)
        .iter()
        .all(|g| *g + SLACK >= Duration::from_millis(100)));

    let slow = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(200, "User-agent: *\nCrawl-delay: 0.3\n"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let (ua, ub) = (slow.url("/a"), slow.url("/b"));
    let (a, b) = tokio::join!(f.fetch(&ua), f.fetch(&ub));
    assert_eq!(
        (a.outcome.status(), b.outcome.status()),
        (Some(200), Some(200))
    );
    assert_eq!(
        f.robots(&slow.url("/")).await.crawl_delay,
        Some(Duration::from_millis(300))
    );
    let g = gaps(&slow);
    assert_eq!(g.len(), 2);
    assert!(
        g.iter().all(|g| *g + SLACK >= Duration::from_millis(300)),
        "{g:?}"
    );
}

#[tokio::test]
async fn redirect_chain_is_recorded() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(404, ""),
        "/a" => Reply::redirect(301, "/b#del"),
        "/b" => Reply::redirect(307, "c?x=1"),
        _ => Reply::html("<p>slut</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let page = f.fetch(&srv.url("/a")).await;
    assert_eq!(page.outcome.status(), Some(200));
    assert_eq!(page.redirects, vec![srv.url("/b"), srv.url("/c?x=1")]);
    assert_eq!(page.final_url, srv.url("/c?x=1"));
    assert_eq!(page.requested, srv.url("/a"));
    assert_eq!(page.requests, 3);
    assert_eq!(body_of(&page), b"<p>slut</p>");
}

#[tokio::test]
async fn redirect_loops_and_long_chains_stop() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(404, ""),
        "/x" => Reply::redirect(302, "/y"),
        "/y" => Reply::redirect(302, "/x"),
        "/r1" => Reply::redirect(301, "/r2"),
        "/r2" => Reply::redirect(301, "/r3"),
        "/r3" => Reply::redirect(301, "/slut"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(FetchConfig {
        max_redirects: 2,
        ..cfg()
    });
    let page = f.fetch(&srv.url("/x")).await;
    assert!(
        matches!(page.outcome, FetchOutcome::RedirectLoop),
        "{page:?}"
    );
    assert_eq!(page.requests, 2);
    let page = f.fetch(&srv.url("/r1")).await;
    assert!(
        matches!(page.outcome, FetchOutcome::TooManyRedirects),
        "{page:?}"
    );
    assert_eq!(page.redirects.len(), 2);
    assert!(!srv.paths().contains(&"/slut".to_owned()));
}

#[tokio::test]
async fn redirect_to_disallowed_url_is_not_followed() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(200, "User-agent: *\nDisallow: /intern"),
        "/go" => Reply::redirect(302, "/intern/x"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let page = fetcher(cfg()).fetch(&srv.url("/go")).await;
    assert!(
        matches!(&page.outcome, FetchOutcome::Disallowed { url } if *url == srv.url("/intern/x"))
    );
    assert_eq!(srv.paths(), ["/robots.txt", "/go"]);
}

#[tokio::test]
async fn retry_after_is_honoured_then_retried() {
    let srv = Server::start(|p, nth, _| match (p, nth) {
        ("/robots.txt", _) => Reply::new(404, ""),
        ("/upptagen", 1) => Reply::new(429, "vänta").header("retry-after", "1"),
        ("/lang", _) => Reply::new(503, "borta").header("retry-after", "3600"),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let f = fetcher(cfg());
    let page = f.fetch(&srv.url("/upptagen")).await;
    assert_eq!(page.outcome.status(), Some(200));
    assert_eq!(page.requests, 2);
    let hits = srv.hits();
    assert_eq!(hits.len(), 3);
    assert!(hits[2].at - hits[1].at + SLACK >= Duration::from_secs(1));

    let page = f.fetch(&srv.url("/lang")).await;
    assert_eq!(page.outcome.status(), Some(503));
    assert_eq!(page.requests, 1);
}

#[tokio::test]
async fn body_is_capped() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(404, ""),
        "/exakt" => Reply::new(200, vec![b'a'; 1000]),
        _ => Reply::new(200, vec![b'a'; 5000]),
    })
    .await;
    let f = fetcher(FetchConfig {
        max_body: 1000,
        ..cfg()
    });
    let page = f.fetch(&srv.url("/stor")).await;
    assert!(matches!(
        page.outcome,
        FetchOutcome::Response {
            truncated: true,
            ..
        }
    ));
    assert_eq!(body_of(&page).len(), 1000);
    let page = f.fetch(&srv.url("/exakt")).await;
    assert!(matches!(
        page.outcome,
        FetchOutcome::Response {
            truncated: false,
            ..
        }
    ));
    assert_eq!(body_of(&page).len(), 1000);
}

/// CRC-32 (IEEE), bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Gzip of `n` zero bytes (n ≥ 1) with fixed-Huffman back-references, so a
/// few KiB on the wire inflate to `n` bytes.
fn gzip_zeros(n: usize) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut put = |out: &mut Vec<u8>, value: u32, len: u32, huffman: bool| {
        for i in 0..len {
            let bit = if huffman {
                (value >> (len - 1 - i)) & 1
            } else {
                (value >> i) & 1
            };
            acc |= u64::from(bit) << bits;
            bits += 1;
            if bits == 8 {
                out.push(acc as u8);
                (acc, bits) = (0, 0);
            }
        }
    };
    put(&mut out, 0b1, 1, false); // BFINAL
    put(&mut out, 0b01, 2, false); // fixed Huffman
    put(&mut out, 0x30, 8, true); // literal 0
    let mut left = n - 1;
    while left >= 258 {
        put(&mut out, 0b1100_0101, 8, true); // length 258
        put(&mut out, 0, 5, true); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        put(&mut out, 0x30, 8, true);
    }
    put(&mut out, 0, 7, true); // end of block
    put(&mut out, 0, 7, false); // pad
    out.extend_from_slice(&crc32(&vec![0; n]).to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out
}

#[tokio::test]
async fn gzip_is_decoded_and_capped_after_decompression() {
    let srv = Server::start(|p, _, headers| {
        let gzip_ok = headers
            .get("accept-encoding")
            .is_some_and(|v| v.to_str().unwrap().contains("gzip"));
        match p {
            "/robots.txt" => Reply::new(404, ""),
            _ if !gzip_ok => Reply::new(406, "ingen gzip"),
            "/liten" => Reply::new(200, gzip_zeros(3000)).header("content-encoding", "gzip"),
            _ => Reply::new(200, gzip_zeros(1 << 20)).header("content-encoding", "gzip"),
        }
    })
    .await;
    let f = fetcher(FetchConfig {
        max_body: 64 * 1024,
        ..cfg()
    });
    let page = f.fetch(&srv.url("/liten")).await;
    assert_eq!(body_of(&page), vec![0; 3000].as_slice());
    assert!(matches!(
        page.outcome,
        FetchOutcome::Response {
            truncated: false,
            ..
        }
    ));
    assert!(gzip_zeros(1 << 20).len() < 16 * 1024);
    let page = f.fetch(&srv.url("/bomb")).await;
    assert_eq!(body_of(&page).len(), 64 * 1024);
    assert!(matches!(
        page.outcome,
        FetchOutcome::Response {
            truncated: true,
            ..
        }
    ));
}

#[tokio::test]
async fn connection_refused_is_transport() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let f = fetcher(cfg());
    let page = f
        .fetch(&Url::parse(&format!("http://{addr}/a")).unwrap())
        .await;
    match &page.outcome {
        FetchOutcome::Transport { reason } => assert_eq!(reason, "anslutningen nekades"),
        other => panic!("{other:?}"),
    }
    assert!(f.robots(&page.requested).await.failure().is_some());
}

#[tokio::test]
async fn slow_answers_time_out() {
    let srv = Server::start(|p, _, _| match p {
        "/robots.txt" => Reply::new(404, ""),
        _ => Reply::html("<p>sent</p>").delayed(Duration::from_secs(3)),
    })
    .await;
    let f = fetcher(FetchConfig {
        timeout: Duration::from_millis(300),
        ..cfg()
    });
    let t0 = Instant::now();
    let page = f.fetch(&srv.url("/sov")).await;
    assert!(matches!(page.outcome, FetchOutcome::Timeout), "{page:?}");
    assert!(t0.elapsed() < Duration::from_secs(2));

    let slow_robots =
        Server::start(|_, _, _| Reply::new(404, "").delayed(Duration::from_secs(3))).await;
    let page = f.fetch(&slow_robots.url("/a")).await;
    assert!(matches!(page.outcome, FetchOutcome::Timeout), "{page:?}");
}

#[tokio::test]
async fn identifying_headers_are_sent() {
    let srv = Server::start(open_site).await;
    let f = fetcher(cfg());
    f.fetch(&srv.url("/a")).await;
    let hits = srv.hits();
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        let h = |n: &str| hit.headers.get(n).unwrap().to_str().unwrap().to_owned();
        assert!(h("user-agent").starts_with("infokoll/"));
        assert!(h("user-agent").contains("hemtjanst information audit"));
        assert_eq!(h("accept-language"), "sv,en;q=0.5");
    }
    assert_eq!(
        hits[1].headers.get("accept").unwrap(),
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"
    );
}

#[tokio::test]
async fn conditional_fetch_gets_304() {
    let srv = Server::start(|p, _, headers| match p {
        "/robots.txt" => Reply::new(404, ""),
        _ if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") => Reply::new(304, ""),
        _ => Reply::html("<p>ny</p>")
            .header("etag", "\"v1\"")
            .header("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
    })
    .await;
    let f = fetcher(cfg());
    let page = f.fetch(&srv.url("/sida")).await;
    let FetchOutcome::Response {
        etag,
        last_modified,
        ..
    } = &page.outcome
    else {
        panic!("{page:?}");
    };
    let page = f
        .fetch_conditional(&srv.url("/sida"), etag.as_deref(), last_modified.as_deref())
        .await;
    assert_eq!(page.outcome.status(), Some(304));
    assert!(srv.hits()[2].headers.get("if-modified-since").is_some());
}

#[tokio::test]
async fn clones_share_robots_and_counter() {
    let srv = Server::start(open_site).await;
    let f = fetcher(cfg());
    let g = f.clone();
    let (ua, ub) = (srv.url("/a"), srv.url("/b"));
    let (a, b) = tokio::join!(f.fetch(&ua), g.fetch(&ub));
    assert_eq!(
        (a.outcome.status(), b.outcome.status()),
        (Some(200), Some(200))
    );
    assert_eq!(
        srv.paths().iter().filter(|p| *p == "/robots.txt").count(),
        1
    );
    assert_eq!(f.requests_sent(), 3);
    assert_eq!(g.requests_sent(), 3);
}

#[tokio::test]
async fn unsupported_urls_send_nothing() {
    let f = fetcher(cfg());
    let page = f.fetch(&Url::parse("ftp://kommun.se/fil").unwrap()).await;
    assert!(matches!(page.outcome, FetchOutcome::Unsupported { .. }));
    assert_eq!(f.requests_sent(), 0);
}

#[test]
fn bad_configs_are_refused() {
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300] {
        let r = Fetcher::new(FetchConfig { rate, ..cfg() });
        assert!(matches!(r, Err(FetchError::InvalidRate(_))), "{rate}");
    }
    let r = Fetcher::new(FetchConfig {
        user_agent: "rad\nbrytning".into(),
        ..cfg()
    });
    assert!(matches!(r, Err(FetchError::InvalidUserAgent(_))));
    assert!(Fetcher::new(FetchConfig { rate: 0.5, ..cfg() }).is_ok());
}

#[test]
fn retry_after_forms() {
    let now = SystemTime::now();
    let mut h = HeaderMap::new();
    assert_eq!(retry_after(&h, now), None);
    h.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
    assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
    h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
    let wait = retry_after(&h, now).unwrap();
    assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28));
    h.insert(
        RETRY_AFTER,
        HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
    );
    assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
    h.insert(RETRY_AFTER, HeaderValue::from_static("snart"));
    assert_eq!(retry_after(&h, now), None);
}

#[test]
fn redirect_targets() {
    let base = Url::parse("https://kommun.se/a/b").unwrap();
    let mut h = HeaderMap::new();
    h.insert(LOCATION, HeaderValue::from_static("c"));
    assert_eq!(
        redirect_target(301, &h, &base),
        Some(Url::parse("https://kommun.se/a/c").unwrap())
    );
    assert_eq!(redirect_target(200, &h, &base), None);
    assert_eq!(redirect_target(304, &h, &base), None);
    assert_eq!(redirect_target(302, &HeaderMap::new(), &base), None);
}
