//! Things named in passing: report references, reporting periods and plan
//! years, ambitions and plan actions.

use std::collections::{HashMap, HashSet};

use domain::{ActionRef, FinancialYear, Half};

use crate::text::{Tok, span};
use crate::{ActionMention, Period};

/// The longest action title taken, in tokens.
const MAX_TITLE_TOKENS: usize = 60;

/// An action reference mentioned in a paragraph, and the token it is at.
#[derive(Debug, Clone)]
pub(crate) struct RefAt {
    /// The index of the "Action" token (or "Ambition" when it comes first).
    pub tok: usize,
    /// The reference.
    pub action: ActionRef,
}

/// The last action mentioned before token `before`, if any. `refs` is in
/// token order, as [`Mentions::scan`] returns it.
pub(crate) fn last_ref_before(refs: &[RefAt], before: usize) -> Option<ActionRef> {
    let n = refs.partition_point(|r| r.tok < before);
    n.checked_sub(1)
        .and_then(|i| refs.get(i))
        .map(|r| r.action.clone())
}

/// The first action mentioned in tokens `within`, if any.
pub(crate) fn first_ref_in(refs: &[RefAt], within: std::ops::Range<usize>) -> Option<ActionRef> {
    let n = refs.partition_point(|r| r.tok < within.start);
    refs.get(n)
        .filter(|r| r.tok < within.end)
        .map(|r| r.action.clone())
}

/// Mentions found so far in the document, each once, in order of first
/// mention.
#[derive(Debug, Default)]
pub(crate) struct Mentions {
    reports: Vec<String>,
    reports_seen: HashSet<String>,
    periods: Vec<Period>,
    periods_seen: HashSet<(FinancialYear, Option<Half>)>,
    ambitions: Vec<u32>,
    actions: Vec<ActionMention>,
    actions_seen: HashMap<ActionRef, usize>,
}

impl Mentions {
    /// Records what paragraph `p` mentions and returns its action
    /// references, in token order.
    pub fn scan(&mut self, p: &str, toks: &[Tok<'_>]) -> Vec<RefAt> {
        let mut refs = Vec::new();
        for k in 0..toks.len() {
            self.report_at(toks, k);
            self.period_at(p, toks, k);
            self.ambitions_at(toks, k);
            if let Some(r) = self.action_at(p, toks, k) {
                refs.push(r);
            } else {
                self.code_at(toks, k);
            }
        }
        refs.sort_by_key(|r| r.tok);
        refs
    }

    /// Reports, periods (plan years only where no half of that year was
    /// found), ambitions and actions.
    pub fn finish(self) -> (Vec<String>, Vec<Period>, Vec<u32>, Vec<ActionMention>) {
        let halves: HashSet<FinancialYear> = self
            .periods
            .iter()
            .filter(|p| p.half.is_some())
            .map(|p| p.year)
            .collect();
        let periods = self
            .periods
            .into_iter()
            .filter(|p| p.half.is_some() || !halves.contains(&p.year))
            .collect();
        (self.reports, periods, self.ambitions, self.actions)
    }

    fn report_at(&mut self, toks: &[Tok<'_>], k: usize) {
        let t = toks[k];
        let code = if is_report_code(t.s) {
            Some(t.s)
        } else if t.is("report") {
            let mut j = k + 1;
            while toks
                .get(j)
                .is_some_and(|n| n.is_any(&["no", "number", "ref", "reference", ".", ":"]))
            {
                j += 1;
            }
            toks.get(j)
                .filter(|n| is_loose_report_code(n.s))
                .map(|n| n.s)
        } else {
            None
        };
        if let Some(code) = code
            && self.reports_seen.insert(code.to_owned())
        {
            self.reports.push(code.to_owned());
        }
    }

    fn period_at(&mut self, p: &str, toks: &[Tok<'_>], k: usize) {
        let t = toks[k];
        if let Some(year) = financial_year(t.s) {
            let (half, from, to) = half_around(toks, k).unwrap_or((None, k, k + 1));
            self.add_period(year, half, span(p, toks, from, to));
        } else if let Some((year, half, from, to)) = calendar_quarter(toks, k) {
            self.add_period(year, Some(half), span(p, toks, from, to));
        }
    }

    fn add_period(&mut self, year: FinancialYear, half: Option<Half>, text: &str) {
        if self.periods_seen.insert((year, half)) {
            self.periods.push(Period {
                year,
                half,
                text: text.to_owned(),
            });
        }
    }

    fn ambitions_at(&mut self, toks: &[Tok<'_>], k: usize) {
        let t = toks[k];
        let plural = t.is("ambitions");
        if !plural && !t.is("ambition") {
            return;
        }
        let mut j = k + 1;
        while let Some(n) = toks.get(j) {
            if let Some(number) = ambition_number(n.s) {
                if !self.ambitions.contains(&number) {
                    self.ambitions.push(number);
                }
                if !plural {
                    break;
                }
            } else if !(plural && (n.s == "," || n.s == "&" || n.is("and"))) {
                break;
            }
            j += 1;
        }
    }

    fn action_at(&mut self, p: &str, toks: &[Tok<'_>], k: usize) -> Option<RefAt> {
        let t = toks[k];
        if !t.is("action") {
            return None;
        }
        let pointed = toks.get(k + 1).is_some_and(|n| n.is("point"));
        let at = if pointed { k + 2 } else { k + 1 };
        // Statement references ("Action 10A") only: other schemes' codes
        // are not yet told apart from words ("Action Plan").
        let action: ActionRef = domain::ReferenceScheme::Statement
            .parse_action(toks.get(at)?.s)
            .ok()?;
        let ambition = (k >= 3
            && (toks[k - 1].is_dash() || toks[k - 1].s == ",")
            && toks[k - 3].is("ambition"))
        .then(|| ambition_number(toks[k - 2].s))
        .flatten();
        let first = if ambition.is_some() { k - 3 } else { k };
        let sep = toks.get(at + 1);
        if !pointed && !(t.s == "Action" && (ambition.is_some() || sep.is_some_and(is_title_sep))) {
            return None;
        }
        let in_brackets = first > 0 && toks[first - 1].s == "(";
        let titled = sep.is_some_and(|s| is_title_sep(s) && !(in_brackets && s.s == ")"));
        let title = titled.then(|| title_at(p, toks, at + 2)).flatten();
        self.add_action(ambition, action.clone(), title);
        Some(RefAt { tok: first, action })
    }

    /// A code of an action, indicator or recommendation in a scheme other
    /// than the statement one: "CP2.3.1", "12-ENV03", "HSG02", "A6/23", or a
    /// number after "KPI", "PI", "Indicator" or "Recommendation" ("KPI 11",
    /// "Recommendation 3"). Recorded as mentioned, not linked to a sentence.
    fn code_at(&mut self, toks: &[Tok<'_>], k: usize) {
        let t = toks[k];
        let keyword = t.is_any(&["kpi", "pi", "indicator", "recommendation"])
            && t.is_capitalised()
            && toks
                .get(k + 1)
                .is_some_and(|n| n.is_number() && n.s.len() <= 3 || looks_like_code(n.s));
        let code = if keyword {
            format!("{} {}", t.s, toks[k + 1].s)
        } else if looks_like_code(t.s)
            && !self.reports_seen.contains(t.s)
            && !(k > 0 && toks[k - 1].is_any(&["kpi", "pi", "indicator", "recommendation"]))
        {
            t.s.to_owned()
        } else {
            return;
        };
        if let Ok(action) = code.parse::<ActionRef>() {
            self.add_action(None, action, None);
        }
    }

    fn add_action(&mut self, ambition: Option<u32>, action: ActionRef, title: Option<String>) {
        match self.actions_seen.get(&action) {
            Some(&i) => {
                if let Some(known) = self.actions.get_mut(i) {
                    known.ambition = known.ambition.or(ambition);
                    if known.title.is_none() {
                        known.title = title;
                    }
                }
            }
            None => {
                self.actions_seen.insert(action.clone(), self.actions.len());
                self.actions.push(ActionMention {
                    ambition,
                    action,
                    title,
                });
            }
        }
    }
}

fn is_title_sep(t: &Tok<'_>) -> bool {
    t.s == ":" || t.s == ")" || t.is_dash()
}

/// The action title starting at token `from`: capitalised, up to the next
/// comma, semicolon, full stop or bracket.
fn title_at(p: &str, toks: &[Tok<'_>], from: usize) -> Option<String> {
    let first = toks.get(from)?;
    if !first.is_capitalised() {
        return None;
    }
    let mut to = from;
    while let Some(t) = toks.get(to) {
        if to - from >= MAX_TITLE_TOKENS || matches!(t.s, "," | ";" | "." | "(" | "?" | "!") {
            break;
        }
        to += 1;
    }
    let title = span(p, toks, from, to).trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// An ambition's number: 1 to 99.
fn ambition_number(s: &str) -> Option<u32> {
    if s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n > 0)
}

/// A token shaped like a financial year ("2022/23", "2023-24", "2022-2023").
pub(crate) fn financial_year(s: &str) -> Option<FinancialYear> {
    let starts_with_year = s.len() >= 7 && s.bytes().take(4).all(|b| b.is_ascii_digit());
    if !starts_with_year || s.chars().count() > 9 {
        return None;
    }
    s.parse().ok()
}

/// The half of the year said around the financial year at token `k`, and
/// the tokens that say it: "first half of (the) 2022/23", "first six months
/// of 2022/23", "H2 2023/24", "2022/23 Q2".
fn half_around(toks: &[Tok<'_>], k: usize) -> Option<(Option<Half>, usize, usize)> {
    let word = |i: usize| toks.get(i).map(|t| t.s.to_ascii_lowercase());
    let half_word = |s: &str| match s {
        "h1" | "q2" => Some(Half::H1),
        "h2" | "q4" => Some(Half::H2),
        _ => None,
    };
    if let Some(h) = word(k + 1).as_deref().and_then(half_word) {
        return Some((Some(h), k, k + 2));
    }
    let before = k.checked_sub(1)?;
    if let Some(h) = word(before).as_deref().and_then(half_word) {
        return Some((Some(h), before, k + 1));
    }
    let mut of = before;
    if word(of).as_deref() == Some("the") {
        of = of.checked_sub(1)?;
    }
    if word(of).as_deref() != Some("of") {
        return None;
    }
    let at = |back: usize| of.checked_sub(back).and_then(word);
    match (at(2).as_deref(), at(1).as_deref()) {
        (Some("first"), Some("half")) => Some((Some(Half::H1), of - 2, k + 1)),
        (Some("second" | "last"), Some("half")) => Some((Some(Half::H2), of - 2, k + 1)),
        (Some("six"), Some("months")) => match at(3).as_deref() {
            Some("first") => Some((Some(Half::H1), of - 3, k + 1)),
            Some("second" | "last") => Some((Some(Half::H2), of - 3, k + 1)),
            _ => None,
        },
        _ => None,
    }
}

/// A calendar year with a quarter ("2022 Q2", "Q4 2023"): the Q2 update is
/// the first half of the financial year that starts that year; Q4 (January
/// to March) closes the financial year that started the year before.
fn calendar_quarter(toks: &[Tok<'_>], k: usize) -> Option<(FinancialYear, Half, usize, usize)> {
    let t = toks[k];
    if t.s.len() != 4 || !t.is_number() {
        return None;
    }
    let year: i32 = t.s.parse().ok()?;
    let quarter = |i: usize| match toks.get(i).map(|q| q.s.to_ascii_lowercase()).as_deref() {
        Some("q2") => Some(Half::H1),
        Some("q4") => Some(Half::H2),
        _ => None,
    };
    let (half, from, to) = match quarter(k + 1) {
        Some(h) => (h, k, k + 2),
        None => (quarter(k.checked_sub(1)?)?, k - 1, k + 1),
    };
    let start = if half == Half::H1 { year } else { year - 1 };
    Some((FinancialYear::starting(start).ok()?, half, from, to))
}

/// A committee report reference: capital letters, two digits, a dash or
/// slash and more digits ("ACH22-038", "CSD24/012").
/// Words that look like codes but are not plan codes.
const NOT_CODES: &[&str] = &[
    "COVID-19", "COVID19", "CO2", "NO2", "PM10", "PM2.5", "S106", "WW2", "A4", "A3", "A5", "B4",
    "M25", "M1", "M6", "4G", "5G", "3G", "G7", "G20", "P1", "P2", "Y1", "Y2",
];

/// Whether a word looks like a plan code of a scheme other than the
/// statement one: upper-case letters and digits, with `.`, `/` or `-`
/// between parts, starting with two or more letters ("HSG02", "CP2.3.1"),
/// a letter and a separated part ("A6/23"), or digits, a hyphen and a
/// lettered part ("12-ENV03"); not a report reference, a quarter or half.
fn looks_like_code(s: &str) -> bool {
    let b = s.as_bytes();
    if !(2..=20).contains(&b.len())
        || !b.iter().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, b'.' | b'/' | b'-')
        })
        || !b.iter().any(u8::is_ascii_digit)
        || !b.iter().any(u8::is_ascii_uppercase)
        || is_report_code(s)
        || NOT_CODES.contains(&s)
    {
        return false;
    }
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let separated = b.iter().any(|c| matches!(c, b'.' | b'/' | b'-'));
    if letters >= 2 {
        b[letters].is_ascii_digit() && letters <= 5
    } else if letters == 1 {
        separated && b[1].is_ascii_digit() && !matches!(b[0], b'Q' | b'H')
    } else {
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        b.get(digits) == Some(&b'-') && b.get(digits + 1).is_some_and(u8::is_ascii_uppercase)
    }
}

fn is_report_code(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    let rest = &s.as_bytes()[letters..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let tail = &rest[digits..];
    (2..=6).contains(&letters)
        && digits == 2
        && tail.len() >= 3
        && matches!(tail[0], b'-' | b'/')
        && tail[1..].iter().all(u8::is_ascii_digit)
        && tail.len() <= 5
}

/// A looser reference, accepted after the word "Report": capital letters
/// then at least two digits ("CSD23045", "FSD24-12").
fn is_loose_report_code(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    let rest = &s.as_bytes()[letters..];
    (2..=6).contains(&letters)
        && rest.iter().filter(|b| b.is_ascii_digit()).count() >= 2
        && rest.first().is_some_and(u8::is_ascii_digit)
        && rest
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || matches!(b, b'-' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn scan(p: &str) -> (Vec<String>, Vec<Period>, Vec<u32>, Vec<ActionMention>) {
        let mut m = Mentions::default();
        m.scan(p, &tokenize(p));
        m.finish()
    }

    #[test]
    fn report_references() {
        let (reports, ..) = scan(
            "Report ACH22-038 and report no. CSD23045, then (FSD24/012); not COVID-19, 2022-23 or Report 2023.",
        );
        assert_eq!(reports, ["ACH22-038", "CSD23045", "FSD24/012"]);
    }

    #[test]
    fn periods_and_plan_years() {
        let (_, periods, ..) = scan(
            "the second half of the 2023-24 Portfolio Plan and the Plan for 2024-25; \
             in the second half of 2023-24; Making Bromley Even Better 2021-2031",
        );
        let shown: Vec<(String, Option<Half>, &str)> = periods
            .iter()
            .map(|p| (p.year.to_string(), p.half, p.text.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "2023/24".into(),
                    Some(Half::H2),
                    "second half of the 2023-24"
                ),
                ("2024/25".into(), None, "2024-25"),
            ]
        );
        let (_, periods, ..) = scan(
            "ACH PORTFOLIO PLAN 2022 Q2 UPDATE, the first six months of 2022/23, H2 2023/24, 2023 Q4",
        );
        let shown: Vec<String> = periods
            .iter()
            .map(|p| format!("{} {:?} {}", p.year, p.half, p.text))
            .collect();
        assert_eq!(
            shown,
            [
                "2022/23 Some(H1) 2022 Q2",
                "2023/24 Some(H2) H2 2023/24",
                "2022/23 Some(H2) 2023 Q4",
            ]
        );
    }

    #[test]
    fn ambitions_and_actions() {
        let (_, _, ambitions, actions) = scan(
            "Ambitions 2, 4 and 5. With regards to Ambition 2 – Action Point 10A: Develop a new \
             support offer, a Member noted. (Ambition 2 - Action Point 11) and Action Point 6A) \
             Promote opportunities, and Action 3B — Improve roads; the action plan; Action Point 10A.",
        );
        assert_eq!(ambitions, [2, 4, 5]);
        let shown: Vec<String> = actions
            .iter()
            .map(|a| format!("{:?} {} {:?}", a.ambition, a.action, a.title))
            .collect();
        assert_eq!(
            shown,
            [
                "Some(2) 10A Some(\"Develop a new support offer\")",
                "Some(2) 11 None",
                "None 6A Some(\"Promote opportunities\")",
                "None 3B Some(\"Improve roads\")",
            ]
        );
    }
}

#[cfg(test)]
mod code_tests {
    use super::looks_like_code;

    #[test]
    fn codes_of_many_schemes_and_words_that_are_not() {
        for code in [
            "CP2.3.1",
            "12-ENV03",
            "HSG02",
            "PH7",
            "A6/23",
            "CP1.1.4MO2",
            "ICT01",
            "SC18",
        ] {
            assert!(looks_like_code(code), "{code}");
        }
        for word in [
            "COVID-19",
            "Q2",
            "H1",
            "A6",
            "ACH22-038",
            "2023/24",
            "NHS",
            "PDF",
            "10A",
        ] {
            assert!(!looks_like_code(word), "{word}");
        }
    }
}
