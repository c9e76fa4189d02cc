//! Progress updates: one action in one reporting period.

use std::collections::HashMap;

use domain::{
    Half, MeasureActual, ParseError, Percent, ReportingPeriod, Status, Text, Title, Update,
    UpdateInput,
};
use sqlx::AnyConnection;

use crate::audit::{Change, record};
use crate::rows::{Cols, flag, json, now};
use crate::{Store, StoreError};

/// Load updates on actions matching `filter` (a condition on `a` with one `$1` bound to `key`).
pub(crate) async fn load_updates(
    conn: &mut AnyConnection,
    filter: &str,
    key: i64,
) -> Result<Vec<Update>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT u.* FROM updates u JOIN actions a ON a.id = u.action_id \
         WHERE {filter} AND a.deleted_at IS NULL AND u.deleted_at IS NULL ORDER BY u.year, u.half, u.action_id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    let actual_rows = sqlx::query(&format!(
        "SELECT ma.update_id AS id, ma.measure_id, ma.value FROM measure_actuals ma \
         JOIN updates u ON u.id = ma.update_id JOIN actions a ON a.id = u.action_id \
         WHERE {filter} AND a.deleted_at IS NULL AND u.deleted_at IS NULL ORDER BY ma.update_id, ma.measure_id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    let mut actuals: HashMap<i64, Vec<MeasureActual>> = HashMap::new();
    for row in &actual_rows {
        let c = Cols::new(row, "measure actual")?;
        actuals.entry(c.id()).or_default().push(MeasureActual {
            measure_id: c.i64("measure_id")?,
            value: c.opt_f64("value")?.unwrap_or_default(),
        });
    }
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, "update")?;
            let year =
                domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
            let half = Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
            Ok(Update {
                id: c.id(),
                action_id: c.i64("action_id")?,
                period: ReportingPeriod::new(year, half),
                input: UpdateInput {
                    status: c.parse("status", str::parse::<Status>)?,
                    commentary: c.parse("commentary", |s| Text::parse("commentary", s))?,
                    percent: c
                        .opt_i64("percent")?
                        .map(Percent::try_from)
                        .transpose()
                        .map_err(|e| c.corrupt(e))?,
                    key_achievement: c.flag("key_achievement")?,
                    actuals: actuals.remove(&c.id()).unwrap_or_default(),
                    author: c.parse("author", |s| Title::parse("author", s))?,
                    illustrative: c.flag("illustrative")?,
                },
                state: c.parse("state", str::parse)?,
                returned_comment: c.opt_string("returned_comment")?,
                created_at: c.time("created_at")?,
                updated_at: c.time("updated_at")?,
                version: c.i64("version")?,
            })
        })
        .collect()
}

impl Store {
    /// Record `action_id`'s update for `period`, or change the one already
    /// recorded. `expected_version` is the version of the existing update the
    /// change was based on: `Some(0)` when the person saw no update (refused
    /// if someone has recorded one since), `None` to replace whatever is
    /// there. A stale version is refused.
    pub async fn record_update(
        &self,
        actor: &str,
        action_id: i64,
        period: ReportingPeriod,
        input: UpdateInput,
        expected_version: Option<i64>,
    ) -> Result<Update, StoreError> {
        self.write_update(actor, action_id, period, input, expected_version, None)
            .await
    }

    /// Correct a signed-off update of a closed period. The period stays
    /// closed and the update signed off; the audit trail keeps the earlier
    /// version, the correction and its `reason`.
    pub async fn correct_update(
        &self,
        actor: &str,
        update_id: i64,
        expected_version: i64,
        input: UpdateInput,
        reason: &domain::Text,
    ) -> Result<Update, StoreError> {
        if reason.is_empty() {
            return Err(StoreError::Invalid(ParseError::new(
                "reason",
                "",
                "why the reported update is being corrected",
            )));
        }
        let current = self.update(update_id).await?;
        self.write_update(
            actor,
            current.action_id,
            current.period,
            input,
            Some(expected_version),
            Some(reason),
        )
        .await
    }

    async fn write_update(
        &self,
        actor: &str,
        action_id: i64,
        period: ReportingPeriod,
        input: UpdateInput,
        expected_version: Option<i64>,
        correction: Option<&domain::Text>,
    ) -> Result<Update, StoreError> {
        let input = input.validate()?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT a.id, a.reference, pl.year, po.body_id FROM actions a JOIN plans pl ON pl.id = a.plan_id \
             JOIN portfolios po ON po.id = pl.portfolio_id WHERE a.id = $1 AND a.deleted_at IS NULL",
        )
        .bind(action_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("action", action_id))?;
        let c = Cols::new(&row, "action")?;
        let reference = c.string("reference")?;
        let plan_year =
            domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
        let body_id = c.i64("body_id")?;
        if period.year != plan_year {
            return Err(StoreError::NotInPeriod {
                reference,
                plan_year: plan_year.to_string(),
                period: period.to_string(),
            });
        }
        // Inside an open reporting period updates go through sign-off; a closed
        // period is frozen; outside the cycle an update is recorded as reported.
        let plan_id: i64 = sqlx::query_scalar("SELECT plan_id FROM actions WHERE id = $1")
            .bind(action_id)
            .fetch_one(&mut *tx)
            .await?;
        let round = crate::cycle::period_in(&mut tx, plan_id, period.half).await?;
        let closed = round.as_ref().is_some_and(|r| !r.open);
        match (closed, correction) {
            (true, None) => {
                return Err(StoreError::Closed {
                    period: period.to_string(),
                });
            }
            (false, Some(_)) => {
                return Err(StoreError::PeriodState {
                    period: period.to_string(),
                    state: "not closed",
                    hint: "corrections are for closed periods; change the update as usual",
                });
            }
            _ => {}
        }
        let measures = crate::plans::indicator_ids(&mut tx, action_id).await?;
        if let Some(bad) = input
            .actuals
            .iter()
            .find(|a| !measures.contains(&a.measure_id))
        {
            return Err(StoreError::Invalid(ParseError::new(
                "actual",
                bad.measure_id.to_string(),
                format!("a figure for one of action {reference}'s numeric measures"),
            )));
        }

        let existing = load_updates(&mut tx, "a.id = $1", action_id)
            .await?
            .into_iter()
            .find(|u| u.period == period);
        if correction.is_some() && existing.is_none() {
            return Err(StoreError::not_found("update to correct for", period));
        }
        let state = match (&round, &existing) {
            (None, _) => domain::UpdateState::SignedOff,
            (Some(_), Some(current)) if correction.is_some() => current.state,
            (Some(_), Some(current)) => current.state.edit().map_err(StoreError::Transition)?,
            (Some(_), None) => domain::UpdateState::Draft,
        };
        let t = now();
        let (id, operation) = match &existing {
            Some(current) => {
                if let Some(expected) = expected_version.filter(|v| *v != current.version) {
                    return Err(StoreError::Conflict {
                        entity: "update",
                        key: format!("for {reference} in {period}"),
                        expected,
                        current: current.version,
                    });
                }
                let done = sqlx::query(
                    "UPDATE updates SET status = $1, commentary = $2, percent = $3, key_achievement = $4, author = $5, \
                     illustrative = $6, version = version + 1, updated_at = $7, state = $10 WHERE id = $8 AND version = $9",
                )
                .bind(input.status.as_str())
                .bind(input.commentary.as_str())
                .bind(input.percent.map(i64::from))
                .bind(flag(input.key_achievement))
                .bind(input.author.as_str())
                .bind(flag(input.illustrative))
                .bind(&t)
                .bind(current.id)
                .bind(current.version)
                .bind(state.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Conflict {
                        entity: "update",
                        key: format!("for {reference} in {period}"),
                        expected: current.version,
                        current: current.version + 1,
                    });
                }
                sqlx::query("DELETE FROM measure_actuals WHERE update_id = $1")
                    .bind(current.id)
                    .execute(&mut *tx)
                    .await?;
                (current.id, "edit")
            }
            None => {
                if let Some(expected) = expected_version.filter(|v| *v != 0) {
                    return Err(StoreError::Conflict {
                        entity: "update",
                        key: format!("for {reference} in {period}"),
                        expected,
                        current: 0,
                    });
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO updates (action_id, year, half, status, commentary, percent, key_achievement, author, illustrative, created_at, updated_at, state) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(action_id)
                .bind(i64::from(period.year.start_year()))
                .bind(period.half.number())
                .bind(input.status.as_str())
                .bind(input.commentary.as_str())
                .bind(input.percent.map(i64::from))
                .bind(flag(input.key_achievement))
                .bind(input.author.as_str())
                .bind(flag(input.illustrative))
                .bind(&t)
                .bind(&t)
                .bind(state.as_str())
                .fetch_one(&mut *tx)
                .await?;
                (id, "create")
            }
        };
        for actual in &input.actuals {
            sqlx::query(
                "INSERT INTO measure_actuals (update_id, measure_id, value) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(actual.measure_id)
            .bind(actual.value)
            .execute(&mut *tx)
            .await?;
        }
        let after = load_updates(&mut tx, "a.id = $1", action_id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("update", id))?;
        record(
            &mut tx,
            Change {
                body_id: Some(body_id),
                actor,
                entity: "update",
                entity_id: id,
                operation: if correction.is_some() {
                    "correct"
                } else {
                    operation
                },
                before: existing.as_ref().map(json),
                after: Some(match correction {
                    Some(reason) => {
                        let mut v = json(&after);
                        v["correction_reason"] = serde_json::Value::String(reason.to_string());
                        v
                    }
                    None => json(&after),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every update of one action, oldest period first.
    pub async fn updates_of(&self, action_id: i64) -> Result<Vec<Update>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_updates(&mut conn, "a.id = $1", action_id).await
    }

    /// The update with id `id`.
    pub async fn update(&self, id: i64) -> Result<Update, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let action_id: i64 = sqlx::query_scalar(
            "SELECT action_id FROM updates WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("update", id))?;
        load_updates(&mut conn, "a.id = $1", action_id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("update", id))
    }
}
