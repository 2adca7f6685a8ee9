//! Sessions in the accounts file (issue 15): they survive a restart of the
//! app, expire ([`SESSION_TTL`] after login, [`ANON_TTL`] for the login
//! form's anonymous session), and end when the reviewer is removed or gets
//! a new password.
//!
//! Table `sessions(token_hash PRIMARY KEY, reviewer, csrf, expires_at)` in
//! `DIR/reviewers.sqlite` (created by [`super::Accounts::open`]). Only the
//! SHA-256 of a token is stored, so the file does not hold usable cookies.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::accounts::open_file;
use super::auth::{random_token, SESSION_TTL};
use super::ReviewError;
use crate::store::now_ms;

/// How long an anonymous (login form) session lives.
pub(crate) const ANON_TTL: Duration = Duration::from_secs(3600);

/// One session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The reviewer, `None` before login.
    pub(crate) reviewer: Option<String>,
    /// The synchroniser token.
    pub(crate) csrf: String,
}

/// The sessions of the accounts file.
#[derive(Debug)]
pub(crate) struct Sessions {
    conn: Connection,
    path: PathBuf,
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl Sessions {
    /// Opens the sessions of `dir/reviewers.sqlite`.
    pub(crate) fn open(dir: &Path) -> Result<Sessions, ReviewError> {
        let (conn, path) = open_file(dir)?;
        Ok(Sessions { conn, path })
    }

    fn err(&self, source: rusqlite::Error) -> ReviewError {
        ReviewError::Accounts {
            path: self.path.clone(),
            source,
        }
    }

    /// Creates a session; returns its token and the session. Expired
    /// sessions are dropped on the way.
    pub(crate) fn create(
        &mut self,
        reviewer: Option<String>,
    ) -> Result<(String, Session), ReviewError> {
        let now = now_ms();
        self.conn
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
            .map_err(|e| self.err(e))?;
        let ttl = if reviewer.is_some() {
            SESSION_TTL
        } else {
            ANON_TTL
        };
        let session = Session {
            reviewer,
            csrf: random_token()?,
        };
        let token = random_token()?;
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, reviewer, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    token_hash(&token),
                    session.reviewer,
                    session.csrf,
                    now + ttl.as_millis() as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok((token, session))
    }

    /// The live session of a token (`None` when unknown or expired).
    pub(crate) fn get(&mut self, token: &str) -> Option<Session> {
        let found = self
            .conn
            .query_row(
                "SELECT reviewer, csrf FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash(token), now_ms()],
                |r| {
                    Ok(Session {
                        reviewer: r.get(0)?,
                        csrf: r.get(1)?,
                    })
                },
            )
            .optional();
        match found {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("sessionen kunde inte läsas: {}", self.err(e));
                None
            }
        }
    }

    /// Ends a session.
    pub(crate) fn remove(&mut self, token: &str) {
        if let Err(e) = self.conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [token_hash(token)],
        ) {
            tracing::error!("sessionen kunde inte tas bort: {}", self.err(e));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::auth::tokens_match;
    use super::*;

    #[test]
    fn sessions_live_in_the_file_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let _accounts = super::super::Accounts::open(dir.path()).unwrap();
        let mut sessions = Sessions::open(dir.path()).unwrap();
        let (token, session) = sessions.create(Some("anna".into())).unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(token, session.csrf);
        assert!(tokens_match(&session.csrf, &session.csrf.clone()));
        // Another connection (a restarted app) sees it.
        let mut again = Sessions::open(dir.path()).unwrap();
        assert_eq!(again.get(&token).unwrap().reviewer.as_deref(), Some("anna"));
        let text = std::fs::read(dir.path().join(super::super::ACCOUNTS_FILE)).unwrap();
        assert!(
            !text.windows(64).any(|w| w == token.as_bytes()),
            "the token itself is not stored"
        );
        again.remove(&token);
        assert!(sessions.get(&token).is_none());
        // An expired session is gone.
        let (old, _) = sessions.create(None).unwrap();
        sessions
            .conn
            .execute("UPDATE sessions SET expires_at = 0", [])
            .unwrap();
        assert!(sessions.get(&old).is_none());
    }
}
