//! The pack as a Word document a clerk can publish unchanged: a portrait
//! cover and landscape appendices (two sections), Word's own heading
//! styles (so the navigation pane and a table of contents work), numbered
//! and bulleted lists from numbering definitions, tables whose header rows
//! repeat and whose rows never split across pages, with columns sized to
//! their content, a footer with the reference, title and "Page X of Y",
//! the status chart as PNG images with alt text, and the document's title,
//! author, date and language (en-GB) in its properties.
//!
//! The WordprocessingML is written here directly: every text goes through
//! [`esc`], so markup in commentary stays text, and nothing depends on the
//! time or a random number, so the same contents always give the same
//! bytes. The parts are deflated into the zip.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::contents::Fate;
use crate::{Contents, ReportError, chart};

pub mod matters;

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// The left and right margins.
const SIDE_MARGIN: u32 = 850;
/// The top and bottom margins.
const END_MARGIN: u32 = 1000;
/// The text width of a portrait page.
const PORTRAIT_WIDTH: u32 = A4.0 - 2 * SIDE_MARGIN;
/// The text width of a landscape page.
const LANDSCAPE_WIDTH: u32 = A4.1 - 2 * SIDE_MARGIN;
/// A cell's left and right padding.
const CELL_PAD: u32 = 85;
/// The width of an average character of 9pt Arial (the tables' size).
const CHAR: u32 = 95;
/// The width a word's characters may need at most on average, in bold
/// and with wide letters ("Complete" in bold 9pt Arial is 41pt wide).
const WORD_CHAR: u32 = 125;
/// The numbering definition of numbered lists.
const NUMBERED: u32 = 1;
/// The numbering definition of bulleted lists.
const BULLETED: u32 = 2;
/// The size of a bar of the chart, in pixels and in EMU (1 cm = 360 000).
const BAR_PX: (u32, u32) = (600, 40);
const BAR_EMU: (u32, u32) = (3_960_000, 264_000);

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Text made safe for XML: escaped, and without the characters XML 1.0 forbids.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A run of text in the given run properties (may be empty); line breaks
/// in the text stay line breaks.
fn run(text: &str, props: &str) -> String {
    let mut out = String::from("<w:r>");
    if !props.is_empty() {
        let _ = write!(out, "<w:rPr>{props}</w:rPr>");
    }
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        let _ = write!(out, "<w:t xml:space=\"preserve\">{}</w:t>", esc(line));
    }
    out.push_str("</w:r>");
    out
}

const BOLD: &str = "<w:b/>";

/// A paragraph of runs with the given paragraph properties.
fn para(props: &str, runs: &str) -> String {
    if props.is_empty() {
        format!("<w:p>{runs}</w:p>")
    } else {
        format!("<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>")
    }
}

fn text(t: &str) -> String {
    para("", &run(t, ""))
}

fn heading(level: usize, t: &str) -> String {
    para(
        &format!("<w:pStyle w:val=\"Heading{level}\"/>"),
        &run(t, ""),
    )
}

/// A heading that starts a new page.
fn heading_on_new_page(level: usize, t: &str) -> String {
    para(
        &format!("<w:pStyle w:val=\"Heading{level}\"/><w:pageBreakBefore/>"),
        &run(t, ""),
    )
}

/// An item of a numbered or bulleted list.
fn list_item(numbering: u32, runs: &str) -> String {
    para(
        &format!(
            "<w:pStyle w:val=\"ListParagraph\"/><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{numbering}\"/></w:numPr>"
        ),
        runs,
    )
}

/// One cell of a table: its paragraphs, its plain text (for sizing the
/// column) and its shading.
struct Cell {
    paragraphs: String,
    plain: String,
    fill: Option<String>,
}

impl Cell {
    /// A cell of text, one paragraph per line of `lines`.
    fn lines<S: AsRef<str>>(lines: &[S], props: &str) -> Cell {
        Cell {
            paragraphs: if lines.is_empty() {
                para("", "")
            } else {
                lines
                    .iter()
                    .map(|l| para("", &run(l.as_ref(), props)))
                    .collect()
            },
            plain: lines
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join("\n"),
            fill: None,
        }
    }

    fn text(t: &str) -> Cell {
        Cell::lines(&[t], "")
    }

    fn bold(t: &str) -> Cell {
        Cell::lines(&[t], BOLD)
    }

    /// A number, right-aligned.
    fn number(n: impl ToString) -> Cell {
        let n = n.to_string();
        Cell {
            paragraphs: para("<w:jc w:val=\"right\"/>", &run(&n, "")),
            plain: n,
            fill: None,
        }
    }

    /// Text on a coloured ground, in the colour that contrasts with it.
    fn coloured(t: &str, fill: &str, colour: &str) -> Cell {
        Cell {
            fill: Some(fill.trim_start_matches('#').to_owned()),
            ..Cell::lines(
                &[t],
                &format!("<w:color w:val=\"{}\"/>", colour.trim_start_matches('#')),
            )
        }
    }
}

/// Column widths that fit the content in `total` twips: every column at
/// least as wide as its longest word (so no word breaks while the page has
/// room), and the rest shared out by how much text each column holds.
fn widths<'a>(total: u32, columns: usize, cells: impl IntoIterator<Item = &'a [Cell]>) -> Vec<u32> {
    let mut word = vec![0u32; columns];
    let mut line = vec![0u32; columns];
    let mut chars = vec![0u64; columns];
    let mut rows = 0u64;
    for row in cells {
        rows += 1;
        for (c, cell) in row.iter().enumerate().take(columns) {
            let longest_word = cell
                .plain
                .split_whitespace()
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0) as u32;
            let longest_line = cell
                .plain
                .lines()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0) as u32;
            word[c] = word[c].max(longest_word);
            line[c] = line[c].max(longest_line);
            chars[c] += cell.plain.chars().count() as u64;
        }
    }
    let min: Vec<u32> = word.iter().map(|w| w * WORD_CHAR + 2 * CELL_PAD).collect();
    // What a column would like: its longest line, or for long text the
    // width that keeps its average cell to a few lines.
    let want: Vec<u32> = (0..columns)
        .map(|c| {
            let average = (chars[c] / rows.max(1)) as u32;
            (line[c].min(average.max(word[c]) / 2 + 20) * CHAR + 2 * CELL_PAD).max(min[c])
        })
        .collect();
    let sum_min: u32 = min.iter().sum();
    let sum_want: u32 = want.iter().sum();
    if sum_min >= total {
        return min.iter().map(|m| m * total / sum_min.max(1)).collect();
    }
    if sum_want <= total {
        let spare = total - sum_want;
        return want
            .iter()
            .map(|w| w + spare * w / sum_want.max(1))
            .collect();
    }
    let spare = total - sum_min;
    let extra: u32 = sum_want - sum_min;
    min.iter()
        .zip(&want)
        .map(|(m, w)| m + spare * (w - m) / extra.max(1))
        .collect()
}

/// Column widths (see [`widths`]) of a table with `header` over `rows`.
fn header_widths<'a>(
    total: u32,
    header: &[&str],
    rows: impl IntoIterator<Item = &'a [Cell]>,
) -> Vec<u32> {
    let head: Vec<Cell> = header.iter().map(|h| Cell::bold(h)).collect();
    let rows: Vec<&[Cell]> = rows.into_iter().collect();
    widths(
        total,
        header.len(),
        std::iter::once(head.as_slice()).chain(rows.iter().copied()),
    )
}

/// A table across the text width, its first row a header that repeats on
/// every page; no row splits across pages.
fn table(out: &mut String, widths: &[u32], header: &[&str], rows: &[Vec<Cell>]) {
    let total: u32 = widths.iter().sum();
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"ReportTable\"/><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
    );
    for w in widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (name, w) in header.iter().zip(widths) {
        let _ = write!(
            out,
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F3F2F1\"/></w:tcPr>{}</w:tc>",
            para("<w:keepNext/>", &run(name, BOLD))
        );
    }
    out.push_str("</w:tr>");
    for row in rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (cell, w) in row.iter().zip(widths) {
            let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if let Some(fill) = &cell.fill {
                let _ = write!(
                    out,
                    "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\"/>"
                );
            }
            let _ = write!(out, "</w:tcPr>{}</w:tc>", cell.paragraphs);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    // Word needs a paragraph between two tables, or it joins them.
    out.push_str(&para("<w:spacing w:before=\"0\" w:after=\"0\"/>", ""));
}

/// The section properties of a page: portrait or landscape, with its footer.
fn section(landscape: bool) -> String {
    let (w, h, footer) = if landscape {
        (A4.1, A4.0, "rIdFooterLandscape")
    } else {
        (A4.0, A4.1, "rIdFooterPortrait")
    };
    format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"{footer}\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{}/><w:pgMar w:top=\"{END_MARGIN}\" w:right=\"{SIDE_MARGIN}\" w:bottom=\"{END_MARGIN}\" w:left=\"{SIDE_MARGIN}\" w:header=\"500\" w:footer=\"500\" w:gutter=\"0\"/></w:sectPr>",
        if landscape {
            " w:orient=\"landscape\""
        } else {
            ""
        }
    )
}

/// A footer: the reference and title, and "Page X of Y" at the right edge.
fn footer(title: &str, width: u32) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">{}</w:ftr>",
        para(
            &format!(
                "<w:pStyle w:val=\"Footer\"/><w:tabs><w:tab w:val=\"right\" w:pos=\"{width}\"/></w:tabs>"
            ),
            &format!(
                "{}<w:r><w:tab/><w:t xml:space=\"preserve\">Page </w:t></w:r><w:fldSimple w:instr=\" PAGE \"><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space=\"preserve\"> of </w:t></w:r><w:fldSimple w:instr=\" NUMPAGES \"><w:r><w:t>1</w:t></w:r></w:fldSimple>",
                run(title, "")
            )
        )
    )
}

/// An inline picture with its alt text.
fn picture(id: usize, name: &str, alt: &str, (cx, cy): (u32, u32)) -> String {
    let alt = esc(alt);
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{id}\" name=\"{name}\" descr=\"{alt}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"{name}\" descr=\"{alt}\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdImage{id}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
}

/// A status's colour as a square before its name: "■ On track".
fn swatch(label: &str, colour: &str) -> String {
    format!(
        "{}{}",
        run(
            "■ ",
            &format!("<w:color w:val=\"{}\"/>", colour.trim_start_matches('#'))
        ),
        run(label, "")
    )
}

/// An action's title, lead and target as lines of one cell.
fn described(title: &str, lead: &str, target: &str) -> Vec<String> {
    let mut lines = vec![title.to_owned(), format!("Lead: {lead}")];
    if !target.is_empty() {
        lines.push(format!("Target: {target}"));
    }
    lines
}

/// The document's body and its pictures.
struct Body {
    xml: String,
    images: Vec<Vec<u8>>,
}

fn cover(c: &Contents, b: &mut Body) -> Result<(), ReportError> {
    let x = &mut b.xml;
    x.push_str(&text(&c.body_name));
    x.push_str(&heading(1, &c.title));
    for (label, value) in [
        ("Report", &c.reference),
        ("Committee", &c.committee),
        ("Meeting", &c.meeting),
        ("Author", &c.author),
        ("Contact officer", &c.contact),
    ] {
        if !value.is_empty() {
            x.push_str(&para(
                "",
                &format!("{}{}", run(&format!("{label}: "), BOLD), run(value, "")),
            ));
        }
    }
    if !c.illustrative.is_empty() {
        x.push_str(&para(
            "<w:pBdr><w:top w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"0B0C0C\"/><w:left w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"0B0C0C\"/><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"0B0C0C\"/><w:right w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"0B0C0C\"/></w:pBdr>",
            &run(&c.illustrative, BOLD),
        ));
    }

    x.push_str(&heading(2, "1. Purpose"));
    x.push_str(&text(&c.purpose));
    if !c.summary.is_empty() {
        x.push_str(&text(&c.summary));
    }
    x.push_str(&heading(2, "2. Recommendation"));
    x.push_str(&para("<w:keepNext/>", &run("That:", "")));
    let n = c.recommendations.len();
    for (i, r) in c.recommendations.iter().enumerate() {
        let end = if i + 1 < n { "; and" } else { "." };
        x.push_str(&list_item(NUMBERED, &run(&format!("{r}{end}"), "")));
    }

    x.push_str(&heading(2, "3. Context"));
    for (i, p) in c.context.iter().enumerate() {
        x.push_str(&text(p));
        // The ambitions the first paragraph introduces.
        if i == 0 {
            for a in &c.ambitions {
                x.push_str(&list_item(BULLETED, &run(a, "")));
            }
        }
    }

    x.push_str(&heading(2, "4. Progress"));
    x.push_str(&text(&c.sentence));
    x.push_str(&text(&c.risks));
    // The chart: one bar per ambition, its name beside it.
    x.push_str(&para(
        "<w:keepNext/>",
        &run("Figure 1: actions by status in each ambition", BOLD),
    ));
    let mut bars = Vec::new();
    for r in &c.summary_rows {
        let png = chart::status_bar_png(&r.counts, r.no_update, BAR_PX.0, BAR_PX.1)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        b.images.push(png);
        let id = b.images.len();
        let words: Vec<String> = c
            .statuses
            .iter()
            .zip(&r.counts)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| format!("{n} {}", s.to_lowercase()))
            .chain((r.no_update > 0).then(|| format!("{} no update", r.no_update)))
            .collect();
        let alt = format!(
            "{}: {} of {} actions",
            r.name,
            if words.is_empty() {
                "none".to_owned()
            } else {
                words.join(", ")
            },
            r.total
        );
        bars.push(vec![
            Cell::bold(&r.name),
            Cell {
                paragraphs: para("", &picture(id, &format!("Chart {id}"), &alt, BAR_EMU)),
                plain: String::new(),
                fill: None,
            },
        ]);
    }
    let x = &mut b.xml;
    let name_width = PORTRAIT_WIDTH - BAR_EMU.0 / 635 - 2 * CELL_PAD;
    table(
        x,
        &[name_width, PORTRAIT_WIDTH - name_width],
        &["", "Actions by status"],
        &bars,
    );
    let legend: Vec<String> = c
        .status_key
        .iter()
        .map(|k| swatch(&k.label, &k.colour))
        .chain(std::iter::once(swatch("No update", "#ffffff")))
        .collect();
    x.push_str(&para(
        "",
        &format!("{}{}", run("Key: ", BOLD), legend.join(&run("   ", ""))),
    ));
    x.push_str(&para(
        "<w:keepNext/>",
        &run("Table 1: the figures of the chart", BOLD),
    ));
    let mut header: Vec<&str> = vec![""];
    header.extend(c.statuses.iter().map(String::as_str));
    header.extend(["No update", "Total"]);
    let rows: Vec<Vec<Cell>> = c
        .summary_rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::bold(&r.name)];
            cells.extend(
                r.counts
                    .iter()
                    .chain([&r.no_update, &r.total])
                    .map(Cell::number),
            );
            cells
        })
        .collect();
    let w = header_widths(PORTRAIT_WIDTH, &header, rows.iter().map(Vec::as_slice));
    table(x, &w, &header, &rows);
    x.push_str(&para("<w:keepNext/>", &run("What each status means", BOLD)));
    let key: Vec<Vec<Cell>> = c
        .status_key
        .iter()
        .map(|k| {
            vec![
                Cell::coloured(&k.label, &k.colour, &k.text_colour),
                Cell::text(&k.definition),
            ]
        })
        .collect();
    let w = widths(PORTRAIT_WIDTH, 2, key.iter().map(Vec::as_slice));
    table(x, &w, &["Status", "Meaning"], &key);

    if !c.achievements.is_empty() {
        x.push_str(&heading(2, "5. Key achievements"));
        for a in &c.achievements {
            x.push_str(&heading(3, &a.heading));
            for item in &a.items {
                x.push_str(&list_item(
                    BULLETED,
                    &format!(
                        "{}{}",
                        run(
                            &format!("{} {} ({}): ", item.reference, item.title, item.why),
                            BOLD
                        ),
                        run(&item.words, "")
                    ),
                ));
            }
        }
    }
    if let Some(a2) = &c.appendix2 {
        x.push_str(&heading(
            2,
            &format!(
                "{}. The refreshed plan for {}",
                if c.achievements.is_empty() { 5 } else { 6 },
                a2.to
            ),
        ));
        x.push_str(&text(&a2.summary));
        x.push_str(&text(
            "Appendix 2 defines each of these terms and lists every action.",
        ));
    }
    Ok(())
}

fn appendix1(c: &Contents, x: &mut String) {
    x.push_str(&heading(2, "Appendix 1: progress on the actions"));
    let mut header = vec![
        "Ref",
        "Action, lead and target",
        "Measures of success",
        "Status",
        "Commentary",
    ];
    if c.show_change {
        header.push("Since the last period");
    }
    let fate_heading = c.fate_heading();
    if c.appendix2.is_some() {
        header.push(&fate_heading);
    }
    let tables: Vec<Vec<Vec<Cell>>> = c
        .sections
        .iter()
        .map(|s| {
            s.rows
                .iter()
                .map(|r| {
                    let mut cells = vec![
                        Cell::bold(&r.reference),
                        Cell::lines(&described(&r.title, &r.lead, &r.target), ""),
                        Cell::lines(&r.measures, ""),
                        Cell::coloured(&r.status, &r.colour, &r.text_colour),
                        Cell::text(&r.commentary),
                    ];
                    if c.show_change {
                        cells.push(Cell::text(&r.change));
                    }
                    if c.appendix2.is_some() {
                        cells.push(Cell::text(&fate_words(&r.fate, &r.renumbered_to)));
                    }
                    cells
                })
                .collect()
        })
        .collect();
    let w = header_widths(
        LANDSCAPE_WIDTH,
        &header,
        tables.iter().flat_map(|t| t.iter().map(Vec::as_slice)),
    );
    for (s, rows) in c.sections.iter().zip(&tables) {
        x.push_str(&heading(3 + s.depth.min(3), &s.heading));
        if !rows.is_empty() {
            table(x, &w, &header, rows);
        }
    }
}

/// "Renumbered (now 6D)", or the fate's label.
fn fate_words(fate: &str, to: &str) -> String {
    if to.is_empty() {
        fate.to_owned()
    } else {
        format!("{fate} (now {to})")
    }
}

fn appendix2(c: &Contents, x: &mut String) {
    let Some(a2) = &c.appendix2 else {
        return;
    };
    x.push_str(&heading_on_new_page(2, &a2.heading));
    x.push_str(&text(&a2.summary));
    x.push_str(&para("<w:keepNext/>", &run("What the terms mean", BOLD)));
    let terms: Vec<Vec<Cell>> = a2
        .counts
        .iter()
        .map(|f| {
            vec![
                Cell::bold(&f.label),
                Cell::text(&f.definition),
                Cell::number(f.count),
            ]
        })
        .collect();
    let w = widths(LANDSCAPE_WIDTH, 3, terms.iter().map(Vec::as_slice));
    table(x, &w, &["Term", "Meaning", "Actions"], &terms);

    let header = [
        "Ref",
        "Action, lead and target",
        "Measures of success",
        "Change",
    ];
    let tables: Vec<Vec<Vec<Cell>>> = a2
        .sections
        .iter()
        .map(|s| {
            s.rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::bold(&r.reference),
                        Cell::lines(&described(&r.title, &r.lead, &r.target), ""),
                        Cell::lines(&r.measures, ""),
                        Cell::text(&if r.was.is_empty() {
                            r.change.clone()
                        } else {
                            format!("{} (was {})", r.change, r.was)
                        }),
                    ]
                })
                .collect()
        })
        .collect();
    let w = header_widths(
        LANDSCAPE_WIDTH,
        &header,
        tables.iter().flat_map(|t| t.iter().map(Vec::as_slice)),
    );
    for (s, rows) in a2.sections.iter().zip(&tables) {
        x.push_str(&heading(3 + s.depth.min(3), &s.heading));
        if !rows.is_empty() {
            table(x, &w, &header, rows);
        }
    }

    if a2.ended.is_empty() {
        return;
    }
    x.push_str(&heading(
        3,
        &format!(
            "Actions not carried into the new plan ({} and {})",
            Fate::Completed.label().to_lowercase(),
            Fate::Dropped.label().to_lowercase()
        ),
    ));
    let header = ["Ref", "Action", "Outcome", "Why"];
    let tables: Vec<Vec<Vec<Cell>>> = a2
        .ended
        .iter()
        .map(|s| {
            s.rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::bold(&r.reference),
                        Cell::text(&r.title),
                        Cell::text(&r.outcome),
                        Cell::text(&r.why),
                    ]
                })
                .collect()
        })
        .collect();
    let w = header_widths(
        LANDSCAPE_WIDTH,
        &header,
        tables.iter().flat_map(|t| t.iter().map(Vec::as_slice)),
    );
    for (s, rows) in a2.ended.iter().zip(&tables) {
        x.push_str(&heading(4 + s.depth.min(2), &s.heading));
        if !rows.is_empty() {
            table(x, &w, &header, rows);
        }
    }
}

/// The pack as a .docx file.
pub fn docx(c: &Contents) -> Result<Vec<u8>, ReportError> {
    let mut body = Body {
        xml: String::new(),
        images: Vec::new(),
    };
    cover(c, &mut body)?;
    // The cover's section ends with its last paragraph: portrait.
    body.xml.push_str(&para(&section(false), ""));
    appendix1(c, &mut body.xml);
    appendix2(c, &mut body.xml);
    package(
        &Properties {
            title: c.full_title(),
            subject: c.purpose.clone(),
            creator: c.creator().to_owned(),
            keywords: c.reference.clone(),
            company: c.body_name.clone(),
            date: c.date.to_string(),
        },
        body,
        true,
    )
}

/// What a document says of itself (its core and extended properties).
struct Properties {
    title: String,
    subject: String,
    creator: String,
    keywords: String,
    company: String,
    /// The day it is dated, as YYYY-MM-DD: from the data, never the clock.
    date: String,
}

/// A whole .docx file: `body` and its images, the last section landscape
/// or portrait, with the styles, lists, footers and `props`.
fn package(props: &Properties, body: Body, landscape: bool) -> Result<Vec<u8>, ReportError> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>{}{}</w:body></w:document>",
        body.xml,
        section(landscape)
    );
    let title = &props.title;
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rIdNumbering\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/><Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/><Relationship Id=\"rIdFooterPortrait\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/><Relationship Id=\"rIdFooterLandscape\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>",
    );
    for i in 1..=body.images.len() {
        let _ = write!(
            rels,
            "<Relationship Id=\"rIdImage{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/chart{i}.png\"/>"
        );
    }
    rels.push_str("</Relationships>");

    let created = format!("{}T00:00:00Z", props.date);
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><cp:lastModifiedBy>{}</cp:lastModifiedBy><cp:keywords>{}</cp:keywords><dc:language>en-GB</dc:language><dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:modified></cp:coreProperties>",
        esc(title),
        esc(&props.subject),
        esc(&props.creator),
        esc(&props.creator),
        esc(&props.keywords),
    );
    let app = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>Ambit</Application><Company>{}</Company></Properties>",
        esc(&props.company)
    );

    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("docProps/core.xml".into(), core.into_bytes()),
        ("docProps/app.xml".into(), app.into_bytes()),
        ("word/document.xml".into(), document.into_bytes()),
        ("word/_rels/document.xml.rels".into(), rels.into_bytes()),
        ("word/styles.xml".into(), styles().into_bytes()),
        ("word/numbering.xml".into(), NUMBERING.into()),
        ("word/settings.xml".into(), SETTINGS.into()),
        (
            "word/footer1.xml".into(),
            footer(title, PORTRAIT_WIDTH).into_bytes(),
        ),
        (
            "word/footer2.xml".into(),
            footer(title, LANDSCAPE_WIDTH).into_bytes(),
        ),
    ];
    for (i, png) in body.images.into_iter().enumerate() {
        parts.push((format!("word/media/chart{}.png", i + 1), png));
    }
    pack(parts).map_err(|e| ReportError::Docx(e.to_string()))
}

/// The parts as a zip archive, deflated, every entry dated 1980-01-01 so
/// that the bytes depend on the contents alone.
fn pack(parts: Vec<(String, Vec<u8>)>) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in parts {
        // PNG is compressed already.
        let options = if name.ends_with(".png") {
            options.compression_method(CompressionMethod::Stored)
        } else {
            options
        };
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat><w:themeFontLang w:val=\"en-GB\"/></w:settings>";

/// Numbered lists ("1.", "2.") and bulleted lists ("•").
const NUMBERING: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"567\" w:hanging=\"397\"/></w:pPr></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId=\"1\"><w:multiLevelType w:val=\"singleLevel\"/><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\u{2022}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"567\" w:hanging=\"397\"/></w:pPr><w:rPr><w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\"/></w:rPr></w:lvl></w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num><w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num></w:numbering>";

/// Word's built-in styles by their own names ("heading 1", so the
/// navigation pane finds them), in Arial with British English.
fn styles() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Arial\" w:eastAsia=\"Arial\" w:hAnsi=\"Arial\" w:cs=\"Arial\"/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/><w:lang w:val=\"en-GB\" w:eastAsia=\"en-GB\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after=\"120\" w:line=\"259\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
    );
    s.push_str("<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>");
    for (level, size) in [(1, 36), (2, 28), (3, 24), (4, 21), (5, 20), (6, 20)] {
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr></w:style>",
            level - 1
        );
    }
    s.push_str("<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"34\"/><w:qFormat/><w:pPr><w:spacing w:after=\"60\"/><w:ind w:left=\"567\"/></w:pPr></w:style>");
    s.push_str("<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr></w:style>");
    s.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");
    let _ = write!(
        s,
        "<w:style w:type=\"table\" w:styleId=\"ReportTable\"><w:name w:val=\"Report Table\"/><w:basedOn w:val=\"TableNormal\"/><w:pPr><w:spacing w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr><w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"B1B4B6\"/></w:tblBorders><w:tblCellMar><w:top w:w=\"40\" w:type=\"dxa\"/><w:left w:w=\"{CELL_PAD}\" w:type=\"dxa\"/><w:bottom w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"{CELL_PAD}\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    );
    s.push_str("</w:styles>");
    s
}
