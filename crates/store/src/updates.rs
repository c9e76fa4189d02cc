//! Progress updates: one action in one reporting period.

use std::collections::HashMap;

use domain::{
    Half, MeasureActual, OutsideCycle, ParseError, Percent, ReportingPeriod, Status, Text, Title,
    Update, UpdateInput,
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
            measure_id: c.key("measure_id")?,
            value: c.opt_f64("value")?.unwrap_or_default(),
        });
    }
    rows.iter()
        .map(|row| update_from(row, &mut actuals))
        .collect()
}

/// An update from a row of `updates` (all its columns), with its measure
/// actuals taken from `actuals`.
pub(crate) fn update_from(
    row: &sqlx::any::AnyRow,
    actuals: &mut HashMap<i64, Vec<MeasureActual>>,
) -> Result<Update, StoreError> {
    let c = Cols::new(row, "update")?;
    let year = domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?;
    let half = Half::from_number(c.i64("half")?).map_err(|e| c.corrupt(e))?;
    Ok(Update {
        id: c.id(),
        action_id: c.key("action_id")?,
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
        version: c.key("version")?,
        published: c.parse_opt("published", published_from)?,
    })
}

/// The stored form of an update's signed-off content, kept while a revision
/// goes through sign-off.
pub(crate) fn published_json(input: &UpdateInput) -> String {
    serde_json::to_string(input).unwrap_or_default()
}

fn published_from(raw: &str) -> Result<UpdateInput, ParseError> {
    serde_json::from_str(raw).map_err(|e| {
        ParseError::new(
            "published",
            raw.chars().take(40).collect::<String>(),
            format!("the JSON of an update's signed-off content ({e})"),
        )
    })
}

/// Refuse `input` when it is at risk or off track without a word of why
/// and body `body_id` requires commentary on concerns.
pub(crate) async fn explained(
    conn: &mut sqlx::AnyConnection,
    body_id: i64,
    input: &UpdateInput,
) -> Result<(), StoreError> {
    let Some(missing) = input.unexplained() else {
        return Ok(());
    };
    let required: Option<i64> =
        sqlx::query_scalar("SELECT require_commentary FROM bodies WHERE id = $1")
            .bind(body_id)
            .fetch_optional(&mut *conn)
            .await?;
    match required {
        Some(0) => Ok(()),
        _ => Err(StoreError::Invalid(missing)),
    }
}

impl Store {
    /// Whether `body_id`'s updates may be recorded outside the reporting cycle.
    pub async fn outside_cycle(&self, body_id: domain::BodyId) -> Result<OutsideCycle, StoreError> {
        let stored: Option<Option<i64>> =
            sqlx::query_scalar("SELECT updates_outside_cycle FROM bodies WHERE id = $1")
                .bind(body_id.get())
                .fetch_optional(&self.pool)
                .await?;
        stored
            .map(OutsideCycle::from_stored)
            .ok_or_else(|| StoreError::not_found("body", body_id))
    }

    /// Choose whether `body_id`'s updates may be recorded outside the
    /// reporting cycle, based on the body's `expected_version`.
    pub async fn set_outside_cycle(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        expected_version: domain::Version,
        setting: OutsideCycle,
    ) -> Result<OutsideCycle, StoreError> {
        self.set_body_setting(
            actor,
            (body_id, expected_version),
            "updates_outside_cycle",
            setting.stored(),
            |before| serde_json::json!(OutsideCycle::from_stored(before)),
            serde_json::json!(setting),
        )
        .await?;
        Ok(setting)
    }

    /// Change the setting in column `column` of body `body_id` to `stored`,
    /// based on the body's `expected_version`, in one transaction with an
    /// audit event `{column: before} → {column: after}` (`shown` says how
    /// the stored value before reads). Returns the body's new version.
    async fn set_body_setting(
        &self,
        actor: &str,
        (body_id, expected_version): (domain::BodyId, domain::Version),
        column: &'static str,
        stored: Option<i64>,
        shown: impl FnOnce(Option<i64>) -> serde_json::Value,
        after: serde_json::Value,
    ) -> Result<domain::Version, StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Option<Option<i64>> =
            sqlx::query_scalar(&format!("SELECT {column} FROM bodies WHERE id = $1"))
                .bind(body_id.get())
                .fetch_optional(&mut *tx)
                .await?;
        let before = before.ok_or_else(|| StoreError::not_found("body", body_id))?;
        crate::rows::claim(
            &mut tx,
            "bodies",
            "body",
            body_id,
            body_id,
            expected_version,
        )
        .await?;
        sqlx::query(&format!(
            "UPDATE bodies SET {column} = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(stored)
        .bind(now())
        .bind(body_id.get())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            Change::between(
                Some(body_id.get()),
                actor,
                "body",
                body_id.get(),
                "edit",
                serde_json::json!({ column: shown(before) }),
                serde_json::json!({ column: after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_version.next())
    }

    /// Whether `body_id` requires commentary on updates at risk or off track
    /// before they are submitted or recorded as reported.
    pub async fn require_commentary(&self, body_id: domain::BodyId) -> Result<bool, StoreError> {
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT require_commentary FROM bodies WHERE id = $1")
                .bind(body_id.get())
                .fetch_optional(&self.pool)
                .await?;
        stored
            .map(|v| v != 0)
            .ok_or_else(|| StoreError::not_found("body", body_id))
    }

    /// Choose whether `body_id` requires commentary on updates at risk or
    /// off track, based on the body's `expected_version`. Returns the
    /// body's new version.
    pub async fn set_require_commentary(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        expected_version: domain::Version,
        required: bool,
    ) -> Result<domain::Version, StoreError> {
        self.set_body_setting(
            actor,
            (body_id, expected_version),
            "require_commentary",
            Some(crate::rows::flag(required)),
            |before| serde_json::json!(before != Some(0)),
            serde_json::json!(required),
        )
        .await
    }

    /// Record `action_id`'s update for `period`, or change the one already
    /// recorded. `expected_version` is the version of the existing update the
    /// change was based on: `Some(0)` when the person saw no update (refused
    /// if someone has recorded one since), `None` to replace whatever is
    /// there. A stale version is refused.
    ///
    /// In an open period the update is a draft for sign-off; saving over a
    /// signed-off update starts a revision while the signed-off content
    /// stays published. Outside the cycle (no period opened, when the body
    /// allows it) a new update is recorded as reported, signed off at once;
    /// a signed-off one changes only by [`Store::correct_update`]. Closed
    /// periods and superseded plans are frozen.
    pub async fn record_update(
        &self,
        actor: &str,
        action_id: domain::ActionId,
        period: ReportingPeriod,
        input: UpdateInput,
        expected_version: Option<domain::Version>,
    ) -> Result<Update, StoreError> {
        self.write_update(actor, action_id, period, input, expected_version, None)
            .await
    }

    /// A performance officer's correction of a signed-off update, in any
    /// period (closed ones included) and on any plan (superseded ones
    /// included). The update stays signed off; the audit trail keeps the
    /// earlier version, the correction and its `reason`.
    pub async fn correct_update(
        &self,
        actor: &str,
        update_id: domain::UpdateId,
        expected_version: domain::Version,
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
        action_id: domain::ActionId,
        period: ReportingPeriod,
        input: UpdateInput,
        expected_version: Option<domain::Version>,
        correction: Option<&domain::Text>,
    ) -> Result<Update, StoreError> {
        let input = input.validate()?;
        let mut tx = self.begin_write().await?;
        let plan = plan_of(&mut tx, action_id.get()).await?;
        let reference = plan.reference.clone();
        if period.year != plan.year {
            return Err(StoreError::NotInPeriod {
                reference,
                plan_year: plan.year.to_string(),
                period: period.to_string(),
            });
        }
        let measures = crate::plans::indicator_ids(&mut tx, action_id.get()).await?;
        if let Some(bad) = input
            .actuals
            .iter()
            .find(|a| !measures.contains(&a.measure_id.get()))
        {
            return Err(StoreError::Invalid(ParseError::new(
                "actual",
                bad.measure_id.to_string(),
                format!("a figure for one of action {reference}'s numeric measures"),
            )));
        }
        let existing = load_updates(&mut tx, "a.id = $1", action_id.get())
            .await?
            .into_iter()
            .find(|u| u.period == period);
        let key = format!("for {reference} in {period}");
        // A save based on a stale version is refused as such first, before
        // whatever else the save would meet.
        match (&existing, expected_version) {
            (Some(current), Some(expected)) => {
                StoreError::unless_current("update", &key, expected, current.version)?
            }
            (None, Some(expected)) => {
                StoreError::unless_current("update", &key, expected, domain::Version::new(0))?
            }
            (_, None) => {}
        }
        // What the update becomes, and the signed-off content kept beside it.
        let (state, published) = match (correction, &existing) {
            (Some(_), None) => return Err(StoreError::not_found("update to correct for", period)),
            (Some(_), Some(current)) => (current.state.correct()?, None),
            (None, existing) => {
                match self
                    .recording_in(&mut tx, &plan, period, existing.as_ref())
                    .await?
                {
                    Recording::Draft => (
                        domain::UpdateState::Draft,
                        existing
                            .as_ref()
                            .and_then(|u| u.published.as_ref())
                            .map(published_json),
                    ),
                    Recording::Revision => (
                        domain::UpdateState::Draft,
                        existing.as_ref().map(|u| published_json(&u.input)),
                    ),
                    Recording::AsReported => {
                        explained(&mut tx, plan.body_id, &input).await?;
                        (domain::UpdateState::SignedOff, None)
                    }
                }
            }
        };
        let t = now();
        let (id, operation) = match &existing {
            Some(current) => {
                crate::rows::claim(
                    &mut tx,
                    "updates",
                    "update",
                    &key,
                    current.id.get(),
                    expected_version.unwrap_or(current.version),
                )
                .await?;
                sqlx::query(
                    "UPDATE updates SET status = $1, commentary = $2, percent = $3, key_achievement = $4, author = $5, \
                     illustrative = $6, updated_at = $7, state = $8, published = $9, returned_comment = $10 WHERE id = $11",
                )
                .bind(input.status.as_str())
                .bind(input.commentary.as_str())
                .bind(input.percent.map(i64::from))
                .bind(flag(input.key_achievement))
                .bind(input.author.as_str())
                .bind(flag(input.illustrative))
                .bind(&t)
                .bind(state.as_str())
                .bind(published)
                .bind(current.returned_comment.as_deref())
                .bind(current.id.get())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM measure_actuals WHERE update_id = $1")
                    .bind(current.id.get())
                    .execute(&mut *tx)
                    .await?;
                (current.id, "edit")
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO updates (action_id, year, half, status, commentary, percent, key_achievement, author, illustrative, created_at, updated_at, state) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(action_id.get())
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
                .await
                .map_err(|e| match e {
                    // Someone recorded this period's update since the read above.
                    sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                        entity: "update",
                        key: key.clone(),
                        expected: 0,
                        current: 1,
                    },
                    e => StoreError::Database(e),
                })?;
                (domain::UpdateId::new(id), "create")
            }
        };
        for actual in &input.actuals {
            sqlx::query(
                "INSERT INTO measure_actuals (update_id, measure_id, value) VALUES ($1, $2, $3)",
            )
            .bind(id.get())
            .bind(actual.measure_id.get())
            .bind(actual.value)
            .execute(&mut *tx)
            .await?;
        }
        let after = load_updates(&mut tx, "a.id = $1", action_id.get())
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("update", id))?;
        record(
            &mut tx,
            Change {
                body_id: Some(plan.body_id),
                actor,
                entity: "update",
                entity_id: id.get(),
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
    pub async fn updates_of(&self, action_id: domain::ActionId) -> Result<Vec<Update>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_updates(&mut conn, "a.id = $1", action_id.get()).await
    }

    /// The update with id `id`.
    pub async fn update(&self, id: domain::UpdateId) -> Result<Update, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let action_id: i64 = sqlx::query_scalar(
            "SELECT action_id FROM updates WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id.get())
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

/// What saving an update of one action for one period does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// The period is open: the update is a draft for sign-off.
    Draft,
    /// The period is open and the update is signed off: saving starts a
    /// revision that goes through sign-off again while the signed-off
    /// content stays published.
    Revision,
    /// No period was opened and the body allows updates outside the cycle:
    /// a new update is recorded as reported, signed off at once.
    AsReported,
}

/// The action an update is on and its plan, as the rules for recording need them.
pub(crate) struct PlanOf {
    /// The action's reference.
    pub(crate) reference: String,
    /// The plan's id, year and state, and its body.
    pub(crate) id: i64,
    pub(crate) year: domain::FinancialYear,
    pub(crate) status: domain::PlanStatus,
    pub(crate) body_id: i64,
}

/// The plan of action `action_id`, read on `conn`.
async fn plan_of(conn: &mut AnyConnection, action_id: i64) -> Result<PlanOf, StoreError> {
    let row = sqlx::query(
        "SELECT a.id, a.reference, a.plan_id, pl.year, pl.status, po.body_id FROM actions a JOIN plans pl ON pl.id = a.plan_id \
         JOIN portfolios po ON po.id = pl.portfolio_id WHERE a.id = $1 AND a.deleted_at IS NULL",
    )
    .bind(action_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("action", action_id))?;
    let c = Cols::new(&row, "action")?;
    Ok(PlanOf {
        reference: c.string("reference")?,
        id: c.i64("plan_id")?,
        year: domain::FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?,
        status: c.parse("status", str::parse)?,
        body_id: c.i64("body_id")?,
    })
}

impl Store {
    /// What saving `action_id`'s update for `period` would do now, or the
    /// refusal saving would meet (a closed period, a period not opened
    /// where the body records updates only in the cycle, a signed-off
    /// update outside the cycle, a superseded plan). Corrections by a
    /// performance officer ([`Store::correct_update`]) are not refused so.
    pub async fn recording(
        &self,
        action_id: domain::ActionId,
        period: ReportingPeriod,
    ) -> Result<Recording, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let plan = plan_of(&mut conn, action_id.get()).await?;
        let existing = load_updates(&mut conn, "a.id = $1", action_id.get())
            .await?
            .into_iter()
            .find(|u| u.period == period);
        self.recording_in(&mut conn, &plan, period, existing.as_ref())
            .await
    }

    /// [`Store::recording`] on `conn`, for the write under way.
    pub(crate) async fn recording_in(
        &self,
        conn: &mut AnyConnection,
        plan: &PlanOf,
        period: ReportingPeriod,
        existing: Option<&Update>,
    ) -> Result<Recording, StoreError> {
        if plan.status == domain::PlanStatus::Superseded {
            return Err(StoreError::PlanState {
                year: period.year.to_string(),
                state: "superseded",
                hint: "a superseded plan is the record of its year and its updates do not change; a performance officer can record a correction with a reason",
            });
        }
        match crate::cycle::period_in(conn, plan.id, period.half).await? {
            Some(round) if !round.open => Err(StoreError::Closed {
                period: period.to_string(),
            }),
            Some(_) => Ok(match existing {
                Some(u) if u.state == domain::UpdateState::SignedOff => Recording::Revision,
                _ => Recording::Draft,
            }),
            None => {
                if !self.outside_cycle_allowed(conn, plan.body_id).await? {
                    return Err(StoreError::PeriodState {
                        period: period.to_string(),
                        state: "not open",
                        hint: "updates are recorded while their reporting period is open; a performance officer opens it on the plan's period page (or with `ambit period open`)",
                    });
                }
                match existing {
                    Some(u) if u.was_signed_off() => {
                        Err(StoreError::Transition(domain::TransitionError {
                            attempt: "change",
                            from: domain::UpdateState::SignedOff,
                            hint: "it is signed off and published; a performance officer can record a correction with a reason, or open the period so that a revision goes through sign-off",
                        }))
                    }
                    _ => Ok(Recording::AsReported),
                }
            }
        }
    }

    /// Whether `body_id` allows updates outside the cycle now, read on `conn`.
    async fn outside_cycle_allowed(
        &self,
        conn: &mut AnyConnection,
        body_id: i64,
    ) -> Result<bool, StoreError> {
        let setting: Option<i64> =
            sqlx::query_scalar("SELECT updates_outside_cycle FROM bodies WHERE id = $1")
                .bind(body_id)
                .fetch_one(&mut *conn)
                .await?;
        let periods: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reporting_periods rp JOIN plans pl ON pl.id = rp.plan_id \
             JOIN portfolios po ON po.id = pl.portfolio_id WHERE po.body_id = $1",
        )
        .bind(body_id)
        .fetch_one(&mut *conn)
        .await?;
        Ok(OutsideCycle::from_stored(setting).allows(periods > 0))
    }
}
