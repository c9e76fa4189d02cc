use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

const STATUS_EXPECTED: &str =
    "one of: complete, on track, at risk, off track, not started, deferred";
const RAG_EXPECTED: &str = "one of: blue, green, amber, red, grey";

/// The status an update gives an action for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Status {
    /// The action is done.
    Complete,
    /// Progressing as planned.
    OnTrack,
    /// Progressing, but the target may be missed.
    AtRisk,
    /// Not progressing as planned.
    OffTrack,
    /// Work has not begun.
    NotStarted,
    /// Put back to a later period by decision.
    Deferred,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 6] = [
        Status::Complete,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NotStarted,
        Status::Deferred,
    ];

    /// The stored form: "complete", "on_track", ….
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NotStarted => "not_started",
            Status::Deferred => "deferred",
        }
    }

    /// Whether an update with this status must say why (at risk and off
    /// track), where the body asks for commentary on concerns.
    pub fn needs_explanation(self) -> bool {
        matches!(self, Status::AtRisk | Status::OffTrack)
    }

    /// What the status means, for the people choosing it.
    pub fn definition(self) -> &'static str {
        match self {
            Status::Complete => "The action is finished.",
            Status::OnTrack => "Progress is as planned: it will be done by its target date.",
            Status::AtRisk => {
                "Progress has slipped or a problem has arisen: the target date may be missed unless something changes."
            }
            Status::OffTrack => "As things stand, it will not be done by its target date.",
            Status::NotStarted => "Work has not begun yet.",
            Status::Deferred => "It has been put off to a later date by decision.",
        }
    }

    /// The label people read: "On track".
    pub fn label(self) -> &'static str {
        match self {
            Status::Complete => "Complete",
            Status::OnTrack => "On track",
            Status::AtRisk => "At risk",
            Status::OffTrack => "Off track",
            Status::NotStarted => "Not started",
            Status::Deferred => "Deferred",
        }
    }

    /// Whether this status means progress has been made on the action, in
    /// the sense of the committee report's "progress had been made on all
    /// of the actions": complete, on track or at risk.
    pub fn shows_progress(self) -> bool {
        matches!(self, Status::Complete | Status::OnTrack | Status::AtRisk)
    }

    /// The position of the status in [`Status::ALL`].
    pub fn index(self) -> usize {
        Status::ALL
            .iter()
            .position(|s| *s == self)
            .expect("every status is listed")
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Status {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let words: String = raw
            .trim()
            .to_ascii_lowercase()
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == words)
            .ok_or_else(|| ParseError::new("status", raw, STATUS_EXPECTED))
    }
}

impl TryFrom<String> for Status {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Status> for String {
    fn from(s: Status) -> Self {
        s.as_str().to_owned()
    }
}

/// A RAG colour (with blue for complete and grey for not yet begun).
///
/// Colour is never the only signal: pages and reports show the status label
/// beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Rag {
    /// Done.
    Blue,
    /// Good.
    Green,
    /// Some concern.
    Amber,
    /// Serious concern.
    Red,
    /// Not assessed or not begun.
    Grey,
}

impl Rag {
    /// The stored form: "blue", "green", ….
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Blue => "blue",
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
            Rag::Grey => "grey",
        }
    }

    /// The colour's name for people: "Blue", "Green", ….
    pub fn label(self) -> &'static str {
        match self {
            Rag::Blue => "Blue",
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
            Rag::Grey => "Grey",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rag {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "blue" => Ok(Rag::Blue),
            "green" => Ok(Rag::Green),
            "amber" => Ok(Rag::Amber),
            "red" => Ok(Rag::Red),
            "grey" | "gray" => Ok(Rag::Grey),
            _ => Err(ParseError::new("RAG colour", raw, RAG_EXPECTED)),
        }
    }
}

impl TryFrom<String> for Rag {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Rag> for String {
    fn from(r: Rag) -> Self {
        r.as_str().to_owned()
    }
}

/// Which RAG colour each status shows, configured per body.
///
/// The default is the common "BRAG" scheme: complete is blue, on track
/// green, at risk amber, off track red, not started and deferred grey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RagMapping(BTreeMap<Status, Rag>);

impl Default for RagMapping {
    fn default() -> Self {
        Self(BTreeMap::from([
            (Status::Complete, Rag::Blue),
            (Status::OnTrack, Rag::Green),
            (Status::AtRisk, Rag::Amber),
            (Status::OffTrack, Rag::Red),
            (Status::NotStarted, Rag::Grey),
            (Status::Deferred, Rag::Grey),
        ]))
    }
}

impl RagMapping {
    /// The colour for `status`.
    pub fn rag(&self, status: Status) -> Rag {
        self.0.get(&status).copied().unwrap_or(Rag::Grey)
    }

    /// The same mapping with `status` shown as `rag`.
    pub fn with(mut self, status: Status, rag: Rag) -> Self {
        self.0.insert(status, rag);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_type() {
        for (s, want) in [
            ("on track", Status::OnTrack),
            ("On-Track", Status::OnTrack),
            ("on_track", Status::OnTrack),
            (" NOT  started ", Status::NotStarted),
            ("complete", Status::Complete),
            ("at risk", Status::AtRisk),
        ] {
            assert_eq!(s.parse::<Status>().unwrap(), want, "{s}");
        }
        let e = "done".parse::<Status>().unwrap_err();
        assert!(e.to_string().contains("on track"), "{e}");
    }

    #[test]
    fn stored_forms_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
            assert_eq!(s.label().parse::<Status>().unwrap(), s);
            assert_eq!(Status::ALL[s.index()], s);
        }
    }

    #[test]
    fn rag_mapping_is_configurable() {
        let default = RagMapping::default();
        assert_eq!(default.rag(Status::Complete), Rag::Blue);
        assert_eq!(default.rag(Status::OffTrack), Rag::Red);
        let custom = default.with(Status::Complete, Rag::Green);
        assert_eq!(custom.rag(Status::Complete), Rag::Green);
        let json = serde_json::to_string(&custom).unwrap();
        assert_eq!(serde_json::from_str::<RagMapping>(&json).unwrap(), custom);
    }
}
