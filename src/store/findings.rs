//! The outcome of a municipality: one verdict per checklist item with its
//! evidence, written in the same transaction that marks the municipality
//! done — a crash never leaves half a municipality marked done.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::pages::{json_column, to_json, warc_from_row};
use super::{
    now_ms, sql_error, write_tx, MunicipalityStatus, Result, RunId, Store, StoreError, WarcRef,
};

/// The verdict on one checklist item for one municipality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictRow {
    /// The item id.
    pub item: String,
    /// Whether the item counts as present.
    pub found: bool,
    /// Confidence, 0–1.
    pub confidence: f64,
    /// True when a reviewer should look.
    pub flagged: bool,
    /// For a missing item flagged "osäker – granskas": why (low coverage, strong near miss).
    pub uncertain: Option<String>,
    /// Supporting evidence, best first (stored with rank 0, 1, …).
    pub evidence: Vec<EvidenceRow>,
}

/// One piece of evidence behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRow {
    /// The page the evidence is on.
    pub url: String,
    /// The sentence, link, form or frame, as on the page.
    pub snippet: String,
    /// Byte ranges of `snippet` with the matched words.
    pub highlights: Vec<(usize, usize)>,
    /// The id of the signal that fired.
    pub signal: String,
    /// What kind of signal (its code).
    pub kind: String,
    /// The signal's weight.
    pub weight: f64,
    /// The headings above the evidence.
    pub context: String,
    /// The target of a link or frame signal.
    pub target: Option<String>,
    /// Clicks from the start page.
    pub depth: u32,
    /// True when the page is outside the municipality's domain.
    pub off_site: bool,
    /// The archived page. When `None` on writing, the store fills it in from
    /// the municipality's fetch of `url` (matched on the final URL first).
    pub warc: Option<WarcRef>,
}

const EVIDENCE_COLUMNS: &str = "url, snippet, highlights_json, signal, kind, weight, context, \
     target, depth, off_site, warc_file, warc_offset, warc_length";

/// Reads an `evidence` row selected with [`EVIDENCE_COLUMNS`] starting at
/// column `at`.
fn evidence_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<EvidenceRow> {
    Ok(EvidenceRow {
        url: row.get(at)?,
        snippet: row.get(at + 1)?,
        highlights: json_column(row, at + 2)?,
        signal: row.get(at + 3)?,
        kind: row.get(at + 4)?,
        weight: row.get(at + 5)?,
        context: row.get(at + 6)?,
        target: row.get(at + 7)?,
        depth: row.get(at + 8)?,
        off_site: row.get(at + 9)?,
        warc: warc_from_row(row, at + 10)?,
    })
}

impl Store {
    /// Writes a municipality's verdicts and evidence and marks it done with
    /// its site status, in ONE transaction: on any error nothing is written
    /// and the municipality keeps its status.
    ///
    /// Refused when the municipality is missing or already done.
    pub fn finish_municipality(
        &mut self,
        run: RunId,
        code: &str,
        site_status: &str,
        reason: Option<&str>,
        pages_fetched: u32,
        verdicts: &[VerdictRow],
    ) -> Result<()> {
        let what = format!("finish {code} in run {run}");
        let status: Option<MunicipalityStatus> = self
            .conn
            .query_row(
                "SELECT status FROM municipalities WHERE run_id = ?1 AND code = ?2",
                params![run, code],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_err(e, &what))?;
        match status {
            None => return Err(self.not_startable(run, code)),
            Some(MunicipalityStatus::Done) => {
                return Err(StoreError::AlreadyDone {
                    path: self.path.clone(),
                    run: run.0,
                    code: code.to_string(),
                })
            }
            Some(_) => {}
        }
        let path = &self.path;
        let err = |e, step: &str| sql_error(path, e, format_args!("{what}: {step}"));
        let tx = write_tx(&mut self.conn, path, &what)?;
        {
            let mut add_verdict = tx
                .prepare_cached(
                    "INSERT INTO verdicts (run_id, code, item, found, confidence, flagged, \
                     uncertain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(|e| err(e, "prepare verdict"))?;
            let mut add_evidence = tx
                .prepare_cached(
                    "INSERT INTO evidence (run_id, code, item, rank, url, snippet, \
                     highlights_json, signal, kind, weight, context, target, depth, off_site, \
                     warc_file, warc_offset, warc_length) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                     ?16, ?17)",
                )
                .map_err(|e| err(e, "prepare evidence"))?;
            let mut find_warc = tx
                .prepare_cached(
                    "SELECT warc_file, warc_offset, warc_length FROM fetches \
                     WHERE run_id = ?1 AND code = ?2 AND (final_url = ?3 OR url = ?3) \
                     AND warc_file IS NOT NULL AND warc_offset IS NOT NULL \
                     ORDER BY final_url = ?3 DESC, seq LIMIT 1",
                )
                .map_err(|e| err(e, "prepare archive lookup"))?;
            for verdict in verdicts {
                let item = verdict.item.as_str();
                add_verdict
                    .execute(params![
                        run,
                        code,
                        item,
                        verdict.found,
                        verdict.confidence,
                        verdict.flagged,
                        verdict.uncertain
                    ])
                    .map_err(|e| err(e, &format!("verdict {item}")))?;
                for (rank, ev) in verdict.evidence.iter().enumerate() {
                    let warc = match &ev.warc {
                        Some(warc) => Some(warc.clone()),
                        None => find_warc
                            .query_row(params![run, code, ev.url], |r| warc_from_row(r, 0))
                            .optional()
                            .map_err(|e| err(e, &format!("archive of {}", ev.url)))?
                            .flatten(),
                    };
                    add_evidence
                        .execute(params![
                            run,
                            code,
                            item,
                            rank,
                            ev.url,
                            ev.snippet,
                            to_json(&ev.highlights),
                            ev.signal,
                            ev.kind,
                            ev.weight,
                            ev.context,
                            ev.target,
                            ev.depth,
                            ev.off_site,
                            warc.as_ref().map(|w| w.file.as_str()),
                            warc.as_ref().map(|w| w.offset),
                            warc.as_ref().map(|w| w.length),
                        ])
                        .map_err(|e| err(e, &format!("evidence {rank} of {item}")))?;
                }
            }
            tx.execute(
                "UPDATE municipalities SET status = 'done', site_status = ?3, site_reason = ?4, \
                 pages_fetched = ?5, started_at = COALESCE(started_at, ?6), finished_at = ?6 \
                 WHERE run_id = ?1 AND code = ?2",
                params![run, code, site_status, reason, pages_fetched, now_ms()],
            )
            .map_err(|e| err(e, "mark done"))?;
        }
        tx.commit().map_err(|e| err(e, "commit"))
    }

    /// Every verdict of a run with its evidence, by municipality code and,
    /// within one, in the order they were written (checklist order).
    pub fn verdicts(&self, run: RunId) -> Result<Vec<(String, VerdictRow)>> {
        let what = format!("read verdicts of run {run}");
        let mut evidence: HashMap<(String, String), Vec<EvidenceRow>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT code, item, {EVIDENCE_COLUMNS} FROM evidence WHERE run_id = ?1 \
                     ORDER BY code, item, rank"
                ))
                .map_err(|e| self.sql_err(e, &what))?;
            let rows = stmt
                .query_map([run], |row| {
                    let key = (row.get::<_, String>(0)?, row.get::<_, String>(1)?);
                    let ev = evidence_from_row(row, 2)?;
                    Ok((key, ev))
                })
                .map_err(|e| self.sql_err(e, &what))?;
            for row in rows {
                let (key, ev) = row.map_err(|e| self.sql_err(e, &what))?;
                evidence.entry(key).or_default().push(ev);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT code, item, found, confidence, flagged, uncertain FROM verdicts \
                 WHERE run_id = ?1 \
                 ORDER BY code, rowid",
            )
            .map_err(|e| self.sql_err(e, &what))?;
        let rows = stmt
            .query_map([run], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    VerdictRow {
                        item: row.get(1)?,
                        found: row.get(2)?,
                        confidence: row.get(3)?,
                        flagged: row.get(4)?,
                        uncertain: row.get(5)?,
                        evidence: Vec::new(),
                    },
                ))
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(|e| self.sql_err(e, &what))?;
        Ok(rows
            .into_iter()
            .map(|(code, mut verdict)| {
                if let Some(ev) = evidence.remove(&(code.clone(), verdict.item.clone())) {
                    verdict.evidence = ev;
                }
                (code, verdict)
            })
            .collect())
    }

    /// The evidence behind one verdict, best first.
    pub fn evidence(&self, run: RunId, code: &str, item: &str) -> Result<Vec<EvidenceRow>> {
        let what = format!("read evidence {item} of {code} in run {run}");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence \
                 WHERE run_id = ?1 AND code = ?2 AND item = ?3 ORDER BY rank"
            ))
            .map_err(|e| self.sql_err(e, &what))?;
        let rows = stmt
            .query_map(params![run, code, item], |r| evidence_from_row(r, 0))
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e, &what));
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::pages::tests::fetch;
    use super::super::runs::tests::muni;
    use super::super::tests::temp_store;
    use super::super::{Store, FILE_NAME};
    use super::*;

    fn evidence(url: &str, signal: &str) -> EvidenceRow {
        EvidenceRow {
            url: url.into(),
            snippet: "Ansök om hemtjänst".into(),
            highlights: vec![(0, 6), (8, 17)],
            signal: signal.into(),
            kind: "text".into(),
            weight: 0.8,
            context: "Omsorg › Hemtjänst".into(),
            target: None,
            depth: 2,
            off_site: false,
            warc: None,
        }
    }

    fn verdict(item: &str, evidence: Vec<EvidenceRow>) -> VerdictRow {
        VerdictRow {
            item: item.into(),
            found: !evidence.is_empty(),
            confidence: if evidence.is_empty() { 0.0 } else { 0.9 },
            flagged: false,
            uncertain: None,
            evidence,
        }
    }

    fn setup() -> (tempfile::TempDir, Store, RunId) {
        let (dir, mut store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        store
            .add_municipalities(run, &[muni("0188"), muni("0114")])
            .unwrap();
        (dir, store, run)
    }

    #[test]
    fn finish_writes_verdicts_evidence_and_status() {
        let (dir, mut store, run) = setup();
        store.set_in_progress(run, "0188").unwrap();
        let page = fetch(1, "https://k.example/omsorg");
        store.record_fetch(run, "0188", &page).unwrap();
        let mut own = evidence("https://k.example/elsewhere", "s2");
        own.warc = Some(WarcRef {
            file: "own.warc.gz".into(),
            offset: 7,
            length: 8,
        });
        own.target = Some("https://e-tjanst.example/".into());
        let verdicts = vec![
            verdict(
                "ansokan",
                vec![evidence(&page.final_url, "s1"), own.clone()],
            ),
            verdict("avgift", vec![]),
        ];
        store.set_crawl_end(run, "0188", "off_topic").unwrap();
        store
            .finish_municipality(run, "0188", "partial", Some("tidsgräns"), 42, &verdicts)
            .unwrap();
        assert!(store.set_crawl_end(run, "0188", "budget").is_err());
        drop(store);

        // Reopened: everything is there.
        let store = Store::open(dir.path().join(FILE_NAME)).unwrap();
        let state = store.municipality_state(run, "0188").unwrap().unwrap();
        assert_eq!(state.status, MunicipalityStatus::Done);
        assert_eq!(state.site_status.as_deref(), Some("partial"));
        assert_eq!(state.site_reason.as_deref(), Some("tidsgräns"));
        assert_eq!(state.pages_fetched, Some(42));
        assert_eq!(state.crawl_end.as_deref(), Some("off_topic"));
        assert!(state.finished_at.is_some() && state.started_at.is_some());

        let stored = store.verdicts(run).unwrap();
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].0, "0188");
        assert_eq!(stored[0].1.item, "ansokan");
        assert_eq!(stored[1].1, verdicts[1]);
        let ev = &stored[0].1.evidence;
        assert_eq!(ev.len(), 2);
        // The archive reference was filled in from the fetch of that page.
        assert_eq!(ev[0].warc, page.warc);
        assert_eq!(ev[0].highlights, vec![(0, 6), (8, 17)]);
        assert_eq!(ev[1], own);
        assert_eq!(store.evidence(run, "0188", "ansokan").unwrap(), *ev);
        assert!(store.evidence(run, "0188", "avgift").unwrap().is_empty());
    }

    #[test]
    fn finish_is_atomic() {
        let (_dir, mut store, run) = setup();
        store.set_in_progress(run, "0188").unwrap();
        // The second verdict repeats the first item: the insert fails after
        // the first verdict and its evidence were written.
        let verdicts = vec![
            verdict("ansokan", vec![evidence("https://k.example/", "s1")]),
            verdict("ansokan", vec![]),
        ];
        let err = store
            .finish_municipality(run, "0188", "ok", None, 3, &verdicts)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("0188") && text.contains("ansokan"), "{text}");
        let state = store.municipality_state(run, "0188").unwrap().unwrap();
        assert_eq!(state.status, MunicipalityStatus::InProgress);
        assert_eq!(state.site_status, None);
        assert!(store.verdicts(run).unwrap().is_empty());
        let evidence_rows: i64 = store
            .conn
            .query_row("SELECT count(*) FROM evidence", [], |r| r.get(0))
            .unwrap();
        assert_eq!(evidence_rows, 0);
        // A correct retry succeeds.
        store
            .finish_municipality(run, "0188", "ok", None, 3, &verdicts[..1])
            .unwrap();
        assert_eq!(store.verdicts(run).unwrap().len(), 1);
    }

    #[test]
    fn done_is_never_touched_again() {
        let (_dir, mut store, run) = setup();
        store
            .finish_municipality(run, "0114", "unreachable", Some("DNS"), 0, &[])
            .unwrap();
        let again = store.finish_municipality(run, "0114", "ok", None, 1, &[]);
        assert!(
            matches!(again, Err(StoreError::AlreadyDone { .. })),
            "{again:?}"
        );
        let start = store.set_in_progress(run, "0114");
        assert!(
            matches!(start, Err(StoreError::AlreadyDone { .. })),
            "{start:?}"
        );
        let missing = store.finish_municipality(run, "9999", "ok", None, 1, &[]);
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        let state = store.municipality_state(run, "0114").unwrap().unwrap();
        assert_eq!(state.site_status.as_deref(), Some("unreachable"));
    }

    #[test]
    fn a_second_connection_sees_committed_data() {
        let (dir, mut store, run) = setup();
        let reader = Store::open(dir.path().join(FILE_NAME)).unwrap();
        let readonly = Store::open_readonly(dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(reader.municipality_states(run).unwrap().len(), 2);
        store
            .finish_municipality(run, "0188", "ok", None, 1, &[verdict("ansokan", vec![])])
            .unwrap();
        for other in [&reader, &readonly] {
            let state = other.municipality_state(run, "0188").unwrap().unwrap();
            assert_eq!(state.status, MunicipalityStatus::Done);
            assert_eq!(other.verdicts(run).unwrap().len(), 1);
        }
        // And the other way round: the second connection writes too.
        reader
            .record_fetch(run, "0114", &fetch(0, "https://k.example/"))
            .unwrap();
        assert_eq!(store.fetches(run, "0114").unwrap().len(), 1);
    }
}
