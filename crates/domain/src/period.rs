use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{FinancialYear, ParseError};

const HALF_EXPECTED: &str = "H1 (April to September, the Q2 update) or H2 (October to March)";
const PERIOD_EXPECTED: &str =
    "a reporting period such as \"H1 2022/23\" or \"2023/24 H2\" (Q2 is H1, Q4 is H2)";

/// A half of the financial year: the unit of progress reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Half {
    /// April to September, reported as the "Q2 update".
    H1,
    /// October to March, the year-end report.
    H2,
}

impl Half {
    /// "H1" or "H2".
    pub fn as_str(self) -> &'static str {
        match self {
            Half::H1 => "H1",
            Half::H2 => "H2",
        }
    }

    /// The months the half covers, for people: "April to September".
    pub fn months(self) -> &'static str {
        match self {
            Half::H1 => "April to September",
            Half::H2 => "October to March",
        }
    }

    /// 1 or 2, as stored.
    pub fn number(self) -> i64 {
        match self {
            Half::H1 => 1,
            Half::H2 => 2,
        }
    }

    /// The half numbered 1 or 2.
    pub fn from_number(n: i64) -> Result<Self, ParseError> {
        match n {
            1 => Ok(Half::H1),
            2 => Ok(Half::H2),
            _ => Err(ParseError::new("half", n.to_string(), HALF_EXPECTED)),
        }
    }
}

impl fmt::Display for Half {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Half {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "H1" | "Q2" | "1" => Ok(Half::H1),
            "H2" | "Q4" | "2" => Ok(Half::H2),
            _ => Err(ParseError::new("half", raw, HALF_EXPECTED)),
        }
    }
}

/// One half of one financial year: the period an [`crate::Update`] reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportingPeriod {
    /// The financial year.
    pub year: FinancialYear,
    /// Which half of it.
    pub half: Half,
}

impl ReportingPeriod {
    /// The period `half` of `year`.
    pub fn new(year: FinancialYear, half: Half) -> Self {
        Self { year, half }
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        match self.half {
            Half::H1 => self.year.first_day(),
            Half::H2 => {
                NaiveDate::from_ymd_opt(self.year.start_year(), 10, 1).expect("1 October exists")
            }
        }
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        match self.half {
            Half::H1 => {
                NaiveDate::from_ymd_opt(self.year.start_year(), 9, 30).expect("30 September exists")
            }
            Half::H2 => self.year.last_day(),
        }
    }

    /// The period that follows this one.
    pub fn next(self) -> Self {
        match self.half {
            Half::H1 => Self::new(self.year, Half::H2),
            Half::H2 => Self::new(self.year.next(), Half::H1),
        }
    }

    /// The period before this one.
    pub fn previous(self) -> Self {
        match self.half {
            Half::H1 => Self::new(self.year.previous(), Half::H2),
            Half::H2 => Self::new(self.year, Half::H1),
        }
    }

    /// The period containing `date`.
    pub fn containing(date: NaiveDate) -> Self {
        let year = FinancialYear::containing(date);
        let half = if date < Self::new(year, Half::H2).first_day() {
            Half::H1
        } else {
            Half::H2
        };
        Self::new(year, half)
    }
}

impl fmt::Display for ReportingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.half, self.year)
    }
}

impl FromStr for ReportingPeriod {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::new("period", raw, PERIOD_EXPECTED);
        let mut parts = raw.split_whitespace();
        let (a, b) = (parts.next().ok_or_else(err)?, parts.next().ok_or_else(err)?);
        if parts.next().is_some() {
            return Err(err());
        }
        let (half, year) = match (a.parse::<Half>(), b.parse::<Half>()) {
            (Ok(h), _) => (h, b),
            (_, Ok(h)) => (h, a),
            _ => return Err(err()),
        };
        let year = year.parse::<FinancialYear>().map_err(|_| err())?;
        Ok(Self::new(year, half))
    }
}

impl TryFrom<String> for ReportingPeriod {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ReportingPeriod> for String {
    fn from(p: ReportingPeriod) -> Self {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> ReportingPeriod {
        s.parse().unwrap()
    }

    #[test]
    fn parses_the_forms_reports_use() {
        assert_eq!(p("H1 2022/23").to_string(), "H1 2022/23");
        assert_eq!(p("2023-24 H2").to_string(), "H2 2023/24");
        assert_eq!(p("Q2 2022/23"), p("H1 2022/23"));
        assert_eq!(p("q4 2023-2024"), p("H2 2023/24"));
    }

    #[test]
    fn refuses_what_is_not_a_period() {
        for s in [
            "",
            "H3 2022/23",
            "H1",
            "H1 2022/24",
            "H1 2022/23 extra",
            "Q1 2022/23",
        ] {
            let e = s.parse::<ReportingPeriod>().unwrap_err();
            assert_eq!(e.field, "period", "{s}");
        }
    }

    #[test]
    fn halves_cover_april_to_september_and_october_to_march() {
        let h1 = p("H1 2022/23");
        assert_eq!(h1.first_day().to_string(), "2022-04-01");
        assert_eq!(h1.last_day().to_string(), "2022-09-30");
        let h2 = h1.next();
        assert_eq!(h2.first_day().to_string(), "2022-10-01");
        assert_eq!(h2.last_day().to_string(), "2023-03-31");
        assert_eq!(h2.next(), p("H1 2023/24"));
        assert_eq!(h2.next().previous(), h2);
    }

    proptest! {
        #[test]
        fn display_round_trips(start in 1950i32..2199, second in proptest::bool::ANY) {
            let period = ReportingPeriod::new(
                FinancialYear::starting(start).unwrap(),
                if second { Half::H2 } else { Half::H1 },
            );
            prop_assert_eq!(period.to_string().parse::<ReportingPeriod>().unwrap(), period);
            let reversed = format!("{} {}", period.year, period.half);
            prop_assert_eq!(reversed.parse::<ReportingPeriod>().unwrap(), period);
        }

        #[test]
        fn every_date_falls_in_its_period(days in 0i64..80_000) {
            let d = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(days);
            let period = ReportingPeriod::containing(d);
            prop_assert!(period.first_day() <= d && d <= period.last_day());
            prop_assert_eq!(period.next().first_day(), period.last_day().succ_opt().unwrap());
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<ReportingPeriod>();
        }
    }
}
