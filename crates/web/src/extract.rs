//! Typed extractors: who is asking, the body in scope, the plan in scope
//! (with the visibility rule applied once), the editor and clerk guards,
//! and a CSRF-checked form of a typed struct. Page handlers take these as
//! arguments instead of checking access by hand, so a handler that runs
//! has already been allowed to.
//!
//! The viewer is looked up once per request and kept in the request's
//! extensions, so several extractors on one handler cost one session query.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use domain::{Access, Body, FinancialYear, PlanTree};
use serde::de::DeserializeOwned;
use store::{PlanView, StoreError};

use crate::auth::{self, Viewer};
use crate::error::WebError;
use crate::request::{CsrfOnly, body_for, need_sign_in, viewer};
use crate::{AppState, visible};

/// The viewer once looked up for this request.
#[derive(Clone)]
struct LookedUp(Option<Viewer>);

/// Who is asking: the signed-in viewer, or `None` for the public.
pub(crate) struct Asker(pub Option<Viewer>);

impl FromRequestParts<AppState> for Asker {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(LookedUp(v)) = parts.extensions.get::<LookedUp>() {
            return Ok(Asker(v.clone()));
        }
        let v = viewer(state, &parts.headers).await?;
        parts.extensions.insert(LookedUp(v.clone()));
        Ok(Asker(v))
    }
}

/// The value of the address parameter `name` (`{body}`, `{code}` …).
pub(crate) async fn param(
    parts: &mut Parts,
    state: &AppState,
    name: &str,
) -> Result<String, WebError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| WebError::NotFound)?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .ok_or(WebError::NotFound)
}

/// The body named by the address's `{body}`, who is asking, and what they
/// may do there. An unknown body is the "page not found" page.
pub(crate) struct InBody {
    /// The signed-in viewer, if any.
    pub viewer: Option<Viewer>,
    /// The body in scope.
    pub body: Body,
    /// What the viewer may do in it.
    pub access: Access,
}

impl FromRequestParts<AppState> for InBody {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Asker(viewer) = Asker::from_request_parts(parts, state).await?;
        let body = body_for(state, &param(parts, state, "body").await?).await?;
        let access = Viewer::access(viewer.as_ref(), body.id);
        Ok(InBody {
            viewer,
            body,
            access,
        })
    }
}

/// A signed-in viewer and the body in scope, whatever their role there;
/// the sign-in page (coming back here) for the public.
pub(crate) struct SignedIn {
    /// The signed-in viewer.
    pub viewer: Viewer,
    /// The body in scope.
    pub body: Body,
    /// What the viewer may do in it.
    pub access: Access,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Asker(viewer) = Asker::from_request_parts(parts, state).await?;
        let viewer = viewer.ok_or_else(|| need_sign_in(parts.uri.path()))?;
        let body = body_for(state, &param(parts, state, "body").await?).await?;
        let access = Viewer::access(Some(&viewer), body.id);
        Ok(SignedIn {
            viewer,
            body,
            access,
        })
    }
}

/// A signed-in viewer allowed by `allowed` in the body in scope: the
/// sign-in page for the public, 403 for a role that may not.
async fn guard(
    parts: &mut Parts,
    state: &AppState,
    allowed: fn(&Access) -> bool,
) -> Result<(Viewer, Body), WebError> {
    let SignedIn {
        viewer,
        body,
        access,
    } = SignedIn::from_request_parts(parts, state).await?;
    if !allowed(&access) {
        return Err(WebError::Forbidden);
    }
    Ok((viewer, body))
}

/// Someone who may change the body's plans: a performance officer or an
/// administrator.
pub(crate) struct Editor {
    /// The signed-in editor.
    pub viewer: Viewer,
    /// The body in scope.
    pub body: Body,
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let (viewer, body) = guard(parts, state, Access::edits_plans).await?;
        Ok(Editor { viewer, body })
    }
}

/// Someone who keeps the body's committee record: a clerk, an officer or
/// an administrator.
pub(crate) struct Clerk {
    /// The signed-in clerk.
    pub viewer: Viewer,
    /// The body in scope.
    pub body: Body,
}

impl FromRequestParts<AppState> for Clerk {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let (viewer, body) = guard(parts, state, Access::keeps_committee_record).await?;
        Ok(Clerk { viewer, body })
    }
}

/// An administrator of the body, who manages its accounts.
pub(crate) struct Admin {
    /// The signed-in administrator.
    pub viewer: Viewer,
    /// The body in scope.
    pub body: Body,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let (viewer, body) = guard(parts, state, Access::administers).await?;
        Ok(Admin { viewer, body })
    }
}

/// The plan named by the address's `{body}`, `{code}` and `{year}`, with
/// its tree as the viewer may see it. A plan that does not exist, or is
/// unpublished and the viewer may not see drafts, is "page not found".
pub(crate) struct InPlan {
    /// The signed-in viewer, if any.
    pub viewer: Option<Viewer>,
    /// What the viewer may do in the plan's body.
    pub access: Access,
    /// The body, portfolio and whole tree (as stored, unfiltered).
    pub view: Arc<PlanView>,
    /// The tree as the viewer may see it.
    pub tree: Arc<PlanTree>,
}

impl InPlan {
    /// The plan's portfolio.
    pub(crate) fn portfolio(&self) -> &domain::Portfolio {
        &self.view.portfolio
    }

    /// The plan.
    pub(crate) fn plan(&self) -> &domain::Plan {
        &self.tree.plan
    }
}

impl FromRequestParts<AppState> for InPlan {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Asker(viewer) = Asker::from_request_parts(parts, state).await?;
        let slug = param(parts, state, "body").await?;
        let code = param(parts, state, "code").await?;
        let year = param(parts, state, "year").await?;
        let (Ok(slug), Ok(code), Ok(year)) =
            (slug.parse(), code.parse(), year.parse::<FinancialYear>())
        else {
            return Err(WebError::NotFound);
        };
        let view = match state.store().plan_view(&slug, &code, year).await {
            Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
            other => other?,
        };
        let access = Viewer::access(viewer.as_ref(), view.body.id);
        if view.tree.plan.published_at.is_none() && !access.sees_unpublished() {
            return Err(WebError::NotFound);
        }
        let tree = visible::view(&view, &access);
        Ok(InPlan {
            viewer,
            access,
            view,
            tree,
        })
    }
}

/// A posted form of type `T` from a signed-in viewer whose CSRF token
/// (the form's `csrf` field) matches their session's. The form's origin
/// is checked for every form by the router's `same_origin_forms` layer.
/// A form that does not fit `T` (a field missing or malformed) is refused
/// with a page saying to go back and try again.
pub(crate) struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Asker(viewer) = Asker::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let viewer = viewer.ok_or_else(|| need_sign_in(parts.uri.path()).into_response())?;
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token: CsrfOnly = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let expected = viewer.csrf.as_deref().unwrap_or_default();
        if expected.is_empty() || !auth::same_secret(expected, &token.csrf) {
            return Err(WebError::Forged.into_response());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| {
                WebError::Refused(
                    "the form was not complete; go back, reload the page and try again".into(),
                )
                .into_response()
            })
    }
}

/// The action named by the address's `{body}` and `{id}`, with its plan
/// and the plan's tree as the viewer may see it. An action of another
/// body, or of an unpublished plan the viewer may not see, is "page not
/// found".
pub(crate) struct InAction {
    /// The signed-in viewer, if any.
    pub viewer: Option<Viewer>,
    /// The body in scope.
    pub body: Body,
    /// What the viewer may do in it.
    pub access: Access,
    /// The action.
    pub action: domain::Action,
    /// Its plan.
    pub plan: domain::Plan,
    /// The plan's portfolio.
    pub portfolio: domain::Portfolio,
    /// The plan's tree as the viewer may see it.
    pub tree: Arc<PlanTree>,
}

impl FromRequestParts<AppState> for InAction {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let InBody {
            viewer,
            body,
            access,
        } = InBody::from_request_parts(parts, state).await?;
        let id = param(parts, state, "id").await?;
        let (action, plan, portfolio, tree) =
            crate::request::visible_action(state, &body, &access, &id).await?;
        Ok(InAction {
            viewer,
            body,
            access,
            action,
            plan,
            portfolio,
            tree,
        })
    }
}
