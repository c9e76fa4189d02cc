use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::{ParseError, ReportingPeriod, Status, Text, Title};

const PERCENT_EXPECTED: &str = "a whole number from 0 to 100";

/// How far through an action is, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Percent(u8);

impl Percent {
    /// The number, 0 to 100.
    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Percent {
    type Error = ParseError;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        u8::try_from(n)
            .ok()
            .filter(|n| *n <= 100)
            .map(Percent)
            .ok_or_else(|| ParseError::new("percent", n.to_string(), PERCENT_EXPECTED))
    }
}

impl From<Percent> for i64 {
    fn from(p: Percent) -> Self {
        p.0.into()
    }
}

impl FromStr for Percent {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let n: i64 = raw
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse()
            .map_err(|_| ParseError::new("percent", raw, PERCENT_EXPECTED))?;
        Percent::try_from(n).map_err(|_| ParseError::new("percent", raw, PERCENT_EXPECTED))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// A figure for one of the action's indicators in the update's period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeasureActual {
    /// The measure (an indicator of the same action).
    pub measure_id: MeasureId,
    /// The figure.
    pub value: f64,
}

/// What a lead writes for one action in one period; checked to be coherent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateInput {
    /// The status.
    pub status: Status,
    /// What has happened and what comes next.
    pub commentary: Text,
    /// How far through the action is.
    pub percent: Option<Percent>,
    /// Whether the update is one of the period's key achievements.
    pub key_achievement: bool,
    /// Figures for the action's indicators.
    pub actuals: Vec<MeasureActual>,
    /// Who wrote it (a person or a role).
    pub author: Title,
    /// Demo content not drawn from a real record.
    pub illustrative: bool,
}

impl UpdateInput {
    /// Why the update cannot go forward where a body requires commentary on
    /// concerns: its status is at risk or off track and it says nothing.
    pub fn unexplained(&self) -> Option<ParseError> {
        (self.status.needs_explanation() && self.commentary.is_empty()).then(|| {
            ParseError::new(
                "commentary",
                "",
                format!(
                    "a comment explaining why the action is {}",
                    self.status.label().to_lowercase()
                ),
            )
        })
    }

    /// Check the parts agree: a complete action is 100% done if a percent is
    /// given; a not-started action is 0%; figures are finite and one per measure.
    pub fn validate(self) -> Result<Self, ParseError> {
        match (self.status, self.percent.map(Percent::value)) {
            (Status::Complete, Some(p)) if p < 100 => {
                return Err(ParseError::new(
                    "percent",
                    p.to_string(),
                    "100 when the status is complete (or no percent)",
                ));
            }
            (Status::NotStarted, Some(p)) if p > 0 => {
                return Err(ParseError::new(
                    "percent",
                    p.to_string(),
                    "0 when the status is not started (or no percent)",
                ));
            }
            _ => {}
        }
        for (i, a) in self.actuals.iter().enumerate() {
            if !a.value.is_finite() {
                return Err(ParseError::new(
                    "actual",
                    a.value.to_string(),
                    "a finite number",
                ));
            }
            if self.actuals[..i]
                .iter()
                .any(|b| b.measure_id == a.measure_id)
            {
                return Err(ParseError::new(
                    "actual",
                    a.value.to_string(),
                    "one figure per measure",
                ));
            }
        }
        Ok(self)
    }
}

/// One action's progress in one reporting period, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Store id.
    pub id: UpdateId,
    /// The action reported on.
    pub action_id: ActionId,
    /// The period reported on.
    pub period: ReportingPeriod,
    /// What was reported.
    #[serde(flatten)]
    pub input: UpdateInput,
    /// Where it is in its sign-off.
    pub state: crate::UpdateState,
    /// Why it was returned, when it was.
    pub returned_comment: Option<String>,
    /// When first recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version; a save must name the version it read.
    pub version: Version,
    /// The content last signed off, kept while a revision of a signed-off
    /// update goes through sign-off again (the update is then a draft,
    /// submitted or returned). `None` when the update is itself signed off
    /// (its `input` is what is published) or was never signed off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<UpdateInput>,
}

impl Update {
    /// The update as those who may not see work in progress see it: its
    /// signed-off content, or `None` when nothing of it has been signed off.
    /// Reports, roll-ups and public pages read updates only through this.
    pub fn as_published(&self) -> Option<Update> {
        if self.state == crate::UpdateState::SignedOff {
            return Some(self.clone());
        }
        self.published.as_ref().map(|input| Update {
            input: input.clone(),
            state: crate::UpdateState::SignedOff,
            returned_comment: None,
            published: None,
            ..self.clone()
        })
    }

    /// Whether any of it has been signed off (so changing it is a revision,
    /// and the signed-off content stays visible meanwhile).
    pub fn was_signed_off(&self) -> bool {
        self.state == crate::UpdateState::SignedOff || self.published.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(status: Status, percent: Option<i64>) -> UpdateInput {
        UpdateInput {
            status,
            commentary: Text::default(),
            percent: percent.map(|p| Percent::try_from(p).unwrap()),
            key_achievement: false,
            actuals: vec![],
            author: Title::parse("author", "Director of Adult Social Care").unwrap(),
            illustrative: false,
        }
    }

    #[test]
    fn percent_is_zero_to_one_hundred() {
        assert_eq!("40".parse::<Percent>().unwrap().value(), 40);
        assert_eq!("75%".parse::<Percent>().unwrap().value(), 75);
        let e = "140".parse::<Percent>().unwrap_err();
        assert_eq!(e.field, "percent");
        assert!(e.to_string().contains("0 to 100"), "{e}");
        assert!("-1".parse::<Percent>().is_err());
        assert!("half".parse::<Percent>().is_err());
    }

    #[test]
    fn status_and_percent_must_agree() {
        assert!(input(Status::Complete, Some(90)).validate().is_err());
        assert!(input(Status::Complete, Some(100)).validate().is_ok());
        assert!(input(Status::NotStarted, Some(10)).validate().is_err());
        assert!(input(Status::OnTrack, Some(10)).validate().is_ok());
    }

    #[test]
    fn concerns_must_be_explained() {
        let e = input(Status::AtRisk, None).unexplained().unwrap();
        assert_eq!(e.field, "commentary");
        assert!(e.expected.contains("why the action is at risk"), "{e}");
        assert!(input(Status::OffTrack, None).unexplained().is_some());
        assert!(input(Status::OnTrack, None).unexplained().is_none());
        let mut said = input(Status::OffTrack, None);
        said.commentary = Text::parse("commentary", "The contractor withdrew.").unwrap();
        assert!(said.unexplained().is_none());
    }

    #[test]
    fn one_figure_per_measure() {
        let mut i = input(Status::OnTrack, None);
        i.actuals = vec![
            MeasureActual {
                measure_id: MeasureId::new(1),
                value: 2.0,
            },
            MeasureActual {
                measure_id: MeasureId::new(1),
                value: 3.0,
            },
        ];
        assert!(i.validate().is_err());
    }

    proptest! {
        #[test]
        fn percent_accepts_exactly_0_to_100(n in -1000i64..1000) {
            prop_assert_eq!(Percent::try_from(n).is_ok(), (0..=100).contains(&n));
        }
    }
}
