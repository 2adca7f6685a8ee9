//! Small text-buffer helpers shared by the walker and the form collector:
//! whitespace collapsing while appending, and link-context windows.

/// A link's `context` is cut to about this many bytes around the link.
pub(super) const CONTEXT_MAX: usize = 1500;

/// Appends `s` to `dst`, collapsing runs of ASCII whitespace and U+00A0
/// into one space and never starting `dst` with a space.
pub(super) fn push_collapsed(dst: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_whitespace() || c == '\u{a0}' {
            soft_space(dst);
        } else {
            dst.push(c);
        }
    }
}

/// Adds one space unless `dst` is empty or already ends with one.
pub(super) fn soft_space(dst: &mut String) {
    if !dst.is_empty() && !dst.ends_with(' ') {
        dst.push(' ');
    }
}

pub(super) fn trim_end_in_place(s: &mut String) {
    let len = s.trim_end_matches(' ').len();
    s.truncate(len);
}

/// Adds the block `text` (or a window of it around `offset`) to a link context.
pub(super) fn add_context(context: &mut String, text: &str, offset: usize) {
    if context.len() >= CONTEXT_MAX {
        return;
    }
    let piece = if text.len() <= CONTEXT_MAX {
        text
    } else {
        let start = floor_boundary(text, offset.saturating_sub(CONTEXT_MAX / 2));
        let end = floor_boundary(text, start + CONTEXT_MAX);
        text.get(start..end).unwrap_or_default().trim()
    };
    soft_space(context);
    context.push_str(piece);
    if context.len() > CONTEXT_MAX {
        let end = floor_boundary(context, CONTEXT_MAX);
        context.truncate(end);
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_while_appending() {
        let mut s = String::new();
        push_collapsed(&mut s, " \n a\t\u{a0} b ");
        push_collapsed(&mut s, "  c\u{2009}d");
        soft_space(&mut s);
        soft_space(&mut s);
        assert_eq!(s, "a b c\u{2009}d ");
        trim_end_in_place(&mut s);
        assert_eq!(s, "a b c\u{2009}d");
    }

    #[test]
    fn context_window_respects_char_boundaries() {
        let text = "å".repeat(CONTEXT_MAX * 2);
        let mut ctx = String::new();
        add_context(&mut ctx, &text, CONTEXT_MAX + 1);
        assert!(ctx.len() <= CONTEXT_MAX && !ctx.is_empty());
        add_context(&mut ctx, "mer", 0);
        assert!(ctx.len() <= CONTEXT_MAX);
        let mut short = String::from("Ring");
        add_context(&mut short, "oss", 0);
        assert_eq!(short, "Ring oss");
    }
}
