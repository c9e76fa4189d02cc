//! Cues: the words that make a sentence a candidate promise, and what else
//! the sentence says that makes it more or less likely to be one.
//!
//! A sentence is a candidate when it has a cue: a future in reported speech
//! ("would be provided", "the Director would circulate", "could be brought
//! back"), "was to be organised", an undertaking ("undertook to", "agreed
//! to", "offered to", "committed to"), "it was agreed that", or an officer
//! "asked to" do something. Its features (named strings) say which cue, what
//! kind of verb (delivering, looking into, arranging, or describing a state
//! of affairs), whether it goes to the committee, whether a deliverable, an
//! owner or a due date is named, and what argues against it (a member's
//! request nobody accepted, "would be helpful", "if", "would not", work
//! already done). It also reads who receives it: the committee kept informed
//! ("would keep the Member updated"), receiving ("the Committee would be
//! receiving a report") or given an item on its work programme, or another
//! body ("would be presented to the Council"); and what else argues against
//! it: a member's question ("asked whether …"), an agreement reported from
//! before the meeting ("had agreed to"), a standing rule ("any questions
//! received will be circulated") or an update given at the meeting itself
//! ("a verbal update will be provided"). [`crate::model`] weighs the
//! features into a confidence.

use std::ops::Range;

use crate::commitments::{COMMITTEE, DELIVERABLES, PUBLIC};
use crate::text::Tok;

const MODALS: &[&str] = &["would", "will", "shall", "could", "should", "might", "may"];

const ADVERBS: &[&str] = &[
    "also",
    "then",
    "further",
    "now",
    "shortly",
    "subsequently",
    "additionally",
    "again",
    "still",
    "soon",
    "certainly",
    "personally",
    "urgently",
    "formally",
    "separately",
    "directly",
    "immediately",
    "initially",
    "next",
    "not",
    "need",
    "all",
];

/// Verbs that, followed by "to", undertake something.
const UNDERTAKE: &[&str] = &[
    "undertook",
    "undertakes",
    "agreed",
    "agree",
    "agrees",
    "offered",
    "promised",
    "committed",
    "pledged",
    "volunteered",
    "undertake",
    "endeavour",
    "endeavoured",
];

/// Base forms of verbs that deliver something to someone.
const DELIVER: &[&str] = &[
    "provide",
    "circulate",
    "report",
    "bring",
    "present",
    "submit",
    "send",
    "share",
    "forward",
    "supply",
    "issue",
    "email",
    "e-mail",
    "write",
    "respond",
    "reply",
    "update",
    "brief",
    "feed",
    "come",
    "return",
    "table",
    "distribute",
    "give",
    "publish",
    "inform",
    "advise",
    "notify",
    "confirm",
    "answer",
    "make",
];

/// Base forms of verbs that look into something.
const INQUIRE: &[&str] = &[
    "investigate",
    "look",
    "explore",
    "check",
    "review",
    "examine",
    "consider",
    "assess",
    "ascertain",
    "clarify",
    "establish",
    "find",
    "follow",
    "pick",
    "raise",
    "discuss",
    "liaise",
    "contact",
    "speak",
    "ask",
    "seek",
    "pursue",
    "chase",
    "take",
    "research",
    "scope",
    "analyse",
    "analyze",
    "evaluate",
    "revisit",
    "reconsider",
    "query",
    "request",
    "approach",
    "meet",
    "visit",
    "talk",
    "engage",
    "consult",
    "identify",
    "obtain",
    "refer",
    "put",
    "pass",
    "highlight",
    "remind",
    "progress",
];

/// Base forms of verbs that arrange or prepare something.
const ARRANGE: &[&str] = &[
    "arrange",
    "organise",
    "organize",
    "set",
    "hold",
    "schedule",
    "convene",
    "invite",
    "include",
    "add",
    "amend",
    "prepare",
    "produce",
    "draft",
    "incorporate",
    "reflect",
    "facilitate",
    "undertake",
    "carry",
    "do",
    "resolve",
    "correct",
    "rectify",
    "reissue",
    "re-issue",
    "revise",
    "change",
    "place",
    "programme",
    "program",
    "timetable",
    "diarise",
];

/// Base forms of verbs that describe how things are or will be rather than
/// something owed to the committee.
const STATE: &[&str] = &[
    "ensure",
    "enable",
    "allow",
    "help",
    "mean",
    "result",
    "continue",
    "need",
    "have",
    "remain",
    "require",
    "depend",
    "lead",
    "cost",
    "benefit",
    "support",
    "improve",
    "increase",
    "reduce",
    "affect",
    "impact",
    "like",
    "wish",
    "prefer",
    "welcome",
    "appreciate",
    "expect",
    "hope",
    "seem",
    "appear",
    "want",
    "work",
    "operate",
    "go",
    "happen",
    "start",
    "begin",
    "see",
    "become",
    "apply",
    "cover",
    "replace",
    "focus",
    "run",
    "deliver",
    "save",
    "generate",
    "create",
    "build",
    "open",
    "close",
    "move",
    "fall",
    "rise",
    "receive",
    "pay",
    "charge",
    "fund",
    "use",
    "form",
    "be",
    "get",
];

/// Irregular past participles and their base forms.
const IRREGULAR: &[(&str, &str)] = &[
    ("brought", "bring"),
    ("sent", "send"),
    ("given", "give"),
    ("made", "make"),
    ("written", "write"),
    ("taken", "take"),
    ("held", "hold"),
    ("put", "put"),
    ("set", "set"),
    ("found", "find"),
    ("sought", "seek"),
    ("met", "meet"),
    ("spoken", "speak"),
    ("undertaken", "undertake"),
    ("fed", "feed"),
    ("come", "come"),
    ("drawn", "draw"),
    ("shown", "show"),
    ("done", "do"),
    ("told", "tell"),
    ("kept", "keep"),
    ("built", "build"),
    ("run", "run"),
    ("got", "get"),
    ("paid", "pay"),
    ("seen", "see"),
    ("begun", "begin"),
    ("gone", "go"),
    ("carried", "carry"),
];

/// More words for the committee and its meetings than the clause rule uses.
const MORE_COMMITTEE: &[&str] = &["chairperson", "meetings", "group", "cllr"];

/// Forms of "receive" after "be" that make a future ("the Committee would
/// be receiving a report").
const RECEIVING: &[&str] = &["receiving"];

/// Words that make the next one a noun ("a request").
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "that", "any", "their", "his", "her", "its", "our", "each",
];

/// Verbs of deciding that, after "it was" and before "to", decide to do
/// something.
const DECIDED: &[&str] = &["decided", "proposed", "resolved"];

/// Words that deny the subject of a future ("no items would be included").
const NO: &[&str] = &["no", "none", "nothing", "neither", "never"];

/// Words after "keep … " or "kept" that keep someone informed ("would keep
/// the Member updated", "would be kept up to date").
const KEPT_INFORMED: &[&str] = &[
    "updated",
    "informed",
    "up",
    "abreast",
    "apprised",
    "appraised",
    "briefed",
    "posted",
];

/// Bodies other than the committee that reports go to ("would be
/// presented to Council", "to be presented to Cabinet"): a report owed to
/// them is not owed to the committee.
pub(crate) const OTHER_BODIES: &[&str] = &[
    "cabinet",
    "council",
    "executive",
    "minister",
    "ministers",
    "government",
    "parliament",
];

/// Words that name a committee's agenda or programme of work, into which a
/// report is scheduled ("will be scheduled into the work programme").
const AGENDA: &[&str] = &["agenda", "programme", "workplan", "plan"];

/// Deliverables given at the meeting itself rather than later.
const SPOKEN: &[&str] = &["verbal", "oral"];

/// More things delivered to a committee than the clause rule lists.
const MORE_DELIVERABLES: &[&str] = &[
    "writing",
    "detail",
    "workshop",
    "seminar",
    "session",
    "email",
    "letter",
    "clarification",
    "confirmation",
    "feedback",
    "numbers",
    "costs",
    "map",
    "plan",
    "timetable",
    "visit",
];

/// More recipients outside the committee than the clause rule lists.
const MORE_PUBLIC: &[&str] = &["households", "pupils", "communities", "landlords"];

/// Words after "would be" that judge rather than promise ("would be helpful").
const EVALUATIVE: &[&str] = &[
    "helpful",
    "useful",
    "important",
    "good",
    "beneficial",
    "better",
    "appropriate",
    "necessary",
    "possible",
    "difficult",
    "likely",
    "unlikely",
    "able",
    "unable",
    "expected",
    "required",
    "needed",
    "welcomed",
    "welcome",
    "interesting",
    "keen",
    "happy",
    "pleased",
    "grateful",
    "worth",
    "a",
    "an",
    "the",
    "in",
    "no",
    "more",
    "less",
    "subject",
    "sensible",
    "prudent",
    "challenging",
    "unfortunate",
    "responsible",
    "at",
    "on",
    "for",
    "best",
    "preferable",
    "essential",
    "vital",
    "key",
    "critical",
    "available",
    "sufficient",
    "reliant",
    "dependent",
    "due",
];

/// Words that name an officer or office-holder when they are the subject.
const OFFICER_WORDS: &[&str] = &[
    "director",
    "officer",
    "officers",
    "head",
    "manager",
    "chief",
    "executive",
    "clerk",
    "advisor",
    "adviser",
    "chamberlain",
    "lead",
    "leader",
    "holder",
    "cabinet",
    "solicitor",
    "treasurer",
    "commissioner",
    "secretary",
    "monitoring",
    "mr",
    "mrs",
    "ms",
    "dr",
    "he",
    "she",
    "they",
    "we",
    "i",
    "team",
    "service",
    "council",
    "department",
    "directorate",
    "chairman",
    "chair",
];

/// Words that make the member the one asking.
const ASKING: &[&str] = &[
    "asked",
    "requested",
    "suggested",
    "queried",
    "sought",
    "enquired",
    "proposed",
    "recommended",
    "questioned",
    "wished",
];

/// Words with which an officer accepts what was asked.
const ACCEPTING: &[&str] = &[
    "agreed",
    "undertook",
    "confirmed",
    "promised",
    "offered",
    "committed",
];

/// The most tokens of a sentence read for cues (longer sentences are rows of
/// a table run together; their first part is read).
const MAX_TOKENS: usize = 400;

/// What made a sentence a candidate and what else it says.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// The strongest cue's words as written, e.g. "would be provided".
    pub cue: String,
    /// Token of the strongest cue's first word.
    pub at: usize,
    /// The features, named.
    pub features: Vec<&'static str>,
}

/// The base form's class of `word`: "deliver", "inquire", "arrange",
/// "state" or "other".
fn class(word: &str) -> &'static str {
    let w = word.to_ascii_lowercase();
    let base = base_form(&w);
    let has = |list: &[&str]| list.iter().any(|b| base.iter().any(|x| x == b));
    if has(DELIVER) {
        "deliver"
    } else if has(INQUIRE) {
        "inquire"
    } else if has(ARRANGE) {
        "arrange"
    } else if has(STATE) {
        "state"
    } else {
        "other"
    }
}

/// The base forms `w` (lower case) may be: itself, and without "s", "d",
/// "ed", "ied" or a doubled consonant, or the base of an irregular participle.
fn base_form(w: &str) -> Vec<String> {
    let mut out = vec![w.to_owned()];
    if let Some((_, base)) = IRREGULAR.iter().find(|(p, _)| *p == w) {
        out.push((*base).to_owned());
    }
    for suffix in ["s", "d", "ed"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            out.push(stem.to_owned());
        }
    }
    if let Some(stem) = w.strip_suffix("ied") {
        out.push(format!("{stem}y"));
    }
    if let Some(stem) = w.strip_suffix("ed") {
        let b = stem.as_bytes();
        if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] {
            out.push(stem[..stem.len() - 1].to_owned());
        }
    }
    if let Some(stem) = w.strip_suffix("ing") {
        out.push(stem.to_owned());
        out.push(format!("{stem}e"));
    }
    out
}

/// Whether `t` reads as a past participle.
fn participle(t: &Tok<'_>) -> bool {
    let w = t.s.to_ascii_lowercase();
    (w.len() > 3 && w.ends_with("ed")) || IRREGULAR.iter().any(|(p, _)| *p == w)
}

/// The first token from `k` on that is not an adverb, before `end`.
fn skip_adverbs(toks: &[Tok<'_>], mut k: usize, end: usize) -> usize {
    while k < end && toks[k].is_any(ADVERBS) {
        k += 1;
    }
    k
}

/// A cue found at token `at`, of `kind`, whose verb is at `verb`.
struct Found {
    kind: &'static str,
    at: usize,
    verb: Option<usize>,
    end: usize,
    modal: Option<&'static str>,
    negated: bool,
}

/// The cues of the sentence `r`, in order.
fn cues(toks: &[Tok<'_>], r: &Range<usize>) -> Vec<Found> {
    let end = r.end.min(r.start + MAX_TOKENS);
    let mut out = Vec::new();
    for k in r.start..end {
        let t = &toks[k];
        if !is_trigger(t.s) {
            continue;
        }
        if let Some(&modal) = MODALS.iter().find(|m| t.is(m)) {
            let v = skip_adverbs(toks, k + 1, end);
            let subject = toks[k.saturating_sub(3).max(r.start)..k]
                .iter()
                .rev()
                .take_while(|t| t.is_word() && !t.is_any(&["that", "but", "and"]));
            let negated = toks[k + 1..v].iter().any(|t| t.is("not"))
                || subject.into_iter().any(|t| t.is_any(NO));
            if v >= end {
                continue;
            }
            if toks[v].is("be") {
                let p = skip_adverbs(toks, v + 1, end);
                if p < end && toks[p].is_any(RECEIVING) {
                    out.push(Found {
                        kind: "modal_active",
                        at: k,
                        verb: Some(p),
                        end: p + 1,
                        modal: Some(modal),
                        negated,
                    });
                } else if p < end && participle(&toks[p]) {
                    out.push(Found {
                        kind: "modal_passive",
                        at: k,
                        verb: Some(p),
                        end: p + 1,
                        modal: Some(modal),
                        negated,
                    });
                } else {
                    out.push(Found {
                        kind: "modal_be",
                        at: k,
                        verb: None,
                        end: (v + 1).min(end),
                        modal: Some(modal),
                        negated,
                    });
                }
            } else if toks[v].is_any(&["have", "had"]) {
                continue;
            } else if toks[v].is_word() && !toks[v].is_capitalised() {
                out.push(Found {
                    kind: "modal_active",
                    at: k,
                    verb: Some(v),
                    end: v + 1,
                    modal: Some(modal),
                    negated,
                });
            }
        } else if t.is_any(&["was", "were", "is", "are"])
            && toks.get(k + 1).is_some_and(|n| n.is("to"))
            && k + 2 < end
        {
            let v = k + 2;
            if toks[v].is("be") {
                let p = skip_adverbs(toks, v + 1, end);
                if p < end && participle(&toks[p]) {
                    out.push(Found {
                        kind: "to_be",
                        at: k,
                        verb: Some(p),
                        end: p + 1,
                        modal: None,
                        negated: false,
                    });
                }
            }
        } else if t.is_any(UNDERTAKE) && toks.get(k + 1).is_some_and(|n| n.is("to")) {
            let v = skip_adverbs(toks, k + 2, end);
            if v < end && toks[v].is_word() {
                out.push(Found {
                    kind: "undertaking",
                    at: k,
                    verb: Some(v),
                    end: v + 1,
                    modal: None,
                    negated: false,
                });
            }
        } else if t.is_any(DECIDED)
            && k >= r.start + 2
            && toks[k - 1].is("was")
            && toks[k - 2].is("it")
        {
            // "It was proposed at the next meeting, to hold a workshop": a
            // decision to do something, as "it was agreed to" is.
            let to = (k + 1..end.min(k + 10))
                .take_while(|&j| !toks[j].is("that"))
                .find(|&j| toks[j].is("to"));
            if let Some(to) = to
                && to + 1 < end
                && toks[to + 1].is_word()
                && !toks[to + 1].is_capitalised()
                && !toks[to + 1].is("the")
            {
                out.push(Found {
                    kind: "agreed_that",
                    at: k,
                    verb: Some(to + 1),
                    end: to + 2,
                    modal: None,
                    negated: false,
                });
            }
        } else if t.is("agreed") && toks.get(k + 1).is_some_and(|n| n.is("that")) {
            out.push(Found {
                kind: "agreed_that",
                at: k,
                verb: None,
                end: k + 2,
                modal: None,
                negated: false,
            });
        } else if t.is("asked")
            && toks.get(k + 1).is_some_and(|n| n.is("to"))
            && k > r.start
            && toks[k - 1].is_any(&["was", "were", "be", "been"])
        {
            let v = skip_adverbs(toks, k + 2, end);
            if v < end {
                out.push(Found {
                    kind: "asked_to",
                    at: k,
                    verb: Some(v),
                    end: v + 1,
                    modal: None,
                    negated: false,
                });
            }
        } else if t.is("be")
            && k > r.start
            && !toks[k - 1].is_any(MODALS)
            && (toks[k - 1].is("to") || toks[r.start..k].iter().any(|t| t.is("that")))
        {
            let p = skip_adverbs(toks, k + 1, end);
            if p < end && participle(&toks[p]) && !toks[k - 1].is("to")
                || p < end
                    && participle(&toks[p])
                    && k >= 2
                    && !toks[k - 2].is_any(&["was", "were", "is", "are"])
            {
                out.push(Found {
                    kind: if toks[k - 1].is("to") {
                        "to_be"
                    } else {
                        "that_be"
                    },
                    at: if toks[k - 1].is("to") { k - 1 } else { k },
                    verb: Some(p),
                    end: p + 1,
                    modal: None,
                    negated: false,
                });
            }
        } else if t.is_any(&[
            "requests",
            "request",
            "requested",
            "asks",
            "instructs",
            "instructed",
            "invites",
            "invited",
            "tasked",
            "directs",
            "directed",
        ]) {
            // "a request received by the Chair to undertake …" names a
            // request; it does not make one.
            let noun = k > r.start && toks[k - 1].is_any(DETERMINERS);
            let to = (k + 1..end.min(k + 12)).find(|&j| toks[j].is("to"));
            if let Some(to) = to
                && !noun
                && to + 1 < end
                && toks[to + 1].is_word()
                && !toks[to + 1].is_capitalised()
                && !toks[to + 1].is("the")
            {
                out.push(Found {
                    kind: "asked_to",
                    at: k,
                    verb: Some(to + 1),
                    end: to + 2,
                    modal: None,
                    negated: false,
                });
            }
        } else if t.is("undertaking")
            || (t.is("action") && toks.get(k + 1).is_some_and(|n| n.s == ":"))
        {
            out.push(Found {
                kind: if t.is("undertaking") {
                    "undertaking"
                } else {
                    "action_line"
                },
                at: k,
                verb: None,
                end: k + 1,
                modal: None,
                negated: false,
            });
        }
    }
    out
}

/// Whether a word can start a cue: a quick test that lets the scan pass
/// over every other word without comparing it with each list.
fn is_trigger(word: &str) -> bool {
    let mut buf = [0u8; 16];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return false;
    };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"would"
            | b"will"
            | b"shall"
            | b"could"
            | b"should"
            | b"might"
            | b"may"
            | b"was"
            | b"were"
            | b"is"
            | b"are"
            | b"be"
            | b"agreed"
            | b"decided"
            | b"proposed"
            | b"resolved"
            | b"asked"
            | b"undertook"
            | b"undertakes"
            | b"agree"
            | b"agrees"
            | b"offered"
            | b"promised"
            | b"committed"
            | b"pledged"
            | b"volunteered"
            | b"undertake"
            | b"endeavour"
            | b"endeavoured"
            | b"requests"
            | b"request"
            | b"requested"
            | b"asks"
            | b"instructs"
            | b"instructed"
            | b"invites"
            | b"invited"
            | b"tasked"
            | b"directs"
            | b"directed"
            | b"undertaking"
            | b"action"
    )
}

const PREPOSITION: u16 = 1;
const COMMITTEE_WORD: u16 = 1 << 1;
const PUBLIC_WORD: u16 = 1 << 2;
const DELIVERABLE: u16 = 1 << 3;
const CONDITION: u16 = 1 << 4;
const ASKING_WORD: u16 = 1 << 5;
const MEMBER: u16 = 1 << 6;
const ACCEPTING_WORD: u16 = 1 << 7;
const OFFICER: u16 = 1 << 8;
const ANAPHOR: u16 = 1 << 9;
const REPORTING: u16 = 1 << 10;

/// The kinds of word `word` is (lower-cased), as bits: looked up once per
/// word of a candidate sentence rather than compared with every list.
fn kinds_of(word: &str) -> u16 {
    static KINDS: std::sync::OnceLock<std::collections::HashMap<&'static str, u16>> =
        std::sync::OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        let lists: [(&[&'static str], u16); 14] = [
            (
                &[
                    "to", "with", "for", "before", "at", "by", "among", "amongst",
                ],
                PREPOSITION,
            ),
            (COMMITTEE, COMMITTEE_WORD),
            (MORE_COMMITTEE, COMMITTEE_WORD),
            (PUBLIC, PUBLIC_WORD),
            (MORE_PUBLIC, PUBLIC_WORD),
            (DELIVERABLES, DELIVERABLE),
            (MORE_DELIVERABLES, DELIVERABLE),
            (&["if", "unless", "whether", "once"], CONDITION),
            (ASKING, ASKING_WORD),
            (
                &["member", "members", "councillor", "cllr", "committee"],
                MEMBER,
            ),
            (ACCEPTING, ACCEPTING_WORD),
            (OFFICER_WORDS, OFFICER),
            (&["this", "it", "these", "that", "they"], ANAPHOR),
            (
                &[
                    "advised",
                    "said",
                    "explained",
                    "stated",
                    "confirmed",
                    "reported",
                    "noted",
                    "informed",
                    "responded",
                    "replied",
                    "added",
                    "indicated",
                    "assured",
                    "clarified",
                ],
                REPORTING,
            ),
        ];
        for (list, kind) in lists {
            for w in list {
                *map.entry(*w).or_insert(0) |= kind;
            }
        }
        map
    });
    let mut buf = [0u8; 24];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return 0;
    };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower)
        .ok()
        .and_then(|w| kinds.get(w))
        .copied()
        .unwrap_or(0)
}

/// How strong a cue is, to pick the one shown.
fn strength(kind: &str) -> u8 {
    match kind {
        "action_line" => 7,
        "undertaking" => 6,
        "agreed_that" => 5,
        "asked_to" => 4,
        "to_be" | "that_be" => 3,
        "modal_passive" => 2,
        "modal_active" => 1,
        _ => 0,
    }
}

/// The candidate the sentence `r` of paragraph `p` makes, if it has a cue.
/// `list_item` says whether the paragraph is an item of a numbered list or
/// table.
pub(crate) fn candidate(
    p: &str,
    toks: &[Tok<'_>],
    r: Range<usize>,
    list_item: bool,
) -> Option<Candidate> {
    let found = cues(toks, &r);
    let best = found
        .iter()
        .max_by_key(|f| (strength(f.kind), std::cmp::Reverse(f.at)))?;
    let end = r.end.min(r.start + MAX_TOKENS);
    let words = &toks[r.start..end];
    let mut features: Vec<&'static str> = vec!["bias"];
    let add = |f: &'static str, features: &mut Vec<&'static str>| {
        if !features.contains(&f) {
            features.push(f);
        }
    };
    let mut to_committee = false;
    for f in &found {
        add(
            match f.kind {
                "modal_passive" => "cue:modal_passive",
                "modal_be" => "cue:modal_be",
                "modal_active" => "cue:modal_active",
                "to_be" => "cue:to_be",
                "that_be" => "cue:that_be",
                "undertaking" => "cue:undertaking",
                "agreed_that" => "cue:agreed_that",
                "asked_to" => "cue:asked_to",
                _ => "cue:action_line",
            },
            &mut features,
        );
        if let Some(m) = f.modal {
            add(
                match m {
                    "would" => "modal:would",
                    "will" => "modal:will",
                    "shall" => "modal:shall",
                    "could" => "modal:could",
                    "should" => "modal:should",
                    _ => "modal:may",
                },
                &mut features,
            );
        }
        if f.negated {
            add("neg:negated", &mut features);
        }
        if let Some(v) = f.verb {
            let (kind, recipient) = verb_class(toks, f, r.start, end);
            to_committee |= recipient;
            add(
                match kind {
                    "deliver" => "verb:deliver",
                    "inquire" => "verb:inquire",
                    "arrange" => "verb:arrange",
                    "state" => "verb:state",
                    _ => "verb:other",
                },
                &mut features,
            );
            if toks.get(v + 1).is_some_and(|t| t.is("back")) {
                add("back", &mut features);
            }
        }
        if f.kind == "modal_be" {
            let next = skip_adverbs(toks, f.at + 2, end);
            if existential_deliverable(toks, f.at, next, r.start, end) {
                add("existential_deliverable", &mut features);
            } else if toks.get(next).is_some_and(|t| t.is_any(EVALUATIVE)) {
                add("neg:evaluative", &mut features);
            }
        }
    }
    let kinds: Vec<u16> = words.iter().map(|t| kinds_of(t.s)).collect();
    let has = |from: usize, to: usize, kind: u16| kinds[from..to].iter().any(|k| k & kind != 0);
    let after_preposition = |kind: u16| {
        (0..kinds.len())
            .any(|i| kinds[i] & PREPOSITION != 0 && has(i + 1, (i + 5).min(kinds.len()), kind))
    };
    let cue_at = best.at.saturating_sub(r.start).min(kinds.len());
    let cue_end = best.end.saturating_sub(r.start).clamp(cue_at, kinds.len());
    if to_other_body(&words[cue_end..]) {
        add("to_other_body", &mut features);
    } else if to_committee || after_preposition(COMMITTEE_WORD) || onto_agenda(&words[cue_at..]) {
        add("to_committee", &mut features);
    }
    if after_preposition(PUBLIC_WORD) {
        add("to_public", &mut features);
    }
    // What a member asks and an officer's answer may share a sentence ("Cllr
    // X asked whether … and the Director advised that a report would …"):
    // the asking and the conditions that count are those after the last
    // verb of reporting or accepting before the cue.
    let scope = (0..cue_at)
        .rev()
        .find(|&i| {
            kinds[i] & (REPORTING | ACCEPTING_WORD) != 0
                && !(i > 0
                    && words[i - 1].is_any(&["be", "been", "being", "was", "were", "is", "are"]))
        })
        .map_or(0, |i| i + 1);
    // The thing delivered is named in the promising clause itself, not in
    // a remark after a dash or semicolon ("support would be provided to
    // families – this would include a … plan").
    let clause_end = (cue_at..words.len())
        .find(|&i| matches!(words[i].s, ";" | "–" | "—"))
        .unwrap_or(words.len());
    if has(scope, clause_end, DELIVERABLE) {
        add("deliverable", &mut features);
    }
    if has(scope, cue_at, CONDITION) {
        add("neg:conditional", &mut features);
    }
    if words.iter().any(|t| t.s == "?") {
        add("neg:question", &mut features);
    }
    if has(scope, cue_at, ASKING_WORD) && has(0, cue_at, MEMBER) {
        add("member_asks", &mut features);
    }
    let member_requests = best.kind == "asked_to"
        && toks[best.at].is_any(&["requested", "request", "requests", "asks"])
        && words[scope..cue_at]
            .iter()
            .any(|t| t.is_any(&["member", "members", "councillor", "cllr"]));
    if member_requests {
        add("member_asks", &mut features);
    }
    if earlier_undertaking(toks, &found, r.start) {
        add("neg:earlier", &mut features);
    }
    if asks_whether(&words[scope..cue_at], &kinds[scope..cue_at]) {
        add("neg:asked_whether", &mut features);
    }
    if best.modal.is_some_and(|m| m == "will") && words[..cue_at].iter().any(|t| t.is("any")) {
        add("neg:standing_rule", &mut features);
    }
    if at_this_meeting(words) {
        add("neg:this_meeting", &mut features);
    }
    if requested_deliverable(&words[cue_at..]) {
        add("requested", &mut features);
    }
    if has(0, kinds.len(), ACCEPTING_WORD) {
        add("accepted", &mut features);
    }
    if has(cue_at.saturating_sub(8), cue_at, OFFICER) {
        add("subject_officer", &mut features);
    }
    if kinds.first().is_some_and(|k| k & ANAPHOR != 0) {
        add("anaphoric", &mut features);
    }
    if words
        .windows(2)
        .any(|w| w[0].is_any(&["had", "has", "have"]) && w[1].is("been"))
    {
        add("neg:done", &mut features);
    }
    if has(0, cue_at, REPORTING) {
        add("reported_speech", &mut features);
    }
    if list_item {
        add("list_item", &mut features);
    }
    if r.len() > 80 {
        add("long", &mut features);
    }
    let cue = crate::text::span(p, toks, best.at, best.end.max(best.at + 1)).to_owned();
    Some(Candidate {
        cue,
        at: best.at,
        features,
    })
}

/// The class of the verb of cue `f`, and whether the committee is the one
/// it delivers to when that is read from the verb itself: "would keep the
/// Member updated" and "the Panel would be kept up to date" inform the
/// committee; "the Committee would be receiving a report" and "this would
/// be received at a future meeting" deliver to it.
fn verb_class(toks: &[Tok<'_>], f: &Found, from: usize, end: usize) -> (&'static str, bool) {
    let Some(v) = f.verb else {
        return ("other", false);
    };
    let base = base_form(&toks[v].s.to_ascii_lowercase());
    let is = |w: &str| base.iter().any(|b| b == w);
    if is("keep") || toks[v].is("kept") {
        let upto = (v + 6).min(end);
        if let Some(i) = (v + 1..upto).find(|&i| {
            toks[i].is_any(KEPT_INFORMED)
                && (!toks[i].is("up") || toks.get(i + 1).is_some_and(|t| t.is("to")))
        }) {
            let object = toks[v + 1..i].iter().any(|t| t.is_any(COMMITTEE));
            return ("deliver", object || committee_subject(toks, from, f.at));
        }
    }
    if is("receive") {
        if committee_subject(toks, from, f.at) {
            return ("deliver", true);
        }
        if f.kind == "modal_passive" {
            let upto = (v + 6).min(end);
            let at_meeting = toks[v + 1..upto]
                .windows(2)
                .any(|w| w[0].is_any(&["at", "by"]) && w[1].is_any(&["a", "the", "its", "this"]))
                && toks[v + 1..upto].iter().any(|t| t.is_any(COMMITTEE));
            if at_meeting {
                return ("deliver", true);
            }
        }
    }
    (class(toks[v].s), false)
}

/// Whether the word just before the cue at `at` (not before `from`) names
/// the committee or its members, as the subject: "the Committee would …",
/// "Members would be …".
fn committee_subject(toks: &[Tok<'_>], from: usize, at: usize) -> bool {
    at > from && toks[at - 1].is_any(COMMITTEE)
}

/// Whether "would be" at `modal` says that a report or the like is to come
/// ("there would be a progress report coming to the board"): "there" just
/// before, and a deliverable within the next few words from `next`.
fn existential_deliverable(
    toks: &[Tok<'_>],
    modal: usize,
    next: usize,
    from: usize,
    end: usize,
) -> bool {
    modal > from
        && toks[modal - 1].is("there")
        && toks[next..(next + 4).min(end)]
            .iter()
            .any(|t| t.is_any(DELIVERABLES) || t.is_any(MORE_DELIVERABLES))
}

/// Whether the words after a cue put something on the committee's agenda
/// or programme of work ("scheduled into the work programme", "added to
/// the agenda of the next meeting").
fn onto_agenda(words: &[Tok<'_>]) -> bool {
    words.iter().enumerate().any(|(i, t)| {
        let named = t.is("agenda")
            || (t.is_any(AGENDA)
                && i > 0
                && words[i - 1].is_any(&["work", "forward", "committee’s", "committee's"]));
        named
            && words[i.saturating_sub(4)..i]
                .iter()
                .any(|p| p.is_any(&["into", "onto", "on", "to", "in"]))
    })
}

/// Whether the first recipient named after a cue, `words`, is a body other
/// than the committee ("would be presented to the Council", "to be
/// presented to Cabinet", "agreed to write to the minister").
fn to_other_body(words: &[Tok<'_>]) -> bool {
    let near = &words[..words.len().min(8)];
    near.iter()
        .position(|t| t.is_any(&["to", "before"]))
        .is_some_and(|i| {
            let t = &near[i];
            t.is_any(&["to", "before"])
                && words.iter().enumerate().skip(i + 1).take(3).any(|(j, w)| {
                    let named = w.is_any(OTHER_BODIES)
                        && (w.is_capitalised()
                            || w.is_any(&["minister", "ministers", "government"]));
                    let of_it = words.get(j + 1).is_some_and(|n| {
                        n.is_any(&[
                            "meeting", "member", "members", "officer", "officers", "’s", "'s",
                        ]) || n.is_any(COMMITTEE)
                    });
                    named && !of_it
                })
        })
}

/// Whether an undertaking among `found` is reported as made before the
/// meeting ("at which they had agreed to write"): "had" before its verb.
fn earlier_undertaking(toks: &[Tok<'_>], found: &[Found], from: usize) -> bool {
    found.iter().any(|f| {
        let mut b = f.at;
        while b > from && toks[b - 1].is_any(&["already", "previously", "also"]) {
            b -= 1;
        }
        f.kind == "undertaking" && f.verb.is_some() && b > from && toks[b - 1].is("had")
    })
}

/// Whether `words`, with their `kinds`, ask something: a verb of asking
/// followed by "whether", "if" or a question word ("Cllr X enquired as to
/// whether the reviews would be reported back", "asked when the plan would
/// be published").
fn asks_whether(words: &[Tok<'_>], kinds: &[u16]) -> bool {
    kinds
        .iter()
        .position(|k| k & ASKING_WORD != 0)
        .is_some_and(|a| {
            words[a + 1..]
                .iter()
                .any(|t| t.is_any(&["whether", "if", "when", "how", "why", "what", "which"]))
        })
}

/// Whether the sentence is about something given at the meeting itself: a
/// verbal or oral update, or one "at this meeting".
fn at_this_meeting(words: &[Tok<'_>]) -> bool {
    words.windows(2).any(|w| {
        (w[0].is_any(SPOKEN) && w[1].is_any(DELIVERABLES))
            || (w[0].is("this") && w[1].is("meeting"))
    })
}

/// Whether the words after a cue deliver what was asked for: "the requested
/// information", "the figures requested".
fn requested_deliverable(words: &[Tok<'_>]) -> bool {
    words.windows(2).any(|w| {
        (w[0].is("requested") && w[1].is_any(DELIVERABLES))
            || (w[0].is_any(DELIVERABLES) && w[1].is("requested"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn features(s: &str) -> Option<(String, Vec<&'static str>)> {
        let toks = tokenize(s);
        candidate(s, &toks, 0..toks.len(), false).map(|c| (c.cue, c.features))
    }

    #[test]
    fn cues_of_promises_in_many_words() {
        for (s, cue) in [
            (
                "He undertook to prepare a separate report on the landscape.",
                "undertook to prepare",
            ),
            (
                "A workshop for all Members was to be organised for late June.",
                "was to be organised",
            ),
            (
                "It was agreed that this would be investigated and an answer provided post meeting.",
                "agreed that",
            ),
            (
                "This would be reported to all future meetings.",
                "would be reported",
            ),
            (
                "The Head of Planning was asked to circulate the figures.",
                "asked to circulate",
            ),
        ] {
            assert_eq!(features(s).map(|f| f.0).as_deref(), Some(cue), "{s}");
        }
        let (_, f) = features("The Director would circulate the figures to Members.").unwrap();
        assert!(
            f.contains(&"verb:deliver") && f.contains(&"to_committee"),
            "{f:?}"
        );
        let (_, f) = features("It would be helpful to have more data.").unwrap();
        assert!(f.contains(&"neg:evaluative"), "{f:?}");
        assert!(features("The report was noted.").is_none());
    }

    fn has(s: &str, f: &str) -> bool {
        features(s).is_some_and(|(_, fs)| fs.contains(&f))
    }

    #[test]
    fn keeping_the_committee_informed_delivers_to_it() {
        for s in [
            "The Cabinet Member noted that she would keep the Member updated with the timeline.",
            "The Chairman noted that the Panel would be kept up to date about the findings.",
        ] {
            assert!(has(s, "verb:deliver") && has(s, "to_committee"), "{s}");
        }
        assert!(!has(
            "The Director would keep the scheme under review.",
            "verb:deliver"
        ));
    }

    #[test]
    fn what_the_committee_will_receive_is_delivered_to_it() {
        let s = "The Committee would be receiving a report later in the year.";
        assert_eq!(features(s).unwrap().0, "would be receiving");
        assert!(has(s, "verb:deliver") && has(s, "to_committee"));
        let s = "This would be received at a future meeting of the Working Group.";
        assert!(has(s, "verb:deliver") && has(s, "to_committee"));
        assert!(has("Residents would receive a letter.", "verb:state"));
    }

    #[test]
    fn a_report_to_come_is_not_an_evaluation() {
        let s = "He said that there would be a progress report coming to the Board in due course.";
        assert!(has(s, "existential_deliverable") && !has(s, "neg:evaluative"));
        let s = "There would be a more thorough process of tracking recommendations.";
        assert!(!has(s, "existential_deliverable") && has(s, "neg:evaluative"));
    }

    #[test]
    fn the_work_programme_is_the_committees() {
        assert!(has(
            "Follow up reports will be scheduled into the work programme for 2015/16.",
            "to_committee"
        ));
    }

    #[test]
    fn reports_to_other_bodies_are_told_apart() {
        for s in [
            "The report would be presented to the Council in July.",
            "The approach is to be presented to Cabinet.",
            "At that meeting they had agreed to write to the minister.",
        ] {
            assert!(has(s, "to_other_body") && !has(s, "to_committee"), "{s}");
        }
        let s = "These will be circulated to all Members prior to the County Council meeting.";
        assert!(!has(s, "to_other_body") && has(s, "to_committee"));
    }

    #[test]
    fn a_members_question_is_not_the_answer() {
        let s =
            "Cllr Simkins enquired as to whether the reviews would be reported back to the Board.";
        assert!(has(s, "neg:asked_whether"));
        let s = "Cllr Simkins asked whether the work was included and Adam Hadley informed the \
                 board that there would be a report to the Board.";
        assert!(
            !has(s, "neg:asked_whether") && !has(s, "member_asks"),
            "{s}"
        );
        assert!(!has(s, "neg:conditional"));
    }

    #[test]
    fn standing_rules_and_updates_at_the_meeting_are_marked() {
        assert!(has(
            "Details of any questions received will be circulated to Committee members prior to the meeting.",
            "neg:standing_rule"
        ));
        assert!(!has(
            "Any questions not answered would be responded to in writing.",
            "neg:standing_rule"
        ));
        assert!(has(
            "A verbal update will be provided on the risk register.",
            "neg:this_meeting"
        ));
    }

    #[test]
    fn what_was_requested_and_where_the_deliverable_is() {
        assert!(has(
            "He noted that he would look to get the requested information.",
            "requested"
        ));
        let s = "Support would be provided to families – this would include a named officer and a plan.";
        assert!(!has(s, "deliverable"));
        assert!(has("A written response would be provided.", "deliverable"));
    }

    #[test]
    fn questions_requests_and_earlier_agreements_are_marked() {
        assert!(has(
            "Councillor Smith asked when the carers action plan would be published.",
            "neg:asked_whether"
        ));
        let s = "The Chair advised that Councillor Bryant had requested officers to look at safe walking.";
        assert!(has(s, "member_asks"), "{s}");
        let s = "The Committee requested officers to look at safe walking.";
        assert!(!has(s, "member_asks"), "{s}");
        assert!(has(
            "An informal meeting had taken place, at which they had agreed to write to the minister.",
            "neg:earlier"
        ));
        assert!(!has(
            "The Director agreed to write to Members.",
            "neg:earlier"
        ));
    }

    #[test]
    fn a_denied_subject_negates_and_a_named_request_is_no_cue() {
        assert!(has(
            "The Coordinator explained that in future no items would be included on the programme.",
            "neg:negated"
        ));
        assert!(
            features(
                "The Committee considered a report on a request received by the Chair to undertake a review."
            )
            .is_none()
        );
    }

    #[test]
    fn a_decision_to_do_something_is_a_cue() {
        let (cue, f) =
            features("It was proposed at the next meeting, to hold a workshop following the committee business.")
                .unwrap();
        assert_eq!(cue, "proposed at the next meeting, to hold");
        assert!(
            f.contains(&"cue:agreed_that") && f.contains(&"verb:arrange"),
            "{f:?}"
        );
        assert!(
            features("It was proposed that the report be noted.")
                .is_some_and(|(c, _)| c != "proposed")
        );
    }

    #[test]
    fn verb_classes_see_through_endings() {
        assert_eq!(class("provided"), "deliver");
        assert_eq!(class("brought"), "deliver");
        assert_eq!(class("investigated"), "inquire");
        assert_eq!(class("organised"), "arrange");
        assert_eq!(class("ensure"), "state");
        assert_eq!(class("flourish"), "other");
    }
}
