//! Web archive of every fetched response, as WARC/1.1 files with one gzip
//! member per record (`.warc.gz`), readable by standard WARC tools.
//!
//! * [`WarcWriter`] always creates a **new** file
//!   `<prefix>-<YYYYMMDDhhmmss>-<seq>.warc.gz` (never appends: after a crash
//!   the last file may end in a partial record), starts it with a `warcinfo`
//!   record and rolls over to a new file after [`WriterOptions::max_file_bytes`].
//! * [`WarcWriter::write_exchange`] writes a `response` record followed by a
//!   `request` record (`WARC-Concurrent-To` the response) and returns an
//!   [`ArchiveRef`] (file name, offset and compressed length of the response
//!   record's gzip member) for random access with [`read_record`].
//! * [`WarcReader`] iterates all records of a file and reports a truncated
//!   last record as [`ArchiveError::Truncated`] instead of failing earlier
//!   records.
//!
//! ## The archived HTTP message
//!
//! The fetcher hands over the body already decoded (no gzip/br, no
//! chunking), so the archived response says so: the response headers
//! `Content-Encoding`, `Transfer-Encoding` and `Content-Length` are kept
//! under the names `X-Infokoll-Original-<name>` (same place, same value) and
//! a correct `Content-Length` of the archived body ends the header block.
//! `WARC-Payload-Digest` is the SHA-1 of that archived (decoded) body. A body
//! cut at the fetcher's limit gets `WARC-Truncated: length`.
//! [`read_record`] undoes the renaming, so [`ArchivedResponse::headers`] are
//! the headers the fetcher saw (less CR/LF and other control characters).
//!
//! Non-HTTP outcomes (robots disallow, timeout, …) can be recorded with
//! [`WarcWriter::write_metadata`] as `metadata` records
//! (`application/warc-fields`).

mod format;
mod reader;
mod writer;

#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use url::Url;

pub use reader::{read_record, WarcReader, WarcRecord};
pub use writer::{WarcWriter, WriterOptions, DEFAULT_MAX_FILE_BYTES};

/// Where one archived response record lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArchiveRef {
    /// File name (not path) inside the archive directory.
    pub file: String,
    /// Byte offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of that gzip member in bytes.
    pub length: u64,
}

/// One HTTP exchange to archive.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The URL that was requested (the hop that gave this response).
    pub target: &'a Url,
    /// When the response was received.
    pub date: SystemTime,
    /// Request headers that were sent; may be empty (a minimal `GET` with
    /// `Host` is archived then).
    pub request_headers: &'a [(String, String)],
    /// HTTP status code.
    pub status: u16,
    /// Response headers as received.
    pub response_headers: &'a [(String, String)],
    /// The body, already decoded (content and transfer encodings removed).
    pub body: &'a [u8],
    /// True when the body was cut at the fetcher's size limit.
    pub truncated: bool,
    /// IP address of the server, when known.
    pub ip: Option<IpAddr>,
}

/// A response read back from the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedResponse {
    /// `WARC-Target-URI`.
    pub target: Url,
    /// `WARC-Date` as written (`YYYY-MM-DDThh:mm:ssZ`).
    pub date: String,
    /// HTTP status code.
    pub status: u16,
    /// Response headers as the fetcher saw them (the archive's
    /// `X-Infokoll-Original-*` renaming undone, its own `Content-Length`
    /// left out).
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub body: Vec<u8>,
    /// True when the record says `WARC-Truncated`.
    pub truncated: bool,
}

impl ArchivedResponse {
    /// First value of a response header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Errors of the archive, each naming the file (and offset when it matters).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading or writing a file failed.
    #[error("in-/utmatningsfel i WARC-filen {file} vid position {offset}: {source}")]
    Io {
        /// File name or path.
        file: String,
        /// Byte offset of the record concerned.
        offset: u64,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file ends inside a record (typical after a crash).
    #[error("WARC-filen {file} tar slut mitt i en post vid position {offset}")]
    Truncated {
        /// File name or path.
        file: String,
        /// Byte offset where the incomplete record starts.
        offset: u64,
    },
    /// A record could not be understood.
    #[error("felaktig WARC-post i {file} vid position {offset}: {reason}")]
    Malformed {
        /// File name or path.
        file: String,
        /// Byte offset of the record.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The file name prefix is empty or has characters other than
    /// `A–Z a–z 0–9 . _ -`.
    #[error("ogiltigt prefix för WARC-filer: {prefix:?} (tillåtet: A–Z, a–z, 0–9, '.', '_', '-')")]
    InvalidPrefix {
        /// The prefix given.
        prefix: String,
    },
    /// An [`ArchiveRef`] names something that is not a plain file name.
    #[error("ogiltigt namn på WARC-fil: {file:?}")]
    InvalidFileName {
        /// The name given.
        file: String,
    },
}
