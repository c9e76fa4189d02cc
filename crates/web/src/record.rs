//! What the committee record's pages share, below them: the committee or
//! meeting in the address with access applied, promises as rows with their
//! actions' labels, the minutes split into sentences and paragraphs.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{Access, Body, Commitment, CommitmentStatus, Meeting, MeetingStatus, Standing, Title};
use store::{CommitmentsOf, LoggedCommitment, MeetingDetails};

use crate::AppState;
use crate::error::WebError;
use crate::form::*;
use crate::views::*;
use crate::words::{note, take};

/// Today, for deciding what is overdue.
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Actions by id, as a log names them: (href, "10A: title").
pub(crate) type ActionLabels = HashMap<domain::ActionId, (String, String)>;

/// The actions of `ids` that `access` may see (on a published plan, or any
/// plan for those who see unpublished ones), each with its page and
/// "reference: title". An action deleted since is left out.
pub(crate) async fn action_labels(
    state: &AppState,
    slug: &str,
    access: &Access,
    ids: Vec<domain::ActionId>,
) -> Result<ActionLabels, WebError> {
    let mut plans: HashMap<domain::PlanId, bool> = HashMap::new();
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let action = match state.store().action(id).await {
            Ok(a) => a,
            Err(store::StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let visible = match plans.get(&action.plan_id) {
            Some(v) => *v,
            None => {
                let plan = state.store().plan_by_id(action.plan_id).await?;
                let v = plan.published_at.is_some() || access.sees_unpublished();
                plans.insert(action.plan_id, v);
                v
            }
        };
        if visible {
            out.insert(
                id,
                (
                    format!("/b/{slug}/actions/{id}"),
                    format!("{}: {}", action.details.reference, action.details.title),
                ),
            );
        }
    }
    Ok(out)
}

/// A commitment as one row of a log; `actions` names the actions the viewer may see.
pub(crate) fn promise_row(
    slug: &str,
    l: &LoggedCommitment,
    today: NaiveDate,
    actions: &ActionLabels,
) -> PromiseRow {
    let c = &l.commitment;
    let standing = c.standing(today);
    PromiseRow {
        id: c.id.get(),
        version: c.version.get(),
        text: c.text.clone(),
        owner: c.owner.clone().unwrap_or_else(|| "Not recorded".into()),
        due: due_words(c),
        made_at: format!(
            "{}, item {}",
            l.meeting.held_on.format("%-d %B %Y"),
            l.item_number
        ),
        made_href: format!(
            "/b/{slug}/meetings/{}#item-{}",
            l.meeting.id, c.agenda_item_id
        ),
        committee: l.committee.clone(),
        standing: standing.label(),
        tag: match standing {
            Standing::Overdue => "red",
            Standing::Open => "blue",
            Standing::Delivered => "green",
            Standing::Withdrawn => "grey",
        },
        closed: match c.status {
            CommitmentStatus::Open => String::new(),
            _ => format!(
                "{}{}",
                c.closed_on
                    .map(|d| format!("{}: ", d.format("%-d %B %Y")))
                    .unwrap_or_default(),
                c.delivery_note
            ),
        },
        open: c.status == CommitmentStatus::Open,
        no_date: c.status == CommitmentStatus::Open && c.due_by.is_none(),
        action: c.action_id.and_then(|a| actions.get(&a).cloned()),
        source: c.source.clone(),
        sentence: None,
        paragraph: None,
    }
}

/// When a promise is due, in words: "2023-03 (in March 2023)", or the
/// minutes' words, or "No date set".
pub(crate) fn due_words(c: &Commitment) -> String {
    match (c.due_by, c.due_text.trim()) {
        (Some(d), "") => d.to_string(),
        (Some(d), t) => format!("{d} ({t})"),
        (None, "") => "No date set".into(),
        (None, t) => t.to_owned(),
    }
}

/// The committee with `id`, when it belongs to `body`.
pub(crate) async fn committee_of(
    state: &AppState,
    body: &Body,
    id: &str,
) -> Result<domain::Committee, WebError> {
    let id: domain::CommitteeId = id.parse().map_err(|_| WebError::NotFound)?;
    match state.store().committee(id).await {
        Ok(c) if c.body_id == body.id => Ok(c),
        Ok(_) | Err(store::StoreError::NotFound { .. }) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The meeting with `id` and its committee, when they belong to `body` and
/// `access` may see the meeting.
pub(crate) async fn meeting_of(
    state: &AppState,
    body: &Body,
    access: &Access,
    id: domain::MeetingId,
) -> Result<(Meeting, domain::Committee), WebError> {
    let meeting = match state.store().meeting(id).await {
        Ok(m) => m,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let committee = state.store().committee(meeting.committee_id).await?;
    if committee.body_id != body.id || !(meeting.published || access.sees_unpublished()) {
        return Err(WebError::NotFound);
    }
    Ok((meeting, committee))
}

/// Where each sentence of minutes lies, as byte ranges of `text`:
/// paragraphs are lines, and a sentence ends at `.`, `?` or `!` before a
/// space or the line's end.
pub(crate) fn sentence_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let base = line_start;
        line_start += line.len() + 1;
        let mut start = 0;
        let mut chars = line.char_indices().peekable();
        while let Some((at, ch)) = chars.next() {
            let next_is_space = chars.peek().is_none_or(|(_, c)| c.is_whitespace());
            if matches!(ch, '.' | '?' | '!') && next_is_space {
                let end = at + ch.len_utf8();
                push_trimmed(&mut out, line, base, start..end);
                start = end;
            }
        }
        push_trimmed(&mut out, line, base, start..line.len());
    }
    out
}

/// Add `range` of `line` (which starts at `base`), without its surrounding
/// white space, when anything is left.
pub(crate) fn push_trimmed(
    out: &mut Vec<std::ops::Range<usize>>,
    line: &str,
    base: usize,
    range: std::ops::Range<usize>,
) {
    let piece = &line[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let start = base + range.start + lead;
        out.push(start..start + trimmed.len());
    }
}

/// Minutes split into sentences, each of which a recorded question or
/// commitment can link to.
pub(crate) fn sentences(text: &str) -> Vec<String> {
    sentence_spans(text)
        .into_iter()
        .map(|r| text[r].to_owned())
        .collect()
}

/// The paragraph (line) of `minutes` holding the start of `source`, when found.
pub(crate) fn paragraph_of(minutes: &str, source: &str) -> Option<String> {
    let probe: String = source.trim().chars().take(60).collect();
    if probe.is_empty() {
        return None;
    }
    let at = minutes.find(probe.as_str())?;
    let start = minutes[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = minutes[at..].find('\n').map_or(minutes.len(), |i| at + i);
    Some(minutes[start..end].trim().to_owned())
}

/// What the committee record holds about an action: the questions asked
/// and the promises made, from the meetings `access` may see.
pub(crate) async fn about_action(
    state: &AppState,
    body: &Body,
    access: &Access,
    action_id: domain::ActionId,
) -> Result<(Vec<QuestionRow>, Vec<PromiseRow>), WebError> {
    let today = today();
    let slug = body.slug.as_str();
    let mut questions = Vec::new();
    for l in state.store().questions_about(action_id).await? {
        if !(l.meeting.published || access.sees_unpublished()) {
            continue;
        }
        let q = l.question;
        questions.push(QuestionRow {
            asker: q.asker.unwrap_or_else(|| "Not recorded".into()),
            responder: q.responder.unwrap_or_else(|| "Not recorded".into()),
            action: None,
            sentence: None,
            source: q.source,
            meeting: format!(
                "{}, item {}",
                l.meeting.held_on.format("%-d %B %Y"),
                l.item_number
            ),
            meeting_href: format!(
                "/b/{slug}/meetings/{}#item-{}",
                l.meeting.id, q.agenda_item_id
            ),
        });
    }
    let promises = state
        .store()
        .commitment_log(CommitmentsOf::Action(action_id))
        .await?
        .iter()
        .filter(|l| l.meeting.published || access.sees_unpublished())
        .map(|l| promise_row(slug, l, today, &ActionLabels::new()))
        .collect();
    Ok((questions, promises))
}

/// The fields of the forms that describe a meeting (scheduling one on the
/// committee page, editing one), as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingFields {
    /// "scheduled", "held" or "cancelled"; scheduled when left out.
    pub status: String,
    /// Where it is held.
    pub venue: String,
    /// Present when the meeting is to be published.
    pub published: Option<String>,
    /// The meeting's version the form was filled in against (editing).
    pub version: String,
    /// The day it is held (`held-on`).
    #[serde(flatten)]
    pub dates: DateInputs,
}

impl TryFrom<&MeetingFields> for MeetingDetails {
    type Error = Vec<FieldError>;

    fn try_from(f: &MeetingFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let held_on = date_field(&f.dates, "held-on", "Meeting date", &mut errors);
        if held_on.is_none() && !errors.iter().any(|e| e.field == "held-on") {
            note(
                &mut errors,
                "held-on",
                "Enter the meeting's date, like 12 March 2024",
            );
        }
        let status = match f.status.trim() {
            "" => Some(MeetingStatus::Scheduled),
            raw => raw.parse::<MeetingStatus>().ok(),
        };
        if status.is_none() {
            note(
                &mut errors,
                "status",
                "Choose whether the meeting is scheduled, held or cancelled",
            );
        }
        let venue = take(
            &mut errors,
            "venue",
            optional(&f.venue, |v| Title::parse("venue", v)),
        );
        let value = match (held_on, status, venue) {
            (Some(held_on), Some(status), Some(venue)) => Some(MeetingDetails {
                held_on,
                venue: venue.map(|v| v.to_string()).unwrap_or_default(),
                status,
                published: f.published.is_some(),
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}
