//! The committee's record in the API: committees with their members and
//! meetings, a meeting's agenda with each item's questions, promises and
//! resolutions, what was asked and promised about an action, the log of
//! promises filtered as on the committee page, closing a promise and
//! publishing a meeting. The public sees published meetings only, and every
//! committee's members with their role and term; clerks (and performance
//! officers and administrators) close promises.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;
use domain::{Access, Meeting, Text};
use serde::{Deserialize, Serialize};
use store::{Closing, Closure, CommitmentsOf, LoggedCommitment, StoreError};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiResult, Ids, Params, Payload, body, caller, forbidden, visible_action};
use crate::AppState;
use crate::auth::Viewer;
use crate::promise_log::{LogFilter, LogQuery, visible_log};
use crate::record::today;

/// A committee, with how many of the promises made to it are open and overdue.
#[derive(Serialize, ToSchema)]
pub struct CommitteeDto {
    id: i64,
    name: String,
    /// Open promises not yet due.
    open: usize,
    /// Open promises past their due date.
    overdue: usize,
}

/// A committee: who clerks it, the portfolios it scrutinises, its members
/// and its meetings.
#[derive(Serialize, ToSchema)]
pub struct CommitteeDetailDto {
    id: i64,
    name: String,
    /// Who clerks it; empty when not recorded.
    clerk: String,
    /// The codes of the portfolios it scrutinises.
    portfolios: Vec<String>,
    /// Members and co-opted members, chair first, with their role and term
    /// (public, as councils publish them).
    members: Vec<MemberDto>,
    /// Its meetings, latest first.
    meetings: Vec<MeetingSummaryDto>,
}

/// A member or co-opted member of a committee.
#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    id: i64,
    name: String,
    /// chair, vice-chair, member or co-opted member.
    role: String,
    /// The first day of their term, when known.
    term_from: Option<String>,
    /// The last day of their term, when known.
    term_to: Option<String>,
    /// Whether they sit on the committee today.
    serving: bool,
}

/// A meeting, without its agenda.
#[derive(Serialize, ToSchema)]
pub struct MeetingSummaryDto {
    id: i64,
    /// The day it is (or was) held: "2022-11-24".
    held_on: String,
    venue: String,
    /// scheduled, held or cancelled.
    status: String,
    /// Whether the public may see it.
    published: bool,
}

/// A meeting with its agenda and, item by item, the record from the minutes.
#[derive(Serialize, ToSchema)]
pub struct MeetingDto {
    #[serde(flatten)]
    meeting: MeetingSummaryDto,
    committee_id: i64,
    /// The agenda, in order.
    items: Vec<AgendaItemDto>,
}

/// An agenda item with its minutes and what the record holds from them.
#[derive(Serialize, ToSchema)]
pub struct AgendaItemDto {
    id: i64,
    /// "7".
    number: String,
    title: String,
    /// The report it considers: "ACH22-038" (may be empty).
    report_ref: String,
    /// The plan the report covers.
    plan_id: Option<i64>,
    /// H1 or H2 of that plan's year.
    half: Option<String>,
    /// The minutes, as accepted.
    minutes: String,
    questions: Vec<QuestionDto>,
    commitments: Vec<CommitmentDto>,
    resolutions: Vec<ResolutionDto>,
}

/// A question asked at a meeting, and who answered.
#[derive(Serialize, ToSchema)]
pub struct QuestionDto {
    id: i64,
    /// "Member", "Co-opted Member" or a name; none when the minutes do not say.
    asker: Option<String>,
    /// The officer who answered, as written.
    responder: Option<String>,
    /// The action it was about.
    action_id: Option<i64>,
    /// The meeting it was asked at.
    meeting_id: i64,
    /// The agenda item it was asked at.
    agenda_item_id: i64,
    /// The sentences of the minutes it came from.
    source: String,
}

/// What the committee resolved.
#[derive(Serialize, ToSchema)]
pub struct ResolutionDto {
    id: i64,
    /// "the progress on the actions … be noted".
    text: String,
    /// noted, agreed, approved, recommended, deferred or other.
    outcome: String,
}

/// One promise in a committee's log, with where it was made and where it stands.
#[derive(Serialize, ToSchema)]
pub struct CommitmentDto {
    id: i64,
    /// The version to send when closing it.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// The promise as written.
    text: String,
    /// Who promised it.
    owner: Option<String>,
    /// Due by: "2023-03" (the month's end) or "2024-01-31".
    due_by: Option<String>,
    /// The minutes' words for when: "later in the year".
    due_text: String,
    /// The action it concerns.
    action_id: Option<i64>,
    /// open, delivered or withdrawn, as recorded.
    status: String,
    /// open, overdue, delivered or withdrawn, today.
    standing: String,
    /// How it was delivered, or why withdrawn.
    delivery_note: String,
    /// When it was delivered or withdrawn.
    closed_on: Option<String>,
    /// The later agenda item that delivered it.
    delivered_by_item_id: Option<i64>,
    /// The meeting it was made at.
    meeting_id: i64,
    /// The meeting's date.
    held_on: String,
    /// The agenda item's number.
    item: String,
    /// The sentence of the minutes it came from.
    source: String,
}

fn commitment_dto(l: LoggedCommitment, today: NaiveDate) -> CommitmentDto {
    let c = l.commitment;
    CommitmentDto {
        id: c.id.get(),
        version: c.version,
        standing: c.standing(today).as_str().to_owned(),
        text: c.text,
        owner: c.owner,
        due_by: c.due_by.map(|d| d.to_iso()),
        due_text: c.due_text,
        action_id: c.action_id.map(domain::ActionId::get),
        status: c.status.as_str().to_owned(),
        delivery_note: c.delivery_note,
        closed_on: c.closed_on.map(|d| d.to_string()),
        delivered_by_item_id: c.delivered_by_item_id.map(domain::AgendaItemId::get),
        meeting_id: l.meeting.id.get(),
        held_on: l.meeting.held_on.to_string(),
        item: l.item_number,
        source: c.source,
    }
}

fn meeting_summary(m: &Meeting) -> MeetingSummaryDto {
    MeetingSummaryDto {
        id: m.id.get(),
        held_on: m.held_on.to_string(),
        venue: m.venue.clone(),
        status: m.status.as_str().to_owned(),
        published: m.published,
    }
}

/// The log `of`, as `access` may see it.
async fn log(
    state: &AppState,
    access: &Access,
    of: CommitmentsOf,
) -> Result<Vec<CommitmentDto>, ApiError> {
    let today = today();
    Ok(state
        .store()
        .commitment_log(of)
        .await?
        .into_iter()
        .filter(|l| l.meeting.published || access.sees_unpublished())
        .map(|l| commitment_dto(l, today))
        .collect())
}

/// The committee with `id` and the caller's access to its body.
async fn committee_for(
    state: &AppState,
    viewer: Option<&Viewer>,
    id: domain::CommitteeId,
) -> Result<(domain::Committee, Access), ApiError> {
    let committee = state.store().committee(id).await?;
    let access = Viewer::access(viewer, committee.body_id);
    Ok((committee, access))
}

/// The meeting with `id`, its committee and the caller's access, when the caller may see it.
async fn visible_meeting(
    state: &AppState,
    viewer: Option<&Viewer>,
    id: domain::MeetingId,
) -> Result<(Meeting, domain::Committee, Access), ApiError> {
    let meeting = state.store().meeting(id).await?;
    let (committee, access) = committee_for(state, viewer, meeting.committee_id).await?;
    if !(meeting.published || access.sees_unpublished()) {
        return Err(ApiError::not_found());
    }
    Ok((meeting, committee, access))
}

#[utoipa::path(get, path = "/api/v1/bodies/{body}/committees", params(("body" = String, Path, description = "The body's slug", example = "bromley")),
    responses((status = 200, body = Vec<CommitteeDto>), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn committees(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(slug): Ids<String>,
) -> ApiResult<Vec<CommitteeDto>> {
    let viewer = caller(&state, &headers).await?;
    let body = body(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let mut out = Vec::new();
    for c in state.store().committees(body.id).await? {
        let log = log(&state, &access, CommitmentsOf::Committee(c.id)).await?;
        let count = |s: domain::Standing| log.iter().filter(|l| l.standing == s.as_str()).count();
        out.push(CommitteeDto {
            id: c.id.get(),
            open: count(domain::Standing::Open),
            overdue: count(domain::Standing::Overdue),
            name: c.name,
        });
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/committees/{id}", params(("id" = i64, Path, description = "The committee's id")),
    responses((status = 200, body = CommitteeDetailDto), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn committee(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::CommitteeId>,
) -> ApiResult<CommitteeDetailDto> {
    let viewer = caller(&state, &headers).await?;
    let (committee, access) = committee_for(&state, viewer.as_ref(), id).await?;
    let today = today();
    let members = state
        .store()
        .committee_members(committee.id)
        .await?
        .into_iter()
        .map(|m| MemberDto {
            serving: m.serves_on(today),
            id: m.id.get(),
            name: m.name,
            role: m.role.as_str().to_owned(),
            term_from: m.term_from.map(|d| d.to_string()),
            term_to: m.term_to.map(|d| d.to_string()),
        })
        .collect();
    let portfolios = state
        .store()
        .committee_portfolios(committee.id)
        .await?
        .into_iter()
        .map(|p| p.code.to_string())
        .collect();
    let meetings = state
        .store()
        .meetings(committee.id)
        .await?
        .iter()
        .filter(|m| m.published || access.sees_unpublished())
        .map(meeting_summary)
        .collect();
    Ok(Json(CommitteeDetailDto {
        id: committee.id.get(),
        name: committee.name,
        clerk: committee.clerk,
        portfolios,
        members,
        meetings,
    }))
}

/// The filters of a committee's log of promises, as on the committee page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CommitmentsQuery {
    /// open (not yet delivered or withdrawn, overdue included), overdue,
    /// delivered or withdrawn.
    #[param(pattern = r"^(open|overdue|delivered|withdrawn)$")]
    standing: Option<String>,
    /// Only promises about this action.
    action_id: Option<String>,
    /// Only promises of this owner, as recorded (ignoring case); "none" for
    /// promises whose owner is not recorded.
    owner: Option<String>,
    /// Only promises made at this meeting.
    meeting_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/committees/{id}/commitments", params(("id" = i64, Path, description = "The committee's id"), CommitmentsQuery),
    responses((status = 200, body = Vec<CommitmentDto>), (status = 404, body = ApiError), (status = 422, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn commitments(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::CommitteeId>,
    Params(q): Params<CommitmentsQuery>,
) -> ApiResult<Vec<CommitmentDto>> {
    // The API takes a standing only as its schema writes it (the page's
    // filter form is kinder: any case, or empty for all).
    if let Some(raw) = q
        .standing
        .as_deref()
        .filter(|s| !["open", "overdue", "delivered", "withdrawn"].contains(s))
    {
        return Err(ApiError::invalid(domain::ParseError::new(
            "standing",
            raw,
            "open, overdue, delivered or withdrawn",
        )));
    }
    let filter = LogFilter::parse(&LogQuery {
        standing: q.standing,
        action: q.action_id,
        owner: q.owner,
        meeting: q.meeting_id,
        page: None,
    })
    .map_err(|e| {
        let field = match e.field {
            "action" => "action_id",
            "meeting" => "meeting_id",
            other => other,
        }
        .to_owned();
        ApiError {
            field: Some(field),
            ..ApiError::invalid(e)
        }
    })?;
    let viewer = caller(&state, &headers).await?;
    let (committee, access) = committee_for(&state, viewer.as_ref(), id).await?;
    let today = today();
    Ok(Json(
        visible_log(&state, &access, committee.id)
            .await?
            .into_iter()
            .filter(|l| filter.keeps(l, today))
            .map(|l| commitment_dto(l, today))
            .collect(),
    ))
}

/// Publishing a meeting, based on `version` of it.
#[derive(Deserialize, ToSchema)]
pub struct MeetingPublish {
    /// The version the change is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/publish", params(("id" = i64, Path, description = "The meeting's id")), request_body = MeetingPublish,
    responses((status = 200, body = MeetingSummaryDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
pub(super) async fn publish_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::MeetingId>,
    Payload(publish): Payload<MeetingPublish>,
) -> ApiResult<MeetingSummaryDto> {
    let viewer = caller(&state, &headers).await?;
    let Some(viewer) = viewer else {
        return Err(forbidden(None));
    };
    let (meeting, _, access) = visible_meeting(&state, Some(&viewer), id).await?;
    if !access.keeps_committee_record() {
        return Err(forbidden(Some(&viewer)));
    }
    let published = state
        .store()
        .publish_meeting(
            &format!("{} (API)", viewer.actor()),
            meeting.id,
            publish.version,
        )
        .await?;
    Ok(Json(meeting_summary(&published)))
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", params(("id" = i64, Path, description = "The meeting's id")),
    responses((status = 200, body = MeetingDto), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::MeetingId>,
) -> ApiResult<MeetingDto> {
    let viewer = caller(&state, &headers).await?;
    let (meeting, committee, access) = visible_meeting(&state, viewer.as_ref(), id).await?;
    let mut items = Vec::new();
    for item in state.store().agenda_items(meeting.id).await? {
        let questions = state
            .store()
            .questions_at(item.id)
            .await?
            .into_iter()
            .map(|q| QuestionDto {
                id: q.id.get(),
                asker: q.asker,
                responder: q.responder,
                action_id: q.action_id.map(domain::ActionId::get),
                meeting_id: meeting.id.get(),
                agenda_item_id: q.agenda_item_id.get(),
                source: q.source,
            })
            .collect();
        let resolutions = state
            .store()
            .resolutions_at(item.id)
            .await?
            .into_iter()
            .map(|r| ResolutionDto {
                id: r.id.get(),
                text: r.text,
                outcome: r.outcome.as_str().to_owned(),
            })
            .collect();
        items.push(AgendaItemDto {
            commitments: log(&state, &access, CommitmentsOf::Item(item.id)).await?,
            id: item.id.get(),
            number: item.number,
            title: item.title,
            report_ref: item.report_ref,
            plan_id: item.plan_id.map(domain::PlanId::get),
            half: item.half.map(|h| h.to_string()),
            minutes: item.minutes,
            questions,
            resolutions,
        });
    }
    Ok(Json(MeetingDto {
        meeting: meeting_summary(&meeting),
        committee_id: committee.id.get(),
        items,
    }))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}/questions", params(("id" = i64, Path, description = "The action's id")),
    responses((status = 200, body = Vec<QuestionDto>), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn action_questions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::ActionId>,
) -> ApiResult<Vec<QuestionDto>> {
    let viewer = caller(&state, &headers).await?;
    let (action, _, access) = visible_action(&state, viewer.as_ref(), id).await?;
    let mut out = Vec::new();
    for l in state.store().questions_about(action.id).await? {
        if l.meeting.published || access.sees_unpublished() {
            let q = l.question;
            out.push(QuestionDto {
                id: q.id.get(),
                asker: q.asker,
                responder: q.responder,
                action_id: q.action_id.map(domain::ActionId::get),
                meeting_id: l.meeting.id.get(),
                agenda_item_id: q.agenda_item_id.get(),
                source: q.source,
            });
        }
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}/commitments", params(("id" = i64, Path, description = "The action's id")),
    responses((status = 200, body = Vec<CommitmentDto>), (status = 404, body = ApiError)), security((), ("bearer" = [])))]
pub(super) async fn action_commitments(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::ActionId>,
) -> ApiResult<Vec<CommitmentDto>> {
    let viewer = caller(&state, &headers).await?;
    let (action, _, access) = visible_action(&state, viewer.as_ref(), id).await?;
    Ok(Json(
        log(&state, &access, CommitmentsOf::Action(action.id)).await?,
    ))
}

/// How a promise was closed, based on `version` of it.
#[derive(Deserialize, ToSchema)]
pub struct CommitmentClose {
    /// The version the change is based on.
    #[schema(value_type = i64)]
    version: domain::Version,
    /// delivered or withdrawn.
    #[schema(pattern = r"^(delivered|withdrawn)$")]
    outcome: String,
    /// How it was delivered (the report, the written response) or why it was withdrawn.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    note: String,
    /// When: "2023-03-21"; today if omitted.
    #[schema(format = Date)]
    on: Option<String>,
    /// The later agenda item (of the same committee) that delivered it.
    delivered_by_item_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/commitments/{id}/close", params(("id" = i64, Path, description = "The commitment's id")), request_body = CommitmentClose,
    responses((status = 200, body = CommitmentDto), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
pub(super) async fn close_commitment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Ids(id): Ids<domain::CommitmentId>,
    Payload(close): Payload<CommitmentClose>,
) -> ApiResult<CommitmentDto> {
    let viewer = caller(&state, &headers).await?;
    let Some(viewer) = viewer else {
        return Err(forbidden(None));
    };
    let commitment = state.store().commitment(id).await?;
    let item = state.store().agenda_item(commitment.agenda_item_id).await?;
    let (_, _, access) = visible_meeting(&state, Some(&viewer), item.meeting_id).await?;
    if !access.keeps_committee_record() {
        return Err(forbidden(Some(&viewer)));
    }
    let status = match close.outcome.trim() {
        "delivered" => Closure::Delivered,
        "withdrawn" => Closure::Withdrawn,
        other => {
            return Err(ApiError::invalid(domain::ParseError::new(
                "outcome",
                other,
                "delivered or withdrawn",
            )));
        }
    };
    let note = Text::parse("note", &close.note).map_err(ApiError::invalid)?;
    let on = match close.on.as_deref().map(str::trim) {
        None | Some("") => today(),
        Some(raw) => domain::parse_day("on", raw).map_err(ApiError::invalid)?,
    };
    state
        .store()
        .close_commitment(
            &format!("{} (API)", viewer.actor()),
            id,
            close.version,
            Closing {
                status,
                note,
                on,
                by_item: close.delivered_by_item_id,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Invalid(p) if p.field == "delivered by" => ApiError {
                field: Some("delivered_by_item_id".into()),
                ..ApiError::invalid(p)
            },
            e => e.into(),
        })?;
    let closed = state
        .store()
        .commitment_log(CommitmentsOf::Item(item.id))
        .await?
        .into_iter()
        .find(|l| l.commitment.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(commitment_dto(closed, today())))
}
