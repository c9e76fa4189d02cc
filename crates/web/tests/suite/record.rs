//! The committee record in full: the meeting page with each question's
//! words and each promise's action and paragraph; the clerk's review with
//! the action picker and the sources marked in the minutes; the banner and
//! the prompt to publish; the log of promises filtered and downloaded (CSV,
//! and the matters-arising list in Word) as the page shows it; the report
//! pack of a published plan for the public; and the same on the API.

use std::io::Read;

use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, link, see_other, spawn_app};

const MINUTES: &str = "Report ACH23-012\n\nWith regards to Ambition 2 – Action Point 10A: Develop a new support offer to help and sustain unpaid carers including young carers, Councillor Smith asked when the action plan would be published. The Assistant Director for Integrated Commissioning said that the action plan would be brought to the Committee in June 2023.\n\nRESOLVED that the Bromley Carers Strategy be noted.";

const PROMISE: &str = "the action plan would be brought to the Committee in June 2023";

/// The `<select>` called `name` in `html`, up to its end.
fn select<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!(
            "<select class=\"govuk-select govuk-!-width-full\" id=\"{name}\""
        ))
        .unwrap_or_else(|| panic!("no {name} picker"));
    &html[at..at + html[at..].find("</select>").unwrap()]
}

/// The rows of the log of promises on a committee page.
fn log_rows(page: &str) -> Vec<&str> {
    page.split("<tr class=\"govuk-table__row\" id=\"promise-")
        .skip(1)
        .map(|r| &r[..r.find("</tr>").unwrap()])
        .collect()
}

/// A download's body, checked for its type and file name.
async fn download(c: &reqwest::Client, url: String, kind: &str, ext: &str) -> Vec<u8> {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(kind)
    );
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.ends_with(&format!(".{ext}\"")),
        "{disposition}"
    );
    r.bytes().await.unwrap().to_vec()
}

/// The CSV's rows, heading first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The text of a .docx's `word/document.xml`.
fn docx_text(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// A new meeting (not published) of the committee at `committee_href` with
/// item 5 covering ACH 2022/23 H2: the meeting's address and the item's minutes form.
async fn unpublished_meeting(
    app: &App,
    clerk: &reqwest::Client,
    committee_href: &str,
    csrf: &str,
) -> (String, String) {
    let r = clerk
        .post(app.url(&format!("{committee_href}/meetings")))
        .form(&[
            ("csrf", csrf),
            ("held-on", "2023-03-21"),
            ("venue", "Committee Room 1"),
            ("status", "held"),
        ])
        .send()
        .await
        .unwrap();
    let meeting = see_other(&r);
    let (_, page) = get(clerk, app.url(&meeting)).await;
    let covers = page
        .split("<option value=\"")
        .find(|o| o.contains(">ACH 2022/23 H2<"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned();
    let r = clerk
        .post(app.url(&format!("{meeting}/items")))
        .form(&[
            ("csrf", csrf),
            ("number", "5"),
            ("title", "Carers Strategy"),
            ("report", "ACH23-012"),
            ("covers", covers.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (_, page) = get(clerk, app.url(&see_other(&r))).await;
    (meeting, link(&page, "/b/bromley/agenda-items/"))
}

async fn the_committee_record_in_full(db: TestDb) {
    let app = spawn_app(db).await;
    let clerk = app.signed_in("clerk").await;
    let public = client();
    let (_, list) = get(&clerk, app.url("/b/bromley/committees")).await;
    let csrf = hidden(&list, "csrf");
    let committee_href = link(&list, "/b/bromley/committees/");
    let committee_id: i64 = committee_href.rsplit('/').next().unwrap().parse().unwrap();
    let (meeting, minutes_href) = unpublished_meeting(&app, &clerk, &committee_href, &csrf).await;
    let ten_a = app.action_id("2022/23", "10A").await;

    // The review marks where each finding came from and offers the plan's actions.
    let review = clerk
        .post(app.url(&minutes_href))
        .form(&[
            ("csrf", csrf.as_str()),
            ("step", "review"),
            ("minutes", MINUTES),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(review.contains("<mark id=\"m-"), "the sources are marked");
    let mark = review[review.find("<mark id=\"m-").unwrap()..].to_owned();
    let mark = &mark[..mark.find("</mark>").unwrap()];
    let anchor = mark.split('"').nth(1).unwrap();
    assert!(
        review.contains(&format!("href=\"#{anchor}\"")),
        "a finding links to its marked sentence"
    );
    let marked: Vec<&str> = review.split("<mark id=\"").skip(1).collect();
    assert!(
        marked.iter().any(|m| m.contains(PROMISE)),
        "the promise's sentence is marked: {marked:?}"
    );
    assert!(review.contains(
        "<label class=\"govuk-label\" for=\"c-0-action\">The action it concerns</label>"
    ));
    let picker = select(&review, "c-0-action");
    assert!(
        picker
            .contains("<optgroup label=\"ACH 2022/23 (the plan this item&#39;s report covers)\">"),
        "{picker}"
    );
    assert!(
        picker.contains(&format!("<option value=\"action-{ten_a}\" selected>10A: ")),
        "the extractor's 10A is chosen: {picker}"
    );
    let source = hidden(&review, "c-0-source");
    assert!(source.contains(PROMISE), "{source}");

    let accept = |action: String| {
        vec![
            ("csrf", csrf.clone()),
            ("step", "accept".into()),
            ("version", "1".into()),
            ("minutes", MINUTES.into()),
            ("q-count", "1".into()),
            ("q-0-accept", "yes".into()),
            ("q-0-asker", "Councillor Smith".into()),
            (
                "q-0-responder",
                "Assistant Director for Integrated Commissioning".into(),
            ),
            ("q-0-action", action.clone()),
            (
                "q-0-source",
                "Councillor Smith asked when the action plan would be published.".into(),
            ),
            ("c-count", "1".into()),
            ("c-0-accept", "yes".into()),
            ("c-0-text", PROMISE.into()),
            (
                "c-0-owner",
                "Assistant Director for Integrated Commissioning".into(),
            ),
            ("c-0-due", "2023-06".into()),
            ("c-0-due-text", "in June 2023".into()),
            ("c-0-action", action),
            ("c-0-source", source.clone()),
            ("r-count", "1".into()),
            ("r-0-accept", "yes".into()),
            ("r-0-text", "the Bromley Carers Strategy be noted".into()),
            ("r-0-outcome", "noted".into()),
        ]
    };
    // An action from no offered plan is refused, naming the field.
    let bad = clerk
        .post(app.url(&minutes_href))
        .form(&accept("action-999999".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Choose the action from the list")
    );

    let done = clerk
        .post(app.url(&minutes_href))
        .form(&accept(format!("action-{ten_a}")))
        .send()
        .await
        .unwrap();
    let landed = see_other(&done);
    assert!(landed.contains("?recorded="), "{landed}");
    let (_, page) = get(&clerk, app.url(&landed)).await;
    assert!(page.contains("govuk-notification-banner--success"));
    assert!(
        page.contains("1 promise, 1 question and 1 resolution recorded for item 5"),
        "{page}"
    );
    assert!(page.contains(&format!("action=\"{meeting}/publish\"")));
    assert!(page.contains("Publish the meeting's record"));
    // The meeting page: the question's words, who asked and answered, the
    // promise's action and paragraph, the report pack.
    assert!(page.contains("“Councillor Smith asked when the action plan would be published.”"));
    assert!(page.contains(
        "Asked by Councillor Smith. Answered by Assistant Director for Integrated Commissioning."
    ));
    assert!(page.contains(&format!(
        "Action: <a class=\"govuk-link\" href=\"/b/bromley/actions/{ten_a}\">10A: "
    )));
    assert!(
        page.contains("From the minutes: </span>With regards to Ambition 2"),
        "the paragraph the promise came from"
    );
    assert!(page.contains("/b/bromley/plans/ACH/2022-23/periods/H2/report?format=pdf"));
    // The banner claims only what the record holds: not for another viewer or a bad item.
    let (_, odd) = get(&clerk, app.url(&format!("{meeting}?recorded=abc"))).await;
    assert!(!odd.contains("govuk-notification-banner"));

    // Unpublished: the public sees neither the meeting nor its promises.
    assert_eq!(
        get(&public, app.url(&meeting)).await.0,
        StatusCode::NOT_FOUND
    );
    let csv = download(
        &public,
        app.url(&format!("{committee_href}/promises.csv")),
        "text/csv",
        "csv",
    )
    .await;
    assert!(!String::from_utf8(csv).unwrap().contains(PROMISE));
    let docx = download(
        &public,
        app.url(&format!("{committee_href}/matters-arising.docx")),
        "application/vnd.openxmlformats",
        "docx",
    )
    .await;
    assert!(!docx_text(docx).contains(PROMISE));
    let api: Value = public
        .get(app.url(&format!("/api/v1/committees/{committee_id}/commitments")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!api.to_string().contains(PROMISE));

    // Another body's officer may not publish it; the clerk does.
    let version = hidden(&page, "version");
    let stranger = app.signed_in_at("officer", "northmoor").await;
    let (_, theirs) = get(&stranger, app.url("/b/northmoor/committees")).await;
    let refused = stranger
        .post(app.url(&format!("{meeting}/publish")))
        .form(&[
            ("csrf", hidden(&theirs, "csrf")),
            ("version", version.clone()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let r = clerk
        .post(app.url(&format!("{meeting}/publish")))
        .form(&[("csrf", csrf.clone()), ("version", version)])
        .send()
        .await
        .unwrap();
    let landed = see_other(&r);
    assert!(landed.ends_with("?done=published"), "{landed}");
    let (_, page) = get(&clerk, app.url(&landed)).await;
    assert!(page.contains("The meeting&#39;s record is published: the public can now see it"));
    assert!(!page.contains("Not published"));
    let (status, seen) = get(&public, app.url(&meeting)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(seen.contains(PROMISE));
    assert!(
        !seen.contains("govuk-notification-banner") && !seen.contains("/publish"),
        "the public gets no banner and no publish button"
    );
    // The published plan's pack is there for the public.
    let pack = link(&seen, "/b/bromley/plans/ACH/2022-23/periods/H2/report");
    let (status, _) = get(&public, app.url(&pack)).await;
    assert_eq!(status, StatusCode::OK, "{pack}");

    // The log: "No date set", and filters that narrow it.
    let (_, full) = get(&public, app.url(&committee_href)).await;
    let all = log_rows(&full).len();
    assert!(all >= 3, "{all}");
    assert!(
        full.contains(
            "<label class=\"govuk-label\" for=\"filter-standing\">Promise status</label>"
        )
    );
    assert!(
        full.contains("govuk-tag--grey\">No date set</strong>"),
        "promises without a due date are flagged"
    );
    let (_, overdue) = get(
        &public,
        app.url(&format!("{committee_href}?standing=overdue")),
    )
    .await;
    let rows = log_rows(&overdue);
    assert!(!rows.is_empty() && rows.len() < all);
    assert!(rows.iter().all(|r| r.contains("govuk-tag--red\">Overdue")));
    assert!(overdue.contains(&format!("Showing {} of {all} promises", rows.len())));
    let (_, by_action) = get(
        &public,
        app.url(&format!("{committee_href}?action={ten_a}")),
    )
    .await;
    let rows = log_rows(&by_action);
    assert!(rows.iter().any(|r| r.contains(PROMISE)));
    assert!(rows.iter().all(|r| r.contains("10A: ")), "{rows:?}");
    let owner = "Assistant Director for Integrated Commissioning";
    let (_, by_owner) = get(
        &public,
        app.url(&format!(
            "{committee_href}?owner=assistant%20director%20for%20integrated%20commissioning"
        )),
    )
    .await;
    let rows = log_rows(&by_owner);
    assert!(!rows.is_empty() && rows.len() < all);
    assert!(rows.iter().all(|r| r.contains(owner)));
    let meeting_id = meeting.rsplit('/').next().unwrap();
    let (_, by_meeting) = get(
        &public,
        app.url(&format!("{committee_href}?meeting={meeting_id}")),
    )
    .await;
    assert_eq!(log_rows(&by_meeting).len(), 1);
    // Values the log cannot be filtered by show the whole log.
    let (status, odd) = get(
        &public,
        app.url(&format!(
            "{committee_href}?standing=late&action=x&meeting=%ZZ"
        )),
    )
    .await;
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    let (status, odd2) = get(
        &public,
        app.url(&format!(
            "{committee_href}?standing=late&action=x&meeting=-1.5"
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log_rows(&odd2).len(), all);
    drop(odd);

    // The downloads follow the filter and the page.
    let csv = download(
        &public,
        app.url(&format!("{committee_href}/promises.csv?standing=open")),
        "text/csv",
        "csv",
    )
    .await;
    let rows = csv_rows(&csv);
    assert_eq!(rows[0][..4], ["Promise", "Owner", "Due", "Status"]);
    assert!(rows.len() > 1);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[3] == "Open" || r[3] == "Overdue")
    );
    let mine = rows
        .iter()
        .find(|r| r[0] == PROMISE)
        .expect("the new promise in the CSV");
    assert_eq!(mine[1], owner);
    assert!(mine[5].starts_with("10A: "), "{mine:?}");
    let docx = download(
        &public,
        app.url(&format!("{committee_href}/matters-arising.docx")),
        "application/vnd.openxmlformats",
        "docx",
    )
    .await;
    let xml = docx_text(docx);
    assert!(xml.contains("Matters arising"));
    assert!(xml.contains(PROMISE));
    assert!(xml.contains(owner));

    // The API: the same filters, a clear 422 for a bad one, and publishing.
    let api = |q: &str| {
        public
            .get(app.url(&format!("/api/v1/committees/{committee_id}/commitments{q}")))
            .send()
    };
    let overdue: Value = api("?standing=overdue")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let overdue = overdue.as_array().unwrap();
    assert!(!overdue.is_empty());
    assert!(overdue.iter().all(|c| c["standing"] == "overdue"));
    let about: Value = api(&format!("?action_id={ten_a}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        about
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action_id"] == ten_a)
    );
    let bad = api("?standing=late").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["field"], "standing");
    let bad = api("?meeting_id=abc").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (second, _) = unpublished_meeting(&app, &clerk, &committee_href, &csrf).await;
    let second_id: i64 = second.rsplit('/').next().unwrap().parse().unwrap();
    let publish = |token: String, version: i64| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/meetings/{second_id}/publish")))
            .bearer_auth(token)
            .json(&serde_json::json!({ "version": version }))
            .send()
    };
    let member = publish(app.api_token("member").await, 1).await.unwrap();
    assert_eq!(member.status(), StatusCode::FORBIDDEN);
    let stale = publish(app.api_token("clerk").await, 7).await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let ok = publish(app.api_token("clerk").await, 1).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(ok["published"], true);
    assert_eq!(get(&public, app.url(&second)).await.0, StatusCode::OK);
}
on_both_engines!(the_committee_record_in_full);

/// A committee's log of promises comes 50 at a time on its page, overdue
/// first, the filters kept in the page links; the CSV still holds every
/// promise.
async fn a_long_log_of_promises_comes_a_page_at_a_time(db: TestDb) {
    let app = spawn_app(db).await;
    let store = &app.store;
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = store.committees(body.id).await.unwrap()[0].clone();
    let meeting = store
        .create_meeting(
            "test",
            committee.id,
            &store::MeetingDetails {
                held_on: "2024-01-10".parse().unwrap(),
                venue: "Bromley Civic Centre".into(),
                status: domain::MeetingStatus::Held,
                published: true,
            },
        )
        .await
        .unwrap();
    let t = |s: &str| domain::Title::parse("title", s).unwrap();
    let item = store
        .add_agenda_item(
            "test",
            meeting.id,
            store::NewAgendaItem {
                number: t("7"),
                title: t("Matters arising"),
                report_ref: String::new(),
                plan_id: None,
                half: None,
            },
        )
        .await
        .unwrap();
    let text = |s: &str| domain::Text::parse("text", s).unwrap();
    let commitments = (1..=60)
        .map(|n| domain::NewCommitment {
            text: text(&format!("Promise number {n} to report back")),
            owner: Some(t("Director of Adult Services")),
            due_by: Some("2024-03".parse().unwrap()),
            due_text: "in March 2024".into(),
            action_id: None,
            source: text(&format!("Promise number {n} to report back")),
        })
        .collect();
    store
        .accept_minutes(
            "test",
            item.id,
            item.version,
            domain::AcceptedMinutes {
                minutes: "Sixty promises were made.".into(),
                questions: vec![],
                commitments,
                resolutions: vec![],
                reviewed: vec![],
            },
        )
        .await
        .unwrap();
    let public = client();
    let href = format!("/b/bromley/committees/{}", committee.id);
    // Rows of the log, and the ones among them made at this meeting.
    let rows = |page: &str| {
        page.matches("<tr class=\"govuk-table__row\" id=\"promise-")
            .count()
    };
    let shown = |page: &str| page.matches("Promise number ").count();

    let (status, first) = get(&public, app.url(&href)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&first), 50, "one page of 50");
    assert!(first.contains("aria-label=\"Pages of the log of promises\""));
    assert!(
        first.contains(&format!("href=\"{href}?page=2#log\"")),
        "{first}"
    );
    let (_, second) = get(&public, app.url(&format!("{href}?page=2"))).await;
    assert!(rows(&second) >= 10, "the rest on page 2");
    assert_eq!(
        shown(&first) + shown(&second),
        60,
        "every promise once, on one page or the other"
    );
    let (_, beyond) = get(&public, app.url(&format!("{href}?page=99"))).await;
    assert_eq!(
        rows(&beyond),
        rows(&second),
        "a page beyond the last shows the last"
    );

    // A filter is kept in the page links.
    let (_, overdue) = get(&public, app.url(&format!("{href}?standing=overdue"))).await;
    assert!(
        overdue.contains(&format!("href=\"{href}?standing=overdue&#38;page=2#log\"")),
        "{overdue}"
    );
    // The download holds every promise, not a page of them.
    let (_, csv) = get(&public, app.url(&format!("{href}/promises.csv"))).await;
    assert!(shown(&csv) >= 60, "{csv}");
}
on_both_engines!(a_long_log_of_promises_comes_a_page_at_a_time);
