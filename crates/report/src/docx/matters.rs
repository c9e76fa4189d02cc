//! The matters-arising list a clerk puts on a committee's agenda: the
//! promises still open, each with its owner, when it is due, where it was
//! made and the action it concerns, as a Word document in the pack's style.

use super::{
    Body, Cell, PORTRAIT_WIDTH, Properties, header_widths, heading, package, para, table, text,
};
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
    /// The same day, the document's date in its properties.
    pub date: chrono::NaiveDate,
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

/// The list as a .docx file: a heading, a sentence and one table whose
/// header row repeats on each page and whose rows never split, in the
/// report packs' styles, dated by `m.date`.
pub fn matters_arising_docx(m: &MattersArising) -> Result<Vec<u8>, ReportError> {
    let mut xml = String::new();
    xml.push_str(&text(&m.body));
    xml.push_str(&heading(1, "Matters arising"));
    xml.push_str(&text(&m.committee));
    xml.push_str(&text(&format!("As at {}. {}", m.made_on, m.summary)));
    if m.rows.is_empty() {
        xml.push_str(&text("No promise made to the committee is open."));
    } else {
        let rows: Vec<Vec<Cell>> = m
            .rows
            .iter()
            .map(|r| {
                let mut promise = vec![r.promise.clone()];
                if !r.action.is_empty() {
                    promise.push(format!("Action {}", r.action));
                }
                vec![
                    Cell::lines(&promise, ""),
                    Cell::text(&r.owner),
                    Cell::text(&r.due),
                    Cell::text(&r.made_at),
                    Cell::text(&r.standing),
                ]
            })
            .collect();
        let header = ["Promise", "Owner", "Due", "Made at", "Status"];
        let w = header_widths(PORTRAIT_WIDTH, &header, rows.iter().map(Vec::as_slice));
        table(&mut xml, &w, &header, &rows);
    }
    xml.push_str(&para("", ""));
    package(
        &Properties {
            title: format!("Matters arising: {}", m.committee),
            subject: m.summary.clone(),
            creator: m.body.clone(),
            keywords: "matters arising".into(),
            company: m.body.clone(),
            date: m.date.to_string(),
        },
        Body {
            xml,
            images: Vec::new(),
        },
        false,
    )
}
