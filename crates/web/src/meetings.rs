//! A meeting's page (its agenda items with minutes, questions, promises and
//! resolutions), the clerk's forms for meetings and items, publishing the
//! meeting and closing a promise.

use std::collections::HashMap;

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
    Path((_, id)): Path<(String, i64)>,
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
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    let version = trimmed(&fields, "version").parse().unwrap_or(0);
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

/// `POST /b/{body}/meetings/{id}/items`: add an item to the agenda.
pub async fn add_item(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, _) = meeting_of(&state, &body, &access, id).await?;
    let mut errors = Vec::new();
    let number = Title::parse("number", &trimmed(&fields, "number"));
    let title = Title::parse("title", &trimmed(&fields, "title"));
    for (name, r) in [("number", &number), ("title", &title)] {
        if let Err(e) = r {
            errors.push(FieldError {
                field: name.into(),
                message: format!("Enter the item's {name} ({})", e.expected),
            });
        }
    }
    // "12:H1": the plan the item's report covers, and the half.
    let covers = trimmed(&fields, "covers");
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
                        report_ref: trimmed(&fields, "report"),
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
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let commitment = match state.store().commitment(id).await {
        Ok(c) => c,
        Err(store::StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let item = state.store().agenda_item(commitment.agenda_item_id).await?;
    let (meeting, _) = meeting_of(&state, &body, &access, item.meeting_id).await?;
    let mut errors = Vec::new();
    let status = match trimmed(&fields, "outcome").as_str() {
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
    let raw_note = trimmed(&fields, "note");
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
    let on = match crate::dates::DateParts::posted("on", |k| fields.get(k).cloned()).required(
        "On",
        "Enter the day the promise was delivered or withdrawn, for example 12 3 2024",
    ) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError {
                field: format!("on-{id}-day"),
                message: e.message,
            });
            None
        }
    };
    let by_item = trimmed(&fields, "by-item").parse::<i64>().ok();
    match (status, note, on) {
        (Some(status), Ok(note), Some(on)) if errors.is_empty() => {
            state
                .store()
                .close_commitment(
                    &viewer.actor(),
                    id,
                    trimmed(&fields, "version").parse().unwrap_or(0),
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

/// `GET /b/{body}/meetings/{id}/edit`: date, venue, status and publication.
pub async fn meeting_form(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
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
    let status = trimmed(fields, "status");
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/meetings/{}", body.slug, meeting.id),
            heading: "Edit the meeting".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                date_input(fields, &errors, "held-on", "Date", "For example, 12 3 2024"),
                field(
                    "venue",
                    "Venue (optional)",
                    "",
                    trimmed(fields, "venue"),
                    "",
                ),
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
            version: trimmed(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/meetings/{id}/edit`.
pub async fn edit_meeting(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let access = Viewer::access(Some(&viewer), body.id);
    let (meeting, committee) = meeting_of(&state, &body, &access, id).await?;
    let mut errors = Vec::new();
    if let Some(details) = meeting_details(&fields, &mut errors) {
        match state
            .store()
            .edit_meeting(
                &viewer.actor(),
                meeting.id,
                trimmed(&fields, "version").parse().unwrap_or(0),
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
