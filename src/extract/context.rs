//! The structural context of a block: the texts that give a block its
//! meaning without being part of it.
//!
//! A fact and what it is about often sit in different elements: a lead-in
//! sentence ("Från ansökan till beslut tar det som längst:") and the list
//! whose items hold the durations; a table's column header and its cells; a
//! `<dt>` and its `<dd>`; a `<summary>` and the rest of its `<details>`; a
//! question in one paragraph and its answer in the next. The walker tells
//! the [`Tracker`] when such elements open and close and asks it, for every
//! block it emits, for the block's context (nearest first). The enclosing
//! headings are not repeated here: they are the block's `heading_path`.
//!
//! Cost stays linear: every context text is cut to [`CONTEXT_PIECE_MAX`]
//! bytes and a block gets at most [`CONTEXT_PIECES_MAX`] of them.

use crate::text::sentences;

/// Longest context text kept (bytes; cut at a char boundary).
pub(super) const CONTEXT_PIECE_MAX: usize = 300;
/// Most context texts one block gets.
pub(super) const CONTEXT_PIECES_MAX: usize = 4;
/// Most table columns whose headers are remembered.
const MAX_COLUMNS: usize = 64;

/// One open element that gives context to the blocks inside it.
#[derive(Debug)]
enum Frame {
    /// `<ul>`, `<ol>`, `<menu>`: the lead-in sentence before it.
    List { lead: Option<String> },
    /// `<li>`: its first text (the parent item of a nested list).
    Item { first: Option<String> },
    /// `<dl>`: the last term seen.
    Terms { term: Option<String> },
    /// `<dt>`: its text, handed to the `<dl>` when it closes.
    Term { text: Option<String> },
    /// `<dd>`.
    Definition,
    /// `<details>`: the text of its `<summary>`.
    Details { summary: Option<String> },
    /// `<summary>`: its text, handed to the `<details>` when it closes.
    Summary { text: Option<String> },
    /// `<table>`: the column headers, once known.
    Table { headers: Vec<String> },
    /// `<thead>`: rows in it are header rows.
    Head,
    /// `<tr>`: the cells seen so far (text, is `<th>`), with the next column.
    Row {
        cells: Vec<(String, bool)>,
        column: usize,
    },
    /// `<td>`/`<th>` at a column, spanning `span` columns.
    Cell {
        column: usize,
        span: usize,
        header: bool,
        text: Option<String>,
    },
}

/// Tracks the open context-giving elements during the walk.
#[derive(Debug, Default)]
pub(super) struct Tracker {
    frames: Vec<Frame>,
    /// The last sentence of the last top-level paragraph since the last heading or list.
    lead: Option<String>,
}

impl Tracker {
    /// An element opened; returns whether it pushed a frame (then [`Tracker::close`]
    /// must be called when it closes).
    pub(super) fn open(&mut self, name: &str, colspan: Option<&str>) -> bool {
        let frame = match name {
            "ul" | "ol" | "menu" => Frame::List {
                lead: self.lead.take(),
            },
            "li" => Frame::Item { first: None },
            "dl" => Frame::Terms { term: None },
            "dt" => Frame::Term { text: None },
            "dd" => Frame::Definition,
            "details" => Frame::Details { summary: None },
            "summary" => Frame::Summary { text: None },
            "table" => Frame::Table {
                headers: Vec::new(),
            },
            "thead" => Frame::Head,
            "tr" => Frame::Row {
                cells: Vec::new(),
                column: 0,
            },
            "td" | "th" => {
                let column = match self.frames.last() {
                    Some(Frame::Row { column, .. }) => *column,
                    _ => 0,
                };
                let span = colspan
                    .and_then(|s| s.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, MAX_COLUMNS);
                if let Some(Frame::Row { column: next, .. }) = self.frames.last_mut() {
                    *next = (*next + span).min(MAX_COLUMNS);
                }
                Frame::Cell {
                    column,
                    span,
                    header: name == "th",
                    text: None,
                }
            }
            _ => return false,
        };
        self.frames.push(frame);
        true
    }

    /// The last sentence of the last top-level paragraph since the last heading, list or table.
    pub(super) fn lead_in(&self) -> Option<String> {
        self.lead.clone()
    }

    /// The element of the innermost frame closed.
    pub(super) fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame {
            Frame::List { .. } | Frame::Table { .. } => self.lead = None,
            Frame::Term { text: Some(text) } => {
                if let Some(Frame::Terms { term }) = self.frames.last_mut() {
                    *term = Some(text);
                }
            }
            Frame::Summary { text: Some(text) } => {
                if let Some(Frame::Details { summary }) = self.frames.last_mut() {
                    *summary = Some(text);
                }
            }
            Frame::Cell {
                span, header, text, ..
            } => {
                if let Some(Frame::Row { cells, .. }) = self.frames.last_mut() {
                    for _ in 0..span {
                        if cells.len() < MAX_COLUMNS {
                            cells.push((text.clone().unwrap_or_default(), header));
                        }
                    }
                }
            }
            Frame::Row { cells, .. } => {
                let in_head = matches!(self.frames.last(), Some(Frame::Head));
                let all_th = !cells.is_empty() && cells.iter().all(|(_, th)| *th);
                if let Some(Frame::Table { headers }) = self
                    .frames
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::Table { .. }))
                {
                    if headers.is_empty() && (in_head || all_th) {
                        *headers = cells.into_iter().map(|(t, _)| t).collect();
                    }
                }
            }
            _ => {}
        }
    }

    /// A block was emitted with `text`; returns its context, nearest first.
    pub(super) fn block(&mut self, text: &str, heading: bool) -> Vec<String> {
        if heading {
            self.lead = None;
            return Vec::new();
        }
        let mut out = self.collect();
        out.retain(|s| !s.is_empty() && s != text);
        let mut seen: Vec<String> = Vec::new();
        out.retain(|s| {
            let new = !seen.contains(s);
            seen.push(s.clone());
            new
        });
        out.truncate(CONTEXT_PIECES_MAX);
        self.record(text);
        if self.frames.is_empty() {
            // A paragraph right after a question or a lead-in ending in ':' belongs with it.
            if let Some(lead) = self.lead.take() {
                if lead.ends_with('?') || lead.ends_with(':') {
                    out.push(lead);
                }
            }
            self.lead = Some(last_sentence(text));
        }
        out
    }

    /// The context texts the open frames give, nearest first.
    fn collect(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut cell_column: Option<usize> = None;
        for (i, frame) in self.frames.iter().enumerate().rev() {
            match frame {
                Frame::Cell { column, .. } if cell_column.is_none() => {
                    cell_column = Some(*column);
                }
                Frame::Row { cells, .. } => {
                    if let (Some(column), Some((row_header, _))) = (cell_column, cells.first()) {
                        if column > 0 {
                            out.push(row_header.clone());
                        }
                    }
                }
                Frame::Table { headers } => {
                    if let Some(h) = cell_column.take().and_then(|c| headers.get(c)) {
                        out.insert(0, h.clone());
                    }
                }
                Frame::Definition => {
                    if let Some(Frame::Terms { term: Some(term) }) =
                        i.checked_sub(1).and_then(|p| self.frames.get(p))
                    {
                        out.push(term.clone());
                    }
                }
                Frame::Details {
                    summary: Some(summary),
                } => out.push(summary.clone()),
                Frame::Item { first: Some(first) } => out.push(first.clone()),
                Frame::List { lead: Some(lead) } => out.push(lead.clone()),
                _ => {}
            }
        }
        out
    }

    /// Records `text` as the first text of the innermost item, cell, term or summary.
    fn record(&mut self, text: &str) {
        let own = cut(text);
        for frame in self.frames.iter_mut().rev() {
            match frame {
                Frame::Cell { text, .. } | Frame::Term { text } | Frame::Summary { text } => {
                    if text.is_none() {
                        *text = Some(own);
                    }
                    return;
                }
                Frame::Item { first } => {
                    if first.is_none() {
                        *first = Some(own);
                    }
                    return;
                }
                _ => {}
            }
        }
    }
}

/// The last sentence of `text`, cut to [`CONTEXT_PIECE_MAX`] bytes.
fn last_sentence(text: &str) -> String {
    cut(sentences(text).last().copied().unwrap_or(text).trim())
}

/// `text` cut to at most [`CONTEXT_PIECE_MAX`] bytes at a char boundary.
fn cut(text: &str) -> String {
    if text.len() <= CONTEXT_PIECE_MAX {
        return text.to_owned();
    }
    let mut end = CONTEXT_PIECE_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::extract::{parse_html, Block, Document};
    use url::Url;

    fn parse(html: &str) -> Document {
        let url = Url::parse("https://www.example.se/omsorg/").unwrap();
        parse_html(&url, html.as_bytes(), Some("text/html; charset=utf-8"))
    }

    fn block<'a>(doc: &'a Document, text: &str) -> &'a Block {
        doc.blocks.iter().find(|b| b.text == text).unwrap()
    }

    #[test]
    fn list_items_see_the_lead_in_and_their_parent_item() {
        let doc = parse(
            "<h2>Tider</h2><p>Vi svarar snabbt. Så lång tid tar det:</p>\
             <ul><li>Larm – en vecka<ul><li>akut – en dag</li></ul></li></ul>\
             <ul><li>utan inledning</li></ul>",
        );
        assert_eq!(
            block(&doc, "Larm – en vecka").context,
            ["Så lång tid tar det:"]
        );
        assert_eq!(
            block(&doc, "akut – en dag").context,
            ["Larm – en vecka", "Så lång tid tar det:"]
        );
        assert!(block(&doc, "utan inledning").context.is_empty());
        assert_eq!(block(&doc, "Tider").context, Vec::<String>::new());
    }

    #[test]
    fn table_cells_see_column_and_row_headers() {
        let doc = parse(
            "<table><thead><tr><th>Insats</th><th>Tid till beslut</th></tr></thead>\
             <tbody><tr><td>Hemtjänst</td><td>två veckor</td></tr>\
             <tr><td colspan=\"2\">bred</td></tr></tbody></table>",
        );
        assert_eq!(
            block(&doc, "två veckor").context,
            ["Tid till beslut", "Hemtjänst"]
        );
        assert_eq!(block(&doc, "Hemtjänst").context, ["Insats"]);
        assert_eq!(block(&doc, "bred").context, ["Insats"]);
    }

    #[test]
    fn definitions_details_and_answers_see_their_question() {
        let doc = parse(
            "<dl><dt>Vad kostar larmet?</dt><dd>200 kronor.</dd></dl>\
             <details><summary>Hur ansöker jag?</summary><p>Ring oss.</p></details>\
             <p>Får jag välja?</p><p>Ja, alltid.</p><p>Något annat.</p>",
        );
        assert_eq!(block(&doc, "200 kronor.").context, ["Vad kostar larmet?"]);
        assert_eq!(block(&doc, "Ring oss.").context, ["Hur ansöker jag?"]);
        assert_eq!(block(&doc, "Ja, alltid.").context, ["Får jag välja?"]);
        assert!(block(&doc, "Något annat.").context.is_empty());
    }
}
