//! One municipality's HTML report (`OUT/kommuner/<kod>-<slug>.html`), in
//! the spirit of the Hemtjänstindex municipality report: a summary (score,
//! place in the country, in the county and in the size group, change since
//! the last run), the parts with their scores, *Styrkor* (items found, with
//! the page, the snippet and the archived copy), *Information som saknas*
//! (with a tip each), the web items of other subindexes, and a method note.
//! A municipality without data gets a page that says why and has no score.

use std::fmt::Write as _;

use super::html::{
    display_name, escape, href, page, score_text, signed, snippet_html, status_with_reason,
    thousands, CSP_NO_SCRIPT,
};
use super::Context;
use crate::score::{Change, ItemResult, MunicipalityScore, Source};
use crate::store::EvidenceRow;

/// Evidence rows shown per item.
const EVIDENCE_SHOWN: usize = 3;

/// Renders the report page of `m`.
pub fn render(ctx: &Context<'_>, m: &MunicipalityScore) -> String {
    let name = display_name(&m.name);
    let mut b = String::with_capacity(16 * 1024);
    let _ = write!(
        b,
        "<nav class=\"small\" aria-label=\"Brödsmulor\"><a href=\"../index.html\">Nationell \
         rapport {}</a> › {}</nav>\n<main>\n<h1>{} – information om hemtjänst på webben</h1>\n",
        ctx.scores.run.year,
        escape(&name),
        escape(&name)
    );
    intro(ctx, m, &mut b);
    if m.score.is_none() {
        data_missing(m, &mut b);
    } else {
        summary(ctx, m, &mut b);
        parts(m, &mut b);
        strengths(ctx, m, &mut b);
        missing(ctx, m, &mut b);
        changes(m.change.as_ref(), &mut b);
    }
    other_items(ctx, m, &mut b);
    method(ctx, &mut b);
    b.push_str("</main>\n");
    footer(ctx, &mut b);
    page(
        &format!(
            "{name}: hemtjänstinformation på webben {} – infokoll",
            ctx.scores.run.year
        ),
        CSP_NO_SCRIPT,
        &b,
    )
}

fn intro(ctx: &Context<'_>, m: &MunicipalityScore, b: &mut String) {
    let site = ctx.sites.get(&m.code);
    let _ = write!(
        b,
        "<p class=\"muted\">Kommunkod {} · {} · {} invånare · granskning {} ({})",
        escape(&m.code),
        escape(&m.county),
        m.population
            .map_or_else(|| "okänt antal".to_owned(), |p| thousands(u64::from(p))),
        ctx.scores.run.year,
        escape(&super::html::date_of_ms(ctx.scores.run.started_at)),
    );
    if let Some(site) = site {
        let _ = write!(
            b,
            " · webbplats <a href=\"{}\">{}</a>",
            href(&site.homepage),
            escape(&site.homepage)
        );
        if let Some(n) = site.pages_fetched {
            let _ = write!(b, " · {n} sidor lästa");
        }
        if let Some(end) = site
            .crawl_end
            .as_deref()
            .and_then(crate::crawl::CrawlEnd::from_code)
        {
            let _ = write!(b, " ({})", end.describe_sv());
        }
    }
    b.push_str("</p>\n");
}

fn data_missing(m: &MunicipalityScore, b: &mut String) {
    let _ = write!(
        b,
        "<section aria-labelledby=\"data-saknas\">\n<h2 id=\"data-saknas\">Data saknas</h2>\n\
         <p><strong>Kommunen har ingen poäng och ingen plats i rankningen.</strong> Orsak: {}.</p>\n\
         <p>En kommun vars webbplats inte kunde granskas räknas inte som noll poäng, utan står \
         sist i listan med ”data saknas”. Den granskas igen vid nästa körning.</p>\n</section>\n",
        escape(&status_with_reason(&m.status, m.status_reason.as_deref())),
    );
}

fn summary(ctx: &Context<'_>, m: &MunicipalityScore, b: &mut String) {
    let place = |rank: Option<u32>, of: u32| {
        rank.map_or_else(|| "–".to_owned(), |r| format!("{r} av {of}"))
    };
    let _ = write!(
        b,
        "<section aria-labelledby=\"sammanfattning\">\n<h2 id=\"sammanfattning\">Sammanfattning</h2>\n\
         <dl class=\"summary\">\n<div><dt>Poäng (0–100)</dt><dd>{}</dd></div>\n\
         <div><dt>Plats i landet</dt><dd>{}</dd></div>\n\
         <div><dt>Plats i {}</dt><dd>{}</dd></div>\n\
         <div><dt>Storleksgrupp: {}</dt><dd>{}</dd></div>\n\
         <div><dt>Sedan förra granskningen</dt><dd>{}</dd></div>\n</dl>\n",
        escape(&score_text(m.score)),
        escape(&place(m.rank, m.ranked_total)),
        escape(&m.county),
        escape(&place(m.county_rank, m.county_size)),
        escape(m.size_group.label_sv()),
        escape(&place(m.size_group_rank, m.size_group_size)),
        escape(&change_text(ctx, m.change.as_ref())),
    );
    let found = m.items.iter().filter(|i| i.found).count();
    let flagged = m.items.iter().filter(|i| i.flagged).count();
    let _ = write!(
        b,
        "<p>Webbplatsen har {found} av {} punkter i delindex Information.",
        m.items.len()
    );
    if flagged > 0 {
        let _ = write!(
            b,
            " {flagged} {} osäker{} och granskas av en människa.",
            if flagged == 1 {
                "punkt är"
            } else {
                "punkter är"
            },
            if flagged == 1 { "" } else { "a" }
        );
    }
    if m.status == "partial" {
        let _ = write!(
            b,
            " Granskningen blev inte fullständig ({}), så fler punkter kan finnas.",
            escape(m.status_reason.as_deref().unwrap_or("avbruten"))
        );
    }
    b.push_str(
        "</p>\n<p class=\"small muted\">Poängen är infokolls uppskattning av delindex \
         Information i Hemtjänstindex, inte indexets officiella värde.</p>\n</section>\n",
    );
}

/// "+4,2 poäng · 3 platser upp".
pub fn change_text(ctx: &Context<'_>, change: Option<&Change>) -> String {
    let Some(c) = change else {
        return if ctx.scores.compared_with.is_some() {
            "fanns inte med förra gången".to_owned()
        } else {
            "ingen jämförelse".to_owned()
        };
    };
    let mut parts = Vec::new();
    match (c.score_delta, c.previous_score) {
        (Some(d), _) => parts.push(format!("{} poäng", signed(d, 1))),
        (None, None) => parts.push("data saknades förra gången".to_owned()),
        (None, Some(_)) => {}
    }
    match c.rank_delta {
        Some(0) => parts.push("samma plats".to_owned()),
        Some(d) if d > 0 => parts.push(format!(
            "{d} {} upp",
            if d == 1 { "plats" } else { "platser" }
        )),
        Some(d) => parts.push(format!(
            "{} {} ner",
            d.unsigned_abs(),
            if d == -1 { "plats" } else { "platser" }
        )),
        None => {}
    }
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn parts(m: &MunicipalityScore, b: &mut String) {
    b.push_str(
        "<section aria-labelledby=\"delar\">\n<h2 id=\"delar\">Delarna</h2>\n<table>\n\
         <caption class=\"visually-hidden\">Poäng per del</caption>\n<thead><tr><th scope=\"col\">Del</th>\
         <th scope=\"col\" class=\"num\">Poäng</th><th scope=\"col\">Punkter som finns</th></tr></thead>\n<tbody>\n",
    );
    for p in &m.parts {
        let items: Vec<&ItemResult> = m.items.iter().filter(|i| i.part == p.part).collect();
        let found = items.iter().filter(|i| i.found).count();
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{found} av {}</td></tr>",
            escape(&p.label),
            escape(&score_text(p.score)),
            items.len()
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

fn badges(item: &ItemResult) -> String {
    let mut out = String::new();
    if item.found {
        out.push_str("<span class=\"badge found\">Finns</span>");
    } else {
        out.push_str("<span class=\"badge missing\">Saknas</span>");
    }
    match item.source {
        Source::Review => out.push_str("<span class=\"badge review\">granskad av människa</span>"),
        Source::External => out.push_str("<span class=\"badge review\">extern källa</span>"),
        Source::Machine => {}
    }
    if item.flagged {
        out.push_str("<span class=\"badge flag\">osäker – granskas</span>");
    }
    out
}

fn evidence_list(ctx: &Context<'_>, evidence: &[EvidenceRow], b: &mut String) {
    if evidence.is_empty() {
        return;
    }
    b.push_str("<ul class=\"evidence\">\n");
    // Several signals often point at the same sentence: show it once.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let unique = evidence.iter().filter(|e| {
        let key = (e.url.as_str(), e.snippet.trim());
        let new = !seen.contains(&key);
        if new {
            seen.push(key);
        }
        new
    });
    for e in unique.take(EVIDENCE_SHOWN) {
        let _ = write!(
            b,
            "<li>Hittad på <a href=\"{}\">{}</a>{}",
            href(&e.url),
            escape(&e.url),
            if e.off_site {
                " <span class=\"muted small\">(annan webbplats)</span>"
            } else {
                ""
            }
        );
        if !e.snippet.trim().is_empty() {
            let _ = write!(
                b,
                "<blockquote>{}</blockquote>",
                snippet_html(&e.snippet, &e.highlights)
            );
        }
        match e.warc.as_ref().and_then(|w| ctx.copies.path_of(w)) {
            Some(path) => {
                let _ = write!(b, "<a href=\"../{}\">Arkiverad kopia</a>", href(&path));
            }
            None => b.push_str("<span class=\"muted small\">Arkiverad kopia saknas</span>"),
        }
        b.push_str("</li>\n");
    }
    b.push_str("</ul>\n");
}

fn review_note(item: &ItemResult, b: &mut String) {
    if item.source != Source::Review {
        return;
    }
    b.push_str("<p class=\"small\">Granskarens bedömning");
    if let Some(url) = &item.review_url {
        let _ = write!(b, " (sida: <a href=\"{}\">{}</a>)", href(url), escape(url));
    }
    match &item.review_comment {
        Some(c) if !c.trim().is_empty() => {
            let _ = write!(b, ": {}", escape(c));
        }
        _ => {}
    }
    b.push_str("</p>\n");
}

fn item_heading(item: &ItemResult, b: &mut String) {
    let _ = write!(
        b,
        "<div class=\"item\" id=\"punkt-{}\">\n<h3>{}{}</h3>\n",
        escape(&item.id),
        escape(&item.name),
        badges(item),
    );
}

fn strengths(ctx: &Context<'_>, m: &MunicipalityScore, b: &mut String) {
    b.push_str("<section aria-labelledby=\"styrkor\">\n<h2 id=\"styrkor\">Styrkor</h2>\n");
    let found: Vec<&ItemResult> = m.items.iter().filter(|i| i.found).collect();
    if found.is_empty() {
        b.push_str("<p>Ingen av punkterna hittades på webbplatsen.</p>\n");
    }
    for item in found {
        item_heading(item, b);
        let _ = writeln!(
            b,
            "<p class=\"small muted\">{}</p>",
            escape(item.part.label_sv())
        );
        review_note(item, b);
        evidence_list(ctx, &item.evidence, b);
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
}

fn missing(ctx: &Context<'_>, m: &MunicipalityScore, b: &mut String) {
    b.push_str(
        "<section aria-labelledby=\"saknas\">\n<h2 id=\"saknas\">Information som saknas</h2>\n",
    );
    let missing: Vec<&ItemResult> = m.items.iter().filter(|i| !i.found).collect();
    if missing.is_empty() {
        b.push_str("<p>Alla punkter finns på webbplatsen.</p>\n");
    }
    for item in missing {
        item_heading(item, b);
        let _ = writeln!(
            b,
            "<p class=\"small muted\">{}</p>",
            escape(item.part.label_sv())
        );
        if item.source == Source::External && item.value.is_none() {
            b.push_str("<p>Uppgiften saknas i den externa källan och räknas inte.</p>\n");
        } else {
            let _ = writeln!(b, "<p><strong>Tips:</strong> {}</p>", escape(&item.tip));
        }
        review_note(item, b);
        if let Some(why) = &item.uncertain {
            let _ = writeln!(
                b,
                "<p class=\"small\"><strong>Osäker – granskas:</strong> {}</p>",
                escape(why)
            );
        }
        if item.flagged && !item.evidence.is_empty() {
            b.push_str("<p class=\"small\">Möjlig träff som granskas:</p>\n");
            evidence_list(ctx, &item.evidence, b);
        }
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
}

fn changes(change: Option<&Change>, b: &mut String) {
    let Some(change) = change.filter(|c| !c.items_changed.is_empty()) else {
        return;
    };
    b.push_str(
        "<section aria-labelledby=\"andringar\">\n<h2 id=\"andringar\">Ändringar sedan förra \
         granskningen</h2>\n<ul>\n",
    );
    let word = |v: Option<bool>| match v {
        Some(true) => "fanns",
        Some(false) => "saknades",
        None => "inga data",
    };
    for c in &change.items_changed {
        let now = match c.now {
            Some(true) => "finns nu",
            Some(false) => "saknas nu",
            None => "inga data nu",
        };
        let _ = writeln!(
            b,
            "<li>{}: {} förra gången, {now}</li>",
            escape(&c.name),
            word(c.was)
        );
    }
    b.push_str("</ul>\n</section>\n");
}

fn other_items(ctx: &Context<'_>, m: &MunicipalityScore, b: &mut String) {
    if m.other_subindex_items.is_empty() || m.score.is_none() {
        return;
    }
    b.push_str(
        "<section aria-labelledby=\"andra-delindex\">\n<h2 id=\"andra-delindex\">Punkter för \
         andra delindex</h2>\n<p>Dessa webbpunkter hör till delindex 2 (biståndshandläggning) \
         och delindex 4 (stöd och utveckling) och räknas inte in i poängen ovan.</p>\n",
    );
    for item in &m.other_subindex_items {
        item_heading(item, b);
        let _ = writeln!(
            b,
            "<p class=\"small muted\">{}</p>",
            escape(item.part.label_sv())
        );
        review_note(item, b);
        if item.found || item.flagged {
            evidence_list(ctx, &item.evidence, b);
        } else {
            let _ = writeln!(b, "<p><strong>Tips:</strong> {}</p>", escape(&item.tip));
        }
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
}

fn method(ctx: &Context<'_>, b: &mut String) {
    let model = &ctx.scores.model;
    let _ = write!(
        b,
        "<section aria-labelledby=\"om\">\n<h2 id=\"om\">Om granskningen</h2>\n<p>{}</p>\n\
         <p>infokoll läser kommunens webbplats som en besökare gör, sparar varje hämtad sida i ett \
         arkiv och letar efter punkterna i Hemtjänstindex checklista. Punkter där maskinen är \
         osäker märks ”osäker – granskas” tills en människa har bedömt dem; en granskares \
         bedömning går före maskinens. Modell: {}.</p>\n</section>\n",
        escape(&model.note),
        escape(&model.name),
    );
}

/// The shared footer.
pub fn footer(ctx: &Context<'_>, b: &mut String) {
    let _ = writeln!(
        b,
        "<footer class=\"small muted\"><p>Skapad av infokoll {} ur granskning {} (körning {}). \
         Siffrorna är infokolls uppskattning, inte Hemtjänstindex officiella resultat.</p></footer>",
        escape(env!("CARGO_PKG_VERSION")),
        ctx.scores.run.year,
        escape(&ctx.scores.run.id.to_string()),
    );
}
