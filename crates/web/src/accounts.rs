//! The accounts page, for a body's administrators: the people with a role
//! there (disable, enable, remove) and their API tokens (revoke).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::Body;
use store::{AccountStatus, StoreError, TokensOf};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::request::PageResult;
use crate::request::{CsrfOnly, chrome};
use crate::views::{AccountsPage, FieldError, PersonRow, RemoveAccountPage, TokenRow};
use crate::words::user_message;

/// An id from the address; anything else is not found.
fn id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn day(at: &str) -> String {
    at.get(..10).unwrap_or(at).to_owned()
}

async fn accounts_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    errors: Vec<FieldError>,
) -> PageResult {
    let people = state.store().people(body.id).await?;
    let tokens = state.store().api_tokens(TokensOf::Body(body.id)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountsPage {
        chrome: chrome(Some(viewer), Some(body)),
        body_slug: body.slug.to_string(),
        body_name: body.name.to_string(),
        errors,
        people: people
            .into_iter()
            .map(|p| PersonRow {
                id: p.user.id,
                name: p.user.name.to_string(),
                email: p.user.email.to_string(),
                role: p.role.label().to_owned(),
                leads: p.lead_role.map(|l| l.to_string()).unwrap_or_default(),
                status: p.status.label(),
                active: p.status == AccountStatus::Active,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name.to_string(),
                owner: format!("{} ({})", t.owner.name, t.owner.email),
                created: day(&t.created_at),
                revoked: t.revoked_at.as_deref().map(day),
            })
            .collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The page again with a refused change in the error summary, linked to
/// the row it is about; any other error as usual.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    anchor: String,
    error: StoreError,
) -> PageResult {
    match error {
        StoreError::NotFound { .. } => Err(WebError::NotFound),
        e if e.is_user_error() => {
            let errors = vec![FieldError {
                field: anchor,
                message: user_message(&e),
            }];
            accounts_page(state, viewer, body, errors).await
        }
        e => Err(e.into()),
    }
}

/// `GET /b/{body}/accounts`: the people and API tokens of the body.
pub async fn page(State(state): State<AppState>, Admin { viewer, body }: Admin) -> PageResult {
    accounts_page(&state, &viewer, &body, Vec::new()).await
}

/// `POST /b/{body}/accounts/{id}/{step}`: disable, enable or remove an account.
pub async fn change(
    State(state): State<AppState>,
    Admin { viewer, body }: Admin,
    Path((_, raw_id, step)): Path<(String, String, String)>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> PageResult {
    let user_id = id(&raw_id)?;
    let who = viewer.actor();
    let result = match step.as_str() {
        "disable" => state.store().disable_account(&who, body.id, user_id).await,
        "enable" => state.store().enable_account(&who, body.id, user_id).await,
        "remove" => state.store().remove_account(&who, body.id, user_id).await,
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/b/{}/accounts", body.slug)).into_response()),
        Err(e) => refused(&state, &viewer, &body, format!("person-{user_id}"), e).await,
    }
}

/// `POST /b/{body}/accounts/{id}/remove`: remove an account (its roles end).
pub async fn change_remove(
    state: State<AppState>,
    admin: Admin,
    Path((slug, raw_id)): Path<(String, String)>,
    form: CsrfForm<CsrfOnly>,
) -> PageResult {
    change(
        state,
        admin,
        Path((slug, raw_id, "remove".to_owned())),
        form,
    )
    .await
}

/// `GET /b/{body}/accounts/{id}/remove`: are you sure?
pub async fn confirm_remove(
    State(state): State<AppState>,
    Admin { viewer, body }: Admin,
    Path((_, raw_id)): Path<(String, String)>,
) -> PageResult {
    let user_id = id(&raw_id)?;
    let person = state
        .store()
        .people(body.id)
        .await?
        .into_iter()
        .find(|p| p.user.id == user_id)
        .ok_or(WebError::NotFound)?;
    let page = RemoveAccountPage {
        chrome: chrome(Some(&viewer), Some(&body)),
        body_slug: body.slug.to_string(),
        id: user_id,
        name: person.user.name.to_string(),
        email: person.user.email.to_string(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /b/{body}/tokens/{id}/revoke`: revoke an API token of one of the body's people.
pub async fn revoke(
    State(state): State<AppState>,
    Admin { viewer, body }: Admin,
    Path((_, raw_id)): Path<(String, String)>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> PageResult {
    let token_id = id(&raw_id)?;
    match state
        .store()
        .revoke_api_token(&viewer.actor(), Some(body.id), token_id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/b/{}/accounts", body.slug)).into_response()),
        Err(e) => refused(&state, &viewer, &body, format!("token-{token_id}"), e).await,
    }
}

/// The routes of people, roles and API tokens.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/b/{body}/accounts", axum::routing::get(page))
        .route(
            "/b/{body}/accounts/{id}/remove",
            axum::routing::get(confirm_remove).post(change_remove),
        )
        .route(
            "/b/{body}/accounts/{id}/{step}",
            axum::routing::post(change),
        )
        .route("/b/{body}/tokens/{id}/revoke", axum::routing::post(revoke))
}
