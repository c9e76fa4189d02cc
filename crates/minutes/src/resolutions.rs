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
    /// Where the current paragraph's resolutions start in `list`: the same
    /// words twice in one paragraph are one resolution, in two paragraphs
    /// two ("The committee noted the report." after each item).
    paragraph_start: usize,
    /// Set after a heading that ends open ("Resolved that:") before any of
    /// its parts: the next sentence is its first part however it is worded
    /// ("Councillor C T Jones take the Chair.").
    awaiting_first: bool,
    /// The heading awaiting its first part, counted as one resolution of
    /// its own if no part follows ("the following amendments were
    /// agreed:-" where the list was not kept).
    heading_alone: Option<(String, Option<Outcome>)>,
    /// Set after a part that ends open ("…representatives on the Service
    /// Challenge Groups –"): fragments that follow belong to it.
    part_continues: bool,
    /// Which of `list` were agreed in the course of discussion ("It was
    /// agreed that …") rather than recorded as a resolution. Where the
    /// minutes record resolutions under a heading, these restate what the
    /// resolutions say (or are not decisions) and are not counted, as a
    /// clerk counts them.
    in_discussion: Vec<bool>,
    /// Whether the minutes record resolutions under a heading ("RESOLVED
    /// that …", "It was AGREED that:").
    any_recorded: bool,
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
    pub fn finish(mut self) -> Vec<Resolution> {
        if let Some((text, heading)) = self.heading_alone.take() {
            self.record(std::slice::from_ref(&text), heading);
        }
        if !self.any_recorded {
            return self.list;
        }
        self.list
            .into_iter()
            .zip(self.in_discussion)
            .filter(|(_, informal)| !informal)
            .map(|(r, _)| r)
            .collect()
    }

    /// Reads one paragraph. When it is (part of) a resolution, records it
    /// and returns the text of each resolution it holds, with the token at
    /// which the resolution's sentence starts: the discussion before it (as
    /// in minutes scraped into one paragraph per item) is read as such.
    pub fn paragraph(&mut self, p: &str, toks: &[Tok<'_>]) -> Option<(usize, Vec<String>)> {
        self.paragraph_start = self.list.len();
        let awaiting_first = std::mem::take(&mut self.awaiting_first);
        let heading_alone = self.heading_alone.take();
        let part_continues = std::mem::take(&mut self.part_continues);
        if let Some((k, heading)) = keyword(toks) {
            let mut from = k + 1;
            while toks.get(from).is_some_and(|t| {
                matches!(t.s, ":" | "," | "-" | "–" | "—") || t.is_any(&["that", "unanimously"])
            }) {
                from += 1;
            }
            let items = numbered(p, toks, from);
            let texts: Vec<String> = if items.is_empty() {
                let ends_open = ends_with_colon(toks);
                if from >= toks.len() || ends_open {
                    Vec::new()
                } else {
                    vec![clean(span(p, toks, from, toks.len()))]
                }
            } else {
                items
            };
            self.record(&texts, heading);
            self.any_recorded = true;
            self.open = still_open(toks).then_some(heading);
            self.awaiting_first = texts.is_empty() && self.open.is_some();
            if self.awaiting_first {
                self.heading_alone = Some((clean(p), heading));
            }
            let sentence_start = toks[..k]
                .iter()
                .rposition(|t| matches!(t.s, "." | ";" | "?" | "!"))
                .map_or(0, |e| e + 1);
            return Some((sentence_start, texts));
        }
        let marker = list_marker(p);
        let worded_item = |text: &str| {
            ["to ", "that "].iter().any(|w| {
                text.get(..w.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(w))
            }) || has_be_verb(toks)
        };
        // A numbered heading after the parts ("3. APOLOGIES") is the next
        // agenda item, not a part.
        let heading_like = toks.len() < 5 || !p.chars().any(char::is_lowercase);
        let item_at = match (self.open, marker) {
            (Some(_), Some(m)) if !heading_like || part_continues || awaiting_first => Some(m),
            // After a heading that ends "…resolved:" the parts may follow
            // unnumbered, each worded as a resolution ("To approve the
            // minutes …", "That the chair … be able to …").
            (Some(_), None) if worded_item(p) => Some(0),
            (Some(_), None)
                if awaiting_first
                    && toks.len() >= 4
                    && toks.last().is_some_and(|t| matches!(t.s, "." | ";")) =>
            {
                Some(0)
            }
            _ => None,
        };
        if let (Some(heading), Some(m)) = (self.open, item_at) {
            let text = clean(p.get(m..).unwrap_or(""));
            self.record(std::slice::from_ref(&text), heading);
            // The list stays open after a numbered or bulleted item, one
            // ending ";" or "and", or one worded as a resolution ("To
            // approve …", "That … be …").
            self.open =
                (marker.is_some() || still_open(toks) || worded_item(&text)).then_some(heading);
            self.part_continues = still_open(toks);
            return Some((0, vec![text]));
        }
        if let Some((text, heading)) = heading_alone {
            self.record(std::slice::from_ref(&text), heading);
        }
        // A fragment inside a part ("Community Support Services – Councillor
        // Jeanette Chamberlain-Jones") leaves the list open.
        let fragment =
            toks.len() < 25 && !toks.last().is_some_and(|t| matches!(t.s, "." | "?" | "!"));
        if self.open.is_some() && part_continues && marker.is_none() && fragment {
            self.part_continues = true;
            return None;
        }
        if proposed_and_resolved(toks) {
            self.open = Some(None);
            self.awaiting_first = true;
            return None;
        }
        self.open = carried(toks).then_some(None);
        if let Some(text) = minutes_confirmed(p, toks) {
            self.record(std::slice::from_ref(&text), Some(Outcome::Approved));
            return Some((0, vec![text]));
        }
        // Recorded, but the paragraph is still read for commitments: "The
        // Panel agreed the slides would be circulated" is both.
        if let Some(text) = meeting_decided(p, toks) {
            self.record_as(std::slice::from_ref(&text), None, true);
        } else {
            self.agreed_in_discussion(p, toks);
        }
        let numbered_item = marker.is_some() && !p.starts_with(['-', '–', '—', '•', '·', '*']);
        let that = toks.first().is_some_and(|t| t.s == "That");
        // A numbered "That …" is a part of a decision whatever its verb
        // ("(1) That the Committee prioritises proposed topics …"), as
        // where the page dropped the RESOLVED heading above the parts.
        let numbered_that = numbered_item
            && marker
                .and_then(|m| p.get(m..))
                .is_some_and(|rest| rest.trim_start().starts_with("That "));
        if numbered_that && !has_be_verb(toks) {
            // Recorded, and read for commitments as any sentence is ("…
            // was considered and to be updated for future meetings").
            let text = clean(marker.and_then(|m| p.get(m..)).unwrap_or(p));
            self.record(std::slice::from_ref(&text), None);
            self.open = still_open(toks).then_some(None);
            return None;
        }
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
                self.record_as(std::slice::from_ref(&text), Some(Outcome::Agreed), true);
            }
        }
    }

    fn record(&mut self, texts: &[String], heading: Option<Outcome>) {
        self.record_as(texts, heading, false);
    }

    /// Records `texts`, agreed `in_discussion` or not. The same words twice
    /// in one paragraph are one resolution; in two paragraphs, a long
    /// resolution (40 characters or more, or its start where the text is
    /// cut short) is the same one written out again, as web pages that
    /// give the decision above the minutes do, while a short one ("The
    /// committee noted the report.") recurs item after item.
    fn record_as(&mut self, texts: &[String], heading: Option<Outcome>, in_discussion: bool) {
        for text in texts.iter().filter(|t| !t.is_empty()) {
            if self.is_full() {
                break;
            }
            let key = text.trim_end_matches(" [...TRUNCATED...]");
            let repeated = |r: &Resolution| {
                key.chars().count() >= 40
                    && (r.text.starts_with(key) || key.starts_with(r.text.as_str()))
            };
            if self.list[self.paragraph_start..]
                .iter()
                .any(|r| r.text == *text)
                || self.list[..self.paragraph_start].iter().any(repeated)
            {
                continue;
            }
            self.in_discussion.push(in_discussion);
            self.list.push(Resolution {
                text: text.clone(),
                outcome: heading.unwrap_or_else(|| outcome(text)),
            });
        }
    }
}

/// The resolution keyword in a paragraph and the outcome it implies:
/// "RESOLVED" anywhere, "RECOMMENDED" (recommended), "AGREED" before a colon
/// or "that" or after the meeting ("The Committee AGREED …"), or "Resolved"
/// / "Agreed" opening the paragraph.
fn keyword(toks: &[Tok<'_>]) -> Option<(usize, Option<Outcome>)> {
    let introduces = |k: usize| {
        toks.get(k + 1)
            .is_some_and(|n| matches!(n.s, ":" | "-" | "–") || n.is_any(&["that", "to"]))
    };
    let by_meeting = |k: usize| {
        k >= 1
            && toks[k - 1].is_any(&[
                "was",
                "unanimously",
                "committee",
                "panel",
                "board",
                "cabinet",
                "council",
                "authority",
                "commission",
            ])
    };
    toks.iter().enumerate().find_map(|(k, t)| match t.s {
        "RESOLVED" => Some((k, None)),
        "resolved" if by_meeting(k) && introduces(k) => Some((k, None)),
        "agreed"
            if k >= 1
                && toks[k - 1].is_any(&["was", "were"])
                && k + 1 < toks.len()
                && matches!(toks[k + 1].s, ":") =>
        {
            Some((k, None))
        }
        "RECOMMENDED" => Some((k, Some(Outcome::Recommended))),
        // "The Committee AGREED the decisions be accepted …": in capitals
        // after the meeting, the decision follows with or without "that".
        "AGREED" if introduces(k) || by_meeting(k) => Some((k, None)),
        "Resolved" | "Agreed" if k == 0 && (introduces(k) || ends_with_colon(toks)) => {
            Some((k, None))
        }
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
    // "were agreed as a correct record …" on a line of its own continues a
    // sentence about the minutes the page broke in two.
    let continued = p.starts_with(char::is_lowercase)
        && toks.first().is_some_and(|t| t.is_any(&["were", "was"]));
    let minutes = continued || toks.iter().any(|t| t.is("minutes"));
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

/// Whether a paragraph leaves its list open: it ends with ":", ":-", ";",
/// "," or "and".
fn still_open(toks: &[Tok<'_>]) -> bool {
    ends_with_colon(toks)
        || toks
            .last()
            .is_some_and(|t| matches!(t.s, ";" | "," | "-" | "–" | "—") || t.is("and"))
}

/// Whether a paragraph ends with ":" or ":-" (the parts follow).
fn ends_with_colon(toks: &[Tok<'_>]) -> bool {
    match toks {
        [.., last] if last.s == ":" => true,
        [.., colon, dash] => colon.s == ":" && matches!(dash.s, "-" | "–" | "—"),
        _ => false,
    }
}

/// Whether a paragraph records a motion and introduces its resolution:
/// "On the proposal of Cllr Henning, seconded by the Vice-Chairman, it
/// was:" (the resolution is the next paragraph).
fn proposed_and_resolved(toks: &[Tok<'_>]) -> bool {
    let n = toks.len();
    let it_was = n >= 3 && toks[n - 3].is("it") && toks[n - 2].is("was") && toks[n - 1].s == ":";
    it_was
        && toks
            .iter()
            .any(|t| t.is_any(&["seconded", "proposal", "proposed", "moved"]))
}

/// A short paragraph of one sentence recording what the meeting did with
/// an item: "The committee noted the report.", "The Panel endorsed the
/// recommendations." ("noted that …", which reports discussion, is not
/// one). Like an agreement in discussion, it is not counted where the
/// minutes record resolutions under a heading.
fn meeting_decided(p: &str, toks: &[Tok<'_>]) -> Option<String> {
    const MEETING: &[&str] = &[
        "committee",
        "panel",
        "board",
        "cabinet",
        "council",
        "commission",
        "authority",
        "members",
        "sub-committee",
    ];
    const DONE: &[&str] = &[
        "noted",
        "endorsed",
        "approved",
        "agreed",
        "accepted",
        "adopted",
        "supported",
    ];
    if toks.len() > 40 {
        return None;
    }
    let start = usize::from(toks.first()?.is("the"));
    if !toks.get(start)?.is_any(MEETING) {
        return None;
    }
    let mut k = start + 1;
    while toks
        .get(k)
        .is_some_and(|t| t.is_any(&["then", "unanimously", "duly", "formally"]))
    {
        k += 1;
    }
    let verb = toks.get(k)?;
    let next = toks.get(k + 1)?;
    let one_sentence = toks
        .iter()
        .position(|t| matches!(t.s, "." | "?" | "!"))
        .is_some_and(|e| e + 1 == toks.len());
    (verb.is_any(DONE)
        && !next.is_any(&["that", "to", "by", "with", "as"])
        && next.s != "."
        && one_sentence)
        .then(|| clean(p))
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

    fn texts(text: &str) -> Vec<String> {
        resolve(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn parts_after_an_open_heading_may_be_unnumbered() {
        assert_eq!(
            texts(
                "On the proposal of Cllr Henning, seconded by the Vice-Chairman, it was:\n\n\
                 To approve the minutes of the meeting held on 2 February 2023 as a true record.\n\n\
                 Declarations of interest\n\nTo receive any declarations of interest."
            ),
            ["To approve the minutes of the meeting held on 2 February 2023 as a true record"]
        );
        assert_eq!(
            texts("Resolved that:\n\nCouncillor C T Jones take the Chair.\n\nApologies"),
            ["Councillor C T Jones take the Chair"]
        );
        assert_eq!(
            texts(
                "It was resolved:\n\nTo amend the membership of the panel\n\n\
                 That the chair and vice chair be able to attend."
            ),
            [
                "To amend the membership of the panel",
                "the chair and vice chair be able to attend"
            ]
        );
    }

    #[test]
    fn a_heading_ending_colon_dash_and_a_part_continued_over_lines() {
        assert_eq!(
            texts(
                "RESOLVED: That the Committee:-\n\n(a) notes the information now reported; and\n\n\
                 (b) the following members be appointed –\n\n   Education – Councillor Rhys Thomas\n\n\
                 (c) the Coordinator email all members and the matter be considered at the next meeting."
            )
            .len(),
            3
        );
    }

    #[test]
    fn a_heading_with_no_parts_after_it_counts_once() {
        assert_eq!(
            texts("The following amendments were agreed:-\n\nApologies for absence"),
            ["The following amendments were agreed:-"]
        );
    }

    #[test]
    fn lines_written_one_to_a_paragraph_are_paragraphs() {
        assert_eq!(
            texts(
                "Budget Monitoring Q1\nThe report was presented by the Director.\n\
                 The committee noted the report.\nPerformance Q1\n\
                 The report was presented by the Head of Strategy.\nThe committee noted the report.\n"
            ),
            [
                "The committee noted the report",
                "The committee noted the report"
            ]
        );
    }

    #[test]
    fn a_long_resolution_written_out_again_counts_once() {
        let decision = "RESOLVED that the Part 1 minutes of the meeting held on 28 September 2022 be \
                        approved as a true record.";
        assert_eq!(
            texts(&format!("{decision}\n\nMinutes:\n\n{decision}")).len(),
            1
        );
    }

    #[test]
    fn agreements_in_discussion_count_only_where_no_resolution_is_recorded() {
        let discussion =
            "It was agreed that the working group would develop a reporting mechanism.";
        assert_eq!(texts(discussion).len(), 1);
        assert_eq!(
            texts(&format!(
                "{discussion}\n\nRESOLVED that the working group develop a summary reporting mechanism."
            )),
            ["the working group develop a summary reporting mechanism"]
        );
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

    #[test]
    fn numbered_parts_worded_that_count_each_without_a_heading() {
        let found = resolve(
            "(1)    That the Committee prioritises proposed topics for the work programme.\n\n\
             (2)   That the Committee, having considered the Forward Plan, suggests a list of items.\n\n\
             (3)   That the Action Plan Extract was considered and to be updated for future meetings.\n\n\
             REASON FOR DECISION: To allow the Committee to set a work programme.",
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("the Committee prioritises proposed topics"),
            "{found:?}"
        );
    }

    #[test]
    fn minutes_confirmed_on_a_line_of_their_own_count() {
        let found = resolve(
            "·         The minutes of the meeting held on Thursday 9 June 2022\n\n\
             were agreed as a correct record and signed by the Chairman",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "approved");
    }

    #[test]
    fn agreed_in_capitals_after_the_committee_is_a_decision() {
        let found = resolve(
            "Consideration was given to the decisions of the Meeting held on 14th March, 2024.\n\n\
             The Committee AGREED the decisions be accepted as a true record of proceedings.\n\n\
             The Committee AGREED that the report be accepted and the information therein be noted.",
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
