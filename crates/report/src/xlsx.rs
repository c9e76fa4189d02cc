//! The pack as a spreadsheet: Appendix 1 as a filterable Excel table with
//! one row per action, and the cover's summary on a sheet of its own.
//! Every value is written as a string or number cell, never as a formula;
//! text that begins like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
//! return) also carries Excel's quote prefix, so it stays text even when
//! someone edits the cell or saves the sheet as CSV.

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, Table, TableColumn, Workbook, XlsxError,
};

use crate::{Contents, ReportError};

/// Excel refuses longer strings in a cell.
const CELL_CHARS: usize = 32_767;

/// Text that fits in one cell: over-long text is cut with a note saying so.
fn fit(text: &str) -> String {
    if text.chars().count() <= CELL_CHARS {
        return text.to_owned();
    }
    let note = " … (cut to fit one cell; the Word and PDF reports have it in full)";
    let mut kept: String = text
        .chars()
        .take(CELL_CHARS - note.chars().count())
        .collect();
    kept.push_str(note);
    kept
}

/// Whether a spreadsheet would take `text` for a formula if it were typed
/// in or read from CSV.
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `format`, or `quoted` (the same with a quote prefix) for text that looks
/// like a formula.
fn text_format<'f>(text: &str, format: &'f Format, quoted: &'f Format) -> &'f Format {
    if looks_like_formula(text) {
        quoted
    } else {
        format
    }
}

fn rgb(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0xFFFFFF))
}

/// The columns of Appendix 1 and their widths.
const COLUMNS: [(&str, f64); 11] = [
    ("Ambition", 28.0),
    ("Under", 28.0),
    ("Ref", 7.0),
    ("Action", 40.0),
    ("Lead", 26.0),
    ("Target date", 14.0),
    ("Measures of success", 40.0),
    ("Status", 14.0),
    ("RAG", 8.0),
    ("Commentary", 60.0),
    ("Since the last period", 14.0),
];

/// The pack as a .xlsx file.
pub fn xlsx(c: &Contents) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(c.full_title())
            .set_author(if c.author.is_empty() {
                &c.body_name
            } else {
                &c.author
            })
            .set_company(&c.body_name),
    );
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let wrap_quoted = wrap.clone().set_quote_prefix();
    let plain = Format::new();
    let quoted = Format::new().set_quote_prefix();

    let progress = book.add_worksheet().set_name("Appendix 1")?;
    let rows: Vec<_> = c.rows().collect();
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        progress.set_column_width(col, *width)?;
        progress.write_string_with_format(0, col, *name, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let values = [
            &r.ambition,
            &r.under,
            &r.reference,
            &r.title,
            &r.lead,
            &r.target,
            &r.measures.join("\n"),
            &r.status,
            &r.rag,
            &r.commentary,
            &r.change,
        ];
        for (col, value) in values.into_iter().enumerate() {
            let format = text_format(value, &wrap, &wrap_quoted);
            progress.write_string_with_format(row, col as u16, fit(value), format)?;
        }
        if r.rag != "None" {
            let swatch = Format::new()
                .set_background_color(rgb(&r.colour))
                .set_font_color(if matches!(r.rag.as_str(), "Blue" | "Green" | "Red") {
                    Color::White
                } else {
                    Color::Black
                })
                .set_align(FormatAlign::Top);
            progress.write_string_with_format(row, 8, &r.rag, &swatch)?;
        }
    }
    if !rows.is_empty() {
        let columns: Vec<TableColumn> = COLUMNS
            .iter()
            .map(|(name, _)| TableColumn::new().set_header(*name))
            .collect();
        progress.add_table(
            0,
            0,
            rows.len() as u32,
            COLUMNS.len() as u16 - 1,
            &Table::new().set_columns(&columns),
        )?;
    }
    progress.set_freeze_panes(1, 0)?;

    let summary = book.add_worksheet().set_name("Summary")?;
    summary.set_column_width(0, 30)?;
    summary.write_string_with_format(0, 0, fit(&c.full_title()), &bold)?;
    let mut row = 2;
    for (label, value) in [
        ("Body", &c.body_name),
        ("Committee", &c.committee),
        ("Meeting", &c.meeting),
        ("Author", &c.author),
        ("Purpose", &c.purpose),
        ("Progress", &c.sentence),
    ] {
        if !value.is_empty() {
            summary.write_string_with_format(row, 0, label, &bold)?;
            summary.write_string_with_format(
                row,
                1,
                fit(value),
                text_format(value, &plain, &quoted),
            )?;
            row += 1;
        }
    }
    for r in &c.recommendations {
        summary.write_string_with_format(row, 0, "Recommendation", &bold)?;
        summary.write_string(row, 1, fit(&format!("That {r}.")))?;
        row += 1;
    }
    row += 1;
    let head = row;
    summary.write_string_with_format(head, 0, "Actions by status", &bold)?;
    let names: Vec<&str> = c
        .statuses
        .iter()
        .map(String::as_str)
        .chain(["No update", "Total"])
        .collect();
    for (col, name) in names.iter().enumerate() {
        summary.write_string_with_format(head, col as u16 + 1, *name, &bold)?;
    }
    for (i, s) in c.summary_rows.iter().enumerate() {
        let row = head + 1 + i as u32;
        summary.write_string_with_format(row, 0, &s.name, text_format(&s.name, &plain, &quoted))?;
        for (col, n) in s.counts.iter().chain([&s.no_update, &s.total]).enumerate() {
            summary.write_number(row, col as u16 + 1, *n)?;
        }
    }

    book.save_to_buffer().map_err(|e: XlsxError| e.into())
}
