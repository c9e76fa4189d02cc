//! The Bromley example says what the seeds say, on both engines.

use demo::{LoadError, PlanFile};
use domain::{FinancialYear, Half, Measure, ProgressExtent, ReportingPeriod, Status};
use store::Store;
use testkit::{TestDb, on_both_engines};

#[path = "suite/national.rs"]
mod national;

async fn plan(store: &Store, year: &str) -> std::sync::Arc<domain::PlanTree> {
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, year.parse().unwrap())
        .await
        .unwrap();
    store.plan_tree(plan.id).await.unwrap()
}

fn action<'a>(tree: &'a domain::PlanTree, reference: &str) -> &'a domain::Action {
    tree.actions
        .iter()
        .find(|a| a.details.reference.to_string() == reference)
        .unwrap_or_else(|| panic!("{reference} is in the plan"))
}

async fn bromley_matches_the_seeds(db: TestDb) {
    let store = db.open().await;
    let summary = demo::load_bromley(&store).await.unwrap();
    assert_eq!(summary.plans, 3);

    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let strategy = store.strategy(body.id).await.unwrap().unwrap();
    assert_eq!(strategy.title.as_str(), "Making Bromley Even Better");
    assert_eq!(strategy.years.to_string(), "2021-2031");
    let ambition = |n: u16| strategy.ambitions.iter().find(|a| a.number == n).unwrap();
    assert!(ambition(2).title.starts_with(
        "For adults and older people to enjoy fulfilled and successful lives in Bromley"
    ));
    assert!(
        ambition(5)
            .title
            .starts_with("To manage our resources well")
    );
    assert!(!ambition(2).illustrative && ambition(1).illustrative);

    let y2022 = plan(&store, "2022/23").await;
    for reference in ["6A", "9E", "10A", "11", "14A"] {
        action(&y2022, reference);
    }
    assert_eq!(
        action(&y2022, "9E").details.lead.as_str(),
        "Director of Children's Services"
    );
    assert_eq!(
        action(&y2022, "10A").details.target.unwrap().to_string(),
        "January 2023"
    );
    assert!(action(&y2022, "11").measures.iter().any(|(_, m)| matches!(m,
        Measure::Statement { text } if text.as_str().contains("increased number of participants on each course"))));
    assert!(
        action(&y2022, "14A")
            .details
            .title
            .contains("assistive technology")
    );

    let h1 = ReportingPeriod::new(FinancialYear::starting(2022).unwrap(), Half::H1);
    let rollup = y2022.rollup(Some(h1));
    assert_eq!(
        rollup.extent(),
        ProgressExtent::Majority,
        "H1 2022/23: progress on the majority of the actions"
    );
    assert_eq!(rollup.no_update(), 0);
    let key: Vec<&str> = y2022
        .updates
        .iter()
        .filter(|u| u.period == h1 && u.input.key_achievement)
        .map(|u| u.input.commentary.as_str())
        .collect();
    assert!(
        key.iter().any(|c| c.contains("1 July 2022")),
        "ICS arrangements are a key achievement"
    );
    assert!(
        key.iter()
            .any(|c| c.contains("Bromley Third Sector Enterprises")),
        "the prevention contract is a key achievement"
    );
    assert_eq!(
        y2022
            .update_in(action(&y2022, "10A").id, h1)
            .unwrap()
            .input
            .status,
        Status::AtRisk
    );

    let y2023 = plan(&store, "2023/24").await;
    let h2 = ReportingPeriod::new(FinancialYear::starting(2023).unwrap(), Half::H2);
    assert_eq!(
        y2023.rollup(Some(h2)).extent(),
        ProgressExtent::All,
        "H2 2023/24: progress on all of the actions"
    );
    assert_eq!(
        action(&y2023, "10A").continues,
        Some(action(&y2022, "10A").id)
    );

    let y2024 = plan(&store, "2024/25").await;
    assert!(
        y2024.updates.is_empty(),
        "the refreshed plan has no progress yet"
    );
    let all_titles: String = y2024
        .actions
        .iter()
        .map(|a| a.details.title.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all_titles.contains("hospital social work team"),
        "{all_titles}"
    );
    assert!(
        all_titles.contains("Safeguarding of Adults Audit"),
        "{all_titles}"
    );
}
on_both_engines!(bromley_matches_the_seeds);

#[test]
fn a_bad_plan_file_names_the_place_and_field() {
    let broken = demo::BROMLEY.replacen("target = \"January 2023\"", "target = \"Janury 2023\"", 1);
    let err = PlanFile::parse("bromley.toml", &broken).unwrap_err();
    assert!(matches!(err, LoadError::Invalid { .. }));
    assert_eq!(
        err.to_string().split(": target date").next().unwrap(),
        "bromley.toml: plan ACH 2022/23, action 10A",
    );

    let err = PlanFile::parse(
        "x.toml",
        "[body]\nname = \"A\"\nslug = \"a\"\ncolour = \"red\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("x.toml: "), "{err}");
    assert!(err.to_string().contains("colour"), "{err}");

    let wrong_year = demo::BROMLEY.replacen("year = \"2022/23\"", "year = \"2022/24\"", 1);
    let err = PlanFile::parse("bromley.toml", &wrong_year).unwrap_err();
    assert!(
        err.to_string()
            .contains("year: \"2022/24\" is not accepted"),
        "{err}"
    );
}

#[tokio::test]
async fn a_bad_file_writes_nothing() {
    let db = testkit::sqlite();
    let store = db.open().await;
    let broken = demo::BROMLEY.replace("status = \"on track\"", "status = \"fine\"");
    assert!(demo::load(&store, "bromley.toml", &broken).await.is_err());
    assert!(store.bodies().await.unwrap().is_empty());
    assert_eq!(store.audit_event_count().await.unwrap(), 0);
}

/// The second demo body: an invented council with three levels and dotted
/// references, loaded beside Bromley, every record marked illustrative.
async fn northmoor_has_dotted_references_in_natural_order(db: TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let summary = demo::load_northmoor(&store).await.unwrap();
    assert_eq!(summary.plans, 3);
    demo::load_northmoor_people(&store, |_| "not a real hash".to_owned())
        .await
        .unwrap();

    let body = store.body(&"northmoor".parse().unwrap()).await.unwrap();
    assert_eq!(body.reference_scheme, domain::ReferenceScheme::Dotted);
    assert!(body.name.as_str().contains("illustrative"));
    assert_eq!(
        (
            body.level_names.name(0),
            body.level_names.name(1),
            body.level_names.action()
        ),
        ("Theme", "Outcome", "Action")
    );
    let env = store
        .portfolio(Some(body.id), &"ENV".parse().unwrap())
        .await
        .unwrap();
    let old = store
        .plan_tree(
            store
                .plan(env.id, "2023/24".parse().unwrap())
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let refs: Vec<String> = old
        .actions
        .iter()
        .map(|a| a.details.reference.to_string())
        .collect();
    let nine = refs.iter().position(|r| r == "1.1.9").unwrap();
    assert_eq!(refs[nine + 1], "1.1.10", "{refs:?}");
    assert_eq!(refs[0], "1.1.1");
    assert_eq!(refs.last().unwrap(), "2.1.2");
    assert!(old.actions.iter().all(|a| a.details.illustrative));
    assert!(old.items.iter().all(|i| i.illustrative));
    assert!(old.updates.iter().all(|u| u.input.illustrative));
    let outcome = old
        .items
        .iter()
        .find(|i| i.depth == 1)
        .and_then(|i| i.reference.clone())
        .unwrap();
    assert_eq!(outcome.as_str(), "1.1");

    // Lineage: 1.1.3 of 2024/25 continues 1.1.9 of 2023/24.
    let new = store
        .plan_tree(
            store
                .plan(env.id, "2024/25".parse().unwrap())
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let renumbered = action(&new, "1.1.3");
    assert_eq!(
        renumbered.continues,
        Some(action(&old, "1.1.9").id),
        "renumbered with its lineage"
    );
    let report = domain::RefreshReport::between(&old, &new, "Theme");
    assert!(report.count(domain::Outcome::CarriedForward) >= 7);
}
on_both_engines!(northmoor_has_dotted_references_in_natural_order);

#[test]
fn a_plan_file_checks_references_against_its_scheme() {
    // An action that does not sit under its outcome's number.
    let broken = demo::NORTHMOOR.replacen("ref = \"1.1.2\"", "ref = \"1.2.2\"", 1);
    let err = PlanFile::parse("northmoor.toml", &broken).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("northmoor.toml: plan ENV 2023/24, action 1.2.2: action reference"),
        "{err}"
    );
    assert!(err.to_string().contains("1.1.1"), "{err}");
    // A statement-style reference in a dotted body.
    let broken = demo::NORTHMOOR.replacen("ref = \"1.1.2\"", "ref = \"10A\"", 1);
    let err = PlanFile::parse("northmoor.toml", &broken).unwrap_err();
    assert!(err.to_string().contains("such as 1.2.3"), "{err}");
    // The same reference twice in one plan, written differently.
    let broken = demo::NORTHMOOR.replacen("ref = \"3.1.2\"", "ref = \" 3.1.1 \"", 1);
    let err = PlanFile::parse("northmoor.toml", &broken).unwrap_err();
    assert!(
        err.to_string()
            .contains("a reference no other action of the plan has"),
        "{err}"
    );
    // An unknown scheme.
    let broken = demo::NORTHMOOR.replacen(
        "reference_scheme = \"dotted\"",
        "reference_scheme = \"roman\"",
        1,
    );
    let err = PlanFile::parse("northmoor.toml", &broken).unwrap_err();
    assert!(err.to_string().contains("reference scheme"), "{err}");
}
