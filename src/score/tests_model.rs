//! Tests of the model file and of external indicators.

#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::path::Path;

use super::tests::{build, by_code, close, model, rules, sites, KONTAKT};
use super::*;

fn ids(p: &ModelPart) -> Vec<&str> {
    p.items.iter().map(|i| i.id.as_str()).collect()
}

#[test]
fn builtin_model_has_the_checklist() {
    let m = model();
    assert_eq!(m.parts.len(), 5);
    assert_eq!(ids(&m.parts[0]), KONTAKT);
    assert_eq!(m.parts[2].items.len(), 6);
    assert!(m
        .parts
        .iter()
        .all(|p| p.weight == 1.0 && p.items.iter().all(|i| i.weight == 1.0)));
    assert_eq!(m.other[0].part, crate::rules::Part::Delindex2);
    assert_eq!(ids(&m.other[0]), ["forenklad_bistand", "flex_policy"]);
    assert_eq!(ids(&m.other[1]), ["dagverksamhet", "korttid"]);
    assert_eq!(m.all_items().count(), rules().rules.len());
    assert!(m.note.contains("uppskattning"));
    let summary = m.summary();
    assert_eq!(summary.origin, BUILTIN_ORIGIN);
    assert_eq!(
        summary.parts[4].label,
        "Genomförandeplan, kontinuitet och kontaktperson"
    );
}

fn external_model() -> Model {
    let text = BUILTIN_MODEL.replace(
        "{ id = \"klagomal\", weight = 1 },",
        "{ id = \"klagomal\", weight = 1 },\n    { id = \"enkat_info\", source = \"external\", weight = 1, name = \"Andel nöjda med informationen\" },",
    );
    Model::parse(&text, Path::new("m.toml"), rules()).unwrap()
}

#[test]
fn external_indicators_join_the_model() {
    let model = external_model();
    assert_eq!(model.external_ids().collect::<Vec<_>>(), ["enkat_info"]);
    let csv =
        "kod,indicator_id,value\n0114,enkat_info,0.5\n0117,enkat_info,\"1,0\"\n1281,enkat_info,1\n";
    let ext = ExternalIndicators::parse(csv, Path::new("e.csv"), &model).unwrap();
    assert_eq!((ext.len(), ext.get("0117", "enkat_info")), (3, Some(1.0)));
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &sites());
    let s = score_run(dir.path(), &model, rules(), Some(&ext)).unwrap();
    // Kontakt: (3 + 0.5) / 4 → 100 × 0.875 / 5.
    assert!(close(by_code(&s, "0114").score, 17.5));
    // No value: the indicator is left out of the part → 3/3.
    assert!(close(by_code(&s, "0115").score, 20.0));
    let item = by_code(&s, "0115")
        .items
        .iter()
        .find(|i| i.id == "enkat_info")
        .unwrap();
    assert_eq!((item.value, item.source), (None, Source::External));
    // (1 + 1) / 4 and 1/6 → 100 × (0.5 + 1/6) / 5
    assert!(close(
        by_code(&s, "0117").score,
        100.0 * (0.5 + 1.0 / 6.0) / 5.0
    ));
    assert_eq!(
        by_code(&s, "1281").score,
        None,
        "a survey value does not make data"
    );
    let count = s.item_counts.iter().find(|c| c.id == "enkat_info").unwrap();
    assert_eq!((count.count, count.of), (2, 2));

    for (bad, needle) in [
        (
            "kod,indicator_id,value\n0114,okand,1\n",
            "e.csv:2: indikatorn \"okand\" är inte deklarerad",
        ),
        (
            "kod,indicator_id,value\n0114,enkat_info,1.5\n",
            "e.csv:2: värdet 1.5 ligger utanför 0–1",
        ),
        (
            "kod,indicator_id,value\n0114,enkat_info,x\n",
            "e.csv:2: värdet \"x\" är inte ett tal",
        ),
        (
            "kod,indicator_id,value\n\n114,enkat_info,1\n",
            "e.csv:3: kod \"114\"",
        ),
        (
            "kod,indicator,value\n",
            "e.csv:1: kolumnen \"indicator_id\" saknas",
        ),
        (
            "kod;indicator_id;value\n0114;enkat_info;1\n0114;enkat_info;0\n",
            "e.csv:3: kommun 0114 har redan",
        ),
    ] {
        let err = ExternalIndicators::parse(bad, Path::new("e.csv"), &model).unwrap_err();
        assert!(err.to_string().starts_with(needle), "{err}");
    }
}

fn model_error(text: &str) -> String {
    match Model::parse(text, Path::new("rules/model.toml"), rules()) {
        Err(ScoreError::Model(e)) => e.to_string(),
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn broken_model_files_name_file_line_column_and_field() {
    let typo = BUILTIN_MODEL.replace(
        "id = \"kontakt\"\nweight = 1",
        "id = \"kontakt\"\nwieght = 1",
    );
    let err = model_error(&typo);
    let line = typo.lines().position(|l| l.starts_with("wieght")).unwrap() + 1;
    assert!(
        err.contains(&format!("rules/model.toml:{line}:1: fält 'wieght'")),
        "{err}"
    );

    let negative = BUILTIN_MODEL.replace(
        "{ id = \"trygghetslarm\", weight = 1 }",
        "{ id = \"trygghetslarm\", weight = -2 }",
    );
    let err = model_error(&negative);
    let line = negative
        .lines()
        .position(|l| l.contains("weight = -2"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(":{line}:")) && err.contains("fält 'part[2].items[1].weight'"),
        "{err}"
    );
    assert!(err.contains("≥ 0"), "{err}");

    let wrong_type = BUILTIN_MODEL.replace(
        "id = \"utforare\"\nweight = 1",
        "id = \"utforare\"\nweight = \"tung\"",
    );
    let err = model_error(&wrong_type);
    let line = wrong_type
        .lines()
        .position(|l| l.contains("\"tung\""))
        .unwrap()
        + 1;
    assert!(
        err.starts_with(&format!("rules/model.toml:{line}:10: fält 'weight'")),
        "{err}"
    );

    let inline = BUILTIN_MODEL.replace(
        "{ id = \"avgift_info\", weight = 1 }",
        "{ id = \"avgift_info\", weight = true }",
    );
    let err = model_error(&inline);
    assert!(err.contains("fält 'weight'"), "{err}");

    let err = model_error("name = \"x\"\n[[part]\n");
    assert!(err.starts_with("rules/model.toml:2:"), "{err}");
}

#[test]
fn model_validation_rejects_unknown_duplicate_missing_and_zero() {
    let unknown = BUILTIN_MODEL.replace("\"ansoka_bistand\"", "\"ansoka_bistand_x\"");
    let err = model_error(&unknown);
    let line = unknown
        .lines()
        .position(|l| l.contains("ansoka_bistand_x"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!(":{line}:")), "{err}");
    assert!(
        err.contains("fält 'part[1].items[0].id': okänd punkt \"ansoka_bistand_x\""),
        "{err}"
    );
    assert!(
        err.contains(": fält 'part': ansoka_bistand finns i reglerna men inte i modellen"),
        "{err}"
    );

    let twice = BUILTIN_MODEL.replace(
        "items = [\"dagverksamhet\", \"korttid\"]",
        "items = [\"dagverksamhet\", \"korttid\", \"klagomal\"]",
    );
    let err = model_error(&twice);
    assert!(
        err.contains(
            "fält 'other[1].items[2].id': punkten \"klagomal\" finns redan i part[0].items[2]"
        ),
        "{err}"
    );

    let zero = BUILTIN_MODEL.replace("weight = 1\nitems", "weight = 0\nitems");
    assert!(model_error(&zero).contains("alla delar har vikt 0"));
    let empty_part = BUILTIN_MODEL
        .replace(
            "{ id = \"kontakt_telefon\", weight = 1 }",
            "{ id = \"kontakt_telefon\", weight = 0 }",
        )
        .replace(
            "{ id = \"kontakt_epost_formular\", weight = 1 }",
            "{ id = \"kontakt_epost_formular\", weight = 0 }",
        )
        .replace(
            "{ id = \"klagomal\", weight = 1 }",
            "{ id = \"klagomal\", weight = 0 }",
        );
    assert!(
        model_error(&empty_part).contains("fält 'part[0].items': delen har vikt men inga punkter")
    );

    let bad_part = BUILTIN_MODEL.replace("id = \"utforare\"", "id = \"delindex2\"");
    assert!(model_error(&bad_part).contains("okänd del \"delindex2\""));
    let nameless = BUILTIN_MODEL.replace(
        "{ id = \"klagomal\", weight = 1 },",
        "{ id = \"klagomal\", weight = 1 },\n    { id = \"enkat\", source = \"external\" },",
    );
    assert!(model_error(&nameless).contains("fält 'part[0].items[3].name'"));
    let web_as_external = BUILTIN_MODEL.replace(
        "{ id = \"klagomal\", weight = 1 }",
        "{ id = \"klagomal\", source = \"external\", name = \"x\" }",
    );
    assert!(model_error(&web_as_external).contains("är en webbpunkt"));
}

#[test]
fn weights_change_the_score_without_recompiling() {
    let text = BUILTIN_MODEL
        .replace(
            "{ id = \"rakna_avgift\", weight = 1 }",
            "{ id = \"rakna_avgift\", weight = 4.0 }",
        )
        .replace(
            "id = \"tjanster_kostnader\"\nweight = 1",
            "id = \"tjanster_kostnader\"\nweight = 3",
        );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), &text).unwrap();
    let model = Model::load(Some(&dir.path().join("model.toml")), rules()).unwrap();
    let audit = tempfile::tempdir().unwrap();
    build(audit.path(), &sites());
    let s = score_run(audit.path(), &model, rules(), None).unwrap();
    // Österåker: kontakt 1/3 (weight 1), part 3: 4/9 (weight 3); total weight 7.
    let expected = 100.0 * (1.0 / 3.0 + 3.0 * 4.0 / 9.0) / 7.0;
    assert!(
        close(by_code(&s, "0117").score, expected),
        "{:?}",
        by_code(&s, "0117").score
    );
    assert_eq!(s.model.parts[2].weight, 3.0);
}
