//! Charset detection and decoding: response bytes → `String`.
//!
//! The order follows what browsers do, with two repairs for badly
//! configured servers that are common on older municipal sites:
//!
//! 1. A byte-order mark wins.
//! 2. `charset=` from the `Content-Type` header.
//! 3. `<meta charset>` / `<meta http-equiv="Content-Type" content="…charset=…">`
//!    found by a prescan of the first [`PRESCAN_BYTES`] bytes.
//! 4. Otherwise: valid UTF-8 is UTF-8, anything else goes to `chardetng`
//!    (with the `.se` top-level-domain hint).
//!
//! Labels are resolved with [`Encoding::for_label`], so `ISO-8859-1` and
//! `latin1` become `windows-1252`, as on the web.
//!
//! Repairs:
//! - Declared UTF-8 but the bytes are not UTF-8 ("wrong charset" server):
//!   the legacy encoding is detected, and when it is a single-byte one the
//!   body is decoded *mixed*: valid UTF-8 runs as UTF-8, each invalid byte
//!   through the legacy encoding. That also repairs pages whose template is
//!   UTF-8 but whose content came from a Latin-1 database.
//! - Declared a single-byte legacy encoding but the bytes are valid UTF-8
//!   with non-ASCII characters: UTF-8 (Latin-1 Swedish text is practically
//!   never valid UTF-8, since `ä` = 0xE4 must be followed by two
//!   continuation bytes).
//!
//! Never panics, whatever the bytes.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};

/// How many leading bytes the `<meta>` prescan looks at.
pub const PRESCAN_BYTES: usize = 2048;

/// How many bytes at most are fed to the charset detector.
const DETECT_BYTES: usize = 256 * 1024;

/// Decodes `body` to a `String`; returns the text and the encoding's name
/// (e.g. `"UTF-8"`, `"windows-1252"`).
///
/// `content_type` is the raw `Content-Type` header value, if any.
pub fn decode(body: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        let rest = body.get(bom_len..).unwrap_or_default();
        return (
            enc.decode_without_bom_handling(rest).0.into_owned(),
            enc.name(),
        );
    }
    if let Some(enc) = sniff_utf16(body) {
        return (decode_plain(enc, body), enc.name());
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(|label| header_encoding(label.as_bytes()))
        .or_else(|| prescan_meta(body));
    match declared {
        Some(enc) if enc == UTF_8 => decode_utf8_or_detect(body),
        Some(enc) if enc.is_single_byte() && is_utf8_with_non_ascii(body) => {
            (decode_plain(UTF_8, body), UTF_8.name())
        }
        Some(enc) => (decode_plain(enc, body), enc.name()),
        None => decode_utf8_or_detect(body),
    }
}

/// Decodes as UTF-8 when the bytes are UTF-8, else detects a legacy encoding.
fn decode_utf8_or_detect(body: &[u8]) -> (String, &'static str) {
    let stats = utf8_stats(body);
    if stats.invalid == 0 {
        return (decode_plain(UTF_8, body), UTF_8.name());
    }
    let legacy = detect_legacy(body);
    if legacy.is_single_byte() {
        let name = if stats.multibyte > stats.invalid {
            UTF_8.name()
        } else {
            legacy.name()
        };
        (decode_mixed(body, legacy), name)
    } else {
        (decode_plain(legacy, body), legacy.name())
    }
}

/// UTF-16 without a BOM, recognised by its zero bytes: markup is mostly
/// ASCII, so every other byte of UTF-16 text is zero (odd bytes in
/// little-endian, even bytes in big-endian). Eight-bit HTML never has
/// zeros. Whatever the header or `<meta>` declares (a `<meta>` inside
/// UTF-16 cannot even be read as bytes), such a body is UTF-16.
fn sniff_utf16(body: &[u8]) -> Option<&'static Encoding> {
    let sample = body.get(..1024).unwrap_or(body);
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let many = |n: usize| n * 10 >= pairs * 4;
    let few = |n: usize| n * 20 <= pairs;
    if many(odd) && few(even) {
        Some(UTF_16LE)
    } else if many(even) && few(odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes without BOM sniffing (the BOM case is handled before).
fn decode_plain(enc: &'static Encoding, body: &[u8]) -> String {
    enc.decode_without_bom_handling(body).0.into_owned()
}

/// Guesses a non-UTF-8 encoding with `chardetng`, hinting a Swedish site.
fn detect_legacy(body: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    let sample = body.get(..DETECT_BYTES).unwrap_or(body);
    detector.feed(sample, true);
    detector.guess(Some(b"se"), Utf8Detection::Deny)
}

/// Counts of well-formed multi-byte sequences and of invalid sequences.
#[derive(Debug, Clone, Copy, Default)]
struct Utf8Stats {
    multibyte: usize,
    invalid: usize,
}

/// Scans `body` as UTF-8. An incomplete sequence at the very end (a body
/// cut off by a size cap) does not count as invalid.
fn utf8_stats(body: &[u8]) -> Utf8Stats {
    let mut stats = Utf8Stats::default();
    let mut rest = body;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                stats.multibyte += count_lead_bytes(s.as_bytes());
                return stats;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                stats.multibyte += count_lead_bytes(good);
                match e.error_len() {
                    None => return stats,
                    Some(n) => {
                        stats.invalid += 1;
                        rest = bad.get(n..).unwrap_or_default();
                    }
                }
            }
        }
    }
}

/// Number of UTF-8 lead bytes of multi-byte sequences in valid UTF-8.
fn count_lead_bytes(valid: &[u8]) -> usize {
    valid.iter().filter(|b| **b >= 0xC0).count()
}

/// True when `body` is valid UTF-8 (allowing a cut-off end) and not pure ASCII.
fn is_utf8_with_non_ascii(body: &[u8]) -> bool {
    let stats = utf8_stats(body);
    stats.invalid == 0 && stats.multibyte > 0
}

/// Decodes valid UTF-8 runs as UTF-8 and every invalid byte through the
/// single-byte encoding `fallback`.
fn decode_mixed(body: &[u8], fallback: &'static Encoding) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 8);
    let mut rest = body;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                if let Ok(s) = std::str::from_utf8(good) {
                    out.push_str(s);
                }
                let n = e.error_len().unwrap_or(bad.len()).min(bad.len());
                let (invalid, after) = bad.split_at(n);
                out.push_str(&fallback.decode_without_bom_handling(invalid).0);
                rest = after;
            }
        }
    }
}

/// Resolves a header charset label; UTF-16 without a BOM and the
/// "replacement" encoding are ignored (treated as undeclared).
fn header_encoding(label: &[u8]) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label)?;
    if enc == REPLACEMENT || enc == UTF_16LE || enc == UTF_16BE {
        None
    } else {
        Some(enc)
    }
}

/// Resolves a `<meta>` charset label as the HTML spec says: UTF-16 means
/// UTF-8 and x-user-defined means windows-1252.
fn meta_encoding(label: &[u8]) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label)?;
    if enc == UTF_16LE || enc == UTF_16BE {
        Some(UTF_8)
    } else if enc == X_USER_DEFINED {
        Some(WINDOWS_1252)
    } else if enc == REPLACEMENT {
        None
    } else {
        Some(enc)
    }
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("charset") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!value.is_empty()).then_some(value)
        } else {
            None
        }
    })
}

/// Extracts the value after `charset=` in a `<meta content>` value.
fn charset_in_content(content: &[u8]) -> Option<&[u8]> {
    let lower = content.to_ascii_lowercase();
    let pos = find(&lower, b"charset")?;
    let mut rest = content.get(pos + 7..)?;
    rest = trim_start(rest);
    rest = trim_start(rest.strip_prefix(b"=")?);
    let (quote, rest) = match rest.first() {
        Some(q @ (b'"' | b'\'')) => (Some(*q), rest.get(1..)?),
        _ => (None, rest),
    };
    let end = rest
        .iter()
        .position(|b| match quote {
            Some(q) => *b == q,
            None => b.is_ascii_whitespace() || *b == b';',
        })
        .unwrap_or(rest.len());
    let value = rest.get(..end)?;
    (!value.is_empty()).then_some(value)
}

/// Looks for a charset declaration in `<meta>` tags of the first bytes.
fn prescan_meta(body: &[u8]) -> Option<&'static Encoding> {
    let head = body.get(..PRESCAN_BYTES).unwrap_or(body);
    let mut i = 0;
    while i < head.len() {
        let rest = head.get(i..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            i += find(rest.get(4..).unwrap_or_default(), b"-->").map_or(head.len(), |p| p + 7);
            continue;
        }
        if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b"<meta") {
            let after = rest.get(5..).unwrap_or_default();
            if after
                .first()
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                let (enc, used) = parse_meta(after);
                if enc.is_some() {
                    return enc;
                }
                i += 5 + used;
                continue;
            }
        }
        i += 1;
    }
    None
}

/// Parses the attributes of one `<meta` tag (bytes after `<meta`).
/// Returns the declared encoding, if any, and how many bytes were read.
fn parse_meta(tag: &[u8]) -> (Option<&'static Encoding>, usize) {
    let mut charset: Option<&[u8]> = None;
    let mut content: Option<&[u8]> = None;
    let mut http_equiv_ct = false;
    let mut i = 0;
    loop {
        while tag
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            i += 1;
        }
        match tag.get(i) {
            None | Some(b'>') => break,
            _ => {}
        }
        let name_start = i;
        while tag
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let name = tag.get(name_start..i).unwrap_or_default();
        while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value: &[u8] = &[];
        if tag.get(i) == Some(&b'=') {
            i += 1;
            while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if let Some(q @ (b'"' | b'\'')) = tag.get(i).copied() {
                let start = i + 1;
                let len = tag
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .position(|b| *b == q);
                let end = len.map_or(tag.len(), |l| start + l);
                value = tag.get(start..end).unwrap_or_default();
                i = end + 1;
            } else {
                let start = i;
                while tag
                    .get(i)
                    .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                {
                    i += 1;
                }
                value = tag.get(start..i).unwrap_or_default();
            }
        }
        if name.eq_ignore_ascii_case(b"charset") {
            charset = charset.or(Some(value));
        } else if name.eq_ignore_ascii_case(b"content") {
            content = content.or(Some(value));
        } else if name.eq_ignore_ascii_case(b"http-equiv") {
            http_equiv_ct |= trim(value).eq_ignore_ascii_case(b"content-type");
        }
    }
    let label = charset.or_else(|| {
        if http_equiv_ct {
            content.and_then(charset_in_content)
        } else {
            None
        }
    });
    (label.and_then(|l| meta_encoding(trim(l))), i.min(tag.len()))
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `bytes` without leading ASCII whitespace.
fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// `bytes` without leading and trailing ASCII whitespace.
fn trim(bytes: &[u8]) -> &[u8] {
    let t = trim_start(bytes);
    let end = t
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    t.get(..end).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SV: &str = "Avgift för hemtjänst i Älvsbyn. Maxtaxan gäller för alla som får \
        hjälp i hemmet, även på kvällar och helger. Åtgärden beviljas efter ansökan.";

    fn latin1(s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = WINDOWS_1252.encode(s);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn page(meta: &str, body: &str) -> String {
        format!("<!DOCTYPE html><html><head>{meta}<title>T</title></head><body><p>{body}</p></body></html>")
    }

    #[test]
    fn utf8_without_declaration() {
        let html = page("", SV);
        let (text, enc) = decode(html.as_bytes(), None);
        assert_eq!(enc, "UTF-8");
        assert_eq!(text, html);
    }

    #[test]
    fn latin1_with_header() {
        let bytes = latin1(&page("", SV));
        let (text, enc) = decode(&bytes, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("för hemtjänst i Älvsbyn"));
        let (_, enc) = decode(&bytes, Some("text/html;charset=\"latin1\""));
        assert_eq!(enc, "windows-1252");
    }

    #[test]
    fn latin1_with_meta_only() {
        let bytes = latin1(&page(r#"<meta charset="iso-8859-1">"#, SV));
        let (text, enc) = decode(&bytes, Some("text/html"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("Åtgärden"));

        let meta = r#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">"#;
        let bytes = latin1(&page(meta, SV));
        let (text, enc) = decode(&bytes, None);
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("kvällar"));
    }

    #[test]
    fn meta_inside_comment_is_ignored() {
        let html = page(
            "<!-- <meta charset=\"koi8-r\"> --><meta charset=utf-8>",
            "x",
        );
        assert_eq!(prescan_meta(html.as_bytes()), Some(UTF_8));
    }

    #[test]
    fn latin1_without_declaration_is_detected() {
        let bytes = latin1(&page("", SV));
        let (text, enc) = decode(&bytes, None);
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("Avgift för hemtjänst i Älvsbyn"));
        assert!(text.contains("även på kvällar"));
    }

    #[test]
    fn short_latin1_phrases_are_detected() {
        for phrase in [
            "Avgift för hemtjänst i Älvsbyn",
            "Så här ansöker du",
            "Öppettider för växeln",
        ] {
            let bytes = latin1(&format!("<p>{phrase}</p>"));
            let (text, enc) = decode(&bytes, None);
            assert_eq!(
                (text.as_str(), enc),
                (format!("<p>{phrase}</p>").as_str(), "windows-1252")
            );
        }
    }

    #[test]
    fn utf8_bom_wins() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(page("", SV).as_bytes());
        let (text, enc) = decode(&bytes, Some("text/html; charset=windows-1252"));
        assert_eq!(enc, "UTF-8");
        assert!(text.starts_with("<!DOCTYPE"));
        assert!(text.contains("hemtjänst"));
    }

    #[test]
    fn declared_utf8_but_latin1_bytes() {
        let bytes = latin1(&page(r#"<meta charset="utf-8">"#, SV));
        let (text, enc) = decode(&bytes, Some("text/html; charset=UTF-8"));
        assert_eq!(enc, "windows-1252");
        assert!(text.contains("Avgift för hemtjänst i Älvsbyn"));
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn mixed_utf8_template_with_latin1_content() {
        let mut bytes = page(
            "<meta charset=utf-8>",
            "Sök på webbplatsen. Språk. Kontakta oss, så hjälper vi dig.",
        )
        .into_bytes();
        bytes.extend(latin1("<p>Hemtjänst</p>"));
        let (text, enc) = decode(&bytes, None);
        assert_eq!(enc, "UTF-8");
        assert!(text.contains("Sök på webbplatsen"));
        assert!(text.contains("<p>Hemtjänst</p>"));
    }

    #[test]
    fn declared_latin1_but_utf8_bytes() {
        let html = page("", SV);
        let (text, enc) = decode(html.as_bytes(), Some("text/html; charset=iso-8859-1"));
        assert_eq!(enc, "UTF-8");
        assert_eq!(text, html);
    }

    #[test]
    fn truncated_utf8_stays_utf8() {
        let html = page("", SV);
        let bytes = html.as_bytes();
        let cut = bytes.iter().position(|b| *b == 0xC3).unwrap() + 1;
        let (text, enc) = decode(&bytes[..cut], Some("text/html; charset=utf-8"));
        assert_eq!(enc, "UTF-8");
        assert!(text.starts_with("<!DOCTYPE"));
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let html = "<html><head><meta charset=utf-16le><title>Äldreomsorg</title></head><body><p>Hemtjänst kostar</p></body></html>";
        let le: Vec<u8> = html.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = html.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, header, name) in [
            (&le, Some("text/html; charset=utf-16le"), "UTF-16LE"),
            (&le, None, "UTF-16LE"),
            (&be, Some("text/html; charset=utf-16"), "UTF-16BE"),
        ] {
            let (text, enc) = decode(bytes, header);
            assert_eq!(enc, name);
            assert_eq!(text, html);
        }
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend_from_slice(&le);
        assert_eq!(decode(&with_bom, None).0, html);
    }

    #[test]
    fn utf16_header_without_bom_is_ignored() {
        let (text, enc) = decode(b"<p>hej</p>", Some("text/html; charset=utf-16"));
        assert_eq!(enc, "UTF-8");
        assert_eq!(text, "<p>hej</p>");
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u32 = 12345;
        for len in [0usize, 1, 2, 3, 7, 100, 3000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (seed >> 16) as u8
                })
                .collect();
            let _ = decode(&bytes, None);
            let _ = decode(&bytes, Some("text/html; charset=utf-8"));
            let _ = decode(&bytes, Some(";;charset"));
        }
        for tail in [
            &b"<meta"[..],
            b"<meta ",
            b"<meta charset=",
            b"<meta charset=\"",
            b"<!--",
            b"<meta content='charset=",
        ] {
            let _ = decode(tail, None);
        }
    }
}
