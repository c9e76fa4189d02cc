//! Dates typed on forms, in the GOV.UK date input pattern: a day, a month
//! and a year in three fields (`deadline-day`, `deadline-month`,
//! `deadline-year`), read into one [`NaiveDate`] with the pattern's error
//! messages ("Deadline must include a month", "… must be a real date").
//! A form posted with the one field (`deadline=20 March 2025`, as scripts
//! and older forms do) is read as a person writes a day, by
//! [`domain::parse_day`].

use chrono::{Datelike, NaiveDate};

/// A date field as typed: its three parts, kept to show again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateParts {
    /// The day of the month, as typed.
    pub day: String,
    /// The month, as typed: a number or a name ("3", "March", "Mar").
    pub month: String,
    /// The year, as typed.
    pub year: String,
}

/// Which part of a date input an error is about, so that only that input
/// is marked (all three when the whole date is wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The day input.
    Day,
    /// The month input.
    Month,
    /// The year input.
    Year,
    /// The date as a whole.
    All,
}

/// Why a typed date was not accepted, in the pattern's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    /// What to show beside the field and in the summary.
    pub message: String,
    /// The part to mark.
    pub part: Part,
}

impl DateParts {
    /// The parts of `date`, to fill a form with a saved date.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            day: date.day().to_string(),
            month: date.month().to_string(),
            year: date.year().to_string(),
        }
    }

    /// The parts of field `name` from a posted form, read through `get`:
    /// the three inputs, or the one field `name` split into its day, month
    /// and year when it reads as a day ("20 March 2025", "2025-03-20").
    pub fn posted(name: &str, get: impl Fn(&str) -> Option<String>) -> Self {
        let part = |p: &str| get(&format!("{name}-{p}")).unwrap_or_default();
        let parts = Self {
            day: part("day"),
            month: part("month"),
            year: part("year"),
        };
        if !parts.is_empty() {
            return parts;
        }
        match get(name).filter(|v| !v.trim().is_empty()) {
            Some(raw) => match domain::parse_day("date", &raw) {
                Ok(d) => Self::of(d),
                Err(_) => Self::split(&raw),
            },
            None => parts,
        }
    }

    /// A date typed in one field that is not a day, split into what look
    /// like its parts ("31/02/2025", "2025-02-31", "31 Feb 2025"), so that
    /// the error says which part is wrong; kept whole in the day input
    /// when it does not split into three.
    fn split(raw: &str) -> Self {
        let parts: Vec<&str> = raw
            .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) => Self {
                day: (*d).to_owned(),
                month: (*m).to_owned(),
                year: (*y).to_owned(),
            },
            [d, m, y] => Self {
                day: (*d).to_owned(),
                month: (*m).to_owned(),
                year: (*y).to_owned(),
            },
            _ => Self {
                day: raw.to_owned(),
                ..Self::default()
            },
        }
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        [&self.day, &self.month, &self.year]
            .iter()
            .all(|p| p.trim().is_empty())
    }

    /// The date of a field that must be filled in; `missing` is what to
    /// say when it is empty ("Enter the deadline for updates").
    pub fn required(&self, label: &str, missing: &str) -> Result<NaiveDate, DateError> {
        self.parse(label, Some(missing))?.ok_or_else(|| DateError {
            message: missing.to_owned(),
            part: Part::All,
        })
    }

    /// The date, `None` when nothing was typed. `label` names the field
    /// in messages ("Deadline"); `missing` is what to say when a required
    /// date is empty ("Enter the deadline for updates").
    pub fn parse(
        &self,
        label: &str,
        missing: Option<&str>,
    ) -> Result<Option<NaiveDate>, DateError> {
        let err = |message: String, part| Err(DateError { message, part });
        if self.is_empty() {
            return match missing {
                Some(m) => err(m.to_owned(), Part::All),
                None => Ok(None),
            };
        }
        let (day, month, year) = (self.day.trim(), self.month.trim(), self.year.trim());
        let absent: Vec<&str> = [("day", day), ("month", month), ("year", year)]
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(n, _)| *n)
            .collect();
        match absent.as_slice() {
            [] => {}
            [one] => {
                let part = match *one {
                    "day" => Part::Day,
                    "month" => Part::Month,
                    _ => Part::Year,
                };
                return err(format!("{label} must include a {one}"), part);
            }
            [a, b] => return err(format!("{label} must include a {a} and {b}"), Part::All),
            _ => unreachable!("an empty date is answered above"),
        }
        let Ok(d) = day.parse::<u32>() else {
            return err(format!("{label} must be a real date"), Part::Day);
        };
        let Some(m) = month_of(month) else {
            return err(format!("{label} must be a real date"), Part::Month);
        };
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return err("Year must include 4 numbers".to_owned(), Part::Year);
        }
        let y: i32 = year.parse().unwrap_or_default();
        if !(1950..=2200).contains(&y) {
            return err(format!("{label} must be a real date"), Part::Year);
        }
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) => Ok(Some(date)),
            None => err(format!("{label} must be a real date"), Part::All),
        }
    }
}

/// A month typed as a number (1 to 12) or a name, whole or its first three
/// letters ("March", "mar", "Sept").
fn month_of(raw: &str) -> Option<u32> {
    if let Ok(n) = raw.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    let raw = raw.to_ascii_lowercase();
    if raw.len() < 3 {
        return None;
    }
    (1..=12).find(|&m| {
        let name = NaiveDate::from_ymd_opt(2000, m, 1)
            .map(|d| d.format("%B").to_string().to_ascii_lowercase())
            .unwrap_or_default();
        name.starts_with(&raw) || (raw == "sept" && m == 9)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(day: &str, month: &str, year: &str) -> DateParts {
        DateParts {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        }
    }

    fn date(s: &str) -> Option<NaiveDate> {
        s.parse().ok()
    }

    #[test]
    fn the_three_parts_make_a_date() {
        assert_eq!(
            parts("20", "3", "2025").parse("Deadline", None),
            Ok(date("2025-03-20"))
        );
        assert_eq!(
            parts(" 1 ", "March", "2025").parse("Deadline", None),
            Ok(date("2025-03-01"))
        );
        assert_eq!(
            parts("30", "sept", "2024").parse("Deadline", None),
            Ok(date("2024-09-30"))
        );
        assert_eq!(parts("", "", "").parse("Deadline", None), Ok(None));
    }

    #[test]
    fn errors_say_what_is_missing_or_wrong() {
        let e = |p: DateParts| p.parse("Deadline", Some("Enter the deadline")).unwrap_err();
        assert_eq!(e(parts("", "", "")).message, "Enter the deadline");
        let month = e(parts("20", "", "2025"));
        assert_eq!(month.message, "Deadline must include a month");
        assert_eq!(month.part, Part::Month);
        assert_eq!(
            e(parts("20", "", "")).message,
            "Deadline must include a month and year"
        );
        assert_eq!(
            e(parts("31", "2", "2025")).message,
            "Deadline must be a real date"
        );
        assert_eq!(e(parts("31", "Smarch", "2025")).part, Part::Month);
        assert_eq!(
            e(parts("3", "3", "25")).message,
            "Year must include 4 numbers"
        );
    }

    #[test]
    fn one_field_is_read_as_a_person_writes_a_day() {
        let get = |v: &'static str| move |k: &str| (k == "on").then(|| v.to_owned());
        assert_eq!(
            DateParts::posted("on", get("20 March 2025")),
            parts("20", "3", "2025")
        );
        assert_eq!(
            DateParts::posted("on", get("2025-03-20")),
            parts("20", "3", "2025")
        );
        let kept = DateParts::posted("on", get("soon"));
        assert_eq!(kept.day, "soon");
        assert!(kept.parse("Date", None).is_err());
        let split = DateParts::posted("on", get("31/02/2025"));
        assert_eq!(split, parts("31", "02", "2025"));
        assert_eq!(
            split.parse("Date", None).unwrap_err().message,
            "Date must be a real date"
        );
        let three = |k: &str| match k {
            "on-day" => Some("5".to_owned()),
            "on-month" => Some("11".to_owned()),
            "on-year" => Some("2024".to_owned()),
            _ => None,
        };
        assert_eq!(
            DateParts::posted("on", three).parse("Date", None),
            Ok(date("2024-11-05"))
        );
    }
}
