//! Report packs for the Bromley example, read back for what a committee sees.

use domain::ReportCover;
use domain::{Half, ReportingPeriod};
use report::{Contents, Fate, Pack};
use store::Store;
use testkit::{TestDb, on_both_engines};

async fn pack_contents(store: &Store, year: &str, half: Half, reference: &str) -> Contents {
    portfolio_pack(store, "ACH", year, half, reference).await
}

async fn portfolio_pack(
    store: &Store,
    code: &str,
    year: &str,
    half: Half,
    reference: &str,
) -> Contents {
    let portfolio = store.portfolio(None, &code.parse().unwrap()).await.unwrap();
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
    let strategy = store.strategy(body.id).await.unwrap();
    let pack = Pack {
        body: &body,
        strategy: strategy.as_ref(),
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
    assert!(h2.contains("Renumbered (was 6D)"), "renumbering is shown");
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

/// The Bromley example with `commentary` as action 10A's H1 2024/25 update
/// (a key achievement).
async fn bromley_with_commentary(commentary: &str) -> (testkit::TestDb, Store) {
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
    let input = domain::UpdateInput {
        status: domain::Status::OnTrack,
        commentary: domain::Text::parse("commentary", commentary).unwrap(),
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
    (db, store)
}

#[tokio::test]
async fn hostile_commentary_is_shown_as_text() {
    let hostile = "<script>alert(1)</script> #set text(red) & Cymraeg ŵ 👍 שלום";
    let (_db, store) = bromley_with_commentary(hostile).await;
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
    let commentary = column(&sheet, "Commentary");
    assert!(sheet.iter().any(|row| row[commentary] == hostile));
}

#[tokio::test]
async fn a_commentary_longer_than_a_page_runs_on_to_the_next() {
    let long = (1..=120)
        .map(|n| {
            format!(
                "Paragraph {n} of the lead's account of the work done with partners this half-year."
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (_db, store) = bromley_with_commentary(&long).await;
    let contents = pack_contents(&store, "2024/25", Half::H1, "T").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(
        &file,
        report::render(&contents, report::Format::Pdf).unwrap(),
    )
    .unwrap();
    let pages = page_texts(&file);
    let first = pages
        .iter()
        .position(|p| p.contains("Paragraph 1 of the lead"))
        .expect("the commentary's start is printed");
    let last = pages
        .iter()
        .position(|p| p.contains("Paragraph 120 of the lead"))
        .expect("the commentary's end is printed, not cut off at the page's foot");
    assert!(
        last >= first + 2,
        "about 10,000 characters take three pages or more"
    );
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
    let style = format!("<w:pStyle w:val=\"Heading{level}\"/>");
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

/// The index of the column headed `name` in a sheet's first row.
fn column(sheet: &[Vec<String>], name: &str) -> usize {
    sheet[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("a column headed {name:?} in {:?}", sheet[0]))
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

/// Read every format back; the PDF is returned for further checks.
async fn every_format_reads_back(contents: &Contents) -> Vec<u8> {
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
        docx_table_rows(&xml, "Commentary"),
        rows.len(),
        "one table row per action in Appendix 1"
    );
    let styles = zipped(&docx, "word/styles.xml");
    assert!(styles.contains("w:val=\"heading 1\""));

    let xlsx = report::render(contents, report::Format::Xlsx).unwrap();
    let sheet = xlsx_rows(&xlsx, "Appendix 1");
    assert_eq!(
        sheet[0][..contents.levels.len()],
        contents.levels[..],
        "one column per level of the plan, named as the body names it"
    );
    let (reference, status) = (column(&sheet, "Ref"), column(&sheet, "Status"));
    assert_eq!(sheet.len(), rows.len() + 1, "one row per action");
    for (line, r) in sheet[1..].iter().zip(&rows) {
        assert_eq!(line[reference], r.reference);
        assert_eq!(line[status], r.status);
        assert_eq!(line[..r.path.len()], r.path[..]);
    }
    assert!(
        zipped(&xlsx, "xl/tables/table1.xml").contains("autoFilter"),
        "Appendix 1 is a filterable table"
    );
    pdf
}

/// The PDF's pages: none holds a lone line besides its header and footer.
fn no_lone_lines(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let pages = page_texts(&file);
    for (i, page) in pages.iter().enumerate() {
        let lines: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains("(continued)"))
            .filter(|l| !(l.contains("Page ") && l.contains(" of ")))
            .collect();
        assert!(
            lines.len() > 1,
            "page {} holds a lone line: {lines:?}",
            i + 1
        );
    }
    pages
}

#[tokio::test]
async fn the_seeds_reports_read_back_in_every_format() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let h1 = pack_contents(&store, "2022/23", Half::H1, "ACH22-038").await;
    no_lone_lines(&every_format_reads_back(&h1).await);
    let h2 = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    assert!(h2.appendix2.is_some());
    no_lone_lines(&every_format_reads_back(&h2).await);
    let empty = pack_contents(&store, "2024/25", Half::H1, "").await;
    assert!(empty.rows().all(|r| r.status == "No update"));
    no_lone_lines(&every_format_reads_back(&empty).await);
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
        strategy: None,
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
    let pdf = every_format_reads_back(&contents).await;
    if let Some(soffice) = soffice() {
        printed_as_published(soffice, &contents);
    }
    // Statement tables break between rows, and the page a table goes on to
    // names it "(continued)".
    let pages = no_lone_lines(&pdf);
    let continued = pages.iter().filter(|p| p.contains("(continued)")).count();
    assert!(continued > 0, "some table goes on to a next page");
    for p in pages.iter().filter(|p| p.contains("(continued)")) {
        let first = p.lines().map(str::trim).find(|l| !l.is_empty()).unwrap();
        assert!(first.ends_with("(continued)"), "{first}");
    }
    // Statements' bookmarks nest under their priority's.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let outline = std::process::Command::new("pdftohtml")
        .args(["-xml", "-i", "-q", "-stdout"])
        .arg(&file)
        .output()
        .expect("pdftohtml (poppler-utils) reads the outline");
    let xml = String::from_utf8_lossy(&outline.stdout);
    let (mut depth, mut deepest) = (0, 0);
    for (i, _) in xml.match_indices("outline>") {
        if xml[..i].ends_with("</") {
            depth -= 1;
        } else if xml[..i].ends_with('<') {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    // The title, Appendix 1, an ambition, a priority and its statements.
    assert!(deepest >= 5, "bookmarks nest {deepest} deep: {xml:.2000}");
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
    let at = column(&rows, "Commentary");
    for (_, commentary) in hostile {
        assert!(
            rows.iter().any(|row| row[at] == commentary),
            "{commentary} reads back as the same text"
        );
    }
}

/// Text as the HTML report escapes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Each table cell's text in a .docx, in order (header cells included).
fn docx_cells(xml: &str) -> Vec<String> {
    xml.split("<w:tc>")
        .skip(1)
        .map(|c| {
            let c = c.split("</w:tc>").next().unwrap();
            c.split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|t| t.split("</w:t>").next())
                .collect::<String>()
        })
        .collect()
}

/// The text of a .docx's paragraphs, XML entities decoded.
fn docx_text(xml: &str) -> String {
    xml.split("<w:t xml:space=\"preserve\">")
        .skip(1)
        .filter_map(|t| t.split("</w:t>").next())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The year-end report: what the refresh did with every action is counted
/// the same on the cover, in Appendix 1, in Appendix 2 and in every format.
#[tokio::test]
async fn every_fate_is_counted_the_same_everywhere() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_northmoor(&store).await.unwrap();
    let c = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    let a2 = c
        .appendix2
        .as_ref()
        .expect("a year-end report has Appendix 2");

    // 6C ended the year complete: it is completed, with the reason, not
    // "not carried forward" with an empty "Why".
    let six_c = c.rows().find(|r| r.reference == "6C").unwrap();
    assert_eq!(six_c.status, "Complete");
    assert_eq!(six_c.fate, "Completed");
    let ended = a2.ended_rows().find(|r| r.reference == "6C").unwrap();
    assert_eq!(ended.outcome, "Completed");
    assert!(!ended.why.is_empty());
    fates_agree(&c);
    // Northmoor's refresh drops and renumbers actions: between the two,
    // every fate is counted.
    let northmoor = portfolio_pack(&store, "ENV", "2023/24", Half::H2, "ENV24-01").await;
    fates_agree(&northmoor);
    let both = [&c, &northmoor].map(|c| c.appendix2.as_ref().unwrap());
    for fate in Fate::ALL {
        assert!(
            both.iter().any(|a| a.count(fate) > 0),
            "{fate:?} happens in the examples"
        );
    }
}

/// The fates of one year-end pack agree in every part and format.
fn fates_agree(c: &Contents) {
    let a2 = c
        .appendix2
        .as_ref()
        .expect("a year-end report has Appendix 2");
    assert!(
        a2.ended_rows().all(|r| !r.why.is_empty()),
        "every ended action says why"
    );

    // The grouping of Appendix 1: the priorities and statements are there.
    for depth in 0..c.levels.len() {
        assert!(
            a2.sections.iter().any(|s| s.depth == depth),
            "level {depth}"
        );
    }

    let from_rows = |fate: Fate| -> usize {
        match fate {
            Fate::New => a2.rows().filter(|r| r.change == fate.label()).count(),
            _ => c.rows().filter(|r| r.fate == fate.label()).count(),
        }
    };
    let from_appendix2 = |fate: Fate| -> usize {
        match fate {
            Fate::Completed | Fate::Dropped => a2
                .ended_rows()
                .filter(|r| r.outcome == fate.label())
                .count(),
            _ => a2.rows().filter(|r| r.change == fate.label()).count(),
        }
    };
    for fate in Fate::ALL {
        assert_eq!(from_rows(fate), a2.count(fate), "{fate:?} in Appendix 1");
        assert_eq!(
            from_appendix2(fate),
            a2.count(fate),
            "{fate:?} in Appendix 2"
        );
    }
    assert_eq!(
        Fate::ALL
            .iter()
            .filter(|f| **f != Fate::New)
            .map(|f| a2.count(*f))
            .sum::<usize>(),
        c.rows().count(),
        "every action of the year has one fate"
    );
    assert!(a2.summary.contains(&format!(
        "{} completed, {} carried forward, {} renumbered and {} dropped",
        a2.count(Fate::Completed),
        a2.count(Fate::CarriedForward),
        a2.count(Fate::Renumbered),
        a2.count(Fate::Dropped)
    )));

    // Each format: the cover and Appendix 2 give the counts in the same
    // words, and the tables hold as many of each fate.
    let html = report::html(c).unwrap();
    assert_eq!(
        html.matches(&escaped(&a2.summary)).count(),
        2,
        "cover and Appendix 2"
    );
    for fate in Fate::ALL {
        assert!(
            html.contains(&escaped(fate.definition())),
            "{fate:?} defined"
        );
        let cells = match fate {
            Fate::Completed | Fate::Dropped => {
                html.matches(&format!("<td class=\"outcome\">{}", fate.label()))
                    .count()
                    + html
                        .matches(&format!("<td class=\"fate\">{}<", fate.label()))
                        .count()
            }
            Fate::New => html
                .matches(&format!("<td class=\"change\">{}<", fate.label()))
                .count(),
            _ => {
                html.matches(&format!("<td class=\"change\">{}", fate.label()))
                    .count()
                    + html
                        .matches(&format!("<td class=\"fate\">{}", fate.label()))
                        .count()
            }
        };
        let twice = if fate == Fate::New { 1 } else { 2 };
        assert_eq!(cells, twice * a2.count(fate), "{fate:?} in the HTML");
    }

    let pdf = pdf_text(&report::render(c, report::Format::Pdf).unwrap());
    assert_eq!(pdf.matches(&a2.summary).count(), 2, "cover and Appendix 2");
    for fate in Fate::ALL {
        assert!(
            pdf.contains(fate.definition()),
            "{fate:?} defined in the PDF"
        );
    }

    let docx = report::render(c, report::Format::Docx).unwrap();
    let xml = zipped(&docx, "word/document.xml");
    let text = docx_text(&xml);
    assert_eq!(text.matches(&a2.summary).count(), 2, "cover and Appendix 2");
    // Each fate's cells, besides its row of the table of terms.
    let cells = docx_cells(&xml);
    for fate in [Fate::Completed, Fate::Dropped] {
        assert_eq!(
            cells.iter().filter(|t| *t == fate.label()).count(),
            2 * a2.count(fate) + 1,
            "{fate:?} in Appendix 1 and the ended list of the Word document"
        );
    }
    for fate in [Fate::CarriedForward, Fate::Renumbered] {
        assert_eq!(
            cells.iter().filter(|t| t.starts_with(fate.label())).count(),
            2 * a2.count(fate) + 1,
            "{fate:?} in both appendices of the Word document"
        );
    }
    assert_eq!(
        cells.iter().filter(|t| *t == "New").count(),
        a2.count(Fate::New) + 1
    );

    let xlsx = report::render(c, report::Format::Xlsx).unwrap();
    let summary = xlsx_rows(&xlsx, "Summary");
    assert!(summary.iter().any(|r| r.contains(&a2.summary)));
    let one = xlsx_rows(&xlsx, "Appendix 1");
    let two = xlsx_rows(&xlsx, "Appendix 2");
    let gone = xlsx_rows(&xlsx, "Not carried forward");
    let (fate_col, change, outcome) = (
        column(&one, &c.fate_heading()),
        column(&two, "Change"),
        column(&gone, "Outcome"),
    );
    for fate in Fate::ALL {
        let in_one = one[1..]
            .iter()
            .filter(|r| r[fate_col] == fate.label())
            .count();
        let in_two = two[1..]
            .iter()
            .filter(|r| r[change] == fate.label())
            .count();
        let in_gone = gone[1..]
            .iter()
            .filter(|r| r[outcome] == fate.label())
            .count();
        let (a, b) = match fate {
            Fate::Completed | Fate::Dropped => (in_one, in_gone),
            Fate::New => (in_two, in_two),
            _ => (in_one, in_two),
        };
        assert_eq!(
            (a, b),
            (a2.count(fate), a2.count(fate)),
            "{fate:?} in Excel"
        );
    }
    assert_eq!(two[0][..c.levels.len()], c.levels[..]);
}

/// The same data gives the same bytes in every format: nothing in a file
/// depends on when it was made.
#[tokio::test]
async fn rendering_twice_gives_identical_bytes() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let c = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    for format in report::Format::ALL {
        let first = report::render(&c, format).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = report::render(&c, format).unwrap();
        assert!(first == second, "{format} differs between two renderings");
    }
}

/// A pack's data version, stored as JSON when it is published, renders
/// again into the very same bytes in every format.
#[tokio::test]
async fn the_data_version_renders_the_same_files() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let c = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    let published = report::render_all(&c).unwrap();
    assert_eq!(
        published.files.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        report::Format::ALL
    );
    let again = report::Contents::from_data(&published.data).unwrap();
    assert_eq!(again.to_data().unwrap(), published.data);
    for (format, bytes) in &published.files {
        assert!(
            report::render(&again, *format).unwrap() == *bytes,
            "{format} differs when rendered from the data version"
        );
    }
}

/// The cover a committee expects, in every format.
#[tokio::test]
async fn the_cover_gives_context_key_and_achievements() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let h1 = pack_contents(&store, "2022/23", Half::H1, "ACH22-038").await;
    let h2 = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;

    assert!(
        h1.context[0].contains("Making Bromley Even Better"),
        "{:?}",
        h1.context
    );
    assert!(!h1.ambitions.is_empty());
    assert!(h1.risks.contains("at risk"), "{}", h1.risks);
    assert!(
        !h1.illustrative.is_empty(),
        "the Bromley example has illustrative records"
    );
    // Every completed action is a key achievement at year end.
    let completed: Vec<&str> = h2
        .rows()
        .filter(|r| r.status == "Complete")
        .map(|r| r.reference.as_str())
        .collect();
    let achieved: Vec<&str> = h2
        .achievements
        .iter()
        .flat_map(|a| a.items.iter().map(|i| i.reference.as_str()))
        .collect();
    assert!(completed.len() > 1);
    for r in &completed {
        assert!(achieved.contains(r), "{r} is a key achievement");
    }
    // No earlier period for the first half: the column is left out.
    assert!(!h1.show_change && h2.show_change);

    let raw = report::html(&h1).unwrap();
    assert!(raw.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    let html = raw.replace("&#39;", "'").replace("&#38;", "&");
    let pdf = pdf_text(&report::render(&h1, report::Format::Pdf).unwrap());
    let docx = docx_text(&zipped(
        &report::render(&h1, report::Format::Docx).unwrap(),
        "word/document.xml",
    ));
    let xlsx = report::render(&h1, report::Format::Xlsx).unwrap();
    let summary: String = xlsx_rows(&xlsx, "Summary")
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    for (name, text) in [
        ("HTML", &html),
        ("PDF", &pdf),
        ("Word", &docx),
        ("Excel", &summary),
    ] {
        for s in domain::Status::ALL {
            assert!(text.contains(s.definition()), "{name}: {s:?} defined");
        }
        assert!(text.contains(&h1.context[0]), "{name}: context");
        assert!(text.contains(&h1.risks), "{name}: at risk and off track");
        assert!(text.contains(&h1.illustrative), "{name}: illustrative");
        assert!(
            !text.contains("Since the last period"),
            "{name}: no change column in a first half"
        );
    }
    assert!(
        xlsx_rows(&xlsx, "Appendix 1")[0]
            .iter()
            .all(|h| h != "Since the last period")
    );
    let html2 = report::html(&h2).unwrap();
    assert!(html2.contains("Since the last period"));
    for r in &completed {
        assert!(html2.contains(&format!("<li><strong>{r} ")), "{r} listed");
    }
}

/// The Word document's parts: properties from the data, lists from
/// numbering definitions, repeating header rows, rows kept whole, a
/// portrait and a landscape section with footers, the chart as PNG with
/// alt text, every part deflated.
#[tokio::test]
async fn the_word_document_is_ready_to_publish() {
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    demo::load_committee_record(&store).await.unwrap();
    let c = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    let docx = report::render(&c, report::Format::Docx).unwrap();

    let core = zipped(&docx, "docProps/core.xml");
    assert!(core.contains(&format!("<dc:title>{}</dc:title>", c.full_title())));
    assert!(core.contains("<dc:creator>Assistant Director for Strategy, Performance and Corporate Transformation</dc:creator>"));
    assert!(core.contains("<dc:language>en-GB</dc:language>"));
    assert!(core.contains(&format!("{}T00:00:00Z</dcterms:created>", c.date)));
    assert_eq!(
        c.date, "2024-03-31",
        "the period's end when no meeting is set"
    );

    let xml = zipped(&docx, "word/document.xml");
    let numbered = xml.matches("<w:numId w:val=\"1\"/>").count();
    assert_eq!(numbered, c.recommendations.len(), "a numbered list");
    assert!(!xml.contains(">1. the progress"), "no typed numbers");
    assert!(xml.contains("<w:numId w:val=\"2\"/>"), "bulleted lists");
    assert!(zipped(&docx, "word/numbering.xml").contains("<w:numFmt w:val=\"decimal\"/>"));
    let tables = xml.matches("<w:tbl>").count();
    assert_eq!(xml.matches("<w:tblHeader/>").count(), tables);
    assert_eq!(
        xml.matches("<w:cantSplit/>").count(),
        xml.matches("<w:tr>").count(),
        "no row splits across pages"
    );
    let sections: Vec<&str> = xml.split("<w:sectPr>").skip(1).collect();
    assert_eq!(sections.len(), 2);
    assert!(!sections[0].contains("landscape") && sections[1].contains("w:orient=\"landscape\""));
    assert!(sections.iter().all(|s| s.contains("<w:footerReference")));
    let footer = zipped(&docx, "word/footer2.xml");
    assert!(footer.contains("ACH24-030: Adult Care and Health Portfolio Plan"));
    assert!(footer.contains(" PAGE ") && footer.contains(" NUMPAGES "));
    assert!(
        xml.contains(&format!("descr=\"{}: ", c.summary_rows[0].name)),
        "the chart's bars have alt text"
    );
    assert!(
        docx_headings(&xml, 5).len() > 1,
        "statements sit under priorities"
    );

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
    let mut images = 0;
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        if file.name().unwrap().ends_with(".png") {
            images += 1;
        } else {
            assert_eq!(
                file.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                file.name().unwrap()
            );
        }
    }
    assert_eq!(images, c.summary_rows.len());
}

/// Excel cells have types: dates are dates, percentages and figures
/// numbers; each appendix has its sheet; the sheets print landscape, one
/// page wide, with their header row on every page.
#[tokio::test]
async fn excel_cells_are_typed_and_sheets_print() {
    use calamine::{Data, Reader};
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    let c = pack_contents(&store, "2023/24", Half::H2, "ACH24-030").await;
    let bytes = report::render(&c, report::Format::Xlsx).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Appendix 1",
            "Measures",
            "Key achievements",
            "Appendix 2",
            "Not carried forward"
        ]
    );
    let one = book.worksheet_range("Appendix 1").unwrap();
    let header: Vec<String> = one
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (target, percent) = (at("Target date"), at("Percent complete"));
    let rows: Vec<&report::Row> = c.rows().collect();
    let mut dates = 0;
    for (cells, r) in one.rows().skip(1).zip(&rows) {
        match &cells[target] {
            Data::DateTime(d) => {
                dates += 1;
                let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
                    + chrono::Days::new(d.as_f64() as u64);
                assert_eq!(day.to_string(), r.due, "{}", r.reference);
            }
            Data::Empty => assert!(r.due.is_empty()),
            other => panic!("target date of {} is {other:?}", r.reference),
        }
        match (&cells[percent], r.percent) {
            (Data::Float(f), Some(p)) => assert!((f * 100.0 - f64::from(p)).abs() < 1e-9),
            (Data::Empty, None) => {}
            (other, p) => panic!("percent of {} is {other:?}, not {p:?}", r.reference),
        }
    }
    assert!(dates > 0);

    let measures = book.worksheet_range("Measures").unwrap();
    let header: Vec<String> = measures
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let (target, actual) = (
        header.iter().position(|h| h == "Target").unwrap(),
        header.iter().position(|h| h == "Actual").unwrap(),
    );
    let figures: Vec<&report::Figure> = rows.iter().flat_map(|r| &r.figures).collect();
    assert_eq!(
        measures.rows().count() - 1,
        figures.len(),
        "one row per measure"
    );
    let mut numbers = 0;
    for (cells, f) in measures.rows().skip(1).zip(&figures) {
        if let Some(t) = f.target {
            assert_eq!(cells[target], Data::Float(t));
            numbers += 1;
        }
        if let Some(a) = f.actual {
            assert_eq!(cells[actual], Data::Float(a));
        }
    }
    assert!(numbers > 0, "some measures have numeric targets");

    let achievements = book.worksheet_range("Key achievements").unwrap();
    assert_eq!(
        achievements.rows().count() - 1,
        c.achievements.iter().map(|a| a.items.len()).sum::<usize>()
    );

    for sheet in 2..=6 {
        let xml = zipped(&bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(xml.contains("orientation=\"landscape\""), "sheet {sheet}");
        assert!(
            xml.contains("fitToWidth=\"1\"") || xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "sheet {sheet}"
        );
        assert!(
            xml.contains("<pane ySplit=\"1\""),
            "sheet {sheet} freezes its header"
        );
    }
    let workbook = zipped(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "repeated title rows"
    );
    let core = zipped(&bytes, "docProps/core.xml");
    assert!(core.contains(&format!("{}T00:00:00Z", c.date)), "{core}");
    assert!(core.contains(&c.full_title()));
    let styles = zipped(&bytes, "xl/styles.xml");
    for k in &c.status_key {
        assert!(
            styles.contains(&k.colour.trim_start_matches('#').to_uppercase()),
            "{} has its colour",
            k.label
        );
    }
}

/// LibreOffice, run as `soffice`, when it is installed; a test needing
/// it skips only when it is missing and AMBIT_REQUIRE_LIBREOFFICE is unset.
fn soffice() -> Option<&'static str> {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("soffice");
    }
    assert!(
        std::env::var_os("AMBIT_REQUIRE_LIBREOFFICE").is_none(),
        "AMBIT_REQUIRE_LIBREOFFICE is set but soffice (Debian's libreoffice-writer-nogui) is not installed"
    );
    eprintln!(
        "skipped: soffice is not installed (Debian's libreoffice-writer-nogui; scripts/test installs it)"
    );
    None
}

/// The size of each page of a PDF, in points, as `pdfinfo` reads it.
fn page_sizes(pdf: &std::path::Path) -> Vec<(f64, f64)> {
    let pages: usize = String::from_utf8(
        std::process::Command::new("pdfinfo")
            .arg(pdf)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .find_map(|l| l.strip_prefix("Pages:"))
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    let out = std::process::Command::new("pdfinfo")
        .args(["-f", "1", "-l", &pages.to_string()])
        .arg(pdf)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let size = l.split(" size:").nth(1).unwrap();
            let n: Vec<&str> = size.split_whitespace().collect();
            (n[0].parse().unwrap(), n[2].parse().unwrap())
        })
        .collect()
}

/// The text of each page of a PDF.
fn page_texts(pdf: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .map(str::to_owned)
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// The Word document as LibreOffice prints it: a portrait cover, landscape
/// appendices, every page numbered "Page X of Y" with the report's title.
#[tokio::test]
async fn libreoffice_prints_the_word_document_as_published() {
    let Some(soffice) = soffice() else { return };
    let db = testkit::sqlite();
    let store = db.open().await;
    demo::load_bromley(&store).await.unwrap();
    for (year, half, reference) in [
        ("2022/23", Half::H1, "ACH22-038"),
        ("2023/24", Half::H2, "ACH24-030"),
    ] {
        let c = pack_contents(&store, year, half, reference).await;
        printed_as_published(soffice, &c);
    }
}

/// Print `c`'s Word document with LibreOffice and check what it prints:
/// portrait cover pages then landscape appendix pages, each footed with
/// the title and "Page X of Y", every status and the summary's headings
/// whole.
fn printed_as_published(soffice: &str, c: &Contents) {
    let reference = c.full_title();
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, report::render(c, report::Format::Docx).unwrap()).unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = dir.path().join("report.pdf");
    let sizes = page_sizes(&pdf);
    let pages = page_texts(&pdf);
    assert_eq!(sizes.len(), pages.len());
    let appendix = pages
        .iter()
        .position(|p| p.contains("Appendix 1: progress on the actions"))
        .expect("Appendix 1 is printed");
    assert!(appendix > 0);
    for (i, (w, h)) in sizes.iter().enumerate() {
        if i < appendix {
            assert!(
                w < h,
                "{reference}: page {} of the cover is portrait",
                i + 1
            );
        } else {
            assert!(
                w > h,
                "{reference}: page {} of the appendices is landscape",
                i + 1
            );
        }
    }
    let n = pages.len();
    let title_start: String = reference.chars().take(30).collect();
    for (i, p) in pages.iter().enumerate() {
        let flat = p.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("Page {} of {n}", i + 1)),
            "{reference}: page {} footer: {flat}",
            i + 1
        );
        assert!(flat.contains(&title_start), "{reference}: page {}", i + 1);
    }
    let all = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for r in c.rows() {
        assert!(all.contains(&r.status));
    }
    for word in ["Complete", "Deferred", "Not started", "No update"] {
        assert!(all.contains(word), "{word} whole in the summary");
    }
    for broken in ["Complet e", "Deferre d", "Not starte d", "updat e"] {
        assert!(
            !all.contains(broken),
            "{reference}: {broken:?} in {all:.3000}"
        );
    }
    if let Some(a2) = &c.appendix2 {
        assert!(all.contains(&a2.heading));
    }
}
