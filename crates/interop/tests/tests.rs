//! What a user notices when importing and exporting plan spreadsheets.

use std::io::Write;

use domain::{FinancialYear, LevelNames, Measure, RagMapping, ReportingPeriod, Status, TargetDate};
use interop::{
    Field, ImportError, Limits, Mapping, MappingEntry, ReadError, ReadOptions, import_plan,
    inspect, read_plan, read_workbook,
};
use rust_xlsxwriter::{Format, Workbook};

#[path = "common/xls.rs"]
mod xls;

fn year() -> FinancialYear {
    "2023/24".parse().unwrap()
}

fn options() -> ReadOptions<'static> {
    ReadOptions::new(year())
}

/// A tracker as councils keep them: a title row, their own headings,
/// merged priority cells, RAG letters, "Jan-24" dates, a notes column and
/// a percent-formatted column.
fn council_tracker() -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("ACH tracker 2023-24").unwrap();
    let pct = Format::new().set_num_format("0%");
    s.write_string(
        0,
        0,
        "Adult Care and Health Portfolio Plan 2023/24 — progress tracker",
    )
    .unwrap();
    let headings = [
        "Priority",
        "Ref",
        "Action",
        "Responsible officer",
        "Due",
        "RAG",
        "Q2 update",
        "% Complete",
        "Notes",
    ];
    for (c, h) in headings.iter().enumerate() {
        s.write_string(2, c as u16, *h).unwrap();
    }
    let merged = Format::new();
    s.merge_range(3, 0, 4, 0, "Supporting carers", &merged)
        .unwrap();
    let rows: [[&str; 7]; 3] = [
        [
            "6A",
            "Develop a carers' offer",
            "Assistant Director, Integrated Commissioning",
            "Jan-24",
            "G",
            "Offer agreed; launch in March.",
            "internal",
        ],
        [
            "6B",
            "Review respite",
            "Head of Service",
            "31/03/2024",
            "A/G",
            "Consultation under way",
            "",
        ],
        [
            "7A",
            "Extra care housing",
            "Director of Housing",
            "Q3 2023/24",
            "R",
            "Site delayed",
            "see email",
        ],
    ];
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        for (c, v) in [1u16, 2, 3, 4, 5, 6].iter().zip(r.iter()) {
            s.write_string(row, *c, *v).unwrap();
        }
        s.write_number_with_format(row, 7, [0.5, 0.25, 0.1][i], &pct)
            .unwrap();
        if !r[6].is_empty() {
            s.write_string(row, 8, r[6]).unwrap();
        }
    }
    s.write_string(5, 0, "Housing").unwrap();
    // A hidden row is read like any other.
    s.set_row_hidden(4).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_council_tracker_reads_through_a_mapping() {
    let bytes = council_tracker();
    let book = read_workbook("tracker.xlsx", &bytes, &Limits::default()).unwrap();
    let mut opts = options();
    // Without a mapping, the notes column is listed for the user to decide.
    let found = inspect(&book, &opts).unwrap();
    let actions = found.actions.unwrap();
    assert_eq!(actions.row, 3);
    let unknown: Vec<_> = actions.unrecognised().map(|h| h.heading.as_str()).collect();
    assert_eq!(unknown, ["Notes"]);
    let err = read_plan(&book, &opts).unwrap_err();
    assert_eq!(err.total(), 1, "{err}");
    assert!(err.to_string().contains("row 3, column Notes"), "{err}");

    opts.mapping = Mapping::new(vec!["Notes=ignore".parse().unwrap()]);
    let plan = read_plan(&book, &opts).unwrap();
    assert_eq!(plan.items.len(), 2);
    assert_eq!(plan.items[0].title.as_str(), "Supporting carers");
    assert_eq!(plan.items[0].depth, 1);
    let refs: Vec<_> = plan.actions.iter().map(|a| a.reference.as_str()).collect();
    assert_eq!(refs, ["6A", "6B", "7A"]);
    assert_eq!(plan.actions[1].item, Some(0), "merged cell repeats down");
    assert_eq!(plan.actions[2].item, Some(1));
    assert_eq!(
        plan.actions[0].target,
        Some(TargetDate::Month {
            year: 2024,
            month: 1
        })
    );
    assert_eq!(
        plan.actions[2].target,
        Some(TargetDate::Month {
            year: 2023,
            month: 12
        })
    );
    assert_eq!(
        plan.actions[0].lead.as_ref().unwrap().as_str(),
        "Assistant Director, Integrated Commissioning"
    );
    let h1: ReportingPeriod = "H1 2023/24".parse().unwrap();
    assert_eq!(plan.updates.len(), 3);
    assert!(plan.updates.iter().all(|u| u.period == h1));
    let statuses: Vec<_> = plan.updates.iter().map(|u| u.status).collect();
    assert_eq!(
        statuses,
        [Status::OnTrack, Status::OnTrack, Status::OffTrack]
    );
    assert_eq!(plan.updates[0].percent.unwrap().value(), 50);
    assert_eq!(
        plan.updates[0].commentary.as_str(),
        "Offer agreed; launch in March."
    );
}

#[test]
fn every_mistake_is_reported_at_once_with_its_place() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("Actions").unwrap();
    for (c, h) in ["Ref", "Action", "Lead", "Target date", "Status", "Period"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "1A",
            "Good action",
            "Lead",
            "December 2023",
            "On track",
            "H1 2023/24",
        ],
        [
            "1B",
            "Bad date",
            "Lead",
            "31/13/2023",
            "On track",
            "H1 2023/24",
        ],
        ["1a", "Duplicate of 1A", "Lead", "", "", ""],
        ["", "No reference", "Lead", "", "", ""],
        ["2A", "Bad status", "Lead", "", "Purple", "H1 2023/24"],
        ["2B", "Bad period", "Lead", "", "Green", "H3 2023/24"],
    ];
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(i as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let err = import_plan("plan.xlsx", &bytes, &Limits::default(), &options()).unwrap_err();
    let ImportError::Problems(p) = err else {
        panic!("expected problems, got {err}")
    };
    let text = p.to_string();
    assert_eq!(p.total(), 5, "{text}");
    assert!(
        text.starts_with("plan.xlsx: 5 problems found; nothing was imported"),
        "{text}"
    );
    for want in [
        "Sheet Actions, row 3, column Target date: '31/13/2023' is not a date; write 31/12/2023 or December 2023",
        "Sheet Actions, row 4, column Ref: the reference '1a' is also used on row 2",
        "Sheet Actions, row 5, column Ref: the action has a title but no reference",
        "Sheet Actions, row 6, column Status: 'Purple' is not a status",
        "Sheet Actions, row 7, column Period: 'H3 2023/24' is not a reporting period",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn problems_are_capped_with_a_count_of_the_rest() {
    let mut csv = String::from("Ref,Action,Target date\n");
    for i in 0..300 {
        csv.push_str(&format!("A{i},Action {i},someday\n"));
    }
    let book = read_workbook("many.csv", csv.as_bytes(), &Limits::default()).unwrap();
    let err = read_plan(&book, &options()).unwrap_err();
    assert_eq!(err.list.len(), 200);
    assert_eq!(err.more, 100);
    assert!(err.to_string().ends_with("and 100 more"));
}

fn csv_plan(bytes: &[u8]) -> interop::PlanSheet {
    let book = read_workbook("plan.csv", bytes, &Limits::default()).unwrap();
    read_plan(&book, &options()).unwrap()
}

#[test]
fn csv_in_windows_1252_with_a_bom_or_semicolons() {
    let text = "Ref,Action,Lead,Due\r\n1A,\"Caf\u{e9} in the park, with \"\"quotes\"\"\",Head of Parks,\"Jan-24\"\r\n1B,\"Two\nlines\",Lead,31.01.24\r\n";
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let from_1252 = csv_plan(&cp1252);
    assert_eq!(
        from_1252.actions[0].title.as_str(),
        "Caf\u{e9} in the park, with \"quotes\""
    );
    assert_eq!(from_1252.actions[1].title.as_str(), "Two lines");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(csv_plan(&bom), from_1252);
    let semi = "Ref;Action;Lead;Due\n1A;\"Caf\u{e9} in the park, with \"\"quotes\"\"\";Head of Parks;Jan-24\n1B;\"Two\nlines\";Lead;31.01.24\n";
    assert_eq!(csv_plan(semi.as_bytes()), from_1252);
    let tabs = semi.replace(';', "\t");
    assert_eq!(csv_plan(tabs.as_bytes()), from_1252);
}

#[test]
fn formula_text_in_csv_keeps_its_apostrophe_only_when_protective() {
    let text = "Ref,Action\n1A,'=1+1\n1B,'tis the season\n";
    let plan = csv_plan(text.as_bytes());
    assert_eq!(plan.actions[0].title.as_str(), "=1+1");
    assert_eq!(plan.actions[1].title.as_str(), "'tis the season");
}

fn simple_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.write_string(0, 0, "Ref").unwrap();
    s.write_string(0, 1, "Action").unwrap();
    for i in 1..200u32 {
        s.write_string(i, 0, format!("A{i}")).unwrap();
        s.write_string(i, 1, format!("Action number {i} with some words"))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn corrupt_and_truncated_workbooks_are_refused_by_name() {
    let good = simple_xlsx();
    assert!(read_workbook("ok.xlsx", &good, &Limits::default()).is_ok());
    for cut in [good.len() / 2, good.len() - 10, 30] {
        let err = read_workbook("cut.xlsx", &good[..cut], &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Corrupt { .. }), "{err}");
        assert!(
            err.to_string().starts_with("cut.xlsx: the file is damaged"),
            "{err}"
        );
    }
    let mut scrambled = good.clone();
    let mid = scrambled.len() / 3;
    for b in &mut scrambled[mid..mid + 200] {
        *b ^= 0x5A;
    }
    let err = read_workbook("bad.xlsx", &scrambled, &Limits::default()).unwrap_err();
    assert!(err.to_string().starts_with("bad.xlsx: "), "{err}");
}

#[test]
fn a_zip_bomb_is_refused_before_unpacking() {
    // One entry of 300 MB of zeros compresses to about 300 KB.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/workbook.xml", opts).unwrap();
        zip.write_all(b"<workbook/>").unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..300 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    assert!(bytes.len() < 2_000_000);
    let err = read_workbook("bomb.xlsx", &bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("bomb.xlsx"), "{err}");
    // A high ratio alone is refused too.
    let small = Limits {
        max_uncompressed_bytes: u64::MAX,
        ..Limits::default()
    };
    let err = read_workbook("bomb.xlsx", &bytes, &small).unwrap_err();
    assert!(err.to_string().contains("times its packed size"), "{err}");
}

#[test]
fn files_that_are_not_spreadsheets_are_named() {
    for (bytes, what) in [
        (&b"%PDF-1.7 ..."[..], "a PDF document"),
        (&b"\x89PNG\r\n\x1a\n\0\0"[..], "an image"),
        (&b"<!DOCTYPE html><html></html>"[..], "a web page"),
        (&b""[..], "empty"),
        (&b"\x00\x01\x02binary"[..], "binary"),
    ] {
        let err = read_workbook("plan.xlsx", bytes, &Limits::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("plan.xlsx: this is not a spreadsheet"),
            "{text}"
        );
        assert!(text.contains(what), "{text}");
    }
    // A Word document is a zip too.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<w:document/>").unwrap();
        zip.finish().unwrap();
    }
    let err = read_workbook("plan.xlsx", &out.into_inner(), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("a Word document"), "{err}");
}

#[test]
fn a_password_protected_workbook_is_named() {
    // An encrypted xlsx is an OLE file with an EncryptedPackage stream.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    bytes.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let err = read_workbook("locked.xlsx", &bytes, &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "locked.xlsx: the workbook is password-protected; remove the password and save it again"
    );
}

#[test]
fn more_than_100000_rows_are_refused() {
    let mut csv = String::with_capacity(2_000_000);
    csv.push_str("Ref,Action\n");
    for i in 0..100_001 {
        csv.push_str(&format!("A{i},x\n"));
    }
    let err = read_workbook("huge.csv", csv.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "huge.csv: sheet Sheet1 has more than 100000 rows of data, the most Ambit reads from one sheet; split the file or remove what is not needed"
    );
    // Exactly 100,000 is fine.
    let at_limit: String = csv.lines().take(100_001).collect::<Vec<_>>().join("\n");
    assert!(read_workbook("ok.csv", at_limit.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn the_template_has_every_heading_and_reads_as_an_empty_plan() {
    let levels = LevelNames::new(&["Theme".into(), "Outcome".into(), "Action".into()]).unwrap();
    let bytes = interop::template(&levels).unwrap();
    let book = read_workbook("template.xlsx", &bytes, &Limits::default()).unwrap();
    let names: Vec<_> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Actions", "Updates", "Guidance"]);
    let mut opts = options();
    opts.level_names = levels.clone();
    let found = inspect(&book, &opts).unwrap();
    let actions = found.actions.unwrap();
    assert!(actions.unrecognised().next().is_none(), "{actions:?}");
    assert!(
        actions
            .headings
            .iter()
            .any(|h| h.heading == "Outcome ref" && h.field == Some(Field::LevelRef(1)))
    );
    assert!(found.updates.unwrap().unrecognised().next().is_none());
    let plan = read_plan(&book, &opts).unwrap();
    assert!(plan.actions.is_empty());
    let guidance = book.sheet("Guidance").unwrap();
    let all: String = guidance
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.text().into_owned()))
        .collect::<Vec<_>>()
        .join("\n");
    for want in [
        "Jan-24",
        "A/G",
        "Not due to start",
        "Outcome",
        "Example row",
    ] {
        assert!(all.contains(want), "{want}");
    }
}

#[test]
fn updates_sheet_brings_past_years_and_figures() {
    let actions = "Ref,Action,Indicator,Unit,Direction,Baseline,Target\n\
                   1A,Carers,Carers assessed,people,up,100,150\n\
                   ,,Waiting days,days,down,30,\"H1 2023/24: 25; 2023/24: 20\"\n";
    let updates = "Ref,Period,RAG,Commentary,% complete,Indicator,Actual\n\
                   1A,H2 2022/23,Amber,Slow start,20%,Carers assessed,90\n\
                   ,,,,,Waiting days,31\n\
                   1A,Q2 2023/24,Green,Better,60,Carers assessed,120\n";
    let book = interop::csv_workbook(
        &[
            ("Actions", "a.csv", actions.as_bytes()),
            ("Updates", "u.csv", updates.as_bytes()),
        ],
        &Limits::default(),
    )
    .unwrap();
    let plan = read_plan(&book, &options()).unwrap();
    assert_eq!(plan.actions[0].measures.len(), 2);
    let Measure::Indicator(wait) = &plan.actions[0].measures[1] else {
        panic!()
    };
    assert_eq!(wait.targets.len(), 2);
    assert_eq!(plan.updates.len(), 2);
    assert_eq!(plan.updates[0].period.to_string(), "H2 2022/23");
    assert_eq!(plan.updates[0].actuals.len(), 2);
    assert_eq!(plan.updates[1].status, Status::OnTrack);

    let wrong =
        "Ref,Period,Status,Indicator,Actual\n1A,H1 2023/24,G,Nonsense,1\n9Z,H1 2023/24,G,,\n";
    let book = interop::csv_workbook(
        &[
            ("Actions", "a.csv", actions.as_bytes()),
            ("Updates", "u.csv", wrong.as_bytes()),
        ],
        &Limits::default(),
    )
    .unwrap();
    let err = read_plan(&book, &options()).unwrap_err().to_string();
    assert!(
        err.contains("'Nonsense', which is not one of its indicators"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column Ref: there is no action '9Z'"),
        "{err}"
    );
}

#[test]
fn references_can_be_checked_against_the_body_scheme_with_their_row() {
    let text = "Ref,Action\n1.2.3,Fine\nnot a ref!,Bad\n";
    let book = read_workbook("p.csv", text.as_bytes(), &Limits::default()).unwrap();
    let check = |_: interop::RefKind, r: &str| {
        if r.chars().all(|c| c.is_ascii_digit() || c == '.') {
            Ok(())
        } else {
            Err(format!("'{r}' is not a dotted reference such as 1.2.3"))
        }
    };
    let mut opts = options();
    opts.check_reference = Some(&check);
    let err = read_plan(&book, &opts).unwrap_err();
    assert_eq!(
        err.list[0].to_string(),
        "Sheet Sheet1, row 3, column Ref: 'not a ref!' is not a dotted reference such as 1.2.3"
    );
}

#[test]
fn mapping_entries_name_the_fields() {
    let e = "Notes=colour"
        .parse::<MappingEntry>()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'colour' is not a field; the fields are reference, title, lead"),
        "{e}"
    );
    let _ = RagMapping::default();
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn on_damaged_workbooks(at in 0usize..10_000, len in 1usize..64, xor in 1u8..=255) {
            let mut bytes = simple_xlsx();
            let start = at % bytes.len();
            let end = (start + len).min(bytes.len());
            for b in &mut bytes[start..end] {
                *b ^= xor;
            }
            if let Ok(book) = read_workbook("fuzz.xlsx", &bytes, &Limits::default()) {
                let _ = read_plan(&book, &options());
                let _ = interop::read_about(&book);
            }
        }

        #[test]
        fn on_damaged_xls(
            mini in any::<bool>(),
            at in 0usize..10_000,
            len in 1usize..8,
            xor in 1u8..=255,
            cases in proptest::option::of(0u32..u32::MAX),
        ) {
            let mut bytes = if mini {
                let stream = xls::workbook(&[], &[("Actions", xls::number(3, 1, 1.0))]);
                let layout = xls::Layout { mini: true, ..xls::Layout::default() };
                xls::compound(&stream, layout)
            } else {
                good_xls(&[0x1E, 6, 0, 0x1E, 7, 0, 0x05])
            };
            let start = at % bytes.len();
            let end = (start + len).min(bytes.len());
            match cases {
                // A whole number written over a field.
                Some(n) if end - start >= 4 => {
                    bytes[start..start + 4].copy_from_slice(&n.to_le_bytes());
                }
                _ => {
                    for b in &mut bytes[start..end] {
                        *b ^= xor;
                    }
                }
            }
            if let Ok(book) = read_workbook("fuzz.xls", &bytes, &Limits::default()) {
                let _ = read_plan(&book, &options());
            }
        }

        #[test]
        fn on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(book) = read_workbook("fuzz", &bytes, &Limits::default()) {
                let _ = read_plan(&book, &options());
                let _ = interop::read_about(&book);
            }
            let _ = interop::read_json("fuzz.json", &bytes);
        }
    }
}

/// An OpenDocument spreadsheet with `rows` (the XML of its table rows).
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Actions">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("content.xml", deflated).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.start_file("META-INF/manifest.xml", deflated).unwrap();
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn ods_text(s: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{s}</text:p></table:table-cell>"#
    )
}

#[test]
fn an_ods_file_reads_with_its_dates_and_percents() {
    let row = |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
    let rows = [
        row(&["Ref", "Action", "Target date", "Status", "Period", "% complete"].map(ods_text)),
        row(&[
            ods_text("1A"),
            ods_text("Open the new centre"),
            r#"<table:table-cell office:value-type="date" office:date-value="2024-01-31"><text:p>31/01/24</text:p></table:table-cell>"#.to_owned(),
            ods_text("A"),
            ods_text("Q2 2023/24"),
            r#"<table:table-cell office:value-type="percentage" office:value="0.4"><text:p>40%</text:p></table:table-cell>"#.to_owned(),
        ]),
        // LibreOffice's trailing empty rows.
        r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#.to_owned(),
    ];
    let bytes = ods(&rows.concat());
    let book = read_workbook("plan.ods", &bytes, &Limits::default()).unwrap();
    assert_eq!(book.kind, interop::FileKind::Ods);
    let plan = read_plan(&book, &options()).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(
        plan.actions[0].target,
        Some(TargetDate::Day(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()
        ))
    );
    assert_eq!(plan.updates[0].status, Status::AtRisk);
    assert_eq!(plan.updates[0].percent.unwrap().value(), 40);
}

#[test]
fn an_ods_row_repeated_a_million_times_is_refused_before_expanding() {
    let header = format!(
        "<table:table-row>{}{}</table:table-row>",
        ods_text("Ref"),
        ods_text("Action")
    );
    let bomb = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string" table:number-columns-repeated="200"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let bytes = ods(&(header + bomb));
    let err = read_workbook("bomb.ods", &bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("rows of data"), "{err}");
}

/// A small good .xls: headings and two actions from the shared strings, a
/// number, and a formula whose cached value is 42.
fn good_xls(formula_tokens: &[u8]) -> Vec<u8> {
    let strings: Vec<String> = ["Ref", "Action", "Hire two carers", "Open a hub"]
        .map(String::from)
        .to_vec();
    let mut cells = xls::dimension((0, 3), (0, 3));
    cells.extend(xls::label_sst(0, 0, 0));
    cells.extend(xls::label_sst(0, 1, 1));
    cells.extend(xls::number(1, 0, 1.0));
    cells.extend(xls::label_sst(1, 1, 2));
    cells.extend(xls::number(2, 0, 2.0));
    cells.extend(xls::label_sst(2, 1, 3));
    cells.extend(xls::formula(2, 2, 42.0, formula_tokens));
    let stream = xls::workbook(&xls::sst(&strings), &[("Actions", cells)]);
    xls::compound(&stream, xls::Layout::default())
}

#[test]
fn a_good_xls_reads_with_its_formulas_cached_values() {
    // The formula "=6*7": two integers and a multiplication.
    let book = read_workbook(
        "plan.xls",
        &good_xls(&[0x1E, 6, 0, 0x1E, 7, 0, 0x05]),
        &Limits::default(),
    )
    .unwrap();
    let rows = &book.sheets[0].rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].cells[1].text(), "Action");
    assert_eq!(rows[2].cells[1].text(), "Open a hub");
    assert_eq!(rows[2].cells[2].text(), "42");

    // The same workbook kept in the compound file's mini stream, as a
    // workbook under 4,096 bytes may be.
    let mut cells = xls::number(0, 0, 1.0);
    cells.extend(xls::formula(0, 1, 42.0, &[0x1E, 6, 0, 0x1E, 7, 0, 0x05]));
    let stream = xls::workbook(&[], &[("Actions", cells)]);
    assert!(stream.len() < 4096);
    let layout = xls::Layout {
        mini: true,
        ..xls::Layout::default()
    };
    let book = read_workbook(
        "mini.xls",
        &xls::compound(&stream, layout),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(book.sheets[0].rows[0].cells[1].text(), "42");

    // A formula that inserts 255 spaces 1,000 times over (minutes of work
    // for the reader, which builds every formula's text) is read at once:
    // formula texts are never built, only cached values used.
    let mut tokens = vec![0x1E, 1, 0];
    for _ in 0..1_000 {
        tokens.extend([0x19, 0x40, 0x00, 0xFF]);
    }
    let start = std::time::Instant::now();
    let book = read_workbook("spaced.xls", &good_xls(&tokens), &Limits::default()).unwrap();
    assert_eq!(book.sheets[0].rows[2].cells[2].text(), "42");
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn a_hostile_xls_is_refused_before_it_is_read() {
    // Two cells at opposite corners: calamine would hold 16.8 million
    // cells (about 1 GB with the copy it hands out).
    let mut cells = xls::number(0, 0, 1.0);
    cells.extend(xls::number(65_535, 255, 2.0));
    let err = read_workbook("corners.xls", &xls::one_sheet(cells), &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::XlsTooLarge { .. }), "{err:?}");
    let text = err.to_string();
    assert_eq!(
        text,
        "corners.xls: reading this .xls would take about 1.6 GB of memory, more than the 64 MB allowed for the older .xls format, which is read whole; save it as .xlsx and import that"
    );
    assert!(!text.contains('\n'));

    // With a column BIFF cell records allow but Excel never writes: more
    // memory than any machine has.
    let mut cells = xls::number(0, 0, 1.0);
    cells.extend(xls::number(65_535, 65_535, 2.0));
    let err = read_workbook("wide.xls", &xls::one_sheet(cells), &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::XlsTooLarge { .. }), "{err:?}");

    // A DIMENSION record that asks calamine to reserve room for 4 billion
    // rows.
    let mut cells = xls::dimension((0, u32::MAX), (0, 256));
    cells.extend(xls::number(0, 0, 1.0));
    let err = read_workbook("tall.xls", &xls::one_sheet(cells), &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::XlsTooLarge { .. }), "{err:?}");

    // One 30,000-character string shown in 20,000 cells: copied into each.
    let mut cells = Vec::new();
    for row in 0..20_000u16 {
        cells.extend(xls::label_sst(row, 0, 0));
    }
    let stream = xls::workbook(&xls::sst(&["x".repeat(30_000)]), &[("Actions", cells)]);
    let bytes = xls::compound(&stream, xls::Layout::default());
    assert!(bytes.len() < 400_000);
    let err = read_workbook("copies.xls", &bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, ReadError::XlsTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("about 1.8 GB"), "{err}");
}

#[test]
fn an_xls_whose_sectors_loop_is_refused_as_damaged() {
    // The workbook stream is declared 1 GiB long over a chain of sectors
    // that loops: calamine would copy the same sectors until it had 1 GiB.
    let stream = xls::workbook(&[], &[("Actions", xls::number(0, 0, 1.0))]);
    let layout = xls::Layout {
        declared_len: Some(1 << 30),
        looping: true,
        ..xls::Layout::default()
    };
    let err = read_workbook(
        "loop.xls",
        &xls::compound(&stream, layout),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "loop.xls: the file is damaged or incomplete (a chain of sectors loops back on itself); save it again and retry"
    );
    // The same without the loop, but cut short, is damaged too.
    let good = good_xls(&[]);
    for cut in [600, 1100, good.len() - 700] {
        let err = read_workbook("cut.xls", &good[..cut], &Limits::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("cut.xls: the file is damaged"),
            "{err}"
        );
    }
}
