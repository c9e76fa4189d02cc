//! Reads the minutes of a committee meeting and extracts what a committee
//! clerk keeps track of: the reports considered, the reporting periods and
//! plan years they cover, the ambitions and actions discussed, the questions
//! members asked and who answered, the commitments officers made to the
//! committee, and what the committee resolved.
//!
//! The input is plain text or the HTML of a council's committee-system page
//! (turned into text here, without an HTML library). The rules follow the
//! register English councils write minutes in ("In response to a question
//! from a Co-opted Member, the Director of Adult Social Care advised that …",
//! "a written response would be provided", "RESOLVED that … be noted"). They
//! are plain rules, not a model: what they find is predictable and each rule
//! can be read in its module.
//!
//! [`extract`] returns an [`Extract`], whose JSON is the shape of
//! `minutes-extract.schema.json` (what `ambit minutes extract --format json`
//! prints). Any input gives either an [`Extract`] (possibly empty) or a
//! [`MinutesError`] saying what to do; no input panics, and the work is
//! linear in the size of the input.
//!
//! How dates are resolved: a due date written in full ("in March 2023", "by
//! 31 January 2024") is used as written. A relative one is resolved against
//! [`Options::meeting_date`] when it is given: "later in the year" and "by
//! the end of the year" mean by the end of the council's (financial) year,
//! the 31 March on or after the meeting; "by the end of the financial year"
//! the same; "within two weeks" counts from the meeting; a month without a
//! year is the next such month. "The next meeting" gets the day the minutes
//! give for the next meeting ("The next meeting will be held on 27 April
//! 2023"), when they give one, wherever in the minutes they give it.
//! "Following the meeting" and the like keep their words but get no date.

mod commitments;
mod cues;
mod dates;
mod decode;
mod error;
mod html;
mod mentions;
pub mod model;
mod record;
mod resolutions;
pub mod score;
mod speech;
mod summary;
mod text;

use chrono::NaiveDate;
use domain::{ActionRef, FinancialYear, Half, TargetDate};
use serde::{Deserialize, Serialize};

pub use decode::MAX_INPUT_BYTES;
pub use error::MinutesError;
pub use model::Model;
pub use record::action_id;

/// How to read one minutes document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The input's file name, copied to [`Extract::source`].
    pub source: Option<String>,
    /// The date of the meeting, used to resolve relative due dates such as
    /// "later in the year".
    pub meeting_date: Option<NaiveDate>,
    /// The most questions, commitments and resolutions to keep, each; none
    /// keeps them all. Once each kind has this many, reading stops, so the
    /// reports, periods and actions mentioned after that point are not
    /// found either.
    pub max_findings: Option<usize>,
    /// Keep every candidate commitment, with its features, whatever its
    /// confidence: for learning the weights of [`model`].
    pub all_candidates: bool,
}

/// Everything extracted from one minutes document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extract {
    /// The input's file name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Report references as written, e.g. "ACH22-038", in order of first mention.
    pub reports: Vec<String>,
    /// Reporting periods and plan years the minutes cover.
    pub periods: Vec<Period>,
    /// Numbers of the strategy's ambitions mentioned ("Ambition 2").
    pub ambitions: Vec<u32>,
    /// Plan actions mentioned ("Ambition 2 – Action Point 10A: …").
    pub action_refs: Vec<ActionMention>,
    /// Questions members asked and who answered.
    pub questions: Vec<Question>,
    /// Promises made to the committee or its members.
    pub commitments: Vec<Commitment>,
    /// What the committee resolved.
    pub resolutions: Vec<Resolution>,
}

/// A reporting period ("the first half of 2022/23") or, with no half, a plan
/// year ("the Portfolio Plan for 2024-25").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The financial year, shown "2023/24" whatever way it was written.
    pub year: FinancialYear,
    /// The half, or none for a whole plan year.
    pub half: Option<Half>,
    /// The words it came from.
    #[serde(default)]
    pub text: String,
}

/// A plan action the minutes mention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionMention {
    /// The ambition it was given under, when the minutes say.
    pub ambition: Option<u32>,
    /// The action's reference, e.g. "10A".
    pub action: ActionRef,
    /// The action's title as written, when the minutes give it.
    pub title: Option<String>,
}

/// A question asked in the meeting and who answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// "Member", "Co-opted Member", or a name as written ("Councillor
    /// Smith"); none when the minutes do not say.
    pub asker: Option<String>,
    /// The officer role or person who answered, as written.
    pub responder: Option<String>,
    /// The action the question was about.
    pub action_ref: Option<ActionRef>,
    /// The sentences the question and answer come from.
    #[serde(default)]
    pub text: String,
}

/// A promise made to the committee or its members that someone must later
/// deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// The promise as written.
    pub text: String,
    /// Who promised it, as written; none when the minutes do not say.
    pub owner: Option<String>,
    /// When it is due, when the minutes say.
    pub due: Option<Due>,
    /// The action it concerns.
    pub action_ref: Option<ActionRef>,
    /// Why it was found: the words or rule that mark it as a promise
    /// ("undertook to", "would be provided", "an ACTION line").
    #[serde(default)]
    pub cue: String,
    /// How sure the extractor is that it is a promise owed to the committee,
    /// from 0 to 1; below [`Model::review`] it is shown apart, as possible.
    #[serde(default)]
    pub confidence: f64,
    /// The features its confidence was weighed from, kept only when
    /// [`Options::all_candidates`] is set (for learning the weights).
    #[serde(skip)]
    pub features: Vec<String>,
}

impl Commitment {
    /// Whether it is confident enough to be proposed rather than shown
    /// apart as possible.
    pub fn is_proposed(&self) -> bool {
        self.confidence >= Model::built_in().review
    }
}

/// When a commitment is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The latest date it is due by, as precise as the text ("2023-03" for
    /// "in March 2023"); none when it cannot be worked out honestly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<TargetDate>,
    /// The words it came from, e.g. "later in the year".
    #[serde(default)]
    pub text: String,
}

/// One thing the committee resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// What was resolved, without "RESOLVED that" and the item's number.
    pub text: String,
    /// What the committee did with it.
    #[serde(default)]
    pub outcome: Outcome,
}

/// What a resolution did, from its verb: the domain's resolution outcome.
pub use domain::ResolutionOutcome as Outcome;

impl Extract {
    /// Whether nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
            && self.periods.is_empty()
            && self.ambitions.is_empty()
            && self.action_refs.is_empty()
            && self.questions.is_empty()
            && self.commitments.is_empty()
            && self.resolutions.is_empty()
    }

    /// A readable plain-text summary, one section per kind of finding.
    pub fn to_text(&self) -> String {
        summary::render(self)
    }
}

/// `commitments` with a due date of "the next meeting" given the day of
/// the next meeting, when the minutes give it.
fn dated_next_meeting(
    mut commitments: Vec<Commitment>,
    day: Option<TargetDate>,
) -> Vec<Commitment> {
    if let Some(day) = day {
        for due in commitments.iter_mut().filter_map(|c| c.due.as_mut()) {
            if due.date.is_none() && due.text.to_lowercase().contains("next meeting") {
                due.date = Some(day);
            }
        }
    }
    commitments
}

/// Reads one minutes document (UTF-8, UTF-16 with a byte-order mark or
/// Windows-1252 text, or HTML in any of those) and extracts what it records.
///
/// Input with no recognisable structure gives an empty [`Extract`]. Input
/// that is not text, or is larger than [`MAX_INPUT_BYTES`], is refused with
/// a [`MinutesError`] that says what to do instead.
pub fn extract(input: &[u8], options: &Options) -> Result<Extract, MinutesError> {
    Ok(extract_text(&plain_text(input)?, options))
}

/// Like [`extract`], for minutes already read by [`plain_text`] or
/// [`into_plain_text`], so a caller that needs the text too decodes the
/// input only once.
pub fn extract_text(body: &str, options: &Options) -> Extract {
    let mut found = Found::new(
        options.meeting_date,
        options.max_findings,
        options.all_candidates,
    );
    text::each_paragraph(body, |p| {
        found.paragraph(p);
        !found.is_full()
    });
    let mut extract = found.finish();
    extract.source = options.source.clone();
    extract
}

/// The minutes as the rules read them: decoded, and for HTML its text.
pub fn plain_text(input: &[u8]) -> Result<String, MinutesError> {
    let decoded = decode::decode(input)?;
    Ok(if html::looks_like_html(&decoded) {
        html::to_text(&decoded)
    } else {
        decoded.into_owned()
    })
}

/// Like [`plain_text`], taking the input: UTF-8 text that is not HTML (the
/// usual upload) becomes the result as it is, without a copy.
pub fn into_plain_text(input: Vec<u8>) -> Result<String, MinutesError> {
    let as_is = match decode::decode(&input)? {
        std::borrow::Cow::Borrowed(s) => s.len() == input.len() && !html::looks_like_html(s),
        std::borrow::Cow::Owned(_) => false,
    };
    if as_is {
        return Ok(String::from_utf8(input).expect("decoded as UTF-8 above"));
    }
    plain_text(&input)
}

/// What the rules have found so far, paragraph by paragraph.
struct Found {
    meeting_date: Option<NaiveDate>,
    max_findings: Option<usize>,
    mentions: mentions::Mentions,
    questions: Vec<Question>,
    commitments: commitments::Commitments,
    resolutions: resolutions::Resolutions,
    /// The last action the previous paragraph mentioned.
    earlier: Option<ActionRef>,
    /// The day of the next meeting, when the minutes give it.
    next_meeting: Option<TargetDate>,
}

impl Found {
    fn new(
        meeting_date: Option<NaiveDate>,
        max_findings: Option<usize>,
        all_candidates: bool,
    ) -> Self {
        Self {
            meeting_date,
            max_findings,
            mentions: mentions::Mentions::default(),
            questions: Vec::new(),
            commitments: commitments::Commitments::with_max(max_findings, all_candidates),
            resolutions: resolutions::Resolutions::with_max(max_findings),
            earlier: None,
            next_meeting: None,
        }
    }

    /// Whether every kind of finding has reached the cap.
    fn is_full(&self) -> bool {
        self.max_findings.is_some_and(|m| self.questions.len() >= m)
            && self.commitments.is_full()
            && self.resolutions.is_full()
    }

    fn paragraph(&mut self, p: &str) {
        let toks = text::tokenize(p);
        if self.next_meeting.is_none() {
            self.next_meeting = dates::next_meeting_day(p, &toks, self.meeting_date);
        }
        let refs = self.mentions.scan(p, &toks);
        let earlier = std::mem::replace(&mut self.earlier, refs.last().map(|r| r.action.clone()));
        let mut toks = &toks[..];
        if let Some((discussion, items)) = self.resolutions.paragraph(p, toks) {
            let action = refs.last().map(|r| r.action.clone());
            for item in items {
                self.commitments
                    .resolution(&item, action.clone(), self.meeting_date);
            }
            if discussion == 0 {
                return;
            }
            toks = &toks[..discussion];
        }
        let sentences = text::sentences(toks);
        let talk = speech::questions(p, toks, &sentences, &refs);
        self.commitments.paragraph(
            p,
            toks,
            &sentences,
            &talk,
            commitments::Refs {
                here: &refs,
                earlier,
            },
            self.meeting_date,
        );
        let room = self
            .max_findings
            .map_or(usize::MAX, |m| m.saturating_sub(self.questions.len()));
        self.questions.extend(talk.questions.into_iter().take(room));
    }

    fn finish(self) -> Extract {
        let (reports, periods, ambitions, action_refs) = self.mentions.finish();
        Extract {
            source: None,
            reports,
            periods,
            ambitions,
            action_refs,
            questions: self.questions,
            commitments: dated_next_meeting(self.commitments.finish(), self.next_meeting),
            resolutions: self.resolutions.finish(),
        }
    }
}
