//! Part 4, providers: presentations, how to choose, comparison services.

use std::fmt::Write as _;

use super::{fill, section, Ctx, Rng};
use crate::farm::ctx::Provider;
use crate::farm::plan::JamforMode;

fn article(form: &str) -> &'static str {
    if form == "aktiebolag" {
        "ett"
    } else {
        "en"
    }
}

fn languages(p: &Provider) -> String {
    match p.languages.as_slice() {
        [] => "svenska".to_owned(),
        [one] => format!("svenska och {one}"),
        [rest @ .., last] => format!("svenska, {} och {last}", rest.join(", ")),
    }
}

/// `utforare_presentation` present: the providers with staff, languages,
/// education, organisation and area.
pub(crate) fn presentation(r: &mut Rng, c: &Ctx) -> String {
    let mut out = "<h2>Utförarna presenterar sig</h2>\n".to_owned();
    match r.below(3) {
        0 => {
            for p in &c.providers {
                let _ = writeln!(out,
                    "<h3>{name}</h3>\n<p>{name} är {art} {form} med {staff} anställda. {nurses} procent av personalen är utbildade undersköterskor. Personalen talar {langs}. Arbetar i {area}.</p>\n\
                     <p>Kvalitetsarbete: avvikelser följs upp varje månad och alla kunder får en kontaktperson.</p>",
                    name = p.name,
                    art = article(p.form),
                    form = p.form,
                    staff = p.staff,
                    nurses = p.nurses,
                    langs = languages(p),
                    area = p.area,
                );
            }
            // The quality line mentions contact persons: keep it generic instead.
            out = out.replace(
                " och alla kunder får en kontaktperson.",
                " och ett ledningssystem för kvalitet används.",
            );
        }
        1 => {
            out.push_str("<table><tr><th>Utförare</th><th>Antal anställda</th><th>Språk</th><th>Undersköterskor</th><th>Organisationsform</th><th>Område</th></tr>");
            for p in &c.providers {
                let _ =
                    write!(out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} %</td><td>{}</td><td>{}</td></tr>",
                    p.name,
                    p.staff,
                    languages(p),
                    p.nurses,
                    p.form,
                    p.area
                );
            }
            out.push_str("</table>\n");
        }
        _ => {
            for p in &c.providers {
                let _ = writeln!(out,
                    "<h3>{}</h3>\n<dl><dt>Organisationsform</dt><dd>{}</dd><dt>Antal medarbetare</dt><dd>{}</dd>\
                     <dt>Språk</dt><dd>{}</dd><dt>Utbildning</dt><dd>{} procent undersköterskor</dd>\
                     <dt>Verksamhetsområde</dt><dd>{}</dd></dl>",
                    p.name,
                    p.form,
                    p.staff,
                    languages(p),
                    p.nurses,
                    p.area
                );
            }
        }
    }
    out
}

/// Look-alike of an absent `utforare_presentation`: a bare list of names.
pub(crate) fn bare_list(c: &Ctx) -> String {
    let mut out = "<h2>Utförare i kommunen</h2>\n<ul>".to_owned();
    for p in &c.providers {
        let _ = write!(out, "<li>{}</li>", p.name);
    }
    out.push_str("</ul>\n");
    out
}

/// `valja_utforare` present, as a block.
pub(crate) fn valja(r: &mut Rng, c: &Ctx) -> String {
    match r.below(3) {
        0 => section(
            "Välj utförare",
            &[fill("I {kommun} finns ett valfrihetssystem enligt lagen om valfrihetssystem (LOV). Det betyder att du själv väljer vem som ska utföra din hemtjänst, kommunen eller ett privat företag. Om du inte vill eller kan välja får du hjälp av kommunens egen hemtjänst, som är ickevalsalternativ.", c)],
        ),
        1 => section(
            "Så väljer du utförare",
            &[
                "När du har fått beslut om hemtjänst får du välja utförare bland de företag som kommunen har godkänt. Du meddelar ditt val till biståndshandläggaren.".to_owned(),
                "Du kan när som helst byta utförare. Kontakta handläggaren så ordnar hon eller han bytet.".to_owned(),
            ],
        ),
        _ => section(
            "Fritt val i hemtjänsten",
            &[fill("Hemtjänsten i {kommun} omfattas av kundval. Du väljer fritt mellan de utförare som finns nedan, och valet kostar inget extra. Väljer du inte blir det kommunens hemtjänst som utför insatserna.", c)],
        ),
    }
}

/// `valja_utforare` present, as an FAQ entry.
pub(crate) fn valja_faq(c: &Ctx) -> (String, String) {
    (
        "Kan jag välja vem som utför min hemtjänst?".to_owned(),
        fill("<p>Ja. I {kommun} väljer du själv utförare bland de godkända utförarna. Gör du inget val får du kommunens egen hemtjänst.</p>", c),
    )
}

/// Look-alike of an absent `valja_utforare`: no choice system.
pub(crate) fn no_lov(c: &Ctx) -> String {
    section(
        "Vem utför hemtjänsten?",
        &[fill("{kommun} har inte infört valfrihetssystem inom hemtjänsten. All hemtjänst utförs av kommunens egna hemtjänstgrupper.", c)],
    )
}

/// `jamfor_utforare` present as a link to Äldreguiden (new or old address).
pub(crate) fn jamfor_link(r: &mut Rng, mode: JamforMode) -> String {
    let (href, anchor) = if mode == JamforMode::OldLink {
        (
            *r.pick(&[
                "https://www.socialstyrelsen.se/aldreguiden/",
                "https://oppnajamforelser.socialstyrelsen.se/aldreguiden/",
            ]),
            *r.pick(&[
                "Äldreguiden",
                "Jämför äldreomsorgen i Äldreguiden",
                "Så tycker de äldre om hemtjänsten",
            ]),
        )
    } else {
        (
            "https://aldreguiden.se/",
            *r.pick(&[
                "Jämför hemtjänst i Äldreguiden",
                "Socialstyrelsens Äldreguiden",
                "Hitta och jämför hemtjänst på aldreguiden.se",
                "Äldreguiden – jämför äldreomsorg",
            ]),
        )
    };
    let lead = *r.pick(&[
        "I Socialstyrelsens Äldreguiden kan du se hur nöjda de äldre är med olika utförare av hemtjänst och jämföra dem med varandra.",
        "Inför ditt val kan du jämföra utförarna med hjälp av Socialstyrelsens Äldreguiden.",
        "Vill du veta hur andra upplever hemtjänsten? Socialstyrelsen samlar resultat från brukarundersökningen i Äldreguiden.",
    ]);
    section(
        "Jämför utförare",
        &[
            lead.to_owned(),
            format!("<p><a href=\"{href}\">{anchor}</a></p>"),
        ],
    )
}

/// The body of the municipality's own comparison page.
pub(crate) fn jamfor_own(r: &mut Rng, c: &Ctx, action: &str) -> String {
    let mut out = fill(
        "<p class=\"ingress\">Här kan du jämföra utförarna av hemtjänst i {kommun} och filtrera på språk och område.</p>\n",
        c,
    );
    let _ = writeln!(out,
        "<form class=\"jamfor\" action=\"{action}\" method=\"get\">\n\
         <p><label for=\"j-sprak\">Språk</label> <select id=\"j-sprak\" name=\"sprak\"><option>Alla språk</option><option>Finska</option><option>Arabiska</option><option>Engelska</option></select></p>\n\
         <p><label for=\"j-omrade\">Område</label> <select id=\"j-omrade\" name=\"omrade\"><option>Hela kommunen</option><option>Centralorten</option><option>Landsbygden</option></select></p>"
    );
    if r.chance(0.5) {
        out.push_str("<p><label for=\"j-inriktning\">Inriktning</label> <select id=\"j-inriktning\" name=\"inriktning\"><option>Ingen särskild</option><option>Demens</option></select></p>\n");
    }
    out.push_str("<p><button type=\"submit\">Jämför</button></p>\n</form>\n");
    out.push_str("<h2>Resultat</h2>\n<table><tr><th>Utförare</th><th>Nöjda kunder</th><th>Gott bemötande</th></tr>");
    for p in &c.providers {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} %</td><td>{} %</td></tr>",
            p.name,
            r.range(78, 97),
            r.range(85, 99)
        );
    }
    out.push_str("</table>\n");
    out
}
