//! Ambit's own reader of .xlsx workbooks (Office Open XML), made for
//! import: it unpacks each part once, parses the sheet XML in one pass
//! with quick-xml over the unpacked text, and builds the rows directly,
//! taking each shared string's text from one table rather than decoding
//! it again for every cell.
//!
//! What it reads: the worksheets in workbook order (chart sheets have no
//! cells and are left out), shared and inline strings (rich text as its
//! plain text, phonetic guides left out, Excel's `_xHHHH_` escapes
//! decoded), numbers, dates (numbers shown with a date format, by the
//! cell's style; the 1900 and 1904 date systems), booleans, error values,
//! ISO dates (`t="d"`) and the cached values of formulas. A workbook this
//! reader does not recognise as plain Office Open XML (an .xlsb has no
//! `xl/workbook.xml`) is left to calamine by the caller.
//!
//! Every part is unpacked to at most the size its zip directory declares
//! (which [`crate::zipcheck`] has already bounded), so a part that lies
//! about its size cannot take more memory than the limits allow.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::workbook::{Budget, Cell, Limits, ReadError, Row, Sheet, iso_cell};

/// Read the worksheets of the .xlsx `bytes` (the file `file`), or `None`
/// when it is not a plain .xlsx (no `xl/workbook.xml`).
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Option<Vec<Sheet>>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(file, e))?;
    let parts = Parts::index(&zip);
    let Some(workbook) = parts.find("xl/workbook.xml") else {
        return Ok(None);
    };
    let workbook = unpack(file, &mut zip, workbook)?;
    let rels = match parts.find("xl/_rels/workbook.xml.rels") {
        Some(i) => unpack(file, &mut zip, i)?,
        None => String::new(),
    };
    let book = parse_workbook(file, &workbook, &rels)?;
    let strings = match parts.find("xl/sharedStrings.xml") {
        Some(i) => shared_strings(file, &unpack(file, &mut zip, i)?)?,
        None => Vec::new(),
    };
    let styles = match parts.find("xl/styles.xml") {
        Some(i) => date_styles(file, &unpack(file, &mut zip, i)?)?,
        None => Vec::new(),
    };
    let context = Context {
        file,
        strings: &strings,
        styles: &styles,
        date1904: book.date1904,
        limits,
    };
    let mut budget = Budget::new(file, limits);
    let mut sheets = Vec::with_capacity(book.sheets.len());
    for (name, path) in book.sheets {
        let Some(index) = parts.find(&path) else {
            return Err(corrupt(
                file,
                format!("the workbook lists sheet {name}, whose part {path} is missing"),
            ));
        };
        let xml = unpack(file, &mut zip, index)?;
        let rows = context.sheet(&name, &xml, &mut budget)?;
        sheets.push(Sheet { name, rows });
    }
    Ok(Some(sheets))
}

/// The zip's entries by name, for lookups that ignore case (part names
/// in Office Open XML packages are case-insensitive).
struct Parts {
    by_name: HashMap<String, usize>,
}

impl Parts {
    fn index<R: Read + std::io::Seek>(zip: &zip::ZipArchive<R>) -> Self {
        let by_name = zip
            .file_names()
            .filter_map(|n| {
                let n = n.ok()?;
                Some((n.to_ascii_lowercase(), zip.index_for_name(&n)?))
            })
            .collect();
        Parts { by_name }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.by_name
            .get(name.trim_start_matches('/').to_ascii_lowercase().as_str())
            .copied()
    }
}

/// The part at `index` as text, unpacked to at most its declared size.
fn unpack(
    file: &str,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
) -> Result<String, ReadError> {
    let entry = zip.by_index(index).map_err(|e| corrupt(file, e))?;
    let name = entry
        .name()
        .map_or_else(|_| format!("part {index}"), |n| n.into_owned());
    let declared = entry.size();
    let mut raw = Vec::with_capacity(usize::try_from(declared).unwrap_or(0).min(256 << 20));
    entry
        .take(declared.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| corrupt(file, format!("{name}: {e}")))?;
    if raw.len() as u64 > declared {
        return Err(corrupt(
            file,
            format!("{name} unpacks to more than its declared size"),
        ));
    }
    text_of(raw).map_err(|detail| corrupt(file, format!("{name}: {detail}")))
}

/// XML bytes as text: UTF-8 (with or without a byte-order mark) or
/// UTF-16 with its mark.
fn text_of(raw: Vec<u8>) -> Result<String, String> {
    if raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF]) {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(&raw);
        if bad {
            return Err("the text is not valid UTF-16".into());
        }
        return Ok(text.into_owned());
    }
    let mut text = String::from_utf8(raw).map_err(|_| "the text is not valid UTF-8".to_owned())?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

/// What `xl/workbook.xml` says: the worksheets (name and part) in order,
/// and the date system.
struct Book {
    sheets: Vec<(String, String)>,
    date1904: bool,
}

fn parse_workbook(file: &str, workbook: &str, rels: &str) -> Result<Book, ReadError> {
    let mut targets: HashMap<String, (String, bool)> = HashMap::new();
    let mut xml = Reader::from_str(rels);
    loop {
        match xml
            .read_event()
            .map_err(|e| xml_error(file, "workbook.xml.rels", e))?
        {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let (id, target, kind) = (
                    attr(&e, "Id").unwrap_or_default(),
                    attr(&e, "Target").unwrap_or_default(),
                    attr(&e, "Type").unwrap_or_default(),
                );
                let worksheet = kind.ends_with("/worksheet");
                targets.insert(id, (part_path(&target), worksheet));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut book = Book {
        sheets: Vec::new(),
        date1904: false,
    };
    let mut xml = Reader::from_str(workbook);
    loop {
        match xml
            .read_event()
            .map_err(|e| xml_error(file, "workbook.xml", e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookPr" => {
                    book.date1904 = attr(&e, "date1904")
                        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                }
                "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    // The relationship id is `r:id` (any prefix bound to the
                    // relationships namespace).
                    let id = attr(&e, "id").unwrap_or_default();
                    match targets.get(&id) {
                        Some((path, true)) => book.sheets.push((name, path.clone())),
                        Some((_, false)) => {}
                        None => {
                            return Err(corrupt(
                                file,
                                format!("sheet {name} points to no part of the workbook"),
                            ));
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(book)
}

/// A relationship's target as a part name: relative to `xl/` unless it
/// starts with `/`; `..` steps resolved.
fn part_path(target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let mut out: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The value of the attribute whose local name is `name`, unescaped.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// The shared strings table, in order.
fn shared_strings(file: &str, text: &str) -> Result<Vec<String>, ReadError> {
    let mut xml = Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        match xml
            .read_event()
            .map_err(|e| xml_error(file, "sharedStrings.xml", e))?
        {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                out.push(string_item(file, &mut xml, "si")?);
            }
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The plain text of a string item (`<si>` or `<is>`) up to its end tag
/// `end`: every `<t>` outside a phonetic guide (`<rPh>`).
fn string_item(file: &str, xml: &mut Reader<&[u8]>, end: &str) -> Result<String, ReadError> {
    let mut out = String::new();
    let (mut in_text, mut phonetic) = (false, false);
    loop {
        match xml.read_event().map_err(|e| xml_error(file, end, e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" if !phonetic => in_text = true,
                "rPh" => phonetic = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "rPh" => phonetic = false,
                n if n == end => break,
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => push_reference(&mut out, &r),
            Event::Eof => return Err(corrupt(file, format!("a <{end}> element is not closed"))),
            _ => {}
        }
    }
    Ok(unescape_excel(out))
}

/// Append the character an entity or character reference stands for.
fn push_reference(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_xml_entity(&r.xml10_content()) {
        out.push_str(s);
    }
}

/// Decode Excel's `_xHHHH_` escapes (how it stores characters XML cannot
/// hold, such as a carriage return: `_x000D_`).
fn unescape_excel(text: String) -> String {
    if !text.contains("_x") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let code = tail
            .get(2..6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a style shows numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// As a number.
    Number,
    /// As a date or a time of day.
    Date,
    /// As a duration (`[h]:mm`), read as a number.
    Duration,
}

/// For each cell style (`<cellXfs>` in order), how it shows numbers.
fn date_styles(file: &str, text: &str) -> Result<Vec<Shown>, ReadError> {
    let mut custom: HashMap<u32, Shown> = HashMap::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    let mut xml = Reader::from_str(text);
    loop {
        match xml
            .read_event()
            .map_err(|e| xml_error(file, "styles.xml", e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    let id = attr(&e, "numFmtId").and_then(|v| v.trim().parse().ok());
                    if let (Some(id), Some(code)) = (id, attr(&e, "formatCode")) {
                        custom.insert(id, format_shows(&code));
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    ids.push(
                        attr(&e, "numFmtId")
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0),
                    );
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            custom.get(&id).copied().unwrap_or(match id {
                14..=22 | 27..=36 | 45 | 47 | 50..=58 => Shown::Date,
                46 => Shown::Duration,
                _ => Shown::Number,
            })
        })
        .collect())
}

/// How a custom number format shows numbers: a date if its first section
/// has a day, month, year, hour or second outside quotes, escapes and
/// brackets (`[h]` makes it a duration; `[Red]` and `[$£-809]` count for
/// nothing).
fn format_shows(code: &str) -> Shown {
    let mut chars = code.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            quoted = c != '"';
            continue;
        }
        match c {
            '"' => quoted = true,
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => break,
            '[' => {
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let lower = inner.to_ascii_lowercase();
                if !lower.is_empty() && lower.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    return Shown::Duration;
                }
            }
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return Shown::Date,
            _ => {}
        }
    }
    Shown::Number
}

/// What every sheet of one workbook is read with.
struct Context<'a> {
    file: &'a str,
    strings: &'a [String],
    styles: &'a [Shown],
    date1904: bool,
    limits: &'a Limits,
}

/// A cell's type (its `t` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    /// A number (`n`, or no `t`), perhaps shown as a date.
    #[default]
    Number,
    /// An index into the shared strings (`s`).
    Shared,
    /// Text in the cell (`inlineStr`).
    Inline,
    /// A formula's text result (`str`).
    Formula,
    /// True or false (`b`).
    Bool,
    /// An error value (`e`).
    Error,
    /// An ISO 8601 date (`d`).
    Date,
}

/// One `<c>` element's attributes: its column, type and style.
#[derive(Default)]
struct RawCell {
    column: Option<usize>,
    kind: Kind,
    style: usize,
}

impl Context<'_> {
    /// The non-empty rows of the sheet `name` from its XML.
    fn sheet(&self, name: &str, text: &str, budget: &mut Budget) -> Result<Vec<Row>, ReadError> {
        let mut xml = Reader::from_str(text);
        let mut rows: Vec<Row> = Vec::new();
        let mut current: Option<Row> = None;
        let mut last_row: u32 = 0;
        let mut next_column: usize = 0;
        // Rows are made as wide as the widest so far, so their cells are
        // not reallocated as they fill.
        let mut width: usize = 0;
        let mut value = String::new();
        loop {
            let event = xml
                .read_event()
                .map_err(|e| xml_error(self.file, name, e))?;
            match event {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                    if let Some(done) = current.take() {
                        finish(done, &mut rows, budget, name)?;
                    }
                    let number = match attr(&e, "r") {
                        Some(r) => r.trim().parse::<u32>().map_err(|_| {
                            corrupt(self.file, format!("sheet {name}: a row numbered {r:?}"))
                        })?,
                        None => last_row.saturating_add(1),
                    };
                    last_row = number;
                    next_column = 0;
                    current = Some(Row {
                        number,
                        cells: Vec::with_capacity(width),
                    });
                }
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    let raw = self.raw_cell(&e, name)?;
                    let column = raw.column.unwrap_or(next_column);
                    next_column = column.saturating_add(1);
                    let cell = self.cell_value(&mut xml, &raw, name, &mut value)?;
                    if matches!(cell, Cell::Empty) {
                        continue;
                    }
                    if column >= self.limits.max_columns {
                        return Err(ReadError::TooLarge {
                            file: self.file.to_owned(),
                            what: format!(
                                "sheet {name} has more than {} columns",
                                self.limits.max_columns
                            ),
                        });
                    }
                    let row = current.get_or_insert_with(|| {
                        last_row = last_row.saturating_add(1);
                        Row {
                            number: last_row,
                            cells: Vec::with_capacity(width),
                        }
                    });
                    if row.cells.len() <= column {
                        row.cells.resize(column + 1, Cell::Empty);
                    }
                    row.cells[column] = cell;
                }
                Event::Empty(e) if e.local_name().as_ref() == "c" => {
                    let raw = self.raw_cell(&e, name)?;
                    next_column = raw.column.unwrap_or(next_column).saturating_add(1);
                }
                Event::End(e) if e.local_name().as_ref() == "row" => {
                    if let Some(done) = current.take() {
                        width = width.max(done.cells.len());
                        finish(done, &mut rows, budget, name)?;
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(done) = current.take() {
            finish(done, &mut rows, budget, name)?;
        }
        Ok(rows)
    }

    fn raw_cell(&self, e: &BytesStart<'_>, sheet: &str) -> Result<RawCell, ReadError> {
        let mut raw = RawCell::default();
        for a in e.attributes().flatten() {
            match a.key.local_name().as_ref() {
                "r" => {
                    let letters: String = a
                        .value
                        .chars()
                        .take_while(|c| c.is_ascii_alphabetic())
                        .collect();
                    raw.column = Some(column_index(&letters).ok_or_else(|| {
                        corrupt(
                            self.file,
                            format!("sheet {sheet}: a cell at {:?}", a.value.as_ref()),
                        )
                    })?);
                }
                "t" => {
                    raw.kind = match a.value.as_ref() {
                        "s" => Kind::Shared,
                        "inlineStr" => Kind::Inline,
                        "str" => Kind::Formula,
                        "b" => Kind::Bool,
                        "e" => Kind::Error,
                        "d" => Kind::Date,
                        _ => Kind::Number,
                    }
                }
                "s" => raw.style = a.value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        Ok(raw)
    }

    /// Read the rest of a `<c>` element and the value it holds.
    fn cell_value(
        &self,
        xml: &mut Reader<&[u8]>,
        raw: &RawCell,
        sheet: &str,
        value: &mut String,
    ) -> Result<Cell, ReadError> {
        value.clear();
        let mut inline: Option<String> = None;
        let mut in_value = false;
        loop {
            match xml
                .read_event()
                .map_err(|e| xml_error(self.file, sheet, e))?
            {
                Event::Start(e) => match e.local_name().as_ref() {
                    "v" => in_value = true,
                    "is" => inline = Some(string_item(self.file, xml, "is")?),
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "v" => in_value = false,
                    "c" => break,
                    _ => {}
                },
                Event::Text(t) if in_value => value.push_str(&t.xml10_content()),
                Event::CData(t) if in_value => value.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if in_value => push_reference(value, &r),
                Event::Eof => {
                    return Err(corrupt(
                        self.file,
                        format!("sheet {sheet}: a cell is not closed"),
                    ));
                }
                _ => {}
            }
        }
        if raw.kind == Kind::Inline {
            return Ok(inline.map_or(Cell::Empty, Cell::Text));
        }
        if value.is_empty() {
            return Ok(Cell::Empty);
        }
        let bad = |what: &str| corrupt(self.file, format!("sheet {sheet}: {what} {value:?}"));
        Ok(match raw.kind {
            Kind::Shared => {
                let index: usize = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("a shared string numbered"))?;
                Cell::Text(
                    self.strings
                        .get(index)
                        .ok_or_else(|| bad("a shared string that is not in the table,"))?
                        .clone(),
                )
            }
            Kind::Formula => Cell::Text(unescape_excel(value.clone())),
            Kind::Bool => Cell::Bool(matches!(value.trim(), "1" | "true" | "TRUE")),
            Kind::Error => Cell::Error(value.clone()),
            Kind::Date => iso_cell(value.trim()),
            Kind::Inline => Cell::Empty,
            Kind::Number => {
                let n: f64 = value.trim().parse().map_err(|_| bad("a number"))?;
                match self.styles.get(raw.style).copied().unwrap_or(Shown::Number) {
                    Shown::Date => {
                        serial_date(n, self.date1904).map_or(Cell::Number(n), Cell::Date)
                    }
                    Shown::Number | Shown::Duration => Cell::Number(n),
                }
            }
        })
    }
}

/// Keep `row` if any of its cells holds something, counting it against
/// the limits.
fn finish(
    row: Row,
    rows: &mut Vec<Row>,
    budget: &mut Budget,
    sheet: &str,
) -> Result<(), ReadError> {
    if row.cells.iter().any(|c| !c.is_blank()) {
        let width = row.cells.len();
        rows.push(row);
        budget.row(sheet, rows.len(), width)?;
    }
    Ok(())
}

/// Column letters as an index: A = 0, Z = 25, AA = 26, XFD = 16,383.
fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let n = letters.bytes().fold(0usize, |n, b| {
        n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    Some(n - 1)
}

/// The day and time an Excel serial number stands for, in the workbook's
/// date system; `None` outside years 1900 (or 1904) to 9999.
fn serial_date(serial: f64, date1904: bool) -> Option<chrono::NaiveDateTime> {
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts 1900 as a leap year: serials before 1 March 1900 are a
    // day later than the count from 30 December 1899 gives.
    let (base, serial) = if date1904 {
        (chrono::NaiveDate::from_ymd_opt(1904, 1, 1)?, serial)
    } else if serial < 60.0 {
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 31)?, serial)
    } else {
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?, serial)
    };
    let millis = (serial * 86_400_000.0).round() as i64;
    base.and_time(chrono::NaiveTime::MIN)
        .checked_add_signed(chrono::TimeDelta::try_milliseconds(millis)?)
}

fn corrupt(file: &str, detail: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt {
        file: file.to_owned(),
        detail: detail.to_string(),
    }
}

fn xml_error(file: &str, part: &str, e: quick_xml::Error) -> ReadError {
    corrupt(file, format!("{part}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_numbered_from_a() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("z"), Some(25));
        assert_eq!(column_index("AA"), Some(26));
        assert_eq!(column_index("XFD"), Some(16_383));
        assert_eq!(column_index(""), None);
        assert_eq!(column_index("ABCD"), None);
    }

    #[test]
    fn serial_numbers_are_days_in_either_date_system() {
        let day = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_time(chrono::NaiveTime::MIN)
        };
        assert_eq!(serial_date(45_736.0, false), Some(day(2025, 3, 20)));
        assert_eq!(serial_date(1.0, false), Some(day(1900, 1, 1)));
        assert_eq!(serial_date(61.0, false), Some(day(1900, 3, 1)));
        assert_eq!(serial_date(0.0, true), Some(day(1904, 1, 1)));
        assert_eq!(
            serial_date(45_736.5, false),
            Some(
                day(2025, 3, 20)
                    .checked_add_signed(chrono::TimeDelta::hours(12))
                    .unwrap()
            )
        );
        assert_eq!(serial_date(-1.0, false), None);
        assert_eq!(serial_date(3_000_000.0, false), None);
    }

    #[test]
    fn number_formats_are_dates_by_their_first_section() {
        assert_eq!(format_shows("dd/mm/yyyy"), Shown::Date);
        assert_eq!(format_shows("d mmmm yyyy;@"), Shown::Date);
        assert_eq!(format_shows("[$-809]dd mmmm yyyy"), Shown::Date);
        assert_eq!(format_shows("[h]:mm:ss"), Shown::Duration);
        assert_eq!(format_shows("0.0%"), Shown::Number);
        assert_eq!(format_shows("[Red]#,##0"), Shown::Number);
        assert_eq!(format_shows("\"days\" 0"), Shown::Number);
        assert_eq!(format_shows("#,##0;\"d\"0"), Shown::Number);
        assert_eq!(format_shows("0\\d"), Shown::Number);
    }

    #[test]
    fn excel_escapes_are_decoded() {
        assert_eq!(unescape_excel("a_x000D_b".into()), "a\rb");
        assert_eq!(unescape_excel("_x005F_x000D_".into()), "_x000D_");
        assert_eq!(unescape_excel("_xZZ_ and _x12".into()), "_xZZ_ and _x12");
    }

    #[test]
    fn relationship_targets_become_part_names() {
        assert_eq!(
            part_path("worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(part_path("/xl/worksheets/s.xml"), "xl/worksheets/s.xml");
        assert_eq!(part_path("../xl/worksheets/s.xml"), "xl/worksheets/s.xml");
    }

    /// A cell for the generated workbooks: what to write, and how.
    #[derive(Debug, Clone)]
    enum Written {
        Text(String),
        Number(f64),
        Date(u32, u8, u8),
        Percent(f64),
        Bool(bool),
        Formula(String),
    }

    fn written() -> impl proptest::strategy::Strategy<Value = Written> {
        use proptest::prelude::*;
        prop_oneof![
            "[ -~]{0,12}".prop_map(Written::Text),
            prop::sample::select(vec![
                "Café & \"quotes\", <tags>".to_owned(),
                "line one\nline two\r\nthree".to_owned(),
                "=1+1".to_owned(),
                "Gwasanaethau Cymdeithasol 🏴󠁧󠁢󠁷󠁬󠁳󠁿".to_owned(),
                "  spaced  ".to_owned(),
                "_x000D_ literally".to_owned(),
            ])
            .prop_map(Written::Text),
            (-1.0e6f64..1.0e6).prop_map(Written::Number),
            (1990u32..2060, 1u8..13, 1u8..29).prop_map(|(y, m, d)| Written::Date(y, m, d)),
            (0.0f64..1.0).prop_map(Written::Percent),
            any::<bool>().prop_map(Written::Bool),
            "[a-z]{1,8}".prop_map(Written::Formula),
        ]
    }

    type Grid = Vec<Vec<(u16, Written)>>;

    fn workbook(sheets: &[Grid]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        let percent = rust_xlsxwriter::Format::new().set_num_format("0%");
        for (i, rows) in sheets.iter().enumerate() {
            let sheet = book.add_worksheet();
            sheet.set_name(format!("Sheet {i} & co")).unwrap();
            for (r, cells) in rows.iter().enumerate() {
                // Every third row is left empty.
                let r = (r as u32) * 3 / 2;
                for (c, w) in cells {
                    match w {
                        Written::Text(t) => sheet.write_string(r, *c, t).map(drop),
                        Written::Number(n) => sheet.write_number(r, *c, *n).map(drop),
                        Written::Date(y, m, d) => {
                            let when = rust_xlsxwriter::ExcelDateTime::from_ymd(*y as u16, *m, *d)
                                .unwrap();
                            sheet
                                .write_datetime_with_format(r, *c, &when, &date)
                                .map(drop)
                        }
                        Written::Percent(p) => sheet
                            .write_number_with_format(r, *c, *p, &percent)
                            .map(drop),
                        Written::Bool(b) => sheet.write_boolean(r, *c, *b).map(drop),
                        Written::Formula(t) => sheet
                            .write_formula(
                                r,
                                *c,
                                rust_xlsxwriter::Formula::new("=\"x\"&\"y\"").set_result(t),
                            )
                            .map(drop),
                    }
                    .unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Ambit's reader reads every workbook as calamine does.
        #[test]
        fn reads_what_calamine_reads(
            sheets in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec((0u16..30, written()), 0..6),
                    0..12,
                ),
                1..3,
            )
        ) {
            let bytes = workbook(&sheets);
            let limits = Limits::default();
            let ours = read("gen.xlsx", &bytes, &limits).unwrap().unwrap();
            let theirs = crate::workbook::read_xlsx_calamine("gen.xlsx", &bytes, &limits).unwrap();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    /// A workbook part by part, as other programs write them.
    fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, text) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/c.xml"/></Relationships>"#;

    #[test]
    fn reads_prefixed_inline_rich_and_1904_workbooks() {
        let workbook = r#"<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:workbookPr date1904="true"/><x:sheets><x:sheet name="Plan &amp; measures" sheetId="1" r:id="rId1"/><x:sheet name="Chart" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>"#;
        let strings = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>Rich </t></r><r><rPr><b/></rPr><t xml:space="preserve">text</t></r><rPh><t>ignored</t></rPh></si><si><t>a_x000D_b &#233;</t></si></sst>"#;
        let styles = r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts><numFmt numFmtId="164" formatCode="d mmmm yyyy"/></numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#;
        let sheet = r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Ref</x:t></x:is></x:c><x:c t="s"><x:v>0</x:v></x:c><x:c/><x:c t="s"><x:v>1</x:v></x:c></x:row><x:row r="4"><x:c r="B4" s="1"><x:v>0</x:v></x:c><x:c r="C4" s="0"><x:v>2.5</x:v></x:c><x:c r="D4" t="b"><x:v>1</x:v></x:c><x:c r="E4" t="e"><x:v>#REF!</x:v></x:c><x:c r="F4" t="str"><x:f>A1</x:f><x:v>x &lt; y</x:v></x:c></x:row><x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>   </x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"#;
        let bytes = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/sharedStrings.xml", strings),
            ("xl/styles.xml", styles),
            ("xl/worksheets/data.xml", sheet),
        ]);
        let sheets = read("other.xlsx", &bytes, &Limits::default())
            .unwrap()
            .unwrap();
        assert_eq!(sheets.len(), 1, "the chart sheet has no cells");
        assert_eq!(sheets[0].name, "Plan & measures");
        let rows = &sheets[0].rows;
        assert_eq!(rows.len(), 2, "the row of spaces is left out: {rows:?}");
        assert_eq!(rows[0].number, 1);
        assert_eq!(
            rows[0].cells,
            vec![
                Cell::Text("Ref".into()),
                Cell::Text("Rich text".into()),
                Cell::Empty,
                Cell::Text("a\rb é".into()),
            ]
        );
        assert_eq!(rows[1].number, 4);
        let day = chrono::NaiveDate::from_ymd_opt(1904, 1, 1)
            .unwrap()
            .and_time(chrono::NaiveTime::MIN);
        assert_eq!(
            rows[1].cells,
            vec![
                Cell::Empty,
                Cell::Date(day),
                Cell::Number(2.5),
                Cell::Bool(true),
                Cell::Error("#REF!".into()),
                Cell::Text("x < y".into()),
            ]
        );
    }

    #[test]
    fn damaged_parts_are_named_in_the_error() {
        let workbook =
            r#"<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>"#;
        let bad_index = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>"#;
        let bytes = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/worksheets/data.xml", bad_index),
        ]);
        let e = read("bad.xlsx", &bytes, &Limits::default()).unwrap_err();
        assert!(
            e.to_string().contains("bad.xlsx") && e.to_string().contains("shared string"),
            "{e}"
        );
        let missing = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
        ]);
        let e = read("gone.xlsx", &missing, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("sheet S"), "{e}");
        let cut = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1"#;
        let bytes = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/worksheets/data.xml", cut),
        ]);
        let e = read("cut.xlsx", &bytes, &Limits::default()).unwrap_err();
        assert!(matches!(e, ReadError::Corrupt { .. }), "{e}");
    }

    #[test]
    fn a_sheet_over_the_limits_is_refused() {
        let workbook =
            r#"<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>"#;
        let rows: String = (1..=20)
            .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
            .collect();
        let sheet = format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        let bytes = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/worksheets/data.xml", &sheet),
        ]);
        let limits = Limits {
            max_rows: 10,
            ..Limits::default()
        };
        let e = read("many.xlsx", &bytes, &limits).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
        let wide = r#"<worksheet><sheetData><row r="1"><c r="ZZ1"><v>1</v></c></row></sheetData></worksheet>"#;
        let bytes = package(&[
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/worksheets/data.xml", wide),
        ]);
        let limits = Limits {
            max_columns: 100,
            ..Limits::default()
        };
        let e = read("wide.xlsx", &bytes, &limits).unwrap_err();
        assert!(e.to_string().contains("columns"), "{e}");
    }
}
