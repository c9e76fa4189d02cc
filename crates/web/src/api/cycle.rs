//! The progress cycle in the API: what the period, home, refresh and
//! approval pages let people do. Performance officers (and administrators)
//! open a plan's reporting period, read the check before closing it and
//! close it, sign off and return updates (one at a time or many at once),
//! refresh a plan into next year's and record a plan's approval; an
//! action's lead submits their update for sign-off. Every write goes
//! through the store method the page uses, so the rules, the transaction
//! and the audit event are the same.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::{Access, CloseCheck, Fate, Half, Outcome, Plan, ReportingPeriod, Text, UpdateState};
use serde::{Deserialize, Serialize};
use store::{PeriodRecord, StoreError};
use utoipa::ToSchema;

use super::{
    ApiError, ApiResult, Ids, Payload, UpdateDto, body, caller, forbidden, update_dto, visible_plan,
};
use crate::auth::Viewer;
use crate::{AppState, visible};

/// The most updates one bulk sign-off takes.
const BULK_MAX: usize = 1000;

/// The signed-in caller and the plan `id` with their access to it, when
/// they may change its cycle (open and close its periods, refresh and
/// approve it): 401 without a token, 404 for a plan they may not see, 403
/// for a role that does not edit plans.
pub(super) async fn officer_on_plan(
    state: &AppState,
    headers: &HeaderMap,
    id: domain::PlanId,
) -> Result<(Viewer, Plan, Access, domain::Body), ApiError> {
    let Some(viewer) = caller(state, headers).await? else {
        return Err(forbidden(None));
    };
    let (plan, access, body) = visible_plan(state, Some(&viewer), id).await?;
    if !access.edits_plans() {
        return Err(forbidden(Some(&viewer)));
    }
    Ok((viewer, plan, access, body))
}

fn half(raw: &str) -> Result<Half, ApiError> {
    raw.parse().map_err(ApiError::invalid)
}

fn actor(viewer: &Viewer) -> String {
    format!("{} (API)", viewer.actor())
}

/// A store refusal as the API answers it, with `plan_field` named on a
/// refusal for the plan's state (the body field that would change it).
fn refused(e: StoreError, plan_field: Option<&str>) -> ApiError {
    let plan_state = matches!(e, StoreError::PlanState { .. });
    let mut error = ApiError::from(e);
    if plan_state {
        error.field = plan_field.map(str::to_owned);
    }
    error
}

/// A reporting period of a plan as opened (or closed) by an officer.
#[derive(Serialize, ToSchema)]
pub struct PeriodStateDto {
    /// "H1 2024/25".
    period: String,
    /// "H1" or "H2".
    half: String,
    /// open or closed.
    #[schema(pattern = "^(open|closed)$")]
    state: String,
    /// When updates are due: "2024-10-15".
    deadline: String,
    /// Reminders go out for missing updates this many days before the deadline.
    reminder_days: u16,
    /// When it was opened (RFC 3339).
    opened_at: String,
    /// When it was closed (RFC 3339).
    closed_at: Option<String>,
    /// The period record's version.
    #[schema(value_type = i64)]
    version: domain::Version,
}

fn period_state(year: domain::FinancialYear, p: &PeriodRecord) -> PeriodStateDto {
    PeriodStateDto {
        period: ReportingPeriod::new(year, p.half).to_string(),
        half: p.half.to_string(),
        state: if p.open { "open" } else { "closed" }.to_owned(),
        deadline: p.deadline.to_string(),
        reminder_days: p.reminder_days,
        opened_at: p.opened_at.clone(),
        closed_at: p.closed_at.clone(),
        version: p.version,
    }
}

/// Opening a reporting period for updates.
#[derive(Deserialize, ToSchema)]
pub struct PeriodOpen {
    /// When updates are due, on or after the period's first day: "2024-10-15" or "15 October 2024".
    #[schema(min_length = 1, max_length = 100)]
    deadline: String,
    /// Remind leads of missing updates this many days before the deadline (7 if omitted).
    #[schema(minimum = 0, maximum = 365)]
    reminder_days: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/periods/{half}/open", request_body = PeriodOpen,
    params(("id" = i64, Path, description = "The plan's id"), ("half" = String, Path, description = "H1 or H2 of the plan's year", pattern = "^(H1|H2)$")),
    responses((status = 200, description = "The period is open for updates", body = PeriodStateDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, description = "The period is already open or was closed", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn open_period(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids((id, half_raw)): Ids<(domain::PlanId, String)>,
    Payload(open): Payload<PeriodOpen>,
) -> ApiResult<PeriodStateDto> {
    let (viewer, plan, _, _) = officer_on_plan(&state, &headers, id).await?;
    let half = half(&half_raw)?;
    let deadline = domain::parse_day("deadline", &open.deadline).map_err(ApiError::invalid)?;
    let reminder_days = match open.reminder_days {
        None => 7,
        Some(d) => u16::try_from(d).ok().filter(|d| *d <= 365).ok_or_else(|| {
            ApiError::invalid(domain::ParseError::new(
                "reminder_days",
                d.to_string(),
                "a whole number of days from 0 to 365",
            ))
        })?,
    };
    let opened = state
        .store()
        .open_period(&actor(&viewer), plan.id, half, deadline, reminder_days)
        .await?;
    Ok(Json(period_state(plan.year, &opened)))
}

/// How many of the plan's actions have their update for the period in each state.
#[derive(Serialize, ToSchema)]
pub struct CloseCounts {
    /// No update recorded.
    missing: usize,
    draft: usize,
    /// Awaiting sign-off.
    submitted: usize,
    /// Returned to the lead with a comment.
    returned: usize,
    signed_off: usize,
}

/// An action with no signed-off update in the period.
#[derive(Serialize, ToSchema)]
pub struct OutstandingDto {
    action_id: i64,
    /// "10A".
    reference: String,
    title: String,
    /// The lead role named on the action.
    lead: String,
    /// Its update, once one is recorded.
    update_id: Option<i64>,
    /// missing, draft, submitted or returned.
    #[schema(pattern = "^(missing|draft|submitted|returned)$")]
    state: String,
    /// Why the officer returned it.
    returned_comment: Option<String>,
}

/// The check before closing a period (the web's "check before you close"):
/// closing freezes its updates, and the report pack, made from signed-off
/// updates only, says "No update" for each outstanding action.
#[derive(Serialize, ToSchema)]
pub struct CloseCheckDto {
    /// "H1 2024/25".
    period: String,
    /// open, closed or not opened (only an open period is closed).
    #[schema(pattern = "^(open|closed|not opened)$")]
    state: String,
    /// When updates are due, once the period is opened.
    deadline: Option<String>,
    counts: CloseCounts,
    /// Whether closing needs `"confirm": true`: some actions have no signed-off update.
    needs_confirmation: bool,
    /// The actions without a signed-off update, in the plan's order.
    outstanding: Vec<OutstandingDto>,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/periods/{half}/close",
    params(("id" = i64, Path, description = "The plan's id"), ("half" = String, Path, description = "H1 or H2 of the plan's year", pattern = "^(H1|H2)$")),
    responses((status = 200, body = CloseCheckDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn close_check(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids((id, half_raw)): Ids<(domain::PlanId, String)>,
) -> ApiResult<CloseCheckDto> {
    let (_, plan, access, _) = officer_on_plan(&state, &headers, id).await?;
    let half = half(&half_raw)?;
    let period = ReportingPeriod::new(plan.year, half);
    let record = state
        .store()
        .period_records(plan.id)
        .await?
        .into_iter()
        .find(|p| p.half == half);
    let tree = visible::tree(&state, plan.id, &access).await?;
    let check = CloseCheck::of(period, &tree.actions, &tree.updates);
    let outstanding = check
        .outstanding
        .iter()
        .filter_map(|o| {
            let a = tree.actions.iter().find(|a| a.id == o.action_id)?;
            Some(OutstandingDto {
                action_id: a.id.get(),
                reference: a.details.reference.to_string(),
                title: a.details.title.to_string(),
                lead: a.details.lead.to_string(),
                update_id: o.update_id.map(domain::UpdateId::get),
                state: o.state.map_or("missing", UpdateState::as_str).to_owned(),
                returned_comment: o.returned_comment.clone(),
            })
        })
        .collect();
    Ok(Json(CloseCheckDto {
        period: period.to_string(),
        state: match &record {
            Some(p) if p.open => "open",
            Some(_) => "closed",
            None => "not opened",
        }
        .to_owned(),
        deadline: record.map(|p| p.deadline.to_string()),
        counts: CloseCounts {
            missing: check.missing,
            draft: check.draft,
            submitted: check.submitted,
            returned: check.returned,
            signed_off: check.signed_off,
        },
        needs_confirmation: !check.allows_close(false),
        outstanding,
    }))
}

/// Closing a reporting period.
#[derive(Deserialize, ToSchema)]
pub struct PeriodClose {
    /// Close even though some actions have no signed-off update (the
    /// report will say "No update" for them), having read the check
    /// (`GET` on this address). Without it such a close is refused with 409.
    #[serde(default)]
    confirm: bool,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/periods/{half}/close", request_body = PeriodClose,
    params(("id" = i64, Path, description = "The plan's id"), ("half" = String, Path, description = "H1 or H2 of the plan's year", pattern = "^(H1|H2)$")),
    responses((status = 200, description = "The period is closed: its updates are frozen", body = PeriodStateDto), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "The period is not open, or has outstanding updates and the close was not confirmed", body = ApiError),
        (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn close_period(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids((id, half_raw)): Ids<(domain::PlanId, String)>,
    Payload(close): Payload<PeriodClose>,
) -> ApiResult<PeriodStateDto> {
    let (viewer, plan, _, _) = officer_on_plan(&state, &headers, id).await?;
    let half = half(&half_raw)?;
    match state
        .store()
        .close_period(&actor(&viewer), plan.id, half, close.confirm)
        .await
    {
        Ok(closed) => Ok(Json(period_state(plan.year, &closed))),
        Err(e @ StoreError::Unsettled { .. }) => {
            let mut error = ApiError::from(e);
            error.field = Some("confirm".into());
            error.error = format!(
                "{}: GET /api/v1/plans/{id}/periods/{half}/close lists them; send {{\"confirm\": true}} to close anyway",
                error.error
            );
            Err(error)
        }
        Err(e) => Err(e.into()),
    }
}

/// A move of an update in its sign-off, based on `version` of it.
#[derive(Deserialize, ToSchema)]
pub struct UpdateMove {
    /// The version the move is based on (the update's `version`).
    #[schema(value_type = i64)]
    version: domain::Version,
}

/// Returning an update to its lead, based on `version` of it.
#[derive(Deserialize, ToSchema)]
pub struct UpdateReturn {
    /// The version the move is based on (the update's `version`).
    #[schema(value_type = i64)]
    version: domain::Version,
    /// What the lead should change.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    comment: String,
}

/// The signed-in caller, update `id`, and whether `allowed` lets them move
/// it: 401 without a token, 404 for an update of a plan they may not see,
/// 403 for a role `allowed` refuses.
async fn movable(
    state: &AppState,
    headers: &HeaderMap,
    id: domain::UpdateId,
    allowed: fn(&Access, &domain::Action) -> bool,
) -> Result<Viewer, ApiError> {
    let Some(viewer) = caller(state, headers).await? else {
        return Err(forbidden(None));
    };
    let update = state.store().update(id).await?;
    let (action, _, access) = super::visible_action(state, Some(&viewer), update.action_id).await?;
    if !allowed(&access, &action) {
        return Err(forbidden(Some(&viewer)));
    }
    Ok(viewer)
}

#[utoipa::path(post, path = "/api/v1/updates/{id}/submit", request_body = UpdateMove,
    params(("id" = i64, Path, description = "The update's id")),
    responses((status = 200, description = "Submitted for sign-off", body = UpdateDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::UpdateId>,
    Payload(m): Payload<UpdateMove>,
) -> ApiResult<UpdateDto> {
    let viewer = movable(&state, &headers, id, |access, action| {
        access.updates(action)
    })
    .await?;
    let moved = state
        .store()
        .submit_update(&actor(&viewer), id, m.version)
        .await
        .map_err(|e| refused(e, None))?;
    Ok(Json(update_dto(&moved)))
}

#[utoipa::path(post, path = "/api/v1/updates/{id}/sign-off", request_body = UpdateMove,
    params(("id" = i64, Path, description = "The update's id")),
    responses((status = 200, description = "Signed off: what reports now use", body = UpdateDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn sign_off(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::UpdateId>,
    Payload(m): Payload<UpdateMove>,
) -> ApiResult<UpdateDto> {
    let viewer = movable(&state, &headers, id, |access, _| access.signs_off()).await?;
    let moved = state
        .store()
        .sign_off_update(&actor(&viewer), id, m.version)
        .await
        .map_err(|e| refused(e, None))?;
    Ok(Json(update_dto(&moved)))
}

#[utoipa::path(post, path = "/api/v1/updates/{id}/return", request_body = UpdateReturn,
    params(("id" = i64, Path, description = "The update's id")),
    responses((status = 200, description = "Returned to its lead with the comment", body = UpdateDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn send_back(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::UpdateId>,
    Payload(r): Payload<UpdateReturn>,
) -> ApiResult<UpdateDto> {
    let viewer = movable(&state, &headers, id, |access, _| access.signs_off()).await?;
    let comment = Text::parse("comment", &r.comment).map_err(ApiError::invalid)?;
    let moved = state
        .store()
        .return_update(&actor(&viewer), id, r.version, &comment)
        .await
        .map_err(|e| refused(e, None))?;
    Ok(Json(update_dto(&moved)))
}

/// One update to sign off, at the version read.
#[derive(Deserialize, ToSchema)]
pub struct BulkItem {
    /// The update's id.
    #[schema(value_type = i64)]
    id: domain::UpdateId,
    /// The version the sign-off is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
}

/// Submitted updates to sign off at once.
#[derive(Deserialize, ToSchema)]
pub struct BulkSignOff {
    /// Updates in this body's open periods (the home's list, `update_id` and `update_version`).
    #[schema(min_items = 1, max_items = 1000)]
    updates: Vec<BulkItem>,
}

/// What happened to one update of a bulk sign-off.
#[derive(Serialize, ToSchema)]
pub struct BulkResult {
    /// The update's id.
    id: i64,
    /// signed_off or refused.
    #[schema(pattern = "^(signed_off|refused)$")]
    outcome: String,
    /// The update's version now, when signed off.
    #[schema(value_type = Option<i64>)]
    version: Option<domain::Version>,
    /// Why it was refused and what to do.
    error: Option<String>,
    /// The version now stored, when it was refused as stale.
    current_version: Option<i64>,
}

/// The outcome of a bulk sign-off, update by update.
#[derive(Serialize, ToSchema)]
pub struct BulkSignOffDto {
    /// How many were signed off.
    signed_off: usize,
    /// How many were refused.
    refused: usize,
    /// Each update asked for, in the order asked.
    results: Vec<BulkResult>,
}

#[utoipa::path(post, path = "/api/v1/bodies/{body}/sign-off", request_body = BulkSignOff,
    params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, description = "Each update signed off in its own transaction, as the home page's bulk sign-off does: a refused one (stale, not submitted, not in an open period of this body) does not stop the others, and the results say which were refused and why", body = BulkSignOffDto),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn bulk_sign_off(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
    Payload(bulk): Payload<BulkSignOff>,
) -> ApiResult<BulkSignOffDto> {
    let Some(viewer) = caller(&state, &headers).await? else {
        return Err(forbidden(None));
    };
    let body = body(&state, &slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    // As on the home page: someone with no role in the body finds no home there.
    if !access.sees_unpublished() {
        return Err(ApiError::not_found());
    }
    if !access.signs_off() {
        return Err(forbidden(Some(&viewer)));
    }
    if bulk.updates.is_empty() || bulk.updates.len() > BULK_MAX {
        return Err(ApiError::invalid(domain::ParseError::new(
            "updates",
            bulk.updates.len().to_string(),
            format!("from 1 to {BULK_MAX} submitted updates to sign off"),
        )));
    }
    let work = state.store().open_work(body.id, None).await?;
    let who = actor(&viewer);
    let mut results = Vec::with_capacity(bulk.updates.len());
    for item in &bulk.updates {
        let refusal = |error: String, current_version: Option<i64>| BulkResult {
            id: item.id.get(),
            outcome: "refused".into(),
            version: None,
            error: Some(error),
            current_version,
        };
        if !work.iter().any(|w| w.update_id == Some(item.id)) {
            results.push(refusal(
                format!("update {} is not in a period of {} open now; read the home's list again and send its ids", item.id, body.slug),
                None,
            ));
            continue;
        }
        results.push(
            match state.store().sign_off_update(&who, item.id, item.version).await {
                Ok(u) => BulkResult {
                    id: item.id.get(),
                    outcome: "signed_off".into(),
                    version: Some(u.version),
                    error: None,
                    current_version: None,
                },
                Err(e) if e.is_user_error() => {
                    let current = match &e {
                        StoreError::Conflict { current, .. } => Some(*current),
                        _ => None,
                    };
                    refusal(e.to_string(), current)
                }
                Err(e) => {
                    tracing::error!("bulk sign-off of update {}: {e}", item.id);
                    refusal(
                        "the service failed on this update, so it is not signed off; try it again later".into(),
                        None,
                    )
                }
            },
        );
    }
    let signed_off = results.iter().filter(|r| r.version.is_some()).count();
    Ok(Json(BulkSignOffDto {
        signed_off,
        refused: results.len() - signed_off,
        results,
    }))
}

/// What becomes of one action at the refresh.
#[derive(Deserialize, ToSchema)]
pub struct ActionFate {
    /// An action of the plan being refreshed.
    #[schema(value_type = i64)]
    action_id: domain::ActionId,
    /// carry (carried forward into next year's plan), complete or drop.
    #[schema(pattern = "^(carry|complete|drop)$")]
    fate: String,
    /// For carry: its reference next year, in the body's scheme (its own if omitted).
    reference: Option<String>,
    /// For drop: why (required, at most 50,000 characters).
    reason: Option<String>,
}

/// Refreshing an approved plan into next year's draft plan.
#[derive(Deserialize, ToSchema)]
pub struct PlanRefresh {
    /// The actions not simply carried forward under their reference; every
    /// action not listed is carried forward as it is (with its measures,
    /// without targets or a target date).
    #[serde(default)]
    #[schema(max_items = 10000)]
    actions: Vec<ActionFate>,
}

/// The most fates one refresh takes.
const FATES_MAX: usize = 10_000;

impl PlanRefresh {
    fn check(&self) -> Result<(), ApiError> {
        if self.actions.len() > FATES_MAX {
            return Err(ApiError::invalid(domain::ParseError::new(
                "actions",
                self.actions.len().to_string(),
                format!("at most {FATES_MAX} actions, each once"),
            )));
        }
        Ok(())
    }
}

/// Next year's draft plan, made by a refresh, and what the refresh did.
#[derive(Serialize, ToSchema)]
pub struct RefreshedDto {
    /// The new plan's id.
    plan_id: i64,
    /// "2025/26".
    year: String,
    /// draft.
    status: String,
    /// Actions carried forward from the year before.
    carried_forward: usize,
    /// Actions completed.
    completed: usize,
    /// Actions dropped (with a reason).
    dropped: usize,
    /// The plan's version.
    #[schema(value_type = i64)]
    version: domain::Version,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/refresh", request_body = PlanRefresh,
    params(("id" = i64, Path, description = "The approved plan's id")),
    responses((status = 201, description = "Next year's draft plan is made, in one transaction", body = RefreshedDto), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 422, description = "A fate, reference or reason is not accepted, or the plan is not approved or next year's plan is already made", body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
    Payload(r): Payload<PlanRefresh>,
) -> Result<(StatusCode, Json<RefreshedDto>), ApiError> {
    let (viewer, plan, _, body) = officer_on_plan(&state, &headers, id).await?;
    r.check()?;
    let tree = state.store().plan_tree(plan.id).await?;
    let mut fates = std::collections::HashMap::new();
    let mut seen = HashSet::new();
    for (i, f) in r.actions.iter().enumerate() {
        let at = |field: &str, e: domain::ParseError| ApiError {
            field: Some(format!("actions[{i}].{field}")),
            ..ApiError::invalid(e)
        };
        let Some(action) = tree.actions.iter().find(|a| a.id == f.action_id) else {
            return Err(at(
                "action_id",
                domain::ParseError::new(
                    "action_id",
                    f.action_id.to_string(),
                    "the id of an action of this plan",
                ),
            ));
        };
        if !seen.insert(f.action_id) {
            return Err(at(
                "action_id",
                domain::ParseError::new("action_id", f.action_id.to_string(), "each action once"),
            ));
        }
        let optional =
            |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let fate = match f.fate.trim() {
            "carry" => match optional(&f.reference) {
                r if r.is_empty() => Fate::CarriedForward {
                    reference: action.details.reference.clone(),
                    target: None,
                },
                r => Fate::CarriedForward {
                    reference: body
                        .reference_scheme
                        .parse_action(&r)
                        .map_err(|e| at("reference", e))?,
                    target: None,
                },
            },
            "complete" => Fate::Completed,
            "drop" => Fate::dropped(&optional(&f.reason)).map_err(|e| at("reason", e))?,
            other => {
                return Err(at(
                    "fate",
                    domain::ParseError::new("fate", other, "carry, complete or drop"),
                ));
            }
        };
        fates.insert(f.action_id, fate);
    }
    let made = state
        .store()
        .refresh_plan(&actor(&viewer), plan.id, plan.year.next(), &fates)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(p) if p.field == "renumber" => ApiError {
                field: Some("actions.reference".into()),
                ..ApiError::invalid(p)
            },
            e => refused(e, None),
        })?;
    let old = state.store().plan_tree(plan.id).await?;
    let new = state.store().plan_tree(made.id).await?;
    let report = domain::RefreshReport::between(&old, &new, body.level_names.name(0));
    Ok((
        StatusCode::CREATED,
        Json(RefreshedDto {
            plan_id: made.id.get(),
            year: made.year.to_string(),
            status: made.status.as_str().to_owned(),
            carried_forward: report.count(Outcome::CarriedForward),
            completed: report.count(Outcome::Completed),
            dropped: report.count(Outcome::Dropped),
            version: made.version,
        }),
    ))
}

/// What one action lacks before its plan is approved.
#[derive(Serialize, ToSchema)]
pub struct ApprovalGapDto {
    action_id: i64,
    /// "10A".
    reference: String,
    title: String,
    /// "no target date", "no target for this year on the indicator …".
    missing: Vec<String>,
}

/// A plan's approval: whether it can be approved and what its actions lack.
#[derive(Serialize, ToSchema)]
pub struct ApprovalDto {
    plan_id: i64,
    /// "2025/26".
    year: String,
    /// draft, approved or superseded; only a draft plan is approved.
    #[schema(pattern = "^(draft|approved|superseded)$")]
    status: String,
    /// The day the committee approved it, once it has.
    approved_on: Option<String>,
    /// The version to send when approving it.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// Actions lacking a target date or a target for the year on an
    /// indicator; while there are any, approving needs `accept_gaps`.
    gaps: Vec<ApprovalGapDto>,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/approve",
    params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = ApprovalDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn approval(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
) -> ApiResult<ApprovalDto> {
    let (_, plan, _, _) = officer_on_plan(&state, &headers, id).await?;
    Ok(Json(approval_dto(&state, &plan).await?))
}

async fn approval_dto(state: &AppState, plan: &Plan) -> Result<ApprovalDto, ApiError> {
    let gaps = state
        .store()
        .approval_gaps(plan.id)
        .await?
        .into_iter()
        .map(|(a, g)| ApprovalGapDto {
            action_id: a.id.get(),
            reference: a.details.reference.to_string(),
            title: a.details.title.to_string(),
            missing: g.iter().map(ToString::to_string).collect(),
        })
        .collect();
    Ok(ApprovalDto {
        plan_id: plan.id.get(),
        year: plan.year.to_string(),
        status: plan.status.as_str().to_owned(),
        approved_on: plan.approved_on.map(|d| d.to_string()),
        version: plan.version,
        gaps,
    })
}

/// Recording the committee's approval of a draft plan, based on `version` of it.
#[derive(Deserialize, ToSchema)]
pub struct PlanApprove {
    /// The plan's version the approval is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// The day the committee approved it: "2025-03-20" or "20 March 2025".
    #[schema(min_length = 1, max_length = 100)]
    on: String,
    /// Why the committee approved the plan although some actions lack a
    /// target date or a target (`GET` on this address lists them);
    /// required while there are any, and kept in the plan's history.
    #[schema(max_length = 50000)]
    accept_gaps: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/approve", request_body = PlanApprove,
    params(("id" = i64, Path, description = "The draft plan's id")),
    responses((status = 200, description = "Approved; the approved plan of the year before is superseded", body = ApprovalDto), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
        (status = 422, description = "The date is not a date, the plan is not a draft, or it has gaps and no reason was given to accept them", body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
    Payload(a): Payload<PlanApprove>,
) -> ApiResult<ApprovalDto> {
    let (viewer, plan, _, _) = officer_on_plan(&state, &headers, id).await?;
    let on = domain::parse_day("on", &a.on).map_err(ApiError::invalid)?;
    let reason = match a.accept_gaps.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Text::parse("accept_gaps", raw).map_err(ApiError::invalid)?),
    };
    let approved = state
        .store()
        .approve_plan(&actor(&viewer), plan.id, a.version, on, reason.as_ref())
        .await
        .map_err(|e| match e {
            StoreError::PlanState {
                state: "incomplete",
                ..
            } => refused(e, Some("accept_gaps")),
            e => refused(e, None),
        })?;
    Ok(Json(approval_dto(&state, &approved).await?))
}
