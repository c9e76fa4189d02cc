//! Reading a spreadsheet file (xlsx, xls, ods or csv) into plain rows of
//! cells, within limits that bound memory.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Sheets, Xlsx};

use crate::zipcheck::{self, ZipKind};

/// What a file may hold before it is refused, to bound memory and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows (non-empty rows after the first) in any one sheet.
    pub max_rows: usize,
    /// Cells kept in memory across the whole workbook, counting the empty
    /// cells between filled ones on a row.
    pub max_cells: usize,
    /// Columns on any row.
    pub max_columns: usize,
    /// Total uncompressed size declared by a zip-based file (xlsx, ods).
    pub max_uncompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of one zip entry
    /// (entries under 1 MB uncompressed are not checked).
    pub max_ratio: u64,
    /// The most memory, in bytes, reading an .xls may take, as estimated
    /// from its records before it is read. An .xls is read whole, every
    /// sheet as the rectangle from its first to its last cell, so a small
    /// file can need far more than its size.
    pub max_xls_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_rows: 100_000,
            max_cells: 4_000_000,
            max_columns: 1_000,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_ratio: 200,
            max_xls_bytes: 64 * 1000 * 1000,
        }
    }
}

/// The kind of file, as found from its content (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Office Open XML workbook (.xlsx, .xlsm; .xlsb too).
    Xlsx,
    /// Excel 97-2003 workbook (.xls).
    Xls,
    /// OpenDocument spreadsheet (.ods).
    Ods,
    /// Comma-, semicolon- or tab-separated text.
    Csv,
}

/// One cell's value as read.
///
/// Formulas give the value the spreadsheet program last calculated (the
/// cached value); a merged area has its value in its first cell only.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text (for CSV, every value is text).
    Text(String),
    /// A number.
    Number(f64),
    /// A date or time cell, as the day and time it shows.
    Date(chrono::NaiveDateTime),
    /// True or false.
    Bool(bool),
    /// An error value such as `#REF!`.
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing (or only spaces).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as text, as a person would read it: whole numbers without
    /// a decimal point, dates as `2023-01-31`.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(t.as_str()),
            Cell::Number(n) => Cow::Owned(number_text(*n)),
            Cell::Date(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    Cow::Owned(d.date().format("%Y-%m-%d").to_string())
                } else {
                    Cow::Owned(d.format("%Y-%m-%d %H:%M").to_string())
                }
            }
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::Error(e) => Cow::Borrowed(e.as_str()),
        }
    }
}

/// A number as text: `10` rather than `10.0`, otherwise the shortest form
/// that reads back as the same number.
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// One non-empty row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number the user sees (1 for the first row).
    pub number: u32,
    /// Its cells from column A; missing cells at the end are empty.
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell in column `col` (0 = A), empty past the end.
    pub fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

/// One sheet: its name and its non-empty rows, in order. Hidden rows and
/// columns are read like any others.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name (for CSV, "Sheet1").
    pub name: String,
    /// Its rows that have at least one cell.
    pub rows: Vec<Row>,
}

/// A spreadsheet file read into memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    /// The file's name, for messages.
    pub file_name: String,
    /// What the file was found to be.
    pub kind: FileKind,
    /// Its sheets, in workbook order.
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    /// The sheet named `name`, compared ignoring case and surrounding spaces.
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        let want = name.trim().to_lowercase();
        self.sheets
            .iter()
            .find(|s| s.name.trim().to_lowercase() == want)
    }
}

/// Why a file could not be read at all. Each message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The content is not a spreadsheet Ambit reads.
    #[error(
        "{file}: this is not a spreadsheet Ambit can read ({found}); save it as .xlsx, .xls, .ods or .csv"
    )]
    NotASpreadsheet {
        /// The file's name.
        file: String,
        /// What it looks like instead.
        found: String,
    },
    /// The workbook is encrypted.
    #[error("{file}: the workbook is password-protected; remove the password and save it again")]
    PasswordProtected {
        /// The file's name.
        file: String,
    },
    /// The file is damaged or cut short.
    #[error("{file}: the file is damaged or incomplete ({detail}); save it again and retry")]
    Corrupt {
        /// The file's name.
        file: String,
        /// What went wrong.
        detail: String,
    },
    /// The file is over a limit.
    #[error("{file}: {what}; split the file or remove what is not needed")]
    TooLarge {
        /// The file's name.
        file: String,
        /// Which limit, in words.
        what: String,
    },
    /// An .xls that would take more memory to read than the limit allows.
    #[error(
        "{file}: reading this .xls would take about {needed} of memory, more than the {limit} allowed for the older .xls format, which is read whole; save it as .xlsx and import that"
    )]
    XlsTooLarge {
        /// The file's name.
        file: String,
        /// The memory it would take, in words ("1.1 GB").
        needed: String,
        /// The limit, in words ("64 MB").
        limit: String,
    },
    /// A named sheet is not in the workbook.
    #[error("{file}: there is no sheet called {sheet:?}; the sheets are {available}")]
    NoSuchSheet {
        /// The file's name.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets there are.
        available: String,
    },
}

/// Find what kind of file `bytes` holds from its content alone.
pub fn sniff(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<FileKind, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return match zipcheck::check(bytes, limits) {
            Ok(ZipKind::Xlsx) => Ok(FileKind::Xlsx),
            Ok(ZipKind::Ods) => match zipcheck::check_ods_area(bytes, limits) {
                Ok(()) => Ok(FileKind::Ods),
                Err(zipcheck::ZipProblem::Corrupt(detail)) => Err(ReadError::Corrupt {
                    file: file_name.to_owned(),
                    detail,
                }),
                Err(zipcheck::ZipProblem::TooLarge(what)) => Err(ReadError::TooLarge {
                    file: file_name.to_owned(),
                    what,
                }),
            },
            Ok(ZipKind::Other(what)) => Err(ReadError::NotASpreadsheet {
                file: file_name.to_owned(),
                found: what,
            }),
            Err(zipcheck::ZipProblem::Corrupt(detail)) => Err(ReadError::Corrupt {
                file: file_name.to_owned(),
                detail,
            }),
            Err(zipcheck::ZipProblem::TooLarge(what)) => Err(ReadError::TooLarge {
                file: file_name.to_owned(),
                what,
            }),
        };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE compound file: an .xls, or an encrypted .xlsx (which keeps
        // its package in a stream called EncryptedPackage).
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(ReadError::PasswordProtected {
                file: file_name.to_owned(),
            });
        }
        return Ok(FileKind::Xls);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let what = if bytes.is_empty() {
        Some("the file is empty")
    } else if head.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if head.starts_with(b"\x89PNG") || head.starts_with(b"\xFF\xD8\xFF") {
        Some("an image")
    } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        Some("UTF-16 text; save it as CSV UTF-8")
    } else if head.contains(&0) {
        Some("binary data")
    } else {
        let lower = String::from_utf8_lossy(&head[..head.len().min(512)]).to_lowercase();
        let lower = lower.trim_start_matches('\u{feff}').trim_start();
        if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
            Some("a web page")
        } else if lower.starts_with("<?xml") {
            Some("an XML document")
        } else if lower.starts_with("{\\rtf") {
            Some("a rich text document")
        } else {
            None
        }
    };
    match what {
        Some(found) => Err(ReadError::NotASpreadsheet {
            file: file_name.to_owned(),
            found: found.to_owned(),
        }),
        None => Ok(FileKind::Csv),
    }
}

/// Read `bytes` (the content of the file called `file_name`) as a
/// workbook, whatever its extension says: xlsx, xls, ods or CSV are found
/// from the content.
///
/// Refuses, with one message naming the file: a file of another kind, a
/// password-protected workbook, a damaged or truncated one, a zip whose
/// declared uncompressed size or compression ratio is over the limits, an
/// .xls that would take more than `limits.max_xls_bytes` of memory to
/// read, a sheet with more than `limits.max_rows` data rows, or more cells
/// than `limits.max_cells`.
pub fn read_workbook(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Workbook, ReadError> {
    let kind = sniff(file_name, bytes, limits)?;
    let sheets = match kind {
        FileKind::Csv => vec![crate::csvread::read_csv(file_name, bytes, limits)?],
        FileKind::Xlsx => read_xlsx(file_name, bytes, limits)?,
        FileKind::Xls => read_xls(file_name, bytes, limits)?,
        FileKind::Ods => read_other(file_name, bytes, kind, limits)?,
    };
    Ok(Workbook {
        file_name: file_name.to_owned(),
        kind,
        sheets,
    })
}

/// An .xls: checked first ([`crate::xlscheck::prepare`]), then read by
/// calamine, whose reader is not hardened against every damaged file: a
/// panic in it is the file's fault, reported as damage.
fn read_xls(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    let prepared = crate::xlscheck::prepare(bytes, limits).map_err(|p| match p {
        crate::xlscheck::XlsProblem::Corrupt(detail) => corrupt(file, detail),
        crate::xlscheck::XlsProblem::TooLarge(needed) => ReadError::XlsTooLarge {
            file: file.to_owned(),
            needed: megabytes(needed),
            limit: megabytes(limits.max_xls_bytes),
        },
    })?;
    std::panic::catch_unwind(|| read_other(file, &prepared, FileKind::Xls, limits))
        .unwrap_or_else(|_| Err(corrupt(file, "the .xls reader could not make sense of it")))
}

/// A size for people: "64 MB", "1.1 GB".
fn megabytes(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{} MB", bytes.div_ceil(1_000_000))
    }
}

/// Counts rows and cells against the limits as a sheet is built.
pub(crate) struct Budget<'a> {
    file: &'a str,
    limits: &'a Limits,
    cells: usize,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(file: &'a str, limits: &'a Limits) -> Self {
        Self {
            file,
            limits,
            cells: 0,
        }
    }

    /// Account for a row of `width` cells, the sheet now having `rows` rows.
    pub(crate) fn row(&mut self, sheet: &str, rows: usize, width: usize) -> Result<(), ReadError> {
        self.cells += width;
        if rows > self.limits.max_rows + 1 {
            return Err(ReadError::TooLarge {
                file: self.file.to_owned(),
                what: format!(
                    "sheet {sheet} has more than {} rows of data, the most Ambit reads from one sheet",
                    self.limits.max_rows
                ),
            });
        }
        if width > self.limits.max_columns {
            return Err(ReadError::TooLarge {
                file: self.file.to_owned(),
                what: format!(
                    "sheet {sheet} has more than {} columns",
                    self.limits.max_columns
                ),
            });
        }
        if self.cells > self.limits.max_cells {
            return Err(ReadError::TooLarge {
                file: self.file.to_owned(),
                what: format!("the file has more than {} cells", self.limits.max_cells),
            });
        }
        Ok(())
    }
}

fn corrupt(file: &str, e: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt {
        file: file.to_owned(),
        detail: e.to_string(),
    }
}

fn calamine_error(file: &str, e: calamine::Error) -> ReadError {
    let password = matches!(
        &e,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    if password {
        ReadError::PasswordProtected {
            file: file.to_owned(),
        }
    } else {
        corrupt(file, e)
    }
}

fn date_cell(d: &calamine::ExcelDateTime) -> Cell {
    if d.is_duration() {
        return Cell::Number(d.as_f64());
    }
    match d.as_datetime() {
        Some(dt) => Cell::Date(dt),
        None => Cell::Number(d.as_f64()),
    }
}

pub(crate) fn iso_cell(s: &str) -> Cell {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
        .map(Cell::Date)
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| Cell::Date(d.and_time(chrono::NaiveTime::MIN)))
        })
        .unwrap_or_else(|_| Cell::Text(s.to_owned()))
}

fn from_ref(d: DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(d) => date_cell(&d),
        DataRef::DateTimeIso(s) => iso_cell(&s),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn from_data(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => date_cell(d),
        Data::DateTimeIso(s) => iso_cell(s),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// xlsx is read by Ambit's own reader ([`crate::xlsx`]); what it does not
/// recognise as plain Office Open XML goes to calamine, streamed cell by
/// cell, so the limits apply before the sheet is held in memory.
fn read_xlsx(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    if let Some(sheets) = crate::xlsx::read(file, bytes, limits)? {
        return Ok(sheets);
    }
    read_xlsx_calamine(file, bytes, limits)
}

/// xlsx as calamine reads it, streamed cell by cell.
pub(crate) fn read_xlsx_calamine(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Sheet>, ReadError> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| calamine_error(file, calamine::Error::Xlsx(e)))?;
    let mut budget = Budget::new(file, limits);
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|e| calamine_error(file, calamine::Error::Xlsx(e)))?;
        let mut rows: Vec<Row> = Vec::new();
        let mut current: Option<Row> = None;
        let finish = |row: Row, rows: &mut Vec<Row>, budget: &mut Budget| {
            if row.cells.iter().any(|c| !c.is_blank()) {
                rows.push(row);
                let width = rows.last().map_or(0, |r| r.cells.len());
                budget.row(&name, rows.len(), width)?;
            }
            Ok::<(), ReadError>(())
        };
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| calamine_error(file, calamine::Error::Xlsx(e)))?
        {
            let (r, c) = cell.get_position();
            let value = from_ref(cell.get_value().clone());
            let number = r.saturating_add(1);
            if current.as_ref().is_some_and(|row| row.number != number) {
                let done = current.take().expect("checked");
                finish(done, &mut rows, &mut budget)?;
            }
            if matches!(value, Cell::Empty) {
                continue;
            }
            let row = current.get_or_insert_with(|| Row {
                number,
                cells: Vec::new(),
            });
            let col = c as usize;
            if col >= limits.max_columns {
                return Err(ReadError::TooLarge {
                    file: file.to_owned(),
                    what: format!("sheet {name} has more than {} columns", limits.max_columns),
                });
            }
            if row.cells.len() <= col {
                row.cells.resize(col + 1, Cell::Empty);
            }
            row.cells[col] = value;
        }
        if let Some(done) = current.take() {
            finish(done, &mut rows, &mut budget)?;
        }
        drop(reader);
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// xls and ods are read a sheet at a time by calamine, then checked. (ods
/// was scanned for repeated rows and cells before, and xls surveyed for
/// the memory calamine will take.)
fn read_other(
    file: &str,
    bytes: &[u8],
    kind: FileKind,
    limits: &Limits,
) -> Result<Vec<Sheet>, ReadError> {
    let cursor = Cursor::new(bytes);
    let mut book: Sheets<_> = match kind {
        FileKind::Xls => Sheets::Xls(
            calamine::open_workbook_from_rs(cursor)
                .map_err(|e| calamine_error(file, calamine::Error::Xls(e)))?,
        ),
        _ => Sheets::Ods(
            calamine::open_workbook_from_rs(cursor)
                .map_err(|e| calamine_error(file, calamine::Error::Ods(e)))?,
        ),
    };
    let mut budget = Budget::new(file, limits);
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| calamine_error(file, e))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            if cells.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            let mut out = vec![Cell::Empty; left as usize];
            out.extend(cells.iter().map(from_data));
            while out.last().is_some_and(|c| matches!(c, Cell::Empty)) {
                out.pop();
            }
            if out.iter().all(Cell::is_blank) {
                continue;
            }
            let width = out.len();
            rows.push(Row {
                number: top + i as u32 + 1,
                cells: out,
            });
            budget.row(&name, rows.len(), width)?;
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}
