//! Detection on one page: every signal kind, with its conditions.

use std::collections::HashMap;

use crate::extract::{Block, Document, Form, Frame, Link};
use crate::rules::{
    target_matches, target_matches_folded, Matcher, Rule, RuleSet, Scope, Signal, SignalKind,
};
use crate::text::{fold, sentences, Folded};

use super::{confidence, Evidence, PageContext, PageFinding, MAX_SNIPPET};

/// Marks the end of the headings in a section text (never in folded text: it is a control char).
const HEADINGS_END: char = '\u{1}';

/// The folded texts of a page that conditions look at.
struct Page<'a> {
    doc: &'a Document,
    ctx: &'a PageContext,
    /// Title, first heading, URL words, all headings and main text, referrer.
    all: String,
    /// Title plus the first h1.
    title: String,
    /// Title as folded text plus referrer (added to every section).
    title_and_referrer: String,
    /// Folded texts of links, to skip blocks that are only a link.
    link_texts: Vec<String>,
    /// Every link with its folded texts, computed once per page.
    links: Vec<LinkView<'a>>,
}

/// A link with the folded texts its signals look at.
struct LinkView<'a> {
    link: &'a Link,
    host: String,
    href: String,
    anchor: String,
    own: String,
    section: String,
}

impl<'a> Page<'a> {
    fn new(doc: &'a Document, ctx: &'a PageContext) -> Self {
        let h1 = doc
            .blocks
            .iter()
            .find(|b| matches!(b.kind, crate::extract::BlockKind::Heading(1)))
            .map_or("", |b| b.text.as_str());
        let title = fold(&format!("{} {}", doc.title, h1));
        let referrer = ctx.referrer_text.as_deref().map(fold).unwrap_or_default();
        let url_words = fold(&doc.url.path().replace(['/', '-', '_', '.'], " "));
        let mut page = format!("{title} {url_words} {referrer}");
        for b in doc.blocks.iter().filter(|b| !b.chrome) {
            page.push(' ');
            page.push_str(&fold(&b.text));
        }
        let link_texts = doc
            .links
            .iter()
            .map(|l| fold(&l.text))
            .filter(|t| !t.is_empty())
            .collect();
        let title_and_referrer = format!("{title} {referrer}");
        let links = doc
            .links
            .iter()
            .map(|link| {
                let anchor = fold(&format!(
                    "{} {}",
                    link.text,
                    link.title.as_deref().unwrap_or("")
                ));
                let own = format!("{anchor} {}", fold(&link.context));
                let section = section_text(&link.heading_path, &own, &title_and_referrer);
                LinkView {
                    link,
                    host: link.href.host_str().unwrap_or("").to_ascii_lowercase(),
                    href: fold(link.href.as_str()),
                    anchor,
                    own,
                    section,
                }
            })
            .collect();
        Self {
            doc,
            ctx,
            all: page,
            title_and_referrer,
            title,
            link_texts,
            links,
        }
    }

    /// The folded section text: headings, then `own`, then title and referrer.
    /// The headings part ends at [`HEADINGS_END`] so [`Scope::Headings`] can cut it out.
    fn section(&self, heading_path: &[String], own: &str) -> String {
        section_text(heading_path, own, &self.title_and_referrer)
    }

    /// Picks the folded text a condition with `scope` looks at.
    fn scoped<'s>(
        &'s self,
        scope: Scope,
        sentence: &'s str,
        block: &'s str,
        section: &'s str,
    ) -> &'s str {
        match scope {
            Scope::Sentence => sentence,
            Scope::Block => block,
            Scope::Section => section,
            Scope::Headings => section.split(HEADINGS_END).next().unwrap_or(""),
            Scope::Page => &self.all,
        }
    }

    fn evidence(
        &self,
        signal: &Signal,
        snippet: Snippet,
        heading_path: &[String],
        target: Option<url::Url>,
    ) -> Evidence {
        Evidence {
            url: self.doc.url.clone(),
            snippet: snippet.text,
            highlights: snippet.highlights,
            signal: signal.id.clone(),
            kind: signal.kind,
            weight: signal.weight,
            context: heading_path.join(" › "),
            target,
            depth: self.ctx.depth,
            off_site: self.ctx.off_site,
        }
    }
}

/// Headings, the end marker, the own text, then title and referrer (all folded).
fn section_text(heading_path: &[String], own: &str, title_and_referrer: &str) -> String {
    format!(
        "{}{HEADINGS_END}{own} {title_and_referrer}",
        fold(&heading_path.join(" "))
    )
}

/// A snippet with highlighted ranges.
struct Snippet {
    text: String,
    highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// Cuts `original` to at most [`MAX_SNIPPET`] characters around the
    /// first highlight; `folded_ranges` are ranges of `folded`.
    fn new(original: &str, folded: &Folded, folded_ranges: &[(usize, usize)]) -> Self {
        let ranges: Vec<(usize, usize)> = folded_ranges
            .iter()
            .map(|&(a, b)| folded.original_range(a, b))
            .collect();
        Self::cut(original, ranges)
    }

    fn cut(original: &str, mut ranges: Vec<(usize, usize)>) -> Self {
        ranges.sort_unstable();
        ranges.dedup();
        if original.chars().count() <= MAX_SNIPPET {
            return Self {
                text: original.to_owned(),
                highlights: ranges,
            };
        }
        let anchor = ranges.first().map_or(0, |r| r.0);
        let mut start = anchor.saturating_sub(MAX_SNIPPET * 2 / 5);
        while !original.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = original[start..]
            .char_indices()
            .nth(MAX_SNIPPET)
            .map_or(original.len(), |(i, _)| start + i);
        while !original.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = if start > 0 { "…" } else { "" };
        let text = format!(
            "{prefix}{}{}",
            &original[start..end],
            if end < original.len() { "…" } else { "" }
        );
        let shift = prefix.len();
        let highlights = ranges
            .into_iter()
            .filter(|&(a, b)| a >= start && b <= end)
            .map(|(a, b)| (a - start + shift, b - start + shift))
            .collect();
        Self { text, highlights }
    }

    /// A snippet of a short label (link text, form labels) with one highlight of the whole text.
    fn whole(text: &str) -> Self {
        let t: String = text.chars().take(MAX_SNIPPET).collect();
        let len = t.len();
        Self {
            text: t,
            highlights: if len > 0 { vec![(0, len)] } else { vec![] },
        }
    }
}

fn find(m: Option<&Matcher>, text: &str) -> Option<(usize, usize)> {
    m.and_then(|m| m.regex.find(text))
        .map(|x| (x.start(), x.end()))
}

/// Checks `near`, `not_near` and the rule's topic; returns the weight to use (None: discard).
fn conditions(
    rule: &Rule,
    signal: &Signal,
    page: &Page<'_>,
    sentence: &str,
    block: &str,
    section: &str,
) -> Option<f64> {
    if let Some(near) = &signal.near {
        if !near.is_match(page.scoped(signal.near_scope, sentence, block, section)) {
            return None;
        }
    }
    if let Some(not_near) = &signal.not_near {
        if not_near.is_match(page.scoped(signal.not_near_scope, sentence, block, section)) {
            return None;
        }
    }
    if signal
        .excludes
        .iter()
        .any(|(m, scope)| m.is_match(page.scoped(*scope, sentence, block, section)))
    {
        return None;
    }
    let mut weight = signal.weight;
    if let Some(topic) = &rule.topic {
        if !topic
            .matcher
            .is_match(page.scoped(topic.scope, sentence, block, section))
        {
            weight *= topic.off_topic_factor;
            if weight == 0.0 {
                return None;
            }
        }
    }
    Some(weight)
}

/// Runs every rule on the document. Items with no fired signal are left out.
pub fn detect(rules: &RuleSet, doc: &Document, ctx: &PageContext) -> Vec<PageFinding> {
    let page = Page::new(doc, ctx);
    // (rule index, signal index) → evidence; one per signal per page, the first found.
    let mut fired: HashMap<(usize, usize), Evidence> = HashMap::new();
    text_signals(rules, &page, &mut fired);
    for (ri, rule) in rules.rules.iter().enumerate() {
        for (si, signal) in rule.signals.iter().enumerate() {
            if fired.contains_key(&(ri, si)) {
                continue;
            }
            let ev = match signal.kind {
                SignalKind::Text => None,
                SignalKind::Title => title_signal(rule, signal, &page),
                SignalKind::Url => url_signal(rule, signal, &page),
                SignalKind::Link => page
                    .links
                    .iter()
                    .find_map(|l| link_signal(rule, signal, &page, l)),
                SignalKind::Form => doc
                    .forms
                    .iter()
                    .find_map(|f| form_signal(rule, signal, &page, f)),
                SignalKind::Frame => doc
                    .frames
                    .iter()
                    .find_map(|f| frame_signal(rule, signal, &page, f)),
            };
            if let Some(ev) = ev {
                fired.insert((ri, si), ev);
            }
        }
    }
    let mut by_rule: HashMap<usize, Vec<Evidence>> = HashMap::new();
    for ((ri, _), ev) in fired {
        by_rule.entry(ri).or_default().push(ev);
    }
    let mut findings: Vec<PageFinding> = by_rule
        .into_iter()
        .filter_map(|(ri, mut evidence)| {
            sort_evidence(&mut evidence);
            let confidence = confidence(evidence.iter().map(|e| e.weight));
            evidence
                .iter()
                .any(|e| e.weight > 0.0)
                .then(|| PageFinding {
                    item: rules.rules[ri].id.clone(),
                    confidence,
                    evidence,
                })
        })
        .collect();
    findings.sort_by(|a, b| a.item.cmp(&b.item));
    findings
}

/// Strongest positive evidence first, negative evidence last.
pub(crate) fn sort_evidence(evidence: &mut [Evidence]) {
    evidence.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.signal.cmp(&b.signal))
    });
}

/// Keeps `..` gaps (at most three words) from bridging a text and its context.
const CONTEXT_SEP: &str = " \u{2} \u{2} \u{2} \u{2} ";

/// The folded structural context of a block: its [`Block::context`] texts
/// and, for fragments (list items, table cells, `<details>` content), the
/// nearest heading (the question or topic they answer). A paragraph's
/// sentences carry their own subject; its headings stay in section scope.
fn block_context(block: &Block) -> String {
    use crate::extract::BlockKind;
    let mut parts: Vec<String> = block.context.iter().map(|c| fold(c)).collect();
    if matches!(
        block.kind,
        BlockKind::ListItem | BlockKind::TableCell | BlockKind::Details
    ) {
        if let Some(h) = block.heading_path.last() {
            parts.push(fold(h));
        }
    }
    parts.join(CONTEXT_SEP)
}

/// `own` followed by its context (unchanged when there is none).
fn with_context(own: &str, context: &str) -> String {
    if context.is_empty() {
        own.to_owned()
    } else {
        format!("{own}{CONTEXT_SEP}{context}")
    }
}

fn text_signals(rules: &RuleSet, page: &Page<'_>, fired: &mut HashMap<(usize, usize), Evidence>) {
    for block in &page.doc.blocks {
        let block_folded = Folded::new(&block.text);
        if block_folded.text.is_empty() || page.link_texts.contains(&block_folded.text) {
            continue;
        }
        // One pass over the whole block first: most blocks match nothing.
        if !rules.text_index.is_match(&block_folded.text) {
            continue;
        }
        // The block's structural context (lead-in, headers, question, nearest
        // heading) joins every scope its conditions look at, positive and negative.
        let context = block_context(block);
        let block_text = with_context(&block_folded.text, &context);
        let section = page.section(&block.heading_path, &block_text);
        for sentence in sentences(&block.text) {
            let folded = Folded::new(sentence);
            let hits = rules.text_index.matches(&folded.text);
            let mut sentence_text: Option<String> = None;
            for pattern in &hits {
                let (ri, si) = rules.text_index_map[pattern];
                if fired.contains_key(&(ri, si)) {
                    continue;
                }
                let rule = &rules.rules[ri];
                let signal = &rule.signals[si];
                if block.chrome && !signal.chrome {
                    continue;
                }
                let scoped =
                    sentence_text.get_or_insert_with(|| with_context(&folded.text, &context));
                if let Some(ev) = text_evidence(
                    rule,
                    signal,
                    page,
                    block,
                    (sentence, &folded, scoped),
                    &block_text,
                    &section,
                ) {
                    fired.insert((ri, si), ev);
                }
            }
        }
    }
}

/// A text signal's evidence; `sentence` is (original, folded, folded with context).
fn text_evidence(
    rule: &Rule,
    signal: &Signal,
    page: &Page<'_>,
    block: &Block,
    sentence: (&str, &Folded, &str),
    block_text: &str,
    section: &str,
) -> Option<Evidence> {
    let (sentence, folded, scoped) = sentence;
    let weight = conditions(rule, signal, page, scoped, block_text, section)?;
    let mut ranges: Vec<(usize, usize)> = find(signal.trigger.as_ref(), &folded.text)
        .into_iter()
        .collect();
    if signal.near_scope == Scope::Sentence {
        ranges.extend(find(signal.near.as_ref(), &folded.text));
    }
    let mut ev = page.evidence(
        signal,
        Snippet::new(sentence, folded, &ranges),
        &block.heading_path,
        None,
    );
    ev.weight = weight;
    Some(ev)
}

fn title_signal(rule: &Rule, signal: &Signal, page: &Page<'_>) -> Option<Evidence> {
    let range = find(signal.trigger.as_ref(), &page.title)?;
    let weight = conditions(
        rule,
        signal,
        page,
        &page.title,
        &page.title,
        &page.title_and_referrer,
    )?;
    let original = page.doc.title.trim();
    let snippet = if original.is_empty() {
        Snippet::whole(&page.title)
    } else {
        let f = Folded::new(original);
        let ranges: Vec<_> = find(signal.trigger.as_ref(), &f.text).into_iter().collect();
        let _ = range;
        Snippet::new(original, &f, &ranges)
    };
    let mut ev = page.evidence(signal, snippet, &[], None);
    ev.weight = weight;
    Some(ev)
}

fn url_signal(rule: &Rule, signal: &Signal, page: &Page<'_>) -> Option<Evidence> {
    if !target_matches(signal, &page.doc.url) {
        return None;
    }
    let weight = conditions(
        rule,
        signal,
        page,
        &page.title,
        &page.title,
        &page.title_and_referrer,
    )?;
    let mut ev = page.evidence(signal, Snippet::whole(page.doc.url.as_str()), &[], None);
    ev.weight = weight;
    Some(ev)
}

fn link_signal(
    rule: &Rule,
    signal: &Signal,
    page: &Page<'_>,
    view: &LinkView<'_>,
) -> Option<Evidence> {
    let link = view.link;
    if link.chrome && !signal.chrome {
        return None;
    }
    if !target_matches_folded(signal, &view.host, &view.href) {
        return None;
    }
    if let Some(t) = &signal.trigger {
        if !t.is_match(&view.anchor) {
            return None;
        }
    }
    let weight = conditions(rule, signal, page, &view.own, &view.own, &view.section)?;
    let shown = if link.text.trim().is_empty() {
        link.href.as_str()
    } else {
        link.text.trim()
    };
    let snippet = match link.context.find(shown) {
        Some(at) if !link.context.is_empty() => {
            Snippet::cut(&link.context, vec![(at, at + shown.len())])
        }
        _ => Snippet::whole(shown),
    };
    let mut ev = page.evidence(signal, snippet, &link.heading_path, Some(link.href.clone()));
    ev.weight = weight;
    Some(ev)
}

fn form_signal(rule: &Rule, signal: &Signal, page: &Page<'_>, form: &Form) -> Option<Evidence> {
    if form.fields.iter().any(|f| f.kind == "password") {
        return None;
    }
    let labels: Vec<String> = form
        .fields
        .iter()
        .map(|f| format!("{} {}", f.label, f.name))
        .collect();
    let mut matched = Vec::new();
    if let Some(fields) = &signal.fields {
        for (label, field) in labels.iter().zip(&form.fields) {
            if fields.is_match(&fold(label)) {
                matched.push(field.label.clone());
            }
        }
        if (matched.len() as u32) < signal.min_fields {
            return None;
        }
    }
    let mut own = fold(&format!("{} {}", form.text, labels.join(" ")));
    if let Some(lead) = &form.lead_in {
        // The sentence that introduces the form says what it is for.
        own = with_context(&own, &fold(lead));
    }
    if let Some(t) = &signal.trigger {
        if !t.is_match(&own) {
            return None;
        }
    }
    let section = page.section(&form.heading_path, &own);
    let weight = conditions(rule, signal, page, &own, &own, &section)?;
    let shown: Vec<&str> = form
        .fields
        .iter()
        .map(|f| f.label.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    let text = format!("Formulär: {}", shown.join(" · "));
    let highlights = matched
        .iter()
        .filter(|m| !m.is_empty())
        .filter_map(|m| text.find(m.as_str()).map(|a| (a, a + m.len())))
        .collect();
    let mut ev = page.evidence(
        signal,
        Snippet::cut(&text, highlights),
        &form.heading_path,
        form.action.clone(),
    );
    ev.weight = weight;
    Some(ev)
}

fn frame_signal(rule: &Rule, signal: &Signal, page: &Page<'_>, frame: &Frame) -> Option<Evidence> {
    if !target_matches(signal, &frame.src) {
        return None;
    }
    let own = fold(&frame.title);
    if let Some(t) = &signal.trigger {
        if !t.is_match(&own) {
            return None;
        }
    }
    let section = page.section(&frame.heading_path, &own);
    let weight = conditions(rule, signal, page, &own, &own, &section)?;
    let text = if frame.title.is_empty() {
        format!("Inbäddad ram: {}", frame.src)
    } else {
        format!("Inbäddad ram: {} ({})", frame.title, frame.src)
    };
    let mut ev = page.evidence(
        signal,
        Snippet::whole(&text),
        &frame.heading_path,
        Some(frame.src.clone()),
    );
    ev.weight = weight;
    Some(ev)
}
