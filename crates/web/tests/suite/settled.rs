//! Signed-off work stays put: on the web and in the API, a lead cannot
//! write over a signed-off update outside the cycle, a superseded plan is
//! frozen, a half-year never opened is not offered once the body runs its
//! cycle, a revision in an open period keeps the signed-off words public,
//! and every such refusal is the user's (409 or 422), never a server error.

use domain::Half;
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{TestDb, on_both_engines};

use super::{client, get, hidden, spawn_app};

async fn signed_off_updates_change_only_by_correction_or_revision(db: TestDb) {
    let app = spawn_app(db).await;
    let c = client();
    let lead = app.api_token("lead").await;
    let officer = app.api_token("officer").await;

    // The demo's 2023/24 plan is superseded: its updates are the record.
    let old = app.action_id("2023/24", "10A").await;
    let before: Value = c
        .get(app.url(&format!("/api/v1/actions/{old}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let over = c
        .put(app.url(&format!("/api/v1/actions/{old}/updates/H1")))
        .bearer_auth(&lead)
        .json(&json!({ "version": before["updates"][0]["version"], "status": "complete", "commentary": "rewritten" }))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = over.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("superseded"),
        "{error}"
    );
    let after: Value = c
        .get(app.url(&format!("/api/v1/actions/{old}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before, after, "nothing changed");

    // 2024/25, published, no period opened yet: an update is recorded as reported and
    // signed off; writing over it is refused (409) without a correction.
    let id = app.action_id("2024/25", "10A").await;
    let plan = app.ach_plan("2024/25").await;
    app.store
        .publish_plan("test", plan.id, plan.version, true)
        .await
        .unwrap();
    let plan = plan.id;
    let url = app.url(&format!("/api/v1/actions/{id}/updates/H1"));
    let first = c
        .put(&url)
        .bearer_auth(&lead)
        .json(&json!({ "status": "on track", "commentary": "as reported" }))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["state"], "signed_off");
    let over = c
        .put(&url)
        .bearer_auth(&lead)
        .json(&json!({ "version": first["version"], "status": "complete", "commentary": "rewritten" }))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), StatusCode::CONFLICT);
    let error: Value = over.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("correction"),
        "{error}"
    );
    // A lead may not correct; an officer may, with a reason.
    let body = json!({ "version": first["version"], "status": "on track", "commentary": "as reported, corrected", "correction": "A typing slip" });
    let denied = c
        .put(&url)
        .bearer_auth(&lead)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let corrected = c
        .put(&url)
        .bearer_auth(&officer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(corrected.status(), StatusCode::OK);
    let corrected: Value = corrected.json().await.unwrap();
    assert_eq!(
        (
            corrected["state"].as_str(),
            corrected["commentary"].as_str()
        ),
        (Some("signed_off"), Some("as reported, corrected"))
    );

    // Officers see the body's setting on the web; leads may not change it.
    let web_officer = app.signed_in("officer").await;
    let (status, settings) = get(&web_officer, app.url("/b/bromley/settings")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(settings.contains("value=\"auto\" selected"), "{settings}");

    // Once the body opens a period, the half never opened is not offered.
    let deadline = chrono::NaiveDate::from_ymd_opt(2024, 10, 15).unwrap();
    app.store
        .open_period("test", plan, Half::H1, deadline, 7)
        .await
        .unwrap();
    let web_lead = app.signed_in("lead").await;
    let (_, page) = get(&web_lead, app.url(&format!("/b/bromley/actions/{id}"))).await;
    assert!(
        page.contains("Revise the update for H1 2024/25"),
        "H1 is open"
    );
    assert!(!page.contains("for H2 2024/25"), "H2 was never opened");
    let (status, page) = get(
        &web_lead,
        app.url(&format!("/b/bromley/actions/{id}/updates/H2")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a page that says why, not an error");
    assert!(page.contains("H2 2024/25 is not open"), "{page}");
    let early = c
        .put(app.url(&format!("/api/v1/actions/{id}/updates/H2")))
        .bearer_auth(&lead)
        .json(&json!({ "status": "on track", "commentary": "too early" }))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), StatusCode::CONFLICT);

    // In the open period the lead's change is a revision: a draft for
    // sign-off, while the public keeps reading the signed-off words.
    let form_url = app.url(&format!("/b/bromley/actions/{id}/updates/H1"));
    let (_, form) = get(&web_lead, form_url.clone()).await;
    assert!(form.contains("Saving starts a revision"), "{form}");
    let saved = web_lead
        .post(&form_url)
        .form(&[
            ("csrf", hidden(&form, "csrf").as_str()),
            ("version", hidden(&form, "version").as_str()),
            ("status", "off_track"),
            ("commentary", "revised, not yet signed off"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, public) = get(&c, app.url(&format!("/b/bromley/actions/{id}"))).await;
    assert!(!public.contains("revised, not yet signed off"));
    let public_api: Value = c
        .get(app.url(&format!("/api/v1/actions/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        public_api["updates"][0]["commentary"],
        "as reported, corrected"
    );
    assert_eq!(public_api["updates"][0]["state"], "signed_off");

    // After the period closes, writing into it is the user's mistake (409).
    app.store
        .close_period("test", plan, Half::H1, true)
        .await
        .unwrap();
    let version = app
        .store
        .updates_of(domain::ActionId::new(id))
        .await
        .unwrap()[0]
        .version;
    let late = c
        .put(&url)
        .bearer_auth(&lead)
        .json(&json!({ "version": version, "status": "complete", "commentary": "late" }))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let error: Value = late.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("is closed"),
        "{error}"
    );
    let (status, page) = get(&web_lead, form_url).await;
    assert_eq!(status, StatusCode::OK, "a page that says why, not an error");
    assert!(page.contains("is closed"));
}
on_both_engines!(signed_off_updates_change_only_by_correction_or_revision);
