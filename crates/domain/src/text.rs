use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A short required text, e.g. a title or a lead's role: trimmed, not
/// empty, at most [`Title::MAX_CHARS`] characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

impl Title {
    /// The longest title accepted.
    pub const MAX_CHARS: usize = 500;

    /// Parse `raw` as the value of `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ParseError::new(
                field,
                raw,
                "some text (it must not be empty)",
            ));
        }
        if collapsed.chars().any(char::is_control) {
            return Err(ParseError::new(
                field,
                raw,
                "text without control characters",
            ));
        }
        if collapsed.chars().count() > Self::MAX_CHARS {
            return Err(ParseError::new(
                field,
                raw,
                format!("at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(collapsed))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Title {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A longer free text, e.g. an update's commentary: may be empty, keeps its
/// line breaks, at most [`Text::MAX_CHARS`] characters and no control
/// characters other than line breaks and tabs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// The longest text accepted (about ten pages).
    pub const MAX_CHARS: usize = 50_000;

    /// Parse `raw` as the value of `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let normalised = raw.replace("\r\n", "\n");
        let trimmed = normalised.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ParseError::new(
                field,
                raw,
                format!("at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ParseError::new(
                field,
                raw,
                "text without control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Title {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse("text", &s)
    }
}

impl From<Title> for String {
    fn from(t: Title) -> Self {
        t.0
    }
}

impl TryFrom<String> for Text {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse("text", &s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_required() {
        assert_eq!(
            Title::parse("title", "  Deliver  the\nStrategy ")
                .unwrap()
                .as_str(),
            "Deliver the Strategy"
        );
        assert_eq!(Title::parse("lead", "   ").unwrap_err().field, "lead");
        assert!(Title::parse("title", &"x".repeat(501)).is_err());
        assert!(
            serde_json::from_str::<Title>("\"  \"").is_err(),
            "deserialising parses too"
        );
    }

    #[test]
    fn text_keeps_lines_and_refuses_control_characters() {
        assert_eq!(
            Text::parse("commentary", "a\r\nb ").unwrap().as_str(),
            "a\nb"
        );
        assert!(Text::parse("commentary", "").unwrap().is_empty());
        assert!(Text::parse("commentary", "bell\u{7}").is_err());
        assert_eq!(
            Text::parse("commentary", "Cymraeg: ŵ ŷ — 👍 שלום")
                .unwrap()
                .as_str(),
            "Cymraeg: ŵ ŷ — 👍 שלום"
        );
    }
}
