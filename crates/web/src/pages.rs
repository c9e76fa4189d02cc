//! The pages people use. Each handler parses its inputs into domain types,
//! checks the viewer's access to the body in the address, and renders.

use std::collections::{BTreeSet, HashMap, HashSet};

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::{
    Access, Action, ActionDetails, Body, FinancialYear, Half, Measure, MeasureActual, Percent,
    Plan, ReportingPeriod, RollUp, Status, TargetDate, Text, Title, UpdateInput,
};
use serde::Deserialize;
use store::StoreError;

use crate::auth::{self, Viewer};
use crate::error::{Path, WebError};
use crate::request::{
    CsrfOnly, DoneQuery, body_for, check_form, chrome, html, need_sign_in, plan_href, safe_next,
    viewer, visible_action,
};
use crate::views::*;
use crate::words::{capitalise, field_error, number, take, user_message};
use crate::{AppState, history, visible};
use report::chart;

type PageResult = Result<Response, WebError>;

/// `GET /`: the bodies on this installation.
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let viewer = viewer(&state, &headers).await?;
    let bodies = state.store().bodies().await?;
    if let [only] = bodies.as_slice() {
        return Ok(Redirect::to(&format!("/b/{}", only.slug)).into_response());
    }
    // Someone with a role in one body of several goes to that body.
    let mine: Vec<&Body> = bodies
        .iter()
        .filter(|b| {
            viewer
                .as_ref()
                .is_some_and(|v| v.memberships.iter().any(|m| m.body_id == b.id))
        })
        .collect();
    if let [only] = mine.as_slice() {
        return Ok(Redirect::to(&format!("/b/{}", only.slug)).into_response());
    }
    html(IndexPage {
        chrome: chrome(viewer.as_ref(), None),
        bodies: bodies
            .iter()
            .map(|b| (b.slug.to_string(), b.name.to_string()))
            .collect(),
    })
}

/// `GET /b/{body}`: the body's strategy, ambitions and plans.
pub async fn body_home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> PageResult {
    let viewer = viewer(&state, &headers).await?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let strategy = state.store().strategy(body.id).await?;
    let mut plans = Vec::new();
    for p in state
        .store()
        .plans()
        .await?
        .into_iter()
        .filter(|p| p.body == body.slug.as_str())
    {
        let published = p.published;
        if published || access.sees_unpublished() {
            plans.push(PlanLink {
                href: plan_href(body.slug.as_str(), &p.portfolio_code, p.year),
                portfolio: format!("{} ({})", p.portfolio_name, p.portfolio_code),
                year: p.year.to_string(),
                actions: p.actions,
                published,
            });
        }
    }
    html(BodyPage {
        chrome: chrome(viewer.as_ref(), Some(&body)),
        name: body.name.to_string(),
        strategy: strategy.map(|s| {
            (
                format!("{} {}", s.title, s.years),
                s.ambitions
                    .iter()
                    .map(|a| (a.number, a.title.to_string(), a.illustrative))
                    .collect(),
            )
        }),
        plans,
        signed_in: viewer.is_some(),
        edit_strategy_href: access
            .edits_plans()
            .then(|| format!("/b/{}/strategy/edit", body.slug)),
        accounts_href: access
            .administers()
            .then(|| format!("/b/{}/accounts", body.slug)),
        settings_href: access
            .edits_plans()
            .then(|| format!("/b/{}/settings", body.slug)),
        sso_href: match (&viewer, state.store().sso(body.id).await?) {
            (None, Some(_)) => Some(format!("/b/{}/sign-in/sso", body.slug)),
            _ => None,
        },
    })
}

/// The plan at `/b/{body}/plans/{code}/{year}` if the viewer may see it.
async fn visible_plan(
    state: &AppState,
    body: &Body,
    access: &Access,
    code: &str,
    year: &str,
) -> Result<(domain::Portfolio, Plan), WebError> {
    let code = code.parse().map_err(|_| WebError::NotFound)?;
    let year: FinancialYear = year.parse().map_err(|_| WebError::NotFound)?;
    let portfolio = match state.store().portfolio(Some(body.id), &code).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let plan = match state.store().plan(portfolio.id, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    if plan.published_at.is_none() && !access.sees_unpublished() {
        return Err(WebError::NotFound);
    }
    Ok((portfolio, plan))
}

/// The plan page's filters.
#[derive(Debug, Deserialize, Default)]
pub struct PlanFilters {
    ambition: Option<String>,
    status: Option<String>,
    lead: Option<String>,
    period: Option<String>,
    /// After an import: its token, whose banner is shown once.
    imported: Option<String>,
    /// After recording the plan's approval: "yes".
    approved: Option<String>,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

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
) -> Result<Option<(ReportingPeriod, HashMap<i64, domain::Update>)>, WebError> {
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

/// `GET /b/{body}/plans/{code}/{year}`: the plan tree with statuses.
pub async fn plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, code, year)): Path<(String, String, String)>,
    Query(filters): Query<PlanFilters>,
) -> PageResult {
    let viewer = viewer(&state, &headers).await?;
    let (Ok(slug), Ok(code), Ok(year)) =
        (slug.parse(), code.parse(), year.parse::<FinancialYear>())
    else {
        return Err(WebError::NotFound);
    };
    let view = match state.store().plan_view(&slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let (body, portfolio) = (&view.body, &view.portfolio);
    let access = Viewer::access(viewer.as_ref(), body.id);
    let tree = &visible::view(&view, &access);
    let plan = &tree.plan;
    if plan.published_at.is_none() && !access.sees_unpublished() {
        return Err(WebError::NotFound);
    }
    let levels = &body.level_names;

    let periods = tree.periods();
    let period = some(&filters.period)
        .and_then(|h| h.parse::<Half>().ok())
        .map(|h| ReportingPeriod::new(plan.year, h));
    let ambition_filter = some(&filters.ambition).and_then(|a| a.parse::<i64>().ok());
    let status_filter = some(&filters.status).map(str::to_owned);
    let lead_filter = some(&filters.lead).map(str::to_owned);

    let status_key = |a: &Action| {
        tree.status_of(a.id, period)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "none".into())
    };
    let top_of = |a: &Action| tree.path_of(a).first().map(|i| i.id);
    let matches = |a: &Action| {
        ambition_filter.is_none_or(|id| top_of(a) == Some(id))
            && status_filter.as_ref().is_none_or(|s| &status_key(a) == s)
            && lead_filter
                .as_ref()
                .is_none_or(|l| a.details.lead.as_str() == l)
    };
    let shown: Vec<&Action> = tree.actions.iter().filter(|a| matches(a)).collect();
    let mut wanted: HashSet<i64> = HashSet::new();
    for a in &shown {
        wanted.extend(tree.path_of(a).iter().map(|i| i.id));
    }

    let by_top = tree.rollup_at(0, period);
    let by_priority = tree.rollup_at(1, period);
    let previous = match period {
        Some(p) => previous_updates(&state, body, portfolio, tree, p).await?,
        None => None,
    };
    let mut sections = Vec::new();
    let mut stack: Vec<i64> = tree
        .children(None)
        .map(|i| i.id)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let items: HashMap<i64, &domain::PlanItem> = tree.items.iter().map(|i| (i.id, i)).collect();
    while let Some(id) = stack.pop() {
        let item = items[&id];
        if !wanted.contains(&id) {
            continue;
        }
        let label = match &item.reference {
            Some(n) => format!("{} {n}", levels.name(item.depth)),
            None => levels.name(item.depth).to_owned(),
        };
        let actions = shown
            .iter()
            .filter(|a| a.item_id == id)
            .map(|a| {
                let update = match period {
                    Some(p) => tree.update_in(a.id, p),
                    None => tree.latest(a.id),
                };
                ActionRow {
                    href: format!("/b/{}/actions/{}", body.slug, a.id),
                    reference: a.details.reference.to_string(),
                    title: a.details.title.to_string(),
                    lead: a.details.lead.to_string(),
                    target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                    tag: Tag::of(update.map(|u| u.input.status), &body.rag),
                    period: update.map(|u| u.period.to_string()).unwrap_or_default(),
                    illustrative: a.details.illustrative,
                    trend: previous.as_ref().map(|(_, before)| {
                        domain::Trend::between(
                            before.get(&a.id).map(|u| u.input.status),
                            update.map(|u| u.input.status),
                        )
                        .label()
                    }),
                }
            })
            .collect();
        sections.push(Section {
            level: (item.depth + 2).min(4) as u8,
            label,
            title: item.title.to_string(),
            illustrative: item.illustrative,
            summary: match item.depth {
                0 => by_top.get(&id),
                1 if levels.item_depths() > 2 => by_priority.get(&id),
                _ => None,
            }
            .map(|r| capitalise(&r.sentence())),
            actions,
            edit_href: access
                .edits_plans()
                .then(|| format!("/b/{}/items/{id}/edit", body.slug)),
            add_href: (access.edits_plans() && item.depth + 1 == levels.item_depths())
                .then(|| format!("/b/{}/items/{id}/actions/new", body.slug)),
        });
        let children: Vec<i64> = tree.children(Some(id)).map(|i| i.id).collect();
        stack.extend(children.into_iter().rev());
    }

    let overall = tree.rollup(period);
    let tops: Vec<(String, RollUp)> = tree
        .rollup_by_top(period)
        .into_iter()
        .map(|(i, r)| (i.short_name(levels), r))
        .collect();
    let mut summary: Vec<SummaryRow> = tops
        .iter()
        .map(|(name, r)| SummaryRow {
            name: name.clone(),
            counts: Status::ALL.iter().map(|s| r.count(*s)).collect(),
            no_update: r.no_update(),
            total: r.total(),
        })
        .collect();
    summary.push(SummaryRow {
        name: "All actions".into(),
        counts: Status::ALL.iter().map(|s| overall.count(*s)).collect(),
        no_update: overall.no_update(),
        total: overall.total(),
    });

    let leads: BTreeSet<&str> = tree
        .actions
        .iter()
        .map(|a| a.details.lead.as_str())
        .collect();
    let choice = |value: String, label: String, current: Option<&str>| Choice {
        selected: current == Some(value.as_str()),
        value,
        label,
    };
    let ambition_current = ambition_filter.map(|a| a.to_string());
    let when = match period {
        Some(p) => format!("{} ({})", p, p.half.months()),
        None => match periods.last() {
            Some(p) => format!("latest updates, to {p}"),
            None => "no updates yet".into(),
        },
    };
    let banner = match (
        some(&filters.imported),
        viewer.as_ref().and_then(|v| v.csrf.as_deref()),
    ) {
        (Some(token), Some(owner)) if access.edits_plans() => {
            crate::import::banner(&state, token, owner).await?
        }
        _ => None,
    };
    let banner = match (banner, plan.approved_on) {
        (Some(b), _) => Some(b),
        (None, Some(on))
            if some(&filters.approved) == Some("yes")
                && plan.status == domain::PlanStatus::Approved =>
        {
            Some(format!(
                "Approval recorded: the committee approved this plan on {}",
                on.format("%-d %B %Y")
            ))
        }
        _ => None,
    };
    let packs = crate::packs::pack_views(
        state
            .store()
            .published_packs(body.id, Some(plan.id))
            .await?,
        &access,
    );
    let page = PlanPage {
        packs,
        banner,
        import_href: access.edits_plans().then(|| {
            format!(
                "{}/import",
                plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
            )
        }),
        chrome: chrome(viewer.as_ref(), Some(body)),
        heading: format!("{} Portfolio Plan {}", portfolio.name, plan.year),
        year: plan.year.to_string(),
        action_name: levels.action().to_owned(),
        published: plan.published_at.is_some(),
        can_edit: access.edits_plans(),
        version: plan.version,
        publish_href: format!(
            "{}/publish",
            plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
        ),
        status_text: match (plan.status, plan.approved_on) {
            (domain::PlanStatus::Approved, Some(on)) => {
                format!("Approved on {}", on.format("%-d %B %Y"))
            }
            (domain::PlanStatus::Approved, None) => "Approved".into(),
            (domain::PlanStatus::Draft, _) => "Draft".into(),
            (domain::PlanStatus::Superseded, _) => "Superseded".into(),
        },
        refresh_href: (access.edits_plans() && plan.status == domain::PlanStatus::Approved).then(
            || {
                format!(
                    "{}/refresh",
                    plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
                )
            },
        ),
        report_href: (access.sees_unpublished()
            && tree.actions.iter().any(|a| a.continues.is_some()))
        .then(|| {
            format!(
                "{}/refresh-report",
                plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
            )
        }),
        approve_href: (access.edits_plans() && plan.status == domain::PlanStatus::Draft).then(
            || {
                format!(
                    "{}/approve",
                    plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
                )
            },
        ),
        period_links: if access.sees_unpublished() {
            [Half::H1, Half::H2]
                .iter()
                .map(|h| {
                    let p = ReportingPeriod::new(plan.year, *h);
                    let href = format!(
                        "{}/periods/{h}",
                        plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
                    );
                    let reports = crate::views::report_links(&format!("{href}/report"));
                    crate::views::PeriodLink {
                        href,
                        label: format!("Updates for {p} ({})", h.months()),
                        period: p.to_string(),
                        reports,
                    }
                })
                .collect()
        } else {
            vec![]
        },
        edit_href: format!(
            "{}/edit",
            plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
        ),
        audit_href: format!("/b/{}/audit/plan/{}", body.slug, plan.id),
        aligned: plan.alignments.iter().map(|a| a.name.to_string()).collect(),
        when,
        sentence: capitalise(&overall.sentence()),
        concerns: concerns(&overall),
        superseded_by: (plan.status == domain::PlanStatus::Superseded).then(|| {
            let next = plan.year.next();
            (
                plan_href(body.slug.as_str(), portfolio.code.as_str(), next),
                next.to_string(),
            )
        }),
        chart: chart::status_bars(&tops),
        statuses: Status::ALL.iter().map(|s| s.label().to_owned()).collect(),
        summary,
        ambitions: tree
            .children(None)
            .map(|i| {
                let title = i.title.to_string();
                let label = match &i.reference {
                    Some(n) => format!("{} {n}: {}", levels.name(0), title),
                    None => title,
                };
                choice(i.id.to_string(), label, ambition_current.as_deref())
            })
            .collect(),
        status_choices: Status::ALL
            .iter()
            .map(|s| {
                choice(
                    s.as_str().to_owned(),
                    s.label().to_owned(),
                    status_filter.as_deref(),
                )
            })
            .chain(std::iter::once(choice(
                "none".into(),
                "No update".into(),
                status_filter.as_deref(),
            )))
            .collect(),
        leads: leads
            .iter()
            .map(|l| choice((*l).to_owned(), (*l).to_owned(), lead_filter.as_deref()))
            .collect(),
        periods: periods
            .iter()
            .map(|p| {
                choice(
                    p.half.to_string(),
                    format!("{p} ({})", p.half.months()),
                    period.map(|q| q.half.to_string()).as_deref(),
                )
            })
            .collect(),
        filtered: ambition_filter.is_some() || status_filter.is_some() || lead_filter.is_some(),
        shown: shown.len(),
        total: tree.actions.len(),
        sections,
        achievements: match period {
            Some(p) => tree
                .achievements_by_top(p)
                .into_iter()
                .map(|(top, found)| AchievementGroup {
                    heading: top.short_name(levels),
                    items: found
                        .into_iter()
                        .map(|(a, u)| {
                            (
                                a.details.reference.to_string(),
                                u.input.commentary.to_string(),
                            )
                        })
                        .collect(),
                })
                .collect(),
            None => vec![],
        },
        compared_with: previous.as_ref().map(|(p, _)| p.to_string()),
        downloads: crate::export::links(&plan_href(
            body.slug.as_str(),
            portfolio.code.as_str(),
            plan.year,
        )),
        open_data: crate::open_data::plan_links(
            body.slug.as_str(),
            portfolio.code.as_str(),
            plan.year,
        ),
    };
    html(page)
}

/// Indicator `i` (measure `mid` of action `action_id`) over every year of
/// the action's life in `years`: the indicator of the same name in each
/// year's action, its figure in each half-year and that year's target.
fn indicator_trend<'a>(
    i: &'a domain::Indicator,
    (action_id, mid): (i64, i64),
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

/// The banner after the lead saved or submitted update `done.update` of
/// `updates`, said from the update's state now (so a stale or forged
/// address says nothing untrue).
fn update_banner(done: &DoneQuery, updates: &[&domain::Update]) -> Option<String> {
    let u = updates.iter().find(|u| Some(u.id) == done.update)?;
    match (done.done.as_deref()?, u.state) {
        ("saved", domain::UpdateState::Draft) => Some(format!(
            "Your update for {} is saved as a draft; it is not yet submitted for sign-off",
            u.period
        )),
        ("saved" | "submitted", domain::UpdateState::Submitted) => Some(format!(
            "Your update for {} is submitted for sign-off",
            u.period
        )),
        // Outside an open period, or a correction: recorded as it stands.
        ("saved", domain::UpdateState::SignedOff) => {
            Some(format!("Your update for {} is saved", u.period))
        }
        _ => None,
    }
}

/// `GET /b/{body}/actions/{id}`: an action, its measures, updates and life across years.
pub async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let viewer = viewer(&state, &headers).await?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let (action, plan, portfolio, tree) = visible_action(&state, &body, &access, &id).await?;
    let updates: Vec<&domain::Update> = tree
        .updates
        .iter()
        .filter(|u| u.action_id == action.id)
        .collect();
    let levels = &body.level_names;

    // The action's life across years, as the viewer may see it: each
    // year's action in the lineage with its updates.
    let lineage_seen: Vec<(Plan, Action)> = state
        .store()
        .lineage(action.id)
        .await?
        .into_iter()
        .filter(|(p, _)| p.published_at.is_some() || access.sees_unpublished())
        .collect();
    let mut years: Vec<(FinancialYear, &Action, Vec<domain::Update>)> = Vec::new();
    for (p, a) in &lineage_seen {
        let seen = if a.id == action.id {
            updates.iter().map(|u| (*u).clone()).collect()
        } else {
            visible::updates(&state, a, &access).await?
        };
        years.push((p.year, a, seen));
    }

    let edit_href = |mid: i64| {
        access
            .edits_plans()
            .then(|| format!("/b/{}/actions/{}/measures/{mid}", body.slug, action.id))
    };
    let measures = action
        .measures
        .iter()
        .map(|(mid, m)| match m {
            Measure::Statement { text } => MeasureView {
                description: text.to_string(),
                baseline: String::new(),
                target: String::new(),
                figures: vec![],
                chart: String::new(),
                edit_href: edit_href(*mid),
            },
            Measure::Indicator(i) => {
                let target = i.year_end_target(plan.year);
                let trend = indicator_trend(i, (action.id, *mid), &years);
                MeasureView {
                    description: m.describe(),
                    baseline: i.baseline.map(number).unwrap_or_default(),
                    target: target.map(number).unwrap_or_default(),
                    figures: trend
                        .periods
                        .iter()
                        .filter_map(|(p, v)| v.map(|v| (p.clone(), number(v))))
                        .collect(),
                    chart: chart::trend(&trend),
                    edit_href: edit_href(*mid),
                }
            }
        })
        .collect();

    let lineage = lineage_seen
        .iter()
        .map(|(p, a)| LineageView {
            year: p.year.to_string(),
            reference: a.details.reference.to_string(),
            title: a.details.title.to_string(),
            href: format!("/b/{}/actions/{}", body.slug, a.id),
            current: a.id == action.id,
        })
        .collect();

    let sees_work = access.sees_work_on(&action);
    let mut update_links = Vec::new();
    if access.updates(&action) {
        for h in [Half::H1, Half::H2] {
            let p = ReportingPeriod::new(plan.year, h);
            let label = match state.store().recording(action.id, p).await {
                Ok(store::Recording::Draft) => format!("Record the update for {p}"),
                Ok(store::Recording::Revision) => format!("Revise the update for {p}"),
                Ok(store::Recording::AsReported) => format!("Record the update for {p}"),
                Err(e) if e.is_user_error() => {
                    let signed_off = updates
                        .iter()
                        .any(|u| u.period == p && u.state == domain::UpdateState::SignedOff);
                    if access.signs_off() && signed_off {
                        format!("Correct the update for {p}")
                    } else {
                        continue;
                    }
                }
                Err(e) => return Err(e.into()),
            };
            update_links.push((
                format!("/b/{}/actions/{}/updates/{h}", body.slug, action.id),
                label,
            ));
        }
    }
    let (questions, promises) =
        crate::committees::about_action(&state, &body, &access, action.id).await?;
    html(ActionPage {
        banner: match done.done.as_deref() {
            Some("measures") if access.edits_plans() => {
                Some("The measures of success are saved".to_owned())
            }
            _ if access.sees_work_on(&action) => update_banner(&done, &updates),
            _ => None,
        },
        add_measure_href: access
            .edits_plans()
            .then(|| format!("/b/{}/actions/{}/measures/new", body.slug, action.id)),
        questions,
        promises,
        chrome: chrome(viewer.as_ref(), Some(&body)),
        reference: action.details.reference.to_string(),
        title: action.details.title.to_string(),
        plan_href: plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year),
        plan_name: format!("{} Portfolio Plan {}", portfolio.name, plan.year),
        path: tree
            .path_of(&action)
            .iter()
            .map(|i| {
                let label = match &i.reference {
                    Some(n) => format!("{} {n}", levels.name(i.depth)),
                    None => levels.name(i.depth).to_owned(),
                };
                (label, i.title.to_string())
            })
            .collect(),
        lead: action.details.lead.to_string(),
        directorate: action
            .details
            .directorate
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        target: action
            .details
            .target
            .map(|t| t.to_string())
            .unwrap_or_default(),
        illustrative: action.details.illustrative,
        measures,
        updates: updates
            .iter()
            .rev()
            .map(|u| UpdateView {
                period: u.period.to_string(),
                tag: Tag::of(Some(u.input.status), &body.rag),
                percent: u.input.percent.map(|p| p.to_string()).unwrap_or_default(),
                commentary: u.input.commentary.to_string(),
                key_achievement: u.input.key_achievement,
                author: u.input.author.to_string(),
                updated: u.updated_at.format("%-d %B %Y").to_string(),
                illustrative: u.input.illustrative,
                audit_href: if sees_work {
                    format!("/b/{}/audit/update/{}", body.slug, u.id)
                } else {
                    String::new()
                },
                state: if sees_work {
                    sign_off_label(u)
                } else {
                    String::new()
                },
            })
            .collect(),
        lineage,
        update_links,
        edit_href: access
            .edits_plans()
            .then(|| format!("/b/{}/actions/{}/edit", body.slug, action.id)),
        audit_href: access
            .sees_unpublished()
            .then(|| format!("/b/{}/audit/action/{}", body.slug, action.id)),
    })
}

/// The fields of the update form, as typed.
#[derive(Debug, Deserialize, Default)]
pub struct UpdateFields {
    #[serde(default)]
    status: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    commentary: String,
    #[serde(default)]
    key_achievement: Option<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    csrf: String,
    /// "yes" when the lead also submits the update for sign-off.
    #[serde(default)]
    submit: Option<String>,
    /// Why a performance officer corrects a signed-off update.
    #[serde(default)]
    correction: String,
    /// Why the update was returned (shown, not posted back).
    #[serde(skip)]
    returned_comment: Option<String>,
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

/// What saving the update form does for this viewer, action and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Saving {
    /// As the store would record it now; for those who sign off, a
    /// signed-off update may be corrected instead (a reason given).
    Record {
        recording: store::Recording,
        correctable: bool,
    },
    /// Only a correction (with a reason) can change it here: the period is
    /// closed or not opened, or the plan superseded, and the update is
    /// signed off.
    Correct,
    /// Saving is refused (the form was posted after the update changed, or
    /// its period closed): the form is shown again with the reason and what
    /// was typed, and offers nothing to save.
    Refused,
}

impl Saving {
    /// What saving `action`'s update for `period` does for `access`, or the
    /// refusal (naming the period to open, or why it is frozen).
    async fn decide(
        state: &AppState,
        access: &domain::Access,
        action: &Action,
        period: ReportingPeriod,
        current: Option<&domain::Update>,
    ) -> Result<Saving, StoreError> {
        let signed_off = current.is_some_and(|u| u.state == domain::UpdateState::SignedOff)
            && access.signs_off();
        match state.store().recording(action.id, period).await {
            Ok(recording) => Ok(Saving::Record {
                recording,
                correctable: signed_off,
            }),
            Err(e) if e.is_user_error() && signed_off => Ok(Saving::Correct),
            Err(e) => Err(e),
        }
    }

    fn notice(self, period: ReportingPeriod) -> String {
        match self {
            Saving::Record {
                recording: store::Recording::Draft,
                ..
            } => format!(
                "{period} is open: this update is a draft until you submit it and a performance officer signs it off. Only signed-off updates are published."
            ),
            Saving::Record {
                recording: store::Recording::Revision,
                ..
            } => "This update is signed off and published. Saving starts a revision, which goes through sign-off again; the signed-off version stays published until the revision is signed off.".to_owned(),
            Saving::Record {
                recording: store::Recording::AsReported,
                ..
            } => format!(
                "No reporting period has been opened for {period}: this update is recorded as reported and published at once, without sign-off."
            ),
            Saving::Correct => "This update is signed off and can change only by a correction: it stays signed off, and its history keeps the earlier version and your reason.".to_owned(),
            Saving::Refused => String::new(),
        }
    }
}

/// Why an update for `period` cannot be written now, in words that say
/// what happens next.
fn why_not_now(e: &StoreError, period: ReportingPeriod) -> String {
    match e {
        StoreError::PeriodState { .. } => format!(
            "{period} is not open for updates yet. A performance officer opens it on the plan's period page, and the update can be written then."
        ),
        StoreError::Closed { .. } => format!(
            "{period} is closed: its updates can no longer change. If a signed-off update is wrong, a performance officer can correct it."
        ),
        other => user_message(other),
    }
}

/// What the update form shows beside the fields: the update of the
/// period before and, in an open period, when the update is due.
#[derive(Default)]
struct UpdateContext {
    previous: Option<domain::Update>,
    deadline: Option<chrono::NaiveDate>,
    /// Whether the body requires commentary on updates at risk or off track.
    commentary_required: bool,
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

#[allow(clippy::too_many_arguments)]
fn update_page(
    viewer: &Viewer,
    body: &Body,
    action: &Action,
    period: ReportingPeriod,
    saving: Saving,
    fields: &UpdateFields,
    errors: Vec<FieldError>,
    context: &UpdateContext,
) -> UpdateFormPage {
    let actuals = action
        .measures
        .iter()
        .filter_map(|(id, m)| match m {
            Measure::Indicator(i) => Some(ActualField {
                id: *id,
                name: i.name.to_string(),
                unit: i.unit.to_string(),
                value: fields
                    .rest
                    .get(&format!("actual_{id}"))
                    .cloned()
                    .unwrap_or_default(),
                error: errors
                    .iter()
                    .find(|e| e.field == format!("actual_{id}"))
                    .map(|e| e.message.clone()),
                hint: measure_hint(i, period.year),
            }),
            Measure::Statement { .. } => None,
        })
        .collect();
    UpdateFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        action_href: format!("/b/{}/actions/{}", body.slug, action.id),
        reference: action.details.reference.to_string(),
        title: action.details.title.to_string(),
        period: period.to_string(),
        months: period.half.months().to_owned(),
        statuses: Status::ALL
            .iter()
            .map(|s| StatusChoice {
                value: s.as_str().to_owned(),
                label: s.label().to_owned(),
                selected: fields.status == s.as_str(),
                hint: s.definition().to_owned(),
            })
            .collect(),
        deadline: context.deadline.map(|d| d.format("%-d %B %Y").to_string()),
        commentary_required: context.commentary_required,
        previous: context.previous.as_ref().map(|u| {
            (
                u.period.to_string(),
                Tag::of(Some(u.input.status), &body.rag),
                u.input.commentary.to_string(),
            )
        }),
        percent: fields.percent.clone(),
        commentary: fields.commentary.clone(),
        key_achievement: fields.key_achievement.is_some(),
        actuals,
        version: fields.version.clone(),
        csrf: viewer.csrf.clone().unwrap_or_default(),
        returned_comment: fields.returned_comment.clone(),
        errors,
        notice: saving.notice(period),
        correction: matches!(
            saving,
            Saving::Correct
                | Saving::Record {
                    correctable: true,
                    ..
                }
        )
        .then(|| fields.correction.clone()),
        correction_required: saving == Saving::Correct,
        closed: None,
        home_href: String::new(),
        can_save: saving != Saving::Refused,
        can_submit: matches!(
            saving,
            Saving::Record {
                recording: store::Recording::Draft | store::Recording::Revision,
                ..
            }
        ),
    }
}

async fn updatable(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    id: &str,
    half: &str,
    path: &str,
) -> Result<Updatable, WebError> {
    let viewer = viewer(state, headers)
        .await?
        .ok_or_else(|| need_sign_in(path))?;
    let body = body_for(state, slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (action, plan, _, _) = visible_action(state, &body, &access, id).await?;
    let half: Half = half.parse().map_err(|_| WebError::NotFound)?;
    if !access.updates(&action) {
        return Err(WebError::Forbidden);
    }
    let period = ReportingPeriod::new(plan.year, half);
    let seen = visible::updates(state, &action, &access).await?;
    let current = seen.iter().find(|u| u.period == period).cloned();
    let saving = Saving::decide(state, &access, &action, period, current.as_ref()).await;
    let mut earlier = seen
        .into_iter()
        .filter(|u| u.period < period)
        .max_by_key(|u| u.period);
    if earlier.is_none()
        && let Some(before) = action.continues
    {
        // The first half of a year: the last word is the previous year's,
        // on the action this one continues.
        let continued = state.store().action(before).await?;
        earlier = visible::updates(state, &continued, &access)
            .await?
            .into_iter()
            .max_by_key(|u| u.period);
    }
    let commentary_required = state.store().require_commentary(body.id).await?;
    let deadline = state
        .store()
        .period_records(plan.id)
        .await?
        .into_iter()
        .find(|p| p.half == half && p.open)
        .map(|p| p.deadline);
    Ok(Updatable {
        viewer,
        body,
        action,
        period,
        current,
        saving,
        context: UpdateContext {
            previous: earlier,
            deadline,
            commentary_required,
        },
    })
}

/// An update the viewer may write, and what saving it does.
struct Updatable {
    viewer: Viewer,
    body: Body,
    action: Action,
    period: ReportingPeriod,
    current: Option<domain::Update>,
    /// What saving does, or why it is refused (answered after the form's
    /// CSRF check, so a forged form is refused as forged).
    saving: Result<Saving, StoreError>,
    /// The period before's update and the deadline, shown beside the form.
    context: UpdateContext,
}

/// `GET /b/{body}/actions/{id}/updates/{half}`: the update form, filled with the current update.
pub async fn update_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id, half)): Path<(String, String, String)>,
    uri: axum::extract::OriginalUri,
) -> PageResult {
    let Updatable {
        viewer,
        body,
        action,
        period,
        current,
        saving,
        context,
    } = updatable(&state, &headers, &slug, &id, &half, uri.path()).await?;
    let saving = match saving {
        Ok(saving) => saving,
        // Not a dead end: the page says why the update cannot be written
        // now and where to go instead.
        Err(e) if e.is_user_error() => {
            let mut page = update_page(
                &viewer,
                &body,
                &action,
                period,
                Saving::Refused,
                &UpdateFields::default(),
                vec![],
                &context,
            );
            page.closed = Some(why_not_now(&e, period));
            page.home_href = format!("/b/{}/home", body.slug);
            return html(page);
        }
        Err(e) => return Err(e.into()),
    };
    let mut fields = UpdateFields::default();
    if let Some(u) = &current {
        fields.status = u.input.status.as_str().to_owned();
        fields.percent = u
            .input
            .percent
            .map(|p| p.value().to_string())
            .unwrap_or_default();
        fields.commentary = u.input.commentary.to_string();
        fields.key_achievement = u.input.key_achievement.then(|| "yes".to_owned());
        fields.version = u.version.to_string();
        fields.returned_comment = u
            .returned_comment
            .clone()
            .filter(|_| u.state == domain::UpdateState::Returned);
        for a in &u.input.actuals {
            fields
                .rest
                .insert(format!("actual_{}", a.measure_id), number(a.value));
        }
    }
    html(update_page(
        &viewer,
        &body,
        &action,
        period,
        saving,
        &fields,
        vec![],
        &context,
    ))
}

/// `POST /b/{body}/actions/{id}/updates/{half}`: record the update.
pub async fn record_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id, half)): Path<(String, String, String)>,
    uri: axum::extract::OriginalUri,
    Form(fields): Form<UpdateFields>,
) -> PageResult {
    let Updatable {
        viewer,
        body,
        action,
        period,
        current,
        saving,
        context,
    } = updatable(&state, &headers, &slug, &id, &half, uri.path()).await?;
    check_form(&headers, &viewer, &fields.csrf)?;
    let saving = match saving {
        Ok(saving) => saving,
        Err(e) if e.is_user_error() => {
            // Say first that someone else changed it, if they did.
            let read = fields.version.trim().parse::<i64>().unwrap_or(0);
            let now = current.as_ref().map_or(0, |u| u.version);
            let e = if read == now {
                e
            } else {
                StoreError::Conflict {
                    entity: "update",
                    key: format!("for {} in {period}", action.details.reference),
                    expected: read,
                    current: now,
                }
            };
            let errors = vec![FieldError {
                field: "status".into(),
                message: user_message(&e),
            }];
            let page = update_page(
                &viewer,
                &body,
                &action,
                period,
                Saving::Refused,
                &fields,
                errors,
                &context,
            );
            return Ok((axum::http::StatusCode::CONFLICT, Html(page.render()?)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let mut errors = Vec::new();
    let status = if fields.status.is_empty() {
        errors.push(FieldError {
            field: "status".into(),
            message: "Select the action's status".into(),
        });
        None
    } else {
        take(&mut errors, "status", fields.status.parse::<Status>())
    };
    let percent = if fields.percent.trim().is_empty() {
        None
    } else {
        take(&mut errors, "percent", fields.percent.parse::<Percent>())
    };
    let commentary = take(
        &mut errors,
        "commentary",
        Text::parse("commentary", &fields.commentary),
    );
    let mut actuals = Vec::new();
    for (id, m) in &action.measures {
        if !matches!(m, Measure::Indicator(_)) {
            continue;
        }
        let key = format!("actual_{id}");
        let raw = fields.rest.get(&key).map(|s| s.trim()).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        match raw.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() => actuals.push(MeasureActual {
                measure_id: *id,
                value: v,
            }),
            _ => errors.push(FieldError {
                field: key,
                message: format!(
                    "Enter the figure as a number, like 640 or 84.5 (you entered {raw:?})"
                ),
            }),
        }
    }
    let version = match fields.version.trim() {
        "" => None,
        v => v.parse::<i64>().ok(),
    };
    let correction = match (saving, fields.correction.trim()) {
        (Saving::Correct, "") => {
            errors.push(FieldError {
                field: "correction".into(),
                message: "Give the reason for the correction".into(),
            });
            None
        }
        (_, "") => None,
        (
            Saving::Correct
            | Saving::Record {
                correctable: true, ..
            },
            reason,
        ) => take(&mut errors, "correction", Text::parse("correction", reason)),
        _ => None,
    };
    if let (true, Some(status), Some(commentary)) = (errors.is_empty(), status, commentary) {
        let input = UpdateInput {
            status,
            commentary,
            percent,
            key_achievement: fields.key_achievement.is_some(),
            actuals,
            author: viewer.user.name.clone(),
            illustrative: false,
        };
        // A concern goes forward (for sign-off, or recorded as reported)
        // only with a word of why, where the body asks for one; checked
        // before saving, so a refused submission saves nothing.
        let goes_forward = fields.submit.as_deref() == Some("yes")
            || matches!(
                saving,
                Saving::Record {
                    recording: store::Recording::AsReported,
                    ..
                }
            );
        let unexplained = match input.unexplained() {
            Some(missing) if goes_forward && state.store().require_commentary(body.id).await? => {
                Some(missing)
            }
            _ => None,
        };
        match (input.validate(), unexplained) {
            (Ok(_), Some(missing)) => errors.push(field_error("commentary", &missing)),
            (Ok(input), None) => {
                let actor = viewer.actor();
                let saved = match (&correction, &current) {
                    (Some(reason), Some(current)) => {
                        state
                            .store()
                            .correct_update(&actor, current.id, version.unwrap_or(0), input, reason)
                            .await
                    }
                    _ => {
                        state
                            .store()
                            .record_update(
                                &actor,
                                action.id,
                                period,
                                input,
                                Some(version.unwrap_or(0)),
                            )
                            .await
                    }
                };
                match saved {
                    Ok(saved) => {
                        let submitted = match fields.submit.as_deref() {
                            Some("yes") if saved.state == domain::UpdateState::Draft => state
                                .store()
                                .submit_update(&actor, saved.id, saved.version)
                                .await
                                .map(|_| ()),
                            _ => Ok(()),
                        };
                        match submitted {
                            Ok(()) => {
                                return Ok(Redirect::to(&format!(
                                    "/b/{}/actions/{}?done=saved&update={}",
                                    body.slug, action.id, saved.id
                                ))
                                .into_response());
                            }
                            Err(e) if e.is_user_error() => errors.push(FieldError {
                                field: "status".into(),
                                message: user_message(&e),
                            }),
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Err(StoreError::Invalid(e)) => errors.push(field_error(e.field, &e)),
                    Err(e) if e.is_user_error() => errors.push(FieldError {
                        field: "status".into(),
                        message: user_message(&e),
                    }),
                    Err(e) => return Err(e.into()),
                }
            }
            (Err(e), _) => errors.push(field_error(e.field, &e)),
        }
    }
    let page = update_page(
        &viewer, &body, &action, period, saving, &fields, errors, &context,
    );
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render()?),
    )
        .into_response())
}

/// The fields of the action form, as typed.
#[derive(Debug, Deserialize, Default)]
pub struct ActionFields {
    #[serde(default)]
    amendment: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    directorate: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    csrf: String,
}

async fn editable(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    id: &str,
    path: &str,
) -> Result<(Viewer, Body, Action), WebError> {
    let viewer = viewer(state, headers)
        .await?
        .ok_or_else(|| need_sign_in(path))?;
    let body = body_for(state, slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (action, ..) = visible_action(state, &body, &access, id).await?;
    if !access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    Ok((viewer, body, action))
}

fn action_page_form(
    viewer: &Viewer,
    body: &Body,
    action: &Action,
    status: domain::PlanStatus,
    f: &ActionFields,
    errors: Vec<FieldError>,
) -> ActionFormPage {
    ActionFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        action_href: format!("/b/{}/actions/{}", body.slug, action.id),
        errors,
        reference: f.reference.clone(),
        reference_hint: body.reference_scheme.action_hint(),
        title: f.title.clone(),
        lead: f.lead.clone(),
        directorate: f.directorate.clone(),
        target: f.target.clone(),
        amendment: (status == domain::PlanStatus::Approved).then(|| f.amendment.clone()),
        version: f.version.clone(),
        csrf: viewer.csrf.clone().unwrap_or_default(),
    }
}

/// `GET /b/{body}/actions/{id}/edit`: the action's details as a form.
pub async fn edit_action_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: axum::extract::OriginalUri,
) -> PageResult {
    let (viewer, body, action) = editable(&state, &headers, &slug, &id, uri.path()).await?;
    let status = state.store().plan_by_id(action.plan_id).await?.status;
    let d = &action.details;
    let fields = ActionFields {
        reference: d.reference.to_string(),
        title: d.title.to_string(),
        lead: d.lead.to_string(),
        directorate: d
            .directorate
            .as_ref()
            .map(|x| x.to_string())
            .unwrap_or_default(),
        target: d.target.map(|t| t.to_string()).unwrap_or_default(),
        version: action.version.to_string(),
        csrf: String::new(),
        amendment: String::new(),
    };
    html(action_page_form(
        &viewer,
        &body,
        &action,
        status,
        &fields,
        vec![],
    ))
}

/// `POST /b/{body}/actions/{id}/edit`: save the action's details.
pub async fn edit_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: axum::extract::OriginalUri,
    Form(fields): Form<ActionFields>,
) -> PageResult {
    let (viewer, body, action) = editable(&state, &headers, &slug, &id, uri.path()).await?;
    check_form(&headers, &viewer, &fields.csrf)?;
    let status = state.store().plan_by_id(action.plan_id).await?.status;
    let mut errors = Vec::new();
    let reference = take(
        &mut errors,
        "reference",
        body.reference_scheme.parse_action(&fields.reference),
    );
    let title = take(&mut errors, "title", Title::parse("title", &fields.title));
    let lead = take(&mut errors, "lead", Title::parse("lead", &fields.lead));
    let directorate = take(
        &mut errors,
        "directorate",
        if fields.directorate.trim().is_empty() {
            Ok(None)
        } else {
            Title::parse("directorate", &fields.directorate).map(Some)
        },
    );
    let target = take(
        &mut errors,
        "target",
        if fields.target.trim().is_empty() {
            Ok(None)
        } else {
            fields.target.parse::<TargetDate>().map(Some)
        },
    );
    let version = fields.version.trim().parse::<i64>().unwrap_or(0);
    let writer = crate::forms::plan_writer(&state, status, &fields.amendment, &mut errors);
    if let (
        Some(reference),
        Some(title),
        Some(lead),
        Some(directorate),
        Some(target),
        Some(writer),
    ) = (reference, title, lead, directorate, target, writer)
    {
        let details = ActionDetails {
            reference,
            title,
            lead,
            directorate,
            target,
            illustrative: action.details.illustrative,
        };
        let actor = viewer.actor();
        match writer
            .edit_action(&actor, action.id, version, details)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/actions/{}", body.slug, action.id))
                        .into_response(),
                );
            }
            Err(e @ (StoreError::Conflict { .. } | StoreError::Duplicate { .. })) => {
                errors.push(FieldError {
                    field: "reference".into(),
                    message: user_message(&e),
                })
            }
            Err(StoreError::Invalid(e)) => {
                let field = match e.field {
                    "action reference" => "reference",
                    "target date" => "target",
                    other => other,
                };
                errors.push(field_error(field, &e))
            }
            Err(e @ StoreError::PlanState { .. }) => errors.push(FieldError {
                field: "amendment".into(),
                message: user_message(&e),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let page = action_page_form(&viewer, &body, &action, status, &fields, errors);
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render()?),
    )
        .into_response())
}

/// The publish form.
#[derive(Debug, Deserialize)]
pub struct PublishFields {
    publish: String,
    version: String,
    csrf: String,
}

/// `POST /b/{body}/plans/{code}/{year}/publish`: publish or withdraw a plan.
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, code, year)): Path<(String, String, String)>,
    uri: axum::extract::OriginalUri,
    Form(fields): Form<PublishFields>,
) -> PageResult {
    let viewer = viewer(&state, &headers)
        .await?
        .ok_or_else(|| need_sign_in(uri.path()))?;
    check_form(&headers, &viewer, &fields.csrf)?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (portfolio, plan) = visible_plan(&state, &body, &access, &code, &year).await?;
    if !access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    let actor = viewer.actor();
    let version = fields.version.parse().unwrap_or(0);
    state
        .store()
        .publish_plan(&actor, plan.id, version, fields.publish == "yes")
        .await?;
    Ok(Redirect::to(&plan_href(
        body.slug.as_str(),
        portfolio.code.as_str(),
        plan.year,
    ))
    .into_response())
}

/// `GET /b/{body}/audit/{entity}/{id}`: who changed a record, when, before and after.
pub async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, entity, id)): Path<(String, String, String)>,
    uri: axum::extract::OriginalUri,
) -> PageResult {
    let viewer = viewer(&state, &headers)
        .await?
        .ok_or_else(|| need_sign_in(uri.path()))?;
    let body = body_for(&state, &slug).await?;
    if !Viewer::access(Some(&viewer), body.id).sees_unpublished() {
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
        let update = match state.store().update(id).await {
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
        "update" => match state.store().update(id).await {
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

/// The actions at risk and off track, said beside the progress sentence
/// so that "progress on all of the actions" never hides them.
fn concerns(r: &RollUp) -> Option<String> {
    let said = |n: u32, what: &str| match n {
        0 => None,
        1 => Some(format!("1 is {what}")),
        n => Some(format!("{n} are {what}")),
    };
    let parts: Vec<String> = [
        said(r.count(Status::AtRisk), "at risk"),
        said(r.count(Status::OffTrack), "off track"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// The sign-in page's query.
#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /sign-in`.
pub async fn sign_in_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> PageResult {
    let token = auth::new_token();
    let page = SignInPage {
        chrome: Chrome::plain(),
        errors: vec![],
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        form_token: token.clone(),
    };
    let cookie = auth::set_cookie(auth::FORM_COOKIE, &token, 3600, state.secure_cookies());
    Ok(([(header::SET_COOKIE, cookie)], Html(page.render()?)).into_response())
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_token: String,
}

/// The longest password checked (1,024 bytes); a longer one is refused
/// before any work is done on it.
const MAX_PASSWORD_BYTES: usize = 1024;

/// `POST /sign-in`. The form's token is checked first, then the email's
/// form; only then is the limiter asked, and only a checked password is
/// counted as a failure ([`auth::SignInLimiter`]). Unknown accounts cost the
/// same password check as known ones ([`auth::check_password`]).
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::ConnectInfo(client): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(f): Form<SignInFields>,
) -> PageResult {
    let expected = auth::cookie(&headers, auth::FORM_COOKIE).unwrap_or_default();
    if expected.is_empty() || !auth::same_secret(&expected, &f.form_token) {
        return Err(WebError::Forged);
    }
    let client = client.ip();
    let refuse = |message: &str| -> PageResult {
        let page = SignInPage {
            chrome: Chrome::plain(),
            errors: vec![FieldError {
                field: "email".into(),
                message: message.into(),
            }],
            email: f.email.chars().take(254).collect(),
            next: safe_next(Some(&f.next)),
            form_token: f.form_token.clone(),
        };
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render()?),
        )
            .into_response())
    };
    let Ok(email) = f.email.parse::<domain::Email>() else {
        return refuse("Enter your email address, like name@example.org");
    };
    if f.password.len() > MAX_PASSWORD_BYTES {
        return refuse("Enter a correct email address and password");
    }
    let account = email.to_string();
    if let Some(wait) = state.limiter().wait(&account, client) {
        return Err(WebError::TooManyAttempts {
            minutes: wait.as_secs().div_ceil(60),
        });
    }
    let (user, hash) = match state.store().user_by_email(&email).await? {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let matches = auth::check_password(f.password.clone(), hash).await;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            state.limiter().fail(&account, client);
            return refuse("Enter a correct email address and password");
        }
    };
    state.limiter().succeed(&account, client);
    let cookie = auth::start_session(&state, user.id).await?;
    let clear = auth::set_cookie(auth::FORM_COOKIE, "", 0, state.secure_cookies());
    // Sign-in lands on the person's home unless it was asked for elsewhere.
    let target = match safe_next(Some(&f.next)) {
        next if next == "/" => "/home".to_owned(),
        next => next,
    };
    let mut response = Redirect::to(&target).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie.parse().expect("cookie is ASCII"));
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear.parse().expect("cookie is ASCII"));
    Ok(response)
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    // Back to the public home of the one body they belong to, if one.
    let mut home = "/".to_owned();
    if let Some(viewer) = viewer(&state, &headers).await? {
        check_form(&headers, &viewer, &f.csrf)?;
        if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE) {
            state
                .store()
                .delete_session(&auth::token_hash(&token))
                .await?;
        }
        if let [only] = viewer.memberships.as_slice() {
            home = format!("/b/{}", state.store().body_by_id(only.body_id).await?.slug);
        }
    }
    let clear = auth::set_cookie(auth::SESSION_COOKIE, "", 0, state.secure_cookies());
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(&home)).into_response())
}

/// Any other address: the "page not found" page.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// Where an update is in its sign-off, for those who see work in progress.
fn sign_off_label(u: &domain::Update) -> String {
    match (u.state, u.published.is_some()) {
        (domain::UpdateState::SignedOff, _) => "Signed off".to_owned(),
        (state, true) => format!(
            "Revision of the signed-off update: {} (the signed-off version stays published)",
            state.label().to_lowercase()
        ),
        (state, false) => format!("{} (not published)", state.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_returns_only_to_this_site() {
        assert_eq!(
            safe_next(Some("/b/bromley/plans/ACH/2022-23?period=H1")),
            "/b/bromley/plans/ACH/2022-23?period=H1"
        );
        for hostile in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/\n/x",
            "/ /x",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
