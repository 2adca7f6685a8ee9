//! Extraction: response bytes → [`Document`].
//!
//! One job: turn an HTML response (any charset) into the plain structures
//! the rules look at — title, visible text in blocks with their heading
//! path, links with anchor text, forms with their labels and inputs, and
//! iframes. No network, no rules.
//!
//! # Architecture
//! - [`charset`]: bytes + Content-Type → `String` (header, BOM, `<meta>`, detection)
//! - `html` ([`parse_html`]): decoded HTML → [`Document`] with `scraper`
//! - `walker`: the single DOM pass behind `html` (blocks, links, frames)
//! - `textbuf`: whitespace collapsing and link-context windows
//! - `forms`: forms, field labels and pseudo-forms for inputs outside `<form>`
//! - [`pdf`]: PDF page texts → [`Document`] (paragraph blocks under title and page)
//! - [`script`]: does a page need JavaScript to show its content?

pub mod charset;
mod forms;
mod html;
pub mod pdf;
pub mod script;
mod textbuf;
mod walker;

use serde::Serialize;
use url::Url;

pub use html::parse_html;

/// Everything the rules see of one fetched page.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The page's final URL (after redirects).
    pub url: Url,
    /// The `<title>` text, whitespace-collapsed (empty when missing).
    pub title: String,
    /// The `lang` attribute of `<html>`, if any.
    pub lang: Option<String>,
    /// The encoding the body was decoded with (e.g. `"UTF-8"`, `"windows-1252"`).
    pub encoding: String,
    /// Visible text, in document order, one entry per block-level element.
    pub blocks: Vec<Block>,
    /// Every `<a href>` and `<area href>` (http, https, mailto and tel), in document order.
    pub links: Vec<Link>,
    /// Every `<form>`, and form-like groups of inputs outside a form.
    pub forms: Vec<Form>,
    /// Every `<iframe src>` / `<embed>` / `<object data>`.
    pub frames: Vec<Frame>,
}

/// A run of visible text from one block-level element.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Block {
    /// The texts of the enclosing headings, outermost (h1) first.
    /// For a heading block this is the path *above* the heading.
    pub heading_path: Vec<String>,
    /// What kind of element the text came from.
    pub kind: BlockKind,
    /// The text, whitespace-collapsed, entities decoded, soft hyphens kept
    /// as they are (normalisation for matching is [`crate::text`]'s job).
    pub text: String,
    /// True when the block sits in page chrome: `<nav>`, `<header>`,
    /// `<footer>`, `<aside>` or an element with role navigation/banner/contentinfo.
    pub chrome: bool,
}

/// The element kind a [`Block`] came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `<h1>`–`<h6>`, with its level.
    Heading(u8),
    /// `<p>`, `<div>` text, `<blockquote>`, `<address>` and other text blocks.
    Paragraph,
    /// `<li>`, `<dt>`, `<dd>`.
    ListItem,
    /// A `<td>`/`<th>` cell, or a whole `<tr>` row joined with " | ".
    TableCell,
    /// `<summary>` or content inside `<details>`.
    Details,
}

/// A hyperlink.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    /// The absolute target (relative hrefs resolved against the base URL).
    pub href: Url,
    /// The anchor text (including `alt` of images inside), collapsed.
    pub text: String,
    /// The `title` or `aria-label` attribute, if any.
    pub title: Option<String>,
    /// The headings above the link.
    pub heading_path: Vec<String>,
    /// The text of the block the link sits in (empty if none).
    pub context: String,
    /// True when the link sits in page chrome (see [`Block::chrome`]).
    pub chrome: bool,
    /// True when `rel` contains `nofollow`.
    pub nofollow: bool,
}

/// A form (or an input group) with its fields.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Form {
    /// The resolved `action` attribute, if any.
    pub action: Option<Url>,
    /// The method, lowercased (`"get"` when missing).
    pub method: String,
    /// The fields in document order (hidden inputs left out).
    pub fields: Vec<FormField>,
    /// All visible text inside the form (legends, labels, help text, buttons).
    pub text: String,
    /// The headings above the form.
    pub heading_path: Vec<String>,
}

/// One input, select or textarea of a form.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FormField {
    /// `input` type (`"text"`, `"number"`, `"radio"`, `"password"` …), or `"select"` / `"textarea"`.
    pub kind: String,
    /// The `name` (or `id` when no name) attribute.
    pub name: String,
    /// The label text: `<label for>`, an enclosing `<label>`, `aria-label`, or `placeholder`.
    pub label: String,
}

/// An embedded frame (`<iframe>`, `<embed>`, `<object>`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Frame {
    /// The absolute source URL.
    pub src: Url,
    /// The `title` attribute, if any (empty otherwise).
    pub title: String,
    /// The headings above the frame.
    pub heading_path: Vec<String>,
}

impl Document {
    /// All non-chrome text of the page joined by newlines (for tests and debugging).
    pub fn main_text(&self) -> String {
        self.blocks
            .iter()
            .filter(|b| !b.chrome)
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
