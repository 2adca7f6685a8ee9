//! `infokoll audit` over the fixture sites: verdicts, politeness, resume.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use infokoll::store::{MunicipalityStatus, Store};

use crate::util::{infokoll, municipality_truths, Server};

/// A registry CSV with the fixture municipalities (codes 9001…), and code → host.
pub(crate) fn fixture_registry(dir: &Path) -> (std::path::PathBuf, HashMap<String, String>) {
    let mut csv = String::from("kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n");
    let mut hosts = HashMap::new();
    for (i, (host, t)) in municipality_truths().into_iter().enumerate() {
        let code = format!("{}", 9001 + i);
        let _ = writeln!(
            csv,
            "{code},{},90,Testlän,{},10000,2024",
            t.name,
            t.start.unwrap()
        );
        hosts.insert(code, host);
    }
    let path = dir.join("registry.csv");
    std::fs::write(&path, csv).unwrap();
    (path, hosts)
}

pub(crate) fn audit_args<'a>(out: &'a str, registry: &'a str, proxy: &'a str) -> Vec<&'a str> {
    vec![
        "audit",
        "--out",
        out,
        "--registry",
        registry,
        "--proxy",
        proxy,
        "--rate",
        "20",
        "--timeout",
        "5",
        "--quiet",
        "--format",
        "json",
        "--concurrency",
        "4",
        "--year",
        "2026",
    ]
}

/// code → (site status, item → found) from an audit directory.
pub(crate) fn results(out: &Path) -> BTreeMap<String, (String, BTreeMap<String, bool>)> {
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    let mut map: BTreeMap<String, (String, BTreeMap<String, bool>)> = BTreeMap::new();
    for s in store.municipality_states(run.id).unwrap() {
        assert_eq!(
            s.status,
            MunicipalityStatus::Done,
            "{} not done",
            s.municipality.code
        );
        map.insert(
            s.municipality.code.clone(),
            (s.site_status.unwrap(), BTreeMap::new()),
        );
    }
    for (code, v) in store.verdicts(run.id).unwrap() {
        map.get_mut(&code).unwrap().1.insert(v.item, v.found);
    }
    map
}

pub(crate) fn fetch_rows(out: &Path) -> u64 {
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    store
        .municipality_states(run.id)
        .unwrap()
        .iter()
        .map(|s| store.fetch_count(run.id, &s.municipality.code).unwrap())
        .sum()
}

#[test]
fn audit_of_the_fixture_sites_matches_truth() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, hosts) = fixture_registry(tmp.path());
    let out = tmp.path().join("run");
    let proxy = server.proxy();
    let out_s = out.to_str().unwrap();
    let out_put = infokoll(&audit_args(out_s, registry.to_str().unwrap(), &proxy));
    assert_eq!(
        out_put.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out_put.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out_put.stdout).unwrap();
    assert_eq!(summary["done"], summary["total"]);
    let truths: HashMap<String, _> = municipality_truths().into_iter().collect();
    let mut wrong = Vec::new();
    for (code, (status, items)) in results(&out) {
        let truth = &truths[&hosts[&code]];
        assert_eq!(status, truth.status, "{code}: site status");
        for (item, want) in &truth.items {
            if truth.status == "ok" && items.get(item) != Some(want) {
                wrong.push(format!(
                    "{code} {item}: {:?} vs truth {want}",
                    items.get(item)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every response is in the WARC archive, and the log file exists.
    assert!(std::fs::read_dir(&out).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".warc.gz")));
    assert!(out.join("infokoll.log").exists());
    // The PDFs read are archived as response records, for the reviewer.
    assert!(warc_text(&out).contains(
        "WARC-Target-URI: http://www.kvarnsjo.se/dokument/servicedeklaration-hemtjanst.pdf"
    ));
    // Per host, requests keep the rate (20/s → 50 ms) across all municipalities.
    crate::util::assert_spacing(&server.log(), Duration::from_millis(50));
}

/// All WARC files of a run, inflated, as (lossy) text.
fn warc_text(out: &Path) -> String {
    use std::io::Read as _;
    let mut text = String::new();
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".warc.gz") {
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).unwrap())
                .read_to_end(&mut bytes)
                .unwrap();
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

/// Runs an audit and SIGKILLs it after `after`; returns whether it was still running then.
fn run_and_kill(args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while t0.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

#[test]
fn resume_after_sigkill_gives_the_same_verdicts_and_fetches() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let registry = registry.to_str().unwrap().to_owned();
    let proxy = server.proxy();
    // The uninterrupted reference run.
    let whole = tmp.path().join("whole");
    let out = infokoll(&audit_args(whole.to_str().unwrap(), &registry, &proxy));
    assert_eq!(out.status.code(), Some(0));
    let whole_requests = server
        .log()
        .iter()
        .filter(|r| r.target != "/robots.txt")
        .count();
    server_clear(&server);
    // The same run, killed three times at different moments, then finished.
    let parts = tmp.path().join("parts");
    let args = audit_args(parts.to_str().unwrap(), &registry, &proxy);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let mut kills = 0;
    for i in 0..3u32 {
        let ms = 400 + (seed.wrapping_mul(2_654_435_761).wrapping_add(i * 7919) % 700);
        if run_and_kill(&args, Duration::from_millis(u64::from(ms))) {
            kills += 1;
        }
    }
    let out = infokoll(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(kills >= 1, "the audit finished before it could be killed");
    assert_eq!(
        results(&parts),
        results(&whole),
        "verdicts after {kills} kills"
    );
    assert_eq!(fetch_rows(&parts), fetch_rows(&whole), "recorded fetches");
    // Nothing finished is fetched again: at most the requests in flight at each kill (4 sites).
    let parts_requests = server
        .log()
        .iter()
        .filter(|r| r.target != "/robots.txt")
        .count();
    assert!(
        parts_requests <= whole_requests + kills * 4,
        "{parts_requests} page requests with {kills} kills vs {whole_requests} uninterrupted"
    );
}

fn server_clear(server: &Server) {
    server.clear_log();
}

#[test]
fn ctrl_c_stops_gracefully_and_says_how_to_resume() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let out = tmp.path().join("run");
    let proxy = server.proxy();
    let mut args = audit_args(out.to_str().unwrap(), registry.to_str().unwrap(), &proxy);
    args.retain(|a| *a != "json" && *a != "--format");
    let rate = args.iter().position(|a| *a == "--rate").unwrap();
    args[rate + 1] = "5";
    let child = Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has really started (the Ctrl-C handler is in place).
    let log = out.join("infokoll.log");
    crate::util::wait_for_audit_start(&log);
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let resume = format!("infokoll audit --resume {}", out.display());
    assert!(stdout.contains(&resume), "{stdout}");
    // The same command with another rate is refused, naming the difference.
    args[rate + 1] = "20";
    let other = infokoll(&args);
    assert_eq!(other.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(stderr.contains("--rate: 5 i körningen, 20 nu"), "{stderr}");
    // `--resume` finishes the run with its own parameters.
    let again = infokoll(&["audit", "--resume", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(results(&out).values().all(|(s, _)| !s.is_empty()));
}

#[test]
fn a_later_run_revalidates_unchanged_pages() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let registry = registry.to_str().unwrap().to_owned();
    let proxy = server.proxy();
    let first = tmp.path().join("first");
    assert_eq!(
        infokoll(&audit_args(first.to_str().unwrap(), &registry, &proxy))
            .status
            .code(),
        Some(0)
    );
    let second = tmp.path().join("second");
    let mut args = audit_args(second.to_str().unwrap(), &registry, &proxy);
    let prev = first.to_str().unwrap().to_owned();
    args.extend_from_slice(&["--previous", &prev]);
    let out = infokoll(&args);
    assert_eq!(out.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let not_modified = summary["not_modified"].as_u64().unwrap();
    assert!(not_modified > 100, "only {not_modified} pages answered 304");
    assert_eq!(results(&second), results(&first));
}

/// A registry CSV for farm municipalities (their http start URLs).
fn farm_registry(dir: &Path, farm: &infokoll::farm::Farm) -> std::path::PathBuf {
    let registry = infokoll::registry::Registry::builtin();
    let mut csv = String::from("kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n");
    for (code, start) in &farm.starts {
        let m = registry.by_code(code).unwrap();
        let _ = writeln!(
            csv,
            "{code},{},{},{},{start},{},2024",
            m.name, m.county_code, m.county, m.population
        );
    }
    let path = dir.join("farm.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn audit_of_a_20_site_farm_matches_its_truth_politely() {
    let registry = infokoll::registry::Registry::builtin();
    // Twenty municipalities spread over the list, so the farm's faults fall on some of them.
    let chosen: Vec<_> = registry
        .all()
        .iter()
        .step_by(14)
        .take(20)
        .cloned()
        .collect();
    let opts = infokoll::farm::FarmOptions {
        slow_ms: 6_000,
        ..infokoll::farm::FarmOptions::default()
    };
    let farm = infokoll::farm::generate_for(&chosen, 7, &opts);
    let server = crate::util::Server::start_with(farm.sites.clone());
    let tmp = tempfile::tempdir().unwrap();
    let csv = farm_registry(tmp.path(), &farm);
    let out = tmp.path().join("run");
    let proxy = server.proxy();
    let args = [
        "audit",
        "--out",
        out.to_str().unwrap(),
        "--registry",
        csv.to_str().unwrap(),
        "--proxy",
        &proxy,
        "--rate",
        "20",
        "--timeout",
        "5",
        "--quiet",
        "--concurrency",
        "20",
        "--year",
        "2026",
    ];
    let run = infokoll(&args);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let got = results(&out);
    assert_eq!(got.len(), 20, "every municipality ends with a status");
    let (mut right, mut total) = (0, 0);
    let mut core_wrong = Vec::new();
    for (code, (status, items)) in &got {
        let truth = &farm.truths[code];
        assert_eq!(status, &truth.status, "{code}: site status");
        for (item, want) in &truth.items {
            if truth.status != "ok" {
                continue;
            }
            total += 1;
            if items.get(item) == Some(want) {
                right += 1;
            } else if [
                "rakna_avgift",
                "jamfor_utforare",
                "flex_policy",
                "handlaggningstid",
            ]
            .contains(&item.as_str())
            {
                core_wrong.push(format!("{code} {item}: truth {want}"));
            }
        }
    }
    assert!(core_wrong.is_empty(), "{}", core_wrong.join("\n"));
    assert!(
        right * 100 >= total * 97,
        "only {right} of {total} verdicts match the farm's truth"
    );
    // Politeness, from the server's log: robots.txt obeyed, per-host spacing kept.
    let log = server.log();
    crate::util::assert_robots_obeyed(&log, |host| {
        farm.sites
            .get(host)
            .and_then(|s| s.files.get("robots.txt"))
            .cloned()
    });
    crate::util::assert_spacing(&log, Duration::from_millis(50));
}
