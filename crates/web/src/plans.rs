//! A portfolio's plan: its page (the tree with statuses, filters and the
//! progress summary), publishing it, and the officer's form for its details.

use std::collections::{BTreeSet, HashMap, HashSet};

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Action, Body, Half, ReportingPeriod, RollUp, Status};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::extract::{CsrfForm, Editor, InPlan};
use crate::form::*;
use crate::progress::*;
use crate::request::*;
use crate::views::*;
use crate::words::capitalise;
use report::chart;

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

/// `GET /b/{body}/plans/{code}/{year}`: the plan tree with statuses.
pub async fn plan(
    State(state): State<AppState>,
    InPlan {
        viewer,
        access,
        view,
        tree,
    }: InPlan,
    Query(filters): Query<PlanFilters>,
) -> PageResult {
    let (body, portfolio) = (&view.body, &view.portfolio);
    let tree = &tree;
    let plan = &tree.plan;
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
        ambition_filter.is_none_or(|id| top_of(a) == Some(domain::PlanItemId::new(id)))
            && status_filter.as_ref().is_none_or(|s| &status_key(a) == s)
            && lead_filter
                .as_ref()
                .is_none_or(|l| a.details.lead.as_str() == l)
    };
    let shown: Vec<&Action> = tree.actions.iter().filter(|a| matches(a)).collect();
    let mut wanted: HashSet<domain::PlanItemId> = HashSet::new();
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
    let mut stack: Vec<domain::PlanItemId> = tree
        .children(None)
        .map(|i| i.id)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let items: HashMap<domain::PlanItemId, &domain::PlanItem> =
        tree.items.iter().map(|i| (i.id, i)).collect();
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
        let children: Vec<domain::PlanItemId> = tree.children(Some(id)).map(|i| i.id).collect();
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
        version: plan.version.get(),
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

/// The publish form.
#[derive(Debug, Deserialize)]
pub struct PublishFields {
    publish: String,
    version: String,
}

/// `POST /b/{body}/plans/{code}/{year}/publish`: publish or withdraw a plan.
pub async fn publish(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
    CsrfForm(fields): CsrfForm<PublishFields>,
) -> PageResult {
    let (portfolio, plan) = (in_plan.portfolio(), in_plan.plan());
    let actor = viewer.actor();
    let version = fields.version.parse().unwrap_or(domain::Version::new(0));
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

async fn plan_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    plan: &domain::Plan,
    chosen: &[domain::AlignmentId],
    (version, amendment): (String, String),
    errors: Vec<FieldError>,
) -> PageResult {
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    let failed = !errors.is_empty();
    let page = crate::views::PlanFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        back_href: crate::request::plan_href(
            body.slug.as_str(),
            portfolio.code.as_str(),
            plan.year,
        ),
        heading: format!("Edit the {} plan {}", portfolio.name, plan.year),
        errors,
        alignments: state
            .store()
            .alignments(body.id)
            .await?
            .into_iter()
            .map(|a| crate::views::Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", a.name, a.kind.as_str()),
                selected: chosen.contains(&a.id),
            })
            .collect(),
        amendment: amendment_field(plan.status, amendment),
        version,
        csrf: viewer.csrf.clone().unwrap_or_default(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /b/{body}/plans/{code}/{year}/edit`.
pub async fn plan_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
) -> PageResult {
    let plan = in_plan.plan().clone();
    let chosen: Vec<domain::AlignmentId> = plan.alignments.iter().map(|a| a.id).collect();
    plan_page(
        &state,
        &viewer,
        &body,
        &plan,
        &chosen,
        (plan.version.to_string(), String::new()),
        vec![],
    )
    .await
}

/// The fields of the form that edits a plan's details, as typed.
#[derive(Debug, Default)]
pub struct PlanFields {
    /// The alignments ticked, once per box.
    alignments: Vec<domain::AlignmentId>,
    /// Why an approved plan is amended.
    amendment: String,
    /// The plan's version the form was filled in against.
    version: String,
}

impl From<Vec<(String, String)>> for PlanFields {
    /// The form as posted, `alignment` once per box ticked.
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = PlanFields::default();
        for (name, value) in pairs {
            match name.as_str() {
                "alignment" => f
                    .alignments
                    .extend(value.parse::<domain::AlignmentId>().ok()),
                "amendment" => f.amendment = value,
                "version" => f.version = value,
                _ => {}
            }
        }
        f
    }
}

/// `POST /b/{body}/plans/{code}/{year}/edit`.
pub async fn edit_plan(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
    uri: OriginalUri,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields = PlanFields::from(pairs);
    let plan = in_plan.plan().clone();
    let mut errors = Vec::new();
    if let Some(writer) = plan_writer(&state, plan.status, &fields.amendment, &mut errors) {
        match writer
            .set_plan_alignments(
                &viewer.actor(),
                plan.id,
                version(&fields.version),
                &fields.alignments,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(uri.path().trim_end_matches("/edit")).into_response());
            }
            Err(e) => conflict_or(&mut errors, "alignment", e)?,
        }
    }
    plan_page(
        &state,
        &viewer,
        &body,
        &plan,
        &fields.alignments,
        (fields.version, fields.amendment),
        errors,
    )
    .await
}

/// The routes of a plan's page, its publication and its details.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/b/{body}/plans/{code}/{year}", axum::routing::get(plan))
        .route(
            "/b/{body}/plans/{code}/{year}/publish",
            axum::routing::post(publish),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/edit",
            axum::routing::get(plan_form).post(edit_plan),
        )
}
