//! Pages as fast as the network allows: compression when asked, ETags and
//! 304s on public pages, a cache that a write by any process empties at
//! once, fingerprinted assets cached for a year, and nothing of a
//! signed-in person's page shared.

use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_NONE_MATCH, VARY,
};
use testkit::{TestDb, on_both_engines};

use super::{App, client, get, spawn_app};

const PLAN: &str = "/b/bromley/plans/ACH/2022-23?period=H1";

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    r.headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn fetch(app: &App, path: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut req = client().get(app.url(path));
    if let Some(e) = encoding {
        req = req.header(ACCEPT_ENCODING, e);
    }
    req.send().await.unwrap()
}

async fn public_pages_are_compressed_when_asked(db: TestDb) {
    let app = spawn_app(db).await;
    let plain = fetch(&app, PLAN, None).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let html = plain.text().await.unwrap();
    assert!(html.contains("Deliver the all-age Autism Strategy"));

    let gz = fetch(&app, PLAN, Some("gzip")).await;
    assert_eq!(header(&gz, CONTENT_ENCODING), "gzip");
    assert!(header(&gz, VARY).to_lowercase().contains("accept-encoding"));
    let bytes = gz.bytes().await.unwrap();
    assert!(
        bytes.len() * 4 < html.len(),
        "{} against {}",
        bytes.len(),
        html.len()
    );
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, html);

    let br = fetch(&app, PLAN, Some("gzip, deflate, br")).await;
    assert_eq!(header(&br, CONTENT_ENCODING), "br");
    let bytes = br.bytes().await.unwrap();
    let mut unbrotli = String::new();
    brotli::Decompressor::new(&bytes[..], 4096)
        .read_to_string(&mut unbrotli)
        .unwrap();
    assert_eq!(unbrotli, html);

    // A client that takes neither gets the page as it is.
    let other = fetch(&app, PLAN, Some("identity")).await;
    assert!(other.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(other.text().await.unwrap(), html);

    // The stylesheet too.
    let css_href = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let css = fetch(&app, &css_href, Some("br")).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(header(&css, CONTENT_ENCODING), "br");
}
on_both_engines!(public_pages_are_compressed_when_asked);

async fn public_pages_answer_304_until_the_data_changes(db: TestDb) {
    let app = spawn_app(db).await;
    let first = fetch(&app, "/b/bromley", None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = header(&first, ETAG);
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(header(&first, CACHE_CONTROL), "public, no-cache");
    assert!(header(&first, VARY).contains("Cookie"));
    let before = first.text().await.unwrap();
    assert!(!before.contains("plan 2024/25"));

    // The same page again: the same ETag, and 304 when the client has it.
    let again = fetch(&app, "/b/bromley", None).await;
    assert_eq!(header(&again, ETAG), etag);
    assert_eq!(again.text().await.unwrap(), before);
    let cached = client()
        .get(app.url("/b/bromley"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&cached, ETAG), etag);
    assert_eq!(header(&cached, CACHE_CONTROL), "public, no-cache");
    assert!(cached.bytes().await.unwrap().is_empty());
    let other = client()
        .get(app.url("/b/bromley"))
        .header(IF_NONE_MATCH, "W/\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    // A write through another server process over the same database (its
    // own store, its own caches): this server's next answer has it.
    let other_store = app._db.open().await;
    let plan = app.ach_plan("2024/25").await;
    other_store
        .publish_plan("test", plan.id, plan.version, true)
        .await
        .unwrap();
    let after = client()
        .get(app.url("/b/bromley"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK, "the page changed");
    assert_ne!(header(&after, ETAG), etag);
    assert!(after.text().await.unwrap().contains("plan 2024/25"));
}
on_both_engines!(public_pages_answer_304_until_the_data_changes);

async fn signed_in_pages_are_never_shared(db: TestDb) {
    let app = spawn_app(db).await;
    // The public's page is kept...
    let public = fetch(&app, "/b/bromley", Some("gzip")).await;
    let etag = header(&public, ETAG);
    assert!(!etag.is_empty());
    // ...and never given to someone signed in, whose pages are neither
    // kept, validated nor compressed (a page's secret beside a search).
    let member = app.signed_in("member").await;
    let r = member
        .get(app.url("/b/bromley"))
        .header(IF_NONE_MATCH, &etag)
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, CACHE_CONTROL), "no-store");
    assert!(r.headers().get(ETAG).is_none());
    assert!(r.headers().get(CONTENT_ENCODING).is_none());
    let page = r.text().await.unwrap();
    assert!(page.contains("Signed in as"));
    assert!(
        page.contains("plan 2024/25"),
        "the member sees the draft plan"
    );

    // What the member saw is not then given to the public.
    let (status, _) = get(&member, app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&client(), app.url("/b/bromley/plans/ACH/2024-25")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, home) = get(&client(), app.url("/b/bromley")).await;
    assert!(!home.contains("plan 2024/25") && !home.contains("Signed in as"));

    // Nor an API answer to a token holder.
    let token = app.api_token("officer").await;
    let r = client()
        .get(app.url("/api/v1/bodies/bromley/plans"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, CACHE_CONTROL), "no-store");
    assert!(r.text().await.unwrap().contains("2024/25"));
    let (_, public_plans) = get(&client(), app.url("/api/v1/bodies/bromley/plans")).await;
    assert!(!public_plans.contains("2024/25"), "{public_plans}");
}
on_both_engines!(signed_in_pages_are_never_shared);

#[tokio::test]
async fn assets_are_fingerprinted_and_immutable() {
    let app = spawn_app(testkit::sqlite()).await;
    let (_, page) = get(&client(), app.url("/b/bromley")).await;
    let hrefs: Vec<String> = page
        .split("/assets/")
        .skip(1)
        .map(|rest| format!("/assets/{}", rest.split('"').next().unwrap()))
        .collect();
    assert_eq!(hrefs.len(), 2, "{hrefs:?}");
    for href in &hrefs {
        let name = href.trim_start_matches("/assets/");
        let parts: Vec<&str> = name.split('.').collect();
        assert!(
            parts.len() >= 3 && parts[parts.len() - 2].len() == 10,
            "{href} carries a fingerprint"
        );
        let r = fetch(&app, href, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{href}");
        assert_eq!(
            header(&r, CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
    }
    // The script imports the frontend under its fingerprint too.
    let init = hrefs.iter().find(|h| h.contains("/init.")).unwrap();
    let script = fetch(&app, init, None).await.text().await.unwrap();
    let frontend = script.split('"').nth(1).unwrap().to_owned();
    assert!(
        frontend.starts_with("/assets/govuk-frontend.min."),
        "{script}"
    );
    let r = fetch(&app, &frontend, None).await;
    assert_eq!(
        header(&r, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );

    // The plain name and an old fingerprint get today's file, not to be kept.
    for old in ["/assets/ambit.css", "/assets/ambit.0123456789.css"] {
        let r = fetch(&app, old, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{old}");
        assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
        let etag = header(&r, ETAG);
        assert!(r.text().await.unwrap().contains(".govuk-template"));
        let again = client()
            .get(app.url(old))
            .header(IF_NONE_MATCH, &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
    for unknown in [
        "/assets/other.css",
        "/assets/ambit.xyz.css",
        "/assets/ambit..css",
    ] {
        assert_eq!(
            fetch(&app, unknown, None).await.status(),
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
}
