use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{ActionRef, ParseError, Text};

/// Where a plan is in its life: drafted (usually by a refresh), approved by
/// the committee, then superseded when the next year's plan is approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PlanStatus {
    /// Being prepared; its tree can change freely.
    Draft,
    /// Approved: its tree changes only through an audited amendment.
    Approved,
    /// Replaced by the next year's approved plan.
    Superseded,
}

impl PlanStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Approved => "approved",
            PlanStatus::Superseded => "superseded",
        }
    }

    /// Whether the plan's tree (items, actions, alignments) may change without an amendment.
    pub fn editable(self) -> bool {
        self == PlanStatus::Draft
    }
}

impl fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlanStatus {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "draft" => Ok(PlanStatus::Draft),
            "approved" => Ok(PlanStatus::Approved),
            "superseded" => Ok(PlanStatus::Superseded),
            _ => Err(ParseError::new(
                "plan status",
                raw,
                "draft, approved or superseded",
            )),
        }
    }
}

impl TryFrom<String> for PlanStatus {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PlanStatus> for String {
    fn from(s: PlanStatus) -> Self {
        s.as_str().to_owned()
    }
}

/// What the yearly refresh does with one action of the year ending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// It continues in next year's plan, under this reference (renumbering keeps lineage).
    CarriedForward {
        /// Its reference next year.
        reference: ActionRef,
    },
    /// It is done.
    Completed,
    /// It stops, for this reason.
    Dropped {
        /// Why.
        reason: Text,
    },
}

impl Fate {
    /// The stored form of the fate's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Fate::CarriedForward { .. } => "carried_forward",
            Fate::Completed => "completed",
            Fate::Dropped { .. } => "dropped",
        }
    }

    /// A dropped fate; the reason must say something.
    pub fn dropped(reason: &str) -> Result<Self, ParseError> {
        let reason = Text::parse("reason", reason)?;
        if reason.is_empty() {
            return Err(ParseError::new("reason", "", "why the action is dropped"));
        }
        Ok(Fate::Dropped { reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_statuses_and_fates() {
        assert!(
            PlanStatus::Draft.editable()
                && !PlanStatus::Approved.editable()
                && !PlanStatus::Superseded.editable()
        );
        for s in [
            PlanStatus::Draft,
            PlanStatus::Approved,
            PlanStatus::Superseded,
        ] {
            assert_eq!(s.as_str().parse::<PlanStatus>().unwrap(), s);
        }
        assert!(Fate::dropped("  ").is_err());
        assert_eq!(
            Fate::dropped("Now business as usual").unwrap().kind(),
            "dropped"
        );
        assert_eq!(
            Fate::CarriedForward {
                reference: "6C".parse().unwrap()
            }
            .kind(),
            "carried_forward"
        );
    }
}
