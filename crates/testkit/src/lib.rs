//! Test support: a fresh database per test, on either engine.
//!
//! SQLite databases are files in a temporary folder. PostgreSQL databases
//! are created on the server named by `AMBIT_TEST_POSTGRES_URL` (a URL
//! without a database name, e.g. `postgres://postgres@127.0.0.1:5433`),
//! which `scripts/test` starts as a throwaway cluster. When that variable
//! is missing the PostgreSQL tests are skipped with a notice — unless `CI`
//! or `AMBIT_REQUIRE_POSTGRES` is set, when they fail instead.

pub mod moderngov;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;
use store::{DatabaseLocation, Store};

/// A database that lives as long as the value.
pub struct TestDb {
    /// Where it is.
    pub location: DatabaseLocation,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Open (and migrate) it.
    pub async fn open(&self) -> Store {
        Store::open(&self.location)
            .await
            .expect("test database opens")
    }

    /// The command-line arguments that select it.
    pub fn args(&self) -> Vec<String> {
        match &self.location {
            DatabaseLocation::SqliteFile(p) => vec!["--db".into(), p.display().to_string()],
            DatabaseLocation::Url(u) => vec!["--database-url".into(), u.clone()],
        }
    }

    /// The SQLite file, if it is one.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.location {
            DatabaseLocation::SqliteFile(p) => Some(p.clone()),
            DatabaseLocation::Url(_) => None,
        }
    }
}

/// A new empty SQLite database file.
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("ambit.db");
    TestDb {
        location: DatabaseLocation::SqliteFile(path),
        _dir: Some(dir),
    }
}

/// Whether PostgreSQL tests must run (in CI) rather than be skipped.
pub fn postgres_required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
        || std::env::var_os("AMBIT_REQUIRE_POSTGRES").is_some()
}

/// A new empty PostgreSQL database, or none (with a notice) when no server is configured.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let Some(server) = std::env::var("AMBIT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            !postgres_required(),
            "AMBIT_TEST_POSTGRES_URL is not set, but PostgreSQL tests are required here; run them with scripts/test"
        );
        eprintln!(
            "skipping the PostgreSQL half of this test: AMBIT_TEST_POSTGRES_URL is not set (scripts/test sets it)"
        );
        return None;
    };
    let server = server.trim_end_matches('/');
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "ambit_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the PostgreSQL test server accepts connections");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .expect("test database is created");
    let _ = admin.close().await;
    Some(TestDb {
        location: DatabaseLocation::Url(format!("{server}/{name}")),
        _dir: None,
    })
}

/// Define a test module `$name` running `async fn $name(db: TestDb)` once
/// on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}
