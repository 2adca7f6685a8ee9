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

/// One registry row as written (trimmed fields).
struct RawRow<'a> {
    kod: &'a str,
    namn: &'a str,
    lan_kod: &'a str,
    lan: &'a str,
    webbplats: &'a str,
    befolkning: &'a str,
    befolkning_ar: &'a str,
}

impl RawRow<'_> {
    /// The municipality of a row, or what is wrong with it (naming the field).
    fn validate(&self) -> Result<Municipality, String> {
        let fields = [
            ("kod", self.kod),
            ("namn", self.namn),
            ("lan_kod", self.lan_kod),
            ("lan", self.lan),
            ("webbplats", self.webbplats),
            ("befolkning", self.befolkning),
            ("befolkning_ar", self.befolkning_ar),
        ];
        if let Some((name, _)) = fields.iter().find(|(_, v)| v.is_empty()) {
            return Err(format!("fältet '{name}' saknas eller är tomt"));
        }
        let code = MunicipalityCode::parse(self.kod)
            .ok_or_else(|| format!("fältet 'kod': '{}' är inte fyra siffror", self.kod))?;
        let population: u32 = self.befolkning.parse().map_err(|_| {
            format!(
                "fältet 'befolkning': '{}' är inte ett heltal",
                self.befolkning
            )
        })?;
        let population_year: u16 = self
            .befolkning_ar
            .parse()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| {
                format!(
                    "fältet 'befolkning_ar': '{}' är inte ett årtal",
                    self.befolkning_ar
                )
            })?;
        let homepage = homepage(self.webbplats)
            .map_err(|why| format!("fältet 'webbplats': '{}': {why}", self.webbplats))?;
        Ok(Municipality {
            code,
            name: self.namn.to_owned(),
            county_code: self.lan_kod.to_owned(),
            county: self.lan.to_owned(),
            homepage,
            population,
            population_year,
        })
    }
}

/// The 1-based line of the first non-blank character at or after `byte`.
fn line_of(text: &str, byte: usize) -> u64 {
    let start = text
        .get(byte..)
        .and_then(|rest| rest.find(|c| c != '\n' && c != '\r'))
        .map_or(text.len(), |i| byte + i);
    let before = text.get(..start).unwrap_or(text);
    before.matches('\n').count() as u64 + 1
}

/// A homepage address: http(s), with a host on the public web.
fn homepage(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "bara http och https kan granskas, inte {}",
            url.scheme()
        ));
    }
    if url.host().is_none() {
        return Err("adressen saknar värdnamn".to_owned());
    }
    if let Some(host) = crate::address::internal_host(&url) {
        return Err(format!(
            "{host} är en intern adress, inte den publika webben"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("adressen får inte innehålla användarnamn eller lösenord".to_owned());
    }
    Ok(url)
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
    ///
    /// Every row is validated: all columns present and non-empty, a
    /// four-digit code used once, a population that is a number, and a
    /// homepage that is an http(s) address on the public web. A file with
    /// no municipality at all is an error too.
    pub fn parse(text: &str, origin: &str) -> Result<Self, RegistryError> {
        let err = |line: u64, message: String| RegistryError::Row {
            path: origin.to_owned(),
            line,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| err(1, format!("rubrikraden kan inte läsas: {e}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| err(1, format!("kolumnen '{name}' saknas i rubrikraden")))
        };
        let cols = [
            column("kod")?,
            column("namn")?,
            column("lan_kod")?,
            column("lan")?,
            column("webbplats")?,
            column("befolkning")?,
            column("befolkning_ar")?,
        ];
        let mut municipalities = Vec::new();
        let mut first_line: std::collections::HashMap<MunicipalityCode, u64> =
            std::collections::HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                err(line, e.to_string())
            })?;
            let line = record
                .position()
                .map_or(0, |p| line_of(text, usize::try_from(p.byte()).unwrap_or(0)));
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let [kod, namn, lan_kod, lan, webbplats, befolkning, befolkning_ar] =
                cols.map(|i| record.get(i).unwrap_or("").trim());
            let raw = RawRow {
                kod,
                namn,
                lan_kod,
                lan,
                webbplats,
                befolkning,
                befolkning_ar,
            };
            let m = raw.validate().map_err(|message| err(line, message))?;
            if let Some(first) = first_line.insert(m.code.clone(), line) {
                return Err(err(
                    line,
                    format!("fältet 'kod': {} finns redan på rad {first}", m.code),
                ));
            }
            municipalities.push(m);
        }
        if municipalities.is_empty() {
            return Err(err(1, "registret har inga kommuner".to_owned()));
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
    fn invalid_registries_name_file_line_and_field() {
        let head = "kod,namn,lan_kod,lan,webbplats,befolkning,befolkning_ar\n";
        let ok = "0114,A,01,S,https://a.se/,1,2024\n";
        let cases = [
            (
                format!("{head}{ok}\n0114,B,01,S,https://b.se/,1,2024\n"),
                "x.csv:4:",
                "finns redan på rad 2",
            ),
            (
                format!("{head}{ok}0115,B,01,S,file:///etc/passwd,1,2024\n"),
                "x.csv:3:",
                "'webbplats'",
            ),
            (
                format!("{head}{ok}0115,B,01,S,ftp://b.se/,1,2024\n"),
                "x.csv:3:",
                "inte ftp",
            ),
            (
                format!("{head}{ok}0115,B,01,S,javascript:alert(1),1,2024\n"),
                "x.csv:3:",
                "'webbplats'",
            ),
            (
                format!("{head}{ok}0115,B,01,S,http://127.0.0.1:8080/,1,2024\n"),
                "x.csv:3:",
                "intern adress",
            ),
            (
                format!("{head}{ok}0115,B,01,S,http://localhost/,1,2024\n"),
                "x.csv:3:",
                "intern adress",
            ),
            (
                format!("{head}{ok}0115,B,01,S,http://[::1]/,1,2024\n"),
                "x.csv:3:",
                "intern adress",
            ),
            (
                format!("{head}{ok}0115,B,01,S,http://10.0.0.5/,1,2024\n"),
                "x.csv:3:",
                "intern adress",
            ),
            (
                format!("{head}{ok}0115,,01,S,https://b.se/,1,2024\n"),
                "x.csv:3:",
                "'namn' saknas",
            ),
            (
                format!("{head}{ok}0115,B,01,S,https://b.se/\n"),
                "x.csv:3:",
                "'befolkning' saknas",
            ),
            (
                format!("{head}{ok}0115,B,01,S,https://b.se/,många,2024\n"),
                "x.csv:3:",
                "'befolkning'",
            ),
            (
                format!("{head}{ok}0115,B,01,S,https://u:p@b.se/,1,2024\n"),
                "x.csv:3:",
                "lösenord",
            ),
            (
                "kod,namn,lan_kod,lan,befolkning,befolkning_ar\n".to_owned(),
                "x.csv:1:",
                "'webbplats'",
            ),
            (head.to_owned(), "x.csv:1:", "inga kommuner"),
            (String::new(), "x.csv:1:", "saknas"),
        ];
        for (csv, at, what) in cases {
            let e = Registry::parse(&csv, "x.csv").unwrap_err().to_string();
            assert!(e.starts_with(at) && e.contains(what), "{csv:?}: {e}");
        }
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
