//! An action's progress update for one half-year: the lead's form, with
//! the context they need (deadline, status definitions, last update,
//! measure targets), saving a draft, submitting and recording as reported.

use std::collections::HashMap;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect};
use domain::{
    Action, Body, Half, Measure, MeasureActual, Percent, ReportingPeriod, Status, Text, UpdateInput,
};
use serde::Deserialize;
use store::StoreError;

use crate::auth::Viewer;
use crate::error::WebError;
use crate::extract::*;
use crate::progress::*;
use crate::request::*;
use crate::views::*;
use crate::words::{field_error, number, take, user_message};
use crate::{AppState, visible};

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
                id: id.get(),
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

/// The update in the address (`/b/{body}/actions/{id}/updates/{half}`)
/// for someone who may write it: the sign-in page for the public, 403 for
/// someone who may not update the action.
async fn updatable(
    parts: &mut axum::http::request::Parts,
    state: &AppState,
) -> Result<Updatable, WebError> {
    let SignedIn { viewer, .. } = SignedIn::from_request_parts(parts, state).await?;
    let InAction {
        body,
        access,
        action,
        plan,
        ..
    } = InAction::from_request_parts(parts, state).await?;
    let half: Half = crate::extract::param(parts, state, "half")
        .await?
        .parse()
        .map_err(|_| WebError::NotFound)?;
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

impl axum::extract::FromRequestParts<AppState> for Updatable {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, WebError> {
        updatable(parts, state).await
    }
}

/// An update the viewer may write, and what saving it does.
pub(crate) struct Updatable {
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
pub async fn update_form(State(_state): State<AppState>, updatable: Updatable) -> PageResult {
    let Updatable {
        viewer,
        body,
        action,
        period,
        current,
        saving,
        context,
    } = updatable;
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
    updatable: Updatable,
    CsrfForm(fields): CsrfForm<UpdateFields>,
) -> PageResult {
    let Updatable {
        viewer,
        body,
        action,
        period,
        current,
        saving,
        context,
    } = updatable;
    let saving = match saving {
        Ok(saving) => saving,
        Err(e) if e.is_user_error() => {
            // Say first that someone else changed it, if they did.
            let read = fields
                .version
                .trim()
                .parse()
                .unwrap_or(domain::Version::new(0));
            let now = current
                .as_ref()
                .map_or(domain::Version::new(0), |u| u.version);
            let e = if read == now {
                e
            } else {
                StoreError::Conflict {
                    entity: "update",
                    key: format!("for {} in {period}", action.details.reference),
                    expected: read.get(),
                    current: now.get(),
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
        v => v.parse::<domain::Version>().ok(),
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
                            .correct_update(
                                &actor,
                                current.id,
                                version.unwrap_or(domain::Version::new(0)),
                                input,
                                reason,
                            )
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
                                Some(version.unwrap_or(domain::Version::new(0))),
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

/// The routes of the progress update form.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/b/{body}/actions/{id}/updates/{half}",
        axum::routing::get(update_form).post(record_update),
    )
}
