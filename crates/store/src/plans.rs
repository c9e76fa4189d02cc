//! Plans, their tree of items and actions, and measures of success.

use std::collections::HashMap;

use domain::{
    Action, ActionDetails, ActionRef, Direction, FinancialYear, Indicator, ItemRef, LevelNames,
    Measure, MeasureTarget, ParseError, Plan, PlanItem, PlanTree, ReferenceScheme, TargetDate,
    Title,
};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::org::alignment_from;
use crate::rows::{Cols, claim, flag, json, now, unique};
use crate::{Store, StoreError};

/// A new item of a plan tree (an ambition, priority or statement).
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The plan.
    pub plan_id: domain::PlanId,
    /// The item above; none for the top level.
    pub parent_id: Option<domain::PlanItemId>,
    /// For the top level: the strategy ambition it stands for.
    pub ambition_id: Option<domain::AmbitionId>,
    /// Its reference in the body's scheme, if it has one ("10", "1.2", "CP2").
    pub reference: Option<ItemRef>,
    /// Its wording.
    pub title: Title,
    /// Demo content not drawn from a real record.
    pub illustrative: bool,
}

/// A new action under an item of the lowest item level.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// The item it sits under.
    pub item_id: domain::PlanItemId,
    /// Reference, title, lead, target.
    pub details: ActionDetails,
    /// Measures of success.
    pub measures: Vec<Measure>,
    /// The action it continues from the previous year's plan.
    pub continues: Option<domain::ActionId>,
}

/// What a write needs to know about the plan it touches.
pub(crate) struct PlanContext {
    pub(crate) body_id: i64,
    pub(crate) year: FinancialYear,
    pub(crate) portfolio_id: i64,
    pub(crate) levels: LevelNames,
    pub(crate) status: domain::PlanStatus,
    pub(crate) scheme: ReferenceScheme,
}

pub(crate) async fn plan_context(
    conn: &mut AnyConnection,
    plan_id: i64,
) -> Result<PlanContext, StoreError> {
    let row = sqlx::query(
        "SELECT pl.id, pl.year, pl.portfolio_id, pl.status, b.id AS body_id, b.level_names, b.reference_scheme FROM plans pl \
         JOIN portfolios po ON po.id = pl.portfolio_id JOIN bodies b ON b.id = po.body_id \
         WHERE pl.id = $1 AND pl.deleted_at IS NULL",
    )
    .bind(plan_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("plan", plan_id))?;
    let c = Cols::new(&row, "plan")?;
    Ok(PlanContext {
        body_id: c.i64("body_id")?,
        year: FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?,
        portfolio_id: c.i64("portfolio_id")?,
        status: c.parse("status", str::parse)?,
        scheme: c.parse("reference_scheme", str::parse)?,
        levels: c.parse("level_names", |s| {
            serde_json::from_str::<Vec<String>>(s)
                .map_err(|_| ParseError::new("level names", s, "a JSON list"))
                .and_then(|v| LevelNames::new(&v))
        })?,
    })
}

pub(crate) fn item_from(row: &AnyRow) -> Result<PlanItem, StoreError> {
    let c = Cols::new(row, "plan item")?;
    Ok(PlanItem {
        id: c.id(),
        parent_id: c.opt_key("parent_id")?,
        depth: c.i64("depth")? as usize,
        ambition_id: c.opt_key("ambition_id")?,
        reference: c.parse_opt("reference", str::parse::<ItemRef>)?,
        title: c.parse("title", |s| Title::parse("title", s))?,
        illustrative: c.flag("illustrative")?,
        version: c.key("version")?,
    })
}

pub(crate) async fn item(conn: &mut AnyConnection, id: i64) -> Result<(PlanItem, i64), StoreError> {
    let row = sqlx::query("SELECT * FROM plan_items WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("plan item", id))?;
    let plan_id = Cols::new(&row, "plan item")?.i64("plan_id")?;
    Ok((item_from(&row)?, plan_id))
}

/// Load actions matching `filter` (a condition on `a`, with one `$1` bound to `key`), with their measures.
pub(crate) async fn load_actions(
    conn: &mut AnyConnection,
    filter: &str,
    key: i64,
) -> Result<Vec<Action>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT a.* FROM actions a WHERE {filter} AND a.deleted_at IS NULL ORDER BY a.item_id, a.position, a.id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    let measure_rows = sqlx::query(&format!(
        "SELECT m.* FROM measures m JOIN actions a ON a.id = m.action_id \
         WHERE {filter} AND a.deleted_at IS NULL AND m.deleted_at IS NULL ORDER BY m.action_id, m.position, m.id"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    let target_rows = sqlx::query(&format!(
        "SELECT t.measure_id AS id, t.year, t.half, t.value FROM measure_targets t \
         JOIN measures m ON m.id = t.measure_id JOIN actions a ON a.id = m.action_id \
         WHERE {filter} AND a.deleted_at IS NULL ORDER BY t.measure_id, t.year, t.half"
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;

    let mut targets: HashMap<i64, Vec<MeasureTarget>> = HashMap::new();
    for row in &target_rows {
        let c = Cols::new(row, "measure target")?;
        let half = match c.i64("half")? {
            0 => None,
            n => Some(domain::Half::from_number(n).map_err(|e| c.corrupt(e))?),
        };
        targets.entry(c.id()).or_default().push(MeasureTarget {
            year: FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?,
            half,
            value: c.opt_f64("value")?.unwrap_or_default(),
        });
    }
    let mut measures: HashMap<i64, Vec<(domain::MeasureId, Measure)>> = HashMap::new();
    for row in &measure_rows {
        let c = Cols::new(row, "measure")?;
        let text = c.string("text")?;
        let measure = match c.string("kind")?.as_str() {
            "statement" => Measure::statement(&text).map_err(|e| c.corrupt(e))?,
            _ => Measure::Indicator(
                Indicator::new(
                    Title::parse("indicator", &text).map_err(|e| c.corrupt(e))?,
                    c.parse("unit", |s| Title::parse("unit", s))?,
                    c.parse("direction", str::parse::<Direction>)?,
                    c.opt_f64("baseline")?,
                    targets.remove(&c.id()).unwrap_or_default(),
                )
                .map_err(|e| c.corrupt(e))?,
            ),
        };
        measures
            .entry(c.i64("action_id")?)
            .or_default()
            .push((c.id(), measure));
    }
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, "action")?;
            Ok(Action {
                id: c.id(),
                plan_id: c.key("plan_id")?,
                item_id: c.key("item_id")?,
                details: ActionDetails {
                    reference: c.parse("reference", str::parse::<ActionRef>)?,
                    title: c.parse("title", |s| Title::parse("title", s))?,
                    lead: c.parse("lead", |s| Title::parse("lead", s))?,
                    directorate: c.parse_opt("directorate", |s| Title::parse("directorate", s))?,
                    target: c.parse_opt("target", str::parse::<TargetDate>)?,
                    illustrative: c.flag("illustrative")?,
                },
                measures: measures.remove(&c.id::<i64>()).unwrap_or_default(),
                continues: c.opt_key("continues_id")?,
                outcome: c
                    .opt_string("fate")?
                    .map(|f| Ok::<_, StoreError>((f, c.opt_string("fate_reason")?)))
                    .transpose()?,
                version: c.key("version")?,
            })
        })
        .collect()
}

async fn one_action(conn: &mut AnyConnection, id: i64) -> Result<Action, StoreError> {
    load_actions(conn, "a.id = $1", id)
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found("action", id))
}

pub(crate) async fn insert_measures(
    conn: &mut AnyConnection,
    action_id: i64,
    measures: &[Measure],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(measures.len());
    for (position, m) in measures.iter().enumerate() {
        ids.push(write_measure(conn, action_id, position, None, m).await?);
    }
    Ok(ids)
}

/// The columns a measure is stored in: its kind, its text (a statement's
/// words, an indicator's name), and an indicator's unit, direction and
/// baseline.
pub(crate) fn measure_columns(
    m: &Measure,
) -> (
    &'static str,
    String,
    Option<String>,
    Option<&'static str>,
    Option<f64>,
) {
    match m {
        Measure::Statement { text } => ("statement", text.to_string(), None, None, None),
        Measure::Indicator(i) => (
            "indicator",
            i.name.to_string(),
            Some(i.unit.to_string()),
            Some(i.direction.as_str()),
            i.baseline,
        ),
    }
}

/// Write measure `m` of `action_id` at `position`: a new row, or over the
/// row `existing` (its targets replaced). Returns the measure's id.
async fn write_measure(
    conn: &mut AnyConnection,
    action_id: i64,
    position: usize,
    existing: Option<i64>,
    m: &Measure,
) -> Result<i64, StoreError> {
    let (kind, text, unit, direction, baseline) = crate::plans::measure_columns(m);
    // sqlx's Any driver sends a null f64 to PostgreSQL with the wrong
    // type, so a missing baseline is written as a literal NULL instead.
    let baseline_sql = if baseline.is_some() { "$8" } else { "NULL" };
    let id: i64 = match existing {
        Some(id) => {
            let sql = format!(
                "UPDATE measures SET position = $1, kind = $2, text = $3, unit = $4, direction = $5 \
                 , baseline = {baseline_sql} WHERE id = $6 AND action_id = $7 AND deleted_at IS NULL RETURNING id"
            );
            let mut update = sqlx::query_scalar(&sql)
                .bind(position as i64)
                .bind(kind)
                .bind(text)
                .bind(unit)
                .bind(direction)
                .bind(id)
                .bind(action_id);
            if let Some(b) = baseline {
                update = update.bind(b);
            }
            let id: i64 = update
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::not_found("measure of this action", id))?;
            sqlx::query("DELETE FROM measure_targets WHERE measure_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => {
            let sql = format!(
                "INSERT INTO measures (action_id, position, kind, text, unit, direction, created_at, baseline) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, {baseline_sql}) RETURNING id"
            );
            let mut insert = sqlx::query_scalar(&sql)
                .bind(action_id)
                .bind(position as i64)
                .bind(kind)
                .bind(text)
                .bind(unit)
                .bind(direction)
                .bind(now());
            if let Some(b) = baseline {
                insert = insert.bind(b);
            }
            insert.fetch_one(&mut *conn).await?
        }
    };
    if let Measure::Indicator(i) = m {
        for target in &i.targets {
            sqlx::query("INSERT INTO measure_targets (measure_id, year, half, value) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(i64::from(target.year.start_year()))
                .bind(target.half.map(domain::Half::number).unwrap_or(0))
                .bind(target.value)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(id)
}

/// Align `plan_id` with each of `alignment_ids`, which must be `body_id`'s.
pub(crate) async fn align(
    conn: &mut AnyConnection,
    plan_id: i64,
    body_id: i64,
    alignment_ids: &[domain::AlignmentId],
) -> Result<(), StoreError> {
    for alignment in alignment_ids {
        let owner: Option<i64> = sqlx::query_scalar(
            "SELECT body_id FROM alignments WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(alignment.get())
        .fetch_optional(&mut *conn)
        .await?;
        if owner != Some(body_id) {
            return Err(StoreError::not_found("alignment", alignment));
        }
        sqlx::query("INSERT INTO plan_alignments (plan_id, alignment_id) VALUES ($1, $2)")
            .bind(plan_id)
            .bind(alignment.get())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Insert an action (without its measures) at the end of its item; returns its id.
pub(crate) async fn insert_action(
    conn: &mut AnyConnection,
    plan_id: i64,
    new: &NewAction,
) -> Result<i64, StoreError> {
    let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM actions WHERE item_id = $1")
        .bind(new.item_id.get())
        .fetch_one(&mut *conn)
        .await?;
    let d = &new.details;
    let t = now();
    sqlx::query_scalar(
        "INSERT INTO actions (plan_id, item_id, reference, reference_key, title, lead, directorate, target, continues_id, illustrative, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(plan_id)
    .bind(new.item_id.get())
    .bind(d.reference.to_string())
    .bind(d.reference.key())
    .bind(d.title.as_str())
    .bind(d.lead.as_str())
    .bind(d.directorate.as_ref().map(|t| t.to_string()))
    .bind(d.target.map(TargetDate::to_iso))
    .bind(new.continues.map(|v| v.get()))
    .bind(flag(d.illustrative))
    .bind(position + 1)
    .bind(&t)
    .bind(&t)
    .fetch_one(&mut *conn)
    .await
    .map_err(unique("action", &d.reference, "reference"))
}

/// Check an action's details fit where it sits: a reference in the body's
/// scheme that fits the item it sits under ("10A" under statement 10, "1.2.3"
/// under "1.2"), within the plan's year, with a reference no other action of
/// the plan has (ignoring case and spaces).
async fn check_placement(
    conn: &mut AnyConnection,
    ctx: &PlanContext,
    item: &PlanItem,
    details: &ActionDetails,
    except_action: i64,
) -> Result<(), StoreError> {
    let lowest = ctx.levels.item_depths() - 1;
    if item.depth != lowest {
        return Err(StoreError::Invalid(ParseError::new(
            "item",
            item.title.to_string(),
            format!(
                "an item at the {} level (actions sit under the lowest level)",
                ctx.levels.name(lowest)
            ),
        )));
    }
    details.check_under(ctx.scheme, item.reference.as_ref())?;
    Action::check_target_in(details, ctx.year)?;
    let clash: Option<String> = sqlx::query_scalar(
        "SELECT a.reference FROM actions a JOIN plan_items i ON i.id = a.item_id \
         WHERE i.plan_id = (SELECT plan_id FROM plan_items WHERE id = $1) AND a.reference_key = $2 \
           AND a.deleted_at IS NULL AND a.id <> $3",
    )
    .bind(item.id.get())
    .bind(details.reference.key())
    .bind(except_action)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(existing) = clash {
        return Err(duplicate_reference(&details.reference, &existing));
    }
    Ok(())
}

/// The error for a reference the plan already has, naming the existing one
/// when it is written differently ("asc 3.2" against "ASC 3.2").
pub(crate) fn duplicate_reference(reference: &ActionRef, existing: &str) -> StoreError {
    let key = if existing == reference.as_str() {
        reference.to_string()
    } else {
        format!("{reference} (the same as {existing}: case and spaces are ignored)")
    };
    StoreError::Duplicate {
        entity: "action",
        key,
        field: "reference",
    }
}

/// The previous year's action an action continues, as an export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continued {
    /// Its reference.
    pub reference: ActionRef,
    /// Whether its plan is published (so the public may see the reference).
    pub published: bool,
}

/// The rows (plan items, actions and updates) of the plans kept in memory
/// at most, a plan page's counted with its plan's: about 10 MB.
const KEPT_ROWS: usize = 8_000;

/// Whose body a stamp is read for ([`Store::body_stamp`]).
#[derive(Clone, Copy)]
enum StampOf<'a> {
    /// The body of a plan.
    Plan(i64),
    /// A body by its slug.
    Body(&'a str),
}

impl Store {
    /// Create `portfolio_id`'s plan for `year`, aligned with the given alignments.
    pub async fn create_plan(
        &self,
        actor: &str,
        portfolio_id: domain::PortfolioId,
        year: FinancialYear,
        alignment_ids: &[domain::AlignmentId],
    ) -> Result<Plan, StoreError> {
        let mut tx = self.begin_write().await?;
        let body_id: i64 = sqlx::query_scalar(
            "SELECT body_id FROM portfolios WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(portfolio_id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("portfolio", portfolio_id))?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (portfolio_id, year, status, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $4) RETURNING id",
        )
        .bind(portfolio_id.get())
        .bind(i64::from(year.start_year()))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("plan", year, "year"))?;
        align(&mut tx, id, body_id, alignment_ids).await?;
        let plan = Self::plan_in(&mut tx, id).await?;
        record(
            &mut tx,
            Change::create(Some(body_id), actor, "plan", id, json(&plan)),
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    pub(crate) async fn plan_in(conn: &mut AnyConnection, id: i64) -> Result<Plan, StoreError> {
        let row = sqlx::query("SELECT id, portfolio_id, year, published_at, status, approved_on, version FROM plans WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("plan", id))?;
        let c = Cols::new(&row, "plan")?;
        let alignments = sqlx::query(
            "SELECT al.* FROM alignments al JOIN plan_alignments pa ON pa.alignment_id = al.id \
             WHERE pa.plan_id = $1 AND al.deleted_at IS NULL ORDER BY al.name",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(alignment_from)
        .collect::<Result<_, _>>()?;
        Ok(Plan {
            id: domain::PlanId::new(id),
            portfolio_id: c.key("portfolio_id")?,
            year: FinancialYear::starting(c.i64("year")? as i32).map_err(|e| c.corrupt(e))?,
            alignments,
            published_at: c
                .opt_string("published_at")?
                .map(|t| crate::rows::time("plan", id, &t))
                .transpose()?,
            status: c.parse("status", str::parse)?,
            approved_on: c.parse_opt("approved_on", |s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| ParseError::new("approved on", s, "a date"))
            })?,
            version: c.key("version")?,
        })
    }

    /// The plan with id `id`.
    pub async fn plan_by_id(&self, id: domain::PlanId) -> Result<Plan, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::plan_in(&mut conn, id.get()).await
    }

    /// Publish a plan (or withdraw it when `publish` is false): published
    /// plans and their progress appear on public pages.
    pub async fn publish_plan(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        expected_version: domain::Version,
        publish: bool,
    ) -> Result<Plan, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = Self::plan_in(&mut tx, plan_id.get()).await?;
        claim(
            &mut tx,
            "plans",
            "plan",
            before.year,
            plan_id,
            expected_version,
        )
        .await?;
        let ctx = plan_context(&mut tx, plan_id.get()).await?;
        let t = now();
        sqlx::query("UPDATE plans SET published_at = $1, updated_at = $2 WHERE id = $3")
            .bind(publish.then(|| t.clone()))
            .bind(&t)
            .bind(plan_id.get())
            .execute(&mut *tx)
            .await?;
        let after = Self::plan_in(&mut tx, plan_id.get()).await?;
        record(
            &mut tx,
            Change::between(
                Some(ctx.body_id),
                actor,
                "plan",
                plan_id.get(),
                if publish { "publish" } else { "unpublish" },
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Set the programmes and strategies a plan is aligned with.
    pub async fn set_plan_alignments(
        &self,
        actor: &str,
        plan_id: domain::PlanId,
        expected_version: domain::Version,
        alignment_ids: &[domain::AlignmentId],
    ) -> Result<Plan, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = Self::plan_in(&mut tx, plan_id.get()).await?;
        let ctx = plan_context(&mut tx, plan_id.get()).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "edit")?;
        claim(
            &mut tx,
            "plans",
            "plan",
            before.year,
            plan_id,
            expected_version,
        )
        .await?;
        sqlx::query("DELETE FROM plan_alignments WHERE plan_id = $1")
            .bind(plan_id.get())
            .execute(&mut *tx)
            .await?;
        align(&mut tx, plan_id.get(), ctx.body_id, alignment_ids).await?;
        sqlx::query("UPDATE plans SET updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(plan_id.get())
            .execute(&mut *tx)
            .await?;
        let after = Self::plan_in(&mut tx, plan_id.get()).await?;
        record(
            &mut tx,
            Change::between(
                Some(ctx.body_id),
                actor,
                "plan",
                plan_id.get(),
                operation,
                json(&before),
                self.with_reason(json(&after)),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// `portfolio_id`'s plan for `year`.
    pub async fn plan(
        &self,
        portfolio_id: domain::PortfolioId,
        year: FinancialYear,
    ) -> Result<Plan, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plans WHERE portfolio_id = $1 AND year = $2 AND deleted_at IS NULL",
        )
        .bind(portfolio_id.get())
        .bind(i64::from(year.start_year()))
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.plan_by_id(domain::PlanId::new(id)).await,
            None => {
                let years: Vec<i64> = sqlx::query_scalar(
                    "SELECT year FROM plans WHERE portfolio_id = $1 AND deleted_at IS NULL ORDER BY year",
                )
                .bind(portfolio_id.get())
                .fetch_all(&self.pool)
                .await?;
                let known: Vec<String> = years
                    .into_iter()
                    .filter_map(|y| FinancialYear::starting(y as i32).ok())
                    .map(|y| y.to_string())
                    .collect();
                Err(StoreError::NotFound {
                    entity: "plan for",
                    key: year.to_string(),
                    hint: if known.is_empty() {
                        "; the portfolio has no plans yet".into()
                    } else {
                        format!("; the portfolio has plans for {}", known.join(", "))
                    },
                })
            }
        }
    }

    /// Add an item to a plan's tree.
    pub async fn add_item(&self, actor: &str, new: NewItem) -> Result<PlanItem, StoreError> {
        let mut tx = self.begin_write().await?;
        let ctx = plan_context(&mut tx, new.plan_id.get()).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "create")?;
        let depth = match new.parent_id {
            None => {
                let Some(ambition_id) = new.ambition_id else {
                    return Err(StoreError::Invalid(ParseError::new(
                        "ambition",
                        "",
                        format!(
                            "an ambition of the strategy for each top-level {}",
                            ctx.levels.name(0)
                        ),
                    )));
                };
                let owner: Option<i64> = sqlx::query_scalar(
                    "SELECT s.body_id FROM ambitions a JOIN strategies s ON s.id = a.strategy_id WHERE a.id = $1 AND a.deleted_at IS NULL",
                )
                .bind(ambition_id.get())
                .fetch_optional(&mut *tx)
                .await?;
                if owner != Some(ctx.body_id) {
                    return Err(StoreError::not_found("ambition", ambition_id));
                }
                0
            }
            Some(parent) => {
                let (parent, parent_plan) = item(&mut tx, parent.get()).await?;
                if parent_plan != new.plan_id.get() {
                    return Err(StoreError::not_found("plan item", parent.id));
                }
                parent.depth + 1
            }
        };
        if depth >= ctx.levels.item_depths() {
            return Err(StoreError::Invalid(ParseError::new(
                "parent",
                new.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                format!("an item above the {} level", ctx.levels.action()),
            )));
        }
        let siblings: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM plan_items WHERE plan_id = $1 AND depth = $2 AND deleted_at IS NULL",
        )
        .bind(new.plan_id.get())
        .bind(depth as i64)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(reference) = &new.reference {
            let parent_ref = match new.parent_id {
                Some(parent) => item(&mut tx, parent.get()).await?.0.reference,
                None => None,
            };
            ctx.scheme.check_item(reference, parent_ref.as_ref())?;
        }
        let position = siblings + 1;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_items (plan_id, parent_id, depth, ambition_id, reference, title, position, illustrative, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.plan_id.get())
        .bind(new.parent_id.map(|v| v.get()))
        .bind(depth as i64)
        .bind(new.ambition_id.map(|v| v.get()))
        .bind(new.reference.as_ref().map(ToString::to_string))
        .bind(new.title.as_str())
        .bind(position)
        .bind(flag(new.illustrative))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let (created, _) = item(&mut tx, id).await?;
        record(
            &mut tx,
            Change {
                body_id: Some(ctx.body_id),
                actor,
                entity: "plan item",
                entity_id: id,
                operation,
                before: None,
                after: Some(self.with_reason(json(&created))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Add an action under an item of the lowest item level.
    pub async fn add_action(&self, actor: &str, new: NewAction) -> Result<Action, StoreError> {
        let mut tx = self.begin_write().await?;
        let (parent, plan_id) = item(&mut tx, new.item_id.get()).await?;
        let ctx = plan_context(&mut tx, plan_id).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "create")?;
        check_placement(&mut tx, &ctx, &parent, &new.details, 0).await?;
        if let Some(previous) = new.continues {
            let row = sqlx::query(
                "SELECT a.id, pl.year, pl.portfolio_id FROM actions a JOIN plans pl ON pl.id = a.plan_id \
                 WHERE a.id = $1 AND a.deleted_at IS NULL",
            )
            .bind(previous.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("action", previous))?;
            let c = Cols::new(&row, "action")?;
            if c.i64("portfolio_id")? != ctx.portfolio_id
                || c.i64("year")? != i64::from(ctx.year.previous().start_year())
            {
                return Err(StoreError::Invalid(ParseError::new(
                    "continues",
                    previous.to_string(),
                    format!(
                        "an action of the same portfolio's {} plan",
                        ctx.year.previous()
                    ),
                )));
            }
        }
        let id = insert_action(&mut tx, plan_id, &new).await?;
        insert_measures(&mut tx, id, &new.measures).await?;
        let action = one_action(&mut tx, id).await?;
        record(
            &mut tx,
            Change {
                body_id: Some(ctx.body_id),
                actor,
                entity: "action",
                entity_id: id,
                operation,
                before: None,
                after: Some(self.with_reason(json(&action))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(action)
    }

    /// Change an action's details. `expected_version` is the version the
    /// change was based on; if someone else saved since, the change is refused.
    pub async fn edit_action(
        &self,
        actor: &str,
        action_id: domain::ActionId,
        expected_version: domain::Version,
        details: ActionDetails,
    ) -> Result<Action, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = one_action(&mut tx, action_id.get()).await?;
        claim(
            &mut tx,
            "actions",
            "action",
            &before.details.reference,
            action_id,
            expected_version,
        )
        .await?;
        let ctx = plan_context(&mut tx, before.plan_id.get()).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "edit")?;
        let (parent, _) = item(&mut tx, before.item_id.get()).await?;
        check_placement(&mut tx, &ctx, &parent, &details, action_id.get()).await?;
        sqlx::query(
            "UPDATE actions SET reference = $1, title = $2, lead = $3, directorate = $4, target = $5, illustrative = $6, \
             updated_at = $7, reference_key = $8 WHERE id = $9",
        )
        .bind(details.reference.to_string())
        .bind(details.title.as_str())
        .bind(details.lead.as_str())
        .bind(details.directorate.as_ref().map(|t| t.to_string()))
        .bind(details.target.map(TargetDate::to_iso))
        .bind(flag(details.illustrative))
        .bind(now())
        .bind(details.reference.key())
        .bind(action_id.get())
        .execute(&mut *tx)
        .await
        .map_err(unique("action", &details.reference, "reference"))?;
        self.commit_action_change(tx, (ctx.body_id, actor, operation), &before)
            .await
    }

    /// Set action `action_id`'s measures of success to `measures`, in
    /// order: each with the id of the measure it replaces, or `None` for a
    /// new one; measures left out are removed (softly, their figures kept).
    /// `expected_version` is the action's version the change was based on.
    /// One audit event records the action's measures before and after.
    pub async fn set_measures(
        &self,
        actor: &str,
        action_id: domain::ActionId,
        expected_version: domain::Version,
        measures: &[(Option<domain::MeasureId>, Measure)],
    ) -> Result<Action, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = one_action(&mut tx, action_id.get()).await?;
        claim(
            &mut tx,
            "actions",
            "action",
            &before.details.reference,
            action_id,
            expected_version,
        )
        .await?;
        let ctx = plan_context(&mut tx, before.plan_id.get()).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "edit")?;
        let kept: Vec<domain::MeasureId> = measures.iter().filter_map(|(id, _)| *id).collect();
        for (id, _) in &before.measures {
            if !kept.contains(id) {
                sqlx::query("UPDATE measures SET deleted_at = $1 WHERE id = $2")
                    .bind(now())
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (position, (id, m)) in measures.iter().enumerate() {
            write_measure(
                &mut tx,
                action_id.get(),
                position,
                (*id).map(domain::MeasureId::get),
                m,
            )
            .await?;
        }
        self.commit_action_change(tx, (ctx.body_id, actor, operation), &before)
            .await
    }

    /// End a change to action `before`: read the action as it is now,
    /// record the change (with the amendment's reason, when amending) in
    /// body `body_id`'s audit trail, and commit.
    async fn commit_action_change(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        (body_id, actor, operation): (i64, &str, &'static str),
        before: &Action,
    ) -> Result<Action, StoreError> {
        let after = one_action(&mut tx, before.id.get()).await?;
        record(
            &mut tx,
            Change::between(
                Some(body_id),
                actor,
                "action",
                before.id.get(),
                operation,
                json(before),
                self.with_reason(json(&after)),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Delete an action (softly: it stays in the database and its audit trail).
    pub async fn delete_action(
        &self,
        actor: &str,
        action_id: domain::ActionId,
        expected_version: domain::Version,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = one_action(&mut tx, action_id.get()).await?;
        claim(
            &mut tx,
            "actions",
            "action",
            &before.details.reference,
            action_id,
            expected_version,
        )
        .await?;
        let ctx = plan_context(&mut tx, before.plan_id.get()).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "delete")?;
        sqlx::query("UPDATE actions SET deleted_at = $1 WHERE id = $2")
            .bind(now())
            .bind(action_id.get())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Change {
                body_id: Some(ctx.body_id),
                actor,
                entity: "action",
                entity_id: action_id.get(),
                operation,
                before: Some(json(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The action with id `id`.
    pub async fn action(&self, id: domain::ActionId) -> Result<Action, StoreError> {
        let mut conn = self.pool.acquire().await?;
        one_action(&mut conn, id.get()).await
    }

    /// The action of `plan_id` with `reference` (ignoring case and spaces).
    pub async fn action_by_ref(
        &self,
        plan_id: domain::PlanId,
        reference: &ActionRef,
    ) -> Result<Action, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM actions WHERE plan_id = $1 AND reference_key = $2 AND deleted_at IS NULL",
        )
        .bind(plan_id.get())
        .bind(reference.key())
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.action(domain::ActionId::new(id)).await,
            None => Err(StoreError::NotFound {
                entity: "action",
                key: reference.to_string(),
                hint: "; it is not in that plan (see `ambit plan show`)".into(),
            }),
        }
    }

    /// The previous year's actions that the actions of plan `plan_id`
    /// continue, by the continuing action's id: each one's reference and
    /// whether its plan is published. One read, however large the plan.
    pub async fn continued_actions(
        &self,
        plan_id: domain::PlanId,
    ) -> Result<HashMap<domain::ActionId, Continued>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, p.reference, pl.published_at FROM actions a \
             JOIN actions p ON p.id = a.continues_id JOIN plans pl ON pl.id = p.plan_id \
             WHERE a.plan_id = $1 AND a.deleted_at IS NULL AND p.deleted_at IS NULL AND pl.deleted_at IS NULL",
        )
        .bind(plan_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "action")?;
                Ok((
                    c.id(),
                    Continued {
                        reference: c.parse("reference", str::parse)?,
                        published: c.opt_string("published_at")?.is_some(),
                    },
                ))
            })
            .collect()
    }

    /// The action's life across plan years, oldest first: the actions it
    /// continues, itself, and those that continue it.
    pub async fn lineage(
        &self,
        action_id: domain::ActionId,
    ) -> Result<Vec<(Plan, Action)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let start = one_action(&mut conn, action_id.get()).await?;
        let mut chain = vec![start.clone()];
        let mut back = start.continues;
        while let Some(id) = back.filter(|_| chain.len() < 100) {
            let Ok(previous) = one_action(&mut conn, id.get()).await else {
                break;
            };
            back = previous.continues;
            chain.insert(0, previous);
        }
        let mut forward = start.id;
        while chain.len() < 100 {
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM actions WHERE continues_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1",
            )
            .bind(forward.get())
            .fetch_optional(&mut *conn)
            .await?;
            let Some(next) = next else { break };
            chain.push(one_action(&mut conn, next).await?);
            forward = domain::ActionId::new(next);
        }
        let mut out = Vec::with_capacity(chain.len());
        for action in chain {
            out.push((
                Self::plan_in(&mut conn, action.plan_id.get()).await?,
                action,
            ));
        }
        Ok(out)
    }

    /// The version of the data: it changes with every write, from any
    /// process, so whatever was worked out from the database is still
    /// right while it is the same. Every write appends an audit event in
    /// its transaction, and each audit event's insert moves the one-row
    /// `data_version` counter on (migration 0020), so the change is seen
    /// when the write commits, in whatever order concurrent writers commit.
    ///
    /// Requests asking at once share reads: a request waits for the read in
    /// progress to end, then takes the last answer if that read started
    /// after the request arrived (so it saw every write acknowledged
    /// before), or reads again itself. Each answer is as fresh as a read
    /// of its own would have been, in one read's time or two.
    pub async fn data_version(&self) -> Result<crate::DataVersion, StoreError> {
        use std::sync::atomic::Ordering;
        let reads = &self.versions;
        let arrived = reads.started.load(Ordering::SeqCst);
        let mut latest = reads.latest.lock().await;
        if let Some((read, version)) = *latest
            && read >= arrived
        {
            return Ok(version);
        }
        let read = reads.started.fetch_add(1, Ordering::SeqCst);
        let version: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let version = crate::DataVersion(version);
        *latest = Some((read, version));
        Ok(version)
    }

    /// Run `f` on the cache.
    fn with_cache<T>(&self, f: impl FnOnce(&mut crate::TreeCache) -> T) -> T {
        let mut cache = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut cache)
    }

    /// Where the data of the body that plan `plan_id` (or, with a slug,
    /// the body itself) belongs to stands, with the body's id; `None` when
    /// there is no such plan or body. Everything kept of that body from
    /// before a change it shows is dropped from the cache here, so that
    /// memory holds no stale plan for long.
    async fn body_stamp(
        &self,
        of: StampOf<'_>,
    ) -> Result<Option<(i64, crate::BodyStamp)>, StoreError> {
        let body = match of {
            StampOf::Plan(_) => {
                "SELECT po.body_id FROM plans p JOIN portfolios po ON po.id = p.portfolio_id \
                 WHERE p.id = $1"
            }
            StampOf::Body(_) => "SELECT id FROM bodies WHERE slug = $1",
        };
        let sql = format!(
            "SELECT d.id, d.shared, ({body}) AS body_id, COALESCE(v.version, 0) AS body \
             FROM data_version d \
             LEFT JOIN body_data_versions v ON v.body_id = ({body}) \
             WHERE d.id = 1 AND EXISTS ({body})"
        );
        let query = sqlx::query(&sql);
        let query = match of {
            StampOf::Plan(plan_id) => query.bind(plan_id),
            StampOf::Body(slug) => query.bind(slug),
        };
        let Some(row) = query.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let c = Cols::new(&row, "data version")?;
        let body_id = c.i64("body_id")?;
        let stamp = crate::BodyStamp {
            shared: c.i64("shared")?,
            body: c.i64("body")?,
        };
        self.with_cache(|c| {
            c.trees.retain(|_, k| k.fresh(body_id, stamp));
            c.views.retain(|_, k| k.fresh(body_id, stamp));
        });
        Ok(Some((body_id, stamp)))
    }

    /// The whole plan: items, actions with measures, and all updates.
    /// Served from memory while nothing its body shows has been written
    /// since it was read (writes in other bodies leave it be).
    pub async fn plan_tree(
        &self,
        plan_id: domain::PlanId,
    ) -> Result<std::sync::Arc<PlanTree>, StoreError> {
        let id = plan_id.get();
        let now = self.data_version().await?;
        let stamp = match self
            .kept(now, StampOf::Plan(id), |c| c.trees.get_mut(&id))
            .await?
        {
            Ok(tree) => return Ok(tree),
            Err(stamp) => stamp,
        };
        let tree = std::sync::Arc::new(self.read_plan_tree(id).await?);
        if let Some((body_id, body)) = stamp {
            self.with_cache(|c| {
                c.trees
                    .insert(id, crate::Kept::new(tree.clone(), now, body_id, body));
                c.keep_within(KEPT_ROWS);
            });
        }
        Ok(tree)
    }

    /// The plan of body `slug`'s portfolio `code` for `year`, with its body
    /// and portfolio: what a plan page needs, in one read when unchanged
    /// (kept as [`Store::plan_tree`] keeps a plan, and sharing its tree).
    pub async fn plan_view(
        &self,
        slug: &domain::Slug,
        code: &domain::PortfolioCode,
        year: FinancialYear,
    ) -> Result<std::sync::Arc<crate::PlanView>, StoreError> {
        let key = (slug.to_string(), code.to_string(), year.start_year());
        let now = self.data_version().await?;
        let stamp = match self
            .kept(now, StampOf::Body(slug.as_str()), |c| c.views.get_mut(&key))
            .await?
        {
            Ok(view) => return Ok(view),
            Err(stamp) => stamp,
        };
        let body = self.body(slug).await?;
        let portfolio = self.portfolio(Some(body.id), code).await?;
        let plan = self.plan(portfolio.id, year).await?;
        let id = plan.id.get();
        let kept = stamp.and_then(|(body_id, body)| {
            self.with_cache(|c| {
                c.trees
                    .get(&id)
                    .filter(|k| k.fresh(body_id, body))
                    .map(|k| k.value.clone())
            })
        });
        let tree = match kept {
            Some(tree) => tree,
            None => std::sync::Arc::new(self.read_plan_tree(id).await?),
        };
        let view = std::sync::Arc::new(crate::PlanView {
            body,
            portfolio,
            tree: tree.clone(),
        });
        if let Some((body_id, body)) = stamp {
            self.with_cache(|c| {
                c.trees
                    .insert(id, crate::Kept::new(tree, now, body_id, body));
                c.views
                    .insert(key, crate::Kept::new(view.clone(), now, body_id, body));
                c.keep_within(KEPT_ROWS);
            });
        }
        Ok(view)
    }

    /// What `pick` finds kept for the data's version `now`; or, when the
    /// data has moved, still right because the body's stamp (read for `of`)
    /// has not (stale entries are dropped by `body_stamp`). Otherwise the
    /// stamp under which a fresh read may be kept (none when the body is
    /// unknown).
    async fn kept<T>(
        &self,
        now: crate::DataVersion,
        of: StampOf<'_>,
        pick: impl Fn(&mut crate::TreeCache) -> Option<&mut crate::Kept<T>>,
    ) -> Result<Result<std::sync::Arc<T>, Option<(i64, crate::BodyStamp)>>, StoreError> {
        if let Some(value) = self.with_cache(|c| pick(c).and_then(|k| k.at(now))) {
            return Ok(Ok(value));
        }
        let stamp = self.body_stamp(of).await?;
        if let Some((body_id, body)) = stamp
            && let Some(value) =
                self.with_cache(|c| pick(c).and_then(|k| k.confirm(body_id, body, now)))
        {
            return Ok(Ok(value));
        }
        Ok(Err(stamp))
    }

    async fn read_plan_tree(&self, plan_id: i64) -> Result<PlanTree, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let plan = Self::plan_in(&mut conn, plan_id).await?;
        let items = sqlx::query(
            "SELECT * FROM plan_items WHERE plan_id = $1 AND deleted_at IS NULL ORDER BY depth, position, id",
        )
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(item_from)
        .collect::<Result<_, _>>()?;
        let actions = load_actions(&mut conn, "a.plan_id = $1", plan_id).await?;
        let updates = crate::updates::load_updates(&mut conn, "a.plan_id = $1", plan_id).await?;
        Ok(PlanTree::new(plan, items, actions, updates))
    }

    /// The indicator of `action` named `name` (ignoring case), for matching figures by name.
    pub fn measure_named<'a>(
        action: &'a Action,
        name: &str,
    ) -> Option<&'a (domain::MeasureId, Measure)> {
        action
            .measures
            .iter()
            .find(|(_, m)| matches!(m, Measure::Indicator(i) if i.name.eq_ignore_ascii_case(name)))
    }
}

/// The ids of `action_id`'s numeric measures.
pub(crate) async fn indicator_ids(
    conn: &mut AnyConnection,
    action_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM measures WHERE action_id = $1 AND kind = 'indicator' AND deleted_at IS NULL")
        .bind(action_id)
        .fetch_all(conn)
        .await?)
}

impl Store {
    /// Change a plan item's reference and wording. In the statement and
    /// dotted schemes an item's actions (and, dotted, the items under it)
    /// carry its reference in theirs, so changing the reference of an item
    /// that has any is refused; the reference must fit the item above.
    pub async fn edit_item(
        &self,
        actor: &str,
        item_id: domain::PlanItemId,
        expected_version: domain::Version,
        reference: Option<ItemRef>,
        title: Title,
    ) -> Result<PlanItem, StoreError> {
        let mut tx = self.begin_write().await?;
        let (before, plan_id) = item(&mut tx, item_id.get()).await?;
        claim(
            &mut tx,
            "plan_items",
            "plan item",
            &before.title,
            item_id,
            expected_version,
        )
        .await?;
        let ctx = plan_context(&mut tx, plan_id).await?;
        let operation = self.tree_change(ctx.status, ctx.year, "edit")?;
        let changed = match (&reference, &before.reference) {
            (Some(a), Some(b)) => a.as_str() != b.as_str(),
            (a, b) => a.is_some() != b.is_some(),
        };
        if changed {
            if let Some(r) = &reference {
                let parent_ref = match before.parent_id {
                    Some(parent) => item(&mut tx, parent.get()).await?.0.reference,
                    None => None,
                };
                ctx.scheme.check_item(r, parent_ref.as_ref())?;
            }
            let mut refs: Vec<String> = if ctx.scheme == ReferenceScheme::Free {
                vec![]
            } else {
                sqlx::query_scalar(
                    "SELECT reference FROM actions WHERE item_id = $1 AND deleted_at IS NULL \
                     UNION ALL SELECT reference FROM plan_items WHERE parent_id = $2 AND reference IS NOT NULL AND deleted_at IS NULL",
                )
                .bind(item_id.get())
                .bind(item_id.get())
                .fetch_all(&mut *tx)
                .await?
            };
            refs.sort_by(|a, b| {
                let key = |s: &str| s.parse::<ActionRef>().ok();
                key(a).cmp(&key(b))
            });
            if !refs.is_empty() {
                return Err(StoreError::Invalid(ParseError::new(
                    "reference",
                    reference.map(|n| n.to_string()).unwrap_or_default(),
                    format!(
                        "the same reference while {} carry it; change their references first",
                        refs.join(", ")
                    ),
                )));
            }
        }
        sqlx::query(
            "UPDATE plan_items SET reference = $1, title = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(reference.as_ref().map(ToString::to_string))
        .bind(title.as_str())
        .bind(now())
        .bind(item_id.get())
        .execute(&mut *tx)
        .await?;
        let (after, _) = item(&mut tx, item_id.get()).await?;
        record(
            &mut tx,
            Change::between(
                Some(ctx.body_id),
                actor,
                "plan item",
                item_id.get(),
                operation,
                json(&before),
                self.with_reason(json(&after)),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The plan item with id `id` and the id of its plan.
    pub async fn plan_item(
        &self,
        id: domain::PlanItemId,
    ) -> Result<(PlanItem, domain::PlanId), StoreError> {
        let mut conn = self.pool.acquire().await?;
        item(&mut conn, id.get())
            .await
            .map(|(item, plan)| (item, domain::PlanId::new(plan)))
    }
}
