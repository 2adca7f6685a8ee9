//! The child side of PDF reading: `infokoll pdf-text` reads a PDF on stdin
//! and writes an [`Answer`] as JSON on stdout.
//!
//! Before it touches the input it lowers its own address-space limit
//! (`RLIMIT_AS`) and CPU-time limit (`RLIMIT_CPU`), so a compression bomb
//! ends in a failed allocation (the process aborts) and a loop ends in
//! `SIGXCPU`; the parent's wall-time limit is the outer bound. A panic
//! inside the PDF crates is caught and answered as [`PdfProblem::Broken`].

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::{Deserialize, Serialize};

use super::{PdfProblem, PdfText, DEFAULT_MAX_PDF_BYTES};

/// What the helper answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The text was read (possibly empty: no text layer).
    Text(PdfText),
    /// The PDF could not be read.
    Problem(PdfProblem),
}

/// Limits the helper applies to itself.
#[derive(Debug, Clone, Copy)]
pub struct HelperLimits {
    /// Most pages read.
    pub max_pages: usize,
    /// Address-space limit in MiB (0 = unchanged).
    pub memory_mb: u64,
    /// CPU-time limit in seconds (0 = unchanged).
    pub cpu_seconds: u64,
}

/// Runs the helper on stdin/stdout. Returns the process exit code.
pub fn run(limits: HelperLimits) -> u8 {
    // Limits first: nothing of the input is read before they hold.
    if limits.memory_mb > 0 {
        let bytes = limits.memory_mb.saturating_mul(1024 * 1024);
        if rlimit::Resource::AS.set(bytes, bytes).is_err() {
            return 1;
        }
    }
    if limits.cpu_seconds > 0 {
        let hard = limits.cpu_seconds.saturating_add(1);
        if rlimit::Resource::CPU.set(limits.cpu_seconds, hard).is_err() {
            return 1;
        }
    }
    let mut input = Vec::new();
    let cap = DEFAULT_MAX_PDF_BYTES.saturating_mul(2) as u64;
    if std::io::stdin()
        .lock()
        .take(cap)
        .read_to_end(&mut input)
        .is_err()
    {
        return 1;
    }
    // The answer names a panic; the default message on stderr would only be noise.
    std::panic::set_hook(Box::new(|_| {}));
    let answer = match extract(&input, limits.max_pages) {
        Ok(text) => Answer::Text(text),
        Err(p) => Answer::Problem(p),
    };
    let Ok(json) = serde_json::to_vec(&answer) else {
        return 1;
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&json).and_then(|()| out.flush()).is_err() {
        return 1;
    }
    0
}

/// Extracts the text of at most `max_pages` pages, in this process.
/// Panics inside the crates are caught; hangs and aborts are not (that is
/// what the helper process is for).
pub fn extract(pdf: &[u8], max_pages: usize) -> Result<PdfText, PdfProblem> {
    catch_unwind(AssertUnwindSafe(|| extract_inner(pdf, max_pages))).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(PdfProblem::Broken(
            format!("tolkningen misslyckades {what}").trim().to_owned(),
        ))
    })
}

fn extract_inner(pdf: &[u8], max_pages: usize) -> Result<PdfText, PdfProblem> {
    if !pdf.starts_with(b"%PDF-") && !pdf[..pdf.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfProblem::Broken("inte en pdf-fil".to_owned()));
    }
    let mut doc =
        lopdf::Document::load_mem(pdf).map_err(|e| PdfProblem::Broken(short(&e.to_string())))?;
    // `is_encrypted` only sees an `/Encrypt` given by reference; a direct dictionary counts too.
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        // Many PDFs are "encrypted" with an empty user password (print/copy flags only).
        if doc.decrypt("").is_err() {
            return Err(PdfProblem::Encrypted);
        }
    }
    let title = title_of(&doc);
    let pages = doc.get_pages();
    let page_count = pages.len();
    let mut texts = Vec::new();
    for &number in pages.keys().take(max_pages) {
        let mut text = String::new();
        {
            let mut out = pdf_extract::PlainTextOutput::new(&mut text);
            // A page that cannot be read is an empty page; the others still count.
            if pdf_extract::output_doc_page(&doc, &mut out, number).is_err() {
                text.clear();
            }
        }
        texts.push(text);
    }
    Ok(PdfText {
        title,
        pages: texts,
        page_count,
    })
}

/// `/Title` of the Info dictionary, decoded (UTF-16 with BOM or PDFDocEncoding ≈ Latin-1).
fn title_of(doc: &lopdf::Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let info = match info {
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        lopdf::Object::Dictionary(d) => d,
        _ => return None,
    };
    let lopdf::Object::String(bytes, _) = info.get(b"Title").ok()? else {
        return None;
    };
    let title = decode_text_string(bytes);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// A PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding
/// (read as Windows-1252, which agrees on the letters Swedish uses).
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

fn short(s: &str) -> String {
    s.chars().take(160).collect()
}
