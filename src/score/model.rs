//! The scoring model (`rules/model.toml`): the parts of the Information
//! subindex, their items and weights, and the sections of web items that
//! feed other subindexes.
//!
//! Loading is two-stage like the rules: raw serde structs with
//! [`toml::Spanned`] fields (`deny_unknown_fields`) → a validated
//! [`Model`]. Every problem of the file is reported at once, each with file,
//! line, column and field ([`ModelError`]). The model is embedded
//! ([`BUILTIN_MODEL`]) and can be replaced with `--model FILE`
//! ([`Model::from_file`]).

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use toml::Spanned;

use super::raw;
use super::{ItemSummary, ModelSummary, PartScore, PartSummary, ScoreError};
use crate::rules::{Part, RuleSet};

/// The model file shipped with the binary.
pub const BUILTIN_MODEL: &str = include_str!("../../rules/model.toml");

/// Where an item's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// A rule of the checklist, judged on the website.
    Web,
    /// An indicator from `--external CSV`.
    External,
}

/// One item of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelItem {
    /// Item id.
    pub id: String,
    /// Swedish name.
    pub name: String,
    /// Tip for a municipality that lacks it.
    pub tip: String,
    /// Weight within the part (≥ 0).
    pub weight: f64,
    /// Web or external.
    pub source: ItemSource,
}

/// One part (or one section of another subindex).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPart {
    /// The part.
    pub part: Part,
    /// Weight among the parts (≥ 0; 0 for other subindexes).
    pub weight: f64,
    /// Its items in file order.
    pub items: Vec<ModelItem>,
}

/// The validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Where it came from.
    pub origin: String,
    /// Its name.
    pub name: String,
    /// The assumptions (Swedish).
    pub note: String,
    /// The Information parts.
    pub parts: Vec<ModelPart>,
    /// The sections of other subindexes.
    pub other: Vec<ModelPart>,
}

/// One problem in a model file: the same located error as a rule file's
/// (`file:line:col: fält 'x': …`).
pub use crate::rules::RuleError as ModelError;
/// Every problem of a model file (never empty).
pub use crate::rules::RuleErrors as ModelErrors;

/// The name of the embedded model in messages.
pub const BUILTIN_ORIGIN: &str = "<inbyggd>/model.toml";

/// The parts that make up the Information subindex.
const INFORMATION_PARTS: [Part; 5] = [
    Part::Kontakt,
    Part::Bistandsprocessen,
    Part::TjansterKostnader,
    Part::Utforare,
    Part::PlanKontinuitet,
];

/// The sections of other subindexes.
const OTHER_PARTS: [Part; 2] = [Part::Delindex2, Part::Delindex4];

/// The id of a part in the model file (`kontakt`, …, `delindex4`).
pub fn part_id(part: Part) -> &'static str {
    match part {
        Part::Kontakt => "kontakt",
        Part::Bistandsprocessen => "bistandsprocessen",
        Part::TjansterKostnader => "tjanster_kostnader",
        Part::Utforare => "utforare",
        Part::PlanKontinuitet => "plan_kontinuitet",
        Part::Delindex2 => "delindex2",
        Part::Delindex4 => "delindex4",
    }
}

impl Model {
    /// The embedded model, checked against `rules`.
    pub fn builtin(rules: &RuleSet) -> Result<Model, ScoreError> {
        Self::parse(BUILTIN_MODEL, Path::new(BUILTIN_ORIGIN), rules)
    }

    /// Reads and validates a model file.
    pub fn from_file(path: &Path, rules: &RuleSet) -> Result<Model, ScoreError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScoreError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path, rules)
    }

    /// The model of `path`, or the embedded one.
    pub fn load(path: Option<&Path>, rules: &RuleSet) -> Result<Model, ScoreError> {
        match path {
            Some(p) => Self::from_file(p, rules),
            None => Self::builtin(rules),
        }
    }

    /// Parses and validates model text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, rules: &RuleSet) -> Result<Model, ScoreError> {
        let mut cx = Ctx {
            path,
            text,
            errors: Vec::new(),
        };
        let raw: raw::RawModel = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let err = cx.toml_error(&e);
                return Err(ScoreError::Model(ModelErrors(vec![err])));
            }
        };
        let model = cx.validate(raw, rules);
        if cx.errors.is_empty() {
            Ok(model)
        } else {
            Err(ScoreError::Model(ModelErrors(cx.errors)))
        }
    }

    /// Every item of the model (Information parts, then other sections).
    pub fn all_items(&self) -> impl Iterator<Item = (Part, &ModelItem)> {
        self.parts
            .iter()
            .chain(&self.other)
            .flat_map(|p| p.items.iter().map(move |i| (p.part, i)))
    }

    /// The ids of the external indicators.
    pub fn external_ids(&self) -> impl Iterator<Item = &str> {
        self.all_items()
            .filter(|(_, i)| i.source == ItemSource::External)
            .map(|(_, i)| i.id.as_str())
    }

    /// Scores one municipality: `value` gives each item's value (0–1) or
    /// `None` when the item has no value. Returns the total (0–100) and the
    /// score of each Information part. Items without a value are left out
    /// of their part; parts without any value are left out of the total;
    /// the total is `None` only when no part has a value.
    pub fn score(
        &self,
        value: impl Fn(&ModelItem) -> Option<f64>,
    ) -> (Option<f64>, Vec<PartScore>) {
        let mut total = 0.0;
        let mut total_weight = 0.0;
        let parts = self
            .parts
            .iter()
            .map(|p| {
                let (mut sum, mut weight) = (0.0, 0.0);
                for item in &p.items {
                    if let Some(v) = value(item) {
                        sum += item.weight * v.clamp(0.0, 1.0);
                        weight += item.weight;
                    }
                }
                let share = (weight > 0.0).then(|| sum / weight);
                if let Some(share) = share {
                    total += p.weight * share;
                    total_weight += p.weight;
                }
                PartScore {
                    part: p.part,
                    label: p.part.label_sv().to_owned(),
                    weight: p.weight,
                    score: share.map(|s| 100.0 * s),
                }
            })
            .collect();
        let score = (total_weight > 0.0).then(|| 100.0 * total / total_weight);
        (score, parts)
    }

    /// The model for report legends.
    pub fn summary(&self) -> ModelSummary {
        let summarise = |p: &ModelPart| PartSummary {
            part: p.part,
            label: p.part.label_sv().to_owned(),
            weight: p.weight,
            items: p
                .items
                .iter()
                .map(|i| ItemSummary {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    weight: i.weight,
                    source: i.source,
                })
                .collect(),
        };
        ModelSummary {
            origin: self.origin.clone(),
            name: self.name.clone(),
            note: self.note.clone(),
            parts: self.parts.iter().map(summarise).collect(),
            other: self.other.iter().map(summarise).collect(),
        }
    }
}

/// Validation state: the file and the problems found so far.
struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<ModelError>,
}

impl Ctx<'_> {
    /// 1-based (line, column) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    fn error_at(
        &self,
        span: Option<Range<usize>>,
        field: &str,
        message: impl Into<String>,
    ) -> ModelError {
        let (line, column) = span.map_or((0, 0), |s| self.position(s.start));
        ModelError {
            path: self.path.to_path_buf(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn push(&mut self, span: Option<Range<usize>>, field: &str, message: impl Into<String>) {
        let e = self.error_at(span, field, message);
        self.errors.push(e);
    }

    fn toml_error(&self, e: &toml::de::Error) -> ModelError {
        let message = e.message().trim().to_owned();
        let mut pieces = message.split('`');
        let field = match (pieces.next(), pieces.next()) {
            (Some(pre), Some(name)) if pre.contains("field") => name.to_owned(),
            _ => e
                .span()
                .map(|span| self.key_before(span.start))
                .unwrap_or_default(),
        };
        self.error_at(e.span(), &field, message)
    }

    /// The key of a `key = value` whose value starts at `offset` (for type
    /// errors, whose message names no field).
    fn key_before(&self, offset: usize) -> String {
        let line_start = self
            .text
            .get(..offset)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let Some(before) = self.text.get(line_start..offset) else {
            return String::new();
        };
        let Some(before) = before.trim_end().strip_suffix('=') else {
            return String::new();
        };
        let before = before.trim_end();
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        before[start..].to_owned()
    }

    /// A weight: finite and ≥ 0; 1 when absent.
    fn weight(&mut self, w: Option<&Spanned<f64>>, field: &str) -> f64 {
        let Some(w) = w else { return 1.0 };
        let v = *w.get_ref();
        if v.is_finite() && v >= 0.0 {
            v
        } else {
            self.push(
                Some(w.span()),
                field,
                format!("vikten måste vara ett tal ≥ 0, inte {v}"),
            );
            0.0
        }
    }

    fn part(&mut self, id: &Spanned<String>, allowed: &[Part], field: &str) -> Option<Part> {
        let found = allowed
            .iter()
            .copied()
            .find(|p| part_id(*p) == id.get_ref());
        if found.is_none() {
            let names: Vec<_> = allowed.iter().map(|p| part_id(*p)).collect();
            self.push(
                Some(id.span()),
                field,
                format!(
                    "okänd del {:?}; tillåtna: {}",
                    id.get_ref(),
                    names.join(", ")
                ),
            );
        }
        found
    }

    fn validate(&mut self, raw: raw::RawModel, rules: &RuleSet) -> Model {
        // item id → field of its first place, to refuse a second one.
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut parts: Vec<ModelPart> = Vec::new();
        for (pi, rp) in raw.parts.iter().enumerate() {
            let f = format!("part[{pi}]");
            let part = self.part(&rp.id, &INFORMATION_PARTS, &format!("{f}.id"));
            if let Some(part) = part {
                if parts.iter().any(|p| p.part == part) {
                    self.push(
                        Some(rp.id.span()),
                        &format!("{f}.id"),
                        format!("delen {:?} finns redan", rp.id.get_ref()),
                    );
                }
            }
            let weight = self.weight(rp.weight.as_ref(), &format!("{f}.weight"));
            let mut items = Vec::new();
            for (ii, ri) in rp.items.iter().enumerate() {
                let f = format!("{f}.items[{ii}]");
                if let Some(item) = self.item(ri, &f, rules, &mut seen) {
                    items.push(item);
                }
            }
            let item_weight: f64 = items.iter().map(|i| i.weight).sum();
            if weight > 0.0 && item_weight <= 0.0 {
                self.push(
                    Some(rp.id.span()),
                    &format!("{f}.items"),
                    "delen har vikt men inga punkter med vikt över 0",
                );
            }
            if let Some(part) = part {
                parts.push(ModelPart {
                    part,
                    weight,
                    items,
                });
            }
        }
        if raw.parts.is_empty() {
            self.push(None, "part", "modellen har inga delar ([[part]])");
        } else if parts.iter().map(|p| p.weight).sum::<f64>() <= 0.0 && self.errors.is_empty() {
            self.push(None, "part", "alla delar har vikt 0");
        }
        let mut other: Vec<ModelPart> = Vec::new();
        for (oi, ro) in raw.other.iter().enumerate() {
            let f = format!("other[{oi}]");
            let part = self.part(&ro.id, &OTHER_PARTS, &format!("{f}.id"));
            let mut items = Vec::new();
            for (ii, id) in ro.items.iter().enumerate() {
                let raw_item = raw::RawItem {
                    id: id.clone(),
                    weight: None,
                    source: None,
                    name: None,
                    tip: None,
                };
                if let Some(item) =
                    self.item(&raw_item, &format!("{f}.items[{ii}]"), rules, &mut seen)
                {
                    items.push(item);
                }
            }
            if let Some(part) = part {
                if other.iter().any(|p| p.part == part) {
                    self.push(
                        Some(ro.id.span()),
                        &format!("{f}.id"),
                        format!("avsnittet {:?} finns redan", ro.id.get_ref()),
                    );
                }
                other.push(ModelPart {
                    part,
                    weight: 0.0,
                    items,
                });
            }
        }
        let missing: Vec<&str> = rules
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !seen.contains_key(*id))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "{} finns i reglerna men inte i modellen (lägg varje punkt i en del, med vikt 0 för att utesluta den)",
                missing.join(", ")
            );
            self.push(None, "part", message);
        }
        Model {
            origin: self.path.display().to_string(),
            name: raw
                .name
                .unwrap_or_else(|| "infokolls uppskattning av delindex 1 Information".into()),
            note: raw.note.unwrap_or_default(),
            parts,
            other,
        }
    }

    /// One item: a known rule (web) or a declared external indicator.
    fn item(
        &mut self,
        ri: &raw::RawItem,
        f: &str,
        rules: &RuleSet,
        seen: &mut HashMap<String, String>,
    ) -> Option<ModelItem> {
        let id = ri.id.get_ref().trim();
        let weight = self.weight(ri.weight.as_ref(), &format!("{f}.weight"));
        let source = match ri.source.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
            None | Some(("web", _)) => ItemSource::Web,
            Some(("external", _)) => ItemSource::External,
            Some((other, span)) => {
                self.push(
                    Some(span),
                    &format!("{f}.source"),
                    format!("okänd källa {other:?}; tillåtna: web, external"),
                );
                return None;
            }
        };
        if let Some(first) = seen.get(id) {
            let msg = format!(
                "punkten {id:?} finns redan i {first}; en punkt får bara finnas på ett ställe"
            );
            self.push(Some(ri.id.span()), &format!("{f}.id"), msg);
            return None;
        }
        seen.insert(id.to_owned(), f.to_owned());
        let rule = rules.get(id);
        match (source, rule) {
            (ItemSource::Web, Some(rule)) => {
                if let Some(name) = &ri.name {
                    self.push(
                        Some(name.span()),
                        &format!("{f}.name"),
                        "namnet på en webbpunkt kommer från dess regelfil",
                    );
                }
                Some(ModelItem {
                    id: id.to_owned(),
                    name: rule.name.clone(),
                    tip: ri.tip.clone().unwrap_or_else(|| rule.tip.clone()),
                    weight,
                    source,
                })
            }
            (ItemSource::Web, None) => {
                let msg = format!("okänd punkt {id:?}: ingen regel har det id:t (externa indikatorer behöver source = \"external\")");
                self.push(Some(ri.id.span()), &format!("{f}.id"), msg);
                None
            }
            (ItemSource::External, Some(_)) => {
                let msg = format!(
                    "{id:?} är en webbpunkt i reglerna och kan inte vara en extern indikator"
                );
                self.push(Some(ri.id.span()), &format!("{f}.id"), msg);
                None
            }
            (ItemSource::External, None) => {
                let valid = !id.is_empty()
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !valid {
                    self.push(
                        Some(ri.id.span()),
                        &format!("{f}.id"),
                        "ett id består av a–z, 0–9 och _",
                    );
                }
                let Some(name) = ri
                    .name
                    .as_ref()
                    .map(|n| n.get_ref().trim())
                    .filter(|n| !n.is_empty())
                else {
                    self.push(
                        Some(ri.id.span()),
                        &format!("{f}.name"),
                        "en extern indikator behöver ett namn (name = \"…\")",
                    );
                    return None;
                };
                Some(ModelItem {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    tip: ri.tip.clone().unwrap_or_default(),
                    weight,
                    source,
                })
            }
        }
    }
}
