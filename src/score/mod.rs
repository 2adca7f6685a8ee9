//! The scorer: turns an audit run into infokoll's estimate of the
//! Hemtjänstindex Information subindex (delindex 1), ranks and counts.
//!
//! Place in the flow: store → **score** → report. Layer 4: reads the store
//! of an audit directory, never the network.
//!
//! # Architecture
//!
//! - `model.rs` — [`Model`]: `rules/model.toml` (embedded, overridable with
//!   `--model FILE`) loaded in two stages (raw serde structs with spans →
//!   validated model); every error names file, line, column and field.
//! - `raw.rs` — the model file as written (serde structs with spans).
//! - `external.rs` — [`ExternalIndicators`]: indicators that are not on the
//!   web (a survey share), read from a CSV keyed by municipality code.
//! - `run.rs` — [`score_run`]: verdicts + the latest reviewer decision per
//!   item → [`MunicipalityScore`]s, ranks (competition ranking: equal
//!   scores share a place), county ranks, size groups and national counts.
//! - `compare.rs` — [`compare`]: what changed since an earlier run;
//!   [`place_against`] for `infokoll check --against DIR`.
//!
//! # The score
//!
//! `score = 100 × Σ_p w_p · (Σ_i w_i · value_i / Σ_i w_i) / Σ_p w_p` over the
//! five parts of the Information subindex, where `value_i` is 1 or 0 for a
//! web item (found or not, after review) and 0–1 for an external indicator.
//! An item without a value (an external indicator missing for a
//! municipality) is left out of its part; a part without any value is left
//! out of the total. A municipality whose site could not be audited gets
//! `score: None` ("data saknas") and no rank — never a silent zero. The
//! default weights are assumptions (see `rules/model.toml`).

mod compare;
mod external;
mod model;
mod raw;
mod run;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_model;

use std::path::PathBuf;

use serde::Serialize;

use crate::registry::SizeGroup;
use crate::rules::Part;
use crate::store::{EvidenceRow, RunId, StoreError};

pub use compare::{compare, place_against, place_against_as};
pub use external::ExternalIndicators;
pub use model::{
    part_id, ItemSource, Model, ModelError, ModelErrors, ModelItem, ModelPart, BUILTIN_MODEL,
    BUILTIN_ORIGIN,
};
pub use run::{score_run, score_store, sort_key_sv};

/// The scores of one audit run: what `infokoll score --format json` prints
/// and what the reports are made from.
#[derive(Debug, Clone, Serialize)]
pub struct RunScores {
    /// The run scored.
    pub run: RunMeta,
    /// The run compared with (`--compare`), if any.
    pub compared_with: Option<RunMeta>,
    /// Every municipality of the run, ranked ones first by rank then name,
    /// then the "data saknas" ones by name.
    pub municipalities: Vec<MunicipalityScore>,
    /// National count per item (Information items, then the other
    /// subindexes' web items, then nothing else), in model order.
    pub item_counts: Vec<ItemCount>,
    /// The model used (for report legends).
    pub model: ModelSummary,
}

/// Which run was scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMeta {
    /// The run's id in the store.
    pub id: RunId,
    /// The audit year.
    pub year: u16,
    /// When the run was begun (Unix ms).
    pub started_at: i64,
    /// When it was finished (Unix ms); `None` when still running or interrupted.
    pub finished_at: Option<i64>,
    /// The audit directory.
    pub dir: PathBuf,
}

/// One municipality's result.
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityScore {
    /// Four-digit code, e.g. `0188`.
    pub code: String,
    /// Short name, e.g. `Norrtälje`.
    pub name: String,
    /// County name, e.g. `Stockholms län`.
    pub county: String,
    /// County code, e.g. `01` (from the registry, else the code's first two digits).
    pub county_code: String,
    /// Inhabitants (from the run, else the registry).
    pub population: Option<u32>,
    /// The index's size group; `Small` when the population is unknown.
    pub size_group: SizeGroup,
    /// The site status of the crawl (`ok`, `partial`, `unreachable`, …), or
    /// the municipality status (`pending`, `in_progress`) when the crawl has
    /// not finished. "Data saknas" is not a status: see `score`.
    pub status: String,
    /// Why the site status is not `ok`.
    pub status_reason: Option<String>,
    /// 0–100, infokoll's estimate of the Information subindex; `None` = data saknas.
    pub score: Option<f64>,
    /// Score per part of the Information subindex, in model order.
    pub parts: Vec<PartScore>,
    /// Place among all scored municipalities (1 = best, equal scores share a place).
    pub rank: Option<u32>,
    /// Place within the county.
    pub county_rank: Option<u32>,
    /// Scored municipalities in the county.
    pub county_size: u32,
    /// Place within the size group.
    pub size_group_rank: Option<u32>,
    /// Scored municipalities in the size group.
    pub size_group_size: u32,
    /// Scored municipalities in the run (the "290" of "plats 12 av 290").
    pub ranked_total: u32,
    /// The web items of other subindexes (forenklad_bistand, flex_policy →
    /// delindex 2; dagverksamhet, korttid → delindex 4); not in `score`.
    pub other_subindex_items: Vec<ItemResult>,
    /// The items of the Information subindex, in model order.
    pub items: Vec<ItemResult>,
    /// What changed since the compared run; `None` without `--compare` or
    /// when the municipality was not in the earlier run.
    pub change: Option<Change>,
}

/// The score of one part for one municipality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartScore {
    /// The part.
    pub part: Part,
    /// Its Swedish heading.
    pub label: String,
    /// The part's weight in the model.
    pub weight: f64,
    /// 0–100; `None` = data saknas (or no item of the part has a value).
    pub score: Option<f64>,
}

/// Where an item's verdict comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The machine verdict of the audit.
    Machine,
    /// A reviewer's decision (the latest one for the item).
    Review,
    /// An external indicator from `--external CSV`.
    External,
}

/// One item of one municipality.
#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    /// Item id, e.g. `rakna_avgift`.
    pub id: String,
    /// Swedish name, e.g. "Räknesnurra".
    pub name: String,
    /// The model part the item is in.
    pub part: Part,
    /// Whether the item counts as present (external: value ≥ 0.5).
    pub found: bool,
    /// The value that enters the score: 1/0 for web items, 0–1 for
    /// external indicators; `None` when there is no value (external
    /// indicator missing in the CSV).
    pub value: Option<f64>,
    /// Machine, review or external.
    pub source: Source,
    /// True when a reviewer should look (grey zone, no review yet).
    pub flagged: bool,
    /// Why a missing item is flagged "osäker – granskas" (coverage, near miss), if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<String>,
    /// The machine's confidence, 0–1 (external: the value).
    pub confidence: f64,
    /// The machine's evidence, best first.
    pub evidence: Vec<EvidenceRow>,
    /// The reviewer's page, when the latest decision names one.
    pub review_url: Option<String>,
    /// The reviewer's comment on the latest decision.
    pub review_comment: Option<String>,
    /// Advice for a site that lacks the item (Swedish).
    pub tip: String,
}

/// National count for one item ("84 av 290 kommuner har en räknesnurra").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemCount {
    /// Item id.
    pub id: String,
    /// Swedish name.
    pub name: String,
    /// The model part.
    pub part: Part,
    /// Municipalities with the item found.
    pub count: u32,
    /// Municipalities with data (scored; for an external indicator: with a value).
    pub of: u32,
    /// The count in the compared run.
    pub previous: Option<u32>,
}

/// What changed for one municipality since the compared run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The earlier score (`None` = data saknas then).
    pub previous_score: Option<f64>,
    /// The earlier place.
    pub previous_rank: Option<u32>,
    /// `score − previous_score`, when both exist.
    pub score_delta: Option<f64>,
    /// `previous_rank − rank` when both exist: positive = climbed.
    pub rank_delta: Option<i64>,
    /// Items whose found-state differs, in model order.
    pub items_changed: Vec<ItemChange>,
}

/// One item that changed between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// Item id.
    pub item: String,
    /// Swedish name.
    pub name: String,
    /// Found in the earlier run (`None`: no data then).
    pub was: Option<bool>,
    /// Found now (`None`: no data now).
    pub now: Option<bool>,
}

/// The model as reports show it (legends, "om modellen").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    /// Where the model came from (`<inbyggd>/model.toml` or a path).
    pub origin: String,
    /// The model's name (Swedish).
    pub name: String,
    /// The assumptions in Swedish, for the report's method note.
    pub note: String,
    /// The parts of the Information subindex.
    pub parts: Vec<PartSummary>,
    /// The sections of other subindexes (reported, not scored).
    pub other: Vec<PartSummary>,
}

/// One part of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartSummary {
    /// The part.
    pub part: Part,
    /// Its Swedish heading.
    pub label: String,
    /// Its weight (0 for sections of other subindexes).
    pub weight: f64,
    /// Its items.
    pub items: Vec<ItemSummary>,
}

/// One item of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    /// Item id.
    pub id: String,
    /// Swedish name.
    pub name: String,
    /// Weight within its part.
    pub weight: f64,
    /// Web (a rule) or external (CSV).
    pub source: ItemSource,
}

/// Errors of the scorer. Each names the file (and where possible line,
/// column and field) that caused it.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// The model file has problems (all of them are listed).
    #[error("modellfilen har fel:\n{0}")]
    Model(ModelErrors),
    /// A file (model or external CSV) could not be read.
    #[error("kan inte läsa {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A row of the external-indicator CSV is wrong.
    #[error("{path}:{line}: {message}")]
    External {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong (Swedish).
        message: String,
    },
    /// The audit directory has no database.
    #[error("{dir} innehåller ingen granskning ({file} saknas)")]
    NoDatabase {
        /// The audit directory.
        dir: PathBuf,
        /// The expected database file name.
        file: &'static str,
    },
    /// The database has no run.
    #[error("{dir}: databasen innehåller ingen körning")]
    NoRun {
        /// The audit directory.
        dir: PathBuf,
    },
    /// Reading the store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}
