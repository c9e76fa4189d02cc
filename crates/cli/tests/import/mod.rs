//! `ambit import` and `ambit export`, run as a user runs them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use domain::{FinancialYear, PortfolioCode, Slug};
use serde_json::{Value, json};
use store::Store;
use testkit::{TestDb, on_both_engines};

use super::{ambit, ok, stderr, stdout};

/// A fresh empty database on the same engine as `db`.
async fn fresh_like(db: &TestDb) -> TestDb {
    match db.sqlite_path() {
        Some(_) => testkit::sqlite(),
        None => testkit::postgres().await.expect("a PostgreSQL server"),
    }
}

/// Everything a plan holds, without store ids, versions and times, in
/// the tree's order: the body and its scheme, the plan's status, approval,
/// publication and alignments, each item with its parent and ambition,
/// each action with every field and measure, each update with its
/// content, figures by indicator name and sign-off state; and apart, the
/// `illustrative` flag of each ambition, item, action and update.
async fn plan_shape(store: &Store, body: &str, code: &str, year: &str) -> Value {
    let slug: Slug = body.parse().unwrap();
    let code: PortfolioCode = code.parse().unwrap();
    let year: FinancialYear = year.parse().unwrap();
    let view = store.plan_view(&slug, &code, year).await.unwrap();
    let tree = &view.tree;
    let ambitions: HashMap<domain::AmbitionId, (u16, String)> = store
        .strategy(view.body.id)
        .await
        .unwrap()
        .map(|s| {
            s.ambitions
                .into_iter()
                .map(|a| (a.id, (a.number, a.title.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let label = |id: domain::PlanItemId| {
        let i = tree.items.iter().find(|i| i.id == id).unwrap();
        format!(
            "{}|{}|{}",
            i.depth,
            i.reference
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            i.title
        )
    };
    let items: Vec<Value> = tree
        .items
        .iter()
        .map(|i| {
            json!({
                "item": label(i.id),
                "parent": i.parent_id.map(label),
                "ambition": i.ambition_id.map(|a| ambitions[&a].clone()),
            })
        })
        .collect();
    let mut names = HashMap::new();
    let actions: Vec<Value> = tree
        .actions
        .iter()
        .map(|a| {
            for (id, m) in &a.measures {
                if let domain::Measure::Indicator(i) = m {
                    names.insert(*id, i.name.to_string());
                }
            }
            json!({
                "item": label(a.item_id),
                "reference": a.details.reference.as_str(),
                "title": a.details.title,
                "lead": a.details.lead,
                "directorate": a.details.directorate,
                "target": a.details.target.map(|t| t.to_string()),
                "measures": a.measures.iter().map(|(_, m)| m).collect::<Vec<_>>(),
            })
        })
        .collect();
    let refs: HashMap<domain::ActionId, String> = tree
        .actions
        .iter()
        .map(|a| (a.id, a.details.reference.to_string()))
        .collect();
    let mut updates: Vec<Value> = tree
        .updates
        .iter()
        .map(|u| {
            let mut actuals: Vec<(String, f64)> = u
                .input
                .actuals
                .iter()
                .map(|x| (names[&x.measure_id].clone(), x.value))
                .collect();
            actuals.sort_by(|a, b| a.0.cmp(&b.0));
            json!({
                "action": refs[&u.action_id],
                "period": u.period.to_string(),
                "status": u.input.status.as_str(),
                "commentary": u.input.commentary,
                "percent": u.input.percent.map(i64::from),
                "key_achievement": u.input.key_achievement,
                "author": u.input.author,
                "actuals": actuals,
                "state": u.state.as_str(),
            })
        })
        .collect();
    updates.sort_by_key(|u| u.to_string());
    let plan = &tree.plan;
    let mut illustrative: Vec<bool> = store
        .strategy(view.body.id)
        .await
        .unwrap()
        .map(|s| s.ambitions.iter().map(|a| a.illustrative).collect())
        .unwrap_or_default();
    illustrative.extend(tree.items.iter().map(|i| i.illustrative));
    illustrative.extend(tree.actions.iter().map(|a| a.details.illustrative));
    let mut by_update: Vec<(String, bool)> = tree
        .updates
        .iter()
        .map(|u| {
            (
                format!("{} {}", refs[&u.action_id], u.period),
                u.input.illustrative,
            )
        })
        .collect();
    by_update.sort();
    illustrative.extend(by_update.into_iter().map(|(_, f)| f));
    json!({
        "body": [view.body.slug.as_str(), view.body.name.as_str(), view.body.reference_scheme.as_str()],
        "levels": view.body.level_names,
        "portfolio": [view.portfolio.code.as_str(), view.portfolio.name.as_str()],
        "committee": view.portfolio.committee,
        "plan": {
            "status": plan.status.as_str(),
            "approved_on": plan.approved_on.map(|d| d.to_string()),
            "published_at": plan.published_at.map(|t| t.to_rfc3339()),
            "alignments": plan.alignments.iter().map(|a| json!([a.name, a.kind, a.url])).collect::<Vec<_>>(),
        },
        "items": items,
        "actions": actions,
        "updates": updates,
        "illustrative": illustrative,
    })
}

/// Compare two plan shapes part by part, so a failure names what differs.
/// The `illustrative` flags are the same when all or none of `a`'s are
/// set; when some are, the export does not say which, so every one of
/// `b`'s is.
fn assert_same_plan(a: &Value, b: &Value) {
    for key in ["body", "levels", "portfolio", "committee", "plan"] {
        assert_eq!(a[key], b[key], "{key} differs");
    }
    let (x, y) = (
        a["illustrative"].as_array().unwrap(),
        b["illustrative"].as_array().unwrap(),
    );
    if x.iter().all(|f| f == &x[0]) {
        assert_eq!(x, y, "the illustrative flags differ");
    } else {
        assert_eq!(x.len(), y.len());
        assert!(
            y.iter().all(|f| f == true),
            "a partly illustrative plan comes back marked illustrative throughout"
        );
    }
    for key in ["items", "actions", "updates"] {
        let (x, y) = (a[key].as_array().unwrap(), b[key].as_array().unwrap());
        assert_eq!(x.len(), y.len(), "number of {key}");
        for (p, q) in x.iter().zip(y) {
            assert_eq!(p, q, "one of the {key} differs");
        }
    }
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn exported_plans_import_into_an_empty_database_unchanged(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let fresh = fresh_like(&db).await;
    ok(&fresh, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let source = db.open().await;
    let target = fresh.open().await;
    for (body, code, year, status) in [
        ("bromley", "ACH", "2022/23", "superseded"),
        ("northmoor", "ENV", "2023/24", "superseded"),
    ] {
        let file = path(dir.path(), &format!("{body}-{code}.xlsx"));
        let out = ok(
            &db,
            &[
                "--body",
                body,
                "export",
                "plan",
                code,
                year,
                "--out",
                s(&file),
            ],
        );
        assert!(out.contains("Wrote"), "{out}");
        let imported = ok(&fresh, &["import", "plan", s(&file)]);
        assert!(
            imported.contains(&format!(
                "Imported {body}-{code}.xlsx into {body} {code} {year}"
            )),
            "{imported}"
        );
        assert!(
            imported.contains(&format!("body {body}")),
            "the body is created: {imported}"
        );
        let (a, b) = (
            plan_shape(&source, body, code, year).await,
            plan_shape(&target, body, code, year).await,
        );
        assert!(!a["actions"].as_array().unwrap().is_empty());
        assert!(!a["updates"].as_array().unwrap().is_empty());
        assert_eq!(a["plan"]["status"], status, "{body} {code} {year}");
        assert!(a["plan"]["published_at"].is_string());
        assert_eq!(
            a["plan"]["alignments"].as_array().unwrap().is_empty(),
            body == "northmoor",
            "Bromley's plans are aligned with its programmes and strategies"
        );
        assert_same_plan(&a, &b);
        let flags = a["illustrative"].as_array().unwrap();
        assert_eq!(
            flags.iter().filter(|f| *f == true).count() == flags.len(),
            body == "northmoor",
            "Northmoor is illustrative throughout, Bromley in part"
        );
    }
    // Each body keeps its own scheme: Northmoor's dotted references were
    // checked as dotted, Bromley's as statement numbers.
    let plans = ok(&fresh, &["plan", "list"]);
    assert!(
        plans.contains("bromley") && plans.contains("northmoor"),
        "{plans}"
    );
    source.close().await;
    target.close().await;
}
on_both_engines!(exported_plans_import_into_an_empty_database_unchanged);

/// The export of `file` read back with interop, changed by `edit`, written as `out`.
fn edited_copy(file: &Path, out: &Path, edit: impl FnOnce(&mut interop::PlanExport)) {
    let bytes = std::fs::read(file).unwrap();
    let book = interop::read_workbook("x.xlsx", &bytes, &interop::Limits::default()).unwrap();
    let about = interop::read_about(&book).unwrap().unwrap();
    let mut options = interop::ReadOptions::new(about.year);
    options.level_names = about.level_names.clone();
    let plan = interop::read_plan(&book, &options).unwrap();
    let mut export = interop::PlanExport { about, plan };
    edit(&mut export);
    std::fs::write(out, interop::write_xlsx(&export).unwrap()).unwrap();
}

async fn reimport_changes_nothing_and_a_corrected_file_changes_in_place(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let fresh = fresh_like(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let exported = path(dir.path(), "ach-2022-23-superseded.xlsx");
    ok(
        &db,
        &[
            "--body",
            "bromley",
            "export",
            "plan",
            "ACH",
            "2022/23",
            "--out",
            s(&exported),
        ],
    );
    // The plan is superseded, and a superseded plan does not change: to
    // correct it after moving it, the council imports it as a draft.
    let file = path(dir.path(), "ach-2022-23.xlsx");
    edited_copy(&exported, &file, |e| {
        e.about.state = Some(domain::PlanState {
            status: domain::PlanStatus::Draft,
            approved_on: None,
            published_at: None,
        });
    });
    ok(&fresh, &["import", "plan", s(&file)]);
    let store = fresh.open().await;
    let events = store.audit_event_count().await.unwrap();

    let again = ok(&fresh, &["import", "plan", s(&file)]);
    assert!(again.contains("Nothing to change"), "{again}");
    assert!(
        again.contains("plan items           0         0         18"),
        "{again}"
    );
    assert!(
        again.contains("actions              0         0         23"),
        "{again}"
    );
    assert!(
        again.contains("updates              0         0         46"),
        "{again}"
    );
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "a re-import writes no audit event"
    );

    let corrected = path(dir.path(), "ach-2022-23-corrected.xlsx");
    edited_copy(&file, &corrected, |e| {
        let a = e
            .plan
            .actions
            .iter_mut()
            .find(|a| a.reference == "10A")
            .unwrap();
        a.title =
            domain::Title::parse("title", "Develop a new support offer for unpaid carers").unwrap();
        let b = e
            .plan
            .actions
            .iter_mut()
            .find(|a| a.reference == "6A")
            .unwrap();
        b.target = Some("February 2023".parse().unwrap());
        let u = e
            .plan
            .updates
            .iter_mut()
            .find(|u| u.action == "9E")
            .unwrap();
        u.commentary = domain::Text::parse(
            "commentary",
            "Corrected: the strategy was agreed in September.",
        )
        .unwrap();
    });
    let out = ok(
        &fresh,
        &[
            "--body",
            "bromley",
            "import",
            "plan",
            s(&corrected),
            "--portfolio",
            "ACH",
            "--year",
            "2022/23",
        ],
    );
    assert!(
        out.contains("actions              0         2         21"),
        "{out}"
    );
    assert!(
        out.contains("updates              0         1         45"),
        "{out}"
    );
    assert!(out.contains("action 10A: edit (title)"), "{out}");
    assert!(out.contains("action 6A: edit (target)"), "{out}");
    assert!(
        out.contains("update 9E in H1 2022/23: correct (commentary)"),
        "{out}"
    );
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events + 3,
        "one audit event per change"
    );

    let plan = store
        .plan(
            store
                .portfolio(None, &"ACH".parse().unwrap())
                .await
                .unwrap()
                .id,
            "2022/23".parse().unwrap(),
        )
        .await
        .unwrap();
    for reference in ["10A", "6A"] {
        let action = store
            .action_by_ref(plan.id, &reference.parse().unwrap())
            .await
            .unwrap();
        let trail = store.audit_trail("action", action.id.get()).await.unwrap();
        let last = trail.last().unwrap();
        assert_eq!(last.operation, "edit");
        assert_eq!(
            last.after.as_ref().unwrap()["reason"],
            "ach-2022-23-corrected.xlsx"
        );
        assert_eq!(
            trail.len(),
            2,
            "created, then changed in place (same record)"
        );
    }
    assert_eq!(
        store
            .action_by_ref(plan.id, &"10A".parse().unwrap())
            .await
            .unwrap()
            .details
            .title
            .as_str(),
        "Develop a new support offer for unpaid carers"
    );
    let action = store
        .action_by_ref(plan.id, &"9E".parse().unwrap())
        .await
        .unwrap();
    let update = store
        .updates_of(action.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.period.to_string() == "H1 2022/23")
        .unwrap();
    assert_eq!(
        update.state,
        domain::UpdateState::SignedOff,
        "a correction keeps it signed off"
    );
    let trail = store.audit_trail("update", update.id.get()).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.operation, "correct");
    assert_eq!(
        last.after.as_ref().unwrap()["correction_reason"],
        "ach-2022-23-corrected.xlsx"
    );

    // The export as it was says the plan is superseded and published: into
    // the draft now there, that is reported and left as the plan has it.
    let events = store.audit_event_count().await.unwrap();
    let out = ok(&fresh, &["import", "plan", s(&exported), "--dry-run"]);
    assert!(
        out.contains("Left as the plan has it")
            && out.contains("status: superseded in the file; draft in the plan")
            && out.contains("approved on: 2022-03-22 in the file; none in the plan")
            && out.contains("publication: published in the file; not published in the plan"),
        "{out}"
    );
    assert!(!out.contains("aligned with:"), "{out}");
    assert_eq!(store.audit_event_count().await.unwrap(), events);
    let now = store.plan_by_id(plan.id).await.unwrap();
    assert_eq!(
        (now.status, now.published_at),
        (domain::PlanStatus::Draft, None)
    );
    store.close().await;
}
on_both_engines!(reimport_changes_nothing_and_a_corrected_file_changes_in_place);

/// A tracker as a council keeps it: its own headings, RAG letters,
/// "Jan-26" dates, a notes column; `rows` are the data rows.
fn tracker(file: &Path, rows: &[[&str; 10]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Housing tracker 25-26").unwrap();
    let headings = [
        "Theme ref",
        "Theme",
        "Outcome ref",
        "Outcome",
        "Ref",
        "Action",
        "Responsible officer",
        "Due",
        "Q2 RAG",
        "Q2 update",
    ];
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(0, 10, "Notes").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
        sheet
            .write_string(r as u32 + 1, 10, "chase in January")
            .unwrap();
    }
    book.save(file).unwrap();
}

const TRACKER: [[&str; 10]; 4] = [
    [
        "3",
        "A good home for everyone",
        "3.1",
        "More affordable homes",
        "3.1.1",
        "Agree the affordable housing delivery plan",
        "Head of Housing Strategy",
        "Jan-26",
        "G",
        "Plan drafted; consultation closes in November.",
    ],
    [
        "3",
        "A good home for everyone",
        "3.1",
        "More affordable homes",
        "3.1.2",
        "Bring 40 empty homes back into use",
        "Empty Homes Officer",
        "31/03/2026",
        "A",
        "18 homes back in use; two enforcement cases delayed.",
    ],
    [
        "3",
        "A good home for everyone",
        "3.2",
        "Safe and warm homes",
        "3.2.1",
        "Inspect every licensed HMO",
        "Private Sector Housing Manager",
        "March 2026",
        "R",
        "Inspector vacancy; recruitment under way.",
    ],
    [
        "3",
        "A good home for everyone",
        "3.2",
        "Safe and warm homes",
        "3.2.2",
        "Launch the home energy advice service",
        "Head of Housing Strategy",
        "Q3 2025/26",
        "Complete",
        "Launched in September.",
    ],
];

async fn a_council_tracker_imports_through_a_mapping(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "Housing tracker 2025-26 FINAL v3.xlsx");
    tracker(&file, &TRACKER);
    let args = [
        "--body",
        "northmoor",
        "import",
        "plan",
        s(&file),
        "--portfolio",
        "HSG",
        "--year",
        "2025/26",
        "--map",
        "Notes=ignore",
    ];
    let out = ok(&db, &args);
    assert!(
        out.contains("actions              4         0          0"),
        "{out}"
    );
    assert!(
        out.contains("updates              4         0          0"),
        "{out}"
    );
    let store = db.open().await;
    let shape = plan_shape(&store, "northmoor", "HSG", "2025/26").await;
    let actions = shape["actions"].as_array().unwrap();
    assert_eq!(actions[0]["reference"], "3.1.1");
    assert_eq!(actions[0]["lead"], "Head of Housing Strategy");
    assert_eq!(actions[0]["target"], "January 2026");
    assert_eq!(actions[0]["item"], "1|3.1|More affordable homes");
    let statuses: Vec<&str> = shape["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    for s in ["on_track", "at_risk", "off_track", "complete"] {
        assert!(statuses.contains(&s), "{s} in {statuses:?}");
    }
    let items = shape["items"].as_array().unwrap();
    assert_eq!(
        items[0]["ambition"],
        json!([3, "A good home for everyone"]),
        "the theme is the strategy's ambition 3"
    );
    // The same file again changes nothing.
    assert!(ok(&db, &args).contains("Nothing to change"));
    store.close().await;
}
on_both_engines!(a_council_tracker_imports_through_a_mapping);

async fn a_file_with_errors_reports_them_all_and_writes_nothing(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let store = db.open().await;
    let events = store.audit_event_count().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "tracker.xlsx");
    let mut rows = TRACKER;
    rows[0][7] = "31/13/2025";
    rows[1][8] = "Purple";
    rows[2][4] = "3.2.x";
    tracker(&file, &rows);
    let o = ambit(
        &db,
        &[
            "--body",
            "northmoor",
            "import",
            "plan",
            s(&file),
            "--portfolio",
            "HSG",
            "--year",
            "2025/26",
            "--map",
            "Notes=ignore",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("3 problems found; nothing was imported"),
        "{err}"
    );
    for expected in [
        "Sheet Housing tracker 25-26, row 2, column Due: '31/13/2025'",
        "Sheet Housing tracker 25-26, row 3, column Q2 RAG: 'Purple'",
        "Sheet Housing tracker 25-26, row 4, column Ref:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
    assert!(stdout(&o).is_empty());
    assert_eq!(
        store.audit_event_count().await.unwrap(),
        events,
        "nothing was written"
    );
    assert!(!ok(&db, &["plan", "list"]).contains("2025/26"));
    store.close().await;
}
on_both_engines!(a_file_with_errors_reports_them_all_and_writes_nothing);

async fn a_dry_run_says_what_would_change_and_writes_nothing(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let fresh = fresh_like(&db).await;
    ok(&fresh, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "env.json");
    ok(
        &db,
        &[
            "--body",
            "northmoor",
            "export",
            "plan",
            "ENV",
            "2023/24",
            "--out",
            s(&file),
        ],
    );
    let out = ok(&fresh, &["import", "plan", s(&file), "--dry-run"]);
    assert!(
        out.contains("Dry run of env.json into northmoor ENV 2023/24: nothing was written."),
        "{out}"
    );
    assert!(out.contains("body northmoor"), "{out}");
    let store = fresh.open().await;
    assert_eq!(store.audit_event_count().await.unwrap(), 0);
    assert!(store.bodies().await.unwrap().is_empty());
    // The real import does what the dry run said.
    let real = ok(&fresh, &["import", "plan", s(&file)]);
    let table = |o: &str| {
        o.lines()
            .skip(1)
            .take(4)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(table(&out), table(&real));
    // CSV exports round-trip too: three files side by side.
    let csv = path(dir.path(), "env.csv");
    ok(
        &db,
        &[
            "--body",
            "northmoor",
            "export",
            "plan",
            "ENV",
            "2023/24",
            "--out",
            s(&csv),
        ],
    );
    assert!(
        path(dir.path(), "env-updates.csv").exists() && path(dir.path(), "env-about.csv").exists()
    );
    assert!(ok(&fresh, &["import", "plan", s(&csv)]).contains("Nothing to change"));
    store.close().await;
}
on_both_engines!(a_dry_run_says_what_would_change_and_writes_nothing);

#[test]
fn the_template_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "template.xlsx");
    let db = testkit::sqlite();
    let out = ok(&db, &["import", "template", "--out", s(&file)]);
    assert!(out.contains("template"), "{out}");
    let bytes = std::fs::read(&file).unwrap();
    let book =
        interop::read_workbook("template.xlsx", &bytes, &interop::Limits::default()).unwrap();
    assert!(book.sheets.len() >= 2, "actions and guidance");
}

async fn the_template_has_the_body_s_level_names(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "northmoor-template.xlsx");
    ok(
        &db,
        &[
            "--body",
            "northmoor",
            "import",
            "template",
            "--out",
            s(&file),
        ],
    );
    let bytes = std::fs::read(&file).unwrap();
    let book = interop::read_workbook("t.xlsx", &bytes, &interop::Limits::default()).unwrap();
    let headings: Vec<String> = book.sheets[0].rows[0]
        .cells
        .iter()
        .map(|c| c.text().into_owned())
        .collect();
    assert!(
        headings.iter().any(|h| h.starts_with("Outcome")),
        "{headings:?}"
    );
}
on_both_engines!(the_template_has_the_body_s_level_names);

mod stratml;
