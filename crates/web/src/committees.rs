//! The committee's record on the web: committees with their members,
//! meetings and log of promises; meeting pages with each agenda item's
//! minutes, questions, commitments and resolutions; and the clerk's forms.
//!
//! Clerks (and performance officers and administrators) keep the record;
//! people of the body read all of it; the public sees published meetings only.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect};
use chrono::NaiveDate;
use domain::{
    Access, Body, Commitment, CommitmentStatus, Meeting, MeetingStatus, MemberRole, Standing, Text,
    Title,
};
use store::{
    Closing, Closure, CommitmentsOf, CommitteeDetails, LoggedCommitment, MeetingDetails,
    MemberDetails, NewAgendaItem,
};

use crate::AppState;
use crate::auth::Viewer;
use crate::dates::DateParts;
use crate::error::{Path, WebError};
use crate::forms::{conflict_or, field as text_field, render};
use crate::promise_log::{LogFilter, LogQuery, filter_view, visible_log};
use crate::request::{body_for, check_form, chrome, need_sign_in, viewer};
use crate::views::{
    CheckGroup, Choice, CommitteePage, CommitteesPage, DateField, FieldError, ItemView,
    MeetingPage, MemberRow, PromiseRow, QuestionRow, SelectField, TextField, TextFormPage,
};
use crate::words::take;

type PageResult = Result<axum::response::Response, WebError>;

/// Today, for deciding what is overdue.
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Actions by id, as a log names them: (href, "10A: title").
pub(crate) type ActionLabels = HashMap<i64, (String, String)>;

/// The actions of `ids` that `access` may see (on a published plan, or any
/// plan for those who see unpublished ones), each with its page and
/// "reference: title". An action deleted since is left out.
pub(crate) async fn action_labels(
    state: &AppState,
    slug: &str,
    access: &Access,
    ids: Vec<i64>,
) -> Result<ActionLabels, WebError> {
    let mut plans: HashMap<i64, bool> = HashMap::new();
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
        id: c.id,
        version: c.version,
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

async fn body_and_access(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
) -> Result<(Option<Viewer>, Body, Access), WebError> {
    let viewer = viewer(state, headers).await?;
    let body = body_for(state, slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    Ok((viewer, body, access))
}

/// The signed-in viewer who may keep the committee record of body `slug`.
async fn keeper(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    path: &str,
) -> Result<(Viewer, Body), WebError> {
    let viewer = viewer(state, headers)
        .await?
        .ok_or_else(|| need_sign_in(path))?;
    let body = body_for(state, slug).await?;
    if !Viewer::access(Some(&viewer), body.id).keeps_committee_record() {
        return Err(WebError::Forbidden);
    }
    Ok((viewer, body))
}

/// The clerk's checks for a form post: signed in, may keep the record, the
/// form came from this site.
async fn clerk(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    path: &str,
    csrf: &str,
) -> Result<(Viewer, Body), WebError> {
    let (viewer, body) = keeper(state, headers, slug, path).await?;
    check_form(headers, &viewer, csrf)?;
    Ok((viewer, body))
}

/// The committee with `id`, when it belongs to `body`.
pub(crate) async fn committee_of(
    state: &AppState,
    body: &Body,
    id: &str,
) -> Result<domain::Committee, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    match state.store().committee(id).await {
        Ok(c) if c.body_id == body.id => Ok(c),
        Ok(_) | Err(store::StoreError::NotFound { .. }) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The meeting with `id` and its committee, when they belong to `body` and
/// `access` may see the meeting.
async fn meeting_of(
    state: &AppState,
    body: &Body,
    access: &Access,
    id: i64,
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

/// `GET /b/{body}/committees`.
pub async fn committees(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> PageResult {
    let (viewer, body, access) = body_and_access(&state, &headers, &slug).await?;
    committees_page(&state, viewer.as_ref(), &body, &access, vec![]).await
}

async fn committees_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    body: &Body,
    access: &Access,
    errors: Vec<FieldError>,
) -> PageResult {
    let today = today();
    let mut rows = Vec::new();
    for c in state.store().committees(body.id).await? {
        let log = state
            .store()
            .commitment_log(CommitmentsOf::Committee(c.id))
            .await?;
        let visible: Vec<&LoggedCommitment> = log
            .iter()
            .filter(|l| l.meeting.published || access.sees_unpublished())
            .collect();
        let count = |s: Standing| {
            visible
                .iter()
                .filter(|l| l.commitment.standing(today) == s)
                .count()
        };
        rows.push((
            format!("/b/{}/committees/{}", body.slug, c.id),
            c.name,
            count(Standing::Open),
            count(Standing::Overdue),
        ));
    }
    let failed = !errors.is_empty();
    let page = CommitteesPage {
        chrome: chrome(viewer, Some(body)),
        href: format!("/b/{}/committees", body.slug),
        rows,
        keeps: access.keeps_committee_record(),
        csrf: viewer.and_then(|v| v.csrf.clone()).unwrap_or_default(),
        errors,
    };
    Ok((status_of(failed), Html(page.render()?)).into_response())
}

/// 422 for a form shown again with its mistakes, else 200.
fn status_of(failed: bool) -> axum::http::StatusCode {
    if failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    }
}

/// `GET /b/{body}/committees/{id}`: members, meetings and the log of
/// promises, filtered by `?standing=…&action=…&owner=…&meeting=…` (a value
/// the log cannot be filtered by is left out, so the whole log shows).
pub async fn committee(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let (viewer, body, access) = body_and_access(&state, &headers, &slug).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let filter = LogFilter::lenient(&q);
    committee_page(
        &state,
        viewer.as_ref(),
        &body,
        &access,
        committee,
        &filter,
        vec![],
    )
    .await
}

async fn committee_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    body: &Body,
    access: &Access,
    committee: domain::Committee,
    filter: &LogFilter,
    errors: Vec<FieldError>,
) -> PageResult {
    let today = today();
    let log = visible_log(state, access, committee.id).await?;
    let actions = action_labels(
        state,
        body.slug.as_str(),
        access,
        log.iter().filter_map(|l| l.commitment.action_id).collect(),
    )
    .await?;
    let standing = |s: Standing| {
        log.iter()
            .filter(|l| l.commitment.standing(today) == s)
            .count()
    };
    let (overdue, open) = (standing(Standing::Overdue), standing(Standing::Open));
    let closed = log.len() - overdue - open;
    let mut promises: Vec<PromiseRow> = log
        .iter()
        .filter(|l| filter.keeps(l, today))
        .map(|l| promise_row(body.slug.as_str(), l, today, &actions))
        .collect();
    // What needs chasing first: overdue, then open, then closed.
    promises.sort_by_key(|p| match p.standing {
        "Overdue" => 0,
        "Open" => 1,
        _ => 2,
    });
    let href = format!("/b/{}/committees/{}", body.slug, committee.id);
    let filter = filter_view(&href, &log, promises.len(), filter, &actions);
    let meetings = state
        .store()
        .meetings(committee.id)
        .await?
        .into_iter()
        .filter(|m| m.published || access.sees_unpublished())
        .map(|m| {
            (
                format!("/b/{}/meetings/{}", body.slug, m.id),
                m.held_on.format("%-d %B %Y").to_string(),
                m.venue,
                m.status.label(),
                m.published,
            )
        })
        .collect();
    let members = if access.sees_unpublished() {
        state
            .store()
            .committee_members(committee.id)
            .await?
            .into_iter()
            .map(|m| {
                let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
                let term = match (m.term_from, m.term_to) {
                    (Some(f), Some(t)) => format!("{} to {}", day(f), day(t)),
                    (Some(f), None) => format!("from {}", day(f)),
                    (None, Some(t)) => format!("until {}", day(t)),
                    (None, None) => String::new(),
                };
                MemberRow {
                    serving: m.serves_on(today),
                    edit_href: format!("/b/{}/committee-members/{}/edit", body.slug, m.id),
                    name: m.name,
                    role: m.role.label(),
                    term,
                }
            })
            .collect()
    } else {
        vec![]
    };
    let portfolios = state
        .store()
        .committee_portfolios(committee.id)
        .await?
        .into_iter()
        .map(|p| format!("{} ({})", p.name, p.code))
        .collect();
    let failed = !errors.is_empty();
    let packs = crate::packs::pack_views(
        state
            .store()
            .published_packs(body.id, None)
            .await?
            .into_iter()
            .filter(|p| {
                p.committee
                    .trim()
                    .eq_ignore_ascii_case(committee.name.trim())
            })
            .collect(),
        access,
    );
    let page = CommitteePage {
        open_data: crate::open_data::committee_links(body.slug.as_str(), committee.id),
        packs,
        chrome: chrome(viewer, Some(body)),
        href,
        name: committee.name,
        clerk: committee.clerk,
        portfolios,
        summary: format!("{open} open, {overdue} overdue, {closed} delivered or withdrawn."),
        promises,
        filter,
        meetings,
        members,
        keeps: access.keeps_committee_record(),
        csrf: viewer.and_then(|v| v.csrf.clone()).unwrap_or_default(),
        roles: MemberRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        statuses: MeetingStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        term_from: DateField::new(
            "term-from",
            "Term starts (optional)",
            "For example, 5 5 2022",
            DateParts::default(),
            &errors,
        ),
        term_to: DateField::new(
            "term-to",
            "Term ends (optional)",
            "For example, 7 5 2026",
            DateParts::default(),
            &errors,
        ),
        held_on: DateField::new(
            "held-on",
            "Date",
            "For example, 12 3 2024",
            DateParts::default(),
            &errors,
        ),
        errors,
    };
    Ok((status_of(failed), Html(page.render()?)).into_response())
}

fn field(fields: &HashMap<String, String>, name: &str) -> String {
    fields
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// A date field of a simple form in the GOV.UK date input pattern,
/// showing what was posted (or stored) under `name`.
fn date_input(
    fields: &HashMap<String, String>,
    errors: &[FieldError],
    name: &str,
    legend: &str,
    hint: &str,
) -> TextField {
    TextField {
        date: Some(DateField::new(
            name,
            legend,
            hint,
            DateParts::posted(name, |k| fields.get(k).cloned()),
            errors,
        )),
        ..text_field(name, legend, "", String::new(), "")
    }
}

/// The date posted in field `name` (its three parts, or one), `None` when
/// empty; a mistake is noted against the field.
fn date_field(
    fields: &HashMap<String, String>,
    name: &str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match DateParts::posted(name, |k| fields.get(k).cloned()).parse(label, None) {
        Ok(d) => d,
        Err(e) => {
            errors.push(FieldError {
                field: name.into(),
                message: e.message,
            });
            None
        }
    }
}

/// `POST /b/{body}/committees/{id}/members`: add a member or co-opted member.
pub async fn add_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let mut errors = Vec::new();
    match member_details(&fields, &mut errors) {
        Some(details) => {
            state
                .store()
                .add_committee_member(&viewer.actor(), committee.id, &details)
                .await?;
            Ok(Redirect::to(&format!(
                "/b/{}/committees/{}#members",
                body.slug, committee.id
            ))
            .into_response())
        }
        None => {
            let access = Viewer::access(Some(&viewer), body.id);
            committee_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                committee,
                &LogFilter::default(),
                errors,
            )
            .await
        }
    }
}

/// A member's form, parsed; mistakes are noted against their fields.
fn member_details(
    fields: &HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<MemberDetails> {
    let name = Title::parse("name", &field(fields, "name"));
    let role = field(fields, "role").parse::<MemberRole>();
    let term_from = date_field(fields, "term-from", "Term start", errors);
    let term_to = date_field(fields, "term-to", "Term end", errors);
    if let Err(e) = &name {
        errors.push(FieldError {
            field: "name".into(),
            message: format!("Enter the member's name ({})", e.expected),
        });
    }
    if role.is_err() {
        errors.push(FieldError {
            field: "role".into(),
            message: "Choose the member's role".into(),
        });
    }
    if let (Some(f), Some(t)) = (term_from, term_to)
        && t < f
    {
        errors.push(FieldError {
            field: "term-to".into(),
            message: "The end of the term must be after its start".into(),
        });
    }
    match (name, role) {
        (Ok(name), Ok(role)) if errors.is_empty() => Some(MemberDetails {
            name,
            role,
            term_from,
            term_to,
        }),
        _ => None,
    }
}

/// A meeting's form, parsed; mistakes are noted against their fields.
fn meeting_details(
    fields: &HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<MeetingDetails> {
    let held_on = date_field(fields, "held-on", "Meeting date", errors);
    if held_on.is_none() && !errors.iter().any(|e| e.field == "held-on") {
        errors.push(FieldError {
            field: "held-on".into(),
            message: "Enter the meeting's date, like 12 March 2024".into(),
        });
    }
    let status = match field(fields, "status").as_str() {
        "" => Some(MeetingStatus::Scheduled),
        raw => raw.parse::<MeetingStatus>().ok(),
    };
    if status.is_none() {
        errors.push(FieldError {
            field: "status".into(),
            message: "Choose whether the meeting is scheduled, held or cancelled".into(),
        });
    }
    let venue = match field(fields, "venue").as_str() {
        "" => String::new(),
        raw => take(errors, "venue", Title::parse("venue", raw))
            .map(|t| t.to_string())
            .unwrap_or_default(),
    };
    match (held_on, status) {
        (Some(held_on), Some(status)) if errors.is_empty() => Some(MeetingDetails {
            held_on,
            venue,
            status,
            published: fields.contains_key("published"),
        }),
        _ => None,
    }
}

/// `POST /b/{body}/committees/{id}/meetings`: schedule or record a meeting.
pub async fn add_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let mut errors = Vec::new();
    match meeting_details(&fields, &mut errors) {
        Some(details) => {
            let m = state
                .store()
                .create_meeting(&viewer.actor(), committee.id, &details)
                .await?;
            Ok(Redirect::to(&format!("/b/{}/meetings/{}", body.slug, m.id)).into_response())
        }
        None => {
            let access = Viewer::access(Some(&viewer), body.id);
            committee_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                committee,
                &LogFilter::default(),
                errors,
            )
            .await
        }
    }
}

/// What a meeting page was sent to say: `?recorded={item}` after the
/// clerk accepted an item's minutes, `?done=published` after publishing.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MeetingQuery {
    /// The agenda item whose minutes were accepted.
    #[serde(default)]
    recorded: Option<String>,
    /// "published".
    #[serde(default)]
    done: Option<String>,
}

/// `GET /b/{body}/meetings/{id}`: the agenda, and for each item its minutes
/// and what the committee's record holds from them.
pub async fn meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<MeetingQuery>,
) -> PageResult {
    let (viewer, body, access) = body_and_access(&state, &headers, &slug).await?;
    meeting_page(&state, viewer.as_ref(), &body, &access, id, &q, vec![]).await
}

/// "3 promises", "1 question": `n` of `what`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The report pack of the period `item` covers, when the viewer may read
/// it (the plan published, or the viewer one who sees unpublished plans).
async fn item_reports(
    state: &AppState,
    body: &Body,
    access: &Access,
    item: &domain::AgendaItem,
) -> Result<Option<(String, Vec<crate::views::ReportLink>)>, WebError> {
    let (Some(plan_id), Some(half)) = (item.plan_id, item.half) else {
        return Ok(None);
    };
    let plan = match state.store().plan_by_id(plan_id).await {
        Ok(p) => p,
        Err(store::StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if plan.published_at.is_none() && !access.sees_unpublished() {
        return Ok(None);
    }
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    if portfolio.body_id != body.id {
        return Ok(None);
    }
    let href = format!(
        "{}/periods/{half}/report",
        crate::request::plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year)
    );
    Ok(Some((
        format!("{} {} {half}", portfolio.code, plan.year),
        crate::views::report_links(&href),
    )))
}

async fn meeting_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    body: &Body,
    access: &Access,
    id: i64,
    q: &MeetingQuery,
    errors: Vec<FieldError>,
) -> PageResult {
    let (meeting, committee) = meeting_of(state, body, access, id).await?;
    let today = today();
    let keeps = access.keeps_committee_record();
    let recorded: Option<i64> = q.recorded.as_deref().and_then(|r| r.parse().ok());
    let mut banner = None;
    let mut items = Vec::new();
    for item in state.store().agenda_items(meeting.id).await? {
        let log = state
            .store()
            .commitment_log(CommitmentsOf::Item(item.id))
            .await?;
        let raw_questions = state.store().questions_at(item.id).await?;
        let actions = action_labels(
            state,
            body.slug.as_str(),
            access,
            log.iter()
                .filter_map(|l| l.commitment.action_id)
                .chain(raw_questions.iter().filter_map(|q| q.action_id))
                .collect(),
        )
        .await?;
        let mut promises: Vec<PromiseRow> = log
            .iter()
            .map(|l| promise_row(body.slug.as_str(), l, today, &actions))
            .collect();
        let sentences = sentences(&item.minutes);
        let anchor = |source: &str| -> Option<usize> {
            let probe: String = source.chars().take(60).collect();
            sentences.iter().position(|s| s.contains(probe.trim()))
        };
        let resolutions: Vec<(String, &'static str)> = state
            .store()
            .resolutions_at(item.id)
            .await?
            .into_iter()
            .map(|r| (r.text, r.outcome.label()))
            .collect();
        if keeps && recorded == Some(item.id) && !item.minutes.is_empty() {
            let mut said = vec![
                count(promises.len(), "promise"),
                count(raw_questions.len(), "question"),
            ];
            if !resolutions.is_empty() {
                said.push(count(resolutions.len(), "resolution"));
            }
            let last = said.pop().unwrap_or_default();
            banner = Some(format!(
                "{} and {last} recorded for item {}",
                said.join(", "),
                item.number
            ));
        }
        let questions = raw_questions
            .into_iter()
            .map(|q| QuestionRow {
                asker: q.asker.unwrap_or_else(|| "Not recorded".into()),
                responder: q.responder.unwrap_or_else(|| "Not recorded".into()),
                action: q.action_id.and_then(|a| actions.get(&a).cloned()),
                sentence: anchor(&q.source),
                source: q.source,
                meeting: String::new(),
                meeting_href: String::new(),
            })
            .collect();
        for p in &mut promises {
            p.sentence = anchor(&p.source);
            p.paragraph = paragraph_of(&item.minutes, &p.source);
        }
        items.push(ItemView {
            id: item.id,
            reports: item_reports(state, body, access, &item).await?,
            number: item.number,
            title: item.title,
            report_ref: item.report_ref,
            sentences,
            questions,
            promises,
            resolutions,
            minutes_href: format!("/b/{}/agenda-items/{}/minutes", body.slug, item.id),
        });
    }
    if keeps && meeting.published && q.done.as_deref() == Some("published") {
        banner = Some("The meeting's record is published: the public can now see it".into());
    }
    // Items of this and later meetings of the committee: what can deliver a promise.
    let mut delivering = Vec::new();
    if keeps {
        for m in state.store().meetings(committee.id).await? {
            if m.held_on < meeting.held_on {
                continue;
            }
            for i in state.store().agenda_items(m.id).await? {
                delivering.push((
                    i.id,
                    format!(
                        "{}, item {}: {}",
                        m.held_on.format("%-d %B %Y"),
                        i.number,
                        i.title
                    ),
                ));
            }
        }
    }
    let plans = if keeps {
        state
            .store()
            .plans()
            .await?
            .into_iter()
            .filter(|p| p.body == body.slug.as_str())
            .flat_map(|p| {
                [domain::Half::H1, domain::Half::H2].map(|h| {
                    (
                        format!("{}:{h}", p.plan_id),
                        format!("{} {} {h}", p.portfolio_code, p.year),
                    )
                })
            })
            .collect()
    } else {
        vec![]
    };
    let failed = !errors.is_empty();
    // The packs published for this meeting: its committee's (or no
    // committee named) on its date.
    let packs = crate::packs::pack_views(
        state
            .store()
            .published_packs(body.id, None)
            .await?
            .into_iter()
            .filter(|p| {
                p.meeting_date == Some(meeting.held_on)
                    && (p.committee.is_empty()
                        || p.committee
                            .trim()
                            .eq_ignore_ascii_case(committee.name.trim()))
            })
            .collect(),
        access,
    );
    let page = MeetingPage {
        packs,
        plans,
        delivering,
        chrome: chrome(viewer, Some(body)),
        heading: format!(
            "{}, {}",
            committee.name,
            meeting.held_on.format("%-d %B %Y")
        ),
        committee_href: format!("/b/{}/committees/{}", body.slug, committee.id),
        href: format!("/b/{}/meetings/{}", body.slug, meeting.id),
        venue: meeting.venue,
        status: meeting.status.label(),
        published: meeting.published,
        items,
        keeps,
        csrf: viewer.and_then(|v| v.csrf.clone()).unwrap_or_default(),
        today: today.to_string(),
        banner,
        version: meeting.version,
        errors,
    };
    Ok((status_of(failed), Html(page.render()?)).into_response())
}

/// `POST /b/{body}/meetings/{id}/publish`: publish the meeting and its
/// record, so the public can see them.
pub async fn publish_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    let version = field(&fields, "version").parse().unwrap_or(0);
    match state
        .store()
        .publish_meeting(&viewer.actor(), meeting.id, version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/b/{}/meetings/{}?done=published",
            body.slug, meeting.id
        ))
        .into_response()),
        Err(e) if e.is_user_error() => {
            let errors = vec![FieldError {
                field: "publish".into(),
                message: crate::words::capitalise(&e.to_string()),
            }];
            meeting_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                meeting.id,
                &MeetingQuery::default(),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
fn push_trimmed(
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

/// `POST /b/{body}/meetings/{id}/items`: add an item to the agenda.
pub async fn add_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    let mut errors = Vec::new();
    let number = Title::parse("number", &field(&fields, "number"));
    let title = Title::parse("title", &field(&fields, "title"));
    for (name, r) in [("number", &number), ("title", &title)] {
        if let Err(e) = r {
            errors.push(FieldError {
                field: name.into(),
                message: format!("Enter the item's {name} ({})", e.expected),
            });
        }
    }
    // "12:H1": the plan the item's report covers, and the half.
    let covers = field(&fields, "covers");
    let (plan_id, half) = match covers.split_once(':') {
        Some((plan, half)) => (plan.parse::<i64>().ok(), half.parse::<domain::Half>().ok()),
        None => (None, None),
    };
    if let Some(plan) = plan_id
        && !state
            .store()
            .plans()
            .await?
            .iter()
            .any(|p| p.plan_id == plan && p.body == body.slug.as_str())
    {
        return Err(WebError::NotFound);
    }
    match (number, title) {
        (Ok(number), Ok(title)) => {
            state
                .store()
                .add_agenda_item(
                    &viewer.actor(),
                    meeting.id,
                    NewAgendaItem {
                        number,
                        title,
                        report_ref: field(&fields, "report"),
                        plan_id,
                        half,
                    },
                )
                .await?;
            Ok(Redirect::to(&format!("/b/{}/meetings/{}", body.slug, meeting.id)).into_response())
        }
        _ => {
            meeting_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                meeting.id,
                &MeetingQuery::default(),
                errors,
            )
            .await
        }
    }
}

/// `POST /b/{body}/commitments/{id}/close`: mark a promise delivered or withdrawn.
pub async fn close_commitment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let commitment = match state.store().commitment(id).await {
        Ok(c) => c,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let item = state.store().agenda_item(commitment.agenda_item_id).await?;
    let (meeting, _) = meeting_of(&state, &body, &access, item.meeting_id).await?;
    let mut errors = Vec::new();
    let status = match field(&fields, "outcome").as_str() {
        "delivered" => Some(Closure::Delivered),
        "withdrawn" => Some(Closure::Withdrawn),
        _ => {
            errors.push(FieldError {
                field: format!("outcome-{id}"),
                message: "Choose whether the promise was delivered or withdrawn".into(),
            });
            None
        }
    };
    let raw_note = field(&fields, "note");
    let note = Text::parse("note", raw_note.trim())
        .map_err(drop)
        .and_then(|n| {
            if raw_note.trim().is_empty() {
                Err(())
            } else {
                Ok(n)
            }
        });
    if note.is_err() {
        errors.push(FieldError {
            field: format!("note-{id}"),
            message: "Say how the promise was delivered (e.g. the report or written response), or why it was withdrawn".into(),
        });
    }
    // Nothing is assumed: the clerk says what happened, how and when.
    let on = match domain::parse_day("on", &field(&fields, "on")) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError {
                field: format!("on-{id}"),
                message:
                    "Enter the day the promise was delivered or withdrawn, like 12 March 2024 or 2024-03-12"
                        .into(),
            });
            None
        }
    };
    let by_item = field(&fields, "by-item").parse::<i64>().ok();
    match (status, note, on) {
        (Some(status), Ok(note), Some(on)) if errors.is_empty() => {
            state
                .store()
                .close_commitment(
                    &viewer.actor(),
                    id,
                    field(&fields, "version").parse().unwrap_or(0),
                    Closing {
                        status,
                        note,
                        on,
                        by_item,
                    },
                )
                .await?;
            Ok(Redirect::to(&format!(
                "/b/{}/meetings/{}#item-{}",
                body.slug, meeting.id, item.id
            ))
            .into_response())
        }
        _ => {
            meeting_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                meeting.id,
                &MeetingQuery::default(),
                errors,
            )
            .await
        }
    }
}

/// What the committee record holds about an action: the questions asked
/// and the promises made, from the meetings `access` may see.
pub(crate) async fn about_action(
    state: &AppState,
    body: &Body,
    access: &Access,
    action_id: i64,
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

/// `POST /b/{body}/committees`: add a committee.
pub async fn add_committee(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let mut errors = Vec::new();
    if let Some(details) = committee_details(&fields, &mut errors) {
        match state
            .store()
            .create_committee(&viewer.actor(), body.id, &details)
            .await
        {
            Ok(c) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/committees/{}", body.slug, c.id)).into_response(),
                );
            }
            Err(e) => conflict_or(&mut errors, "name", e)?,
        }
    }
    let access = Viewer::access(Some(&viewer), body.id);
    committees_page(&state, Some(&viewer), &body, &access, errors).await
}

/// A committee's form, parsed; mistakes are noted against their fields.
fn committee_details(
    fields: &HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<CommitteeDetails> {
    let name = take(errors, "name", Title::parse("name", &field(fields, "name")));
    let clerk = match field(fields, "clerk").as_str() {
        "" => Some(None),
        raw => take(errors, "clerk", Title::parse("clerk", raw)).map(Some),
    };
    match (name, clerk) {
        (Some(name), Some(clerk)) => Some(CommitteeDetails { name, clerk }),
        _ => None,
    }
}

/// `GET /b/{body}/committees/{id}/edit`: name, clerk and portfolios.
pub async fn committee_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = keeper(&state, &headers, &slug, uri.path()).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let fields = HashMap::from([
        ("name".to_owned(), committee.name.clone()),
        ("clerk".to_owned(), committee.clerk.clone()),
        ("version".to_owned(), committee.version.to_string()),
    ]);
    let chosen: Vec<i64> = state
        .store()
        .committee_portfolios(committee.id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    committee_form_page(&state, &viewer, &body, &committee, &fields, &chosen, vec![]).await
}

async fn committee_form_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    fields: &HashMap<String, String>,
    chosen: &[i64],
    errors: Vec<FieldError>,
) -> PageResult {
    let portfolios = state.store().portfolios(body.id).await?;
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/committees/{}", body.slug, committee.id),
            heading: "Edit the committee".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            errors,
            fields: vec![
                text_field("name", "Name", "", field(fields, "name"), ""),
                text_field(
                    "clerk",
                    "Clerk (optional)",
                    "Who clerks it: a name, a role or a team, like Democratic Services",
                    field(fields, "clerk"),
                    "",
                ),
            ],
            selects: vec![],
            checks: vec![CheckGroup {
                name: "portfolio".into(),
                legend: "Portfolios it scrutinises".into(),
                hint: "Select all that apply. A portfolio is scrutinised by one committee: ticking it here moves it from any other.".into(),
                radio: false,
                choices: portfolios
                    .iter()
                    .map(|p| Choice {
                        value: p.id.to_string(),
                        label: format!(
                            "{} ({}){}",
                            p.name,
                            p.code,
                            match &p.committee {
                                Some(c) if c.as_str() != committee.name => format!(", now scrutinised by {c}"),
                                _ => String::new(),
                            }
                        ),
                        selected: chosen.contains(&p.id),
                    })
                    .collect(),
            }],
            amendment: None,
            version: field(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/committees/{id}/edit`: the form posts `portfolio` once per box ticked.
pub async fn edit_committee(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    uri: OriginalUri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "portfolio")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let mut errors = Vec::new();
    if let Some(details) = committee_details(&fields, &mut errors) {
        match state
            .store()
            .edit_committee(
                &viewer.actor(),
                committee.id,
                field(&fields, "version").parse().unwrap_or(0),
                &details,
                &chosen,
            )
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/committees/{}", body.slug, committee.id))
                        .into_response(),
                );
            }
            Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
            Err(e) => conflict_or(&mut errors, "name", e)?,
        }
    }
    committee_form_page(&state, &viewer, &body, &committee, &fields, &chosen, errors).await
}

/// The member with `id`, when their committee belongs to `body`.
async fn member_of(
    state: &AppState,
    body: &Body,
    id: i64,
) -> Result<(domain::CommitteeMember, domain::Committee), WebError> {
    let member = match state.store().committee_member(id).await {
        Ok(m) => m,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let committee = committee_of(state, body, &member.committee_id.to_string()).await?;
    Ok((member, committee))
}

/// `GET /b/{body}/committee-members/{id}/edit`: a member's role and term.
pub async fn member_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = keeper(&state, &headers, &slug, uri.path()).await?;
    let (member, committee) = member_of(&state, &body, id).await?;
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let fields = HashMap::from([
        ("name".to_owned(), member.name.clone()),
        ("role".to_owned(), member.role.as_str().to_owned()),
        ("term-from".to_owned(), day(member.term_from)),
        ("term-to".to_owned(), day(member.term_to)),
        ("version".to_owned(), member.version.to_string()),
    ]);
    member_form_page(&viewer, &body, &committee, &fields, vec![])
}

fn member_form_page(
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    fields: &HashMap<String, String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let role = field(fields, "role");
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/committees/{}#members", body.slug, committee.id),
            heading: "Edit a member".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                text_field("name", "Name", "", field(fields, "name"), ""),
                date_input(
                    fields,
                    &errors,
                    "term-from",
                    "Term starts (optional)",
                    "For example, 5 5 2022",
                ),
                date_input(
                    fields,
                    &errors,
                    "term-to",
                    "Term ends (optional)",
                    "For example, 7 5 2026. A member whose term has ended is listed as a former member",
                ),
            ],
            errors,
            selects: vec![SelectField {
                name: "role".into(),
                label: "Role".into(),
                options: MemberRole::ALL
                    .iter()
                    .map(|r| Choice {
                        value: r.as_str().into(),
                        label: r.label().into(),
                        selected: r.as_str() == role,
                    })
                    .collect(),
            }],
            checks: vec![],
            amendment: None,
            version: field(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/committee-members/{id}/edit`.
pub async fn edit_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let (member, committee) = member_of(&state, &body, id).await?;
    let mut errors = Vec::new();
    if let Some(details) = member_details(&fields, &mut errors) {
        match state
            .store()
            .edit_committee_member(
                &viewer.actor(),
                member.id,
                field(&fields, "version").parse().unwrap_or(0),
                &details,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/b/{}/committees/{}#members",
                    body.slug, committee.id
                ))
                .into_response());
            }
            Err(e) => conflict_or(&mut errors, "name", e)?,
        }
    }
    member_form_page(&viewer, &body, &committee, &fields, errors)
}

/// `GET /b/{body}/meetings/{id}/edit`: date, venue, status and publication.
pub async fn meeting_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
) -> PageResult {
    let (viewer, body) = keeper(&state, &headers, &slug, uri.path()).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, committee) = meeting_of(&state, &body, &access, id).await?;
    let mut fields = HashMap::from([
        ("held-on".to_owned(), meeting.held_on.to_string()),
        ("venue".to_owned(), meeting.venue.clone()),
        ("status".to_owned(), meeting.status.as_str().to_owned()),
        ("version".to_owned(), meeting.version.to_string()),
    ]);
    if meeting.published {
        fields.insert("published".into(), "yes".into());
    }
    meeting_form_page(&viewer, &body, &committee, &meeting, &fields, vec![])
}

fn meeting_form_page(
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    meeting: &Meeting,
    fields: &HashMap<String, String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let status = field(fields, "status");
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/meetings/{}", body.slug, meeting.id),
            heading: "Edit the meeting".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                date_input(fields, &errors, "held-on", "Date", "For example, 12 3 2024"),
                text_field("venue", "Venue (optional)", "", field(fields, "venue"), ""),
            ],
            errors,
            selects: vec![SelectField {
                name: "status".into(),
                label: "Status".into(),
                options: MeetingStatus::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.as_str().into(),
                        label: s.label().into(),
                        selected: s.as_str() == status,
                    })
                    .collect(),
            }],
            checks: vec![CheckGroup {
                name: "published".into(),
                legend: "Publication".into(),
                hint: String::new(),
                radio: false,
                choices: vec![Choice {
                    value: "yes".into(),
                    label: "Publish it (the public can see the meeting and its record)".into(),
                    selected: fields.contains_key("published"),
                }],
            }],
            amendment: None,
            version: field(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/meetings/{id}/edit`.
pub async fn edit_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    uri: OriginalUri,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (viewer, body) =
        clerk(&state, &headers, &slug, uri.path(), &field(&fields, "csrf")).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, committee) = meeting_of(&state, &body, &access, id).await?;
    let mut errors = Vec::new();
    if let Some(details) = meeting_details(&fields, &mut errors) {
        match state
            .store()
            .edit_meeting(
                &viewer.actor(),
                meeting.id,
                field(&fields, "version").parse().unwrap_or(0),
                &details,
            )
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/meetings/{}", body.slug, meeting.id))
                        .into_response(),
                );
            }
            Err(e) => conflict_or(&mut errors, "held-on", e)?,
        }
    }
    meeting_form_page(&viewer, &body, &committee, &meeting, &fields, errors)
}
