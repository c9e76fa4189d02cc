//! An action's measures of success on the web: an officer adds one (a
//! statement, or an indicator with its unit, direction, baseline and the
//! year's target), changes one, or removes one. Each save is one
//! [`store::Store::set_measures`]: one transaction, one audit event, an
//! amendment with its reason on an approved plan.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use domain::{
    Action, Body, Direction, FinancialYear, Indicator, Measure, MeasureTarget, Plan, Title,
};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{Fields, amendment_field, conflict_or, field, plan_writer, render, value};
use crate::request::PageResult;
use crate::request::chrome;
use crate::request::visible_action;
use crate::views::{CheckGroup, Choice, FieldError, TextFormPage};
use crate::words::{error_message, number};

/// The action `id` of `body` and its plan, for an editor.
async fn editable(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    id: &str,
) -> Result<(Action, Plan), WebError> {
    let access = Viewer::access(Some(viewer), body.id);
    let (action, plan, _, _) = visible_action(state, body, &access, id).await?;
    Ok((action, plan))
}

/// The form's values for measure `m` (or a new one), as the form shows them.
fn values_of(m: Option<&Measure>, year: FinancialYear) -> Fields {
    let mut f = Fields::new();
    match m {
        Some(Measure::Statement { text }) => {
            f.insert("kind".into(), "statement".into());
            f.insert("statement".into(), text.to_string());
        }
        Some(Measure::Indicator(i)) => {
            f.insert("kind".into(), "indicator".into());
            f.insert("name".into(), i.name.to_string());
            f.insert("unit".into(), i.unit.to_string());
            f.insert("direction".into(), i.direction.as_str().into());
            f.insert(
                "baseline".into(),
                i.baseline.map(number).unwrap_or_default(),
            );
            f.insert(
                "target".into(),
                i.year_end_target(year).map(number).unwrap_or_default(),
            );
        }
        None => {
            f.insert("direction".into(), "up".into());
        }
    }
    f
}

/// A number typed on the form: `None` when empty.
fn figure(
    errors: &mut Vec<FieldError>,
    fields: &Fields,
    name: &str,
    what: &str,
) -> Option<Option<f64>> {
    let raw = value(fields, name).trim().replace(',', "");
    if raw.is_empty() {
        return Some(None);
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Some(v)),
        _ => {
            errors.push(FieldError {
                field: name.into(),
                message: format!("{what} must be a number, like 640 or 84.5"),
            });
            None
        }
    }
}

/// The measure the form describes, keeping `before`'s targets for other
/// years and half-years; errors are noted against their fields.
fn measure_from(
    fields: &Fields,
    year: FinancialYear,
    before: Option<&Measure>,
    errors: &mut Vec<FieldError>,
) -> Option<Measure> {
    match value(fields, "kind").as_str() {
        "statement" => match Measure::statement(&value(fields, "statement")) {
            Ok(m) if !value(fields, "statement").trim().is_empty() => Some(m),
            Ok(_) => {
                errors.push(FieldError {
                    field: "statement".into(),
                    message: "Enter how success is measured, in words".into(),
                });
                None
            }
            Err(e) => {
                errors.push(FieldError {
                    field: "statement".into(),
                    message: error_message(&e),
                });
                None
            }
        },
        "indicator" => {
            let mut text = |name: &str, missing: &str| match value(fields, name).trim() {
                "" => {
                    errors.push(FieldError {
                        field: name.into(),
                        message: missing.into(),
                    });
                    None
                }
                raw => Title::parse("name", raw)
                    .map_err(|e| {
                        errors.push(FieldError {
                            field: name.into(),
                            message: error_message(&e),
                        })
                    })
                    .ok(),
            };
            let name = text("name", "Enter what is counted, like Carers assessed");
            let unit = text("unit", "Enter the unit, like carers or %");
            let direction = value(fields, "direction").parse::<Direction>().ok();
            if direction.is_none() {
                errors.push(FieldError {
                    field: "direction".into(),
                    message: "Select whether higher or lower is better".into(),
                });
            }
            let baseline = figure(errors, fields, "baseline", "Baseline");
            let target = figure(errors, fields, "target", "Target");
            let (name, unit, direction, baseline, target) =
                (name?, unit?, direction?, baseline?, target?);
            let kept = match before {
                Some(Measure::Indicator(i)) => i.targets.as_slice(),
                _ => &[],
            };
            let targets = MeasureTarget::with_year_end(kept, year, target);
            match Indicator::new(name, unit, direction, baseline, targets) {
                Ok(i) => Some(Measure::Indicator(i)),
                Err(e) => {
                    errors.push(FieldError {
                        field: "target".into(),
                        message: error_message(&e),
                    });
                    None
                }
            }
        }
        _ => {
            errors.push(FieldError {
                field: "kind".into(),
                message: "Select whether success is measured by a statement or a number".into(),
            });
            None
        }
    }
}

/// The measure form: adding (`editing` none) or changing a measure.
fn measure_page(
    viewer: &Viewer,
    body: &Body,
    (action, plan): (&Action, &Plan),
    editing: Option<i64>,
    fields: &Fields,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let get = |k: &str| value(fields, k);
    let kind = get("kind");
    let direction = get("direction");
    let year = plan.year;
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/actions/{}", body.slug, action.id),
            heading: if editing.is_some() {
                "Change a measure of success".into()
            } else {
                "Add a measure of success".into()
            },
            caption: format!("{}: {}", action.details.reference, action.details.title),
            submit: "Save the measure".into(),
            errors,
            fields: vec![
                field(
                    "statement",
                    "For a statement: how success is measured",
                    "In words, like \"Carers tell us the strategy made a difference\"",
                    get("statement"),
                    "",
                ),
                field(
                    "name",
                    "For a number: what is counted",
                    "Like Unpaid carers assessed or reviewed",
                    get("name"),
                    "",
                ),
                field(
                    "unit",
                    "Unit",
                    "Like carers, %, or days",
                    get("unit"),
                    "govuk-input--width-10",
                ),
                field(
                    "baseline",
                    "Baseline (optional)",
                    "Where it started, a number",
                    get("baseline"),
                    "govuk-input--width-10",
                ),
                field(
                    "target",
                    &format!("Target for {year} (optional)"),
                    "The figure hoped for by the end of the year",
                    get("target"),
                    "govuk-input--width-10",
                ),
            ],
            selects: vec![],
            checks: vec![
                CheckGroup {
                    name: "kind".into(),
                    legend: "How is success measured?".into(),
                    hint: "A statement in words, or a number reported each half-year".into(),
                    choices: [("statement", "A statement"), ("indicator", "A number")]
                        .iter()
                        .map(|(v, l)| Choice {
                            value: (*v).into(),
                            label: (*l).into(),
                            selected: kind == *v,
                        })
                        .collect(),
                    radio: true,
                },
                CheckGroup {
                    name: "direction".into(),
                    legend: "For a number: which way is better?".into(),
                    hint: String::new(),
                    choices: [Direction::Up, Direction::Down]
                        .iter()
                        .map(|d| Choice {
                            value: d.as_str().into(),
                            label: crate::words::capitalise(d.describe()),
                            selected: direction == d.as_str(),
                        })
                        .collect(),
                    radio: true,
                },
            ]
            .into_iter()
            .chain(editing.map(|_| CheckGroup {
                name: "remove".into(),
                legend: "Remove this measure".into(),
                hint: "Its figures stay in the action's history".into(),
                choices: vec![Choice {
                    value: "yes".into(),
                    label: "Remove this measure of success".into(),
                    selected: get("remove") == "yes",
                }],
                radio: false,
            }))
            .collect(),
            amendment: amendment_field(plan.status, get("amendment")),
            version: if get("version").is_empty() {
                action.version.to_string()
            } else {
                get("version")
            },
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/actions/{id}/measures/new`.
pub async fn new_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let (action, plan) = editable(&state, &viewer, &body, &id).await?;
    measure_page(
        &viewer,
        &body,
        (&action, &plan),
        None,
        &values_of(None, plan.year),
        vec![],
    )
}

/// `GET /b/{body}/actions/{id}/measures/{measure}`: the form to change a measure.
pub async fn edit_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id, measure)): Path<(String, String, i64)>,
) -> PageResult {
    let (action, plan) = editable(&state, &viewer, &body, &id).await?;
    let (_, m) = action
        .measures
        .iter()
        .find(|(mid, _)| *mid == measure)
        .ok_or(WebError::NotFound)?;
    measure_page(
        &viewer,
        &body,
        (&action, &plan),
        Some(measure),
        &values_of(Some(m), plan.year),
        vec![],
    )
}

/// `POST /b/{body}/actions/{id}/measures/new`: add the measure.
pub async fn add(
    State(state): State<AppState>,
    editor: Editor,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    save(&state, editor, (&id, None), fields).await
}

/// `POST /b/{body}/actions/{id}/measures/{measure}`: change the measure,
/// or remove it when the form says `remove=yes`.
pub async fn change(
    State(state): State<AppState>,
    editor: Editor,
    Path((_, id, measure)): Path<(String, String, i64)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    save(&state, editor, (&id, Some(measure)), fields).await
}

async fn save(
    state: &AppState,
    Editor { viewer, body }: Editor,
    (id, editing): (&str, Option<i64>),
    fields: Fields,
) -> PageResult {
    let (action, plan) = editable(state, &viewer, &body, id).await?;
    let before = match editing {
        Some(mid) => Some(
            action
                .measures
                .iter()
                .find(|(id, _)| *id == mid)
                .map(|(_, m)| m)
                .ok_or(WebError::NotFound)?,
        ),
        None => None,
    };
    let mut errors = Vec::new();
    let removing = editing.is_some() && value(&fields, "remove") == "yes";
    let changed = if removing {
        None
    } else {
        measure_from(&fields, plan.year, before, &mut errors)
    };
    let writer = plan_writer(
        state,
        plan.status,
        &value(&fields, "amendment"),
        &mut errors,
    );
    if let (Some(writer), true) = (writer, errors.is_empty()) {
        let mut measures: Vec<(Option<i64>, Measure)> = action
            .measures
            .iter()
            .filter_map(|(mid, m)| match (Some(*mid) == editing, &changed) {
                (false, _) => Some((Some(*mid), m.clone())),
                (true, Some(new)) => Some((Some(*mid), new.clone())),
                (true, None) => None,
            })
            .collect();
        if let (None, Some(new)) = (editing, changed) {
            measures.push((None, new));
        }
        let version = value(&fields, "version").parse().unwrap_or(-1);
        match writer
            .set_measures(&viewer.actor(), action.id, version, &measures)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/b/{}/actions/{}?done=measures",
                    body.slug, action.id
                ))
                .into_response());
            }
            Err(e) => conflict_or(&mut errors, "kind", e)?,
        }
    }
    measure_page(&viewer, &body, (&action, &plan), editing, &fields, errors)
}
