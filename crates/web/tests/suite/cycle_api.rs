//! The progress cycle through the API, as a program would drive it: an
//! officer opens a period, the lead submits, the officer signs off and
//! returns (one at a time and in bulk), reads the check before closing and
//! closes; then refreshes the plan into next year's and records its
//! approval. Each route refuses the public, the wrong role, another body's
//! people and bad input as the pages do.

use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, spawn_app};

/// Send `method` to `path` with `token` (none: the public) and `body`;
/// the status and the JSON answer.
async fn call(
    app: &App,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = client().request(method, app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(app: &App, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    call(app, reqwest::Method::POST, path, token, Some(body)).await
}

async fn fetch(app: &App, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(app, reqwest::Method::GET, path, token, None).await
}

/// The lead records an update on action `id` for `half` through the API;
/// the saved update.
async fn record(app: &App, lead: &str, id: i64, half: &str) -> Value {
    let (status, saved) = call(
        app,
        reqwest::Method::PUT,
        &format!("/api/v1/actions/{id}/updates/{half}"),
        Some(lead),
        Some(json!({ "status": "on track", "commentary": "Half-year progress" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    saved
}

/// The lead submits the saved update `u`; the submitted update.
async fn submit(app: &App, lead: &str, u: &Value) -> Value {
    let (status, moved) = post(
        app,
        &format!("/api/v1/updates/{}/submit", u["id"]),
        Some(lead),
        json!({ "version": u["version"] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["state"], "submitted");
    moved
}

async fn the_reporting_cycle_in_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let plan = app.ach_plan("2024/25").await.id;
    let officer = app.api_token("officer").await;
    let lead = app.api_token("lead").await;
    let member = app.api_token("member").await;
    let elsewhere = app.api_token_at("officer", "northmoor").await;
    let open = format!("/api/v1/plans/{plan}/periods/H1/open");
    let close = format!("/api/v1/plans/{plan}/periods/H1/close");
    let deadline = json!({ "deadline": "2024-10-15", "reminder_days": 7 });

    // Opening: officers of the plan's body only; bad input named.
    for (who, token, want) in [
        ("the public", None, StatusCode::UNAUTHORIZED),
        ("a lead", Some(lead.as_str()), StatusCode::FORBIDDEN),
        ("a member", Some(member.as_str()), StatusCode::FORBIDDEN),
        (
            "another body's officer (unpublished plan)",
            Some(elsewhere.as_str()),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, answer) = post(&app, &open, token, deadline.clone()).await;
        assert_eq!(status, want, "{who} opens a period: {answer}");
    }
    for (body, field) in [
        (json!({ "deadline": "soon" }), "deadline"),
        (
            json!({ "deadline": "2024-10-15", "reminder_days": 400 }),
            "reminder_days",
        ),
        (json!({ "deadline": "2023-01-01" }), "deadline"),
        (json!({ "reminder_days": 7 }), "body"),
    ] {
        let (status, answer) = post(&app, &open, Some(&officer), body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    let (status, answer) = post(
        &app,
        &format!("/api/v1/plans/{plan}/periods/H3/open"),
        Some(&officer),
        deadline.clone(),
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("half"))
    );
    let (status, _) = post(
        &app,
        "/api/v1/plans/abc/periods/H1/open",
        Some(&officer),
        deadline.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, opened) = post(
        &app,
        &open,
        Some(&officer),
        json!({ "deadline": "15 October 2024" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(
        (
            &opened["state"],
            &opened["deadline"],
            &opened["reminder_days"]
        ),
        (&json!("open"), &json!("2024-10-15"), &json!(7))
    );
    let (status, again) = post(&app, &open, Some(&officer), deadline.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "opened once only: {again}");
    assert!(again["error"].as_str().unwrap().contains("already open"));

    // The lead writes and submits two updates; only the lead or an officer submits.
    let ten_a = app.action_id("2024/25", "10A").await;
    let six_a = app.action_id("2024/25", "6A").await;
    let saved_10a = record(&app, &lead, ten_a, "H1").await;
    let saved_6a = record(&app, &lead, six_a, "H1").await;
    let submit_6a = format!("/api/v1/updates/{}/submit", saved_6a["id"]);
    let version = json!({ "version": saved_6a["version"] });
    assert_eq!(
        post(&app, &submit_6a, None, version.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&app, &submit_6a, Some(&member), version.clone())
            .await
            .0,
        StatusCode::FORBIDDEN,
        "a member does not submit"
    );
    assert_eq!(
        post(&app, &submit_6a, Some(&elsewhere), version.clone())
            .await
            .0,
        StatusCode::NOT_FOUND,
        "another body's update is not there for them"
    );
    assert_eq!(
        post(
            &app,
            "/api/v1/updates/999999/submit",
            Some(&lead),
            version.clone()
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, answer) = post(&app, &submit_6a, Some(&lead), json!({ "version": "one" })).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body"))
    );
    let submitted_10a = submit(&app, &lead, &saved_10a).await;
    let submitted_6a = submit(&app, &lead, &saved_6a).await;

    // Sign-off and return: the officer's.
    let sign_off_10a = format!("/api/v1/updates/{}/sign-off", submitted_10a["id"]);
    let version = json!({ "version": submitted_10a["version"] });
    assert_eq!(
        post(&app, &sign_off_10a, Some(&lead), version.clone())
            .await
            .0,
        StatusCode::FORBIDDEN,
        "a lead does not sign off"
    );
    assert_eq!(
        post(&app, &sign_off_10a, None, version.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, stale) = post(
        &app,
        &sign_off_10a,
        Some(&officer),
        json!({ "version": 99 }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["current_version"], submitted_10a["version"]);
    let (status, signed) = post(&app, &sign_off_10a, Some(&officer), version.clone()).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["state"], "signed_off");
    let (status, twice) = post(
        &app,
        &sign_off_10a,
        Some(&officer),
        json!({ "version": signed["version"] }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        twice["error"]
            .as_str()
            .unwrap()
            .contains("cannot sign off an update that is signed off"),
        "{twice}"
    );
    let return_6a = format!("/api/v1/updates/{}/return", submitted_6a["id"]);
    for body in [
        json!({ "version": submitted_6a["version"], "comment": "  " }),
        json!({ "version": submitted_6a["version"], "comment": "bad\u{7}" }),
    ] {
        let (status, answer) = post(&app, &return_6a, Some(&officer), body).await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")),
            "{answer}"
        );
    }
    let (status, returned) = post(
        &app,
        &return_6a,
        Some(&officer),
        json!({ "version": submitted_6a["version"], "comment": "Add the carers' survey results" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["state"], "returned");

    // What people notice: the action and the period page say signed off,
    // and each move is in the update's history as the API's.
    let (_, action) = fetch(&app, &format!("/api/v1/actions/{ten_a}"), Some(&member)).await;
    assert_eq!(action["updates"][0]["state"], "signed_off", "{action}");
    let web = app.signed_in("officer").await;
    let (_, page) = get(&web, app.url("/b/bromley/plans/ACH/2024-25/periods/H1")).await;
    assert!(
        page.contains(">Signed off<")
            && page.contains("Returned: Add the carers&#39; survey results")
    );
    let trail = app
        .store
        .audit_trail("update", submitted_10a["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.operation == "sign off" && e.actor.ends_with("(API)")),
        "the sign-off is audited"
    );

    // The check before closing: what the web's check page lists.
    for (token, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(lead.as_str()), StatusCode::FORBIDDEN),
        (Some(elsewhere.as_str()), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(fetch(&app, &close, token).await.0, want);
    }
    let (status, check) = fetch(&app, &close, Some(&officer)).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(check["state"], "open");
    assert_eq!(
        check["counts"],
        json!({ "missing": 22, "draft": 0, "submitted": 0, "returned": 1, "signed_off": 1 })
    );
    assert_eq!(check["needs_confirmation"], true);
    let outstanding = check["outstanding"].as_array().unwrap();
    assert_eq!(outstanding.len(), 23);
    let six = outstanding.iter().find(|o| o["reference"] == "6A").unwrap();
    assert_eq!(
        (&six["state"], &six["returned_comment"]),
        (&json!("returned"), &json!("Add the carers' survey results"))
    );

    // Closing: refused while updates are outstanding unless confirmed.
    let (status, refused) = post(&app, &close, Some(&officer), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["field"], "confirm");
    let message = refused["error"].as_str().unwrap();
    assert!(
        message.contains("23 actions have no signed-off update (22 missing, 1 returned)")
            && message.contains("\"confirm\": true"),
        "{message}"
    );
    assert_eq!(fetch(&app, &close, Some(&officer)).await.1["state"], "open");
    assert_eq!(
        post(&app, &close, Some(&member), json!({ "confirm": true }))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&app, &close, None, json!({ "confirm": true })).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, closed) = post(&app, &close, Some(&officer), json!({ "confirm": true })).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());
    let (status, _) = post(&app, &close, Some(&officer), json!({ "confirm": true })).await;
    assert_eq!(status, StatusCode::CONFLICT, "closed once only");
    let (status, frozen) = post(
        &app,
        &format!("/api/v1/updates/{}/submit", returned["id"]),
        Some(&lead),
        json!({ "version": returned["version"] }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{frozen}");
}
on_both_engines!(the_reporting_cycle_in_the_api);

/// Bulk sign-off: each update in its own transaction, as on the home page;
/// the answer says which were signed off and why others were refused.
async fn officers_sign_off_in_bulk_in_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let plan = app.ach_plan("2024/25").await.id;
    let officer = app.api_token("officer").await;
    let lead = app.api_token("lead").await;
    let member = app.api_token("member").await;
    let elsewhere = app.api_token_at("officer", "northmoor").await;
    let (status, _) = post(
        &app,
        &format!("/api/v1/plans/{plan}/periods/H1/open"),
        Some(&officer),
        json!({ "deadline": "2024-10-15" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ten_a = app.action_id("2024/25", "10A").await;
    let six_a = app.action_id("2024/25", "6A").await;
    let one = submit(&app, &lead, &record(&app, &lead, ten_a, "H1").await).await;
    let two = submit(&app, &lead, &record(&app, &lead, six_a, "H1").await).await;
    let draft = record(&app, &lead, app.action_id("2024/25", "9A").await, "H1").await;
    let old = app
        .store
        .updates_of(domain::ActionId::new(app.action_id("2022/23", "10A").await))
        .await
        .unwrap()[0]
        .id;
    let url = "/api/v1/bodies/bromley/sign-off";
    let body = json!({ "updates": [
        { "id": one["id"], "version": one["version"] },
        { "id": two["id"], "version": 1 },
        { "id": draft["id"], "version": draft["version"] },
        { "id": old, "version": 1 },
        { "id": 999999, "version": 1 },
    ] });
    for (token, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(lead.as_str()), StatusCode::FORBIDDEN),
        (Some(member.as_str()), StatusCode::FORBIDDEN),
        (Some(elsewhere.as_str()), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(post(&app, url, token, body.clone()).await.0, want);
    }
    assert_eq!(
        post(
            &app,
            "/api/v1/bodies/nowhere/sign-off",
            Some(&officer),
            body.clone()
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    for bad in [
        json!({ "updates": [] }),
        json!({ "updates": [{ "id": 1 }] }),
    ] {
        let (status, answer) = post(&app, url, Some(&officer), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
        assert!(
            answer["field"] == "updates" || answer["field"] == "body",
            "{answer}"
        );
    }
    let (status, done) = post(&app, url, Some(&officer), body).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (&done["signed_off"], &done["refused"]),
        (&json!(1), &json!(4)),
        "{done}"
    );
    let results = done["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "signed_off");
    assert_eq!(results[1]["outcome"], "refused");
    assert_eq!(
        results[1]["current_version"], two["version"],
        "stale: {}",
        results[1]
    );
    assert!(
        results[2]["error"]
            .as_str()
            .unwrap()
            .contains("must be submitted first"),
        "{}",
        results[2]
    );
    for r in &results[3..] {
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .contains("not in a period of bromley open now"),
            "{r}"
        );
    }
    let state_of = |u: &Value| {
        let id = u["id"].as_i64().unwrap();
        let store = app.store.clone();
        async move { store.update(domain::UpdateId::new(id)).await.unwrap().state }
    };
    assert_eq!(state_of(&one).await, domain::UpdateState::SignedOff);
    assert_eq!(state_of(&two).await, domain::UpdateState::Submitted);
    let (_, check) = fetch(
        &app,
        &format!("/api/v1/plans/{plan}/periods/H1/close"),
        Some(&officer),
    )
    .await;
    assert_eq!(check["counts"]["signed_off"], 1);
    assert_eq!(check["counts"]["submitted"], 1);
}
on_both_engines!(officers_sign_off_in_bulk_in_the_api);

/// The refresh and the approval through the API, with the gaps the
/// approval page lists and its rule: no approval with gaps unless the
/// reason is given.
async fn refresh_and_approval_in_the_api(db: TestDb) {
    let app = spawn_app(db).await;
    let plan = app.ach_plan("2024/25").await.id;
    let officer = app.api_token("officer").await;
    let lead = app.api_token("lead").await;
    let elsewhere = app.api_token_at("officer", "northmoor").await;
    let seven_c = app.action_id("2024/25", "7C").await;
    let twelve_b = app.action_id("2024/25", "12B").await;
    let url = format!("/api/v1/plans/{plan}/refresh");
    let fates = json!({ "actions": [
        { "action_id": seven_c, "fate": "complete" },
        { "action_id": twelve_b, "fate": "drop", "reason": "Audit response finished" },
    ] });
    for (token, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(lead.as_str()), StatusCode::FORBIDDEN),
        (Some(elsewhere.as_str()), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(post(&app, &url, token, fates.clone()).await.0, want);
    }
    for (body, field) in [
        (
            json!({ "actions": [{ "action_id": seven_c, "fate": "shelve" }] }),
            "actions[0].fate",
        ),
        (
            json!({ "actions": [{ "action_id": seven_c, "fate": "complete" }, { "action_id": twelve_b, "fate": "drop" }] }),
            "actions[1].reason",
        ),
        (
            json!({ "actions": [{ "action_id": 999999, "fate": "complete" }] }),
            "actions[0].action_id",
        ),
        (
            json!({ "actions": [{ "action_id": seven_c, "fate": "carry", "reference": "1.2.3" }] }),
            "actions[0].reference",
        ),
        (
            json!({ "actions": [{ "action_id": seven_c, "fate": "complete" }, { "action_id": seven_c, "fate": "complete" }] }),
            "actions[1].action_id",
        ),
    ] {
        let (status, answer) = post(&app, &url, Some(&officer), body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    let (status, made) = post(&app, &url, Some(&officer), fates.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (
            &made["year"],
            &made["status"],
            &made["carried_forward"],
            &made["completed"],
            &made["dropped"]
        ),
        (
            &json!("2025/26"),
            &json!("draft"),
            &json!(22),
            &json!(1),
            &json!(1)
        )
    );
    let (status, again) = post(&app, &url, Some(&officer), fates).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "made once: {again}"
    );
    assert!(
        again["error"].as_str().unwrap().contains("already made"),
        "{again}"
    );
    let web = app.signed_in("officer").await;
    let (_, report) = get(&web, app.url("/b/bromley/plans/ACH/2025-26/refresh-report")).await;
    assert!(report.contains("Why: Audit response finished"));

    // The approval: the gaps first, then the rule.
    let next = made["plan_id"].as_i64().unwrap();
    let approve = format!("/api/v1/plans/{next}/approve");
    for (token, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(lead.as_str()), StatusCode::FORBIDDEN),
        (Some(elsewhere.as_str()), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(fetch(&app, &approve, token).await.0, want);
        assert_eq!(
            post(
                &app,
                &approve,
                token,
                json!({ "version": 1, "on": "2025-03-20", "accept_gaps": "x" })
            )
            .await
            .0,
            want
        );
    }
    let (status, approval) = fetch(&app, &approve, Some(&officer)).await;
    assert_eq!(status, StatusCode::OK, "{approval}");
    assert_eq!(approval["status"], "draft");
    let gaps = approval["gaps"].as_array().unwrap();
    assert!(!gaps.is_empty());
    assert!(
        gaps[0]["missing"]
            .as_array()
            .unwrap()
            .contains(&json!("no target date"))
    );
    let version = approval["version"].clone();
    let (status, answer) = post(
        &app,
        &approve,
        Some(&officer),
        json!({ "version": version, "on": "31 February 2025", "accept_gaps": "x" }),
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("on"))
    );
    let (status, incomplete) = post(
        &app,
        &approve,
        Some(&officer),
        json!({ "version": version, "on": "2025-03-20" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{incomplete}");
    assert_eq!(incomplete["field"], "accept_gaps");
    assert!(
        incomplete["error"]
            .as_str()
            .unwrap()
            .contains("is incomplete; give every action a target date"),
        "{incomplete}"
    );
    let reason = "Targets are set at the June meeting";
    let (status, stale) = post(
        &app,
        &approve,
        Some(&officer),
        json!({ "version": 99, "on": "2025-03-20", "accept_gaps": reason }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["current_version"], version);
    assert_eq!(
        fetch(&app, &approve, Some(&officer)).await.1["status"],
        "draft",
        "a refused approval changes nothing"
    );
    let (status, approved) = post(
        &app,
        &approve,
        Some(&officer),
        json!({ "version": version, "on": "20 March 2025", "accept_gaps": reason }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(
        (&approved["status"], &approved["approved_on"]),
        (&json!("approved"), &json!("2025-03-20"))
    );
    let trail = app.store.audit_trail("plan", next).await.unwrap();
    assert!(trail.iter().any(
        |e| e.operation == "approve" && e.after.as_ref().is_some_and(|a| a["reason"] == reason)
    ));
    let (_, before) = fetch(
        &app,
        &format!("/api/v1/plans/{plan}/approve"),
        Some(&officer),
    )
    .await;
    assert_eq!(before["status"], "superseded");
    let (status, twice) = post(
        &app,
        &approve,
        Some(&officer),
        json!({ "version": approved["version"], "on": "2025-03-20", "accept_gaps": reason }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{twice}");
    assert!(
        twice["error"]
            .as_str()
            .unwrap()
            .contains("only a draft plan is approved")
    );
}
on_both_engines!(refresh_and_approval_in_the_api);
