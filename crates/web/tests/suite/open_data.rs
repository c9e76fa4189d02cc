//! Open data on the public pages: each public plan and committee page links
//! its formats, the `/open-data` page lists every body's, every address it
//! lists answers, the JSON documents validate against the schemas the app
//! serves, and nothing but public data appears in the CSV, JSON or feeds
//! whoever asks: no draft, submitted or returned update, no unpublished
//! meeting, its agenda items or the promises made at it.

use std::io::Read;

use domain::{AcceptedMinutes, NewCommitment, Text, Title};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, on_both_engines};

use super::visibility::{SIGNED_OFF, assert_private, work_in_progress};
use super::{App, client, get, spawn_app};

const SECRET_ITEM: &str = "SECRET-ITEM-NOT-FOR-PUBLIC";
const SECRET_VENUE: &str = "SECRET-VENUE-NOT-FOR-PUBLIC";
const SECRET_PROMISE: &str = "SECRET-PROMISE-NOT-FOR-PUBLIC";
const PUBLIC_PROMISE: &str = "A report on carers' breaks would come back in March 2020";

/// A response's status, content type and body.
async fn fetch(c: &reqwest::Client, url: String) -> (StatusCode, String, Vec<u8>) {
    let r = c.get(&url).send().await.unwrap();
    let status = r.status();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.bytes().await.unwrap().to_vec())
}

/// A meeting of Bromley's first committee on `held_on`, published or not,
/// with one agenda item whose minutes record an overdue promise.
async fn meeting_with_promise(
    app: &App,
    committee: i64,
    held_on: &str,
    venue: &str,
    published: bool,
    item: &str,
    promise: &str,
) {
    let store = &app.store;
    let meeting = store
        .create_meeting(
            "test",
            domain::CommitteeId::new(committee),
            &store::MeetingDetails {
                held_on: held_on.parse().unwrap(),
                venue: venue.into(),
                status: domain::MeetingStatus::Held,
                published,
            },
        )
        .await
        .unwrap();
    let t = |s: &str| Title::parse("title", s).unwrap();
    let item = store
        .add_agenda_item(
            "test",
            meeting.id,
            store::NewAgendaItem {
                number: t("4"),
                title: t(item),
                report_ref: String::new(),
                plan_id: None,
                half: None,
            },
        )
        .await
        .unwrap();
    let text = |s: &str| Text::parse("text", s).unwrap();
    store
        .accept_minutes(
            "test",
            item.id,
            item.version,
            AcceptedMinutes {
                minutes: format!("The Committee heard that {promise}."),
                questions: vec![],
                commitments: vec![NewCommitment {
                    text: text(promise),
                    owner: Some(t("Director of Adult Services")),
                    due_by: Some("2020-03".parse::<domain::TargetDate>().unwrap()),
                    due_text: "in March 2020".into(),
                    action_id: None,
                    source: text(promise),
                }],
                resolutions: vec![],
                reviewed: vec![],
            },
        )
        .await
        .unwrap();
}

/// The JSON Schema the app serves at `path`, compiled.
async fn served_schema(app: &App, path: &str) -> jsonschema::Validator {
    let (status, kind, bytes) = fetch(&client(), app.url(path)).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(kind, "application/schema+json", "{path}");
    let schema: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        schema["description"].as_str().is_some_and(|d| d.len() > 40),
        "{path} is documented"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, doc: &Value) {
    let problems: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

fn assert_not_secret(what: &str, text: &str) {
    assert_private(what, text);
    for secret in [SECRET_ITEM, SECRET_VENUE, SECRET_PROMISE] {
        assert!(!text.contains(secret), "{what} shows {secret}");
    }
}

/// The `href`s of `page` starting with `/`.
fn local_hrefs(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .match_indices("href=\"/")
        .map(|(at, _)| {
            let rest = &page[at + 6..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .filter(|h| !h.starts_with("/assets/") && !h.contains('#'))
        .collect();
    out.sort();
    out.dedup();
    out
}

async fn open_data_is_public_only(db: TestDb) {
    let app = spawn_app(db).await;
    let store = &app.store;
    // Work in progress on the (now published) 2024/25 plan: a draft, a
    // submitted, a returned update and a revision, beside signed-off ones.
    work_in_progress(&app).await;
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = store.committees(body.id).await.unwrap()[0].id;
    meeting_with_promise(
        &app,
        committee.get(),
        "2020-01-15",
        SECRET_VENUE,
        false,
        SECRET_ITEM,
        SECRET_PROMISE,
    )
    .await;
    meeting_with_promise(
        &app,
        committee.get(),
        "2020-01-16",
        "Bromley Civic Centre, Room 1",
        true,
        "Carers' breaks",
        PUBLIC_PROMISE,
    )
    .await;

    let public = client();
    let officer = app.signed_in("officer").await;
    let committee_href = format!("/b/bromley/committees/{committee}");
    let plan_href = "/b/bromley/plans/ACH/2024-25";

    // The pages link their open data.
    let (_, page) = get(&public, app.url(&committee_href)).await;
    for href in [
        format!("{committee_href}/export.csv"),
        format!("{committee_href}/export.json"),
        format!("{committee_href}/feed.atom"),
        "/open-data/committee.schema.json".into(),
        format!("/oparl/v1.1/bodies/bromley/organization/{committee}"),
    ] {
        assert!(
            page.contains(&format!("href=\"{href}\"")),
            "committee page links {href}"
        );
    }
    let (_, page) = get(&public, app.url(plan_href)).await;
    for href in [
        format!("{plan_href}/export-csv.zip"),
        format!("{plan_href}/export.json"),
        "/open-data/plan.schema.json".into(),
        "/b/bromley/feed.atom".into(),
        "/oparl/v1.1/bodies/bromley/papers".into(),
        format!("{plan_href}/export.stratml.xml"),
    ] {
        assert!(
            page.contains(&format!("href=\"{href}\"")),
            "plan page links {href}"
        );
    }

    // The committee's JSON and CSV: public meetings only, whoever asks.
    let committee_schema = served_schema(&app, "/open-data/committee.schema.json").await;
    for (who, c) in [("public", &public), ("officer", &officer)] {
        let (status, kind, bytes) =
            fetch(c, app.url(&format!("{committee_href}/export.json"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "application/json");
        let text = String::from_utf8(bytes).unwrap();
        assert_not_secret(&format!("committee JSON for the {who}"), &text);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&committee_schema, "committee JSON", &doc);
        assert!(
            doc["meetings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["published"] == true),
            "only published meetings"
        );
        assert!(text.contains("Carers' breaks"));
        assert!(
            text.contains(PUBLIC_PROMISE),
            "the public promise is in the log"
        );

        let (status, kind, bytes) =
            fetch(c, app.url(&format!("{committee_href}/export.csv"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "text/csv; charset=utf-8");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("Committee,Meeting date,"), "{text}");
        assert!(text.contains("2020-01-16") && text.contains("Carers' breaks"));
        assert_not_secret(&format!("committee CSV for the {who}"), &text);

        // The feeds: signed-off updates and public promises only.
        for feed in [
            "/b/bromley/feed.atom".to_owned(),
            format!("{committee_href}/feed.atom"),
        ] {
            let (status, kind, bytes) = fetch(c, app.url(&feed)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(kind, "application/atom+xml; charset=utf-8");
            let text = String::from_utf8(bytes).unwrap();
            assert!(
                text.starts_with("<?xml")
                    && text.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
            );
            assert_not_secret(&format!("{feed} for the {who}"), &text);
            assert!(
                text.contains("Promise overdue: A report on carers&apos; breaks"),
                "{feed}: {text}"
            );
        }
    }
    let (_, _, feed) = fetch(&public, app.url("/b/bromley/feed.atom")).await;
    let feed = String::from_utf8(feed).unwrap();
    assert!(
        feed.contains(SIGNED_OFF),
        "the signed-off update is in the body's feed"
    );
    assert_eq!(
        feed.matches("<entry>").count(),
        feed.matches("</entry>").count()
    );

    // The plan's JSON validates against its schema; its downloads hold
    // signed-off content only.
    let plan_schema = served_schema(&app, "/open-data/plan.schema.json").await;
    let (status, kind, bytes) = fetch(&public, app.url(&format!("{plan_href}/export.json"))).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/json")
    );
    let text = String::from_utf8(bytes).unwrap();
    assert_private("plan JSON", &text);
    assert!(text.contains(SIGNED_OFF));
    assert_valid(
        &plan_schema,
        "plan JSON",
        &serde_json::from_str(&text).unwrap(),
    );
    for (slug, code, year) in [
        ("bromley", "ACH", "2022-23"),
        ("northmoor", "ENV", "2023-24"),
    ] {
        let (_, _, bytes) = fetch(
            &public,
            app.url(&format!("/b/{slug}/plans/{code}/{year}/export.json")),
        )
        .await;
        assert_valid(
            &plan_schema,
            &format!("{slug} {code} {year}"),
            &serde_json::from_slice(&bytes).unwrap(),
        );
    }
    let (status, kind, bytes) =
        fetch(&public, app.url(&format!("{plan_href}/export-csv.zip"))).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/zip"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        zip.by_index(i).unwrap().read_to_string(&mut all).unwrap();
    }
    assert_private("plan CSV", &all);
    assert!(all.contains(SIGNED_OFF));

    // The open data page lists every body's, and everything it links answers.
    let (status, page) = get(&public, app.url("/open-data")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"bromley\"") && page.contains("id=\"northmoor\""));
    assert!(page.contains(&format!("href=\"{committee_href}/export.json\"")));
    assert!(page.contains(&format!("href=\"{plan_href}/export.json\"")));
    let hrefs = local_hrefs(&page);
    assert!(hrefs.len() > 20, "{hrefs:?}");
    for href in hrefs {
        let status = public.get(app.url(&href)).send().await.unwrap().status();
        assert!(
            status == StatusCode::OK || (href == "/sign-in" && status.is_success()),
            "{href} answers {status}"
        );
    }
    // An unknown committee is not found, in every format.
    for path in ["export.csv", "export.json", "feed.atom"] {
        assert_eq!(
            get(
                &public,
                app.url(&format!("/b/bromley/committees/999999/{path}"))
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
    }
}
on_both_engines!(open_data_is_public_only);
