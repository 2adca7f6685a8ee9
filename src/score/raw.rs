//! `rules/model.toml` as written: serde structs with spans, nothing
//! validated. `model.rs` turns these into a [`super::Model`];
//! `deny_unknown_fields` everywhere and no `flatten`, so a typo in a field
//! name is an error with its line.

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) note: Option<String>,
    #[serde(default, rename = "part")]
    pub(super) parts: Vec<RawPart>,
    #[serde(default)]
    pub(super) other: Vec<RawOther>,
}

/// `[[part]]`: one part of the Information subindex.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPart {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) weight: Option<Spanned<f64>>,
    pub(super) items: Vec<RawItem>,
}

/// One entry of a part's `items`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) weight: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) source: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) name: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) tip: Option<String>,
}

/// `[[other]]`: web items of another subindex.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOther {
    pub(super) id: Spanned<String>,
    pub(super) items: Vec<Spanned<String>>,
}
