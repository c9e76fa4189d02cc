//! Resolutions: what the committee decided.
//!
//! Found in three forms:
//!
//! - a paragraph with "RESOLVED" (or "RECOMMENDED", "AGREED"): "RESOLVED
//!   that the progress … be noted." is one resolution; numbered parts, inline
//!   ("RESOLVED: That (1) … be agreed; (2) …") or on the lines that follow
//!   ("RESOLVED that:" then "1. …", "2. …"), are one each;
//! - numbered items with no heading, as some minutes end: "i.) … be noted;
//!   and," "ii.) … be noted." (a list item that says "be noted", "be
//!   agreed", …);
//! - a paragraph "That … be noted."
//!
//! The outcome comes from the verb, the one after "be" first ("the work
//! programme be agreed, subject to one item being deferred" is agreed):
//! noted (or received), agreed (or endorsed, supported), approved (or
//! adopted), recommended (and everything under "RECOMMENDED"), deferred;
//! anything else is "other".

use crate::text::{Tok, list_marker, roman, span};
use crate::{Outcome, Resolution};

/// Words that make a resolution's outcome, with the outcome.
const VERBS: &[(&str, Outcome)] = &[
    ("note", Outcome::Noted),
    ("notes", Outcome::Noted),
    ("noted", Outcome::Noted),
    ("noting", Outcome::Noted),
    ("received", Outcome::Noted),
    ("agree", Outcome::Agreed),
    ("agrees", Outcome::Agreed),
    ("agreed", Outcome::Agreed),
    ("endorse", Outcome::Agreed),
    ("endorses", Outcome::Agreed),
    ("endorsed", Outcome::Agreed),
    ("supported", Outcome::Agreed),
    ("approve", Outcome::Approved),
    ("approves", Outcome::Approved),
    ("approved", Outcome::Approved),
    ("adopt", Outcome::Approved),
    ("adopts", Outcome::Approved),
    ("adopted", Outcome::Approved),
    ("ratified", Outcome::Approved),
];

const RECOMMEND: &[&str] = &["recommend", "recommends", "recommended", "recommending"];
const DEFER: &[&str] = &["defer", "defers", "deferred", "postponed", "adjourned"];

/// Resolutions found so far, and whether a list of them is open.
#[derive(Debug, Default)]
pub(crate) struct Resolutions {
    list: Vec<Resolution>,
    /// Set while the items of a RESOLVED list may follow, with the outcome
    /// its heading implies ("RECOMMENDED" gives recommended).
    open: Option<Option<Outcome>>,
    /// The most to keep; none keeps them all.
    max: Option<usize>,
}

impl Resolutions {
    /// None found yet, keeping at most `max` (all when none).
    pub fn with_max(max: Option<usize>) -> Self {
        Self {
            max,
            ..Self::default()
        }
    }

    /// The resolutions, in order.
    pub fn finish(self) -> Vec<Resolution> {
        self.list
    }

    /// Reads one paragraph. When it is (part of) a resolution, records it
    /// and returns the text of each resolution it holds, with the token at
    /// which the resolution's sentence starts: the discussion before it (as
    /// in minutes scraped into one paragraph per item) is read as such.
    pub fn paragraph(&mut self, p: &str, toks: &[Tok<'_>]) -> Option<(usize, Vec<String>)> {
        if let Some((k, heading)) = keyword(toks) {
            let mut from = k + 1;
            while toks.get(from).is_some_and(|t| {
                matches!(t.s, ":" | "," | "-" | "–" | "—") || t.is_any(&["that", "unanimously"])
            }) {
                from += 1;
            }
            let items = numbered(p, toks, from);
            let texts: Vec<String> = if items.is_empty() {
                let ends_open = toks.last().is_some_and(|t| t.s == ":");
                if from >= toks.len() || ends_open {
                    Vec::new()
                } else {
                    vec![clean(span(p, toks, from, toks.len()))]
                }
            } else {
                items
            };
            self.record(&texts, heading);
            self.open = still_open(toks).then_some(heading);
            let sentence_start = toks[..k]
                .iter()
                .rposition(|t| matches!(t.s, "." | ";" | "?" | "!"))
                .map_or(0, |e| e + 1);
            return Some((sentence_start, texts));
        }
        let marker = list_marker(p);
        if let (Some(heading), Some(m)) = (self.open, marker) {
            let text = clean(p.get(m..).unwrap_or(""));
            self.record(std::slice::from_ref(&text), heading);
            // The list stays open after an item ending ";" or "and", or one
            // worded as a resolution ("To approve …", "That … be …").
            let worded = ["to ", "that "].iter().any(|w| {
                text.get(..w.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(w))
            });
            self.open = (still_open(toks) || worded).then_some(heading);
            return Some((0, vec![text]));
        }
        self.open = carried(toks).then_some(None);
        if let Some(text) = minutes_confirmed(p, toks) {
            self.record(std::slice::from_ref(&text), Some(Outcome::Approved));
            return Some((0, vec![text]));
        }
        self.agreed_in_discussion(p, toks);
        let numbered_item = marker.is_some() && !p.starts_with(['-', '–', '—', '•', '·', '*']);
        let that = toks.first().is_some_and(|t| t.s == "That");
        if (numbered_item || that) && has_be_verb(toks) {
            let body = match marker {
                Some(m) => p.get(m..).unwrap_or(""),
                None => p,
            };
            let text = clean(body);
            self.record(std::slice::from_ref(&text), None);
            self.open = still_open(toks).then_some(None);
            return Some((0, vec![text]));
        }
        None
    }

    /// Whether the most to keep have been found.
    pub fn is_full(&self) -> bool {
        self.max.is_some_and(|m| self.list.len() >= m)
    }

    /// Records each "It was agreed that …" (or "The Panel agreed to …") of a
    /// paragraph of discussion as a resolution; the paragraph is read for
    /// commitments as well, so nothing is returned.
    fn agreed_in_discussion(&mut self, p: &str, toks: &[Tok<'_>]) {
        for (k, w) in toks.windows(2).enumerate() {
            let agreed = w[0].is("agreed") && w[1].is_any(&["that", "to"]);
            let by_meeting = k >= 1
                && (toks[k - 1].is_any(&["was", "were"])
                    && k >= 2
                    && toks[k - 2].is_any(&["it", "and", "was"])
                    || toks[k - 1].is_any(&[
                        "committee",
                        "panel",
                        "board",
                        "members",
                        "commission",
                        "authority",
                        "cabinet",
                        "group",
                        "forum",
                        "council",
                        "unanimously",
                    ]));
            if agreed && by_meeting {
                let end = toks[k..]
                    .iter()
                    .position(|t| matches!(t.s, "." | ";"))
                    .map_or(toks.len(), |e| k + e);
                let text = clean(span(p, toks, k + 2, end));
                self.record(std::slice::from_ref(&text), Some(Outcome::Agreed));
            }
        }
    }

    fn record(&mut self, texts: &[String], heading: Option<Outcome>) {
        for text in texts.iter().filter(|t| !t.is_empty()) {
            if self.is_full() {
                break;
            }
            if self.list.iter().any(|r| r.text == *text) {
                continue;
            }
            self.list.push(Resolution {
                text: text.clone(),
                outcome: heading.unwrap_or_else(|| outcome(text)),
            });
        }
    }
}

/// The resolution keyword in a paragraph and the outcome it implies:
/// "RESOLVED" anywhere, "RECOMMENDED" (recommended), "AGREED" before a colon
/// or "that", or "Resolved" / "Agreed" opening the paragraph.
fn keyword(toks: &[Tok<'_>]) -> Option<(usize, Option<Outcome>)> {
    let introduces = |k: usize| {
        toks.get(k + 1)
            .is_some_and(|n| matches!(n.s, ":" | "-" | "–") || n.is_any(&["that", "to"]))
    };
    toks.iter().enumerate().find_map(|(k, t)| match t.s {
        "RESOLVED" => Some((k, None)),
        "RECOMMENDED" => Some((k, Some(Outcome::Recommended))),
        "AGREED" if introduces(k) => Some((k, None)),
        "Resolved" | "Agreed" if k == 0 && introduces(k) => Some((k, None)),
        _ => None,
    })
}

/// Whether a paragraph says a motion was carried ("The recommendation … was
/// moved, seconded, voted on and carried"), after which its points follow
/// as a list.
fn carried(toks: &[Tok<'_>]) -> bool {
    toks.iter().any(|t| t.is("carried"))
        && toks.iter().any(|t| {
            t.is_any(&[
                "moved",
                "seconded",
                "vote",
                "voted",
                "motion",
                "recommendation",
            ])
        })
}

/// The text of a paragraph that confirms the minutes of a meeting ("The
/// minutes of the meeting held on … were agreed as a correct record").
fn minutes_confirmed(p: &str, toks: &[Tok<'_>]) -> Option<String> {
    let correct_record = toks
        .windows(2)
        .any(|w| w[0].is_any(&["correct", "true", "accurate"]) && w[1].is("record"));
    let minutes = toks.iter().any(|t| t.is("minutes"));
    let decided = toks.iter().any(|t| {
        t.is_any(&[
            "agreed",
            "approved",
            "confirmed",
            "signed",
            "accepted",
            "adopted",
        ])
    });
    (correct_record && minutes && decided).then(|| clean(p))
}

/// Whether a paragraph leaves its list open: it ends with ":", ";", "," or
/// "and".
fn still_open(toks: &[Tok<'_>]) -> bool {
    toks.last()
        .is_some_and(|t| matches!(t.s, ":" | ";" | ",") || t.is("and"))
}

/// Whether the paragraph says "be noted", "be agreed" and the like.
fn has_be_verb(toks: &[Tok<'_>]) -> bool {
    toks.windows(2).any(|w| {
        w[0].is("be")
            && (VERBS.iter().any(|(v, _)| w[1].is(v))
                || w[1].is_any(RECOMMEND)
                || w[1].is_any(DEFER))
    })
}

/// The outcome a resolution's words give: the verb after "be" ("be
/// noted"), else any "recommend", else the first outcome verb, else other.
fn outcome(text: &str) -> Outcome {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let verb = |w: &str| {
        if RECOMMEND.iter().any(|l| w.eq_ignore_ascii_case(l)) {
            Some(Outcome::Recommended)
        } else if DEFER.iter().any(|l| w.eq_ignore_ascii_case(l)) {
            Some(Outcome::Deferred)
        } else {
            VERBS
                .iter()
                .find(|(v, _)| w.eq_ignore_ascii_case(v))
                .map(|(_, o)| *o)
        }
    };
    let after_be = words.windows(2).find_map(|w| {
        w[0].eq_ignore_ascii_case("be")
            .then(|| verb(w[1]))
            .flatten()
    });
    if let Some(o) = after_be {
        return o;
    }
    if words.iter().any(|w| verb(w) == Some(Outcome::Recommended)) {
        return Outcome::Recommended;
    }
    words.iter().find_map(|w| verb(w)).unwrap_or(Outcome::Other)
}

/// How a list item is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    Digits,
    Letters,
    Roman,
}

/// The value of a list id in a numbering: "3" is 3, "c" is 3, "iii" is 3.
fn ordinal(id: &str, numbering: Numbering) -> Option<u32> {
    match numbering {
        Numbering::Digits => (id.len() <= 2 && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| id.parse().ok())
            .flatten(),
        Numbering::Letters => {
            let mut b = id.bytes();
            match (b.next(), b.next()) {
                (Some(c), None) if c.is_ascii_lowercase() => Some(u32::from(c - b'a') + 1),
                _ => None,
            }
        }
        Numbering::Roman => roman(id),
    }
}

/// An inline list marker at token `k`: "(1)", "(a)", "(ii)", or after a
/// semicolon, colon or the start, "1.", "2)", "ii.)". Returns the id and
/// the token after the marker.
fn marker_at<'a>(toks: &[Tok<'a>], k: usize, from: usize) -> Option<(&'a str, usize)> {
    let t = toks.get(k)?;
    if t.s == "(" {
        let id = toks.get(k + 1)?;
        return (toks.get(k + 2)?.s == ")").then_some((id.s, k + 3));
    }
    let at_start = k == from
        || toks
            .get(k.checked_sub(1)?)
            .is_some_and(|p| matches!(p.s, ";" | ":") || p.is("and"));
    if !at_start || !t.is_word() {
        return None;
    }
    let n1 = toks.get(k + 1)?;
    let n2 = toks.get(k + 2);
    match (n1.s, n2.map(|n| n.s)) {
        (".", Some(")")) => Some((t.s, k + 3)),
        (")", _) => Some((t.s, k + 2)),
        (".", _) if t.is_number() => Some((t.s, k + 2)),
        _ => None,
    }
}

/// The numbered parts of a resolution from token `from`: "(1) … (2) …"
/// in sequence, each part's text cleaned. Empty when there are none.
fn numbered(p: &str, toks: &[Tok<'_>], from: usize) -> Vec<String> {
    let Some((first_id, _)) = marker_at(toks, from, from) else {
        return Vec::new();
    };
    let numbering = match first_id {
        "1" => Numbering::Digits,
        "a" => Numbering::Letters,
        "i" => Numbering::Roman,
        _ => return Vec::new(),
    };
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut expected = 1;
    for k in from..toks.len() {
        if let Some((id, after)) = marker_at(toks, k, from)
            && ordinal(id, numbering) == Some(expected)
        {
            marks.push((k, after));
            expected += 1;
        }
    }
    marks
        .iter()
        .enumerate()
        .map(|(i, &(_, after))| {
            let end = marks.get(i + 1).map_or(toks.len(), |&(next, _)| next);
            clean(span(p, toks, after, end))
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// A resolution's text without "that", its list punctuation or a closing
/// "and".
fn clean(text: &str) -> String {
    let mut t = text.trim();
    for prefix in ["that ", "That "] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
        }
    }
    for _ in 0..4 {
        let before = t;
        t = t.trim_end_matches([';', ',', '.', ':', ' ']);
        if let Some(rest) = t.strip_suffix(" and") {
            t = rest;
        }
        if t == before {
            break;
        }
    }
    t.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{paragraphs, tokenize};

    fn resolve(text: &str) -> Vec<(String, &'static str)> {
        let mut r = Resolutions::default();
        for p in paragraphs(text) {
            r.paragraph(&p, &tokenize(&p));
        }
        r.finish()
            .into_iter()
            .map(|r| (r.text, r.outcome.as_str()))
            .collect()
    }

    fn own(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|(t, o)| ((*t).to_owned(), *o)).collect()
    }

    #[test]
    fn a_single_resolution() {
        assert_eq!(
            resolve("RESOLVED that the progress on the actions (Appendix 1) be noted."),
            own(&[("the progress on the actions (Appendix 1) be noted", "noted")])
        );
    }

    #[test]
    fn inline_and_following_numbered_parts() {
        assert_eq!(
            resolve(
                "RESOLVED: That (1) the report be noted; (2) the plan be agreed; and (3) the \
                 Executive be recommended to approve the budget."
            ),
            own(&[
                ("the report be noted", "noted"),
                ("the plan be agreed", "agreed"),
                (
                    "the Executive be recommended to approve the budget",
                    "recommended"
                ),
            ])
        );
        assert_eq!(
            resolve(
                "RESOLVED that:\n1. the minutes be approved;\n2. the item be deferred.\n3. APOLOGIES"
            ),
            own(&[
                ("the minutes be approved", "approved"),
                ("the item be deferred", "deferred")
            ])
        );
        assert_eq!(
            resolve("RECOMMENDED to the Executive that the strategy be adopted."),
            own(&[(
                "to the Executive that the strategy be adopted",
                "recommended"
            )])
        );
    }

    #[test]
    fn items_with_no_heading() {
        assert_eq!(
            resolve(
                "i.)  the progress on the actions – Appendix 1 be noted; and,\n\n\nii.)  the refresh \
                 of the Portfolio Plan for 2024/25 – Appendix 2, be noted.\n\nSupporting documents:"
            ),
            own(&[
                ("the progress on the actions – Appendix 1 be noted", "noted"),
                (
                    "the refresh of the Portfolio Plan for 2024/25 – Appendix 2, be noted",
                    "noted"
                ),
            ])
        );
        assert_eq!(
            resolve("That the report be received."),
            own(&[("the report be received", "noted")])
        );
        assert_eq!(
            resolve(
                "RESOLVED that the work programme be agreed, subject to one item being deferred."
            ),
            own(&[(
                "the work programme be agreed, subject to one item being deferred",
                "agreed"
            )])
        );
        assert_eq!(
            resolve("The Committee RESOLVED to note the report."),
            own(&[("to note the report", "noted")])
        );
        assert!(resolve("- the plan would be agreed later\n1. We noted it").is_empty());
    }
}
