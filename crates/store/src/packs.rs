//! Published committee report packs, frozen: the exact files of every
//! format as the committee saw them, each with its SHA-256, and the data
//! version they were rendered from. A pack is written once, in one
//! transaction with its audit event, and nothing here changes or deletes
//! it (the tables' triggers refuse an `UPDATE` from anywhere else).

use domain::{FinancialYear, Half, ParseError, PortfolioCode, ReportingPeriod};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError};

/// The largest file of a pack taken (64 MB). A 2,000-action plan's PDF is
/// a few MB.
pub const PACK_FILE_BYTES: usize = 64 * 1000 * 1000;

/// The most files one pack holds (one per format, with room to grow).
pub const PACK_FILES: usize = 8;

/// A pack to publish: what the committee is sent for one plan's period.
#[derive(Debug, Clone)]
pub struct NewPack {
    /// The plan reported on.
    pub plan_id: domain::PlanId,
    /// The half reported on.
    pub half: Half,
    /// The cover's reference, which names the pack within its body; required.
    pub reference: domain::ReportReference,
    /// The committee it goes to, as the pack says.
    pub committee: String,
    /// The meeting's date, from the cover.
    pub meeting_date: Option<chrono::NaiveDate>,
    /// The pack's title, as its documents say.
    pub title: String,
    /// The data version: everything the files were rendered from, as
    /// JSON, so that rendering it again gives the same bytes.
    pub data: String,
    /// The files, by format name ("pdf", "docx", …), in the order to list them.
    pub files: Vec<(String, Vec<u8>)>,
}

/// One stored file of a published pack (its bytes are read apart, by
/// [`Store::pack_file`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackFile {
    /// The format's name: "html", "pdf", "docx" or "xlsx".
    pub format: String,
    /// The SHA-256 of the bytes, in lower-case hex.
    pub sha256: String,
    /// The size in bytes.
    pub size: i64,
}

/// A published pack: which report it is, who published it and when, the
/// data version and its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPack {
    /// Its id.
    pub id: i64,
    /// The body's id.
    pub body_id: domain::BodyId,
    /// The body's slug.
    pub body_slug: String,
    /// The plan's id.
    pub plan_id: domain::PlanId,
    /// The plan's portfolio.
    pub portfolio: PortfolioCode,
    /// The period reported on.
    pub period: ReportingPeriod,
    /// Whether the plan is published (the public sees packs of published plans only).
    pub plan_published: bool,
    /// The report's reference: "ACH24-030".
    pub reference: String,
    /// The committee it went to.
    pub committee: String,
    /// The meeting's date.
    pub meeting_date: Option<chrono::NaiveDate>,
    /// The pack's title.
    pub title: String,
    /// The SHA-256 of the data version, in lower-case hex.
    pub data_sha256: String,
    /// Who published it.
    pub published_by: String,
    /// When (UTC, RFC 3339).
    pub published_at: String,
    /// Its files, in the order published.
    pub files: Vec<PackFile>,
}

/// A published pack's file found by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackMatch {
    /// The pack.
    pub pack: PublishedPack,
    /// The format of the matching file.
    pub format: String,
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The columns of a pack with its plan, portfolio and body.
const PACK_COLUMNS: &str = "SELECT k.id, k.body_id, k.plan_id, k.half, k.reference, k.committee, k.meeting_date, \
     k.title, k.data_sha256, k.published_by, k.published_at, pl.year, pl.published_at AS plan_published_at, \
     po.code AS portfolio_code, b.slug AS body_slug \
     FROM published_packs k JOIN plans pl ON pl.id = k.plan_id \
     JOIN portfolios po ON po.id = pl.portfolio_id JOIN bodies b ON b.id = k.body_id";

/// A pack's file as listed (format, hash and size; not its bytes).
fn file_from(c: &Cols) -> Result<PackFile, StoreError> {
    Ok(PackFile {
        format: c.string("format")?,
        sha256: c.string("sha256")?,
        size: c.i64("size")?,
    })
}

fn pack_from(row: &AnyRow) -> Result<PublishedPack, StoreError> {
    let c = Cols::new(row, "published pack")?;
    let year = c.i64("year")?;
    let year = i32::try_from(year)
        .map_err(|_| c.corrupt(ParseError::new("year", year.to_string(), "a year")))
        .and_then(|y| FinancialYear::starting(y).map_err(|e| c.corrupt(e)))?;
    let half = Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
    Ok(PublishedPack {
        id: c.id(),
        body_id: c.key("body_id")?,
        body_slug: c.string("body_slug")?,
        plan_id: c.key("plan_id")?,
        portfolio: c.parse("portfolio_code", str::parse)?,
        period: ReportingPeriod::new(year, half),
        plan_published: c.opt_string("plan_published_at")?.is_some(),
        reference: c.string("reference")?,
        committee: c.string("committee")?,
        meeting_date: c.parse_opt("meeting_date", |s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ParseError::new("meeting date", s, "a date such as 2022-11-24"))
        })?,
        title: c.string("title")?,
        data_sha256: c.string("data_sha256")?,
        published_by: c.string("published_by")?,
        published_at: c.string("published_at")?,
        files: Vec::new(),
    })
}

/// The key a reference is unique by within a body: upper case, trimmed.
fn reference_key(reference: &str) -> String {
    reference.trim().to_ascii_uppercase()
}

/// Refuse a pack that cannot be published, naming the field.
fn check(pack: &NewPack) -> Result<(), StoreError> {
    let invalid = |field, value: &str, expected| {
        Err(StoreError::Invalid(ParseError::new(field, value, expected)))
    };
    if pack.reference.as_str().is_empty() {
        return invalid(
            "report reference",
            "",
            "the report's reference on the cover, like ACH24-030: save the cover with it first",
        );
    }
    if pack.files.is_empty() || pack.files.len() > PACK_FILES {
        return invalid(
            "files",
            &pack.files.len().to_string(),
            "from one to eight files, one per format",
        );
    }
    for (i, (format, bytes)) in pack.files.iter().enumerate() {
        if format.is_empty()
            || format.len() > 10
            || !format.chars().all(|c| c.is_ascii_lowercase())
            || pack.files[..i].iter().any(|(f, _)| f == format)
        {
            return invalid(
                "format",
                format,
                "a format's name in lower case, like pdf, once per pack",
            );
        }
        if bytes.is_empty() || bytes.len() > PACK_FILE_BYTES {
            return invalid(
                "file",
                format,
                "a file of one byte to 64 MB for each format",
            );
        }
    }
    if serde_json::from_str::<serde_json::Value>(&pack.data).is_err() {
        return invalid("data", "", "the pack's data version as JSON");
    }
    Ok(())
}

impl Store {
    /// Publish `pack`, frozen: its files, their hashes and its data
    /// version, in one transaction with an audit event. Refused, writing
    /// nothing, when its body already has a pack with the same reference
    /// ([`StoreError::AlreadyPublished`]): a revised pack takes a new
    /// reference.
    pub async fn publish_pack(
        &self,
        actor: &str,
        pack: &NewPack,
    ) -> Result<PublishedPack, StoreError> {
        check(pack)?;
        let plan = self.plan_by_id(pack.plan_id).await?;
        let body_id = self.portfolio_by_id(plan.portfolio_id).await?.body_id;
        let reference = pack.reference.as_str();
        let key = reference_key(reference);
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT published_at FROM published_packs WHERE body_id = $1 AND reference_key = $2",
        )
        .bind(body_id.get())
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        let already = |published_at: String| StoreError::AlreadyPublished {
            reference: reference.to_owned(),
            published_at,
        };
        if let Some(at) = existing {
            return Err(already(at));
        }
        let at = now();
        let data_sha256 = sha256_hex(pack.data.as_bytes());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO published_packs (body_id, plan_id, half, reference, reference_key, committee, meeting_date, \
             title, data, data_sha256, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(body_id.get())
        .bind(pack.plan_id.get())
        .bind(pack.half.number())
        .bind(reference)
        .bind(&key)
        .bind(&pack.committee)
        .bind(pack.meeting_date.map(|d| d.to_string()))
        .bind(&pack.title)
        .bind(&pack.data)
        .bind(&data_sha256)
        .bind(actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            // Published by someone else since the check above.
            sqlx::Error::Database(db) if db.is_unique_violation() => already(at.clone()),
            e => StoreError::Database(e),
        })?;
        let mut files = Vec::with_capacity(pack.files.len());
        for (format, bytes) in &pack.files {
            let file = PackFile {
                format: format.clone(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as i64,
            };
            sqlx::query(
                "INSERT INTO published_pack_files (pack_id, format, content, sha256, size) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&file.format)
            .bind(bytes.as_slice())
            .bind(&file.sha256)
            .bind(file.size)
            .execute(&mut *tx)
            .await?;
            files.push(file);
        }
        let period = ReportingPeriod::new(plan.year, pack.half);
        record(
            &mut tx,
            Change::create(
                Some(body_id.get()),
                actor,
                "published pack",
                id,
                serde_json::json!({
                    "reference": reference,
                    "plan_id": pack.plan_id,
                    "period": period.to_string(),
                    "committee": pack.committee,
                    "meeting_date": pack.meeting_date,
                    "title": pack.title,
                    "data_sha256": data_sha256,
                    "files": json(&files),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.published_pack(id).await
    }

    /// One published pack with its files' hashes.
    pub async fn published_pack(&self, id: i64) -> Result<PublishedPack, StoreError> {
        let row = sqlx::query(&format!("{PACK_COLUMNS} WHERE k.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("published pack", id))?;
        let mut pack = pack_from(&row)?;
        pack.files = self.pack_files(id).await?;
        Ok(pack)
    }

    /// The pack of body `body_id` published under `reference` (compared
    /// without regard to case), if any.
    pub async fn published_pack_by_reference(
        &self,
        body_id: domain::BodyId,
        reference: &str,
    ) -> Result<Option<PublishedPack>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM published_packs WHERE body_id = $1 AND reference_key = $2",
        )
        .bind(body_id.get())
        .bind(reference_key(reference))
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => Ok(Some(self.published_pack(id).await?)),
            None => Ok(None),
        }
    }

    /// The published packs of body `body_id`, newest first; only plan
    /// `plan_id`'s when given.
    pub async fn published_packs(
        &self,
        body_id: domain::BodyId,
        plan_id: Option<domain::PlanId>,
    ) -> Result<Vec<PublishedPack>, StoreError> {
        let rows = sqlx::query(&format!(
            "{PACK_COLUMNS} WHERE k.body_id = $1 AND ($2 = 0 OR k.plan_id = $2) ORDER BY k.id DESC"
        ))
        .bind(body_id.get())
        .bind(plan_id.map_or(0, |p| p.get()))
        .fetch_all(&self.pool)
        .await?;
        let mut packs = rows.iter().map(pack_from).collect::<Result<Vec<_>, _>>()?;
        // Every listed pack's files in one query, not one per pack.
        let file_rows = sqlx::query(
            "SELECT f.id, f.pack_id, f.format, f.sha256, f.size FROM published_pack_files f \
             JOIN published_packs k ON k.id = f.pack_id \
             WHERE k.body_id = $1 AND ($2 = 0 OR k.plan_id = $2) ORDER BY f.id",
        )
        .bind(body_id.get())
        .bind(plan_id.map_or(0, |p| p.get()))
        .fetch_all(&self.pool)
        .await?;
        let mut files: std::collections::HashMap<i64, Vec<PackFile>> =
            std::collections::HashMap::new();
        for row in &file_rows {
            let c = Cols::new(row, "published pack file")?;
            files
                .entry(c.i64("pack_id")?)
                .or_default()
                .push(file_from(&c)?);
        }
        for pack in &mut packs {
            pack.files = files.remove(&pack.id).unwrap_or_default();
        }
        Ok(packs)
    }

    async fn pack_files(&self, pack_id: i64) -> Result<Vec<PackFile>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, format, sha256, size FROM published_pack_files WHERE pack_id = $1 ORDER BY id",
        )
        .bind(pack_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| file_from(&Cols::new(row, "published pack file")?))
            .collect()
    }

    /// The stored bytes of pack `pack_id`'s file in `format`, exactly as
    /// published.
    pub async fn pack_file(&self, pack_id: i64, format: &str) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query(
            "SELECT content FROM published_pack_files WHERE pack_id = $1 AND format = $2",
        )
        .bind(pack_id)
        .bind(format)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| {
            StoreError::not_found("published pack file", format!("{pack_id} {format}"))
        })?;
        Ok(row.try_get::<Vec<u8>, _>("content")?)
    }

    /// The data version pack `pack_id` was rendered from (JSON).
    pub async fn pack_data(&self, pack_id: i64) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT data FROM published_packs WHERE id = $1")
            .bind(pack_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("published pack", pack_id))
    }

    /// The published files whose SHA-256 is `sha256` (lower-case hex), with
    /// their packs: none when the bytes were never published.
    pub async fn packs_with_file(&self, sha256: &str) -> Result<Vec<PackMatch>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, pack_id, format FROM published_pack_files WHERE sha256 = $1 ORDER BY id",
        )
        .bind(sha256.to_ascii_lowercase())
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let c = Cols::new(row, "published pack file")?;
            found.push(PackMatch {
                pack: self.published_pack(c.i64("pack_id")?).await?,
                format: c.string("format")?,
            });
        }
        Ok(found)
    }
}
