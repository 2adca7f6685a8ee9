//! Reviewer accounts: names and argon2id password hashes in their own
//! SQLite file beside the audit database, `DIR/reviewers.sqlite`.
//!
//! Why a separate file: the audit database is opened read-only by the
//! scorer and the reports, which refuse a file whose schema version differs
//! from theirs; a migration for accounts would make every older run
//! unreadable. The accounts file has one table,
//! `reviewers(name PRIMARY KEY, password_hash, created_at)`, and the
//! sessions (`sessions.rs`); it is created on first use and is readable by
//! its owner only (mode 0600 on Unix).

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension};

use super::ReviewError;

/// The accounts file's name inside an audit directory.
pub const ACCOUNTS_FILE: &str = "reviewers.sqlite";

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Longest reviewer name accepted.
const MAX_NAME_CHARS: usize = 64;

/// Longest password accepted (argon2 takes any length; this bounds the work).
const MAX_PASSWORD_BYTES: usize = 1024;

/// One reviewer as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    /// The login name.
    pub name: String,
    /// When the account was added (Unix ms).
    pub created_at: i64,
}

/// The accounts file.
#[derive(Debug)]
pub struct Accounts {
    conn: Connection,
    path: PathBuf,
}

impl Accounts {
    /// Opens (creating if needed) `dir/reviewers.sqlite`.
    pub fn open(dir: &Path) -> Result<Accounts, ReviewError> {
        let (conn, path) = open_file(dir)?;
        Ok(Accounts { conn, path })
    }

    /// Removes a reviewer and ends their sessions. Their decisions stay in
    /// the log.
    ///
    /// # Errors
    /// An unknown name or a database error.
    pub fn remove(&self, name: &str) -> Result<(), ReviewError> {
        let removed = self
            .conn
            .execute("DELETE FROM reviewers WHERE name = ?1", [name])
            .map_err(|source| self.err(source))?;
        if removed == 0 {
            return Err(ReviewError::UnknownReviewer(name.to_owned()));
        }
        self.end_sessions(name)
    }

    /// Sets a new password and ends the reviewer's sessions.
    ///
    /// # Errors
    /// An unknown name, a too short password or a database error.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), ReviewError> {
        check_password(password)?;
        if self.password_hash(name)?.is_none() {
            return Err(ReviewError::UnknownReviewer(name.to_owned()));
        }
        let hash = hash_password(password)?;
        self.conn
            .execute(
                "UPDATE reviewers SET password_hash = ?2 WHERE name = ?1",
                params![name, hash],
            )
            .map_err(|source| self.err(source))?;
        self.end_sessions(name)
    }

    fn end_sessions(&self, name: &str) -> Result<(), ReviewError> {
        self.conn
            .execute("DELETE FROM sessions WHERE reviewer = ?1", [name])
            .map_err(|source| self.err(source))?;
        Ok(())
    }

    /// Adds a reviewer with an argon2id hash of `password`.
    ///
    /// # Errors
    /// An invalid name, a too short password, a name already taken, or a
    /// database error.
    pub fn add(&self, name: &str, password: &str) -> Result<(), ReviewError> {
        validate_name(name)?;
        check_password(password)?;
        if self.password_hash(name)?.is_some() {
            return Err(ReviewError::ReviewerExists(name.to_owned()));
        }
        let hash = hash_password(password)?;
        self.conn
            .execute(
                "INSERT INTO reviewers (name, password_hash, created_at) VALUES (?1, ?2, ?3)",
                params![name, hash, crate::store::now_ms()],
            )
            .map_err(|source| self.err(source))?;
        Ok(())
    }

    /// The stored hash of a reviewer, if the name exists.
    pub fn password_hash(&self, name: &str) -> Result<Option<String>, ReviewError> {
        self.conn
            .query_row(
                "SELECT password_hash FROM reviewers WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|source| self.err(source))
    }

    /// Every reviewer, by name.
    pub fn list(&self) -> Result<Vec<Reviewer>, ReviewError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, created_at FROM reviewers ORDER BY name")
            .map_err(|source| self.err(source))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Reviewer {
                    name: r.get(0)?,
                    created_at: r.get(1)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(|source| self.err(source));
        rows
    }

    fn err(&self, source: rusqlite::Error) -> ReviewError {
        ReviewError::Accounts {
            path: self.path.clone(),
            source,
        }
    }
}

/// Opens (creating if needed) the accounts file with its two tables,
/// `reviewers` and `sessions`, readable by its owner only.
pub(crate) fn open_file(dir: &Path) -> Result<(Connection, PathBuf), ReviewError> {
    let path = dir.join(ACCOUNTS_FILE);
    let err = |source| ReviewError::Accounts {
        path: path.clone(),
        source,
    };
    let conn = Connection::open(&path).map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS reviewers (\
         name TEXT PRIMARY KEY NOT NULL, \
         password_hash TEXT NOT NULL, \
         created_at INTEGER NOT NULL);\
         CREATE TABLE IF NOT EXISTS sessions (\
         token_hash TEXT PRIMARY KEY NOT NULL, \
         reviewer TEXT, \
         csrf TEXT NOT NULL, \
         expires_at INTEGER NOT NULL);",
    )
    .map_err(err)?;
    restrict_permissions(&path);
    Ok((conn, path))
}

/// Passwords: at least [`MIN_PASSWORD_CHARS`] characters, at most 1 KiB.
fn check_password(password: &str) -> Result<(), ReviewError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ReviewError::WeakPassword {
            min: MIN_PASSWORD_CHARS,
        });
    }
    Ok(())
}

/// Names: 1–64 letters, digits, `.`, `_` or `-`.
fn validate_name(name: &str) -> Result<(), ReviewError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ReviewError::InvalidName(name.to_owned()))
    }
}

/// An argon2id hash (PHC string) of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, ReviewError> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ReviewError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ReviewError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ReviewError::Hash(e.to_string()))
}

/// True when `password` matches the PHC string `hash`; a hash that does not
/// parse never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a password nobody knows: verified against when the name does
/// not exist, so a wrong name takes as long as a wrong password.
pub(crate) fn dummy_hash() -> String {
    hash_password("infokoll-ingen-sadan-granskare").unwrap_or_default()
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn add_list_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts.add("anna.k", "ett långt lösenord").unwrap();
        assert!(matches!(
            accounts.add("anna.k", "ett annat lösenord"),
            Err(ReviewError::ReviewerExists(_))
        ));
        assert!(matches!(
            accounts.add("bo", "kort"),
            Err(ReviewError::WeakPassword { .. })
        ));
        assert!(matches!(
            accounts.add("a b", "ett långt lösenord"),
            Err(ReviewError::InvalidName(_))
        ));
        let hash = accounts.password_hash("anna.k").unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("lösenord"));
        assert!(verify_password(&hash, "ett långt lösenord"));
        assert!(!verify_password(&hash, "ett långt lösenorD"));
        assert!(!verify_password("inte en hash", "x"));
        assert!(accounts.password_hash("okänd").unwrap().is_none());
        let list = accounts.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "anna.k");
        // Reopening keeps the account.
        drop(accounts);
        let again = Accounts::open(dir.path()).unwrap();
        assert_eq!(again.list().unwrap().len(), 1);

        // A new password ends the sessions; removal too.
        let mut sessions = super::super::sessions::Sessions::open(dir.path()).unwrap();
        let (token, _) = sessions.create(Some("anna.k".into())).unwrap();
        again
            .set_password("anna.k", "ett nytt långt lösenord")
            .unwrap();
        assert!(sessions.get(&token).is_none());
        let hash = again.password_hash("anna.k").unwrap().unwrap();
        assert!(verify_password(&hash, "ett nytt långt lösenord"));
        assert!(matches!(
            again.set_password("anna.k", "kort"),
            Err(ReviewError::WeakPassword { .. })
        ));
        let (token, _) = sessions.create(Some("anna.k".into())).unwrap();
        again.remove("anna.k").unwrap();
        assert!(sessions.get(&token).is_none());
        assert!(again.list().unwrap().is_empty());
        assert!(matches!(
            again.remove("anna.k"),
            Err(ReviewError::UnknownReviewer(_))
        ));
    }
}
