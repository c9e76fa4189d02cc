//! The accounts page: administrators disable, enable and remove accounts
//! and revoke API tokens; the change holds from the very next request.

use reqwest::StatusCode;
use store::TokensOf;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, spawn_app};

const ACCOUNTS: &str = "/b/bromley/accounts";

impl App {
    /// The id of the demo account `who`.
    async fn user_id(&self, who: &str) -> i64 {
        self.store
            .account_by_email(&format!("{who}@bromley.example").parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .0
            .id
    }

    /// What the JSON API answers `token` asking for an unpublished action.
    async fn api_answers(&self, token: &str) -> StatusCode {
        let id = self.action_id("2024/25", "10A").await;
        client()
            .get(self.url(&format!("/api/v1/actions/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }
}

async fn post(c: &reqwest::Client, url: String, csrf: &str) -> (StatusCode, String) {
    let r = c.post(url).form(&[("csrf", csrf)]).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn a_disabled_account_is_refused_at_once(db: TestDb) {
    let app = spawn_app(db).await;
    let lead = app.signed_in("lead").await;
    let token = app.api_token("lead").await;
    assert_eq!(
        get(&lead, app.url("/b/bromley/my-updates")).await.0,
        StatusCode::OK
    );
    assert_eq!(app.api_answers(&token).await, StatusCode::OK);

    let admin = app.signed_in("admin").await;
    let (_, home) = get(&admin, app.url("/b/bromley")).await;
    assert!(
        home.contains("href=\"/b/bromley/accounts\""),
        "administrators are linked to it"
    );
    let (_, home) = get(&app.signed_in("officer").await, app.url("/b/bromley")).await;
    assert!(!home.contains("/b/bromley/accounts"), "others are not");

    let (status, page) = get(&admin, app.url(ACCOUNTS)).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "lead@bromley.example",
        "Action lead",
        "Assistant Director for Integrated Commissioning",
        "Active",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
    let csrf = hidden(&page, "csrf");
    let lead_id = app.user_id("lead").await;
    let disable = app.url(&format!("{ACCOUNTS}/{lead_id}/disable"));

    // Without the CSRF token, or from another site, nothing changes.
    assert_eq!(
        post(&admin, disable.clone(), "").await.0,
        StatusCode::FORBIDDEN
    );
    let cross = admin
        .post(&disable)
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.api_answers(&token).await, StatusCode::OK);

    let r = admin
        .post(&disable)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], ACCOUNTS);
    assert_eq!(
        get(&lead, app.url("/b/bromley/my-updates")).await.0,
        StatusCode::SEE_OTHER,
        "the disabled account's session is refused on its next request"
    );
    assert_eq!(app.api_answers(&token).await, StatusCode::UNAUTHORIZED);
    let (_, page) = get(&admin, app.url(ACCOUNTS)).await;
    assert!(page.contains("Disabled"));
    assert!(page.contains(&format!("{ACCOUNTS}/{lead_id}/enable")));
    let (status, again) = post(&admin, disable.clone(), &csrf).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.contains("There is a problem")
            && again.contains(&format!("href=\"#person-{lead_id}\""))
    );
    assert!(again.contains("Account lead@bromley.example is already disabled"));

    let (status, _) = post(
        &admin,
        app.url(&format!("{ACCOUNTS}/{lead_id}/enable")),
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.api_answers(&token).await, StatusCode::OK);

    // The last administrator is kept.
    let admin_id = app.user_id("admin").await;
    let (status, page) = post(
        &admin,
        app.url(&format!("{ACCOUNTS}/{admin_id}/disable")),
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("is the only active administrator of bromley"),
        "{page}"
    );

    // Removing asks first, then ends the account.
    let confirm = app.url(&format!("{ACCOUNTS}/{lead_id}/remove"));
    let (status, page) = get(&admin, confirm.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Remove the account of Demo action lead?"));
    let csrf = hidden(&page, "csrf");
    let (status, _) = post(&admin, confirm.clone(), &csrf).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&admin, app.url(ACCOUNTS)).await;
    assert!(!page.contains("lead@bromley.example"));
    assert_eq!(app.api_answers(&token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&admin, confirm).await.0, StatusCode::NOT_FOUND);
    let trail = app.store.audit_trail("user", lead_id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.operation == "delete" && e.actor.contains("admin@bromley.example"))
    );
}
on_both_engines!(a_disabled_account_is_refused_at_once);

async fn a_revoked_token_is_refused(db: TestDb) {
    let app = spawn_app(db).await;
    let token = app.api_token("officer").await;
    assert_eq!(app.api_answers(&token).await, StatusCode::OK);
    let officer_id = app.user_id("officer").await;
    let id = app
        .store
        .api_tokens(TokensOf::Account(officer_id))
        .await
        .unwrap()[0]
        .id;

    let admin = app.signed_in("admin").await;
    let (_, page) = get(&admin, app.url(ACCOUNTS)).await;
    assert!(page.contains(&format!("/b/bromley/tokens/{id}/revoke")));
    let csrf = hidden(&page, "csrf");
    let revoke = app.url(&format!("/b/bromley/tokens/{id}/revoke"));
    assert_eq!(
        post(&admin, revoke.clone(), "forged").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.api_answers(&token).await, StatusCode::OK);
    assert_eq!(
        post(&admin, revoke.clone(), &csrf).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.api_answers(&token).await, StatusCode::UNAUTHORIZED);
    let (_, page) = get(&admin, app.url(ACCOUNTS)).await;
    assert!(page.contains("Revoked") && !page.contains(&format!("/b/bromley/tokens/{id}/revoke")));
    let (status, page) = post(&admin, revoke, &csrf).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!("API token {id} was already revoked")));
    assert_eq!(
        post(&admin, app.url("/b/bromley/tokens/999999/revoke"), &csrf)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let trail = app.store.audit_trail("api token", id).await.unwrap();
    assert_eq!(trail.last().unwrap().operation, "revoke");
}
on_both_engines!(a_revoked_token_is_refused);

async fn only_administrators_reach_the_accounts_page(db: TestDb) {
    let app = spawn_app(db).await;
    let token = app.api_token("officer").await;
    let lead_id = app.user_id("lead").await;
    let token_id = app.store.api_tokens(TokensOf::All).await.unwrap()[0].id;
    let posts = [
        format!("{ACCOUNTS}/{lead_id}/disable"),
        format!("{ACCOUNTS}/{lead_id}/enable"),
        format!("{ACCOUNTS}/{lead_id}/remove"),
        format!("/b/bromley/tokens/{token_id}/revoke"),
    ];
    let public = client();
    assert_eq!(
        get(&public, app.url(ACCOUNTS)).await.0,
        StatusCode::SEE_OTHER
    );
    for path in &posts {
        assert_eq!(
            post(&public, app.url(path), "").await.0,
            StatusCode::SEE_OTHER,
            "POST {path}"
        );
    }
    for who in ["officer", "lead", "clerk", "member"] {
        let c = app.signed_in(who).await;
        let (_, home) = get(&c, app.url("/b/bromley")).await;
        let csrf = hidden(&home, "csrf");
        assert_eq!(
            get(&c, app.url(ACCOUNTS)).await.0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            get(&c, app.url(&format!("{ACCOUNTS}/{lead_id}/remove")))
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        for path in &posts {
            assert_eq!(
                post(&c, app.url(path), &csrf).await.0,
                StatusCode::FORBIDDEN,
                "POST {path} as {who}"
            );
        }
    }
    assert_eq!(
        app.api_answers(&token).await,
        StatusCode::OK,
        "nothing was revoked"
    );
    assert!(
        app.signed_in("lead")
            .await
            .get(app.url("/b/bromley/my-updates"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
}
on_both_engines!(only_administrators_reach_the_accounts_page);
