//! The audit's database: one SQLite file (`DIR/infokoll.sqlite`) that holds
//! runs, municipalities, every fetch, the verdicts with their evidence and the
//! reviewers' decisions.
//!
//! # Architecture
//!
//! - [`Store`] — one connection to the file; opening applies the
//!   [migrations](#schema-and-migrations) and sets the pragmas.
//! - `runs.rs` — [`RunInfo`], [`MunicipalityRow`], [`MunicipalityState`]:
//!   runs and how far each municipality has come.
//! - `pages.rs` — [`FetchRow`], [`WarcRef`], [`Validators`]: every fetch, in
//!   crawl order, and the validators for conditional requests.
//! - `findings.rs` — [`VerdictRow`], [`EvidenceRow`]: the outcome of a
//!   municipality, written atomically with its `done` status.
//! - `decisions.rs` — [`DecisionRow`]: the append-only reviewer log (issue 6).
//! - [`StoreError`] — every error names the file and what was being done.
//!
//! The store is layer 3 and independent of the other modules: its rows are
//! plain structs of strings and numbers; the audit converts crawl and detect
//! types to them.
//!
//! # Connection settings
//!
//! WAL journal (readers never block the writer), `synchronous=NORMAL` (a
//! committed transaction survives a process crash; a power cut may lose the
//! last few), `foreign_keys=ON`, and a busy timeout of [`BUSY_TIMEOUT`] so a
//! second connection waits instead of failing.
//!
//! # Threads
//!
//! The API is synchronous. A [`Store`] is `Send` but not `Sync`: move it into
//! one dedicated thread (or `spawn_blocking`) and call it from there. For a
//! second reader (a report, the review server) open another [`Store`] on the
//! same file — WAL lets it read committed data while the audit writes.
//!
//! # Schema and migrations
//!
//! The schema version is `PRAGMA user_version`. Migrations are the files
//! `src/store/migrations/NNN_name.sql`, embedded in the binary and applied in
//! order, all pending ones in one `BEGIN IMMEDIATE` transaction, so a failed
//! migration leaves the file as it was and two processes never migrate at
//! once. A file with a newer version than this code knows is refused
//! ([`StoreError::SchemaTooNew`]).
//!
//! Version 1 (`001_initial.sql`). Times are Unix milliseconds, booleans 0/1:
//!
//! | table | key | content |
//! | --- | --- | --- |
//! | `runs` | `id` | `year`, `started_at`, `finished_at` (NULL while running), `params_json`, `infokoll_version` |
//! | `municipalities` | `(run_id, code)` | `name`, `county`, `homepage`, `population`, `status` (`pending`, `in_progress`, `done`), `site_status` (`ok`, `partial`, `unreachable`, `robots_unavailable`, `blocked_by_robots`, `redirect_loop`, `other_domain`; NULL until done), `site_reason`, `pages_fetched`, `crawl_end` (why the crawl ended: `complete`, `off_topic`, `budget`, `not_started`; NULL before it is set), `started_at`, `finished_at` |
//! | `fetches` | `id`, unique `(run_id, code, url)` | `seq` (crawl order), `final_url`, `redirects_json`, `depth`, `off_site`, `status`, `outcome_kind`, `outcome_text`, `content_type`, `content_hash` (SHA-256 hex), `body_length`, `truncated`, `etag`, `last_modified`, `fetched_at`, `warc_file`, `warc_offset`, `warc_length` |
//! | `verdicts` | `(run_id, code, item)` | `found`, `confidence`, `flagged`, `uncertain` |
//! | `evidence` | `id`, unique `(run_id, code, item, rank)` | `url`, `snippet`, `highlights_json`, `signal`, `kind`, `weight`, `context`, `target`, `depth`, `off_site`, `warc_file`, `warc_offset`, `warc_length` |
//! | `decisions` | `id` | `run_id`, `code`, `item`, `reviewer`, `decided_at`, `decision` (`confirm`, `reject`, `present`), `url`, `comment`, `machine_found`, `machine_confidence`; triggers refuse UPDATE and DELETE |
//!
//! Version 2 (`002_undo_and_attempts.sql`) adds `decisions.undoes`: an undo is
//! a new row naming the row it withdraws ([`DecisionRow::undoes`]). It also
//! adds `attempts` and `attempt_fetches` (the columns of `fetches` plus
//! `attempt_id`): a retried municipality's earlier outcome and fetches
//! ([`Store::retry_municipality`]).
//!
//! Fetches, verdicts and decisions reference their municipality row, so add
//! the municipalities of a run before recording anything for them.

mod attempts;
mod decisions;
mod error;
mod findings;
mod pages;
mod runs;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use decisions::{in_force, Decision, DecisionRow};
pub use error::{Result, StoreError};
pub use findings::{EvidenceRow, VerdictRow};
pub use pages::{content_hash, FetchRow, Validators, WarcRef};
pub use runs::{MunicipalityRow, MunicipalityState, MunicipalityStatus, RunId, RunInfo};

/// The database's file name inside an audit directory.
pub const FILE_NAME: &str = "infokoll.sqlite";

/// How long a statement waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// One schema migration.
struct Migration {
    /// The file stem, e.g. `001_initial`.
    name: &'static str,
    /// The SQL, run with `execute_batch`.
    sql: &'static str,
}

/// Every migration, in order; migration `i` brings the file to version `i + 1`.
const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "001_initial",
        sql: include_str!("migrations/001_initial.sql"),
    },
    Migration {
        name: "002_undo_and_attempts",
        sql: include_str!("migrations/002_undo_and_attempts.sql"),
    },
    Migration {
        name: "003_verdict_uncertain",
        sql: include_str!("migrations/003_verdict_uncertain.sql"),
    },
    Migration {
        name: "004_crawl_end",
        sql: include_str!("migrations/004_crawl_end.sql"),
    },
];

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A connection to the audit database. See the [module docs](self).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` for reading and
    /// writing, switches it to WAL and applies pending migrations.
    ///
    /// The parent directory must exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path.as_ref(), MIGRATIONS)
    }

    /// Opens `dir/infokoll.sqlite` like [`Store::open`].
    pub fn open_in_dir(dir: impl AsRef<Path>) -> Result<Store> {
        Self::open(dir.as_ref().join(FILE_NAME))
    }

    /// Opens an existing database for reading only (a report, the review
    /// server, the previous year's audit). It is never migrated: a file that
    /// is older or newer than [`SCHEMA_VERSION`] is refused.
    pub fn open_readonly(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let store = Store { conn, path };
        let found = store.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(store.too_new(found));
        }
        if found < SCHEMA_VERSION {
            return Err(StoreError::SchemaOutdated {
                path: store.path,
                found,
                required: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// Opens read-write with the given migration list (tests use a broken one).
    fn open_with(path: &Path, migrations: &[Migration]) -> Result<Store> {
        let path = path.to_path_buf();
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Fails here, not at open, when the file is not a database.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { path, mode });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        let mut store = Store { conn, path };
        store.migrate(migrations)?;
        Ok(store)
    }

    /// Applies the pending `migrations` in one immediate transaction.
    fn migrate(&mut self, migrations: &[Migration]) -> Result<()> {
        let known = migrations.len() as i64;
        let found = self.schema_version()?;
        if found > known {
            return Err(self.too_new(found));
        }
        if found == known {
            return Ok(());
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                what: "lock for migration".into(),
                source,
            })?;
        // Another process may have migrated while we waited for the lock.
        let found = read_user_version(&tx, &path)?;
        if found > known {
            return Err(StoreError::SchemaTooNew {
                path,
                found,
                supported: known,
            });
        }
        for (index, migration) in migrations.iter().enumerate().skip(found as usize) {
            let mig_err = |source| StoreError::Migration {
                path: path.clone(),
                name: migration.name,
                source,
            };
            tx.execute_batch(migration.sql).map_err(mig_err)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .map_err(mig_err)?;
        }
        tx.commit().map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            what: "commit migrations".into(),
            source,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        read_user_version(&self.conn, &self.path)
    }

    /// The journal mode SQLite reports (`wal` for a read-write store).
    pub fn journal_mode(&self) -> Result<String> {
        self.conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .map_err(|e| self.sql_err(e, "read journal_mode"))
    }

    /// Closes the connection, reporting an error that dropping would hide.
    pub fn close(self) -> Result<()> {
        let path = self.path;
        self.conn.close().map_err(|(_, source)| StoreError::Sqlite {
            path,
            what: "close".into(),
            source,
        })
    }

    /// Wraps a SQLite error with this file and what was being done.
    fn sql_err(&self, source: rusqlite::Error, what: impl Display) -> StoreError {
        sql_error(&self.path, source, what)
    }

    /// The error for a file newer than this code.
    fn too_new(&self, found: i64) -> StoreError {
        StoreError::SchemaTooNew {
            path: self.path.clone(),
            found,
            supported: SCHEMA_VERSION,
        }
    }
}

/// Wraps a SQLite error with the file and what was being done.
fn sql_error(path: &Path, source: rusqlite::Error, what: impl Display) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        what: what.to_string(),
        source,
    }
}

/// Starts a transaction that takes the write lock at once (no deadlock
/// between two writers upgrading read locks). Takes the connection and the
/// path apart so the caller can still name the path in errors.
fn write_tx<'c>(
    conn: &'c mut Connection,
    path: &Path,
    what: &str,
) -> Result<rusqlite::Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|source| sql_error(path, source, format_args!("{what}: begin")))
}

/// Reads `PRAGMA user_version`, refusing a negative one.
fn read_user_version(conn: &Connection, path: &Path) -> Result<i64> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    if version < 0 {
        return Err(StoreError::InvalidValue {
            path: path.to_path_buf(),
            what: "PRAGMA user_version".into(),
            value: version.to_string(),
        });
    }
    Ok(version)
}

/// Milliseconds since the Unix epoch (negative before 1970).
pub fn unix_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    unix_ms(SystemTime::now())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// A fresh store in a temporary directory (keep the dir alive).
    pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).unwrap();
        (dir, store)
    }

    fn table_names(store: &Store) -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn open_migrates_and_sets_pragmas() {
        let (_dir, store) = temp_store();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.journal_mode().unwrap(), "wal");
        let fk: bool = store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);
        let sync: i64 = store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        let tables = table_names(&store);
        for t in [
            "runs",
            "municipalities",
            "fetches",
            "verdicts",
            "evidence",
            "decisions",
        ] {
            assert!(tables.iter().any(|n| n == t), "{t} missing in {tables:?}");
        }
    }

    #[test]
    fn reopen_is_idempotent() {
        let (dir, store) = temp_store();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        store.close().unwrap();
        for _ in 0..2 {
            let store = Store::open_in_dir(dir.path()).unwrap();
            assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            assert_eq!(store.latest_run().unwrap().unwrap().id, run);
        }
    }

    #[test]
    fn newer_schema_is_refused() {
        let (dir, store) = temp_store();
        store
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(store);
        let err = Store::open_in_dir(dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found, supported, .. }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(FILE_NAME) && text.contains("uppgradera"),
            "{text}"
        );
        let err = Store::open_readonly(dir.path().join(FILE_NAME)).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err:?}");
    }

    #[test]
    fn failed_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let broken = [
            Migration {
                name: "001_ok",
                sql: "CREATE TABLE a (x INTEGER);",
            },
            Migration {
                name: "002_broken",
                sql: "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);",
            },
        ];
        let err = Store::open_with(&path, &broken).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Migration {
                    name: "002_broken",
                    ..
                }
            ),
            "{err:?}"
        );
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        // Only the first migration known: applies it and stops at version 1.
        let store = Store::open_with(&path, &broken[..1]).unwrap();
        assert_eq!(store.schema_version().unwrap(), 1);
    }

    #[test]
    fn readonly_needs_a_migrated_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(matches!(
            Store::open_readonly(&path).unwrap_err(),
            StoreError::Open { .. }
        ));
        Connection::open(&path).unwrap();
        assert!(matches!(
            Store::open_readonly(&path).unwrap_err(),
            StoreError::SchemaOutdated { found: 0, .. }
        ));
        let store = Store::open(&path).unwrap();
        let run = store.begin_run(2026, &serde_json::json!({})).unwrap();
        let reader = Store::open_readonly(&path).unwrap();
        assert_eq!(reader.run(run).unwrap().unwrap().year, 2026);
        assert!(reader.begin_run(2027, &serde_json::json!({})).is_err());
    }

    #[test]
    fn not_a_database_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"this is not sqlite, just some text of a decent length ..........................................").unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains(FILE_NAME));
    }

    #[test]
    fn store_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
    }

    #[test]
    fn unix_ms_both_sides_of_the_epoch() {
        assert_eq!(unix_ms(UNIX_EPOCH + Duration::from_millis(1500)), 1500);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_millis(20)), -20);
        assert!(now_ms() > 1_700_000_000_000);
    }
}
