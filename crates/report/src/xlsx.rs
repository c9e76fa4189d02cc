//! The pack as a workbook for analysts: the cover's figures on a summary
//! sheet, then one sheet per appendix (Appendix 1, its measures one row
//! per action and measure, the key achievements, and for a year-end
//! report Appendix 2 and the actions not carried forward), each a
//! filterable Excel table with one column per level of the plan, typed
//! cells (target dates as dates, percentages and figures as numbers), the
//! status colours with the status words, frozen headers and print
//! settings (A4 landscape, fit to the page's width, the header row on
//! every page).
//!
//! Every value is written as a string, number or date cell, never as a
//! formula; text that begins like a formula (`=`, `+`, `-`, `@`, a tab or
//! a carriage return) also carries Excel's quote prefix, so it stays text
//! even when someone edits the cell or saves the sheet as CSV. The
//! workbook's date is the pack's, never the time it was written.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Table, TableColumn,
    Workbook, Worksheet, XlsxError,
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

fn rgb(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0xFFFFFF))
}

/// "2023-01-31" as an Excel date.
fn date(iso: &str) -> Option<ExcelDateTime> {
    let mut parts = iso.split('-').map(str::parse::<u16>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    ExcelDateTime::from_ymd(y, m as u8, d as u8).ok()
}

/// One cell's value, typed.
enum Value<'a> {
    /// Text.
    Text(&'a str),
    /// A number, or nothing.
    Number(Option<f64>),
    /// A percentage (0–100), or nothing.
    Percent(Option<u8>),
    /// A date as YYYY-MM-DD (may be empty), shown as a day or (true) a month.
    Date(&'a str, bool),
    /// A status word on its colour.
    Status {
        label: &'a str,
        fill: &'a str,
        text: &'a str,
    },
}

/// The formats every sheet shares.
struct Formats {
    bold: Format,
    wrap: Format,
    quoted: Format,
    day: Format,
    month: Format,
    percent: Format,
    number: Format,
    title: Format,
}

impl Formats {
    fn new() -> Self {
        let top = Format::new().set_align(FormatAlign::Top);
        let wrap = top.clone().set_text_wrap();
        Self {
            bold: Format::new().set_bold().set_text_wrap(),
            quoted: wrap.clone().set_quote_prefix(),
            day: top.clone().set_num_format("d mmm yyyy"),
            month: top.clone().set_num_format("mmmm yyyy"),
            percent: top.clone().set_num_format("0%"),
            number: top.set_num_format("General"),
            wrap,
            title: Format::new().set_bold().set_font_size(14),
        }
    }

    fn text<'f>(&'f self, text: &str) -> &'f Format {
        if looks_like_formula(text) {
            &self.quoted
        } else {
            &self.wrap
        }
    }
}

/// The status formats made so far, by colour, so each is made once.
#[derive(Default)]
struct Swatches(Vec<(String, Format)>);

impl Swatches {
    fn get(&mut self, fill: &str, text: &str) -> &Format {
        let key = format!("{fill}{text}");
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((
                    key,
                    Format::new()
                        .set_background_color(rgb(fill))
                        .set_font_color(rgb(text))
                        .set_border(FormatBorder::Thin)
                        .set_border_color(rgb("#b1b4b6"))
                        .set_align(FormatAlign::Top),
                ));
                self.0.len() - 1
            }
        };
        &self.0[i].1
    }
}

/// Print settings every sheet shares: A4 landscape, one page wide, the
/// first `title_rows` rows on every page, and a footer with the title and
/// page numbers.
fn print_settings(sheet: &mut Worksheet, title: &str, title_rows: u32) -> Result<(), XlsxError> {
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_footer(format!("&L{}&RPage &P of &N", title.replace('&', "&&")));
    if title_rows > 0 {
        sheet.set_repeat_rows(0, title_rows - 1)?;
        sheet.set_freeze_panes(title_rows, 0)?;
    }
    Ok(())
}

/// A sheet holding one filterable table: `columns` (name and width) over
/// `rows` of typed values.
fn table_sheet(
    book: &mut Workbook,
    name: &str,
    title: &str,
    columns: &[(String, f64)],
    rows: &[Vec<Value>],
    f: &Formats,
    swatches: &mut Swatches,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(name)?;
    for (col, (header, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(0, col, header, &f.bold)?;
    }
    for (i, values) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, value) in values.iter().enumerate() {
            let col = col as u16;
            match value {
                Value::Text(t) => {
                    if !t.is_empty() {
                        sheet.write_string_with_format(row, col, fit(t), f.text(t))?;
                    }
                }
                Value::Number(Some(n)) => {
                    sheet.write_number_with_format(row, col, *n, &f.number)?;
                }
                Value::Percent(Some(p)) => {
                    sheet.write_number_with_format(row, col, f64::from(*p) / 100.0, &f.percent)?;
                }
                Value::Date(iso, month) => {
                    if let Some(d) = date(iso) {
                        let format = if *month { &f.month } else { &f.day };
                        sheet.write_datetime_with_format(row, col, &d, format)?;
                    }
                }
                Value::Status { label, fill, text } => {
                    sheet.write_string_with_format(row, col, *label, swatches.get(fill, text))?;
                }
                Value::Number(None) | Value::Percent(None) => {}
            }
        }
    }
    if !rows.is_empty() {
        let headers: Vec<TableColumn> = columns
            .iter()
            .map(|(name, _)| TableColumn::new().set_header(name))
            .collect();
        sheet.add_table(
            0,
            0,
            rows.len() as u32,
            columns.len() as u16 - 1,
            &Table::new().set_columns(&headers),
        )?;
    } else {
        sheet.autofilter(0, 0, 0, columns.len() as u16 - 1)?;
    }
    print_settings(sheet, title, 1)
}

/// The columns for the levels of the plan, then `rest`. Excel wants a
/// table's headers unique, so a level named like one of the other columns
/// (Northmoor's "Outcome" beside "Outcome") says it is a level.
fn with_levels(c: &Contents, rest: &[(&str, f64)]) -> Vec<(String, f64)> {
    c.levels
        .iter()
        .map(|l| {
            if rest.iter().any(|(n, _)| n.eq_ignore_ascii_case(l)) {
                (format!("{l} (level)"), 30.0)
            } else {
                (l.clone(), 30.0)
            }
        })
        .chain(rest.iter().map(|(n, w)| ((*n).to_owned(), *w)))
        .collect()
}

/// A row's level cells: one per level, empty where the action sits higher.
fn level_values<'a>(c: &Contents, path: &'a [String]) -> Vec<Value<'a>> {
    (0..c.levels.len())
        .map(|i| Value::Text(path.get(i).map(String::as_str).unwrap_or("")))
        .collect()
}

/// The pack as a .xlsx file.
pub fn xlsx(c: &Contents) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let title = c.full_title();
    let mut properties = DocProperties::new()
        .set_title(&title)
        .set_subject(&c.purpose)
        .set_author(c.creator())
        .set_company(&c.body_name)
        .set_keywords(&c.reference)
        .set_comment("Language: en-GB");
    if let Some(d) = date(&c.date) {
        properties = properties.set_creation_datetime(&d);
    }
    book.set_properties(&properties);
    let f = Formats::new();
    let mut swatches = Swatches::default();

    summary(&mut book, c, &title, &f, &mut swatches)?;

    let fate_heading = c.fate_heading();
    let mut rest: Vec<(&str, f64)> = vec![
        ("Ref", 8.0),
        ("Action", 40.0),
        ("Lead", 26.0),
        ("Target date", 14.0),
        ("Measures of success", 40.0),
        ("Status", 13.0),
        ("RAG", 8.0),
        ("Percent complete", 10.0),
        ("Commentary", 60.0),
    ];
    if c.show_change {
        rest.push(("Since the last period", 16.0));
    }
    if c.appendix2.is_some() {
        rest.push((&fate_heading, 16.0));
        rest.push(("Reference next year", 12.0));
    }
    let columns = with_levels(c, &rest);
    let measures: Vec<String> = c.rows().map(|r| r.measures.join("\n")).collect();
    let rows: Vec<Vec<Value>> = c
        .rows()
        .zip(&measures)
        .map(|(r, m)| {
            let mut v = level_values(c, &r.path);
            v.extend([
                Value::Text(&r.reference),
                Value::Text(&r.title),
                Value::Text(&r.lead),
                Value::Date(&r.due, r.due_month),
                Value::Text(m),
                Value::Status {
                    label: &r.status,
                    fill: &r.colour,
                    text: &r.text_colour,
                },
                Value::Text(&r.rag),
                Value::Percent(r.percent),
                Value::Text(&r.commentary),
            ]);
            if c.show_change {
                v.push(Value::Text(&r.change));
            }
            if c.appendix2.is_some() {
                v.push(Value::Text(&r.fate));
                v.push(Value::Text(&r.renumbered_to));
            }
            v
        })
        .collect();
    table_sheet(
        &mut book,
        "Appendix 1",
        &title,
        &columns,
        &rows,
        &f,
        &mut swatches,
    )?;

    let columns: Vec<(String, f64)> = [
        ("Ref", 8.0),
        ("Action", 40.0),
        ("Measure", 40.0),
        ("Unit", 12.0),
        ("Direction", 16.0),
        ("Baseline", 10.0),
        ("Target", 10.0),
        ("Actual", 10.0),
        ("Status", 13.0),
    ]
    .iter()
    .map(|(n, w)| ((*n).to_owned(), *w))
    .collect();
    let rows: Vec<Vec<Value>> = c
        .rows()
        .flat_map(|r| {
            r.figures.iter().map(move |m| {
                vec![
                    Value::Text(&r.reference),
                    Value::Text(&r.title),
                    Value::Text(&m.measure),
                    Value::Text(&m.unit),
                    Value::Text(&m.direction),
                    Value::Number(m.baseline),
                    Value::Number(m.target),
                    Value::Number(m.actual),
                    Value::Status {
                        label: &r.status,
                        fill: &r.colour,
                        text: &r.text_colour,
                    },
                ]
            })
        })
        .collect();
    table_sheet(
        &mut book,
        "Measures",
        &title,
        &columns,
        &rows,
        &f,
        &mut swatches,
    )?;

    let rest = [
        ("Ref", 8.0),
        ("Action", 40.0),
        ("Why", 16.0),
        ("Commentary", 70.0),
    ];
    let mut columns = with_levels(c, &rest);
    columns.drain(1..1 + c.levels.len().saturating_sub(1));
    let rows: Vec<Vec<Value>> = c
        .achievements
        .iter()
        .flat_map(|a| {
            a.items.iter().map(move |i| {
                vec![
                    Value::Text(&a.heading),
                    Value::Text(&i.reference),
                    Value::Text(&i.title),
                    Value::Text(&i.why),
                    Value::Text(&i.words),
                ]
            })
        })
        .collect();
    table_sheet(
        &mut book,
        "Key achievements",
        &title,
        &columns,
        &rows,
        &f,
        &mut swatches,
    )?;

    if let Some(a2) = &c.appendix2 {
        let columns = with_levels(
            c,
            &[
                ("Ref", 8.0),
                ("Action", 40.0),
                ("Lead", 26.0),
                ("Target date", 14.0),
                ("Measures of success", 40.0),
                ("Change", 16.0),
                ("Reference this year", 12.0),
            ],
        );
        let measures: Vec<String> = a2.rows().map(|r| r.measures.join("\n")).collect();
        let rows: Vec<Vec<Value>> = a2
            .rows()
            .zip(&measures)
            .map(|(r, m)| {
                let mut v = level_values(c, &r.path);
                v.extend([
                    Value::Text(&r.reference),
                    Value::Text(&r.title),
                    Value::Text(&r.lead),
                    Value::Date(&r.due, r.due_month),
                    Value::Text(m),
                    Value::Text(&r.change),
                    Value::Text(&r.was),
                ]);
                v
            })
            .collect();
        table_sheet(
            &mut book,
            "Appendix 2",
            &title,
            &columns,
            &rows,
            &f,
            &mut swatches,
        )?;

        let columns = with_levels(
            c,
            &[
                ("Ref", 8.0),
                ("Action", 40.0),
                ("Outcome", 14.0),
                ("Why", 60.0),
            ],
        );
        let rows: Vec<Vec<Value>> = a2
            .ended_rows()
            .map(|r| {
                let mut v = level_values(c, &r.path);
                v.extend([
                    Value::Text(&r.reference),
                    Value::Text(&r.title),
                    Value::Text(&r.outcome),
                    Value::Text(&r.why),
                ]);
                v
            })
            .collect();
        table_sheet(
            &mut book,
            "Not carried forward",
            &title,
            &columns,
            &rows,
            &f,
            &mut swatches,
        )?;
    }

    book.save_to_buffer().map_err(|e: XlsxError| e.into())
}

/// The cover's figures: the details, the roll-up with its counts and the
/// status key, and for a year-end report what the refresh did.
fn summary(
    book: &mut Workbook,
    c: &Contents,
    title: &str,
    f: &Formats,
    swatches: &mut Swatches,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name("Summary")?;
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 90)?;
    for col in 2..=8 {
        sheet.set_column_width(col, 12)?;
    }
    sheet.write_string_with_format(0, 0, fit(title), &f.title)?;
    let mut row = 2;
    let mut line = |sheet: &mut Worksheet, label: &str, value: &str| -> Result<(), XlsxError> {
        if !value.is_empty() {
            sheet.write_string_with_format(row, 0, label, &f.bold)?;
            sheet.write_string_with_format(row, 1, fit(value), f.text(value))?;
            row += 1;
        }
        Ok(())
    };
    line(sheet, "Body", &c.body_name)?;
    line(sheet, "Report", &c.reference)?;
    line(sheet, "Committee", &c.committee)?;
    line(sheet, "Meeting", &c.meeting)?;
    line(sheet, "Author", &c.author)?;
    line(sheet, "Contact officer", &c.contact)?;
    line(sheet, "Illustrative data", &c.illustrative)?;
    line(sheet, "Purpose", &c.purpose)?;
    line(sheet, "Summary", &c.summary)?;
    for p in &c.context {
        line(sheet, "Context", p)?;
    }
    for a in &c.ambitions {
        line(sheet, "Ambition served", a)?;
    }
    for r in &c.recommendations {
        line(sheet, "Recommendation", &format!("That {r}."))?;
    }
    line(sheet, "Progress", &c.sentence)?;
    line(sheet, "At risk and off track", &c.risks)?;
    if let Some(a2) = &c.appendix2 {
        line(sheet, "The refreshed plan", &a2.summary)?;
    }
    row += 1;

    let head = row;
    sheet.write_string_with_format(head, 0, "Actions by status", &f.bold)?;
    let names: Vec<&str> = c
        .statuses
        .iter()
        .map(String::as_str)
        .chain(["No update", "Total"])
        .collect();
    for (col, name) in names.iter().enumerate() {
        let format = match c.status_key.get(col) {
            Some(k) => swatches.get(&k.colour, &k.text_colour),
            None => &f.bold,
        };
        sheet.write_string_with_format(head, col as u16 + 1, *name, format)?;
    }
    for (i, s) in c.summary_rows.iter().enumerate() {
        let row = head + 1 + i as u32;
        sheet.write_string_with_format(row, 0, &s.name, f.text(&s.name))?;
        for (col, n) in s.counts.iter().chain([&s.no_update, &s.total]).enumerate() {
            sheet.write_number(row, col as u16 + 1, *n)?;
        }
    }
    let mut row = head + c.summary_rows.len() as u32 + 2;

    sheet.write_string_with_format(row, 0, "Status", &f.bold)?;
    sheet.write_string_with_format(row, 1, "Meaning", &f.bold)?;
    row += 1;
    for k in &c.status_key {
        sheet.write_string_with_format(
            row,
            0,
            &k.label,
            swatches.get(&k.colour, &k.text_colour),
        )?;
        sheet.write_string_with_format(row, 1, &k.definition, &f.wrap)?;
        row += 1;
    }

    if let Some(a2) = &c.appendix2 {
        row += 1;
        sheet.write_string_with_format(row, 0, "Term", &f.bold)?;
        sheet.write_string_with_format(row, 1, "Meaning", &f.bold)?;
        sheet.write_string_with_format(row, 2, "Actions", &f.bold)?;
        row += 1;
        for t in &a2.counts {
            sheet.write_string_with_format(row, 0, &t.label, &f.wrap)?;
            sheet.write_string_with_format(row, 1, &t.definition, &f.wrap)?;
            sheet.write_number(row, 2, t.count as f64)?;
            row += 1;
        }
    }
    print_settings(sheet, title, 0)?;
    sheet.set_portrait();
    Ok(())
}
