//! Forms for the strategy, plan items and new actions: shown filled with
//! the current values, checked on submission, re-shown with GOV.UK error
//! messages and what was typed when something is wrong.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use domain::{ActionDetails, Body, Measure, OutsideCycle, StrategyYears, TargetDate, Title};
use store::{NewAction, StoreError};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::request::{check_form, chrome, editor};
use crate::views::{CheckGroup, Choice, FieldError, SelectField, TextField, TextFormPage};
use crate::words::user_message;
use crate::words::{field_error, take};

type PageResult = Result<axum::response::Response, WebError>;

/// The posted fields of a text form.
pub type Fields = HashMap<String, String>;

pub(crate) fn field(
    name: &str,
    label: &str,
    hint: &str,
    value: String,
    width: &'static str,
) -> TextField {
    TextField {
        name: name.to_owned(),
        label: label.to_owned(),
        hint: hint.to_owned(),
        value,
        width,
        multiline: false,
        date: None,
    }
}

/// The store to change a plan's tree with: as it is for a draft plan; for an
/// approved plan, amending with the reason typed in the `amendment` field
/// (noted as an error when missing).
pub(crate) fn plan_writer(
    state: &AppState,
    status: domain::PlanStatus,
    reason: &str,
    errors: &mut Vec<FieldError>,
) -> Option<store::Store> {
    if status != domain::PlanStatus::Approved {
        return Some(state.store().clone());
    }
    match domain::Text::parse("amendment", reason)
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(reason) => state.store().amending(&reason).ok(),
        None => {
            errors.push(FieldError {
                field: "amendment".into(),
                message: "Give the reason for amending the approved plan".into(),
            });
            None
        }
    }
}

/// The field asking why an approved plan is amended.
pub(crate) fn amendment_field(status: domain::PlanStatus, value: String) -> Option<TextField> {
    (status == domain::PlanStatus::Approved).then(|| {
        field(
            "amendment",
            "Reason for amending the approved plan",
            "The plan has been approved, so this change is an amendment",
            value,
            "",
        )
    })
}

pub(crate) fn value(fields: &Fields, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

pub(crate) fn render(page: TextFormPage, failed: bool) -> PageResult {
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) fn conflict_or(
    errors: &mut Vec<FieldError>,
    first_field: &str,
    e: StoreError,
) -> Result<(), WebError> {
    match e {
        e @ (StoreError::Conflict { .. } | StoreError::Duplicate { .. }) => {
            errors.push(FieldError {
                field: first_field.to_owned(),
                message: user_message(&e),
            });
            Ok(())
        }
        StoreError::Invalid(p) => {
            let name = match p.field {
                "action reference" | "item reference" => "reference",
                "reference scheme" => "reference_scheme",
                "target date" => "target",
                other => other,
            };
            errors.push(field_error(name, &p));
            Ok(())
        }
        e if e.is_user_error() => {
            errors.push(FieldError {
                field: first_field.to_owned(),
                message: user_message(&e),
            });
            Ok(())
        }
        other => Err(other.into()),
    }
}

async fn strategy_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let pick = |name: &str, current: String| posted.map(|f| value(f, name)).unwrap_or(current);
    let mut fields = vec![
        field(
            "title",
            "Title",
            "",
            pick("title", strategy.title.to_string()),
            "",
        ),
        field(
            "years",
            "Years",
            "The first and last years, like 2021-2031",
            pick("years", strategy.years.to_string()),
            "govuk-input--width-10",
        ),
    ];
    for a in &strategy.ambitions {
        let name = format!("ambition_{}", a.id);
        fields.push(field(
            &name,
            &format!("Ambition {}", a.number),
            "",
            pick(&name, a.title.to_string()),
            "",
        ));
    }
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}", body.slug),
            heading: "Edit the strategy".into(),
            caption: body.name.to_string(),
            submit: "Save changes".into(),
            errors,
            fields,
            selects: vec![],
            checks: vec![],
            amendment: None,
            version: posted
                .map(|f| value(f, "version"))
                .unwrap_or_else(|| strategy.version.to_string()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/strategy/edit`.
pub async fn strategy_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    strategy_page(&state, &viewer, &body, None, vec![]).await
}

/// `POST /b/{body}/strategy/edit`.
pub async fn edit_strategy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
    Form(fields): Form<Fields>,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    check_form(&headers, &viewer, &value(&fields, "csrf"))?;
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut errors = Vec::new();
    let title = take(
        &mut errors,
        "title",
        Title::parse("title", &value(&fields, "title")),
    );
    let years = take(
        &mut errors,
        "years",
        value(&fields, "years").parse::<StrategyYears>(),
    );
    let mut ambitions = Vec::new();
    for a in &strategy.ambitions {
        let name = format!("ambition_{}", a.id);
        if let Some(t) = take(
            &mut errors,
            &name,
            Title::parse("ambition", &value(&fields, &name)),
        ) {
            ambitions.push((a.id, t));
        }
    }
    let version = value(&fields, "version").parse().unwrap_or(0);
    if let (true, Some(title), Some(years)) = (errors.is_empty(), title, years) {
        match state
            .store()
            .edit_strategy(&viewer.actor(), body.id, version, title, years, ambitions)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
            Err(e) => conflict_or(&mut errors, "title", e)?,
        }
    }
    strategy_page(&state, &viewer, &body, Some(&fields), errors).await
}

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
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    item_page(&state, &viewer, &body, &id, None, vec![]).await
}

/// `POST /b/{body}/items/{id}/edit`.
pub async fn edit_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
    Form(fields): Form<Fields>,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    check_form(&headers, &viewer, &value(&fields, "csrf"))?;
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
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    new_action_page(&state, &viewer, &body, &id, None, vec![]).await
}

/// `POST /b/{body}/items/{id}/actions/new`.
pub async fn add_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
    Form(fields): Form<Fields>,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    check_form(&headers, &viewer, &value(&fields, "csrf"))?;
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

async fn plan_for_editor(
    state: &AppState,
    body: &Body,
    code: &str,
    year: &str,
) -> Result<domain::Plan, WebError> {
    let (Ok(code), Ok(year)) = (
        code.parse::<domain::PortfolioCode>(),
        year.parse::<domain::FinancialYear>(),
    ) else {
        return Err(WebError::NotFound);
    };
    let portfolio = match state.store().portfolio(Some(body.id), &code).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    match state.store().plan(portfolio.id, year).await {
        Err(StoreError::NotFound { .. }) => Err(WebError::NotFound),
        other => Ok(other?),
    }
}

async fn plan_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    plan: &domain::Plan,
    chosen: &[i64],
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
    headers: HeaderMap,
    Path((slug, code, year)): Path<(String, String, String)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    let plan = plan_for_editor(&state, &body, &code, &year).await?;
    let chosen: Vec<i64> = plan.alignments.iter().map(|a| a.id).collect();
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

/// `POST /b/{body}/plans/{code}/{year}/edit`: the form posts `alignment` once per box ticked.
pub async fn edit_plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, code, year)): Path<(String, String, String)>,
    uri: OriginalUri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_form(&headers, &viewer, &get("csrf"))?;
    let plan = plan_for_editor(&state, &body, &code, &year).await?;
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "alignment")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let version = get("version");
    let mut errors = Vec::new();
    if let Some(writer) = plan_writer(&state, plan.status, &get("amendment"), &mut errors) {
        match writer
            .set_plan_alignments(
                &viewer.actor(),
                plan.id,
                version.parse().unwrap_or(0),
                &chosen,
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
        &chosen,
        (version, get("amendment")),
        errors,
    )
    .await
}

/// "yes" or "no", as a radio's value.
fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let now = state.store().outside_cycle(body.id).await?;
    let chosen = posted
        .map(|f| value(f, "updates_outside_cycle"))
        .unwrap_or_else(|| now.as_str().to_owned());
    let scheme = posted
        .map(|f| value(f, "reference_scheme"))
        .unwrap_or_else(|| body.reference_scheme.as_str().to_owned());
    let has_plans = state.store().plan_count(body.id).await? > 0;
    let require = match posted {
        Some(f) => value(f, "require_commentary"),
        None => yes_no(state.store().require_commentary(body.id).await?).to_owned(),
    };
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}", body.slug),
            heading: "Settings".into(),
            caption: body.name.to_string(),
            submit: "Save settings".into(),
            errors,
            fields: vec![],
            selects: vec![SelectField {
                name: "updates_outside_cycle".into(),
                label: "Updates outside the reporting cycle (recorded as reported and published at once, without sign-off)".into(),
                options: [
                    OutsideCycle::UntilCycleStarts,
                    OutsideCycle::Allowed,
                    OutsideCycle::Refused,
                ]
                .iter()
                .map(|o| Choice {
                    value: o.as_str().into(),
                    label: o.label().into(),
                    selected: o.as_str() == chosen,
                })
                .collect(),
            }],
            checks: vec![CheckGroup {
                name: "require_commentary".into(),
                legend: "Commentary on concerns".into(),
                hint: "Whether an update that says at risk or off track must say why before it is submitted for sign-off, signed off or recorded as reported.".into(),
                choices: [
                    ("yes", "Required: an update at risk or off track must say why"),
                    ("no", "Optional"),
                ]
                .iter()
                .map(|(v, label)| Choice {
                    value: (*v).into(),
                    label: (*label).into(),
                    selected: *v == require,
                })
                .collect(),
                radio: true,
            }, CheckGroup {
                name: "reference_scheme".into(),
                legend: "How actions and plan items are referenced".into(),
                hint: if has_plans {
                    format!(
                        "The body has plans, so this stays as it is: {}.",
                        body.reference_scheme.label()
                    )
                } else {
                    "Choose before the first plan is added: it cannot be changed once the body has a plan.".into()
                },
                choices: domain::ReferenceScheme::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.as_str().into(),
                        label: s.label().into(),
                        selected: s.as_str() == scheme,
                    })
                    .collect(),
                radio: true,
            }],
            amendment: None,
            version: posted
                .map(|f| value(f, "version"))
                .unwrap_or_else(|| body.version.to_string()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/settings`: the body's settings, for those who run its cycle.
pub async fn settings_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    settings_page(&state, &viewer, &body, None, vec![]).await
}

/// `POST /b/{body}/settings`.
pub async fn save_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
    Form(fields): Form<Fields>,
) -> PageResult {
    let (viewer, body) = editor(&state, &headers, &slug, uri.path()).await?;
    check_form(&headers, &viewer, &value(&fields, "csrf"))?;
    let mut errors = Vec::new();
    let setting = take(
        &mut errors,
        "updates_outside_cycle",
        value(&fields, "updates_outside_cycle").parse::<OutsideCycle>(),
    );
    let scheme = take(
        &mut errors,
        "reference_scheme",
        value(&fields, "reference_scheme").parse::<domain::ReferenceScheme>(),
    );
    let require = match value(&fields, "require_commentary").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError {
                field: "require_commentary".into(),
                message: "Select whether updates at risk or off track must say why".into(),
            });
            None
        }
    };
    let mut version = value(&fields, "version").parse().unwrap_or(0);
    if let (Some(setting), Some(scheme), Some(require)) = (setting, scheme, require) {
        if require != state.store().require_commentary(body.id).await? {
            match state
                .store()
                .set_require_commentary(&viewer.actor(), body.id, version, require)
                .await
            {
                Ok(changed) => version = changed,
                Err(e) => {
                    conflict_or(&mut errors, "require_commentary", e)?;
                    return settings_page(&state, &viewer, &body, Some(&fields), errors).await;
                }
            }
        }
        if scheme != body.reference_scheme {
            match state
                .store()
                .set_reference_scheme(&viewer.actor(), body.id, version, scheme)
                .await
            {
                Ok(changed) => version = changed.version,
                Err(e) => {
                    conflict_or(&mut errors, "reference_scheme", e)?;
                    return settings_page(&state, &viewer, &body, Some(&fields), errors).await;
                }
            }
        }
        match state
            .store()
            .set_outside_cycle(&viewer.actor(), body.id, version, setting)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
            Err(e) => conflict_or(&mut errors, "updates_outside_cycle", e)?,
        }
    }
    settings_page(&state, &viewer, &body, Some(&fields), errors).await
}
