//! `ambit moderngov sync` against a fake ModernGov server on 127.0.0.1.

use testkit::moderngov::{FakeModernGov, Mode};
use testkit::{TestDb, on_both_engines};

use super::{ambit, ok, stderr};

/// Run `ambit` off the async threads, so the fake server keeps answering.
async fn run(db: &TestDb, args: Vec<String>) -> std::process::Output {
    let args_db = db.args();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("ambit"))
            .args(&args_db)
            .args(&args)
            .env_remove("AMBIT_DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn sync_args(site: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--body",
        "bromley",
        "moderngov",
        "sync",
        "--site",
        site,
        "--delay-ms",
        "0",
        "--from",
        "2024-03-17",
        "--to",
        "2024-09-13",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

on_both_engines!(sync_creates_then_changes_nothing);

async fn sync_creates_then_changes_nothing(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let fake = FakeModernGov::start().await;

    // A failure says what happened, exits 2 and changes nothing.
    fake.set_mode(Mode::Disabled);
    let o = run(&db, sync_args(&fake.site, &[])).await;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("switched off"), "{}", stderr(&o));
    fake.set_mode(Mode::WebPage);
    let o = run(&db, sync_args(&fake.site, &["--save"])).await;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not the ModernGov web service's XML"),
        "{}",
        stderr(&o)
    );
    let store = db.open().await;
    let bromley = store.body(&"bromley".parse().unwrap()).await.unwrap().id;
    assert_eq!(
        store.moderngov_counts(bromley).await.unwrap(),
        (0, 0, 0),
        "a failed sync brings nothing over"
    );
    assert!(
        store.moderngov_site(bromley).await.unwrap().is_none(),
        "nor saves the site"
    );
    fake.set_mode(Mode::Normal);

    let o = run(&db, sync_args(&fake.site, &["--save"])).await;
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("Meetings: 3 created, 0 changed, 0 left alone"),
        "{out}"
    );
    assert!(out.contains("Minutes queued for review: 2"), "{out}");
    assert!(out.contains("Minutes as a PDF only"), "{out}");

    // The site is saved: a second run needs no --site, and changes nothing.
    let o = run(
        &db,
        [
            "--body",
            "bromley",
            "moderngov",
            "sync",
            "--from",
            "2024-03-17",
            "--to",
            "2024-09-13",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    )
    .await;
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("Nothing changed."), "{out}");
    assert!(
        out.contains("Meetings: 0 created, 0 changed, 3 left alone"),
        "{out}"
    );

    let o = ambit(
        &db,
        &[
            "--body",
            "bromley",
            "moderngov",
            "sync",
            "--site",
            "democracy.example",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not an address Ambit can use"),
        "{}",
        stderr(&o)
    );
}
