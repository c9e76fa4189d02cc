//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/openapi.json`. Programs authenticate with a bearer token (`ambit
//! token create`); without one they see what the public sees. The same role
//! rules as the pages apply. A stale version is refused with 409 and the
//! current version; invalid input with 422 naming the field.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::{
    Access, Action, ActionDetails, Body, Half, Measure, MeasureActual, ParseError, Percent, Plan,
    ReportingPeriod, Status, TargetDate, Text, Title, UpdateInput,
};
use serde::{Deserialize, Serialize};
use store::StoreError;
use utoipa::{OpenApi, ToSchema};

use crate::auth::{self, Viewer};
use crate::{AppState, visible};

mod cycle;
mod home;
mod measures;
mod packs;
mod record;
mod search;

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/bodies", get(bodies))
        .route("/api/v1/bodies/{body}/strategy", get(strategy))
        .route("/api/v1/bodies/{body}/portfolios", get(portfolios))
        .route("/api/v1/bodies/{body}/plans", get(plans))
        .route("/api/v1/bodies/{body}/committees", get(record::committees))
        .route("/api/v1/bodies/{body}/home", get(home::home))
        .route("/api/v1/bodies/{body}/packs", get(packs::packs))
        .route("/api/v1/bodies/{body}/search", get(search::search))
        .route("/api/v1/packs/{id}", get(packs::pack))
        .route(
            "/api/v1/plans/{id}/periods/{half}/packs",
            post(packs::publish),
        )
        .route("/api/v1/committees/{id}", get(record::committee))
        .route(
            "/api/v1/committees/{id}/commitments",
            get(record::commitments),
        )
        .route("/api/v1/meetings/{id}", get(record::meeting))
        .route(
            "/api/v1/meetings/{id}/publish",
            post(record::publish_meeting),
        )
        .route(
            "/api/v1/actions/{id}/questions",
            get(record::action_questions),
        )
        .route(
            "/api/v1/actions/{id}/commitments",
            get(record::action_commitments),
        )
        .route(
            "/api/v1/commitments/{id}/close",
            post(record::close_commitment),
        )
        .route("/api/v1/plans/{id}/periods", get(periods))
        .route("/api/v1/plans/{id}", get(plan))
        .route("/api/v1/plans/{id}/rollup", get(rollup))
        .route("/api/v1/plans/{id}/export", get(export))
        .route("/api/v1/actions/{id}", get(action).put(edit_action))
        .route("/api/v1/actions/{id}/updates/{half}", put(record_update))
        .route("/api/v1/actions/{id}/measures", put(measures::set_measures))
        .route(
            "/api/v1/plans/{id}/periods/{half}/open",
            post(cycle::open_period),
        )
        .route(
            "/api/v1/plans/{id}/periods/{half}/close",
            get(cycle::close_check).post(cycle::close_period),
        )
        .route("/api/v1/updates/{id}/submit", post(cycle::submit))
        .route("/api/v1/updates/{id}/sign-off", post(cycle::sign_off))
        .route("/api/v1/updates/{id}/return", post(cycle::send_back))
        .route("/api/v1/bodies/{body}/sign-off", post(cycle::bulk_sign_off))
        .route("/api/v1/plans/{id}/refresh", post(cycle::refresh))
        .route(
            "/api/v1/plans/{id}/approve",
            get(cycle::approval).post(cycle::approve),
        )
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Ambit API", description = "Plans, actions, progress updates and roll-ups of public bodies."),
    paths(bodies, strategy, portfolios, plans, home::home, record::committees, record::committee, record::commitments, record::meeting,
        record::action_questions, record::action_commitments, record::close_commitment, record::publish_meeting, plan, periods, rollup, export, action, edit_action, record_update,
        cycle::open_period, cycle::close_check, cycle::close_period, cycle::submit, cycle::sign_off, cycle::send_back, cycle::bulk_sign_off,
        cycle::refresh, cycle::approval, cycle::approve, measures::set_measures, packs::packs, packs::pack, packs::publish, search::search),
    components(schemas(ApiError, crate::home::HomeDto, crate::home::LeadHome, crate::home::OfficerHome, crate::home::StateCounts,
        crate::home::PeriodCounts, crate::home::OwnerCounts, crate::home::WorkDto, crate::home::PlanAttentionDto, crate::home::ClerkHome,
        crate::home::MemberHome, crate::home::CommitteeRef, crate::home::MeetingDueDto, crate::home::PromiseDto, PortfolioDto, record::CommitteeDto, record::CommitteeDetailDto, record::MemberDto, record::MeetingSummaryDto,
        record::MeetingDto, record::AgendaItemDto, record::QuestionDto, record::ResolutionDto, record::CommitmentDto, record::CommitmentClose, record::MeetingPublish, PeriodDto, BodyDto, StrategyDto, AmbitionDto, PlanSummaryDto, PlanDto, PlanExportDto, ItemDto, ActionDto, MeasureDto, UpdateDto, ActualDto, RollUpDto, StatusCount, ActionEdit, UpdateEdit,
        cycle::PeriodStateDto, cycle::PeriodOpen, cycle::CloseCounts, cycle::OutstandingDto, cycle::CloseCheckDto, cycle::PeriodClose, cycle::UpdateMove,
        cycle::UpdateReturn, cycle::BulkItem, cycle::BulkSignOff, cycle::BulkResult, cycle::BulkSignOffDto, cycle::ActionFate, cycle::PlanRefresh,
        cycle::RefreshedDto, cycle::ApprovalGapDto, cycle::ApprovalDto, cycle::PlanApprove, measures::MeasuresEdit,
        measures::MeasureEdit, packs::PackDto, packs::PackFileDto, crate::search::SearchDto, crate::search::SearchHitDto)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// An error: what went wrong, the field at fault, and the current version on a conflict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong and what to do.
    pub error: String,
    /// The field at fault (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The version now stored (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    #[serde(skip)]
    status: u16,
}

impl ApiError {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: None,
            current_version: None,
            status: status.as_u16(),
        }
    }

    fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not found")
    }

    /// A request body over the API's limit of `limit` bytes: 413.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self {
            field: Some("body".into()),
            ..Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is too large: the API takes at most {}",
                    crate::error::size(limit)
                ),
            )
        }
    }

    /// A request not answered in time: 408.
    pub(crate) fn timed_out() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request took too long to arrive or to answer; try again",
        )
    }

    fn invalid(e: ParseError) -> Self {
        Self {
            field: Some(e.field.to_owned()),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = crate::error::store_status(&e);
        let field = match &e {
            StoreError::Invalid(p) => Some(p.field.to_owned()),
            StoreError::NotInPeriod { .. } => Some("period".to_owned()),
            StoreError::PlanState { .. } => Some("amendment".to_owned()),
            StoreError::CommitmentClosed { .. } => Some("outcome".to_owned()),
            StoreError::Duplicate { field, .. } => Some((*field).to_owned()),
            StoreError::AlreadyPublished { .. } => Some("reference".to_owned()),
            _ => None,
        };
        let current_version = match &e {
            StoreError::Conflict { current, .. } => Some(*current),
            _ => None,
        };
        if let Some(outage) = e.outage() {
            tracing::warn!("{e}");
            return Self::new(StatusCode::SERVICE_UNAVAILABLE, outage.explain());
        }
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!("{e}");
                Self::new(
                    status,
                    "the service failed; nothing was changed; try again later",
                )
            }
            _ => Self {
                field,
                current_version,
                ..Self::new(status, e.to_string())
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                crate::error::RETRY_AFTER.into(),
            );
        }
        response
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A JSON request body; a body larger than the API's limit
/// ([`crate::Limits::api_bytes`]) is refused with 413, and one that is
/// missing, not JSON, or not the operation's shape with 422, each with an
/// [`ApiError`].
pub struct Payload<T>(T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<AppState> for Payload<T> {
    type Rejection = ApiError;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Payload(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large(state.limits().api_bytes))
            }
            Err(e) => Err(ApiError {
                field: Some("body".into()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "send the JSON body the API document describes: {}",
                        e.body_text()
                    ),
                )
            }),
        }
    }
}

/// Path parameters; a malformed id names nothing, so it is answered with 404.
pub struct Ids<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S>
    for Ids<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Ids(v))
            .map_err(|_| ApiError::not_found())
    }
}

/// Query parameters; malformed ones are refused with 422.
pub struct Params<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for Params<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|e| ApiError {
                field: Some("query".into()),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.body_text())
            })
    }
}

/// The caller, from a bearer token; none for anonymous callers. A bad token is refused.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, ApiError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let token = value.strip_prefix("Bearer ").ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "use the header Authorization: Bearer TOKEN",
        )
    })?;
    let user = state
        .store()
        .api_token_user(&auth::token_hash(token.trim()))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the token is not valid; create one with `ambit token create`",
            )
        })?;
    let memberships = state.store().memberships(user.id).await?;
    Ok(Some(Viewer {
        user,
        memberships,
        csrf: None,
    }))
}

fn forbidden(viewer: Option<&Viewer>) -> ApiError {
    match viewer {
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this needs a bearer token of someone allowed to do it",
        ),
        Some(_) => ApiError::new(StatusCode::FORBIDDEN, "your role does not allow this"),
    }
}

async fn body(state: &AppState, slug: &str) -> Result<Body, ApiError> {
    let slug = slug.parse().map_err(|_| ApiError::not_found())?;
    Ok(state.store().body(&slug).await?)
}

/// A body.
#[derive(Serialize, ToSchema)]
pub struct BodyDto {
    slug: String,
    name: String,
    level_names: Vec<String>,
    /// How the body's actions and plan items are referenced: "statement"
    /// ("10A" under statement "10"), "dotted" ("1.2.3" under "1.2") or
    /// "free" (codes such as "CP2.3.1" or "ASC 3.2").
    #[schema(pattern = "^(statement|dotted|free)$")]
    reference_scheme: String,
}

#[utoipa::path(get, path = "/api/v1/bodies", responses((status = 200, body = Vec<BodyDto>)))]
async fn bodies(State(state): State<AppState>) -> ApiResult<Vec<BodyDto>> {
    Ok(Json(
        state
            .store()
            .bodies()
            .await?
            .into_iter()
            .map(|b| BodyDto {
                slug: b.slug.to_string(),
                name: b.name.to_string(),
                level_names: b.level_names.into(),
                reference_scheme: b.reference_scheme.to_string(),
            })
            .collect(),
    ))
}

/// An ambition of the strategy.
#[derive(Serialize, ToSchema)]
pub struct AmbitionDto {
    number: u16,
    title: String,
    illustrative: bool,
}

/// The body's corporate strategy.
#[derive(Serialize, ToSchema)]
pub struct StrategyDto {
    title: String,
    years: String,
    ambitions: Vec<AmbitionDto>,
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/strategy", params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, body = StrategyDto), (status = 404, body = ApiError)))]
async fn strategy(State(state): State<AppState>, Ids(slug): Ids<String>) -> ApiResult<StrategyDto> {
    let body = body(&state, &slug).await?;
    let s = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(StrategyDto {
        title: s.title.to_string(),
        years: s.years.to_string(),
        ambitions: s
            .ambitions
            .into_iter()
            .map(|a| AmbitionDto {
                number: a.number,
                title: a.title.to_string(),
                illustrative: a.illustrative,
            })
            .collect(),
    }))
}

/// A plan as listed.
#[derive(Serialize, ToSchema)]
pub struct PlanSummaryDto {
    id: i64,
    portfolio_code: String,
    portfolio_name: String,
    year: String,
    published: bool,
    actions: i64,
}

/// A portfolio and the committee that scrutinises it.
#[derive(Serialize, ToSchema)]
pub struct PortfolioDto {
    id: i64,
    code: String,
    name: String,
    committee: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/portfolios", params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, body = Vec<PortfolioDto>), (status = 404, body = ApiError)))]
async fn portfolios(
    State(state): State<AppState>,
    Ids(slug): Ids<String>,
) -> ApiResult<Vec<PortfolioDto>> {
    let body = body(&state, &slug).await?;
    Ok(Json(
        state
            .store()
            .portfolios(body.id)
            .await?
            .into_iter()
            .map(|p| PortfolioDto {
                id: p.id.get(),
                code: p.code.to_string(),
                name: p.name.to_string(),
                committee: p.committee.map(|c| c.to_string()),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/plans", params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, body = Vec<PlanSummaryDto>), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
async fn plans(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
) -> ApiResult<Vec<PlanSummaryDto>> {
    let viewer = caller(&state, &headers).await?;
    let body = body(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let mut out = Vec::new();
    for p in state.store().body_plans(body.id).await?.into_iter() {
        let published = p.published;
        if published || access.sees_unpublished() {
            out.push(PlanSummaryDto {
                id: p.plan_id.get(),
                portfolio_code: p.portfolio_code,
                portfolio_name: p.portfolio_name,
                year: p.year.to_string(),
                published,
                actions: p.actions,
            });
        }
    }
    Ok(Json(out))
}

/// The plan `id` if the caller may see it, with the caller's access.
async fn visible_plan(
    state: &AppState,
    viewer: Option<&Viewer>,
    id: domain::PlanId,
) -> Result<(Plan, Access, Body), ApiError> {
    let plan = state.store().plan_by_id(id).await?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    let body = state.store().body_by_id(portfolio.body_id).await?;
    let access = Viewer::access(viewer, body.id);
    if plan.published_at.is_none() && !access.sees_unpublished() {
        return Err(ApiError::not_found());
    }
    Ok((plan, access, body))
}

/// An item of the plan tree (ambition, priority, statement).
#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    id: i64,
    parent_id: Option<i64>,
    level: String,
    /// The item's reference in the body's reference scheme: "10"
    /// (statement), "1.2" (dotted) or a free code such as "CP2".
    reference: Option<String>,
    title: String,
}

/// A measure of success.
#[derive(Serialize, ToSchema)]
pub struct MeasureDto {
    id: i64,
    /// "statement" or "indicator".
    kind: String,
    description: String,
    unit: Option<String>,
    direction: Option<String>,
    baseline: Option<f64>,
    target: Option<f64>,
}

/// A figure for an indicator.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActualDto {
    measure_id: i64,
    value: f64,
}

/// One action's progress in one period.
#[derive(Serialize, ToSchema)]
pub struct UpdateDto {
    id: i64,
    /// "H1 2022/23".
    period: String,
    /// complete, on_track, at_risk, off_track, not_started or deferred.
    status: String,
    commentary: String,
    percent: Option<u8>,
    key_achievement: bool,
    author: String,
    actuals: Vec<ActualDto>,
    updated_at: String,
    #[schema(value_type = i64)]
    version: domain::Version,
    /// Where it is in its sign-off: draft, submitted, returned or
    /// signed_off. Those who may not see work in progress see signed-off
    /// content only, so always signed_off.
    #[schema(pattern = "^(draft|submitted|returned|signed_off)$")]
    state: String,
    /// Whether signed-off content is published while this revision of it
    /// goes through sign-off again (shown to those who see work in progress).
    revising_signed_off: bool,
}

/// An action with its measures and updates.
#[derive(Serialize, ToSchema)]
pub struct ActionDto {
    id: i64,
    plan_id: i64,
    item_id: i64,
    /// The action's reference in its body's scheme: "10A", "1.2.3" or a free code.
    reference: String,
    title: String,
    lead: String,
    directorate: Option<String>,
    /// "2023-01" (a month) or "2023-01-31" (a day).
    target: Option<String>,
    continues: Option<i64>,
    illustrative: bool,
    measures: Vec<MeasureDto>,
    updates: Vec<UpdateDto>,
    #[schema(value_type = i64)]
    version: domain::Version,
}

fn update_dto(u: &domain::Update) -> UpdateDto {
    UpdateDto {
        id: u.id.get(),
        period: u.period.to_string(),
        status: u.input.status.as_str().to_owned(),
        commentary: u.input.commentary.to_string(),
        percent: u.input.percent.map(Percent::value),
        key_achievement: u.input.key_achievement,
        author: u.input.author.to_string(),
        actuals: u
            .input
            .actuals
            .iter()
            .map(|a| ActualDto {
                measure_id: a.measure_id.get(),
                value: a.value,
            })
            .collect(),
        updated_at: u.updated_at.to_rfc3339(),
        version: u.version,
        state: u.state.as_str().to_owned(),
        revising_signed_off: u.published.is_some(),
    }
}

fn action_dto(a: &Action, year: domain::FinancialYear, updates: Vec<UpdateDto>) -> ActionDto {
    ActionDto {
        id: a.id.get(),
        plan_id: a.plan_id.get(),
        item_id: a.item_id.get(),
        reference: a.details.reference.to_string(),
        title: a.details.title.to_string(),
        lead: a.details.lead.to_string(),
        directorate: a.details.directorate.as_ref().map(|d| d.to_string()),
        target: a.details.target.map(TargetDate::to_iso),
        continues: a.continues.map(domain::ActionId::get),
        illustrative: a.details.illustrative,
        measures: a
            .measures
            .iter()
            .map(|(id, m)| match m {
                Measure::Statement { text } => MeasureDto {
                    id: id.get(),
                    kind: "statement".into(),
                    description: text.to_string(),
                    unit: None,
                    direction: None,
                    baseline: None,
                    target: None,
                },
                Measure::Indicator(i) => MeasureDto {
                    id: id.get(),
                    kind: "indicator".into(),
                    description: i.name.to_string(),
                    unit: Some(i.unit.to_string()),
                    direction: Some(i.direction.as_str().into()),
                    baseline: i.baseline,
                    target: i.year_end_target(year),
                },
            })
            .collect(),
        updates,
        version: a.version,
    }
}

/// A whole plan.
#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    id: i64,
    year: String,
    published: bool,
    aligned_with: Vec<String>,
    items: Vec<ItemDto>,
    actions: Vec<ActionDto>,
    #[schema(value_type = i64)]
    version: domain::Version,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = PlanDto), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
async fn plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
) -> ApiResult<PlanDto> {
    let viewer = caller(&state, &headers).await?;
    let (plan, access, body) = visible_plan(&state, viewer.as_ref(), id).await?;
    let tree = visible::tree(&state, plan.id, &access).await?;
    Ok(Json(PlanDto {
        id: plan.id.get(),
        year: plan.year.to_string(),
        published: plan.published_at.is_some(),
        aligned_with: plan.alignments.iter().map(|a| a.name.to_string()).collect(),
        items: tree
            .items
            .iter()
            .map(|i| ItemDto {
                id: i.id.get(),
                parent_id: i.parent_id.map(domain::PlanItemId::get),
                level: body.level_names.name(i.depth).to_owned(),
                reference: i.reference.as_ref().map(ToString::to_string),
                title: i.title.to_string(),
            })
            .collect(),
        actions: tree
            .actions
            .iter()
            .map(|a| {
                action_dto(
                    a,
                    plan.year,
                    tree.updates
                        .iter()
                        .filter(|u| u.action_id == a.id)
                        .map(update_dto)
                        .collect(),
                )
            })
            .collect(),
        version: plan.version,
    }))
}

/// A plan as an export: the document `ambit export plan --format json`
/// writes, the plan page's JSON download gives and `ambit import plan`
/// reads (into an empty database too).
#[derive(Serialize, ToSchema)]
pub struct PlanExportDto {
    /// The body (name, slug, reference scheme, level names, RAG colours),
    /// its strategy and ambitions, the portfolio and its committee, and the
    /// plan's year, state (status, approval day, publication time),
    /// alignments and whether its records are illustrative.
    #[schema(value_type = Object)]
    about: serde_json::Value,
    /// The plan: its items (depth, reference, title, parent), actions
    /// (with their measures and the previous year's action each continues)
    /// and the updates the caller may see.
    #[schema(value_type = Object)]
    plan: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/export", params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = PlanExportDto), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
) -> ApiResult<PlanExportDto> {
    let viewer = caller(&state, &headers).await?;
    let (plan, access, body) = visible_plan(&state, viewer.as_ref(), id).await?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    let tree = visible::tree(&state, plan.id, &access).await?;
    let source = crate::export::Source::read(&state, body, portfolio, tree, &access).await?;
    let failed = |e: String| {
        tracing::error!("a plan's export failed: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the service failed; try again later",
        )
    };
    let dto = crate::export::gated(&state, move || {
        let export = source.export();
        Ok::<_, serde_json::Error>(PlanExportDto {
            about: serde_json::to_value(&export.about)?,
            plan: serde_json::to_value(&export.plan)?,
        })
    })
    .await
    .map_err(failed)?
    .map_err(|e| failed(e.to_string()))?;
    Ok(Json(dto))
}

/// A reporting period of a plan's year and how many of its actions have an update in it.
#[derive(Serialize, ToSchema)]
pub struct PeriodDto {
    /// "H1 2022/23".
    period: String,
    /// "H1" or "H2".
    half: String,
    /// "April to September" or "October to March".
    months: String,
    /// First day, ISO 8601.
    starts: String,
    /// Last day, ISO 8601.
    ends: String,
    /// Actions with an update in the period.
    updated: usize,
    /// Actions in the plan.
    actions: usize,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/periods", params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = Vec<PeriodDto>), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
async fn periods(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
) -> ApiResult<Vec<PeriodDto>> {
    let viewer = caller(&state, &headers).await?;
    let (plan, access, _) = visible_plan(&state, viewer.as_ref(), id).await?;
    let tree = visible::tree(&state, plan.id, &access).await?;
    Ok(Json(
        [Half::H1, Half::H2]
            .into_iter()
            .map(|h| {
                let p = ReportingPeriod::new(plan.year, h);
                PeriodDto {
                    period: p.to_string(),
                    half: h.to_string(),
                    months: h.months().into(),
                    starts: p.first_day().to_string(),
                    ends: p.last_day().to_string(),
                    updated: tree
                        .actions
                        .iter()
                        .filter(|a| tree.update_in(a.id, p).is_some())
                        .count(),
                    actions: tree.actions.len(),
                }
            })
            .collect(),
    ))
}

/// How many actions have one status.
#[derive(Serialize, ToSchema)]
pub struct StatusCount {
    status: String,
    count: u32,
}

/// Counts of statuses and the sentence a report uses.
#[derive(Serialize, ToSchema)]
pub struct RollUpDto {
    /// The period, or none for each action's latest update.
    period: Option<String>,
    sentence: String,
    total: u32,
    no_update: u32,
    counts: Vec<StatusCount>,
}

/// The roll-up's query.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// H1 or H2; omit for each action's latest update.
    period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/rollup", params(("id" = i64, Path, description = "The plan's id"), PeriodQuery),
    responses((status = 200, body = RollUpDto), (status = 404, body = ApiError), (status = 422, body = ApiError)), security((), ("bearer" = [])))]
async fn rollup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::PlanId>,
    Params(q): Params<PeriodQuery>,
) -> ApiResult<RollUpDto> {
    let viewer = caller(&state, &headers).await?;
    let (plan, access, _) = visible_plan(&state, viewer.as_ref(), id).await?;
    let period = q
        .period
        .as_deref()
        .map(str::parse::<Half>)
        .transpose()
        .map_err(ApiError::invalid)?
        .map(|h| ReportingPeriod::new(plan.year, h));
    let r = visible::tree(&state, plan.id, &access)
        .await?
        .rollup(period);
    Ok(Json(RollUpDto {
        period: period.map(|p| p.to_string()),
        sentence: r.sentence(),
        total: r.total(),
        no_update: r.no_update(),
        counts: Status::ALL
            .iter()
            .map(|s| StatusCount {
                status: s.as_str().into(),
                count: r.count(*s),
            })
            .collect(),
    }))
}

async fn visible_action(
    state: &AppState,
    viewer: Option<&Viewer>,
    id: domain::ActionId,
) -> Result<(Action, Plan, Access), ApiError> {
    let action = state.store().action(id).await?;
    let (plan, access, _) = visible_plan(state, viewer, action.plan_id).await?;
    Ok((action, plan, access))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}", params(("id" = i64, Path, description = "The action's id")),
    responses((status = 200, body = ActionDto), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::ActionId>,
) -> ApiResult<ActionDto> {
    let viewer = caller(&state, &headers).await?;
    let (action, plan, access) = visible_action(&state, viewer.as_ref(), id).await?;
    let updates = visible::updates(&state, &action, &access)
        .await?
        .iter()
        .map(update_dto)
        .collect();
    Ok(Json(action_dto(&action, plan.year, updates)))
}

/// New details for an action, based on `version`.
#[derive(Deserialize, ToSchema)]
pub struct ActionEdit {
    /// The version the change is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// The action's reference, in the body's reference scheme. The pattern
    /// is the union of the schemes' forms; the body's own scheme is checked
    /// and a reference of another form is refused with 422. Schemes:
    /// `statement` (a statement number from 1 to 999 with an optional
    /// letter, "10A", under statement "10"); `dotted` (two to six dotted
    /// numbers from 1 to 999 whose prefix is the item it sits under,
    /// "1.2.3" under "1.2"); `free` (up to 20 letters, digits, spaces and
    /// `-` `.` `/` `&`, starting and ending with a letter or digit:
    /// "CP2.3.1", "12-ENV03", "ASC 3.2", "P&R-07"). References are unique
    /// within a plan ignoring case and spaces.
    #[schema(pattern = r"^\s*[A-Za-z0-9]([A-Za-z0-9&./ -]{0,18}[A-Za-z0-9])?\s*$")]
    reference: String,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    title: String,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    lead: String,
    directorate: Option<String>,
    /// A month ("January 2023", "2023-01") or a day ("2023-01-31").
    target: Option<String>,
    /// Why an approved plan is amended (required when the plan is approved).
    amendment: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/actions/{id}", params(("id" = i64, Path, description = "The action's id")), request_body = ActionEdit,
    responses((status = 200, body = ActionDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn edit_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::ActionId>,
    Payload(edit): Payload<ActionEdit>,
) -> ApiResult<ActionDto> {
    let viewer = caller(&state, &headers).await?;
    if viewer.is_none() {
        return Err(forbidden(None));
    }
    let (action, plan, access) = visible_action(&state, viewer.as_ref(), id).await?;
    if !access.edits_plans() {
        return Err(forbidden(viewer.as_ref()));
    }
    let optional = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let scheme = {
        let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
        state
            .store()
            .body_by_id(portfolio.body_id)
            .await?
            .reference_scheme
    };
    let details = ActionDetails {
        reference: scheme
            .parse_action(&edit.reference)
            .map_err(ApiError::invalid)?,
        title: Title::parse("title", &edit.title).map_err(ApiError::invalid)?,
        lead: Title::parse("lead", &edit.lead).map_err(ApiError::invalid)?,
        directorate: optional(&edit.directorate)
            .map(|d| Title::parse("directorate", &d))
            .transpose()
            .map_err(ApiError::invalid)?,
        target: optional(&edit.target)
            .map(|t| t.parse::<TargetDate>())
            .transpose()
            .map_err(ApiError::invalid)?,
        illustrative: action.details.illustrative,
    };
    let viewer = viewer.expect("editors are signed in");
    let actor = format!("{} (API)", viewer.actor());
    let writer = match edit
        .amendment
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(reason) => state
            .store()
            .amending(&Text::parse("amendment", reason).map_err(ApiError::invalid)?)?,
        None => state.store().clone(),
    };
    let saved = writer
        .edit_action(&actor, id, edit.version, details)
        .await?;
    let updates = visible::updates(&state, &saved, &access)
        .await?
        .iter()
        .map(update_dto)
        .collect();
    Ok(Json(action_dto(&saved, plan.year, updates)))
}

/// An update, based on `version` of the existing one (omit, or 0, for a new
/// update: refused with 409 if someone has recorded one meanwhile).
#[derive(Deserialize, ToSchema)]
pub struct UpdateEdit {
    #[schema(value_type = Option<i64>)]
    version: Option<domain::Version>,
    /// complete, on track, at risk, off track, not started or deferred.
    #[schema(
        pattern = r"^(complete|on[ _-]track|at[ _-]risk|off[ _-]track|not[ _-]started|deferred)$"
    )]
    status: String,
    #[serde(default)]
    #[schema(max_length = 50000)]
    commentary: String,
    #[schema(minimum = 0, maximum = 100)]
    percent: Option<i64>,
    #[serde(default)]
    key_achievement: bool,
    #[serde(default)]
    actuals: Vec<ActualDto>,
    /// Why a signed-off update is being corrected. Performance officers
    /// only; the update stays signed off and the reason is kept in its
    /// history. Without it, saving over a signed-off update in an open
    /// period starts a revision that goes through sign-off again.
    #[schema(max_length = 50000)]
    correction: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/actions/{id}/updates/{half}", request_body = UpdateEdit,
    params(("id" = i64, Path, description = "The action's id"), ("half" = String, Path, description = "H1 or H2 of the action's plan year", pattern = "^(H1|H2)$")),
    responses((status = 200, body = UpdateDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn record_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids((id, half)): Ids<(domain::ActionId, String)>,
    Payload(edit): Payload<UpdateEdit>,
) -> ApiResult<UpdateDto> {
    let viewer = caller(&state, &headers).await?;
    if viewer.is_none() {
        return Err(forbidden(None));
    }
    let (action, plan, access) = visible_action(&state, viewer.as_ref(), id).await?;
    if !access.updates(&action) {
        return Err(forbidden(viewer.as_ref()));
    }
    let viewer = viewer.expect("updaters are signed in");
    let half: Half = half.parse().map_err(ApiError::invalid)?;
    let input = UpdateInput {
        status: edit.status.parse().map_err(ApiError::invalid)?,
        commentary: Text::parse("commentary", &edit.commentary).map_err(ApiError::invalid)?,
        percent: edit
            .percent
            .map(Percent::try_from)
            .transpose()
            .map_err(ApiError::invalid)?,
        key_achievement: edit.key_achievement,
        actuals: edit
            .actuals
            .iter()
            .map(|a| MeasureActual {
                measure_id: domain::MeasureId::new(a.measure_id),
                value: a.value,
            })
            .collect(),
        author: viewer.user.name.clone(),
        illustrative: false,
    };
    let actor = format!("{} (API)", viewer.actor());
    let period = ReportingPeriod::new(plan.year, half);
    let version = edit.version.unwrap_or(domain::Version::new(0));
    let reason = edit
        .correction
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let saved = match reason {
        Some(reason) => {
            if !access.signs_off() {
                return Err(forbidden(Some(&viewer)));
            }
            let reason = Text::parse("correction", reason).map_err(ApiError::invalid)?;
            let current = state
                .store()
                .updates_of(id)
                .await?
                .into_iter()
                .find(|u| u.period == period)
                .ok_or_else(ApiError::not_found)?;
            state
                .store()
                .correct_update(&actor, current.id, version, input, &reason)
                .await?
        }
        None => {
            state
                .store()
                .record_update(&actor, id, period, input, Some(version))
                .await?
        }
    };
    Ok(Json(update_dto(&saved)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every API path, for the completeness test.
    const PATHS: &[&str] = &[
        "/api/v1/bodies",
        "/api/v1/bodies/{body}/strategy",
        "/api/v1/bodies/{body}/portfolios",
        "/api/v1/bodies/{body}/plans",
        "/api/v1/bodies/{body}/committees",
        "/api/v1/bodies/{body}/home",
        "/api/v1/committees/{id}",
        "/api/v1/committees/{id}/commitments",
        "/api/v1/meetings/{id}",
        "/api/v1/actions/{id}/questions",
        "/api/v1/actions/{id}/commitments",
        "/api/v1/commitments/{id}/close",
        "/api/v1/plans/{id}/periods",
        "/api/v1/plans/{id}",
        "/api/v1/plans/{id}/rollup",
        "/api/v1/plans/{id}/export",
        "/api/v1/actions/{id}",
        "/api/v1/actions/{id}/updates/{half}",
        "/api/v1/plans/{id}/periods/{half}/open",
        "/api/v1/plans/{id}/periods/{half}/close",
        "/api/v1/updates/{id}/submit",
        "/api/v1/updates/{id}/sign-off",
        "/api/v1/updates/{id}/return",
        "/api/v1/bodies/{body}/sign-off",
        "/api/v1/plans/{id}/refresh",
        "/api/v1/plans/{id}/approve",
        "/api/v1/meetings/{id}/publish",
        "/api/v1/actions/{id}/measures",
        "/api/v1/bodies/{body}/packs",
        "/api/v1/packs/{id}",
        "/api/v1/plans/{id}/periods/{half}/packs",
        "/api/v1/bodies/{body}/search",
    ];

    #[test]
    fn every_api_route_is_in_the_openapi_document() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        for path in PATHS {
            assert!(
                documented.iter().any(|d| d == path),
                "{path} is not documented"
            );
        }
        assert_eq!(
            documented.len(),
            PATHS.len(),
            "the document lists a path the router does not serve"
        );
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
