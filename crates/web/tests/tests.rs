//! The web server, started for real on a free port over a fresh database,
//! driven over HTTP as a browser or a program would.

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use store::Store;
use testkit::{TestDb, on_both_engines};

#[path = "suite/accounts.rs"]
mod accounts;

#[path = "suite/cycle_api.rs"]
mod cycle_api;

#[path = "suite/fast.rs"]
mod fast;

#[path = "suite/hardening.rs"]
mod hardening;

#[path = "suite/home.rs"]
mod home;

#[path = "suite/import.rs"]
mod import;

#[path = "suite/members.rs"]
mod members;

#[path = "suite/moderngov.rs"]
mod moderngov;
#[path = "suite/oparl.rs"]
mod oparl;

#[path = "suite/open_data.rs"]
mod open_data;

#[path = "suite/outage.rs"]
mod outage;

#[path = "suite/packs.rs"]
mod packs;

#[path = "suite/scale_out.rs"]
mod scale_out;

#[path = "suite/schemes.rs"]
mod schemes;

#[path = "suite/search.rs"]
mod search;

struct App {
    base: String,
    store: Store,
    _db: TestDb,
}

async fn spawn_app(db: TestDb) -> App {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_people(&store, web::hash_password).await.unwrap();
    demo::load_committee_record(&store).await.unwrap();
    demo::load_northmoor(&store).await.unwrap();
    demo::load_northmoor_people(&store, web::hash_password)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, store.clone(), web::Options::default()));
    App {
        base,
        store,
        _db: db,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The value of the first input called `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} field in page"));
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + "value=\"".len();
    rest[start..].split('"').next().unwrap().to_owned()
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client signed in as the demo account `who` ("officer", "lead", …).
    async fn signed_in(&self, who: &str) -> reqwest::Client {
        self.signed_in_at(who, "bromley").await
    }

    /// A client signed in as the demo account `who` of body `slug`.
    async fn signed_in_at(&self, who: &str, slug: &str) -> reqwest::Client {
        let c = client();
        let page = c
            .get(self.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let form = [
            ("email", format!("{who}@{slug}.example")),
            ("password", format!("demo-{who}-password")),
            ("form_token", hidden(&page, "form_token")),
            ("next", "/".into()),
        ];
        let r = c
            .post(self.url("/sign-in"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who} signs in");
        c
    }

    /// The demo's ACH plan of `year` ("2024/25").
    async fn ach_plan(&self, year: &str) -> domain::Plan {
        let portfolio = self
            .store
            .portfolio(None, &"ACH".parse().unwrap())
            .await
            .unwrap();
        self.store
            .plan(portfolio.id, year.parse().unwrap())
            .await
            .unwrap()
    }

    async fn action_id(&self, year: &str, reference: &str) -> i64 {
        let plan = self.ach_plan(year).await;
        (self
            .store
            .action_by_ref(plan.id, &reference.parse().unwrap())
            .await
            .unwrap()
            .id)
            .get()
    }

    /// The JSON the API answers `GET path` with, asked with `token`.
    async fn api_json(&self, path: &str, token: &str) -> serde_json::Value {
        client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn api_token(&self, who: &str) -> String {
        self.api_token_at(who, "bromley").await
    }

    /// A new API token of the demo account `who` of body `slug`.
    async fn api_token_at(&self, who: &str, slug: &str) -> String {
        let (user, _) = self
            .store
            .user_by_email(&format!("{who}@{slug}.example").parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let token = web::new_token();
        self.store
            .create_api_token(
                "test",
                user.id,
                &domain::Title::parse("name", "test").unwrap(),
                &web::token_hash(&token),
            )
            .await
            .unwrap();
        token
    }
}

async fn get(c: &reqwest::Client, url: String) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn public_pages_show_published_plans_only(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let (status, home) = get(&public, app.url("/b/bromley")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Making Bromley Even Better 2021-2031"));
    assert!(home.contains("Adult Care and Health (ACH) plan 2022/23"));
    assert!(
        !home.contains("plan 2024/25"),
        "the unpublished plan is not listed publicly"
    );

    let (status, plan) = get(&public, app.url("/b/bromley/plans/ACH/2022-23?period=H1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plan.contains(
        "In H1 2022/23 (April to September): Progress had been made on the majority of the actions"
    ));
    assert!(plan.contains("Deliver the all-age Autism Strategy"));
    assert!(
        plan.contains("<svg class=\"ambit-chart\""),
        "the status chart is drawn"
    );
    assert!(!plan.contains("Publish this plan"));

    let hidden_id = app.action_id("2024/25", "10A").await;
    assert_eq!(
        get(&public, app.url("/b/bromley/plans/ACH/2024-25"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&public, app.url(&format!("/b/bromley/actions/{hidden_id}")))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let api = get(&public, app.url("/api/v1/bodies/bromley/plans"))
        .await
        .1;
    assert!(!api.contains("2024/25"), "{api}");

    let member = app.signed_in("member").await;
    let (status, draft) = get(&member, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(draft.contains("This plan is not published"));
}
on_both_engines!(public_pages_show_published_plans_only);

async fn filters_narrow_the_plan(db: TestDb) {
    let app = spawn_app(db).await;
    let c = client();
    let lead = "Director of Children's Services";
    let (_, page) = get(
        &c,
        app.url(&format!(
            "/b/bromley/plans/ACH/2022-23?lead={}",
            lead.replace(' ', "+").replace('\'', "%27")
        )),
    )
    .await;
    assert!(
        page.contains("Showing 1 of 23 actions."),
        "{}",
        &page[page.find("Showing").unwrap_or(0)..][..60]
    );
    assert!(page.contains("Deliver the all-age Autism Strategy"));
    assert!(!page.contains("Promote opportunities for engagement"));
    let (_, at_risk) = get(
        &c,
        app.url("/b/bromley/plans/ACH/2022-23?period=H1&status=at_risk"),
    )
    .await;
    assert!(at_risk.contains("Showing 2 of 23 actions."));
    let (_, whole) = get(&c, app.url("/b/bromley/plans/ACH/2022-23?period=H1")).await;
    let priority_sentences = whole.matches("Progress had been made on").count();
    assert!(
        priority_sentences >= 4,
        "the plan, each ambition and each priority have a roll-up sentence ({priority_sentences})"
    );
    assert!(at_risk.contains("Develop a new support offer to help and sustain unpaid carers"));
}
on_both_engines!(filters_narrow_the_plan);

/// Who may open what: every page route for every role.
async fn every_route_checks_the_role(db: TestDb) {
    let app = spawn_app(db).await;
    let mine = app.action_id("2024/25", "10A").await; // led by the demo lead's role
    let theirs = app.action_id("2024/25", "9E").await; // led by the Director of Children's Services
    let published = app.action_id("2022/23", "10A").await;
    let northmoor_action = schemes::northmoor_action(&app, "ENV", "2023/24", "1.1.10").await;
    let body = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = app.store.committees(body.id).await.unwrap()[0].id;
    let meeting = app.store.meetings(committee).await.unwrap()[0].id;
    let member = app
        .store
        .add_committee_member(
            "test",
            committee,
            &store::MemberDetails {
                name: domain::Title::parse("name", "Councillor Ann Lee").unwrap(),
                role: domain::MemberRole::Chair,
                term_from: None,
                term_to: None,
            },
        )
        .await
        .unwrap()
        .id;
    let lead_account = app
        .store
        .account_by_email(&"lead@bromley.example".parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let routes: Vec<(String, [u16; 6])> = vec![
        //                                              public admin officer lead clerk member
        ("/b/bromley".into(), [200, 200, 200, 200, 200, 200]),
        ("/b/bromley/packs".into(), [200, 200, 200, 200, 200, 200]),
        (
            "/b/bromley/packs/1/pdf".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        (
            "/b/bromley/plans/ACH/2022-23".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2024-25".into(),
            [404, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/export.xlsx".into(),
            [404, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/export-csv.zip".into(),
            [404, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/export.json".into(),
            [404, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2022-23/export.xlsx".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/plans/ACH/2099-00/export.xlsx".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        (
            format!("/b/bromley/actions/{published}"),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/b/bromley/actions/{mine}"),
            [404, 200, 200, 200, 200, 200],
        ),
        (
            format!("/b/bromley/actions/{mine}/edit"),
            [303, 200, 200, 403, 403, 403],
        ),
        (
            format!("/b/bromley/actions/{mine}/updates/H1"),
            [303, 200, 200, 200, 403, 403],
        ),
        (
            format!("/b/bromley/actions/{theirs}/updates/H1"),
            [303, 200, 200, 403, 403, 403],
        ),
        (
            format!("/b/bromley/audit/action/{mine}"),
            [303, 200, 200, 200, 200, 200],
        ),
        (
            "/b/bromley/committees".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/b/bromley/committees/{committee}/edit"),
            [303, 200, 200, 403, 200, 403],
        ),
        (
            format!("/b/bromley/meetings/{meeting}/edit"),
            [303, 200, 200, 403, 200, 403],
        ),
        (
            format!("/b/bromley/committee-members/{member}/edit"),
            [303, 200, 200, 403, 200, 403],
        ),
        ("/b/bromley/accounts".into(), [303, 200, 403, 403, 403, 403]),
        ("/b/bromley/settings".into(), [303, 200, 200, 403, 403, 403]),
        (
            "/b/bromley/settings/moderngov".into(),
            [303, 200, 200, 403, 200, 403],
        ),
        (
            format!("/b/bromley/accounts/{lead_account}/remove"),
            [303, 200, 403, 403, 403, 403],
        ),
        // The second body (dotted references): its published plans are
        // public; Bromley's people have no role there.
        ("/b/northmoor".into(), [200, 200, 200, 200, 200, 200]),
        (
            "/b/northmoor/plans/ENV/2023-24".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/northmoor/plans/HSG/2024-25".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/northmoor/plans/ENV/2023-24/export-csv.zip".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/b/northmoor/actions/{northmoor_action}"),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/northmoor/committees".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/b/northmoor/settings".into(),
            [303, 403, 403, 403, 403, 403],
        ),
        ("/b/nowhere".into(), [404, 404, 404, 404, 404, 404]),
        (
            "/b/bromley/actions/999999".into(),
            [404, 404, 404, 404, 404, 404],
        ),
    ];
    let mut clients = vec![("public", client())];
    for who in ["admin", "officer", "lead", "clerk", "member"] {
        clients.push((who, app.signed_in(who).await));
    }
    for (path, expected) in &routes {
        for ((who, c), want) in clients.iter().zip(expected) {
            let status = c.get(app.url(path)).send().await.unwrap().status();
            assert_eq!(status.as_u16(), *want, "GET {path} as {who}");
        }
    }
}
on_both_engines!(every_route_checks_the_role);

async fn a_lead_records_an_update_and_it_is_escaped(db: TestDb) {
    let app = spawn_app(db).await;
    let lead = app.signed_in("lead").await;
    let id = app.action_id("2024/25", "10A").await;
    let form_url = app.url(&format!("/b/bromley/actions/{id}/updates/H1"));
    let form = lead
        .get(&form_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&form, "csrf");

    let bad = lead
        .post(&form_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "on_track"),
            ("percent", "140"),
            ("commentary", "kept as typed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("There is a problem") && bad.contains("href=\"#percent\""));
    assert!(
        bad.contains(">kept as typed</textarea>"),
        "what the user typed is kept"
    );

    let hostile = "<script>alert(1)</script> & Welsh ŵ";
    let ok = lead
        .post(&form_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "on_track"),
            ("percent", "20"),
            ("commentary", hostile),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&lead, app.url(&format!("/b/bromley/actions/{id}"))).await;
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; Welsh ŵ"),
        "commentary is escaped"
    );
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("On track"));
    let trail = app
        .store
        .audit_trail(
            "update",
            (app.store
                .updates_of(domain::ActionId::new(id))
                .await
                .unwrap()[0]
                .id)
                .get(),
        )
        .await
        .unwrap();
    assert!(trail[0].actor.contains("lead@bromley.example"));

    // Without the CSRF token, or from another site, nothing is saved.
    let forged = lead
        .post(&form_url)
        .form(&[("status", "complete"), ("commentary", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross = lead
        .post(&form_url)
        .header("Origin", "https://evil.example")
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "complete"),
            ("commentary", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .updates_of(domain::ActionId::new(id))
            .await
            .unwrap()[0]
            .input
            .status,
        domain::Status::OnTrack
    );
}
on_both_engines!(a_lead_records_an_update_and_it_is_escaped);

async fn an_officer_edits_and_a_stale_edit_is_refused(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let id = app.action_id("2024/25", "6A").await;
    let url = app.url(&format!("/b/bromley/actions/{id}/edit"));
    let form = officer
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (csrf, version) = (hidden(&form, "csrf"), hidden(&form, "version"));
    let fields = |title: &str| {
        HashMap::from([
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("reference", "6A".to_owned()),
            ("title", title.to_owned()),
            (
                "lead",
                "Assistant Director for Integrated Commissioning".to_owned(),
            ),
            ("target", "March 2025".to_owned()),
            (
                "amendment",
                "Committee asked for a shorter title".to_owned(),
            ),
        ])
    };
    let mut without_reason = fields("Promote community groups and day opportunities");
    without_reason.remove("amendment");
    let refused = officer
        .post(&url)
        .form(&without_reason)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Give the reason for amending the approved plan")
    );
    let r = officer
        .post(&url)
        .form(&fields("Promote community groups and day opportunities"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&officer, app.url(&format!("/b/bromley/actions/{id}"))).await;
    assert!(page.contains("6A: Promote community groups and day opportunities"));

    let stale = officer
        .post(&url)
        .form(&fields("A second edit from an old form"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .text()
            .await
            .unwrap()
            .contains("Someone else changed action 6A")
    );

    let (_, audit) = get(&officer, app.url(&format!("/b/bromley/audit/action/{id}"))).await;
    assert!(
        audit.contains("Promote opportunities for engagement with local communities and groups")
    );
    assert!(audit.contains("Promote community groups and day opportunities"));
    assert!(audit.contains("officer@bromley.example"));
    // Readable: fields under their own names, values written out, no JSON.
    assert!(audit.contains("<dt class=\"govuk-summary-list__key\">Title</dt>"));
    assert!(audit.contains("Created by demo loader"));
    assert!(
        audit.contains("Target date"),
        "the created action's fields are listed"
    );
    let main = &audit[audit.find("<main").unwrap()..];
    assert!(
        !main.contains("item_id") && !main.contains("{\""),
        "no raw fields or JSON"
    );
}
on_both_engines!(an_officer_edits_and_a_stale_edit_is_refused);

async fn publishing_shows_the_plan_to_the_public(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let page = officer
        .get(app.url("/b/bromley/plans/ACH/2024-25"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("version", hidden(&page, "version")),
        ("publish", "yes".into()),
    ];
    let r = officer
        .post(app.url("/b/bromley/plans/ACH/2024-25/publish"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get(&client(), app.url("/b/bromley/plans/ACH/2024-25"))
            .await
            .0,
        StatusCode::OK
    );
    let member = app.signed_in("member").await;
    let denied = member
        .post(app.url("/b/bromley/plans/ACH/2024-25/publish"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status(),
        StatusCode::FORBIDDEN,
        "a member cannot publish"
    );
}
on_both_engines!(publishing_shows_the_plan_to_the_public);

async fn the_api_follows_the_same_rules(db: TestDb) {
    let app = spawn_app(db).await;
    let c = client();
    let plans: Value = c
        .get(app.url("/api/v1/bodies/bromley/plans"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == "2022/23")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let plan: Value = c
        .get(app.url(&format!("/api/v1/plans/{first}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plan["actions"].as_array().unwrap().len(), 23);
    let rollup: Value = c
        .get(app.url(&format!("/api/v1/plans/{first}/rollup?period=H1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(rollup["sentence"].as_str().unwrap().contains("majority"));

    let id = app.action_id("2024/25", "10A").await;
    let update_url = app.url(&format!("/api/v1/actions/{id}/updates/H1"));
    let body = json!({ "status": "on track", "commentary": "API update", "percent": 30 });
    assert_eq!(
        c.put(&update_url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "writing needs a token"
    );
    let published = app.action_id("2023/24", "10A").await;
    let anonymous = c
        .put(app.url(&format!("/api/v1/actions/{published}/updates/H1")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let lead = app.api_token("lead").await;
    let saved = c
        .put(&update_url)
        .bearer_auth(&lead)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (saved["status"].as_str(), saved["version"].as_i64()),
        (Some("on_track"), Some(1))
    );

    let stale = c
        .put(&update_url)
        .bearer_auth(&lead)
        .json(&json!({ "version": 7, "status": "complete" }))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(stale.json::<Value>().await.unwrap()["current_version"], 1);

    let invalid = c
        .put(&update_url)
        .bearer_auth(&lead)
        .json(&json!({ "version": 1, "status": "on track", "percent": 140 }))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json::<Value>().await.unwrap()["field"], "percent");

    let theirs = app.action_id("2024/25", "9E").await;
    let denied = c
        .put(app.url(&format!("/api/v1/actions/{theirs}/updates/H1")))
        .bearer_auth(&lead)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let bogus = c
        .put(&update_url)
        .bearer_auth("not-a-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), StatusCode::UNAUTHORIZED);

    let officer = app.api_token("officer").await;
    let action: Value = c
        .get(app.url(&format!("/api/v1/actions/{id}")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let edit = json!({ "version": action["version"], "reference": "10A", "title": "Carers support offer", "lead": action["lead"], "target": "2025-03", "amendment": "Shorter title" });
    let edited = c
        .put(app.url(&format!("/api/v1/actions/{id}")))
        .bearer_auth(&officer)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let again = c
        .put(app.url(&format!("/api/v1/actions/{id}")))
        .bearer_auth(&officer)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let portfolios: Value = c
        .get(app.url("/api/v1/bodies/bromley/portfolios"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(portfolios[0]["code"], "ACH");
    assert_eq!(
        portfolios[0]["committee"],
        "Adult Care and Health Policy Development and Scrutiny Committee"
    );
    let periods: Value = c
        .get(app.url(&format!("/api/v1/plans/{first}/periods")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(periods[0]["period"], "H1 2022/23");
    assert_eq!(
        (
            periods[0]["updated"].as_u64(),
            periods[0]["actions"].as_u64()
        ),
        (Some(23), Some(23))
    );
    assert_eq!(periods[1]["starts"], "2022-10-01");

    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/actions/{id}/updates/{half}"]["put"].is_object());
}
on_both_engines!(the_api_follows_the_same_rules);

#[tokio::test]
async fn odd_addresses_give_a_proper_404_never_a_panic() {
    let app = spawn_app(testkit::sqlite()).await;
    let c = client();
    for path in [
        "/nowhere",
        "/b/bromley/actions/99999999999999999999999",
        "/b/bromley/actions/-1",
        "/b/bromley/plans/ACH/2022-24",
        "/b/bromley/plans/%00/2022-23",
        "/b/BROMLEY",
        "/b/bromley/audit/user/1",
        "/b/bromley/actions/1/updates/H3",
        "/assets/../Cargo.toml",
        "/api/v1/plans/abc",
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert!(
            r.status() == StatusCode::NOT_FOUND
                || r.status() == StatusCode::BAD_REQUEST
                || r.status() == StatusCode::SEE_OTHER,
            "{path}: {}",
            r.status()
        );
    }
    let r = c.get(app.url("/nowhere")).send().await.unwrap();
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(r.text().await.unwrap().contains("Page not found"));

    // Signed in, an error page still says who is signed in, with its
    // security headers, and never offers to sign in.
    let officer = app.signed_in("officer").await;
    for path in ["/nowhere", "/b/bromley/actions/-1", "/b/northmoor/settings"] {
        let r = officer.get(app.url(path)).send().await.unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        assert!(r.headers().contains_key("content-security-policy"));
        let page = r.text().await.unwrap();
        assert!(
            page.contains("Sign out") && !page.contains("href=\"/sign-in\""),
            "{path}: {page}"
        );
    }
}

#[tokio::test]
async fn sign_in_is_rate_limited_and_sign_out_ends_the_session() {
    let app = spawn_app(testkit::sqlite()).await;
    let c = client();
    let page = c
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden(&page, "form_token");
    let attempt = |password: &'static str| {
        let c = c.clone();
        let (url, token) = (app.url("/sign-in"), token.clone());
        async move {
            c.post(url)
                .form(&[
                    ("email", "officer@bromley.example"),
                    ("password", password),
                    ("form_token", &token),
                    ("next", "/"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        let r = attempt("wrong password").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Enter a correct email address and password")
        );
    }
    assert_eq!(
        attempt("demo-officer-password").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let officer = app.signed_in("admin").await;
    let home = officer
        .get(app.url("/b/bromley"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Signed in as Demo administrator"));
    let set_cookie = {
        let page = client().get(app.url("/sign-in")).send().await.unwrap();
        page.headers()["set-cookie"].to_str().unwrap().to_owned()
    };
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let r = officer
        .post(app.url("/sign-out"))
        .form(&[("csrf", hidden(&home, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = officer
        .get(app.url("/b/bromley"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("Sign in") && !after.contains("Signed in as"));
}

async fn officers_edit_the_strategy_and_the_tree(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let form = officer
        .get(app.url("/b/bromley/strategy/edit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let strategy = app
        .store
        .strategy(domain::BodyId::new(1))
        .await
        .unwrap()
        .unwrap();
    let ambition_2 = strategy.ambitions.iter().find(|a| a.number == 2).unwrap();
    let mut fields: HashMap<String, String> = HashMap::from([
        ("csrf".into(), hidden(&form, "csrf")),
        ("version".into(), hidden(&form, "version")),
        ("title".into(), "Making Bromley Even Better".into()),
        ("years".into(), "2021-2032".into()),
    ]);
    for a in &strategy.ambitions {
        fields.insert(format!("ambition_{}", a.id), a.title.to_string());
    }
    fields.insert(
        format!("ambition_{}", ambition_2.id),
        "For adults and older people to live well".into(),
    );
    fields.insert("years".into(), "2032-2021".into());
    let bad = officer
        .post(app.url("/b/bromley/strategy/edit"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().await.unwrap().contains("value=\"2032-2021\""),
        "what was typed is kept"
    );
    fields.insert("years".into(), "2021-2032".into());
    let ok = officer
        .post(app.url("/b/bromley/strategy/edit"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let home = get(&client(), app.url("/b/bromley")).await.1;
    assert!(
        home.contains("Making Bromley Even Better 2021-2032")
            && home.contains("For adults and older people to live well")
    );
    let trail = app
        .store
        .audit_trail("ambition", ambition_2.id.get())
        .await
        .unwrap();
    assert_eq!(trail.last().unwrap().operation, "edit");

    // Renumbering a statement that has actions is refused; adding an action works.
    let plan = officer
        .get(app.url("/b/bromley/plans/ACH/2024-25"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let add = plan
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.ends_with("/actions/new"))
        .unwrap()
        .to_owned();
    let statement_edit = add.replace("/actions/new", "/edit");
    let form = officer
        .get(app.url(&statement_edit))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let number = hidden(&form, "reference");
    let renumber = [
        ("csrf", hidden(&form, "csrf")),
        ("version", hidden(&form, "version")),
        ("reference", "99".into()),
        ("title", "Renamed".into()),
        ("amendment", "Restructure".into()),
    ];
    let refused = officer
        .post(app.url(&statement_edit))
        .form(&renumber)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("change their references first")
    );

    let form = officer
        .get(app.url(&add))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let new = [
        ("csrf", hidden(&form, "csrf")),
        ("reference", format!("{number}Z")),
        ("title", "Pilot a new carers' café".into()),
        (
            "lead",
            "Assistant Director for Integrated Commissioning".into(),
        ),
        ("target", "December 2024".into()),
        ("measure", "Carers say the café helps".into()),
        ("amendment", "A new action agreed by the committee".into()),
    ];
    let added = officer.post(app.url(&add)).form(&new).send().await.unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let page = get(
        &officer,
        app.url(added.headers()["location"].to_str().unwrap()),
    )
    .await
    .1;
    assert!(
        page.contains(&format!("{number}Z: Pilot a new carers&#39; café")),
        "{}",
        &page[..400]
    );
    let again = officer.post(app.url(&add)).form(&new).send().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the reference is taken now"
    );
}
on_both_engines!(officers_edit_the_strategy_and_the_tree);

/// A small OpenID Connect provider for the single sign-on test: discovery,
/// an authorisation endpoint that approves `email` at once, and a token
/// endpoint that checks the code and PKCE verifier and returns an ID token
/// signed with the client secret (HS256).
mod provider {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::extract::{Query, State};
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::{get, post};
    use axum::{Form, Json, Router};
    use base64::Engine as _;
    use openidconnect::core::{
        CoreHmacKey, CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm,
    };
    use openidconnect::{
        Audience, EmptyAdditionalClaims, EndUserEmail, IssuerUrl, Nonce, StandardClaims,
        SubjectIdentifier,
    };
    use sha2::{Digest, Sha256};

    pub const CLIENT_ID: &str = "ambit-test";
    pub const CLIENT_SECRET: &str = "a-client-secret-for-the-test-provider";

    /// What a code was issued for: (nonce, PKCE challenge, email).
    type Grant = (String, String, String);

    #[derive(Clone)]
    struct Provider {
        issuer: String,
        email: Arc<Mutex<String>>,
        codes: Arc<Mutex<HashMap<String, Grant>>>,
    }

    /// Start the provider; returns its issuer URL and the email it will vouch for.
    pub async fn start(email: &str) -> (String, Arc<Mutex<String>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let p = Provider {
            issuer: issuer.clone(),
            email: Arc::new(Mutex::new(email.into())),
            codes: Default::default(),
        };
        let vouched = p.email.clone();
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route(
                "/jwks",
                get(|| async { Json(serde_json::json!({ "keys": [] })) }),
            )
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(p);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (issuer, vouched)
    }

    async fn discovery(State(p): State<Provider>) -> impl IntoResponse {
        Json(serde_json::json!({
            "issuer": p.issuer,
            "authorization_endpoint": format!("{}/authorize", p.issuer),
            "token_endpoint": format!("{}/token", p.issuer),
            "jwks_uri": format!("{}/jwks", p.issuer),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }))
    }

    async fn authorize(
        State(p): State<Provider>,
        Query(q): Query<HashMap<String, String>>,
    ) -> impl IntoResponse {
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256");
        let code = format!("code-{}", q["state"].len() + p.codes.lock().unwrap().len());
        let email = p.email.lock().unwrap().clone();
        p.codes.lock().unwrap().insert(
            code.clone(),
            (q["nonce"].clone(), q["code_challenge"].clone(), email),
        );
        Redirect::to(&format!(
            "{}?code={code}&state={}",
            q["redirect_uri"], q["state"]
        ))
    }

    async fn token(
        State(p): State<Provider>,
        headers: axum::http::HeaderMap,
        Form(f): Form<HashMap<String, String>>,
    ) -> impl IntoResponse {
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
        assert_eq!(
            headers["authorization"].to_str().unwrap(),
            format!("Basic {basic}")
        );
        let Some((nonce, challenge, email)) = p.codes.lock().unwrap().remove(&f["code"]) else {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                Json(serde_json::json!({ "error": "invalid_grant" })),
            )
                .into_response();
        };
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(f["code_verifier"].as_bytes()));
        assert_eq!(
            computed, challenge,
            "the PKCE verifier matches the challenge"
        );
        let now = chrono::Utc::now();
        let claims = CoreIdTokenClaims::new(
            IssuerUrl::new(p.issuer.clone()).unwrap(),
            vec![Audience::new(CLIENT_ID.into())],
            now + chrono::Duration::minutes(5),
            now,
            StandardClaims::new(SubjectIdentifier::new(format!("sub-{email}")))
                .set_email(Some(EndUserEmail::new(email)))
                .set_email_verified(Some(true)),
            EmptyAdditionalClaims {},
        )
        .set_nonce(Some(Nonce::new(nonce)));
        let id_token = CoreIdToken::new(
            claims,
            &CoreHmacKey::new(CLIENT_SECRET),
            CoreJwsSigningAlgorithm::HmacSha256,
            None,
            None,
        )
        .unwrap();
        Json(serde_json::json!({
            "access_token": "an-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token.to_string(),
        }))
        .into_response()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_sign_on_with_the_bodys_provider() {
    let app = spawn_app(testkit::sqlite()).await;
    let (issuer, vouched) = provider::start("member@bromley.example").await;
    app.store
        .set_sso(
            "test",
            domain::BodyId::new(1),
            &issuer,
            provider::CLIENT_ID,
            provider::CLIENT_SECRET,
        )
        .await
        .unwrap();
    let c = client();
    let home = get(&c, app.url("/b/bromley")).await.1;
    assert!(
        home.contains("/b/bromley/sign-in/sso"),
        "the body page offers single sign-on"
    );

    // Our app → the provider → back to our callback → signed in.
    let to_provider = c
        .get(app.url("/b/bromley/sign-in/sso?next=/b/bromley/plans/ACH/2024-25"))
        .send()
        .await
        .unwrap();
    assert_eq!(to_provider.status(), StatusCode::SEE_OTHER);
    let authorize = to_provider.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(authorize.starts_with(&format!("{issuer}/authorize")) && authorize.contains("nonce="));
    let back = c.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(&format!("{}/sso/callback", app.base)));
    let done = c.get(&callback).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/b/bromley/plans/ACH/2024-25");
    let plan = get(&c, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(
        plan.0,
        StatusCode::OK,
        "the member sees the unpublished plan"
    );
    assert!(plan.1.contains("Signed in as Demo member (Member)"));

    // The same answer cannot be used twice.
    let replay = client().get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::FORBIDDEN);

    // Without a place to return to, single sign-on lands on the person's home.
    let c = client();
    let to_provider = c
        .get(app.url("/b/bromley/sign-in/sso"))
        .send()
        .await
        .unwrap();
    let back = c
        .get(to_provider.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    let done = c
        .get(back.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(done.headers()["location"], "/b/bromley/home");

    // Someone the provider knows but Ambit does not is turned away.
    *vouched.lock().unwrap() = "stranger@elsewhere.example".into();
    let stranger = client();
    let to_provider = stranger
        .get(app.url("/b/bromley/sign-in/sso"))
        .send()
        .await
        .unwrap();
    let back = stranger
        .get(to_provider.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    let refused = stranger
        .get(back.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("there is no account for stranger@elsewhere.example here")
    );
}

/// A form to post: address, fields, and the status expected for each role.
type FormCase<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 6]);

/// Who may change what: every form for every role.
async fn every_form_checks_the_role(db: TestDb) {
    let app = spawn_app(db).await;
    let mine = app.action_id("2024/25", "10A").await;
    let theirs = app.action_id("2024/25", "9E").await;
    let body = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = app.store.committees(body.id).await.unwrap()[0].id;
    let meeting = app.store.meetings(committee).await.unwrap()[0].id;
    let mut clients = vec![("public", client(), String::new())];
    for who in ["admin", "officer", "lead", "clerk", "member"] {
        let c = app.signed_in(who).await;
        let home = c
            .get(app.url("/b/bromley"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&home, "csrf");
        clients.push((who, c, csrf));
    }
    // Allowed roles get past the role check: the first saves (303); later ones
    // based on no version or version 0 are refused as stale (409/422), never 403.
    //                                                                       public admin officer lead clerk member
    let forms: Vec<FormCase> = vec![
        (
            // Recorded by the administrator outside the cycle, the update is
            // signed off: the officer must give a correction's reason (422);
            // the lead is refused, as only a correction can change it (409).
            format!("/b/bromley/actions/{mine}/updates/H2"),
            vec![("status", "on_track"), ("commentary", "walk")],
            [303, 303, 422, 409, 403, 403],
        ),
        (
            format!("/b/bromley/actions/{theirs}/updates/H2"),
            vec![("status", "on_track"), ("commentary", "walk")],
            [303, 303, 422, 403, 403, 403],
        ),
        (
            format!("/b/bromley/actions/{mine}/edit"),
            vec![
                ("reference", "10A"),
                ("title", "Walk"),
                ("lead", "Assistant Director for Integrated Commissioning"),
                ("version", "0"),
            ],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/edit".into(),
            vec![("version", "0")],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/publish".into(),
            vec![("publish", "no"), ("version", "0")],
            [303, 409, 409, 403, 403, 403],
        ),
        (
            "/b/bromley/settings".into(),
            vec![("updates_outside_cycle", "refuse"), ("version", "0")],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "/b/bromley/settings/moderngov".into(),
            vec![("site", "nowhere"), ("delay_ms", "0"), ("version", "0")],
            [303, 422, 422, 403, 422, 403],
        ),
        (
            // No site is saved: refused with a message, never started.
            "/b/bromley/settings/moderngov/sync".into(),
            vec![],
            [303, 422, 422, 403, 422, 403],
        ),
        (
            "/b/bromley/strategy/edit".into(),
            vec![("title", "Walk"), ("years", "2021-2031"), ("version", "0")],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "/b/bromley/committees".into(),
            vec![("name", "Walk Committee")],
            [303, 303, 422, 403, 422, 403],
        ),
        (
            format!("/b/bromley/committees/{committee}/edit"),
            vec![("name", "Walk"), ("version", "0")],
            [303, 422, 422, 403, 422, 403],
        ),
        (
            format!("/b/bromley/meetings/{meeting}/edit"),
            vec![("held-on", "2024-06-26"), ("version", "0")],
            [303, 422, 422, 403, 422, 403],
        ),
        (
            "/b/bromley/plans/ACH/2024-25/periods/H1/cover".into(),
            vec![("reference", "ACH25-001"), ("version", "0")],
            [303, 303, 422, 403, 403, 403],
        ),
    ];
    for (path, fields, expected) in &forms {
        for ((who, c, csrf), want) in clients.iter().zip(expected) {
            let mut form = fields.clone();
            form.push(("csrf", csrf));
            let status = c
                .post(app.url(path))
                .form(&form)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status.as_u16(), *want, "POST {path} as {who}");
        }
    }
}
on_both_engines!(every_form_checks_the_role);

async fn officers_choose_what_a_plan_is_aligned_with(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let form = officer
        .get(app.url("/b/bromley/plans/ACH/2024-25/edit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("Housing with Care Strategy (strategy)"));
    let alignments = app.store.alignments(domain::BodyId::new(1)).await.unwrap();
    let housing = alignments
        .iter()
        .find(|a| a.name.as_str() == "Housing with Care Strategy")
        .unwrap()
        .id
        .to_string();
    let transformation = alignments
        .iter()
        .find(|a| a.name.as_str() == "Transformation Programme")
        .unwrap()
        .id
        .to_string();
    let fields = [
        ("csrf", hidden(&form, "csrf")),
        ("version", hidden(&form, "version")),
        ("alignment", housing),
        ("alignment", transformation),
        (
            "amendment",
            "Aligned with the strategies the plan now follows".into(),
        ),
    ];
    let superseded = officer
        .post(app.url("/b/bromley/plans/ACH/2022-23/edit"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(superseded.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(superseded.text().await.unwrap().contains("is superseded"));
    let r = officer
        .post(app.url("/b/bromley/plans/ACH/2024-25/edit"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = get(&officer, app.url("/b/bromley/plans/ACH/2024-25"))
        .await
        .1;
    assert!(
        page.contains("Aligned with: Housing with Care Strategy; Transformation Programme."),
        "{}",
        &page[page.find("Aligned").unwrap_or(0)..][..120]
    );
}
on_both_engines!(officers_choose_what_a_plan_is_aligned_with);

/// The reporting cycle in the browser's terms: the officer opens H1 2024/25,
/// the lead saves and submits, the officer returns one and signs off the
/// other, and the period page, the lead's list and the plan follow each step.
async fn the_reporting_cycle_on_the_web(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let lead = app.signed_in("lead").await;
    let period_url = app.url("/b/bromley/plans/ACH/2024-25/periods/H1");
    let (status, page) = get(&officer, period_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This period has not been opened for updates."));
    let csrf = hidden(&page, "csrf");
    let bad = officer
        .post(format!("{period_url}/open"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("deadline", "soon"),
            ("reminder_days", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Deadline must include a month and year")
    );
    let opened = officer
        .post(format!("{period_url}/open"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("deadline", "2024-10-15"),
            ("reminder_days", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get(&client(), period_url.clone()).await.0,
        StatusCode::SEE_OTHER,
        "the public is sent to sign in"
    );

    let (_, owed) = get(&lead, app.url("/b/bromley/my-updates")).await;
    assert!(
        owed.contains("Your updates")
            && owed.contains("Missing")
            && owed.contains("15 October 2024")
    );
    // The other half is not open: its form says so and where to go, no dead end.
    let six_a_id = app.action_id("2024/25", "6A").await;
    let (status, not_yet) = get(
        &lead,
        app.url(&format!("/b/bromley/actions/{six_a_id}/updates/H2")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        not_yet.contains("H2 2024/25 is not open for updates yet")
            && not_yet.contains("href=\"/b/bromley/home\"")
            && !not_yet.contains("name=\"status\""),
        "{not_yet}"
    );
    // A concern is not submitted without a word of why, and nothing is saved.
    let form_url = app.url(&format!("/b/bromley/actions/{six_a_id}/updates/H1"));
    let form = get(&lead, form_url.clone()).await.1;
    assert!(form.contains("If the action is at risk or off track, say why"));
    let silent = lead
        .post(&form_url)
        .form(&[
            ("csrf", hidden(&form, "csrf")),
            ("status", "at_risk".into()),
            ("commentary", String::new()),
            ("submit", "yes".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(silent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let silent = silent.text().await.unwrap();
    assert!(
        silent.contains("Enter a comment explaining why the action is at risk")
            && silent.contains("href=\"#commentary\""),
        "{silent}"
    );
    assert!(
        app.store
            .updates_of(domain::ActionId::new(six_a_id))
            .await
            .unwrap()
            .is_empty()
    );
    for (reference, status) in [("10A", "on_track"), ("6A", "at_risk")] {
        let id = app.action_id("2024/25", reference).await;
        let form_url = app.url(&format!("/b/bromley/actions/{id}/updates/H1"));
        let form = lead
            .get(&form_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // The form says when the update is due, what each status means,
        // and offers submitting as the usual next step.
        assert!(form.contains("id=\"deadline\""), "the deadline is shown");
        assert!(form.contains("the target date may be missed unless something changes"));
        let submit_at = form.find("Save and submit for sign-off").unwrap();
        let save_at = form.find(">Save update<").unwrap();
        assert!(submit_at < save_at, "submitting comes first");
        assert!(form[..submit_at].rfind("class=\"govuk-button\"").is_some());
        let fields = [
            ("csrf", hidden(&form, "csrf")),
            ("status", status.into()),
            ("commentary", "Half-year progress".into()),
            ("submit", "yes".into()),
        ];
        let saved = lead.post(&form_url).form(&fields).send().await.unwrap();
        let landed = see_other(&saved);
        assert!(landed.contains("?done=saved&update="), "{landed}");
        // The lead is told what happened, on the action's page.
        let action_page = get(&lead, app.url(&landed)).await.1;
        assert!(action_page.contains("Your update for H1 2024/25 is submitted for sign-off"));
        assert!(action_page.contains("govuk-notification-banner--success"));
    }
    let page = get(&officer, period_url.clone()).await.1;
    assert!(page.contains(">Submitted<"), "submitted updates are shown");
    // The officer reads each update in full before deciding: its
    // commentary and the last year's closing status of the action it continues.
    let details: Vec<&str> = page.split("ambit-update-detail").skip(1).collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("Half-year progress")
                && d.contains("The period before (H2 2023/24)")),
        "the update and the period before are shown beside the sign-off"
    );
    let ten_a = app
        .store
        .updates_of(domain::ActionId::new(app.action_id("2024/25", "10A").await))
        .await
        .unwrap()
        .remove(0);
    let six_a = app
        .store
        .updates_of(domain::ActionId::new(app.action_id("2024/25", "6A").await))
        .await
        .unwrap()
        .remove(0);
    let csrf = hidden(&page, "csrf");
    let returned = officer
        .post(app.url(&format!("/b/bromley/updates/{}/return", six_a.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &six_a.version.to_string()),
            ("comment", "Add the carers' survey results"),
        ])
        .send()
        .await
        .unwrap();
    let landed = see_other(&returned);
    let period_page = get(&officer, app.url(&landed)).await.1;
    assert!(
        period_page
            .contains("The update on 6A for H1 2024/25 is returned to its lead with your comment")
    );
    // The banner says only what is true now: the same address for an
    // update that was not returned says nothing.
    let forged = landed.replace(&six_a.id.to_string(), &ten_a.id.to_string());
    assert!(
        !get(&officer, app.url(&forged))
            .await
            .1
            .contains("is returned to its lead")
    );
    let denied = lead
        .post(app.url(&format!("/b/bromley/updates/{}/sign-off", ten_a.id)))
        .form(&[
            (
                "csrf",
                hidden(&get(&lead, app.url("/b/bromley")).await.1, "csrf"),
            ),
            ("version", ten_a.version.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status(),
        StatusCode::FORBIDDEN,
        "a lead cannot sign off"
    );
    let signed = officer
        .post(app.url(&format!("/b/bromley/updates/{}/sign-off", ten_a.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &ten_a.version.to_string()),
        ])
        .send()
        .await
        .unwrap();
    let landed = see_other(&signed);
    assert!(
        get(&officer, app.url(&landed))
            .await
            .1
            .contains("The update on 10A for H1 2024/25 is signed off")
    );
    // The form shows the lead what was said last time: for the first
    // half, the previous year's last update on the action it continues.
    let h1_form = get(
        &lead,
        app.url(&format!(
            "/b/bromley/actions/{}/updates/H1",
            ten_a.action_id
        )),
    )
    .await
    .1;
    assert!(
        h1_form.contains("Last update, H2 2023/24"),
        "the previous update is shown"
    );
    let again = officer
        .post(app.url(&format!("/b/bromley/updates/{}/sign-off", ten_a.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &ten_a.version.next().to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Cannot sign off an update that is signed off")
    );

    let page = get(&officer, period_url.clone()).await.1;
    assert!(page.contains(">Signed off<") && page.contains(">Returned<"));
    assert!(page.contains("Returned: Add the carers&#39; survey results"));
    let owed = get(&lead, app.url("/b/bromley/my-updates")).await.1;
    assert!(
        owed.contains("Returned: Add the carers&#39; survey results"),
        "the lead sees why it came back"
    );
    let plan = get(&officer, app.url("/b/bromley/plans/ACH/2024-25?period=H1"))
        .await
        .1;
    assert!(
        plan.contains("Progress had been made on some of the actions (1 of 24)"),
        "only the signed-off update counts"
    );

    // Closing asks first: the check lists what has no signed-off update and
    // what that means for the report; a close without it only shows it.
    let (status, check) = get(&officer, format!("{period_url}/close")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(check.contains("Check before you close"), "{check}");
    assert!(
        check.contains("it will say “No update” for the 23 actions below that have none"),
        "{check}"
    );
    assert!(
        check.contains("Returned with the comment “Add the carers&#39; survey results”"),
        "the returned update is named with the officer's comment: {check}"
    );
    let unconfirmed = officer
        .post(format!("{period_url}/close"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unconfirmed.status(), StatusCode::SEE_OTHER);
    assert!(
        get(&officer, period_url.clone())
            .await
            .1
            .contains("This period is open"),
        "nothing is closed without the check"
    );
    let (status, _) = get(&lead, format!("{period_url}/close")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a lead cannot close a period"
    );
    let closed = officer
        .post(format!("{period_url}/close"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert!(
        get(&officer, period_url)
            .await
            .1
            .contains("This period is closed")
    );
}
on_both_engines!(the_reporting_cycle_on_the_web);

async fn a_period_shows_key_achievements_and_change_since_the_last(db: TestDb) {
    let app = spawn_app(db).await;
    let (_, h1) = get(&client(), app.url("/b/bromley/plans/ACH/2022-23?period=H1")).await;
    let achievements = &h1[h1
        .find("Key achievements in H1 2022/23")
        .expect("a key achievements section")
        ..h1.find("Filter the action").unwrap()];
    let ambition_2 = achievements.find("Ambition 2").unwrap();
    let ambition_5 = achievements.find("Ambition 5").unwrap();
    let ics = achievements.find("1 July 2022").unwrap();
    let fair_cost = achievements.find("Fair Cost of Care").unwrap();
    assert!(
        ambition_2 < ics && ics < ambition_5 && ambition_5 < fair_cost,
        "grouped by ambition, as in the seeds"
    );
    assert!(
        !h1.contains("Since H2 2021/22"),
        "no earlier plan, no comparison"
    );

    let (_, h2) = get(&client(), app.url("/b/bromley/plans/ACH/2023-24?period=H2")).await;
    assert!(h2.contains("Since H1 2023/24"));
    assert!(h2.contains(">Improved<") || h2.contains(">Unchanged<"));
    let (_, next_year) = get(&client(), app.url("/b/bromley/plans/ACH/2023-24?period=H1")).await;
    assert!(
        next_year.contains("Since H2 2022/23"),
        "H1 compares with last year's H2 through lineage"
    );
}
on_both_engines!(a_period_shows_key_achievements_and_change_since_the_last);

/// The yearly refresh from the web: the officer chooses each action's
/// fate, sees the refresh report, and records the committee's approval.
async fn the_yearly_refresh_on_the_web(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let plan = get(&officer, app.url("/b/bromley/plans/ACH/2024-25"))
        .await
        .1;
    assert!(
        plan.contains("What the refresh from last year did")
            && plan.contains("Refresh into next year's plan")
    );
    let report = get(
        &officer,
        app.url("/b/bromley/plans/ACH/2024-25/refresh-report"),
    )
    .await
    .1;
    assert!(report.contains("From 2023/24 to 2024/25: 22 carried forward, 0 completed, 0 dropped, 1 not carried forward, 2 new."));

    let url = app.url("/b/bromley/plans/ACH/2024-25/refresh");
    let form = officer
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let seven_c = app.action_id("2024/25", "7C").await;
    let twelve_b = app.action_id("2024/25", "12B").await;
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), hidden(&form, "csrf"))];
    fields.push((format!("fate-{seven_c}"), "complete".into()));
    fields.push((format!("fate-{twelve_b}"), "drop".into()));
    let missing_reason = officer.post(&url).form(&fields).send().await.unwrap();
    assert_eq!(missing_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = missing_reason.text().await.unwrap();
    assert!(page.contains("12B: Enter why the action is dropped"));
    // The summary links to the row's field, which says the same beside it.
    assert!(
        page.contains(&format!("href=\"#reason-{twelve_b}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("id=\"reason-{twelve_b}-error\"")),
        "{page}"
    );
    fields.push((
        format!("reason-{twelve_b}"),
        "Audit response finished".into(),
    ));
    // The form shows each action's latest status, and takes target dates
    // for next year: one for every action carried forward, or an action's own.
    assert!(form.contains("Latest status") && form.contains("Target date next year for 10A"));
    let mut bulk = fields.clone();
    bulk.push(("all-target".into(), "someday".into()));
    let bad = officer.post(&url).form(&bulk).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Target date for every action carried forward must be")
    );
    let ten_a = app.action_id("2024/25", "10A").await;
    fields.push((format!("target-{ten_a}"), "March 2026".into()));
    // Renumbering 13A onto 13B, which keeps its reference, or 10A out of
    // its statement, is refused as a whole, and the summary links to the
    // row renumbered, not to the first row.
    let thirteen_a = app.action_id("2024/25", "13A").await;
    for (row, to, said) in [
        (thirteen_a, "13B", "13A: Action 13B already exists"),
        (
            ten_a,
            "13C",
            "10A: the reference next year must be a reference starting with 10",
        ),
    ] {
        let mut clash = fields.clone();
        clash.push((format!("ref-{row}"), to.into()));
        let refused = officer.post(&url).form(&clash).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains(said), "{page}");
        assert!(page.contains(&format!("href=\"#ref-{row}\"")), "{page}");
    }
    let made = officer.post(&url).form(&fields).send().await.unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let report = get(
        &officer,
        app.url(made.headers()["location"].to_str().unwrap()),
    )
    .await
    .1;
    assert!(report.contains("From 2024/25 to 2025/26: 22 carried forward, 1 completed, 1 dropped, 0 not carried forward, 0 new."), "{}", &report[..500]);
    assert!(report.contains("Why: Audit response finished"));
    let next_10a = app.action_id("2025/26", "10A").await;
    assert_eq!(
        app.store
            .action(domain::ActionId::new(next_10a))
            .await
            .unwrap()
            .details
            .target,
        Some("March 2026".parse().unwrap()),
        "the target date set at the refresh"
    );

    let draft = get(&officer, app.url("/b/bromley/plans/ACH/2025-26"))
        .await
        .1;
    assert!(draft.contains(">Draft<") && draft.contains("Approve this plan"));
    let approve_url = app.url("/b/bromley/plans/ACH/2025-26/approve");
    let (status, form) = get(&officer, approve_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // Carried-forward actions come without target dates: the page says which.
    assert!(form.contains("no target date") && form.contains("id=\"gaps\""));
    let post = |fields: Vec<(&'static str, String)>| {
        let (officer, url) = (officer.clone(), approve_url.clone());
        async move {
            let r = officer.post(url).form(&fields).send().await.unwrap();
            let status = r.status();
            (status, r.text().await.unwrap())
        }
    };
    let fields = |on: &str, reason: &str| {
        vec![
            ("csrf", hidden(&form, "csrf")),
            ("version", hidden(&form, "version")),
            ("on", on.to_owned()),
            ("accept-gaps", reason.to_owned()),
        ]
    };
    // A date that is no date, and no reason for the gaps: both named on
    // their fields, on the same page, with what was typed kept.
    let (status, page) = post(fields("31 February 2025", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#on\"") && page.contains("href=\"#accept-gaps\""));
    assert!(
        page.contains("value=\"February\"") && page.contains("Date must be a real date"),
        "what was typed is kept, in its parts"
    );
    assert!(page.contains("Enter why the committee approved the plan with these gaps"));
    let (status, page) = post(fields("20 March 2025", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.contains("href=\"#on\"") && page.contains("href=\"#accept-gaps\""));
    assert!(
        get(&officer, app.url("/b/bromley/plans/ACH/2025-26"))
            .await
            .1
            .contains(">Draft<"),
        "a refused approval changes nothing"
    );
    let r = officer
        .post(approve_url.clone())
        .form(&fields(
            "20 March 2025",
            "Targets are set at the June meeting",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let landed = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(landed, "/b/bromley/plans/ACH/2025-26?approved=yes");
    let plan = get(&officer, app.url(&landed)).await.1;
    assert!(plan.contains("Approved on 20 March 2025"));
    assert!(plan.contains("Approval recorded: the committee approved this plan on 20 March 2025"));
    // The reason is kept in the plan's history.
    let next = app.ach_plan("2025/26").await;
    let trail = app.store.audit_trail("plan", next.id.get()).await.unwrap();
    assert!(trail.iter().any(|e| {
        e.operation == "approve"
            && e.after
                .as_ref()
                .is_some_and(|a| a["reason"] == "Targets are set at the June meeting")
    }));
    // Approved now: the approval page sends back to the plan.
    let again = officer.get(approve_url.clone()).send().await.unwrap();
    assert_eq!(see_other(&again), "/b/bromley/plans/ACH/2025-26");
    assert!(
        get(&officer, app.url("/b/bromley/plans/ACH/2024-25"))
            .await
            .1
            .contains(">Superseded<")
    );
    let member = app.signed_in("member").await;
    assert_eq!(
        member.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        member.get(&approve_url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}
on_both_engines!(the_yearly_refresh_on_the_web);

async fn the_committee_report_for_a_period(db: TestDb) {
    let app = spawn_app(db).await;
    let member = app.signed_in("member").await;
    let period = get(&member, app.url("/b/bromley/plans/ACH/2023-24/periods/H2"))
        .await
        .1;
    assert!(period.contains("/b/bromley/plans/ACH/2023-24/periods/H2/report?download=1"));
    let r = member
        .get(app.url("/b/bromley/plans/ACH/2023-24/periods/H2/report?ref=ACH24-030"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>ACH24-030: Adult Care and Health Portfolio Plan: progress in the second half of 2023/24</title>"));
    assert!(html.contains("Appendix 2: the Adult Care and Health Portfolio Plan 2024/25"));
    let d = member
        .get(app.url("/b/bromley/plans/ACH/2023-24/periods/H2/report?download=1&ref=ACH24-030"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.headers()["content-disposition"],
        "attachment; filename=\"ACH24-030-2023-24-H2.html\""
    );
    for (format, media, magic) in [
        ("pdf", "application/pdf", &b"%PDF-"[..]),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &b"PK"[..],
        ),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
    ] {
        assert!(
            period.contains(&format!(
                "/b/bromley/plans/ACH/2023-24/periods/H2/report?format={format}"
            )),
            "the period page offers {format}"
        );
        let r = member
            .get(app.url(&format!(
                "/b/bromley/plans/ACH/2023-24/periods/H2/report?format={format}&ref=ACH24-030"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        assert_eq!(r.headers()["content-type"], media);
        assert_eq!(
            r.headers()["content-disposition"],
            format!("attachment; filename=\"ACH24-030-2023-24-H2.{format}\"").as_str()
        );
        assert!(r.bytes().await.unwrap().starts_with(magic), "{format}");
    }
    let plan = get(&member, app.url("/b/bromley/plans/ACH/2023-24"))
        .await
        .1;
    assert!(
        plan.contains("/b/bromley/plans/ACH/2023-24/periods/H1/report?format=pdf"),
        "the plan page offers each period's report"
    );
    let odd = member
        .get(app.url("/b/bromley/plans/ACH/2023-24/periods/H2/report?format=odt"))
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        odd.text()
            .await
            .unwrap()
            .contains("one of html, pdf, docx or xlsx")
    );
    // A published plan's pack is a public committee paper; an unpublished
    // plan's asks the public to sign in.
    assert_eq!(
        client()
            .get(app.url("/b/bromley/plans/ACH/2023-24/periods/H2/report"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        client()
            .get(app.url("/b/bromley/plans/ACH/2024-25/periods/H1/report"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
}
on_both_engines!(the_committee_report_for_a_period);

/// Where a 303 response sends the browser (the path).
fn see_other(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.url());
    r.headers()["location"]
        .to_str()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned()
}

/// The first `href` on the page that starts with `prefix`.
fn link(html: &str, prefix: &str) -> String {
    let at = html
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"));
    html[at + 6..].split('"').next().unwrap().to_owned()
}

async fn the_committee_record_and_the_clerks_review_of_minutes(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let (status, list) = get(&public, app.url("/b/bromley/committees")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Adult Care and Health Policy Development and Scrutiny Committee"));
    assert!(
        list.contains("overdue"),
        "the demo's promises from 2022 and 2024 are overdue"
    );
    let committee_href = link(&list, "/b/bromley/committees/");
    let (_, committee) = get(&public, app.url(&committee_href)).await;
    assert!(committee.contains("the Strategy would be brought to the Committee in March 2023"));
    assert!(committee.contains(
        "a report on the Safeguarding of Adults Audit would be provided to the Committee"
    ));
    assert!(committee.contains("govuk-tag--red\">Overdue"));
    assert!(committee.contains("March 2023 (in March 2023)"));

    // The action's page shows the questions and promises about it.
    let clerk = app.signed_in("clerk").await;
    let (_, plan) = get(&clerk, app.url("/b/bromley/plans/ACH/2022-23")).await;
    let marker = plan.find(">10A<").expect("10A on the plan page");
    let action_href = link(&plan[marker - 300..], "/b/bromley/actions/");
    let (_, action) = get(&public, app.url(&action_href)).await;
    assert!(action.contains("At committee"), "{action_href}");
    assert!(action.contains("Promises made to the committee about this action"));
    assert!(action.contains("Assistant Director for Integrated Commissioning answered"));

    // A clerk records a meeting, an item covering the 2022/23 plan, and its minutes.
    let (_, page) = get(&clerk, app.url(&committee_href)).await;
    let csrf = hidden(&page, "csrf");
    let r = clerk
        .post(app.url(&format!("{committee_href}/meetings")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("held-on", "2023-03-21"),
            ("venue", "Committee Room 1"),
            ("status", "held"),
            ("published", "yes"),
        ])
        .send()
        .await
        .unwrap();
    let meeting_url = app.url(&see_other(&r));
    let (_, meeting) = get(&clerk, meeting_url.clone()).await;
    let covers = meeting
        .split("<option value=\"")
        .find(|o| o.contains(">ACH 2022/23 H2<"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned();
    let r = clerk
        .post(format!("{meeting_url}/items"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("number", "5"),
            ("title", "Carers Strategy"),
            ("report", "ACH23-012"),
            ("covers", covers.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (_, meeting) = get(&clerk, app.url(&see_other(&r))).await;
    let minutes_href = link(&meeting, "/b/bromley/agenda-items/");
    let text = "Report ACH23-012\n\nWith regards to Ambition 2 – Action Point 10A: Develop a new support offer to help and sustain unpaid carers including young carers, Councillor Smith asked when the action plan would be published. The Assistant Director for Integrated Commissioning said that the action plan would be brought to the Committee in June 2023.\n\nRESOLVED that the Bromley Carers Strategy be noted.";
    let review = clerk
        .post(app.url(&minutes_href))
        .form(&[
            ("csrf", csrf.as_str()),
            ("step", "review"),
            ("minutes", text),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        review.contains("the action plan would be brought to the Committee in June 2023"),
        "{review}"
    );
    assert!(review.contains("value=\"2023-06\""));
    assert!(review.contains("Councillor Smith"));

    let accept = |action: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("step", "accept".into()),
            ("version", "1".into()),
            ("minutes", text.into()),
            ("q-count", "1".into()),
            ("q-0-accept", "yes".into()),
            ("q-0-asker", "Councillor Smith".into()),
            (
                "q-0-responder",
                "Assistant Director for Integrated Commissioning".into(),
            ),
            ("q-0-action", action.into()),
            (
                "q-0-source",
                "Councillor Smith asked when the action plan would be published.".into(),
            ),
            ("c-count", "2".into()),
            ("c-0-accept", "yes".into()),
            (
                "c-0-text",
                "the action plan would be brought to the Committee in June 2023".into(),
            ),
            (
                "c-0-owner",
                "Assistant Director for Integrated Commissioning".into(),
            ),
            ("c-0-due", "2023-06".into()),
            ("c-0-due-text", "in June 2023".into()),
            ("c-0-action", action.into()),
            ("c-1-text", "not ticked, so not recorded".into()),
            ("r-count", "1".into()),
            ("r-0-accept", "yes".into()),
            ("r-0-text", "the Bromley Carers Strategy be noted".into()),
            ("r-0-outcome", "noted".into()),
        ]
    };
    let bad = clerk
        .post(app.url(&minutes_href))
        .form(&accept("99Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("Action 99Z is not in the 2022/23 plan"),
        "{bad}"
    );
    let (_, unchanged) = get(&clerk, meeting_url.clone()).await;
    assert!(!unchanged.contains("in June 2023"), "nothing was recorded");

    let member = app.signed_in("member").await;
    let refused = member
        .post(app.url(&minutes_href))
        .form(&accept("10A"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let done = clerk
        .post(app.url(&minutes_href))
        .form(&accept("10A"))
        .send()
        .await
        .unwrap();
    let (_, meeting) = get(&clerk, app.url(&see_other(&done))).await;
    assert!(meeting.contains("the action plan would be brought to the Committee in June 2023"));
    assert!(meeting.contains("Councillor Smith asked"));
    assert!(meeting.contains("That the Bromley Carers Strategy be noted"));
    assert!(
        meeting.contains("href=\"#s-"),
        "findings link to their sentence in the minutes"
    );
    assert!(!meeting.contains("not ticked, so not recorded"));

    // The clerk records the promise as delivered.
    let at = meeting
        .find("action=\"/b/bromley/commitments/")
        .expect("a form to close the promise");
    let close = meeting[at + 8..].split('"').next().unwrap().to_owned();
    let version = hidden(&meeting[meeting.find(&close).unwrap()..], "version");
    assert!(
        meeting.contains("name=\"on-day\"") && meeting.contains("name=\"on-year\""),
        "the day is asked for as day, month and year"
    );
    // A day that does not exist is refused on the meeting page, pointing
    // at the day field, and the promise stays open.
    let refused = clerk
        .post(app.url(&close))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("outcome", "delivered"),
            ("note", "Reported to the Committee"),
            ("on-day", "31"),
            ("on-month", "6"),
            ("on-year", "2023"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("-day\">"), "{refused}");
    assert!(refused.contains("Record that this promise was delivered"));
    let closed = clerk
        .post(app.url(&close))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("outcome", "delivered"),
            ("note", "Reported to the Committee on 29 June 2023"),
            ("on-day", "29"),
            ("on-month", "June"),
            ("on-year", "2023"),
            ("by-item", minutes_href.split('/').nth(4).unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let (_, closed) = get(&clerk, app.url(&see_other(&closed))).await;
    assert!(
        closed.contains("29 June 2023: Reported to the Committee on 29 June 2023"),
        "{closed}"
    );
}
on_both_engines!(the_committee_record_and_the_clerks_review_of_minutes);

async fn the_log_of_promises_in_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let list: serde_json::Value = public
        .get(app.url("/api/v1/bodies/bromley/committees"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let committee = &list[0];
    assert_eq!(
        committee["name"],
        "Adult Care and Health Policy Development and Scrutiny Committee"
    );
    assert!(committee["overdue"].as_u64().unwrap() >= 2, "{committee}");
    let log: serde_json::Value = public
        .get(app.url(&format!(
            "/api/v1/committees/{}/commitments",
            committee["id"]
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let carers = log
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "the Strategy would be brought to the Committee in March 2023")
        .expect("the Carers Strategy promise");
    assert_eq!(carers["due_by"], "2023-03");
    assert_eq!(carers["status"], "open");
    assert_eq!(carers["standing"], "overdue");
    assert_eq!(
        carers["owner"],
        "Assistant Director for Integrated Commissioning"
    );
    let missing = public
        .get(app.url("/api/v1/committees/999999/commitments"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
on_both_engines!(the_log_of_promises_in_the_api);

async fn clerks_keep_committees_members_and_meetings(db: TestDb) {
    let app = spawn_app(db).await;
    let clerk = app.signed_in("clerk").await;
    let public = client();
    let (_, list) = get(&clerk, app.url("/b/bromley/committees")).await;
    let csrf = hidden(&list, "csrf");
    let old_href = link(&list, "/b/bromley/committees/");

    // A new committee, with its clerk; a second of the same name is refused.
    let board = [
        ("csrf", csrf.as_str()),
        ("name", "Health and Wellbeing Board"),
        ("clerk", "Democratic Services"),
    ];
    let r = clerk
        .post(app.url("/b/bromley/committees"))
        .form(&board)
        .send()
        .await
        .unwrap();
    let board_href = see_other(&r);
    let (_, page) = get(&public, app.url(&board_href)).await;
    assert!(page.contains("Health and Wellbeing Board"));
    assert!(page.contains("Democratic Services"));
    assert!(page.contains("No portfolio"));
    let again = clerk
        .post(app.url("/b/bromley/committees"))
        .form(&board)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("already"));

    // The board takes over scrutiny of Adult Care and Health.
    let (status, form) = get(&clerk, app.url(&format!("{board_href}/edit"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Adult Care and Health (ACH), now scrutinised by Adult Care and Health Policy Development and Scrutiny Committee"));
    let ach = hidden(
        &form[form.find("name=\"portfolio\"").unwrap() - 200..],
        "portfolio",
    );
    let version = hidden(&form, "version");
    let edit = |version: String| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version),
            ("name", "Health and Wellbeing Board".into()),
            ("clerk", "Democratic Services (Jo Bloggs)".into()),
            ("portfolio", ach.clone()),
        ]
    };
    let r = clerk
        .post(app.url(&format!("{board_href}/edit")))
        .form(&edit(version.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(see_other(&r), board_href);
    let (_, page) = get(&public, app.url(&board_href)).await;
    assert!(page.contains("Adult Care and Health (ACH)"), "{page}");
    assert!(page.contains("Democratic Services (Jo Bloggs)"));
    let (_, old) = get(&public, app.url(&old_href)).await;
    assert!(old.contains("No portfolio"));
    let stale = clerk
        .post(app.url(&format!("{board_href}/edit")))
        .form(&edit(version))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().await.unwrap().contains("Someone else changed"));

    // A member whose term has ended is shown as not serving.
    let r = clerk
        .post(app.url(&format!("{board_href}/members")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Councillor Jane Smith"),
            ("role", "chair"),
            ("term-from", "2022-05-05"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&clerk, app.url(&board_href)).await;
    assert!(!page.contains("Not serving"));
    let member_href = link(&page, "/b/bromley/committee-members/");
    let (_, form) = get(&clerk, app.url(&member_href)).await;
    assert!(form.contains("value=\"chair\" selected"));
    let bad = clerk
        .post(app.url(&member_href))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", hidden(&form, "version").as_str()),
            ("name", "Councillor Jane Smith"),
            ("role", "chair"),
            ("term-from", "2022-05-05"),
            ("term-to", "2021-01-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("The end of the term must be after its start")
    );
    let r = clerk
        .post(app.url(&member_href))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", hidden(&form, "version").as_str()),
            ("name", "Councillor Jane Smith"),
            ("role", "member"),
            ("term-from", "2022-05-05"),
            ("term-to", "2024-05-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&clerk, app.url(&board_href)).await;
    assert!(page.contains(
        "5 May 2022 to 1 May 2024 <strong class=\"govuk-tag govuk-tag--grey\">Not serving"
    ));

    // A meeting is scheduled unpublished, then held and published.
    let r = clerk
        .post(app.url(&format!("{board_href}/meetings")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("held-on", "2025-01-14"),
            ("venue", "Committee Room 2"),
            ("status", "scheduled"),
        ])
        .send()
        .await
        .unwrap();
    let meeting_href = see_other(&r);
    let (status, _) = get(&public, app.url(&meeting_href)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "unpublished");
    let (_, form) = get(&clerk, app.url(&format!("{meeting_href}/edit"))).await;
    assert!(form.contains("value=\"scheduled\" selected"));
    let held = |held_on: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", hidden(&form, "version")),
            ("held-on", held_on.into()),
            ("venue", "Committee Room 1".into()),
            ("status", "held".into()),
            ("published", "yes".into()),
        ]
    };
    let bad = clerk
        .post(app.url(&format!("{meeting_href}/edit")))
        .form(&held("31/02/2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Meeting date must be a real date")
    );
    let (status, _) = get(&public, app.url(&meeting_href)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a refused edit changes nothing"
    );
    let r = clerk
        .post(app.url(&format!("{meeting_href}/edit")))
        .form(&held("2025-01-15"))
        .send()
        .await
        .unwrap();
    assert_eq!(see_other(&r), meeting_href);
    let (status, page) = get(&public, app.url(&meeting_href)).await;
    assert_eq!(status, StatusCode::OK, "published");
    assert!(page.contains("15 January 2025"));
    assert!(page.contains("Committee Room 1. Held."));

    // Members of the committee read; they do not edit.
    let member = app.signed_in("member").await;
    let (status, _) = get(&member, app.url(&format!("{meeting_href}/edit"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = get(&member, app.url("/b/bromley")).await;
    let refused = member
        .post(app.url(&format!("{board_href}/edit")))
        .form(&[
            ("csrf", hidden(&home, "csrf").as_str()),
            ("version", "9"),
            ("name", "Taken over"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let history = app
        .store
        .audit_trail(
            "committee",
            board_href.rsplit('/').next().unwrap().parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "created and edited once");
}
on_both_engines!(clerks_keep_committees_members_and_meetings);

async fn the_committee_record_in_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let json = |r: reqwest::Response| async move {
        let status = r.status();
        (status, r.json::<Value>().await.unwrap())
    };
    let (_, list) = json(
        public
            .get(app.url("/api/v1/bodies/bromley/committees"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = &list[0]["id"];
    app.store
        .add_committee_member(
            "test",
            domain::CommitteeId::new(id.as_i64().unwrap()),
            &store::MemberDetails {
                name: domain::Title::parse("name", "Councillor Ann Lee").unwrap(),
                role: domain::MemberRole::ViceChair,
                term_from: Some("2022-05-05".parse().unwrap()),
                term_to: None,
            },
        )
        .await
        .unwrap();
    let (status, committee) = json(
        public
            .get(app.url(&format!("/api/v1/committees/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(committee["portfolios"], json!(["ACH"]));
    let member = &committee["members"][0];
    assert_eq!(
        (&member["name"], &member["role"], &member["term_from"]),
        (
            &json!("Councillor Ann Lee"),
            &json!("vice-chair"),
            &json!("2022-05-05")
        ),
        "members are public: {committee}"
    );
    let meetings = committee["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 2, "{committee}");
    let first = meetings.last().unwrap();

    let (status, meeting) = json(
        public
            .get(app.url(&format!("/api/v1/meetings/{}", first["id"])))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let item = &meeting["items"][0];
    assert_eq!(item["report_ref"], "ACH22-038");
    assert_eq!(item["half"], "H1");
    assert!(
        item["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["asker"] == "Co-opted Member"
                && q["responder"] == "Director of Adult Social Care"),
        "{item}"
    );
    assert_eq!(item["resolutions"][0]["outcome"], "noted");
    let carers = item["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "the Strategy would be brought to the Committee in March 2023")
        .expect("the Carers Strategy promise")
        .clone();
    let carers_10a = app.action_id("2022/23", "10A").await;
    assert_eq!(carers["action_id"], carers_10a);

    // What was asked and promised about action 10A.
    let (_, asked) = json(
        public
            .get(app.url(&format!("/api/v1/actions/{carers_10a}/questions")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        asked[0]["responder"],
        "Assistant Director for Integrated Commissioning"
    );
    let (_, promised) = json(
        public
            .get(app.url(&format!("/api/v1/actions/{carers_10a}/commitments")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(promised[0]["id"], carers["id"]);

    // Closing the promise: clerks only, on the current version, once.
    let close = format!("/api/v1/commitments/{}/close", carers["id"]);
    let body = |version: &Value, outcome: &str| {
        json!({
            "version": version,
            "outcome": outcome,
            "note": "The Carers Strategy was reported to the Committee on 21 March 2023",
            "on": "2023-03-21",
        })
    };
    let version = &carers["version"];
    let anonymous = public
        .post(app.url(&close))
        .json(&body(version, "delivered"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let member = app.api_token("member").await;
    let refused = public
        .post(app.url(&close))
        .bearer_auth(&member)
        .json(&body(version, "delivered"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let clerk = app.api_token("clerk").await;
    let (status, bad) = json(
        public
            .post(app.url(&close))
            .bearer_auth(&clerk)
            .json(&body(version, "forgotten"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["field"], "outcome");
    let mut elsewhere = body(version, "delivered");
    elsewhere["delivered_by_item_id"] = json!(999_999);
    let (status, bad) = json(
        public
            .post(app.url(&close))
            .bearer_auth(&clerk)
            .json(&elsewhere)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["field"], "delivered_by_item_id", "{bad}");
    let (status, stale) = json(
        public
            .post(app.url(&close))
            .bearer_auth(&clerk)
            .json(&body(&json!(99), "delivered"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(&stale["current_version"], version);
    let (status, closed) = json(
        public
            .post(app.url(&close))
            .bearer_auth(&clerk)
            .json(&body(version, "delivered"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "delivered");
    assert_eq!(closed["standing"], "delivered");
    assert_eq!(closed["closed_on"], "2023-03-21");
    let (status, again) = json(
        public
            .post(app.url(&close))
            .bearer_auth(&clerk)
            .json(&body(&closed["version"], "withdrawn"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        again["error"]
            .as_str()
            .unwrap()
            .contains("already delivered")
    );
    let (_, missing) = json(
        public
            .get(app.url("/api/v1/meetings/999999"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(missing["error"], "not found");
}
on_both_engines!(the_committee_record_in_the_api);

async fn officers_set_the_committee_reports_cover(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let period_url = app.url("/b/bromley/plans/ACH/2022-23/periods/H1");
    let (_, period) = get(&officer, period_url.clone()).await;
    let cover_url = app.url(&link(
        &period,
        "/b/bromley/plans/ACH/2022-23/periods/H1/cover",
    ));
    let (status, form) = get(&officer, cover_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<textarea"), "the summary has room to write");
    assert!(
        form.contains("value=\"ACH22-038\"")
            && form.contains(
                "name=\"meeting-date-day\" type=\"text\" inputmode=\"numeric\" value=\"29\""
            )
            && form.contains(
                "name=\"meeting-date-year\" type=\"text\" inputmode=\"numeric\" value=\"2022\""
            ),
        "the demo's cover: the report's reference and its meeting"
    );
    let csrf = hidden(&form, "csrf");
    let cover = |version: &str, date: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_owned()),
            ("reference", "ACH22-038".into()),
            ("meeting-date", date.into()),
            (
                "author",
                "Assistant Director for Strategy, Performance and Corporate Transformation".into(),
            ),
            ("contact", "Jo Brown, 020 8464 3333".into()),
            (
                "summary",
                "Progress has been made on all actions; <b>two</b> carry forward.".into(),
            ),
        ]
    };
    let bad = officer
        .post(cover_url.clone())
        .form(&cover(&hidden(&form, "version"), "24 November"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("Meeting date must include a month and year"),
        "{bad}"
    );
    assert!(bad.contains("href=\"#meeting-date\""));
    let saved = officer
        .post(cover_url.clone())
        .form(&cover(&hidden(&form, "version"), "2022-11-24"))
        .send()
        .await
        .unwrap();
    assert_eq!(see_other(&saved), "/b/bromley/plans/ACH/2022-23/periods/H1");
    let stale = officer
        .post(cover_url.clone())
        .form(&cover(&hidden(&form, "version"), "2022-11-29"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().await.unwrap().contains("Someone else changed"));

    // Everyone who reads the report gets the saved cover, in every format.
    let member = app.signed_in("member").await;
    let (_, period) = get(&member, period_url).await;
    assert!(period.contains("24 November 2022"));
    assert!(!period.contains("Edit the report&#39;s cover") && !period.contains("/cover\""));
    let (_, html) = get(
        &member,
        app.url("/b/bromley/plans/ACH/2022-23/periods/H1/report"),
    )
    .await;
    assert!(html.contains("<title>ACH22-038: "), "{html}");
    assert!(html.contains("24 November 2022"));
    assert!(
        html.contains("<dt>Contact officer</dt><dd>Jo Brown, 020 8464 3333</dd>"),
        "the contact officer is on the cover apart from its author"
    );
    assert!(
        html.contains(
            "Progress has been made on all actions; &#60;b&#62;two&#60;/b&#62; carry forward."
        ) || html.contains(
            "Progress has been made on all actions; &lt;b&gt;two&lt;/b&gt; carry forward."
        )
    );
    let d = member
        .get(app.url("/b/bromley/plans/ACH/2022-23/periods/H1/report?format=docx"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.headers()["content-disposition"],
        "attachment; filename=\"ACH22-038-2022-23-H1.docx\""
    );
    let (status, _) = get(&member, cover_url).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "members read the cover; officers set it"
    );
}
on_both_engines!(officers_set_the_committee_reports_cover);

#[path = "suite/visibility.rs"]
mod visibility;

#[path = "suite/settled.rs"]
mod settled;

#[path = "suite/export.rs"]
mod export;

#[path = "suite/stratml.rs"]
mod stratml;

/// The plan's summary names what is at risk and off track beside the
/// progress sentence, and a superseded plan says what replaced it.
async fn a_plan_says_what_is_at_risk_and_what_replaced_it(db: TestDb) {
    let app = spawn_app(db).await;
    let plan = app.ach_plan("2023/24").await;
    assert_eq!(plan.status, domain::PlanStatus::Superseded);
    let tree = app.store.plan_tree(plan.id).await.unwrap();
    let latest = tree.seen_by(&domain::Access::Public).rollup(None);
    let (status, page) = get(&client(), app.url("/b/bromley/plans/ACH/2023-24")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"superseded\""));
    assert!(page.contains("href=\"/b/bromley/plans/ACH/2024-25\">Go to the 2024/25 plan</a>"));
    let summary = &page[page.find("<p class=\"govuk-body-l\">In ").unwrap()..];
    let summary = &summary[..summary.find("</p>").unwrap()];
    for (n, words) in [
        (latest.count(domain::Status::AtRisk), "at risk"),
        (latest.count(domain::Status::OffTrack), "off track"),
    ] {
        match n {
            0 => assert!(!summary.contains(words), "{summary}"),
            1 => assert!(summary.contains(&format!("1 is {words}")), "{summary}"),
            n => assert!(summary.contains(&format!("{n} are {words}")), "{summary}"),
        }
    }
    // The plan in force is not called replaced.
    let officer = app.signed_in("officer").await;
    let (_, current) = get(&officer, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert!(current.contains("Approved on") && !current.contains("id=\"superseded\""));
    // An action's page leads with its latest status.
    let six_a = app.action_id("2023/24", "6A").await;
    let (_, action) = get(&client(), app.url(&format!("/b/bromley/actions/{six_a}"))).await;
    let latest = action
        .find("id=\"latest-status\"")
        .expect("the latest status is shown");
    assert!(
        latest < action.find("Measures of success").unwrap(),
        "it comes first"
    );
    assert!(
        action[latest..].starts_with("id=\"latest-status\">Latest status, H2 2023/24: "),
        "{}",
        &action[latest..latest + 300]
    );
    // The meeting page gives each question's words, not only who asked.
    let mut seen = false;
    let committees = get(&officer, app.url("/b/bromley/committees")).await.1;
    for committee in hrefs(&committees, "/b/bromley/committees/") {
        let page = get(&officer, app.url(&committee)).await.1;
        for meeting in hrefs(&page, "/b/bromley/meetings/") {
            let page = get(&officer, app.url(&meeting)).await.1;
            if let Some(at) = page.find("Asked by ") {
                let start = page[..at].rfind("<li").unwrap();
                let line = &page[start..at + page[at..].find("</li>").unwrap()];
                assert!(line.contains("“"), "the question's words: {line}");
                seen = true;
            }
        }
    }
    assert!(seen, "the demo's meetings record questions");
}

/// The addresses starting with `prefix` linked from `page`, once each.
async fn a_measure_is_charted_across_the_actions_years(db: TestDb) {
    let app = spawn_app(db).await;
    // 10A of 2023/24 continues 10A of 2022/23: its chart of carers
    // assessed shows both years' figures and each year's target.
    let id = app.action_id("2023/24", "10A").await;
    let (status, page) = get(&client(), app.url(&format!("/b/bromley/actions/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let chart = &page[page.find("<svg class=\"ambit-chart\"").expect("a chart")..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("H2 2022/23: 2040 carers"), "{chart}");
    assert!(chart.contains("H2 2023/24: 2210 carers"), "{chart}");
    assert!(
        chart.contains("target for 2022/23: 2100 carers")
            && chart.contains("target for 2023/24: 2250 carers")
    );
    assert!(
        chart.contains(">Target 2023/24: 2250</text>"),
        "the target is labelled"
    );
    assert!(chart.contains(">Figure</text>"), "the chart has a key");
    // The table beside it gives the same figures.
    assert!(page.contains(">H2 2022/23</th>"));
}
on_both_engines!(a_measure_is_charted_across_the_actions_years);

async fn officers_add_change_and_remove_measures(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in("officer").await;
    let id = app.action_id("2024/25", "6A").await;
    let action_url = app.url(&format!("/b/bromley/actions/{id}"));
    let (_, page) = get(&officer, action_url.clone()).await;
    let new_url = app.url(&link(
        &page,
        &format!("/b/bromley/actions/{id}/measures/new"),
    ));
    // Only officers may: the lead is refused, the public sent to sign in.
    let lead = app.signed_in("lead").await;
    assert_eq!(get(&lead, new_url.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&client(), new_url.clone()).await.0,
        StatusCode::SEE_OTHER
    );

    let (status, form) = get(&officer, new_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("How is success measured?"));
    let base = vec![
        ("csrf".to_owned(), hidden(&form, "csrf")),
        ("version".to_owned(), hidden(&form, "version")),
        (
            "amendment".to_owned(),
            "Agreed at the June meeting".to_owned(),
        ),
    ];
    let post = |extra: &[(&str, &str)]| {
        let mut f = base.clone();
        f.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        f
    };
    let events = app.store.audit_event_count().await.unwrap();
    let bad = officer
        .post(&new_url)
        .form(&post(&[
            ("kind", "indicator"),
            ("name", "Groups supported"),
            ("unit", "groups"),
            ("direction", "up"),
            ("target", "lots"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Target must be a number, like 640 or 84.5")
    );
    let none = officer
        .post(&new_url)
        .form(&post(&[]))
        .send()
        .await
        .unwrap();
    assert!(
        none.text()
            .await
            .unwrap()
            .contains("Select whether success is measured by a statement or a number")
    );
    assert_eq!(
        app.store.audit_event_count().await.unwrap(),
        events,
        "nothing written"
    );

    let added = officer
        .post(&new_url)
        .form(&post(&[
            ("kind", "indicator"),
            ("name", "Groups supported"),
            ("unit", "groups"),
            ("direction", "up"),
            ("baseline", "12"),
            ("target", "1,500"),
        ]))
        .send()
        .await
        .unwrap();
    let landed = see_other(&added);
    let (_, page) = get(&officer, app.url(&landed)).await;
    assert!(page.contains("The measures of success are saved"));
    assert!(page.contains("Groups supported"));
    let action = app.store.action(domain::ActionId::new(id)).await.unwrap();
    let (mid, domain::Measure::Indicator(i)) = action.measures.last().unwrap() else {
        panic!("an indicator was added");
    };
    assert_eq!(i.baseline, Some(12.0));
    assert_eq!(i.year_end_target("2024/25".parse().unwrap()), Some(1500.0));
    assert_eq!(app.store.audit_event_count().await.unwrap(), events + 1);

    // Changed: the target moves; then removed, with the form's checkbox.
    let edit_url = app.url(&format!("/b/bromley/actions/{id}/measures/{mid}"));
    let form = get(&officer, edit_url.clone()).await.1;
    assert!(form.contains("value=\"1500\""), "the form shows the target");
    let fields = |extra: &[(&str, &str)]| {
        let mut f = vec![
            ("csrf".to_owned(), hidden(&form, "csrf")),
            ("version".to_owned(), hidden(&form, "version")),
            ("amendment".to_owned(), "Target revised".to_owned()),
        ];
        f.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        f
    };
    let changed = officer
        .post(&edit_url)
        .form(&fields(&[
            ("kind", "indicator"),
            ("name", "Groups supported"),
            ("unit", "groups"),
            ("direction", "up"),
            ("target", "1800"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let stale = officer
        .post(&edit_url)
        .form(&fields(&[("kind", "statement"), ("statement", "Too late")]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a stale form is refused"
    );
    let form = get(&officer, edit_url.clone()).await.1;
    assert!(form.contains("value=\"1800\""));
    let removed = officer
        .post(&edit_url)
        .form(&[
            ("csrf", hidden(&form, "csrf")),
            ("version", hidden(&form, "version")),
            ("amendment", "No longer counted".into()),
            ("remove", "yes".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let action = app.store.action(domain::ActionId::new(id)).await.unwrap();
    assert!(action.measures.iter().all(|(m, _)| m != mid), "removed");
    assert_eq!(get(&officer, edit_url).await.0, StatusCode::NOT_FOUND);
}
on_both_engines!(officers_add_change_and_remove_measures);

async fn measures_are_set_through_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.api_token("officer").await;
    let lead = app.api_token("lead").await;
    let id = app.action_id("2024/25", "10A").await;
    let url = app.url(&format!("/api/v1/actions/{id}/measures"));
    let action: Value = client()
        .get(app.url(&format!("/api/v1/actions/{id}")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version = action["version"].as_i64().unwrap();
    let kept = action["measures"][0]["id"].as_i64().unwrap();
    let body = json!({
        "version": version,
        "amendment": "Agreed at the June meeting",
        "measures": [
            { "id": kept, "kind": "statement", "text": "Carers say the offer helps them" },
            { "kind": "indicator", "text": "Young carers supported", "unit": "young carers",
              "direction": "up", "baseline": 120, "target": 150 }
        ]
    });
    let put = |token: Option<&String>, body: &Value| {
        let mut r = client().put(&url).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(
        put(None, &body).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        put(Some(&lead), &body).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let mut bad = body.clone();
    bad["measures"][1]["direction"] = json!("sideways");
    let r = put(Some(&officer), &bad).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["field"], "measures[1].direction");
    let r = put(Some(&officer), &body).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    let measures = saved["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 2, "the measures left out are removed");
    assert_eq!(
        measures[0]["id"].as_i64(),
        Some(kept),
        "the kept one keeps its id"
    );
    assert_eq!(measures[1]["target"].as_f64(), Some(150.0));
    let stale = put(Some(&officer), &body).await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
}
on_both_engines!(measures_are_set_through_the_api);

fn hrefs(page: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .match_indices(&format!("href=\"{prefix}"))
        .map(|(at, _)| {
            let rest = &page[at + 6..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .filter(|h| !h[prefix.len()..].contains('/') && !h.contains('#') && !h.contains('?'))
        .collect();
    out.sort();
    out.dedup();
    out
}
on_both_engines!(a_plan_says_what_is_at_risk_and_what_replaced_it);

#[path = "suite/record.rs"]
mod record;
