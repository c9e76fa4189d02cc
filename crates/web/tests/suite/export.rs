//! Downloading a plan from its page (xlsx, the CSV files in a zip, JSON)
//! and from the API: the plan page's visibility, what the public may see
//! and no more, files that read back with the import's own reader.

use std::io::Read;

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::visibility::{DRAFT, SIGNED_OFF, assert_private, work_in_progress};
use super::{App, client, get, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The body and headers of a download of `path` by `c`, checking it
/// answers 200 with `media_type` and is named `name`.
async fn download(
    app: &App,
    c: &reqwest::Client,
    path: &str,
    media_type: &str,
    name: &str,
) -> Vec<u8> {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["content-type"], media_type, "{path}");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"{name}\""),
        "{path}"
    );
    r.bytes().await.unwrap().to_vec()
}

/// The About part and plan of an xlsx export, read as an import reads it.
fn read_xlsx(bytes: &[u8]) -> (interop::About, interop::PlanSheet) {
    let book = interop::read_workbook("plan.xlsx", bytes, &interop::Limits::default()).unwrap();
    let about = interop::read_about(&book).unwrap().expect("an About sheet");
    let mut options = interop::ReadOptions::new(about.year);
    options.level_names = about.level_names.clone();
    options.rag = about.rag.clone();
    let plan = interop::read_plan(&book, &options).unwrap_or_else(|p| panic!("{p}"));
    (about, plan)
}

/// The files in a zip, by name.
fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

async fn the_public_downloads_a_published_plan_as_it_sees_it(db: TestDb) {
    let app = spawn_app(db).await;
    let (plan, actions) = work_in_progress(&app).await;
    let public = client();
    let (status, page) = get(&public, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Download this plan"), "{page}");
    for (href, label) in [
        ("/b/bromley/plans/ACH/2024-25/export.xlsx", "Excel (.xlsx)"),
        (
            "/b/bromley/plans/ACH/2024-25/export-csv.zip",
            "CSV (three files in a .zip)",
        ),
        ("/b/bromley/plans/ACH/2024-25/export.json", "JSON"),
    ] {
        assert!(
            page.contains(&format!(
                "<a class=\"govuk-link\" href=\"{href}\" download>{label}"
            )),
            "the plan page links to {href}"
        );
    }

    // The workbook: the plan's actions, the signed-off update, no work in
    // progress; and the plan's own state in its About sheet.
    let xlsx = download(
        &app,
        &public,
        "/b/bromley/plans/ACH/2024-25/export.xlsx",
        XLSX,
        "bromley-ACH-2024-25.xlsx",
    )
    .await;
    let (about, sheet) = read_xlsx(&xlsx);
    assert_eq!(about.body_slug.as_str(), "bromley");
    assert_eq!(about.year.to_string(), "2024/25");
    let state = about.state.expect("the plan's state");
    assert!(state.published_at.is_some(), "the plan was published");
    assert_eq!(state.status, domain::PlanStatus::Approved);
    assert!(sheet.actions.iter().any(|a| a.reference == "10A"));
    let stored = app
        .store
        .plan_tree(domain::PlanId::new(plan))
        .await
        .unwrap();
    assert_eq!(sheet.actions.len(), stored.actions.len());
    let commentary: Vec<&str> = sheet
        .updates
        .iter()
        .map(|u| u.commentary.as_str())
        .collect();
    assert!(commentary.contains(&SIGNED_OFF), "{commentary:?}");
    for c in &commentary {
        assert_private("the public's xlsx", c);
    }
    assert!(
        stored.updates.len() > sheet.updates.len(),
        "drafts, submitted and returned updates stay out"
    );

    // The zip: three CSV files that read back to the same plan.
    let zip = download(
        &app,
        &public,
        "/b/bromley/plans/ACH/2024-25/export-csv.zip",
        "application/zip",
        "bromley-ACH-2024-25-csv.zip",
    )
    .await;
    let files = unzip(zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "bromley-ACH-2024-25-actions.csv",
            "bromley-ACH-2024-25-updates.csv",
            "bromley-ACH-2024-25-about.csv"
        ]
    );
    for (name, bytes) in &files {
        assert_private(name, &String::from_utf8_lossy(bytes));
    }
    let book = interop::csv_workbook(
        &[
            ("Actions", &files[0].0, &files[0].1),
            ("Updates", &files[1].0, &files[1].1),
            ("About", &files[2].0, &files[2].1),
        ],
        &interop::Limits::default(),
    )
    .unwrap();
    let mut options = interop::ReadOptions::new(about.year);
    options.level_names = about.level_names.clone();
    assert_eq!(interop::read_plan(&book, &options).unwrap(), sheet);

    // JSON from the page and from the API: the same plan.
    let json = download(
        &app,
        &public,
        "/b/bromley/plans/ACH/2024-25/export.json",
        "application/json",
        "bromley-ACH-2024-25.json",
    )
    .await;
    let from_page = interop::read_json("plan.json", &json).unwrap();
    assert_eq!(from_page.plan, sheet);
    let (status, api) = get(&public, app.url(&format!("/api/v1/plans/{plan}/export"))).await;
    assert_eq!(status, StatusCode::OK);
    let from_api = interop::read_json("api.json", api.as_bytes()).unwrap();
    assert_eq!(from_api, from_page);

    // An officer of the body gets the work in progress too.
    let officer = app.signed_in("officer").await;
    let xlsx = download(
        &app,
        &officer,
        "/b/bromley/plans/ACH/2024-25/export.xlsx",
        XLSX,
        "bromley-ACH-2024-25.xlsx",
    )
    .await;
    let (_, all) = read_xlsx(&xlsx);
    assert_eq!(all.updates.len(), stored.updates.len());
    assert!(all.updates.iter().any(|u| u.commentary.as_str() == DRAFT));
    // So does the lead, on the action they lead only.
    let lead = app.signed_in("lead").await;
    let xlsx = download(
        &app,
        &lead,
        "/b/bromley/plans/ACH/2024-25/export.xlsx",
        XLSX,
        "bromley-ACH-2024-25.xlsx",
    )
    .await;
    let (_, theirs) = read_xlsx(&xlsx);
    let mine = app
        .store
        .action(domain::ActionId::new(actions[0]))
        .await
        .unwrap();
    for u in &theirs.updates {
        if u.action != mine.details.reference.as_str() {
            assert_private("another action's update to the lead", u.commentary.as_str());
        }
    }
    assert!(
        theirs
            .updates
            .iter()
            .any(|u| u.commentary.as_str() == DRAFT)
    );
}
on_both_engines!(the_public_downloads_a_published_plan_as_it_sees_it);

async fn a_plan_not_published_downloads_for_its_body_s_people_only(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let northmoor = app.signed_in_at("officer", "northmoor").await;
    let officer = app.signed_in("officer").await;
    let (status, page) = get(&officer, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This plan is not published"));
    assert!(page.contains("/b/bromley/plans/ACH/2024-25/export.xlsx"));
    for path in [
        "/b/bromley/plans/ACH/2024-25/export.xlsx",
        "/b/bromley/plans/ACH/2024-25/export-csv.zip",
        "/b/bromley/plans/ACH/2024-25/export.json",
    ] {
        for (who, c) in [
            ("the public", &public),
            ("another body's officer", &northmoor),
        ] {
            let (status, _) = get(c, app.url(path)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} to {who}");
        }
        let r = officer.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path} to the body's officer");
    }
    let plan = app.ach_plan("2024/25").await;
    let api = format!("/api/v1/plans/{}/export", plan.id);
    assert_eq!(get(&public, app.url(&api)).await.0, StatusCode::NOT_FOUND);
    let token = app.api_token_at("officer", "northmoor").await;
    let r = public
        .get(app.url(&api))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another body's token");
    let token = app.api_token("officer").await;
    let r = public
        .get(app.url(&api))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let export: serde_json::Value = r.json().await.unwrap();
    assert_eq!(export["about"]["state"]["status"], "approved");
    assert_eq!(
        export["about"]["state"]["published_at"],
        serde_json::Value::Null
    );

    // The officer's workbook says the plan is approved, not published, and
    // (Bromley's demo being partly invented) partly illustrative.
    let xlsx = download(
        &app,
        &officer,
        "/b/bromley/plans/ACH/2024-25/export.xlsx",
        XLSX,
        "bromley-ACH-2024-25.xlsx",
    )
    .await;
    let (about, _) = read_xlsx(&xlsx);
    let state = about.state.unwrap();
    assert_eq!(
        (state.status, state.published_at),
        (domain::PlanStatus::Approved, None)
    );
    assert_eq!(about.illustrative, Some(interop::Illustrative::Partly));
}
on_both_engines!(a_plan_not_published_downloads_for_its_body_s_people_only);

async fn many_downloads_at_once_all_complete(db: TestDb) {
    let app = spawn_app(db).await;
    let public = client();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let c = public.clone();
        let url = app.url(&format!(
            "/b/northmoor/plans/ENV/2023-24/{}",
            ["export.xlsx", "export-csv.zip", "export.json"][i % 3]
        ));
        tasks.push(tokio::spawn(async move {
            c.get(url).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK, "each waits its turn");
    }
}
on_both_engines!(many_downloads_at_once_all_complete);

async fn an_export_imported_on_the_web_leaves_the_plan_s_state_and_says_so(db: TestDb) {
    let app = spawn_app(db).await;
    let officer = app.signed_in_at("officer", "northmoor").await;
    let base = "/b/northmoor/plans/ENV/2024-25";
    let xlsx = download(
        &app,
        &officer,
        &format!("{base}/export.xlsx"),
        XLSX,
        "northmoor-ENV-2024-25.xlsx",
    )
    .await;
    let (about, _) = read_xlsx(&xlsx);
    assert_eq!(about.illustrative, Some(interop::Illustrative::Yes));
    // Withdrawn from public pages since the download.
    let body = app.store.body(&"northmoor".parse().unwrap()).await.unwrap();
    let portfolio = app
        .store
        .portfolio(Some(body.id), &"ENV".parse().unwrap())
        .await
        .unwrap();
    let plan = app
        .store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    assert!(plan.published_at.is_some());
    app.store
        .publish_plan("test", plan.id, plan.version, false)
        .await
        .unwrap();

    let (_, form) = get(&officer, app.url(&format!("{base}/import"))).await;
    let csrf = super::hidden(&form, "csrf");
    let (status, mapping) = super::import::upload(
        &officer,
        app.url(&format!("{base}/import")),
        &csrf,
        "northmoor-ENV-2024-25.xlsx",
        &xlsx,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mapping}");
    let fields = [
        ("csrf", csrf.clone()),
        ("token", super::hidden(&mapping, "token")),
    ];
    let r = officer
        .post(app.url(&format!("{base}/import/preview")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.unwrap();
    assert!(
        preview.contains("Nothing would change"),
        "the plan is as the file has it: {preview}"
    );
    assert!(preview.contains("Left as the plan has it"), "{preview}");
    assert!(
        preview.contains(
            "<th scope=\"row\" class=\"govuk-table__header\">Publication</th>\n      <td class=\"govuk-table__cell\">published</td>\n      <td class=\"govuk-table__cell\">not published</td>"
        ),
        "{preview}"
    );
    let r = officer
        .post(app.url(&format!("{base}/import/confirm")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = app.store.plan_by_id(plan.id).await.unwrap();
    assert_eq!(after.published_at, None, "the import did not publish it");
    assert_eq!(after.status, plan.status);
}
on_both_engines!(an_export_imported_on_the_web_leaves_the_plan_s_state_and_says_so);
