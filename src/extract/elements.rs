//! Element classification for the walker: which elements start a text
//! block, heading levels, hidden elements and attribute text.

use scraper::node::Element;

use super::textbuf::{push_collapsed, trim_end_in_place};

/// Elements that start a text block (besides headings, list items, cells,
/// `summary`, chrome and labels outside forms).
pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "body"
            | "p"
            | "div"
            | "blockquote"
            | "address"
            | "figcaption"
            | "figure"
            | "section"
            | "article"
            | "main"
            | "pre"
            | "caption"
            | "ul"
            | "ol"
            | "dl"
            | "menu"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "form"
            | "fieldset"
            | "legend"
            | "details"
            | "hr"
            | "center"
            | "dialog"
            | "hgroup"
            | "search"
            | "noframes"
            | "frameset"
    )
}

pub(super) fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

pub(super) fn is_hidden(el: &Element) -> bool {
    el.attr("hidden")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("until-found"))
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// An attribute's collapsed text, `None` when missing or blank.
pub(super) fn attr_text(el: &Element, attr: &str) -> Option<String> {
    let mut out = String::new();
    push_collapsed(&mut out, el.attr(attr)?);
    trim_end_in_place(&mut out);
    (!out.is_empty()).then_some(out)
}
