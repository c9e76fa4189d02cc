//! The plan as StratML (`…/export.stratml.xml`, `?period=H1|H2` for the
//! performance report): linked from the plan page, valid against the
//! standard's schema, and seen as the plan's other downloads are (the
//! public gets published plans and signed-off updates only; another body's
//! people get 404 for an unpublished plan).

use std::path::Path;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::visibility::{SIGNED_OFF, assert_private, work_in_progress};
use super::{client, get, spawn_app};

/// The StratML Part 2 schema, from the published standards kept beside the
/// project (`../shared/standards/`), or where this machine keeps them.
fn xsd() -> String {
    let beside = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/standards/stratml/PerformancePlanOrReport20160216.xsd"
    );
    if Path::new(beside).exists() {
        beside.to_owned()
    } else {
        "/work/shared/standards/stratml/PerformancePlanOrReport20160216.xsd".to_owned()
    }
}

const PLAN: &str = "/b/bromley/plans/ACH/2024-25/export.stratml.xml";

/// Validate `xml` against the StratML Part 2 schema with xmllint (Debian's
/// libxml2-utils, which `scripts/test` installs).
fn assert_valid(xml: &str) {
    use std::io::Write;
    let xsd = xsd();
    assert!(Path::new(&xsd).exists(), "the StratML schema is at {xsd}");
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", xsd.as_str(), "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint (Debian's libxml2-utils) is installed; scripts/test installs it");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the download does not validate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of a download of `path` by `c`, checking its type and name.
async fn download(c: &reqwest::Client, url: String, name: &str) -> String {
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    assert_eq!(r.headers()["content-type"], "application/xml", "{url}");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"{name}\""),
        "{url}"
    );
    r.text().await.unwrap()
}

fn read(xml: &str) -> interop::StratmlPlan {
    interop::read_stratml(
        "plan.xml",
        xml.as_bytes(),
        &interop::StratmlLimits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn the_public_downloads_a_published_plan_as_stratml_as_it_sees_it(db: TestDb) {
    let app = spawn_app(db).await;
    let (plan, _) = work_in_progress(&app).await;
    let public = client();
    let (status, page) = get(&public, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!(
            "<a class=\"govuk-link\" href=\"{PLAN}\" download>StratML (.xml)"
        )),
        "the plan page links to the StratML download: {page}"
    );

    // The plan: targets, no results.
    let xml = download(&public, app.url(PLAN), "bromley-ACH-2024-25.stratml.xml").await;
    assert_valid(&xml);
    assert!(xml.contains("Type=\"Performance_Plan\""));
    let read_plan = read(&xml);
    let stored = app
        .store
        .plan_tree(domain::PlanId::new(plan))
        .await
        .unwrap();
    assert_eq!(read_plan.plan.actions.len(), stored.actions.len());
    assert!(read_plan.plan.updates.is_empty());

    // The H1 report: the signed-off update, no work in progress.
    let xml = download(
        &public,
        app.url(&format!("{PLAN}?period=H1")),
        "bromley-ACH-2024-25-H1.stratml.xml",
    )
    .await;
    assert_valid(&xml);
    assert!(xml.contains("Type=\"Performance_Report\""));
    assert!(xml.contains(SIGNED_OFF), "{xml}");
    assert_private("the public's StratML report", &xml);
    let report = read(&xml);
    assert!(!report.plan.updates.is_empty());
    assert!(stored.updates.len() > report.plan.updates.len());

    // An officer of the body gets the work in progress too.
    let officer = app.signed_in("officer").await;
    let xml = download(
        &officer,
        app.url(&format!("{PLAN}?period=H1")),
        "bromley-ACH-2024-25-H1.stratml.xml",
    )
    .await;
    assert_eq!(read(&xml).plan.updates.len(), stored.updates.len());

    // A period that is not a half is refused; another body's address is not found.
    let (status, body) = get(&public, app.url(&format!("{PLAN}?period=H3"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("?period=H1"), "{body}");
    let (status, _) = get(
        &public,
        app.url("/b/northmoor/plans/ACH/2024-25/export.stratml.xml"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
on_both_engines!(the_public_downloads_a_published_plan_as_stratml_as_it_sees_it);

async fn an_unpublished_plan_s_stratml_is_for_its_body_s_people_only(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let northmoor = app.signed_in_at("officer", "northmoor").await;
    let officer = app.signed_in("officer").await;
    for path in [PLAN.to_owned(), format!("{PLAN}?period=H2")] {
        for (who, c) in [
            ("the public", &public),
            ("another body's officer", &northmoor),
        ] {
            let (status, _) = get(c, app.url(&path)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} to {who}");
        }
        let (status, xml) = get(&officer, app.url(&path)).await;
        assert_eq!(status, StatusCode::OK, "{path} to the body's officer");
        assert_valid(&xml);
    }
    // Northmoor's published plan, dotted references and all, is public.
    let xml = download(
        &public,
        app.url("/b/northmoor/plans/ENV/2023-24/export.stratml.xml?period=H2"),
        "northmoor-ENV-2023-24-H2.stratml.xml",
    )
    .await;
    assert_valid(&xml);
    assert!(xml.contains("<SequenceIndicator>1.1.1</SequenceIndicator>"));
}
on_both_engines!(an_unpublished_plan_s_stratml_is_for_its_body_s_people_only);
