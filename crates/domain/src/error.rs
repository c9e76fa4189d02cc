use std::fmt;

/// Why a raw value could not become a domain value.
///
/// The message always names the field, repeats what was given and says which
/// form is accepted, so a user can correct the input without reading code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The field the value was given for, e.g. "year" or "action reference".
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    /// The accepted form, e.g. "a financial year such as 2022/23".
    pub expected: String,
}

impl ParseError {
    /// A parse error for `field` given `value`, which should have been `expected`.
    pub fn new(field: &'static str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        Self {
            field,
            value: value.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.value.chars().take(60).collect();
        let ellipsis = if self.value.chars().count() > 60 {
            "…"
        } else {
            ""
        };
        write!(
            f,
            "{}: {:?}{} is not accepted; expected {}",
            self.field, shown, ellipsis, self.expected
        )
    }
}
