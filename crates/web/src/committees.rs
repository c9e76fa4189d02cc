//! The committee's record on the web: committees with their members,
//! meetings and log of promises; meeting pages with each agenda item's
//! minutes, questions, commitments and resolutions; and the clerk's forms.
//!
//! Clerks (and performance officers and administrators) keep the record;
//! people of the body read all of it; the public sees published meetings
//! only, and every committee's members with their role and term (councils
//! publish who sits on which committee).

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
use crate::form::{
    DateInputs, conflict_or, date_field, date_input, field, optional, parsed, render, status_of,
    version,
};
use crate::pagination::{Pagination, asked_page, page_count};
use crate::promise_log::{LogFilter, LogQuery, filter_view, visible_log};
use crate::record::*;
use crate::request::PageResult;
use crate::request::chrome;
use crate::views::{
    CheckGroup, Choice, CommitteePage, CommitteesPage, DateField, FieldError, MemberRow,
    PromiseRow, SelectField, TextFormPage,
};
use crate::words::{note, take};

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

/// `GET /b/{body}/committees/{id}`: members (shown to everyone; their
/// edit links and the add-member form only to those who keep the record),
/// meetings and the log of promises, filtered by
/// `?standing=…&action=…&owner=…&meeting=…` (a value the log cannot be
/// filtered by is left out, so the whole log shows).
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
        (&filter, q.page.as_deref()),
        vec![],
    )
    .await
}

/// The most promises the committee's page shows at once.
const PROMISES_PER_PAGE: usize = 50;

async fn committee_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    body: &Body,
    access: &Access,
    committee: domain::Committee,
    (filter, page): (&LogFilter, Option<&str>),
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
    // A page of the log at a time, the filters kept in the page links.
    let kept = promises.len();
    let pages = page_count(kept, PROMISES_PER_PAGE);
    let page = asked_page(page, pages);
    let promises: Vec<PromiseRow> = promises
        .into_iter()
        .skip((page - 1) * PROMISES_PER_PAGE)
        .take(PROMISES_PER_PAGE)
        .collect();
    let query = filter.query();
    let pagination = Pagination::new("Pages of the log of promises", page, pages, |n| {
        let joiner = if query.is_empty() { '?' } else { '&' };
        format!("{href}{query}{joiner}page={n}#log")
    });
    let filter = filter_view(&href, &log, kept, filter, &actions);
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
    // Who sits on the committee, in what role and for what term, is
    // public: councils publish it. Only those who keep the record edit it.
    let members = state
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
        .collect();
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
        open_data: crate::open_data::committee_links(body.slug.as_str(), committee.id.get()),
        packs,
        chrome: chrome(viewer, Some(body)),
        href,
        name: committee.name,
        clerk: committee.clerk,
        portfolios,
        summary: format!("{open} open, {overdue} overdue, {closed} delivered or withdrawn."),
        promises,
        pagination,
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
    CsrfForm(fields): CsrfForm<MemberFields>,
) -> PageResult {
    let committee = committee_of(&state, &body, &id).await?;
    match MemberDetails::try_from(&fields) {
        Ok(details) => {
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
        Err(errors) => {
            let access = Viewer::access(Some(&viewer), body.id);
            committee_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                committee,
                (&LogFilter::default(), None),
                errors,
            )
            .await
        }
    }
}

/// The fields of the forms that describe a committee member (adding one
/// on the committee page, editing one), as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberFields {
    /// "Councillor Jane Smith".
    name: String,
    /// Their place on the committee.
    role: String,
    /// The member's version the form was filled in against (editing).
    version: String,
    /// The term's first and last days (`term-from`, `term-to`).
    #[serde(flatten)]
    dates: DateInputs,
}

impl TryFrom<&MemberFields> for MemberDetails {
    type Error = Vec<FieldError>;

    fn try_from(f: &MemberFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let name = Title::parse("name", f.name.trim())
            .map_err(|e| {
                note(
                    &mut errors,
                    "name",
                    &format!("Enter the member's name ({})", e.expected),
                )
            })
            .ok();
        let role = f.role.trim().parse::<MemberRole>().ok();
        if role.is_none() {
            note(&mut errors, "role", "Choose the member's role");
        }
        let term_from = date_field(&f.dates, "term-from", "Term start", &mut errors);
        let term_to = date_field(&f.dates, "term-to", "Term end", &mut errors);
        if let (Some(from), Some(to)) = (term_from, term_to)
            && to < from
        {
            note(
                &mut errors,
                "term-to",
                "The end of the term must be after its start",
            );
        }
        let value = match (name, role) {
            (Some(name), Some(role)) => Some(MemberDetails {
                name,
                role,
                term_from,
                term_to,
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// `POST /b/{body}/committees`: add a committee.
pub async fn add_committee(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields = CommitteeFields::from(pairs);
    let errors = match CommitteeDetails::try_from(&fields) {
        Ok(details) => match state
            .store()
            .create_committee(&viewer.actor(), body.id, &details)
            .await
        {
            Ok(c) => {
                return Ok(
                    Redirect::to(&format!("/b/{}/committees/{}", body.slug, c.id)).into_response(),
                );
            }
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "name", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    let access = Viewer::access(Some(&viewer), body.id);
    committees_page(&state, Some(&viewer), &body, &access, errors).await
}

/// The fields of the forms that describe a committee (adding one, editing
/// one with the portfolios it scrutinises), as typed.
#[derive(Debug, Default)]
pub struct CommitteeFields {
    /// Its name.
    name: String,
    /// Who clerks it.
    clerk: String,
    /// The committee's version the form was filled in against (editing).
    version: String,
    /// The portfolios ticked, once per box.
    portfolios: Vec<domain::PortfolioId>,
}

impl From<Vec<(String, String)>> for CommitteeFields {
    /// The form as posted, `portfolio` once per box ticked.
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = CommitteeFields::default();
        for (name, value) in pairs {
            match name.as_str() {
                "name" => f.name = value,
                "clerk" => f.clerk = value,
                "version" => f.version = value,
                "portfolio" => f
                    .portfolios
                    .extend(value.parse::<domain::PortfolioId>().ok()),
                _ => {}
            }
        }
        f
    }
}

impl TryFrom<&CommitteeFields> for CommitteeDetails {
    type Error = Vec<FieldError>;

    fn try_from(f: &CommitteeFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let name = take(&mut errors, "name", Title::parse("name", f.name.trim()));
        let clerk = take(
            &mut errors,
            "clerk",
            optional(&f.clerk, |c| Title::parse("clerk", c)),
        );
        let value = match (name, clerk) {
            (Some(name), Some(clerk)) => Some(CommitteeDetails { name, clerk }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// `GET /b/{body}/committees/{id}/edit`: name, clerk and portfolios.
pub async fn committee_form(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let committee = committee_of(&state, &body, &id).await?;
    let fields = CommitteeFields {
        name: committee.name.clone(),
        clerk: committee.clerk.clone(),
        version: committee.version.to_string(),
        portfolios: state
            .store()
            .committee_portfolios(committee.id)
            .await?
            .iter()
            .map(|p| p.id)
            .collect(),
    };
    committee_form_page(&state, &viewer, &body, &committee, &fields, vec![]).await
}

async fn committee_form_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    fields: &CommitteeFields,
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
                field("name", "Name", "", fields.name.clone(), ""),
                field(
                    "clerk",
                    "Clerk (optional)",
                    "Who clerks it: a name, a role or a team, like Democratic Services",
                    fields.clerk.clone(),
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
                        selected: fields.portfolios.contains(&p.id),
                    })
                    .collect(),
            }],
            amendment: None,
            version: fields.version.clone(),
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
    let fields = CommitteeFields::from(pairs);
    let committee = committee_of(&state, &body, &id).await?;
    let errors = match CommitteeDetails::try_from(&fields) {
        Ok(details) => match state
            .store()
            .edit_committee(
                &viewer.actor(),
                committee.id,
                version(&fields.version),
                &details,
                &fields.portfolios,
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
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "name", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    committee_form_page(&state, &viewer, &body, &committee, &fields, errors).await
}

/// The member with `id`, when their committee belongs to `body`.
async fn member_of(
    state: &AppState,
    body: &Body,
    id: domain::CommitteeMemberId,
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
    Path((_, id)): Path<(String, domain::CommitteeMemberId)>,
) -> PageResult {
    let (member, committee) = member_of(&state, &body, id).await?;
    let fields = MemberFields {
        name: member.name.clone(),
        role: member.role.as_str().to_owned(),
        version: member.version.to_string(),
        dates: DateInputs::default()
            .with("term-from", member.term_from)
            .with("term-to", member.term_to),
    };
    member_form_page(&viewer, &body, &committee, &fields, vec![])
}

fn member_form_page(
    viewer: &Viewer,
    body: &Body,
    committee: &domain::Committee,
    fields: &MemberFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let failed = !errors.is_empty();
    let role = fields.role.trim();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}/committees/{}#members", body.slug, committee.id),
            heading: "Edit a member".into(),
            caption: committee.name.clone(),
            submit: "Save changes".into(),
            fields: vec![
                field("name", "Name", "", fields.name.clone(), ""),
                date_input(
                    &fields.dates,
                    &errors,
                    "term-from",
                    "Term starts (optional)",
                    "For example, 5 5 2022",
                ),
                date_input(
                    &fields.dates,
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
            version: fields.version.clone(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST /b/{body}/committee-members/{id}/edit`.
pub async fn edit_member(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, domain::CommitteeMemberId)>,
    CsrfForm(fields): CsrfForm<MemberFields>,
) -> PageResult {
    let (member, committee) = member_of(&state, &body, id).await?;
    let errors = match MemberDetails::try_from(&fields) {
        Ok(details) => match state
            .store()
            .edit_committee_member(
                &viewer.actor(),
                member.id,
                version(&fields.version),
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
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "name", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    member_form_page(&viewer, &body, &committee, &fields, errors)
}

/// `POST /b/{body}/committees/{id}/meetings`: schedule or record a meeting.
pub async fn add_meeting(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<MeetingFields>,
) -> PageResult {
    let committee = committee_of(&state, &body, &id).await?;
    match store::MeetingDetails::try_from(&fields) {
        Ok(details) => {
            let m = state
                .store()
                .create_meeting(&viewer.actor(), committee.id, &details)
                .await?;
            Ok(Redirect::to(&format!("/b/{}/meetings/{}", body.slug, m.id)).into_response())
        }
        Err(errors) => {
            let access = Viewer::access(Some(&viewer), body.id);
            committee_page(
                &state,
                Some(&viewer),
                &body,
                &access,
                committee,
                (&LogFilter::default(), None),
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
