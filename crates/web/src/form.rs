//! Forms for the strategy, plan items and new actions: shown filled with
//! the current values, checked on submission, re-shown with GOV.UK error
//! messages and what was typed when something is wrong.

use std::collections::HashMap;

use askama::Template;
use axum::response::{Html, IntoResponse};
use store::StoreError;

use chrono::NaiveDate;

use crate::AppState;
use crate::dates::DateParts;
use crate::error::WebError;
use crate::request::PageResult;
use crate::views::DateField;
use crate::views::{FieldError, TextField, TextFormPage};
use crate::words::field_error;
use crate::words::user_message;

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
    Ok((status_of(failed), Html(page.render()?)).into_response())
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

/// 422 for a form shown again with its mistakes, else 200.
/// The answer's status: 422 when the form failed, else 200.
pub(crate) fn status_of(failed: bool) -> axum::http::StatusCode {
    if failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    }
}

/// The posted field `name`, trimmed (empty when missing).
pub(crate) fn trimmed(fields: &Fields, name: &str) -> String {
    fields
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// A date field of a simple form in the GOV.UK date input pattern,
/// showing what was posted (or stored) under `name`.
/// The GOV.UK date input `name` (day, month, year), filled with what was posted.
pub(crate) fn date_input(
    fields: &Fields,
    errors: &[FieldError],
    name: &str,
    legend: &str,
    hint: &str,
) -> TextField {
    TextField {
        date: Some(DateField::new(
            name,
            legend,
            hint,
            DateParts::posted(name, |k| fields.get(k).cloned()),
            errors,
        )),
        ..field(name, legend, "", String::new(), "")
    }
}

/// The date posted in field `name` (its three parts, or one), `None` when
/// empty; a mistake is noted against the field.
/// The date posted in the date input `name`; its error noted in `errors`.
pub(crate) fn date_field(
    fields: &Fields,
    name: &str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match DateParts::posted(name, |k| fields.get(k).cloned()).parse(label, None) {
        Ok(d) => d,
        Err(e) => {
            errors.push(FieldError {
                field: name.into(),
                message: e.message,
            });
            None
        }
    }
}

/// Room for a form's other fields and the multipart framing beside the
/// minutes themselves.
pub(crate) const FORM_SLACK: usize = 64 * 1024;
