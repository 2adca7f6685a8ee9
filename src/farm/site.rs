//! Builds one municipality's site: truth → plan → paths → bodies → files.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use url::Url;

use crate::fixture_server::SiteConfig;
use crate::registry::Municipality;

use super::ctx::Ctx;
use super::hosts::{eservice_files, VendorPage};
use super::layout::{self, Shell, Style};
use super::plan::{self, Has, It, JamforMode, Kind, Plan, RaknaMode};
use super::rng::Rng;
use super::texts::{bistand, filler, kontakt, omsorg, tjanster, utforare};
use super::{faults, FarmOptions, FarmTruth, Fault, ITEMS};

/// Everything generated for one municipality.
#[derive(Debug)]
pub(crate) struct Built {
    /// (host, path, bytes) of the municipality's host and its e-service host.
    pub files: Vec<(String, String, Vec<u8>)>,
    /// Site configs (charset, fault routes).
    pub configs: Vec<(String, SiteConfig)>,
    /// Pages for the shared vendor hosts.
    pub vendor_pages: Vec<VendorPage>,
    pub truth: FarmTruth,
}

/// Path of the PDF form some fee pages link.
const BLANKETT: &str = "/dokument/blankett-inkomstuppgift.pdf";

pub(crate) fn build(
    muni: &Municipality,
    seed: u64,
    opts: &FarmOptions,
    fault: Option<Fault>,
) -> Built {
    let mut r = Rng::new(seed, muni.code.as_str());
    let mut c = Ctx::new(muni, &mut r);
    let has = plan::draw_items(&mut r);
    c.phone_ok = has.get(It::Tel);
    c.mail_ok = has.get(It::Mail);
    if r.chance(0.55) {
        let prefix = *r.pick(&["e-tjanster", "etjanst", "eservice"]);
        c.eservice = Some(format!("{prefix}.{}", c.domain));
    }
    let mut style = Style::draw(&mut r);
    if fault == Some(Fault::WrongCharset) && style.latin1() {
        style = Style::Php { latin1: false };
    }
    let lo = opts.pages_min.min(opts.pages_max);
    let target = r.range(lo as u64, opts.pages_max.max(lo) as u64) as usize;
    let mut p = plan::plan(&mut r, has, c.eservice.is_some(), target);
    layout::assign_paths(&mut p.tree, style, &mut r);
    write_bodies(&mut r, &c, has, &mut p);

    let host = c.host.clone();
    let url = |path: &str| format!("http://{host}{path}");
    let start = Url::parse(&url("/")).unwrap_or_else(|_| muni.homepage.clone());

    // Navigation and footer.
    let mut nav: Vec<(String, String)> = Vec::new();
    let mut footer: Vec<(String, String)> = Vec::new();
    for i in p.tree.children(0) {
        let n = &p.tree.nodes[i];
        match n.kind {
            Kind::Kontakt | Kind::Synpunkter => footer.push((n.title.clone(), n.path.clone())),
            _ => nav.push((n.title.clone(), n.path.clone())),
        }
    }
    if let Some(es) = &c.eservice {
        nav.push(("E-tjänster".to_owned(), format!("http://{es}/")));
    }
    if let Some(s) = p.tree.find(Kind::Synpunkter) {
        let n = &p.tree.nodes[s];
        if !footer.iter().any(|(_, path)| *path == n.path) {
            footer.push((n.title.clone(), n.path.clone()));
        }
    }
    let shell = Shell {
        ctx: &c,
        style,
        nav: &nav,
        footer: &footer,
    };

    let mut fault_links = String::new();
    let mut extra_files: Vec<(String, Vec<u8>)> = Vec::new();
    match fault {
        Some(Fault::EndlessCalendar) => {
            let _ = write!(
                fault_links,
                "<li><a href=\"/kalender/?datum={}\">Evenemangskalender</a></li>",
                faults::calendar_date(0)
            );
            for (path, body) in faults::calendar_pages(&c.kommun) {
                extra_files.push((layout::file_key(&path), body.into_bytes()));
            }
        }
        Some(Fault::HugePage) => {
            let _ = write!(
                fault_links,
                "<li><a href=\"{}\">Årsredovisning 2024 (webbversion)</a></li>",
                faults::HUGE_PATH
            );
            extra_files.push((
                layout::file_key(faults::HUGE_PATH),
                b"<!doctype html><title>Arsredovisning</title>".to_vec(),
            ));
        }
        Some(Fault::GzipBomb) => {
            let _ = write!(
                fault_links,
                "<li><a href=\"{}\">Protokollsarkiv</a></li>",
                faults::BOMB_PATH
            );
            extra_files.push((
                layout::file_key(faults::BOMB_PATH),
                b"<!doctype html><title>Protokoll</title>".to_vec(),
            ));
        }
        _ => {}
    }

    // Render every page.
    let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
    let malformed = p.tree.find(Kind::Hemtjanst);
    let wrong_charset = p
        .tree
        .find(Kind::Dagverksamhet)
        .or_else(|| p.tree.find(Kind::Korttid))
        .or(malformed);
    for i in 0..p.tree.nodes.len() {
        let node = &p.tree.nodes[i];
        let mut main = node.body.join("");
        if !node.faq.is_empty() {
            for (q, a) in &node.faq {
                let _ = writeln!(main, "<details><summary>{q}</summary>\n{a}\n</details>");
            }
        }
        if node.kind == Kind::Start {
            main.push_str(&start_extras(&mut r, &p, &shell, &fault_links));
        } else {
            main.push_str(&child_list(&p, &shell, i));
        }
        let h1 = match node.kind {
            Kind::Start => c.kommun.clone(),
            Kind::Jamfor => "Jämför utförare av hemtjänst".to_owned(),
            _ => node.title.clone(),
        };
        let mut html = shell.page(&p.tree, i, &h1, &main);
        if fault == Some(Fault::MalformedHtml) && Some(i) == malformed {
            html = malform(&html);
        }
        let bytes =
            if style.latin1() || (fault == Some(Fault::WrongCharset) && Some(i) == wrong_charset) {
                encoding_rs::WINDOWS_1252.encode(&html).0.into_owned()
            } else {
                html.into_bytes()
            };
        files.push((host.clone(), layout::file_key(&node.path), bytes));
    }
    for (key, bytes) in extra_files {
        files.push((host.clone(), key, bytes));
    }
    if p.tree
        .nodes
        .iter()
        .any(|n| n.body.iter().any(|b| b.contains(BLANKETT)))
    {
        files.push((
            host.clone(),
            layout::file_key(BLANKETT),
            b"%PDF-1.4\n% Blankett inkomstuppgift\n%%EOF\n".to_vec(),
        ));
    }

    // robots.txt and sitemap.
    let sitemap_path = if r.chance(0.7) {
        Some(if style == Style::WordPress {
            "/wp-sitemap.xml"
        } else {
            "/sitemap.xml"
        })
    } else {
        None
    };
    let delay = opts.crawl_delay.filter(|_| r.chance(0.1));
    files.push((
        host.clone(),
        "robots.txt".to_owned(),
        layout::robots(&mut r, &c, style, sitemap_path, delay).into_bytes(),
    ));
    if let Some(sm) = sitemap_path {
        let paths: Vec<String> = p.tree.nodes.iter().map(|n| n.path.clone()).collect();
        if style == Style::WordPress {
            let child = "/wp-sitemap-posts-page-1.xml";
            files.push((
                host.clone(),
                layout::file_key(sm),
                layout::sitemap_index(&host, child).into_bytes(),
            ));
            files.push((
                host.clone(),
                layout::file_key(child),
                layout::sitemap(&host, &paths).into_bytes(),
            ));
        } else {
            files.push((
                host.clone(),
                layout::file_key(sm),
                layout::sitemap(&host, &paths).into_bytes(),
            ));
        }
    }

    // E-service host and vendor pages.
    let calc_es = has.get(It::Rakna) && p.rakna == RaknaMode::EService;
    if let Some(es) = &c.eservice {
        for (path, bytes) in eservice_files(&c, has.get(It::Ansoka), calc_es) {
            files.push((es.clone(), path, bytes));
        }
    }
    let mut vendor_pages = Vec::new();
    if has.get(It::Rakna) && matches!(p.rakna, RaknaMode::VendorLink | RaknaMode::VendorFrame) {
        let fee_node = p.place.get(&It::Rakna).copied().unwrap_or(0);
        vendor_pages.push(VendorPage {
            frame: p.rakna == RaknaMode::VendorFrame,
            slug: c.slug.clone(),
            kommun: c.kommun.clone(),
            back: url(&p.tree.nodes[fee_node].path),
            hourly_fee: c.hourly_fee,
        });
    }

    // Configs.
    let mut config = SiteConfig::default();
    if style.latin1() {
        config.charset = Some("iso-8859-1".to_owned());
    }
    if let Some(f) = fault {
        let inner = inner_page(&p).unwrap_or_else(|| "/".to_owned());
        config.routes = faults::routes(f, &inner, opts.slow_ms);
    }
    let mut configs = Vec::new();
    if config != SiteConfig::default() {
        configs.push((host.clone(), config));
    }

    // Truth.
    let blocked = fault.is_some_and(Fault::blocks_site);
    let mut items = BTreeMap::new();
    let mut evidence = BTreeMap::new();
    for it in It::ALL {
        let present = has.get(it) && !blocked;
        items.insert(ITEMS[it as usize].to_owned(), present);
        if present {
            if let Some(&n) = p.place.get(&it) {
                if let Ok(u) = Url::parse(&url(&p.tree.nodes[n].path)) {
                    evidence.insert(it.id().to_owned(), u);
                }
            }
        }
    }
    let depth = p.tree.find(Kind::Hemtjanst).map_or(0, |h| p.tree.depth(h));
    let mut style_text = format!("{}; home care at depth {depth}", style.describe());
    if has.get(It::Rakna) {
        let _ = write!(style_text, "; calculator: {:?}", p.rakna);
    }
    if has.get(It::Jamfor) {
        let _ = write!(style_text, "; comparison: {:?}", p.jamfor);
    }
    if let Some(f) = fault {
        let _ = write!(style_text, "; fault: {}", f.code());
    }
    let truth = FarmTruth {
        name: c.kommun.clone(),
        start,
        status: fault.map_or("ok", Fault::expected_status).to_owned(),
        fault,
        style: style_text,
        items,
        evidence,
        pages: p.tree.nodes.len(),
    };
    Built {
        files,
        configs,
        vendor_pages,
        truth,
    }
}

/// The path of an inner filler page (for the slow and 429 faults).
fn inner_page(p: &Plan) -> Option<String> {
    p.tree
        .nodes
        .iter()
        .find(|n| matches!(n.kind, Kind::Filler(..)))
        .or_else(|| {
            p.tree
                .nodes
                .iter()
                .find(|n| matches!(n.kind, Kind::News(x) if x != 255))
        })
        .map(|n| n.path.clone())
}

/// Unclosed tags and stray end tags, the text left intact.
fn malform(html: &str) -> String {
    let mut out = html.replacen("</p>", "", 3);
    out = out.replacen("<h2>", "</div></span><h2>", 1);
    out = out.replacen(
        "<footer>",
        "<div class=\"notis\"><b>Nyhet!</b> <i>Ny blankett</div></td>\n<footer>",
        1,
    );
    out.replacen("</body>", "<div class=\"unclosed\"><table><tr><td>", 1)
}

fn start_extras(r: &mut Rng, p: &Plan, shell: &Shell<'_>, fault_links: &str) -> String {
    let t = &p.tree;
    let mut popular = Vec::new();
    if r.chance(0.3) {
        if let Some(h) = t.find(Kind::Hemtjanst) {
            popular.push(h);
        }
    }
    for k in [Kind::Kontakt, Kind::Synpunkter] {
        if let Some(i) = t.find(k) {
            popular.push(i);
        }
    }
    if let Some(i) = t
        .nodes
        .iter()
        .position(|n| matches!(n.kind, Kind::Filler(..)))
    {
        popular.push(i);
    }
    let mut out = "<h2>Populärt</h2>\n<ul class=\"genvagar\">".to_owned();
    for i in popular {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a></li>",
            shell.href(&t.nodes[i].path),
            t.nodes[i].title
        );
    }
    out.push_str(fault_links);
    out.push_str("</ul>\n");
    if let Some(ny) = t.find(Kind::Nyheter) {
        out.push_str("<h2>Nyheter</h2>\n<ul class=\"nyheter\">");
        for i in t.children(ny).into_iter().take(3) {
            let _ = write!(
                out,
                "<li><a href=\"{}\">{}</a></li>",
                shell.href(&t.nodes[i].path),
                t.nodes[i].title
            );
        }
        let _ = writeln!(
            out,
            "</ul>\n<p><a href=\"{}\">Alla nyheter</a></p>",
            shell.href(&t.nodes[ny].path)
        );
    }
    out
}

fn child_list(p: &Plan, shell: &Shell<'_>, i: usize) -> String {
    let kids = p.tree.children(i);
    if kids.is_empty() {
        return String::new();
    }
    let mut out = "<h2>Läs mer</h2>\n<ul class=\"undersidor\">".to_owned();
    for k in kids {
        let n = &p.tree.nodes[k];
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a></li>",
            shell.href(&n.path),
            n.title
        );
    }
    out.push_str("</ul>\n");
    out
}

/// Writes the body of every page from the truth and the placement.
fn write_bodies(r: &mut Rng, c: &Ctx, has: Has, p: &mut Plan) {
    let kontakt_path = p
        .tree
        .find(Kind::Kontakt)
        .map(|k| p.tree.nodes[k].path.clone())
        .unwrap_or_default();
    let mut on: BTreeMap<usize, Vec<It>> = BTreeMap::new();
    for (&it, &n) in &p.place {
        on.entry(n).or_default().push(it);
    }
    for i in 0..p.tree.nodes.len() {
        let kind = p.tree.nodes[i].kind;
        let path = p.tree.nodes[i].path.clone();
        let mut here: Vec<It> = on.get(&i).cloned().unwrap_or_default();
        // How to choose comes before the presentations it refers to.
        here.sort_by_key(|&it| if it == It::Valja { 0 } else { 1 + it as usize });
        let mut body: Vec<String> = Vec::new();
        let mut faq: Vec<(String, String)> = Vec::new();
        match kind {
            Kind::Start => body.push(filler::welcome(r, c)),
            Kind::Care => body.push(omsorg::landing(r, c, 0)),
            Kind::Elder => body.push(omsorg::landing(r, c, 1)),
            Kind::HelpHome => body.push(omsorg::landing(r, c, 2)),
            Kind::Larm => body.push(omsorg::landing(r, c, 3)),
            Kind::Hemtjanst => body.push(tjanster::intro(r, c)),
            Kind::Arbetssatt => body.push(omsorg::arbetssatt_intro(r, c)),
            Kind::Servicedekl => body.push(omsorg::servicedekl_intro(c)),
            Kind::Faq => faq.extend(omsorg::neutral_faq(r)),
            Kind::Jamfor => body.push(utforare::jamfor_own(r, c, &path)),
            Kind::Dagverksamhet => body.push(omsorg::dagverksamhet(r, c)),
            Kind::Korttid => body.push(omsorg::korttid(r, c)),
            Kind::Anhorig => body.push(omsorg::anhorig(r, c)),
            Kind::Boende => body.push(omsorg::boende(r, c)),
            Kind::Lss => body.push(omsorg::lss_landing(r)),
            Kind::LssSub(k) => body.push(omsorg::lss_sub(k)),
            Kind::Kontakt => body.push(kontakt::kontakt_page(r, c, &path)),
            Kind::Synpunkter => {
                if has.get(It::Klag) {
                    body.push(kontakt::klagomal(r, c, true));
                } else {
                    body.push(kontakt::webbfeedback(r, c));
                }
            }
            Kind::Section(s) => body.push(format!(
                "<p class=\"ingress\">{}</p>\n",
                super::texts::fill(filler::SECTIONS[s as usize].intro, c)
            )),
            Kind::Filler(sec, pg) => {
                let page = &filler::SECTIONS[sec as usize].pages[pg as usize];
                body.push(filler::body(r, c, page.paras, page.extra));
            }
            Kind::Nyheter => body.push(super::texts::fill(
                "<p class=\"ingress\">Här hittar du de senaste nyheterna från {kommun}.</p>\n",
                c,
            )),
            Kind::News(255) => {
                let locks = p.tree.nodes[i].feature == Some(It::Las);
                body.push(tjanster::feature_news(r, c, locks));
            }
            Kind::News(n) => {
                let item = &filler::NEWS[n as usize];
                body.push(filler::body(r, c, item.paras, item.extra));
            }
            Kind::Ansoka | Kind::Avgifter | Kind::Utforare => {}
        }
        // Items, in checklist order; contact details last.
        let mut contact = Vec::new();
        for &it in &here {
            if matches!(
                kind,
                Kind::Synpunkter
                    | Kind::Dagverksamhet
                    | Kind::Korttid
                    | Kind::Jamfor
                    | Kind::News(255)
            ) {
                continue; // written above
            }
            if matches!(it, It::Tel | It::Mail) {
                contact.push(it);
                continue;
            }
            if kind == Kind::Faq {
                faq.push(match it {
                    It::Andra => bistand::andra_faq(r, c),
                    It::Handl => bistand::handl_faq(r),
                    It::Valja => utforare::valja_faq(c),
                    It::Forenklad => bistand::forenklad_faq(r),
                    _ => omsorg::flex_faq(),
                });
                continue;
            }
            body.push(item_block(r, c, has, p, it, kind, &path));
        }
        body.extend(lookalikes(r, c, has, kind, &here));
        for it in contact {
            body.push(if it == It::Tel {
                kontakt::telefon(r, c)
            } else {
                kontakt::epost(r, c, &kontakt_path)
            });
        }
        let node = &mut p.tree.nodes[i];
        node.body = body;
        node.faq = faq;
    }
}

fn item_block(r: &mut Rng, c: &Ctx, has: Has, p: &Plan, it: It, kind: Kind, path: &str) -> String {
    match it {
        It::Klag => kontakt::klagomal(r, c, false),
        It::Ansoka => bistand::ansoka(r, c),
        It::Andra => bistand::andra(r, c),
        It::Handl if kind == Kind::Servicedekl => bistand::handl_service(r),
        It::Handl => bistand::handl(r, c),
        It::Forenklad => bistand::forenklad(r, c),
        It::Tjanster => tjanster::tjanster(r, c),
        It::Larm => tjanster::larm(r, c),
        It::Las => tjanster::las(r, c),
        It::Natt => tjanster::natt(r, c),
        It::Avgift => tjanster::avgift(r, c, has.get(It::Larm)),
        It::Rakna => tjanster::rakna(r, c, p.rakna, path),
        It::Pres => utforare::presentation(r, c),
        It::Valja => utforare::valja(r, c),
        It::Jamfor => {
            let mode = if p.jamfor == JamforMode::Own {
                JamforMode::Aldreguiden
            } else {
                p.jamfor
            };
            utforare::jamfor_link(r, mode)
        }
        It::Plan => omsorg::plan(r, c, has.get(It::Kperson)),
        It::Kont => omsorg::kontinuitet(r, c),
        It::Kperson => omsorg::kontaktperson(r),
        It::Flex => omsorg::flex(r, c),
        It::Dag => omsorg::dagverksamhet(r, c),
        It::Korttid => omsorg::korttid(r, c),
        It::Tel => kontakt::telefon(r, c),
        It::Mail => String::new(),
    }
}

/// Look-alikes of absent items (and always-safe noise) for a page.
fn lookalikes(r: &mut Rng, c: &Ctx, has: Has, kind: Kind, here: &[It]) -> Vec<String> {
    let mut out = Vec::new();
    match kind {
        Kind::Hemtjanst => {
            if r.chance(0.3) {
                out.push(omsorg::flex_lookalike(r));
            }
            if !has.get(It::Avgift) && r.chance(0.5) {
                out.push(tjanster::avgift_lookalike(r));
            }
            if !has.get(It::Las) && r.chance(0.2) {
                out.push(tjanster::las_lookalike(r));
            }
        }
        Kind::Ansoka => {
            if !has.get(It::Handl) && r.chance(0.7) {
                out.push(bistand::handl_lookalike(r, c));
            }
            if !has.get(It::Forenklad) && r.chance(0.2) {
                out.push(bistand::forenklad_lookalike(r, c));
            }
            if r.chance(0.6) {
                out.push(bistand::overklaga(r));
            }
        }
        Kind::Avgifter => {
            if here.is_empty() || (!has.get(It::Rakna) && r.chance(0.3)) {
                out.push(tjanster::avgift_lookalike(r));
            }
            if let Some(link) = tjanster::inkomst_link(c).filter(|_| r.chance(0.5)) {
                out.push(link);
            }
            if r.chance(0.2) {
                out.push(tjanster::blankett_link(BLANKETT));
            }
        }
        Kind::Utforare => {
            if !has.get(It::Pres) && !has.get(It::Valja) {
                out.push(utforare::no_lov(c));
            } else if !has.get(It::Pres) && r.chance(0.7) {
                out.push(utforare::bare_list(c));
            }
        }
        Kind::Arbetssatt => {
            if !has.get(It::Las) && r.chance(0.4) {
                out.push(tjanster::las_lookalike(r));
            }
            if !has.get(It::Kont) && r.chance(0.3) {
                out.push(omsorg::kontinuitet_lookalike(r));
            }
            if r.chance(0.4) {
                out.push(omsorg::flex_lookalike(r));
            }
        }
        _ => {}
    }
    out
}
