//! Checks an .xls before calamine reads it, and what it will cost.
//!
//! An .xls is an OLE compound file (sectors chained through an allocation
//! table) holding a BIFF `Workbook` stream. calamine 0.38 reads the whole
//! workbook when it opens it: it follows the sector chains as the file
//! declares them, holds every sheet as a rectangle from its top-left to its
//! bottom-right cell (plus a second rectangle of formula texts), copies a
//! shared string into every cell that shows it, and builds every formula's
//! text. A small hostile file can therefore cost far more than its size: two
//! cells at opposite corners of a sheet (16 million cells, about half a
//! gigabyte, or 4 billion cells, more than any machine has, with the
//! columns BIFF allows in a cell record), a 30,000-character string shown in
//! 20,000 cells, a chain of sectors that loops under a stream declared to
//! be gigabytes long, or a formula that repeats "insert 255 spaces" until
//! it takes minutes to build.
//!
//! [`prepare`] reads the file's structure itself (every chain calamine will
//! follow, refusing a loop or a sector outside the file), takes the
//! workbook stream, and walks its records as calamine will, estimating the
//! memory calamine and [`crate::read_workbook`] will use; a file over
//! [`Limits::max_xls_bytes`](crate::Limits) is refused before calamine
//! sees it. Formula texts are never used (a formula cell's value is the
//! cached one), so each formula's tokens are emptied in a copy of the file,
//! in place, and the copy is checked again before it is handed on.

use std::borrow::Cow;

use crate::workbook::Limits;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;

/// Why an .xls is refused before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XlsProblem {
    /// The compound file or its workbook is damaged in a way calamine does
    /// not survive (a loop, a sector outside the file, a record cut short).
    Corrupt(String),
    /// Reading it would take about this many bytes of memory.
    TooLarge(u64),
}

fn corrupt(what: &str) -> XlsProblem {
    XlsProblem::Corrupt(what.to_owned())
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The bytes of `file` to hand to calamine: the file itself, or a copy
/// with its formulas' tokens emptied. Refuses a file calamine would loop
/// on, fall over or read past the end of, and one it would need more than
/// `limits.max_xls_bytes` of memory to read.
pub(crate) fn prepare<'a>(file: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>, XlsProblem> {
    let first = survey(file)?;
    if first.cost > limits.max_xls_bytes {
        return Err(XlsProblem::TooLarge(first.cost));
    }
    if first.formulas.is_empty() {
        return Ok(Cow::Borrowed(file));
    }
    let mut copy = file.to_vec();
    for at in &first.formulas {
        copy[*at] = 0;
    }
    // The copy must read as the same workbook, its formulas empty: a file
    // whose workbook overlaps its own structure could read differently.
    let second = survey(&copy)?;
    if !second.formulas.is_empty() || second.cost > first.cost {
        return Err(corrupt("its workbook overlaps the file's own structure"));
    }
    Ok(Cow::Owned(copy))
}

/// What the survey of a file found.
struct Survey {
    /// The memory reading it would take, in bytes (an estimate from above).
    cost: u64,
    /// Where in the file the bytes of each formula's token count are (two
    /// a formula, perhaps in different sectors), for the formulas that have
    /// tokens.
    formulas: Vec<usize>,
}

/// A run of a stream's bytes in the file: (offset in the file, length).
type Segment = (usize, usize);

/// The compound file, as calamine will read it.
struct Compound<'a> {
    file: &'a [u8],
    sector_size: usize,
    /// The highest sector number calamine accepts.
    maxid: u32,
    fat: Vec<u32>,
}

impl<'a> Compound<'a> {
    /// Sector `id`: its offset in the file and its bytes (the last one may
    /// be short). A sector calamine would refuse, or one wholly past the
    /// end of the file (which calamine would misread), is refused.
    fn sector(&self, id: u32) -> Result<(usize, &'a [u8]), XlsProblem> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector_size))
            .filter(|start| id <= self.maxid && *start < self.file.len())
            .ok_or_else(|| corrupt("a sector number points past the end of the file"))?;
        let end = (start + self.sector_size).min(self.file.len());
        Ok((start, &self.file[start..end]))
    }

    /// The chain from `start` through `table`, as calamine follows it for a
    /// stream of `len` bytes, refusing a loop: each sector is visited once,
    /// so a chain is never longer than the file.
    fn chain(&self, start: u32, table: &[u32], len: usize) -> Result<Vec<Segment>, XlsProblem> {
        let mut seen = vec![false; self.maxid as usize + 1];
        let mut out = Vec::new();
        let mut total = 0usize;
        let mut id = start;
        while id != ENDOFCHAIN {
            let (at, bytes) = self.sector(id)?;
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(corrupt("a chain of sectors loops back on itself"));
            }
            let take = bytes.len().min(len - total);
            out.push((at, take));
            total += take;
            if total >= len {
                break;
            }
            id = *table
                .get(id as usize)
                .ok_or_else(|| corrupt("a sector is missing from the allocation table"))?;
        }
        Ok(out)
    }

    fn bytes(&self, segments: &[Segment]) -> Vec<u8> {
        let mut out = Vec::with_capacity(segments.iter().map(|s| s.1).sum());
        for (at, len) in segments {
            out.extend_from_slice(&self.file[*at..*at + *len]);
        }
        out
    }
}

/// One directory entry: name, first sector, declared length.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// The workbook stream: its bytes and where they lie in the file.
struct Stream {
    bytes: Vec<u8>,
    /// The runs of the file it is made of, each with its start in the stream.
    runs: Vec<(usize, Segment)>,
}

impl Stream {
    /// The offset in the file of the stream's byte `at`.
    fn file_offset(&self, at: usize) -> usize {
        let i = self.runs.partition_point(|(start, _)| *start <= at) - 1;
        let (start, (offset, _)) = self.runs[i];
        offset + (at - start)
    }
}

/// The workbook stream, and the memory calamine takes to open the
/// compound file.
fn workbook_stream(file: &[u8]) -> Result<(Stream, u64), XlsProblem> {
    let header = file
        .get(..512)
        .ok_or_else(|| corrupt("it is shorter than its header"))?;
    let sector_size = match u16_at(header, 30) {
        Some(9) => 512usize,
        Some(12) => 4096,
        _ => return Err(corrupt("its sector size is not one Excel writes")),
    };
    if u16_at(header, 32) != Some(6) {
        return Err(corrupt("its mini sector size is not one Excel writes"));
    }
    if file.len() < sector_size {
        return Err(corrupt("it is shorter than its header"));
    }
    let version = u16_at(header, 26).unwrap_or(0);
    let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
    let mini_fat_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
    let mini_fat_len = u32_at(header, 64).unwrap_or(0) as usize;
    let difat_start = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
    let maxid = u32::try_from(file.len() / sector_size)
        .map_err(|_| corrupt("it has more sectors than a compound file can number"))?;
    let mut cfb = Compound {
        file,
        sector_size,
        maxid,
        fat: Vec::new(),
    };

    // The allocation table's sectors, listed in the header and in the
    // DIFAT chain (bounded by calamine at one sector per sector of the
    // file); the table may not have more sectors than the file.
    let mut difat: Vec<u32> = (0..109)
        .map(|i| u32_at(header, 76 + i * 4).unwrap_or(u32::MAX))
        .collect();
    let mut id = difat_start;
    let mut difat_sectors = 0usize;
    while id < RESERVED_SECTORS {
        difat_sectors += 1;
        if difat_sectors > maxid as usize + 1 {
            return Err(corrupt("its DIFAT chain is longer than the file"));
        }
        let (_, bytes) = cfb.sector(id)?;
        difat.extend(bytes.chunks_exact(4).map(|c| u32_at(c, 0).unwrap_or(0)));
        id = difat
            .pop()
            .ok_or_else(|| corrupt("its DIFAT chain is empty"))?;
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
    if fat_sectors.len() > maxid as usize + 1 {
        return Err(corrupt(
            "its allocation table lists more sectors than the file has",
        ));
    }
    let mut fat = Vec::with_capacity(fat_sectors.len() * sector_size / 4);
    for id in &fat_sectors {
        let (_, bytes) = cfb.sector(*id)?;
        fat.extend(bytes.chunks_exact(4).map(|c| u32_at(c, 0).unwrap_or(0)));
    }
    cfb.fat = fat;

    let dirs = cfb.chain(dir_start, &cfb.fat, usize::MAX)?;
    let dir_bytes = cfb.bytes(&dirs);
    let entries: Vec<Entry> = dir_bytes
        .chunks_exact(128)
        .map(|e| {
            let units: Vec<u16> = e[..64]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(nul) = name.find('\0') {
                name.truncate(nul);
            }
            let len = if sector_size == 512 {
                u64::from(u32_at(e, 120).unwrap_or(0))
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            Entry {
                name,
                start: u32_at(e, 116).unwrap_or(ENDOFCHAIN),
                len: usize::try_from(len).unwrap_or(usize::MAX),
            }
        })
        .collect();
    let root = entries
        .first()
        .ok_or_else(|| corrupt("its directory is empty"))?;
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(corrupt("its directory is empty"));
    }
    let (mini, mini_fat) = if mini_fat_len > 0 {
        let mini = cfb.chain(root.start, &cfb.fat, root.len)?;
        let table = cfb.chain(
            mini_fat_start,
            &cfb.fat,
            mini_fat_len.saturating_mul(sector_size),
        )?;
        let table: Vec<u32> = cfb
            .bytes(&table)
            .chunks_exact(4)
            .map(|c| u32_at(c, 0).unwrap_or(0))
            .collect();
        (mini, table)
    } else {
        (Vec::new(), Vec::new())
    };
    let opened = (file.len() + cfb.fat.len() * 4 + dir_bytes.len() + mini_fat.len() * 4) as u64
        + mini.iter().map(|s| s.1 as u64).sum::<u64>()
        + entries.len() as u64 * 64;

    let stream = |name: &str| -> Result<Vec<(usize, usize)>, XlsProblem> {
        let entry = entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| corrupt("it holds no workbook"))?;
        if entry.len >= 4096 {
            return cfb.chain(entry.start, &cfb.fat, entry.len);
        }
        // A short stream lives in 64-byte sectors of the mini stream, each
        // within one run of the mini stream's sectors.
        let starts: Vec<usize> = mini
            .iter()
            .scan(0usize, |at, (_, len)| {
                let start = *at;
                *at += len;
                Some(start)
            })
            .collect();
        let mut seen = vec![false; mini_fat.len()];
        let mut out = Vec::new();
        let mut total = 0usize;
        let mut id = entry.start;
        while id != ENDOFCHAIN {
            let outside = || corrupt("a mini sector lies outside the mini stream");
            let at = (id as usize).checked_mul(64).ok_or_else(outside)?;
            let run = starts.partition_point(|start| *start <= at);
            let (offset, len) = *run
                .checked_sub(1)
                .and_then(|run| mini.get(run))
                .ok_or_else(outside)?;
            let within = at - starts[run - 1];
            if within + 64 > len {
                return Err(outside());
            }
            match seen.get_mut(id as usize) {
                Some(s) if !*s => *s = true,
                Some(_) => return Err(corrupt("a chain of sectors loops back on itself")),
                None => return Err(corrupt("a sector is missing from the allocation table")),
            }
            let take = 64.min(entry.len - total);
            out.push((offset + within, take));
            total += take;
            if total >= entry.len {
                break;
            }
            id = mini_fat[id as usize]; // checked by `seen` above
        }
        Ok(out)
    };
    // calamine takes "Book" (BIFF5) when "Workbook" cannot be read.
    let has_book = entries.iter().any(|e| e.name.eq_ignore_ascii_case("Book"));
    let segments = match stream("Workbook") {
        Err(_) if has_book => stream("Book")?,
        other => other?,
    };
    let mut bytes = Vec::with_capacity(segments.iter().map(|s| s.1).sum());
    let mut runs = Vec::with_capacity(segments.len());
    for (at, len) in segments {
        runs.push((bytes.len(), (at, len)));
        bytes.extend_from_slice(&file[at..at + len]);
    }
    Ok((Stream { bytes, runs }, opened))
}

/// One BIFF record: its type, its data's offset in the stream, its data,
/// and the data of the CONTINUE records after it.
struct Record<'a> {
    typ: u16,
    at: usize,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
    /// Bytes the record and its continuations take in the stream.
    size: usize,
}

/// The records of `stream` from `pos`, as calamine iterates them.
struct Records<'a> {
    stream: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, XlsProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.stream[self.pos..];
        if rest.len() < 4 {
            self.pos = self.stream.len();
            return (!rest.is_empty()).then(|| Err(corrupt("a record is cut short")));
        }
        let typ = u16_at(rest, 0).unwrap_or(0);
        let len = usize::from(u16_at(rest, 2).unwrap_or(0));
        if rest.len() < len + 4 {
            self.pos = self.stream.len();
            return Some(Err(corrupt("a record is cut short")));
        }
        let start = self.pos;
        let at = self.pos + 4;
        let data = &self.stream[at..at + len];
        self.pos = at + len;
        let mut cont = Vec::new();
        while self.stream.len() - self.pos > 4 && u16_at(self.stream, self.pos) == Some(0x003C) {
            let len = usize::from(u16_at(self.stream, self.pos + 2).unwrap_or(0));
            if self.stream.len() - self.pos < len + 4 {
                self.pos = self.stream.len();
                return Some(Err(corrupt("a record is cut short")));
            }
            cont.push(&self.stream[self.pos + 4..self.pos + 4 + len]);
            self.pos += 4 + len;
        }
        Some(Ok(Record {
            typ,
            at,
            data,
            cont,
            size: self.pos - start,
        }))
    }
}

/// Bytes a string of `chars` characters takes once decoded (UTF-8: up to
/// 2 bytes for a one-byte character, 3 for a two-byte one).
fn text_bytes(chars: usize, wide: bool) -> u64 {
    chars as u64 * if wide { 3 } else { 2 }
}

/// Bytes that `chars` (one byte a character, or UTF-16 when `wide`) take
/// decoded as UTF-8.
fn utf8_bytes(chars: &[u8], wide: bool) -> u64 {
    if wide {
        chars
            .chunks_exact(2)
            .map(|c| match u16::from_le_bytes([c[0], c[1]]) {
                0..0x80 => 1,
                0x80..0x800 => 2,
                _ => 3,
            })
            .sum()
    } else {
        chars.iter().map(|b| if *b < 0x80 { 1 } else { 2 }).sum()
    }
}

/// The decoded size of each string of a shared string table, walked as
/// calamine reads it (`parse_sst`).
fn shared_strings(rec: &Record<'_>) -> Result<Vec<u64>, XlsProblem> {
    let short = || corrupt("the shared strings are cut short");
    let mut cur = rec.data.get(8..).ok_or_else(short)?;
    let mut conts = rec.cont.iter().copied();
    let mut out = Vec::new();
    loop {
        if cur.is_empty() {
            match conts.next() {
                Some(next) => {
                    cur = next;
                    if cur.is_empty() {
                        out.push(24);
                        continue;
                    }
                }
                None => break,
            }
        }
        if cur.len() < 3 {
            return Err(short());
        }
        let chars = usize::from(u16_at(cur, 0).unwrap_or(0));
        let flags = cur[2];
        cur = &cur[3..];
        let mut wide = flags & 0x1 != 0;
        let mut runs = 0usize;
        let mut ext = 0usize;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(cur, 0).ok_or_else(short)?);
            cur = &cur[2..];
        }
        if flags & 0x4 != 0 {
            // calamine reads it as an i32 and skips that many bytes.
            ext = u32_at(cur, 0).ok_or_else(short)? as i32 as usize;
            cur = &cur[4..];
        }
        let mut left = chars;
        let mut size = STRING;
        while left > 0 {
            let width = if wide { 2 } else { 1 };
            let take = left.min(cur.len() / width);
            size += utf8_bytes(&cur[..take * width], wide);
            cur = &cur[take * width..];
            left -= take;
            if left > 0 {
                let next = conts.next().filter(|c| !c.is_empty()).ok_or_else(short)?;
                wide = next[0] & 0x1 != 0;
                cur = &next[1..];
            }
        }
        for mut skip in [runs.saturating_mul(4), ext] {
            while skip > 0 {
                if cur.is_empty() {
                    cur = conts.next().ok_or_else(short)?;
                    continue;
                }
                let n = skip.min(cur.len());
                cur = &cur[n..];
                skip -= n;
            }
        }
        out.push(size);
    }
    Ok(out)
}

/// The smallest rectangle holding every cell given.
#[derive(Default)]
struct Area(Option<(u32, u32, u32, u32)>);

impl Area {
    fn add(&mut self, row: u32, first: u32, last: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, first, last),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(first), c1.max(last)),
        });
    }

    /// Cells in the rectangle.
    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
        })
    }
}

/// Bytes of calamine's `Cell<Data>`, `Data` and `String`.
const CELL: u64 = 40;
const DATA: u64 = 32;
const STRING: u64 = 24;

/// What one sheet costs.
#[derive(Default)]
struct Sheet {
    /// Its values' rectangle and its formulas' rectangle.
    values: Area,
    formulas: Area,
    /// Cell records, and the most cells a DIMENSION record reserved room for.
    cells: u64,
    reserved: u64,
    formula_cells: u64,
    /// Text of its cells and capacity of its formula texts, in bytes.
    text: u64,
    formula_text: u64,
    merges: u64,
}

impl Sheet {
    /// Memory the sheet keeps once read: its rectangles and their text.
    fn kept(&self) -> u64 {
        self.values.cells().saturating_mul(DATA)
            + self.text
            + self.formulas.cells().saturating_mul(STRING)
            + self.formula_text
            + self.merges * 16
    }

    /// Memory used while it is read: the cell lists before the rectangles.
    fn reading(&self) -> u64 {
        self.cells.max(self.reserved).saturating_mul(CELL) + self.formula_cells * (CELL - 8)
    }

    /// Memory its values take once more when handed out and turned into
    /// rows (calamine gives a copy; the rows are a second one).
    fn handed_out(&self) -> u64 {
        self.values
            .cells()
            .saturating_mul(DATA)
            .saturating_add(self.text)
            .saturating_mul(2)
    }
}

/// The position of a cell record's cell.
fn position(rec: &Record<'_>, min_len: usize) -> Result<(u32, u32), XlsProblem> {
    if rec.data.len() < min_len {
        return Err(corrupt("a cell record is cut short"));
    }
    Ok((
        u32::from(u16_at(rec.data, 0).unwrap_or(0)),
        u32::from(u16_at(rec.data, 2).unwrap_or(0)),
    ))
}

/// The size of a DIMENSION record's area as calamine works it out (u32
/// arithmetic that wraps, as in a release build).
fn dimension_cells(data: &[u8]) -> Result<u64, XlsProblem> {
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0).unwrap_or(0)),
            u32::from(u16_at(data, 2).unwrap_or(0)),
            u32::from(u16_at(data, 4).unwrap_or(0)),
            u32::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u32::from(u16_at(data, 8).unwrap_or(0)),
            u32::from(u16_at(data, 10).unwrap_or(0)),
        ),
        _ => return Err(corrupt("a sheet's dimensions are cut short")),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1);
    let cols = end.1.wrapping_sub(start.1).wrapping_add(1);
    Ok(u64::from(rows).saturating_mul(u64::from(cols)))
}

/// Walk the workbook of `file`: its cost and its formulas.
fn survey(file: &[u8]) -> Result<Survey, XlsProblem> {
    let (whole, opened) = workbook_stream(file)?;
    let stream = &whole.bytes;
    let mut cost = opened + stream.len() as u64;

    // The workbook's globals: sheets, shared strings, names.
    let mut sheets = Vec::new();
    let mut strings: Vec<u64> = Vec::new();
    let mut longest_sheet_name = 0u64;
    let mut names = 0u64;
    for rec in (Records { stream, pos: 0 }) {
        let rec = rec?;
        match rec.typ {
            // FilePass: calamine refuses an encrypted workbook here.
            0x002F => match u16_at(rec.data, 0) {
                Some(0) => {}
                Some(_) => {
                    return Ok(Survey {
                        cost,
                        formulas: Vec::new(),
                    });
                }
                None => return Err(corrupt("a record is cut short")),
            },
            // BoundSheet8: where a sheet starts, and its name.
            0x0085 => {
                if rec.data.len() < 8 {
                    return Err(corrupt("a sheet's entry is cut short"));
                }
                sheets.push(u32_at(rec.data, 0).unwrap_or(0) as usize);
                let name = text_bytes(usize::from(rec.data[6]), true);
                longest_sheet_name = longest_sheet_name.max(name);
                cost += 2 * (STRING + name) + 16;
            }
            // SST: calamine keeps the last one; each costs while read.
            0x00FC => {
                strings = shared_strings(&rec)?;
                cost += strings.iter().sum::<u64>();
            }
            // Lbl: a defined name, kept with the name of its sheet.
            0x0018 => {
                if rec.data.len() < 14 {
                    return Err(corrupt("a defined name is cut short"));
                }
                names += 1;
                cost += 2 * STRING + text_bytes(usize::from(rec.data[3]), true) + 64;
            }
            0x000A => break,
            _ => {}
        }
    }
    cost += names * longest_sheet_name;

    // Each sheet, from where its entry says it starts, as calamine reads it.
    let mut formulas = Vec::new();
    let mut walked = 0usize;
    let (mut kept, mut reading, mut handed_out) = (0u64, 0u64, 0u64);
    for pos in sheets {
        if pos > stream.len() {
            return Err(corrupt("a sheet starts past the end of the workbook"));
        }
        let mut sheet = Sheet::default();
        let mut seen_bof = false;
        let mut depth = 0usize;
        let mut formula_at = (0u32, 0u32);
        for rec in (Records { stream, pos }) {
            let rec = rec?;
            walked += rec.size;
            if walked > stream.len() {
                return Err(corrupt("its sheets overlap"));
            }
            if depth > 0 {
                match rec.typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match rec.typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x0200 => {
                    let room = dimension_cells(rec.data)?;
                    sheet.reserved = sheet.reserved.max(sheet.cells.saturating_add(room));
                }
                // Number, BoolErr, RK.
                0x0203 | 0x0205 | 0x027E => {
                    let min = match rec.typ {
                        0x0203 => 14,
                        0x0205 => 8,
                        _ => 10,
                    };
                    let (row, col) = position(&rec, min)?;
                    sheet.values.add(row, col, col);
                    sheet.cells += 1;
                }
                // Label, RString: a string of its own.
                0x0204 | 0x00D6 => {
                    let (row, col) = position(&rec, 8)?;
                    sheet.values.add(row, col, col);
                    sheet.cells += 1;
                    let chars = usize::from(u16_at(rec.data, 6).unwrap_or(0));
                    sheet.text += STRING + text_bytes(chars, true);
                }
                // LabelSst: a copy of a shared string.
                0x00FD => {
                    let (row, col) = position(&rec, 10)?;
                    let index = u32_at(rec.data, 6).unwrap_or(u32::MAX) as usize;
                    if let Some(size) = strings.get(index) {
                        sheet.values.add(row, col, col);
                        sheet.cells += 1;
                        sheet.text += size;
                    }
                }
                // MulRk: numbers in a run of columns.
                0x00BD => {
                    let (row, first) = position(&rec, 6)?;
                    let n = (rec.data.len() as u32 - 6).div_ceil(6);
                    if n > 0 {
                        sheet.values.add(row, first, first + n - 1);
                        sheet.cells += u64::from(n);
                    }
                }
                // String: the text result of the formula before it.
                0x0207 => {
                    let chars = usize::from(u16_at(rec.data, 0).unwrap_or(0));
                    sheet.values.add(formula_at.0, formula_at.1, formula_at.1);
                    sheet.cells += 1;
                    sheet.text += STRING + text_bytes(chars, true);
                }
                // MergeCells.
                0x00E5 => {
                    let count = u64::from(u16_at(rec.data, 0).unwrap_or(0));
                    if (rec.data.len() as u64) < 2 + 8 * count {
                        return Err(corrupt("a list of merged cells is cut short"));
                    }
                    sheet.merges += count;
                }
                // Formula: its cached value, and its text (emptied).
                0x0006 => {
                    let (row, col) = position(&rec, 22)?;
                    formula_at = (row, col);
                    sheet.values.add(row, col, col);
                    sheet.cells += 1;
                    sheet.formulas.add(row, col, col);
                    sheet.formula_cells += 1;
                    sheet.formula_text += rec.data.len() as u64 - 20;
                    if u16_at(rec.data, 20) != Some(0) {
                        let at = rec.at + 20;
                        formulas.push(whole.file_offset(at));
                        formulas.push(whole.file_offset(at + 1));
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        kept = kept.saturating_add(sheet.kept());
        reading = reading.max(sheet.reading());
        handed_out = handed_out.max(sheet.handed_out());
    }
    let cost = cost
        .saturating_add(kept)
        .saturating_add(reading)
        .saturating_add(handed_out);
    Ok(Survey { cost, formulas })
}
