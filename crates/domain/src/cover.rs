//! The cover details of a period's committee report: its reference, the
//! committee and meeting it goes to, its author and the officer's summary.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{ParseError, Text, Title};

/// A committee report's reference, e.g. "ACH22-038": letters, digits and
/// hyphens, at most 40 characters (may be empty while not yet numbered).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportReference(String);

impl ReportReference {
    /// Parse `raw`: trimmed; empty is allowed.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let t = raw.trim();
        if t.chars().count() <= 40 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Ok(Self(t.to_owned()))
        } else {
            Err(ParseError::new(
                "report reference",
                raw,
                "letters, digits and hyphens, at most 40, like ACH22-038",
            ))
        }
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReportReference {
    type Error = ParseError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ReportReference> for String {
    fn from(r: ReportReference) -> String {
        r.0
    }
}

/// What a committee report's cover says besides its figures. Empty fields
/// are left off the cover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCover {
    /// The report's reference, e.g. "ACH22-038".
    pub reference: ReportReference,
    /// The committee it goes to (empty: the portfolio's).
    pub committee: String,
    /// The meeting's date.
    pub meeting_date: Option<NaiveDate>,
    /// Who wrote it (a role).
    pub author: String,
    /// Whom readers contact about it: a name or role, perhaps with a
    /// telephone number or email (empty: the author).
    #[serde(default)]
    pub contact: String,
    /// A short summary in the officer's words.
    pub summary: String,
}

impl ReportCover {
    /// Parse the cover's fields as typed; `committee` and `author` may be
    /// empty, `meeting_date` is a day ("24 November 2022", "2022-11-24") or empty.
    pub fn parse(
        reference: &str,
        committee: &str,
        meeting_date: &str,
        author: &str,
        summary: &str,
    ) -> Result<Self, ParseError> {
        let optional = |field: &'static str, raw: &str| -> Result<String, ParseError> {
            if raw.trim().is_empty() {
                Ok(String::new())
            } else {
                Ok(Title::parse(field, raw)?.to_string())
            }
        };
        let meeting_date = match meeting_date.trim() {
            "" => None,
            d => Some(crate::parse_day("meeting date", d)?),
        };
        Ok(Self {
            reference: ReportReference::parse(reference)?,
            committee: optional("committee", committee)?,
            meeting_date,
            author: optional("author", author)?,
            contact: String::new(),
            summary: Text::parse("summary", summary)?.to_string(),
        })
    }

    /// The cover with its contact officer as typed (empty: the author).
    pub fn with_contact(self, contact: &str) -> Result<Self, ParseError> {
        let contact = match contact.trim() {
            "" => String::new(),
            raw => Title::parse("contact officer", raw)?.to_string(),
        };
        Ok(Self { contact, ..self })
    }

    /// Whom readers contact: the contact officer, else the author.
    pub fn contact_officer(&self) -> &str {
        if self.contact.is_empty() {
            &self.author
        } else {
            &self.contact
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_parses_what_the_officer_typed() {
        let c = ReportCover::parse(
            " ACH22-038 ",
            "",
            "2022-11-24",
            "Assistant Director for Strategy, Performance and Corporate Transformation",
            "Progress on all actions.",
        )
        .unwrap();
        assert_eq!(c.reference.as_str(), "ACH22-038");
        assert_eq!(c.meeting_date, "2022-11-24".parse().ok());
        assert_eq!(c.committee, "");
        let e = ReportCover::parse("ACH22/038", "", "", "", "").unwrap_err();
        assert_eq!(e.field, "report reference");
        let c = c.with_contact("  ").unwrap();
        assert_eq!(
            c.contact_officer(),
            c.author,
            "no contact officer: the author"
        );
        let c = c.with_contact("Jo Brown, 020 8464 3333").unwrap();
        assert_eq!(c.contact_officer(), "Jo Brown, 020 8464 3333");
        let typed = ReportCover::parse("", "", "24 November 2022", "", "").unwrap();
        assert_eq!(
            typed.meeting_date,
            "2022-11-24".parse().ok(),
            "as a person types it"
        );
        let e = ReportCover::parse("", "", "November 2022", "", "").unwrap_err();
        assert_eq!(e.field, "meeting date");
        assert!(
            ReportCover::parse("", "", "", "", "").is_ok(),
            "all optional"
        );
    }
}
