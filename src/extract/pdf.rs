//! PDF text → [`Document`], so every rule works on a PDF as on a page.
//!
//! The text of each page (as [`crate::pdf::PdfText`] gives it, lines
//! separated by newlines, paragraphs by blank lines) becomes blocks: one
//! per paragraph, lines joined (a word hyphenated at a line end is joined
//! again), a very long paragraph cut at sentence ends. A short line on its
//! own without closing punctuation is a heading. Every block's heading path
//! starts with the PDF's title and the page ("s. 2"), so evidence names
//! both: the evidence context reads "Servicedeklaration › s. 2 › Handläggning".

use url::Url;

use super::{Block, BlockKind, Document};

/// The heading-path entry that names a PDF page, e.g. `s. 2`.
pub fn page_label(page: usize) -> String {
    format!("s. {page}")
}

/// The page number in an evidence context made by [`pdf_document`] (`"Taxa › s. 2 › …"` → 2).
pub fn page_of_context(context: &str) -> Option<usize> {
    context
        .split(" › ")
        .find_map(|part| part.strip_prefix("s. ").and_then(|n| n.parse().ok()))
}

/// Longest block in bytes before a paragraph is cut at a sentence end.
const MAX_BLOCK: usize = 1200;
/// Longest line taken as a heading.
const MAX_HEADING: usize = 80;

/// Builds the [`Document`] of a PDF from its page texts.
pub fn pdf_document(url: &Url, title: Option<&str>, pages: &[String]) -> Document {
    let title = title
        .map(str::to_owned)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| first_line(pages))
        .unwrap_or_else(|| file_name(url));
    let mut blocks = Vec::new();
    for (i, text) in pages.iter().enumerate() {
        let mut path = vec![title.clone(), page_label(i + 1)];
        let base = path.len();
        for para in paragraphs(text) {
            if is_heading(&para) {
                path.truncate(base);
                blocks.push(Block {
                    heading_path: path.clone(),
                    kind: BlockKind::Heading(2),
                    text: para.clone(),
                    chrome: false,
                });
                path.push(para);
                continue;
            }
            for piece in cut(&para) {
                blocks.push(Block {
                    heading_path: path.clone(),
                    kind: BlockKind::Paragraph,
                    text: piece,
                    chrome: false,
                });
            }
        }
    }
    Document {
        url: url.clone(),
        title,
        lang: None,
        encoding: "pdf".to_owned(),
        blocks,
        links: Vec::new(),
        forms: Vec::new(),
        frames: Vec::new(),
    }
}

/// Paragraphs of one page: split at blank lines, lines joined.
fn paragraphs(page: &str) -> Vec<String> {
    let lines: Vec<String> = page
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        // A short title-like line stands alone when it starts a paragraph (or
        // follows a finished sentence) and what follows starts anew: a blank
        // line, the end, or a capital. A wrapped line goes on in lower case.
        let starts = current.is_empty() || current.ends_with(['.', '!', '?', ':']);
        let next_starts_anew = lines
            .get(i + 1)
            .is_none_or(|n| n.is_empty() || n.chars().next().is_some_and(char::is_uppercase));
        if starts && next_starts_anew && is_heading(line) {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(line.clone());
            continue;
        }
        if current.ends_with('-')
            && line.chars().next().is_some_and(char::is_lowercase)
            && current.len() > 1
        {
            current.pop();
        } else if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A heading: one short line, a capital first, no closing punctuation, not a number row.
fn is_heading(line: &str) -> bool {
    let first = line.chars().next();
    line.len() <= MAX_HEADING
        && first.is_some_and(char::is_uppercase)
        && !line.ends_with(['.', ',', ':', ';', '!', '?', '-'])
        && line.chars().filter(char::is_ascii_digit).count() * 4 < line.chars().count()
        && line.split_whitespace().count() <= 8
}

/// Cuts a long paragraph at sentence ends into pieces of about [`MAX_BLOCK`] bytes.
fn cut(para: &str) -> Vec<String> {
    if para.len() <= MAX_BLOCK {
        return vec![para.to_owned()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for word in para.split(' ') {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        let sentence_end = word.ends_with(['.', '!', '?']);
        if (current.len() >= MAX_BLOCK && sentence_end) || current.len() >= 2 * MAX_BLOCK {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn first_line(pages: &[String]) -> Option<String> {
    pages
        .iter()
        .flat_map(|p| p.lines())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(MAX_HEADING).collect())
}

fn file_name(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .unwrap_or("pdf")
        .to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://www.example.se/dokument/servicedeklaration.pdf").unwrap()
    }

    #[test]
    fn pages_become_paragraph_blocks_with_title_and_page() {
        let pages = vec![
            "Servicedeklaration hemtjänst\n\nVi lovar att du får ett\nbeslut inom tre veckor från ansökan.\n".to_owned(),
            "Avgifter\nTimtaxan är 350 kronor per timme och avgiften\nkan högst bli 2 500 kronor per månad.".to_owned(),
        ];
        let doc = pdf_document(&url(), Some("Servicedeklaration för hemtjänsten"), &pages);
        assert_eq!(doc.title, "Servicedeklaration för hemtjänsten");
        let texts: Vec<(&str, String)> = doc
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.heading_path.join(" › ")))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    "Servicedeklaration hemtjänst",
                    "Servicedeklaration för hemtjänsten › s. 1".to_owned()
                ),
                (
                    "Vi lovar att du får ett beslut inom tre veckor från ansökan.",
                    "Servicedeklaration för hemtjänsten › s. 1 › Servicedeklaration hemtjänst"
                        .to_owned()
                ),
                ("Avgifter", "Servicedeklaration för hemtjänsten › s. 2".to_owned()),
                (
                    "Timtaxan är 350 kronor per timme och avgiften kan högst bli 2 500 kronor per månad.",
                    "Servicedeklaration för hemtjänsten › s. 2 › Avgifter".to_owned()
                ),
            ]
        );
        assert_eq!(page_of_context(&texts[3].1), Some(2));
    }

    #[test]
    fn hyphenated_words_are_joined_and_long_paragraphs_cut() {
        let pages = vec![format!(
            "Ansökan om bistånd hand-\nläggs av en biståndshandläggare.\n{}",
            "Det här är en mening om hemtjänst. ".repeat(80)
        )];
        let doc = pdf_document(&url(), None, &pages);
        assert!(doc.blocks[0]
            .text
            .starts_with("Ansökan om bistånd handläggs av"));
        assert!(doc.blocks.len() > 1);
        assert!(doc
            .blocks
            .iter()
            .all(|b| b.text.len() <= 2 * MAX_BLOCK + 40));
        // No title in the file: the first line stands in.
        assert_eq!(doc.title, "Ansökan om bistånd hand-");
    }

    #[test]
    fn no_text_at_all_gives_the_file_name_as_title() {
        let doc = pdf_document(&url(), None, &[String::new()]);
        assert_eq!(doc.title, "servicedeklaration.pdf");
        assert!(doc.blocks.is_empty());
    }
}
