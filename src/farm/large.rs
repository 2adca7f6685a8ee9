//! A large municipal site: one farm site buried in a news archive and an
//! endless event calendar, for measuring how focused a crawl stays.
//!
//! [`large_site`] takes a municipality's farm site (its home-care pages and
//! truth unchanged) and adds, on the same host, a paginated news archive of
//! `news` articles and a day-by-day event calendar of `days` days with three
//! events a day, each day linking to the next: `news + 4 × days` pages that
//! hold no checklist item. Links to the archive, the calendar and the latest
//! articles come first on the start page, before the site's own navigation,
//! and every article links on to others, so a breadth-first crawler spends
//! its budget there. A few headlines use home-care words (a senior concert,
//! benches for the elderly) as a focused crawler's distractors.

use std::fmt::Write as _;

use url::Url;

use super::{generate_for, Farm, FarmOptions};
use crate::registry::Municipality;

/// Articles per archive page.
const PER_ARCHIVE_PAGE: usize = 20;

/// Headlines of the generated news (the article number is appended).
const HEADLINES: &[&str] = &[
    "Ny cykelbana längs ån invigd",
    "Kommunfullmäktige sammanträder i veckan",
    "Vägarbete på Storgatan under hösten",
    "Sommarlovsaktiviteter för barn och unga",
    "Biblioteket förlänger öppettiderna",
    "Ny detaljplan för hamnområdet på samråd",
    "Vinnarna i fototävlingen utsedda",
    "Simhallen stänger för renovering",
    "Seniorer bjuds på konsert i parken",
    "Nya bänkar för äldre längs strandpromenaden",
    "Bredband till fler hushåll på landsbygden",
    "Trafikomläggning vid resecentrum",
];

/// A farm site for `m` enlarged with `news` articles and `days` calendar days.
///
/// Returns the farm (one municipality plus vendor hosts) with the truth of
/// the municipality's own pages, which the added pages do not change.
pub fn large_site(m: &Municipality, seed: u64, news: usize, days: usize) -> Farm {
    let opts = FarmOptions {
        pages_min: 60,
        pages_max: 60,
        faults: false,
        ..FarmOptions::default()
    };
    let mut farm = generate_for(std::slice::from_ref(m), seed, &opts);
    let Some(start) = farm.starts.first().map(|(_, u)| u.clone()) else {
        return farm;
    };
    let Some(host) = start.host_str().map(str::to_owned) else {
        return farm;
    };
    let archive_pages = news.div_ceil(PER_ARCHIVE_PAGE).max(1);
    for page in 1..=archive_pages {
        let first = (page - 1) * PER_ARCHIVE_PAGE;
        let last = (first + PER_ARCHIVE_PAGE).min(news);
        let mut body = String::from("<ul>");
        for i in first..last {
            let _ = write!(
                body,
                "<li><a href=\"/nyhetsarkiv/artikel-{i}.html\">{}</a></li>",
                headline(i)
            );
        }
        body.push_str("</ul>");
        if page < archive_pages {
            let _ = write!(
                body,
                "<p><a href=\"/nyhetsarkiv/?sida={}\">Äldre nyheter</a></p>",
                page + 1
            );
        }
        farm.sites.insert_file(
            &host,
            &format!("nyhetsarkiv/index.html@sida={page}"),
            html(&format!("Nyhetsarkiv sida {page}"), &body),
        );
    }
    for i in 0..news {
        let mut body = format!(
            "<p>Publicerad {}. Kommunen informerar om {} i vårt nyhetsflöde.</p><h2>Läs också</h2><ul>",
            date(i % 365),
            headline(i).to_lowercase()
        );
        for j in [i + 1, i + 7, i + 31] {
            let j = j % news.max(1);
            let _ = write!(
                body,
                "<li><a href=\"/nyhetsarkiv/artikel-{j}.html\">{}</a></li>",
                headline(j)
            );
        }
        body.push_str("</ul><p><a href=\"/nyhetsarkiv/?sida=1\">Alla nyheter</a></p>");
        farm.sites.insert_file(
            &host,
            &format!("nyhetsarkiv/artikel-{i}.html"),
            html(&headline(i), &body),
        );
    }
    for d in 0..days {
        let mut body = String::from("<ul>");
        for e in 0..3 {
            let _ = write!(
                body,
                "<li><a href=\"/evenemang/{d}-{e}.html\">Evenemang {}</a></li>",
                d * 3 + e
            );
            farm.sites.insert_file(
                &host,
                &format!("evenemang/{d}-{e}.html"),
                html(
                    &format!("Evenemang {}", d * 3 + e),
                    &format!(
                        "<p>Välkommen till evenemanget den {}. Fri entré.</p><p><a href=\"/kalender/dag/?datum={}\">Tillbaka till kalendern</a></p>",
                        date(d),
                        date(d)
                    ),
                ),
            );
        }
        let _ = write!(
            body,
            "</ul><p><a href=\"/kalender/dag/?datum={}\">Nästa dag</a></p>",
            date(d + 1)
        );
        farm.sites.insert_file(
            &host,
            &format!("kalender/dag/index.html@datum={}", date(d)),
            html(&format!("Kalender {}", date(d)), &body),
        );
    }
    bury_start_page(&mut farm, &host, news);
    if let Some(t) = farm.truths.get_mut(m.code.as_str()) {
        t.pages += archive_pages + news + 4 * days;
    }
    farm
}

/// Puts links to the archive, the calendar and the latest articles first
/// on the start page.
fn bury_start_page(farm: &mut Farm, host: &str, news: usize) {
    let Some(site) = farm.sites.get(host) else {
        return;
    };
    let Some(start) = site.files.get("index.html") else {
        return;
    };
    let page = String::from_utf8_lossy(start).into_owned();
    let mut links = String::from(
        "<ul><li><a href=\"/nyhetsarkiv/?sida=1\">Nyhetsarkiv</a></li>\
         <li><a href=\"/kalender/dag/?datum=2026-01-01\">Kalender</a></li>",
    );
    for i in 0..news.min(15) {
        let _ = write!(
            links,
            "<li><a href=\"/nyhetsarkiv/artikel-{i}.html\">{}</a></li>",
            headline(i)
        );
    }
    links.push_str("</ul>");
    let Some(at) = page
        .find("<body")
        .and_then(|b| page[b..].find('>').map(|e| b + e + 1))
    else {
        return;
    };
    let buried = format!("{}{links}{}", &page[..at], &page[at..]);
    farm.sites
        .insert_file(host, "index.html", buried.into_bytes());
}

fn headline(i: usize) -> String {
    format!("{} ({})", HEADLINES[i % HEADLINES.len()], i + 1)
}

/// Day `d` after 2026-01-01, as `YYYY-MM-DD` (proleptic, 30-day months past
/// the first year are fine for a fixture: only distinctness matters).
fn date(d: usize) -> String {
    let year = 2026 + d / 360;
    let month = (d % 360) / 30 + 1;
    let day = d % 30 + 1;
    format!("{year}-{month:02}-{day:02}")
}

fn html(title: &str, body: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>\n"
    )
    .into_bytes()
}

/// The start URL of a large site built by [`large_site`].
pub fn start_of(farm: &Farm) -> Option<&Url> {
    farm.starts.first().map(|(_, u)| u)
}
