//! CSV: decoding (UTF-8 with or without a byte order mark, else
//! Windows-1252), the separator found from the heading line, and the
//! apostrophe that keeps formula-like text as text.

use std::borrow::Cow;

use crate::workbook::{Budget, Cell, ReadError, Row, Sheet};
use crate::{Limits, formula};

/// Decode CSV bytes: UTF-8 (a byte order mark is dropped), or, when that
/// fails, Windows-1252, the encoding Excel on Windows saves "CSV" in.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The separator of the first non-empty line: whichever of `,`, `;` and
/// tab occurs most often outside quotes (`,` when none does).
pub fn separator(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut seen = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && seen => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        if !c.is_whitespace() {
            seen = true;
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

pub(crate) fn read_csv(file: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, ReadError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(&text))
        .from_reader(text.as_bytes());
    let name = "Sheet1".to_owned();
    let mut budget = Budget::new(file, limits);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut number: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ReadError::Corrupt {
                    file: file.to_owned(),
                    detail: format!("the CSV cannot be read: {e}"),
                });
            }
        }
        // The row a spreadsheet program shows this record on.
        number = number.saturating_add(1);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut cells: Vec<Cell> = record
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(formula::unprotect(f).to_owned())
                }
            })
            .collect();
        while cells.last().is_some_and(Cell::is_blank) {
            cells.pop();
        }
        let width = cells.len();
        rows.push(Row { number, cells });
        budget.row(&name, rows.len(), width)?;
    }
    Ok(Sheet { name, rows })
}
