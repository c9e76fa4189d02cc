use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{FinancialYear, Half, ParseError, Text, Title};

/// Which way an indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher is better.
    Up,
    /// Lower is better.
    Down,
}

impl Direction {
    /// "up" or "down", as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// For people: "higher is better".
    pub fn describe(self) -> &'static str {
        match self {
            Direction::Up => "higher is better",
            Direction::Down => "lower is better",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "up" | "higher" | "higher is better" => Ok(Direction::Up),
            "down" | "lower" | "lower is better" => Ok(Direction::Down),
            _ => Err(ParseError::new(
                "direction",
                raw,
                "\"up\" (higher is better) or \"down\" (lower is better)",
            )),
        }
    }
}

/// A target for an indicator: for a whole financial year (`half` is none:
/// the year-end target) or for one half of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeasureTarget {
    /// The year the target is for.
    pub year: FinancialYear,
    /// The half, when the target is for a half rather than the year end.
    pub half: Option<Half>,
    /// The target value.
    pub value: f64,
}

impl MeasureTarget {
    /// `targets` with the year-end target of `year` set to `value` (or
    /// removed when `None`), every other year's and half-year's kept.
    pub fn with_year_end(
        targets: &[MeasureTarget],
        year: FinancialYear,
        value: Option<f64>,
    ) -> Vec<MeasureTarget> {
        targets
            .iter()
            .filter(|t| !(t.year == year && t.half.is_none()))
            .copied()
            .chain(value.map(|value| MeasureTarget {
                year,
                half: None,
                value,
            }))
            .collect()
    }
}

/// A numeric measure of success.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// What is counted, e.g. "Number of unpaid carers assessed".
    pub name: Title,
    /// The unit, e.g. "carers" or "%".
    pub unit: Title,
    /// Which way is better.
    pub direction: Direction,
    /// Where it started, if known.
    pub baseline: Option<f64>,
    /// Targets by year (and optionally half).
    pub targets: Vec<MeasureTarget>,
}

impl Indicator {
    /// An indicator, checking its numbers are finite and its targets are one per period.
    pub fn new(
        name: Title,
        unit: Title,
        direction: Direction,
        baseline: Option<f64>,
        targets: Vec<MeasureTarget>,
    ) -> Result<Self, ParseError> {
        if let Some(b) = baseline.filter(|b| !b.is_finite()) {
            return Err(ParseError::new(
                "baseline",
                b.to_string(),
                "a finite number",
            ));
        }
        for (i, t) in targets.iter().enumerate() {
            if !t.value.is_finite() {
                return Err(ParseError::new(
                    "target",
                    t.value.to_string(),
                    "a finite number",
                ));
            }
            if targets[..i]
                .iter()
                .any(|u| u.year == t.year && u.half == t.half)
            {
                return Err(ParseError::new(
                    "target",
                    format!(
                        "{} {}",
                        t.year,
                        t.half.map(Half::as_str).unwrap_or("year end")
                    ),
                    "one target per year (or half year)",
                ));
            }
        }
        Ok(Self {
            name,
            unit,
            direction,
            baseline,
            targets,
        })
    }

    /// The target for `year`'s year end, if one is set.
    pub fn year_end_target(&self, year: FinancialYear) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.year == year && t.half.is_none())
            .map(|t| t.value)
    }
}

/// How success of an action is measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Measure {
    /// In words: "An increased number of participants on each course".
    Statement {
        /// The statement.
        text: Text,
    },
    /// In numbers.
    Indicator(Indicator),
}

impl Measure {
    /// A statement measure; the text must not be empty.
    pub fn statement(raw: &str) -> Result<Self, ParseError> {
        let text = Text::parse("measure", raw)?;
        if text.is_empty() {
            return Err(ParseError::new(
                "measure",
                raw,
                "a statement of how success is measured",
            ));
        }
        Ok(Measure::Statement { text })
    }

    /// A short description for lists: the statement, or the indicator's name and unit.
    pub fn describe(&self) -> String {
        match self {
            Measure::Statement { text } => text.to_string(),
            Measure::Indicator(i) => format!("{} ({}, {})", i.name, i.unit, i.direction.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(s: &str) -> Title {
        Title::parse("t", s).unwrap()
    }

    #[test]
    fn indicators_refuse_duplicate_or_infinite_targets() {
        let y: FinancialYear = "2022/23".parse().unwrap();
        let t = |v| MeasureTarget {
            year: y,
            half: None,
            value: v,
        };
        assert!(
            Indicator::new(
                title("n"),
                title("u"),
                Direction::Up,
                Some(1.0),
                vec![t(2.0), t(3.0)]
            )
            .is_err()
        );
        assert!(
            Indicator::new(
                title("n"),
                title("u"),
                Direction::Up,
                Some(f64::NAN),
                vec![]
            )
            .is_err()
        );
        let ok =
            Indicator::new(title("n"), title("u"), Direction::Down, None, vec![t(2.0)]).unwrap();
        assert_eq!(ok.year_end_target(y), Some(2.0));
        assert_eq!(ok.year_end_target(y.next()), None);
    }

    #[test]
    fn statements_must_say_something() {
        assert!(Measure::statement("  ").is_err());
        assert_eq!(
            Measure::statement("An increased number of participants on each course")
                .unwrap()
                .describe(),
            "An increased number of participants on each course"
        );
    }
}
