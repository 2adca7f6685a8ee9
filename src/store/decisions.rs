//! The reviewers' log (issue 6): every decision on a verdict is appended,
//! never changed; the latest one per item is the one that counts. Triggers
//! in the schema refuse UPDATE and DELETE on the table. An undo (issue 15)
//! is one more row naming the row it withdraws ([`DecisionRow::undoes`]);
//! [`in_force`] is the log without undone rows and undo rows.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{params, Row};
use serde::Serialize;

use super::{Result, RunId, Store};

/// What a reviewer decided about a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The machine's verdict is right.
    Confirm,
    /// The machine's verdict is wrong.
    Reject,
    /// The item is present (e.g. at `url`) although the machine missed it.
    Present,
}

impl Decision {
    /// The value in the `decision` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirm => "confirm",
            Decision::Reject => "reject",
            Decision::Present => "present",
        }
    }
}

impl FromSql for Decision {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "confirm" => Ok(Decision::Confirm),
            "reject" => Ok(Decision::Reject),
            "present" => Ok(Decision::Present),
            other => Err(FromSqlError::Other(
                format!("unknown decision {other:?}").into(),
            )),
        }
    }
}

/// One entry of the reviewers' log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRow {
    /// The municipality.
    pub code: String,
    /// The item id.
    pub item: String,
    /// Who decided.
    pub reviewer: String,
    /// When (Unix ms).
    pub decided_at: i64,
    /// The decision.
    pub decision: Decision,
    /// The page the reviewer points to.
    pub url: Option<String>,
    /// Free text.
    pub comment: Option<String>,
    /// The machine's verdict at the time.
    pub machine_found: Option<bool>,
    /// The machine's confidence at the time.
    pub machine_confidence: Option<f64>,
    /// For an undo: the id of the row it withdraws (`decision` repeats that
    /// row's decision). `None` for an ordinary decision.
    pub undoes: Option<i64>,
}

/// The rows of a log that count: every row except undo rows and the rows
/// they undo, in log order.
pub fn in_force(log: &[(i64, DecisionRow)]) -> Vec<(i64, DecisionRow)> {
    let undone: std::collections::HashSet<i64> = log.iter().filter_map(|(_, d)| d.undoes).collect();
    log.iter()
        .filter(|(id, d)| d.undoes.is_none() && !undone.contains(id))
        .cloned()
        .collect()
}

fn decision_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, DecisionRow)> {
    Ok((
        row.get(0)?,
        DecisionRow {
            code: row.get(1)?,
            item: row.get(2)?,
            reviewer: row.get(3)?,
            decided_at: row.get(4)?,
            decision: row.get(5)?,
            url: row.get(6)?,
            comment: row.get(7)?,
            machine_found: row.get(8)?,
            machine_confidence: row.get(9)?,
            undoes: row.get(10)?,
        },
    ))
}

impl Store {
    /// Appends a decision to the log; returns its id. The municipality must
    /// be in the run.
    pub fn record_decision(&self, run: RunId, row: &DecisionRow) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO decisions (run_id, code, item, reviewer, decided_at, decision, url, \
                 comment, machine_found, machine_confidence, undoes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    run,
                    row.code,
                    row.item,
                    row.reviewer,
                    row.decided_at,
                    row.decision.as_str(),
                    row.url,
                    row.comment,
                    row.machine_found,
                    row.machine_confidence,
                    row.undoes
                ],
            )
            .map_err(|e| {
                self.sql_err(
                    e,
                    format!("record decision on {} {} in run {run}", row.code, row.item),
                )
            })?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The whole log of a run, oldest first, with each entry's id.
    pub fn decisions(&self, run: RunId) -> Result<Vec<(i64, DecisionRow)>> {
        let what = format!("read decisions of run {run}");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, code, item, reviewer, decided_at, decision, url, comment, \
                 machine_found, machine_confidence, undoes FROM decisions WHERE run_id = ?1 \
                 ORDER BY id",
            )
            .map_err(|e| self.sql_err(e, &what))?;
        let rows = stmt
            .query_map([run], decision_from_row)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql_err(e, &what));
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::runs::tests::muni;
    use super::super::tests::temp_store;
    use super::*;

    #[test]
    fn log_is_append_only() {
        let (_dir, mut store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        store.add_municipalities(run, &[muni("0188")]).unwrap();
        let mut row = DecisionRow {
            code: "0188".into(),
            item: "ansokan".into(),
            reviewer: "anna".into(),
            decided_at: 1_770_000_000_000,
            decision: Decision::Reject,
            url: None,
            comment: Some("fel sida".into()),
            machine_found: Some(true),
            machine_confidence: Some(0.61),
            undoes: None,
        };
        let first = store.record_decision(run, &row).unwrap();
        row.decision = Decision::Present;
        row.url = Some("https://k.example/ansok".into());
        let second = store.record_decision(run, &row).unwrap();
        assert!(second > first);
        let log = store.decisions(run).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1], (second, row.clone()));
        assert_eq!(log[0].1.decision, Decision::Reject);

        // An undo is one more row; the undone row and the undo stop counting.
        let undo = DecisionRow {
            undoes: Some(second),
            ..row.clone()
        };
        let third = store.record_decision(run, &undo).unwrap();
        let log = store.decisions(run).unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].1.undoes, Some(second));
        let counting = in_force(&log);
        assert_eq!(counting.len(), 1);
        assert_eq!(counting[0].0, first);
        assert!(counting.iter().all(|(id, _)| *id != third));

        for sql in [
            "UPDATE decisions SET decision = 'confirm'",
            "DELETE FROM decisions",
        ] {
            let err = store.conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        row.code = "9999".into();
        assert!(store.record_decision(run, &row).is_err());
        assert_eq!(
            serde_json::to_value(Decision::Present).unwrap(),
            serde_json::json!("present")
        );
    }
}
