//! The command line's edges (issue 15): closed pipes, codes that are not
//! codes, unknown names, and `rules lint` against the scoring model.

use std::process::{Command, Stdio};

use crate::util::infokoll;

/// Runs `args` with stdout a pipe whose reading end is closed at once.
fn with_closed_pipe(args: &[&str]) -> (Option<i32>, Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_infokoll"))
        .args(args)
        .env("NO_PROXY", "*")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&out.status);
    #[cfg(not(unix))]
    let signal = None;
    (
        out.status.code(),
        signal,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["kommuner"][..],
        &["kommuner", "--format", "json"],
        &["rules", "lint"],
    ] {
        let (code, signal, stderr) = with_closed_pipe(args);
        assert!(
            code == Some(0) || signal == Some(13),
            "{args:?}: code {code:?}, signal {signal:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn numbers_that_are_not_codes_are_refused_and_short_codes_accepted() {
    for bad in ["9999", "1", "0000"] {
        let out = infokoll(&["check", bad, "--proxy", "http://127.0.0.1:9"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("ingen kommunkod"), "{bad}: {stderr}");
    }
    // 188 is 0188: it is accepted as a selection (and refused only because
    // the output directory is a file, before anything is fetched).
    let tmp = tempfile::tempdir().unwrap();
    let out = infokoll(&[
        "audit",
        "--out",
        tmp.path().join("x").to_str().unwrap(),
        "--only",
        "188,9999",
        "--proxy",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("9999") && !stderr.contains("'188'"),
        "{stderr}"
    );
    assert!(!tmp.path().join("x").exists(), "nothing created");
}

#[test]
fn unknown_names_get_the_closest_names() {
    let out = infokoll(&["check", "Malung", "--proxy", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Menade du Malung-Sälen?"), "{stderr}");
}

fn copy_rules_with_model() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::create_dir(dir.path().join("items")).unwrap();
    for f in ["common.toml", "model.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    for e in std::fs::read_dir(src.join("items")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join("items").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn rules_lint_checks_the_rules_against_the_model_both_ways() {
    let dir = copy_rules_with_model();
    let rules = dir.path().to_str().unwrap();
    let out = infokoll(&["rules", "lint", "--rules", rules]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("model.toml"));

    // The directory's model lacks an item the rules have.
    let model = dir.path().join("model.toml");
    let text = std::fs::read_to_string(&model).unwrap();
    let without = text.replace("    { id = \"trygghetslarm\", weight = 1 },\n", "");
    assert_ne!(without, text);
    std::fs::write(&model, &without).unwrap();
    let out = infokoll(&["rules", "lint", "--rules", rules]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("trygghetslarm"), "{stderr}");

    // The model needs an item the rules lack.
    std::fs::write(&model, &text).unwrap();
    std::fs::remove_file(dir.path().join("items/trygghetslarm.toml")).unwrap();
    let out = infokoll(&["rules", "lint", "--rules", rules]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("trygghetslarm"), "{stderr}");
}
