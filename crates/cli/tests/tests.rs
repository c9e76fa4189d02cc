//! The `ambit` binary, run as a user runs it.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use store::Store;
use testkit::{TestDb, on_both_engines};

mod import;
mod moderngov;

fn ambit(db: &TestDb, args: &[&str]) -> Output {
    Command::cargo_bin("ambit")
        .unwrap()
        .args(db.args())
        .args(args)
        .env_remove("AMBIT_DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(db: &TestDb, args: &[&str]) -> String {
    let o = ambit(db, args);
    assert!(o.status.success(), "ambit {args:?} failed: {}", stderr(&o));
    stdout(&o)
}

async fn demo_then_plan_show(db: TestDb) {
    let created = ok(&db, &["demo", "--no-serve"]);
    assert!(created.contains("Created the Bromley example"), "{created}");
    assert!(
        created.contains("Portfolio Plan 2022/23"),
        "the demo prints the plan: {created}"
    );

    let h1 = ok(&db, &["plan", "show", "ACH", "2022/23", "--period", "H1"]);
    assert!(h1.contains("In H1 2022/23 (April to September): progress had been made on the majority of the actions"), "{h1}");
    for expected in [
        "6A   Promote opportunities for engagement with local communities and groups",
        "9E   Deliver the all-age Autism Strategy",
        "Lead: Director of Children's Services",
        "10A  Develop a new support offer to help and sustain unpaid carers including young carers",
        "Target: January 2023",
        "Status: At risk (H1 2022/23)",
        "[illustrative]",
        "14A  Develop the use of assistive technology to enable residents to remain in their homes",
        "Ambition 5: To manage our resources well",
    ] {
        assert!(h1.contains(expected), "missing {expected:?} in:\n{h1}");
    }
    let h2 = ok(
        &db,
        &[
            "--body", "bromley", "plan", "show", "ACH", "2023-24", "--period", "h2",
        ],
    );
    assert!(
        h2.contains("progress had been made on all of the actions"),
        "{h2}"
    );

    let list = ok(&db, &["plan", "list"]);
    for year in ["2022/23", "2023/24", "2024/25"] {
        assert!(
            list.contains(&format!("bromley      ACH        {year}")),
            "{list}"
        );
    }
    assert!(ok(&db, &["demo", "--no-serve"]).contains("already holds the Bromley example"));
}
on_both_engines!(demo_then_plan_show);

async fn synthetic_national_writes_bodies_the_commands_read(db: TestDb) {
    let size = [
        "synthetic",
        "national",
        "--bodies",
        "2",
        "--portfolios",
        "1",
        "--actions",
        "4",
        "--years",
        "2",
    ];
    let out = ok(&db, &size);
    assert!(
        out.contains("2 bodies, 4 plans, 16 actions, 32 updates"),
        "{out}"
    );
    assert!(out.contains("password: synthetic-data-only"), "{out}");
    let list = ok(&db, &["plan", "list"]);
    assert_eq!(list.matches("syn-00").count(), 4, "{list}");
    assert!(
        list.contains("2024/25") && list.contains("2025/26"),
        "{list}"
    );

    // Written once: a second run names the body it would repeat.
    let again = ambit(&db, &size);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("syn-001-"), "{}", stderr(&again));
    assert_eq!(ok(&db, &["plan", "list"]), list);

    // The plan file for benchmarks is printed as before.
    let file = ok(&db, &["synthetic", "--actions", "3", "--updates"]);
    assert!(file.starts_with("# Synthetic plan"), "{file}");
}
on_both_engines!(synthetic_national_writes_bodies_the_commands_read);

async fn bad_input_is_one_line_exit_2_and_writes_nothing(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let store = db.open().await;
    let events = store.audit_event_count().await.unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "update", "set", "XYZ", "2022/23", "H1", "6A", "--status", "on track",
            ],
            "portfolio XYZ was not found; known portfolios: ACH",
        ),
        (
            &[
                "update", "set", "ACH", "2022/24", "H1", "6A", "--status", "on track",
            ],
            "year: \"2022/24\" is not accepted; expected a financial year such as 2022/23",
        ),
        (
            &[
                "update", "set", "ACH", "2022/23", "H3", "6A", "--status", "on track",
            ],
            "half: \"H3\" is not accepted; expected H1",
        ),
        (
            &[
                "update", "set", "ACH", "2022/23", "H1", "6AA", "--status", "on track",
            ],
            "action reference: \"6AA\" is not accepted",
        ),
        (
            &[
                "update", "set", "ACH", "2022/23", "H1", "24A", "--status", "on track",
            ],
            "action 24A was not found; it is not in that plan",
        ),
        (
            &[
                "update",
                "set",
                "ACH",
                "2022/23",
                "H1",
                "6A",
                "--status",
                "on track",
                "--percent",
                "140",
            ],
            "percent: \"140\" is not accepted; expected a whole number from 0 to 100",
        ),
        (
            &[
                "update", "set", "ACH", "2022/23", "H1", "6A", "--status", "done",
            ],
            "status: \"done\" is not accepted; expected one of: complete, on track",
        ),
        (
            &[
                "update",
                "set",
                "ACH",
                "2022/23",
                "H1",
                "6A",
                "--status",
                "complete",
                "--percent",
                "50",
            ],
            "percent: \"50\" is not accepted; expected 100 when the status is complete",
        ),
        (
            &[
                "update",
                "set",
                "ACH",
                "2022/23",
                "H1",
                "6A",
                "--status",
                "on track",
                "--actual",
                "Nonsense=3",
            ],
            "actual: \"Nonsense\" is not accepted; expected one of action 6A's indicators",
        ),
        (
            &[
                "update", "set", "ACH", "2025/26", "H1", "6A", "--status", "on track",
            ],
            "plan for 2025/26 was not found; the portfolio has plans for 2022/23, 2023/24, 2024/25",
        ),
        (
            &["plan", "show", "ACH", "twenty"],
            "year: \"twenty\" is not accepted",
        ),
    ];
    for (args, message) in cases {
        let o = ambit(&db, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: one line expected, got {err}"
        );
        assert!(
            err.starts_with("error: ") && err.contains(message),
            "{args:?}: expected {message:?}, got {err}"
        );
    }
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "nothing was written"
    );
}
on_both_engines!(bad_input_is_one_line_exit_2_and_writes_nothing);

async fn update_set_records_and_refuses_stale_versions(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let saved = ok(
        &db,
        &[
            "update",
            "set",
            "ACH",
            "2024/25",
            "H1",
            "10A",
            "--status",
            "on-track",
            "--percent",
            "20",
            "--commentary",
            "Carers' survey under way",
            "--key-achievement",
        ],
    );
    assert_eq!(
        saved.trim(),
        "Saved update for 10A in H1 2024/25: On track (version 1)."
    );
    let shown = ok(&db, &["plan", "show", "ACH", "2024/25"]);
    assert!(
        shown.contains("Status: On track (H1 2024/25) 20% ★ key achievement"),
        "{shown}"
    );

    // Recorded outside the cycle, it is signed off: it changes only by a
    // correction with a reason.
    let refused = ambit(
        &db,
        &[
            "update", "set", "ACH", "2024/25", "H1", "10A", "--status", "at risk",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused)
            .contains("signed off and published; a performance officer can record a correction"),
        "{}",
        stderr(&refused)
    );
    ok(
        &db,
        &[
            "update",
            "set",
            "ACH",
            "2024/25",
            "H1",
            "10A",
            "--status",
            "at risk",
            "--expect-version",
            "1",
            "--correction",
            "The survey closed late",
        ],
    );
    let o = ambit(
        &db,
        &[
            "update",
            "set",
            "ACH",
            "2024/25",
            "H1",
            "10A",
            "--status",
            "off track",
            "--expect-version",
            "1",
            "--correction",
            "A second opinion",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("someone else changed update for 10A in H1 2024/25 since you read it (you had version 1, it is now version 2)"), "{}", stderr(&o));
    assert!(ok(&db, &["plan", "show", "ACH", "2024/25"]).contains("Status: At risk (H1 2024/25)"));
}
on_both_engines!(update_set_records_and_refuses_stale_versions);

async fn the_body_chooses_whether_updates_are_recorded_outside_the_cycle(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let shown = ok(&db, &["--body", "bromley", "body", "settings"]);
    assert!(
        shown.contains("Allowed until the first reporting period is opened (auto)"),
        "{shown}"
    );
    let set = ok(
        &db,
        &[
            "--body",
            "bromley",
            "body",
            "settings",
            "--updates-outside-cycle",
            "refuse",
        ],
    );
    assert!(set.contains("Not allowed"), "{set}");
    let o = ambit(
        &db,
        &[
            "update", "set", "ACH", "2024/25", "H1", "10A", "--status", "on track",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("period: H1 2024/25 is not open"),
        "{}",
        stderr(&o)
    );
    let bad = ambit(
        &db,
        &[
            "--body",
            "bromley",
            "body",
            "settings",
            "--updates-outside-cycle",
            "sometimes",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("updates outside the cycle"),
        "{}",
        stderr(&bad)
    );
}
on_both_engines!(the_body_chooses_whether_updates_are_recorded_outside_the_cycle);

async fn the_reference_scheme_is_chosen_before_the_first_plan(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    // The second demo body numbers its actions 1.1.1, 1.1.2, …, in natural order.
    let shown = ok(
        &db,
        &["--body", "northmoor", "plan", "show", "ENV", "2023/24"],
    );
    let (nine, ten) = (
        shown.find("1.1.9 ").expect("1.1.9 is shown"),
        shown.find("1.1.10 ").expect("1.1.10 is shown"),
    );
    assert!(nine < ten, "{shown}");
    assert!(shown.contains("Outcome 1.1"), "{shown}");
    let settings = ok(&db, &["--body", "northmoor", "body", "settings"]);
    assert!(
        settings.contains("reference scheme: Dotted numbers, like 1.2.3 (dotted)"),
        "{settings}"
    );
    // A body with plans keeps its scheme.
    let o = ambit(
        &db,
        &[
            "--body",
            "northmoor",
            "body",
            "settings",
            "--reference-scheme",
            "free",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("can be changed only while it has no plans"),
        "{}",
        stderr(&o)
    );
    let o = ambit(
        &db,
        &[
            "--body",
            "northmoor",
            "body",
            "settings",
            "--reference-scheme",
            "roman",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"statement\", \"dotted\" or \"free\""),
        "{}",
        stderr(&o)
    );
    // A new body without plans may choose another.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eastbridge.toml");
    std::fs::write(
        &file,
        "[body]\nname = \"Eastbridge Council\"\nslug = \"eastbridge\"\nreference_scheme = \"free\"\n\n[strategy]\ntitle = \"Eastbridge 2030\"\nyears = \"2024-2030\"\n",
    )
    .unwrap();
    ok(&db, &["load", file.to_str().unwrap()]);
    let set = ok(
        &db,
        &[
            "--body",
            "eastbridge",
            "body",
            "settings",
            "--reference-scheme",
            "dotted",
        ],
    );
    assert!(set.contains("reference scheme: Dotted numbers"), "{set}");
}
on_both_engines!(the_reference_scheme_is_chosen_before_the_first_plan);

async fn backup_and_restore_from_the_command_line(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bromley-backup.json");
    let file = file.to_str().unwrap();
    assert!(ok(&db, &["backup", file]).contains("Backed up"));

    let fresh = testkit::sqlite();
    assert!(ok(&fresh, &["restore", file]).contains("Restored"));
    assert_eq!(
        ok(&fresh, &["plan", "show", "ACH", "2022/23"]),
        ok(&db, &["plan", "show", "ACH", "2022/23"])
    );

    let o = ambit(&db, &["restore", file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already holds data") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    ok(
        &db,
        &[
            "update", "set", "ACH", "2024/25", "H2", "6A", "--status", "complete",
        ],
    );
    ok(&db, &["restore", "--force", file]);
    assert!(
        !ok(&db, &["plan", "show", "ACH", "2024/25"]).contains("H2 2024/25"),
        "restore brought back the earlier state"
    );
}
on_both_engines!(backup_and_restore_from_the_command_line);

/// SIGKILL in the middle of a burst of updates loses nothing the CLI reported as saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_burst_loses_no_saved_update() {
    let db = testkit::sqlite();
    ok(&db, &["demo", "--no-serve"]);
    let store = db.open().await;
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let refs: Vec<String> = store
        .plan_tree(plan.id)
        .await
        .unwrap()
        .actions
        .iter()
        .map(|a| a.details.reference.to_string())
        .collect();
    store.close().await;

    let mut saved = Vec::new();
    let mut killed = 0;
    for (n, (reference, half)) in refs.iter().flat_map(|r| [(r, "H1"), (r, "H2")]).enumerate() {
        let commentary = format!("burst update {n}");
        let mut child = Command::cargo_bin("ambit")
            .unwrap()
            .args(db.args())
            .args([
                "update",
                "set",
                "ACH",
                "2024/25",
                half,
                reference,
                "--status",
                "on track",
                "--commentary",
                &commentary,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if n % 2 == 1 {
            // Kill every other process at a different moment of its run.
            std::thread::sleep(Duration::from_millis((n as u64 * 7) % 60));
            if child.kill().is_ok() {
                killed += 1;
            }
        }
        let out = child.wait_with_output().unwrap();
        if String::from_utf8_lossy(&out.stdout).starts_with("Saved update") {
            saved.push((reference.clone(), half, commentary));
        }
    }
    assert!(
        killed > 0 && !saved.is_empty(),
        "the burst had both kills ({killed}) and saves ({})",
        saved.len()
    );

    let store = db.open().await;
    let tree = store.plan_tree(plan.id).await.unwrap();
    for (reference, half, commentary) in &saved {
        let action = tree
            .actions
            .iter()
            .find(|a| &a.details.reference.to_string() == reference)
            .unwrap();
        let period = domain::ReportingPeriod::new(plan.year, half.parse().unwrap());
        let update = tree
            .update_in(action.id, period)
            .unwrap_or_else(|| panic!("saved update for {reference} {half} was lost"));
        assert_eq!(update.input.commentary.as_str(), commentary);
    }
    let every_update_audited = tree.updates.len() as i64;
    assert!(every_update_audited >= saved.len() as i64);
    let check = Store::open(&db.location).await.unwrap();
    assert_eq!(
        check.plans().await.unwrap().len(),
        6,
        "the database still opens and reads after the kills"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["user", "add", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["user", "remove", "--help"],
        vec!["period", "open", "--help"],
        vec!["period", "show", "--help"],
        vec!["update", "sign-off", "--help"],
        vec!["update", "todo", "--help"],
        vec!["reminders", "--help"],
        vec!["report", "--help"],
        vec!["init", "--help"],
        vec!["db", "migrate", "--help"],
        vec!["plan", "list", "--help"],
        vec!["plan", "show", "--help"],
        vec!["update", "set", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
    ] {
        let o = Command::cargo_bin("ambit")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}");
        let text = stdout(&o);
        assert!(text.contains("Usage: ambit"), "{args:?}: {text}");
        assert!(
            text.contains("--db <PATH>"),
            "{args:?} documents --db: {text}"
        );
    }
}

#[test]
fn init_creates_an_empty_database() {
    let db = testkit::sqlite();
    assert!(ok(&db, &["init"]).contains("Database ready"));
    assert!(db.sqlite_path().unwrap().exists());
    assert!(ok(&db, &["plan", "list"]).contains("No plans yet"));
    assert!(ok(&db, &["db", "migrate"]).contains(&format!(
        "schema version {}",
        store::Store::schema_version()
    )));
}

async fn the_reporting_cycle_from_the_command_line(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let opened = ok(
        &db,
        &[
            "period",
            "open",
            "ACH",
            "2024/25",
            "H1",
            "--deadline",
            "2024-10-15",
        ],
    );
    assert_eq!(
        opened.trim(),
        "Opened H1 2024/25 for updates, due by 2024-10-15."
    );
    let twice = ambit(
        &db,
        &[
            "period",
            "open",
            "ACH",
            "2024/25",
            "H1",
            "--deadline",
            "2024-10-15",
        ],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("H1 2024/25 is already open"));

    for (reference, status) in [("10A", "on track"), ("6A", "at risk")] {
        let saved = ok(
            &db,
            &[
                "update",
                "set",
                "ACH",
                "2024/25",
                "H1",
                reference,
                "--status",
                status,
                "--commentary",
                "Half-year progress",
            ],
        );
        assert!(saved.contains("version 1"), "{saved}");
        assert!(
            ok(
                &db,
                &["update", "submit", "ACH", "2024/25", "H1", reference]
            )
            .contains("is now submitted")
        );
    }
    let returned = ok(
        &db,
        &[
            "update",
            "return",
            "ACH",
            "2024/25",
            "H1",
            "6A",
            "--comment",
            "Add the survey results",
        ],
    );
    assert!(returned.contains("is now returned"));
    let refused = ambit(&db, &["update", "sign-off", "ACH", "2024/25", "H1", "6A"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused)
            .contains("cannot sign off an update that is returned; it must be submitted first")
    );
    assert!(
        ok(&db, &["update", "sign-off", "ACH", "2024/25", "H1", "10A"])
            .contains("is now signed off")
    );

    let show = ok(&db, &["period", "show", "ACH", "2024/25", "H1"]);
    assert!(
        show.starts_with("H1 2024/25 is open; updates are due by 2024-10-15."),
        "{show}"
    );
    assert!(
        show.contains("10A   Signed off  Assistant Director for Integrated Commissioning"),
        "{show}"
    );
    assert!(
        show.contains("6A    Returned    Assistant Director for Integrated Commissioning"),
        "{show}"
    );
    assert!(
        show.contains("9E    Missing     Director of Children's Services"),
        "{show}"
    );

    let todo = ok(
        &db,
        &[
            "update",
            "todo",
            "--lead",
            "Assistant Director for Integrated Commissioning",
        ],
    );
    assert!(
        todo.contains("ACH H1 2024/25 6A    Returned  due 2024-10-15"),
        "{todo}"
    );
    assert!(
        !todo.contains(" 10A "),
        "signed-off updates are not owed: {todo}"
    );

    let plan = ok(&db, &["plan", "show", "ACH", "2024/25", "--period", "H1"]);
    assert!(
        plan.contains("(1 of 24)"),
        "only the signed-off update is reported: {plan}"
    );

    assert!(ok(&db, &["period", "close", "ACH", "2024/25", "H1"]).contains("frozen"));
    let late = ambit(
        &db,
        &[
            "update", "set", "ACH", "2024/25", "H1", "9E", "--status", "on track",
        ],
    );
    assert_eq!(late.status.code(), Some(2));
    assert!(stderr(&late).contains("H1 2024/25 is closed"));
    let corrected = ok(
        &db,
        &[
            "update",
            "set",
            "ACH",
            "2024/25",
            "H1",
            "10A",
            "--status",
            "at risk",
            "--correction",
            "Status was reported wrongly",
        ],
    );
    assert!(corrected.contains("At risk"), "{corrected}");
    let not_closed = ambit(
        &db,
        &[
            "update",
            "set",
            "ACH",
            "2024/25",
            "H2",
            "10A",
            "--status",
            "at risk",
            "--correction",
            "x",
        ],
    );
    assert_eq!(not_closed.status.code(), Some(2));
}
on_both_engines!(the_reporting_cycle_from_the_command_line);

async fn the_yearly_refresh_from_the_command_line(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let report = ok(&db, &["plan", "refresh-report", "ACH", "2024/25"]);
    assert!(report.starts_with("Refresh of ACH 2023/24 into 2024/25: 22 carried forward, 0 completed, 0 dropped, 1 not carried forward, 2 new."), "{report}");
    assert!(
        report.contains("Carried forward      6D → 6C"),
        "renumbering keeps lineage: {report}"
    );

    let refreshed = ok(
        &db,
        &[
            "plan",
            "refresh",
            "ACH",
            "2024/25",
            "--into",
            "2025/26",
            "--complete",
            "7C",
            "--drop",
            "12B=Audit response finished",
            "--renumber",
            "6A=6E",
        ],
    );
    assert!(refreshed.starts_with("Refresh of ACH 2024/25 into 2025/26: 22 carried forward, 1 completed, 1 dropped, 0 not carried forward, 0 new."), "{refreshed}");
    assert!(
        refreshed.contains("Carried forward      6A → 6E"),
        "{refreshed}"
    );
    assert!(
        refreshed.contains("Dropped              12B"),
        "{refreshed}"
    );
    assert!(
        refreshed.contains("(Audit response finished)"),
        "{refreshed}"
    );
    let every_action = refreshed.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(every_action, 24, "every action of 2024/25 has its fate");

    for (args, message) in [
        (
            vec!["plan", "refresh", "ACH", "2024/25", "--into", "2025/26"],
            "plan 2025/26 is already made",
        ),
        (
            vec!["plan", "refresh", "ACH", "2025/26", "--into", "2026/27"],
            "plan 2025/26 is draft; only an approved plan is refreshed",
        ),
        (
            vec!["plan", "refresh", "ACH", "2023/24", "--into", "2024/25"],
            "plan 2023/24 is superseded",
        ),
        (
            vec!["plan", "refresh", "ACH", "2024/25", "--into", "2026/27"],
            "into: \"2026/27\" is not accepted; expected the year after",
        ),
        (
            vec![
                "plan", "refresh", "ACH", "2024/25", "--into", "2025/26", "--drop", "12B",
            ],
            "drop: \"12B\" is not accepted; expected REF=REASON",
        ),
    ] {
        let o = ambit(&db, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    // Carried-forward actions come without target dates: approval says
    // which, and goes through only with the reason it is approved so.
    let gaps = ambit(
        &db,
        &["plan", "approve", "ACH", "2025/26", "--on", "20 March 2025"],
    );
    assert_eq!(gaps.status.code(), Some(2));
    assert!(
        stderr(&gaps).contains("plan 2025/26 is incomplete")
            && stderr(&gaps).contains("no target date"),
        "{}",
        stderr(&gaps)
    );
    assert!(
        ok(
            &db,
            &[
                "plan",
                "approve",
                "ACH",
                "2025/26",
                "--on",
                "20 March 2025",
                "--accept-gaps",
                "Targets are set at the June meeting",
            ]
        )
        .contains("the ACH plan 2024/25 is superseded")
    );
    let again = ambit(
        &db,
        &["plan", "approve", "ACH", "2025/26", "--on", "2025-03-20"],
    );
    assert!(stderr(&again).contains("plan 2025/26 is approved; only a draft plan is approved"));
}
on_both_engines!(the_yearly_refresh_from_the_command_line);

#[test]
fn a_report_pack_from_the_command_line() {
    let db = testkit::sqlite();
    ok(&db, &["demo", "--no-serve"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ACH24-030.html");
    let out_arg = out.to_str().unwrap();
    let written = ok(
        &db,
        &[
            "report",
            "ACH",
            "2023/24",
            "H2",
            "--ref",
            "ACH24-030",
            "--meeting-date",
            "2024-06-26",
            "--out",
            out_arg,
        ],
    );
    assert!(written.contains("Wrote the ACH report for H2 2023/24"));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("ACH24-030") && html.contains("26 June 2024"));
    assert!(
        html.contains("Adult Care and Health Policy Development and Scrutiny Committee"),
        "the portfolio's committee by default"
    );
    assert!(html.contains("Appendix 2: the Adult Care and Health Portfolio Plan 2024/25"));
    let bad = ambit(
        &db,
        &[
            "report",
            "ACH",
            "2023/24",
            "H2",
            "--meeting-date",
            "June",
            "--out",
            out_arg,
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("meeting date: \"June\" is not accepted"));

    // Saved cover details are used when no flag says otherwise.
    ok(
        &db,
        &[
            "report",
            "ACH",
            "2023/24",
            "H2",
            "--ref",
            "ACH24-030",
            "--author",
            "Director of Adult Social Care",
            "--save",
            "--out",
            out_arg,
        ],
    );
    ok(&db, &["report", "ACH", "2023/24", "H2", "--out", out_arg]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<title>ACH24-030: "), "the saved reference");
    assert!(html.contains("Director of Adult Social Care"));
}

#[test]
fn minutes_extract_prints_the_schema_json_and_refuses_binary_files() {
    let db = testkit::sqlite();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../minutes/tests/fixtures");
    let out = ok(
        &db,
        &[
            "minutes",
            "extract",
            &format!("{fixtures}/bromley_ach22_038.txt"),
            "--meeting-date",
            "2022-11-29",
        ],
    );
    let mut printed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(printed["source"], "bromley_ach22_038.txt");
    printed.as_object_mut().unwrap().remove("source");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{fixtures}/bromley_ach22_038.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, expected);
    let text = ok(
        &db,
        &[
            "minutes",
            "extract",
            &format!("{fixtures}/bromley_ach22_038.txt"),
            "--format",
            "text",
        ],
    );
    assert!(text.contains("the Strategy would be brought to the Committee in March 2023"));

    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("scan.pdf");
    std::fs::write(&binary, b"%PDF-1.7\n\0\0\x01binary").unwrap();
    let o = ambit(&db, &["minutes", "extract", binary.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("scan.pdf"), "{}", stderr(&o));
}

async fn report_writes_every_format(db: TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    for (file, magic) in [
        ("ACH24-030.pdf", &b"%PDF-"[..]),
        ("ACH24-030.docx", &b"PK"[..]),
        ("ACH24-030.xlsx", &b"PK"[..]),
        ("ACH24-030.html", &b"<!DOCTYPE html>"[..]),
    ] {
        let out = dir.path().join(file);
        let said = ok(
            &db,
            &[
                "report",
                "ACH",
                "2023/24",
                "H2",
                "--ref",
                "ACH24-030",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            said.contains("Wrote the ACH report for H2 2023/24"),
            "{said}"
        );
        assert!(std::fs::read(&out).unwrap().starts_with(magic), "{file}");
    }
    let o = ambit(
        &db,
        &[
            "report", "ACH", "2023/24", "H2", "--format", "odt", "--out", "x.odt",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("one of html, pdf, docx or xlsx"),
        "{}",
        stderr(&o)
    );
}
on_both_engines!(report_writes_every_format);

/// A refused command: exit code 2 and one line naming what is wrong.
fn refused(db: &TestDb, args: &[&str]) -> String {
    let o = ambit(db, args);
    assert_eq!(o.status.code(), Some(2), "ambit {args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

async fn accounts_and_tokens_end_from_the_command_line(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    // The demo holds two bodies, so commands about a body name it.
    let people = ok(&db, &["--body", "bromley", "user", "list"]);
    for expected in [
        "EMAIL",
        "admin@bromley.example",
        "Administrator",
        "lead@bromley.example",
        "Assistant Director for Integrated Commissioning",
        "active",
    ] {
        assert!(
            people.contains(expected),
            "missing {expected:?} in:\n{people}"
        );
    }
    assert_eq!(ok(&db, &["--body", "bromley", "user", "list"]), people);

    ok(
        &db,
        &[
            "token",
            "create",
            "--email",
            "officer@bromley.example",
            "--name",
            "nightly export",
        ],
    );
    let tokens = ok(
        &db,
        &["token", "list", "--email", "officer@bromley.example"],
    );
    let line = tokens.lines().nth(1).expect("one token");
    assert!(
        line.contains("nightly export")
            && line.contains("officer@bromley.example")
            && line.trim_end().ends_with('-'),
        "{tokens}"
    );
    let id = line.split_whitespace().next().unwrap().to_owned();
    assert_eq!(ok(&db, &["--body", "bromley", "token", "list"]), tokens);
    let revoked = ok(&db, &["token", "revoke", &id]);
    assert!(
        revoked.starts_with(&format!("Revoked API token {id} (nightly export)")),
        "{revoked}"
    );
    assert!(
        !ok(&db, &["token", "list"])
            .lines()
            .nth(1)
            .unwrap()
            .trim_end()
            .ends_with('-')
    );
    let again = refused(&db, &["token", "revoke", &id]);
    assert!(
        again.starts_with(&format!("error: API token {id} was already revoked")),
        "{again}"
    );
    let bad = refused(&db, &["token", "revoke", "first"]);
    assert!(
        bad.starts_with("error: id: \"first\" is not accepted"),
        "{bad}"
    );
    assert!(refused(&db, &["token", "revoke", "99999"]).contains("API token 99999 was not found"));

    let done = ok(
        &db,
        &[
            "--body",
            "bromley",
            "user",
            "disable",
            "--email",
            "officer@bromley.example",
        ],
    );
    assert_eq!(
        done,
        "Disabled the account of Demo performance officer <officer@bromley.example>.\n"
    );
    assert!(
        ok(&db, &["--body", "bromley", "user", "list"])
            .lines()
            .any(|l| l.starts_with("officer@") && l.contains("disabled"))
    );
    assert!(
        refused(
            &db,
            &[
                "--body",
                "bromley",
                "user",
                "disable",
                "--email",
                "officer@bromley.example"
            ]
        )
        .contains("is already disabled")
    );
    assert!(
        refused(
            &db,
            &["token", "create", "--email", "officer@bromley.example"]
        )
        .contains("is disabled; enable it first")
    );
    ok(
        &db,
        &[
            "--body",
            "bromley",
            "user",
            "enable",
            "--email",
            "officer@bromley.example",
        ],
    );
    ok(
        &db,
        &[
            "--body",
            "bromley",
            "user",
            "remove",
            "--email",
            "officer@bromley.example",
        ],
    );
    assert!(!ok(&db, &["--body", "bromley", "user", "list"]).contains("officer@bromley.example"));
    assert!(
        refused(
            &db,
            &[
                "--body",
                "bromley",
                "user",
                "enable",
                "--email",
                "officer@bromley.example"
            ]
        )
        .contains("no account has the address officer@bromley.example")
    );

    let last = refused(
        &db,
        &[
            "--body",
            "bromley",
            "user",
            "remove",
            "--email",
            "admin@bromley.example",
        ],
    );
    assert_eq!(
        last,
        "error: account admin@bromley.example is the only active administrator of bromley; make someone else an administrator there first\n"
    );
    let bad = refused(
        &db,
        &[
            "--body",
            "bromley",
            "user",
            "disable",
            "--email",
            "not an address",
        ],
    );
    assert!(
        bad.starts_with("error: email: \"not an address\" is not accepted"),
        "{bad}"
    );
    refused(&db, &["--body", "nowhere", "user", "list"]);
}
on_both_engines!(accounts_and_tokens_end_from_the_command_line);

async fn reviewed_minutes_become_a_corpus_the_extractor_is_scored_on(db: TestDb) {
    use domain::{AcceptedMinutes, NewCommitment, ReviewedProposal, Text};
    ok(&db, &["demo", "--no-serve"]);
    let store = Store::open(&db.location).await.unwrap();
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let committee = store.committees(body.id).await.unwrap().remove(0);
    let meeting = store.meetings(committee.id).await.unwrap().remove(0);
    let item = store
        .add_agenda_item(
            "test",
            meeting.id,
            store::NewAgendaItem {
                number: domain::Title::parse("number", "9").unwrap(),
                title: domain::Title::parse("title", "Day opportunities").unwrap(),
                report_ref: String::new(),
                plan_id: None,
                half: None,
            },
        )
        .await
        .unwrap();
    let kept =
        "The Head of Service undertook to circulate the occupancy figures to Members in March 2023";
    let minutes = format!("{kept}. Ongoing support would be provided to providers.");
    let text = |s: &str| Text::parse("text", s).unwrap();
    let accepted = AcceptedMinutes {
        minutes: minutes.clone(),
        commitments: vec![NewCommitment {
            text: text(kept),
            owner: Some(domain::Title::parse("owner", "Head of Service").unwrap()),
            due_by: Some("2023-03".parse().unwrap()),
            due_text: "in March 2023".into(),
            action_id: None,
            source: text(kept),
        }],
        reviewed: vec![
            ReviewedProposal {
                proposed: kept.into(),
                cue: "undertook to circulate".into(),
                confidence: 0.99,
                kept: true,
                recorded: Some(kept.into()),
            },
            ReviewedProposal {
                proposed: "Ongoing support would be provided to providers".into(),
                cue: "would be provided".into(),
                confidence: 0.6,
                kept: false,
                recorded: None,
            },
        ],
        ..AcceptedMinutes::default()
    };
    store
        .accept_minutes("test", item.id, item.version, accepted)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        &db,
        &[
            "--body",
            "bromley",
            "minutes",
            "corpus",
            "export",
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(out.contains("1 reviewed agenda items written"), "{out}");
    let name = format!("bromley-item-{}", item.id);
    let written =
        std::fs::read_to_string(dir.path().join("minutes").join(format!("{name}.txt"))).unwrap();
    assert_eq!(written, minutes);
    let gold: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("gold").join(format!("{name}.gold.json")))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(gold["commitments"][0]["quote"], kept);
    assert_eq!(gold["commitments"][0]["due"], "2023-03");
    assert_eq!(
        gold["commitments"][0]["owner_keywords"],
        serde_json::json!(["service"])
    );
    assert!(
        gold["notes"]
            .as_str()
            .unwrap()
            .contains("Ongoing support would be provided"),
        "the proposal left out is named: {gold}"
    );
    let score = ok(&db, &["minutes", "score", dir.path().to_str().unwrap()]);
    assert!(score.contains("files 1  recall 1.00 (1/1)"), "{score}");
}
on_both_engines!(reviewed_minutes_become_a_corpus_the_extractor_is_scored_on);

async fn a_published_pack_is_verified_by_its_files(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let published = ok(&db, &["pack", "publish", "ACH", "2023/24", "H2"]);
    assert!(
        published.contains("Published the pack ACH24-030 (ACH H2 2023/24): 4 files."),
        "{published}"
    );
    let again = ambit(&db, &["pack", "publish", "ACH", "2023/24", "H2"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("a published pack never changes"));

    let store = db.open().await;
    let body = store.body(&"bromley".parse().unwrap()).await.unwrap();
    let pack = &store.published_packs(body.id, None).await.unwrap()[0];
    let dir = tempfile::tempdir().unwrap();
    let word = dir.path().join("ACH24-030.docx");
    std::fs::write(&word, store.pack_file(pack.id, "docx").await.unwrap()).unwrap();
    let path = word.display().to_string();
    let said = ok(&db, &["pack", "verify", &path]);
    assert!(
        said.starts_with(&format!(
            "{path} is the published Word (.docx) file of pack ACH24-030 (ACH H2 2023/24) of bromley, published by cli:"
        )),
        "{said}"
    );
    assert!(
        said.contains(
            &pack
                .files
                .iter()
                .find(|f| f.format == "docx")
                .unwrap()
                .sha256
        )
    );

    let other = dir.path().join("other.docx");
    let mut bytes = std::fs::read(&word).unwrap();
    bytes.push(0);
    std::fs::write(&other, bytes).unwrap();
    let o = ambit(&db, &["pack", "verify", &other.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a published pack (SHA-256 "),
        "{}",
        stderr(&o)
    );
    let missing = ambit(&db, &["pack", "verify", "/nonexistent/pack.pdf"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("error: file: cannot read /nonexistent/pack.pdf"));
}
on_both_engines!(a_published_pack_is_verified_by_its_files);
