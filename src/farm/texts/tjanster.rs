//! Part 3, services and costs: the services, safety alarm, digital locks,
//! camera supervision, fees and fee calculators.

use std::fmt::Write as _;

use super::super::{VENDOR_FRAME_HOST, VENDOR_LINK_HOST};
use super::{fill, one, section, Ctx, Rng};
use crate::farm::plan::RaknaMode;

/// A neutral introduction of the home-care landing page (no item).
pub(crate) fn intro(r: &mut Rng, c: &Ctx) -> String {
    let p = one(
        r,
        c,
        &[
            "Hemtjänst är stöd och hjälp i hemmet för dig som inte längre klarar vardagen på egen hand.",
            "Med hemtjänst kan du få hjälp att bo kvar hemma, även när vardagen har blivit tyngre.",
            "Du som har svårt att klara dig själv hemma kan ha rätt till hemtjänst från {kommun}.",
            "Hemtjänsten i {kommun} finns till för att du ska kunna leva ett tryggt liv i ditt eget hem.",
        ],
    );
    format!("<p class=\"ingress\">{p}</p>\n")
}

/// `tjanster_beskrivning` present.
pub(crate) fn tjanster(r: &mut Rng, _c: &Ctx) -> String {
    match r.below(4) {
        0 => "<h2>Vad kan jag få hjälp med?</h2>\n<p>Hemtjänsten kan hjälpa dig med</p>\n<ul>\
              <li>personlig omvårdnad, till exempel att duscha, klä på dig och äta</li>\
              <li>städning och tvätt</li><li>inköp av dagligvaror</li>\
              <li>matdistribution</li><li>ledsagning och avlösning i hemmet</li></ul>\n"
            .to_owned(),
        1 => section(
            "Insatser",
            &[
                "Insatserna delas in i serviceinsatser och personlig omvårdnad.".to_owned(),
                "Serviceinsatser är praktisk hjälp i hemmet, som städning, tvätt, inköp och att få mat levererad. Personlig omvårdnad är hjälp med hygien, påklädning, måltider och att förflytta sig.".to_owned(),
            ],
        ),
        2 => "<h2>Det här ingår i hemtjänsten</h2>\n<table><tr><th>Insats</th><th>Exempel</th></tr>\
              <tr><td>Personlig omvårdnad</td><td>Dusch, på- och avklädning, toalettbesök</td></tr>\
              <tr><td>Service</td><td>Städning varannan vecka, tvätt, inköp</td></tr>\
              <tr><td>Måltider</td><td>Matlåda levererad hem, hjälp att värma maten</td></tr>\
              <tr><td>Ledsagning</td><td>Följe till läkare eller en promenad</td></tr></table>\n"
            .to_owned(),
        _ => section(
            "Det här kan hemtjänsten hjälpa till med",
            &["Det kan handla om hjälp med personlig hygien och av- och påklädning, men också om städning, tvätt och att handla mat. Hemtjänsten kan även följa med på promenader eller till vårdcentralen.".to_owned()],
        ),
    }
}

/// `trygghetslarm` present.
pub(crate) fn larm(r: &mut Rng, c: &Ctx) -> String {
    match r.below(4) {
        0 => section(
            "Trygghetslarm",
            &["Med ett trygghetslarm kan du larma om du behöver hjälp, dygnet runt. Larmet består av en larmknapp som du bär runt handleden eller halsen. När du trycker på knappen kommer du i kontakt med en larmcentral.".to_owned()],
        ),
        1 => section(
            "Så fungerar trygghetslarmet",
            &[
                "Trygghetslarmet är kopplat till en larmcentral som bedömer vilken hjälp du behöver. Hemtjänstens personal åker hem till dig när du larmar.".to_owned(),
                "Du ansöker om trygghetslarm hos en biståndshandläggare.".to_owned(),
            ],
        ),
        2 => section(
            "Mobilt trygghetslarm",
            &[fill("Förutom det vanliga trygghetslarmet i hemmet erbjuder {kommun} ett mobilt trygghetslarm med GPS, för dig som vill kunna larma även när du är ute.", c)],
        ),
        _ => section(
            "Trygghetslarm i hemmet",
            &[fill("Känner du dig otrygg hemma kan du få ett trygghetslarm. Larmet monteras av {kommuns} larmtekniker, och när du larmar svarar personal dygnet runt.", c)],
        ),
    }
}

/// `digitala_las` present.
pub(crate) fn las(r: &mut Rng, _c: &Ctx) -> String {
    match r.below(4) {
        0 => section(
            "Digitala lås",
            &["Hemtjänsten använder digitala lås. Personalen öppnar din dörr med en digital nyckel i sin mobiltelefon, så du behöver inte lämna ut någon nyckel.".to_owned()],
        ),
        1 => section(
            "Nyckelfri hemtjänst",
            &["Vi monterar ett elektroniskt låsvred på insidan av din ytterdörr. Personalen låser upp med sin telefon och varje öppning loggas, vilket gör det tryggare för dig.".to_owned()],
        ),
        2 => section(
            "Digitala nycklar",
            &["Med digitala nycklar slipper du ha en extra nyckel i ett nyckelskåp. Låset monteras utan kostnad och du kan fortfarande använda din vanliga nyckel.".to_owned()],
        ),
        _ => section(
            "Låsa upp utan nyckel",
            &["All personal i hemtjänsten har tillgång till digitala lås. Det betyder att ingen fysisk nyckel behöver hämtas eller lämnas tillbaka.".to_owned()],
        ),
    }
}

/// Look-alike of an absent `digitala_las`: key cabinets.
pub(crate) fn las_lookalike(r: &mut Rng) -> String {
    let p = *r.pick(&[
        "För att personalen ska kunna komma in hos dig behöver du lämna en nyckel. Nyckeln förvaras i ett låst nyckelskåp hos hemtjänstgruppen och kvitteras ut vid varje besök.",
        "Hemtjänsten behöver en nyckel till din bostad. Du kan också låta montera en kodlåst nyckelgömma vid din dörr.",
    ]);
    section("Nycklar", &[p.to_owned()])
}

/// `nattillsyn_kamera` present.
pub(crate) fn natt(r: &mut Rng, _c: &Ctx) -> String {
    match r.below(4) {
        0 => section(
            "Nattillsyn via kamera",
            &["Om du behöver tillsyn på natten kan du få den via en kamera i stället för att personalen kommer hem till dig. Personalen tittar in vid de tider ni har kommit överens om, och kameran är bara påslagen då.".to_owned()],
        ),
        1 => section(
            "Digital tillsyn",
            &["Digital tillsyn innebär att hemtjänsten gör tillsynsbesök via en trygghetskamera i ditt hem. Många tycker att det är skönt att slippa bli väckta av ett besök mitt i natten.".to_owned()],
        ),
        2 => section(
            "Kameratillsyn nattetid",
            &["Kameratillsyn är ett alternativ till nattliga tillsynsbesök. Ingen bild sparas och kameran kan bara användas av behörig personal.".to_owned()],
        ),
        _ => section(
            "Trygghetskamera",
            &["Du kan ansöka om tillsyn med trygghetskamera. Personalen ser då till dig digitalt på natten och åker hem till dig om något verkar fel.".to_owned()],
        ),
    }
}

/// Body of a news article about a home-care feature (`It::Las` or `It::Natt`).
pub(crate) fn feature_news(r: &mut Rng, c: &Ctx, locks: bool) -> String {
    let lead = if locks {
        fill("<p class=\"ingress\">Under hösten inför {kommun} digitala lås i hela hemtjänsten. Personalen låser då upp dörren med sin mobiltelefon i stället för med en fysisk nyckel.</p>\n", c)
    } else {
        fill("<p class=\"ingress\">Nu kan alla som har hemtjänst i {kommun} välja nattillsyn via kamera i stället för nattliga besök.</p>\n", c)
    };
    let body = if locks { las(r, c) } else { natt(r, c) };
    format!("{lead}{body}")
}

/// `avgift_info` present.
pub(crate) fn avgift(r: &mut Rng, c: &Ctx, alarm: bool) -> String {
    let fee = c.hourly_fee;
    match r.below(3) {
        0 => section(
            "Vad kostar hemtjänsten?",
            &[format!("Du betalar {fee} kronor per timme för hemtjänst. Avgiften blir aldrig högre än högkostnadsskyddet, som år 2025 är 2 575 kronor per månad.")],
        ),
        1 => {
            let mut rows = format!("<tr><td>Hemtjänst</td><td>{fee} kr per timme</td></tr>");
            if alarm {
                let _ = write!(rows,
                    "<tr><td>Trygghetslarm</td><td>{} kr per månad</td></tr>",
                    c.alarm_fee
                );
            }
            rows.push_str("<tr><td>Högsta avgift (maxtaxa)</td><td>2 575 kr per månad</td></tr>");
            format!(
                "<h2>Avgifter 2025</h2>\n<table><tr><th>Insats</th><th>Avgift</th></tr>{rows}</table>\n\
                 <p>Avgiften beror också på din inkomst. Du betalar aldrig mer än ditt avgiftsutrymme.</p>\n"
            )
        }
        _ => section(
            "Så beräknas din avgift",
            &[
                "Avgiften för hemtjänst bestäms utifrån din inkomst och din boendekostnad. Först tas ditt minimibelopp och din boendekostnad bort från inkomsten. Det som blir kvar är ditt avgiftsutrymme.".to_owned(),
                format!("Timtaxan är {fee} kronor, men du betalar aldrig mer än avgiftsutrymmet eller högkostnadsskyddet på 2 575 kronor per månad."),
            ],
        ),
    }
}

/// Look-alike of an absent `avgift_info` (and of `rakna_avgift`): ask us.
pub(crate) fn avgift_lookalike(r: &mut Rng) -> String {
    let p = *r.pick(&[
        "Avgiften för hemtjänst beror på din inkomst. Kontakta avgiftshandläggaren så räknar vi ut vad du ska betala.",
        "Vad du betalar för hemtjänsten beror på din ekonomi. Avgiftshandläggaren går igenom dina uppgifter och skickar ett beslut om avgift.",
    ]);
    section("Avgift", &[p.to_owned()])
}

/// `rakna_avgift` present, in the given form; `fee_path` is the fee page's path.
pub(crate) fn rakna(r: &mut Rng, c: &Ctx, mode: RaknaMode, fee_path: &str) -> String {
    match mode {
        RaknaMode::OwnForm => own_form(r, fee_path),
        RaknaMode::EService => {
            let url = c.es_url(2).unwrap_or_default();
            let anchor = *r.pick(&[
                "Beräkna din preliminära avgift",
                "Räkna ut din avgift för hemtjänst",
                "Preliminär avgiftsberäkning (e-tjänst)",
                "Avgiftsberäknare för hemtjänst",
            ]);
            section(
                "Beräkna din avgift",
                &[
                    "I vår e-tjänst kan du själv göra en ungefärlig beräkning av avgiften. Du behöver inte logga in och inga uppgifter sparas.".to_owned(),
                    format!("<p><a href=\"{url}\">{anchor}</a></p>"),
                ],
            )
        }
        RaknaMode::VendorLink => {
            let url = format!("http://{VENDOR_LINK_HOST}/berakna/{}/", c.slug);
            let anchor = *r.pick(&[
                "Räkna ut din avgift för hemtjänst (länk till annan webbplats)",
                "Räknesnurra för hemtjänstavgift (öppnas i nytt fönster)",
                "Gör en preliminär avgiftsberäkning",
                "Avgiftskalkylator för hemtjänst",
                "Avgiftsberäkning, självservice (länk till annan webbplats)",
                "Räkna på din avgift",
            ]);
            section(
                "Räkna ut din avgift",
                &[
                    "Vill du veta ungefär vad hemtjänsten kommer att kosta för dig? Med räknesnurran fyller du i din inkomst och boendekostnad och får en preliminär avgift.".to_owned(),
                    format!("<p><a href=\"{url}\" target=\"_blank\">{anchor}</a></p>"),
                ],
            )
        }
        RaknaMode::VendorFrame => {
            let url = format!("http://{VENDOR_FRAME_HOST}/widget/{}/", c.slug);
            format!(
                "<h2>Beräkna din avgift</h2>\n<p>Fyll i uppgifterna i formuläret nedan för att få en preliminär beräkning av din avgift för hemtjänst.</p>\n\
                 <iframe src=\"{url}\" title=\"Avgiftskalkylator för hemtjänst\" width=\"100%\" height=\"620\"></iframe>\n"
            )
        }
    }
}

fn own_form(r: &mut Rng, action: &str) -> String {
    let h2 = *r.pick(&[
        "Räkna ut din avgift",
        "Beräkna din preliminära avgift",
        "Räknesnurra för hemtjänstavgift",
        "Preliminär avgiftsberäkning",
    ]);
    let mut fields = vec![
        (
            "ink",
            "inkomst",
            "Din inkomst per månad före skatt (pension, lön), kr",
        ),
        (
            "bk",
            "boendekostnad",
            "Boendekostnad (hyra eller avgift) per månad, kr",
        ),
    ];
    if r.chance(0.5) {
        fields.push(("btb", "bostadstillagg", "Bostadstillägg per månad, kr"));
    }
    fields.push(("tim", "timmar", "Antal timmar hemtjänst per månad"));
    let mut form = format!(
        "<h2>{h2}</h2>\n<p>Här kan du göra en preliminär beräkning av vad du kommer att betala. Uppgifterna sparas inte och beräkningen är inget beslut.</p>\n\
         <form id=\"avgiftsberakning\" action=\"{action}\" method=\"get\">\n"
    );
    if r.chance(0.5) {
        form.push_str("<p><label for=\"civ\">Civilstånd</label> <select id=\"civ\" name=\"civilstand\"><option>Ensamstående</option><option>Gift eller sambo</option></select></p>\n");
    }
    for (id, name, label) in fields {
        let _ = writeln!(form,
            "<p><label for=\"{id}\">{label}</label> <input id=\"{id}\" name=\"{name}\" type=\"number\"></p>"
        );
    }
    form.push_str("<p><button type=\"submit\">Beräkna</button></p>\n</form>\n");
    form
}

/// Look-alike for `rakna_avgift`: the income declaration e-service (needs login).
pub(crate) fn inkomst_link(c: &Ctx) -> Option<String> {
    let url = c.es_url(1)?;
    Some(section(
        "Lämna inkomstuppgifter",
        &[
            "För att vi ska kunna bestämma din avgift behöver du lämna uppgifter om dina inkomster och din boendekostnad.".to_owned(),
            format!("<p><a href=\"{url}\">Inkomstförfrågan – e-tjänst</a></p>"),
        ],
    ))
}

/// Look-alike for `rakna_avgift`: a PDF form to print.
pub(crate) fn blankett_link(path: &str) -> String {
    section(
        "Blankett",
        &[format!(
            "Skriv ut <a href=\"{path}\">blanketten Inkomstuppgift (pdf)</a>, fyll i den och skicka den till avgiftshandläggaren."
        )],
    )
}
