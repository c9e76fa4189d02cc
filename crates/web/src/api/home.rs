//! A signed-in person's home in a body, as JSON: the same sections as the
//! home page (`crate::home`), for their role there.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiError, ApiResult, Ids, Params, body, caller, forbidden};
use crate::AppState;
use crate::auth::Viewer;
use crate::home::{Filters, HomeDto};

/// The filters of the officer's list of updates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct HomeQuery {
    /// Only updates in this state: not started, draft, submitted, returned
    /// or signed off (any other value filters nothing).
    state: Option<String>,
    /// Only updates of actions with this lead role (owner).
    owner: Option<String>,
    /// The page of the updates, from 1, at most 50 a page (`pages` in the
    /// answer says how many there are).
    page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/home",
    params(("body" = String, Path, description = "The body's slug", example = "bromley"), HomeQuery),
    responses((status = 200, body = HomeDto), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub(super) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
    Params(q): Params<HomeQuery>,
) -> ApiResult<HomeDto> {
    let viewer = caller(&state, &headers).await?;
    let Some(viewer) = viewer else {
        return Err(forbidden(None));
    };
    let body = body(&state, &slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let filters = Filters {
        state: q.state,
        owner: q.owner,
        page: q.page,
    };
    crate::home::build(&state, &viewer, &body, &access, &filters)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}
