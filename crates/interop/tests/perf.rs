//! A 10,000-action workbook with one update per action: how long reading
//! it takes and how much memory it needs. Run in release:
//! `cargo test -p interop --release --test perf -- --ignored --nocapture`.
//!
//! Hostile .xls files: how much memory reading (or refusing) each takes.
//! Each must run in a process of its own, as nextest runs tests:
//! `cargo nextest run -p interop --test perf --run-ignored only -E 'test(/hostile/)' --no-capture`.

#[path = "common/xls.rs"]
mod xls;

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

/// Read `bytes` as an .xls and say what happened and the process's peak
/// resident memory.
fn measure_hostile(what: &str, bytes: &[u8]) {
    let before = peak_rss_mb();
    let start = Instant::now();
    let outcome = match interop::read_workbook("hostile.xls", bytes, &Limits::default()) {
        Ok(book) => format!(
            "read, {} rows",
            book.sheets.iter().map(|s| s.rows.len()).sum::<usize>()
        ),
        Err(e) => format!("refused: {e}"),
    };
    println!(
        "{what} ({} bytes): {outcome}; {:?}; peak RSS {:?} MB (before reading {:?} MB)",
        bytes.len(),
        start.elapsed(),
        peak_rss_mb(),
        before
    );
}

#[test]
#[ignore = "a measurement; run alone"]
fn hostile_xls_cells_far_apart() {
    let mut cells = xls::number(0, 0, 1.0);
    cells.extend(xls::number(65_535, 255, 2.0));
    measure_hostile("two cells far apart", &xls::one_sheet(cells));
}

#[test]
#[ignore = "a measurement; run alone"]
fn hostile_xls_repeated_string() {
    let long = "x".repeat(30_000);
    let mut cells = Vec::new();
    for row in 0..20_000u16 {
        cells.extend(xls::label_sst(row, 0, 0));
    }
    let stream = xls::workbook(&xls::sst(&[long]), &[("Actions", cells)]);
    measure_hostile(
        "one 30,000-character string in 20,000 cells",
        &xls::compound(&stream, xls::Layout::default()),
    );
}

#[test]
#[ignore = "a measurement; run alone"]
fn hostile_xls_looping_chain() {
    let stream = xls::workbook(&[], &[("Actions", xls::number(0, 0, 1.0))]);
    let layout = xls::Layout {
        declared_len: Some(1 << 30),
        looping: true,
        ..xls::Layout::default()
    };
    measure_hostile(
        "a stream declared 1 GiB over a looping chain",
        &xls::compound(&stream, layout),
    );
}

#[test]
#[ignore = "a measurement; run alone"]
fn hostile_xls_spaced_formulas() {
    // An integer, then 255 spaces inserted before it, 1,000 times over.
    let mut rgce = vec![0x1E, 1, 0];
    for _ in 0..1_000 {
        rgce.extend([0x19, 0x40, 0x00, 0xFF]);
    }
    let mut cells = Vec::new();
    for row in 0..10u16 {
        cells.extend(xls::formula(row, 0, 1.0, &rgce));
    }
    measure_hostile(
        "10 formulas of 1,000 runs of 255 spaces",
        &xls::one_sheet(cells),
    );
}
