//! Public pages kept once rendered, with validators.
//!
//! A page asked for by someone not signed in (no session cookie, no API
//! token) is the same for everyone while the data is the same, so it is
//! kept in memory under its address, stamped with the database's
//! [`store::DataVersion`] (read on every request, one indexed query).
//! Any write, by this process or another over the same database, moves
//! the version and so empties the cache before the next public request
//! is answered: nothing here can go stale across several servers. The
//! day is part of the stamp too, since a promise's standing (overdue or
//! not) depends on it.
//!
//! Every public page and JSON answer kept here carries a weak `ETag` (a
//! hash of its bytes, the same in every server process) and is answered
//! `304 Not Modified` when the request's `If-None-Match` names it. They
//! go out `Cache-Control: public, no-cache` (any cache may keep them, but
//! must ask again each time, so an edit is seen at once) with `Vary:
//! Cookie, Authorization`, so a shared cache never hands the public's page
//! to someone signed in or the other way round. Pages of signed-in people
//! are never kept here, and go out `no-store` (see `hygiene` in `lib.rs`).
//!
//! There is no `Last-Modified`: the data's last change is known to the
//! second at best, too coarse to tell a page changed within the second it
//! was fetched; the ETag says it exactly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use store::DataVersion;

use crate::{AppState, auth};

/// The largest page kept (1 MiB); larger answers are sent as they are.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The most kept at once, all pages together (32 MiB); past it the cache
/// starts again empty.
const MAX_TOTAL_BYTES: usize = 32 * 1024 * 1024;

/// The public pages rendered since the data last changed.
#[derive(Default)]
pub(crate) struct PageCache {
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    version: Option<(DataVersion, NaiveDate)>,
    pages: HashMap<String, Arc<Page>>,
    bytes: usize,
}

/// One kept answer.
struct Page {
    /// The handler's headers (type, security policy, disposition).
    headers: HeaderMap,
    etag: HeaderValue,
    body: Bytes,
}

impl PageCache {
    /// The page kept under `key` for `version`, emptying the cache first
    /// when the version has moved.
    fn get(&self, version: &(DataVersion, NaiveDate), key: &str) -> Option<Arc<Page>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if e.version.as_ref() != Some(version) {
            *e = Entries {
                version: Some(*version),
                ..Entries::default()
            };
            return None;
        }
        e.pages.get(key).cloned()
    }

    /// Keep `page` under `key`, if the data is still at `version`.
    fn put(&self, version: &(DataVersion, NaiveDate), key: String, page: Arc<Page>) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if e.version.as_ref() != Some(version) {
            return;
        }
        if e.bytes + page.body.len() > MAX_TOTAL_BYTES {
            e.pages.clear();
            e.bytes = 0;
        }
        e.bytes += page.body.len();
        if let Some(old) = e.pages.insert(key, page) {
            e.bytes -= old.body.len();
        }
    }
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison:
/// `W/` prefixes ignored, as for any GET), or is `*`.
pub(crate) fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let want = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == want)
}

/// Whether an answer to this request may be shared: a GET from someone
/// not signed in, for a page that is the same for all of them.
fn shareable(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && !request.headers().contains_key(header::AUTHORIZATION)
        && auth::cookie(request.headers(), auth::SESSION_COOKIE).is_none()
        && !path.starts_with("/assets/")
        && !path.starts_with("/sign-in")
        && !path.starts_with("/sso/")
        && !path.contains("/audit/")
        && !path.ends_with("/report")
        && !path.ends_with("/refresh-report")
}

/// Whether a response's type is one kept: a page or a JSON document.
fn kept_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|s| s.starts_with("text/html") || s.starts_with("application/json"))
}

/// The answer from a kept page: 304 when the client has it already.
fn answer(page: &Page, request_headers: &HeaderMap) -> Response {
    let mut r = if etag_matches(request_headers, page.etag.to_str().unwrap_or_default()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(page.body.clone()))
    };
    let h = r.headers_mut();
    for (name, value) in &page.headers {
        h.insert(name, value.clone());
    }
    h.insert(header::ETAG, page.etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Authorization"),
    );
    r
}

/// The layer: serve a shareable request from the cache, or render it and
/// keep the answer when it is a successful page setting no cookie.
pub(crate) async fn public_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !shareable(&request) {
        return next.run(request).await;
    }
    let data = match state.store().data_version().await {
        Ok(data) => data,
        // The database is out of service: answered now, not after the page
        // has waited for it a second time.
        Err(e) if e.outage().is_some() => {
            return if crate::is_api(request.uri().path()) {
                crate::api::ApiError::from(e).into_response()
            } else {
                crate::error::WebError::Store(e).into_response()
            };
        }
        Err(_) => return next.run(request).await,
    };
    let version = (data, crate::record::today());
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let key = format!(
        "{host} {}",
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    let headers = request.headers().clone();
    if let Some(page) = state.pages().get(&version, &key) {
        return answer(&page, &headers);
    }
    let response = next.run(request).await;
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= MAX_PAGE_BYTES as u64);
    if response.status() != StatusCode::OK
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
        || !kept_type(response.headers())
        || !small
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let Ok(etag) = HeaderValue::from_str(&format!("W/\"{hex}\"")) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    for name in [header::CONTENT_LENGTH, header::DATE, header::ETAG] {
        parts.headers.remove(name);
    }
    let page = Arc::new(Page {
        headers: parts.headers,
        etag,
        body: bytes,
    });
    state.pages().put(&version, key, page.clone());
    answer(&page, &headers)
}
