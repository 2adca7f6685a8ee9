//! External indicators: values that are not on the web (a survey share from
//! Socialstyrelsen, a register figure), read from a CSV keyed by
//! municipality code and joined to the model like any item.
//!
//! The file has a header with the columns `kod`, `indicator_id` and `value`
//! (comma- or semicolon-separated, UTF-8, an optional BOM). `value` is a
//! number 0–1 (a share) or 0/1 (yes/no); a decimal comma is accepted.
//! Every indicator must be declared in the model with `source = "external"`.

use std::collections::HashMap;
use std::path::Path;

use super::{Model, ScoreError};
use crate::registry::MunicipalityCode;

/// Indicator values per (municipality code, indicator id), each 0–1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExternalIndicators {
    values: HashMap<(String, String), f64>,
}

impl ExternalIndicators {
    /// Reads and checks a CSV against the model's declared indicators.
    pub fn from_csv(path: &Path, model: &Model) -> Result<Self, ScoreError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScoreError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path, model)
    }

    /// Parses CSV text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, model: &Model) -> Result<Self, ScoreError> {
        let err = |line: u64, message: String| ScoreError::External {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text.lines().next().unwrap_or("");
        let delimiter = if first.contains(';') && !first.contains(',') {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| err(1, format!("rubrikraden kan inte läsas: {e}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    err(
                        1,
                        format!(
                            "kolumnen {name:?} saknas; rubrikraden ska vara kod,indicator_id,value"
                        ),
                    )
                })
        };
        let (kod, indicator, value) = (column("kod")?, column("indicator_id")?, column("value")?);
        let declared: Vec<&str> = model.external_ids().collect();
        // The reader's positions start before skipped blank lines: step over
        // them and count the lines from the byte offset.
        let bytes = text.as_bytes();
        let line_of = |pos: Option<&csv::Position>| {
            pos.map_or(0, |p| {
                let mut start = usize::try_from(p.byte())
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                    start += 1;
                }
                text.get(..start).map_or(0, |t| t.matches('\n').count()) as u64 + 1
            })
        };
        let mut values = HashMap::new();
        for record in reader.records() {
            let record = record
                .map_err(|e| err(line_of(e.position()), format!("raden kan inte läsas: {e}")))?;
            let line = line_of(record.position());
            let field = |i: usize| record.get(i).unwrap_or("");
            if record.iter().all(str::is_empty) {
                continue;
            }
            let code = MunicipalityCode::parse(field(kod)).ok_or_else(|| {
                err(
                    line,
                    format!("kod {:?} är inte en kommunkod med fyra siffror", field(kod)),
                )
            })?;
            let id = field(indicator);
            if !declared.contains(&id) {
                let known = if declared.is_empty() {
                    "modellen har inga externa indikatorer".to_owned()
                } else {
                    format!("deklarerade: {}", declared.join(", "))
                };
                return Err(err(
                    line,
                    format!(
                        "indikatorn {id:?} är inte deklarerad i modellen med source = \"external\" ({known})"
                    ),
                ));
            }
            let raw = field(value);
            let number: f64 = raw
                .replace(',', ".")
                .parse()
                .map_err(|_| err(line, format!("värdet {raw:?} är inte ett tal")))?;
            if !(0.0..=1.0).contains(&number) {
                return Err(err(
                    line,
                    format!("värdet {raw} ligger utanför 0–1 (en andel eller 0/1)"),
                ));
            }
            let key = (code.as_str().to_owned(), id.to_owned());
            if values.insert(key, number).is_some() {
                return Err(err(
                    line,
                    format!("kommun {code} har redan ett värde för {id:?}"),
                ));
            }
        }
        Ok(Self { values })
    }

    /// The value of `indicator` for the municipality `code`.
    pub fn get(&self, code: &str, indicator: &str) -> Option<f64> {
        self.values
            .get(&(code.to_owned(), indicator.to_owned()))
            .copied()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
