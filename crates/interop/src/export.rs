//! Writing plans out: the import template, and an export (xlsx, CSV or
//! JSON) that reads back to the same plan.
//!
//! The xlsx has three sheets: About (see [`crate::about`]), Actions (the
//! template's columns, one row per action; an action's further measures on
//! the rows below it with the reference left blank; a row with only tree
//! columns for an item with no actions) and Updates (one row per action and
//! period; an update's further figures on the rows below it with the
//! reference left blank).
//!
//! CSV is the same three tables as three files ([`CsvExport`]): suggested
//! names `NAME-actions.csv`, `NAME-updates.csv` and `NAME-about.csv`
//! ([`write_csv_zip`] puts them in one zip under those names). They
//! are UTF-8 with a byte order mark (so Excel reads the accents), comma
//! separated, and formula-like text carries an apostrophe (see
//! [`crate::formula`]). [`csv_workbook`] reads them back as one workbook.
//!
//! JSON is [`PlanExport`] serialised with serde.

use domain::{FinancialYear, LevelNames, Measure, Status};
use rust_xlsxwriter::{Format, Workbook as XlsxBook, Worksheet};
use serde::{Deserialize, Serialize};

use crate::about::{self, About};
use crate::formula;
use crate::headings::Field;
use crate::plan::{PlanSheet, reference_key};
use crate::problems::{Collector, Problems};
use crate::workbook::{Limits, ReadError, Workbook, number_text};

/// Why an export or template could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The spreadsheet writer failed.
    #[error("writing the spreadsheet failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("writing CSV failed: {0}")]
    Csv(#[from] csv::Error),
    /// JSON failed.
    #[error("writing JSON failed: {0}")]
    Json(#[from] serde_json::Error),
    /// The zip writer failed.
    #[error("writing the zip failed: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// A plan to export, with what import needs to know to create its body,
/// strategy and portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanExport {
    /// The body, scheme, strategy, portfolio and year.
    pub about: About,
    /// The plan: items, actions and every update.
    pub plan: PlanSheet,
}

/// The three CSV files of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvExport {
    /// The actions table (`NAME-actions.csv`).
    pub actions: Vec<u8>,
    /// The updates table (`NAME-updates.csv`).
    pub updates: Vec<u8>,
    /// The about table (`NAME-about.csv`).
    pub about: Vec<u8>,
}

/// A value to write in a cell.
enum Out {
    Blank,
    Text(String),
    Number(f64),
}

impl Out {
    fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        if s.is_empty() {
            Out::Blank
        } else {
            Out::Text(s)
        }
    }
}

/// The Actions sheet's columns, in order.
pub fn action_fields(levels: &LevelNames) -> Vec<Field> {
    let mut f = Vec::new();
    for d in 0..levels.item_depths() {
        f.push(Field::LevelRef(d));
        f.push(Field::Level(d));
    }
    f.extend([
        Field::Reference,
        Field::Title,
        Field::Lead,
        Field::Directorate,
        Field::TargetDate,
        Field::Continues,
        Field::Measure,
        Field::Indicator,
        Field::Unit,
        Field::Direction,
        Field::Baseline,
        Field::Target,
    ]);
    f
}

/// The Updates sheet's columns, in order.
pub const UPDATE_FIELDS: [Field; 9] = [
    Field::Reference,
    Field::Period,
    Field::Status,
    Field::Percent,
    Field::Commentary,
    Field::KeyAchievement,
    Field::Author,
    Field::Indicator,
    Field::Actual,
];

fn heading_row(fields: &[Field], levels: &LevelNames) -> Vec<Out> {
    fields
        .iter()
        .map(|f| Out::text(f.heading(levels)))
        .collect()
}

fn targets_text(targets: &[domain::MeasureTarget], year: FinancialYear) -> Out {
    match targets {
        [] => Out::Blank,
        [t] if t.half.is_none() && t.year == year => Out::Number(t.value),
        many => Out::Text(
            many.iter()
                .map(|t| match t.half {
                    Some(h) => format!("{h} {}: {}", t.year, t.value),
                    None => format!("{}: {}", t.year, t.value),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// The measure's cells: statement, indicator, unit, direction, baseline, target.
fn measure_cells(m: Option<&Measure>, year: FinancialYear) -> [Out; 6] {
    match m {
        None => [
            Out::Blank,
            Out::Blank,
            Out::Blank,
            Out::Blank,
            Out::Blank,
            Out::Blank,
        ],
        Some(Measure::Statement { text }) => [
            Out::text(text.as_str()),
            Out::Blank,
            Out::Blank,
            Out::Blank,
            Out::Blank,
            Out::Blank,
        ],
        Some(Measure::Indicator(i)) => [
            Out::Blank,
            Out::text(i.name.as_str()),
            Out::text(i.unit.as_str()),
            Out::text(i.direction.as_str()),
            i.baseline.map_or(Out::Blank, Out::Number),
            targets_text(&i.targets, year),
        ],
    }
}

/// The Actions table: headings, then rows in tree order.
fn actions_table(levels: &LevelNames, plan: &PlanSheet, year: FinancialYear) -> Vec<Vec<Out>> {
    let fields = action_fields(levels);
    let depths = levels.item_depths();
    let mut rows = vec![heading_row(&fields, levels)];
    let path_cells = |item: Option<usize>| -> Vec<Out> {
        let mut cells: Vec<Out> = (0..depths * 2).map(|_| Out::Blank).collect();
        let mut at = item;
        while let Some(i) = at {
            let it = &plan.items[i];
            if it.depth < depths {
                cells[it.depth * 2] = Out::text(it.reference.clone().unwrap_or_default());
                cells[it.depth * 2 + 1] = Out::text(it.title.as_str());
            }
            at = it.parent;
        }
        cells
    };
    let action_rows = |rows: &mut Vec<Vec<Out>>, a: &crate::plan::SheetAction| {
        let mut first = path_cells(a.item);
        first.extend([
            Out::text(a.reference.clone()),
            Out::text(a.title.as_str()),
            Out::text(a.lead.as_ref().map_or("", |t| t.as_str())),
            Out::text(a.directorate.as_ref().map_or("", |t| t.as_str())),
            a.target.map_or(Out::Blank, |t| Out::Text(t.to_string())),
            Out::text(a.continues.clone().unwrap_or_default()),
        ]);
        first.extend(measure_cells(a.measures.first(), year));
        rows.push(first);
        for m in a.measures.iter().skip(1) {
            let mut more: Vec<Out> = (0..depths * 2 + 6).map(|_| Out::Blank).collect();
            more.extend(measure_cells(Some(m), year));
            rows.push(more);
        }
    };
    // Actions outside the tree first, so no tree cell is repeated into them.
    for a in plan.actions.iter().filter(|a| a.item.is_none()) {
        action_rows(&mut rows, a);
    }
    // Then the tree depth first, each item's actions under it.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); plan.items.len()];
    let mut roots = Vec::new();
    for (i, it) in plan.items.iter().enumerate() {
        match it.parent {
            Some(p) if p < plan.items.len() => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut actions_of: Vec<Vec<usize>> = vec![Vec::new(); plan.items.len()];
    for (i, a) in plan.actions.iter().enumerate() {
        if let Some(it) = a.item.filter(|it| *it < plan.items.len()) {
            actions_of[it].push(i);
        }
    }
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        if actions_of[i].is_empty() && children[i].is_empty() {
            rows.push(path_cells(Some(i)));
        }
        for &a in &actions_of[i] {
            action_rows(&mut rows, &plan.actions[a]);
        }
        stack.extend(children[i].iter().rev());
    }
    rows
}

/// The Updates table: headings, then one row per update (and one per
/// further figure).
fn updates_table(levels: &LevelNames, plan: &PlanSheet) -> Vec<Vec<Out>> {
    let mut rows = vec![heading_row(&UPDATE_FIELDS, levels)];
    for u in &plan.updates {
        let (first, rest) = match u.actuals.split_first() {
            Some((f, r)) => (Some(f), r),
            None => (None, &[][..]),
        };
        rows.push(vec![
            Out::text(u.action.clone()),
            Out::Text(u.period.to_string()),
            Out::Text(u.status.label().to_owned()),
            u.percent
                .map_or(Out::Blank, |p| Out::Number(f64::from(p.value()))),
            Out::text(u.commentary.as_str()),
            if u.key_achievement {
                Out::Text("Yes".to_owned())
            } else {
                Out::Blank
            },
            Out::text(u.author.as_ref().map_or("", |t| t.as_str())),
            first.map_or(Out::Blank, |a| Out::text(a.indicator.clone())),
            first.map_or(Out::Blank, |a| Out::Number(a.value)),
        ]);
        for a in rest {
            let mut more: Vec<Out> = (0..7).map(|_| Out::Blank).collect();
            more.push(Out::text(a.indicator.clone()));
            more.push(Out::Number(a.value));
            rows.push(more);
        }
    }
    rows
}

fn about_table(about: &About) -> Vec<Vec<Out>> {
    about::rows(about)
        .into_iter()
        .map(|r| r.into_iter().map(Out::text).collect())
        .collect()
}

/// Excel refuses longer strings in a cell.
const CELL_CHARS: usize = 32_767;

fn write_sheet(
    sheet: &mut Worksheet,
    rows: &[Vec<Out>],
    bold: &Format,
    quoted: &Format,
) -> Result<(), ExportError> {
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Out::Blank => {}
                Out::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Out::Text(t) => {
                    let t: String = if t.chars().count() > CELL_CHARS {
                        t.chars().take(CELL_CHARS).collect()
                    } else {
                        t.clone()
                    };
                    if r == 0 {
                        sheet.write_string_with_format(r, c, t, bold)?;
                    } else if formula::looks_like_formula(&t) {
                        sheet.write_string_with_format(r, c, t, quoted)?;
                    } else {
                        sheet.write_string(r, c, t)?;
                    }
                }
            }
        }
    }
    if !rows.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(())
}

/// The export as an xlsx workbook: sheets About, Actions and Updates. Every
/// value is a string or number cell, never a formula; formula-like text
/// also carries Excel's quote prefix.
pub fn write_xlsx(export: &PlanExport) -> Result<Vec<u8>, ExportError> {
    let levels = &export.about.level_names;
    let mut book = XlsxBook::new();
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    for (name, rows) in [
        ("About", about_table(&export.about)),
        (
            "Actions",
            actions_table(levels, &export.plan, export.about.year),
        ),
        ("Updates", updates_table(levels, &export.plan)),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_sheet(sheet, &rows, &bold, &quoted)?;
    }
    Ok(book.save_to_buffer()?)
}

fn csv_bytes(rows: &[Vec<Out>]) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for row in rows {
            w.write_record(row.iter().map(|c| match c {
                Out::Blank => String::new(),
                Out::Number(n) => number_text(*n),
                Out::Text(t) => formula::protect(t).into_owned(),
            }))?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

/// The export as three CSV files (actions, updates, about).
pub fn write_csv(export: &PlanExport) -> Result<CsvExport, ExportError> {
    let levels = &export.about.level_names;
    Ok(CsvExport {
        actions: csv_bytes(&actions_table(levels, &export.plan, export.about.year))?,
        updates: csv_bytes(&updates_table(levels, &export.plan))?,
        about: csv_bytes(&about_table(&export.about))?,
    })
}

/// The export as its three CSV files in one zip: `{stem}-actions.csv`,
/// `{stem}-updates.csv` and `{stem}-about.csv`, so that once unpacked an
/// import of `{stem}-actions.csv` finds the other two beside it.
pub fn write_csv_zip(export: &PlanExport, stem: &str) -> Result<Vec<u8>, ExportError> {
    use std::io::Write;
    let files = write_csv(export)?;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (part, bytes) in [
            ("actions", &files.actions),
            ("updates", &files.updates),
            ("about", &files.about),
        ] {
            zip.start_file(format!("{stem}-{part}.csv"), options)?;
            zip.write_all(bytes).map_err(zip::result::ZipError::from)?;
        }
        zip.finish()?;
    }
    Ok(out.into_inner())
}

/// Read CSV files as the sheets of one workbook, each under the sheet name
/// given ("Actions", "Updates", "About"), so [`crate::read_plan`] and
/// [`crate::read_about`] read them as they read an xlsx export.
pub fn csv_workbook(files: &[(&str, &str, &[u8])], limits: &Limits) -> Result<Workbook, ReadError> {
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    for (sheet_name, file_name, bytes) in files {
        let kind = crate::sniff(file_name, bytes, limits)?;
        if kind != crate::FileKind::Csv {
            return Err(ReadError::NotASpreadsheet {
                file: (*file_name).to_owned(),
                found: "a workbook where a CSV file was expected".to_owned(),
            });
        }
        let mut sheet = crate::csvread::read_csv(file_name, bytes, limits)?;
        sheet.name = (*sheet_name).to_owned();
        sheets.push(sheet);
        names.push(*file_name);
    }
    Ok(Workbook {
        file_name: names.join(", "),
        kind: crate::FileKind::Csv,
        sheets,
    })
}

/// The export as JSON.
pub fn write_json(export: &PlanExport) -> Result<Vec<u8>, ExportError> {
    Ok(serde_json::to_vec_pretty(export)?)
}

/// Read a JSON export, checking what serde cannot: the tree's links, unique
/// references, and updates and figures that belong to the plan's actions.
pub fn read_json(file_name: &str, bytes: &[u8]) -> Result<PlanExport, Problems> {
    let mut problems = Collector::new(200);
    let export: PlanExport = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(e) => {
            problems.push(
                "JSON",
                Some(u32::try_from(e.line()).unwrap_or(u32::MAX)),
                None,
                e.to_string(),
            );
            return Err(problems.finish(file_name));
        }
    };
    check_plan(&export.plan, &mut |m| problems.push("JSON", None, None, m));
    if problems.is_empty() {
        Ok(export)
    } else {
        Err(problems.finish(file_name))
    }
}

/// The checks an export read back needs beyond its types: each item's
/// parent before it at a higher level, actions under items of the plan and
/// with unique references, updates for the plan's actions (one per period)
/// with figures for their indicators and a percent that fits the status.
/// Each problem is passed to `bad`.
pub(crate) fn check_plan(plan: &PlanSheet, bad: &mut dyn FnMut(String)) {
    for (i, it) in plan.items.iter().enumerate() {
        if it
            .parent
            .is_some_and(|p| p >= i || plan.items[p].depth >= it.depth)
        {
            bad(format!(
                "item {} ('{}') has a parent that does not come before it at a higher level",
                i, it.title
            ));
        }
    }
    let mut refs = std::collections::HashMap::new();
    for a in &plan.actions {
        if a.item.is_some_and(|i| i >= plan.items.len()) {
            bad(format!(
                "action {} sits under an item that is not in the plan",
                a.reference
            ));
        }
        if refs.insert(reference_key(&a.reference), a).is_some() {
            bad(format!(
                "the reference '{}' is used by two actions",
                a.reference
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for u in &plan.updates {
        let Some(a) = refs.get(&reference_key(&u.action)) else {
            bad(format!(
                "an update is for action '{}', which is not in the plan",
                u.action
            ));
            continue;
        };
        if !seen.insert((reference_key(&u.action), u.period)) {
            bad(format!(
                "action {} has two updates for {}",
                u.action, u.period
            ));
        }
        for x in &u.actuals {
            let known = a.measures.iter().any(|m| {
                matches!(m, Measure::Indicator(i) if i.name.to_lowercase() == x.indicator.to_lowercase())
            });
            if !known {
                bad(format!(
                    "the {} update of action {} has a figure for '{}', which is not one of its indicators",
                    u.period, u.action, x.indicator
                ));
            }
        }
        match (u.status, u.percent.map(|p| p.value())) {
            (Status::Complete, Some(p)) if p < 100 => bad(format!(
                "the {} update of action {} is complete but {p}%",
                u.period, u.action
            )),
            (Status::NotStarted, Some(p)) if p > 0 => bad(format!(
                "the {} update of action {} is not started but {p}%",
                u.period, u.action
            )),
            _ => {}
        }
    }
}

/// What the Guidance sheet says about each column.
fn guidance(field: Field, levels: &LevelNames) -> (&'static str, String) {
    match field {
        Field::Level(d) => (
            "",
            format!(
                "The {} this action sits under, in words. Leave it blank to repeat the row above (merged cells read the same way).",
                levels.name(d)
            ),
        ),
        Field::LevelRef(d) => (
            "",
            format!("The {}'s reference, if it has one (optional).", levels.name(d)),
        ),
        Field::Reference => (
            "10A",
            "The action's reference in your council's scheme (such as 10A, 1.2.3, CP2.3.1). Required; each action's must differ (case and spaces are ignored).".to_owned(),
        ),
        Field::Title => (
            "Develop a new support offer for unpaid carers",
            "What the action is. Required.".to_owned(),
        ),
        Field::Lead => (
            "Assistant Director for Integrated Commissioning",
            "Who leads it: a role or officer.".to_owned(),
        ),
        Field::Directorate => ("Children's Services", "The directorate leading it, if not the portfolio's own.".to_owned()),
        Field::TargetDate => (
            "January 2024",
            "When it is due: a day (31/01/2024, 31.01.24, 31 January 2024, 2024-01-31) or a month (January 2024, Jan-24, Jan 2024), or a quarter of a financial year (Q3 2023/24 means December 2023).".to_owned(),
        ),
        Field::Continues => ("9E", "The reference of last year's action this one carries on (optional).".to_owned()),
        Field::Measure => (
            "An increased number of participants on each course",
            "A measure of success in words. For more measures, use the rows below the action with its reference left blank.".to_owned(),
        ),
        Field::Indicator => ("Carers assessed", "A measure of success that is a figure: its name.".to_owned()),
        Field::Unit => ("people", "The indicator's unit. Required with an indicator.".to_owned()),
        Field::Direction => ("up", "up (higher is better) or down (lower is better); up if blank.".to_owned()),
        Field::Baseline => ("120", "The indicator's starting figure (optional).".to_owned()),
        Field::Target => (
            "150",
            "The indicator's target for the plan year, or a list such as \"H1 2024/25: 70; 2024/25: 150\".".to_owned(),
        ),
        Field::Period => (
            "H1 2024/25",
            "The half year the update is for: H1 2024/25 or 2024/25 H2, Q2 2024/25 (that is H1), Sep 2024 or Mar 2025 (the half ending then).".to_owned(),
        ),
        Field::Status => (
            "On track",
            "Complete, On track, At risk, Off track, Not started or Deferred; or a RAG colour or letter (Blue, G, A/G, A, R, Grey), read through the body's RAG colours. Also accepted: Completed, On target, Not due to start, On hold.".to_owned(),
        ),
        Field::Commentary => ("Recruitment completed; the offer starts in March.", "What happened and what comes next.".to_owned()),
        Field::Percent => ("50%", "How far through the action is: 0 to 100 (50, 50% or a cell formatted as a percentage). A complete action is 100, one not started 0.".to_owned()),
        Field::Actual => ("135", "The figure for the indicator named in the Indicator column, in the update's period.".to_owned()),
        Field::KeyAchievement => ("Yes", "Yes if this update is one of the period's key achievements.".to_owned()),
        Field::Author => ("Head of Service", "Who wrote the update (optional).".to_owned()),
        Field::Ignore => ("", String::new()),
    }
}

/// A blank import template (xlsx): the canonical headings with the body's
/// level names on an Actions sheet and an Updates sheet, and a Guidance
/// sheet explaining every column, the accepted forms of dates and statuses,
/// and an example row.
pub fn template(levels: &LevelNames) -> Result<Vec<u8>, ExportError> {
    let mut book = XlsxBook::new();
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let wrap = Format::new().set_text_wrap();
    let action_fields = action_fields(levels);
    for (name, fields) in [
        ("Actions", action_fields.clone()),
        ("Updates", UPDATE_FIELDS.to_vec()),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_sheet(sheet, &[heading_row(&fields, levels)], &bold, &quoted)?;
        for c in 0..fields.len() {
            sheet.set_column_width(c as u16, 18)?;
        }
    }
    let g = book.add_worksheet();
    g.set_name("Guidance")?;
    g.set_column_width(0, 22)?;
    g.set_column_width(1, 90)?;
    g.set_column_width(2, 40)?;
    let mut r = 0u32;
    let mut line = |g: &mut Worksheet, a: &str, b: &str, c: &str, f: Option<&Format>| {
        let result: Result<(), ExportError> = (|| {
            match f {
                Some(f) => {
                    g.write_string_with_format(r, 0, a, f)?;
                }
                None => {
                    g.write_string(r, 0, a)?;
                }
            }
            g.write_string_with_format(r, 1, b, &wrap)?;
            g.write_string(r, 2, c)?;
            Ok(())
        })();
        r += 1;
        result
    };
    line(
        g,
        "How to fill in this template",
        "One row per action on the Actions sheet; one row per action and half year on the Updates sheet (or put an update's columns on the action's own row with a Period column). Headings may be in any order and are matched ignoring case and punctuation; columns Ambit does not know can be mapped or ignored when you import. Any mistake stops the whole import and every mistake is listed with its sheet, row and column, so nothing is half imported.",
        "",
        Some(&bold),
    )?;
    line(g, "", "", "", None)?;
    line(g, "Column", "What to write", "Example", Some(&bold))?;
    for f in action_fields.iter().chain(UPDATE_FIELDS.iter()) {
        let (example, text) = guidance(*f, levels);
        line(g, &f.heading(levels), &text, example, None)?;
    }
    line(g, "", "", "", None)?;
    line(g, "Example row (Actions)", "", "", Some(&bold))?;
    let example: Vec<String> = action_fields
        .iter()
        .map(|f| match f {
            Field::Level(d) => format!("{} {}", levels.name(*d), d + 1),
            Field::LevelRef(d) => (d + 1).to_string(),
            other => guidance(*other, levels).0.to_owned(),
        })
        .collect();
    for (h, v) in action_fields.iter().zip(example) {
        line(g, &h.heading(levels), &v, "", None)?;
    }
    Ok(book.save_to_buffer()?)
}
