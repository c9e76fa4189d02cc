//! `ambit export plan --format stratml` and `ambit import plan FILE.xml`:
//! every demo plan as a StratML performance plan and report that the
//! standard's schema validates, and back into an empty database the same.

use std::path::Path;
use std::process::Command;

use testkit::{TestDb, on_both_engines};

use super::{ambit, assert_same_plan, fresh_like, ok, path, plan_shape, s, stderr};

/// The StratML Part 2 schema, from the published standards kept beside the
/// project (`../shared/standards/`), or where this machine keeps them.
fn xsd() -> String {
    let beside = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/standards/stratml/PerformancePlanOrReport20160216.xsd"
    );
    if Path::new(beside).exists() {
        beside.to_owned()
    } else {
        "/work/shared/standards/stratml/PerformancePlanOrReport20160216.xsd".to_owned()
    }
}

/// Validate `file` against the StratML Part 2 schema with xmllint (Debian's
/// libxml2-utils, which `scripts/test` installs).
fn assert_valid(file: &Path) {
    let xsd = xsd();
    assert!(Path::new(&xsd).exists(), "the StratML schema is at {xsd}");
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", xsd.as_str()])
        .arg(file)
        .output()
        .expect("xmllint (Debian's libxml2-utils) is installed; scripts/test installs it");
    assert!(
        out.status.success(),
        "{} does not validate against the StratML schema:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(file: &Path) -> interop::StratmlPlan {
    let bytes = std::fs::read(file).unwrap();
    interop::read_stratml("plan.xml", &bytes, &interop::StratmlLimits::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every plan of the two demo bodies, each year after the one before so
/// an imported action finds the action it continues.
const PLANS: [(&str, &str, &str); 6] = [
    ("bromley", "ACH", "2022/23"),
    ("bromley", "ACH", "2023/24"),
    ("bromley", "ACH", "2024/25"),
    ("northmoor", "ENV", "2023/24"),
    ("northmoor", "ENV", "2024/25"),
    ("northmoor", "HSG", "2024/25"),
];

async fn every_demo_plan_exports_to_valid_stratml_and_imports_back_the_same(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let fresh = fresh_like(&db).await;
    ok(&fresh, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let source = db.open().await;
    let target = fresh.open().await;
    for (body, code, year) in PLANS {
        let stem = format!("{body}-{code}-{}", year.replace('/', "-"));
        let export = |db: &TestDb, name: &str, period: Option<&str>| {
            let file = path(dir.path(), name);
            let mut args = vec!["--body", body, "export", "plan", code, year];
            args.extend(["--format", "stratml", "--out", s(&file)]);
            if let Some(p) = period {
                args.extend(["--period", p]);
            }
            let out = ok(db, &args);
            assert!(
                out.contains(&format!("Wrote {code} {year} as a StratML")),
                "{out}"
            );
            file
        };
        let plan = export(&db, &format!("{stem}.xml"), None);
        let h1 = export(&db, &format!("{stem}-H1.xml"), Some("H1"));
        let h2 = export(&db, &format!("{stem}-H2.xml"), Some("H2"));
        for file in [&plan, &h1, &h2] {
            assert_valid(file);
        }
        assert!(!read(&plan).report && read(&h2).report);
        assert!(read(&plan).plan.updates.is_empty());

        // The year's report, imported into an empty database: the same plan.
        let imported = ok(&fresh, &["import", "plan", s(&h2)]);
        assert!(
            imported.contains(&format!("Imported {stem}-H2.xml into {body} {code} {year}")),
            "{imported}"
        );
        let (a, b) = (
            plan_shape(&source, body, code, year).await,
            plan_shape(&target, body, code, year).await,
        );
        assert!(!a["actions"].as_array().unwrap().is_empty());
        assert_same_plan(&a, &b);

        // Exported again, the same document (but for the illustrative
        // flag, which a partly illustrative plan comes back with throughout).
        let again = export(&fresh, &format!("{stem}-again.xml"), Some("H2"));
        let (first, second) = (read(&h2), read(&again));
        assert_eq!(first.plan, second.plan, "{body} {code} {year}");
        let (mut x, y) = (first.about.unwrap(), second.about.unwrap());
        x.illustrative = y.illustrative;
        assert_eq!(x, y);
        // And importing it again changes nothing.
        let twice = ok(&fresh, &["import", "plan", s(&again)]);
        assert!(twice.contains("Nothing to change"), "{twice}");
    }
    // Northmoor's dotted references came through as dotted references.
    let out = ok(
        &fresh,
        &["--body", "northmoor", "plan", "show", "ENV", "2023/24"],
    );
    assert!(out.contains("1.1.1"), "{out}");
    source.close().await;
    target.close().await;
}
on_both_engines!(every_demo_plan_exports_to_valid_stratml_and_imports_back_the_same);

async fn a_hostile_stratml_file_is_refused_and_changes_nothing(db: TestDb) {
    ok(&db, &["demo", "--no-serve"]);
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "plan.xml");
    std::fs::write(
        &file,
        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
         <PerformancePlanOrReport Type=\"Performance_Plan\"><Name>&x;</Name></PerformancePlanOrReport>",
    )
    .unwrap();
    let before = ok(&db, &["plan", "list"]);
    let o = ambit(&db, &["--body", "bromley", "import", "plan", s(&file)]);
    assert_eq!(o.status.code(), Some(2), "a user error");
    let e = stderr(&o);
    assert!(e.contains("plan.xml: it has a DOCTYPE declaration"), "{e}");
    assert_eq!(ok(&db, &["plan", "list"]), before);

    // --period is for StratML only.
    let o = ambit(
        &db,
        &[
            "--body",
            "bromley",
            "export",
            "plan",
            "ACH",
            "2023/24",
            "--period",
            "H1",
            "--out",
            s(&path(dir.path(), "x.json")),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format stratml"), "{}", stderr(&o));
}
on_both_engines!(a_hostile_stratml_file_is_refused_and_changes_nothing);
