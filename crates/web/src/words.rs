//! How pages word things: figures, capitals, and errors in the words of the
//! GOV.UK error message guidance, for form fields and for a store's
//! refusals.

use domain::ParseError;
use store::StoreError;

use crate::views::FieldError;

/// `s` with its first letter in upper case.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A figure as people write it: whole numbers without a decimal point.
pub(crate) fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The value, or none with the error noted against `field`.
pub(crate) fn take<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    r: Result<T, ParseError>,
) -> Option<T> {
    r.map_err(|e| errors.push(field_error(field, &e))).ok()
}

/// Note `message` as the error of form field `field`.
pub(crate) fn note(errors: &mut Vec<FieldError>, field: &str, message: &str) {
    errors.push(FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    });
}

/// A field's error on a form, in the words [`error_message`] gives.
pub(crate) fn field_error(field: &str, e: &ParseError) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: error_message(e),
    }
}

/// A parse error as the GOV.UK error message guidance words it: "Enter …"
/// when nothing was given, "… must be …" when what was given is wrong.
pub(crate) fn error_message(e: &ParseError) -> String {
    let expected = e.expected.trim_end_matches(" (it must not be empty)");
    if e.value.trim().is_empty() {
        if expected == "some text" {
            format!("Enter the {}", e.field)
        } else {
            format!("Enter {expected}")
        }
    } else {
        capitalise(&format!("{} must be {expected}", e.field))
    }
}

/// A store's refusal as a person reads it on a page: bad input in the
/// words of [`error_message`], anything else as the store says it.
pub(crate) fn user_message(e: &StoreError) -> String {
    match e {
        StoreError::Invalid(p) => error_message(p),
        other => capitalise(&other.to_string()),
    }
}
