//! Importing a plan from a spreadsheet on the web: upload, column mapping,
//! preview (a dry run), confirm; every problem listed and nothing written
//! for a bad file; the public and leads refused.

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, spawn_app};

const HEADINGS: [&str; 11] = [
    "Theme ref",
    "Theme",
    "Outcome ref",
    "Outcome",
    "Ref",
    "Action",
    "Responsible officer",
    "Due",
    "RAG",
    "Q2 update",
    "Notes",
];

const ROWS: [[&str; 11]; 3] = [
    [
        "3",
        "A good home for everyone",
        "3.1",
        "More affordable homes",
        "3.1.1",
        "Agree the affordable housing delivery plan",
        "Head of Housing Strategy",
        "Jan-26",
        "G",
        "Plan drafted; consultation closes in November.",
        "chase in January",
    ],
    [
        "3",
        "A good home for everyone",
        "3.1",
        "More affordable homes",
        "3.1.2",
        "Bring 40 empty homes back into use",
        "Empty Homes Officer",
        "31/03/2026",
        "A",
        "18 homes back in use.",
        "",
    ],
    [
        "3",
        "A good home for everyone",
        "3.2",
        "Safe and warm homes",
        "3.2.1",
        "Inspect every licensed HMO",
        "Private Sector Housing Manager",
        "March 2026",
        "R",
        "Inspector vacancy.",
        "",
    ],
];

/// A council's tracker as xlsx.
fn tracker(rows: &[[&str; 11]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// POST `file` as multipart with the form's CSRF token.
pub(super) async fn upload(
    c: &reqwest::Client,
    url: String,
    csrf: &str,
    name: &str,
    file: &[u8],
) -> (StatusCode, String) {
    let boundary = "ambit-import-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = c
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

const BASE: &str = "/b/northmoor/plans/HSG/2025-26";

async fn an_officer_imports_a_tracker_through_the_mapping(db: TestDb) {
    let app: App = spawn_app(db).await;
    let officer = app.signed_in_at("officer", "northmoor").await;
    let (status, form) = get(&officer, app.url(&format!("{BASE}/import"))).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let csrf = hidden(&form, "csrf");
    let (status, mapping) = upload(
        &officer,
        app.url(&format!("{BASE}/import")),
        &csrf,
        "Housing tracker.xlsx",
        &tracker(&ROWS),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mapping}");
    assert!(mapping.contains("Match the columns"), "{mapping}");
    assert!(mapping.contains("Responsible officer"), "{mapping}");
    assert!(
        mapping.contains("name=\"map-10\""),
        "Notes is to be mapped: {mapping}"
    );
    let token = hidden(&mapping, "token");
    let fields = [
        ("csrf", csrf.clone()),
        ("token", token.clone()),
        ("map-10", "ignore".to_owned()),
    ];
    let r = officer
        .post(app.url(&format!("{BASE}/import/preview")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.unwrap();
    assert!(preview.contains("Check the import"), "{preview}");
    assert!(
        preview.contains(
            "Actions</th>\n      <td class=\"govuk-table__cell govuk-table__cell--numeric\">3</td>"
        ),
        "{preview}"
    );
    assert!(preview.contains("3.1.2"), "{preview}");
    // Nothing is written by the preview.
    let (status, _) = get(&officer, app.url(BASE)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the plan does not exist yet");
    let r = officer
        .post(app.url(&format!("{BASE}/import/confirm")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(&format!("{BASE}?imported=")), "{to}");
    let (status, plan) = get(&officer, app.url(&to)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert!(plan.contains("govuk-notification-banner"), "{plan}");
    assert!(
        plan.contains("Imported Housing tracker.xlsx: 3 actions created"),
        "{plan}"
    );
    assert!(plan.contains("Inspect every licensed HMO"), "{plan}");
    assert!(plan.contains("Import a plan from a spreadsheet"), "{plan}");
    // The banner is shown once; the upload cannot be imported again.
    let (_, again) = get(&officer, app.url(&to)).await;
    assert!(!again.contains("govuk-notification-banner"));
    let r = officer
        .post(app.url(&format!("{BASE}/import/confirm")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
on_both_engines!(an_officer_imports_a_tracker_through_the_mapping);

async fn a_bad_tracker_shows_every_problem_and_writes_nothing(db: TestDb) {
    let app: App = spawn_app(db).await;
    let officer = app.signed_in_at("officer", "northmoor").await;
    let events = app.store.audit_event_count().await.unwrap();
    let (_, form) = get(&officer, app.url(&format!("{BASE}/import"))).await;
    let csrf = hidden(&form, "csrf");
    let mut rows = ROWS;
    rows[0][7] = "31/13/2025";
    rows[1][8] = "Purple";
    rows[2][4] = "3.2.x";
    let (status, mapping) = upload(
        &officer,
        app.url(&format!("{BASE}/import")),
        &csrf,
        "tracker.xlsx",
        &tracker(&rows),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mapping}");
    let fields = [
        ("csrf", csrf.clone()),
        ("token", hidden(&mapping, "token")),
        ("map-10", "ignore".to_owned()),
    ];
    for step in ["preview", "confirm"] {
        let r = officer
            .post(app.url(&format!("{BASE}/import/{step}")))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("govuk-error-summary"), "{page}");
        for n in 1..=3 {
            assert!(page.contains(&format!("href=\"#problem-{n}\"")), "{page}");
            assert!(page.contains(&format!("id=\"problem-{n}\"")), "{page}");
        }
        assert!(page.contains("31/13/2025"), "{page}");
        assert!(page.contains("Purple"), "{page}");
    }
    assert_eq!(app.store.audit_event_count().await.unwrap(), events);
    let (status, _) = get(&officer, app.url(BASE)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
}
on_both_engines!(a_bad_tracker_shows_every_problem_and_writes_nothing);

async fn the_public_and_leads_cannot_import(db: TestDb) {
    let app: App = spawn_app(db).await;
    let (status, _) = get(&client(), app.url(&format!("{BASE}/import"))).await;
    assert!(
        status == StatusCode::SEE_OTHER || status == StatusCode::FORBIDDEN,
        "{status}"
    );
    let lead = app.signed_in("lead").await;
    let (status, _) = get(&lead, app.url("/b/bromley/plans/ACH/2022-23/import")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, plan) = get(&lead, app.url("/b/bromley/plans/ACH/2022-23")).await;
    assert!(!plan.contains("Import a plan from a spreadsheet"));
    // Another person's upload cannot be used, even by an officer.
    let officer = app.signed_in_at("officer", "northmoor").await;
    let (_, form) = get(&officer, app.url(&format!("{BASE}/import"))).await;
    let csrf = hidden(&form, "csrf");
    let (_, mapping) = upload(
        &officer,
        app.url(&format!("{BASE}/import")),
        &csrf,
        "t.xlsx",
        &tracker(&ROWS),
    )
    .await;
    let token = hidden(&mapping, "token");
    let other = app.signed_in_at("officer", "northmoor").await;
    let (_, form) = get(&other, app.url(&format!("{BASE}/import"))).await;
    let r = other
        .post(app.url(&format!("{BASE}/import/confirm")))
        .form(&[("csrf", hidden(&form, "csrf")), ("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("has expired"));
}
on_both_engines!(the_public_and_leads_cannot_import);

async fn an_upload_over_the_limit_is_refused(db: TestDb) {
    let limits = web::Limits {
        import_bytes: 20_000,
        ..web::Limits::default()
    };
    let app = super::hardening::spawn_with(db, super::hardening::with_limits(limits)).await;
    let officer = app.signed_in("officer").await;
    let url = app.url("/b/bromley/plans/ACH/2022-23/import");
    let (status, form) = get(&officer, url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, page) = upload(
        &officer,
        url.clone(),
        &hidden(&form, "csrf"),
        "big.csv",
        &vec![b'x'; 100_000],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
    // Not a spreadsheet: refused with the reason beside the file input.
    let (status, page) = upload(&officer, url, &hidden(&form, "csrf"), "notes.txt", b"hello").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#file\""), "{page}");
}
on_both_engines!(an_upload_over_the_limit_is_refused);

/// A second server over the same database as `app`, as a second process
/// behind a load balancer would be: its own store (pool) and state.
async fn second_server(app: &App) -> String {
    let store = app._db.open().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, store, web::Options::default()));
    base
}

async fn an_upload_on_one_server_is_imported_through_another(db: TestDb) {
    let app: App = spawn_app(db).await;
    let other = second_server(&app).await;
    assert_ne!(other, app.base);
    let officer = app.signed_in_at("officer", "northmoor").await;
    let (_, form) = get(&officer, app.url(&format!("{BASE}/import"))).await;
    let csrf = hidden(&form, "csrf");
    let (status, mapping) = upload(
        &officer,
        app.url(&format!("{BASE}/import")),
        &csrf,
        "Housing tracker.xlsx",
        &tracker(&ROWS),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mapping}");
    let fields = [
        ("csrf", csrf.clone()),
        ("token", hidden(&mapping, "token")),
        ("map-10", "ignore".to_owned()),
    ];
    // The preview and the import are answered by the other server.
    let r = officer
        .post(format!("{other}{BASE}/import/preview"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.unwrap();
    assert!(preview.contains("Check the import"), "{preview}");
    assert!(preview.contains("3.1.2"), "{preview}");
    let r = officer
        .post(format!("{other}{BASE}/import/confirm"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    // And the banner by the first.
    let (status, plan) = get(&officer, app.url(&to)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert!(
        plan.contains("Imported Housing tracker.xlsx: 3 actions created"),
        "{plan}"
    );
    // Imported once: neither server imports it again.
    for base in [&app.base, &other] {
        let r = officer
            .post(format!("{base}{BASE}/import/confirm"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("The uploaded file has expired or was already imported; choose it again"),
            "{page}"
        );
    }
}
on_both_engines!(an_upload_on_one_server_is_imported_through_another);

async fn a_body_s_waiting_uploads_are_bounded_together(db: TestDb) {
    let file = tracker(&ROWS);
    let limits = web::Limits {
        import_held_bytes: file.len() * 3 / 2,
        ..web::Limits::default()
    };
    let app = super::hardening::spawn_with(db, super::hardening::with_limits(limits)).await;
    let url = app.url("/b/bromley/plans/ACH/2022-23/import");
    let mut pages = Vec::new();
    for _ in 0..2 {
        let officer = app.signed_in("officer").await;
        let (_, form) = get(&officer, url.clone()).await;
        pages.push(
            upload(
                &officer,
                url.clone(),
                &hidden(&form, "csrf"),
                "t.xlsx",
                &file,
            )
            .await,
        );
    }
    assert_eq!(pages[0].0, StatusCode::OK, "{}", pages[0].1);
    let (status, page) = &pages[1];
    assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#file\""), "{page}");
    assert!(
        page.contains("There is no room for this file: spreadsheets waiting to be imported for this body already take"),
        "{page}"
    );
}
on_both_engines!(a_body_s_waiting_uploads_are_bounded_together);
