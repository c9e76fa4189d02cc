//! The reporting cycle: periods opened for updates and closed when
//! reported, and each update's way to sign-off.

use chrono::NaiveDate;
use domain::{Half, ReportingPeriod, UpdateState};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{Change, record};
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError};

/// A reporting period of one plan, as opened by a performance officer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRecord {
    /// Store id.
    pub id: i64,
    /// The plan.
    pub plan_id: domain::PlanId,
    /// Which half.
    pub half: Half,
    /// Open for updates (false once closed).
    pub open: bool,
    /// When updates are due.
    pub deadline: NaiveDate,
    /// Reminders go out for missing updates this many days before the deadline.
    pub reminder_days: u16,
    /// When it was opened (UTC, RFC 3339).
    pub opened_at: String,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Optimistic-concurrency version.
    pub version: domain::Version,
}

fn period_from(row: &sqlx::any::AnyRow) -> Result<PeriodRecord, StoreError> {
    let c = Cols::new(row, "reporting period")?;
    Ok(PeriodRecord {
        id: c.id(),
        plan_id: c.key("plan_id")?,
        half: Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?,
        open: c.string("state")? == "open",
        deadline: c.parse("deadline", |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| domain::ParseError::new("deadline", s, "a date"))
        })?,
        reminder_days: u16::try_from(c.i64("reminder_days")?).unwrap_or(0),
        opened_at: c.string("opened_at")?,
        closed_at: c.opt_string("closed_at")?,
        version: c.key("version")?,
    })
}

/// The record of `plan_id`'s period `half`, if it has been opened.
pub(crate) async fn period_in(
    conn: &mut AnyConnection,
    plan_id: i64,
    half: Half,
) -> Result<Option<PeriodRecord>, StoreError> {
    sqlx::query("SELECT * FROM reporting_periods WHERE plan_id = $1 AND half = $2")
        .bind(plan_id)
        .bind(half.number())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(period_from)
        .transpose()
}

/// The plan's year and body, for a write on its periods.
async fn plan_year_body(
    conn: &mut AnyConnection,
    plan_id: i64,
) -> Result<(domain::FinancialYear, i64), StoreError> {
    let row = sqlx::query(
        "SELECT pl.id, pl.year, po.body_id FROM plans pl JOIN portfolios po ON po.id = pl.portfolio_id WHERE pl.id = $1 AND pl.deleted_at IS NULL",
    )
    .bind(plan_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("plan", plan_id))?;
    let c = Cols::new(&row, "plan")?;
    Ok((
        domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?,
        c.i64("body_id")?,
    ))
}

impl Store {
    /// Open `plan_id`'s period `half` for updates, due by `deadline`.
    pub async fn open_period(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        half: Half,
        deadline: NaiveDate,
        reminder_days: u16,
    ) -> Result<PeriodRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let (year, body_id) = plan_year_body(&mut tx, plan_id.get()).await?;
        let period = ReportingPeriod::new(year, half);
        if let Some(existing) = period_in(&mut tx, plan_id.get(), half).await? {
            return Err(StoreError::PeriodState {
                period: period.to_string(),
                state: if existing.open {
                    "already open"
                } else {
                    "closed"
                },
                hint: if existing.open {
                    "it cannot be opened twice"
                } else {
                    "a closed period is not opened again"
                },
            });
        }
        if deadline < period.first_day() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "deadline",
                deadline.to_string(),
                format!("a date after the period starts ({})", period.first_day()),
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reporting_periods (plan_id, half, state, deadline, reminder_days, opened_at) VALUES ($1, $2, 'open', $3, $4, $5) RETURNING id",
        )
        .bind(plan_id.get())
        .bind(half.number())
        .bind(deadline.to_string())
        .bind(i64::from(reminder_days))
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let opened = period_in(&mut tx, plan_id.get(), half)
            .await?
            .ok_or_else(|| StoreError::not_found("reporting period", id))?;
        record(
            &mut tx,
            Change::create(Some(body_id), actor, "reporting period", id, json(&opened)),
        )
        .await?;
        tx.commit().await?;
        Ok(opened)
    }

    /// Close `plan_id`'s period `half`: its updates are frozen from now on.
    /// While some of its actions have no signed-off update the close is
    /// refused ([`StoreError::Unsettled`]) unless the officer `confirmed`
    /// it after seeing the check ([`domain::CloseCheck`]).
    pub async fn close_period(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        half: Half,
        confirmed: bool,
    ) -> Result<PeriodRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let (year, body_id) = plan_year_body(&mut tx, plan_id.get()).await?;
        let period = ReportingPeriod::new(year, half);
        let before = match period_in(&mut tx, plan_id.get(), half).await? {
            Some(p) if p.open => p,
            Some(_) => {
                return Err(StoreError::PeriodState {
                    period: period.to_string(),
                    state: "already closed",
                    hint: "it cannot be closed twice",
                });
            }
            None => {
                return Err(StoreError::PeriodState {
                    period: period.to_string(),
                    state: "not open",
                    hint: "open it first",
                });
            }
        };
        let check = domain::CloseCheck::of(
            period,
            &crate::plans::load_actions(&mut tx, "a.plan_id = $1", plan_id.get()).await?,
            &crate::updates::load_updates(&mut tx, "a.plan_id = $1", plan_id.get()).await?,
        );
        if !check.allows_close(confirmed) {
            return Err(StoreError::Unsettled {
                period: period.to_string(),
                summary: check.summary(),
            });
        }
        crate::rows::claim(
            &mut tx,
            "reporting_periods",
            "reporting period",
            &period,
            before.id,
            before.version,
        )
        .await?;
        sqlx::query("UPDATE reporting_periods SET state = 'closed', closed_at = $1 WHERE id = $2")
            .bind(now())
            .bind(before.id)
            .execute(&mut *tx)
            .await?;
        let after = period_in(&mut tx, plan_id.get(), half)
            .await?
            .ok_or_else(|| StoreError::not_found("reporting period", before.id))?;
        record(
            &mut tx,
            Change::between(
                Some(body_id),
                actor,
                "reporting period",
                before.id,
                "close",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The periods of `plan_id` that have been opened, H1 first.
    pub async fn period_records(
        &self,
        plan_id: domain::PlanId,
    ) -> Result<Vec<PeriodRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM reporting_periods WHERE plan_id = $1 ORDER BY half")
            .bind(plan_id.get())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(period_from).collect()
    }

    /// Every period open now, in any plan.
    pub async fn open_periods(&self) -> Result<Vec<PeriodRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM reporting_periods WHERE state = 'open' ORDER BY plan_id, half",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(period_from).collect()
    }

    /// The periods open now in body `body_id`'s plans.
    pub async fn body_open_periods(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<PeriodRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT rp.* FROM reporting_periods rp JOIN plans pl ON pl.id = rp.plan_id \
             JOIN portfolios po ON po.id = pl.portfolio_id \
             WHERE po.body_id = $1 AND rp.state = 'open' ORDER BY rp.plan_id, rp.half",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(period_from).collect()
    }

    /// The lead submits update `update_id` (at `expected_version`) for sign-off.
    pub async fn submit_update(
        &self,
        actor: &str,
        update_id: domain::UpdateId,
        expected_version: domain::Version,
    ) -> Result<domain::Update, StoreError> {
        self.move_update(
            actor,
            update_id,
            expected_version,
            "submit",
            UpdateState::submit,
            None,
        )
        .await
    }

    /// A performance officer signs off update `update_id`.
    pub async fn sign_off_update(
        &self,
        actor: &str,
        update_id: domain::UpdateId,
        expected_version: domain::Version,
    ) -> Result<domain::Update, StoreError> {
        self.move_update(
            actor,
            update_id,
            expected_version,
            "sign off",
            UpdateState::sign_off,
            None,
        )
        .await
    }

    /// A performance officer returns update `update_id` to its lead with `comment`.
    pub async fn return_update(
        &self,
        actor: &str,
        update_id: domain::UpdateId,
        expected_version: domain::Version,
        comment: &domain::Text,
    ) -> Result<domain::Update, StoreError> {
        if comment.is_empty() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "comment",
                "",
                "a comment saying what the lead should change",
            )));
        }
        self.move_update(
            actor,
            update_id,
            expected_version,
            "return",
            UpdateState::send_back,
            Some(comment.as_str()),
        )
        .await
    }

    async fn move_update(
        &self,
        actor: &str,
        update_id: domain::UpdateId,
        expected_version: domain::Version,
        operation: &'static str,
        step: fn(UpdateState) -> Result<UpdateState, domain::TransitionError>,
        comment: Option<&str>,
    ) -> Result<domain::Update, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT u.id, u.action_id, a.plan_id, u.half, pl.status, pl.year, po.body_id FROM updates u JOIN actions a ON a.id = u.action_id \
             JOIN plans pl ON pl.id = a.plan_id JOIN portfolios po ON po.id = pl.portfolio_id WHERE u.id = $1 AND u.deleted_at IS NULL",
        )
        .bind(update_id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("update", update_id))?;
        let c = Cols::new(&row, "update")?;
        let (action_id, plan_id, body_id) =
            (c.i64("action_id")?, c.i64("plan_id")?, c.i64("body_id")?);
        let half = Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
        if c.parse("status", str::parse::<domain::PlanStatus>)? == domain::PlanStatus::Superseded {
            return Err(StoreError::PlanState {
                year: domain::FinancialYear::starting(c.i64("year")? as i32)
                    .map_err(|e| c.corrupt(e))?
                    .to_string(),
                state: "superseded",
                hint: "a superseded plan is the record of its year and its updates do not change",
            });
        }
        let before = crate::updates::load_updates(&mut tx, "a.id = $1", action_id)
            .await?
            .into_iter()
            .find(|u| u.id == update_id)
            .ok_or_else(|| StoreError::not_found("update", update_id))?;
        match period_in(&mut tx, plan_id, half).await? {
            Some(p) if p.open => {}
            Some(_) => {
                return Err(StoreError::Closed {
                    period: before.period.to_string(),
                });
            }
            None => {
                return Err(StoreError::PeriodState {
                    period: before.period.to_string(),
                    state: "not open",
                    hint: "updates go through sign-off only while their period is open",
                });
            }
        }
        StoreError::unless_current(
            "update",
            format!("for {}", before.period),
            expected_version,
            before.version,
        )?;
        let next = step(before.state)?;
        if matches!(next, UpdateState::Submitted | UpdateState::SignedOff) {
            crate::updates::explained(&mut tx, body_id, &before.input).await?;
        }
        crate::rows::claim(
            &mut tx,
            "updates",
            "update",
            format!("for {}", before.period),
            update_id,
            expected_version,
        )
        .await?;
        // The signed-off content stays published while a returned revision
        // is reworked; signing off publishes the new content.
        let published = match (before.state, next) {
            (_, UpdateState::SignedOff) => None,
            (UpdateState::SignedOff, _) => Some(crate::updates::published_json(&before.input)),
            _ => before
                .published
                .as_ref()
                .map(crate::updates::published_json),
        };
        sqlx::query("UPDATE updates SET state = $1, returned_comment = $2, updated_at = $3, published = $4 WHERE id = $5")
            .bind(next.as_str())
            .bind(comment)
            .bind(now())
            .bind(published)
            .bind(update_id.get())
            .execute(&mut *tx)
            .await?;
        let after = crate::updates::load_updates(&mut tx, "a.id = $1", action_id)
            .await?
            .into_iter()
            .find(|u| u.id == update_id)
            .ok_or_else(|| StoreError::not_found("update", update_id))?;
        record(
            &mut tx,
            Change::between(
                Some(body_id),
                actor,
                "update",
                update_id.get(),
                operation,
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
