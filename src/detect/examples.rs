//! Runs the rules' own `[[example]]`s (`infokoll rules test`).

use serde::Serialize;

use crate::rules::RuleSet;

/// An example whose outcome differs from what its rule file says.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleFailure {
    /// The rule id.
    pub rule: String,
    /// The rule file.
    pub path: String,
    /// Line of the example's `html`.
    pub line: usize,
    /// What the example expected.
    pub expected: bool,
    /// The confidence detection gave.
    pub confidence: f64,
    /// The example's note.
    pub note: Option<String>,
}

/// Result of running all examples.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleReport {
    /// Examples run.
    pub total: usize,
    /// Examples that did not come out as expected.
    pub failures: Vec<ExampleFailure>,
}

/// Runs every example of every rule.
pub fn run_examples(rules: &RuleSet) -> ExampleReport {
    let mut total = 0;
    let mut failures = Vec::new();
    for rule in &rules.rules {
        for ex in &rule.examples {
            total += 1;
            let findings = super::detect_html(rules, &ex.url, ex.html.as_bytes());
            let conf = findings
                .iter()
                .find(|f| f.item == rule.id)
                .map_or(0.0, |f| f.confidence);
            if (conf >= rule.threshold) != ex.present {
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    path: rule.source.display().to_string(),
                    line: ex.line,
                    expected: ex.present,
                    confidence: conf,
                    note: ex.note.clone(),
                });
            }
        }
    }
    ExampleReport { total, failures }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_pass_their_examples() {
        let rules = match RuleSet::builtin() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let report = run_examples(&rules);
        assert!(report.total >= rules.rules.len() * 2, "too few examples");
        let msgs: Vec<String> = report
            .failures
            .iter()
            .map(|f| {
                format!(
                    "{}:{} väntat {} fick {:.2} ({:?})",
                    f.path, f.line, f.expected, f.confidence, f.note
                )
            })
            .collect();
        assert!(msgs.is_empty(), "{}", msgs.join("\n"));
    }
}
