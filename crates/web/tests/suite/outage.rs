//! The database out of service: a server whose database refuses writes
//! (a read-only SQLite file, a PostgreSQL database in read-only mode)
//! answers every write 503 with a page or a JSON error saying why and that
//! nothing was changed, and keeps serving reads. (A PostgreSQL server
//! stopped under load, and back: bench/faults pg-stop.)

use reqwest::StatusCode;
use serde_json::{Value, json};
use store::DatabaseLocation;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, spawn_app};

/// `app`'s database opened again, read-only: a SQLite file opened with
/// `mode=ro`; on PostgreSQL, the database set to read-only transactions
/// (as a standby is) before the new server's connections are made.
async fn read_only(app: &App) -> DatabaseLocation {
    match &app._db.location {
        DatabaseLocation::SqliteFile(path) => {
            DatabaseLocation::Url(format!("sqlite://{}?mode=ro", path.display()))
        }
        DatabaseLocation::Url(url) => {
            use sqlx::Connection;
            let name = url.rsplit('/').next().unwrap();
            let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(&format!(
                "ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"
            ))
            .execute(&mut admin)
            .await
            .unwrap();
            let _ = admin.close().await;
            DatabaseLocation::Url(url.clone())
        }
    }
}

async fn a_read_only_database_refuses_writes_and_serves_reads(db: TestDb) {
    let app = spawn_app(db).await;
    let lead = app.api_token("lead").await;
    let id = app.action_id("2024/25", "10A").await;
    let location = read_only(&app).await;
    let store = store::Store::connect(&location).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, store, web::Options::default()));

    // Reads carry on: public pages, the API with a token.
    let c = client();
    let (status, _) = get(&c, format!("{base}/b/bromley")).await;
    assert_eq!(status, StatusCode::OK);
    let r = c
        .get(format!("{base}/api/v1/actions/{id}"))
        .bearer_auth(&lead)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A write through the API: 503, a JSON error saying why, and when to
    // come back.
    let r = c
        .put(format!("{base}/api/v1/actions/{id}/updates/H1"))
        .bearer_auth(&lead)
        .json(&json!({ "status": "on track", "commentary": "Refused" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let error: Value = r.json().await.unwrap();
    let said = error["error"].as_str().unwrap();
    assert!(
        said.contains("read-only") && said.contains("nothing was changed"),
        "{said}"
    );

    // A write on the web (signing in records a session): the 503 page.
    let (_, page) = get(&c, format!("{base}/sign-in")).await;
    let form = [
        ("email", "lead@bromley.example".to_owned()),
        ("password", "demo-lead-password".to_owned()),
        ("form_token", hidden(&page, "form_token")),
        ("next", "/".into()),
    ];
    let r = c
        .post(format!("{base}/sign-in"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Sorry, the service is unavailable") && page.contains("read-only"),
        "{page}"
    );

    // Nothing was written.
    let updates = app
        .store
        .updates_of(domain::ActionId::new(id))
        .await
        .unwrap();
    assert!(
        updates
            .iter()
            .all(|u| u.input.commentary.as_str() != "Refused")
    );
}

on_both_engines!(a_read_only_database_refuses_writes_and_serves_reads);
