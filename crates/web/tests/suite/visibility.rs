//! What each viewer sees of updates: the public, clerks and members see
//! signed-off content only; an action's lead sees their own work in
//! progress; performance officers see everything. Walked over every public
//! page and API route, then the pages of each role.

use domain::{Half, ReportingPeriod, Status, Text, Title, UpdateInput};
use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, spawn_app};

pub(super) const DRAFT: &str = "DRAFT-WORDS-NOT-FOR-PUBLIC";
pub(super) const REVISION: &str = "REVISION-WORDS-NOT-FOR-PUBLIC";
pub(super) const SUBMITTED: &str = "SUBMITTED-WORDS-NOT-FOR-PUBLIC";
pub(super) const RETURNED: &str = "RETURNED-WORDS-NOT-FOR-PUBLIC";
pub(super) const RETURN_COMMENT: &str = "RETURN-COMMENT-NOT-FOR-PUBLIC";
pub(super) const SIGNED_OFF: &str = "Signed-off words everyone may read";
const REVISED_FROM: &str = "Signed-off words that a revision replaces later";

fn input(status: Status, commentary: &str) -> UpdateInput {
    UpdateInput {
        status,
        commentary: Text::parse("commentary", commentary).unwrap(),
        percent: None,
        key_achievement: false,
        actuals: vec![],
        author: Title::parse("author", "Test").unwrap(),
        illustrative: false,
    }
}

/// The ids of the published 2024/25 plan and of the actions given work in
/// progress: (plan, [draft, submitted, returned, signed off, revised]).
pub(super) async fn work_in_progress(app: &App) -> (i64, Vec<i64>) {
    let store = &app.store;
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    store
        .publish_plan("test", plan.id, plan.version, true)
        .await
        .unwrap();
    let deadline = chrono::NaiveDate::from_ymd_opt(2024, 10, 15).unwrap();
    store
        .open_period("test", plan.id, Half::H1, deadline, 7)
        .await
        .unwrap();
    let h1 = ReportingPeriod::new(plan.year, Half::H1);
    let mine = app.action_id("2024/25", "10A").await;
    let lead_of_mine = store
        .action(domain::ActionId::new(mine))
        .await
        .unwrap()
        .details
        .lead;
    let tree = store.plan_tree(plan.id).await.unwrap();
    let theirs: Vec<domain::ActionId> = tree
        .actions
        .iter()
        .filter(|a| a.details.lead != lead_of_mine)
        .map(|a| a.id)
        .take(4)
        .collect();
    let (submitted, returned, signed, revised) = (theirs[0], theirs[1], theirs[2], theirs[3]);

    store
        .record_update(
            "test",
            domain::ActionId::new(mine),
            h1,
            input(Status::AtRisk, DRAFT),
            None,
        )
        .await
        .unwrap();
    let u = store
        .record_update(
            "test",
            submitted,
            h1,
            input(Status::OffTrack, SUBMITTED),
            None,
        )
        .await
        .unwrap();
    store.submit_update("test", u.id, u.version).await.unwrap();
    let u = store
        .record_update(
            "test",
            returned,
            h1,
            input(Status::OffTrack, RETURNED),
            None,
        )
        .await
        .unwrap();
    let u = store.submit_update("test", u.id, u.version).await.unwrap();
    store
        .return_update(
            "test",
            u.id,
            u.version,
            &Text::parse("c", RETURN_COMMENT).unwrap(),
        )
        .await
        .unwrap();
    for (action, words) in [(signed, SIGNED_OFF), (revised, REVISED_FROM)] {
        let u = store
            .record_update("test", action, h1, input(Status::OnTrack, words), None)
            .await
            .unwrap();
        let u = store.submit_update("test", u.id, u.version).await.unwrap();
        store
            .sign_off_update("test", u.id, u.version)
            .await
            .unwrap();
    }
    let current = store.updates_of(revised).await.unwrap().pop().unwrap();
    store
        .record_update(
            "test",
            revised,
            h1,
            input(Status::OffTrack, REVISION),
            Some(current.version),
        )
        .await
        .unwrap();
    (
        plan.id.get(),
        vec![
            mine,
            submitted.get(),
            returned.get(),
            signed.get(),
            revised.get(),
        ],
    )
}

pub(super) fn assert_private(what: &str, text: &str) {
    for secret in [DRAFT, REVISION, SUBMITTED, RETURNED, RETURN_COMMENT] {
        assert!(!text.contains(secret), "{what} shows {secret}");
    }
}

async fn the_public_and_members_see_signed_off_updates_only(db: TestDb) {
    let app = spawn_app(db).await;
    let (plan, actions) = work_in_progress(&app).await;
    let public = client();
    let mut pages = vec![
        "/".to_owned(),
        "/b/bromley".to_owned(),
        "/b/bromley/plans/ACH/2024-25".to_owned(),
        "/b/bromley/plans/ACH/2024-25?period=H1".to_owned(),
        "/b/bromley/committees".to_owned(),
        "/api/v1/bodies".to_owned(),
        "/api/v1/bodies/bromley/plans".to_owned(),
        format!("/api/v1/plans/{plan}"),
        format!("/api/v1/plans/{plan}/periods"),
        format!("/api/v1/plans/{plan}/rollup?period=H1"),
        format!("/api/v1/plans/{plan}/export"),
        "/b/bromley/plans/ACH/2024-25/export.json".to_owned(),
    ];
    for a in &actions {
        pages.push(format!("/b/bromley/actions/{a}"));
        pages.push(format!("/api/v1/actions/{a}"));
        pages.push(format!("/api/v1/actions/{a}/questions"));
        pages.push(format!("/api/v1/actions/{a}/commitments"));
    }
    let mut seen_signed_off = false;
    for page in &pages {
        let (status, text) = get(&public, app.url(page)).await;
        assert!(
            status == StatusCode::OK || (page == "/" && status == StatusCode::SEE_OTHER),
            "{page}: {status}"
        );
        assert_private(&format!("{page} to the public"), &text);
        seen_signed_off |= text.contains(SIGNED_OFF);
        if page == &format!("/b/bromley/actions/{}", actions[4]) {
            assert!(
                text.contains(REVISED_FROM),
                "the signed-off words stay public while revised"
            );
        }
    }
    assert!(seen_signed_off, "signed-off words are public");

    // The roll-up counts signed-off content: two on track, nothing off track.
    let (_, rollup) = get(
        &public,
        app.url(&format!("/api/v1/plans/{plan}/rollup?period=H1")),
    )
    .await;
    let rollup: serde_json::Value = serde_json::from_str(&rollup).unwrap();
    let count = |s: &str| {
        rollup["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == s)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!((count("on_track"), count("off_track")), (2, 0));

    // Clerks and members read unpublished pages, period pages and reports,
    // but no work in progress either.
    let member_pages = [
        "/b/bromley/plans/ACH/2024-25/periods/H1".to_owned(),
        "/b/bromley/plans/ACH/2024-25/periods/H1/report".to_owned(),
    ];
    for who in ["clerk", "member"] {
        let c = app.signed_in(who).await;
        for page in pages.iter().chain(&member_pages) {
            let (status, text) = get(&c, app.url(page)).await;
            assert!(
                status == StatusCode::OK || (page == "/" && status == StatusCode::SEE_OTHER),
                "{page} as {who}: {status}"
            );
            assert_private(&format!("{page} to a {who}"), &text);
        }
        let update = app
            .store
            .updates_of(domain::ActionId::new(actions[0]))
            .await
            .unwrap()
            .pop()
            .unwrap();
        let (status, _) = get(
            &c,
            app.url(&format!("/b/bromley/audit/update/{}", update.id)),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an update's history holds drafts"
        );
    }

    // The lead sees the draft on their own action, nobody else's.
    let lead = app.signed_in("lead").await;
    let (_, own) = get(
        &lead,
        app.url(&format!("/b/bromley/actions/{}", actions[0])),
    )
    .await;
    assert!(own.contains(DRAFT), "the lead sees their own draft");
    assert!(own.contains("Draft (not published)"));
    for a in &actions[1..] {
        let (_, page) = get(&lead, app.url(&format!("/b/bromley/actions/{a}"))).await;
        assert_private(&format!("action {a} to another action's lead"), &page);
    }
    let token = app.api_token("lead").await;
    let api: serde_json::Value = public
        .get(app.url(&format!("/api/v1/actions/{}", actions[0])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["updates"][0]["state"], "draft");

    // Officers see all of it, the revision marked as such.
    let officer = app.signed_in("officer").await;
    let (_, period) = get(&officer, app.url("/b/bromley/plans/ACH/2024-25/periods/H1")).await;
    assert!(period.contains("Submitted") && period.contains("Returned"));
    let (_, revised) = get(
        &officer,
        app.url(&format!("/b/bromley/actions/{}", actions[4])),
    )
    .await;
    assert!(revised.contains(REVISION));
    assert!(revised.contains("Revision of the signed-off update"));
}
on_both_engines!(the_public_and_members_see_signed_off_updates_only);
