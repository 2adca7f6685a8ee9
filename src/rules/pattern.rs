//! The phrase language of rule files, compiled to regular expressions.
//!
//! Rules match *folded* text ([`crate::text::fold`]: lowercase ASCII, å/ä/ö
//! → a/a/o), so phrases are folded too and may be written with or without
//! diacritics. A phrase is a sequence of tokens separated by spaces:
//!
//! | token | matches |
//! |---|---|
//! | `avgift` | the word *avgift* (whole word) |
//! | `avgift*` | words starting with *avgift*: avgiften, avgifter, avgiftsberäkning |
//! | `*avgift` | words ending with *avgift*: hemtjänstavgift, omsorgsavgift |
//! | `*avgift*` | any word containing *avgift* |
//! | `e-tjänst` | *e-tjänst* and *etjänst* (a hyphen inside a word is optional) |
//! | `..` | a gap of up to three words |
//! | `@name` | any phrase of the term list `name` in `rules/common.toml` |
//! | `{NAME}` | the raw regex macro `NAME` of `rules/common.toml` |
//!
//! Words follow each other with spaces, hyphens or slashes between them.
//! Raw `regex` entries are used as they are (on folded text), with
//! `{NAME}` macros expanded.

use std::collections::BTreeMap;

use crate::text::fold;

/// A word boundary on folded (ASCII) text.
const B: &str = r"(?-u:\b)";
/// A word character on folded text (digits count: "14 dagar").
const W: &str = r"[0-9a-z_]";
/// The separator between two words of a phrase.
const SEP: &str = r"[\s/\-]+";
/// A gap of up to three words.
const GAP: &str = r"(?:[\s/\-,]+[^\s]+){0,3}?[\s/\-,]+";

/// Shared vocabulary: term lists (`@name`) and regex macros (`{NAME}`).
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    terms: BTreeMap<String, Vec<String>>,
    macros: BTreeMap<String, String>,
}

impl Vocabulary {
    /// Builds a vocabulary from raw term lists and macros.
    ///
    /// Macros may use other macros; they are expanded here (up to eight
    /// levels deep, which also stops a macro that refers to itself).
    pub fn new(terms: BTreeMap<String, Vec<String>>, macros: BTreeMap<String, String>) -> Self {
        let mut vocab = Self { terms, macros };
        for _ in 0..8 {
            let expanded: BTreeMap<String, String> = vocab
                .macros
                .iter()
                .map(|(k, v)| (k.clone(), vocab.expand(v).unwrap_or_else(|_| v.clone())))
                .collect();
            if expanded == vocab.macros {
                break;
            }
            vocab.macros = expanded;
        }
        for m in vocab.macros.values_mut() {
            *m = ascii_boundaries(m);
        }
        vocab
    }

    /// The names of all term lists.
    pub fn term_names(&self) -> impl Iterator<Item = &str> {
        self.terms.keys().map(String::as_str)
    }

    /// Compiles a phrase to a regex source. Errors are Swedish messages.
    pub fn phrase(&self, phrase: &str) -> Result<String, String> {
        self.phrase_at_depth(phrase, 0)
    }

    fn phrase_at_depth(&self, phrase: &str, depth: usize) -> Result<String, String> {
        if depth > 8 {
            return Err("termlistorna hänvisar till varandra i en slinga".to_owned());
        }
        let tokens: Vec<&str> = phrase.split_whitespace().collect();
        if tokens.is_empty() {
            return Err("frasen är tom".to_owned());
        }
        if tokens.first() == Some(&"..") || tokens.last() == Some(&"..") {
            return Err("'..' måste stå mellan två ord".to_owned());
        }
        let mut out = String::new();
        let mut gap = false;
        for (i, token) in tokens.iter().enumerate() {
            if *token == ".." {
                gap = true;
                continue;
            }
            if i > 0 {
                out.push_str(if gap { GAP } else { SEP });
            }
            gap = false;
            out.push_str(&self.token(token, depth)?);
        }
        Ok(out)
    }

    fn token(&self, token: &str, depth: usize) -> Result<String, String> {
        if let Some(name) = token.strip_prefix('@') {
            let list = self
                .terms
                .get(name)
                .ok_or_else(|| format!("okänd termlista '@{name}'"))?;
            let alts = list
                .iter()
                .map(|p| self.phrase_at_depth(p, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(format!("(?:{})", alts.join("|")));
        }
        if let Some(name) = token.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            return self.macro_source(name);
        }
        let folded = fold(token);
        let (prefix_any, rest) = match folded.strip_prefix('*') {
            Some(r) => (true, r),
            None => (false, folded.as_str()),
        };
        let (suffix_any, core) = match rest.strip_suffix('*') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if core.is_empty() {
            return Err(format!("'{token}' har inget ord"));
        }
        if core.contains('*') {
            return Err(format!(
                "'*' får bara stå först eller sist i ett ord ('{token}')"
            ));
        }
        // A hyphen inside a word is optional ("e-tjänst" = "etjänst"); a
        // trailing one ("va-*") is literal.
        let escaped = match core.strip_suffix('-') {
            Some(body) => format!("{}-", regex::escape(body).replace(r"\-", "-?")),
            None => regex::escape(core).replace(r"\-", "-?"),
        };
        let starts_word = core.starts_with(|c: char| c.is_ascii_alphanumeric());
        let ends_word = core.ends_with(|c: char| c.is_ascii_alphanumeric());
        let mut s = String::new();
        if prefix_any {
            s.push_str(W);
            s.push('*');
        } else if starts_word {
            s.push_str(B);
        }
        s.push_str(&escaped);
        if suffix_any {
            s.push_str(W);
            s.push('*');
        } else if ends_word {
            s.push_str(B);
        }
        Ok(s)
    }

    fn macro_source(&self, name: &str) -> Result<String, String> {
        self.macros
            .get(name)
            .map(|m| format!("(?:{m})"))
            .ok_or_else(|| format!("okänt makro '{{{name}}}'"))
    }

    /// Expands `{NAME}` macros in a raw regex, and makes `\b`/`\B` ASCII word
    /// boundaries (folded text is ASCII; a Unicode boundary would keep the
    /// regex engine off its fast DFA on any non-ASCII byte).
    pub fn regex(&self, source: &str) -> Result<String, String> {
        Ok(ascii_boundaries(&self.expand(source)?))
    }

    fn expand(&self, source: &str) -> Result<String, String> {
        let mut out = String::with_capacity(source.len());
        let mut rest = source;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
                .unwrap_or(after.len());
            let is_macro = name_len > 0
                && after[name_len..].starts_with('}')
                && after.starts_with(|c: char| c.is_ascii_uppercase());
            if is_macro {
                out.push_str(&rest[..start]);
                out.push_str(&self.macro_source(&after[..name_len])?);
                rest = &after[name_len + 1..];
            } else {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Rewrites `\b` and `\B` (outside character classes) as `(?-u:\b)` / `(?-u:\B)`.
///
/// Boundaries already written as `(?-u:\b)` are kept as they are.
fn ascii_boundaries(re: &str) -> String {
    const KEEP_B: &str = "\u{0}b";
    const KEEP_NB: &str = "\u{0}B";
    let re = re
        .replace(r"(?-u:\b)", KEEP_B)
        .replace(r"(?-u:\B)", KEEP_NB);
    let mut out = String::with_capacity(re.len() + 16);
    let mut chars = re.chars().peekable();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(b @ ('b' | 'B')) if in_class == 0 => {
                    out.push_str("(?-u:\\");
                    out.push(b);
                    out.push(')');
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.replace(KEEP_B, r"(?-u:\b)")
        .replace(KEEP_NB, r"(?-u:\B)")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use regex::Regex;

    fn vocab() -> Vocabulary {
        let mut terms = BTreeMap::new();
        terms.insert(
            "tid".to_owned(),
            vec!["dag*".to_owned(), "veck*".to_owned()],
        );
        terms.insert("loop".to_owned(), vec!["@loop".to_owned()]);
        let mut macros = BTreeMap::new();
        macros.insert("N".to_owned(), r"\d+|tre".to_owned());
        macros.insert("NN".to_owned(), r"{N}-{N}".to_owned());
        Vocabulary::new(terms, macros)
    }

    fn matches(phrase: &str, text: &str) -> bool {
        let re = Regex::new(&vocab().phrase(phrase).unwrap()).unwrap();
        re.is_match(&fold(text))
    }

    #[test]
    fn words_prefixes_and_suffixes() {
        assert!(matches("avgift", "Din avgift."));
        assert!(!matches("avgift", "Avgiften"));
        assert!(matches("avgift*", "Avgiften"));
        assert!(matches("*avgift", "hemtjänstavgift"));
        assert!(!matches("*avgift", "avgifter"));
        assert!(matches(
            "räkna ut .. avgift*",
            "Räkna ut din preliminära avgift"
        ));
        assert!(!matches("räkna ut .. avgift*", "Räkna ut a b c d avgift"));
        assert!(matches("e-tjänst*", "via etjänsten"));
        assert!(matches("e-tjänst*", "via e‑tjänsten"));
        assert!(matches("äldre omsorg", "äldre-omsorg"));
        assert!(matches("va-*", "va-avgift"));
        assert!(!matches("va-*", "vad det blir"));
    }

    #[test]
    fn terms_and_macros() {
        assert!(matches("{N} @tid", "inom tre veckor"));
        assert!(matches("{N} @tid", "14 dagar"));
        assert!(!matches("{N} @tid", "fyra månader"));
        assert!(vocab().phrase("@loop").unwrap_err().contains("slinga"));
        assert!(vocab().phrase("@nope").unwrap_err().contains("okänd"));
        assert!(vocab().phrase("..").is_err());
        assert!(vocab().phrase("a*b").is_err());
        assert_eq!(vocab().regex(r"x{N}y{2}").unwrap(), r"x(?:\d+|tre)y{2}");
        assert!(vocab().regex("{NOPE}").is_err());
        assert_eq!(
            vocab().regex(r"\bkr\b[\b]\\b").unwrap(),
            r"(?-u:\b)kr(?-u:\b)[\b]\\b"
        );
        assert_eq!(vocab().regex(r"(?-u:\b)x").unwrap(), r"(?-u:\b)x");
        assert_eq!(
            vocab().regex("{NN}").unwrap(),
            r"(?:(?:\d+|tre)-(?:\d+|tre))"
        );
    }
}
