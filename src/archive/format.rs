//! Small pieces of the WARC 1.1 format shared by the writer and the reader:
//! dates, SHA-1 digests in base32, record ids, header sanitising and the
//! HTTP reason phrases.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// Prefix of the HTTP headers under which the original values of headers
/// that no longer describe the archived (decoded) body are kept.
pub(crate) const ORIGINAL_PREFIX: &str = "X-Infokoll-Original-";

/// Response headers that describe the transfer of the body as it was on the
/// wire; they are renamed with [`ORIGINAL_PREFIX`] in the archive.
pub(crate) const WIRE_HEADERS: [&str; 3] =
    ["content-encoding", "transfer-encoding", "content-length"];

/// `sha1:<base32>` digest of `data`, as used in `WARC-Block-Digest`.
pub(crate) fn sha1_digest(data: &[&[u8]]) -> String {
    let mut h = sha1_smol::Sha1::new();
    for part in data {
        h.update(part);
    }
    format!("sha1:{}", base32(&h.digest().bytes()))
}

/// RFC 4648 base32 (upper case, with `=` padding when needed).
pub(crate) fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                let idx = (bits >> (35 - 5 * i)) & 0x1f;
                out.push(char::from(ALPHABET[idx as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// UTC calendar time of a moment, for WARC dates and file names.
///
/// Formatting comes from `humantime` (RFC 3339, UTC, whole seconds); times
/// before 1970 are clamped to 1970.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Utc(String);

impl Utc {
    /// UTC calendar time of `t`.
    pub(crate) fn of(t: SystemTime) -> Utc {
        let t = if t < UNIX_EPOCH { UNIX_EPOCH } else { t };
        Utc(humantime::format_rfc3339_seconds(t).to_string())
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, the `WARC-Date` form.
    pub(crate) fn warc_date(&self) -> String {
        self.0.clone()
    }

    /// `YYYYMMDDhhmmss`, used in file names.
    pub(crate) fn compact(&self) -> String {
        self.0.chars().filter(char::is_ascii_digit).collect()
    }
}

/// Generator of `<urn:uuid:…>` record ids: SHA-1 of a random per-writer
/// seed and a counter, shaped as a version 4 UUID.
#[derive(Debug)]
pub(crate) struct IdGen {
    seed: [u8; 16],
    counter: u64,
}

impl IdGen {
    /// A generator with a fresh seed from the operating system (falls back
    /// to time and process id if the OS has no randomness to give).
    pub(crate) fn new() -> IdGen {
        let mut seed = [0u8; 16];
        if getrandom::fill(&mut seed).is_err() {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            seed[..12].copy_from_slice(&nanos.to_le_bytes()[..12]);
            seed[12..].copy_from_slice(&std::process::id().to_le_bytes());
        }
        IdGen { seed, counter: 0 }
    }

    /// The next record id, with angle brackets.
    pub(crate) fn next_id(&mut self) -> String {
        self.counter += 1;
        let mut h = sha1_smol::Sha1::new();
        h.update(&self.seed);
        h.update(&self.counter.to_le_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&h.digest().bytes()[..16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = b.iter().fold(String::with_capacity(32), |mut acc, x| {
            let _ = write!(acc, "{x:02x}");
            acc
        });
        format!(
            "<urn:uuid:{}-{}-{}-{}-{}>",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

/// A header name reduced to RFC 9110 token characters (empty if nothing is
/// left, in which case the header is dropped).
pub(crate) fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(*c))
        .collect()
}

/// A header value on one line: CR, LF and other control characters become
/// spaces, surrounding white space is trimmed.
pub(crate) fn clean_value(value: &str) -> String {
    let v: String = value
        .chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect();
    v.trim().to_string()
}

/// The standard reason phrase of an HTTP status ("" when unknown).
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn base32_matches_rfc4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fo"), "MZXQ====");
        assert_eq!(base32(b"foo"), "MZXW6===");
        assert_eq!(base32(b"foob"), "MZXW6YQ=");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
    }

    #[test]
    fn sha1_of_empty_is_the_well_known_value() {
        // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709
        assert_eq!(sha1_digest(&[b""]), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
        assert_eq!(sha1_digest(&[b"ab", b"c"]), sha1_digest(&[b"abc"]));
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29T12:34:56Z
        assert_eq!(Utc::of(t).warc_date(), "2024-02-29T12:34:56Z");
        assert_eq!(Utc::of(t).compact(), "20240229123456");
        assert_eq!(Utc::of(UNIX_EPOCH).warc_date(), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(Utc::of(t).warc_date(), "2000-02-29T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_599);
        assert_eq!(Utc::of(t).warc_date(), "2024-12-31T23:59:59Z");
    }

    #[test]
    fn ids_are_unique_uuid_urns() {
        let mut g = IdGen::new();
        let a = g.next_id();
        let b = g.next_id();
        assert_ne!(a, b);
        assert_ne!(a, IdGen::new().next_id());
        assert_eq!(a.len(), "<urn:uuid:>".len() + 36);
        assert!(a.starts_with("<urn:uuid:") && a.ends_with('>'));
        assert_eq!(&a[24..25], "4");
    }

    #[test]
    fn header_parts_are_sanitised() {
        assert_eq!(clean_name("X-Foo: bar"), "X-Foobar");
        assert_eq!(clean_value(" a\r\nb "), "a  b");
        assert_eq!(reason(404), "Not Found");
        assert_eq!(reason(299), "");
    }
}
