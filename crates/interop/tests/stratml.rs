//! StratML Part 2 out and back: a plan written as a performance plan or
//! report validates against the standard's schema and reads back to the
//! same plan; hostile documents are refused with a clear error.

use std::path::Path;
use std::process::Command;

use domain::{
    Direction, Half, Indicator, LevelNames, Measure, MeasureTarget, Percent, RagMapping,
    ReportingPeriod, Status, Text, Title,
};
use interop::{
    About, AboutAmbition, AboutPortfolio, AboutStrategy, PlanExport, PlanSheet, SheetAction,
    SheetActual, SheetItem, SheetUpdate, StratmlError, StratmlLimits, read_stratml, write_stratml,
};

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

/// Validate `xml` against the StratML Part 2 schema with xmllint (Debian's
/// libxml2-utils, which `scripts/test` installs), panicking with its
/// complaints when it does not validate.
pub fn assert_valid(name: &str, xml: &[u8]) {
    let xsd = xsd();
    assert!(Path::new(&xsd).exists(), "the StratML schema is at {xsd}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint (Debian's libxml2-utils) is installed; scripts/test installs it");
    assert!(
        out.status.success(),
        "{name} does not validate against the StratML schema:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn title(s: &str) -> Title {
    Title::parse("test", s).unwrap()
}

/// A plan with every feature: two levels of items, one with no reference,
/// dotted references, statement and indicator measures
/// (year and half targets, a baseline, lower is better), updates with
/// figures, percents, key achievements, authors and awkward text.
fn export() -> PlanExport {
    let year = "2024/25".parse().unwrap();
    let about = About {
        body_name: title("Northmoor District Council"),
        body_slug: "northmoor".parse().unwrap(),
        reference_scheme: "dotted".to_owned(),
        level_names: LevelNames::new(&[
            "Theme".to_owned(),
            "Outcome".to_owned(),
            "Action".to_owned(),
        ])
        .unwrap(),
        rag: RagMapping::default(),
        strategy: Some(AboutStrategy {
            title: title("Northmoor Together"),
            years: "2023-2027".parse().unwrap(),
            ambitions: vec![AboutAmbition {
                number: 1,
                title: title("A greener district"),
            }],
        }),
        portfolio: AboutPortfolio {
            code: "ENV".parse().unwrap(),
            name: title("Environment & Climate"),
            committee: Some(title("Environment <Scrutiny> Committee")),
        },
        year,
        alignments: Vec::new(),
        state: None,
        illustrative: None,
    };
    let indicator = Indicator::new(
        title("Tonnes of waste sent to landfill"),
        title("tonnes"),
        Direction::Down,
        Some(1250.5),
        vec![
            MeasureTarget {
                year,
                half: Some(Half::H1),
                value: 600.0,
            },
            MeasureTarget {
                year,
                half: None,
                value: 1100.25,
            },
            MeasureTarget {
                year: year.next(),
                half: None,
                value: 0.000_1,
            },
        ],
    )
    .unwrap();
    let plan = PlanSheet {
        items: vec![
            SheetItem {
                depth: 0,
                reference: Some("1".into()),
                title: title("A greener district"),
                parent: None,
            },
            SheetItem {
                depth: 1,
                reference: Some("1.1".into()),
                title: title("Less waste & more \"recycling\""),
                parent: Some(0),
            },
            SheetItem {
                depth: 1,
                reference: None,
                title: title("Cleaner air"),
                parent: Some(0),
            },
        ],
        actions: vec![
            SheetAction {
                reference: "1.1.1".into(),
                title: title("Introduce food waste collections"),
                lead: Some(title("Head of Waste & Street Scene")),
                directorate: Some(title("Place")),
                target: Some("2025-03".parse().unwrap()),
                continues: Some("1.1.4".into()),
                measures: vec![
                    Measure::Indicator(indicator),
                    Measure::statement("Every household offered a caddy <by March>").unwrap(),
                ],
                item: Some(1),
            },
            SheetAction {
                reference: "1.2.1".into(),
                title: title("Monitor air quality"),
                lead: Some(title("Environmental Health Manager")),
                directorate: None,
                target: None,
                continues: None,
                measures: Vec::new(),
                item: Some(2),
            },
        ],
        updates: vec![
            SheetUpdate {
                action: "1.1.1".into(),
                period: ReportingPeriod::new(year, Half::H1),
                status: Status::OnTrack,
                commentary: Text::parse("c", "Rounds agreed.\n\nCaddies <ordered> & 'paid'.")
                    .unwrap(),
                percent: Some(Percent::try_from(40).unwrap()),
                key_achievement: true,
                author: Some(title("Waste Officer")),
                actuals: vec![SheetActual {
                    indicator: "Tonnes of waste sent to landfill".into(),
                    value: 590.0,
                }],
            },
            SheetUpdate {
                action: "1.2.1".into(),
                period: ReportingPeriod::new(year, Half::H1),
                status: Status::NotStarted,
                commentary: Text::parse("c", "").unwrap(),
                percent: None,
                key_achievement: false,
                author: None,
                actuals: Vec::new(),
            },
            SheetUpdate {
                action: "1.1.1".into(),
                period: ReportingPeriod::new(year, Half::H2),
                status: Status::Complete,
                commentary: Text::parse("c", "Done.").unwrap(),
                percent: Some(Percent::try_from(100).unwrap()),
                key_achievement: false,
                author: None,
                actuals: vec![SheetActual {
                    indicator: "Tonnes of waste sent to landfill".into(),
                    value: -3.5,
                }],
            },
        ],
    };
    PlanExport { about, plan }
}

fn read(xml: &[u8]) -> Result<interop::StratmlPlan, StratmlError> {
    read_stratml("plan.xml", xml, &StratmlLimits::default())
}

#[test]
fn a_report_validates_and_reads_back_to_the_same_plan() {
    let export = export();
    let year = export.about.year;
    let report = write_stratml(&export, Some(ReportingPeriod::new(year, Half::H2)));
    assert_valid("report.xml", &report);
    let back = read(&report).unwrap_or_else(|e| panic!("{e}"));
    assert!(back.report);
    assert_eq!(back.about.as_ref(), Some(&export.about));
    assert_eq!(back.plan, export.plan);
    // Written again, the same document.
    let again = PlanExport {
        about: back.about.unwrap(),
        plan: back.plan,
    };
    assert_eq!(
        write_stratml(&again, Some(ReportingPeriod::new(year, Half::H2))),
        report
    );
}

#[test]
fn a_plan_has_no_results_and_a_half_year_report_stops_at_its_half() {
    let export = export();
    let year = export.about.year;
    let plan = write_stratml(&export, None);
    assert_valid("plan.xml", &plan);
    let text = String::from_utf8(plan.clone()).unwrap();
    assert!(text.contains("Type=\"Performance_Plan\""));
    assert!(!text.contains("ActualResult"), "a plan has targets only");
    let back = read(&plan).unwrap();
    assert!(!back.report);
    assert!(back.plan.updates.is_empty());
    assert_eq!(back.plan.actions, export.plan.actions);
    assert_eq!(back.plan.items, export.plan.items);

    let h1 = write_stratml(&export, Some(ReportingPeriod::new(year, Half::H1)));
    assert_valid("h1.xml", &h1);
    let text = String::from_utf8(h1.clone()).unwrap();
    assert!(text.contains("<DescriptorValue>On track</DescriptorValue>"));
    assert!(!text.contains("<DescriptorValue>Complete</DescriptorValue>"));
    let back = read(&h1).unwrap();
    assert_eq!(back.plan.updates, export.plan.updates[..2]);
}

#[test]
fn an_empty_plan_is_still_a_valid_document() {
    let mut export = export();
    export.plan = PlanSheet::default();
    let xml = write_stratml(&export, None);
    assert_valid("empty.xml", &xml);
    assert_eq!(read(&xml).unwrap().plan, PlanSheet::default());
}

/// The error reading `xml` within `limits`, as text.
fn refused(xml: &[u8], limits: &StratmlLimits) -> String {
    match read_stratml("hostile.xml", xml, limits) {
        Ok(p) => panic!("read: {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn hostile_documents_are_refused_clearly() {
    let limits = StratmlLimits::default();
    // Entity expansion ("billion laughs") and external entities: any
    // DOCTYPE is refused before an entity could be defined.
    let laughs = concat!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">",
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">",
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>",
        "<PerformancePlanOrReport Type=\"Performance_Plan\"><Name>&lol3;</Name></PerformancePlanOrReport>"
    );
    let e = refused(laughs.as_bytes(), &limits);
    assert!(
        e.contains("hostile.xml: it has a DOCTYPE declaration"),
        "{e}"
    );
    assert!(e.contains("nothing was imported"), "{e}");
    let external = concat!(
        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
        "<PerformancePlanOrReport Type=\"Performance_Plan\"><Name>&x;</Name></PerformancePlanOrReport>"
    );
    assert!(refused(external.as_bytes(), &limits).contains("DOCTYPE"));
    // An entity used without being defined is not expanded either.
    let undefined =
        b"<PerformancePlanOrReport Type=\"Performance_Plan\"><Name>&x;</Name></PerformancePlanOrReport>";
    let e = refused(undefined, &limits);
    assert!(e.contains("the entity &x;"), "{e}");
    // Deep nesting.
    let deep = format!(
        "<PerformancePlanOrReport>{}{}</PerformancePlanOrReport>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let e = refused(deep.as_bytes(), &limits);
    assert!(e.contains("nest more than 32 deep"), "{e}");
    // Huge text in one element.
    let huge = format!(
        "<PerformancePlanOrReport><Name>{}</Name></PerformancePlanOrReport>",
        "x".repeat(limits.max_text_bytes + 1)
    );
    let e = refused(huge.as_bytes(), &limits);
    assert!(
        e.contains("the text of a <Name> element is longer than"),
        "{e}"
    );
    // The same text in many references is counted as it is expanded.
    let refs = format!(
        "<PerformancePlanOrReport><Name>{}</Name></PerformancePlanOrReport>",
        "&amp;".repeat(limits.max_text_bytes + 1)
    );
    assert!(refused(refs.as_bytes(), &limits).contains("longer than"));
    // A file over the size limit, and too many elements.
    let small = StratmlLimits {
        max_bytes: 1000,
        max_elements: 50,
        ..limits
    };
    let e = refused(huge.as_bytes(), &small);
    assert!(
        e.contains("more than the 1000 a StratML document may be"),
        "{e}"
    );
    let many = format!(
        "<PerformancePlanOrReport>{}</PerformancePlanOrReport>",
        "<a/>".repeat(60)
    );
    assert!(refused(many.as_bytes(), &small).contains("more than 50 elements"));
    // Not XML, not UTF-8, not StratML.
    assert!(refused(b"<a><b></a>", &limits).contains("not well-formed XML"));
    assert!(refused(b"<a>\xff</a>", &limits).contains("not UTF-8"));
    let e = refused(b"<plan/>", &limits);
    assert!(
        e.contains("not a StratML performance plan or report (its root element is <plan>)"),
        "{e}"
    );
}

#[test]
fn problems_in_the_content_are_each_placed_by_goal_and_objective() {
    let export = export();
    let year = export.about.year;
    let xml = String::from_utf8(write_stratml(
        &export,
        Some(ReportingPeriod::new(year, Half::H2)),
    ))
    .unwrap()
    .replace(
        "<DescriptorValue>Complete</DescriptorValue>",
        "<DescriptorValue>Nearly</DescriptorValue>",
    )
    .replace("<SequenceIndicator>1.2.1</SequenceIndicator>", "")
    .replace(
        "<EndDate>2024-09-30</EndDate>\n              <NumberOfUnits>600",
        "<EndDate>2024-09-29</EndDate>\n              <NumberOfUnits>600",
    );
    let e = refused(xml.as_bytes(), &StratmlLimits::default());
    assert!(
        e.starts_with("hostile.xml: 3 problems found; nothing was imported"),
        "{e}"
    );
    assert!(
        e.contains("Goal 2 (Less waste & more \"recycling\"), Objective 1 (1.1.1), PerformanceIndicator 3: H2 2024/25: status: \"Nearly\" is not accepted"),
        "{e}"
    );
    assert!(
        e.contains(
            "Goal 3 (Cleaner air), Objective 1 (Monitor air quality): it has no SequenceIndicator"
        ),
        "{e}"
    );
    assert!(
        e.contains("2024-04-01 to 2024-09-29 is not a half or whole financial year"),
        "{e}"
    );
}
