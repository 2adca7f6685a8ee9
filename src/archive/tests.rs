//! Round-trip tests of the archive: writer → file → readers (ours and the
//! `warc` crate).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use flate2::read::{GzDecoder, MultiGzDecoder};
use url::Url;

use super::format::base32;
use super::*;

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect()
}

struct Case {
    url: Url,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    truncated: bool,
}

fn cases() -> Vec<Case> {
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let utf8 = "<p>Hemtjänst i Åre – äldreomsorg för dig över 65 år. Ansök hos kommunen.</p>";
    let latin1 = b"<p>Hemtj\xe4nst f\xf6r \xe4ldre i \xc5re</p>\r\n\r\n".to_vec();
    let case = |url: &str, status, headers, body: Vec<u8>, truncated| Case {
        url: Url::parse(url).unwrap(),
        status,
        headers,
        body,
        truncated,
    };
    vec![
        case(
            "https://www.are.se/omsorg/hemtjanst?x=1&y=%C3%A5",
            200,
            h(&[
                ("content-type", "text/html; charset=utf-8"),
                ("content-encoding", "gzip"),
                ("content-length", "123"),
                ("etag", "\"abc\""),
            ]),
            utf8.as_bytes().to_vec(),
            false,
        ),
        case(
            "http://127.0.0.1:8080/latin1.html",
            200,
            h(&[("content-type", "text/html; charset=iso-8859-1")]),
            latin1,
            false,
        ),
        case(
            "https://kommun.se/fil.pdf",
            200,
            h(&[
                ("content-type", "application/pdf"),
                ("transfer-encoding", "chunked"),
            ]),
            binary,
            true,
        ),
        case("https://kommun.se/tom", 204, Vec::new(), Vec::new(), false),
        case(
            "https://kommun.se/saknas",
            404,
            h(&[("content-type", "text/plain"), ("x-custom", "ö")]),
            b"finns inte".to_vec(),
            false,
        ),
    ]
}

fn exchange(c: &Case) -> Exchange<'_> {
    Exchange {
        target: &c.url,
        date: UNIX_EPOCH + Duration::from_secs(1_709_210_096),
        request_headers: &[],
        status: c.status,
        response_headers: &c.headers,
        body: &c.body,
        truncated: c.truncated,
        ip: Some(IpAddr::from([127, 0, 0, 1])),
    }
}

/// Writes all cases into one file; returns the refs.
fn write_all(dir: &Path, cases: &[Case]) -> (String, Vec<ArchiveRef>) {
    let mut w = WarcWriter::create(dir, "test").unwrap();
    let req = h(&[("User-Agent", "infokoll-test"), ("Accept", "*/*")]);
    let mut refs = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let mut ex = exchange(c);
        if i == 0 {
            ex.request_headers = &req;
        }
        refs.push(w.write_exchange(&ex).unwrap());
    }
    w.sync().unwrap();
    (w.current_file().to_string(), refs)
}

#[test]
fn exchanges_round_trip_through_random_access() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let (file, refs) = write_all(dir.path(), &cases);
    assert!(file.starts_with("test-") && file.ends_with("-00000.warc.gz"));
    for (c, r) in cases.iter().zip(&refs) {
        assert_eq!(r.file, file);
        let got = read_record(dir.path(), r).unwrap();
        assert_eq!(got.target, c.url);
        assert_eq!(got.date, "2024-02-29T12:34:56Z");
        assert_eq!(got.status, c.status);
        assert_eq!(got.headers, c.headers, "headers of {}", c.url);
        assert_eq!(got.body, c.body);
        assert_eq!(got.truncated, c.truncated);
    }
    let first = read_record(dir.path(), &refs[0]).unwrap();
    assert_eq!(first.header("Content-Encoding"), Some("gzip"));
    // Refs survive serialisation (they go to SQLite as JSON or columns).
    let json = serde_json::to_string(&refs[2]).unwrap();
    assert_eq!(serde_json::from_str::<ArchiveRef>(&json).unwrap(), refs[2]);
}

#[test]
fn every_record_is_its_own_gzip_member_with_correct_digests() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let (file, refs) = write_all(dir.path(), &cases);
    let bytes = std::fs::read(dir.path().join(&file)).unwrap();

    let records: Vec<WarcRecord> = WarcReader::open(&dir.path().join(&file))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r.record_type().unwrap()).collect();
    let mut expected = vec!["warcinfo"];
    expected.extend(cases.iter().flat_map(|_| ["response", "request"]));
    assert_eq!(kinds, expected);
    assert_eq!(records[0].offset, 0);

    let mut next = 0;
    for r in &records {
        // Members tile the file exactly.
        assert_eq!(r.offset, next);
        next = r.offset + r.length;
        // Each slice inflates alone, to exactly one record.
        let slice = &bytes[r.offset as usize..next as usize];
        let mut plain = Vec::new();
        GzDecoder::new(slice).read_to_end(&mut plain).unwrap();
        assert!(plain.starts_with(b"WARC/1.1\r\n"));
        assert!(plain.ends_with(b"\r\n\r\n"));
        let mut all = Vec::new();
        MultiGzDecoder::new(slice).read_to_end(&mut all).unwrap();
        assert_eq!(all, plain);

        assert_eq!(r.version, "WARC/1.1");
        let digest = sha1_smol::Sha1::from(&r.block).digest().bytes();
        assert_eq!(
            r.header("WARC-Block-Digest").unwrap(),
            format!("sha1:{}", base32(&digest))
        );
        assert_eq!(base32(&digest).len(), 32);
        assert!(r
            .header("WARC-Record-ID")
            .unwrap()
            .starts_with("<urn:uuid:"));
    }
    assert_eq!(next, bytes.len() as u64);

    let info = String::from_utf8(records[0].block.clone()).unwrap();
    assert!(info.contains(&format!(
        "software: infokoll/{}\r\n",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(info.contains("robots: obey\r\n"));
    assert_eq!(records[0].header("WARC-Filename"), Some(file.as_str()));
    let info_id = records[0].header("WARC-Record-ID").unwrap();

    let responses: Vec<&WarcRecord> = records
        .iter()
        .filter(|r| r.record_type() == Some("response"))
        .collect();
    for ((resp, c), r) in responses.iter().zip(&cases).zip(&refs) {
        assert_eq!((resp.offset, resp.length), (r.offset, r.length));
        assert_eq!(resp.header("WARC-Target-URI"), Some(c.url.as_str()));
        assert_eq!(resp.header("WARC-IP-Address"), Some("127.0.0.1"));
        assert_eq!(resp.header("WARC-Warcinfo-ID"), Some(info_id));
        assert_eq!(
            resp.header("Content-Type"),
            Some("application/http;msgtype=response")
        );
        assert_eq!(
            resp.header("WARC-Truncated"),
            c.truncated.then_some("length")
        );
        let payload = sha1_smol::Sha1::from(&c.body).digest().bytes();
        assert_eq!(
            resp.header("WARC-Payload-Digest").unwrap(),
            format!("sha1:{}", base32(&payload))
        );
        let head_len = resp.block.len() - c.body.len();
        let head = std::str::from_utf8(&resp.block[..head_len]).unwrap();
        assert!(head.ends_with(&format!("\r\nContent-Length: {}\r\n\r\n", c.body.len())));
        assert_eq!(head.matches("Content-Length:").count(), 1);
    }
    // Each request follows its response and points at it.
    for pair in records[1..].chunks(2) {
        assert_eq!(
            pair[1].header("WARC-Concurrent-To"),
            pair[0].header("WARC-Record-ID")
        );
        assert_eq!(
            pair[1].header("WARC-Target-URI"),
            pair[0].header("WARC-Target-URI")
        );
    }
    let req = String::from_utf8(records[2].block.clone()).unwrap();
    assert_eq!(
        req,
        "GET /omsorg/hemtjanst?x=1&y=%C3%A5 HTTP/1.1\r\nHost: www.are.se\r\n\
         User-Agent: infokoll-test\r\nAccept: */*\r\n\r\n"
    );
    let req = String::from_utf8(records[4].block.clone()).unwrap();
    assert_eq!(
        req,
        "GET /latin1.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
    );
}

#[test]
fn the_warc_crate_reads_our_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let (file, _) = write_all(dir.path(), &cases);
    let gz = MultiGzDecoder::new(std::fs::File::open(dir.path().join(&file)).unwrap());
    let reader = warc::WarcReader::new(BufReader::new(gz));
    let records: Vec<_> = reader.iter_records().collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 1 + 2 * cases.len());
    assert_eq!(records[0].warc_type(), &warc::RecordType::WarcInfo);
    assert_eq!(records[1].warc_type(), &warc::RecordType::Response);
    assert_eq!(records[2].warc_type(), &warc::RecordType::Request);
    assert_eq!(records[1].date().to_rfc3339(), "2024-02-29T12:34:56+00:00");
    // warc 0.4 keeps WARC-Truncated as a plain header.
    let truncated = records[5].header(warc::WarcHeader::Truncated).unwrap();
    assert_eq!(truncated, "length");
    assert!(records[5].body().ends_with(&cases[2].body));
}

#[test]
fn a_file_cut_inside_the_last_record_keeps_earlier_records() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let (file, refs) = write_all(dir.path(), &cases);
    let path = dir.path().join(&file);
    let bytes = std::fs::read(&path).unwrap();
    let last_request = WarcReader::open(&path).unwrap().last().unwrap().unwrap();
    let last = refs.last().unwrap();
    for cut in [
        last.offset + last.length / 2, // inside the last response
        last.offset + 5,               // inside its gzip header
        last.offset + last.length - 3, // inside its gzip trailer
        last_request.offset + last_request.length - 1,
    ] {
        let name = format!("cut-{cut}.warc.gz");
        std::fs::write(dir.path().join(&name), &bytes[..cut as usize]).unwrap();
        let items: Vec<_> = WarcReader::open(&dir.path().join(&name)).unwrap().collect();
        let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
        assert_eq!(err.len(), 1, "cut at {cut}");
        let offset = match &err[0] {
            Err(ArchiveError::Truncated { offset, .. }) => *offset,
            other => panic!("cut at {cut}: {other:?}"),
        };
        let complete = if cut > last.offset + last.length {
            2 * cases.len()
        } else {
            1 + 2 * (cases.len() - 1)
        };
        assert_eq!(ok.len(), complete, "cut at {cut}");
        assert!(offset < cut);
        for r in &refs[..refs.len() - 1] {
            let moved = ArchiveRef {
                file: name.clone(),
                ..r.clone()
            };
            assert!(read_record(dir.path(), &moved).is_ok());
        }
        if cut < last.offset + last.length {
            let moved = ArchiveRef {
                file: name.clone(),
                ..last.clone()
            };
            assert!(matches!(
                read_record(dir.path(), &moved),
                Err(ArchiveError::Truncated { .. })
            ));
        }
    }
    // Cut exactly between records: a clean end, no error.
    let name = "cut-clean.warc.gz";
    std::fs::write(dir.path().join(name), &bytes[..last.offset as usize]).unwrap();
    let items: Vec<_> = WarcReader::open(&dir.path().join(name)).unwrap().collect();
    assert!(items.iter().all(Result::is_ok));
    assert_eq!(items.len(), 1 + 2 * (cases.len() - 1));
}

#[test]
fn new_writers_never_reuse_or_touch_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let (first, _) = write_all(dir.path(), &cases);
    let size = std::fs::metadata(dir.path().join(&first)).unwrap().len();
    let mut names = HashSet::from([first.clone()]);
    for _ in 0..5 {
        let mut w = WarcWriter::create(dir.path(), "test").unwrap();
        w.write_exchange(&exchange(&cases[0])).unwrap();
        assert!(names.insert(w.current_file().to_string()));
    }
    assert_eq!(
        std::fs::metadata(dir.path().join(&first)).unwrap().len(),
        size
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 6);
}

#[test]
fn writers_roll_over_to_new_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let options = WriterOptions {
        max_file_bytes: 1,
        info_fields: h(&[("isPartOf", "audit-2025")]),
        ..WriterOptions::default()
    };
    let mut w = WarcWriter::create_with(dir.path(), "roll", options).unwrap();
    let refs: Vec<ArchiveRef> = cases
        .iter()
        .map(|c| w.write_exchange(&exchange(c)).unwrap())
        .collect();
    let meta = w
        .write_metadata(
            &cases[0].url,
            UNIX_EPOCH,
            &h(&[("outcome", "disallowed"), ("reason", "robots.txt")]),
        )
        .unwrap();
    let files: HashSet<&str> = refs.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(files.len(), cases.len());
    assert!(!files.contains(meta.file.as_str()));
    for (c, r) in cases.iter().zip(&refs) {
        assert_eq!(read_record(dir.path(), r).unwrap().body, c.body);
        let records: Vec<WarcRecord> = WarcReader::open(&dir.path().join(&r.file))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let kinds: Vec<_> = records.iter().filter_map(WarcRecord::record_type).collect();
        assert_eq!(kinds, ["warcinfo", "response", "request"]);
        assert!(String::from_utf8_lossy(&records[0].block).contains("isPartOf: audit-2025\r\n"));
    }
    let records: Vec<WarcRecord> = WarcReader::open(&dir.path().join(&meta.file))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records[1].record_type(), Some("metadata"));
    assert_eq!(
        records[1].block,
        b"outcome: disallowed\r\nreason: robots.txt\r\n"
    );
    assert!(matches!(
        read_record(dir.path(), &meta),
        Err(ArchiveError::Malformed { .. })
    ));
}
