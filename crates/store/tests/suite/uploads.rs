//! Spreadsheets kept between the steps of a web import: read back only by
//! the session, body and plan that uploaded them, bounded in number, size
//! and total, gone after 30 minutes, and ended by the import's own
//! transaction.

use domain::{LevelNames, ReferenceScheme};
use store::{ImportTarget, NewBody, Store, StoreError, UploadBounds, UploadKey};
use testkit::{TestDb, on_both_engines};

use super::import::{plan, setup};
use super::{ACTOR, t, year};

const BOUNDS: UploadBounds = UploadBounds {
    per_session: 8,
    file_bytes: 10_000,
    body_bytes: 50_000,
};

async fn body(store: &Store, slug: &str) -> i64 {
    (store
        .create_body(
            ACTOR,
            NewBody {
                slug: slug.parse().unwrap(),
                name: t(&format!("{slug} Council")),
                level_names: LevelNames::new(&["Priority".into(), "Action".into()]).unwrap(),
                rag: Default::default(),
                reference_scheme: ReferenceScheme::Free,
            },
        )
        .await
        .unwrap()
        .id)
        .get()
}

fn key(token: &str, owner: &str, body_id: i64) -> UploadKey {
    UploadKey {
        token_hash: format!("token-{token}"),
        owner_hash: format!("session-{owner}"),
        body_id: domain::BodyId::new(body_id),
        portfolio: "ASC".parse().unwrap(),
        year: year("2024/25"),
    }
}

async fn read(store: &Store, key: &UploadKey) -> Option<Vec<u8>> {
    store.import_upload(key).await.unwrap().map(|u| u.content)
}

async fn an_upload_is_read_only_by_its_session_body_and_plan(db: TestDb) {
    let store = db.open().await;
    let (eastvale, westvale) = (
        body(&store, "eastvale").await,
        body(&store, "westvale").await,
    );
    let events = store.audit_event_count().await.unwrap();
    let mine = key("a", "one", eastvale);
    let content: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
    store
        .put_import_upload(&mine, "tracker.xlsx", &content, BOUNDS)
        .await
        .unwrap();
    let got = store.import_upload(&mine).await.unwrap().unwrap();
    assert_eq!(got.file_name, "tracker.xlsx");
    assert_eq!(got.content, content, "every byte comes back");
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "uploads are scratch, not audited"
    );

    // Another session, another body, another plan or another token: nothing.
    let mut other = mine.clone();
    other.owner_hash = "session-two".into();
    assert_eq!(read(&store, &other).await, None, "another session");
    let mut other = mine.clone();
    other.body_id = domain::BodyId::new(westvale);
    assert_eq!(read(&store, &other).await, None, "another body");
    let mut other = mine.clone();
    other.year = year("2025/26");
    assert_eq!(read(&store, &other).await, None, "another year");
    let mut other = mine.clone();
    other.portfolio = "HSG".parse().unwrap();
    assert_eq!(read(&store, &other).await, None, "another portfolio");
    let mut other = mine.clone();
    other.token_hash = "token-b".into();
    assert_eq!(read(&store, &other).await, None, "another token");
    assert_eq!(
        read(&store, &mine).await.as_deref(),
        Some(&content[..]),
        "still there for its owner"
    );
}
on_both_engines!(an_upload_is_read_only_by_its_session_body_and_plan);

async fn an_upload_expires_after_thirty_minutes(db: TestDb) {
    let store = db.open().await;
    let eastvale = body(&store, "eastvale").await;
    let old = key("old", "one", eastvale);
    store
        .put_import_upload(&old, "old.csv", b"Ref,Action\n", BOUNDS)
        .await
        .unwrap();
    // 31 minutes pass for this upload.
    let then = (chrono::Utc::now() - chrono::Duration::minutes(31))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    store
        .execute_unchecked(&format!(
            "UPDATE import_uploads SET created_at = '{then}' WHERE token_hash = 'token-old'"
        ))
        .await
        .unwrap();
    assert_eq!(read(&store, &old).await, None, "never served once expired");
    let diff = store
        .import_plan_upload(
            ACTOR,
            ImportTarget {
                body: &"eastvale".parse().unwrap(),
                portfolio: &"ASC".parse().unwrap(),
                year: year("2024/25"),
                setup: Some(&setup()),
            },
            &plan(100),
            &old,
            |_| "imported".into(),
        )
        .await
        .unwrap();
    assert_eq!(diff, None, "an expired upload is not imported");
    assert_eq!(store.plans().await.unwrap().len(), 0);

    // The next upload deletes it: made young again, it is still gone.
    store
        .put_import_upload(&key("new", "two", eastvale), "new.csv", b"x", BOUNDS)
        .await
        .unwrap();
    store
        .execute_unchecked(&format!(
            "UPDATE import_uploads SET created_at = '{}' WHERE token_hash = 'token-old'",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        ))
        .await
        .unwrap();
    assert_eq!(read(&store, &old).await, None, "deleted by the next upload");
    assert!(read(&store, &key("new", "two", eastvale)).await.is_some());
}
on_both_engines!(an_upload_expires_after_thirty_minutes);

async fn uploads_are_bounded_per_session_file_and_body(db: TestDb) {
    let store = db.open().await;
    let (eastvale, westvale) = (
        body(&store, "eastvale").await,
        body(&store, "westvale").await,
    );
    // A session keeps its newest eight for a body; the oldest is dropped.
    for n in 0..9 {
        store
            .put_import_upload(
                &key(&n.to_string(), "one", eastvale),
                "t.csv",
                &[b'a'; 10],
                BOUNDS,
            )
            .await
            .unwrap();
    }
    assert_eq!(read(&store, &key("0", "one", eastvale)).await, None);
    for n in 1..9 {
        assert!(
            read(&store, &key(&n.to_string(), "one", eastvale))
                .await
                .is_some(),
            "upload {n} is kept"
        );
    }
    // Another session's, and the same session's for another body, are
    // counted apart.
    store
        .put_import_upload(&key("x", "two", eastvale), "t.csv", b"x", BOUNDS)
        .await
        .unwrap();
    store
        .put_import_upload(&key("y", "one", westvale), "t.csv", b"y", BOUNDS)
        .await
        .unwrap();
    assert!(read(&store, &key("1", "one", eastvale)).await.is_some());

    // A file over the size is refused.
    let err = store
        .put_import_upload(
            &key("big", "one", eastvale),
            "big.xlsx",
            &vec![0; 10_001],
            BOUNDS,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.is_user_error());

    // The body's waiting uploads share one total.
    let small = UploadBounds {
        body_bytes: 25_000,
        ..BOUNDS
    };
    for (n, owner) in ["p", "q"].iter().enumerate() {
        store
            .put_import_upload(
                &key(&format!("full{n}"), owner, westvale),
                "t.csv",
                &[b'b'; 10_000],
                small,
            )
            .await
            .unwrap();
    }
    let err = store
        .put_import_upload(
            &key("full2", "r", westvale),
            "t.csv",
            &[b'c'; 10_000],
            small,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UploadsFull { .. }), "{err:?}");
    assert!(err.is_user_error());
    assert_eq!(
        err.to_string(),
        "there is no room for this file: spreadsheets waiting to be imported for this body already take 20 kB, and 25 kB is the most kept at once; try again once they are imported or have expired (30 minutes after upload)"
    );
    assert_eq!(read(&store, &key("full2", "r", westvale)).await, None);
    // Other bodies are not held up.
    store
        .put_import_upload(&key("z", "r", eastvale), "t.csv", &[b'c'; 10_000], small)
        .await
        .unwrap();
}
on_both_engines!(uploads_are_bounded_per_session_file_and_body);

async fn an_import_ends_its_upload_in_its_own_transaction(db: TestDb) {
    let store = db.open().await;
    let eastvale = body(&store, "eastvale").await;
    let mine = key("a", "one", eastvale);
    store
        .put_import_upload(&mine, "eastvale.xlsx", b"the file", BOUNDS)
        .await
        .unwrap();
    let (slug, code, setup) = ("eastvale".parse().unwrap(), "ASC".parse().unwrap(), setup());
    let target = ImportTarget {
        body: &slug,
        portfolio: &code,
        year: year("2024/25"),
        setup: Some(&setup),
    };
    let events = store.audit_event_count().await.unwrap();

    // A refused import keeps nothing, and the upload stays for another try.
    let err = store
        .import_plan_upload(ACTOR, target, &plan(60), &mine, |_| "no".into())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    assert!(read(&store, &mine).await.is_some());

    // Another session cannot import it.
    let mut other = mine.clone();
    other.owner_hash = "session-two".into();
    let none = store
        .import_plan_upload(ACTOR, target, &plan(100), &other, |_| "no".into())
        .await
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(store.audit_event_count().await.unwrap(), events);

    let diff = store
        .import_plan_upload(ACTOR, target, &plan(100), &mine, |d| {
            format!("{} actions created", d.actions.created)
        })
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(diff.actions.created, 2);
    assert_eq!(read(&store, &mine).await, None, "imported once");
    let again = store
        .import_plan_upload(ACTOR, target, &plan(100), &mine, |_| "again".into())
        .await
        .unwrap();
    assert_eq!(again, None, "and only once");

    // The banner is for its session, once.
    assert_eq!(
        store
            .take_import_banner(&mine.token_hash, "session-two")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .take_import_banner(&mine.token_hash, &mine.owner_hash)
            .await
            .unwrap()
            .as_deref(),
        Some("2 actions created")
    );
    assert_eq!(
        store
            .take_import_banner(&mine.token_hash, &mine.owner_hash)
            .await
            .unwrap(),
        None
    );
}
on_both_engines!(an_import_ends_its_upload_in_its_own_transaction);

async fn of_two_confirmations_at_once_one_imports(db: TestDb) {
    let store = db.open().await;
    let eastvale = body(&store, "eastvale").await;
    let mine = key("a", "one", eastvale);
    store
        .put_import_upload(&mine, "eastvale.xlsx", b"the file", BOUNDS)
        .await
        .unwrap();
    let confirm = |store: Store, key: UploadKey| async move {
        let (slug, code, setup) = ("eastvale".parse().unwrap(), "ASC".parse().unwrap(), setup());
        let target = ImportTarget {
            body: &slug,
            portfolio: &code,
            year: year("2024/25"),
            setup: Some(&setup),
        };
        store
            .import_plan_upload(ACTOR, target, &plan(100), &key, |_| "done".into())
            .await
            .unwrap()
    };
    let (a, b) = tokio::join!(
        tokio::spawn(confirm(store.clone(), mine.clone())),
        tokio::spawn(confirm(db.open().await, mine.clone())),
    );
    let done: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(done.len(), 1, "exactly one confirmation imports");
    assert_eq!(done[0].actions.created, 2);
}
on_both_engines!(of_two_confirmations_at_once_one_imports);

async fn uploads_are_left_out_of_backups_and_emptied_by_a_forced_restore(db: TestDb) {
    let store = db.open().await;
    let eastvale = body(&store, "eastvale").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.json");
    let mine = key("a", "one", eastvale);
    store
        .put_import_upload(&mine, "t.csv", b"Ref,Action\n", BOUNDS)
        .await
        .unwrap();
    let summary = store.backup(&file).await.unwrap();
    assert!(!summary.rows.contains_key("import_uploads"));
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("import_uploads")
    );
    // The upload points at a body the restore replaces: it goes first.
    store.restore(ACTOR, &file, "here", true).await.unwrap();
    assert_eq!(read(&store, &mine).await, None);
    assert_eq!(store.bodies().await.unwrap().len(), 1);
}
on_both_engines!(uploads_are_left_out_of_backups_and_emptied_by_a_forced_restore);
