use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ParseError;

const EXPECTED: &str = "a day (2023-01-31 or 31 January 2023) or a month (January 2023 or 2023-01)";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// When an action is due: a particular day, or a month ("target date of
/// January 2023").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TargetDate {
    /// A particular day.
    Day(NaiveDate),
    /// Some time in a month; due by its last day.
    Month {
        /// Calendar year.
        year: i32,
        /// Month, 1 to 12.
        month: u32,
    },
}

impl TargetDate {
    /// The last day by which the target is met.
    pub fn due_by(self) -> NaiveDate {
        match self {
            TargetDate::Day(d) => d,
            TargetDate::Month { year, month } => {
                let (y, m) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .expect("first of month exists")
                    .pred_opt()
                    .expect("a day before")
            }
        }
    }

    /// The stored form: "2023-01-31" for a day, "2023-01" for a month.
    pub fn to_iso(self) -> String {
        match self {
            TargetDate::Day(d) => d.format("%Y-%m-%d").to_string(),
            TargetDate::Month { year, month } => format!("{year:04}-{month:02}"),
        }
    }
}

impl fmt::Display for TargetDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetDate::Day(d) => write!(
                f,
                "{} {} {}",
                d.day(),
                MONTHS[d.month0() as usize],
                d.year()
            ),
            TargetDate::Month { year, month } => {
                write!(f, "{} {}", MONTHS[(*month - 1) as usize], year)
            }
        }
    }
}

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_ascii_lowercase();
    if name.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            m.to_ascii_lowercase().starts_with(&name)
                || (name.len() == 4 && name == "sept" && *m == "September")
        })
        .map(|i| i as u32 + 1)
}

fn plausible_year(y: i32) -> bool {
    (1950..=2200).contains(&y)
}

/// A day as a person types it, for `field`: "2025-03-20", "20 March 2025",
/// "20 Mar 2025" or "20/03/2025". A month alone is not a day.
pub fn parse_day(field: &'static str, raw: &str) -> Result<NaiveDate, ParseError> {
    match raw.parse::<TargetDate>() {
        Ok(TargetDate::Day(d)) => Ok(d),
        _ => Err(ParseError::new(
            field,
            raw,
            "a day, like 20 March 2025 or 2025-03-20",
        )),
    }
}

impl FromStr for TargetDate {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::new("target date", raw, EXPECTED);
        let s = raw.trim();
        let day = |d: NaiveDate| {
            if plausible_year(d.year()) {
                Ok(TargetDate::Day(d))
            } else {
                Err(err())
            }
        };
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return day(d);
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%d/%m/%Y") {
            return day(d);
        }
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            [d, m, y] => {
                let (d, m, y) = (
                    d.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']),
                    month_number(m),
                    y.parse::<i32>(),
                );
                let (Ok(d), Some(m), Ok(y)) = (d.parse::<u32>(), m, y) else {
                    return Err(err());
                };
                NaiveDate::from_ymd_opt(y, m, d)
                    .ok_or_else(err)
                    .and_then(day)
            }
            [m, y] => {
                let (Some(month), Ok(year)) = (month_number(m), y.parse::<i32>()) else {
                    return Err(err());
                };
                if plausible_year(year) {
                    Ok(TargetDate::Month { year, month })
                } else {
                    Err(err())
                }
            }
            [ym] => {
                let (y, m) = ym.split_once('-').ok_or_else(err)?;
                let (Ok(year), Ok(month)) = (y.parse::<i32>(), m.parse::<u32>()) else {
                    return Err(err());
                };
                if y.len() == 4 && m.len() == 2 && (1..=12).contains(&month) && plausible_year(year)
                {
                    Ok(TargetDate::Month { year, month })
                } else {
                    Err(err())
                }
            }
            _ => Err(err()),
        }
    }
}

impl TryFrom<String> for TargetDate {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TargetDate> for String {
    fn from(t: TargetDate) -> Self {
        t.to_iso()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_day_is_read_as_people_type_it_and_a_month_is_not_a_day() {
        let want = NaiveDate::from_ymd_opt(2025, 3, 20).unwrap();
        for raw in [
            "2025-03-20",
            "20 March 2025",
            "20 Mar 2025",
            "20/03/2025",
            " 20th March 2025 ",
        ] {
            assert_eq!(parse_day("date", raw), Ok(want), "{raw}");
        }
        for raw in ["March 2025", "2025-03", "", "31/02/2025", "tomorrow"] {
            let e = parse_day("date", raw).unwrap_err();
            assert!(e.to_string().contains("like 20 March 2025"), "{raw}: {e}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_days_and_months() {
        let jan: TargetDate = "January 2023".parse().unwrap();
        assert_eq!(
            jan,
            TargetDate::Month {
                year: 2023,
                month: 1
            }
        );
        assert_eq!(jan.to_string(), "January 2023");
        assert_eq!(jan.due_by().to_string(), "2023-01-31");
        assert_eq!("Jan 2023".parse::<TargetDate>().unwrap(), jan);
        assert_eq!("2023-01".parse::<TargetDate>().unwrap(), jan);
        let day: TargetDate = "1 July 2022".parse().unwrap();
        assert_eq!(day.to_iso(), "2022-07-01");
        assert_eq!("1st July 2022".parse::<TargetDate>().unwrap(), day);
        assert_eq!("2022-07-01".parse::<TargetDate>().unwrap(), day);
        assert_eq!("01/07/2022".parse::<TargetDate>().unwrap(), day);
        assert_eq!(
            "December 2023"
                .parse::<TargetDate>()
                .unwrap()
                .due_by()
                .to_string(),
            "2023-12-31"
        );
    }

    #[test]
    fn refuses_impossible_dates() {
        for s in [
            "",
            "31 February 2023",
            "Smarch 2023",
            "2023-13",
            "2023-02-30",
            "soon",
            "January 20233",
        ] {
            assert_eq!(
                s.parse::<TargetDate>().unwrap_err().field,
                "target date",
                "{s}"
            );
        }
    }

    proptest! {
        #[test]
        fn iso_and_display_round_trip(days in 0i64..70_000, month_only in proptest::bool::ANY) {
            let d = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(days);
            let t = if month_only { TargetDate::Month { year: d.year(), month: d.month() } } else { TargetDate::Day(d) };
            prop_assert_eq!(t.to_iso().parse::<TargetDate>().unwrap(), t);
            prop_assert_eq!(t.to_string().parse::<TargetDate>().unwrap(), t);
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<TargetDate>();
        }
    }
}
