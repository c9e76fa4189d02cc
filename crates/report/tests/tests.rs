//! Report packs for the Bromley example, read back for what a committee sees.

use domain::ReportCover;
use domain::{Half, ReportingPeriod};
use report::{Contents, Pack};
use store::Store;
use testkit::{TestDb, on_both_engines};

async fn pack_contents(store: &Store, year: &str, half: Half, reference: &str) -> Contents {
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let body = store.body_by_id(portfolio.body_id).await.unwrap();
    let year: domain::FinancialYear = year.parse().unwrap();
    let tree = store
        .plan_tree(store.plan(portfolio.id, year).await.unwrap().id)
        .await
        .unwrap();
    let previous = match store.plan(portfolio.id, year.previous()).await {
        Ok(p) => Some(store.plan_tree(p.id).await.unwrap()),
        Err(_) => None,
    };
    let next = match store.plan(portfolio.id, year.next()).await {
        Ok(p) => Some(store.plan_tree(p.id).await.unwrap()),
        Err(_) => None,
    };
    let pack = Pack {
        body: &body,
        portfolio: &portfolio,
        tree: &tree,
        previous_year: previous.as_deref(),
        next_year: next.as_deref(),
        period: ReportingPeriod::new(year, half),
        cover: ReportCover::parse(
            reference,
            "Adult Care and Health Policy Development and Scrutiny Committee",
            "",
            "Assistant Director for Strategy, Performance and Corporate Transformation",
            "",
        )
        .unwrap(),
    };
    Contents::of(&pack)
}

async fn pack_html(store: &Store, year: &str, half: Half, reference: &str) -> String {
    report::html(&pack_contents(store, year, half, reference).await).unwrap()
}

async fn the_seeds_reports_come_out_of_the_data(db: TestDb) {
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();

    let h1 = pack_html(&store, "2022/23", Half::H1, "ACH22-038").await;
    assert!(h1.contains("<title>ACH22-038: Adult Care and Health Portfolio Plan: progress in the first half of 2022/23</title>"));
    assert!(h1.contains("the progress on the actions associated with the Adult Care and Health Portfolio Plan for the first half of 2022/23 (Appendix 1) be noted."));
    assert!(h1.contains(
        "In the first half of 2022/23, progress had been made on the majority of the actions"
    ));
    for reference in ["6A", "9E", "10A", "11", "14A"] {
        assert!(
            h1.contains(&format!("<th scope=\"row\">{reference}</th>")),
            "{reference} is in Appendix 1"
        );
    }
    assert!(h1.contains("Key achievements") && h1.contains("1 July 2022"));
    assert!(
        h1.contains("Lead: Director of Children&#39;s Services (Children, Education and Families)")
    );
    assert!(
        !h1.contains("Appendix 2"),
        "no refreshed plan for 2023/24 in the data's H1 2022/23 report"
    );

    let h2 = pack_html(&store, "2023/24", Half::H2, "ACH24-030").await;
    assert!(
        h2.contains("In the second half of 2023/24, progress had been made on all of the actions")
    );
    assert!(h2.contains("Appendix 2: the Adult Care and Health Portfolio Plan 2024/25"));
    assert!(h2.contains("the refresh of the Portfolio Plan for 2024/25 (Appendix 2) be noted."));
    assert!(
        h2.contains("Carried forward (was 6D)"),
        "renumbering is shown"
    );
    assert!(h2.contains("Actions not carried into the new plan"));

    // A period with no signed-off updates: every action says so, nothing breaks.
    let empty = pack_html(&store, "2024/25", Half::H1, "").await;
    assert!(
        empty.contains("progress had not yet been made on any of the actions")
            || empty.contains("there were no actions"),
        "{}",
        &empty[..200]
    );
    assert!(empty.matches("No update").count() >= 24);
}
on_both_engines!(the_seeds_reports_come_out_of_the_data);

#[tokio::test]
async fn hostile_commentary_is_shown_as_text() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let action = store
        .action_by_ref(plan.id, &"10A".parse().unwrap())
        .await
        .unwrap();
    let hostile = "<script>alert(1)</script> #set text(red) & Cymraeg ŵ 👍 שלום";
    let input = domain::UpdateInput {
        status: domain::Status::OnTrack,
        commentary: domain::Text::parse("commentary", hostile).unwrap(),
        percent: None,
        key_achievement: true,
        actuals: vec![],
        author: domain::Title::parse("author", "Lead").unwrap(),
        illustrative: false,
    };
    store
        .record_update(
            "test",
            action.id,
            ReportingPeriod::new(plan.year, Half::H1),
            input,
            None,
        )
        .await
        .unwrap();
    let html = pack_html(&store, "2024/25", Half::H1, "T").await;
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains(
        "&#60;script&#62;alert(1)&#60;/script&#62; #set text(red) &#38; Cymraeg ŵ 👍 שלום"
    ));

    let contents = pack_contents(&store, "2024/25", Half::H1, "T").await;
    let text = pdf_text(&report::render(&contents, report::Format::Pdf).unwrap());
    assert!(
        text.contains("<script>alert(1)</script> #set text(red) & Cymraeg ŵ"),
        "{text}"
    );
    assert!(
        text.contains("👍") && text.contains("שלום"),
        "emoji and Hebrew are set"
    );
    let xml = zipped(
        &report::render(&contents, report::Format::Docx).unwrap(),
        "word/document.xml",
    );
    assert!(
        xml.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; #set text(red) &amp; Cymraeg ŵ 👍 שלום"
        )
    );
    let sheet = xlsx_rows(
        &report::render(&contents, report::Format::Xlsx).unwrap(),
        "Appendix 1",
    );
    assert!(sheet.iter().any(|row| row[9] == hostile));
}

/// The text of a PDF, as `pdftotext` (poppler-utils) reads it, with runs of
/// white space made single spaces.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) reads the PDF back; .ci/run installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One file from a zip archive (.docx and .xlsx are zip archives).
fn zipped(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    text
}

/// The paragraphs of a .docx that have Word heading style `level`.
fn docx_headings(xml: &str, level: u8) -> Vec<String> {
    let style = format!("<w:pStyle w:val=\"Heading{level}\" />");
    xml.split("</w:p>")
        .filter(|p| p.contains(&style))
        .map(|p| {
            p.split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|t| t.split("</w:t>").next())
                .collect::<String>()
        })
        .collect()
}

/// Rows of the .docx tables whose header says `header`, headers excluded.
fn docx_table_rows(xml: &str, header: &str) -> usize {
    xml.split("<w:tbl>")
        .skip(1)
        .filter(|t| t.contains(header))
        .map(|t| {
            t.split("</w:tbl>")
                .next()
                .unwrap()
                .matches("<w:tr>")
                .count()
                - 1
        })
        .sum()
}

/// The rows of a worksheet, as strings.
fn xlsx_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn every_format_reads_back(contents: &Contents) {
    let rows: Vec<&report::Row> = contents.rows().collect();

    let pdf = report::render(contents, report::Format::Pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/StructTreeRoot"), "the PDF is tagged");
    assert!(raw.contains("/Outlines"), "the PDF has bookmarks");
    let text = pdf_text(&pdf);
    assert!(text.contains(&contents.title), "{}", &text[..300]);
    for r in &contents.recommendations {
        assert!(text.contains(r.as_str()), "recommendation {r:?} in the PDF");
    }
    assert!(text.contains("Appendix 1: progress on the actions"));
    // Every page is numbered in one sequence, also when a large pack is laid
    // out in parts: the footers read "Page 1 of N" to "Page N of N".
    let footers: Vec<(usize, usize)> = text
        .split("Page ")
        .skip(1)
        .filter_map(|rest| {
            let mut w = rest.split(' ');
            let (k, of, n) = (w.next()?, w.next()?, w.next()?);
            (of == "of").then_some((k.parse().ok()?, n.parse().ok()?))
        })
        .collect();
    let n = footers.len();
    assert_eq!(
        footers,
        (1..=n).map(|k| (k, n)).collect::<Vec<_>>(),
        "page numbers"
    );
    let words: std::collections::HashSet<&str> = text.split(' ').collect();
    for r in &rows {
        assert!(
            words.contains(r.reference.as_str()),
            "{} in the PDF",
            r.reference
        );
        assert!(text.contains(&r.status), "{} in the PDF", r.status);
    }
    if let Some(a2) = &contents.appendix2 {
        assert!(text.contains(&a2.heading));
    }

    let docx = report::render(contents, report::Format::Docx).unwrap();
    let xml = zipped(&docx, "word/document.xml");
    assert_eq!(docx_headings(&xml, 1), vec![contents.title.clone()]);
    let h2 = docx_headings(&xml, 2);
    assert!(h2.contains(&"1. Purpose".to_owned()), "{h2:?}");
    assert!(h2.contains(&"Appendix 1: progress on the actions".to_owned()));
    assert_eq!(
        contents
            .appendix2
            .as_ref()
            .is_some_and(|a| h2.contains(&a.heading)),
        contents.appendix2.is_some()
    );
    assert_eq!(
        docx_table_rows(&xml, "Since the last period"),
        rows.len(),
        "one table row per action in Appendix 1"
    );
    let styles = zipped(&docx, "word/styles.xml");
    assert!(styles.contains("w:val=\"heading 1\""));

    let xlsx = report::render(contents, report::Format::Xlsx).unwrap();
    let sheet = xlsx_rows(&xlsx, "Appendix 1");
    assert_eq!(sheet[0][2], "Ref");
    assert_eq!(sheet.len(), rows.len() + 1, "one row per action");
    for (line, r) in sheet[1..].iter().zip(&rows) {
        assert_eq!(line[2], r.reference);
        assert_eq!(line[7], r.status);
    }
    assert!(
        zipped(&xlsx, "xl/tables/table1.xml").contains("autoFilter"),
        "Appendix 1 is a filterable table"
    );
}

#[tokio::test]
async fn the_seeds_reports_read_back_in_every_format() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let h1 = pack_contents(&store, "2022/23", Half::H1, "ACH22-038").await;
    every_format_reads_back(&h1).await;
    let h2 = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    assert!(h2.appendix2.is_some());
    every_format_reads_back(&h2).await;
    let empty = pack_contents(&store, "2024/25", Half::H1, "").await;
    assert!(empty.rows().all(|r| r.status == "No update"));
    every_format_reads_back(&empty).await;
}

#[tokio::test]
async fn a_two_thousand_action_plan_renders_in_every_format() {
    let db = testkit::sqlite();
    let store = db.open().await;
    let year: domain::FinancialYear = "2024/25".parse().unwrap();
    demo::load(
        &store,
        "synthetic.toml",
        &demo::synthetic::plan(2000, "synthetic", year, true),
    )
    .await
    .unwrap();
    let portfolio = store
        .portfolio(None, &"SYN".parse().unwrap())
        .await
        .unwrap();
    let body = store.body_by_id(portfolio.body_id).await.unwrap();
    let tree = store
        .plan_tree(store.plan(portfolio.id, year).await.unwrap().id)
        .await
        .unwrap();
    let contents = Contents::of(&Pack {
        body: &body,
        portfolio: &portfolio,
        tree: &tree,
        previous_year: None,
        next_year: None,
        period: ReportingPeriod::new(year, Half::H2),
        cover: ReportCover::default(),
    });
    assert_eq!(contents.rows().count(), 2000);
    let html = report::html(&contents).unwrap();
    assert_eq!(
        html.matches("<tr>\n        <th scope=\"row\">").count(),
        2000
    );
    every_format_reads_back(&contents).await;
}

/// Commentary that a spreadsheet would run as a formula if it were one.
#[tokio::test]
async fn formula_like_text_is_written_as_text() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let portfolio = store
        .portfolio(None, &"ACH".parse().unwrap())
        .await
        .unwrap();
    let plan = store
        .plan(portfolio.id, "2024/25".parse().unwrap())
        .await
        .unwrap();
    let hostile = [
        ("10A", "=HYPERLINK(\"http://evil\",\"x\")"),
        ("6A", "+cmd|' /C calc'!A0"),
        ("9E", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ];
    for (reference, commentary) in hostile {
        let action = store
            .action_by_ref(plan.id, &reference.parse().unwrap())
            .await
            .unwrap();
        let input = domain::UpdateInput {
            status: domain::Status::OnTrack,
            commentary: domain::Text::parse("commentary", commentary).unwrap(),
            percent: None,
            key_achievement: false,
            actuals: vec![],
            author: domain::Title::parse("author", "Lead").unwrap(),
            illustrative: false,
        };
        store
            .record_update(
                "test",
                action.id,
                ReportingPeriod::new(plan.year, Half::H1),
                input,
                None,
            )
            .await
            .unwrap();
    }
    let contents = pack_contents(&store, "2024/25", Half::H1, "T").await;
    let xlsx = report::render(&contents, report::Format::Xlsx).unwrap();
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = zipped(&xlsx, sheet);
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "{sheet} holds no formula"
        );
    }
    let strings = zipped(&xlsx, "xl/sharedStrings.xml");
    assert!(
        strings.contains("<t>=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)</t>")
            || strings.contains("<t>=HYPERLINK(\"http://evil\",\"x\")</t>"),
        "the commentary is a shared string: {strings}"
    );
    assert!(
        zipped(&xlsx, "xl/styles.xml").contains("quotePrefix=\"1\""),
        "formula-like text carries the quote prefix"
    );
    let rows = xlsx_rows(&xlsx, "Appendix 1");
    for (_, commentary) in hostile {
        assert!(
            rows.iter().any(|row| row[9] == commentary),
            "{commentary} reads back as the same text"
        );
    }
}
