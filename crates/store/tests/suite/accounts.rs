//! Accounts and API tokens have an end: revoking, disabling, enabling and
//! removing, each audited, and the last administrator kept.

use domain::{Email, Role};
use store::{AccountStatus, NewBody, Store, StoreError, TokensOf, User};
use testkit::{TestDb, on_both_engines};

use super::{ACTOR, t};

fn email(s: &str) -> Email {
    s.parse().unwrap()
}

async fn body(store: &Store, slug: &str) -> i64 {
    (store
        .create_body(
            ACTOR,
            NewBody {
                slug: slug.parse().unwrap(),
                name: t("London Borough of Bromley"),
                level_names: Default::default(),
                rag: Default::default(),
                reference_scheme: Default::default(),
            },
        )
        .await
        .unwrap()
        .id)
        .get()
}

async fn person(store: &Store, body_id: i64, who: &str, role: Role) -> User {
    let user = store
        .create_user(
            ACTOR,
            email(&format!("{who}@bromley.example")),
            t(who),
            None,
        )
        .await
        .unwrap();
    store
        .set_membership(ACTOR, user.id, domain::BodyId::new(body_id), role, None)
        .await
        .unwrap();
    user
}

/// A session and an API token for `user`: the hashes the lookups take.
async fn signed_in(store: &Store, user: &User, n: u32) -> (String, String) {
    let (session, token) = (
        format!("session-{}-{n}", user.id),
        format!("token-{}-{n}", user.id),
    );
    store
        .create_session(user.id, &session, "csrf", "2999-01-01T00:00:00.000000Z")
        .await
        .unwrap();
    store
        .create_api_token(ACTOR, user.id, &t("reporting script"), &token)
        .await
        .unwrap();
    (session, token)
}

fn operations(trail: &[store::AuditEvent]) -> Vec<&str> {
    trail.iter().map(|e| e.operation.as_str()).collect()
}

async fn accounts_and_tokens_have_an_end(db: TestDb) {
    let store = db.open().await;
    let bromley = body(&store, "bromley").await;
    let elsewhere = body(&store, "elsewhere").await;
    let admin = person(&store, bromley, "admin", Role::Administrator).await;
    let officer = person(&store, bromley, "officer", Role::PerformanceOfficer).await;
    let stranger = person(&store, elsewhere, "stranger", Role::Administrator).await;

    let people = store.people(domain::BodyId::new(bromley)).await.unwrap();
    assert_eq!(
        people
            .iter()
            .map(|p| (p.user.email.as_str(), p.role, p.status))
            .collect::<Vec<_>>(),
        [
            (
                "admin@bromley.example",
                Role::Administrator,
                AccountStatus::Active
            ),
            (
                "officer@bromley.example",
                Role::PerformanceOfficer,
                AccountStatus::Active
            ),
        ]
    );

    // Tokens are listed per account, per body and in all; revoking one
    // refuses it at once, and only once.
    let (_, token) = signed_in(&store, &officer, 1).await;
    let (_, stranger_token) = signed_in(&store, &stranger, 1).await;
    let mine = store
        .api_tokens(TokensOf::Account(officer.id))
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name.as_str(), "reporting script");
    assert_eq!(mine[0].owner, officer);
    assert!(mine[0].revoked_at.is_none());
    assert_eq!(
        store
            .api_tokens(TokensOf::Body(domain::BodyId::new(bromley)))
            .await
            .unwrap(),
        mine
    );
    assert_eq!(store.api_tokens(TokensOf::All).await.unwrap().len(), 2);
    let other = store
        .api_tokens(TokensOf::Body(domain::BodyId::new(elsewhere)))
        .await
        .unwrap()[0]
        .id;
    assert!(
        matches!(
            store
                .revoke_api_token(ACTOR, Some(domain::BodyId::new(bromley)), other)
                .await,
            Err(StoreError::NotFound { .. })
        ),
        "a token of another body is not found from this one"
    );
    let revoked = store
        .revoke_api_token(ACTOR, Some(domain::BodyId::new(bromley)), mine[0].id)
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(store.api_token_user(&token).await.unwrap(), None);
    assert!(
        store
            .api_token_user(&stranger_token)
            .await
            .unwrap()
            .is_some()
    );
    let again = store
        .revoke_api_token(ACTOR, None, mine[0].id)
        .await
        .unwrap_err();
    assert!(again.is_user_error());
    assert!(
        again
            .to_string()
            .starts_with(&format!("API token {} was already revoked", mine[0].id)),
        "{again}"
    );
    let missing = store
        .revoke_api_token(ACTOR, None, 999_999)
        .await
        .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("API token 999999 was not found"),
        "{missing}"
    );
    let trail = store.audit_trail("api token", mine[0].id).await.unwrap();
    assert_eq!(operations(&trail), ["create", "revoke"]);
    assert_eq!(trail[1].actor, ACTOR);

    // A disabled account's session and tokens are refused, and it cannot
    // sign in; enabling it lets its tokens work again (its sessions ended).
    let (session, token) = signed_in(&store, &officer, 2).await;
    assert!(store.session(&session).await.unwrap().is_some());
    store
        .disable_account(ACTOR, domain::BodyId::new(bromley), officer.id)
        .await
        .unwrap();
    assert_eq!(store.session(&session).await.unwrap(), None);
    assert_eq!(store.api_token_user(&token).await.unwrap(), None);
    assert!(store.user_by_email(&officer.email).await.unwrap().is_none());
    assert_eq!(
        store.account_by_email(&officer.email).await.unwrap(),
        Some((officer.clone(), AccountStatus::Disabled))
    );
    assert_eq!(
        store.people(domain::BodyId::new(bromley)).await.unwrap()[1].status,
        AccountStatus::Disabled
    );
    let twice = store
        .disable_account(ACTOR, domain::BodyId::new(bromley), officer.id)
        .await
        .unwrap_err();
    assert_eq!(
        twice.to_string(),
        "account officer@bromley.example is already disabled; enable it to let them sign in again"
    );
    store
        .enable_account(ACTOR, domain::BodyId::new(bromley), officer.id)
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user(&token).await.unwrap(),
        Some(officer.clone())
    );
    assert_eq!(
        store.session(&session).await.unwrap(),
        None,
        "disabling ended the session"
    );
    assert!(
        store
            .enable_account(ACTOR, domain::BodyId::new(bromley), officer.id)
            .await
            .unwrap_err()
            .is_user_error()
    );

    // The last active administrator of a body is kept.
    let last = store
        .disable_account(ACTOR, domain::BodyId::new(bromley), admin.id)
        .await
        .unwrap_err();
    assert!(last.is_user_error());
    assert_eq!(
        last.to_string(),
        "account admin@bromley.example is the only active administrator of bromley; make someone else an administrator there first"
    );
    assert!(
        store
            .remove_account(ACTOR, domain::BodyId::new(bromley), admin.id)
            .await
            .is_err()
    );
    let deputy = person(&store, bromley, "deputy", Role::Administrator).await;
    store
        .disable_account(ACTOR, domain::BodyId::new(bromley), admin.id)
        .await
        .unwrap();
    assert!(
        store
            .remove_account(ACTOR, domain::BodyId::new(bromley), deputy.id)
            .await
            .is_err(),
        "a disabled administrator does not count"
    );

    // An account of another body is not found from this one.
    assert!(matches!(
        store
            .disable_account(ACTOR, domain::BodyId::new(bromley), stranger.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // Removing ends the account's roles; its token is refused and its
    // address can be used again.
    let events = store.audit_event_count().await.unwrap();
    store
        .remove_account(ACTOR, domain::BodyId::new(bromley), officer.id)
        .await
        .unwrap();
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events + 2,
        "the account's removal and its membership's end are audited"
    );
    assert_eq!(store.api_token_user(&token).await.unwrap(), None);
    assert!(store.memberships(officer.id).await.unwrap().is_empty());
    assert_eq!(store.account_by_email(&officer.email).await.unwrap(), None);
    assert!(
        !store
            .people(domain::BodyId::new(bromley))
            .await
            .unwrap()
            .iter()
            .any(|p| p.user.id == officer.id)
    );
    assert!(matches!(
        store
            .remove_account(ACTOR, domain::BodyId::new(bromley), officer.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let trail = store.audit_trail("user", officer.id).await.unwrap();
    assert_eq!(
        operations(&trail),
        ["create", "disable", "enable", "delete"]
    );
    assert_eq!(trail[1].body_id, Some(domain::BodyId::new(bromley)));
    assert_eq!(trail[3].after.as_ref().unwrap()["status"], "removed");
    store
        .create_user(ACTOR, officer.email.clone(), t("officer"), None)
        .await
        .expect("a removed account's address can be used again");
}
on_both_engines!(accounts_and_tokens_have_an_end);
