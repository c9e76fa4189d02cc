//! Cell values as councils write them: dates, statuses, periods, percents
//! and figures.
//!
//! Each parser takes one cell (or its text) and gives a domain value or a
//! [`ValueError`] whose message repeats the value and says what to write
//! instead, ready to follow "Sheet Actions, row 7, column Target date: ".

use chrono::{Datelike, NaiveDate};
use domain::{FinancialYear, Half, Percent, Rag, RagMapping, ReportingPeriod, Status, TargetDate};

use crate::workbook::Cell;

/// Why a cell's value is not accepted; the message says what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn shown(raw: &str) -> String {
    let t = raw.trim();
    let mut s: String = t.chars().take(60).collect();
    if t.chars().count() > 60 {
        s.push('…');
    }
    s
}

const DATE_HELP: &str = "write a day such as 31/12/2023 or a month such as December 2023";

fn date_error(raw: &str) -> ValueError {
    // Suggest the nearest sensible form for day/month/year slips.
    let parts: Vec<&str> = raw.trim().split(['/', '.', '-']).collect();
    if let [d, m, y] = parts.as_slice()
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>())
        && y >= 1000
    {
        if m > 12 && d <= 12 {
            return ValueError(format!(
                "'{}' is not a date (there is no month {m}); write the day first, as {m:02}/{d:02}/{y}, or a month such as December {y}",
                shown(raw)
            ));
        }
        return ValueError(format!(
            "'{}' is not a date; write 31/12/{y} or December {y}",
            shown(raw)
        ));
    }
    ValueError(format!("'{}' is not a date; {DATE_HELP}", shown(raw)))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names ("Jan", "January", "Sept"), 1 to 12.
fn month_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 || !w.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w))
        .map(|i| i as u32 + 1)
}

/// A year of two or four digits; two-digit years are 1950 to 2049.
fn year_number(w: &str) -> Option<i32> {
    if !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i32 = w.parse().ok()?;
    let y = match w.len() {
        2 if n >= 50 => 1900 + n,
        2 => 2000 + n,
        4 => n,
        _ => return None,
    };
    (1950..=2200).contains(&y).then_some(y)
}

fn plausible(d: NaiveDate) -> bool {
    (1950..=2200).contains(&d.year())
}

/// The day an Excel date serial stands for (the 1900 date system).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    // Excel counts a 29 February 1900 that never was.
    let days = serial.floor() as i64;
    let days = if days < 60 { days + 1 } else { days };
    base.checked_add_signed(chrono::Duration::days(days))
}

/// The last month of quarter `q` (1 to 4) of a financial year: Q1 ends in
/// June, Q2 in September, Q3 in December, Q4 in March.
fn quarter_end(q: u32, year: FinancialYear) -> TargetDate {
    let (year, month) = match q {
        1 => (year.start_year(), 6),
        2 => (year.start_year(), 9),
        3 => (year.start_year(), 12),
        _ => (year.start_year() + 1, 3),
    };
    TargetDate::Month { year, month }
}

fn quarter_token(w: &str) -> Option<u32> {
    let w = w.to_ascii_uppercase();
    match w.as_str() {
        "Q1" => Some(1),
        "Q2" => Some(2),
        "Q3" => Some(3),
        "Q4" => Some(4),
        _ => None,
    }
}

/// Parse a target date as councils write it: 31/01/2023, 31.01.23,
/// 31-01-2023, 2023-01-31, 31 January 2023, 31 Jan 23, 31-Jan-2023,
/// January 2023, Jan-23, Jan 2023, 2023-01, Q3 2023/24 (the quarter's last
/// month), or an Excel date serial such as 44957.
pub fn date_text(raw: &str) -> Result<TargetDate, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError(format!("the date is empty; {DATE_HELP}")));
    }
    if let Ok(t) = s.parse::<TargetDate>() {
        return Ok(t);
    }
    let err = || date_error(raw);
    // An ISO date with a time, as some programs export.
    if s.len() >= 10
        && s.is_char_boundary(10)
        && let Ok(d) = NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d")
        && (s.len() == 10 || s[10..].starts_with(['T', ' ']))
    {
        return if plausible(d) {
            Ok(TargetDate::Day(d))
        } else {
            Err(err())
        };
    }
    // A serial number, as a CSV saved from Excel may hold.
    if s.len() == 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && let Some(d) = s.parse::<f64>().ok().and_then(excel_serial_date)
        && plausible(d)
    {
        return Ok(TargetDate::Day(d));
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    // Q3 2023/24, 2023/24 Q3.
    if let [a, b] = words.as_slice() {
        let (q, y) = match (quarter_token(a), quarter_token(b)) {
            (Some(q), _) => (Some(q), *b),
            (_, Some(q)) => (Some(q), *a),
            _ => (None, ""),
        };
        if let Some(q) = q {
            return y
                .parse::<FinancialYear>()
                .map(|fy| quarter_end(q, fy))
                .map_err(|_| {
                    ValueError(format!(
                        "'{}' is not a date: a quarter needs a financial year, as in Q3 2023/24",
                        shown(raw)
                    ))
                });
        }
    }
    // Split on the separators people use between day, month and year.
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | '.' | '-' | ','))
        .filter(|w| !w.is_empty())
        .collect();
    match parts.as_slice() {
        [d, m, y] => {
            let d = d.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let day: u32 = d.parse().map_err(|_| err())?;
            let month = if m.bytes().all(|b| b.is_ascii_digit()) && m.len() <= 2 {
                m.parse().map_err(|_| err())?
            } else {
                month_word(m).ok_or_else(err)?
            };
            let year = year_number(y).ok_or_else(err)?;
            NaiveDate::from_ymd_opt(year, month, day)
                .filter(|d| plausible(*d))
                .map(TargetDate::Day)
                .ok_or_else(err)
        }
        [m, y] => {
            let month = month_word(m).ok_or_else(err)?;
            let year = year_number(y).ok_or_else(err)?;
            Ok(TargetDate::Month { year, month })
        }
        _ => Err(err()),
    }
}

/// Parse a target date from a cell: a date cell gives its day, a number is
/// taken as an Excel date serial, text is read by [`date_text`].
pub fn date(cell: &Cell) -> Result<TargetDate, ValueError> {
    match cell {
        Cell::Date(d) if plausible(d.date()) => Ok(TargetDate::Day(d.date())),
        Cell::Number(n) => excel_serial_date(*n)
            .filter(|d| plausible(*d))
            .map(TargetDate::Day)
            .ok_or_else(|| date_error(&crate::workbook::number_text(*n))),
        other => date_text(&other.text()),
    }
}

const STATUS_HELP: &str = "write one of Complete, On track, At risk, Off track, Not started, \
     Deferred, or a RAG colour (Blue, G/Green, A/G, A/Amber, R/Red, Grey)";

/// The status a RAG colour stands for under `rag`: the first of on track,
/// at risk, off track, complete, not started and deferred shown in that
/// colour.
fn colour_status(colour: Rag, rag: &RagMapping) -> Option<Status> {
    [
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::Complete,
        Status::NotStarted,
        Status::Deferred,
    ]
    .into_iter()
    .find(|s| rag.rag(*s) == colour)
}

/// Parse a status as councils write it.
///
/// Words: "Complete", "Completed", "Done", "Achieved" → complete; "On
/// track", "On target", "In progress" → on track; "At risk", "Some
/// concerns", "Slipping" → at risk; "Off track", "Off target", "Behind",
/// "Overdue", "Delayed" → off track; "Not started", "Not due to start",
/// "Not yet due" → not started; "Deferred", "On hold", "Postponed" →
/// deferred. RAG colours and letters ("G", "Green", "A", "Amber", "R",
/// "Red", "Blue", "Grey") become the status the body's `rag` mapping shows
/// in that colour; the mixed grades "A/G" (Amber/Green) count as green and
/// "A/R" (Amber/Red, Red/Amber) as red.
pub fn status(raw: &str, rag: &RagMapping) -> Result<Status, ValueError> {
    let key: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let word =
        match key.as_str() {
            "complete" | "completed" | "done" | "achieved" | "finished" | "delivered"
            | "closed" => Some(Status::Complete),
            "ontrack" | "ontarget" | "onschedule" | "inprogress" | "progressing" | "ongoing" => {
                Some(Status::OnTrack)
            }
            "atrisk" | "someconcerns" | "minorissues" | "slipping" | "slippage"
            | "someslippage" => Some(Status::AtRisk),
            "offtrack"
            | "offtarget"
            | "behind"
            | "behindschedule"
            | "overdue"
            | "delayed"
            | "notontrack"
            | "notontarget"
            | "significantconcerns" => Some(Status::OffTrack),
            "notstarted" | "notduetostart" | "notyetstarted" | "notyetdue" | "notdue"
            | "pending" | "notyetbegun" => Some(Status::NotStarted),
            "deferred" | "onhold" | "postponed" | "paused" | "suspended" => Some(Status::Deferred),
            _ => None,
        };
    if let Some(s) = word {
        return Ok(s);
    }
    let colour = match key.as_str() {
        "g" | "green" => Some(Rag::Green),
        "a" | "amber" | "y" | "yellow" => Some(Rag::Amber),
        "r" | "red" => Some(Rag::Red),
        "b" | "blue" => Some(Rag::Blue),
        "grey" | "gray" => Some(Rag::Grey),
        "ag" | "ambergreen" | "ga" | "greenamber" => Some(Rag::Green),
        "ar" | "amberred" | "ra" | "redamber" => Some(Rag::Red),
        _ => None,
    };
    if let Some(colour) = colour {
        return colour_status(colour, rag).ok_or_else(|| {
            ValueError(format!(
                "'{}' is a RAG colour this body's mapping gives no status; {STATUS_HELP}",
                shown(raw)
            ))
        });
    }
    raw.parse::<Status>().map_err(|_| {
        ValueError(if raw.trim().is_empty() {
            format!("the status is empty; {STATUS_HELP}")
        } else {
            format!(
                "'{}' is not a status Ambit knows; {STATUS_HELP}",
                shown(raw)
            )
        })
    })
}

const PERIOD_HELP: &str = "write a half year such as H1 2023/24 or 2023/24 H2, a quarter such as \
     Q2 2023/24, or the month the half ends, such as Sep 2023 or Mar 2024";

fn period_error(raw: &str) -> ValueError {
    ValueError(format!(
        "'{}' is not a reporting period; {PERIOD_HELP}",
        shown(raw)
    ))
}

fn half_token(w: &str) -> Option<Half> {
    match w.to_ascii_lowercase().as_str() {
        "h1" | "q1" | "q2" | "midyear" | "half1" => Some(Half::H1),
        "h2" | "q3" | "q4" | "yearend" | "half2" => Some(Half::H2),
        _ => None,
    }
}

/// Parse a reporting period: "H1 2023/24", "2023/24 H2", a quarter ("Q2
/// 2023/24" is H1, Q3 and Q4 are H2), "Mid-year 2023/24", "Year end
/// 2023/24", or a month ("Sep 2023", "Mar 2024": the half it falls in).
/// With `default_year`, a half or quarter alone ("Q2", "H2", "Year end")
/// is taken in that year.
pub fn period_text(
    raw: &str,
    default_year: Option<FinancialYear>,
) -> Result<ReportingPeriod, ValueError> {
    let s = raw.trim();
    if let Ok(p) = s.parse::<ReportingPeriod>() {
        return Ok(p);
    }
    let words: Vec<String> = s
        .replace(['-', '_'], "")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    // Join "mid year", "year end", "half 1".
    let joined: Vec<String> = {
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let pair = words.get(i + 1).map(|n| {
                format!(
                    "{}{}",
                    words[i].to_ascii_lowercase(),
                    n.to_ascii_lowercase()
                )
            });
            match pair.as_deref() {
                Some("midyear" | "yearend" | "half1" | "half2") => {
                    out.push(pair.expect("matched"));
                    i += 2;
                }
                _ => {
                    out.push(words[i].clone());
                    i += 1;
                }
            }
        }
        out
    };
    match joined.as_slice() {
        [one] => {
            if let (Some(h), Some(y)) = (half_token(one), default_year) {
                return Ok(ReportingPeriod::new(y, h));
            }
            date_period(s).ok_or_else(|| period_error(raw))
        }
        [a, b] => {
            let (h, y) = match (half_token(a), half_token(b)) {
                (Some(h), _) => (h, b),
                (_, Some(h)) => (h, a),
                _ => return date_period(s).ok_or_else(|| period_error(raw)),
            };
            y.parse::<FinancialYear>()
                .map(|y| ReportingPeriod::new(y, h))
                .map_err(|_| period_error(raw))
        }
        _ => Err(period_error(raw)),
    }
}

/// The half containing a month or day written as a date.
fn date_period(s: &str) -> Option<ReportingPeriod> {
    date_text(s)
        .ok()
        .map(|t| ReportingPeriod::containing(t.due_by()))
}

/// Parse a reporting period from a cell: a date cell gives the half it
/// falls in; text is read by [`period_text`].
pub fn period(
    cell: &Cell,
    default_year: Option<FinancialYear>,
) -> Result<ReportingPeriod, ValueError> {
    match cell {
        Cell::Date(d) => Ok(ReportingPeriod::containing(d.date())),
        other => period_text(&other.text(), default_year),
    }
}

const PERCENT_HELP: &str = "write a whole number from 0 to 100, such as 50 or 50%";

/// Parse a percentage: "50%", "50", or a number cell. When `fractions` is
/// set (the column holds Excel percent-formatted numbers, 0.5 for 50%), a
/// number cell is multiplied by 100.
pub fn percent(cell: &Cell, fractions: bool) -> Result<Percent, ValueError> {
    let err = |raw: &str| {
        ValueError(format!(
            "'{}' is not a percentage; {PERCENT_HELP}",
            shown(raw)
        ))
    };
    let value = match cell {
        Cell::Number(n) if fractions => n * 100.0,
        Cell::Number(n) => *n,
        other => {
            let t = other.text();
            let trimmed = t.trim().trim_end_matches('%').trim();
            trimmed.parse::<f64>().map_err(|_| err(&t))?
        }
    };
    let rounded = value.round();
    if !value.is_finite() || (value - rounded).abs() > 1e-6 {
        return Err(err(&cell.text()));
    }
    Percent::try_from(rounded as i64).map_err(|_| err(&cell.text()))
}

/// Parse a figure: a number cell, or text such as "1,250", "£3.5" or "12%"
/// (taken as 12).
pub fn number(cell: &Cell) -> Result<f64, ValueError> {
    let err = |raw: &str| {
        ValueError(format!(
            "'{}' is not a number; write a figure such as 12 or 3.5",
            shown(raw)
        ))
    };
    match cell {
        Cell::Number(n) if n.is_finite() => Ok(*n),
        other => {
            let t = other.text();
            let cleaned: String = t
                .trim()
                .trim_start_matches('£')
                .trim_end_matches('%')
                .chars()
                .filter(|c| *c != ',')
                .collect();
            cleaned
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| err(&t))
        }
    }
}

/// Parse a yes/no cell ("Yes", "Y", "True", "1", "x" are yes; blank, "No",
/// "N", "False", "0" are no).
pub fn yes_no(cell: &Cell) -> Result<bool, ValueError> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) => Ok(*n != 0.0),
        other => match other.text().trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "x" | "✓" => Ok(true),
            "" | "no" | "n" | "false" | "0" => Ok(false),
            _ => Err(ValueError(format!(
                "'{}' is not yes or no; write Yes or leave it blank",
                shown(&other.text())
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}") {
            let _ = date_text(&s);
            let _ = status(&s, &RagMapping::default());
            let _ = period_text(&s, Some("2023/24".parse().unwrap()));
            let _ = period_text(&s, None);
            let _ = percent(&Cell::Text(s.clone()), false);
            let _ = number(&Cell::Text(s.clone()));
            let _ = yes_no(&Cell::Text(s));
        }

        #[test]
        fn any_serial_or_number_is_safe(n in proptest::num::f64::ANY) {
            let _ = date(&Cell::Number(n));
            let _ = percent(&Cell::Number(n), true);
            let _ = percent(&Cell::Number(n), false);
        }
    }

    fn day(y: i32, m: u32, d: u32) -> TargetDate {
        TargetDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn month(year: i32, month: u32) -> TargetDate {
        TargetDate::Month { year, month }
    }

    #[test]
    fn dates_as_councils_write_them() {
        for (s, want) in [
            ("31/01/2023", day(2023, 1, 31)),
            ("31.01.23", day(2023, 1, 31)),
            ("31-01-2023", day(2023, 1, 31)),
            ("2023-01-31", day(2023, 1, 31)),
            ("2023-01-31T00:00:00", day(2023, 1, 31)),
            ("31 January 2023", day(2023, 1, 31)),
            ("31 Jan 2023", day(2023, 1, 31)),
            ("31-Jan-23", day(2023, 1, 31)),
            ("1/2/2024", day(2024, 2, 1)),
            ("January 2023", month(2023, 1)),
            ("Jan-23", month(2023, 1)),
            ("Jan-2023", month(2023, 1)),
            ("Jan 2023", month(2023, 1)),
            ("March 2024", month(2024, 3)),
            ("Sept 2024", month(2024, 9)),
            ("Q3 2023/24", month(2023, 12)),
            ("2023/24 Q4", month(2024, 3)),
            ("Q1 2023-24", month(2023, 6)),
            ("44957", day(2023, 1, 31)),
        ] {
            assert_eq!(date_text(s).unwrap(), want, "{s}");
        }
        assert_eq!(date(&Cell::Number(44957.0)).unwrap(), day(2023, 1, 31));
    }

    #[test]
    fn bad_dates_say_what_to_write() {
        assert_eq!(
            date_text("31/13/2023").unwrap_err().to_string(),
            "'31/13/2023' is not a date; write 31/12/2023 or December 2023"
        );
        assert!(
            date_text("01/31/2023")
                .unwrap_err()
                .to_string()
                .contains("31/01/2023")
        );
        for s in [
            "soon",
            "Q5 2023/24",
            "Q3",
            "31 Smarch 2023",
            "2023",
            "",
            "Jan-1",
        ] {
            assert!(date_text(s).is_err(), "{s}");
        }
    }

    #[test]
    fn statuses_as_councils_write_them() {
        let rag = RagMapping::default();
        for (s, want) in [
            ("G", Status::OnTrack),
            ("Green", Status::OnTrack),
            ("A/G", Status::OnTrack),
            ("Amber/Green", Status::OnTrack),
            ("Amber", Status::AtRisk),
            ("A", Status::AtRisk),
            ("R", Status::OffTrack),
            ("Red", Status::OffTrack),
            ("Blue", Status::Complete),
            ("Complete", Status::Complete),
            ("Completed", Status::Complete),
            ("On target", Status::OnTrack),
            ("On track", Status::OnTrack),
            ("on_track", Status::OnTrack),
            ("Not due to start", Status::NotStarted),
            ("Not started", Status::NotStarted),
            ("Deferred", Status::Deferred),
            ("On hold", Status::Deferred),
        ] {
            assert_eq!(status(s, &rag).unwrap(), want, "{s}");
        }
        let e = status("Purple", &rag).unwrap_err().to_string();
        assert!(e.contains("'Purple'") && e.contains("On track"), "{e}");
    }

    #[test]
    fn periods_as_councils_write_them() {
        let p = |s: &str| s.parse::<ReportingPeriod>().unwrap();
        let y: FinancialYear = "2023/24".parse().unwrap();
        for (s, want) in [
            ("H1 2023/24", p("H1 2023/24")),
            ("2023/24 H2", p("H2 2023/24")),
            ("Q2 2023/24", p("H1 2023/24")),
            ("Q3 2023/24", p("H2 2023/24")),
            ("Sep 2023", p("H1 2023/24")),
            ("Mar 2024", p("H2 2023/24")),
            ("Year end 2023/24", p("H2 2023/24")),
            ("Q2", p("H1 2023/24")),
        ] {
            assert_eq!(period_text(s, Some(y)).unwrap(), want, "{s}");
        }
        assert!(period_text("Q2", None).is_err());
        assert!(period_text("whenever", Some(y)).is_err());
    }

    #[test]
    fn percents_and_numbers() {
        let t = |s: &str| Cell::Text(s.to_owned());
        assert_eq!(percent(&t("50%"), false).unwrap().value(), 50);
        assert_eq!(percent(&t("50"), false).unwrap().value(), 50);
        assert_eq!(percent(&Cell::Number(0.5), true).unwrap().value(), 50);
        assert_eq!(percent(&Cell::Number(0.07), true).unwrap().value(), 7);
        assert!(percent(&t("150%"), false).is_err());
        assert!(percent(&t("half"), false).is_err());
        assert_eq!(number(&t("1,250")).unwrap(), 1250.0);
        assert!(number(&t("lots")).is_err());
    }
}
