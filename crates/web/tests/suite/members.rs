//! Committee memberships are public, as councils publish them: who sits on
//! which committee, in what role and for what term shows to everyone on the
//! committee page, in OParl and in the API; only those who keep the record
//! see the links and the form that change it.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, hidden, see_other, spawn_app};

const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// Add a member to committee `committee` straight through the store.
async fn add(
    app: &App,
    committee: i64,
    name: &str,
    role: domain::MemberRole,
    term: (Option<&str>, Option<&str>),
) -> i64 {
    (app.store
        .add_committee_member(
            "test",
            domain::CommitteeId::new(committee),
            &store::MemberDetails {
                name: domain::Title::parse("name", name).unwrap(),
                role,
                term_from: term.0.map(|d| d.parse().unwrap()),
                term_to: term.1.map(|d| d.parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .id)
        .get()
}

/// The table row of `html` that names `name`.
fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(name)
        .unwrap_or_else(|| panic!("{name} in {html}"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

/// The JSON at `path`, fetched by `c`.
async fn json(app: &App, c: &reqwest::Client, path: &str) -> Value {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

async fn committee_members_are_public_and_only_clerks_edit_them(db: TestDb) {
    let app = spawn_app(db).await;
    let bromley = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = app.store.committees(bromley.id).await.unwrap()[0].id;
    let chair = add(
        &app,
        committee.get(),
        "Councillor Ann Lee",
        domain::MemberRole::Chair,
        (Some("2022-05-05"), None),
    )
    .await;
    let former = add(
        &app,
        committee.get(),
        "Mrs Pat Okafor",
        domain::MemberRole::CoOpted,
        (Some("2018-05-10"), Some("2022-05-04")),
    )
    .await;
    let href = format!("/b/bromley/committees/{committee}");

    // The public sees who sits on the committee, in what role, for what
    // term and whether they serve today; nothing to change it with.
    let public = client();
    let (status, page) = get(&public, app.url(&href)).await;
    assert_eq!(status, StatusCode::OK);
    let members = &page[page.find("id=\"members\"").expect("a Members section")..];
    for shown in [
        "Councillor Ann Lee",
        "Chair",
        "from 5 May 2022",
        "Mrs Pat Okafor",
        "Co-opted member",
        "10 May 2018 to 4 May 2022 <strong class=\"govuk-tag govuk-tag--grey\">Not serving",
    ] {
        assert!(members.contains(shown), "{shown} in {members}");
    }
    assert!(
        !row(members, "Councillor Ann Lee").contains("Not serving"),
        "the chair serves today"
    );
    assert!(
        !page.contains("/committee-members/"),
        "no edit link: {page}"
    );
    assert!(!page.contains("Add a member"), "no add-member form");
    assert!(!page.contains(&format!("action=\"{href}/members\"")));

    // Nor does a member of the body, who reads the record but does not keep it.
    let member = app.signed_in("member").await;
    let (_, page) = get(&member, app.url(&href)).await;
    assert!(page.contains("Councillor Ann Lee"));
    assert!(!page.contains("/committee-members/"));
    assert!(!page.contains("Add a member"));

    // The clerk still changes them and adds others.
    let clerk = app.signed_in("clerk").await;
    let (_, page) = get(&clerk, app.url(&href)).await;
    assert!(page.contains(&format!(
        "href=\"/b/bromley/committee-members/{chair}/edit\""
    )));
    assert!(page.contains(&format!(
        "href=\"/b/bromley/committee-members/{former}/edit\""
    )));
    assert!(page.contains("Add a member"));

    // A committee with no members says so, to the public too.
    let r = clerk
        .post(app.url("/b/bromley/committees"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("name", "Health and Wellbeing Board"),
        ])
        .send()
        .await
        .unwrap();
    let board = see_other(&r);
    let (status, page) = get(&public, app.url(&board)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No members have been recorded."), "{page}");
    assert!(!page.contains("Add a member"));

    // OParl: a Person and a Membership for each, pointing at the
    // committee's Organization, whose membership list names the same ones.
    let oparl = |path: &str| app.url(&format!("/oparl/v1.1/bodies/bromley/{path}"));
    let organization = oparl(&format!("organization/{committee}"));
    let people = json(&app, &public, "/oparl/v1.1/bodies/bromley/people").await;
    let people = people["data"].as_array().unwrap();
    assert_eq!(people.len(), 2, "{people:?}");
    let person = people
        .iter()
        .find(|p| p["name"] == "Councillor Ann Lee")
        .expect("the chair is a Person");
    assert_eq!(person["type"], format!("{SCHEMA}Person"));
    assert_eq!(person["id"], oparl(&format!("person/{chair}")));
    assert_eq!(person["membership"][0]["organization"], organization);
    assert_eq!(person["membership"][0]["role"], "Chair");
    let memberships = json(&app, &public, "/oparl/v1.1/bodies/bromley/memberships").await;
    let memberships = memberships["data"].as_array().unwrap();
    let seat = memberships
        .iter()
        .find(|m| m["person"] == person["id"])
        .expect("the chair's Membership");
    assert_eq!(seat["id"], oparl(&format!("membership/{chair}")));
    assert_eq!(seat["organization"], organization);
    assert_eq!(seat["role"], "Chair");
    assert_eq!(seat["startDate"], "2022-05-05");
    assert!(seat.get("endDate").is_none());
    let ended = memberships
        .iter()
        .find(|m| m["id"] == oparl(&format!("membership/{former}")))
        .expect("the former member's Membership");
    assert_eq!(ended["endDate"], "2022-05-04");
    let org = json(
        &app,
        &public,
        &format!("/oparl/v1.1/bodies/bromley/organization/{committee}"),
    )
    .await;
    let listed: BTreeSet<&str> = org["membership"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let seats: BTreeSet<&str> = memberships
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, seats);
    let one = json(
        &app,
        &public,
        &format!("/oparl/v1.1/bodies/bromley/membership/{chair}"),
    )
    .await;
    assert_eq!(&one, seat, "an object reads as its list gives it");

    // Nothing but the name, the role and the term: no account, no address.
    let fields =
        |o: &Value| -> BTreeSet<String> { o.as_object().unwrap().keys().cloned().collect() };
    let allowed =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| (*s).to_owned()).collect() };
    assert!(
        fields(person).is_subset(&allowed(&[
            "id",
            "type",
            "body",
            "name",
            "membership",
            "created",
            "modified"
        ])),
        "{person}"
    );
    assert!(
        fields(seat).is_subset(&allowed(&[
            "id",
            "type",
            "person",
            "organization",
            "role",
            "startDate",
            "endDate",
            "web",
            "created",
            "modified"
        ])),
        "{seat}"
    );
    let everything =
        serde_json::to_string(&memberships).unwrap() + &serde_json::to_string(&people).unwrap();
    assert!(!everything.contains('@'), "no email address: {everything}");

    // Another body's lists hold none of them.
    let northmoor = json(&app, &public, "/oparl/v1.1/bodies/northmoor/people").await;
    assert_eq!(northmoor["data"], serde_json::json!([]));

    // The JSON API gives the public the same members.
    let api = json(&app, &public, &format!("/api/v1/committees/{committee}")).await;
    let names: Vec<(&str, &str, bool)> = api["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
                m["serving"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Councillor Ann Lee", "chair", true),
            ("Mrs Pat Okafor", "co-opted member", false)
        ]
    );
}

on_both_engines!(committee_members_are_public_and_only_clerks_edit_them);
