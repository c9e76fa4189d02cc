//! A read-only OParl 1.1 API under `/oparl/v1.1/`: the System object (the
//! entry point), each body with its committees (Organization), published
//! meetings (Meeting, with their AgendaItems and Location), published
//! committee report packs (Paper, each format a File whose `accessUrl`
//! downloads the stored bytes), the Consultation of a pack at the meeting
//! it went to, and every committee's members (Person, Membership: a name,
//! a role and a term, as the committee pages show them to everyone).
//!
//! Everything is what the public sees on the pages: published meetings,
//! the packs of published plans, the committees' members; nothing depends
//! on who asks, so the answers may be cached. Lists are paged (`page`,
//! `limit` up to [`MAX_LIMIT`]) with `links` (`first`, `prev`, `next`,
//! `last`) and `pagination` totals, and filtered by `created_since`,
//! `created_until`, `modified_since` and `modified_until` (RFC 3339
//! times), which the links keep. Object addresses are absolute, on the
//! host the request named.

mod objects;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset};
use domain::{Access, Body};
use serde_json::{Value, json};
use store::StoreError;

use crate::AppState;
pub(crate) use objects::root;
use objects::{Kind, Snapshot};

/// Objects per page unless the client asks for fewer or more.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// The most objects one page holds, whatever the client asks.
pub(crate) const MAX_LIMIT: usize = 500;

/// The OParl routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oparl/v1.1",
            get(|| async { Redirect::permanent("/oparl/v1.1/") }),
        )
        .route("/oparl/v1.1/", get(system))
        .route("/oparl/v1.1/bodies", get(bodies))
        .route("/oparl/v1.1/bodies/{body}", get(body))
        .route("/oparl/v1.1/bodies/{body}/{list}", get(list))
        .route("/oparl/v1.1/bodies/{body}/{kind}/{id}", get(object))
        .route(
            "/oparl/v1.1/bodies/{body}/organization/{id}/meetings",
            get(committee_meetings),
        )
}

/// Why an OParl request was not answered with what it asked for.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OparlError {
    /// No such body or object, or not one the public may see.
    #[error("there is no such object: start from the System object at /oparl/v1.1/")]
    NotFound,
    /// A query parameter could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// The request named no usable host to build addresses on.
    #[error("the request's Host header is missing or not a host name")]
    NoHost,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for OparlError {
    fn into_response(self) -> Response {
        let status = match &self {
            OparlError::NotFound => StatusCode::NOT_FOUND,
            OparlError::BadRequest(_) | OparlError::NoHost => StatusCode::BAD_REQUEST,
            OparlError::Store(StoreError::NotFound { .. }) => StatusCode::NOT_FOUND,
            OparlError::Store(e) => {
                tracing::error!(error = %e, "OParl request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            OparlError::Store(StoreError::NotFound { .. }) => OparlError::NotFound.to_string(),
            OparlError::Store(_) => "the server could not read its records; try again later".into(),
            other => other.to_string(),
        };
        let mut response = (status, json_body(&json!({ "error": message }))).into_response();
        oparl_headers(&mut response);
        response
    }
}

type OparlResult = Result<Response, OparlError>;

fn json_body(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn oparl_headers(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    // Public data, readable by any web page's scripts.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}

fn answer(v: &Value) -> Response {
    let mut response = json_body(v).into_response();
    oparl_headers(&mut response);
    response
}

/// `scheme://host` of this site, from the request's `Host` header (letters,
/// digits, dots, hyphens, a port; an IPv6 address in brackets).
pub(crate) fn site(state: &AppState, headers: &HeaderMap) -> Result<String, OparlError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .ok_or(OparlError::NoHost)?;
    let scheme = if state.secure_cookies() {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// The query parameters of a list: filters and paging.
#[derive(Debug, Default)]
struct ListQuery {
    created_since: Option<(String, DateTime<FixedOffset>)>,
    created_until: Option<(String, DateTime<FixedOffset>)>,
    modified_since: Option<(String, DateTime<FixedOffset>)>,
    modified_until: Option<(String, DateTime<FixedOffset>)>,
    limit: Option<usize>,
    page: usize,
}

impl ListQuery {
    /// Read the parameters, refusing a bad value with a message naming it.
    fn parse(
        raw: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, OparlError> {
        let Query(pairs) = raw.map_err(|e| OparlError::BadRequest(e.body_text()))?;
        let mut q = ListQuery {
            page: 1,
            ..Default::default()
        };
        for (name, value) in pairs {
            let time = || {
                DateTime::parse_from_rfc3339(value.trim())
                    .map(|t| (value.trim().to_owned(), t))
                    .map_err(|_| {
                        OparlError::BadRequest(format!(
                            "{name} must be a date and time with its offset, such as \
                             2024-04-01T00:00:00Z; it was {value:?}"
                        ))
                    })
            };
            let number = |least: usize| {
                value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= least)
                    .ok_or_else(|| {
                        OparlError::BadRequest(format!(
                            "{name} must be a whole number of at least {least}; it was {value:?}"
                        ))
                    })
            };
            match name.as_str() {
                "created_since" => q.created_since = Some(time()?),
                "created_until" => q.created_until = Some(time()?),
                "modified_since" => q.modified_since = Some(time()?),
                "modified_until" => q.modified_until = Some(time()?),
                "limit" => q.limit = Some(number(1)?.min(MAX_LIMIT)),
                "page" => q.page = number(1)?,
                // Parameters OParl does not define (omit_internal among
                // them: Ambit has no internal objects) are ignored.
                _ => {}
            }
        }
        Ok(q)
    }

    /// Whether object `o` passes the filters.
    fn keeps(&self, o: &Value) -> bool {
        let at = |field: &str| {
            o[field]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        };
        let (created, modified) = (at("created"), at("modified"));
        let since = |bound: &Option<(String, DateTime<FixedOffset>)>, t: Option<_>| {
            bound
                .as_ref()
                .is_none_or(|(_, b)| t.is_some_and(|t| t >= *b))
        };
        let until = |bound: &Option<(String, DateTime<FixedOffset>)>, t: Option<_>| {
            bound
                .as_ref()
                .is_none_or(|(_, b)| t.is_some_and(|t| t <= *b))
        };
        since(&self.created_since, created)
            && until(&self.created_until, created)
            && since(&self.modified_since, modified)
            && until(&self.modified_until, modified)
    }

    /// The address of page `page` of the list at `base`, with the same
    /// filters and limit.
    fn href(&self, base: &str, page: usize) -> String {
        let mut params: Vec<(&str, String)> = [
            ("created_since", &self.created_since),
            ("created_until", &self.created_until),
            ("modified_since", &self.modified_since),
            ("modified_until", &self.modified_until),
        ]
        .into_iter()
        .filter_map(|(n, v)| {
            v.as_ref()
                .map(|(raw, _)| (n, crate::views::query_encode(raw)))
        })
        .collect();
        if let Some(limit) = self.limit {
            params.push(("limit", limit.to_string()));
        }
        if page != 1 {
            params.push(("page", page.to_string()));
        }
        if params.is_empty() {
            return base.to_owned();
        }
        let query = params
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        format!("{base}?{query}")
    }
}

/// One page of `objects` (those passing the filters), as OParl lists it.
fn page_of(objects: Vec<Value>, q: &ListQuery, base: &str) -> Value {
    let kept: Vec<Value> = objects.into_iter().filter(|o| q.keeps(o)).collect();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let total = kept.len();
    let pages = total.div_ceil(limit).max(1);
    let data: Vec<Value> = kept
        .into_iter()
        .skip((q.page - 1).saturating_mul(limit))
        .take(limit)
        .collect();
    let mut links = serde_json::Map::new();
    links.insert("first".into(), q.href(base, 1).into());
    if q.page > 1 {
        links.insert("prev".into(), q.href(base, (q.page - 1).min(pages)).into());
    }
    if q.page < pages {
        links.insert("next".into(), q.href(base, q.page + 1).into());
    }
    links.insert("last".into(), q.href(base, pages).into());
    json!({
        "data": data,
        "pagination": {
            "totalElements": total,
            "elementsPerPage": limit,
            "currentPage": q.page,
            "totalPages": pages,
        },
        "links": links,
    })
}

/// What the public sees of body `slug` through OParl.
async fn snapshot(state: &AppState, site: String, slug: &str) -> Result<Snapshot, OparlError> {
    let Ok(slug) = slug.parse() else {
        return Err(OparlError::NotFound);
    };
    let body: Body = state.store().body(&slug).await?;
    let access = Access::Public;
    let record = state.store().public_record(body.id).await?;
    let packs = state
        .store()
        .published_packs(body.id, None)
        .await?
        .into_iter()
        .filter(|p| p.plan_published || access.sees_unpublished())
        .rev()
        .collect();
    // Who sits on which committee, in what role and for what term, is
    // public, as on the committee page: a name, a role and dates, nothing
    // of anyone's account.
    let members = state.store().dated_members(body.id).await?;
    Ok(Snapshot {
        site,
        body,
        record,
        packs,
        members,
    })
}

/// `GET /oparl/v1.1/`: the System object.
async fn system(State(state): State<AppState>, headers: HeaderMap) -> OparlResult {
    let site = site(&state, &headers)?;
    let stamps = state.store().body_stamps().await?;
    Ok(answer(&objects::system(
        &site,
        &stamps.values().collect::<Vec<_>>(),
    )))
}

/// `GET /oparl/v1.1/bodies`: every body.
async fn bodies(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> OparlResult {
    let site = site(&state, &headers)?;
    let q = ListQuery::parse(query)?;
    let stamps = state.store().body_stamps().await?;
    let mut all = state.store().bodies().await?;
    all.sort_by_key(|b| b.id);
    let objects = all
        .iter()
        .filter_map(|b| stamps.get(&b.id).map(|s| objects::body(&site, b, s)))
        .collect();
    let base = format!("{}/bodies", root(&site));
    Ok(answer(&page_of(objects, &q, &base)))
}

/// `GET /oparl/v1.1/bodies/{body}`: one Body.
async fn body(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> OparlResult {
    let site = site(&state, &headers)?;
    let Ok(slug) = slug.parse() else {
        return Err(OparlError::NotFound);
    };
    let body = state.store().body(&slug).await?;
    let stamps = state.store().body_stamps().await?;
    let s = stamps.get(&body.id).ok_or(OparlError::NotFound)?;
    Ok(answer(&objects::body(&site, &body, s)))
}

/// `GET /oparl/v1.1/bodies/{body}/{list}`: one of a body's lists.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, list)): Path<(String, String)>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> OparlResult {
    let kind = Kind::from_list(&list).ok_or(OparlError::NotFound)?;
    let q = ListQuery::parse(query)?;
    let snapshot = snapshot(&state, site(&state, &headers)?, &slug).await?;
    let base = format!(
        "{}/{}",
        objects::body_base(&snapshot.site, &snapshot.body),
        kind.list()
    );
    Ok(answer(&page_of(snapshot.objects(kind), &q, &base)))
}

/// `GET /oparl/v1.1/bodies/{body}/{kind}/{id}`: one object.
async fn object(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, kind, id)): Path<(String, String, String)>,
) -> OparlResult {
    let kind = Kind::from_one(&kind).ok_or(OparlError::NotFound)?;
    let snapshot = snapshot(&state, site(&state, &headers)?, &slug).await?;
    let found = match kind {
        Kind::Organization => id.parse().ok().and_then(|id| snapshot.organization(id)),
        _ => snapshot.object(kind, &id),
    };
    Ok(answer(&found.ok_or(OparlError::NotFound)?))
}

/// `GET /oparl/v1.1/bodies/{body}/organization/{id}/meetings`: a
/// committee's published meetings.
async fn committee_meetings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> OparlResult {
    let q = ListQuery::parse(query)?;
    let snapshot = snapshot(&state, site(&state, &headers)?, &slug).await?;
    let id: domain::CommitteeId = id.parse().map_err(|_| OparlError::NotFound)?;
    if !snapshot.has_committee(id) {
        return Err(OparlError::NotFound);
    }
    let base = format!(
        "{}/organization/{id}/meetings",
        objects::body_base(&snapshot.site, &snapshot.body)
    );
    Ok(answer(&page_of(
        snapshot.meetings(Some(id.get())),
        &q,
        &base,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_encoded() {
        let t = DateTime::parse_from_rfc3339("2024-04-01T00:00:00+01:00").unwrap();
        let q = ListQuery {
            modified_since: Some(("2024-04-01T00:00:00+01:00".into(), t)),
            limit: Some(2),
            page: 1,
            ..Default::default()
        };
        assert_eq!(
            q.href("http://x/l", 3),
            "http://x/l?modified_since=2024-04-01T00%3A00%3A00%2B01%3A00&limit=2&page=3"
        );
        assert_eq!(
            ListQuery {
                page: 1,
                ..Default::default()
            }
            .href("http://x/l", 1),
            "http://x/l"
        );
    }

    #[test]
    fn pages_count_and_link_what_passes_the_filters() {
        let objects: Vec<Value> = (1..=5)
            .map(|i| json!({"id": i, "created": format!("2024-0{i}-01T00:00:00Z"), "modified": "2024-06-01T00:00:00Z"}))
            .collect();
        let q = ListQuery {
            created_since: Some((
                "2024-02-01T00:00:00Z".into(),
                DateTime::parse_from_rfc3339("2024-02-01T00:00:00Z").unwrap(),
            )),
            limit: Some(3),
            page: 2,
            ..Default::default()
        };
        let page = page_of(objects, &q, "http://x/l");
        assert_eq!(page["pagination"]["totalElements"], 4);
        assert_eq!(page["pagination"]["totalPages"], 2);
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        assert_eq!(page["data"][0]["id"], 5);
        assert!(page["links"].get("next").is_none());
        assert!(page["links"]["prev"].as_str().unwrap().ends_with("limit=3"));
    }
}
