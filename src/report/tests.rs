//! Tests of the run reports: a small audit store in a temp dir (five
//! municipalities, one of them unreachable, two with equal scores, one
//! reviewer decision, evidence archived in a real WARC file, a snippet with
//! `<script>` and quotes) is scored and written; the files are checked.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::xlsx::SHEETS;
use super::{write_reports, ReportOutput};
use crate::archive::{Exchange, WarcWriter};
use crate::registry::Registry;
use crate::rules::RuleSet;
use crate::score::{compare, score_run, Model, RunScores};
use crate::store::{
    Decision, DecisionRow, EvidenceRow, MunicipalityRow, Store, VerdictRow, WarcRef,
};

/// The snippet every piece of evidence carries.
pub(crate) const NASTY: &str = "Ring <script>alert(1)</script> \"quotes\" & <b> oss";
const CODES: [&str; 5] = ["0188", "0114", "0180", "0643", "0980"];

/// Builds an audit directory in `dir`; `variant` shifts which items are found.
pub(crate) fn build_store(dir: &Path, variant: usize) {
    let mut store = Store::open_in_dir(dir).unwrap();
    let run = store
        .begin_run(2026, &serde_json::json!({"test": true}))
        .unwrap();
    let registry = Registry::builtin();
    let rows: Vec<MunicipalityRow> = CODES
        .iter()
        .map(|c| {
            let m = registry.by_code(c).unwrap();
            MunicipalityRow {
                code: (*c).into(),
                name: m.name.clone(),
                county: m.county.clone(),
                homepage: format!("https://kommun{c}.example/"),
                population: Some(m.population),
            }
        })
        .collect();
    store.add_municipalities(run, &rows).unwrap();
    let rules = RuleSet::builtin().unwrap();
    let mut warc = WarcWriter::create(dir, "infokoll-2026").unwrap();
    for (k, code) in CODES.iter().enumerate() {
        store.set_in_progress(run, code).unwrap();
        if *code == "0980" {
            store
                .finish_municipality(
                    run,
                    code,
                    "unreachable",
                    Some("DNS-uppslaget misslyckades"),
                    0,
                    &[],
                )
                .unwrap();
            continue;
        }
        let url =
            url::Url::parse(&format!("https://kommun{code}.example/omsorg/hemtjanst")).unwrap();
        let body = format!(
            "<html><head><title>Hemtjänst</title><script>alert(1)</script></head>\
             <body onload=\"alert(2)\"><h1>Hemtjänst i {code}</h1><p>{}</p>\
             <a href=\"javascript:alert(3)\">x</a></body></html>",
            crate::report::html::escape(NASTY)
        );
        let headers = vec![(
            "Content-Type".to_owned(),
            "text/html; charset=utf-8".to_owned(),
        )];
        let aref = warc
            .write_exchange(&Exchange {
                target: &url,
                date: UNIX_EPOCH + Duration::from_secs(1_786_000_000),
                request_headers: &[],
                status: 200,
                response_headers: &headers,
                body: body.as_bytes(),
                truncated: false,
                ip: None,
            })
            .unwrap();
        // 0114 and 0643 share a pattern: equal scores, shared place.
        let pattern = if *code == "0643" { 1 } else { k };
        let verdicts: Vec<VerdictRow> = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let found = (i + pattern + variant) % (pattern + 2) != 0;
                let flagged = i == 2 + pattern;
                VerdictRow {
                    item: rule.id.clone(),
                    found,
                    confidence: if flagged {
                        0.55
                    } else if found {
                        0.9
                    } else {
                        0.1
                    },
                    flagged,
                    uncertain: None,
                    evidence: if found || flagged {
                        vec![EvidenceRow {
                            url: url.to_string(),
                            snippet: NASTY.into(),
                            highlights: vec![(0, 4)],
                            signal: "s1".into(),
                            kind: "text".into(),
                            weight: 0.9,
                            context: "Omsorg › Hemtjänst".into(),
                            target: None,
                            depth: 1,
                            off_site: false,
                            warc: Some(WarcRef {
                                file: aref.file.clone(),
                                offset: aref.offset,
                                length: aref.length,
                            }),
                        }]
                    } else {
                        vec![]
                    },
                }
            })
            .collect();
        store
            .finish_municipality(run, code, "ok", None, 12 + k as u32, &verdicts)
            .unwrap();
    }
    warc.sync().unwrap();
    store
        .record_decision(
            run,
            &DecisionRow {
                code: "0188".into(),
                item: rules.rules[0].id.clone(),
                reviewer: "granskare".into(),
                decided_at: 1_786_000_100_000,
                decision: Decision::Present,
                url: Some("https://kommun0188.example/kontakt?a=1&b=<2>".into()),
                comment: Some("Telefonnumret står i sidfoten <i>\"alltid\"</i>".into()),
                machine_found: Some(false),
                machine_confidence: Some(0.1),
            },
        )
        .unwrap();
    store.finish_run(run).unwrap();
}

pub(crate) fn scores_of(dir: &Path) -> RunScores {
    let rules = RuleSet::builtin().unwrap();
    let model = Model::builtin(&rules).unwrap();
    score_run(dir, &model, &rules, None).unwrap()
}

struct Written {
    _audit: tempfile::TempDir,
    out: tempfile::TempDir,
    scores: RunScores,
    output: ReportOutput,
}

fn written() -> Written {
    let audit = tempfile::tempdir().unwrap();
    build_store(audit.path(), 0);
    let scores = scores_of(audit.path());
    let out = tempfile::tempdir().unwrap();
    let output = write_reports(&scores, out.path()).unwrap();
    Written {
        _audit: audit,
        out,
        scores,
        output,
    }
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref()).unwrap()
}

fn html_files(out: &Path) -> Vec<PathBuf> {
    let mut files = vec![out.join("index.html")];
    for sub in ["kommuner", "arkiv"] {
        for e in std::fs::read_dir(out.join(sub)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.sort();
    files
}

fn page_of(w: &Written, code: &str) -> String {
    let m = w
        .scores
        .municipalities
        .iter()
        .find(|m| m.code == code)
        .unwrap();
    read(
        w.out
            .path()
            .join(super::html::municipality_file(&m.code, &m.name)),
    )
}

#[test]
fn every_municipality_has_a_page_and_the_copies_exist() {
    let w = written();
    assert_eq!(w.scores.municipalities.len(), 5);
    assert_eq!(w.output.municipality_pages, 5);
    assert!(w.output.index.ends_with("index.html") && w.output.index.exists());
    for m in &w.scores.municipalities {
        let path = w
            .out
            .path()
            .join(super::html::municipality_file(&m.code, &m.name));
        assert!(path.exists(), "{}", path.display());
    }
    assert!(w.out.path().join("kommuner/0188-norrtalje.html").exists());
    assert_eq!(
        w.output.archive_copies, 4,
        "one archived page per audited site"
    );
    assert!(w.output.archive_failures.is_empty());
    for name in [
        "resultat.csv",
        "resultat-plain.csv",
        "resultat.xlsx",
        "results.json",
    ] {
        assert!(w.out.path().join(name).exists(), "{name}");
    }
    // Evidence links to its archived copy, which has the banner.
    let page = page_of(&w, "0188");
    let copy = page.split("href=\"../arkiv/").nth(1).unwrap();
    let copy = &copy[..copy.find('"').unwrap()];
    let copy = read(w.out.path().join("arkiv").join(copy));
    assert!(copy.contains("Arkiverad kopia hämtad 2026-08-06"), "{copy}");
    assert!(copy.contains("https://kommun0188.example/omsorg/hemtjanst"));
}

#[test]
fn page_text_is_escaped_everywhere() {
    let w = written();
    for path in html_files(w.out.path()) {
        let html = read(&path);
        let scripts = html.matches("<script").count();
        let allowed = usize::from(path.ends_with("index.html"));
        assert_eq!(scripts, allowed, "{}", path.display());
        assert!(
            !html.contains("<b> oss") && !html.contains("alert(1)</script>"),
            "{}",
            path.display()
        );
        assert!(!html.contains("javascript:alert"), "{}", path.display());
    }
    let page = page_of(&w, "0188");
    assert!(page
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; &amp; &lt;b&gt; oss"));
    // The reviewer's comment and page are escaped too.
    assert!(
        page.contains("&lt;i&gt;&quot;alltid&quot;&lt;/i&gt;"),
        "{page}"
    );
    assert!(page.contains("a=1&amp;b=&lt;2&gt;"));
    // The archived copies carry nothing that runs.
    for e in std::fs::read_dir(w.out.path().join("arkiv")).unwrap() {
        let html = read(e.unwrap().path());
        // The page's own text mentions "alert(1)" (escaped); the live ones are gone.
        assert!(
            !html.contains("alert(2)") && !html.contains("alert(3)"),
            "{html}"
        );
        assert!(
            !html.contains("onload") && !html.contains("<script"),
            "{html}"
        );
        assert!(html.contains("sandbox=\"\""));
    }
}

#[test]
fn html_is_accessible_in_shape() {
    let w = written();
    let heading = regex::Regex::new(r"<h([1-6])[ >]").unwrap();
    for path in html_files(w.out.path()) {
        let html = read(&path);
        let name = path.display().to_string();
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"),
            "{name}"
        );
        assert!(
            html.contains("<title>") && html.contains("<meta charset=\"utf-8\">"),
            "{name}"
        );
        assert!(
            !html.contains("src=\"http") && !html.contains("<link"),
            "{name}: external file"
        );
        let levels: Vec<u32> = heading
            .captures_iter(&html)
            .map(|c| c[1].parse().unwrap())
            .collect();
        assert_eq!(
            levels.iter().filter(|l| **l == 1).count(),
            1,
            "{name}: one h1"
        );
        assert_eq!(levels.first(), Some(&1), "{name}");
        for pair in levels.windows(2) {
            assert!(pair[1] <= pair[0] + 1, "{name}: heading jumps {pair:?}");
        }
        assert_eq!(
            html.matches("<table").count(),
            html.matches("<thead><tr><th scope=\"col\"").count(),
            "{name}: every table has column headers"
        );
    }
}

#[test]
fn pages_show_summary_strengths_missing_and_review() {
    let w = written();
    let m = w
        .scores
        .municipalities
        .iter()
        .find(|m| m.code == "0188")
        .unwrap();
    let page = page_of(&w, "0188");
    for part in [
        "Sammanfattning",
        "Styrkor",
        "Information som saknas",
        "Delarna",
        "Punkter för andra delindex",
    ] {
        assert!(page.contains(&format!(">{part}</h2>")), "{part}");
    }
    let score = super::html::score_text(m.score);
    assert!(page.contains(&format!("<dd>{score}</dd>")), "{score}");
    assert!(page.contains(&format!("{} av {}", m.rank.unwrap(), m.ranked_total)));
    assert!(page.contains("Plats i Stockholms län"));
    assert!(page.contains("granskad av människa"));
    assert!(page.contains("osäker – granskas"));
    assert!(page.contains("<strong>Tips:</strong>"));
    assert!(
        page.contains("https://kommun0188.example/"),
        "homepage from the store"
    );
    // Equal scores share a place.
    let a = w
        .scores
        .municipalities
        .iter()
        .find(|m| m.code == "0114")
        .unwrap();
    let b = w
        .scores
        .municipalities
        .iter()
        .find(|m| m.code == "0643")
        .unwrap();
    assert_eq!((a.score, a.rank), (b.score, b.rank));
    // Data saknas: a page that says why, no score.
    let gotland = page_of(&w, "0980");
    assert!(
        gotland.contains(">Data saknas</h2>") && gotland.contains("DNS-uppslaget misslyckades")
    );
    assert!(!gotland.contains("Poäng (0–100)") && !gotland.contains("Styrkor"));
    let index = read(w.out.path().join("index.html"));
    assert!(index.contains("Kommuner utan data") && index.contains("kommuner/0980-gotland.html"));
    assert!(index.contains("<svg") && index.contains("role=\"img\""));
    assert!(
        index.contains("id=\"filter\" class=\"filters\" hidden"),
        "filters only with JS"
    );
    assert!(index.contains("Bäst i varje storleksgrupp") && index.contains("av 4 kommuner"));
}

#[test]
fn compare_shows_changes() {
    let before = tempfile::tempdir().unwrap();
    build_store(before.path(), 1);
    let now = tempfile::tempdir().unwrap();
    build_store(now.path(), 0);
    let mut scores = scores_of(now.path());
    compare(&mut scores, &scores_of(before.path()));
    let out = tempfile::tempdir().unwrap();
    write_reports(&scores, out.path()).unwrap();
    let index = read(out.path().join("index.html"));
    assert!(index.contains("jämförd med granskningen 2026"));
    assert!(index.contains("<th scope=\"col\" data-typ=\"num\">Förändring</th>"));
    assert!(
        index.contains(" kommuner (+") || index.contains(" kommuner (−"),
        "item counts show their change"
    );
    let page = read(out.path().join("kommuner/0188-norrtalje.html"));
    assert!(page.contains(">Ändringar sedan förra granskningen</h2>"));
    assert!(page.contains(" poäng") && page.contains("förra gången"));
    let csv = read(out.path().join("resultat-plain.csv"));
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with("poang_forandring,plats_forandring"));
}

#[test]
fn csv_exports_open_in_swedish_excel_and_plain() {
    let w = written();
    let bytes = std::fs::read(w.out.path().join("resultat.csv")).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(';').collect();
    assert_eq!(&header[..3], &["kod", "namn", "lan_kod"]);
    let at = header.iter().position(|h| *h == "poang").unwrap();
    let first = w
        .scores
        .municipalities
        .iter()
        .find(|m| m.score.is_some())
        .unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("{};", first.code)))
        .unwrap();
    let score = row.split(';').nth(at).unwrap();
    assert_eq!(
        score,
        format!("{:.2}", first.score.unwrap()).replace('.', ",")
    );
    assert!(score.contains(','), "{score}");
    let gotland = text.lines().find(|l| l.starts_with("0980;")).unwrap();
    assert_eq!(gotland.split(';').nth(at), Some(""), "no score, not zero");

    let plain = read(w.out.path().join("resultat-plain.csv"));
    assert!(!plain.starts_with('\u{feff}'));
    let row = plain
        .lines()
        .find(|l| l.starts_with(&format!("{},", first.code)))
        .unwrap();
    assert_eq!(
        row.split(',').nth(at).unwrap(),
        format!("{:.2}", first.score.unwrap())
    );
    insta::assert_snapshot!("resultat_csv", text);
    insta::assert_snapshot!("resultat_plain_csv", plain);
}

#[test]
fn xlsx_opens_with_a_reader_and_has_the_cells() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let w = written();
    let mut book: Xlsx<_> = open_workbook(w.out.path().join("resultat.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), SHEETS.map(str::to_owned).to_vec());
    let ranking = book.worksheet_range(SHEETS[0]).unwrap();
    assert_eq!(ranking.get((0, 0)), Some(&Data::String("kod".into())));
    assert_eq!(ranking.height(), 6, "header + 5 municipalities");
    let first = &w.scores.municipalities[0];
    assert_eq!(ranking.get((1, 0)), Some(&Data::String(first.code.clone())));
    assert_eq!(ranking.get((1, 1)), Some(&Data::String(first.name.clone())));
    let header: Vec<String> = ranking
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let at = header.iter().position(|h| h == "poang").unwrap();
    assert_eq!(
        ranking.get((1, at)),
        Some(&Data::Float(first.score.unwrap()))
    );
    let rank_at = header.iter().position(|h| h == "plats").unwrap();
    assert_eq!(ranking.get((1, rank_at)), Some(&Data::Float(1.0)));
    let last = ranking.height() - 1;
    assert_eq!(ranking.get((last, 0)), Some(&Data::String("0980".into())));
    assert!(matches!(ranking.get((last, at)), None | Some(Data::Empty)));

    let items = book.worksheet_range(SHEETS[1]).unwrap();
    let per_site = first.items.len() + first.other_subindex_items.len();
    assert_eq!(items.height(), 1 + 4 * per_site);
    assert_eq!(
        items.get((1, 2)),
        Some(&Data::String(first.items[0].id.clone()))
    );
    let counts = book.worksheet_range(SHEETS[2]).unwrap();
    assert_eq!(counts.height(), 1 + w.scores.item_counts.len());
    let c = &w.scores.item_counts[0];
    assert_eq!(counts.get((1, 0)), Some(&Data::String(c.id.clone())));
    assert_eq!(counts.get((1, 3)), Some(&Data::Float(f64::from(c.count))));
    assert_eq!(counts.get((1, 4)), Some(&Data::Float(4.0)));
}

/// `results.json` with the run's times and the archive file names (which
/// depend on compressed WARC lengths) replaced.
fn stable_json(out: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(out.join("results.json"))).unwrap();
    for key in ["started_at", "finished_at", "date"] {
        v["run"][key] = serde_json::json!("[redacted]");
    }
    v["model"]["origin"] = serde_json::json!("[redacted]");
    for m in v["municipalities"].as_array_mut().unwrap() {
        for list in ["items", "other_subindex_items"] {
            for item in m[list].as_array_mut().unwrap() {
                for e in item["evidence"].as_array_mut().unwrap() {
                    if e["archived"].is_string() {
                        e["archived"] = serde_json::json!("arkiv/[hash].html");
                    }
                }
            }
        }
    }
    v
}

#[test]
fn results_json_has_the_required_shape() {
    let w = written();
    let v = stable_json(w.out.path());
    assert!(v["run"]["id"].is_i64() && v["run"]["year"] == 2026);
    let ms = v["municipalities"].as_array().unwrap();
    assert_eq!(ms.len(), 5);
    for m in ms {
        let kod = m["kod"].as_str().unwrap();
        assert!(kod.len() == 4 && kod.bytes().all(|b| b.is_ascii_digit()));
        assert!(m["namn"].is_string() && m["status"].is_string());
        assert!(m["score"].is_number() || m["score"].is_null());
        assert!(m["rank"].is_u64() || m["rank"].is_null());
        for item in m["items"].as_array().unwrap() {
            assert!(
                item["id"].is_string()
                    && item["found"].is_boolean()
                    && item["flagged"].is_boolean()
            );
            assert!(["machine", "review"].contains(&item["source"].as_str().unwrap()));
            for e in item["evidence"].as_array().unwrap() {
                assert!(e["url"].is_string() && e["snippet"].is_string());
            }
        }
    }
    let gotland = ms.iter().find(|m| m["kod"] == "0980").unwrap();
    assert!(gotland["score"].is_null() && gotland["rank"].is_null());
    assert_eq!(gotland["status"], "unreachable");
    let norrtalje = ms.iter().find(|m| m["kod"] == "0188").unwrap();
    let reviewed = RuleSet::builtin().unwrap().rules[0].id.clone();
    let items = norrtalje["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["id"] == reviewed.as_str()).unwrap();
    assert_eq!(item["source"], "review");
    assert_eq!(item["found"], true);
    let with_evidence = items
        .iter()
        .find(|i| !i["evidence"].as_array().unwrap().is_empty())
        .unwrap();
    assert_eq!(with_evidence["evidence"][0]["snippet"], NASTY);
    insta::assert_snapshot!("results_json", serde_json::to_string_pretty(&v).unwrap());
}
