//! The plan items (the levels above actions) edited on the web, and new
//! actions added under an item.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use domain::{ActionDetails, Body, Measure, TargetDate, Title};
use store::{NewAction, StoreError};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::*;
use crate::request::*;
use crate::views::*;
use crate::words::take;

/// The item `id` of body `body`.
async fn body_item(
    state: &AppState,
    body: &Body,
    id: &str,
) -> Result<(domain::PlanItem, i64), WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let (item, plan_id) = match state.store().plan_item(id).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let plan = state.store().plan_by_id(plan_id).await?;
    if state
        .store()
        .portfolio_by_id(plan.portfolio_id)
        .await?
        .body_id
        != body.id
    {
        return Err(WebError::NotFound);
    }
    Ok((item, plan_id))
}

async fn back_to_plan(state: &AppState, body: &Body, plan_id: i64) -> Result<String, WebError> {
    let plan = state.store().plan_by_id(plan_id).await?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    Ok(crate::request::plan_href(
        body.slug.as_str(),
        portfolio.code.as_str(),
        plan.year,
    ))
}

async fn item_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    id: &str,
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let (item, plan_id) = body_item(state, body, id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    let level = body.level_names.name(item.depth).to_owned();
    let pick = |name: &str, current: String| posted.map(|f| value(f, name)).unwrap_or(current);
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: back_to_plan(state, body, plan_id).await?,
            heading: format!("Edit {}", level.to_lowercase()),
            caption: item.title.to_string(),
            submit: "Save changes".into(),
            errors,
            fields: vec![
                field(
                    "reference",
                    "Reference (optional)",
                    body.reference_scheme.item_hint(),
                    pick(
                        "reference",
                        item.reference
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ),
                    "govuk-input--width-10",
                ),
                field(
                    "title",
                    &level,
                    "",
                    pick("title", item.title.to_string()),
                    "",
                ),
            ],
            selects: vec![],
            checks: vec![],
            amendment: amendment_field(
                status,
                posted.map(|f| value(f, "amendment")).unwrap_or_default(),
            ),
            version: posted
                .map(|f| value(f, "version"))
                .unwrap_or_else(|| item.version.to_string()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/items/{id}/edit`.
pub async fn item_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    item_page(&state, &viewer, &body, &id, None, vec![]).await
}

/// `POST /b/{body}/items/{id}/edit`.
pub async fn edit_item(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    let (item, plan_id) = body_item(&state, &body, &id).await?;
    let mut errors = Vec::new();
    let raw_reference = value(&fields, "reference");
    let reference = take(
        &mut errors,
        "reference",
        match raw_reference.trim() {
            "" => Ok(None),
            r => body.reference_scheme.parse_item(r).map(Some),
        },
    );
    let title = take(
        &mut errors,
        "title",
        Title::parse("title", &value(&fields, "title")),
    );
    let version = value(&fields, "version").parse().unwrap_or(0);
    let status = state.store().plan_by_id(plan_id).await?.status;
    let writer = plan_writer(&state, status, &value(&fields, "amendment"), &mut errors);
    if let (true, Some(reference), Some(title), Some(writer)) =
        (errors.is_empty(), reference, title, writer)
    {
        match writer
            .edit_item(&viewer.actor(), item.id, version, reference, title)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&back_to_plan(&state, &body, plan_id).await?).into_response()
                );
            }
            Err(e) => conflict_or(&mut errors, "reference", e)?,
        }
    }
    item_page(&state, &viewer, &body, &id, Some(&fields), errors).await
}

async fn new_action_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    id: &str,
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let (item, plan_id) = body_item(state, body, id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    if item.depth + 1 != body.level_names.item_depths() {
        return Err(WebError::NotFound);
    }
    let pick = |name: &str, current: String| posted.map(|f| value(f, name)).unwrap_or(current);
    let next_ref = match (body.reference_scheme, &item.reference) {
        (domain::ReferenceScheme::Statement, Some(r)) => r.to_string(),
        (domain::ReferenceScheme::Dotted, Some(r)) => format!("{r}."),
        _ => String::new(),
    };
    let failed = !errors.is_empty();
    let action = body.level_names.action().to_lowercase();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: back_to_plan(state, body, plan_id).await?,
            heading: format!("Add an {action}"),
            caption: item.title.to_string(),
            submit: format!("Add {action}"),
            errors,
            fields: vec![
                field(
                    "reference",
                    "Reference",
                    body.reference_scheme.action_hint(),
                    pick("reference", next_ref),
                    "govuk-input--width-10",
                ),
                field("title", "Title", "", pick("title", String::new()), ""),
                field(
                    "lead",
                    "Lead",
                    "The role that leads it, like Director of Adult Services",
                    pick("lead", String::new()),
                    "",
                ),
                field(
                    "directorate",
                    "Leading directorate (optional)",
                    "When another directorate leads it",
                    pick("directorate", String::new()),
                    "",
                ),
                field(
                    "target",
                    "Target date (optional)",
                    "A month, like January 2023, or a day, like 31 March 2023",
                    pick("target", String::new()),
                    "govuk-input--width-20",
                ),
                field(
                    "measure",
                    "Measure of success (optional)",
                    "How success will be judged, in words",
                    pick("measure", String::new()),
                    "",
                ),
            ],
            selects: vec![],
            checks: vec![],
            amendment: amendment_field(
                status,
                posted.map(|f| value(f, "amendment")).unwrap_or_default(),
            ),
            version: String::new(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/items/{id}/actions/new`.
pub async fn new_action_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    new_action_page(&state, &viewer, &body, &id, None, vec![]).await
}

/// `POST /b/{body}/items/{id}/actions/new`.
pub async fn add_action(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    let (item, plan_id) = body_item(&state, &body, &id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    let mut errors = Vec::new();
    let optional = |name: &str| Some(value(&fields, name)).filter(|v| !v.trim().is_empty());
    let reference = take(
        &mut errors,
        "reference",
        body.reference_scheme
            .parse_action(&value(&fields, "reference")),
    );
    let title = take(
        &mut errors,
        "title",
        Title::parse("title", &value(&fields, "title")),
    );
    let lead = take(
        &mut errors,
        "lead",
        Title::parse("lead", &value(&fields, "lead")),
    );
    let directorate = take(
        &mut errors,
        "directorate",
        optional("directorate")
            .map(|d| Title::parse("directorate", &d))
            .transpose(),
    );
    let target = take(
        &mut errors,
        "target",
        optional("target")
            .map(|t| t.parse::<TargetDate>())
            .transpose(),
    );
    let measure = take(
        &mut errors,
        "measure",
        optional("measure")
            .map(|m| Measure::statement(&m))
            .transpose(),
    );
    if let (
        Some(reference),
        Some(title),
        Some(lead),
        Some(directorate),
        Some(target),
        Some(measure),
    ) = (reference, title, lead, directorate, target, measure)
    {
        let details = ActionDetails {
            reference,
            title,
            lead,
            directorate,
            target,
            illustrative: false,
        };
        let new = NewAction {
            item_id: item.id,
            details,
            measures: measure.into_iter().collect(),
            continues: None,
        };
        if let Some(writer) = plan_writer(&state, status, &value(&fields, "amendment"), &mut errors)
        {
            match writer.add_action(&viewer.actor(), new).await {
                Ok(a) => {
                    return Ok(
                        Redirect::to(&format!("/b/{}/actions/{}", body.slug, a.id)).into_response()
                    );
                }
                Err(e) => conflict_or(&mut errors, "reference", e)?,
            }
        }
    }
    new_action_page(&state, &viewer, &body, &id, Some(&fields), errors).await
}
