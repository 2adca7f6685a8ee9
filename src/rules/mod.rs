//! Rules: one TOML file per checklist item, loaded, validated and compiled.
//!
//! A rule file (`rules/items/<id>.toml`) describes one checklist item: its
//! Swedish name, checklist part, meaning, a tip for sites that lack it,
//! the *signals* that show it (phrases in text, links, forms, frames, the
//! title or the URL), what a page must be about for the signals to count
//! (`[topic]`), and its own `[[example]]`s. `rules/common.toml` holds term
//! lists and regex macros shared by all rules. The format is described in
//! `rules/README.md`.
//!
//! Loading is two-stage (ast-grep style): [`raw`] serde structs with spans
//! → [`compile`] into [`Rule`]s. Every problem of every file is reported at
//! once, each with file, line, column and field ([`RuleError`]).
//! Layer 0: no network; matching itself lives in [`crate::detect`].

mod compile;
mod error;
pub mod pattern;
mod raw;

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};

pub use error::{RuleError, RuleErrors};
pub use pattern::Vocabulary;

/// The rule files shipped with the binary (`rules/` of the source tree).
pub static BUILTIN_RULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// Default confidence at or above which an item counts as found.
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Default grey zone: verdicts with a confidence in `[low, high)` are flagged for review.
pub const DEFAULT_GREY_ZONE: (f64, f64) = (0.3, 0.7);
/// URL that examples are detected at unless they give their own.
pub const EXAMPLE_URL: &str = "http://www.exempel.se/sida/";

/// The checklist parts (and the web items of other subindexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Part 1 — Kontakt.
    Kontakt,
    /// Part 2 — Biståndsprocessen.
    Bistandsprocessen,
    /// Part 3 — Tjänster och kostnader.
    TjansterKostnader,
    /// Part 4 — Utförare.
    Utforare,
    /// Part 5 — Genomförandeplan, kontinuitet och kontaktperson.
    PlanKontinuitet,
    /// A web item of subindex 2 (biståndshandläggning).
    Delindex2,
    /// A web item of subindex 4 (stöd och utveckling).
    Delindex4,
}

impl Part {
    /// Every part, in checklist order.
    pub const ALL: [Part; 7] = [
        Part::Kontakt,
        Part::Bistandsprocessen,
        Part::TjansterKostnader,
        Part::Utforare,
        Part::PlanKontinuitet,
        Part::Delindex2,
        Part::Delindex4,
    ];

    /// The Swedish heading of the part.
    pub fn label_sv(self) -> &'static str {
        match self {
            Part::Kontakt => "Kontakt",
            Part::Bistandsprocessen => "Biståndsprocessen",
            Part::TjansterKostnader => "Tjänster och kostnader",
            Part::Utforare => "Utförare",
            Part::PlanKontinuitet => "Genomförandeplan, kontinuitet och kontaktperson",
            Part::Delindex2 => "Delindex 2 (webbpunkter)",
            Part::Delindex4 => "Delindex 4 (webbpunkter)",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| {
            serde_json::to_value(p)
                .ok()
                .and_then(|v| v.as_str().map(|v| v == s))
                == Some(true)
        })
    }
}

/// Where a signal looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// Sentences of the page's text blocks.
    Text,
    /// Links: anchor text and title (`phrases`/`regex`), target (`href`, `host`).
    Link,
    /// Forms: field labels and names (`fields`, `min_fields`), form text (`phrases`).
    Form,
    /// Iframes and embeds: source (`href`, `host`), title (`phrases`).
    Frame,
    /// The page title and first heading.
    Title,
    /// The page URL (`href`).
    Url,
}

/// How much text around a match `near`, `not_near` and `[topic]` look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The sentence of the match (for links, forms and frames: their own text and context block).
    Sentence,
    /// The whole text block (paragraph, list item, cell) of the match.
    Block,
    /// The block plus the headings above it and the page title.
    Section,
    /// Only the headings above the match.
    Headings,
    /// The whole page: title, URL words, headings and all main text.
    Page,
}

/// A compiled alternation of phrases and raw regexes.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The regex sources, one per phrase or raw regex, in file order.
    pub sources: Vec<String>,
    /// All sources as one alternation.
    pub regex: Regex,
}

impl Matcher {
    /// True when any pattern matches the folded text.
    pub fn is_match(&self, folded: &str) -> bool {
        self.regex.is_match(folded)
    }
}

/// One compiled signal of a rule.
#[derive(Debug, Clone)]
pub struct Signal {
    /// The signal's id, unique within its rule.
    pub id: String,
    /// Where it looks.
    pub kind: SignalKind,
    /// Its weight in the rule's confidence (negative: lowers confidence).
    pub weight: f64,
    /// Phrases/regexes on the text the kind looks at (sentence, anchor text, form text, title).
    pub trigger: Option<Matcher>,
    /// Folded substrings of which one must occur in the target URL (link, frame) or page URL.
    pub href: Vec<String>,
    /// Host suffixes of which one must match the target host (link, frame).
    pub host: Vec<String>,
    /// Phrases that form fields must match (form).
    pub fields: Option<Matcher>,
    /// How many fields must match `fields`.
    pub min_fields: u32,
    /// At least one must occur within `near_scope`.
    pub near: Option<Matcher>,
    /// Where `near` looks.
    pub near_scope: Scope,
    /// None may occur within `not_near_scope`.
    pub not_near: Option<Matcher>,
    /// Where `not_near` looks.
    pub not_near_scope: Scope,
    /// Further exclusions, each with its own scope.
    pub excludes: Vec<(Matcher, Scope)>,
    /// Whether page chrome (nav, header, footer) counts.
    pub chrome: bool,
    /// Whether the crawler should follow matching links/frames one hop off-site.
    pub follow: bool,
}

/// What a page must be about for a rule's signals to count.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Topic terms.
    pub matcher: Matcher,
    /// Where they are looked for.
    pub scope: Scope,
    /// Weight multiplier for signals on pages (or sections) without the topic.
    pub off_topic_factor: f64,
}

/// One example of a rule file.
#[derive(Debug, Clone)]
pub struct Example {
    /// Whether the rule must find its item in the example.
    pub present: bool,
    /// The HTML snippet.
    pub html: String,
    /// The URL the snippet is detected at.
    pub url: url::Url,
    /// Why the example is there.
    pub note: Option<String>,
    /// 1-based line of the example's `html` in its file.
    pub line: usize,
}

/// One compiled checklist item rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The item id (= file stem), e.g. `rakna_avgift`.
    pub id: String,
    /// Swedish name, e.g. "Räknesnurra".
    pub name: String,
    /// The checklist part.
    pub part: Part,
    /// What the item means (Swedish).
    pub description: String,
    /// Advice for a site that lacks the item (Swedish).
    pub tip: String,
    /// Confidence at or above which the item counts as found.
    pub threshold: f64,
    /// Confidences in `[low, high)` are flagged for review.
    pub grey_zone: (f64, f64),
    /// What a page must be about.
    pub topic: Option<Topic>,
    /// The signals.
    pub signals: Vec<Signal>,
    /// The rule's own test cases.
    pub examples: Vec<Example>,
    /// The file the rule came from.
    pub source: PathBuf,
}

/// All rules, compiled, with the shared multi-pattern index over text signals.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The rules in checklist order.
    pub rules: Vec<Rule>,
    /// One pattern per text signal trigger, for a single pass per sentence.
    pub text_index: RegexSet,
    /// For each pattern of `text_index`: (rule index, signal index).
    pub text_index_map: Vec<(usize, usize)>,
    /// Where the rules came from (`<inbyggda>` or a directory).
    pub origin: String,
}

impl RuleSet {
    /// The rules compiled into the binary.
    pub fn builtin() -> Result<Self, RuleErrors> {
        let files = collect_embedded(&BUILTIN_RULES);
        compile::compile_set(&files, "<inbyggda>")
    }

    /// Loads a rules directory (`common.toml` and `items/*.toml`).
    pub fn from_dir(dir: &Path) -> Result<Self, RuleErrors> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        let common = dir.join("common.toml");
        if common.exists() {
            match std::fs::read_to_string(&common) {
                Ok(text) => files.push((common.clone(), text)),
                Err(e) => errors.push(io_error(&common, &e)),
            }
        }
        let items = dir.join("items");
        match std::fs::read_dir(&items) {
            Ok(entries) => {
                let mut paths: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect();
                paths.sort();
                for p in paths {
                    match std::fs::read_to_string(&p) {
                        Ok(text) => files.push((p, text)),
                        Err(e) => errors.push(io_error(&p, &e)),
                    }
                }
            }
            Err(e) => errors.push(io_error(&items, &e)),
        }
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        compile::compile_set(&files, &dir.display().to_string())
    }

    /// The rule of an item id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// True when some rule wants the crawler to follow this link or frame target one hop
    /// off-site (a `follow = true` link or frame signal whose target conditions match).
    pub fn wants_follow(&self, target: &url::Url, anchor_folded: &str) -> bool {
        self.rules.iter().flat_map(|r| &r.signals).any(|s| {
            s.follow
                && matches!(s.kind, SignalKind::Link | SignalKind::Frame)
                && target_matches(s, target)
                && (s.kind == SignalKind::Frame
                    || s.trigger.as_ref().is_none_or(|t| t.is_match(anchor_folded)))
        })
    }
}

/// Whether a link/frame target satisfies a signal's `href` and `host` conditions.
pub fn target_matches(signal: &Signal, target: &url::Url) -> bool {
    let host = target.host_str().unwrap_or("").to_ascii_lowercase();
    target_matches_folded(signal, &host, &crate::text::fold(target.as_str()))
}

/// [`target_matches`] on a lowercase host and a folded URL computed beforehand.
pub fn target_matches_folded(signal: &Signal, host: &str, folded_url: &str) -> bool {
    let host_ok = signal.host.is_empty()
        || signal.host.iter().any(|h| {
            host == h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
                || (h.ends_with('.') && host.starts_with(h.as_str()))
        });
    let href_ok =
        signal.href.is_empty() || signal.href.iter().any(|h| folded_url.contains(h.as_str()));
    host_ok && href_ok
}

fn io_error(path: &Path, e: &std::io::Error) -> RuleError {
    RuleError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        field: String::new(),
        message: format!("kan inte läsas: {e}"),
    }
}

fn collect_embedded(dir: &Dir<'static>) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    if let Some(f) = dir.get_file("common.toml") {
        files.push((
            PathBuf::from("<inbyggda>/common.toml"),
            f.contents_utf8().unwrap_or("").to_owned(),
        ));
    }
    if let Some(items) = dir.get_dir("items") {
        let mut entries: Vec<_> = items
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
            .collect();
        entries.sort_by_key(|f| f.path());
        for f in entries {
            files.push((
                Path::new("<inbyggda>").join(f.path()),
                f.contents_utf8().unwrap_or("").to_owned(),
            ));
        }
    }
    files
}
