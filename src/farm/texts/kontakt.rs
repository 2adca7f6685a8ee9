//! Part 1, contact: phone, e-mail or contact form, complaints; the contact page.

use std::fmt::Write as _;

use super::{section, Ctx, Rng};

/// `kontakt_telefon` present (needs `c.phone_ok`).
pub(crate) fn telefon(r: &mut Rng, c: &Ctx) -> String {
    let care = Ctx::tel(&c.phone_care);
    let main = Ctx::tel(&c.phone_main);
    match r.below(4) {
        0 => section(
            "Kontakt",
            &[format!(
                "Har du frågor om hemtjänst är du välkommen att ringa biståndshandläggarna på {care}, vardagar klockan 8.00–10.00."
            )],
        ),
        1 => section(
            "Frågor om hemtjänst",
            &[format!(
                "Ring {kommuns} kontaktcenter, telefon {main}. Kontaktcenter svarar på de flesta frågor om hemtjänst och kopplar dig vidare till en biståndshandläggare vid behov.",
                kommuns = c.kommuns
            )],
        ),
        2 => section(
            "Så når du oss",
            &[format!(
                "Telefontid för biståndshandläggare inom äldreomsorgen: måndag–fredag 9.00–11.00 på telefon {care}."
            )],
        ),
        _ => section(
            "Ring hemtjänsten",
            &[format!(
                "Vill du prata med någon om hemtjänst når du biståndsenheten på {care} och hemtjänstens samordnare via växeln, {main}."
            )],
        ),
    }
}

/// `kontakt_epost_formular` present (needs `c.mail_ok`); `kontakt` is the contact page path.
pub(crate) fn epost(r: &mut Rng, c: &Ctx, kontakt: &str) -> String {
    let mail = Ctx::mailto(&c.care_mail);
    match r.below(4) {
        0 => section(
            "E-post",
            &[format!("Du kan också skicka e-post med frågor om hemtjänst till {mail}.")],
        ),
        1 => section(
            "Skriv till oss",
            &[format!(
                "Frågor om äldreomsorgen kan du skicka till funktionsbrevlådan {mail}. Skriv inte känsliga personuppgifter i e-post."
            )],
        ),
        2 => section(
            "Kontaktformulär",
            &[format!(
                "Vill du hellre skriva? Använd <a href=\"{kontakt}\">kontaktformuläret</a> och välj ämnet Äldreomsorg och hemtjänst, så hamnar ditt meddelande hos rätt handläggare."
            )],
        ),
        _ => contact_form("Skicka en fråga om hemtjänst", kontakt),
    }
}

/// A small contact form (fields for name, e-mail and message).
fn contact_form(h2: &str, action: &str) -> String {
    format!(
        "<h2>{h2}</h2>\n<form class=\"kontaktformular\" action=\"{action}\" method=\"post\">\n\
         <p><label for=\"kf-namn\">Namn</label> <input id=\"kf-namn\" name=\"namn\" type=\"text\"></p>\n\
         <p><label for=\"kf-epost\">Din e-postadress</label> <input id=\"kf-epost\" name=\"epost\" type=\"email\"></p>\n\
         <p><label for=\"kf-meddelande\">Meddelande</label> <textarea id=\"kf-meddelande\" name=\"meddelande\"></textarea></p>\n\
         <p><button type=\"submit\">Skicka</button></p>\n</form>\n"
    )
}

/// `klagomal` present: the body of a complaints page (or block on another page).
pub(crate) fn klagomal(r: &mut Rng, c: &Ctx, on_own_page: bool) -> String {
    let mut variants: Vec<u8> = vec![0, 1];
    if c.mail_ok {
        variants.extend([2, 3]);
    }
    if c.phone_ok {
        variants.push(4);
    }
    let v = *r.pick(&variants);
    let h2 = if on_own_page {
        "Så lämnar du synpunkter"
    } else {
        "Synpunkter och klagomål"
    };
    let letter = format!(
        "Du kan skicka dina synpunkter med brev till {board}, {kommun}, {street}, {postal}.",
        board = c.board,
        kommun = c.kommun,
        street = c.street,
        postal = c.postal
    );
    let ivo = "Du kan också vända dig till Inspektionen för vård och omsorg (IVO) om du anser att det finns allvarliga brister i omsorgen.";
    match v {
        0 => section(
            h2,
            &[
                "Är du inte nöjd med hemtjänsten eller någon annan del av äldreomsorgen vill vi gärna veta det. Prata i första hand med personalen eller enhetschefen, det löser ofta problemet snabbt.".to_owned(),
                letter,
            ],
        ),
        1 => section(
            h2,
            &[
                "Om du inte är nöjd med den hjälp du får kan du lämna ett klagomål. Alla klagomål på vård och omsorg registreras och följs upp av förvaltningen.".to_owned(),
                letter,
                ivo.to_owned(),
            ],
        ),
        2 => section(
            h2,
            &[
                format!("Synpunkter och klagomål på äldreomsorgen tar vi emot på {}. Du kan vara anonym om du vill.", Ctx::mailto(&c.info_mail)),
                "Dina synpunkter hjälper oss att förbättra hemtjänsten.".to_owned(),
            ],
        ),
        3 => {
            let mut s = section(
                h2,
                &["Tyck till om kommunens service! Här kan du lämna beröm, synpunkter eller klagomål på till exempel hemtjänsten, särskilt boende eller annan omsorg.".to_owned()],
            );
            let _ = writeln!(s,
                "<form class=\"synpunkt\" action=\"/synpunkt/skicka\" method=\"post\">\n\
                 <p><label for=\"sp-omrade\">Vad gäller det?</label> <select id=\"sp-omrade\" name=\"omrade\"><option>Äldreomsorg</option><option>Skola</option><option>Gator och parker</option></select></p>\n\
                 <p><label for=\"sp-text\">Din synpunkt</label> <textarea id=\"sp-text\" name=\"synpunkt\"></textarea></p>\n\
                 <p><label for=\"sp-epost\">E-post om du vill ha svar</label> <input id=\"sp-epost\" name=\"epost\" type=\"email\"></p>\n\
                 <p><button type=\"submit\">Skicka synpunkt</button></p>\n</form>\n<p>{ivo}</p>"
            );
            s
        }
        _ => section(
            h2,
            &[
                format!(
                    "Om du är missnöjd med hemtjänsten kan du ringa enhetschefen eller kontaktcenter på {}. Du kan också lämna klagomål skriftligt.",
                    Ctx::tel(&c.phone_main)
                ),
                letter,
            ],
        ),
    }
}

/// Look-alike page for an absent `klagomal`: feedback on the website only.
pub(crate) fn webbfeedback(r: &mut Rng, c: &Ctx) -> String {
    let first = match r.below(3) {
        0 => "Hittade du det du letade efter på webbplatsen? Berätta gärna vad vi kan göra bättre med texterna, menyerna eller sökfunktionen.",
        1 => "Vi vill att webbplatsen ska vara lätt att använda. Har du hittat en trasig länk eller en sida som är svår att förstå?",
        _ => "Hjälp oss att göra webbplatsen bättre genom att svara på tre korta frågor om hur du hittade informationen.",
    };
    let mut paras = vec![first.to_owned()];
    paras.push(format!(
        "Synpunkterna läses av webbredaktionen på {}. Vi svarar inte på enskilda meddelanden.",
        c.kommun
    ));
    section("Tyck till om webbplatsen", &paras)
}

/// The contact page body.
pub(crate) fn kontakt_page(r: &mut Rng, c: &Ctx, self_path: &str) -> String {
    let mut out = String::new();
    out.push_str(&section(
        "Besöksadress",
        &[format!(
            "Kommunhuset, {street}, {postal}. Receptionen är öppen vardagar 8.00–16.30.",
            street = c.street,
            postal = c.postal
        )],
    ));
    if c.phone_ok {
        out.push_str(&section(
            "Telefon",
            &[
                format!("Växel och kontaktcenter: {}", Ctx::tel(&c.phone_main)),
                format!(
                    "Biståndshandläggare äldreomsorg: {}",
                    Ctx::tel(&c.phone_care)
                ),
            ],
        ));
    }
    if c.mail_ok {
        out.push_str(&section(
            "E-post",
            &[format!("Allmänna frågor: {}", Ctx::mailto(&c.info_mail))],
        ));
        if r.chance(0.6) {
            out.push_str(&contact_form("Kontaktformulär", self_path));
        }
    } else {
        out.push_str(&section(
            "Post",
            &[format!(
                "Brev till kommunen skickar du till {kommun}, {street}, {postal}.",
                kommun = c.kommun,
                street = c.street,
                postal = c.postal
            )],
        ));
    }
    out
}
