//! Importing a whole plan (items, actions with measures, updates) in one
//! transaction, matching what is already there by reference so that a
//! re-import changes nothing and a corrected file changes in place.
//!
//! Everything is read inside the write transaction and every edit claims
//! the version it read (`rows::claim`), so a record changed by someone else
//! meanwhile refuses the import. Any error rolls everything back; a dry
//! run rolls back at the end and returns the same [`ImportDiff`].

use std::collections::HashMap;

use domain::{
    Action, ActionDetails, ImportAlignment, ImportSetup, ItemRef, LevelNames, Measure,
    MeasureActual, ParseError, Plan, PlanImport, PlanItem, PlanState, PlanStatus, PortfolioCode,
    ReferenceScheme, ReportingPeriod, Slug, TargetDate, Title, Update, UpdateInput, UpdateState,
};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::Change;
use crate::bulk::Bulk;
use crate::plans::{insert_measures, item_from, load_actions};
use crate::rows::{Cols, claim, flag, json, now, unique};
use crate::updates::{PlanOf, Recording, load_updates};
use crate::{Store, StoreError};

/// Where an import goes.
#[derive(Debug, Clone, Copy)]
pub struct ImportTarget<'a> {
    /// The body.
    pub body: &'a Slug,
    /// The portfolio.
    pub portfolio: &'a PortfolioCode,
    /// The plan's year.
    pub year: domain::FinancialYear,
    /// What to create when the body, strategy or portfolio is missing
    /// (from an export's About part).
    pub setup: Option<&'a ImportSetup>,
}

/// How many records of one kind an import created, changed and left alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// New records.
    pub created: usize,
    /// Records changed in place.
    pub changed: usize,
    /// Records already as the file has them.
    pub unchanged: usize,
}

/// One record an import created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportChange {
    /// "plan item", "action", "update", or what was set up ("body", …).
    pub entity: &'static str,
    /// Which: a reference, "10A in 2022/23 H1", a title.
    pub key: String,
    /// "create", "edit", "amend" or "correct".
    pub operation: &'static str,
    /// The fields that changed (empty for a creation).
    pub fields: Vec<&'static str>,
}

/// Something the file says of the plan itself (its status, approval,
/// publication or alignments) that differs from the plan already there. An
/// import never changes these on an existing plan: it reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDifference {
    /// "status", "approved on", "publication" or "aligned with".
    pub field: &'static str,
    /// What the file says.
    pub file: String,
    /// What the plan has, and keeps.
    pub plan: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportDiff {
    /// The plan's items.
    pub items: ImportCounts,
    /// The actions.
    pub actions: ImportCounts,
    /// The updates.
    pub updates: ImportCounts,
    /// Every creation and change, in the order made.
    pub changes: Vec<ImportChange>,
    /// Previous-year references that could not be linked (no such action
    /// in the portfolio's previous plan), as "action → reference".
    pub unlinked: Vec<String>,
    /// What the file says of the plan itself that differs from the plan
    /// already there, left as the plan has it (empty when the import
    /// created the plan, which then takes the file's).
    pub plan_differences: Vec<PlanDifference>,
    /// Whether nothing was kept (a dry run).
    pub dry_run: bool,
}

impl ImportDiff {
    /// Whether the import created or changed anything.
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty()
    }
}

/// An import's diff as it is made, with its audit events, which are
/// written together at the end of the transaction (a few statements for
/// thousands of events) in the order made.
struct Work {
    out: ImportDiff,
    audit: Vec<AuditRow>,
}

/// One audit event: body, actor, time, entity, id, operation, before, after.
type AuditRow = (
    Option<i64>,
    String,
    String,
    &'static str,
    i64,
    &'static str,
    Option<String>,
    Option<String>,
);

impl std::ops::Deref for Work {
    type Target = ImportDiff;
    fn deref(&self) -> &ImportDiff {
        &self.out
    }
}

impl std::ops::DerefMut for Work {
    fn deref_mut(&mut self) -> &mut ImportDiff {
        &mut self.out
    }
}

impl Work {
    /// A change in place: keep its audit event and list it among the
    /// import's changes, under `key`, with the `fields` that changed.
    fn changed(&mut self, change: Change<'_>, key: String, fields: Vec<&'static str>) {
        self.changes.push(ImportChange {
            entity: change.entity,
            key,
            operation: change.operation,
            fields,
        });
        self.audit(change);
    }

    /// Keep the audit event of `entity_id`'s creation by `operation`, with
    /// `record` (see [`created_text`]), for the end of the import.
    #[allow(clippy::too_many_arguments)]
    fn created<T: Serialize>(
        &mut self,
        body_id: i64,
        actor: &str,
        entity: &'static str,
        entity_id: i64,
        operation: &'static str,
        record: &T,
        reason: &str,
        at: &str,
    ) {
        self.audit.push((
            Some(body_id),
            actor.to_owned(),
            at.to_owned(),
            entity,
            entity_id,
            operation,
            None,
            Some(created_text(record, reason)),
        ));
    }

    /// Keep `change`'s audit event, stamped now, for the end of the import.
    fn audit(&mut self, change: Change<'_>) {
        let text = |v: Option<serde_json::Value>| v.map(|v| v.to_string());
        self.audit.push((
            change.body_id,
            change.actor.to_owned(),
            now(),
            change.entity,
            change.entity_id,
            change.operation,
            text(change.before),
            text(change.after),
        ));
    }
}

/// `record` as JSON text with the file's name added as its `reason`,
/// written straight to text: an import of thousands of records audits each
/// creation, and building a `serde_json::Value` first costs as much again.
pub(crate) fn created_text<T: Serialize>(record: &T, reason: &str) -> String {
    let mut text = serde_json::to_string(record).unwrap_or_else(|_| "null".into());
    let reason = serde_json::Value::String(reason.into()).to_string();
    match text.pop() {
        Some('}') if text.len() > 1 => text.push_str(&format!(",\"reason\":{reason}}}")),
        Some('}') => text.push_str(&format!("\"reason\":{reason}}}")),
        Some(last) => text.push(last),
        None => {}
    }
    text
}

/// Append `rows` to the audit trail, many to a statement.
async fn flush_audit(
    conn: &mut AnyConnection,
    bulk: Bulk,
    rows: Vec<AuditRow>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(bulk.rows_per(8)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk.iter().map(|_| format!("({})", p.list(8))).collect();
        let sql = format!(
            "INSERT INTO audit_events (body_id, actor, at, entity, entity_id, operation, before, after) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (body, actor, at, entity, id, op, before, after) in chunk {
            q = q
                .bind(*body)
                .bind(actor.as_str())
                .bind(at.as_str())
                .bind(*entity)
                .bind(*id)
                .bind(*op)
                .bind(before.clone())
                .bind(after.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The audit `after` value of an import's change: `after` with the file's
/// name as the reason.
fn with_file(mut after: serde_json::Value, reason: &str) -> serde_json::Value {
    if let Some(map) = after.as_object_mut() {
        map.insert("reason".into(), serde_json::Value::String(reason.into()));
    }
    after
}

fn invalid(
    field: &'static str,
    value: impl Into<String>,
    expected: impl Into<String>,
) -> StoreError {
    StoreError::Invalid(ParseError::new(field, value, expected))
}

/// The body, plan and tree an import works on.
struct Ctx {
    body_id: i64,
    scheme: ReferenceScheme,
    levels: LevelNames,
    plan: PlanOf,
    operation_edit: &'static str,
    operation_create: &'static str,
    /// How the engine takes many rows at once.
    bulk: Bulk,
    /// Mark every record created illustrative.
    illustrative: bool,
}

impl Ctx {
    /// The audit operation for a change to the tree (`edit` or `create`),
    /// or the refusal of a superseded plan.
    fn tree_op(&self, create: bool) -> Result<&'static str, StoreError> {
        if self.plan.status == PlanStatus::Superseded {
            return Err(StoreError::PlanState {
                year: self.plan.year.to_string(),
                state: "superseded",
                hint: "a superseded plan is the record of its year and does not change",
            });
        }
        Ok(if create {
            self.operation_create
        } else {
            self.operation_edit
        })
    }
}

impl Store {
    /// Import `plan` into `target`'s plan as `actor`, with `reason` (the
    /// file's name) on every audit event, in one transaction. Creates the
    /// body, strategy, ambitions, portfolio, committee and plan when
    /// missing (the first four from `target.setup`); creates or updates
    /// items, actions (with measures) and updates in place, matched by
    /// reference; leaves alone what is already as the file has it.
    ///
    /// Updates follow the body's rules ([`Store::recording`]): outside the
    /// cycle they are recorded as reported (signed off); a signed-off
    /// update that differs is corrected, with `reason`. On an approved plan
    /// a change to the tree is an amendment with `reason`; a superseded
    /// plan is refused. With `dry_run` nothing is kept.
    ///
    /// A plan the import creates takes the file's state and alignments
    /// (`plan.state`, `plan.alignments`; the tree and updates are written
    /// first as into a draft, so a superseded plan's record comes in
    /// whole); a plan already there keeps its own, and where the file says
    /// otherwise the diff lists it ([`ImportDiff::plan_differences`]).
    pub async fn import_plan(
        &self,
        actor: &str,
        target: ImportTarget<'_>,
        plan: &PlanImport,
        reason: &str,
        dry_run: bool,
    ) -> Result<ImportDiff, StoreError> {
        let mut tx = self.begin_write().await?;
        let diff = self
            .import_in(&mut tx, actor, target, plan, reason, dry_run)
            .await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(diff)
    }

    /// The work of [`Store::import_plan`] inside the caller's write
    /// transaction `tx`, which the caller commits or rolls back.
    pub(crate) async fn import_in(
        &self,
        tx: &mut AnyConnection,
        actor: &str,
        target: ImportTarget<'_>,
        plan: &PlanImport,
        reason: &str,
        dry_run: bool,
    ) -> Result<ImportDiff, StoreError> {
        if reason.trim().is_empty() {
            return Err(invalid("reason", "", "the imported file's name"));
        }
        let mut diff = Work {
            out: ImportDiff {
                dry_run,
                ..ImportDiff::default()
            },
            audit: Vec::new(),
        };
        let ctx = setup(
            &mut *tx,
            Bulk::new(self.engine),
            actor,
            target,
            plan,
            reason,
            &mut diff,
        )
        .await?;
        let item_ids = import_items(&mut *tx, actor, &ctx, plan, reason, &mut diff).await?;
        let actions = import_actions(
            &mut *tx, actor, &ctx, plan, &item_ids, target, reason, &mut diff,
        )
        .await?;
        self.import_updates(&mut *tx, actor, &ctx, plan, &actions, reason, &mut diff)
            .await?;
        flush_audit(&mut *tx, ctx.bulk, std::mem::take(&mut diff.audit)).await?;
        Ok(diff.out)
    }
}

/// Find (or create from `target.setup`) the body, strategy, portfolio and
/// plan (with `import`'s state and alignments when it is created).
async fn setup(
    conn: &mut AnyConnection,
    bulk: Bulk,
    actor: &str,
    target: ImportTarget<'_>,
    import: &PlanImport,
    reason: &str,
    diff: &mut Work,
) -> Result<Ctx, StoreError> {
    let setup = target
        .setup
        .filter(|s| &s.body_slug == target.body && &s.portfolio_code == target.portfolio);
    let t = now();
    let row = sqlx::query(
        "SELECT id, level_names, reference_scheme FROM bodies WHERE slug = $1 AND deleted_at IS NULL",
    )
    .bind(target.body.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let (body_id, levels, scheme) = match row {
        Some(row) => {
            let c = Cols::new(&row, "body")?;
            let levels = c.parse("level_names", |s| {
                serde_json::from_str::<Vec<String>>(s)
                    .map_err(|_| ParseError::new("level names", s, "a JSON list"))
                    .and_then(|v| LevelNames::new(&v))
            })?;
            (c.id(), levels, c.parse("reference_scheme", str::parse)?)
        }
        None => {
            let Some(s) = setup else {
                return Err(StoreError::NotFound {
                    entity: "body",
                    key: target.body.to_string(),
                    hint: "; import an export (which describes its body) or create the body first"
                        .into(),
                });
            };
            let names: Vec<String> = s.level_names.clone().into();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO bodies (slug, name, level_names, rag_mapping, reference_scheme, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(s.body_slug.as_str())
            .bind(s.body_name.as_str())
            .bind(serde_json::to_string(&names).expect("strings serialise"))
            .bind(serde_json::to_string(&s.rag).expect("mapping serialises"))
            .bind(s.reference_scheme.as_str())
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *conn)
            .await
            .map_err(unique("body", &s.body_slug, "slug"))?;
            let body = domain::Body {
                id: domain::BodyId::new(id),
                slug: s.body_slug.clone(),
                name: s.body_name.clone(),
                level_names: s.level_names.clone(),
                rag: s.rag.clone(),
                reference_scheme: s.reference_scheme,
                version: domain::Version::FIRST,
            };
            diff.audit(Change::create(
                Some(id),
                actor,
                "body",
                id,
                with_file(json(&body), reason),
            ));
            diff.changes.push(ImportChange {
                entity: "body",
                key: s.body_slug.to_string(),
                operation: "create",
                fields: vec![],
            });
            (id, s.level_names.clone(), s.reference_scheme)
        }
    };
    let strategy: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM strategies WHERE body_id = $1 AND deleted_at IS NULL ORDER BY last_year DESC, id DESC LIMIT 1",
    )
    .bind(body_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let (None, Some(st)) = (strategy, setup.and_then(|s| s.strategy.as_ref())) {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO strategies (body_id, title, first_year, last_year, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id)
        .bind(st.title.as_str())
        .bind(i64::from(st.years.first))
        .bind(i64::from(st.years.last))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *conn)
        .await?;
        let strategy = domain::Strategy {
            id: domain::StrategyId::new(id),
            title: st.title.clone(),
            years: st.years,
            ambitions: vec![],
            version: domain::Version::FIRST,
        };
        diff.audit(Change::create(
            Some(body_id),
            actor,
            "strategy",
            id,
            with_file(json(&strategy), reason),
        ));
        diff.changes.push(ImportChange {
            entity: "strategy",
            key: st.title.to_string(),
            operation: "create",
            fields: vec![],
        });
        for (number, title) in &st.ambitions {
            insert_ambition(
                conn,
                actor,
                body_id,
                id,
                (*number, title),
                import.illustrative,
                reason,
                diff,
            )
            .await?;
            diff.changes.push(ImportChange {
                entity: "ambition",
                key: number.to_string(),
                operation: "create",
                fields: vec![],
            });
        }
    }
    let portfolio: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM portfolios WHERE body_id = $1 AND code = $2 AND deleted_at IS NULL",
    )
    .bind(body_id)
    .bind(target.portfolio.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let portfolio_id = match (portfolio, setup) {
        (Some(id), _) => id,
        (None, None) => {
            return Err(StoreError::NotFound {
                entity: "portfolio",
                key: target.portfolio.to_string(),
                hint: format!(
                    "; body {} has no such portfolio (import an export, which describes it, or create it first)",
                    target.body
                ),
            });
        }
        (None, Some(s)) => {
            let committee_id = match &s.committee {
                None => None,
                Some(name) => {
                    Some(find_or_create_committee(conn, actor, body_id, name, reason, diff).await?)
                }
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO portfolios (body_id, code, name, committee_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(body_id)
            .bind(s.portfolio_code.as_str())
            .bind(s.portfolio_name.as_str())
            .bind(committee_id)
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *conn)
            .await
            .map_err(unique("portfolio", &s.portfolio_code, "code"))?;
            let after = serde_json::json!({
                "id": id, "body_id": body_id, "code": s.portfolio_code, "name": s.portfolio_name,
                "committee": s.committee, "version": 1,
            });
            diff.audit(Change::create(
                Some(body_id),
                actor,
                "portfolio",
                id,
                with_file(after, reason),
            ));
            diff.changes.push(ImportChange {
                entity: "portfolio",
                key: s.portfolio_code.to_string(),
                operation: "create",
                fields: vec![],
            });
            id
        }
    };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM plans WHERE portfolio_id = $1 AND year = $2 AND deleted_at IS NULL",
    )
    .bind(portfolio_id)
    .bind(i64::from(target.year.start_year()))
    .fetch_optional(&mut *conn)
    .await?;
    let (plan_id, status) = match found {
        Some(id) => {
            let plan = Store::plan_in(conn, id).await?;
            diff.plan_differences = plan_differences(&plan, import);
            (id, plan.status)
        }
        None => {
            let state = import.state.as_ref();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (portfolio_id, year, status, approved_on, published_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(portfolio_id)
            .bind(i64::from(target.year.start_year()))
            .bind(state.map_or(PlanStatus::Draft, |s| s.status).as_str())
            .bind(state.and_then(|s| s.approved_on).map(|d| d.to_string()))
            .bind(
                state
                    .and_then(|s| s.published_at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
            )
            .bind(&t)
            .bind(&t)
            .fetch_one(&mut *conn)
            .await
            .map_err(unique("plan", target.year, "year"))?;
            let alignments = import.alignments.as_deref().unwrap_or_default();
            let mut linked = std::collections::HashSet::new();
            for a in alignments {
                let alignment =
                    find_or_create_alignment(conn, actor, body_id, a, reason, diff).await?;
                if linked.insert(alignment) {
                    sqlx::query(
                        "INSERT INTO plan_alignments (plan_id, alignment_id) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(alignment)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            let plan = Store::plan_in(conn, id).await?;
            diff.audit(Change::create(
                Some(body_id),
                actor,
                "plan",
                id,
                with_file(json(&plan), reason),
            ));
            diff.changes.push(ImportChange {
                entity: "plan",
                key: format!("{} {}", target.portfolio, target.year),
                operation: "create",
                fields: vec![],
            });
            // The new plan's tree and updates are written as into a draft,
            // whatever state it was created with: its record comes in whole.
            (id, PlanStatus::Draft)
        }
    };
    // An import is explicit and names its file: on an approved plan its
    // changes to the tree are amendments with the file's name as reason.
    // A superseded plan refuses them (when there is one to make).
    let (operation_create, operation_edit) = match status {
        PlanStatus::Draft => ("create", "edit"),
        PlanStatus::Approved => ("amend", "amend"),
        PlanStatus::Superseded => ("", ""),
    };
    Ok(Ctx {
        body_id,
        scheme,
        bulk,
        levels,
        plan: PlanOf {
            reference: String::new(),
            id: plan_id,
            year: target.year,
            status,
            body_id,
        },
        operation_edit,
        operation_create,
        illustrative: import.illustrative,
    })
}

/// What `import` says of the plan itself that differs from `plan`.
fn plan_differences(plan: &Plan, import: &PlanImport) -> Vec<PlanDifference> {
    let mut out = Vec::new();
    let mut differ = |field: &'static str, file: String, plan: String| {
        if file != plan {
            out.push(PlanDifference { field, file, plan });
        }
    };
    if let Some(PlanState {
        status,
        approved_on,
        published_at,
    }) = &import.state
    {
        let day =
            |d: Option<chrono::NaiveDate>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
        let published = |p: bool| if p { "published" } else { "not published" }.to_owned();
        differ("status", status.to_string(), plan.status.to_string());
        differ("approved on", day(*approved_on), day(plan.approved_on));
        differ(
            "publication",
            published(published_at.is_some()),
            published(plan.published_at.is_some()),
        );
    }
    if let Some(alignments) = &import.alignments {
        let names = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join("; ")
            }
        };
        differ(
            "aligned with",
            names(alignments.iter().map(|a| a.name.to_string()).collect()),
            names(plan.alignments.iter().map(|a| a.name.to_string()).collect()),
        );
    }
    out
}

/// The body's alignment named as `a`, or a new one.
async fn find_or_create_alignment(
    conn: &mut AnyConnection,
    actor: &str,
    body_id: i64,
    a: &ImportAlignment,
    reason: &str,
    diff: &mut Work,
) -> Result<i64, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM alignments WHERE body_id = $1 AND name = $2 AND deleted_at IS NULL",
    )
    .bind(body_id)
    .bind(a.name.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let url = a
        .url
        .as_deref()
        .map(domain::Alignment::parse_url)
        .transpose()?;
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alignments (body_id, name, kind, url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(body_id)
    .bind(a.name.as_str())
    .bind(a.kind.as_str())
    .bind(url.clone())
    .bind(&t)
    .bind(&t)
    .fetch_one(&mut *conn)
    .await
    .map_err(unique("alignment", &a.name, "name"))?;
    let alignment = domain::Alignment {
        id: domain::AlignmentId::new(id),
        name: a.name.clone(),
        kind: a.kind,
        url,
    };
    diff.audit(Change::create(
        Some(body_id),
        actor,
        "alignment",
        id,
        with_file(json(&alignment), reason),
    ));
    diff.changes.push(ImportChange {
        entity: "alignment",
        key: a.name.to_string(),
        operation: "create",
        fields: vec![],
    });
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_ambition(
    conn: &mut AnyConnection,
    actor: &str,
    body_id: i64,
    strategy_id: i64,
    (number, title): (u16, &Title),
    illustrative: bool,
    reason: &str,
    diff: &mut Work,
) -> Result<i64, StoreError> {
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ambitions (strategy_id, number, title, illustrative, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(strategy_id)
    .bind(i64::from(number))
    .bind(title.as_str())
    .bind(flag(illustrative))
    .bind(&t)
    .bind(&t)
    .fetch_one(&mut *conn)
    .await
    .map_err(unique("ambition", number, "number"))?;
    let ambition = domain::Ambition {
        id: domain::AmbitionId::new(id),
        number,
        title: title.clone(),
        illustrative,
    };
    diff.audit(Change::create(
        Some(body_id),
        actor,
        "ambition",
        id,
        with_file(json(&ambition), reason),
    ));
    Ok(id)
}

async fn find_or_create_committee(
    conn: &mut AnyConnection,
    actor: &str,
    body_id: i64,
    name: &Title,
    reason: &str,
    diff: &mut Work,
) -> Result<i64, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM committees WHERE body_id = $1 AND name = $2 AND deleted_at IS NULL",
    )
    .bind(body_id)
    .bind(name.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO committees (body_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(body_id)
    .bind(name.as_str())
    .bind(&t)
    .bind(&t)
    .fetch_one(&mut *conn)
    .await
    .map_err(unique("committee", name, "name"))?;
    let after = serde_json::json!({ "id": id, "body_id": body_id, "name": name, "clerk": "", "version": 1 });
    diff.audit(Change::create(
        Some(body_id),
        actor,
        "committee",
        id,
        with_file(after, reason),
    ));
    diff.changes.push(ImportChange {
        entity: "committee",
        key: name.to_string(),
        operation: "create",
        fields: vec![],
    });
    Ok(id)
}

/// The plan's items as the file has them: each one's id, created or found.
async fn import_items(
    conn: &mut AnyConnection,
    actor: &str,
    ctx: &Ctx,
    plan: &PlanImport,
    reason: &str,
    diff: &mut Work,
) -> Result<Vec<(i64, Option<ItemRef>, usize)>, StoreError> {
    let mut existing: Vec<PlanItem> = sqlx::query(
        "SELECT * FROM plan_items WHERE plan_id = $1 AND deleted_at IS NULL ORDER BY depth, position, id",
    )
    .bind(ctx.plan.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(item_from)
    .collect::<Result<_, _>>()?;
    let mut positions: HashMap<(Option<i64>, usize), i64> = HashMap::new();
    for i in &existing {
        *positions
            .entry((i.parent_id.map(domain::PlanItemId::get), i.depth))
            .or_default() += 1;
    }
    let mut ambitions: Option<Vec<(i64, u16, String)>> = None;
    let mut out: Vec<(i64, Option<ItemRef>, usize)> = Vec::with_capacity(plan.items.len());
    for (index, new) in plan.items.iter().enumerate() {
        let parent = match new.parent {
            Some(p) if p < index => Some(&out[p]),
            Some(p) => {
                return Err(invalid(
                    "parent",
                    p.to_string(),
                    "an item listed before its children",
                ));
            }
            None => None,
        };
        let depth = parent.map_or(0, |p| p.2 + 1);
        if depth != new.depth || depth >= ctx.levels.item_depths() {
            return Err(invalid(
                "item",
                new.title.to_string(),
                format!(
                    "an item above the {} level, under an item of the level above",
                    ctx.levels.action()
                ),
            ));
        }
        let parent_id = parent.map(|p| p.0);
        let parent_ref = parent.and_then(|p| p.1.clone());
        let found = existing.iter().position(|e| {
            e.depth == depth
                && match (&new.reference, &e.reference) {
                    (Some(a), Some(b)) => a.key() == b.key(),
                    (None, None) => {
                        e.parent_id == parent_id.map(domain::PlanItemId::new)
                            && e.title == new.title
                    }
                    _ => false,
                }
        });
        let label = new
            .reference
            .as_ref()
            .map_or_else(|| new.title.to_string(), ToString::to_string);
        if let Some(reference) = &new.reference {
            ctx.scheme.check_item(reference, parent_ref.as_ref())?;
        }
        match found {
            Some(at) => {
                let before = existing.swap_remove(at);
                let mut fields = vec![];
                if before.title != new.title {
                    fields.push("title");
                }
                if before.reference.as_ref().map(ItemRef::as_str)
                    != new.reference.as_ref().map(ItemRef::as_str)
                {
                    fields.push("reference");
                }
                if before.parent_id != parent_id.map(domain::PlanItemId::new) {
                    fields.push("parent");
                }
                if fields.is_empty() {
                    diff.items.unchanged += 1;
                } else {
                    claim(
                        conn,
                        "plan_items",
                        "plan item",
                        &before.title,
                        before.id,
                        before.version,
                    )
                    .await?;
                    sqlx::query("UPDATE plan_items SET reference = $1, title = $2, parent_id = $3, updated_at = $4 WHERE id = $5")
                        .bind(new.reference.as_ref().map(ToString::to_string))
                        .bind(new.title.as_str())
                        .bind(parent_id)
                        .bind(now())
                        .bind(before.id.get())
                        .execute(&mut *conn)
                        .await?;
                    let after = PlanItem {
                        parent_id: parent_id.map(domain::PlanItemId::new),
                        reference: new.reference.clone(),
                        title: new.title.clone(),
                        version: before.version.next(),
                        ..before.clone()
                    };
                    diff.items.changed += 1;
                    diff.changed(
                        Change::between(
                            Some(ctx.body_id),
                            actor,
                            "plan item",
                            before.id.get(),
                            ctx.tree_op(false)?,
                            json(&before),
                            with_file(json(&after), reason),
                        ),
                        label,
                        fields,
                    );
                }
                out.push((before.id.get(), new.reference.clone(), depth));
            }
            None => {
                let ambition_id = if depth == 0 {
                    if ambitions.is_none() {
                        ambitions = Some(load_ambitions(conn, ctx.body_id).await?);
                    }
                    let list = ambitions.as_mut().expect("loaded");
                    Some(
                        ambition_for(
                            conn,
                            actor,
                            ctx.body_id,
                            list,
                            new.reference.as_ref(),
                            &new.title,
                            ctx.illustrative,
                            reason,
                            diff,
                        )
                        .await?,
                    )
                } else {
                    None
                };
                let position = positions.entry((parent_id, depth)).or_default();
                *position += 1;
                let t = now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO plan_items (plan_id, parent_id, depth, ambition_id, reference, title, position, illustrative, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(ctx.plan.id)
                .bind(parent_id)
                .bind(depth as i64)
                .bind(ambition_id)
                .bind(new.reference.as_ref().map(ToString::to_string))
                .bind(new.title.as_str())
                .bind(*position)
                .bind(flag(ctx.illustrative))
                .bind(&t)
                .bind(&t)
                .fetch_one(&mut *conn)
                .await?;
                let created = PlanItem {
                    id: domain::PlanItemId::new(id),
                    parent_id: parent_id.map(domain::PlanItemId::new),
                    depth,
                    ambition_id: ambition_id.map(domain::AmbitionId::new),
                    reference: new.reference.clone(),
                    title: new.title.clone(),
                    illustrative: ctx.illustrative,
                    version: domain::Version::FIRST,
                };
                diff.created(
                    ctx.body_id,
                    actor,
                    "plan item",
                    id,
                    ctx.tree_op(true)?,
                    &created,
                    reason,
                    &t,
                );
                diff.items.created += 1;
                diff.changes.push(ImportChange {
                    entity: "plan item",
                    key: label,
                    operation: ctx.tree_op(true)?,
                    fields: vec![],
                });
                out.push((id, new.reference.clone(), depth));
            }
        }
    }
    Ok(out)
}

async fn load_ambitions(
    conn: &mut AnyConnection,
    body_id: i64,
) -> Result<Vec<(i64, u16, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.number, a.title, a.strategy_id FROM ambitions a JOIN strategies s ON s.id = a.strategy_id \
         WHERE s.body_id = $1 AND a.deleted_at IS NULL AND s.deleted_at IS NULL \
           AND s.id = (SELECT id FROM strategies WHERE body_id = $2 AND deleted_at IS NULL ORDER BY last_year DESC, id DESC LIMIT 1) \
         ORDER BY a.number",
    )
    .bind(body_id)
    .bind(body_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "ambition")?;
            Ok((c.id(), c.i64("number")? as u16, c.string("title")?))
        })
        .collect()
}

/// The ambition a new top-level item stands for: the one numbered as its
/// reference, else the one worded as its title, else a new one.
#[allow(clippy::too_many_arguments)]
async fn ambition_for(
    conn: &mut AnyConnection,
    actor: &str,
    body_id: i64,
    list: &mut Vec<(i64, u16, String)>,
    reference: Option<&ItemRef>,
    title: &Title,
    illustrative: bool,
    reason: &str,
    diff: &mut Work,
) -> Result<i64, StoreError> {
    let number = reference.and_then(|r| r.as_str().parse::<u16>().ok());
    if let Some(found) = list.iter().find(|a| Some(a.1) == number).or_else(|| {
        list.iter()
            .find(|a| a.2.eq_ignore_ascii_case(title.as_str()))
    }) {
        return Ok(found.0);
    }
    let strategy: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM strategies WHERE body_id = $1 AND deleted_at IS NULL ORDER BY last_year DESC, id DESC LIMIT 1",
    )
    .bind(body_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(strategy) = strategy else {
        return Err(invalid(
            "ambition",
            title.to_string(),
            "an ambition of the body's strategy; the body has no strategy yet (import an export, which describes it, or create it first)",
        ));
    };
    let next = number
        .filter(|n| *n > 0 && !list.iter().any(|a| a.1 == *n))
        .unwrap_or_else(|| list.iter().map(|a| a.1).max().unwrap_or(0) + 1);
    let id = insert_ambition(
        conn,
        actor,
        body_id,
        strategy,
        (next, title),
        illustrative,
        reason,
        diff,
    )
    .await?;
    list.push((id, next, title.to_string()));
    diff.changes.push(ImportChange {
        entity: "ambition",
        key: next.to_string(),
        operation: "create",
        fields: vec![],
    });
    Ok(id)
}

/// An action of the plan after import: its id, lead and indicators by name.
pub(crate) struct Imported {
    id: i64,
    lead: Title,
    indicators: Vec<(String, i64)>,
}

fn same_measure(a: &Measure, b: &Measure) -> bool {
    a == b
}

#[allow(clippy::too_many_arguments)]
async fn import_actions(
    conn: &mut AnyConnection,
    actor: &str,
    ctx: &Ctx,
    plan: &PlanImport,
    items: &[(i64, Option<ItemRef>, usize)],
    target: ImportTarget<'_>,
    reason: &str,
    diff: &mut Work,
) -> Result<HashMap<String, Imported>, StoreError> {
    let mut existing: HashMap<String, Action> = load_actions(conn, "a.plan_id = $1", ctx.plan.id)
        .await?
        .into_iter()
        .map(|a| (a.details.reference.key().to_owned(), a))
        .collect();
    let previous: HashMap<String, i64> = if plan.actions.iter().any(|a| a.continues.is_some()) {
        sqlx::query(
            "SELECT a.id, a.reference_key FROM actions a JOIN plans pl ON pl.id = a.plan_id \
             WHERE pl.portfolio_id = (SELECT portfolio_id FROM plans WHERE id = $1) AND pl.year = $2 \
               AND pl.deleted_at IS NULL AND a.deleted_at IS NULL",
        )
        .bind(ctx.plan.id)
        .bind(i64::from(target.year.previous().start_year()))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "action")?;
            Ok((c.string("reference_key")?, c.id()))
        })
        .collect::<Result<_, StoreError>>()?
    } else {
        HashMap::new()
    };
    let lowest = ctx.levels.item_depths() - 1;
    let mut seen = std::collections::HashSet::new();
    let mut pending: Vec<PendingAction> = Vec::new();
    // Each item's next action position, counted here rather than queried per action.
    let mut positions: HashMap<i64, i64> = HashMap::new();
    for a in existing.values() {
        *positions.entry(a.item_id.get()).or_default() += 1;
    }
    let mut out = HashMap::with_capacity(plan.actions.len());
    for new in &plan.actions {
        let Some((item_id, item_ref, depth)) = items.get(new.item) else {
            return Err(invalid(
                "item",
                new.item.to_string(),
                "an item of the imported tree",
            ));
        };
        let reference = &new.details.reference;
        if *depth != lowest {
            return Err(invalid(
                "item",
                reference.to_string(),
                format!(
                    "an action under an item at the {} level (actions sit under the lowest level)",
                    ctx.levels.name(lowest)
                ),
            ));
        }
        new.details.check_under(ctx.scheme, item_ref.as_ref())?;
        Action::check_target_in(&new.details, ctx.plan.year)?;
        let continues = match &new.continues {
            None => None,
            Some(r) => match previous.get(r.key()) {
                Some(id) => Some(*id),
                None => {
                    diff.unlinked.push(format!("{reference} → {r}"));
                    None
                }
            },
        };
        let key = reference.key().to_owned();
        if !seen.insert(key.clone()) {
            return Err(crate::plans::duplicate_reference(
                reference,
                reference.as_str(),
            ));
        }
        let imported = match existing.remove(&key) {
            Some(before) => {
                let details = ActionDetails {
                    illustrative: before.details.illustrative,
                    ..new.details.clone()
                };
                let mut fields = vec![];
                let d = &before.details;
                if d.reference.as_str() != details.reference.as_str() {
                    fields.push("reference");
                }
                if d.title != details.title {
                    fields.push("title");
                }
                if d.lead != details.lead {
                    fields.push("lead");
                }
                if d.directorate != details.directorate {
                    fields.push("directorate");
                }
                if d.target != details.target {
                    fields.push("target");
                }
                if before.item_id != domain::PlanItemId::new(*item_id) {
                    fields.push("item");
                }
                if before.continues != continues.map(domain::ActionId::new)
                    && new.continues.is_some()
                {
                    fields.push("continues");
                }
                let measures_differ = before.measures.len() != new.measures.len()
                    || before
                        .measures
                        .iter()
                        .zip(&new.measures)
                        .any(|((_, a), b)| !same_measure(a, b));
                if measures_differ {
                    fields.push("measures");
                }
                let mut measure_ids: Vec<i64> =
                    before.measures.iter().map(|(id, _)| id.get()).collect();
                if fields.is_empty() {
                    diff.actions.unchanged += 1;
                } else {
                    claim(
                        conn,
                        "actions",
                        "action",
                        &d.reference,
                        before.id,
                        before.version,
                    )
                    .await?;
                    let continues = if new.continues.is_some() {
                        continues
                    } else {
                        before.continues.map(domain::ActionId::get)
                    };
                    sqlx::query(
                        "UPDATE actions SET reference = $1, title = $2, lead = $3, directorate = $4, target = $5, \
                         updated_at = $6, reference_key = $7, item_id = $8, continues_id = $9 WHERE id = $10",
                    )
                    .bind(details.reference.to_string())
                    .bind(details.title.as_str())
                    .bind(details.lead.as_str())
                    .bind(details.directorate.as_ref().map(|t| t.to_string()))
                    .bind(details.target.map(TargetDate::to_iso))
                    .bind(now())
                    .bind(details.reference.key())
                    .bind(*item_id)
                    .bind(continues)
                    .bind(before.id.get())
                    .execute(&mut *conn)
                    .await
                    .map_err(unique("action", &details.reference, "reference"))?;
                    if measures_differ {
                        measure_ids =
                            replace_measures(conn, before.id.get(), &measure_ids, &new.measures)
                                .await?;
                    }
                    let after = Action {
                        item_id: domain::PlanItemId::new(*item_id),
                        details: details.clone(),
                        measures: measure_ids
                            .iter()
                            .copied()
                            .map(domain::MeasureId::new)
                            .zip(new.measures.iter().cloned())
                            .collect(),
                        continues: continues.map(domain::ActionId::new),
                        version: before.version.next(),
                        ..before.clone()
                    };
                    diff.actions.changed += 1;
                    diff.changed(
                        Change::between(
                            Some(ctx.body_id),
                            actor,
                            "action",
                            before.id.get(),
                            ctx.tree_op(false)?,
                            json(&before),
                            with_file(json(&after), reason),
                        ),
                        reference.to_string(),
                        fields,
                    );
                }
                Imported {
                    id: before.id.get(),
                    lead: details.lead.clone(),
                    indicators: indicators(&measure_ids, &new.measures),
                }
            }
            None => {
                let position = positions.entry(*item_id).or_default();
                *position += 1;
                pending.push(PendingAction {
                    key,
                    item_id: *item_id,
                    details: ActionDetails {
                        illustrative: ctx.illustrative,
                        ..new.details.clone()
                    },
                    measures: new.measures.clone(),
                    continues,
                    position: *position,
                });
                continue;
            }
        };
        out.insert(key, imported);
    }
    insert_actions(conn, ctx, actor, reason, pending, &mut out, diff).await?;
    Ok(out)
}

/// A new action waiting to be written.
struct PendingAction {
    key: String,
    item_id: i64,
    details: ActionDetails,
    measures: Vec<Measure>,
    continues: Option<i64>,
    position: i64,
}

/// Insert `pending` actions, their measures and targets many to a
/// statement, then read their ids back by reference key and position.
async fn insert_actions(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    actor: &str,
    reason: &str,
    pending: Vec<PendingAction>,
    out: &mut HashMap<String, Imported>,
    diff: &mut Work,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let operation = ctx.tree_op(true)?;
    let t = now();
    let bulk = ctx.bulk;
    for chunk in pending.chunks(bulk.rows_per(13)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk.iter().map(|_| format!("({})", p.list(13))).collect();
        let sql = format!(
            "INSERT INTO actions (plan_id, item_id, reference, reference_key, title, lead, directorate, target, continues_id, position, created_at, updated_at, illustrative) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            let d = &a.details;
            q = q
                .bind(ctx.plan.id)
                .bind(a.item_id)
                .bind(d.reference.to_string())
                .bind(d.reference.key().to_owned())
                .bind(d.title.to_string())
                .bind(d.lead.to_string())
                .bind(d.directorate.as_ref().map(|t| t.to_string()))
                .bind(d.target.map(TargetDate::to_iso))
                .bind(a.continues)
                .bind(a.position)
                .bind(&t)
                .bind(&t)
                .bind(flag(d.illustrative));
        }
        q.execute(&mut *conn)
            .await
            .map_err(unique("action", "a reference", "reference"))?;
    }
    let ids = bulk
        .ids_by_key(
            conn,
            "action",
            "SELECT id, reference_key AS k FROM actions WHERE plan_id = $1 AND deleted_at IS NULL",
            ctx.plan.id,
        )
        .await?;
    let id_of = |key: &str| {
        ids.get(key)
            .copied()
            .ok_or_else(|| StoreError::not_found("action", key))
    };
    // Measures: (action, position, measure); a missing baseline is a
    // literal NULL (see insert_measures).
    let measures: Vec<(i64, usize, &Measure)> = pending
        .iter()
        .map(|a| Ok((id_of(&a.key)?, a)))
        .collect::<Result<Vec<_>, StoreError>>()?
        .into_iter()
        .flat_map(|(id, a)| a.measures.iter().enumerate().map(move |(p, m)| (id, p, m)))
        .collect();
    for chunk in measures.chunks(bulk.rows_per(8)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk
            .iter()
            .map(|(_, _, m)| {
                let baseline = matches!(m, Measure::Indicator(i) if i.baseline.is_some());
                let row = p.list(7);
                if baseline {
                    format!("({row}, {})", p.next())
                } else {
                    format!("({row}, NULL)")
                }
            })
            .collect();
        let sql = format!(
            "INSERT INTO measures (action_id, position, kind, text, unit, direction, created_at, baseline) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (action_id, position, m) in chunk {
            let (kind, text, unit, direction, baseline) = crate::plans::measure_columns(m);
            q = q
                .bind(*action_id)
                .bind(*position as i64)
                .bind(kind)
                .bind(text)
                .bind(unit)
                .bind(direction)
                .bind(&t);
            if let Some(b) = baseline {
                q = q.bind(b);
            }
        }
        q.execute(&mut *conn).await?;
    }
    let measure_ids = bulk
        .ids_by_key(
            conn,
            "measure",
            "SELECT m.id, CAST(m.action_id AS TEXT) || ' ' || CAST(m.position AS TEXT) AS k \
             FROM measures m JOIN actions a ON a.id = m.action_id \
             WHERE a.plan_id = $1 AND m.deleted_at IS NULL AND a.deleted_at IS NULL",
            ctx.plan.id,
        )
        .await?;
    let measure_of = |action: i64, position: usize| {
        measure_ids
            .get(&format!("{action} {position}"))
            .copied()
            .ok_or_else(|| StoreError::not_found("measure", position))
    };
    let mut targets = Vec::new();
    for (action_id, position, m) in &measures {
        if let Measure::Indicator(i) = m {
            let id = measure_of(*action_id, *position)?;
            for target in &i.targets {
                targets.push((
                    id,
                    i64::from(target.year.start_year()),
                    target.half.map(domain::Half::number).unwrap_or(0),
                    target.value,
                ));
            }
        }
    }
    for chunk in targets.chunks(bulk.rows_per(4)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk.iter().map(|_| format!("({})", p.list(4))).collect();
        let sql = format!(
            "INSERT INTO measure_targets (measure_id, year, half, value) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (id, year, half, value) in chunk {
            q = q.bind(*id).bind(*year).bind(*half).bind(*value);
        }
        q.execute(&mut *conn).await?;
    }
    for a in pending {
        let id = id_of(&a.key)?;
        let ids: Vec<i64> = (0..a.measures.len())
            .map(|p| measure_of(id, p))
            .collect::<Result<_, _>>()?;
        let created = Action {
            id: domain::ActionId::new(id),
            plan_id: domain::PlanId::new(ctx.plan.id),
            item_id: domain::PlanItemId::new(a.item_id),
            details: a.details.clone(),
            measures: ids
                .iter()
                .copied()
                .map(domain::MeasureId::new)
                .zip(a.measures.iter().cloned())
                .collect(),
            continues: a.continues.map(domain::ActionId::new),
            outcome: None,
            version: domain::Version::FIRST,
        };
        diff.created(
            ctx.body_id,
            actor,
            "action",
            id,
            operation,
            &created,
            reason,
            &t,
        );
        diff.actions.created += 1;
        diff.changes.push(ImportChange {
            entity: "action",
            key: a.details.reference.to_string(),
            operation,
            fields: vec![],
        });
        out.insert(
            a.key,
            Imported {
                id,
                lead: a.details.lead,
                indicators: indicators(&ids, &a.measures),
            },
        );
    }
    Ok(())
}

fn indicators(ids: &[i64], measures: &[Measure]) -> Vec<(String, i64)> {
    ids.iter()
        .zip(measures)
        .filter_map(|(id, m)| match m {
            Measure::Indicator(i) => Some((i.name.to_string(), *id)),
            Measure::Statement { .. } => None,
        })
        .collect()
}

/// Change an action's measures to `measures` in place, position by
/// position, so figures already recorded against a measure stay with it;
/// measures beyond the new list are deleted (softly). Returns the ids.
async fn replace_measures(
    conn: &mut AnyConnection,
    action_id: i64,
    old_ids: &[i64],
    measures: &[Measure],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(measures.len());
    for (position, m) in measures.iter().enumerate() {
        let Some(id) = old_ids.get(position).copied() else {
            // Append the rest after the kept ones.
            let added = insert_measures(conn, action_id, &measures[position..]).await?;
            for (offset, added_id) in added.iter().enumerate() {
                sqlx::query("UPDATE measures SET position = $1 WHERE id = $2")
                    .bind((position + offset) as i64)
                    .bind(*added_id)
                    .execute(&mut *conn)
                    .await?;
            }
            ids.extend(added);
            return Ok(ids);
        };
        let (kind, text, unit, direction, baseline) = crate::plans::measure_columns(m);
        // A missing baseline is a literal NULL (see insert_measures).
        let sql = match baseline {
            Some(_) => {
                "UPDATE measures SET kind = $1, text = $2, unit = $3, direction = $4, position = $5, baseline = $6 WHERE id = $7"
            }
            None => {
                "UPDATE measures SET kind = $1, text = $2, unit = $3, direction = $4, position = $5, baseline = NULL WHERE id = $6"
            }
        };
        let mut q = sqlx::query(sql)
            .bind(kind)
            .bind(text)
            .bind(unit)
            .bind(direction)
            .bind(position as i64);
        if let Some(b) = baseline {
            q = q.bind(b);
        }
        q.bind(id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM measure_targets WHERE measure_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
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
        } else {
            sqlx::query("DELETE FROM measure_actuals WHERE measure_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        ids.push(id);
    }
    for gone in old_ids.iter().skip(measures.len()) {
        sqlx::query("UPDATE measures SET deleted_at = $1 WHERE id = $2")
            .bind(now())
            .bind(*gone)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM measure_actuals WHERE measure_id = $1")
            .bind(*gone)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ids)
}

fn sorted(mut input: UpdateInput) -> UpdateInput {
    input.actuals.sort_by_key(|a| a.measure_id);
    input
}

/// What differs between two updates' content.
fn update_fields(a: &UpdateInput, b: &UpdateInput) -> Vec<&'static str> {
    let mut f = vec![];
    if a.status != b.status {
        f.push("status");
    }
    if a.commentary != b.commentary {
        f.push("commentary");
    }
    if a.percent != b.percent {
        f.push("percent");
    }
    if a.key_achievement != b.key_achievement {
        f.push("key achievement");
    }
    if a.author != b.author {
        f.push("author");
    }
    if a.actuals != b.actuals {
        f.push("actuals");
    }
    f
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    async fn import_updates(
        &self,
        conn: &mut AnyConnection,
        actor: &str,
        ctx: &Ctx,
        plan: &PlanImport,
        actions: &HashMap<String, Imported>,
        reason: &str,
        diff: &mut Work,
    ) -> Result<(), StoreError> {
        let mut existing: HashMap<(domain::ActionId, ReportingPeriod), Update> =
            load_updates(conn, "a.plan_id = $1", ctx.plan.id)
                .await?
                .into_iter()
                .map(|u| ((u.action_id, u.period), u))
                .collect();
        // What recording a new update does, per half: the same for every action.
        let mut new_recording: HashMap<domain::Half, Recording> = HashMap::new();
        let mut pending: Vec<NewUpdate> = Vec::new();
        for new in &plan.updates {
            let key = format!("{} in {}", new.action, new.period);
            let Some(action) = actions.get(new.action.key()) else {
                return Err(StoreError::NotFound {
                    entity: "action",
                    key: new.action.to_string(),
                    hint: "; an update names an action the file does not have".into(),
                });
            };
            if new.period.year != ctx.plan.year {
                return Err(StoreError::NotInPeriod {
                    reference: new.action.to_string(),
                    plan_year: ctx.plan.year.to_string(),
                    period: new.period.to_string(),
                });
            }
            let mut actuals = Vec::with_capacity(new.actuals.len());
            for (name, value) in &new.actuals {
                let Some((_, id)) = action
                    .indicators
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                else {
                    return Err(invalid(
                        "actual",
                        name.clone(),
                        format!(
                            "a figure for one of action {}'s numeric measures",
                            new.action
                        ),
                    ));
                };
                actuals.push(MeasureActual {
                    measure_id: domain::MeasureId::new(*id),
                    value: *value,
                });
            }
            let before = existing.remove(&(domain::ActionId::new(action.id), new.period));
            let input = sorted(
                UpdateInput {
                    status: new.status,
                    commentary: new.commentary.clone(),
                    percent: new.percent,
                    key_achievement: new.key_achievement,
                    actuals,
                    author: new
                        .author
                        .clone()
                        .or_else(|| before.as_ref().map(|b| b.input.author.clone()))
                        .unwrap_or_else(|| action.lead.clone()),
                    illustrative: before
                        .as_ref()
                        .map_or(ctx.illustrative, |b| b.input.illustrative),
                }
                .validate()
                .map_err(|e| invalid(e.field, format!("{key}: {}", e.value), e.expected))?,
            );
            let plan_of = PlanOf {
                reference: new.action.to_string(),
                ..ctx.plan.clone_of()
            };
            match before {
                Some(current) => {
                    let fields = update_fields(&sorted(current.input.clone()), &input);
                    if fields.is_empty() {
                        diff.updates.unchanged += 1;
                        continue;
                    }
                    let (state, published, operation) = if current.state == UpdateState::SignedOff {
                        // Signed-off content changes only by correction, with the file as reason.
                        (current.state.correct()?, None, "correct")
                    } else {
                        match self
                            .recording_in(conn, &plan_of, new.period, Some(&current))
                            .await?
                        {
                            Recording::Draft => (
                                UpdateState::Draft,
                                current
                                    .published
                                    .as_ref()
                                    .map(crate::updates::published_json),
                                "edit",
                            ),
                            Recording::Revision => (
                                UpdateState::Draft,
                                Some(crate::updates::published_json(&current.input)),
                                "edit",
                            ),
                            Recording::AsReported => (UpdateState::SignedOff, None, "edit"),
                        }
                    };
                    claim(conn, "updates", "update", &key, current.id, current.version).await?;
                    let t = now();
                    sqlx::query(
                        "UPDATE updates SET status = $1, commentary = $2, percent = $3, key_achievement = $4, author = $5, \
                         updated_at = $6, state = $7, published = $8 WHERE id = $9",
                    )
                    .bind(input.status.as_str())
                    .bind(input.commentary.as_str())
                    .bind(input.percent.map(i64::from))
                    .bind(flag(input.key_achievement))
                    .bind(input.author.as_str())
                    .bind(&t)
                    .bind(state.as_str())
                    .bind(published.clone())
                    .bind(current.id.get())
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("DELETE FROM measure_actuals WHERE update_id = $1")
                        .bind(current.id.get())
                        .execute(&mut *conn)
                        .await?;
                    insert_actuals(conn, current.id.get(), &input.actuals).await?;
                    let after = Update {
                        input: input.clone(),
                        state,
                        published: published.and_then(|p| serde_json::from_str(&p).ok()),
                        version: current.version.next(),
                        updated_at: chrono::Utc::now(),
                        ..current.clone()
                    };
                    let mut after_json = with_file(json(&after), reason);
                    if operation == "correct" {
                        after_json["correction_reason"] = serde_json::Value::String(reason.into());
                    }
                    diff.updates.changed += 1;
                    diff.changed(
                        Change::between(
                            Some(ctx.body_id),
                            actor,
                            "update",
                            current.id.get(),
                            operation,
                            json(&current),
                            after_json,
                        ),
                        key,
                        fields,
                    );
                }
                None => {
                    let recording = match new_recording.get(&new.period.half) {
                        Some(r) => *r,
                        None => {
                            let r = self.recording_in(conn, &plan_of, new.period, None).await?;
                            new_recording.insert(new.period.half, r);
                            r
                        }
                    };
                    let state = match recording {
                        Recording::AsReported => UpdateState::SignedOff,
                        Recording::Draft | Recording::Revision => UpdateState::Draft,
                    };
                    pending.push((action.id, new.period, input, state, key));
                    continue;
                }
            }
        }
        insert_updates(conn, ctx, actor, reason, pending, diff).await
    }
}

/// A new update waiting to be written: action, period, content, state, label.
type NewUpdate = (i64, ReportingPeriod, UpdateInput, UpdateState, String);

/// Insert `pending` updates and their figures many to a statement, then
/// read their ids back by action and period.
async fn insert_updates(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    actor: &str,
    reason: &str,
    pending: Vec<NewUpdate>,
    diff: &mut Work,
) -> Result<(), StoreError> {
    let t = now();
    let stamp = chrono::Utc::now();
    let bulk = ctx.bulk;
    for chunk in pending.chunks(bulk.rows_per(12)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk.iter().map(|_| format!("({})", p.list(12))).collect();
        let sql = format!(
            "INSERT INTO updates (action_id, year, half, status, commentary, percent, key_achievement, author, created_at, updated_at, state, illustrative) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (action_id, period, input, state, _) in chunk {
            q = q
                .bind(*action_id)
                .bind(i64::from(period.year.start_year()))
                .bind(period.half.number())
                .bind(input.status.as_str())
                .bind(input.commentary.as_str())
                .bind(input.percent.map(i64::from))
                .bind(flag(input.key_achievement))
                .bind(input.author.as_str())
                .bind(&t)
                .bind(&t)
                .bind(state.as_str())
                .bind(flag(input.illustrative));
        }
        q.execute(&mut *conn).await.map_err(unique(
            "update",
            "an action and period twice",
            "period",
        ))?;
    }
    if pending.is_empty() {
        return Ok(());
    }
    let ids = bulk
        .ids_by_key(
            conn,
            "update",
            "SELECT u.id, CAST(u.action_id AS TEXT) || ' ' || CAST(u.year AS TEXT) || ' ' || CAST(u.half AS TEXT) AS k \
             FROM updates u JOIN actions a ON a.id = u.action_id \
             WHERE a.plan_id = $1 AND u.deleted_at IS NULL",
            ctx.plan.id,
        )
        .await?;
    let id_of = |action_id: i64, period: &ReportingPeriod| {
        ids.get(&format!(
            "{action_id} {} {}",
            period.year.start_year(),
            period.half.number()
        ))
        .copied()
        .ok_or_else(|| StoreError::not_found("update", period))
    };
    let mut actuals = Vec::new();
    for (action_id, period, input, _, _) in &pending {
        let id = id_of(*action_id, period)?;
        actuals.extend(input.actuals.iter().map(|a| (id, a.measure_id, a.value)));
    }
    for chunk in actuals.chunks(bulk.rows_per(3)) {
        let mut p = bulk.params();
        let values: Vec<String> = chunk.iter().map(|_| format!("({})", p.list(3))).collect();
        let sql = format!(
            "INSERT INTO measure_actuals (update_id, measure_id, value) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (update, measure, value) in chunk {
            q = q.bind(*update).bind(measure.get()).bind(*value);
        }
        q.execute(&mut *conn).await?;
    }
    for (action_id, period, input, state, key) in pending {
        let id = id_of(action_id, &period)?;
        let at = stamp;
        let created = Update {
            id: domain::UpdateId::new(id),
            action_id: domain::ActionId::new(action_id),
            period,
            input,
            state,
            returned_comment: None,
            created_at: at,
            updated_at: at,
            version: domain::Version::FIRST,
            published: None,
        };
        diff.created(
            ctx.body_id,
            actor,
            "update",
            id,
            "create",
            &created,
            reason,
            &t,
        );
        diff.updates.created += 1;
        diff.changes.push(ImportChange {
            entity: "update",
            key,
            operation: "create",
            fields: vec![],
        });
    }
    Ok(())
}

async fn insert_actuals(
    conn: &mut AnyConnection,
    update_id: i64,
    actuals: &[MeasureActual],
) -> Result<(), StoreError> {
    for actual in actuals {
        sqlx::query(
            "INSERT INTO measure_actuals (update_id, measure_id, value) VALUES ($1, $2, $3)",
        )
        .bind(update_id)
        .bind(actual.measure_id.get())
        .bind(actual.value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl PlanOf {
    fn clone_of(&self) -> PlanOf {
        PlanOf {
            reference: self.reference.clone(),
            id: self.id,
            year: self.year,
            status: self.status,
            body_id: self.body_id,
        }
    }
}
