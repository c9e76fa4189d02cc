//! Plan spreadsheets in and out of Ambit.
//!
//! A council moving to Ambit has its plan, and years of progress, in an
//! Excel tracker with its own headings and codes; and it must be able to
//! take its data out again. This crate is the edge for both:
//!
//! - **Reading** ([`read_workbook`]): `.xlsx`, `.xls`, `.ods` or `.csv`
//!   from bytes, the kind found from the content; within [`Limits`] (rows,
//!   cells, a zip's declared uncompressed size and ratio, the memory an
//!   .xls would take, estimated before it is read) so a hostile file
//!   cannot exhaust memory. Formulas give their cached values; a
//!   merged area has its value in its first cell; hidden rows and columns
//!   are read like any others.
//! - **Headings** ([`headings`]): matched to [`Field`]s ignoring case,
//!   spaces and punctuation, with the synonyms councils use, and a user's
//!   [`Mapping`] ("Lead officer=lead", "Notes=ignore"); [`inspect`] lists
//!   what was found and how it matched, for a mapping step.
//! - **Values** ([`values`]): dates, statuses, periods, percents and
//!   figures as councils write them.
//! - **A plan** ([`read_plan`]): a checked [`PlanSheet`] (items, actions
//!   with measures, updates), or every [`Problem`] in the file placed by
//!   sheet, row and column; nothing partial.
//! - **Writing**: the import [`template`], and an export of a plan
//!   ([`PlanExport`]) as xlsx, CSV or JSON that reads back to the same
//!   plan, with an About part ([`About`], [`read_about`]) that describes
//!   the body, strategy and portfolio so an empty database can take it.
//! - **StratML** ([`stratml`]): a plan as a StratML Part 2 performance
//!   plan, or for a period a performance report ([`write_stratml`]), and
//!   such a document read back ([`read_stratml`]) by a reader that refuses
//!   DOCTYPEs and entities and keeps within [`StratmlLimits`].
//!
//! References (of actions and items) stay trimmed strings here: each body
//! has its own reference scheme, and the caller parses them against it
//! (optionally during reading, through [`ReadOptions::check_reference`], so
//! a bad reference is reported with its row).
//!
//! This crate depends on `domain` only and does no I/O of its own: it
//! takes and gives bytes.

pub mod about;
mod convert;
mod csvread;
pub mod export;
pub mod formula;
pub mod headings;
mod plan;
mod problems;
pub mod stratml;
pub mod values;
mod workbook;
mod xlscheck;
mod xlsx;
mod zipcheck;

pub use about::{
    About, AboutAlignment, AboutAmbition, AboutPortfolio, AboutStrategy, Illustrative, read_about,
};
pub use convert::{plan_export, to_plan_import, to_sheet, with_about};
pub use csvread::{decode as decode_csv, separator as csv_separator};
pub use export::{
    CsvExport, ExportError, PlanExport, csv_workbook, read_json, template, write_csv,
    write_csv_zip, write_json, write_xlsx,
};
pub use headings::{Field, HeadingMatch, Mapping, MappingEntry, MappingError};
pub use plan::{
    Inspection, PlanSheet, ReadOptions, RefCheck, RefKind, SheetAction, SheetActual, SheetHeadings,
    SheetItem, SheetUpdate, inspect, read_plan, reference_key,
};
pub use problems::{Problem, Problems};
pub use stratml::{StratmlError, StratmlLimits, StratmlPlan, read_stratml, write_stratml};
pub use workbook::{Cell, FileKind, Limits, ReadError, Row, Sheet, Workbook, read_workbook, sniff};

/// Why an import failed: the file could not be read at all, or it was read
/// and has problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is not a readable spreadsheet, or is over a limit.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file was read and has these problems; nothing was imported.
    #[error(transparent)]
    Problems(#[from] Problems),
}

/// Read the file `file_name` (its content `bytes`) and the plan in it: the
/// whole of an import's parsing in one call.
pub fn import_plan(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    options: &ReadOptions<'_>,
) -> Result<PlanSheet, ImportError> {
    let book = read_workbook(file_name, bytes, limits)?;
    Ok(read_plan(&book, options)?)
}
