//! The template banks: Swedish text for every checklist item (several
//! wordings each), look-alikes of absent items, and filler pages.
//!
//! Every function returns HTML fragments written *from* the truth: a
//! `present` text shows the item as `shared/checklist.md` defines it, a
//! look-alike never does. Texts never write a phone number unless
//! [`Ctx::phone_ok`] and never an e-mail address or contact form unless
//! [`Ctx::mail_ok`], so the two contact items stay exact.
//!
//! - `kontakt`: phone, e-mail, complaints, the contact page
//! - `bistand`: applying, changes, processing time, simplified assessment
//! - `tjanster`: services, alarm, locks, camera, fees, calculators
//! - `utforare`: providers, choice, comparison
//! - `omsorg`: plan, continuity, contact person, flexibility, day activities, short-term care
//! - `filler`: other municipal areas and news

pub(crate) mod bistand;
pub(crate) mod filler;
pub(crate) mod kontakt;
pub(crate) mod omsorg;
pub(crate) mod tjanster;
pub(crate) mod utforare;

use super::ctx::Ctx;
use super::rng::Rng;

/// Processing times as a municipality would write them.
pub(crate) const DURATIONS: &[&str] = &[
    "två veckor",
    "tre veckor",
    "två till tre veckor",
    "2–4 veckor",
    "14 dagar",
    "tio arbetsdagar",
    "10 arbetsdagar",
    "15 arbetsdagar",
    "tre till fyra veckor",
    "fyra veckor",
];

/// Replaces `{kommun}`, `{kommuns}`, `{name}`, `{place}` and `{board}` in a template.
pub(crate) fn fill(template: &str, c: &Ctx) -> String {
    template
        .replace("{kommuns}", &c.kommuns)
        .replace("{kommun}", &c.kommun)
        .replace("{name}", &c.name)
        .replace("{place}", &c.place)
        .replace("{board}", c.board)
}

/// One of `variants`, filled.
pub(crate) fn one(r: &mut Rng, c: &Ctx, variants: &[&str]) -> String {
    let template: &&str = r.pick(variants);
    fill(template, c)
}

/// `<h2>` + paragraphs.
pub(crate) fn section(h2: &str, paras: &[String]) -> String {
    let mut out = format!("<h2>{h2}</h2>\n");
    for p in paras {
        if p.starts_with('<') {
            out.push_str(p);
        } else {
            out.push_str("<p>");
            out.push_str(p);
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// "Ring … på <number>" when a number may be written, else a neutral phrase.
pub(crate) fn call_care(c: &Ctx) -> String {
    if c.phone_ok {
        format!("ring {}", Ctx::tel(&c.phone_care))
    } else {
        "kontakta biståndsenheten".to_owned()
    }
}
