//! The sync against a fake ModernGov server on 127.0.0.1, on both engines.

use std::time::Duration;

use domain::{MeetingStatus, Title};
use moderngov::{Manners, Quietly, Site, SyncError, SyncOptions};
use store::{NewBody, Store};
use testkit::moderngov::{FakeModernGov, Mode, today};
use testkit::{TestDb, on_both_engines};

const CLERK: &str = "clerk@bromley.example";

async fn body(store: &Store) -> domain::BodyId {
    domain::BodyId::new(
        (store
            .create_body(
                "setup",
                NewBody {
                    slug: "bromley".parse().unwrap(),
                    name: Title::parse("name", "London Borough of Bromley").unwrap(),
                    level_names: Default::default(),
                    rag: Default::default(),
                    reference_scheme: Default::default(),
                },
            )
            .await
            .unwrap()
            .id)
            .get(),
    )
}

/// Options for the fake: no pause between requests, short timeouts.
fn options(site: &str) -> SyncOptions {
    let mut o = SyncOptions::new(Site::parse(site).unwrap(), today());
    o.manners = Manners {
        delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        retries: 1,
        backoff: Duration::from_millis(10),
    };
    o
}

async fn sync(store: &Store, body: i64, o: &SyncOptions) -> Result<moderngov::Summary, SyncError> {
    moderngov::sync(store, CLERK, body, o, &Quietly).await
}

on_both_engines!(
    a_sync_brings_the_record_over_and_a_second_changes_nothing,
    a_revised_meeting_is_changed_in_place,
    each_failure_says_what_happened_and_changes_nothing,
    committees_can_be_chosen,
);

async fn a_sync_brings_the_record_over_and_a_second_changes_nothing(db: TestDb) {
    let store = db.open().await;
    let body = body(&store).await;
    let fake = FakeModernGov::start().await;
    let o = options(&fake.site);
    let summary = sync(&store, body.get(), &o).await.unwrap();
    // Two current committees; the deleted and expired ones are left out.
    assert_eq!(summary.committees.created, 2, "{summary}");
    // 5001, 5002 and the cancelled 5003; the 2019 meeting is outside the range.
    assert_eq!(summary.meetings.created, 3, "{summary}");
    assert_eq!(summary.outside_range, 1, "{summary}");
    // Items 1, 7 and 9 of 5001 and 3 of 5002; the restricted item 8 never.
    assert_eq!(summary.items_created, 4, "{summary}");
    assert_eq!(summary.minutes_queued, 2, "{summary}");
    assert_eq!(summary.restricted, 2, "{summary}");
    assert_eq!(summary.pdf_minutes.len(), 1, "{summary}");
    assert!(
        summary.pdf_minutes[0]
            .url
            .ends_with("/democracy/ieListDocuments.aspx?CId=101&MId=5002")
    );
    let text = summary.to_string();
    assert!(
        text.contains("Meetings: 3 created, 0 changed, 0 left alone"),
        "{text}"
    );
    assert!(text.contains("Minutes as a PDF only"), "{text}");

    // Every request named Ambit, and used the sub-path and dd/mm/yyyy dates.
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.contains("user-agent: Ambit/") || r.contains("User-Agent: Ambit/")),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.contains(
            "GetAllMeetingsByDate?lCommitteeId=-1&sFromDate=17%2F03%2F2024&sToDate=13%2F09%2F2024"
        )),
        "{requests:?}"
    );

    let committees = store.committees(body).await.unwrap();
    let names: Vec<&str> = committees.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Adult Care & Health Policy Development and Scrutiny Committee",
            "Executive"
        ]
    );
    let scrutiny = &committees[0];
    let meetings = store.meetings(scrutiny.id).await.unwrap();
    assert_eq!(meetings.len(), 2);
    let may = meetings
        .iter()
        .find(|m| m.held_on.to_string() == "2024-05-29")
        .unwrap();
    assert_eq!(may.status, MeetingStatus::Held);
    assert!(!may.published, "a clerk publishes imported meetings");
    assert_eq!(
        may.venue,
        "Bromley Civic Centre, Stockwell Close, Bromley BR1 3UH"
    );
    let july = meetings
        .iter()
        .find(|m| m.held_on.to_string() == "2024-07-03")
        .unwrap();
    assert_eq!(july.status, MeetingStatus::Scheduled);
    let extras = store.meeting_extras(may.id).await.unwrap();
    assert_eq!(extras.starts_at.unwrap().to_string(), "19:00:00");
    assert_eq!(extras.attendees.len(), 2);
    assert_eq!(extras.attendees[1].name, "Councillor Jo O'Neill");
    assert_eq!(extras.attendees[1].attendance, "Apologies");
    assert_eq!(extras.attendees[0].role, "Chairman");
    assert_eq!(
        store
            .meeting_extras(july.id)
            .await
            .unwrap()
            .starts_at
            .unwrap()
            .to_string(),
        "13:30:00"
    );
    let executive = store.meetings(committees[1].id).await.unwrap();
    assert_eq!(executive.len(), 1);
    assert_eq!(executive[0].status, MeetingStatus::Cancelled);

    let items = store.agenda_items(may.id).await.unwrap();
    let numbers: Vec<&str> = items.iter().map(|i| i.number.as_str()).collect();
    assert_eq!(numbers, ["1", "7", "9"]);
    let report = &items[1];
    assert_eq!(report.report_ref, "ACH24-030");
    assert!(
        report.minutes.is_empty(),
        "minutes wait for the clerk, never straight into the record"
    );
    let docs = store.item_documents(report.id).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].published_on.unwrap().to_string(), "2024-05-20");
    let budget_docs = store.item_documents(items[2].id).await.unwrap();
    assert_eq!(budget_docs.len(), 1, "the restricted appendix is left out");
    assert!(
        budget_docs[0].url.starts_with(&fake.site),
        "{}",
        budget_docs[0].url
    );

    // The minutes are queued for review, with the extractor's proposals.
    let queue = store.queued_minutes(body).await.unwrap();
    assert_eq!(queue.len(), 2);
    let queued = store.queued_minutes_of(report.id).await.unwrap().unwrap();
    assert!(
        queued
            .minutes
            .contains("a written response would be provided"),
        "{}",
        queued.minutes
    );
    assert!(
        queued.minutes.contains("Portfolio Holder's plan"),
        "twice-escaped: {}",
        queued.minutes
    );
    assert!(
        !queued.minutes.contains('<') && !queued.minutes.contains("&#"),
        "{}",
        queued.minutes
    );
    let proposals: minutes::Extract = serde_json::from_value(queued.proposals.clone()).unwrap();
    assert!(!proposals.commitments.is_empty(), "{proposals:?}");
    assert!(!proposals.resolutions.is_empty(), "{proposals:?}");
    let apologies = store.queued_minutes_of(items[0].id).await.unwrap().unwrap();
    assert_eq!(
        apologies.minutes,
        "Apologies were received from Councillor Jo O'Neill."
    );
    assert!(
        store
            .queued_minutes_of(items[2].id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.pdf_minutes(body).await.unwrap().len(), 1);

    // A second run changes nothing and writes no audit event.
    let events = store.audit_event_count().await.unwrap();
    let again = sync(&store, body.get(), &o).await.unwrap();
    assert!(again.changed_nothing(), "{again}");
    assert_eq!(again.meetings.unchanged, 3, "{again}");
    assert_eq!(again.committees.unchanged, 2, "{again}");
    assert!(again.to_string().contains("Nothing changed."));
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    assert_eq!(store.queued_minutes(body).await.unwrap().len(), 2);

    // Accepting an item's minutes takes it off the queue.
    let item = store.agenda_item(report.id).await.unwrap();
    store
        .accept_minutes(
            CLERK,
            item.id,
            item.version,
            domain::AcceptedMinutes {
                minutes: queued.minutes.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(store.queued_minutes(body).await.unwrap().len(), 1);
    let third = sync(&store, body.get(), &o).await.unwrap();
    assert!(third.changed_nothing(), "{third}");
    assert_eq!(store.queued_minutes(body).await.unwrap().len(), 1);
}

async fn a_revised_meeting_is_changed_in_place(db: TestDb) {
    let store = db.open().await;
    let body = body(&store).await;
    let fake = FakeModernGov::start().await;
    let o = options(&fake.site);
    sync(&store, body.get(), &o).await.unwrap();
    let committee = store.committees(body).await.unwrap()[0].clone();
    let may = store.meetings(committee.id).await.unwrap()[1].clone();
    // The clerk publishes the meeting in Ambit; the sync leaves that alone.
    store
        .publish_meeting(CLERK, may.id, may.version)
        .await
        .unwrap();

    fake.set_mode(Mode::Revised);
    let summary = sync(&store, body.get(), &o).await.unwrap();
    assert_eq!(summary.meetings.changed, 1, "{summary}");
    assert_eq!(summary.meetings.unchanged, 2, "{summary}");
    assert_eq!(summary.items_changed, 1, "{summary}");
    assert_eq!(summary.items_created, 0, "{summary}");
    assert_eq!(summary.minutes_queued, 1, "{summary}");
    let items = store.agenda_items(may.id).await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[1].title.ends_with("(ACH24-030, revised)"));
    assert!(store.meeting(may.id).await.unwrap().published);
    let trail = store
        .audit_trail("agenda item", items[1].id.get())
        .await
        .unwrap();
    assert_eq!(trail.last().unwrap().operation, "edit");
    assert_eq!(trail.last().unwrap().actor, CLERK);
    assert_eq!(store.queued_minutes(body).await.unwrap().len(), 3);
}

async fn each_failure_says_what_happened_and_changes_nothing(db: TestDb) {
    let store = db.open().await;
    let body = body(&store).await;
    let events = store.audit_event_count().await.unwrap();
    let fake = FakeModernGov::start().await;

    // Nothing listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = sync(
        &store,
        body.get(),
        &options(&format!("http://{closed}/democracy")),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, SyncError::SiteNotFound { .. }), "{e}");
    assert!(e.to_string().contains("could not be reached"), "{e}");

    // The wrong sub-path: the server answers, the service is not there.
    let no_path = fake.site.trim_end_matches("/democracy").to_owned();
    let e = sync(&store, body.get(), &options(&no_path))
        .await
        .unwrap_err();
    assert!(matches!(e, SyncError::NoService { .. }), "{e}");
    assert!(e.to_string().contains("sub-path such as /moderngov"), "{e}");

    let cases: [(Mode, &str); 4] = [
        (Mode::NoService, "has no ModernGov web service"),
        (Mode::Disabled, "is switched off"),
        (
            Mode::WebPage,
            "answered with a web page (HTML), not the ModernGov web service's XML",
        ),
        (
            Mode::Slow(Duration::from_secs(3)),
            "did not answer within 1 seconds (2 tries)",
        ),
    ];
    for (mode, words) in cases {
        fake.set_mode(mode);
        let mut o = options(&fake.site);
        o.manners.timeout = Duration::from_secs(1);
        let e = sync(&store, body.get(), &o).await.unwrap_err();
        assert!(e.to_string().contains(words), "{mode:?}: {e}");
    }
    fake.set_mode(Mode::Normal);
    let mut o = options(&fake.site);
    o.committees = vec![999];
    let e = sync(&store, body.get(), &o).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("committee 999 is not one of the committees"),
        "{e}"
    );
    let mut o = options(&fake.site);
    o.to = o.from - chrono::Duration::days(1);
    assert!(matches!(
        sync(&store, body.get(), &o).await,
        Err(SyncError::BadRange { .. })
    ));

    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "nothing written"
    );
    assert!(store.committees(body).await.unwrap().is_empty());
}

async fn committees_can_be_chosen(db: TestDb) {
    let store = db.open().await;
    let body = body(&store).await;
    let fake = FakeModernGov::start().await;
    // A committee already made by hand is linked, not duplicated.
    store
        .create_committee(
            CLERK,
            body,
            &store::CommitteeDetails {
                name: Title::parse("name", "EXECUTIVE").unwrap(),
                clerk: None,
            },
        )
        .await
        .unwrap();
    let mut o = options(&fake.site);
    o.committees = vec![102];
    let summary = sync(&store, body.get(), &o).await.unwrap();
    assert_eq!(summary.committees.changed, 1, "{summary}");
    assert_eq!(summary.committees.created, 0, "{summary}");
    // 5003 in range; 5004 (2020) outside it, filtered here.
    assert_eq!(summary.meetings.created, 1, "{summary}");
    assert_eq!(summary.outside_range, 1, "{summary}");
    let committees = store.committees(body).await.unwrap();
    assert_eq!(committees.len(), 1);
    assert_eq!(committees[0].name, "Executive");
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.contains("GetMeetings?lCommitteeId=102&"))
    );
}
