//! Failed sign-ins are counted in the database, so every server process
//! holds a guesser back alike: an account from one address, and one
//! address across accounts, with the wait growing and then expiring.

use store::{SignInRules, Store};
use testkit::{TestDb, on_both_engines};

/// A moment to count from, in milliseconds since 1970.
const T0: i64 = 1_765_000_000_000;
const MINUTE: i64 = 60_000;

async fn fail_times(store: &Store, email: &str, client: &str, n: u32, at: i64) {
    for _ in 0..n {
        store.sign_in_failed(email, client, at).await.unwrap();
    }
}

async fn an_account_is_held_back_from_one_address_only(db: TestDb) {
    let store = db.open().await;
    let (here, there) = ("192.0.2.1", "192.0.2.2");
    for _ in 0..SignInRules::FREE_ATTEMPTS {
        assert_eq!(
            store
                .sign_in_wait("Officer@x.example", here, T0)
                .await
                .unwrap(),
            None
        );
        store
            .sign_in_failed(" officer@X.example ", here, T0)
            .await
            .unwrap();
    }
    let wait = store
        .sign_in_wait("officer@x.example", here, T0 + 1_000)
        .await
        .unwrap()
        .expect("held back after the free attempts");
    assert_eq!(wait, SignInRules::FIRST_DELAY_MS - 1_000);
    assert_eq!(
        store
            .sign_in_wait("officer@x.example", there, T0)
            .await
            .unwrap(),
        None,
        "another address is not held back"
    );
    assert_eq!(
        store
            .sign_in_wait("lead@x.example", here, T0)
            .await
            .unwrap(),
        None,
        "another account is not held back"
    );
    store
        .sign_in_failed("officer@x.example", here, T0 + MINUTE)
        .await
        .unwrap();
    assert_eq!(
        store
            .sign_in_wait("officer@x.example", here, T0 + MINUTE)
            .await
            .unwrap(),
        Some(2 * SignInRules::FIRST_DELAY_MS),
        "the wait doubles"
    );
    store
        .sign_in_succeeded("officer@x.example", here)
        .await
        .unwrap();
    assert_eq!(
        store
            .sign_in_wait("officer@x.example", here, T0 + MINUTE)
            .await
            .unwrap(),
        None
    );
}
on_both_engines!(an_account_is_held_back_from_one_address_only);

async fn one_address_is_limited_across_accounts(db: TestDb) {
    let store = db.open().await;
    let office = "2001:db8::1";
    let max = u32::try_from(SignInRules::MAX_PER_ADDRESS).unwrap();
    for i in 0..max {
        store
            .sign_in_failed(&format!("user{i}@x.example"), office, T0 + i64::from(i))
            .await
            .unwrap();
    }
    let wait = store
        .sign_in_wait("someone-new@x.example", office, T0 + MINUTE)
        .await
        .unwrap();
    assert_eq!(wait, Some(SignInRules::WINDOW_MS - MINUTE));
    assert_eq!(
        store
            .sign_in_wait("someone-new@x.example", "2001:db8::2", T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .sign_in_wait("someone-new@x.example", office, T0 + SignInRules::WINDOW_MS)
            .await
            .unwrap(),
        None,
        "the window passes"
    );
}
on_both_engines!(one_address_is_limited_across_accounts);

async fn failures_expire_and_the_tables_stay_small(db: TestDb) {
    let store = db.open().await;
    fail_times(&store, "victim@x.example", "198.51.100.7", 7, T0).await;
    let long = "x".repeat(1 << 20);
    assert_eq!(
        store.sign_in_wait(&long, "198.51.100.7", T0).await.unwrap(),
        None
    );
    assert_eq!(
        store.sign_in_rows().await.unwrap(),
        (1, 1),
        "asking writes nothing"
    );
    // Guesses from many addresses, then quiet for longer than the window
    // and the longest wait: the next failure sweeps the old ones away.
    for i in 0..200 {
        store
            .sign_in_failed("a@x.example", &format!("10.0.0.{i}"), T0 + i)
            .await
            .unwrap();
    }
    assert_eq!(store.sign_in_rows().await.unwrap(), (201, 201));
    let later = T0 + SignInRules::WINDOW_MS + SignInRules::MAX_DELAY_MS + MINUTE;
    fail_times(&store, "a@x.example", "10.9.9.9", 1, later).await;
    assert_eq!(store.sign_in_rows().await.unwrap(), (1, 1));
    // An account quiet for a window starts again with its free attempts.
    fail_times(&store, "b@x.example", "10.1.1.1", 5, later).await;
    assert!(
        store
            .sign_in_wait("b@x.example", "10.1.1.1", later)
            .await
            .unwrap()
            .is_some()
    );
    let next = later + SignInRules::WINDOW_MS + MINUTE;
    fail_times(&store, "b@x.example", "10.1.1.1", 1, next).await;
    assert_eq!(
        store
            .sign_in_wait("b@x.example", "10.1.1.1", next)
            .await
            .unwrap(),
        None,
        "one failure after a quiet window is a first failure"
    );
}
on_both_engines!(failures_expire_and_the_tables_stay_small);
