//! Messages to send: reminders for updates that are missing as a period's
//! deadline nears, queued once each and marked when sent.

use chrono::NaiveDate;
use domain::{ReportingPeriod, UpdateState};
use serde::Serialize;

use crate::audit::{Change, record};
use crate::rows::{Cols, now};
use crate::{Store, StoreError};

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxMessage {
    /// Store id.
    pub id: i64,
    /// The address it goes to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// Tries so far.
    pub attempts: i64,
}

impl Store {
    /// Queue a reminder to each action lead with an update still missing,
    /// in a draft or returned, in every period open on `today` whose deadline
    /// is at most its reminder days away. Each lead is reminded once per
    /// action and period. `site` is the address of the site, for links.
    /// Returns how many messages were queued.
    pub async fn queue_reminders(
        &self,
        actor: &str,
        today: NaiveDate,
        site: &str,
    ) -> Result<usize, StoreError> {
        let periods = sqlx::query(
            "SELECT rp.id, rp.plan_id, rp.half, rp.deadline, rp.reminder_days, pl.year, po.code, po.body_id, b.slug \
             FROM reporting_periods rp JOIN plans pl ON pl.id = rp.plan_id JOIN portfolios po ON po.id = pl.portfolio_id \
             JOIN bodies b ON b.id = po.body_id WHERE rp.state = 'open' AND pl.deleted_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut queued = 0;
        for row in &periods {
            let c = Cols::new(row, "reporting period")?;
            let deadline = c.parse("deadline", |s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| domain::ParseError::new("deadline", s, "a date"))
            })?;
            if today + chrono::Duration::days(c.i64("reminder_days")?) < deadline
                || today > deadline
            {
                continue;
            }
            let year =
                domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
            let half = domain::Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
            let period = ReportingPeriod::new(year, half);
            let (body_id, slug, code) = (c.i64("body_id")?, c.string("slug")?, c.string("code")?);
            let leads = sqlx::query(
                "SELECT u.id, u.email, u.name, m.lead_role FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.body_id = $1 AND m.role = 'action_lead' AND m.deleted_at IS NULL AND u.deleted_at IS NULL \
                 AND u.disabled_at IS NULL",
            )
            .bind(body_id)
            .fetch_all(&self.pool)
            .await?;
            let tree = self.plan_tree(c.key("plan_id")?).await?;
            let mut tx = self.begin_write().await?;
            let mut here = 0;
            for a in &tree.actions {
                let state = tree.any_update_in(a.id, period).map(|u| u.state);
                let owed = match state {
                    None => "has not been written yet",
                    Some(UpdateState::Draft) => "is still a draft",
                    Some(UpdateState::Returned) => "was returned for changes",
                    Some(_) => continue,
                };
                for lead in &leads {
                    let l = Cols::new(lead, "user")?;
                    let role = l.opt_string("lead_role")?.unwrap_or_default();
                    if !role.eq_ignore_ascii_case(a.details.lead.as_str()) {
                        continue;
                    }
                    let key = format!("reminder:{}:{}:{}", c.id::<i64>(), a.id, l.id::<i64>());
                    let subject = format!(
                        "Update due by {}: {code} {} for {period}",
                        deadline.format("%-d %B %Y"),
                        a.details.reference
                    );
                    let text = format!(
                        "Dear {name},\n\nThe {period} update on action {reference} of the {code} plan {year}, \"{title}\", {owed}. \
                         It is due by {deadline}.\n\nRecord it at {site}/b/{slug}/actions/{id}/updates/{half}\n\nAmbit\n",
                        name = l.string("name")?,
                        reference = a.details.reference,
                        title = a.details.title,
                        deadline = deadline.format("%-d %B %Y"),
                        site = site.trim_end_matches('/'),
                        id = a.id,
                    );
                    let inserted = sqlx::query(
                        "INSERT INTO outbox (body_id, key, recipient, subject, text, created_at) \
                         SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE key = $7)",
                    )
                    .bind(body_id)
                    .bind(&key)
                    .bind(l.string("email")?)
                    .bind(&subject)
                    .bind(&text)
                    .bind(now())
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
                    here += inserted.rows_affected() as usize;
                }
            }
            if here > 0 {
                let after = serde_json::json!({ "period": period.to_string(), "plan": code, "queued": here, "on": today.to_string() });
                record(
                    &mut tx,
                    Change::create(Some(body_id), actor, "reminders", c.id(), after),
                )
                .await?;
            }
            tx.commit().await?;
            queued += here;
        }
        Ok(queued)
    }

    /// Messages not yet sent, oldest first.
    pub async fn unsent_messages(&self, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query("SELECT id, recipient, subject, text, attempts FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "message")?;
                Ok(OutboxMessage {
                    id: c.id(),
                    recipient: c.string("recipient")?,
                    subject: c.string("subject")?,
                    text: c.string("text")?,
                    attempts: c.i64("attempts")?,
                })
            })
            .collect()
    }

    /// Note the outcome of sending message `id`: sent, or the error.
    pub async fn message_outcome(
        &self,
        actor: &str,
        id: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let body_id: i64 = sqlx::query_scalar("SELECT body_id FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("message", id))?;
        let t = now();
        match error {
            None => sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2").bind(&t).bind(id),
            Some(e) => sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2").bind(e).bind(id),
        }
        .execute(&mut *tx)
        .await?;
        let after = serde_json::json!({ "sent": error.is_none(), "error": error });
        record(
            &mut tx,
            Change {
                body_id: Some(body_id),
                actor,
                entity: "message",
                entity_id: id,
                operation: if error.is_none() {
                    "send"
                } else {
                    "send failed"
                },
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
