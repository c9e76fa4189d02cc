use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::ids::*;
use crate::{Access, Action, Plan, PlanItem, ReportingPeriod, RollUp, Status, Update};

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
    /// All updates on its actions, oldest period first, as stored: drafts,
    /// submitted and returned updates included. Who may see them is
    /// [`PlanTree::seen_by`]'s business.
    pub updates: Vec<Update>,
    /// Each update's signed-off content ([`Update::as_published`]), what
    /// roll-ups and reports count.
    #[serde(skip)]
    signed: Vec<Update>,
    #[serde(skip)]
    index: Index,
    /// The tree as the public sees it, made when first asked for.
    #[serde(skip)]
    public: OnceLock<Arc<PlanTree>>,
}

/// Put `items` in display order (depth, then each parent's children in
/// natural order of their references when all have one, else as stored)
/// and `actions` in tree order, each item's in natural order of reference.
fn natural_order(items: &mut [PlanItem], actions: &mut [Action]) {
    let mut children: HashMap<Option<PlanItemId>, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        children.entry(item.parent_id).or_default().push(i);
    }
    for list in children.values_mut() {
        if list.iter().all(|i| items[*i].reference.is_some()) {
            list.sort_by(|a, b| items[*a].reference.cmp(&items[*b].reference));
        }
    }
    // Depth-first rank of each item, from the top level down.
    let mut rank: HashMap<PlanItemId, usize> = HashMap::new();
    let mut stack: Vec<usize> = children
        .get(&None)
        .map(|l| l.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        if rank.contains_key(&items[i].id) {
            continue;
        }
        rank.insert(items[i].id, rank.len());
        if let Some(list) = children.get(&Some(items[i].id)) {
            stack.extend(list.iter().rev().copied());
        }
    }
    let unranked = usize::MAX;
    items.sort_by_key(|i| (i.depth, rank.get(&i.id).copied().unwrap_or(unranked)));
    actions.sort_by(|a, b| {
        let ra = rank.get(&a.item_id).copied().unwrap_or(unranked);
        let rb = rank.get(&b.item_id).copied().unwrap_or(unranked);
        ra.cmp(&rb)
            .then_with(|| a.details.reference.cmp(&b.details.reference))
    });
}

/// Positions in the tree's lists, by id.
#[derive(Debug, Clone, Default)]
struct Index {
    item: HashMap<PlanItemId, usize>,
    children: HashMap<Option<PlanItemId>, Vec<usize>>,
    actions_of: HashMap<PlanItemId, Vec<usize>>,
    updates_of: HashMap<ActionId, Vec<usize>>,
    signed_of: HashMap<ActionId, Vec<usize>>,
}

impl PlanTree {
    /// The tree of `plan` from its parts. Items come in stored order (by
    /// depth, then position); siblings that all have references are put in
    /// natural order of their references ("1.9" before "1.10"), and the
    /// actions under each item in natural order of theirs ("9E" before
    /// "10A"), so every view of the tree reads in the same order.
    pub fn new(
        plan: Plan,
        mut items: Vec<PlanItem>,
        mut actions: Vec<Action>,
        updates: Vec<Update>,
    ) -> Self {
        natural_order(&mut items, &mut actions);
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
        let signed: Vec<Update> = updates.iter().filter_map(Update::as_published).collect();
        for (i, u) in signed.iter().enumerate() {
            index.signed_of.entry(u.action_id).or_default().push(i);
        }
        Self {
            plan,
            items,
            actions,
            updates,
            signed,
            index,
            public: OnceLock::new(),
        }
    }

    /// The tree as `access` may see it: the same tree for those who sign
    /// updates off; for everyone else each update's signed-off content only,
    /// except that an action lead also sees the work in progress on the
    /// actions they lead. This is the one place that decides which updates
    /// a viewer sees; every page, API response, report and export reads
    /// the tree it returns.
    pub fn seen_by(self: &Arc<Self>, access: &Access) -> Arc<PlanTree> {
        if access.signs_off() {
            return Arc::clone(self);
        }
        let own: std::collections::HashSet<ActionId> = self
            .actions
            .iter()
            .filter(|a| access.sees_work_on(a))
            .map(|a| a.id)
            .collect();
        if own.is_empty() {
            return Arc::clone(
                self.public
                    .get_or_init(|| Arc::new(self.with_updates(self.signed.clone()))),
            );
        }
        let updates = self
            .updates
            .iter()
            .filter_map(|u| {
                if own.contains(&u.action_id) {
                    Some(u.clone())
                } else {
                    u.as_published()
                }
            })
            .collect();
        Arc::new(self.with_updates(updates))
    }

    fn with_updates(&self, updates: Vec<Update>) -> PlanTree {
        // Already in order: natural_order leaves an ordered tree as it is.
        PlanTree::new(
            self.plan.clone(),
            self.items.clone(),
            self.actions.clone(),
            updates,
        )
    }

    /// Items directly under `parent` (none = the top level), in order.
    pub fn children(&self, parent: Option<PlanItemId>) -> impl Iterator<Item = &PlanItem> {
        self.index
            .children
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|i| &self.items[*i])
    }

    /// Actions directly under item `item_id`, in order.
    pub fn actions_of(&self, item_id: PlanItemId) -> impl Iterator<Item = &Action> {
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

    fn updates_of(&self, action_id: ActionId) -> impl Iterator<Item = &Update> {
        self.index
            .updates_of
            .get(&action_id)
            .into_iter()
            .flatten()
            .map(|i| &self.updates[*i])
    }

    fn signed_of(&self, action_id: ActionId) -> impl Iterator<Item = &Update> {
        self.index
            .signed_of
            .get(&action_id)
            .into_iter()
            .flatten()
            .map(|i| &self.signed[*i])
    }

    /// The most recent signed-off update of the action, if any (while a
    /// revision is under way, the content last signed off).
    pub fn latest(&self, action_id: ActionId) -> Option<&Update> {
        self.signed_of(action_id).max_by_key(|u| u.period)
    }

    /// The action's signed-off update for `period`, if any: what reports use.
    pub fn update_in(&self, action_id: ActionId, period: ReportingPeriod) -> Option<&Update> {
        self.signed_of(action_id).find(|u| u.period == period)
    }

    /// The action's update for `period` in whatever state it is, as the
    /// tree's viewer may see it.
    pub fn any_update_in(&self, action_id: ActionId, period: ReportingPeriod) -> Option<&Update> {
        self.updates_of(action_id).find(|u| u.period == period)
    }

    /// The status each action shows: its update in `period`, or (no period) its latest.
    pub fn status_of(
        &self,
        action_id: ActionId,
        period: Option<ReportingPeriod>,
    ) -> Option<Status> {
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
    ) -> BTreeMap<PlanItemId, RollUp> {
        RollUp::by(self.actions.iter().filter_map(|a| {
            let path = self.path_of(a);
            path.get(depth)
                .map(|item| (item.id, self.status_of(a.id, period)))
        }))
    }

    /// Each top-level item (an ambition, with the default levels) and the
    /// roll-up of the actions under it in `period` (their latest when
    /// none), in plan order: the summary the plan page and the report share.
    pub fn rollup_by_top(&self, period: Option<ReportingPeriod>) -> Vec<(&PlanItem, RollUp)> {
        let by_top = self.rollup_at(0, period);
        self.children(None)
            .map(|i| (i, by_top.get(&i.id).copied().unwrap_or_default()))
            .collect()
    }

    /// The key achievements of `period` under each top-level item, in plan
    /// order: every action whose signed-off update in the period is
    /// complete or flagged a key achievement, with that update. Items with
    /// none are left out.
    pub fn achievements_by_top(
        &self,
        period: ReportingPeriod,
    ) -> Vec<(&PlanItem, Vec<(&Action, &Update)>)> {
        self.children(None)
            .filter_map(|top| {
                let found: Vec<(&Action, &Update)> = self
                    .actions
                    .iter()
                    .filter(|a| self.path_of(a).first().map(|i| i.id) == Some(top.id))
                    .filter_map(|a| {
                        self.update_in(a.id, period)
                            .filter(|u| {
                                u.input.key_achievement || u.input.status == Status::Complete
                            })
                            .map(|u| (a, u))
                    })
                    .collect();
                (!found.is_empty()).then_some((top, found))
            })
            .collect()
    }

    /// The signed-off update of `action` in the period before `period`:
    /// this plan's first half for a second half; for a first half, the
    /// second half of `last_year` (last year's plan of the same portfolio)
    /// on the action this one continues.
    pub fn update_before<'a>(
        &'a self,
        last_year: Option<&'a PlanTree>,
        action: &Action,
        period: ReportingPeriod,
    ) -> Option<&'a Update> {
        let before = period.previous();
        match period.half {
            crate::Half::H2 => self.update_in(action.id, before),
            crate::Half::H1 => last_year?.update_in(action.continues?, before),
        }
    }

    /// The periods that have at least one signed-off update, oldest first.
    pub fn periods(&self) -> Vec<ReportingPeriod> {
        let mut p: Vec<_> = self.signed.iter().map(|u| u.period).collect();
        p.sort();
        p.dedup();
        p
    }
}
