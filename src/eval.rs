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
}

/// Runs the rules on every labelled page in `pages` and compares with `labels`.
pub fn evaluate(rules: &RuleSet, pages: &Path, labels: &Path) -> Result<EvalReport, EvalError> {
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
    let mut report = EvalReport {
        items: BTreeMap::new(),
        overall: Score::default(),
        mistakes: Vec::new(),
        pages: 0,
    };
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
                file: row.file.clone(),
                item: row.item.clone(),
                present: want,
                confidence,
                evidence: finding.map(|f| f.evidence.clone()).unwrap_or_default(),
            });
        }
    }
    for s in report.items.values_mut() {
        s.finish();
    }
    report.overall.finish();
    Ok(report)
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
        let _ = writeln!(out, "\n{} sidor. Fel: {}", self.pages, self.mistakes.len());
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
