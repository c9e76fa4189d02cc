//! What every form shares: the fields of the text form page, the parsing
//! of a posted form into its typed value, the plan writer that amends an
//! approved plan, and showing a form again with its errors.
//!
//! Each form is two types in its page's module: the fields as typed (a
//! `Deserialize` struct of strings, shown again when something is wrong)
//! and the value they describe, reached by `TryFrom`, which checks every
//! field and gives all their errors at once (through [`parsed`]), so a
//! handler either has a value it can write or a list of errors to show.
//! A form with a row per record (the refresh, the bulk sign-off, the
//! minutes review, the import's column mapping) is read from the posted
//! pairs (`From<Vec<(String, String)>>`) into its rows, keyed by the
//! row's id; each row's error names the row and is linked to its field
//! (`target-12`, `c-3-due`, `map-4`).

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
use crate::words::{field_error, note, take, user_message};

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

/// A form's typed value, or every field's error: the end of each form's
/// `TryFrom`. `value` is `Some` when each of its fields parsed; an error
/// noted for a check across fields still fails the form.
pub(crate) fn parsed<T>(errors: Vec<FieldError>, value: Option<T>) -> Result<T, Vec<FieldError>> {
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(errors),
    }
}

/// A field that may be left empty: `None` when it was, else the parse of
/// what was typed.
pub(crate) fn optional<T, E>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, E> {
    match raw.trim() {
        "" => Ok(None),
        typed => parse(typed).map(Some),
    }
}

/// The version of the record a form was filled in against. A missing or
/// garbled one reads as 0, which the store refuses as out of date, so the
/// form is shown again with the record as it now is.
pub(crate) fn version(raw: &str) -> domain::Version {
    raw.trim().parse().unwrap_or(domain::Version::new(0))
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

/// The parts of a form's GOV.UK date inputs as typed: `{name}-day`,
/// `{name}-month` and `{name}-year` (or `{name}` as one field, as API
/// clients and older forms post it), kept beside a form's other fields
/// with `#[serde(flatten)]`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct DateInputs(HashMap<String, String>);

impl DateInputs {
    /// The date input `name` filled with `day`, as a form shows a stored date.
    pub(crate) fn with(mut self, name: &str, day: Option<NaiveDate>) -> Self {
        if let Some(day) = day {
            let parts = DateParts::of(day);
            for (part, value) in [
                ("day", parts.day),
                ("month", parts.month),
                ("year", parts.year),
            ] {
                self.0.insert(format!("{name}-{part}"), value);
            }
        }
        self
    }

    /// What was typed in the date input `name`.
    pub(crate) fn parts(&self, name: &str) -> DateParts {
        DateParts::posted(name, |k| self.0.get(k).cloned())
    }
}

/// A date field of a simple form in the GOV.UK date input pattern (day,
/// month, year), showing what was typed (or stored) in the input `name`.
pub(crate) fn date_input(
    dates: &DateInputs,
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
            dates.parts(name),
            errors,
        )),
        ..field(name, legend, "", String::new(), "")
    }
}

/// The date typed in the date input `name`, `None` when empty; a mistake
/// is noted against the field.
pub(crate) fn date_field(
    dates: &DateInputs,
    name: &str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match dates.parts(name).parse(label, None) {
        Ok(d) => d,
        Err(e) => {
            note(errors, name, &e.message);
            None
        }
    }
}

/// A form as a browser posts it: its `(name, value)` pairs in order.
#[cfg(test)]
pub(crate) fn pairs(posted: &[(&str, &str)]) -> Vec<(String, String)> {
    posted
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// The fields `errors` are against, in order.
#[cfg(test)]
pub(crate) fn fields_of(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

/// Room for a form's other fields and the multipart framing beside the
/// minutes themselves.
pub(crate) const FORM_SLACK: usize = 64 * 1024;

/// A form whose one field is the version of the record it acts on (a
/// button such as "Publish").
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VersionFields {
    /// The record's version the page was shown with.
    pub version: String,
}

/// The fields of the forms that describe an action (adding one under a
/// plan item, editing one), as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionFields {
    /// Why an approved plan is amended.
    pub amendment: String,
    /// The action's reference in the body's scheme.
    pub reference: String,
    /// What will be done.
    pub title: String,
    /// The role that leads it.
    pub lead: String,
    /// The leading directorate, when another leads it.
    pub directorate: String,
    /// A month or a day.
    pub target: String,
    /// A measure of success in words (adding only).
    pub measure: String,
    /// The action's version the form was filled in against (editing only).
    pub version: String,
}

/// What an action form describes, every field checked.
pub(crate) struct ActionInput {
    /// The action's details (not illustrative).
    pub details: domain::ActionDetails,
    /// A measure of success in words, when one was given.
    pub measure: Option<domain::Measure>,
}

impl TryFrom<(&ActionFields, domain::ReferenceScheme)> for ActionInput {
    type Error = Vec<FieldError>;

    /// The fields read with the body's reference scheme.
    fn try_from(
        (f, scheme): (&ActionFields, domain::ReferenceScheme),
    ) -> Result<Self, Self::Error> {
        use domain::{Measure, TargetDate, Title};
        let mut errors = Vec::new();
        let reference = take(&mut errors, "reference", scheme.parse_action(&f.reference));
        let title = take(&mut errors, "title", Title::parse("title", &f.title));
        let lead = take(&mut errors, "lead", Title::parse("lead", &f.lead));
        let directorate = take(
            &mut errors,
            "directorate",
            optional(&f.directorate, |d| Title::parse("directorate", d)),
        );
        let target = take(
            &mut errors,
            "target",
            optional(&f.target, str::parse::<TargetDate>),
        );
        let measure = take(
            &mut errors,
            "measure",
            optional(&f.measure, Measure::statement),
        );
        let value = match (reference, title, lead, directorate, target, measure) {
            (
                Some(reference),
                Some(title),
                Some(lead),
                Some(directorate),
                Some(target),
                Some(measure),
            ) => Some(ActionInput {
                details: domain::ActionDetails {
                    reference,
                    title,
                    lead,
                    directorate,
                    target,
                    illustrative: false,
                },
                measure,
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_form_gives_every_fields_error_at_once() {
        let posted = ActionFields {
            reference: "ten".into(),
            title: "  ".into(),
            lead: "Director of Housing".into(),
            target: "31/13/2025".into(),
            ..ActionFields::default()
        };
        let Err(errors) = ActionInput::try_from((&posted, domain::ReferenceScheme::Statement))
        else {
            panic!("the form is wrong in three places");
        };
        assert_eq!(fields_of(&errors), ["reference", "title", "target"]);
        assert!(
            errors[1].message.starts_with("Enter"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn an_action_form_reads_the_reference_in_the_bodys_scheme() {
        let posted = ActionFields {
            reference: "2.3.1".into(),
            title: "Open the new library".into(),
            lead: "Head of Libraries".into(),
            target: "March 2026".into(),
            measure: "Visitors say it serves them".into(),
            ..ActionFields::default()
        };
        assert!(ActionInput::try_from((&posted, domain::ReferenceScheme::Statement)).is_err());
        let input = ActionInput::try_from((&posted, domain::ReferenceScheme::Dotted))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.details.reference.to_string(), "2.3.1");
        assert!(input.details.directorate.is_none());
        assert!(input.measure.is_some());
    }

    #[test]
    fn a_date_input_shows_a_stored_day_in_its_three_parts() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 12);
        let dates = DateInputs::default().with("held-on", day);
        let mut errors = Vec::new();
        assert_eq!(date_field(&dates, "held-on", "Date", &mut errors), day);
        assert!(errors.is_empty());
        assert_eq!(
            date_field(&DateInputs::default(), "held-on", "Date", &mut errors),
            None
        );
    }
}
