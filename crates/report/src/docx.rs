//! The pack as a Word document a clerk can still edit: real Word headings
//! (Heading 1–4, so the navigation pane and a table of contents work) and
//! real tables with a header row. Every text goes in as a text run, which
//! docx-rs escapes, so markup in commentary stays text.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, Shading, ShdType, Style,
    StyleType, Table, TableCell, TableRow, WidthType,
};

use crate::{Contents, ReportError};

pub mod matters;

/// Font sizes are in half-points.
const HEADINGS: [(usize, usize); 4] = [(1, 36), (2, 28), (3, 24), (4, 21)];

fn styles(doc: Docx) -> Docx {
    HEADINGS.into_iter().fold(doc, |doc, (level, size)| {
        doc.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .bold()
                .size(size)
                .outline_lvl(level - 1),
        )
    })
}

fn heading(level: usize, text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text))
        .style(&format!("Heading{level}"))
}

/// A paragraph of text; line breaks in the text stay line breaks.
fn text(text: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run)
}

fn cell(content: &str) -> TableCell {
    TableCell::new().add_paragraph(text(content))
}

fn cell_lines<S: AsRef<str>>(lines: &[S]) -> TableCell {
    lines
        .iter()
        .fold(TableCell::new(), |c, l| c.add_paragraph(text(l.as_ref())))
}

fn header_row(names: &[&str]) -> TableRow {
    TableRow::new(
        names
            .iter()
            .map(|n| {
                TableCell::new()
                    .shading(Shading::new().shd_type(ShdType::Clear).fill("F3F2F1"))
                    .add_paragraph(Paragraph::new().add_run(Run::new().add_text(*n).bold()))
            })
            .collect(),
    )
    .cant_split()
}

/// The width between the margins of an A4 page, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 2 * 850;

/// A table across the page, its columns in proportion to `weights`.
fn table(header: &[&str], weights: &[usize], rows: Vec<TableRow>) -> Table {
    let total: usize = weights.iter().sum();
    let mut all = vec![header_row(header)];
    all.extend(rows);
    Table::new(all)
        .width(5000, WidthType::Pct)
        .set_grid(weights.iter().map(|w| w * TEXT_WIDTH / total).collect())
}

/// The pack as a .docx file.
pub fn docx(c: &Contents) -> Result<Vec<u8>, ReportError> {
    let mut doc = styles(
        Docx::new()
            .page_size(11906, 16838)
            .page_margin(
                PageMargin::new()
                    .top(1000)
                    .bottom(1000)
                    .left(850)
                    .right(850),
            )
            .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
            .default_size(20),
    );
    doc = doc
        .add_paragraph(text(&c.body_name))
        .add_paragraph(heading(1, &c.title));
    for (label, value) in [
        ("Report", &c.reference),
        ("Committee", &c.committee),
        ("Meeting", &c.meeting),
        ("Author", &c.author),
    ] {
        if !value.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(format!("{label}: ")).bold())
                    .add_run(Run::new().add_text(value.as_str())),
            );
        }
    }

    doc = doc
        .add_paragraph(heading(2, "1. Purpose"))
        .add_paragraph(text(&c.purpose));
    if !c.summary.is_empty() {
        doc = doc.add_paragraph(text(&c.summary));
    }
    doc = doc
        .add_paragraph(heading(2, "2. Recommendation"))
        .add_paragraph(text("That:"));
    let n = c.recommendations.len();
    for (i, r) in c.recommendations.iter().enumerate() {
        let end = if i + 1 < n { "; and" } else { "." };
        doc = doc.add_paragraph(text(&format!("{}. {r}{end}", i + 1)));
    }

    doc = doc
        .add_paragraph(heading(2, "3. Progress"))
        .add_paragraph(text(&c.sentence))
        .add_paragraph(text(&format!("Actions by status: {}", c.chart_text)));
    let mut header: Vec<&str> = vec![""];
    header.extend(c.statuses.iter().map(String::as_str));
    header.extend(["No update", "Total"]);
    let rows = c
        .summary_rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                TableCell::new()
                    .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&r.name).bold())),
            ];
            cells.extend(r.counts.iter().chain([&r.no_update, &r.total]).map(|n| {
                TableCell::new().add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Right)
                        .add_run(Run::new().add_text(n.to_string())),
                )
            }));
            TableRow::new(cells)
        })
        .collect();
    let mut weights = vec![2];
    weights.extend(std::iter::repeat_n(1, header.len() - 1));
    doc = doc.add_table(table(&header, &weights, rows));

    if !c.achievements.is_empty() {
        doc = doc.add_paragraph(heading(2, "4. Key achievements"));
        for a in &c.achievements {
            doc = doc.add_paragraph(heading(3, &a.heading));
            for (reference, words) in &a.items {
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(format!("{reference}: ")).bold())
                        .add_run(Run::new().add_text(words.replace('\n', " "))),
                );
            }
        }
    }

    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_break(BreakType::Page))
            .add_run(Run::new().add_text("Appendix 1: progress on the actions"))
            .style("Heading2"),
    );
    for s in &c.sections {
        doc = doc.add_paragraph(heading(if s.depth == 0 { 3 } else { 4 }, &s.heading));
        if s.rows.is_empty() {
            continue;
        }
        let rows = s
            .rows
            .iter()
            .map(|r| {
                TableRow::new(vec![
                    TableCell::new().add_paragraph(
                        Paragraph::new().add_run(Run::new().add_text(&r.reference).bold()),
                    ),
                    cell_lines(&described(&r.title, &r.lead, &r.target)),
                    cell_lines(&r.measures),
                    TableCell::new().add_paragraph(
                        Paragraph::new()
                            .add_run(
                                Run::new()
                                    .add_text("■ ")
                                    .color(r.colour.trim_start_matches('#')),
                            )
                            .add_run(Run::new().add_text(&r.status)),
                    ),
                    cell(&r.commentary),
                    cell(&r.change),
                ])
            })
            .collect();
        doc = doc.add_table(table(
            &[
                "Ref",
                "Action, lead and target",
                "Measures of success",
                "Status",
                "Commentary",
                "Since the last period",
            ],
            &[5, 15, 15, 10, 24, 10],
            rows,
        ));
    }

    if let Some(a2) = &c.appendix2 {
        doc = doc
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_break(BreakType::Page))
                    .add_run(Run::new().add_text(&a2.heading))
                    .style("Heading2"),
            )
            .add_paragraph(text(&a2.summary));
        for g in &a2.groups {
            doc = doc.add_paragraph(heading(3, &g.heading));
            if g.rows.is_empty() {
                continue;
            }
            let rows = g
                .rows
                .iter()
                .map(|r| {
                    TableRow::new(vec![
                        TableCell::new().add_paragraph(
                            Paragraph::new().add_run(Run::new().add_text(&r.reference).bold()),
                        ),
                        cell_lines(&described(&r.title, &r.lead, &r.target)),
                        cell_lines(&r.measures),
                        cell(&r.change),
                    ])
                })
                .collect();
            doc = doc.add_table(table(
                &[
                    "Ref",
                    "Action, lead and target",
                    "Measures of success",
                    "Change",
                ],
                &[5, 20, 20, 10],
                rows,
            ));
        }
        if !a2.ended.is_empty() {
            doc = doc.add_paragraph(heading(3, "Actions not carried into the new plan"));
            for g in &a2.ended {
                doc = doc.add_paragraph(heading(4, &g.heading));
                let rows = g
                    .rows
                    .iter()
                    .map(|r| {
                        TableRow::new(vec![
                            TableCell::new().add_paragraph(
                                Paragraph::new().add_run(Run::new().add_text(&r.reference).bold()),
                            ),
                            cell(&r.title),
                            cell(&r.outcome),
                            cell(&r.why),
                        ])
                    })
                    .collect();
                doc = doc.add_table(table(
                    &["Ref", "Action", "Outcome", "Why"],
                    &[5, 20, 10, 20],
                    rows,
                ));
            }
        }
    }

    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// An action's title, lead and target as lines of one cell.
fn described(title: &str, lead: &str, target: &str) -> Vec<String> {
    let mut lines = vec![title.to_owned(), format!("Lead: {lead}")];
    if !target.is_empty() {
        lines.push(format!("Target: {target}"));
    }
    lines
}
