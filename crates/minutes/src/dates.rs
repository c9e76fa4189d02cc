//! When a commitment is due, from its words.
//!
//! A date written in full is used as written: "in March 2023" is due by the
//! month ("2023-03"), "by 31 January 2024" by the day. A relative phrase is
//! resolved against the meeting date when there is one: "later in the year"
//! and "by the end of the (financial) year" mean the 31 March on or after the
//! meeting (the end of the council's year); "within two weeks" counts from
//! the meeting; a month or day without a year is its next occurrence. Phrases
//! with no honest date ("following the meeting", "to the next meeting", "in
//! due course") keep their words only here; "the next meeting" is given the
//! day the minutes give for it ([`next_meeting_day`]) once the whole text
//! has been read.

use chrono::{Datelike, Days, Months, NaiveDate};
use domain::TargetDate;

use crate::Due;
use crate::text::{Tok, span};

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

/// Prepositions a due date is introduced by; they are kept in its words.
const PREPOSITIONS: &[&str] = &[
    "in",
    "by",
    "during",
    "before",
    "until",
    "on",
    "at",
    "to",
    "for",
    "after",
    "following",
    "within",
];

/// The due date said in tokens `from..to`: the first one that gives a date,
/// else the first that gives only words.
pub(crate) fn due_in(
    p: &str,
    toks: &[Tok<'_>],
    from: usize,
    to: usize,
    meeting: Option<NaiveDate>,
) -> Option<Due> {
    let mut words_only: Option<Due> = None;
    for k in from..to.min(toks.len()) {
        let Some((date, start, end)) = phrase_at(toks, k, to, meeting) else {
            continue;
        };
        let start = with_preposition(toks, start, from);
        let due = Due {
            date,
            text: span(p, toks, start, end).to_owned(),
        };
        if due.date.is_some() {
            return Some(due);
        }
        words_only.get_or_insert(due);
    }
    words_only
}

/// The day the paragraph `p` gives for the next meeting: a sentence that
/// names "the next meeting" and a full date, on or after `meeting` when it
/// is known ("The next meeting was scheduled for the 27 April 2023").
pub(crate) fn next_meeting_day(
    p: &str,
    toks: &[Tok<'_>],
    meeting: Option<NaiveDate>,
) -> Option<TargetDate> {
    if !p.to_ascii_lowercase().contains("next meeting") {
        return None;
    }
    for r in crate::text::sentences(toks) {
        let names_it = toks[r.clone()]
            .windows(2)
            .any(|w| w[0].is("next") && w[1].is("meeting"));
        if !names_it {
            continue;
        }
        let Some(Due {
            date: Some(TargetDate::Day(day)),
            ..
        }) = due_in(p, toks, r.start, r.end, None)
        else {
            continue;
        };
        if meeting.is_none_or(|m| day >= m) {
            return Some(TargetDate::Day(day));
        }
    }
    None
}

/// Moves `start` back over "by the end of" / "in" / "by" and the like.
fn with_preposition(toks: &[Tok<'_>], start: usize, floor: usize) -> usize {
    let mut s = start;
    let end_of =
        s >= floor + 3 && toks[s - 1].is("of") && toks[s - 2].is("end") && toks[s - 3].is("the");
    if end_of {
        s -= 3;
    }
    if s > floor && toks[s - 1].is_any(PREPOSITIONS) {
        s -= 1;
    }
    s
}

/// A date phrase starting at token `k` (before `limit`): its date if it has
/// an honest one, and its token range.
fn phrase_at(
    toks: &[Tok<'_>],
    k: usize,
    limit: usize,
    meeting: Option<NaiveDate>,
) -> Option<(Option<TargetDate>, usize, usize)> {
    let at = |i: usize| toks.get(i).filter(|_| i < limit);
    let is = |i: usize, w: &str| at(i).is_some_and(|t| t.is(w));
    let t = at(k)?;

    if let Some(day) = day_number(t.s) {
        let month = at(k + 1).and_then(month_number)?;
        return match at(k + 2).and_then(year_number) {
            Some(year) => Some((day_date(year, month, day), k, k + 3)),
            None => Some((meeting.and_then(|m| next_day(m, month, day)), k, k + 2)),
        };
    }
    if let Some(month) = month_number(t) {
        if t.is("may") && at(k + 1).is_none_or(|n| year_number(n).is_none()) {
            return None;
        }
        return match at(k + 1).and_then(year_number) {
            Some(year) => Some((month_date(year, month), k, k + 2)),
            None => Some((meeting.and_then(|m| next_month(m, month)), k, k + 1)),
        };
    }
    let year_end = meeting.and_then(year_end);
    if t.is("later") && is(k + 1, "in") && is(k + 2, "the") && is(k + 3, "year") {
        return Some((year_end, k, k + 4));
    }
    if t.is("later") && is(k + 1, "this") && is(k + 2, "year") {
        return Some((year_end, k, k + 3));
    }
    if t.is("end") && is(k + 1, "of") && is(k + 2, "the") {
        let from = if k > 0 && toks[k - 1].is("the") {
            k - 1
        } else {
            k
        };
        if is(k + 3, "year") {
            return Some((year_end, from, k + 4));
        }
        if is(k + 3, "financial") && is(k + 4, "year") {
            return Some((year_end, from, k + 5));
        }
    }
    if t.is("year") && is(k + 1, "end") {
        return Some((year_end, k, k + 2));
    }
    if t.is("year-end") {
        return Some((year_end, k, k + 1));
    }
    if t.is("next") && is(k + 1, "meeting") {
        let from = if k > 0 && toks[k - 1].is("the") {
            k - 1
        } else {
            k
        };
        return Some((None, from, k + 2));
    }
    if t.is("a")
        && at(k + 1).is_some_and(|n| n.is_any(&["future", "later", "subsequent"]))
        && is(k + 2, "meeting")
    {
        return Some((None, k, k + 3));
    }
    if t.is_any(&["following", "after"]) && is(k + 1, "the") && is(k + 2, "meeting") {
        return Some((None, k, k + 3));
    }
    if t.is("in") && is(k + 1, "due") && is(k + 2, "course") {
        return Some((None, k, k + 3));
    }
    if t.is("as") && is(k + 1, "soon") && is(k + 2, "as") && is(k + 3, "possible") {
        return Some((None, k, k + 4));
    }
    if t.is("within") {
        let n = at(k + 1).and_then(|n| count(n.s))?;
        let unit = at(k + 2)?;
        let date = |m: NaiveDate| -> Option<TargetDate> {
            let d = if unit.is_any(&["day", "days"]) {
                m.checked_add_days(Days::new(n))
            } else if unit.is_any(&["week", "weeks"]) {
                m.checked_add_days(Days::new(n.checked_mul(7)?))
            } else {
                m.checked_add_months(Months::new(u32::try_from(n).ok()?))
            }?;
            in_range(d.year()).then_some(TargetDate::Day(d))
        };
        if unit.is_any(&["day", "days", "week", "weeks", "month", "months"]) {
            return Some((meeting.and_then(date), k, k + 3));
        }
        if unit.is("working") && is(k + 3, "days") {
            return Some((None, k, k + 4));
        }
    }
    None
}

/// A small count, in figures or words.
fn count(s: &str) -> Option<u64> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    if let Some(i) = WORDS.iter().position(|w| s.eq_ignore_ascii_case(w)) {
        return u64::try_from(i + 1).ok();
    }
    if s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n > 0);
    }
    None
}

/// A day of the month: "31", "1st", "22nd".
fn day_number(s: &str) -> Option<u32> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (d, suffix) = s.split_at(digits);
    if !(1..=2).contains(&d.len()) || !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    d.parse().ok().filter(|n| (1..=31).contains(n))
}

/// A capitalised month name, in full or shortened ("Jan", "Sept").
fn month_number(t: &Tok<'_>) -> Option<u32> {
    if !t.is_capitalised() || t.s.len() < 3 {
        return None;
    }
    let lower = t.s.to_ascii_lowercase();
    let i = MONTHS.iter().position(|m| {
        *m == lower
            || (lower.len() == 3 && m.starts_with(&lower))
            || (lower == "sept" && *m == "september")
    })?;
    u32::try_from(i + 1).ok()
}

fn year_number(t: &Tok<'_>) -> Option<i32> {
    if t.s.len() != 4 || !t.is_number() {
        return None;
    }
    t.s.parse().ok().filter(|y| in_range(*y))
}

/// Years a due date may have (those `TargetDate` reads back).
fn in_range(year: i32) -> bool {
    (1950..=2199).contains(&year)
}

fn day_date(year: i32, month: u32, day: u32) -> Option<TargetDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .filter(|_| in_range(year))
        .map(TargetDate::Day)
}

/// The end of the council's year for a meeting: the 31 March on or after it.
fn year_end(meeting: NaiveDate) -> Option<TargetDate> {
    let year = if meeting.month() <= 3 {
        meeting.year()
    } else {
        meeting.year().checked_add(1)?
    };
    day_date(year, 3, 31)
}

fn month_date(year: i32, month: u32) -> Option<TargetDate> {
    in_range(year).then_some(TargetDate::Month { year, month })
}

/// The next `month` on or after the meeting's month.
fn next_month(meeting: NaiveDate, month: u32) -> Option<TargetDate> {
    let year = if month >= meeting.month() {
        meeting.year()
    } else {
        meeting.year().checked_add(1)?
    };
    month_date(year, month)
}

/// The next `day` `month` on or after the meeting.
fn next_day(meeting: NaiveDate, month: u32, day: u32) -> Option<TargetDate> {
    let this_year = NaiveDate::from_ymd_opt(meeting.year(), month, day);
    let d = match this_year {
        Some(d) if d >= meeting => d,
        _ => NaiveDate::from_ymd_opt(meeting.year().checked_add(1)?, month, day)?,
    };
    in_range(d.year()).then_some(TargetDate::Day(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn due(text: &str, meeting: Option<&str>) -> Option<(Option<String>, String)> {
        let toks = tokenize(text);
        let meeting = meeting.map(|m| m.parse().unwrap());
        due_in(text, &toks, 0, toks.len(), meeting).map(|d| (d.date.map(|t| t.to_iso()), d.text))
    }

    fn dated(date: &str, text: &str) -> Option<(Option<String>, String)> {
        Some((Some(date.to_owned()), text.to_owned()))
    }

    fn undated(text: &str) -> Option<(Option<String>, String)> {
        Some((None, text.to_owned()))
    }

    #[test]
    fn full_dates_need_no_meeting() {
        assert_eq!(
            due("brought to the Committee in March 2023", None),
            dated("2023-03", "in March 2023")
        );
        assert_eq!(
            due("circulate the figures by 31 January 2024.", None),
            dated("2024-01-31", "by 31 January 2024")
        );
        assert_eq!(
            due("by the end of Sept 2024", None),
            dated("2024-09", "by the end of Sept 2024")
        );
        assert_eq!(
            due("by 1st July 2022", None),
            dated("2022-07-01", "by 1st July 2022")
        );
        assert_eq!(
            due("by 31 February 2024", None),
            dated("2024-02", "February 2024")
        );
    }

    #[test]
    fn relative_dates_use_the_meeting() {
        let m = Some("2024-06-27");
        assert_eq!(
            due("presented later in the year", m),
            dated("2025-03-31", "later in the year")
        );
        assert_eq!(
            due("presented later in the year", None),
            undated("later in the year")
        );
        assert_eq!(
            due("by the end of the financial year", Some("2024-02-01")),
            dated("2024-03-31", "by the end of the financial year")
        );
        assert_eq!(
            due("within two weeks", m),
            dated("2024-07-11", "within two weeks")
        );
        assert_eq!(due("in March", m), dated("2025-03", "in March"));
        assert_eq!(
            due("by 30 September", m),
            dated("2024-09-30", "by 30 September")
        );
        assert_eq!(
            due("within 10 working days", m),
            undated("within 10 working days")
        );
        assert_eq!(
            due("later in the year", Some("2024-03-31")),
            dated("2024-03-31", "later in the year")
        );
        assert_eq!(
            due("later in the year", Some("+262000-12-31")),
            undated("later in the year")
        );
        assert_eq!(due("by 31 January 1800", None), undated("by 31 January"));
    }

    #[test]
    fn the_next_meeting_is_the_day_the_minutes_give() {
        let day = |p: &str, m: Option<&str>| {
            let toks = tokenize(p);
            next_meeting_day(p, &toks, m.map(|m| m.parse().unwrap())).map(|d| {
                serde_json::to_value(d)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
        };
        assert_eq!(
            day(
                "The next meeting was scheduled for the 27 April 2023.",
                Some("2023-02-01")
            )
            .as_deref(),
            Some("2023-04-27")
        );
        assert_eq!(
            day(
                "The next meeting was held on 27 April 2022.",
                Some("2023-02-01")
            ),
            None
        );
        assert_eq!(
            day("The meeting ended at 4 pm on 27 April 2023.", None),
            None
        );
    }

    #[test]
    fn words_only_when_no_date_is_honest() {
        assert_eq!(
            due(
                "put to the Director following the meeting",
                Some("2022-11-29")
            ),
            undated("following the meeting")
        );
        assert_eq!(
            due("report back to the next meeting", None),
            undated("to the next meeting")
        );
        assert_eq!(
            due("to a future meeting", None),
            undated("to a future meeting")
        );
        assert_eq!(due("may be provided", Some("2024-01-01")), None);
        assert_eq!(due("nothing here", None), None);
    }
}
