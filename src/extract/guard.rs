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
/// Most tags (start and end) kept. A 5 MiB page of real markup has fewer
/// than 150,000; the work per tag is bounded by [`MAX_DEPTH`].
pub const MAX_TAGS: usize = 300_000;

/// Why markup was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Nesting deeper than [`MAX_DEPTH`].
    Depth,
    /// More than [`MAX_TAGS`] tags.
    Tags,
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
/// Elements whose start closes an open element of the same group (implied
/// end tags: a new `<p>`, `<li>`, `<td>` … ends the previous one).
const SIBLING_GROUPS: &[&[&[u8]]] = &[
    &[b"p"],
    &[b"li"],
    &[b"dt", b"dd"],
    &[b"option"],
    &[b"optgroup"],
    &[b"tr"],
    &[b"td", b"th"],
    &[b"thead", b"tbody", b"tfoot"],
    &[b"rb", b"rt", b"rp", b"rtc"],
];

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
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            }
            i = tag_end;
            continue;
        }
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
        if let Some(group) = SIBLING_GROUPS.iter().find(|g| g.contains(&name.as_slice())) {
            if let Some(pos) = stack.iter().rposition(|n| group.contains(&n.as_slice())) {
                stack.truncate(pos);
            }
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
        let self_closed = "<div/>".repeat(10_000);
        assert_eq!(guard(&self_closed).1, Some(Cut::Depth));
    }

    #[test]
    fn siblings_with_implied_ends_are_not_nesting() {
        let html = format!("<ul>{}</ul>", "<li>punkt".repeat(50_000));
        assert_eq!(guard(&html).1, None);
        let flat = "<div>a</div>".repeat(50_000);
        assert_eq!(guard(&flat).1, None);
    }

    #[test]
    fn too_many_tags_are_cut() {
        let html = "<br>".repeat(MAX_TAGS + 10);
        let (out, cut) = guard(&html);
        assert_eq!(cut, Some(Cut::Tags));
        assert_eq!(out.len(), MAX_TAGS * 4);
    }
}
