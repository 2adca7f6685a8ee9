//! Measuring rules against labelled pages (`infokoll eval`).
//!
//! A labels file has the columns `file,url,kommun,item,present,note`; one
//! row per labelled (page, item) pair. Pairs that are not listed are
//! unlabelled and left out. Precision and recall are computed per item
//! and over all rows (micro), and every miss and false alarm is listed
//! with its evidence.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect::{detect, Evidence, PageContext};
use crate::rules::RuleSet;

/// Errors reading pages or labels.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("kan inte läsa {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The `--pages`/`--labels` pairs or the set directory do not fit together.
    #[error("{0}")]
    Sets(String),
    /// A labels row does not parse.
    #[error("{path}:{line}: {message}")]
    Label {
        /// The labels file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
struct LabelRow {
    file: String,
    url: String,
    #[allow(dead_code)]
    kommun: String,
    item: String,
    present: u8,
    #[allow(dead_code)]
    note: String,
}

/// Counts and rates of one item (or of all).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// True negatives.
    pub tn: usize,
    /// TP / (TP + FP); `None` when nothing was reported.
    pub precision: Option<f64>,
    /// TP / (TP + FN); `None` when there are no positives.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
}

impl Score {
    fn finish(&mut self) {
        let p = (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64);
        let r = (self.tp + self.fn_ > 0).then(|| self.tp as f64 / (self.tp + self.fn_) as f64);
        self.f1 = match (p, r) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        self.precision = p;
        self.recall = r;
    }
}

/// A labelled pair the rules got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Mistake {
    /// The page file.
    pub file: String,
    /// The item.
    pub item: String,
    /// What the label says.
    pub present: bool,
    /// The confidence the rules gave.
    pub confidence: f64,
    /// The evidence (for a false alarm) or the nearest evidence (for a miss).
    pub evidence: Vec<Evidence>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Per item, sorted by id.
    pub items: BTreeMap<String, Score>,
    /// Over all labelled rows.
    pub overall: Score,
    /// Every miss and false alarm.
    pub mistakes: Vec<Mistake>,
    /// Pages read.
    pub pages: usize,
    /// The labelled sets measured, in order (their directory names).
    pub sets: Vec<String>,
}

/// One labelled set: a directory of pages and its labels file.
#[derive(Debug, Clone)]
pub struct LabelledSet {
    /// The directory with the page files.
    pub pages: PathBuf,
    /// The labels CSV.
    pub labels: PathBuf,
}

impl LabelledSet {
    /// The set's name: the name of the directory that holds its labels file.
    pub fn name(&self) -> String {
        self.labels.parent().and_then(Path::file_name).map_or_else(
            || self.labels.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Pairs `--pages` and `--labels` given in the same order.
    pub fn pairs(pages: &[PathBuf], labels: &[PathBuf]) -> Result<Vec<Self>, EvalError> {
        if pages.len() != labels.len() {
            return Err(EvalError::Sets(format!(
                "--pages och --labels måste anges lika många gånger (nu {} och {})",
                pages.len(),
                labels.len()
            )));
        }
        Ok(pages
            .iter()
            .zip(labels)
            .map(|(p, l)| Self {
                pages: p.clone(),
                labels: l.clone(),
            })
            .collect())
    }

    /// The sets in `dir`: `dir` itself when it holds `labels.csv` and `pages/`,
    /// else every subdirectory (sorted by name) that does.
    pub fn in_dir(dir: &Path) -> Result<Vec<Self>, EvalError> {
        let one = |d: &Path| {
            let labels = d.join("labels.csv");
            let pages = d.join("pages");
            (labels.is_file() && pages.is_dir()).then_some(Self { pages, labels })
        };
        if let Some(set) = one(dir) {
            return Ok(vec![set]);
        }
        let entries = std::fs::read_dir(dir).map_err(|source| EvalError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let sets: Vec<Self> = dirs.iter().filter_map(|d| one(d)).collect();
        if sets.is_empty() {
            return Err(EvalError::Sets(format!(
                "{} innehåller ingen uppsättning (labels.csv och pages/)",
                dir.display()
            )));
        }
        Ok(sets)
    }
}

/// Runs the rules on every labelled page in `pages` and compares with `labels`.
pub fn evaluate(rules: &RuleSet, pages: &Path, labels: &Path) -> Result<EvalReport, EvalError> {
    evaluate_sets(
        rules,
        &[LabelledSet {
            pages: pages.to_path_buf(),
            labels: labels.to_path_buf(),
        }],
    )
}

/// Runs the rules on several labelled sets and gives one combined report;
/// with more than one set, mistakes name their page as `set/file`.
pub fn evaluate_sets(rules: &RuleSet, sets: &[LabelledSet]) -> Result<EvalReport, EvalError> {
    let mut report = EvalReport {
        items: BTreeMap::new(),
        overall: Score::default(),
        mistakes: Vec::new(),
        pages: 0,
        sets: sets.iter().map(LabelledSet::name).collect(),
    };
    for set in sets {
        let prefix = if sets.len() > 1 {
            format!("{}/", set.name())
        } else {
            String::new()
        };
        add_set(rules, set, &prefix, &mut report)?;
    }
    for s in report.items.values_mut() {
        s.finish();
    }
    report.overall.finish();
    Ok(report)
}

/// Adds one set's counts and mistakes to `report`.
fn add_set(
    rules: &RuleSet,
    set: &LabelledSet,
    prefix: &str,
    report: &mut EvalReport,
) -> Result<(), EvalError> {
    let (pages, labels) = (set.pages.as_path(), set.labels.as_path());
    let text = std::fs::read_to_string(labels).map_err(|source| EvalError::Io {
        path: labels.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize::<LabelRow>().enumerate() {
        let row = row.map_err(|e| EvalError::Label {
            path: labels.to_path_buf(),
            line: e.position().map_or(i as u64 + 2, csv::Position::line),
            message: e.to_string(),
        })?;
        rows.push(row);
    }
    let mut cache: HashMap<String, Vec<crate::detect::PageFinding>> = HashMap::new();
    for row in &rows {
        if !cache.contains_key(&row.file) {
            let path = pages.join(&row.file);
            let body = std::fs::read(&path).map_err(|source| EvalError::Io { path, source })?;
            let url = url::Url::parse(&row.url)
                .or_else(|_| url::Url::parse(crate::rules::EXAMPLE_URL))
                .map_err(|e| EvalError::Label {
                    path: labels.to_path_buf(),
                    line: 0,
                    message: e.to_string(),
                })?;
            let doc = crate::extract::parse_html(&url, &body, None);
            cache.insert(
                row.file.clone(),
                detect(rules, &doc, &PageContext::default()),
            );
            report.pages += 1;
        }
        let findings = &cache[&row.file];
        let finding = findings.iter().find(|f| f.item == row.item);
        let threshold = rules
            .get(&row.item)
            .map_or(crate::rules::DEFAULT_THRESHOLD, |r| r.threshold);
        let confidence = finding.map_or(0.0, |f| f.confidence);
        let got = confidence >= threshold;
        let want = row.present == 1;
        let score = report.items.entry(row.item.clone()).or_default();
        for s in [&mut *score, &mut report.overall] {
            match (got, want) {
                (true, true) => s.tp += 1,
                (true, false) => s.fp += 1,
                (false, true) => s.fn_ += 1,
                (false, false) => s.tn += 1,
            }
        }
        if got != want {
            report.mistakes.push(Mistake {
                file: format!("{prefix}{}", row.file),
                item: row.item.clone(),
                present: want,
                confidence,
                evidence: finding.map(|f| f.evidence.clone()).unwrap_or_default(),
            });
        }
    }
    Ok(())
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "   –  ".to_owned(), |v| format!("{:6.1}", v * 100.0))
}

impl EvalReport {
    /// A Swedish table of the figures, then the mistakes.
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<24} {:>4} {:>4} {:>4} {:>4} {:>7} {:>7} {:>7}",
            "punkt", "TP", "FP", "FN", "TN", "prec %", "träff %", "F1 %"
        );
        for (id, s) in self
            .items
            .iter()
            .chain(std::iter::once((&"TOTALT".to_owned(), &self.overall)))
        {
            let _ = writeln!(
                out,
                "{:<24} {:>4} {:>4} {:>4} {:>4} {:>7} {:>7} {:>7}",
                id,
                s.tp,
                s.fp,
                s.fn_,
                s.tn,
                pct(s.precision),
                pct(s.recall),
                pct(s.f1)
            );
        }
        let _ = writeln!(
            out,
            "\n{} sidor i {} ({}). Fel: {}",
            self.pages,
            if self.sets.len() == 1 {
                "1 uppsättning".to_owned()
            } else {
                format!("{} uppsättningar", self.sets.len())
            },
            self.sets.join(", "),
            self.mistakes.len()
        );
        for m in &self.mistakes {
            let kind = if m.present { "MISSAD" } else { "FALSKLARM" };
            let _ = writeln!(
                out,
                "{kind:<10} {} {} (säkerhet {:.2})",
                m.file, m.item, m.confidence
            );
            for e in m.evidence.iter().take(3) {
                let _ = writeln!(
                    out,
                    "           [{} {:.2}] {}",
                    e.signal,
                    e.weight,
                    e.snippet.replace('\n', " ")
                );
            }
        }
        out
    }
}
