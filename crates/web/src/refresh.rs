//! The yearly refresh on the web: the form choosing each action's fate,
//! the refresh report, and approval.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Fate, FinancialYear, Outcome, RefreshReport, TargetDate};
use store::StoreError;

use crate::AppState;
use crate::auth::Viewer;
use crate::dates::DateParts;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::request::PageResult;
use crate::request::{chrome, plan_href};
use crate::views::{
    ApprovalGapRow, ApprovePage, DateField, FieldError, RefreshChoice, RefreshFormPage,
    RefreshReportPage,
};
use crate::words::error_message;
use crate::words::user_message;

/// `GET /b/{body}/plans/{code}/{year}/refresh-report`: this plan against the year before.
pub async fn report(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::Forbidden);
    }
    let (Ok(code), Ok(year)) = (
        code.parse::<domain::PortfolioCode>(),
        year.parse::<FinancialYear>(),
    ) else {
        return Err(WebError::NotFound);
    };
    let (new, old) = match (
        state.store().plan_view(&body.slug, &code, year).await,
        state
            .store()
            .plan_view(&body.slug, &code, year.previous())
            .await,
    ) {
        (Ok(n), Ok(o)) => (n, o),
        (Err(StoreError::NotFound { .. }), _) | (_, Err(StoreError::NotFound { .. })) => {
            return Err(WebError::NotFound);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let r = RefreshReport::between(&old.tree, &new.tree, body.level_names.name(0));
    let page = RefreshReportPage {
        chrome: chrome(Some(&viewer), Some(&body)),
        plan_href: plan_href(body.slug.as_str(), code.as_str(), year),
        heading: format!("{} plan {}: what the refresh did", new.portfolio.name, year),
        summary: format!(
            "From {} to {}: {} carried forward, {} completed, {} dropped, {} not carried forward, {} new.",
            r.from,
            r.to,
            r.count(Outcome::CarriedForward),
            r.count(Outcome::Completed),
            r.count(Outcome::Dropped),
            r.count(Outcome::NotCarried),
            r.count(Outcome::New)
        ),
        groups: r.groups,
    };
    Ok(Html(page.render()?).into_response())
}

async fn refresh_page(
    state: &AppState,
    viewer: &Viewer,
    body: &domain::Body,
    code: &domain::PortfolioCode,
    year: FinancialYear,
    posted: Option<&HashMap<String, String>>,
    errors: Vec<FieldError>,
) -> PageResult {
    let view = match state.store().plan_view(&body.slug, code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let pick =
        |key: String, default: String| posted.and_then(|p| p.get(&key).cloned()).unwrap_or(default);
    let actions = view
        .tree
        .actions
        .iter()
        .map(|a| RefreshChoice {
            id: a.id,
            reference: a.details.reference.to_string(),
            title: a.details.title.to_string(),
            status: crate::views::Tag::of(
                view.tree.latest(a.id).map(|u| u.input.status),
                &body.rag,
            ),
            status_period: view
                .tree
                .latest(a.id)
                .map(|u| u.period.to_string())
                .unwrap_or_default(),
            choice: pick(format!("fate-{}", a.id), "carry".into()),
            new_reference: pick(format!("ref-{}", a.id), a.details.reference.to_string()),
            target: pick(format!("target-{}", a.id), String::new()),
            reason: pick(format!("reason-{}", a.id), String::new()),
        })
        .collect();
    let failed = !errors.is_empty();
    let page = RefreshFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        plan_href: plan_href(body.slug.as_str(), code.as_str(), year),
        heading: format!(
            "Refresh the {} plan {} into {}",
            view.portfolio.name,
            year,
            year.next()
        ),
        into: year.next().to_string(),
        errors,
        actions,
        all_target: pick("all-target".into(), String::new()),
        into_end: year.next().start_year() + 1,
        csrf: viewer.csrf.clone().unwrap_or_default(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn parse_plan(code: &str, year: &str) -> Result<(domain::PortfolioCode, FinancialYear), WebError> {
    match (code.parse(), year.parse()) {
        (Ok(c), Ok(y)) => Ok((c, y)),
        _ => Err(WebError::NotFound),
    }
}

/// `GET /b/{body}/plans/{code}/{year}/refresh`.
pub async fn form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    refresh_page(&state, &viewer, &body, &code, year, None, vec![]).await
}

/// `POST /b/{body}/plans/{code}/{year}/refresh`: make next year's draft plan.
pub async fn refresh(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    let view = match state.store().plan_view(&body.slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let mut errors = Vec::new();
    let mut fates = HashMap::new();
    // One target date for every action carried forward, unless an action
    // is given its own.
    let all_target = match fields.get("all-target").map(|s| s.trim()) {
        None | Some("") => None,
        Some(raw) => match raw.parse::<TargetDate>() {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError {
                    field: "all-target".into(),
                    message: format!(
                        "Target date for every action carried forward must be {}",
                        e.expected
                    ),
                });
                None
            }
        },
    };
    for a in &view.tree.actions {
        let get = |k: &str| {
            fields
                .get(&format!("{k}-{}", a.id))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let target = match get("target").as_str() {
            "" => Ok(all_target),
            raw => raw.parse::<TargetDate>().map(Some),
        };
        let fate = match (get("fate").as_str(), target) {
            ("complete", _) => Ok(Fate::Completed),
            ("drop", _) => Fate::dropped(&get("reason")),
            (_, Err(e)) => Err(e),
            (_, Ok(target)) => match get("ref") {
                r if r.is_empty() => Ok(Fate::CarriedForward {
                    reference: a.details.reference.clone(),
                    target,
                }),
                r => body
                    .reference_scheme
                    .parse_action(&r)
                    .map(|reference| Fate::CarriedForward { reference, target }),
            },
        };
        match fate {
            Ok(f) => {
                fates.insert(a.id, f);
            }
            Err(e) => errors.push(FieldError {
                field: format!(
                    "{}-{}",
                    match e.field {
                        "reason" => "reason",
                        "target date" => "target",
                        _ => "ref",
                    },
                    a.id
                ),
                message: format!("{}: {}", a.details.reference, error_message(&e)),
            }),
        }
    }
    if errors.is_empty() {
        let actor = viewer.actor();
        match state
            .store()
            .refresh_plan(&actor, view.tree.plan.id, year.next(), &fates)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "{}/refresh-report",
                    plan_href(body.slug.as_str(), code.as_str(), year.next())
                ))
                .into_response());
            }
            Err(e) if e.is_user_error() => {
                let field = view
                    .tree
                    .actions
                    .first()
                    .map(|a| format!("fate-{}", a.id))
                    .unwrap_or_default();
                errors.push(FieldError {
                    field,
                    message: user_message(&e),
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    refresh_page(&state, &viewer, &body, &code, year, Some(&fields), errors).await
}

/// The approval form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ApproveFields {
    #[serde(default)]
    version: String,
    #[serde(default)]
    on: String,
    #[serde(default, rename = "on-day")]
    on_day: String,
    #[serde(default, rename = "on-month")]
    on_month: String,
    #[serde(default, rename = "on-year")]
    on_year: String,
    #[serde(default, rename = "accept-gaps")]
    accept_gaps: String,
}

impl ApproveFields {
    /// The approval date as typed, in its three parts.
    fn on(&self) -> DateParts {
        DateParts::posted("on", |k| match k {
            "on" => Some(self.on.clone()),
            "on-day" => Some(self.on_day.clone()),
            "on-month" => Some(self.on_month.clone()),
            "on-year" => Some(self.on_year.clone()),
            _ => None,
        })
    }
}

/// The draft plan `code` `year` of `body` and the approval page for it,
/// showing `fields` as typed and `errors` against them.
async fn approve_page(
    state: &AppState,
    viewer: &Viewer,
    body: &domain::Body,
    (code, year): (&domain::PortfolioCode, FinancialYear),
    fields: &ApproveFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let view = match state.store().plan_view(&body.slug, code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let href = plan_href(body.slug.as_str(), code.as_str(), year);
    if view.tree.plan.status != domain::PlanStatus::Draft {
        // Approved already (perhaps by someone else): the plan says so.
        return Ok(Redirect::to(&href).into_response());
    }
    let gaps = state
        .store()
        .approval_gaps(view.tree.plan.id)
        .await?
        .into_iter()
        .map(|(a, g)| ApprovalGapRow {
            href: format!("/b/{}/actions/{}", body.slug, a.id),
            reference: a.details.reference.to_string(),
            title: a.details.title.to_string(),
            missing: g.iter().map(ToString::to_string).collect(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ApprovePage {
        chrome: chrome(Some(viewer), Some(body)),
        heading: format!("Approve the {} plan {year}", view.portfolio.name),
        action: format!("{href}/approve"),
        plan_href: href,
        version: view.tree.plan.version,
        gaps,
        on: DateField::new(
            "on",
            "Date the committee approved this plan",
            "For example, 20 3 2025",
            fields.on(),
            &errors,
        ),
        reason: fields.accept_gaps.clone(),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /b/{body}/plans/{code}/{year}/approve`: what the draft plan lacks,
/// and the form recording the committee's approval.
pub async fn approve_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    approve_page(
        &state,
        &viewer,
        &body,
        (&code, year),
        &ApproveFields::default(),
        Vec::new(),
    )
    .await
}

/// `POST /b/{body}/plans/{code}/{year}/approve`: record the approval, or
/// show the form again with what is wrong against its fields.
pub async fn approve(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<ApproveFields>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    let view = match state.store().plan_view(&body.slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let mut errors = Vec::new();
    let on = match f
        .on()
        .required("Date", "Enter the date the committee approved the plan")
    {
        Ok(on) => Some(on),
        Err(e) => {
            errors.push(FieldError {
                field: "on".into(),
                message: e.message,
            });
            None
        }
    };
    let reason = match f.accept_gaps.trim() {
        "" => None,
        raw => match domain::Text::parse("accept-gaps", raw) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError {
                    field: "accept-gaps".into(),
                    message: error_message(&e),
                });
                None
            }
        },
    };
    if reason.is_none()
        && !state
            .store()
            .approval_gaps(view.tree.plan.id)
            .await?
            .is_empty()
    {
        errors.push(FieldError {
            field: "accept-gaps".into(),
            message: "Enter why the committee approved the plan with these gaps, or give the actions their target dates and targets first".into(),
        });
    }
    let Some(on) = on.filter(|_| errors.is_empty()) else {
        return approve_page(&state, &viewer, &body, (&code, year), &f, errors).await;
    };
    state
        .store()
        .approve_plan(
            &viewer.actor(),
            view.tree.plan.id,
            f.version.parse().unwrap_or(0),
            on,
            reason.as_ref(),
        )
        .await?;
    let back = plan_href(body.slug.as_str(), code.as_str(), year);
    Ok(Redirect::to(&format!("{back}?approved=yes")).into_response())
}
