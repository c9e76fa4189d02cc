//! What the home pages read: the work of the open periods, plans needing
//! attention, meetings awaiting minutes and next meetings; and "chase now",
//! queued at once and audited.

use domain::{Half, MeetingStatus, Role, Status, UpdateState};
use store::{Attention, MeetingDetails, StoreError};
use testkit::{TestDb, on_both_engines};

use super::{ACTOR, bromley, h1, new_action, t, update};

async fn the_homes_read_the_open_periods_and_the_committee(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    // A second action, led by someone else.
    let mut other = new_action(f.statement_11, "11", "March 2023", None);
    other.details.lead = t("Director of Public Health");
    let other = store.add_action(ACTOR, other).await.unwrap();

    assert!(
        store.open_work(body.id, None).await.unwrap().is_empty(),
        "no period open"
    );
    store
        .open_period(ACTOR, f.plan_id, Half::H1, day("2022-10-14"), 7)
        .await
        .unwrap();
    let work = store.open_work(body.id, None).await.unwrap();
    assert_eq!(work.len(), 2);
    assert!(work.iter().all(|w| w.state.is_none() && w.owed()));
    assert!(
        work[0].reference < work[1].reference,
        "natural order: 10A before 11"
    );
    assert!(work[0].overdue(day("2022-10-15")) && !work[0].overdue(day("2022-10-14")));

    // The lead's own: submitted, then returned with the reason.
    let lead = t("assistant director for integrated commissioning");
    let saved = store
        .record_update(
            ACTOR,
            f.carers_10a,
            h1(),
            update(Status::OnTrack, Some(20), "Going well"),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    let submitted = store
        .submit_update(ACTOR, saved.id, saved.version)
        .await
        .unwrap();
    let mine = store.open_work(body.id, Some(&lead)).await.unwrap();
    assert_eq!(
        mine.len(),
        1,
        "only the actions the lead leads, whatever the case"
    );
    assert_eq!(mine[0].state, Some(UpdateState::Submitted));
    assert_eq!(mine[0].update_id, Some(submitted.id));
    assert_eq!(mine[0].update_version, Some(submitted.version));
    assert!(!mine[0].owed());
    store
        .return_update(
            ACTOR,
            submitted.id,
            submitted.version,
            &domain::Text::parse("comment", "Say how many").unwrap(),
        )
        .await
        .unwrap();
    let mine = store.open_work(body.id, Some(&lead)).await.unwrap();
    assert_eq!(mine[0].state, Some(UpdateState::Returned));
    assert_eq!(mine[0].returned_comment.as_deref(), Some("Say how many"));
    store
        .close_period(ACTOR, f.plan_id, Half::H1, true)
        .await
        .unwrap();
    assert!(
        store.open_work(body.id, None).await.unwrap().is_empty(),
        "closed periods drop out"
    );

    // A draft plan awaits approval.
    let attention = store.plans_needing_attention(body.id).await.unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].plan_id, f.plan_id);
    assert_eq!(attention[0].attention, Attention::AwaitingApproval);

    // Meetings: held without minutes, cancelled, and to come.
    let committee = store.committees(body.id).await.unwrap()[0].id;
    let meeting = |held_on: &str, status: MeetingStatus| MeetingDetails {
        held_on: day(held_on),
        venue: String::new(),
        status,
        published: false,
    };
    let held = store
        .create_meeting(
            ACTOR,
            committee,
            &meeting("2022-11-24", MeetingStatus::Held),
        )
        .await
        .unwrap();
    store
        .create_meeting(
            ACTOR,
            committee,
            &meeting("2022-12-01", MeetingStatus::Cancelled),
        )
        .await
        .unwrap();
    let next = store
        .create_meeting(
            ACTOR,
            committee,
            &meeting("2023-03-02", MeetingStatus::Scheduled),
        )
        .await
        .unwrap();
    let today = day("2023-01-10");
    let awaiting = store
        .meetings_awaiting_minutes(body.id, today)
        .await
        .unwrap();
    assert_eq!(
        awaiting.iter().map(|m| m.meeting.id).collect::<Vec<_>>(),
        vec![held.id]
    );
    assert_eq!(awaiting[0].committee, "Adult Care and Health PDS Committee");
    let coming = store.next_meetings(body.id, today).await.unwrap();
    assert_eq!(
        coming.iter().map(|m| m.meeting.id).collect::<Vec<_>>(),
        vec![next.id]
    );
    assert!(store.promises_due(body.id, today).await.unwrap().is_empty());
    let _ = other;
}
on_both_engines!(the_homes_read_the_open_periods_and_the_committee);

async fn chasing_a_lead_queues_a_reminder_at_once(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let user = store
        .create_user(
            ACTOR,
            "sam@bromley.example".parse().unwrap(),
            t("Sam Lee"),
            None,
        )
        .await
        .unwrap();
    store
        .set_membership(
            ACTOR,
            user.id,
            body.id,
            Role::ActionLead,
            Some(t("Assistant Director for Integrated Commissioning")),
        )
        .await
        .unwrap();
    let site = "https://plans.example";
    // Not while the period is not open.
    let err = store
        .chase_update(ACTOR, body.id, f.carers_10a, Half::H1, site)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PeriodState { .. }), "{err}");
    store
        .open_period(ACTOR, f.plan_id, Half::H1, "2099-10-14".parse().unwrap(), 7)
        .await
        .unwrap();
    // Not for another body's action.
    let err = store
        .chase_update(
            ACTOR,
            domain::BodyId::new(body.id.get() + 1000),
            f.carers_10a,
            Half::H1,
            site,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");

    let events = store.audit_event_count().await.unwrap();
    let chased = store
        .chase_update("officer", body.id, f.carers_10a, Half::H1, site)
        .await
        .unwrap();
    assert_eq!(chased.len(), 1);
    assert_eq!(
        (chased[0].name.as_str(), chased[0].email.as_str()),
        ("Sam Lee", "sam@bromley.example")
    );
    let queued = store.unsent_messages(10).await.unwrap();
    assert_eq!(queued.len(), 1, "queued whatever the deadline");
    assert!(queued[0].text.contains("has not been written yet"));
    assert!(queued[0].text.contains(&format!(
        "{site}/b/bromley/actions/{}/updates/H1",
        f.carers_10a
    )));
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events + 1,
        "one audited write"
    );
    let trail = store
        .audit_trail("action", f.carers_10a.get())
        .await
        .unwrap();
    let event = trail
        .iter()
        .find(|e| e.operation == "chase")
        .expect("the chase is audited");
    assert_eq!(event.actor, "officer");
    // Chased again: another reminder (the daily reminders send each once).
    store
        .chase_update("officer", body.id, f.carers_10a, Half::H1, site)
        .await
        .unwrap();
    assert_eq!(store.unsent_messages(10).await.unwrap().len(), 2);

    // Once submitted there is nothing to chase.
    let saved = store
        .record_update(
            ACTOR,
            f.carers_10a,
            h1(),
            update(Status::OnTrack, Some(20), "Going well"),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    store
        .submit_update(ACTOR, saved.id, saved.version)
        .await
        .unwrap();
    let err = store
        .chase_update("officer", body.id, f.carers_10a, Half::H1, site)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(_)) && err.to_string().contains("still owed"),
        "{err}"
    );
    assert_eq!(store.unsent_messages(10).await.unwrap().len(), 2);

    // An action whose lead role nobody holds has no one to remind.
    let mut other = new_action(f.statement_11, "11", "March 2023", None);
    other.details.lead = t("Director of Public Health");
    let other = store.add_action(ACTOR, other).await.unwrap();
    let err = store
        .chase_update("officer", body.id, other.id, Half::H1, site)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(store.unsent_messages(10).await.unwrap().len(), 2);
}
on_both_engines!(chasing_a_lead_queues_a_reminder_at_once);
