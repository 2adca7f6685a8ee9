//! Part 5 and the other subindexes: implementation plan, staff continuity,
//! contact person, flexibility, day activities, short-term care; plus the
//! neutral texts of the care section's landing pages and the LSS look-alikes.

use super::{fill, one, section, Ctx, Rng};

/// `genomforandeplan` present; `contact_person` says whether the site also
/// explains the contact person (only then may this text name one).
pub(crate) fn plan(r: &mut Rng, _c: &Ctx, contact_person: bool) -> String {
    let who = if contact_person {
        "din kontaktperson"
    } else {
        "personalen"
    };
    match r.below(3) {
        0 => section(
            "Genomförandeplan",
            &[format!("När hemtjänsten startar gör du och {who} en genomförandeplan tillsammans. I planen står hur och när du får hjälp och vad som är viktigt för dig.")],
        ),
        1 => section(
            "Din genomförandeplan",
            &[
                "Hur hjälpen ska ges beskrivs i en genomförandeplan som du gör tillsammans med personalen. Planen följs upp minst en gång per år, eller oftare om du vill.".to_owned(),
                "Planen ska vara klar inom två veckor från att hjälpen har startat.".to_owned(),
            ],
        ),
        _ => section(
            "Planering av din hjälp",
            &["Du är med och planerar din hemtjänst. Tillsammans med enhetschefen eller personalen skriver ni en genomförandeplan om hur insatserna ska utföras och vilka tider som passar dig.".to_owned()],
        ),
    }
}

/// `personalkontinuitet` present.
pub(crate) fn kontinuitet(r: &mut Rng, c: &Ctx) -> String {
    let n = r.range(7, 19);
    match r.below(3) {
        0 => section(
            "Personalkontinuitet",
            &[format!("Vi arbetar för att du ska träffa så få olika personer som möjligt. Förra året mötte en person med hemtjänst i genomsnitt {n} olika medarbetare under en period på 14 dagar.")],
        ),
        1 => format!(
            "<h2>Hur många olika personal möter du?</h2>\n<table><tr><th>Mått</th><th>{name}</th><th>Riket</th></tr>\
             <tr><td>Antal olika personal under 14 dagar</td><td>{n}</td><td>16</td></tr></table>\n\
             <p>Måttet gäller personer som har hemtjänst minst två gånger per dag.</p>\n",
            name = c.name
        ),
        _ => section(
            "Samma personal så ofta som möjligt",
            &[fill(&format!("I {{kommun}} möter den som har hemtjänst i snitt {n} olika personal under två veckor. Målet är att minska antalet, bland annat genom mindre arbetsgrupper."), c)],
        ),
    }
}

/// Look-alike of an absent `personalkontinuitet`: staff statistics of another kind.
pub(crate) fn kontinuitet_lookalike(r: &mut Rng) -> String {
    let p = format!(
        "Sjukfrånvaron bland medarbetarna i hemtjänsten var {},{} procent förra året. Personalomsättningen har minskat jämfört med året innan.",
        r.range(5, 11),
        r.range(0, 9)
    );
    section("Personal", &[p])
}

/// `kontaktperson` present.
pub(crate) fn kontaktperson(r: &mut Rng) -> String {
    match r.below(4) {
        0 => section(
            "Kontaktperson",
            &["Du får en kontaktperson bland personalen i hemtjänsten. Kontaktpersonen har lite extra ansvar för att din hjälp fungerar och är den du i första hand vänder dig till.".to_owned()],
        ),
        1 => section(
            "Fast omsorgskontakt",
            &["Alla som har hemtjänst får en fast omsorgskontakt. Det är en undersköterska som du träffar ofta och som har ett särskilt ansvar för dig och din omsorg.".to_owned()],
        ),
        2 => section(
            "Kontaktman",
            &["I hemtjänsten har du en kontaktman. Kontaktmannen ser till att du får den hjälp du har rätt till och håller kontakt med dina anhöriga om du vill det.".to_owned()],
        ),
        _ => section(
            "Din kontaktpersonal",
            &["Två personer i arbetsgruppen är din kontaktpersonal. De lär känna dig extra väl och hjälper dig med frågor om din hemtjänst.".to_owned()],
        ),
    }
}

/// `flex_policy` present, as a block.
pub(crate) fn flex(r: &mut Rng, c: &Ctx) -> String {
    match r.below(8) {
        7 => section(
            "Flexibel tid",
            &["Du kan använda din beviljade tid flexibelt, till exempel till en promenad i stället för städning.".to_owned()],
        ),
        5 => section(
            "Välj själv",
            &["Du kan själv välja vilka insatser du vill använda de beviljade timmarna till.".to_owned()],
        ),
        6 => section(
            "Rambeslut",
            &["Du får ett rambeslut om ett visst antal timmar per månad. Inom ramen bestämmer du och personalen vad hjälpen ska bestå av.".to_owned()],
        ),
        0 => section(
            "Ramtid",
            &[fill("I {kommun} arbetar hemtjänsten med ramtid. Du beviljas ett antal timmar per månad och bestämmer tillsammans med personalen hur tiden ska användas.", c)],
        ),
        1 => section(
            "Byt insats",
            &["Inom den tid du har fått beviljad kan du byta en insats mot en annan, till exempel en promenad i stället för städning.".to_owned()],
        ),
        2 => section(
            "Du bestämmer",
            &["Du bestämmer själv hur de beviljade timmarna ska användas, så länge det ryms inom ditt beslut.".to_owned()],
        ),
        3 => section(
            "Flexibel hemtjänst",
            &["Med flexibel hemtjänst kan du använda din beviljade tid till annat än det som står i beslutet, om du hellre vill det.".to_owned()],
        ),
        _ => section(
            "Spara tid",
            &["Du kan spara timmar som du inte har använt och ta ut dem senare under månaden, inom ramen för ditt beslut.".to_owned()],
        ),
    }
}

/// `flex_policy` present, as an FAQ entry.
pub(crate) fn flex_faq() -> (String, String) {
    (
        "Kan jag byta städning mot en promenad?".to_owned(),
        "<p>Ja. Inom den tid du har fått beviljad kan du byta en insats mot en annan.</p>"
            .to_owned(),
    )
}

/// Look-alikes of `flex_policy` that are safe on any home-care page.
pub(crate) fn flex_lookalike(r: &mut Rng) -> String {
    let p = *r.pick(&[
        "Hjälpen är individuellt anpassad efter dina behov och önskemål.",
        "Vi använder flexibel planering med bredare tidsfönster, så att personalen hinner med fler besök under dagen.",
        "Hemtjänsten anpassas efter dig och din vardag.",
    ]);
    format!("<p>{p}</p>\n")
}

/// The intro of the page about how home care works.
pub(crate) fn arbetssatt_intro(r: &mut Rng, c: &Ctx) -> String {
    let p = one(
        r,
        c,
        &[
            "Här kan du läsa om hur hemtjänsten i {kommun} arbetar för att du ska få en trygg och god omsorg.",
            "Hemtjänsten arbetar efter värdegrunden i socialtjänstlagen: du ska kunna leva ett värdigt liv och känna välbefinnande.",
        ],
    );
    format!("<p class=\"ingress\">{p}</p>\n")
}

/// Neutral FAQ entries (no item).
pub(crate) fn neutral_faq(r: &mut Rng) -> Vec<(String, String)> {
    let mut all = vec![
        (
            "Kan jag få hjälp på helger?",
            "Ja, hemtjänsten arbetar alla dagar i veckan, även kvällar.",
        ),
        (
            "Vad händer om jag blir sjuk och inte kan ta emot hjälpen?",
            "Meddela hemtjänsten så snart du kan, så planerar de om besöket.",
        ),
        (
            "Behöver jag vara hemma när städningen görs?",
            "Nej, men du behöver komma överens med personalen om det i förväg.",
        ),
        (
            "Vad gör jag om personalen inte kommer?",
            "Kontakta din hemtjänstgrupp. Personalen kan ha blivit försenad av ett annat besök.",
        ),
    ];
    r.shuffle(&mut all);
    all.truncate(r.range(1, 3) as usize);
    all.into_iter()
        .map(|(q, a)| (q.to_owned(), format!("<p>{a}</p>")))
        .collect()
}

/// The intro of a servicedeklaration page (with a complaint-time look-alike).
pub(crate) fn servicedekl_intro(c: &Ctx) -> String {
    fill(
        "<p class=\"ingress\">En servicedeklaration beskriver vad du kan förvänta dig av hemtjänsten i {kommun} och vad vi lovar dig.</p>\n\
         <h2>Om vi inte håller vad vi lovar</h2>\n<p>Berätta det för oss. Vi besvarar synpunkter inom tio arbetsdagar.</p>\n",
        c,
    )
}

/// `dagverksamhet` present: the day-activity page.
pub(crate) fn dagverksamhet(r: &mut Rng, c: &Ctx) -> String {
    let p = one(
        r,
        c,
        &[
            "Dagverksamhet är för dig som är äldre och behöver stöd och gemenskap under dagen. På {place} erbjuder vi aktiviteter, måltider och social samvaro vardagar mellan 9 och 15.",
            "Dagverksamhet för personer med demenssjukdom finns på {place}. Verksamheten ger stimulans och struktur i vardagen och ger samtidigt dina anhöriga avlastning.",
            "På {place} finns dagverksamhet för seniorer som vill bryta ensamheten. Vi läser tidningen tillsammans, lagar lunch, sjunger och går ut på promenader.",
        ],
    );
    let more = *r.pick(&[
        "Resor till och från dagverksamheten kan ordnas.",
        "Du kan vara med en eller flera dagar i veckan.",
    ]);
    format!("<p>{p}</p>\n<p>{more}</p>\n")
}

/// `korttid` present: the short-term care page.
pub(crate) fn korttid(r: &mut Rng, c: &Ctx) -> String {
    match r.below(3) {
        0 => section(
            "Korttidsboende",
            &[fill("Korttidsboende är för dig som under en period behöver vård och omsorg dygnet runt, till exempel efter en sjukhusvistelse. {kommun} har korttidsplatser på {place}.", c)],
        ),
        1 => section(
            "Växelvård",
            &["Vid växelvård bor du växelvis hemma och på ett korttidsboende, till exempel två veckor hemma och en vecka på korttids. Det ger dina anhöriga möjlighet att vila.".to_owned()],
        ),
        _ => section(
            "Korttidsplats och akutplats",
            &[fill("Om du plötsligt inte kan bo kvar hemma kan du få en akutplats eller en korttidsplats på {place}, medan ni planerar hur det ska bli framöver.", c)],
        ),
    }
}

/// The body of an LSS subpage (0 kontaktperson, 1 daglig verksamhet, 2 korttidsvistelse).
pub(crate) fn lss_sub(which: u8) -> String {
    let p = match which {
        0 => "En kontaktperson enligt LSS är en medmänniska som kan hjälpa dig med funktionsnedsättning att leva ett mer självständigt liv, till exempel genom att ni gör fritidsaktiviteter tillsammans.",
        1 => "Daglig verksamhet enligt LSS är för dig i yrkesverksam ålder som har en intellektuell funktionsnedsättning eller autism. Verksamheten ska vara meningsfull och utvecklande.",
        _ => "Korttidsvistelse enligt LSS ger barn och unga med funktionsnedsättning miljöombyte och rekreation, samtidigt som familjen får avlösning.",
    };
    format!("<p>{p}</p>\n<p>Du ansöker om insatser enligt LSS hos en LSS-handläggare.</p>\n")
}

/// The LSS landing page body (sometimes with an LSS genomförandeplan).
pub(crate) fn lss_landing(r: &mut Rng) -> String {
    let mut out = "<p class=\"ingress\">Här finns information om stöd enligt lagen om stöd och service till vissa funktionshindrade (LSS) och socialtjänstlagen för dig som har en funktionsnedsättning.</p>\n".to_owned();
    if r.chance(0.5) {
        out.push_str(
            "<p>För varje insats enligt LSS gör vi en genomförandeplan tillsammans med dig.</p>\n",
        );
    }
    out
}

/// Neutral body of a care landing page (`kind`: 0 care, 1 elder, 2 help at home, 3 alarm page).
pub(crate) fn landing(r: &mut Rng, c: &Ctx, kind: u8) -> String {
    let p = match kind {
        0 => one(r, c, &[
            "Här hittar du information om stöd och omsorg för dig som är äldre, har en funktionsnedsättning eller är anhörig.",
            "{kommun} erbjuder stöd till dig som behöver hjälp i vardagen. Välj område nedan.",
        ]),
        1 => one(r, c, &[
            "Som äldre i {kommun} kan du få olika former av stöd, både hemma och i särskilt boende.",
            "Här finns information om äldreomsorgen i {kommun}.",
        ]),
        2 => one(r, c, &[
            "För att du ska kunna bo kvar hemma så länge som möjligt finns olika former av stöd.",
            "Behöver du hjälp för att klara vardagen hemma? Här finns stöden samlade.",
        ]),
        _ => one(r, c, &["Här kan du läsa om stöd som gör det tryggare att bo kvar hemma."]),
    };
    format!("<p class=\"ingress\">{p}</p>\n")
}

/// The anhörigstöd page body.
pub(crate) fn anhorig(r: &mut Rng, c: &Ctx) -> String {
    let p = one(r, c, &[
        "Vårdar du någon som står dig nära? Anhörigkonsulenten i {kommun} erbjuder samtal, information och träffar med andra i samma situation.",
        "Som anhörig kan du få stöd i form av enskilda samtal, anhöriggrupper och föreläsningar. Stödet är kostnadsfritt.",
    ]);
    format!("<p>{p}</p>\n")
}

/// The särskilt boende page body.
pub(crate) fn boende(r: &mut Rng, c: &Ctx) -> String {
    let p = one(r, c, &[
        "Särskilt boende är för dig som har så stora behov av vård och omsorg att du inte längre kan bo kvar hemma. På boendet finns personal dygnet runt.",
        "I {kommun} finns särskilda boenden på flera orter, bland annat {place}. Du har en egen lägenhet och tillgång till gemensamma utrymmen.",
    ]);
    format!("<p>{p}</p>\n")
}
