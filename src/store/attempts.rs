//! Earlier attempts of retried municipalities (issue 15,
//! `audit --resume DIR --retry-failed`): a done municipality whose site
//! could not be read is set back to `pending`; its outcome goes to
//! `attempts` and its fetches to `attempt_fetches`, so nothing is lost and
//! the new attempt fetches from the network again.

use rusqlite::params;

use super::{sql_error, write_tx, MunicipalityStatus, Result, RunId, Store, StoreError};

/// The fetch columns shared by `fetches` and `attempt_fetches`.
const FETCH_COLUMNS: &str = "run_id, code, seq, url, final_url, redirects_json, depth, off_site, \
     status, outcome_kind, outcome_text, content_type, content_hash, body_length, truncated, \
     etag, last_modified, fetched_at, warc_file, warc_offset, warc_length";

impl Store {
    /// Moves a done municipality's outcome and fetches to the attempt
    /// tables and sets it back to `pending`, in one transaction. Returns
    /// the attempt's id.
    pub fn retry_municipality(&mut self, run: RunId, code: &str) -> Result<i64> {
        let what = format!("retry {code} in run {run}");
        let status: Option<MunicipalityStatus> =
            self.municipality_state(run, code)?.map(|s| s.status);
        if status != Some(MunicipalityStatus::Done) {
            return Err(StoreError::NotFound {
                path: self.path.clone(),
                what: format!("avslutad kommun {code} i körning {run}"),
            });
        }
        let path = self.path.clone();
        let err = |e, step: &str| sql_error(&path, e, format_args!("{what}: {step}"));
        let tx = write_tx(&mut self.conn, &path, &what)?;
        tx.execute(
            "INSERT INTO attempts (run_id, code, site_status, site_reason, pages_fetched, \
             started_at, finished_at, retried_at) SELECT run_id, code, site_status, site_reason, \
             pages_fetched, started_at, finished_at, ?3 FROM municipalities \
             WHERE run_id = ?1 AND code = ?2",
            params![run, code, super::now_ms()],
        )
        .map_err(|e| err(e, "attempt"))?;
        let attempt = tx.last_insert_rowid();
        tx.execute(
            &format!(
                "INSERT INTO attempt_fetches (attempt_id, {FETCH_COLUMNS}) \
                 SELECT ?3, {FETCH_COLUMNS} FROM fetches WHERE run_id = ?1 AND code = ?2"
            ),
            params![run, code, attempt],
        )
        .map_err(|e| err(e, "keep fetches"))?;
        for sql in [
            "DELETE FROM fetches WHERE run_id = ?1 AND code = ?2",
            "DELETE FROM evidence WHERE run_id = ?1 AND code = ?2",
            "DELETE FROM verdicts WHERE run_id = ?1 AND code = ?2",
            "UPDATE municipalities SET status = 'pending', site_status = NULL, \
             site_reason = NULL, pages_fetched = NULL, started_at = NULL, finished_at = NULL \
             WHERE run_id = ?1 AND code = ?2",
        ] {
            tx.execute(sql, params![run, code])
                .map_err(|e| err(e, "reset"))?;
        }
        tx.execute("UPDATE runs SET finished_at = NULL WHERE id = ?1", [run])
            .map_err(|e| err(e, "reopen run"))?;
        tx.commit().map_err(|e| err(e, "commit"))?;
        Ok(attempt)
    }

    /// How many earlier attempts a municipality has.
    pub fn attempts(&self, run: RunId, code: &str) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM attempts WHERE run_id = ?1 AND code = ?2",
                params![run, code],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e, format!("count attempts of {code}")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::runs::tests::muni;
    use super::super::tests::temp_store;
    use super::*;

    #[test]
    fn a_retry_keeps_the_earlier_attempt() {
        let (_dir, mut store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        store.add_municipalities(run, &[muni("0188")]).unwrap();
        assert!(store.retry_municipality(run, "0188").is_err(), "not done");
        store.set_in_progress(run, "0188").unwrap();
        store
            .finish_municipality(run, "0188", "unreachable", Some("nere"), 0, &[])
            .unwrap();
        let attempt = store.retry_municipality(run, "0188").unwrap();
        assert!(attempt > 0);
        assert_eq!(store.attempts(run, "0188").unwrap(), 1);
        let state = store.municipality_state(run, "0188").unwrap().unwrap();
        assert_eq!(state.status, MunicipalityStatus::Pending);
        assert_eq!(state.site_status, None);
        let kept: String = store
            .conn
            .query_row("SELECT site_status FROM attempts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "unreachable");
        // It can be finished again.
        store.set_in_progress(run, "0188").unwrap();
        store
            .finish_municipality(run, "0188", "ok", None, 3, &[])
            .unwrap();
    }
}
