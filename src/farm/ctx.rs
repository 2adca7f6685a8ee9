//! Per-municipality facts the templates write about: names, hosts, phone
//! numbers, addresses, fees and the home-care providers.

use crate::registry::{registrable, Municipality};

use super::rng::Rng;

/// One home-care provider.
#[derive(Debug, Clone)]
pub(crate) struct Provider {
    /// The provider's name.
    pub name: String,
    /// Number of employees.
    pub staff: u32,
    /// Languages spoken besides Swedish.
    pub languages: Vec<&'static str>,
    /// Form of organisation ("aktiebolag", …).
    pub form: &'static str,
    /// Where it works.
    pub area: String,
    /// Share of undersköterskor, percent.
    pub nurses: u32,
}

/// Everything the templates need to know about one municipality.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// Short name, e.g. `Norrtälje`.
    pub name: String,
    /// Name as the site writes it, e.g. `Norrtälje kommun`.
    pub kommun: String,
    /// Genitive, e.g. `Norrtälje kommuns`.
    pub kommuns: String,
    /// The homepage host, e.g. `www.norrtalje.se`.
    pub host: String,
    /// The registrable domain, e.g. `norrtalje.se`.
    pub domain: String,
    /// ASCII slug of the name, e.g. `norrtalje`, `upplands-vasby`.
    pub slug: String,
    /// The switchboard number, e.g. `0176-71 00 00`.
    pub phone_main: String,
    /// The number of the needs assessors.
    pub phone_care: String,
    /// The e-mail address of elder care.
    pub care_mail: String,
    /// The general e-mail address.
    pub info_mail: String,
    /// The responsible committee, e.g. `socialnämnden`.
    pub board: &'static str,
    /// Street address of the town hall.
    pub street: String,
    /// Postal code and town.
    pub postal: String,
    /// Hourly fee in kronor.
    pub hourly_fee: u32,
    /// Safety alarm fee per month in kronor.
    pub alarm_fee: u32,
    /// Home-care providers (the first is the municipality's own).
    pub providers: Vec<Provider>,
    /// A place name for day activities and short-term housing.
    pub place: String,
    /// Whether a phone number may be written (item `kontakt_telefon`).
    pub phone_ok: bool,
    /// Whether an e-mail address or contact form may be written (item `kontakt_epost_formular`).
    pub mail_ok: bool,
    /// The e-service host, if the municipality has one.
    pub eservice: Option<String>,
    /// E-service ids (`/oversikt/overview/<id>`): application, income declaration, calculator.
    pub es_ids: [u32; 3],
}

const BOARDS: &[&str] = &[
    "socialnämnden",
    "omsorgsnämnden",
    "vård- och omsorgsnämnden",
    "äldrenämnden",
    "socialnämnden",
];
const STREETS: &[&str] = &[
    "Storgatan",
    "Kyrkogatan",
    "Drottninggatan",
    "Stationsgatan",
    "Torggatan",
    "Rådhusgatan",
    "Järnvägsgatan",
];
const PLACES: &[&str] = &[
    "Solgården",
    "Björkhagen",
    "Lindgården",
    "Ekbacken",
    "Tallåsen",
    "Rönnbacken",
    "Almgården",
    "Sjöängen",
];
const PREFIXES: &[&str] = &[
    "Trygga",
    "Varsam",
    "Nära",
    "Omtanke",
    "Hemma",
    "Guldkant",
    "Vårda",
    "Livskvalitet",
    "Vardagsstöd",
    "Hjärtlig",
];
const SUFFIXES: &[&str] = &[
    "Hemtjänst AB",
    "Omsorg AB",
    "Hemomsorg",
    "Vård och Omsorg AB",
    "Assistans och Hemtjänst",
];
const FORMS: &[&str] = &[
    "aktiebolag",
    "ekonomisk förening",
    "enskild firma",
    "aktiebolag",
];
const LANGUAGES: &[&str] = &[
    "finska",
    "arabiska",
    "engelska",
    "persiska",
    "bosniska",
    "somaliska",
    "polska",
    "tigrinja",
    "spanska",
    "meänkieli",
];
const AREAS: &[&str] = &["norra", "södra", "östra", "västra", "centrala"];

impl Ctx {
    /// Draws the facts of `m`.
    pub(crate) fn new(m: &Municipality, r: &mut Rng) -> Ctx {
        let name = m.name.clone();
        let (kommun, kommuns) = match name.as_str() {
            "Stockholm" => ("Stockholms stad".to_owned(), "Stockholms stads".to_owned()),
            "Göteborg" => ("Göteborgs Stad".to_owned(), "Göteborgs Stads".to_owned()),
            "Malmö" => ("Malmö stad".to_owned(), "Malmö stads".to_owned()),
            "Gotland" => ("Region Gotland".to_owned(), "Region Gotlands".to_owned()),
            "Helsingborg" | "Västerås" | "Solna" | "Lidingö" | "Landskrona" | "Borås"
            | "Sundbyberg" | "Trollhättan" | "Mölndal" => {
                let stad = format!("{} stad", genitive(&name));
                (stad.clone(), format!("{stad}s"))
            }
            "Falun" => ("Falu kommun".to_owned(), "Falu kommuns".to_owned()),
            _ => {
                let kommun = format!("{} kommun", genitive(&name));
                (kommun.clone(), format!("{kommun}s"))
            }
        };
        let host = m
            .homepage
            .host_str()
            .unwrap_or("www.example.se")
            .to_ascii_lowercase();
        let domain = registrable(&host).unwrap_or_else(|| host.clone());
        let slug = slugify(&name);
        let area = format!("0{}", r.range(11, 990));
        let switch = r.range(10, 89);
        let phone_main = format!("{area}-{switch} 00 00");
        let phone_care = format!("{area}-{switch} {} {}", r.range(10, 99), r.range(10, 99));
        let care_mail = format!(
            "{}@{domain}",
            r.pick(&[
                "aldreomsorg",
                "bistand",
                "omsorg",
                "hemtjanst",
                "vardochomsorg"
            ])
        );
        let info_mail = format!("{}@{domain}", r.pick(&["kommun", "info", "kontaktcenter"]));
        let board = *r.pick(BOARDS);
        let street = format!("{} {}", r.pick(STREETS), r.range(1, 40));
        let postal = format!("{} {:02} {name}", r.range(111, 984), r.range(10, 99));
        let hourly_fee = 10 * r.range(30, 45) as u32 + 5 * r.range(0, 1) as u32;
        let alarm_fee = 10 * r.range(18, 35) as u32;
        let mut providers = vec![Provider {
            name: format!("{kommuns} hemtjänst"),
            staff: r.range(60, 400) as u32,
            languages: pick_languages(r, 2),
            form: "kommunal verksamhet",
            area: "hela kommunen".to_owned(),
            nurses: r.range(70, 95) as u32,
        }];
        let private = r.range(1, 4);
        let mut prefixes: Vec<&str> = PREFIXES.to_vec();
        r.shuffle(&mut prefixes);
        for prefix in prefixes.into_iter().take(private as usize) {
            let suffix = *r.pick(SUFFIXES);
            let form = if suffix.ends_with("AB") {
                "aktiebolag"
            } else {
                *r.pick(FORMS)
            };
            providers.push(Provider {
                name: format!("{prefix} {suffix}"),
                staff: r.range(8, 120) as u32,
                languages: pick_languages(r, 3),
                form,
                area: format!("{} delen av kommunen", r.pick(AREAS)),
                nurses: r.range(55, 95) as u32,
            });
        }
        let place = (*r.pick(PLACES)).to_owned();
        Ctx {
            name,
            kommun,
            kommuns,
            host,
            domain,
            slug,
            phone_main,
            phone_care,
            care_mail,
            info_mail,
            board,
            street,
            postal,
            hourly_fee,
            alarm_fee,
            providers,
            place,
            phone_ok: true,
            mail_ok: true,
            eservice: None,
            es_ids: [
                r.range(10, 299) as u32,
                r.range(300, 599) as u32,
                r.range(600, 999) as u32,
            ],
        }
    }

    /// `<a href="tel:…">number</a>`.
    pub(crate) fn tel(number: &str) -> String {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        format!("<a href=\"tel:{digits}\">{number}</a>")
    }

    /// The URL of an e-service page (`which`: 0 application, 1 income declaration, 2 calculator).
    pub(crate) fn es_url(&self, which: usize) -> Option<String> {
        self.eservice
            .as_ref()
            .map(|h| format!("http://{h}/oversikt/overview/{}", self.es_ids[which]))
    }

    /// `<a href="mailto:…">address</a>`.
    pub(crate) fn mailto(address: &str) -> String {
        format!("<a href=\"mailto:{address}\">{address}</a>")
    }
}

/// The name as used before "kommun"/"stad": an -s is added after a
/// consonant (`Lunds kommun`), not after a vowel or s (`Umeå kommun`, `Borås stad`).
fn genitive(name: &str) -> String {
    let last = name
        .chars()
        .last()
        .unwrap_or('a')
        .to_lowercase()
        .next()
        .unwrap_or('a');
    if "aeiouyåäösxz".contains(last) {
        name.to_owned()
    } else {
        format!("{name}s")
    }
}

fn pick_languages(r: &mut Rng, most: u64) -> Vec<&'static str> {
    let mut langs = LANGUAGES.to_vec();
    r.shuffle(&mut langs);
    langs.truncate(r.range(1, most) as usize);
    langs
}

/// An ASCII slug: lowercase, å/ä → a, ö → o, other non-alphanumerics → `-`.
pub(crate) fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn names_take_the_genitive_after_consonants() {
        assert_eq!(super::genitive("Lund"), "Lunds");
        assert_eq!(super::genitive("Umeå"), "Umeå");
        assert_eq!(super::genitive("Borås"), "Borås");
        assert_eq!(super::genitive("Dals-Ed"), "Dals-Eds");
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slugify("Upplands Väsby"), "upplands-vasby");
        assert_eq!(slugify("Malung-Sälen"), "malung-salen");
        assert_eq!(slugify("Örnsköldsvik"), "ornskoldsvik");
    }
}
