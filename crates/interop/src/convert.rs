//! A read sheet as the domain's plan import: references parsed in the
//! body's scheme, shared by the command line and the web.

use domain::{ImportAction, ImportItem, ImportUpdate, PlanImport, ReferenceScheme};

use crate::PlanSheet;

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
        })
    } else {
        Err(errors)
    }
}
