//! A run remembers its parameters (issue 15): `audit --out` on an existing
//! run with other parameters is refused before any request, and
//! `audit --resume DIR` continues an interrupted run with the stored ones.

use std::time::Duration;

use infokoll::store::Store;

use crate::audit::{audit_args, fixture_registry, results};
use crate::util::{infokoll, Server};

fn page_requests(server: &Server) -> usize {
    server.log().len()
}

fn municipalities_in(out: &std::path::Path) -> usize {
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    store.municipality_states(run.id).unwrap().len()
}

#[test]
fn widening_a_finished_only_run_is_refused_without_a_request() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let registry = registry.to_str().unwrap().to_owned();
    let proxy = server.proxy();
    let out = tmp.path().join("run");
    let out_s = out.to_str().unwrap().to_owned();
    let mut args = audit_args(&out_s, &registry, &proxy);
    args.extend(["--only", "9001"]);
    let first = infokoll(&args);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(municipalities_in(&out), 1);
    server.clear_log();

    // Wider selection, then another registry: refused, nothing fetched.
    let last = args.len() - 1;
    args[last] = "9001,9002";
    let wider = infokoll(&args);
    assert_eq!(wider.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wider.stderr);
    assert!(
        stderr.contains("--only: 9001 i körningen, 9001,9002 nu"),
        "{stderr}"
    );
    assert!(stderr.contains("infokoll audit --resume"), "{stderr}");
    let other_registry = tmp.path().join("annat.csv");
    std::fs::copy(&registry, &other_registry).unwrap();
    let mut args2 = audit_args(&out_s, other_registry.to_str().unwrap(), &proxy);
    args2.extend(["--only", "9001"]);
    let other = infokoll(&args2);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("--registry"));
    // A registry file whose content changed under the same name.
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(&registry, text.replace("Testlän", "Provlän")).unwrap();
    args[last] = "9001";
    let changed = infokoll(&args);
    assert_eq!(changed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&changed.stderr).contains("registrets innehåll"));
    std::fs::write(&registry, text).unwrap();
    assert_eq!(page_requests(&server), 0, "no request was sent");
    assert_eq!(municipalities_in(&out), 1, "the run was not widened");

    // Selection options and --resume do not mix.
    let mixed = infokoll(&["audit", "--resume", &out_s, "--only", "9002"]);
    assert_eq!(mixed.status.code(), Some(2));
    // Resuming the finished run does nothing and sends nothing.
    let again = infokoll(&["audit", "--resume", &out_s, "--quiet"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(page_requests(&server), 0);
}

#[test]
fn resume_continues_an_interrupted_run_with_its_parameters() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let registry = registry.to_str().unwrap().to_owned();
    let proxy = server.proxy();
    let only = ["--only", "9001,9002,9003"];
    let whole = tmp.path().join("whole");
    let mut args = audit_args(whole.to_str().unwrap(), &registry, &proxy);
    args.extend(only);
    assert_eq!(infokoll(&args).status.code(), Some(0));

    let parts = tmp.path().join("parts");
    let parts_s = parts.to_str().unwrap().to_owned();
    let mut args = audit_args(&parts_s, &registry, &proxy);
    args.extend(only);
    // Slow enough to be killed in the middle.
    let rate = args.iter().position(|a| *a == "--rate").unwrap();
    args[rate + 1] = "4";
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let log = parts.join("infokoll.log");
    crate::util::wait_for_audit_start(&log);
    std::thread::sleep(Duration::from_millis(400));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        still_running,
        "the audit finished before it could be killed"
    );
    // Resume from another directory, with no options but the directory.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(["audit", "--resume", &parts_s, "--quiet"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(municipalities_in(&parts), 3, "only the --only selection");
    assert_eq!(results(&parts), results(&whole));
}

fn site_status(out: &std::path::Path, code: &str) -> String {
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    store
        .municipality_state(run.id, code)
        .unwrap()
        .unwrap()
        .site_status
        .unwrap_or_default()
}

#[test]
fn retry_failed_tries_a_site_that_was_down_and_is_now_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let registry = registry.to_str().unwrap().to_owned();
    // A free port: nothing answers there during the first run.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = format!("http://127.0.0.1:{port}/");
    let out = tmp.path().join("run");
    let out_s = out.to_str().unwrap().to_owned();
    let mut args = audit_args(&out_s, &registry, &proxy);
    args.extend(["--only", "9001"]);
    let first = infokoll(&args);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}");
    let down = site_status(&out, "9001");
    assert_ne!(down, "ok");
    assert_ne!(down, "");
    // A plain resume leaves it as it was.
    let again = infokoll(&["audit", "--resume", &out_s, "--quiet"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("--retry-failed"),
        "the summary says how to retry"
    );
    assert_eq!(site_status(&out, "9001"), down);

    // The site is up now (the same proxy address answers).
    let server = Server::start_on(
        infokoll::fixture_server::Sites::from_dir(&crate::util::sites_dir()).unwrap(),
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
    );
    let retry = infokoll(&["audit", "--resume", &out_s, "--retry-failed", "--quiet"]);
    assert_eq!(
        retry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&retry.stderr)
    );
    assert_eq!(site_status(&out, "9001"), "ok");
    assert!(!server.log().is_empty(), "it was fetched again");
    let store = Store::open_readonly(out.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    assert_eq!(
        store.attempts(run.id, "9001").unwrap(),
        1,
        "the earlier attempt is kept"
    );
    // robots.txt first, then pages, with the run's politeness.
    let log = server.log();
    assert_eq!(log[0].target, "/robots.txt");
    crate::util::assert_spacing(&log, Duration::from_millis(50));
}
