//! Raw rule files → compiled [`Rule`]s, with every problem located.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use toml::Spanned;

use super::error::Locator;
use super::raw::{RawCommon, RawRule, RawSignal};
use super::{
    Example, Matcher, Part, Rule, RuleError, RuleErrors, RuleSet, Scope, Signal, SignalKind, Topic,
    Vocabulary, DEFAULT_GREY_ZONE, DEFAULT_THRESHOLD, EXAMPLE_URL,
};

/// Largest compiled size of one regex (bytes); keeps a rule from blowing up memory.
const REGEX_SIZE_LIMIT: usize = 4 << 20;
/// Lazy-DFA cache of one matcher: large enough that long term lists never
/// push the engine back to its slow NFA simulation.
const DFA_CACHE: usize = 2 << 20;

/// Compiles `common.toml` (if among `files`) and every item file.
pub(crate) fn compile_set(
    files: &[(PathBuf, String)],
    origin: &str,
) -> Result<RuleSet, RuleErrors> {
    let mut errors = Vec::new();
    let vocab = match files
        .iter()
        .find(|(p, _)| p.file_name().is_some_and(|n| n == "common.toml"))
    {
        Some((path, text)) => compile_common(path, text, &mut errors),
        None => Vocabulary::default(),
    };
    let mut rules = Vec::new();
    let mut seen = HashSet::new();
    for (path, text) in files
        .iter()
        .filter(|(p, _)| p.file_name().is_none_or(|n| n != "common.toml"))
    {
        if let Some(rule) = compile_rule(path, text, &vocab, &mut errors) {
            if !seen.insert(rule.id.clone()) {
                errors.push(
                    Locator::new(path, text)
                        .file_error(format!("regeln '{}' finns redan", rule.id)),
                );
                continue;
            }
            rules.push(rule);
        }
    }
    if !errors.is_empty() {
        return Err(RuleErrors(errors));
    }
    if rules.is_empty() {
        return Err(RuleErrors(vec![RuleError {
            path: PathBuf::from(origin),
            line: 0,
            column: 0,
            field: String::new(),
            message: "inga regelfiler hittades (väntade items/*.toml)".to_owned(),
        }]));
    }
    rules.sort_by_key(|r| r.part);
    let mut sources = Vec::new();
    let mut map = Vec::new();
    for (ri, rule) in rules.iter().enumerate() {
        for (si, signal) in rule.signals.iter().enumerate() {
            if signal.kind == SignalKind::Text {
                if let Some(t) = &signal.trigger {
                    sources.push(t.regex.as_str().to_owned());
                    map.push((ri, si));
                }
            }
        }
    }
    let text_index = regex::RegexSetBuilder::new(&sources)
        .size_limit(REGEX_SIZE_LIMIT * 16)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| {
            RuleErrors(vec![RuleError {
                path: PathBuf::from(origin),
                line: 0,
                column: 0,
                field: String::new(),
                message: format!("textsignalerna kan inte kombineras: {e}"),
            }])
        })?;
    Ok(RuleSet {
        rules,
        text_index,
        text_index_map: map,
        origin: origin.to_owned(),
    })
}

fn compile_common(path: &Path, text: &str, errors: &mut Vec<RuleError>) -> Vocabulary {
    let loc = Locator::new(path, text);
    let raw: RawCommon = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            errors.push(toml_error(&loc, &e));
            return Vocabulary::default();
        }
    };
    let terms: BTreeMap<String, Vec<String>> = raw
        .terms
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.get_ref().iter().map(|s| s.get_ref().clone()).collect(),
            )
        })
        .collect();
    let macros: BTreeMap<String, String> = raw
        .macros
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect();
    let vocab = Vocabulary::new(terms, macros);
    for (name, m) in &raw.macros {
        let expanded = vocab
            .regex(m.get_ref())
            .unwrap_or_else(|_| m.get_ref().clone());
        if let Err(e) = Regex::new(&expanded) {
            errors.push(loc.error(
                m.span(),
                &format!("macros.{name}"),
                format!("ogiltigt reguljärt uttryck: {e}"),
            ));
        }
    }
    for (name, list) in &raw.terms {
        for (i, phrase) in list.get_ref().iter().enumerate() {
            if let Err(e) = vocab.phrase(phrase.get_ref()) {
                errors.push(loc.error(phrase.span(), &format!("terms.{name}[{i}]"), e));
            }
        }
    }
    vocab
}

fn toml_error(loc: &Locator<'_>, e: &toml::de::Error) -> RuleError {
    let message = e.message().to_owned();
    let field = field_from_message(&message);
    match e.span() {
        Some(span) => loc.error(span, &field, message),
        None => loc.file_error(message),
    }
}

/// Pulls a field name out of serde messages like "missing field `tip`" or "unknown field `wieght`".
fn field_from_message(message: &str) -> String {
    let mut parts = message.split('`');
    match (parts.next(), parts.next()) {
        (Some(pre), Some(name)) if pre.contains("field") => name.to_owned(),
        _ => String::new(),
    }
}

struct Ctx<'a> {
    loc: Locator<'a>,
    vocab: &'a Vocabulary,
    errors: &'a mut Vec<RuleError>,
}

impl Ctx<'_> {
    fn matcher(
        &mut self,
        field: &str,
        phrases: &[Spanned<String>],
        regexes: &[Spanned<String>],
    ) -> Option<Matcher> {
        let mut sources = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            match self.vocab.phrase(p.get_ref()) {
                Ok(s) => sources.push((s, p.span(), format!("{field}phrases[{i}]"))),
                Err(e) => {
                    self.errors
                        .push(self.loc.error(p.span(), &format!("{field}phrases[{i}]"), e));
                }
            }
        }
        for (i, r) in regexes.iter().enumerate() {
            match self.vocab.regex(r.get_ref()) {
                Ok(s) => sources.push((s, r.span(), format!("{field}regex[{i}]"))),
                Err(e) => {
                    self.errors
                        .push(self.loc.error(r.span(), &format!("{field}regex[{i}]"), e));
                }
            }
        }
        let mut ok = Vec::new();
        for (s, span, name) in sources {
            match regex::RegexBuilder::new(&s)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(DFA_CACHE)
                .build()
            {
                Ok(_) => ok.push(s),
                Err(e) => self.errors.push(self.loc.error(
                    span,
                    &name,
                    format!("ogiltigt reguljärt uttryck: {e}"),
                )),
            }
        }
        if ok.is_empty() {
            return None;
        }
        let joined = ok
            .iter()
            .map(|s| format!("(?:{s})"))
            .collect::<Vec<_>>()
            .join("|");
        match regex::RegexBuilder::new(&joined)
            .size_limit(REGEX_SIZE_LIMIT * 4)
            .dfa_size_limit(DFA_CACHE)
            .build()
        {
            Ok(regex) => Some(Matcher { sources: ok, regex }),
            Err(e) => {
                self.errors.push(
                    self.loc
                        .file_error(format!("{field}: mönstren blir för stora: {e}")),
                );
                None
            }
        }
    }

    fn unit(&mut self, field: &str, v: &Spanned<f64>) -> f64 {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            self.errors.push(self.loc.error(
                v.span(),
                field,
                format!("måste ligga mellan 0 och 1, är {x}"),
            ));
        }
        x
    }
}

fn compile_rule(
    path: &Path,
    text: &str,
    vocab: &Vocabulary,
    errors: &mut Vec<RuleError>,
) -> Option<Rule> {
    let loc = Locator::new(path, text);
    let raw: RawRule = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            errors.push(toml_error(&loc, &e));
            return None;
        }
    };
    let before = errors.len();
    let mut cx = Ctx { loc, vocab, errors };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    if raw.id.get_ref() != &stem {
        let msg = format!(
            "id '{}' måste vara lika med filnamnet '{stem}'",
            raw.id.get_ref()
        );
        cx.errors.push(cx.loc.error(raw.id.span(), "id", msg));
    }
    let part = Part::parse(raw.part.get_ref()).unwrap_or_else(|| {
        let names: Vec<String> = Part::ALL
            .iter()
            .filter_map(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .collect();
        let msg = format!(
            "okänd del '{}', väntade en av {}",
            raw.part.get_ref(),
            names.join(", ")
        );
        cx.errors.push(cx.loc.error(raw.part.span(), "part", msg));
        Part::Kontakt
    });
    let threshold = raw
        .threshold
        .as_ref()
        .map_or(DEFAULT_THRESHOLD, |t| cx.unit("threshold", t));
    let grey_zone = match &raw.grey_zone {
        None => DEFAULT_GREY_ZONE,
        Some(g) => match g.get_ref().as_slice() {
            [lo, hi] if (0.0..=1.0).contains(lo) && (0.0..=1.0).contains(hi) && lo <= hi => {
                (*lo, *hi)
            }
            _ => {
                let msg = "måste vara två tal [låg, hög] mellan 0 och 1 med låg ≤ hög";
                cx.errors.push(cx.loc.error(g.span(), "grey_zone", msg));
                DEFAULT_GREY_ZONE
            }
        },
    };
    let topic = raw.topic.as_ref().and_then(|t| {
        let off = t
            .off_topic_factor
            .as_ref()
            .map_or(0.0, |f| cx.unit("topic.off_topic_factor", f));
        let matcher = cx.matcher("topic.", &t.terms, &[])?;
        Some(Topic {
            matcher,
            scope: t.scope.unwrap_or(Scope::Page),
            off_topic_factor: off,
        })
    });
    let mut ids = HashSet::new();
    let mut signals = Vec::new();
    for (i, s) in raw.signals.iter().enumerate() {
        if !ids.insert(s.id.get_ref().clone()) {
            let msg = format!("signalen '{}' finns redan i regeln", s.id.get_ref());
            cx.errors
                .push(cx.loc.error(s.id.span(), &format!("signal[{i}].id"), msg));
        }
        signals.push(compile_signal(&mut cx, i, s));
    }
    if signals.is_empty() && cx.errors.len() == before {
        cx.errors
            .push(cx.loc.file_error("regeln har inga [[signal]]"));
    }
    let mut examples = Vec::new();
    for (i, ex) in raw.examples.iter().enumerate() {
        let url_text = ex
            .url
            .as_ref()
            .map_or(EXAMPLE_URL, |u| u.get_ref().as_str());
        let (line, _) = cx.loc.position(ex.html.span().start);
        match url::Url::parse(url_text) {
            Ok(url) => examples.push(Example {
                present: ex.present,
                html: ex.html.get_ref().clone(),
                url,
                note: ex.note.clone(),
                line,
            }),
            Err(e) => {
                let span = ex.url.as_ref().map_or(ex.html.span(), Spanned::span);
                cx.errors.push(cx.loc.error(
                    span,
                    &format!("example[{i}].url"),
                    format!("ogiltig adress: {e}"),
                ));
            }
        }
    }
    if errors.len() > before {
        return None;
    }
    Some(Rule {
        id: raw.id.into_inner(),
        name: raw.name,
        part,
        description: raw.description,
        tip: raw.tip,
        threshold,
        grey_zone,
        topic,
        signals,
        examples,
        source: path.to_path_buf(),
    })
}

fn compile_signal(cx: &mut Ctx<'_>, i: usize, s: &RawSignal) -> Signal {
    let f = format!("signal[{i}].");
    let w = *s.weight.get_ref();
    if !(-1.0..=1.0).contains(&w) || w == 0.0 {
        let msg = format!("måste ligga mellan -1 och 1 och inte vara 0, är {w}");
        cx.errors
            .push(cx.loc.error(s.weight.span(), &format!("{f}weight"), msg));
    }
    let trigger = cx.matcher(&f, &s.phrases, &s.regex);
    let fields = cx.matcher(&format!("{f}fields."), &s.fields, &[]);
    let near = cx.matcher(&format!("{f}near."), &s.near, &[]);
    let not_near = cx.matcher(&format!("{f}not_near."), &s.not_near, &[]);
    let mut excludes = Vec::new();
    for (j, ex) in s.exclude.iter().enumerate() {
        if let Some(m) = cx.matcher(&format!("{f}exclude[{j}]."), &ex.phrases, &[]) {
            excludes.push((m, ex.scope));
        }
    }
    let fold_list = |l: &[Spanned<String>]| {
        l.iter()
            .map(|h| crate::text::fold(h.get_ref()))
            .collect::<Vec<_>>()
    };
    let href = fold_list(&s.href);
    let host = fold_list(&s.host);
    let id_span = s.id.span();
    let need = |cx: &mut Ctx<'_>, ok: bool, what: &str| {
        if !ok {
            let msg = format!("en signal av typen {:?} behöver {what}", s.kind).to_lowercase();
            cx.errors
                .push(cx.loc.error(id_span.clone(), &format!("{f}kind"), msg));
        }
    };
    match s.kind {
        SignalKind::Text | SignalKind::Title => need(cx, trigger.is_some(), "phrases eller regex"),
        SignalKind::Link | SignalKind::Frame => {
            need(
                cx,
                trigger.is_some() || !href.is_empty() || !host.is_empty(),
                "phrases, regex, href eller host",
            );
        }
        SignalKind::Form => need(
            cx,
            fields.is_some() || trigger.is_some(),
            "fields eller phrases",
        ),
        SignalKind::Url => need(cx, !href.is_empty(), "href"),
    }
    if s.follow && !matches!(s.kind, SignalKind::Link | SignalKind::Frame) {
        let msg = "follow gäller bara signaler av typen link eller frame";
        cx.errors
            .push(cx.loc.error(id_span.clone(), &format!("{f}follow"), msg));
    }
    let min_fields = s.min_fields.as_ref().map_or(1, |m| *m.get_ref());
    Signal {
        id: s.id.get_ref().clone(),
        kind: s.kind,
        weight: w,
        trigger,
        href,
        host,
        fields,
        min_fields,
        near,
        near_scope: s.near_scope.unwrap_or(Scope::Sentence),
        not_near,
        not_near_scope: s.not_near_scope.unwrap_or(Scope::Sentence),
        excludes,
        chrome: s.chrome,
        follow: s.follow,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::rules::RuleSet;
    use crate::text::fold;

    fn duration_matches(text: &str) -> bool {
        let rules = RuleSet::builtin().unwrap();
        let rule = rules.get("handlaggningstid").unwrap();
        let signal = rule
            .signals
            .iter()
            .find(|s| s.id == "beslut-inom-tid")
            .unwrap();
        signal.trigger.as_ref().unwrap().is_match(&fold(text))
    }

    #[test]
    fn durations_in_digits_and_words() {
        for yes in [
            "två till tre veckor",
            "2–4 veckor",
            "2-4 veckor",
            "14 dagar",
            "10 arbetsdagar",
            "tio arbetsdagar",
            "en månad",
            "ett par veckor",
            "några dagar",
            "fem vardagar",
            "1–8 veckor",
        ] {
            assert!(duration_matches(yes), "{yes}");
        }
        for no in ["tre personer", "veckorna", "2 kr", "inom kort", "dagtid"] {
            assert!(!duration_matches(no), "{no}");
        }
    }

    #[test]
    fn broken_rule_files_report_every_problem_with_its_place() {
        let files = vec![
            (
                std::path::PathBuf::from("items/a.toml"),
                "id = \"a\"\nname = \"A\"\npart = \"okand\"\ndescription = \"\"\ntip = \"\"\n[[signal]]\nid = \"s\"\nkind = \"text\"\nweight = 2.0\nphrases = [\"..\"]\n".to_owned(),
            ),
            (std::path::PathBuf::from("items/b.toml"), "id = \"c\"\nname = 1\n".to_owned()),
        ];
        let errors = super::compile_set(&files, "test").unwrap_err().0;
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.starts_with("items/a.toml:3:8: fält 'part'")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|e| e.starts_with("items/a.toml:9:10: fält 'signal[0].weight'")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|e| e.starts_with("items/a.toml:10:12: fält 'signal[0].phrases[0]'")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|e| e.starts_with("items/b.toml:2:")),
            "{text:?}"
        );
    }
}
