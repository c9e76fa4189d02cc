//! Between sheets and the domain, shared by the command line and the web:
//! a read sheet as the domain's plan import (references parsed in the
//! body's scheme, and what the About part says of the plan itself), and a
//! stored plan as an export.

use std::collections::HashMap;

use domain::{
    Body, FinancialYear, ImportAction, ImportAlignment, ImportItem, ImportUpdate, PlanImport,
    PlanState, PlanTree, Portfolio, PortfolioCode, ReferenceScheme, Slug, Strategy,
};

use crate::about::{
    About, AboutAlignment, AboutAmbition, AboutPortfolio, AboutStrategy, Illustrative,
};
use crate::{PlanExport, PlanSheet, SheetAction, SheetActual, SheetItem, SheetUpdate};

/// The sheet's plan with its references parsed in the body's `scheme`: the
/// domain's [`PlanImport`] that `Store::import_plan` takes, or every
/// reference or row that does not fit, as messages.
pub fn to_plan_import(
    sheet: &PlanSheet,
    scheme: ReferenceScheme,
) -> Result<PlanImport, Vec<String>> {
    let mut errors = Vec::new();
    let items = sheet
        .items
        .iter()
        .map(|i| ImportItem {
            depth: i.depth,
            reference: i.reference.as_deref().and_then(|r| {
                scheme
                    .parse_item(r)
                    .map_err(|e| errors.push(e.to_string()))
                    .ok()
            }),
            title: i.title.clone(),
            parent: i.parent,
        })
        .collect();
    let mut actions = Vec::with_capacity(sheet.actions.len());
    for a in &sheet.actions {
        let reference = match scheme.parse_action(&a.reference) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let (Some(lead), Some(item)) = (a.lead.clone(), a.item) else {
            errors.push(format!(
                "action {}: {}",
                a.reference,
                if a.lead.is_none() {
                    "no lead is given; every action needs one (a Lead column)"
                } else {
                    "it sits under no item of the tree; give the tree's columns"
                }
            ));
            continue;
        };
        actions.push(ImportAction {
            details: domain::ActionDetails {
                reference,
                title: a.title.clone(),
                lead,
                directorate: a.directorate.clone(),
                target: a.target,
                illustrative: false,
            },
            measures: a.measures.clone(),
            item,
            continues: a.continues.as_deref().and_then(|r| r.parse().ok()),
        });
    }
    let updates = sheet
        .updates
        .iter()
        .filter_map(|u| match scheme.parse_action(&u.action) {
            Ok(action) => Some(ImportUpdate {
                action,
                period: u.period,
                status: u.status,
                commentary: u.commentary.clone(),
                percent: u.percent,
                key_achievement: u.key_achievement,
                author: u.author.clone(),
                actuals: u
                    .actuals
                    .iter()
                    .map(|a| (a.indicator.clone(), a.value))
                    .collect(),
            }),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(PlanImport {
            items,
            actions,
            updates,
            ..PlanImport::default()
        })
    } else {
        Err(errors)
    }
}

/// `plan` with what the About part says of the plan itself: its status,
/// approval and publication, its alignments, and whether its records are
/// example content (partly or wholly: the file does not say which, so
/// every record the import creates is marked). Only when the About part
/// describes the plan imported into (`body`'s `portfolio` for `year`): an
/// export imported into another plan brings its records, not that plan's
/// standing.
pub fn with_about(
    mut plan: PlanImport,
    about: Option<&About>,
    body: &Slug,
    portfolio: &PortfolioCode,
    year: FinancialYear,
) -> PlanImport {
    let Some(about) =
        about.filter(|a| &a.body_slug == body && &a.portfolio.code == portfolio && a.year == year)
    else {
        return plan;
    };
    plan.state = about.state.clone();
    plan.alignments = Some(
        about
            .alignments
            .iter()
            .map(|a| ImportAlignment {
                name: a.name.clone(),
                kind: a.kind,
                url: a.url.clone(),
            })
            .collect(),
    );
    plan.illustrative = matches!(
        about.illustrative,
        Some(Illustrative::Yes | Illustrative::Partly)
    );
    plan
}

/// A stored plan as an export: `tree` (as the viewer may see it: every
/// update it holds is written) with the About part made from its `body`,
/// the body's `strategy`, its `portfolio` and the plan's own state.
/// `continues` gives, by action id, the reference of the previous year's
/// action each continues.
pub fn plan_export(
    body: &Body,
    strategy: Option<&Strategy>,
    portfolio: &Portfolio,
    tree: &PlanTree,
    continues: &HashMap<domain::ActionId, String>,
) -> PlanExport {
    let plan = &tree.plan;
    let flags = strategy
        .iter()
        .flat_map(|s| s.ambitions.iter().map(|a| a.illustrative))
        .chain(tree.items.iter().map(|i| i.illustrative))
        .chain(tree.actions.iter().map(|a| a.details.illustrative))
        .chain(tree.updates.iter().map(|u| u.input.illustrative));
    PlanExport {
        about: About {
            body_name: body.name.clone(),
            body_slug: body.slug.clone(),
            reference_scheme: body.reference_scheme.as_str().to_owned(),
            level_names: body.level_names.clone(),
            rag: body.rag.clone(),
            strategy: strategy.map(|s| AboutStrategy {
                title: s.title.clone(),
                years: s.years,
                ambitions: s
                    .ambitions
                    .iter()
                    .map(|a| AboutAmbition {
                        number: a.number,
                        title: a.title.clone(),
                    })
                    .collect(),
            }),
            portfolio: AboutPortfolio {
                code: portfolio.code.clone(),
                name: portfolio.name.clone(),
                committee: portfolio.committee.clone(),
            },
            year: plan.year,
            alignments: plan
                .alignments
                .iter()
                .map(|a| AboutAlignment {
                    name: a.name.clone(),
                    kind: a.kind,
                    url: a.url.clone(),
                })
                .collect(),
            state: Some(PlanState {
                status: plan.status,
                approved_on: plan.approved_on,
                published_at: plan.published_at,
            }),
            illustrative: Some(Illustrative::of(flags)),
        },
        plan: to_sheet(tree, continues),
    }
}

/// A stored plan tree as the sheet an export writes: items parents first
/// (in the tree's order), actions under each item in order, every update
/// the tree holds.
pub fn to_sheet(tree: &PlanTree, continues: &HashMap<domain::ActionId, String>) -> PlanSheet {
    let mut sheet = PlanSheet::default();
    let items: HashMap<domain::PlanItemId, &domain::PlanItem> =
        tree.items.iter().map(|i| (i.id, i)).collect();
    let mut index: HashMap<domain::PlanItemId, usize> = HashMap::new();
    let mut stack: Vec<(domain::PlanItemId, Option<usize>)> =
        tree.children(None).map(|i| (i.id, None)).collect();
    stack.reverse();
    let mut order = Vec::new();
    while let Some((id, parent)) = stack.pop() {
        let Some(item) = items.get(&id) else {
            continue;
        };
        let at = sheet.items.len();
        sheet.items.push(SheetItem {
            depth: item.depth,
            reference: item.reference.as_ref().map(ToString::to_string),
            title: item.title.clone(),
            parent,
        });
        index.insert(id, at);
        order.push(id);
        let mut children: Vec<_> = tree.children(Some(id)).map(|c| (c.id, Some(at))).collect();
        children.reverse();
        stack.extend(children);
    }
    let mut names: HashMap<domain::MeasureId, String> = HashMap::new();
    for item_id in &order {
        for a in tree.actions_of(*item_id) {
            for (id, m) in &a.measures {
                if let domain::Measure::Indicator(i) = m {
                    names.insert(*id, i.name.to_string());
                }
            }
            sheet.actions.push(SheetAction {
                reference: a.details.reference.to_string(),
                title: a.details.title.clone(),
                lead: Some(a.details.lead.clone()),
                directorate: a.details.directorate.clone(),
                target: a.details.target,
                continues: continues.get(&a.id).cloned(),
                measures: a.measures.iter().map(|(_, m)| m.clone()).collect(),
                item: index.get(item_id).copied(),
            });
        }
    }
    let refs: HashMap<domain::ActionId, String> = tree
        .actions
        .iter()
        .map(|a| (a.id, a.details.reference.to_string()))
        .collect();
    let position: HashMap<&str, usize> = sheet
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.reference.as_str(), i))
        .collect();
    let mut updates: Vec<_> = tree.updates.iter().collect();
    updates.sort_by_key(|u| {
        (
            u.period,
            refs.get(&u.action_id)
                .and_then(|r| position.get(r.as_str()))
                .copied(),
        )
    });
    for u in updates {
        let Some(action) = refs.get(&u.action_id) else {
            continue;
        };
        sheet.updates.push(SheetUpdate {
            action: action.clone(),
            period: u.period,
            status: u.input.status,
            commentary: u.input.commentary.clone(),
            percent: u.input.percent,
            key_achievement: u.input.key_achievement,
            author: Some(u.input.author.clone()),
            actuals: u
                .input
                .actuals
                .iter()
                .filter_map(|x| {
                    names.get(&x.measure_id).map(|n| SheetActual {
                        indicator: n.clone(),
                        value: x.value,
                    })
                })
                .collect(),
        });
    }
    sheet
}
