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
