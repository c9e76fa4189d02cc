//! A meeting's page (its agenda items with minutes, questions, promises and
//! resolutions), the clerk's forms for meetings and items, publishing the
//! meeting and closing a promise.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Access, Body, Meeting, MeetingStatus, Text, Title};
use store::{Closing, Closure, CommitmentsOf, NewAgendaItem};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::*;
use crate::record::*;
use crate::request::*;
use crate::views::*;
use crate::words::note;

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
    InBody {
        viewer,
        body,
        access,
    }: InBody,
    Path((_, id)): Path<(String, domain::MeetingId)>,
    Query(q): Query<MeetingQuery>,
) -> PageResult {
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
    id: domain::MeetingId,
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
        if keeps && recorded == Some(item.id.get()) && !item.minutes.is_empty() {
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
            id: item.id.get(),
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
            .body_plans(body.id)
            .await?
            .into_iter()
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
        version: meeting.version.get(),
        errors,
    };
    Ok((status_of(failed), Html(page.render()?)).into_response())
}

/// `POST /b/{body}/meetings/{id}/publish`: publish the meeting and its
/// record, so the public can see them.
pub async fn publish_meeting(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::MeetingId)>,
    CsrfForm(fields): CsrfForm<VersionFields>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    match state
        .store()
        .publish_meeting(&viewer.actor(), meeting.id, version(&fields.version))
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

/// The fields of the form that adds an item to a meeting's agenda, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgendaItemFields {
    /// "7".
    number: String,
    /// The item's title.
    title: String,
    /// The report it considers.
    report: String,
    /// The plan and half its report covers, as "12:H1"; empty for none.
    covers: String,
}

impl TryFrom<&AgendaItemFields> for NewAgendaItem {
    type Error = Vec<FieldError>;

    fn try_from(f: &AgendaItemFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let mut text = |name: &'static str, raw: &str| {
            Title::parse(name, raw.trim())
                .map_err(|e| {
                    note(
                        &mut errors,
                        name,
                        &format!("Enter the item's {name} ({})", e.expected),
                    )
                })
                .ok()
        };
        let number = text("number", &f.number);
        let title = text("title", &f.title);
        let (plan_id, half) = match f.covers.trim().split_once(':') {
            Some((plan, half)) => (plan.parse::<i64>().ok(), half.parse::<domain::Half>().ok()),
            None => (None, None),
        };
        let value = match (number, title) {
            (Some(number), Some(title)) => Some(NewAgendaItem {
                number,
                title,
                report_ref: f.report.trim().to_owned(),
                plan_id: plan_id.map(domain::PlanId::new),
                half,
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// `POST /b/{body}/meetings/{id}/items`: add an item to the agenda.
pub async fn add_item(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::MeetingId)>,
    CsrfForm(fields): CsrfForm<AgendaItemFields>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    match NewAgendaItem::try_from(&fields) {
        Ok(item) => {
            if let Some(plan) = item.plan_id
                && !state
                    .store()
                    .body_plans(body.id)
                    .await?
                    .iter()
                    .any(|p| p.plan_id == plan)
            {
                return Err(WebError::NotFound);
            }
            state
                .store()
                .add_agenda_item(&viewer.actor(), meeting.id, item)
                .await?;
            Ok(Redirect::to(&format!("/b/{}/meetings/{}", body.slug, meeting.id)).into_response())
        }
        Err(errors) => {
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

/// The fields of the form that closes a promise, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ClosingFields {
    /// "delivered" or "withdrawn".
    outcome: String,
    /// How it was delivered, or why it was withdrawn.
    note: String,
    /// The later agenda item that delivered it, if any.
    #[serde(rename = "by-item")]
    by_item: String,
    /// The promise's version the form was filled in against.
    version: String,
    /// The day it was delivered or withdrawn (`on`).
    #[serde(flatten)]
    dates: DateInputs,
}

impl TryFrom<&ClosingFields> for Closing {
    type Error = Vec<FieldError>;

    /// Nothing is assumed: the clerk says what happened, how and when.
    /// Errors are noted against the form's fields `outcome`, `note` and
    /// `on-day`; the meeting page, which has a form for each promise, adds
    /// the promise's id to them.
    fn try_from(f: &ClosingFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let status = match f.outcome.trim() {
            "delivered" => Some(Closure::Delivered),
            "withdrawn" => Some(Closure::Withdrawn),
            _ => {
                note(
                    &mut errors,
                    "outcome",
                    "Choose whether the promise was delivered or withdrawn",
                );
                None
            }
        };
        let said = match f.note.trim() {
            "" => None,
            typed => Text::parse("note", typed).ok(),
        };
        if said.is_none() {
            note(
                &mut errors,
                "note",
                "Say how the promise was delivered (e.g. the report or written response), or why it was withdrawn",
            );
        }
        let on = f
            .dates
            .parts("on")
            .required(
                "On",
                "Enter the day the promise was delivered or withdrawn, for example 12 3 2024",
            )
            .map_err(|e| note(&mut errors, "on-day", &e.message))
            .ok();
        let value = match (status, said, on) {
            (Some(status), Some(note), Some(on)) => Some(Closing {
                status,
                note,
                on,
                by_item: f.by_item.trim().parse::<i64>().ok(),
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// `POST /b/{body}/commitments/{id}/close`: mark a promise delivered or withdrawn.
pub async fn close_commitment(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::CommitmentId)>,
    CsrfForm(fields): CsrfForm<ClosingFields>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let commitment = match state.store().commitment(id).await {
        Ok(c) => c,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let item = state.store().agenda_item(commitment.agenda_item_id).await?;
    let (meeting, _) = meeting_of(&state, &body, &access, item.meeting_id).await?;
    let errors = match Closing::try_from(&fields) {
        Ok(closing) => {
            state
                .store()
                .close_commitment(&viewer.actor(), id, version(&fields.version), closing)
                .await?;
            return Ok(Redirect::to(&format!(
                "/b/{}/meetings/{}#item-{}",
                body.slug, meeting.id, item.id
            ))
            .into_response());
        }
        Err(errors) => errors,
    };
    // Each promise on the page has its own form: name its fields.
    let errors = errors
        .into_iter()
        .map(|e| FieldError {
            field: match e.field.split_once('-') {
                Some((name, part)) => format!("{name}-{id}-{part}"),
                None => format!("{}-{id}", e.field),
            },
            message: e.message,
        })
        .collect();
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

/// `GET /b/{body}/meetings/{id}/edit`: date, venue, status and publication.
pub async fn meeting_form(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::MeetingId)>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, committee) = meeting_of(&state, &body, &access, id).await?;
    let fields = MeetingFields {
        status: meeting.status.as_str().to_owned(),
        venue: meeting.venue.clone(),
        published: meeting.published.then(|| "yes".to_owned()),
        version: meeting.version.to_string(),
        dates: DateInputs::default().with("held-on", Some(meeting.held_on)),
    };
    meeting_form_page(&viewer, &body, &committee, &meeting, &fields, vec![])
}

fn meeting_form_page(
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    meeting: &Meeting,
    fields: &MeetingFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let status = fields.status.trim();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/meetings/{}", body.slug, meeting.id),
            heading: "Edit the meeting".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                date_input(
                    &fields.dates,
                    &errors,
                    "held-on",
                    "Date",
                    "For example, 12 3 2024",
                ),
                field("venue", "Venue (optional)", "", fields.venue.clone(), ""),
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
                    selected: fields.published.is_some(),
                }],
            }],
            amendment: None,
            version: fields.version.clone(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/meetings/{id}/edit`.
pub async fn edit_meeting(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::MeetingId)>,
    CsrfForm(fields): CsrfForm<MeetingFields>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, committee) = meeting_of(&state, &body, &access, id).await?;
    let errors = match store::MeetingDetails::try_from(&fields) {
        Ok(details) => match state
            .store()
            .edit_meeting(
                &viewer.actor(),
                meeting.id,
                version(&fields.version),
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
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "held-on", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    meeting_form_page(&viewer, &body, &committee, &meeting, &fields, errors)
}

/// The routes of meetings, their agenda items and promises.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/meetings/{id}/edit",
            axum::routing::get(meeting_form).post(edit_meeting),
        )
        .route("/b/{body}/meetings/{id}", axum::routing::get(meeting))
        .route(
            "/b/{body}/meetings/{id}/items",
            axum::routing::post(add_item),
        )
        .route(
            "/b/{body}/meetings/{id}/publish",
            axum::routing::post(publish_meeting),
        )
        .route(
            "/b/{body}/commitments/{id}/close",
            axum::routing::post(close_commitment),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_a_promise_assumes_nothing() {
        let Err(errors) = Closing::try_from(&ClosingFields::default()) else {
            panic!("an empty form closes nothing");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "note", "on-day"]);
    }

    #[test]
    fn a_closing_form_filled_in_closes_the_promise() {
        let posted = ClosingFields {
            outcome: "delivered".into(),
            note: "Written response circulated to members".into(),
            dates: DateInputs::default().with("on", chrono::NaiveDate::from_ymd_opt(2024, 3, 12)),
            ..ClosingFields::default()
        };
        let closing = Closing::try_from(&posted).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(closing.on.to_string(), "2024-03-12");
        assert!(matches!(closing.status, Closure::Delivered));
        assert_eq!(closing.by_item, None);
    }
}
