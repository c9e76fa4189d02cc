//! The second demo body, Northmoor (illustrative), numbers its actions with
//! dotted references: every page type, report and the API show them in
//! natural order (1.1.9 before 1.1.10), and forms and the API take the
//! references of the body's own scheme only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, spawn_app};

/// The id of Northmoor's action `reference` in portfolio `code`'s plan for `year`.
pub(crate) async fn northmoor_action(app: &App, code: &str, year: &str, reference: &str) -> i64 {
    let body = app.store.body(&"northmoor".parse().unwrap()).await.unwrap();
    let portfolio = app
        .store
        .portfolio(Some(body.id), &code.parse().unwrap())
        .await
        .unwrap();
    let plan = app
        .store
        .plan(portfolio.id, year.parse().unwrap())
        .await
        .unwrap();
    (app.store
        .action_by_ref(plan.id, &reference.parse().unwrap())
        .await
        .unwrap()
        .id)
        .get()
}

/// Where `needle` first is in `page`, failing the test when it is not there.
fn at(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is on the page"))
}

/// `a` comes before `b` in `page`, each as a whole cell or heading text.
fn in_order(page: &str, refs: &[&str]) {
    let places: Vec<usize> = refs.iter().map(|r| at(page, &format!(">{r}<"))).collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "{refs:?} in natural order, found at {places:?}"
    );
}

async fn the_dotted_body_on_every_page_type(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();

    let (status, home) = get(&public, app.url("/b/northmoor")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Northmoor District Council (illustrative)"));

    let (status, plan) = get(&public, app.url("/b/northmoor/plans/ENV/2023-24")).await;
    assert_eq!(status, StatusCode::OK);
    in_order(
        &plan,
        &["1.1.1", "1.1.2", "1.1.9", "1.1.10", "1.2.1", "2.1.2"],
    );
    assert!(plan.contains("Outcome 1.1"), "the body's level names");

    let id = northmoor_action(&app, "ENV", "2023/24", "1.1.10").await;
    let (status, action) = get(&public, app.url(&format!("/b/northmoor/actions/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(action.contains("1.1.10: Draw up a decarbonisation plan"));
    assert!(action.contains("Outcome 1.1"));
    // Its life across the years: 1.1.10 became 1.1.4 in 2024/25.
    assert!(action.contains("2024/25: 1.1.4"), "lineage is shown");

    let officer = app.signed_in_at("officer", "northmoor").await;
    let (status, period) = get(
        &officer,
        app.url("/b/northmoor/plans/ENV/2023-24/periods/H2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    in_order(&period, &["1.1.1", "1.1.9", "1.1.10", "2.1.2"]);

    let (status, report) = get(
        &officer,
        app.url("/b/northmoor/plans/ENV/2023-24/periods/H2/report"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    in_order(&report, &["1.1.1", "1.1.9", "1.1.10", "2.1.2"]);

    let (status, refresh) = get(
        &officer,
        app.url("/b/northmoor/plans/ENV/2024-25/refresh-report"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        refresh.contains("1.1.10"),
        "the refresh names the old reference"
    );

    // The API lists items and actions with their references, in natural order.
    let plans: Value = public
        .get(app.url("/api/v1/bodies/northmoor/plans"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == "2023/24")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let plan: Value = public
        .get(app.url(&format!("/api/v1/plans/{plan_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refs: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reference"].as_str().unwrap())
        .collect();
    let nine = refs.iter().position(|r| *r == "1.1.9").unwrap();
    assert_eq!(refs[nine + 1], "1.1.10", "{refs:?}");
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["reference"] == "1.1" && i["level"] == "Outcome")
    );
}
on_both_engines!(the_dotted_body_on_every_page_type);

async fn references_are_taken_in_the_bodys_scheme(db: TestDb) {
    let app = spawn_app(db).await;
    let c = client();
    let token = app.api_token_at("officer", "northmoor").await;
    let id = northmoor_action(&app, "ENV", "2024/25", "1.1.6").await;
    let url = app.url(&format!("/api/v1/actions/{id}"));
    let edit = |reference: &str| {
        json!({
            "version": 1,
            "reference": reference,
            "title": "Install battery storage beside the civic centre solar panels",
            "lead": "Head of Climate and Sustainability",
            "amendment": "Renumbered by the committee",
        })
    };
    for (reference, expected) in [
        ("10A", "such as 1.2.3"),
        ("1.2.7", "1.1.1, as it sits under item 1.1"),
        ("1.1.2", "already exists"),
    ] {
        let r = c
            .put(&url)
            .bearer_auth(&token)
            .json(&edit(reference))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::CONFLICT,
            "{reference}: {status} {text}"
        );
        assert!(text.contains(expected), "{reference}: {text}");
    }
    let r = c
        .put(&url)
        .bearer_auth(&token)
        .json(&edit("1.1.11"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Bromley takes statement references only.
    let bromley = app.api_token("officer").await;
    let ten_a = app.action_id("2024/25", "10A").await;
    let mut body = edit("1.1.1");
    body["lead"] = json!("Assistant Director for Integrated Commissioning");
    let r = c
        .put(app.url(&format!("/api/v1/actions/{ten_a}")))
        .bearer_auth(&bromley)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("such as 6A"));

    // The OpenAPI document says which forms are accepted.
    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reference = &doc["components"]["schemas"]["ActionEdit"]["properties"]["reference"];
    let pattern = reference["pattern"].as_str().unwrap();
    assert!(pattern.contains("&./ -"), "{pattern}");
    let described = reference["description"].as_str().unwrap();
    for scheme in ["statement", "dotted", "free"] {
        assert!(described.contains(scheme), "{described}");
    }
}
on_both_engines!(references_are_taken_in_the_bodys_scheme);

async fn the_scheme_is_a_setting_fixed_once_there_are_plans(db: TestDb) {
    let app = spawn_app(db).await;
    // With two bodies the home page lists them; someone with a role in one
    // of them goes straight to it.
    let (status, index) = get(&client(), app.url("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("/b/northmoor") && index.contains("/b/bromley"));
    let officer = app.signed_in_at("officer", "northmoor").await;
    let r = officer.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/b/northmoor");
    let (status, form) = get(&officer, app.url("/b/northmoor/settings")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(r#"type="radio" value="dotted" checked"#),
        "{form}"
    );
    assert!(form.contains("The body has plans, so this stays as it is"));
    let post = [
        ("csrf", hidden(&form, "csrf")),
        ("version", hidden(&form, "version")),
        ("updates_outside_cycle", "auto".into()),
        ("reference_scheme", "free".into()),
        ("require_commentary", "yes".into()),
    ];
    let r = officer
        .post(app.url("/b/northmoor/settings"))
        .form(&post)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("can be changed only while it has no plans"),
        "{page}"
    );
    assert!(
        page.contains("href=\"#reference_scheme\""),
        "error summary links to the radios"
    );
    let body = app.store.body(&"northmoor".parse().unwrap()).await.unwrap();
    assert_eq!(body.reference_scheme, domain::ReferenceScheme::Dotted);
    // Keeping the scheme saves the other settings as before.
    let keep = [
        ("csrf", hidden(&form, "csrf")),
        ("version", hidden(&form, "version")),
        ("updates_outside_cycle", "allow".into()),
        ("reference_scheme", "dotted".into()),
        ("require_commentary", "no".into()),
    ];
    let r = officer
        .post(app.url("/b/northmoor/settings"))
        .form(&keep)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        !app.store.require_commentary(body.id).await.unwrap(),
        "the setting for commentary on concerns is saved"
    );
}
on_both_engines!(the_scheme_is_a_setting_fixed_once_there_are_plans);
