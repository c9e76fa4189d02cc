//! Published packs: stored once, exactly, with their hashes and data
//! version; a reference already published is refused; nothing is written
//! by a refused publication; and nothing changes a stored pack.

use domain::{Half, ReportReference};
use store::{NewPack, Store, StoreError, sha256_hex};
use testkit::{TestDb, on_both_engines};

use super::{ACTOR, bromley};

/// Bytes of every value, repeated to `len`.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn pack(plan_id: i64, reference: &str) -> NewPack {
    NewPack {
        plan_id: domain::PlanId::new(plan_id),
        half: Half::H1,
        reference: ReportReference::parse(reference).unwrap(),
        committee: "Adult Care and Health Policy Development and Scrutiny Committee".into(),
        meeting_date: Some(chrono::NaiveDate::from_ymd_opt(2022, 11, 24).unwrap()),
        title: "Adult Care and Health Portfolio Plan: progress".into(),
        data: r#"{"title":"Adult Care and Health Portfolio Plan: progress"}"#.into(),
        files: vec![
            ("pdf".into(), bytes(3_000_000, 1)),
            ("docx".into(), bytes(256, 2)),
            ("xlsx".into(), vec![0, 255, 0, 1]),
            (
                "html".into(),
                b"<!doctype html><title>ACH22-038</title>".to_vec(),
            ),
        ],
    }
}

async fn counts(store: &Store) -> (i64, usize) {
    (
        store.audit_event_count().await.unwrap(),
        store
            .packs_with_file(&sha256_hex(&bytes(256, 2)))
            .await
            .unwrap()
            .len(),
    )
}

async fn a_published_pack_is_kept_exactly_and_never_changes(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let body_id = store.plan_by_id(f.plan_id).await.unwrap();
    let body_id = store
        .portfolio_by_id(body_id.portfolio_id)
        .await
        .unwrap()
        .body_id;
    let before = counts(&store).await;

    // Without a reference, or with a bad file, nothing is written.
    let no_ref = store.publish_pack(ACTOR, &pack(f.plan_id.get(), "")).await;
    assert!(
        matches!(&no_ref, Err(StoreError::Invalid(e)) if e.field == "report reference"),
        "{no_ref:?}"
    );
    let mut twice = pack(f.plan_id.get(), "ACH22-038");
    twice.files.push(("pdf".into(), vec![1]));
    assert!(matches!(
        store.publish_pack(ACTOR, &twice).await,
        Err(StoreError::Invalid(e)) if e.field == "format"
    ));
    let mut empty = pack(f.plan_id.get(), "ACH22-038");
    empty.files[1].1.clear();
    assert!(matches!(
        store.publish_pack(ACTOR, &empty).await,
        Err(StoreError::Invalid(e)) if e.field == "file"
    ));
    assert_eq!(counts(&store).await, before, "nothing partial is written");

    let new = pack(f.plan_id.get(), "ACH22-038");
    let published = store.publish_pack(ACTOR, &new).await.unwrap();
    assert_eq!(published.reference, "ACH22-038");
    assert_eq!(published.published_by, ACTOR);
    assert_eq!(published.period.to_string(), "H1 2022/23");
    assert_eq!(published.portfolio.as_str(), "ACH");
    assert_eq!(published.data_sha256, sha256_hex(new.data.as_bytes()));
    assert_eq!(
        published
            .files
            .iter()
            .map(|f| f.format.as_str())
            .collect::<Vec<_>>(),
        ["pdf", "docx", "xlsx", "html"]
    );
    for ((format, content), file) in new.files.iter().zip(&published.files) {
        assert_eq!(file.sha256, sha256_hex(content));
        assert_eq!(file.size, content.len() as i64);
        let stored = store.pack_file(published.id, format).await.unwrap();
        assert!(stored == *content, "{format} comes back byte for byte");
    }
    assert_eq!(store.pack_data(published.id).await.unwrap(), new.data);
    assert_eq!(
        store
            .audit_trail("published pack", published.id)
            .await
            .unwrap()[0]
            .operation,
        "create"
    );
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        before.0 + 1,
        "one audit event"
    );

    // Found by a file's hash, by reference and in the lists.
    let found = store
        .packs_with_file(&published.files[0].sha256.to_uppercase())
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].format, "pdf");
    assert_eq!(found[0].pack, published);
    assert!(
        store
            .packs_with_file(&sha256_hex(b"never published"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .published_pack_by_reference(body_id, "ach22-038")
            .await
            .unwrap(),
        Some(published.clone())
    );
    assert_eq!(
        store.published_packs(body_id, None).await.unwrap(),
        vec![published.clone()]
    );
    assert_eq!(
        store
            .published_packs(body_id, Some(f.plan_id))
            .await
            .unwrap(),
        vec![published.clone()]
    );
    assert!(
        store
            .published_packs(body_id, Some(domain::PlanId::new(f.plan_id.get() + 1000)))
            .await
            .unwrap()
            .is_empty()
    );

    // The same reference again, in any case, is refused: nothing is written.
    let after = counts(&store).await;
    let again = store
        .publish_pack(ACTOR, &pack(f.plan_id.get(), "ach22-038"))
        .await;
    assert!(
        matches!(&again, Err(StoreError::AlreadyPublished { reference, .. }) if reference == "ach22-038"),
        "{again:?}"
    );
    assert!(again.unwrap_err().is_user_error());
    assert_eq!(counts(&store).await, after);
    // A revised pack takes a new reference.
    let mut revised = pack(f.plan_id.get(), "ACH22-038A");
    revised.half = Half::H2;
    let second = store.publish_pack(ACTOR, &revised).await.unwrap();
    assert_eq!(
        store
            .published_packs(body_id, None)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [second.id, published.id],
        "newest first"
    );
    assert_eq!(
        store
            .packs_with_file(&sha256_hex(&bytes(256, 2)))
            .await
            .unwrap()
            .len(),
        2,
        "the same bytes in two packs are found in both"
    );

    // Nothing changes a stored pack, not even SQL from outside Ambit.
    assert!(
        store
            .execute_unchecked("UPDATE published_pack_files SET sha256 = 'x'")
            .await
            .is_err()
    );
    assert!(
        store
            .execute_unchecked("UPDATE published_packs SET reference = 'X'")
            .await
            .is_err()
    );
    assert_eq!(store.published_pack(published.id).await.unwrap(), published);

    // A backup keeps the bytes; a restore gives them back exactly.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.json");
    store.backup(&file).await.unwrap();
    store.restore(ACTOR, &file, "here", true).await.unwrap();
    assert_eq!(store.published_pack(published.id).await.unwrap(), published);
    for (format, content) in &new.files {
        assert!(store.pack_file(published.id, format).await.unwrap() == *content);
    }
}
on_both_engines!(a_published_pack_is_kept_exactly_and_never_changes);
