//! The search index across migrations: entries written before the body
//! became a word of each entry (migration 0022) are found after it, and
//! only in their own body.

use domain::SearchQuery;
use store::SearchScope;

use super::*;

async fn the_migration_keeps_the_search_index(db: TestDb) {
    // A database of the schema before migration 0022, with two bodies whose
    // actions share a word; the triggers of 0019 index them.
    let old = store::Store::connect(&db.location).await.unwrap();
    old.migrate_to(21).await.unwrap();
    let rag = serde_json::to_string(&domain::RagMapping::default()).unwrap();
    let now = "2024-04-01T00:00:00Z";
    let mut sql = String::new();
    for (body, slug) in [(1, "first"), (2, "second")] {
        sql.push_str(&format!(
            "INSERT INTO bodies (slug, name, level_names, rag_mapping, created_at, updated_at) \
             VALUES ('{slug}', 'Council {body}', '[\"Ambition\",\"Priority\",\"Statement\",\"Action\"]', '{rag}', '{now}', '{now}');
             INSERT INTO portfolios (body_id, code, name, created_at, updated_at) VALUES ({body}, 'ACH', 'Adult Care', '{now}', '{now}');
             INSERT INTO plans (portfolio_id, year, published_at, created_at, updated_at) VALUES ({body}, 2024, '{now}', '{now}', '{now}');
             INSERT INTO plan_items (plan_id, parent_id, depth, reference, title, position, created_at, updated_at) VALUES
               ({body}, NULL, 0, '2', 'Ambition 2', 1, '{now}', '{now}');
             INSERT INTO actions (plan_id, item_id, reference, reference_key, title, lead, position, created_at, updated_at) VALUES
               ({body}, {body}, '10A', '10A', 'Open the kestrel aviary in council {body}', 'Director', 1, '{now}', '{now}'),
               ({body}, {body}, '10B', '10B', 'Survey the bats', 'Director', 2, '{now}', '{now}');"
        ));
    }
    old.execute_unchecked(&sql).await.unwrap();
    drop(old);

    let store = db.open().await;
    let query = SearchQuery::parse("kestrel").unwrap();
    for body_id in [1, 2] {
        let scope = SearchScope {
            body_id: domain::BodyId::new(body_id),
            sees_unpublished: false,
            signs_off: false,
            lead: None,
        };
        let found = store.search(&scope, &query, 10, 0).await.unwrap();
        assert_eq!(found.total, 1, "body {body_id}: {found:?}");
        assert!(
            found.hits[0]
                .title
                .plain()
                .ends_with(&format!("council {body_id}")),
            "{found:?}"
        );
    }
    // A search for a body's number is a search for the word, not the body:
    // the bats are not found.
    let scope = SearchScope {
        body_id: domain::BodyId::new(1),
        sees_unpublished: true,
        signs_off: true,
        lead: None,
    };
    let found = store
        .search(&scope, &SearchQuery::parse("1").unwrap(), 10, 0)
        .await
        .unwrap();
    assert_eq!(
        found.total, 1,
        "only the action whose title says 1: {found:?}"
    );
}
on_both_engines!(the_migration_keeps_the_search_index);
