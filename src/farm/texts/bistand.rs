//! Part 2, the bistånd process: applying, changed needs, processing time;
//! and the simplified assessment (`forenklad_bistand`).

use super::{call_care, fill, section, Ctx, Rng, DURATIONS};

/// `ansoka_bistand` present.
pub(crate) fn ansoka(r: &mut Rng, c: &Ctx) -> String {
    let mut variants = vec![0, 2, 3];
    if c.eservice.is_some() {
        variants.push(1);
    }
    match *r.pick(&variants) {
        0 => section(
            "Så ansöker du",
            &[format!(
                "Du ansöker om hemtjänst hos en biståndshandläggare. {} och berätta vad du behöver hjälp med. Handläggaren gör sedan en utredning tillsammans med dig, oftast vid ett hembesök.",
                capitalize(&call_care(c))
            )],
        ),
        1 => {
            let url = c.es_url(0).unwrap_or_default();
            section(
                "Ansök om hemtjänst",
                &[
                    "För att få hemtjänst behöver du ansöka om bistånd enligt socialtjänstlagen.".to_owned(),
                    format!("Det gör du enklast via <a href=\"{url}\">e-tjänsten Ansökan om hemtjänst</a>, där du loggar in med BankID. Du kan också {} om du hellre vill ansöka muntligt.", call_care(c)),
                ],
            )
        }
        2 => section(
            "Ansökan",
            &[
                "Ansökan om hemtjänst kan vara muntlig eller skriftlig.".to_owned(),
                format!(
                    "Vill du ansöka skriftligt fyller du i blanketten Ansökan om bistånd och skickar den till {board}, {kommun}, {street}, {postal}. En biståndshandläggare kontaktar dig sedan för att boka ett hembesök.",
                    board = c.board,
                    kommun = c.kommun,
                    street = c.street,
                    postal = c.postal
                ),
            ],
        ),
        _ => section(
            "Hur får jag hemtjänst?",
            &[format!(
                "Det är du själv som ansöker om hemtjänst, men en anhörig får gärna hjälpa dig att ta kontakten. Ansökan görs hos biståndshandläggarna på {}, som utreder ditt behov av stöd och fattar beslut.",
                c.kommun
            )],
        ),
    }
}

/// `andra_beslut` present, as a block.
pub(crate) fn andra(r: &mut Rng, c: &Ctx) -> String {
    match r.below(4) {
        0 => section(
            "Om dina behov förändras",
            &[format!(
                "Om du behöver mer, mindre eller annan hjälp än den du har i dag, {} . Då gör handläggaren en ny bedömning och du får vid behov ett nytt beslut.",
                call_care(c)
            )
            .replace(" .", ".")],
        ),
        1 => section(
            "Ändrat behov",
            &["Ditt beslut om hemtjänst följs upp regelbundet. Har dina behov ändrats kan du när som helst ansöka om ändring av beslutet hos din biståndshandläggare.".to_owned()],
        ),
        2 => section(
            "Mer eller annan hjälp",
            &["Vill du ansöka om mer hjälp, eller om en annan insats än den du har i dag, gör du en ny ansökan på samma sätt som första gången. Handläggaren utreder då ditt nya behov.".to_owned()],
        ),
        _ => section(
            "Omprövning av beslut",
            &["Om din situation förändras, till exempel efter en sjukhusvistelse, kan du begära att ditt beslut omprövas. Kontakta din biståndshandläggare så tittar ni tillsammans på vilken hjälp du behöver nu.".to_owned()],
        ),
    }
}

/// `andra_beslut` present, as an FAQ entry.
pub(crate) fn andra_faq(r: &mut Rng, c: &Ctx) -> (String, String) {
    let q = *r.pick(&[
        "Vad gör jag om jag behöver mer hjälp?",
        "Kan jag ändra mitt beslut om hemtjänst?",
    ]);
    (
        q.to_owned(),
        format!(
            "<p>Ja. Om dina behov har förändrats ansöker du om en ändring av beslutet. {} så gör handläggaren en ny utredning.</p>",
            capitalize(&call_care(c))
        ),
    )
}

fn duration(r: &mut Rng) -> &'static str {
    let d: &&'static str = r.pick(DURATIONS);
    d
}

/// `handlaggningstid` present, as a block.
pub(crate) fn handl(r: &mut Rng, _c: &Ctx) -> String {
    let d = duration(r);
    match r.below(8) {
        6 => section(
            "Beslut om hemtjänst",
            &[format!("Vi strävar efter att fatta beslut inom {d}.")],
        ),
        0 => section(
            "Utredning och beslut",
            &[
                "Handläggaren gör en utredning tillsammans med dig och frågar om vad du klarar själv och vad du behöver hjälp med.".to_owned(),
                format!("Du får oftast ett beslut inom {d} från att vi har tagit emot din ansökan."),
            ],
        ),
        1 => section(
            "Handläggningstid",
            &[format!("Handläggningstiden för hemtjänst är normalt {d}. Under den tiden gör handläggaren sin utredning.")],
        ),
        2 => section(
            "Hur lång tid tar det?",
            &[format!("Utredningen tar i regel {d}. Beslutet skickas sedan hem till dig med post.")],
        ),
        3 => section(
            "Från ansökan till beslut",
            &[format!("Räkna med att det tar ungefär {d} från ansökan till beslut. Brådskar det kan handläggaren fatta ett tillfälligt beslut.")],
        ),
        4 => section(
            "Beslut",
            &[format!("När utredningen är klar fattar biståndshandläggaren beslut. Vanligtvis har du ett beslut inom {d}.")],
        ),
        5 => section(
            "Beslutet",
            &[format!("Du får beslutet hemskickat inom {d} från det att du lämnade in din ansökan.")],
        ),
        _ => section(
            "Handläggning",
            &["Handläggningen tar vanligtvis cirka en månad, beroende på hur mycket som behöver utredas.".to_owned()],
        ),
    }
}

/// `handlaggningstid` present, as an FAQ entry.
pub(crate) fn handl_faq(r: &mut Rng) -> (String, String) {
    let d = duration(r);
    let q = *r.pick(&[
        "Hur lång tid tar det innan jag får ett beslut?",
        "När får jag beslut om hemtjänst?",
        "Hur lång är handläggningstiden?",
    ]);
    (
        q.to_owned(),
        format!("<p>Vanligtvis får du beslut inom {d}.</p>"),
    )
}

/// `handlaggningstid` present, as a servicedeklaration commitment.
pub(crate) fn handl_service(r: &mut Rng) -> String {
    let d = duration(r);
    format!(
        "<h2>Vårt åtagande när du ansöker</h2>\n<p>Vi garanterar att ansökningar om bistånd handläggs inom:</p>\n\
         <ul><li>hemtjänst – {d}</li><li>särskilt boende – tre månader</li></ul>\n"
    )
}

/// Look-alikes of `handlaggningstid` (all true statements that are not it).
pub(crate) fn handl_lookalike(r: &mut Rng, c: &Ctx) -> String {
    match r.below(4) {
        0 => overklaga(r),
        1 => {
            if c.phone_ok {
                section(
                    "Telefontid",
                    &[format!(
                        "Om du inte når fram kan du lämna ett meddelande på {}. Vi ringer upp dig inom två arbetsdagar.",
                        Ctx::tel(&c.phone_care)
                    )],
                )
            } else {
                start_time(r)
            }
        }
        2 => start_time(r),
        _ => section(
            "Hur lång tid tar det?",
            &["Hur lång tid utredningen tar varierar beroende på din situation. Vi fattar beslut så snart som möjligt.".to_owned()],
        ),
    }
}

fn start_time(r: &mut Rng) -> String {
    let when = *r.pick(&["några dagar", "en vecka", "fem dagar"]);
    section(
        "När börjar hjälpen?",
        &[format!("När beslutet är fattat startar hjälpen oftast inom {when}. Utföraren hör av sig till dig innan första besöket.")],
    )
}

/// The appeal paragraph (a look-alike on every kind of site).
pub(crate) fn overklaga(r: &mut Rng) -> String {
    let h2 = *r.pick(&[
        "Om du inte är nöjd med beslutet",
        "Överklaga",
        "Du kan överklaga",
    ]);
    section(
        h2,
        &["Du kan överklaga beslutet hos förvaltningsrätten. Överklagandet ska ha kommit in till kommunen inom tre veckor från den dag då du fick del av beslutet.".to_owned()],
    )
}

/// `forenklad_bistand` present, as a block.
pub(crate) fn forenklad(r: &mut Rng, c: &Ctx) -> String {
    let age = *r.pick(&["75", "78", "80", "85"]);
    match r.below(4) {
        0 => section(
            "Hemtjänst utan biståndsbeslut",
            &[format!("Är du {age} år eller äldre kan du få hjälp med städning, tvätt och inköp utan att ansöka om bistånd. Du kontaktar hemtjänsten direkt och kan få hjälp i upp till åtta timmar per månad.")],
        ),
        1 => section(
            &format!("Förenklad handläggning för dig över {age}"),
            &[format!("Du som har fyllt {age} år kan få serviceinsatser som städning, tvätt och matdistribution med förenklad biståndsbedömning. Det innebär att du inte behöver göra en fullständig utredning av ditt behov.")],
        ),
        2 => section(
            "Serviceinsatser utan behovsprövning",
            &[fill(
                &format!("{{kommun}} erbjuder hemtjänst i form av städning, tvätt och inköp utan individuell behovsprövning till alla invånare som har fyllt {age} år. Du beställer hjälpen direkt hos hemtjänsten."),
                c,
            )],
        ),
        _ => section(
            "Förenklat beslutsfattande",
            &[format!("För dig som är {age} år eller äldre gäller förenklat beslutsfattande för serviceinsatser i hemmet. Du behöver bara berätta vad du vill ha hjälp med, så fattas beslut utan utredning.")],
        ),
    }
}

/// `forenklad_bistand` present, as an FAQ entry.
pub(crate) fn forenklad_faq(r: &mut Rng) -> (String, String) {
    let age = *r.pick(&["75", "80"]);
    (
        "Måste jag ansöka för att få hjälp med städning?".to_owned(),
        format!("<p>Nej, inte om du har fyllt {age} år. Då kan du beställa serviceinsatser som städning och tvätt direkt, utan biståndsbeslut.</p>"),
    )
}

/// Look-alikes of `forenklad_bistand`: abolished, or open activities only.
pub(crate) fn forenklad_lookalike(r: &mut Rng, c: &Ctx) -> String {
    if r.chance(0.5) {
        section(
            "Förenklad biståndsbedömning har upphört",
            &["Från och med den 1 januari 2025 prövas alla ansökningar om hemtjänst individuellt. Den tidigare möjligheten att få serviceinsatser utan biståndsbeslut för personer över 80 år finns inte längre.".to_owned()],
        )
    } else {
        section(
            "Insatser utan individuell behovsprövning",
            &[fill(
                "Enligt den nya socialtjänstlagen kan vissa insatser ges utan individuell behovsprövning. I {kommun} gäller det träffpunkterna för seniorer, anhörigstödets samtalsgrupper och rådgivning om bostadsanpassning. Hemtjänst ingår inte bland dessa insatser.",
                c,
            )],
        )
    }
}

/// Upper-cases the first letter.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
