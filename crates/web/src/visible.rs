//! What each viewer may see of the plans' updates, read through
//! [`domain::PlanTree::seen_by`] and [`domain::Access::visible_updates`]:
//! the public, clerks and members see signed-off content only; an action's
//! lead also sees the work in progress on it; those who sign off see all.
//! Pages and the API read trees and updates only through here.

use std::sync::Arc;

use domain::{Access, Action, PlanTree, Update};
use store::{PlanView, StoreError};

use crate::AppState;

/// The tree of plan `plan_id` as `access` may see it.
pub(crate) async fn tree(
    state: &AppState,
    plan_id: domain::PlanId,
    access: &Access,
) -> Result<Arc<PlanTree>, StoreError> {
    Ok(state.store().plan_tree(plan_id).await?.seen_by(access))
}

/// A plan's view with its tree as `access` may see it.
pub(crate) fn view(view: &PlanView, access: &Access) -> Arc<PlanTree> {
    view.tree.seen_by(access)
}

/// The updates of `action` as `access` may see them, oldest period first.
pub(crate) async fn updates(
    state: &AppState,
    action: &Action,
    access: &Access,
) -> Result<Vec<Update>, StoreError> {
    Ok(access.visible_updates(action, state.store().updates_of(action.id).await?))
}

/// What `access` may find searching body `body_id`: the same rule as
/// above, for the store's search (`store::SearchScope`). Unpublished plans
/// and meetings for people of the body; an update's work in progress for
/// those who sign off and, on their own actions, for an action's lead;
/// everyone else finds signed-off content only.
pub(crate) fn search_scope(body_id: domain::BodyId, access: &Access) -> store::SearchScope {
    store::SearchScope {
        body_id,
        sees_unpublished: access.sees_unpublished(),
        signs_off: access.signs_off(),
        lead: match access {
            Access::Member {
                role: domain::Role::ActionLead,
                leads: Some(lead),
            } => Some(lead.to_string()),
            _ => None,
        },
    }
}
