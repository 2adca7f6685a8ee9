//! Raw rule files as written: serde structs with spans, nothing validated.
//!
//! [`super::compile`] turns these into [`super::Rule`]s; nothing raw
//! reaches the matcher. `deny_unknown_fields` everywhere, no `flatten`, so
//! a typo in a field name is an error with its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One `rules/items/<id>.toml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) part: Spanned<String>,
    pub(crate) description: String,
    pub(crate) tip: String,
    #[serde(default)]
    pub(crate) threshold: Option<Spanned<f64>>,
    #[serde(default)]
    pub(crate) grey_zone: Option<Spanned<Vec<f64>>>,
    #[serde(default)]
    pub(crate) topic: Option<RawTopic>,
    #[serde(default, rename = "signal")]
    pub(crate) signals: Vec<RawSignal>,
    #[serde(default, rename = "example")]
    pub(crate) examples: Vec<RawExample>,
}

/// `[topic]`: what a page (or section) must be about for signals to count.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopic {
    pub(crate) terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) scope: Option<super::Scope>,
    #[serde(default)]
    pub(crate) off_topic_factor: Option<Spanned<f64>>,
}

/// `[[signal]]`: one piece of evidence the rule looks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSignal {
    pub(crate) id: Spanned<String>,
    pub(crate) kind: super::SignalKind,
    pub(crate) weight: Spanned<f64>,
    #[serde(default)]
    pub(crate) phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) regex: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) href: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) host: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) fields: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) min_fields: Option<Spanned<u32>>,
    #[serde(default)]
    pub(crate) near: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) near_scope: Option<super::Scope>,
    #[serde(default)]
    pub(crate) not_near: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) not_near_scope: Option<super::Scope>,
    #[serde(default)]
    pub(crate) exclude: Vec<RawExclude>,
    #[serde(default)]
    pub(crate) chrome: bool,
    #[serde(default)]
    pub(crate) follow: bool,
}

/// `exclude = [{ phrases = [...], scope = "section" }]`: more `not_near` groups, each with its own scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExclude {
    pub(crate) phrases: Vec<Spanned<String>>,
    pub(crate) scope: super::Scope,
}

/// `[[example]]`: a snippet the rule must (or must not) find.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExample {
    pub(crate) present: bool,
    pub(crate) html: Spanned<String>,
    #[serde(default)]
    pub(crate) url: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// `rules/common.toml`: shared term lists and regex macros.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommon {
    #[serde(default)]
    pub(crate) terms: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) macros: BTreeMap<String, Spanned<String>>,
}
