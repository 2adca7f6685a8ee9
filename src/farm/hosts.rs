//! Helper hosts: a municipality's e-service host and the two shared vendor
//! hosts with per-kommun fee calculators.

use std::fmt::Write as _;

use super::ctx::Ctx;
use super::{VENDOR_FRAME_HOST, VENDOR_LINK_HOST};

/// A per-kommun page on a vendor host.
#[derive(Debug, Clone)]
pub(crate) struct VendorPage {
    /// True for the iframe vendor ([`VENDOR_FRAME_HOST`]).
    pub frame: bool,
    pub slug: String,
    pub kommun: String,
    /// The municipality's fee page (absolute URL).
    pub back: String,
    pub hourly_fee: u32,
}

/// Collects vendor pages of all municipalities.
#[derive(Debug, Default)]
pub(crate) struct Vendors {
    pages: Vec<VendorPage>,
}

impl Vendors {
    pub(crate) fn extend(&mut self, pages: Vec<VendorPage>) {
        self.pages.extend(pages);
    }

    /// All files of both vendor hosts: (host, path, bytes).
    pub(crate) fn finish(mut self) -> Vec<(String, String, Vec<u8>)> {
        self.pages
            .sort_by(|a, b| (a.frame, &a.slug).cmp(&(b.frame, &b.slug)));
        let mut files = Vec::new();
        for (host, frame) in [(VENDOR_LINK_HOST, false), (VENDOR_FRAME_HOST, true)] {
            files.push((
                host.to_owned(),
                "robots.txt".to_owned(),
                b"User-agent: *\nDisallow:\n".to_vec(),
            ));
            let mut list = String::new();
            for p in self.pages.iter().filter(|p| p.frame == frame) {
                let path = page_path(p);
                let _ = write!(list, "<li><a href=\"{path}\">{}</a></li>", p.kommun);
                let body = if frame { frame_page(p) } else { link_page(p) };
                files.push((
                    host.to_owned(),
                    super::layout::file_key(&path),
                    body.into_bytes(),
                ));
            }
            files.push((
                host.to_owned(),
                "/index.html".to_owned(),
                vendor_index(frame, &list).into_bytes(),
            ));
        }
        files
    }
}

fn page_path(p: &VendorPage) -> String {
    if p.frame {
        format!("/widget/{}/", p.slug)
    } else {
        format!("/berakna/{}/", p.slug)
    }
}

fn fields(prefix: &str) -> String {
    format!(
        "<p><label for=\"{prefix}-civ\">Civilstånd</label> <select id=\"{prefix}-civ\" name=\"civilstand\"><option value=\"ensam\">Ensamstående</option><option value=\"gift\">Gift/sambo</option></select></p>\n\
         <p><label for=\"{prefix}-ink\">Inkomst före skatt per månad (pension, lön m.m.), kr</label> <input type=\"number\" id=\"{prefix}-ink\" name=\"inkomst\"></p>\n\
         <p><label for=\"{prefix}-btb\">Bostadstillägg per månad, kr</label> <input type=\"number\" id=\"{prefix}-btb\" name=\"bostadstillagg\"></p>\n\
         <p><label for=\"{prefix}-hyra\">Hyra eller boendekostnad per månad, kr</label> <input type=\"number\" id=\"{prefix}-hyra\" name=\"hyra\"></p>\n\
         <p><label for=\"{prefix}-tim\">Antal timmar hemtjänst per månad</label> <input type=\"number\" id=\"{prefix}-tim\" name=\"timmar\"></p>\n"
    )
}

fn link_page(p: &VendorPage) -> String {
    format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>{kommun} – beräkna avgift för hemtjänst | Avgiftsräkning</title></head>\n<body>\n\
         <header><a href=\"/\">Avgiftsräkning</a> – beräkningstjänster för kommuner</header>\n<main>\n\
         <h1>Beräkna din avgift för hemtjänst i {kommun}</h1>\n\
         <p>Fyll i uppgifterna nedan. Beräkningen är preliminär och bygger på årets taxa ({fee} kr per timme, högkostnadsskydd 2 575 kr per månad). Ingen information sparas.</p>\n\
         <form id=\"kalkyl\" action=\"{path}\" method=\"get\">\n{fields}<p><button type=\"submit\">Beräkna avgift</button></p>\n</form>\n\
         <p>Tillbaka till <a href=\"{back}\">{kommun}s avgiftssida</a>.</p>\n</main>\n\
         <footer><p>Avgiftsräkning drivs av Kalkyltjänst Norr AB. Frågor om din avgift besvaras av din kommun.</p></footer>\n</body>\n</html>\n",
        kommun = p.kommun,
        fee = p.hourly_fee,
        path = page_path(p),
        fields = fields("a"),
        back = p.back,
    )
}

fn frame_page(p: &VendorPage) -> String {
    format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>Avgiftsberäkning hemtjänst - {kommun}</title></head>\n<body class=\"embed\">\n\
         <h1>Avgiftsberäkning för hemtjänst</h1>\n<p>{kommun}, taxa 2025. Fyll i uppgifterna för dig (och din make/maka/sambo).</p>\n\
         <form id=\"omsorgsavgift\" method=\"post\" action=\"{path}\">\n{fields}<p><button type=\"submit\">Beräkna</button></p>\n</form>\n\
         <div id=\"resultat\" aria-live=\"polite\"></div>\n<p class=\"powered\">Omsorgsavgift &copy; Kalkylverket AB</p>\n</body>\n</html>\n",
        kommun = p.kommun,
        path = page_path(p),
        fields = fields("w"),
    )
}

fn vendor_index(frame: bool, list: &str) -> String {
    let (name, what) = if frame {
        ("Omsorgsavgift", "inbäddade avgiftsberäkningar")
    } else {
        ("Avgiftsräkning", "avgiftsberäkningar för hemtjänst")
    };
    format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>{name}</title></head>\n<body>\n\
         <h1>{name}</h1>\n<p>Vi levererar {what} till svenska kommuner.</p>\n<ul>{list}</ul>\n</body>\n</html>\n"
    )
}

/// The files of a municipality's e-service host: (path, bytes).
/// `apply`: the application e-service is listed; `calculator`: the
/// calculator is listed and served.
pub(crate) fn eservice_files(c: &Ctx, apply: bool, calculator: bool) -> Vec<(String, Vec<u8>)> {
    if c.eservice.is_none() {
        return Vec::new();
    }
    let mut files = vec![(
        "robots.txt".to_owned(),
        b"User-agent: *\nDisallow: /loggain/\n".to_vec(),
    )];
    let mut services: Vec<(u32, &str)> = Vec::new();
    let [apply_id, income_id, calc_id] = c.es_ids;
    if apply {
        services.push((apply_id, "Ansökan om hemtjänst"));
    }
    services.push((income_id, "Inkomstförfrågan – avgift inom äldreomsorgen"));
    if calculator {
        services.push((calc_id, "Preliminär avgiftsberäkning, hemtjänst"));
    }
    services.push((1001, "Ansök om plats i förskola"));
    services.push((1002, "Felanmälan gator och parker"));
    let mut list = String::new();
    for (id, t) in &services {
        let _ = write!(list, "<li><a href=\"/oversikt/overview/{id}\">{t}</a></li>");
    }
    let shell = |title: &str, main: &str| {
        format!(
            "<!doctype html>\n<html lang=\"sv\">\n<head><meta charset=\"utf-8\"><title>{title} - E-tjänster {kommun}</title></head>\n<body>\n\
             <header><a href=\"/\">E-tjänster</a> | <a href=\"http://{home}/\">{kommun}</a>\n<nav><a href=\"/oversikt/\">Alla e-tjänster</a> <a href=\"/loggain/\">Logga in</a></nav></header>\n\
             <main>\n<h1>{title}</h1>\n{main}</main>\n</body>\n</html>\n",
            kommun = c.kommun,
            home = c.host
        )
        .into_bytes()
    };
    files.push((
        "index.html".to_owned(),
        shell(
            "E-tjänster",
            &format!(
                "<p>Här hittar du {kommuns} e-tjänster.</p>\n<ul>{list}</ul>\n",
                kommuns = c.kommuns
            ),
        ),
    ));
    files.push((
        "oversikt/index.html".to_owned(),
        shell("Alla e-tjänster", &format!("<ul>{list}</ul>\n")),
    ));
    let login = "<p class=\"login-notice\"><strong>Den här tjänsten kräver inloggning.</strong> Logga in med BankID eller Freja eID för att starta e-tjänsten.</p>\n<p><a class=\"btn\" href=\"/loggain/\">Logga in</a></p>\n";
    if apply {
        files.push((
            format!("oversikt/overview/{apply_id}"),
            shell("Ansökan om hemtjänst", &format!("<p>Här ansöker du om hemtjänst och andra insatser inom äldreomsorgen.</p>\n{login}")),
        ));
    }
    files.push((
        format!("oversikt/overview/{income_id}"),
        shell("Inkomstförfrågan", &format!("<p>Här lämnar du uppgifter om dina inkomster och din boendekostnad så att kommunen kan fastställa din avgift.</p>\n{login}")),
    ));
    if calculator {
        files.push((
            format!("oversikt/overview/{calc_id}"),
            shell(
                "Preliminär avgiftsberäkning, hemtjänst",
                &format!(
                    "<p>Med den här tjänsten kan du räkna ut ungefär vad du kommer att betala för hemtjänst. Du behöver inte logga in och inga uppgifter sparas. Beräkningen är inte ett beslut.</p>\n\
                     <form class=\"flow\" action=\"/oversikt/overview/{calc_id}\" method=\"post\">\n{}<p><button type=\"submit\" name=\"next\">Beräkna</button></p>\n</form>\n",
                    fields("e")
                ),
            ),
        ));
    }
    files.push((
        "oversikt/overview/1001".to_owned(),
        shell("Ansök om plats i förskola", login),
    ));
    files.push((
        "oversikt/overview/1002".to_owned(),
        shell(
            "Felanmälan gator och parker",
            "<p>Anmäl trasig gatubelysning, hål i vägen eller klotter.</p>\n",
        ),
    ));
    files.push((
        "loggain/index.html".to_owned(),
        shell(
            "Logga in",
            "<p>Välj inloggningsmetod: BankID, Freja eID.</p>\n",
        ),
    ));
    files
}
