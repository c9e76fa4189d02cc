//! The server under abuse: sign-in floods, oversized bodies, slow clients,
//! odd addresses, and what responses let caches and browsers keep.

use std::time::Duration;

use reqwest::StatusCode;
use testkit::{TestDb, on_both_engines};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{App, client, get, hidden};

/// The app served with `options` (short timeouts, small limits).
pub(crate) async fn spawn_with(db: TestDb, options: web::Options) -> App {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_people(&store, web::hash_password).await.unwrap();
    demo::load_committee_record(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(listener, store.clone(), options));
    App {
        base,
        store,
        _db: db,
    }
}

/// Options whose limits are `limits`.
pub(crate) fn with_limits(limits: web::Limits) -> web::Options {
    web::Options {
        limits,
        ..web::Options::default()
    }
}

/// A client whose connections come from `address` (any of 127.0.0.0/8).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(address.parse::<std::net::IpAddr>().ok())
        .build()
        .unwrap()
}

/// Post the sign-in form from `c` (which has fetched it, so holds its cookie).
async fn sign_in_as(
    app: &App,
    c: &reqwest::Client,
    token: &str,
    email: &str,
    password: &str,
) -> (StatusCode, String) {
    let r = c
        .post(app.url("/sign-in"))
        .form(&[
            ("email", email),
            ("password", password),
            ("form_token", token),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The sign-in form's token, fetched by `c`.
async fn form_token(app: &App, c: &reqwest::Client) -> String {
    let (_, page) = get(c, app.url("/sign-in")).await;
    hidden(&page, "form_token")
}

async fn guessing_from_one_address_does_not_lock_the_account_elsewhere(db: TestDb) {
    let app = spawn_with(db, web::Options::default()).await;
    let attacker = client_from("127.0.0.1");
    let token = form_token(&app, &attacker).await;
    for _ in 0..5 {
        let (status, page) =
            sign_in_as(&app, &attacker, &token, "officer@bromley.example", "guess").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Enter a correct email address and password"));
    }
    let (status, page) = sign_in_as(
        &app,
        &attacker,
        &token,
        "officer@bromley.example",
        "demo-officer-password",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address waits"
    );
    assert!(
        page.contains("Too many failed attempts to sign in"),
        "{page}"
    );

    let officer = client_from("127.0.0.2");
    let token = form_token(&app, &officer).await;
    let (status, _) = sign_in_as(
        &app,
        &officer,
        &token,
        "officer@bromley.example",
        "demo-officer-password",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the officer signs in from their own address meanwhile"
    );
}
on_both_engines!(guessing_from_one_address_does_not_lock_the_account_elsewhere);

#[tokio::test]
async fn refused_sign_ins_are_not_counted_and_huge_ones_are_413() {
    let app = spawn_with(testkit::sqlite(), web::Options::default()).await;
    let c = client();
    let token = form_token(&app, &c).await;
    let long = format!("{}@bromley.example", "x".repeat(200_000));
    for _ in 0..60 {
        let (status, page) = sign_in_as(&app, &c, &token, &long, "guess").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Enter your email address, like name@example.org"));
        assert!(
            !page.contains(&"x".repeat(1000)),
            "the input is not repeated"
        );
    }
    let huge = format!("{}@bromley.example", "x".repeat(1 << 20));
    let (status, page) = sign_in_as(&app, &c, &token, &huge, "guess").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("The form is too large"), "{page}");
    assert!(page.contains("256 KiB"), "{page}");

    let (status, _) = sign_in_as(
        &app,
        &c,
        &token,
        "officer@bromley.example",
        "demo-officer-password",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "61 refused requests from this address counted for nothing"
    );
}

/// Read from `stream` until it closes; what was read, or `None` if it
/// stayed open for `patience`.
async fn read_until_closed(stream: &mut TcpStream, patience: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(patience, reading).await.ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let limits = web::Limits {
        header_read_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(1),
        ..web::Limits::default()
    };
    let app = spawn_with(testkit::sqlite(), with_limits(limits)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let patience = Duration::from_secs(20);

    let mut half = TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /b/bromley HTTP/1.1\r\nHost: x\r\nUser-Agent: sl")
        .await
        .unwrap();
    let answer = read_until_closed(&mut half, patience).await;
    assert!(
        answer.is_some(),
        "a half-sent header does not hold the connection"
    );

    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /assets/init.js HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut idle, patience).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "answered, then closed when idle"
    );

    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(
        b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=",
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut slow, patience).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("The request took too long"), "{answer}");

    let (status, _) = get(&client(), app.url("/b/bromley")).await;
    assert_eq!(status, StatusCode::OK, "the server still answers");
}

#[tokio::test]
async fn request_heads_sent_in_pieces_or_with_more_behind_them_are_served() {
    let app = spawn_with(testkit::sqlite(), web::Options::default()).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let patience = Duration::from_secs(20);

    let mut pieces = TcpStream::connect(&addr).await.unwrap();
    for piece in [
        &b"GET /assets/ini"[..],
        b"t.js HTTP/1.1\r\nHost: x\r",
        b"\nConnection: close\r\n\r",
        b"\n",
    ] {
        pieces.write_all(piece).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer = read_until_closed(&mut pieces, patience).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let mut pipelined = TcpStream::connect(&addr).await.unwrap();
    pipelined
        .write_all(
            b"GET /assets/init.js HTTP/1.1\r\nHost: x\r\n\r\nGET /b/nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut pipelined, patience).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("HTTP/1.1 404"),
        "both requests answered: {answer}"
    );

    let mut huge = TcpStream::connect(&addr).await.unwrap();
    let mut head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Filler: ".to_vec();
    head.resize(head.len() + 200_000, b'a');
    let _ = huge.write_all(&head).await;
    let answer = read_until_closed(&mut huge, patience).await.unwrap();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "a head too long is refused: {answer}"
    );

    let (status, _) = get(&client(), app.url("/b/bromley")).await;
    assert_eq!(status, StatusCode::OK, "the server still answers");
}

async fn bodies_over_the_limit_are_413(db: TestDb) {
    let app = spawn_with(db, web::Options::default()).await;
    let token = app.api_token("officer").await;
    let id = app.action_id("2022/23", "10A").await;
    let r = client()
        .put(app.url(&format!("/api/v1/actions/{id}")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"title\": \"{}\"}}", "x".repeat(10 << 20)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        "the request body is too large: the API takes at most 1 MiB"
    );

    let officer = app.signed_in("officer").await;
    let (_, page) = get(&officer, app.url("/b/bromley/strategy/edit")).await;
    let r = officer
        .post(app.url("/b/bromley/strategy/edit"))
        .form(&[
            ("csrf", hidden(&page, "csrf")),
            ("name", "x".repeat(300 * 1024)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = r.text().await.unwrap();
    assert!(page.contains("The form is too large"), "{page}");
    assert!(page.contains("the limit is 256 KiB"), "{page}");
}
on_both_engines!(bodies_over_the_limit_are_413);

/// A session for the demo account `who`, made in the store: (cookie header, CSRF token).
async fn session_for(app: &App, who: &str) -> (String, String) {
    let (user, _) = app
        .store
        .user_by_email(&format!("{who}@bromley.example").parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let (token, csrf) = (web::new_token(), web::new_token());
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    app.store
        .create_session(user.id, &web::token_hash(&token), &csrf, &expires)
        .await
        .unwrap();
    (format!("ambit_session={token}"), csrf)
}

/// Upload minutes of `total` bytes to `path` as a chunked body (no declared
/// length), reading the answer while still sending; the answer's head and
/// the start of its page.
async fn upload_chunked(app: &App, path: &str, who: &str, total: usize) -> String {
    let (cookie, csrf) = session_for(app, who).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let boundary = "ambit-chunked-boundary";
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    );
    let opening = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    let sending = tokio::spawn(async move {
        let chunk = |data: &[u8]| {
            let mut c = format!("{:x}\r\n", data.len()).into_bytes();
            c.extend_from_slice(data);
            c.extend_from_slice(b"\r\n");
            c
        };
        writer.write_all(head.as_bytes()).await?;
        writer.write_all(&chunk(opening.as_bytes())).await?;
        let piece = MINUTES.repeat(64 * 1024 / MINUTES.len());
        let mut sent = 0;
        while sent < total {
            writer.write_all(&chunk(piece.as_bytes())).await?;
            sent += piece.len();
        }
        writer
            .write_all(&chunk(format!("\r\n--{boundary}--\r\n").as_bytes()))
            .await?;
        writer.write_all(b"0\r\n\r\n").await?;
        std::io::Result::Ok(())
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    let reading = async {
        while !String::from_utf8_lossy(&answer).contains("</h1>") {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), reading)
        .await
        .expect("answered");
    sending.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Minutes of one item with a question, a promise and a resolution.
const MINUTES: &str = "With regards to Ambition 2 – Action Point 10A: Develop a new support offer to help and sustain unpaid carers including young carers, Councillor Smith asked when the action plan would be published. The Assistant Director for Integrated Commissioning said that the action plan would be brought to the Committee in June 2023.\n\n";

/// A paragraph of minutes in which nothing is to be found.
const DISCUSSION: &str = "Members discussed the support offer to carers at length, and noted the work of the voluntary sector in the borough over the year.\n\n";

async fn minutes_uploads_are_capped_and_reviewed_without_repeating_them(db: TestDb) {
    let limits = web::Limits {
        minutes_bytes: 200_000,
        ..web::Limits::default()
    };
    let app = spawn_with(db, with_limits(limits)).await;
    let clerk = app.signed_in("clerk").await;
    let href = "/b/bromley/agenda-items/1/minutes";
    let (status, form) = get(&clerk, app.url(href)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&form, "csrf");
    let upload = |text: String| {
        let boundary = "ambit-test-boundary-7f3a";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"minutes.txt\"\r\n\
             Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
        );
        clerk
            .post(app.url(&format!("{href}/upload")))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };

    let too_big = MINUTES.repeat(300_000 / MINUTES.len());
    let r = upload(too_big).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("The file of minutes is too large: the limit is 200 KB"),
        "{page}"
    );

    let answer = upload_chunked(&app, &format!("{href}/upload"), "clerk", 5_000_000).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("The file of minutes is too large: the limit is 200 KB"),
        "refused as soon as it passed the limit, with no length declared"
    );

    let text = format!(
        "{MINUTES}{}RESOLVED that the Bromley Carers Strategy be noted.\n",
        DISCUSSION.repeat(150_000 / DISCUSSION.len())
    );
    let r = upload(text.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let review = r.text().await.unwrap();
    assert!(review.contains("words were read"));
    assert!(review.contains("the action plan would be brought to the Committee in June 2023"));
    assert!(
        review.contains("That the Bromley Carers Strategy be noted")
            || review.contains("the Bromley Carers Strategy be noted")
    );
    assert!(
        review.len() < 3 * text.len(),
        "the review ({} bytes) shows the minutes ({} bytes) once to read and carries them once in its form, never once per finding",
        review.len(),
        text.len()
    );
}
on_both_engines!(minutes_uploads_are_capped_and_reviewed_without_repeating_them);

async fn odd_ids_and_roles_get_proper_answers(db: TestDb) {
    let app = spawn_with(db, web::Options::default()).await;
    let c = client();
    for path in [
        "/b/bromley/actions/abc",
        "/b/bromley/meetings/x",
        "/b/bromley/actions/1e3",
    ] {
        let (status, page) = get(&c, app.url(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("Page not found"), "{path}");
    }
    let r = c.get(app.url("/api/v1/actions/xyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "not found");

    let member = app.signed_in("member").await;
    // A member has no updates to give: "your updates" sends them home.
    let r = member
        .get(app.url("/b/bromley/my-updates"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/b/bromley/home");
    let (status, page) = get(&member, app.url("/b/bromley/home")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("could not be signed in"));
}
on_both_engines!(odd_ids_and_roles_get_proper_answers);

async fn private_answers_are_not_kept_by_caches(db: TestDb) {
    let app = spawn_with(db, web::Options::default()).await;
    let no_store = |r: &reqwest::Response| {
        r.headers()
            .get("cache-control")
            .is_some_and(|v| v == "no-store")
    };
    let public = client();
    let r = public.get(app.url("/b/bromley")).send().await.unwrap();
    assert!(!no_store(&r), "public pages may be cached");
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = public.get(app.url("/sign-in")).send().await.unwrap();
    assert!(no_store(&r), "a page setting a cookie is not cached");
    let r = public
        .get(app.url("/b/bromley/plans/ACH/2022-23/periods/H1/report"))
        .send()
        .await
        .unwrap();
    assert!(no_store(&r), "committee reports are not cached");

    let officer = app.signed_in("officer").await;
    let id = app.action_id("2022/23", "10A").await;
    for path in [
        "/b/bromley".to_owned(),
        format!("/b/bromley/audit/action/{id}"),
        "/b/bromley/plans/ACH/2024-25".to_owned(),
    ] {
        let r = officer.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(no_store(&r), "{path} is not kept by caches");
    }
    let token = app.api_token("officer").await;
    let r = public
        .get(app.url("/api/v1/bodies"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(no_store(&r), "the API answering a token holder");
}
on_both_engines!(private_answers_are_not_kept_by_caches);

#[tokio::test]
async fn https_sites_send_hsts_and_forms_must_come_from_the_same_origin() {
    let secure = spawn_with(
        testkit::sqlite(),
        web::Options {
            secure_cookies: true,
            ..web::Options::default()
        },
    )
    .await;
    let r = client().get(secure.url("/b/bromley")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");

    let app = spawn_with(testkit::sqlite(), web::Options::default()).await;
    let officer = app.signed_in("officer").await;
    let (_, home) = get(&officer, app.url("/b/bromley")).await;
    let csrf = hidden(&home, "csrf");
    let host = app.base.trim_start_matches("http://").to_owned();
    let (ip, port) = host.rsplit_once(':').unwrap();
    let other_port = format!("http://{ip}:{}", port.parse::<u16>().unwrap() ^ 1);
    for origin in [
        format!("https://{host}"),
        other_port,
        "http://evil.example".to_owned(),
    ] {
        let r = officer
            .post(app.url("/sign-out"))
            .header("origin", &origin)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    let r = officer
        .post(app.url("/sign-out"))
        .header("referer", format!("https://{host}/b/bromley"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a referer of another scheme"
    );
    let r = officer
        .post(app.url("/sign-out"))
        .header("origin", app.base.clone())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "this site's own origin");
}
