//! Finding a municipality from what a user typed (issue 15): a code with or
//! without its leading zero (`188` → `0188`), a name, and for an unknown
//! name the closest names (Jaro–Winkler similarity from `strsim`, the crate
//! clap already uses for its own suggestions).

use anyhow::anyhow;

use super::Failure;
use crate::registry::{Municipality, Registry};
use crate::text::fold;

/// Most names suggested.
const MAX_SUGGESTIONS: usize = 3;

/// Least similarity for a suggestion.
const MIN_SIMILARITY: f64 = 0.85;

/// True for 1–4 ASCII digits: what can only be meant as a code.
pub(crate) fn looks_like_code(key: &str) -> bool {
    let k = key.trim();
    (1..=4).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_digit())
}

/// The municipality of a code (leading zeros optional) or name.
///
/// # Errors
/// A code that is not in the registry (exit 2); `Ok(None)` for a name that
/// is not, so the caller may try it as an address.
pub(crate) fn find<'a>(
    registry: &'a Registry,
    key: &str,
) -> Result<Option<&'a Municipality>, Failure> {
    let key = key.trim();
    if looks_like_code(key) {
        let code = format!("{key:0>4}");
        return registry.by_code(&code).map(Some).ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "{key} är ingen kommunkod i registret (koderna har fyra siffror, t.ex. 0188; \
                 se `infokoll kommuner`)"
            ))
        });
    }
    Ok(registry.find(key))
}

/// The registry's names closest to `key`, best first.
pub(crate) fn closest_names(registry: &Registry, key: &str) -> Vec<String> {
    let wanted = fold(key);
    let wanted = wanted.trim_end_matches(" kommun").trim();
    if wanted.is_empty() {
        return Vec::new();
    }
    // Names that begin with what was typed ("Malung" → "Malung-Sälen")
    // come first and alone; otherwise the most similar names.
    let starting: Vec<(f64, &str)> = registry
        .all()
        .iter()
        .filter(|m| fold(&m.name).starts_with(wanted))
        .map(|m| (1.0, m.name.as_str()))
        .collect();
    let mut scored: Vec<(f64, &str)> = if starting.is_empty() {
        registry
            .all()
            .iter()
            .map(|m| {
                (
                    strsim::jaro_winkler(wanted, &fold(&m.name)),
                    m.name.as_str(),
                )
            })
            .filter(|(s, _)| *s >= MIN_SIMILARITY)
            .collect()
    } else {
        starting
    };
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, n)| n.to_owned())
        .collect()
}

/// " Menade du Malung-Sälen?" (or nothing without suggestions).
pub(crate) fn did_you_mean(registry: &Registry, key: &str) -> String {
    let names = closest_names(registry, key);
    match names.as_slice() {
        [] => String::new(),
        [one] => format!(" Menade du {one}?"),
        [first @ .., last] => format!(" Menade du {} eller {last}?", first.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_suggestions() {
        let r = Registry::builtin();
        assert_eq!(find(&r, "188").unwrap().unwrap().name, "Norrtälje");
        assert_eq!(find(&r, "0188").unwrap().unwrap().name, "Norrtälje");
        let e = find(&r, "9999").unwrap_err();
        assert_eq!(e.code, super::super::EXIT_BAD_INPUT);
        assert!(e.error.to_string().contains("9999"));
        assert!(find(&r, "1").is_err());
        assert!(find(&r, "Malung").unwrap().is_none());
        assert_eq!(closest_names(&r, "Malung"), vec!["Malung-Sälen".to_owned()]);
        assert!(did_you_mean(&r, "Norrtälj").contains("Norrtälje"));
        assert_eq!(did_you_mean(&r, "xqzv"), "");
    }
}
