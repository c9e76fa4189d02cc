//! A look at a zip file's central directory before anything is
//! decompressed: which kind of document it is, and whether the sizes it
//! declares are safe to unpack.

use crate::Limits;

/// What the zip holds.
pub(crate) enum ZipKind {
    /// An Office Open XML workbook.
    Xlsx,
    /// An OpenDocument spreadsheet.
    Ods,
    /// Something else, described for the user.
    Other(String),
}

/// Why the zip is refused.
pub(crate) enum ZipProblem {
    /// The directory cannot be read.
    Corrupt(String),
    /// The declared sizes are over the limits.
    TooLarge(String),
}

const EOCD: u32 = 0x0605_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EOCD: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
/// More entries than any real workbook has.
const MAX_ENTRIES: u64 = 100_000;

/// `len` bytes from `start`, none past the end (or on overflow).
fn slice(b: &[u8], start: usize, len: usize) -> Option<&[u8]> {
    b.get(start..start.checked_add(len)?)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(slice(b, at, 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(slice(b, at, 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(slice(b, at, 8)?.try_into().ok()?))
}

fn corrupt(what: &str) -> ZipProblem {
    ZipProblem::Corrupt(what.to_owned())
}

/// Read the central directory of `bytes` and check every entry's declared
/// uncompressed size, their total and each entry's compression ratio.
pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<ZipKind, ZipProblem> {
    let truncated = || corrupt("the zip directory at its end is missing, so it was cut short");
    // The end-of-central-directory record sits in the last 65,557 bytes.
    let floor = bytes.len().saturating_sub(65_557);
    let eocd = (floor..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(bytes, i) == Some(EOCD))
        .ok_or_else(truncated)?;
    let mut entries = u64::from(u16_at(bytes, eocd + 10).ok_or_else(truncated)?);
    let mut offset = u64::from(u32_at(bytes, eocd + 16).ok_or_else(truncated)?);
    if (entries == 0xFFFF || offset == 0xFFFF_FFFF)
        && eocd >= 20
        && u32_at(bytes, eocd - 20) == Some(ZIP64_LOCATOR)
    {
        let at = usize::try_from(u64_at(bytes, eocd - 20 + 8).ok_or_else(truncated)?)
            .map_err(|_| truncated())?;
        if u32_at(bytes, at) != Some(ZIP64_EOCD) {
            return Err(corrupt("the zip64 directory record is missing"));
        }
        entries = u64_at(bytes, at.saturating_add(32)).ok_or_else(truncated)?;
        offset = u64_at(bytes, at.saturating_add(48)).ok_or_else(truncated)?;
    }
    if entries > MAX_ENTRIES {
        return Err(ZipProblem::TooLarge(format!(
            "the file holds {entries} packed parts, more than any workbook"
        )));
    }
    let mut at = usize::try_from(offset).map_err(|_| truncated())?;
    let mut total: u64 = 0;
    let (mut workbook, mut ods_content, mut mimetype_ods, mut word, mut slides) =
        (false, false, false, false, false);
    for _ in 0..entries {
        if u32_at(bytes, at) != Some(CENTRAL) {
            return Err(corrupt("the zip directory is damaged"));
        }
        let header = slice(bytes, at, 46).ok_or_else(truncated)?;
        let mut compressed = u64::from(u32_at(header, 20).unwrap_or(0));
        let mut size = u64::from(u32_at(header, 24).unwrap_or(0));
        let name_len = usize::from(u16_at(header, 28).unwrap_or(0));
        let extra_len = usize::from(u16_at(header, 30).unwrap_or(0));
        let comment_len = usize::from(u16_at(header, 32).unwrap_or(0));
        let name = slice(bytes, at + 46, name_len).ok_or_else(truncated)?;
        let extra = slice(bytes, at + 46 + name_len, extra_len).ok_or_else(truncated)?;
        if size == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF {
            // The zip64 extra field holds the real sizes, uncompressed first.
            let mut i = 0;
            while i + 4 <= extra.len() {
                let id = u16_at(extra, i).unwrap_or(0);
                // `i` stays within the extra field (at most 65,535 bytes).
                let len = usize::from(u16_at(extra, i + 2).unwrap_or(0));
                if id == 0x0001 {
                    let mut j = i + 4;
                    if size == 0xFFFF_FFFF {
                        size = u64_at(extra, j).ok_or_else(truncated)?;
                        j += 8;
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = u64_at(extra, j).ok_or_else(truncated)?;
                    }
                    break;
                }
                i += 4 + len;
            }
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(ZipProblem::TooLarge(format!(
                "it would unpack to more than {} MB",
                limits.max_uncompressed_bytes / (1024 * 1024)
            )));
        }
        if size > 1024 * 1024 && size / compressed.max(1) > limits.max_ratio {
            return Err(ZipProblem::TooLarge(format!(
                "one part would unpack to {} times its packed size, which no real workbook does",
                size / compressed.max(1)
            )));
        }
        match name {
            b"xl/workbook.xml" | b"xl/workbook.bin" => workbook = true,
            b"content.xml" => ods_content = true,
            b"mimetype" => mimetype_ods = true,
            b"word/document.xml" => word = true,
            b"ppt/presentation.xml" => slides = true,
            _ => {}
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    if workbook {
        return Ok(ZipKind::Xlsx);
    }
    if ods_content && mimetype_ods {
        let is_sheet = bytes
            .windows(46)
            .take(200)
            .any(|w| w == b"application/vnd.oasis.opendocument.spreadsheet");
        return Ok(if is_sheet {
            ZipKind::Ods
        } else {
            ZipKind::Other("an OpenDocument file that is not a spreadsheet".to_owned())
        });
    }
    Ok(ZipKind::Other(
        if word {
            "a Word document"
        } else if slides {
            "a PowerPoint presentation"
        } else {
            "a zip archive"
        }
        .to_owned(),
    ))
}

/// The value of attribute `name` in a tag's text, as a count.
fn count_attr(tag: &[u8], name: &[u8]) -> Option<u64> {
    let at = tag.windows(name.len()).position(|w| w == name)?;
    let rest = &tag[at + name.len()..];
    let rest = rest.strip_prefix(b"=\"")?;
    let end = rest.iter().position(|b| *b == b'"')?;
    std::str::from_utf8(&rest[..end]).ok()?.trim().parse().ok()
}

/// An ODS sheet can repeat a row or cell many times with one attribute
/// (`table:number-rows-repeated`), and calamine expands the area from the
/// first to the last filled cell in memory. Scan `content.xml` (streamed,
/// never held whole) for the rows and columns that area would have, and
/// refuse a sheet over the row or cell limits before calamine reads it.
pub(crate) fn check_ods_area(bytes: &[u8], limits: &Limits) -> Result<(), ZipProblem> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
    let file = archive
        .by_name("content.xml")
        .map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
    let mut reader = file.take(limits.max_uncompressed_bytes);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut tag: Vec<u8> = Vec::with_capacity(256);
    let mut in_tag = false;
    // Per sheet: rows so far (with repeats), rows up to the last filled
    // one, widest filled row; per row: its repeat, filled width, and the
    // empty cells not yet followed by a filled one.
    let (mut rows, mut filled_rows, mut widest) = (0u64, 0u64, 0u64);
    // Rows before the first filled one, which calamine does not expand.
    let mut first: Option<u64> = None;
    let (mut repeat, mut width, mut pending) = (1u64, 0u64, 0u64);
    let mut cells: u64 = 0;
    let too_large = |what: String| Err(ZipProblem::TooLarge(what));
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
        if n == 0 {
            break;
        }
        for &b in &chunk[..n] {
            if !in_tag {
                if b == b'<' {
                    in_tag = true;
                    tag.clear();
                }
                continue;
            }
            if b != b'>' {
                if tag.len() < 4096 {
                    tag.push(b);
                }
                continue;
            }
            in_tag = false;
            // The name runs to the first space or '/', after a closing '/'.
            let name_end = tag
                .iter()
                .skip(1)
                .position(|c| c.is_ascii_whitespace() || *c == b'/')
                .map_or(tag.len(), |i| i + 1);
            let self_closing = tag.last() == Some(&b'/');
            match &tag[..name_end] {
                b"table:table-row" => {
                    repeat = count_attr(&tag, b"table:number-rows-repeated").unwrap_or(1);
                    width = 0;
                    pending = 0;
                    if self_closing {
                        rows = rows.saturating_add(repeat);
                    }
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    let c = count_attr(&tag, b"table:number-columns-repeated").unwrap_or(1);
                    let filled = !self_closing
                        || count_attr(&tag, b"office:value").is_some()
                        || tag.windows(17).any(|w| w == b"office:value-type");
                    if filled {
                        width = width.saturating_add(pending).saturating_add(c);
                        pending = 0;
                    } else {
                        pending = pending.saturating_add(c);
                    }
                }
                b"/table:table-row" => {
                    rows = rows.saturating_add(repeat);
                    if width > 0 {
                        first.get_or_insert(rows - repeat);
                        filled_rows = rows;
                        widest = widest.max(width);
                    }
                    let span = filled_rows - first.unwrap_or(filled_rows);
                    if span > limits.max_rows as u64 + 1 {
                        return too_large(format!(
                            "a sheet has more than {} rows of data, the most Ambit reads from one sheet",
                            limits.max_rows
                        ));
                    }
                    if widest > limits.max_columns as u64 {
                        return too_large(format!(
                            "a sheet has more than {} columns",
                            limits.max_columns
                        ));
                    }
                    if cells.saturating_add(span.saturating_mul(widest)) > limits.max_cells as u64 {
                        return too_large(format!(
                            "the file has more than {} cells",
                            limits.max_cells
                        ));
                    }
                }
                b"/table:table" => {
                    let span = filled_rows - first.unwrap_or(filled_rows);
                    cells = cells.saturating_add(span.saturating_mul(widest));
                    (rows, filled_rows, widest, first) = (0, 0, 0, None);
                }
                _ => {}
            }
        }
    }
    Ok(())
}
