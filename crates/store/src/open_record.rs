//! What a body publishes as open data, read in a few queries each: its
//! committees, published meetings and their agenda items with the times
//! each was created and last changed (for OParl), the committees' members,
//! and the latest signed-off updates of its published plans (for its feed).
//!
//! Visibility is decided here only as far as the columns say it: meetings
//! not published, and the items of such meetings, are never read; plans
//! not published are never read for the feed. What else the public may see
//! of these is the web's to decide.

use std::collections::HashMap;

use domain::{AgendaItem, Committee, CommitteeMember, FinancialYear, Meeting, Update};

use crate::rows::Cols;
use crate::scrutiny::{
    COMMITTEE_COLUMNS, MEMBER_COLUMNS, committee_from, item_from, meeting_from, member_from,
};
use crate::{Store, StoreError};

/// When a record was created and last changed, as stored (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamps {
    /// When it was created.
    pub created: String,
    /// When it last changed.
    pub modified: String,
}

impl Stamps {
    fn read(c: &Cols) -> Result<Self, StoreError> {
        Ok(Self {
            created: c.string("created_at")?,
            modified: c.string("updated_at")?,
        })
    }
}

/// A body's committee record as the public may read it: every committee,
/// the published meetings and the items on their agendas (without the
/// minutes' text), each with its [`Stamps`].
#[derive(Debug, Clone)]
pub struct PublicRecord {
    /// When the body was created and last changed.
    pub body: Stamps,
    /// Its committees, by id.
    pub committees: Vec<(Committee, Stamps)>,
    /// The published meetings of its committees, by id.
    pub meetings: Vec<(Meeting, Stamps)>,
    /// The items of those meetings, by meeting then id; `minutes` is empty.
    pub items: Vec<(AgendaItem, Stamps)>,
}

/// A signed-off update (as stored: the web shows its published content
/// only) with the action and plan it belongs to, for a body's feed.
#[derive(Debug, Clone)]
pub struct FeedUpdate {
    /// The update as stored.
    pub update: Update,
    /// The action's reference, "6A".
    pub reference: String,
    /// The action's title.
    pub title: String,
    /// The portfolio's code.
    pub portfolio: String,
    /// The plan's year.
    pub year: FinancialYear,
}

impl Store {
    /// When each body was created and last changed, by body id.
    pub async fn body_stamps(&self) -> Result<HashMap<domain::BodyId, Stamps>, StoreError> {
        let rows =
            sqlx::query("SELECT id, created_at, updated_at FROM bodies WHERE deleted_at IS NULL")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let c = Cols::new(r, "body")?;
                Ok((c.id(), Stamps::read(&c)?))
            })
            .collect()
    }

    /// Body `body_id`'s committees, published meetings and their agenda
    /// items, with when each was created and last changed: four queries
    /// whatever the number of meetings.
    pub async fn public_record(&self, body_id: domain::BodyId) -> Result<PublicRecord, StoreError> {
        let body = sqlx::query("SELECT id, created_at, updated_at FROM bodies WHERE id = $1")
            .bind(body_id.get())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("body", body_id))?;
        let body = Stamps::read(&Cols::new(&body, "body")?)?;
        let rows = sqlx::query(&format!(
            "SELECT {COMMITTEE_COLUMNS}, created_at, updated_at FROM committees \
             WHERE body_id = $1 AND deleted_at IS NULL ORDER BY id"
        ))
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let committees = rows
            .iter()
            .map(|r| {
                Ok((
                    committee_from(r)?,
                    Stamps::read(&Cols::new(r, "committee")?)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = sqlx::query(
            "SELECT m.id, m.committee_id, m.held_on, m.venue, m.status, m.published, m.version, \
             m.created_at, m.updated_at FROM meetings m JOIN committees c ON c.id = m.committee_id \
             WHERE c.body_id = $1 AND c.deleted_at IS NULL AND m.deleted_at IS NULL AND m.published <> 0 \
             ORDER BY m.id",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let meetings = rows
            .iter()
            .map(|r| Ok((meeting_from(r)?, Stamps::read(&Cols::new(r, "meeting")?)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = sqlx::query(
            "SELECT i.id, i.meeting_id, i.number, i.title, i.report_ref, i.plan_id, i.half, \
             '' AS minutes, i.version, i.created_at, i.updated_at \
             FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id \
             JOIN committees c ON c.id = m.committee_id \
             WHERE c.body_id = $1 AND c.deleted_at IS NULL AND m.deleted_at IS NULL \
             AND m.published <> 0 AND i.deleted_at IS NULL ORDER BY i.meeting_id, i.id",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| Ok((item_from(r)?, Stamps::read(&Cols::new(r, "agenda item")?)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(PublicRecord {
            body,
            committees,
            meetings,
            items,
        })
    }

    /// The members of every committee of body `body_id` with when each was
    /// created and last changed, in one query, by id.
    pub async fn dated_members(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<(CommitteeMember, Stamps)>, StoreError> {
        let columns = MEMBER_COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {columns}, m.created_at, m.updated_at FROM committee_members m \
             JOIN committees c ON c.id = m.committee_id \
             WHERE c.body_id = $1 AND m.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY m.id"
        ))
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    member_from(r)?,
                    Stamps::read(&Cols::new(r, "committee member")?)?,
                ))
            })
            .collect()
    }

    /// The `limit` most recently changed updates of body `body_id`'s
    /// published plans that have signed-off content (signed off, or a
    /// revision of a signed-off update), newest first, in one query. Their
    /// measure actuals are not read.
    pub async fn feed_updates(
        &self,
        body_id: domain::BodyId,
        limit: i64,
    ) -> Result<Vec<FeedUpdate>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.*, a.reference AS action_reference, a.title AS action_title, \
             po.code AS portfolio_code, pl.year AS plan_year \
             FROM updates u JOIN actions a ON a.id = u.action_id JOIN plans pl ON pl.id = a.plan_id \
             JOIN portfolios po ON po.id = pl.portfolio_id \
             WHERE po.body_id = $1 AND pl.published_at IS NOT NULL AND pl.deleted_at IS NULL \
             AND a.deleted_at IS NULL AND u.deleted_at IS NULL \
             AND (u.state = 'signed_off' OR u.published IS NOT NULL) \
             ORDER BY u.updated_at DESC, u.id DESC LIMIT $2",
        )
        .bind(body_id.get())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut no_actuals = HashMap::new();
        rows.iter()
            .map(|r| {
                let c = Cols::new(r, "update")?;
                let year = c.i64("plan_year")?;
                let year = i32::try_from(year)
                    .map_err(|_| {
                        c.corrupt(domain::ParseError::new("year", year.to_string(), "a year"))
                    })
                    .and_then(|y| FinancialYear::starting(y).map_err(|e| c.corrupt(e)))?;
                Ok(FeedUpdate {
                    update: crate::updates::update_from(r, &mut no_actuals)?,
                    reference: c.string("action_reference")?,
                    title: c.string("action_title")?,
                    portfolio: c.string("portfolio_code")?,
                    year,
                })
            })
            .collect()
    }
}
