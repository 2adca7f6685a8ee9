//! `infokoll redetect` over an audit of the fixture sites: the same
//! verdicts with the same rules, only one item's verdicts with one rule
//! changed, and no request to any server.

use std::collections::BTreeMap;
use std::path::Path;

use infokoll::store::{MunicipalityState, Store, VerdictRow};

use crate::audit::{audit_args, fixture_registry};
use crate::util::{infokoll, Server};

/// The threshold the changed rule gets.
const RAISED: f64 = 0.995;

/// The latest run of a directory: its municipalities and (code, item) → verdict.
fn run_of(
    dir: &Path,
) -> (
    Vec<MunicipalityState>,
    BTreeMap<(String, String), VerdictRow>,
) {
    let store = Store::open_readonly(dir.join(infokoll::store::FILE_NAME)).unwrap();
    let run = store.latest_run().unwrap().unwrap();
    let states = store.municipality_states(run.id).unwrap();
    let verdicts = store
        .verdicts(run.id)
        .unwrap()
        .into_iter()
        .map(|(code, v)| ((code, v.item.clone()), v))
        .collect();
    (states, verdicts)
}

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the built-in rules with `threshold` set on `item`.
fn rules_with_threshold(dir: &Path, item: &str, threshold: f64) -> std::path::PathBuf {
    let rules = dir.join("rules");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::create_dir_all(rules.join("items")).unwrap();
    for name in ["common.toml", "model.toml"] {
        std::fs::copy(src.join(name), rules.join(name)).unwrap();
    }
    for entry in std::fs::read_dir(src.join("items")).unwrap() {
        let entry = entry.unwrap();
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if entry.file_name().to_string_lossy() == format!("{item}.toml") {
            let at = text.find("\npart = ").unwrap() + 1;
            text.insert_str(at, &format!("threshold = {threshold}\n"));
        }
        std::fs::write(rules.join("items").join(entry.file_name()), text).unwrap();
    }
    rules
}

#[test]
fn redetect_reproduces_the_run_and_one_rule_change_flips_only_its_item() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let run = tmp.path().join("run");
    let proxy = server.proxy();
    ok(&infokoll(&audit_args(
        run.to_str().unwrap(),
        registry.to_str().unwrap(),
        &proxy,
    )));
    let (states, before) = run_of(&run);
    server.clear_log();

    // Same rules: every municipality, status and verdict exactly as before,
    // evidence included (pointing at the same archived records).
    let same = tmp.path().join("same");
    let out = infokoll(&[
        "redetect",
        "--from",
        run.to_str().unwrap(),
        "--out",
        same.to_str().unwrap(),
        "--format",
        "json",
    ]);
    ok(&out);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["done"], summary["total"]);
    assert_eq!(summary["not_in_archive"], 0, "{summary}");
    assert_eq!(summary["not_revisited"], 0, "{summary}");
    assert_eq!(
        summary["status_differs"],
        serde_json::json!([]),
        "{summary}"
    );
    let (states_same, after) = run_of(&same);
    let strip = |s: &[MunicipalityState]| {
        s.iter()
            .map(|s| {
                (
                    s.municipality.clone(),
                    s.status,
                    s.site_status.clone(),
                    s.site_reason.clone(),
                    s.pages_fetched,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&states_same), strip(&states));
    assert!(!before.is_empty());
    assert_eq!(after, before);
    assert!(after
        .values()
        .flat_map(|v| &v.evidence)
        .all(|e| e.warc.is_some()));

    // One rule changed: the item with the most found verdicts below 0.995
    // gets threshold 0.995, so exactly those verdicts must flip.
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for ((_, item), v) in &before {
        *found.entry(item).or_default() += usize::from(v.found && v.confidence < RAISED);
    }
    let (item, n) = found.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(*n > 0);
    let rules = rules_with_threshold(tmp.path(), item, RAISED);
    let changed = tmp.path().join("changed");
    ok(&infokoll(&[
        "redetect",
        "--from",
        run.to_str().unwrap(),
        "--out",
        changed.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]));
    let (_, flipped) = run_of(&changed);
    assert_eq!(flipped.len(), before.len());
    let mut flips = 0;
    for (key, v) in &before {
        let w = &flipped[key];
        if key.1 == *item {
            flips += usize::from(v.found != w.found);
            if v.confidence < RAISED {
                assert!(!w.found, "{key:?} still found at threshold {RAISED}");
            }
        } else {
            assert_eq!(w, v, "{key:?} changed although its rule did not");
        }
    }
    assert_eq!(flips, *n);

    // Nothing reached the fixture server (robots.txt included).
    assert!(server.log().is_empty(), "{:?}", server.log());

    // score --compare and report work on the new run and show the change.
    let score = infokoll(&[
        "score",
        "--run",
        changed.to_str().unwrap(),
        "--compare",
        run.to_str().unwrap(),
        "--format",
        "json",
    ]);
    ok(&score);
    let text = String::from_utf8_lossy(&score.stdout);
    assert!(text.contains(*item), "{text}");
    let report = tmp.path().join("report");
    ok(&infokoll(&[
        "report",
        "--run",
        changed.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]));
    assert!(report.join("index.html").exists());

    // A directory with a run is never overwritten.
    let again = infokoll(&[
        "redetect",
        "--from",
        run.to_str().unwrap(),
        "--out",
        same.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
}
