//! A synthetic national data set reads back through the store as a user
//! would see it, on both engines, and the same seed gives the same data.

use demo::national::{self, Params};
use domain::{FinancialYear, Half, SearchQuery, UpdateState};
use store::{CommitmentsOf, SearchKind, SearchScope, Store, StoreError};
use testkit::{TestDb, on_both_engines};

/// A hash in argon2's form; the accounts' password is not tried here.
const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3ludGhldGljc2FsdA$c3ludGhldGljaGFzaHN5bnRoZXRpY2hhc2g";

fn params(seed: u64) -> Params {
    Params {
        bodies: 3,
        portfolios: 2,
        actions: 5,
        years: 2,
        seed,
        last_year: "2025/26".parse().unwrap(),
    }
}

fn year(s: &str) -> FinancialYear {
    s.parse().unwrap()
}

/// Another fresh database on `db`'s engine.
async fn another(db: &TestDb) -> TestDb {
    match db.location.engine() {
        store::Engine::Sqlite => testkit::sqlite(),
        store::Engine::Postgres => testkit::postgres().await.expect("a PostgreSQL server"),
    }
}

async fn write(db: &TestDb, params: &Params) -> store::Written {
    let mut bodies = 0;
    let written = national::write(&db.location, params, Some(HASH.into()), |_| bodies += 1)
        .await
        .unwrap();
    assert_eq!(bodies, params.bodies, "progress hears of every body");
    written
}

async fn a_national_data_set_reads_back_as_written(db: TestDb) {
    let p = params(7);
    let written = write(&db, &p).await;
    assert_eq!(written.of("bodies"), 3);
    assert_eq!(written.of("updates"), p.updates());
    let store = db.open().await;

    let bodies = store.bodies().await.unwrap();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies
            .iter()
            .all(|b| b.name.as_str().ends_with("(synthetic)"))
    );
    assert!(bodies.iter().all(|b| b.slug.as_str().starts_with("syn-")));

    let slug = national::slug(&p, 0);
    let body = store.body(&slug).await.unwrap();
    let portfolios = store.portfolios(body.id).await.unwrap();
    assert_eq!(portfolios.len(), 2);
    let portfolio = &portfolios[0];
    let plan = store.plan(portfolio.id, year("2025/26")).await.unwrap();
    let tree = store.plan_tree(plan.id).await.unwrap();
    assert_eq!(tree.actions.len(), 5);
    assert!(tree.actions.iter().all(|a| a.details.illustrative));

    // Every action has an update for each half of the year; the last
    // half is still open, so some of its updates may await sign-off.
    for action in &tree.actions {
        let updates = store.updates_of(action.id).await.unwrap();
        let halves: Vec<Half> = updates.iter().map(|u| u.period.half).collect();
        assert_eq!(
            halves,
            vec![Half::H1, Half::H2],
            "{}",
            action.details.reference
        );
        assert!(updates.iter().all(|u| u.period.year == year("2025/26")));
        assert_eq!(updates[0].state, UpdateState::SignedOff);
    }
    let periods = store.period_records(plan.id).await.unwrap();
    assert_eq!(
        periods.iter().map(|p| (p.half, p.open)).collect::<Vec<_>>(),
        vec![(Half::H1, false), (Half::H2, true)]
    );

    // An action continuing from last year's keeps its reference, and the
    // year before says it was carried forward.
    let continuing = tree
        .actions
        .iter()
        .find(|a| a.continues.is_some())
        .expect("an action carried forward from 2024/25");
    let lineage = store.lineage(continuing.id).await.unwrap();
    assert_eq!(lineage.len(), 2);
    let (earlier_plan, earlier) = &lineage[0];
    assert_eq!(earlier_plan.year, year("2024/25"));
    assert_eq!(earlier.details.reference, continuing.details.reference);
    assert_eq!(
        earlier.outcome.as_ref().map(|(fate, _)| fate.as_str()),
        Some("carried_forward")
    );
    assert_eq!(store.updates_of(earlier.id).await.unwrap().len(), 2);

    // A committee's promises are about the body's actions.
    let committees = store.committees(body.id).await.unwrap();
    assert_eq!(committees.len(), 1);
    let mut promises = Vec::new();
    for b in &bodies {
        for c in store.committees(b.id).await.unwrap() {
            promises.extend(
                store
                    .commitment_log(CommitmentsOf::Committee(c.id))
                    .await
                    .unwrap(),
            );
        }
    }
    assert!(!promises.is_empty(), "the committees recorded promises");
    for logged in &promises {
        let action = store
            .action(logged.commitment.action_id.expect("about an action"))
            .await
            .unwrap();
        assert!(
            logged
                .commitment
                .source
                .contains(action.details.reference.as_str())
        );
    }
    let meetings = store.meetings(committees[0].id).await.unwrap();
    assert!(meetings.iter().any(|m| m.published));

    // Search finds an action by the words of its title, for the public.
    let action = &tree.actions[0];
    let query = SearchQuery::parse(action.details.title.as_str()).unwrap();
    let scope = SearchScope {
        body_id: body.id,
        sees_unpublished: false,
        signs_off: false,
        lead: None,
    };
    let found = store.search(&scope, &query, 50, 0).await.unwrap();
    assert!(
        found
            .hits
            .iter()
            .any(|h| h.kind == SearchKind::Action
                && h.action.as_ref().map(|a| a.id) == Some(action.id)),
        "searching for {:?} finds it",
        action.details.title
    );

    // Each record has its history, and the data's version moved on.
    let trail = store.audit_trail("action", action.id.get()).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor, national::ACTOR);
    assert_eq!(trail[0].body_id, Some(body.id));
    assert_ne!(
        store.data_version().await.unwrap(),
        store::DataVersion::default()
    );

    // The accounts can be found to sign in.
    let email = format!("officer@{slug}.example").parse().unwrap();
    let (user, hash) = store.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(hash.as_deref(), Some(HASH));
    let memberships = store.memberships(user.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].body_id, body.id);

    // Writing the same data set again is refused, naming the body.
    let again = national::write(&db.location, &p, Some(HASH.into()), |_| {}).await;
    match again {
        Err(StoreError::Duplicate { entity, key, .. }) => {
            assert_eq!((entity, key), ("body", slug.to_string()));
        }
        other => panic!("expected a duplicate body, got {other:?}"),
    }
    assert_eq!(store.bodies().await.unwrap().len(), 3);

    // The store's own writes go on after it, with ids of their own.
    let mut more = another_body("after-the-load");
    more.reference_scheme = domain::ReferenceScheme::Dotted;
    let made = store.create_body("test", more).await.unwrap();
    assert!(bodies.iter().all(|b| b.id < made.id));
}

fn another_body(slug: &str) -> store::NewBody {
    store::NewBody {
        slug: slug.parse().unwrap(),
        name: domain::Title::parse("name", "Another council").unwrap(),
        level_names: Default::default(),
        rag: Default::default(),
        reference_scheme: Default::default(),
    }
}

/// What a user sees of every body: names, plans, actions with their lineage
/// and updates, promises; by reference and text rather than ids.
async fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for body in store.bodies().await.unwrap() {
        out.push(format!(
            "{} {} {}",
            body.slug, body.name, body.reference_scheme
        ));
        let strategy = store.strategy(body.id).await.unwrap().unwrap();
        out.push(format!("{} {}", strategy.title, strategy.ambitions.len()));
        for portfolio in store.portfolios(body.id).await.unwrap() {
            for y in ["2024/25", "2025/26"] {
                let plan = store.plan(portfolio.id, year(y)).await.unwrap();
                let tree = store.plan_tree(plan.id).await.unwrap();
                out.push(format!("{} {y} {:?}", portfolio.code, plan.status));
                for a in &tree.actions {
                    let continues = match a.continues {
                        Some(id) => store
                            .action(id)
                            .await
                            .unwrap()
                            .details
                            .reference
                            .to_string(),
                        None => String::new(),
                    };
                    out.push(format!(
                        "{} {} {} {:?} {continues} {:?} {}",
                        a.details.reference,
                        a.details.title,
                        a.details.lead,
                        a.details.target,
                        a.outcome,
                        a.measures.len()
                    ));
                    for u in store.updates_of(a.id).await.unwrap() {
                        out.push(format!(
                            "{} {} {:?} {} {:?} {:?}",
                            u.period,
                            u.input.status,
                            u.input.percent,
                            u.input.commentary,
                            u.state,
                            u.created_at
                        ));
                    }
                }
            }
        }
        for c in store.committees(body.id).await.unwrap() {
            out.push(c.name.clone());
            for logged in store
                .commitment_log(CommitmentsOf::Committee(c.id))
                .await
                .unwrap()
            {
                let k = &logged.commitment;
                out.push(format!(
                    "{} {} {:?} {:?}",
                    logged.meeting.held_on, k.text, k.status, k.closed_on
                ));
            }
        }
    }
    out
}

async fn the_same_seed_gives_the_same_data(db: TestDb) {
    write(&db, &params(7)).await;
    let twin = another(&db).await;
    write(&twin, &params(7)).await;
    let other = another(&db).await;
    write(&other, &params(8)).await;
    let first = dump(&db.open().await).await;
    assert!(first.len() > 100);
    assert_eq!(first, dump(&twin.open().await).await);
    assert_ne!(first, dump(&other.open().await).await);
}

async fn a_record_breaking_the_rules_writes_nothing(db: TestDb) {
    let p = params(3);
    let mut record = national::body(&p, 1);
    // Body 1 uses dotted references: a statement-style one does not fit.
    record.portfolios[0].plans[0].actions[0].details.reference = "10A".parse().unwrap();
    let mut loader = store::BulkLoader::open(&db.location, national::ACTOR, "test", None)
        .await
        .unwrap();
    let err = loader.write(&record).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("10A"), "{err}");
    loader.finish().await.unwrap();
    assert!(db.open().await.bodies().await.unwrap().is_empty());
}

async fn another_writer_meanwhile_takes_nothing_from_the_load(db: TestDb) {
    let store = db.open().await;
    let p = Params {
        bodies: 6,
        ..params(11)
    };
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0..30 {
                store
                    .create_body("test", another_body(&format!("other-{n}")))
                    .await
                    .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    write(&db, &p).await;
    writer.await.unwrap();
    assert_eq!(store.bodies().await.unwrap().len(), 36);
    for index in 0..p.bodies {
        let body = store.body(&national::slug(&p, index)).await.unwrap();
        for portfolio in store.portfolios(body.id).await.unwrap() {
            assert_eq!(portfolio.body_id, body.id);
            let plan = store.plan(portfolio.id, year("2025/26")).await.unwrap();
            let tree = store.plan_tree(plan.id).await.unwrap();
            assert_eq!(tree.actions.len(), 5);
            assert_eq!(tree.updates.len(), 10);
            for a in &tree.actions {
                assert_eq!(a.plan_id, plan.id);
                let trail = store.audit_trail("action", a.id.get()).await.unwrap();
                assert_eq!(trail.len(), 1);
                assert_eq!(trail[0].body_id, Some(body.id));
            }
        }
    }
}

on_both_engines!(
    another_writer_meanwhile_takes_nothing_from_the_load,
    a_national_data_set_reads_back_as_written,
    the_same_seed_gives_the_same_data,
    a_record_breaking_the_rules_writes_nothing,
);
