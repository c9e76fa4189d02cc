//! Searching a body's record as JSON: the same search, rules and results
//! as the search page (`crate::search`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use domain::ParseError;

use super::{ApiError, ApiResult, Ids, body, caller};
use crate::AppState;
use crate::auth::Viewer;
use crate::search::{self, SearchDto};

#[utoipa::path(get, path = "/api/v1/bodies/{body}/search",
    params(("body" = String, Path, description = "The body's slug", example = "bromley"),
        ("q" = String, Query, description = "Words to look for, and \"phrases\" in double quotes; every one must match (word endings are ignored: \"reported\" finds \"reporting\"). Other characters and the most common words are ignored; at most 200 characters and 12 words", example = "carers respite"),
        ("page" = Option<i64>, Query, description = "The page of results, from 1 (20 a page)", minimum = 1, maximum = 500)),
    responses((status = 200, description = "The records of the body matching, best first: actions, updates' commentary, questions, promises and minutes. The public finds what is published only (and signed-off commentary); people of the body what their role lets them see", body = SearchDto),
        (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 422, description = "No search given, or one too long, or only punctuation and common words; or a page out of range", body = ApiError)))]
pub(super) async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<SearchDto> {
    let viewer = caller(&state, &headers).await?;
    let body = body(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let asked = match search::asked(&params) {
        None => {
            return Err(ApiError::invalid(ParseError::new(
                "q",
                "",
                "a word or two to search for, as ?q=…",
            )));
        }
        Some(Err(e)) => return Err(ApiError::invalid(e)),
        Some(Ok(asked)) => asked,
    };
    let results = search::run(&state, &body, &access, &asked).await?;
    Ok(Json(search::dto(&body.slug.to_string(), &asked, results)))
}
