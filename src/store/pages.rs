//! Every fetch of a municipality's crawl, in crawl order, and the validators
//! (`ETag`, `Last-Modified`) that let a later run ask "has it changed?".
//!
//! A fetch row is committed on its own as soon as the response is archived,
//! so after a kill the resumed crawl can replay every URL already recorded
//! instead of fetching it again. Recording the same `(run, code, url)` again
//! keeps the first row: the replay points at the same WARC record.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{sql_error, write_tx, Result, RunId, Store};

/// Where a response is archived: a WARC file and the record's byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarcRef {
    /// The WARC file, as the audit names it (relative to the audit directory).
    pub file: String,
    /// Byte offset of the record in the file.
    pub offset: u64,
    /// Length of the (compressed) record in bytes.
    pub length: u64,
}

/// One fetch of a crawl.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchRow {
    /// Position in the municipality's crawl (0, 1, …).
    pub seq: u32,
    /// The URL asked for.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// The redirect hops, in order.
    pub redirects: Vec<String>,
    /// Clicks from the start page.
    pub depth: u32,
    /// True when the page is outside the municipality's domain.
    pub off_site: bool,
    /// The HTTP status; `None` when no response came.
    pub status: Option<u16>,
    /// The outcome: `response`, `disallowed`, `redirect_loop`,
    /// `too_many_redirects`, `timeout`, `transport` or `unsupported`.
    pub outcome_kind: String,
    /// The failure's reason, when there is one.
    pub outcome_text: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// SHA-256 of the body, lowercase hex (see [`content_hash`]).
    pub content_hash: Option<String>,
    /// Body length in bytes (after the body cap).
    pub body_length: Option<u64>,
    /// True when the body was cut at the size cap.
    pub truncated: bool,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    pub last_modified: Option<String>,
    /// When it was fetched (Unix ms, see [`unix_ms`](super::unix_ms)).
    pub fetched_at: i64,
    /// Where the response is archived.
    pub warc: Option<WarcRef>,
}

/// What a later run needs to send a conditional request for a URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validators {
    /// The (finished) run that fetched it.
    pub run_id: RunId,
    /// The `ETag` to send as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` to send as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// Where that run archived the body (to reuse on `304 Not Modified`).
    pub warc: WarcRef,
    /// SHA-256 of that body.
    pub content_hash: Option<String>,
    /// The URL after redirects then.
    pub final_url: String,
    /// When it was fetched (Unix ms).
    pub fetched_at: i64,
}

/// SHA-256 of `body` as 64 lowercase hex digits, for [`FetchRow::content_hash`].
pub fn content_hash(body: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(body)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

const FETCH_COLUMNS: &str = "seq, url, final_url, redirects_json, depth, off_site, status, \
     outcome_kind, outcome_text, content_type, content_hash, body_length, truncated, etag, \
     last_modified, fetched_at, warc_file, warc_offset, warc_length";

/// Reads a WARC reference from three columns starting at `first`.
pub(super) fn warc_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<WarcRef>> {
    let file: Option<String> = row.get(first)?;
    let offset: Option<u64> = row.get(first + 1)?;
    let length: Option<u64> = row.get(first + 2)?;
    Ok(match (file, offset) {
        (Some(file), Some(offset)) => Some(WarcRef {
            file,
            offset,
            length: length.unwrap_or(0),
        }),
        _ => None,
    })
}

/// Decodes a JSON column, reporting the column on failure.
pub(super) fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Encodes a value for a JSON column (plain strings and numbers cannot fail).
pub(super) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Reads a `fetches` row selected with [`FETCH_COLUMNS`].
fn fetch_from_row(row: &Row<'_>) -> rusqlite::Result<FetchRow> {
    Ok(FetchRow {
        seq: row.get(0)?,
        url: row.get(1)?,
        final_url: row.get(2)?,
        redirects: json_column(row, 3)?,
        depth: row.get(4)?,
        off_site: row.get(5)?,
        status: row.get(6)?,
        outcome_kind: row.get(7)?,
        outcome_text: row.get(8)?,
        content_type: row.get(9)?,
        content_hash: row.get(10)?,
        body_length: row.get(11)?,
        truncated: row.get(12)?,
        etag: row.get(13)?,
        last_modified: row.get(14)?,
        fetched_at: row.get(15)?,
        warc: warc_from_row(row, 16)?,
    })
}

impl Store {
    /// Records one fetch and commits it at once. A row for the same
    /// `(run, code, url)` already there is kept unchanged (a replayed fetch
    /// does not duplicate). Returns whether the row is new.
    ///
    /// The municipality must have been added to the run.
    pub fn record_fetch(&self, run: RunId, code: &str, row: &FetchRow) -> Result<bool> {
        insert_fetch(&self.conn, &self.path, run, code, row)
    }

    /// Records many fetches of one municipality in ONE transaction (rows
    /// already there are kept, as with [`Store::record_fetch`]); returns how
    /// many are new. Used to carry a run's fetches over into a new run.
    pub fn record_fetches(&mut self, run: RunId, code: &str, rows: &[FetchRow]) -> Result<usize> {
        let what = format!("record fetches of {code} in run {run}");
        let tx = write_tx(&mut self.conn, &self.path, &what)?;
        let mut added = 0;
        for row in rows {
            added += usize::from(insert_fetch(&tx, &self.path, run, code, row)?);
        }
        tx.commit()
            .map_err(|e| sql_error(&self.path, e, format_args!("{what}: commit")))?;
        Ok(added)
    }

    /// Every fetch of a municipality in a run, in crawl order.
    pub fn fetches(&self, run: RunId, code: &str) -> Result<Vec<FetchRow>> {
        let what = format!("read fetches of {code} in run {run}");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FETCH_COLUMNS} FROM fetches WHERE run_id = ?1 AND code = ?2 \
                 ORDER BY seq, id"
            ))
            .map_err(|e| self.sql_err(e, &what))?;
        let rows = stmt
            .query_map(params![run, code], fetch_from_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e, &what));
        rows
    }

    /// The fetch of `url` (as asked for) by a municipality's crawl in a run.
    pub fn fetch_by_url(&self, run: RunId, code: &str, url: &str) -> Result<Option<FetchRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {FETCH_COLUMNS} FROM fetches \
                     WHERE run_id = ?1 AND code = ?2 AND url = ?3"
                ),
                params![run, code, url],
                fetch_from_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e, format!("read fetch {url} of {code} in run {run}")))
    }

    /// How many fetches a municipality's crawl has recorded in a run.
    pub fn fetch_count(&self, run: RunId, code: &str) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM fetches WHERE run_id = ?1 AND code = ?2",
                params![run, code],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e, format!("count fetches of {code} in run {run}")))
    }

    /// The validators of the newest usable fetch of `url` (as asked for) in
    /// a finished run of this store: status 200 (or 304 with the reused
    /// body's reference), an `ETag` or `Last-Modified`, an archived, whole
    /// body. Unfinished runs (the current one) are ignored.
    ///
    /// For the previous year's audit in another directory, open that store
    /// with [`Store::open_readonly`] and ask it; the WARC file in the answer
    /// is relative to that directory.
    pub fn latest_validators(&self, url: &str) -> Result<Option<Validators>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.run_id, f.etag, f.last_modified, f.warc_file, f.warc_offset, \
                 f.warc_length, f.content_hash, f.final_url, f.fetched_at \
                 FROM fetches f JOIN runs r ON r.id = f.run_id \
                 WHERE f.url = ?1 AND r.finished_at IS NOT NULL \
                 AND f.status IN (200, 304) AND f.truncated = 0 \
                 AND (f.etag IS NOT NULL OR f.last_modified IS NOT NULL) \
                 AND f.warc_file IS NOT NULL AND f.warc_offset IS NOT NULL \
                 ORDER BY r.id DESC, f.fetched_at DESC, f.id DESC LIMIT 1",
            )
            .map_err(|e| self.sql_err(e, "prepare latest validators"))?;
        let found = stmt
            .query_row([url], |row| {
                let Some(warc) = warc_from_row(row, 3)? else {
                    return Ok(None);
                };
                Ok(Some(Validators {
                    run_id: row.get(0)?,
                    etag: row.get(1)?,
                    last_modified: row.get(2)?,
                    warc,
                    content_hash: row.get(6)?,
                    final_url: row.get(7)?,
                    fetched_at: row.get(8)?,
                }))
            })
            .optional()
            .map_err(|e| self.sql_err(e, format!("read validators of {url}")))?;
        Ok(found.flatten())
    }
}

/// Inserts one fetch row unless `(run, code, url)` is there already.
fn insert_fetch(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    run: RunId,
    code: &str,
    row: &FetchRow,
) -> Result<bool> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO fetches (run_id, code, seq, url, final_url, redirects_json, depth, \
             off_site, status, outcome_kind, outcome_text, content_type, content_hash, \
             body_length, truncated, etag, last_modified, fetched_at, warc_file, \
             warc_offset, warc_length) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
             ?17, ?18, ?19, ?20, ?21) \
             ON CONFLICT (run_id, code, url) DO NOTHING",
        )
        .map_err(|e| sql_error(path, e, format_args!("prepare record fetch")))?;
    let warc = row.warc.as_ref();
    let added = stmt
        .execute(params![
            run,
            code,
            row.seq,
            row.url,
            row.final_url,
            to_json(&row.redirects),
            row.depth,
            row.off_site,
            row.status,
            row.outcome_kind,
            row.outcome_text,
            row.content_type,
            row.content_hash,
            row.body_length,
            row.truncated,
            row.etag,
            row.last_modified,
            row.fetched_at,
            warc.map(|w| w.file.as_str()),
            warc.map(|w| w.offset),
            warc.map(|w| w.length),
        ])
        .map_err(|e| {
            sql_error(
                path,
                e,
                format_args!("record fetch {} of {code} in run {run}", row.url),
            )
        })?;
    Ok(added == 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::super::runs::tests::muni;
    use super::super::tests::temp_store;
    use super::super::Store;
    use super::*;

    /// A successful fetch row for tests.
    pub(crate) fn fetch(seq: u32, url: &str) -> FetchRow {
        FetchRow {
            seq,
            url: url.into(),
            final_url: format!("{url}?final"),
            redirects: vec![format!("{url}?hop")],
            depth: seq,
            off_site: false,
            status: Some(200),
            outcome_kind: "response".into(),
            outcome_text: None,
            content_type: Some("text/html; charset=utf-8".into()),
            content_hash: Some(content_hash(url.as_bytes())),
            body_length: Some(1234),
            truncated: false,
            etag: Some(format!("\"{seq}\"")),
            last_modified: Some("Mon, 02 Mar 2026 10:00:00 GMT".into()),
            fetched_at: 1_770_000_000_000 + i64::from(seq),
            warc: Some(WarcRef {
                file: "warc/infokoll-00001.warc.gz".into(),
                offset: 1000 * u64::from(seq),
                length: 999,
            }),
        }
    }

    fn store_with_run(code: &str) -> (tempfile::TempDir, Store, RunId) {
        let (dir, mut store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        store.add_municipalities(run, &[muni(code)]).unwrap();
        (dir, store, run)
    }

    #[test]
    fn content_hash_is_sha256_hex() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn record_and_replay_are_idempotent() {
        let (_dir, store, run) = store_with_run("0188");
        let a = fetch(0, "https://k.example/");
        let b = fetch(1, "https://k.example/omsorg");
        let mut failed = fetch(2, "https://k.example/slow");
        failed.status = None;
        failed.outcome_kind = "timeout".into();
        failed.outcome_text = Some("30 s".into());
        failed.warc = None;
        failed.etag = None;
        failed.content_hash = None;
        // Recorded out of order: read back by seq.
        for row in [&b, &a, &failed] {
            assert!(store.record_fetch(run, "0188", row).unwrap());
        }
        // A replay of the crawl records the same URLs again.
        let mut replay = a.clone();
        replay.fetched_at += 60_000;
        replay.warc = None;
        assert!(!store.record_fetch(run, "0188", &replay).unwrap());
        assert!(!store.record_fetch(run, "0188", &b).unwrap());
        let rows = store.fetches(run, "0188").unwrap();
        assert_eq!(rows, vec![a.clone(), b, failed.clone()]);
        assert_eq!(store.fetch_count(run, "0188").unwrap(), 3);
        assert_eq!(store.fetch_by_url(run, "0188", &a.url).unwrap().unwrap(), a);
        assert_eq!(
            store
                .fetch_by_url(run, "0188", &failed.url)
                .unwrap()
                .unwrap(),
            failed
        );
        assert!(store
            .fetch_by_url(run, "0188", "https://k.example/x")
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_fetch_needs_its_municipality() {
        let (_dir, store, run) = store_with_run("0188");
        let err = store
            .record_fetch(run, "9999", &fetch(0, "https://k.example/"))
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("9999") && text.contains("https://k.example/"),
            "{text}"
        );
    }

    #[test]
    fn validators_come_from_the_latest_finished_run() {
        let (_dir, mut store, first) = store_with_run("0188");
        let url = "https://k.example/omsorg";
        store.record_fetch(first, "0188", &fetch(3, url)).unwrap();
        // Not finished yet: nothing to offer.
        assert!(store.latest_validators(url).unwrap().is_none());
        store.finish_run(first).unwrap();
        let v = store.latest_validators(url).unwrap().unwrap();
        assert_eq!((v.run_id, v.etag.as_deref()), (first, Some("\"3\"")));
        assert_eq!(v.warc.offset, 3000);

        let second = store.begin_run(2027, &serde_json::json!({})).unwrap();
        store.add_municipalities(second, &[muni("0188")]).unwrap();
        let mut newer = fetch(5, url);
        newer.etag = Some("\"new\"".into());
        store.record_fetch(second, "0188", &newer).unwrap();
        // The running second run is ignored until it is finished.
        assert_eq!(store.latest_validators(url).unwrap().unwrap().run_id, first);
        store.finish_run(second).unwrap();
        let v = store.latest_validators(url).unwrap().unwrap();
        assert_eq!((v.run_id, v.etag.as_deref()), (second, Some("\"new\"")));

        // Rows without validators, archive or whole body do not count.
        let third = store.begin_run(2028, &serde_json::json!({})).unwrap();
        store.add_municipalities(third, &[muni("0188")]).unwrap();
        let mut bare = fetch(0, url);
        bare.etag = None;
        bare.last_modified = None;
        store.record_fetch(third, "0188", &bare).unwrap();
        let mut cut = fetch(1, "https://k.example/cut");
        cut.truncated = true;
        store.record_fetch(third, "0188", &cut).unwrap();
        store.finish_run(third).unwrap();
        assert_eq!(
            store.latest_validators(url).unwrap().unwrap().run_id,
            second
        );
        assert!(store.latest_validators(&cut.url).unwrap().is_none());
    }

    #[test]
    fn validators_from_a_previous_store() {
        let (dir, store, run) = store_with_run("0188");
        let url = "https://k.example/";
        store.record_fetch(run, "0188", &fetch(0, url)).unwrap();
        store.finish_run(run).unwrap();
        drop(store);
        let previous = Store::open_readonly(dir.path().join(super::super::FILE_NAME)).unwrap();
        assert!(previous.latest_validators(url).unwrap().is_some());
    }
}
