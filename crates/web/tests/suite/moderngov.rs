//! The body's ModernGov settings and "Sync now", against a fake ModernGov
//! server on 127.0.0.1.

use reqwest::StatusCode;
use testkit::moderngov::{FakeModernGov, Mode};
use testkit::{TestDb, on_both_engines};

use super::{client, get, hidden, see_other, spawn_app};

const PAGE: &str = "/b/bromley/settings/moderngov";

/// The page once the sync under way has ended.
async fn when_ended(app: &super::App, c: &reqwest::Client) -> String {
    for _ in 0..300 {
        let (status, page) = get(c, app.url(PAGE)).await;
        assert_eq!(status, StatusCode::OK);
        if !page.contains("is under way") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the sync did not end within 30 seconds");
}

on_both_engines!(a_clerk_syncs_from_moderngov_and_others_cannot);

async fn a_clerk_syncs_from_moderngov_and_others_cannot(db: TestDb) {
    let app = spawn_app(db).await;
    let fake = FakeModernGov::start().await;
    let bromley = app
        .store
        .body(&"bromley".parse().unwrap())
        .await
        .unwrap()
        .id;

    // The public is sent to sign in; a lead may not.
    let public = client();
    let r = public.get(app.url(PAGE)).send().await.unwrap();
    assert!(see_other(&r).starts_with("/sign-in"));
    let r = public
        .post(app.url(&format!("{PAGE}/sync")))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert!(see_other(&r).starts_with("/sign-in"));
    let lead = app.signed_in("lead").await;
    let (status, _) = get(&lead, app.url(PAGE)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = get(&lead, app.url("/b/bromley")).await;
    assert!(!home.contains(PAGE), "no link for a lead");
    let lead_csrf = hidden(&home, "csrf");
    for (path, form) in [
        (
            PAGE.to_owned(),
            vec![("site", fake.site.as_str()), ("delay_ms", "0")],
        ),
        (format!("{PAGE}/sync"), vec![]),
    ] {
        let mut form = form;
        form.push(("csrf", &lead_csrf));
        let r = lead.post(app.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }

    // A clerk finds the page from the body's page, and saves the site.
    let clerk = app.signed_in("clerk").await;
    let (_, home) = get(&clerk, app.url("/b/bromley")).await;
    assert!(home.contains(PAGE));
    let (status, page) = get(&clerk, app.url(PAGE)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Sync now"), "no site saved yet");
    let csrf = hidden(&page, "csrf");

    // A bad address is refused, naming the field; nothing is saved.
    let r = clerk
        .post(app.url(PAGE))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("site", "democracy.example"),
            ("delay_ms", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#site\""), "{page}");
    assert!(
        page.contains("Enter the ModernGov site address as a web address, like https://democracy.example.gov.uk"),
        "{page}"
    );
    assert!(
        page.contains("value=\"democracy.example\""),
        "what was typed is kept"
    );
    assert!(app.store.moderngov_site(bromley).await.unwrap().is_none());

    // A CSRF token that is not the session's is refused.
    let r = clerk
        .post(app.url(&format!("{PAGE}/sync")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = clerk
        .post(app.url(PAGE))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("site", fake.site.as_str()),
            ("delay_ms", "0"),
        ])
        .send()
        .await
        .unwrap();
    let saved = see_other(&r);
    assert_eq!(saved, format!("{PAGE}?done=saved"));
    let (_, page) = get(&clerk, app.url(&saved)).await;
    assert!(
        page.contains("The ModernGov site address was saved"),
        "{page}"
    );
    assert!(page.contains("Sync now"));
    assert!(page.contains(&fake.site));

    // Sync now: the summary shows in a notification banner.
    let sync = |from: &'static str| {
        let clerk = clerk.clone();
        let url = app.url(&format!("{PAGE}/sync"));
        let csrf = csrf.clone();
        async move {
            clerk
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("from", from),
                    ("to", "2024-09-13"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = sync("2024-03-17").await;
    assert_eq!(see_other(&r), PAGE);
    let page = when_ended(&app, &clerk).await;
    assert!(
        page.contains("govuk-notification-banner--success"),
        "{page}"
    );
    assert!(
        page.contains("Meetings: 3 created, 0 changed, 0 left alone"),
        "{page}"
    );
    assert!(page.contains("Minutes queued for review: 2"), "{page}");
    let (committees, meetings, items) = app.store.moderngov_counts(bromley).await.unwrap();
    assert!(committees > 0 && meetings == 3 && items > 0);
    let queued = app.store.queued_minutes(bromley).await.unwrap();
    assert_eq!(queued.len(), 2);

    // Each set of minutes waits for the clerk's review, linked from the
    // page, with the minutes in the review's form and nothing recorded yet.
    let review = format!(
        "/b/bromley/agenda-items/{}/minutes",
        queued[0].agenda_item_id
    );
    assert!(page.contains(&format!("href=\"{review}\"")), "{page}");
    let (status, form) = get(&clerk, app.url(&review)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("brought over from the committee system"),
        "{form}"
    );
    let word = queued[0]
        .minutes
        .split_whitespace()
        .find(|w| w.len() > 6 && w.chars().all(char::is_alphabetic))
        .expect("the minutes have words");
    assert!(form.contains(word), "{word} in {form}");

    // Again: nothing changed.
    let r = sync("2024-03-17").await;
    assert_eq!(see_other(&r), PAGE);
    let page = when_ended(&app, &clerk).await;
    assert!(page.contains("Nothing changed."), "{page}");

    // Bad dates are refused, naming the field in the GOV.UK pattern's
    // words; the saved site still shows.
    let r = sync("31/02/2024").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#from\""));
    assert!(page.contains("Meetings from must be a real date"), "{page}");
    assert!(
        page.contains(&format!("value=\"{}\"", fake.site)),
        "the site field keeps the saved address: {page}"
    );

    // A failure says what happened, and brings nothing over.
    fake.set_mode(Mode::Disabled);
    let r = sync("2024-03-17").await;
    assert_eq!(see_other(&r), PAGE);
    let page = when_ended(&app, &clerk).await;
    assert!(page.contains("failed, and brought nothing over"), "{page}");
    assert!(page.contains("switched off"), "{page}");
    assert_eq!(
        app.store.moderngov_counts(bromley).await.unwrap(),
        (committees, meetings, items)
    );
}
