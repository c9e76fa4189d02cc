//! Brings a council's committee record over from its ModernGov committee
//! system (Civica's), through the public web service most English councils
//! leave open at `{site}/mgWebService.asmx`.
//!
//! [`sync`] reads `GetCommittees`, then the meetings in a date range
//! (`GetAllMeetingsByDate` for every committee, `GetMeetings` for those
//! asked for), then each meeting (`GetMeeting`), and only when every answer
//! has been read writes what it found through the store: the committees,
//! the meetings (date, time, status, location, attendees), the agenda items
//! (number, title, the report reference found in the title, the documents
//! they link to), each keyed by ModernGov's own id, so running it again
//! changes only what ModernGov changed. Each item's published minutes go to
//! the clerk's review queue with the minutes extractor's proposals, never
//! straight into the record; a meeting whose minutes are published only as
//! a PDF has the link to its documents page recorded for the clerk.
//! Restricted items and documents are never brought over.
//!
//! The service's answers vary between councils: [`xml`] reads them
//! (namespaces and SOAP envelopes stripped, one element where a list is
//! expected, missing fields, dd/mm/yyyy dates, "10.00 am" times,
//! "True"/"False", HTML escaped once or twice). The service ignores a date
//! range written in ISO form, so the range is sent as dd/mm/yyyy and applied
//! again here. [`client`] asks politely (one request a second by default),
//! waits long (servers take up to 90 s), retries with backoff and names
//! Ambit in its user agent; each way it can fail is a [`SyncError`] saying
//! what to do.

pub mod client;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Duration, NaiveDate};
use domain::{MeetingStatus, Title};
use serde::Serialize;
use store::{
    Attendee, ItemDocument, MinutesForReview, Outcome, Store, StoreError, SyncCommittee, SyncItem,
    SyncMeeting,
};

pub use client::{Client, Manners, Site, USER_AGENT};
pub use xml::XmlError;

/// How far back a sync reads by default: minutes are published weeks after
/// a meeting, so the last 90 days are read again each time.
pub const DAYS_BACK: i64 = 90;

/// How far ahead a sync reads by default, for the meetings already
/// scheduled.
pub const DAYS_AHEAD: i64 = 90;

/// The most findings of each kind the extractor proposes for one item's
/// minutes (as the review page does).
const MAX_FINDINGS: usize = 500;

/// Why a sync stopped. Nothing is written unless every answer was read.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The site's address cannot be used.
    #[error(
        "the ModernGov site {site:?} is not an address Ambit can use ({why}); give the address of the council's committee pages, such as https://democracy.example.gov.uk or https://www.example.gov.uk/moderngov"
    )]
    BadSite {
        /// The address as given.
        site: String,
        /// What is wrong with it.
        why: String,
    },
    /// Nothing answered at the site's address.
    #[error(
        "the site {site} could not be reached ({detail}); check the address, and that this server can reach the internet"
    )]
    SiteNotFound {
        /// The site.
        site: String,
        /// What the connection said.
        detail: String,
    },
    /// The site answered, but has no web service where ModernGov keeps it.
    #[error(
        "{site} answered, but has no ModernGov web service at {url} (404 Not Found); check the address, including any sub-path such as /moderngov or /democracy"
    )]
    NoService {
        /// The site.
        site: String,
        /// The address asked.
        url: String,
    },
    /// The council has switched its web service off (or refuses Ambit).
    #[error(
        "the ModernGov web service of {site} is switched off or refuses requests (HTTP {status}); ask the council's democratic services to enable the web service (mgWebService.asmx) for Ambit"
    )]
    ServiceDisabled {
        /// The site.
        site: String,
        /// The HTTP status it answered with.
        status: u16,
    },
    /// No answer in time, even after retrying.
    #[error(
        "{url} did not answer within {seconds:.0} seconds ({tries} tries); ModernGov servers are often slow: try again later, or allow longer with --timeout"
    )]
    TimedOut {
        /// The address asked.
        url: String,
        /// The time allowed for each try.
        seconds: f64,
        /// How many times it was asked.
        tries: u32,
    },
    /// The answer is not the web service's.
    #[error(
        "{url} answered with {found}, not the ModernGov web service's XML; check that the address is the council's ModernGov site"
    )]
    NotTheService {
        /// The address asked.
        url: String,
        /// What came back instead.
        found: XmlError,
    },
    /// The server failed.
    #[error("{url} answered with HTTP {status}, even after retrying; try again later")]
    Server {
        /// The address asked.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The site's certificate could not be checked.
    #[error(
        "the certificate of {site} could not be verified ({detail}); the council's web team must fix the site's certificate chain before Ambit can read it"
    )]
    Certificate {
        /// The site.
        site: String,
        /// What the TLS library said.
        detail: String,
    },
    /// The connection broke while the answer came.
    #[error("the connection to {url} broke ({detail}), even after retrying; try again later")]
    Dropped {
        /// The address asked.
        url: String,
        /// What broke.
        detail: String,
    },
    /// A committee asked for is not one of the site's.
    #[error(
        "committee {id} is not one of the committees of {site}; leave out --committee to read every committee, or use an id from the site (its committee pages' addresses end ?CId=ID)"
    )]
    UnknownCommittee {
        /// The id asked for.
        id: i64,
        /// The site.
        site: String,
    },
    /// The date range is empty.
    #[error(
        "the range of dates ends ({to}) before it begins ({from}); give --to on or after --from"
    )]
    BadRange {
        /// Its first day.
        from: NaiveDate,
        /// Its last day.
        to: NaiveDate,
    },
    /// Another run of the sync for the body has not ended.
    #[error(
        "a sync of this body's ModernGov site is already under way; wait for it to end (the body's ModernGov settings page shows it)"
    )]
    AlreadyRunning,
    /// Writing what was read failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl SyncError {
    /// Whether trying the same request again may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::TimedOut { .. } | SyncError::Dropped { .. } => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// What to read.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The council's ModernGov site.
    pub site: Site,
    /// ModernGov's ids of the committees to read; empty for every current
    /// committee.
    pub committees: Vec<i64>,
    /// The first day of meetings to read.
    pub from: NaiveDate,
    /// The last day of meetings to read.
    pub to: NaiveDate,
    /// Today, which tells held meetings from scheduled ones.
    pub today: NaiveDate,
    /// How politely and patiently to ask.
    pub manners: Manners,
}

impl SyncOptions {
    /// Every current committee's meetings from [`DAYS_BACK`] days before
    /// `today` to [`DAYS_AHEAD`] days after, asked with default manners.
    pub fn new(site: Site, today: NaiveDate) -> SyncOptions {
        SyncOptions {
            site,
            committees: Vec::new(),
            from: today - Duration::days(DAYS_BACK),
            to: today + Duration::days(DAYS_AHEAD),
            today,
            manners: Manners::default(),
        }
    }
}

/// Told how a sync is getting on (a progress bar, a status line).
pub trait Progress: Send + Sync {
    /// `total` steps of `what` begin.
    fn begin(&self, total: usize, what: &str);
    /// One step is done.
    fn step(&self, message: &str);
}

/// A [`Progress`] that tells nobody.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quietly;

impl Progress for Quietly {
    fn begin(&self, _: usize, _: &str) {}
    fn step(&self, _: &str) {}
}

/// How many records were created, changed and left alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// New in Ambit.
    pub created: usize,
    /// Changed.
    pub changed: usize,
    /// Left alone, as ModernGov has them.
    pub unchanged: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Changed => self.changed += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// A meeting whose minutes are published as a PDF only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PdfOnly {
    /// The committee's title.
    pub committee: String,
    /// The meeting's day.
    pub held_on: NaiveDate,
    /// The meeting's documents page, where the PDF is.
    pub url: String,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Committees.
    pub committees: Tally,
    /// Meetings.
    pub meetings: Tally,
    /// Agenda items created.
    pub items_created: usize,
    /// Agenda items changed.
    pub items_changed: usize,
    /// Items whose minutes were put in the clerk's review queue.
    pub minutes_queued: usize,
    /// Meetings whose minutes are published as a PDF only.
    pub pdf_minutes: Vec<PdfOnly>,
    /// Restricted items (and documents) left out.
    pub restricted: usize,
    /// Meetings the service gave outside the range, left out.
    pub outside_range: usize,
    /// Requests sent.
    pub requests: usize,
}

impl Summary {
    /// Whether the sync changed nothing.
    pub fn changed_nothing(&self) -> bool {
        self.committees.created + self.committees.changed == 0
            && self.meetings.created + self.meetings.changed == 0
            && self.items_created + self.items_changed + self.minutes_queued == 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |t: &Tally| {
            format!(
                "{} created, {} changed, {} left alone",
                t.created, t.changed, t.unchanged
            )
        };
        writeln!(f, "Committees: {}", t(&self.committees))?;
        writeln!(f, "Meetings: {}", t(&self.meetings))?;
        writeln!(
            f,
            "Agenda items: {} created, {} changed",
            self.items_created, self.items_changed
        )?;
        writeln!(f, "Minutes queued for review: {}", self.minutes_queued)?;
        if self.restricted > 0 {
            writeln!(
                f,
                "Restricted items and documents left out: {}",
                self.restricted
            )?;
        }
        if self.outside_range > 0 {
            writeln!(
                f,
                "Meetings outside the dates, left out: {}",
                self.outside_range
            )?;
        }
        for p in &self.pdf_minutes {
            writeln!(
                f,
                "Minutes as a PDF only (read them there and record them by hand): {} on {}: {}",
                p.committee,
                p.held_on.format("%-d %B %Y"),
                p.url
            )?;
        }
        if self.changed_nothing() {
            writeln!(f, "Nothing changed.")?;
        }
        Ok(())
    }
}

/// A committee as read.
#[derive(Debug, Clone)]
struct FoundCommittee {
    title: Title,
    current: bool,
}

/// A meeting row as listed, before its details are read.
#[derive(Debug, Clone)]
struct Listed {
    id: i64,
    committee: i64,
    date: NaiveDate,
    time: String,
    status: String,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Start a run of the sync of `site` for `body_id` as `actor`, recorded
/// (audited) so that the body's ModernGov settings page shows it: the
/// run's id, or [`SyncError::AlreadyRunning`] (nothing written) while
/// another has not ended. Then [`run`] it, now or in the background.
pub async fn begin(
    store: &Store,
    actor: &str,
    body_id: i64,
    site: &Site,
) -> Result<i64, SyncError> {
    store
        .start_moderngov_sync(actor, domain::BodyId::new(body_id), site.as_str())
        .await?
        .ok_or(SyncError::AlreadyRunning)
}

/// Run the sync begun as `run` by [`begin`], and record how it ended (its
/// summary, or why it failed). The command line's `ambit moderngov sync`
/// and the web's "Sync now" both come here.
pub async fn run(
    store: &Store,
    actor: &str,
    run: i64,
    body_id: i64,
    options: &SyncOptions,
    progress: &dyn Progress,
) -> Result<Summary, SyncError> {
    let result = sync(store, actor, body_id, options, progress).await;
    match &result {
        Ok(summary) => {
            store
                .finish_moderngov_sync(actor, run, false, &summary.to_string(), "")
                .await?
        }
        Err(e) => {
            store
                .finish_moderngov_sync(actor, run, true, "", &e.to_string())
                .await?
        }
    }
    result
}

/// Read the site's committees, meetings and agenda items in the range and
/// write them for `body_id` as `actor`. Nothing is written unless every
/// answer was read; each meeting is then written in one transaction.
pub async fn sync(
    store: &Store,
    actor: &str,
    body_id: i64,
    options: &SyncOptions,
    progress: &dyn Progress,
) -> Result<Summary, SyncError> {
    if options.to < options.from {
        return Err(SyncError::BadRange {
            from: options.from,
            to: options.to,
        });
    }
    let client = Client::new(options.site.clone(), options.manners.clone())?;
    let site = &options.site;
    let mut summary = Summary::default();

    // Committees.
    let answer = client.call("GetCommittees", &[]).await?;
    let listed: xml::CommitteesXml =
        xml::read(&answer, &["committees"]).map_err(|found| SyncError::NotTheService {
            url: format!("{site}/mgWebService.asmx/GetCommittees"),
            found,
        })?;
    let mut committees: BTreeMap<i64, FoundCommittee> = BTreeMap::new();
    for c in &listed.committee {
        let (Some(id), Ok(title)) = (
            xml::id(&c.committeeid),
            Title::parse("committee", &xml::unescape(&c.committeetitle)),
        ) else {
            continue;
        };
        let current = !xml::boolean(&c.committeedeleted) && !xml::boolean(&c.committeeexpired);
        committees.insert(id, FoundCommittee { title, current });
    }
    for id in &options.committees {
        if !committees.contains_key(id) {
            return Err(SyncError::UnknownCommittee {
                id: *id,
                site: site.to_string(),
            });
        }
    }

    // Meetings in the range.
    let range = [
        ("sFromDate", dmy(options.from)),
        ("sToDate", dmy(options.to)),
    ];
    let mut rows: Vec<Listed> = Vec::new();
    let asked: Vec<Option<i64>> = if options.committees.is_empty() {
        vec![None]
    } else {
        options.committees.iter().copied().map(Some).collect()
    };
    for committee in asked {
        let (operation, roots): (&str, &[&str]) = match committee {
            None => (
                "GetAllMeetingsByDate",
                &["getallmeetingsbydate", "getmeetings", "meetings"],
            ),
            Some(_) => (
                "GetMeetings",
                &["getmeetings", "getallmeetingsbydate", "meetings"],
            ),
        };
        let mut query = vec![("lCommitteeId", committee.unwrap_or(-1).to_string())];
        query.extend(range.iter().cloned());
        let answer = client.call(operation, &query).await?;
        let read: xml::MeetingsXml =
            xml::read(&answer, roots).map_err(|found| SyncError::NotTheService {
                url: format!("{site}/mgWebService.asmx/{operation}"),
                found,
            })?;
        let mut add = |m: &xml::MeetingRowXml, parent: Option<i64>| {
            let (Some(id), Some(date)) = (xml::id(&m.meetingid), xml::date(&m.meetingdate)) else {
                return;
            };
            let Some(committee) = xml::id(&m.committeeid).or(parent).or(committee) else {
                return;
            };
            rows.push(Listed {
                id,
                committee,
                date,
                time: m.meetingtime.clone(),
                status: m.meetingstatus.clone(),
            });
        };
        for c in &read.committee {
            let parent = xml::id(&c.committeeid);
            for m in c.committeemeetings.iter().flat_map(|l| &l.meeting) {
                add(m, parent);
            }
        }
        for m in &read.meeting {
            add(m, None);
        }
    }
    let mut seen = BTreeSet::new();
    rows.retain(|r| seen.insert(r.id));
    let before = rows.len();
    rows.retain(|r| {
        r.date >= options.from
            && r.date <= options.to
            && committees.contains_key(&r.committee)
            && (options.committees.is_empty() || options.committees.contains(&r.committee))
    });
    summary.outside_range = before - rows.len();
    rows.sort_by_key(|r| (r.date, r.id));

    // Each meeting's details.
    progress.begin(rows.len(), "meetings");
    let mut meetings = Vec::with_capacity(rows.len());
    for row in &rows {
        let answer = client
            .call("GetMeeting", &[("lMeetingId", row.id.to_string())])
            .await?;
        let read: xml::MeetingXml =
            xml::read(&answer, &["meeting"]).map_err(|found| SyncError::NotTheService {
                url: format!("{site}/mgWebService.asmx/GetMeeting?lMeetingId={}", row.id),
                found,
            })?;
        let meeting = meeting_of(row, &read, options, &mut summary.restricted);
        progress.step(&format!(
            "{} {}",
            committees
                .get(&row.committee)
                .map_or("", |c| c.title.as_str()),
            row.date
        ));
        meetings.push(meeting);
    }

    // Everything is read: write it.
    let mut ids: BTreeMap<i64, domain::CommitteeId> = BTreeMap::new();
    let wanted: BTreeSet<i64> = if options.committees.is_empty() {
        committees
            .iter()
            .filter(|(_, c)| c.current)
            .map(|(id, _)| *id)
            .chain(rows.iter().map(|r| r.committee))
            .collect()
    } else {
        options.committees.iter().copied().collect()
    };
    for id in wanted {
        let Some(c) = committees.get(&id) else {
            continue;
        };
        let (ambit, outcome) = store
            .sync_committee(
                actor,
                domain::BodyId::new(body_id),
                &SyncCommittee {
                    moderngov_id: id,
                    name: c.title.clone(),
                },
            )
            .await?;
        summary.committees.add(outcome);
        ids.insert(id, ambit);
    }
    for meeting in &meetings {
        let Some(committee_id) = ids.get(&meeting.moderngov_committee_id) else {
            continue;
        };
        let write = store
            .sync_meeting(actor, domain::BodyId::new(body_id), *committee_id, meeting)
            .await?;
        if let Some(outcome) = write.outcome {
            summary.meetings.add(outcome);
        }
        summary.items_created += write.items_created;
        summary.items_changed += write.items_changed;
        summary.minutes_queued += write.minutes_queued;
        if let Some(url) = &meeting.minutes_pdf {
            summary.pdf_minutes.push(PdfOnly {
                committee: committees
                    .get(&meeting.moderngov_committee_id)
                    .map_or_else(String::new, |c| c.title.to_string()),
                held_on: meeting.held_on,
                url: url.clone(),
            });
        }
    }
    summary.requests = client.requests();
    Ok(summary)
}

/// The meeting `read` (listed as `row`) as the store takes it.
fn meeting_of(
    row: &Listed,
    read: &xml::MeetingXml,
    options: &SyncOptions,
    restricted: &mut usize,
) -> SyncMeeting {
    let site = &options.site;
    let held_on = xml::date(&read.meetingdate).unwrap_or(row.date);
    let time_raw = if read.meetingtime.trim().is_empty() {
        &row.time
    } else {
        &read.meetingtime
    };
    let status_text = if read.meetingstatus.trim().is_empty() {
        row.status.trim()
    } else {
        read.meetingstatus.trim()
    };
    let status = if status_text.to_ascii_lowercase().contains("cancel") {
        MeetingStatus::Cancelled
    } else if held_on < options.today {
        MeetingStatus::Held
    } else {
        MeetingStatus::Scheduled
    };
    let page = site.page(&format!(
        "ieListDocuments.aspx?CId={}&MId={}",
        row.committee, row.id
    ));
    let attendees = read
        .attendees
        .iter()
        .flat_map(|a| &a.attendee)
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| Attendee {
            name: xml::unescape(a.name.trim()),
            role: xml::unescape(a.role.trim()),
            attendance: xml::unescape(a.attendance.trim()),
        })
        .collect();
    let mut items = Vec::new();
    for (position, a) in read
        .agendaitems
        .iter()
        .flat_map(|l| &l.agendaitem)
        .enumerate()
    {
        if xml::boolean(&a.isrestricted) {
            *restricted += 1;
            continue;
        }
        let Some(id) = xml::id(&a.agendaitemid) else {
            continue;
        };
        let number = [&a.agendaitemnumber, &a.fulldisplaynumberformat]
            .into_iter()
            .map(|n| xml::html_text(n).trim_end_matches('.').trim().to_owned())
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| (position + 1).to_string());
        let Ok(number) = Title::parse("number", &number) else {
            continue;
        };
        let title_text = xml::html_text(&a.agendaitemtitle);
        let title_text: String = if title_text.is_empty() {
            format!("Item {number}")
        } else {
            title_text.chars().take(Title::MAX_CHARS).collect()
        };
        let Ok(title) = Title::parse("title", &title_text) else {
            continue;
        };
        let report_ref = minutes::extract_text(title.as_str(), &minutes::Options::default())
            .reports
            .into_iter()
            .next()
            .unwrap_or_default();
        let mut documents = Vec::new();
        for d in a.linkeddocuments.iter().flat_map(|l| &l.linkeddoc) {
            if xml::boolean(&d.isrestricted) {
                *restricted += 1;
                continue;
            }
            let url = xml::unescape(d.url.trim());
            if url.is_empty() {
                continue;
            }
            let url = if url.starts_with("http://") || url.starts_with("https://") {
                url
            } else {
                site.page(url.trim_start_matches('/'))
            };
            let title = xml::html_text(&d.title);
            documents.push(ItemDocument {
                external_id: xml::id(&d.attachmentid),
                title: if title.is_empty() { url.clone() } else { title },
                url,
                published_on: xml::date(&d.publicationdate),
            });
        }
        let text = xml::html_text(&a.minutesnonemptyhtmlbody);
        let minutes = (!text.is_empty()).then(|| {
            let extract = minutes::extract_text(
                &text,
                &minutes::Options {
                    source: None,
                    meeting_date: Some(held_on),
                    max_findings: Some(MAX_FINDINGS),
                    all_candidates: false,
                },
            );
            MinutesForReview {
                text,
                proposals: serde_json::to_value(&extract).unwrap_or(serde_json::Value::Null),
                source: page.clone(),
            }
        });
        items.push(SyncItem {
            moderngov_id: id,
            number,
            title,
            report_ref,
            documents,
            minutes,
        });
    }
    let minutes_pdf = (xml::boolean(&read.minutepublished)
        && items.iter().all(|i| i.minutes.is_none()))
    .then_some(page);
    SyncMeeting {
        moderngov_id: row.id,
        moderngov_committee_id: row.committee,
        held_on,
        starts_at: xml::time(time_raw),
        status,
        status_text: status_text.to_owned(),
        venue: xml::html_text(&read.meetinglocation),
        attendees,
        items,
        minutes_pdf,
    }
}
