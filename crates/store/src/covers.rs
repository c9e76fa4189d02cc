//! The cover details of each period's committee report, saved so that every
//! download of the report (web or `ambit report`) says the same.

use domain::{ReportCover, ReportReference, ReportingPeriod};
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError};

/// A period's saved cover, with its version for the next edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCover {
    /// What the cover says.
    pub cover: ReportCover,
    /// Optimistic-locking version; 0 when nothing is saved yet.
    pub version: domain::Version,
}

/// A plan's cover for one half (`$1` the plan, `$2` the half's number).
const COVER_OF_PERIOD: &str = "SELECT id, reference, committee, meeting_date, author, contact, summary, version \
     FROM report_covers WHERE plan_id = $1 AND half = $2";

fn cover_from(row: &AnyRow) -> Result<SavedCover, StoreError> {
    let c = Cols::new(row, "report cover")?;
    Ok(SavedCover {
        cover: ReportCover {
            reference: c.parse("reference", ReportReference::parse)?,
            committee: c.string("committee")?,
            meeting_date: c.parse_opt("meeting_date", |s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    domain::ParseError::new("meeting date", s, "a date such as 2022-11-24")
                })
            })?,
            author: c.string("author")?,
            contact: c.string("contact")?,
            summary: c.string("summary")?,
        },
        version: c.key("version")?,
    })
}

impl Store {
    /// The saved cover of plan `plan_id`'s report for `period`: empty, at
    /// version 0, until one is saved.
    pub async fn report_cover(
        &self,
        plan_id: domain::PlanId,
        period: ReportingPeriod,
    ) -> Result<SavedCover, StoreError> {
        let row = sqlx::query(COVER_OF_PERIOD)
            .bind(plan_id.get())
            .bind(period.half.number())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => cover_from(&row),
            None => Ok(SavedCover {
                cover: ReportCover::default(),
                version: domain::Version::new(0),
            }),
        }
    }

    /// Save the cover of plan `plan_id`'s report for `period`, based on
    /// `version` (0 for the first save). Refused, changing nothing, if
    /// someone saved it since.
    pub async fn save_report_cover(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        period: ReportingPeriod,
        version: domain::Version,
        cover: &ReportCover,
    ) -> Result<SavedCover, StoreError> {
        let plan = self.plan_by_id(plan_id).await?;
        let body_id = self.portfolio_by_id(plan.portfolio_id).await?.body_id;
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query(COVER_OF_PERIOD)
            .bind(plan_id.get())
            .bind(period.half.number())
            .fetch_optional(&mut *tx)
            .await?;
        let before = existing.as_ref().map(cover_from).transpose()?;
        let current = before
            .as_ref()
            .map_or(domain::Version::new(0), |b| b.version);
        let key = format!("{} {period}", plan.year);
        if before.is_none() && version.get() != 0 {
            return Err(StoreError::Conflict {
                entity: "report cover",
                key,
                expected: version.get(),
                current: 0,
            });
        }
        let t = now();
        let meeting_date = cover.meeting_date.map(|d| d.to_string());
        let id: i64 = match &existing {
            None => {
                sqlx::query_scalar(
                    "INSERT INTO report_covers (plan_id, half, reference, committee, meeting_date, author, summary, created_at, updated_at, contact) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(plan_id.get())
                .bind(period.half.number())
                .bind(cover.reference.as_str())
                .bind(&cover.committee)
                .bind(meeting_date)
                .bind(&cover.author)
                .bind(&cover.summary)
                .bind(&t)
                .bind(&t)
                .bind(&cover.contact)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match e {
                    // Someone saved the first cover since the read above.
                    sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                        entity: "report cover",
                        key: key.clone(),
                        expected: 0,
                        current: 1,
                    },
                    e => StoreError::Database(e),
                })?
            }
            Some(row) => {
                let id = Cols::new(row, "report cover")?.id();
                crate::rows::claim(&mut tx, "report_covers", "report cover", &key, id, version)
                    .await?;
                sqlx::query(
                    "UPDATE report_covers SET reference = $1, committee = $2, meeting_date = $3, author = $4, summary = $5, \
                     updated_at = $6, contact = $8 WHERE id = $7",
                )
                .bind(cover.reference.as_str())
                .bind(&cover.committee)
                .bind(meeting_date)
                .bind(&cover.author)
                .bind(&cover.summary)
                .bind(&t)
                .bind(id)
                .bind(&cover.contact)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let saved = SavedCover {
            cover: cover.clone(),
            version: current.next(),
        };
        let change = match before {
            None => Change::create(Some(body_id.get()), actor, "report cover", id, json(cover)),
            Some(b) => Change::between(
                Some(body_id.get()),
                actor,
                "report cover",
                id,
                "edit",
                json(&b.cover),
                json(cover),
            ),
        };
        record(&mut tx, change).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
