//! [`WarcWriter`]: appends gzip-per-record WARC/1.1 records to a series of
//! new files in one directory.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use flate2::write::GzEncoder;
use flate2::Compression;
use url::Url;

use super::format::{self, IdGen, Utc, ORIGINAL_PREFIX, WIRE_HEADERS};
use super::{ArchiveError, ArchiveRef, Exchange};

/// Default size after which a new file is started: 1 GiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 30;

/// Highest sequence number tried when looking for an unused file name.
const MAX_SEQ: u32 = 99_999;

/// Settings of a [`WarcWriter`].
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// A new file is started before the next exchange once the current file
    /// has reached this many bytes.
    pub max_file_bytes: u64,
    /// gzip level 0–9. The default 1 keeps 1,000 pages of 50 KB well under
    /// a second; level 6 makes files ~15 % smaller but is five times slower.
    pub compression_level: u32,
    /// Extra `name: value` lines for each file's `warcinfo` record (e.g.
    /// `operator`, `description`, `isPartOf`).
    pub info_fields: Vec<(String, String)>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            compression_level: 1,
            info_fields: Vec::new(),
        }
    }
}

/// Writes WARC/1.1 records, one gzip member each, to
/// `<dir>/<prefix>-<YYYYMMDDhhmmss>-<seq>.warc.gz` files.
///
/// Every record reaches the operating system before the write call
/// returns; call [`WarcWriter::sync`] to also put it on disk.
#[derive(Debug)]
pub struct WarcWriter {
    dir: PathBuf,
    prefix: String,
    options: WriterOptions,
    file: File,
    file_name: String,
    /// Bytes written to the current file (= offset of the next record).
    offset: u64,
    /// Offset just after the `warcinfo` record.
    info_end: u64,
    warcinfo_id: String,
    seq: u32,
    ids: IdGen,
    /// A write failed: the current file may end in a partial record, so the
    /// next record goes to a new file.
    broken: bool,
    /// A file was created since the last [`WarcWriter::sync`].
    dir_dirty: bool,
}

/// One record before compression: WARC header and block parts.
struct Record<'a> {
    header: String,
    block: &'a [&'a [u8]],
}

impl WarcWriter {
    /// Opens a new file in `dir` with default options.
    pub fn create(dir: &Path, prefix: &str) -> Result<WarcWriter, ArchiveError> {
        WarcWriter::create_with(dir, prefix, WriterOptions::default())
    }

    /// Opens a new file in `dir` (created if missing) with `options`.
    pub fn create_with(
        dir: &Path,
        prefix: &str,
        options: WriterOptions,
    ) -> Result<WarcWriter, ArchiveError> {
        let valid = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if prefix.is_empty() || !prefix.chars().all(valid) {
            return Err(ArchiveError::InvalidPrefix {
                prefix: prefix.to_string(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io {
            file: dir.display().to_string(),
            offset: 0,
            source,
        })?;
        let (file, file_name, seq) = open_new(dir, prefix, 0)?;
        let mut w = WarcWriter {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            options,
            file,
            file_name,
            offset: 0,
            info_end: 0,
            warcinfo_id: String::new(),
            seq,
            ids: IdGen::new(),
            broken: false,
            dir_dirty: true,
        };
        if let Err(e) = w.write_warcinfo() {
            let _ = std::fs::remove_file(w.current_path());
            return Err(e);
        }
        Ok(w)
    }

    /// Name of the file being written.
    pub fn current_file(&self) -> &str {
        &self.file_name
    }

    /// Path of the file being written.
    pub fn current_path(&self) -> PathBuf {
        self.dir.join(&self.file_name)
    }

    /// Archives one HTTP exchange: a `response` record, then a `request`
    /// record concurrent to it, both in the same file. Returns where the
    /// response record is.
    pub fn write_exchange(&mut self, ex: &Exchange<'_>) -> Result<ArchiveRef, ArchiveError> {
        self.prepare()?;
        let date = Utc::of(ex.date).warc_date();
        let response_id = self.ids.next_id();

        let http_head = response_head(ex);
        let mut header = self.common_header("response", &response_id, &date, Some(ex.target));
        if let Some(ip) = ex.ip {
            header_line(&mut header, "WARC-IP-Address", &ip.to_string());
        }
        if ex.truncated {
            header_line(&mut header, "WARC-Truncated", "length");
        }
        let block: [&[u8]; 2] = [http_head.as_bytes(), ex.body];
        header_line(
            &mut header,
            "WARC-Block-Digest",
            &format::sha1_digest(&block),
        );
        header_line(
            &mut header,
            "WARC-Payload-Digest",
            &format::sha1_digest(&[ex.body]),
        );
        let reference = self.write_record(&Record {
            header: finish_header(header, "application/http;msgtype=response", &block),
            block: &block,
        })?;

        let request = request_block(ex);
        let request_id = self.ids.next_id();
        let mut header = self.common_header("request", &request_id, &date, Some(ex.target));
        header_line(&mut header, "WARC-Concurrent-To", &response_id);
        if let Some(ip) = ex.ip {
            header_line(&mut header, "WARC-IP-Address", &ip.to_string());
        }
        let block: [&[u8]; 1] = [request.as_bytes()];
        header_line(
            &mut header,
            "WARC-Block-Digest",
            &format::sha1_digest(&block),
        );
        self.write_record(&Record {
            header: finish_header(header, "application/http;msgtype=request", &block),
            block: &block,
        })?;
        self.flush()?;
        Ok(reference)
    }

    /// Archives an outcome without an HTTP response (robots disallow,
    /// timeout, transport error …) as a `metadata` record of
    /// `name: value` fields about `target`.
    pub fn write_metadata(
        &mut self,
        target: &Url,
        date: SystemTime,
        fields: &[(String, String)],
    ) -> Result<ArchiveRef, ArchiveError> {
        self.prepare()?;
        let date = Utc::of(date).warc_date();
        let body = warc_fields(fields);
        let id = self.ids.next_id();
        let mut header = self.common_header("metadata", &id, &date, Some(target));
        let block: [&[u8]; 1] = [body.as_bytes()];
        header_line(
            &mut header,
            "WARC-Block-Digest",
            &format::sha1_digest(&block),
        );
        let reference = self.write_record(&Record {
            header: finish_header(header, "application/warc-fields", &block),
            block: &block,
        })?;
        self.flush()?;
        Ok(reference)
    }

    /// Hands everything written so far to the operating system (records
    /// are written unbuffered, so this is cheap).
    pub fn flush(&mut self) -> Result<(), ArchiveError> {
        let offset = self.offset;
        self.file.flush().map_err(|e| self.io_error(offset, e))
    }

    /// Puts everything written so far on disk (fsync of the file, and of
    /// the directory after a new file was created).
    pub fn sync(&mut self) -> Result<(), ArchiveError> {
        let offset = self.offset;
        self.file
            .sync_data()
            .map_err(|e| self.io_error(offset, e))?;
        if self.dir_dirty {
            // Not every platform can fsync a directory; the file itself is
            // synced already, so a failure here is not an error.
            if let Ok(d) = File::open(&self.dir) {
                let _ = d.sync_all();
            }
            self.dir_dirty = false;
        }
        Ok(())
    }

    /// Rolls over to a new file when the current one is full or broken.
    /// A new file whose first record cannot be written is removed again,
    /// so a full disk leaves no empty files behind.
    fn prepare(&mut self) -> Result<(), ArchiveError> {
        let full = self.offset >= self.options.max_file_bytes && self.offset > self.info_end;
        if self.broken || full {
            let (file, name, seq) = open_new(&self.dir, &self.prefix, self.seq + 1)?;
            self.file = file;
            self.file_name = name;
            self.seq = seq;
            self.offset = 0;
            self.broken = false;
            self.dir_dirty = true;
            if let Err(e) = self.write_warcinfo() {
                let _ = std::fs::remove_file(self.current_path());
                self.broken = true;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Removes the current file when it holds no record but its
    /// `warcinfo` (nothing was archived into it); call it last.
    pub fn discard_if_empty(&mut self) -> Result<(), ArchiveError> {
        if self.offset > self.info_end {
            return Ok(());
        }
        let path = self.current_path();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(ArchiveError::Io {
                file: path.display().to_string(),
                offset: 0,
                source,
            }),
        }
    }

    fn write_warcinfo(&mut self) -> Result<(), ArchiveError> {
        let id = self.ids.next_id();
        let date = Utc::of(SystemTime::now()).warc_date();
        let mut fields = vec![
            (
                "software".to_string(),
                format!("infokoll/{}", env!("CARGO_PKG_VERSION")),
            ),
            ("format".to_string(), "WARC File Format 1.1".to_string()),
            (
                "conformsTo".to_string(),
                "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
                    .to_string(),
            ),
            ("robots".to_string(), "obey".to_string()),
        ];
        fields.extend(self.options.info_fields.iter().cloned());
        let body = warc_fields(&fields);
        let mut header = String::with_capacity(400);
        header.push_str("WARC/1.1\r\n");
        header_line(&mut header, "WARC-Type", "warcinfo");
        header_line(&mut header, "WARC-Record-ID", &id);
        header_line(&mut header, "WARC-Date", &date);
        header_line(&mut header, "WARC-Filename", &self.file_name);
        let block: [&[u8]; 1] = [body.as_bytes()];
        header_line(
            &mut header,
            "WARC-Block-Digest",
            &format::sha1_digest(&block),
        );
        self.write_record(&Record {
            header: finish_header(header, "application/warc-fields", &block),
            block: &block,
        })?;
        self.info_end = self.offset;
        self.warcinfo_id = id;
        self.flush()
    }

    /// `WARC/1.1` line and the fields every non-warcinfo record has.
    fn common_header(&self, kind: &str, id: &str, date: &str, target: Option<&Url>) -> String {
        let mut h = String::with_capacity(600);
        h.push_str("WARC/1.1\r\n");
        header_line(&mut h, "WARC-Type", kind);
        header_line(&mut h, "WARC-Record-ID", id);
        header_line(&mut h, "WARC-Date", date);
        if let Some(t) = target {
            header_line(&mut h, "WARC-Target-URI", t.as_str());
        }
        header_line(&mut h, "WARC-Warcinfo-ID", &self.warcinfo_id);
        h
    }

    /// Compresses one record into its own gzip member and appends it.
    fn write_record(&mut self, record: &Record<'_>) -> Result<ArchiveRef, ArchiveError> {
        let offset = self.offset;
        let size: usize = record.block.iter().map(|b| b.len()).sum();
        let level = Compression::new(self.options.compression_level.min(9));
        let mut gz = GzEncoder::new(Vec::with_capacity(size / 3 + 1024), level);
        let compressed = (|| -> io::Result<Vec<u8>> {
            gz.write_all(record.header.as_bytes())?;
            for part in record.block {
                gz.write_all(part)?;
            }
            gz.write_all(b"\r\n\r\n")?;
            gz.finish()
        })()
        .map_err(|e| self.io_error(offset, e))?;
        if let Err(e) = self.file.write_all(&compressed) {
            self.broken = true;
            return Err(self.io_error(offset, e));
        }
        let length = compressed.len() as u64;
        self.offset += length;
        Ok(ArchiveRef {
            file: self.file_name.clone(),
            offset,
            length,
        })
    }

    fn io_error(&self, offset: u64, source: io::Error) -> ArchiveError {
        ArchiveError::Io {
            file: self.current_path().display().to_string(),
            offset,
            source,
        }
    }
}

/// Creates a file that did not exist, trying sequence numbers from `seq`.
fn open_new(dir: &Path, prefix: &str, seq: u32) -> Result<(File, String, u32), ArchiveError> {
    let stamp = Utc::of(SystemTime::now()).compact();
    let mut seq = seq;
    loop {
        let name = format!("{prefix}-{stamp}-{seq:05}.warc.gz");
        let path = dir.join(&name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((f, name, seq)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && seq < MAX_SEQ => seq += 1,
            Err(source) => {
                return Err(ArchiveError::Io {
                    file: path.display().to_string(),
                    offset: 0,
                    source,
                })
            }
        }
    }
}

fn header_line(h: &mut String, name: &str, value: &str) {
    h.push_str(name);
    h.push_str(": ");
    h.push_str(value);
    h.push_str("\r\n");
}

/// Adds `Content-Type`, `Content-Length` and the blank line.
fn finish_header(mut h: String, content_type: &str, block: &[&[u8]]) -> String {
    let len: usize = block.iter().map(|b| b.len()).sum();
    header_line(&mut h, "Content-Type", content_type);
    header_line(&mut h, "Content-Length", &len.to_string());
    h.push_str("\r\n");
    h
}

/// `application/warc-fields` body.
fn warc_fields(fields: &[(String, String)]) -> String {
    let mut s = String::new();
    for (name, value) in fields {
        let name = format::clean_name(name);
        if !name.is_empty() {
            header_line(&mut s, &name, &format::clean_value(value));
        }
    }
    s
}

/// HTTP status line and headers of the archived response, with the wire
/// headers renamed and a correct `Content-Length` last.
fn response_head(ex: &Exchange<'_>) -> String {
    let mut h = String::with_capacity(1024);
    let _ = write!(
        h,
        "HTTP/1.1 {} {}\r\n",
        ex.status,
        format::reason(ex.status)
    );
    for (name, value) in ex.response_headers {
        let name = format::clean_name(name);
        if name.is_empty() {
            continue;
        }
        let value = format::clean_value(value);
        if WIRE_HEADERS.iter().any(|w| name.eq_ignore_ascii_case(w)) {
            header_line(&mut h, &format!("{ORIGINAL_PREFIX}{name}"), &value);
        } else {
            header_line(&mut h, &name, &value);
        }
    }
    header_line(&mut h, "Content-Length", &ex.body.len().to_string());
    h.push_str("\r\n");
    h
}

/// The HTTP request block: `GET` line, `Host` unless given, the headers.
fn request_block(ex: &Exchange<'_>) -> String {
    let url = ex.target;
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let mut h = String::with_capacity(512);
    let _ = write!(h, "GET {path} HTTP/1.1\r\n");
    let has_host = ex
        .request_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"));
    if !has_host {
        let host = url.host_str().unwrap_or_default();
        match url.port() {
            Some(p) => header_line(&mut h, "Host", &format!("{host}:{p}")),
            None => header_line(&mut h, "Host", host),
        }
    }
    for (name, value) in ex.request_headers {
        let name = format::clean_name(name);
        if !name.is_empty() {
            header_line(&mut h, &name, &format::clean_value(value));
        }
    }
    h.push_str("\r\n");
    h
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn exchange<'a>(url: &'a Url, headers: &'a [(String, String)], body: &'a [u8]) -> Exchange<'a> {
        Exchange {
            target: url,
            date: UNIX_EPOCH,
            request_headers: &[],
            status: 200,
            response_headers: headers,
            body,
            truncated: false,
            ip: None,
        }
    }

    #[test]
    fn wire_headers_are_renamed_and_length_is_correct() {
        let url = Url::parse("https://kommun.se/a?b=1#frag").unwrap();
        let headers = vec![
            ("content-type".to_string(), "text/html".to_string()),
            ("content-encoding".to_string(), "gzip".to_string()),
            ("content-length".to_string(), "10".to_string()),
            ("x-evil".to_string(), "a\r\nSet-Cookie: x".to_string()),
        ];
        let head = response_head(&exchange(&url, &headers, b"hej"));
        assert_eq!(
            head,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\
             X-Infokoll-Original-content-encoding: gzip\r\n\
             X-Infokoll-Original-content-length: 10\r\n\
             x-evil: a  Set-Cookie: x\r\nContent-Length: 3\r\n\r\n"
        );
        let req = request_block(&exchange(&url, &headers, b""));
        assert_eq!(req, "GET /a?b=1 HTTP/1.1\r\nHost: kommun.se\r\n\r\n");
    }

    #[test]
    fn invalid_prefixes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["", "a/b", "../x", "å"] {
            assert!(matches!(
                WarcWriter::create(dir.path(), p),
                Err(ArchiveError::InvalidPrefix { .. })
            ));
        }
    }
}
