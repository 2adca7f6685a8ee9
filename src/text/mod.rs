//! Swedish text handling for matching: folding and sentence splitting.
//!
//! Rules match on *folded* text: lowercased, å/ä/ö and other diacritics
//! reduced to ASCII (so "avgiftsberakning" in a URL and "avgiftsberäkning"
//! in a heading look the same), soft hyphens and zero-width characters
//! dropped, non-breaking and other Unicode spaces turned into one plain
//! space, and every dash (– — ‑ −) into `-`. Evidence keeps the original
//! text; [`Folded`] maps folded offsets back to it so matched words can be
//! highlighted. Layer 0: no other module.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for matching (see the module docs).
pub fn fold(s: &str) -> String {
    Folded::new(s).text
}

/// Folded text together with a map back to the original.
#[derive(Debug, Clone)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For every byte of `text`, the byte offset in the original of the char it came from.
    map: Vec<usize>,
    /// Length of the original text in bytes.
    original_len: usize,
}

impl Folded {
    /// Folds `s`, remembering where each folded byte came from.
    pub fn new(s: &str) -> Self {
        let mut text = String::with_capacity(s.len());
        let mut map = Vec::with_capacity(s.len());
        let mut last_space = true; // trims leading whitespace
        for (offset, c) in s.char_indices() {
            let push = |out: char, text: &mut String, map: &mut Vec<usize>| {
                let before = text.len();
                text.push(out);
                map.extend(std::iter::repeat_n(offset, text.len() - before));
            };
            match c {
                '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
                c if c.is_whitespace() => {
                    if !last_space {
                        push(' ', &mut text, &mut map);
                        last_space = true;
                    }
                }
                '\u{2010}'..='\u{2015}' | '\u{2212}' => {
                    push('-', &mut text, &mut map);
                    last_space = false;
                }
                '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => {
                    push('\'', &mut text, &mut map);
                    last_space = false;
                }
                '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}' => {
                    push('"', &mut text, &mut map);
                    last_space = false;
                }
                'æ' | 'Æ' => {
                    push('a', &mut text, &mut map);
                    last_space = false;
                }
                'ø' | 'Ø' => {
                    push('o', &mut text, &mut map);
                    last_space = false;
                }
                'ß' => {
                    push('s', &mut text, &mut map);
                    push('s', &mut text, &mut map);
                    last_space = false;
                }
                c if c.is_ascii() => {
                    push(c.to_ascii_lowercase(), &mut text, &mut map);
                    last_space = false;
                }
                c => {
                    for d in c.to_lowercase().nfd().filter(|d| !is_combining_mark(*d)) {
                        push(d, &mut text, &mut map);
                    }
                    last_space = false;
                }
            }
        }
        if text.ends_with(' ') {
            text.pop();
            map.pop();
        }
        Self {
            text,
            map,
            original_len: s.len(),
        }
    }

    /// Maps a byte range of the folded text to the byte range of the
    /// original text that produced it.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let from = self.map.get(start).copied().unwrap_or(self.original_len);
        let to = if end >= self.map.len() {
            self.original_len
        } else {
            self.map.get(end).copied().unwrap_or(self.original_len)
        };
        (from, to.max(from))
    }
}

/// Abbreviations that end with a dot but do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "t.ex", "bl.a", "ca", "kl", "tel", "nr", "s.k", "m.m", "o.s.v", "osv", "dvs", "d.v.s", "jfr",
    "fr.o.m", "t.o.m", "ev", "resp", "inkl", "exkl", "tfn", "mån", "tis", "ons", "tors", "fre",
];

/// Splits a block of text into sentences (original text, trimmed).
///
/// A sentence ends at `.`, `!`, `?` or `:` followed by whitespace and an
/// upper-case letter, a digit or an opening quote, unless the word before
/// the dot is a common Swedish abbreviation ("t.ex.", "kl.", "ca.").
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for i in 0..chars.len() {
        let (pos, c) = chars[i];
        if !matches!(c, '.' | '!' | '?' | ';') {
            continue;
        }
        let Some(&(_, next)) = chars.get(i + 1) else {
            continue;
        };
        if !next.is_whitespace() {
            continue;
        }
        let Some(&(_, after)) = chars[i + 1..].iter().find(|(_, c)| !c.is_whitespace()) else {
            continue;
        };
        if !(after.is_uppercase()
            || after.is_ascii_digit()
            || matches!(after, '"' | '”' | '•' | '-' | '–'))
        {
            continue;
        }
        if c == '.' {
            let word_start = text[..pos].rfind(char::is_whitespace).map_or(0, |p| p + 1);
            let word = text[word_start..pos].to_lowercase();
            if ABBREVIATIONS.contains(&word.as_str()) {
                continue;
            }
        }
        let end = pos + c.len_utf8();
        let s = text[start..end].trim();
        if !s.is_empty() {
            out.push(s);
        }
        start = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_spaces() {
        assert_eq!(fold("Avgift för HEMTJÄNST"), "avgift for hemtjanst");
        assert_eq!(fold("  Äldre\u{a0}omsorg \n i  Åre "), "aldre omsorg i are");
        assert_eq!(
            fold("bi\u{ad}stånds\u{ad}handläggare"),
            "bistandshandlaggare"
        );
        assert_eq!(fold("2–4 veckor"), "2-4 veckor");
        assert_eq!(fold("a\u{30a}ldre"), "aldre"); // decomposed å
        assert_eq!(fold("Café “Tyck till”"), "cafe \"tyck till\"");
    }

    #[test]
    fn maps_folded_ranges_back_to_the_original() {
        let s = "Räkna  ut din av\u{ad}gift här";
        let f = Folded::new(s);
        let at = f.text.find("avgift").unwrap();
        let (a, b) = f.original_range(at, at + "avgift".len());
        assert_eq!(&s[a..b], "av\u{ad}gift");
        let (a, b) = f.original_range(0, 5);
        assert_eq!(&s[a..b], "Räkna");
    }

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let s = "Ring oss t.ex. på förmiddagen. Beslut fattas inom 3 veckor! Kl. 8–10 svarar vi. 14 dagar tar det.";
        assert_eq!(
            sentences(s),
            vec![
                "Ring oss t.ex. på förmiddagen.",
                "Beslut fattas inom 3 veckor!",
                "Kl. 8–10 svarar vi.",
                "14 dagar tar det."
            ]
        );
        assert_eq!(sentences("  "), Vec::<&str>::new());
        assert_eq!(sentences("ett.två"), vec!["ett.två"]);
    }
}
