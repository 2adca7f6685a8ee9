//! CMS styles: URL paths of the page tree, the page shell (header,
//! navigation, breadcrumbs, footer), robots.txt and sitemaps.

use std::fmt::Write as _;

use super::ctx::Ctx;
use super::plan::{Kind, Tree};
use super::rng::Rng;

/// The CMS a site looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `/omsorg-och-stod/aldre/hemtjanst.4.<hex>.html`
    SiteVision,
    /// `/omsorg-och-stod/aldre/hemtjanst/`, news under `/2025/09/12/<slug>/`
    WordPress,
    /// `/omsorg/index.php`, `/omsorg/hemtjanst.php?id=12`; optionally ISO-8859-1
    Php { latin1: bool },
    /// `/Omsorg-och-stod/Aldre/Hemtjanst.aspx`
    Aspx,
}

impl Style {
    pub(crate) fn draw(r: &mut Rng) -> Style {
        let x = r.unit();
        if x < 0.35 {
            Style::SiteVision
        } else if x < 0.65 {
            Style::WordPress
        } else if x < 0.85 {
            Style::Php {
                latin1: r.chance(0.6),
            }
        } else {
            Style::Aspx
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Style::SiteVision => "SiteVision-like .4.<hex>.html paths",
            Style::WordPress => "WordPress-like directory paths",
            Style::Php { latin1: true } => ".php?id= pages in ISO-8859-1",
            Style::Php { latin1: false } => ".php?id= pages",
            Style::Aspx => ".aspx pages",
        }
    }

    pub(crate) fn latin1(self) -> bool {
        matches!(self, Style::Php { latin1: true })
    }
}

fn camel(slug: &str) -> String {
    let mut c = slug.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Sets `path` of every node.
pub(crate) fn assign_paths(t: &mut Tree, style: Style, r: &mut Rng) {
    let mut next_id = r.range(10, 400);
    for i in 0..t.nodes.len() {
        let anc: Vec<usize> = t.ancestors(i).into_iter().skip(1).collect();
        let node = &t.nodes[i];
        if node.kind == Kind::Start {
            "/".clone_into(&mut t.nodes[i].path);
            continue;
        }
        let dirs: Vec<&str> = anc.iter().map(|&a| t.nodes[a].slug.as_str()).collect();
        let is_news = matches!(node.kind, Kind::News(_));
        let path = match style {
            Style::SiteVision => {
                let mut p = String::from("/");
                for d in &dirs {
                    p.push_str(d);
                    p.push('/');
                }
                let hex_len = r.range(14, 22) as usize;
                format!("{p}{}.4.{}.html", node.slug, r.hex(hex_len))
            }
            Style::WordPress => {
                if is_news {
                    format!(
                        "/2025/{:02}/{:02}/{}/",
                        r.range(1, 9),
                        r.range(1, 28),
                        node.slug
                    )
                } else {
                    let mut p = String::from("/");
                    for d in &dirs {
                        p.push_str(d);
                        p.push('/');
                    }
                    format!("{p}{}/", node.slug)
                }
            }
            Style::Php { .. } => {
                if dirs.is_empty() {
                    format!("/{}/index.php", node.slug)
                } else if is_news {
                    next_id += 1;
                    format!("/{}/artikel.php?id={next_id}", dirs[0])
                } else {
                    // One script per subtree below depth 3, so no path has many queries.
                    let depth = dirs.len() + 1;
                    let group = if depth <= 3 {
                        node.slug.as_str()
                    } else {
                        dirs[2]
                    };
                    next_id += 1;
                    format!("/{}/{group}.php?id={next_id}", dirs[0])
                }
            }
            Style::Aspx => {
                if dirs.is_empty() {
                    format!("/{}/Default.aspx", camel(&node.slug))
                } else {
                    let mut p = String::from("/");
                    for d in &dirs {
                        p.push_str(&camel(d));
                        p.push('/');
                    }
                    format!("{p}{}.aspx", camel(&node.slug))
                }
            }
        };
        t.nodes[i].path = path;
    }
}

/// The file key in the fixture-server mapping for a URL path (with optional query).
pub(crate) fn file_key(path: &str) -> String {
    let (p, q) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let rel = p.trim_start_matches('/');
    let base = if rel.is_empty() {
        "index.html".to_owned()
    } else if rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    };
    match q {
        Some(q) => format!("{base}@{q}"),
        None => base,
    }
}

/// Everything the shell needs besides the node.
pub(crate) struct Shell<'a> {
    pub ctx: &'a Ctx,
    pub style: Style,
    /// Main navigation: (title, path).
    pub nav: &'a [(String, String)],
    /// Footer links: (title, path).
    pub footer: &'a [(String, String)],
}

impl Shell<'_> {
    /// Renders a whole page around `main` (the content below the h1).
    pub(crate) fn page(&self, t: &Tree, i: usize, h1: &str, main: &str) -> String {
        let c = self.ctx;
        let node = &t.nodes[i];
        let sep = match self.style {
            Style::SiteVision | Style::Aspx => " - ",
            Style::WordPress => " | ",
            Style::Php { .. } => " :: ",
        };
        let title = if node.kind == Kind::Start {
            format!("Startsida{sep}{}", c.kommun)
        } else {
            format!("{}{sep}{}", node.title, c.kommun)
        };
        let meta = if self.style.latin1() {
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">"
        } else {
            "<meta charset=\"utf-8\">"
        };
        let mut out = format!(
            "<!doctype html>\n<html lang=\"sv\">\n<head>\n{meta}\n<title>{title}</title>\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n</head>\n<body>\n"
        );
        let (header_class, main_open, main_close) = match self.style {
            Style::SiteVision => (
                "sv-header",
                "<div class=\"sv-layout\"><main class=\"sv-text-portlet\">",
                "</main></div>",
            ),
            Style::WordPress => (
                "site-header",
                "<main id=\"primary\" class=\"site-main\"><article class=\"entry-content\">",
                "</article></main>",
            ),
            Style::Php { .. } => ("top", "<div id=\"innehall\">", "</div>"),
            Style::Aspx => (
                "header",
                "<form id=\"aspnetForm\"><div class=\"main\">",
                "</div></form>",
            ),
        };
        let home = if self.style == Style::WordPress {
            format!("http://{}/", c.host)
        } else {
            "/".to_owned()
        };
        let _ = writeln!(out,
            "<header class=\"{header_class}\">\n<a class=\"logo\" href=\"{home}\">{}</a>\n<nav class=\"main-nav\" aria-label=\"Huvudmeny\">",
            c.kommun
        );
        for (text, path) in self.nav {
            let _ = writeln!(out, "<a href=\"{}\">{text}</a>", self.href(path));
        }
        out.push_str("</nav>\n</header>\n");
        let anc = t.ancestors(i);
        if anc.len() >= 2 {
            let mut items = String::new();
            for &a in &anc {
                let n = &t.nodes[a];
                let _ = write!(
                    items,
                    "<li><a href=\"{}\">{}</a></li>",
                    self.href(&n.path),
                    n.title
                );
            }
            if self.style == Style::SiteVision {
                let _ =
                    writeln!(out,
                    "<nav class=\"breadcrumbs\" aria-label=\"Du är här\"><ol>{items}</ol></nav>"
                );
            } else {
                let _ = writeln!(out, "<ol class=\"breadcrumb\">{items}</ol>");
            }
        }
        // Submenu: the siblings (and own children) of the page, in chrome.
        if let Some(parent) = node.parent.filter(|_| anc.len() >= 2) {
            let mut links = String::new();
            for s in t.children(parent) {
                let _ = write!(
                    links,
                    "<li><a href=\"{}\">{}</a></li>",
                    self.href(&t.nodes[s].path),
                    t.nodes[s].title
                );
            }
            let _ = writeln!(
                out,
                "<nav class=\"submenu\" aria-label=\"Undermeny\"><ul>{links}</ul></nav>"
            );
        }
        out.push_str(main_open);
        let _ = writeln!(out, "\n<h1>{h1}</h1>");
        out.push_str(main);
        out.push_str(main_close);
        out.push('\n');
        out.push_str(&self.footer_html());
        out.push_str("</body>\n</html>\n");
        out
    }

    /// A link target as the style writes it.
    pub(crate) fn href(&self, path: &str) -> String {
        if self.style == Style::WordPress && path.starts_with('/') {
            format!("http://{}{path}", self.ctx.host)
        } else {
            path.to_owned()
        }
    }

    fn footer_html(&self) -> String {
        let c = self.ctx;
        let mut line = format!("{} &middot; {} &middot; {}", c.kommun, c.street, c.postal);
        if c.phone_ok {
            let _ = write!(line, " &middot; Telefon {}", c.phone_main);
        }
        if c.mail_ok {
            let _ = write!(line, " &middot; {}", Ctx::mailto(&c.info_mail));
        }
        let links: Vec<String> = self
            .footer
            .iter()
            .map(|(text, path)| format!("<a href=\"{}\">{text}</a>", self.href(path)))
            .collect();
        format!(
            "<footer>\n<p>{line}</p>\n<p>{}</p>\n</footer>\n",
            links.join(" &middot; ")
        )
    }
}

/// robots.txt of a municipality's host.
pub(crate) fn robots(
    r: &mut Rng,
    c: &Ctx,
    style: Style,
    sitemap: Option<&str>,
    crawl_delay: Option<u32>,
) -> String {
    let mut out = "User-agent: *\n".to_owned();
    let mut disallows: Vec<&str> = Vec::new();
    if r.chance(0.6) {
        disallows.push("/sok/");
    }
    match style {
        Style::WordPress => disallows.push("/wp-admin/"),
        Style::Php { .. } => disallows.push("/cgi-bin/"),
        Style::SiteVision => disallows.push("/sitevision/"),
        Style::Aspx => disallows.push("/admin/"),
    }
    if r.chance(0.3) {
        disallows.push("/*?print=");
    }
    if r.chance(0.2) {
        disallows.push("/intern/");
    }
    if disallows.is_empty() || r.chance(0.1) {
        out.push_str("Disallow:\n");
    }
    for d in disallows {
        let _ = writeln!(out, "Disallow: {d}");
    }
    if let Some(delay) = crawl_delay {
        let _ = writeln!(out, "Crawl-delay: {delay}");
    }
    if let Some(path) = sitemap {
        if r.chance(0.9) {
            let _ = writeln!(out, "\nSitemap: http://{}{path}", c.host);
        }
    }
    out
}

/// A `urlset` sitemap of absolute URLs.
pub(crate) fn sitemap(host: &str, paths: &[String]) -> String {
    let mut out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".to_owned();
    for p in paths {
        let _ = writeln!(
            out,
            "  <url><loc>http://{host}{}</loc><lastmod>2025-08-{:02}</lastmod></url>",
            p.replace('&', "&amp;"),
            1 + (p.len() % 28)
        );
    }
    out.push_str("</urlset>\n");
    out
}

/// A sitemap index pointing at one page sitemap (WordPress style).
pub(crate) fn sitemap_index(host: &str, child: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  <sitemap><loc>http://{host}{child}</loc></sitemap>\n</sitemapindex>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::file_key;

    #[test]
    fn file_keys_follow_the_server_mapping() {
        assert_eq!(file_key("/"), "index.html");
        assert_eq!(file_key("/a/b/"), "a/b/index.html");
        assert_eq!(file_key("/a/b.4.ff.html"), "a/b.4.ff.html");
        assert_eq!(file_key("/a/b.php?id=12"), "a/b.php@id=12");
        assert_eq!(
            file_key("/kalender/?datum=2025-09-01"),
            "kalender/index.html@datum=2025-09-01"
        );
    }
}
