use std::fmt;
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
}
