//! `infokoll rules` and broken rule files.

use crate::util::infokoll;

fn copy_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::create_dir(dir.path().join("items")).unwrap();
    std::fs::copy(src.join("common.toml"), dir.path().join("common.toml")).unwrap();
    for e in std::fs::read_dir(src.join("items")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join("items").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn builtin_rules_pass_their_own_examples() {
    let out = infokoll(&["rules", "test"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(", 0 fel"), "{stdout}");
    assert_eq!(infokoll(&["rules", "lint"]).status.code(), Some(0));
}

#[test]
fn a_broken_rule_file_names_file_line_and_field() {
    let dir = copy_rules();
    let path = dir.path().join("items/flex_policy.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("weight = 0.75", "wieght = 0.75", 1);
    let line = broken
        .lines()
        .position(|l| l.starts_with("wieght"))
        .unwrap()
        + 1;
    std::fs::write(&path, broken).unwrap();
    let bad_regex = dir.path().join("items/handlaggningstid.toml");
    let t = std::fs::read_to_string(&bad_regex).unwrap().replacen(
        "regex = ['{DURATION}']",
        "regex = ['(unclosed']",
        1,
    );
    std::fs::write(&bad_regex, t).unwrap();
    let rules = dir.path().to_str().unwrap();
    let out = infokoll(&["rules", "lint", "--rules", rules]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("flex_policy.toml:{line}:")),
        "{stderr}"
    );
    assert!(stderr.contains("wieght"), "{stderr}");
    // Every broken file is reported, not only the first.
    assert!(stderr.contains("handlaggningstid.toml:"), "{stderr}");
    assert!(stderr.contains("fält 'signal[0].regex[0]'"), "{stderr}");
    // The same errors stop `check` before any request is made.
    let out = infokoll(&["check", "http://127.0.0.1:9/", "--rules", rules]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rule_examples_that_fail_are_named_by_file_and_line() {
    let dir = copy_rules();
    let path = dir.path().join("items/rakna_avgift.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let flipped = text.replacen(
        "present = false\nnote = \"avgiftstabell utan räknare\"",
        "present = true\nnote = \"avgiftstabell utan räknare\"",
        1,
    );
    assert_ne!(text, flipped);
    std::fs::write(&path, flipped).unwrap();
    let out = infokoll(&["rules", "test", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rakna_avgift.toml:"), "{stdout}");
    assert!(stdout.contains("1 fel"), "{stdout}");
}

#[test]
fn kommuner_lists_290_with_size_groups() {
    let out = infokoll(&["kommuner", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 290);
    let norrtalje = list.iter().find(|m| m["code"] == "0188").unwrap();
    assert_eq!(norrtalje["name"], "Norrtälje");
    assert_eq!(norrtalje["size_group"], "medium");
    let stockholm = list.iter().find(|m| m["code"] == "0180").unwrap();
    assert_eq!(stockholm["size_group"], "large");
    assert!(list.iter().any(|m| m["size_group"] == "small"));
    assert!(list.iter().any(|m| m["size_group"] == "medium"));
}
