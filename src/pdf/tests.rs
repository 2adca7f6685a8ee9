//! In-process extraction on generated PDFs; the helper process and the
//! hostile files that need it are tested in `tests/integration/pdf.rs`.

use super::helper::{decode_text_string, extract};
use super::*;

#[path = "../../tests/integration/pdfgen.rs"]
mod pdfgen;

use pdfgen::{text_pdf, FontKind};

const PARA: &str = "Handläggningstiden för hemtjänst är normalt två till tre veckor \
                    från ansökan. Årsavgift, högkostnadsskydd och åtgärder för äldre.";

#[test]
fn swedish_text_survives_standard_subset_and_positioned_fonts() {
    for font in [FontKind::Standard, FontKind::Subset, FontKind::Positioned] {
        let pdf = text_pdf(
            "Servicedeklaration för hemtjänst",
            &[vec![PARA], vec![PARA]],
            font,
        );
        let text = extract(&pdf, 10).unwrap();
        assert_eq!(text.pages.len(), 2, "{font:?}");
        assert_eq!(text.page_count, 2);
        assert_eq!(
            text.title.as_deref(),
            Some("Servicedeklaration för hemtjänst")
        );
        let page = text.pages[1]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for word in [
            "Handläggningstiden",
            "hemtjänst",
            "två",
            "ansökan.",
            "Årsavgift,",
            "högkostnadsskydd",
            "åtgärder",
            "äldre.",
        ] {
            assert!(page.contains(word), "{font:?}: {word} missing in {page:?}");
        }
    }
}

#[test]
fn the_page_cap_holds() {
    let pages: Vec<Vec<&str>> = (0..12).map(|_| vec![PARA]).collect();
    let text = extract(&text_pdf("Lång", &pages, FontKind::Standard), 5).unwrap();
    assert_eq!((text.pages.len(), text.page_count), (5, 12));
}

#[test]
fn broken_encrypted_and_scanned_files_are_problems_or_empty() {
    assert!(matches!(
        extract(&pdfgen::truncated(), 10),
        Err(PdfProblem::Broken(_))
    ));
    assert_eq!(
        extract(&pdfgen::encrypted(), 10),
        Err(PdfProblem::Encrypted)
    );
    assert!(matches!(
        extract(b"<html>inte pdf</html>", 10),
        Err(PdfProblem::Broken(_))
    ));
    assert!(extract(&pdfgen::scan(), 10).unwrap().is_empty());
}

#[test]
fn text_strings_decode_utf16_and_pdfdoc() {
    assert_eq!(decode_text_string(&[0xFE, 0xFF, 0, b'H', 0, 0xE4]), "Hä");
    assert_eq!(
        decode_text_string(b"Avgifter f\xf6r \xe4ldre"),
        "Avgifter för äldre"
    );
}

#[test]
fn pdf_responses_are_known_by_type_or_magic() {
    assert!(is_pdf(Some("application/pdf"), b""));
    assert!(is_pdf(Some("application/octet-stream"), b"%PDF-1.7"));
    assert!(is_pdf(None, b"%PDF-1.4"));
    assert!(!is_pdf(Some("text/html"), b"%PDF-1.4"));
    assert!(is_pdf_url(
        &url::Url::parse("https://a.se/Taxa.PDF").unwrap()
    ));
}
