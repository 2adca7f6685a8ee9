//! A full disk fails the run loudly: `audit` into a small tmpfs (mounted
//! in a private mount namespace, so nothing outside the test sees it).

use std::fmt::Write as _;
use std::process::Command;

use crate::util::{sites_dir, Server};

/// True when this machine lets us mount a tmpfs in a new mount namespace
/// (root, or a kernel that allows it); CI runs as root.
fn can_mount_tmpfs() -> bool {
    let probe = tempfile::tempdir().unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64k tmpfs {} && echo mounted",
        probe.path().display()
    );
    Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("mounted"))
}

#[test]
fn a_full_disk_stops_the_audit_with_path_and_cause() {
    if !can_mount_tmpfs() {
        eprintln!("SKIPPED: no tmpfs in a mount namespace on this machine");
        return;
    }
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n");
    for (i, host) in ["www.bjorkfors.se", "www.solvik.se", "www.granby.se"]
        .iter()
        .enumerate()
    {
        assert!(sites_dir().join(host).is_dir());
        let _ = writeln!(
            csv,
            "{},{host},90,Testlän,http://{host}/,10000,2024",
            9201 + i
        );
    }
    let registry = tmp.path().join("registry.csv");
    std::fs::write(&registry, csv).unwrap();
    let out = tmp.path().join("run");
    std::fs::create_dir_all(&out).unwrap();
    // Room for the database and a few pages, not for the whole run.
    let script = r#"mount -t tmpfs -o size=320k tmpfs "$OUT" || exit 99
"$BIN" audit --out "$OUT" --registry "$REG" --proxy "$PROXY" --rate 50 --timeout 5 --quiet --year 2026 --concurrency 3
rc=$?
echo "RC=$rc"
echo "EMPTY-WARC:"
find "$OUT" -name '*.warc.gz' -size 0
echo "END"
"#;
    let res = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .env("OUT", &out)
        .env("BIN", env!("CARGO_BIN_EXE_infokoll"))
        .env("REG", &registry)
        .env("PROXY", server.proxy())
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stderr = String::from_utf8_lossy(&res.stderr);
    let rc: i32 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RC="))
        .unwrap_or_else(|| panic!("{stdout}\n{stderr}"))
        .parse()
        .unwrap();
    assert_ne!(
        rc, 0,
        "a full disk must not be a success: {stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(out.to_str().unwrap()) || stderr.contains("infokoll.sqlite"),
        "the message names the path: {stderr}"
    );
    assert!(
        stderr.contains("No space left on device")
            || stderr.contains("disk is full")
            || stderr.contains("database or disk is full"),
        "the message names the cause: {stderr}"
    );
    let empty: Vec<&str> = stdout
        .split("EMPTY-WARC:")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && *l != "END")
        .collect();
    assert!(empty.is_empty(), "empty WARC files left: {empty:?}");
}
