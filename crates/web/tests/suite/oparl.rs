//! The OParl 1.1 API crawled as an OParl client would: from the System
//! object, following every link to an OParl address (every page of every
//! list), each object and each embedded object validated against the OParl
//! 1.1 JSON schemas; every public meeting and published pack is reached,
//! every File's `accessUrl` downloads its pack's bytes, every committee
//! member is a Person with a Membership, and nothing unpublished is.

use std::collections::{BTreeSet, HashMap, VecDeque};

use domain::Half;
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, on_both_engines};

use super::{App, client, spawn_app};

const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// The OParl 1.1 schemas, by type name.
fn schemas() -> HashMap<String, jsonschema::Validator> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/standards/oparl-1.1");
    let dir = if dir.is_dir() {
        dir
    } else {
        std::path::PathBuf::from("/work/shared/standards/oparl-1.1")
    };
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the OParl schemas in {}: {e}", dir.display()))
        .map(|f| {
            let path = f.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("schema {name}: {e}"));
            (name, validator)
        })
        .collect()
}

/// Validate `object` and every object embedded in it; the problems found,
/// each naming the object.
fn validate(
    schemas: &HashMap<String, jsonschema::Validator>,
    object: &Value,
    problems: &mut Vec<String>,
) {
    match object {
        Value::Object(m) => {
            if let Some(kind) = m
                .get("type")
                .and_then(Value::as_str)
                .and_then(|t| t.strip_prefix(SCHEMA))
            {
                match schemas.get(kind) {
                    Some(v) => problems
                        .extend(v.iter_errors(object).map(|e| {
                            format!("{} ({kind}): {e} at {}", m["id"], e.instance_path())
                        })),
                    None => problems.push(format!("{}: no schema for {kind}", m["id"])),
                }
                for field in ["created", "modified"] {
                    if m.get(field).and_then(Value::as_str).is_none() {
                        problems.push(format!("{} ({kind}) has no {field}", m["id"]));
                    }
                }
            }
            for v in m.values() {
                validate(schemas, v, problems);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| validate(schemas, v, problems)),
        _ => {}
    }
}

/// Every string in `v` that is an address under `prefix`.
fn links(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with(prefix) => out.push(s.clone()),
        Value::Object(m) => m.values().for_each(|v| links(v, prefix, out)),
        Value::Array(a) => a.iter().for_each(|v| links(v, prefix, out)),
        _ => {}
    }
}

/// Every object in `v` (embedded ones too), by id.
fn objects(v: &Value, out: &mut HashMap<String, Value>) {
    match v {
        Value::Object(m) => {
            if let (Some(id), Some(_)) = (
                m.get("id").and_then(Value::as_str),
                m.get("type").and_then(Value::as_str),
            ) {
                out.insert(id.to_owned(), v.clone());
            }
            m.values().for_each(|v| objects(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| objects(v, out)),
        _ => {}
    }
}

/// What a crawl found: every object by id, and every address fetched.
struct Crawl {
    objects: HashMap<String, Value>,
    fetched: BTreeSet<String>,
}

async fn crawl(app: &App) -> Crawl {
    let schemas = schemas();
    // The validator finds what is wrong, embedded objects included.
    let mut caught = Vec::new();
    let wrong = serde_json::json!({
        "data": [{"id": "http://x/m", "type": format!("{SCHEMA}Meeting"), "cancelled": "no",
                  "created": "yesterday", "modified": "2024-01-01T00:00:00Z"}]
    });
    validate(&schemas, &wrong, &mut caught);
    assert_eq!(caught.len(), 2, "{caught:?}");
    let c = client();
    let prefix = app.url("/oparl/v1.1/");
    let mut queue = VecDeque::from([prefix.clone()]);
    let mut fetched = BTreeSet::new();
    let mut found = HashMap::new();
    let mut problems = Vec::new();
    while let Some(url) = queue.pop_front() {
        if !fetched.insert(url.clone()) {
            continue;
        }
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert_eq!(
            r.headers()[reqwest::header::CONTENT_TYPE],
            "application/json; charset=utf-8",
            "{url}"
        );
        let v: Value = r.json().await.unwrap();
        if let Some(data) = v.get("data") {
            // A list: its objects, its paging and its links.
            let p = &v["pagination"];
            for field in [
                "totalElements",
                "elementsPerPage",
                "currentPage",
                "totalPages",
            ] {
                assert!(p[field].is_u64(), "{url}: pagination.{field}");
            }
            assert!(v["links"]["first"].is_string(), "{url}: links.first");
            assert!(v["links"]["last"].is_string(), "{url}: links.last");
            assert!(
                data.as_array().unwrap().len() as u64 <= p["elementsPerPage"].as_u64().unwrap()
            );
        } else {
            assert!(
                v["type"].as_str().is_some_and(|t| t.starts_with(SCHEMA)),
                "{url} is neither a list nor an object: {v}"
            );
            assert_eq!(v["id"], url, "an object's id is its address");
        }
        validate(&schemas, &v, &mut problems);
        objects(&v, &mut found);
        let mut next = Vec::new();
        links(&v, &prefix, &mut next);
        queue.extend(next);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    Crawl {
        objects: found,
        fetched,
    }
}

async fn the_crawl_validates_and_reaches_what_is_public(db: TestDb) {
    let app = spawn_app(db).await;
    let store = &app.store;
    let bromley = store.body(&"bromley".parse().unwrap()).await.unwrap();
    // Two packs published; one plan then taken down again, and one meeting
    // never published.
    let shown = web::publish_pack(
        store,
        "test",
        &bromley.slug,
        &"ACH".parse().unwrap(),
        "2023/24".parse().unwrap(),
        Half::H2,
    )
    .await
    .unwrap();
    let hidden = web::publish_pack(
        store,
        "test",
        &bromley.slug,
        &"ACH".parse().unwrap(),
        "2022/23".parse().unwrap(),
        Half::H1,
    )
    .await
    .unwrap();
    let plan = store.plan_by_id(hidden.plan_id).await.unwrap();
    store
        .publish_plan("test", plan.id, plan.version, false)
        .await
        .unwrap();
    let committee = store.committees(bromley.id).await.unwrap()[0].clone();
    let draft = store
        .create_meeting(
            "test",
            committee.id,
            &store::MeetingDetails {
                held_on: "2025-01-15".parse().unwrap(),
                venue: "Bromley Civic Centre".into(),
                status: domain::MeetingStatus::Scheduled,
                published: false,
            },
        )
        .await
        .unwrap();
    // Two members, one whose term has ended.
    let mut seats = Vec::new();
    for (name, role, to) in [
        ("Councillor Ann Lee", domain::MemberRole::Chair, None),
        (
            "Mrs Pat Okafor",
            domain::MemberRole::CoOpted,
            Some("2022-05-04".parse().unwrap()),
        ),
    ] {
        let member = store
            .add_committee_member(
                "test",
                committee.id,
                &store::MemberDetails {
                    name: domain::Title::parse("name", name).unwrap(),
                    role,
                    term_from: Some("2018-05-10".parse().unwrap()),
                    term_to: to,
                },
            )
            .await
            .unwrap();
        seats.push(member.id);
    }

    let crawl = crawl(&app).await;
    let oparl = |path: &str| app.url(&format!("/oparl/v1.1/bodies/bromley/{path}"));

    // Every published meeting of every body is reached, and nothing else.
    for body in store.bodies().await.unwrap() {
        for c in store.committees(body.id).await.unwrap() {
            assert!(
                crawl.objects.contains_key(&app.url(&format!(
                    "/oparl/v1.1/bodies/{}/organization/{}",
                    body.slug, c.id
                ))),
                "committee {} reached",
                c.name
            );
            for m in store.meetings(c.id).await.unwrap() {
                let url = app.url(&format!(
                    "/oparl/v1.1/bodies/{}/meeting/{}",
                    body.slug, m.id
                ));
                assert_eq!(
                    crawl.objects.contains_key(&url),
                    m.published,
                    "meeting {url} (published: {})",
                    m.published
                );
            }
        }
    }
    assert!(
        !crawl
            .objects
            .contains_key(&oparl(&format!("meeting/{}", draft.id)))
    );
    let meetings = crawl
        .objects
        .values()
        .filter(|o| o["type"] == format!("{SCHEMA}Meeting"))
        .count();
    assert!(meetings >= 2, "the demo's two meetings");

    // The pack of the published plan is a Paper with a File per format,
    // each downloading the stored bytes; the other pack is not reached.
    let paper = &crawl.objects[&oparl(&format!("paper/{}", shown.id))];
    assert_eq!(paper["reference"], "ACH24-030");
    assert!(
        !crawl
            .objects
            .contains_key(&oparl(&format!("paper/{}", hidden.id)))
    );
    assert!(
        !crawl
            .objects
            .values()
            .any(|o| o["reference"] == hidden.reference.as_str()),
        "nothing of the unpublished plan's pack"
    );
    let files: Vec<&Value> = crawl
        .objects
        .values()
        .filter(|o| o["type"] == format!("{SCHEMA}File"))
        .collect();
    assert_eq!(files.len(), shown.files.len());
    assert_eq!(paper["mainFile"]["mimeType"], "application/pdf");
    let c = client();
    for f in &files {
        let r = c
            .get(f["accessUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = r.bytes().await.unwrap();
        assert_eq!(
            bytes.len() as u64,
            f["size"].as_u64().unwrap(),
            "{}",
            f["id"]
        );
    }

    // The pack went to the committee's meeting on its date, at the item
    // that considered report ACH24-030.
    let consultation = &paper["consultation"][0];
    let item = &crawl.objects[consultation["agendaItem"].as_str().unwrap()];
    assert_eq!(item["consultation"], consultation["id"]);
    assert!(
        crawl.objects[consultation["meeting"].as_str().unwrap()]["agendaItem"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == item["id"])
    );

    // Members are public, as on the committee page: each is a Person with
    // a Membership of the committee's Organization, which lists it.
    assert!(crawl.fetched.contains(&oparl("people")));
    let organization = &crawl.objects[&oparl(&format!("organization/{}", committee.id))];
    for id in seats {
        let person = &crawl.objects[&oparl(&format!("person/{id}"))];
        let url = oparl(&format!("membership/{id}"));
        assert!(crawl.fetched.contains(&url), "{url} reached");
        // Fetched alone, as the crawl saw it embedded in its Person
        // without the `person` back-reference.
        let seat: Value = client()
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seat = &seat;
        assert_eq!(seat["person"], person["id"]);
        assert_eq!(seat["organization"], organization["id"]);
        assert!(
            organization["membership"]
                .as_array()
                .unwrap()
                .contains(&seat["id"]),
            "{organization}"
        );
    }
}

async fn lists_page_and_filter_as_the_specification_sets(db: TestDb) {
    let app = spawn_app(db).await;
    let c = client();
    let get = |url: String| {
        let c = c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let items = app.url("/oparl/v1.1/bodies/bromley/agenda-items");
    let (status, all) = get(items.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let total = all["pagination"]["totalElements"].as_u64().unwrap();
    assert!(total >= 2);

    // One a page: follow `next` to the end, meeting every item once.
    let mut url = format!("{items}?limit=1");
    let mut seen = Vec::new();
    loop {
        let (_, page) = get(url.clone()).await;
        assert_eq!(page["pagination"]["elementsPerPage"], 1);
        assert_eq!(page["pagination"]["totalPages"], total);
        seen.push(page["data"][0]["id"].as_str().unwrap().to_owned());
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len() as u64,
        total,
        "no item twice"
    );

    // Filters: nothing created after now, everything modified since long ago;
    // the filters stay in the links.
    let (_, none) = get(format!("{items}?created_since=2999-01-01T00:00:00Z")).await;
    assert_eq!(none["pagination"]["totalElements"], 0);
    assert_eq!(none["data"].as_array().unwrap().len(), 0);
    let (_, since) = get(format!(
        "{items}?modified_since=2000-01-01T00:00:00%2B01:00&limit=1"
    ))
    .await;
    assert_eq!(since["pagination"]["totalElements"], total);
    assert!(
        since["links"]["next"]
            .as_str()
            .unwrap()
            .contains("modified_since=2000-01-01T00%3A00%3A00%2B01%3A00")
    );
    let (_, until) = get(format!("{items}?created_until=2000-01-01T00:00:00Z")).await;
    assert_eq!(until["pagination"]["totalElements"], 0);

    // A bad filter is refused naming it; an unknown list or object is 404.
    let (status, bad) = get(format!("{items}?modified_since=yesterday")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["error"].as_str().unwrap().contains("modified_since"));
    let (status, _) = get(format!("{items}?limit=0")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(app.url("/oparl/v1.1/bodies/bromley/nothing")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(app.url("/oparl/v1.1/bodies/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another body's meeting is not found under this body.
    let bromley = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = app.store.committees(bromley.id).await.unwrap();
    let mut bromley_meeting = None;
    for c in &committee {
        if let Some(m) = app.store.meetings(c.id).await.unwrap().first() {
            bromley_meeting = Some(m.id);
        }
    }
    let id = bromley_meeting.expect("a Bromley meeting");
    let (status, _) = get(app.url(&format!("/oparl/v1.1/bodies/bromley/meeting/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(app.url(&format!("/oparl/v1.1/bodies/northmoor/meeting/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_engines!(
    the_crawl_validates_and_reaches_what_is_public,
    lists_page_and_filter_as_the_specification_sets,
);
