//! Published packs on the web: an officer publishes a period's pack, the
//! public lists and downloads its files (the bytes hash to what is listed),
//! edits to the plan afterwards leave it unchanged, the stored data
//! version renders the same bytes again, and only officers publish.

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, hrefs, link, see_other, spawn_app};

const PERIOD: &str = "/b/bromley/plans/ACH/2023-24/periods/H2";

/// Post the period page's publish form as `c`; the answer.
async fn publish(app: &App, c: &reqwest::Client, period: &str) -> reqwest::Response {
    let page = get(c, app.url(period)).await.1;
    c.post(app.url(&format!("{period}/packs")))
        .form(&[("csrf", hidden(&page, "csrf"))])
        .send()
        .await
        .unwrap()
}

async fn download(
    c: &reqwest::Client,
    url: String,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn an_officer_publishes_a_frozen_pack_the_public_downloads(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let public = client();

    // Only officers see the button and may publish.
    let (_, period) = get(&officer, app.url(PERIOD)).await;
    assert!(period.contains("Publish the pack for the committee"));
    assert!(period.contains("No pack has been published for this period."));
    let lead = app.signed_in("lead").await;
    assert!(
        !get(&lead, app.url(PERIOD))
            .await
            .1
            .contains("Publish the pack")
    );
    assert_eq!(
        publish(&app, &lead, PERIOD).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = public
        .post(app.url(&format!("{PERIOD}/packs")))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the public is sent to sign in"
    );
    assert!(
        app.store.published_pack(1).await.is_err(),
        "nothing was published"
    );

    // The officer publishes: the period page says so.
    let r = publish(&app, &officer, PERIOD).await;
    let landing = see_other(&r);
    assert!(
        landing.starts_with(&format!("{PERIOD}?done=published&pack=")),
        "{landing}"
    );
    let (_, page) = get(&officer, app.url(&landing)).await;
    assert!(
        page.contains("The pack ACH24-030 is published: 4 files"),
        "the banner"
    );
    let id: i64 = landing.rsplit('=').next().unwrap().parse().unwrap();
    let pack = app.store.published_pack(id).await.unwrap();
    assert_eq!(pack.reference, "ACH24-030");
    assert_eq!(pack.files.len(), 4);
    for f in &pack.files {
        assert!(
            page.contains(&f.sha256),
            "the period page lists {}",
            f.format
        );
    }

    // The same reference again is refused, and nothing is written.
    let r = publish(&app, &officer, PERIOD).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let text = r.text().await.unwrap();
    assert!(text.contains("a published pack never changes"), "{text}");
    assert_eq!(
        app.store
            .published_packs(pack.body_id, None)
            .await
            .unwrap()
            .len(),
        1
    );

    // The plan changes afterwards: next year's 10A, in Appendix 2, is renamed.
    let next = app.ach_plan("2024/25").await;
    let action = app
        .store
        .action_by_ref(next.id, &"10A".parse().unwrap())
        .await
        .unwrap();
    let mut details = action.details.clone();
    details.title =
        domain::Title::parse("title", "A title given after the pack was published").unwrap();
    app.store
        .amending(&domain::Text::parse("reason", "Renamed after the meeting").unwrap())
        .unwrap()
        .edit_action("test", action.id, action.version, details)
        .await
        .unwrap();
    let fresh = get(&officer, app.url(&format!("{PERIOD}/report"))).await.1;
    assert!(fresh.contains("A title given after the pack was published"));

    // The public lists the pack and downloads every file unchanged.
    let (status, list) = get(&public, app.url("/b/bromley/packs")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("ACH24-030"));
    // The committee's page lists it, and so does the meeting it went to.
    let committees = get(&public, app.url("/b/bromley/committees")).await.1;
    let committee = get(
        &public,
        app.url(&link(&committees, "/b/bromley/committees/")),
    )
    .await
    .1;
    assert!(
        committee.contains("Report packs published for the committee")
            && committee.contains("ACH24-030")
    );
    let mut meetings_listing = 0;
    for href in hrefs(&committee, "/b/bromley/meetings/") {
        let meeting = get(&public, app.url(&href)).await.1;
        if meeting.contains("Report packs published for this meeting") {
            assert!(meeting.contains("27 June 2024") && meeting.contains("ACH24-030"));
            meetings_listing += 1;
        }
    }
    assert_eq!(
        meetings_listing, 1,
        "only the meeting it went to lists the pack"
    );
    let plan_page = get(&public, app.url("/b/bromley/plans/ACH/2023-24"))
        .await
        .1;
    let data = app.store.pack_data(id).await.unwrap();
    let contents = report::Contents::from_data(&data).unwrap();
    for f in &pack.files {
        assert!(list.contains(&f.sha256), "{} hash listed", f.format);
        assert!(
            plan_page.contains(&f.sha256),
            "{} on the plan page",
            f.format
        );
        let href = format!("/b/bromley/packs/{id}/{}", f.format);
        assert!(list.contains(&href));
        let (status, headers, bytes) = download(&public, app.url(&href)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            store::sha256_hex(&bytes),
            f.sha256,
            "{} is unchanged",
            f.format
        );
        assert_eq!(bytes.len() as i64, f.size);
        let format: report::Format = f.format.parse().unwrap();
        assert_eq!(headers["content-type"], format.media_type());
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"ACH24-030-2023-24-H2.{}\"", f.format).as_str()
        );
        // Rendered again from the stored data version: the same bytes.
        assert!(
            report::render(&contents, format).unwrap() == bytes,
            "{} renders again byte for byte",
            f.format
        );
    }
    let (_, _, html) = download(&public, app.url(&format!("/b/bromley/packs/{id}/html"))).await;
    let html = String::from_utf8(html).unwrap();
    assert!(!html.contains("A title given after the pack was published"));

    // Another body's address, an unknown format or pack: not found.
    for wrong in [
        format!("/b/northmoor/packs/{id}/pdf"),
        format!("/b/bromley/packs/{id}/odt"),
        format!("/b/bromley/packs/{id}/PDF"),
        format!("/b/bromley/packs/{}/pdf", id + 100),
    ] {
        assert_eq!(
            get(&public, app.url(&wrong)).await.0,
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }
    assert!(
        !get(&public, app.url("/b/northmoor/packs"))
            .await
            .1
            .contains("ACH24-030")
    );
}
on_both_engines!(an_officer_publishes_a_frozen_pack_the_public_downloads);

async fn packs_of_unpublished_plans_are_hidden_from_the_public(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let period = "/b/bromley/plans/ACH/2024-25/periods/H1";
    // Without a reference on the cover the pack is refused, naming the field.
    let r = publish(&app, &officer, period).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("save the cover with it first")
    );
    let plan = app.ach_plan("2024/25").await;
    let p = domain::ReportingPeriod::new(plan.year, domain::Half::H1);
    let saved = app.store.report_cover(plan.id, p).await.unwrap();
    app.store
        .save_report_cover(
            "test",
            plan.id,
            p,
            saved.version,
            &domain::ReportCover::parse("ACH25-011", "", "2024-11-20", "", "").unwrap(),
        )
        .await
        .unwrap();
    let landing = see_other(&publish(&app, &officer, period).await);
    let id: i64 = landing.rsplit('=').next().unwrap().parse().unwrap();

    let public = client();
    assert!(
        !get(&public, app.url("/b/bromley/packs"))
            .await
            .1
            .contains("ACH25-011")
    );
    assert_eq!(
        get(&public, app.url(&format!("/b/bromley/packs/{id}/pdf")))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let member = app.signed_in("member").await;
    assert!(
        get(&member, app.url("/b/bromley/packs"))
            .await
            .1
            .contains("ACH25-011")
    );
    assert_eq!(
        get(&member, app.url(&format!("/b/bromley/packs/{id}/pdf")))
            .await
            .0,
        StatusCode::OK
    );
}
on_both_engines!(packs_of_unpublished_plans_are_hidden_from_the_public);

async fn the_api_publishes_and_lists_packs(db: TestDb) {
    let app = spawn_app(db).await;
    let plan = app.ach_plan("2023/24").await;
    let url = app.url(&format!("/api/v1/plans/{}/periods/H2/packs", plan.id));
    let c = client();
    let lead = app.api_token("lead").await;
    let r = c.post(&url).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        c.post(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let officer = app.api_token("officer").await;
    let r = c.post(&url).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pack: serde_json::Value = r.json().await.unwrap();
    assert_eq!(pack["reference"], "ACH24-030");
    assert_eq!(pack["files"].as_array().unwrap().len(), 4);
    let again = c.post(&url).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let error: serde_json::Value = again.json().await.unwrap();
    assert_eq!(error["field"], "reference");

    let list: serde_json::Value = c
        .get(app.url("/api/v1/bodies/bromley/packs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], pack["id"]);
    assert!(
        list[0].get("published_by").is_none(),
        "the public is not told who"
    );
    let one: serde_json::Value = c
        .get(app.url(&format!("/api/v1/packs/{}", pack["id"])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for f in one["files"].as_array().unwrap() {
        let (status, _, bytes) = download(&c, app.url(f["href"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(store::sha256_hex(&bytes), f["sha256"].as_str().unwrap());
    }
    assert_eq!(
        c.get(app.url("/api/v1/packs/999"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
on_both_engines!(the_api_publishes_and_lists_packs);
