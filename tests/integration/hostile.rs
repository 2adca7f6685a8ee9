//! A hostile site audited together with healthy ones: internal links,
//! frames and redirects, deep nesting, 100,000 links, credentials, UTF-16
//! and a homepage that moved to another domain. Nothing inside may be
//! reached, no healthy host may stall, their verdicts must not change.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use infokoll::fixture_server::Sites;
use infokoll::store::Store;

use crate::util::{infokoll, sites_dir, Server};

/// Healthy fixture municipalities audited beside the hostile one.
const HEALTHY: &[(&str, &str)] = &[("9101", "www.granby.se"), ("9102", "www.tallnas.se")];

/// A loopback listener that counts every connection made to it.
struct Canary {
    port: u16,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Canary {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        h.fetch_add(1, Ordering::Relaxed);
                        let mut buf = [0u8; 512];
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
                        let _ = conn.read(&mut buf);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { port, hits, stop }
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Writes the hostile sites (`www.fientlig.se`, `www.flyttad.se`) into `dir`.
fn hostile_sites(dir: &Path, canary: u16) {
    let site = dir.join("www.fientlig.se");
    std::fs::create_dir_all(site.join("omsorg")).unwrap();
    let inside = format!("http://127.0.0.1:{canary}");
    let index = format!(
        r#"<!doctype html><html lang="sv"><head><title>Fientlig kommun</title></head><body>
<h1>Fientlig kommun</h1>
<ul>
<li><a href="/omsorg/hemtjanst.html">Hemtjänst</a></li>
<li><a href="{inside}/hemtjanst/avgift">Hemtjänst avgift kalkyl</a></li>
<li><a href="http://localhost:{canary}/aldreomsorg">Äldreomsorg hemtjänst</a></li>
<li><a href="http://[::1]:{canary}/hemtjanst">Hemtjänst handläggningstid</a></li>
<li><a href="http://169.254.169.254/latest/meta-data/">Räkna ut din avgift för hemtjänst</a></li>
<li><a href="/hemtjanst-avgift-kalkyl">Räkna ut avgiften för hemtjänst</a></li>
<li><a href="/aldreomsorg-jamfor">Jämför utförare i hemtjänsten</a></li>
<li><a href="http://kalle:hemligt@www.fientlig.se/omsorg/hemtjanst-hemligt.html">Hemtjänst för äldre</a></li>
<li><a href="/omsorg/djup.html">Äldreomsorg djupt</a></li>
<li><a href="/omsorg/lankar.html">Äldreomsorg länkar</a></li>
<li><a href="/omsorg/utf16.html">Handläggningstid hemtjänst</a></li>
</ul>
<iframe src="{inside}/kalkyl" title="Räkna ut din hemtjänstavgift"></iframe>
</body></html>"#
    );
    std::fs::write(site.join("index.html"), index).unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    let page = |title: &str| {
        format!("<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>Hemtjänst är hjälp i hemmet.</p></body></html>")
    };
    std::fs::write(site.join("omsorg/hemtjanst.html"), page("Hemtjänst")).unwrap();
    std::fs::write(
        site.join("omsorg/hemtjanst-hemligt.html"),
        page("Hemtjänst för äldre"),
    )
    .unwrap();
    let deep = format!(
        "<!doctype html><title>Djup</title><p>Äldreomsorg</p>{}slut",
        "<div>".repeat(100_000)
    );
    std::fs::write(site.join("omsorg/djup.html"), deep).unwrap();
    let mut links = String::from("<!doctype html><title>Länkar</title><h1>Alla sidor</h1>");
    for i in 0..100_000 {
        let _ = writeln!(links, "<a href=\"/sida/{i}\">sida {i}</a>");
    }
    std::fs::write(site.join("omsorg/lankar.html"), links).unwrap();
    let utf16 = "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-16le\"><title>Handläggningstid för hemtjänst</title></head><body>\
        <h1>Hur lång tid tar det att få hemtjänst?</h1>\
        <p>Handläggningstiden för en ansökan om hemtjänst är normalt tre veckor från att vi har fått din ansökan.</p></body></html>";
    let bytes: Vec<u8> = utf16.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(site.join("omsorg/utf16.html"), bytes).unwrap();
    let server_toml = format!(
        r#"[[route]]
path = "/hemtjanst-avgift-kalkyl"
redirect = "{inside}/kalkyl"

[[route]]
path = "/aldreomsorg-jamfor"
status = 301
redirect = "http://www.annan-doman.se/jamfor"
"#
    );
    std::fs::write(site.join("_server.toml"), server_toml).unwrap();

    let other = dir.join("www.annan-doman.se");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("index.html"), page("Annan domän")).unwrap();
    std::fs::write(other.join("jamfor"), page("Jämför hemtjänst")).unwrap();
    let moved = dir.join("www.flyttad.se");
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::write(
        moved.join("_server.toml"),
        "[[route]]\npath = \"/\"\nstatus = 301\nredirect = \"http://www.annan-doman.se/\"\n",
    )
    .unwrap();
}

fn registry(dir: &Path, with_hostile: bool) -> PathBuf {
    let mut csv = String::from("kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n");
    for (code, host) in HEALTHY {
        let _ = writeln!(csv, "{code},{host},90,Testlän,http://{host}/,10000,2024");
    }
    if with_hostile {
        csv.push_str("9103,Fientlig,90,Testlän,http://www.fientlig.se/,10000,2024\n");
        csv.push_str("9104,Flyttad,90,Testlän,http://www.flyttad.se/,10000,2024\n");
    }
    let path = dir.join(if with_hostile {
        "alla.csv"
    } else {
        "friska.csv"
    });
    std::fs::write(&path, csv).unwrap();
    path
}

fn audit(out: &Path, registry: &Path, proxy: &str) -> std::process::Output {
    infokoll(&[
        "audit",
        "--out",
        out.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
        "--proxy",
        proxy,
        "--rate",
        "4",
        "--timeout",
        "5",
        "--max-pages",
        "40",
        "--concurrency",
        "4",
        "--quiet",
        "--format",
        "json",
        "--year",
        "2026",
    ])
}

/// code → (site status, item → found).
fn verdicts(out: &Path) -> BTreeMap<String, (String, BTreeMap<String, bool>)> {
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    let mut map: BTreeMap<String, (String, BTreeMap<String, bool>)> = BTreeMap::new();
    for s in store.municipality_states(run.id).unwrap() {
        map.insert(
            s.municipality.code.clone(),
            (s.site_status.unwrap_or_default(), BTreeMap::new()),
        );
    }
    for (code, v) in store.verdicts(run.id).unwrap() {
        map.get_mut(&code).unwrap().1.insert(v.item, v.found);
    }
    map
}

/// Files of a run that hold `needle`: the database and log byte for byte;
/// of the WARC files only the record headers (the archived bodies are the
/// pages exactly as served, credentials in their markup included).
fn files_contain(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(files_contain(&path, needle));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let found = if path.extension().is_some_and(|e| e == "gz") {
            let mut plain = Vec::new();
            let _ = flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut plain);
            String::from_utf8_lossy(&plain)
                .lines()
                .any(|l| l.starts_with("WARC-") && l.contains(needle))
        } else {
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        };
        if found {
            hits.push(path);
        }
    }
    hits
}

#[test]
fn a_hostile_site_reaches_nothing_inside_and_stalls_no_one() {
    let canary = Canary::start();
    let tmp = tempfile::tempdir().unwrap();
    let sites = tmp.path().join("sites");
    for (_, host) in HEALTHY {
        copy_dir(&sites_dir().join(host), &sites.join(host));
    }
    hostile_sites(&sites, canary.port);
    let server = Server::start_with(Sites::from_dir(&sites).unwrap());
    let proxy = server.proxy();

    let alone = tmp.path().join("friska");
    let out = audit(&alone, &registry(tmp.path(), false), &proxy);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.clear_log();

    let together = tmp.path().join("alla");
    let out = audit(&together, &registry(tmp.path(), true), &proxy);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = server.log();

    // Nothing inside was ever asked, directly or through the proxy.
    assert_eq!(
        canary.hits.load(Ordering::Relaxed),
        0,
        "the canary was reached"
    );
    for r in &log {
        let internal = ["127.0.0.1", "localhost", "::1", "[::1]", "169.254.169.254"];
        assert!(!internal.contains(&r.host.as_str()), "asked for {r:?}");
    }

    // The healthy sites' verdicts are the same as when audited alone.
    let alone = verdicts(&alone);
    let all = verdicts(&together);
    for (code, _) in HEALTHY {
        assert_eq!(alone[*code], all[*code], "{code} changed");
        assert_eq!(all[*code].0, "ok");
    }

    // No healthy host waited over 3 s between two requests.
    let mut by_host: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for r in &log {
        by_host.entry(r.host.as_str()).or_default().push(r.at);
    }
    for (_, host) in HEALTHY {
        let times = &by_host[host];
        assert!(times.len() >= 5, "{host}: {} requests", times.len());
        for w in times.windows(2) {
            let gap = w[1].saturating_sub(w[0]);
            assert!(gap <= Duration::from_secs(3), "{host} stalled {gap:?}");
        }
    }

    // The hostile site: internal targets are statuses, heavy pages are cut,
    // the off-site redirect is off-site, UTF-16 is read as text.
    let store = Store::open_readonly(together.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    let rows = store.fetches(run.id, "9103").unwrap();
    let text = |r: &infokoll::store::FetchRow| r.outcome_text.clone().unwrap_or_default();
    assert!(
        rows.iter()
            .any(|r| text(r).contains("intern adress – hämtas inte")),
        "{rows:#?}"
    );
    assert_eq!(all["9103"].0, "ok");
    let moved = &all["9104"].0;
    assert_eq!(moved, "other_domain");
    // The moved homepage was followed only to record where it leads.
    assert_eq!(store.fetches(run.id, "9104").unwrap().len(), 1);
    let evidence = store.evidence(run.id, "9103", "handlaggningstid").unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e.url.ends_with("/omsorg/utf16.html")
                && e.snippet.contains("tre veckor")
                && !e.snippet.contains('<')),
        "{evidence:#?}"
    );
    drop(store);

    // Credentials are never sent, stored or archived.
    for r in &log {
        assert!(!r.target.contains("hemligt@"), "{r:?}");
    }
    assert_eq!(
        files_contain(&together, "kalle:hemligt"),
        Vec::<PathBuf>::new()
    );
    assert_eq!(files_contain(&together, "hemligt@"), Vec::<PathBuf>::new());

    // `check` shows the same in its page records: cut pages say `avkortad`,
    // the same-site link that redirected away is off-site.
    let out = infokoll(&[
        "check",
        "http://www.fientlig.se/",
        "--proxy",
        &proxy,
        "--rate",
        "40",
        "--max-pages",
        "40",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = json["pages"].as_array().unwrap();
    let page = |path: &str| {
        pages
            .iter()
            .find(|p| p["url"].as_str().unwrap().ends_with(path))
            .unwrap_or_else(|| panic!("{path} not fetched: {json}"))
    };
    let outcome = |path: &str| page(path)["outcome"].as_str().unwrap().to_owned();
    let djup = outcome("/omsorg/djup.html");
    assert!(
        djup.contains("avkortad: ") && djup.contains("för djup nästling"),
        "{djup}"
    );
    let lankar = outcome("/omsorg/lankar.html");
    assert!(
        lankar.contains("avkortad: ") && lankar.contains("för många länkar"),
        "{lankar}"
    );
    assert!(outcome("/hemtjanst-avgift-kalkyl").contains("intern adress – hämtas inte"));
    assert_eq!(page("/aldreomsorg-jamfor")["off_site"], true);
    assert_eq!(page("/omsorg/hemtjanst.html")["off_site"], false);
    assert!(!out.stdout.windows(8).any(|w| w == b"hemligt@"));
    assert_eq!(canary.hits.load(Ordering::Relaxed), 0);
}
