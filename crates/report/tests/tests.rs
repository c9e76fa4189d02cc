//! Report packs for the Bromley example, read back for what a committee sees.

use domain::{Half, ReportingPeriod};
use report::{CoverDetails, Pack};
use store::Store;
use testkit::{TestDb, on_both_engines};

async fn pack_html(store: &Store, year: &str, half: Half, reference: &str) -> String {
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let body = store.body_by_id(portfolio.body_id).await.unwrap();
    let year: domain::FinancialYear = year.parse().unwrap();
    let tree = store
        .plan_tree(store.plan(portfolio.id, year).await.unwrap().id)
        .await
        .unwrap();
    let previous = match store.plan(portfolio.id, year.previous()).await {
        Ok(p) => Some(store.plan_tree(p.id).await.unwrap()),
        Err(_) => None,
    };
    let next = match store.plan(portfolio.id, year.next()).await {
        Ok(p) => Some(store.plan_tree(p.id).await.unwrap()),
        Err(_) => None,
    };
    let pack = Pack {
        body: &body,
        portfolio: &portfolio,
        tree: &tree,
        previous_year: previous.as_deref(),
        next_year: next.as_deref(),
        period: ReportingPeriod::new(year, half),
        cover: CoverDetails {
            reference: reference.into(),
            committee: "Adult Care and Health Policy Development and Scrutiny Committee".into(),
            meeting_date: None,
            author: "Assistant Director for Strategy, Performance and Corporate Transformation"
                .into(),
            summary: String::new(),
        },
    };
    report::html(&pack).unwrap()
}

async fn the_seeds_reports_come_out_of_the_data(db: TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();

    let h1 = pack_html(&store, "2022/23", Half::H1, "ACH22-038").await;
    assert!(h1.contains("<title>ACH22-038: Adult Care and Health Portfolio Plan: progress in the first half of 2022/23</title>"));
    assert!(h1.contains("the progress on the actions associated with the Adult Care and Health Portfolio Plan for the first half of 2022/23 (Appendix 1) be noted."));
    assert!(h1.contains(
        "In the first half of 2022/23, progress had been made on the majority of the actions"
    ));
    for reference in ["6A", "9E", "10A", "11", "14A"] {
        assert!(
            h1.contains(&format!("<th scope=\"row\">{reference}</th>")),
            "{reference} is in Appendix 1"
        );
    }
    assert!(h1.contains("Key achievements") && h1.contains("1 July 2022"));
    assert!(
        h1.contains("Lead: Director of Children&#39;s Services (Children, Education and Families)")
    );
    assert!(
        !h1.contains("Appendix 2"),
        "no refreshed plan for 2023/24 in the data's H1 2022/23 report"
    );

    let h2 = pack_html(&store, "2023/24", Half::H2, "ACH24-030").await;
    assert!(
        h2.contains("In the second half of 2023/24, progress had been made on all of the actions")
    );
    assert!(h2.contains("Appendix 2: the Adult Care and Health Portfolio Plan 2024/25"));
    assert!(h2.contains("the refresh of the Portfolio Plan for 2024/25 (Appendix 2) be noted."));
    assert!(
        h2.contains("Carried forward (was 6D)"),
        "renumbering is shown"
    );
    assert!(h2.contains("Actions not carried into the new plan"));

    // A period with no signed-off updates: every action says so, nothing breaks.
    let empty = pack_html(&store, "2024/25", Half::H1, "").await;
    assert!(
        empty.contains("progress had not yet been made on any of the actions")
            || empty.contains("there were no actions"),
        "{}",
        &empty[..200]
    );
    assert!(empty.matches("No update").count() >= 24);
}
on_both_engines!(the_seeds_reports_come_out_of_the_data);

#[tokio::test]
async fn hostile_commentary_is_shown_as_text() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let action = store
        .action_by_ref(plan.id, "10A".parse().unwrap())
        .await
        .unwrap();
    let hostile = "<script>alert(1)</script> #set text(red) & Cymraeg ŵ 👍 שלום";
    let input = domain::UpdateInput {
        status: domain::Status::OnTrack,
        commentary: domain::Text::parse("commentary", hostile).unwrap(),
        percent: None,
        key_achievement: true,
        actuals: vec![],
        author: domain::Title::parse("author", "Lead").unwrap(),
        illustrative: false,
    };
    store
        .record_update(
            "test",
            action.id,
            ReportingPeriod::new(plan.year, Half::H1),
            input,
            None,
        )
        .await
        .unwrap();
    let html = pack_html(&store, "2024/25", Half::H1, "T").await;
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains(
        "&#60;script&#62;alert(1)&#60;/script&#62; #set text(red) &#38; Cymraeg ŵ 👍 שלום"
    ));
}
