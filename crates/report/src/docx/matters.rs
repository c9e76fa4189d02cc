//! The matters-arising list a clerk puts on a committee's agenda: the
//! promises still open, each with its owner, when it is due, where it was
//! made and the action it concerns, as a Word document in the pack's style.

use std::io::Cursor;

use docx_rs::{Docx, PageMargin, Paragraph, RunFonts, TableRow};

use super::{cell, cell_lines, heading, styles, table, text};
use crate::ReportError;

/// The matters arising for one committee.
#[derive(Debug, Clone, Default)]
pub struct MattersArising {
    /// The body: "London Borough of Bromley".
    pub body: String,
    /// The committee.
    pub committee: String,
    /// When the list was made: "12 March 2025".
    pub made_on: String,
    /// What the list holds, in a sentence: "3 open promises, 2 of them overdue."
    pub summary: String,
    /// The promises, in the order listed.
    pub rows: Vec<Matter>,
}

/// One open promise on the list.
#[derive(Debug, Clone, Default)]
pub struct Matter {
    /// The promise as written.
    pub promise: String,
    /// Who promised it: "Not recorded" when the minutes do not say.
    pub owner: String,
    /// When it is due: "2023-03 (in March 2023)", or "No date set".
    pub due: String,
    /// "Open" or "Overdue".
    pub standing: String,
    /// Where it was made: "29 November 2022, item 7".
    pub made_at: String,
    /// The action it concerns: "10A: Develop a new support offer…"; empty when none.
    pub action: String,
}

/// The list as a .docx file: a heading, a sentence and one table.
pub fn matters_arising_docx(m: &MattersArising) -> Result<Vec<u8>, ReportError> {
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
        .add_paragraph(text(&m.body))
        .add_paragraph(heading(1, "Matters arising"))
        .add_paragraph(text(&m.committee))
        .add_paragraph(text(&format!("As at {}. {}", m.made_on, m.summary)));
    if m.rows.is_empty() {
        doc = doc
            .add_paragraph(Paragraph::new().add_run(
                docx_rs::Run::new().add_text("No promise made to the committee is open."),
            ));
    } else {
        let rows = m
            .rows
            .iter()
            .map(|r| {
                let mut promise = vec![r.promise.clone()];
                if !r.action.is_empty() {
                    promise.push(format!("Action {}", r.action));
                }
                TableRow::new(vec![
                    cell_lines(&promise),
                    cell(&r.owner),
                    cell(&r.due),
                    cell(&r.made_at),
                    cell(&r.standing),
                ])
                .cant_split()
            })
            .collect();
        doc = doc.add_table(table(
            &["Promise", "Owner", "Due", "Made at", "Status"],
            &[24, 12, 9, 10, 6],
            rows,
        ));
    }
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
