//! Each signed-in person's home in a body, where sign-in lands: the action
//! lead's updates owed, returned and awaiting sign-off; the performance
//! officer's open periods with counts per state and owner, filters, bulk
//! sign-off and "chase now", and the plans needing attention; the clerk's
//! meetings awaiting minutes and promises due; the committee member's
//! committees, next meetings and promises due. The same [`HomeDto`] is
//! rendered here and answered by the API (`api::home`).

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use chrono::NaiveDate;
use domain::{Access, Body, Half, Role, UpdateState};
use serde::{Deserialize, Serialize};
use store::{LoggedCommitment, OpenWork, StoreError};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::extract::*;
use crate::form::parsed;
use crate::pagination::{Pagination, asked_page, page_count};
use crate::request::PageResult;
use crate::request::{chrome, need_sign_in};
use crate::views::{Chrome, FieldError, query_encode};
use crate::words::{capitalise, note, user_message};

/// Promises due within this many days of today are "due" on the clerk's
/// and member's homes (overdue ones and those with no date always are).
pub(crate) const PROMISE_HORIZON_DAYS: i64 = 60;

/// The most updates the officer's list shows on one page.
pub(crate) const UPDATES_PER_PAGE: usize = 50;

/// The states an update can be in, as the home pages and the API name
/// them, in the order of the cycle.
pub(crate) const STATES: [&str; 5] = [
    "not started",
    "draft",
    "submitted",
    "returned",
    "signed off",
];

/// A person's home in one body: one section for each part of their role
/// (an administrator sees the officer's and the clerk's).
#[derive(Debug, Serialize, ToSchema)]
pub struct HomeDto {
    /// The body's slug.
    body: String,
    /// The body's name.
    body_name: String,
    /// Their role in the body: "Action lead", "Performance officer", ….
    role: String,
    /// Today, as the home counts it: "2024-10-20".
    today: String,
    /// For action leads: their updates in open periods.
    lead: Option<LeadHome>,
    /// For performance officers and administrators: the open periods' work.
    officer: Option<OfficerHome>,
    /// For clerks and administrators: meetings and promises to follow up.
    clerk: Option<ClerkHome>,
    /// For committee members: their committees, meetings and promises due.
    member: Option<MemberHome>,
}

/// An action lead's updates in the periods open now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadHome {
    /// The lead role named on the actions they lead.
    lead_role: String,
    /// Updates still to write or finish (not started or draft), overdue
    /// first, then by deadline.
    owed: Vec<WorkDto>,
    /// Updates the officer returned, with the reason.
    returned: Vec<WorkDto>,
    /// Updates submitted and awaiting the officer's sign-off.
    awaiting_sign_off: Vec<WorkDto>,
}

/// A performance officer's view of the body's open periods.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerHome {
    /// Each open period with how many of its actions' updates are in each state.
    periods: Vec<PeriodCounts>,
    /// Each lead role (owner) with their actions' updates counted by state.
    owners: Vec<OwnerCounts>,
    /// The filter applied to `updates`: a state, or none.
    state_filter: Option<String>,
    /// The filter applied to `updates`: an owner, or none.
    owner_filter: Option<String>,
    /// One page of every action's update in the open periods, as filtered:
    /// at most [`UPDATES_PER_PAGE`], overdue and then by deadline.
    updates: Vec<WorkDto>,
    /// How many updates pass the filters, on every page.
    updates_total: usize,
    /// The page of `updates`, from 1.
    page: usize,
    /// How many pages the filtered updates take.
    pages: usize,
    /// Plans awaiting approval, or approved and not published.
    plans_needing_attention: Vec<PlanAttentionDto>,
}

impl OfficerHome {
    /// The position of the first update on this page among all that pass
    /// the filters, from 1.
    pub fn first_shown(&self) -> usize {
        (self.page - 1) * UPDATES_PER_PAGE + 1
    }

    /// The position of the last update on this page.
    pub fn last_shown(&self) -> usize {
        (self.page - 1) * UPDATES_PER_PAGE + self.updates.len()
    }
}

/// How many updates are in each state.
#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct StateCounts {
    not_started: usize,
    draft: usize,
    submitted: usize,
    returned: usize,
    signed_off: usize,
}

impl StateCounts {
    fn add(&mut self, state: Option<UpdateState>) {
        match state {
            None => self.not_started += 1,
            Some(UpdateState::Draft) => self.draft += 1,
            Some(UpdateState::Submitted) => self.submitted += 1,
            Some(UpdateState::Returned) => self.returned += 1,
            Some(UpdateState::SignedOff) => self.signed_off += 1,
        }
    }

    /// The counts in the order of [`STATES`], for the tables.
    pub fn in_order(&self) -> [usize; 5] {
        [
            self.not_started,
            self.draft,
            self.submitted,
            self.returned,
            self.signed_off,
        ]
    }
}

/// One open period of one plan, counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodCounts {
    plan_id: i64,
    portfolio_code: String,
    portfolio_name: String,
    /// The plan's year: "2024/25".
    year: String,
    /// H1 or H2.
    #[schema(pattern = "^H[12]$")]
    half: String,
    /// When updates are due: "2024-10-15".
    deadline: String,
    counts: StateCounts,
}

impl PeriodCounts {
    /// The period page's address.
    pub fn href(&self, slug: &str) -> String {
        format!(
            "/b/{slug}/plans/{}/{}/periods/{}",
            self.portfolio_code,
            self.year.replace('/', "-"),
            self.half
        )
    }

    /// The deadline for people.
    pub fn deadline_text(&self) -> String {
        long_date(&self.deadline)
    }
}

/// One owner (a lead role) with their updates counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerCounts {
    /// The lead role named on the actions.
    owner: String,
    counts: StateCounts,
}

/// One action's update in one open period.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkDto {
    action_id: i64,
    /// The action's reference: "10A".
    reference: String,
    title: String,
    /// The lead role named on the action (its owner).
    lead: String,
    plan_id: i64,
    portfolio_code: String,
    /// The plan's year: "2024/25".
    year: String,
    /// H1 or H2.
    #[schema(pattern = "^H[12]$")]
    half: String,
    /// When the update is due: "2024-10-15".
    deadline: String,
    /// not started, draft, submitted, returned or signed off.
    #[schema(pattern = "^(not started|draft|submitted|returned|signed off)$")]
    state: String,
    /// Owed (not started, draft or returned) and past its deadline.
    overdue: bool,
    /// The update, once one is recorded.
    update_id: Option<i64>,
    /// The update's version, for signing it off.
    update_version: Option<i64>,
    /// Why the officer returned it.
    returned_comment: Option<String>,
}

impl WorkDto {
    fn of(w: &OpenWork, today: NaiveDate) -> Self {
        Self {
            action_id: w.action_id.get(),
            reference: w.reference.to_string(),
            title: w.title.clone(),
            lead: w.lead.clone(),
            plan_id: w.plan_id.get(),
            portfolio_code: w.portfolio_code.clone(),
            year: w.period.year.to_string(),
            half: w.period.half.to_string(),
            deadline: w.deadline.to_string(),
            state: state_word(w.state).to_owned(),
            overdue: w.overdue(today),
            update_id: w.update_id.map(domain::UpdateId::get),
            update_version: w.update_version.map(domain::Version::get),
            returned_comment: w.returned_comment.clone(),
        }
    }

    /// The state with a capital: "Not started".
    pub fn state_label(&self) -> String {
        capitalise(&self.state)
    }

    /// The GOV.UK tag colour of the state.
    pub fn state_colour(&self) -> &'static str {
        match self.state.as_str() {
            "not started" => "red",
            "draft" => "grey",
            "submitted" => "yellow",
            "returned" => "orange",
            _ => "green",
        }
    }

    /// The deadline for people: "15 October 2024".
    pub fn deadline_text(&self) -> String {
        long_date(&self.deadline)
    }

    /// "ACH 2024/25 H1".
    pub fn period_text(&self) -> String {
        format!("{} {} {}", self.portfolio_code, self.year, self.half)
    }

    /// Whether it can be signed off from the home: submitted.
    pub fn signable(&self) -> bool {
        self.state == "submitted" && self.update_id.is_some()
    }

    /// Whether its lead can be chased: the update is owed.
    pub fn chaseable(&self) -> bool {
        matches!(self.state.as_str(), "not started" | "draft" | "returned")
    }

    /// Where an error about its update links: its sign-off checkbox, else
    /// its action's link ("update-12"); none before an update is recorded.
    pub fn anchor(&self) -> Option<String> {
        self.update_id.map(|id| format!("update-{id}"))
    }

    /// The bulk sign-off checkbox's value: "id:version".
    pub fn sign_off_value(&self) -> String {
        format!(
            "{}:{}",
            self.update_id.unwrap_or_default(),
            self.update_version.unwrap_or_default()
        )
    }
}

/// A plan needing an officer's attention.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanAttentionDto {
    plan_id: i64,
    portfolio_code: String,
    portfolio_name: String,
    /// "2024/25".
    year: String,
    /// awaiting approval, or not published.
    #[schema(pattern = "^(awaiting approval|not published)$")]
    attention: String,
}

impl PlanAttentionDto {
    /// The plan page's address.
    pub fn href(&self, slug: &str) -> String {
        format!(
            "/b/{slug}/plans/{}/{}",
            self.portfolio_code,
            self.year.replace('/', "-")
        )
    }

    /// For people: "Awaiting approval".
    pub fn attention_label(&self) -> String {
        capitalise(&self.attention)
    }
}

/// A clerk's meetings and promises to follow up.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClerkHome {
    /// Meetings held (not cancelled) with no minutes yet, oldest first.
    meetings_awaiting_minutes: Vec<MeetingDueDto>,
    /// Open promises overdue, due within 60 days, or with no date set.
    promises_due: Vec<PromiseDto>,
}

/// A committee member's committees, next meetings and promises due.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberHome {
    /// Whether `committees` are those that list them as a serving member
    /// (by name); otherwise they are all the body's committees.
    listed_as_member: bool,
    committees: Vec<CommitteeRef>,
    /// Scheduled meetings of those committees from today on, soonest first.
    next_meetings: Vec<MeetingDueDto>,
    /// Open promises made to those committees: overdue, due within 60
    /// days, or with no date set.
    promises_due: Vec<PromiseDto>,
}

/// A committee, named.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitteeRef {
    id: i64,
    name: String,
}

/// A meeting with its committee.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDueDto {
    id: i64,
    committee_id: i64,
    committee: String,
    /// "2024-11-24".
    held_on: String,
}

impl MeetingDueDto {
    /// The day for people.
    pub fn held_on_text(&self) -> String {
        long_date(&self.held_on)
    }
}

/// An open promise, where it was made and when it is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromiseDto {
    id: i64,
    /// The promise as written.
    text: String,
    /// Who promised it, when the minutes say.
    owner: Option<String>,
    committee_id: i64,
    committee: String,
    meeting_id: i64,
    /// The meeting it was made at: "2022-11-24".
    made_on: String,
    /// The last day it is due: "2023-03-31"; none when no date is set.
    due_by: Option<String>,
    /// The minutes' words for when: "later in the year".
    due_text: String,
    /// Open and past its due date.
    overdue: bool,
}

impl PromiseDto {
    fn of(l: &LoggedCommitment, today: NaiveDate) -> Self {
        Self {
            id: l.commitment.id.get(),
            text: l.commitment.text.clone(),
            owner: l.commitment.owner.clone(),
            committee_id: l.meeting.committee_id.get(),
            committee: l.committee.clone(),
            meeting_id: l.meeting.id.get(),
            made_on: l.meeting.held_on.to_string(),
            due_by: l.commitment.due_by.map(|d| d.due_by().to_string()),
            due_text: l.commitment.due_text.clone(),
            overdue: l.commitment.standing(today) == domain::Standing::Overdue,
        }
    }

    /// The due date for people.
    pub fn due_text_long(&self) -> String {
        self.due_by.as_deref().map(long_date).unwrap_or_default()
    }

    /// The meeting's day for people.
    pub fn made_on_text(&self) -> String {
        long_date(&self.made_on)
    }
}

/// "2024-10-15" as "15 October 2024" (as it was, if it is not a date).
fn long_date(iso: &str) -> String {
    crate::history::date_text(iso)
}

fn state_word(state: Option<UpdateState>) -> &'static str {
    match state {
        None => STATES[0],
        Some(UpdateState::Draft) => STATES[1],
        Some(UpdateState::Submitted) => STATES[2],
        Some(UpdateState::Returned) => STATES[3],
        Some(UpdateState::SignedOff) => STATES[4],
    }
}

/// Which sections a role sees: (lead, officer, clerk, member).
fn sections(role: Role) -> (bool, bool, bool, bool) {
    match role {
        Role::Administrator => (false, true, true, false),
        Role::PerformanceOfficer => (false, true, false, false),
        Role::ActionLead => (true, false, false, false),
        Role::Clerk => (false, false, true, false),
        Role::Member => (false, false, false, true),
    }
}

/// The filters of the officer's list of updates.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    /// One of [`STATES`]; anything else (or empty) is no filter.
    #[serde(default)]
    pub state: Option<String>,
    /// A lead role; empty is no filter.
    #[serde(default)]
    pub owner: Option<String>,
    /// The page of the list shown, from 1 (page 1 when absent or not a
    /// number; the last page when beyond it).
    #[serde(default)]
    pub page: Option<String>,
}

impl Filters {
    fn state(&self) -> Option<&'static str> {
        let s = self.state.as_deref()?.trim();
        STATES
            .iter()
            .copied()
            .find(|w| w.eq_ignore_ascii_case(s) || w.replace(' ', "_").eq_ignore_ascii_case(s))
    }

    fn owner(&self) -> Option<&str> {
        self.owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
    }
}

/// The home of `viewer` in `body`, whose `access` is theirs there; none
/// for someone with no role in the body.
pub(crate) async fn build(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    access: &Access,
    filters: &Filters,
) -> Result<Option<HomeDto>, StoreError> {
    let Access::Member { role, leads } = access else {
        return Ok(None);
    };
    let today = crate::record::today();
    let (is_lead, is_officer, is_clerk, is_member) = sections(*role);
    let store = state.store();
    let lead = match (is_lead, leads) {
        (true, Some(leads)) => {
            let mine: Vec<WorkDto> = store
                .open_work(body.id, Some(leads))
                .await?
                .iter()
                .map(|w| WorkDto::of(w, today))
                .collect();
            let (mut owed, mut returned, mut awaiting) = (Vec::new(), Vec::new(), Vec::new());
            for w in mine {
                match w.state.as_str() {
                    "not started" | "draft" => owed.push(w),
                    "returned" => returned.push(w),
                    "submitted" => awaiting.push(w),
                    _ => {}
                }
            }
            // Overdue first; the store's order (deadline, plan, reference) within.
            owed.sort_by_key(|w| !w.overdue);
            returned.sort_by_key(|w| !w.overdue);
            Some(LeadHome {
                lead_role: leads.to_string(),
                owed,
                returned,
                awaiting_sign_off: awaiting,
            })
        }
        (true, None) => Some(LeadHome {
            lead_role: String::new(),
            owed: vec![],
            returned: vec![],
            awaiting_sign_off: vec![],
        }),
        _ => None,
    };
    let officer = if is_officer {
        let work = store.open_work(body.id, None).await?;
        let mut periods: Vec<PeriodCounts> = Vec::new();
        let mut owners: BTreeMap<String, (String, StateCounts)> = BTreeMap::new();
        for w in &work {
            let half = w.period.half.to_string();
            match periods
                .iter_mut()
                .find(|p| p.plan_id == w.plan_id.get() && p.half == half)
            {
                Some(p) => p.counts.add(w.state),
                None => {
                    let mut counts = StateCounts::default();
                    counts.add(w.state);
                    periods.push(PeriodCounts {
                        plan_id: w.plan_id.get(),
                        portfolio_code: w.portfolio_code.clone(),
                        portfolio_name: w.portfolio_name.clone(),
                        year: w.period.year.to_string(),
                        half,
                        deadline: w.deadline.to_string(),
                        counts,
                    });
                }
            }
            owners
                .entry(w.lead.trim().to_lowercase())
                .or_insert_with(|| (w.lead.trim().to_owned(), StateCounts::default()))
                .1
                .add(w.state);
        }
        let state_filter = filters.state();
        let owner_filter = filters.owner();
        let matching: Vec<&OpenWork> = work
            .iter()
            .filter(|w| state_filter.is_none_or(|s| state_word(w.state) == s))
            .filter(|w| owner_filter.is_none_or(|o| w.lead.trim().eq_ignore_ascii_case(o)))
            .collect();
        let pages = page_count(matching.len(), UPDATES_PER_PAGE);
        let page = asked_page(filters.page.as_deref(), pages);
        let updates = matching
            .iter()
            .skip((page - 1) * UPDATES_PER_PAGE)
            .take(UPDATES_PER_PAGE)
            .map(|w| WorkDto::of(w, today))
            .collect();
        Some(OfficerHome {
            periods,
            owners: owners
                .into_values()
                .map(|(owner, counts)| OwnerCounts { owner, counts })
                .collect(),
            state_filter: state_filter.map(str::to_owned),
            owner_filter: owner_filter.map(str::to_owned),
            updates,
            updates_total: matching.len(),
            page,
            pages,
            plans_needing_attention: store
                .plans_needing_attention(body.id)
                .await?
                .into_iter()
                .map(|p| PlanAttentionDto {
                    plan_id: p.plan_id.get(),
                    portfolio_code: p.portfolio_code,
                    portfolio_name: p.portfolio_name,
                    year: p.year.to_string(),
                    attention: p.attention.as_str().to_owned(),
                })
                .collect(),
        })
    } else {
        None
    };
    let horizon = today + chrono::Duration::days(PROMISE_HORIZON_DAYS);
    let meeting_dto = |m: store::CommitteeMeeting| MeetingDueDto {
        id: m.meeting.id.get(),
        committee_id: m.meeting.committee_id.get(),
        committee: m.committee,
        held_on: m.meeting.held_on.to_string(),
    };
    let clerk = if is_clerk {
        Some(ClerkHome {
            meetings_awaiting_minutes: store
                .meetings_awaiting_minutes(body.id, today)
                .await?
                .into_iter()
                .map(meeting_dto)
                .collect(),
            promises_due: store
                .promises_due(body.id, horizon)
                .await?
                .iter()
                .map(|l| PromiseDto::of(l, today))
                .collect(),
        })
    } else {
        None
    };
    let member = if is_member {
        let committees = store.committees(body.id).await?;
        // The committees listing them by name and serving now, from one
        // read of the body's members (not one per committee).
        let theirs: HashSet<domain::CommitteeId> = store
            .body_committee_members(body.id)
            .await?
            .iter()
            .filter(|m| {
                m.serves_on(today)
                    && m.name
                        .trim()
                        .eq_ignore_ascii_case(viewer.user.name.as_str().trim())
            })
            .map(|m| m.committee_id)
            .collect();
        let listed_as_member = !theirs.is_empty();
        let mine = |id: domain::CommitteeId| !listed_as_member || theirs.contains(&id);
        Some(MemberHome {
            listed_as_member,
            committees: committees
                .iter()
                .filter(|c| mine(c.id))
                .map(|c| CommitteeRef {
                    id: c.id.get(),
                    name: c.name.clone(),
                })
                .collect(),
            next_meetings: store
                .next_meetings(body.id, today)
                .await?
                .into_iter()
                .filter(|m| mine(m.meeting.committee_id))
                .map(meeting_dto)
                .collect(),
            promises_due: store
                .promises_due(body.id, horizon)
                .await?
                .iter()
                .filter(|l| mine(l.meeting.committee_id))
                .map(|l| PromiseDto::of(l, today))
                .collect(),
        })
    } else {
        None
    };
    Ok(Some(HomeDto {
        body: body.slug.to_string(),
        body_name: body.name.to_string(),
        role: role.label().to_owned(),
        today: today.to_string(),
        lead,
        officer,
        clerk,
        member,
    }))
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    chrome: Chrome,
    home: HomeDto,
    /// What the last step did: "3 updates signed off".
    banner: Option<String>,
    errors: Vec<FieldError>,
    /// The owners to filter by (every lead role with work in an open period).
    owner_choices: Vec<String>,
    state_choices: Vec<(String, String)>,
    /// The pages of the officer's list of updates.
    pagination: Pagination,
}

impl HomePage {
    fn state_selected(&self, value: &str) -> bool {
        self.home
            .officer
            .as_ref()
            .and_then(|o| o.state_filter.as_deref())
            == Some(value)
    }

    fn owner_selected(&self, value: &str) -> bool {
        self.home
            .officer
            .as_ref()
            .and_then(|o| o.owner_filter.as_deref())
            .is_some_and(|o| o.eq_ignore_ascii_case(value))
    }

    fn filtered(&self) -> bool {
        self.home
            .officer
            .as_ref()
            .is_some_and(|o| o.state_filter.is_some() || o.owner_filter.is_some())
    }
}

/// The body list of `/home` for someone with roles in several bodies.
#[derive(Template)]
#[template(path = "homes.html")]
pub struct HomesPage {
    chrome: Chrome,
    /// (home address, body name, role).
    bodies: Vec<(String, String, String)>,
}

async fn render_home(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    filters: &Filters,
    banner: Option<String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let access = Viewer::access(Some(viewer), body.id);
    let Some(home) = build(state, viewer, body, &access, filters).await? else {
        return Err(WebError::NotFound);
    };
    let owner_choices = home
        .officer
        .as_ref()
        .map(|o| o.owners.iter().map(|c| c.owner.clone()).collect())
        .unwrap_or_default();
    let failed = !errors.is_empty() && banner.is_none();
    let pagination = match &home.officer {
        Some(o) => {
            let mut query = String::new();
            for (name, value) in [("state", &o.state_filter), ("owner", &o.owner_filter)] {
                if let Some(v) = value {
                    query.push_str(&format!("{name}={}&", query_encode(v)));
                }
            }
            Pagination::new("Pages of updates", o.page, o.pages, |n| {
                format!("/b/{}/home?{query}page={n}#updates", body.slug)
            })
        }
        None => Pagination::new("Pages of updates", 1, 1, |_| String::new()),
    };
    let page = HomePage {
        pagination,
        chrome: chrome(Some(viewer), Some(body)),
        home,
        banner,
        errors,
        owner_choices,
        state_choices: STATES
            .iter()
            .map(|s| ((*s).to_owned(), capitalise(s)))
            .collect(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /home`: the signed-in person's home: the home in their body, or,
/// with roles in several bodies, the list of their homes.
pub async fn home(State(state): State<AppState>, Asker(viewer): Asker) -> PageResult {
    let viewer = viewer.ok_or_else(|| need_sign_in("/home"))?;
    if let [only] = viewer.memberships.as_slice() {
        return Ok(Redirect::to(&format!("/b/{}/home", only.body_slug)).into_response());
    }
    let mut bodies = Vec::new();
    for m in &viewer.memberships {
        let body = state.store().body_by_id(m.body_id).await?;
        bodies.push((
            format!("/b/{}/home", body.slug),
            body.name.to_string(),
            m.role.label().to_owned(),
        ));
    }
    let page = HomesPage {
        chrome: chrome(Some(&viewer), None),
        bodies,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /b/{body}/home`: the signed-in person's home in the body;
/// `?state=…&owner=…` filter the officer's list of updates.
pub async fn body_home(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    Query(filters): Query<Filters>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::NotFound);
    }
    render_home(&state, &viewer, &body, &filters, None, vec![]).await
}

/// The bulk sign-off form, as typed: `update=ID:VERSION` once per box
/// checked.
#[derive(Debug, Default)]
pub struct SignOffFields {
    /// Each checked box's value.
    updates: Vec<String>,
}

impl From<Vec<(String, String)>> for SignOffFields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        SignOffFields {
            updates: pairs
                .into_iter()
                .filter(|(name, _)| name == "update")
                .map(|(_, value)| value)
                .collect(),
        }
    }
}

/// One update checked for sign-off: its id and the version the page
/// showed it at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checked {
    id: domain::UpdateId,
    version: domain::Version,
}

/// What the bulk sign-off form describes: the updates checked, in the
/// order of the page.
#[derive(Debug, PartialEq, Eq)]
struct SignOff {
    checked: Vec<Checked>,
}

/// Where the page links an error about the bulk sign-off as a whole.
const UPDATES: &str = "updates";

impl TryFrom<&SignOffFields> for SignOff {
    type Error = Vec<FieldError>;

    fn try_from(f: &SignOffFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        if f.updates.is_empty() {
            note(
                &mut errors,
                UPDATES,
                "Select the submitted updates to sign off",
            );
        }
        let mut checked = Vec::new();
        let mut garbled = false;
        for value in &f.updates {
            match value.split_once(':').and_then(|(id, version)| {
                Some(Checked {
                    id: id.trim().parse().ok()?,
                    version: version.trim().parse().ok()?,
                })
            }) {
                Some(c) => checked.push(c),
                None => garbled = true,
            }
        }
        if garbled {
            note(
                &mut errors,
                UPDATES,
                "One of the updates selected could not be read; reload the page and select again",
            );
        }
        parsed(errors, Some(SignOff { checked }))
    }
}

/// `POST /b/{body}/home/sign-off`: sign off each checked submitted update
/// (`update=ID:VERSION`, repeated), each in its own audited transaction,
/// and say how many were signed off and which were refused, each refusal
/// linked to its update's row.
pub async fn sign_off(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::NotFound);
    }
    if !access.signs_off() {
        return Err(WebError::Forbidden);
    }
    let filters = Filters::default();
    let picked = match SignOff::try_from(&SignOffFields::from(pairs)) {
        Ok(p) => p,
        Err(errors) => return render_home(&state, &viewer, &body, &filters, None, errors).await,
    };
    // Only updates of this body's open periods can be signed off here.
    let work = state.store().open_work(body.id, None).await?;
    let who = viewer.actor();
    let (mut done, mut errors) = (0usize, Vec::new());
    let mut stale = false;
    for Checked { id, version } in picked.checked {
        let Some(w) = work.iter().find(|w| w.update_id == Some(id)) else {
            stale = true;
            continue;
        };
        match state.store().sign_off_update(&who, id, version).await {
            Ok(_) => done += 1,
            Err(e) if e.is_user_error() => note(
                &mut errors,
                &format!("update-{id}"),
                &format!(
                    "{} {} ({} {}): {}",
                    w.portfolio_code,
                    w.reference,
                    w.period,
                    w.title,
                    user_message(&e)
                ),
            ),
            Err(e) => return Err(e.into()),
        }
    }
    if stale {
        note(
            &mut errors,
            UPDATES,
            "One of the updates selected is not in a period open now; reload the page and select again",
        );
    }
    let banner = (done > 0).then(|| match done {
        1 => "1 update signed off".to_owned(),
        n => format!("{n} updates signed off"),
    });
    render_home(&state, &viewer, &body, &filters, banner, errors).await
}

/// The "chase now" form, as typed.
#[derive(Debug, Deserialize)]
pub struct ChaseFields {
    /// "ACTION_ID:HALF", as the button sends it.
    #[serde(default)]
    chase: String,
}

/// What the "chase now" button names: the action whose lead is reminded
/// and the half-year the update is owed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chase {
    action_id: domain::ActionId,
    half: Half,
}

impl TryFrom<&ChaseFields> for Chase {
    type Error = Vec<FieldError>;

    fn try_from(f: &ChaseFields) -> Result<Self, Self::Error> {
        let chase = f.chase.split_once(':').and_then(|(action, half)| {
            Some(Chase {
                action_id: action.trim().parse().ok()?,
                half: half.trim().parse().ok()?,
            })
        });
        let mut errors = Vec::new();
        if chase.is_none() {
            note(
                &mut errors,
                UPDATES,
                "The update to chase could not be read; reload the page and press \"Chase now\" again",
            );
        }
        parsed(errors, chase)
    }
}

/// `POST /b/{body}/home/chase`: remind the lead of one action now about
/// its update owed in an open period: queued (audited) and, when the
/// server has a mail server, sent at once.
pub async fn chase(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<ChaseFields>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::NotFound);
    }
    if !access.signs_off() {
        return Err(WebError::Forbidden);
    }
    let filters = Filters::default();
    let Chase { action_id, half } = match Chase::try_from(&f) {
        Ok(c) => c,
        Err(errors) => return render_home(&state, &viewer, &body, &filters, None, errors).await,
    };
    let site = site(&state, &headers);
    let chased = match state
        .store()
        .chase_update(&viewer.actor(), body.id, action_id, half, &site)
        .await
    {
        Ok(c) => c,
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        Err(e) if e.is_user_error() => {
            let errors = vec![FieldError {
                field: "updates".into(),
                message: user_message(&e),
            }];
            return render_home(&state, &viewer, &body, &filters, None, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    let names = chased
        .iter()
        .map(|c| format!("{} ({})", c.name, c.email))
        .collect::<Vec<_>>()
        .join(", ");
    let (banner, errors) = match state.mail() {
        Some(settings) => match notify::SmtpSender::new(settings) {
            Ok(sender) => match notify::deliver(state.store(), &viewer.actor(), &sender).await? {
                d if d.failed == 0 => (Some(format!("Reminder sent to {names}")), vec![]),
                _ => (
                    None,
                    vec![FieldError {
                        field: "updates".into(),
                        message: format!(
                            "The reminder to {names} could not be sent now; it is kept and tried again with the next reminders"
                        ),
                    }],
                ),
            },
            Err(e) => {
                tracing::error!("mail server settings: {e}");
                (
                    None,
                    vec![FieldError {
                        field: "updates".into(),
                        message: format!(
                            "The reminder to {names} is queued but could not be sent: the mail server is not set up correctly"
                        ),
                    }],
                )
            }
        },
        None => (
            Some(format!(
                "Reminder to {names} queued; it is sent when the reminders next run (ambit reminders)"
            )),
            vec![],
        ),
    };
    render_home(&state, &viewer, &body, &filters, banner, errors).await
}

/// This site's address, for links in messages.
fn site(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The routes of each role's home.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/home", axum::routing::get(home))
        .route("/b/{body}/home", axum::routing::get(body_home))
        .route("/b/{body}/home/sign-off", axum::routing::post(sign_off))
        .route("/b/{body}/home/chase", axum::routing::post(chase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(values: &[&str]) -> SignOffFields {
        let checked: Vec<(&str, &str)> = values.iter().map(|v| ("update", *v)).collect();
        SignOffFields::from(crate::form::pairs(
            &[[("csrf", "token")].as_slice(), &checked].concat(),
        ))
    }

    #[test]
    fn a_bulk_sign_off_with_nothing_checked_says_to_select() {
        let Err(errors) = SignOff::try_from(&posted(&[])) else {
            panic!("nothing is checked");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "updates");
        assert_eq!(
            errors[0].message,
            "Select the submitted updates to sign off"
        );
    }

    #[test]
    fn a_bulk_sign_off_reads_each_checked_update_and_its_version() {
        let picked =
            SignOff::try_from(&posted(&["12:3", "40:1"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            picked.checked,
            [
                Checked {
                    id: domain::UpdateId::new(12),
                    version: domain::Version::new(3)
                },
                Checked {
                    id: domain::UpdateId::new(40),
                    version: domain::Version::new(1)
                }
            ]
        );
        let Err(errors) = SignOff::try_from(&posted(&["12:3", "forty", "7:x"])) else {
            panic!("two values are garbled");
        };
        assert_eq!(
            errors.len(),
            1,
            "one error for the form, however many are garbled"
        );
        assert_eq!(errors[0].field, "updates");
        assert!(errors[0].message.contains("reload the page"));
    }

    #[test]
    fn a_chase_reads_the_action_and_the_half_or_says_to_reload() {
        let chase = |v: &str| Chase::try_from(&ChaseFields { chase: v.into() });
        assert_eq!(
            chase("41:H2").unwrap_or_else(|e| panic!("{e:?}")),
            Chase {
                action_id: domain::ActionId::new(41),
                half: Half::H2
            }
        );
        for garbled in ["", "41", "41:", "x:H1", "41:H3", ":H1"] {
            let Err(errors) = chase(garbled) else {
                panic!("{garbled:?} is not an action and a half-year");
            };
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "updates");
            assert!(errors[0].message.contains("reload the page"), "{garbled:?}");
        }
    }
}
