//! The store's error type: every variant names the database file and what
//! the store was doing, so a message alone tells where to look.

use std::path::PathBuf;

/// What can go wrong in the [`Store`](super::Store).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database file could not be opened (missing, unreadable, not SQLite).
    #[error("kan inte öppna databasen {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("databasen {}: {what}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What the store was doing, e.g. `record fetch 0188 https://…`.
        what: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A migration failed; the database is left at its previous version.
    #[error(
        "databasen {}: migreringen {name} misslyckades (databasen är oförändrad): {source}",
        path.display()
    )]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The migration, e.g. `001_initial`.
        name: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer infokoll than this one.
    #[error(
        "databasen {} har schemaversion {found} men den här versionen av infokoll känner bara till \
         version {supported}: uppgradera infokoll eller använd en annan katalog",
        path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest version this code knows.
        supported: i64,
    },
    /// A read-only open found a database that still needs migrations.
    #[error(
        "databasen {} har schemaversion {found} men version {required} krävs: \
         öppna den en gång med skrivrätt så uppgraderas den",
        path.display()
    )]
    SchemaOutdated {
        /// The database file.
        path: PathBuf,
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The version this code needs.
        required: i64,
    },
    /// SQLite refused to switch to write-ahead logging (e.g. on a network file system).
    #[error(
        "databasen {}: kunde inte slå på WAL-läge (journal_mode är {mode}); \
         lägg katalogen på en lokal disk",
        path.display()
    )]
    NoWal {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite reported instead.
        mode: String,
    },
    /// A row the operation needs does not exist.
    #[error("databasen {}: {what} finns inte", path.display())]
    NotFound {
        /// The database file.
        path: PathBuf,
        /// What was missing, e.g. `kommun 0188 i körning 3`.
        what: String,
    },
    /// A finished municipality was to be started or finished again.
    #[error(
        "databasen {}: kommun {code} i körning {run} är redan klar och ändras inte",
        path.display()
    )]
    AlreadyDone {
        /// The database file.
        path: PathBuf,
        /// The run.
        run: i64,
        /// The municipality.
        code: String,
    },
    /// A JSON column could not be written or read back.
    #[error("databasen {}: {what}: ogiltig JSON: {source}", path.display())]
    Json {
        /// The database file.
        path: PathBuf,
        /// Which column of which row.
        what: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A column holds a value this code does not understand.
    #[error("databasen {}: {what}: okänt värde {value:?}", path.display())]
    InvalidValue {
        /// The database file.
        path: PathBuf,
        /// Which column of which row.
        what: String,
        /// The value found.
        value: String,
    },
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
