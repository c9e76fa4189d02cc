//! Published committee report packs as JSON: a body's packs and one pack
//! with its files' sizes and SHA-256, and publishing a period's pack, the
//! same as the period page does it (`crate::packs::publish_pack`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::Access;
use serde::Serialize;
use store::{PublishedPack, StoreError};
use utoipa::ToSchema;

use super::cycle::officer_on_plan;
use super::{ApiError, ApiResult, Ids, body, caller};
use crate::AppState;
use crate::auth::Viewer;
use crate::packs::PublishError;

/// A published pack: frozen, exactly as the committee received it.
#[derive(Serialize, ToSchema)]
pub struct PackDto {
    id: i64,
    /// The body's slug.
    body: String,
    /// The report's reference, unique within the body: "ACH24-030".
    reference: String,
    /// The portfolio's code.
    portfolio: String,
    /// The plan's id.
    plan_id: i64,
    /// The plan's year: "2023/24".
    year: String,
    /// "H1" or "H2".
    half: String,
    /// The committee it went to.
    committee: String,
    /// The meeting's date (YYYY-MM-DD).
    meeting_date: Option<String>,
    /// The pack's title.
    title: String,
    /// The SHA-256 (hex) of the data version the files were rendered from.
    data_sha256: String,
    /// Who published it: given to people of the body only.
    #[serde(skip_serializing_if = "Option::is_none")]
    published_by: Option<String>,
    /// When it was published (UTC, RFC 3339).
    published_at: String,
    /// Its files.
    files: Vec<PackFileDto>,
}

/// One file of a published pack.
#[derive(Serialize, ToSchema)]
pub struct PackFileDto {
    /// "html", "pdf", "docx" or "xlsx".
    format: String,
    /// Its size in bytes.
    size: i64,
    /// The SHA-256 of its bytes, in lower-case hex.
    sha256: String,
    /// Where to download it.
    href: String,
}

fn pack_dto(p: PublishedPack, access: &Access) -> PackDto {
    PackDto {
        files: p
            .files
            .iter()
            .map(|f| PackFileDto {
                href: format!("/b/{}/packs/{}/{}", p.body_slug, p.id, f.format),
                format: f.format.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
            })
            .collect(),
        id: p.id,
        body: p.body_slug,
        reference: p.reference,
        portfolio: p.portfolio.to_string(),
        plan_id: p.plan_id.get(),
        year: p.period.year.to_string(),
        half: p.period.half.to_string(),
        committee: p.committee,
        meeting_date: p.meeting_date.map(|d| d.to_string()),
        title: p.title,
        data_sha256: p.data_sha256,
        published_by: access.sees_unpublished().then_some(p.published_by),
        published_at: p.published_at,
    }
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/packs",
    params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, description = "The body's published packs, newest first; the public gets those of published plans only", body = Vec<PackDto>),
        (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn packs(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
) -> ApiResult<Vec<PackDto>> {
    let viewer = caller(&state, &headers).await?;
    let body = body(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    Ok(Json(
        state
            .store()
            .published_packs(body.id, None)
            .await?
            .into_iter()
            .filter(|p| p.plan_published || access.sees_unpublished())
            .map(|p| pack_dto(p, &access))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/packs/{id}",
    params(("id" = i64, Path, description = "The pack's id")),
    responses((status = 200, body = PackDto), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn pack(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<i64>,
) -> ApiResult<PackDto> {
    let viewer = caller(&state, &headers).await?;
    let pack = match state.store().published_pack(id).await {
        Err(StoreError::NotFound { .. }) => return Err(ApiError::not_found()),
        other => other?,
    };
    let access = Viewer::access(viewer.as_ref(), pack.body_id);
    if !(pack.plan_published || access.sees_unpublished()) {
        return Err(ApiError::not_found());
    }
    Ok(Json(pack_dto(pack, &access)))
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/periods/{half}/packs",
    params(("id" = i64, Path, description = "The plan's id"), ("half" = String, Path, description = "H1 or H2 of the plan's year", pattern = "^(H1|H2)$")),
    responses((status = 200, description = "The period's pack is published, in every format, under the reference on its saved cover", body = PackDto),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "A pack with this reference is already published: a revised pack needs a new reference", body = ApiError),
        (status = 422, description = "The cover has no reference", body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids((id, half_raw)): Ids<(domain::PlanId, String)>,
) -> ApiResult<PackDto> {
    let (viewer, plan, access, body) = officer_on_plan(&state, &headers, id).await?;
    let half = half_raw.parse().map_err(ApiError::invalid)?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    let permit = state.downloads().acquire().await.map_err(|_| failed())?;
    let published = crate::packs::publish_pack(
        state.store(),
        &format!("{} (API)", viewer.actor()),
        &body.slug,
        &portfolio.code,
        plan.year,
        half,
    )
    .await;
    drop(permit);
    match published {
        Ok(p) => Ok(Json(pack_dto(p, &access))),
        Err(PublishError::Store(e)) => Err(e.into()),
        Err(e) => {
            tracing::error!("{e}");
            Err(failed())
        }
    }
}

fn failed() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the pack could not be made; nothing was published; try again later",
    )
}
