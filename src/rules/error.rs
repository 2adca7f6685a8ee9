//! Errors of rule loading: every one names file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one rule file (or model file: `crate::score` uses the same type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleError {
    /// The rule file (or `<inbyggd>/name.toml` for embedded rules).
    pub path: PathBuf,
    /// 1-based line of the offending value (0 when unknown).
    pub line: usize,
    /// 1-based column of the offending value (0 when unknown).
    pub column: usize,
    /// The field, e.g. `signal[2].phrases[0]` (empty for whole-file errors).
    pub field: String,
    /// What is wrong (Swedish, like all user-facing text).
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": fält '{}': {}", self.field, self.message)
        }
    }
}

/// All problems found while loading a rule set (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one file into line/column positions.
pub(crate) struct Locator<'a> {
    path: &'a Path,
    source: &'a str,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(path: &'a Path, source: &'a str) -> Self {
        Self { path, source }
    }

    /// 1-based (line, column) of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.source[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    /// An error at a byte span.
    pub(crate) fn error(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> RuleError {
        let (line, column) = self.position(span.start);
        RuleError {
            path: self.path.to_path_buf(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// An error for the whole file.
    pub(crate) fn file_error(&self, message: impl Into<String>) -> RuleError {
        RuleError {
            path: self.path.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let src = "a = 1\nbb = 'x'\n";
        let loc = Locator::new(Path::new("r.toml"), src);
        assert_eq!(loc.position(0), (1, 1));
        assert_eq!(loc.position(6), (2, 1));
        assert_eq!(loc.position(11), (2, 6));
        let e = loc.error(6..8, "bb", "fel");
        assert_eq!(e.to_string(), "r.toml:2:1: fält 'bb': fel");
    }
}
