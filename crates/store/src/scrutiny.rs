//! The committee's record: members, meetings, agenda items and, accepted
//! from an item's minutes in one transaction, its questions, commitments and
//! resolutions; then the log of promises, delivered or withdrawn later.

use chrono::NaiveDate;
use domain::{
    AcceptedMinutes, AgendaItem, Commitment, CommitmentStatus, Committee, CommitteeMember, Half,
    Meeting, MeetingStatus, MemberRole, ParseError, Question, Resolution, ReviewedProposal, Text,
    Title,
};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::rows::{Cols, flag, json, now, unique};
use crate::{Store, StoreError};

fn day(raw: &str) -> Result<NaiveDate, ParseError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ParseError::new("date", raw, "a date such as 2024-03-12"))
}

pub(crate) fn committee_from(row: &AnyRow) -> Result<Committee, StoreError> {
    let c = Cols::new(row, "committee")?;
    Ok(Committee {
        id: c.id(),
        body_id: c.key("body_id")?,
        name: c.string("name")?,
        clerk: c.string("clerk")?,
        version: c.key("version")?,
    })
}

pub(crate) const COMMITTEE_COLUMNS: &str = "id, body_id, name, clerk, version";

pub(crate) const MEMBER_COLUMNS: &str = "id, committee_id, name, role, term_from, term_to, version";

pub(crate) fn member_from(row: &AnyRow) -> Result<CommitteeMember, StoreError> {
    let c = Cols::new(row, "committee member")?;
    Ok(CommitteeMember {
        id: c.id(),
        committee_id: c.key("committee_id")?,
        name: c.string("name")?,
        role: c.parse("role", str::parse)?,
        term_from: c.parse_opt("term_from", day)?,
        term_to: c.parse_opt("term_to", day)?,
        version: c.key("version")?,
    })
}

pub(crate) fn meeting_from(row: &AnyRow) -> Result<Meeting, StoreError> {
    let c = Cols::new(row, "meeting")?;
    Ok(Meeting {
        id: c.id(),
        committee_id: c.key("committee_id")?,
        held_on: c.parse("held_on", day)?,
        venue: c.string("venue")?,
        status: c.parse("status", str::parse)?,
        published: c.flag("published")?,
        version: c.key("version")?,
    })
}

pub(crate) fn item_from(row: &AnyRow) -> Result<AgendaItem, StoreError> {
    let c = Cols::new(row, "agenda item")?;
    Ok(AgendaItem {
        id: c.id(),
        meeting_id: c.key("meeting_id")?,
        number: c.string("number")?,
        title: c.string("title")?,
        report_ref: c.string("report_ref")?,
        plan_id: c.opt_key("plan_id")?,
        half: c.parse_opt("half", str::parse::<Half>)?,
        minutes: c.string("minutes")?,
        version: c.key("version")?,
    })
}

fn question_from(row: &AnyRow) -> Result<Question, StoreError> {
    let c = Cols::new(row, "question")?;
    Ok(Question {
        id: c.id(),
        agenda_item_id: c.key("agenda_item_id")?,
        asker: c.opt_string("asker")?,
        responder: c.opt_string("responder")?,
        action_id: c.opt_key("action_id")?,
        source: c.string("source")?,
    })
}

fn resolution_from(row: &AnyRow) -> Result<Resolution, StoreError> {
    let c = Cols::new(row, "resolution")?;
    Ok(Resolution {
        id: c.id(),
        agenda_item_id: c.key("agenda_item_id")?,
        text: c.string("text")?,
        outcome: c.parse("outcome", str::parse)?,
    })
}

fn commitment_from(row: &AnyRow) -> Result<Commitment, StoreError> {
    let c = Cols::new(row, "commitment")?;
    Ok(Commitment {
        id: c.id(),
        agenda_item_id: c.key("agenda_item_id")?,
        text: c.string("text")?,
        owner: c.opt_string("owner")?,
        due_by: c.parse_opt("due_by", str::parse::<domain::TargetDate>)?,
        due_text: c.string("due_text")?,
        action_id: c.opt_key("action_id")?,
        status: c.parse("status", str::parse)?,
        delivery_note: c.string("delivery_note")?,
        closed_on: c.parse_opt("closed_on", day)?,
        delivered_by_item_id: c.opt_key("delivered_by_item_id")?,
        source: c.string("source")?,
        version: c.key("version")?,
    })
}

/// A meeting's columns joined as `m`, named `m_…`; read by [`meeting_as_m`].
const MEETING_AS_M: &str = "m.id AS m_id, m.committee_id AS m_committee_id, m.held_on AS m_held_on, \
     m.venue AS m_venue, m.status AS m_status, m.published AS m_published, m.version AS m_version";

/// The meeting joined into a row of `entity` by [`MEETING_AS_M`].
fn meeting_as_m(row: &AnyRow, entity: &'static str) -> Result<Meeting, StoreError> {
    let c = Cols::new(row, entity)?;
    Ok(Meeting {
        id: c.key("m_id")?,
        committee_id: c.key("m_committee_id")?,
        held_on: c.parse("m_held_on", day)?,
        venue: c.string("m_venue")?,
        status: c.parse("m_status", str::parse)?,
        published: c.flag("m_published")?,
        version: c.key("m_version")?,
    })
}

const COMMITMENT_COLUMNS: &str = "c.id, c.agenda_item_id, c.text, c.owner, c.due_by, c.due_text, c.action_id, c.status, \
     c.delivery_note, c.closed_on, c.delivered_by_item_id, c.source, c.version";

/// A new agenda item.
#[derive(Debug, Clone)]
pub struct NewAgendaItem {
    /// "7".
    pub number: Title,
    /// The item's title.
    pub title: Title,
    /// The report it considers (may be empty).
    pub report_ref: String,
    /// The plan the report covers.
    pub plan_id: Option<domain::PlanId>,
    /// The half it covers.
    pub half: Option<Half>,
}

/// What a committee's form sets.
#[derive(Debug, Clone)]
pub struct CommitteeDetails {
    /// Its name, unique in the body.
    pub name: Title,
    /// Who clerks it, when known.
    pub clerk: Option<Title>,
}

impl CommitteeDetails {
    fn clerk_text(&self) -> &str {
        self.clerk.as_ref().map_or("", |c| c.as_str())
    }
}

/// What a member's form sets.
#[derive(Debug, Clone)]
pub struct MemberDetails {
    /// "Councillor Jane Smith".
    pub name: Title,
    /// Chair, vice-chair, member or co-opted member.
    pub role: MemberRole,
    /// The first day of their term, when known.
    pub term_from: Option<NaiveDate>,
    /// The last day of their term, when known.
    pub term_to: Option<NaiveDate>,
}

impl MemberDetails {
    fn member(
        &self,
        id: domain::CommitteeMemberId,
        committee_id: domain::CommitteeId,
        version: domain::Version,
    ) -> CommitteeMember {
        CommitteeMember {
            id,
            committee_id,
            name: self.name.to_string(),
            role: self.role,
            term_from: self.term_from,
            term_to: self.term_to,
            version,
        }
    }
}

/// What a meeting's form sets.
#[derive(Debug, Clone)]
pub struct MeetingDetails {
    /// The day it is (or was) held.
    pub held_on: NaiveDate,
    /// Where.
    pub venue: String,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// Whether the public may see it and its record.
    pub published: bool,
}

impl MeetingDetails {
    fn meeting(
        &self,
        id: domain::MeetingId,
        committee_id: domain::CommitteeId,
        version: domain::Version,
    ) -> Meeting {
        Meeting {
            id,
            committee_id,
            held_on: self.held_on,
            venue: self.venue.trim().to_owned(),
            status: self.status,
            published: self.published,
            version,
        }
    }
}

/// A question with where it was asked.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedQuestion {
    /// The question.
    pub question: Question,
    /// The meeting it was asked at.
    pub meeting: Meeting,
    /// The agenda item's number.
    pub item_number: String,
}

/// An agenda item whose minutes a clerk reviewed: the minutes, what was
/// recorded, and what was decided about each proposed promise.
#[derive(Debug, Clone)]
pub struct ReviewedMinutes {
    /// The agenda item.
    pub agenda_item_id: domain::AgendaItemId,
    /// The day of its meeting.
    pub held_on: NaiveDate,
    /// The report it considered, as written (empty when none).
    pub report: String,
    /// Its minutes.
    pub minutes: String,
    /// The promises recorded from it.
    pub commitments: Vec<Commitment>,
    /// How many resolutions were recorded from it.
    pub resolutions: usize,
    /// Each promise the extractor proposed, and the clerk's decision.
    pub proposals: Vec<ReviewedProposal>,
}

/// A commitment with where it was made, for the log.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedCommitment {
    /// The commitment.
    pub commitment: Commitment,
    /// The meeting it was made at.
    pub meeting: Meeting,
    /// The agenda item.
    pub item_number: String,
    /// The agenda item's title.
    pub item_title: String,
    /// The committee's name.
    pub committee: String,
}

/// The two ways a commitment is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure {
    /// It was delivered.
    Delivered,
    /// It will not be delivered.
    Withdrawn,
}

impl Closure {
    fn status(self) -> CommitmentStatus {
        match self {
            Closure::Delivered => CommitmentStatus::Delivered,
            Closure::Withdrawn => CommitmentStatus::Withdrawn,
        }
    }
}

/// How a commitment was closed.
#[derive(Debug, Clone)]
pub struct Closing {
    /// Delivered or withdrawn.
    pub status: Closure,
    /// How it was delivered, or why withdrawn.
    pub note: Text,
    /// When.
    pub on: NaiveDate,
    /// The later agenda item that delivered it.
    pub by_item: Option<i64>,
}

impl Store {
    /// The committees of a body, by name.
    pub async fn committees(&self, body_id: domain::BodyId) -> Result<Vec<Committee>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COMMITTEE_COLUMNS} FROM committees WHERE body_id = $1 AND deleted_at IS NULL ORDER BY name"
        ))
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(committee_from).collect()
    }

    /// One committee.
    pub async fn committee(&self, id: domain::CommitteeId) -> Result<Committee, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COMMITTEE_COLUMNS} FROM committees WHERE id = $1 AND deleted_at IS NULL"
        ))
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("committee", id))?;
        committee_from(&row)
    }

    /// Create a committee of `body_id`.
    pub async fn create_committee(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        details: &CommitteeDetails,
    ) -> Result<Committee, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO committees (body_id, name, clerk, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(body_id.get())
        .bind(details.name.as_str())
        .bind(details.clerk_text())
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("committee", &details.name, "name"))?;
        let committee = Committee {
            id: domain::CommitteeId::new(id),
            body_id,
            name: details.name.to_string(),
            clerk: details.clerk_text().to_owned(),
            version: domain::Version::FIRST,
        };
        record(
            &mut tx,
            Change::create(
                Some(body_id.get()),
                actor,
                "committee",
                id,
                json(&committee),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(committee)
    }

    /// Change a committee's name and clerk, and choose the portfolios it
    /// scrutinises (each of them the body's), in one transaction. Refused
    /// (changing nothing) if the committee changed since `version` was read.
    pub async fn edit_committee(
        &self,
        actor: &str,
        id: domain::CommitteeId,
        version: domain::Version,
        details: &CommitteeDetails,
        portfolio_ids: &[domain::PortfolioId],
    ) -> Result<Committee, StoreError> {
        let before = self.committee(id).await?;
        let portfolios = self.portfolios(before.body_id).await?;
        if let Some(stranger) = portfolio_ids
            .iter()
            .find(|p| !portfolios.iter().any(|q| q.id == **p))
        {
            return Err(StoreError::not_found("portfolio", stranger));
        }
        let mut tx = self.begin_write().await?;
        let t = now();
        // The record as read above is what the audit trail keeps as "before".
        StoreError::unless_current("committee", before.name.clone(), version, before.version)?;
        crate::rows::claim(
            &mut tx,
            "committees",
            "committee",
            before.name.clone(),
            id,
            version,
        )
        .await?;
        sqlx::query(
            "UPDATE committees SET name = $1, clerk = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(details.name.as_str())
        .bind(details.clerk_text())
        .bind(&t)
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(unique("committee", &details.name, "name"))?;
        let after = Committee {
            name: details.name.to_string(),
            clerk: details.clerk_text().to_owned(),
            version: before.version.next(),
            ..before.clone()
        };
        record(
            &mut tx,
            Change::between(
                Some(before.body_id.get()),
                actor,
                "committee",
                id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        let linked: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, committee_id, version FROM portfolios WHERE body_id = $1 AND deleted_at IS NULL",
        )
        .bind(before.body_id.get())
        .fetch_all(&mut *tx)
        .await?;
        for (portfolio, committee, portfolio_version) in linked {
            let chosen = portfolio_ids.contains(&domain::PortfolioId::new(portfolio));
            let new = match (chosen, committee) {
                (true, c) if c != Some(id.get()) => Some(id),
                (false, Some(c)) if c == id.get() => None,
                _ => continue,
            };
            crate::rows::claim(
                &mut tx,
                "portfolios",
                "portfolio",
                portfolio,
                portfolio,
                domain::Version::new(portfolio_version),
            )
            .await?;
            sqlx::query("UPDATE portfolios SET committee_id = $1, updated_at = $2 WHERE id = $3")
                .bind(new.map(|v| v.get()))
                .bind(&t)
                .bind(portfolio)
                .execute(&mut *tx)
                .await?;
            record(
                &mut tx,
                Change::between(
                    Some(before.body_id.get()),
                    actor,
                    "portfolio",
                    portfolio,
                    "edit",
                    serde_json::json!({ "committee_id": committee }),
                    serde_json::json!({ "committee_id": new }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Add a member or co-opted member to a committee.
    pub async fn add_committee_member(
        &self,
        actor: &str,
        committee_id: domain::CommitteeId,
        details: &MemberDetails,
    ) -> Result<CommitteeMember, StoreError> {
        let committee = self.committee(committee_id).await?;
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO committee_members (committee_id, name, role, term_from, term_to, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(committee_id.get())
        .bind(details.name.as_str())
        .bind(details.role.as_str())
        .bind(details.term_from.map(|d| d.to_string()))
        .bind(details.term_to.map(|d| d.to_string()))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let member = details.member(
            domain::CommitteeMemberId::new(id),
            committee_id,
            domain::Version::FIRST,
        );
        record(
            &mut tx,
            Change::create(
                Some(committee.body_id.get()),
                actor,
                "committee member",
                id,
                json(&member),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// One committee member.
    pub async fn committee_member(
        &self,
        id: domain::CommitteeMemberId,
    ) -> Result<CommitteeMember, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM committee_members WHERE id = $1 AND deleted_at IS NULL"
        ))
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("committee member", id))?;
        member_from(&row)
    }

    /// Change a member's name, role or term (to end it, say). Refused
    /// (changing nothing) if the member changed since `version` was read.
    pub async fn edit_committee_member(
        &self,
        actor: &str,
        id: domain::CommitteeMemberId,
        version: domain::Version,
        details: &MemberDetails,
    ) -> Result<CommitteeMember, StoreError> {
        let before = self.committee_member(id).await?;
        let committee = self.committee(before.committee_id).await?;
        let mut tx = self.begin_write().await?;
        // The record as read above is what the audit trail keeps as "before".
        StoreError::unless_current(
            "committee member",
            before.name.clone(),
            version,
            before.version,
        )?;
        crate::rows::claim(
            &mut tx,
            "committee_members",
            "committee member",
            before.name.clone(),
            id,
            version,
        )
        .await?;
        sqlx::query(
            "UPDATE committee_members SET name = $1, role = $2, term_from = $3, term_to = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(details.name.as_str())
        .bind(details.role.as_str())
        .bind(details.term_from.map(|d| d.to_string()))
        .bind(details.term_to.map(|d| d.to_string()))
        .bind(now())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        let after = details.member(id, before.committee_id, before.version.next());
        record(
            &mut tx,
            Change::between(
                Some(committee.body_id.get()),
                actor,
                "committee member",
                id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A committee's members, chair first.
    pub async fn committee_members(
        &self,
        committee_id: domain::CommitteeId,
    ) -> Result<Vec<CommitteeMember>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM committee_members \
             WHERE committee_id = $1 AND deleted_at IS NULL ORDER BY id"
        ))
        .bind(committee_id.get())
        .fetch_all(&self.pool)
        .await?;
        let mut members = rows
            .iter()
            .map(member_from)
            .collect::<Result<Vec<_>, _>>()?;
        members.sort_by_key(|m| MemberRole::ALL.iter().position(|r| *r == m.role));
        Ok(members)
    }

    /// The members of every committee of body `body_id`, in one query
    /// (each committee's in role order, as [`Store::committee_members`]).
    pub async fn body_committee_members(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<CommitteeMember>, StoreError> {
        let columns = MEMBER_COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM committee_members m JOIN committees c ON c.id = m.committee_id \
             WHERE c.body_id = $1 AND m.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY m.committee_id, m.id"
        ))
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let mut members = rows
            .iter()
            .map(member_from)
            .collect::<Result<Vec<_>, _>>()?;
        members.sort_by_key(|m| {
            (
                m.committee_id,
                MemberRole::ALL.iter().position(|r| *r == m.role),
            )
        });
        Ok(members)
    }

    /// Schedule (or record) a meeting of a committee.
    pub async fn create_meeting(
        &self,
        actor: &str,
        committee_id: domain::CommitteeId,
        details: &MeetingDetails,
    ) -> Result<Meeting, StoreError> {
        let committee = self.committee(committee_id).await?;
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (committee_id, held_on, venue, status, published, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(committee_id.get())
        .bind(details.held_on.to_string())
        .bind(details.venue.trim())
        .bind(details.status.as_str())
        .bind(flag(details.published))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let meeting = details.meeting(
            domain::MeetingId::new(id),
            committee_id,
            domain::Version::FIRST,
        );
        record(
            &mut tx,
            Change::create(
                Some(committee.body_id.get()),
                actor,
                "meeting",
                id,
                json(&meeting),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(meeting)
    }

    /// Change a meeting's date, venue, status or publication (a scheduled
    /// meeting is held, or published once its minutes are agreed). Refused
    /// (changing nothing) if the meeting changed since `version` was read.
    pub async fn edit_meeting(
        &self,
        actor: &str,
        id: domain::MeetingId,
        version: domain::Version,
        details: &MeetingDetails,
    ) -> Result<Meeting, StoreError> {
        let before = self.meeting(id).await?;
        let committee = self.committee(before.committee_id).await?;
        let mut tx = self.begin_write().await?;
        // The record as read above is what the audit trail keeps as "before".
        StoreError::unless_current(
            "meeting",
            before.held_on.to_string(),
            version,
            before.version,
        )?;
        crate::rows::claim(
            &mut tx,
            "meetings",
            "meeting",
            before.held_on.to_string(),
            id,
            version,
        )
        .await?;
        sqlx::query(
            "UPDATE meetings SET held_on = $1, venue = $2, status = $3, published = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(details.held_on.to_string())
        .bind(details.venue.trim())
        .bind(details.status.as_str())
        .bind(flag(details.published))
        .bind(now())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        let after = details.meeting(id, before.committee_id, before.version.next());
        record(
            &mut tx,
            Change::between(
                Some(committee.body_id.get()),
                actor,
                "meeting",
                id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Publish a meeting and its record, so the public can see them, in one
    /// audited transaction. Refused (changing nothing) if the meeting
    /// changed since `version` was read; publishing a published meeting
    /// changes nothing and writes no audit event.
    pub async fn publish_meeting(
        &self,
        actor: &str,
        id: domain::MeetingId,
        version: domain::Version,
    ) -> Result<Meeting, StoreError> {
        let before = self.meeting(id).await?;
        if before.published && before.version == version {
            return Ok(before);
        }
        let details = MeetingDetails {
            held_on: before.held_on,
            venue: before.venue.clone(),
            status: before.status,
            published: true,
        };
        self.edit_meeting(actor, id, version, &details).await
    }

    /// A committee's meetings, latest first.
    pub async fn meetings(
        &self,
        committee_id: domain::CommitteeId,
    ) -> Result<Vec<Meeting>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, committee_id, held_on, venue, status, published, version FROM meetings \
             WHERE committee_id = $1 AND deleted_at IS NULL ORDER BY held_on DESC, id DESC",
        )
        .bind(committee_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(meeting_from).collect()
    }

    /// One meeting.
    pub async fn meeting(&self, id: domain::MeetingId) -> Result<Meeting, StoreError> {
        let row = sqlx::query(
            "SELECT id, committee_id, held_on, venue, status, published, version FROM meetings \
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("meeting", id))?;
        meeting_from(&row)
    }

    /// Add an item to a meeting's agenda.
    pub async fn add_agenda_item(
        &self,
        actor: &str,
        meeting_id: domain::MeetingId,
        new: NewAgendaItem,
    ) -> Result<AgendaItem, StoreError> {
        let meeting = self.meeting(meeting_id).await?;
        let committee = self.committee(meeting.committee_id).await?;
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agenda_items (meeting_id, number, title, report_ref, plan_id, half, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(meeting_id.get())
        .bind(new.number.as_str())
        .bind(new.title.as_str())
        .bind(new.report_ref.trim())
        .bind(new.plan_id.map(|v| v.get()))
        .bind(new.half.map(|h| h.to_string()))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let item = AgendaItem {
            id: domain::AgendaItemId::new(id),
            meeting_id,
            number: new.number.to_string(),
            title: new.title.to_string(),
            report_ref: new.report_ref.trim().to_owned(),
            plan_id: new.plan_id,
            half: new.half,
            minutes: String::new(),
            version: domain::Version::FIRST,
        };
        record(
            &mut tx,
            Change::create(
                Some(committee.body_id.get()),
                actor,
                "agenda item",
                id,
                json(&item),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// A meeting's agenda, in order.
    pub async fn agenda_items(
        &self,
        meeting_id: domain::MeetingId,
    ) -> Result<Vec<AgendaItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, meeting_id, number, title, report_ref, plan_id, half, minutes, version FROM agenda_items \
             WHERE meeting_id = $1 AND deleted_at IS NULL ORDER BY id",
        )
        .bind(meeting_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from).collect()
    }

    /// One agenda item.
    pub async fn agenda_item(&self, id: domain::AgendaItemId) -> Result<AgendaItem, StoreError> {
        let row = sqlx::query(
            "SELECT id, meeting_id, number, title, report_ref, plan_id, half, minutes, version FROM agenda_items \
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("agenda item", id))?;
        item_from(&row)
    }

    /// Record an item's minutes and what the clerk accepted from them, in
    /// one transaction: the minutes, every question, commitment and
    /// resolution, each with its audit event. Refused (changing nothing) if
    /// the item changed since `version` was read.
    pub async fn accept_minutes(
        &self,
        actor: &str,
        item_id: domain::AgendaItemId,
        version: domain::Version,
        accepted: AcceptedMinutes,
    ) -> Result<AgendaItem, StoreError> {
        let before = self.agenda_item(item_id).await?;
        let meeting = self.meeting(before.meeting_id).await?;
        let body_id = Some(self.committee(meeting.committee_id).await?.body_id);
        let mut tx = self.begin_write().await?;
        let t = now();
        // The record as read above is what the audit trail keeps as "before".
        StoreError::unless_current(
            "agenda item",
            before.number.clone(),
            version,
            before.version,
        )?;
        crate::rows::claim(
            &mut tx,
            "agenda_items",
            "agenda item",
            before.number.clone(),
            item_id,
            version,
        )
        .await?;
        sqlx::query(
            "UPDATE agenda_items SET minutes = $1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(&accepted.minutes)
        .bind(&t)
        .bind(item_id.get())
        .execute(&mut *tx)
        .await?;
        let after = AgendaItem {
            minutes: accepted.minutes.clone(),
            version: before.version.next(),
            ..before.clone()
        };
        record(
            &mut tx,
            Change::between(
                body_id.map(domain::BodyId::get),
                actor,
                "agenda item",
                item_id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        // The minutes waiting for review for this item are reviewed now.
        sqlx::query(
            "UPDATE minutes_queue SET reviewed_at = $1 WHERE agenda_item_id = $2 AND reviewed_at IS NULL",
        )
        .bind(&t)
        .bind(item_id.get())
        .execute(&mut *tx)
        .await?;
        for q in &accepted.questions {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO questions (agenda_item_id, asker, responder, action_id, source, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(item_id.get())
            .bind(q.asker.as_ref().map(|s| s.as_str()))
            .bind(q.responder.as_ref().map(|s| s.as_str()))
            .bind(q.action_id.map(|v| v.get()))
            .bind(q.source.as_str())
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?;
            record(
                &mut tx,
                Change::create(
                    body_id.map(domain::BodyId::get),
                    actor,
                    "question",
                    id,
                    json(q),
                ),
            )
            .await?;
        }
        for c in &accepted.commitments {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO commitments (agenda_item_id, text, owner, due_by, due_text, action_id, status, source, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(item_id.get())
            .bind(c.text.as_str())
            .bind(c.owner.as_ref().map(|s| s.as_str()))
            .bind(c.due_by.map(|d| d.to_iso()))
            .bind(c.due_text.trim())
            .bind(c.action_id.map(|v| v.get()))
            .bind(CommitmentStatus::Open.as_str())
            .bind(c.source.as_str())
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?;
            record(
                &mut tx,
                Change::create(
                    body_id.map(domain::BodyId::get),
                    actor,
                    "commitment",
                    id,
                    json(c),
                ),
            )
            .await?;
        }
        for p in &accepted.reviewed {
            sqlx::query(
                "INSERT INTO minutes_reviews (agenda_item_id, proposed, cue, confidence, kept, recorded, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(item_id.get())
            .bind(&p.proposed)
            .bind(&p.cue)
            .bind(p.confidence)
            .bind(crate::rows::flag(p.kept))
            .bind(p.recorded.as_deref())
            .bind(&t)
            .execute(&mut *tx)
            .await?;
        }
        for r in &accepted.resolutions {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO resolutions (agenda_item_id, text, outcome, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(item_id.get())
            .bind(r.text.as_str())
            .bind(r.outcome.as_str())
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?;
            record(
                &mut tx,
                Change::create(
                    body_id.map(domain::BodyId::get),
                    actor,
                    "resolution",
                    id,
                    json(r),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Every agenda item of the body `body_id` whose minutes a clerk
    /// reviewed, with what was decided about each proposed promise, in the
    /// order the items were recorded: what `ambit minutes corpus export`
    /// writes as an annotated corpus.
    pub async fn reviewed_minutes(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<ReviewedMinutes>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.agenda_item_id, r.proposed, r.cue, r.confidence, r.kept, r.recorded, \
             i.minutes, i.report_ref, m.held_on FROM minutes_reviews r \
             JOIN agenda_items i ON i.id = r.agenda_item_id JOIN meetings m ON m.id = i.meeting_id \
             JOIN committees c ON c.id = m.committee_id \
             WHERE c.body_id = $1 AND i.deleted_at IS NULL ORDER BY r.agenda_item_id, r.id",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<ReviewedMinutes> = Vec::new();
        for row in &rows {
            let c = Cols::new(row, "minutes review")?;
            let item_id = c.i64("agenda_item_id")?;
            let proposal = ReviewedProposal {
                proposed: c.string("proposed")?,
                cue: c.string("cue")?,
                confidence: c.opt_f64("confidence")?.unwrap_or(0.0),
                kept: c.flag("kept")?,
                recorded: c.opt_string("recorded")?,
            };
            match out.last_mut() {
                Some(last) if last.agenda_item_id == domain::AgendaItemId::new(item_id) => {
                    last.proposals.push(proposal)
                }
                _ => {
                    out.push(ReviewedMinutes {
                        agenda_item_id: domain::AgendaItemId::new(item_id),
                        held_on: c.parse("held_on", day)?,
                        report: c.string("report_ref")?,
                        minutes: c.string("minutes")?,
                        commitments: Vec::new(),
                        resolutions: self
                            .resolutions_at(domain::AgendaItemId::new(item_id))
                            .await?
                            .len(),
                        proposals: vec![proposal],
                    });
                }
            }
        }
        for item in &mut out {
            item.commitments = self
                .commitment_log(CommitmentsOf::Item(item.agenda_item_id))
                .await?
                .into_iter()
                .map(|l| l.commitment)
                .collect();
        }
        Ok(out)
    }

    /// The questions asked at an agenda item.
    pub async fn questions_at(
        &self,
        item_id: domain::AgendaItemId,
    ) -> Result<Vec<Question>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, agenda_item_id, asker, responder, action_id, source FROM questions \
             WHERE agenda_item_id = $1 AND deleted_at IS NULL ORDER BY id",
        )
        .bind(item_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(question_from).collect()
    }

    /// The questions asked about an action, in the order recorded, each with
    /// the meeting and agenda item it was asked at.
    pub async fn questions_about(
        &self,
        action_id: domain::ActionId,
    ) -> Result<Vec<LoggedQuestion>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT q.id, q.agenda_item_id, q.asker, q.responder, q.action_id, q.source, {MEETING_AS_M}, \
             i.number AS i_number FROM questions q JOIN agenda_items i ON i.id = q.agenda_item_id \
             JOIN meetings m ON m.id = i.meeting_id \
             WHERE q.action_id = $1 AND q.deleted_at IS NULL ORDER BY q.id"
        ))
        .bind(action_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LoggedQuestion {
                    question: question_from(row)?,
                    meeting: meeting_as_m(row, "question")?,
                    item_number: Cols::new(row, "question")?.string("i_number")?,
                })
            })
            .collect()
    }

    /// The resolutions of an agenda item.
    pub async fn resolutions_at(
        &self,
        item_id: domain::AgendaItemId,
    ) -> Result<Vec<Resolution>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, agenda_item_id, text, outcome FROM resolutions \
             WHERE agenda_item_id = $1 AND deleted_at IS NULL ORDER BY id",
        )
        .bind(item_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(resolution_from).collect()
    }

    /// The log of promises: commitments made at a committee's meetings, or
    /// about one action, oldest meeting first.
    pub async fn commitment_log(
        &self,
        of: CommitmentsOf,
    ) -> Result<Vec<LoggedCommitment>, StoreError> {
        let (filter, id) = match of {
            CommitmentsOf::Committee(id) => ("m.committee_id", id.get()),
            CommitmentsOf::Action(id) => ("c.action_id", id.get()),
            CommitmentsOf::Item(id) => ("c.agenda_item_id", id.get()),
            CommitmentsOf::Body(id) => ("k.body_id", id.get()),
        };
        let rows = sqlx::query(&format!(
            "SELECT {COMMITMENT_COLUMNS}, {MEETING_AS_M}, i.number AS i_number, i.title AS i_title, k.name AS k_name \
             FROM commitments c JOIN agenda_items i ON i.id = c.agenda_item_id \
             JOIN meetings m ON m.id = i.meeting_id JOIN committees k ON k.id = m.committee_id \
             WHERE {filter} = $1 AND c.deleted_at IS NULL ORDER BY m.held_on, c.id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "commitment")?;
                Ok(LoggedCommitment {
                    commitment: commitment_from(row)?,
                    meeting: meeting_as_m(row, "commitment")?,
                    item_number: c.string("i_number")?,
                    item_title: c.string("i_title")?,
                    committee: c.string("k_name")?,
                })
            })
            .collect()
    }

    /// One commitment.
    pub async fn commitment(&self, id: domain::CommitmentId) -> Result<Commitment, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COMMITMENT_COLUMNS} FROM commitments c WHERE c.id = $1 AND c.deleted_at IS NULL"
        ))
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("commitment", id))?;
        commitment_from(&row)
    }

    /// Mark a commitment delivered or withdrawn. Refused (changing nothing)
    /// if it changed since `version` was read, is not open, or is said to be
    /// delivered by an agenda item of another committee.
    pub async fn close_commitment(
        &self,
        actor: &str,
        id: domain::CommitmentId,
        version: domain::Version,
        closing: Closing,
    ) -> Result<Commitment, StoreError> {
        if closing.note.to_string().trim().is_empty() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "note",
                "",
                "how the promise was delivered (the report or written response), or why it was withdrawn",
            )));
        }
        let before = self.commitment(id).await?;
        if before.status != CommitmentStatus::Open {
            return Err(StoreError::CommitmentClosed {
                id: id.get(),
                state: match before.status {
                    CommitmentStatus::Delivered => "delivered",
                    _ => "withdrawn",
                },
            });
        }
        let item = self.agenda_item(before.agenda_item_id).await?;
        let meeting = self.meeting(item.meeting_id).await?;
        let body_id = Some(self.committee(meeting.committee_id).await?.body_id);
        if let Some(by) = closing.by_item {
            let elsewhere = || {
                StoreError::Invalid(ParseError::new(
                    "delivered by",
                    by.to_string(),
                    "an agenda item of the committee the promise was made to",
                ))
            };
            let by_item = match self.agenda_item(domain::AgendaItemId::new(by)).await {
                Err(StoreError::NotFound { .. }) => return Err(elsewhere()),
                other => other?,
            };
            if self.meeting(by_item.meeting_id).await?.committee_id != meeting.committee_id {
                return Err(elsewhere());
            }
        }
        let mut tx = self.begin_write().await?;
        // The record as read above is what the audit trail keeps as "before".
        StoreError::unless_current("commitment", id.to_string(), version, before.version)?;
        crate::rows::claim(
            &mut tx,
            "commitments",
            "commitment",
            id.to_string(),
            id,
            version,
        )
        .await?;
        sqlx::query(
            "UPDATE commitments SET status = $1, delivery_note = $2, closed_on = $3, delivered_by_item_id = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(closing.status.status().as_str())
        .bind(closing.note.as_str())
        .bind(closing.on.to_string())
        .bind(closing.by_item)
        .bind(now())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        let after = Commitment {
            status: closing.status.status(),
            delivery_note: closing.note.to_string(),
            closed_on: Some(closing.on),
            delivered_by_item_id: closing.by_item.map(domain::AgendaItemId::new),
            version: before.version.next(),
            ..before.clone()
        };
        record(
            &mut tx,
            Change::between(
                body_id.map(domain::BodyId::get),
                actor,
                "commitment",
                id.get(),
                "edit",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// Whose commitments to list.
#[derive(Debug, Clone, Copy)]
pub enum CommitmentsOf {
    /// Made at a committee's meetings.
    Committee(domain::CommitteeId),
    /// About an action.
    Action(domain::ActionId),
    /// At one agenda item.
    Item(domain::AgendaItemId),
    /// Made at any committee of a body.
    Body(domain::BodyId),
}
