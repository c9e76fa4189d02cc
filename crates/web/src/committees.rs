//! The committee's record on the web: committees with their members,
//! meetings and log of promises; meeting pages with each agenda item's
//! minutes, questions, commitments and resolutions; and the clerk's forms.
//!
//! Clerks (and performance officers and administrators) keep the record;
//! people of the body read all of it; the public sees published meetings only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use chrono::NaiveDate;
use domain::{Access, Body, MeetingStatus, MemberRole, Standing, Title};
use store::{CommitmentsOf, CommitteeDetails, LoggedCommitment, MemberDetails};

use crate::AppState;
use crate::auth::Viewer;
use crate::dates::DateParts;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{conflict_or, date_field, date_input, field, render, status_of, trimmed};
use crate::promise_log::{LogFilter, LogQuery, filter_view, visible_log};
use crate::record::*;
use crate::request::PageResult;
use crate::request::chrome;
use crate::views::{
    CheckGroup, Choice, CommitteePage, CommitteesPage, DateField, FieldError, MemberRow,
    PromiseRow, SelectField, TextFormPage,
};
use crate::words::take;

/// `GET /b/{body}/committees`.
pub async fn committees(
    State(state): State<AppState>,
    InBody {
        viewer,
        body,
        access,
    }: InBody,
) -> PageResult {
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

/// `GET /b/{body}/committees/{id}`: members, meetings and the log of
/// promises, filtered by `?standing=…&action=…&owner=…&meeting=…` (a value
/// the log cannot be filtered by is left out, so the whole log shows).
pub async fn committee(
    State(state): State<AppState>,
    InBody {
        viewer,
        body,
        access,
    }: InBody,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> PageResult {
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

/// `POST /b/{body}/committees/{id}/members`: add a member or co-opted member.
pub async fn add_member(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
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
    let name = Title::parse("name", &trimmed(fields, "name"));
    let role = trimmed(fields, "role").parse::<MemberRole>();
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

/// `POST /b/{body}/committees`: add a committee.
pub async fn add_committee(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
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
    let name = take(
        errors,
        "name",
        Title::parse("name", &trimmed(fields, "name")),
    );
    let clerk = match trimmed(fields, "clerk").as_str() {
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
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
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
                field("name", "Name", "", trimmed(fields, "name"), ""),
                field(
                    "clerk",
                    "Clerk (optional)",
                    "Who clerks it: a name, a role or a team, like Democratic Services",
                    trimmed(fields, "clerk"),
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
            version: trimmed(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/committees/{id}/edit`: the form posts `portfolio` once per box ticked.
pub async fn edit_committee(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "portfolio")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    let committee = committee_of(&state, &body, &id).await?;
    let mut errors = Vec::new();
    if let Some(details) = committee_details(&fields, &mut errors) {
        match state
            .store()
            .edit_committee(
                &viewer.actor(),
                committee.id,
                trimmed(&fields, "version").parse().unwrap_or(0),
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
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
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
    let role = trimmed(fields, "role");
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/committees/{}#members", body.slug, committee.id),
            heading: "Edit a member".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                field("name", "Name", "", trimmed(fields, "name"), ""),
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
            version: trimmed(fields, "version"),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/committee-members/{id}/edit`.
pub async fn edit_member(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let (member, committee) = member_of(&state, &body, id).await?;
    let mut errors = Vec::new();
    if let Some(details) = member_details(&fields, &mut errors) {
        match state
            .store()
            .edit_committee_member(
                &viewer.actor(),
                member.id,
                trimmed(&fields, "version").parse().unwrap_or(0),
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

/// `POST /b/{body}/committees/{id}/meetings`: schedule or record a meeting.
pub async fn add_meeting(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> PageResult {
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

/// The routes of committees, their members and meetings.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/committees",
            axum::routing::get(committees).post(add_committee),
        )
        .route("/b/{body}/committees/{id}", axum::routing::get(committee))
        .route(
            "/b/{body}/committees/{id}/edit",
            axum::routing::get(committee_form).post(edit_committee),
        )
        .route(
            "/b/{body}/committee-members/{id}/edit",
            axum::routing::get(member_form).post(edit_member),
        )
        .route(
            "/b/{body}/committees/{id}/members",
            axum::routing::post(add_member),
        )
        .route(
            "/b/{body}/committees/{id}/meetings",
            axum::routing::post(add_meeting),
        )
}
