//! `infokoll eval` on the shared development set: the accuracy gate.
//!
//! Fails when an item with at least [`MIN_POSITIVES`] positives in the dev
//! set falls below the precision or recall bar, or overall F1 below its bar.

use std::path::PathBuf;

use crate::util::infokoll;

/// Items with fewer positives than this are reported but not gated.
const MIN_POSITIVES: u64 = 2;
const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.9;
const MIN_OVERALL_F1: f64 = 0.95;

fn dev_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev")
}

#[test]
fn dev_set_accuracy_meets_the_bar() {
    let dev = dev_dir();
    assert!(
        dev.join("labels.csv").exists(),
        "../shared/eval/dev is needed (CI has it beside the repo)"
    );
    let pages = dev.join("pages");
    let labels = dev.join("labels.csv");
    let out = infokoll(&[
        "eval",
        "--pages",
        pages.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = infokoll(&["rules", "lint"]);
    assert_eq!(rules.status.code(), Some(0));
    let mut failures = Vec::new();
    for (id, s) in report["items"].as_object().unwrap() {
        // Only items that have a rule file are gated; an item without one is reported by its absence.
        let has_rule = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("rules/items/{id}.toml"))
            .exists();
        let positives = s["tp"].as_u64().unwrap() + s["fn_"].as_u64().unwrap();
        if !has_rule || positives < MIN_POSITIVES {
            continue;
        }
        let p = s["precision"].as_f64().unwrap_or(0.0);
        let r = s["recall"].as_f64().unwrap_or(0.0);
        if p < MIN_PRECISION || r < MIN_RECALL {
            failures.push(format!(
                "{id}: precision {p:.2}, recall {r:.2} ({positives} positives)"
            ));
        }
    }
    let f1 = report["overall"]["f1"].as_f64().unwrap_or(0.0);
    if f1 < MIN_OVERALL_F1 {
        failures.push(format!("overall F1 {f1:.3}"));
    }
    assert!(
        failures.is_empty(),
        "below the bar:\n{}",
        failures.join("\n")
    );
}
