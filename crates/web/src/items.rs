//! The plan items (the levels above actions) edited on the web, and new
//! actions added under an item.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use domain::{Body, ItemRef, ReferenceScheme, Title};
use serde::Deserialize;
use store::{NewAction, StoreError};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::*;
use crate::request::*;
use crate::views::*;
use crate::words::take;

/// The fields of the form that edits a plan item, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemFields {
    /// The item's reference, which may be left empty.
    reference: String,
    /// Its title.
    title: String,
    /// Why an approved plan is amended.
    amendment: String,
    /// The item's version the form was filled in against.
    version: String,
}

/// What the item form describes, every field checked.
struct ItemEdit {
    reference: Option<ItemRef>,
    title: Title,
}

impl TryFrom<(&ItemFields, ReferenceScheme)> for ItemEdit {
    type Error = Vec<FieldError>;

    /// The fields read with the body's reference scheme.
    fn try_from((f, scheme): (&ItemFields, ReferenceScheme)) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let reference = take(
            &mut errors,
            "reference",
            optional(&f.reference, |r| scheme.parse_item(r)),
        );
        let title = take(&mut errors, "title", Title::parse("title", &f.title));
        let value = match (reference, title) {
            (Some(reference), Some(title)) => Some(ItemEdit { reference, title }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// The item `id` of body `body`.
async fn body_item(
    state: &AppState,
    body: &Body,
    id: &str,
) -> Result<(domain::PlanItem, domain::PlanId), WebError> {
    let id: domain::PlanItemId = id.parse().map_err(|_| WebError::NotFound)?;
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

async fn back_to_plan(
    state: &AppState,
    body: &Body,
    plan_id: domain::PlanId,
) -> Result<String, WebError> {
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
    posted: Option<&ItemFields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let (item, plan_id) = body_item(state, body, id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    let level = body.level_names.name(item.depth).to_owned();
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
                    posted.map_or_else(
                        || {
                            item.reference
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default()
                        },
                        |f| f.reference.clone(),
                    ),
                    "govuk-input--width-10",
                ),
                field(
                    "title",
                    &level,
                    "",
                    posted.map_or_else(|| item.title.to_string(), |f| f.title.clone()),
                    "",
                ),
            ],
            selects: vec![],
            checks: vec![],
            amendment: amendment_field(
                status,
                posted.map(|f| f.amendment.clone()).unwrap_or_default(),
            ),
            version: posted.map_or_else(|| item.version.to_string(), |f| f.version.clone()),
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
    CsrfForm(fields): CsrfForm<ItemFields>,
) -> PageResult {
    let (item, plan_id) = body_item(&state, &body, &id).await?;
    let mut errors = Vec::new();
    let edit = ItemEdit::try_from((&fields, body.reference_scheme))
        .map_err(|e| errors.extend(e))
        .ok();
    let status = state.store().plan_by_id(plan_id).await?.status;
    let writer = plan_writer(&state, status, &fields.amendment, &mut errors);
    if let (Some(ItemEdit { reference, title }), Some(writer)) = (edit, writer) {
        match writer
            .edit_item(
                &viewer.actor(),
                item.id,
                version(&fields.version),
                reference,
                title,
            )
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
    posted: Option<&ActionFields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let (item, plan_id) = body_item(state, body, id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    if item.depth + 1 != body.level_names.item_depths() {
        return Err(WebError::NotFound);
    }
    let typed = |f: fn(&ActionFields) -> &String| posted.map(|p| f(p).clone()).unwrap_or_default();
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
                    posted.map_or(next_ref, |f| f.reference.clone()),
                    "govuk-input--width-10",
                ),
                field("title", "Title", "", typed(|f| &f.title), ""),
                field(
                    "lead",
                    "Lead",
                    "The role that leads it, like Director of Adult Services",
                    typed(|f| &f.lead),
                    "",
                ),
                field(
                    "directorate",
                    "Leading directorate (optional)",
                    "When another directorate leads it",
                    typed(|f| &f.directorate),
                    "",
                ),
                field(
                    "target",
                    "Target date (optional)",
                    "A month, like January 2023, or a day, like 31 March 2023",
                    typed(|f| &f.target),
                    "govuk-input--width-20",
                ),
                field(
                    "measure",
                    "Measure of success (optional)",
                    "How success will be judged, in words",
                    typed(|f| &f.measure),
                    "",
                ),
            ],
            selects: vec![],
            checks: vec![],
            amendment: amendment_field(status, typed(|f| &f.amendment)),
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
    CsrfForm(fields): CsrfForm<ActionFields>,
) -> PageResult {
    let (item, plan_id) = body_item(&state, &body, &id).await?;
    let status = state.store().plan_by_id(plan_id).await?.status;
    let mut errors = Vec::new();
    let input = ActionInput::try_from((&fields, body.reference_scheme))
        .map_err(|e| errors.extend(e))
        .ok();
    let writer = plan_writer(&state, status, &fields.amendment, &mut errors);
    if let (Some(ActionInput { details, measure }), Some(writer)) = (input, writer) {
        let new = NewAction {
            item_id: item.id,
            details,
            measures: measure.into_iter().collect(),
            continues: None,
        };
        match writer.add_action(&viewer.actor(), new).await {
            Ok(a) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/actions/{}", body.slug, a.id)).into_response()
                );
            }
            Err(e) => conflict_or(&mut errors, "reference", e)?,
        }
    }
    new_action_page(&state, &viewer, &body, &id, Some(&fields), errors).await
}

/// The routes of plan items and the actions added under them.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/items/{id}/edit",
            axum::routing::get(item_form).post(edit_item),
        )
        .route(
            "/b/{body}/items/{id}/actions/new",
            axum::routing::get(new_action_form).post(add_action),
        )
}
