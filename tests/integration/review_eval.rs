//! Precision and recall from reviewer decisions (`eval --run`) and the
//! export of reviewed pages as a labelled set, round-tripped through
//! `eval --pages --labels`.

use std::collections::{BTreeMap, HashMap};

use infokoll::store::{Decision, DecisionRow, Store, VerdictRow};

use crate::audit::{audit_args, fixture_registry};
use crate::util::{infokoll, Server};

fn ok(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[derive(Debug, Default, PartialEq)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
    tn: u64,
}

#[test]
fn decisions_give_exact_counts_and_export_round_trips_through_eval() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let (registry, _) = fixture_registry(tmp.path());
    let run = tmp.path().join("run");
    ok(&infokoll(&audit_args(
        run.to_str().unwrap(),
        registry.to_str().unwrap(),
        &server.proxy(),
    )));

    // Known decisions: per item, the first found verdict confirmed, the
    // second rejected; the first missing verdict with evidence confirmed;
    // the next missing one called present on its start page.
    let store = Store::open(run.join(infokoll::store::FILE_NAME)).unwrap();
    let r = store.latest_run().unwrap().unwrap();
    let names: HashMap<String, String> = store
        .municipality_states(r.id)
        .unwrap()
        .into_iter()
        .map(|s| (s.municipality.code, s.municipality.name))
        .collect();
    let mut by_item: BTreeMap<String, Vec<(String, VerdictRow)>> = BTreeMap::new();
    for (code, v) in store.verdicts(r.id).unwrap() {
        by_item.entry(v.item.clone()).or_default().push((code, v));
    }
    let mut expected: BTreeMap<String, Counts> = BTreeMap::new();
    // (kommun name, item) → present, for the labels.
    let mut truth: BTreeMap<(String, String), u8> = BTreeMap::new();
    let mut at = 1_000;
    for (item, verdicts) in &by_item {
        let found: Vec<_> = verdicts.iter().filter(|(_, v)| v.found).collect();
        let missing: Vec<_> = verdicts.iter().filter(|(_, v)| !v.found).collect();
        let with_evidence = missing.iter().find(|(_, v)| !v.evidence.is_empty());
        let mut plan: Vec<(&(String, VerdictRow), Decision, Option<String>)> = Vec::new();
        if let Some(f) = found.first() {
            plan.push((f, Decision::Confirm, None));
        }
        if let Some(f) = found.get(1) {
            plan.push((f, Decision::Reject, None));
        }
        if let Some(m) = with_evidence {
            plan.push((m, Decision::Confirm, None));
        }
        if let Some(m) = missing
            .iter()
            .find(|(c, _)| with_evidence.is_none_or(|(w, _)| w != c))
        {
            let start = store.fetches(r.id, &m.0).unwrap()[0].final_url.clone();
            plan.push((m, Decision::Present, Some(start)));
        }
        let counts = expected.entry(item.clone()).or_default();
        for ((code, v), decision, url) in plan {
            at += 1;
            store
                .record_decision(
                    r.id,
                    &DecisionRow {
                        code: code.clone(),
                        item: item.clone(),
                        reviewer: "anna".into(),
                        decided_at: at,
                        decision,
                        url,
                        comment: Some("prov".into()),
                        machine_found: Some(v.found),
                        machine_confidence: Some(v.confidence),
                    },
                )
                .unwrap();
            let present = match (v.found, decision) {
                (true, Decision::Confirm) => {
                    counts.tp += 1;
                    1
                }
                (true, _) => {
                    counts.fp += 1;
                    0
                }
                (false, Decision::Confirm) => {
                    counts.tn += 1;
                    0
                }
                (false, _) => {
                    counts.fn_ += 1;
                    1
                }
            };
            truth.insert((names[code].clone(), item.clone()), present);
        }
    }
    drop(store);
    assert!(expected.values().any(|c| c.fp > 0) && expected.values().any(|c| c.fn_ > 0));

    // eval --run: with the whole run as the sample every decision counts.
    let est = ok(&infokoll(&[
        "eval",
        "--run",
        run.to_str().unwrap(),
        "--sample",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(est["decided"], truth.len());
    for e in est["items"].as_array().unwrap() {
        let item = e["item"].as_str().unwrap();
        let want = expected.remove(item).unwrap_or_default();
        let got = Counts {
            tp: e["tp"].as_u64().unwrap(),
            fp: e["fp"].as_u64().unwrap(),
            fn_: e["fn_"].as_u64().unwrap(),
            tn: e["tn"].as_u64().unwrap(),
        };
        assert_eq!(got, want, "{item}");
        assert_eq!(e["ignored"], 0, "{item}");
        assert_eq!(e["precision_decisions"], want.tp + want.fp, "{item}");
        assert_eq!(
            e["recall_decisions"],
            want.tp + want.fp + want.fn_ + want.tn,
            "{item}"
        );
        if want.tp + want.fp > 0 {
            let p = &e["precision"];
            let (lo, hi) = (p["low"].as_f64().unwrap(), p["high"].as_f64().unwrap());
            assert!(0.0 <= lo && lo <= hi && hi <= 1.0, "{item}: {p}");
        }
    }
    assert!(expected.is_empty(), "items not estimated: {expected:?}");
    // The text table names its basis.
    let text = infokoll(&["eval", "--run", run.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Wilson"));

    // Export, then eval on the exported set: the labels are the reviewers' verdicts.
    let set = tmp.path().join("set");
    let summary = ok(&infokoll(&[
        "review",
        "export",
        "--run",
        run.to_str().unwrap(),
        "--out",
        set.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let mut reader = csv::Reader::from_path(set.join("labels.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["file", "url", "kommun", "item", "present", "note"]
    );
    let mut labelled = 0;
    let mut present = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let key = (row[2].to_owned(), row[3].to_owned());
        assert_eq!(row[4].parse::<u8>().unwrap(), truth[&key], "{key:?}");
        let page = std::fs::read_to_string(set.join("pages").join(&row[0])).unwrap();
        assert!(
            !page.to_ascii_lowercase().contains("<script"),
            "{}",
            &row[0]
        );
        labelled += 1;
        present += usize::from(&row[4] == "1");
    }
    assert_eq!(summary["labels"], labelled);
    assert_eq!(
        summary["labels"].as_u64().unwrap() + summary["skipped"].as_u64().unwrap(),
        truth.len() as u64
    );
    assert!(labelled > 0 && present > 0 && present < labelled);
    let eval = ok(&infokoll(&[
        "eval",
        "--pages",
        set.join("pages").to_str().unwrap(),
        "--labels",
        set.join("labels.csv").to_str().unwrap(),
        "--format",
        "json",
    ]));
    let o = &eval["overall"];
    let n = |k: &str| o[k].as_u64().unwrap() as usize;
    assert_eq!(n("tp") + n("fn_"), present, "{o}");
    assert_eq!(n("fp") + n("tn"), labelled - present, "{o}");
    eprintln!("round trip: {o}");
}
