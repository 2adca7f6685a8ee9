//! Scoring on small hand-made stores with known verdicts.

#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::path::Path;
use std::sync::OnceLock;

use super::*;
use crate::rules::RuleSet;
use crate::store::{Decision, DecisionRow, MunicipalityRow, Store, VerdictRow};

pub(super) fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap())
}

pub(super) fn model() -> Model {
    Model::builtin(rules()).unwrap()
}

/// One municipality of a hand-made run.
pub(super) struct Site {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) county: &'static str,
    pub(super) population: Option<u32>,
    /// `None`: never finished (pending).
    pub(super) status: Option<&'static str>,
    pub(super) found: &'static [&'static str],
}

pub(super) const KONTAKT: &[&str] = &["kontakt_telefon", "kontakt_epost_formular", "klagomal"];

pub(super) fn sites() -> Vec<Site> {
    let all: &'static [&'static str] = Box::leak(
        rules()
            .rules
            .iter()
            .map(|r| &*Box::leak(r.id.clone().into_boxed_str()))
            .collect::<Vec<&str>>()
            .into_boxed_slice(),
    );
    vec![
        Site {
            code: "0114",
            name: "Upplands Väsby",
            county: "Stockholms län",
            population: Some(45_000),
            status: Some("ok"),
            found: KONTAKT,
        },
        Site {
            code: "0115",
            name: "Vallentuna",
            county: "Stockholms län",
            population: Some(12_000),
            status: Some("partial"),
            found: KONTAKT,
        },
        Site {
            code: "0117",
            name: "Österåker",
            county: "Stockholms län",
            population: Some(120_000),
            status: Some("ok"),
            found: &["kontakt_telefon", "rakna_avgift"],
        },
        Site {
            code: "1280",
            name: "Malmö",
            county: "Skåne län",
            population: None,
            status: Some("ok"),
            found: all,
        },
        Site {
            code: "1281",
            name: "Lund",
            county: "Skåne län",
            population: Some(12_000),
            status: Some("unreachable"),
            found: KONTAKT,
        },
        Site {
            code: "1282",
            name: "Landskrona",
            county: "Skåne län",
            population: Some(47_000),
            status: None,
            found: &[],
        },
    ]
}

/// Writes a run of `sites` into `dir/infokoll.sqlite`.
pub(super) fn build(dir: &Path, sites: &[Site]) -> (Store, crate::store::RunId) {
    let mut store = Store::open_in_dir(dir).unwrap();
    let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
    let rows: Vec<MunicipalityRow> = sites
        .iter()
        .map(|s| MunicipalityRow {
            code: s.code.into(),
            name: s.name.into(),
            county: s.county.into(),
            homepage: format!("https://{}.example/", s.code),
            population: s.population,
        })
        .collect();
    store.add_municipalities(run, &rows).unwrap();
    for s in sites {
        let Some(status) = s.status else { continue };
        let verdicts: Vec<VerdictRow> = rules()
            .rules
            .iter()
            .map(|r| {
                let found = s.found.contains(&r.id.as_str());
                VerdictRow {
                    item: r.id.clone(),
                    found,
                    confidence: if found { 0.9 } else { 0.1 },
                    flagged: r.id == "handlaggningstid",
                    uncertain: None,
                    evidence: found
                        .then(|| crate::store::EvidenceRow {
                            url: format!("https://{}.example/hemtjanst", s.code),
                            snippet: "Ring oss".into(),
                            highlights: vec![(0, 4)],
                            signal: "s".into(),
                            kind: "text".into(),
                            weight: 1.0,
                            context: "Hemtjänst".into(),
                            target: None,
                            depth: 1,
                            off_site: false,
                            warc: None,
                        })
                        .into_iter()
                        .collect(),
                }
            })
            .collect();
        store
            .finish_municipality(run, s.code, status, None, 12, &verdicts)
            .unwrap();
    }
    (store, run)
}

fn decide(
    store: &Store,
    run: crate::store::RunId,
    code: &str,
    item: &str,
    decision: Decision,
    at: i64,
) {
    store
        .record_decision(
            run,
            &DecisionRow {
                code: code.into(),
                item: item.into(),
                reviewer: "anna".into(),
                decided_at: at,
                decision,
                url: Some("https://k.example/sida".into()),
                comment: Some("granskat".into()),
                machine_found: None,
                machine_confidence: None,
            },
        )
        .unwrap();
}

pub(super) fn by_code<'a>(s: &'a RunScores, code: &str) -> &'a MunicipalityScore {
    s.municipalities.iter().find(|m| m.code == code).unwrap()
}

pub(super) fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn exact_scores_ties_ranks_groups_and_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &sites());
    let s = score_run(dir.path(), &model(), rules(), None).unwrap();
    assert_eq!(s.run.year, 2026);
    let order: Vec<_> = s.municipalities.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(order, ["1280", "0114", "0115", "0117", "1282", "1281"]);

    let malmo = by_code(&s, "1280");
    assert!(close(malmo.score, 100.0));
    assert_eq!(
        (malmo.rank, malmo.county_rank, malmo.county_size),
        (Some(1), Some(1), 1)
    );
    assert_eq!(malmo.population, Some(365_644), "from the registry");
    assert_eq!(malmo.size_group, crate::registry::SizeGroup::Large);
    assert!(malmo.other_subindex_items.iter().all(|i| i.found));

    let (vasby, vallentuna) = (by_code(&s, "0114"), by_code(&s, "0115"));
    assert!(close(vasby.score, 20.0) && close(vallentuna.score, 20.0));
    assert_eq!(
        (vasby.rank, vallentuna.rank),
        (Some(2), Some(2)),
        "a tie shares the place"
    );
    assert_eq!(
        (vasby.county_rank, vallentuna.county_rank),
        (Some(1), Some(1))
    );
    assert_eq!(vasby.county_code, "01");
    assert_eq!(vasby.county_size, 3);
    assert!(close(vasby.parts[0].score, 100.0) && close(vasby.parts[1].score, 0.0));
    assert_eq!(vasby.size_group, crate::registry::SizeGroup::Medium);
    assert_eq!(vallentuna.size_group, crate::registry::SizeGroup::Small);
    assert_eq!(
        (vallentuna.size_group_rank, vallentuna.size_group_size),
        (Some(1), 1)
    );

    let osteraker = by_code(&s, "0117");
    // 100 × (1/3 + 1/6) / 5
    assert!(close(osteraker.score, 10.0), "{:?}", osteraker.score);
    assert_eq!((osteraker.rank, osteraker.county_rank), (Some(4), Some(3)));
    assert_eq!(
        (osteraker.size_group_rank, osteraker.size_group_size),
        (Some(2), 2)
    );
    let rakna = osteraker
        .items
        .iter()
        .find(|i| i.id == "rakna_avgift")
        .unwrap();
    assert!(rakna.found && rakna.value == Some(1.0) && rakna.source == Source::Machine);
    assert_eq!(rakna.evidence.len(), 1);
    assert!(!rakna.tip.is_empty());
    let hlt = osteraker
        .items
        .iter()
        .find(|i| i.id == "handlaggningstid")
        .unwrap();
    assert!(hlt.flagged && !hlt.found);

    // Data saknas: never a zero, never a rank, even with found verdicts.
    for code in ["1281", "1282"] {
        let m = by_code(&s, code);
        assert_eq!(
            (m.score, m.rank, m.county_rank),
            (None, None, None),
            "{code}"
        );
        assert!(m.parts.iter().all(|p| p.score.is_none()));
        assert!(m.items.iter().all(|i| i.value.is_none()));
        assert_eq!(m.ranked_total, 4);
    }
    assert_eq!(by_code(&s, "1281").status, "unreachable");
    assert_eq!(by_code(&s, "1282").status, "pending");
    assert_eq!(by_code(&s, "1282").county_size, 1);

    let count = |id: &str| s.item_counts.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        (count("kontakt_telefon").count, count("kontakt_telefon").of),
        (4, 4)
    );
    assert_eq!(
        (count("rakna_avgift").count, count("rakna_avgift").of),
        (2, 4)
    );
    assert_eq!(count("korttid").count, 1);
    assert_eq!(count("korttid").part, crate::rules::Part::Delindex4);
    assert_eq!(s.item_counts.len(), rules().rules.len());

    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["municipalities"][5]["score"], serde_json::Value::Null);
    assert_eq!(json["municipalities"][0]["items"][0]["source"], "machine");
}

#[test]
fn reviewer_decisions_override_and_the_latest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (store, run) = build(dir.path(), &sites());
    // Österåker: the phone number was wrong → 100 × (1/6) / 5.
    decide(
        &store,
        run,
        "0117",
        "kontakt_telefon",
        Decision::Reject,
        1_000,
    );
    // Upplands Väsby: the calculator exists after all → 20 + 100 × (1/6) / 5.
    decide(
        &store,
        run,
        "0114",
        "rakna_avgift",
        Decision::Present,
        1_000,
    );
    // Vallentuna: present, then confirmed (not found) later → not found.
    decide(
        &store,
        run,
        "0115",
        "digitala_las",
        Decision::Present,
        1_000,
    );
    decide(
        &store,
        run,
        "0115",
        "digitala_las",
        Decision::Confirm,
        2_000,
    );
    // … and a later log entry with an earlier decision time loses.
    decide(
        &store,
        run,
        "0115",
        "trygghetslarm",
        Decision::Present,
        3_000,
    );
    decide(
        &store,
        run,
        "0115",
        "trygghetslarm",
        Decision::Confirm,
        2_500,
    );
    let s = score_run(dir.path(), &model(), rules(), None).unwrap();

    let osteraker = by_code(&s, "0117");
    assert!(
        close(osteraker.score, 100.0 / 30.0),
        "{:?}",
        osteraker.score
    );
    let phone = &osteraker.items[0];
    assert_eq!((phone.found, phone.source), (false, Source::Review));
    assert_eq!(phone.review_comment.as_deref(), Some("granskat"));

    let vasby = by_code(&s, "0114");
    assert!(close(vasby.score, 20.0 + 100.0 / 30.0));
    assert_eq!(vasby.rank, Some(2));
    let vallentuna = by_code(&s, "0115");
    // 20 + trygghetslarm (1/6 of part 3) / 5
    assert!(
        close(vallentuna.score, 20.0 + 100.0 / 30.0),
        "{:?}",
        vallentuna.score
    );
    assert_eq!(vallentuna.rank, Some(2), "tie again with Upplands Väsby");
    let item = |id: &str| vallentuna.items.iter().find(|i| i.id == id).unwrap();
    assert!(!item("digitala_las").found && item("trygghetslarm").found);
    assert_eq!(item("trygghetslarm").source, Source::Review);
    assert!(
        !item("handlaggningstid").flagged || item("handlaggningstid").source == Source::Machine
    );
    assert_eq!(by_code(&s, "0117").rank, Some(4));
}

#[test]
fn compare_gives_deltas_and_item_changes() {
    let (old_dir, new_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut old = sites();
    old[0].found = &["kontakt_telefon"]; // Upplands Väsby: 6.67 → 20
    old[2].status = Some("unreachable"); // Österåker: data saknas → 10
    old.retain(|s| s.code != "0115"); // Vallentuna: new
    build(old_dir.path(), &old);
    build(new_dir.path(), &sites());
    let before = score_run(old_dir.path(), &model(), rules(), None).unwrap();
    let mut now = score_run(new_dir.path(), &model(), rules(), None).unwrap();
    compare(&mut now, &before);
    assert_eq!(now.compared_with.as_ref().unwrap().dir, old_dir.path());

    let c = by_code(&now, "0114").change.clone().unwrap();
    assert!(close(c.score_delta, 20.0 - 100.0 / 15.0), "{c:?}");
    assert_eq!((c.previous_rank, c.rank_delta), (Some(2), Some(0)));
    let changed: Vec<_> = c
        .items_changed
        .iter()
        .map(|i| (i.item.as_str(), i.was, i.now))
        .collect();
    assert_eq!(
        changed,
        [
            ("kontakt_epost_formular", Some(false), Some(true)),
            ("klagomal", Some(false), Some(true))
        ]
    );
    let c = by_code(&now, "0117").change.clone().unwrap();
    assert_eq!(
        (c.previous_score, c.score_delta, c.rank_delta),
        (None, None, None)
    );
    assert!(c
        .items_changed
        .iter()
        .all(|i| i.was.is_none() && i.now.is_some()));
    assert_eq!(c.items_changed.len(), rules().rules.len());
    assert!(by_code(&now, "0115").change.is_none(), "new municipality");
    let malmo = by_code(&now, "1280").change.clone().unwrap();
    assert_eq!((malmo.score_delta, malmo.rank_delta), (Some(0.0), Some(0)));
    assert!(malmo.items_changed.is_empty());
    let count = |id: &str| now.item_counts.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        (count("klagomal").count, count("klagomal").previous),
        (3, Some(1))
    );
}

#[test]
fn place_against_a_run() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &sites());
    let s = score_run(dir.path(), &model(), rules(), None).unwrap();
    assert_eq!(place_against(&s, 100.0), (1, 5));
    assert_eq!(place_against(&s, 20.0), (2, 5));
    assert_eq!(place_against(&s, 15.0), (4, 5));
    assert_eq!(place_against(&s, 0.0), (5, 5));
    assert_eq!(place_against_as(&s, 20.0, Some("0114")), (2, 4));
    assert_eq!(
        place_against_as(&s, 20.0, Some("1281")),
        (2, 5),
        "unranked: nothing to take out"
    );
}

#[test]
fn missing_audit_and_empty_store_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = score_run(dir.path(), &model(), rules(), None).unwrap_err();
    assert!(matches!(err, ScoreError::NoDatabase { .. }), "{err:?}");
    Store::open_in_dir(dir.path()).unwrap();
    let err = score_run(dir.path(), &model(), rules(), None).unwrap_err();
    assert!(err.to_string().contains("ingen körning"), "{err}");
}

#[test]
fn swedish_name_order() {
    let mut names = [
        "Örebro",
        "Åmål",
        "Ale",
        "Älvsbyn",
        "Östra Göinge",
        "Zeta",
        "alingsås",
    ];
    names.sort_by_key(|n| sort_key_sv(n));
    assert_eq!(
        names,
        [
            "Ale",
            "alingsås",
            "Zeta",
            "Åmål",
            "Älvsbyn",
            "Örebro",
            "Östra Göinge"
        ]
    );
}

#[test]
fn competition_ranking() {
    let ranks = super::run::competition_ranks(vec![
        (0, 50.0),
        (1, 80.0),
        (2, 50.0),
        (3, 10.0),
        (4, 80.0 - 1e-12),
    ]);
    let mut ranks: Vec<u32> = {
        let mut r = ranks;
        r.sort_unstable();
        r.into_iter().map(|(_, p)| p).collect()
    };
    assert_eq!(ranks, [3, 1, 3, 5, 1]);
    ranks.clear();
}

#[test]
fn scores_290_municipalities_fast() {
    let registry = crate::registry::Registry::builtin();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
    let rows: Vec<MunicipalityRow> = registry
        .all()
        .iter()
        .map(|m| MunicipalityRow {
            code: m.code.to_string(),
            name: m.name.clone(),
            county: m.county.clone(),
            homepage: m.homepage.to_string(),
            population: Some(m.population),
        })
        .collect();
    store.add_municipalities(run, &rows).unwrap();
    for (n, row) in rows.iter().enumerate() {
        let verdicts: Vec<VerdictRow> = rules()
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| VerdictRow {
                item: r.id.clone(),
                found: (n + i) % 3 != 0,
                confidence: 0.8,
                flagged: false,
                uncertain: None,
                evidence: Vec::new(),
            })
            .collect();
        store
            .finish_municipality(run, &row.code, "ok", None, 30, &verdicts)
            .unwrap();
    }
    let model = model();
    let start = std::time::Instant::now();
    let s = score_run(dir.path(), &model, rules(), None).unwrap();
    let took = start.elapsed();
    assert_eq!(s.municipalities.len(), 290);
    assert_eq!(s.municipalities[0].ranked_total, 290);
    assert!(took.as_secs_f64() < 1.0, "{took:?}");
}
