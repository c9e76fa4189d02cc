//! What each role's home page reads: the work of the body's open reporting
//! periods (what each lead owes, what awaits sign-off), plans needing
//! attention, meetings awaiting minutes, next meetings and promises due;
//! and "chase now", a reminder queued at once for one action's lead.

use chrono::NaiveDate;
use domain::{ActionRef, FinancialYear, Half, ReportingPeriod, Title, UpdateState};
use serde::Serialize;

use crate::audit::{Change, record};
use crate::rows::{Cols, now};
use crate::scrutiny::meeting_from;
use crate::{CommitmentsOf, LoggedCommitment, Store, StoreError};

/// One action in one open reporting period, with where its update is in
/// sign-off: what its lead owes, or what awaits the officer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenWork {
    /// The reporting period's id.
    pub period_id: i64,
    /// The plan.
    pub plan_id: domain::PlanId,
    /// The portfolio's code.
    pub portfolio_code: String,
    /// The portfolio's name.
    pub portfolio_name: String,
    /// Which half-year of which plan year.
    pub period: ReportingPeriod,
    /// When the update is due.
    pub deadline: NaiveDate,
    /// The action.
    pub action_id: domain::ActionId,
    /// The action's reference: "10A".
    pub reference: ActionRef,
    /// The action's title.
    pub title: String,
    /// The lead role named on the action.
    pub lead: String,
    /// The update's id, once one is recorded.
    pub update_id: Option<domain::UpdateId>,
    /// The update's version, for a sign-off.
    pub update_version: Option<domain::Version>,
    /// Where the update is in sign-off; none while nothing is recorded.
    pub state: Option<UpdateState>,
    /// Why the officer returned it.
    pub returned_comment: Option<String>,
}

impl OpenWork {
    /// Whether the lead still owes the update (nothing recorded, a draft,
    /// or returned).
    pub fn owed(&self) -> bool {
        matches!(
            self.state,
            None | Some(UpdateState::Draft) | Some(UpdateState::Returned)
        )
    }

    /// Whether it is owed and its deadline has passed on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.owed() && today > self.deadline
    }
}

/// Why a plan needs an officer's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Attention {
    /// A draft plan awaiting approval.
    AwaitingApproval,
    /// Approved, but the public cannot see it yet.
    NotPublished,
}

impl Attention {
    /// The stored-style word: "awaiting approval", "not published".
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::AwaitingApproval => "awaiting approval",
            Attention::NotPublished => "not published",
        }
    }
}

/// A plan that needs an officer's attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanAttention {
    /// The plan.
    pub plan_id: domain::PlanId,
    /// The portfolio's code.
    pub portfolio_code: String,
    /// The portfolio's name.
    pub portfolio_name: String,
    /// The plan's year.
    pub year: FinancialYear,
    /// Why it needs attention.
    pub attention: Attention,
}

/// A meeting with its committee's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitteeMeeting {
    /// The meeting.
    pub meeting: domain::Meeting,
    /// The committee's name.
    pub committee: String,
}

/// Someone reminded by "chase now".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chased {
    /// The queued message.
    pub message_id: i64,
    /// The lead's name.
    pub name: String,
    /// Where the reminder goes.
    pub email: String,
}

impl Store {
    /// Every action of `body_id`'s plans in every reporting period open
    /// now, with its update's place in sign-off; with `lead`, only the
    /// actions whose lead role is `lead` (case aside). By deadline, then
    /// portfolio, period and reference (in natural order).
    pub async fn open_work(
        &self,
        body_id: domain::BodyId,
        lead: Option<&Title>,
    ) -> Result<Vec<OpenWork>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.reference, a.title, a.lead, rp.id AS period_id, rp.plan_id, rp.half, rp.deadline, \
               pl.year, po.code, po.name, u.id AS update_id, u.version AS update_version, u.state, u.returned_comment \
             FROM reporting_periods rp JOIN plans pl ON pl.id = rp.plan_id \
             JOIN portfolios po ON po.id = pl.portfolio_id \
             JOIN actions a ON a.plan_id = pl.id AND a.deleted_at IS NULL \
             LEFT JOIN updates u ON u.action_id = a.id AND u.year = pl.year AND u.half = rp.half AND u.deleted_at IS NULL \
             WHERE rp.state = 'open' AND po.body_id = $1 AND pl.deleted_at IS NULL AND po.deleted_at IS NULL \
             ORDER BY rp.deadline, po.code, pl.year, rp.half, a.id",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let c = Cols::new(row, "action")?;
            let action_lead = c.string("lead")?;
            if lead.is_some_and(|l| !l.as_str().eq_ignore_ascii_case(action_lead.trim())) {
                continue;
            }
            let year = FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
            let half = Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
            out.push(OpenWork {
                period_id: c.i64("period_id")?,
                plan_id: c.key("plan_id")?,
                portfolio_code: c.string("code")?,
                portfolio_name: c.string("name")?,
                period: ReportingPeriod::new(year, half),
                deadline: c.parse("deadline", |s| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| domain::ParseError::new("deadline", s, "a date"))
                })?,
                action_id: c.id(),
                reference: c.parse("reference", str::parse)?,
                title: c.string("title")?,
                lead: action_lead,
                update_id: c.opt_key("update_id")?,
                update_version: c.opt_key("update_version")?,
                state: c.parse_opt("state", str::parse)?,
                returned_comment: c.opt_string("returned_comment")?,
            });
        }
        out.sort_by(|a, b| {
            (a.deadline, &a.portfolio_code, a.period, &a.reference).cmp(&(
                b.deadline,
                &b.portfolio_code,
                b.period,
                &b.reference,
            ))
        });
        Ok(out)
    }

    /// `body_id`'s plans that need an officer: drafts awaiting approval,
    /// and approved plans not yet published. By portfolio and year.
    pub async fn plans_needing_attention(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<PlanAttention>, StoreError> {
        let rows = sqlx::query(
            "SELECT pl.id, pl.year, pl.status, pl.published_at, po.code, po.name \
             FROM plans pl JOIN portfolios po ON po.id = pl.portfolio_id \
             WHERE po.body_id = $1 AND pl.deleted_at IS NULL AND po.deleted_at IS NULL \
             AND (pl.status = 'draft' OR (pl.status = 'approved' AND pl.published_at IS NULL)) \
             ORDER BY po.code, pl.year",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "plan")?;
                Ok(PlanAttention {
                    plan_id: c.id(),
                    portfolio_code: c.string("code")?,
                    portfolio_name: c.string("name")?,
                    year: FinancialYear::starting(c.i64("year")? as i32)
                        .map_err(|e| c.corrupt(e))?,
                    attention: if c.string("status")? == "draft" {
                        Attention::AwaitingApproval
                    } else {
                        Attention::NotPublished
                    },
                })
            })
            .collect()
    }

    /// `body_id`'s meetings held on or before `today`, not cancelled, none
    /// of whose agenda items has minutes yet: oldest first.
    pub async fn meetings_awaiting_minutes(
        &self,
        body_id: domain::BodyId,
        today: NaiveDate,
    ) -> Result<Vec<CommitteeMeeting>, StoreError> {
        self.committee_meetings(
            "m.held_on <= $2 AND m.status <> 'cancelled' AND NOT EXISTS \
             (SELECT 1 FROM agenda_items i WHERE i.meeting_id = m.id AND i.deleted_at IS NULL AND i.minutes <> '') \
             ORDER BY m.held_on, m.id",
            body_id.get(),
            today,
        )
        .await
    }

    /// `body_id`'s scheduled meetings from `today` on: soonest first.
    pub async fn next_meetings(
        &self,
        body_id: domain::BodyId,
        today: NaiveDate,
    ) -> Result<Vec<CommitteeMeeting>, StoreError> {
        self.committee_meetings(
            "m.held_on >= $2 AND m.status = 'scheduled' ORDER BY m.held_on, m.id",
            body_id.get(),
            today,
        )
        .await
    }

    async fn committee_meetings(
        &self,
        filter: &str,
        body_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<CommitteeMeeting>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT m.id, m.committee_id, m.held_on, m.venue, m.status, m.published, m.version, k.name AS k_name \
             FROM meetings m JOIN committees k ON k.id = m.committee_id \
             WHERE k.body_id = $1 AND m.deleted_at IS NULL AND k.deleted_at IS NULL AND {filter}"
        ))
        .bind(body_id)
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CommitteeMeeting {
                    meeting: meeting_from(row)?,
                    committee: Cols::new(row, "meeting")?.string("k_name")?,
                })
            })
            .collect()
    }

    /// `body_id`'s open promises due by `horizon` (so those overdue
    /// before it too), or with no date set: soonest due first, then those
    /// with no date.
    pub async fn promises_due(
        &self,
        body_id: domain::BodyId,
        horizon: NaiveDate,
    ) -> Result<Vec<LoggedCommitment>, StoreError> {
        let mut due: Vec<LoggedCommitment> = self
            .commitment_log(CommitmentsOf::Body(body_id))
            .await?
            .into_iter()
            .filter(|l| l.commitment.status == domain::CommitmentStatus::Open)
            .filter(|l| l.commitment.due_by.is_none_or(|d| d.due_by() <= horizon))
            .collect();
        due.sort_by_key(|l| {
            (
                l.commitment.due_by.is_none(),
                l.commitment.due_by.map(|d| d.due_by()),
                l.meeting.held_on,
                l.commitment.id,
            )
        });
        Ok(due)
    }

    /// "Chase now": queue at once a reminder to each active account that
    /// leads action `action_id` (of body `body_id`) about its update for
    /// `half`, which must be open and still owed. Unlike the daily
    /// reminders ([`Store::queue_reminders`]) it is queued whatever the
    /// deadline and however often it was sent before. One transaction,
    /// audited as "chase" on the action. `site` is the site's address, for
    /// the link. Returns who was reminded.
    pub async fn chase_update(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        action_id: domain::ActionId,
        half: Half,
        site: &str,
    ) -> Result<Vec<Chased>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT a.id, a.reference, a.title, a.lead, pl.year, po.code, b.slug, rp.id AS period_id, rp.state, rp.deadline \
             FROM actions a JOIN plans pl ON pl.id = a.plan_id JOIN portfolios po ON po.id = pl.portfolio_id \
             JOIN bodies b ON b.id = po.body_id \
             LEFT JOIN reporting_periods rp ON rp.plan_id = pl.id AND rp.half = $3 \
             WHERE a.id = $1 AND po.body_id = $2 AND a.deleted_at IS NULL AND pl.deleted_at IS NULL",
        )
        .bind(action_id.get())
        .bind(body_id.get())
        .bind(half.number())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("action", action_id))?;
        let c = Cols::new(&row, "action")?;
        let year = FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
        let period = ReportingPeriod::new(year, half);
        let (Some(period_id), Some("open")) =
            (c.opt_i64("period_id")?, c.opt_string("state")?.as_deref())
        else {
            return Err(StoreError::PeriodState {
                period: period.to_string(),
                state: "not open",
                hint: "leads are chased only for a period open for updates",
            });
        };
        let deadline = c.parse("deadline", |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| domain::ParseError::new("deadline", s, "a date"))
        })?;
        let (reference, title, lead) = (
            c.string("reference")?,
            c.string("title")?,
            c.string("lead")?,
        );
        let state: Option<UpdateState> = sqlx::query_scalar::<_, String>(
            "SELECT state FROM updates WHERE action_id = $1 AND year = $2 AND half = $3 AND deleted_at IS NULL",
        )
        .bind(action_id.get())
        .bind(i64::from(year.start_year()))
        .bind(half.number())
        .fetch_optional(&mut *tx)
        .await?
        .map(|s| s.parse().map_err(|e| c.corrupt(e)))
        .transpose()?;
        let owed = match state {
            None => "has not been written yet",
            Some(UpdateState::Draft) => "is still a draft",
            Some(UpdateState::Returned) => "was returned for changes",
            Some(s) => {
                return Err(StoreError::Invalid(domain::ParseError::new(
                    "action",
                    reference,
                    format!(
                        "an action whose update is still owed; its update for {period} is {}",
                        s.label().to_lowercase()
                    ),
                )));
            }
        };
        let leads = sqlx::query(
            "SELECT u.id, u.email, u.name, m.lead_role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.body_id = $1 AND m.role = 'action_lead' AND m.deleted_at IS NULL AND u.deleted_at IS NULL \
             AND u.disabled_at IS NULL ORDER BY u.id",
        )
        .bind(body_id.get())
        .fetch_all(&mut *tx)
        .await?;
        let (code, slug) = (c.string("code")?, c.string("slug")?);
        let at = now();
        let mut chased = Vec::new();
        for l in &leads {
            let l = Cols::new(l, "user")?;
            if !l
                .opt_string("lead_role")?
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(lead.trim())
            {
                continue;
            }
            let (name, email) = (l.string("name")?, l.string("email")?);
            let key = format!("chase:{period_id}:{action_id}:{}:{at}", l.id::<i64>());
            let subject = format!(
                "Reminder: update due by {}: {code} {reference} for {period}",
                deadline.format("%-d %B %Y"),
            );
            let text = format!(
                "Dear {name},\n\nThe {period} update on action {reference} of the {code} plan {year}, \"{title}\", {owed}. \
                 It is due by {deadline}.\n\nRecord it at {site}/b/{slug}/actions/{action_id}/updates/{half}\n\nAmbit\n",
                deadline = deadline.format("%-d %B %Y"),
                site = site.trim_end_matches('/'),
            );
            let message_id: i64 = sqlx::query_scalar(
                "INSERT INTO outbox (body_id, key, recipient, subject, text, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(body_id.get())
            .bind(&key)
            .bind(&email)
            .bind(&subject)
            .bind(&text)
            .bind(&at)
            .fetch_one(&mut *tx)
            .await?;
            chased.push(Chased {
                message_id,
                name,
                email,
            });
        }
        if chased.is_empty() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "lead",
                lead,
                "a lead role held by an active action lead's account, so there is someone to remind",
            )));
        }
        let after = serde_json::json!({
            "period": period.to_string(),
            "plan": code,
            "action": reference,
            "reminded": chased.iter().map(|c| &c.email).collect::<Vec<_>>(),
        });
        record(
            &mut tx,
            Change {
                body_id: Some(body_id.get()),
                actor,
                entity: "action",
                entity_id: action_id.get(),
                operation: "chase",
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(chased)
    }
}
