//! Tests of the farm: determinism, structure, links, base rates, reachability.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::OnceLock;

use url::Url;

use super::layout::file_key;
use super::rng::fnv1a;
use super::*;
use crate::extract::{parse_html, Document};
use crate::fetch::robots::RobotsRules;
use crate::fixture_server::Site;

/// The default farm of the builtin registry, seed 1 (built once per test binary).
pub(super) fn farm() -> &'static Farm {
    static FARM: OnceLock<Farm> = OnceLock::new();
    FARM.get_or_init(|| generate(&Registry::builtin(), 1, &FarmOptions::default()))
}

/// A stable digest of all files, configs and truths.
fn digest(f: &Farm) -> u64 {
    let mut h: u64 = 0;
    let mut mix = |s: &[u8]| {
        h = h.rotate_left(5) ^ fnv1a(&String::from_utf8_lossy(s)) ^ s.len() as u64;
    };
    for host in f.sites.hosts() {
        let site = f.sites.get(host).unwrap();
        mix(host.as_bytes());
        let mut keys: Vec<&String> = site.files.keys().collect();
        keys.sort();
        for k in keys {
            mix(k.as_bytes());
            mix(&site.files[k]);
        }
        mix(format!("{:?}", site.config).as_bytes());
    }
    mix(format!("{:?}", f.truths).as_bytes());
    mix(format!("{:?}", f.starts).as_bytes());
    h
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let reg = Registry::builtin();
    let few: Vec<Municipality> = reg.all().iter().take(40).cloned().collect();
    let opts = FarmOptions::default();
    let a = digest(&generate_for(&few, 7, &opts));
    let b = digest(&generate_for(&few, 7, &opts));
    let c = digest(&generate_for(&few, 8, &opts));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // A municipality's site does not depend on the others.
    let one = generate_for(
        &few[3..4],
        7,
        &FarmOptions {
            faults: false,
            ..opts.clone()
        },
    );
    let all = generate_for(
        &few,
        7,
        &FarmOptions {
            faults: false,
            ..opts
        },
    );
    let host = few[3].homepage.host_str().unwrap();
    let (s1, s2) = (one.sites.get(host).unwrap(), all.sites.get(host).unwrap());
    assert_eq!(s1.files, s2.files);
}

#[test]
fn every_municipality_has_a_site_with_a_start_page() {
    let f = farm();
    let reg = Registry::builtin();
    assert_eq!(f.truths.len(), 290);
    assert_eq!(f.starts.len(), 290);
    for (m, (code, start)) in reg.all().iter().zip(&f.starts) {
        assert_eq!(m.code.as_str(), code);
        assert_eq!(start.scheme(), "http");
        assert_eq!(start.host_str(), m.homepage.host_str());
        let site = f.sites.get(start.host_str().unwrap()).unwrap();
        assert!(site.resolve("/", None).is_some(), "{start}");
        assert!(site.files.contains_key("robots.txt"), "{start}");
        let truth = &f.truths[code];
        assert_eq!(truth.items.len(), 22);
        if truth.status == "ok" {
            assert!(
                (15..=60).contains(&truth.pages),
                "{start}: {} pages",
                truth.pages
            );
        }
    }
    let with_sitemap = f
        .starts
        .iter()
        .filter(|(_, s)| {
            let site = f.sites.get(s.host_str().unwrap()).unwrap();
            site.files.contains_key("sitemap.xml") || site.files.contains_key("wp-sitemap.xml")
        })
        .count();
    assert!(
        (150..=250).contains(&with_sitemap),
        "{with_sitemap} sitemaps"
    );
}

#[test]
fn faults_are_few_deterministic_and_recorded() {
    let f = farm();
    let faulty: Vec<&FarmTruth> = f.truths.values().filter(|t| t.fault.is_some()).collect();
    assert!((9..=15).contains(&faulty.len()), "{}", faulty.len());
    let kinds: BTreeSet<Fault> = faulty.iter().filter_map(|t| t.fault).collect();
    assert_eq!(kinds.len(), Fault::ALL.len());
    for t in faulty {
        let fault = t.fault.unwrap();
        assert_eq!(t.status, fault.expected_status());
        if fault.blocks_site() {
            assert!(t.items.values().all(|v| !v), "{}", t.name);
        }
        let site = f.sites.get(t.start.host_str().unwrap()).unwrap();
        let expect_routes = !matches!(
            fault,
            Fault::EndlessCalendar | Fault::MalformedHtml | Fault::WrongCharset
        );
        assert_eq!(!site.config.routes.is_empty(), expect_routes, "{fault:?}");
        site.config.validate().unwrap();
        if fault == Fault::EndlessCalendar {
            let days = site.files.keys().filter(|k| k.contains("@datum=")).count();
            assert_eq!(days, CALENDAR_DAYS);
        }
    }
    let none = generate_for(
        &Registry::builtin().all()[..30],
        1,
        &FarmOptions {
            faults: false,
            ..FarmOptions::default()
        },
    );
    assert!(none
        .truths
        .values()
        .all(|t| t.fault.is_none() && t.status == "ok"));
}

/// Content-Type the fixture server sends for a file key of a site.
pub(super) fn content_type(site: &Site, key: &str) -> Option<String> {
    let base = key.split('@').next().unwrap_or(key);
    let name = base.rsplit('/').next().unwrap_or(base);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    if !matches!(ext, "" | "html" | "php" | "aspx") || name.starts_with("robots") {
        return None;
    }
    Some(match &site.config.charset {
        Some(cs) => format!("text/html; charset={cs}"),
        None => "text/html; charset=utf-8".to_owned(),
    })
}

/// The file (key) a URL is served from, or `None` (also for route-only answers).
pub(super) fn resolve<'a>(f: &'a Farm, url: &Url) -> Option<(&'a Site, String)> {
    let site = f.sites.get(url.host_str()?)?;
    site.resolve(url.path(), url.query()).map(|r| (site, r.key))
}

fn parse(site: &Site, url: &Url, key: &str) -> Option<Document> {
    let ct = content_type(site, key)?;
    Some(parse_html(url, &site.files[key], Some(&ct)))
}

#[test]
fn every_internal_link_and_sitemap_entry_resolves() {
    let f = farm();
    let mut checked = 0usize;
    let mut broken = Vec::new();
    for host in f.sites.hosts() {
        let site = f.sites.get(host).unwrap();
        for key in site.files.keys() {
            let base = Url::parse(&format!("http://{host}/")).unwrap();
            let path = key.replacen('@', "?", 1);
            let url = base.join(&path).unwrap();
            let targets: Vec<Url> = if let Some(doc) = parse(site, &url, key) {
                doc.links
                    .into_iter()
                    .map(|l| l.href)
                    .chain(doc.frames.into_iter().map(|fr| fr.src))
                    .collect()
            } else if key.rsplit_once('.').is_some_and(|(_, e)| e == "xml") {
                let text = String::from_utf8_lossy(&site.files[key]).into_owned();
                text.split("<loc>")
                    .skip(1)
                    .filter_map(|s| s.split("</loc>").next())
                    .filter_map(|s| Url::parse(&s.replace("&amp;", "&")).ok())
                    .collect()
            } else {
                continue;
            };
            for t in targets {
                let Some(target_host) = t.host_str() else {
                    continue;
                };
                let Some(target) = f.sites.get(target_host) else {
                    continue;
                };
                if !matches!(t.scheme(), "http" | "https") {
                    continue;
                }
                checked += 1;
                let pq = match t.query() {
                    Some(q) => format!("{}?{q}", t.path()),
                    None => t.path().to_owned(),
                };
                let ok = target.resolve(t.path(), t.query()).is_some()
                    || target
                        .config
                        .routes
                        .iter()
                        .any(|r| r.answers() && r.matches(&pq));
                if !ok {
                    broken.push(format!("{host}/{key} -> {t}"));
                }
            }
        }
    }
    assert!(checked > 20_000, "{checked}");
    assert!(
        broken.is_empty(),
        "{} broken, e.g. {:?}",
        broken.len(),
        &broken[..broken.len().min(10)]
    );
}

#[test]
fn base_rates_are_roughly_as_designed() {
    let f = farm();
    let ok: Vec<&FarmTruth> = f.truths.values().filter(|t| t.status == "ok").collect();
    for id in ITEMS {
        let n = ok.iter().filter(|t| t.items[id]).count();
        let share = n as f64 / ok.len() as f64;
        let want = item_base_rate(id).unwrap();
        let slack = if id == "avgift_info" { 0.15 } else { 0.1 };
        assert!(
            share >= want - 0.1 && share <= want + slack,
            "{id}: {share:.2} vs {want:.2}"
        );
        assert!(n > 0 && n < ok.len(), "{id} needs positives and negatives");
    }
}

/// Breadth-first walk over the links of a site as a reader (and the
/// crawler) would: own domain and subdomains, one hop onto other farm hosts,
/// robots.txt obeyed. Returns URL (without fragment) → (depth, referrer text).
pub(super) fn walk(f: &Farm, start: &Url) -> BTreeMap<Url, (u32, Option<String>)> {
    let domain = crate::registry::registrable(start.host_str().unwrap()).unwrap();
    let mut robots: HashMap<String, RobotsRules> = HashMap::new();
    let mut seen = BTreeMap::new();
    let mut queue = VecDeque::from([(start.clone(), 0u32, None::<String>)]);
    seen.insert(start.clone(), (0, None));
    while let Some((url, depth, _)) = queue.pop_front() {
        let host = url.host_str().unwrap().to_owned();
        let own = crate::registry::registrable(&host).as_deref() == Some(domain.as_str());
        let Some((site, key)) = resolve(f, &url) else {
            continue;
        };
        let Some(doc) = parse(site, &url, &key) else {
            continue;
        };
        if !own {
            continue; // one hop off-site only
        }
        let title = doc.title.clone();
        for (href, text) in doc
            .links
            .iter()
            .map(|l| (l.href.clone(), l.text.clone()))
            .chain(
                doc.frames
                    .iter()
                    .map(|fr| (fr.src.clone(), fr.title.clone())),
            )
        {
            let mut href = href;
            href.set_fragment(None);
            let Some(h) = href.host_str().map(str::to_owned) else {
                continue;
            };
            if f.sites.get(&h).is_none() || seen.contains_key(&href) {
                continue;
            }
            let rules = robots.entry(h.clone()).or_insert_with(|| {
                let robots_url = Url::parse(&format!("http://{h}/robots.txt")).unwrap();
                match resolve(f, &robots_url) {
                    Some((s, k)) => RobotsRules::from_response(200, &s.files[&k], &robots_url),
                    None => RobotsRules::missing(404),
                }
            });
            if !rules.allowed(&href) {
                continue;
            }
            let referrer = Some(format!("{text} {title}"));
            seen.insert(href.clone(), (depth + 1, referrer.clone()));
            queue.push_back((href, depth + 1, referrer));
        }
    }
    seen
}

#[test]
fn evidence_pages_are_reachable_by_links_within_five_clicks() {
    let f = farm();
    for t in f.truths.values().filter(|t| t.status == "ok") {
        let reached = walk(f, &t.start);
        for (item, url) in &t.evidence {
            let depth = reached.get(url).map(|(d, _)| *d);
            assert!(depth.is_some(), "{}: {item} at {url} not reachable", t.name);
            assert!(depth.unwrap() <= 5, "{}: {item} at depth {depth:?}", t.name);
        }
        let own_pages = reached
            .keys()
            .filter(|u| u.host_str() == t.start.host_str() && !u.path().starts_with("/kalender"))
            .filter(|u| resolve(f, u).is_some_and(|(s, k)| content_type(s, &k).is_some()))
            .count();
        assert!(
            own_pages + 3 >= t.pages,
            "{}: reached {own_pages} of {}",
            t.name,
            t.pages
        );
    }
}

#[test]
fn query_pages_stay_below_the_crawlers_per_path_limit() {
    let f = farm();
    for (_, start) in &f.starts {
        let site = f.sites.get(start.host_str().unwrap()).unwrap();
        let mut per_path: HashMap<&str, usize> = HashMap::new();
        for k in site
            .files
            .keys()
            .filter(|k| k.contains('@') && !k.starts_with("kalender/"))
        {
            *per_path.entry(k.split('@').next().unwrap()).or_default() += 1;
        }
        assert!(per_path.values().all(|&n| n <= 15), "{start}: {per_path:?}");
    }
}

#[test]
fn latin1_sites_are_latin1_and_declare_it() {
    let f = farm();
    let mut latin = 0;
    for (_, start) in &f.starts {
        let site = f.sites.get(start.host_str().unwrap()).unwrap();
        if site.config.charset.as_deref() == Some("iso-8859-1") {
            latin += 1;
            let home = &site.files["index.html"];
            assert!(std::str::from_utf8(home).is_err() || home.is_ascii());
            let doc = parse_html(start, home, Some("text/html; charset=iso-8859-1"));
            assert!(
                doc.title.contains("kommun")
                    || doc.title.contains("Region")
                    || doc.title.contains("stad"),
                "{}",
                doc.title
            );
        }
    }
    assert!(latin >= 5, "{latin}");
}

#[test]
fn write_to_dir_round_trips_through_the_fixture_loader() {
    let reg = Registry::builtin();
    let farm = generate_for(&reg.all()[..12], 3, &FarmOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    write_to_dir(&farm, tmp.path()).unwrap();
    let loaded = Sites::from_dir(tmp.path()).unwrap();
    assert_eq!(loaded.hosts(), farm.sites.hosts());
    for host in farm.sites.hosts() {
        let (a, b) = (farm.sites.get(host).unwrap(), loaded.get(host).unwrap());
        assert_eq!(a.files, b.files, "{host}");
        assert_eq!(a.config, b.config, "{host}");
    }
    let truths = crate::fixture_server::truth::dir_truths(tmp.path());
    let municipal: Vec<_> = truths
        .iter()
        .filter_map(|(h, t)| {
            t.as_ref()
                .ok()
                .filter(|t| t.is_municipality())
                .map(|t| (h, t))
        })
        .collect();
    assert_eq!(municipal.len(), 12);
    for (_, t) in municipal {
        let ft = farm.truths.values().find(|x| x.name == t.name).unwrap();
        assert_eq!(t.items, ft.items);
        assert_eq!(t.status, ft.status);
        for (item, path) in &t.evidence {
            let u = &ft.evidence[item];
            assert!(u.as_str().ends_with(path.as_str()), "{u} {path}");
        }
    }
    assert!(truths.iter().all(|(_, t)| t.is_ok()));
}

#[test]
fn file_keys_of_generated_pages_match_their_paths() {
    // A page's own path resolves to its own file.
    let f = farm();
    let (_, start) = &f.starts[0];
    let site = f.sites.get(start.host_str().unwrap()).unwrap();
    for k in site
        .files
        .keys()
        .filter(|k| k.contains(".html") || k.contains(".php"))
    {
        let path = format!("/{}", k.replacen('@', "?", 1));
        let url = start.join(&path).unwrap();
        let (_, key) = resolve(f, &url).unwrap();
        assert_eq!(&key, k);
        assert_eq!(file_key(&path), *k);
    }
}

#[test]
fn generation_is_fast() {
    let reg = Registry::builtin();
    let t0 = std::time::Instant::now();
    let f = generate(&reg, 42, &FarmOptions::default());
    let elapsed = t0.elapsed();
    let files: usize = f
        .sites
        .hosts()
        .iter()
        .map(|h| f.sites.get(h).unwrap().files.len())
        .sum();
    println!(
        "generated {} hosts, {files} files in {elapsed:?}",
        f.sites.len()
    );
    if !cfg!(debug_assertions) {
        assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
    }
}

#[test]
#[ignore = "writes the default farm to $FARM_DIR for inspection"]
fn dump_farm() {
    let dir = std::env::var("FARM_DIR").unwrap_or_else(|_| "/tmp/infokoll-farm".to_owned());
    write_to_dir(farm(), std::path::Path::new(&dir)).unwrap();
}
