//! The single pass over the `scraper` DOM that turns it into blocks,
//! links, forms and frames.
//!
//! The walker keeps a heading stack (a new `<hN>` pops headings of level
//! ≥ N) and a text buffer. Block-level elements flush the buffer when they
//! open and when they close, so text belongs to the innermost block and is
//! never duplicated; inline elements only add text. Inside a heading,
//! nested blocks are treated as inline. `<br>` and form controls are word
//! breaks. A block's kind is its own (`li`, `td`, `summary`, headings) or
//! inherited from the nearest such ancestor; inside `<details>` every
//! non-heading block is [`BlockKind::Details`].
//!
//! Skipped with their content: `script`, `style`, `noscript`, `template`,
//! `svg` (any non-HTML namespace), `head`, `title`, `datalist`, `iframe`
//! fallback and `textarea` content, and elements with `hidden` (except
//! `hidden="until-found"`, which marks collapsed accordion content) or
//! `aria-hidden="true"`.
//!
//! Chrome is `nav`, `aside`, `role=navigation|banner|contentinfo`, and
//! `header`/`footer` unless inside `article`/`section`/`main` (where they
//! are a section's own header, as in the ARIA mapping). Headings inside
//! chrome do not change the heading path outside it.
//!
//! A link's context is the text of the block(s) its text is in, cut to a
//! window of [`super::textbuf::CONTEXT_MAX`] bytes around the link in very long blocks.
//!
//! The traversal is an explicit loop (no recursion), so deeply nested
//! garbage cannot overflow the stack.

use scraper::node::Element;
use scraper::{Html, Node};
use url::Url;

use super::context::Tracker;
use super::elements::{attr_text, heading_level, is_block, is_hidden};
use super::forms::{FieldInfo, FormsBuilder, Place};
use super::textbuf::{add_context, push_collapsed, soft_space, trim_end_in_place};
use super::{Block, BlockKind, Form, Frame, Link};

/// The HTML namespace; elements in other namespaces (SVG, MathML) are skipped.
pub(super) const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// What the walk collected.
pub(super) struct Output {
    /// Text blocks in document order.
    pub(super) blocks: Vec<Block>,
    /// Links in document order.
    pub(super) links: Vec<Link>,
    /// Forms and pseudo-forms in document order.
    pub(super) forms: Vec<Form>,
    /// Frames in document order.
    pub(super) frames: Vec<Frame>,
}

/// Walks the document once; relative URLs are resolved against `base`.
pub(super) fn run(html: &Html, base: Url) -> Output {
    let mut walker = Walker::new(base);
    walker.walk(html);
    walker.flush();
    let mut links = walker.links;
    for link in &mut links {
        trim_end_in_place(&mut link.text);
    }
    Output {
        blocks: walker.blocks,
        links,
        forms: walker.forms.finish(),
        frames: walker.frames,
    }
}

/// What an opened element must undo when it closes (one flag per scope).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default)]
struct Entry {
    block: bool,
    heading: Option<u8>,
    separator: bool,
    chrome: bool,
    chrome_saved: Option<Vec<(u8, String)>>,
    sectioning: bool,
    details: bool,
    link: bool,
    form: bool,
    label: bool,
    select: bool,
    context: bool,
}

/// The state of the single pass.
struct Walker {
    base: Url,
    stack: Vec<Entry>,
    kinds: Vec<BlockKind>,
    headings: Vec<(u8, String)>,
    heading_gen: u64,
    in_heading: bool,
    chrome: u32,
    sectioning: u32,
    details: u32,
    in_select: u32,
    buf: String,
    open_link: Option<usize>,
    /// Links whose text is (partly) in `buf`, with their byte offset in it.
    pending_ctx: Vec<(usize, usize)>,
    blocks: Vec<Block>,
    links: Vec<Link>,
    frames: Vec<Frame>,
    forms: FormsBuilder,
    context: Tracker,
}

impl Walker {
    fn new(base: Url) -> Self {
        Walker {
            base,
            stack: Vec::new(),
            kinds: Vec::new(),
            headings: Vec::new(),
            heading_gen: 0,
            in_heading: false,
            chrome: 0,
            sectioning: 0,
            details: 0,
            in_select: 0,
            buf: String::new(),
            open_link: None,
            pending_ctx: Vec::new(),
            blocks: Vec::new(),
            links: Vec::new(),
            frames: Vec::new(),
            forms: FormsBuilder::default(),
            context: Tracker::default(),
        }
    }

    /// Depth-first walk with an explicit loop; `close` is called exactly
    /// once for every node `open` entered.
    fn walk(&mut self, html: &Html) {
        let root = html.tree.root();
        let mut node = root;
        loop {
            if self.open(node.value()) {
                if let Some(child) = node.first_child() {
                    node = child;
                    continue;
                }
                self.close(node.value());
            }
            loop {
                if node.id() == root.id() {
                    return;
                }
                if let Some(next) = node.next_sibling() {
                    node = next;
                    break;
                }
                match node.parent() {
                    Some(parent) => {
                        node = parent;
                        self.close(node.value());
                    }
                    None => return,
                }
            }
        }
    }

    /// Returns whether to enter the node (false: skip it and its subtree).
    fn open(&mut self, node: &Node) -> bool {
        match node {
            Node::Document | Node::Fragment => true,
            Node::Text(text) => {
                self.text(text);
                true
            }
            Node::Element(el) => self.open_element(el),
            _ => false,
        }
    }

    fn close(&mut self, node: &Node) {
        if node.is_element() {
            self.close_element();
        }
    }

    fn place(&self) -> Place {
        Place {
            heading_gen: self.heading_gen,
            chrome: self.chrome > 0,
        }
    }

    fn path(&self) -> Vec<String> {
        self.headings.iter().map(|(_, t)| t.clone()).collect()
    }

    fn resolve(&self, href: &str, schemes: &[&str]) -> Option<Url> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = self.base.join(href).ok()?;
        schemes.contains(&url.scheme()).then_some(url)
    }

    /// Visible text into every sink.
    fn text(&mut self, s: &str) {
        push_collapsed(&mut self.buf, s);
        if let Some(link) = self.open_link.and_then(|i| self.links.get_mut(i)) {
            push_collapsed(&mut link.text, s);
        }
        self.forms.text(s, self.in_select > 0);
    }

    /// A word break in every sink.
    fn soft_break(&mut self) {
        soft_space(&mut self.buf);
        if let Some(link) = self.open_link.and_then(|i| self.links.get_mut(i)) {
            soft_space(&mut link.text);
        }
        self.forms.soft_break();
    }

    fn open_element(&mut self, el: &Element) -> bool {
        let name = el.name();
        if is_hidden(el) || &*el.name.ns != XHTML_NS {
            return false;
        }
        match name {
            "script" | "style" | "noscript" | "template" | "head" | "title" | "datalist" => {
                return false;
            }
            "iframe" => {
                self.frame(el, "src");
                return false;
            }
            "textarea" => {
                self.field(el, "textarea");
                self.soft_break();
                return false;
            }
            _ => {}
        }
        let mut e = Entry::default();
        self.open_structure(el, name, &mut e);
        self.open_inline(el, name, &mut e);
        self.stack.push(e);
        true
    }

    /// Chrome, sectioning, details, headings, blocks and forms.
    fn open_structure(&mut self, el: &Element, name: &str, e: &mut Entry) {
        let role_chrome = el.attr("role").is_some_and(|r| {
            r.split_ascii_whitespace().any(|r| {
                ["navigation", "banner", "contentinfo"]
                    .iter()
                    .any(|c| r.eq_ignore_ascii_case(c))
            })
        });
        let is_chrome = role_chrome
            || match name {
                "nav" | "aside" => true,
                "header" | "footer" => self.sectioning == 0,
                _ => false,
            };
        let heading = heading_level(name);
        let own_kind = match name {
            "li" | "dt" | "dd" => Some(Some(BlockKind::ListItem)),
            "td" | "th" => Some(Some(BlockKind::TableCell)),
            "summary" => Some(Some(BlockKind::Details)),
            "label" if !self.forms.in_form() => Some(None),
            _ if heading.is_some() || is_block(name) || is_chrome => Some(None),
            _ => None,
        };
        if let Some(own) = own_kind {
            if self.in_heading {
                e.separator = true;
                self.soft_break();
            } else {
                self.flush();
                self.soft_break();
                e.block = true;
                let inherited = self.kinds.last().copied().unwrap_or(BlockKind::Paragraph);
                self.kinds
                    .push(heading.map(BlockKind::Heading).or(own).unwrap_or(inherited));
                if let Some(level) = heading {
                    self.headings.retain(|(l, _)| *l < level);
                    self.heading_gen += 1;
                    self.in_heading = true;
                    e.heading = Some(level);
                }
            }
        }
        if is_chrome {
            if self.chrome == 0 {
                e.chrome_saved = Some(self.headings.clone());
            }
            self.chrome += 1;
            e.chrome = true;
        }
        if matches!(name, "article" | "section" | "main") {
            self.sectioning += 1;
            e.sectioning = true;
        }
        if name == "details" {
            self.details += 1;
            e.details = true;
        }
        if name == "form" && !self.forms.in_form() {
            let action = el.attr("action").and_then(|a| {
                if a.trim().is_empty() {
                    None
                } else {
                    self.resolve(a, &["http", "https"])
                }
            });
            let method = el
                .attr("method")
                .map_or("get".to_owned(), |m| m.trim().to_ascii_lowercase());
            let method = if method.is_empty() {
                "get".to_owned()
            } else {
                method
            };
            let lead_in = self.context.lead_in();
            self.forms.open_form(action, method, self.path(), lead_in);
            e.form = true;
        }
        e.context = self.context.open(name, el.attr("colspan"));
    }

    /// Links, images, frames, controls and labels.
    fn open_inline(&mut self, el: &Element, name: &str, e: &mut Entry) {
        match name {
            "a" | "area" => {
                if let Some(href) = el
                    .attr("href")
                    .and_then(|h| self.resolve(h, &["http", "https", "mailto", "tel"]))
                {
                    let title = attr_text(el, "title").or_else(|| attr_text(el, "aria-label"));
                    let nofollow = el.attr("rel").is_some_and(|r| {
                        r.split_ascii_whitespace()
                            .any(|t| t.eq_ignore_ascii_case("nofollow"))
                    });
                    let mut text = String::new();
                    if name == "area" {
                        push_collapsed(&mut text, el.attr("alt").unwrap_or_default());
                    }
                    let index = self.links.len();
                    self.links.push(Link {
                        href,
                        text,
                        title,
                        heading_path: self.path(),
                        context: String::new(),
                        chrome: self.chrome > 0,
                        nofollow,
                    });
                    self.pending_ctx.push((index, self.buf.len()));
                    if name == "a" {
                        self.open_link = Some(index);
                        e.link = true;
                    }
                }
            }
            "img" => {
                if let (Some(link), Some(alt)) = (
                    self.open_link.and_then(|i| self.links.get_mut(i)),
                    el.attr("alt"),
                ) {
                    soft_space(&mut link.text);
                    push_collapsed(&mut link.text, alt);
                    soft_space(&mut link.text);
                }
            }
            "embed" => self.frame(el, "src"),
            "object" => self.frame(el, "data"),
            "br" => self.soft_break(),
            "input" => {
                let kind = el
                    .attr("type")
                    .map_or("text".to_owned(), |t| t.trim().to_ascii_lowercase());
                let kind = if kind.is_empty() {
                    "text".to_owned()
                } else {
                    kind
                };
                match kind.as_str() {
                    "hidden" => {}
                    "submit" | "button" | "reset" | "image" => {
                        let label = if kind == "image" {
                            el.attr("alt")
                        } else {
                            el.attr("value")
                        };
                        self.soft_break();
                        self.text(label.unwrap_or_default());
                        self.forms.orphan_button(self.place());
                        e.separator = true;
                    }
                    _ => {
                        self.field(el, &kind);
                        e.separator = true;
                    }
                }
            }
            "select" => {
                self.field(el, "select");
                self.in_select += 1;
                e.select = true;
                e.separator = true;
            }
            "button" => {
                self.forms.orphan_button(self.place());
                e.separator = true;
            }
            "option" | "optgroup" => e.separator = true,
            "label" => {
                self.forms.open_label(el.attr("for"));
                e.label = true;
                e.separator = !e.block;
            }
            _ => {}
        }
        if e.separator && !e.block {
            self.soft_break();
        }
    }

    fn close_element(&mut self) {
        let Some(e) = self.stack.pop() else { return };
        if e.separator {
            self.soft_break();
        }
        if e.block {
            let flushed = self.flush();
            if let Some(level) = e.heading {
                self.in_heading = false;
                if flushed {
                    if let Some(block) = self.blocks.last() {
                        self.headings.push((level, block.text.clone()));
                    }
                }
                self.heading_gen += 1;
            }
            self.kinds.pop();
            self.soft_break();
        }
        if e.context {
            self.context.close();
        }
        if e.link {
            self.open_link = None;
        }
        if e.label {
            self.forms.close_label();
        }
        if e.form {
            self.forms.close_form();
        }
        if e.select {
            self.in_select = self.in_select.saturating_sub(1);
        }
        if e.details {
            self.details = self.details.saturating_sub(1);
        }
        if e.sectioning {
            self.sectioning = self.sectioning.saturating_sub(1);
        }
        if e.chrome {
            self.chrome = self.chrome.saturating_sub(1);
        }
        if let Some(saved) = e.chrome_saved {
            self.headings = saved;
            self.heading_gen += 1;
        }
    }

    /// Emits the buffer as a block; returns whether a block was emitted.
    fn flush(&mut self) -> bool {
        trim_end_in_place(&mut self.buf);
        let text = std::mem::take(&mut self.buf);
        let open = self.open_link;
        if text
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}'))
        {
            self.pending_ctx.retain(|(i, _)| Some(*i) == open);
            self.forms.segment_flushed("");
            return false;
        }
        for &(i, offset) in &self.pending_ctx {
            if let Some(link) = self.links.get_mut(i) {
                add_context(&mut link.context, &text, offset);
            }
        }
        self.pending_ctx.retain_mut(|(i, offset)| {
            *offset = 0;
            Some(*i) == open
        });
        self.forms.segment_flushed(&text);
        let mut kind = self.kinds.last().copied().unwrap_or(BlockKind::Paragraph);
        if self.details > 0 && !matches!(kind, BlockKind::Heading(_)) {
            kind = BlockKind::Details;
        }
        let context = self
            .context
            .block(&text, matches!(kind, BlockKind::Heading(_)));
        self.blocks.push(Block {
            heading_path: self.path(),
            kind,
            text,
            chrome: self.chrome > 0,
            context,
        });
        true
    }

    fn frame(&mut self, el: &Element, attr: &str) {
        if let Some(src) = el
            .attr(attr)
            .and_then(|s| self.resolve(s, &["http", "https"]))
        {
            let title = attr_text(el, "title").unwrap_or_default();
            self.frames.push(Frame {
                src,
                title,
                heading_path: self.path(),
            });
        }
    }

    fn field(&mut self, el: &Element, kind: &str) {
        let id = el
            .attr("id")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let name = el
            .attr("name")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| id.clone())
            .unwrap_or_default();
        let info = FieldInfo {
            kind: kind.to_owned(),
            name,
            id,
            aria_label: attr_text(el, "aria-label"),
            placeholder: attr_text(el, "placeholder"),
            title: attr_text(el, "title"),
            wrap_label: None,
        };
        let place = self.place();
        let headings = &self.headings;
        self.forms.field(info, place, || {
            headings.iter().map(|(_, t)| t.clone()).collect()
        });
    }
}
