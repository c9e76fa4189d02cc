//! A whole plan imported in one transaction: all or nothing, a dry run
//! that keeps nothing and says the same, a re-import that changes nothing,
//! and the body, strategy and portfolio created from an export's About part;
//! the plan's own state taken by a plan the import creates, and left (and
//! reported) on a plan already there.

use domain::{
    ActionDetails, AlignmentKind, ImportAction, ImportAlignment, ImportItem, ImportSetup,
    ImportUpdate, LevelNames, PlanImport, PlanState, PlanStatus, ReferenceScheme, SetupStrategy,
    Status, Text,
};
use store::{ImportTarget, StoreError};
use testkit::{TestDb, on_both_engines};

use super::{ACTOR, t, year};

pub(super) fn setup() -> ImportSetup {
    ImportSetup {
        body_slug: "eastvale".parse().unwrap(),
        body_name: t("Eastvale Borough Council"),
        reference_scheme: ReferenceScheme::Free,
        level_names: LevelNames::new(&["Priority".into(), "Action".into()]).unwrap(),
        rag: Default::default(),
        strategy: Some(SetupStrategy {
            title: t("Eastvale 2030"),
            years: "2022-2030".parse().unwrap(),
            ambitions: vec![(1, t("A fairer Eastvale"))],
        }),
        portfolio_code: "ASC".parse().unwrap(),
        portfolio_name: t("Adult Social Care"),
        committee: Some(t("People Scrutiny Committee")),
    }
}

pub(super) fn plan(percent_of_second: u8) -> PlanImport {
    let action = |r: &str, title: &str| ImportAction {
        details: ActionDetails {
            reference: r.parse().unwrap(),
            title: t(title),
            lead: t("Head of Adult Services"),
            directorate: None,
            target: Some("January 2025".parse().unwrap()),
            illustrative: false,
        },
        measures: vec![],
        item: 0,
        continues: None,
    };
    let update = |r: &str, status: Status, percent: u8| ImportUpdate {
        action: r.parse().unwrap(),
        period: "H1 2024/25".parse().unwrap(),
        status,
        commentary: Text::parse("commentary", "Under way").unwrap(),
        percent: Some(i64::from(percent).try_into().unwrap()),
        key_achievement: false,
        author: None,
        actuals: vec![],
    };
    PlanImport {
        items: vec![ImportItem {
            depth: 0,
            reference: Some("1".parse().unwrap()),
            title: t("A fairer Eastvale"),
            parent: None,
        }],
        actions: vec![
            action("ASC 3.1", "Open two extra care schemes"),
            action("ASC 3.2", "Review every care package"),
        ],
        updates: vec![
            update("ASC 3.1", Status::OnTrack, 40),
            update("asc 3.2", Status::Complete, percent_of_second),
        ],
        ..PlanImport::default()
    }
}

async fn an_import_is_one_transaction(db: TestDb) {
    let store = db.open().await;
    let (slug, code, setup) = ("eastvale".parse().unwrap(), "ASC".parse().unwrap(), setup());
    let target = ImportTarget {
        body: &slug,
        portfolio: &code,
        year: year("2024/25"),
        setup: Some(&setup),
    };
    // A complete action at 60% is refused: nothing at all is kept, not
    // the body, nor the first action, nor its update.
    let err = store
        .import_plan(ACTOR, target, &plan(60), "eastvale.xlsx", false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.audit_event_count().await.unwrap(), 0);
    assert!(store.bodies().await.unwrap().is_empty());

    let dry = store
        .import_plan(ACTOR, target, &plan(100), "eastvale.xlsx", true)
        .await
        .unwrap();
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        0,
        "a dry run keeps nothing"
    );
    assert_eq!(
        (dry.items.created, dry.actions.created, dry.updates.created),
        (1, 2, 2)
    );
    let real = store
        .import_plan(ACTOR, target, &plan(100), "eastvale.xlsx", false)
        .await
        .unwrap();
    assert_eq!(
        real.changes, dry.changes,
        "the dry run said what the import did"
    );
    let events = store.audit_event_count().await.unwrap();
    assert_eq!(
        events as usize,
        real.changes.len(),
        "one audit event per record"
    );

    let body = store.body(&slug).await.unwrap();
    assert_eq!(body.reference_scheme, ReferenceScheme::Free);
    let portfolio = store.portfolio(Some(body.id), &code).await.unwrap();
    assert_eq!(
        portfolio.committee.unwrap().as_str(),
        "People Scrutiny Committee"
    );
    let tree = store
        .plan_tree(store.plan(portfolio.id, year("2024/25")).await.unwrap().id)
        .await
        .unwrap();
    assert_eq!(tree.updates.len(), 2);
    assert!(
        tree.updates
            .iter()
            .all(|u| u.state == domain::UpdateState::SignedOff),
        "recorded as reported outside the cycle"
    );
    assert_eq!(
        tree.updates[0].input.author.as_str(),
        "Head of Adult Services",
        "the lead wrote it when the file names no author"
    );

    let again = store
        .import_plan(ACTOR, target, &plan(100), "eastvale.xlsx", false)
        .await
        .unwrap();
    assert!(again.is_unchanged());
    assert_eq!((again.actions.unchanged, again.updates.unchanged), (2, 2));
    assert_eq!(store.audit_event_count().await.unwrap(), events);

    // Without an About part an unknown portfolio is named, and nothing is written.
    let other = "HSG".parse().unwrap();
    let err = store
        .import_plan(
            ACTOR,
            ImportTarget {
                portfolio: &other,
                setup: None,
                ..target
            },
            &plan(100),
            "x.xlsx",
            false,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HSG"), "{err}");
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    store.close().await;
}
on_both_engines!(an_import_is_one_transaction);

/// The plan of `plan(100)` as an export of a superseded, published,
/// wholly illustrative plan with two alignments says it.
fn with_state(status: PlanStatus) -> PlanImport {
    PlanImport {
        state: Some(PlanState {
            status,
            approved_on: chrono::NaiveDate::from_ymd_opt(2024, 3, 20),
            published_at: Some(
                chrono::DateTime::parse_from_rfc3339("2024-04-02T09:30:00.123456Z")
                    .unwrap()
                    .to_utc(),
            ),
        }),
        alignments: Some(vec![
            ImportAlignment {
                name: t("Eastvale Carers Strategy"),
                kind: AlignmentKind::Strategy,
                url: Some("https://eastvale.example/carers".into()),
            },
            ImportAlignment {
                name: t("Transformation Programme"),
                kind: AlignmentKind::Programme,
                url: None,
            },
        ]),
        illustrative: true,
        ..plan(100)
    }
}

async fn a_created_plan_takes_the_file_s_state_and_a_plan_already_there_keeps_its_own(db: TestDb) {
    let store = db.open().await;
    let (slug, code, setup) = ("eastvale".parse().unwrap(), "ASC".parse().unwrap(), setup());
    let target = ImportTarget {
        body: &slug,
        portfolio: &code,
        year: year("2024/25"),
        setup: Some(&setup),
    };
    // A superseded plan's record comes in whole: its tree and its updates
    // are written before it takes its status.
    let created = store
        .import_plan(
            ACTOR,
            target,
            &with_state(PlanStatus::Superseded),
            "eastvale.xlsx",
            false,
        )
        .await
        .unwrap();
    assert!(created.plan_differences.is_empty());
    assert_eq!((created.actions.created, created.updates.created), (2, 2));
    assert!(
        created
            .changes
            .iter()
            .any(|c| c.entity == "alignment" && c.key == "Transformation Programme")
    );
    let body = store.body(&slug).await.unwrap();
    let portfolio = store.portfolio(Some(body.id), &code).await.unwrap();
    let stored = store.plan(portfolio.id, year("2024/25")).await.unwrap();
    assert_eq!(stored.status, PlanStatus::Superseded);
    assert_eq!(
        stored.approved_on,
        chrono::NaiveDate::from_ymd_opt(2024, 3, 20)
    );
    assert_eq!(
        stored.published_at.map(|t| t.to_rfc3339()),
        Some("2024-04-02T09:30:00.123456+00:00".to_owned()),
        "the time of publication is kept to the microsecond"
    );
    let names: Vec<&str> = stored.alignments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["Eastvale Carers Strategy", "Transformation Programme"]
    );
    let tree = store.plan_tree(stored.id).await.unwrap();
    assert!(tree.items.iter().all(|i| i.illustrative));
    assert!(tree.actions.iter().all(|a| a.details.illustrative));
    assert!(tree.updates.iter().all(|u| u.input.illustrative));
    assert!(
        tree.updates
            .iter()
            .all(|u| u.state == domain::UpdateState::SignedOff)
    );
    let strategy = store.strategy(body.id).await.unwrap().unwrap();
    assert!(strategy.ambitions.iter().all(|a| a.illustrative));
    let events = store.audit_event_count().await.unwrap();

    // Into the plan now there, a file saying otherwise changes nothing of
    // the plan itself: the differences are reported, in a dry run too.
    let other = PlanImport {
        state: Some(PlanState {
            status: PlanStatus::Draft,
            approved_on: None,
            published_at: None,
        }),
        alignments: Some(vec![]),
        ..with_state(PlanStatus::Draft)
    };
    for dry_run in [true, false] {
        let diff = store
            .import_plan(ACTOR, target, &other, "eastvale.xlsx", dry_run)
            .await
            .unwrap();
        assert!(diff.is_unchanged(), "{:?}", diff.changes);
        let said: Vec<(&str, &str, &str)> = diff
            .plan_differences
            .iter()
            .map(|d| (d.field, d.file.as_str(), d.plan.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("status", "draft", "superseded"),
                ("approved on", "none", "2024-03-20"),
                ("publication", "not published", "published"),
                (
                    "aligned with",
                    "none",
                    "Eastvale Carers Strategy; Transformation Programme"
                ),
            ]
        );
    }
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    assert_eq!(store.plan_by_id(stored.id).await.unwrap(), stored);

    // A file that does not say (no About part) reports nothing.
    let diff = store
        .import_plan(ACTOR, target, &plan(100), "eastvale.xlsx", true)
        .await
        .unwrap();
    assert!(diff.plan_differences.is_empty());
    store.close().await;
}
on_both_engines!(a_created_plan_takes_the_file_s_state_and_a_plan_already_there_keeps_its_own);
