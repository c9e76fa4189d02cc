//! The plumbing every page shares, below the page modules: who is asking
//! (the session's viewer), the body in the address, the page frame
//! (`chrome`), the CSRF check of a posted form, the sign-in redirect, the
//! confirmation query (`DoneQuery`) and plans' addresses. No page module
//! is needed to use them.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use domain::{Access, Action, Body, FinancialYear, Plan, PlanTree};
use serde::Deserialize;
use store::StoreError;

use crate::auth::{self, Viewer};
use crate::error::WebError;
use crate::views::Chrome;
use crate::{AppState, visible};

/// What a page handler answers: the page, or the error page.
pub(crate) type PageResult = Result<Response, WebError>;

/// A rendered page, 200 OK.
pub(crate) fn html(page: impl Template) -> PageResult {
    Ok(Html(page.render()?).into_response())
}

/// The year as it appears in addresses: "2022-23".
pub(crate) fn year_slug(year: FinancialYear) -> String {
    year.to_string().replace('/', "-")
}

/// The address of a plan's page.
pub(crate) fn plan_href(body: &str, code: &str, year: FinancialYear) -> String {
    format!("/b/{body}/plans/{code}/{}", year_slug(year))
}

/// The signed-in person, from the session cookie.
pub(crate) async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Viewer>, WebError> {
    let Some(token) = auth::cookie(headers, auth::SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((user, csrf)) = state.store().session(&auth::token_hash(&token)).await? else {
        return Ok(None);
    };
    let memberships = state.store().memberships(user.id).await?;
    Ok(Some(Viewer {
        user,
        memberships,
        csrf: Some(csrf),
    }))
}

/// The page frame's header and navigation for `viewer` in `body`.
pub(crate) fn chrome(viewer: Option<&Viewer>, body: Option<&Body>) -> Chrome {
    let access = body.map(|b| Viewer::access(viewer, b.id));
    Chrome {
        signed_in_as: viewer.map(|v| v.user.name.to_string()),
        role: match access {
            Some(Access::Member { role, .. }) => Some(role.label().to_owned()),
            _ => None,
        },
        csrf: viewer.and_then(|v| v.csrf.clone()).unwrap_or_default(),
        body: body.map(|b| (b.slug.to_string(), b.name.to_string())),
        my_updates: match (access, body) {
            (
                Some(Access::Member {
                    role: domain::Role::ActionLead,
                    ..
                }),
                Some(b),
            ) => Some(format!("/b/{}/my-updates", b.slug)),
            _ => None,
        },
        home: viewer.map(|v| match body {
            Some(b) if v.memberships.iter().any(|m| m.body_id == b.id) => {
                format!("/b/{}/home", b.slug)
            }
            _ => "/home".to_owned(),
        }),
    }
}

/// The body whose slug is in the address, or the 404 page.
pub(crate) async fn body_for(state: &AppState, slug: &str) -> Result<Body, WebError> {
    let slug = slug.parse().map_err(|_| WebError::NotFound)?;
    match state.store().body(&slug).await {
        Err(StoreError::NotFound { .. }) => Err(WebError::NotFound),
        other => Ok(other?),
    }
}

/// Check a posted form's CSRF token against the session's. (Its origin is
/// checked for every form by the router's `same_origin_forms` layer.)
pub(crate) fn check_form(
    _headers: &HeaderMap,
    viewer: &Viewer,
    token: &str,
) -> Result<(), WebError> {
    let expected = viewer.csrf.as_deref().unwrap_or_default();
    if expected.is_empty() || !auth::same_secret(expected, token) {
        return Err(WebError::Forged);
    }
    Ok(())
}

/// The answer to someone not signed in: the sign-in page, coming back to `path`.
pub(crate) fn need_sign_in(path: &str) -> WebError {
    WebError::SignIn {
        next: path.to_owned(),
    }
}

/// What was just done, for a banner on the page it lands on.
#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    /// "saved", "submitted", "signed-off", "returned", "opened", "closed".
    pub(crate) done: Option<String>,
    /// The update it was done to.
    pub(crate) update: Option<i64>,
    /// The pack published ("published").
    pub(crate) pack: Option<i64>,
}

/// The sign-out form.
#[derive(Debug, Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// The action at `/b/{body}/actions/{id}` with its plan, if the viewer may see it.
pub(crate) async fn visible_action(
    state: &AppState,
    body: &Body,
    access: &Access,
    id: &str,
) -> Result<(Action, Plan, domain::Portfolio, std::sync::Arc<PlanTree>), WebError> {
    let id: domain::ActionId = id.parse().map_err(|_| WebError::NotFound)?;
    let action = match state.store().action(id).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let plan = state.store().plan_by_id(action.plan_id).await?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    if portfolio.body_id != body.id || (plan.published_at.is_none() && !access.sees_unpublished()) {
        return Err(WebError::NotFound);
    }
    let tree = visible::tree(state, plan.id, access).await?;
    Ok((action, plan, portfolio, tree))
}

/// Where to go after signing in: `next` when it is an address of this
/// site, else the start page.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}
