//! Runs and the municipalities of a run: which are pending, being crawled
//! or done.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension, Row, ToSql};
use serde::Serialize;

use super::{now_ms, sql_error, write_tx, Result, Store, StoreError};

/// The id of a run (`runs.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for RunId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0))
    }
}

impl FromSql for RunId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(RunId)
    }
}

/// One run as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The run.
    pub id: RunId,
    /// The audit year.
    pub year: u16,
    /// When it was begun (Unix ms).
    pub started_at: i64,
    /// When it was finished (Unix ms); `None` while running or interrupted.
    pub finished_at: Option<i64>,
    /// The parameters it was begun with.
    pub params: serde_json::Value,
    /// The infokoll version that began it.
    pub infokoll_version: String,
}

/// A municipality as added to a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MunicipalityRow {
    /// The four-digit code, e.g. `0188`.
    pub code: String,
    /// The short name.
    pub name: String,
    /// The county's name.
    pub county: String,
    /// The website crawled.
    pub homepage: String,
    /// Inhabitants, when known.
    pub population: Option<u32>,
}

/// How far a municipality of a run has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MunicipalityStatus {
    /// Not started.
    Pending,
    /// Started but not finished (crawl again on resume).
    InProgress,
    /// Verdicts written; never touched again.
    Done,
}

impl MunicipalityStatus {
    /// The value in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            MunicipalityStatus::Pending => "pending",
            MunicipalityStatus::InProgress => "in_progress",
            MunicipalityStatus::Done => "done",
        }
    }
}

impl FromSql for MunicipalityStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "pending" => Ok(MunicipalityStatus::Pending),
            "in_progress" => Ok(MunicipalityStatus::InProgress),
            "done" => Ok(MunicipalityStatus::Done),
            other => Err(FromSqlError::Other(
                format!("unknown municipality status {other:?}").into(),
            )),
        }
    }
}

/// A municipality of a run with its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityState {
    /// The municipality as added.
    #[serde(flatten)]
    pub municipality: MunicipalityRow,
    /// Pending, in progress or done.
    pub status: MunicipalityStatus,
    /// The crawl's site status code (`ok`, `partial`, …); `None` until done.
    pub site_status: Option<String>,
    /// Why the site status is not `ok`.
    pub site_reason: Option<String>,
    /// Pages fetched by the finished crawl.
    pub pages_fetched: Option<u32>,
    /// Why the crawl ended (`crawl::CrawlEnd` code); `None` until set.
    pub crawl_end: Option<String>,
    /// When the crawl was first started (Unix ms).
    pub started_at: Option<i64>,
    /// When the municipality was finished (Unix ms).
    pub finished_at: Option<i64>,
}

const RUN_COLUMNS: &str = "id, year, started_at, finished_at, params_json, infokoll_version";

/// Reads a `runs` row selected with [`RUN_COLUMNS`].
fn run_from_row(row: &Row<'_>) -> rusqlite::Result<RunInfo> {
    let params: String = row.get(4)?;
    let params = serde_json::from_str(&params).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(RunInfo {
        id: row.get(0)?,
        year: row.get(1)?,
        started_at: row.get(2)?,
        finished_at: row.get(3)?,
        params,
        infokoll_version: row.get(5)?,
    })
}

const STATE_COLUMNS: &str = "code, name, county, homepage, population, status, site_status, \
     site_reason, pages_fetched, started_at, finished_at, crawl_end";

/// Reads a `municipalities` row selected with [`STATE_COLUMNS`].
fn state_from_row(row: &Row<'_>) -> rusqlite::Result<MunicipalityState> {
    Ok(MunicipalityState {
        municipality: MunicipalityRow {
            code: row.get(0)?,
            name: row.get(1)?,
            county: row.get(2)?,
            homepage: row.get(3)?,
            population: row.get(4)?,
        },
        status: row.get(5)?,
        site_status: row.get(6)?,
        site_reason: row.get(7)?,
        pages_fetched: row.get(8)?,
        started_at: row.get(9)?,
        finished_at: row.get(10)?,
        crawl_end: row.get(11)?,
    })
}

impl Store {
    /// Begins a run for `year`, recording `params` and this infokoll's version.
    pub fn begin_run(&self, year: u16, params: &serde_json::Value) -> Result<RunId> {
        let params_json = serde_json::to_string(params).map_err(|source| StoreError::Json {
            path: self.path.clone(),
            what: "runs.params_json".into(),
            source,
        })?;
        self.conn
            .execute(
                "INSERT INTO runs (year, started_at, params_json, infokoll_version) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![year, now_ms(), params_json, env!("CARGO_PKG_VERSION")],
            )
            .map_err(|e| self.sql_err(e, format!("begin run {year}")))?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    /// The most recently begun run, finished or not.
    pub fn latest_run(&self) -> Result<Option<RunInfo>> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT 1"),
                [],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e, "read latest run"))
    }

    /// One run, if it exists.
    pub fn run(&self, id: RunId) -> Result<Option<RunInfo>> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [id],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e, format!("read run {id}")))
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let what = "read runs";
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id"))
            .map_err(|e| self.sql_err(e, what))?;
        let rows = stmt
            .query_map([], run_from_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e, what));
        rows
    }

    /// Marks a run finished. Finishing it again keeps the first time.
    pub fn finish_run(&self, id: RunId) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET finished_at = COALESCE(finished_at, ?2) WHERE id = ?1",
                params![id, now_ms()],
            )
            .map_err(|e| self.sql_err(e, format!("finish run {id}")))?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                path: self.path.clone(),
                what: format!("körning {id}"),
            });
        }
        Ok(())
    }

    /// Adds municipalities to a run as `pending`, in one transaction; codes
    /// already in the run are left as they are. Returns how many were new.
    pub fn add_municipalities(&mut self, run: RunId, rows: &[MunicipalityRow]) -> Result<usize> {
        let what = format!("add municipalities to run {run}");
        let path = &self.path;
        let tx = write_tx(&mut self.conn, path, &what)?;
        let mut added = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO municipalities (run_id, code, name, county, homepage, population) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, code) DO NOTHING",
                )
                .map_err(|e| sql_error(path, e, &what))?;
            for m in rows {
                added += stmt
                    .execute(params![
                        run,
                        m.code,
                        m.name,
                        m.county,
                        m.homepage,
                        m.population
                    ])
                    .map_err(|e| sql_error(path, e, format_args!("{what}: {}", m.code)))?;
            }
        }
        tx.commit().map_err(|e| sql_error(path, e, &what))?;
        Ok(added)
    }

    /// Marks a municipality as being crawled. The first start time is kept
    /// when a resumed run starts it again. A `done` municipality is refused.
    pub fn set_in_progress(&self, run: RunId, code: &str) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE municipalities SET status = 'in_progress', \
                 started_at = COALESCE(started_at, ?3) \
                 WHERE run_id = ?1 AND code = ?2 AND status <> 'done'",
                params![run, code, now_ms()],
            )
            .map_err(|e| self.sql_err(e, format!("start {code} in run {run}")))?;
        if changed == 0 {
            return Err(self.not_startable(run, code));
        }
        Ok(())
    }

    /// Records why a municipality's crawl ended (a `crawl::CrawlEnd` code).
    /// Written just before [`Store::finish_municipality`], so a done
    /// municipality always has it; refused once the municipality is done.
    pub fn set_crawl_end(&self, run: RunId, code: &str, end: &str) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE municipalities SET crawl_end = ?3 \
                 WHERE run_id = ?1 AND code = ?2 AND status <> 'done'",
                params![run, code, end],
            )
            .map_err(|e| self.sql_err(e, format!("crawl end of {code} in run {run}")))?;
        if changed == 0 {
            return Err(self.not_startable(run, code));
        }
        Ok(())
    }

    /// The error for a municipality that is missing or already done.
    pub(super) fn not_startable(&self, run: RunId, code: &str) -> StoreError {
        match self.municipality_state(run, code) {
            Ok(Some(state)) => StoreError::AlreadyDone {
                path: self.path.clone(),
                run: run.0,
                code: state.municipality.code,
            },
            Ok(None) => StoreError::NotFound {
                path: self.path.clone(),
                what: format!("kommun {code} i körning {run}"),
            },
            Err(e) => e,
        }
    }

    /// One municipality of a run, if it was added.
    pub fn municipality_state(&self, run: RunId, code: &str) -> Result<Option<MunicipalityState>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {STATE_COLUMNS} FROM municipalities WHERE run_id = ?1 AND code = ?2"
                ),
                params![run, code],
                state_from_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e, format!("read {code} in run {run}")))
    }

    /// Every municipality of a run, by code.
    pub fn municipality_states(&self, run: RunId) -> Result<Vec<MunicipalityState>> {
        let what = format!("read municipalities of run {run}");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {STATE_COLUMNS} FROM municipalities WHERE run_id = ?1 ORDER BY code"
            ))
            .map_err(|e| self.sql_err(e, &what))?;
        let rows = stmt
            .query_map([run], state_from_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e, &what));
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::super::tests::temp_store;
    use super::*;

    /// A municipality row for tests.
    pub(crate) fn muni(code: &str) -> MunicipalityRow {
        MunicipalityRow {
            code: code.into(),
            name: format!("Kommun {code}"),
            county: "Testlän".into(),
            homepage: format!("https://{code}.example/"),
            population: Some(12_345),
        }
    }

    #[test]
    fn runs_begin_list_and_finish() {
        let (_dir, store) = temp_store();
        assert!(store.latest_run().unwrap().is_none());
        let params = serde_json::json!({"rate": 1.5, "max_pages": 80});
        let a = store.begin_run(2025, &params).unwrap();
        let b = store.begin_run(2026, &serde_json::json!({})).unwrap();
        assert!(b > a);
        let latest = store.latest_run().unwrap().unwrap();
        assert_eq!(
            (latest.id, latest.year, latest.finished_at),
            (b, 2026, None)
        );
        assert_eq!(latest.infokoll_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(store.run(a).unwrap().unwrap().params, params);
        assert!(store.run(RunId(99)).unwrap().is_none());
        store.finish_run(a).unwrap();
        let first = store.run(a).unwrap().unwrap().finished_at.unwrap();
        store.finish_run(a).unwrap();
        assert_eq!(store.run(a).unwrap().unwrap().finished_at, Some(first));
        assert_eq!(store.runs().unwrap().len(), 2);
        assert!(matches!(
            store.finish_run(RunId(99)).unwrap_err(),
            StoreError::NotFound { .. }
        ));
    }

    #[test]
    fn municipalities_insert_or_ignore_and_progress() {
        let (_dir, mut store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        let rows = [muni("0188"), muni("0114")];
        assert_eq!(store.add_municipalities(run, &rows).unwrap(), 2);
        let mut renamed = muni("0188");
        renamed.name = "Annat".into();
        assert_eq!(
            store
                .add_municipalities(run, &[renamed, muni("2584")])
                .unwrap(),
            1
        );
        let states = store.municipality_states(run).unwrap();
        let codes: Vec<_> = states
            .iter()
            .map(|s| s.municipality.code.as_str())
            .collect();
        assert_eq!(codes, ["0114", "0188", "2584"]);
        assert_eq!(states[1].municipality.name, "Kommun 0188");
        assert!(states
            .iter()
            .all(|s| s.status == MunicipalityStatus::Pending));

        store.set_in_progress(run, "0188").unwrap();
        let first = store.municipality_state(run, "0188").unwrap().unwrap();
        assert_eq!(first.status, MunicipalityStatus::InProgress);
        store.set_in_progress(run, "0188").unwrap();
        let again = store.municipality_state(run, "0188").unwrap().unwrap();
        assert_eq!(again.started_at, first.started_at);
        assert!(matches!(
            store.set_in_progress(run, "9999").unwrap_err(),
            StoreError::NotFound { .. }
        ));
        let json = serde_json::to_value(&first).unwrap();
        assert_eq!(json["status"], "in_progress");
        assert_eq!(json["code"], "0188");
    }

    #[test]
    fn municipalities_need_their_run() {
        let (_dir, mut store) = temp_store();
        let err = store
            .add_municipalities(RunId(7), &[muni("0188")])
            .unwrap_err();
        assert!(err.to_string().contains("0188"), "{err}");
    }
}
