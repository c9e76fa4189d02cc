//! Searching a body's record, on the page and in the API: stemming,
//! ranking, marked words (escaped), what each viewer may find (the public
//! only what is published and signed off, a lead their own work in
//! progress, never another body's), paging, and odd searches answered
//! clearly, never with a 500.

use domain::Half;
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, spawn_app};

/// The API's search of `slug` for `q` as the holder of `token` (or the public).
async fn api(app: &App, slug: &str, q: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = client()
        .get(app.url(&format!("/api/v1/bodies/{slug}/search")))
        .query(&[("q", q)]);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

fn kinds(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_finds_what_each_viewer_may_see(db: TestDb) {
    let app = spawn_app(db).await;
    let lead = app.api_token("lead").await;
    let officer = app.api_token("officer").await;
    let member = app.api_token("member").await;
    let elsewhere = app.api_token_at("officer", "northmoor").await;

    // 10A of 2024/25, published: an update recorded as reported (so signed
    // off), then a period opened and a revision written, not yet signed off.
    let id = app.action_id("2024/25", "10A").await;
    let plan = app.ach_plan("2024/25").await;
    app.store
        .publish_plan("test", plan.id, plan.version, true)
        .await
        .unwrap();
    let plan = plan.id;
    let url = app.url(&format!("/api/v1/actions/{id}/updates/H1"));
    let first: Value = client()
        .put(&url)
        .bearer_auth(&lead)
        .json(&json!({ "status": "on track", "commentary": "The kestrel aviary was reporting well." }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["state"], "signed_off");
    let deadline = chrono::NaiveDate::from_ymd_opt(2024, 10, 15).unwrap();
    app.store
        .open_period("test", plan, Half::H1, deadline, 7)
        .await
        .unwrap();
    let revised = client()
        .put(&url)
        .bearer_auth(&lead)
        .json(&json!({ "version": first["version"], "status": "on track",
            "commentary": "<script>alert('quokka')</script> The quokka enclosure & \"more\"." }))
        .send()
        .await
        .unwrap();
    assert_eq!(revised.status(), StatusCode::OK);

    // The public finds the signed-off words, not the revision's.
    let (status, v) = api(&app, "bromley", "kestrel", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["results"][0]["kind"], "update");
    assert_eq!(v["results"][0]["action_id"], id);
    assert_eq!(v["results"][0]["half"], "H1");
    assert_eq!(api(&app, "bromley", "quokka", None).await.1["total"], 0);
    // So does a member; the lead and the officer find the revision instead.
    assert_eq!(
        api(&app, "bromley", "kestrel", Some(&member)).await.1["total"],
        1
    );
    assert_eq!(
        api(&app, "bromley", "quokka", Some(&member)).await.1["total"],
        0
    );
    for who in [&lead, &officer] {
        assert_eq!(
            api(&app, "bromley", "quokka", Some(who)).await.1["total"],
            1
        );
        assert_eq!(
            api(&app, "bromley", "kestrel", Some(who)).await.1["total"],
            0
        );
    }
    // Another body's people find nothing of it, in either body's search.
    assert_eq!(
        api(&app, "northmoor", "quokka", Some(&elsewhere)).await.1["total"],
        0
    );
    assert_eq!(
        api(&app, "northmoor", "kestrel", Some(&elsewhere)).await.1["total"],
        0
    );
    assert_eq!(
        api(&app, "bromley", "quokka", Some(&elsewhere)).await.1["total"],
        0
    );

    // The marked words are escaped: the data's markup is text.
    let (_, v) = api(&app, "bromley", "quokka enclosure", Some(&officer)).await;
    let html = v["results"][0]["text_html"].as_str().unwrap();
    assert!(html.contains("<mark>quokka</mark>"), "{html}");
    // SQLite's snippet keeps the markup as text; PostgreSQL's headline
    // leaves tags out. Either way none of it reaches the page as markup.
    assert!(
        html.contains("&lt;script&gt;") || !html.contains("script"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&amp;") && html.contains("&quot;more"),
        "{html}"
    );
    let page = app.signed_in("officer").await;
    let (status, body) = get(&page, app.url("/b/bromley/search?q=quokka")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("1 result for quokka"), "{body}");
    assert!(body.contains("<mark>quokka</mark>"));
    assert!(!body.contains("<script>alert"), "no markup from the data");
    assert!(body.contains(&format!("href=\"/b/bromley/actions/{id}\"")));

    // Unpublished plans: the draft 2024/25 plan's words are the members'.
    app.store
        .publish_plan(
            "test",
            plan,
            app.store.plan_by_id(plan).await.unwrap().version,
            false,
        )
        .await
        .unwrap();
    assert_eq!(api(&app, "bromley", "kestrel", None).await.1["total"], 0);
    assert_eq!(
        api(&app, "bromley", "kestrel", Some(&member)).await.1["total"],
        1
    );
    let (_, public_page) = get(&client(), app.url("/b/bromley/search?q=kestrel")).await;
    assert!(
        public_page.contains("No results for kestrel"),
        "{public_page}"
    );
}
on_both_engines!(search_finds_what_each_viewer_may_see);

async fn search_stems_ranks_and_pages(db: TestDb) {
    let app = spawn_app(db).await;
    // "reporting" finds "reported" (commentary of the published 2022/23 plan).
    let (status, v) = api(&app, "bromley", "reporting", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["total"].as_i64().unwrap() >= 1, "{v}");
    let marked: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text_html"].as_str().unwrap())
        .collect();
    assert!(
        marked.iter().any(|t| t.contains("<mark>reported</mark>")),
        "{marked:?}"
    );
    // A phrase, in quotes.
    let (_, v) = api(&app, "bromley", "\"case file audits\"", None).await;
    assert!(v["total"].as_i64().unwrap() >= 1, "{v}");
    let (_, v) = api(&app, "bromley", "\"audits file case\"", None).await;
    assert_eq!(v["total"], 0, "{v}");

    // An action whose title has the word ranks above passages that mention it.
    let (_, v) = api(&app, "bromley", "autism", None).await;
    assert!(v["total"].as_i64().unwrap() >= 2, "{v}");
    assert_eq!(kinds(&v)[0], "action", "{v}");
    assert!(
        v["results"][0]["title_html"]
            .as_str()
            .unwrap()
            .contains("<mark>Autism</mark>"),
        "{v}"
    );

    // Pages of 20, without overlap.
    let officer = app.api_token("officer").await;
    let (_, first) = api(&app, "bromley", "care", Some(&officer)).await;
    let total = first["total"].as_i64().unwrap();
    assert!(total > 20, "{total}");
    assert_eq!(first["results"].as_array().unwrap().len(), 20);
    let second = app
        .api_json("/api/v1/bodies/bromley/search?q=care&page=2", &officer)
        .await;
    assert_eq!(second["page"], 2);
    let ids = |v: &Value| -> Vec<(String, i64)> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["kind"].as_str().unwrap().to_owned(),
                    h["id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert!(ids(&second).iter().all(|x| !ids(&first).contains(x)));
    let web = app.signed_in("officer").await;
    let (_, page) = get(&web, app.url("/b/bromley/search?q=care")).await;
    assert!(page.contains("rel=\"next\""), "a link to the next page");
    assert!(page.contains(&format!("{total} results for care")));
}
on_both_engines!(search_stems_ranks_and_pages);

async fn odd_searches_get_a_clear_answer(db: TestDb) {
    let app = spawn_app(db).await;
    let long = "care ".repeat(100);
    let odd = [
        "",
        "   ",
        "\"",
        "\"\"",
        "care\"",
        "NEAR(care home)",
        "care NEAR home",
        "*",
        "car*",
        "-care",
        "care OR home",
        "AND",
        "the",
        "^care",
        "care:home",
        "(care",
        "café ☕ 東京 ünïcödé",
        "'; DROP TABLE actions; --",
        "\u{2}care\u{3}",
        "%",
        long.as_str(),
    ];
    let public = client();
    let officer = app.signed_in("officer").await;
    for q in odd {
        for c in [&public, &officer] {
            let r = c
                .get(app.url("/b/bromley/search"))
                .query(&[("q", q)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "the page for {q:?}");
            let page = r.text().await.unwrap();
            assert!(
                page.contains("There is a problem") || page.contains("result"),
                "{q:?}: {page}"
            );
        }
        let (status, v) = api(&app, "bromley", q, None).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{q:?}: {status} {v}"
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(v["field"], "q", "{v}");
        }
    }
    // The body's own word in the index is never matched by what a person
    // types: a search for the body's number, or for "body" and its number,
    // finds only records whose words hold them.
    let body = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    for q in [body.id.to_string(), format!("body {}", body.id)] {
        let (status, v) = api(&app, "bromley", &q, None).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        for hit in v["results"].as_array().unwrap() {
            let words = format!("{} {}", hit["title_html"], hit["text_html"]);
            assert!(words.contains("<mark>"), "{q} found {hit}");
        }
    }
    // The plain messages.
    let (_, page) = get(&public, app.url("/b/bromley/search?q=")).await;
    assert!(page.contains("Enter a word or two to search for"));
    let (_, page) = get(
        &public,
        app.url(&format!("/b/bromley/search?q={}", "x".repeat(201))),
    )
    .await;
    assert!(
        page.contains("Search must be 200 characters or fewer"),
        "{page}"
    );
    // No search yet: the form alone.
    let (status, page) = get(&public, app.url("/b/bromley/search")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("There is a problem") && page.contains("name=\"q\""));
    // Pages out of range.
    for p in ["0", "-1", "abc", "501", "99999999999999999999"] {
        let (status, _) = get(
            &public,
            app.url(&format!("/b/bromley/search?q=care&page={p}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "page {p}");
        let r = client()
            .get(app.url(&format!("/api/v1/bodies/bromley/search?q=care&page={p}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "page {p}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "page");
    }
    let (status, page) = get(&public, app.url("/b/bromley/search?q=care&page=400")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("past the last one"), "{page}");
    // No q at all in the API, and a body that is not there.
    let r = client()
        .get(app.url("/api/v1/bodies/bromley/search"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        api(&app, "nowhere", "care", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&public, app.url("/b/nowhere/search?q=care")).await.0,
        StatusCode::NOT_FOUND
    );
}
on_both_engines!(odd_searches_get_a_clear_answer);

async fn every_signed_in_page_of_a_body_has_the_search_box(db: TestDb) {
    let app = spawn_app(db).await;
    let member = app.signed_in("member").await;
    for path in [
        "/b/bromley",
        "/b/bromley/home",
        "/b/bromley/plans/ACH/2024-25",
        "/b/bromley/committees",
    ] {
        let (status, page) = get(&member, app.url(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains("action=\"/b/bromley/search\" role=\"search\""),
            "{path} has the search box"
        );
    }
}
on_both_engines!(every_signed_in_page_of_a_body_has_the_search_box);
