//! Filler: other municipal areas and news, so sites have realistic size and
//! noise. Some pages are look-alikes of checklist items in other areas
//! (preschool and water calculators, building-permit times, electricity
//! price comparison, a beach webcam, staff flexible hours, camera
//! surveillance of a square). Filler text never uses elder-care words,
//! except the two pages about working in home care and the index news.

use std::fmt::Write as _;

use super::{fill, section, Ctx, Rng};

/// Something special on a filler page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    None,
    PreschoolCalc,
    WaterCalc,
    Bygglov,
    Elpris,
    Webbkamera,
    Jobb,
    Press,
    Kamera,
    CompareSchools,
    IndexNews,
}

/// One filler page template.
#[derive(Debug)]
pub(crate) struct FillerPage {
    pub slug: &'static str,
    pub title: &'static str,
    pub paras: &'static [&'static str],
    pub extra: Extra,
}

/// A filler section: name variants and its pages.
#[derive(Debug)]
pub(crate) struct FillerSection {
    pub names: &'static [(&'static str, &'static str)],
    pub intro: &'static str,
    /// The politics section, where a complaints page may live.
    pub politics: bool,
    pub pages: &'static [FillerPage],
}

const fn page(
    slug: &'static str,
    title: &'static str,
    paras: &'static [&'static str],
    extra: Extra,
) -> FillerPage {
    FillerPage {
        slug,
        title,
        paras,
        extra,
    }
}

/// The filler sections.
pub(crate) static SECTIONS: [FillerSection; 6] = [
    FillerSection {
        names: &[("forskola-och-skola", "Förskola och skola"), ("utbildning", "Utbildning"), ("barn-och-utbildning", "Barn och utbildning")],
        intro: "Här hittar du information om förskola, grundskola, gymnasium och vuxenutbildning i {kommun}.",
        politics: false,
        pages: &[
            page("forskola", "Förskola", &["Förskolan är till för barn från ett års ålder. I {kommun} finns både kommunala och fristående förskolor.", "Ansökan om plats gör du i e-tjänsten för förskola senast fyra månader innan du behöver platsen.", "Barnen har rätt till en plats nära hemmet."], Extra::None),
            page("avgift-for-forskola", "Avgift för förskola och fritidshem", &["Avgiften för förskola och fritidshem följer maxtaxan och beror på hushållets inkomst och antal barn.", "Du betalar avgift tolv månader om året."], Extra::PreschoolCalc),
            page("valja-forskola", "Välja förskola", &["Du kan önska upp till tre förskolor när du ansöker om plats.", "Alla förskolor följer samma läroplan."], Extra::CompareSchools),
            page("grundskola", "Grundskola", &["Grundskolan omfattar förskoleklass och årskurs 1–9. Alla barn har rätt till en plats i en skola nära hemmet.", "Skolvalet för nästa läsår görs i januari."], Extra::None),
            page("gymnasieskola", "Gymnasieskola", &["På {name}gymnasiet finns tolv nationella program och introduktionsprogram.", "Ansökan till gymnasiet görs via den gemensamma antagningen i länet."], Extra::None),
            page("fritidshem", "Fritidshem", &["Fritidshemmet är öppet före och efter skoltid för barn från sex år.", "Under loven har fritidshemmen öppet för barn vars föräldrar arbetar eller studerar."], Extra::None),
            page("skolskjuts", "Skolskjuts", &["Elever som har lång väg till skolan kan ha rätt till skolskjuts.", "Ansökan görs inför varje läsår."], Extra::None),
            page("skolmat", "Skolmat", &["Skolmaten lagas i kommunens egna kök och följer Livsmedelsverkets råd.", "Veckans matsedel finns i appen Skolmaten."], Extra::None),
            page("vuxenutbildning", "Vuxenutbildning", &["På Komvux kan du läsa in grundskole- och gymnasiekurser, svenska för invandrare och yrkesutbildningar.", "Kurserna startar flera gånger per år."], Extra::None),
        ],
    },
    FillerSection {
        names: &[("bygga-bo-och-miljo", "Bygga, bo och miljö"), ("bygga-och-bo", "Bygga och bo"), ("bo-och-bygga", "Bo och bygga")],
        intro: "Bygglov, vatten och avlopp, avfall, energi och miljö i {kommun}.",
        politics: false,
        pages: &[
            page("bygglov", "Bygglov", &["Du behöver bygglov för att bygga nytt, bygga till eller ändra användningen av en byggnad.", "Ansök om bygglov i e-tjänsten och bifoga ritningar."], Extra::Bygglov),
            page("vatten-och-avlopp", "Vatten och avlopp", &["Kommunen levererar dricksvatten av god kvalitet till drygt tiotusen hushåll.", "Avgiften för vatten och avlopp består av en fast och en rörlig del."], Extra::WaterCalc),
            page("avfall-och-atervinning", "Avfall och återvinning", &["Sopkärlet töms varannan vecka. Matavfall sorteras i den bruna påsen.", "Återvinningscentralen är öppen alla vardagar och lördagar."], Extra::None),
            page("energiradgivning", "Energi- och klimatrådgivning", &["Kommunens energi- och klimatrådgivare ger kostnadsfria och opartiska råd om energi i hemmet.", "Rådgivningen gäller både villaägare, bostadsrättsföreningar och företag."], Extra::Elpris),
            page("detaljplaner", "Detaljplaner", &["En detaljplan bestämmer hur mark och vatten får användas.", "Pågående planer finns att läsa i kommunhuset och på webbplatsen."], Extra::None),
            page("brandskydd", "Brandskydd i hemmet", &["Räddningstjänsten rekommenderar minst en brandvarnare per våningsplan.", "Testa brandvarnaren en gång i månaden och byt batteri vid behov."], Extra::None),
            page("snorojning", "Snöröjning", &["Kommunen plogar gator och gång- och cykelvägar när det har kommit mer än fem centimeter snö.", "Enskilda vägar sköts av vägföreningarna."], Extra::None),
            page("miljo-och-halsoskydd", "Miljö- och hälsoskydd", &["Miljökontoret handlägger ärenden om buller, radon och enskilda avlopp.", "Livsmedelsverksamheter kontrolleras regelbundet."], Extra::None),
        ],
    },
    FillerSection {
        names: &[("kultur-och-fritid", "Kultur och fritid"), ("uppleva-och-gora", "Uppleva och göra")],
        intro: "Bibliotek, bad, idrott, föreningsliv och evenemang i {kommun}.",
        politics: false,
        pages: &[
            page("bibliotek", "Bibliotek", &["Huvudbiblioteket ligger i centrum och har öppet sex dagar i veckan.", "Lånekortet är gratis. Du kan låna e-böcker och ljudböcker i bibliotekets app.", "Biblioteket ordnar sagostunder och författarbesök."], Extra::None),
            page("simhall", "Simhall", &["Simhallen har en 25-metersbassäng, en undervisningsbassäng och bastu.", "Simskolan för barn startar i september."], Extra::None),
            page("badplatser", "Badplatser", &["Kommunen har tolv kommunala badplatser. Vattenkvaliteten provas varannan vecka under sommaren.", "På flera badplatser finns bryggor och grillplatser."], Extra::Webbkamera),
            page("foreningsstod", "Föreningsstöd", &["Ideella föreningar kan söka bidrag för verksamhet och lokaler.", "Ansökan ska vara inne senast den 1 mars."], Extra::None),
            page("kulturskola", "Kulturskola", &["I kulturskolan kan barn och unga spela instrument, sjunga, dansa och spela teater.", "Anmälan till hösten öppnar i maj."], Extra::None),
            page("motionsspar", "Motionsspår och friluftsliv", &["Elljusspåret runt sjön är fem kilometer långt och upplyst till klockan 22.", "Vintertid spåras skidspår när snön räcker."], Extra::None),
            page("museum", "Museum och kulturarv", &["Hembygdsmuseet berättar om traktens historia från stenåldern till i dag.", "Guidade visningar sommartid."], Extra::None),
            page("evenemang", "Evenemang", &["Här hittar du konserter, marknader och föreställningar i hela kommunen.", "Arrangerar du ett evenemang kan du tipsa oss."], Extra::None),
        ],
    },
    FillerSection {
        names: &[("kommun-och-politik", "Kommun och politik"), ("kommun-och-demokrati", "Kommun och demokrati")],
        intro: "Politik, organisation, ekonomi och lediga jobb i {kommun}.",
        politics: true,
        pages: &[
            page("kommunfullmaktige", "Kommunfullmäktige", &["Kommunfullmäktige är kommunens högsta beslutande organ och har 49 ledamöter.", "Sammanträdena är öppna för allmänheten och sänds på webben."], Extra::None),
            page("namnder", "Nämnder och styrelser", &["Kommunen har sju nämnder som ansvarar för var sitt område.", "Nämndernas protokoll publiceras senast två veckor efter sammanträdet."], Extra::None),
            page("budget-och-ekonomi", "Budget och ekonomi", &["Budgeten för nästa år antogs av kommunfullmäktige i november.", "Skattesatsen är oförändrad."], Extra::None),
            page("diarium", "Diarium och allmänna handlingar", &["Alla har rätt att ta del av allmänna handlingar.", "Sök i diariet eller kontakta registraturen."], Extra::None),
            page("jobba-hos-oss", "Jobba hos oss", &["Kommunen är en av ortens största arbetsgivare med cirka tvåtusen medarbetare.", "Vi söker ständigt lärare, undersköterskor och socionomer."], Extra::Jobb),
            page("press", "Press och media", &["Här hittar du pressmeddelanden och bilder för fri användning.", "Kommunens nyhetsbrev kommer ut en gång i månaden."], Extra::Press),
            page("overklaga-kommunala-beslut", "Överklaga kommunala beslut", &["Kommunala beslut kan överklagas genom laglighetsprövning hos förvaltningsrätten.", "Överklagandet ska ha kommit in inom tre veckor från den dag då protokollet anslogs."], Extra::None),
        ],
    },
    FillerSection {
        names: &[("naringsliv-och-arbete", "Näringsliv och arbete"), ("naringsliv", "Näringsliv")],
        intro: "Service till företag, upphandling och turism i {kommun}.",
        politics: false,
        pages: &[
            page("foretagsservice", "Företagsservice", &["Näringslivskontoret hjälper dig som vill starta, driva eller utveckla ett företag.", "Vi ordnar frukostmöten för företagare varje månad."], Extra::None),
            page("upphandling", "Upphandling", &["Kommunen köper varor och tjänster för flera hundra miljoner kronor varje år.", "Aktuella upphandlingar annonseras i upphandlingsverktyget."], Extra::None),
            page("turism", "Turism och besöksnäring", &["Turistbyrån har öppet hela sommaren och hjälper dig med boende och aktiviteter.", "Kommunen har tre naturreservat och flera vandringsleder."], Extra::None),
            page("lediga-lokaler", "Lediga lokaler och mark", &["Här finns lediga verksamhetslokaler och industrimark.", "Kontakta näringslivskontoret för visning."], Extra::None),
        ],
    },
    FillerSection {
        names: &[("trafik-och-gator", "Trafik och gator"), ("trafik-och-infrastruktur", "Trafik och infrastruktur")],
        intro: "Gator, parkering, kollektivtrafik och vägarbeten i {kommun}.",
        politics: false,
        pages: &[
            page("parkering", "Parkering", &["I centrum är det avgiftsfri parkering i två timmar med p-skiva.", "Boende kan ansöka om boendeparkering."], Extra::None),
            page("gatuarbeten", "Gatuarbeten", &["Under sommaren byts ledningar under flera gator i centrum.", "Trafiken leds om och skyltas på plats."], Extra::None),
            page("kameraovervakning", "Kameraövervakning", &["Kommunen har fått tillstånd att kameraövervaka resecentrum.", "Bilderna sparas i högst två dygn."], Extra::Kamera),
            page("fardtjanst", "Färdtjänst", &["Färdtjänst är för dig som har en funktionsnedsättning och har svårt att resa med vanlig kollektivtrafik.", "Du ansöker om färdtjänst hos kommunens färdtjänsthandläggare och får beslut om färdtjänst inom tre veckor."], Extra::None),
            page("cykel", "Cykla i kommunen", &["Kommunen har över sex mil gång- och cykelvägar.", "Cykelkartan visar säkra vägar till skolor och arbetsplatser."], Extra::None),
        ],
    },
];

/// One news article template.
#[derive(Debug)]
pub(crate) struct NewsItem {
    pub slug: &'static str,
    pub title: &'static str,
    pub paras: &'static [&'static str],
    pub extra: Extra,
}

const fn news(
    slug: &'static str,
    title: &'static str,
    paras: &'static [&'static str],
    extra: Extra,
) -> NewsItem {
    NewsItem {
        slug,
        title,
        paras,
        extra,
    }
}

/// The news bank.
pub(crate) static NEWS: [NewsItem; 14] = [
    news("ny-forskola-invigd", "Ny förskola invigd", &["I måndags invigdes den nya förskolan med plats för 120 barn.", "Förskolan har ett eget tillagningskök och en stor gård."], Extra::None),
    news("badplatserna-oppnar", "Badplatserna öppnar för säsongen", &["Nu är bryggorna på plats och vattenproverna tagna.", "Badplatserna städas dagligen under sommaren."], Extra::None),
    news("vagarbete-i-centrum", "Vägarbete i centrum", &["Från och med nästa vecka stängs delar av Storgatan för biltrafik.", "Arbetet beräknas vara klart i oktober."], Extra::None),
    news("budget-antagen", "Budgeten för nästa år är antagen", &["Kommunfullmäktige har antagit budgeten för nästa år.", "Satsningar görs på skola och underhåll av gator."], Extra::None),
    news("biblioteket-forlanger-oppettiderna", "Biblioteket förlänger öppettiderna", &["Från september har huvudbiblioteket öppet till klockan 20 på vardagar.", "Meröppet med lånekort och kod gäller alla dagar."], Extra::None),
    news("ny-atervinningscentral", "Ny återvinningscentral öppnar", &["Den nya återvinningscentralen har fler containrar och bättre skyltning.", "Den gamla anläggningen stängs vid årsskiftet."], Extra::None),
    news("sommarjobb-for-unga", "Sommarjobb för unga", &["Nu kan ungdomar mellan 16 och 18 år söka feriearbete.", "Sista ansökningsdag är den 31 mars."], Extra::None),
    news("hostlov", "Aktiviteter på höstlovet", &["Under höstlovet ordnar fritidsgårdarna och biblioteket gratis aktiviteter för barn och unga.", "Ingen föranmälan behövs."], Extra::None),
    news("foretagspris", "Lokala företag prisades", &["Årets företagare utsågs på näringslivsgalan i helgen.", "Priset delas ut av kommunen tillsammans med företagarföreningen."], Extra::None),
    news("ny-cykelvag", "Ny gång- och cykelväg klar", &["Den nya gång- och cykelvägen mellan centrum och idrottsplatsen är nu klar.", "Vägen är belyst hela sträckan."], Extra::None),
    news("nya-taxor-for-vatten", "Nya taxor för vatten och avlopp", &["Avgiften för vatten och avlopp höjs med fyra procent från årsskiftet.", "Höjningen behövs för att förnya ledningsnätet."], Extra::None),
    news("brandvarnarens-dag", "Testa brandvarnaren", &["Den 1 december är brandvarnarens dag. Räddningstjänsten påminner alla om att testa sin brandvarnare.", "Brandvarnare finns att köpa i de flesta butiker."], Extra::None),
    news("valet", "Så går det till att rösta", &["Förtidsröstningen öppnar arton dagar före valdagen.", "Röstkortet skickas hem till alla röstberättigade."], Extra::None),
    news("hemtjanstindex", "Så gick det i Hemtjänstindex", &["SPF Seniorerna har publicerat årets Hemtjänstindex."], Extra::IndexNews),
];

/// The body of a filler page or news article.
pub(crate) fn body(r: &mut Rng, c: &Ctx, paras: &[&str], extra: Extra) -> String {
    let mut ps: Vec<&str> = paras.to_vec();
    if ps.len() > 2 && r.chance(0.5) {
        ps.remove(r.below(ps.len()));
    }
    let mut out = String::new();
    for p in ps {
        let _ = writeln!(out, "<p>{}</p>", fill(p, c));
    }
    out.push_str(&extra_block(r, c, extra));
    out
}

fn extra_block(r: &mut Rng, c: &Ctx, extra: Extra) -> String {
    match extra {
        Extra::None => String::new(),
        Extra::PreschoolCalc => {
            if r.chance(0.5) {
                "<h2>Räkna ut din avgift</h2>\n<form id=\"barnomsorgsavgift\" action=\"#\" method=\"get\">\n\
                 <p><label for=\"hi\">Hushållets inkomst per månad före skatt</label> <input id=\"hi\" name=\"inkomst\" type=\"number\"></p>\n\
                 <p><label for=\"ab\">Antal barn i förskola</label> <input id=\"ab\" name=\"barn\" type=\"number\"></p>\n\
                 <p><label for=\"tv\">Timmar per vecka</label> <input id=\"tv\" name=\"timmar\" type=\"number\"></p>\n\
                 <p><button type=\"submit\">Beräkna barnomsorgsavgift</button></p>\n</form>\n"
                    .to_owned()
            } else {
                "<h2>Maxtaxa</h2>\n<table><tr><th>Barn</th><th>Andel av inkomst</th><th>Högst per månad</th></tr>\
                 <tr><td>Barn 1</td><td>3 %</td><td>1 688 kr</td></tr><tr><td>Barn 2</td><td>2 %</td><td>1 125 kr</td></tr></table>\n"
                    .to_owned()
            }
        }
        Extra::WaterCalc => "<h2>Beräkna din VA-avgift</h2>\n<form id=\"va\" action=\"#\" method=\"get\">\n\
             <p><label for=\"fb\">Förbrukning kubikmeter per år</label> <input id=\"fb\" name=\"forbrukning\" type=\"number\"></p>\n\
             <p><label for=\"bt\">Boendetyp</label> <select id=\"bt\" name=\"boende\"><option>Villa</option><option>Lägenhet</option></select></p>\n\
             <p><button type=\"submit\">Beräkna</button></p>\n</form>\n"
            .to_owned(),
        Extra::Bygglov => section(
            "Handläggningstid för bygglov",
            &["När din ansökan är komplett får du beslut om bygglov inom tio veckor.".to_owned()],
        ),
        Extra::Elpris => section(
            "Jämför elpriser",
            &["På <a href=\"https://www.elpriskollen.se/\">Elpriskollen</a> kan du jämföra elpriser och elavtal.".to_owned()],
        ),
        Extra::Webbkamera => section(
            "Webbkamera",
            &["Via vår webbkamera vid stora badplatsen kan du se hur vädret är, dygnet runt.".to_owned()],
        ),
        Extra::Jobb => section(
            "Jobba i hemtjänsten",
            &[
                "Som undersköterska i hemtjänsten gör du skillnad varje dag. Vi erbjuder flexibla arbetstider, friskvårdsbidrag och möjlighet att önska schema.".to_owned(),
                format!(
                    "Sjukfrånvaron i förvaltningen var {},{} procent förra året.",
                    r.range(5, 9),
                    r.range(0, 9)
                ),
            ],
        ),
        Extra::Press => {
            let mut p = "Kontaktperson för media är kommunens kommunikationschef.".to_owned();
            if c.phone_ok {
                let _ = write!(p, " Presstelefon: {}.", Ctx::tel(&c.phone_main));
            }
            section("Kontakt för media", &[p])
        }
        Extra::Kamera => section(
            "Kameror på torget",
            &["Torget och resecentrum kameraövervakas nattetid för att minska skadegörelsen.".to_owned()],
        ),
        Extra::CompareSchools => section(
            "Jämför förskolor",
            &["I skolverkets tjänst kan du jämföra förskolor och skolor i hela landet.".to_owned()],
        ),
        Extra::IndexNews => format!(
            "<p>Hemtjänstindex jämför hemtjänsten i landets 290 kommuner. I år hamnade {} på plats {} av 290 kommuner.</p>\n",
            c.kommun,
            r.range(20, 270)
        ),
    }
}

/// The start page's welcome line.
pub(crate) fn welcome(r: &mut Rng, c: &Ctx) -> String {
    let p = *r.pick(&[
        "Välkommen till {kommun}, en kommun med närhet till både natur och service.",
        "Här finns information och e-tjänster från {kommun}.",
        "Välkommen till {name} – en bra plats att bo, arbeta och leva på.",
    ]);
    format!("<p class=\"ingress\">{}</p>\n", fill(p, c))
}
