//! The yearly refresh: next year's draft plan made from this year's, with
//! each action carried forward (keeping lineage), completed or dropped; and
//! the plan's approval, which supersedes the year before.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{Action, ApprovalGap, Fate, FinancialYear, Measure, Plan, PlanStatus, Text};

use crate::audit::{Change, record};
use crate::plans::{NewAction, align, insert_action, insert_measures, load_actions, plan_context};
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError};

impl Store {
    /// Make `into`'s draft plan from approved plan `plan_id`: the same tree
    /// of items; each action carried forward under its reference unless
    /// `fates` says otherwise (another reference: renumbered; completed;
    /// dropped with a reason). Measures are carried without their targets.
    /// One transaction: all of it happens, or none.
    pub async fn refresh_plan(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        into: FinancialYear,
        fates: &HashMap<domain::ActionId, Fate>,
    ) -> Result<Plan, StoreError> {
        let mut tx = self.begin_write().await?;
        let source = Self::plan_in(&mut tx, plan_id.get()).await?;
        let ctx = plan_context(&mut tx, plan_id.get()).await?;
        match source.status {
            PlanStatus::Approved => {}
            status => {
                return Err(StoreError::PlanState {
                    year: source.year.to_string(),
                    state: status.as_str(),
                    hint: "only an approved plan is refreshed; approve it first (or refresh the current plan)",
                });
            }
        }
        if into != source.year.next() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "into",
                into.to_string(),
                format!(
                    "the year after the plan being refreshed ({})",
                    source.year.next()
                ),
            )));
        }
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plans WHERE portfolio_id = $1 AND year = $2 AND deleted_at IS NULL",
        )
        .bind(ctx.portfolio_id)
        .bind(i64::from(into.start_year()))
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::PlanState {
                year: into.to_string(),
                state: "already made",
                hint: "a year's plan is made once; change the existing plan instead",
            });
        }
        let actions = load_actions(&mut tx, "a.plan_id = $1", plan_id.get()).await?;
        if let Some(stray) = fates
            .keys()
            .find(|id| !actions.iter().any(|a| a.id == **id))
        {
            return Err(StoreError::not_found(
                "action of the plan being refreshed",
                stray,
            ));
        }
        let t = now();
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (portfolio_id, year, status, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $4) RETURNING id",
        )
        .bind(ctx.portfolio_id)
        .bind(i64::from(into.start_year()))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let alignment_ids: Vec<domain::AlignmentId> =
            source.alignments.iter().map(|a| a.id).collect();
        align(&mut tx, new_id, ctx.body_id, &alignment_ids).await?;
        let items = sqlx::query("SELECT * FROM plan_items WHERE plan_id = $1 AND deleted_at IS NULL ORDER BY depth, position, id")
            .bind(plan_id.get())
            .fetch_all(&mut *tx)
            .await?;
        let mut item_map = HashMap::new();
        let mut numbers: HashMap<i64, Option<domain::ItemRef>> = HashMap::new();
        for row in &items {
            let item = crate::plans::item_from(row)?;
            let position = Cols::new(row, "plan item")?.i64("position")?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO plan_items (plan_id, parent_id, depth, ambition_id, reference, title, position, illustrative, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(new_id)
            .bind(item.parent_id.and_then(|p| item_map.get(&p).copied()))
            .bind(item.depth as i64)
            .bind(item.ambition_id.map(|v| v.get()))
            .bind(item.reference.as_ref().map(ToString::to_string))
            .bind(item.title.as_str())
            .bind(position)
            .bind(crate::rows::flag(item.illustrative))
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *tx)
            .await?;
            item_map.insert(item.id, id);
            numbers.insert(item.id.get(), item.reference);
        }
        let mut summary = Vec::new();
        for a in &actions {
            let fate = fates.get(&a.id).cloned().unwrap_or(Fate::CarriedForward {
                reference: a.details.reference.clone(),
                target: None,
            });
            if let Fate::CarriedForward { reference, target } = &fate {
                let mut details = a.details.clone();
                details.reference = reference.clone();
                details.target = *target;
                details
                    .check_under(
                        ctx.scheme,
                        numbers.get(&a.item_id.get()).and_then(Option::as_ref),
                    )
                    .map_err(|mut e| {
                        e.field = "renumber";
                        e.value = format!("{} → {reference}", a.details.reference);
                        e
                    })?;
                let measures: Vec<Measure> = a
                    .measures
                    .iter()
                    .map(|(_, m)| match m {
                        Measure::Indicator(i) => Measure::Indicator(domain::Indicator {
                            targets: vec![],
                            ..i.clone()
                        }),
                        other => other.clone(),
                    })
                    .collect();
                let new = NewAction {
                    item_id: domain::PlanItemId::new(item_map[&a.item_id]),
                    details,
                    measures,
                    continues: Some(a.id),
                };
                let id = insert_action(&mut tx, new_id, &new).await?;
                insert_measures(&mut tx, id, &new.measures).await?;
            }
            let reason = match &fate {
                Fate::Dropped { reason } => Some(reason.to_string()),
                _ => None,
            };
            sqlx::query("UPDATE actions SET fate = $1, fate_reason = $2 WHERE id = $3")
                .bind(fate.kind())
                .bind(reason)
                .bind(a.id.get())
                .execute(&mut *tx)
                .await?;
            summary.push(
                serde_json::json!({ "action": a.details.reference.to_string(), "outcome": fate }),
            );
        }
        let plan = Self::plan_in(&mut tx, new_id).await?;
        let after = serde_json::json!({ "plan": json(&plan), "from": source.year.to_string(), "actions": summary });
        record(
            &mut tx,
            Change {
                body_id: Some(ctx.body_id),
                actor,
                entity: "plan",
                entity_id: new_id,
                operation: "refresh",
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// What each action of plan `plan_id` lacks before the plan is
    /// approved (see [`domain::Action::approval_gaps`]), by action, in the
    /// plan's order; only actions that lack something.
    pub async fn approval_gaps(
        &self,
        plan_id: domain::PlanId,
    ) -> Result<Vec<(Action, Vec<ApprovalGap>)>, StoreError> {
        let tree = self.plan_tree(plan_id).await?;
        let year = tree.plan.year;
        Ok(tree
            .actions
            .iter()
            .map(|a| (a.clone(), a.approval_gaps(year)))
            .filter(|(_, gaps)| !gaps.is_empty())
            .collect())
    }

    /// Record the committee's approval of draft plan `plan_id` on `on`; the
    /// approved plan of the year before becomes superseded.
    ///
    /// A plan whose actions lack a target date or a target for the year on
    /// an indicator ([`domain::Action::approval_gaps`]) is refused unless
    /// `accept_gaps` gives the reason it is approved as it is; the reason
    /// is kept in the approval's audit event.
    pub async fn approve_plan(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        expected_version: domain::Version,
        on: NaiveDate,
        accept_gaps: Option<&Text>,
    ) -> Result<Plan, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = Self::plan_in(&mut tx, plan_id.get()).await?;
        let ctx = plan_context(&mut tx, plan_id.get()).await?;
        if before.status != PlanStatus::Draft {
            return Err(StoreError::PlanState {
                year: before.year.to_string(),
                state: before.status.as_str(),
                hint: "only a draft plan is approved",
            });
        }
        let gaps = load_actions(&mut tx, "a.plan_id = $1", plan_id.get())
            .await?
            .iter()
            .map(|a| a.approval_gaps(before.year).len())
            .sum::<usize>();
        let accepted = accept_gaps.filter(|t| !t.as_str().trim().is_empty());
        if gaps > 0 && accepted.is_none() {
            return Err(StoreError::PlanState {
                year: before.year.to_string(),
                state: "incomplete",
                hint: "give every action a target date and every indicator a target for the year, or give the reason the committee approved it as it is",
            });
        }
        crate::rows::claim(
            &mut tx,
            "plans",
            "plan",
            before.year,
            plan_id,
            expected_version,
        )
        .await?;
        sqlx::query(
            "UPDATE plans SET status = 'approved', approved_on = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(on.to_string())
        .bind(now())
        .bind(plan_id.get())
        .execute(&mut *tx)
        .await?;
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plans WHERE portfolio_id = $1 AND year = $2 AND status = 'approved' AND deleted_at IS NULL",
        )
        .bind(ctx.portfolio_id)
        .bind(i64::from(before.year.previous().start_year()))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(previous) = previous {
            let old = Self::plan_in(&mut tx, previous).await?;
            crate::rows::claim(&mut tx, "plans", "plan", old.year, previous, old.version).await?;
            sqlx::query("UPDATE plans SET status = 'superseded', updated_at = $1 WHERE id = $2")
                .bind(now())
                .bind(previous)
                .execute(&mut *tx)
                .await?;
            let superseded = Self::plan_in(&mut tx, previous).await?;
            record(
                &mut tx,
                Change::between(
                    Some(ctx.body_id),
                    actor,
                    "plan",
                    previous,
                    "supersede",
                    json(&old),
                    json(&superseded),
                ),
            )
            .await?;
        }
        let after = Self::plan_in(&mut tx, plan_id.get()).await?;
        record(
            &mut tx,
            Change::between(
                Some(ctx.body_id),
                actor,
                "plan",
                plan_id.get(),
                "approve",
                json(&before),
                match accepted.filter(|_| gaps > 0) {
                    Some(reason) => {
                        let mut after = json(&after);
                        if let Some(map) = after.as_object_mut() {
                            map.insert("gaps_accepted".into(), gaps.into());
                            map.insert("reason".into(), reason.as_str().into());
                        }
                        after
                    }
                    None => json(&after),
                },
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
