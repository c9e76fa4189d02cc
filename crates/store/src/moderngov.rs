//! What a body's committee system (Civica's ModernGov) holds, brought over
//! by `ambit moderngov sync`: committees, meetings (with their time,
//! attendees and status), agenda items (with the documents they link to),
//! each keyed by ModernGov's own id, and each item's published minutes put
//! in the clerk's review queue, never straight into the record.
//!
//! A meeting is written in one transaction with an audit event for every
//! record it creates or changes. The meeting's fingerprint (the SHA-256 of
//! what was brought over) is kept, so a meeting ModernGov has not changed is
//! left alone without a write. Fields the clerk keeps in Ambit (whether a
//! meeting is published, the plan an item's report covers, accepted
//! minutes) are never overwritten.

use chrono::{NaiveDate, NaiveTime};
use domain::{MeetingStatus, Title};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{Change, record};
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError, sha256_hex};

/// A committee as the committee system names it.
#[derive(Debug, Clone, Serialize)]
pub struct SyncCommittee {
    /// ModernGov's id of it.
    pub moderngov_id: i64,
    /// Its title.
    pub name: Title,
}

/// Someone expected at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    /// "Councillor Jane Smith".
    pub name: String,
    /// "Chairman", "Committee Member", "Officer" (may be empty).
    pub role: String,
    /// "Present", "Apologies", "Expected" (may be empty).
    pub attendance: String,
}

/// A document an agenda item links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemDocument {
    /// The committee system's id of it, when it gives one.
    pub external_id: Option<i64>,
    /// "Appendix 1 - Progress on actions".
    pub title: String,
    /// Where it is published.
    pub url: String,
    /// When it was published, when known.
    pub published_on: Option<NaiveDate>,
}

/// An item's minutes for the clerk's review queue.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesForReview {
    /// The minutes as text.
    pub text: String,
    /// The extractor's proposals for them (its JSON).
    pub proposals: serde_json::Value,
    /// Where they came from (the meeting's page on the committee system).
    pub source: String,
}

/// An agenda item as the committee system has it.
#[derive(Debug, Clone, Serialize)]
pub struct SyncItem {
    /// ModernGov's id of it.
    pub moderngov_id: i64,
    /// "7" or "7a".
    pub number: Title,
    /// Its title.
    pub title: Title,
    /// The report reference found in its title (may be empty).
    pub report_ref: String,
    /// The documents it links to.
    pub documents: Vec<ItemDocument>,
    /// Its published minutes, when there are some.
    pub minutes: Option<MinutesForReview>,
}

/// A meeting as the committee system has it.
#[derive(Debug, Clone, Serialize)]
pub struct SyncMeeting {
    /// ModernGov's id of it.
    pub moderngov_id: i64,
    /// ModernGov's id of its committee.
    pub moderngov_committee_id: i64,
    /// The day.
    pub held_on: NaiveDate,
    /// The time it starts, when known.
    pub starts_at: Option<NaiveTime>,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// The committee system's own word for its status ("Confirmed").
    pub status_text: String,
    /// Where.
    pub venue: String,
    /// Who was expected, and whether they came.
    pub attendees: Vec<Attendee>,
    /// The agenda, restricted items left out.
    pub items: Vec<SyncItem>,
    /// The meeting's documents page, when its minutes are published only
    /// as a PDF there.
    pub minutes_pdf: Option<String>,
}

/// What a sync did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// New in Ambit.
    Created,
    /// Already there, and changed.
    Changed,
    /// Already there as the committee system has it: left alone.
    Unchanged,
}

/// What writing one meeting did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingWrite {
    /// The meeting in Ambit.
    pub meeting_id: domain::MeetingId,
    /// Whether it was new, changed or left alone.
    pub outcome: Option<Outcome>,
    /// Agenda items created.
    pub items_created: usize,
    /// Agenda items changed.
    pub items_changed: usize,
    /// Items whose minutes were put in the review queue (new or changed).
    pub minutes_queued: usize,
}

/// A body's ModernGov site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModernGovSite {
    /// Its address (where `mgWebService.asmx` is).
    pub site: String,
    /// Milliseconds to wait between requests.
    pub delay_ms: i64,
    /// Optimistic-locking version.
    pub version: domain::Version,
}

/// One run of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRun {
    /// Its id.
    pub id: i64,
    /// The site it read.
    pub site: String,
    /// Who started it.
    pub started_by: String,
    /// When (RFC 3339).
    pub started_at: String,
    /// When it ended, if it has.
    pub finished_at: Option<String>,
    /// "running", "done" or "failed".
    pub state: String,
    /// What it created, changed and left alone, in words.
    pub summary: String,
    /// Why it failed, or what the clerk should know.
    pub message: String,
}

/// An agenda item's minutes waiting for the clerk's review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedMinutes {
    /// The agenda item.
    pub agenda_item_id: domain::AgendaItemId,
    /// Its number.
    pub item_number: String,
    /// Its title.
    pub item_title: String,
    /// Its meeting.
    pub meeting_id: domain::MeetingId,
    /// The meeting's day.
    pub held_on: NaiveDate,
    /// The committee's name.
    pub committee: String,
    /// The minutes as text.
    pub minutes: String,
    /// The extractor's proposals (its JSON).
    pub proposals: serde_json::Value,
    /// Where they came from.
    pub source: String,
}

/// A meeting whose minutes are published only as a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PdfMinutes {
    /// The meeting.
    pub meeting_id: domain::MeetingId,
    /// Its day.
    pub held_on: NaiveDate,
    /// The committee's name.
    pub committee: String,
    /// The meeting's documents page, where the PDF is.
    pub url: String,
}

/// What the committee system adds to a meeting: its time, its own word
/// for its status, the attendees, and the printed minutes' page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeetingExtras {
    /// When it starts.
    pub starts_at: Option<NaiveTime>,
    /// "Confirmed", "Rescheduled", ….
    pub status_text: String,
    /// Who was expected, and whether they came.
    pub attendees: Vec<Attendee>,
    /// The documents page where its minutes are, as a PDF only.
    pub minutes_pdf: Option<String>,
}

fn time_text(t: Option<NaiveTime>) -> Option<String> {
    t.map(|t| t.format("%H:%M").to_string())
}

/// The committee linked to ModernGov id `mg` in `body_id`, if any.
async fn linked(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    body_id: i64,
    mg: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {column} FROM {table} WHERE body_id = $1 AND moderngov_id = $2"
    ))
    .bind(body_id)
    .bind(mg)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn attendees_of(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<Attendee>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT name, role, attendance FROM meeting_attendees WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, role, attendance)| Attendee {
            name,
            role,
            attendance,
        })
        .collect())
}

async fn documents_of(
    conn: &mut AnyConnection,
    item_id: i64,
) -> Result<Vec<ItemDocument>, StoreError> {
    let rows: Vec<(Option<i64>, String, String, Option<String>)> = sqlx::query_as(
        "SELECT external_id, title, url, published_on FROM agenda_item_documents \
         WHERE agenda_item_id = $1 ORDER BY position",
    )
    .bind(item_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(external_id, title, url, published_on)| ItemDocument {
            external_id,
            title,
            url,
            published_on: published_on.and_then(|d| d.parse().ok()),
        })
        .collect())
}

impl Store {
    /// The body's ModernGov site, if one is set.
    pub async fn moderngov_site(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Option<ModernGovSite>, StoreError> {
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT site, delay_ms, version FROM moderngov_sites WHERE body_id = $1",
        )
        .bind(body_id.get())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(site, delay_ms, version)| ModernGovSite {
            site,
            delay_ms,
            version: domain::Version::new(version),
        }))
    }

    /// Set the body's ModernGov site (an address already checked by the
    /// caller) and the pause between requests, audited. Refused (changing
    /// nothing) if the setting changed since `version` was read (0 when
    /// there was none).
    pub async fn set_moderngov_site(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        version: domain::Version,
        site: &str,
        delay_ms: i64,
    ) -> Result<ModernGovSite, StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT site, delay_ms, version FROM moderngov_sites WHERE body_id = $1",
        )
        .bind(body_id.get())
        .fetch_optional(&mut *tx)
        .await?;
        let current = before.as_ref().map_or(0, |b| b.2);
        StoreError::unless_current(
            "ModernGov site",
            site,
            version,
            domain::Version::new(current),
        )?;
        let after = ModernGovSite {
            site: site.to_owned(),
            delay_ms,
            version: domain::Version::new(current + 1),
        };
        if before.is_some() {
            sqlx::query(
                "UPDATE moderngov_sites SET site = $1, delay_ms = $2, version = $3, updated_at = $4 \
                 WHERE body_id = $5 AND version = $6",
            )
            .bind(site)
            .bind(delay_ms)
            .bind(after.version.get())
            .bind(now())
            .bind(body_id.get())
            .bind(current)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO moderngov_sites (body_id, site, delay_ms, version, updated_at) VALUES ($1, $2, $3, 1, $4)",
            )
            .bind(body_id.get())
            .bind(site)
            .bind(delay_ms)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let before = before.map(|(site, delay_ms, version)| ModernGovSite {
            site,
            delay_ms,
            version: domain::Version::new(version),
        });
        record(
            &mut tx,
            Change {
                body_id: Some(body_id.get()),
                actor,
                entity: "ModernGov site",
                entity_id: body_id.get(),
                operation: if before.is_some() { "edit" } else { "create" },
                before: before.map(|b| json(&b)),
                after: Some(json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Start a run of the sync for `body_id`, audited; none (nothing
    /// written) while another run started in the last 30 minutes has not
    /// ended.
    pub async fn start_moderngov_sync(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        site: &str,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = chrono::Utc::now();
        let recent = (t - chrono::Duration::minutes(30))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let running: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM moderngov_syncs WHERE body_id = $1 AND state = 'running' AND started_at > $2",
        )
        .bind(body_id.get())
        .bind(&recent)
        .fetch_optional(&mut *tx)
        .await?;
        if running.is_some() {
            return Ok(None);
        }
        let started = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO moderngov_syncs (body_id, site, started_by, started_at, state) \
             VALUES ($1, $2, $3, $4, 'running') RETURNING id",
        )
        .bind(body_id.get())
        .bind(site)
        .bind(actor)
        .bind(&started)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            Change::create(
                Some(body_id.get()),
                actor,
                "ModernGov sync",
                id,
                serde_json::json!({ "site": site, "state": "running" }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// End run `id` of the sync: "done" or "failed", with its summary and
    /// message, audited.
    pub async fn finish_moderngov_sync(
        &self,
        actor: &str,
        id: i64,
        failed: bool,
        summary: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let state = if failed { "failed" } else { "done" };
        let body_id: Option<i64> =
            sqlx::query_scalar("SELECT body_id FROM moderngov_syncs WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let body_id = body_id.ok_or_else(|| StoreError::not_found("ModernGov sync", id))?;
        sqlx::query(
            "UPDATE moderngov_syncs SET finished_at = $1, state = $2, summary = $3, message = $4 WHERE id = $5",
        )
        .bind(now())
        .bind(state)
        .bind(summary)
        .bind(message)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            Change::between(
                Some(body_id),
                actor,
                "ModernGov sync",
                id,
                "edit",
                serde_json::json!({ "state": "running" }),
                serde_json::json!({ "state": state, "summary": summary, "message": message }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The body's runs of the sync, newest first (at most `limit`).
    pub async fn moderngov_syncs(
        &self,
        body_id: domain::BodyId,
        limit: i64,
    ) -> Result<Vec<SyncRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, site, started_by, started_at, finished_at, state, summary, message \
             FROM moderngov_syncs WHERE body_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(body_id.get())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "ModernGov sync")?;
                Ok(SyncRun {
                    id: c.id(),
                    site: c.string("site")?,
                    started_by: c.string("started_by")?,
                    started_at: c.string("started_at")?,
                    finished_at: c.opt_string("finished_at")?,
                    state: c.string("state")?,
                    summary: c.string("summary")?,
                    message: c.string("message")?,
                })
            })
            .collect()
    }

    /// Create or update the committee ModernGov knows as
    /// `committee.moderngov_id`, in one audited transaction. A committee
    /// not yet linked is matched by name (ignoring case) to one the body
    /// already has, so one made by hand is linked, not duplicated.
    pub async fn sync_committee(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        committee: &SyncCommittee,
    ) -> Result<(domain::CommitteeId, Outcome), StoreError> {
        let mut tx = self.begin_write().await?;
        let name = committee.name.as_str();
        let link = linked(
            &mut tx,
            "moderngov_committees",
            "committee_id",
            body_id.get(),
            committee.moderngov_id,
        )
        .await?;
        let existing = match link {
            Some(id) => Some(id),
            None => sqlx::query_scalar(
                "SELECT id FROM committees WHERE body_id = $1 AND lower(name) = lower($2) AND deleted_at IS NULL",
            )
            .bind(body_id.get())
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?,
        };
        let t = now();
        let outcome = match existing {
            Some(id) => {
                let (old, version): (String, i64) =
                    sqlx::query_as("SELECT name, version FROM committees WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                let renamed = old != name;
                if renamed {
                    crate::rows::claim(
                        &mut tx,
                        "committees",
                        "committee",
                        &old,
                        id,
                        domain::Version::new(version),
                    )
                    .await?;
                    sqlx::query("UPDATE committees SET name = $1, updated_at = $2 WHERE id = $3")
                        .bind(name)
                        .bind(&t)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::rows::unique("committee", name, "name"))?;
                }
                if link.is_none() {
                    sqlx::query(
                        "INSERT INTO moderngov_committees (body_id, moderngov_id, committee_id) VALUES ($1, $2, $3)",
                    )
                    .bind(body_id.get())
                    .bind(committee.moderngov_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                if renamed || link.is_none() {
                    record(
                        &mut tx,
                        Change::between(
                            Some(body_id.get()),
                            actor,
                            "committee",
                            id,
                            "edit",
                            serde_json::json!({ "name": old, "moderngov_id": link.map(|_| committee.moderngov_id) }),
                            serde_json::json!({ "name": name, "moderngov_id": committee.moderngov_id }),
                        ),
                    )
                    .await?;
                    (id, Outcome::Changed)
                } else {
                    (id, Outcome::Unchanged)
                }
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO committees (body_id, name, clerk, created_at, updated_at) VALUES ($1, $2, '', $3, $4) RETURNING id",
                )
                .bind(body_id.get())
                .bind(name)
                .bind(&t)
                .bind(&t)
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::rows::unique("committee", name, "name"))?;
                sqlx::query(
                    "INSERT INTO moderngov_committees (body_id, moderngov_id, committee_id) VALUES ($1, $2, $3)",
                )
                .bind(body_id.get())
                .bind(committee.moderngov_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                record(
                    &mut tx,
                    Change::create(
                        Some(body_id.get()),
                        actor,
                        "committee",
                        id,
                        serde_json::json!({ "name": name, "moderngov_id": committee.moderngov_id }),
                    ),
                )
                .await?;
                (id, Outcome::Created)
            }
        };
        tx.commit().await?;
        Ok((domain::CommitteeId::new(outcome.0), outcome.1))
    }

    /// Create or update one meeting of committee `committee_id` (of
    /// `body_id`) as ModernGov has it, with its agenda, attendees,
    /// documents and minutes for review, in one transaction with an audit
    /// event for each record created or changed. A meeting whose
    /// fingerprint is what was last brought over is left alone, unwritten.
    pub async fn sync_meeting(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        committee_id: domain::CommitteeId,
        meeting: &SyncMeeting,
    ) -> Result<MeetingWrite, StoreError> {
        let fingerprint = sha256_hex(
            serde_json::to_string(&(committee_id, meeting))
                .unwrap_or_default()
                .as_bytes(),
        );
        let known: Option<(i64, String)> = sqlx::query_as(
            "SELECT meeting_id, fingerprint FROM moderngov_meetings WHERE body_id = $1 AND moderngov_id = $2",
        )
        .bind(body_id.get())
        .bind(meeting.moderngov_id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((id, print)) = &known
            && *print == fingerprint
        {
            return Ok(MeetingWrite {
                meeting_id: domain::MeetingId::new(*id),
                outcome: Some(Outcome::Unchanged),
                items_created: 0,
                items_changed: 0,
                minutes_queued: 0,
            });
        }
        let mut tx = self.begin_write().await?;
        let t = now();
        let mut write = MeetingWrite {
            meeting_id: domain::MeetingId::new(0),
            outcome: None,
            items_created: 0,
            items_changed: 0,
            minutes_queued: 0,
        };
        let link = linked(
            &mut tx,
            "moderngov_meetings",
            "meeting_id",
            body_id.get(),
            meeting.moderngov_id,
        )
        .await?;
        let venue = meeting.venue.trim();
        let meeting_id = match link {
            Some(id) => {
                let row = sqlx::query(
                    "SELECT id, committee_id, held_on, venue, status, published, version FROM meetings WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let before = crate::scrutiny::meeting_from(&row)?;
                let after = domain::Meeting {
                    committee_id,
                    held_on: meeting.held_on,
                    venue: venue.to_owned(),
                    status: meeting.status,
                    version: before.version.next(),
                    ..before.clone()
                };
                let differs = before.committee_id != after.committee_id
                    || before.held_on != after.held_on
                    || before.venue != after.venue
                    || before.status != after.status;
                if differs {
                    crate::rows::claim(
                        &mut tx,
                        "meetings",
                        "meeting",
                        before.held_on,
                        id,
                        before.version,
                    )
                    .await?;
                    sqlx::query(
                        "UPDATE meetings SET committee_id = $1, held_on = $2, venue = $3, status = $4, updated_at = $5 WHERE id = $6",
                    )
                    .bind(committee_id.get())
                    .bind(meeting.held_on.to_string())
                    .bind(venue)
                    .bind(meeting.status.as_str())
                    .bind(&t)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    record(
                        &mut tx,
                        Change::between(
                            Some(body_id.get()),
                            actor,
                            "meeting",
                            id,
                            "edit",
                            json(&before),
                            json(&after),
                        ),
                    )
                    .await?;
                    write.outcome = Some(Outcome::Changed);
                }
                id
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO meetings (committee_id, held_on, venue, status, published, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING id",
                )
                .bind(committee_id.get())
                .bind(meeting.held_on.to_string())
                .bind(venue)
                .bind(meeting.status.as_str())
                .bind(&t)
                .bind(&t)
                .fetch_one(&mut *tx)
                .await?;
                let created = domain::Meeting {
                    id: domain::MeetingId::new(id),
                    committee_id,
                    held_on: meeting.held_on,
                    venue: venue.to_owned(),
                    status: meeting.status,
                    published: false,
                    version: domain::Version::FIRST,
                };
                record(
                    &mut tx,
                    Change::create(
                        Some(body_id.get()),
                        actor,
                        "meeting",
                        id,
                        serde_json::json!({ "meeting": created, "moderngov_id": meeting.moderngov_id }),
                    ),
                )
                .await?;
                write.outcome = Some(Outcome::Created);
                id
            }
        };
        write.meeting_id = domain::MeetingId::new(meeting_id);
        // What only the committee system gives.
        let extras_before: Option<(Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT starts_at, status_text, minutes_pdf FROM moderngov_meetings WHERE body_id = $1 AND moderngov_id = $2",
        )
        .bind(body_id.get())
        .bind(meeting.moderngov_id)
        .fetch_optional(&mut *tx)
        .await?;
        let extras_after = (
            time_text(meeting.starts_at),
            meeting.status_text.clone(),
            meeting.minutes_pdf.clone(),
        );
        if extras_before.is_some() {
            sqlx::query(
                "UPDATE moderngov_meetings SET meeting_id = $1, moderngov_committee_id = $2, starts_at = $3, status_text = $4, \
                 minutes_pdf = $5, fingerprint = $6, synced_at = $7 WHERE body_id = $8 AND moderngov_id = $9",
            )
            .bind(meeting_id)
            .bind(meeting.moderngov_committee_id)
            .bind(extras_after.0.clone())
            .bind(&extras_after.1)
            .bind(extras_after.2.clone())
            .bind(&fingerprint)
            .bind(&t)
            .bind(body_id.get())
            .bind(meeting.moderngov_id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO moderngov_meetings (body_id, moderngov_id, meeting_id, moderngov_committee_id, starts_at, \
                 status_text, minutes_pdf, fingerprint, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(body_id.get())
            .bind(meeting.moderngov_id)
            .bind(meeting_id)
            .bind(meeting.moderngov_committee_id)
            .bind(extras_after.0.clone())
            .bind(&extras_after.1)
            .bind(extras_after.2.clone())
            .bind(&fingerprint)
            .bind(&t)
            .execute(&mut *tx)
            .await?;
        }
        let mut details_changed = false;
        if let Some(before) = &extras_before
            && *before != extras_after
        {
            details_changed = true;
            record(
                &mut tx,
                Change::between(
                    Some(body_id.get()),
                    actor,
                    "meeting details",
                    meeting_id,
                    "edit",
                    serde_json::json!({ "starts_at": before.0, "status_text": before.1, "minutes_pdf": before.2 }),
                    serde_json::json!({ "starts_at": extras_after.0, "status_text": extras_after.1, "minutes_pdf": extras_after.2 }),
                ),
            )
            .await?;
        }
        // Attendees, as one list.
        let attendees_before = attendees_of(&mut tx, meeting_id).await?;
        if attendees_before != meeting.attendees {
            details_changed = true;
            sqlx::query("DELETE FROM meeting_attendees WHERE meeting_id = $1")
                .bind(meeting_id)
                .execute(&mut *tx)
                .await?;
            for (i, a) in meeting.attendees.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO meeting_attendees (meeting_id, position, name, role, attendance) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(meeting_id)
                .bind(i as i64)
                .bind(&a.name)
                .bind(&a.role)
                .bind(&a.attendance)
                .execute(&mut *tx)
                .await?;
            }
            record(
                &mut tx,
                Change::between(
                    Some(body_id.get()),
                    actor,
                    "meeting attendees",
                    meeting_id,
                    "edit",
                    json(&attendees_before),
                    json(&meeting.attendees),
                ),
            )
            .await?;
        }
        for item in &meeting.items {
            let changed = self
                .sync_item(&mut tx, actor, body_id.get(), meeting_id, item, &mut write)
                .await?;
            details_changed |= changed;
        }
        if write.outcome.is_none() {
            write.outcome = Some(
                if details_changed || write.items_created + write.items_changed > 0 {
                    Outcome::Changed
                } else {
                    Outcome::Unchanged
                },
            );
        }
        tx.commit().await?;
        Ok(write)
    }

    /// One agenda item of a meeting being written; whether anything of it
    /// (besides its own row, counted in `write`) changed.
    async fn sync_item(
        &self,
        tx: &mut AnyConnection,
        actor: &str,
        body_id: i64,
        meeting_id: i64,
        item: &SyncItem,
        write: &mut MeetingWrite,
    ) -> Result<bool, StoreError> {
        let t = now();
        let mut changed = false;
        let link = linked(
            &mut *tx,
            "moderngov_items",
            "agenda_item_id",
            body_id,
            item.moderngov_id,
        )
        .await?;
        let item_id = match link {
            Some(id) => {
                let (number, title, report_ref, version): (String, String, String, i64) =
                    sqlx::query_as(
                        "SELECT number, title, report_ref, version FROM agenda_items WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if number != item.number.as_str()
                    || title != item.title.as_str()
                    || report_ref != item.report_ref
                {
                    crate::rows::claim(
                        &mut *tx,
                        "agenda_items",
                        "agenda item",
                        &number,
                        id,
                        domain::Version::new(version),
                    )
                    .await?;
                    sqlx::query(
                        "UPDATE agenda_items SET meeting_id = $1, number = $2, title = $3, report_ref = $4, updated_at = $5 WHERE id = $6",
                    )
                    .bind(meeting_id)
                    .bind(item.number.as_str())
                    .bind(item.title.as_str())
                    .bind(&item.report_ref)
                    .bind(&t)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    record(
                        &mut *tx,
                        Change::between(
                            Some(body_id),
                            actor,
                            "agenda item",
                            id,
                            "edit",
                            serde_json::json!({ "number": number, "title": title, "report_ref": report_ref }),
                            serde_json::json!({ "number": item.number, "title": item.title, "report_ref": item.report_ref }),
                        ),
                    )
                    .await?;
                    write.items_changed += 1;
                }
                id
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO agenda_items (meeting_id, number, title, report_ref, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(meeting_id)
                .bind(item.number.as_str())
                .bind(item.title.as_str())
                .bind(&item.report_ref)
                .bind(&t)
                .bind(&t)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO moderngov_items (body_id, moderngov_id, agenda_item_id) VALUES ($1, $2, $3)",
                )
                .bind(body_id)
                .bind(item.moderngov_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                record(
                    &mut *tx,
                    Change::create(
                        Some(body_id),
                        actor,
                        "agenda item",
                        id,
                        serde_json::json!({
                            "meeting_id": meeting_id, "number": item.number, "title": item.title,
                            "report_ref": item.report_ref, "moderngov_id": item.moderngov_id,
                        }),
                    ),
                )
                .await?;
                write.items_created += 1;
                id
            }
        };
        let documents_before = documents_of(&mut *tx, item_id).await?;
        if documents_before != item.documents {
            changed = true;
            sqlx::query("DELETE FROM agenda_item_documents WHERE agenda_item_id = $1")
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
            for (i, d) in item.documents.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO agenda_item_documents (agenda_item_id, position, external_id, title, url, published_on) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(item_id)
                .bind(i as i64)
                .bind(d.external_id)
                .bind(&d.title)
                .bind(&d.url)
                .bind(d.published_on.map(|d| d.to_string()))
                .execute(&mut *tx)
                .await?;
            }
            record(
                &mut *tx,
                Change::between(
                    Some(body_id),
                    actor,
                    "agenda item documents",
                    item_id,
                    "edit",
                    json(&documents_before),
                    json(&item.documents),
                ),
            )
            .await?;
        }
        if let Some(minutes) = &item.minutes {
            let sha = sha256_hex(minutes.text.as_bytes());
            let queued: Option<(i64, String)> =
                sqlx::query_as("SELECT id, sha256 FROM minutes_queue WHERE agenda_item_id = $1")
                    .bind(item_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let proposals = minutes.proposals.to_string();
            let id = match &queued {
                Some((_, old)) if *old == sha => None,
                Some((id, _)) => {
                    sqlx::query(
                        "UPDATE minutes_queue SET minutes = $1, proposals = $2, source = $3, sha256 = $4, \
                         queued_at = $5, reviewed_at = NULL WHERE id = $6",
                    )
                    .bind(&minutes.text)
                    .bind(&proposals)
                    .bind(&minutes.source)
                    .bind(&sha)
                    .bind(&t)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    Some(*id)
                }
                None => Some(
                    sqlx::query_scalar(
                        "INSERT INTO minutes_queue (agenda_item_id, minutes, proposals, source, sha256, queued_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(item_id)
                    .bind(&minutes.text)
                    .bind(&proposals)
                    .bind(&minutes.source)
                    .bind(&sha)
                    .bind(&t)
                    .fetch_one(&mut *tx)
                    .await?,
                ),
            };
            if let Some(id) = id {
                changed = true;
                write.minutes_queued += 1;
                record(
                    &mut *tx,
                    Change {
                        body_id: Some(body_id),
                        actor,
                        entity: "queued minutes",
                        entity_id: id,
                        operation: if queued.is_some() { "edit" } else { "create" },
                        before: queued.map(|(_, sha)| serde_json::json!({ "sha256": sha })),
                        after: Some(serde_json::json!({
                            "agenda_item_id": item_id, "sha256": sha, "source": minutes.source,
                        })),
                    },
                )
                .await?;
            }
        }
        Ok(changed)
    }

    /// The body's agenda items whose minutes wait for a clerk's review,
    /// oldest meeting first.
    pub async fn queued_minutes(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<QueuedMinutes>, StoreError> {
        self.queued(body_id.get(), None).await
    }

    /// The minutes waiting for review for agenda item `item_id`, if any.
    pub async fn queued_minutes_of(
        &self,
        item_id: domain::AgendaItemId,
    ) -> Result<Option<QueuedMinutes>, StoreError> {
        Ok(self
            .queued(0, Some(item_id.get()))
            .await?
            .into_iter()
            .next())
    }

    async fn queued(
        &self,
        body_id: i64,
        item_id: Option<i64>,
    ) -> Result<Vec<QueuedMinutes>, StoreError> {
        let filter = if item_id.is_some() {
            "q.agenda_item_id = $1"
        } else {
            "c.body_id = $1"
        };
        let rows = sqlx::query(&format!(
            "SELECT q.id, q.agenda_item_id, q.minutes, q.proposals, q.source, i.number, i.title, \
             m.id AS meeting_id, m.held_on, c.name FROM minutes_queue q \
             JOIN agenda_items i ON i.id = q.agenda_item_id JOIN meetings m ON m.id = i.meeting_id \
             JOIN committees c ON c.id = m.committee_id \
             WHERE {filter} AND q.reviewed_at IS NULL AND i.deleted_at IS NULL AND m.deleted_at IS NULL \
             ORDER BY m.held_on, m.id, q.agenda_item_id"
        ))
        .bind(item_id.unwrap_or(body_id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "queued minutes")?;
                Ok(QueuedMinutes {
                    agenda_item_id: c.key("agenda_item_id")?,
                    item_number: c.string("number")?,
                    item_title: c.string("title")?,
                    meeting_id: c.key("meeting_id")?,
                    held_on: c.parse("held_on", |raw| {
                        raw.parse().map_err(|_| {
                            domain::ParseError::new("date", raw, "a date such as 2024-03-12")
                        })
                    })?,
                    committee: c.string("name")?,
                    minutes: c.string("minutes")?,
                    proposals: serde_json::from_str(&c.string("proposals")?)
                        .unwrap_or(serde_json::Value::Null),
                    source: c.string("source")?,
                })
            })
            .collect()
    }

    /// The body's meetings whose minutes are published only as a PDF, on
    /// the committee system's documents page, latest first.
    pub async fn pdf_minutes(
        &self,
        body_id: domain::BodyId,
    ) -> Result<Vec<PdfMinutes>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT m.id, m.held_on, c.name, g.minutes_pdf FROM moderngov_meetings g \
             JOIN meetings m ON m.id = g.meeting_id JOIN committees c ON c.id = m.committee_id \
             WHERE g.body_id = $1 AND g.minutes_pdf IS NOT NULL AND m.deleted_at IS NULL \
             ORDER BY m.held_on DESC, m.id DESC",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(meeting_id, held_on, committee, url)| {
                Some(PdfMinutes {
                    meeting_id: domain::MeetingId::new(meeting_id),
                    held_on: held_on.parse().ok()?,
                    committee,
                    url,
                })
            })
            .collect())
    }

    /// What the committee system adds to meeting `meeting_id` (nothing for
    /// a meeting made in Ambit).
    pub async fn meeting_extras(
        &self,
        meeting_id: domain::MeetingId,
    ) -> Result<MeetingExtras, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<(Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT starts_at, status_text, minutes_pdf FROM moderngov_meetings WHERE meeting_id = $1",
        )
        .bind(meeting_id.get())
        .fetch_optional(&mut *conn)
        .await?;
        let attendees = attendees_of(&mut conn, meeting_id.get()).await?;
        let (starts_at, status_text, minutes_pdf) = row.unwrap_or_default();
        Ok(MeetingExtras {
            starts_at: starts_at.and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok()),
            status_text,
            attendees,
            minutes_pdf,
        })
    }

    /// The documents agenda item `item_id` links to, in order.
    pub async fn item_documents(
        &self,
        item_id: domain::AgendaItemId,
    ) -> Result<Vec<ItemDocument>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents_of(&mut conn, item_id.get()).await
    }

    /// How many of the body's meetings, agenda items and committees are
    /// linked to the committee system: (committees, meetings, items).
    pub async fn moderngov_counts(
        &self,
        body_id: domain::BodyId,
    ) -> Result<(i64, i64, i64), StoreError> {
        let count = |table: &'static str| {
            let pool = self.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE body_id = $1"
                ))
                .bind(body_id.get())
                .fetch_one(&pool)
                .await
            }
        };
        Ok((
            count("moderngov_committees").await?,
            count("moderngov_meetings").await?,
            count("moderngov_items").await?,
        ))
    }
}
