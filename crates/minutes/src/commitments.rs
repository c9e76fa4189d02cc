//! Commitments: promises made to the committee or its members that someone
//! must deliver later.
//!
//! The rule: a clause in the future of reported speech ("would", "will",
//! "shall") or an undertaking ("undertook to", "agreed to", "offered to")
//! is a commitment when it is directed at the committee, that is when
//!
//! - it delivers something (provided, presented, brought, submitted,
//!   circulated, reported, …) to the Committee, its Members, the Chairman or
//!   a meeting ("would be brought to the Committee in March 2023"), or
//! - it delivers a report, response, briefing, update, figures or the like
//!   to no one else ("a written response would be provided"), or
//! - it is a report back, a return to the committee or a circulation, or
//! - it is an undertaking, or follows "It was agreed that".
//!
//! "An ambassador programme would be developed" and "ongoing support would
//! be provided" (to organisations) are not. "ACTION:" lines are always
//! commitments, and a resolution asking for a report back is one too.
//!
//! The text runs from the subject of the first promising clause to the end of
//! the chain of clauses joined to it ("this question would be put to the
//! Director of Education following the meeting, and a written response would
//! be provided"). The owner is the subject when it is a role or name ("the
//! Head of Finance would circulate …"), else whoever "by" names, else the
//! officer speaking.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;
use domain::ActionRef;

use crate::Commitment;
use crate::cues;
use crate::dates::due_in;
use crate::mentions::{RefAt, last_ref_before};
use crate::model::Model;
use crate::speech::{REPLY_VERBS, Talk, role_after, role_before};
use crate::text::{Tok, span, tokenize};

const MODALS: &[&str] = &["would", "will", "shall"];

/// Verbs that, followed by "to", undertake something.
const PROMISE_VERBS: &[&str] = &["undertook", "agreed", "offered", "promised"];

/// Past participles that deliver something to someone.
const DELIVERED: &[&str] = &[
    "brought",
    "circulated",
    "distributed",
    "e-mailed",
    "emailed",
    "forwarded",
    "given",
    "issued",
    "presented",
    "provided",
    "reported",
    "sent",
    "shared",
    "submitted",
    "supplied",
    "tabled",
];

/// Past participles that arrange something for the committee, in a
/// resolution ("be scheduled", "be added to the work programme").
const ARRANGED: &[&str] = &[
    "added",
    "arranged",
    "organised",
    "organized",
    "programmed",
    "scheduled",
];

/// What a resolution arranges for the committee.
const ARRANGED_ITEMS: &[&str] = &[
    "briefing",
    "briefings",
    "item",
    "presentation",
    "report",
    "seminar",
    "session",
    "update",
    "visit",
    "workshop",
];

/// Past participles that keep the committee informed, when the committee is
/// their subject ("Members would be updated").
const INFORMED: &[&str] = &["advised", "briefed", "informed", "notified", "updated"];

/// Base verbs that deliver something to someone.
const DELIVER: &[&str] = &[
    "bring",
    "brief",
    "circulate",
    "come",
    "distribute",
    "email",
    "feed",
    "forward",
    "give",
    "present",
    "provide",
    "report",
    "return",
    "send",
    "share",
    "submit",
    "supply",
    "update",
    "write",
];

/// Words for the committee and its meetings, as a recipient.
pub(crate) const COMMITTEE: &[&str] = &[
    "board",
    "chair",
    "chairman",
    "commission",
    "committee",
    "committees",
    "councillor",
    "councillors",
    "forum",
    "meeting",
    "member",
    "members",
    "panel",
    "scrutiny",
    "sub-committee",
];

/// Things delivered to a committee.
pub(crate) const DELIVERABLES: &[&str] = &[
    "analysis",
    "answer",
    "answers",
    "breakdown",
    "briefing",
    "briefings",
    "copies",
    "copy",
    "data",
    "details",
    "figures",
    "information",
    "item",
    "list",
    "note",
    "paper",
    "papers",
    "presentation",
    "replies",
    "reply",
    "report",
    "reports",
    "response",
    "responses",
    "statistics",
    "summary",
    "update",
    "updates",
];

/// Recipients outside the committee.
pub(crate) const PUBLIC: &[&str] = &[
    "businesses",
    "carers",
    "children",
    "clients",
    "customers",
    "families",
    "organisations",
    "parents",
    "partners",
    "patients",
    "people",
    "providers",
    "public",
    "residents",
    "schools",
    "staff",
    "tenants",
    "users",
];

/// Words that open a new clause.
const CONJUNCTIONS: &[&str] = &[
    "although", "because", "but", "however", "if", "once", "so", "that", "though", "unless",
    "when", "whereas", "whilst", "while",
];

/// Words after "and" that start a new clause ("…, and a report would …").
const CLAUSE_OPENERS: &[&str] = &[
    "a", "an", "all", "any", "further", "he", "her", "his", "it", "more", "officers", "she",
    "that", "the", "their", "there", "these", "they", "this", "those", "we",
];

/// Finite verbs that make a clause a statement of its own.
const FINITE: &[&str] = &["was", "were", "had", "has", "is", "are", "did"];

const ADVERBS: &[&str] = &[
    "also",
    "then",
    "further",
    "now",
    "shortly",
    "subsequently",
    "additionally",
    "again",
];

/// The cue shown for an "ACTION:" line.
const ACTION_CUE: &str = "an ACTION line";

/// The most clauses after a promise that are taken as part of it.
const MAX_TRAILING_CLAUSES: usize = 3;

/// The longest text before "to" in an "ACTION:" line taken as its owner.
const MAX_ACTION_OWNER_TOKENS: usize = 10;

/// What separates a clause from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Start,
    Comma,
    Stop,
    And,
    Word,
    Verb(usize),
}

/// A clause: tokens `from..to` and what came before it.
#[derive(Debug, Clone, Copy)]
struct Seg {
    from: usize,
    to: usize,
    bound: Bound,
}

/// How a clause promises.
#[derive(Debug, Clone, Copy)]
enum Promise {
    /// "would be provided": the participle's token.
    Passive { modal: usize, verb: usize },
    /// "would circulate": the verb's token.
    Active { modal: usize, verb: usize },
    /// "undertook to …": the promising verb's token.
    Undertaking { verb: usize },
}

/// The actions a paragraph mentions, and the last one the paragraph before
/// it mentioned (which an "ACTION:" line on its own follows).
#[derive(Debug, Clone)]
pub(crate) struct Refs<'a> {
    /// This paragraph's action references.
    pub here: &'a [RefAt],
    /// The last action of the paragraph before.
    pub earlier: Option<ActionRef>,
}

/// Commitments found so far.
#[derive(Debug, Default)]
pub(crate) struct Commitments {
    list: Vec<Commitment>,
    seen: HashSet<String>,
    paragraph: usize,
    last_paragraph: Option<usize>,
    /// The most to keep; none keeps them all.
    max: Option<usize>,
    /// Keep every candidate, with its features, whatever its confidence.
    all_candidates: bool,
}

impl Commitments {
    /// None found yet, keeping at most `max` (all when none).
    pub fn with_max(max: Option<usize>, all_candidates: bool) -> Self {
        Self {
            max,
            all_candidates,
            ..Self::default()
        }
    }

    /// The commitments, in order.
    pub fn finish(self) -> Vec<Commitment> {
        self.list
    }

    /// Whether the most to keep have been found.
    pub fn is_full(&self) -> bool {
        self.max.is_some_and(|m| self.list.len() >= m)
    }

    fn push(&mut self, c: Commitment) {
        if !self.is_full() && !c.text.is_empty() && self.seen.insert(c.text.clone()) {
            self.list.push(c);
            self.last_paragraph = Some(self.paragraph);
        }
    }

    /// Weighs a candidate's features and keeps it when it is confident
    /// enough (or when every candidate is kept). Explicit forms (an
    /// "ACTION:" line, a resolution asking for a report) are not weighed:
    /// they carry their `fixed` confidence.
    fn propose(&mut self, mut c: Commitment, features: &[&'static str]) {
        let model = Model::built_in();
        let fixed = features.iter().find_map(|f| match *f {
            "cue:action_line" => Some(0.95),
            "cue:resolution" => Some(0.9),
            _ => None,
        });
        let confidence = fixed.unwrap_or_else(|| model.confidence(features));
        c.confidence = (confidence * 100.0).round() / 100.0;
        if self.all_candidates {
            c.features = features.iter().map(|f| (*f).to_owned()).collect();
        } else if c.confidence < model.threshold {
            return;
        }
        self.push(c);
    }

    /// Finds the commitments of one paragraph of discussion.
    pub fn paragraph(
        &mut self,
        p: &str,
        toks: &[Tok<'_>],
        sentences: &[Range<usize>],
        talk: &Talk,
        refs: Refs<'_>,
        meeting: Option<NaiveDate>,
    ) {
        let Refs {
            here: refs,
            earlier,
        } = refs;
        self.paragraph += 1;
        let list_item = crate::text::list_marker(p).is_some();
        for (si, r) in sentences.iter().enumerate() {
            let context = talk.context.get(si).cloned().flatten();
            let action = last_ref_before(refs, r.end);
            let line_action = action.clone().or(earlier.clone());
            if self.action_line(p, toks, sentences, si, line_action, meeting) {
                continue;
            }
            let speaker_start = talk.speakers.get(si).and_then(Option::as_ref);
            let strict = strict_promise(p, toks, r.clone(), speaker_start);
            let candidate = cues::candidate(p, toks, r.clone(), list_item);
            if strict.is_none() && candidate.is_none() {
                continue;
            }
            let (mut features, cue, cue_at) = match &candidate {
                Some(c) => (c.features.clone(), c.cue.clone(), c.at),
                None => (vec!["bias"], String::new(), r.start),
            };
            let (cue, owner, text_from) = match strict {
                Some((from, owner, strict_cue)) => {
                    features.push("strict");
                    let from = if cue_at < from { r.start } else { from };
                    (if cue.is_empty() { strict_cue } else { cue }, owner, from)
                }
                None => (cue, None, r.start),
            };
            let owner = owner
                .or_else(|| subject_role(p, toks, r.start, cue_at))
                .or_else(|| subject_before(p, toks, r.start, cue_at))
                .or_else(|| named_before(p, toks, r.start, cue_at))
                .or(context)
                .or_else(|| named_before(p, toks, 0, r.start));
            if owner.is_some() {
                features.push("owner");
            }
            let due = due_in(p, toks, r.start, r.end, meeting);
            match &due {
                Some(d) if d.date.is_some() => features.push("due:date"),
                Some(_) => features.push("due:words"),
                None => {}
            }
            let text = trim_clause(span(p, toks, text_from, r.end));
            self.propose(
                Commitment {
                    text,
                    owner,
                    due,
                    action_ref: action,
                    cue,
                    confidence: 0.0,
                    features: Vec::new(),
                },
                &features,
            );
        }
    }

    /// Handles an "ACTION:" sentence; returns whether the sentence was one.
    fn action_line(
        &mut self,
        p: &str,
        toks: &[Tok<'_>],
        sentences: &[Range<usize>],
        si: usize,
        action: Option<ActionRef>,
        meeting: Option<NaiveDate>,
    ) -> bool {
        let Some(r) = sentences.get(si) else {
            return false;
        };
        let Some(head) = toks.get(r.start) else {
            return false;
        };
        let colon = toks.get(r.start + 1).is_some_and(|t| t.s == ":");
        if !(head.s == "ACTION" || head.s == "ACTIONS" || (head.s == "Action" && colon)) {
            return false;
        }
        let mut c = r.start + 1;
        while toks.get(c).is_some_and(|t| t.s == ":" || t.is_dash()) && c < r.end {
            c += 1;
        }
        let mut end = r.end;
        while end > c && matches!(toks[end - 1].s, "." | ";") {
            end -= 1;
        }
        if c >= end {
            return true;
        }
        let to = (c..end).find(|&k| toks[k].is("to"));
        let body = span(p, toks, c, end).to_owned();
        match to {
            Some(t) => {
                let start = if toks[c].is("the") { c + 1 } else { c };
                let owner = (t > start && t - start <= MAX_ACTION_OWNER_TOKENS)
                    .then(|| span(p, toks, start, t).trim_end_matches(',').to_owned());
                self.propose(
                    Commitment {
                        text: body,
                        owner,
                        due: due_in(p, toks, c, end, meeting),
                        action_ref: action,
                        cue: ACTION_CUE.to_owned(),
                        confidence: 0.0,
                        features: Vec::new(),
                    },
                    &["bias", "cue:action_line", "owner"],
                );
            }
            None if end - c <= MAX_ACTION_OWNER_TOKENS => {
                let recent = self
                    .last_paragraph
                    .is_some_and(|lp| lp + 1 >= self.paragraph);
                match self.list.last_mut() {
                    Some(last) if recent => last.owner = Some(body),
                    _ => {
                        if let Some(prev) = si.checked_sub(1).and_then(|i| sentences.get(i)) {
                            let text = trim_clause(span(p, toks, prev.start, prev.end));
                            self.propose(
                                Commitment {
                                    text,
                                    owner: Some(body),
                                    due: due_in(p, toks, prev.start, prev.end, meeting),
                                    action_ref: action,
                                    cue: ACTION_CUE.to_owned(),
                                    confidence: 0.0,
                                    features: Vec::new(),
                                },
                                &["bias", "cue:action_line", "owner"],
                            );
                        }
                    }
                }
            }
            None => self.propose(
                Commitment {
                    text: body,
                    owner: None,
                    due: due_in(p, toks, c, end, meeting),
                    action_ref: action,
                    cue: ACTION_CUE.to_owned(),
                    confidence: 0.0,
                    features: Vec::new(),
                },
                &["bias", "cue:action_line"],
            ),
        }
        true
    }

    /// Finds a commitment in one resolution: one that asks for a report
    /// back, a report to a later meeting, or a circulation.
    pub fn resolution(
        &mut self,
        item: &str,
        action: Option<ActionRef>,
        meeting: Option<NaiveDate>,
    ) {
        self.paragraph += 1;
        let toks = tokenize(item);
        let n = toks.len();
        for k in 0..n {
            let t = toks[k];
            let next = |i: usize| toks.get(i).is_some_and(|t| t.is("back"));
            let mut arranged = false;
            let (verb, owner) = if t.is("be") {
                let mut v = k + 1;
                while toks.get(v).is_some_and(|t| t.is_any(ADVERBS)) {
                    v += 1;
                }
                match toks.get(v) {
                    Some(p) if p.is_any(DELIVERED) => (v, by_role(item, &toks, v + 1, n)),
                    // "Awen Trust Member Briefing be scheduled early in the
                    // new year": a briefing, report or item arranged for
                    // the committee.
                    Some(p)
                        if p.is_any(ARRANGED)
                            && toks.iter().any(|t| t.is_any(ARRANGED_ITEMS))
                            && !to_another_body(&toks) =>
                    {
                        arranged = true;
                        (v, by_role(item, &toks, v + 1, n))
                    }
                    _ => continue,
                }
            } else if (t.is_any(&["report", "come", "feed"]) && next(k + 1)) || t.is("circulate") {
                (
                    k,
                    subject_role(item, &toks, 0, k).or_else(|| subject_before(item, &toks, 0, k)),
                )
            } else {
                continue;
            };
            // Who is to do it, when the resolution names them before the
            // verb: "the Scrutiny Coordinator email all members …",
            // "requests the Policy and Improvement Officer to … report back".
            let owner = owner
                .or_else(|| named_before(item, &toks, 0, verb))
                .or_else(|| plain_group_before(item, &toks, verb));
            if arranged || delivers_to_committee(&toks, 0, n, verb) {
                let text = trim_clause(item);
                self.propose(
                    Commitment {
                        text,
                        owner,
                        due: due_in(item, &toks, 0, n, meeting),
                        action_ref: action,
                        cue: "a resolution asking for it".to_owned(),
                        confidence: 0.0,
                        features: Vec::new(),
                    },
                    &["bias", "cue:resolution"],
                );
                return;
            }
        }
    }
}

/// The first promise the strict rule finds in sentence `r`: where its text
/// starts, its owner when the rule names one, and the words that cue it.
fn strict_promise(
    p: &str,
    toks: &[Tok<'_>],
    r: Range<usize>,
    speaker_start: Option<&crate::speech::Speaker>,
) -> Option<(usize, Option<String>, String)> {
    let segs = clauses(toks, r.clone());
    let agreed = toks[r.clone()]
        .windows(2)
        .any(|w| w[0].is("agreed") && w[1].is("that"));
    let mut i = 0;
    while i < segs.len() {
        let Some(found) = promising_run(toks, &segs, i, agreed) else {
            i += 1;
            continue;
        };
        if !found.qualifies {
            i = found.promising_end;
            continue;
        }
        let run = found.segs;
        let mut owner = None;
        let mut text_from = segs[run.start].from;
        let mut cue = String::new();
        for seg in &segs[run.clone()] {
            let promised = promise(toks, seg);
            if cue.is_empty() {
                cue = match promised {
                    Some(Promise::Undertaking { verb }) => span(p, toks, verb, verb + 2).to_owned(),
                    Some(Promise::Active { modal, verb } | Promise::Passive { modal, verb }) => {
                        span(p, toks, modal, verb + 1).to_owned()
                    }
                    None => String::new(),
                };
            }
            match promised {
                Some(Promise::Undertaking { verb }) => {
                    if let Some(s) = speaker_start.filter(|s| s.verb == verb) {
                        owner = Some(s.text.clone());
                        text_from = text_from.min(with_article(toks, s.first));
                    }
                }
                Some(Promise::Active { modal, .. }) => {
                    owner = owner
                        .or_else(|| subject_role(p, toks, seg.from, modal))
                        .or_else(|| subject_before(p, toks, seg.from, modal));
                }
                Some(Promise::Passive { verb, .. }) => {
                    owner = owner.or_else(|| by_role(p, toks, verb + 1, seg.to));
                }
                None => {}
            }
            if owner.is_some() {
                break;
            }
        }
        return Some((text_from, owner, cue));
    }
    None
}

/// Splits a sentence into clauses at commas, semicolons, "that", reply verbs
/// ("said", "advised"), conjunctions and a clause-opening "and" (not one
/// joining two names: "the Chairman and the Climate Change Manager").
fn clauses(toks: &[Tok<'_>], r: Range<usize>) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut bound = Bound::Start;
    let mut from = r.start;
    for k in r.clone() {
        let t = toks[k];
        let after = toks.get(k + 1).filter(|_| k + 1 < r.end);
        let passive = k > r.start
            && toks[k - 1].is_any(&["be", "been", "being", "was", "were", "is", "are", "had"]);
        let this = match t.s {
            "," => Some(Bound::Comma),
            ";" | ":" | "." | "?" | "!" => Some(Bound::Stop),
            _ if t.is_any(CONJUNCTIONS) => Some(Bound::Word),
            _ if t.is("and")
                && after.is_some_and(|a| a.is_any(CLAUSE_OPENERS))
                && !(k > r.start && toks[k - 1].is_capitalised()) =>
            {
                Some(Bound::And)
            }
            _ if REPLY_VERBS.contains(&t.s) && !passive => Some(Bound::Verb(k)),
            _ => None,
        };
        if let Some(b) = this {
            if k > from {
                segs.push(Seg { from, to: k, bound });
            }
            bound = b;
            from = k + 1;
        }
    }
    if r.end > from {
        segs.push(Seg {
            from,
            to: r.end,
            bound,
        });
    }
    segs
}

/// How clause `seg` promises something, if it does.
fn promise(toks: &[Tok<'_>], seg: &Seg) -> Option<Promise> {
    if let Bound::Verb(v) = seg.bound
        && toks[v].is_any(PROMISE_VERBS)
        && toks.get(seg.from).is_some_and(|t| t.is("to"))
    {
        return Some(Promise::Undertaking { verb: v });
    }
    for m in seg.from..seg.to {
        if !toks[m].is_any(MODALS) && !toks[m].is("should") {
            continue;
        }
        let mut v = m + 1;
        while v < seg.to && toks[v].is_any(ADVERBS) {
            v += 1;
        }
        if v >= seg.to {
            return None;
        }
        if toks[v].is("be") {
            let mut part = v + 1;
            while part < seg.to && toks[part].is_any(ADVERBS) {
                part += 1;
            }
            return (part < seg.to).then_some(Promise::Passive {
                modal: m,
                verb: part,
            });
        }
        return Some(Promise::Active { modal: m, verb: v });
    }
    None
}

/// A chain of promising clauses and what follows it.
struct Run {
    /// The clauses of the commitment, trailing ones included.
    segs: Range<usize>,
    /// The index after the last promising clause.
    promising_end: usize,
    /// Whether the chain is a commitment.
    qualifies: bool,
}

/// The run of clauses starting at clause `i`, if clause `i` promises
/// something: the chain of promising clauses joined by commas or "and", and
/// up to [`MAX_TRAILING_CLAUSES`] comma-joined clauses after it that add to
/// it ("…, setting out the options"). Each clause is read a bounded number
/// of times, so a sentence of any length costs linear time.
fn promising_run(toks: &[Tok<'_>], segs: &[Seg], i: usize, agreed: bool) -> Option<Run> {
    promise(toks, segs.get(i)?)?;
    let joined = |s: &Seg| matches!(s.bound, Bound::Comma | Bound::And);
    let mut end = i + 1;
    while segs
        .get(end)
        .is_some_and(|s| joined(s) && promise(toks, s).is_some())
    {
        end += 1;
    }
    let promising_end = end;
    while end < promising_end + MAX_TRAILING_CLAUSES
        && segs.get(end).is_some_and(|s| {
            s.bound == Bound::Comma && !toks[s.from..s.to].iter().any(|t| t.is_any(FINITE))
        })
    {
        end += 1;
    }
    let run_to = segs[end - 1].to;
    let qualifies = segs[i..promising_end].iter().enumerate().any(|(n, s)| {
        let window_to = if i + n + 1 == promising_end {
            run_to
        } else {
            s.to
        };
        match promise(toks, s) {
            Some(Promise::Undertaking { .. }) => true,
            Some(Promise::Active { modal, verb } | Promise::Passive { modal, verb }) => {
                agreed
                    || (!toks[modal].is("should")
                        && delivers_to_committee(toks, s.from, window_to, verb))
                    || (!toks[modal].is("should")
                        && toks[verb].is_any(INFORMED)
                        && toks[s.from..modal].iter().any(|t| t.is_any(COMMITTEE)))
            }
            None => false,
        }
    });
    Some(Run {
        segs: i..end,
        promising_end,
        qualifies,
    })
}

/// Whether the verb at `verb` delivers something to the committee, reading
/// tokens `from..to` around it.
fn delivers_to_committee(toks: &[Tok<'_>], from: usize, to: usize, verb: usize) -> bool {
    let v = toks[verb];
    let back = toks.get(verb + 1).is_some_and(|t| t.is("back"));
    let delivering = v.is_any(DELIVERED)
        || v.is_any(DELIVER)
        || (v.is("made") && toks.get(verb + 1).is_some_and(|t| t.is("available")));
    if !delivering {
        return false;
    }
    let intrinsic = v.is_any(&["circulate", "circulated"])
        || (back && v.is_any(&["report", "reported", "come", "bring", "brought", "feed"]));
    let window = toks.get(from..to).unwrap_or(&[]);
    let to_whom = |words: &[&str]| {
        window.iter().enumerate().any(|(i, t)| {
            t.is_any(&["to", "with", "for", "before", "at"])
                && window.iter().skip(i + 1).take(4).any(|w| w.is_any(words))
        })
    };
    let deliverable = window.iter().any(|t| t.is_any(DELIVERABLES));
    let elsewhere = to_whom(PUBLIC) || to_another_body(window);
    intrinsic || to_whom(COMMITTEE) || (deliverable && !elsewhere)
}

/// Whether `window` sends something to a body other than the committee,
/// capitalised as the minutes name it: "to the Council", "to Cabinet", "to
/// the Executive" (not "to the Council meeting" or "to Council Members").
fn to_another_body(window: &[Tok<'_>]) -> bool {
    window.iter().enumerate().any(|(i, t)| {
        t.is("to")
            && window.iter().enumerate().skip(i + 1).take(3).any(|(j, w)| {
                w.is_capitalised()
                    && w.is_any(cues::OTHER_BODIES)
                    && !window.get(j + 1).is_some_and(|n| {
                        n.is_capitalised() || n.is_any(COMMITTEE) || n.is_any(&["’s", "'s"])
                    })
            })
    })
}

/// The role or name that is the subject of tokens `from..modal` ("the Head
/// of Finance would …"), when it is one.
fn subject_role(p: &str, toks: &[Tok<'_>], from: usize, modal: usize) -> Option<String> {
    let mut start = from;
    while start < modal && toks[start].is_any(&["and", "the"]) {
        start += 1;
    }
    role_after(p, toks, start, modal)
        .filter(|(_, end)| *end == modal)
        .map(|(role, _)| role)
}

/// The role or person named nearest before token `to`, from token `from`:
/// a role title ("the Director of Law and Governance", "the Chamberlain")
/// or a title and name ("Mr Whittle", "Councillor O'Neil").
fn named_before(p: &str, toks: &[Tok<'_>], from: usize, to: usize) -> Option<String> {
    const TITLES: &[&str] = &[
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "cllr",
        "councillor",
        "prof",
    ];
    for j in (from..to.min(toks.len())).rev() {
        let t = toks[j];
        let inside_name = j > from && toks[j - 1].is_capitalised() && !toks[j - 1].is("the")
            || j >= from + 2
                && toks[j - 1].is_any(&["of", "for", "and", "&"])
                && toks[j - 2].is_capitalised()
                && !toks[j - 2].is("the");
        if !t.is_capitalised() || t.is("the") || inside_name {
            continue;
        }
        if t.is_any(TITLES) {
            let mut end = j + 1;
            if toks.get(end).is_some_and(|t| t.s == ".") {
                end += 1;
            }
            let name_from = end;
            while end < to && end - name_from < 3 {
                // "O’ Neil", "D' Souza": an apostrophe after a single
                // capital joins the two parts of one surname.
                let apostrophe = matches!(toks[end].s, "’" | "'")
                    && toks[end - 1].s.len() == 1
                    && toks.get(end + 1).is_some_and(|n| n.is_capitalised());
                if !(apostrophe || toks[end].is_capitalised() && toks[end].is_word()) {
                    break;
                }
                end += 1;
            }
            if end > name_from {
                return Some(span(p, toks, j, end).to_owned());
            }
            continue;
        }
        if let Some((role, end)) = role_after(p, toks, j, to) {
            return Some(with_name(p, toks, from, j, end).unwrap_or(role));
        }
        if let Some(name) = speaking_name(p, toks, j, to) {
            return Some(name);
        }
    }
    None
}

/// The person whose role, at tokens `role..end`, is given in apposition
/// after their name, with the role: "Amar Dave (Strategic Director …)",
/// "Mike Lester, the Scrutiny Officer". Not reaching back before `from`.
fn with_name(p: &str, toks: &[Tok<'_>], from: usize, role: usize, end: usize) -> Option<String> {
    let mut k = role;
    if k > from && toks[k - 1].is("the") {
        k -= 1;
    }
    // The role is set off on both sides: "(…)" or ", …,".
    let closed = |open: &str| match open {
        "(" => toks.get(end).is_some_and(|t| t.s == ")"),
        "," => toks.get(end).is_some_and(|t| t.s == ","),
        _ => false,
    };
    if !(k > from && closed(toks[k - 1].s)) {
        return None;
    }
    let name_end = k - 1;
    let mut name_from = name_end;
    while name_from > from
        && name_end - name_from < 3
        && toks[name_from - 1].is_capitalised()
        && toks[name_from - 1].is_word()
        && !toks[name_from - 1].is("the")
    {
        name_from -= 1;
    }
    if name_end - name_from < 2 {
        return None;
    }
    let end = if toks[name_end].s == "(" && toks.get(end).is_some_and(|t| t.s == ")") {
        end + 1
    } else {
        end
    };
    Some(span(p, toks, name_from, end).to_owned())
}

/// A person named by first name and surname who speaks at token `j`:
/// "Adam Hadley informed the board that …".
fn speaking_name(p: &str, toks: &[Tok<'_>], j: usize, to: usize) -> Option<String> {
    let mut end = j;
    while end < to && end - j < 3 && toks[end].is_capitalised() && toks[end].is_word() {
        end += 1;
    }
    (end - j >= 2 && toks.get(end).is_some_and(|v| REPLY_VERBS.contains(&v.s)))
        .then(|| span(p, toks, j, end).to_owned())
}

/// The nearest group named in lower case before token `to` ("That, in
/// discussion with the OPCC, the working group develop …").
fn plain_group_before(p: &str, toks: &[Tok<'_>], to: usize) -> Option<String> {
    let at = (0..to).rev().find(|&k| toks[k].is_any(PLAIN_HEADS))?;
    subject_before(p, toks, 0, at + 1)
}

/// Words that head a group or body named in lower case as a subject ("the
/// working group would …", "officers will …").
const PLAIN_HEADS: &[&str] = &["group", "officers", "officer", "team"];

/// The subject just before the verb or modal at `at` (past any modal and
/// adverb), not reaching back before `from`: a role title or name ("the
/// Working Group would report"), or a group named in lower case ("the
/// working group develop", "officers will circulate").
fn subject_before(p: &str, toks: &[Tok<'_>], from: usize, at: usize) -> Option<String> {
    let mut m = at;
    while m > from && (toks[m - 1].is_any(MODALS) || toks[m - 1].is_any(ADVERBS)) {
        m -= 1;
    }
    if m <= from {
        return None;
    }
    if let Some(s) = role_before(p, toks, from, m) {
        return Some(s.text);
    }
    if !toks[m - 1].is_any(PLAIN_HEADS) {
        return None;
    }
    let modifier = m >= from + 2
        && toks[m - 2].is_word()
        && !toks[m - 2].is_capitalised()
        && !toks[m - 2].is_any(&["the", "and", "that", "of", "to", "a", "an"]);
    let start = if modifier { m - 2 } else { m - 1 };
    Some(span(p, toks, start, m).to_owned())
}

/// The role named after "by" in tokens `from..to` ("provided by the Head of
/// Service").
fn by_role(p: &str, toks: &[Tok<'_>], from: usize, to: usize) -> Option<String> {
    let by = (from..to).find(|&k| toks[k].is("by"))?;
    let start = if toks.get(by + 1).is_some_and(|t| t.is("the")) {
        by + 2
    } else {
        by + 1
    };
    role_after(p, toks, start, to).map(|(role, _)| role)
}

/// Token `first`, or the "the" before it.
fn with_article(toks: &[Tok<'_>], first: usize) -> usize {
    if first > 0 && toks[first - 1].is("the") {
        first - 1
    } else {
        first
    }
}

/// A clause without the "and" it may start with or the punctuation it may
/// end with.
fn trim_clause(text: &str) -> String {
    let mut t = text.trim();
    for _ in 0..4 {
        let before = t;
        t = t.trim_end_matches(['.', ';', ',', ':', ' ']);
        if let Some(rest) = t.strip_suffix(" and") {
            t = rest;
        }
        if let Some(rest) = t.strip_prefix("and ") {
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
    use crate::speech::questions;
    use crate::text::sentences;

    fn found(p: &str, meeting: Option<&str>) -> Vec<(String, Option<String>, Option<String>)> {
        let toks = tokenize(p);
        let s = sentences(&toks);
        let talk = questions(p, &toks, &s, &[]);
        let mut c = Commitments::default();
        c.paragraph(
            p,
            &toks,
            &s,
            &talk,
            Refs {
                here: &[],
                earlier: None,
            },
            meeting.map(|m| m.parse().unwrap()),
        );
        c.finish()
            .into_iter()
            .map(|c| (c.text, c.owner, c.due.map(|d| d.text)))
            .collect()
    }

    fn one(
        text: &str,
        owner: Option<&str>,
        due: Option<&str>,
    ) -> (String, Option<String>, Option<String>) {
        (
            text.to_owned(),
            owner.map(str::to_owned),
            due.map(str::to_owned),
        )
    }

    #[test]
    fn promises_to_the_committee() {
        assert_eq!(
            found(
                "The Assistant Director for Strategy, Performance and Corporate Transformation advised that this question would be put to the Director of Education following the meeting, and a written response would be provided.",
                None
            ),
            [one(
                "this question would be put to the Director of Education following the meeting, and a written response would be provided",
                Some("Assistant Director for Strategy, Performance and Corporate Transformation"),
                Some("following the meeting")
            )]
        );
        assert_eq!(
            found(
                "The Head of Finance would circulate the figures to Members by 31 January 2024.",
                None
            ),
            [one(
                "The Head of Finance would circulate the figures to Members by 31 January 2024",
                Some("Head of Finance"),
                Some("by 31 January 2024")
            )]
        );
        assert_eq!(
            found(
                "In response, Officers undertook to look into the matter and report back to the next meeting.",
                None
            ),
            [one(
                "Officers undertook to look into the matter and report back to the next meeting",
                Some("Officers"),
                Some("to the next meeting")
            )]
        );
        assert_eq!(
            found(
                "It was agreed that the Chairman would write to the Portfolio Holder.",
                None
            ),
            [one(
                "It was agreed that the Chairman would write to the Portfolio Holder",
                Some("Chairman"),
                None
            )]
        );
    }

    #[test]
    fn other_futures_are_not_commitments() {
        for p in [
            "A Co-opted Member noted that an autism ambassador programme would be developed to enable people with autism to support key services.",
            "The Assistant Director for Integrated Commissioning advised that meetings were taking place with organisations and ongoing support would be provided.",
            "Leaflets would be sent to residents. It would be helpful if a report was written.",
            "The Director said that the programme would link with other organisations.",
        ] {
            assert_eq!(found(p, None), [], "{p}");
        }
    }

    fn named(p: &str) -> Option<String> {
        let toks = tokenize(p);
        let to = toks.iter().position(|t| t.is("would")).unwrap();
        named_before(p, &toks, 0, to)
    }

    #[test]
    fn owners_named_with_their_roles() {
        assert_eq!(
            named(
                "Amar Dave (Strategic Director Regeneration and Environment) stated that a report would follow."
            )
            .as_deref(),
            Some("Amar Dave (Strategic Director Regeneration and Environment)")
        );
        assert_eq!(
            named(
                "Mike Lester, the Scrutiny Officer, confirmed that all final reports would be circulated."
            )
            .as_deref(),
            Some("Mike Lester, the Scrutiny Officer")
        );
        assert_eq!(
            named(
                "In response to a question from Councillor Nguyen, the Head of Commissioning confirmed that it would be reported."
            )
            .as_deref(),
            Some("Head of Commissioning")
        );
        assert_eq!(
            named("Councillor O’ Neil explained that reports would be scheduled.").as_deref(),
            Some("Councillor O’ Neil")
        );
        assert_eq!(
            named("Adam Hadley informed the board that there would be a progress report.")
                .as_deref(),
            Some("Adam Hadley")
        );
        assert_eq!(
            named("The Head of Housing Options explained that support would be given.").as_deref(),
            Some("Head of Housing Options")
        );
    }

    #[test]
    fn subjects_just_before_the_promise() {
        for (p, want) in [
            (
                "the Panel agreed that the working group would develop it",
                "working group",
            ),
            ("on which the Working Group would report", "Working Group"),
            ("and officers will circulate this offline", "officers"),
        ] {
            let toks = tokenize(p);
            let at = toks
                .iter()
                .position(|t| t.is_any(&["would", "will"]))
                .unwrap();
            assert_eq!(
                subject_before(p, &toks, 0, at).as_deref(),
                Some(want),
                "{p}"
            );
        }
    }

    fn resolved(item: &str) -> Vec<(String, Option<String>)> {
        let mut c = Commitments::default();
        c.resolution(item, None, None);
        c.finish().into_iter().map(|c| (c.text, c.owner)).collect()
    }

    #[test]
    fn resolutions_name_who_is_to_do_it() {
        assert_eq!(
            resolved(
                "the Scrutiny Coordinator email all members and the matter be given further consideration at the next meeting"
            )[0]
            .1
            .as_deref(),
            Some("Scrutiny Coordinator")
        );
        assert_eq!(
            resolved(
                "requests the Policy and Improvement Officer to investigate the issues, and report back to the next meeting"
            )[0]
            .1
            .as_deref(),
            Some("Policy and Improvement Officer")
        );
        assert_eq!(
            resolved(
                "That, in discussion with the OPCC, the working group develop a reporting mechanism to be brought to the next Panel meeting"
            )[0]
            .1
            .as_deref(),
            Some("working group")
        );
        assert!(
            resolved(
                "the Final Progress Report be accepted and the approach to be presented to Cabinet"
            )
            .is_empty()
        );
        assert_eq!(
            resolved("Awen Trust Member Briefing be scheduled early in the new year"),
            [(
                "Awen Trust Member Briefing be scheduled early in the new year".to_owned(),
                None
            )]
        );
        assert!(resolved("the meeting be scheduled for the afternoon").is_empty());
    }

    #[test]
    fn action_lines() {
        assert_eq!(
            found(
                "ACTION: Head of Finance to circulate the figures by 31 January 2024.",
                None
            ),
            [one(
                "Head of Finance to circulate the figures by 31 January 2024",
                Some("Head of Finance"),
                Some("by 31 January 2024")
            )]
        );
        assert_eq!(
            found(
                "The Committee asked for the data on exclusions. ACTION: Head of Inclusion",
                None
            ),
            [one(
                "The Committee asked for the data on exclusions",
                Some("Head of Inclusion"),
                None
            )]
        );
    }
}
