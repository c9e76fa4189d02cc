//! Spreadsheets uploaded for a plan import on the web, kept in the database
//! between the import's steps (upload, mapping, preview, confirm), so that
//! any server process over the database can answer the next step and no
//! process holds files in memory between requests.
//!
//! These are scratch rows, not part of the record: they are written
//! without an audit event (like the sign-ins in progress of `sso.rs`) and
//! left out of backups. Each belongs to one session, body and plan, is
//! found by the hash of its random token, and lives [`UPLOAD_TTL`] from
//! its upload; expired rows are never served and are deleted by the next
//! upload. The import itself stays one audited transaction
//! ([`Store::import_plan_upload`]), which also empties the upload.

use std::time::Duration;

use domain::{FinancialYear, ParseError, PlanImport, PortfolioCode};
use sqlx::Row;

use crate::error::megabytes;
use crate::import::{ImportDiff, ImportTarget};
use crate::rows::now;
use crate::{Store, StoreError};

/// How long an upload is kept after it was made (30 minutes).
pub const UPLOAD_TTL: Duration = Duration::from_secs(30 * 60);

/// Which upload, and who asks for it: only the session, body and plan that
/// uploaded a file can read or import it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadKey {
    /// The SHA-256 of the upload's random token (the pages carry the token).
    pub token_hash: String,
    /// The SHA-256 of the identity of the session that uploaded it (the
    /// session's CSRF secret).
    pub owner_hash: String,
    /// The body.
    pub body_id: domain::BodyId,
    /// The portfolio of the plan imported into.
    pub portfolio: PortfolioCode,
    /// The plan's year.
    pub year: FinancialYear,
}

/// How much the uploads may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadBounds {
    /// The most uploads one session keeps for one body; the oldest is
    /// dropped for a new one.
    pub per_session: usize,
    /// The largest file.
    pub file_bytes: usize,
    /// The most bytes all uploads waiting for one body may take together;
    /// past it a new upload is refused ([`StoreError::UploadsFull`]).
    pub body_bytes: usize,
}

/// An uploaded file, read for one step of the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportUpload {
    /// The file's name as uploaded.
    pub file_name: String,
    /// Its content.
    pub content: Vec<u8>,
}

/// The oldest creation time an upload may have and still be used.
fn cutoff() -> String {
    let ttl = chrono::Duration::from_std(UPLOAD_TTL).unwrap_or(chrono::Duration::MAX);
    (chrono::Utc::now() - ttl).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The WHERE clause that finds `key`'s upload, unexpired and not yet
/// imported, with `key` bound as $1 to $5 and the cut-off as $6.
const FIND: &str = "token_hash = $1 AND owner_hash = $2 AND body_id = $3 AND portfolio_code = $4 \
     AND plan_year = $5 AND created_at >= $6 AND finished IS NULL";

impl Store {
    /// Keep `content`, the file called `file_name`, under `key`, within
    /// `bounds`: a file over `bounds.file_bytes` is refused; the session's
    /// oldest upload for the body is dropped when it already has
    /// `bounds.per_session`; and the upload is refused with
    /// [`StoreError::UploadsFull`] when the body's waiting uploads would
    /// take more than `bounds.body_bytes`. Expired uploads (of every body)
    /// are deleted first.
    pub async fn put_import_upload(
        &self,
        key: &UploadKey,
        file_name: &str,
        content: &[u8],
        bounds: UploadBounds,
    ) -> Result<(), StoreError> {
        let size = content.len() as u64;
        if content.len() > bounds.file_bytes {
            return Err(StoreError::Invalid(ParseError::new(
                "file",
                megabytes(size),
                format!("a file of at most {}", megabytes(bounds.file_bytes as u64)),
            )));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
            .bind(cutoff())
            .execute(&mut *tx)
            .await?;
        // On PostgreSQL this locks the body's row, so two uploads at once
        // queue and the second counts the first's bytes (SQLite's write
        // lock already does).
        sqlx::query("UPDATE bodies SET slug = slug WHERE id = $1")
            .bind(key.body_id.get())
            .execute(&mut *tx)
            .await?;
        let mine = sqlx::query(
            "SELECT id, size FROM import_uploads WHERE owner_hash = $1 AND body_id = $2 AND finished IS NULL \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(&key.owner_hash)
        .bind(key.body_id.get())
        .fetch_all(&mut *tx)
        .await?;
        let keep = bounds.per_session.saturating_sub(1);
        let mut dropped = Vec::new();
        let mut freed = 0u64;
        for row in mine.iter().skip(keep) {
            dropped.push(row.try_get::<i64, _>("id")?);
            freed += row.try_get::<i64, _>("size")?.max(0) as u64;
        }
        let held: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM import_uploads WHERE body_id = $1",
        )
        .bind(key.body_id.get())
        .fetch_one(&mut *tx)
        .await?;
        let held = (held.max(0) as u64).saturating_sub(freed);
        if held + size > bounds.body_bytes as u64 {
            // Keep the deletion of expired uploads; add nothing.
            tx.commit().await?;
            return Err(StoreError::UploadsFull {
                held,
                limit: bounds.body_bytes as u64,
            });
        }
        for id in dropped {
            sqlx::query("DELETE FROM import_uploads WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO import_uploads (token_hash, owner_hash, body_id, portfolio_code, plan_year, file_name, content, size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&key.token_hash)
        .bind(&key.owner_hash)
        .bind(key.body_id.get())
        .bind(key.portfolio.as_str())
        .bind(i64::from(key.year.start_year()))
        .bind(file_name)
        .bind(content)
        .bind(size as i64)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upload under `key`, if it is there, unexpired and not yet
    /// imported, read for the caller's request only.
    pub async fn import_upload(&self, key: &UploadKey) -> Result<Option<ImportUpload>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT file_name, content FROM import_uploads WHERE {FIND}"
        ))
        .bind(&key.token_hash)
        .bind(&key.owner_hash)
        .bind(key.body_id.get())
        .bind(key.portfolio.as_str())
        .bind(i64::from(key.year.start_year()))
        .bind(cutoff())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ImportUpload {
            file_name: row.try_get("file_name")?,
            content: row.try_get("content")?,
        }))
    }

    /// [`Store::import_plan`] (not a dry run) of `plan`, read from the
    /// upload under `key`, in one transaction that also ends the upload:
    /// its content is emptied and `banner(diff)` kept for
    /// [`Store::take_import_banner`]. The upload's file name is the
    /// reason on every audit event.
    ///
    /// `Ok(None)` when the upload has expired or was already imported
    /// (nothing is written). Of two confirmations of one upload at once,
    /// one imports and the other finds it imported.
    pub async fn import_plan_upload(
        &self,
        actor: &str,
        target: ImportTarget<'_>,
        plan: &PlanImport,
        key: &UploadKey,
        banner: impl FnOnce(&ImportDiff) -> String,
    ) -> Result<Option<ImportDiff>, StoreError> {
        let mut tx = self.begin_write().await?;
        // Claim the upload first: on PostgreSQL a second confirmation waits
        // here for the first to end, and then finds it finished.
        let claimed = sqlx::query(&format!(
            "UPDATE import_uploads SET content = $7, size = 0, finished = '' WHERE {FIND} \
             RETURNING id, file_name"
        ))
        .bind(&key.token_hash)
        .bind(&key.owner_hash)
        .bind(key.body_id.get())
        .bind(key.portfolio.as_str())
        .bind(i64::from(key.year.start_year()))
        .bind(cutoff())
        .bind(Vec::<u8>::new())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(claimed) = claimed else {
            tx.rollback().await?;
            return Ok(None);
        };
        let id: i64 = claimed.try_get("id")?;
        let file_name: String = claimed.try_get("file_name")?;
        let diff = self
            .import_in(&mut tx, actor, target, plan, &file_name, false)
            .await?;
        sqlx::query("UPDATE import_uploads SET finished = $1 WHERE id = $2")
            .bind(banner(&diff))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(diff))
    }

    /// The banner of the import made from the upload with `token_hash`, for
    /// the session with `owner_hash`, once: it is forgotten as it is read.
    pub async fn take_import_banner(
        &self,
        token_hash: &str,
        owner_hash: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let banner: Option<String> = sqlx::query_scalar(
            "DELETE FROM import_uploads WHERE token_hash = $1 AND owner_hash = $2 \
             AND finished IS NOT NULL AND finished <> '' AND created_at >= $3 RETURNING finished",
        )
        .bind(token_hash)
        .bind(owner_hash)
        .bind(cutoff())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(banner)
    }
}
