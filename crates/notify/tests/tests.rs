//! Reminders go out through a real SMTP exchange with a server the test starts.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use notify::{SmtpSender, SmtpSettings, deliver};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server on a free loopback port that accepts every message.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let (mut from, mut to, mut data, mut in_data) =
                    (String::new(), Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(Received {
                                from: from.clone(),
                                to: std::mem::take(&mut to),
                                data: std::mem::take(&mut data),
                            });
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
                    } else if upper.starts_with("MAIL FROM:") {
                        from = line[10..].trim().to_owned();
                        b"250 2.1.0 ok\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().to_owned());
                        b"250 2.1.5 ok\r\n"
                    } else if upper == "DATA" {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

fn sender(port: u16) -> SmtpSender {
    SmtpSender::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        starttls: false,
        from: "Ambit <ambit@bromley.example>".into(),
    })
    .unwrap()
}

async fn reminders_go_out_once_through_smtp_before_the_deadline(db: testkit::TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_people(&store, web::hash_password).await.unwrap();
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let deadline = NaiveDate::from_ymd_opt(2024, 10, 15).unwrap();
    store
        .open_period("officer", plan.id, domain::Half::H1, deadline, 7)
        .await
        .unwrap();
    let tree = store.plan_tree(plan.id).await.unwrap();
    let lead_role = "Assistant Director for Integrated Commissioning";
    let theirs: Vec<&domain::Action> = tree
        .actions
        .iter()
        .filter(|a| a.details.lead.as_str() == lead_role)
        .collect();
    assert!(theirs.len() >= 2);

    // One of the lead's updates is already submitted: no reminder for it.
    let period = domain::ReportingPeriod::new(plan.year, domain::Half::H1);
    let input = domain::UpdateInput {
        status: domain::Status::OnTrack,
        commentary: domain::Text::parse("c", "Done early").unwrap(),
        percent: None,
        key_achievement: false,
        actuals: vec![],
        author: domain::Title::parse("a", lead_role).unwrap(),
        illustrative: false,
    };
    let draft = store
        .record_update(
            "lead",
            theirs[0].id,
            period,
            input,
            Some(domain::Version::new(0)),
        )
        .await
        .unwrap();
    store
        .submit_update("lead", draft.id, draft.version)
        .await
        .unwrap();

    let site = "https://plans.bromley.example";
    let too_early = deadline - chrono::Duration::days(10);
    assert_eq!(
        store
            .queue_reminders("reminders", too_early, site)
            .await
            .unwrap(),
        0,
        "not yet within seven days"
    );
    let in_time = deadline - chrono::Duration::days(5);
    let queued = store
        .queue_reminders("reminders", in_time, site)
        .await
        .unwrap();
    assert_eq!(
        queued,
        theirs.len() - 1,
        "one reminder per owed action, to the lead"
    );
    assert_eq!(
        store
            .queue_reminders("reminders", in_time, site)
            .await
            .unwrap(),
        0,
        "each reminder is queued once"
    );

    // A server that cannot be reached: nothing is lost, the messages wait.
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let failed = deliver(&store, "reminders", &sender(closed_port))
        .await
        .unwrap();
    assert_eq!((failed.sent, failed.failed), (0, queued));
    assert_eq!(store.unsent_messages(100).await.unwrap()[0].attempts, 1);

    let (port, inbox) = smtp_sink().await;
    let done = deliver(&store, "reminders", &sender(port)).await.unwrap();
    assert_eq!((done.sent, done.failed), (queued, 0));
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), queued);
    let first = &received[0];
    assert_eq!(first.from, "<ambit@bromley.example>");
    assert_eq!(first.to, ["<lead@bromley.example>"]);
    assert!(
        first
            .data
            .contains("Subject: Update due by 15 October 2024: ACH "),
        "{}",
        first.data
    );
    assert!(
        first.data.contains("Dear Demo action lead,"),
        "{}",
        first.data
    );
    assert!(
        first
            .data
            .contains("https://plans.bromley.example/b/bromley/actions/"),
        "{}",
        first.data
    );
    assert!(
        !received.iter().any(|m| m
            .data
            .contains(&format!(" {} for H1", theirs[0].details.reference))),
        "no reminder for the submitted one"
    );

    let again = deliver(&store, "reminders", &sender(port)).await.unwrap();
    assert_eq!(again.sent, 0, "sent messages are not sent again");
    let after_deadline = deadline + chrono::Duration::days(1);
    assert_eq!(
        store
            .queue_reminders("reminders", after_deadline, site)
            .await
            .unwrap(),
        0
    );
}
testkit::on_both_engines!(reminders_go_out_once_through_smtp_before_the_deadline);

async fn a_disabled_lead_is_not_reminded(db: testkit::TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_people(&store, web::hash_password).await.unwrap();
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let deadline = NaiveDate::from_ymd_opt(2024, 10, 15).unwrap();
    store
        .open_period("officer", plan.id, domain::Half::H1, deadline, 7)
        .await
        .unwrap();
    let (lead, _) = store
        .account_by_email(&"lead@bromley.example".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .disable_account("admin", body.id, lead.id)
        .await
        .unwrap();
    let in_time = deadline - chrono::Duration::days(5);
    assert_eq!(
        store
            .queue_reminders("reminders", in_time, "https://plans.bromley.example")
            .await
            .unwrap(),
        0,
        "a disabled account cannot sign in to write the update, so it is not reminded"
    );
}
testkit::on_both_engines!(a_disabled_lead_is_not_reminded);
