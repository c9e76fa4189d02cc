use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::{Engine, StoreError};

/// Where the database is: a SQLite file, or a database server's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file, created if missing.
    SqliteFile(PathBuf),
    /// A `postgres://` (or `sqlite://`) URL.
    Url(String),
}

impl DatabaseLocation {
    /// From the command line's `--db PATH` and `--database-url URL`: the URL
    /// wins when given, else the file (default `ambit.db`).
    pub fn from_args(db: Option<&Path>, database_url: Option<&str>) -> Self {
        match (database_url.filter(|u| !u.trim().is_empty()), db) {
            (Some(url), _) => Self::Url(url.trim().to_owned()),
            (None, Some(path)) => Self::SqliteFile(path.to_owned()),
            (None, None) => Self::SqliteFile(PathBuf::from("ambit.db")),
        }
    }

    /// The engine the location names.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Url(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Engine::Postgres
            }
            _ => Engine::Sqlite,
        }
    }

    /// The connection URL for sqlx.
    pub(crate) fn url(&self) -> Result<String, StoreError> {
        match self {
            Self::SqliteFile(path) => {
                let missing_dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty() && !d.is_dir());
                if let Some(dir) = missing_dir {
                    return Err(StoreError::Location {
                        location: self.to_string(),
                        reason: format!(
                            "the folder {} does not exist; create it or choose another --db path",
                            dir.display()
                        ),
                    });
                }
                self.check_sqlite_file(path)?;
                let raw = path.to_str().ok_or_else(|| StoreError::Location {
                    location: self.to_string(),
                    reason: "the path is not valid UTF-8; choose another --db path".into(),
                })?;
                let encoded = raw
                    .replace('%', "%25")
                    .replace('?', "%3F")
                    .replace('#', "%23");
                Ok(format!("sqlite://{encoded}?mode=rwc"))
            }
            Self::Url(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(u.clone())
            }
            Self::Url(u) if u.starts_with("sqlite:") => Ok(u.clone()),
            Self::Url(u) => Err(StoreError::Location {
                location: u.clone(),
                reason: "the database URL must start with postgres://, postgresql:// or sqlite:"
                    .into(),
            }),
        }
    }
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl DatabaseLocation {
    /// Refuse at once a file that exists and is not a SQLite database (an
    /// empty file is fine: SQLite makes it one), rather than letting the
    /// connection time out.
    fn check_sqlite_file(&self, path: &Path) -> Result<(), StoreError> {
        let not_ours = |reason: String| StoreError::Location {
            location: self.to_string(),
            reason,
        };
        let mut file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(not_ours(format!("the file cannot be read ({e})"))),
        };
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(not_ours(
                "it is a folder, not a database file; choose a file for --db".into(),
            ));
        }
        let mut header = Vec::with_capacity(SQLITE_HEADER.len());
        std::io::Read::by_ref(&mut file)
            .take(SQLITE_HEADER.len() as u64)
            .read_to_end(&mut header)
            .map_err(|e| not_ours(format!("the file cannot be read ({e})")))?;
        if header.is_empty() || header == SQLITE_HEADER {
            return Ok(());
        }
        Err(not_ours(
            "the file is not an Ambit database (it is not a SQLite database); \
             choose the file Ambit made, or a new file name to start afresh"
                .into(),
        ))
    }
}

impl fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(p) => write!(f, "{}", p.display()),
            Self::Url(u) => match u.split_once('@') {
                // Never print a password.
                Some((scheme_user, host)) => {
                    let (scheme, _) = scheme_user.split_once("://").unwrap_or((scheme_user, ""));
                    write!(f, "{scheme}://…@{host}")
                }
                None => f.write_str(u),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_wins_and_passwords_are_hidden() {
        let l = DatabaseLocation::from_args(
            Some(Path::new("x.db")),
            Some("postgres://u:secret@localhost/ambit"),
        );
        assert_eq!(l.engine(), Engine::Postgres);
        assert!(!l.to_string().contains("secret"));
        assert_eq!(
            DatabaseLocation::from_args(None, None),
            DatabaseLocation::SqliteFile("ambit.db".into())
        );
        assert!(DatabaseLocation::Url("mysql://x".into()).url().is_err());
        assert_eq!(
            DatabaseLocation::SqliteFile("a?b#c%.db".into())
                .url()
                .unwrap(),
            "sqlite://a%3Fb%23c%25.db?mode=rwc"
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "minutes of the meeting\n").unwrap();
        let err = DatabaseLocation::SqliteFile(text.clone())
            .url()
            .unwrap_err();
        assert!(err.is_user_error());
        let message = err.to_string();
        assert!(message.contains("notes.txt"), "{message}");
        assert!(message.contains("not an Ambit database"), "{message}");
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, "").unwrap();
        assert!(DatabaseLocation::SqliteFile(empty).url().is_ok());
        let missing = dir.path().join("new.db");
        assert!(DatabaseLocation::SqliteFile(missing).url().is_ok());
        assert!(
            DatabaseLocation::SqliteFile(dir.path().into())
                .url()
                .is_err()
        );
    }
}
