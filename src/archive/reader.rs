//! Reading the archive back: one response record at a known offset
//! ([`read_record`]) or every record of a file in order ([`WarcReader`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::bufread::GzDecoder;
use url::Url;

use super::format::ORIGINAL_PREFIX;
use super::{ArchiveError, ArchiveRef, ArchivedResponse};

/// One WARC record as read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// The file it was read from (as given to the reader).
    pub file: String,
    /// Offset of its gzip member in the file.
    pub offset: u64,
    /// Compressed length of its gzip member.
    pub length: u64,
    /// Version from the first line, e.g. `WARC/1.1`.
    pub version: String,
    /// The WARC header fields in file order.
    pub headers: Vec<(String, String)>,
    /// The record block (`Content-Length` bytes).
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// First value of a WARC header field (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type` (`warcinfo`, `response`, `request`, `metadata`, …).
    pub fn record_type(&self) -> Option<&str> {
        self.header("WARC-Type")
    }

    /// The archived HTTP response of a `response` record.
    pub fn to_response(&self) -> Result<ArchivedResponse, ArchiveError> {
        let bad = |reason: String| ArchiveError::Malformed {
            file: self.file.clone(),
            offset: self.offset,
            reason,
        };
        match self.record_type() {
            Some("response") => {}
            other => {
                return Err(bad(format!(
                    "posten är av typen {}, inte response",
                    other.unwrap_or("(saknas)")
                )))
            }
        }
        let uri = self
            .header("WARC-Target-URI")
            .ok_or_else(|| bad("WARC-Target-URI saknas".into()))?;
        let uri = uri.trim_start_matches('<').trim_end_matches('>');
        let target = Url::parse(uri).map_err(|e| bad(format!("ogiltig WARC-Target-URI: {e}")))?;
        let date = self.header("WARC-Date").unwrap_or_default().to_string();
        let truncated = self.header("WARC-Truncated").is_some();
        let (head, body) =
            split_head(&self.block).ok_or_else(|| bad("HTTP-huvudet tar inte slut".into()))?;
        let head = String::from_utf8_lossy(head);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|_| status_line.starts_with("HTTP/"))
            .ok_or_else(|| bad(format!("ogiltig statusrad {status_line:?}")))?;
        let mut headers = Vec::new();
        for (name, value) in parse_fields(lines) {
            if name.eq_ignore_ascii_case("content-length") {
                continue; // written by the archive, not by the server
            }
            let original = name
                .get(..ORIGINAL_PREFIX.len())
                .filter(|p| p.eq_ignore_ascii_case(ORIGINAL_PREFIX))
                .map(|_| name[ORIGINAL_PREFIX.len()..].to_string());
            headers.push((original.unwrap_or(name), value));
        }
        Ok(ArchivedResponse {
            target,
            date,
            status,
            headers,
            body: body.to_vec(),
            truncated,
        })
    }
}

/// Reads the response record `r` from the archive directory `dir`: seeks
/// to its offset and inflates that one gzip member.
pub fn read_record(dir: &Path, r: &ArchiveRef) -> Result<ArchivedResponse, ArchiveError> {
    let plain = Path::new(&r.file).file_name().and_then(|n| n.to_str()) == Some(r.file.as_str());
    if !plain || r.file.contains(['/', '\\']) {
        return Err(ArchiveError::InvalidFileName {
            file: r.file.clone(),
        });
    }
    let io_err = |source: io::Error| ArchiveError::Io {
        file: r.file.clone(),
        offset: r.offset,
        source,
    };
    let mut file = File::open(dir.join(&r.file)).map_err(io_err)?;
    file.seek(SeekFrom::Start(r.offset)).map_err(io_err)?;
    let mut member = BufReader::new(file.take(r.length));
    let mut data = Vec::new();
    let result = GzDecoder::new(&mut member).read_to_end(&mut data);
    if let Err(e) = result {
        let at_end = member.fill_buf().is_ok_and(<[u8]>::is_empty);
        return Err(decode_error(&r.file, r.offset, &e, at_end));
    }
    parse_record(&r.file, r.offset, r.length, &data)?.to_response()
}

/// Reads all records of one `.warc.gz` file in order.
///
/// A file that ends inside a record (after a crash) yields the complete
/// records first, then one [`ArchiveError::Truncated`], then ends. After
/// any error the iteration ends.
#[derive(Debug)]
pub struct WarcReader {
    file: String,
    reader: Counting<BufReader<File>>,
    done: bool,
}

impl WarcReader {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> Result<WarcReader, ArchiveError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|source| ArchiveError::Io {
            file: name.clone(),
            offset: 0,
            source,
        })?;
        Ok(WarcReader {
            file: name,
            reader: Counting {
                inner: BufReader::with_capacity(1 << 16, file),
                pos: 0,
            },
            done: false,
        })
    }

    fn read_next(&mut self) -> Result<Option<WarcRecord>, ArchiveError> {
        let offset = self.reader.pos;
        let io_err = |source| ArchiveError::Io {
            file: self.file.clone(),
            offset,
            source,
        };
        if self.reader.fill_buf().map_err(io_err)?.is_empty() {
            return Ok(None);
        }
        let mut data = Vec::new();
        let result = GzDecoder::new(&mut self.reader).read_to_end(&mut data);
        if let Err(e) = result {
            let at_end = self.reader.fill_buf().is_ok_and(<[u8]>::is_empty);
            return Err(decode_error(&self.file, offset, &e, at_end));
        }
        let length = self.reader.pos - offset;
        parse_record(&self.file, offset, length, &data).map(Some)
    }
}

impl Iterator for WarcReader {
    type Item = Result<WarcRecord, ArchiveError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_next() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A buffered reader that counts the bytes consumed from it.
#[derive(Debug)]
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// A failed inflate: truncation when the input ran out, otherwise damage.
fn decode_error(file: &str, offset: u64, e: &io::Error, at_end: bool) -> ArchiveError {
    if at_end || e.kind() == io::ErrorKind::UnexpectedEof {
        ArchiveError::Truncated {
            file: file.to_string(),
            offset,
        }
    } else {
        ArchiveError::Malformed {
            file: file.to_string(),
            offset,
            reason: format!("gzip: {e}"),
        }
    }
}

/// Splits an inflated record into version, header fields and block.
fn parse_record(
    file: &str,
    offset: u64,
    length: u64,
    data: &[u8],
) -> Result<WarcRecord, ArchiveError> {
    let bad = |reason: &str| ArchiveError::Malformed {
        file: file.to_string(),
        offset,
        reason: reason.to_string(),
    };
    let (head, rest) = split_head(data).ok_or_else(|| bad("WARC-huvudet tar inte slut"))?;
    let head = std::str::from_utf8(head).map_err(|_| bad("WARC-huvudet är inte UTF-8"))?;
    let mut lines = head.split("\r\n");
    let version = lines.next().unwrap_or_default().trim().to_string();
    if !version.starts_with("WARC/") {
        return Err(bad("posten börjar inte med WARC/"));
    }
    let headers = parse_fields(lines);
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .ok_or_else(|| bad("Content-Length saknas eller är ogiltig"))?;
    let block = rest
        .get(..len)
        .ok_or_else(|| bad("blocket är kortare än Content-Length"))?;
    Ok(WarcRecord {
        file: file.to_string(),
        offset,
        length,
        version,
        headers,
        block: block.to_vec(),
    })
}

/// Head (without the blank line) and the rest after `\r\n\r\n`.
fn split_head(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = data.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((&data[..end], &data[end + 4..]))
}

/// `name: value` lines; a line starting with white space continues the
/// previous value; lines without a colon are skipped.
fn parse_fields<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    fields
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_with_continuations() {
        let f = parse_fields("A: 1\r\nB:2\r\n  more\r\nnocolon".split("\r\n"));
        assert_eq!(
            f,
            vec![("A".into(), "1".into()), ("B".into(), "2 more".into())]
        );
    }

    #[test]
    fn records_without_length_or_version_are_malformed() {
        for data in [
            &b"WARC/1.1\r\nWARC-Type: x\r\n\r\n"[..],
            b"HTTP/1.1 200\r\n\r\n",
            b"WARC/1.1",
        ] {
            assert!(matches!(
                parse_record("f", 7, 1, data),
                Err(ArchiveError::Malformed { offset: 7, .. })
            ));
        }
        let r = parse_record("f", 0, 1, b"WARC/1.1\r\nContent-Length: 2\r\n\r\nabcd").unwrap();
        assert_eq!(r.block, b"ab");
        assert!(r.to_response().is_err());
    }

    #[test]
    fn reference_names_must_be_plain_file_names() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["../x.warc.gz", "a/b", "", ".."] {
            let r = ArchiveRef {
                file: file.into(),
                offset: 0,
                length: 1,
            };
            assert!(matches!(
                read_record(dir.path(), &r),
                Err(ArchiveError::InvalidFileName { .. })
            ));
        }
    }
}
