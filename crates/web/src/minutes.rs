//! The clerk's journey from minutes to the record: paste the minutes of an
//! agenda item (text, or the HTML of a committee-system page), review what
//! the extractor found beside the text, correct it, and accept. Accepted
//! findings enter the record in one transaction, each keeping the sentence
//! it came from.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use domain::{
    AcceptedMinutes, ActionRef, AgendaItem, Body, NewCommitment, NewQuestion, NewResolution,
    PlanTree, ResolutionOutcome, ReviewedProposal, TargetDate, Text, Title,
};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{optional, parsed, status_of, version};
use crate::request::PageResult;
use crate::request::{check_form, chrome};
use crate::views::{
    ActionGroup, FieldError, MinutesPage, ProposedCommitment, ProposedQuestion, ProposedResolution,
};

/// The most findings of each kind shown for review (and taken back from
/// the review form).
const MAX_FINDINGS: usize = 500;

/// A confidence from 0 to 1 in whole per cent.
fn percent(confidence: f64) -> u8 {
    (confidence.clamp(0.0, 1.0) * 100.0).round() as u8
}

/// What the review form holds: the findings, as the clerk has them now.
#[derive(Default)]
struct Proposals {
    questions: Vec<ProposedQuestion>,
    commitments: Vec<ProposedCommitment>,
    resolutions: Vec<ProposedResolution>,
}

impl Proposals {
    /// What the extractor found, every finding ticked except the promises it
    /// is less sure of (shown apart, after the others, as possible), and one
    /// empty commitment for what it missed.
    fn found(extract: &minutes::Extract, picker: &Picker) -> Proposals {
        let most = MAX_FINDINGS;
        let refs = |r: Option<&ActionRef>| picker.choose(r);
        let mut commitments: Vec<ProposedCommitment> = extract
            .commitments
            .iter()
            .take(most)
            .map(|c| ProposedCommitment {
                accept: c.is_proposed(),
                possible: !c.is_proposed(),
                cue: c.cue.clone(),
                confidence: Some(percent(c.confidence)),
                proposed: c.text.clone(),
                text: c.text.clone(),
                owner: c.owner.clone().unwrap_or_default(),
                due: c
                    .due
                    .as_ref()
                    .and_then(|d| d.date)
                    .map(|d| d.to_iso())
                    .unwrap_or_default(),
                due_text: c.due.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
                action: refs(c.action_ref.as_ref()),
                source: String::new(),
                mark: None,
            })
            .collect();
        commitments.sort_by_key(|c| c.possible);
        commitments.push(ProposedCommitment::default());
        Proposals {
            questions: extract
                .questions
                .iter()
                .take(most)
                .map(|q| ProposedQuestion {
                    accept: true,
                    asker: q.asker.clone().unwrap_or_default(),
                    responder: q.responder.clone().unwrap_or_default(),
                    action: refs(q.action_ref.as_ref()),
                    source: q.text.clone(),
                    mark: None,
                })
                .collect(),
            commitments,
            resolutions: extract
                .resolutions
                .iter()
                .take(most)
                .map(|r| ProposedResolution {
                    accept: true,
                    text: r.text.clone(),
                    outcome: r.outcome.as_str(),
                })
                .collect(),
        }
    }

    /// The findings as posted back by the review form.
    fn posted(f: &HashMap<String, String>) -> Proposals {
        let get = |k: String| f.get(&k).map(|s| s.trim().to_owned()).unwrap_or_default();
        let count = |k: &str| {
            get(k.into())
                .parse::<usize>()
                .unwrap_or(0)
                .min(MAX_FINDINGS + 1)
        };
        let ticked = |k: String| f.contains_key(&k);
        Proposals {
            questions: (0..count("q-count"))
                .map(|i| ProposedQuestion {
                    accept: ticked(format!("q-{i}-accept")),
                    asker: get(format!("q-{i}-asker")),
                    responder: get(format!("q-{i}-responder")),
                    action: get(format!("q-{i}-action")),
                    source: get(format!("q-{i}-source")),
                    mark: None,
                })
                .collect(),
            commitments: (0..count("c-count"))
                .map(|i| ProposedCommitment {
                    accept: ticked(format!("c-{i}-accept")),
                    text: get(format!("c-{i}-text")),
                    owner: get(format!("c-{i}-owner")),
                    due: get(format!("c-{i}-due")),
                    due_text: get(format!("c-{i}-due-text")),
                    action: get(format!("c-{i}-action")),
                    source: get(format!("c-{i}-source")),
                    mark: None,
                    proposed: get(format!("c-{i}-proposed")),
                    cue: get(format!("c-{i}-cue")),
                    confidence: get(format!("c-{i}-confidence")).parse().ok(),
                    possible: f.contains_key(&format!("c-{i}-possible")),
                })
                .collect(),
            resolutions: (0..count("r-count"))
                .map(|i| ProposedResolution {
                    accept: ticked(format!("r-{i}-accept")),
                    text: get(format!("r-{i}-text")),
                    outcome: get(format!("r-{i}-outcome"))
                        .parse::<ResolutionOutcome>()
                        .unwrap_or_default()
                        .as_str(),
                })
                .collect(),
        }
    }
}

/// The minutes form, as typed: which step it is, the minutes, the agenda
/// item's version and the findings as the clerk has them, each finding's
/// fields posted as `q-N-…` (questions), `c-N-…` (promises) and `r-N-…`
/// (resolutions) with `q-count`, `c-count` and `r-count` saying how many.
#[derive(Default)]
pub struct MinutesFields {
    /// "accept" records the findings; anything else finds them for review.
    step: String,
    /// The minutes, pasted or carried from the review.
    minutes: String,
    /// The agenda item's version the review was shown with.
    version: String,
    /// The findings as posted back by the review form.
    findings: Proposals,
}

impl From<Vec<(String, String)>> for MinutesFields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = MinutesFields::default();
        let mut rows = HashMap::new();
        for (name, value) in pairs {
            match name.as_str() {
                "step" => f.step = value,
                "minutes" => f.minutes = value,
                "version" => f.version = value,
                "csrf" => {}
                _ => {
                    rows.insert(name, value);
                }
            }
        }
        f.findings = Proposals::posted(&rows);
        f
    }
}

/// What an accepted review enters in the record: the minutes and the
/// findings ticked.
struct Accepted(AcceptedMinutes);

impl TryFrom<(&MinutesFields, Option<&PlanTree>, &Picker)> for Accepted {
    type Error = Vec<FieldError>;

    /// The ticked findings and the minutes as they will enter the record,
    /// references read against `tree` (the plan the item covers) and the
    /// `picker`'s actions; else every finding's error, each naming its
    /// finding and linked to its field.
    fn try_from(
        (f, tree, picker): (&MinutesFields, Option<&PlanTree>, &Picker),
    ) -> Result<Self, Self::Error> {
        let (minutes, p) = (&f.minutes, &f.findings);
        let mut errors = Vec::new();
        let mut error = |field: String, message: String| errors.push(FieldError { field, message });
        let action = |field: String,
                      raw: &str,
                      error: &mut dyn FnMut(String, String)|
         -> Option<i64> {
            if raw.is_empty() {
                return None;
            }
            if let Some(id) = raw.strip_prefix(CHOSEN) {
                let id = id.parse::<i64>().ok().filter(|id| picker.ids.contains(id));
                if id.is_none() {
                    error(
                        field,
                        "Choose the action from the list, or choose none".into(),
                    );
                }
                return id;
            }
            match (raw.parse::<ActionRef>(), tree) {
                (Err(_), _) => {
                    error(
                        field,
                        format!(
                            "Action {raw:?} is not an action reference such as 10A, 1.2.3 or ASC 3.2; correct it or leave it empty"
                        ),
                    );
                    None
                }
                (Ok(r), Some(tree)) => {
                    let id = minutes::action_id(Some(tree), Some(&r));
                    if id.is_none() {
                        error(
                            field,
                            format!(
                                "Action {r} is not in the {} plan this item covers; correct it or leave it empty",
                                tree.plan.year
                            ),
                        );
                    }
                    id.map(domain::ActionId::get)
                }
                (Ok(_), None) => {
                    error(field, "This agenda item covers no plan, so it cannot link to an action; leave the action empty".into());
                    None
                }
            }
        };
        let mut record = AcceptedMinutes {
            minutes: minutes.to_owned(),
            ..AcceptedMinutes::default()
        };
        for (i, q) in p.questions.iter().enumerate().filter(|(_, q)| q.accept) {
            let n = i + 1;
            let action_id = action(format!("q-{i}-action"), &q.action, &mut error);
            let mut person = |field: &str, raw: &str, what: &'static str| {
                finding_name(raw, what).unwrap_or_else(|e| {
                    error(format!("q-{i}-{field}"), format!("Question {n}: {e}"));
                    None
                })
            };
            let (asker, responder) = (
                person("asker", &q.asker, "name of who asked"),
                person("responder", &q.responder, "name of who answered"),
            );
            match finding_text(&q.source, "question") {
                Ok(Some(source)) => record.questions.push(NewQuestion {
                    asker,
                    responder,
                    action_id: action_id.map(domain::ActionId::new),
                    source,
                }),
                Ok(None) => error(
                    format!("q-{i}-accept"),
                    format!("Question {n} has no text; untick it"),
                ),
                Err(e) => error(
                    format!("q-{i}-accept"),
                    format!(
                        "Question {n}: {e}; untick it, or shorten it in the minutes and read them again"
                    ),
                ),
            }
        }
        for (i, c) in p.commitments.iter().enumerate().filter(|(_, c)| c.accept) {
            let n = i + 1;
            let action_id = action(format!("c-{i}-action"), &c.action, &mut error);
            let due_by = optional(&c.due, str::parse::<TargetDate>).unwrap_or_else(|e| {
                error(
                    format!("c-{i}-due"),
                    format!("Promise {n}: the due date must be {}", e.expected),
                );
                None
            });
            let owner = finding_name(&c.owner, "owner").unwrap_or_else(|e| {
                error(format!("c-{i}-owner"), format!("Promise {n}: {e}"));
                None
            });
            match finding_text(&c.text, "promise") {
                Ok(Some(text)) => record.commitments.push(NewCommitment {
                    source: Text::parse("source", &c.source)
                        .ok()
                        .filter(|s| !s.as_str().trim().is_empty())
                        .unwrap_or_else(|| text.clone()),
                    text,
                    owner,
                    due_by,
                    due_text: c.due_text.clone(),
                    action_id: action_id.map(domain::ActionId::new),
                }),
                Ok(None) => error(
                    format!("c-{i}-text"),
                    format!("Promise {n}: enter what was promised, or untick it"),
                ),
                Err(e) => error(format!("c-{i}-text"), format!("Promise {n}: {e}")),
            }
        }
        record.reviewed = p
            .commitments
            .iter()
            .filter(|c| !c.cue.is_empty())
            .map(|c| ReviewedProposal {
                proposed: if c.proposed.is_empty() {
                    c.text.clone()
                } else {
                    c.proposed.clone()
                },
                cue: c.cue.clone(),
                confidence: f64::from(c.confidence.unwrap_or(0)) / 100.0,
                kept: c.accept,
                recorded: c.accept.then(|| c.text.clone()),
            })
            .collect();
        for (i, r) in p.resolutions.iter().enumerate().filter(|(_, r)| r.accept) {
            match finding_text(&r.text, "resolution") {
                Ok(Some(text)) => record.resolutions.push(NewResolution {
                    text,
                    outcome: r.outcome.parse().unwrap_or_default(),
                }),
                Ok(None) => error(
                    format!("r-{i}-text"),
                    format!(
                        "Resolution {}: enter what was resolved, or untick it",
                        i + 1
                    ),
                ),
                Err(e) => error(format!("r-{i}-text"), format!("Resolution {}: {e}", i + 1)),
            }
        }
        parsed(errors, Some(Accepted(record)))
    }
}

/// A finding's text as the clerk left it: none when left empty; else what
/// is wrong with it ("the promise must be at most … characters").
fn finding_text(raw: &str, what: &'static str) -> Result<Option<Text>, String> {
    match Text::parse(what, raw) {
        Ok(t) if t.is_empty() => Ok(None),
        Ok(t) => Ok(Some(t)),
        Err(e) => Err(format!("the {what} must be {}", e.expected)),
    }
}

/// A person named in a finding (who asked, answered or owns a promise):
/// none when left empty; else what is wrong with the name.
fn finding_name(raw: &str, what: &'static str) -> Result<Option<Title>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    Title::parse(what, raw)
        .map(Some)
        .map_err(|e| format!("the {what} must be {}", e.expected))
}

/// The agenda item, its body and the viewer, for a clerk.
async fn item_for_clerk(
    state: &AppState,
    Clerk { viewer, body }: Clerk,
    id: domain::AgendaItemId,
) -> Result<(Viewer, Body, AgendaItem), WebError> {
    let item = match state.store().agenda_item(id).await {
        Ok(i) => i,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let meeting = state.store().meeting(item.meeting_id).await?;
    if state.store().committee(meeting.committee_id).await?.body_id != body.id {
        return Err(WebError::NotFound);
    }
    Ok((viewer, body, item))
}

/// How a chosen action's value starts in the picker ("action-12"), apart
/// from a reference typed ("10A").
const CHOSEN: &str = "action-";

/// The actions a finding can concern: those of the plan the item's report
/// covers, then of the approved plans of the portfolios the committee
/// scrutinises (of the body, when it scrutinises none), plan by plan.
#[derive(Default)]
struct Picker {
    groups: Vec<ActionGroup>,
    /// (reference key, action id), the item's plan first.
    refs: Vec<(String, i64)>,
    ids: HashSet<i64>,
}

impl Picker {
    /// The picker's value for the action `reference` names (the first plan
    /// holding it), else the reference as written, else empty.
    fn choose(&self, reference: Option<&ActionRef>) -> String {
        let Some(r) = reference else {
            return String::new();
        };
        self.refs
            .iter()
            .find(|(key, _)| key == r.key())
            .map(|(_, id)| format!("{CHOSEN}{id}"))
            .unwrap_or_else(|| r.to_string())
    }
}

/// The action picker for `item`, a meeting of a committee of `body`.
async fn picker(state: &AppState, body: &Body, item: &AgendaItem) -> Result<Picker, WebError> {
    let meeting = state.store().meeting(item.meeting_id).await?;
    let scrutinised: Vec<String> = state
        .store()
        .committee_portfolios(meeting.committee_id)
        .await?
        .into_iter()
        .map(|p| p.code.to_string())
        .collect();
    let mut plans: Vec<(domain::PlanId, String)> = state
        .store()
        .body_plans(body.id)
        .await?
        .into_iter()
        .filter(|p| scrutinised.is_empty() || scrutinised.contains(&p.portfolio_code))
        .map(|p| (p.plan_id, format!("{} {}", p.portfolio_code, p.year)))
        .collect();
    // The item's own plan first, whatever its state.
    plans.sort_by_key(|(id, _)| Some(*id) != item.plan_id);
    if let Some(own) = item.plan_id
        && !plans.iter().any(|(id, _)| *id == own)
    {
        let tree = state.store().plan_tree(own).await?;
        let code = state
            .store()
            .portfolio_by_id(tree.plan.portfolio_id)
            .await?
            .code;
        plans.insert(0, (own, format!("{code} {}", tree.plan.year)));
    }
    let mut out = Picker::default();
    for (plan_id, label) in plans {
        let tree = state.store().plan_tree(plan_id).await?;
        let own = Some(plan_id) == (item.plan_id.map(domain::PlanId::get)).map(domain::PlanId::new);
        if !own && tree.plan.status != domain::PlanStatus::Approved {
            continue;
        }
        let mut actions = Vec::new();
        for a in &tree.actions {
            out.refs
                .push((a.details.reference.key().to_owned(), a.id.get()));
            out.ids.insert(a.id.get());
            actions.push((
                format!("{CHOSEN}{}", a.id),
                format!("{}: {}", a.details.reference, a.details.title),
            ));
        }
        if !actions.is_empty() {
            out.groups.push(ActionGroup {
                label: if own {
                    format!("{label} (the plan this item's report covers)")
                } else {
                    label
                },
                actions,
            });
        }
    }
    Ok(out)
}

/// Where each finding was found in `minutes`: the sentences to mark (by
/// their index among the minutes' sentences) with their ranges. Each
/// finding's `mark` is set to its first sentence, and a promise found
/// without its sentences gets them as its `source`.
fn find_sources(minutes: &str, p: &mut Proposals) -> Vec<(Range<usize>, usize)> {
    let spans = crate::record::sentence_spans(minutes);
    let mut marked: std::collections::BTreeMap<usize, Range<usize>> = Default::default();
    // Findings come in the order of the text: look from the last one on first.
    let mut locate = |probe: &str, whole: &str, from: &mut usize| -> Option<(usize, usize)> {
        let probe: String = probe.trim().chars().take(60).collect();
        if probe.is_empty() {
            return None;
        }
        let at = minutes
            .get(*from..)
            .and_then(|rest| rest.find(probe.as_str()))
            .map(|i| i + *from)
            .or_else(|| minutes.find(probe.as_str()))?;
        *from = at;
        let end = if minutes[at..].starts_with(whole.trim()) {
            at + whole.trim().len()
        } else {
            at + probe.len()
        };
        let first = spans.partition_point(|s| s.end <= at);
        let last = spans.partition_point(|s| s.start < end).max(first + 1);
        let last = last.min(spans.len());
        for (i, span) in spans.iter().enumerate().take(last).skip(first) {
            marked.insert(i, span.clone());
        }
        (first < spans.len()).then_some((first, last))
    };
    let mut from = 0;
    for q in &mut p.questions {
        q.mark = locate(&q.source, &q.source, &mut from).map(|(first, _)| first);
    }
    let mut from = 0;
    for c in &mut p.commitments {
        let probe = [&c.source, &c.proposed, &c.text]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        if let Some((first, last)) = locate(&probe, &probe, &mut from) {
            c.mark = Some(first);
            if c.source.trim().is_empty() {
                c.source = minutes[spans[first].start..spans[last - 1].end].to_owned();
            }
        }
    }
    marked.into_iter().map(|(i, r)| (r, i)).collect()
}

/// What a minutes page shows: the paste form, or the review of what the
/// minutes say beside them.
struct Shown<'a> {
    viewer: &'a Viewer,
    body: &'a Body,
    /// The agenda item whose minutes they are.
    item: &'a AgendaItem,
    /// The minutes: as recorded, brought over, pasted or read from a file.
    minutes: String,
    /// Where minutes brought over by a ModernGov sync came from.
    queued_from: Option<String>,
    /// The findings under review; none while the minutes are pasted.
    proposals: Option<Proposals>,
    /// The actions a finding can concern.
    picker: &'a Picker,
    /// What is wrong with the form, each against its field.
    errors: Vec<FieldError>,
}

fn page(shown: Shown<'_>) -> PageResult {
    let Shown {
        viewer,
        body,
        item,
        minutes,
        queued_from,
        proposals,
        picker,
        errors,
    } = shown;
    let failed = !errors.is_empty();
    let reviewing = proposals.is_some();
    let mut p = proposals.unwrap_or_default();
    let (words, marks) = if reviewing {
        (
            minutes.split_whitespace().count(),
            find_sources(&minutes, &mut p),
        )
    } else {
        (0, vec![])
    };
    let page = MinutesPage {
        chrome: chrome(Some(viewer), Some(body)),
        heading: format!("Minutes of item {}: {}", item.number, item.title),
        meeting_href: format!(
            "/b/{}/meetings/{}#item-{}",
            body.slug, item.meeting_id, item.id
        ),
        href: format!("/b/{}/agenda-items/{}/minutes", body.slug, item.id),
        csrf: viewer.csrf.clone().unwrap_or_default(),
        version: item.version.get(),
        words,
        queued_from,
        minutes: MINUTES_HERE.into(),
        marked: MARKED_HERE.into(),
        reviewing,
        questions: p.questions,
        commitments: p.commitments,
        resolutions: p.resolutions,
        outcomes: ResolutionOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        picker: picker
            .groups
            .iter()
            .map(|g| ActionGroup {
                label: g.label.clone(),
                actions: g.actions.clone(),
            })
            .collect(),
        errors,
    };
    let status = status_of(failed);
    let html = page.render()?;
    drop(page);
    let text: Arc<str> = Arc::from(minutes);
    let mut parts = VecDeque::new();
    let mut rest = html.as_str();
    loop {
        let next = [MARKED_HERE, MINUTES_HERE]
            .into_iter()
            .filter_map(|p| rest.find(p).map(|at| (at, p)))
            .min();
        let Some((at, placeholder)) = next else {
            parts.push_back(Part::Html(rest.to_owned().into()));
            break;
        };
        parts.push_back(Part::Html(rest[..at].to_owned().into()));
        parts.push_back(if placeholder == MARKED_HERE {
            Part::Marked {
                text: text.clone(),
                at: 0,
                marks: marks.clone().into(),
            }
        } else {
            Part::Plain {
                text: text.clone(),
                at: 0,
            }
        });
        rest = &rest[at + placeholder.len()..];
    }
    drop(html);
    let body = axum::body::Body::new(PageWithMinutes { parts });
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response())
}

/// Where the page's template puts the minutes, which are then escaped
/// into the response piece by piece instead of into one page-sized string.
const MINUTES_HERE: &str = "\u{1}minutes\u{1}";

/// Where the review shows the minutes to read, paragraph by paragraph with
/// each finding's sentences marked, likewise a piece at a time.
const MARKED_HERE: &str = "\u{1}marked\u{1}";

/// How much of the minutes is escaped at a time.
const PIECE: usize = 64 * 1024;

/// One part of a minutes page as it is sent.
enum Part {
    /// Markup of the page.
    Html(axum::body::Bytes),
    /// The minutes escaped, from byte `at` on.
    Plain { text: Arc<str>, at: usize },
    /// The minutes as paragraphs, with the sentences of `marks` (range,
    /// sentence index) in `<mark>`, from byte `at` on.
    Marked {
        text: Arc<str>,
        at: usize,
        marks: VecDeque<(Range<usize>, usize)>,
    },
}

impl Part {
    /// The next piece of the part, or none when it is all sent.
    fn next_piece(&mut self) -> Option<axum::body::Bytes> {
        match self {
            Part::Html(b) => (!b.is_empty()).then(|| std::mem::take(b)),
            Part::Plain { text, at } => {
                if *at >= text.len() {
                    return None;
                }
                let mut end = (*at + PIECE).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let piece = escape(&text[*at..end]);
                *at = end;
                Some(piece.into())
            }
            Part::Marked { text, at, marks } => {
                if *at >= text.len() {
                    return None;
                }
                let mut out = String::new();
                while *at < text.len() && out.len() < PIECE {
                    let end = text[*at..].find('\n').map_or(text.len(), |i| *at + i);
                    if !text[*at..end].trim().is_empty() {
                        out.push_str("<p class=\"govuk-body\">");
                        let mut pos = *at;
                        while let Some((range, n)) = marks.front().cloned() {
                            if range.start >= end {
                                break;
                            }
                            marks.pop_front();
                            let start = range.start.max(pos);
                            out.push_str(&escape(&text[pos..start]));
                            out.push_str(&format!("<mark id=\"m-{n}\">"));
                            out.push_str(&escape(&text[start..range.end.min(end)]));
                            out.push_str("</mark>");
                            pos = range.end.min(end);
                        }
                        out.push_str(&escape(&text[pos..end]));
                        out.push_str("</p>\n");
                    }
                    *at = end + 1;
                }
                Some(out.into())
            }
        }
    }
}

/// A minutes page as it is sent: the page's markup, with the minutes
/// escaped into it a piece at a time where the template placed them.
struct PageWithMinutes {
    parts: VecDeque<Part>,
}

impl axum::body::HttpBody for PageWithMinutes {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let data = loop {
            let Some(part) = self.parts.front_mut() else {
                break None;
            };
            match part.next_piece() {
                Some(piece) => break Some(piece),
                None => {
                    self.parts.pop_front();
                }
            }
        };
        std::task::Poll::Ready(data.map(|d| Ok(hyper::body::Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }
}

/// `text` escaped for HTML text or a quoted attribute, as the templates
/// escape it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '&' => out.push_str("&#38;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            c => out.push(c),
        }
    }
    out
}

/// `GET /b/{body}/agenda-items/{id}/minutes`: paste the minutes.
pub async fn form(
    State(state): State<AppState>,
    clerk: Clerk,
    Path((_, id)): Path<(String, domain::AgendaItemId)>,
) -> PageResult {
    let (viewer, body, item) = item_for_clerk(&state, clerk, id).await?;
    // Minutes the committee system published, brought over by a ModernGov
    // sync, wait here for the clerk until minutes are recorded.
    let queued = if item.minutes.is_empty() {
        state.store().queued_minutes_of(item.id).await?
    } else {
        None
    };
    let (minutes, queued_from) = match queued {
        Some(q) => (q.minutes, Some(q.source)),
        None => (item.minutes.clone(), None),
    };
    page(Shown {
        viewer: &viewer,
        body: &body,
        item: &item,
        minutes,
        queued_from,
        proposals: None,
        picker: &Picker::default(),
        errors: vec![],
    })
}

/// `POST /b/{body}/agenda-items/{id}/minutes`: with `step=review`, find
/// what the minutes say and show it for review; with `step=accept`, record
/// the ticked findings and the minutes.
pub async fn post(
    State(state): State<AppState>,
    clerk: Clerk,
    Path((_, id)): Path<(String, domain::AgendaItemId)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (viewer, body, item) = item_for_clerk(&state, clerk, id).await?;
    let meeting = state.store().meeting(item.meeting_id).await?;
    let fields = MinutesFields::from(pairs);
    if fields.step != "accept" {
        let raw = fields.minutes;
        return review(
            &state,
            viewer,
            body,
            item,
            meeting.held_on,
            raw.into_bytes(),
        )
        .await;
    }
    let tree = match item.plan_id {
        Some(plan) => Some(state.store().plan_tree(plan).await?),
        None => None,
    };
    let picker = picker(&state, &body, &item).await?;
    let errors = match Accepted::try_from((&fields, tree.as_deref(), &picker)) {
        Ok(Accepted(record)) => match state
            .store()
            .accept_minutes(&viewer.actor(), item.id, version(&fields.version), record)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/b/{}/meetings/{}?recorded={}#item-{}",
                    body.slug, item.meeting_id, item.id, item.id
                ))
                .into_response());
            }
            Err(e) if e.is_user_error() => vec![FieldError {
                field: "minutes".into(),
                message: capital(&e.to_string()),
            }],
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    page(Shown {
        viewer: &viewer,
        body: &body,
        item: &item,
        minutes: fields.minutes,
        queued_from: None,
        proposals: Some(fields.findings),
        picker: &picker,
        errors,
    })
}

/// Find what `input` says and show it for review. The input is decoded
/// once (HTML becomes its text) and dropped; the page quotes each finding
/// and carries the text once, in the form that accepts it. All of it runs
/// on one blocking thread: a large file takes a while, and its memory is
/// then reused from one upload to the next. One review runs at a time
/// (the others wait, within the request timeout), so several large uploads
/// at once do not add up their peaks.
async fn review(
    state: &AppState,
    viewer: Viewer,
    body: Body,
    mut item: AgendaItem,
    held_on: chrono::NaiveDate,
    input: Vec<u8>,
) -> PageResult {
    item.minutes = String::new();
    let picker = picker(state, &body, &item).await?;
    let permit = state
        .minutes_review()
        .acquire()
        .await
        .map_err(|e| WebError::Refused(format!("the minutes could not be read ({e})")))?;
    let reviewed = tokio::task::spawn_blocking(move || {
        let refuse = |message: String| {
            let errors = vec![FieldError {
                field: "minutes".into(),
                message,
            }];
            page(Shown {
                viewer: &viewer,
                body: &body,
                item: &item,
                minutes: String::new(),
                queued_from: None,
                proposals: None,
                picker: &picker,
                errors,
            })
        };
        let text = match minutes::into_plain_text(input) {
            Ok(text) => text,
            Err(e) => return refuse(capital(&e.to_string())),
        };
        if text.trim().is_empty() {
            return refuse("Paste the minutes of the item, or choose a file of them".into());
        }
        let options = minutes::Options {
            source: None,
            meeting_date: Some(held_on),
            max_findings: Some(MAX_FINDINGS),
            all_candidates: false,
        };
        let proposals = Proposals::found(&minutes::extract_text(&text, &options), &picker);
        // Review the text as read (HTML becomes its text), so the record
        // keeps readable minutes whatever was pasted or uploaded.
        page(Shown {
            viewer: &viewer,
            body: &body,
            item: &item,
            minutes: text,
            queued_from: None,
            proposals: Some(proposals),
            picker: &picker,
            errors: vec![],
        })
    })
    .await;
    drop(permit);
    reviewed.map_err(|e| WebError::Refused(format!("the minutes could not be read ({e})")))?
}

/// The minutes (`uploaded` as a file, or pasted) are larger than `limit`.
pub(crate) fn too_large(limit: usize, uploaded: bool) -> WebError {
    if uploaded {
        WebError::TooLarge {
            what: "the file of minutes",
            limit,
            advice: "upload the minutes of this one item only",
        }
    } else {
        WebError::TooLarge {
            what: "the minutes",
            limit,
            advice: "paste the minutes of this one item only",
        }
    }
}

/// `POST /b/{body}/agenda-items/{id}/minutes/upload`: a file of minutes
/// (text, or a committee system's saved HTML page), for review. The file is
/// read chunk by chunk and refused with 413 as soon as it passes
/// [`crate::Limits::minutes_bytes`], so it is never held beyond the limit.
pub async fn upload(
    State(state): State<AppState>,
    clerk: Clerk,
    headers: HeaderMap,
    Path((_, id)): Path<(String, domain::AgendaItemId)>,
    mut form: axum::extract::Multipart,
) -> PageResult {
    let limit = state.limits().minutes_bytes;
    let (viewer, body, item) = item_for_clerk(&state, clerk, id).await?;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit + crate::form::FORM_SLACK) {
        return Err(too_large(limit, true));
    }
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large(limit, true);
        }
        WebError::Refused(format!(
            "the file could not be read ({e}); choose it again, or paste the minutes instead"
        ))
    };
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => {
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if csrf.len() + chunk.len() > 256 {
                        return Err(WebError::Forged);
                    }
                    csrf.push_str(&String::from_utf8_lossy(&chunk));
                }
            }
            Some("file") => {
                check_form(&headers, &viewer, &csrf)?;
                file = Vec::with_capacity(declared.unwrap_or(0).min(limit));
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if file.len() + chunk.len() > limit {
                        return Err(too_large(limit, true));
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    check_form(&headers, &viewer, &csrf)?;
    drop(form);
    let meeting = state.store().meeting(item.meeting_id).await?;
    review(&state, viewer, body, item, meeting.held_on, file).await
}

fn capital(s: &str) -> String {
    crate::words::capitalise(s)
}

/// The routes of the clerk's review of an agenda item's minutes.
pub(crate) fn routes(limits: &crate::Limits) -> axum::Router<AppState> {
    let minutes_limit =
        axum::extract::DefaultBodyLimit::max(limits.minutes_bytes + crate::form::FORM_SLACK);
    axum::Router::new()
        .route(
            "/b/{body}/agenda-items/{id}/minutes",
            axum::routing::get(form).post(post).layer(minutes_limit),
        )
        .route(
            "/b/{body}/agenda-items/{id}/minutes/upload",
            axum::routing::post(upload).layer(minutes_limit),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(posted: &[(&str, &str)]) -> MinutesFields {
        MinutesFields::from(crate::form::pairs(posted))
    }

    #[test]
    fn a_review_wrong_in_several_findings_names_each_findings_field() {
        let f = posted(&[
            ("step", "accept"),
            ("minutes", "The Director undertook to report back."),
            ("q-count", "1"),
            ("q-0-accept", "on"),
            ("q-0-source", "  "),
            ("c-count", "3"),
            ("c-0-accept", "on"),
            ("c-0-text", ""),
            ("c-0-due", "soon"),
            ("c-1-accept", "on"),
            ("c-1-text", "Report back on waiting times"),
            ("c-1-action", "10A"),
            ("c-2-text", "Unticked, so never read"),
            ("c-2-due", "whenever"),
            ("r-count", "1"),
            ("r-0-accept", "on"),
            ("r-0-text", ""),
        ]);
        let Err(errors) = Accepted::try_from((&f, None, &Picker::default())) else {
            panic!("five findings are wrong");
        };
        assert_eq!(
            crate::form::fields_of(&errors),
            [
                "q-0-accept",
                "c-0-due",
                "c-0-text",
                "c-1-action",
                "r-0-text"
            ]
        );
        assert_eq!(errors[0].message, "Question 1 has no text; untick it");
        assert!(
            errors[1]
                .message
                .starts_with("Promise 1: the due date must be"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[3].message.contains("leave the action empty"),
            "{}",
            errors[3].message
        );
    }

    #[test]
    fn a_finding_too_long_to_keep_says_so_rather_than_that_it_is_empty() {
        let long = "w".repeat(Text::MAX_CHARS + 1);
        let name = "N".repeat(Title::MAX_CHARS + 1);
        let f = posted(&[
            ("step", "accept"),
            ("minutes", "The Director undertook to report back."),
            ("q-count", "1"),
            ("q-0-accept", "on"),
            ("q-0-source", &long),
            ("q-0-asker", &name),
            ("c-count", "1"),
            ("c-0-accept", "on"),
            ("c-0-text", &long),
            ("c-0-owner", &name),
            ("r-count", "1"),
            ("r-0-accept", "on"),
            ("r-0-text", &long),
        ]);
        let Err(errors) = Accepted::try_from((&f, None, &Picker::default())) else {
            panic!("every finding is too long");
        };
        assert_eq!(
            crate::form::fields_of(&errors),
            [
                "q-0-asker",
                "q-0-accept",
                "c-0-owner",
                "c-0-text",
                "r-0-text"
            ]
        );
        let most = format!("at most {} characters", Text::MAX_CHARS);
        assert!(
            errors[1]
                .message
                .starts_with("Question 1: the question must be")
        );
        assert!(errors[1].message.contains(&most), "{}", errors[1].message);
        assert!(
            errors[0]
                .message
                .starts_with("Question 1: the name of who asked must be")
        );
        assert!(
            errors[2]
                .message
                .starts_with("Promise 1: the owner must be")
        );
        assert_eq!(
            errors[3].message,
            format!("Promise 1: the promise must be {most}")
        );
        assert_eq!(
            errors[4].message,
            format!("Resolution 1: the resolution must be {most}")
        );
        for e in &errors {
            assert!(
                !e.message.contains("www"),
                "the value is not repeated back: {}",
                e.message
            );
        }
    }

    #[test]
    fn a_review_filled_in_records_the_ticked_findings() {
        let f = posted(&[
            ("csrf", "secret"),
            ("step", "accept"),
            ("version", "4"),
            (
                "minutes",
                "Cllr Ross asked about waiting times. The Director undertook to report back by March 2025.",
            ),
            ("q-count", "1"),
            ("q-0-accept", "on"),
            ("q-0-asker", "Cllr Ross"),
            ("q-0-source", "Cllr Ross asked about waiting times."),
            ("c-count", "2"),
            ("c-0-accept", "on"),
            ("c-0-text", "Report back on waiting times"),
            ("c-0-owner", "Director"),
            ("c-0-due", "March 2025"),
            ("c-1-text", "Not ticked"),
            ("r-count", "1"),
            ("r-0-accept", "on"),
            ("r-0-text", "The report was noted"),
            ("r-0-outcome", "noted"),
        ]);
        assert_eq!(f.step, "accept");
        assert_eq!(version(&f.version), domain::Version::new(4));
        let Accepted(record) =
            Accepted::try_from((&f, None, &Picker::default())).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(record.minutes.starts_with("Cllr Ross asked"));
        assert_eq!(record.questions.len(), 1);
        assert_eq!(
            record.questions[0]
                .asker
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("Cllr Ross")
        );
        assert_eq!(record.commitments.len(), 1, "only the ticked promise");
        let promise = &record.commitments[0];
        assert_eq!(promise.text.as_str(), "Report back on waiting times");
        assert_eq!(
            promise.due_by.map(|d| d.to_string()).as_deref(),
            Some("March 2025")
        );
        assert_eq!(
            promise.source.as_str(),
            promise.text.as_str(),
            "the clerk's own promise is its source"
        );
        assert_eq!(record.resolutions.len(), 1);
    }
}
