//! Who spoke: members who asked, officers who answered, and the questions
//! that pair them.
//!
//! A question starts at a sentence that introduces an asker ("a Co-opted
//! Member noted", "Councillor Smith asked", "In response to a question from
//! a Member") and runs, sentence by sentence, through the answer ("The
//! Director of Adult Social Care advised that …") until the next asker or
//! the end of the paragraph. A paragraph where an officer answers with no
//! asker named ("With regards to …, the Director said that …") is a
//! question whose asker the minutes do not give.

use std::ops::Range;

use crate::Question;
use crate::mentions::{RefAt, first_ref_in, last_ref_before};
use crate::text::{Tok, span};

/// Verbs an officer answers with, in the minutes' reported speech.
pub(crate) const REPLY_VERBS: &[&str] = &[
    "acknowledged",
    "added",
    "advised",
    "agreed",
    "answered",
    "assured",
    "clarified",
    "commented",
    "confirmed",
    "emphasised",
    "emphasized",
    "explained",
    "highlighted",
    "indicated",
    "informed",
    "noted",
    "offered",
    "outlined",
    "promised",
    "reassured",
    "replied",
    "reported",
    "responded",
    "said",
    "stated",
    "suggested",
    "told",
    "undertook",
];

/// Verbs a member raises a point with.
const ASKING_VERBS: &[&str] = &[
    "added",
    "asked",
    "challenged",
    "commented",
    "considered",
    "drew",
    "emphasised",
    "enquired",
    "expressed",
    "felt",
    "highlighted",
    "inquired",
    "noted",
    "observed",
    "pointed",
    "praised",
    "proposed",
    "queried",
    "questioned",
    "raised",
    "referred",
    "remarked",
    "requested",
    "said",
    "sought",
    "stated",
    "suggested",
    "thanked",
    "was",
    "welcomed",
    "wished",
    "wondered",
];

/// Words that may sit between a speaker and the verb: "the Director also said".
const ADVERBS: &[&str] = &[
    "also",
    "further",
    "then",
    "again",
    "additionally",
    "subsequently",
];

/// Capitalised words that open a sentence or clause rather than name a role.
const NOT_ROLE_WORDS: &[&str] = &[
    "a",
    "also",
    "although",
    "an",
    "and",
    "another",
    "as",
    "at",
    "following",
    "for",
    "he",
    "however",
    "if",
    "in",
    "it",
    "on",
    "regarding",
    "she",
    "that",
    "the",
    "these",
    "they",
    "this",
    "those",
    "we",
    "when",
    "whilst",
    "while",
    "with",
];

/// Words of which a role title has at least one: "Director", "Head", ….
const ROLE_HEADS: &[&str] = &[
    "accountant",
    "adviser",
    "advisor",
    "analyst",
    "assistant",
    "auditor",
    "chair",
    "chamberlain",
    "champion",
    "chairman",
    "chief",
    "clerk",
    "cllr",
    "commissioner",
    "consultant",
    "controller",
    "co-ordinator",
    "coordinator",
    "councillor",
    "deputy",
    "director",
    "directors",
    "engineer",
    "group",
    "head",
    "headteacher",
    "holder",
    "inspector",
    "lead",
    "leader",
    "manager",
    "managers",
    "officer",
    "officers",
    "planner",
    "practitioner",
    "principal",
    "secretary",
    "solicitor",
    "sc",
    "specialist",
    "superintendent",
    "treasurer",
];

/// Nouns that make "In response to …" about a question.
const QUESTION_NOUNS: &[&str] = &[
    "question",
    "questions",
    "query",
    "queries",
    "comment",
    "comments",
    "concern",
    "concerns",
    "point",
    "points",
    "enquiry",
    "enquiries",
];

/// The longest role title looked at, in tokens.
const MAX_ROLE_TOKENS: usize = 16;

/// Someone who speaks in a sentence: their role or name as written and the
/// tokens where it starts and where the verb is.
#[derive(Debug, Clone)]
pub(crate) struct Speaker {
    /// The role or name as written, e.g. "Director of Adult Social Care".
    pub text: String,
    /// The first token of the role, after any "the".
    pub first: usize,
    /// The verb token.
    pub verb: usize,
}

/// The questions of one paragraph, and who is speaking at each sentence.
#[derive(Debug, Default)]
pub(crate) struct Talk {
    /// The questions, in order.
    pub questions: Vec<Question>,
    /// The officer answering in each sentence, if one is named there.
    pub speakers: Vec<Option<Speaker>>,
    /// Who is speaking at each sentence: the officer named in it, else the
    /// one answering the question it belongs to, else the last named.
    pub context: Vec<Option<String>>,
}

/// A question being put together, sentence by sentence.
struct Building {
    asker: Option<String>,
    responder: Option<String>,
    sentences: Range<usize>,
    asks: bool,
}

/// Finds the questions of a paragraph.
pub(crate) fn questions(
    p: &str,
    toks: &[Tok<'_>],
    sentences: &[Range<usize>],
    refs: &[RefAt],
) -> Talk {
    let mut talk = Talk::default();
    let mut current: Option<Building> = None;
    let mut last_responder: Option<String> = None;
    for (si, r) in sentences.iter().enumerate() {
        let asker = asker(p, toks, r.clone());
        let response = in_response(p, toks, r.clone());
        let speaker = responder(p, toks, r.clone(), asker.as_deref());
        let starts = asker.is_some() || response.is_some();
        if starts
            && current.as_ref().is_some_and(|c| c.responder.is_some())
            && let Some(done) = current.take()
        {
            talk.questions
                .extend(finish(p, toks, sentences, refs, done));
        }
        if current.is_none() && (starts || speaker.is_some()) {
            current = Some(Building {
                asker: None,
                responder: None,
                sentences: si..si + 1,
                asks: false,
            });
        }
        if let Some(c) = current.as_mut() {
            c.sentences.end = si + 1;
            if c.asker.is_none() {
                c.asker = response.clone().flatten().or(asker);
            }
            c.asks |= response.is_some() || asks(toks, r.clone());
            if c.responder.is_none() {
                c.responder = speaker.as_ref().map(|s| s.text.clone());
            }
        }
        if let Some(s) = &speaker {
            last_responder = Some(s.text.clone());
        }
        let context = speaker
            .as_ref()
            .map(|s| s.text.clone())
            .or_else(|| current.as_ref().and_then(|c| c.responder.clone()))
            .or_else(|| last_responder.clone());
        talk.context.push(context);
        talk.speakers.push(speaker);
    }
    if let Some(done) = current.take() {
        talk.questions
            .extend(finish(p, toks, sentences, refs, done));
    }
    talk
}

fn finish(
    p: &str,
    toks: &[Tok<'_>],
    sentences: &[Range<usize>],
    refs: &[RefAt],
    b: Building,
) -> Option<Question> {
    if b.responder.is_none() && !(b.asker.is_some() && b.asks) {
        return None;
    }
    let from = sentences.get(b.sentences.start)?.start;
    let to = sentences.get(b.sentences.end.checked_sub(1)?)?.end;
    let action_ref = first_ref_in(refs, from..to).or_else(|| last_ref_before(refs, from));
    Some(Question {
        asker: b.asker,
        responder: b.responder,
        action_ref,
        text: span(p, toks, from, to).to_owned(),
    })
}

/// Whether the sentence asks something.
fn asks(toks: &[Tok<'_>], r: Range<usize>) -> bool {
    let within = toks.get(r).unwrap_or(&[]);
    within.iter().enumerate().any(|(i, t)| {
        t.is_any(&[
            "asked",
            "enquired",
            "inquired",
            "questioned",
            "queried",
            "?",
        ]) || (t.is("sought") && within.get(i + 1).is_some_and(|n| n.is("clarification")))
    })
}

/// The member a sentence introduces as raising a point: "a Member noted",
/// "another Co-opted Member asked", "Councillor Smith enquired".
fn asker(p: &str, toks: &[Tok<'_>], r: Range<usize>) -> Option<String> {
    for k in r.clone() {
        let Some((name, mut after)) = asker_phrase(p, toks, k) else {
            continue;
        };
        while toks.get(after).is_some_and(|t| t.is_any(ADVERBS)) {
            after += 1;
        }
        let verb = toks.get(after).filter(|_| after < r.end);
        if verb.is_some_and(|v| ASKING_VERBS.contains(&v.s)) {
            return Some(name);
        }
    }
    None
}

/// A member named at token `k`, normalised ("Member", "Co-opted Member",
/// "Members") or as written for a councillor or the chair, and the token
/// after the phrase.
fn asker_phrase(p: &str, toks: &[Tok<'_>], k: usize) -> Option<(String, usize)> {
    let t = toks.get(k)?;
    if !t.s.starts_with(['m', 'M', 'C', 'V', 'D']) {
        return None;
    }
    let before = k.checked_sub(1).and_then(|i| toks.get(i));
    let lower = t.s.to_lowercase();
    let possessive = lower == "member’s" || lower == "member's";
    if lower == "member" || lower == "members" || possessive {
        if before.is_some_and(|b| b.is_any(&["cabinet", "lead", "executive", "portfolio"])) {
            return None;
        }
        let coopted = before.is_some_and(|b| b.is_any(&["co-opted", "coopted", "co‐opted"]));
        let mut after = k + 1;
        let of_the = |i: usize| {
            toks.get(i).is_some_and(|t| t.is("of")) && toks.get(i + 1).is_some_and(|t| t.is("the"))
        };
        if of_the(after)
            && toks.get(after + 2).is_some_and(|t| {
                t.is_any(&["committee", "panel", "sub-committee", "board", "commission"])
            })
        {
            after += 3;
        } else if of_the(after) && toks.get(after + 2).is_some_and(|t| t.is("public")) {
            return Some(("Member of the public".to_owned(), after + 3));
        }
        let name = if lower == "members" {
            "Members"
        } else if coopted {
            "Co-opted Member"
        } else {
            "Member"
        };
        return Some((name.to_owned(), after));
    }
    // "Councillor Smith", and co-opted members or members of the public
    // named with an honorific: "Mrs Cole", "Dr A. Jones".
    if matches!(
        t.s,
        "Councillor" | "Cllr" | "Mr" | "Mrs" | "Ms" | "Miss" | "Mx" | "Dr"
    ) {
        let mut j = k + 1;
        if toks.get(j).is_some_and(|n| n.s == ".") {
            j += 1;
        }
        let name_from = j;
        while j < name_from + 3
            && toks
                .get(j)
                .is_some_and(|n| n.is_word() && n.is_capitalised())
        {
            j += 1;
        }
        return (j > name_from).then(|| (span(p, toks, k, j).to_owned(), j));
    }
    let chair = [
        "Chairman",
        "Chair",
        "Chairwoman",
        "Chairperson",
        "Vice-Chairman",
        "Vice-Chair",
    ];
    if chair.contains(&t.s) {
        let from = if before.is_some_and(|b| b.s == "Vice") {
            k - 1
        } else {
            k
        };
        let det = from
            .checked_sub(1)
            .and_then(|i| toks.get(i))
            .is_some_and(|d| d.is("the"));
        return det.then(|| (span(p, toks, from, k + 1).to_owned(), k + 1));
    }
    None
}

/// Whether the sentence answers a question: "In response to a question (from
/// X)". The inner value is the asker when the minutes name one.
fn in_response(p: &str, toks: &[Tok<'_>], r: Range<usize>) -> Option<Option<String>> {
    for k in r.clone() {
        let at = |i: usize| toks.get(i).filter(|_| i < r.end);
        if !(toks[k].is("in")
            && at(k + 1).is_some_and(|t| t.is("response"))
            && at(k + 2).is_some_and(|t| t.is("to")))
        {
            continue;
        }
        let noun = (k + 3..k + 7).find(|&i| at(i).is_some_and(|t| t.is_any(QUESTION_NOUNS)))?;
        let named = (k + 3..noun)
            .chain(noun + 2..noun + 6)
            .filter(|&i| i < r.end)
            .filter(|&i| i < noun || at(noun + 1).is_some_and(|t| t.is_any(&["from", "by"])))
            .find_map(|i| asker_phrase(p, toks, i))
            .map(|(name, _)| name);
        return Some(named);
    }
    None
}

/// The first officer in the sentence who answers: a role title or name
/// followed by a reply verb ("the Assistant Director for Integrated
/// Commissioning advised"). `not` is a name already taken as the asker.
pub(crate) fn responder(
    p: &str,
    toks: &[Tok<'_>],
    r: Range<usize>,
    not: Option<&str>,
) -> Option<Speaker> {
    for v in r.clone() {
        let t = toks[v];
        if !REPLY_VERBS.contains(&t.s) {
            continue;
        }
        let passive = v > r.start
            && toks[v - 1].is_any(&["be", "been", "being", "was", "were", "is", "are", "had"]);
        if passive {
            continue;
        }
        if let Some(s) = role_before(p, toks, r.start, v)
            && Some(s.text.as_str()) != not
        {
            return Some(s);
        }
    }
    None
}

/// The role title or name that ends just before the verb at `verb`, not
/// reaching back before token `floor`.
pub(crate) fn role_before(p: &str, toks: &[Tok<'_>], floor: usize, verb: usize) -> Option<Speaker> {
    let mut end = verb;
    if end > floor && toks[end - 1].is_any(ADVERBS) {
        end -= 1;
    }
    let last = toks.get(end.checked_sub(1)?)?;
    if end <= floor || !is_role_word(last) {
        return None;
    }
    let mut first = end - 1;
    let mut j = end - 1;
    while j > floor && end - j < MAX_ROLE_TOKENS {
        let prev = toks[j - 1];
        let before_prev = j.checked_sub(2).filter(|&i| i >= floor).map(|i| toks[i]);
        if is_role_word(&prev) {
            first = j - 1;
        } else if !(prev.is_any(&["of", "for", "and", "&"])
            || (prev.s == "," && before_prev.is_some_and(|b| is_role_word(&b)))
            || (prev.is("the") && before_prev.is_some_and(|b| b.is_any(&["of", "for"]))))
        {
            break;
        }
        j -= 1;
    }
    let words = &toks[first..end];
    let head = words.iter().any(|w| w.is_any(ROLE_HEADS))
        || (words.len() >= 2 && words.iter().any(|w| w.is("holder") || w.is("member")));
    let last_is_body = last.is_any(&["member", "members", "committee", "council"])
        && !words
            .iter()
            .any(|w| w.is_any(&["cabinet", "lead", "executive", "portfolio"]));
    if !head || last_is_body {
        return None;
    }
    Some(Speaker {
        text: span(p, toks, first, end).to_owned(),
        first,
        verb,
    })
}

fn is_role_word(t: &Tok<'_>) -> bool {
    t.is_word() && t.is_capitalised() && !t.is_any(NOT_ROLE_WORDS) || t.is("officers")
}

/// A role title starting at token `from` and running over capitalised words
/// and connectors ("Head of Finance"), with the token after it; only when it
/// has a role word.
pub(crate) fn role_after(
    p: &str,
    toks: &[Tok<'_>],
    from: usize,
    limit: usize,
) -> Option<(String, usize)> {
    let mut j = from;
    let mut end = from;
    while j < limit && j - from < MAX_ROLE_TOKENS {
        let t = toks.get(j)?;
        if is_role_word(t) {
            j += 1;
            end = j;
        } else if t.is_any(&["of", "for", "and", "&", "the"]) || t.s == "," {
            j += 1;
        } else {
            break;
        }
    }
    let words = toks.get(from..end)?;
    (!words.is_empty() && words.iter().any(|w| w.is_any(ROLE_HEADS)))
        .then(|| (span(p, toks, from, end).to_owned(), end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{sentences, tokenize};

    fn talk(p: &str) -> Vec<(Option<String>, Option<String>, String)> {
        let toks = tokenize(p);
        let s = sentences(&toks);
        questions(p, &toks, &s, &[])
            .questions
            .into_iter()
            .map(|q| (q.asker, q.responder, q.text))
            .collect()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn pairs_askers_and_responders() {
        let got = talk(
            "A Member noted that the venues were closing. In response to questions, the Assistant \
             Director for Strategy, Performance and Corporate Transformation advised that support \
             continued. In response to a question from another Co-opted Member, the Head of the \
             Virtual School said that it did. Councillor Jane Smith asked why. The Portfolio Holder \
             for Children replied that it was so.",
        );
        assert_eq!(
            got,
            [
                (
                    some("Member"),
                    some(
                        "Assistant Director for Strategy, Performance and Corporate Transformation"
                    ),
                    "A Member noted that the venues were closing. In response to questions, the \
                     Assistant Director for Strategy, Performance and Corporate Transformation \
                     advised that support continued."
                        .to_owned()
                ),
                (
                    some("Co-opted Member"),
                    some("Head of the Virtual School"),
                    "In response to a question from another Co-opted Member, the Head of the \
                     Virtual School said that it did."
                        .to_owned()
                ),
                (
                    some("Councillor Jane Smith"),
                    some("Portfolio Holder for Children"),
                    "Councillor Jane Smith asked why. The Portfolio Holder for Children replied \
                     that it was so."
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn an_answer_without_an_asker_and_a_question_without_an_answer() {
        let got = talk("In response to a question, the Director of Housing confirmed the figure.");
        assert_eq!(got[0].0, None);
        assert_eq!(got[0].1, some("Director of Housing"));
        let got = talk("A Member asked whether the scheme would continue.");
        assert_eq!(
            got[0],
            (
                some("Member"),
                None,
                "A Member asked whether the scheme would continue.".to_owned()
            )
        );
        assert!(
            talk("A Member welcomed the report. The Committee noted the report. It was said.")
                .is_empty()
        );
    }
}
