use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::{Action, Plan, PlanItem, ReportingPeriod, RollUp, Status, Update};

/// A whole plan as people read it: items top to bottom, the actions under
/// them, and every update recorded against those actions, indexed so that
/// walking it is linear in its size.
#[derive(Debug, Clone, Serialize)]
pub struct PlanTree {
    /// The plan.
    pub plan: Plan,
    /// Its items (ambitions, priorities, statements), in display order.
    pub items: Vec<PlanItem>,
    /// Its actions, in display order.
    pub actions: Vec<Action>,
    /// All updates on its actions, oldest period first.
    pub updates: Vec<Update>,
    #[serde(skip)]
    index: Index,
}

/// Positions in the tree's lists, by id.
#[derive(Debug, Clone, Default)]
struct Index {
    item: HashMap<i64, usize>,
    children: HashMap<Option<i64>, Vec<usize>>,
    actions_of: HashMap<i64, Vec<usize>>,
    updates_of: HashMap<i64, Vec<usize>>,
}

impl PlanTree {
    /// The tree of `plan` from its parts, each in display order.
    pub fn new(
        plan: Plan,
        items: Vec<PlanItem>,
        actions: Vec<Action>,
        updates: Vec<Update>,
    ) -> Self {
        let mut index = Index::default();
        for (i, item) in items.iter().enumerate() {
            index.item.insert(item.id, i);
            index.children.entry(item.parent_id).or_default().push(i);
        }
        for (i, a) in actions.iter().enumerate() {
            index.actions_of.entry(a.item_id).or_default().push(i);
        }
        for (i, u) in updates.iter().enumerate() {
            index.updates_of.entry(u.action_id).or_default().push(i);
        }
        Self {
            plan,
            items,
            actions,
            updates,
            index,
        }
    }

    /// Items directly under `parent` (none = the top level), in order.
    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &PlanItem> {
        self.index
            .children
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|i| &self.items[*i])
    }

    /// Actions directly under item `item_id`, in order.
    pub fn actions_of(&self, item_id: i64) -> impl Iterator<Item = &Action> {
        self.index
            .actions_of
            .get(&item_id)
            .into_iter()
            .flatten()
            .map(|i| &self.actions[*i])
    }

    /// The chain of items from the top level down to the item holding `action`.
    pub fn path_of(&self, action: &Action) -> Vec<&PlanItem> {
        let mut path = Vec::new();
        let mut next = Some(action.item_id);
        while let Some(id) = next {
            let Some(item) = self.index.item.get(&id).map(|i| &self.items[*i]) else {
                break;
            };
            path.push(item);
            next = item.parent_id;
            if path.len() > self.items.len() {
                break;
            }
        }
        path.reverse();
        path
    }

    fn updates_of(&self, action_id: i64) -> impl Iterator<Item = &Update> {
        self.index
            .updates_of
            .get(&action_id)
            .into_iter()
            .flatten()
            .map(|i| &self.updates[*i])
    }

    /// The most recent signed-off update of the action, if any.
    pub fn latest(&self, action_id: i64) -> Option<&Update> {
        self.updates_of(action_id)
            .filter(|u| u.state == crate::UpdateState::SignedOff)
            .max_by_key(|u| u.period)
    }

    /// The action's signed-off update for `period`, if any: what reports use.
    pub fn update_in(&self, action_id: i64, period: ReportingPeriod) -> Option<&Update> {
        self.updates_of(action_id)
            .find(|u| u.period == period && u.state == crate::UpdateState::SignedOff)
    }

    /// The action's update for `period` in whatever state it is.
    pub fn any_update_in(&self, action_id: i64, period: ReportingPeriod) -> Option<&Update> {
        self.updates_of(action_id).find(|u| u.period == period)
    }

    /// The status each action shows: its update in `period`, or (no period) its latest.
    pub fn status_of(&self, action_id: i64, period: Option<ReportingPeriod>) -> Option<Status> {
        match period {
            Some(p) => self.update_in(action_id, p),
            None => self.latest(action_id),
        }
        .map(|u| u.input.status)
    }

    /// The roll-up of the whole plan.
    pub fn rollup(&self, period: Option<ReportingPeriod>) -> RollUp {
        RollUp::of(self.actions.iter().map(|a| self.status_of(a.id, period)))
    }

    /// Roll-ups per item at `depth` (0 = per ambition, 1 = per priority with
    /// the default levels), keyed by item id.
    pub fn rollup_at(
        &self,
        depth: usize,
        period: Option<ReportingPeriod>,
    ) -> BTreeMap<i64, RollUp> {
        RollUp::by(self.actions.iter().filter_map(|a| {
            let path = self.path_of(a);
            path.get(depth)
                .map(|item| (item.id, self.status_of(a.id, period)))
        }))
    }

    /// The periods that have at least one signed-off update, oldest first.
    pub fn periods(&self) -> Vec<ReportingPeriod> {
        let mut p: Vec<_> = self
            .updates
            .iter()
            .filter(|u| u.state == crate::UpdateState::SignedOff)
            .map(|u| u.period)
            .collect();
        p.sort();
        p.dedup();
        p
    }
}
