//! From truth to pages: which pages a site gets and on which page each
//! present item is written.

use std::collections::BTreeMap;

use super::rng::Rng;
use super::texts::filler::{NEWS, SECTIONS};

pub(crate) use super::items::{draw_items, Has, It, JamforMode, RaknaMode};

/// What a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Start,
    Care,
    Elder,
    HelpHome,
    Hemtjanst,
    Ansoka,
    Avgifter,
    Utforare,
    Jamfor,
    Arbetssatt,
    Faq,
    Servicedekl,
    Larm,
    Dagverksamhet,
    Korttid,
    Anhorig,
    Boende,
    Lss,
    /// An LSS subpage (0 kontaktperson, 1 daglig verksamhet, 2 korttidsvistelse).
    LssSub(u8),
    Kontakt,
    Synpunkter,
    /// A filler section landing (index into `SECTIONS`).
    Section(u8),
    /// A filler page (section, page index).
    Filler(u8, u8),
    Nyheter,
    /// A news article (index into `NEWS`, or 255 for a home-care feature article).
    News(u8),
}

/// One page of a site.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub parent: Option<usize>,
    pub slug: String,
    /// Menu and breadcrumb title.
    pub title: String,
    /// The HTML body fragments, in order.
    pub body: Vec<String>,
    /// FAQ entries (question, answer HTML), rendered as `<details>`.
    pub faq: Vec<(String, String)>,
    /// URL path (and query) on the host; set by the layout.
    pub path: String,
    /// The item a feature news article is about.
    pub feature: Option<It>,
}

/// The page tree of a site.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    pub(crate) fn add(
        &mut self,
        kind: Kind,
        parent: Option<usize>,
        slug: &str,
        title: &str,
    ) -> usize {
        self.nodes.push(Node {
            kind,
            parent,
            slug: slug.to_owned(),
            title: title.to_owned(),
            body: Vec::new(),
            faq: Vec::new(),
            path: String::new(),
            feature: None,
        });
        self.nodes.len() - 1
    }

    pub(crate) fn find(&self, kind: Kind) -> Option<usize> {
        self.nodes.iter().position(|n| n.kind == kind)
    }

    pub(crate) fn children(&self, i: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&j| self.nodes[j].parent == Some(i))
            .collect()
    }

    /// Clicks from the start page along the tree.
    pub(crate) fn depth(&self, mut i: usize) -> usize {
        let mut d = 0;
        while let Some(p) = self.nodes[i].parent {
            d += 1;
            i = p;
        }
        d
    }

    /// The ancestors of `i`, start page first, without `i`.
    pub(crate) fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.nodes[i].parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.nodes[p].parent;
        }
        out.reverse();
        out
    }
}

/// The result of planning one site.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub tree: Tree,
    /// Item → node that shows it.
    pub place: BTreeMap<It, usize>,
    pub rakna: RaknaMode,
    pub jamfor: JamforMode,
}

const CARE: &[(&str, &str)] = &[
    ("omsorg-och-stod", "Omsorg och stöd"),
    ("vard-och-omsorg", "Vård och omsorg"),
    ("omsorg-och-hjalp", "Omsorg och hjälp"),
    ("stod-och-omsorg", "Stöd och omsorg"),
    ("aldreomsorg", "Äldreomsorg"),
];
const ELDER: &[(&str, &str)] = &[
    ("aldre", "Äldre"),
    ("stod-for-aldre", "Stöd för äldre"),
    ("aldreomsorg", "Äldreomsorg"),
];
const HELP_HOME: &[(&str, &str)] = &[
    ("hjalp-i-hemmet", "Hjälp i hemmet"),
    ("bo-kvar-hemma", "Bo kvar hemma"),
    ("stod-hemma", "Stöd hemma"),
];

/// Builds the page tree for a target of `pages` pages and places the items.
pub(crate) fn plan(r: &mut Rng, has: Has, has_eservice: bool, pages: usize) -> Plan {
    let rakna = {
        let x = r.unit();
        if x < 0.3 {
            RaknaMode::OwnForm
        } else if x < 0.55 && has_eservice {
            RaknaMode::EService
        } else if x < 0.85 {
            RaknaMode::VendorLink
        } else {
            RaknaMode::VendorFrame
        }
    };
    let jamfor = {
        let x = r.unit();
        if x < 0.6 {
            JamforMode::Aldreguiden
        } else if x < 0.75 {
            JamforMode::OldLink
        } else {
            JamforMode::Own
        }
    };
    // Optional care pages: (kind, wanted, priority when the budget is tight; higher stays).
    let want = |r: &mut Rng, need: bool, p_need: f64, p_else: f64| {
        r.chance(if need { p_need } else { p_else })
    };
    let care_idx = r.below(CARE.len());
    let elder = care_idx != 4 && r.chance(0.65);
    let help_home = r.chance(if elder { 0.4 } else { 0.25 });
    let mut optional: Vec<(Kind, u8)> = Vec::new();
    let mut push = |k: Kind, yes: bool, prio: u8| {
        if yes {
            optional.push((k, prio));
        }
    };
    push(Kind::Elder, elder, 3);
    push(Kind::HelpHome, help_home, 2);
    let w = want(
        r,
        has.any(&[It::Ansoka, It::Andra, It::Handl, It::Forenklad]),
        0.75,
        0.2,
    );
    push(Kind::Ansoka, w, 6);
    let w = want(r, has.any(&[It::Avgift, It::Rakna]), 0.85, 0.3);
    push(Kind::Avgifter, w, 7);
    let w = want(r, has.any(&[It::Pres, It::Valja, It::Jamfor]), 0.85, 0.25);
    push(Kind::Utforare, w, 6);
    let w = has.get(It::Jamfor) && jamfor == JamforMode::Own;
    push(Kind::Jamfor, w, 9);
    let w = want(
        r,
        has.any(&[It::Plan, It::Kont, It::Kperson, It::Las, It::Flex]),
        0.7,
        0.15,
    );
    push(Kind::Arbetssatt, w, 5);
    let w = r.chance(0.3);
    push(Kind::Faq, w, 1);
    let w = r.chance(0.2);
    push(Kind::Servicedekl, w, 1);
    let w = want(r, has.any(&[It::Larm, It::Natt]), 0.8, 0.0);
    push(Kind::Larm, w, 5);
    push(Kind::Dagverksamhet, has.get(It::Dag), 9);
    push(Kind::Korttid, has.get(It::Korttid), 9);
    let w = r.chance(0.5);
    push(Kind::Anhorig, w, 1);
    let w = r.chance(0.6);
    push(Kind::Boende, w, 2);
    let lss = r.chance(0.6);
    push(Kind::Lss, lss, 2);
    for sub in 0..3u8 {
        let w = lss && r.chance(0.6);
        push(Kind::LssSub(sub), w, 1);
    }
    let w = want(r, has.get(It::Klag), 0.85, 0.3);
    push(Kind::Synpunkter, w, 8);

    // Fixed pages: start, care section, hemtjänst landing, kontakt, nyheter, one article, one filler section.
    let fixed = 7;
    while fixed + optional.len() > pages {
        let Some((pos, _)) = optional
            .iter()
            .enumerate()
            .filter(|(_, (k, p))| *p < 9 && !(*k == Kind::Lss && has_lss_children(&optional)))
            .min_by_key(|(_, (_, p))| *p)
        else {
            break;
        };
        optional.remove(pos);
    }
    let has_kind = |k: Kind| optional.iter().any(|(o, _)| *o == k);

    let mut t = Tree::default();
    let start = t.add(Kind::Start, None, "", "Start");
    let (slug, title) = CARE[care_idx];
    let care = t.add(Kind::Care, Some(start), slug, title);
    let mut parent = care;
    if has_kind(Kind::Elder) {
        let (slug, title) = *r.pick(ELDER);
        parent = t.add(Kind::Elder, Some(care), slug, title);
    }
    let elder_parent = parent;
    if has_kind(Kind::HelpHome) {
        let (slug, title) = *r.pick(HELP_HOME);
        parent = t.add(Kind::HelpHome, Some(parent), slug, title);
    }
    let ht = t.add(Kind::Hemtjanst, Some(parent), "hemtjanst", "Hemtjänst");
    let sub = |r: &mut Rng, opts: &[(&'static str, &'static str)]| *r.pick(opts);
    if has_kind(Kind::Ansoka) {
        // A page named after applying only where the site explains how to apply.
        let (s, ti) = if has.get(It::Ansoka) {
            sub(
                r,
                &[
                    ("ansoka", "Ansöka om hemtjänst"),
                    ("sa-ansoker-du", "Så ansöker du"),
                    ("ansokan-och-beslut", "Ansökan och beslut"),
                ],
            )
        } else {
            sub(
                r,
                &[
                    ("beslut", "Beslut om hemtjänst"),
                    ("handlaggning-och-beslut", "Handläggning och beslut"),
                ],
            )
        };
        t.add(Kind::Ansoka, Some(ht), s, ti);
    }
    if has_kind(Kind::Avgifter) {
        let (s, ti) = sub(
            r,
            &[
                ("avgifter", "Avgifter"),
                ("vad-kostar-hemtjansten", "Vad kostar hemtjänsten?"),
                ("avgift-for-hemtjanst", "Avgift för hemtjänst"),
            ],
        );
        t.add(Kind::Avgifter, Some(ht), s, ti);
    }
    if has_kind(Kind::Utforare) {
        let (s, ti) = sub(
            r,
            &[
                ("valja-utforare", "Välja utförare"),
                ("utforare", "Utförare av hemtjänst"),
                ("utforare-av-hemtjanst", "Utförare av hemtjänst"),
            ],
        );
        t.add(Kind::Utforare, Some(ht), s, ti);
    }
    if has_kind(Kind::Jamfor) {
        let p = match t.find(Kind::Utforare) {
            Some(u) if t.depth(u) < 5 => u,
            _ => ht,
        };
        t.add(Kind::Jamfor, Some(p), "jamfor-utforare", "Jämför utförare");
    }
    if has_kind(Kind::Arbetssatt) {
        let (s, ti) = sub(
            r,
            &[
                ("sa-arbetar-vi", "Så arbetar hemtjänsten"),
                ("kvalitet", "Kvalitet i hemtjänsten"),
                ("sa-fungerar-hemtjansten", "Så fungerar hemtjänsten"),
            ],
        );
        t.add(Kind::Arbetssatt, Some(ht), s, ti);
    }
    if has_kind(Kind::Faq) {
        t.add(
            Kind::Faq,
            Some(ht),
            "vanliga-fragor",
            "Vanliga frågor om hemtjänst",
        );
    }
    if has_kind(Kind::Servicedekl) {
        t.add(
            Kind::Servicedekl,
            Some(ht),
            "servicedeklaration",
            "Servicedeklaration för hemtjänsten",
        );
    }
    if has_kind(Kind::Larm) {
        let title = if has.get(It::Natt) && r.chance(0.5) {
            "Trygghetslarm och nattillsyn"
        } else if has.get(It::Larm) {
            "Trygghetslarm"
        } else {
            "Tillsyn och trygghet"
        };
        let slug = if title == "Trygghetslarm" {
            "trygghetslarm"
        } else {
            "trygghet-i-hemmet"
        };
        t.add(Kind::Larm, Some(parent), slug, title);
    }
    let elder_pages: [(Kind, &[(&str, &str)]); 4] = [
        (Kind::Dagverksamhet, &[("dagverksamhet", "Dagverksamhet")]),
        (
            Kind::Korttid,
            &[
                ("korttidsboende", "Korttidsboende"),
                ("korttidsplats-och-vaxelvard", "Korttidsplats och växelvård"),
            ],
        ),
        (
            Kind::Anhorig,
            &[
                ("anhorigstod", "Anhörigstöd"),
                ("stod-till-anhoriga", "Stöd till anhöriga"),
            ],
        ),
        (
            Kind::Boende,
            &[
                ("sarskilt-boende", "Särskilt boende"),
                ("aldreboende", "Äldreboende"),
            ],
        ),
    ];
    for (kind, opts) in elder_pages {
        if has_kind(kind) {
            let (s, ti) = sub(r, opts);
            t.add(kind, Some(elder_parent), s, ti);
        }
    }
    if has_kind(Kind::Lss) {
        let (s, ti) = sub(
            r,
            &[
                ("funktionsnedsattning", "Funktionsnedsättning"),
                (
                    "stod-vid-funktionsnedsattning",
                    "Stöd vid funktionsnedsättning",
                ),
            ],
        );
        let lss = t.add(Kind::Lss, Some(care), s, ti);
        let subs: [(&str, &str); 3] = [
            ("kontaktperson-enligt-lss", "Kontaktperson enligt LSS"),
            ("daglig-verksamhet", "Daglig verksamhet"),
            ("korttidsvistelse", "Korttidsvistelse för barn och unga"),
        ];
        for (i, (s, ti)) in subs.iter().enumerate() {
            if has_kind(Kind::LssSub(i as u8)) {
                t.add(Kind::LssSub(i as u8), Some(lss), s, ti);
            }
        }
    }

    // Filler: sections, their pages and news, up to the target.
    let used = t.nodes.len() + 2 + usize::from(has_kind(Kind::Synpunkter));
    let mut budget = pages.saturating_sub(used);
    let mut sections: Vec<usize> = (0..SECTIONS.len()).collect();
    r.shuffle(&mut sections);
    let n_sections = (budget / 6)
        .clamp(1, SECTIONS.len())
        .min(budget.saturating_sub(1).max(1));
    sections.truncate(n_sections);
    sections.sort_unstable();
    let mut section_nodes = Vec::new();
    for &s in &sections {
        let sec = &SECTIONS[s];
        let (slug, title) = *r.pick(sec.names);
        section_nodes.push((s, t.add(Kind::Section(s as u8), Some(start), slug, title)));
        budget = budget.saturating_sub(1);
    }
    let kontakt_title = *r.pick(&["Kontakt", "Kontakta oss"]);
    t.add(
        Kind::Kontakt,
        Some(start),
        &super::ctx::slugify(kontakt_title),
        kontakt_title,
    );
    if has_kind(Kind::Synpunkter) {
        let politics = section_nodes
            .iter()
            .find(|(s, _)| SECTIONS[*s].politics)
            .map(|(_, n)| *n);
        let (s, ti) = if has.get(It::Klag) {
            sub(
                r,
                &[
                    ("synpunkter-och-klagomal", "Synpunkter och klagomål"),
                    ("tyck-till", "Tyck till"),
                    ("lamna-synpunkter", "Lämna synpunkter"),
                ],
            )
        } else {
            ("tyck-till-om-webbplatsen", "Tyck till om webbplatsen")
        };
        t.add(Kind::Synpunkter, Some(politics.unwrap_or(start)), s, ti);
    }
    let nyheter = t.add(Kind::Nyheter, Some(start), "nyheter", "Nyheter");
    // News: a share of the remaining budget, at least one article.
    let n_news = (budget / 4).clamp(1, NEWS.len());
    budget = budget.saturating_sub(n_news);
    let mut news: Vec<usize> = (0..NEWS.len()).collect();
    r.shuffle(&mut news);
    // Subpages of the filler sections, round robin.
    let mut queues: Vec<(usize, usize, Vec<usize>)> = section_nodes
        .iter()
        .map(|&(s, n)| {
            let mut pages: Vec<usize> = (0..SECTIONS[s].pages.len()).collect();
            r.shuffle(&mut pages);
            (s, n, pages)
        })
        .collect();
    let mut extra_news = 0;
    while budget > 0 {
        let mut added = false;
        for (s, n, q) in &mut queues {
            if budget == 0 {
                break;
            }
            if let Some(p) = q.pop() {
                let page = &SECTIONS[*s].pages[p];
                t.add(
                    Kind::Filler(*s as u8, p as u8),
                    Some(*n),
                    page.slug,
                    page.title,
                );
                budget -= 1;
                added = true;
            }
        }
        if !added {
            // Sections exhausted: more news.
            if n_news + extra_news >= NEWS.len() {
                break;
            }
            extra_news += 1;
            budget -= 1;
        }
    }
    for &i in news.iter().take(n_news + extra_news) {
        let item = &NEWS[i];
        t.add(Kind::News(i as u8), Some(nyheter), item.slug, item.title);
    }

    let place = place_items(r, has, &mut t, jamfor, nyheter);
    Plan {
        tree: t,
        place,
        rakna,
        jamfor,
    }
}

fn has_lss_children(optional: &[(Kind, u8)]) -> bool {
    optional.iter().any(|(k, _)| matches!(k, Kind::LssSub(_)))
}

/// Picks a page for every present item among the pages that exist.
fn place_items(
    r: &mut Rng,
    has: Has,
    t: &mut Tree,
    jamfor: JamforMode,
    nyheter: usize,
) -> BTreeMap<It, usize> {
    use Kind as K;
    let table: [(It, &[K]); 22] = [
        (It::Tel, &[K::Hemtjanst, K::Hemtjanst, K::Ansoka]),
        (It::Mail, &[K::Hemtjanst, K::Ansoka]),
        (It::Klag, &[K::Synpunkter]),
        (It::Ansoka, &[K::Ansoka]),
        (It::Andra, &[K::Ansoka, K::Ansoka, K::Faq]),
        (It::Handl, &[K::Ansoka, K::Ansoka, K::Faq, K::Servicedekl]),
        (It::Tjanster, &[K::Hemtjanst]),
        (It::Larm, &[K::Larm]),
        (It::Las, &[K::Arbetssatt, K::Arbetssatt, K::Hemtjanst]),
        (It::Natt, &[K::Larm, K::Larm, K::Arbetssatt]),
        (It::Avgift, &[K::Avgifter]),
        (It::Rakna, &[K::Avgifter]),
        (It::Pres, &[K::Utforare]),
        (It::Valja, &[K::Utforare, K::Utforare, K::Faq]),
        (It::Jamfor, &[K::Utforare]),
        (It::Plan, &[K::Arbetssatt, K::Arbetssatt, K::Servicedekl]),
        (It::Kont, &[K::Arbetssatt, K::Servicedekl]),
        (It::Kperson, &[K::Arbetssatt, K::Servicedekl]),
        (It::Forenklad, &[K::Ansoka, K::Faq, K::Hemtjanst]),
        (It::Flex, &[K::Arbetssatt, K::Hemtjanst, K::Faq]),
        (It::Dag, &[K::Dagverksamhet]),
        (It::Korttid, &[K::Korttid]),
    ];
    let ht = t.find(K::Hemtjanst).unwrap_or(0);
    let mut place = BTreeMap::new();
    for (it, kinds) in table {
        if !has.get(it) {
            continue;
        }
        let node = if it == It::Jamfor && jamfor == JamforMode::Own {
            t.find(K::Jamfor)
        } else if it == It::Rakna {
            // The calculator sits with the fee information.
            place.get(&It::Avgift).copied()
        } else if matches!(it, It::Las | It::Natt) && r.chance(0.2) {
            // A news article about it (one of the generic articles is rewritten).
            let free = (0..t.nodes.len()).rev().find(|&i| {
                matches!(t.nodes[i].kind, K::News(n) if n != 255)
                    && t.nodes[i].parent == Some(nyheter)
            });
            free.inspect(|&n| {
                let (slug, title) = if it == It::Las {
                    ("nyckelfri-hemtjanst", "Nu blir hemtjänsten nyckelfri")
                } else {
                    ("nattillsyn-via-kamera", "Tillsyn via kamera på natten")
                };
                let node = &mut t.nodes[n];
                node.kind = K::News(255);
                slug.clone_into(&mut node.slug);
                title.clone_into(&mut node.title);
                node.feature = Some(it);
            })
        } else {
            let existing: Vec<usize> = kinds.iter().filter_map(|&k| t.find(k)).collect();
            (!existing.is_empty()).then(|| *r.pick(&existing))
        };
        place.insert(it, node.unwrap_or(ht));
    }
    place
}
