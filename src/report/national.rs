//! The national report `OUT/index.html`: key figures, the chart of all
//! scores (inline SVG), the top lists per size group, the national count
//! per item with its change since the compared run, the ranking table and
//! the downloads.
//!
//! The ranking table is complete HTML: without JavaScript every row is
//! shown in rank order. A small inline script (allowed by the page's CSP,
//! nothing external) adds sorting by clicking a column header and filters
//! by county and size group.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::html::{
    decimal, display_name, escape, municipality_file, page, score_text, signed, signed_int,
    status_with_reason, CSP_INLINE_SCRIPT,
};
use super::municipality::{change_text, footer};
use super::svg::score_chart;
use super::Context;
use crate::registry::SizeGroup;
use crate::score::MunicipalityScore;

/// Places shown in each top list.
const TOP_N: u32 = 10;

/// The sorting and filtering script (progressive enhancement).
const SCRIPT: &str = r"(function(){
var t=document.getElementById('rankning-tabell'),f=document.getElementById('filter');
if(!t||!f||!t.tBodies.length)return;f.hidden=false;
var body=t.tBodies[0],rows=[].slice.call(body.rows),heads=[].slice.call(t.tHead.rows[0].cells);
var lan=document.getElementById('filter-lan'),grp=document.getElementById('filter-grupp'),out=document.getElementById('filter-antal');
function apply(){var n=0;rows.forEach(function(r){var ok=(!lan.value||r.getAttribute('data-lan')===lan.value)&&(!grp.value||r.getAttribute('data-grupp')===grp.value);r.hidden=!ok;if(ok)n++;});out.textContent=n+' av '+rows.length+' kommuner visas';}
lan.addEventListener('change',apply);grp.addEventListener('change',apply);
heads.forEach(function(th,i){var b=document.createElement('button');b.type='button';b.className='sort';b.textContent=th.textContent;th.textContent='';th.appendChild(b);
b.addEventListener('click',function(){var asc=th.getAttribute('aria-sort')!=='ascending';heads.forEach(function(o){o.removeAttribute('aria-sort');});th.setAttribute('aria-sort',asc?'ascending':'descending');
var num=th.getAttribute('data-typ')==='num';rows.sort(function(a,c){var x=a.cells[i].getAttribute('data-v'),y=c.cells[i].getAttribute('data-v');if(x===null)x=a.cells[i].textContent;if(y===null)y=c.cells[i].textContent;
if(num){if(x===''&&y==='')return 0;if(x==='')return 1;if(y==='')return -1;return asc?x-y:y-x;}return asc?x.localeCompare(y,'sv'):y.localeCompare(x,'sv');});
rows.forEach(function(r){body.appendChild(r);});});});apply();})();";

/// Renders `index.html`.
pub fn render(ctx: &Context<'_>) -> String {
    let s = ctx.scores;
    let scored: Vec<&MunicipalityScore> = s
        .municipalities
        .iter()
        .filter(|m| m.score.is_some())
        .collect();
    let missing: Vec<&MunicipalityScore> = s
        .municipalities
        .iter()
        .filter(|m| m.score.is_none())
        .collect();
    let mut b = String::with_capacity(64 * 1024 + s.municipalities.len() * 900);
    let _ = write!(
        b,
        "<main>\n<h1>Information om hemtjänst på kommunernas webbplatser {}</h1>\n\
         <p class=\"muted\">infokolls uppskattning av delindex Information i Hemtjänstindex · \
         granskningen startade {}{} · {} kommuner, {} med poäng, {} utan data.</p>\n",
        s.run.year,
        escape(&super::html::date_of_ms(s.run.started_at)),
        s.compared_with
            .as_ref()
            .map(|c| format!(
                " · jämförd med granskningen {} ({})",
                c.year,
                escape(&super::html::date_of_ms(c.started_at))
            ))
            .unwrap_or_default(),
        s.municipalities.len(),
        scored.len(),
        missing.len(),
    );
    key_figures(&scored, &mut b);
    let _ = write!(
        b,
        "<section aria-labelledby=\"diagram\">\n<h2 id=\"diagram\">Alla poäng</h2>\n<figure>\n{}\n\
         <figcaption class=\"small muted\">Varje stapel är en kommun, från högst till lägst poäng; \
         färgen visar storleksgruppen. Den streckade linjen är medelvärdet.</figcaption>\n</figure>\n</section>\n",
        score_chart(&scored, "diagram-titel"),
    );
    top_lists(&scored, &mut b);
    item_counts(ctx, &mut b);
    ranking(ctx, &mut b);
    if !missing.is_empty() {
        b.push_str(
            "<section aria-labelledby=\"utan-data\">\n<h2 id=\"utan-data\">Kommuner utan data</h2>\n\
             <p>Webbplatserna kunde inte granskas. De får ingen poäng och ingen plats – de räknas \
             inte som noll.</p>\n<ul>\n",
        );
        for m in &missing {
            let _ = writeln!(
                b,
                "<li><a href=\"{}\">{}</a>: {}</li>",
                escape(&municipality_file(&m.code, &m.name)),
                escape(&display_name(&m.name)),
                escape(&status_with_reason(&m.status, m.status_reason.as_deref())),
            );
        }
        b.push_str("</ul>\n</section>\n");
    }
    downloads_and_model(ctx, &mut b);
    b.push_str("</main>\n");
    footer(ctx, &mut b);
    let _ = write!(b, "<script>{SCRIPT}</script>");
    page(
        &format!(
            "Hemtjänstinformation på kommunernas webbplatser {} – infokoll",
            s.run.year
        ),
        CSP_INLINE_SCRIPT,
        &b,
    )
}

fn key_figures(scored: &[&MunicipalityScore], b: &mut String) {
    let mut values: Vec<f64> = scored.iter().filter_map(|m| m.score).collect();
    values.sort_by(f64::total_cmp);
    let figure = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| decimal(v, 1));
    let mean = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
    let median = (!values.is_empty()).then(|| {
        let n = values.len();
        if n % 2 == 1 {
            values[n / 2]
        } else {
            f64::midpoint(values[n / 2 - 1], values[n / 2])
        }
    });
    let best = scored.first();
    let _ = write!(
        b,
        "<section aria-labelledby=\"nyckeltal\">\n<h2 id=\"nyckeltal\">Nyckeltal</h2>\n<dl class=\"summary\">\n\
         <div><dt>Medelpoäng</dt><dd>{}</dd></div>\n<div><dt>Median</dt><dd>{}</dd></div>\n\
         <div><dt>Högst</dt><dd>{}</dd></div>\n<div><dt>Lägst</dt><dd>{}</dd></div>\n</dl>\n",
        figure(mean),
        figure(median),
        best.map_or_else(
            || "–".to_owned(),
            |m| format!("{} ({})", score_text(m.score), escape(&m.name))
        ),
        figure(values.first().copied()),
    );
    b.push_str("</section>\n");
}

fn top_lists(scored: &[&MunicipalityScore], b: &mut String) {
    b.push_str(
        "<section aria-labelledby=\"topplistor\">\n<h2 id=\"topplistor\">Bäst i varje storleksgrupp</h2>\n",
    );
    for g in [SizeGroup::Small, SizeGroup::Medium, SizeGroup::Large] {
        let _ = writeln!(b, "<h3>Kommuner med {}</h3>", escape(g.label_sv()));
        let mut top: Vec<&&MunicipalityScore> = scored
            .iter()
            .filter(|m| m.size_group == g && m.size_group_rank.is_some_and(|r| r <= TOP_N))
            .collect();
        top.sort_by_key(|m| m.size_group_rank);
        if top.is_empty() {
            b.push_str("<p>Inga kommuner med poäng i gruppen.</p>\n");
            continue;
        }
        b.push_str("<ol class=\"top\">\n");
        for m in top {
            let _ = writeln!(
                b,
                "<li value=\"{}\"><a href=\"{}\">{}</a> – {} poäng</li>",
                m.size_group_rank.unwrap_or_default(),
                escape(&municipality_file(&m.code, &m.name)),
                escape(&m.name),
                escape(&score_text(m.score)),
            );
        }
        b.push_str("</ol>\n");
    }
    b.push_str("</section>\n");
}

fn item_counts(ctx: &Context<'_>, b: &mut String) {
    let s = ctx.scores;
    b.push_str(
        "<section aria-labelledby=\"punkter\">\n<h2 id=\"punkter\">Punkterna i hela landet</h2>\n\
         <p>Hur många kommuner som har varje punkt på sin webbplats",
    );
    if s.compared_with.is_some() {
        b.push_str(", och förändringen sedan förra granskningen inom parentes");
    }
    b.push_str(
        ".</p>\n<table>\n<caption class=\"visually-hidden\">Antal kommuner per punkt</caption>\n\
         <thead><tr><th scope=\"col\">Punkt</th><th scope=\"col\">Del</th><th scope=\"col\">Kommuner \
         som har punkten</th><th scope=\"col\" class=\"num\">Andel</th></tr></thead>\n<tbody>\n",
    );
    for c in &s.item_counts {
        let share = if c.of == 0 {
            0.0
        } else {
            100.0 * f64::from(c.count) / f64::from(c.of)
        };
        let change = c
            .previous
            .map(|p| format!(" ({})", signed_int(i64::from(c.count) - i64::from(p))))
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{} av {} kommuner{}</td>\
             <td class=\"num\"><span class=\"bar\" style=\"width:{:.1}px\"></span> {} %</td></tr>",
            escape(&c.name),
            escape(c.part.label_sv()),
            c.count,
            c.of,
            escape(&change),
            share * 0.8,
            decimal(share, 0),
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

fn ranking(ctx: &Context<'_>, b: &mut String) {
    let s = ctx.scores;
    let counties: BTreeMap<&str, &str> = s
        .municipalities
        .iter()
        .map(|m| (m.county_code.as_str(), m.county.as_str()))
        .collect();
    b.push_str(
        "<section aria-labelledby=\"rankning\">\n<h2 id=\"rankning\">Rankning</h2>\n\
         <form id=\"filter\" class=\"filters\" hidden>\n<label for=\"filter-lan\">Län\
         <select id=\"filter-lan\"><option value=\"\">Alla län</option>",
    );
    for (code, name) in &counties {
        let _ = write!(
            b,
            "<option value=\"{}\">{}</option>",
            escape(code),
            escape(name)
        );
    }
    b.push_str(
        "</select></label>\n<label for=\"filter-grupp\">Storleksgrupp<select id=\"filter-grupp\">\
         <option value=\"\">Alla storlekar</option>",
    );
    for g in [SizeGroup::Small, SizeGroup::Medium, SizeGroup::Large] {
        let _ = write!(
            b,
            "<option value=\"{}\">{}</option>",
            size_key(g),
            escape(g.label_sv())
        );
    }
    b.push_str(
        "</select></label>\n<output id=\"filter-antal\" aria-live=\"polite\"></output>\n</form>\n\
         <p class=\"small muted\">Lika poäng ger samma plats. Klicka på en kolumnrubrik för att \
         sortera (kräver JavaScript; utan det visas tabellen i platsordning).",
    );
    for (i, p) in s.model.parts.iter().enumerate() {
        let _ = write!(b, " Del {}: {}.", i + 1, escape(&p.label));
    }
    b.push_str(
        "</p>\n<table id=\"rankning-tabell\">\n<caption class=\"visually-hidden\">Rankning av alla \
         kommuner</caption>\n<thead><tr><th scope=\"col\" data-typ=\"num\" class=\"num\">Plats</th>\
         <th scope=\"col\">Kommun</th><th scope=\"col\">Län</th><th scope=\"col\" data-typ=\"num\">\
         Storleksgrupp</th><th scope=\"col\" data-typ=\"num\" class=\"num\">Poäng</th>",
    );
    for (i, _) in s.model.parts.iter().enumerate() {
        let _ = write!(
            b,
            "<th scope=\"col\" data-typ=\"num\" class=\"num\">Del {}</th>",
            i + 1
        );
    }
    if s.compared_with.is_some() {
        b.push_str("<th scope=\"col\" data-typ=\"num\">Förändring</th>");
    }
    b.push_str("</tr></thead>\n<tbody>\n");
    for m in &s.municipalities {
        let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.3}"));
        let _ = write!(
            b,
            "<tr data-lan=\"{}\" data-grupp=\"{}\"><td class=\"num\" data-v=\"{}\">{}</td>\
             <th scope=\"row\"><a href=\"{}\">{}</a></th><td>{}</td><td data-v=\"{}\">{}</td>\
             <td class=\"num\" data-v=\"{}\">{}</td>",
            escape(&m.county_code),
            size_key(m.size_group),
            m.rank.map(|r| r.to_string()).unwrap_or_default(),
            m.rank.map_or_else(|| "–".to_owned(), |r| r.to_string()),
            escape(&municipality_file(&m.code, &m.name)),
            escape(&m.name),
            escape(&m.county),
            m.population.unwrap_or_default(),
            escape(short_group(m.size_group)),
            num(m.score),
            escape(&score_text(m.score)),
        );
        for p in &s.model.parts {
            let v = m
                .parts
                .iter()
                .find(|x| x.part == p.part)
                .and_then(|x| x.score);
            let _ = write!(
                b,
                "<td class=\"num\" data-v=\"{}\">{}</td>",
                num(v),
                v.map_or_else(|| "–".to_owned(), |v| decimal(v, 0))
            );
        }
        if s.compared_with.is_some() {
            let delta = m.change.as_ref().and_then(|c| c.score_delta);
            let text = match delta {
                Some(d) => signed(d, 1),
                None => change_text(ctx, m.change.as_ref()),
            };
            let _ = write!(b, "<td data-v=\"{}\">{}</td>", num(delta), escape(&text));
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

fn size_key(g: SizeGroup) -> &'static str {
    match g {
        SizeGroup::Small => "1",
        SizeGroup::Medium => "2",
        SizeGroup::Large => "3",
    }
}

fn short_group(g: SizeGroup) -> &'static str {
    match g {
        SizeGroup::Small => "under 30 000",
        SizeGroup::Medium => "30 000–70 000",
        SizeGroup::Large => "över 70 000",
    }
}

fn downloads_and_model(ctx: &Context<'_>, b: &mut String) {
    let model = &ctx.scores.model;
    let _ = write!(
        b,
        "<section aria-labelledby=\"ladda-ner\">\n<h2 id=\"ladda-ner\">Ladda ner</h2>\n<ul>\n\
         <li><a href=\"resultat.csv\">resultat.csv</a> – för svenska Excel (semikolon, decimalkomma)</li>\n\
         <li><a href=\"resultat-plain.csv\">resultat-plain.csv</a> – vanlig CSV (komma, decimalpunkt)</li>\n\
         <li><a href=\"resultat.xlsx\">resultat.xlsx</a> – arbetsbok med rankning, punkter per kommun och antal per punkt</li>\n\
         <li><a href=\"results.json\">results.json</a> – maskinläsbart, med belägg</li>\n</ul>\n</section>\n\
         <section aria-labelledby=\"om\">\n<h2 id=\"om\">Om siffrorna</h2>\n<p>{}</p>\n<table>\n\
         <caption class=\"visually-hidden\">Modellens delar och vikter</caption>\n<thead><tr>\
         <th scope=\"col\">Del</th><th scope=\"col\" class=\"num\">Vikt</th><th scope=\"col\">Punkter</th>\
         </tr></thead>\n<tbody>\n",
        escape(&model.note),
    );
    for p in model.parts.iter().chain(&model.other) {
        let items: Vec<String> = p.items.iter().map(|i| escape(&i.name)).collect();
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&p.label),
            decimal(p.weight, 1),
            items.join(", ")
        );
    }
    let _ = write!(
        b,
        "</tbody>\n</table>\n<p class=\"small muted\">Modell: {} ({}).</p>\n</section>\n",
        escape(&model.name),
        escape(&model.origin)
    );
}
