//! `results.json`: the run and every municipality with its score, ranks,
//! parts and items (with evidence and the path of each archived copy),
//! plus the national item counts and the model. Keys of the municipality
//! objects follow the published shape (`kod`, `namn`, `status`, `score`,
//! `rank`, `items` with `id`, `found`, `source`, `flagged`, `evidence` with
//! `url` and `snippet`); scores are rounded to two decimals.

use std::path::Path;

use serde::Serialize;

use super::archive::ArchiveCopies;
use super::csv::part_id;
use super::html::{date_of_ms, municipality_file};
use super::ReportError;
use crate::score::{
    Change, ItemCount, ItemResult, ModelSummary, MunicipalityScore, RunMeta, RunScores, Source,
};

/// The whole file.
#[derive(Debug, Serialize)]
pub struct ResultsJson<'a> {
    /// The run.
    pub run: JsonRun,
    /// The compared run, if any.
    pub compared_with: Option<JsonRun>,
    /// Every municipality, in ranking order.
    pub municipalities: Vec<JsonMunicipality<'a>>,
    /// National count per item.
    pub item_counts: &'a [ItemCount],
    /// The model.
    pub model: &'a ModelSummary,
}

/// A run.
#[derive(Debug, Serialize)]
pub struct JsonRun {
    /// Id in the store.
    pub id: i64,
    /// Audit year.
    pub year: u16,
    /// Start (Unix ms).
    pub started_at: i64,
    /// Finish (Unix ms).
    pub finished_at: Option<i64>,
    /// Start date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The infokoll version that wrote the file.
    pub generator: String,
}

/// One municipality.
#[derive(Debug, Serialize)]
pub struct JsonMunicipality<'a> {
    /// Code.
    pub kod: &'a str,
    /// Name.
    pub namn: &'a str,
    /// County.
    pub lan: &'a str,
    /// County code.
    pub lan_kod: &'a str,
    /// Inhabitants.
    pub befolkning: Option<u32>,
    /// `small`, `medium`, `large`.
    pub size_group: crate::registry::SizeGroup,
    /// Site status.
    pub status: &'a str,
    /// Why the status is not `ok`.
    pub status_reason: Option<&'a str>,
    /// True when there is no score ("data saknas").
    pub data_saknas: bool,
    /// 0–100 or null.
    pub score: Option<f64>,
    /// Place or null.
    pub rank: Option<u32>,
    /// Place in the county.
    pub county_rank: Option<u32>,
    /// Scored municipalities in the county.
    pub county_size: u32,
    /// Place in the size group.
    pub size_group_rank: Option<u32>,
    /// Scored municipalities in the size group.
    pub size_group_size: u32,
    /// Scored municipalities in the run.
    pub ranked_total: u32,
    /// Part scores.
    pub parts: Vec<JsonPart<'a>>,
    /// Information items.
    pub items: Vec<JsonItem<'a>>,
    /// Web items of other subindexes.
    pub other_subindex_items: Vec<JsonItem<'a>>,
    /// Change since the compared run.
    pub change: Option<&'a Change>,
    /// The municipality's HTML report, relative to the output directory.
    pub report: String,
}

/// One part score.
#[derive(Debug, Serialize)]
pub struct JsonPart<'a> {
    /// Part id.
    pub part: String,
    /// Swedish label.
    pub label: &'a str,
    /// 0–100 or null.
    pub score: Option<f64>,
}

/// One item.
#[derive(Debug, Serialize)]
pub struct JsonItem<'a> {
    /// Item id.
    pub id: &'a str,
    /// Swedish name.
    pub name: &'a str,
    /// Part id.
    pub part: String,
    /// Present (after review).
    pub found: bool,
    /// `machine`, `review` or `external`.
    pub source: Source,
    /// Needs review.
    pub flagged: bool,
    /// Machine confidence 0–1.
    pub confidence: f64,
    /// Value entering the score (1/0; 0–1 for external indicators).
    pub value: Option<f64>,
    /// Evidence, best first.
    pub evidence: Vec<JsonEvidence<'a>>,
}

/// One piece of evidence.
#[derive(Debug, Serialize)]
pub struct JsonEvidence<'a> {
    /// The page.
    pub url: &'a str,
    /// The text found.
    pub snippet: &'a str,
    /// The archived copy, relative to the output directory.
    pub archived: Option<String>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn run(meta: &RunMeta) -> JsonRun {
    JsonRun {
        id: meta.id.0,
        year: meta.year,
        started_at: meta.started_at,
        finished_at: meta.finished_at,
        date: date_of_ms(meta.started_at),
        generator: format!("infokoll {}", env!("CARGO_PKG_VERSION")),
    }
}

fn item<'a>(i: &'a ItemResult, copies: &ArchiveCopies) -> JsonItem<'a> {
    JsonItem {
        id: &i.id,
        name: &i.name,
        part: part_id(i.part),
        found: i.found,
        source: i.source,
        flagged: i.flagged,
        confidence: (i.confidence * 1000.0).round() / 1000.0,
        value: i.value,
        evidence: i
            .evidence
            .iter()
            .map(|e| JsonEvidence {
                url: &e.url,
                snippet: &e.snippet,
                archived: e.warc.as_ref().and_then(|w| copies.path_of(w)),
            })
            .collect(),
    }
}

fn municipality<'a>(m: &'a MunicipalityScore, copies: &ArchiveCopies) -> JsonMunicipality<'a> {
    JsonMunicipality {
        kod: &m.code,
        namn: &m.name,
        lan: &m.county,
        lan_kod: &m.county_code,
        befolkning: m.population,
        size_group: m.size_group,
        status: &m.status,
        status_reason: m.status_reason.as_deref(),
        data_saknas: m.score.is_none(),
        score: m.score.map(round2),
        rank: m.rank,
        county_rank: m.county_rank,
        county_size: m.county_size,
        size_group_rank: m.size_group_rank,
        size_group_size: m.size_group_size,
        ranked_total: m.ranked_total,
        parts: m
            .parts
            .iter()
            .map(|p| JsonPart {
                part: part_id(p.part),
                label: &p.label,
                score: p.score.map(round2),
            })
            .collect(),
        items: m.items.iter().map(|i| item(i, copies)).collect(),
        other_subindex_items: m
            .other_subindex_items
            .iter()
            .map(|i| item(i, copies))
            .collect(),
        change: m.change.as_ref(),
        report: municipality_file(&m.code, &m.name),
    }
}

/// The document of `results.json`.
pub fn results<'a>(scores: &'a RunScores, copies: &ArchiveCopies) -> ResultsJson<'a> {
    ResultsJson {
        run: run(&scores.run),
        compared_with: scores.compared_with.as_ref().map(run),
        municipalities: scores
            .municipalities
            .iter()
            .map(|m| municipality(m, copies))
            .collect(),
        item_counts: &scores.item_counts,
        model: &scores.model,
    }
}

/// Writes `results.json` into `out`.
pub fn write_json(
    scores: &RunScores,
    copies: &ArchiveCopies,
    out: &Path,
) -> Result<(), ReportError> {
    let path = out.join("results.json");
    let mut text = serde_json::to_string_pretty(&results(scores, copies))
        .map_err(|e| ReportError::Json(e.to_string()))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| ReportError::write(&path, e))
}
