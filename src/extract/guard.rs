//! The pre-parse guard: one linear scan that keeps the HTML parser's cost
//! linear.
//!
//! html5ever's tree builder looks through its stack of open elements for
//! many start and end tags, so a page of 100,000 nested `<div>`s costs time
//! in the square of its depth (tens of seconds). [`guard`] walks the markup
//! once, keeping a rough stack of open elements (void elements, raw text,
//! comments and implied end tags handled as the parser would), and cuts
//! the markup just before the tag that would go deeper than
//! [`MAX_DEPTH`] or past [`MAX_TAGS`] tags. The parser then closes what is
//! open at the cut, so everything before it is kept as it was.

use std::borrow::Cow;

/// Deepest nesting of elements kept. Real pages stay well below 100.
pub const MAX_DEPTH: usize = 256;
/// Most tags (start and end) kept. Ordinary pages have a few thousand;
/// the work per tag is bounded by [`MAX_DEPTH`].
pub const MAX_TAGS: usize = 100_000;

/// Why markup was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Nesting deeper than [`MAX_DEPTH`].
    Depth,
    /// More than [`MAX_TAGS`] tags.
    Tags,
    /// The parse took longer than [`super::budget::PARSE_BUDGET`].
    Time,
}

/// Elements with no content and no end tag.
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"keygen",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"basefont",
    b"bgsound",
    b"frame",
    b"image",
];
/// Elements whose content is raw text up to their own end tag.
const RAW: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"plaintext",
];
/// Start tags that close an open `<p>` in button scope (HTML tree builder).
const CLOSES_P: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"header",
    b"hgroup",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"p",
    b"search",
    b"section",
    b"summary",
    b"ul",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"pre",
    b"listing",
    b"form",
    b"plaintext",
    b"table",
    b"hr",
    b"xmp",
    b"li",
    b"dd",
    b"dt",
];
/// Elements that end the search for a `<p>` in button scope.
const BUTTON_SCOPE: &[&[u8]] = &[
    b"applet",
    b"caption",
    b"html",
    b"table",
    b"td",
    b"th",
    b"marquee",
    b"object",
    b"template",
    b"button",
    b"svg",
    b"math",
];
/// The "special" elements of the HTML tree builder that can be open
/// (void elements never are). The search for an open `<li>`/`<dd>`/`<dt>`
/// stops at them, except at `address`, `div` and `p`; an end tag of an
/// ordinary element is ignored when one of them lies above it.
const SPECIAL: &[&[u8]] = &[
    b"address",
    b"div",
    b"p",
    b"applet",
    b"article",
    b"aside",
    b"blockquote",
    b"body",
    b"button",
    b"caption",
    b"center",
    b"colgroup",
    b"dd",
    b"details",
    b"dir",
    b"dl",
    b"dt",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"frameset",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"header",
    b"hgroup",
    b"html",
    b"li",
    b"listing",
    b"main",
    b"marquee",
    b"menu",
    b"nav",
    b"object",
    b"ol",
    b"pre",
    b"search",
    b"section",
    b"select",
    b"summary",
    b"table",
    b"tbody",
    b"td",
    b"template",
    b"tfoot",
    b"th",
    b"thead",
    b"tr",
    b"ul",
    b"svg",
    b"math",
];
/// Elements that end a search for an open table part.
const TABLE_SCOPE: &[&[u8]] = &[b"html", b"table", b"template"];

/// Pops what a start tag `name` implicitly closes, as the HTML tree
/// builder would. The model only ever closes what the parser closes too,
/// so its depth is never below the parser's (at worst above it: such a
/// page is cut a little early, never parsed deeper than the limit).
fn close_implied(stack: &mut Vec<Vec<u8>>, name: &[u8]) {
    let find = |stack: &[Vec<u8>], wanted: &[&[u8]], skip: &dyn Fn(&[u8]) -> bool| {
        for (i, open) in stack.iter().enumerate().rev() {
            if wanted.contains(&open.as_slice()) {
                return Some(i);
            }
            if !skip(open) {
                return None;
            }
        }
        None
    };
    let in_scope = |scope: &'static [&'static [u8]]| move |n: &[u8]| !scope.contains(&n);
    if CLOSES_P.contains(&name) {
        if let Some(i) = find(stack, &[b"p"], &in_scope(BUTTON_SCOPE)) {
            stack.truncate(i);
        }
    }
    let list_item: Option<&[&[u8]]> = match name {
        b"li" => Some(&[b"li"]),
        b"dd" | b"dt" => Some(&[b"dd", b"dt"]),
        _ => None,
    };
    if let Some(wanted) = list_item {
        let skip = |n: &[u8]| matches!(n, b"address" | b"div" | b"p") || !SPECIAL.contains(&n);
        if let Some(i) = find(stack, wanted, &skip) {
            stack.truncate(i);
        }
    }
    let table_part: Option<&[&[u8]]> = match name {
        b"td" | b"th" => Some(&[b"td", b"th"]),
        b"tr" => Some(&[b"tr"]),
        b"thead" | b"tbody" | b"tfoot" => Some(&[b"thead", b"tbody", b"tfoot"]),
        _ => None,
    };
    if let Some(wanted) = table_part {
        if let Some(i) = find(stack, wanted, &in_scope(TABLE_SCOPE)) {
            stack.truncate(i);
        }
    }
    let top_only: Option<&[&[u8]]> = match name {
        b"option" => Some(&[b"option"]),
        b"optgroup" => Some(&[b"option", b"optgroup"]),
        b"rb" | b"rt" | b"rp" | b"rtc" => Some(&[b"rb", b"rt", b"rp", b"rtc"]),
        _ => None,
    };
    if let Some(wanted) = top_only {
        while stack.last().is_some_and(|n| wanted.contains(&n.as_slice())) {
            stack.pop();
        }
    }
}

/// Formatting elements: their misnested end tags run the adoption agency
/// algorithm, which can leave as many elements open as before.
const FORMATTING: &[&[u8]] = &[
    b"a", b"b", b"big", b"code", b"em", b"font", b"i", b"nobr", b"s", b"small", b"strike",
    b"strong", b"tt", b"u",
];
/// Elements that end the search of a block's end tag for its element.
const DEFAULT_SCOPE: &[&[u8]] = &[
    b"applet",
    b"caption",
    b"html",
    b"table",
    b"td",
    b"th",
    b"marquee",
    b"object",
    b"template",
    b"svg",
    b"math",
];

/// Pops what the end tag `name` closes — never more than the tree
/// builder would: a formatting element only when it is the current node,
/// a special element when it is in scope, any other element when no
/// special element lies above it.
fn close_end_tag(stack: &mut Vec<Vec<u8>>, name: &[u8]) {
    if FORMATTING.contains(&name) {
        if stack.last().is_some_and(|n| n == name) {
            stack.pop();
        }
        return;
    }
    let special = SPECIAL.contains(&name);
    for i in (0..stack.len()).rev() {
        let open = stack[i].as_slice();
        if open == name {
            stack.truncate(i);
            return;
        }
        let stops = if special {
            DEFAULT_SCOPE.contains(&open)
        } else {
            SPECIAL.contains(&open)
        };
        if stops {
            return;
        }
    }
}

/// Cuts `html` so that it parses in linear time; `None` when it was kept whole.
pub fn guard(html: &str) -> (Cow<'_, str>, Option<Cut>) {
    match scan(html.as_bytes()) {
        Some((at, why)) => (Cow::Borrowed(html.get(..at).unwrap_or_default()), Some(why)),
        None => (Cow::Borrowed(html), None),
    }
}

/// The byte offset (always at a `<`) where a limit is passed, and which one.
fn scan(b: &[u8]) -> Option<(usize, Cut)> {
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut tags = 0usize;
    let mut i = 0usize;
    while let Some(off) = memchr_lt(b, i) {
        i = off;
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(b, i + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // `<!doctype>`, `<?…>`, a stray `<`: skip to the next `>` or char.
            i = if matches!(rest.get(1), Some(b'!' | b'?')) {
                memchr(b, i + 1, b'>').map_or(b.len(), |e| e + 1)
            } else {
                i + 1
            };
            continue;
        }
        let mut name_end = name_start;
        while b
            .get(name_end)
            .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'/' && *c != b'>')
        {
            name_end += 1;
        }
        let name = b[name_start..name_end].to_ascii_lowercase();
        let (tag_end, self_closing) = tag_end(b, name_end);
        tags += 1;
        if tags > MAX_TAGS {
            return Some((i, Cut::Tags));
        }
        if closing {
            close_end_tag(&mut stack, &name);
            i = tag_end;
            continue;
        }
        close_implied(&mut stack, &name);
        if RAW.contains(&name.as_slice()) {
            i = raw_text_end(b, tag_end, &name);
            continue;
        }
        if VOID.contains(&name.as_slice()) {
            i = tag_end;
            continue;
        }
        let foreign = stack.iter().any(|n| n == b"svg" || n == b"math");
        if self_closing && foreign {
            i = tag_end;
            continue;
        }
        if stack.len() >= MAX_DEPTH {
            return Some((i, Cut::Depth));
        }
        stack.push(name);
        i = tag_end;
    }
    None
}

fn memchr_lt(b: &[u8], from: usize) -> Option<usize> {
    memchr(b, from, b'<')
}

fn memchr(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|x| *x == c)
        .map(|p| p + from)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The offset after the `>` ending a tag (quoted attribute values skipped),
/// and whether it ended with `/>`.
fn tag_end(b: &[u8], mut i: usize) -> (usize, bool) {
    let mut quote: Option<u8> = None;
    while let Some(&c) = b.get(i) {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return (i + 1, i > 0 && b[i - 1] == b'/'),
            Some(_) | None => {}
        }
        i += 1;
    }
    (b.len(), false)
}

/// The offset of the end tag of raw-text element `name` from `from` (the
/// end of the input when there is none).
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(off) = memchr(b, i, b'<') {
        let after = off + 2;
        let candidate = b.get(after..after + name.len());
        if b.get(off + 1) == Some(&b'/') && candidate.is_some_and(|c| c.eq_ignore_ascii_case(name))
        {
            return off;
        }
        i = off + 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_kept_whole() {
        let html =
            "<!doctype html><html><head><title>a<b</title><script>if (a<b) {}</script></head>\
            <body><!-- <div><div> --><ul><li>a<li>b</ul><p>x<p>y<br><img src=x>\
            <table><tr><td>1<td>2<tr><td>3</table><svg><path/><path/></svg>\
            <div class=\"a>b\">z</div></body></html>";
        let (out, cut) = guard(html);
        assert_eq!(cut, None);
        assert_eq!(out, html);
    }

    #[test]
    fn deep_nesting_is_cut_at_the_limit() {
        let html = format!("<p>före</p>{}x", "<div>".repeat(100_000));
        let (out, cut) = guard(&html);
        assert_eq!(cut, Some(Cut::Depth));
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert!(out.starts_with("<p>före</p>"));
    }

    #[test]
    fn unmatched_end_tags_do_not_hide_depth() {
        let html = "<div></span>".repeat(10_000);
        assert_eq!(guard(&html).1, Some(Cut::Depth));
        for unit in ["<b><div></b>", "<span><div></span>"] {
            assert_eq!(guard(&unit.repeat(10_000)).1, Some(Cut::Depth), "{unit}");
        }
        let self_closed = "<div/>".repeat(10_000);
        assert_eq!(guard(&self_closed).1, Some(Cut::Depth));
    }

    #[test]
    fn blocks_that_close_paragraphs_still_nest() {
        // `<div>` closes the open `<p>`, so the divs nest: the model must
        // not let the next `<p>` pop them.
        let html = "<p>x<div>".repeat(10_000);
        assert_eq!(guard(&html).1, Some(Cut::Depth));
        let html = "<li><section>".repeat(10_000);
        assert_eq!(guard(&html).1, Some(Cut::Depth));
        let rows = format!("<table>{}</table>", "<tr><td>1<td>2".repeat(5_000));
        assert_eq!(guard(&rows).1, None);
        let defs = format!("<dl>{}</dl>", "<dt>a<dd><p>b".repeat(5_000));
        assert_eq!(guard(&defs).1, None);
    }

    #[test]
    fn siblings_with_implied_ends_are_not_nesting() {
        let html = format!("<ul>{}</ul>", "<li>punkt".repeat(50_000));
        assert_eq!(guard(&html).1, None);
        let flat = "<div>a</div>".repeat(30_000);
        assert_eq!(guard(&flat).1, None);
        let formatted = format!(
            "<div>{}</div>",
            "<p><b>fet</b> och <i>kursiv</i> <a href=x>länk</a></p>".repeat(10_000)
        );
        assert_eq!(guard(&formatted).1, None);
    }

    #[test]
    fn too_many_tags_are_cut() {
        let html = "<br>".repeat(MAX_TAGS + 10);
        let (out, cut) = guard(&html);
        assert_eq!(cut, Some(Cut::Tags));
        assert_eq!(out.len(), MAX_TAGS * 4);
    }
}
