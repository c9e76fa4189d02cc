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
use crate::form::{amendment_field, conflict_or, field, parsed, plan_writer, render, version};
use crate::request::PageResult;
use crate::request::chrome;
use crate::request::visible_action;
use crate::views::{CheckGroup, Choice, FieldError, TextFormPage};
use crate::words::{note, number, take};
use serde::Deserialize;

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

/// The fields of the measure form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MeasureFields {
    /// "statement" or "indicator".
    kind: String,
    /// For a statement: how success is measured, in words.
    statement: String,
    /// For a number: what is counted.
    name: String,
    /// Its unit.
    unit: String,
    /// "up" or "down": which way is better.
    direction: String,
    /// Where it started.
    baseline: String,
    /// The figure hoped for by the end of the plan's year.
    target: String,
    /// "yes" to remove the measure.
    remove: String,
    /// Why an approved plan is amended.
    amendment: String,
    /// The action's version the form was filled in against.
    version: String,
}

impl MeasureFields {
    /// The form's values for measure `m` (or a new one) of an action at
    /// `version`, as the form shows them.
    fn of(m: Option<&Measure>, year: FinancialYear, version: i64) -> Self {
        let version = version.to_string();
        match m {
            Some(Measure::Statement { text }) => MeasureFields {
                kind: "statement".into(),
                statement: text.to_string(),
                version,
                ..Self::default()
            },
            Some(Measure::Indicator(i)) => MeasureFields {
                kind: "indicator".into(),
                name: i.name.to_string(),
                unit: i.unit.to_string(),
                direction: i.direction.as_str().into(),
                baseline: i.baseline.map(number).unwrap_or_default(),
                target: i.year_end_target(year).map(number).unwrap_or_default(),
                version,
                ..Self::default()
            },
            None => MeasureFields {
                direction: Direction::Up.as_str().into(),
                version,
                ..Self::default()
            },
        }
    }
}

/// What the measure form asks for, every field checked.
enum MeasureChange {
    /// Remove the measure being edited.
    Remove,
    /// Add the measure, or put it in place of the one being edited.
    Set(Measure),
}

/// The measure form of a plan for `FinancialYear`, adding a measure or
/// changing the one given (whose targets for other years and half-years
/// are kept).
impl TryFrom<(&MeasureFields, FinancialYear, Option<&Measure>)> for MeasureChange {
    type Error = Vec<FieldError>;

    fn try_from(
        (f, year, before): (&MeasureFields, FinancialYear, Option<&Measure>),
    ) -> Result<Self, Self::Error> {
        if before.is_some() && f.remove == "yes" {
            return Ok(MeasureChange::Remove);
        }
        let mut errors = Vec::new();
        let measure = match f.kind.as_str() {
            "statement" => match f.statement.trim() {
                "" => {
                    note(
                        &mut errors,
                        "statement",
                        "Enter how success is measured, in words",
                    );
                    None
                }
                text => take(&mut errors, "statement", Measure::statement(text)),
            },
            "indicator" => indicator(f, year, before, &mut errors).map(Measure::Indicator),
            _ => {
                note(
                    &mut errors,
                    "kind",
                    "Select whether success is measured by a statement or a number",
                );
                None
            }
        };
        parsed(errors, measure.map(MeasureChange::Set))
    }
}

/// The indicator the form describes; errors noted against their fields.
fn indicator(
    f: &MeasureFields,
    year: FinancialYear,
    before: Option<&Measure>,
    errors: &mut Vec<FieldError>,
) -> Option<Indicator> {
    let mut text = |name: &str, raw: &str, missing: &str| match raw.trim() {
        "" => {
            note(errors, name, missing);
            None
        }
        typed => take(errors, name, Title::parse("name", typed)),
    };
    let name = text(
        "name",
        &f.name,
        "Enter what is counted, like Carers assessed",
    );
    let unit = text("unit", &f.unit, "Enter the unit, like carers or %");
    let direction = f.direction.parse::<Direction>().ok();
    if direction.is_none() {
        note(
            errors,
            "direction",
            "Select whether higher or lower is better",
        );
    }
    let baseline = figure(errors, &f.baseline, "baseline", "Baseline");
    let target = figure(errors, &f.target, "target", "Target");
    let (name, unit, direction, baseline, target) = (name?, unit?, direction?, baseline?, target?);
    let kept = match before {
        Some(Measure::Indicator(i)) => i.targets.as_slice(),
        _ => &[],
    };
    let targets = MeasureTarget::with_year_end(kept, year, target);
    take(
        errors,
        "target",
        Indicator::new(name, unit, direction, baseline, targets),
    )
}

/// A number typed in field `name`: `None` when empty.
fn figure(errors: &mut Vec<FieldError>, raw: &str, name: &str, what: &str) -> Option<Option<f64>> {
    let raw = raw.trim().replace(',', "");
    if raw.is_empty() {
        return Some(None);
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Some(v)),
        _ => {
            note(
                errors,
                name,
                &format!("{what} must be a number, like 640 or 84.5"),
            );
            None
        }
    }
}

/// The measure form: adding (`editing` none) or changing a measure.
fn measure_page(
    viewer: &Viewer,
    body: &Body,
    (action, plan): (&Action, &Plan),
    editing: Option<domain::MeasureId>,
    fields: &MeasureFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let kind = &fields.kind;
    let direction = &fields.direction;
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
                    fields.statement.clone(),
                    "",
                ),
                field(
                    "name",
                    "For a number: what is counted",
                    "Like Unpaid carers assessed or reviewed",
                    fields.name.clone(),
                    "",
                ),
                field(
                    "unit",
                    "Unit",
                    "Like carers, %, or days",
                    fields.unit.clone(),
                    "govuk-input--width-10",
                ),
                field(
                    "baseline",
                    "Baseline (optional)",
                    "Where it started, a number",
                    fields.baseline.clone(),
                    "govuk-input--width-10",
                ),
                field(
                    "target",
                    &format!("Target for {year} (optional)"),
                    "The figure hoped for by the end of the year",
                    fields.target.clone(),
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
                            selected: kind == v,
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
                    selected: fields.remove == "yes",
                }],
                radio: false,
            }))
            .collect(),
            amendment: amendment_field(plan.status, fields.amendment.clone()),
            version: fields.version.clone(),
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
        &MeasureFields::of(None, plan.year, action.version.get()),
        vec![],
    )
}

/// `GET /b/{body}/actions/{id}/measures/{measure}`: the form to change a measure.
pub async fn edit_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, id, measure)): Path<(String, String, domain::MeasureId)>,
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
        &MeasureFields::of(Some(m), plan.year, action.version.get()),
        vec![],
    )
}

/// `POST /b/{body}/actions/{id}/measures/new`: add the measure.
pub async fn add(
    State(state): State<AppState>,
    editor: Editor,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<MeasureFields>,
) -> PageResult {
    save(&state, editor, (&id, None), fields).await
}

/// `POST /b/{body}/actions/{id}/measures/{measure}`: change the measure,
/// or remove it when the form says `remove=yes`.
pub async fn change(
    State(state): State<AppState>,
    editor: Editor,
    Path((_, id, measure)): Path<(String, String, domain::MeasureId)>,
    CsrfForm(fields): CsrfForm<MeasureFields>,
) -> PageResult {
    save(&state, editor, (&id, Some(measure)), fields).await
}

async fn save(
    state: &AppState,
    Editor { viewer, body }: Editor,
    (id, editing): (&str, Option<domain::MeasureId>),
    fields: MeasureFields,
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
    let change = MeasureChange::try_from((&fields, plan.year, before))
        .map_err(|e| errors.extend(e))
        .ok();
    let writer = plan_writer(state, plan.status, &fields.amendment, &mut errors);
    if let (Some(writer), Some(change)) = (writer, change) {
        let changed = match change {
            MeasureChange::Remove => None,
            MeasureChange::Set(m) => Some(m),
        };
        let mut measures: Vec<(Option<domain::MeasureId>, Measure)> = action
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
        match writer
            .set_measures(
                &viewer.actor(),
                action.id,
                version(&fields.version),
                &measures,
            )
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

/// The routes of an action's measures of success.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/actions/{id}/measures/new",
            axum::routing::get(new_form).post(add),
        )
        .route(
            "/b/{body}/actions/{id}/measures/{measure}",
            axum::routing::get(edit_form).post(change),
        )
}
