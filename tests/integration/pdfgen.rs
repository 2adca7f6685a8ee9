//! Writes small PDFs from text, by hand, for the tests and the fixture
//! sites (`fixtures/sites/www.kvarnsjo.se/dokument/*.pdf` are its output).
//! Hand-written rather than with a PDF-writing crate, because the hostile
//! variants (a page tree that is its own parent, a length that refers to
//! itself, a bogus security handler) are exactly what such crates refuse to
//! write. Content streams stay uncompressed, so the files are readable.
//! Also compiled into the library's unit tests (`src/pdf/tests.rs`).
#![allow(dead_code)]

use std::fmt::Write as _;

/// How the text is encoded in the file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FontKind {
    /// Helvetica, WinAnsiEncoding, not embedded (a standard font).
    Standard,
    /// A Type0 font with Identity-H glyph ids and a ToUnicode CMap, as
    /// subset-embedded fonts are written by office programs.
    Subset,
    /// Standard font, words placed by TJ kerning gaps and Td moves (no space characters).
    Positioned,
}

/// A PDF being assembled: numbered objects, then xref and trailer.
#[derive(Default)]
pub(crate) struct PdfWriter {
    objects: Vec<Vec<u8>>,
}

impl PdfWriter {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    /// Reserves the next object number.
    pub(crate) fn reserve(&mut self) -> usize {
        self.objects.push(Vec::new());
        self.objects.len()
    }
    pub(crate) fn set(&mut self, id: usize, body: impl Into<Vec<u8>>) {
        self.objects[id - 1] = body.into();
    }
    pub(crate) fn add(&mut self, body: impl Into<Vec<u8>>) -> usize {
        let id = self.reserve();
        self.set(id, body);
        id
    }
    pub(crate) fn stream(dict_extra: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("<< /Length {}{dict_extra} >>\nstream\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    }
    /// The file, with `trailer_extra` added to the trailer dictionary.
    pub(crate) fn finish(&self, root: usize, trailer_extra: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.objects.len() + 1);
        for o in offsets {
            let _ = writeln!(table, "{o:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root {root} 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            self.objects.len() + 1
        );
        out.extend_from_slice(table.as_bytes());
        out
    }
}

fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'å' => 0xE5,
            'ä' => 0xE4,
            'ö' => 0xF6,
            'Å' => 0xC5,
            'Ä' => 0xC4,
            'Ö' => 0xD6,
            'é' => 0xE9,
            '–' => 0x96,
            '(' | ')' | '\\' => b'?',
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect()
}

/// A PDF with `pages`, each a list of paragraphs (a paragraph is one line or a few).
pub(crate) fn text_pdf(title: &str, pages: &[Vec<&str>], font: FontKind) -> Vec<u8> {
    let mut w = PdfWriter::new();
    let catalog = w.reserve();
    let pages_id = w.reserve();
    let font_id = w.reserve();
    // Distinct characters → glyph ids (subset fonts number their glyphs freely).
    let mut chars: Vec<char> = pages.iter().flatten().flat_map(|p| p.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    let gid = |c: char| chars.iter().position(|&x| x == c).unwrap_or(0) + 3;
    match font {
        FontKind::Standard | FontKind::Positioned => w.set(
            font_id,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ),
        FontKind::Subset => {
            let mut cmap = String::from(
                "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
                 /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
                 1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
            );
            let _ = writeln!(cmap, "{} beginbfchar", chars.len());
            for &c in &chars {
                let mut u = [0u16; 2];
                let hex = c
                    .encode_utf16(&mut u)
                    .iter()
                    .fold(String::new(), |mut h, x| {
                        let _ = write!(h, "{x:04X}");
                        h
                    });
                let _ = writeln!(cmap, "<{:04X}> <{hex}>", gid(c));
            }
            cmap.push_str(
                "endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend",
            );
            let to_unicode = w.add(PdfWriter::stream("", cmap.as_bytes()));
            let descriptor = w.add(
                "<< /Type /FontDescriptor /FontName /ABCDEF+Verdana /Flags 32 \
                 /FontBBox [0 -210 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -210 \
                 /CapHeight 700 /StemV 80 >>",
            );
            let cid = w.add(format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Verdana \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /DW 550 /CIDToGIDMap /Identity >>"
            ));
            w.set(
                font_id,
                format!(
                    "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Verdana /Encoding /Identity-H \
                     /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
                ),
            );
        }
    }
    let mut kids = Vec::new();
    for paragraphs in pages {
        let mut content = b"BT\n/F1 11 Tf\n14 TL\n72 770 Td\n".to_vec();
        for para in paragraphs {
            for line in wrap(para, 80) {
                match font {
                    FontKind::Standard => {
                        content.push(b'(');
                        content.extend_from_slice(&winansi(&line));
                        content.extend_from_slice(b") Tj T*\n");
                    }
                    FontKind::Positioned => {
                        let words: Vec<&str> = line.split(' ').collect();
                        let (a, b) = words.split_at(words.len() / 2);
                        content.push(b'[');
                        for (i, wd) in a.iter().enumerate() {
                            if i > 0 {
                                content.extend_from_slice(b" -300 ");
                            }
                            content.push(b'(');
                            content.extend_from_slice(&winansi(wd));
                            content.push(b')');
                        }
                        content.extend_from_slice(b"] TJ\n");
                        let mut x = 0;
                        for wd in b {
                            x += 6 * a.len() + 40;
                            content.extend_from_slice(
                                format!("{} 0 Td (", 6 * a.len() + 40).as_bytes(),
                            );
                            content.extend_from_slice(&winansi(wd));
                            content.extend_from_slice(b") Tj\n");
                        }
                        content.extend_from_slice(format!("-{x} -14 Td\n").as_bytes());
                    }
                    FontKind::Subset => {
                        content.push(b'<');
                        for c in line.chars() {
                            content.extend_from_slice(format!("{:04X}", gid(c)).as_bytes());
                        }
                        content.extend_from_slice(b"> Tj T*\n");
                    }
                }
            }
            content.extend_from_slice(b"T*\n");
        }
        content.extend_from_slice(b"ET");
        let stream = w.add(PdfWriter::stream("", &content));
        let page = w.add(format!(
            "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {stream} 0 R >>"
        ));
        kids.push(format!("{page} 0 R"));
    }
    w.set(
        pages_id,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        ),
    );
    w.set(
        catalog,
        format!("<< /Type /Catalog /Pages {pages_id} 0 R >>"),
    );
    let mut info = b"<< /Title (".to_vec();
    info.extend_from_slice(&winansi(title));
    info.extend_from_slice(b") /Producer (infokoll tests) >>");
    let info = w.add(info);
    w.finish(catalog, &format!(" /Info {info} 0 R"))
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A single-page PDF around one content stream (`extra_stream_dict` goes into its dictionary).
fn one_page(stream_dict: &str, data: &[u8], trailer_extra: &str) -> Vec<u8> {
    let mut w = PdfWriter::new();
    let cat = w.reserve();
    let pages = w.reserve();
    let content = w.add(PdfWriter::stream(stream_dict, data));
    let page = w.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R >>"
    ));
    w.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    w.set(cat, format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    w.finish(cat, trailer_extra)
}

/// The first half of a good PDF.
pub(crate) fn truncated() -> Vec<u8> {
    let good = text_pdf(
        "Taxa",
        &[vec!["Avgiften är 300 kronor."]],
        FontKind::Standard,
    );
    good[..good.len() / 2].to_vec()
}

/// Encrypted with a user password (the standard security handler, RC4 128).
pub(crate) fn encrypted() -> Vec<u8> {
    one_page(
        "",
        b"\x8f\x12\x99\xaa encrypted bytes",
        " /Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /P -1028 \
         /O <28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A> \
         /U <0000000000000000000000000000000000000000000000000000000000000000> >> \
         /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]",
    )
}

/// A content stream that inflates to `mib` MiB of spaces (about 1:1000).
pub(crate) fn compression_bomb(mib: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..mib {
        let _ = enc.write_all(&chunk);
    }
    let data = enc.finish().unwrap_or_default();
    one_page(" /Filter /FlateDecode", &data, "")
}

/// A page tree whose node is its own kid and parent, and a page that is its own parent.
pub(crate) fn endless_references() -> Vec<u8> {
    let mut w = PdfWriter::new();
    let cat = w.reserve();
    let pages = w.reserve();
    let content = w.add(PdfWriter::stream("", b"BT /F1 11 Tf (x) Tj ET"));
    let page = w.reserve();
    w.set(
        page,
        format!("<< /Type /Page /Parent {page} 0 R /Contents {content} 0 R >>"),
    );
    w.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R {pages} 0 R] /Count 2 /Parent {pages} 0 R >>"),
    );
    w.set(cat, format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    w.finish(cat, "")
}

/// A scan: one page that only paints an image, no text.
pub(crate) fn scan() -> Vec<u8> {
    one_page("", b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q", "")
}
