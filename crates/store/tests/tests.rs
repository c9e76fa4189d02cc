//! The store's story, told once and run on SQLite and on PostgreSQL.

use domain::{
    ActionDetails, Direction, FinancialYear, Indicator, Measure, MeasureActual, MeasureTarget,
    Percent, ReportingPeriod, Status, Text, Title, UpdateInput,
};
use store::{NewAction, NewBody, NewItem, Store, StoreError};
use testkit::{TestDb, on_both_engines};

#[path = "suite/accounts.rs"]
mod accounts;
#[path = "suite/home.rs"]
mod home;
#[path = "suite/import.rs"]
mod import;
#[path = "suite/packs.rs"]
mod packs;
#[path = "suite/references.rs"]
mod references;
#[path = "suite/search.rs"]
mod search;
#[path = "suite/sign_in.rs"]
mod sign_in;
#[path = "suite/uploads.rs"]
mod uploads;

const ACTOR: &str = "test officer";

fn t(s: &str) -> Title {
    Title::parse("title", s).unwrap()
}

fn year(s: &str) -> FinancialYear {
    s.parse().unwrap()
}

fn details(reference: &str, target: &str) -> ActionDetails {
    ActionDetails {
        reference: reference.parse().unwrap(),
        title: t(
            "Develop a new support offer to help and sustain unpaid carers including young carers",
        ),
        lead: t("Assistant Director for Integrated Commissioning"),
        directorate: None,
        target: Some(target.parse().unwrap()),
        illustrative: false,
    }
}

fn update(status: Status, percent: Option<i64>, commentary: &str) -> UpdateInput {
    UpdateInput {
        status,
        commentary: Text::parse("commentary", commentary).unwrap(),
        percent: percent.map(|p| Percent::try_from(p).unwrap()),
        key_achievement: false,
        actuals: vec![],
        author: t("Assistant Director for Integrated Commissioning"),
        illustrative: false,
    }
}

fn new_action(
    item_id: domain::PlanItemId,
    reference: &str,
    target: &str,
    continues: Option<domain::ActionId>,
) -> NewAction {
    NewAction {
        item_id,
        details: details(reference, target),
        measures: vec![],
        continues,
    }
}

/// Ids of what [`bromley`] created.
struct Fixture {
    plan_id: domain::PlanId,
    statement_10: domain::PlanItemId,
    statement_11: domain::PlanItemId,
    carers_10a: domain::ActionId,
    indicator: domain::MeasureId,
}

/// A body with a strategy, the ACH portfolio, its 2022/23 plan and action 10A.
async fn bromley(store: &Store) -> Fixture {
    let body = store
        .create_body(
            ACTOR,
            NewBody {
                slug: "bromley".parse().unwrap(),
                name: t("London Borough of Bromley"),
                level_names: Default::default(),
                rag: Default::default(),
                reference_scheme: Default::default(),
            },
        )
        .await
        .unwrap();
    let strategy = store
        .create_strategy(
            ACTOR,
            body.id,
            t("Making Bromley Even Better"),
            "2021-2031".parse().unwrap(),
        )
        .await
        .unwrap();
    let ambition = store
        .add_ambition(
            ACTOR,
            strategy.id,
            2,
            t("For adults and older people to enjoy fulfilled and successful lives"),
            false,
        )
        .await
        .unwrap();
    let committee = store
        .create_committee(
            ACTOR,
            body.id,
            &store::CommitteeDetails {
                name: t("Adult Care and Health PDS Committee"),
                clerk: None,
            },
        )
        .await
        .unwrap()
        .id;
    let alignment = store
        .create_alignment(
            ACTOR,
            body.id,
            t("Bromley Carers Strategy"),
            domain::AlignmentKind::Strategy,
            Some("https://www.bromley.gov.uk/carers".into()),
        )
        .await
        .unwrap();
    let portfolio = store
        .create_portfolio(
            ACTOR,
            body.id,
            "ACH".parse().unwrap(),
            t("Adult Care and Health"),
            Some(committee),
        )
        .await
        .unwrap();
    let plan = store
        .create_plan(ACTOR, portfolio.id, year("2022/23"), &[alignment.id])
        .await
        .unwrap();
    let item = |parent_id: Option<i64>,
                ambition_id: Option<i64>,
                number: Option<u16>,
                title: &str| NewItem {
        plan_id: plan.id,
        parent_id: parent_id.map(domain::PlanItemId::new),
        ambition_id: ambition_id.map(domain::AmbitionId::new),
        reference: number.map(|n: u16| n.to_string().parse().unwrap()),
        title: t(title),
        illustrative: false,
    };
    let top = store
        .add_item(
            ACTOR,
            item(None, Some(ambition.id.get()), Some(2), "Ambition 2"),
        )
        .await
        .unwrap();
    let priority = store
        .add_item(
            ACTOR,
            item(Some(top.id.get()), None, None, "Supporting carers"),
        )
        .await
        .unwrap();
    let statement_10 = store
        .add_item(
            ACTOR,
            item(
                Some(priority.id.get()),
                None,
                Some(10),
                "Unpaid carers are supported",
            ),
        )
        .await
        .unwrap();
    let statement_11 = store
        .add_item(
            ACTOR,
            item(
                Some(priority.id.get()),
                None,
                Some(11),
                "Adults keep learning",
            ),
        )
        .await
        .unwrap();
    let indicator = Indicator::new(
        t("Unpaid carers assessed"),
        t("carers"),
        Direction::Up,
        Some(1200.0),
        vec![MeasureTarget {
            year: year("2022/23"),
            half: None,
            value: 1400.0,
        }],
    )
    .unwrap();
    let mut carers = new_action(statement_10.id, "10A", "January 2023", None);
    carers.measures = vec![
        Measure::statement("A Bromley Carers Strategy published").unwrap(),
        Measure::Indicator(indicator),
    ];
    let action = store.add_action(ACTOR, carers).await.unwrap();
    let indicator = action
        .measures
        .iter()
        .find(|(_, m)| matches!(m, Measure::Indicator(_)))
        .unwrap()
        .0;
    Fixture {
        plan_id: plan.id,
        statement_10: statement_10.id,
        statement_11: statement_11.id,
        carers_10a: action.id,
        indicator,
    }
}

fn h1() -> ReportingPeriod {
    ReportingPeriod::new(year("2022/23"), domain::Half::H1)
}

async fn plan_tree_holds_the_plan(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let mut input = update(
        Status::AtRisk,
        Some(60),
        "An early draft of the Carers Strategy has been written.",
    );
    input.actuals = vec![MeasureActual {
        measure_id: f.indicator,
        value: 640.0,
    }];
    input.key_achievement = true;
    store
        .record_update(ACTOR, f.carers_10a, h1(), input, None)
        .await
        .unwrap();

    let tree = store.plan_tree(f.plan_id).await.unwrap();
    assert_eq!(tree.plan.year, year("2022/23"));
    assert_eq!(
        tree.plan.alignments[0].name.as_str(),
        "Bromley Carers Strategy"
    );
    assert_eq!(tree.items.len(), 4);
    let action = &tree.actions[0];
    assert_eq!(action.details.reference.to_string(), "10A");
    assert_eq!(action.details.target.unwrap().to_string(), "January 2023");
    let Measure::Indicator(i) = &action.measures[1].1 else {
        panic!("indicator expected")
    };
    assert_eq!(
        (i.baseline, i.year_end_target(year("2022/23"))),
        (Some(1200.0), Some(1400.0))
    );
    let latest = tree.latest(action.id).unwrap();
    assert_eq!(latest.input.status, Status::AtRisk);
    assert_eq!(
        latest.input.actuals,
        vec![MeasureActual {
            measure_id: f.indicator,
            value: 640.0
        }]
    );
    assert!(latest.input.key_achievement);
    let path: Vec<&str> = tree
        .path_of(action)
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(
        path,
        [
            "Ambition 2",
            "Supporting carers",
            "Unpaid carers are supported"
        ]
    );
    assert_eq!(
        tree.rollup(Some(h1())).sentence(),
        "progress had been made on all of the actions (1 of 1)"
    );
    assert_eq!(tree.rollup(Some(h1().next())).no_update(), 1);
}
on_both_engines!(plan_tree_holds_the_plan);

async fn bad_input_is_refused_and_nothing_is_written(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let events = store.audit_event_count().await.unwrap();

    let err = store
        .add_action(ACTOR, new_action(f.statement_10, "10A", "March 2023", None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    assert!(err.to_string().contains("10A already exists"), "{err}");

    let err = store
        .add_action(ACTOR, new_action(f.statement_11, "10B", "March 2023", None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("starting with 11"), "{err}");

    let err = store
        .add_action(ACTOR, new_action(f.statement_10, "10B", "June 2023", None))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("target date"), "{err}");

    let wrong_year = ReportingPeriod::new(year("2023/24"), domain::Half::H1);
    let err = store
        .record_update(
            ACTOR,
            f.carers_10a,
            wrong_year,
            update(Status::OnTrack, None, ""),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotInPeriod { .. }), "{err}");
    assert!(err.to_string().contains("2022/23 plan"), "{err}");

    let err = store
        .record_update(
            ACTOR,
            f.carers_10a,
            h1(),
            update(Status::Complete, Some(50), ""),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("percent"), "{err}");

    let mut with_statement_figure = update(Status::OnTrack, None, "");
    let statement_measure = store.action(f.carers_10a).await.unwrap().measures[0].0;
    with_statement_figure.actuals = vec![MeasureActual {
        measure_id: statement_measure,
        value: 3.0,
    }];
    let err = store
        .record_update(ACTOR, f.carers_10a, h1(), with_statement_figure, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("numeric measures"), "{err}");

    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "refused writes leave no trace"
    );
    assert!(store.updates_of(f.carers_10a).await.unwrap().is_empty());
    assert_eq!(store.plan_tree(f.plan_id).await.unwrap().actions.len(), 1);
}
on_both_engines!(bad_input_is_refused_and_nothing_is_written);

async fn stale_versions_are_refused(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let read_by_both = store.action(f.carers_10a).await.unwrap();

    let mut first = read_by_both.details.clone();
    first.title = t("Develop and publish the Bromley Carers Strategy");
    let saved = store
        .edit_action("officer one", f.carers_10a, read_by_both.version, first)
        .await
        .unwrap();
    assert_eq!(saved.version, read_by_both.version.next());

    let mut second = read_by_both.details.clone();
    second.lead = t("Director of Adult Social Care");
    let err = store
        .edit_action("officer two", f.carers_10a, read_by_both.version, second)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }));
    assert!(
        err.to_string().contains("someone else changed action 10A"),
        "{err}"
    );
    let now = store.action(f.carers_10a).await.unwrap();
    assert_eq!(
        now.details.title.as_str(),
        "Develop and publish the Bromley Carers Strategy"
    );
    assert_eq!(
        now.details.lead.as_str(),
        "Assistant Director for Integrated Commissioning"
    );

    // Updates written in open periods stay drafts, so they can be saved again.
    for half in [domain::Half::H1, domain::Half::H2] {
        store
            .open_period(
                "officer",
                f.plan_id,
                half,
                chrono::NaiveDate::from_ymd_opt(2023, 4, 15).unwrap(),
                7,
            )
            .await
            .unwrap();
    }
    let v1 = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, Some(30), "first"),
            None,
        )
        .await
        .unwrap();
    let v2 = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::AtRisk, Some(40), "second"),
            Some(v1.version),
        )
        .await
        .unwrap();
    assert_eq!(v2.version, domain::Version::new(2));
    let err = store
        .record_update(
            "other",
            f.carers_10a,
            h1(),
            update(Status::OffTrack, None, "stale"),
            Some(v1.version),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("someone else changed update for 10A in H1 2022/23"),
        "{err}"
    );
    assert_eq!(
        store.update(v2.id).await.unwrap().input.commentary.as_str(),
        "second"
    );

    // Two people who both saw no update: the second save is refused.
    let h2 = h1().next();
    store
        .record_update(
            "officer",
            f.carers_10a,
            h2,
            update(Status::OnTrack, None, "officer's"),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    let err = store
        .record_update(
            "lead",
            f.carers_10a,
            h2,
            update(Status::AtRisk, None, "lead's"),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { current: 1, .. }),
        "{err}"
    );
}
on_both_engines!(stale_versions_are_refused);

async fn every_write_is_audited_and_deletes_are_soft(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let action = store.action(f.carers_10a).await.unwrap();
    let mut changed = action.details.clone();
    changed.lead = t("Director of Adult Social Care");
    let edited = store
        .edit_action("officer one", action.id, action.version, changed)
        .await
        .unwrap();
    store
        .delete_action("officer two", action.id, edited.version)
        .await
        .unwrap();

    let trail = store.audit_trail("action", action.id.get()).await.unwrap();
    let ops: Vec<(&str, &str)> = trail
        .iter()
        .map(|e| (e.operation.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("create", ACTOR),
            ("edit", "officer one"),
            ("delete", "officer two")
        ]
    );
    let edit = &trail[1];
    assert_eq!(
        edit.before.as_ref().unwrap()["lead"],
        "Assistant Director for Integrated Commissioning"
    );
    assert_eq!(
        edit.after.as_ref().unwrap()["lead"],
        "Director of Adult Social Care"
    );
    assert!(trail[2].after.is_none() && trail[2].before.is_some());

    assert!(matches!(
        store.action(action.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.plan_tree(f.plan_id).await.unwrap().actions.is_empty());
    // The reference is free again for a new action; the old one lives on in its audit trail.
    store
        .add_action(ACTOR, new_action(f.statement_10, "10A", "March 2023", None))
        .await
        .unwrap();
}
on_both_engines!(every_write_is_audited_and_deletes_are_soft);

async fn backup_and_restore_round_trip(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let mut input = update(
        Status::OnTrack,
        Some(45),
        "Cymraeg ŵ, emoji 👍, שלום, <b>markup</b> & \"quotes\"\nsecond line",
    );
    input.actuals = vec![MeasureActual {
        measure_id: f.indicator,
        value: 640.5,
    }];
    store
        .record_update(ACTOR, f.carers_10a, h1(), input, None)
        .await
        .unwrap();
    let before = store.plan_tree(f.plan_id).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ambit-backup.json");
    let summary = store.backup(&file).await.unwrap();
    assert_eq!(summary.rows["actions"], 1);
    assert!(
        matches!(store.backup(&file).await, Err(StoreError::Backup { .. })),
        "an existing file is never overwritten"
    );

    let err = store
        .restore(ACTOR, &file, "here", false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WouldOverwrite { .. }), "{err}");
    assert!(err.to_string().contains("--force"));

    // Into an empty database of the same engine, and into an empty SQLite file.
    let empty_same = match db.sqlite_path() {
        Some(_) => testkit::sqlite(),
        None => testkit::postgres().await.unwrap(),
    };
    for target in [empty_same, testkit::sqlite()] {
        let restored = target.open().await;
        restored
            .restore(ACTOR, &file, "target", false)
            .await
            .unwrap();
        let after = restored.plan_tree(f.plan_id).await.unwrap();
        assert_eq!(
            serde_json::to_value(&after.actions).unwrap(),
            serde_json::to_value(&before.actions).unwrap()
        );
        assert_eq!(
            serde_json::to_value(&after.updates).unwrap(),
            serde_json::to_value(&before.updates).unwrap()
        );
        assert_eq!(after.items.len(), before.items.len());
        // The restored database keeps working: new rows get fresh ids.
        restored
            .add_action(ACTOR, new_action(f.statement_11, "11", "March 2023", None))
            .await
            .unwrap();
        let trail = restored.audit_trail("database", 0).await.unwrap();
        assert_eq!(trail.last().unwrap().operation, "restore");
    }

    // With force, the current data is replaced.
    store
        .add_action(ACTOR, new_action(f.statement_11, "11", "March 2023", None))
        .await
        .unwrap();
    store.restore(ACTOR, &file, "here", true).await.unwrap();
    assert_eq!(store.plan_tree(f.plan_id).await.unwrap().actions.len(), 1);

    // A file that is not a backup is refused with its name, and changes nothing.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"hello\": 1}").unwrap();
    let err = store.restore(ACTOR, &junk, "here", true).await.unwrap_err();
    assert!(
        err.to_string().contains("junk.json") && err.to_string().contains("not an Ambit backup"),
        "{err}"
    );
    assert_eq!(store.plan_tree(f.plan_id).await.unwrap().actions.len(), 1);
}
on_both_engines!(backup_and_restore_round_trip);

async fn concurrent_writers_all_succeed(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let mut tasks = Vec::new();
    for letter in 'A'..='L' {
        let store = store.clone();
        let item = f.statement_11;
        tasks.push(tokio::spawn(async move {
            store
                .add_action(
                    ACTOR,
                    new_action(item, &format!("11{letter}"), "March 2023", None),
                )
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.plan_tree(f.plan_id).await.unwrap().actions.len(), 13);
}
on_both_engines!(concurrent_writers_all_succeed);

async fn lineage_links_only_to_the_previous_year(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let plan = store.plan_by_id(f.plan_id).await.unwrap();
    let next = store
        .create_plan(ACTOR, plan.portfolio_id, year("2023/24"), &[])
        .await
        .unwrap();
    let ambition = store.plan_tree(f.plan_id).await.unwrap().items[0].ambition_id;
    let item = |parent_id, ambition_id, number: Option<u16>| NewItem {
        plan_id: next.id,
        parent_id,
        ambition_id,
        reference: number.map(|n| n.to_string().parse().unwrap()),
        title: t("Carers"),
        illustrative: false,
    };
    let top = store
        .add_item(ACTOR, item(None, ambition, Some(2)))
        .await
        .unwrap();
    let priority = store
        .add_item(ACTOR, item(Some(top.id), None, None))
        .await
        .unwrap();
    let statement = store
        .add_item(ACTOR, item(Some(priority.id), None, Some(10)))
        .await
        .unwrap();
    let continued = store
        .add_action(
            ACTOR,
            new_action(statement.id, "10A", "March 2024", Some(f.carers_10a)),
        )
        .await
        .unwrap();
    assert_eq!(continued.continues, Some(f.carers_10a));
    let err = store
        .add_action(
            ACTOR,
            new_action(statement.id, "10B", "March 2024", Some(continued.id)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2022/23 plan"), "{err}");
    let err = store
        .add_item(ACTOR, item(Some(statement.id), None, None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("above the Action level"), "{err}");
    let err = store
        .create_plan(ACTOR, plan.portfolio_id, year("2023/24"), &[])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
}
on_both_engines!(lineage_links_only_to_the_previous_year);

#[tokio::test]
async fn a_missing_folder_is_reported_with_what_to_do() {
    let location = store::DatabaseLocation::SqliteFile("/nonexistent/folder/ambit.db".into());
    let err = Store::open(&location).await.unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(err.is_user_error());
}

/// Plan trees are kept in memory between reads; a write by anyone, even
/// through another connection pool (another process), is seen at once.
async fn a_cached_plan_tree_never_goes_stale(db: TestDb) {
    let reader = db.open().await;
    let f = bromley(&reader).await;
    assert!(
        reader
            .plan_tree(f.plan_id)
            .await
            .unwrap()
            .updates
            .is_empty()
    );
    let first = reader.plan_tree(f.plan_id).await.unwrap();
    let again = reader.plan_tree(f.plan_id).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "an unchanged plan is served from memory"
    );

    let writer = db.open().await;
    writer
        .record_update(
            ACTOR,
            f.carers_10a,
            h1(),
            update(Status::OnTrack, Some(10), "written elsewhere"),
            None,
        )
        .await
        .unwrap();
    let after = reader.plan_tree(f.plan_id).await.unwrap();
    assert_eq!(after.updates.len(), 1);
    assert_eq!(
        after.updates[0].input.commentary.as_str(),
        "written elsewhere"
    );

    // A write in another body leaves the plan in memory; one that belongs
    // to no body (an account) does not.
    add_body(&writer, "elsewhere").await;
    let kept = reader.plan_tree(f.plan_id).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&after, &kept),
        "another body's write leaves the plan in memory"
    );
    let (slug, code) = ("bromley".parse().unwrap(), "ACH".parse().unwrap());
    let view = reader
        .plan_view(&slug, &code, year("2022/23"))
        .await
        .unwrap();
    add_body(&writer, "elsewhere-too").await;
    let view_again = reader
        .plan_view(&slug, &code, year("2022/23"))
        .await
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(&view, &view_again));
    writer
        .create_user(
            ACTOR,
            "someone@example.org".parse().unwrap(),
            t("Someone"),
            None,
        )
        .await
        .unwrap();
    let reread = reader.plan_tree(f.plan_id).await.unwrap();
    assert!(
        !std::sync::Arc::ptr_eq(&kept, &reread),
        "a write of no body's is not known not to matter"
    );
    assert_eq!(reread.updates.len(), 1);
}
on_both_engines!(a_cached_plan_tree_never_goes_stale);

/// The reporting cycle: open a period, draft, submit, return, resubmit,
/// sign off, close — each refusal names the state.
async fn updates_go_through_sign_off_in_an_open_period(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let first_half = domain::Half::H1;
    let deadline = chrono::NaiveDate::from_ymd_opt(2022, 10, 14).unwrap();
    let events = store.audit_event_count().await.unwrap();
    let err = store
        .sign_off_update(
            "officer",
            domain::UpdateId::new(999),
            domain::Version::new(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }));
    store
        .open_period("officer", f.plan_id, first_half, deadline, 7)
        .await
        .unwrap();
    let err = store
        .open_period("officer", f.plan_id, first_half, deadline, 7)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "period: H1 2022/23 is already open; it cannot be opened twice"
    );
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events + 1,
        "the refused opening wrote nothing"
    );

    let draft = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, Some(20), "first draft"),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    assert_eq!(draft.state, domain::UpdateState::Draft);
    let tree = store.plan_tree(f.plan_id).await.unwrap();
    assert_eq!(
        tree.rollup(Some(h1())).no_update(),
        1,
        "a draft is not reported"
    );
    assert!(tree.any_update_in(f.carers_10a, h1()).is_some());
    let events = store.audit_event_count().await.unwrap();
    let err = store
        .close_period("officer", f.plan_id, first_half, false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unsettled { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "period: H1 2022/23 is not closed: 1 action has no signed-off update (1 draft), and its report would say “No update” for each; sign them off first, or confirm that the period closes without them"
    );
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "the refused close wrote nothing"
    );

    let err = store
        .sign_off_update("officer", draft.id, draft.version)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot sign off an update that is draft; it must be submitted first"
    );
    let submitted = store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap();
    assert_eq!(submitted.state, domain::UpdateState::Submitted);
    let err = store
        .return_update("officer", submitted.id, submitted.version, &Text::default())
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("comment"), "{err}");
    let returned = store
        .return_update(
            "officer",
            submitted.id,
            submitted.version,
            &Text::parse("comment", "Say when the Strategy goes to Committee").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        (returned.state, returned.returned_comment.as_deref()),
        (
            domain::UpdateState::Returned,
            Some("Say when the Strategy goes to Committee")
        )
    );

    let redrafted = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::AtRisk, Some(30), "To Committee in March 2023"),
            Some(returned.version),
        )
        .await
        .unwrap();
    assert_eq!(redrafted.state, domain::UpdateState::Draft);
    let resubmitted = store
        .submit_update("lead", redrafted.id, redrafted.version)
        .await
        .unwrap();
    let signed = store
        .sign_off_update("officer", resubmitted.id, resubmitted.version)
        .await
        .unwrap();
    assert_eq!(signed.state, domain::UpdateState::SignedOff);
    let err = store
        .sign_off_update("officer", signed.id, signed.version)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("that is signed off"), "{err}");
    let tree = store.plan_tree(f.plan_id).await.unwrap();
    assert_eq!(
        tree.update_in(f.carers_10a, h1()).unwrap().input.status,
        Status::AtRisk,
        "the signed-off update is reported"
    );

    // Every action has a signed-off update: the period closes without confirming.
    let closed = store
        .close_period("officer", f.plan_id, first_half, false)
        .await
        .unwrap();
    assert!(!closed.open && closed.closed_at.is_some());
    let err = store
        .close_period("officer", f.plan_id, first_half, true)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is already closed"), "{err}");
    let err = store
        .record_update(
            "officer",
            f.carers_10a,
            h1(),
            update(Status::Complete, None, "late"),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Closed { .. }), "{err}");
    let err = store
        .return_update(
            "officer",
            signed.id,
            signed.version,
            &Text::parse("c", "reopen").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Closed { .. }), "{err}");
    let err = store
        .close_period("officer", f.plan_id, domain::Half::H2, true)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("H2 2022/23 is not open"), "{err}");
    let reason = Text::parse("reason", "The percentage was typed wrongly").unwrap();
    let corrected = store
        .correct_update(
            "officer",
            signed.id,
            signed.version,
            update(Status::AtRisk, Some(35), "To Committee in March 2023"),
            &reason,
        )
        .await
        .unwrap();
    assert_eq!(
        (corrected.state, corrected.input.percent.map(Percent::value)),
        (domain::UpdateState::SignedOff, Some(35))
    );
    let err = store
        .correct_update(
            "officer",
            signed.id,
            signed.version,
            update(Status::AtRisk, None, "stale"),
            &reason,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    let trail = store.audit_trail("update", signed.id.get()).await.unwrap();
    let ops: Vec<&str> = trail.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "create", "submit", "return", "edit", "submit", "sign off", "correct"
        ]
    );
    let last = trail.last().unwrap();
    assert_eq!(
        last.before.as_ref().unwrap()["percent"],
        30,
        "the earlier version is kept"
    );
    assert_eq!(
        last.after.as_ref().unwrap()["correction_reason"],
        "The percentage was typed wrongly"
    );
}
on_both_engines!(updates_go_through_sign_off_in_an_open_period);

/// The yearly refresh: carried forward (also renumbered), completed and
/// dropped actions, lineage over three years, approval superseding the
/// year before, and the refusals that name the state.
async fn the_yearly_refresh_keeps_lineage(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    // A second action under statement 10, to renumber, and one under 11, to drop.
    let b = store
        .add_action(ACTOR, new_action(f.statement_10, "10B", "March 2023", None))
        .await
        .unwrap();
    let c = store
        .add_action(ACTOR, new_action(f.statement_11, "11", "March 2023", None))
        .await
        .unwrap();
    let y2023 = year("2023/24");
    let draft = store
        .refresh_plan(ACTOR, f.plan_id, y2023, &Default::default())
        .await
        .unwrap_err();
    assert!(
        draft.to_string().starts_with("plan 2022/23 is draft"),
        "{draft}"
    );
    let first = store.plan_by_id(f.plan_id).await.unwrap();
    store
        .approve_plan(
            ACTOR,
            f.plan_id,
            first.version,
            chrono::NaiveDate::from_ymd_opt(2022, 3, 22).unwrap(),
            None,
        )
        .await
        .unwrap();
    // An approved plan changes only by amendment, audited with its reason.
    let action = store.action(b.id).await.unwrap();
    let mut renamed = action.details.clone();
    renamed.title = t("Carers' breaks");
    let err = store
        .edit_action(ACTOR, b.id, action.version, renamed.clone())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is approved; a change to an approved plan is an amendment"),
        "{err}"
    );
    let amending = store
        .amending(&Text::parse("reason", "Committee asked for a clearer title").unwrap())
        .unwrap();
    amending
        .edit_action(ACTOR, b.id, action.version, renamed)
        .await
        .unwrap();
    let last = store
        .audit_trail("action", b.id.get())
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.operation, "amend");
    assert_eq!(
        last.after.unwrap()["amendment_reason"],
        "Committee asked for a clearer title"
    );
    let err = store
        .refresh_plan(ACTOR, f.plan_id, year("2024/25"), &Default::default())
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("into"), "{err}");

    let fates = std::collections::HashMap::from([
        (
            b.id,
            domain::Fate::CarriedForward {
                reference: "10C".parse().unwrap(),
                target: Some("March 2024".parse().unwrap()),
            },
        ),
        (
            c.id,
            domain::Fate::dropped("Now part of business as usual").unwrap(),
        ),
    ]);
    let events = store.audit_event_count().await.unwrap();
    let next = store
        .refresh_plan(ACTOR, f.plan_id, y2023, &fates)
        .await
        .unwrap();
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events + 1,
        "one transaction, one audit event"
    );
    assert_eq!(next.status, domain::PlanStatus::Draft);
    assert_eq!(next.alignments.len(), 1);
    let tree = store.plan_tree(next.id).await.unwrap();
    let refs: Vec<String> = tree
        .actions
        .iter()
        .map(|a| a.details.reference.to_string())
        .collect();
    assert_eq!(
        refs,
        ["10A", "10C"],
        "carried forward and renumbered; the dropped one is not there"
    );
    let carried = &tree.actions[0];
    assert_eq!(carried.continues, Some(f.carers_10a));
    assert_eq!(
        carried.details.target, None,
        "no target date until one is set"
    );
    assert_eq!(
        tree.actions[1].details.target,
        Some("March 2024".parse().unwrap()),
        "the target date set at the refresh"
    );
    let domain::Measure::Indicator(i) = &carried.measures[1].1 else {
        panic!("indicator carried")
    };
    assert!(i.targets.is_empty(), "targets are set afresh each year");
    let old = store.plan_tree(f.plan_id).await.unwrap();
    let outcome = |id: i64| {
        old.actions
            .iter()
            .find(|a| a.id == domain::ActionId::new(id))
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(
        outcome(c.id.get()),
        Some((
            "dropped".into(),
            Some("Now part of business as usual".into())
        ))
    );
    assert_eq!(outcome(b.id.get()).unwrap().0, "carried_forward");

    let err = store
        .refresh_plan(ACTOR, f.plan_id, y2023, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plan 2023/24 is already made; a year's plan is made once; change the existing plan instead"
    );
    let err = store
        .refresh_plan(ACTOR, next.id, year("2024/25"), &Default::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("plan 2023/24 is draft"),
        "{err}"
    );

    // Carried forward without target dates or targets: refused, and
    // nothing changes, until the reason it is approved so is given.
    let gaps = store.approval_gaps(next.id).await.unwrap();
    assert!(!gaps.is_empty());
    assert!(
        gaps.iter()
            .all(|(_, g)| g.contains(&domain::ApprovalGap::NoTargetDate))
    );
    let err = store
        .approve_plan(
            ACTOR,
            next.id,
            next.version,
            chrono::NaiveDate::from_ymd_opt(2023, 3, 21).unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("plan 2023/24 is incomplete"),
        "{err}"
    );
    assert_eq!(
        store.plan_by_id(next.id).await.unwrap().status,
        domain::PlanStatus::Draft
    );
    let reason = domain::Text::parse("reason", "Targets are set in June").unwrap();
    let approved = store
        .approve_plan(
            ACTOR,
            next.id,
            next.version,
            chrono::NaiveDate::from_ymd_opt(2023, 3, 21).unwrap(),
            Some(&reason),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, domain::PlanStatus::Approved);
    let trail = store.audit_trail("plan", next.id.get()).await.unwrap();
    let approval = trail.iter().find(|e| e.operation == "approve").unwrap();
    let after = approval.after.as_ref().unwrap();
    assert_eq!(after["reason"], "Targets are set in June");
    assert!(after["gaps_accepted"].as_u64().unwrap() > 0);
    assert_eq!(
        store.plan_by_id(f.plan_id).await.unwrap().status,
        domain::PlanStatus::Superseded
    );
    let err = store
        .approve_plan(
            ACTOR,
            next.id,
            approved.version,
            chrono::NaiveDate::from_ymd_opt(2023, 3, 21).unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is approved; only a draft plan is approved"),
        "{err}"
    );

    let third = store
        .refresh_plan(ACTOR, next.id, year("2024/25"), &Default::default())
        .await
        .unwrap();
    let third_tree = store.plan_tree(third.id).await.unwrap();
    let lineage = store.lineage(third_tree.actions[0].id).await.unwrap();
    let years: Vec<String> = lineage
        .iter()
        .map(|(p, a)| format!("{} {}", p.year, a.details.reference))
        .collect();
    assert_eq!(
        years,
        ["2022/23 10A", "2023/24 10A", "2024/25 10A"],
        "an action's whole life across three years"
    );
}
on_both_engines!(the_yearly_refresh_keeps_lineage);

async fn the_committee_record_keeps_the_log_of_promises(db: TestDb) {
    use domain::AcceptedMinutes;
    use domain::{
        CommitmentStatus, MeetingStatus, MemberRole, NewCommitment, NewQuestion, NewResolution,
        ResolutionOutcome, ReviewedProposal, Standing,
    };
    use store::{
        Closing, Closure, CommitmentsOf, CommitteeDetails, MeetingDetails, MemberDetails,
        NewAgendaItem,
    };

    async fn portfolio_committee(store: &Store) -> Option<String> {
        store
            .portfolio(None, &"ACH".parse().unwrap())
            .await
            .unwrap()
            .committee
            .map(|c| c.to_string())
    }

    let store = db.open().await;
    let f = bromley(&store).await;
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let committee = store.committees(portfolio.body_id).await.unwrap().remove(0);
    assert_eq!(committee.name, "Adult Care and Health PDS Committee");
    let date = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let smith = MemberDetails {
        name: t("Councillor Jane Smith"),
        role: MemberRole::Member,
        term_from: Some(date("2022-05-05")),
        term_to: Some(date("2026-05-07")),
    };
    let jane = store
        .add_committee_member(ACTOR, committee.id, &smith)
        .await
        .unwrap();
    store
        .add_committee_member(
            ACTOR,
            committee.id,
            &MemberDetails {
                name: t("Councillor Ann Lee"),
                role: MemberRole::Chair,
                term_from: None,
                term_to: None,
            },
        )
        .await
        .unwrap();
    let members = store.committee_members(committee.id).await.unwrap();
    assert_eq!(
        members[0].role,
        MemberRole::Chair,
        "the chair is listed first"
    );

    assert!(members[1].serves_on(date("2024-01-01")));

    // A member's term ends; a stale edit changes nothing.
    let ended = MemberDetails {
        term_to: Some(date("2023-05-04")),
        ..smith.clone()
    };
    let stale = store
        .edit_committee_member(ACTOR, jane.id, jane.version.next(), &ended)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale}");
    let jane = store
        .edit_committee_member(ACTOR, jane.id, jane.version, &ended)
        .await
        .unwrap();
    assert!(!jane.serves_on(date("2024-01-01")));
    assert_eq!(
        store.committee_member(jane.id).await.unwrap().term_to,
        Some(date("2023-05-04"))
    );

    // The committee gets a clerk and gives up its portfolio, then takes it back.
    let renamed = CommitteeDetails {
        name: t("Adult Care and Health PDS Committee"),
        clerk: Some(t("Democratic Services Officer")),
    };
    let edited = store
        .edit_committee(ACTOR, committee.id, committee.version, &renamed, &[])
        .await
        .unwrap();
    assert_eq!(edited.clerk, "Democratic Services Officer");
    assert_eq!(portfolio_committee(&store).await, None);
    let edited = store
        .edit_committee(
            ACTOR,
            committee.id,
            edited.version,
            &renamed,
            &[portfolio.id],
        )
        .await
        .unwrap();
    assert_eq!(
        portfolio_committee(&store).await.as_deref(),
        Some("Adult Care and Health PDS Committee")
    );
    let stale = store
        .edit_committee(ACTOR, committee.id, committee.version, &renamed, &[])
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale}");
    let stranger = store
        .edit_committee(
            ACTOR,
            committee.id,
            edited.version,
            &renamed,
            &[domain::PortfolioId::new(999_999)],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(stranger, StoreError::NotFound { .. }),
        "{stranger}"
    );
    assert_eq!(
        store
            .audit_trail("committee", committee.id.get())
            .await
            .unwrap()
            .len(),
        3,
        "created, then edited twice; refused edits leave no trace"
    );

    let scheduled = MeetingDetails {
        held_on: date("2022-11-24"),
        venue: "Bromley Civic Centre".into(),
        status: MeetingStatus::Scheduled,
        published: false,
    };
    let meeting = store
        .create_meeting(ACTOR, committee.id, &scheduled)
        .await
        .unwrap();
    // It is held, and published.
    let held = MeetingDetails {
        status: MeetingStatus::Held,
        published: true,
        ..scheduled
    };
    let stale = store
        .edit_meeting(ACTOR, meeting.id, meeting.version.next(), &held)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale}");
    let meeting = store
        .edit_meeting(ACTOR, meeting.id, meeting.version, &held)
        .await
        .unwrap();
    assert_eq!(store.meeting(meeting.id).await.unwrap(), meeting);
    assert!(meeting.published);
    let item = store
        .add_agenda_item(
            ACTOR,
            meeting.id,
            NewAgendaItem {
                number: t("7"),
                title: t("ACH Portfolio Plan 2022 Q2 update"),
                report_ref: "ACH22-038".into(),
                plan_id: Some(f.plan_id),
                half: Some(domain::Half::H1),
            },
        )
        .await
        .unwrap();
    let text = |s: &str| Text::parse("text", s).unwrap();
    let accepted = AcceptedMinutes {
        minutes: "The Committee considered a report …".into(),
        questions: vec![NewQuestion {
            asker: Some(t("Member")),
            responder: Some(t("Assistant Director for Integrated Commissioning")),
            action_id: Some(f.carers_10a),
            source: text("a Member … asked for further information regarding timescales."),
        }],
        commitments: vec![NewCommitment {
            text: text("the Strategy would be brought to the Committee in March 2023"),
            owner: Some(t("Assistant Director for Integrated Commissioning")),
            due_by: Some("2023-03".parse::<domain::TargetDate>().unwrap()),
            due_text: "in March 2023".into(),
            action_id: Some(f.carers_10a),
            source: text(
                "The Assistant Director … said it was anticipated that the Strategy would be brought to the Committee in March 2023.",
            ),
        }],
        resolutions: vec![NewResolution {
            text: text("the progress on the actions … (Appendix 1) be noted"),
            outcome: ResolutionOutcome::Noted,
        }],
        reviewed: vec![
            ReviewedProposal {
                proposed: "the Strategy would be brought to the Committee in March 2023".into(),
                cue: "would be brought".into(),
                confidence: 0.97,
                kept: true,
                recorded: Some(
                    "the Strategy would be brought to the Committee in March 2023".into(),
                ),
            },
            ReviewedProposal {
                proposed: "ongoing support would be provided".into(),
                cue: "would be provided".into(),
                confidence: 0.6,
                kept: false,
                recorded: None,
            },
        ],
    };
    // A stale version changes nothing.
    let stale = store
        .accept_minutes(ACTOR, item.id, item.version.next(), accepted.clone())
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale}");
    assert!(store.questions_at(item.id).await.unwrap().is_empty());
    let item = store
        .accept_minutes(ACTOR, item.id, item.version, accepted)
        .await
        .unwrap();
    assert_eq!(item.minutes, "The Committee considered a report …");
    let reviewed = store.reviewed_minutes(portfolio.body_id).await.unwrap();
    assert_eq!(reviewed.len(), 1, "one item reviewed");
    assert_eq!(reviewed[0].agenda_item_id, item.id);
    assert_eq!(reviewed[0].proposals.len(), 2);
    assert!(reviewed[0].proposals[0].kept && !reviewed[0].proposals[1].kept);
    assert_eq!(
        reviewed[0].proposals[1].proposed,
        "ongoing support would be provided"
    );
    assert_eq!(reviewed[0].commitments.len(), 1);
    assert_eq!(reviewed[0].resolutions, 1);
    assert_eq!(store.questions_about(f.carers_10a).await.unwrap().len(), 1);
    assert_eq!(
        store.resolutions_at(item.id).await.unwrap()[0].outcome,
        ResolutionOutcome::Noted
    );

    let log = store
        .commitment_log(CommitmentsOf::Committee(committee.id))
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    let promise = &log[0].commitment;
    assert_eq!(log[0].item_number, "7");
    assert_eq!(promise.standing(date("2023-03-31")), Standing::Open);
    assert_eq!(promise.standing(date("2023-04-01")), Standing::Overdue);
    assert_eq!(
        store
            .commitment_log(CommitmentsOf::Action(f.carers_10a))
            .await
            .unwrap()
            .len(),
        1
    );
    let history = store
        .audit_trail("commitment", promise.id.get())
        .await
        .unwrap();
    assert_eq!(history[0].operation, "create");

    let closing = || Closing {
        status: Closure::Delivered,
        note: text("The Carers Strategy was reported to the Committee on 21 March 2023."),
        on: date("2023-03-21"),
        by_item: None,
    };
    let unsaid = store
        .close_commitment(
            ACTOR,
            promise.id,
            promise.version,
            Closing {
                note: text("  "),
                ..closing()
            },
        )
        .await
        .unwrap_err();
    assert!(
        unsaid.to_string().contains("how the promise was delivered"),
        "a promise is not closed without saying how: {unsaid}"
    );
    let done = store
        .close_commitment(ACTOR, promise.id, promise.version, closing())
        .await
        .unwrap();
    assert_eq!(done.status, CommitmentStatus::Delivered);
    assert_eq!(done.standing(date("2024-01-01")), Standing::Delivered);
    let again = store
        .close_commitment(ACTOR, promise.id, done.version, closing())
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already delivered"), "{again}");
    assert_eq!(
        store
            .audit_trail("commitment", promise.id.get())
            .await
            .unwrap()
            .len(),
        2
    );
}
on_both_engines!(the_committee_record_keeps_the_log_of_promises);

async fn a_report_cover_is_kept_per_period(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let period = ReportingPeriod::new("2022/23".parse().unwrap(), domain::Half::H1);
    let empty = store.report_cover(f.plan_id, period).await.unwrap();
    assert_eq!(empty.version, domain::Version::new(0));
    assert_eq!(empty.cover, domain::ReportCover::default());
    let cover = domain::ReportCover::parse(
        "ACH22-038",
        "",
        "2022-11-24",
        "Assistant Director for Strategy, Performance and Corporate Transformation",
        "Progress on all actions.",
    )
    .unwrap();
    let saved = store
        .save_report_cover(ACTOR, f.plan_id, period, domain::Version::new(0), &cover)
        .await
        .unwrap();
    assert_eq!(saved.version, domain::Version::new(1));
    let again = store
        .save_report_cover(ACTOR, f.plan_id, period, domain::Version::new(0), &cover)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }), "{again}");
    let edited = domain::ReportCover {
        summary: "Progress on all but two actions.".into(),
        ..cover
    };
    let saved = store
        .save_report_cover(ACTOR, f.plan_id, period, domain::Version::new(1), &edited)
        .await
        .unwrap();
    assert_eq!(store.report_cover(f.plan_id, period).await.unwrap(), saved);
    let other_half = ReportingPeriod::new("2022/23".parse().unwrap(), domain::Half::H2);
    assert_eq!(
        store
            .report_cover(f.plan_id, other_half)
            .await
            .unwrap()
            .version,
        domain::Version::new(0),
        "each half has its own cover"
    );
}
on_both_engines!(a_report_cover_is_kept_per_period);

/// Open `half` of the fixture's plan.
async fn open(store: &Store, f: &Fixture, half: domain::Half) {
    store
        .open_period(
            "officer",
            f.plan_id,
            half,
            chrono::NaiveDate::from_ymd_opt(2023, 4, 15).unwrap(),
            7,
        )
        .await
        .unwrap();
}

/// What the public reads of 10A's update in `period`: its status and commentary.
async fn public_view(store: &Store, f: &Fixture, period: ReportingPeriod) -> Option<String> {
    let tree = store
        .plan_tree(f.plan_id)
        .await
        .unwrap()
        .seen_by(&domain::Access::Public);
    tree.any_update_in(f.carers_10a, period)
        .map(|u| format!("{}: {}", u.input.status.label(), u.input.commentary))
}

async fn a_signed_off_update_stays_published_while_it_is_revised(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    open(&store, &f, domain::Half::H1).await;
    let draft = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, None, "draft words"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        public_view(&store, &f, h1()).await,
        None,
        "a draft is not public"
    );
    let submitted = store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap();
    assert_eq!(
        public_view(&store, &f, h1()).await,
        None,
        "a submitted update is not public"
    );
    let signed = store
        .sign_off_update("officer", submitted.id, submitted.version)
        .await
        .unwrap();
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("On track: draft words")
    );

    // The lead revises it: a draft again, the signed-off words still published.
    let revision = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OffTrack, None, "revised words"),
            Some(signed.version),
        )
        .await
        .unwrap();
    assert_eq!(revision.state, domain::UpdateState::Draft);
    assert_eq!(
        revision.published.as_ref().map(|p| p.commentary.as_str()),
        Some("draft words")
    );
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("On track: draft words")
    );
    let tree = store.plan_tree(f.plan_id).await.unwrap();
    assert_eq!(
        tree.update_in(f.carers_10a, h1()).unwrap().input.status,
        Status::OnTrack
    );
    assert_eq!(tree.rollup(Some(h1())).count(Status::OnTrack), 1);
    let lead = domain::Access::Member {
        role: domain::Role::ActionLead,
        leads: Some(t("Assistant Director for Integrated Commissioning")),
    };
    let leads_view = tree.seen_by(&lead);
    assert_eq!(
        leads_view
            .any_update_in(f.carers_10a, h1())
            .unwrap()
            .input
            .commentary
            .as_str(),
        "revised words",
        "the lead sees their own work in progress"
    );
    let member = domain::Access::Member {
        role: domain::Role::Member,
        leads: None,
    };
    assert_eq!(
        tree.seen_by(&member)
            .any_update_in(f.carers_10a, h1())
            .unwrap()
            .input
            .commentary
            .as_str(),
        "draft words",
        "members see signed-off content only"
    );

    // Returned: still the signed-off words in public.
    let submitted = store
        .submit_update("lead", revision.id, revision.version)
        .await
        .unwrap();
    let returned = store
        .return_update(
            "officer",
            submitted.id,
            submitted.version,
            &Text::parse("c", "Why off track?").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(returned.state, domain::UpdateState::Returned);
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("On track: draft words")
    );
    let submitted = store
        .submit_update("lead", returned.id, returned.version)
        .await
        .unwrap();
    let signed = store
        .sign_off_update("officer", submitted.id, submitted.version)
        .await
        .unwrap();
    assert_eq!(signed.published, None);
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("Off track: revised words")
    );

    // An officer returning a signed-off update keeps it published meanwhile.
    let returned = store
        .return_update(
            "officer",
            signed.id,
            signed.version,
            &Text::parse("c", "Add figures").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("Off track: revised words")
    );

    // A correction is for signed-off updates only.
    let err = store
        .correct_update(
            "officer",
            returned.id,
            returned.version,
            update(Status::Complete, None, "x"),
            &Text::parse("reason", "typo").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
}
on_both_engines!(a_signed_off_update_stays_published_while_it_is_revised);

async fn updates_outside_the_cycle_follow_the_bodys_setting(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let plan = store.plan_by_id(f.plan_id).await.unwrap();
    let body_id = store
        .portfolio_by_id(plan.portfolio_id)
        .await
        .unwrap()
        .body_id;
    assert_eq!(
        store.outside_cycle(body_id).await.unwrap(),
        domain::OutsideCycle::UntilCycleStarts
    );
    // Before any period is opened: recorded as reported, signed off at once.
    assert_eq!(
        store.recording(f.carers_10a, h1()).await.unwrap(),
        store::Recording::AsReported
    );
    let reported = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, None, "as reported"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(reported.state, domain::UpdateState::SignedOff);
    // Signed off, it does not change without a correction.
    let err = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::Complete, None, "over it"),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("correction"), "{err}");
    assert_eq!(
        public_view(&store, &f, h1()).await.as_deref(),
        Some("On track: as reported")
    );

    // Once the body opens a period, the other half can be written only when opened.
    open(&store, &f, domain::Half::H1).await;
    let h2 = h1().next();
    let err = store
        .record_update(
            "lead",
            f.carers_10a,
            h2,
            update(Status::OnTrack, None, "early"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "period: H2 2022/23 is not open; updates are recorded while their reporting period is open; a performance officer opens it on the plan's period page (or with `ambit period open`)"
    );
    let events = store.audit_event_count().await.unwrap();
    let stale = store
        .set_outside_cycle(
            "officer",
            body_id,
            domain::Version::new(99),
            domain::OutsideCycle::Allowed,
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    let version = store
        .body(&"bromley".parse().unwrap())
        .await
        .unwrap()
        .version;
    store
        .set_outside_cycle("officer", body_id, version, domain::OutsideCycle::Allowed)
        .await
        .unwrap();
    assert_eq!(store.audit_event_count().await.unwrap(), events + 1);
    let early = store
        .record_update(
            "lead",
            f.carers_10a,
            h2,
            update(Status::OnTrack, None, "early"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(early.state, domain::UpdateState::SignedOff);
}
on_both_engines!(updates_outside_the_cycle_follow_the_bodys_setting);

async fn a_concern_goes_forward_only_with_a_reason(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let plan = store.plan_by_id(f.plan_id).await.unwrap();
    let body_id = store
        .portfolio_by_id(plan.portfolio_id)
        .await
        .unwrap()
        .body_id;
    assert!(
        store.require_commentary(body_id).await.unwrap(),
        "on by default"
    );
    // Recorded as reported (no period opened yet): refused, nothing written.
    let events = store.audit_event_count().await.unwrap();
    let err = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OffTrack, None, ""),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(p) if p.field == "commentary" && p.expected.contains("why the action is off track")),
        "{err}"
    );
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    assert!(store.updates_of(f.carers_10a).await.unwrap().is_empty());

    // In an open period a draft may say nothing yet; submitting it may not.
    open(&store, &f, domain::Half::H1).await;
    let draft = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::AtRisk, None, ""),
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    let events = store.audit_event_count().await.unwrap();
    let err = store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(p) if p.field == "commentary"),
        "{err}"
    );
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    assert_eq!(
        store.update(draft.id).await.unwrap().state,
        domain::UpdateState::Draft
    );

    // A body that does not ask for a reason lets it through.
    let version = store
        .body(&"bromley".parse().unwrap())
        .await
        .unwrap()
        .version;
    assert!(matches!(
        store
            .set_require_commentary(
                "officer",
                body_id,
                domain::Version::new(version.get() + 5),
                false
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .set_require_commentary("officer", body_id, version, false)
        .await
        .unwrap();
    assert_eq!(store.audit_event_count().await.unwrap(), events + 1);
    let submitted = store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap();
    // Turned back on, the officer cannot sign the silent concern off: it
    // goes back to the lead instead.
    store
        .set_require_commentary("officer", body_id, version.next(), true)
        .await
        .unwrap();
    let err = store
        .sign_off_update("officer", submitted.id, submitted.version)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(p) if p.field == "commentary"),
        "{err}"
    );
    store
        .return_update(
            "officer",
            submitted.id,
            submitted.version,
            &Text::parse("comment", "Say what put it at risk").unwrap(),
        )
        .await
        .unwrap();
}
on_both_engines!(a_concern_goes_forward_only_with_a_reason);

async fn a_superseded_plans_updates_are_frozen(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    let reported = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, None, "as reported"),
            None,
        )
        .await
        .unwrap();
    let plan = store.plan_by_id(f.plan_id).await.unwrap();
    store
        .approve_plan(
            "officer",
            f.plan_id,
            plan.version,
            chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
            None,
        )
        .await
        .unwrap();
    let next = store
        .refresh_plan("officer", f.plan_id, year("2023/24"), &Default::default())
        .await
        .unwrap();
    store
        .approve_plan(
            "officer",
            next.id,
            next.version,
            chrono::NaiveDate::from_ymd_opt(2023, 3, 1).unwrap(),
            Some(&domain::Text::parse("reason", "Targets follow").unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(
        store.plan_by_id(f.plan_id).await.unwrap().status,
        domain::PlanStatus::Superseded
    );
    let err = store
        .record_update(
            "lead",
            f.carers_10a,
            h1().next(),
            update(Status::OnTrack, None, "late"),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("superseded"), "{err}");
    // The record can still be corrected, with a reason.
    let corrected = store
        .correct_update(
            "officer",
            reported.id,
            reported.version,
            update(Status::OnTrack, None, "as reported, corrected"),
            &Text::parse("reason", "A name was misspelt").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(corrected.state, domain::UpdateState::SignedOff);
}
on_both_engines!(a_superseded_plans_updates_are_frozen);

/// Many saves of one record from one version, at once: exactly one wins,
/// the others are refused as stale, and the audit trail has one event.
async fn racing_saves_of_one_version_let_exactly_one_win(db: TestDb) {
    let store = db.open().await;
    let f = bromley(&store).await;
    open(&store, &f, domain::Half::H1).await;
    let draft = store
        .record_update(
            "lead",
            f.carers_10a,
            h1(),
            update(Status::OnTrack, None, "draft"),
            None,
        )
        .await
        .unwrap();
    let submitted = store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap();
    let events = store.audit_event_count().await.unwrap();

    // Sign-off and return raced from the same submitted version.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let store = store.clone();
        let (id, version) = (submitted.id, submitted.version);
        tasks.spawn(async move {
            if i % 2 == 0 {
                store
                    .sign_off_update("officer", id, version)
                    .await
                    .map(|u| u.state)
            } else {
                store
                    .return_update("officer", id, version, &Text::parse("c", "again").unwrap())
                    .await
                    .map(|u| u.state)
            }
        });
    }
    let outcomes: Vec<_> = tasks.join_all().await;
    let won: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{outcomes:?}");
    for lost in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(matches!(lost, StoreError::Conflict { .. }), "{lost}");
    }
    assert_eq!(store.audit_event_count().await.unwrap(), events + 1);
    let now = store.update(submitted.id).await.unwrap();
    assert_eq!(now.version, submitted.version.next());
    assert_eq!(&now.state, won[0]);

    // Edits of an action raced the same way.
    let action = store.action(f.carers_10a).await.unwrap();
    let events = store.audit_event_count().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let store = store.clone();
        let mut details = action.details.clone();
        details.title = t(&format!("Title number {i}"));
        let version = action.version;
        tasks.spawn(async move {
            store
                .edit_action("officer", f.carers_10a, version, details)
                .await
        });
    }
    let outcomes: Vec<_> = tasks.join_all().await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .filter_map(|o| o.as_ref().err())
            .all(|e| matches!(e, StoreError::Conflict { .. }))
    );
    assert_eq!(store.audit_event_count().await.unwrap(), events + 1);

    // Closing a period, which takes no version from the caller, raced too.
    let events = store.audit_event_count().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let store = store.clone();
        let plan = f.plan_id;
        tasks.spawn(async move {
            store
                .close_period("officer", plan, domain::Half::H1, true)
                .await
        });
    }
    let outcomes: Vec<_> = tasks.join_all().await;
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter_map(|o| o.as_ref().err())
            .all(|e| e.is_user_error())
    );
    assert_eq!(store.audit_event_count().await.unwrap(), events + 1);
}
on_both_engines!(racing_saves_of_one_version_let_exactly_one_win);

/// A body named only by `slug`, for tests that need a write.
async fn add_body(store: &Store, slug: &str) {
    store
        .create_body(
            ACTOR,
            NewBody {
                slug: slug.parse().unwrap(),
                name: t("A council"),
                level_names: Default::default(),
                rag: Default::default(),
                reference_scheme: Default::default(),
            },
        )
        .await
        .unwrap();
}

async fn shared_version_reads_never_answer_from_before_a_write(db: TestDb) {
    // Many requests asking for the data version at once share reads; none
    // may be answered by a read that started before a write it came after.
    let store = db.open().await;
    for i in 0..10 {
        add_body(&store, &format!("body-{i}")).await;
        let written = store.data_version().await.unwrap();
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let store = store.clone();
            readers.spawn(async move { store.data_version().await.unwrap() });
        }
        while let Some(seen) = readers.join_next().await {
            assert_eq!(seen.unwrap(), written, "after write {i}");
        }
    }
    let last = store.data_version().await.unwrap();
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let store = store.clone();
        readers.spawn(async move { store.data_version().await.unwrap() });
    }
    add_body(&store, "after-the-readers").await;
    // Readers racing the write see it or not, but a read after it does.
    while readers.join_next().await.is_some() {}
    assert_ne!(store.data_version().await.unwrap(), last);
}
on_both_engines!(shared_version_reads_never_answer_from_before_a_write);
