//! The context every view of progress shows beside an update: the
//! previous period's update on each action (through its lineage), each
//! indicator's baseline and target in words, and its trend across years.
//! Shared by the update form and the period page, below both.

use std::collections::HashMap;

use domain::{Action, Body, FinancialYear, Half, Measure, ReportingPeriod};
use store::StoreError;

use crate::AppState;
use crate::error::WebError;
use crate::words::number;
use report::chart;

/// Each action's signed-off update in the period before `period`, by
/// action id: the first half of the same plan, or for a first half the
/// second half of last year's plan, through each action's lineage. `None`
/// when there is no period before (no plan the year before).
pub(crate) async fn previous_updates(
    state: &AppState,
    body: &Body,
    portfolio: &domain::Portfolio,
    tree: &domain::PlanTree,
    period: ReportingPeriod,
) -> Result<Option<(ReportingPeriod, HashMap<domain::ActionId, domain::Update>)>, WebError> {
    let last = if period.half == Half::H1 {
        match state
            .store()
            .plan_view(&body.slug, &portfolio.code, tree.plan.year.previous())
            .await
        {
            Ok(last) => Some(last),
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let updates = tree
        .actions
        .iter()
        .filter_map(|a| {
            tree.update_before(last.as_ref().map(|l| &*l.tree), a, period)
                .map(|u| (a.id, u.clone()))
        })
        .collect();
    Ok(Some((period.previous(), updates)))
}

/// Indicator `i` (measure `mid` of action `action_id`) over every year of
/// the action's life in `years`: the indicator of the same name in each
/// year's action, its figure in each half-year and that year's target.
pub(crate) fn indicator_trend<'a>(
    i: &'a domain::Indicator,
    (action_id, mid): (domain::ActionId, domain::MeasureId),
    years: &[(FinancialYear, &Action, Vec<domain::Update>)],
) -> chart::Trend<'a> {
    let same_name = |n: &str| n.trim().eq_ignore_ascii_case(i.name.as_str().trim());
    let mut trend = chart::Trend {
        name: i.name.as_str(),
        unit: i.unit.as_str(),
        periods: Vec::new(),
        targets: Vec::new(),
    };
    for (year, a, seen) in years {
        let found = if a.id == action_id {
            Some((mid, i))
        } else {
            a.measures.iter().find_map(|(id, m)| match m {
                Measure::Indicator(x) if same_name(x.name.as_str()) => Some((*id, x)),
                _ => None,
            })
        };
        let Some((id, indicator)) = found else {
            continue;
        };
        let first = trend.periods.len();
        for half in [Half::H1, Half::H2] {
            let period = ReportingPeriod::new(*year, half);
            let figure = seen
                .iter()
                .find(|u| u.period == period)
                .and_then(|u| u.input.actuals.iter().find(|x| x.measure_id == id))
                .map(|x| x.value);
            trend.periods.push((period.to_string(), figure));
        }
        if let Some(t) = indicator.year_end_target(*year) {
            trend
                .targets
                .push((year.to_string(), t, first, trend.periods.len() - 1));
        }
    }
    // Years before the first figure or target say nothing: start there.
    let start = trend
        .periods
        .iter()
        .position(|(_, v)| v.is_some())
        .into_iter()
        .chain(trend.targets.iter().map(|t| t.2))
        .min()
        .unwrap_or(0);
    trend.periods.drain(..start);
    for t in &mut trend.targets {
        t.2 -= start;
        t.3 -= start;
    }
    trend
}

/// The baseline and the target for `year` of indicator `i`, in words.
pub(crate) fn measure_hint(i: &domain::Indicator, year: domain::FinancialYear) -> String {
    let mut parts = Vec::new();
    if let Some(b) = i.baseline {
        parts.push(format!("Baseline {}.", number(b)));
    }
    let better = match i.direction {
        domain::Direction::Up => "higher is better",
        domain::Direction::Down => "lower is better",
    };
    match i
        .targets
        .iter()
        .find(|t| t.year == year && t.half.is_none())
        .or_else(|| i.targets.iter().find(|t| t.year == year))
    {
        Some(t) => parts.push(format!(
            "Target for {year}: {} ({better}).",
            number(t.value)
        )),
        None => parts.push(format!("No target set for {year} ({better}).")),
    }
    parts.join(" ")
}
