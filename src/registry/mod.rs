//! The registry: Sweden's 290 municipalities, compiled into the binary.
//!
//! The list comes from `kommuner.csv` beside this file (copied from the
//! shared data set; `SOURCES.md` beside it names its sources). Layer 0:
//! no network, no other module.
//!
//! # Architecture
//! - [`Municipality`]: one row (code, name, county, homepage, population)
//! - [`SizeGroup`]: the index's three population groups
//! - [`Registry`]: the list with look-ups by code, name or host

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::text::fold;

/// The embedded registry, as shipped.
const KOMMUNER_CSV: &str = include_str!("kommuner.csv");
/// The sources note of the embedded registry.
pub const SOURCES: &str = include_str!("SOURCES.md");

/// Errors while reading a registry file.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read.
    #[error("kan inte läsa registret {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A row does not parse.
    #[error("{path}:{line}: {message}")]
    Row {
        /// The file (`<inbyggt>` for the embedded list).
        path: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// The population size groups used by the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeGroup {
    /// Under 30 000 inhabitants.
    Small,
    /// 30 000–70 000 inhabitants.
    Medium,
    /// Over 70 000 inhabitants.
    Large,
}

impl SizeGroup {
    /// The group of a population figure.
    pub fn of(population: u32) -> Self {
        match population {
            0..30_000 => Self::Small,
            30_000..=70_000 => Self::Medium,
            _ => Self::Large,
        }
    }

    /// Swedish label for reports.
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Small => "under 30 000 invånare",
            Self::Medium => "30 000–70 000 invånare",
            Self::Large => "över 70 000 invånare",
        }
    }
}

/// A four-digit municipality code such as `"0188"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Parses a code: exactly four ASCII digits.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Municipality {
    /// The code, e.g. `0188`.
    pub code: MunicipalityCode,
    /// The short name, e.g. `Norrtälje`.
    pub name: String,
    /// The county code, e.g. `01`.
    pub county_code: String,
    /// The county, e.g. `Stockholms län`.
    pub county: String,
    /// The municipality's website.
    pub homepage: Url,
    /// Inhabitants.
    pub population: u32,
    /// The year of the population figure.
    pub population_year: u16,
}

impl Municipality {
    /// The size group of the municipality.
    pub fn size_group(&self) -> SizeGroup {
        SizeGroup::of(self.population)
    }
}

#[derive(Debug, Deserialize)]
struct RawRow {
    kod: String,
    namn: String,
    lan_kod: String,
    lan: String,
    webbplats: String,
    befolkning: u32,
    befolkning_ar: u16,
}

/// The list of municipalities.
#[derive(Debug, Clone)]
pub struct Registry {
    municipalities: Vec<Municipality>,
}

impl Registry {
    /// The registry compiled into the binary (290 municipalities).
    pub fn builtin() -> Self {
        match Self::parse(KOMMUNER_CSV, "<inbyggt>") {
            Ok(r) => r,
            // The embedded file is checked by a unit test; an empty list
            // is the only sane fallback for a binary that cannot change it.
            Err(_) => Self {
                municipalities: Vec::new(),
            },
        }
    }

    /// Reads a registry CSV with the columns of the embedded one
    /// (`kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar`).
    pub fn from_file(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses registry CSV text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, RegistryError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut municipalities = Vec::new();
        for row in reader.deserialize::<RawRow>() {
            let row_err = |line: u64, message: String| RegistryError::Row {
                path: origin.to_owned(),
                line,
                message,
            };
            let row = row.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                row_err(line, e.to_string())
            })?;
            let line = municipalities.len() as u64 + 2;
            let code = MunicipalityCode::parse(&row.kod).ok_or_else(|| {
                row_err(
                    line,
                    format!("fältet 'kod': '{}' är inte fyra siffror", row.kod),
                )
            })?;
            let homepage = Url::parse(&row.webbplats).map_err(|e| {
                row_err(
                    line,
                    format!("fältet 'webbplats': '{}': {e}", row.webbplats),
                )
            })?;
            municipalities.push(Municipality {
                code,
                name: row.namn,
                county_code: row.lan_kod,
                county: row.lan,
                homepage,
                population: row.befolkning,
                population_year: row.befolkning_ar,
            });
        }
        Ok(Self { municipalities })
    }

    /// All municipalities in file order.
    pub fn all(&self) -> &[Municipality] {
        &self.municipalities
    }

    /// Looks up by four-digit code.
    pub fn by_code(&self, code: &str) -> Option<&Municipality> {
        self.municipalities
            .iter()
            .find(|m| m.code.as_str() == code.trim())
    }

    /// Looks up by name, ignoring case, diacritics and a trailing "kommun"
    /// (`"norrtalje"`, `"Norrtälje kommun"` and `"NORRTÄLJE"` all match).
    pub fn by_name(&self, name: &str) -> Option<&Municipality> {
        let wanted = fold(name);
        let wanted = wanted.trim_end_matches(" kommun").trim();
        self.municipalities.iter().find(|m| fold(&m.name) == wanted)
    }

    /// Looks up by code or name.
    pub fn find(&self, key: &str) -> Option<&Municipality> {
        self.by_code(key).or_else(|| self.by_name(key))
    }

    /// The municipality whose homepage shares the registrable domain of `host`.
    pub fn by_host(&self, host: &str) -> Option<&Municipality> {
        let want = registrable(host)?;
        self.municipalities
            .iter()
            .find(|m| m.homepage.host_str().and_then(registrable).as_deref() == Some(&want))
    }
}

/// The registrable domain ("eTLD+1") of a host, lowercased: `www.solvik.se` → `solvik.se`.
pub fn registrable(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&host).map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_290_unique_codes_and_21_counties() {
        let r = Registry::parse(KOMMUNER_CSV, "<inbyggt>").unwrap();
        assert_eq!(r.all().len(), 290);
        let codes: std::collections::HashSet<_> = r.all().iter().map(|m| m.code.clone()).collect();
        assert_eq!(codes.len(), 290);
        let counties: std::collections::HashSet<_> = r.all().iter().map(|m| &m.county).collect();
        assert_eq!(counties.len(), 21);
        assert_eq!(
            r.all().iter().map(|m| u64::from(m.population)).sum::<u64>(),
            10_587_710
        );
    }

    #[test]
    fn lookups_by_code_name_and_host() {
        let r = Registry::builtin();
        assert_eq!(r.by_code("0188").unwrap().name, "Norrtälje");
        assert_eq!(r.find("norrtalje kommun").unwrap().code.as_str(), "0188");
        assert_eq!(r.find("Norrtälje").unwrap().code.as_str(), "0188");
        assert_eq!(r.by_host("www.norrtalje.se").unwrap().name, "Norrtälje");
        assert!(r.find("Atlantis").is_none());
    }

    #[test]
    fn size_groups_follow_the_index_bounds() {
        assert_eq!(SizeGroup::of(29_999), SizeGroup::Small);
        assert_eq!(SizeGroup::of(30_000), SizeGroup::Medium);
        assert_eq!(SizeGroup::of(70_000), SizeGroup::Medium);
        assert_eq!(SizeGroup::of(70_001), SizeGroup::Large);
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let csv = "kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n0114,A,01,S,https://a.se/,1,2024\n12,B,01,S,https://b.se/,1,2024\n";
        let e = Registry::parse(csv, "x.csv").unwrap_err().to_string();
        assert!(e.starts_with("x.csv:3:"), "{e}");
        assert!(e.contains("'kod'"), "{e}");
    }

    #[test]
    fn registrable_domain() {
        assert_eq!(
            registrable("e-tjanster.Solvik.se").as_deref(),
            Some("solvik.se")
        );
        assert_eq!(
            registrable("start.stockholm").as_deref(),
            Some("start.stockholm")
        );
    }
}
