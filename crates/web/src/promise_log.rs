//! A committee's log of promises, filtered (by standing, action, owner and
//! meeting) and downloaded: as CSV, and as the matters-arising list (the
//! open promises) in Word. The committee page, its downloads and the API
//! read the log through the same filter and the same visibility rule: the
//! public sees the promises of published meetings only.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use domain::{Access, CommitmentStatus, ParseError, Standing};
use serde::Deserialize;
use store::{CommitmentsOf, LoggedCommitment};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::record::{ActionLabels, action_labels, due_words, today};
use crate::request::{body_for, viewer};
use crate::views::{Choice, LogFilterView};

/// The filters of a log, as given in the address (`?standing=overdue&owner=…`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LogQuery {
    /// open (all not yet closed, overdue included), overdue, delivered or withdrawn.
    #[serde(default)]
    pub standing: Option<String>,
    /// An action's id.
    #[serde(default)]
    pub action: Option<String>,
    /// An owner, as recorded ("none" for promises whose owner is not recorded).
    #[serde(default)]
    pub owner: Option<String>,
    /// A meeting's id.
    #[serde(default)]
    pub meeting: Option<String>,
    /// The page of the log shown on the committee's page, from 1 (the
    /// downloads hold every promise the filters keep).
    #[serde(default)]
    pub page: Option<String>,
}

/// Which promises of a log to keep.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LogFilter {
    /// Only these standings (open means open or overdue).
    pub standing: Option<StandingFilter>,
    /// Only promises about this action.
    pub action: Option<domain::ActionId>,
    /// Only promises of this owner (compared ignoring case); `Some("")` for
    /// promises with no owner recorded.
    pub owner: Option<String>,
    /// Only promises made at this meeting.
    pub meeting: Option<domain::MeetingId>,
}

/// A standing to filter a log by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingFilter {
    /// Not yet delivered or withdrawn, whether due or overdue.
    Open,
    /// Open and past its due date.
    Overdue,
    /// Delivered.
    Delivered,
    /// Withdrawn.
    Withdrawn,
}

impl StandingFilter {
    /// Every standing filter, in the order the form lists them.
    pub const ALL: [StandingFilter; 4] = [
        StandingFilter::Open,
        StandingFilter::Overdue,
        StandingFilter::Delivered,
        StandingFilter::Withdrawn,
    ];

    /// Its value in an address.
    pub fn as_str(self) -> &'static str {
        match self {
            StandingFilter::Open => "open",
            StandingFilter::Overdue => "overdue",
            StandingFilter::Delivered => "delivered",
            StandingFilter::Withdrawn => "withdrawn",
        }
    }

    fn label(self) -> &'static str {
        match self {
            StandingFilter::Open => "Open (overdue included)",
            StandingFilter::Overdue => "Overdue",
            StandingFilter::Delivered => "Delivered",
            StandingFilter::Withdrawn => "Withdrawn",
        }
    }

    fn keeps(self, standing: Standing) -> bool {
        match self {
            StandingFilter::Open => matches!(standing, Standing::Open | Standing::Overdue),
            StandingFilter::Overdue => standing == Standing::Overdue,
            StandingFilter::Delivered => standing == Standing::Delivered,
            StandingFilter::Withdrawn => standing == Standing::Withdrawn,
        }
    }
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl LogFilter {
    /// The filter `q` asks for, or what is wrong with it: each value must be
    /// one the log can be filtered by.
    pub fn parse(q: &LogQuery) -> Result<LogFilter, ParseError> {
        let standing = match given(&q.standing) {
            None => None,
            Some(raw) => Some(
                StandingFilter::ALL
                    .into_iter()
                    .find(|s| s.as_str().eq_ignore_ascii_case(raw))
                    .ok_or_else(|| {
                        ParseError::new("standing", raw, "open, overdue, delivered or withdrawn")
                    })?,
            ),
        };
        let id = |field: &'static str, raw: &Option<String>, what: &'static str| {
            given(raw)
                .map(|r| {
                    r.parse::<i64>()
                        .map_err(|_| ParseError::new(field, r, what))
                })
                .transpose()
        };
        Ok(LogFilter {
            standing,
            action: (id("action", &q.action, "an action's id, like 12")?)
                .map(domain::ActionId::new),
            owner: given(&q.owner).map(|o| {
                if o.eq_ignore_ascii_case("none") {
                    String::new()
                } else {
                    o.to_owned()
                }
            }),
            meeting: (id("meeting", &q.meeting, "a meeting's id, like 3")?)
                .map(domain::MeetingId::new),
        })
    }

    /// The filter `q` asks for, leaving out any value it cannot be
    /// filtered by (a page shows the whole log rather than an error).
    pub fn lenient(q: &LogQuery) -> LogFilter {
        let one = |q: LogQuery| LogFilter::parse(&q).unwrap_or_default();
        LogFilter {
            standing: one(LogQuery {
                standing: q.standing.clone(),
                ..LogQuery::default()
            })
            .standing,
            action: one(LogQuery {
                action: q.action.clone(),
                ..LogQuery::default()
            })
            .action,
            owner: one(LogQuery {
                owner: q.owner.clone(),
                ..LogQuery::default()
            })
            .owner,
            meeting: one(LogQuery {
                meeting: q.meeting.clone(),
                ..LogQuery::default()
            })
            .meeting,
        }
    }

    /// Whether any filter is set.
    pub fn is_set(&self) -> bool {
        *self != LogFilter::default()
    }

    /// Whether `l` passes the filter on `today`.
    pub fn keeps(&self, l: &LoggedCommitment, today: NaiveDate) -> bool {
        let c = &l.commitment;
        self.standing.is_none_or(|s| s.keeps(c.standing(today)))
            && self.action.is_none_or(|a| c.action_id == Some(a))
            && self.meeting.is_none_or(|m| l.meeting.id == m)
            && self.owner.as_deref().is_none_or(|o| {
                c.owner
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .eq_ignore_ascii_case(o)
            })
    }

    /// The filter as an address's query, starting with `?` (empty when none is set).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.standing {
            parts.push(format!("standing={}", s.as_str()));
        }
        if let Some(a) = self.action {
            parts.push(format!("action={a}"));
        }
        if let Some(o) = &self.owner {
            let o = if o.is_empty() { "none" } else { o.as_str() };
            parts.push(format!("owner={}", crate::views::query_encode(o)));
        }
        if let Some(m) = self.meeting {
            parts.push(format!("meeting={m}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// The promises made to committee `committee_id` that `access` may see
/// (those of published meetings, for the public), oldest meeting first.
pub(crate) async fn visible_log(
    state: &AppState,
    access: &Access,
    committee_id: domain::CommitteeId,
) -> Result<Vec<LoggedCommitment>, store::StoreError> {
    Ok(state
        .store()
        .commitment_log(CommitmentsOf::Committee(committee_id))
        .await?
        .into_iter()
        .filter(|l| l.meeting.published || access.sees_unpublished())
        .collect())
}

/// The filter form's choices, from the whole visible `log`, with
/// `filter`'s chosen; `kept` of the log pass the filter.
pub(crate) fn filter_view(
    href: &str,
    log: &[LoggedCommitment],
    kept: usize,
    filter: &LogFilter,
    actions: &ActionLabels,
) -> LogFilterView {
    let choice = |value: String, label: String, selected: bool| Choice {
        value,
        label,
        selected,
    };
    let all = |label: &str, none: bool| choice(String::new(), label.into(), none);
    let mut standings = vec![all("All", filter.standing.is_none())];
    standings.extend(StandingFilter::ALL.into_iter().map(|s| {
        choice(
            s.as_str().into(),
            s.label().into(),
            filter.standing == Some(s),
        )
    }));
    let mut action_list: BTreeMap<String, domain::ActionId> = BTreeMap::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut meetings: BTreeMap<(NaiveDate, i64), String> = BTreeMap::new();
    for l in log {
        let c = &l.commitment;
        if let Some(a) = c.action_id
            && let Some((_, label)) = actions.get(&a)
        {
            action_list.insert(label.clone(), a);
        }
        let owner = c.owner.as_deref().unwrap_or_default().trim();
        owners
            .entry(owner.to_lowercase())
            .or_insert_with(|| owner.to_owned());
        meetings.insert(
            (l.meeting.held_on, l.meeting.id.get()),
            l.meeting.held_on.format("%-d %B %Y").to_string(),
        );
    }
    let mut action_choices = vec![all("Any action", filter.action.is_none())];
    action_choices.extend(
        action_list
            .into_iter()
            .map(|(label, id)| choice(id.to_string(), label, filter.action == Some(id))),
    );
    let mut owner_choices = vec![all("Anyone", filter.owner.is_none())];
    owner_choices.extend(owners.into_values().map(|o| {
        let selected = filter
            .owner
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case(&o));
        if o.is_empty() {
            choice("none".into(), "Not recorded".into(), selected)
        } else {
            choice(o.clone(), o, selected)
        }
    }));
    let mut meeting_choices = vec![all("Any meeting", filter.meeting.is_none())];
    meeting_choices.extend(meetings.into_iter().rev().map(|((_, id), label)| {
        choice(
            id.to_string(),
            label,
            filter.meeting == Some(domain::MeetingId::new(id)),
        )
    }));
    let query = filter.query();
    LogFilterView {
        standings,
        actions: action_choices,
        owners: owner_choices,
        meetings: meeting_choices,
        filtering: filter.is_set(),
        showing: format!(
            "Showing {kept} of {} promise{}",
            log.len(),
            if log.len() == 1 { "" } else { "s" }
        ),
        csv_href: format!("{href}/promises.csv{query}"),
        docx_href: format!("{href}/matters-arising.docx{query}"),
    }
}

/// The committee's log as `viewer` may see it and `filter` keeps it, with
/// the actions named, for the downloads.
async fn filtered(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    id: &str,
    q: &LogQuery,
) -> Result<
    (
        domain::Body,
        domain::Committee,
        Vec<LoggedCommitment>,
        ActionLabels,
    ),
    WebError,
> {
    let viewer = viewer(state, headers).await?;
    let body = body_for(state, slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let committee = crate::record::committee_of(state, &body, id).await?;
    let filter = LogFilter::lenient(q);
    let today = today();
    let log: Vec<LoggedCommitment> = visible_log(state, &access, committee.id)
        .await?
        .into_iter()
        .filter(|l| filter.keeps(l, today))
        .collect();
    let actions = action_labels(
        state,
        body.slug.as_str(),
        &access,
        log.iter().filter_map(|l| l.commitment.action_id).collect(),
    )
    .await?;
    Ok((body, committee, log, actions))
}

/// A download's response: its bytes, type and file name.
fn download(bytes: Vec<u8>, media_type: &'static str, name: &str) -> axum::response::Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Where a promise was made: "29 November 2022, item 7".
fn made_at(l: &LoggedCommitment) -> String {
    format!(
        "{}, item {}",
        l.meeting.held_on.format("%-d %B %Y"),
        l.item_number
    )
}

/// `GET /b/{body}/committees/{id}/promises.csv`: the log, filtered as on
/// the committee page, one promise a row under a heading row.
pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<axum::response::Response, WebError> {
    let (_, committee, log, actions) = filtered(&state, &headers, &slug, &id, &q).await?;
    let today = today();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let heading = [
        "Promise",
        "Owner",
        "Due",
        "Status",
        "Made at",
        "Action",
        "Closed on",
        "How delivered or why withdrawn",
    ];
    let written = |e: ::csv::Error| WebError::Export(format!("the CSV could not be written ({e})"));
    w.write_record(heading).map_err(written)?;
    for l in &log {
        let c = &l.commitment;
        let row = [
            c.text.clone(),
            c.owner.clone().unwrap_or_default(),
            due_words(c),
            c.standing(today).label().to_owned(),
            made_at(l),
            c.action_id
                .and_then(|a| actions.get(&a))
                .map(|(_, label)| label.clone())
                .unwrap_or_default(),
            c.closed_on.map(|d| d.to_string()).unwrap_or_default(),
            c.delivery_note.clone(),
        ];
        w.write_record(
            row.iter()
                .map(|cell| interop::formula::protect(cell).into_owned()),
        )
        .map_err(written)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| WebError::Export(format!("the CSV could not be written ({e})")))?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        &format!("promises-committee-{}-{today}.csv", committee.id),
    ))
}

/// `GET /b/{body}/committees/{id}/matters-arising.docx`: the open
/// promises of the log (filtered as on the committee page), overdue first,
/// as the Word list put on the committee's next agenda.
pub async fn docx(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<axum::response::Response, WebError> {
    let (body, committee, log, actions) = filtered(&state, &headers, &slug, &id, &q).await?;
    let today = today();
    let mut open: Vec<&LoggedCommitment> = log
        .iter()
        .filter(|l| l.commitment.status == CommitmentStatus::Open)
        .collect();
    open.sort_by_key(|l| l.commitment.standing(today) != Standing::Overdue);
    let overdue = open
        .iter()
        .filter(|l| l.commitment.standing(today) == Standing::Overdue)
        .count();
    let list = report::MattersArising {
        body: body.name.to_string(),
        committee: committee.name.clone(),
        made_on: today.format("%-d %B %Y").to_string(),
        date: today,
        summary: format!(
            "{} open promise{}, {overdue} of them overdue.",
            open.len(),
            if open.len() == 1 { "" } else { "s" }
        ),
        rows: open
            .iter()
            .map(|l| {
                let c = &l.commitment;
                report::Matter {
                    promise: c.text.clone(),
                    owner: c.owner.clone().unwrap_or_else(|| "Not recorded".into()),
                    due: due_words(c),
                    standing: c.standing(today).label().to_owned(),
                    made_at: made_at(l),
                    action: c
                        .action_id
                        .and_then(|a| actions.get(&a))
                        .map(|(_, label)| label.clone())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    };
    let bytes = report::matters_arising_docx(&list)?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("matters-arising-committee-{}-{today}.docx", committee.id),
    ))
}

/// The routes of a committee's log of promises and its matters-arising list.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/committees/{id}/promises.csv",
            axum::routing::get(csv),
        )
        .route(
            "/b/{body}/committees/{id}/matters-arising.docx",
            axum::routing::get(docx),
        )
}
