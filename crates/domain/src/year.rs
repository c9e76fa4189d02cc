use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ParseError;

const EXPECTED: &str = "a financial year such as 2022/23, 2022-23 or 2022-2023";

/// A financial year: 1 April of one year to 31 March of the next.
///
/// Written "2022/23". Parsing also accepts "2022-23", "2022-2023" and
/// "2022/2023"; the second year must follow the first ("2022/24" is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FinancialYear(i32);

impl FinancialYear {
    /// The earliest year Ambit accepts.
    pub const MIN_START: i32 = 1950;
    /// The latest year Ambit accepts.
    pub const MAX_START: i32 = 2199;

    /// The financial year that starts in April of `start_year`.
    pub fn starting(start_year: i32) -> Result<Self, ParseError> {
        if (Self::MIN_START..=Self::MAX_START).contains(&start_year) {
            Ok(Self(start_year))
        } else {
            Err(ParseError::new("year", start_year.to_string(), EXPECTED))
        }
    }

    /// The calendar year in which this financial year starts.
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// 1 April of the start year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).expect("1 April exists")
    }

    /// 31 March of the following year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("31 March exists")
    }

    /// The financial year that contains `date`.
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    /// Whether `date` falls within this financial year.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::containing(date) == self
    }

    /// The year after this one.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// The year before this one.
    pub fn previous(self) -> Self {
        Self(self.0 - 1)
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1) % 100)
    }
}

impl FromStr for FinancialYear {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::new("year", raw, EXPECTED);
        let s = raw.trim();
        let (first, second) = s.split_once(['/', '-', '–', '—']).ok_or_else(err)?;
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if first.len() != 4 || !all_digits(first) || !all_digits(second) {
            return Err(err());
        }
        let start: i32 = first.parse().map_err(|_| err())?;
        let end_ok = match second.len() {
            2 => second.parse::<i32>().ok() == Some((start + 1) % 100),
            4 => second.parse::<i32>().ok() == Some(start + 1),
            _ => false,
        };
        if !end_ok {
            return Err(err());
        }
        Self::starting(start).map_err(|_| err())
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<FinancialYear> for String {
    fn from(y: FinancialYear) -> Self {
        y.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_common_forms() {
        for s in [
            "2022/23",
            "2022-23",
            "2022-2023",
            "2022/2023",
            " 2022/23 ",
            "2022–23",
        ] {
            assert_eq!(
                s.parse::<FinancialYear>().unwrap().to_string(),
                "2022/23",
                "{s}"
            );
        }
        assert_eq!(
            "1999/00".parse::<FinancialYear>().unwrap().start_year(),
            1999
        );
    }

    #[test]
    fn refuses_years_that_do_not_follow() {
        for s in [
            "2022/24",
            "2022-2024",
            "2022",
            "22/23",
            "2022/2",
            "abcd/ef",
            "",
            "2022/23/24",
            "+202/23",
        ] {
            let e = s.parse::<FinancialYear>().unwrap_err();
            assert_eq!(e.field, "year");
            assert!(e.to_string().contains("2022/23"), "{e}");
        }
    }

    #[test]
    fn knows_its_days() {
        let y: FinancialYear = "2022/23".parse().unwrap();
        assert_eq!(y.first_day(), NaiveDate::from_ymd_opt(2022, 4, 1).unwrap());
        assert_eq!(y.last_day(), NaiveDate::from_ymd_opt(2023, 3, 31).unwrap());
        assert!(y.contains(NaiveDate::from_ymd_opt(2023, 1, 15).unwrap()));
        assert!(!y.contains(NaiveDate::from_ymd_opt(2023, 4, 1).unwrap()));
    }

    proptest! {
        #[test]
        fn every_form_round_trips(start in FinancialYear::MIN_START..=FinancialYear::MAX_START) {
            let y = FinancialYear::starting(start).unwrap();
            let forms = [
                y.to_string(),
                format!("{}-{:02}", start, (start + 1) % 100),
                format!("{}-{}", start, start + 1),
                format!("{}/{}", start, start + 1),
            ];
            for f in forms {
                prop_assert_eq!(f.parse::<FinancialYear>().unwrap(), y);
            }
        }

        #[test]
        fn mismatched_second_years_are_refused(start in 1950i32..2199, gap in 2i32..50) {
            let s = format!("{}/{}", start, start + gap);
            prop_assert!(s.parse::<FinancialYear>().is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = s.parse::<FinancialYear>();
        }

        #[test]
        fn every_date_is_in_exactly_its_year(days in 0i64..80_000) {
            let d = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(days);
            let y = FinancialYear::containing(d);
            prop_assert!(y.first_day() <= d && d <= y.last_day());
        }
    }
}
