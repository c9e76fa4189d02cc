//! An action's page (latest status first, its updates, measures and
//! promises made about it) and the officer's form to edit the action.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Action, Body, FinancialYear, Half, Measure, Plan, ReportingPeriod};
use store::StoreError;

use crate::auth::Viewer;
use crate::extract::*;
use crate::form::{ActionFields, ActionInput, version};
use crate::progress::*;
use crate::request::*;
use crate::views::*;
use crate::words::{field_error, number, user_message};
use crate::{AppState, visible};
use report::chart;

/// The banner after the lead saved or submitted update `done.update` of
/// `updates`, said from the update's state now (so a stale or forged
/// address says nothing untrue).
fn update_banner(done: &DoneQuery, updates: &[&domain::Update]) -> Option<String> {
    let u = updates
        .iter()
        .find(|u| Some(u.id) == done.update.map(domain::UpdateId::new))?;
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
    InAction {
        viewer,
        body,
        access,
        action,
        plan,
        portfolio,
        tree,
    }: InAction,
    Query(done): Query<DoneQuery>,
) -> PageResult {
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
                edit_href: edit_href(mid.get()),
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
                    edit_href: edit_href(mid.get()),
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
        crate::record::about_action(&state, &body, &access, action.id).await?;
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
    Editor { viewer, body }: Editor,
    InAction { action, .. }: InAction,
) -> PageResult {
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
        ..ActionFields::default()
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
    Editor { viewer, body }: Editor,
    InAction { action, .. }: InAction,
    CsrfForm(fields): CsrfForm<ActionFields>,
) -> PageResult {
    let status = state.store().plan_by_id(action.plan_id).await?.status;
    let mut errors = Vec::new();
    let input = ActionInput::try_from((&fields, body.reference_scheme))
        .map_err(|e| errors.extend(e))
        .ok();
    let writer = crate::form::plan_writer(&state, status, &fields.amendment, &mut errors);
    if let (Some(ActionInput { mut details, .. }), Some(writer)) = (input, writer) {
        details.illustrative = action.details.illustrative;
        let actor = viewer.actor();
        match writer
            .edit_action(&actor, action.id, version(&fields.version), details)
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

/// The routes of an action's page and its details.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/b/{body}/actions/{id}", axum::routing::get(action))
        .route(
            "/b/{body}/actions/{id}/edit",
            axum::routing::get(edit_action_form).post(edit_action),
        )
}
