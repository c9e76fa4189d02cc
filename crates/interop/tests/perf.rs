//! A 10,000-action workbook with one update per action: how long reading
//! it takes and how much memory it needs. Run in release:
//! `cargo test -p interop --release --test perf -- --ignored --nocapture`.

use std::time::Instant;

use domain::{FinancialYear, Half, ReportingPeriod, Status, Text, Title};
use interop::{
    About, AboutPortfolio, Limits, PlanExport, PlanSheet, ReadOptions, SheetAction, SheetItem,
    SheetUpdate,
};

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[test]
#[ignore = "a measurement; run in release"]
fn ten_thousand_actions_read_in_well_under_a_second() {
    let year: FinancialYear = "2024/25".parse().unwrap();
    let t = |s: String| Title::parse("t", &s).unwrap();
    let mut plan = PlanSheet::default();
    for p in 0..20 {
        plan.items.push(SheetItem {
            depth: 0,
            reference: Some(format!("{p}")),
            title: t(format!("Ambition {p}")),
            parent: None,
        });
    }
    for i in 0..10_000 {
        plan.actions.push(SheetAction {
            reference: format!("{}.{}", i / 500, i),
            title: t(format!(
                "Deliver the thing numbered {i} for residents of the borough"
            )),
            lead: Some(t("Assistant Director for Integrated Commissioning".into())),
            directorate: None,
            target: Some(domain::TargetDate::Month {
                year: 2025,
                month: 1 + (i % 12) as u32,
            }),
            continues: None,
            measures: vec![
                domain::Measure::statement("An increased number of participants on each course")
                    .unwrap(),
            ],
            item: Some(i / 500),
        });
        plan.updates.push(SheetUpdate {
            action: format!("{}.{}", i / 500, i),
            period: ReportingPeriod::new(year, Half::H1),
            status: Status::OnTrack,
            commentary: Text::parse("c", "Progress has been made; the service started on time and the first review is planned for the autumn.").unwrap(),
            percent: None,
            key_achievement: false,
            author: None,
            actuals: vec![],
        });
    }
    let export = PlanExport {
        about: About {
            body_name: t("Test Council".into()),
            body_slug: "test".parse().unwrap(),
            reference_scheme: "dotted".into(),
            level_names: domain::LevelNames::new(&["Ambition".into(), "Action".into()]).unwrap(),
            rag: Default::default(),
            strategy: None,
            portfolio: AboutPortfolio {
                code: "ACH".parse().unwrap(),
                name: t("Adult Care".into()),
                committee: None,
            },
            year,
            alignments: vec![],
            state: None,
            illustrative: None,
        },
        plan,
    };
    let bytes = interop::write_xlsx(&export).unwrap();
    let before = peak_rss_mb();
    let start = Instant::now();
    let book = interop::read_workbook("big.xlsx", &bytes, &Limits::default()).unwrap();
    let read = start.elapsed();
    let mut options = ReadOptions::new(year);
    options.level_names = export.about.level_names.clone();
    let sheet = interop::read_plan(&book, &options).unwrap();
    let total = start.elapsed();
    assert_eq!(sheet, export.plan);
    println!(
        "{} bytes: read {:?}, read and checked {:?}; peak RSS {:?} MB (before reading {:?} MB)",
        bytes.len(),
        read,
        total,
        peak_rss_mb(),
        before
    );
}
