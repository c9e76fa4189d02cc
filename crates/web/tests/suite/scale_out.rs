//! Two `ambit serve` processes on one database, as behind a load balancer:
//! nothing is kept in a process that the other would need. A session
//! started through one is honoured by the other, an edit made through one
//! is on the other's cached public pages at once, and failed sign-ins
//! through either count against the same guesser.

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, spawn_app};

/// A second server over `app`'s database, with its own connection pool
/// and its own caches, as another process would have. Its address.
async fn second_server(app: &App) -> String {
    let store = store::Store::open(&app._db.location)
        .await
        .expect("the database opens twice");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, store, web::Options::default()));
    base
}

async fn two_servers_share_sessions_edits_and_sign_in_limits(db: TestDb) {
    let a = spawn_app(db).await;
    let b = second_server(&a).await;
    let bromley = a.store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = a.store.committees(bromley.id).await.unwrap()[0].clone();
    let page = format!("/b/bromley/committees/{}", committee.id);
    let renamed = "Adult Care and Health Scrutiny Panel";

    // A resident reads the committee's page through the first server,
    // which caches it.
    let resident = client();
    let (status, before) = get(&resident, a.url(&page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(before.contains(&committee.name) && !before.contains(renamed));

    // The officer signs in through the first server and edits through the
    // second: the session is in the database, not in the process.
    let officer = a.signed_in("officer").await;
    let edit = format!("{b}{page}/edit");
    let (status, form) = get(&officer, edit.clone()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the second server knows the session"
    );
    let fields = [
        ("csrf", hidden(&form, "csrf")),
        ("version", hidden(&form, "version")),
        ("name", renamed.to_owned()),
        ("clerk", hidden(&form, "clerk")),
    ];
    let r = officer.post(&edit).form(&fields).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The first server's cached page gives way to the edit at once.
    let (_, after) = get(&resident, a.url(&page)).await;
    assert!(after.contains(renamed), "the first server shows the edit");
    let (_, on_b) = get(&resident, format!("{b}{page}")).await;
    assert!(on_b.contains(renamed));

    // Five wrong guesses through the first server hold the right password
    // back on the second.
    let guesser = client();
    let (_, page) = get(&guesser, a.url("/sign-in")).await;
    let token = hidden(&page, "form_token");
    let attempt = |base: String, password: &'static str| {
        let (guesser, token) = (guesser.clone(), token.clone());
        async move {
            guesser
                .post(format!("{base}/sign-in"))
                .form(&[
                    ("email", "lead@bromley.example"),
                    ("password", password),
                    ("form_token", token.as_str()),
                    ("next", "/"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..store::SignInRules::FREE_ATTEMPTS {
        assert_eq!(
            attempt(a.base.clone(), "guess").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        attempt(b.clone(), "demo-lead-password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the second server holds the guesser back too"
    );
}
on_both_engines!(two_servers_share_sessions_edits_and_sign_in_limits);
