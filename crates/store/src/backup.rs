//! Backup and restore: a consistent copy of every table as one JSON file,
//! the same format from either engine (so a SQLite backup can be restored
//! into PostgreSQL and back).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::audit::{Change, record};
use crate::rows::now;
use crate::{Engine, Store, StoreError};

/// Every table, parents before children (the order rows are restored in).
const TABLES: &[&str] = &[
    "bodies",
    "strategies",
    "ambitions",
    "alignments",
    "committees",
    "portfolios",
    "plans",
    "plan_alignments",
    "plan_items",
    "actions",
    "measures",
    "measure_targets",
    "updates",
    "measure_actuals",
    "audit_events",
    "users",
    "memberships",
    "sessions",
    "api_tokens",
    "sso_providers",
    "sso_logins",
    "reporting_periods",
    "outbox",
    "committee_members",
    "meetings",
    "agenda_items",
    "resolutions",
    "questions",
    "commitments",
    "report_covers",
    "minutes_reviews",
    "published_packs",
    "published_pack_files",
    "moderngov_sites",
    "moderngov_syncs",
    "moderngov_committees",
    "moderngov_meetings",
    "moderngov_items",
    "meeting_attendees",
    "agenda_item_documents",
    "minutes_queue",
];

/// Columns of bytes, kept in a backup as PostgreSQL writes `bytea` in
/// JSON: `\x` and the bytes in hex (JSON cannot hold bytes, and SQLite's
/// JSON functions refuse a BLOB).
const BYTES: &[(&str, &str)] = &[("published_pack_files", "content")];

/// Whether `column` of `table` holds bytes.
fn is_bytes(table: &str, column: &str) -> bool {
    BYTES.contains(&(table, column))
}

/// Scratch and derived tables, not part of the record (uploads waiting
/// for an import, the search index its triggers rebuild, failed sign-ins
/// waiting to expire): not backed up, and emptied before a restore
/// replaces the data they point to.
const SCRATCH: &[&str] = &[
    "import_uploads",
    "search_index",
    "sign_in_failures",
    "sign_in_windows",
];

/// The database's own bookkeeping, kept through a restore: the data's
/// version counters (all, shared and per body), which the restore's audit
/// events move on so that every process's caches see the new data.
#[cfg(test)]
const BOOKKEEPING: &[&str] = &["data_version", "body_data_versions"];

/// Tables whose `id` column is generated, so PostgreSQL's counters must be moved on after a restore.
const WITH_ID: &[&str] = &[
    "bodies",
    "strategies",
    "ambitions",
    "alignments",
    "committees",
    "portfolios",
    "plans",
    "plan_items",
    "actions",
    "measures",
    "updates",
    "audit_events",
    "users",
    "memberships",
    "sessions",
    "api_tokens",
    "sso_providers",
    "sso_logins",
    "reporting_periods",
    "outbox",
    "committee_members",
    "meetings",
    "agenda_items",
    "resolutions",
    "questions",
    "commitments",
    "report_covers",
    "minutes_reviews",
    "published_packs",
    "published_pack_files",
    "moderngov_syncs",
    "moderngov_committees",
    "moderngov_meetings",
    "moderngov_items",
    "meeting_attendees",
    "agenda_item_documents",
    "minutes_queue",
];

const FORMAT: &str = "ambit-backup";

#[derive(Serialize, Deserialize)]
struct Archive {
    format: String,
    schema: i64,
    created_at: String,
    tables: BTreeMap<String, Vec<serde_json::Value>>,
}

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// Rows per table.
    pub rows: BTreeMap<String, usize>,
}

impl BackupSummary {
    /// Rows in all.
    pub fn total(&self) -> usize {
        self.rows.values().sum()
    }
}

async fn columns(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
) -> Result<Vec<String>, StoreError> {
    let sql = match engine {
        Engine::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Engine::Postgres => {
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(table).fetch_all(conn).await?)
}

impl Store {
    /// Write a consistent copy of the whole database to `path` while it is
    /// in use. Refuses to replace an existing file.
    pub async fn backup(&self, path: &Path) -> Result<BackupSummary, StoreError> {
        let shown = path.display().to_string();
        if path.exists() {
            return Err(StoreError::Backup {
                path: shown,
                reason: "the file already exists; choose another name or move it away first".into(),
            });
        }
        let mut tx = match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN").await?,
            Engine::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let mut tables = BTreeMap::new();
        for table in TABLES {
            let sql = match self.engine {
                Engine::Sqlite => {
                    let cols = columns(&mut tx, self.engine, table).await?;
                    let pairs: Vec<String> = cols
                        .iter()
                        .map(|c| {
                            if is_bytes(table, c) {
                                format!("'{c}', '\\x' || lower(hex(\"{c}\"))")
                            } else {
                                format!("'{c}', \"{c}\"")
                            }
                        })
                        .collect();
                    format!(
                        "SELECT COALESCE(json_group_array(json_object({})), '[]') FROM (SELECT * FROM {table} ORDER BY rowid)",
                        pairs.join(", ")
                    )
                }
                Engine::Postgres => format!(
                    "SELECT COALESCE(json_agg(t)::text, '[]') FROM (SELECT * FROM {table} ORDER BY 1) t"
                ),
            };
            let text: String = sqlx::query_scalar(&sql).fetch_one(&mut *tx).await?;
            let rows: Vec<serde_json::Value> =
                serde_json::from_str(&text).map_err(|e| StoreError::Backup {
                    path: shown.clone(),
                    reason: format!("table {table} could not be read as JSON: {e}"),
                })?;
            tables.insert((*table).to_owned(), rows);
        }
        tx.commit().await?;
        let archive = Archive {
            format: FORMAT.into(),
            schema: Self::schema_version(),
            created_at: now(),
            tables,
        };
        let summary = BackupSummary {
            rows: archive
                .tables
                .iter()
                .map(|(k, v)| (k.clone(), v.len()))
                .collect(),
        };
        let io = |source| StoreError::Io {
            path: shown.clone(),
            source,
        };
        let partial = path.with_extension("partial");
        let mut file = std::fs::File::create(&partial).map_err(io)?;
        serde_json::to_writer(&mut file, &archive).map_err(|e| io(e.into()))?;
        file.flush().map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)?;
        Ok(summary)
    }

    /// Replace the database's contents with the backup at `path`, in one
    /// transaction. Refuses to replace existing data unless `force`.
    pub async fn restore(
        &self,
        actor: &str,
        path: &Path,
        location: &str,
        force: bool,
    ) -> Result<BackupSummary, StoreError> {
        let shown = path.display().to_string();
        let bad = |reason: String| StoreError::Backup {
            path: shown.clone(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
            path: shown.clone(),
            source,
        })?;
        let archive: Archive = serde_json::from_str(&text)
            .map_err(|e| bad(format!("it is not an Ambit backup ({e})")))?;
        if archive.format != FORMAT {
            return Err(bad(format!(
                "it is not an Ambit backup (format {:?})",
                archive.format
            )));
        }
        if archive.schema != Self::schema_version() {
            return Err(bad(format!(
                "it was made with database schema {} but this Ambit uses schema {}; use the Ambit version that made it",
                archive.schema,
                Self::schema_version()
            )));
        }
        if let Some(unknown) = archive
            .tables
            .keys()
            .find(|t| !TABLES.contains(&t.as_str()))
        {
            return Err(bad(format!("it holds an unknown table {unknown:?}")));
        }

        let mut tx = self.begin_write().await?;
        let mut existing = 0i64;
        for table in TABLES {
            existing += sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await?;
        }
        if existing > 0 {
            if !force {
                return Err(StoreError::WouldOverwrite {
                    location: location.to_owned(),
                });
            }
            for table in SCRATCH.iter().chain(TABLES.iter().rev()) {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut rows = BTreeMap::new();
        for table in TABLES {
            let data = archive.tables.get(*table).cloned().unwrap_or_default();
            rows.insert((*table).to_owned(), data.len());
            if data.is_empty() {
                continue;
            }
            let json = serde_json::Value::Array(data).to_string();
            let sql = match self.engine {
                Engine::Sqlite => {
                    let cols = columns(&mut tx, self.engine, table).await?;
                    let names: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
                    let values: Vec<String> = cols
                        .iter()
                        .map(|c| {
                            if is_bytes(table, c) {
                                format!("unhex(substr(json_extract(value, '$.{c}'), 3))")
                            } else {
                                format!("json_extract(value, '$.{c}')")
                            }
                        })
                        .collect();
                    format!(
                        "INSERT INTO {table} ({}) SELECT {} FROM json_each($1)",
                        names.join(", "),
                        values.join(", ")
                    )
                }
                Engine::Postgres => format!(
                    "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)"
                ),
            };
            sqlx::query(&sql)
                .bind(json)
                .execute(&mut *tx)
                .await
                .map_err(|e| bad(format!("table {table} could not be restored: {e}")))?;
        }
        if self.engine == Engine::Postgres {
            for table in WITH_ID {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        let summary = BackupSummary { rows };
        record(
            &mut tx,
            Change {
                body_id: None,
                actor,
                entity: "database",
                entity_id: 0,
                operation: "restore",
                before: Some(serde_json::json!({ "rows": existing })),
                after: Some(serde_json::json!({ "file": shown, "backup_made": archive.created_at, "rows": summary.total() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table the migrations create is backed up, or is scratch: a new
    /// table left out of the backup would be lost by a restore.
    #[test]
    fn every_table_is_backed_up_or_scratch() {
        for migration in crate::SQLITE_MIGRATIONS
            .iter()
            .chain(crate::POSTGRES_MIGRATIONS.iter())
        {
            for statement in migration.sql.split(';') {
                let words: Vec<&str> = statement.split_whitespace().collect();
                for w in words.windows(3) {
                    if w[0].eq_ignore_ascii_case("create") && w[1].eq_ignore_ascii_case("table") {
                        let name = w[2].trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
                        assert!(
                            TABLES.contains(&name)
                                || SCRATCH.contains(&name)
                                || BOOKKEEPING.contains(&name),
                            "table {name} (migration {}) is neither backed up, scratch nor bookkeeping",
                            migration.version
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn tables_with_generated_ids_are_backed_up() {
        for table in WITH_ID {
            assert!(TABLES.contains(table), "{table}");
        }
    }
}
