//! Reference schemes per body: references unique within a plan ignoring
//! case and spaces, plan trees in natural order, the scheme checked on every
//! write and changeable only while the body has no plans, and the migration
//! that brought them keeping existing data as it was.

use domain::{ActionDetails, ReferenceScheme};
use store::{NewAction, NewBody, NewItem, Store, StoreError};
use testkit::{TestDb, on_both_engines};

use super::{ACTOR, t, year};

struct Plan {
    plan_id: domain::PlanId,
    top: domain::PlanItemId,
}

/// A body with `scheme`, three levels (Theme → Outcome → Action), one
/// portfolio and its 2024/25 plan with top item "1".
async fn body_with(store: &Store, slug: &str, scheme: ReferenceScheme) -> Plan {
    let body = store
        .create_body(
            ACTOR,
            NewBody {
                slug: slug.parse().unwrap(),
                name: t("Northmoor District Council"),
                level_names: domain::LevelNames::new(&[
                    "Theme".into(),
                    "Outcome".into(),
                    "Action".into(),
                ])
                .unwrap(),
                rag: Default::default(),
                reference_scheme: scheme,
            },
        )
        .await
        .unwrap();
    let strategy = store
        .create_strategy(
            ACTOR,
            body.id,
            t("Northmoor Together"),
            "2023-2028".parse().unwrap(),
        )
        .await
        .unwrap();
    let ambition = store
        .add_ambition(ACTOR, strategy.id, 1, t("A greener Northmoor"), false)
        .await
        .unwrap();
    let portfolio = store
        .create_portfolio(
            ACTOR,
            body.id,
            "ENV".parse().unwrap(),
            t("Environment"),
            None,
        )
        .await
        .unwrap();
    let plan = store
        .create_plan(ACTOR, portfolio.id, year("2024/25"), &[])
        .await
        .unwrap();
    let top = store
        .add_item(
            ACTOR,
            NewItem {
                plan_id: plan.id,
                parent_id: None,
                ambition_id: Some(ambition.id),
                reference: Some("1".parse().unwrap()),
                title: t("A greener Northmoor"),
                illustrative: false,
            },
        )
        .await
        .unwrap();
    Plan {
        plan_id: plan.id,
        top: top.id,
    }
}

async fn item(store: &Store, p: &Plan, reference: &str) -> Result<domain::PlanItemId, StoreError> {
    store
        .add_item(
            ACTOR,
            NewItem {
                plan_id: p.plan_id,
                parent_id: Some(p.top),
                ambition_id: None,
                reference: Some(reference.parse().unwrap()),
                title: t(&format!("Outcome {reference}")),
                illustrative: false,
            },
        )
        .await
        .map(|i| i.id)
}

fn details(reference: &str) -> ActionDetails {
    ActionDetails {
        reference: reference.parse().unwrap(),
        title: t(&format!("Action {reference}")),
        lead: t("Head of Climate"),
        directorate: None,
        target: None,
        illustrative: false,
    }
}

async fn action(
    store: &Store,
    item_id: i64,
    reference: &str,
) -> Result<domain::Action, StoreError> {
    store
        .add_action(
            ACTOR,
            NewAction {
                item_id: domain::PlanItemId::new(item_id),
                details: details(reference),
                measures: vec![],
                continues: None,
            },
        )
        .await
}

async fn references_are_unique_ignoring_case_and_spaces(db: TestDb) {
    let store = db.open().await;
    let p = body_with(&store, "northmoor", ReferenceScheme::Free).await;
    let asc = item(&store, &p, "ASC").await.unwrap();
    let first = action(&store, asc.get(), "ASC 3.2").await.unwrap();
    assert_eq!(first.details.reference.as_str(), "ASC 3.2");
    for clash in ["asc 3.2", "ASC3.2", " Asc  3.2 "] {
        let err = action(&store, asc.get(), clash).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { .. }),
            "{clash}: {err}"
        );
        assert!(err.is_user_error());
        assert!(
            err.to_string().contains("the same as ASC 3.2"),
            "{clash}: {err}"
        );
    }
    // Editing another action onto it is refused the same way.
    let other = action(&store, asc.get(), "P&R-07").await.unwrap();
    let err = store
        .edit_action(ACTOR, other.id, other.version, details("asc 3.2"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    // Looking one up ignores case and spaces too.
    let found = store
        .action_by_ref(p.plan_id, &"asc3.2".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(found.id, first.id);
    // Other plans may use the same reference.
    let q = body_with(&store, "eastbridge", ReferenceScheme::Free).await;
    let asc2 = item(&store, &q, "ASC").await.unwrap();
    action(&store, asc2.get(), "asc 3.2").await.unwrap();
}
on_both_engines!(references_are_unique_ignoring_case_and_spaces);

async fn plan_trees_read_in_natural_order(db: TestDb) {
    let store = db.open().await;
    let p = body_with(&store, "northmoor", ReferenceScheme::Dotted).await;
    let ten = item(&store, &p, "1.10").await.unwrap();
    let nine = item(&store, &p, "1.9").await.unwrap();
    for r in ["1.10.2", "1.10.10", "1.10.1", "1.10.9"] {
        action(&store, ten.get(), r).await.unwrap();
    }
    action(&store, nine.get(), "1.9.1").await.unwrap();
    let tree = store.plan_tree(p.plan_id).await.unwrap();
    let items: Vec<String> = tree
        .children(Some(p.top))
        .map(|i| i.reference.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(items, ["1.9", "1.10"]);
    let actions: Vec<String> = tree
        .actions
        .iter()
        .map(|a| a.details.reference.to_string())
        .collect();
    assert_eq!(actions, ["1.9.1", "1.10.1", "1.10.2", "1.10.9", "1.10.10"]);
}
on_both_engines!(plan_trees_read_in_natural_order);

async fn the_store_checks_the_bodys_scheme(db: TestDb) {
    let store = db.open().await;
    let p = body_with(&store, "northmoor", ReferenceScheme::Dotted).await;
    let outcome = item(&store, &p, "1.1").await.unwrap();
    // An item must extend the number of the item above.
    let err = item(&store, &p, "2.1").await.unwrap_err();
    assert!(
        err.to_string().contains("1.1, as it sits under item 1"),
        "{err}"
    );
    // An action must be the outcome's number and one more.
    let err = action(&store, outcome.get(), "1.2.3").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("1.1.1"), "{err}");
    // A statement reference is not a dotted one.
    let err = action(&store, outcome.get(), "10A").await.unwrap_err();
    assert!(err.to_string().contains("such as 1.2.3"), "{err}");
    action(&store, outcome.get(), "1.1.1").await.unwrap();
    // Changing the reference of an item whose actions carry it is refused.
    let (it, _) = store.plan_item(outcome).await.unwrap();
    let err = store
        .edit_item(
            ACTOR,
            outcome,
            it.version,
            Some("1.5".parse().unwrap()),
            t("Outcome"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1.1.1 carry it"), "{err}");
}
on_both_engines!(the_store_checks_the_bodys_scheme);

async fn the_scheme_changes_only_while_the_body_has_no_plans(db: TestDb) {
    let store = db.open().await;
    let body = store
        .create_body(
            ACTOR,
            NewBody {
                slug: "northmoor".parse().unwrap(),
                name: t("Northmoor District Council"),
                level_names: Default::default(),
                rag: Default::default(),
                reference_scheme: Default::default(),
            },
        )
        .await
        .unwrap();
    assert_eq!(body.reference_scheme, ReferenceScheme::Statement);
    let changed = store
        .set_reference_scheme(ACTOR, body.id, body.version, ReferenceScheme::Dotted)
        .await
        .unwrap();
    assert_eq!(changed.reference_scheme, ReferenceScheme::Dotted);
    let stored = store.body_by_id(body.id).await.unwrap();
    assert_eq!(stored.reference_scheme, ReferenceScheme::Dotted);
    assert_eq!(stored.version, changed.version);
    // A stale version is refused.
    let err = store
        .set_reference_scheme(ACTOR, body.id, body.version, ReferenceScheme::Free)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    let trail = store.audit_trail("body", body.id.get()).await.unwrap();
    assert!(
        trail.iter().any(|e| e
            .after
            .as_ref()
            .is_some_and(|a| a["reference_scheme"] == "dotted")),
        "audited"
    );

    let portfolio = store
        .create_portfolio(
            ACTOR,
            body.id,
            "ENV".parse().unwrap(),
            t("Environment"),
            None,
        )
        .await
        .unwrap();
    store
        .create_plan(ACTOR, portfolio.id, year("2024/25"), &[])
        .await
        .unwrap();
    assert_eq!(store.plan_count(body.id).await.unwrap(), 1);
    let err = store
        .set_reference_scheme(ACTOR, body.id, stored.version, ReferenceScheme::Free)
        .await
        .unwrap_err();
    assert!(err.is_user_error());
    assert!(
        err.to_string()
            .contains("can be changed only while it has no plans"),
        "{err}"
    );
    assert_eq!(
        store.body_by_id(body.id).await.unwrap().reference_scheme,
        ReferenceScheme::Dotted
    );
}
on_both_engines!(the_scheme_changes_only_while_the_body_has_no_plans);

async fn the_migration_keeps_existing_references(db: TestDb) {
    // A database of the schema before reference schemes (migration 0011),
    // fresh, so its rows get ids 1, 2, 3 in the order written.
    let old = store::Store::connect(&db.location).await.unwrap();
    old.migrate_to(11).await.unwrap();
    let rag = serde_json::to_string(&domain::RagMapping::default()).unwrap();
    let now = "2024-04-01T00:00:00Z";
    old.execute_unchecked(&format!(
        "INSERT INTO bodies (slug, name, level_names, rag_mapping, created_at, updated_at) \
         VALUES ('bromley', 'London Borough of Bromley', '[\"Ambition\",\"Priority\",\"Statement\",\"Action\"]', '{rag}', '{now}', '{now}');
         INSERT INTO portfolios (body_id, code, name, created_at, updated_at) VALUES (1, 'ACH', 'Adult Care and Health', '{now}', '{now}');
         INSERT INTO plans (portfolio_id, year, created_at, updated_at) VALUES (1, 2024, '{now}', '{now}');
         INSERT INTO plan_items (plan_id, parent_id, depth, number, title, position, created_at, updated_at) VALUES
           (1, NULL, 0, 2, 'Ambition 2', 1, '{now}', '{now}'),
           (1, 1, 1, NULL, 'Supporting carers', 1, '{now}', '{now}'),
           (1, 2, 2, 10, 'Carers are supported', 1, '{now}', '{now}');
         INSERT INTO actions (plan_id, item_id, reference, title, lead, position, created_at, updated_at) VALUES
           (1, 3, '10B', 'Second', 'Director', 1, '{now}', '{now}'),
           (1, 3, '10A', 'First', 'Director', 2, '{now}', '{now}');"
    ))
    .await
    .unwrap();
    drop(old);

    let store = db.open().await;
    let body = store.body_by_id(domain::BodyId::new(1)).await.unwrap();
    assert_eq!(body.reference_scheme, ReferenceScheme::Statement);
    let tree = store.plan_tree(domain::PlanId::new(1)).await.unwrap();
    let refs: Vec<Option<String>> = tree
        .items
        .iter()
        .map(|i| i.reference.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(refs, [Some("2".into()), None, Some("10".into())]);
    let actions: Vec<String> = tree
        .actions
        .iter()
        .map(|a| a.details.reference.to_string())
        .collect();
    assert_eq!(actions, ["10A", "10B"], "kept, in natural order");
    // The new key holds for the old rows: "10a" is 10A. (Old plans are
    // approved, so a new action is an amendment.)
    let store = store
        .amending(&domain::Text::parse("amendment", "adding an action").unwrap())
        .unwrap();
    let err = action(&store, 3, "10a").await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    action(&store, 3, "10C").await.unwrap();
}
on_both_engines!(the_migration_keeps_existing_references);
