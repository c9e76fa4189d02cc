//! A record's history: its audit trail as a readable list of changes.

use axum::extract::State;
use store::StoreError;

use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::request::*;
use crate::views::*;
use crate::{AppState, history};

/// `GET /b/{body}/audit/{entity}/{id}`: who changed a record, when, before and after.
pub async fn audit(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    Path((_, entity, id)): Path<(String, String, String)>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::Forbidden);
    }
    let entity = match entity.as_str() {
        "action" | "update" | "plan" | "strategy" | "ambition" => entity,
        "item" => "plan item".to_owned(),
        _ => return Err(WebError::NotFound),
    };
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if entity == "update" {
        // An update's history holds its drafts: only those who see the
        // work in progress on its action may read it.
        let update = match state.store().update(domain::UpdateId::new(id)).await {
            Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
            other => other?,
        };
        let action = state.store().action(update.action_id).await?;
        if !Viewer::access(Some(&viewer), body.id).sees_work_on(&action) {
            return Err(WebError::Forbidden);
        }
    }
    let events = state.store().audit_trail(&entity, id).await?;
    if events.is_empty() || events.iter().any(|e| e.body_id != Some(body.id)) {
        return Err(WebError::NotFound);
    }
    let rows = events
        .iter()
        .rev()
        .map(|e| AuditRow {
            at: chrono::DateTime::parse_from_rfc3339(&e.at)
                .map(|t| t.format("%-d %B %Y %H:%M:%S UTC").to_string())
                .unwrap_or_else(|_| e.at.clone()),
            actor: history::actor_label(&e.actor),
            operation: history::operation_label(&e.operation),
            created: e.before.is_none(),
            changes: history::changes(e.before.as_ref(), e.after.as_ref()),
        })
        .collect();
    let back_href = match entity.as_str() {
        "action" => format!("/b/{}/actions/{id}", body.slug),
        "update" => match state.store().update(domain::UpdateId::new(id)).await {
            Ok(u) => format!("/b/{}/actions/{}", body.slug, u.action_id),
            Err(_) => format!("/b/{}", body.slug),
        },
        _ => format!("/b/{}", body.slug),
    };
    html(AuditPage {
        chrome: chrome(Some(&viewer), Some(&body)),
        heading: format!("History of this {entity}"),
        back_href,
        rows,
    })
}

/// The routes of the audit trail of a record.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/b/{body}/audit/{entity}/{id}", axum::routing::get(audit))
}
