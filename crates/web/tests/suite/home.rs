//! Each role's home, where sign-in lands: what the lead owes, the
//! officer's open periods with bulk sign-off and "chase now", the clerk's
//! and the member's committee work; and who may see and do what there.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use domain::{Half, MeetingStatus};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, on_both_engines};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::hardening::spawn_with;
use super::{App, client, get, hidden, spawn_app};

const LEAD_ROLE: &str = "Assistant Director for Integrated Commissioning";
const HOME: &str = "/b/bromley/home";

/// The ids of the 2024/25 ACH actions led by `lead` (and by others).
async fn actions_2024(
    app: &App,
) -> (
    Vec<(domain::ActionId, String)>,
    Vec<(domain::ActionId, String)>,
) {
    let plan = app.ach_plan("2024/25").await;
    let tree = app.store.plan_tree(plan.id).await.unwrap();
    let (mine, others): (Vec<_>, Vec<_>) = tree
        .actions
        .iter()
        .map(|a| {
            (
                a.id,
                a.details.reference.to_string(),
                a.details.lead.to_string(),
            )
        })
        .partition(|(_, _, lead)| lead.eq_ignore_ascii_case(LEAD_ROLE));
    let strip = |v: Vec<(domain::ActionId, String, String)>| {
        v.into_iter().map(|(i, r, _)| (i, r)).collect()
    };
    (strip(mine), strip(others))
}

/// Open ACH 2024/25's `half` with `deadline`, as the officer.
async fn open(app: &App, half: Half, deadline: &str) {
    let plan = app.ach_plan("2024/25").await;
    app.store
        .open_period("test", plan.id, half, deadline.parse().unwrap(), 7)
        .await
        .unwrap();
}

/// The lead saves (and with `submit`, submits) an H1 update on action `id`.
async fn write_update(app: &App, lead: &reqwest::Client, id: i64, submit: bool) {
    let form_url = app.url(&format!("/b/bromley/actions/{id}/updates/H1"));
    let form = get(lead, form_url.clone()).await.1;
    let mut fields = vec![
        ("csrf", hidden(&form, "csrf")),
        ("status", "on_track".to_owned()),
        ("commentary", "Half-year progress".to_owned()),
    ];
    if submit {
        fields.push(("submit", "yes".into()));
    }
    let r = lead.post(&form_url).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "update on {id} saved");
}

/// The H1 update on action `id`.
async fn h1_update(app: &App, id: i64) -> domain::Update {
    app.store
        .updates_of(domain::ActionId::new(id))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.period.half == Half::H1)
        .expect("an H1 update")
}

async fn api_home(app: &App, token: Option<&str>, query: &str) -> (StatusCode, Value) {
    let mut r = client().get(app.url(&format!("/api/v1/bodies/bromley/home{query}")));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A committee's id in the demo record.
async fn committee_id(app: &App) -> i64 {
    let body = app.store.body(&"bromley".parse().unwrap()).await.unwrap();
    app.store.committees(body.id).await.unwrap()[0].id.get()
}

async fn meeting_on(app: &App, day: &str, status: MeetingStatus) -> i64 {
    let committee = committee_id(app).await;
    (app.store
        .create_meeting(
            "test",
            domain::CommitteeId::new(committee),
            &store::MeetingDetails {
                held_on: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
                venue: "Bromley Civic Centre".into(),
                status,
                published: false,
            },
        )
        .await
        .unwrap()
        .id)
        .get()
}

async fn every_role_lands_on_a_home_of_its_own(db: TestDb) {
    let app = spawn_app(db).await;
    let (mine, others) = actions_2024(&app).await;
    assert!(mine.len() >= 4, "the lead leads enough actions: {mine:?}");
    open(&app, Half::H1, "2024-10-15").await;

    // Signing in with a password lands on the home.
    let lead = client();
    let page = get(&lead, app.url("/sign-in")).await.1;
    let r = lead
        .post(app.url("/sign-in"))
        .form(&[
            ("email", "lead@bromley.example"),
            ("password", "demo-lead-password"),
            ("form_token", hidden(&page, "form_token").as_str()),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/home");
    let r = lead.get(app.url("/home")).send().await.unwrap();
    assert_eq!(r.headers()["location"], HOME, "one body: straight to it");
    // …but a page asked for before signing in still wins.
    let asked = client();
    let page = get(&asked, app.url("/sign-in?next=/b/bromley/committees"))
        .await
        .1;
    let r = asked
        .post(app.url("/sign-in"))
        .form(&[
            ("email", "lead@bromley.example"),
            ("password", "demo-lead-password"),
            ("form_token", hidden(&page, "form_token").as_str()),
            ("next", hidden(&page, "next").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/b/bromley/committees");

    // The lead's work: one submitted, one returned with a reason, one draft.
    let (submitted, returned, draft, missing) = (&mine[0], &mine[1], &mine[2], &mine[3]);
    write_update(&app, &lead, submitted.0.get(), true).await;
    write_update(&app, &lead, returned.0.get(), true).await;
    write_update(&app, &lead, draft.0.get(), false).await;
    let u = h1_update(&app, returned.0.get()).await;
    app.store
        .return_update(
            "test",
            u.id,
            u.version,
            &domain::Text::parse("comment", "Add the figures for carers").unwrap(),
        )
        .await
        .unwrap();

    let (status, page) = get(&lead, app.url(HOME)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"{HOME}\">Home</a>")),
        "the header links home"
    );
    let owed = &page[page.find("id=\"owed\"").expect("updates owed")..];
    let owed = &owed[..owed.find("</ul>").unwrap()];
    for a in [draft, missing] {
        assert!(
            owed.contains(format!("/b/bromley/actions/{}/updates/H1", a.0).as_str()),
            "{} is owed",
            a.1
        );
    }
    assert!(owed.contains("Overdue") && owed.contains("It was due by 15 October 2024"));
    let back = &page[page.find("id=\"returned\"").expect("returned updates")..];
    assert!(back.contains(&returned.1) && back.contains("Add the figures for carers"));
    let waiting = &page[page.find("id=\"awaiting\"").expect("awaiting sign-off")..];
    assert!(
        waiting.contains(&format!("/b/bromley/actions/{}\"", submitted.0)),
        "a submitted update stays in sight"
    );
    for (id, _) in &others {
        assert!(
            !page.contains(&format!("/b/bromley/actions/{id}/")),
            "a lead sees only their own actions"
        );
    }
    assert!(
        !page.contains("Open reporting periods"),
        "no officer section"
    );

    // Owed updates overdue come before those still in time.
    open(&app, Half::H2, "2099-04-30").await;
    let page = get(&lead, app.url(HOME)).await.1;
    let owed = &page[page.find("id=\"owed\"").unwrap()..];
    let (h1, h2) = (
        owed.find(format!("actions/{}/updates/H1", missing.0).as_str())
            .unwrap(),
        owed.find(format!("actions/{}/updates/H2", missing.0).as_str())
            .unwrap(),
    );
    assert!(h1 < h2, "overdue first");
    assert!(owed.contains("Due by 30 April 2099"));

    // The same home in the API, for the lead: their section only.
    let token = app.api_token("lead").await;
    let (status, json) = api_home(&app, Some(&token), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["role"], "Action lead");
    assert!(json["officer"].is_null() && json["clerk"].is_null());
    assert_eq!(json["lead"]["lead_role"], LEAD_ROLE);
    assert_eq!(json["lead"]["awaiting_sign_off"][0]["state"], "submitted");
    assert_eq!(
        json["lead"]["returned"][0]["returned_comment"],
        "Add the figures for carers"
    );
    assert_eq!(json["lead"]["owed"][0]["overdue"], true);

    // The officer: counts per state and per owner, filters.
    let officer = app.signed_in("officer").await;
    let (status, page) = get(&officer, app.url(HOME)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Open reporting periods") && page.contains("ACH 2024/25 H1"));
    // The demo's ACH 2024/25 is approved and not yet published.
    assert!(page.contains("Plans needing attention") && page.contains("Not published"));
    let token = app.api_token("officer").await;
    let (_, json) = api_home(&app, Some(&token), "").await;
    let h1 = json["officer"]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["half"] == "H1")
        .unwrap()
        .clone();
    let total = mine.len() + others.len();
    assert_eq!(h1["counts"]["submitted"], 1);
    assert_eq!(h1["counts"]["returned"], 1);
    assert_eq!(h1["counts"]["draft"], 1);
    assert_eq!(h1["counts"]["not_started"], total - 3);
    let owner = json["officer"]["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["owner"] == LEAD_ROLE)
        .unwrap()
        .clone();
    assert_eq!(owner["counts"]["submitted"], 1);
    assert_eq!(owner["counts"]["not_started"], 2 * mine.len() - 3);
    assert!(
        json["officer"]["plans_needing_attention"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["portfolio_code"] == "ACH"
                && p["year"] == "2024/25"
                && p["attention"] == "not published")
    );
    let (_, filtered) = api_home(&app, Some(&token), "?state=returned").await;
    let rows = filtered["officer"]["updates"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["reference"], returned.1.as_str());
    let other_owner = app
        .store
        .action(domain::ActionId::new(others[0].0.get()))
        .await
        .unwrap()
        .details
        .lead
        .to_string();
    let (status, page) = get(
        &officer,
        format!(
            "{}?state=not+started&owner={}",
            app.url(HOME),
            other_owner.replace(' ', "+")
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/b/bromley/actions/{}\"", others[0].0)));
    assert!(
        !page.contains(&format!("/b/bromley/actions/{}\"", missing.0)),
        "the owner filter leaves out the other lead's actions"
    );
    assert!(page.contains("Clear filters"));

    // Clerk: meetings awaiting minutes, promises due or with no date.
    let past = meeting_on(&app, "2024-01-18", MeetingStatus::Held).await;
    let next = meeting_on(&app, "2099-02-01", MeetingStatus::Scheduled).await;
    let clerk = app.signed_in("clerk").await;
    let (status, page) = get(&clerk, app.url(HOME)).await;
    assert_eq!(status, StatusCode::OK);
    let awaiting = &page[page
        .find("id=\"awaiting-minutes\"")
        .expect("awaiting minutes")..];
    assert!(awaiting.contains(&format!("/b/bromley/meetings/{past}\"")));
    assert!(awaiting.contains("18 January 2024"));
    assert!(page.contains("Promises due or overdue"));
    let token = app.api_token("clerk").await;
    let (_, json) = api_home(&app, Some(&token), "").await;
    let promises = json["clerk"]["promises_due"].as_array().unwrap();
    assert!(!promises.is_empty(), "the demo record has open promises");
    if promises.iter().any(|p| p["due_by"].is_null()) {
        assert!(page.contains("No date set"));
    }
    if promises.iter().any(|p| p["overdue"] == true) {
        assert!(page.contains("govuk-tag--red\">Overdue"));
    }
    assert!(json["officer"].is_null() && json["lead"].is_null());

    // Member: committees, next meetings, promises due; no "could not be signed in".
    let member = app.signed_in("member").await;
    let (status, page) = get(&member, app.url(HOME)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Committees") && page.contains("Next meetings"));
    let next_list = &page[page.find("id=\"next-meetings\"").expect("next meetings")..];
    assert!(next_list.contains(&format!("/b/bromley/meetings/{next}\"")));
    assert!(!next_list[..next_list.find("</ul>").unwrap()].contains(&format!("meetings/{past}\"")));
    assert!(page.contains("Promises due"));
    assert!(!page.contains("could not be signed in"));

    // Administrator: the officer's and the clerk's sections.
    let admin = app.signed_in("admin").await;
    let page = get(&admin, app.url(HOME)).await.1;
    assert!(page.contains("Open reporting periods") && page.contains("Meetings awaiting minutes"));
}
on_both_engines!(every_role_lands_on_a_home_of_its_own);

async fn homes_are_private_to_their_people(db: TestDb) {
    let app = spawn_app(db).await;
    open(&app, Half::H1, "2024-10-15").await;
    // The public is sent to sign in.
    let r = client().get(app.url(HOME)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in?next=/b/bromley/home");
    let r = client().get(app.url("/home")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Another body's people find nothing here.
    let stranger = app.signed_in_at("officer", "northmoor").await;
    let (status, page) = get(&stranger, app.url(HOME)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Open reporting periods"));
    let r = stranger.get(app.url("/home")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/b/northmoor/home");
    let (status, _) = get(&stranger, app.url("/b/northmoor/home")).await;
    assert_eq!(status, StatusCode::OK);
    // …nor in the API.
    assert_eq!(api_home(&app, None, "").await.0, StatusCode::UNAUTHORIZED);
    let token = app.api_token_at("officer", "northmoor").await;
    assert_eq!(
        api_home(&app, Some(&token), "").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, json) = api_home(
        &app,
        Some(&app.api_token("officer").await),
        "?state=nonsense",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "an unknown state filters nothing");
    assert!(json["officer"]["state_filter"].is_null());

    // Nobody signs off or chases from outside the body, or without the role.
    let (mine, _) = actions_2024(&app).await;
    let lead = app.signed_in("lead").await;
    write_update(&app, &lead, mine[0].0.get(), true).await;
    let u = h1_update(&app, mine[0].0.get()).await;
    let value = format!("{}:{}", u.id, u.version);
    let page = get(&stranger, app.url("/b/northmoor/home")).await.1;
    let csrf = hidden(&page, "csrf");
    let r = stranger
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[("csrf", csrf.as_str()), ("update", value.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A Northmoor officer signing off a Bromley update from their own home: refused.
    let r = stranger
        .post(app.url("/b/northmoor/home/sign-off"))
        .form(&[("csrf", csrf.as_str()), ("update", value.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = stranger
        .post(app.url("/b/northmoor/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H1", mine[1].0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = get(&lead, app.url(HOME)).await.1;
    let csrf = hidden(&page, "csrf");
    let r = lead
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[("csrf", csrf.as_str()), ("update", value.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "leads do not sign off");
    let r = lead
        .post(app.url("/b/bromley/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H1", mine[1].0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "leads do not chase");
    // Without the session's token, an officer's post is refused.
    let officer = app.signed_in("officer").await;
    let r = officer
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[("csrf", "forged"), ("update", value.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[("chase", format!("{}:H1", mine[1].0))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        h1_update(&app, mine[0].0.get()).await.state,
        domain::UpdateState::Submitted
    );
    assert!(app.store.unsent_messages(10).await.unwrap().is_empty());
}
on_both_engines!(homes_are_private_to_their_people);

/// One message as the SMTP sink received it: (recipients, data).
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A minimal SMTP server on a free loopback port that accepts every message.
async fn smtp_sink() -> (u16, Inbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock()
                                .unwrap()
                                .push((std::mem::take(&mut to), std::mem::take(&mut data)));
                            write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink.test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().to_owned());
                        b"250 2.1.5 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, inbox)
}

async fn officers_sign_off_in_bulk_and_chase_now(db: TestDb) {
    let (port, inbox) = smtp_sink().await;
    let app = spawn_with(
        db,
        web::Options {
            mail: Some(notify::SmtpSettings {
                host: "127.0.0.1".into(),
                port,
                starttls: false,
                from: "Ambit <ambit@bromley.example>".into(),
            }),
            ..web::Options::default()
        },
    )
    .await;
    open(&app, Half::H1, "2024-10-15").await;
    let (mine, _) = actions_2024(&app).await;
    let lead = app.signed_in("lead").await;
    for a in &mine[..3] {
        write_update(&app, &lead, a.0.get(), true).await;
    }
    let officer = app.signed_in("officer").await;
    let page = get(&officer, app.url(HOME)).await.1;
    let csrf = hidden(&page, "csrf");
    let checkbox = |id: i64| {
        let v = futures_value(&page, id);
        assert!(v.is_some(), "a checkbox for the submitted update on {id}");
        v.unwrap()
    };
    let (first, second) = (checkbox(mine[0].0.get()), checkbox(mine[1].0.get()));
    // Nothing checked: said so, on the form.
    let r = officer
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Select the submitted updates to sign off")
    );
    // Two checked: both signed off, each audited.
    let r = officer
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("update", first.as_str()),
            ("update", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-notification-banner--success"));
    assert!(page.contains("2 updates signed off"), "{page}");
    for a in &mine[..2] {
        let u = h1_update(&app, a.0.get()).await;
        assert_eq!(u.state, domain::UpdateState::SignedOff);
        let trail = app.store.audit_trail("update", u.id.get()).await.unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.operation == "sign off" && e.actor.contains("officer@bromley.example")),
            "the sign-off of {} is audited",
            a.1
        );
    }
    assert_eq!(
        h1_update(&app, mine[2].0.get()).await.state,
        domain::UpdateState::Submitted
    );
    // The same versions again: refused, each with its reason, nothing changed.
    let r = officer
        .post(app.url("/b/bromley/home/sign-off"))
        .form(&[("csrf", csrf.as_str()), ("update", first.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains(&mine[0].1));
    // The refusal links to the update's row.
    let update = first.split(':').next().unwrap();
    assert!(
        page.contains(&format!("href=\"#update-{update}\"")),
        "{page}"
    );
    assert!(page.contains(&format!("id=\"update-{update}\"")), "{page}");

    // Chase now: the lead of an owed update gets the reminder at once.
    let owed = &mine[3];
    let r = officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H1", owed.0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Reminder sent to Demo action lead (lead@bromley.example)"),
        "{}",
        &page[..page.len().min(3000)]
    );
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert!(received[0].0[0].contains("lead@bromley.example"));
    assert!(
        received[0]
            .1
            .contains(format!("/b/bromley/actions/{}/updates/H1", owed.0).as_str())
    );
    assert!(app.store.unsent_messages(10).await.unwrap().is_empty());
    let trail = app.store.audit_trail("action", owed.0.get()).await.unwrap();
    assert!(
        trail.iter().any(|e| e.operation == "chase"),
        "the chase is audited"
    );
    // Chasing twice is chasing twice: a second reminder goes out.
    officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H1", owed.0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.lock().unwrap().len(), 2);
    // A submitted update is not chased.
    let r = officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H1", mine[2].0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("still owed"));
    // Nor one in a period that is not open.
    let r = officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("chase", format!("{}:H2", owed.0).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A button value that is not an action and a half-year is said so on the
    // home, not answered with "page not found".
    let r = officer
        .post(app.url("/b/bromley/home/chase"))
        .form(&[("csrf", csrf.as_str()), ("chase", "garbage")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-error-summary"), "{page}");
    assert!(page.contains("The update to chase could not be read"));
    assert_eq!(inbox.lock().unwrap().len(), 2);
}
on_both_engines!(officers_sign_off_in_bulk_and_chase_now);

/// The value of the sign-off checkbox for the update on action `id`.
fn futures_value(page: &str, id: i64) -> Option<String> {
    let row = page.find(&format!("/b/bromley/actions/{id}\""))?;
    let before = &page[..row];
    let at = before.rfind("name=\"update\" type=\"checkbox\" value=\"")?;
    let rest = &before[at + "name=\"update\" type=\"checkbox\" value=\"".len()..];
    let value = rest.split('"').next()?;
    // The checkbox must be in the same row as the link.
    (!before[at..].contains("<tr")).then(|| value.to_owned())
}

/// The officer's list of updates comes a page at a time, however many
/// actions the open periods hold: 50 a page, the filters kept in the page
/// links, a page beyond the last showing the last, and the API the same.
async fn the_officers_list_of_updates_is_paged(db: TestDb) {
    let app = spawn_app(db).await;
    let year: domain::FinancialYear = "2025/26".parse().unwrap();
    demo::load(
        &app.store,
        "synthetic.toml",
        &demo::synthetic::plan(120, "synthetic", year, false),
    )
    .await
    .unwrap();
    // Bromley's officer is made the synthetic council's officer too.
    let body = app.store.body(&"synthetic".parse().unwrap()).await.unwrap();
    let officer_id = app
        .store
        .user_by_email(&"officer@bromley.example".parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    app.store
        .set_membership(
            "test",
            officer_id,
            body.id,
            domain::Role::PerformanceOfficer,
            None,
        )
        .await
        .unwrap();
    let portfolio = app
        .store
        .portfolio(Some(body.id), &"SYN".parse().unwrap())
        .await
        .unwrap();
    let plan = app.store.plan(portfolio.id, year).await.unwrap();
    app.store
        .open_period("test", plan.id, Half::H1, "2025-10-15".parse().unwrap(), 7)
        .await
        .unwrap();
    let officer = app.signed_in("officer").await;
    let rows = |page: &str| {
        page.matches("formaction=\"/b/synthetic/home/chase\"")
            .count()
    };

    let (status, first) = get(&officer, app.url("/b/synthetic/home")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&first), 50, "one page of 50");
    assert!(first.contains("Showing updates 1 to 50 of 120"), "{first}");
    assert!(first.contains("href=\"/b/synthetic/home?page=2#updates\""));
    assert!(first.contains("aria-label=\"Pages of updates\""));

    let last = get(&officer, app.url("/b/synthetic/home?page=3")).await.1;
    assert_eq!(rows(&last), 20);
    assert!(last.contains("Showing updates 101 to 120 of 120"));
    let beyond = get(&officer, app.url("/b/synthetic/home?page=999")).await.1;
    assert!(
        beyond.contains("Showing updates 101 to 120 of 120"),
        "a page beyond the last shows the last"
    );
    let garbled = get(&officer, app.url("/b/synthetic/home?page=two")).await.1;
    assert!(garbled.contains("Showing updates 1 to 50 of 120"));

    // The filters are kept from page to page.
    let filtered = get(&officer, app.url("/b/synthetic/home?state=not+started"))
        .await
        .1;
    assert!(filtered.contains("Showing updates 1 to 50 of 120"));
    assert!(
        filtered.contains("href=\"/b/synthetic/home?state=not%20started&#38;page=2#updates\""),
        "{filtered}"
    );

    // The API pages the same way and says how many there are.
    let token = app.api_token("officer").await;
    let home = app
        .api_json("/api/v1/bodies/synthetic/home?page=3", &token)
        .await;
    let o = &home["officer"];
    assert_eq!(o["updates_total"], 120);
    assert_eq!(o["page"], 3);
    assert_eq!(o["pages"], 3);
    assert_eq!(o["updates"].as_array().unwrap().len(), 20);
}
on_both_engines!(the_officers_list_of_updates_is_paged);
