//! Open data: what each body publishes in open formats, and where.
//!
//! - `GET /open-data`: every body's open data on one page: the OParl API,
//!   the body's Atom feed, each published plan as Excel, CSV and JSON (the
//!   plan downloads of [`crate::export`]), and each committee's record as
//!   CSV and JSON with its feed.
//! - `GET /open-data/plan.schema.json` and `…/committee.schema.json`: the
//!   JSON Schemas of a plan's JSON and a committee's JSON
//!   (`crates/web/schemas/`), each field described.
//! - `GET /b/{body}/committees/{id}/export.csv` (meetings and their agenda
//!   items, one item a row) and `…/export.json` (the committee, its
//!   meetings and items and its log of promises).
//! - `GET /b/{body}/feed.atom` and `GET /b/{body}/committees/{id}/feed.atom`:
//!   Atom 1.0 feeds of the latest signed-off updates of the published plans
//!   (a committee's: of the portfolios it scrutinises) and of the promises,
//!   made at published meetings, delivered, withdrawn or overdue.
//!
//! Open data is the public's view whoever asks: published meetings and the
//! promises made at them, signed-off updates of published plans; never a
//! draft, so a file passed on never leaks what its downloader could see.
//! (The plan downloads follow the plan page's rule instead; the public gets
//! signed-off content only.)
//!
//! The plan and committee pages list their own open data
//! ([`plan_links`], [`committee_links`]).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Access, Body, CommitmentStatus, FinancialYear, Standing};
use serde::Serialize;
use store::{CommitmentsOf, LoggedCommitment};

use crate::AppState;
use crate::error::{Path, WebError};
use crate::extract::Asker;
use crate::record::{action_labels, committee_of, today};
use crate::request::{body_for, chrome, html, plan_href};
use crate::views::Chrome;

type PageResult = Result<Response, WebError>;

/// The JSON Schema of a committee's JSON, as served.
const COMMITTEE_SCHEMA: &str = include_str!("../schemas/committee.schema.json");

/// Where the committee JSON's schema is served.
pub(crate) const COMMITTEE_SCHEMA_PATH: &str = "/open-data/committee.schema.json";

/// The JSON Schema of a plan's JSON, as served.
const PLAN_SCHEMA: &str = include_str!("../schemas/plan.schema.json");

/// Where the plan JSON's schema is served.
pub(crate) const PLAN_SCHEMA_PATH: &str = "/open-data/plan.schema.json";

/// The most entries a feed holds.
const FEED_ENTRIES: usize = 100;

/// A link to one open data format.
pub struct OpenLink {
    /// Where it is.
    pub href: String,
    /// "CSV", "Atom feed".
    pub label: &'static str,
    /// What it holds.
    pub hint: String,
    /// Whether following it saves a file (rather than opening a document
    /// or an API).
    pub download: bool,
}

fn link(href: String, label: &'static str, hint: impl Into<String>, download: bool) -> OpenLink {
    OpenLink {
        href,
        label,
        hint: hint.into(),
        download,
    }
}

/// The address of body `slug`'s Atom feed.
pub(crate) fn body_feed(slug: &str) -> String {
    format!("/b/{slug}/feed.atom")
}

/// The open data of plan `code` `year` of body `slug` beyond its downloads
/// (which the plan page lists already): the JSON's schema, OParl and the
/// feed.
pub(crate) fn plan_links(slug: &str, _code: &str, _year: FinancialYear) -> Vec<OpenLink> {
    vec![
        link(
            PLAN_SCHEMA_PATH.into(),
            "JSON Schema",
            "what each field of the plan's JSON means",
            false,
        ),
        link(
            format!("/oparl/v1.1/bodies/{slug}/papers"),
            "OParl",
            "the committee reports published from the plans, with the meetings they went to (OParl 1.1 JSON API)",
            false,
        ),
        link(
            body_feed(slug),
            "Atom feed",
            "signed-off updates and promises delivered, withdrawn or overdue",
            false,
        ),
    ]
}

/// The open data of committee `id` of body `slug`.
pub(crate) fn committee_links(slug: &str, id: i64) -> Vec<OpenLink> {
    let href = format!("/b/{slug}/committees/{id}");
    vec![
        link(
            format!("{href}/export.csv"),
            "CSV",
            "the meetings and their agenda items, one item a row",
            true,
        ),
        link(
            format!("{href}/promises.csv"),
            "CSV of promises",
            "the log of promises, one a row, with the action each is about",
            true,
        ),
        link(
            format!("{href}/export.json"),
            "JSON",
            "the committee, its meetings and agenda items, and the log of promises",
            true,
        ),
        link(
            COMMITTEE_SCHEMA_PATH.into(),
            "JSON Schema",
            "what each field of the JSON means",
            false,
        ),
        link(
            format!("/oparl/v1.1/bodies/{slug}/organization/{id}"),
            "OParl",
            "the committee and its meetings (OParl 1.1 JSON API)",
            false,
        ),
        link(
            format!("{href}/feed.atom"),
            "Atom feed",
            "signed-off updates of the portfolios it scrutinises, and its promises delivered, withdrawn or overdue",
            false,
        ),
    ]
}

/// One body on the open data page.
pub struct BodyData {
    /// Its slug, the section's anchor.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The body's own: OParl and the feed.
    pub links: Vec<OpenLink>,
    /// Each published plan: ("ACH plan 2024/25", its page, its formats).
    pub plans: Vec<(String, String, Vec<OpenLink>)>,
    /// Each committee: (name, its page, its formats).
    pub committees: Vec<(String, String, Vec<OpenLink>)>,
}

/// `/open-data`.
#[derive(Template)]
#[template(path = "open_data.html")]
pub struct OpenDataPage {
    pub chrome: Chrome,
    /// Every body, by name.
    pub bodies: Vec<BodyData>,
    /// Where the plan JSON's schema is.
    pub plan_schema_href: &'static str,
    /// Where the committee JSON's schema is.
    pub schema_href: &'static str,
}

/// `GET /open-data`: every body's open data, as the public may read it.
pub async fn page(State(state): State<AppState>, Asker(viewer): Asker) -> PageResult {
    let summaries = state.store().plans().await?;
    let mut bodies = Vec::new();
    for body in state.store().bodies().await? {
        let slug = body.slug.as_str();
        let mut plans: Vec<_> = summaries
            .iter()
            .filter(|p| p.body == slug && p.published)
            .map(|p| {
                let href = plan_href(slug, &p.portfolio_code, p.year);
                let links: Vec<OpenLink> = crate::export::links(&href)
                    .into_iter()
                    .map(|d| link(d.href, d.label, d.hint, true))
                    .collect();
                (format!("{} plan {}", p.portfolio_code, p.year), href, links)
            })
            .collect();
        plans.sort_by(|a, b| a.0.cmp(&b.0));
        let committees = state
            .store()
            .committees(body.id)
            .await?
            .into_iter()
            .map(|c| {
                let mut links = committee_links(slug, c.id.get());
                links.retain(|l| l.label != "JSON Schema");
                (c.name, format!("/b/{slug}/committees/{}", c.id), links)
            })
            .collect();
        bodies.push(BodyData {
            links: vec![
                link(
                    format!("/oparl/v1.1/bodies/{slug}"),
                    "OParl",
                    "committees, published meetings and their agenda items, and the committee reports with their files (OParl 1.1 JSON API)",
                    false,
                ),
                link(
                    body_feed(slug),
                    "Atom feed",
                    "signed-off updates of the published plans, and promises delivered, withdrawn or overdue",
                    false,
                ),
            ],
            slug: slug.to_owned(),
            name: body.name.to_string(),
            plans,
            committees,
        });
    }
    html(OpenDataPage {
        chrome: chrome(viewer.as_ref(), None),
        bodies,
        plan_schema_href: PLAN_SCHEMA_PATH,
        schema_href: COMMITTEE_SCHEMA_PATH,
    })
}

/// `GET /open-data/committee.schema.json`.
pub async fn committee_schema() -> Response {
    schema_response(COMMITTEE_SCHEMA)
}

/// `GET /open-data/plan.schema.json`.
pub async fn plan_schema() -> Response {
    schema_response(PLAN_SCHEMA)
}

fn schema_response(schema: &'static str) -> Response {
    let mut response = schema.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    response
}

/// A committee's record as the committee JSON holds it.
#[derive(Serialize)]
struct CommitteeData {
    body: BodyRef,
    committee: CommitteeRef,
    meetings: Vec<MeetingData>,
    promises: Vec<PromiseData>,
}

#[derive(Serialize)]
struct BodyRef {
    slug: String,
    name: String,
    url: String,
}

#[derive(Serialize)]
struct CommitteeRef {
    id: i64,
    name: String,
    clerk: String,
    url: String,
    portfolios: Vec<PortfolioRef>,
}

#[derive(Serialize)]
struct PortfolioRef {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct MeetingData {
    id: i64,
    date: NaiveDate,
    status: &'static str,
    venue: String,
    published: bool,
    url: String,
    items: Vec<ItemData>,
}

#[derive(Serialize)]
struct ItemData {
    id: i64,
    number: String,
    title: String,
    report_reference: String,
}

#[derive(Serialize)]
struct PromiseData {
    id: i64,
    text: String,
    action: Option<String>,
    action_url: Option<String>,
    owner: Option<String>,
    due_by: Option<NaiveDate>,
    due: Option<String>,
    due_text: String,
    status: &'static str,
    standing: &'static str,
    closed_on: Option<NaiveDate>,
    delivery_note: String,
    meeting_id: i64,
    meeting_date: NaiveDate,
    item_number: String,
}

/// The record of committee `id` of body `slug` as the public sees it.
async fn committee_data(state: &AppState, slug: &str, id: &str) -> Result<CommitteeData, WebError> {
    let body = body_for(state, slug).await?;
    let access = Access::Public;
    let committee = committee_of(state, &body, id).await?;
    let meetings: Vec<_> = state
        .store()
        .meetings(committee.id)
        .await?
        .into_iter()
        .filter(|m| m.published)
        .collect();
    let mut meeting_data = Vec::with_capacity(meetings.len());
    for m in meetings {
        let items = state
            .store()
            .agenda_items(m.id)
            .await?
            .into_iter()
            .map(|i| ItemData {
                id: i.id.get(),
                number: i.number,
                title: i.title,
                report_reference: i.report_ref,
            })
            .collect();
        meeting_data.push(MeetingData {
            id: m.id.get(),
            date: m.held_on,
            status: m.status.as_str(),
            venue: m.venue,
            published: m.published,
            url: format!("/b/{}/meetings/{}", body.slug, m.id),
            items,
        });
    }
    let today = today();
    let log = crate::promise_log::visible_log(state, &access, committee.id).await?;
    let actions = action_labels(
        state,
        body.slug.as_str(),
        &access,
        log.iter().filter_map(|l| l.commitment.action_id).collect(),
    )
    .await?;
    let promises = log
        .into_iter()
        .map(|l| PromiseData {
            id: l.commitment.id.get(),
            action: l
                .commitment
                .action_id
                .and_then(|a| actions.get(&a))
                .map(|(_, label)| label.clone()),
            action_url: l
                .commitment
                .action_id
                .and_then(|a| actions.get(&a))
                .map(|(href, _)| href.clone()),
            owner: l.commitment.owner.clone(),
            due_by: l.commitment.due_by.map(|d| d.due_by()),
            due: l.commitment.due_by.map(|d| d.to_string()),
            status: l.commitment.status.as_str(),
            standing: l.commitment.standing(today).as_str(),
            closed_on: l.commitment.closed_on,
            meeting_id: l.meeting.id.get(),
            meeting_date: l.meeting.held_on,
            item_number: l.item_number,
            text: l.commitment.text,
            due_text: l.commitment.due_text,
            delivery_note: l.commitment.delivery_note,
        })
        .collect();
    let portfolios = state
        .store()
        .committee_portfolios(committee.id)
        .await?
        .into_iter()
        .map(|p| PortfolioRef {
            code: p.code.to_string(),
            name: p.name.to_string(),
        })
        .collect();
    Ok(CommitteeData {
        body: BodyRef {
            slug: body.slug.to_string(),
            name: body.name.to_string(),
            url: format!("/b/{}", body.slug),
        },
        committee: CommitteeRef {
            url: format!("/b/{}/committees/{}", body.slug, committee.id),
            id: committee.id.get(),
            name: committee.name,
            clerk: committee.clerk,
            portfolios,
        },
        meetings: meeting_data,
        promises,
    })
}

fn attachment(bytes: Vec<u8>, media_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `GET /b/{body}/committees/{id}/export.json`.
pub async fn committee_json(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let data = committee_data(&state, &slug, &id).await?;
    let bytes = serde_json::to_vec_pretty(&data)
        .map_err(|e| WebError::Export(format!("the JSON could not be written ({e})")))?;
    Ok(attachment(
        bytes,
        "application/json",
        &format!("{}-committee-{}.json", data.body.slug, data.committee.id),
    ))
}

/// `GET /b/{body}/committees/{id}/export.csv`: one agenda item a row (a
/// meeting without items, one row with the item's cells empty).
pub async fn committee_csv(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let data = committee_data(&state, &slug, &id).await?;
    let written = |e: ::csv::Error| WebError::Export(format!("the CSV could not be written ({e})"));
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Committee",
        "Meeting date",
        "Meeting status",
        "Venue",
        "Item",
        "Item title",
        "Report reference",
        "Meeting page",
    ])
    .map_err(written)?;
    let empty = [ItemData {
        id: 0,
        number: String::new(),
        title: String::new(),
        report_reference: String::new(),
    }];
    for m in &data.meetings {
        let items = if m.items.is_empty() {
            &empty[..]
        } else {
            &m.items[..]
        };
        for i in items {
            let row = [
                data.committee.name.as_str(),
                &m.date.to_string(),
                m.status,
                &m.venue,
                &i.number,
                &i.title,
                &i.report_reference,
                &m.url,
            ];
            w.write_record(
                row.iter()
                    .map(|cell| interop::formula::protect(cell).into_owned()),
            )
            .map_err(written)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| WebError::Export(format!("the CSV could not be written ({e})")))?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("{}-committee-{}.csv", data.body.slug, data.committee.id),
    ))
}

/// One entry of a feed.
struct Entry {
    id: String,
    title: String,
    updated: DateTime<Utc>,
    link: String,
    category: &'static str,
    content: String,
}

/// `text` fit for XML 1.0: escaped, with the characters XML cannot hold
/// left out.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The first `n` characters of `text`, with "…" when cut.
fn shorten(text: &str, n: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

/// Midnight (UTC) starting `day`.
fn at_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// The feed entries of the promises in `log` delivered, withdrawn or
/// overdue on `today`: closed ones when closed, overdue ones from the day
/// after they were due.
fn promise_entries(
    site: &str,
    slug: &str,
    log: &[LoggedCommitment],
    today: NaiveDate,
) -> Vec<Entry> {
    log.iter()
        .filter_map(|l| {
            let c = &l.commitment;
            let standing = c.standing(today);
            let (word, updated) = match (standing, c.closed_on, c.due_by) {
                (Standing::Delivered | Standing::Withdrawn, Some(on), _) => {
                    (standing.label(), at_midnight(on))
                }
                (Standing::Overdue, _, Some(due)) => {
                    ("Overdue", at_midnight(due.due_by().succ_opt()?))
                }
                _ => return None,
            };
            let committee_href = format!("{site}/b/{slug}/committees/{}", l.meeting.committee_id);
            let mut content = format!(
                "{}\n\nPromised to the {} on {}, item {}.",
                c.text.trim(),
                l.committee,
                l.meeting.held_on.format("%-d %B %Y"),
                l.item_number
            );
            if let Some(owner) = &c.owner {
                content.push_str(&format!(" Owner: {owner}."));
            }
            if let Some(due) = c.due_by {
                content.push_str(&format!(" Due: {due}."));
            }
            if c.status != CommitmentStatus::Open && !c.delivery_note.trim().is_empty() {
                content.push_str(&format!("\n\n{}", c.delivery_note.trim()));
            }
            Some(Entry {
                id: format!("{committee_href}#promise-{}-{}", c.id, standing.as_str()),
                title: format!("Promise {}: {}", word.to_lowercase(), shorten(&c.text, 90)),
                updated,
                link: format!("{site}/b/{slug}/meetings/{}", l.meeting.id),
                category: standing.as_str(),
                content,
            })
        })
        .collect()
}

/// The feed entries of the latest signed-off updates of body `body`'s
/// published plans (only those of `portfolios` when given).
async fn update_entries(
    state: &AppState,
    site: &str,
    body: &Body,
    portfolios: Option<&[String]>,
) -> Result<Vec<Entry>, WebError> {
    let limit = if portfolios.is_some() {
        4 * FEED_ENTRIES
    } else {
        FEED_ENTRIES
    };
    let updates = state.store().feed_updates(body.id, limit as i64).await?;
    Ok(updates
        .into_iter()
        .filter(|f| portfolios.is_none_or(|p| p.contains(&f.portfolio)))
        .filter_map(|f| {
            let shown = f.update.as_published()?;
            let action_href = format!("{site}/b/{}/actions/{}", body.slug, shown.action_id);
            Some(Entry {
                id: format!("{action_href}#update-{}", shown.id),
                title: format!(
                    "{} {} {}: {}, {}",
                    f.portfolio,
                    f.reference,
                    shorten(&f.title, 80),
                    shown.input.status.label(),
                    shown.period
                ),
                updated: shown.updated_at,
                link: action_href,
                category: shown.input.status.as_str(),
                content: format!(
                    "{} plan {}, action {}: {}\n\n{}",
                    f.portfolio,
                    f.year,
                    f.reference,
                    f.title,
                    shown.input.commentary.as_str().trim()
                ),
            })
        })
        .collect())
}

/// The Atom document of `entries` (newest first, at most
/// [`FEED_ENTRIES`]), as feed `self_href` of `body`.
fn atom(
    body: &Body,
    title: &str,
    self_href: &str,
    alternate: &str,
    mut entries: Vec<Entry>,
    fallback: DateTime<Utc>,
) -> String {
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(FEED_ENTRIES);
    let updated = entries.first().map_or(fallback, |e| e.updated);
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en-GB\">\n");
    out.push_str(&format!("  <id>{}</id>\n", xml(self_href)));
    out.push_str(&format!("  <title>{}</title>\n", xml(title)));
    out.push_str(&format!("  <updated>{}</updated>\n", stamp(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml(body.name.as_str())
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(self_href)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(alternate)
    ));
    out.push_str("  <generator>Ambit</generator>\n");
    for e in &entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&e.id)));
        out.push_str(&format!("    <title>{}</title>\n", xml(&e.title)));
        out.push_str(&format!("    <updated>{}</updated>\n", stamp(e.updated)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&e.link)
        ));
        out.push_str(&format!("    <category term=\"{}\"/>\n", xml(e.category)));
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml(&e.content)
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn feed_response(document: String) -> Response {
    let mut response = document.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    response
}

/// This site's `scheme://host`, for the feed's absolute addresses.
fn site(state: &AppState, headers: &HeaderMap) -> Result<String, WebError> {
    crate::oparl::site(state, headers).map_err(|_| WebError::NotFound)
}

/// When body `body` last changed, for a feed without entries.
async fn body_changed(state: &AppState, body: &Body) -> Result<DateTime<Utc>, WebError> {
    let stamps = state.store().body_stamps().await?;
    Ok(stamps
        .get(&body.id)
        .and_then(|s| DateTime::parse_from_rfc3339(&s.modified).ok())
        .map_or_else(|| at_midnight(today()), |t| t.with_timezone(&Utc)))
}

/// The promises made at published meetings (the public's log).
fn public_log(log: Vec<LoggedCommitment>) -> Vec<LoggedCommitment> {
    log.into_iter().filter(|l| l.meeting.published).collect()
}

/// `GET /b/{body}/feed.atom`.
pub async fn body_feed_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let site = site(&state, &headers)?;
    let body = body_for(&state, &slug).await?;
    let log = public_log(
        state
            .store()
            .commitment_log(CommitmentsOf::Body(body.id))
            .await?,
    );
    let mut entries = promise_entries(&site, body.slug.as_str(), &log, today());
    entries.extend(update_entries(&state, &site, &body, None).await?);
    let document = atom(
        &body,
        &format!("{}: plan updates and promises", body.name),
        &format!("{site}{}", body_feed(body.slug.as_str())),
        &format!("{site}/b/{}", body.slug),
        entries,
        body_changed(&state, &body).await?,
    );
    Ok(feed_response(document))
}

/// `GET /b/{body}/committees/{id}/feed.atom`.
pub async fn committee_feed_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let site = site(&state, &headers)?;
    let body = body_for(&state, &slug).await?;
    let committee = committee_of(&state, &body, &id).await?;
    let log = public_log(
        state
            .store()
            .commitment_log(CommitmentsOf::Committee(committee.id))
            .await?,
    );
    let mut entries = promise_entries(&site, body.slug.as_str(), &log, today());
    let portfolios: Vec<String> = state
        .store()
        .committee_portfolios(committee.id)
        .await?
        .into_iter()
        .map(|p| p.code.to_string())
        .collect();
    entries.extend(update_entries(&state, &site, &body, Some(&portfolios)).await?);
    let href = format!("/b/{}/committees/{}", body.slug, committee.id);
    let document = atom(
        &body,
        &format!("{}: plan updates and promises", committee.name),
        &format!("{site}{href}/feed.atom"),
        &format!("{site}{href}"),
        entries,
        body_changed(&state, &body).await?,
    );
    Ok(feed_response(document))
}

/// The routes of the open data page, its schemas, feeds and committee downloads.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/open-data", axum::routing::get(page))
        .route(COMMITTEE_SCHEMA_PATH, axum::routing::get(committee_schema))
        .route(PLAN_SCHEMA_PATH, axum::routing::get(plan_schema))
        .route("/b/{body}/feed.atom", axum::routing::get(body_feed_atom))
        .route(
            "/b/{body}/committees/{id}/feed.atom",
            axum::routing::get(committee_feed_atom),
        )
        .route(
            "/b/{body}/committees/{id}/export.csv",
            axum::routing::get(committee_csv),
        )
        .route(
            "/b/{body}/committees/{id}/export.json",
            axum::routing::get(committee_json),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_fit_for_xml() {
        assert_eq!(
            xml("A & B <c> \"d\" 'e'\u{1}\n"),
            "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;\n"
        );
    }

    #[test]
    fn long_titles_are_shortened_on_a_character() {
        assert_eq!(shorten("Café au lait", 4), "Café…");
        assert_eq!(shorten("short", 10), "short");
    }

    #[test]
    fn the_schema_is_json() {
        let v: serde_json::Value = serde_json::from_str(COMMITTEE_SCHEMA).unwrap();
        assert_eq!(v["type"], "object");
    }
}
